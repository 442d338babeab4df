#pragma once

#include "core/explain/faithfulnessareas.h"

#include <QWidget>

class QComboBox;
class QCustomPlot;
class QLabel;

namespace attnscope::ui {

class Selection;

/// Faithfulness of each method on the input on screen: the target's
/// probability as image patches (or words) are removed in order of the
/// method's scores, most relevant first (positive, solid) and least relevant
/// first (negative, dashed), with the areas under the curves. A faithful
/// method makes the positive curve fall fast and the negative one stay high;
/// the panel names the method with the largest gap (negative AUC - positive
/// AUC) for this input.
class FaithfulnessPanel : public QWidget
{
    Q_OBJECT
public:
    explicit FaithfulnessPanel(QWidget *parent = nullptr);
    /// Shows each result's curves, or that they are not measured yet.
    void follow(Selection *selection);

    void setCurves(const std::vector<core::FaithfulnessCurve> &curves, const QString &target);
    /// No curves yet: being computed, or waiting for the tab to be shown.
    void setPending(bool computing);

    QCustomPlot *plot() const { return m_plot; }
    QString verdict() const;
    /// The method with the largest gap for the modality shown; -1 when none.
    int mostFaithful() const { return m_best; }

private:
    void redraw();

    QComboBox *m_modality = nullptr;
    QCustomPlot *m_plot = nullptr;
    QLabel *m_table = nullptr;
    QLabel *m_verdict = nullptr;
    std::vector<core::FaithfulnessCurve> m_curves;
    QString m_target;
    int m_best = -1;
};

} // namespace attnscope::ui
