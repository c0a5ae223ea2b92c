"""Makes the codec portion of the training data on the build machine (the training machine has no ffmpeg):
training sentences spoken by random training voices, round-tripped through MP3 or Opus at low to medium bitrates,
stored as 16 kHz 8-bit µ-law in work/codec_set.npz (compact enough to travel with the code).

  nice -n 19 /usr/bin/python3 tools/train/codec_set.py --count 400
"""

import argparse
import random
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import synth  # noqa: E402
from train import read_sentences  # noqa: E402


def round_trip(pcm: np.ndarray, codec: str, bitrate: int) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        src, enc = f"{tmp}/in.wav", f"{tmp}/enc.{'mp3' if codec == 'mp3' else 'ogg'}"
        synth.write_wav(src, pcm)
        lib = "libmp3lame" if codec == "mp3" else "libopus"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", src, "-c:a", lib, "-b:a", f"{bitrate}k", enc], check=True)
        out = subprocess.run(["ffmpeg", "-v", "error", "-i", enc, "-f", "s16le", "-ac", "1", "-ar", "16000", "-"],
                             check=True, capture_output=True).stdout
    return np.frombuffer(out, dtype="<i2")


def mu_law_encode(pcm: np.ndarray) -> np.ndarray:
    x = pcm.astype(np.float32) / 32768.0
    y = np.sign(x) * np.log1p(255.0 * np.abs(x)) / np.log1p(255.0)
    return np.round((y + 1) * 127.5).astype(np.uint8)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=400)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", default=str(HERE / "work/codec_set.npz"))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    rows = read_sentences(HERE / "work/sentences.tsv", "train")
    rows = [rows[i] for i in rng.sample(range(len(rows)), args.count)]
    codes, labels = [], []
    for spoken, label in rows:
        pcm = synth.synthesize(synth.random_voice(rng), spoken)
        codec = rng.choice(["mp3", "opus"])
        bitrate = rng.choice([24, 32, 48, 64]) if codec == "mp3" else rng.choice([8, 12, 16, 24, 32])
        codes.append(mu_law_encode(round_trip(pcm, codec, bitrate)))
        labels.append(label)
    offsets = np.concatenate([[0], np.cumsum([len(c) for c in codes])])
    np.savez(args.out, mulaw=np.concatenate(codes), offsets=offsets, labels="\n".join(labels))
    print(f"{len(codes)} clips, {offsets[-1] / 16000 / 60:.1f} min -> {args.out}")


if __name__ == "__main__":
    main()
