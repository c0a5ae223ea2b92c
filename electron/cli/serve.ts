export const summary = 'Run the self-hosted speech-to-text API server';

export async function run(_argv: string[]): Promise<number> {
  process.stderr.write('earshot serve: not implemented yet\n');
  return 2;
}
