#include "core/engine/capturedrun_p.h"

#include "core/bundle/modelbundle_p.h"
#include "core/error.h"

#include <torch/csrc/autograd/autograd.h>

#include <algorithm>
#include <numeric>

namespace attnscope::core {

std::vector<int> Prediction::ranking() const
{
    std::vector<int> order(probabilities.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [this](int a, int b) { return probabilities[a] > probabilities[b]; });
    return order;
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

const std::vector<torch::Tensor> &CapturedRun::Impl::gradientsFor(int target)
{
    const auto cached = gradients.find(target);
    if (cached != gradients.end())
        return cached->second;
    const int64_t labels = logits.size(1);
    if (target < 0 || target >= labels)
        throw Error("target label " + std::to_string(target) + " is out of range (the model has "
                    + std::to_string(labels) + " labels)");
    if (!graph && bundle->impl().gradientsReachable.value_or(true))
        forward(true); // the same numbers again, this time with the graph
    if (!bundle->impl().gradientsReachable.value_or(false) || !logits.requires_grad())
        throw Error(bundle->path() + ": the attention maps this model returns are not on the path to "
                                     "its logits, so gradient-based methods cannot run; return the "
                                     "attention tensors that the model multiplies with its values");
    std::vector<torch::Tensor> grads;
    try {
        torch::AutoGradMode gradMode(true);
        grads = torch::autograd::grad({logits.select(0, 0).select(0, target)}, attentions, {},
                                      /*retain_graph=*/true, /*create_graph=*/false,
                                      /*allow_unused=*/true);
    } catch (const c10::Error &e) {
        throw Error(bundle->path() + ": computing gradients failed: " + e.what_without_backtrace());
    }
    std::vector<torch::Tensor> out;
    out.reserve(grads.size());
    for (size_t i = 0; i < grads.size(); ++i) {
        if (grads[i].defined())
            out.push_back(grads[i].detach().select(0, 0).to(torch::kFloat32));
        else
            out.push_back(torch::zeros_like(maps[i]));
    }
    return gradients.emplace(target, std::move(out)).first->second;
}

} // namespace attnscope::core
