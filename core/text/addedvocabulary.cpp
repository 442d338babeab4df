#include "core/text/addedvocabulary.h"

#include "core/text/unicodeproperties.h"

namespace attnscope::core {

void AddedVocabulary::add(const AddedToken &token, const std::u32string &pattern)
{
    if (pattern.empty())
        return; // the library ignores empty added tokens
    std::vector<Node> &trie = token.normalized ? m_normalized : m_raw;
    int node = 0;
    for (const char32_t c : pattern) {
        const auto it = trie[node].next.find(c);
        if (it != trie[node].next.end()) {
            node = it->second;
            continue;
        }
        trie.push_back(Node{});
        const int created = static_cast<int>(trie.size()) - 1;
        trie[node].next.emplace(c, created);
        node = created;
    }
    // The same content added twice: the later entry wins, as in the library.
    trie[node].token = static_cast<int>(m_tokens.size());
    m_tokens.push_back(token);
}

const AddedToken *AddedVocabulary::find(const std::string &content) const
{
    for (auto it = m_tokens.rbegin(); it != m_tokens.rend(); ++it) {
        if (it->content == content)
            return &*it;
    }
    return nullptr;
}

std::optional<AddedVocabulary::Match> AddedVocabulary::longestAt(const std::vector<Node> &trie,
                                                                 const AlignedChars &text, size_t pos) const
{
    std::optional<Match> best;
    int node = 0;
    for (size_t i = pos; i < text.size(); ++i) {
        const auto it = trie[node].next.find(text[i].c);
        if (it == trie[node].next.end())
            break;
        node = it->second;
        if (trie[node].token >= 0)
            best = Match{pos, i + 1, trie[node].token};
    }
    return best;
}

bool AddedVocabulary::standsAlone(const AlignedChars &text, size_t begin, size_t end) const
{
    const bool before = begin == 0 || !UnicodeProperties::isWordCharacter(text[begin - 1].c);
    const bool after = end == text.size() || !UnicodeProperties::isWordCharacter(text[end].c);
    return before && after;
}

std::vector<TextPiece> AddedVocabulary::split(const AlignedChars &text, bool normalizedTokens) const
{
    const std::vector<Node> &trie = normalizedTokens ? m_normalized : m_raw;
    std::vector<TextPiece> pieces;
    auto emit = [&](size_t begin, size_t end, const AddedToken *token) {
        if (begin < end)
            pieces.push_back({AlignedChars(text.begin() + begin, text.begin() + end), token});
    };
    size_t pieceStart = 0; // where the text not yet emitted begins
    size_t scan = 0;       // where the search goes on
    while (scan < text.size() && trie.size() > 1) {
        const std::optional<Match> match = longestAt(trie, text, scan);
        if (!match) {
            ++scan;
            continue;
        }
        scan = match->end; // matches do not overlap, even refused ones
        const AddedToken &token = m_tokens[match->token];
        if (token.singleWord && !standsAlone(text, match->begin, match->end))
            continue;
        size_t begin = match->begin;
        size_t end = match->end;
        if (token.leftStrip) {
            while (begin > pieceStart && UnicodeProperties::isWhitespace(text[begin - 1].c))
                --begin;
        }
        if (token.rightStrip) {
            while (end < text.size() && UnicodeProperties::isWhitespace(text[end].c))
                ++end;
            scan = end;
        }
        emit(pieceStart, begin, nullptr);
        emit(begin, end, &token);
        pieceStart = end;
    }
    emit(pieceStart, text.size(), nullptr);
    return pieces;
}

} // namespace attnscope::core
