#pragma once

#include "core/text/subwordmodel.h"

namespace attnscope::core {

/// WordPiece as BERT reads words: greedy longest-match-first from the start
/// of the word, each later piece looked up with the continuing prefix
/// ("##"); a word with a part no piece matches, or longer than
/// maxInputCharsPerWord characters, is one unknown token over the whole word.
class WordPieceModel : public SubwordModel
{
public:
    struct Options
    {
        std::string unknownToken = "[UNK]";
        std::string continuingSubwordPrefix = "##";
        size_t maxInputCharsPerWord = 100;
    };

    /// Throws Error when the unknown token is not in the vocabulary.
    WordPieceModel(Vocabulary vocabulary, const Options &options);

    void tokenize(const AlignedChars &word, std::vector<ModelToken> &out) const override;
    std::optional<int64_t> idOf(const std::string &token) const override;
    std::optional<int64_t> unknownId() const override { return m_unknownId; }
    const Vocabulary &vocabulary() const override { return m_vocabulary; }
    const Options &options() const { return m_options; }

private:
    Vocabulary m_vocabulary;
    Options m_options;
    int64_t m_unknownId = 0;
    size_t m_longestToken = 0; ///< bytes; no longer candidate can be in the vocabulary
};

} // namespace attnscope::core
