#pragma once

#include "core/text/encodedtext.h"

#include <map>
#include <string>
#include <vector>

namespace attnscope::core {

/// Puts a model's special tokens around the encoded text(s), as the Hugging
/// Face TemplateProcessing does ("[CLS] $A [SEP]", "[CLS] $A [SEP] $B:1
/// [SEP]:1"); BertProcessing is the template bert() builds. Special tokens
/// get offsets [0, 0], no word, no sequence and special-token mask 1; each
/// text's tokens get the type id its template piece names.
class TemplatePostProcessor
{
public:
    struct Piece
    {
        bool isSequence = false;
        int sequence = 0;         ///< 0: $A, 1: $B
        std::string specialToken; ///< the name in specialTokens, when not a sequence
        int64_t typeId = 0;
    };
    struct SpecialToken
    {
        std::vector<int64_t> ids;
        std::vector<std::string> tokens;
    };

    /// Throws Error when a template names a special token it was not given,
    /// the single template uses $B, or the pair template lacks $A or $B.
    TemplatePostProcessor(std::vector<Piece> single, std::vector<Piece> pair,
                          std::map<std::string, SpecialToken> specialTokens);
    static TemplatePostProcessor bert(const std::string &cls, int64_t clsId, const std::string &sep, int64_t sepId);

    /// How many tokens the template adds (what truncation leaves room for).
    int64_t addedTokens(bool pair) const;
    /// `second` may be null (a single text).
    EncodedText apply(const EncodedText &first, const EncodedText *second) const;

    /// Appends `part` to `out` with type id `typeId` (the merge the
    /// templates and the template-less tokenizers share).
    static void append(EncodedText &out, const EncodedText &part, int64_t typeId);

private:
    std::vector<Piece> m_single;
    std::vector<Piece> m_pair;
    std::map<std::string, SpecialToken> m_specialTokens;
};

} // namespace attnscope::core
