#pragma once

#include "core/text/pretokenizer.h"

namespace attnscope::core {

/// OpenAI CLIP's pre-tokenizer: the words its pattern
///   <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
/// finds (whitespace between them is dropped; the two special tokens are
/// found by the added vocabulary before this runs), each word's UTF-8
/// bytes then written as GPT-2's byte symbols for the BPE vocabulary. A
/// digit is a word on its own: "2023" is four.
class ClipPreTokenizer : public PreTokenizer
{
public:
    void split(const AlignedChars &text, std::vector<AlignedChars> &words) const override;
    /// The length of the pattern's match at `pos`; 0 at whitespace (skipped).
    static size_t matchLength(const AlignedChars &text, size_t pos);
};

} // namespace attnscope::core
