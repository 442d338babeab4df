"""The Python way, for the benchmark harness (tests/bench/): what a researcher
does today to explain one answer - torch.jit.load the same archive, run it,
compute raw attention, rollout, relevance or Grad-CAM with torch (the
functions of attnscope.reference, written from the papers), and overlay the
heatmap with OpenCV. Gradient methods call backward() on the target logit
and read the maps' .grad, as Chefer et al.'s notebooks do. Text is read with
AttnScope's tokenizer (attnscope.tokenizer), a text file as its bytes.

    export PYTHONPATH=models
    python3 -m attnscope.bench_python_way warm   --model M --image I [--text T | --text-file F]
                                                 [--methods raw,rollout,...] [--repeats N] [--png-dir D]
                                                 # JSON: load and per-run milliseconds
    python3 -m attnscope.bench_python_way cold   --model M --image I [--text ...] --method rollout --png OUT.png
    python3 -m attnscope.bench_python_way memory --model M --image I [--text ...] --method relevance   # JSON: MB
    python3 -m attnscope.bench_python_way open   --model M   # JSON: torch.jit.load (or a folder's state dict) alone

M may also be a Hugging Face ViT folder (config.json, model.safetensors), read
as a researcher without the transformers package would: the state dict
mapped from the file, the model written in PyTorch (attnscope.hf_vit).
    python3 -m attnscope.bench_python_way compare A.png B.png [--tolerance 2.0]   # the two overlays agree?

attnscope_bench (tests/bench/) takes the same arguments and prints the same
JSON, so the harness runs both side by side.
"""
import argparse
import json
import os
import resource
import sys
import time

import cv2
import numpy as np
import torch

from attnscope import hf_vit, reference as ref


def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def image_scores(manifest, rows, method):
    """The decision token's scores over the image patches, as a grid."""
    layout = ref.stream_layout(manifest)
    for stream in manifest["streams"]:
        for segment in stream["segments"]:
            if segment["modality"] == "image":
                name = stream["name"]
                first = next(k for k, (modality, _) in enumerate(layout[name]) if modality == "image")
                rows_, cols = segment["grid"]
                return rows[name][first:first + rows_ * cols].reshape(rows_, cols)
    raise SystemExit("the model has no image segment")


def decision_rows(manifest, R):
    """Per key stream, the row of the decision token that reads it (its own
    stream's, where it has one)."""
    rows = {}
    for key in ref.stream_layout(manifest):
        stream, index = ref.decision_for(manifest, key)
        rows[key] = R[(stream, key)][index]
    return rows


def explain(module, manifest, image_path, text, method):
    image, (width, height) = ref.load_image(image_path, manifest["image"])
    if manifest.get("text"):
        ids, mask, _ = ref.text_inputs(text, manifest["text"])
    else:
        ids = mask = torch.zeros(1, 0, dtype=torch.int64)
    if method in ("raw", "rollout"):
        with torch.no_grad():
            logits, maps, _ = ref.forward(module, image, ids, mask)
        maps = [a[0] for a in maps]
        if method == "raw":
            k = ref.default_raw(manifest)
            spec = manifest["attentions"][k]
            rows = {spec.get("key", spec["query"]): maps[k].mean(0)[ref.decision_for(manifest, spec["query"])[1]]}
        else:
            rows = decision_rows(manifest, ref.rollout(manifest, maps))
    else:
        module.zero_grad()
        logits, maps, _ = ref.forward(module, image, ids, mask)
        for a in maps:
            a.retain_grad()
        target = int(logits[0].argmax())
        logits[0, target].backward()
        grads = [a.grad[0] if a.grad is not None else torch.zeros_like(a[0]) for a in maps]
        maps = [a.detach()[0] for a in maps]
        if method == "relevance":
            rows = decision_rows(manifest, ref.relevance(manifest, maps, grads))
        else:
            valid = {name: [True] * len(tokens) for name, tokens in ref.stream_layout(manifest).items()}
            rows = ref.grad_cam(manifest, maps, grads, valid)
    grid = image_scores(manifest, rows, method).detach().numpy().astype(np.float32)
    span = float(grid.max() - grid.min())
    grid = (grid - grid.min()) / span if span > 0 else np.zeros_like(grid)
    heat = cv2.resize(grid, (width, height), interpolation=cv2.INTER_LINEAR)
    colour = cv2.applyColorMap(np.clip(heat * 255.0 + 0.5, 0, 255).astype(np.uint8), cv2.COLORMAP_VIRIDIS)
    base = cv2.imread(image_path, cv2.IMREAD_COLOR)
    return cv2.addWeighted(base, 0.5, colour, 0.5, 0.0)


def compare(argv):
    """Both ways must draw the same heatmap: the mean absolute difference of
    two overlays, in 8-bit levels, within the tolerance (interpolation and
    colour tables differ in rounding)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--tolerance", type=float, default=2.0)
    args = parser.parse_args(argv)
    a, b = cv2.imread(args.a, cv2.IMREAD_COLOR), cv2.imread(args.b, cv2.IMREAD_COLOR)
    if a is None or b is None or a.shape != b.shape:
        print("%s and %s: missing, or of different sizes" % (args.a, args.b))
        return 1
    diff = float(np.abs(a.astype(np.float32) - b.astype(np.float32)).mean())
    print("%s vs %s: mean difference %.3f levels (tolerance %.1f)" % (args.a, args.b, diff, args.tolerance))
    return 0 if diff <= args.tolerance else 1


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "compare":
        return compare(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["warm", "cold", "memory", "open"])
    parser.add_argument("--model", required=True)
    parser.add_argument("--image")
    parser.add_argument("--text", default="")
    parser.add_argument("--text-file")
    parser.add_argument("--methods", default="raw,rollout,relevance,gradcam")
    parser.add_argument("--method", default="rollout")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--png", default=None)
    parser.add_argument("--png-dir", default=None)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    if args.text_file:
        with open(args.text_file, "rb") as f:
            text = f.read()
    else:
        text = args.text

    base = rss_mb()
    start = time.perf_counter()
    if args.mode == "open" and not os.path.isdir(args.model):
        torch.jit.load(args.model)  # what opening an archive costs in Python
    elif os.path.isdir(args.model):
        module, manifest = hf_vit.load(args.model)
    else:
        module, manifest = ref.load_model(args.model)
    load_ms = (time.perf_counter() - start) * 1e3
    if args.mode == "open":
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        print(json.dumps({"open_ms": load_ms, "open_mb": peak - base}))
        return 0
    if args.image is None:
        parser.error("--image is needed for " + args.mode)

    if args.mode == "cold":
        cv2.imwrite(args.png, explain(module, manifest, args.image, text, args.method))
        return 0
    if args.mode == "memory":
        explain(module, manifest, args.image, text, args.method)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        print(json.dumps({"base_mb": base, "peak_mb": peak}))
        return 0
    out = {"load_ms": load_ms, "methods": {}}
    for method in args.methods.split(","):
        times = []
        for n in range(args.repeats + 1):   # the first run warms up
            start = time.perf_counter()
            overlay = explain(module, manifest, args.image, text, method)
            if args.png_dir:
                cv2.imwrite(os.path.join(args.png_dir, "python_%s.png" % method), overlay)
            if n > 0:
                times.append((time.perf_counter() - start) * 1e3)
        out["methods"][method] = times
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
