#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attnscope::core {

/// One code point of a text on its way through normalization, with the code
/// point of the user's input it stands for. Every normalization step keeps
/// `source` (a lower-cased or decomposed letter, a space put around a CJK
/// character, a byte symbol all point at the character they came from), so
/// a token's offsets are those of its first and last characters' sources,
/// as in the Hugging Face library's alignments.
struct AlignedChar
{
    char32_t c = 0;
    int32_t source = 0;
};
using AlignedChars = std::vector<AlignedChar>;

/// The UTF-8 of chars [begin, end).
std::string utf8Of(const AlignedChars &chars, size_t begin, size_t end);

/// A user's text decoded into code points, with the byte each one starts at.
/// Bytes that are not UTF-8 (stray continuation bytes, overlong forms,
/// surrogates, truncated sequences) each become one U+FFFD, so any input can
/// be tokenized and offsets still count the input's own bytes.
class SourceText
{
public:
    explicit SourceText(const std::string &utf8);

    size_t size() const { return m_codePoints.size(); }
    const std::vector<char32_t> &codePoints() const { return m_codePoints; }
    /// The byte where code point i starts; size() gives the length in bytes.
    int64_t byteOffset(size_t i) const { return m_byteOffsets[i]; }
    /// Every code point, each its own source.
    AlignedChars aligned() const;

private:
    std::vector<char32_t> m_codePoints;
    std::vector<int64_t> m_byteOffsets; ///< size() + 1 entries
};

} // namespace attnscope::core
