#include "core/text/bytelevelpretokenizer.h"

#include "core/text/unicodeproperties.h"

#include <array>

namespace attnscope::core {

namespace {

bool isOtherSymbol(char32_t c)
{
    return !UnicodeProperties::isWhitespace(c) && !UnicodeProperties::isLetter(c) && !UnicodeProperties::isNumber(c);
}

/// The contractions, matched case-sensitively as the pattern's literals are.
size_t contractionLength(const AlignedChars &text, size_t pos)
{
    const size_t n = text.size();
    if (text[pos].c != U'\'' || pos + 1 >= n)
        return 0;
    const char32_t a = text[pos + 1].c;
    if (a == U's' || a == U't' || a == U'm' || a == U'd')
        return 2;
    if (pos + 2 >= n)
        return 0;
    const char32_t b = text[pos + 2].c;
    if ((a == U'r' && b == U'e') || (a == U'v' && b == U'e') || (a == U'l' && b == U'l'))
        return 3;
    return 0;
}

template <typename Predicate> size_t runLength(const AlignedChars &text, size_t from, Predicate inClass)
{
    size_t end = from;
    while (end < text.size() && inClass(text[end].c))
        ++end;
    return end - from;
}

/// ` ?X+` at pos: an optional ASCII space, then one or more of class X.
template <typename Predicate> size_t spacedRunLength(const AlignedChars &text, size_t pos, Predicate inClass)
{
    if (text[pos].c == U' ') {
        const size_t k = runLength(text, pos + 1, inClass);
        return k > 0 ? k + 1 : 0; // a space is in none of the classes, so no match without it
    }
    return runLength(text, pos, inClass);
}

} // namespace

ByteLevelPreTokenizer::ByteLevelPreTokenizer(const Options &options)
    : m_options(options)
{
}

char32_t ByteLevelPreTokenizer::byteSymbol(uint8_t b)
{
    static const std::array<char32_t, 256> table = [] {
        std::array<char32_t, 256> t{};
        char32_t next = 256;
        for (int i = 0; i < 256; ++i) {
            const bool printable = (i >= 33 && i <= 126) || (i >= 161 && i <= 172) || (i >= 174 && i <= 255);
            t[i] = printable ? static_cast<char32_t>(i) : next++;
        }
        return t;
    }();
    return table[b];
}

size_t ByteLevelPreTokenizer::matchLength(const AlignedChars &text, size_t pos)
{
    if (pos >= text.size())
        return 0;
    if (const size_t k = contractionLength(text, pos))
        return k;
    if (const size_t k = spacedRunLength(text, pos, UnicodeProperties::isLetter))
        return k;
    if (const size_t k = spacedRunLength(text, pos, UnicodeProperties::isNumber))
        return k;
    if (const size_t k = spacedRunLength(text, pos, isOtherSymbol))
        return k;
    // \s+(?!\S): a run of whitespace not followed by a non-space, which
    // leaves the run's last space to the word after it; else \s+.
    const size_t k = runLength(text, pos, UnicodeProperties::isWhitespace);
    if (pos + k < text.size() && k > 1)
        return k - 1;
    return k > 0 ? k : 1;
}

void ByteLevelPreTokenizer::split(const AlignedChars &text, std::vector<AlignedChars> &words) const
{
    AlignedChars input = text;
    if (m_options.addPrefixSpace && !input.empty() && input.front().c != U' ')
        input.insert(input.begin(), AlignedChar{U' ', input.front().source});
    std::string bytes;
    size_t pos = 0;
    while (pos < input.size()) {
        const size_t length = m_options.useRegex ? matchLength(input, pos) : input.size();
        AlignedChars word;
        for (size_t i = pos; i < pos + length; ++i) {
            bytes.clear();
            UnicodeProperties::appendUtf8(input[i].c, bytes);
            for (const char b : bytes)
                word.push_back({byteSymbol(static_cast<uint8_t>(b)), input[i].source});
        }
        words.push_back(std::move(word));
        pos += length;
    }
}

} // namespace attnscope::core
