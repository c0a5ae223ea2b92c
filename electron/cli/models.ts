export const summary = 'List, download, import and remove models';

export async function run(_argv: string[]): Promise<number> {
  process.stderr.write('earshot models: not implemented yet\n');
  return 2;
}
