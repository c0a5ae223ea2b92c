export const summary = 'Transcribe files or URLs to txt, srt, vtt or json';

export async function run(_argv: string[]): Promise<number> {
  process.stderr.write('earshot transcribe: not implemented yet\n');
  return 2;
}
