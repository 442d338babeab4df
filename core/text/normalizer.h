#pragma once

#include "core/text/sourcetext.h"

namespace attnscope::core {

/// Rewrites text before it is split into words (the Hugging Face library's
/// normalizers): characters may be deleted, replaced or inserted, each
/// keeping the source of the input character it comes from, so offsets
/// still point into the user's text. Immutable after construction.
class Normalizer
{
public:
    virtual ~Normalizer() = default;
    virtual void normalize(AlignedChars &text) const = 0;
};

} // namespace attnscope::core
