#include "core/io/modelcard.h"

#include "core/io/textfile.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace attnscope::core {

namespace {

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string trimmed(const std::string &s)
{
    const size_t a = s.find_first_not_of(" \t\r");
    if (a == std::string::npos)
        return {};
    return s.substr(a, s.find_last_not_of(" \t\r") - a + 1);
}

bool isWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '\''; }

/// `phrase` in `text` with no letter or digit right before or after it.
bool containsPhrase(const std::string &text, const std::string &phrase)
{
    if (phrase.empty())
        return false;
    for (size_t at = text.find(phrase); at != std::string::npos; at = text.find(phrase, at + 1)) {
        const bool before = at == 0 || !isWordChar(text[at - 1]);
        const size_t end = at + phrase.size();
        const bool after = end >= text.size() || !isWordChar(text[end]);
        if (before && after)
            return true;
    }
    return false;
}

} // namespace

ModelCard ModelCard::parse(const std::string &text)
{
    ModelCard card;
    card.text = text;
    std::vector<std::string> lines;
    size_t start = 0;
    while (start <= text.size()) {
        const size_t end = text.find('\n', start);
        lines.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos)
            break;
        start = end + 1;
    }
    bool inLimits = false;
    int summaryState = 0; // 0 before the first paragraph, 1 in it, 2 after it
    for (const std::string &raw : lines) {
        const std::string line = trimmed(raw);
        if (line.rfind("#", 0) == 0) {
            inLimits = lower(line).find("known limits") != std::string::npos;
            if (summaryState == 1)
                summaryState = 2;
            continue;
        }
        if (summaryState < 2 && !inLimits) {
            if (line.empty() || line[0] == '|') {
                if (summaryState == 1)
                    summaryState = 2;
            } else {
                card.summary += (summaryState == 1 ? " " : "") + line;
                summaryState = 1;
            }
            continue;
        }
        if (inLimits && line.rfind("- ", 0) == 0) {
            Limit limit;
            limit.text = line.substr(2);
            const size_t open = limit.text.find('('), close = limit.text.find(')');
            if (open != std::string::npos && close != std::string::npos && close > open) {
                const std::string inside = limit.text.substr(open + 1, close - open - 1);
                size_t from = 0;
                while (from <= inside.size()) {
                    const size_t comma = inside.find(',', from);
                    const std::string word = lower(trimmed(inside.substr(from, comma == std::string::npos ? std::string::npos : comma - from)));
                    if (!word.empty())
                        limit.words.push_back(word);
                    if (comma == std::string::npos)
                        break;
                    from = comma + 1;
                }
            }
            card.limits.push_back(limit);
        }
    }
    return card;
}

ModelCard ModelCard::forModel(const std::string &modelPath)
{
    std::filesystem::path p(modelPath);
    p.replace_extension(".md");
    std::error_code ec;
    if (!std::filesystem::is_regular_file(p, ec))
        return {};
    try {
        ModelCard card = parse(TextFile::read(p.string(), size_t(1) << 20));
        card.path = p.string();
        return card;
    } catch (const std::exception &) {
        return {};
    }
}

std::vector<ModelCard::Limit> ModelCard::limitsFor(const std::string &question) const
{
    const std::string q = lower(question);
    std::vector<Limit> out;
    for (const Limit &limit : limits) {
        for (const std::string &word : limit.words) {
            if (containsPhrase(q, word)) {
                out.push_back(limit);
                break;
            }
        }
    }
    return out;
}

} // namespace attnscope::core
