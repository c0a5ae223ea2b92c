"""A small development set for tuning the decoder's language-model weights: held-out sentences 0..N (the training
run's own progress checks, never trained on, and apart from the evaluation sets) spoken by random training voices.

  nice -n 19 /usr/bin/python3 tools/train/make_dev_set.py --count 60
"""

import argparse
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import synth  # noqa: E402
from train import read_sentences  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=60)
    args = ap.parse_args()
    rng = random.Random(5)
    out = HERE / "work/dev"
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "manifest.jsonl", "w") as f:
        for i, (spoken, label) in enumerate(read_sentences(HERE / "work/sentences.tsv", "heldout")[: args.count]):
            path = out / f"{i:04d}.wav"
            synth.write_wav(str(path), synth.synthesize(synth.random_voice(rng), spoken))
            f.write(json.dumps({"set": "dev", "audio": str(path), "text": label}) + "\n")


if __name__ == "__main__":
    main()
