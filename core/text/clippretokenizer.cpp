#include "core/text/clippretokenizer.h"

#include "core/text/bytelevelpretokenizer.h"
#include "core/text/unicodeproperties.h"

namespace attnscope::core {

namespace {

bool isOther(char32_t c)
{
    return !UnicodeProperties::isWhitespace(c) && !UnicodeProperties::isLetter(c) && !UnicodeProperties::isNumber(c);
}

/// 's 't 're 've 'm 'll 'd at pos (the pattern ignores case; the text is
/// lower-cased by then).
size_t contractionLength(const AlignedChars &text, size_t pos)
{
    if (text[pos].c != U'\'' || pos + 1 >= text.size())
        return 0;
    const char32_t a = text[pos + 1].c;
    if (a == U's' || a == U't' || a == U'm' || a == U'd')
        return 2;
    if (pos + 2 < text.size()) {
        const char32_t b = text[pos + 2].c;
        if ((a == U'r' && b == U'e') || (a == U'v' && b == U'e') || (a == U'l' && b == U'l'))
            return 3;
    }
    return 0;
}

} // namespace

size_t ClipPreTokenizer::matchLength(const AlignedChars &text, size_t pos)
{
    const char32_t c = text[pos].c;
    if (UnicodeProperties::isWhitespace(c))
        return 0;
    if (const size_t k = contractionLength(text, pos))
        return k;
    if (UnicodeProperties::isNumber(c))
        return 1;
    bool (*same)(char32_t) = UnicodeProperties::isLetter(c) ? UnicodeProperties::isLetter : isOther;
    size_t end = pos + 1;
    while (end < text.size() && same(text[end].c))
        ++end;
    return end - pos;
}

void ClipPreTokenizer::split(const AlignedChars &text, std::vector<AlignedChars> &words) const
{
    std::string bytes;
    for (size_t pos = 0; pos < text.size();) {
        const size_t length = matchLength(text, pos);
        if (length == 0) {
            ++pos;
            continue;
        }
        AlignedChars word;
        for (size_t i = pos; i < pos + length; ++i) {
            bytes.clear();
            UnicodeProperties::appendUtf8(text[i].c, bytes);
            for (const char b : bytes)
                word.push_back({ByteLevelPreTokenizer::byteSymbol(static_cast<uint8_t>(b)), text[i].source});
        }
        words.push_back(std::move(word));
        pos += length;
    }
}

} // namespace attnscope::core
