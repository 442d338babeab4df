#pragma once

#include <string>
#include <vector>

namespace attnscope::core {

/// What the model answered.
struct Prediction
{
    std::vector<float> logits;
    std::vector<float> probabilities; ///< softmax (classification) or sigmoid (matching)
    std::vector<std::string> labels;
    int predicted = 0;                 ///< index of the top label
    std::vector<float> gates;          ///< learned modality gates, when the model has them

    /// Label indices by decreasing probability.
    std::vector<int> ranking() const;
};

} // namespace attnscope::core
