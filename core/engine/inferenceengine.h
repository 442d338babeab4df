#pragma once

#include "core/engine/modelinput.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace attnscope::core {

class CapturedRun;
class ModelBundle;

/// A variant of an input for perturbation and occlusion: the same shapes as
/// ModelInput's pixels, ids and mask.
struct InputVariant
{
    std::vector<float> pixels;
    std::vector<int64_t> ids;
    std::vector<int64_t> mask;
    std::vector<int64_t> typeIds; ///< empty: all 0
};

/// Whether a run records the autograd graph: gradient-based methods need it,
/// raw attention and rollout do not. A run made without it records it when a
/// gradient is first asked for, by running the model again.
enum class Gradients { Record, Later };

/// Runs models. The calling thread's grad mode is set here: run() records the
/// autograd graph, targetProbabilities() runs without it.
class InferenceEngine
{
public:
    /// Forward pass with every attention map captured for explaining.
    static std::unique_ptr<CapturedRun> run(const std::shared_ptr<ModelBundle> &bundle,
                                            const ModelInput &input, Gradients gradients = Gradients::Record);
    /// Probability of `target` for each variant, in batches of `batchSize`.
    static std::vector<float> targetProbabilities(ModelBundle &bundle,
                                                  const std::vector<InputVariant> &variants,
                                                  int target, int batchSize = 16);
};

} // namespace attnscope::core
