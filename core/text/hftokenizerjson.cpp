#include "core/text/hftokenizerjson.h"

#include "core/error.h"
#include "core/io/textfile.h"
#include "core/json/json.h"
#include "core/text/bertpretokenizer.h"
#include "core/text/bpemodel.h"
#include "core/text/bytelevelpretokenizer.h"
#include "core/text/bertnormalizer.h"
#include "core/text/subwordtokenizer.h"
#include "core/text/wordpiecemodel.h"

#include <cmath>

namespace attnscope::core {

namespace {

using Parts = SubwordTokenizer::Parts;

/// Typed access to the file's members; every refusal names the file and
/// the member ("tokenizer.json: model.vocab ...").
class JsonFields
{
public:
    explicit JsonFields(std::string source)
        : m_source(std::move(source))
    {
    }

    [[noreturn]] void fail(const std::string &what) const { throw Error(m_source + ": " + what); }

    /// The member, or nullptr when it is absent or null.
    const Json *get(const Json &object, const std::string &key) const
    {
        const Json *v = object.find(key);
        return v && !v->isNull() ? v : nullptr;
    }

    const Json &object(const Json &object, const std::string &key, const std::string &where) const
    {
        const Json *v = get(object, key);
        if (!v || !v->isObject())
            fail("'" + where + "' must be an object");
        return *v;
    }

    bool flag(const Json &object, const std::string &key, bool fallback, const std::string &where) const
    {
        const Json *v = get(object, key);
        if (!v)
            return fallback;
        if (!v->isBool())
            fail("'" + where + "." + key + "' must be true or false");
        return v->toBool();
    }

    std::optional<std::string> text(const Json &object, const std::string &key, const std::string &where) const
    {
        const Json *v = get(object, key);
        if (!v)
            return std::nullopt;
        if (!v->isString())
            fail("'" + where + "." + key + "' must be a string");
        return v->toString();
    }

    int64_t integer(const Json &v, const std::string &where) const
    {
        const double x = v.isNumber() ? v.toNumber() : -1.0;
        if (!(x >= 0.0 && x < 2147483648.0) || std::floor(x) != x)
            fail("'" + where + "' must be a whole number from 0 to 2^31");
        return static_cast<int64_t>(x);
    }

    std::optional<int64_t> integer(const Json &object, const std::string &key, const std::string &where) const
    {
        const Json *v = get(object, key);
        if (!v)
            return std::nullopt;
        return integer(*v, where + "." + key);
    }

    std::string type(const Json &section, const std::string &where) const
    {
        const std::optional<std::string> t = text(section, "type", where);
        if (!t)
            fail("'" + where + "' has no \"type\"");
        return *t;
    }

    const Json::Array &array(const Json &v, const std::string &where) const
    {
        if (!v.isArray())
            fail("'" + where + "' must be an array");
        if (v.toArray().size() > HfTokenizerJson::kMaxEntries)
            fail("'" + where + "' has more than " + std::to_string(HfTokenizerJson::kMaxEntries) + " entries");
        return v.toArray();
    }

    const std::string &source() const { return m_source; }

private:
    std::string m_source;
};

Vocabulary readVocabulary(const JsonFields &f, const Json &model)
{
    const Json &vocab = f.object(model, "vocab", "model.vocab");
    if (vocab.toObject().size() > HfTokenizerJson::kMaxEntries)
        f.fail("'model.vocab' has more than " + std::to_string(HfTokenizerJson::kMaxEntries) + " entries");
    Vocabulary out;
    out.reserve(vocab.toObject().size());
    for (const auto &[token, id] : vocab.toObject())
        out[token] = f.integer(id, "model.vocab[\"" + token + "\"]");
    return out;
}

std::vector<BpeModel::Merge> readMerges(const JsonFields &f, const Json &model)
{
    const Json *merges = f.get(model, "merges");
    if (!merges)
        f.fail("'model.merges' is missing: a BPE model needs its merges");
    std::vector<BpeModel::Merge> out;
    for (const Json &m : f.array(*merges, "model.merges")) {
        const std::string where = "model.merges[" + std::to_string(out.size()) + "]";
        if (m.isString()) { // the older format: "a b"
            const std::string &line = m.toString();
            const size_t space = line.find(' ');
            if (space == std::string::npos || line.find(' ', space + 1) != std::string::npos)
                f.fail("'" + where + "' must be two tokens separated by one space");
            out.emplace_back(line.substr(0, space), line.substr(space + 1));
        } else if (m.isArray() && m.toArray().size() == 2 && m.toArray()[0].isString() && m.toArray()[1].isString()) {
            out.emplace_back(m.toArray()[0].toString(), m.toArray()[1].toString());
        } else {
            f.fail("'" + where + "' must be a pair of tokens");
        }
    }
    return out;
}

std::unique_ptr<SubwordModel> readWordPiece(const JsonFields &f, const Json &model, std::string &description)
{
    WordPieceModel::Options options;
    options.unknownToken = f.text(model, "unk_token", "model").value_or(options.unknownToken);
    options.continuingSubwordPrefix =
        f.text(model, "continuing_subword_prefix", "model").value_or(options.continuingSubwordPrefix);
    const int64_t maxChars = f.integer(model, "max_input_chars_per_word", "model").value_or(100);
    // Longer limits make every long word cost its length squared in look-ups.
    if (maxChars > 1000)
        f.fail("'model.max_input_chars_per_word' is " + std::to_string(maxChars) + "; AttnScope reads at most 1000");
    options.maxInputCharsPerWord = static_cast<size_t>(maxChars);
    Vocabulary vocabulary = readVocabulary(f, model);
    description = "WordPiece, " + std::to_string(vocabulary.size()) + " tokens";
    try {
        return std::make_unique<WordPieceModel>(std::move(vocabulary), options);
    } catch (const Error &e) {
        f.fail(e.what());
    }
}

std::unique_ptr<SubwordModel> readBpe(const JsonFields &f, const Json &model, std::string &description)
{
    if (const Json *dropout = f.get(model, "dropout"); dropout && !(dropout->isNumber() && dropout->toNumber() == 0.0))
        f.fail("'model.dropout' is set: BPE dropout draws random merges, which an explanation cannot repeat");
    if (f.flag(model, "byte_fallback", false, "model"))
        f.fail("'model.byte_fallback' is not supported yet (SentencePiece-style BPE)");
    BpeModel::Options options;
    options.unknownToken = f.text(model, "unk_token", "model");
    options.continuingSubwordPrefix = f.text(model, "continuing_subword_prefix", "model").value_or("");
    options.endOfWordSuffix = f.text(model, "end_of_word_suffix", "model").value_or("");
    options.fuseUnknown = f.flag(model, "fuse_unk", false, "model");
    options.ignoreMerges = f.flag(model, "ignore_merges", false, "model");
    Vocabulary vocabulary = readVocabulary(f, model);
    const std::vector<BpeModel::Merge> merges = readMerges(f, model);
    description = "BPE, " + std::to_string(vocabulary.size()) + " tokens, " + std::to_string(merges.size()) + " merges";
    try {
        return std::make_unique<BpeModel>(std::move(vocabulary), merges, options);
    } catch (const Error &e) {
        f.fail(e.what());
    }
}

void readModel(const JsonFields &f, const Json &root, Parts &parts)
{
    const Json &model = f.object(root, "model", "model");
    const std::string type = f.type(model, "model");
    if (type == "WordPiece")
        parts.model = readWordPiece(f, model, parts.description);
    else if (type == "BPE")
        parts.model = readBpe(f, model, parts.description);
    else
        f.fail("the model type \"" + type + "\" is not supported (AttnScope reads WordPiece and BPE)");
}

void readNormalizer(const JsonFields &f, const Json &root, Parts &parts)
{
    const Json *n = f.get(root, "normalizer");
    if (!n)
        return;
    if (!n->isObject() || f.type(*n, "normalizer") != "BertNormalizer")
        f.fail("the normalizer \"" + (n->isObject() ? f.type(*n, "normalizer") : std::string("?")) +
               "\" is not supported (AttnScope reads BertNormalizer or none)");
    BertNormalizer::Options o;
    o.cleanText = f.flag(*n, "clean_text", true, "normalizer");
    o.handleChineseChars = f.flag(*n, "handle_chinese_chars", true, "normalizer");
    if (f.get(*n, "strip_accents"))
        o.stripAccents = f.flag(*n, "strip_accents", false, "normalizer");
    o.lowercase = f.flag(*n, "lowercase", true, "normalizer");
    parts.normalizer = std::make_shared<BertNormalizer>(o);
}

void readPreTokenizer(const JsonFields &f, const Json &root, Parts &parts)
{
    const Json *p = f.get(root, "pre_tokenizer");
    if (!p)
        return;
    if (!p->isObject())
        f.fail("'pre_tokenizer' must be an object");
    const std::string type = f.type(*p, "pre_tokenizer");
    if (type == "BertPreTokenizer") {
        parts.preTokenizer = std::make_unique<BertPreTokenizer>();
    } else if (type == "ByteLevel") {
        ByteLevelPreTokenizer::Options o;
        o.addPrefixSpace = f.flag(*p, "add_prefix_space", true, "pre_tokenizer");
        o.useRegex = f.flag(*p, "use_regex", true, "pre_tokenizer");
        parts.preTokenizer = std::make_unique<ByteLevelPreTokenizer>(o);
        parts.description = "byte-level " + parts.description;
    } else {
        f.fail("the pre-tokenizer \"" + type +
               "\" is not supported (AttnScope reads BertPreTokenizer, ByteLevel or none)");
    }
}

TemplatePostProcessor::SpecialToken readTemplateSpecial(const JsonFields &f, const Json &entry,
                                                        const std::string &where)
{
    TemplatePostProcessor::SpecialToken out;
    const Json *ids = f.get(entry, "ids");
    const Json *tokens = f.get(entry, "tokens");
    if (!ids || !tokens)
        f.fail("'" + where + "' needs \"ids\" and \"tokens\"");
    for (const Json &id : f.array(*ids, where + ".ids"))
        out.ids.push_back(f.integer(id, where + ".ids[]"));
    for (const Json &token : f.array(*tokens, where + ".tokens")) {
        if (!token.isString())
            f.fail("'" + where + ".tokens' must hold strings");
        out.tokens.push_back(token.toString());
    }
    return out;
}

std::vector<TemplatePostProcessor::Piece> readTemplatePieces(const JsonFields &f, const Json &pieces,
                                                             const std::string &where)
{
    std::vector<TemplatePostProcessor::Piece> out;
    for (const Json &piece : f.array(pieces, where)) {
        const Json *special = piece.isObject() ? f.get(piece, "SpecialToken") : nullptr;
        const Json *sequence = piece.isObject() ? f.get(piece, "Sequence") : nullptr;
        const Json *body = special ? special : sequence;
        if (!body || !body->isObject())
            f.fail("'" + where + "' entries must be {\"SpecialToken\": ...} or {\"Sequence\": ...}");
        TemplatePostProcessor::Piece p;
        p.typeId = f.integer(*body, "type_id", where).value_or(0);
        const std::string id = f.text(*body, "id", where).value_or("");
        if (special) {
            p.specialToken = id;
        } else if (id == "A" || id == "B") {
            p.isSequence = true;
            p.sequence = id == "A" ? 0 : 1;
        } else {
            f.fail("'" + where + "' names the sequence \"" + id + "\" (only A and B exist)");
        }
        out.push_back(p);
    }
    return out;
}

TemplatePostProcessor readTemplate(const JsonFields &f, const Json &p)
{
    std::map<std::string, TemplatePostProcessor::SpecialToken> specials;
    if (const Json *s = f.get(p, "special_tokens")) {
        if (!s->isObject())
            f.fail("'post_processor.special_tokens' must be an object");
        for (const auto &[name, entry] : s->toObject())
            specials[name] = readTemplateSpecial(f, entry, "post_processor.special_tokens." + name);
    }
    const Json *single = f.get(p, "single");
    if (!single)
        f.fail("'post_processor.single' is missing");
    const Json *pair = f.get(p, "pair");
    try {
        return TemplatePostProcessor(readTemplatePieces(f, *single, "post_processor.single"),
                                     pair ? readTemplatePieces(f, *pair, "post_processor.pair")
                                          : std::vector<TemplatePostProcessor::Piece>{},
                                     std::move(specials));
    } catch (const Error &e) {
        f.fail(e.what());
    }
}

TemplatePostProcessor readBertProcessing(const JsonFields &f, const Json &p)
{
    auto token = [&](const std::string &key) -> std::pair<std::string, int64_t> {
        const Json *v = f.get(p, key);
        if (!v || !v->isArray() || v->toArray().size() != 2 || !v->toArray()[0].isString())
            f.fail("'post_processor." + key + "' must be [token, id]");
        return {v->toArray()[0].toString(), f.integer(v->toArray()[1], "post_processor." + key + "[1]")};
    };
    const auto [cls, clsId] = token("cls");
    const auto [sep, sepId] = token("sep");
    return TemplatePostProcessor::bert(cls, clsId, sep, sepId);
}

void readOnePostProcessor(const JsonFields &f, const Json &p, Parts &parts)
{
    if (!p.isObject())
        f.fail("'post_processor' must be an object");
    const std::string type = f.type(p, "post_processor");
    if (type == "Sequence") {
        const Json *list = f.get(p, "processors");
        if (!list)
            f.fail("'post_processor.processors' is missing");
        for (const Json &inner : f.array(*list, "post_processor.processors")) {
            if (inner.isObject() && f.type(inner, "post_processor") == "Sequence")
                f.fail("a post-processor Sequence inside a Sequence is not supported");
            readOnePostProcessor(f, inner, parts);
        }
        return;
    }
    if (type == "ByteLevel") {
        parts.trimByteLevelOffsets = f.flag(p, "trim_offsets", true, "post_processor");
        parts.byteLevelPrefixSpace = f.flag(p, "add_prefix_space", true, "post_processor");
        return;
    }
    if (parts.postProcessor)
        f.fail("the post-processor adds special tokens twice");
    if (type == "BertProcessing")
        parts.postProcessor = readBertProcessing(f, p);
    else if (type == "TemplateProcessing")
        parts.postProcessor = readTemplate(f, p);
    else
        f.fail("the post-processor \"" + type +
               "\" is not supported (AttnScope reads BertProcessing, TemplateProcessing, ByteLevel, a Sequence "
               "of these, or none)");
}

void readAddedTokens(const JsonFields &f, const Json &root, Parts &parts)
{
    const Json *list = f.get(root, "added_tokens");
    if (!list)
        return;
    for (const Json &entry : f.array(*list, "added_tokens")) {
        const std::string where = "added_tokens[" + std::to_string(parts.addedTokens.size()) + "]";
        if (!entry.isObject())
            f.fail("'" + where + "' must be an object");
        AddedToken t;
        t.content = f.text(entry, "content", where).value_or("");
        t.special = f.flag(entry, "special", false, where);
        t.normalized = f.flag(entry, "normalized", !t.special, where);
        t.singleWord = f.flag(entry, "single_word", false, where);
        t.leftStrip = f.flag(entry, "lstrip", false, where);
        t.rightStrip = f.flag(entry, "rstrip", false, where);
        // A token the model knows keeps the model's id, as the library does.
        const std::optional<int64_t> known = parts.model->idOf(t.content);
        const std::optional<int64_t> given = f.integer(entry, "id", where);
        if (!known && !given)
            f.fail("'" + where + "' has no id and is not in the vocabulary");
        t.id = known ? *known : *given;
        parts.addedTokens.push_back(t);
    }
}

void readTruncation(const JsonFields &f, const Json &root, Parts &parts)
{
    const Json *t = f.get(root, "truncation");
    if (!t)
        return;
    if (!t->isObject())
        f.fail("'truncation' must be an object or null");
    using Strategy = SubwordTokenizer::Truncation::Strategy;
    SubwordTokenizer::Truncation &out = parts.truncation;
    out.maxLength = f.integer(*t, "max_length", "truncation").value_or(512);
    if (out.maxLength == 0)
        f.fail("'truncation.max_length' is 0, which leaves no room for text");
    const std::string strategy = f.text(*t, "strategy", "truncation").value_or("LongestFirst");
    if (strategy == "LongestFirst")
        out.strategy = Strategy::LongestFirst;
    else if (strategy == "OnlyFirst")
        out.strategy = Strategy::OnlyFirst;
    else if (strategy == "OnlySecond")
        out.strategy = Strategy::OnlySecond;
    else
        f.fail("'truncation.strategy' \"" + strategy + "\" is none of LongestFirst, OnlyFirst, OnlySecond");
    const std::string direction = f.text(*t, "direction", "truncation").value_or("Right");
    if (direction != "Right" && direction != "Left")
        f.fail("'truncation.direction' must be \"Right\" or \"Left\"");
    out.fromLeft = direction == "Left";
}

void readPadding(const JsonFields &f, const Json &root, Parts &parts)
{
    const Json *p = f.get(root, "padding");
    if (!p)
        return;
    if (!p->isObject())
        f.fail("'padding' must be an object or null");
    SubwordTokenizer::Padding &out = parts.padding;
    out.enabled = true;
    if (const Json *strategy = f.get(*p, "strategy")) {
        if (strategy->isObject() && f.get(*strategy, "Fixed"))
            out.length = f.integer(*f.get(*strategy, "Fixed"), "padding.strategy.Fixed");
        else if (!(strategy->isString() && strategy->toString() == "BatchLongest"))
            f.fail("'padding.strategy' must be \"BatchLongest\" or {\"Fixed\": length}");
    }
    const std::string direction = f.text(*p, "direction", "padding").value_or("Right");
    if (direction != "Right" && direction != "Left")
        f.fail("'padding.direction' must be \"Right\" or \"Left\"");
    out.left = direction == "Left";
    out.multipleOf = f.integer(*p, "pad_to_multiple_of", "padding").value_or(0);
    out.id = f.integer(*p, "pad_id", "padding").value_or(0);
    out.typeId = f.integer(*p, "pad_type_id", "padding").value_or(0);
    out.token = f.text(*p, "pad_token", "padding").value_or("[PAD]");
}

} // namespace

std::unique_ptr<SubwordTokenizer> HfTokenizerJson::read(const std::string &path)
{
    return parse(TextFile::read(path), path);
}

std::unique_ptr<SubwordTokenizer> HfTokenizerJson::parse(const std::string &json, const std::string &source)
{
    const JsonFields f(source);
    const Json root = Json::parse(json, source);
    if (!root.isObject())
        f.fail("a tokenizer.json holds one object");
    Parts parts;
    readModel(f, root, parts);
    readNormalizer(f, root, parts);
    readPreTokenizer(f, root, parts);
    if (const Json *p = f.get(root, "post_processor"))
        readOnePostProcessor(f, *p, parts);
    readAddedTokens(f, root, parts);
    readTruncation(f, root, parts);
    readPadding(f, root, parts);
    try {
        return std::make_unique<SubwordTokenizer>(std::move(parts));
    } catch (const Error &e) {
        f.fail(e.what());
    }
}

} // namespace attnscope::core
