#include "core/text/bpemodel.h"

#include "core/error.h"
#include "core/text/unicodeproperties.h"

#include <queue>

namespace attnscope::core {

namespace {

int64_t requireId(const Vocabulary &vocabulary, const std::string &token, size_t mergeIndex)
{
    const auto it = vocabulary.find(token);
    if (it == vocabulary.end())
        throw Error("BPE merge " + std::to_string(mergeIndex + 1) + " makes or uses \"" + token +
                    "\", which is not in the vocabulary");
    return it->second;
}

/// A candidate merge in the queue: best rank first, then leftmost.
struct Candidate
{
    uint32_t rank;
    size_t pos;
    int64_t id;
    bool operator>(const Candidate &other) const { return rank != other.rank ? rank > other.rank : pos > other.pos; }
};

} // namespace

BpeModel::BpeModel(Vocabulary vocabulary, const std::vector<Merge> &merges, const Options &options)
    : m_vocabulary(std::move(vocabulary))
    , m_options(options)
{
    for (const auto &[token, id] : m_vocabulary) {
        if (id < 0 || id >= (int64_t(1) << 31))
            throw Error("the BPE vocabulary gives \"" + token + "\" the id " + std::to_string(id) +
                        ", outside 0 to 2^31");
        m_tokens.emplace(id, token);
    }
    const std::string &prefix = m_options.continuingSubwordPrefix;
    for (size_t i = 0; i < merges.size(); ++i) {
        const auto &[a, b] = merges[i];
        const bool prefixed = !prefix.empty() && b.compare(0, prefix.size(), prefix) == 0;
        const std::string joined = a + (prefixed ? b.substr(prefix.size()) : b);
        const int64_t ida = requireId(m_vocabulary, a, i);
        const int64_t idb = requireId(m_vocabulary, b, i);
        // A repeated pair keeps its last rank, as the library's map does.
        m_merges[pairKey(ida, idb)] = {static_cast<uint32_t>(i), requireId(m_vocabulary, joined, i)};
    }
    if (m_options.unknownToken) {
        const auto id = idOf(*m_options.unknownToken);
        if (!id)
            throw Error("the BPE vocabulary has no unknown token \"" + *m_options.unknownToken + "\"");
        m_unknownId = id;
    }
}

uint64_t BpeModel::pairKey(int64_t a, int64_t b)
{
    return (static_cast<uint64_t>(a) << 32) | static_cast<uint64_t>(b);
}

std::optional<int64_t> BpeModel::idOf(const std::string &token) const
{
    const auto it = m_vocabulary.find(token);
    if (it == m_vocabulary.end())
        return std::nullopt;
    return it->second;
}

const BpeModel::MergeResult *BpeModel::mergeOf(int64_t a, int64_t b) const
{
    const auto it = m_merges.find(pairKey(a, b));
    return it == m_merges.end() ? nullptr : &it->second;
}

std::vector<BpeModel::Symbol> BpeModel::initialSymbols(const AlignedChars &word) const
{
    std::vector<Symbol> symbols;
    std::optional<Symbol> unknown; // the pending unknown symbol, maybe fused
    auto push = [&symbols](Symbol s) {
        s.prev = static_cast<long>(symbols.size()) - 1;
        s.next = -1;
        s.alive = true;
        if (!symbols.empty())
            symbols.back().next = static_cast<long>(symbols.size());
        symbols.push_back(s);
    };
    for (size_t i = 0; i < word.size(); ++i) {
        std::string s;
        if (i > 0)
            s = m_options.continuingSubwordPrefix;
        UnicodeProperties::appendUtf8(word[i].c, s);
        if (i + 1 == word.size())
            s += m_options.endOfWordSuffix;
        if (const auto id = idOf(s)) {
            if (unknown)
                push(*unknown);
            unknown.reset();
            push({*id, i, i + 1, -1, -1, true});
        } else if (m_unknownId) {
            if (unknown && m_options.fuseUnknown) {
                unknown->end = i + 1;
                continue;
            }
            if (unknown)
                push(*unknown);
            unknown = Symbol{*m_unknownId, i, i + 1, -1, -1, true};
        }
    }
    if (unknown)
        push(*unknown);
    return symbols;
}

void BpeModel::mergeAll(std::vector<Symbol> &symbols) const
{
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> queue;
    auto consider = [&](long left) {
        if (left < 0 || symbols[left].next < 0)
            return;
        if (const MergeResult *m = mergeOf(symbols[left].id, symbols[symbols[left].next].id))
            queue.push({m->rank, static_cast<size_t>(left), m->id});
    };
    for (size_t i = 0; i + 1 < symbols.size(); ++i)
        consider(static_cast<long>(i));
    while (!queue.empty()) {
        const Candidate top = queue.top();
        queue.pop();
        Symbol &left = symbols[top.pos];
        if (!left.alive || left.next < 0)
            continue;
        Symbol &right = symbols[left.next];
        // An entry made before either symbol changed no longer applies.
        const MergeResult *now = mergeOf(left.id, right.id);
        if (!now || now->id != top.id)
            continue;
        left.id = top.id;
        left.end = right.end;
        left.next = right.next;
        right.alive = false;
        if (left.next >= 0)
            symbols[left.next].prev = static_cast<long>(top.pos);
        consider(left.prev);
        consider(static_cast<long>(top.pos));
    }
}

void BpeModel::tokenize(const AlignedChars &word, std::vector<ModelToken> &out) const
{
    if (word.empty())
        return;
    if (m_options.ignoreMerges) {
        const std::string whole = utf8Of(word, 0, word.size());
        if (const auto id = idOf(whole)) {
            out.push_back({*id, whole, 0, word.size()});
            return;
        }
    }
    std::vector<Symbol> symbols = initialSymbols(word);
    mergeAll(symbols);
    for (const Symbol &s : symbols) {
        if (s.alive)
            out.push_back({s.id, m_tokens.at(s.id), s.begin, s.end});
    }
}

} // namespace attnscope::core
