"""Test models written as research code writes them (attnscope.research_style),
exported unchanged with contract version 2, and their reference values:

- tests/data/tiny_vit.pt: a timm-style ViT image classifier with two register
  tokens; no text anywhere (inputs: image).
- tests/data/tiny_bert.pt: a BERT-style text classifier with a WordPiece
  vocabulary stored in the archive (vocab.txt); no image anywhere (inputs:
  input_ids, attention_mask, token_type_ids), single texts and pairs.
- tests/data/model_kinds.reference.json: attnscope.reference's values for a
  few inputs of each (the texts read by the Python WordPiece, not AttnScope's).

    PYTHONPATH=models python3 -m attnscope.make_research_test_data

The export checks each archive with the attnscope binary when one is built
(ATTNSCOPE_BINARY or build/app/attnscope).
"""
import json
import os

import torch

from attnscope import export, paths, reference
from attnscope.research_style import BertLike, ClipLike, VitLike

BERT_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "a", "is", "was", "actor", "player", "play",
              "act", "##ing", "##ed", "##or", "##s", "##n", "'", "t", "not", "good", "bad", "film", "story", ",", ".",
              "?", "!", "it", "and", "he", "she", "very"]


def vit_manifest():
    return {
        "format": "attnscope-model/2",
        "name": "tiny-vit-registers",
        "description": "Random-weight timm-style ViT with two register tokens (test model).",
        "task": "classification",
        "labels": ["circle", "square", "triangle"],
        "inputs": ["image"],
        "image": {"size": [24, 32], "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]},
        "streams": [{"name": "vit", "segments": [
            {"name": "cls", "modality": "special", "length": 1},
            {"name": "registers", "modality": "special", "length": 2},
            {"name": "patches", "modality": "image", "grid": [3, 4]}]}],
        "attentions": [{"layer": 0, "query": "vit"}, {"layer": 1, "query": "vit"}],
        "decision": {"stream": "vit", "index": 0},
    }


def bert_manifest():
    return {
        "format": "attnscope-model/2",
        "name": "tiny-bert-wordpiece",
        "description": "Random-weight BERT-style text classifier with a WordPiece vocabulary (test model).",
        "task": "classification",
        "labels": ["negative", "positive"],
        "inputs": ["input_ids", "attention_mask", "token_type_ids"],
        "text": {"tokenizer": "wordpiece", "file": "vocab.txt", "lowercase": True, "max_length": 16},
        "streams": [{"name": "bert", "segments": [{"name": "text", "modality": "text", "length": 16}]}],
        "attentions": [{"layer": 0, "query": "bert"}, {"layer": 1, "query": "bert"}],
        "decision": {"stream": "bert", "index": 0},
    }


def clip_manifest():
    """A CLIP-style dual encoder: two streams, each read at its own decision
    token (the image's class token, the caption's first [SEP], its
    end-of-text), one logit per pair."""
    return {
        "format": "attnscope-model/2",
        "name": "tiny-clip-like",
        "description": "Random-weight CLIP-style dual encoder (test model): exp(logit_scale) x cosine.",
        "task": "matching", "score": "logit",
        "inputs": ["image", "input_ids"],
        "image": {"size": [24, 24], "mean": [0.48145466, 0.4578275, 0.40821073],
                  "std": [0.26862954, 0.26130258, 0.27577711], "resize": "shortest_edge", "interpolation": "bicubic"},
        "text": {"tokenizer": "wordpiece", "file": "vocab.txt", "lowercase": True, "max_length": 12},
        "streams": [{"name": "image", "segments": [{"name": "cls", "modality": "special", "length": 1},
                                                   {"name": "patches", "modality": "image", "grid": [3, 3]}]},
                    {"name": "text", "segments": [{"name": "caption", "modality": "text", "length": 12}]}],
        "attentions": [{"layer": 0, "query": "image"}, {"layer": 1, "query": "image"},
                       {"layer": 0, "query": "text"}, {"layer": 1, "query": "text"}],
        "decision": [{"stream": "image", "index": 0}, {"stream": "text", "rule": "first_id", "id": 3}],
    }


def write_clip(data):
    torch.manual_seed(14)
    model = ClipLike(len(BERT_VOCAB), eot_id=3)
    wrapped = export.AttentionRecorder(model)  # CLIP is built on nn.MultiheadAttention
    ids = torch.randint(5, len(BERT_VOCAB), (2, 12))
    ids[:, 0], ids[0, 5], ids[1, 8] = 2, 3, 3  # [CLS] ... [SEP] at different places
    path = os.path.join(data, "tiny_clip.pt")
    export.export(wrapped, clip_manifest(), (torch.randn(2, 3, 24, 24), ids), path,
                  files={"vocab.txt": "\n".join(BERT_VOCAB) + "\n"})
    return path


def make_register_a_sink(model, strength=4.0):
    """Block 0's queries all point one way and only the first register's key
    points there too, so every token of every head gives it most of its
    attention: an attention sink by construction (the register's input to
    block 0 is the same for every image)."""
    block = model.blocks[0]
    dim = model.pos_embed.shape[-1]
    heads, head_dim = block.attn.num_heads, block.attn.head_dim
    with torch.no_grad():
        u = block.norm1(model.reg_token[0, :1])[0]  # the register's normalised input
        weight, bias = block.attn.qkv.weight, block.attn.qkv.bias
        for h in range(heads):
            q = slice(h * head_dim, (h + 1) * head_dim)
            k = slice(dim + h * head_dim, dim + (h + 1) * head_dim)
            weight[q] = 0
            bias[q] = 0
            bias[q.start] = strength
            weight[k] = 0
            weight[k.start] = u * (strength / float(u @ u))


def write_vit(data, multilabel=False, sink=False):
    torch.manual_seed(16 if sink else 15 if multilabel else 11)
    model = VitLike(3, img_size=(24, 32), patch_size=8, dim=24, depth=2, num_heads=2, reg_tokens=2)
    if sink:
        make_register_a_sink(model)
    wrapped = export.AttentionRecorder(model, modules="blocks.*.attn.attn_drop")
    manifest = vit_manifest()
    if multilabel:  # which shapes the picture holds, each on its own: a sigmoid per label
        manifest.update(name="tiny-vit-multilabel", task="multilabel",
                        description="Random-weight timm-style ViT, one sigmoid per label (test model).")
    if sink:
        manifest.update(name="tiny-vit-sink", description="Random-weight timm-style ViT whose first register "
                        "draws most attention in its first block (test model).")
    path = os.path.join(data, "tiny_vit_sink.pt" if sink else "tiny_vit_multilabel.pt" if multilabel else "tiny_vit.pt")
    export.export(wrapped, manifest, (torch.randn(2, 3, 24, 32),), path)
    return path


def bert_last_manifest():
    """Pools at the last real token, wherever the text ends: a decision rule."""
    return dict(bert_manifest(), name="tiny-bert-last-token",
                description="Random-weight BERT-style classifier pooled at the last real token (test model).",
                decision={"stream": "bert", "rule": "last_real"})


def write_bert(data, pool_last=False):
    torch.manual_seed(13 if pool_last else 12)
    model = BertLike(len(BERT_VOCAB), 2, dim=24, heads=2, layers=2, max_positions=16, pool_last=pool_last)
    with torch.no_grad():  # peakier attention: sharper tests
        for layer in model.bert.encoder.layer:
            layer.attention.self.query.weight.mul_(3.0)
    wrapped = export.AttentionRecorder(model, modules="bert.encoder.layer.*.attention.self.dropout")
    ids = torch.randint(0, len(BERT_VOCAB), (2, 16))
    mask = torch.ones(2, 16, dtype=torch.long)
    types = torch.zeros(2, 16, dtype=torch.long)
    if pool_last:  # examples of different lengths: the pooled position must follow each
        mask[0, 9:] = 0
    path = os.path.join(data, "tiny_bert_last.pt" if pool_last else "tiny_bert.pt")
    export.export(wrapped, bert_last_manifest() if pool_last else bert_manifest(), (ids, mask, types), path,
                  files={"vocab.txt": "\n".join(BERT_VOCAB) + "\n"})
    return path


CASES = [
    ("tiny_vit.pt", "images/joint_exact.png", "", None),
    ("tiny_vit.pt", "images/joint_large.png", "", None),
    ("tiny_bert.pt", None, "The actor wasn't playing, it was a very good film!", None),
    ("tiny_bert.pt", None, "She acted", "the players played a bad story"),
    ("tiny_bert.pt", None, "a zebra is not an actor", None),
    ("tiny_bert.pt", None, "the film was good and the story was good and the actor was very good", None),
    ("tiny_vit_multilabel.pt", "images/joint_large.png", "", None),
    ("tiny_vit_sink.pt", "images/joint_large.png", "", None),
    ("tiny_vit_sink.pt", "images/joint_exact.png", "", None),
    ("tiny_clip.pt", "images/joint_exact.png", "a good film", None),
    ("tiny_clip.pt", "images/joint_large.png", "the actor was playing a very bad story", None),
    ("tiny_clip.pt", "images/joint_exact.png", "the actor was playing a very bad story", None),
    ("tiny_clip.pt", "images/joint_large.png", "a good film", None),
    ("tiny_bert_last.pt", None, "she acted", None),
    ("tiny_bert_last.pt", None, "the actor", "was not very good"),
    ("tiny_bert_last.pt", None, "the film was good and the story was good and the actor was very good", None),
]


def write_reference(data):
    out = []
    for model, image, text, pair in CASES:
        ref = reference.compute(os.path.join(data, model), os.path.join(data, image) if image else None, text, pair)
        ref["model"] = model
        ref["image"] = image
        out.append(ref)
    with open(os.path.join(data, "model_kinds.reference.json"), "w") as f:
        json.dump({"generator": "models/attnscope/make_research_test_data.py (attnscope.reference)", "cases": out}, f,
                  indent=1)


def main():
    data = paths.TEST_DATA
    write_vit(data)
    write_bert(data)
    write_bert(data, pool_last=True)
    write_clip(data)
    write_vit(data, multilabel=True)
    write_vit(data, sink=True)
    write_reference(data)


if __name__ == "__main__":
    main()
