#pragma once

#include "core/bundle/manifest.h"

#include <cstdint>
#include <string>
#include <vector>

namespace attnscope::core {

struct TokenizedText;

/// One token of the model's token layout.
struct LayoutToken
{
    std::string label;      ///< "[CLS]", "patch 2,3", or the word
    Modality modality = Modality::Special;
    int stream = 0;
    int position = 0;       ///< index inside its stream
    int textIndex = -1;     ///< position in the tokenised text, for text tokens
    int patchIndex = -1;    ///< row-major patch index, for image tokens
    bool padding = false;   ///< a padded text position (masked out)
    bool special = false;   ///< not content: [CLS], [SEP], padding, other special segments
};

/// All tokens of all streams, stream after stream: the rows and columns of
/// every token x token matrix AttnScope shows.
class StreamLayout
{
public:
    StreamLayout(const Manifest &manifest, const TokenizedText &text);

    const std::vector<LayoutToken> &tokens() const { return m_tokens; }
    int size() const { return static_cast<int>(m_tokens.size()); }
    int streamOffset(int stream) const { return m_offsets[static_cast<size_t>(stream)]; }
    int streamLength(int stream) const { return m_lengths[static_cast<size_t>(stream)]; }
    int streamCount() const { return static_cast<int>(m_lengths.size()); }
    /// Layout index of the token that carries the decision.
    int decisionToken() const { return m_decision; }

private:
    std::vector<LayoutToken> m_tokens;
    std::vector<int> m_offsets;
    std::vector<int> m_lengths;
    int m_decision = 0;
};

} // namespace attnscope::core
