"""Trains the demo models of the other model kinds on Shapes World and exports
them to models/zoo/, written as research code writes them
(attnscope.research_style) and exported unchanged:

    PYTHONPATH=models python3 -m attnscope.train_kinds --kind vit    # image only: how many objects
    PYTHONPATH=models python3 -m attnscope.train_kinds --kind clip   # CLIP-like dual encoder

- `vit` (shapes_vit_registers.pt): a timm-style ViT with four register tokens
  that counts the objects of a scene (1 to 5). No text anywhere.
- `clip` (shapes_clip.pt): a CLIP-style dual encoder trained contrastively
  (symmetric cross-entropy over a batch, as CLIP is) on generated captions
  ("a photo of two red circles and a blue square"), read with CLIP's own BPE:
  the merges of OpenAI's bpe_simple_vocab_16e6.txt.gz that these captions
  use, in their original order (so every caption splits exactly as CLIP
  splits it), stored in the archive. Scored as CLIP scores:
  exp(logit_scale) * cosine, a logit.

Both see the pictures as AttnScope gives them (BGR -> RGB, area resize to
64 x 64, normalised). Every epoch draws fresh scenes; the validation scenes
are fixed. Needs ../shared/oracles (the BPE file) for `clip` only.
"""
import argparse
import gzip
import json
import math
import os
import sys
import time

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from attnscope import export, paths
from attnscope import shapes_world as world
from attnscope.research_style import ClipLike, VitLike

IMAGE = 64
MEAN, STD = [0.5, 0.5, 0.5], [0.25, 0.25, 0.25]
COUNTS = ["1", "2", "3", "4", "5"]
CONTEXT = 16
CLIP_BPE = os.path.join(paths.ROOT, "..", "shared", "oracles", "tokenizers", "clip_bpe", "bpe_simple_vocab_16e6.txt.gz")
NUMBERS = {1: "a", 2: "two", 3: "three"}


def preprocess(bgr):
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    small = cv2.resize(rgb, (IMAGE, IMAGE), interpolation=cv2.INTER_AREA)
    x = small.astype(np.float32) / np.float32(255.0)
    x = (x - np.array(MEAN, np.float32)) * (np.float32(1.0) / np.array(STD, np.float32))
    return x.transpose(2, 0, 1)


def image_spec():
    return {"size": [IMAGE, IMAGE], "mean": MEAN, "std": STD, "channel_order": "RGB", "resize": "stretch",
            "interpolation": "area"}


# ---------------------------------------------------------------- captions

def caption(objects):
    """"a photo of two red circles and a blue square": the objects grouped by
    colour and shape, in the order they first appear."""
    groups = {}
    for o in objects:
        groups[(o["colour"], o["shape"])] = groups.get((o["colour"], o["shape"]), 0) + 1
    parts = []
    for (colour, shape), n in groups.items():
        parts.append("%s %s %s" % (NUMBERS[n], colour, world.PLURALS[shape] if n > 1 else shape))
    return "a photo of " + " and ".join(parts)


def candidates():
    """The zero-shot candidates: one caption per colour and shape."""
    return ["a photo of a %s %s" % (c, s) for c in world.COLOUR_NAMES for s in world.SHAPES]


def caption_words():
    words = {"a", "photo", "of", "and", "two", "three"} | set(world.COLOUR_NAMES) | set(world.SHAPES)
    return sorted(words | set(world.PLURALS.values()))


# ----------------------------------------------------- CLIP's BPE, trimmed

def bytes_to_unicode():
    """CLIP's (and GPT-2's) printable stand-in for every byte."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\xa1"), ord("\xac") + 1)) + \
        list(range(ord("\xae"), ord("\xff") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def bpe(word, ranks):
    """Byte-pair merges of one lower-case ASCII word, `</w>` on its last
    symbol; returns the symbols and the merges used."""
    symbols = list(word[:-1]) + [word[-1] + "</w>"]
    used = []
    while len(symbols) > 1:
        pairs = [(ranks.get((a, b), math.inf), i) for i, (a, b) in enumerate(zip(symbols, symbols[1:]))]
        rank, _ = min(pairs)
        if rank == math.inf:
            break
        pair = next((symbols[i], symbols[i + 1]) for r, i in pairs if r == rank)
        used.append(pair)
        merged, i = [], 0
        while i < len(symbols):
            if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
                merged.append(symbols[i] + symbols[i + 1])
                i += 2
            else:
                merged.append(symbols[i])
                i += 1
        symbols = merged
    return symbols, used


class TrimmedClipBpe:
    """The merges the caption words use, kept in CLIP's order, and the
    vocabulary CLIP's simple_tokenizer builds from such a list: the 256 byte
    symbols, the same with `</w>`, one per merge, then <|startoftext|> and
    <|endoftext|>. Padding is id 0, as clip.tokenize pads."""

    def __init__(self, path=CLIP_BPE):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            lines = f.read().split("\n")[1:49152 - 256 - 2 + 1]
        merges = [tuple(line.split()) for line in lines]
        ranks = {m: i for i, m in enumerate(merges)}
        needed = set()
        for w in caption_words():
            needed |= set(bpe(w, ranks)[1])
        self.merges = [m for m in merges if m in needed]
        symbols = list(bytes_to_unicode().values())
        self.vocab = symbols + [s + "</w>" for s in symbols] + ["".join(m) for m in self.merges] + \
            ["<|startoftext|>", "<|endoftext|>"]
        self.ids = {t: i for i, t in enumerate(self.vocab)}
        self.ranks = {m: i for i, m in enumerate(self.merges)}
        self.sot, self.eot = self.ids["<|startoftext|>"], self.ids["<|endoftext|>"]

    def file_text(self):
        return "\n".join(["#version: 0.2 (the merges of bpe_simple_vocab_16e6.txt that AttnScope's demo "
                          "captions use, in CLIP's order)"] + [" ".join(m) for m in self.merges]) + "\n"

    def encode(self, text):
        ids = [self.sot]
        for w in text.lower().split():
            ids += [self.ids[s] for s in bpe(w, self.ranks)[0]]
        ids = ids[:CONTEXT - 1] + [self.eot]
        return ids + [0] * (CONTEXT - len(ids))


# ------------------------------------------------------------------ data

def scenes(count, seed, min_objects, max_objects):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        yield world.make_scene(rng, min_objects=min_objects, max_objects=max_objects)


def count_data(count, seed):
    images, labels = [], []
    for s in scenes(count, seed, 1, 5):
        images.append(preprocess(s.image))
        labels.append(len(s.objects) - 1)
    return torch.from_numpy(np.stack(images)), torch.tensor(labels)


def caption_data(count, seed, bpe_, min_objects=1, max_objects=3):
    images, ids = [], []
    for s in scenes(count, seed, min_objects, max_objects):
        images.append(preprocess(s.image))
        ids.append(bpe_.encode(caption(s.objects)))
    return torch.from_numpy(np.stack(images)), torch.tensor(ids)


def zero_shot_data(count, seed):
    """Single-object scenes and the index of their candidate caption."""
    images, labels = [], []
    names = candidates()
    for s in scenes(count, seed, 1, 1):
        images.append(preprocess(s.image))
        o = s.objects[0]
        labels.append(names.index("a photo of a %s %s" % (o["colour"], o["shape"])))
    return torch.from_numpy(np.stack(images)), torch.tensor(labels)


# ---------------------------------------------------------------- models

def vit_manifest(registers):
    return {
        "format": "attnscope-model/2",
        "name": "shapes-vit-registers",
        "description": "How many objects a Shapes World scene holds (1 to 5): a timm-style ViT with %d register "
                       "tokens, image only." % registers,
        "task": "classification",
        "labels": COUNTS,
        "inputs": ["image"],
        "image": image_spec(),
        "streams": [{"name": "vit", "segments": [
            {"name": "cls", "modality": "special", "length": 1},
            {"name": "registers", "modality": "special", "length": registers},
            {"name": "patches", "modality": "image", "grid": [8, 8]}]}],
        "attentions": [{"layer": i, "query": "vit"} for i in range(4)],
        "decision": {"stream": "vit", "index": 0},
    }


def clip_manifest(eot):
    return {
        "format": "attnscope-model/2",
        "name": "shapes-clip",
        "description": "CLIP-style dual encoder trained contrastively on Shapes World captions; the score is "
                       "exp(logit_scale) x cosine, as CLIP's.",
        "task": "matching", "score": "logit",
        "inputs": ["image", "input_ids"],
        "image": image_spec(),
        "text": {"tokenizer": "clip_bpe", "file": "bpe_simple_vocab_16e6.txt.gz", "max_length": CONTEXT},
        "streams": [{"name": "image", "segments": [{"name": "cls", "modality": "special", "length": 1},
                                                   {"name": "patches", "modality": "image", "grid": [8, 8]}]},
                    {"name": "text", "segments": [{"name": "caption", "modality": "text", "length": CONTEXT}]}],
        "attentions": [{"layer": i, "query": "image"} for i in range(3)]
        + [{"layer": i, "query": "text"} for i in range(3)],
        "decision": [{"stream": "image", "index": 0}, {"stream": "text", "rule": "first_id", "id": eot}],
    }


def schedule(opt, total, warmup):
    return torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(1.0, s / total))))


def train_vit(args, out):
    model = VitLike(len(COUNTS), img_size=(IMAGE, IMAGE), patch_size=8, dim=64, depth=4, num_heads=4,
                    reg_tokens=args.registers)
    val_x, val_y = count_data(args.validation, world.SPLIT_SEEDS["validation"])
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.05)
    steps = math.ceil(args.per_epoch / args.batch)
    sched = schedule(opt, steps * args.epochs, steps)
    best, history, start = -1.0, [], time.time()
    for epoch in range(args.epochs):
        x, y = count_data(args.per_epoch, world.SPLIT_SEEDS["train"] + 7919 * epoch)
        model.train()
        order = torch.randperm(len(y))
        total = 0.0
        for s in range(0, len(y), args.batch):
            b = order[s:s + args.batch]
            loss = F.cross_entropy(model(x[b]), y[b])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            total += float(loss) * len(b)
        model.eval()
        with torch.no_grad():
            acc = float((model(val_x).argmax(-1) == val_y).float().mean())
        minutes = (time.time() - start) / 60
        history.append({"epoch": epoch + 1, "loss": total / len(y), "validation": acc, "minutes": minutes})
        print("epoch %2d  loss %.4f  validation %.4f  %.1f min" % (epoch + 1, total / len(y), acc, minutes), flush=True)
        if acc > best:
            best = acc
            wrapped = export.AttentionRecorder(model, modules="blocks.*.attn.attn_drop")
            export.export(wrapped, vit_manifest(args.registers), (torch.zeros(2, 3, IMAGE, IMAGE),), out)
        if minutes > args.minutes:
            break
    return best, history


def clip_loss(model, images, ids):
    i = F.normalize(model.encode_image(images), dim=-1)
    t = F.normalize(model.encode_text(ids), dim=-1)
    logits = model.logit_scale.exp().clamp(max=100.0) * i @ t.t()
    # Scenes with the same caption are both right: targets spread over them.
    same = (ids[:, None, :] == ids[None, :, :]).all(-1).float()
    targets = same / same.sum(1, keepdim=True)
    return 0.5 * (F.cross_entropy(logits, targets) + F.cross_entropy(logits.t(), targets))


def zero_shot_accuracy(model, images, labels, bpe_):
    with torch.no_grad():
        t = F.normalize(model.encode_text(torch.tensor([bpe_.encode(c) for c in candidates()])), dim=-1)
        i = F.normalize(model.encode_image(images), dim=-1)
        return float(((i @ t.t()).argmax(-1) == labels).float().mean())


def train_clip(args, out):
    bpe_ = TrimmedClipBpe()
    model = ClipLike(len(bpe_.vocab), eot_id=bpe_.eot, img_size=IMAGE, patch=8, width=64, layers=3, heads=4,
                     context=CONTEXT, embed=32)
    val_x, val_y = zero_shot_data(args.validation, world.SPLIT_SEEDS["validation"])
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.05)
    steps = math.ceil(args.per_epoch / args.batch)
    sched = schedule(opt, steps * args.epochs, steps)
    best, history, start = -1.0, [], time.time()
    for epoch in range(args.epochs):
        x, ids = caption_data(args.per_epoch, world.SPLIT_SEEDS["train"] + 7919 * epoch, bpe_)
        model.train()
        order = torch.randperm(len(ids))
        total = 0.0
        for s in range(0, len(ids), args.batch):
            b = order[s:s + args.batch]
            loss = clip_loss(model, x[b], ids[b])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            total += float(loss) * len(b)
        model.eval()
        acc = zero_shot_accuracy(model, val_x, val_y, bpe_)
        minutes = (time.time() - start) / 60
        history.append({"epoch": epoch + 1, "loss": total / len(ids), "zero_shot_validation": acc,
                        "logit_scale": float(model.logit_scale.exp()), "minutes": minutes})
        print("epoch %2d  loss %.4f  zero-shot %.4f  scale %.1f  %.1f min" % (
            epoch + 1, total / len(ids), acc, float(model.logit_scale.exp()), minutes), flush=True)
        if acc > best:
            best = acc
            wrapped = export.AttentionRecorder(model)
            example = (torch.zeros(2, 3, IMAGE, IMAGE), torch.tensor([bpe_.encode("a photo of a red circle")] * 2))
            export.export(wrapped, clip_manifest(bpe_.eot), example, out,
                          files={"bpe_simple_vocab_16e6.txt.gz": gzip.compress(bpe_.file_text().encode(), mtime=0)})
        if minutes > args.minutes:
            break
    return best, history


DEFAULTS = {"vit": {"epochs": 16, "per_epoch": 12000, "lr": 1e-3, "minutes": 40.0},
            "clip": {"epochs": 16, "per_epoch": 12000, "lr": 1e-3, "minutes": 40.0}}
ZOO_NAMES = {"vit": "shapes_vit_registers.pt", "clip": "shapes_clip.pt"}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kind", choices=list(ZOO_NAMES), required=True)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--per-epoch", type=int, default=None, help="training scenes per epoch")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--lr", type=float, default=None)
    parser.add_argument("--validation", type=int, default=1000)
    parser.add_argument("--minutes", type=float, default=None, help="stop after this long")
    parser.add_argument("--registers", type=int, default=4, help="register tokens (vit)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    for key, value in DEFAULTS[args.kind].items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    torch.set_num_threads(args.threads)
    torch.manual_seed(23)
    out = args.out or os.path.join(paths.ZOO, ZOO_NAMES[args.kind])
    start = time.time()
    best, history = (train_vit if args.kind == "vit" else train_clip)(args, out)
    with open(out + ".training.json", "w") as f:
        json.dump({"kind": args.kind, "args": vars(args), "best_validation": best,
                   "minutes": (time.time() - start) / 60, "history": history}, f, indent=1)
    print("best validation %.4f; wrote %s" % (best, out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
