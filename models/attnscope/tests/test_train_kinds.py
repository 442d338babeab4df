"""The CLIP demo's captions (attnscope.train_kinds): its trimmed BPE splits
every caption word exactly as CLIP's whole vocabulary does, and the shipped
model's own tokenizer, read by AttnScope, gives the ids it was trained on.

    ATTNSCOPE_BINARY=build/app/attnscope PYTHONPATH=models python3 -m unittest -v attnscope.tests.test_train_kinds
"""
import gzip
import json
import os
import subprocess
import unittest

from attnscope import paths
from attnscope import train_kinds as kinds

BINARY = os.environ.get("ATTNSCOPE_BINARY")
CLIP_MODEL = os.path.join(paths.ZOO, kinds.ZOO_NAMES["clip"])


def full_ranks():
    with gzip.open(kinds.CLIP_BPE, "rt", encoding="utf-8") as f:
        lines = f.read().split("\n")[1:49152 - 256 - 2 + 1]
    return {tuple(line.split()): i for i, line in enumerate(lines)}


@unittest.skipUnless(os.path.exists(kinds.CLIP_BPE), "no CLIP vocabulary beside the repository (../shared/oracles)")
class TrimmedBpeTest(unittest.TestCase):
    def test_words_split_as_with_every_merge(self):
        trimmed = kinds.TrimmedClipBpe()
        ranks = full_ranks()
        for word in kinds.caption_words():
            self.assertEqual(kinds.bpe(word, trimmed.ranks)[0], kinds.bpe(word, ranks)[0], word)
        # A word CLIP keeps whole, and one it splits (by hand from the file).
        self.assertEqual(kinds.bpe("circle", ranks)[0], ["circle</w>"])
        self.assertEqual(kinds.bpe("triangles", ranks)[0], ["tri", "angles</w>"])

    def test_captions(self):
        self.assertEqual(kinds.caption([{"colour": "red", "shape": "circle"}, {"colour": "blue", "shape": "square"},
                                        {"colour": "red", "shape": "circle"}]),
                         "a photo of two red circles and a blue square")
        self.assertEqual(len(kinds.candidates()), 15)

    @unittest.skipUnless(BINARY and os.path.exists(CLIP_MODEL), "needs ATTNSCOPE_BINARY and models/zoo/shapes_clip.pt")
    def test_model_reads_the_training_ids(self):
        trimmed = kinds.TrimmedClipBpe()
        for text in kinds.candidates() + ["a photo of three yellow triangles and two purple squares"]:
            out = subprocess.run([BINARY, "tokenize", "--model", CLIP_MODEL, "--text", text, "--json"], check=True,
                                 capture_output=True, text=True).stdout
            self.assertEqual(json.loads(out)["ids"], trimmed.encode(text), text)


if __name__ == "__main__":
    unittest.main()
