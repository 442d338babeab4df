#include "core/explain/modalityweights.h"

#include "core/engine/capturedrun_p.h"
#include "core/bundle/modelbundle.h"
#include "core/bundle/modelbundle_p.h"
#include "core/engine/inferenceengine.h"
#include "core/explain/explanation.h"
#include "core/explain/perturbationtest.h"
#include "core/explain/streamlayout.h"

#include <array>
#include <map>

namespace attnscope::core {

namespace {

/// Per token of a stream: 0 image, 1 text, -1 left out.
torch::Tensor modalityMask(const StreamLayout &layout, int stream, int modality)
{
    const int offset = layout.streamOffset(stream), length = layout.streamLength(stream);
    torch::Tensor mask = torch::zeros({length}, torch::kFloat32);
    for (int i = 0; i < length; ++i) {
        const LayoutToken &t = layout.tokens()[static_cast<size_t>(offset + i)];
        const int code = t.special || t.padding ? -1 : t.modality == Modality::Image ? 0 : 1;
        mask[i] = code == modality ? 1.0f : 0.0f;
    }
    return mask;
}

} // namespace

ModalityWeights ModalityWeights::compute(CapturedRun &run, int target, const Explanation *relevance)
{
    try {
        return computeWeights(run, target, relevance);
    } catch (const c10::Error &e) {
        rethrowTorchError("the modality weights could not be computed: ", e);
    }
}

ModalityWeights ModalityWeights::computeWeights(CapturedRun &run, int target, const Explanation *relevance)
{
    ModalityWeights w;
    CapturedRun::Impl &d = run.impl();
    const Manifest &m = run.manifest();
    const StreamLayout layout(m, run.input().text);

    if (relevance) {
        double image = 0.0, text = 0.0;
        for (float v : relevance->patchScores)
            image += v;
        for (float v : relevance->tokenScores)
            text += v;
        if (image + text > 0.0) {
            w.relevanceImage = static_cast<float>(image / (image + text));
            w.relevanceText = static_cast<float>(text / (image + text));
        }
    }

    // mass[layer][query modality][key modality]
    std::map<int, std::array<std::array<double, 2>, 2>> mass;
    for (size_t i = 0; i < m.attentions.size(); ++i) {
        const AttentionSpec &spec = m.attentions[i];
        const torch::Tensor a = d.maps[i].mean(0).to(torch::kCPU);
        auto &layer = mass[spec.layer];
        for (int qm = 0; qm < 2; ++qm) {
            const torch::Tensor qmask = modalityMask(layout, spec.queryStream, qm);
            for (int km = 0; km < 2; ++km) {
                const torch::Tensor kmask = modalityMask(layout, spec.keyStream, km);
                layer[qm][km] += torch::matmul(qmask, torch::matmul(a, kmask)).item<double>();
            }
        }
    }
    for (const auto &[layerNumber, layer] : mass) {
        ModalityMass mm;
        mm.layer = layerNumber;
        const double imageRow = layer[0][0] + layer[0][1];
        const double textRow = layer[1][0] + layer[1][1];
        if (imageRow > 0) {
            mm.imageToImage = static_cast<float>(layer[0][0] / imageRow);
            mm.imageToText = static_cast<float>(layer[0][1] / imageRow);
        }
        if (textRow > 0) {
            mm.textToImage = static_cast<float>(layer[1][0] / textRow);
            mm.textToText = static_cast<float>(layer[1][1] / textRow);
        }
        w.layers.push_back(mm);
    }

    // Occlusion: the whole image blanked, every word masked.
    const ModelInput &input = run.input();
    std::vector<InputVariant> variants;
    variants.push_back(InputVariant{input.pixels, input.text.ids, input.text.mask, input.text.typeIds});
    std::vector<int> patches;
    const SegmentLocation image = m.findModality(Modality::Image);
    if (image.valid()) {
        const int n = m.streams[static_cast<size_t>(image.stream)].segments[static_cast<size_t>(image.segment)].length;
        for (int i = 0; i < n; ++i)
            patches.push_back(i);
        variants.push_back(PerturbationTest::remove(m, input, Modality::Image, patches));
    }
    const bool hasText = m.findModality(Modality::Text).valid();
    if (hasText) {
        std::vector<int> words;
        for (size_t i = 0; i < input.text.mask.size(); ++i) {
            if (input.text.mask[i] != 0 && input.text.special[i] == 0)
                words.push_back(static_cast<int>(i));
        }
        variants.push_back(PerturbationTest::remove(m, input, Modality::Text, words));
    }
    const std::vector<float> p = InferenceEngine::targetProbabilities(*d.bundle, variants, target);
    size_t next = 0;
    w.probability = p[next++];
    if (image.valid())
        w.imageOccluded = p[next++];
    if (hasText)
        w.textOccluded = p[next++];

    if (m.gates) {
        w.gateModalities = m.gates->modalities;
        w.gates = run.prediction().gates;
    }
    return w;
}

} // namespace attnscope::core
