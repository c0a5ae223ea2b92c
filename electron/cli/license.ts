export const summary = 'Issue, inspect and revoke license keys';

export async function run(_argv: string[]): Promise<number> {
  process.stderr.write('earshot license: not implemented yet\n');
  return 2;
}
