#include "core/text/wordpiecemodel.h"

#include "core/error.h"
#include "core/text/unicodeproperties.h"

#include <algorithm>

namespace attnscope::core {

WordPieceModel::WordPieceModel(Vocabulary vocabulary, const Options &options)
    : m_vocabulary(std::move(vocabulary))
    , m_options(options)
{
    const auto it = m_vocabulary.find(m_options.unknownToken);
    if (it == m_vocabulary.end())
        throw Error("the WordPiece vocabulary has no unknown token \"" + m_options.unknownToken +
                    "\", so it cannot read words it lacks");
    m_unknownId = it->second;
    for (const auto &entry : m_vocabulary)
        m_longestToken = std::max(m_longestToken, entry.first.size());
}

std::optional<int64_t> WordPieceModel::idOf(const std::string &token) const
{
    const auto it = m_vocabulary.find(token);
    if (it == m_vocabulary.end())
        return std::nullopt;
    return it->second;
}

void WordPieceModel::tokenize(const AlignedChars &word, std::vector<ModelToken> &out) const
{
    const size_t n = word.size();
    if (n > m_options.maxInputCharsPerWord) {
        out.push_back({m_unknownId, m_options.unknownToken, 0, n});
        return;
    }
    // The word's UTF-8 and where each character starts in it, so that every
    // candidate piece is one substring.
    std::string text;
    std::vector<size_t> at;
    for (const AlignedChar &ch : word) {
        at.push_back(text.size());
        UnicodeProperties::appendUtf8(ch.c, text);
    }
    at.push_back(text.size());

    std::vector<ModelToken> pieces;
    size_t start = 0;
    while (start < n) {
        bool found = false;
        const size_t prefix = start > 0 ? m_options.continuingSubwordPrefix.size() : 0;
        for (size_t end = n; end > start; --end) {
            // Pieces longer than the longest vocabulary entry cannot match:
            // skipping them keeps long words from costing n^2 look-ups.
            if (at[end] - at[start] + prefix > m_longestToken)
                continue;
            std::string candidate = text.substr(at[start], at[end] - at[start]);
            if (start > 0)
                candidate.insert(0, m_options.continuingSubwordPrefix);
            const auto it = m_vocabulary.find(candidate);
            if (it != m_vocabulary.end()) {
                pieces.push_back({it->second, std::move(candidate), start, end});
                start = end;
                found = true;
                break;
            }
        }
        if (!found) {
            out.push_back({m_unknownId, m_options.unknownToken, 0, n});
            return;
        }
    }
    out.insert(out.end(), pieces.begin(), pieces.end());
}

} // namespace attnscope::core
