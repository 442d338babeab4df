"""A ViT-B-sized checkpoint in the Hugging Face layout for the benchmark
harness (tests/bench/): ViTForImageClassification's keys, 12 layers x 768,
12 heads, 16 x 16 patches of a 224 x 224 image (197 tokens), 1,000 labels,
random seeded weights (the figures measure opening and speed, not answers).

    PYTHONPATH=models python3 -m attnscope.make_bench_checkpoint OUT_DIR

Writes OUT_DIR/config.json, preprocessor_config.json and model.safetensors
(346 MB).
"""
import argparse
import json
import os
import sys

import torch

from attnscope import safetensors_file

DIM, HEADS, LAYERS, MLP, PATCH, SIZE, LABELS = 768, 12, 12, 3072, 16, 224, 1000


def weights(seed=0):
    g = torch.Generator().manual_seed(seed)

    def matrix(rows, cols):
        return torch.randn(rows, cols, generator=g) / cols ** 0.5

    def vector(n, around=0.0):
        return around + 0.02 * torch.randn(n, generator=g)

    e = "vit.embeddings."
    w = {e + "cls_token": torch.randn(1, 1, DIM, generator=g) * 0.02,
         e + "position_embeddings": torch.randn(1, (SIZE // PATCH) ** 2 + 1, DIM, generator=g) * 0.02,
         e + "patch_embeddings.projection.weight": torch.randn(DIM, 3, PATCH, PATCH, generator=g) / (3 * PATCH * PATCH) ** 0.5,
         e + "patch_embeddings.projection.bias": vector(DIM),
         "vit.layernorm.weight": vector(DIM, 1.0), "vit.layernorm.bias": vector(DIM),
         "classifier.weight": matrix(LABELS, DIM), "classifier.bias": vector(LABELS)}
    for i in range(LAYERS):
        p = "vit.encoder.layer.%d." % i
        for name in ("attention.attention.query", "attention.attention.key", "attention.attention.value",
                     "attention.output.dense"):
            w[p + name + ".weight"], w[p + name + ".bias"] = matrix(DIM, DIM), vector(DIM)
        w[p + "intermediate.dense.weight"], w[p + "intermediate.dense.bias"] = matrix(MLP, DIM), vector(MLP)
        w[p + "output.dense.weight"], w[p + "output.dense.bias"] = matrix(DIM, MLP), vector(DIM)
        for norm in ("layernorm_before", "layernorm_after"):
            w[p + norm + ".weight"], w[p + norm + ".bias"] = vector(DIM, 1.0), vector(DIM)
    return w


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    config = {"architectures": ["ViTForImageClassification"], "model_type": "vit", "hidden_size": DIM,
              "num_hidden_layers": LAYERS, "num_attention_heads": HEADS, "intermediate_size": MLP,
              "hidden_act": "gelu", "layer_norm_eps": 1e-12, "image_size": SIZE, "patch_size": PATCH,
              "num_channels": 3, "qkv_bias": True,
              "id2label": {str(i): "class %d" % i for i in range(LABELS)}}
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(config, f, indent=1)
    with open(os.path.join(args.out, "preprocessor_config.json"), "w") as f:
        json.dump({"image_processor_type": "ViTImageProcessor", "do_resize": True,
                   "size": {"height": SIZE, "width": SIZE}, "resample": 2, "do_normalize": True,
                   "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]}, f, indent=1)
    safetensors_file.write(os.path.join(args.out, "model.safetensors"), weights())
    print("wrote", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
