#pragma once

#include "core/text/addedvocabulary.h"
#include "core/text/normalizer.h"
#include "core/text/encodedtext.h"
#include "core/text/pretokenizer.h"
#include "core/text/subwordmodel.h"
#include "core/text/templatepostprocessor.h"
#include "core/text/tokenizer.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace attnscope::core {

/// A real model's tokenizer, built as the Hugging Face library builds one:
///   added tokens found in the raw text -> normalizer -> added tokens found
///   in the normalized text -> pre-tokenizer (words) -> subword model
///   (WordPiece, BPE) -> truncation -> post-processor (special tokens) ->
///   padding.
/// Read one from files with HfTokenizerJson or VocabularyFiles.
///
///   auto tokenizer = HfTokenizerJson::read("tokenizer.json");
///   EncodedText e = tokenizer->encodePair("Is it a cat?", "A cat sleeps.");
///   // e.tokens, e.ids, e.typeIds, e.offsets ...
///
/// Immutable after construction: encode from any number of threads.
class SubwordTokenizer : public Tokenizer
{
public:
    struct Truncation
    {
        enum class Strategy { LongestFirst, OnlyFirst, OnlySecond };
        int64_t maxLength = 0; ///< 0: never truncate
        Strategy strategy = Strategy::LongestFirst;
        bool fromLeft = false; ///< cut the start of a text instead of its end
    };
    struct Padding
    {
        bool enabled = false;
        int64_t length = 0;     ///< 0: no fixed length (one text is its own longest)
        int64_t multipleOf = 0; ///< round the padded length up to a multiple of this
        bool left = false;
        int64_t id = 0;
        int64_t typeId = 0;
        std::string token = "[PAD]";
    };
    /// What a tokenizer is made of. Only `model` is required.
    struct Parts
    {
        std::shared_ptr<const Normalizer> normalizer; ///< none: the text as it is
        std::unique_ptr<PreTokenizer> preTokenizer; ///< none: each stretch between added tokens is one word
        std::unique_ptr<SubwordModel> model;
        std::vector<AddedToken> addedTokens;
        std::optional<TemplatePostProcessor> postProcessor;
        bool trimByteLevelOffsets = false; ///< ByteLevel post-processing: offsets leave out leading/trailing spaces
        bool byteLevelPrefixSpace = false; ///< ... but keep the first token's one added space
        Truncation truncation;
        Padding padding;
        std::string description; ///< what the tokenizer is, for the user ("WordPiece, 30522 tokens")
    };

    /// Longest text accepted (bytes): longer input is refused, not cut.
    static constexpr size_t kMaxTextBytes = size_t(1) << 20;

    /// Throws Error when there is no model or a truncation length leaves no
    /// room for the text.
    explicit SubwordTokenizer(Parts parts);
    ~SubwordTokenizer() override;

    EncodedText encodeText(const std::string &text) const;
    EncodedText encodePair(const std::string &first, const std::string &second) const;

    /// Tokenizer's interface: the text (or pair) as TokenizedText (padded
    /// only when the tokenizer pads; `unknown` marks the model's unknown token).
    TokenizedText encode(const std::string &text) const override;
    TokenizedText encodeWithPair(const std::string &text, const std::string &pair) const override;
    /// Fits the tokenizer to a model's fixed text length: longer texts are
    /// cut to `length` tokens (longest first, unless the tokenizer's own
    /// truncation is shorter or chooses otherwise) and shorter ones padded
    /// to it, with the tokenizer's padding token, else `padToken` when the
    /// vocabulary has it, else id 0 (masked out either way). Call it before
    /// the tokenizer is shared between threads.
    void fitTo(int64_t length, const std::string &padToken);

    /// An added token's id, else the model's; nothing for an unknown token.
    std::optional<int64_t> idOf(const std::string &token) const;
    const SubwordModel &model() const { return *m_parts.model; }
    const std::vector<AddedToken> &addedTokens() const { return m_addedVocabulary.tokens(); }
    const std::string &description() const { return m_parts.description; }
    const Truncation &truncation() const { return m_parts.truncation; }
    const Padding &padding() const { return m_parts.padding; }

private:
    /// `texts`: the text (and pair) encoded, for showing unknown pieces as typed.
    static TokenizedText tokenized(const EncodedText &e, const std::optional<int64_t> &unknown, const std::string *texts);
    EncodedText encodeAll(const std::string *texts, size_t count) const;
    EncodedText encodeSequence(const std::string &text, int sequence) const;
    std::vector<TextPiece> pieces(const AlignedChars &text) const;
    /// Returns the next word's id.
    int64_t appendWord(EncodedText &out, const AlignedChars &word, const SourceText &source, int64_t wordId) const;
    void truncate(EncodedText *sequences, size_t count, EncodedText::Truncation &report) const;
    EncodedText postProcess(EncodedText *sequences, size_t count) const;
    void pad(EncodedText &encoded) const;

    Parts m_parts;
    AddedVocabulary m_addedVocabulary;
};

} // namespace attnscope::core
