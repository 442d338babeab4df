#include "core/text/wordleveltokenizer.h"

#include <algorithm>

namespace attnscope::core {

WordLevelTokenizer::WordLevelTokenizer(const TextSpec &spec)
    : m_spec(spec)
{
    for (size_t i = 0; i < spec.vocab.size(); ++i)
        m_ids.emplace(spec.vocab[i], static_cast<int64_t>(i));
    auto lookup = [this](const std::string &token) {
        const auto it = m_ids.find(token);
        return it == m_ids.end() ? int64_t(0) : it->second;
    };
    m_pad = lookup(spec.padToken);
    m_unk = lookup(spec.unkToken);
    m_cls = lookup(spec.clsToken);
    m_sep = lookup(spec.sepToken);
}

std::vector<std::string> WordLevelTokenizer::split(const std::string &text) const
{
    std::vector<std::string> words;
    std::string current;
    auto flush = [&] {
        if (!current.empty()) {
            words.push_back(current);
            current.clear();
        }
    };
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        const bool wordChar = c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
                              || (c >= 'A' && c <= 'Z') || c == '\'' || c == '_';
        if (wordChar) {
            current += (m_spec.lowercase && c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a')
                                                                   : ch;
        } else if (c <= 0x20 || c == 0x7F) {
            flush();
        } else {
            flush();
            words.emplace_back(1, ch);
        }
    }
    flush();
    return words;
}

int64_t WordLevelTokenizer::idOf(const std::string &token) const
{
    const auto it = m_ids.find(token);
    return it == m_ids.end() ? -1 : it->second;
}

TokenizedText WordLevelTokenizer::encode(const std::string &text) const
{
    const std::vector<std::string> words = split(text);
    TokenizedText out;
    out.wordCount = static_cast<int>(words.size());
    const int room = m_spec.maxLength - (m_spec.addCls ? 1 : 0) - (m_spec.addSep ? 1 : 0);
    const int kept = std::min<int>(room, out.wordCount);
    out.droppedWords = out.wordCount - kept;

    auto push = [&](int64_t id, const std::string &display, bool special, bool unknown) {
        out.ids.push_back(id);
        out.mask.push_back(1);
        out.tokens.push_back(display);
        out.special.push_back(special ? 1 : 0);
        out.unknown.push_back(unknown ? 1 : 0);
    };
    if (m_spec.addCls)
        push(m_cls, m_spec.clsToken, true, false);
    for (int i = 0; i < kept; ++i) {
        const int64_t id = idOf(words[i]);
        push(id < 0 ? m_unk : id, sanitizeUtf8(words[i]), false, id < 0);
    }
    if (m_spec.addSep)
        push(m_sep, m_spec.sepToken, true, false);
    while (static_cast<int>(out.ids.size()) < m_spec.maxLength) {
        push(m_pad, m_spec.padToken, true, false);
        out.mask.back() = 0;
    }
    return out;
}

} // namespace attnscope::core
