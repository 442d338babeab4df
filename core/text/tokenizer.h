#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace attnscope::core {

struct TextSpec;

/// A text ready for the model: ids and mask are padded to the manifest's
/// maximum length; `tokens` holds a display string for every position.
struct TokenizedText
{
    std::vector<int64_t> ids;
    std::vector<int64_t> mask;         ///< 1 for real tokens (words and specials), 0 for padding
    std::vector<std::string> tokens;   ///< valid UTF-8, one per position
    std::vector<uint8_t> special;      ///< 1 for CLS / SEP / PAD positions
    std::vector<uint8_t> unknown;      ///< 1 where a word was not in the vocabulary
    /// Subword tokenizers: at unknown positions the text the piece stands
    /// for, as typed (the token itself is the unknown token); else empty.
    std::vector<std::string> unknownSource;
    /// Subword tokenizers: the text each piece covers, as typed (a
    /// SentencePiece or byte-level piece's space included); empty for
    /// specials and padding.
    std::vector<std::string> typed;
    /// Subword tokenizers: 0 for the first text, 1 for the second (empty:
    /// all 0), the word of its text each piece belongs to (-1: specials,
    /// padding) and which text it is from (-1: specials, padding).
    std::vector<int64_t> typeIds;
    std::vector<int64_t> wordIds;
    std::vector<int64_t> sequenceIds;
    int wordCount = 0;                 ///< words in the input text(s)
    int droppedWords = 0;              ///< words cut off by truncation
    int droppedPieces = 0;             ///< subword tokenizers: pieces cut off
    bool truncated() const { return droppedWords > 0; }
    /// The words the model could not read (each read as its unknown token),
    /// in order, once each.
    std::vector<std::string> unknownWords() const;
    /// Words of the input the model sees (after truncation).
    int keptWords() const;
    /// One typed word and the positions of its pieces ("playing": play,
    /// ##ing), in order; a special token is a word of its own, padding is
    /// in none. A word-level tokenizer's words are its tokens.
    struct Word
    {
        std::string text;
        std::vector<int> positions;
    };
    std::vector<Word> words() const;
    /// "2 of 5 words are not in this model's vocabulary: cat, dog. The model
    /// reads each as [UNK]: ..." or empty when it knows every word.
    std::string unknownWordsNote(const std::string &unknownToken = "[UNK]") const;
};

/// Turns text into model ids. The manifest's `text.tokenizer` chooses the
/// word-level one; SubwordTokenizer (WordPiece, BPE, read from a Hugging Face
/// tokenizer.json or vocabulary files) implements the same interface.
class Tokenizer
{
public:
    virtual ~Tokenizer();
    virtual TokenizedText encode(const std::string &text) const = 0;
    /// A pair of texts (type ids 0 and 1); throws Error for a tokenizer
    /// that reads one text only (the word-level one).
    virtual TokenizedText encodeWithPair(const std::string &text, const std::string &pair) const;
    /// The word-level tokenizer the manifest asks for; throws Error for an
    /// unknown kind or a maximum length that leaves no room for words.
    static std::unique_ptr<Tokenizer> create(const TextSpec &spec);
    /// The manifest's tokenizer: the one loaded from the model's files
    /// (spec.loaded), else a new word-level one. Throws Error for a subword
    /// tokenizer that was not loaded.
    static std::shared_ptr<const Tokenizer> of(const TextSpec &spec);
};

/// Replaces invalid UTF-8 with U+FFFD, control characters (C0 and C1) with
/// spaces and directional overrides, embeddings and isolates with U+FFFD, so
/// that any user text can be shown and written to JSON without reordering
/// what is drawn after it.
std::string sanitizeUtf8(const std::string &text);

} // namespace attnscope::core
