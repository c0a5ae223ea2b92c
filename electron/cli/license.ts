/**
 * `earshot license …`: vendor tooling (keygen, issue, revoke) and user tooling (inspect, import-revocations).
 * Keys are printed only where printing them is the point (issue → stdout); everything else shows redactKey().
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EarshotError } from '../core/errors.ts';
import { writeFileAtomic } from '../core/fs-atomic.ts';
// The license commands (vendor tools and status) need no models: they build only the license service, so that they
// bundle and start without the ONNX runtime (test/license/flavor.test.ts bundles them).
import { BUILD_FLAVOR, LicenseError, LicenseService, redactKey } from '../core/license/index.ts';
import {
  developmentSigningKey,
  generateSigningKey,
  isoSeconds,
  issueLicense,
  type LicenseClaims,
  loadEd25519Private,
  parseKey,
  signRevocationList,
} from '../core/license/vendor.ts';

export const summary = 'Issue, inspect and revoke license keys';

const SIGNER_HELP =
  BUILD_FLAVOR === 'development' ? '(--signing-key <private.pem> | --dev)' : '--signing-key <private.pem>';

const USAGE = `Usage: earshot license <command> [options]

  keygen [--out <dir>]
      Make an Ed25519 signing key pair (<kid>.private.pem, mode 0600, and <kid>.public.pem).
  issue ${SIGNER_HELP} --customer <name> --expires <ISO date>
        [--not-before <ISO date>] [--plan <name>] [--rpm N] [--concurrency N] [--audio-hours-per-day N]
        [--feature <name>]... [--id <license id>]
      Print a new license key on stdout. A date without a time means the end of that day (UTC) for --expires and
      its start for --not-before.
  inspect <key | -> [--json]
      Show a key's claims and this build's verdict with the exact reason ('-' reads the key from stdin).
  revoke <license id>... ${SIGNER_HELP} --out <revoked.json> [--merge <existing revoked.json>]
      Write a signed revocation list for the app and the server to import.
  import-revocations <revoked.json>
      Verify a signed revocation list and install it in this installation's data folder.
${BUILD_FLAVOR === 'development' ? '\nThis is a development build: --dev signs with the committed development key, which only development builds trust.\n' : ''}`;

export async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'keygen':
        return await keygen(rest);
      case 'issue':
        return await issue(rest);
      case 'inspect':
        return await inspect(rest);
      case 'revoke':
        return await revoke(rest);
      case 'import-revocations':
        return await importRevocations(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        process.stderr.write(`earshot license: unknown command '${command}'\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof EarshotError) {
      process.stderr.write(`earshot license: ${e.message}\n`);
      return 2;
    }
    if (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`earshot license: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}

function usageError(message: string): EarshotError {
  return new EarshotError('INVALID_PARAMETER', message);
}

async function keygen(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { out: { type: 'string', default: '.' } } });
  const pair = generateSigningKey();
  const dir = path.resolve(values.out);
  const privateFile = path.join(dir, `${pair.kid}.private.pem`);
  const publicFile = path.join(dir, `${pair.kid}.public.pem`);
  if (existsSync(privateFile)) throw usageError(`${privateFile} already exists`);
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(privateFile, pair.privatePem, 0o600);
  await writeFileAtomic(publicFile, pair.publicPem, 0o644);
  process.stdout.write(
    `Key id: ${pair.kid}\nPrivate key: ${privateFile} (keep it offline; mode 0600)\nPublic key: ${publicFile}\n\n` +
      `To make release builds trust it, add this to electron/core/license/vendor-keys.ts:\n${pair.publicPem}`,
  );
  return 0;
}

async function signingKey(values: { 'signing-key'?: string; dev?: boolean }) {
  if (values.dev && values['signing-key']) throw usageError('Give either --signing-key or --dev, not both');
  if (values.dev) return developmentSigningKey();
  if (!values['signing-key']) throw usageError(`A signing key is required: ${SIGNER_HELP}`);
  try {
    return loadEd25519Private(readFileSync(values['signing-key'], 'utf8'));
  } catch (e) {
    throw usageError(`${values['signing-key']} is not a readable Ed25519 private key (${(e as Error).message})`);
  }
}

function parseDate(value: string, option: string, endOfDay: boolean): Date {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const date = new Date(dateOnly ? `${value}T${endOfDay ? '23:59:59' : '00:00:00'}Z` : value);
  if (Number.isNaN(date.getTime())) throw usageError(`${option} must be an ISO-8601 date, got '${value}'`);
  return date;
}

function parsePositive(value: string | undefined, option: string, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw usageError(`${option} must be a positive ${integer ? 'whole ' : ''}number, got '${value}'`);
  }
  return n;
}

async function issue(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'signing-key': { type: 'string' },
      dev: { type: 'boolean' },
      customer: { type: 'string' },
      expires: { type: 'string' },
      'not-before': { type: 'string' },
      plan: { type: 'string' },
      rpm: { type: 'string' },
      concurrency: { type: 'string' },
      'audio-hours-per-day': { type: 'string' },
      feature: { type: 'string', multiple: true },
      id: { type: 'string' },
    },
  });
  if (!values.customer) throw usageError('--customer is required');
  if (!values.expires) throw usageError('--expires is required');
  const privateKey = await signingKey(values);
  const { key, claims } = issueLicense({
    privateKey,
    customer: values.customer,
    expiresAt: parseDate(values.expires, '--expires', true),
    notBefore: values['not-before'] ? parseDate(values['not-before'], '--not-before', false) : undefined,
    plan: values.plan,
    id: values.id,
    features: values.feature,
    limits: {
      requestsPerMinute: parsePositive(values.rpm, '--rpm', true),
      concurrentRequests: parsePositive(values.concurrency, '--concurrency', true),
      audioHoursPerDay: parsePositive(values['audio-hours-per-day'], '--audio-hours-per-day', false),
    },
  });
  process.stdout.write(`${key}\n`);
  process.stderr.write(`Issued ${claims.id} for ${claims.customer}, valid until ${isoSeconds(claims.exp)}\n`);
  return 0;
}

function readKeyArgument(arg: string | undefined): string {
  if (arg === undefined) throw usageError("Give the key, or '-' to read it from stdin");
  return arg === '-' ? readFileSync(0, 'utf8') : arg;
}

function describeClaims(claims: LicenseClaims, signer: string): string {
  const l = claims.limits;
  return [
    `License:    ${claims.id}`,
    `Customer:   ${claims.customer}`,
    `Plan:       ${claims.plan}`,
    `Issued:     ${isoSeconds(claims.iat)}`,
    `Valid from: ${isoSeconds(claims.nbf)}`,
    `Expires:    ${isoSeconds(claims.exp)}`,
    `Limits:     ${l.requestsPerMinute} requests/min, ${l.concurrentRequests} concurrent, ${l.audioHoursPerDay} audio hours/day`,
    `Features:   ${claims.features.join(', ') || '(none)'}`,
    `Signer:     ${claims.kid} — ${signer}`,
  ].join('\n');
}

async function inspect(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean' } },
  });
  const key = readKeyArgument(positionals[0]);
  const service = new LicenseService();
  let claims: LicenseClaims | undefined;
  try {
    claims = parseKey(key).claims; // unverified: shown so the verdict can be understood
  } catch {
    claims = undefined;
  }
  let verdict: { valid: boolean; code?: string; status?: number; reason?: string; body?: unknown };
  try {
    service.verify(key);
    verdict = { valid: true };
  } catch (e) {
    if (!(e instanceof LicenseError)) throw e;
    verdict = { valid: false, code: e.code, status: e.status, reason: e.reason, body: e.toJSON() };
  }
  await service.flush();
  const signer = claims && (service.trustedSigner(claims.kid)?.label ?? `not trusted by this ${BUILD_FLAVOR} build`);
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ key: redactKey(key), flavor: BUILD_FLAVOR, claims, signer, verdict }, null, 2)}\n`,
    );
  } else {
    const lines = [`Key:        ${redactKey(key)}`];
    if (claims && signer) lines.push(describeClaims(claims, signer));
    lines.push(
      verdict.valid
        ? `Verdict:    valid (${BUILD_FLAVOR} build)`
        : `Verdict:    ${verdict.code} — ${verdict.reason}\nAPI answer: ${verdict.status} ${JSON.stringify(verdict.body)}`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return verdict.valid ? 0 : 1;
}

async function revoke(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'signing-key': { type: 'string' },
      dev: { type: 'boolean' },
      out: { type: 'string' },
      merge: { type: 'string' },
    },
  });
  if (!values.out) throw usageError('--out is required');
  const privateKey = await signingKey(values);
  const ids = new Set(positionals);
  if (values.merge) {
    const service = new LicenseService();
    const previous = service.checkRevocationList(readFileSync(values.merge, 'utf8'));
    for (const id of previous.ids) ids.add(id);
  }
  if (ids.size === 0) throw usageError('Name at least one license id to revoke');
  for (const id of ids) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw usageError(`'${id}' is not a license id`);
  }
  await writeFileAtomic(path.resolve(values.out), signRevocationList([...ids], privateKey), 0o644);
  process.stderr.write(`Wrote ${values.out}: ${ids.size} revoked license(s)\n`);
  return 0;
}

async function importRevocations(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
  if (!positionals[0]) throw usageError('Give the revocation list file');
  const service = new LicenseService();
  const list = await service.importRevocationList(readFileSync(positionals[0], 'utf8'));
  process.stdout.write(`Imported a list of ${list.ids.size} revoked license(s) issued ${list.issuedAt}\n`);
  return 0;
}
