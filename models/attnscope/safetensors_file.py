"""The safetensors format (Hugging Face's, whose package Debian lacks),
written and read by hand: an 8-byte little-endian header length N, N bytes of
JSON naming each tensor's dtype, shape and byte range, the bytes back to back.

    from attnscope import safetensors_file
    safetensors_file.write("model.safetensors", {"w": torch.ones(2, 3)})
    tensors = safetensors_file.read("model.safetensors")   # mapped, not copied
"""
import json
import struct

import numpy as np
import torch

DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
          torch.int64: "I64", torch.int32: "I32", torch.uint8: "U8"}
NUMPY = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I64": np.int64, "I32": np.int32, "U8": np.uint8}


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: its bits as int16
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def layout(tensors, metadata=None):
    """Header dict and data for named tensors, back to back in name order."""
    header, chunks, at = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        t = tensors[name]
        raw = tensor_bytes(t)
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [at, at + len(raw)]}
        chunks.append(raw)
        at += len(raw)
    return header, b"".join(chunks)


def file_of(header, data, pad=True):
    text = header if isinstance(header, bytes) else json.dumps(header, separators=(",", ":")).encode()
    if pad:
        text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def write(path, tensors, metadata=None):
    header, data = layout(tensors, {"format": "pt"} if metadata is None else metadata)
    with open(path, "wb") as f:
        f.write(file_of(header, data))


def read(path):
    """name -> tensor over a read-only memory map of the file (float32,
    float16 and the integer types; no copy)."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    mapped = np.memmap(path, dtype=np.uint8, mode="r")
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        raw = mapped[8 + n + begin:8 + n + end]
        array = raw.view(NUMPY[entry["dtype"]]).reshape(entry["shape"])
        out[name] = torch.from_numpy(array)  # warns that the map is read-only: nothing writes to it
    return out
