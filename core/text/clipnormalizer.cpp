#include "core/text/clipnormalizer.h"

#include "core/text/unicodeproperties.h"

#include <cstring>

namespace attnscope::core {

namespace {

bool matchesAt(const AlignedChars &text, size_t pos, const char *ascii)
{
    const size_t n = std::strlen(ascii);
    if (pos + n > text.size())
        return false;
    for (size_t i = 0; i < n; ++i) {
        if (text[pos + i].c != static_cast<char32_t>(static_cast<unsigned char>(ascii[i])))
            return false;
    }
    return true;
}

/// A numeric reference at pos ('&' there): its length and character, or 0.
size_t numericReference(const AlignedChars &text, size_t pos, char32_t &out)
{
    size_t i = pos + 2; // past "&#"
    const bool hex = i < text.size() && (text[i].c == U'x' || text[i].c == U'X');
    if (hex)
        ++i;
    const size_t digitsBegin = i;
    uint64_t value = 0;
    while (i < text.size()) {
        const char32_t c = text[i].c;
        int digit = -1;
        if (c >= U'0' && c <= U'9')
            digit = static_cast<int>(c - U'0');
        else if (hex && c >= U'a' && c <= U'f')
            digit = static_cast<int>(c - U'a') + 10;
        else if (hex && c >= U'A' && c <= U'F')
            digit = static_cast<int>(c - U'A') + 10;
        if (digit < 0)
            break;
        if (value <= 0x110000) // past the last code point it stays invalid
            value = value * (hex ? 16 : 10) + static_cast<uint64_t>(digit);
        ++i;
    }
    if (i == digitsBegin)
        return 0;
    if (i < text.size() && text[i].c == U';')
        ++i;
    const bool invalid = value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF);
    out = invalid ? char32_t(0xFFFD) : static_cast<char32_t>(value);
    return i - pos;
}

/// A named reference at pos: its length and character, or 0.
size_t namedReference(const AlignedChars &text, size_t pos, char32_t &out)
{
    struct Name
    {
        const char *name;
        char32_t c;
        bool needsSemicolon;
    };
    static const Name kNames[] = {{"amp", U'&', false},  {"lt", U'<', false},    {"gt", U'>', false},
                                  {"quot", U'"', false}, {"apos", U'\'', true}, {"nbsp", 0xA0, false}};
    for (const Name &n : kNames) {
        if (!matchesAt(text, pos + 1, n.name))
            continue;
        size_t length = 1 + std::strlen(n.name);
        const bool semicolon = pos + length < text.size() && text[pos + length].c == U';';
        if (n.needsSemicolon && !semicolon)
            continue;
        out = n.c;
        return length + (semicolon ? 1 : 0);
    }
    return 0;
}

bool isPythonSpace(char32_t c)
{
    // str.isspace(): Unicode's White_Space and the four information
    // separators U+001C..U+001F.
    return UnicodeProperties::isWhitespace(c) || (c >= 0x1C && c <= 0x1F);
}

} // namespace

void ClipNormalizer::unescapeHtml(AlignedChars &text)
{
    AlignedChars out;
    out.reserve(text.size());
    for (size_t pos = 0; pos < text.size();) {
        char32_t c = 0;
        size_t length = 0;
        if (text[pos].c == U'&')
            length = pos + 1 < text.size() && text[pos + 1].c == U'#' ? numericReference(text, pos, c)
                                                                      : namedReference(text, pos, c);
        if (length == 0) {
            out.push_back(text[pos++]);
            continue;
        }
        out.push_back({c, text[pos].source}); // the reference's '&' is its source
        pos += length;
    }
    text.swap(out);
}

void ClipNormalizer::normalize(AlignedChars &text) const
{
    unescapeHtml(text);
    unescapeHtml(text);
    AlignedChars out;
    out.reserve(text.size());
    std::vector<char32_t> lower;
    for (const AlignedChar &ch : text) {
        if (isPythonSpace(ch.c)) {
            out.push_back({U' ', ch.source});
            continue;
        }
        lower.clear();
        UnicodeProperties::appendLowercase(ch.c, lower);
        for (char32_t l : lower)
            out.push_back({l, ch.source});
    }
    text.swap(out);
}

} // namespace attnscope::core
