"""The Python WordPiece tokenizer (attnscope.wordpiece), which the reference
implementation reads WordPiece models' text with, held to the Hugging Face
library's output in ../shared/oracles/tokenizers (tokens, ids and type ids of
every single string and pair), and to hand-worked truncation and padding.

    PYTHONPATH=models python3 -m unittest -v attnscope.tests.test_wordpiece

Without the oracle folder the oracle cases are skipped; under CI they must be
there (CI=true makes their absence a failure).
"""
import json
import os
import unittest

from attnscope import paths, wordpiece

ORACLES = os.path.join(paths.ROOT, "..", "shared", "oracles", "tokenizers")


def oracle(name):
    folder = os.path.join(ORACLES, name)
    if not os.path.isdir(folder):
        if os.environ.get("CI") == "true":
            raise AssertionError("the oracle vectors are missing: " + folder)
        raise unittest.SkipTest("no oracle vectors at " + folder)
    with open(os.path.join(folder, "cases.json"), encoding="utf-8") as f:
        cases = json.load(f)
    return wordpiece.WordPiece.from_file(os.path.join(folder, "vocab.txt"), lowercase=name == "bert_uncased"), cases


class OracleTest(unittest.TestCase):
    def check(self, name):
        tok, cases = oracle(name)
        for case in cases["single"]:
            e = tok.encode(case["text"], pad=False)
            self.assertEqual(e.tokens, case["tokens"], repr(case["text"]))
            self.assertEqual(e.ids, case["ids"], repr(case["text"]))
            self.assertEqual(e.special, case["special_tokens_mask"], repr(case["text"]))
        for case in cases["pairs"]:
            e = tok.encode(case["text"], case["text_pair"], pad=False)
            self.assertEqual(e.tokens, case["tokens"], repr((case["text"], case["text_pair"])))
            self.assertEqual(e.ids, case["ids"])
            self.assertEqual(e.type_ids, case["type_ids"])
            self.assertEqual(e.special, case["special_tokens_mask"])
        return len(cases["single"]) + len(cases["pairs"])

    def test_uncased(self):
        self.assertEqual(self.check("bert_uncased"), 212)

    def test_cased(self):
        self.assertEqual(self.check("bert_cased"), 212)


class HandWorkedTest(unittest.TestCase):
    VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "play", "##ing", "the", "act", "##or", "was", "##n", "'", "t"]

    def test_pieces_and_padding(self):
        e = wordpiece.WordPiece(self.VOCAB).encode("The actor wasn't PLAYING", max_length=14)
        self.assertEqual(e.tokens, ["[CLS]", "the", "act", "##or", "was", "##n", "'", "t", "play", "##ing", "[SEP]",
                                    "[PAD]", "[PAD]", "[PAD]"])
        self.assertEqual(e.ids, [2, 7, 8, 9, 10, 11, 12, 13, 5, 6, 3, 0, 0, 0])
        self.assertEqual(e.mask, [1] * 11 + [0] * 3)
        self.assertEqual(e.special, [1] + [0] * 9 + [1] * 4)

    def test_pair_longest_first(self):
        # 8 places: [CLS] a.. [SEP] b.. [SEP] leaves 5 pieces; the longer side loses first.
        e = wordpiece.WordPiece(self.VOCAB).encode("the actor", "playing the act", max_length=8)
        self.assertEqual(e.tokens, ["[CLS]", "the", "act", "[SEP]", "play", "##ing", "the", "[SEP]"])
        self.assertEqual(e.type_ids, [0, 0, 0, 0, 1, 1, 1, 1])

    def test_unknown(self):
        e = wordpiece.WordPiece(self.VOCAB).encode("the zebra", pad=False)
        self.assertEqual(e.tokens, ["[CLS]", "the", "[UNK]", "[SEP]"])
        self.assertEqual(e.unknown, [0, 0, 1, 0])


if __name__ == "__main__":
    unittest.main()
