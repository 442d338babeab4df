"""AttnScope's word-level tokenizer (core/text/wordleveltokenizer.cpp), in
Python: the one tokenizer that training, the reference implementation, the
malformed corpus and the benchmarks read text with, so that a model is fed
here the ids AttnScope feeds it. tst_tokenizer compares the two on the
malformed texts (tests/data/malformed/tokens.expected.json).

    from attnscope import tokenizer
    t = tokenizer.encode("Is there a red circle?", manifest["text"])
    t.ids, t.mask            # padded to text.max_length
    t.tokens                 # a display string per position (valid UTF-8)
    t.special, t.unknown     # per position: CLS / SEP / PAD; not in the vocabulary
    t.word_count, t.dropped_words

As the C++ tokenizer, it reads a text as UTF-8 bytes: bytes pass as they are
(invalid UTF-8 included) and a str is encoded first (surrogateescape, so a
command-line argument or a file read with errors="surrogateescape" gives back
the bytes it came from).

- Words are runs of ASCII letters, digits, ' and _ and of bytes from 0x80 up:
  every non-ASCII character (U+FFFD, a C1 control, a no-break space, invalid
  bytes) belongs to a word. Every other printable ASCII symbol is a word of
  its own. Bytes up to 0x20 (space and the C0 controls) and 0x7F separate.
- text.lowercase folds A-Z only.
- Each word is looked up whole in text.vocab; one not there reads as the
  unknown token. A special token missing from the vocabulary reads as id 0
  (the manifest check refuses such a manifest first).
- The CLS token comes first and the SEP token after the words when add_cls /
  add_sep ask for them; words past what max_length leaves are dropped and
  counted; the pad token fills up to max_length with mask 0.
- Displayed words are sanitised as sanitize_utf8 says.
"""
import re
from dataclasses import dataclass, field
from typing import Dict, List, Union

Text = Union[bytes, str]

REPLACEMENT = "\ufffd"

# A word, or one ASCII symbol; what neither matches (0x00-0x20, 0x7F) separates.
_WORD_OR_MARK = re.compile(rb"[0-9A-Za-z'_\x80-\xff]+|[!-/:-@\[-`{-~]")


def as_bytes(text: Text) -> bytes:
    return text if isinstance(text, bytes) else text.encode("utf-8", "surrogateescape")


def _sequence_length(lead: int) -> int:
    """The length of the UTF-8 sequence a byte starts; 0 for one that starts none."""
    if lead < 0x80:
        return 1
    if 0xC0 <= lead < 0xE0:
        return 2
    if 0xE0 <= lead < 0xF0:
        return 3
    if 0xF0 <= lead < 0xF8:
        return 4
    return 0


def sanitize_utf8(text: Text) -> str:
    """core::sanitizeUtf8: each byte that does not start a well-formed UTF-8
    sequence (a stray continuation byte, a sequence cut short, an overlong
    form, a surrogate, a code point past U+10FFFF) becomes one U+FFFD and the
    next byte is read afresh; C0 and C1 control characters and DEL become
    spaces; directional embeddings, overrides and isolates (U+202A-U+202E,
    U+2066-U+2069) become U+FFFD."""
    data = as_bytes(text)
    out = []
    i = 0
    while i < len(data):
        length = _sequence_length(data[i])
        sequence = data[i:i + length]
        try:
            ch = sequence.decode("utf-8") if length and len(sequence) == length else None
        except UnicodeDecodeError:
            ch = None
        if ch is None:
            out.append(REPLACEMENT)
            i += 1
            continue
        cp = ord(ch)
        if cp < 0x20 or 0x7F <= cp <= 0x9F:
            out.append(" ")
        elif 0x202A <= cp <= 0x202E or 0x2066 <= cp <= 0x2069:
            out.append(REPLACEMENT)
        else:
            out.append(ch)
        i += length
    return "".join(out)


@dataclass
class TokenizedText:
    """core::TokenizedText: every list has max_length entries."""

    ids: List[int] = field(default_factory=list)
    mask: List[int] = field(default_factory=list)   # 1 for words and specials, 0 for padding
    tokens: List[str] = field(default_factory=list)
    special: List[bool] = field(default_factory=list)   # CLS / SEP / PAD positions
    unknown: List[bool] = field(default_factory=list)   # words not in the vocabulary
    word_count: int = 0      # words in the text
    dropped_words: int = 0   # words cut off by truncation

    @property
    def truncated(self) -> bool:
        return self.dropped_words > 0

    @property
    def kept_words(self) -> int:
        return sum(1 for s, m in zip(self.special, self.mask) if not s and m)

    def unknown_words(self) -> List[str]:
        """The words read as the unknown token, in order, once each."""
        out = []
        for token, unknown in zip(self.tokens, self.unknown):
            if unknown and token not in out:
                out.append(token)
        return out

    def to_json(self) -> Dict:
        return {"ids": self.ids, "mask": self.mask, "tokens": self.tokens, "special": self.special,
                "unknown": self.unknown, "words": self.word_count, "dropped": self.dropped_words,
                "unknown_words": self.unknown_words()}


class WordLevelTokenizer:
    """Reads a manifest's `text` section (see README, "The model contract")."""

    def __init__(self, spec: Dict):
        special = spec.get("special_tokens", {})
        self.lowercase = bool(spec.get("lowercase", True))
        self.max_length = int(spec["max_length"])
        self.add_cls = bool(spec.get("add_cls", False))
        self.add_sep = bool(spec.get("add_sep", False))
        self.pad_token = special.get("pad", "[PAD]")
        self.unk_token = special.get("unk", "[UNK]")
        self.cls_token = special.get("cls", "[CLS]")
        self.sep_token = special.get("sep", "[SEP]")
        self.ids: Dict[bytes, int] = {}
        for i, word in enumerate(spec["vocab"]):
            self.ids.setdefault(word.encode("utf-8"), i)
        self.pad, self.unk, self.cls, self.sep = (self.ids.get(t.encode("utf-8"), 0) for t in (
            self.pad_token, self.unk_token, self.cls_token, self.sep_token))

    def split(self, text: Text) -> List[bytes]:
        """The words and marks of `text` before the vocabulary look-up."""
        data = as_bytes(text)
        return _WORD_OR_MARK.findall(data.lower() if self.lowercase else data)

    def encode(self, text: Text) -> TokenizedText:
        words = self.split(text)
        room = self.max_length - int(self.add_cls) - int(self.add_sep)
        kept = words[:room]
        out = TokenizedText(word_count=len(words), dropped_words=len(words) - len(kept))

        def push(token_id, display, special=False, unknown=False, real=True):
            out.ids.append(token_id)
            out.mask.append(1 if real else 0)
            out.tokens.append(display)
            out.special.append(special)
            out.unknown.append(unknown)

        if self.add_cls:
            push(self.cls, self.cls_token, special=True)
        for word in kept:
            token_id = self.ids.get(word)
            push(self.unk if token_id is None else token_id, sanitize_utf8(word), unknown=token_id is None)
        if self.add_sep:
            push(self.sep, self.sep_token, special=True)
        while len(out.ids) < self.max_length:
            push(self.pad, self.pad_token, special=True, real=False)
        return out


def create(spec: Dict) -> WordLevelTokenizer:
    """core::Tokenizer::create: the tokenizer `spec` (a manifest's `text`)
    asks for; ValueError for an unknown kind or a maximum length that leaves no
    room for words."""
    specials = int(bool(spec.get("add_cls", False))) + int(bool(spec.get("add_sep", False)))
    if int(spec["max_length"]) <= specials:
        raise ValueError("the text's maximum length (%d) leaves no room for words after the special tokens"
                         % int(spec["max_length"]))
    kind = spec.get("tokenizer", "word")
    if kind != "word":
        raise ValueError('unknown tokenizer kind "%s"' % kind)
    return WordLevelTokenizer(spec)


def encode(text: Text, spec: Dict) -> TokenizedText:
    return create(spec).encode(text)
