export const summary = 'Measure speed on this machine';

export async function run(_argv: string[]): Promise<number> {
  process.stderr.write('earshot bench: not implemented yet\n');
  return 2;
}
