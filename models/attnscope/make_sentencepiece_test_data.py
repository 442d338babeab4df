"""SentencePiece test data: two small models trained here by the
sentencepiece library (Debian's python3-sentencepiece, the Python face of
the libsentencepiece that AttnScope links), and what that library makes of
the hard strings of ../shared/oracles/tokenizers/strings.json:

- tests/data/spm_unigram.model: unigram, nmt_nfkc normalisation, 1,000 pieces,
  character coverage 0.995 (rare characters become <unk>);
- tests/data/spm_bpe.model: BPE with byte fallback (no <unk>: rare
  characters become <0xE6> ... byte pieces), no normalisation (identity);
- tests/data/sentencepiece.reference.json: per model and string the pieces,
  ids and byte spans (begin, end) of `encode(text, out_type="immutable_proto")`,
  and the same for the pairs with <s>/</s> added by hand as the library's
  add_bos/add_eos options do for one text.

    apt install python3-sentencepiece   # generation only; tests and CI do not need it
    PYTHONPATH=models python3 -m attnscope.make_sentencepiece_test_data

The corpus is generated (Shapes World questions and captions, the README's
prose) plus the hard strings themselves, so every script in them is seen.
"""
import io
import json
import os

import numpy as np
import sentencepiece as spm

from attnscope import paths
from attnscope import shapes_world as world

STRINGS = os.path.join(paths.ROOT, "..", "shared", "oracles", "tokenizers", "strings.json")


def corpus(strings):
    lines = []
    for _, questions in world.make_split("samples", 2000, seed=77):
        lines += [q["question"] for q in questions]
    with open(os.path.join(paths.ROOT, "README.md"), encoding="utf-8") as f:
        lines += [line.strip() for line in f if line.strip() and not line.startswith(("|", "```", "    "))]
    lines += [s for s in strings if s.strip() and "\n" not in s]
    return lines


def train(lines, **options):
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_writer=model, bos_id=1, eos_id=2, unk_id=0,
                                   pad_id=3, minloglevel=2, num_threads=1, **options)
    return model.getvalue()


def encode(processor, text):
    proto = processor.encode(text, out_type="immutable_proto")
    return {"pieces": [p.piece for p in proto.pieces], "ids": [p.id for p in proto.pieces],
            "spans": [[p.begin, p.end] for p in proto.pieces]}


def main():
    with open(STRINGS, encoding="utf-8") as f:
        oracle = json.load(f)
    strings, pairs = oracle["strings"], oracle["pairs"]
    lines = corpus(strings)
    models = {
        "spm_unigram.model": train(lines, model_type="unigram", vocab_size=1000, character_coverage=0.995,
                                   normalization_rule_name="nmt_nfkc"),
        "spm_bpe.model": train(lines, model_type="bpe", vocab_size=1000, character_coverage=0.995,
                               byte_fallback=True, normalization_rule_name="identity"),
    }
    out = {"generator": "models/attnscope/make_sentencepiece_test_data.py (sentencepiece %s)" % spm.__version__,
           "models": {}}
    for name, blob in models.items():
        with open(os.path.join(paths.TEST_DATA, name), "wb") as f:
            f.write(blob)
        processor = spm.SentencePieceProcessor(model_proto=blob)
        cases = [dict(text=s, **encode(processor, s)) for s in strings]
        pair_cases = []
        for a, b in pairs:
            # <s> A </s> <s> B </s>: each text as the library encodes it with
            # add_bos and add_eos, one after the other.
            ea, eb = encode(processor, a), encode(processor, b)
            ids = [1] + ea["ids"] + [2] + [1] + eb["ids"] + [2]
            types = [0] * (len(ea["ids"]) + 2) + [1] * (len(eb["ids"]) + 2)
            pair_cases.append({"text": a, "pair": b, "ids": ids, "type_ids": types})
        out["models"][name] = {"pieces": processor.get_piece_size(), "unk_id": processor.unk_id(),
                               "cases": cases, "pairs": pair_cases}
    with open(os.path.join(paths.TEST_DATA, "sentencepiece.reference.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=0)
    print("wrote %s" % ", ".join(list(models) + ["sentencepiece.reference.json"]))


if __name__ == "__main__":
    main()
