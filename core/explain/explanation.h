#pragma once

#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace attnscope::core {

/// A dense row-major matrix of floats. Its values never change once it is
/// made, so copies share them: a 2,048-token matrix (16 MB) goes from the
/// engine through the worker's signal to the views without being copied.
class Matrix
{
public:
    Matrix() = default;
    /// `values` holds rows x cols floats, row after row.
    Matrix(int rows, int cols, std::vector<float> values)
        : m_rows(rows)
        , m_cols(cols)
        , m_values(std::make_shared<const std::vector<float>>(std::move(values)))
    {
        if (rows < 0 || cols < 0 || m_values->size() != static_cast<size_t>(rows) * static_cast<size_t>(cols))
            throw std::invalid_argument("Matrix: " + std::to_string(m_values->size()) + " values for "
                                        + std::to_string(rows) + " x " + std::to_string(cols));
    }

    int rows() const { return m_rows; }
    int cols() const { return m_cols; }
    bool empty() const { return m_rows == 0 || m_cols == 0; }
    float at(int row, int col) const { return (*m_values)[static_cast<size_t>(row) * static_cast<size_t>(m_cols) + static_cast<size_t>(col)]; }
    const std::vector<float> &values() const
    {
        static const std::vector<float> none;
        return m_values ? *m_values : none;
    }

private:
    int m_rows = 0;
    int m_cols = 0;
    std::shared_ptr<const std::vector<float>> m_values;
};

enum class Method { RawAttention, Rollout, Relevance, GradCam };
enum class HeadReduction { Mean, Max, Min };

/// "raw", "rollout", "relevance", "gradcam".
const char *methodName(Method method);
/// Accepts the names above; throws Error otherwise.
Method parseMethod(const std::string &name);
std::vector<Method> allMethods();

struct MethodOptions
{
    Method method = Method::Relevance;
    int target = -1;      ///< label to explain; -1: the predicted one
    int attention = -1;   ///< raw attention: index of the map; -1: the last the decision token reads image patches from
    int head = -1;        ///< raw attention: one head, or -1 to reduce over heads
    HeadReduction reduction = HeadReduction::Mean;
    int startLayer = 0;   ///< rollout: layers before this one are skipped
    HeadReduction fusion = HeadReduction::Mean; ///< rollout: how each map's heads are fused
    double discardRatio = 0.0; ///< rollout: share of each fused map's lowest entries set to zero, [0, 1)
    /// rollout: leave attention sinks and register tokens (AttentionSinks)
    /// out of each map's rows before they are multiplied through.
    bool excludeSinks = false;
};

/// "mean", "max", "min".
const char *headReductionName(HeadReduction reduction);
/// Accepts the names above; throws Error otherwise.
HeadReduction parseHeadReduction(const std::string &name);

/// What one method says about one run, for the decision token.
struct Explanation
{
    Method method = Method::Relevance;
    int target = 0;
    std::string summary;             ///< e.g. "relevance for \"yes\""

    int gridRows = 0;                ///< image patch grid; 0 when the method reaches no patch
    int gridCols = 0;
    std::vector<float> patchScores;  ///< gridRows x gridCols, row-major
    std::vector<float> tokenScores;  ///< one per text position (padding included)

    /// Score of every token of the layout (StreamLayout order); NaN where the
    /// method says nothing about a token.
    std::vector<float> layoutScores;

    /// The token x token matrix the method works on; rows and columns are
    /// ranges of the layout starting at these offsets.
    Matrix matrix;
    int matrixRowOffset = 0;
    int matrixColOffset = 0;

    /// Layout indices of the attention sinks and register tokens of this
    /// run (AttentionSinks), for marking; `sinksExcluded` when rollout left
    /// them out.
    std::vector<int> sinkTokens;
    bool sinksExcluded = false;

    bool hasPatchScores() const { return !patchScores.empty(); }
    bool hasTokenScores() const { return !tokenScores.empty(); }
};

} // namespace attnscope::core
