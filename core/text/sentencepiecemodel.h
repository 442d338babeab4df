#pragma once

#include "core/text/subwordmodel.h"

#include <memory>
#include <string>

extern "C" {
struct AttnscopeSpm;
}

namespace attnscope::core {

class SubwordTokenizer;

/// A SentencePiece model (`spiece.model`, `tokenizer.model`: T5, ALBERT,
/// XLNet, LLaMA, mBART ...) read by Debian's libsentencepiece, the library
/// that trained it (in its own link namespace, through the SentencePiece
/// module: see sentencepiecemodule.h): its own normalizer (the rule table stored in the model,
/// e.g. nmt_nfkc), the whitespace marker U+2581, unigram or BPE as the model
/// says. A text is one "word" for it (it splits at spaces itself); every
/// piece that begins with U+2581 starts a new word of the user's text.
/// Immutable after construction: the library's Encode is const and safe to
/// call from several threads.
class SentencePieceModel : public SubwordModel
{
public:
    struct Options
    {
        bool addBos = false; ///< the model's <s> before each text (LLaMA)
        bool addEos = false; ///< the model's </s> after each text (T5)
    };

    /// Throws Error naming `path` when `bytes` is not a SentencePiece model,
    /// and when the SentencePiece module cannot be found.
    SentencePieceModel(const std::string &bytes, const std::string &path);
    ~SentencePieceModel() override;

    /// A whole tokenizer: this model, no other normalizer or pre-tokenizer
    /// (the model has its own), [<s>] A [</s>] ([<s>] B [</s>], type id 1)
    /// as the options say.
    static std::unique_ptr<SubwordTokenizer> tokenizer(const std::string &bytes, const std::string &path,
                                                       const Options &options);
    static std::unique_ptr<SubwordTokenizer> readTokenizer(const std::string &path, const Options &options);

    void tokenize(const AlignedChars &word, std::vector<ModelToken> &out) const override;
    std::optional<int64_t> idOf(const std::string &token) const override;
    std::optional<int64_t> unknownId() const override { return m_unknownId; }
    const Vocabulary &vocabulary() const override { return m_vocabulary; }
    /// "SentencePiece unigram, 8000 pieces"
    std::string description() const;

private:
    std::unique_ptr<AttnscopeSpm, void (*)(AttnscopeSpm *)> m_model;
    int m_bosId = -1;
    int m_eosId = -1;
    Vocabulary m_vocabulary;
    std::optional<int64_t> m_unknownId;
    std::string m_path;
};

} // namespace attnscope::core
