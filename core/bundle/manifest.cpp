#include "core/bundle/manifest.h"

#include "core/error.h"

#include <cmath>
#include <set>

namespace attnscope::core {

const char *modalityName(Modality modality)
{
    switch (modality) {
    case Modality::Special: return "special";
    case Modality::Image: return "image";
    case Modality::Text: return "text";
    }
    return "special";
}

int TokenStream::length() const
{
    int n = 0;
    for (const auto &segment : segments)
        n += segment.length;
    return n;
}

Json TokenStream::toJson() const
{
    Json s = Json::object();
    s.set("name", name);
    Json segs = Json::array();
    for (const auto &segment : segments) {
        Json g = Json::object();
        g.set("name", segment.name);
        g.set("modality", modalityName(segment.modality));
        g.set("length", segment.length);
        if (segment.modality == Modality::Image)
            g.set("grid", Json(Json::Array{segment.gridRows, segment.gridCols}));
        segs.push(g);
    }
    s.set("segments", segs);
    return s;
}

namespace {

/// Reads fields with messages that name the source and the JSON path.
class Reader
{
public:
    explicit Reader(const std::string &source) : m_source(source) {}

    [[noreturn]] void fail(const std::string &path, const std::string &what) const
    {
        throw Error(m_source + ": manifest field '" + path + "' " + what);
    }

    const Json &require(const Json &object, const std::string &key, const std::string &path) const
    {
        const Json *value = object.find(key);
        if (!value)
            fail(path, "is missing");
        return *value;
    }

    std::string string(const Json &object, const std::string &key, const std::string &path,
                       const std::optional<std::string> &fallback = std::nullopt) const
    {
        const Json *value = object.find(key);
        if (!value) {
            if (fallback)
                return *fallback;
            fail(path, "is missing");
        }
        if (!value->isString())
            fail(path, std::string("must be a string, not ") + Json::typeName(value->type()));
        return value->toString();
    }

    bool boolean(const Json &object, const std::string &key, const std::string &path,
                 bool fallback) const
    {
        const Json *value = object.find(key);
        if (!value)
            return fallback;
        if (!value->isBool())
            fail(path, "must be true or false");
        return value->toBool();
    }

    int integer(const Json &value, const std::string &path, int minimum) const
    {
        if (!value.isNumber() || value.toNumber() != std::floor(value.toNumber())
            || std::fabs(value.toNumber()) > 1e9)
            fail(path, "must be a whole number");
        const int n = static_cast<int>(value.toNumber());
        if (n < minimum)
            fail(path, "must be at least " + std::to_string(minimum) + ", not " + std::to_string(n));
        return n;
    }

    int integer(const Json &object, const std::string &key, const std::string &path,
                int minimum) const
    {
        return integer(require(object, key, path), path, minimum);
    }

    const Json::Array &array(const Json &value, const std::string &path, size_t minSize) const
    {
        if (!value.isArray())
            fail(path, std::string("must be an array, not ") + Json::typeName(value.type()));
        if (value.toArray().size() < minSize)
            fail(path, "must have at least " + std::to_string(minSize) + " element(s)");
        return value.toArray();
    }

    const Json &object(const Json &value, const std::string &path) const
    {
        if (!value.isObject())
            fail(path, std::string("must be an object, not ") + Json::typeName(value.type()));
        return value;
    }

    std::array<float, 3> triple(const Json &object, const std::string &key, const std::string &path,
                                std::array<float, 3> fallback) const
    {
        const Json *value = object.find(key);
        if (!value)
            return fallback;
        const auto &items = array(*value, path, 3);
        if (items.size() != 3)
            fail(path, "must have exactly 3 numbers (one per colour channel)");
        std::array<float, 3> out{};
        for (size_t i = 0; i < 3; ++i) {
            if (!items[i].isNumber() || !std::isfinite(items[i].toNumber()))
                fail(path, "must hold finite numbers");
            out[i] = static_cast<float>(items[i].toNumber());
        }
        return out;
    }

    Modality modality(const Json &value, const std::string &path) const
    {
        if (!value.isString())
            fail(path, "must be \"image\", \"text\" or \"special\"");
        const std::string &s = value.toString();
        if (s == "image")
            return Modality::Image;
        if (s == "text")
            return Modality::Text;
        if (s == "special")
            return Modality::Special;
        fail(path, "must be \"image\", \"text\" or \"special\", not \"" + s + "\"");
    }

private:
    const std::string &m_source;
};

ImageSpec parseImage(const Reader &r, const Json &json)
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

TextSpec parseText(const Reader &r, const Json &json)
{
    TextSpec spec;
    r.object(json, "text");
    spec.tokenizer = r.string(json, "tokenizer", "text.tokenizer");
    if (spec.tokenizer != "word")
        r.fail("text.tokenizer", "must be \"word\" (a word-level vocabulary), not \"" + spec.tokenizer + "\"");
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

} // namespace

Manifest Manifest::parse(const std::string &text, const std::string &source)
{
    const Json root = Json::parse(text, source + ": manifest attnscope.json");
    const Reader r(source);
    r.object(root, "(top level)");
    Manifest m;

    if (const Json *format = root.find("format")) {
        if (!format->isString() || format->toString() != "attnscope-model/1")
            r.fail("format", "must be \"attnscope-model/1\"; this AttnScope reads version 1 manifests");
    }
    m.name = r.string(root, "name", "name");
    m.description = r.string(root, "description", "description", std::string());
    const std::string task = r.string(root, "task", "task");
    if (task == "classification")
        m.task = Task::Classification;
    else if (task == "matching")
        m.task = Task::Matching;
    else
        r.fail("task", "must be \"classification\" or \"matching\", not \"" + task + "\"");

    if (m.task == Task::Classification) {
        const auto &labels = r.array(r.require(root, "labels", "labels"), "labels", 1);
        for (size_t i = 0; i < labels.size(); ++i) {
            if (!labels[i].isString())
                r.fail("labels[" + std::to_string(i) + "]", "must be a string");
            m.labels.push_back(labels[i].toString());
        }
    } else {
        m.labels = {"match"};
    }

    m.image = parseImage(r, r.require(root, "image", "image"));
    const bool hasText = root.contains("text");
    if (hasText)
        m.text = parseText(r, *root.find("text"));

    const auto &streams = r.array(r.require(root, "streams", "streams"), "streams", 1);
    int imageSegments = 0, textSegments = 0;
    for (size_t s = 0; s < streams.size(); ++s) {
        const std::string sp = "streams[" + std::to_string(s) + "]";
        r.object(streams[s], sp);
        TokenStream stream;
        stream.name = r.string(streams[s], "name", sp + ".name");
        if (m.streamIndex(stream.name) >= 0)
            r.fail(sp + ".name", "repeats the stream name \"" + stream.name + "\"");
        const auto &segments = r.array(r.require(streams[s], "segments", sp + ".segments"),
                                       sp + ".segments", 1);
        int streamTokens = 0;
        for (size_t g = 0; g < segments.size(); ++g) {
            const std::string gp = sp + ".segments[" + std::to_string(g) + "]";
            r.object(segments[g], gp);
            TokenSegment segment;
            segment.name = r.string(segments[g], "name", gp + ".name", std::string());
            segment.modality = r.modality(r.require(segments[g], "modality", gp + ".modality"),
                                          gp + ".modality");
            if (segment.modality == Modality::Image) {
                ++imageSegments;
                const auto &grid = r.array(r.require(segments[g], "grid", gp + ".grid"), gp + ".grid", 2);
                if (grid.size() != 2)
                    r.fail(gp + ".grid", "must be [rows, columns] of the patch grid");
                segment.gridRows = r.integer(grid[0], gp + ".grid[0]", 1);
                segment.gridCols = r.integer(grid[1], gp + ".grid[1]", 1);
                // Bounded before multiplying: rows x columns must fit an int.
                if (segment.gridRows > m.image.height || segment.gridCols > m.image.width)
                    r.fail(gp + ".grid", "has more patches on a side than the image has pixels ("
                                             + std::to_string(m.image.height) + "x" + std::to_string(m.image.width) + ")");
                segment.length = segment.gridRows * segment.gridCols;
                if (m.image.height % segment.gridRows != 0 || m.image.width % segment.gridCols != 0)
                    r.fail(gp + ".grid", "must divide image.size evenly (" + std::to_string(m.image.height)
                                             + "x" + std::to_string(m.image.width) + " pixels)");
                if (const Json *length = segments[g].find("length")) {
                    if (r.integer(*length, gp + ".length", 1) != segment.length)
                        r.fail(gp + ".length", "disagrees with its grid (rows x columns)");
                }
            } else if (segment.modality == Modality::Text) {
                ++textSegments;
                if (!hasText)
                    r.fail(gp, "is a text segment but the manifest has no 'text' section");
                segment.length = r.integer(segments[g], "length", gp + ".length", 1);
                if (segment.length != m.text.maxLength)
                    r.fail(gp + ".length", "must equal text.max_length ("
                                               + std::to_string(m.text.maxLength) + "), not "
                                               + std::to_string(segment.length));
            } else {
                segment.length = r.integer(segments[g], "length", gp + ".length", 1);
            }
            if (segment.name.empty())
                segment.name = modalityName(segment.modality);
            if (segment.length > kMaxStreamTokens)
                r.fail(gp + ".length", "is " + std::to_string(segment.length) + " tokens; AttnScope explains at most "
                                           + std::to_string(kMaxStreamTokens) + " tokens in a stream");
            streamTokens += segment.length; // each term below kMaxStreamTokens: no overflow
            if (streamTokens > kMaxStreamTokens)
                r.fail(sp + ".segments", "add up to " + std::to_string(streamTokens) + " tokens; AttnScope explains at most "
                                             + std::to_string(kMaxStreamTokens) + " tokens in a stream");
            stream.segments.push_back(segment);
        }
        m.streams.push_back(stream);
    }
    if (imageSegments > 1 || textSegments > 1)
        r.fail("streams", "may hold at most one image segment and one text segment in all");
    if (imageSegments == 0 && textSegments == 0)
        r.fail("streams", "must hold an image or a text segment");
    if (hasText && textSegments == 0)
        r.fail("streams", "has no text segment although the manifest has a 'text' section");

    const auto &attentions = r.array(r.require(root, "attentions", "attentions"), "attentions", 1);
    for (size_t a = 0; a < attentions.size(); ++a) {
        const std::string ap = "attentions[" + std::to_string(a) + "]";
        r.object(attentions[a], ap);
        AttentionSpec spec;
        spec.layer = r.integer(attentions[a], "layer", ap + ".layer", 0);
        const std::string kind = r.string(attentions[a], "kind", ap + ".kind", std::string("self"));
        if (kind == "self")
            spec.kind = AttentionKind::Self;
        else if (kind == "cross")
            spec.kind = AttentionKind::Cross;
        else
            r.fail(ap + ".kind", "must be \"self\" or \"cross\", not \"" + kind + "\"");
        const std::string query = r.string(attentions[a], "query", ap + ".query");
        const std::string key = r.string(attentions[a], "key", ap + ".key", query);
        spec.queryStream = m.streamIndex(query);
        spec.keyStream = m.streamIndex(key);
        if (spec.queryStream < 0)
            r.fail(ap + ".query", "names an unknown stream \"" + query + "\"");
        if (spec.keyStream < 0)
            r.fail(ap + ".key", "names an unknown stream \"" + key + "\"");
        if (spec.kind == AttentionKind::Self && spec.queryStream != spec.keyStream)
            r.fail(ap, "is self-attention but its query and key streams differ");
        if (spec.kind == AttentionKind::Cross && spec.queryStream == spec.keyStream)
            r.fail(ap, "is cross-attention but its query and key streams are the same");
        m.attentions.push_back(spec);
    }

    const Json &decisionJson = r.require(root, "decision", "decision");
    std::vector<const Json *> decisionItems;
    if (decisionJson.isArray()) {
        for (const Json &item : r.array(decisionJson, "decision", 1))
            decisionItems.push_back(&item);
    } else {
        decisionItems.push_back(&decisionJson);
    }
    for (size_t i = 0; i < decisionItems.size(); ++i) {
        const std::string dp = decisionJson.isArray() ? "decision[" + std::to_string(i) + "]" : "decision";
        const Json &decision = r.object(*decisionItems[i], dp);
        const std::string streamName = r.string(decision, "stream", dp + ".stream");
        DecisionToken token;
        token.stream = m.streamIndex(streamName);
        if (token.stream < 0)
            r.fail(dp + ".stream", "names an unknown stream \"" + streamName + "\"");
        token.index = r.integer(decision, "index", dp + ".index", 0);
        if (token.index >= m.streams[static_cast<size_t>(token.stream)].length())
            r.fail(dp + ".index", "is past the end of stream \"" + streamName + "\"");
        for (const DecisionToken &other : m.decisions) {
            if (other.stream == token.stream)
                r.fail(dp, "is a second decision token in stream \"" + streamName + "\"; list at most one per stream");
        }
        m.decisions.push_back(token);
    }
    m.decisionStream = m.decisions.front().stream;
    m.decisionIndex = m.decisions.front().index;

    if (const Json *gates = root.find("gates")) {
        r.object(*gates, "gates");
        GateSpec spec;
        spec.output = r.string(*gates, "output", "gates.output");
        const auto &mods = r.array(r.require(*gates, "modalities", "gates.modalities"), "gates.modalities", 1);
        for (size_t i = 0; i < mods.size(); ++i)
            spec.modalities.push_back(r.modality(mods[i], "gates.modalities[" + std::to_string(i) + "]"));
        m.gates = spec;
    }
    if (const Json *inputs = root.find("attention_inputs")) {
        r.object(*inputs, "attention_inputs");
        AttentionInputsSpec spec;
        spec.queries = r.string(*inputs, "queries", "attention_inputs.queries");
        spec.keys = r.string(*inputs, "keys", "attention_inputs.keys");
        if (inputs->find("values"))
            spec.values = r.string(*inputs, "values", "attention_inputs.values");
        m.attentionInputs = spec;
    }
    return m;
}

Json Manifest::toJson() const
{
    Json root = Json::object();
    root.set("format", "attnscope-model/1");
    root.set("name", name);
    root.set("description", description);
    root.set("task", task == Task::Classification ? "classification" : "matching");
    if (task == Task::Classification) {
        Json l = Json::array();
        for (const auto &label : labels)
            l.push(label);
        root.set("labels", l);
    }
    Json img = Json::object();
    img.set("size", Json(Json::Array{image.height, image.width}));
    img.set("mean", Json(Json::Array{image.mean[0], image.mean[1], image.mean[2]}));
    img.set("std", Json(Json::Array{image.std[0], image.std[1], image.std[2]}));
    img.set("channel_order", image.rgbOrder ? "RGB" : "BGR");
    img.set("resize", image.resize);
    if (image.resize == "shortest_edge")
        img.set("crop_pct", image.cropPct);
    img.set("interpolation", image.interpolation);
    root.set("image", img);
    if (text.maxLength > 0) {
        Json t = Json::object();
        t.set("tokenizer", text.tokenizer);
        t.set("lowercase", text.lowercase);
        t.set("max_length", text.maxLength);
        Json v = Json::array();
        for (const auto &word : text.vocab)
            v.push(word);
        t.set("vocab", v);
        Json sp = Json::object();
        sp.set("pad", text.padToken);
        sp.set("unk", text.unkToken);
        sp.set("cls", text.clsToken);
        sp.set("sep", text.sepToken);
        t.set("special_tokens", sp);
        t.set("add_cls", text.addCls);
        t.set("add_sep", text.addSep);
        root.set("text", t);
    }
    Json ss = Json::array();
    for (const auto &stream : streams)
        ss.push(stream.toJson());
    root.set("streams", ss);
    Json as = Json::array();
    for (const auto &a : attentions) {
        Json j = Json::object();
        j.set("layer", a.layer);
        j.set("kind", a.kind == AttentionKind::Self ? "self" : "cross");
        j.set("query", streams[a.queryStream].name);
        j.set("key", streams[a.keyStream].name);
        as.push(j);
    }
    root.set("attentions", as);
    Json decisionList = Json::array();
    for (const DecisionToken &token : decisions) {
        Json d = Json::object();
        d.set("stream", streams[static_cast<size_t>(token.stream)].name);
        d.set("index", token.index);
        decisionList.push(d);
    }
    root.set("decision", decisions.size() == 1 ? decisionList.toArray().front() : decisionList);
    if (gates) {
        Json g = Json::object();
        g.set("output", gates->output);
        Json mods = Json::array();
        for (auto mod : gates->modalities)
            mods.push(modalityName(mod));
        g.set("modalities", mods);
        root.set("gates", g);
    }
    if (attentionInputs) {
        Json a = Json::object();
        a.set("queries", attentionInputs->queries);
        a.set("keys", attentionInputs->keys);
        if (!attentionInputs->values.empty())
            a.set("values", attentionInputs->values);
        root.set("attention_inputs", a);
    }
    return root;
}

int Manifest::streamIndex(const std::string &streamName) const
{
    for (size_t i = 0; i < streams.size(); ++i) {
        if (streams[i].name == streamName)
            return static_cast<int>(i);
    }
    return -1;
}

SegmentLocation Manifest::findModality(Modality modality) const
{
    for (size_t s = 0; s < streams.size(); ++s) {
        int offset = 0;
        for (size_t g = 0; g < streams[s].segments.size(); ++g) {
            if (streams[s].segments[g].modality == modality)
                return {static_cast<int>(s), static_cast<int>(g), offset};
            offset += streams[s].segments[g].length;
        }
    }
    return {};
}

DecisionToken Manifest::decisionFor(int stream) const
{
    for (const DecisionToken &token : decisions) {
        if (token.stream == stream)
            return token;
    }
    return decisions.front();
}

int Manifest::layerCount() const
{
    std::set<int> layers;
    for (const auto &a : attentions)
        layers.insert(a.layer);
    return static_cast<int>(layers.size());
}

} // namespace attnscope::core
