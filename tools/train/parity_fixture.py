"""Writes test/asr/ctc-parity.fixture.json: the PyTorch model's log-probabilities for a fixed 1.5 s test signal,
so the test suite can check that models/demo-en/model.onnx (features computed in the graph) gives the same numbers
through onnxruntime-node. Rerun after every new export:

  /usr/bin/python3 tools/train/parity_fixture.py --weights tools/train/out/device
"""

import argparse
import json
import math
import sys
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import model as M  # noqa: E402
from export_onnx import load_weights  # noqa: E402


def test_signal(n=24000):
    """Same formula as in the test: three tones, one of them swelling."""
    out = []
    for i in range(n):
        t = i / 16000
        out.append(0.3 * math.sin(2 * math.pi * 220 * t) + 0.2 * t * math.sin(2 * math.pi * 1330 * t + 0.5)
                   + 0.05 * math.sin(2 * math.pi * 3100 * t))
    return torch.tensor(out, dtype=torch.float32)[None, :]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", default=str(HERE / "out/device"))
    ap.add_argument("--dest", default=str(HERE.parent.parent / "test/asr/ctc-parity.fixture.json"))
    args = ap.parse_args()
    model = M.CtcModel()
    model.load_state_dict({k: v.float() for k, v in load_weights(Path(args.weights)).items()})
    model.eval()
    with torch.no_grad():
        logp = M.ExportWrapper(model)(test_signal())[0]
    fixture = {
        "signal": "0.3 sin(2π·220t) + 0.2 t sin(2π·1330t + 0.5) + 0.05 sin(2π·3100t), 24000 samples at 16 kHz",
        "frames": logp.shape[0],
        "vocabSize": logp.shape[1],
        "logProbs": [round(float(v), 5) for v in logp.flatten()],
    }
    Path(args.dest).write_text(json.dumps(fixture) + "\n")
    print("wrote", args.dest, logp.shape)


if __name__ == "__main__":
    main()
