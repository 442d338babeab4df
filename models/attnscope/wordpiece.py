"""BERT's tokenizer in Python (basic tokenizer + WordPiece), written from the
BERT paper's description and the Hugging Face library's documented
behaviour, independently of AttnScope's C++ tokenizer (core/text): the
reference implementation reads text for WordPiece models with it, and
tests/test_wordpiece.py holds it to the oracle vectors in
../shared/oracles/tokenizers.

    from attnscope import wordpiece
    tok = wordpiece.WordPiece(vocab_lines, lowercase=True)
    e = tok.encode("The actor wasn't playing", pair=None, max_length=16)
    e.ids, e.type_ids, e.mask, e.tokens, e.special      # padded to max_length

- clean text: NUL, U+FFFD and control characters (Unicode category C*, but
  tab, newline and carriage return, which are whitespace) are removed; every
  whitespace character becomes a space;
- CJK ideographs are split off one per word;
- lower-casing (when asked) and then accent stripping: NFD, combining marks
  (category Mn) removed;
- words split at whitespace and at every punctuation character (ASCII
  symbols and Unicode category P*);
- each word greedily into the longest pieces of the vocabulary, "##" before
  every piece but the first; a word with no such split, or longer than 100
  characters, is one [UNK];
- the specials [PAD] [UNK] [CLS] [SEP] [MASK] typed in the raw text are
  matched as themselves (before cleaning and lower-casing);
- [CLS] A [SEP] (B [SEP]), type ids 0 for A, 1 for B; longest-first
  truncation to max_length; padding with [PAD] (type id 0, mask 0).
"""
import re
import unicodedata
from dataclasses import dataclass, field
from typing import List, Optional

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
MAX_WORD_CHARS = 100


def _is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def _is_whitespace(ch):
    return ch in " \t\n\r" or unicodedata.category(ch) == "Zs"


def _is_control(ch):
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch).startswith("C")


def _is_punctuation(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


@dataclass
class Encoding:
    tokens: List[str] = field(default_factory=list)
    ids: List[int] = field(default_factory=list)
    type_ids: List[int] = field(default_factory=list)
    mask: List[int] = field(default_factory=list)
    special: List[int] = field(default_factory=list)
    unknown: List[int] = field(default_factory=list)


class WordPiece:
    def __init__(self, vocab_lines, lowercase=True):
        self.vocab = {}
        for i, line in enumerate(vocab_lines):
            self.vocab.setdefault(line.rstrip("\r\n"), i)
        self.lowercase = lowercase
        present = [s for s in SPECIALS if s in self.vocab]
        self._special_split = re.compile("(" + "|".join(re.escape(s) for s in present) + ")") if present else None

    @classmethod
    def from_file(cls, path, lowercase=True):
        with open(path, encoding="utf-8") as f:
            return cls(f.read().splitlines(), lowercase)

    def _normalize(self, text):
        out = []
        for ch in text:
            cp = ord(ch)
            if cp == 0 or cp == 0xFFFD or _is_control(ch):
                continue
            if _is_whitespace(ch):
                out.append(" ")
            elif _is_cjk(cp):
                out.append(" " + ch + " ")
            else:
                out.append(ch)
        text = "".join(out)
        if self.lowercase:
            text = text.lower()
            text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
        return text

    def _words(self, text):
        words = []
        for chunk in text.split():
            current = ""
            for ch in chunk:
                if _is_punctuation(ch):
                    if current:
                        words.append(current)
                        current = ""
                    words.append(ch)
                else:
                    current += ch
            if current:
                words.append(current)
        return words

    def _pieces(self, word):
        if len(word) > MAX_WORD_CHARS:
            return ["[UNK]"]
        pieces, start = [], 0
        while start < len(word):
            end, found = len(word), None
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    found = piece
                    break
                end -= 1
            if found is None:
                return ["[UNK]"]
            pieces.append(found)
            start = end
        return pieces

    def tokenize(self, text):
        """The pieces of one text, without [CLS] / [SEP]."""
        parts = self._special_split.split(text) if self._special_split else [text]
        tokens = []
        for k, part in enumerate(parts):
            if k % 2 == 1:
                tokens.append(part)
                continue
            for word in self._words(self._normalize(part)):
                tokens += self._pieces(word)
        return tokens

    def encode(self, text, pair: Optional[str] = None, max_length: Optional[int] = None, pad=True):
        a = self.tokenize(text)
        b = self.tokenize(pair) if pair is not None else None
        specials = 3 if b is not None else 2
        if max_length is not None:
            budget = max_length - specials
            while len(a) + (len(b) if b is not None else 0) > budget:
                if b is not None and len(b) > len(a):
                    b.pop()
                else:
                    a.pop()
        tokens = ["[CLS]"] + a + ["[SEP]"]
        type_ids = [0] * len(tokens)
        if b is not None:
            tokens += b + ["[SEP]"]
            type_ids += [1] * (len(b) + 1)
        e = Encoding()
        e.tokens = tokens
        e.ids = [self.vocab.get(t, self.vocab["[UNK]"]) for t in tokens]
        e.type_ids = type_ids
        e.mask = [1] * len(tokens)
        e.special = [1 if (k == 0 or t == "[SEP]" and k in (len(a) + 1, len(tokens) - 1)) else 0
                     for k, t in enumerate(tokens)]
        e.unknown = [1 if t == "[UNK]" and not e.special[k] else 0 for k, t in enumerate(tokens)]
        if pad and max_length is not None:
            n = max_length - len(tokens)
            e.tokens += ["[PAD]"] * n
            e.ids += [self.vocab["[PAD]"]] * n
            e.type_ids += [0] * n
            e.mask += [0] * n
            e.special += [1] * n
            e.unknown += [0] * n
        return e
