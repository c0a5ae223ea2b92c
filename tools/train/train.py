"""Trains the demo CTC model on speech synthesised on the fly from work/sentences.tsv.

Seeded and time-bounded (the learning-rate schedule follows the fraction of --train-seconds used), resumable from
out/ckpt.pt with --resume. Runs on CUDA when available, else CPU. Example (tiny smoke run on CPU):
  /usr/bin/python3 tools/train/train.py --synth-seconds 20 --train-seconds 30 --max-utts 200
"""

import argparse
import json
import math
import multiprocessing as mp
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import augment  # noqa: E402
import model as M  # noqa: E402
import synth  # noqa: E402


def log(out_dir, *parts):
    line = " ".join(str(p) for p in parts)
    print(line, flush=True)
    with open(out_dir / "log.txt", "a") as f:
        f.write(line + "\n")


def read_sentences(path, split):
    rows = []
    with open(path) as f:
        for line in f:
            s, spoken, label = line.rstrip("\n").split("\t")
            if s == split:
                rows.append((spoken, label))
    return rows


def _job(args):
    spec, spoken, label = args
    try:
        return synth.synthesize(spec, spoken), label, spec
    except Exception as e:  # a voice that fails on one sentence must not stop the run
        return None, label, f"{spec}: {e}"


def build_set(rows, seed, workers, seconds, passes=1, voice_fn=synth.random_voice):
    """Synthesises rows with random training voices, in parallel, for at most `seconds` of wall time."""
    rng = random.Random(seed)
    jobs = []
    for p in range(passes):
        order = list(range(len(rows)))
        rng.shuffle(order)
        jobs += [(voice_fn(rng), rows[i][0], rows[i][1]) for i in order]
    audio, labels, specs, failures = [], [], [], 0
    deadline = time.time() + seconds
    torch.set_num_threads(1)
    with mp.get_context("fork").Pool(workers) as pool:
        for pcm, label, spec in pool.imap_unordered(_job, jobs, chunksize=4):
            if pcm is None:
                failures += 1
                if failures <= 3:
                    print("synthesis failed:", spec, file=sys.stderr)
                continue
            if len(pcm) < 4000 or len(pcm) > 16000 * 16:
                continue
            audio.append(pcm)
            labels.append(label)
            specs.append(spec)
            if time.time() > deadline:
                pool.terminate()
                break
    return audio, labels, specs, failures


def load_codec_set(path):
    """Clips round-tripped through MP3/Opus on the build machine, stored as 8-bit µ-law (see codec_set.py)."""
    data = np.load(path)
    y = data["mulaw"].astype(np.float32) / 127.5 - 1
    x = np.sign(y) * ((1 + 255.0) ** np.abs(y) - 1) / 255.0
    pcm = (x * 32767).astype(np.int16)
    offsets = data["offsets"]
    labels = str(data["labels"]).split("\n")
    return [pcm[offsets[i]: offsets[i + 1]] for i in range(len(labels))], labels


class Corpus:
    def __init__(self, audio, labels, device):
        lengths = np.array([len(a) for a in audio], dtype=np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(lengths)])
        self.lengths = lengths
        self.audio = torch.from_numpy(np.concatenate(audio)).to(device)
        self.targets = [torch.tensor(M.encode(lb), dtype=torch.long) for lb in labels]
        self.labels = labels
        self.device = device

    def batches(self, rng, batch_samples):
        order = np.argsort(self.lengths + np.array([rng.randint(0, 8000) for _ in self.lengths]))
        out, cur = [], []
        for i in order:
            if cur and (len(cur) + 1) * (self.lengths[i] + 4000) > batch_samples:
                out.append(cur)
                cur = []
            cur.append(int(i))
        if cur:
            out.append(cur)
        rng.shuffle(out)
        return out

    def make_batch(self, idx, rng, pad=True):
        lens = [int(self.lengths[i]) for i in idx]
        extra = 4000 if pad else 0
        n = max(lens) + extra
        wave = torch.zeros(len(idx), n, device=self.device)
        starts = []
        for row, i in enumerate(idx):
            s = rng.randint(0, extra) if pad else 0
            o = int(self.offsets[i])
            wave[row, s: s + lens[row]] = self.audio[o: o + lens[row]].float() / 32768.0
            starts.append(s)
        lengths = torch.tensor([s + ln + (rng.randint(0, extra - s) if pad else 0) for s, ln in zip(starts, lens)],
                               device=self.device)
        return wave, lengths


def word_errors(ref, hyp):
    r, h = ref.split(), hyp.split()
    d = list(range(len(h) + 1))
    for i in range(1, len(r) + 1):
        prev, d[0] = d[0], i
        for j in range(1, len(h) + 1):
            cur = min(d[j] + 1, d[j - 1] + 1, prev + (r[i - 1] != h[j - 1]))
            prev, d[j] = d[j], cur
    return d[len(h)], len(r)


@torch.no_grad()
def evaluate(model, corpus, batch_samples=16000 * 200):
    """Greedy-decoding word error rate over a corpus (no augmentation)."""
    model.eval()
    errors = words = 0
    rng = random.Random(0)
    examples = []
    batches, cur = [], []
    for i in np.argsort(corpus.lengths):
        if cur and (len(cur) + 1) * corpus.lengths[i] > batch_samples:
            batches.append(cur)
            cur = []
        cur.append(int(i))
    if cur:
        batches.append(cur)
    for batch in batches:
        wave, lengths = corpus.make_batch(batch, rng, pad=False)
        fl = M.frames_for_samples(lengths)
        ids = model(model.features(wave, lengths), fl).argmax(-1).cpu().numpy()
        for row, idx in enumerate(batch):
            hyp = M.decode_greedy(ids[row, : int(fl[row])])
            e, n = word_errors(corpus.labels[idx], hyp)
            errors, words = errors + e, words + n
            if len(examples) < 3 and e:
                examples.append((corpus.labels[idx], hyp))
    model.train()
    return errors / max(1, words), examples


def export_weights(folder, model, state):
    """Weights only, in three parts of similar size: each file that leaves the training machine must stay < 16 MiB."""
    folder.mkdir(parents=True, exist_ok=True)
    sd = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    parts = [{}, {}, {}]
    sizes = [0, 0, 0]
    for k in sorted(sd, key=lambda k: -sd[k].numel()):
        i = sizes.index(min(sizes))
        parts[i][k] = sd[k]
        sizes[i] += sd[k].numel()
    for i, part in enumerate(parts):  # plain npz: readable by any torch version on the export machine
        np.savez(folder / f"weights_{i}.npz", **{k: v.numpy() for k, v in part.items()})
    with open(folder / "train_state.json", "w") as f:
        json.dump(state, f)


def save_checkpoint(path, model, opt, state):
    tmp = str(path) + ".tmp"
    torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "state": state}, tmp)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sentences", default=str(HERE / "work/sentences.tsv"))
    ap.add_argument("--out", default=str(HERE / "out"))
    ap.add_argument("--seed", type=int, default=20261128)
    ap.add_argument("--workers", type=int, default=max(1, (os.cpu_count() or 2)))
    ap.add_argument("--synth-seconds", type=float, default=90)
    ap.add_argument("--passes", type=int, default=2)
    ap.add_argument("--max-utts", type=int, default=0, help="limit sentences (smoke tests)")
    ap.add_argument("--heldout", type=int, default=400)
    ap.add_argument("--codec-set", default=str(HERE / "work/codec_set.npz"))
    ap.add_argument("--train-seconds", type=float, default=360)
    ap.add_argument("--batch-seconds", type=float, default=400)
    ap.add_argument("--lr", type=float, default=1.5e-3)
    ap.add_argument("--warmup", type=int, default=400)
    ap.add_argument("--eval-every", type=float, default=120, help="seconds")
    ap.add_argument("--ckpt-every", type=float, default=300, help="seconds")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--init-weights", default="", help="folder with weights_*.npz to start from (fine-tuning)")
    ap.add_argument("--export-dir", default="", help="also write weights_a/b.pt there at each checkpoint")
    ap.add_argument("--data-cache", default="", help="npz to reuse/save the synthesised training set")
    args = ap.parse_args()

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    log(out, "device", dev, "torch", torch.__version__, "args", json.dumps(vars(args)))

    train_rows = read_sentences(args.sentences, "train")
    held_rows = read_sentences(args.sentences, "heldout")[: args.heldout]
    if args.max_utts:
        train_rows = train_rows[: args.max_utts]
    t0 = time.time()
    if args.data_cache and os.path.exists(args.data_cache):
        d = np.load(args.data_cache)
        audio = [d["pcm"][d["offsets"][i]: d["offsets"][i + 1]] for i in range(len(d["offsets"]) - 1)]
        labels = str(d["labels"]).split("\n")
        log(out, "loaded cached training audio", len(audio))
    else:
        audio, labels, specs, fails = build_set(train_rows, args.seed, args.workers, args.synth_seconds, args.passes)
        engines = {}
        for s in specs:
            engines[s["engine"]] = engines.get(s["engine"], 0) + 1
        log(out, f"synthesised {len(audio)} utterances ({sum(map(len, audio)) / 16000 / 3600:.2f} h) in "
            f"{time.time() - t0:.0f}s; by engine {engines}; failures {fails}")
        if args.data_cache:
            np.savez(args.data_cache, pcm=np.concatenate(audio),
                     offsets=np.concatenate([[0], np.cumsum([len(a) for a in audio])]), labels="\n".join(labels))
    if os.path.exists(args.codec_set):
        c_audio, c_labels = load_codec_set(args.codec_set)
        # Repeat the real codec round trips so they are a noticeable share of what the model sees.
        reps = max(1, int(0.08 * len(audio) / max(1, len(c_audio))))
        audio += c_audio * reps
        labels += c_labels * reps
        log(out, f"codec set: {len(c_audio)} clips x{reps}")
    t1 = time.time()
    h_audio, h_labels, _, _ = build_set(held_rows, args.seed + 1, args.workers, 60, 1)
    log(out, f"held-out: {len(h_audio)} utterances in {time.time() - t1:.0f}s")

    train = Corpus(audio, labels, dev)
    held = Corpus(h_audio, h_labels, dev)
    del audio, h_audio

    model = M.CtcModel().to(dev)
    log(out, f"parameters: {sum(p.numel() for p in model.parameters()) / 1e6:.2f} M")
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-2)
    state = {"step": 0, "elapsed": 0.0, "epoch": 0, "best_wer": 1.0}
    if args.init_weights:
        sys.path.insert(0, str(HERE))
        from export_onnx import load_weights

        model.load_state_dict(load_weights(Path(args.init_weights)))
        log(out, "initialised from", args.init_weights)
    ckpt = out / "ckpt.pt"
    if args.resume and ckpt.exists():
        c = torch.load(ckpt, map_location=dev)
        model.load_state_dict(c["model"])
        opt.load_state_dict(c["opt"])
        state = c["state"]
        log(out, "resumed", state)
    if dev.type == "cuda":
        torch.backends.cudnn.benchmark = False
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True

    g = torch.Generator(device=dev)
    g.manual_seed(args.seed + state["step"])
    rng = random.Random(args.seed + state["step"])
    batch_samples = int(args.batch_seconds * 16000)
    start = time.time() - state["elapsed"]
    last_eval = last_ckpt = time.time()
    done = False
    while not done:
        for idx in train.batches(rng, batch_samples):
            elapsed = time.time() - start
            if elapsed >= args.train_seconds:
                done = True
                break
            progress = elapsed / args.train_seconds
            lr = args.lr * min(1.0, (state["step"] + 1) / args.warmup) * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress)))
            for group in opt.param_groups:
                group["lr"] = lr
            wave, lengths = train.make_batch(idx, rng)
            with torch.no_grad():
                wave, lengths = augment.augment(wave, lengths, g)
                feats = augment.spec_augment(model.features(wave, lengths), g)
            fl = M.frames_for_samples(lengths)
            logp = model(feats, fl)
            targets = [train.targets[i] for i in idx]
            loss = F.ctc_loss(logp.transpose(0, 1), torch.cat(targets).to(dev), fl,
                              torch.tensor([len(t) for t in targets], device=dev), blank=0, zero_infinity=True)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            state["step"] += 1
            if state["step"] % 50 == 0:
                log(out, f"step {state['step']} t={elapsed:.0f}s lr={lr:.2e} loss={loss.item():.3f} "
                    f"norm={float(norm):.2f} batch={len(idx)}")
            if time.time() - last_eval > args.eval_every:
                wer, ex = evaluate(model, held)
                log(out, f"eval step {state['step']}: held-out WER {wer:.3%} e.g. {ex[:2]}")
                last_eval = time.time()
            if time.time() - last_ckpt > args.ckpt_every:
                state["elapsed"] = time.time() - start
                save_checkpoint(ckpt, model, opt, state)
                if args.export_dir:
                    export_weights(Path(args.export_dir), model, state)
                last_ckpt = time.time()
        else:
            state["epoch"] += 1
    state["elapsed"] = time.time() - start
    wer, ex = evaluate(model, held)
    state["final_wer"] = wer
    log(out, f"final step {state['step']} epoch {state['epoch']} held-out WER {wer:.3%} e.g. {ex}")
    save_checkpoint(ckpt, model, opt, state)
    export_weights(out, model, {**state, "train_seconds": args.train_seconds, "seed": args.seed})
    if args.export_dir:
        export_weights(Path(args.export_dir), model, {**state, "train_seconds": args.train_seconds, "seed": args.seed})
    log(out, "saved", out, args.export_dir)


if __name__ == "__main__":
    main()
