"""Tests of the Python tokenizer (attnscope.tokenizer): hand-worked cases of
the behaviour the C++ tokenizer documents (the same cases as tst_tokenizer),
and the committed tests/data/malformed/tokens.expected.json, which
tst_tokenizer holds the C++ tokenizer to, made again from the corpus's texts
and the text model's manifest.

    PYTHONPATH=models python3 -m unittest -v attnscope.tests.test_tokenizer
"""
import json
import os
import unittest

from attnscope import make_malformed_corpus as corpus
from attnscope import paths, tokenizer

# 0 [PAD] 1 [UNK] 2 [CLS] 3 [SEP] 4 is 5 there 6 a 7 red 8 circle 9 ? 10 don't
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "is", "there", "a", "red", "circle", "?", "don't"]


def spec(add_cls=False, add_sep=False, max_length=8, **more):
    return dict({"tokenizer": "word", "lowercase": True, "max_length": max_length, "vocab": VOCAB,
                 "add_cls": add_cls, "add_sep": add_sep}, **more)


class EncodeTest(unittest.TestCase):
    CASES = [
        # name, add_cls, add_sep, text, ids, mask, dropped
        ("plain", False, False, "is there a red circle?", [4, 5, 6, 7, 8, 9, 0, 0], [1, 1, 1, 1, 1, 1, 0, 0], 0),
        ("case", False, False, "IS There", [4, 5, 0, 0, 0, 0, 0, 0], [1, 1, 0, 0, 0, 0, 0, 0], 0),
        ("unknown", False, False, "a blue circle", [6, 1, 8, 0, 0, 0, 0, 0], [1, 1, 1, 0, 0, 0, 0, 0], 0),
        ("cls sep", True, True, "a red", [2, 6, 7, 3, 0, 0, 0, 0], [1, 1, 1, 1, 0, 0, 0, 0], 0),
        ("truncated", True, False, "a a a a a a a a a a", [2, 6, 6, 6, 6, 6, 6, 6], [1] * 8, 3),
        ("truncated sep", True, True, "a a a a a a a", [2, 6, 6, 6, 6, 6, 6, 3], [1] * 8, 1),
        ("empty", True, False, "", [2, 0, 0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0], 0),
        ("whitespace", False, False, " \t\n ", [0] * 8, [0] * 8, 0),
        ("apostrophe", False, False, "Don't!", [10, 1, 0, 0, 0, 0, 0, 0], [1, 1, 0, 0, 0, 0, 0, 0], 0),
        ("emoji", False, False, "a \U0001F600 red", [6, 1, 7, 0, 0, 0, 0, 0], [1, 1, 1, 0, 0, 0, 0, 0], 0),
    ]

    def test_encodes(self):
        for name, add_cls, add_sep, text, ids, mask, dropped in self.CASES:
            with self.subTest(name):
                t = tokenizer.encode(text, spec(add_cls, add_sep))
                self.assertEqual(t.ids, ids)
                self.assertEqual(t.mask, mask)
                self.assertEqual(t.dropped_words, dropped)
                self.assertEqual(t.truncated, dropped > 0)
                self.assertEqual(len(t.tokens), 8)
                self.assertEqual(t.unknown, [i == 1 for i in ids])
                self.assertEqual(t.special, [i in (0, 2, 3) for i in ids])

    def test_bytes_and_text_read_alike(self):
        words = tokenizer.create(spec())
        text = "is there a red \u00e9t\u00e9"
        self.assertEqual(words.encode(text), words.encode(text.encode()))
        # A str holding escaped bytes (as sys.argv holds invalid UTF-8) reads as those bytes.
        raw = b"red \xff\xfe circle"
        self.assertEqual(words.encode(raw.decode("utf-8", "surrogateescape")), words.encode(raw))

    def test_refuses_length_without_room_for_words(self):
        with self.assertRaisesRegex(ValueError, r"maximum length \(2\) leaves no room for words"):
            tokenizer.create(spec(True, True, 2))
        with self.assertRaisesRegex(ValueError, 'unknown tokenizer kind "wordpiece"'):
            tokenizer.create(spec(tokenizer="wordpiece"))
        t = tokenizer.encode("a a", spec(True, True, 3))
        self.assertEqual(t.ids, [2, 6, 3])
        self.assertEqual(t.dropped_words, 1)

    def test_many_words_are_counted(self):
        t = tokenizer.encode("red " * 10000, spec(True, False, 8))
        self.assertEqual(t.word_count, 10000)
        self.assertEqual(t.dropped_words, 10000 - 7)

    def test_names_the_unknown_words_once(self):
        t = tokenizer.encode("a cat and a cat", spec(True, True, 10))
        self.assertEqual(t.unknown_words(), ["cat", "and"])
        self.assertEqual(sum(t.unknown), 3)
        self.assertEqual(t.kept_words, 5)

    def test_special_tokens_are_the_specs(self):
        vocab = ["<pad>", "<unk>", "<s>", "</s>", "red"]
        t = tokenizer.encode("red blue", {"tokenizer": "word", "max_length": 6, "vocab": vocab, "add_cls": True,
                                          "add_sep": True, "special_tokens": {"pad": "<pad>", "unk": "<unk>",
                                                                              "cls": "<s>", "sep": "</s>"}})
        self.assertEqual(t.ids, [2, 4, 1, 3, 0, 0])
        self.assertEqual(t.tokens, ["<s>", "red", "blue", "</s>", "<pad>", "<pad>"])


class SplitTest(unittest.TestCase):
    def split(self, text, **more):
        return [w.decode("utf-8", "replace") for w in tokenizer.create(spec(**more)).split(text)]

    def test_words_and_marks(self):
        self.assertEqual(self.split("What's left-of the RED, square?"),
                         ["what's", "left", "-", "of", "the", "red", ",", "square", "?"])

    def test_underscores_and_digits_are_letters(self):
        self.assertEqual(self.split("snake_case 3rd x2=y"), ["snake_case", "3rd", "x2", "=", "y"])

    def test_lowercase_folds_ascii_only(self):
        self.assertEqual(self.split("\u00c9T\u00c9 Red"), ["\u00c9t\u00c9", "red"])
        self.assertEqual(self.split("\u00c9T\u00c9 Red", lowercase=False), ["\u00c9T\u00c9", "Red"])

    def test_c0_controls_and_delete_separate(self):
        self.assertEqual(self.split(b"is\x01there\x07a\x1bred\x7f circle\x0b?\x00end"),
                         ["is", "there", "a", "red", "circle", "?", "end"])

    def test_non_ascii_belongs_to_words(self):
        # A no-break space, a C1 control (U+0085) and invalid bytes are not
        # separators: only ASCII whitespace and controls are.
        self.assertEqual(self.split("red\u00a0circle"), ["red\u00a0circle"])
        self.assertEqual(self.split("red\u0085circle"), ["red\u0085circle"])
        self.assertEqual(tokenizer.create(spec()).split(b"a\xff\xfeb ?"), [b"a\xff\xfeb", b"?"])


class SanitizeTest(unittest.TestCase):
    def test_invalid_utf8_becomes_one_replacement_per_byte(self):
        self.assertEqual(tokenizer.sanitize_utf8(b"a\x80b"), "a\ufffdb")
        self.assertEqual(tokenizer.sanitize_utf8(b"x\xe2\x82"), "x\ufffd\ufffd")   # cut short
        self.assertEqual(tokenizer.sanitize_utf8(b"\xc0\xaf"), "\ufffd\ufffd")      # an overlong '/'
        self.assertEqual(tokenizer.sanitize_utf8(b"\xed\xa0\x80"), "\ufffd" * 3)    # a surrogate
        self.assertEqual(tokenizer.sanitize_utf8(b"\xf4\x90\x80\x80"), "\ufffd" * 4)  # past U+10FFFF
        self.assertEqual(tokenizer.sanitize_utf8(b"\xc3\x28"), "\ufffd(")

    def test_controls_become_spaces(self):
        self.assertEqual(tokenizer.sanitize_utf8(b"tab\there\x01"), "tab here ")
        self.assertEqual(tokenizer.sanitize_utf8("a\u0085b\u009bc"), "a b c")

    def test_direction_controls_become_replacements(self):
        # Overrides and isolates would reorder what follows; marks (U+200F) stay.
        self.assertEqual(tokenizer.sanitize_utf8("x\u202eabc\u2067y\u200f"), "x\ufffdabc\ufffdy\u200f")

    def test_valid_text_is_kept(self):
        text = "\u05e9\u05dc\u05d5\u05dd \u20ac \U0001F600"
        self.assertEqual(tokenizer.sanitize_utf8(text.encode()), text)

    def test_displayed_words_are_sanitised(self):
        t = tokenizer.encode(b"red \xff\xfe circle", spec(max_length=4))
        self.assertEqual(t.tokens[1], "\ufffd\ufffd")
        self.assertEqual(t.ids[1], 1)


class MalformedCorpusTest(unittest.TestCase):
    """tokens.expected.json is what the tokenizer makes of the corpus now: the
    C++ tokenizer is held to this file, so it must not drift from the code."""

    @classmethod
    def setUpClass(cls):
        cls.manifest = corpus.text_model_manifest(paths.TEST_DATA)
        cls.texts = corpus.texts(cls.manifest["text"])
        cls.folder = os.path.join(paths.TEST_DATA, "malformed")

    def test_committed_tokens_are_current(self):
        with open(os.path.join(self.folder, "tokens.expected.json")) as f:
            committed = f.read()
        self.assertEqual(committed, corpus.json_text(corpus.token_expectations(self.manifest, self.texts)),
                         "regenerate with tests/data/make_test_data.sh")

    def test_committed_texts_are_current(self):
        for name, data, _ in self.texts:
            with self.subTest(name), open(os.path.join(self.folder, "texts", name), "rb") as f:
                self.assertEqual(f.read(), data)

    def test_word_counts_agree_with_expected_json(self):
        with open(os.path.join(self.folder, "expected.json")) as f:
            expected = {t["file"]: t for t in json.load(f)["texts"]}
        with open(os.path.join(self.folder, "tokens.expected.json")) as f:
            tokens = [t for t in json.load(f)["texts"] if t["reading"] == "manifest"]
        self.assertEqual(sorted(expected), sorted(t["file"] for t in tokens))
        for t in tokens:
            if "words" in expected[t["file"]]:
                self.assertEqual((t["words"], t["dropped"]),
                                 (expected[t["file"]]["words"], expected[t["file"]]["dropped"]), t["file"])

    def test_every_text_reads_safely(self):
        length = self.manifest["text"]["max_length"]
        for name, data, _ in self.texts:
            with self.subTest(name):
                t = tokenizer.encode(data, self.manifest["text"])
                self.assertEqual([len(t.ids), len(t.mask), len(t.tokens)], [length] * 3)
                for token in t.tokens:
                    token.encode("utf-8")  # valid UTF-8: no lone surrogates
                    self.assertFalse(any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or 0x202A <= ord(c) <= 0x202E
                                         for c in token), token)


if __name__ == "__main__":
    unittest.main()
