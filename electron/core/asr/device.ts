/** Moved to onnx/device.ts (below audio, models and asr, so none of them import each other for it). */
export * from '../onnx/device.ts';
