#include "core/text/sourcetext.h"

#include "core/text/unicodeproperties.h"

namespace attnscope::core {

namespace {

/// The code point of the UTF-8 sequence at s[i], and its length; length 0
/// when the bytes there are not a valid sequence.
size_t decodeAt(const unsigned char *s, size_t n, size_t i, char32_t &cp)
{
    const unsigned char lead = s[i];
    if (lead < 0x80) {
        cp = lead;
        return 1;
    }
    size_t len = 0;
    if ((lead & 0xE0) == 0xC0) {
        len = 2;
        cp = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
        len = 3;
        cp = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
        len = 4;
        cp = lead & 0x07;
    } else {
        return 0;
    }
    if (i + len > n)
        return 0;
    for (size_t k = 1; k < len; ++k) {
        if ((s[i + k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    const char32_t minimum = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
    if (cp < minimum || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

} // namespace

std::string utf8Of(const AlignedChars &chars, size_t begin, size_t end)
{
    std::string out;
    for (size_t i = begin; i < end && i < chars.size(); ++i)
        UnicodeProperties::appendUtf8(chars[i].c, out);
    return out;
}

SourceText::SourceText(const std::string &utf8)
{
    const auto *s = reinterpret_cast<const unsigned char *>(utf8.data());
    const size_t n = utf8.size();
    m_codePoints.reserve(n);
    m_byteOffsets.reserve(n + 1);
    size_t i = 0;
    while (i < n) {
        char32_t cp = 0;
        size_t len = decodeAt(s, n, i, cp);
        if (len == 0) {
            cp = 0xFFFD;
            len = 1;
        }
        m_codePoints.push_back(cp);
        m_byteOffsets.push_back(static_cast<int64_t>(i));
        i += len;
    }
    m_byteOffsets.push_back(static_cast<int64_t>(n));
}

AlignedChars SourceText::aligned() const
{
    AlignedChars out(m_codePoints.size());
    for (size_t i = 0; i < m_codePoints.size(); ++i)
        out[i] = {m_codePoints[i], static_cast<int32_t>(i)};
    return out;
}

} // namespace attnscope::core
