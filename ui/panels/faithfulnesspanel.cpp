#include "ui/panels/faithfulnesspanel.h"

#include "ui/state/selection.h"

#include "ui/views/plotstyle.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <algorithm>

namespace attnscope::ui {

namespace {

QColor methodColour(core::Method method)
{
    switch (method) {
    case core::Method::RawAttention: return {120, 120, 120};
    case core::Method::Rollout: return {40, 120, 200};
    case core::Method::Relevance: return {220, 100, 30};
    case core::Method::GradCam: return {60, 160, 80};
    }
    return Qt::black;
}

} // namespace

FaithfulnessPanel::FaithfulnessPanel(QWidget *parent)
    : QWidget(parent)
    , m_modality(new QComboBox(this))
    , m_plot(new QCustomPlot(this))
    , m_table(new QLabel(this))
    , m_verdict(new QLabel(this))
{
    // The content scrolls when the tab is short: the window stays usable at
    // 1024 x 700 (the curves and the table used to force 854 pixels).
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *content = new QWidget(scroll);
    scroll->setWidget(content);
    outer->addWidget(scroll);
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(4, 4, 4, 4);
    auto *top = new QHBoxLayout;
    m_modality->setObjectName(QStringLiteral("faithfulnessModality"));
    m_modality->addItem(tr("remove image patches"), static_cast<int>(core::Modality::Image));
    m_modality->addItem(tr("mask words"), static_cast<int>(core::Modality::Text));
    top->addWidget(m_modality);
    top->addStretch(1);
    layout->addLayout(top);
    m_verdict->setObjectName(QStringLiteral("faithfulnessVerdict"));
    m_verdict->setWordWrap(true);
    QFont bold = m_verdict->font();
    bold.setBold(true);
    m_verdict->setFont(bold);
    layout->addWidget(m_verdict);
    PlotStyle::apply(m_plot);
    m_plot->setMinimumSize(260, 200);
    m_plot->xAxis->setLabel(tr("fraction removed (+ most relevant first, solid; - least relevant first, dashed)"));
    m_plot->yAxis->setLabel(tr("probability of the answer"));
    m_plot->xAxis->setRange(0, 1);
    QFont small = m_plot->font();
    small.setPointSizeF(small.pointSizeF() * 0.8);
    m_plot->legend->setFont(small);
    PlotStyle::legendBelow(m_plot, 4); // two methods a row: positive, negative each
    m_plot->legend->setRowSpacing(0);
    layout->addWidget(m_plot, 1);
    m_table->setObjectName(QStringLiteral("faithfulnessTable"));
    m_table->setTextFormat(Qt::RichText);
    layout->addWidget(m_table);
    connect(m_modality, &QComboBox::currentIndexChanged, this, &FaithfulnessPanel::redraw);
    setPending(false);
}

void FaithfulnessPanel::setPending(bool computing)
{
    m_curves.clear();
    m_best = -1;
    m_verdict->setText(computing ? tr("Computing perturbation curves for every method...")
                                 : tr("Measured while this tab is shown."));
    m_table->clear();
    m_plot->clearGraphs();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void FaithfulnessPanel::setCurves(const std::vector<core::FaithfulnessCurve> &curves, const QString &target)
{
    m_curves = curves;
    m_target = target;
    redraw();
}

QString FaithfulnessPanel::verdict() const
{
    return m_verdict->text();
}

void FaithfulnessPanel::redraw()
{
    const auto modality = static_cast<core::Modality>(m_modality->currentData().toInt());
    m_plot->clearGraphs();
    double top = 0.0;
    for (const core::FaithfulnessCurve &c : m_curves) {
        if (c.curve.modality != modality)
            continue;
        QCPGraph *g = m_plot->addGraph();
        QVector<double> x, y;
        for (size_t i = 0; i < c.curve.fractions.size(); ++i) {
            x << c.curve.fractions[i];
            y << c.curve.probabilities[i];
            top = std::max(top, static_cast<double>(c.curve.probabilities[i]));
        }
        g->setData(x, y, true);
        QPen pen(methodColour(c.method), 2);
        if (!c.curve.positive)
            pen.setStyle(Qt::DashLine);
        g->setPen(pen);
        g->setName(QStringLiteral("%1 %2").arg(QString::fromLatin1(core::methodName(c.method)),
                                               c.curve.positive ? tr("+") : tr("-")));
    }
    m_plot->yAxis->setRange(0, std::max(0.05, top * 1.1));
    m_plot->replot(QCustomPlot::rpQueuedReplot);

    const std::vector<core::FaithfulnessAreas> areas = core::FaithfulnessAreas::of(m_curves, modality);
    const int best = core::FaithfulnessAreas::mostFaithful(areas);
    m_best = best < 0 ? -1 : static_cast<int>(areas[static_cast<size_t>(best)].method);
    QString rows;
    for (const core::FaithfulnessAreas &a : areas) {
        rows += QStringLiteral("<tr><td>%1</td><td align=right>%2</td><td align=right>%3</td><td align=right>%4</td></tr>")
                    .arg(QString::fromLatin1(core::methodName(a.method)))
                    .arg(static_cast<double>(a.positive), 0, 'f', 3)
                    .arg(static_cast<double>(a.negative), 0, 'f', 3)
                    .arg(static_cast<double>(a.gap()), 0, 'f', 3);
    }
    if (areas.empty()) {
        m_table->clear();
        m_verdict->setText(m_curves.empty() ? tr("No curves yet.")
                                            : tr("No method scores this modality for this model."));
        return;
    }
    m_table->setText(QStringLiteral("<table cellspacing=6><tr><th align=left>%1</th><th>%2</th><th>%3</th><th>%4</th></tr>%5</table>")
                         .arg(tr("method"), tr("positive AUC (low is good)"), tr("negative AUC (high is good)"),
                              tr("gap"), rows));
    m_verdict->setText(tr("Most faithful for \"%1\" on this input: %2 (largest gap between the negative and positive "
                          "curves when %3).")
                           .arg(m_target, QString::fromLatin1(core::methodName(static_cast<core::Method>(m_best))),
                                m_modality->currentText()));
}

void FaithfulnessPanel::follow(Selection *selection)
{
    connect(selection, &Selection::resultChanged, this, [this, selection] {
        const ExplainResult &r = selection->result();
        if (r.faithfulness.empty())
            setPending(false);
        else
            setCurves(r.faithfulness, QString::fromStdString(r.prediction.label(r.explanation.target)));
    });
}

} // namespace attnscope::ui
