#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace attnscope::core {

/// What a subword tokenizer made of a text (or a pair of texts), one entry
/// per token in every vector, as the Hugging Face library's Encoding reports
/// it. A plain value: copy it, keep it, hand it to any thread.
struct EncodedText
{
    using Span = std::pair<int64_t, int64_t>; ///< [start, end)

    std::vector<std::string> tokens; ///< vocabulary strings ("##ing", "Ġthe")
    std::vector<int64_t> ids;
    std::vector<int64_t> typeIds;           ///< 0 for the first text, 1 for the second
    std::vector<Span> offsets;              ///< in code points of the token's own text; [0, 0] for added specials
    std::vector<Span> byteOffsets;          ///< the same in UTF-8 bytes
    std::vector<int64_t> wordIds;           ///< which word of its text the token is part of; -1: none
    std::vector<int64_t> sequenceIds;       ///< 0 first text, 1 second; -1 for added specials and padding
    std::vector<uint8_t> specialTokensMask; ///< 1 for what the post-processor and padding added
    std::vector<uint8_t> attentionMask;     ///< 0 for padding

    /// How the texts were cut to the tokenizer's maximum length (0: no limit).
    struct Truncation
    {
        int64_t maxLength = 0;
        int64_t cutTokens[2] = {0, 0}; ///< tokens removed from the first / second text
        int64_t cutWords[2] = {0, 0};  ///< words none of whose tokens remain
        int64_t words[2] = {0, 0};     ///< words in each text before the cut
        bool truncated() const { return cutTokens[0] + cutTokens[1] > 0; }
    } truncation;

    size_t size() const { return ids.size(); }
};

} // namespace attnscope::core
