"""The three demo architectures of AttnScope, one per fusion strategy, for
Shapes World visual question answering (64 x 64 images, 8 x 8 patches):

Images enter through a small convolutional stem that yields one token per 8x8
patch (ConvPatchEmbed).

- ShapesSingleStream: early fusion, ViLT-like: [CLS], image patches and words
  in one transformer; [CLS] decides.
- ShapesCoAttention: intermediate fusion, LXMERT-like: an image encoder and a
  text encoder, then co-attention layers (each stream attends to the other,
  then to itself); the text [CLS] decides.
- ShapesLateFusion: late fusion with learned modality weights: separate image
  and text encoders whose [CLS] summaries are weighed by learned gates (an
  attention over the two modalities), then joined side by side and in an
  element-wise product before the classifier.

Each returns (logits, attentions, extras) as the AttnScope contract asks -
the extras holding every map's per-head queries, keys and values (the
manifest's attention_inputs) and, for late fusion, the gates - and
`manifest(...)` describes it.
"""
from typing import Dict, List, Tuple

import torch
import torch.nn as nn

from attnscope import shapes_world as world
from attnscope.layers import Block, ConvPatchEmbed, CrossBlock, sequence_position_code

IMAGE = 64
PATCH = 8
GRID = IMAGE // PATCH
MAX_LEN = 12
MEAN = [0.5, 0.5, 0.5]
STD = [0.25, 0.25, 0.25]


def _record(extras: Dict[str, torch.Tensor], index: int, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> int:
    """Keeps a map's per-head queries, keys and values for the manifest's
    attention_inputs (AttnScope's teaching view); returns the next index."""
    extras["q." + str(index)] = q
    extras["k." + str(index)] = k
    extras["v." + str(index)] = v
    return index + 1


ATTENTION_INPUTS = {"queries": "q", "keys": "k", "values": "v"}


def _image_spec():
    return {"size": [IMAGE, IMAGE], "mean": MEAN, "std": STD, "channel_order": "RGB", "resize": "stretch"}


def text_spec(add_cls):
    """The manifest's `text`: Shapes World's vocabulary, [CLS] first where the
    architecture decides on it, no [SEP]."""
    return {"tokenizer": "word", "lowercase": True, "max_length": MAX_LEN, "vocab": world.VOCAB,
            "special_tokens": {"pad": "[PAD]", "unk": "[UNK]", "cls": "[CLS]", "sep": "[SEP]"},
            "add_cls": add_cls, "add_sep": False}


class ShapesSingleStream(nn.Module):
    def __init__(self, dim: int = 96, heads: int = 4, layers: int = 4):
        super().__init__()
        self.num_patches = GRID * GRID
        self.patches = ConvPatchEmbed(GRID, GRID, dim)
        self.tokens = nn.Embedding(len(world.VOCAB), dim)
        self.text_pos = nn.Parameter(torch.randn(1, MAX_LEN, dim) * 0.02)
        self.register_buffer("word_order", sequence_position_code(MAX_LEN, dim))
        self.modality = nn.Parameter(torch.zeros(2, dim))
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        self.blocks = nn.ModuleList([Block(dim, heads, 1.0) for _ in range(layers)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, len(world.LABELS))

    def forward(self, image: torch.Tensor, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> Tuple[torch.Tensor, List[torch.Tensor], Dict[str, torch.Tensor]]:
        b = image.shape[0]
        img = self.patches(image) + self.modality[0]
        txt = self.tokens(input_ids) + self.text_pos + self.word_order + self.modality[1]
        x = torch.cat([self.cls.expand(b, -1, -1), img, txt], 1)
        mask = torch.cat([torch.ones(b, 1 + self.num_patches, dtype=torch.float32, device=image.device),
                          attention_mask.to(torch.float32)], 1)
        attentions: List[torch.Tensor] = []
        extras: Dict[str, torch.Tensor] = {}
        n = 0
        for block in self.blocks:
            h = block.norm1(x)
            q, k, v = block.attn.project(h, h)
            n = _record(extras, n, q, k, v)
            x, a = block(x, mask)
            attentions.append(a)
        return self.head(self.norm(x[:, 0])), attentions, extras

    def manifest(self, name="shapes-single-stream"):
        return {
            "format": "attnscope-model/1", "name": name,
            "description": "Shapes World VQA, early fusion (ViLT-like): [CLS], 8x8 image patches and words "
                           "in one %d-layer transformer." % len(self.blocks),
            "task": "classification", "labels": world.LABELS,
            "image": _image_spec(), "text": text_spec(False),
            "streams": [{"name": "joint", "segments": [
                {"name": "cls", "modality": "special", "length": 1},
                {"name": "image", "modality": "image", "grid": [GRID, GRID]},
                {"name": "text", "modality": "text", "length": MAX_LEN}]}],
            "attentions": [{"layer": i, "kind": "self", "query": "joint", "key": "joint"}
                           for i in range(len(self.blocks))],
            "decision": {"stream": "joint", "index": 0},
            "attention_inputs": ATTENTION_INPUTS,
        }


class ShapesCoAttention(nn.Module):
    def __init__(self, dim: int = 96, heads: int = 4, text_layers: int = 1, image_layers: int = 2,
                 cross_layers: int = 2):
        super().__init__()
        self.num_patches = GRID * GRID
        self.patches = ConvPatchEmbed(GRID, GRID, dim)
        self.tokens = nn.Embedding(len(world.VOCAB), dim)
        self.text_pos = nn.Parameter(torch.randn(1, MAX_LEN, dim) * 0.02)
        self.register_buffer("word_order", sequence_position_code(MAX_LEN, dim))
        self.text_blocks = nn.ModuleList([Block(dim, heads, 1.0) for _ in range(text_layers)])
        self.image_blocks = nn.ModuleList([Block(dim, heads, 1.0) for _ in range(image_layers)])
        self.text_cross = nn.ModuleList([CrossBlock(dim, heads, 1.0) for _ in range(cross_layers)])
        self.image_cross = nn.ModuleList([CrossBlock(dim, heads, 1.0) for _ in range(cross_layers)])
        self.text_self = nn.ModuleList([Block(dim, heads, 1.0) for _ in range(cross_layers)])
        self.image_self = nn.ModuleList([Block(dim, heads, 1.0) for _ in range(cross_layers)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, len(world.LABELS))

    def forward(self, image: torch.Tensor, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> Tuple[torch.Tensor, List[torch.Tensor], Dict[str, torch.Tensor]]:
        b = image.shape[0]
        t = self.tokens(input_ids) + self.text_pos + self.word_order
        i = self.patches(image)
        tmask = attention_mask.to(torch.float32)
        imask = torch.ones(b, self.num_patches, dtype=torch.float32, device=image.device)
        attentions: List[torch.Tensor] = []
        extras: Dict[str, torch.Tensor] = {}
        n = 0
        for block in self.text_blocks:
            h = block.norm1(t)
            q, k, v = block.attn.project(h, h)
            n = _record(extras, n, q, k, v)
            t, a = block(t, tmask)
            attentions.append(a)
        for block in self.image_blocks:
            h = block.norm1(i)
            q, k, v = block.attn.project(h, h)
            n = _record(extras, n, q, k, v)
            i, a = block(i, imask)
            attentions.append(a)
        for tc, ic, ts, im in zip(self.text_cross, self.image_cross, self.text_self, self.image_self):
            q, k, v = tc.attn.project(tc.norm_q(t), tc.norm_kv(i))
            n = _record(extras, n, q, k, v)
            t2, a_ti = tc(t, i, imask)
            q, k, v = ic.attn.project(ic.norm_q(i), ic.norm_kv(t))
            n = _record(extras, n, q, k, v)
            i2, a_it = ic(i, t, tmask)
            h = ts.norm1(t2)
            q, k, v = ts.attn.project(h, h)
            n = _record(extras, n, q, k, v)
            t, a_t = ts(t2, tmask)
            h = im.norm1(i2)
            q, k, v = im.attn.project(h, h)
            n = _record(extras, n, q, k, v)
            i, a_i = im(i2, imask)
            attentions += [a_ti, a_it, a_t, a_i]
        return self.head(self.norm(t[:, 0])), attentions, extras

    def manifest(self, name="shapes-co-attention"):
        attentions = []
        layer = 0
        for _ in self.text_blocks:
            attentions.append({"layer": layer, "kind": "self", "query": "text", "key": "text"})
            layer += 1
        for n, _ in enumerate(self.image_blocks):
            attentions.append({"layer": n, "kind": "self", "query": "image", "key": "image"})
        layer = max(len(self.text_blocks), len(self.image_blocks))
        for _ in self.text_cross:
            attentions += [{"layer": layer, "kind": "cross", "query": "text", "key": "image"},
                           {"layer": layer, "kind": "cross", "query": "image", "key": "text"},
                           {"layer": layer, "kind": "self", "query": "text", "key": "text"},
                           {"layer": layer, "kind": "self", "query": "image", "key": "image"}]
            layer += 1
        return {
            "format": "attnscope-model/1", "name": name,
            "description": "Shapes World VQA, intermediate fusion (LXMERT-like): text and image encoders, "
                           "then %d co-attention layers; the text [CLS] decides." % len(self.text_cross),
            "task": "classification", "labels": world.LABELS,
            "image": _image_spec(), "text": text_spec(True),
            "streams": [{"name": "text", "segments": [{"name": "text", "modality": "text", "length": MAX_LEN}]},
                        {"name": "image", "segments": [{"name": "image", "modality": "image", "grid": [GRID, GRID]}]}],
            "attentions": attentions,
            "decision": {"stream": "text", "index": 0},
            "attention_inputs": ATTENTION_INPUTS,
        }


class ProductFusion(nn.Module):
    """Where late fusion's two gated summaries meet: an element-wise product
    of their projections, so the question can select what the image summary
    carries (which object's count, which one's position)."""

    def __init__(self, dim: int, width: int):
        super().__init__()
        self.image_proj = nn.Linear(dim, width)
        self.text_proj = nn.Linear(dim, width)

    def forward(self, image: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        return self.image_proj(image) * self.text_proj(text)


class ShapesLateFusion(nn.Module):
    def __init__(self, dim: int = 96, heads: int = 4, image_layers: int = 3, text_layers: int = 2):
        super().__init__()
        self.num_patches = GRID * GRID
        self.patches = ConvPatchEmbed(GRID, GRID, dim)
        self.image_cls = nn.Parameter(torch.zeros(1, 1, dim))
        self.tokens = nn.Embedding(len(world.VOCAB), dim)
        self.text_pos = nn.Parameter(torch.randn(1, MAX_LEN, dim) * 0.02)
        self.register_buffer("word_order", sequence_position_code(MAX_LEN, dim))
        self.image_blocks = nn.ModuleList([Block(dim, heads, 1.0) for _ in range(image_layers)])
        self.text_blocks = nn.ModuleList([Block(dim, heads, 1.0) for _ in range(text_layers)])
        self.image_norm = nn.LayerNorm(dim)
        self.text_norm = nn.LayerNorm(dim)
        self.gate = nn.Sequential(nn.Linear(2 * dim, dim), nn.GELU(), nn.Linear(dim, 2))
        # The gated summaries meet in a product as well as side by side: a sum
        # of the two cannot express a question selecting from the image.
        self.product = ProductFusion(dim, 2 * dim)
        self.head = nn.Sequential(nn.Linear(4 * dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, 2 * dim), nn.GELU(),
                                  nn.Linear(2 * dim, len(world.LABELS)))

    def forward(self, image: torch.Tensor, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> Tuple[torch.Tensor, List[torch.Tensor], Dict[str, torch.Tensor]]:
        b = image.shape[0]
        i = torch.cat([self.image_cls.expand(b, -1, -1), self.patches(image)], 1)
        imask = torch.ones(b, 1 + self.num_patches, dtype=torch.float32, device=image.device)
        t = self.tokens(input_ids) + self.text_pos + self.word_order
        tmask = attention_mask.to(torch.float32)
        attentions: List[torch.Tensor] = []
        extras: Dict[str, torch.Tensor] = {}
        n = 0
        for block in self.image_blocks:
            h = block.norm1(i)
            q, k, v = block.attn.project(h, h)
            n = _record(extras, n, q, k, v)
            i, a = block(i, imask)
            attentions.append(a)
        for block in self.text_blocks:
            h = block.norm1(t)
            q, k, v = block.attn.project(h, h)
            n = _record(extras, n, q, k, v)
            t, a = block(t, tmask)
            attentions.append(a)
        si = self.image_norm(i[:, 0])
        st = self.text_norm(t[:, 0])
        gates = self.gate(torch.cat([si, st], 1)).softmax(-1)          # [image, text]
        gi = gates[:, 0:1] * si
        gt = gates[:, 1:2] * st
        fused = torch.cat([gi, gt, self.product(gi, gt)], 1)
        extras["gates"] = gates
        return self.head(fused), attentions, extras

    def manifest(self, name="shapes-late-fusion"):
        return {
            "format": "attnscope-model/1", "name": name,
            "description": "Shapes World VQA, late fusion: separate image (%d layers) and text (%d layers) "
                           "encoders whose [CLS] summaries are weighed by learned modality gates."
                           % (len(self.image_blocks), len(self.text_blocks)),
            "task": "classification", "labels": world.LABELS,
            "image": _image_spec(), "text": text_spec(True),
            "streams": [{"name": "image", "segments": [{"name": "cls", "modality": "special", "length": 1},
                                                       {"name": "image", "modality": "image", "grid": [GRID, GRID]}]},
                        {"name": "text", "segments": [{"name": "text", "modality": "text", "length": MAX_LEN}]}],
            "attentions": [{"layer": n, "kind": "self", "query": "image", "key": "image"}
                           for n in range(len(self.image_blocks))]
                          + [{"layer": n, "kind": "self", "query": "text", "key": "text"}
                             for n in range(len(self.text_blocks))],
            "decision": [{"stream": "text", "index": 0}, {"stream": "image", "index": 0}],
            "gates": {"output": "gates", "modalities": ["image", "text"]},
            "attention_inputs": ATTENTION_INPUTS,
        }


ARCHITECTURES = {"single": ShapesSingleStream, "coattention": ShapesCoAttention, "late": ShapesLateFusion}
ZOO_NAMES = {"single": "shapes_single_stream.pt", "coattention": "shapes_co_attention.pt",
             "late": "shapes_late_fusion.pt"}
