/**
 * What checking any model folder takes (every family's `validate`, and the diarization folders' in models/): reading
 * its JSON files with a problem per defect, and opening an ONNX file with a real onnxruntime session (CPU, one thread,
 * no graph optimisation: only the signature matters) that is released straight away.
 */
import path from 'node:path';
import { createSession, SessionCreateError } from '../onnx/device.ts';
import { readJsonObjectSync } from '../fs-atomic.ts';

/** 'aligned': cross-attention outputs and alignment heads, so word times come from the audio; else 'approximate'. */
export type WordTiming = 'aligned' | 'approximate';

export interface ValidationResult {
  ok: boolean;
  /** The family the folder was checked as (a speech family's id, or a diarization family). */
  family?: string;
  problems: string[];
  /** Complete weight variants (Whisper: fp32, fp16, quantized, q4; CTC: ['fp32']) whose ONNX files passed. */
  variants?: string[];
  /** Whisper, when the decoders were opened: whether every checked decoder lets words be aligned on the audio. */
  wordTiming?: WordTiming;
}

export interface ValidateOptions {
  /** Open ONNX sessions to check inputs and outputs (default true). Off: files and JSON only. */
  checkOnnx?: boolean;
  /** Only check these weight variants' ONNX files (others are still listed when present and complete). */
  variants?: string[];
}

export interface GraphIo {
  inputs: { name: string; shape?: readonly (number | string)[] }[];
  outputs: { name: string; shape?: readonly (number | string)[] }[];
}

/** Opens `file` and adds `check`'s problems with its inputs and outputs, or why onnxruntime cannot load it. */
export async function checkSession(
  dir: string,
  file: string,
  problems: string[],
  check: (io: GraphIo) => string[],
): Promise<void> {
  let created: Awaited<ReturnType<typeof createSession>>;
  try {
    created = await createSession(path.join(dir, file), {
      device: 'cpu',
      threads: 1,
      options: { graphOptimizationLevel: 'disabled' },
    });
  } catch (e) {
    if (!(e instanceof SessionCreateError)) throw e;
    problems.push(`${file}: onnxruntime cannot load it (${e.reasonFor('cpu')})`);
    return;
  }
  const { session } = created;
  try {
    const inputs = session.inputMetadata.map((m) => ({ name: m.name, shape: m.isTensor ? m.shape : undefined }));
    const outputs = session.outputMetadata.map((m) => ({ name: m.name, shape: m.isTensor ? m.shape : undefined }));
    problems.push(...check({ inputs, outputs }));
  } finally {
    await session.release();
  }
}

/** Model folders' JSON files are read by the one reader in core (diarization model folders use it too). */
export const readJsonFile = readJsonObjectSync;

/** A JSON file's object, or undefined when it is missing or not an object (no problems recorded). */
export function peekJson(dir: string, name: string): Record<string, unknown> | undefined {
  return readJsonFile(dir, name, []);
}

export function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

export function names(list: { name: string }[]): string {
  return list.length ? list.map((x) => x.name).join(', ') : 'none';
}
