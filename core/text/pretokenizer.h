#pragma once

#include "core/text/sourcetext.h"

#include <vector>

namespace attnscope::core {

/// Splits normalized text into the words the subword model reads one at a
/// time (the Hugging Face library's pre-tokenizers). Words keep their
/// characters' sources; empty words are never produced. Implementations are
/// immutable after construction, so one may be used from several threads.
class PreTokenizer
{
public:
    virtual ~PreTokenizer() = default;
    /// Appends the words of `text` to `words`, in order.
    virtual void split(const AlignedChars &text, std::vector<AlignedChars> &words) const = 0;
};

} // namespace attnscope::core
