"""Tiny random-weight models with the AttnScope contract, for the test suite:
a joint-stream model (ViLT-like: [CLS], image patches and words in one
transformer) and a dual-stream model with co-attention (LXMERT-like) that also
exposes learned modality gates.
"""
from typing import Dict, List, Tuple

import torch
import torch.nn as nn

from attnscope.layers import Block, CrossBlock, PatchEmbed

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "is", "there", "a", "an", "red", "green", "blue",
         "yellow", "purple", "circle", "square", "triangle", "what", "color", "colour", "how",
         "many", "are", "the", "of", "left", "right", "?"]


class TinyJoint(nn.Module):
    """[CLS] + image patches + words in one transformer; CLS decides."""

    def __init__(self, labels: int, image_size=(16, 24), patch=4, max_len=6, dim=16, heads=2, layers=2):
        super().__init__()
        rows, cols = image_size[0] // patch, image_size[1] // patch
        self.num_patches = rows * cols
        self.patches = PatchEmbed(patch, rows, cols, dim)
        self.tokens = nn.Embedding(len(VOCAB), dim)
        self.text_pos = nn.Parameter(torch.randn(1, max_len, dim) * 0.5)
        self.cls = nn.Parameter(torch.randn(1, 1, dim))
        self.blocks = nn.ModuleList([Block(dim, heads, 3.0) for _ in range(layers)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, labels)

    def sequence(self, image: torch.Tensor, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """[CLS], patches and words as one sequence, with its key mask."""
        b = image.shape[0]
        img = self.patches(image)
        txt = self.tokens(input_ids) + self.text_pos
        x = torch.cat([self.cls.expand(b, -1, -1), img, txt], 1)
        mask = torch.cat([torch.ones(b, 1 + self.num_patches, dtype=torch.float32, device=image.device),
                          attention_mask.to(torch.float32)], 1)
        return x, mask

    def forward(self, image: torch.Tensor, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> Tuple[torch.Tensor, List[torch.Tensor]]:
        x, mask = self.sequence(image, input_ids, attention_mask)
        attentions: List[torch.Tensor] = []
        for block in self.blocks:
            x, a = block(x, mask)
            attentions.append(a)
        return self.head(self.norm(x[:, 0])), attentions


class TinyTeach(TinyJoint):
    """TinyJoint that also returns, per map, the queries, keys and values
    that made it (the manifest's attention_inputs), for the teaching view."""

    def forward(self, image: torch.Tensor, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> Tuple[torch.Tensor, List[torch.Tensor], Dict[str, torch.Tensor]]:
        x, mask = self.sequence(image, input_ids, attention_mask)
        attentions: List[torch.Tensor] = []
        extras: Dict[str, torch.Tensor] = {}
        i = 0
        for block in self.blocks:
            h = block.norm1(x)
            q, k, v = block.attn.project(h, h)
            extras["q." + str(i)] = q
            extras["k." + str(i)] = k
            extras["v." + str(i)] = v
            x, a = block(x, mask)
            attentions.append(a)
            i += 1
        return self.head(self.norm(x[:, 0])), attentions, extras


class TinyDual(nn.Module):
    """Text stream ([CLS] + words) and image stream (patches), one self-attention
    layer each, then a co-attention layer (both directions) followed by
    self-attention in each stream. Learned gates weigh the two summaries."""

    def __init__(self, labels: int, image_size=(12, 16), patch=4, max_len=6, dim=16, heads=2):
        super().__init__()
        rows, cols = image_size[0] // patch, image_size[1] // patch
        self.num_patches = rows * cols
        self.patches = PatchEmbed(patch, rows, cols, dim)
        self.tokens = nn.Embedding(len(VOCAB), dim)
        self.text_pos = nn.Parameter(torch.randn(1, max_len, dim) * 0.5)
        self.text0 = Block(dim, heads, 3.0)
        self.image0 = Block(dim, heads, 3.0)
        self.text_cross = CrossBlock(dim, heads, 3.0)
        self.image_cross = CrossBlock(dim, heads, 3.0)
        self.text1 = Block(dim, heads, 3.0)
        self.image1 = Block(dim, heads, 3.0)
        self.gate = nn.Linear(2 * dim, 2)
        self.head = nn.Linear(dim, labels)

    def forward(self, image: torch.Tensor, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> Tuple[torch.Tensor, List[torch.Tensor], Dict[str, torch.Tensor]]:
        b = image.shape[0]
        t = self.tokens(input_ids) + self.text_pos
        i = self.patches(image)
        tmask = attention_mask.to(torch.float32)
        imask = torch.ones(b, self.num_patches, dtype=torch.float32, device=image.device)
        t, a_t0 = self.text0(t, tmask)
        i, a_i0 = self.image0(i, imask)
        t_new, a_ti = self.text_cross(t, i, imask)
        i_new, a_it = self.image_cross(i, t, tmask)
        t, a_t1 = self.text1(t_new, tmask)
        i, a_i1 = self.image1(i_new, imask)
        t_sum = t[:, 0]
        i_sum = i.mean(1)
        gates = self.gate(torch.cat([i_sum, t_sum], 1)).softmax(-1)   # [image, text]
        fused = gates[:, 0:1] * i_sum + gates[:, 1:2] * t_sum
        extras: Dict[str, torch.Tensor] = {"gates": gates}
        return self.head(fused), [a_t0, a_i0, a_ti, a_it, a_t1, a_i1], extras


class TinyLate(nn.Module):
    """Late fusion: an image stream ([CLS] + patches) and a text stream ([CLS] +
    words) never attend to each other; gates weigh their [CLS] summaries."""

    def __init__(self, labels: int, image_size=(8, 12), patch=4, max_len=5, dim=16, heads=2):
        super().__init__()
        rows, cols = image_size[0] // patch, image_size[1] // patch
        self.num_patches = rows * cols
        self.patches = PatchEmbed(patch, rows, cols, dim)
        self.image_cls = nn.Parameter(torch.randn(1, 1, dim))
        self.tokens = nn.Embedding(len(VOCAB), dim)
        self.text_pos = nn.Parameter(torch.randn(1, max_len, dim) * 0.5)
        self.image0 = Block(dim, heads, 3.0)
        self.image1 = Block(dim, heads, 3.0)
        self.text0 = Block(dim, heads, 3.0)
        self.gate = nn.Linear(2 * dim, 2)
        self.head = nn.Linear(2 * dim, labels)

    def forward(self, image: torch.Tensor, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> Tuple[torch.Tensor, List[torch.Tensor], Dict[str, torch.Tensor]]:
        b = image.shape[0]
        i = torch.cat([self.image_cls.expand(b, -1, -1), self.patches(image)], 1)
        imask = torch.ones(b, 1 + self.num_patches, dtype=torch.float32, device=image.device)
        i, a0 = self.image0(i, imask)
        i, a1 = self.image1(i, imask)
        t, a2 = self.text0(self.tokens(input_ids) + self.text_pos, attention_mask.to(torch.float32))
        gates = self.gate(torch.cat([i[:, 0], t[:, 0]], 1)).softmax(-1)
        fused = torch.cat([gates[:, 0:1] * i[:, 0], gates[:, 1:2] * t[:, 0]], 1)
        extras: Dict[str, torch.Tensor] = {"gates": gates}
        return self.head(fused), [a0, a1, a2], extras


def late_manifest(labels, name="tiny-late"):
    return {
        "format": "attnscope-model/1",
        "name": name,
        "description": "Random-weight late-fusion test model: two streams, two decision tokens, gates.",
        "task": "classification",
        "labels": labels,
        "image": {"size": [8, 12], "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]},
        "text": {"tokenizer": "word", "lowercase": True, "max_length": 5, "vocab": VOCAB, "add_cls": True},
        "streams": [
            {"name": "image", "segments": [{"name": "cls", "modality": "special", "length": 1},
                                           {"name": "image", "modality": "image", "grid": [2, 3]}]},
            {"name": "text", "segments": [{"name": "text", "modality": "text", "length": 5}]}],
        "attentions": [
            {"layer": 0, "kind": "self", "query": "image", "key": "image"},
            {"layer": 1, "kind": "self", "query": "image", "key": "image"},
            {"layer": 0, "kind": "self", "query": "text", "key": "text"}],
        "decision": [{"stream": "text", "index": 0}, {"stream": "image", "index": 0}],
        "gates": {"output": "gates", "modalities": ["image", "text"]},
    }


def joint_manifest(labels, name="tiny-joint"):
    return {
        "format": "attnscope-model/1",
        "name": name,
        "description": "Random-weight joint-stream test model (2 layers, 2 heads, width 16).",
        "task": "classification",
        "labels": labels,
        "image": {"size": [16, 24], "mean": [0.5, 0.4, 0.3], "std": [0.25, 0.2, 0.3],
                  "channel_order": "RGB", "resize": "stretch"},
        "text": {"tokenizer": "word", "lowercase": True, "max_length": 6, "vocab": VOCAB,
                 "special_tokens": {"pad": "[PAD]", "unk": "[UNK]", "cls": "[CLS]", "sep": "[SEP]"},
                 "add_cls": False, "add_sep": False},
        "streams": [{"name": "joint", "segments": [
            {"name": "cls", "modality": "special", "length": 1},
            {"name": "image", "modality": "image", "grid": [4, 6]},
            {"name": "text", "modality": "text", "length": 6}]}],
        "attentions": [{"layer": 0, "kind": "self", "query": "joint", "key": "joint"},
                       {"layer": 1, "kind": "self", "query": "joint", "key": "joint"}],
        "decision": {"stream": "joint", "index": 0},
    }


def dual_manifest(labels, name="tiny-dual"):
    return {
        "format": "attnscope-model/1",
        "name": name,
        "description": "Random-weight dual-stream co-attention test model with modality gates.",
        "task": "classification",
        "labels": labels,
        "image": {"size": [12, 16], "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225],
                  "channel_order": "RGB", "resize": "stretch"},
        "text": {"tokenizer": "word", "lowercase": True, "max_length": 6, "vocab": VOCAB,
                 "special_tokens": {"pad": "[PAD]", "unk": "[UNK]", "cls": "[CLS]", "sep": "[SEP]"},
                 "add_cls": True, "add_sep": False},
        "streams": [
            {"name": "text", "segments": [{"name": "text", "modality": "text", "length": 6}]},
            {"name": "image", "segments": [{"name": "image", "modality": "image", "grid": [3, 4]}]}],
        "attentions": [
            {"layer": 0, "kind": "self", "query": "text", "key": "text"},
            {"layer": 0, "kind": "self", "query": "image", "key": "image"},
            {"layer": 1, "kind": "cross", "query": "text", "key": "image"},
            {"layer": 1, "kind": "cross", "query": "image", "key": "text"},
            {"layer": 1, "kind": "self", "query": "text", "key": "text"},
            {"layer": 1, "kind": "self", "query": "image", "key": "image"}],
        "decision": {"stream": "text", "index": 0},
        "gates": {"output": "gates", "modalities": ["image", "text"]},
    }
