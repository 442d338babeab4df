#pragma once

#include "core/text/pretokenizer.h"

namespace attnscope::core {

/// BERT's basic split: whitespace separates words and is dropped; every
/// punctuation character (UnicodeProperties::isBertPunctuation) is a word of
/// its own. "wasn't." gives "wasn", "'", "t", ".".
class BertPreTokenizer : public PreTokenizer
{
public:
    void split(const AlignedChars &text, std::vector<AlignedChars> &words) const override;
};

} // namespace attnscope::core
