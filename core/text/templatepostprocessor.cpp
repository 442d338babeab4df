#include "core/text/templatepostprocessor.h"

#include "core/error.h"

#include <algorithm>

namespace attnscope::core {

namespace {

bool usesSequence(const std::vector<TemplatePostProcessor::Piece> &pieces, int sequence)
{
    return std::any_of(pieces.begin(), pieces.end(), [sequence](const TemplatePostProcessor::Piece &p) {
        return p.isSequence && p.sequence == sequence;
    });
}

void appendSpecial(EncodedText &out, const TemplatePostProcessor::SpecialToken &special, int64_t typeId)
{
    for (size_t i = 0; i < special.ids.size(); ++i) {
        out.tokens.push_back(special.tokens[i]);
        out.ids.push_back(special.ids[i]);
        out.typeIds.push_back(typeId);
        out.offsets.push_back({0, 0});
        out.byteOffsets.push_back({0, 0});
        out.wordIds.push_back(-1);
        out.sequenceIds.push_back(-1);
        out.specialTokensMask.push_back(1);
        out.attentionMask.push_back(1);
    }
}

} // namespace

TemplatePostProcessor::TemplatePostProcessor(std::vector<Piece> single, std::vector<Piece> pair,
                                             std::map<std::string, SpecialToken> specialTokens)
    : m_single(std::move(single))
    , m_pair(std::move(pair))
    , m_specialTokens(std::move(specialTokens))
{
    for (const auto &[name, special] : m_specialTokens) {
        if (special.ids.size() != special.tokens.size())
            throw Error("the post-processor's special token \"" + name + "\" has " +
                        std::to_string(special.ids.size()) + " ids but " + std::to_string(special.tokens.size()) +
                        " tokens");
    }
    for (const auto *pieces : {&m_single, &m_pair}) {
        for (const Piece &p : *pieces) {
            if (!p.isSequence && m_specialTokens.count(p.specialToken) == 0)
                throw Error("the post-processor's template uses the special token \"" + p.specialToken +
                            "\", which it does not define");
        }
    }
    if (usesSequence(m_single, 1))
        throw Error("the post-processor's template for one text uses the second text ($B)");
    if (!m_pair.empty() && (!usesSequence(m_pair, 0) || !usesSequence(m_pair, 1)))
        throw Error("the post-processor's template for a pair of texts lacks $A or $B");
}

TemplatePostProcessor TemplatePostProcessor::bert(const std::string &cls, int64_t clsId, const std::string &sep,
                                                  int64_t sepId)
{
    auto special = [](const std::string &name, int64_t typeId) { return Piece{false, 0, name, typeId}; };
    auto sequence = [](int index, int64_t typeId) { return Piece{true, index, {}, typeId}; };
    std::vector<Piece> single = {special(cls, 0), sequence(0, 0), special(sep, 0)};
    std::vector<Piece> pair = {special(cls, 0), sequence(0, 0), special(sep, 0), sequence(1, 1), special(sep, 1)};
    std::map<std::string, SpecialToken> specials;
    specials[cls] = SpecialToken{{clsId}, {cls}};
    specials[sep] = SpecialToken{{sepId}, {sep}};
    return TemplatePostProcessor(std::move(single), std::move(pair), std::move(specials));
}

int64_t TemplatePostProcessor::addedTokens(bool pair) const
{
    int64_t n = 0;
    for (const Piece &p : pair ? m_pair : m_single) {
        if (!p.isSequence)
            n += static_cast<int64_t>(m_specialTokens.at(p.specialToken).ids.size());
    }
    return n;
}

void TemplatePostProcessor::append(EncodedText &out, const EncodedText &part, int64_t typeId)
{
    auto extend = [](auto &to, const auto &from) { to.insert(to.end(), from.begin(), from.end()); };
    extend(out.tokens, part.tokens);
    extend(out.ids, part.ids);
    out.typeIds.insert(out.typeIds.end(), part.size(), typeId);
    extend(out.offsets, part.offsets);
    extend(out.byteOffsets, part.byteOffsets);
    extend(out.wordIds, part.wordIds);
    extend(out.sequenceIds, part.sequenceIds);
    extend(out.specialTokensMask, part.specialTokensMask);
    extend(out.attentionMask, part.attentionMask);
}

EncodedText TemplatePostProcessor::apply(const EncodedText &first, const EncodedText *second) const
{
    if (second && m_pair.empty())
        throw Error("this tokenizer's post-processor has no template for a pair of texts");
    EncodedText out;
    for (const Piece &p : second ? m_pair : m_single) {
        if (p.isSequence)
            append(out, p.sequence == 0 ? first : *second, p.typeId);
        else
            appendSpecial(out, m_specialTokens.at(p.specialToken), p.typeId);
    }
    return out;
}

} // namespace attnscope::core
