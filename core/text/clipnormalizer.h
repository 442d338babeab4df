#pragma once

#include "core/text/normalizer.h"

namespace attnscope::core {

/// The clean-up OpenAI's CLIP tokenizer applies before its pattern
/// (simple_tokenizer.py: basic_clean, whitespace_clean, lower), without ftfy:
///   (1) HTML character references undone twice, as html.unescape twice
///       does for the numeric ones (&#233; &#xE9;) and for &amp; &lt; &gt;
///       &quot; (with or without ';'), &apos; and &nbsp; — not the rest of
///       HTML5's 2,231 names; a reference to 0, a surrogate or past U+10FFFF
///       becomes U+FFFD;
///   (2) every character Python's str.isspace() calls whitespace becomes a
///       space (runs and the ends need no collapsing: the pattern skips them);
///   (3) lower-casing as str.lower() does (İ becomes i + U+0307; the final
///       sigma rule, which needs context, is not applied).
/// ftfy.fix_text is not run: the few texts it would change (mojibake,
/// curly quotes, ligatures, full-width letters, control characters, NFC)
/// are tokenized as typed; the README lists them.
class ClipNormalizer : public Normalizer
{
public:
    void normalize(AlignedChars &text) const override;
    /// One html.unescape pass (see above).
    static void unescapeHtml(AlignedChars &text);
};

} // namespace attnscope::core
