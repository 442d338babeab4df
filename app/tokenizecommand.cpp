#include "app/tokenizecommand.h"

#include "core/bundle/modelbundle.h"
#include "core/error.h"
#include "core/io/regularfile.h"
#include "core/io/textfile.h"
#include "core/json/json.h"
#include "core/text/clipvocabulary.h"
#include "core/text/encodedtext.h"
#include "core/text/hftokenizerjson.h"
#include "core/text/sentencepiecemodel.h"
#include "core/text/subwordtokenizer.h"
#include "core/text/tokenizer.h"
#include "core/text/vocabularyfiles.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace attnscope::app {

using namespace attnscope::core;

namespace {

constexpr size_t kMaxTokenizerBytes = size_t(256) << 20;

Json spans(const std::vector<EncodedText::Span> &spans)
{
    Json out = Json::array();
    for (const auto &[start, end] : spans)
        out.push(Json(Json::Array{Json(start), Json(end)}));
    return out;
}

/// -1 (a special token, padding) as JSON's null, as the library writes it.
Json indices(const std::vector<int64_t> &values, bool negativeIsNull)
{
    Json out = Json::array();
    for (int64_t v : values)
        out.push(negativeIsNull && v < 0 ? Json(nullptr) : Json(v));
    return out;
}

template <typename T>
Json numbers(const std::vector<T> &values)
{
    Json out = Json::array();
    for (T v : values)
        out.push(Json(static_cast<int64_t>(v)));
    return out;
}

Json toJson(const EncodedText &e, const std::string &description)
{
    Json out = Json::object();
    out.set("tokenizer", description);
    Json tokens = Json::array();
    for (const std::string &t : e.tokens)
        tokens.push(t);
    out.set("tokens", tokens);
    out.set("ids", numbers(e.ids));
    out.set("type_ids", numbers(e.typeIds));
    out.set("offsets", spans(e.offsets));
    out.set("offsets_utf8", spans(e.byteOffsets));
    out.set("attention_mask", numbers(e.attentionMask));
    out.set("special_tokens_mask", numbers(e.specialTokensMask));
    out.set("word_ids", indices(e.wordIds, true));
    out.set("sequence_ids", indices(e.sequenceIds, true));
    Json truncation = Json::object();
    truncation.set("max_length", e.truncation.maxLength);
    truncation.set("cut_tokens", Json(Json::Array{Json(e.truncation.cutTokens[0]), Json(e.truncation.cutTokens[1])}));
    truncation.set("cut_words", Json(Json::Array{Json(e.truncation.cutWords[0]), Json(e.truncation.cutWords[1])}));
    out.set("truncation", truncation);
    return out;
}

void printTable(const EncodedText &e, const std::string &description)
{
    std::printf("tokenizer: %s\n%5s  %-24s %8s %5s  %s\n", description.c_str(), "#", "token", "id", "type", "offsets");
    for (size_t i = 0; i < e.size(); ++i) {
        const std::string token = sanitizeUtf8(e.tokens[i]);
        std::printf("%5zu  %-24s %8lld %5lld  %lld-%lld%s\n", i, token.c_str(), static_cast<long long>(e.ids[i]),
                    static_cast<long long>(e.typeIds[i]), static_cast<long long>(e.offsets[i].first),
                    static_cast<long long>(e.offsets[i].second), e.specialTokensMask[i] ? "  (special)" : "");
    }
    if (e.truncation.truncated())
        std::printf("truncated to %lld tokens: %lld token(s) of the text and %lld of the pair were cut\n",
                    static_cast<long long>(e.truncation.maxLength), static_cast<long long>(e.truncation.cutTokens[0]),
                    static_cast<long long>(e.truncation.cutTokens[1]));
}

/// The file's first line (at most 256 bytes).
std::string firstLine(const std::string &file)
{
    std::ifstream in(file, std::ios::binary);
    std::string line(256, '\0');
    in.read(line.data(), static_cast<std::streamsize>(line.size()));
    line.resize(static_cast<size_t>(in.gcount()));
    return line.substr(0, line.find('\n'));
}

} // namespace

TokenizeCommand::TokenizeCommand(const std::vector<std::string> &args)
    : m_options(args, "tokenize", tokenizeOptions())
{
    if (!m_options.positional().empty())
        throw UsageError{"unexpected argument \"" + m_options.positional()[0] + "\""};
    if (m_options.has("--tokenizer") == m_options.has("--model"))
        throw UsageError{"give --tokenizer FILE or --model M (one of them)"};
    if (m_options.has("--model") && m_options.has("--cased"))
        throw UsageError{"--cased is for a vocab.txt given with --tokenizer; a model's tokenizer is as its manifest says"};
    if (m_options.has("--text") == m_options.has("--text-file"))
        throw UsageError{"give --text or --text-file (one of them)"};
    if (m_options.has("--pair") && m_options.has("--pair-file"))
        throw UsageError{"give --pair or --pair-file, not both"};
}

std::string TokenizeCommand::textOf(const char *option, const char *fileOption) const
{
    if (m_options.has(option))
        return m_options.get(option);
    const std::string file = m_options.get(fileOption);
    RegularFile::require(file, "text");
    return TextFile::read(file, SubwordTokenizer::kMaxTextBytes);
}

int TokenizeCommand::run() const
{
    std::shared_ptr<const SubwordTokenizer> tokenizer;
    std::string description;
    if (m_options.has("--model")) {
        // The tokenizer as the model gets it: cut and padded to its length.
        const auto bundle = ModelBundle::load(m_options.get("--model"), DeviceChoice::Cpu);
        const Manifest &m = bundle->manifest();
        if (!m.readsText())
            throw Error(m_options.get("--model") + ": the model takes no text, so it has no tokenizer");
        tokenizer = std::dynamic_pointer_cast<const SubwordTokenizer>(m.text.loaded);
        if (!tokenizer)
            return printWordLevel(m);
        description = tokenizer->description() + ", fitted to the model's " + std::to_string(m.text.maxLength) + " tokens";
    } else {
        tokenizer = open(m_options.get("--tokenizer"), m_options.has("--cased"));
        description = tokenizer->description();
    }
    const std::string text = textOf("--text", "--text-file");
    const bool pair = m_options.has("--pair") || m_options.has("--pair-file");
    const EncodedText e = pair ? tokenizer->encodePair(text, textOf("--pair", "--pair-file")) : tokenizer->encodeText(text);
    if (m_options.has("--json"))
        std::cout << toJson(e, description).dump(-1) << "\n";
    else
        printTable(e, description);
    return 0;
}

int TokenizeCommand::printWordLevel(const Manifest &m) const
{
    // The demo models' word-level tokenizer keeps no offsets: null in JSON,
    // "-" in the table, rather than made up.
    if (m_options.has("--pair") || m_options.has("--pair-file"))
        throw Error(m_options.get("--model") + ": the model's word-level tokenizer reads one text, not a pair");
    const TokenizedText t = Tokenizer::of(m.text)->encode(textOf("--text", "--text-file"));
    const std::string description = "word-level, " + std::to_string(m.text.vocab.size()) + " words, fitted to the model's "
                                    + std::to_string(m.text.maxLength) + " tokens";
    if (m_options.has("--json")) {
        Json out = Json::object();
        out.set("tokenizer", description);
        Json tokens = Json::array(), offsets = Json::array();
        for (const std::string &token : t.tokens) {
            tokens.push(token);
            offsets.push(Json(nullptr));
        }
        out.set("tokens", tokens);
        out.set("ids", numbers(t.ids));
        out.set("type_ids", numbers(std::vector<int64_t>(t.ids.size(), 0)));
        out.set("offsets", offsets);
        out.set("attention_mask", numbers(t.mask));
        out.set("special_tokens_mask", numbers(t.special));
        out.set("unknown", numbers(t.unknown));
        std::cout << out.dump(-1) << "\n";
        return 0;
    }
    std::printf("tokenizer: %s\n%5s  %-24s %8s %5s  %s\n", description.c_str(), "#", "token", "id", "type", "offsets");
    for (size_t i = 0; i < t.tokens.size(); ++i)
        std::printf("%5zu  %-24s %8lld %5d  -%s\n", i, t.tokens[i].c_str(), static_cast<long long>(t.ids[i]), 0,
                    t.special[i] ? "  (special)" : t.unknown[i] ? "  (not in the vocabulary)" : "");
    return 0;
}

std::unique_ptr<SubwordTokenizer> TokenizeCommand::open(const std::string &file, bool cased)
{
    RegularFile::require(file, "tokenizer");
    const std::filesystem::path path(file);
    const std::string suffix = path.extension().string();
    // OpenAI's CLIP vocabulary: bpe_simple_vocab_16e6.txt.gz (or unpacked, a
    // header line with "#version" and then merges).
    if (suffix == ".gz" || (suffix == ".txt" && firstLine(file).find("#version") != std::string::npos))
        return ClipVocabulary::read(file);
    if (suffix == ".txt") {
        VocabularyFiles::WordPieceOptions options;
        options.lowercase = !cased;
        return VocabularyFiles::readWordPieceVocab(file, options);
    }
    if (suffix == ".model") // SentencePiece: pieces as spm_encode gives them, no <s> or </s> added
        return SentencePieceModel::readTokenizer(file, SentencePieceModel::Options());
    if (suffix == ".json") {
        // A tokenizer.json describes a whole tokenizer ("model" and more); a
        // GPT-2 vocab.json is a plain map of tokens to ids.
        const std::string text = TextFile::read(file, kMaxTokenizerBytes);
        const Json json = Json::parse(text, file);
        const Json *model = json.find("model");
        if (model && model->isObject())
            return HfTokenizerJson::parse(text, file);
        const std::string merges = (path.parent_path() / "merges.txt").string();
        if (!std::filesystem::exists(merges))
            throw Error(file + ": a vocabulary without its merges.txt beside it; AttnScope reads a GPT-2 vocab.json "
                               "together with merges.txt from the same folder");
        return VocabularyFiles::readGpt2(file, merges, VocabularyFiles::Gpt2Options());
    }
    throw Error(file + ": not a tokenizer AttnScope reads; give a tokenizer.json, a WordPiece vocab.txt, a GPT-2 "
                       "vocab.json (with merges.txt beside it), CLIP's bpe_simple_vocab_16e6.txt.gz or a "
                       "SentencePiece .model");
}

} // namespace attnscope::app
