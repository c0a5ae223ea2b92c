"""Word bigram language model for the demo pack's beam-search decoder, from the TRAINING sentences only
(held-out sentences are never counted). Absolute discounting with interpolation:

  P(w | v) = max(c(v w) - D, 0) / c(v) + lambda(v) * P(w),   lambda(v) = D * N1+(v .) / c(v)
  P(w)     = (c(w) + k) / (N + k * (V + 1))                   (one extra slot for unknown words)

Stored as log-probabilities (natural log) in models/demo-en/lm.json; bigrams seen once are pruned to keep the
file small (their mass stays in lambda, so the model remains a mixture that sums to about one).

An unknown word is charged --oov-penalty nats on top of its unigram share: the acoustic model misspells words it
half-hears ("kno", "hord"), and a plain unknown-word share is too cheap to stop the beam from keeping them. The value
was chosen on the development set (tools/train/tune_decoder.ts), never on the evaluation sets.

  /usr/bin/python3 tools/train/build_lm.py --dest models/demo-en/lm.json
"""

import argparse
import json
import math
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from train import read_sentences  # noqa: E402

D = 0.7
K = 0.5


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dest", required=True)
    ap.add_argument("--min-bigram", type=int, default=2)
    ap.add_argument("--oov-penalty", type=float, default=7.0, help="nats charged to an unknown word")
    args = ap.parse_args()
    uni, bi = Counter(), Counter()
    for _, label in read_sentences(HERE / "work/sentences.tsv", "train"):
        words = ["<s>"] + label.replace("'", "").split() + ["</s>"]
        uni.update(words[1:])
        bi.update(zip(words[:-1], words[1:]))
    history = Counter()
    followers = Counter()
    for (v, _w), c in bi.items():
        history[v] += c
        followers[v] += 1
    total = sum(uni.values())
    vocab = len(uni)
    denom = total + K * (vocab + 1)
    unigrams = {w: round(math.log((c + K) / denom), 4) for w, c in uni.items()}
    lm = {
        "type": "word-bigram",
        "normalisation": "lower case, apostrophes removed",
        "unknown": round(math.log(K / denom) - args.oov_penalty, 4),
        "unigrams": unigrams,
        "backoff": {v: round(math.log(D * followers[v] / history[v]), 4) for v in history},
        "bigrams": {
            f"{v} {w}": round(math.log((c - D) / history[v]), 4)
            for (v, w), c in bi.items()
            if c >= args.min_bigram
        },
    }
    Path(args.dest).write_text(json.dumps(lm, separators=(",", ":")))
    print(f"{vocab} words, {len(lm['bigrams'])} bigrams, {Path(args.dest).stat().st_size} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
