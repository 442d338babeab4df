#pragma once

#include <string>
#include <vector>

namespace attnscope::core {

/// What the model answered.
struct Prediction
{
    /// What `probabilities` holds: probabilities (softmax over the labels, a
    /// sigmoid per label of a multi-label model, a matching model's sigmoid
    /// or own probability), or a score that is no probability (a matching
    /// model's logit or cosine), shown as the model computes it.
    enum class Score { Probability, Logit, Cosine };

    std::vector<float> logits;
    std::vector<float> probabilities; ///< see Score
    Score score = Score::Probability;
    bool multiLabel = false;          ///< each label applies or not: probabilities do not sum to 1
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
    bool isProbability() const { return score == Score::Probability; }
    /// "40.6%", "logit 24.31", "cosine 0.312".
    std::string formatScore(float value) const;
};

} // namespace attnscope::core
