#include "core/text/vocabularyfiles.h"

#include "core/error.h"
#include "core/io/textfile.h"
#include "core/json/json.h"
#include "core/text/bertpretokenizer.h"
#include "core/text/bpemodel.h"
#include "core/text/bytelevelpretokenizer.h"
#include "core/text/hftokenizerjson.h"
#include "core/text/sourcetext.h"
#include "core/text/bertnormalizer.h"
#include "core/text/subwordtokenizer.h"
#include "core/text/unicodeproperties.h"
#include "core/text/wordpiecemodel.h"

#include <cmath>

namespace attnscope::core {

namespace {

/// The file's lines as Rust's lines() gives them: split at "\n", a "\r"
/// before it dropped, no line after a final newline.
std::vector<std::string> linesOf(const std::string &text, const std::string &path)
{
    std::vector<std::string> lines = TextFile::lines(text);
    if (lines.size() > HfTokenizerJson::kMaxEntries)
        throw Error(path + ": more than " + std::to_string(HfTokenizerJson::kMaxEntries) + " lines");
    return lines;
}

/// The line without trailing whitespace (as the library reads vocab.txt).
std::string trimEnd(const std::string &line)
{
    const SourceText decoded(line);
    size_t keep = decoded.size();
    while (keep > 0 && UnicodeProperties::isWhitespace(decoded.codePoints()[keep - 1]))
        --keep;
    return line.substr(0, static_cast<size_t>(decoded.byteOffset(keep)));
}

void addSpecialsFromVocabulary(SubwordTokenizer::Parts &parts, const std::vector<std::string> &names)
{
    for (const std::string &name : names) {
        if (const auto id = parts.model->idOf(name)) {
            AddedToken t;
            t.content = name;
            t.id = *id;
            t.special = true;
            parts.addedTokens.push_back(t);
        }
    }
}

int64_t requireToken(const SubwordModel &model, const std::string &token, const std::string &path)
{
    const auto id = model.idOf(token);
    if (!id)
        throw Error(path + ": the vocabulary has no " + token + " token, which BERT puts around every text");
    return *id;
}

Vocabulary parseVocabJson(const std::string &text, const std::string &path)
{
    const Json root = Json::parse(text, path);
    if (!root.isObject())
        throw Error(path + ": a vocab.json holds one object, token to id");
    if (root.toObject().size() > HfTokenizerJson::kMaxEntries)
        throw Error(path + ": more than " + std::to_string(HfTokenizerJson::kMaxEntries) + " tokens");
    Vocabulary vocabulary;
    for (const auto &[token, id] : root.toObject()) {
        const double x = id.isNumber() ? id.toNumber() : -1.0;
        if (!(x >= 0.0 && x < 2147483648.0) || std::floor(x) != x)
            throw Error(path + ": the id of \"" + token + "\" must be a whole number from 0 to 2^31");
        vocabulary[token] = static_cast<int64_t>(x);
    }
    return vocabulary;
}

std::vector<BpeModel::Merge> parseMergesTxt(const std::string &text, const std::string &path)
{
    std::vector<BpeModel::Merge> merges;
    const std::vector<std::string> lines = linesOf(text, path);
    for (size_t i = 0; i < lines.size(); ++i) {
        const std::string &line = lines[i];
        // The "#version" header is skipped as the library skips it; blank
        // lines (which it refuses) are skipped too.
        if (line.empty() || line.rfind("#version", 0) == 0)
            continue;
        const size_t space = line.find(' ');
        if (space == std::string::npos || line.find(' ', space + 1) != std::string::npos)
            throw Error(path + ": line " + std::to_string(i + 1) + " is not two tokens separated by one space");
        merges.emplace_back(line.substr(0, space), line.substr(space + 1));
    }
    return merges;
}

} // namespace

std::unique_ptr<SubwordTokenizer> VocabularyFiles::readWordPieceVocab(const std::string &path,
                                                                      const WordPieceOptions &options)
{
    return parseWordPieceVocab(TextFile::read(path), path, options);
}

std::unique_ptr<SubwordTokenizer> VocabularyFiles::parseWordPieceVocab(const std::string &text, const std::string &path,
                                                                       const WordPieceOptions &options)
{
    Vocabulary vocabulary;
    const std::vector<std::string> lines = linesOf(text, path);
    for (size_t i = 0; i < lines.size(); ++i)
        vocabulary[trimEnd(lines[i])] = static_cast<int64_t>(i); // a repeated token keeps its last line
    SubwordTokenizer::Parts parts;
    parts.description = "WordPiece, " + std::to_string(vocabulary.size()) + " tokens";
    try {
        parts.model = std::make_unique<WordPieceModel>(std::move(vocabulary), WordPieceModel::Options{});
    } catch (const Error &e) {
        throw Error(path + ": " + e.what());
    }
    BertNormalizer::Options normalizer;
    normalizer.lowercase = options.lowercase;
    parts.normalizer = std::make_shared<BertNormalizer>(normalizer);
    parts.preTokenizer = std::make_unique<BertPreTokenizer>();
    const int64_t cls = requireToken(*parts.model, "[CLS]", path);
    const int64_t sep = requireToken(*parts.model, "[SEP]", path);
    parts.postProcessor = TemplatePostProcessor::bert("[CLS]", cls, "[SEP]", sep);
    addSpecialsFromVocabulary(parts, {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"});
    return std::make_unique<SubwordTokenizer>(std::move(parts));
}

std::unique_ptr<SubwordTokenizer> VocabularyFiles::readGpt2(const std::string &vocabJsonPath,
                                                            const std::string &mergesPath, const Gpt2Options &options)
{
    return parseGpt2(TextFile::read(vocabJsonPath), vocabJsonPath, TextFile::read(mergesPath), mergesPath, options);
}

std::unique_ptr<SubwordTokenizer> VocabularyFiles::parseGpt2(const std::string &vocabJson, const std::string &vocabJsonPath,
                                                             const std::string &mergesTxt, const std::string &mergesPath,
                                                             const Gpt2Options &options)
{
    Vocabulary vocabulary = parseVocabJson(vocabJson, vocabJsonPath);
    const std::vector<BpeModel::Merge> merges = parseMergesTxt(mergesTxt, mergesPath);
    SubwordTokenizer::Parts parts;
    parts.description = "byte-level BPE, " + std::to_string(vocabulary.size()) + " tokens, " +
                        std::to_string(merges.size()) + " merges";
    try {
        parts.model = std::make_unique<BpeModel>(std::move(vocabulary), merges, BpeModel::Options{});
    } catch (const Error &e) {
        throw Error(mergesPath + ": " + e.what());
    }
    ByteLevelPreTokenizer::Options byteLevel;
    byteLevel.addPrefixSpace = options.addPrefixSpace;
    parts.preTokenizer = std::make_unique<ByteLevelPreTokenizer>(byteLevel);
    parts.trimByteLevelOffsets = options.trimOffsets;
    parts.byteLevelPrefixSpace = options.addPrefixSpace;
    addSpecialsFromVocabulary(parts, options.specialTokens);
    return std::make_unique<SubwordTokenizer>(std::move(parts));
}

} // namespace attnscope::core
