/** Float samples as the renderer's worklet sends them: 16-bit little-endian PCM, base64. */
export function pcm16Base64(samples: Float32Array): string {
  const out = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    out.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32767))), i * 2);
  }
  return out.toString('base64');
}
