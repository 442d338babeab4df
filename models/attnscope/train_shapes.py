"""Trains one of the demo models on Shapes World and exports it to models/zoo/.

    PYTHONPATH=models python3 -m attnscope.train_shapes --arch single        # early fusion (the default model)
    PYTHONPATH=models python3 -m attnscope.train_shapes --arch coattention   # intermediate fusion
    PYTHONPATH=models python3 -m attnscope.train_shapes --arch late          # late fusion with modality gates

Every epoch draws fresh scenes (seeded by the epoch), so the model never sees
an image twice; the validation split is fixed. Seeds are fixed, but thread
scheduling makes CPU training not bit-for-bit repeatable. Questions are read
with AttnScope's tokenizer (attnscope.tokenizer) and the model's own `text`
spec, so the ids it trains on are the ids AttnScope gives it.
"""
import argparse
import json
import math
import os
import sys
import time

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from attnscope import export, paths, tokenizer
from attnscope import shapes_models as sm
from attnscope import shapes_world as world


def preprocess(bgr):
    """As AttnScope does it: BGR -> RGB, area resize to 64 x 64, normalise."""
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    small = cv2.resize(rgb, (sm.IMAGE, sm.IMAGE), interpolation=cv2.INTER_AREA)
    x = small.astype(np.float32) / np.float32(255.0)
    x = (x - np.array(sm.MEAN, np.float32)) * (np.float32(1.0) / np.array(sm.STD, np.float32))
    return x.transpose(2, 0, 1)


def question_tokenizer(add_cls):
    """How AttnScope reads a question for the architecture's manifest."""
    return tokenizer.create(sm.text_spec(add_cls))


NOUNS = {w.encode() for w in world.SHAPES} | {b"object"}


def locations(question, words):
    """Training-only location targets: for each noun that names exactly one
    object of the question ("square" in "is the blue square left of ..."), its
    token position and the object's centre in [-1, 1]. Up to two; position -1
    where there is none."""
    nouns = [n + int(words.add_cls) for n, w in enumerate(words.split(question["question"])) if w in NOUNS]
    boxes = question["boxes"]
    pos, xy = [-1, -1], [[0.0, 0.0], [0.0, 0.0]]
    if 1 <= len(nouns) <= 2 and len(nouns) == len(boxes):
        for k, (n, (x0, y0, x1, y1)) in enumerate(zip(nouns, boxes)):
            pos[k] = n
            xy[k] = [(x0 + x1 - 1) / world.IMAGE_SIZE - 1.0, (y0 + y1 - 1) / world.IMAGE_SIZE - 1.0]
    return pos, xy


def scene_summary(scene):
    """Training-only scene targets: per colour-shape class, how many objects
    (capped at MAX_COUNT) and, where there is exactly one, its centre in [-1, 1]."""
    classes = len(world.COLOUR_NAMES) * len(world.SHAPES)
    counts, centres, unique = [0] * classes, [[0.0, 0.0] for _ in range(classes)], [0.0] * classes
    for o in scene.objects:
        k = world.COLOUR_NAMES.index(o["colour"]) * len(world.SHAPES) + world.SHAPES.index(o["shape"])
        counts[k] = min(world.MAX_COUNT, counts[k] + 1)
        centres[k] = [2.0 * o["centre"][0] / world.IMAGE_SIZE - 1.0, 2.0 * o["centre"][1] / world.IMAGE_SIZE - 1.0]
    for k in range(classes):
        unique[k] = 1.0 if counts[k] == 1 else 0.0
    return counts, centres, unique


def make_data(split, count, add_cls, seed=None, mix=None):
    words = question_tokenizer(add_cls)
    images, image_index, ids, masks, labels, types, patches, pos, xy = [], [], [], [], [], [], [], [], []
    scenes = ([], [], [])
    for scene, questions in world.make_split(split, count, seed=seed, types=mix):
        images.append(preprocess(scene.image))
        patches.append(world.patch_labels(scene))
        for store, value in zip(scenes, scene_summary(scene)):
            store.append(value)
        for q in questions:
            t = words.encode(q["question"])
            image_index.append(len(images) - 1)
            ids.append(t.ids)
            masks.append(t.mask)
            labels.append(world.LABELS.index(q["answer"]))
            types.append(world.QUESTION_TYPES.index(q["type"]))
            p, c = locations(q, words)
            pos.append(p)
            xy.append(c)
    return (torch.from_numpy(np.stack(images)), torch.tensor(image_index), torch.tensor(ids),
            torch.tensor(masks), torch.tensor(labels), torch.tensor(types), torch.tensor(patches),
            torch.tensor(pos), torch.tensor(xy), torch.tensor(scenes[0]), torch.tensor(scenes[1]), torch.tensor(scenes[2]))


def location_probes(model, arch):
    """Where the training-only location losses read the model: the module
    whose output holds the text tokens half-way up (and the offset of the
    first word in it), and the normalised decision state."""
    if arch == "single":
        return model.blocks[(len(model.blocks) - 1) // 2], 1 + model.num_patches, model.norm
    if arch == "coattention":
        return model.text_self[0], 0, model.norm
    return None, 0, None


def scene_probe(model, arch):
    """Late fusion only: the image summary, which never sees the question, is
    asked (training only) what the scene holds - how many objects of each
    colour and shape, and where the single ones are - so it learns to carry
    what any question may need."""
    return model.image_norm if arch == "late" else None


def fusion_probe(model, arch):
    """Late fusion only: the product where the gated image and question
    summaries meet; asked (training only) where the two objects of a spatial
    question are, as the other architectures' decision states are. Without it
    spatial questions stay at chance: the answer depends on neither summary
    alone, and the product's two projections and the head must all line up
    before any gradient says so (a plateau). Asked on the head's first hidden
    layer instead, it did not help."""
    return model.product if arch == "late" else None


def evaluate(model, data, batch=256):
    images, index, ids, masks, labels, types = data[:6]
    model.eval()
    correct = torch.zeros(len(labels), dtype=torch.bool)
    with torch.no_grad():
        for s in range(0, len(labels), batch):
            sl = slice(s, s + batch)
            logits = model(images[index[sl]], ids[sl], masks[sl])[0]
            correct[sl] = logits.argmax(-1) == labels[sl]
    per_type = {t: float(correct[types == k].float().mean()) for k, t in enumerate(world.QUESTION_TYPES)}
    return float(correct.float().mean()), per_type


# The shipped models' settings: `--arch NAME` alone reproduces them. The mix
# leans on the slow-to-learn types (counting, spatial relations).
ARCH_DEFAULTS = {
    "single": {"epochs": 18, "minutes": 55.0, "mix": "existence,attribute,counting,counting,spatial,spatial,spatial"},
    "coattention": {"epochs": 14, "minutes": 42.0, "mix": "existence,attribute,counting,counting,spatial,spatial,spatial"},
    "late": {"epochs": 16, "minutes": 46.0, "mix": "existence,attribute,counting,counting,spatial,spatial,spatial"},
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arch", choices=list(sm.ARCHITECTURES), required=True)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--per-epoch", type=int, default=16000, help="training questions per epoch")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--validation", type=int, default=2000)
    parser.add_argument("--minutes", type=float, default=None, help="stop after this long")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--mix", default=None,
                        help="question types of the training data, cycled (validation and test stay balanced)")
    parser.add_argument("--aux", type=float, default=0.5,
                        help="weight of the training-only per-patch colour/shape loss on the image tokens")
    parser.add_argument("--locate", type=float, default=1.0,
                        help="weight of the training-only losses that ask the named objects' word tokens (half-way "
                             "up) and the decision state (at the top) where those objects are; for late fusion, that "
                             "ask the image summary what the scene holds and where, and the product where the two "
                             "summaries meet where a spatial question's two objects are")
    parser.add_argument("--layers", type=int, default=None, help="transformer layers (single stream only)")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    for key, value in ARCH_DEFAULTS[args.arch].items():
        if getattr(args, key) is None:
            setattr(args, key, value)

    torch.set_num_threads(args.threads)
    torch.manual_seed(17)
    model = sm.ARCHITECTURES[args.arch](**({"layers": args.layers} if args.layers else {}))
    add_cls = args.arch != "single"
    out = args.out or os.path.join(paths.ZOO, sm.ZOO_NAMES[args.arch])
    os.makedirs(os.path.dirname(out), exist_ok=True)
    validation = make_data("validation", args.validation, add_cls)
    # Training-only perception head: which colour and shape covers each patch.
    # It supervises the image tokens (the stem), not any attention map, and is
    # not part of the exported model.
    dim = model.patches.pos.shape[-1]
    aux_head = torch.nn.Linear(dim, world.PATCH_CLASSES)
    # Training-only location heads, read through forward hooks; not exported.
    word_module, word_offset, decision_module = location_probes(model, args.arch)
    word_head, pair_head = torch.nn.Linear(dim, 2), torch.nn.Linear(dim, 4)
    classes = len(world.COLOUR_NAMES) * len(world.SHAPES)
    summary_module = scene_probe(model, args.arch)
    fusion_module = fusion_probe(model, args.arch)
    fusion_head = torch.nn.Linear(2 * dim, 4)
    count_head = torch.nn.Linear(dim, classes * (world.MAX_COUNT + 1))
    where_head = torch.nn.Linear(dim, classes * 2)
    captured = {}
    hooks = []

    def attach():
        if args.locate > 0 and word_module is not None:
            hooks.append(word_module.register_forward_hook(lambda m, i, o: captured.__setitem__("words", o[0])))
            hooks.append(decision_module.register_forward_hook(lambda m, i, o: captured.__setitem__("decision", o)))
        if args.locate > 0 and summary_module is not None:
            hooks.append(summary_module.register_forward_hook(lambda m, i, o: captured.__setitem__("summary", o)))
        if args.locate > 0 and fusion_module is not None:
            hooks.append(fusion_module.register_forward_hook(lambda m, i, o: captured.__setitem__("fused", o)))

    def detach():  # TorchScript cannot script the hooks: none while exporting
        while hooks:
            hooks.pop().remove()

    attach()
    extra = (list(aux_head.parameters()) + list(word_head.parameters()) + list(pair_head.parameters())
             + list(count_head.parameters()) + list(where_head.parameters()) + list(fusion_head.parameters()))
    opt = torch.optim.AdamW(list(model.parameters()) + extra, lr=args.lr, weight_decay=0.05)
    steps_per_epoch = math.ceil(args.per_epoch / args.batch)
    total = steps_per_epoch * args.epochs
    warmup = steps_per_epoch
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(1.0, s / total))))
    start = time.time()
    best = -1.0
    history = []
    for epoch in range(args.epochs):
        images, index, ids, masks, labels, _, patches, pos, xy, counts, centres, unique = make_data("train", args.per_epoch, add_cls,
                                                                  seed=world.SPLIT_SEEDS["train"] + 7919 * epoch,
                                                                  mix=args.mix.split(","))
        model.train()
        order = torch.randperm(len(labels))
        total_loss = 0.0
        for s in range(0, len(labels), args.batch):
            b = order[s:s + args.batch]
            captured.clear()
            logits = model(images[index[b]], ids[b], masks[b])[0]
            loss = F.cross_entropy(logits, labels[b])
            if "summary" in captured:
                summary = captured["summary"]
                scene = index[b]
                loss = loss + args.locate * F.cross_entropy(
                    count_head(summary).view(len(b), classes, -1).flatten(0, 1), counts[scene].flatten())
                mask = unique[scene].unsqueeze(-1)
                err = F.smooth_l1_loss(where_head(summary).view(len(b), classes, 2), centres[scene], beta=0.1,
                                       reduction="none")
                loss = loss + args.locate * (err * mask).sum() / mask.sum().clamp_min(1.0) / 2
            if "fused" in captured:
                pair = (pos[b] >= 0).all(1)
                if bool(pair.any()):
                    loss = loss + args.locate * F.smooth_l1_loss(fusion_head(captured["fused"][pair]),
                                                                 xy[b][pair].flatten(1), beta=0.1)
            if "words" in captured:
                p, c = pos[b], xy[b]
                valid = p >= 0
                if bool(valid.any()):
                    rows = torch.arange(len(b)).unsqueeze(1).expand_as(p)[valid]
                    states = captured["words"][rows, p[valid] + word_offset]
                    loss = loss + args.locate * F.smooth_l1_loss(word_head(states), c[valid], beta=0.1)
                pair = valid.all(1)
                if bool(pair.any()):
                    loss = loss + args.locate * F.smooth_l1_loss(pair_head(captured["decision"][pair]),
                                                                 c[pair].flatten(1), beta=0.1)
            if args.aux > 0:
                tokens = model.patches(images[index[b]])
                loss = loss + args.aux * F.cross_entropy(aux_head(tokens).flatten(0, 1), patches[index[b]].flatten())
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            total_loss += float(loss) * len(b)
        acc, per_type = evaluate(model, validation)
        minutes = (time.time() - start) / 60
        history.append({"epoch": epoch + 1, "loss": total_loss / len(labels), "validation": acc, "minutes": minutes,
                        **per_type})
        print("epoch %2d  loss %.4f  validation %.4f  %s  %.1f min" % (
            epoch + 1, total_loss / len(labels), acc,
            " ".join("%s %.3f" % (t[:5], v) for t, v in per_type.items()), minutes), flush=True)
        if acc > best:
            best = acc
            question = question_tokenizer(add_cls).encode("is there a red circle ?")
            example = (torch.zeros(2, 3, sm.IMAGE, sm.IMAGE), torch.tensor([question.ids] * 2),
                       torch.tensor([question.mask] * 2))
            detach()
            export.export(model, model.manifest(), example, out)
            attach()
        if minutes > args.minutes:
            print("time limit reached", flush=True)
            break
    with open(out + ".training.json", "w") as f:
        json.dump({"arch": args.arch, "args": vars(args), "best_validation": best,
                   "minutes": (time.time() - start) / 60, "history": history}, f, indent=1)
    print("best validation accuracy %.4f; wrote %s" % (best, out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
