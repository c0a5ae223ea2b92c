/** Argument checks shared by the commands, so every command rejects the same bad values with the same words. */
import type { DeviceRequest } from '../core/asr/types.ts';
import { DIARIZATION_CHOICES, type DiarizationChoice } from '../core/diarize/models/resolve.ts';
import { EarshotError } from '../core/errors.ts';

/** An integer flag: `fallback` when absent; otherwise at least 1 (or 0 with `allowZero`). */
export function intArg(
  value: string | undefined,
  flag: string,
  options: { fallback: number; allowZero?: boolean },
): number;
export function intArg(value: string | undefined, flag: string, options?: { allowZero?: boolean }): number | undefined;
export function intArg(
  value: string | undefined,
  flag: string,
  options: { fallback?: number; allowZero?: boolean } = {},
): number | undefined {
  if (value === undefined) return options.fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < (options.allowZero ? 0 : 1)) {
    throw new EarshotError(
      'INVALID_PARAMETER',
      `${flag} must be a ${options.allowZero ? 'non-negative' : 'positive'} integer`,
    );
  }
  return n;
}

const DEVICES = ['auto', 'cpu', 'gpu'] as const;

export function deviceArg(value: string | undefined): (typeof DEVICES)[number] & DeviceRequest {
  const device = value ?? 'auto';
  if (!(DEVICES as readonly string[]).includes(device)) {
    throw new EarshotError('INVALID_PARAMETER', '--device must be auto, cpu or gpu');
  }
  return device as (typeof DEVICES)[number];
}

/** `--diarize-with`: auto (neural models when installed, else classical), classical or neural. */
export function diarizeWithArg(value: string | undefined): DiarizationChoice | undefined {
  if (value === undefined) return undefined;
  if (!(DIARIZATION_CHOICES as string[]).includes(value)) {
    throw new EarshotError('INVALID_PARAMETER', `--diarize-with must be one of ${DIARIZATION_CHOICES.join(', ')}`);
  }
  return value as DiarizationChoice;
}
