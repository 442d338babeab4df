#pragma once

#include <map>
#include <memory>
#include <string>

namespace attnscope::core {

class SubwordTokenizer;
struct TextSpec;

/// The subword tokenizer a manifest's text section names, built from the
/// files stored with the model (the archive's extra files) and fitted to the
/// model's text length: every text cut to text.max_length tokens and padded
/// to it.
///   wordpiece    file = vocab.txt (BERT's settings; text.lowercase)
///   gpt2_bpe     file = vocab.json, merges_file = merges.txt
///   clip_bpe     file = bpe_simple_vocab_16e6.txt.gz (OpenAI CLIP's)
///   huggingface  file = tokenizer.json
class ModelTokenizer
{
public:
    /// Throws Error naming `source` and the file for a file that is missing
    /// or cannot be read as the tokenizer it should be.
    static std::shared_ptr<const SubwordTokenizer> build(const TextSpec &spec,
                                                  const std::map<std::string, std::string> &files,
                                                  const std::string &source);
};

} // namespace attnscope::core
