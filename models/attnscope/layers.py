"""Transformer layers that keep the AttnScope contract: every attention module
returns its attention after the softmax, the tensor it multiplies with the
values, so AttnScope can read it and differentiate with respect to it."""
import math
from typing import Tuple

import torch
import torch.nn as nn


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int, sharpness: float):
        super().__init__()
        self.heads = heads
        self.head_dim = dim // heads
        self.q = nn.Linear(dim, dim)
        self.k = nn.Linear(dim, dim)
        self.v = nn.Linear(dim, dim)
        self.o = nn.Linear(dim, dim)
        with torch.no_grad():  # peaky attention makes the tests sharper
            self.q.weight.mul_(sharpness)
            self.k.weight.mul_(sharpness)

    def project(self, xq: torch.Tensor, xkv: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The per-head queries, keys and values [batch, heads, tokens, head_dim]
        that forward uses: models that export them (the manifest's
        attention_inputs) let AttnScope's teaching view step through
        softmax(q k^T / sqrt(d)) v with the real numbers."""
        b, nq, d = xq.shape
        nk = xkv.shape[1]
        q = self.q(xq).view(b, nq, self.heads, self.head_dim).transpose(1, 2)
        k = self.k(xkv).view(b, nk, self.heads, self.head_dim).transpose(1, 2)
        v = self.v(xkv).view(b, nk, self.heads, self.head_dim).transpose(1, 2)
        return q, k, v

    def forward(self, xq: torch.Tensor, xkv: torch.Tensor, key_mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        b, nq, d = xq.shape
        q, k, v = self.project(xq, xkv)
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(float(self.head_dim))
        scores = scores + (1.0 - key_mask[:, None, None, :]) * -1e9
        attn = scores.softmax(-1)
        out = torch.matmul(attn, v).transpose(1, 2).reshape(b, nq, d)
        return self.o(out), attn


class Block(nn.Module):
    def __init__(self, dim: int, heads: int, sharpness: float):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads, sharpness)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        h = self.norm1(x)
        y, a = self.attn(h, h, mask)
        x = x + y
        x = x + self.mlp(self.norm2(x))
        return x, a


class CrossBlock(nn.Module):
    """Queries from one stream attend to the other."""

    def __init__(self, dim: int, heads: int, sharpness: float):
        super().__init__()
        self.norm_q = nn.LayerNorm(dim)
        self.norm_kv = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads, sharpness)

    def forward(self, x: torch.Tensor, other: torch.Tensor, other_mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        y, a = self.attn(self.norm_q(x), self.norm_kv(other), other_mask)
        return x + y, a


class PatchEmbed(nn.Module):
    def __init__(self, patch: int, rows: int, cols: int, dim: int):
        super().__init__()
        self.patch = patch
        self.rows = rows
        self.cols = cols
        self.proj = nn.Linear(3 * patch * patch, dim)
        self.pos = nn.Parameter(torch.randn(1, rows * cols, dim) * 0.5)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        b = image.shape[0]
        p = self.patch
        x = image.unfold(2, p, p).unfold(3, p, p)            # b, 3, rows, cols, p, p
        x = x.permute(0, 2, 3, 1, 4, 5).reshape(b, self.rows * self.cols, 3 * p * p)
        return self.proj(x) + self.pos


def sequence_position_code(length: int, dim: int) -> torch.Tensor:
    """Fixed 1-D sine-cosine position codes [1, length, dim]. Word order must
    be visible from the first step: questions such as "is the A left of the B"
    are the same bag of words whichever way round they ask."""
    half = dim // 2
    freq = 1.0 / (100.0 ** (torch.arange(half, dtype=torch.float32) / half))
    angles = torch.arange(length, dtype=torch.float32)[:, None] * freq[None]
    code = torch.zeros(length, dim)
    code[:, 0:half] = torch.sin(angles)
    code[:, half:2 * half] = torch.cos(angles)
    return code[None]


def grid_position_code(rows: int, cols: int, dim: int) -> torch.Tensor:
    """Fixed 2-D sine-cosine position codes [1, rows*cols, dim]: half the
    channels encode the row, half the column, so where a patch sits is known
    from the first step."""
    quarter = dim // 4
    freq = 1.0 / (100.0 ** (torch.arange(quarter, dtype=torch.float32) / quarter))
    r = torch.arange(rows, dtype=torch.float32)[:, None] * freq[None]
    c = torch.arange(cols, dtype=torch.float32)[:, None] * freq[None]
    code = torch.zeros(rows, cols, dim)
    code[:, :, 0:quarter] = torch.sin(r)[:, None, :]
    code[:, :, quarter:2 * quarter] = torch.cos(r)[:, None, :]
    code[:, :, 2 * quarter:3 * quarter] = torch.sin(c)[None, :, :]
    code[:, :, 3 * quarter:4 * quarter] = torch.cos(c)[None, :, :]
    return code.reshape(1, rows * cols, dim)


class ConvPatchEmbed(nn.Module):
    """A small convolutional stem ending in one token per patch: three
    stride-2 convolutions turn an image into a grid of rows x cols tokens, each
    centred on its patch (its receptive field reaches a little into the
    neighbours). Learns colours and shapes much faster than a linear
    projection of raw patches."""

    def __init__(self, rows: int, cols: int, dim: int):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, 32, 3, stride=2, padding=1), nn.GELU(),
            nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.GELU(),
            nn.Conv2d(64, dim, 2, stride=2))
        self.pos = nn.Parameter(torch.randn(1, rows * cols, dim) * 0.02)
        self.register_buffer("grid_code", grid_position_code(rows, cols, dim))

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return self.stem(image).flatten(2).transpose(1, 2) + self.pos + self.grid_code
