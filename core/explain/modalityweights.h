#pragma once

#include "core/bundle/manifest.h"

#include <cmath>
#include <limits>
#include <vector>

namespace attnscope::core {

class CapturedRun;
struct Explanation;

/// Attention mass between modalities in one layer: for the image and the text
/// tokens as queries, the share of their attention (heads averaged) that goes
/// to image and to text keys. Special and padded tokens are left out, and each
/// row is scaled to sum 1 over the maps of the layer (the design's 2x2 matrix
/// [[A11, A12], [A21, A22]] with Y1 = A11*X1 + A12*X2). NaN where a modality
/// has no queries in the layer.
struct ModalityMass
{
    static constexpr float kNone = std::numeric_limits<float>::quiet_NaN();
    int layer = 0;
    float imageToImage = kNone;
    float imageToText = kNone;
    float textToImage = kNone;
    float textToText = kNone;
};

/// How much each modality weighed in one decision, measured four ways.
struct ModalityWeights
{
    static constexpr float kNone = std::numeric_limits<float>::quiet_NaN();
    /// Share of the relevance of image patches and of text words (sums to 1).
    float relevanceImage = kNone;
    float relevanceText = kNone;
    std::vector<ModalityMass> layers;
    /// Target probability as is, with the image blanked (set to the mean
    /// colour), and with every word masked out.
    float probability = kNone;
    float imageOccluded = kNone;
    float textOccluded = kNone;
    /// Learned gates, when the model exposes them.
    std::vector<Modality> gateModalities;
    std::vector<float> gates;

    /// `relevance` may be null (gradients unavailable): shares stay NaN.
    /// Throws Error (never LibTorch's own exceptions).
    static ModalityWeights compute(CapturedRun &run, int target, const Explanation *relevance);

private:
    static ModalityWeights computeWeights(CapturedRun &run, int target, const Explanation *relevance);
};

} // namespace attnscope::core
