#include "core/checkpoint/nativecheckpoint.h"

#include "core/checkpoint/checkpointweights.h"
#include "core/checkpoint/nativeclip.h"
#include "core/checkpoint/nativevit.h"
#include "core/error.h"
#include "core/io/regularfile.h"
#include "core/io/textfile.h"
#include "core/json/json.h"

#include <filesystem>
#include <optional>

namespace attnscope::core {

namespace fs = std::filesystem;

namespace {

Json readJson(const fs::path &file)
{
    return Json::parse(TextFile::read(file.string(), size_t(16) << 20), file.string());
}

Json numbers(const std::vector<double> &values)
{
    Json out = Json::array();
    for (double v : values)
        out.push(v);
    return out;
}

std::vector<double> triple(const Json *value, std::vector<double> fallback)
{
    if (!value || !value->isArray() || value->toArray().size() != 3)
        return fallback;
    std::vector<double> out;
    for (const Json &v : value->toArray())
        out.push_back(v.isNumber() ? v.toNumber() : 0.0);
    return out;
}

/// The image section: timm's pretrained_cfg (shortest edge to size /
/// crop_pct, centre crop, its interpolation), or Hugging Face's
/// preprocessor_config.json, or timm's ImageNet defaults.
Json imageSection(const VitArchitecture &arch, const Json &config, const Json *preprocessor, std::vector<std::string> &notes)
{
    const std::vector<double> imagenetMean{0.485, 0.456, 0.406}, imagenetStd{0.229, 0.224, 0.225};
    Json image = Json::object();
    image.set("size", Json(Json::Array{arch.imageHeight, arch.imageWidth}));
    if (const Json *cfg = config.find("pretrained_cfg"); cfg && arch.layout == VitArchitecture::Layout::Timm) {
        image.set("mean", numbers(triple(cfg->find("mean"), imagenetMean)));
        image.set("std", numbers(triple(cfg->find("std"), imagenetStd)));
        const Json *crop = cfg->find("crop_pct");
        image.set("resize", "shortest_edge");
        image.set("crop_pct", crop && crop->isNumber() ? crop->toNumber() : 0.875);
        const Json *interpolation = cfg->find("interpolation");
        const std::string how = interpolation && interpolation->isString() ? interpolation->toString() : "bicubic";
        image.set("interpolation", how == "bilinear" || how == "bicubic" ? how : std::string("bicubic"));
        return image;
    }
    if (preprocessor) {
        image.set("mean", numbers(triple(preprocessor->find("image_mean"), {0.5, 0.5, 0.5})));
        image.set("std", numbers(triple(preprocessor->find("image_std"), {0.5, 0.5, 0.5})));
        const Json *resample = preprocessor->find("resample");
        image.set("interpolation", resample && resample->isNumber() && resample->toNumber() == 3 ? "bicubic" : "bilinear");
        const Json *size = preprocessor->find("size");
        const Json *crop = preprocessor->find("crop_size");
        const Json *doCrop = preprocessor->find("do_center_crop");
        auto side = [](const Json *s, const char *key) {
            const Json *v = s && s->isObject() ? s->find(key) : nullptr;
            return v && v->isNumber() ? v->toNumber() : 0.0;
        };
        const double shortest = side(size, "shortest_edge");
        const double resized = shortest > 0 ? shortest : side(size, "height");
        const double cropped = side(crop, "height");
        if (doCrop && doCrop->isBool() && doCrop->toBool() && resized > 0 && cropped > 0) {
            image.set("resize", "shortest_edge");
            image.set("crop_pct", cropped / resized);
            if (shortest <= 0)
                notes.push_back("preprocessor_config.json resizes to a square before its centre crop; AttnScope keeps "
                                "the photo's proportions (shorter side first), which differs only for photos that are "
                                "not square");
        } else {
            image.set("resize", shortest > 0 ? "shortest_edge" : "stretch");
        }
        return image;
    }
    image.set("mean", numbers(arch.layout == VitArchitecture::Layout::Timm ? imagenetMean : std::vector<double>{0.5, 0.5, 0.5}));
    image.set("std", numbers(arch.layout == VitArchitecture::Layout::Timm ? imagenetStd : std::vector<double>{0.5, 0.5, 0.5}));
    image.set("resize", "shortest_edge");
    image.set("crop_pct", arch.layout == VitArchitecture::Layout::Timm ? 0.875 : 1.0);
    image.set("interpolation", "bicubic");
    notes.push_back("no preprocessing was found beside the checkpoint (pretrained_cfg or preprocessor_config.json): "
                    "AttnScope uses the usual defaults, which may not be what the model was trained with");
    return image;
}

Json vitManifest(const VitArchitecture &arch, const Json &config, const Json *preprocessor, const std::string &name,
                 const std::string &weightsFile, std::vector<std::string> &notes)
{
    Json m = Json::object();
    m.set("format", "attnscope-model/2");
    m.set("name", name);
    const bool timm = arch.layout == VitArchitecture::Layout::Timm;
    m.set("description", arch.name + " (" + (timm ? "timm" : "Hugging Face") + " layout, " + std::to_string(arch.depth)
                             + " x " + std::to_string(arch.width) + ", " + std::to_string(arch.heads)
                             + " heads), read natively from " + weightsFile);
    m.set("task", "classification");
    Json labels = Json::array();
    for (const std::string &l : arch.labels)
        labels.push(l);
    m.set("labels", labels);
    m.set("inputs", Json(Json::Array{Json("image")}));
    m.set("image", imageSection(arch, config, preprocessor, notes));
    Json segments = Json::array();
    auto special = [&](const char *segment, int length) {
        Json s = Json::object();
        s.set("name", segment);
        s.set("modality", "special");
        s.set("length", length);
        segments.push(s);
    };
    if (arch.classToken)
        special("cls", 1);
    if (arch.distillationToken)
        special("distillation", 1);
    if (arch.registers)
        special("registers", arch.registers);
    Json patches = Json::object();
    patches.set("name", "patches");
    patches.set("modality", "image");
    patches.set("grid", Json(Json::Array{arch.gridRows(), arch.gridCols()}));
    segments.push(patches);
    Json stream = Json::object();
    stream.set("name", "vit");
    stream.set("segments", segments);
    m.set("streams", Json(Json::Array{stream}));
    Json attentions = Json::array();
    for (int l = 0; l < arch.depth; ++l) {
        Json a = Json::object();
        a.set("layer", l);
        a.set("query", "vit");
        attentions.push(a);
    }
    m.set("attentions", attentions);
    Json decision = Json::object();
    decision.set("stream", "vit");
    if (arch.averagePool) { // timm's global_pool "avg": the mean of the patch tokens decides
        decision.set("rule", "mean");
        decision.set("segment", "patches");
    } else {
        decision.set("index", 0);
    }
    m.set("decision", decision);
    return m;
}

/// CLIP's tokenizer beside the checkpoint: OpenAI's BPE vocabulary, or
/// Hugging Face's merges.txt (the same merges after a "#version" line).
std::pair<std::string, std::string> clipTokenizer(const fs::path &dir, const std::string &path)
{
    std::error_code error;
    for (const char *name : {"bpe_simple_vocab_16e6.txt.gz", "bpe_simple_vocab_16e6.txt", "merges.txt"}) {
        if (fs::exists(dir / name, error))
            return {name, TextFile::read((dir / name).string(), size_t(64) << 20)};
    }
    throw Error(path + ": has no CLIP tokenizer beside it: put OpenAI's bpe_simple_vocab_16e6.txt.gz, or Hugging "
                "Face's vocab.json and merges.txt, in " + dir.string());
}

Json clipManifest(const ClipArchitecture &arch, const Json *preprocessor, const std::string &name,
                  const std::string &weightsFile, const std::string &tokenizerFile)
{
    Json m = Json::object();
    m.set("format", "attnscope-model/2");
    m.set("name", name);
    const bool openai = arch.layout == ClipArchitecture::Layout::OpenAI;
    m.set("description", std::string("CLIP (") + (openai ? "OpenAI" : "Hugging Face") + " layout, image ViT "
                             + std::to_string(arch.visionLayers) + " x " + std::to_string(arch.visionWidth) + ", text "
                             + std::to_string(arch.textLayers) + " x " + std::to_string(arch.textWidth)
                             + "), read natively from " + weightsFile + "; the score is exp(logit_scale) x cosine");
    m.set("task", "matching");
    m.set("score", "logit");
    m.set("inputs", Json(Json::Array{Json("image"), Json("input_ids")}));
    Json image = Json::object();
    image.set("size", Json(Json::Array{arch.imageSize, arch.imageSize}));
    const std::vector<double> mean{0.48145466, 0.4578275, 0.40821073}, std{0.26862954, 0.26130258, 0.27577711};
    image.set("mean", numbers(triple(preprocessor ? preprocessor->find("image_mean") : nullptr, mean)));
    image.set("std", numbers(triple(preprocessor ? preprocessor->find("image_std") : nullptr, std)));
    image.set("resize", "shortest_edge"); // clip.clip._transform: shorter side to the size, centre crop
    image.set("crop_pct", 1.0);
    image.set("interpolation", "bicubic");
    m.set("image", image);
    Json text = Json::object();
    text.set("tokenizer", "clip_bpe");
    text.set("file", tokenizerFile);
    text.set("max_length", arch.context);
    m.set("text", text);
    auto segment = [](const char *segmentName, const char *modality, int length) {
        Json s = Json::object();
        s.set("name", segmentName);
        s.set("modality", modality);
        s.set("length", length);
        return s;
    };
    Json patches = Json::object();
    patches.set("name", "patches");
    patches.set("modality", "image");
    patches.set("grid", Json(Json::Array{arch.grid(), arch.grid()}));
    Json vision = Json::object();
    vision.set("name", "image");
    vision.set("segments", Json(Json::Array{segment("cls", "special", 1), patches}));
    Json caption = Json::object();
    caption.set("name", "text");
    caption.set("segments", Json(Json::Array{segment("caption", "text", arch.context)}));
    m.set("streams", Json(Json::Array{vision, caption}));
    Json attentions = Json::array();
    for (int tower = 0; tower < 2; ++tower) {
        for (int l = 0; l < (tower ? arch.textLayers : arch.visionLayers); ++l) {
            Json a = Json::object();
            a.set("layer", l);
            a.set("query", tower ? "text" : "image");
            attentions.push(a);
        }
    }
    m.set("attentions", attentions);
    Json imageDecision = Json::object();
    imageDecision.set("stream", "image");
    imageDecision.set("index", 0);
    Json textDecision = Json::object();
    textDecision.set("stream", "text");
    textDecision.set("rule", "first_id");
    textDecision.set("id", arch.endOfText);
    m.set("decision", Json(Json::Array{imageDecision, textDecision}));
    return m;
}

} // namespace

bool NativeCheckpoint::isCheckpoint(const std::string &path)
{
    std::error_code error;
    if (fs::is_directory(path, error))
        return true;
    const std::string ext = ".safetensors";
    return path.size() > ext.size() && path.compare(path.size() - ext.size(), ext.size(), ext) == 0;
}

NativeCheckpoint NativeCheckpoint::open(const std::string &path)
{
    std::error_code error;
    const bool folder = fs::is_directory(path, error);
    fs::path weightsPath = folder ? fs::path(path) / "model.safetensors" : fs::path(path);
    const fs::path dir = folder ? fs::path(path) : weightsPath.parent_path();
    if (folder && !fs::exists(weightsPath, error)) {
        if (fs::exists(dir / "model.safetensors.index.json", error))
            throw Error(path + ": holds a checkpoint split into several files (model.safetensors.index.json), "
                        "which AttnScope does not open yet");
        throw Error(path + ": is a folder without model.safetensors; AttnScope opens a Hugging Face or timm folder "
                    "(config.json and model.safetensors), a .safetensors file or a TorchScript archive (.pt)");
    }
    RegularFile::require(weightsPath.string(), "safetensors");
    const CheckpointWeights weights(SafetensorsFile::open(weightsPath.string()));
    const std::string source = weightsPath.string();
    const fs::path configPath = dir / "config.json";
    const bool openai = weights.has("visual.conv1.weight"); // OpenAI's CLIP state dict: its config.json is optional
    if (!openai && !fs::exists(configPath, error))
        throw Error(path + ": there is no config.json beside " + weightsPath.filename().string()
                    + "; AttnScope reads the architecture (heads, image size, labels) from it");
    const Json config = fs::exists(configPath, error) ? readJson(configPath) : Json::object();
    if (!config.isObject())
        throw Error(configPath.string() + ": is not a JSON object");
    std::optional<Json> preprocessor;
    if (fs::exists(dir / "preprocessor_config.json", error))
        preprocessor = readJson(dir / "preprocessor_config.json");
    // A layout's subfolder (hf/, timm/) is named with the folder above it.
    fs::path named = fs::absolute(folder ? fs::path(path) : weightsPath.parent_path(), error).lexically_normal();
    if (!named.has_filename()) // a trailing slash
        named = named.parent_path();
    std::string name = named.filename().string();
    if (name == "hf" || name == "timm" || name == "openai")
        name = named.parent_path().filename().string() + "/" + name;

    const Json *type = config.find("model_type");
    const bool clip = openai || (type && type->isString() && type->toString() == "clip");
    if (clip) {
        const ClipArchitecture arch = openai ? NativeClip::openAiArchitecture(fs::exists(configPath, error) ? &config : nullptr,
                                                                              weights, source)
                                             : NativeClip::huggingFaceArchitecture(config, weights, source);
        NativeCheckpoint out;
        out.notes = arch.notes;
        const auto [tokenizerFile, tokenizer] = clipTokenizer(dir, path);
        out.files.emplace(tokenizerFile, tokenizer);
        out.manifest = clipManifest(arch, preprocessor ? &*preprocessor : nullptr, name,
                                    weightsPath.filename().string(), tokenizerFile).dump();
        out.model = std::make_shared<NativeClip>(arch, weights);
        out.heads.assign(static_cast<size_t>(arch.visionLayers), arch.visionHeads);
        out.heads.insert(out.heads.end(), static_cast<size_t>(arch.textLayers), arch.textHeads);
        return out;
    }
    const bool timm = config.contains("architecture") || config.contains("model_args") || config.contains("pretrained_cfg");
    VitArchitecture arch;
    if (timm) {
        arch = NativeVit::timmArchitecture(config, weights, source);
    } else if (type && type->isString() && (type->toString() == "vit" || type->toString() == "deit")) {
        arch = NativeVit::huggingFaceArchitecture(config, weights, source);
    } else if (type && type->isString()) {
        throw Error(configPath.string() + ": model_type \"" + type->toString()
                    + "\" is not one AttnScope runs natively (it runs \"vit\" and \"deit\" image classifiers, "
                      "\"clip\" and timm ViTs); export other models with models/attnscope/export.py");
    } else {
        throw Error(configPath.string() + ": says neither a Hugging Face model_type nor a timm architecture");
    }
    NativeCheckpoint out;
    out.notes = arch.notes;
    if (arch.distilledHead)
        out.notes.push_back("a DeiT answers with the mean of its class and distillation heads; AttnScope explains "
                            "the answer from the class token");
    out.manifest = vitManifest(arch, config, preprocessor ? &*preprocessor : nullptr, name.empty() ? "checkpoint" : name,
                               weightsPath.filename().string(), out.notes)
                       .dump();
    auto vit = std::make_shared<NativeVit>(arch, weights);
    const std::vector<std::string> unread = weights.unread();
    if (!unread.empty())
        out.notes.push_back(std::to_string(unread.size()) + " tensor(s) of the checkpoint are not part of the model "
                            "AttnScope runs (the first: \"" + unread.front() + "\")");
    out.model = vit;
    out.heads.assign(static_cast<size_t>(arch.depth), arch.heads);
    return out;
}

} // namespace attnscope::core
