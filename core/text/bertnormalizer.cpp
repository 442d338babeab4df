#include "core/text/bertnormalizer.h"

#include "core/text/unicodeproperties.h"

#include <algorithm>
#include <cstddef>

namespace attnscope::core {

namespace {

void cleanText(AlignedChars &text)
{
    AlignedChars out;
    out.reserve(text.size());
    for (const AlignedChar &ch : text) {
        const char32_t c = ch.c;
        const bool keptControl = c == U'\t' || c == U'\n' || c == U'\r';
        if (c == 0 || c == 0xFFFD || (!keptControl && UnicodeProperties::isControlFormatOrPrivateUse(c)))
            continue;
        out.push_back({UnicodeProperties::isWhitespace(c) ? U' ' : c, ch.source});
    }
    text.swap(out);
}

void spaceCjkCharacters(AlignedChars &text)
{
    AlignedChars out;
    out.reserve(text.size());
    for (const AlignedChar &ch : text) {
        if (UnicodeProperties::isBertCjkCharacter(ch.c)) {
            out.push_back({U' ', ch.source});
            out.push_back(ch);
            out.push_back({U' ', ch.source});
        } else {
            out.push_back(ch);
        }
    }
    text.swap(out);
}

void deleteNonspacingMarks(AlignedChars &text)
{
    text.erase(std::remove_if(text.begin(), text.end(),
                              [](const AlignedChar &ch) { return UnicodeProperties::isNonspacingMark(ch.c); }),
               text.end());
}

void lowercase(AlignedChars &text)
{
    AlignedChars out;
    out.reserve(text.size());
    std::vector<char32_t> lower;
    for (const AlignedChar &ch : text) {
        lower.clear();
        UnicodeProperties::appendLowercase(ch.c, lower);
        for (char32_t c : lower)
            out.push_back({c, ch.source});
    }
    text.swap(out);
}

/// A decomposed character on its way to canonical order; `first` marks the
/// first character of an input character's decomposition.
struct Decomposed
{
    int combiningClass;
    char32_t c;
    bool first;
};

/// Stable-sorts the combining marks after the last starter, as NFD's
/// canonical ordering requires.
void sortPending(std::vector<Decomposed> &buffer, size_t &pendingFrom)
{
    std::stable_sort(buffer.begin() + static_cast<std::ptrdiff_t>(pendingFrom), buffer.end(),
                     [](const Decomposed &a, const Decomposed &b) { return a.combiningClass < b.combiningClass; });
    pendingFrom = buffer.size();
}

} // namespace

BertNormalizer::BertNormalizer(const Options &options)
    : m_options(options)
{
}

void BertNormalizer::normalize(AlignedChars &text) const
{
    if (m_options.cleanText)
        cleanText(text);
    if (m_options.handleChineseChars)
        spaceCjkCharacters(text);
    if (m_options.stripAccents.value_or(m_options.lowercase)) {
        decomposeCanonically(text);
        deleteNonspacingMarks(text);
    }
    if (m_options.lowercase)
        lowercase(text);
}

void BertNormalizer::decomposeCanonically(AlignedChars &text)
{
    std::vector<Decomposed> buffer;
    buffer.reserve(text.size());
    size_t pendingFrom = 0;
    std::vector<char32_t> parts;
    for (const AlignedChar &ch : text) {
        parts.clear();
        UnicodeProperties::appendCanonicalDecomposition(ch.c, parts);
        for (size_t k = 0; k < parts.size(); ++k) {
            const int ccc = UnicodeProperties::combiningClass(parts[k]);
            if (ccc == 0)
                sortPending(buffer, pendingFrom);
            buffer.push_back({ccc, parts[k], k == 0});
        }
    }
    sortPending(buffer, pendingFrom);

    // Sources by position: a first character takes the next input
    // character's source, an added one the source of the last one taken.
    AlignedChars out;
    out.reserve(buffer.size());
    size_t taken = 0;
    for (const Decomposed &d : buffer) {
        int32_t source = 0;
        if (d.first && taken < text.size())
            source = text[taken++].source;
        else if (taken > 0)
            source = text[taken - 1].source;
        out.push_back({d.c, source});
    }
    text.swap(out);
}

} // namespace attnscope::core
