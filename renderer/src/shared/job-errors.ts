/**
 * A failed job explained for people: what happened in plain words and one next step, without the internals the core
 * keeps for logs and API clients (provider install notes, reason codes). Also says which failures a Retry can fix:
 * none for the file itself (empty, not media); for a device or language failure only once the setting that caused it
 * was changed (Retry runs with the current settings).
 */
import type { ApiError, JobView, Settings } from '../../../electron/contract/api.ts';
import { describeError } from './api.ts';

export interface JobProblem {
  text: string;
  next: string;
  /** Label of the Retry button, or undefined when retrying cannot help. */
  retry?: string;
}

const DEVICE_NAMES: Record<Settings['device'], string> = { auto: 'Automatic device', cpu: 'CPU only', gpu: 'GPU only' };

function isLanguageFailure(e: ApiError): boolean {
  return e.code === 'INVALID_PARAMETER' && /^Language '/.test(e.message);
}

export function explainJobError(job: JobView, settings?: Settings): JobProblem {
  const e = job.error ?? { code: 'INTERNAL_ERROR', message: 'Unknown error' };
  const name = job.source.name;
  switch (e.code) {
    case 'EMPTY_AUDIO':
      return { text: `“${name}” is empty: there is no sound in it.`, next: 'Choose another file.' };
    case 'UNSUPPORTED_FORMAT':
      return {
        // Its contents were checked, not its name: a text file called .mp3 is still not audio.
        text: `“${name}” is not an audio or video file Earshot can read, whatever its name says.`,
        next: 'Check that it plays in a media player; if it does, convert it to WAV or MP3 and add it again.',
      };
    case 'CORRUPT_MEDIA':
      return {
        text: `“${name}” is corrupt or cut short.`,
        next: 'If it is still copying or downloading, wait and Retry; otherwise use another copy.',
        retry: 'Retry',
      };
    case 'DEVICE_UNAVAILABLE': {
      const changed = settings && settings.device !== job.settings.device;
      return {
        text: 'The GPU could not be used on this computer.',
        next: changed
          ? `The device setting is now ${DEVICE_NAMES[settings.device]}: Retry uses it.`
          : 'Choose Automatic or CPU only under Settings → Device, then Retry.',
        retry: changed ? `Retry with ${DEVICE_NAMES[settings.device]}` : undefined,
      };
    }
    case 'URL_FETCH_FAILED':
    case 'URL_NOT_ALLOWED':
      return { text: describeError(e), next: 'Check that the link opens in a browser, then Retry.', retry: 'Retry' };
    case 'MODEL_NOT_FOUND':
      return {
        text: 'No speech model is installed.',
        next: 'Download one under Settings → Models, then Retry.',
        retry: 'Retry',
      };
    case 'MODEL_INVALID':
      return {
        text: 'The speech model could not be loaded; its files are incomplete or damaged.',
        next: 'Remove it and download it again under Settings → Models, then Retry.',
        retry: 'Retry',
      };
    case 'DISK_FULL':
      return { text: 'The disk is full.', next: 'Free some space, then Retry.', retry: 'Retry' };
    default:
      break;
  }
  if (isLanguageFailure(e)) {
    const changed = settings && settings.language !== job.settings.language;
    return {
      text: `The model cannot transcribe the language “${job.settings.language ?? 'auto'}”.`,
      next: changed
        ? `The language setting is now “${settings.language}”: Retry uses it.`
        : 'Choose a language the model knows (or another model) in Settings, then Retry.',
      retry: changed ? `Retry with “${settings.language}”` : undefined,
    };
  }
  return { text: describeError(e), next: 'Retry; if it fails again, try another model or file.', retry: 'Retry' };
}
