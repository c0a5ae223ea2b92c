/**
 * Speech regions for the batched mode and the silence filter. The caller normally passes regions from the audio
 * module's voice activity detector (TranscribeOptions.speechRegions); without them we fall back to a plain energy
 * gate (30 ms frames above −40 dBFS relative to the loudest frame, gaps under 0.5 s bridged) so the engine still
 * works on its own.
 */
export interface Region {
  start: number;
  end: number;
}

export function energyRegions(samples: Float32Array, sampleRate = 16000): Region[] {
  const frame = Math.round(sampleRate * 0.03);
  const energies: number[] = [];
  for (let i = 0; i + frame <= samples.length; i += frame) {
    let e = 0;
    for (let k = 0; k < frame; k++) e += samples[i + k] * samples[i + k];
    energies.push(10 * Math.log10(e / frame + 1e-12));
  }
  const peak = Math.max(-120, ...energies);
  const gate = Math.max(peak - 40, -60);
  const regions: Region[] = [];
  energies.forEach((e, i) => {
    if (e < gate) return;
    const start = (i * frame) / sampleRate;
    const end = ((i + 1) * frame) / sampleRate;
    const last = regions[regions.length - 1];
    if (last && start - last.end < 0.5) last.end = end;
    else regions.push({ start, end });
  });
  return regions.filter((r) => r.end - r.start >= 0.1);
}

/**
 * Packs regions into spans of at most `maxSeconds` (faster-whisper's batched mode): consecutive regions join a span
 * while it stays short enough; a region longer than that is cut.
 */
export function packRegionsIntoWindows(regions: Region[], maxSeconds = 30): Region[] {
  const spans: Region[] = [];
  for (const r of regions) {
    let start = r.start;
    while (r.end - start > maxSeconds) {
      spans.push({ start, end: start + maxSeconds });
      start += maxSeconds;
    }
    const last = spans[spans.length - 1];
    if (last && r.end - last.start <= maxSeconds && start - last.end < maxSeconds) last.end = r.end;
    else spans.push({ start, end: r.end });
  }
  return spans;
}

/** Fraction of [start, end] covered by speech. */
export function speechCoverage(regions: Region[], start: number, end: number): number {
  if (end <= start) return 0;
  let covered = 0;
  for (const r of regions) covered += Math.max(0, Math.min(end, r.end) - Math.max(start, r.start));
  return covered / (end - start);
}
