#include "core/explain/explainer.h"

#include "core/explain/attentionsinks.h"

#include "core/bundle/modelbundle_p.h"
#include "core/engine/capturedrun_p.h"
#include "core/error.h"
#include "core/explain/attentionrollout.h"
#include "core/explain/genericrelevance.h"
#include "core/explain/gradweightedattention.h"
#include "core/explain/rawattention.h"
#include "core/explain/streamlayout.h"

#include <limits>

namespace attnscope::core {

const char *methodName(Method method)
{
    switch (method) {
    case Method::RawAttention: return "raw";
    case Method::Rollout: return "rollout";
    case Method::Relevance: return "relevance";
    case Method::GradCam: return "gradcam";
    }
    return "raw";
}

Method parseMethod(const std::string &name)
{
    for (Method m : allMethods()) {
        if (name == methodName(m))
            return m;
    }
    throw Error("unknown method \"" + name + "\": use raw, rollout, relevance or gradcam");
}

const char *headReductionName(HeadReduction reduction)
{
    switch (reduction) {
    case HeadReduction::Mean: return "mean";
    case HeadReduction::Max: return "max";
    case HeadReduction::Min: return "min";
    }
    return "mean";
}

HeadReduction parseHeadReduction(const std::string &name)
{
    for (HeadReduction r : {HeadReduction::Mean, HeadReduction::Max, HeadReduction::Min}) {
        if (name == headReductionName(r))
            return r;
    }
    throw Error("unknown head fusion \"" + name + "\": use mean, max or min");
}

std::vector<Method> allMethods()
{
    return {Method::RawAttention, Method::Rollout, Method::Relevance, Method::GradCam};
}

namespace {

Matrix toMatrix(const torch::Tensor &t)
{
    const torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    return Matrix(static_cast<int>(c.size(0)), static_cast<int>(c.size(1)),
                  std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel()));
}

std::vector<torch::Tensor> headWeightedOf(const std::vector<ReducedGradient> &gradients)
{
    std::vector<torch::Tensor> out;
    out.reserve(gradients.size());
    for (const ReducedGradient &g : gradients)
        out.push_back(g.headWeighted);
    return out;
}

/// The decision token's row of a [queries, keys] matrix; for a model that
/// pools by the mean of a segment, the mean of that segment's rows (the
/// decision is linear in them).
torch::Tensor decisionRow(const torch::Tensor &matrix, const DecisionToken &token)
{
    if (token.rule == DecisionToken::Rule::Mean)
        return matrix.narrow(0, token.index, token.count).mean(0);
    return matrix.select(0, token.index);
}

} // namespace

int Explainer::defaultAttention(const CapturedRun &run)
{
    const Manifest &m = run.manifest();
    const SegmentLocation image = m.findModality(Modality::Image);
    int lastFromDecision = -1;
    for (int i = static_cast<int>(m.attentions.size()) - 1; i >= 0; --i) {
        const AttentionSpec &a = m.attentions[static_cast<size_t>(i)];
        if (m.decisionFor(a.queryStream).stream != a.queryStream)
            continue; // no decision token reads this map
        if (lastFromDecision < 0)
            lastFromDecision = i;
        if (image.valid() && a.keyStream == image.stream)
            return i;
    }
    return lastFromDecision >= 0 ? lastFromDecision : static_cast<int>(m.attentions.size()) - 1;
}

Explanation Explainer::explain(CapturedRun &run, const MethodOptions &options)
{
    CapturedRun::Impl &d = run.impl();
    const Manifest &m = run.manifest();
    const TokenizedText &words = run.input().text;
    const StreamLayout layout(m, words);
    const int labels = static_cast<int>(run.prediction().probabilities.size());
    const int target = options.target < 0 ? run.prediction().predicted : options.target;
    if (target >= labels)
        throw Error("target label " + std::to_string(target) + " is out of range (the model has "
                    + std::to_string(labels) + " labels)");

    std::vector<int64_t> lengths;
    for (const auto &stream : m.streams)
        lengths.push_back(stream.length());

    Explanation e;
    e.method = options.method;
    e.target = target;
    std::vector<torch::Tensor> decisionRows(m.streams.size());
    const std::vector<AttentionSink> sinks = AttentionSinks::find(run); // one pass over the maps

    try {
        switch (options.method) {
        case Method::Rollout:
        case Method::Relevance: {
            if (options.method == Method::Rollout && !(options.discardRatio >= 0.0 && options.discardRatio < 1.0))
                throw Error("the discard ratio must be at least 0 and below 1");
            AttentionRollout::Options rollout;
            rollout.startLayer = options.startLayer;
            rollout.fusion = options.fusion;
            rollout.discardRatio = options.discardRatio;
            if (options.method == Method::Rollout && options.excludeSinks) {
                rollout.sinks.resize(m.streams.size());
                for (const AttentionSink &s : sinks)
                    rollout.sinks[static_cast<size_t>(s.stream)].push_back(s.index);
                e.sinksExcluded = true;
            }
            for (size_t q = 0; q < m.streams.size(); ++q) {
                const DecisionToken token = m.decisionFor(static_cast<int>(q), words);
                // A mean has no one cell for the discard ratio to keep.
                rollout.decisionIndex.push_back(token.stream == static_cast<int>(q) && token.rule != DecisionToken::Rule::Mean
                                                    ? token.index
                                                    : -1);
            }
            const StreamMatrices r = options.method == Method::Rollout
                ? AttentionRollout::propagate(lengths, m.attentions, d.maps, rollout)
                : GenericRelevance::propagate(lengths, m.attentions, headWeightedOf(d.gradientsFor(target)));
            for (size_t q = 0; q < m.streams.size(); ++q) {
                const DecisionToken token = m.decisionFor(static_cast<int>(q), words);
                decisionRows[q] = decisionRow(r.at(static_cast<size_t>(token.stream), q), token);
            }
            e.matrix = toMatrix(r.joined());
            break;
        }
        case Method::GradCam: {
            const auto &grads = d.gradientsFor(target);
            int last = -1;
            torch::Tensor lastMatrix;
            for (size_t k = 0; k < m.streams.size(); ++k) {
                const DecisionToken token = m.decisionFor(static_cast<int>(k), words);
                int index = -1;
                for (size_t i = 0; i < m.attentions.size(); ++i) {
                    if (m.attentions[i].queryStream == token.stream && m.attentions[i].keyStream == static_cast<int>(k))
                        index = static_cast<int>(i);
                }
                if (index < 0)
                    continue;
                const torch::Tensor w = GradWeightedAttention::compute(
                    d.maps[static_cast<size_t>(index)], grads[static_cast<size_t>(index)].gradientMeans);
                decisionRows[k] = decisionRow(w, token);
                if (index > last) {
                    last = index;
                    lastMatrix = w;
                }
            }
            if (last < 0)
                throw Error("the model returns no attention map read by a decision token");
            e.matrix = toMatrix(lastMatrix);
            e.matrixRowOffset = layout.streamOffset(m.attentions[static_cast<size_t>(last)].queryStream);
            e.matrixColOffset = layout.streamOffset(m.attentions[static_cast<size_t>(last)].keyStream);
            break;
        }
        case Method::RawAttention: {
            const int index = options.attention < 0 ? defaultAttention(run) : options.attention;
            if (index >= static_cast<int>(m.attentions.size()))
                throw Error("attention map " + std::to_string(index) + " does not exist (the model returns "
                            + std::to_string(m.attentions.size()) + ")");
            const AttentionSpec &spec = m.attentions[static_cast<size_t>(index)];
            const torch::Tensor a = RawAttention::reduce(d.maps[static_cast<size_t>(index)], options.head,
                                                         options.reduction);
            const DecisionToken token = m.decisionFor(spec.queryStream, words);
            if (token.stream == spec.queryStream)
                decisionRows[static_cast<size_t>(spec.keyStream)] = decisionRow(a, token);
            e.matrix = toMatrix(a);
            e.matrixRowOffset = layout.streamOffset(spec.queryStream);
            e.matrixColOffset = layout.streamOffset(spec.keyStream);
            break;
        }
        }
    } catch (const c10::Error &err) {
        rethrowTorchError(std::string(methodName(options.method)) + " failed: ", err);
    }

    for (const AttentionSink &s : sinks)
        e.sinkTokens.push_back(layout.streamOffset(s.stream) + s.index);
    e.layoutScores.assign(static_cast<size_t>(layout.size()), std::numeric_limits<float>::quiet_NaN());
    for (size_t q = 0; q < decisionRows.size(); ++q) {
        if (!decisionRows[q].defined())
            continue;
        const torch::Tensor row = decisionRows[q].detach().to(torch::kCPU, torch::kFloat32).contiguous();
        std::copy(row.data_ptr<float>(), row.data_ptr<float>() + row.numel(),
                  e.layoutScores.begin() + layout.streamOffset(static_cast<int>(q)));
    }
    const SegmentLocation image = m.findModality(Modality::Image);
    if (image.valid() && decisionRows[static_cast<size_t>(image.stream)].defined()) {
        const TokenSegment &segment = m.streams[static_cast<size_t>(image.stream)].segments[static_cast<size_t>(image.segment)];
        e.gridRows = segment.gridRows;
        e.gridCols = segment.gridCols;
        const auto begin = e.layoutScores.begin() + layout.streamOffset(image.stream) + image.offset;
        e.patchScores.assign(begin, begin + segment.length);
    }
    const SegmentLocation text = m.findModality(Modality::Text);
    if (text.valid() && decisionRows[static_cast<size_t>(text.stream)].defined()) {
        const int first = layout.streamOffset(text.stream) + text.offset;
        for (int i = 0; i < m.text.maxLength; ++i) {
            const LayoutToken &token = layout.tokens()[static_cast<size_t>(first + i)];
            // Special and padded positions get no score: [CLS] would otherwise
            // outshine every word with its own identity term.
            e.tokenScores.push_back(token.special ? 0.0f : e.layoutScores[static_cast<size_t>(first + i)]);
        }
    }
    const std::string label = target < static_cast<int>(m.labels.size()) ? m.labels[static_cast<size_t>(target)] : "?";
    e.summary = std::string(methodName(options.method)) + " for \"" + label + "\"";
    return e;
}

} // namespace attnscope::core
