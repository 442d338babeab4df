#pragma once

#include "core/text/pretokenizer.h"

#include <cstdint>

namespace attnscope::core {

/// GPT-2's pre-tokenizer: the text is split as GPT-2's pattern
///   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
/// splits it (implemented by hand on UnicodeProperties, with the regex's
/// leftmost-alternative semantics), then each word's UTF-8 bytes become
/// printable stand-in characters (byteSymbol), which the BPE vocabulary is
/// written in ("Ġ" is the space). A multi-byte character's symbols all keep
/// its source, so tokens that split a character share its offsets.
class ByteLevelPreTokenizer : public PreTokenizer
{
public:
    struct Options
    {
        bool addPrefixSpace = false; ///< a space before a text that has none (RoBERTa)
        bool useRegex = true;        ///< false: the whole text is one word
    };

    explicit ByteLevelPreTokenizer(const Options &options);
    void split(const AlignedChars &text, std::vector<AlignedChars> &words) const override;

    /// The character GPT-2 writes byte b as: printable Latin-1 bytes stand
    /// for themselves, the 68 others for U+0100 onwards, in byte order.
    static char32_t byteSymbol(uint8_t b);
    /// The length of the pattern's match at `pos` (at least 1 when pos < size).
    static size_t matchLength(const AlignedChars &text, size_t pos);

private:
    Options m_options;
};

} // namespace attnscope::core
