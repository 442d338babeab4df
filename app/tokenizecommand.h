#pragma once

#include "app/commandline.h"

#include <memory>
#include <string>
#include <vector>

namespace attnscope::core {
class SubwordTokenizer;
struct Manifest;
}

namespace attnscope::app {

/// `attnscope tokenize`: a tokenizer checked on its own. Prints the pieces a
/// text (or a pair of texts) becomes, with their ids, type ids and offsets,
/// as a table or (--json) as an object with the Hugging Face library's field
/// names: tokens, ids, type_ids, offsets (code points), offsets_utf8,
/// attention_mask, special_tokens_mask, word_ids, sequence_ids, truncation.
/// --model M: the model's own tokenizer, as the model gets it (cut and
/// padded to its text length).
class TokenizeCommand
{
public:
    /// Reads the options; throws UsageError for a bad one.
    explicit TokenizeCommand(const std::vector<std::string> &args);
    /// Throws core::Error (exit 1).
    int run() const;

    /// The tokenizer in FILE: a `tokenizer.json`, a WordPiece `vocab.txt`
    /// (`cased`: keep case and accents), or GPT-2's `vocab.json` with its
    /// `merges.txt` beside it. Throws core::Error saying what it is not.
    static std::unique_ptr<core::SubwordTokenizer> open(const std::string &file, bool cased);

private:
    /// --text, or the bytes of --text-file; likewise --pair / --pair-file.
    std::string textOf(const char *option, const char *fileOption) const;
    /// --model with the demo models' word-level tokenizer.
    int printWordLevel(const core::Manifest &m) const;

    CommandOptions m_options;
};

} // namespace attnscope::app
