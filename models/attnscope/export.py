"""Export helper: turns a PyTorch model into an AttnScope model archive.

An AttnScope model is a TorchScript archive whose extra file `attnscope.json`
holds the manifest (see README, "The model contract"). `export` scripts the
model (or traces it when scripting fails), runs it on the example inputs,
checks the contract and writes the archive:

    from attnscope import export                      # with <repo>/models on PYTHONPATH
    export.export(model, manifest, (image, input_ids, attention_mask), "my_model.pt")

Models built on nn.MultiheadAttention (nn.TransformerEncoder and friends)
do not return their attention; wrap them without rewriting them:

    wrapped = export.AttentionRecorder(model)   # forward returns (logits, attentions)
    print(wrapped.attention_names())            # the order to list in the manifest
    export.export(wrapped, manifest, example_inputs, "my_model.pt")

Research code that computes attention by hand (timm's ViT, a BERT) is
recorded where the probabilities enter a named module; a version 2 manifest
lists the inputs, and tokenizer files travel in the archive:

    wrapped = export.AttentionRecorder(vit, modules="blocks.*.attn.attn_drop")
    export.export(wrapped, manifest, (image,), "vit.pt")                # "inputs": ["image"]
    export.export(bert_wrapped, manifest, (ids, mask, type_ids), "bert.pt", files={"vocab.txt": vocab_text})

The written archive is opened with `attnscope info` before it is kept, so
what AttnScope would refuse raises ContractError here.

attnscope.tokenizer gives the input_ids and attention_mask AttnScope will
give the model for a text. Runs with Debian's python3-torch (1.13).
"""
import io
import json
import math
import os
import re
import shutil
import subprocess
import tempfile
import warnings
from typing import List, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from attnscope import paths


class ContractError(ValueError):
    """The model does not keep the AttnScope model contract."""


class RecordingMultiheadAttention(nn.MultiheadAttention):
    """nn.MultiheadAttention computed step by step, keeping the per-head
    attention after the softmax in `recorded` ([batch, heads, queries, keys]),
    the tensor that multiplies the values. Same parameters, same results."""

    recorded: Optional[torch.Tensor] = None

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True):
        if not self.batch_first:
            query, key, value = query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1)
        b, nq, e = query.shape
        nk = key.shape[1]
        h, d = self.num_heads, self.head_dim
        if self._qkv_same_embed_dim:
            w_q, w_k, w_v = self.in_proj_weight.chunk(3)
        else:
            w_q, w_k, w_v = self.q_proj_weight, self.k_proj_weight, self.v_proj_weight
        b_q, b_k, b_v = self.in_proj_bias.chunk(3) if self.in_proj_bias is not None else (None, None, None)
        q = F.linear(query, w_q, b_q).view(b, nq, h, d).transpose(1, 2)
        k = F.linear(key, w_k, b_k).view(b, nk, h, d).transpose(1, 2)
        v = F.linear(value, w_v, b_v).view(b, nk, h, d).transpose(1, 2)
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d)
        if attn_mask is not None:
            mask = attn_mask.view(-1, h, nq, nk) if attn_mask.dim() == 3 else attn_mask
            scores = scores.masked_fill(mask, float("-inf")) if mask.dtype == torch.bool else scores + mask
        if key_padding_mask is not None:
            pad = key_padding_mask[:, None, None, :]
            scores = scores.masked_fill(pad, float("-inf")) if pad.dtype == torch.bool else scores + pad
        attn = scores.softmax(-1)
        self.recorded = attn
        out = torch.matmul(F.dropout(attn, p=self.dropout, training=self.training), v)
        out = self.out_proj(out.transpose(1, 2).reshape(b, nq, e))
        if not self.batch_first:
            out = out.transpose(0, 1)
        weights = (attn.mean(1) if average_attn_weights else attn) if need_weights else None
        return out, weights


def record_attention(model: nn.Module) -> List[RecordingMultiheadAttention]:
    """Replaces every nn.MultiheadAttention in `model` (in place, weights kept)
    with a RecordingMultiheadAttention; returns them in module order."""
    recorders = []
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if type(child) is nn.MultiheadAttention:
                if child.bias_k is not None or child.add_zero_attn:
                    raise ContractError("nn.MultiheadAttention with add_bias_kv or add_zero_attn is not supported")
                recorder = RecordingMultiheadAttention(child.embed_dim, child.num_heads, dropout=child.dropout,
                                                       bias=child.in_proj_bias is not None, kdim=child.kdim,
                                                       vdim=child.vdim, batch_first=child.batch_first)
                recorder.load_state_dict(child.state_dict())
                recorder.train(child.training)
                setattr(parent, name, recorder)
    for module in model.modules():
        if isinstance(module, RecordingMultiheadAttention):
            recorders.append(module)
    return recorders


class RecordingProbabilities(nn.Module):
    """Stands in for the module that attention probabilities enter (timm's
    `attn_drop`, BERT's `attention.self.dropout`, an nn.Identity): keeps its
    input in `recorded` and returns what the module returns."""

    recorded: Optional[torch.Tensor] = None

    def __init__(self, inner: nn.Module):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        self.recorded = x
        return self.inner(x)


def _module_pattern(pattern: str):
    """'blocks.*.attn.attn_drop' -> a regex in which * is one dotted name part."""
    return re.compile("^" + r"[^.]+".join(re.escape(part) for part in pattern.split("*")) + "$")


def record_probabilities(model: nn.Module, modules) -> List[RecordingProbabilities]:
    """Replaces the modules of `model` whose dotted names match `modules` (a
    pattern or a list of them, * standing for one name part) with recording
    ones, in module order. timm's fused attention never forms the
    probabilities, so an attention module that has it on (`fused_attn`) gets it
    switched off, with a warning."""
    patterns = [_module_pattern(p) for p in ([modules] if isinstance(modules, str) else list(modules))]
    named = dict(model.named_modules())
    chosen = [name for name in named if name and any(p.match(name) for p in patterns)]
    if not chosen:
        sample = ", ".join(n for n in list(named)[1:13])
        raise ContractError("no module of the model is named like %s; its modules are named like: %s"
                            % (modules if isinstance(modules, str) else ", ".join(modules), sample))
    recorders = []
    for name in chosen:
        parent_name, _, child_name = name.rpartition(".")
        parent = named[parent_name] if parent_name else model
        if getattr(parent, "fused_attn", False):
            parent.fused_attn = False
            warnings.warn("%s had fused attention on (timm's fused_attn), which never forms the attention "
                          "probabilities: switched off so that they can be recorded (same results up to rounding)"
                          % (parent_name or "the model"))
        recorder = RecordingProbabilities(getattr(parent, child_name))
        setattr(parent, child_name, recorder)
        recorders.append(recorder)
    return recorders


class AttentionRecorder(nn.Module):
    """Wraps a model so that it returns (logits, attentions) as AttnScope
    needs; the model's forward takes the manifest's inputs in order and returns
    logits (or a tuple starting with them).

    AttentionRecorder(model): every nn.MultiheadAttention inside is replaced
    by a recording one, in module order.
    AttentionRecorder(model, modules="blocks.*.attn.attn_drop"): the
    probabilities are recorded where they enter the named modules (dropout
    or identity modules fed the softmax output, as timm's ViT / DeiT, Chefer's
    repositories and hand-written BERTs have them), in module order."""

    def __init__(self, model: nn.Module, modules=None):
        super().__init__()
        self.model = model
        if modules is None:
            self.recorders = record_attention(model)
            if not self.recorders:
                raise ContractError("the model has no nn.MultiheadAttention to record; name the modules its attention "
                                    "probabilities enter instead, e.g. AttentionRecorder(model, "
                                    "modules=\"blocks.*.attn.attn_drop\")")
        else:
            self.recorders = record_probabilities(model, modules)

    def attention_names(self):
        names = {id(m): n for n, m in self.model.named_modules()}
        return [names[id(r)] for r in self.recorders]

    def forward(self, *inputs):
        for recorder in self.recorders:
            recorder.recorded = None
        out = self.model(*inputs)
        logits = out[0] if isinstance(out, (tuple, list)) else out
        missing = [n for n, r in zip(self.attention_names(), self.recorders) if r.recorded is None]
        if missing:
            raise ContractError("these attention modules did not run: " + ", ".join(missing))
        return logits, [r.recorded for r in self.recorders]


def _stream_lengths(manifest):
    lengths = {}
    for stream in manifest["streams"]:
        n = 0
        for segment in stream["segments"]:
            if segment["modality"] == "image":
                n += segment["grid"][0] * segment["grid"][1]
            else:
                n += segment["length"]
        lengths[stream["name"]] = n
    return lengths


def check(module, manifest, example_inputs):
    """Runs the model as AttnScope will and checks its outputs against the
    manifest; raises ContractError with a message naming what is wrong.

    AttnScope runs TorchScript's unoptimised plan (the optimised one fuses the
    attention maps' consumers, and gradients with respect to the returned maps
    go missing). An executor fixes its plan on its second call and is shared by
    modules scripted from the same class, so the check reloads the archive into
    a fresh module first."""
    buffer = io.BytesIO()
    torch.jit.save(module, buffer)
    buffer.seek(0)
    previous = torch._C._get_graph_executor_optimize()
    torch._C._set_graph_executor_optimize(False)
    try:
        return _check(torch.jit.load(buffer), manifest, example_inputs)
    finally:
        torch._C._set_graph_executor_optimize(previous)


def _check(module, manifest, example_inputs):
    out = module(*example_inputs)
    if not isinstance(out, tuple) or len(out) not in (2, 3):
        raise ContractError("forward must return (logits, attentions[, extras])")
    logits, attentions = out[0], out[1]
    batch = example_inputs[0].shape[0]
    if manifest["task"] == "classification":
        if tuple(logits.shape) != (batch, len(manifest["labels"])):
            raise ContractError("logits have shape %s, expected [%d, %d]"
                                % (tuple(logits.shape), batch, len(manifest["labels"])))
    if len(attentions) != len(manifest["attentions"]):
        raise ContractError("the manifest declares %d attention maps, the model returns %d"
                            % (len(manifest["attentions"]), len(attentions)))
    lengths = _stream_lengths(manifest)
    for i, (a, spec) in enumerate(zip(attentions, manifest["attentions"])):
        q, k = lengths[spec["query"]], lengths[spec.get("key", spec["query"])]
        if a.dim() != 4 or a.shape[0] != batch or a.shape[2] != q or a.shape[3] != k:
            raise ContractError("attention map %d has shape %s, expected [%d, heads, %d, %d]"
                                % (i, tuple(a.shape), batch, q, k))
        if not torch.isfinite(a).all():
            raise ContractError("attention map %d holds non-finite values" % i)
        if (a.sum(-1) - 1).abs().max().item() > 1e-3:
            raise ContractError("attention map %d: rows do not sum to 1 (return it after the softmax)" % i)
    if "attention_inputs" in manifest:
        _check_attention_inputs(manifest["attention_inputs"], out, batch)
    for p in module.parameters():
        p.requires_grad_(True)
    for _ in range(2):  # the first call profiles, the second fixes the plan
        out = module(*example_inputs)
        grads = torch.autograd.grad(out[0][0].sum(), list(out[1]), allow_unused=True)
    if all(g is None for g in grads):
        raise ContractError("no attention map is on the path to the logits: gradient methods cannot run")
    return out


def _check_attention_inputs(spec, out, batch):
    """The queries and keys a manifest promises must be there, fit the maps, and
    reproduce them: softmax(q k^T / sqrt(d)) over the keys the map reads."""
    extras = out[2] if len(out) == 3 else {}
    for i, a in enumerate(out[1]):
        def get(prefix, what):
            name = "%s.%d" % (prefix, i)
            if name not in extras:
                raise ContractError("the manifest declares attention_inputs, but the model returns no \"%s\" (the %s "
                                    "of attention map %d)" % (name, what, i))
            return extras[name]
        q, k = get(spec["queries"], "queries"), get(spec["keys"], "keys")
        if (q.dim() != 4 or tuple(q.shape[:3]) != (batch, a.shape[1], a.shape[2])
                or k.dim() != 4 or tuple(k.shape[:3]) != (batch, a.shape[1], a.shape[3]) or q.shape[3] != k.shape[3]):
            raise ContractError("the queries %s and keys %s of attention map %d do not fit its shape %s"
                                % (tuple(q.shape), tuple(k.shape), i, tuple(a.shape)))
        if "values" in spec:
            v = get(spec["values"], "values")
            if v.dim() != 4 or tuple(v.shape[:3]) != (batch, a.shape[1], a.shape[3]):
                raise ContractError("the values %s of attention map %d do not fit its shape %s"
                                    % (tuple(v.shape), i, tuple(a.shape)))
        with torch.no_grad():
            scores = torch.matmul(q, k.transpose(-1, -2)) / (q.shape[3] ** 0.5)
            read = a.detach().amax(dim=(1, 2), keepdim=True) > 1e-20  # keys the mask lets through
            again = scores.masked_fill(~read, float("-inf")).softmax(-1)
            worst = float((again - a.detach()).abs().max())
        if worst > 1e-4:
            raise ContractError("the queries and keys of attention map %d do not reproduce it: softmax(q k^T / sqrt(d)) "
                                "differs from the map by up to %.3g" % (i, worst))


def _attnscope_binary():
    """The attnscope program the written archive is checked with: $ATTNSCOPE_BINARY,
    else one on the PATH, else this checkout's build."""
    candidates = [os.environ.get("ATTNSCOPE_BINARY"), shutil.which("attnscope"),
                  os.path.join(paths.ROOT, "build", "app", "attnscope")]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


def verify_with_attnscope(path, binary=None):
    """Opens the written archive with `attnscope info`, the checks AttnScope makes
    when it opens a model (signature, every manifest field, the probe run);
    raises ContractError with AttnScope's own message when it refuses it.
    Returns False (and warns) when no attnscope program is found."""
    binary = binary or _attnscope_binary()
    if binary is None:
        warnings.warn("no attnscope program found (set ATTNSCOPE_BINARY): the archive passed the helper's own "
                      "checks, but was not opened the way AttnScope opens it")
        return False
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([binary, "info", "--device", "cpu", path], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        lines = [l for l in done.stderr.strip().splitlines() if l.strip()]
        raise ContractError("AttnScope refuses the archive: " + (lines[-1] if lines else "exit status %d"
                                                                   % done.returncode))
    return True


def check_manifest_inputs(manifest, example_inputs):
    """Contract version 2 lists the forward's inputs; the examples must match."""
    inputs = manifest.get("inputs", ["image", "input_ids", "attention_mask"])
    known = {"image", "input_ids", "attention_mask", "token_type_ids"}
    for name in inputs:
        if name not in known:
            raise ContractError("manifest 'inputs' names \"%s\"; AttnScope gives a model any of %s"
                                % (name, ", ".join(sorted(known))))
    if len(inputs) != len(example_inputs):
        raise ContractError("the manifest lists %d inputs (%s) but %d example inputs were given"
                            % (len(inputs), ", ".join(inputs), len(example_inputs)))
    for name, x in zip(inputs, example_inputs):
        if name == "image" and (x.dim() != 4 or x.dtype != torch.float32):
            raise ContractError("the example image must be a float32 [batch, 3, height, width] tensor")
        if name != "image" and (x.dim() != 2 or x.dtype != torch.int64):
            raise ContractError("the example %s must be an int64 [batch, length] tensor" % name)


def export(model, manifest, example_inputs, path, files=None, verify=True):
    """Scripts (or traces) `model`, checks it, saves it with its manifest (and
    `files`, {name: text}, such as the tokenizer's vocab.txt or tokenizer.json,
    stored beside the manifest in the archive) and opens the written archive
    with AttnScope's own checks (see verify_with_attnscope)."""
    model = model.eval()
    manifest = dict(manifest)
    if "inputs" in manifest:
        manifest.setdefault("format", "attnscope-model/2")
    check_manifest_inputs(manifest, example_inputs)
    try:
        module = torch.jit.script(model)
    except Exception:  # scripting needs annotations some models lack; a recorder needs tracing
        module = torch.jit.trace(model, example_inputs, strict=False, check_trace=False)
    check(module, manifest, example_inputs)
    extra = {"attnscope.json": json.dumps(manifest, indent=1)}
    for name, text in (files or {}).items():
        if name == "attnscope.json" or "/" in name:
            raise ContractError("a file stored with the model cannot be named %r" % name)
        extra[name] = text
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(suffix=".pt", dir=folder)
    os.close(handle)
    try:
        torch.jit.save(module, temporary, _extra_files=extra)
        if verify:
            verify_with_attnscope(temporary)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp made it private
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return module
