#pragma once

#include "core/text/normalizer.h"

#include <optional>

namespace attnscope::core {

/// BERT's text clean-up, as the Hugging Face BertNormalizer does it, in its
/// order: (1) clean_text deletes NUL, U+FFFD and control, format and
/// private-use characters (Cc, Cf, Co; not tab, newline, CR) and turns every
/// other whitespace into a plain space; (2) handle_chinese_chars puts spaces
/// around each CJK ideograph; (3) strip_accents (by default: when
/// lower-casing) decomposes canonically (NFD) and deletes the nonspacing
/// marks (Mn); (4) lowercase. Every character keeps its source (see
/// AlignedChar), so a stripped "é" still covers the input's "é".
class BertNormalizer : public Normalizer
{
public:
    struct Options
    {
        bool cleanText = true;
        bool handleChineseChars = true;
        std::optional<bool> stripAccents; ///< unset: follow `lowercase`
        bool lowercase = true;
    };

    explicit BertNormalizer(const Options &options);
    const Options &options() const { return m_options; }

    void normalize(AlignedChars &text) const override;

    /// The canonical decomposition with the combining marks put in canonical
    /// order. As in the reference library, each output character takes the
    /// source of the input character at its position (a decomposition's
    /// extra characters share their character's source).
    static void decomposeCanonically(AlignedChars &text);

private:
    Options m_options;
};

} // namespace attnscope::core
