#include "ui/views/predictionbars.h"

#include "ui/state/selection.h"

#include "ui/views/plotstyle.h"

#include <QVBoxLayout>

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace attnscope::ui {

PredictionBars::PredictionBars(QWidget *parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    PlotStyle::apply(m_plot);
    m_plot->setMinimumSize(200, 110); // the window fits 1024 x 700
    m_plot->yAxis->setRangeReversed(true);
    m_plot->xAxis->setRange(0, 1);
    m_plot->xAxis->setLabel(tr("probability - click an answer to explain it"));
    m_plot->yAxis->grid()->setVisible(false);
    connect(m_plot, &QCustomPlot::mouseRelease, this, [this](QMouseEvent *event) {
        const int rank = static_cast<int>(std::lround(m_plot->yAxis->pixelToCoord(event->position().y())));
        if (rank >= 0 && rank < static_cast<int>(m_shown.size()) && m_plot->axisRect()->rect().contains(event->position().toPoint()))
            emit answerClicked(m_shown[static_cast<size_t>(rank)]);
    });
}

void PredictionBars::setPrediction(const core::Prediction &prediction, int explained, int count)
{
    m_plot->clearPlottables();
    const std::vector<int> ranking = prediction.ranking();
    m_shown.assign(ranking.begin(), ranking.begin() + std::min<size_t>(ranking.size(), static_cast<size_t>(count)));
    // The explained answer is always shown, even when it is not in the top.
    if (explained >= 0 && std::find(m_shown.begin(), m_shown.end(), explained) == m_shown.end() && !m_shown.empty())
        m_shown.back() = explained;

    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    QVector<double> keys, plain, accent;
    for (size_t rank = 0; rank < m_shown.size(); ++rank) {
        const int label = m_shown[rank];
        const double p = prediction.probabilities.at(static_cast<size_t>(label));
        ticker->addTick(static_cast<double>(rank),
                        QStringLiteral("%1  %2").arg(QString::fromStdString(prediction.label(label)),
                                                     QString::fromStdString(prediction.formatScore(static_cast<float>(p)))));
        keys << static_cast<double>(rank);
        plain << (label == explained ? 0.0 : p);
        accent << (label == explained ? p : 0.0);
    }
    auto *bars = new QCPBars(m_plot->yAxis, m_plot->xAxis);
    bars->setData(keys, plain, true);
    bars->setBrush(QColor(120, 140, 170));
    bars->setPen(Qt::NoPen);
    bars->setWidth(0.7);
    auto *chosen = new QCPBars(m_plot->yAxis, m_plot->xAxis);
    chosen->setData(keys, accent, true);
    chosen->setBrush(QColor(230, 120, 30));
    chosen->setPen(Qt::NoPen);
    chosen->setWidth(0.7);
    // Probabilities on [0, 1]; a logit or cosine on its own scale, from 0.
    double low = 0.0, high = 1.0;
    if (!prediction.isProbability()) {
        for (double v : plain + accent) {
            low = std::min(low, v);
            high = std::max(high, v);
        }
    }
    m_plot->xAxis->setRange(low, high);
    m_plot->xAxis->setLabel(prediction.isProbability() ? tr("probability - click an answer to explain it")
                            : prediction.score == core::Prediction::Score::Logit ? tr("logit, as the model computes it")
                                                                                 : tr("cosine similarity"));
    m_plot->yAxis->setTicker(ticker);
    m_plot->yAxis->setRange(-0.5, std::max<double>(1.0, static_cast<double>(m_shown.size())) - 0.5);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

QPoint PredictionBars::barCenter(int rank) const
{
    return QPointF(m_plot->xAxis->coordToPixel(0.02), m_plot->yAxis->coordToPixel(rank)).toPoint();
}

void PredictionBars::follow(Selection *selection)
{
    connect(this, &PredictionBars::answerClicked, selection, &Selection::setTarget);
    connect(selection, &Selection::resultChanged, this, [this, selection] {
        setPrediction(selection->result().prediction, selection->result().explanation.target);
    });
}

} // namespace attnscope::ui
