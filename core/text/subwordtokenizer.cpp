#include "core/text/subwordtokenizer.h"

#include "core/error.h"
#include "core/text/sourcetext.h"
#include "core/text/unicodeproperties.h"

#include <algorithm>
#include <set>
#include <tuple>

namespace attnscope::core {

namespace {

std::u32string codePointsOf(const AlignedChars &chars)
{
    std::u32string out;
    for (const AlignedChar &ch : chars)
        out += ch.c;
    return out;
}

/// Keeps tokens [from, to) of a one-text encoding.
void keepRange(EncodedText &e, size_t from, size_t to)
{
    auto cut = [from, to](auto &v) { v = std::decay_t<decltype(v)>(v.begin() + from, v.begin() + to); };
    cut(e.tokens);
    cut(e.ids);
    cut(e.typeIds);
    cut(e.offsets);
    cut(e.byteOffsets);
    cut(e.wordIds);
    cut(e.sequenceIds);
    cut(e.specialTokensMask);
    cut(e.attentionMask);
}

int64_t distinctWords(const EncodedText &e)
{
    return static_cast<int64_t>(std::set<int64_t>(e.wordIds.begin(), e.wordIds.end()).size());
}

/// The lengths the reference library keeps of two texts under
/// longest-first truncation: the shorter text whole when the longer one can
/// absorb the cut, else half the room each (the second text the odd one).
std::pair<size_t, size_t> longestFirstLengths(size_t first, size_t second, size_t room)
{
    const bool swapped = first > second;
    size_t shorter = std::min(first, second);
    size_t longer = shorter > room ? shorter : std::max(shorter, room - shorter);
    if (shorter + longer > room) {
        shorter = room / 2;
        longer = shorter + room % 2;
    }
    return swapped ? std::make_pair(longer, shorter) : std::make_pair(shorter, longer);
}

/// A ByteLevel token's leading or trailing spaces, as the library counts
/// them: the space's byte symbol (U+0120) or real whitespace.
size_t spaceRun(const std::u32string &token, bool fromEnd)
{
    size_t n = 0;
    while (n < token.size()) {
        const char32_t c = fromEnd ? token[token.size() - 1 - n] : token[n];
        if (c != 0x120 && !UnicodeProperties::isWhitespace(c))
            break;
        ++n;
    }
    return n;
}

std::u32string decodeUtf8(const std::string &s)
{
    SourceText source(s);
    return std::u32string(source.codePoints().begin(), source.codePoints().end());
}

/// ByteLevel post-processing with trim_offsets: a token's offsets leave out
/// its leading and trailing spaces (one space is kept on a text's first
/// token when the pre-tokenizer added it).
void trimSpaceOffsets(EncodedText &e, bool prefixSpaceAdded)
{
    for (size_t i = 0; i < e.size(); ++i) {
        const std::u32string token = decodeUtf8(e.tokens[i]);
        size_t leading = spaceRun(token, false);
        const size_t trailing = spaceRun(token, true);
        for (EncodedText::Span *span : {&e.offsets[i], &e.byteOffsets[i]}) {
            const bool first = i == 0 || span->first == 0;
            const int64_t lead = first && prefixSpaceAdded && leading == 1 ? 0 : static_cast<int64_t>(leading);
            span->first = std::min(span->first + lead, span->second);
            if (trailing > 0 && span->second >= static_cast<int64_t>(trailing))
                span->second = std::max(span->second - static_cast<int64_t>(trailing), span->first);
        }
    }
}

} // namespace

SubwordTokenizer::SubwordTokenizer(Parts parts)
    : m_parts(std::move(parts))
{
    if (!m_parts.model)
        throw Error("a subword tokenizer needs a model (WordPiece or BPE)");
    for (const AddedToken &token : m_parts.addedTokens) {
        AlignedChars pattern = SourceText(token.content).aligned();
        if (token.normalized && m_parts.normalizer)
            m_parts.normalizer->normalize(pattern);
        m_addedVocabulary.add(token, codePointsOf(pattern));
    }
    const int64_t added = m_parts.postProcessor ? m_parts.postProcessor->addedTokens(false) : 0;
    const Truncation &t = m_parts.truncation;
    if (t.maxLength < 0 || (t.maxLength > 0 && t.maxLength < added))
        throw Error("the tokenizer's maximum length (" + std::to_string(t.maxLength) + ") leaves no room for its " +
                    std::to_string(added) + " special tokens");
}

SubwordTokenizer::~SubwordTokenizer() = default;

std::optional<int64_t> SubwordTokenizer::idOf(const std::string &token) const
{
    if (const AddedToken *added = m_addedVocabulary.find(token))
        return added->id;
    return m_parts.model->idOf(token);
}

EncodedText SubwordTokenizer::encodeText(const std::string &text) const
{
    return encodeAll(&text, 1);
}

EncodedText SubwordTokenizer::encodePair(const std::string &first, const std::string &second) const
{
    const std::string texts[2] = {first, second};
    return encodeAll(texts, 2);
}

EncodedText SubwordTokenizer::encodeAll(const std::string *texts, size_t count) const
{
    EncodedText sequences[2];
    for (size_t i = 0; i < count; ++i)
        sequences[i] = encodeSequence(texts[i], static_cast<int>(i));
    EncodedText::Truncation report;
    truncate(sequences, count, report);
    EncodedText out = postProcess(sequences, count);
    out.truncation = report;
    pad(out);
    return out;
}

std::vector<TextPiece> SubwordTokenizer::pieces(const AlignedChars &text) const
{
    std::vector<TextPiece> out;
    for (TextPiece &raw : m_addedVocabulary.split(text, false)) {
        if (raw.token) {
            out.push_back(std::move(raw));
            continue;
        }
        if (m_parts.normalizer)
            m_parts.normalizer->normalize(raw.chars);
        for (TextPiece &piece : m_addedVocabulary.split(raw.chars, true))
            out.push_back(std::move(piece));
    }
    return out;
}

EncodedText SubwordTokenizer::encodeSequence(const std::string &text, int sequence) const
{
    if (text.size() > kMaxTextBytes)
        throw Error("the text is " + std::to_string(text.size() >> 10) + " KB long; a tokenizer reads at most " +
                    std::to_string(kMaxTextBytes >> 20) + " MB");
    const SourceText source(text);
    EncodedText out;
    int64_t wordId = 0;
    std::vector<AlignedChars> words;
    for (const TextPiece &piece : pieces(source.aligned())) {
        if (piece.token) {
            const int64_t begin = piece.chars.front().source;
            const int64_t end = piece.chars.back().source + 1;
            out.tokens.push_back(utf8Of(piece.chars, 0, piece.chars.size()));
            out.ids.push_back(piece.token->id);
            out.offsets.push_back({begin, end});
            out.byteOffsets.push_back({source.byteOffset(begin), source.byteOffset(end)});
            out.wordIds.push_back(wordId++);
            continue;
        }
        words.clear();
        if (m_parts.preTokenizer)
            m_parts.preTokenizer->split(piece.chars, words);
        else
            words.push_back(piece.chars);
        for (const AlignedChars &word : words)
            wordId = appendWord(out, word, source, wordId);
    }
    out.typeIds.assign(out.size(), sequence);
    out.sequenceIds.assign(out.size(), sequence);
    out.specialTokensMask.assign(out.size(), 0);
    out.attentionMask.assign(out.size(), 1);
    return out;
}

int64_t SubwordTokenizer::appendWord(EncodedText &out, const AlignedChars &word, const SourceText &source,
                                     int64_t wordId) const
{
    std::vector<ModelToken> tokens;
    m_parts.model->tokenize(word, tokens);
    int64_t words = 1;
    for (ModelToken &token : tokens) {
        // A token covers its first character's source to its last one's; one
        // that covers none sits where the next character starts.
        int64_t begin = 0;
        int64_t end = 0;
        if (token.end > token.begin) {
            begin = word[token.begin].source;
            end = word[token.end - 1].source + 1;
        } else {
            begin = end = token.begin < word.size() ? word[token.begin].source : word.back().source + 1;
        }
        out.tokens.push_back(std::move(token.value));
        out.ids.push_back(token.id);
        out.offsets.push_back({begin, end});
        out.byteOffsets.push_back({source.byteOffset(begin), source.byteOffset(end)});
        out.wordIds.push_back(wordId + token.word);
        words = std::max(words, token.word + 1);
    }
    return wordId + words;
}

void SubwordTokenizer::truncate(EncodedText *sequences, size_t count, EncodedText::Truncation &report) const
{
    for (size_t i = 0; i < count; ++i)
        report.words[i] = distinctWords(sequences[i]);
    const Truncation &t = m_parts.truncation;
    if (t.maxLength <= 0)
        return;
    report.maxLength = t.maxLength;
    const int64_t added = m_parts.postProcessor ? m_parts.postProcessor->addedTokens(count == 2) : 0;
    if (t.maxLength < added)
        throw Error("the tokenizer's maximum length (" + std::to_string(t.maxLength) + ") leaves no room for the " +
                    std::to_string(added) + " special tokens of a pair of texts");
    const size_t room = static_cast<size_t>(t.maxLength - added);
    size_t lengths[2] = {sequences[0].size(), count == 2 ? sequences[1].size() : 0};
    const size_t total = lengths[0] + lengths[1];
    if (total <= room)
        return;
    if (t.strategy == Truncation::Strategy::LongestFirst) {
        if (count == 2)
            std::tie(lengths[0], lengths[1]) = longestFirstLengths(lengths[0], lengths[1], room);
        else
            lengths[0] = room;
    } else {
        const size_t target = t.strategy == Truncation::Strategy::OnlyFirst ? 0 : 1;
        if (target >= count)
            throw Error("the tokenizer truncates only the second text, and there is none");
        if (lengths[target] <= total - room)
            throw Error("the text is too long for the tokenizer's maximum length of " + std::to_string(t.maxLength) +
                        " tokens, even with the " + (target == 0 ? "first" : "second") + " text cut");
        lengths[target] -= total - room;
    }
    for (size_t i = 0; i < count; ++i) {
        EncodedText &e = sequences[i];
        const size_t n = e.size();
        if (lengths[i] >= n)
            continue;
        if (t.fromLeft)
            keepRange(e, n - lengths[i], n);
        else
            keepRange(e, 0, lengths[i]);
        report.cutTokens[i] = static_cast<int64_t>(n - lengths[i]);
        report.cutWords[i] = report.words[i] - distinctWords(e);
    }
}

EncodedText SubwordTokenizer::postProcess(EncodedText *sequences, size_t count) const
{
    if (m_parts.trimByteLevelOffsets) {
        for (size_t i = 0; i < count; ++i)
            trimSpaceOffsets(sequences[i], m_parts.byteLevelPrefixSpace);
    }
    if (m_parts.postProcessor)
        return m_parts.postProcessor->apply(sequences[0], count == 2 ? &sequences[1] : nullptr);
    EncodedText out;
    for (size_t i = 0; i < count; ++i)
        TemplatePostProcessor::append(out, sequences[i], static_cast<int64_t>(i));
    return out;
}

void SubwordTokenizer::pad(EncodedText &e) const
{
    const Padding &p = m_parts.padding;
    if (!p.enabled)
        return;
    int64_t length = p.length > 0 ? p.length : static_cast<int64_t>(e.size());
    if (p.multipleOf > 0 && length % p.multipleOf != 0)
        length += p.multipleOf - length % p.multipleOf;
    if (length <= static_cast<int64_t>(e.size()))
        return;
    const size_t n = static_cast<size_t>(length) - e.size();
    auto fill = [n, &p](auto &v, auto value) { v.insert(p.left ? v.begin() : v.end(), n, value); };
    fill(e.tokens, p.token);
    fill(e.ids, p.id);
    fill(e.typeIds, p.typeId);
    fill(e.offsets, EncodedText::Span{0, 0});
    fill(e.byteOffsets, EncodedText::Span{0, 0});
    fill(e.wordIds, int64_t(-1));
    fill(e.sequenceIds, int64_t(-1));
    fill(e.specialTokensMask, uint8_t(1));
    fill(e.attentionMask, uint8_t(0));
}

TokenizedText SubwordTokenizer::tokenized(const EncodedText &e, const std::optional<int64_t> &unknown,
                                          const std::string *texts)
{
    TokenizedText out;
    out.ids = e.ids;
    out.mask.assign(e.attentionMask.begin(), e.attentionMask.end());
    out.typeIds = e.typeIds;
    out.wordIds = e.wordIds;
    out.sequenceIds = e.sequenceIds;
    for (size_t i = 0; i < e.size(); ++i) {
        const bool unread = unknown && e.ids[i] == *unknown && !e.specialTokensMask[i];
        out.tokens.push_back(sanitizeUtf8(e.tokens[i]));
        out.special.push_back(e.specialTokensMask[i]);
        out.unknown.push_back(unread ? 1 : 0);
        // What the model could not read, as the user typed it: the note
        // names "Zébra", not "[UNK]".
        const int64_t sequence = e.sequenceIds[i];
        const auto [begin, end] = e.byteOffsets[i];
        const std::string typed = (sequence == 0 || sequence == 1) && end > begin && !e.specialTokensMask[i]
                                      ? sanitizeUtf8(texts[sequence].substr(static_cast<size_t>(begin),
                                                                            static_cast<size_t>(end - begin)))
                                      : std::string();
        out.unknownSource.push_back(unread ? typed : std::string());
        out.typed.push_back(typed);
    }
    out.wordCount = static_cast<int>(e.truncation.words[0] + e.truncation.words[1]);
    out.droppedWords = static_cast<int>(e.truncation.cutWords[0] + e.truncation.cutWords[1]);
    out.droppedPieces = static_cast<int>(e.truncation.cutTokens[0] + e.truncation.cutTokens[1]);
    return out;
}

TokenizedText SubwordTokenizer::encode(const std::string &text) const
{
    return tokenized(encodeText(text), m_parts.model->unknownId(), &text);
}

TokenizedText SubwordTokenizer::encodeWithPair(const std::string &text, const std::string &pair) const
{
    const std::string texts[2] = {text, pair};
    return tokenized(encodePair(text, pair), m_parts.model->unknownId(), texts);
}

void SubwordTokenizer::fitTo(int64_t length, const std::string &padToken)
{
    Truncation &t = m_parts.truncation;
    if (t.maxLength <= 0 || t.maxLength > length)
        t.maxLength = length;
    Padding &p = m_parts.padding;
    if (!p.enabled) {
        p.enabled = true;
        if (const std::optional<int64_t> id = idOf(padToken)) {
            p.id = *id;
            p.token = padToken;
        } else {
            p.id = 0;
            p.token = "[PAD]";
        }
    }
    p.length = length;
    p.multipleOf = 0;
}

} // namespace attnscope::core
