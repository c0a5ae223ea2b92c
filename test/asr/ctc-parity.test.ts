/**
 * Training/inference parity of the demo model: the log-mel features are computed inside the ONNX graph, so the
 * exported model must reproduce what the PyTorch model gave for a fixed signal (fixture written by
 * tools/train/parity_fixture.py at export time) when run by onnxruntime-node through the app's session code.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Tensor } from 'onnxruntime-node';
import { readCtcPack } from '../../electron/core/asr/ctc/pack.ts';
import { createSession } from '../../electron/core/asr/device.ts';

const fixture = JSON.parse(readFileSync(path.join(import.meta.dirname, 'ctc-parity.fixture.json'), 'utf8')) as {
  frames: number;
  vocabSize: number;
  logProbs: number[];
};

function testSignal(n = 24000): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / 16000;
    out[i] =
      0.3 * Math.sin(2 * Math.PI * 220 * t) +
      0.2 * t * Math.sin(2 * Math.PI * 1330 * t + 0.5) +
      0.05 * Math.sin(2 * Math.PI * 3100 * t);
  }
  return out;
}

test('model.onnx gives the PyTorch model’s log-probabilities for the same waveform', async () => {
  const pack = readCtcPack(path.resolve(import.meta.dirname, '../../models/demo-en'));
  const { session } = await createSession(pack.onnxPath, { device: 'cpu', threads: 1 });
  try {
    const samples = testSignal();
    const out = (await session.run({ [pack.input.name]: new Tensor('float32', samples, [1, samples.length]) }))[
      pack.output.name
    ];
    assert.deepEqual(out.dims, [1, fixture.frames, fixture.vocabSize]);
    const data = out.data as Float32Array;
    let worstLog = 0;
    let worstProb = 0;
    for (let i = 0; i < data.length; i++) {
      worstLog = Math.max(worstLog, Math.abs(data[i] - fixture.logProbs[i]));
      worstProb = Math.max(worstProb, Math.abs(Math.exp(data[i]) - Math.exp(fixture.logProbs[i])));
    }
    // float32 convolutions summed in another order move quiet mel bands' logs slightly (measured: 0.0064 in
    // log-probability, 0.0004 in probability); a feature mismatch would move them by whole units.
    assert.ok(worstLog < 0.05, `largest log-probability difference ${worstLog}`);
    assert.ok(worstProb < 0.005, `largest probability difference ${worstProb}`);
    for (let t = 0; t < fixture.frames; t++) {
      const row = (values: ArrayLike<number>) => {
        let best = 0;
        for (let v = 1; v < fixture.vocabSize; v++) {
          if (values[t * fixture.vocabSize + v] > values[t * fixture.vocabSize + best]) best = v;
        }
        return best;
      };
      assert.equal(row(data), row(fixture.logProbs), `best token of frame ${t}`);
    }
  } finally {
    await session.release();
  }
});
