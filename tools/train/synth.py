"""Speech synthesis for training and evaluation: espeak-ng and flite (training voices), festival (unseen voices).

Every utterance is described by a voice spec dict, drawn from a seeded RNG so a data set is reproducible from
(seed, sentence list). Audio comes back as 16 kHz mono int16 numpy arrays.
"""

import io
import os
import random
import subprocess
import tempfile
import wave

import numpy as np

ESPEAK_LANGS = ["en-us", "en", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-029"]
ESPEAK_VARIANTS = [
    "", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5",
    "klatt", "klatt2", "klatt3", "klatt4", "klatt5", "klatt6",
    "Alex", "Andy", "Annie", "belinda", "benjamin", "caleb", "david", "ed", "edward", "iven", "john",
    "linda", "max", "michel", "norbert", "paul", "steph", "travis", "victor", "Mr serious", "aunty",
]
FLITE_VOICES = ["kal", "kal16", "awb", "rms", "slt"]
FESTIVAL_VOICES = ["kal_diphone", "ked_diphone", "cmu_us_slt_arctic_hts"]


def random_voice(rng: random.Random) -> dict:
    if rng.random() < 0.5:
        variant = rng.choice(ESPEAK_VARIANTS)
        lang = rng.choice(ESPEAK_LANGS)
        return {
            "engine": "espeak",
            "voice": f"{lang}+{variant}" if variant else lang,
            "speed": rng.randint(120, 215),
            "pitch": rng.randint(15, 85),
            "gap": rng.choice([0, 0, 0, 1, 2]),
        }
    return {
        "engine": "flite",
        "voice": rng.choice(FLITE_VOICES),
        "stretch": round(rng.uniform(0.8, 1.3), 2),
        "f0": rng.randint(80, 220),
    }


def _command(spec: dict, text: str, out: str) -> list:
    if spec["engine"] == "espeak":
        return ["espeak-ng", "-v", spec["voice"], "-s", str(spec["speed"]), "-p", str(spec["pitch"]),
                "-g", str(spec["gap"]), "-w", out, text]
    if spec["engine"] == "flite":
        cmd = ["flite", "-voice", spec["voice"], "--setf", f"duration_stretch={spec['stretch']}"]
        if "f0" in spec:
            cmd += ["--setf", f"int_f0_target_mean={spec['f0']}"]
        return cmd + ["-t", text, "-o", out]
    if spec["engine"] == "festival":
        return ["text2wave", "-eval", f"(voice_{spec['voice']})", "-o", out]
    raise ValueError(spec["engine"])


def read_wav(data: bytes) -> tuple:
    with wave.open(io.BytesIO(data)) as w:
        assert w.getsampwidth() == 2, "16-bit WAV expected"
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        if w.getnchannels() > 1:
            pcm = pcm.reshape(-1, w.getnchannels())[:, 0]
        return pcm, w.getframerate()


def to_16k(pcm: np.ndarray, rate: int) -> np.ndarray:
    if rate == 16000:
        return pcm.astype(np.int16)
    # Band-limited resampling in the frequency domain: exact for these short, silence-trimmed clips.
    n_out = int(round(len(pcm) * 16000 / rate))
    spectrum = np.fft.rfft(pcm.astype(np.float64))[: n_out // 2 + 1]
    audio = np.fft.irfft(spectrum, n_out) * (n_out / len(pcm))
    return np.clip(np.round(audio), -32768, 32767).astype(np.int16)


def synthesize(spec: dict, text: str, tmpdir: str = None) -> np.ndarray:
    """Returns 16 kHz int16 audio, silence at both ends trimmed to at most 0.15 s."""
    fd, out = tempfile.mkstemp(suffix=".wav", dir=tmpdir)
    os.close(fd)
    try:
        cmd = _command(spec, text, out)
        stdin = text.encode() if spec["engine"] == "festival" else None
        subprocess.run(cmd, input=stdin, check=True, capture_output=True, timeout=120)
        with open(out, "rb") as f:
            pcm, rate = read_wav(f.read())
    finally:
        os.unlink(out)
    return trim(to_16k(pcm, rate))


def trim(pcm: np.ndarray, keep: int = 2400) -> np.ndarray:
    loud = np.nonzero(np.abs(pcm.astype(np.int32)) > 200)[0]
    if len(loud) == 0:
        return pcm
    return pcm[max(0, loud[0] - keep): loud[-1] + keep]


def write_wav(path: str, pcm: np.ndarray, rate: int = 16000):
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.astype("<i2").tobytes())
