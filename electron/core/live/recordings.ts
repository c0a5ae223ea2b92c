/**
 * Microphone recordings in the desktop app. The renderer sends two things while recording: 16 kHz PCM frames, straight
 * to the live engine over the recording's own port (live-host.ts validates and transcribes them; they never come
 * here), and the compressed recording itself (Opus/WebM from MediaRecorder), which the contract's `live:media` appends
 * to the data folder's media/ as it arrives. A marker file in recordings/ says a recording is in progress and
 * keeps its final segments so far; when stopped, the recording becomes a history item like any other and the marker
 * goes. A marker found at start-up is a recording cut short by a crash or a quit: it becomes an "interrupted" history
 * item with the audio and the text decided before the interruption, which can be transcribed again from the audio.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { DeviceInfo, Segment } from '../asr/types.ts';
import { EarshotError, isEarshotError } from '../errors.ts';
import { readJson, writeJsonAtomic } from '../fs-atomic.ts';
import type { StoredTranscript, TranscriptLibrary } from '../library/library.ts';
import type { LiveModelChoice } from './live-protocol.ts';
import { joinLivePieces } from './agreement.ts';
import type { LiveFinal, LiveInterim, LiveResult } from './live-transcription.ts';
import type { LiveListener, LiveWorkerClient } from './live-worker-client.ts';
import { setWebmDuration } from './webm-duration.ts';

/** Why a recording stopped: the user, its microphone went away, or the app quit under it (both "interrupted"). */
export type LiveStopReason = 'user' | 'device-lost' | 'quit';

export type LiveEvent =
  | { type: 'ready'; id: string; model: string; device: DeviceInfo }
  | ({ type: 'interim'; id: string } & LiveInterim)
  | ({ type: 'final'; id: string } & LiveFinal)
  /** The recording stopped on its own (disk full, the model failed): the audio so far is kept and saved. */
  | { type: 'error'; id: string; error: { code: EarshotError['code']; message: string } }
  | { type: 'saved'; id: string; transcriptId: string; interrupted: boolean };

interface Marker {
  id: string;
  title: string;
  startedAt: string;
  mediaPath: string;
  model: string;
  language: string;
  /** Seconds of audio transcribed so far. */
  duration: number;
  segments: Segment[];
}

interface Active {
  marker: Marker;
  file: fs.FileHandle;
  /** Appends to the file run one after the other, in arrival order; so do rewrites of the marker. */
  writes: Promise<void>;
  markerWrites: Promise<void>;
  /** Set once stopping has the whole result: the marker is no longer rewritten (it is about to go). */
  settled?: boolean;
  device?: DeviceInfo;
  /** Bytes of the compressed recording written so far. */
  mediaBytes: number;
  stopping?: Promise<StoredTranscript | null>;
  /** Set when the recording stopped by itself; stop() then reports this. */
  failure?: EarshotError;
  /** Set when writing the recording failed (disk full): later pieces are refused. Other failures keep the audio coming
   * until the window stops, so the recording file holds everything the microphone gave. */
  writeFailure?: EarshotError;
  /** Resolves with the worker's whole transcript once asked to stop. */
  result: Promise<LiveResult>;
  settle: { resolve(r: LiveResult): void; reject(e: EarshotError): void };
}

export interface LiveRecordingsOptions {
  home: string;
  mediaDir: string;
  library: TranscriptLibrary;
  worker: LiveWorkerClient;
  /** Throws the license's error when work is refused; charges audio as the engine hears it (may throw QUOTA_EXCEEDED). */
  authorize(): Promise<void>;
  recordAudio(seconds: number): Promise<void>;
  /** Where a recording's audio goes (default media/<id>.webm); tests name /dev/full to meet a real full disk. */
  mediaPathFor?(id: string): string;
}

const ID_RE = /^rec_[a-f0-9]{20}$/;
/** How long the engine waits at a stop for the window's last frames (they come on their own port). */
const STOP_FRAMES_WAIT_MS = 5_000;
const QUIT_FRAMES_WAIT_MS = 1_000;

export class LiveRecordings extends EventEmitter<{ event: [LiveEvent] }> {
  private readonly active = new Map<string, Active>();
  private readonly dir: string;

  constructor(private readonly o: LiveRecordingsOptions) {
    super();
    this.dir = path.join(o.home, 'recordings');
  }

  /** Loads the model in the live worker ahead of a recording. */
  prepare(choice: LiveModelChoice): void {
    this.o.worker.prepare(choice);
  }

  async start(choice: LiveModelChoice & { modelName: string }): Promise<{ id: string; startedAt: string }> {
    await this.o.authorize();
    const id = `rec_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
    const startedAt = new Date();
    await fs.mkdir(this.o.mediaDir, { recursive: true });
    await fs.mkdir(this.dir, { recursive: true });
    const mediaPath = this.o.mediaPathFor?.(id) ?? path.join(this.o.mediaDir, `${id}.webm`);
    const marker: Marker = {
      id,
      title: `Recording ${startedAt.toISOString().slice(0, 16).replace('T', ' ')}`,
      startedAt: startedAt.toISOString(),
      mediaPath,
      model: choice.modelName,
      language: choice.language ?? '',
      duration: 0,
      segments: [],
    };
    let file: fs.FileHandle;
    try {
      file = await fs.open(mediaPath, 'a');
      await writeJsonAtomic(this.markerFile(id), marker);
    } catch (e) {
      throw diskError(e);
    }
    let settle!: Active['settle'];
    const result = new Promise<LiveResult>((resolve, reject) => {
      settle = { resolve, reject };
    });
    result.catch(() => {}); // observed in stop()
    const rec: Active = {
      marker,
      file,
      writes: Promise.resolve(),
      markerWrites: Promise.resolve(),
      result,
      settle,
      mediaBytes: 0,
    };
    this.active.set(id, rec);
    this.o.worker.start(id, choice, this.listener(rec));
    return { id, startedAt: marker.startedAt };
  }

  private listener(rec: Active): LiveListener {
    const { id } = rec.marker;
    return {
      onReady: (model, device) => {
        rec.device = device;
        this.emit('event', { type: 'ready', id, model, device });
      },
      onInterim: (interim) => this.emit('event', { type: 'interim', id, ...interim }),
      onFinal: (final) => {
        rec.marker.segments.push(...final.segments);
        rec.marker.duration = final.end;
        if (final.language) rec.marker.language = final.language;
        // What is decided survives a crash: the marker keeps it (written whole each time, atomically).
        rec.markerWrites = rec.markerWrites
          .then(() => (rec.settled ? undefined : writeJsonAtomic(this.markerFile(id), rec.marker)))
          .catch((e) => this.failed(rec, diskError(e)));
        this.emit('event', { type: 'final', id, ...final });
      },
      // Audio is charged as the engine hears it; once the quota is used up the recording stops taking audio, and what
      // was heard (and paid) is still transcribed and saved.
      onHeard: (seconds) => {
        void this.o.recordAudio(seconds).catch((e) => {
          this.o.worker.hold(id);
          this.failed(rec, asEarshot(e));
        });
      },
      onRefused: (error) => this.failed(rec, error),
      onStopped: (result) => rec.settle.resolve(result),
      onError: (error) => {
        rec.settle.reject(error);
        this.failed(rec, error);
      },
    };
  }

  /** Appends the next piece of the compressed recording to its file in the data folder. */
  media(id: string, bytes: Uint8Array): Promise<void> {
    const rec = this.get(id);
    if (rec.writeFailure) throw rec.writeFailure;
    rec.writes = rec.writes.then(async () => {
      if (rec.writeFailure) return;
      try {
        await rec.file.write(bytes);
        rec.mediaBytes += bytes.length;
      } catch (e) {
        rec.writeFailure = diskError(e);
        this.failed(rec, rec.writeFailure);
      }
    });
    return rec.writes.then(() => {
      if (rec.writeFailure) throw rec.writeFailure;
    });
  }

  /** The user paused: what was said so far is decided now, so the text settles while nothing is recorded. */
  pause(id: string): void {
    this.o.worker.flush(this.get(id).marker.id);
  }

  /**
   * Stops and saves the recording as a history item (also after it failed: the audio so far is kept). A recording
   * that never received anything (the microphone failed to open) leaves nothing behind and returns null.
   */
  stop(id: string, reason: LiveStopReason = 'user'): Promise<StoredTranscript | null> {
    const rec = this.get(id);
    rec.stopping ??= this.finish(rec, reason);
    return rec.stopping;
  }

  private async finish(rec: Active, reason: LiveStopReason): Promise<StoredTranscript | null> {
    const { id } = rec.marker;
    // The window sends its frames' end marker right before stopping; on quit it may be going away without one.
    this.o.worker.stop(id, reason === 'quit' ? QUIT_FRAMES_WAIT_MS : STOP_FRAMES_WAIT_MS);
    let result: LiveResult | undefined;
    try {
      result = await rec.result;
    } catch {
      // The model failed: the text decided before the failure is in the marker.
    }
    rec.settled = true;
    await rec.markerWrites;
    await rec.writes;
    await rec.file.close().catch(() => {});
    if (rec.mediaBytes === 0 && !result?.duration && rec.marker.segments.length === 0) {
      this.active.delete(id);
      await fs.rm(this.markerFile(id), { force: true });
      if (!this.o.mediaPathFor) await fs.rm(rec.marker.mediaPath, { force: true });
      return null;
    }
    const seconds = result?.duration ?? rec.marker.duration;
    // Players can show the length and seek once the file says how long it is; a failure only costs that.
    if (!rec.writeFailure) await setWebmDuration(rec.marker.mediaPath, seconds).catch(() => false);
    if (result?.language) rec.marker.language = result.language;
    const interrupted = reason !== 'user' || rec.failure !== undefined;
    const title = interrupted ? `${rec.marker.title} (interrupted)` : rec.marker.title;
    const t = await this.save(
      {
        ...rec.marker,
        title,
        segments: result?.segments ?? rec.marker.segments,
        duration: result?.duration ?? rec.marker.duration,
      },
      rec.device,
    );
    this.active.delete(id);
    this.emit('event', { type: 'saved', id, transcriptId: t.id, interrupted });
    return t;
  }

  private async save(marker: Marker, device?: DeviceInfo): Promise<StoredTranscript> {
    const t = await this.o.library.create({
      title: marker.title,
      duration: marker.duration,
      language: marker.language || 'en',
      model: marker.model,
      mediaPath: marker.mediaPath,
      ...(device ? { device } : {}),
      segments: joinLivePieces(marker.segments),
    });
    await fs.rm(this.markerFile(marker.id), { force: true });
    return t;
  }

  /** Recordings a crash or quit cut short become interrupted history items. Returns their transcript ids. */
  async recoverInterrupted(): Promise<string[]> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    const ids: string[] = [];
    for (const name of names) {
      const id = name.replace(/\.json$/, '');
      if (!ID_RE.test(id) || this.active.has(id)) continue;
      const marker = await readJson<Marker | null>(this.markerFile(id), null).catch(() => null);
      if (!marker || typeof marker.mediaPath !== 'string' || !Array.isArray(marker.segments)) continue;
      const size = (await fs.stat(marker.mediaPath).catch(() => undefined))?.size ?? 0;
      if (size === 0) {
        // Nothing was recorded before the interruption: there is nothing to keep.
        await fs.rm(this.markerFile(id), { force: true });
        await fs.rm(marker.mediaPath, { force: true });
        continue;
      }
      const t = await this.save({ ...marker, title: `${marker.title} (interrupted)` });
      ids.push(t.id);
    }
    return ids;
  }

  /** The recording stops by itself; the renderer is told why, and it saves what was recorded by calling stop(). */
  private failed(rec: Active, error: EarshotError): void {
    if (rec.failure || rec.stopping) return;
    rec.failure = error;
    this.emit('event', { type: 'error', id: rec.marker.id, error: { code: error.code, message: error.message } });
  }

  private get(id: string): Active {
    const rec = this.active.get(id);
    if (!rec) throw new EarshotError('INVALID_PARAMETER', 'No recording in progress with this id', { id });
    return rec;
  }

  private markerFile(id: string): string {
    return path.join(this.dir, `${id}.json`);
  }

  /** On quit: stops every recording and saves it as interrupted (the window is gone, nothing more will arrive). */
  async dispose(): Promise<void> {
    await Promise.allSettled([...this.active.keys()].map((id) => this.stop(id, 'quit')));
  }
}

function asEarshot(e: unknown): EarshotError {
  return isEarshotError(e) ? e : new EarshotError('INTERNAL_ERROR', e instanceof Error ? e.message : String(e));
}

/** A failed write, with the disk-full case named for the user. */
function diskError(e: unknown): EarshotError {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new EarshotError(
      'DISK_FULL',
      'The disk is full, so the recording stopped. Everything recorded until then is kept in your history.',
    );
  }
  return asEarshot(e);
}
