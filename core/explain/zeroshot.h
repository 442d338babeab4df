#pragma once

#include <memory>
#include <string>
#include <vector>

namespace attnscope::core {

class ModelBundle;
struct ModelInput;

/// Zero-shot classification as CLIP is used: one image scored against
/// candidate captions the user types ("a photo of a cat", "a photo of a
/// dog"), the captions ranked by the model's own score, and CLIP's
/// zero-shot probabilities (a softmax of the logits over the candidates)
/// beside them when the score is a logit. Each candidate is then
/// explainable as an input of its own (the image with that caption).
struct ZeroShotCandidate
{
    std::string caption;
    float score = 0.0f;       ///< as the model computes it (a logit, a cosine)
    float probability = -1.0f; ///< softmax over the candidates' logits; -1 when the score is no logit
    bool truncated = false;   ///< cut to the model's text length
    std::vector<std::string> unknownWords;
};

class ZeroShot
{
public:
    /// At most this many candidates (each one a forward pass, batched).
    static constexpr size_t kMaxCandidates = 1000;
    /// Candidates by decreasing score. `image` is the input the image comes
    /// from (its text is ignored). Throws Error for a model that is no
    /// image-text matching model, no candidates, or too many.
    static std::vector<ZeroShotCandidate> rank(ModelBundle &bundle, const ModelInput &image,
                                               const std::vector<std::string> &captions);
};

} // namespace attnscope::core
