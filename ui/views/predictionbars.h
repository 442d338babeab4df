#pragma once

#include "core/engine/prediction.h"

#include <QWidget>

#include <vector>

class QCustomPlot;

namespace attnscope::ui {

class Selection;

/// The top answers with their probabilities as horizontal bars, best at the
/// top; the explained answer is drawn in the accent colour. Clicking a bar
/// asks to explain that answer instead.
class PredictionBars : public QWidget
{
    Q_OBJECT
public:
    explicit PredictionBars(QWidget *parent = nullptr);
    /// Shows each result's answers; a click explains that answer.
    void follow(Selection *selection);

    void setPrediction(const core::Prediction &prediction, int explained, int count = 5);

    QCustomPlot *plot() const { return m_plot; }
    /// Label indices shown, top first.
    const std::vector<int> &shown() const { return m_shown; }
    /// Centre of the bar of the rank-th answer shown, in plot() coordinates.
    QPoint barCenter(int rank) const;

signals:
    void answerClicked(int label);

private:
    QCustomPlot *m_plot = nullptr;
    std::vector<int> m_shown;
};

} // namespace attnscope::ui
