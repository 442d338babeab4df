#include "core/io/explanationjson.h"

#include "core/engine/prediction.h"
#include "core/explain/attentionsinks.h"
#include "core/explain/explanation.h"
#include "core/explain/streamlayout.h"
#include "core/explain/modalityweights.h"
#include "core/explain/perturbationtest.h"
#include "core/text/tokenizer.h"

namespace attnscope::core {

Json ExplanationJson::sinks(const std::vector<AttentionSink> &sinks, const StreamLayout &layout)
{
    Json out = Json::array();
    for (const AttentionSink &s : sinks) {
        Json j = Json::object();
        j.set("label", layout.tokens()[static_cast<size_t>(layout.streamOffset(s.stream) + s.index)].label);
        j.set("stream", s.stream);
        j.set("index", s.index);
        j.set("sink", s.sink);
        j.set("register", s.registerToken);
        j.set("head_share", static_cast<double>(s.headShare));
        j.set("mean_attention", static_cast<double>(s.meanAttention));
        j.set("even_share", static_cast<double>(s.evenShare));
        out.push(j);
    }
    return out;
}

Json ExplanationJson::floats(const std::vector<float> &values)
{
    Json out = Json::array();
    for (float v : values)
        out.push(Json(static_cast<double>(v)));
    return out;
}

Json ExplanationJson::prediction(const Prediction &p, int top)
{
    Json out = Json::object();
    out.set("index", p.predicted);
    out.set("label", p.labels.empty() ? std::string() : p.labels[static_cast<size_t>(p.predicted)]);
    // A matching model's logit or cosine is no probability: named as what it is.
    const char *kind = p.score == Prediction::Score::Logit ? "logit" : p.score == Prediction::Score::Cosine ? "cosine"
                                                                                                        : "probability";
    const char *key = p.isProbability() ? "probability" : "score";
    out.set("score_kind", kind);
    if (p.multiLabel)
        out.set("multilabel", true); // each label's own sigmoid: they need not sum to 1
    out.set(key, static_cast<double>(p.probabilities[static_cast<size_t>(p.predicted)]));
    Json ranked = Json::array();
    const auto order = p.ranking();
    for (size_t i = 0; i < order.size() && static_cast<int>(i) < top; ++i) {
        Json item = Json::object();
        item.set("index", order[i]);
        item.set("label", p.labels[static_cast<size_t>(order[i])]);
        item.set(key, static_cast<double>(p.probabilities[static_cast<size_t>(order[i])]));
        ranked.push(item);
    }
    out.set("top", ranked);
    out.set("logits", floats(p.logits));
    if (!p.gates.empty())
        out.set("gates", floats(p.gates));
    return out;
}

Json ExplanationJson::explanation(const Explanation &e, bool withMatrix)
{
    Json out = Json::object();
    out.set("method", methodName(e.method));
    out.set("target", e.target);
    out.set("summary", e.summary);
    if (e.hasPatchScores()) {
        out.set("patch_grid", Json(Json::Array{e.gridRows, e.gridCols}));
        out.set("patch_scores", floats(e.patchScores));
    }
    if (e.hasTokenScores())
        out.set("token_scores", floats(e.tokenScores));
    out.set("layout_scores", floats(e.layoutScores));
    if (withMatrix && !e.matrix.empty()) {
        Json m = Json::object();
        m.set("rows", e.matrix.rows());
        m.set("cols", e.matrix.cols());
        m.set("row_offset", e.matrixRowOffset);
        m.set("col_offset", e.matrixColOffset);
        m.set("values", floats(e.matrix.values()));
        out.set("matrix", m);
    }
    return out;
}

Json ExplanationJson::modalityWeights(const ModalityWeights &w)
{
    Json out = Json::object();
    Json relevance = Json::object();
    relevance.set("image", static_cast<double>(w.relevanceImage));
    relevance.set("text", static_cast<double>(w.relevanceText));
    out.set("relevance_share", relevance);
    Json occlusion = Json::object();
    occlusion.set("probability", static_cast<double>(w.probability));
    occlusion.set("image_blanked", static_cast<double>(w.imageOccluded));
    occlusion.set("text_masked", static_cast<double>(w.textOccluded));
    occlusion.set("image_drop", static_cast<double>(w.probability - w.imageOccluded));
    occlusion.set("text_drop", static_cast<double>(w.probability - w.textOccluded));
    out.set("occlusion", occlusion);
    Json layers = Json::array();
    for (const auto &m : w.layers) {
        Json l = Json::object();
        l.set("layer", m.layer);
        l.set("mass", Json(Json::Array{Json(Json::Array{static_cast<double>(m.imageToImage), static_cast<double>(m.imageToText)}),
                                       Json(Json::Array{static_cast<double>(m.textToImage), static_cast<double>(m.textToText)})}));
        layers.push(l);
    }
    out.set("layer_mass", layers);
    out.set("layer_mass_order", "[[image->image, image->text], [text->image, text->text]]");
    if (!w.gates.empty()) {
        Json gates = Json::object();
        for (size_t i = 0; i < w.gates.size() && i < w.gateModalities.size(); ++i)
            gates.set(modalityName(w.gateModalities[i]), static_cast<double>(w.gates[i]));
        out.set("gates", gates);
    }
    return out;
}

Json ExplanationJson::curve(const PerturbationCurve &c)
{
    Json out = Json::object();
    out.set("modality", modalityName(c.modality));
    out.set("order", c.positive ? "positive" : "negative");
    out.set("fractions", floats(c.fractions));
    out.set("probabilities", floats(c.probabilities));
    out.set("auc", static_cast<double>(c.auc));
    return out;
}

Json ExplanationJson::tokens(const TokenizedText &text)
{
    Json out = Json::array();
    for (size_t i = 0; i < text.tokens.size(); ++i) {
        Json t = Json::object();
        t.set("text", text.tokens[i]);
        t.set("id", static_cast<int64_t>(text.ids[i]));
        t.set("mask", static_cast<int64_t>(text.mask[i]));
        t.set("special", text.special[i] != 0);
        if (text.unknown[i])
            t.set("unknown", true);
        out.push(t);
    }
    return out;
}

} // namespace attnscope::core
