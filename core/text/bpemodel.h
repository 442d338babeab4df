#pragma once

#include "core/text/subwordmodel.h"

#include <utility>

namespace attnscope::core {

/// Byte-pair encoding as the Hugging Face BPE model applies it: a word
/// starts as one symbol per character, then the adjacent pair with the best
/// (lowest) merge rank is merged, leftmost first among equals, until no
/// pair of the word has a merge. Characters the vocabulary lacks become the
/// unknown token when there is one (fused into one when fuseUnknown) and are
/// dropped when there is none, as the library does.
class BpeModel : public SubwordModel
{
public:
    using Merge = std::pair<std::string, std::string>;
    struct Options
    {
        std::optional<std::string> unknownToken;
        std::string continuingSubwordPrefix; ///< before every symbol but a word's first
        std::string endOfWordSuffix;         ///< after a word's last symbol
        bool fuseUnknown = false;
        bool ignoreMerges = false; ///< a word in the vocabulary is one token
    };

    /// Merges in rank order (best first). Throws Error for a merge whose
    /// parts or result are not in the vocabulary, or an unknown token the
    /// vocabulary lacks. Ids must lie in [0, 2^31).
    BpeModel(Vocabulary vocabulary, const std::vector<Merge> &merges, const Options &options);

    void tokenize(const AlignedChars &word, std::vector<ModelToken> &out) const override;
    std::optional<int64_t> idOf(const std::string &token) const override;
    std::optional<int64_t> unknownId() const override { return m_unknownId; }
    const Vocabulary &vocabulary() const override { return m_vocabulary; }
    size_t mergeCount() const { return m_merges.size(); }

private:
    struct MergeResult
    {
        uint32_t rank;
        int64_t id;
    };
    struct Symbol
    {
        int64_t id;
        size_t begin, end; ///< characters of the word
        long prev, next;   ///< neighbours still alive, -1 at the ends
        bool alive;
    };

    static uint64_t pairKey(int64_t a, int64_t b);
    std::vector<Symbol> initialSymbols(const AlignedChars &word) const;
    void mergeAll(std::vector<Symbol> &symbols) const;
    const MergeResult *mergeOf(int64_t a, int64_t b) const;

    Vocabulary m_vocabulary;
    std::unordered_map<int64_t, std::string> m_tokens;
    std::unordered_map<uint64_t, MergeResult> m_merges;
    Options m_options;
    std::optional<int64_t> m_unknownId;
};

} // namespace attnscope::core
