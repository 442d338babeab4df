#pragma once

#include <memory>
#include <string>

namespace attnscope::core {

class SubwordTokenizer;

/// OpenAI CLIP's tokenizer from its BPE vocabulary file
/// (`bpe_simple_vocab_16e6.txt.gz`, gzipped or not), built as
/// simple_tokenizer.py builds it: the merges are the lines after the header
/// up to 49,152 - 256 - 2 of them; the vocabulary is the 256 byte symbols,
/// the same with "</w>", one entry per merge, then <|startoftext|> and
/// <|endoftext|> (ids 49406 and 49407 with the real file). ClipNormalizer,
/// ClipPreTokenizer, BPE with the end-of-word suffix "</w>", and
/// <|startoftext|> A <|endoftext|> around the text; the two special tokens
/// typed by the user are read as CLIP reads them (after lower-casing).
class ClipVocabulary
{
public:
    static constexpr size_t kMaxMerges = 49152 - 256 - 2;
    static std::unique_ptr<SubwordTokenizer> read(const std::string &path);
    /// From the file's bytes; `path` names it in messages.
    static std::unique_ptr<SubwordTokenizer> parse(const std::string &bytes, const std::string &path);
};

} // namespace attnscope::core
