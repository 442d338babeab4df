#include "core/text/tokenizer.h"

#include "core/bundle/manifest.h"
#include "core/error.h"
#include "core/text/wordleveltokenizer.h"

#include <algorithm>
#include <set>

namespace attnscope::core {

Tokenizer::~Tokenizer() = default;

std::unique_ptr<Tokenizer> Tokenizer::create(const TextSpec &spec)
{
    const int specials = (spec.addCls ? 1 : 0) + (spec.addSep ? 1 : 0);
    if (spec.maxLength <= specials)
        throw Error("the text's maximum length (" + std::to_string(spec.maxLength)
                    + ") leaves no room for words after the special tokens");
    if (spec.tokenizer == "word")
        return std::make_unique<WordLevelTokenizer>(spec);
    throw Error("unknown tokenizer kind \"" + spec.tokenizer + "\"");
}

TokenizedText Tokenizer::encodeWithPair(const std::string &, const std::string &) const
{
    throw Error("this model's tokenizer reads one text, not a pair of texts");
}

std::shared_ptr<const Tokenizer> Tokenizer::of(const TextSpec &spec)
{
    if (spec.loaded)
        return spec.loaded;
    if (spec.subword())
        throw Error("the model's " + spec.tokenizer + " tokenizer (" + spec.file + ") was not read from its archive");
    return create(spec);
}

std::vector<std::string> TokenizedText::unknownWords() const
{
    std::vector<std::string> out;
    for (size_t i = 0; i < tokens.size() && i < unknown.size(); ++i) {
        const std::string &word = i < unknownSource.size() && !unknownSource[i].empty() ? unknownSource[i] : tokens[i];
        if (unknown[i] && std::find(out.begin(), out.end(), word) == out.end())
            out.push_back(word);
    }
    return out;
}

std::vector<TokenizedText::Word> TokenizedText::words() const
{
    std::vector<Word> out;
    std::pair<int64_t, int64_t> current{-2, -2};
    for (size_t i = 0; i < tokens.size(); ++i) {
        if (i < mask.size() && !mask[i]) {
            current = {-2, -2};
            continue; // padding
        }
        const bool piece = i < wordIds.size() && i < sequenceIds.size() && wordIds[i] >= 0
                           && !(i < special.size() && special[i]);
        const std::pair<int64_t, int64_t> key = piece ? std::make_pair(sequenceIds[i], wordIds[i])
                                                      : std::make_pair(int64_t(-2), int64_t(-2));
        if (!piece || key != current || out.empty())
            out.push_back(Word{});
        current = key;
        Word &w = out.back();
        w.positions.push_back(static_cast<int>(i));
        w.text += piece && i < typed.size() && !typed[i].empty() ? typed[i] : tokens[i];
    }
    // A piece's typed text may carry the space before it (SentencePiece's
    // "\u2581there", byte-level "\u0120there"); the word does not.
    for (Word &w : out) {
        const size_t begin = w.text.find_first_not_of(" \t\r\n");
        const size_t end = w.text.find_last_not_of(" \t\r\n");
        if (begin != std::string::npos)
            w.text = w.text.substr(begin, end - begin + 1);
    }
    return out;
}

int TokenizedText::keptWords() const
{
    // Subword pieces count once per word of their text.
    std::set<std::pair<int64_t, int64_t>> words;
    int n = 0;
    for (size_t i = 0; i < special.size() && i < mask.size(); ++i) {
        if (special[i] || !mask[i])
            continue;
        if (i < wordIds.size() && i < sequenceIds.size() && wordIds[i] >= 0)
            n += words.emplace(sequenceIds[i], wordIds[i]).second ? 1 : 0;
        else
            ++n;
    }
    return n;
}

std::string TokenizedText::unknownWordsNote(const std::string &unknownToken) const
{
    int count = 0;
    for (size_t i = 0; i < unknown.size(); ++i)
        count += unknown[i] ? 1 : 0;
    if (count == 0)
        return {};
    const std::vector<std::string> words = unknownWords();
    std::string list;
    for (size_t i = 0; i < words.size() && i < 8; ++i)
        list += (i ? ", " : "") + words[i];
    if (words.size() > 8)
        list += ", and " + std::to_string(words.size() - 8) + " more";
    const int total = keptWords();
    std::string note = std::to_string(count) + " of " + std::to_string(total) + (total == 1 ? " word is" : " words are");
    if (count == 1)
        note = "1 of " + std::to_string(total) + (total == 1 ? " word is" : " words is");
    note += " not in this model's vocabulary: " + list + ". The model reads "
            + (count == 1 ? std::string("it") : std::string("each")) + " as " + unknownToken
            + ", so the answer and the picture cannot depend on what "
            + (count == 1 ? std::string("that word says") : std::string("those words say")) + ".";
    return note;
}

std::string sanitizeUtf8(const std::string &text)
{
    static const char kReplacement[] = "\xEF\xBF\xBD";
    std::string out;
    out.reserve(text.size());
    const auto *s = reinterpret_cast<const unsigned char *>(text.data());
    const size_t n = text.size();
    size_t i = 0;
    while (i < n) {
        const unsigned char c = s[i];
        if (c < 0x80) {
            out += (c < 0x20 || c == 0x7F) ? ' ' : static_cast<char>(c);
            ++i;
            continue;
        }
        size_t len = 0;
        uint32_t cp = 0;
        if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        }
        bool ok = len > 0 && i + len <= n;
        for (size_t k = 1; ok && k < len; ++k) {
            if ((s[i + k] & 0xC0) != 0x80)
                ok = false;
            else
                cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        // Reject overlong forms, surrogates and code points past U+10FFFF.
        if (ok) {
            const uint32_t minimum = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
            ok = cp >= minimum && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
        }
        if (ok && cp >= 0x80 && cp <= 0x9F) { // C1 control characters, like C0 above
            out += ' ';
            i += len;
            continue;
        }
        // Directional embeddings, overrides and isolates would reorder what
        // follows them on screen: shown as U+FFFD instead of obeyed.
        if (ok && ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))) {
            out += kReplacement;
            i += len;
            continue;
        }
        if (ok) {
            out.append(text, i, len);
            i += len;
        } else {
            out += kReplacement;
            ++i;
        }
    }
    return out;
}

} // namespace attnscope::core
