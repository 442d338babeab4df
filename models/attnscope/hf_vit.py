"""A ViT image classifier over a Hugging Face ViTForImageClassification
state dict (config.json + model.safetensors), in plain PyTorch: what a
researcher without the transformers package writes to get at the attention
probabilities. The benchmark harness's Python way (attnscope.bench_python_way)
opens checkpoint folders with it; AttnScope opens them natively.

    module, manifest = hf_vit.load("vit_folder")      # weights mapped, not copied
    logits, maps = module(image)                      # maps: one [1, heads, N, N] per layer
"""
import json
import math
import os

import torch
import torch.nn.functional as F

from attnscope import safetensors_file


class HfVit(torch.nn.Module):
    def __init__(self, config, state):
        super().__init__()
        self.config = config
        # Parameters, as transformers' model has them (backward() then fills
        # their .grad too, as in Chefer et al.'s notebooks); still over the map.
        self.params = torch.nn.ParameterDict({k.replace(".", "|"): torch.nn.Parameter(v) for k, v in state.items()})
        self.w = {k: self.params[k.replace(".", "|")] for k in state}
        self.heads = config["num_attention_heads"]
        self.layers = config["num_hidden_layers"]
        self.patch = config["patch_size"]
        self.eps = config.get("layer_norm_eps", 1e-12)

    def forward(self, image, ids=None, mask=None):
        w, d, eps = self.w, self.config["hidden_size"], self.eps
        e = "vit.embeddings."
        x = F.conv2d(image, w[e + "patch_embeddings.projection.weight"], w[e + "patch_embeddings.projection.bias"],
                     stride=self.patch).flatten(2).transpose(1, 2)
        x = torch.cat([w[e + "cls_token"].expand(x.shape[0], -1, -1), x], 1) + w[e + "position_embeddings"]
        maps = []
        hd = d // self.heads
        for i in range(self.layers):
            p = "vit.encoder.layer.%d." % i
            h = F.layer_norm(x, (d,), w[p + "layernorm_before.weight"], w[p + "layernorm_before.bias"], eps)
            a = p + "attention.attention."
            q, k, v = (F.linear(h, w[a + n + ".weight"], w[a + n + ".bias"]).view(h.shape[0], -1, self.heads, hd)
                       .transpose(1, 2) for n in ("query", "key", "value"))
            attn = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(hd), -1)
            maps.append(attn)
            out = (attn @ v).transpose(1, 2).reshape(h.shape[0], -1, d)
            x = x + F.linear(out, w[p + "attention.output.dense.weight"], w[p + "attention.output.dense.bias"])
            h = F.layer_norm(x, (d,), w[p + "layernorm_after.weight"], w[p + "layernorm_after.bias"], eps)
            h = F.gelu(F.linear(h, w[p + "intermediate.dense.weight"], w[p + "intermediate.dense.bias"]))
            x = x + F.linear(h, w[p + "output.dense.weight"], w[p + "output.dense.bias"])
        x = F.layer_norm(x, (d,), w["vit.layernorm.weight"], w["vit.layernorm.bias"], eps)
        return F.linear(x[:, 0], w["classifier.weight"], w["classifier.bias"]), maps


def load(folder):
    """The module and a manifest-like description (image, one stream of the
    class token and the patches, one map per layer, decision at the class
    token) for attnscope.reference's methods."""
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    pre = {}
    if os.path.exists(os.path.join(folder, "preprocessor_config.json")):
        with open(os.path.join(folder, "preprocessor_config.json")) as f:
            pre = json.load(f)
    state = safetensors_file.read(os.path.join(folder, "model.safetensors"))
    size, grid = config["image_size"], config["image_size"] // config["patch_size"]
    manifest = {
        "image": {"size": [size, size], "mean": pre.get("image_mean", [0.5] * 3), "std": pre.get("image_std", [0.5] * 3),
                  "resize": "stretch", "interpolation": "bilinear"},
        "streams": [{"name": "vit", "segments": [{"name": "cls", "modality": "special", "length": 1},
                                                 {"name": "patches", "modality": "image", "grid": [grid, grid]}]}],
        "attentions": [{"layer": i, "query": "vit"} for i in range(config["num_hidden_layers"])],
        "decision": {"stream": "vit", "index": 0},
    }
    return HfVit(config, state).eval(), manifest
