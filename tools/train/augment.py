"""Waveform augmentation on the training device, batched: speed, reverberation, noise, band limits, µ-law, gain.

Each transform draws from the torch generator passed in, so a seeded run is reproducible on the same hardware.
"""

import math

import torch
import torch.nn.functional as F

SR = 16000


def _uniform(g, n, lo, hi, device):
    return torch.rand(n, generator=g, device=device) * (hi - lo) + lo


def speed(wave, lengths, g):
    """Resample the whole batch by one factor (tempo and pitch change together, like tape speed)."""
    factor = float(_uniform(g, 1, 0.85, 1.15, wave.device))
    n = int(round(wave.shape[1] / factor))
    wave = F.interpolate(wave[:, None, :], size=n, mode="linear", align_corners=False)[:, 0]
    return wave, (lengths.float() / factor).long().clamp(max=n)


def _fft_conv(wave, kernel):
    n = wave.shape[1] + kernel.shape[1]
    size = 1 << (n - 1).bit_length()
    out = torch.fft.irfft(torch.fft.rfft(wave, size) * torch.fft.rfft(kernel, size), size)
    return out[:, : wave.shape[1]]


def reverb(wave, g, p=0.3):
    b, dev = wave.shape[0], wave.device
    pick = torch.rand(b, generator=g, device=dev) < p
    if not pick.any():
        return wave
    length = SR // 2
    t = torch.arange(length, device=dev)[None, :] / SR
    rt60 = _uniform(g, b, 0.1, 0.8, dev)[:, None]
    rir = torch.randn(b, length, generator=g, device=dev) * torch.exp(-6.9 * t / rt60)
    rir = rir / rir.norm(dim=1, keepdim=True) * _uniform(g, b, 0.3, 1.5, dev)[:, None]
    rir[:, 0] = 1.0
    wet = _fft_conv(wave, rir)
    wet = wet * (wave.pow(2).mean(1, keepdim=True).sqrt() / wet.pow(2).mean(1, keepdim=True).sqrt().clamp(min=1e-8))
    return torch.where(pick[:, None], wet, wave)


def _shaped_noise(b, n, g, dev):
    """White, pink or brown noise, chosen per utterance."""
    white = torch.randn(b, n, generator=g, device=dev)
    spec = torch.fft.rfft(white)
    f = torch.arange(spec.shape[1], device=dev).clamp(min=1).float()[None, :]
    colour = torch.randint(0, 3, (b, 1), generator=g, device=dev).float()  # 0 white, 1 pink, 2 brown
    spec = spec / f.pow(colour / 2)
    noise = torch.fft.irfft(spec, n)
    return noise / noise.pow(2).mean(1, keepdim=True).sqrt().clamp(min=1e-8)


def noise(wave, lengths, g, p=0.6):
    b, n, dev = wave.shape[0], wave.shape[1], wave.device
    mask = (torch.arange(n, device=dev)[None, :] < lengths[:, None]).float()
    power = (wave.pow(2) * mask).sum(1) / mask.sum(1).clamp(min=1)
    snr_db = _uniform(g, b, 0.0, 35.0, dev)
    scale = (power / (10 ** (snr_db / 10))).sqrt() * (torch.rand(b, generator=g, device=dev) < p).float()
    return wave + _shaped_noise(b, n, g, dev) * scale[:, None] * mask


def band_limit(wave, g, p=0.25):
    """Low-pass (telephone, low-bitrate codecs) and high-pass (small speakers), as FFT masks."""
    b, n, dev = wave.shape[0], wave.shape[1], wave.device
    spec = torch.fft.rfft(wave)
    freqs = torch.linspace(0, SR / 2, spec.shape[1], device=dev)[None, :]
    low = _uniform(g, b, 2800.0, 7000.0, dev)[:, None]
    high = _uniform(g, b, 50.0, 350.0, dev)[:, None]
    keep = ((freqs < low) | (torch.rand(b, 1, generator=g, device=dev) >= p)) & (
        (freqs > high) | (torch.rand(b, 1, generator=g, device=dev) >= p)
    )
    return torch.fft.irfft(spec * keep.float(), n)


def mu_law(wave, g, p=0.1):
    pick = torch.rand(wave.shape[0], generator=g, device=wave.device) < p
    x = wave.clamp(-1, 1)
    mu = 255.0
    y = torch.sign(x) * torch.log1p(mu * x.abs()) / math.log1p(mu)
    y = torch.round((y + 1) * 127.5) / 127.5 - 1
    back = torch.sign(y) * ((1 + mu) ** y.abs() - 1) / mu
    return torch.where(pick[:, None], back, wave)


def gain(wave, g):
    db = _uniform(g, wave.shape[0], -25.0, 8.0, wave.device)[:, None]
    return (wave * 10 ** (db / 20)).clamp(-1, 1)


def augment(wave, lengths, g):
    if float(torch.rand(1, generator=g, device=wave.device)) < 0.7:
        wave, lengths = speed(wave, lengths, g)
    wave = reverb(wave, g)
    wave = noise(wave, lengths, g)
    wave = band_limit(wave, g)
    wave = gain(wave, g)
    wave = mu_law(wave, g)
    return wave, lengths


def spec_augment(feats, g, max_f=12, time_ratio=0.04, max_t=20):
    """Frequency and time masks on (B, 80, T) features, filled with 0 (the per-utterance mean after CMN)."""
    b, nf, nt = feats.shape
    dev = feats.device
    fidx = torch.arange(nf, device=dev)[None, :]
    tidx = torch.arange(nt, device=dev)[None, :]
    keep = torch.ones(b, nf, nt, device=dev, dtype=torch.bool)
    for _ in range(2):
        w = torch.randint(0, max_f + 1, (b, 1), generator=g, device=dev)
        s = (torch.rand(b, 1, generator=g, device=dev) * (nf - w)).long()
        keep &= ~((fidx >= s) & (fidx < s + w))[:, :, None]
    for _ in range(max(1, int(nt * time_ratio / (max_t / 2)))):
        w = torch.randint(0, max_t + 1, (b, 1), generator=g, device=dev)
        s = (torch.rand(b, 1, generator=g, device=dev) * (nt - w).clamp(min=1)).long()
        keep &= ~((tidx >= s) & (tidx < s + w))[:, None, :]
    return feats * keep
