/**
 * Drops graph outputs from an ONNX file without loading it: the file is a protobuf ModelProto whose `graph` field
 * (GraphProto) lists its outputs as `output` entries; the rewrite copies every byte except the dropped entries and
 * fixes the graph's length prefix, then replaces the file atomically.
 *
 * Why: the *_timestamped Whisper exports add `encoder_attentions.{i}` outputs to the encoder. onnxruntime keeps every
 * graph output alive for the whole run even when it is not fetched, so each 30 s window holds layers x heads x 1500 x
 * 1500 floats for nothing (measured on a whisper-tiny-sized encoder: peak RSS 380 MB plain, 709 MB with the outputs
 * present but not fetched; for large-v3-turbo that is ~5.8 GB). Word timing needs only the decoder's cross-attentions.
 * Loading a 1-2 GB model into protobuf objects to edit one list would cost more memory than it saves.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';

const MODEL_GRAPH = 7;
const GRAPH_OUTPUT = 12;
const VALUE_INFO_NAME = 1;

interface Field {
  number: number;
  /** Offset of the tag, of the payload, and just past the field. */
  start: number;
  payload: number;
  end: number;
}

/**
 * Removes the graph outputs whose name fails `keep`. Returns the removed names (none: the file is left untouched).
 * Files that are not a plain ModelProto with one graph are left untouched too.
 */
export async function dropGraphOutputs(file: string, keep: (name: string) => boolean): Promise<string[]> {
  const handle = await fs.open(file, 'r');
  let graph: Field | undefined;
  const dropped: Field[] = [];
  const names: string[] = [];
  try {
    const size = (await handle.stat()).size;
    const top = await readFields(handle, 0, size);
    const graphs = top.filter((f) => f.number === MODEL_GRAPH);
    if (graphs.length !== 1) return [];
    graph = graphs[0];
    for (const f of await readFields(handle, graph.payload, graph.end)) {
      if (f.number !== GRAPH_OUTPUT) continue;
      const name = await valueInfoName(handle, f);
      if (name !== undefined && !keep(name)) {
        dropped.push(f);
        names.push(name);
      }
    }
  } finally {
    await handle.close();
  }
  if (!graph || dropped.length === 0) return [];
  const removedBytes = dropped.reduce((n, f) => n + f.end - f.start, 0);
  const header = Buffer.concat([varint((MODEL_GRAPH << 3) | 2), varint(graph.end - graph.payload - removedBytes)]);
  const keepRanges: [number, number][] = [];
  let at = graph.payload;
  for (const f of dropped) {
    keepRanges.push([at, f.start]);
    at = f.end;
  }
  keepRanges.push([at, graph.end]);

  const tmp = `${file}.outputs-${process.pid}.tmp`;
  const out = createWriteStream(tmp);
  try {
    await copyRange(file, 0, graph.start, out);
    await write(out, header);
    for (const [from, to] of keepRanges) await copyRange(file, from, to, out);
    await copyRange(file, graph.end, Number.POSITIVE_INFINITY, out);
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
    await fs.rename(tmp, file);
  } catch (e) {
    out.destroy();
    await fs.rm(tmp, { force: true });
    throw e;
  }
  return names;
}

/** The fields between `from` and `to`, read from their headers only (payloads are skipped, not read). */
async function readFields(handle: fs.FileHandle, from: number, to: number): Promise<Field[]> {
  const fields: Field[] = [];
  let at = from;
  while (at < to) {
    const tag = await readVarint(handle, at);
    const type = tag.value % 8;
    const number = Math.floor(tag.value / 8);
    let payload = tag.next;
    let end: number;
    if (type === 0) end = (await readVarint(handle, payload)).next;
    else if (type === 1) end = payload + 8;
    else if (type === 5) end = payload + 4;
    else if (type === 2) {
      const length = await readVarint(handle, payload);
      payload = length.next;
      end = payload + length.value;
    } else throw new Error(`unsupported protobuf wire type ${type} at byte ${at}`);
    if (end > to) throw new Error(`protobuf field at byte ${at} runs past its container`);
    fields.push({ number, start: at, payload, end });
    at = end;
  }
  return fields;
}

async function valueInfoName(handle: fs.FileHandle, f: Field): Promise<string | undefined> {
  const bytes = Buffer.alloc(f.end - f.payload);
  await handle.read(bytes, 0, bytes.length, f.payload);
  let at = 0;
  while (at < bytes.length) {
    const tag = varintAt(bytes, at);
    const type = tag.value % 8;
    if (type !== 2) return undefined;
    const length = varintAt(bytes, tag.next);
    if (Math.floor(tag.value / 8) === VALUE_INFO_NAME) {
      return bytes.subarray(length.next, length.next + length.value).toString('utf8');
    }
    at = length.next + length.value;
  }
  return undefined;
}

async function readVarint(handle: fs.FileHandle, at: number): Promise<{ value: number; next: number }> {
  const bytes = Buffer.alloc(10);
  const { bytesRead } = await handle.read(bytes, 0, 10, at);
  const v = varintAt(bytes.subarray(0, bytesRead), 0);
  return { value: v.value, next: at + v.next };
}

/** Varints up to 2^53 (file offsets and lengths), read without 32-bit bitwise truncation. */
function varintAt(bytes: Buffer, at: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let i = at; i < bytes.length && i < at + 10; i++) {
    const b = bytes[i] ?? 0;
    value += (b & 0x7f) * scale;
    scale *= 128;
    if (b < 0x80) return { value, next: i + 1 };
  }
  throw new Error(`truncated protobuf varint at byte ${at}`);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

async function copyRange(file: string, from: number, to: number, out: NodeJS.WritableStream): Promise<void> {
  if (to <= from) return;
  const input = createReadStream(file, { start: from, end: Number.isFinite(to) ? to - 1 : undefined });
  await pipeline(input, out, { end: false });
}

function write(out: NodeJS.WritableStream, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => out.write(bytes, (e) => (e ? reject(e) : resolve())));
}
