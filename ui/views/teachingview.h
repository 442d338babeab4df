#pragma once

#include "ui/worker/explainrequest.h"

#include <QWidget>

class QLabel;
class QTableWidget;

namespace attnscope::ui {

/// Steps through scaled dot-product attention for the selected map, head and
/// query token with the run's real numbers - the scores q.k/sqrt(d), the
/// softmax, the weighted sum of the values - and says in plain words what
/// multi-head attention and masking do, which fusion strategy the model uses,
/// what the layer's 2x2 modality matrix means, and what attention does and
/// does not explain.
class TeachingView : public QWidget
{
    Q_OBJECT
public:
    explicit TeachingView(QWidget *parent = nullptr);

    /// `queryLabel`: the query token's label. An empty step: not computed yet.
    void setStep(const ExplainResult &result, const QString &queryLabel);

    QTableWidget *table() const { return m_table; }
    QString formula() const;
    QString notes() const;

private:
    /// One row per key, by weight (masked keys last); returns that order.
    std::vector<size_t> fillTable(const core::AttentionStep &step);

    QLabel *m_title = nullptr;
    QLabel *m_formula = nullptr;
    QTableWidget *m_table = nullptr;
    QLabel *m_notes = nullptr;
};

} // namespace attnscope::ui
