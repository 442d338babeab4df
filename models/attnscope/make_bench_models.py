"""Synthetic models of real sizes for the benchmark harness (tests/bench/):
ViT-B-like (12 layers, 12 heads, width 768, MLP 3072, 16 x 16 patches) with
random weights, at 197 tokens ([CLS] + 14 x 14 patches, a 224 x 224 image),
577 tokens ([CLS] + 24 x 24, 384 x 384) and 2,048 tokens ([CLS] + 32 x 32
patches of a 512 x 512 image + 1,023 words of text).

    PYTHONPATH=models python3 -m attnscope.make_bench_models OUT_DIR [--tokens 197,577,2048]

Writes vitb_<tokens>.pt (AttnScope archives, checked by the export helper),
vitb_<tokens>.json (parameters, tokens, forward FLOPs), bench_image.png and
bench_text.txt. The weights are random (seeded): the figures measure speed,
not answers.
"""
import argparse
import json
import math
import os
import sys

import cv2
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from attnscope import export

DIM, HEADS, LAYERS, MLP, PATCH, LABELS = 768, 12, 12, 3072, 16, 1000
SIZES = {197: (14, 0), 577: (24, 0), 2048: (32, 1023)}   # tokens -> (grid side, text tokens)
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"] + ["w%d" % i for i in range(1000)]


class Block(nn.Module):
    """A pre-norm ViT block with the usual fused qkv projection."""

    def __init__(self):
        super().__init__()
        self.norm1 = nn.LayerNorm(DIM)
        self.qkv = nn.Linear(DIM, 3 * DIM)
        self.proj = nn.Linear(DIM, DIM)
        self.norm2 = nn.LayerNorm(DIM)
        self.fc1 = nn.Linear(DIM, MLP)
        self.fc2 = nn.Linear(MLP, DIM)

    def forward(self, x: torch.Tensor, key_bias: torch.Tensor):
        b, n, _ = x.shape
        qkv = self.qkv(self.norm1(x)).view(b, n, 3, HEADS, DIM // HEADS).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = (torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(DIM // HEADS)) + key_bias).softmax(-1)
        x = x + self.proj(torch.matmul(attn, v).transpose(1, 2).reshape(b, n, DIM))
        x = x + self.fc2(F.gelu(self.fc1(self.norm2(x))))
        return x, attn


class VitB(nn.Module):
    def __init__(self, grid: int, text: int):
        super().__init__()
        self.grid = grid
        self.text = text
        self.patch = nn.Conv2d(3, DIM, PATCH, stride=PATCH)
        self.cls = nn.Parameter(torch.randn(1, 1, DIM) * 0.02)
        self.pos = nn.Parameter(torch.randn(1, 1 + grid * grid + text, DIM) * 0.02)
        self.words = nn.Embedding(len(VOCAB), DIM)
        self.blocks = nn.ModuleList([Block() for _ in range(LAYERS)])
        self.norm = nn.LayerNorm(DIM)
        self.head = nn.Linear(DIM, LABELS)

    def forward(self, image: torch.Tensor, input_ids: torch.Tensor, attention_mask: torch.Tensor):
        b = image.shape[0]
        x = torch.cat([self.cls.expand(b, -1, -1), self.patch(image).flatten(2).transpose(1, 2)], 1)
        valid = torch.ones(b, x.shape[1], dtype=torch.float32, device=image.device)
        if self.text > 0:
            x = torch.cat([x, self.words(input_ids)], 1)
            valid = torch.cat([valid, attention_mask.to(torch.float32)], 1)
        x = x + self.pos
        key_bias = ((1.0 - valid) * -1e9)[:, None, None, :]
        attentions = []
        for block in self.blocks:
            x, a = block(x, key_bias)
            attentions.append(a)
        return self.head(self.norm(x[:, 0])), attentions


def manifest(grid, text):
    tokens = 1 + grid * grid + text
    segments = [{"name": "cls", "modality": "special", "length": 1},
                {"name": "image", "modality": "image", "grid": [grid, grid]}]
    spec = {"format": "attnscope-model/1", "name": "vit-b-like-%d" % tokens,
            "description": "Benchmark model: ViT-B-like (12 layers, 12 heads, width 768) with random weights, "
                           "%d tokens." % tokens,
            "task": "classification", "labels": ["class %d" % i for i in range(LABELS)],
            "image": {"size": [grid * PATCH, grid * PATCH], "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5],
                      "channel_order": "RGB", "resize": "stretch"},
            "attentions": [{"layer": n, "kind": "self", "query": "joint", "key": "joint"} for n in range(LAYERS)],
            "decision": {"stream": "joint", "index": 0}}
    if text > 0:
        segments.append({"name": "text", "modality": "text", "length": text})
        spec["text"] = {"tokenizer": "word", "lowercase": True, "max_length": text, "vocab": VOCAB,
                        "special_tokens": {"pad": "[PAD]", "unk": "[UNK]", "cls": "[CLS]", "sep": "[SEP]"},
                        "add_cls": False, "add_sep": False}
    spec["streams"] = [{"name": "joint", "segments": segments}]
    return spec


def forward_flops(grid, text):
    """Multiply-adds x 2 of one forward pass: patch embedding, per layer the
    qkv, output and MLP projections (24 T d^2) and the two attention products
    (4 T^2 d), and the head."""
    t = 1 + grid * grid + text
    patches = 2 * grid * grid * 3 * PATCH * PATCH * DIM
    layer = 2 * t * DIM * (3 * DIM + DIM + 2 * MLP) + 4 * t * t * DIM
    return patches + LAYERS * layer + 2 * DIM * LABELS


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--tokens", default="197,577,2048")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(max(1, os.cpu_count() or 1))

    rng = np.random.default_rng(7)
    # A smooth image with some structure, larger than every model's input.
    small = rng.integers(0, 256, (12, 16, 3)).astype(np.uint8)
    image = cv2.GaussianBlur(cv2.resize(small, (640, 480), interpolation=cv2.INTER_CUBIC), (0, 0), 3)
    cv2.imwrite(os.path.join(args.out, "bench_image.png"), image)
    words = " ".join("w%d" % int(i) for i in rng.integers(0, 1000, 1023))
    with open(os.path.join(args.out, "bench_text.txt"), "w") as f:
        f.write(words + "\n")

    for tokens in (int(t) for t in args.tokens.split(",")):
        grid, text = SIZES[tokens]
        torch.manual_seed(tokens)
        model = VitB(grid, text).eval()
        for p in model.parameters():   # ViT's initialisation scale
            if p.dim() > 1:
                nn.init.trunc_normal_(p, std=0.02)
        side = grid * PATCH
        example = (torch.randn(1, 3, side, side), torch.randint(4, len(VOCAB), (1, text)),
                   torch.ones(1, text, dtype=torch.int64))
        path = os.path.join(args.out, "vitb_%d.pt" % tokens)
        export.export(model, manifest(grid, text), example, path)
        info = {"tokens": tokens, "parameters": sum(p.numel() for p in model.parameters()),
                "forward_flops": forward_flops(grid, text), "layers": LAYERS, "heads": HEADS}
        with open(os.path.join(args.out, "vitb_%d.json" % tokens), "w") as f:
            json.dump(info, f, indent=1)
        print("wrote %s (%d parameters, %.1f GFLOP per forward)" % (path, info["parameters"],
                                                                    info["forward_flops"] / 1e9), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
