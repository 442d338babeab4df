#include "core/text/modeltokenizer.h"

#include "core/bundle/manifest.h"
#include "core/error.h"
#include "core/text/clipvocabulary.h"
#include "core/text/hftokenizerjson.h"
#include "core/text/sentencepiecemodel.h"
#include "core/text/subwordtokenizer.h"
#include "core/text/vocabularyfiles.h"

namespace attnscope::core {

namespace {

const std::string &fileOf(const std::map<std::string, std::string> &files, const std::string &name,
                          const std::string &source, const std::string &kind)
{
    const auto it = files.find(name);
    if (it == files.end())
        throw Error(source + ": the manifest's " + kind + " tokenizer reads \"" + name
                    + "\", but the archive holds no such file (store it with the model: the export "
                      "helper's files={\"" + name + "\": ...})");
    return it->second;
}

} // namespace

std::shared_ptr<const SubwordTokenizer> ModelTokenizer::build(const TextSpec &spec,
                                                              const std::map<std::string, std::string> &files,
                                                              const std::string &source)
{
    const std::string where = " in " + source;
    std::unique_ptr<SubwordTokenizer> tokenizer;
    if (spec.tokenizer == "wordpiece") {
        VocabularyFiles::WordPieceOptions options;
        options.lowercase = spec.lowercase;
        tokenizer = VocabularyFiles::parseWordPieceVocab(fileOf(files, spec.file, source, spec.tokenizer),
                                                         spec.file + where, options);
    } else if (spec.tokenizer == "gpt2_bpe") {
        tokenizer = VocabularyFiles::parseGpt2(fileOf(files, spec.file, source, spec.tokenizer), spec.file + where,
                                               fileOf(files, spec.mergesFile, source, spec.tokenizer),
                                               spec.mergesFile + where, VocabularyFiles::Gpt2Options{});
    } else if (spec.tokenizer == "clip_bpe") {
        tokenizer = ClipVocabulary::parse(fileOf(files, spec.file, source, spec.tokenizer), spec.file + where);
    } else if (spec.tokenizer == "huggingface") {
        tokenizer = HfTokenizerJson::parse(fileOf(files, spec.file, source, spec.tokenizer), spec.file + where);
    } else if (spec.tokenizer == "sentencepiece") {
        SentencePieceModel::Options options;
        options.addBos = spec.addBos;
        options.addEos = spec.addEos;
        tokenizer = SentencePieceModel::tokenizer(fileOf(files, spec.file, source, spec.tokenizer), spec.file + where,
                                                  options);
    } else {
        throw Error(source + ": \"" + spec.tokenizer + "\" is not a subword tokenizer");
    }
    tokenizer->fitTo(spec.maxLength, spec.padToken);
    return tokenizer;
}

} // namespace attnscope::core
