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
    /// The label and probability of an index; "?" and 0 when out of range.
    std::string label(int index) const
    {
        return index >= 0 && index < static_cast<int>(labels.size()) ? labels[static_cast<size_t>(index)] : "?";
    }
    float probability(int index) const
    {
        return index >= 0 && index < static_cast<int>(probabilities.size()) ? probabilities[static_cast<size_t>(index)] : 0.0f;
    }
};

} // namespace attnscope::core
