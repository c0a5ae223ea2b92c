/**
 * The response types of the vendor's Python SDK (`smallestai`, smallest-inc/smallest-python-sdk at 86842be), as
 * field → type tables written from reading its pydantic models (waves/types/*.py and
 * waves/speech_to_text/types/*.py). Every field is optional (may be absent or null) unless marked required; extra
 * fields are allowed, as in the SDK's models. `shapeProblems` lists every field whose type differs.
 */

type FieldType =
  | 'any'
  | 'string'
  | 'number'
  | 'boolean'
  | { array: FieldType }
  | { object: Shape }
  | { map: FieldType };
interface Field {
  type: FieldType;
  required?: boolean;
}
export type Shape = Record<string, Field>;

const opt = (type: FieldType): Field => ({ type });
const req = (type: FieldType): Field => ({ type, required: true });

/** waves/types/word.py */
const Word: Shape = {
  word: opt('string'),
  start: opt('number'),
  end: opt('number'),
  confidence: opt('number'),
  speaker: opt('string'),
};

/** waves/types/utterance.py */
const Utterance: Shape = { text: opt('string'), start: opt('number'), end: opt('number'), speaker: opt('string') };

/** waves/types/transcription_response_metadata.py (file_size is sent as `fileSize`) */
const TranscriptionResponseMetadata: Shape = {
  duration: opt('number'),
  processing_time_ms: opt('number'),
  rtfx: opt('number'),
  num_chunks: opt('number'),
  filename: opt('string'),
  fileSize: opt('number'),
};

/** waves/types/transcription_response.py: the synchronous answer of POST /waves/v1/stt/. */
export const TranscriptionResponse: Shape = {
  status: req('string'),
  transcription: req('string'),
  words: opt({ array: { object: Word } }),
  utterances: opt({ array: { object: Utterance } }),
  language: opt('string'),
  metadata: opt({ object: TranscriptionResponseMetadata }),
  request_id: opt('string'),
  gender: opt('string'),
  emotions: opt({ map: 'number' }),
};

/** waves/types/async_accepted.py: the answer with webhook_url. */
export const AsyncAccepted: Shape = { status: req('string'), request_id: req('string') };

/** waves/types/stt_error_response.py: the body of a 413 (ContentTooLargeError). */
export const SttErrorResponse: Shape = {
  error: req('string'),
  request_id: opt('string'),
  details: opt({ array: { map: 'any' } }),
};

/** speech_to_text/types/transcription_event_words_item.py */
const TranscriptionEventWordsItem: Shape = { ...Word, speaker_confidence: opt('number') };

/** speech_to_text/types/transcription_event.py: every transcript message of WS /waves/v1/stt/live. */
export const TranscriptionEvent: Shape = {
  type: opt('string'),
  status: opt('string'),
  transcription: opt('string'),
  transcript: opt('string'),
  full_transcript: opt('string'),
  is_final: opt('boolean'),
  is_last: opt('boolean'),
  from_finalize: opt('boolean'),
  session_id: opt('string'),
  language: opt('string'),
  languages: opt({ array: 'string' }),
  words: opt({ array: { object: TranscriptionEventWordsItem } }),
  utterances: opt({ array: { object: Utterance } }),
};

/** speech_to_text/types/transcription_error_event.py */
export const TranscriptionErrorEvent: Shape = { type: opt('string'), status: opt('string'), message: opt('string') };

function typeProblems(value: unknown, type: FieldType, where: string): string[] {
  if (type === 'any') return [];
  if (type === 'string' || type === 'number' || type === 'boolean') {
    const ok = typeof value === type && (type !== 'number' || Number.isFinite(value));
    return ok ? [] : [`${where}: expected ${type}, got ${JSON.stringify(value)}`];
  }
  if ('array' in type) {
    if (!Array.isArray(value)) return [`${where}: expected an array, got ${JSON.stringify(value)}`];
    return value.flatMap((v, i) => typeProblems(v, type.array, `${where}[${i}]`));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [`${where}: expected an object, got ${JSON.stringify(value)}`];
  }
  if ('object' in type) return shapeProblems(value, type.object, where);
  return Object.entries(value).flatMap(([k, v]) => typeProblems(v, type.map, `${where}.${k}`));
}

export function shapeProblems(value: unknown, shape: Shape, where = '$'): string[] {
  if (typeof value !== 'object' || value === null) return [`${where}: expected an object`];
  const record = value as Record<string, unknown>;
  return Object.entries(shape).flatMap(([name, field]) => {
    const v = record[name];
    if (v === undefined || v === null) return field.required ? [`${where}.${name}: required`] : [];
    return typeProblems(v, field.type, `${where}.${name}`);
  });
}
