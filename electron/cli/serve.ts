/**
 * `earshot serve`: the self-hosted speech-to-text API server (compatible with the Smallest Self-Host API).
 * Refuses to start unless LICENSE_KEY holds at least one valid license.
 */
import { parseArgs } from 'node:util';
import { EarshotError, isEarshotError } from '../core/errors.ts';
import { deviceArg, diarizeWithArg, intArg } from './args.ts';
import { DEFAULT_SERVER_CONFIG, envFlag, parseLicenseKeys, type ServerConfig } from '../core/server/config.ts';
import { serverServices } from '../core/server/deps.ts';
import { startServer } from '../core/server/index.ts';
import { cliEngine } from './engine.ts';

export const summary = 'Run the self-hosted speech-to-text API server';

const HELP = `Usage: earshot serve [options]

Serves the Smallest Self-Host compatible API (POST /v1/listen, GET /health, WS /v1/listen/stream, ...).
The license key(s) come from LICENSE_KEY (comma-separate several for rotation); clients send
"Authorization: Token <key>" with one of them. GET /metrics answers loopback clients only, unless
EARSHOT_METRICS_TOKEN is set (then "Authorization: Bearer <token>" from anywhere). EARSHOT_LOG_LEVEL
(trace, debug, info, warn, error; default info) sets the JSON-lines log on stdout.

Options:
  --host <addr>            Address to bind (default 127.0.0.1; use 0.0.0.0 to serve the network)
  --port <n>               Port (default 7100; 0 picks a free one)
  --model <dir|id>         Model folder or catalog id (default: the default model)
  --tls-cert <file>        PEM certificate; with --tls-key, serve HTTPS (also EARSHOT_TLS_CERT)
  --tls-key <file>         PEM private key (also EARSHOT_TLS_KEY)
  --allow-private-urls     Let URL inputs and callbacks reach private/loopback addresses
                           (also EARSHOT_ALLOW_PRIVATE_URLS=1)
  --max-size-mb <n>        Largest upload or download (default 100)
  --queue <n>              Requests that may wait for a worker before 503 (default 32)
  --workers <n>            Transcriptions run at the same time (default 1)
  --device <auto|cpu|gpu>  Where the model runs (default auto)
  --threads <n>            CPU threads per inference
  --diarize-with <m>       diarize=true runs: auto (installed pyannote + WeSpeaker models, else the
                           approximate classical method), classical or neural
  --request-timeout <s>    Whole-request time budget in seconds (default 300)
  --max-duration <s>       Longest audio accepted in seconds (default 7200)
  --download-timeout <s>   Longest a URL input's download may take (default 120)
  --stream-idle-timeout <s>  Close a live stream that sends nothing this long (default 30)
  --stream-max-seconds <s> Longest a live stream may stay open (default 7800)
  --quiet                  No request log
`;

export function configFromArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ServerConfig | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      model: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'allow-private-urls': { type: 'boolean' },
      'max-size-mb': { type: 'string' },
      queue: { type: 'string' },
      workers: { type: 'string' },
      device: { type: 'string' },
      threads: { type: 'string' },
      'diarize-with': { type: 'string' },
      'request-timeout': { type: 'string' },
      'max-duration': { type: 'string' },
      'download-timeout': { type: 'string' },
      'stream-idle-timeout': { type: 'string' },
      'stream-max-seconds': { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const tlsCert = values['tls-cert'] ?? env.EARSHOT_TLS_CERT;
  const tlsKey = values['tls-key'] ?? env.EARSHOT_TLS_KEY;
  if (Boolean(tlsCert) !== Boolean(tlsKey)) {
    throw new EarshotError('INVALID_PARAMETER', 'HTTPS needs both --tls-cert and --tls-key');
  }
  const device = deviceArg(values.device);
  const d = DEFAULT_SERVER_CONFIG;
  return {
    ...d,
    host: values.host ?? env.API_SERVER_HOST ?? d.host,
    port: intArg(values.port ?? env.API_SERVER_PORT, '--port', { fallback: d.port, allowZero: true }),
    model: values.model,
    tlsCert,
    tlsKey,
    licenseKeys: parseLicenseKeys(env.LICENSE_KEY),
    allowPrivateUrls: Boolean(values['allow-private-urls']) || envFlag(env.EARSHOT_ALLOW_PRIVATE_URLS),
    maxSizeMb: intArg(values['max-size-mb'], '--max-size-mb', { fallback: d.maxSizeMb }),
    queueSize: intArg(values.queue, '--queue', { fallback: d.queueSize, allowZero: true }),
    workers: intArg(values.workers, '--workers', { fallback: d.workers }),
    device,
    threads: intArg(values.threads, '--threads'),
    diarizeWith: diarizeWithArg(values['diarize-with']),
    requestTimeoutSeconds: intArg(values['request-timeout'], '--request-timeout', {
      fallback: d.requestTimeoutSeconds,
    }),
    maxAudioSeconds: intArg(values['max-duration'], '--max-duration', { fallback: d.maxAudioSeconds }),
    downloadTimeoutSeconds: intArg(values['download-timeout'], '--download-timeout', {
      fallback: d.downloadTimeoutSeconds,
    }),
    streamIdleSeconds: intArg(values['stream-idle-timeout'], '--stream-idle-timeout', {
      fallback: d.streamIdleSeconds,
    }),
    streamMaxSeconds: intArg(values['stream-max-seconds'], '--stream-max-seconds', { fallback: d.streamMaxSeconds }),
    metricsToken: env.EARSHOT_METRICS_TOKEN || undefined,
    callbackBackoffMs: intArg(env.EARSHOT_CALLBACK_BACKOFF_MS, 'EARSHOT_CALLBACK_BACKOFF_MS', {
      fallback: d.callbackBackoffMs,
    }),
    quiet: Boolean(values.quiet),
  };
}

export async function run(argv: string[]): Promise<number> {
  let config: ServerConfig | 'help';
  try {
    config = configFromArgs(argv);
  } catch (e) {
    process.stderr.write(`earshot serve: ${e instanceof Error ? e.message : String(e)}\n\n${HELP}`);
    return 2;
  }
  if (config === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  const engine = cliEngine();
  const license = engine.licenses;
  const services = serverServices({
    license,
    models: engine.models,
    licenseKeys: config.licenseKeys,
    maxAudioSeconds: config.maxAudioSeconds,
  });
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(config, services, { version: process.env.EARSHOT_VERSION ?? '0.1.0' });
  } catch (e) {
    const why = isEarshotError(e) ? `${e.message} (${e.code})` : e instanceof Error ? e.message : String(e);
    process.stderr.write(`earshot serve: cannot start: ${why}\n`);
    return 1;
  }
  for (const warning of server.keyWarnings) process.stderr.write(`earshot serve: warning: ${warning}\n`);
  process.stderr.write(`earshot serve: listening on ${server.url} (loading the model...)\n`);
  server.ready.then(
    () => {
      const state = server.context.transcriber.state;
      const model = state.status === 'ready' ? `${state.loaded.id} on ${state.loaded.model.device.label}` : '';
      process.stderr.write(`earshot serve: ready, model ${model}\n`);
    },
    (e: unknown) =>
      process.stderr.write(`earshot serve: the model failed to load: ${e instanceof Error ? e.message : e}\n`),
  );

  // Finish what is in flight (including webhook deliveries), then exit.
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stderr.write('earshot serve: shutting down\n');
  await server.close();
  await license.flush();
  return 0;
}
