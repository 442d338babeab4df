#pragma once

#include "core/bundle/manifest.h"

#include <vector>

namespace attnscope::core {

class ModelBundle;
struct Explanation;
struct InputVariant;
struct ModelInput;

/// One perturbation curve: the target's probability as a growing fraction of
/// image patches (set to the mean colour) or words (masked out) is removed in
/// order of an explanation's scores. Positive: most relevant first (a faithful
/// explanation makes the curve fall fast, small AUC). Negative: least relevant
/// first (large AUC).
struct PerturbationCurve
{
    Modality modality = Modality::Image;
    bool positive = true;
    std::vector<float> fractions;      ///< 0, 1/steps, ..., 1
    std::vector<float> probabilities;
    float auc = 0.0f;                  ///< trapezoidal area over fractions in [0, 1]
};

class PerturbationTest
{
public:
    static constexpr int kSteps = 10;

    /// Removes round(f * N) candidates at each fraction f; N is the number of
    /// patches, or of words (special and padded positions are never removed).
    static PerturbationCurve run(ModelBundle &bundle, const ModelInput &input, int target,
                                 const Explanation &explanation, Modality modality, bool positive,
                                 int steps = kSteps);
    /// Trapezoidal area under values(fractions).
    static float area(const std::vector<float> &fractions, const std::vector<float> &values);
    /// The input with the listed patches blanked (image) or positions masked (text).
    static InputVariant remove(const Manifest &manifest, const ModelInput &input, Modality modality,
                               const std::vector<int> &indices);
};

} // namespace attnscope::core
