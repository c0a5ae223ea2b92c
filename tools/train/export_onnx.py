"""Exports trained weights to a CTC model pack: model.onnx (waveform in, log-probabilities out) + model.json.

  /usr/bin/python3 tools/train/export_onnx.py --weights tools/train/out --dest models/demo-en
--weights is a folder with weights_0..2.npz (or ckpt.pt).
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import model as M  # noqa: E402


def load_weights(folder: Path):
    parts = sorted(folder.glob("weights_*.npz"))
    if parts:
        sd = {}
        for part in parts:
            with np.load(part) as data:
                sd.update({k: torch.from_numpy(data[k]) for k in data.files})
        return sd
    return torch.load(folder / "ckpt.pt", map_location="cpu")["model"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", default=str(HERE / "out"))
    ap.add_argument("--dest", required=True)
    ap.add_argument("--meta", default="", help="JSON file merged into model.json (training facts, figures)")
    ap.add_argument("--skip-onnx", action="store_true", help="only rewrite model.json")
    ap.add_argument("--lm", default="lm.json", help="language model file in --dest for beam search ('' for none)")
    args = ap.parse_args()
    dest = Path(args.dest)
    dest.mkdir(parents=True, exist_ok=True)

    model = M.CtcModel()
    model.load_state_dict({k: v.float() for k, v in load_weights(Path(args.weights)).items()})
    model.eval()
    wrapper = M.ExportWrapper(model).eval()
    if not args.skip_onnx:
        export(wrapper, dest)
    meta = pack_metadata(model, dest, args.lm)
    if args.meta:
        meta.update(json.loads(Path(args.meta).read_text()))
    card = dest / "MODEL_CARD.md"
    if card.exists():
        meta["modelCard"] = card.read_text()
    (dest / "model.json").write_text(json.dumps(meta, indent=2) + "\n")
    print("wrote", dest / "model.json", "and", dest / "model.onnx", (dest / "model.onnx").stat().st_size, "bytes")


def export(wrapper, dest):
    example = torch.randn(1, 16000 * 3) * 0.1
    torch.onnx.export(
        wrapper, (example,), str(dest / "model.onnx"), input_names=["waveform"], output_names=["log_probs"],
        dynamic_axes={"waveform": {1: "samples"}, "log_probs": {1: "frames"}}, opset_version=17,
        do_constant_folding=True,
    )


def pack_metadata(model, dest, lm):
    meta = {
        "family": "ctc",
        "name": "demo-en",
        "version": 1,
        "languages": ["en"],
        "input": {"name": "waveform", "sampleRate": 16000, "layout": "[1, samples] float32 in -1..1",
                  "minSamples": M.WIN},
        "output": {"name": "log_probs", "layout": "[1, frames, vocabulary] log-softmax"},
        "features": {"kind": "log-mel inside the graph", "melBins": M.N_MELS, "windowSamples": M.WIN,
                     "hopSamples": M.HOP, "fftSize": M.N_FFT, "normalisation": "per-utterance mean"},
        "vocabulary": M.VOCAB,
        "blankId": 0,
        "frameShift": M.HOP * M.SUBSAMPLE / 16000,
        "frameOffset": (M.WIN / 2) / 16000,
        "maxWindowSeconds": 20,
        "parameters": sum(p.numel() for p in model.parameters()),
        "licence": "GPL-3.0-or-later (trained by the Earshot project on synthetic speech)",
        "notice": "Demo model trained only on synthetic voices (espeak-ng, flite). It recognises clear English "
                  "speech but makes many mistakes on real recordings; install a Whisper model for real work.",
    }
    if lm and (dest / lm).exists():
        # Tuned on the development set (tune_decoder.ts), never on the evaluation sets.
        meta["decoder"] = {"lm": lm, "beamSize": 16, "alpha": 0.5, "beta": 2.0}
    return meta


if __name__ == "__main__":
    main()
