#include "core/explain/perturbationtest.h"

#include "core/bundle/modelbundle.h"
#include "core/engine/inferenceengine.h"
#include "core/engine/modelinput.h"
#include "core/error.h"
#include "core/explain/explanation.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace attnscope::core {

InputVariant PerturbationTest::remove(const Manifest &manifest, const ModelInput &input, Modality modality,
                                      const std::vector<int> &indices)
{
    InputVariant v{input.pixels, input.text.ids, input.text.mask, input.text.typeIds};
    if (modality == Modality::Image) {
        const SegmentLocation loc = manifest.findModality(Modality::Image);
        if (!loc.valid())
            return v;
        const TokenSegment &segment = manifest.streams[static_cast<size_t>(loc.stream)].segments[static_cast<size_t>(loc.segment)];
        const int height = manifest.image.height, width = manifest.image.width;
        const int ph = height / segment.gridRows, pw = width / segment.gridCols;
        const size_t plane = static_cast<size_t>(height) * width;
        for (int index : indices) {
            const int r = index / segment.gridCols, c = index % segment.gridCols;
            for (int ch = 0; ch < 3; ++ch) {
                for (int y = r * ph; y < (r + 1) * ph; ++y) {
                    float *row = v.pixels.data() + ch * plane + static_cast<size_t>(y) * width;
                    std::fill(row + c * pw, row + (c + 1) * pw, 0.0f);
                }
            }
        }
    } else if (modality == Modality::Text) {
        const int64_t padId = manifest.text.padId;
        for (int index : indices) {
            v.mask[static_cast<size_t>(index)] = 0;
            v.ids[static_cast<size_t>(index)] = padId;
        }
    }
    return v;
}

float PerturbationTest::area(const std::vector<float> &fractions, const std::vector<float> &values)
{
    double total = 0.0;
    for (size_t i = 1; i < fractions.size() && i < values.size(); ++i)
        total += 0.5 * (static_cast<double>(values[i]) + values[i - 1]) * (fractions[i] - fractions[i - 1]);
    return static_cast<float>(total);
}

PerturbationCurve PerturbationTest::run(ModelBundle &bundle, const ModelInput &input, int target,
                                        const Explanation &explanation, Modality modality, bool positive,
                                        int steps)
{
    std::vector<int> candidates;
    std::vector<float> scores;
    if (modality == Modality::Image) {
        if (!explanation.hasPatchScores())
            throw Error(std::string(methodName(explanation.method)) + " gives no scores for image patches here");
        for (size_t i = 0; i < explanation.patchScores.size(); ++i) {
            candidates.push_back(static_cast<int>(i));
            scores.push_back(explanation.patchScores[i]);
        }
    } else {
        if (!explanation.hasTokenScores())
            throw Error(std::string(methodName(explanation.method)) + " gives no scores for text tokens here");
        for (size_t i = 0; i < input.text.mask.size(); ++i) {
            if (input.text.mask[i] != 0 && input.text.special[i] == 0) {
                candidates.push_back(static_cast<int>(i));
                scores.push_back(explanation.tokenScores[i]);
            }
        }
    }
    std::vector<size_t> order(candidates.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return positive ? scores[a] > scores[b] : scores[a] < scores[b];
    });

    PerturbationCurve curve;
    curve.modality = modality;
    curve.positive = positive;
    std::vector<InputVariant> variants;
    const double n = static_cast<double>(candidates.size());
    for (int k = 0; k <= steps; ++k) {
        const double fraction = static_cast<double>(k) / steps;
        const int removed = static_cast<int>(std::floor(fraction * n + 0.5));
        std::vector<int> indices;
        for (int i = 0; i < removed; ++i)
            indices.push_back(candidates[order[static_cast<size_t>(i)]]);
        variants.push_back(remove(bundle.manifest(), input, modality, indices));
        curve.fractions.push_back(static_cast<float>(fraction));
    }
    curve.probabilities = InferenceEngine::targetProbabilities(bundle, variants, target);
    curve.auc = area(curve.fractions, curve.probabilities);
    return curve;
}

} // namespace attnscope::core
