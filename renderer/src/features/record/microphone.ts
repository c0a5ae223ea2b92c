/**
 * The browser side of recording: opening the microphone (with the user's remembered choice), and the messages the user
 * sees when that fails. Device ids are per origin and stable across restarts, so the choice lives in localStorage.
 */
const DEVICE_KEY = 'earshot.microphone';

export interface Microphone {
  id: string;
  label: string;
}

export function rememberedMicrophone(): string {
  return localStorage.getItem(DEVICE_KEY) ?? '';
}

export function rememberMicrophone(id: string): void {
  if (id) localStorage.setItem(DEVICE_KEY, id);
  else localStorage.removeItem(DEVICE_KEY);
}

export async function listMicrophones(): Promise<Microphone[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices
    .filter((d) => d.kind === 'audioinput' && d.deviceId && d.deviceId !== 'default')
    .map((d, i) => ({ id: d.deviceId, label: d.label || `Microphone ${i + 1}` }));
}

/** Opens the chosen microphone, or the system default when none was chosen or the chosen one is gone. */
export async function openMicrophone(deviceId: string): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) throw new MicrophoneError('unsupported');
  const known = deviceId ? (await listMicrophones()).some((m) => m.id === deviceId) : false;
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: known ? { deviceId: { exact: deviceId } } : true,
      video: false,
    });
  } catch (e) {
    throw new MicrophoneError(reasonOf(e));
  }
}

type Reason = 'denied' | 'none' | 'busy' | 'unsupported' | 'other';

function reasonOf(e: unknown): Reason {
  const name = (e as DOMException)?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') return 'none';
  if (name === 'NotReadableError' || name === 'AbortError' || name === 'TrackStartError') return 'busy';
  return 'other';
}

const MESSAGES: Record<Reason, string> = {
  denied:
    'Earshot is not allowed to use the microphone. Allow microphone access for Earshot in your system privacy settings, then try again.',
  none: 'No microphone was found. Connect a microphone (or choose another input), then try again.',
  busy: 'The microphone could not be started: another app may be using it. Close that app or choose another input.',
  unsupported: 'Recording is not available in this window.',
  other: 'The microphone could not be opened.',
};

export class MicrophoneError extends Error {
  constructor(readonly reason: Reason) {
    super(MESSAGES[reason]);
  }
}

export const DEVICE_LOST_MESSAGE =
  'The microphone was disconnected, so the recording stopped. Everything recorded until then is saved in your history.';

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
