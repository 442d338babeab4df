#include "core/bundle/manifestsections.h"

#include <algorithm>
#include <set>

namespace attnscope::core {

ImageSpec parseImageSection(const ManifestReader &r, const Json &json)
{
    ImageSpec spec;
    r.object(json, "image");
    const auto &size = r.array(r.require(json, "size", "image.size"), "image.size", 2);
    if (size.size() != 2)
        r.fail("image.size", "must be [height, width]");
    spec.height = r.integer(size[0], "image.size[0]", 1);
    spec.width = r.integer(size[1], "image.size[1]", 1);
    // The load probe runs the model on an input of this size: 8192 x 8192
    // took 4 GB before any check could refuse the model.
    if (spec.height > kMaxImageSide || spec.width > kMaxImageSide)
        r.fail("image.size", "asks for " + std::to_string(spec.height) + "x" + std::to_string(spec.width)
                                 + " pixels; AttnScope takes models of at most " + std::to_string(kMaxImageSide)
                                 + " pixels on a side");
    spec.mean = r.triple(json, "mean", "image.mean", {{0.f, 0.f, 0.f}});
    spec.std = r.triple(json, "std", "image.std", {{1.f, 1.f, 1.f}});
    for (float s : spec.std) {
        if (s <= 0.f)
            r.fail("image.std", "must be positive");
    }
    const std::string order = r.string(json, "channel_order", "image.channel_order", std::string("RGB"));
    if (order != "RGB" && order != "BGR")
        r.fail("image.channel_order", "must be \"RGB\" or \"BGR\", not \"" + order + "\"");
    spec.rgbOrder = order == "RGB";
    spec.resize = r.string(json, "resize", "image.resize", std::string("stretch"));
    if (spec.resize != "stretch" && spec.resize != "shortest_edge" && spec.resize != "pad")
        r.fail("image.resize", "must be \"stretch\", \"shortest_edge\" (with a centre crop) or \"pad\", not \""
                                   + spec.resize + "\"");
    if (const Json *pct = json.find("crop_pct")) {
        if (!pct->isNumber())
            r.fail("image.crop_pct", "must be a number");
        spec.cropPct = pct->toNumber();
        if (!(spec.cropPct >= 0.05 && spec.cropPct <= 1.0))
            r.fail("image.crop_pct", "must be between 0.05 and 1 (timm writes 0.875 or 0.9)");
        if (spec.resize != "shortest_edge" && spec.cropPct != 1.0)
            r.fail("image.crop_pct", "applies only to the resize mode \"shortest_edge\"");
    }
    spec.interpolation = r.string(json, "interpolation", "image.interpolation", std::string("auto"));
    if (spec.interpolation != "auto" && spec.interpolation != "bilinear" && spec.interpolation != "bicubic"
        && spec.interpolation != "area" && spec.interpolation != "nearest")
        r.fail("image.interpolation", "must be \"auto\", \"bilinear\", \"bicubic\", \"area\" or \"nearest\", not \""
                                          + spec.interpolation + "\"");
    return spec;
}

namespace {

/// A subword tokenizer's section: the files stored with the model (read
/// when the bundle loads), the length, whether the model reads pairs.
TextSpec parseSubwordText(const ManifestReader &r, const Json &json, TextSpec spec)
{
    spec.file = r.string(json, "file", "text.file");
    if (spec.file.empty() || spec.file.find('/') != std::string::npos || spec.file == "attnscope.json")
        r.fail("text.file", "must name a file stored with the model (an extra file of the archive, no folders)");
    if (spec.tokenizer == "gpt2_bpe") {
        spec.mergesFile = r.string(json, "merges_file", "text.merges_file");
        if (spec.mergesFile.empty() || spec.mergesFile.find('/') != std::string::npos)
            r.fail("text.merges_file", "must name a file stored with the model (an extra file of the archive)");
    } else if (json.contains("merges_file")) {
        r.fail("text.merges_file", "belongs to the tokenizer \"gpt2_bpe\" only");
    }
    spec.lowercase = r.boolean(json, "lowercase", "text.lowercase", true);
    if (json.contains("lowercase") && spec.tokenizer != "wordpiece")
        r.fail("text.lowercase", "applies to \"wordpiece\" only (a tokenizer.json says itself whether it lower-cases)");
    spec.maxLength = r.integer(json, "max_length", "text.max_length", 2);
    if (spec.maxLength > 65536)
        r.fail("text.max_length", "is larger than 65536");
    spec.pair = r.boolean(json, "pair", "text.pair", false);
    if (spec.tokenizer == "sentencepiece") {
        spec.addBos = r.boolean(json, "add_bos", "text.add_bos", false);
        spec.addEos = r.boolean(json, "add_eos", "text.add_eos", false);
    }
    for (const char *key : {"add_bos", "add_eos"}) {
        if (json.contains(key) && spec.tokenizer != "sentencepiece")
            r.fail(std::string("text.") + key, "belongs to the tokenizer \"sentencepiece\" only (the other "
                                               "tokenizers' files say their special tokens)");
    }
    for (const char *key : {"vocab", "add_cls", "add_sep"}) {
        if (json.contains(key))
            r.fail(std::string("text.") + key, "belongs to the word-level tokenizer; a subword tokenizer's files say "
                                               "its vocabulary and special tokens");
    }
    if (const Json *special = json.find("special_tokens")) {
        r.object(*special, "text.special_tokens");
        spec.padToken = r.string(*special, "pad", "text.special_tokens.pad", spec.padToken);
        spec.unkToken = r.string(*special, "unk", "text.special_tokens.unk", spec.unkToken);
    }
    return spec;
}

} // namespace

TextSpec parseTextSection(const ManifestReader &r, const Json &json, int format)
{
    TextSpec spec;
    r.object(json, "text");
    spec.tokenizer = r.string(json, "tokenizer", "text.tokenizer");
    if (format == 1 && spec.tokenizer != "word")
        r.fail("text.tokenizer", "must be \"word\" (a word-level vocabulary) in a version 1 manifest, not \""
                                     + spec.tokenizer + "\"; subword tokenizers need \"format\": \"attnscope-model/2\"");
    if (spec.tokenizer != "word" && spec.tokenizer != "wordpiece" && spec.tokenizer != "gpt2_bpe"
        && spec.tokenizer != "clip_bpe" && spec.tokenizer != "huggingface" && spec.tokenizer != "sentencepiece")
        r.fail("text.tokenizer", "must be \"word\", \"wordpiece\" (a vocab.txt), \"gpt2_bpe\" (vocab.json and "
                                 "merges.txt), \"clip_bpe\" (CLIP's bpe_simple_vocab_16e6.txt.gz), "
                                 "\"huggingface\" (a tokenizer.json) or \"sentencepiece\" (a SentencePiece "
                                 "model), not \"" + spec.tokenizer + "\"");
    if (spec.subword())
        return parseSubwordText(r, json, spec);
    for (const char *key : {"file", "merges_file", "pair"}) {
        if (json.contains(key))
            r.fail(std::string("text.") + key, "needs a subword tokenizer (\"wordpiece\", \"gpt2_bpe\", \"clip_bpe\", "
                                               "\"huggingface\", \"sentencepiece\")");
    }
    spec.lowercase = r.boolean(json, "lowercase", "text.lowercase", true);
    spec.maxLength = r.integer(json, "max_length", "text.max_length", 1);
    if (spec.maxLength > 65536)
        r.fail("text.max_length", "is larger than 65536");
    const auto &vocab = r.array(r.require(json, "vocab", "text.vocab"), "text.vocab", 1);
    std::set<std::string> seen;
    for (size_t i = 0; i < vocab.size(); ++i) {
        const std::string path = "text.vocab[" + std::to_string(i) + "]";
        if (!vocab[i].isString())
            r.fail(path, "must be a string");
        if (!seen.insert(vocab[i].toString()).second)
            r.fail(path, "repeats the word \"" + vocab[i].toString() + "\"");
        spec.vocab.push_back(vocab[i].toString());
    }
    if (const Json *special = json.find("special_tokens")) {
        r.object(*special, "text.special_tokens");
        spec.padToken = r.string(*special, "pad", "text.special_tokens.pad", spec.padToken);
        spec.unkToken = r.string(*special, "unk", "text.special_tokens.unk", spec.unkToken);
        spec.clsToken = r.string(*special, "cls", "text.special_tokens.cls", spec.clsToken);
        spec.sepToken = r.string(*special, "sep", "text.special_tokens.sep", spec.sepToken);
    }
    spec.addCls = r.boolean(json, "add_cls", "text.add_cls", false);
    spec.addSep = r.boolean(json, "add_sep", "text.add_sep", false);
    auto requireInVocab = [&](const std::string &token, const std::string &path) {
        if (seen.count(token) == 0)
            r.fail(path, "names \"" + token + "\", which is not in text.vocab");
    };
    requireInVocab(spec.padToken, "text.special_tokens.pad");
    spec.padId = std::find(spec.vocab.begin(), spec.vocab.end(), spec.padToken) - spec.vocab.begin();
    requireInVocab(spec.unkToken, "text.special_tokens.unk");
    if (spec.addCls)
        requireInVocab(spec.clsToken, "text.special_tokens.cls");
    if (spec.addSep)
        requireInVocab(spec.sepToken, "text.special_tokens.sep");
    const int specials = (spec.addCls ? 1 : 0) + (spec.addSep ? 1 : 0);
    if (spec.maxLength <= specials)
        r.fail("text.max_length", "leaves no room for words after the special tokens");
    return spec;
}

/// Contract version 2: the forward's inputs, in the order it takes them.
std::vector<std::string> parseInputsSection(const ManifestReader &r, const Json &json)
{
    static const std::set<std::string> kKnown{"image", "input_ids", "attention_mask", "token_type_ids"};
    std::vector<std::string> inputs;
    const auto &items = r.array(json, "inputs", 1);
    for (size_t i = 0; i < items.size(); ++i) {
        const std::string path = "inputs[" + std::to_string(i) + "]";
        if (!items[i].isString() || kKnown.count(items[i].toString()) == 0)
            r.fail(path, "must be one of \"image\", \"input_ids\", \"attention_mask\", \"token_type_ids\"");
        if (std::find(inputs.begin(), inputs.end(), items[i].toString()) != inputs.end())
            r.fail(path, "repeats the input \"" + items[i].toString() + "\"");
        inputs.push_back(items[i].toString());
    }
    const bool ids = std::find(inputs.begin(), inputs.end(), "input_ids") != inputs.end();
    for (const char *needsIds : {"attention_mask", "token_type_ids"}) {
        if (!ids && std::find(inputs.begin(), inputs.end(), needsIds) != inputs.end())
            r.fail("inputs", std::string("lists ") + needsIds + " but not input_ids");
    }
    return inputs;
}

} // namespace attnscope::core
