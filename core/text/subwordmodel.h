#pragma once

#include "core/text/sourcetext.h"

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace attnscope::core {

/// A vocabulary: token string to id.
using Vocabulary = std::unordered_map<std::string, int64_t>;

/// One token a subword model made of a word: its vocabulary string and id,
/// and the characters of the word it covers, [begin, end).
struct ModelToken
{
    int64_t id = 0;
    std::string value;
    size_t begin = 0;
    size_t end = 0; ///< == begin for a token that covers no character (SentencePiece's lone U+2581)
    /// Which word of the pre-tokenized word the token belongs to: 0, except
    /// for models that split at spaces themselves (SentencePiece).
    int64_t word = 0;
};

/// Turns one pre-tokenized word into vocabulary tokens (WordPiece, BPE).
/// Immutable after construction: safe to share between threads.
class SubwordModel
{
public:
    virtual ~SubwordModel() = default;
    /// Appends the tokens of `word` (never empty) to `out`.
    virtual void tokenize(const AlignedChars &word, std::vector<ModelToken> &out) const = 0;
    virtual std::optional<int64_t> idOf(const std::string &token) const = 0;
    /// The id that stands for what the vocabulary lacks, if the model has one.
    virtual std::optional<int64_t> unknownId() const = 0;
    virtual const Vocabulary &vocabulary() const = 0;
};

} // namespace attnscope::core
