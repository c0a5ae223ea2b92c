/**
 * What a callback job's webhook (and its GET /v1/jobs record) carries as `result`: /v1/listen's answer, or the
 * vendor's TranscriptionResponse for POST /waves/v1/stt/ with webhook_url. A description rather than a function, so
 * that a cluster worker on another machine shapes the result exactly as the single-process server does.
 */
import { pulseResponse } from './cloud-response.ts';
import type { CallbackShape } from './context.ts';
import { type AudioInput, type ListenOptions, listenResponse, type Transcript } from './transcriber.ts';

export type { CallbackShape };

export function shapeCallback(shape: CallbackShape, jobId: string, t: Transcript, options: ListenOptions): unknown {
  if (shape.kind === 'listen') return listenResponse(jobId, t, options);
  const input: AudioInput = shape.url ? { kind: 'url', url: shape.url } : { kind: 'file', path: '', bytes: t.fileSize };
  return {
    ...pulseResponse(t, input, options, 'label'),
    request_id: jobId,
    ...(shape.extra ? { webhook_extra: shape.extra } : {}),
  };
}
