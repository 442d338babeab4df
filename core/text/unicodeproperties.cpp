#include "core/text/unicodeproperties.h"

#include <utf8proc.h>

namespace attnscope::core {

namespace {

utf8proc_category_t categoryOf(char32_t c)
{
    return utf8proc_category(static_cast<utf8proc_int32_t>(c));
}

bool inRange(utf8proc_category_t category, utf8proc_category_t first, utf8proc_category_t last)
{
    return category >= first && category <= last;
}

} // namespace

bool UnicodeProperties::isWhitespace(char32_t c)
{
    if ((c >= 0x09 && c <= 0x0D) || c == 0x85)
        return true;
    return inRange(categoryOf(c), UTF8PROC_CATEGORY_ZS, UTF8PROC_CATEGORY_ZP);
}

bool UnicodeProperties::isControlFormatOrPrivateUse(char32_t c)
{
    const utf8proc_category_t category = categoryOf(c);
    return category == UTF8PROC_CATEGORY_CC || category == UTF8PROC_CATEGORY_CF || category == UTF8PROC_CATEGORY_CO;
}

bool UnicodeProperties::isBertPunctuation(char32_t c)
{
    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126))
        return true;
    return inRange(categoryOf(c), UTF8PROC_CATEGORY_PC, UTF8PROC_CATEGORY_PO);
}

bool UnicodeProperties::isBertCjkCharacter(char32_t c)
{
    // The list Google's BERT and the Hugging Face normalizer share (the gap
    // at U+2B820-U+2B91F is theirs too).
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
           (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

bool UnicodeProperties::isLetter(char32_t c)
{
    return inRange(categoryOf(c), UTF8PROC_CATEGORY_LU, UTF8PROC_CATEGORY_LO);
}

bool UnicodeProperties::isNumber(char32_t c)
{
    return inRange(categoryOf(c), UTF8PROC_CATEGORY_ND, UTF8PROC_CATEGORY_NO);
}

bool UnicodeProperties::isNonspacingMark(char32_t c)
{
    return categoryOf(c) == UTF8PROC_CATEGORY_MN;
}

bool UnicodeProperties::isWordCharacter(char32_t c)
{
    const utf8proc_category_t category = categoryOf(c);
    return inRange(category, UTF8PROC_CATEGORY_LU, UTF8PROC_CATEGORY_ND) || category == UTF8PROC_CATEGORY_NL ||
           category == UTF8PROC_CATEGORY_PC || c == 0x200C || c == 0x200D;
}

int UnicodeProperties::combiningClass(char32_t c)
{
    return utf8proc_get_property(static_cast<utf8proc_int32_t>(c))->combining_class;
}

void UnicodeProperties::appendCanonicalDecomposition(char32_t c, std::vector<char32_t> &out)
{
    // Canonical decompositions are at most four code points long; the buffer
    // leaves room and a longer answer (which would be a table error) keeps c.
    utf8proc_int32_t buffer[16];
    int boundary = 0;
    const utf8proc_ssize_t n =
        utf8proc_decompose_char(static_cast<utf8proc_int32_t>(c), buffer, 16, UTF8PROC_DECOMPOSE, &boundary);
    if (n <= 0 || n > 16) {
        out.push_back(c);
        return;
    }
    for (utf8proc_ssize_t i = 0; i < n; ++i)
        out.push_back(static_cast<char32_t>(buffer[i]));
}

void UnicodeProperties::appendLowercase(char32_t c, std::vector<char32_t> &out)
{
    // SpecialCasing.txt's one unconditional lower-case mapping longer than a
    // code point: İ becomes i + COMBINING DOT ABOVE. The conditional ones
    // (final sigma) need context that char::to_lowercase does not have.
    if (c == 0x130) {
        out.push_back(U'i');
        out.push_back(0x307);
        return;
    }
    out.push_back(static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c))));
}

void UnicodeProperties::appendUtf8(char32_t c, std::string &out)
{
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

std::string UnicodeProperties::unicodeVersion()
{
    return utf8proc_unicode_version();
}

} // namespace attnscope::core
