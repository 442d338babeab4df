#pragma once

#include <memory>
#include <string>

namespace attnscope::core {

class SubwordTokenizer;

/// Reads a Hugging Face `tokenizer.json` (what `Tokenizer.save` and
/// `save_pretrained` write) into a SubwordTokenizer. AttnScope reads:
///   model            WordPiece; BPE (without dropout or byte fallback)
///   normalizer       BertNormalizer, or none
///   pre_tokenizer    BertPreTokenizer, ByteLevel, or none
///   post_processor   BertProcessing, TemplateProcessing, ByteLevel, a
///                    Sequence of these, or none
///   added_tokens, truncation (no overflowing windows) and padding.
/// Anything else is refused with an Error that names the file and the
/// setting, never guessed at. The decoder is not read (AttnScope shows
/// tokens, it does not turn ids back into text). Sizes are bounded: at most
/// kMaxEntries vocabulary entries, merges and added tokens.
class HfTokenizerJson
{
public:
    static constexpr size_t kMaxEntries = 2'000'000;

    static std::unique_ptr<SubwordTokenizer> read(const std::string &path);
    /// `source` names the text in messages (a path, "tokenizer.json in model.pt").
    static std::unique_ptr<SubwordTokenizer> parse(const std::string &json, const std::string &source);
};

} // namespace attnscope::core
