#pragma once

#include <string>
#include <vector>

namespace attnscope::core {

class CapturedRun;

/// One step of scaled dot-product attention with the run's real numbers: for
/// one map, one head and one query token, the scores q.k/sqrt(d) of every key,
/// the softmax over the keys the mask lets through, and the weighted sum of
/// the values. From the model's own queries, keys and values when its manifest
/// declares attention_inputs; otherwise started from the attention weights
/// (scores known only up to a constant shared by the row: ln a).
struct AttentionStep
{
    int map = 0;
    int head = 0;
    int query = 0;                   ///< row of the map (index in the query stream)
    bool fromModel = false;          ///< q, k (and v) came from the model
    int headWidth = 0;               ///< d, when fromModel
    float scale = 0.0f;              ///< 1 / sqrt(d), when fromModel
    std::vector<float> queryVector;  ///< q, when fromModel
    std::vector<float> keyVectors;   ///< every key's k, keys x headWidth row-major, when fromModel
    std::vector<std::string> keys;   ///< label of each key token
    std::vector<bool> masked;        ///< keys the mask removes (padding)
    std::vector<float> scores;       ///< q.k * scale; or ln a; NaN where masked
    std::vector<float> weights;      ///< softmax of the scores over unmasked keys
    std::vector<float> exps;         ///< e^(score - maxScore), 0 where masked
    float maxScore = 0.0f;           ///< the largest unmasked score (subtracted before exp, as softmax does)
    double expSum = 0.0;             ///< sum of exps: the softmax's denominator
    std::vector<float> returned;     ///< the map's row as the model returned it
    std::vector<float> output;       ///< sum_k weights[k] v_k, when values are exported
    float maxDifference = 0.0f;      ///< largest |weights - returned|: the model's own check

    /// Throws Error for a map, head or query that does not exist.
    static AttentionStep compute(CapturedRun &run, int map, int head, int query);
};

} // namespace attnscope::core
