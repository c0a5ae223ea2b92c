/**
 * The cloud (Pulse) answer shape, shared by the cloud alias routes, POST /waves/v1/stt/ and callback jobs (also on
 * cluster workers): a leaf module so that callback shaping does not import the routes.
 */
import { type AudioInput, type ListenOptions, shapeWords, stripPunctuation, type Transcript } from './transcriber.ts';

/**
 * How a diarized answer names speakers: 0-based integers (`index`, the Pulse get_text documentation) or `speaker_0`
 * strings (`label`: Lightning v4.0.0, and the `speaker: str` of the smallestai SDK's Word and Utterance).
 */
export type CloudSpeakerStyle = 'index' | 'label';

/**
 * The cloud (Pulse) answer `{status, transcription, words, utterances, metadata}`, shared with /waves/v1/stt/. With
 * diarize, each word and utterance has its `speaker`; without it, none has.
 */
export function pulseResponse(t: Transcript, input: AudioInput, options: ListenOptions, style: CloudSpeakerStyle) {
  const text = t.result.text.trim();
  const speaker = (label?: string) => cloudSpeaker(label, style);
  const words = options.timestamps
    ? shapeWords(t.result.segments, options.punctuate).map((w) => ({ ...w, ...speaker(w.speaker) }))
    : [];
  const utterances = options.timestamps
    ? t.result.segments.map((s) => ({
        text: options.punctuate ? s.text.trim() : stripPunctuation(s.text),
        start: Math.round(s.start * 1000) / 1000,
        end: Math.round(s.end * 1000) / 1000,
        ...speaker(s.speaker),
      }))
    : [];
  const metadata: { duration: number; fileSize: number; filename?: string } = {
    duration: Math.round(t.duration * 1000) / 1000,
    fileSize: t.fileSize,
  };
  if (input.kind === 'url') metadata.filename = decodeURIComponent(new URL(input.url).pathname.split('/').pop() ?? '');
  return {
    status: 'success',
    transcription: options.punctuate ? text : stripPunctuation(text),
    audio_length: metadata.duration,
    language: t.result.language,
    words,
    utterances,
    metadata,
  };
}

/** `SPEAKER_03` → `{speaker: "speaker_3"}` (label) or `{speaker: 3}` (index); nothing when not diarized. */
function cloudSpeaker(label: string | undefined, style: CloudSpeakerStyle): { speaker?: string | number } {
  const n = label ? /^SPEAKER_(\d+)$/.exec(label)?.[1] : undefined;
  if (n === undefined) return {};
  return { speaker: style === 'label' ? `speaker_${Number(n)}` : Number(n) };
}
