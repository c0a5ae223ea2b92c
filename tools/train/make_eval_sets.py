"""Synthesises the evaluation sets: held-out sentences (never trained on) spoken by random training voices
(espeak-ng, flite; seeded) and by each of festival's voices, which are never used in training.

  nice -n 19 /usr/bin/python3 tools/train/make_eval_sets.py --count 120
Writes work/eval/<set>/<n>.wav and work/eval/manifest.jsonl ({set, audio, text}); evaluate.ts reads it.
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
    ap.add_argument("--count", type=int, default=120)
    ap.add_argument("--seed", type=int, default=99)
    ap.add_argument("--out", default=str(HERE / "work/eval"))
    args = ap.parse_args()
    rows = read_sentences(HERE / "work/sentences.tsv", "heldout")
    # Not the first 400: those were the training run's own progress checks.
    rows = rows[400: 400 + args.count]
    out = Path(args.out)
    rng = random.Random(args.seed)
    entries = []
    sets = [("training-voices", lambda: synth.random_voice(rng))] + [
        (f"festival-{v}", lambda v=v: {"engine": "festival", "voice": v}) for v in synth.FESTIVAL_VOICES
    ]
    for name, voice in sets:
        (out / name).mkdir(parents=True, exist_ok=True)
        for i, (spoken, label) in enumerate(rows):
            spec = voice()
            path = out / name / f"{i:04d}.wav"
            synth.write_wav(str(path), synth.synthesize(spec, spoken))
            entries.append({"set": name, "audio": str(path), "text": label, "voice": spec})
        print(name, "done", file=sys.stderr)
    with open(out / "manifest.jsonl", "w") as f:
        for e in entries:
            f.write(json.dumps(e) + "\n")


if __name__ == "__main__":
    main()
