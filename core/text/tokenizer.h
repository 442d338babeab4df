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
    int wordCount = 0;                 ///< words in the input text
    int droppedWords = 0;              ///< words cut off by truncation
    bool truncated() const { return droppedWords > 0; }
    /// The words the model could not read (each read as its unknown token),
    /// in order, once each.
    std::vector<std::string> unknownWords() const;
    /// Words of the input the model sees (after truncation).
    int keptWords() const;
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
    /// The tokenizer the manifest asks for; throws Error for an unknown kind
    /// or a maximum length that leaves no room for words.
    static std::unique_ptr<Tokenizer> create(const TextSpec &spec);
};

/// Replaces invalid UTF-8 with U+FFFD, control characters (C0 and C1) with
/// spaces and directional overrides, embeddings and isolates with U+FFFD, so
/// that any user text can be shown and written to JSON without reordering
/// what is drawn after it.
std::string sanitizeUtf8(const std::string &text);

} // namespace attnscope::core
