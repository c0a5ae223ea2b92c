/**
 * What both decoders share: the ffmpeg arguments that produce 16 kHz mono f32le, and the reading of ffmpeg's log
 * (stream header → metadata; error lines → our error codes). Both decoders run the same ffmpeg code, so they read
 * the same log.
 */
import { EarshotError } from '../errors.ts';

/** Output half of the command: first audio stream only, ffmpeg's resampler and downmix, raw float32 out. */
export function pcmOutputArgs(output: string): string[] {
  return ['-map', '0:a:0', '-vn', '-sn', '-dn', '-ac', '1', '-ar', '16000', '-f', 'f32le', output];
}

const COMMON_FLAGS = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info'];

/**
 * Everything up to and including the input. `file:` plus a file-only protocol whitelist means a path (or a playlist
 * or container inside the file) can never make ffmpeg open a URL or another protocol.
 */
export function inputArgs(file: string): string[] {
  return [...COMMON_FLAGS, '-protocol_whitelist', 'file', '-i', `file:${file}`];
}

export interface StreamHeader {
  codec: string;
  originalSampleRate: number;
  channels: number;
  /** Seconds, or NaN when the container does not say. */
  duration: number;
}

const LAYOUT_CHANNELS: Record<string, number> = {
  mono: 1,
  stereo: 2,
  downmix: 2,
  '2.1': 3,
  '3.0': 3,
  '3.1': 4,
  '4.0': 4,
  quad: 4,
  '4.1': 5,
  '5.0': 5,
  '5.1': 6,
  '6.0': 6,
  hexagonal: 6,
  '6.1': 7,
  '7.0': 7,
  '7.1': 8,
  octagonal: 8,
};

function channelsFromLayout(layout: string): number {
  const n = /^(\d+) channels/.exec(layout);
  if (n) return Number(n[1]);
  return LAYOUT_CHANNELS[layout.replace(/\(.*\)$/, '').trim()] ?? 0;
}

/** Collects log lines and recognises the input header (which ffmpeg prints before any output). */
export class FfmpegLog {
  readonly lines: string[] = [];
  private duration = Number.NaN;
  private audio: Omit<StreamHeader, 'duration'> | null = null;
  /** True once ffmpeg has printed the output mapping, i.e. the input opened and decoding starts. */
  started = false;

  push(line: string): void {
    if (this.lines.length < 400) this.lines.push(line);
    const d = /^\s*Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)/.exec(line);
    if (d && Number.isNaN(this.duration)) this.duration = Number(d[1]) * 3600 + Number(d[2]) * 60 + Number(d[3]);
    const s = /^\s*Stream #0:\d+.*?: Audio: ([\w-]+)[^,]*, (\d+) Hz, ([^,]+)/.exec(line);
    if (s && !this.audio) {
      this.audio = { codec: s[1], originalSampleRate: Number(s[2]), channels: channelsFromLayout(s[3].trim()) };
    }
    if (/^Output #0|^Stream mapping:/.test(line)) this.started = true;
  }

  header(): StreamHeader | null {
    return this.audio ? { ...this.audio, duration: this.duration } : null;
  }

  /** Error-looking lines printed while decoding (not fatal: ffmpeg skips damaged frames). */
  decodeWarnings(): string[] {
    const seen = new Set<string>();
    for (const line of this.lines) {
      if (
        /error|invalid|corrupt|truncat|missing|overread|incomplete/i.test(line) &&
        !/^\s*Stream #|Metadata/.test(line)
      ) {
        seen.add(line.replace(/^\[[^\]]*\]\s*/, '').trim());
      }
    }
    return [...seen].slice(0, 10);
  }

  /** Maps a failed run to the most specific error. `recognised`: the bytes looked like a known container. */
  failure(exitCode: number | null, recognised: boolean): EarshotError {
    const text = this.lines.join('\n');
    const last = lastErrorLine(this.lines);
    if (/matches no streams|does not contain any stream|Output file #0 does not contain/i.test(text)) {
      return new EarshotError('UNSUPPORTED_FORMAT', 'The file has no audio stream', { reason: 'no_audio_stream' });
    }
    if (
      !recognised &&
      /Invalid data found when processing input|could not find codec|Unknown input format/i.test(text)
    ) {
      return new EarshotError('UNSUPPORTED_FORMAT', `Not a supported media file (${last})`);
    }
    if (/Cannot allocate memory|Out of memory|OOM/i.test(text)) {
      return new EarshotError('INTERNAL_ERROR', `The decoder ran out of memory (${last})`);
    }
    return new EarshotError('CORRUPT_MEDIA', `The media file is truncated or corrupt (${last || `exit ${exitCode}`})`);
  }
}

function lastErrorLine(lines: string[]): string {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i].trim();
    // ffmpeg prefixes input errors with `file:<path>: `; the path is ours (often a temp file), not the user's news,
    // and the API must not reveal server paths.
    if (line && !/^Aborted|^Exiting normally|^Conversion failed/.test(line))
      return line.replace(/^file:.+?: /, '').slice(0, 300);
  }
  return '';
}
