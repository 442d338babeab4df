"""Independent reference implementations of AttnScope's explanation methods.

Written from the papers, with explicit per-stream variables (text t, image i)
in the style of Chefer et al.'s published code, not from the C++ engine; the
test suite compares the engine against these values.

    PYTHONPATH=models python3 -m attnscope.reference compute --model M --image I --text T   # prints JSON
    PYTHONPATH=models python3 -m attnscope.reference check --model M --image I --text T \
        --explain-json out/explanation.json [--tol 1e-4] [--arrays]

Text is read with AttnScope's tokenizer (attnscope.tokenizer).
"""
import argparse
import json
import math
import os
import sys

import cv2
import numpy as np
import torch

from attnscope import tokenizer, wordpiece


# ---------------------------------------------------------------- inputs

# Gradients with respect to returned attention maps need the unoptimised
# TorchScript plan (the optimised one fuses their consumers away).
torch._C._set_graph_executor_optimize(False)


def load_model(path):
    extra = {"attnscope.json": ""}
    module = torch.jit.load(path, _extra_files=extra)
    module.eval()
    manifest = json.loads(extra["attnscope.json"])
    text = manifest.get("text", {})
    if text.get("tokenizer") == "wordpiece":
        # The vocabulary stored with the model, read by the Python WordPiece.
        files = {text["file"]: ""}
        torch.jit.load(path, _extra_files=files)  # extra files come back as bytes
        manifest["_wordpiece"] = wordpiece.WordPiece(files[text["file"]].decode("utf-8").splitlines(),
                                                     lowercase=text.get("lowercase", True))
    return module, manifest


def model_inputs(manifest):
    return manifest.get("inputs", ["image", "input_ids", "attention_mask"])


_FLAGS = {"bilinear": cv2.INTER_LINEAR, "bicubic": cv2.INTER_CUBIC, "area": cv2.INTER_AREA,
          "nearest": cv2.INTER_NEAREST}


def _resized(rgb, w, h, interpolation):
    if rgb.shape[0] == h and rgb.shape[1] == w:
        return rgb
    if interpolation == "auto":
        flag = cv2.INTER_AREA if w < rgb.shape[1] and h < rgb.shape[0] else cv2.INTER_LINEAR
    else:
        flag = _FLAGS[interpolation]
    return cv2.resize(rgb, (w, h), interpolation=flag)


def load_image(path, spec):
    """BGR file -> RGB -> the model's size as the manifest's resize mode says
    (stretch; shortest_edge: the shorter side to floor(size / crop_pct), the
    longer in proportion (truncated), then the centre crop at Python-rounded
    offsets, as torchvision's Resize + CenterCrop; pad: fitted in, centred,
    the rest the mean colour) with its interpolation (auto: area when
    shrinking both sides, else bilinear) -> (x/255 - mean)/std,
    channel-first, batch of one."""
    bgr = cv2.imread(path, cv2.IMREAD_COLOR)
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    h, w = spec["size"]
    mode, interpolation = spec.get("resize", "stretch"), spec.get("interpolation", "auto")
    H, W = rgb.shape[:2]
    mean = np.array(spec.get("mean", [0, 0, 0]), dtype=np.float32)
    std = np.array(spec.get("std", [1, 1, 1]), dtype=np.float32)
    if mode == "shortest_edge":
        pct = spec.get("crop_pct", 1.0)
        tw, th = int(math.floor(w / pct + 1e-9)), int(math.floor(h / pct + 1e-9))
        if tw * H >= th * W:
            sw, sh = tw, max(th, tw * H // W)
        else:
            sw, sh = max(tw, th * W // H), th
        scaled = _resized(rgb, sw, sh, interpolation)
        left, top = round((sw - w) / 2), round((sh - h) / 2)
        x = scaled[top:top + h, left:left + w].astype(np.float32) / np.float32(255.0)
    elif mode == "pad":
        if w * H <= h * W:
            sw, sh = w, min(max((2 * H * w + W) // (2 * W), 1), h)
        else:
            sw, sh = min(max((2 * W * h + H) // (2 * H), 1), w), h
        x = np.tile(mean, (h, w, 1)).astype(np.float32)  # the mean colour: zero once normalised
        left, top = (w - sw) // 2, (h - sh) // 2
        x[top:top + sh, left:left + sw] = _resized(rgb, sw, sh, interpolation).astype(np.float32) / np.float32(255.0)
    else:
        x = _resized(rgb, w, h, interpolation).astype(np.float32) / np.float32(255.0)
    x = (x - mean) * (np.float32(1.0) / std)
    return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)))[None], (bgr.shape[1], bgr.shape[0])


def text_inputs(text, spec, manifest=None, pair=None):
    """The ids and mask of `text` as AttnScope's tokenizer makes them (a batch
    of one, [1, max_length]) and which positions are special (CLS, SEP, PAD);
    with `manifest`, also the type ids (WordPiece models)."""
    if manifest is not None and "_wordpiece" in manifest:
        t = manifest["_wordpiece"].encode(text, pair if (pair or spec.get("pair")) else None, spec["max_length"])
        return torch.tensor([t.ids]), torch.tensor([t.mask]), t.special, torch.tensor([t.type_ids]), t
    t = tokenizer.encode(text, spec)
    if manifest is not None:
        return torch.tensor([t.ids]), torch.tensor([t.mask]), t.special, torch.zeros(1, len(t.ids), dtype=torch.long), t
    return torch.tensor([t.ids]), torch.tensor([t.mask]), t.special


def forward(module, image, ids, mask, manifest=None, type_ids=None):
    """The model run on one batch; with a version 2 manifest, the inputs it
    lists in its order."""
    if manifest is not None:
        given = {"image": image, "input_ids": ids, "attention_mask": mask, "token_type_ids": type_ids}
        out = module(*[given[name] for name in model_inputs(manifest)])
    else:
        out = module(image, ids, mask)
    extras = out[2] if len(out) > 2 else {}
    return out[0], list(out[1]), extras


def probabilities(logits, manifest):
    """What AttnScope shows of the logits: softmax over labels, a sigmoid per
    label (multilabel), a version 1 matching score through a sigmoid, a
    version 2 one as the model computes it (its declared "score")."""
    if manifest["task"] == "multilabel":
        return torch.sigmoid(logits)
    if manifest["task"] == "matching":
        score = logits.reshape(-1, 1)
        return score if "score" in manifest else torch.sigmoid(score)
    return logits.softmax(-1)


# ---------------------------------------------------------------- layout

def stream_layout(manifest):
    """name -> list of (modality, index within its segment)."""
    out = {}
    for stream in manifest["streams"]:
        tokens = []
        for seg in stream["segments"]:
            n = seg["grid"][0] * seg["grid"][1] if seg["modality"] == "image" else seg["length"]
            tokens += [(seg["modality"], k) for k in range(n)]
        out[stream["name"]] = tokens
    return out


def decision_tokens(manifest):
    d = manifest["decision"]
    return [(t["stream"], t["index"]) for t in (d if isinstance(d, list) else [d])]


def resolve_decisions(manifest, ids, mask):
    """The manifest with every decision given by rule ("first_id", "last_real")
    turned into the index it names for this input's text."""
    d = manifest["decision"]
    items = d if isinstance(d, list) else [d]
    resolved = []
    for item in items:
        if "rule" not in item:
            resolved.append(item)
            continue
        stream = next(s for s in manifest["streams"] if s["name"] == item["stream"])
        offset = 0
        for seg in stream["segments"]:
            if seg["modality"] == "text":
                break
            offset += seg["grid"][0] * seg["grid"][1] if seg["modality"] == "image" else seg["length"]
        row, real = ids[0].tolist(), mask[0].tolist()
        if item["rule"] == "first_id":
            position = row.index(item["id"])
        else:
            position = max(k for k, m in enumerate(real) if m)
        resolved.append({"stream": item["stream"], "index": offset + position})
    return dict(manifest, decision=resolved if isinstance(d, list) else resolved[0])


def decision_for(manifest, stream):
    """The decision token in `stream`, else the first one."""
    tokens = decision_tokens(manifest)
    return next((t for t in tokens if t[0] == stream), tokens[0])


def identity_like(n):
    return torch.eye(n)


# ---------------------------------------------------------------- methods

def fuse_heads(a, fusion, discard, keep):
    """vit-explain's head fusion and discarding: the fused map's lowest
    int(n * discard) entries (of all n) are zeroed, except flat index `keep`."""
    if fusion == "mean":
        fused = a.mean(0)
    elif fusion == "max":
        fused = a.max(0)[0]
    else:
        fused = a.min(0)[0]
    fused = fused.clone()
    count = int(fused.numel() * discard)
    if count > 0:
        flat = fused.view(-1)
        _, lowest = flat.topk(count, -1, False)
        if keep is not None:
            lowest = lowest[lowest != keep]
        flat[lowest] = 0
    return fused


def attention_sinks(manifest, maps, mask):
    """Tokens that draw a large share of attention in many heads: in one
    head, a key whose mean attention from the unpadded queries is at least
    max(0.2, 4 / unpadded keys); reported when that holds in at least a
    quarter of the heads reading its stream. Register tokens (special
    segments named reg...) are reported whatever they draw."""
    def padded(stream):
        out = []
        for seg in next(s for s in manifest["streams"] if s["name"] == stream)["segments"]:
            n = seg["grid"][0] * seg["grid"][1] if seg["modality"] == "image" else seg["length"]
            out += [bool(seg["modality"] == "text" and mask is not None and int(mask[0, k]) == 0) for k in range(n)]
        return out
    counts, sums, heads, evens = {}, {}, {}, {}
    for a, spec in zip(maps, manifest["attentions"]):
        key = spec.get("key", spec["query"])
        qpad, kpad = padded(spec["query"]), padded(key)
        rows = [q for q, p in enumerate(qpad) if not p]
        real_keys = sum(1 for p in kpad if not p)
        col = a[:, rows, :].mean(1)  # [heads, keys]
        threshold = max(0.2, 4.0 / real_keys)
        c = counts.setdefault(key, [0] * len(kpad))
        t = sums.setdefault(key, [0.0] * len(kpad))
        heads[key] = heads.get(key, 0) + a.shape[0]
        evens[key] = 1.0 / real_keys
        for h in range(a.shape[0]):
            for k in range(len(kpad)):
                t[k] += float(col[h, k])
                if not kpad[k] and float(col[h, k]) >= threshold:
                    c[k] += 1
    out = []
    for si, stream in enumerate(manifest["streams"]):
        index = 0
        for seg in stream["segments"]:
            n = seg["grid"][0] * seg["grid"][1] if seg["modality"] == "image" else seg["length"]
            register = seg["modality"] == "special" and seg.get("name", "").lower().startswith("reg")
            for _ in range(n):
                total = heads.get(stream["name"], 0)
                share = counts[stream["name"]][index] / total if total else 0.0
                sink = total > 0 and share >= 0.25
                if sink or register:
                    out.append({"stream": si, "index": index, "sink": sink, "register": register, "head_share": share,
                                "mean_attention": sums[stream["name"]][index] / total if total else 0.0,
                                "even_share": evens.get(stream["name"], 0.0)})
                index += 1
    return out


def rollout(manifest, maps, start_layer=0, fusion="mean", discard=0.0, sinks=None):
    """Abnar & Zuidema: A_hat = rownorm(0.5*fuse_h(A) + 0.5*I), R = A_hat R.
    Between streams: R_s = 0.5 R_s + 0.5 fuse_h(A_sq) R_q (co-attention reads
    the values from before the layer's cross-attention). Rows are normalised
    as in the paper (vit-explain's a / a.sum(dim=-1) scales columns)."""
    layout = stream_layout(manifest)
    names = list(layout)
    R = {(s, q): identity_like(len(layout[s])) if s == q else torch.zeros(len(layout[s]), len(layout[q]))
         for s in names for q in names}
    specs = manifest["attentions"]
    k = 0
    while k < len(specs):
        spec = specs[k]
        if spec["layer"] < start_layer:
            k += 1
            continue
        if spec.get("kind", "self") == "self":
            s = spec["query"]
            d, row = decision_for(manifest, s)
            keep = row * len(layout[s]) + row if d == s else None
            a = fuse_heads(maps[k], fusion, discard, keep)
            left_out = [t["index"] for t in (sinks or []) if names[t["stream"]] == s]
            if left_out:  # sinks' columns zeroed, rows renormalised over the rest
                a[:, left_out] = 0
                total = a.sum(-1, keepdim=True)
                a = torch.where(total > 0, a / total.clamp(min=1e-30), a)
            a = 0.5 * a + 0.5 * identity_like(a.shape[0])
            a = a / a.sum(-1, keepdim=True)
            for q in names:
                R[(s, q)] = a @ R[(s, q)]
            k += 1
            continue
        group = [k]
        while group[-1] + 1 < len(specs) and specs[group[-1] + 1].get("kind") == "cross" \
                and specs[group[-1] + 1]["layer"] == spec["layer"]:
            group.append(group[-1] + 1)
        old = dict(R)
        for j in group:
            s, q = specs[j]["query"], specs[j]["key"]
            a = fuse_heads(maps[j], fusion, discard, None)
            for t in names:
                R[(s, t)] = 0.5 * old[(s, t)] + 0.5 * (a @ old[(q, t)])
        k = group[-1] + 1
    return R


def avg_heads(cam, grad):
    return (grad * cam).clamp(min=0).mean(dim=0)


def apply_self_attention_rules(R_ss, R_sq, cam_ss):
    return torch.matmul(cam_ss, R_ss), torch.matmul(cam_ss, R_sq)


def handle_residual(orig):
    r = orig.clone() - torch.eye(orig.shape[-1])
    sums = r.sum(dim=-1, keepdim=True)
    r = torch.where(sums == 0, r, r / torch.where(sums == 0, torch.ones_like(sums), sums))
    return r + torch.eye(orig.shape[-1])


def apply_mm_attention_rules(R_ss, R_qq, R_qs, cam_sq):
    R_sq_addition = torch.matmul(handle_residual(R_ss).t(), torch.matmul(cam_sq, handle_residual(R_qq)))
    R_ss_addition = torch.matmul(cam_sq, R_qs)
    return R_sq_addition, R_ss_addition


def relevance(manifest, maps, grads):
    """Chefer, Gur & Wolf 2021, with the explicit variables of their code:
    R_tt, R_ti, R_it, R_ii for two streams, or R for one."""
    layout = stream_layout(manifest)
    names = list(layout)
    if len(names) == 1:
        (s,) = names
        R = torch.eye(len(layout[s]))
        for a, g in zip(maps, grads):
            R = R + torch.matmul(avg_heads(a, g), R)
        return {(s, s): R}
    t, i = names
    R_tt, R_ii = torch.eye(len(layout[t])), torch.eye(len(layout[i]))
    R_ti, R_it = torch.zeros(len(layout[t]), len(layout[i])), torch.zeros(len(layout[i]), len(layout[t]))
    specs = manifest["attentions"]
    k = 0
    while k < len(specs):
        spec = specs[k]
        if spec.get("kind", "self") == "self":
            cam = avg_heads(maps[k], grads[k])
            if spec["query"] == t:
                add_tt, add_ti = apply_self_attention_rules(R_tt, R_ti, cam)
                R_tt, R_ti = R_tt + add_tt, R_ti + add_ti
            else:
                add_ii, add_it = apply_self_attention_rules(R_ii, R_it, cam)
                R_ii, R_it = R_ii + add_ii, R_it + add_it
            k += 1
            continue
        group = [k]
        while group[-1] + 1 < len(specs) and specs[group[-1] + 1].get("kind") == "cross" \
                and specs[group[-1] + 1]["layer"] == spec["layer"]:
            group.append(group[-1] + 1)
        adds = []
        for j in group:
            cam = avg_heads(maps[j], grads[j])
            if specs[j]["query"] == t:
                add_ti, add_tt = apply_mm_attention_rules(R_tt, R_ii, R_it, cam)
                adds.append(("t", add_ti, add_tt))
            else:
                add_it, add_ii = apply_mm_attention_rules(R_ii, R_tt, R_ti, cam)
                adds.append(("i", add_it, add_ii))
        for which, cross_add, self_add in adds:
            if which == "t":
                R_ti, R_tt = R_ti + cross_add, R_tt + self_add
            else:
                R_it, R_ii = R_it + cross_add, R_ii + self_add
        k = group[-1] + 1
    return {(t, t): R_tt, (t, i): R_ti, (i, t): R_it, (i, i): R_ii}


def grad_cam(manifest, maps, grads, valid):
    """Per key stream: the last map read by that stream's decision token; head
    weights are the mean gradient over the whole map (real queries and keys),
    as Chefer et al.'s generate_attn_gradcam: grad.mean(dim=[1, 2])."""
    rows = {}
    for key in stream_layout(manifest):
        d, row = decision_for(manifest, key)
        last = None
        for k, spec in enumerate(manifest["attentions"]):
            if spec["query"] == d and spec.get("key", spec["query"]) == key:
                last = k
        if last is None:
            continue
        keys = torch.tensor(valid[key], dtype=torch.bool)
        queries = torch.tensor(valid[d], dtype=torch.bool)
        alpha = grads[last][:, queries][:, :, keys].mean(dim=[1, 2])
        cam = (alpha[:, None, None] * maps[last]).mean(0).clamp(min=0)
        rows[key] = cam[row]
    return rows


def default_raw(manifest):
    """The last map read by a decision token whose keys are the image stream;
    else the last map read by a decision token."""
    deciders = {stream for stream, _ in decision_tokens(manifest)}
    image_streams = [s["name"] for s in manifest["streams"] if any(g["modality"] == "image" for g in s["segments"])]
    specs = manifest["attentions"]
    for k in range(len(specs) - 1, -1, -1):
        if specs[k]["query"] in deciders and image_streams and specs[k].get("key", specs[k]["query"]) == image_streams[0]:
            return k
    for k in range(len(specs) - 1, -1, -1):
        if specs[k]["query"] in deciders:
            return k
    return len(specs) - 1


def split_scores(manifest, rows, special):
    """Decision-row scores per stream -> patch scores and token scores
    (special and padded positions set to 0)."""
    layout = stream_layout(manifest)
    patches, tokens = None, None
    for name, row in rows.items():
        for pos, (modality, k) in enumerate(layout[name]):
            if modality == "image":
                patches = patches if patches is not None else [0.0] * sum(1 for m, _ in layout[name] if m == "image")
                patches[k] = float(row[pos])
            elif modality == "text":
                tokens = tokens if tokens is not None else [0.0] * len(special)
                tokens[k] = 0.0 if special[k] else float(row[pos])
    return patches, tokens


def modality_mass(manifest, maps, special):
    layout = stream_layout(manifest)

    def codes(stream):
        out = []
        for modality, k in layout[stream]:
            if modality == "image":
                out.append(0)
            elif modality == "text" and not special[k]:
                out.append(1)
            else:
                out.append(-1)
        return out

    per_layer = {}
    for a, spec in zip(maps, manifest["attentions"]):
        mean = a.mean(0)
        qc, kc = codes(spec["query"]), codes(spec.get("key", spec["query"]))
        m = per_layer.setdefault(spec["layer"], [[0.0, 0.0], [0.0, 0.0]])
        for qi, qm in enumerate(qc):
            if qm < 0:
                continue
            for ki, km in enumerate(kc):
                if km >= 0:
                    m[qm][km] += float(mean[qi, ki])
    out = []
    for layer in sorted(per_layer):
        m = per_layer[layer]
        rows = []
        for r in m:
            total = r[0] + r[1]
            rows.append([r[0] / total, r[1] / total] if total > 0 else [None, None])
        out.append({"layer": layer, "mass": rows})
    return out


def head_statistics(manifest, maps, grads, special, mask):
    """Per map, per head: entropy (nats, mean over unpadded queries), cross-
    modal share (attention of image and word queries that goes to content keys
    of the other modality), mean attention distance between patches (patch
    units, image queries over image keys) and the head's share of the map's
    positive gradient x attention (what relevance weighs it by)."""
    layout = stream_layout(manifest)
    grid = next((seg["grid"] for st in manifest["streams"] for seg in st["segments"] if seg["modality"] == "image"),
                [1, 1])

    def kinds(stream):
        out = []
        for modality, k in layout[stream]:
            if modality == "text":
                out.append("pad" if mask[0, k] == 0 else ("special" if special[k] else "text"))
            else:
                out.append(modality)
        return out

    result = []
    for a, g, spec in zip(maps, grads, manifest["attentions"]):
        qk, kk = kinds(spec["query"]), kinds(spec.get("key", spec["query"]))
        qpatch = [k for m, k in layout[spec["query"]]]
        kpatch = [k for m, k in layout[spec.get("key", spec["query"])]]
        weights = [float((g[h] * a[h]).clamp(min=0).sum()) for h in range(a.shape[0])]
        total = sum(weights)
        heads = []
        for h in range(a.shape[0]):
            ent, share, dist = [], [], []
            for q in range(a.shape[1]):
                row = a[h, q]
                if qk[q] == "pad":
                    continue
                ent.append(float(-(row[row > 0] * row[row > 0].log()).sum()))
                if qk[q] in ("image", "text"):
                    share.append(sum(float(row[k]) for k in range(len(kk)) if kk[k] in ("image", "text") and kk[k] != qk[q]))
                if qk[q] == "image":
                    num, den = 0.0, 0.0
                    r0, c0 = divmod(qpatch[q], grid[1])
                    for k in range(len(kk)):
                        if kk[k] == "image":
                            r1, c1 = divmod(kpatch[k], grid[1])
                            num += float(row[k]) * math.hypot(r1 - r0, c1 - c0)
                            den += float(row[k])
                    if den > 0:
                        dist.append(num / den)
            heads.append({"entropy": sum(ent) / len(ent) if ent else None,
                          "cross_modal_share": sum(share) / len(share) if share else None,
                          "mean_distance": sum(dist) / len(dist) if dist else None,
                          "gradient_weight": weights[h] / total if total > 0 else 0.0})
        result.append(heads)
    return result


def remove_patches(image, manifest, indices):
    seg = [g for s in manifest["streams"] for g in s["segments"] if g["modality"] == "image"][0]
    rows, cols = seg["grid"]
    h, w = manifest["image"]["size"]
    ph, pw = h // rows, w // cols
    out = image.clone()
    for p in indices:
        r, c = divmod(p, cols)
        out[:, :, r * ph:(r + 1) * ph, c * pw:(c + 1) * pw] = 0.0
    return out


def perturbation_auc(module, manifest, image, ids, mask, target, patch_scores, positive, steps=10, type_ids=None):
    n = len(patch_scores)
    order = sorted(range(n), key=(lambda p: -patch_scores[p]) if positive else (lambda p: patch_scores[p]))
    probs = []
    with torch.no_grad():
        for k in range(steps + 1):
            f = k / steps
            removed = int(math.floor(f * n + 0.5))
            logits, _, _ = forward(module, remove_patches(image, manifest, order[:removed]), ids, mask, manifest, type_ids)
            probs.append(float(probabilities(logits, manifest)[0, target]))
    fractions = [k / steps for k in range(steps + 1)]
    auc = sum(0.5 * (probs[k] + probs[k - 1]) * (fractions[k] - fractions[k - 1]) for k in range(1, steps + 1))
    return probs, auc


def compute(model_path, image_path, text, pair=None):
    module, manifest = load_model(model_path)
    inputs = model_inputs(manifest)
    image = load_image(image_path, manifest["image"])[0] if "image" in inputs else None
    if "text" in manifest:
        ids, mask, special, type_ids, encoded = text_inputs(text, manifest["text"], manifest, pair)
    else:
        ids = mask = type_ids = encoded = None
        special = []
    if ids is not None:
        manifest = resolve_decisions(manifest, ids, mask)
    for p in module.parameters():
        p.requires_grad_(True)
    logits, attentions, extras = forward(module, image, ids, mask, manifest, type_ids)
    probs = probabilities(logits.detach(), manifest)[0]
    target = int(probs.argmax())
    grads = torch.autograd.grad(logits[0, target], attentions, allow_unused=True)
    maps = [a.detach()[0] for a in attentions]
    grads = [g[0] if g is not None else torch.zeros_like(m) for g, m in zip(grads, maps)]

    layout = stream_layout(manifest)
    valid = {name: [not (m == "text" and special[k] and mask[0, k] == 0) for m, k in toks]
             for name, toks in layout.items()}
    out = {"model": model_path, "image": image_path, "text": text, "target": target,
           "logits": logits.detach()[0].tolist(), "probabilities": probs.tolist(), "methods": {}}
    if pair is not None:
        out["pair"] = pair
    if encoded is not None:
        out["tokens"] = {"tokens": encoded.tokens, "ids": encoded.ids,
                         "type_ids": list(getattr(encoded, "type_ids", [0] * len(encoded.ids))), "mask": encoded.mask}

    def rows_of(R):
        return {q: R[(decision_for(manifest, q)[0], q)][decision_for(manifest, q)[1]] for q in layout}

    R = rollout(manifest, maps)
    out["methods"]["rollout"] = dict(zip(("patch_scores", "token_scores"), split_scores(manifest, rows_of(R), special)))
    variants = []
    for fusion, discard in (("max", 0.0), ("min", 0.0), ("mean", 0.5), ("max", 0.9)):
        v = dict(zip(("patch_scores", "token_scores"),
                     split_scores(manifest, rows_of(rollout(manifest, maps, 0, fusion, discard)), special)))
        v.update({"fusion": fusion, "discard_ratio": discard})
        variants.append(v)
    out["rollout_variants"] = variants
    sinks = attention_sinks(manifest, maps, mask)
    out["attention_sinks"] = sinks
    out["rollout_without_sinks"] = dict(zip(("patch_scores", "token_scores"),
                                            split_scores(manifest, rows_of(rollout(manifest, maps, sinks=sinks)), special)))
    Rel = relevance(manifest, maps, grads)
    rel_rows = rows_of(Rel)
    out["methods"]["relevance"] = dict(zip(("patch_scores", "token_scores"), split_scores(manifest, rel_rows, special)))
    out["methods"]["gradcam"] = dict(zip(("patch_scores", "token_scores"),
                                         split_scores(manifest, grad_cam(manifest, maps, grads, valid), special)))
    k = default_raw(manifest)
    spec = manifest["attentions"][k]
    raw_rows = {}
    d, row = decision_for(manifest, spec["query"])
    if d == spec["query"]:
        raw_rows[spec.get("key", spec["query"])] = maps[k].mean(0)[row]
    out["methods"]["raw"] = dict(zip(("patch_scores", "token_scores"), split_scores(manifest, raw_rows, special)))
    out["methods"]["raw"]["attention"] = k
    if len(layout) == 1:
        (only,) = layout
        out["methods"]["rollout"]["matrix"] = R[(only, only)].flatten().tolist()
        out["methods"]["relevance"]["matrix"] = Rel[(only, only)].flatten().tolist()

    rel = out["methods"]["relevance"]
    img_sum = sum(rel["patch_scores"] or [])
    txt_sum = sum(rel["token_scores"] or [])
    weights = {"relevance_share": {"image": img_sum / (img_sum + txt_sum), "text": txt_sum / (img_sum + txt_sum)},
               "layer_mass": modality_mass(manifest, maps, special)}
    occlusion = {"probability": float(probs[target]), "image_blanked": None, "text_masked": None}
    with torch.no_grad():
        if image is not None and any(g["modality"] == "image" for st in manifest["streams"] for g in st["segments"]):
            blank, _, _ = forward(module, torch.zeros_like(image), ids, mask, manifest, type_ids)
            occlusion["image_blanked"] = float(probabilities(blank, manifest)[0, target])
        if ids is not None and any(g["modality"] == "text" for st in manifest["streams"] for g in st["segments"]):
            words = [k for k in range(len(special)) if not special[k]]
            if "_wordpiece" in manifest:
                pad = manifest["_wordpiece"].vocab["[PAD]"]
            else:
                pad = manifest["text"]["vocab"].index(manifest["text"].get("special_tokens", {}).get("pad", "[PAD]"))
            ids2, mask2 = ids.clone(), mask.clone()
            ids2[0, words] = pad
            mask2[0, words] = 0
            masked, _, _ = forward(module, image, ids2, mask2, manifest, type_ids)
            occlusion["text_masked"] = float(probabilities(masked, manifest)[0, target])
    weights["occlusion"] = occlusion
    if "gates" in extras:
        weights["gates"] = extras["gates"].detach()[0].tolist()
    out["modality_weights"] = weights
    out["heads"] = head_statistics(manifest, maps, grads, special, mask)

    if rel["patch_scores"] is not None:
        pos_probs, pos_auc = perturbation_auc(module, manifest, image, ids, mask, target, rel["patch_scores"], True,
                                              type_ids=type_ids)
        neg_probs, neg_auc = perturbation_auc(module, manifest, image, ids, mask, target, rel["patch_scores"], False,
                                              type_ids=type_ids)
        out["perturbation"] = {"relevance": {"positive": pos_probs, "positive_auc": pos_auc,
                                             "negative": neg_probs, "negative_auc": neg_auc}}
    return out


# ---------------------------------------------------------------- check

def close(a, b, tol):
    return a is not None and b is not None and abs(a - b) <= tol


def compare_lists(name, expected, actual, tol, problems):
    if expected is None:
        return
    if actual is None or len(expected) != len(actual):
        problems.append("%s: expected %d values, got %s" % (name, len(expected), "none" if actual is None else len(actual)))
        return
    # Absolute tolerance, tightened for small-valued vectors to 1e-3 of their
    # largest magnitude (relevance scores of random models are small).
    scale = max((abs(e) for e in expected), default=0.0)
    limit = min(tol, max(1e-3 * scale, 1e-7))
    worst = max((abs(e - a) for e, a in zip(expected, actual)), default=0.0)
    if worst > limit:
        problems.append("%s: differs by up to %.3g (tolerance %.3g)" % (name, worst, limit))


def check(args):
    ref = compute(args.model, args.image, args.text)
    with open(args.explain_json) as f:
        got = json.load(f)
    problems = []
    compare_lists("logits", ref["logits"], got["prediction"]["logits"], args.tol, problems)
    for method in ("rollout", "relevance", "gradcam", "raw"):
        if method not in got["methods"]:
            problems.append("%s: missing from %s" % (method, args.explain_json))
            continue
        for field in ("patch_scores", "token_scores"):
            compare_lists("%s.%s" % (method, field), ref["methods"][method][field],
                          got["methods"][method].get(field), args.tol, problems)
        if args.arrays:
            # The .npy files beside explanation.json, read with numpy's own reader.
            folder = os.path.dirname(os.path.abspath(args.explain_json))
            for field, suffix in (("patch_scores", "patches"), ("token_scores", "tokens")):
                path = os.path.join(folder, "%s_%s.npy" % (method, suffix))
                if ref["methods"][method][field] is None:
                    continue
                if not os.path.exists(path):
                    problems.append("%s: missing" % path)
                    continue
                array = np.load(path)
                if array.dtype != np.float32 or array.ndim != (2 if suffix == "patches" else 1):
                    problems.append("%s: dtype %s, %d dimensions" % (path, array.dtype, array.ndim))
                compare_lists(path, ref["methods"][method][field], array.flatten().tolist(), args.tol, problems)
    for name, value in ref["modality_weights"]["relevance_share"].items():
        if not close(value, got["modality_weights"]["relevance_share"][name], args.tol):
            problems.append("relevance share of %s differs" % name)
    checked = sum(1 for m in ("rollout", "relevance", "gradcam", "raw") for f in ("patch_scores", "token_scores")
                  if ref["methods"][m][f] is not None)
    if problems:
        print("MISMATCH between attnscope explain and the Python reference:")
        for p in problems:
            print("  " + p)
        return 1
    print("OK: %d score vectors, the logits and the relevance shares match the Python reference to %g"
          % (checked, args.tol))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("compute", "check"):
        p = sub.add_parser(name)
        p.add_argument("--model", required=True)
        p.add_argument("--image", required=True)
        p.add_argument("--text", required=True)
        if name == "check":
            p.add_argument("--explain-json", required=True)
            p.add_argument("--tol", type=float, default=1e-4)
            p.add_argument("--arrays", action="store_true", help="also check the .npy files beside the JSON")
    args = parser.parse_args()
    torch.manual_seed(0)
    if args.command == "compute":
        print(json.dumps(compute(args.model, args.image, args.text), indent=1))
        return 0
    return check(args)


if __name__ == "__main__":
    sys.exit(main())
