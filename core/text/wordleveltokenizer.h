#pragma once

#include "core/bundle/manifest.h"
#include "core/text/tokenizer.h"

#include <string>
#include <unordered_map>
#include <vector>

namespace attnscope::core {

/// Splits text into words and punctuation marks and looks each up in the
/// manifest's vocabulary. Words are runs of ASCII letters, digits, `_`,
/// apostrophes and non-ASCII characters (so U+00A0 and the C1 controls stay
/// inside a word); every other printable ASCII symbol is a token of its own;
/// ASCII whitespace and control characters separate. A word-level vocabulary
/// is the demo models' own; real tokenizers split Unicode properly.
class WordLevelTokenizer : public Tokenizer
{
public:
    explicit WordLevelTokenizer(const TextSpec &spec);
    TokenizedText encode(const std::string &text) const override;

    /// The words and marks of `text` before the vocabulary look-up.
    std::vector<std::string> split(const std::string &text) const;

private:
    int64_t idOf(const std::string &token) const;

    TextSpec m_spec;
    std::unordered_map<std::string, int64_t> m_ids;
    int64_t m_pad = 0, m_unk = 0, m_cls = 0, m_sep = 0;
};

} // namespace attnscope::core
