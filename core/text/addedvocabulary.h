#pragma once

#include "core/text/sourcetext.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace attnscope::core {

/// A token the tokenizer finds in the text before (normalized = false) or
/// after (normalized = true) normalization, and never splits: [CLS], [SEP],
/// <|endoftext|>. Special ones are the model's markers; typed by the user
/// they are still found (`[SEP]` is the separator, `[sep]` is not).
struct AddedToken
{
    std::string content;
    int64_t id = 0;
    bool special = false;
    bool normalized = false;
    bool singleWord = false; ///< only where no word character touches it
    bool leftStrip = false;  ///< takes the whitespace before it
    bool rightStrip = false; ///< takes the whitespace after it
};

/// A stretch of the text: an added token found there (token set), or text
/// for the normalizer, pre-tokenizer and model.
struct TextPiece
{
    AlignedChars chars;
    const AddedToken *token = nullptr;
};

/// The added tokens and where they occur: at each position the leftmost,
/// then longest, match, scanning on after it (the reference library's
/// leftmost-longest Aho-Corasick search, here on a code-point trie).
class AddedVocabulary
{
public:
    /// `pattern`: what is searched for, the content itself or (normalized
    /// tokens) the content as the normalizer writes it.
    void add(const AddedToken &token, const std::u32string &pattern);

    /// Splits `text` at the tokens of one kind (normalized or not). Pieces
    /// are never empty; an empty text gives none.
    std::vector<TextPiece> split(const AlignedChars &text, bool normalizedTokens) const;

    const std::vector<AddedToken> &tokens() const { return m_tokens; }
    const AddedToken *find(const std::string &content) const;

private:
    struct Node
    {
        std::map<char32_t, int> next;
        int token = -1;
    };
    struct Match
    {
        size_t begin = 0, end = 0;
        int token = -1;
    };

    std::optional<Match> longestAt(const std::vector<Node> &trie, const AlignedChars &text, size_t pos) const;
    bool standsAlone(const AlignedChars &text, size_t begin, size_t end) const;

    std::vector<AddedToken> m_tokens;
    std::vector<Node> m_raw = {Node{}}; ///< tries, node 0 the root
    std::vector<Node> m_normalized = {Node{}};
};

} // namespace attnscope::core
