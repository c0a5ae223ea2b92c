/**
 * AudioWorklet that turns the microphone into what the live worker transcribes: the AudioContext runs at 16 kHz (the
 * browser resamples the device), and this processor gathers its mono input into 100 ms frames of 16-bit PCM, posted
 * with the frame's peak level for the meter. While paused it posts nothing, so the transcript's timeline (like
 * MediaRecorder's file) only holds recorded time.
 */
declare const sampleRate: number;
declare function registerProcessor(name: string, ctor: unknown): void;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
}

const FRAME_SECONDS = 0.1;

class PcmFrames extends AudioWorkletProcessor {
  private readonly frame = new Int16Array(Math.round(sampleRate * FRAME_SECONDS));
  private filled = 0;
  private peak = 0;
  private recording = true;

  constructor() {
    super();
    this.port.onmessage = (e: MessageEvent<{ recording: boolean }>) => {
      this.recording = e.data.recording;
    };
  }

  process(inputs: Float32Array[][]): boolean {
    const channels = inputs[0];
    if (!this.recording || !channels || channels.length === 0) return true;
    const n = channels[0].length;
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (const c of channels) v += c[i];
      v /= channels.length;
      const a = Math.abs(v);
      if (a > this.peak) this.peak = a;
      this.frame[this.filled++] = Math.max(-32768, Math.min(32767, Math.round(v * 32767)));
      if (this.filled === this.frame.length) {
        const out = this.frame.slice();
        this.port.postMessage({ pcm: out.buffer, peak: this.peak }, [out.buffer]);
        this.filled = 0;
        this.peak = 0;
      }
    }
    return true;
  }
}

registerProcessor('earshot-pcm-frames', PcmFrames);
