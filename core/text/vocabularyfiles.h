#pragma once

#include <memory>
#include <string>
#include <vector>

namespace attnscope::core {

class SubwordTokenizer;

/// Builds a tokenizer from the plain vocabulary files models ship besides
/// (or instead of) a tokenizer.json, with the settings the originals use:
///   - a WordPiece `vocab.txt` (one token per line, line number = id) as
///     BERT reads it: BertNormalizer, BertPreTokenizer, WordPiece with
///     [UNK] and "##", [CLS] A [SEP] (B [SEP]); the specials [PAD] [UNK]
///     [CLS] [SEP] [MASK] that the vocabulary holds are found in the raw text;
///   - GPT-2's `vocab.json` + `merges.txt`: ByteLevel pre-tokenizer, BPE
///     without an unknown token, no special tokens around the text; the
///     listed specials (<|endoftext|>) that the vocabulary holds are found in
///     the raw text.
/// Throws Error naming the file for what cannot be read.
class VocabularyFiles
{
public:
    struct WordPieceOptions
    {
        bool lowercase = true; ///< false for a cased model (accents are then kept too)
    };
    struct Gpt2Options
    {
        bool addPrefixSpace = false;
        bool trimOffsets = false; ///< offsets leave out a token's spaces (the library's trim_offsets)
        std::vector<std::string> specialTokens = {"<|endoftext|>"};
    };

    static std::unique_ptr<SubwordTokenizer> readWordPieceVocab(const std::string &path,
                                                                const WordPieceOptions &options);
    static std::unique_ptr<SubwordTokenizer> readGpt2(const std::string &vocabJsonPath, const std::string &mergesPath,
                                                      const Gpt2Options &options);
    /// The same from the files' contents; the paths name them in messages
    /// ("vocab.txt in model.pt").
    static std::unique_ptr<SubwordTokenizer> parseWordPieceVocab(const std::string &text, const std::string &path,
                                                                 const WordPieceOptions &options);
    static std::unique_ptr<SubwordTokenizer> parseGpt2(const std::string &vocabJson, const std::string &vocabJsonPath,
                                                       const std::string &mergesTxt, const std::string &mergesPath,
                                                       const Gpt2Options &options);
};

} // namespace attnscope::core
