#include "core/text/bertpretokenizer.h"

#include "core/text/unicodeproperties.h"

namespace attnscope::core {

void BertPreTokenizer::split(const AlignedChars &text, std::vector<AlignedChars> &words) const
{
    AlignedChars word;
    auto flush = [&] {
        if (!word.empty())
            words.push_back(std::move(word));
        word.clear();
    };
    for (const AlignedChar &ch : text) {
        if (UnicodeProperties::isWhitespace(ch.c)) {
            flush();
        } else if (UnicodeProperties::isBertPunctuation(ch.c)) {
            flush();
            words.push_back({ch});
        } else {
            word.push_back(ch);
        }
    }
    flush();
}

} // namespace attnscope::core
