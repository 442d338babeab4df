#include "core/bundle/manifest.h"

#include "core/bundle/manifestsections.h"
#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace attnscope::core {

const char *taskName(Task task)
{
    switch (task) {
    case Task::Classification: return "classification";
    case Task::MultiLabel: return "multilabel";
    case Task::Matching: return "matching";
    }
    return "classification";
}

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

/// A decision token given by rule (version 2): the stream must hold the text.
void parseDecisionRule(const ManifestReader &r, const Json &decision, const std::string &dp, const Manifest &m,
                       DecisionToken &token)
{
    const std::string rule = r.string(decision, "rule", dp + ".rule");
    if (m.format != 2)
        r.fail(dp + ".rule", "needs \"format\": \"attnscope-model/2\"");
    if (decision.contains("index"))
        r.fail(dp, "gives both an index and a rule; a rule finds the index in each input");
    if (rule == "first_id") {
        token.rule = DecisionToken::Rule::FirstId;
        const Json &id = r.require(decision, "id", dp + ".id");
        token.id = r.integer(id, dp + ".id", 0);
    } else if (rule == "last_real") {
        token.rule = DecisionToken::Rule::LastReal;
    } else if (rule == "mean") {
        // The model pools a segment (its patches) by their mean: each method
        // reads the mean of that segment's rows.
        token.rule = DecisionToken::Rule::Mean;
        token.segment = r.string(decision, "segment", dp + ".segment");
        int offset = 0;
        for (const TokenSegment &segment : m.streams[static_cast<size_t>(token.stream)].segments) {
            if (segment.name == token.segment) {
                token.index = offset;
                token.count = segment.length;
                return;
            }
            offset += segment.length;
        }
        r.fail(dp + ".segment", "names no segment of stream \"" + m.streams[static_cast<size_t>(token.stream)].name
                                    + "\": \"" + token.segment + "\"");
    } else {
        r.fail(dp + ".rule", "must be \"first_id\" (with \"id\"), \"last_real\" or \"mean\" (with \"segment\"), not \""
                                 + rule + "\"");
    }
    bool hasText = false;
    for (const TokenSegment &segment : m.streams[static_cast<size_t>(token.stream)].segments)
        hasText = hasText || segment.modality == Modality::Text;
    if (!hasText)
        r.fail(dp + ".rule", "finds its token in the text, but stream \""
                                 + m.streams[static_cast<size_t>(token.stream)].name + "\" holds no text segment");
}

} // namespace

Manifest Manifest::parse(const std::string &text, const std::string &source)
{
    const Json root = Json::parse(text, source + ": manifest attnscope.json");
    const ManifestReader r(source);
    r.object(root, "(top level)");
    Manifest m;

    if (const Json *format = root.find("format")) {
        if (format->isString() && format->toString() == "attnscope-model/2")
            m.format = 2;
        else if (!format->isString() || format->toString() != "attnscope-model/1")
            r.fail("format", "must be \"attnscope-model/1\" or \"attnscope-model/2\"; this AttnScope reads versions 1 and 2");
    }
    m.name = r.string(root, "name", "name");
    m.description = r.string(root, "description", "description", std::string());
    const std::string task = r.string(root, "task", "task");
    if (task == "classification")
        m.task = Task::Classification;
    else if (task == "matching")
        m.task = Task::Matching;
    else if (task == "multilabel" && m.format == 2)
        m.task = Task::MultiLabel;
    else
        r.fail("task", "must be \"classification\" or \"matching\" (or, in version 2, \"multilabel\"), not \"" + task
                           + "\"");
    if (m.task == Task::Matching && m.format == 2) {
        const std::string score = r.string(root, "score", "score");
        if (score == "logit")
            m.matchScore = MatchScore::Logit;
        else if (score == "probability")
            m.matchScore = MatchScore::Probability;
        else if (score == "cosine")
            m.matchScore = MatchScore::Cosine;
        else
            r.fail("score", "must be \"logit\" (e.g. CLIP's 100 x cosine), \"probability\" or \"cosine\", not \"" + score
                                + "\"");
    } else if (root.contains("score")) {
        r.fail("score", "belongs to a version 2 matching model (\"task\": \"matching\")");
    }

    if (m.task != Task::Matching) {
        const auto &labels = r.array(r.require(root, "labels", "labels"), "labels", 1);
        for (size_t i = 0; i < labels.size(); ++i) {
            if (!labels[i].isString())
                r.fail("labels[" + std::to_string(i) + "]", "must be a string");
            m.labels.push_back(labels[i].toString());
        }
    } else {
        m.labels = {"match"};
    }

    if (m.format == 2)
        m.inputs = parseInputsSection(r, r.require(root, "inputs", "inputs"));
    else if (root.contains("inputs"))
        r.fail("inputs", "needs \"format\": \"attnscope-model/2\" (version 1 models take image, input_ids and attention_mask)");
    if (m.takesImage())
        m.image = parseImageSection(r, r.require(root, "image", "image"));
    else if (root.contains("image"))
        r.fail("image", "describes an image, but \"inputs\" has no \"image\": list it, or leave the section out");
    const bool hasText = root.contains("text");
    if (hasText)
        m.text = parseTextSection(r, *root.find("text"), m.format);
    if (m.format == 2 && hasText != m.takesText())
        r.fail(hasText ? "inputs" : "text", hasText ? "has no \"input_ids\" although the manifest has a 'text' section"
                                                    : "is missing: \"inputs\" lists input_ids, so the manifest must say how "
                                                      "text becomes them");

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
                if (!m.takesImage())
                    r.fail(gp, "is an image segment but the model takes no image (\"inputs\" has no \"image\")");
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
    if (m.format == 2 && m.takesImage() && imageSegments == 0)
        r.fail("streams", "has no image segment although the model takes an image: AttnScope could not show "
                          "where in the image it looked");
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
        if (decision.contains("rule"))
            parseDecisionRule(r, decision, dp, m, token);
        else
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
    root.set("format", format == 2 ? "attnscope-model/2" : "attnscope-model/1");
    root.set("name", name);
    root.set("description", description);
    root.set("task", taskName(task));
    if (task == Task::Matching && format == 2) {
        const char *scores[] = {"sigmoid", "logit", "probability", "cosine"};
        root.set("score", scores[static_cast<int>(matchScore)]);
    }
    if (task != Task::Matching) {
        Json l = Json::array();
        for (const auto &label : labels)
            l.push(label);
        root.set("labels", l);
    }
    if (format == 2)
        root.set("inputs", inputsJson());
    Json img = Json::object();
    img.set("size", Json(Json::Array{image.height, image.width}));
    img.set("mean", Json(Json::Array{image.mean[0], image.mean[1], image.mean[2]}));
    img.set("std", Json(Json::Array{image.std[0], image.std[1], image.std[2]}));
    img.set("channel_order", image.rgbOrder ? "RGB" : "BGR");
    img.set("resize", image.resize);
    if (image.resize == "shortest_edge")
        img.set("crop_pct", image.cropPct);
    img.set("interpolation", image.interpolation);
    if (takesImage())
        root.set("image", img);
    if (text.subword()) {
        Json t = Json::object();
        t.set("tokenizer", text.tokenizer);
        t.set("file", text.file);
        if (!text.mergesFile.empty())
            t.set("merges_file", text.mergesFile);
        if (text.tokenizer == "wordpiece")
            t.set("lowercase", text.lowercase);
        t.set("max_length", text.maxLength);
        t.set("pair", text.pair);
        root.set("text", t);
    } else if (text.maxLength > 0) {
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
    for (const DecisionToken &token : decisions)
        decisionList.push(decisionJson(token));
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

Json Manifest::decisionJson(const DecisionToken &token) const
{
    Json d = Json::object();
    d.set("stream", streams[static_cast<size_t>(token.stream)].name);
    if (token.rule == DecisionToken::Rule::Index)
        d.set("index", token.index);
    else
        d.set("rule", token.rule == DecisionToken::Rule::FirstId ? "first_id"
                      : token.rule == DecisionToken::Rule::Mean  ? "mean"
                                                                  : "last_real");
    if (token.rule == DecisionToken::Rule::FirstId)
        d.set("id", token.id);
    if (token.rule == DecisionToken::Rule::Mean)
        d.set("segment", token.segment);
    return d;
}

std::string Manifest::describeDecision(const DecisionToken &token) const
{
    const std::string stream = " of stream " + streams[static_cast<size_t>(token.stream)].name;
    switch (token.rule) {
    case DecisionToken::Rule::FirstId: return "the first token with id " + std::to_string(token.id) + stream;
    case DecisionToken::Rule::LastReal: return "the last real (not padding) token" + stream;
    case DecisionToken::Rule::Mean:
        return "the mean of the " + std::to_string(token.count) + " tokens of segment " + token.segment + stream;
    case DecisionToken::Rule::Index: break;
    }
    return "token " + std::to_string(token.index) + stream;
}

Json Manifest::inputsJson() const
{
    Json out = Json::array();
    for (const std::string &input : inputs)
        out.push(input);
    return out;
}

bool Manifest::takes(const std::string &input) const
{
    return std::find(inputs.begin(), inputs.end(), input) != inputs.end();
}

bool Manifest::readsImage() const { return takesImage() && findModality(Modality::Image).valid(); }

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

DecisionToken Manifest::decisionFor(int stream, const TokenizedText &text) const
{
    DecisionToken token = decisionFor(stream);
    if (token.rule == DecisionToken::Rule::Index || token.rule == DecisionToken::Rule::Mean)
        return token;
    int offset = 0;
    for (const TokenSegment &segment : streams[static_cast<size_t>(token.stream)].segments) {
        if (segment.modality == Modality::Text)
            break;
        offset += segment.length;
    }
    int found = -1;
    for (size_t i = 0; i < text.ids.size(); ++i) {
        const bool real = i < text.mask.size() && text.mask[i] != 0;
        if (token.rule == DecisionToken::Rule::FirstId && text.ids[i] == token.id) {
            found = static_cast<int>(i);
            break;
        }
        if (token.rule == DecisionToken::Rule::LastReal && real)
            found = static_cast<int>(i);
    }
    if (found < 0)
        throw Error(token.rule == DecisionToken::Rule::FirstId
                        ? "the model reads its decision at the first token with id " + std::to_string(token.id)
                              + ", and this text has none (was it cut off?)"
                        : "the model reads its decision at the last real token, and this text has none");
    token.index = offset + found;
    return token;
}

int Manifest::layerCount() const
{
    std::set<int> layers;
    for (const auto &a : attentions)
        layers.insert(a.layer);
    return static_cast<int>(layers.size());
}

} // namespace attnscope::core
