/**
 * Keeps secrets out of the JSON-lines log at every level. Path-based redaction only covers the places one thinks
 * of: at `trace`, @fastify/multipart logs its whole busboy options, request headers included. So every finished line
 * is scrubbed on its way out instead: the value of any property named like a credential (authorization, cookie,
 * token, key...) at any depth, anything that looks like a license key, and any `Token …`/`Bearer …` value, in any
 * string, the message included.
 */
import type { Writable } from 'node:stream';

const CENSOR = '[redacted]';
/** `"authorization":"…"` (JSON-escaped string values) for credential-like property names. */
const SECRET_PROPERTY =
  /("(?:authorization|proxy-authorization|cookie|set-cookie|x-api-key|license_?key|licenseKey|key|token)":)"(?:[^"\\]|\\.)*"/gi;
const LICENSE_KEY = /ESK1\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)?/g;
const AUTH_VALUE = /\b(Token|Bearer|Basic)(\s+|\\t)[^\s"',;\\]+/gi;

export function scrubLogLine(line: string): string {
  return line
    .replace(SECRET_PROPERTY, `$1"${CENSOR}"`)
    .replace(LICENSE_KEY, CENSOR)
    .replace(AUTH_VALUE, `$1 ${CENSOR}`);
}

/** A pino destination that scrubs each line, then writes it to `out` (stdout by default). */
export function redactingDestination(out: Pick<Writable, 'write'> = process.stdout): { write(line: string): void } {
  return { write: (line: string) => void out.write(scrubLogLine(line)) };
}
