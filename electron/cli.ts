/**
 * `earshot <command>`: the headless entry point. Each command lives in electron/cli/<name>.ts and exports
 * `run(argv: string[]): Promise<number>` (the exit code); this file only dispatches, so commands load lazily.
 */
import { EarshotError } from './core/errors.ts';

type CommandModule = { run(argv: string[]): Promise<number>; summary: string };

const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  transcribe: () => import('./cli/transcribe.ts'),
  serve: () => import('./cli/serve.ts'),
  license: () => import('./cli/license.ts'),
  models: () => import('./cli/models.ts'),
  bench: () => import('./cli/bench.ts'),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(await usage());
    return name ? 0 : 1;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${process.env.EARSHOT_VERSION ?? '0.1.0'}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`earshot: unknown command '${name}'\n\n${await usage()}`);
    return 2;
  }
  const command = await load();
  return command.run(rest);
}

async function usage(): Promise<string> {
  const lines = await Promise.all(
    Object.entries(COMMANDS).map(async ([n, load]) => `  ${n.padEnd(12)}${(await load()).summary}`),
  );
  return `Usage: earshot <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'earshot <command> --help' for a command's options.\n`;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof EarshotError) process.stderr.write(`earshot: ${e.message} (${e.code})\n`);
    else process.stderr.write(`earshot: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
