#pragma once

#include "core/explain/modalityweights.h"

#include <QWidget>

class QCPBarsGroup;
class QCustomPlot;

namespace attnscope::ui {

class Selection;

/// How much image and text weighed in the decision, as QCustomPlot bars:
/// relevance share, occlusion drop (probability lost when the image is
/// blanked or the words masked) and the learned gates when the model has
/// them; beside it, per layer, where the image and text queries' attention
/// goes (stacked: to image keys, to text keys).
class ModalityBars : public QWidget
{
    Q_OBJECT
public:
    explicit ModalityBars(QWidget *parent = nullptr);
    /// Shows each result's modality weights.
    void follow(Selection *selection);

    /// `logitScore`: the model's score is a logit (or cosine), so occlusion
    /// drops that score, not a probability, and the bar says so.
    void setWeights(const core::ModalityWeights &weights, bool logitScore = false);

    QCustomPlot *weightsPlot() const { return m_weights; }
    QCustomPlot *layersPlot() const { return m_layers; }
    /// The category names shown on the left plot, in order.
    QStringList categories() const { return m_categories; }

private:
    QCustomPlot *m_weights = nullptr;
    QCustomPlot *m_layers = nullptr;
    QStringList m_categories;
    QCPBarsGroup *m_group = nullptr; ///< owned by the weights plot; holds each result's bars
};

} // namespace attnscope::ui
