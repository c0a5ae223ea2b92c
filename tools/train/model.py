"""The demo CTC acoustic model: raw 16 kHz waveform in, per-frame character log-probabilities out.

Log-mel features are computed inside the network (STFT as a fixed convolution), so the exported ONNX graph takes
the waveform and inference in TypeScript cannot drift from training: there is no feature code to keep in sync.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

SAMPLE_RATE = 16000
WIN = 400  # 25 ms
HOP = 160  # 10 ms
N_FFT = 512
N_MELS = 80
SUBSAMPLE = 2  # frame shift of the output: 20 ms

# Index 0 is the CTC blank.
VOCAB = ["<blank>", " ", "'"] + [chr(c) for c in range(ord("a"), ord("z") + 1)]
CHAR_TO_ID = {c: i for i, c in enumerate(VOCAB)}


def encode(label: str) -> list:
    return [CHAR_TO_ID[c] for c in label if c in CHAR_TO_ID]


def decode_greedy(ids) -> str:
    out, prev = [], 0
    for i in ids:
        if i != prev and i != 0:
            out.append(VOCAB[i])
        prev = i
    return "".join(out).strip()


def mel_filterbank(n_freqs, f_min, f_max, n_mels):
    """Triangular filters evenly spaced on the HTK mel scale, unnormalised: (n_freqs, n_mels)."""
    freqs = torch.linspace(0, SAMPLE_RATE / 2, n_freqs, dtype=torch.float64)
    mel_lo, mel_hi = (2595 * math.log10(1 + f / 700) for f in (f_min, f_max))
    edges = 700 * (10 ** (torch.linspace(mel_lo, mel_hi, n_mels + 2, dtype=torch.float64) / 2595) - 1)
    widths = edges[1:] - edges[:-1]
    slopes = edges[None, :] - freqs[:, None]
    rising = -slopes[:, :-2] / widths[:-1]
    falling = slopes[:, 2:] / widths[1:]
    return torch.clamp(torch.minimum(rising, falling), min=0).float()


class LogMel(nn.Module):
    """Hann-windowed power spectrum by a fixed Conv1d (exports as a plain Conv), HTK mel, log, per-utterance CMN."""

    def __init__(self):
        super().__init__()
        n = torch.arange(WIN, dtype=torch.float64)
        window = 0.5 - 0.5 * torch.cos(2 * math.pi * n / WIN)
        k = torch.arange(N_FFT // 2 + 1, dtype=torch.float64)[:, None]
        angle = 2 * math.pi * k * n[None, :] / N_FFT
        basis = torch.cat([torch.cos(angle) * window, -torch.sin(angle) * window], 0)
        self.register_buffer("dft", basis.float()[:, None, :])  # (2*257, 1, 400)
        self.register_buffer("mel", mel_filterbank(N_FFT // 2 + 1, 20.0, 7600.0, N_MELS))  # (257, 80)

    def forward(self, wave, lengths=None):
        # wave: (B, N) float in [-1, 1]
        spec = F.conv1d(wave[:, None, :] * 32768.0 / 1024.0, self.dft, stride=HOP)  # (B, 514, T)
        half = spec.shape[1] // 2
        power = spec[:, :half] ** 2 + spec[:, half:] ** 2
        logmel = torch.log(torch.matmul(power.transpose(1, 2), self.mel) + 1e-3)  # (B, T, 80)
        if lengths is None:
            mean = logmel.mean(dim=1, keepdim=True)
        else:
            mask = (torch.arange(logmel.shape[1], device=wave.device)[None, :] < lengths[:, None]).float()[..., None]
            mean = (logmel * mask).sum(1, keepdim=True) / mask.sum(1, keepdim=True).clamp(min=1)
        return (logmel - mean).transpose(1, 2)  # (B, 80, T)


def frames_for_samples(n):
    """Output frames for n input samples (works on ints and tensors)."""
    mel_frames = (n - WIN) // HOP + 1
    return (mel_frames - 1) // SUBSAMPLE + 1


class CtcModel(nn.Module):
    def __init__(self, channels=256, hidden=320, layers=3, dropout=0.15):
        super().__init__()
        self.frontend = LogMel()
        self.conv = nn.Sequential(
            nn.Conv1d(N_MELS, channels, 5, stride=SUBSAMPLE, padding=2),
            nn.GELU(),
            nn.Conv1d(channels, channels, 5, padding=2),
            nn.GELU(),
        )
        self.dropout = nn.Dropout(dropout)
        self.rnn = nn.GRU(channels, hidden, layers, batch_first=True, bidirectional=True, dropout=dropout)
        self.out = nn.Linear(2 * hidden, len(VOCAB))

    def features(self, wave, lengths=None):
        return self.frontend(wave, None if lengths is None else (lengths - WIN) // HOP + 1)

    def forward(self, feats, frame_lengths=None):
        """feats: (B, 80, T) log-mel; returns (B, T', V) log-probabilities."""
        x = self.dropout(self.conv(feats).transpose(1, 2))
        if frame_lengths is not None:
            total = x.shape[1]
            lengths = frame_lengths.clamp(max=total).cpu()
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            x, _ = self.rnn(packed)
            x, _ = nn.utils.rnn.pad_packed_sequence(x, batch_first=True, total_length=total)
        else:
            x, _ = self.rnn(x)
        return F.log_softmax(self.out(self.dropout(x)).float(), dim=-1)


class ExportWrapper(nn.Module):
    """ONNX entry point: waveform (1, N) float32 → log_probs (1, T, V)."""

    def __init__(self, model: CtcModel):
        super().__init__()
        self.model = model

    def forward(self, waveform):
        return self.model(self.model.frontend(waveform))
