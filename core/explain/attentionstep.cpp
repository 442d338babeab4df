#include "core/explain/attentionstep.h"

#include "core/engine/capturedrun_p.h"
#include "core/error.h"
#include "core/explain/streamlayout.h"

#include <cmath>
#include <limits>

namespace attnscope::core {

namespace {

std::vector<float> toVector(const torch::Tensor &t)
{
    const torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

} // namespace

AttentionStep AttentionStep::compute(CapturedRun &run, int map, int head, int query)
{
    CapturedRun::Impl &d = run.impl();
    const Manifest &m = run.manifest();
    if (map < 0 || map >= static_cast<int>(d.maps.size()))
        throw Error("attention map " + std::to_string(map) + " does not exist");
    const torch::Tensor &a = d.maps[static_cast<size_t>(map)]; // [heads, q, k]
    if (head < 0 || head >= a.size(0))
        throw Error("head " + std::to_string(head) + " does not exist (this map has " + std::to_string(a.size(0)) + ")");
    if (query < 0 || query >= a.size(1))
        throw Error("query " + std::to_string(query) + " does not exist (this map has " + std::to_string(a.size(1))
                    + " queries)");
    const AttentionSpec &spec = m.attentions[static_cast<size_t>(map)];
    const StreamLayout layout(m, run.input().text);

    AttentionStep s;
    s.map = map;
    s.head = head;
    s.query = query;
    const int keyOffset = layout.streamOffset(spec.keyStream);
    const int64_t nk = a.size(2);
    for (int64_t k = 0; k < nk; ++k) {
        const LayoutToken &t = layout.tokens()[static_cast<size_t>(keyOffset + k)];
        s.keys.push_back(t.label);
        s.masked.push_back(t.padding);
    }
    s.returned = toVector(a.select(0, head).select(0, query));

    const float nan = std::numeric_limits<float>::quiet_NaN();
    try {
        const AttentionInputsSpec *inputs = m.attentionInputs ? &*m.attentionInputs : nullptr;
        const auto q = inputs ? d.extras.find(inputs->name(inputs->queries, static_cast<size_t>(map))) : d.extras.end();
        const auto kk = inputs ? d.extras.find(inputs->name(inputs->keys, static_cast<size_t>(map))) : d.extras.end();
        if (inputs && q != d.extras.end() && kk != d.extras.end()) {
            s.fromModel = true;
            const torch::Tensor qv = q->second.select(0, head).select(0, query);   // [d]
            const torch::Tensor keys = kk->second.select(0, head);                   // [nk, d]
            s.headWidth = static_cast<int>(qv.size(0));
            s.scale = 1.0f / std::sqrt(static_cast<float>(s.headWidth));
            s.queryVector = toVector(qv);
            s.keyVectors = toVector(keys);
            s.scores = toVector(torch::mv(keys, qv) * s.scale);
        } else {
            // Only the weights: ln a gives the scores up to a constant of the row.
            s.scores = s.returned;
            for (float &v : s.scores)
                v = v > 0.0f ? std::log(v) : -std::numeric_limits<float>::infinity();
        }
        // Softmax over the keys the mask lets through, in double for the teaching numbers.
        double top = -std::numeric_limits<double>::infinity();
        for (int64_t k = 0; k < nk; ++k) {
            if (s.masked[static_cast<size_t>(k)])
                s.scores[static_cast<size_t>(k)] = nan;
            else
                top = std::max(top, static_cast<double>(s.scores[static_cast<size_t>(k)]));
        }
        double sum = 0.0;
        std::vector<double> e(static_cast<size_t>(nk), 0.0);
        for (int64_t k = 0; k < nk; ++k) {
            if (!s.masked[static_cast<size_t>(k)]) {
                e[static_cast<size_t>(k)] = std::exp(static_cast<double>(s.scores[static_cast<size_t>(k)]) - top);
                sum += e[static_cast<size_t>(k)];
            }
        }
        s.maxScore = static_cast<float>(top);
        s.expSum = sum;
        for (int64_t k = 0; k < nk; ++k) {
            s.exps.push_back(static_cast<float>(e[static_cast<size_t>(k)]));
            const float w = sum > 0.0 ? static_cast<float>(e[static_cast<size_t>(k)] / sum) : 0.0f;
            s.weights.push_back(w);
            s.maxDifference = std::max(s.maxDifference, std::abs(w - s.returned[static_cast<size_t>(k)]));
        }
        if (s.fromModel && !inputs->values.empty()) {
            const auto v = d.extras.find(inputs->name(inputs->values, static_cast<size_t>(map)));
            if (v != d.extras.end()) {
                const torch::Tensor w = torch::tensor(s.weights);
                s.output = toVector(torch::mv(v->second.select(0, head).transpose(0, 1).to(torch::kCPU), w));
            }
        }
    } catch (const c10::Error &e) {
        throw Error(std::string("the attention step failed: ") + e.what_without_backtrace());
    }
    return s;
}

} // namespace attnscope::core
