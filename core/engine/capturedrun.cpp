#include "core/engine/capturedrun_p.h"

#include "core/bundle/modelbundle_p.h"
#include "core/error.h"
#include "core/explain/streamlayout.h"

#include <torch/csrc/autograd/autograd.h>

#include <algorithm>
#include <cstdio>
#include <numeric>

namespace attnscope::core {

namespace {
/// What a hook throws to end the backward pass when the work is cancelled.
constexpr const char *kCancelledInBackward = "attnscope: cancelled in the backward pass";
} // namespace

std::vector<int> Prediction::ranking() const
{
    std::vector<int> order(probabilities.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [this](int a, int b) { return probabilities[a] > probabilities[b]; });
    return order;
}

std::string Prediction::formatScore(float value) const
{
    char text[64];
    switch (score) {
    case Score::Probability: std::snprintf(text, sizeof text, "%.1f%%", 100.0 * value); break;
    case Score::Logit: std::snprintf(text, sizeof text, "logit %.2f", static_cast<double>(value)); break;
    case Score::Cosine: std::snprintf(text, sizeof text, "cosine %.3f", static_cast<double>(value)); break;
    }
    return text;
}

CapturedRun::CapturedRun(std::unique_ptr<Impl> impl)
    : d(std::move(impl))
{
}

CapturedRun::~CapturedRun() = default;

const ModelBundle &CapturedRun::bundle() const { return *d->bundle; }
const Manifest &CapturedRun::manifest() const { return d->bundle->manifest(); }
const ModelInput &CapturedRun::input() const { return d->input; }
const Prediction &CapturedRun::prediction() const { return d->prediction; }
double CapturedRun::forwardMilliseconds() const { return d->forwardMs; }

std::vector<int> CapturedRun::headCounts() const
{
    std::vector<int> counts;
    for (const torch::Tensor &map : d->maps)
        counts.push_back(static_cast<int>(map.size(0)));
    return counts;
}

bool CapturedRun::hasMaps() const
{
    return d->maps.size() == manifest().attentions.size();
}

std::vector<torch::Tensor> CapturedRun::Impl::realTokensOfStreams() const
{
    const StreamLayout layout(bundle->manifest(), input.text);
    std::vector<torch::Tensor> out;
    for (int s = 0; s < layout.streamCount(); ++s) {
        const int offset = layout.streamOffset(s), length = layout.streamLength(s);
        std::vector<float> real(static_cast<size_t>(length));
        for (int i = 0; i < length; ++i)
            real[static_cast<size_t>(i)] = layout.tokens()[static_cast<size_t>(offset + i)].padding ? 0.0f : 1.0f;
        out.push_back(torch::tensor(real));
    }
    return out;
}

void CapturedRun::Impl::hookAttentions()
{
    const std::vector<torch::Tensor> real = realTokensOfStreams();
    const auto &specs = bundle->manifest().attentions;
    for (size_t i = 0; i < attentions.size(); ++i) {
        if (!attentions[i].requires_grad())
            continue;
        // Runs on the thread of the backward pass, inside gradientsFor (the
        // only backward pass of this graph); each hook writes only its own
        // map's slot.
        const torch::Tensor queries = real[static_cast<size_t>(specs[i].queryStream)].to(maps[i].device());
        const torch::Tensor keys = real[static_cast<size_t>(specs[i].keyStream)].to(maps[i].device());
        attentions[i].register_hook([this, i, queries, keys](const torch::Tensor &grad) {
            if (!sink)
                return;
            // A map at a time through the backward pass: stop here when asked
            // (the exception ends the pass; gradientsFor turns it back).
            if (bundle->impl().cancelled && bundle->impl().cancelled())
                throw std::runtime_error(kCancelledInBackward);
            (*sink)[i] = ReducedGradient::reduce(maps[i], grad.detach().select(0, 0), queries, keys);
        });
    }
}

const std::vector<ReducedGradient> &CapturedRun::Impl::gradientsFor(int target)
{
    const auto cached = gradients.find(target);
    if (cached != gradients.end())
        return cached->second;
    const int64_t labels = logits.size(1);
    if (target < 0 || target >= labels)
        throw Error("target label " + std::to_string(target) + " is out of range (the model has "
                    + std::to_string(labels) + " labels)");
    if (!graph && bundle->impl().gradientsReachable.value_or(true)) {
        // The same numbers again, this time with the graph. The maps without
        // it go first (at 2,048 tokens they are gigabytes); should the run
        // with the graph fail, the run without it is made again.
        logits = torch::Tensor();
        attentions.clear();
        maps.clear();
        extras.clear();
        try {
            forward(true);
        } catch (...) {
            forward(false);
            throw;
        }
    }
    if (!bundle->impl().gradientsReachable.value_or(false) || !logits.requires_grad())
        throw Error(bundle->path() + ": the attention maps this model returns are not on the path to "
                                     "its logits, so gradient-based methods cannot run; return the "
                                     "attention tensors that the model multiplies with its values");
    // The backward pass is asked for the gradients of a few small leaves
    // only (see ModelBundle::Impl::forwardWithGraph); on its way it passes
    // every map, whose hook keeps the reduced gradient. Asking for the maps'
    // gradients instead would hold all of them, full size, until the pass
    // ends. The pass frees each layer's part of the graph once through it,
    // so the graph is gone afterwards: another target runs the model again.
    std::vector<ReducedGradient> reduced(attentions.size());
    graph = false;
    {
        // The hooks stay on the maps after the pass; they write only while
        // `sink` points at this call's results.
        struct SinkReset
        {
            std::vector<ReducedGradient> *&sink;
            ~SinkReset() { sink = nullptr; }
        } reset{sink};
        sink = &reduced;
        try {
            hookAttentions();
            torch::AutoGradMode gradMode(true);
            if (!gradientLeaves.empty())
                torch::autograd::grad({logits.select(0, 0).select(0, target)}, gradientLeaves, {},
                                      /*retain_graph=*/false, /*create_graph=*/false, /*allow_unused=*/true);
        } catch (const c10::Error &e) {
            if (std::string(e.what_without_backtrace()).find(kCancelledInBackward) != std::string::npos)
                throw Error("stopped before it finished", Error::Kind::Cancelled);
            throw Error(bundle->path() + ": computing gradients failed: " + e.what_without_backtrace());
        } catch (const std::exception &e) {
            if (std::string(e.what()).find(kCancelledInBackward) != std::string::npos)
                throw Error("stopped before it finished", Error::Kind::Cancelled);
            throw;
        }
    }
    for (size_t i = 0; i < reduced.size(); ++i) {
        if (!reduced[i].headWeighted.defined())
            reduced[i] = ReducedGradient::zeros(maps[i]);
    }
    return gradients.emplace(target, std::move(reduced)).first->second;
}

} // namespace attnscope::core
