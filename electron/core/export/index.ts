/**
 * Transcript exports: TXT (with or without timestamps), SRT and VTT (line-length limits), JSON (word level),
 * CSV and DOCX. Everything a user edited is in `segments`, so edits flow into every format. When the transcript was
 * diarized, every format carries the speakers (the names the user gave them): `Name: text` in TXT, voice tags
 * `<v Name>` in SRT and VTT, a speaker column in CSV, a bold name in DOCX, `speaker` per segment and word in JSON.
 */
import type { Segment } from '../asr/types.ts';
import { speakersOf } from '../diarize/assign.ts';
import { buildCues, type CaptionOptions, type Cue } from './captions.ts';
import { shortTimestamp, timecode } from './timecode.ts';

import type { ExportFormat } from './formats.ts';

export { EXPORT_FORMATS, type ExportFormat } from './formats.ts';

export interface ExportableTranscript {
  title?: string;
  language: string;
  duration: number;
  model?: string;
  device?: unknown;
  segments: Segment[];
}

export interface ExportOutput {
  extension: string;
  mime: string;
  data: string | Uint8Array;
}

export function transcriptText(segments: Segment[]): string {
  return segments
    .map((s) => s.text.trim())
    .filter(Boolean)
    .join(' ');
}

/**
 * One line per segment; with speakers, `Name: text`, and without timestamps a speaker's consecutive segments share
 * one line (a paragraph per turn, as people write dialogue).
 */
export function toTxt(t: ExportableTranscript, withTimestamps = false): string {
  const lines: string[] = [];
  let previous: string | undefined;
  for (const s of t.segments) {
    const text = s.text.trim();
    if (!text) continue;
    if (!withTimestamps && s.speaker && s.speaker === previous) {
      lines[lines.length - 1] += ` ${text}`;
      continue;
    }
    previous = s.speaker;
    const said = s.speaker ? `${s.speaker}: ${text}` : text;
    lines.push(withTimestamps ? `[${shortTimestamp(s.start)}] ${said}` : said);
  }
  return `${lines.join('\n')}\n`;
}

/** A WebVTT voice tag for the cue's speaker (`<v Name>`); the name cannot close the tag or start another. */
function voice(c: Cue): string {
  return c.speaker ? `<v ${c.speaker.replace(/[<>&\s]+/g, ' ').trim()}>` : '';
}

/** WebVTT text is markup: `&`, `<` and `>` as character references, so `a < b & c > d` and `-->` read as written. */
function vttText(line: string): string {
  return line.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * SRT has no escapes, and readers take `<…>` and `{\…}` for formatting (ffmpeg turned `a < b & c > d` into `a d`) and
 * `-->` for a timing line. A zero-width space after `<`, `{` and inside `-->` shows nothing and keeps the text text.
 */
function srtText(line: string): string {
  return line.replaceAll('<', '<\u200b').replaceAll('{', '{\u200b').replaceAll('-->', '--\u200b>');
}

export function toSrt(t: ExportableTranscript, options?: CaptionOptions): string {
  return buildCues(t.segments, options)
    .map(
      (c, i) =>
        `${i + 1}\n${timecode(c.start, ',')} --> ${timecode(c.end, ',')}\n${voice(c)}${c.lines.map(srtText).join('\n')}\n`,
    )
    .join('\n');
}

export function toVtt(t: ExportableTranscript, options?: CaptionOptions): string {
  const cues = buildCues(t.segments, options).map(
    (c) => `${timecode(c.start, '.')} --> ${timecode(c.end, '.')}\n${voice(c)}${c.lines.map(vttText).join('\n')}\n`,
  );
  return `WEBVTT\n\n${cues.join('\n')}`;
}

export function toJson(t: ExportableTranscript): string {
  const speakers = speakersOf(t.segments);
  return `${JSON.stringify(
    {
      text: transcriptText(t.segments),
      language: t.language,
      duration: t.duration,
      model: t.model,
      device: t.device,
      ...(speakers.length ? { speakers } : {}),
      segments: t.segments.map((s) => ({
        id: s.id,
        start: s.start,
        end: s.end,
        ...(s.speaker ? { speaker: s.speaker } : {}),
        text: s.text.trim(),
        avgLogprob: s.avgLogprob,
        noSpeechProb: s.noSpeechProb,
        words: s.words ?? [],
      })),
    },
    null,
    2,
  )}\n`;
}

/**
 * RFC 4180: quote every text field, double inner quotes; CRLF line ends so spreadsheets agree. A cell that starts
 * with `=`, `+`, `-`, `@`, a tab or a carriage return would run as a formula in Excel, LibreOffice and Sheets (CSV
 * injection), so it is prefixed with `'`, which they show as text (OWASP's advice).
 */
export function toCsv(t: ExportableTranscript): string {
  const q = (v: string) => `"${(/^[=+\-@\t\r]/.test(v) ? `'${v}` : v).replaceAll('"', '""')}"`;
  const withSpeakers = t.segments.some((s) => s.speaker);
  const rows = [(withSpeakers ? ['start', 'end', 'speaker', 'text'] : ['start', 'end', 'text']).join(',')];
  for (const s of t.segments) {
    const who = withSpeakers ? [q(s.speaker ?? '')] : [];
    rows.push([s.start.toFixed(3), s.end.toFixed(3), ...who, q(s.text.trim())].join(','));
  }
  return `${rows.join('\r\n')}\r\n`;
}

export async function toDocx(t: ExportableTranscript): Promise<Uint8Array> {
  const { Document, Packer, Paragraph, TextRun, HeadingLevel } = await import('docx');
  const paragraphs = t.segments
    .filter((s) => s.text.trim())
    .map(
      (s) =>
        new Paragraph({
          children: [
            new TextRun({ text: `[${shortTimestamp(s.start)}] `, color: '808080' }),
            ...(s.speaker ? [new TextRun({ text: `${s.speaker}: `, bold: true })] : []),
            new TextRun(s.text.trim()),
          ],
        }),
    );
  const doc = new Document({
    sections: [
      { children: [new Paragraph({ text: t.title ?? 'Transcript', heading: HeadingLevel.HEADING_1 }), ...paragraphs] },
    ],
  });
  return new Uint8Array(await Packer.toBuffer(doc));
}

export async function exportTranscript(
  t: ExportableTranscript,
  format: ExportFormat,
  captions?: CaptionOptions,
): Promise<ExportOutput> {
  switch (format) {
    case 'txt':
      return { extension: 'txt', mime: 'text/plain', data: toTxt(t) };
    case 'txt-timestamps':
      return { extension: 'txt', mime: 'text/plain', data: toTxt(t, true) };
    case 'srt':
      return { extension: 'srt', mime: 'application/x-subrip', data: toSrt(t, captions) };
    case 'vtt':
      return { extension: 'vtt', mime: 'text/vtt', data: toVtt(t, captions) };
    case 'json':
      return { extension: 'json', mime: 'application/json', data: toJson(t) };
    case 'csv':
      return { extension: 'csv', mime: 'text/csv', data: toCsv(t) };
    case 'docx':
      return {
        extension: 'docx',
        mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        data: await toDocx(t),
      };
    default:
      throw new Error(`Unknown export format: ${format satisfies never}`);
  }
}
