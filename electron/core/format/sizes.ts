/**
 * The one byte-size formatter, for the CLI, the UI (through contract/rules.ts) and core's messages (e.g. the disk
 * space error). Decimal (SI) units, 1 kB = 1000 B: what we show are mostly file and download sizes that users compare
 * with free disk space and with model hosts' listings, which macOS, GNOME and Hugging Face give in decimal units;
 * core's other figures (the recommended model's "GB RAM", the disk check) were already decimal; and "MB" means 10^6
 * bytes: a 1024-based figure would need MiB to be honest. Three significant figures at most: 999 B, 1.5 kB,
 * 75.3 MB, 150 MB, 2.1 GB. Pure: the renderer runs it too.
 */
const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '–';
  let v = n;
  let i = 0;
  while (v >= 999.95 && i < UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? Math.round(v) : v >= 99.95 ? Math.round(v) : v.toFixed(1)} ${UNITS[i]}`;
}
