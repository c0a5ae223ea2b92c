/** The devices an ONNX session can run on: what is asked for, and what really runs (shown to the user). */
export type DeviceRequest = 'auto' | 'cpu' | 'gpu' | 'cuda' | 'dml' | 'coreml' | 'webgpu';

/** What actually runs, reported honestly to the user (e.g. "CPU · 8 threads", "GPU · DirectML"). */
export interface DeviceInfo {
  /** onnxruntime execution provider that the sessions use. */
  provider: 'cpu' | 'cuda' | 'dml' | 'coreml' | 'webgpu';
  label: string;
  threads?: number;
  /** Providers that were tried and failed before this one, with the reason. */
  fallbacks: { provider: string; reason: string }[];
  /** Anything else about how it runs that the user should know (e.g. fp16 weights failed here, so fp32 runs). */
  note?: string;
}
