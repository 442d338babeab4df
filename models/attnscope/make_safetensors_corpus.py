"""Writes the safetensors test files and the fuzzer's seeds.

tests/data/safetensors/
    valid/      files that must open, with the values each tensor must give
                (valid.expected.json: per file, per tensor, dtype, shape and
                the values as float32 numbers)
    hostile/    files that must be refused, each with a piece of the one
                message it must give (hostile.expected.json)
tests/fuzz/corpus/safetensors/   seeds for fuzz_safetensors

The format is written here by hand (Hugging Face's safetensors package is not
in Debian): an 8-byte little-endian header length N, N bytes of JSON, the
tensors' bytes back to back. Half and bfloat16 values are rounded by
PyTorch (torch.float16 / torch.bfloat16), and the expected values are what
PyTorch converts them back to: nothing here comes from AttnScope.

    PYTHONPATH=models python3 -m attnscope.make_safetensors_corpus [--data tests/data] [--fuzz tests/fuzz/corpus]
"""
import argparse
import json
import os
import shutil
import struct
import sys

import torch

from attnscope import paths, safetensors_file

DTYPES = safetensors_file.DTYPES
layout, file_of = safetensors_file.layout, safetensors_file.file_of


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def valid_files():
    g = torch.Generator().manual_seed(7)
    weights = torch.randn(3, 4, generator=g)
    files = {
        "f32.safetensors": ({"weight": weights, "bias": torch.tensor([0.5, -1.25, 3.0]),
                             "scale": torch.tensor(4.1)}, {"format": "pt"}),
        "f16.safetensors": ({"weight": weights.to(torch.float16), "tiny": torch.tensor([6.1e-5, -65504.0, 1e-7],
                                                                                    dtype=torch.float16)}, None),
        "bf16.safetensors": ({"weight": weights.to(torch.bfloat16),
                              "big": torch.tensor([3.0e38, -1.5, 2.0 ** -130], dtype=torch.bfloat16)}, None),
        "mixed.safetensors": ({"a.f64": torch.tensor([1.0 / 3.0, 2.5], dtype=torch.float64),
                               "b.ids": torch.tensor([[0, 1, 49407]], dtype=torch.int64),
                               "c.empty": torch.zeros(0, 4), "d.odd": torch.tensor([1.5, 2.5, 3.5])},
                              {"format": "pt", "note": "mixed dtypes, an empty tensor"}),
    }
    out, expected = {}, {}
    for name, (tensors, metadata) in files.items():
        header, data = layout(tensors, metadata)
        out[name] = file_of(header, data)
        expected[name] = {"metadata": metadata or {},
                          "tensors": {k: {"dtype": DTYPES[t.dtype], "shape": list(t.shape),
                                          "values": [float(v) for v in t.to(torch.float64).flatten().tolist()]}
                                      for k, t in tensors.items()}}
    # A header not padded to 8 bytes: the F32 data then starts unaligned,
    # and must read the same (copied, not mapped).
    t = {"x": torch.tensor([1.0, -2.0, 0.125])}
    header, data = layout(t)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (1 if len(text) % 8 != 7 else 2)
    out["unaligned.safetensors"] = file_of(text, data, pad=False)
    expected["unaligned.safetensors"] = {"metadata": {}, "tensors": {"x": {"dtype": "F32", "shape": [3],
                                                                          "values": [1.0, -2.0, 0.125]}}}
    return out, expected


def hostile_files():
    """name -> (bytes, a piece of the message it must give)."""
    two, two_data = layout({"a": torch.ones(2), "b": torch.ones(2)})
    files = {}

    def entry(dtype="F32", shape=(2,), offsets=(0, 8)):
        return {"dtype": dtype, "shape": list(shape), "data_offsets": list(offsets)}

    def one(tensor, data=b"\0" * 8, extra=None):
        header = {"t": tensor}
        if extra:
            header.update(extra)
        return file_of(header, data)

    files["empty"] = (b"", "fewer than the 8")
    files["short_length"] = (b"\x10\x00\x00", "fewer than the 8")
    files["header_gigabytes"] = (struct.pack("<Q", 4 << 30) + b'{"t":{}}', "claims 4295 MB, and a safetensors header holds at most 100 MB")
    files["header_beyond_file"] = (struct.pack("<Q", 1000) + b'{"t": 1}' + b" " * 40, "is cut short")
    files["not_json"] = (file_of(b"PK\x03\x04 not json", b""), "no JSON object")
    files["header_array"] = (file_of(b"[1, 2, 3]", b""), "no JSON object")
    files["bad_json"] = (file_of(b'{"t": {"dtype": "F32",', b""), "header is no valid JSON (line 1, column 25")
    files["invalid_utf8"] = (file_of(b'{"t\xff\xfe": 1}', b""), "UTF-8")
    files["duplicate_name"] = (file_of(b'{"t":' + json.dumps(entry()).encode() + b',"t":'
                                       + json.dumps(entry(offsets=(8, 16))).encode() + b"}", b"\0" * 16), "member name \"t\" appears twice")
    files["entry_not_object"] = (file_of({"t": [1, 2]}, b""), "must be described by an object")
    files["missing_dtype"] = (file_of({"t": {"shape": [2], "data_offsets": [0, 8]}}, b"\0" * 8), "lacks dtype")
    files["missing_offsets"] = (file_of({"t": {"dtype": "F32", "shape": [2]}}, b"\0" * 8), "lacks data_offsets")
    files["extra_member"] = (one(dict(entry(), layout="strided")), "has members besides")
    files["unknown_dtype"] = (one(entry(dtype="F31")), "\"F31\", which is none of the format's")
    files["dtype_not_string"] = (one(entry(dtype=4)), "none of the format's")
    files["shape_negative"] = (one(entry(shape=(-1, 2))), "-1 that is not a size")
    files["shape_fraction"] = (one(entry(shape=(1.5,))), "1.5 that is not a size")
    files["shape_not_list"] = (one(dict(entry(), shape=2)), "not a list of sizes")
    files["shape_huge"] = (one(entry(shape=(1 << 31, 1 << 31, 1 << 31))), "more bytes than any file holds")
    files["offsets_three"] = (one(entry(offsets=(0, 4, 8))), "not two byte offsets")
    files["offsets_reversed"] = (one(entry(offsets=(8, 0))), "before it begins")
    files["offsets_outside"] = (one(entry(shape=(4,), offsets=(0, 16))), "lies outside the file")
    files["offsets_gigabytes"] = (one(entry(shape=(1 << 30,), offsets=(0, 4 << 30))), "lies outside the file")
    files["size_mismatch"] = (one(entry(shape=(2, 2)), data=b"\0" * 8), "needs 16")
    files["overlap"] = (file_of({"a": entry(), "b": entry(offsets=(4, 12))}, b"\0" * 12), "overlap")
    files["hole"] = (file_of({"a": entry(), "b": entry(offsets=(12, 20))}, b"\0" * 20), "belong to no tensor")
    files["trailing_bytes"] = (file_of(two, two_data + b"\0" * 8), "belong to no tensor")
    files["metadata_not_strings"] = (file_of({"__metadata__": {"format": 1}, "t": entry()}, b"\0" * 8), "__metadata__")
    return files


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=os.path.join(paths.ROOT, "tests", "data"))
    ap.add_argument("--fuzz", default=os.path.join(paths.ROOT, "tests", "fuzz", "corpus"))
    args = ap.parse_args(argv)
    root = os.path.join(args.data, "safetensors")
    shutil.rmtree(root, ignore_errors=True)
    valid, expected = valid_files()
    for name, data in valid.items():
        write(os.path.join(root, "valid", name), data)
    with open(os.path.join(root, "valid.expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
    hostile = hostile_files()
    for name, (data, _) in hostile.items():
        write(os.path.join(root, "hostile", name + ".safetensors"), data)
    with open(os.path.join(root, "hostile.expected.json"), "w") as f:
        json.dump({name + ".safetensors": message for name, (_, message) in hostile.items()}, f, indent=1,
                  sort_keys=True, ensure_ascii=False)
    seeds = os.path.join(args.fuzz, "safetensors")
    shutil.rmtree(seeds, ignore_errors=True)
    for name, data in list(valid.items()) + [(n + ".safetensors", d) for n, (d, _) in hostile.items()]:
        if len(data) <= 65536:
            write(os.path.join(seeds, name), data)
    print("wrote %d valid and %d hostile files under %s, seeds in %s" % (len(valid), len(hostile), root, seeds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
