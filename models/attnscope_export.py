"""Export helper: turns a PyTorch model into an AttnScope model archive.

An AttnScope model is a TorchScript archive whose extra file `attnscope.json`
holds the manifest (see README, "The model contract"). `export` scripts the
model (or traces it when scripting fails), runs it on the example inputs,
checks the contract and writes the archive:

    import attnscope_export
    attnscope_export.export(model, manifest, (image, input_ids, attention_mask), "my_model.pt")

Runs with Debian's python3-torch (1.13).
"""
import io
import json

import torch


class ContractError(ValueError):
    """The model does not keep the AttnScope model contract."""


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
    for p in module.parameters():
        p.requires_grad_(True)
    for _ in range(2):  # the first call profiles, the second fixes the plan
        out = module(*example_inputs)
        grads = torch.autograd.grad(out[0][0].sum(), list(out[1]), allow_unused=True)
    if all(g is None for g in grads):
        raise ContractError("no attention map is on the path to the logits: gradient methods cannot run")
    return out


def export(model, manifest, example_inputs, path):
    """Scripts (or traces) `model`, checks it and saves it with its manifest."""
    model = model.eval()
    try:
        module = torch.jit.script(model)
    except Exception:  # scripting needs annotations some models lack
        module = torch.jit.trace(model, example_inputs, strict=False)
    check(module, manifest, example_inputs)
    text = json.dumps(manifest, indent=1)
    torch.jit.save(module, path, _extra_files={"attnscope.json": text})
    return module
