#include "core/bundle/modeldescription.h"

#include "core/bundle/modelbundle.h"
#include "core/text/subwordtokenizer.h"

namespace attnscope::core {

Json ModelDescription::of(const ModelBundle &bundle)
{
    const Manifest &m = bundle.manifest();
    const std::vector<int> &heads = bundle.headCounts();
    Json out = Json::object();
    out.set("path", bundle.path());
    out.set("name", m.name);
    out.set("description", m.description);
    out.set("task", taskName(m.task));
    out.set("device", bundle.deviceName());
    out.set("layers", m.layerCount());
    Json labels = Json::array();
    for (const auto &label : m.labels)
        labels.push(label);
    out.set("labels", labels);
    out.set("format", m.format);
    out.set("inputs", m.inputsJson());
    out.set("image_size", m.takesImage() ? Json(Json::Array{m.image.height, m.image.width}) : Json(nullptr));
    if (m.text.maxLength > 0) {
        out.set("tokenizer", m.text.tokenizer);
        if (const auto *subword = dynamic_cast<const SubwordTokenizer *>(m.text.loaded.get())) {
            out.set("tokenizer_file", m.text.file);
            out.set("tokenizer_description", subword->description());
            out.set("vocabulary_size", static_cast<int64_t>(subword->model().vocabulary().size()));
        } else {
            out.set("vocabulary_size", static_cast<int>(m.text.vocab.size()));
        }
        out.set("max_text_length", m.text.maxLength);
        out.set("text_pair", m.text.pair);
    }
    Json streams = Json::array();
    for (const auto &stream : m.streams) {
        Json s = stream.toJson();
        s.set("length", stream.length());
        streams.push(s);
    }
    out.set("streams", streams);
    Json attentions = Json::array();
    for (size_t i = 0; i < m.attentions.size(); ++i) {
        const auto &a = m.attentions[i];
        Json j = Json::object();
        j.set("layer", a.layer);
        j.set("kind", a.kind == AttentionKind::Self ? "self" : "cross");
        j.set("query", m.streams[a.queryStream].name);
        j.set("key", m.streams[a.keyStream].name);
        j.set("heads", i < heads.size() ? heads[i] : 0);
        attentions.push(j);
    }
    out.set("attentions", attentions);
    Json decisions = Json::array();
    for (const DecisionToken &token : m.decisions)
        decisions.push(m.decisionJson(token));
    out.set("decision", decisions);
    if (m.gates) {
        Json gates = Json::array();
        for (auto modality : m.gates->modalities)
            gates.push(modalityName(modality));
        out.set("gates", gates);
    }
    out.set("gradients_reachable", bundle.gradientsReachable());
    out.set("valid", true);
    Json notes = Json::array();
    for (const std::string &note : bundle.notes())
        notes.push(note);
    out.set("notes", notes);
    return out;
}

} // namespace attnscope::core
