#include "core/engine/inferenceengine.h"

#include "core/bundle/modelbundle_p.h"
#include "core/engine/capturedrun_p.h"
#include "core/error.h"

#include <algorithm>
#include <chrono>

namespace attnscope::core {

std::unique_ptr<CapturedRun> InferenceEngine::run(const std::shared_ptr<ModelBundle> &bundle,
                                                  const ModelInput &input, Gradients gradients)
{
    auto impl = std::make_unique<CapturedRun::Impl>();
    impl->bundle = bundle;
    impl->input = input;
    impl->forward(gradients == Gradients::Record);
    return std::make_unique<CapturedRun>(std::move(impl));
}

void CapturedRun::Impl::forward(bool recordGraph)
{
    ModelBundle::Impl &b = bundle->impl();
    const std::vector<int64_t> none;
    const bool hasText = b.manifest.text.maxLength > 0;
    const auto start = std::chrono::steady_clock::now();
    // Without the graph, no layer's activations outlive the layer: the
    // attention maps are all that stays. Grad mode off, not InferenceMode
    // (see targetProbabilities).
    torch::AutoGradMode gradMode(recordGraph);
    const ForwardInputs in = b.inputs({&input.pixels}, {hasText ? &input.text.ids : &none},
                                      {hasText ? &input.text.mask : &none}, {&input.text.typeIds});
    ForwardOutput out = recordGraph ? b.forwardWithGraph(in) : b.forward(in);
    b.checkOutputs(out.logits, out.attentions, "this input");
    forwardMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    graph = recordGraph;

    logits = out.logits.reshape({1, -1});
    attentions = out.attentions;
    gradientLeaves = out.gradientLeaves;
    maps.clear();
    for (const auto &a : out.attentions)
        maps.push_back(a.detach().select(0, 0).to(torch::kFloat32));
    extras.clear();
    for (const auto &[name, t] : out.extras)
        if (t.dim() > 0)
            extras[name] = t.detach().select(0, 0).to(torch::kFloat32);

    Prediction &p = prediction;
    p = Prediction{};
    const torch::Tensor l = logits.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    const torch::Tensor probs = b.probabilities(l).contiguous();
    p.logits.assign(l.data_ptr<float>(), l.data_ptr<float>() + l.numel());
    p.probabilities.assign(probs.data_ptr<float>(), probs.data_ptr<float>() + probs.numel());
    p.labels = b.manifest.labels;
    p.predicted = static_cast<int>(probs.argmax(1).item<int64_t>());
    if (b.manifest.task == Task::Matching)
        p.predicted = 0;
    p.multiLabel = b.manifest.task == Task::MultiLabel;
    if (b.manifest.task == Task::Matching && b.manifest.matchScore == MatchScore::Logit)
        p.score = Prediction::Score::Logit;
    if (b.manifest.task == Task::Matching && b.manifest.matchScore == MatchScore::Cosine)
        p.score = Prediction::Score::Cosine;
    if (b.manifest.gates) {
        const torch::Tensor g = out.extras.at(b.manifest.gates->output).detach()
                                    .select(0, 0).to(torch::kCPU, torch::kFloat32).contiguous();
        p.gates.assign(g.data_ptr<float>(), g.data_ptr<float>() + g.numel());
    }
}

std::vector<float> InferenceEngine::targetProbabilities(ModelBundle &bundle,
                                                        const std::vector<InputVariant> &variants,
                                                        int target, int batchSize)
{
    ModelBundle::Impl &b = bundle.impl();
    // NoGradGuard, not InferenceMode: the TorchScript executor keeps tensors
    // made under InferenceMode in its cached plans, and a later forward in
    // grad mode (a new run to explain) then fails on them.
    torch::NoGradGuard noGrad;
    std::vector<float> out;
    out.reserve(variants.size());
    const bool hasText = b.manifest.text.maxLength > 0;
    const std::vector<int64_t> none;
    // Batches small enough that each is a short pass: a cancel check comes
    // before each, and at 577 tokens a batch of 16 was 13 s of work. About 4
    // million attention cells per batch (a 197-token ViT-B: 8 inputs).
    double cells = 0.0;
    for (const AttentionSpec &a : b.manifest.attentions)
        cells += static_cast<double>(b.manifest.streams[static_cast<size_t>(a.queryStream)].length())
                 * b.manifest.streams[static_cast<size_t>(a.keyStream)].length();
    batchSize = std::clamp(static_cast<int>(4.0e6 / std::max(1.0, cells)), 1, std::max(1, batchSize));
    for (size_t first = 0; first < variants.size(); first += static_cast<size_t>(batchSize)) {
        const size_t last = std::min(variants.size(), first + static_cast<size_t>(batchSize));
        std::vector<const std::vector<float> *> pixels;
        std::vector<const std::vector<int64_t> *> ids, mask, typeIds;
        for (size_t i = first; i < last; ++i) {
            pixels.push_back(&variants[i].pixels);
            ids.push_back(hasText ? &variants[i].ids : &none);
            mask.push_back(hasText ? &variants[i].mask : &none);
            typeIds.push_back(&variants[i].typeIds);
        }
        ForwardOutput result = b.forward(b.inputs(pixels, ids, mask, typeIds));
        const torch::Tensor probs = b.probabilities(result.logits.to(torch::kFloat32))
                                        .select(1, target).to(torch::kCPU).contiguous();
        out.insert(out.end(), probs.data_ptr<float>(), probs.data_ptr<float>() + probs.numel());
    }
    return out;
}

} // namespace attnscope::core
