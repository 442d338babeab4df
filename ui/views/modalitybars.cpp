#include "ui/views/modalitybars.h"

#include "ui/state/selection.h"

#include "ui/views/plotstyle.h"

#include <QHBoxLayout>

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace attnscope::ui {

namespace {

const QColor kImage(60, 120, 200);
const QColor kText(230, 130, 40);

double orZero(float v) { return std::isnan(v) ? 0.0 : static_cast<double>(v); }

QCPBars *makeBars(QCustomPlot *plot, const QString &name, const QColor &colour, double width)
{
    auto *bars = new QCPBars(plot->xAxis, plot->yAxis);
    bars->setName(name);
    bars->setBrush(colour);
    bars->setPen(Qt::NoPen);
    bars->setWidth(width);
    return bars;
}

} // namespace

ModalityBars::ModalityBars(QWidget *parent)
    : QWidget(parent)
    , m_weights(new QCustomPlot(this))
    , m_layers(new QCustomPlot(this))
{
    m_weights->setObjectName(QStringLiteral("modalityWeights"));
    m_layers->setObjectName(QStringLiteral("modalityLayers"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_weights, 1);
    layout->addWidget(m_layers, 1);
    for (QCustomPlot *plot : {m_weights, m_layers}) {
        PlotStyle::apply(plot);
        plot->setMinimumSize(200, 120); // the window fits 1024 x 700
        plot->xAxis->grid()->setVisible(false);
        QFont small = plot->font();
        small.setPointSizeF(small.pointSizeF() * 0.8);
        plot->legend->setFont(small);
        PlotStyle::legendBelow(plot, 2);
    }
    m_group = new QCPBarsGroup(m_weights);
    m_weights->yAxis->setLabel(tr("image vs text"));
    m_layers->yAxis->setLabel(tr("attention share"));
    m_layers->xAxis->setLabel(tr("layer: text queries | image queries"));
}

void ModalityBars::setWeights(const core::ModalityWeights &w, bool logitScore)
{
    m_weights->clearPlottables();
    m_categories.clear();
    QVector<double> keys, image, text;
    auto add = [&](const QString &name, double i, double t) {
        keys << m_categories.size();
        m_categories << name;
        image << i;
        text << t;
    };
    if (!std::isnan(w.relevanceImage))
        add(tr("relevance"), orZero(w.relevanceImage), orZero(w.relevanceText));
    if (!std::isnan(w.imageOccluded))
        add(logitScore ? tr("score drop") : tr("occlusion drop"), orZero(w.probability) - orZero(w.imageOccluded),
            orZero(w.probability) - orZero(w.textOccluded));
    if (!w.gates.empty()) {
        double gi = 0.0;
        double gt = 0.0;
        for (size_t k = 0; k < w.gates.size() && k < w.gateModalities.size(); ++k) {
            if (w.gateModalities[k] == core::Modality::Image)
                gi += w.gates[k];
            else if (w.gateModalities[k] == core::Modality::Text)
                gt += w.gates[k];
        }
        add(tr("gates"), gi, gt);
    }
    QCPBars *imageBars = makeBars(m_weights, tr("image"), kImage, 0.35);
    QCPBars *textBars = makeBars(m_weights, tr("text"), kText, 0.35);
    imageBars->setData(keys, image, true);
    textBars->setData(keys, text, true);
    imageBars->setBarsGroup(m_group);
    textBars->setBarsGroup(m_group);
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int i = 0; i < m_categories.size(); ++i)
        ticker->addTick(i, m_categories[i]);
    m_weights->xAxis->setTicker(ticker);
    m_weights->xAxis->setRange(-0.6, std::max<qsizetype>(1, m_categories.size()) - 0.4);
    double low = 0.0;
    for (double v : image + text)
        low = std::min(low, v);
    m_weights->yAxis->setRange(low, 1.05);
    m_weights->replot(QCustomPlot::rpQueuedReplot);

    // Per layer: text queries at layer - 0.2, image queries at layer + 0.2,
    // each a stack of the share to image keys and to text keys.
    m_layers->clearPlottables();
    QVector<double> at, toImage, toText;
    QSharedPointer<QCPAxisTickerText> layerTicker(new QCPAxisTickerText);
    for (const core::ModalityMass &mass : w.layers) {
        layerTicker->addTick(mass.layer, QString::number(mass.layer));
        if (!std::isnan(mass.textToImage) || !std::isnan(mass.textToText)) {
            at << mass.layer - 0.2;
            toImage << orZero(mass.textToImage);
            toText << orZero(mass.textToText);
        }
        if (!std::isnan(mass.imageToImage) || !std::isnan(mass.imageToText)) {
            at << mass.layer + 0.2;
            toImage << orZero(mass.imageToImage);
            toText << orZero(mass.imageToText);
        }
    }
    QCPBars *imageMass = makeBars(m_layers, tr("to image"), kImage, 0.36);
    QCPBars *textMass = makeBars(m_layers, tr("to text"), kText, 0.36);
    imageMass->setData(at, toImage, false);
    textMass->setData(at, toText, false);
    textMass->moveAbove(imageMass);
    m_layers->xAxis->setTicker(layerTicker);
    const int layers = w.layers.empty() ? 1 : w.layers.back().layer + 1;
    m_layers->xAxis->setRange(-0.6, layers - 0.4);
    m_layers->yAxis->setRange(0, 1.25);
    m_layers->replot(QCustomPlot::rpQueuedReplot);
}

void ModalityBars::follow(Selection *selection)
{
    connect(selection, &Selection::resultChanged, this, [this, selection] {
        setWeights(selection->result().modality, !selection->result().prediction.isProbability());
    });
}

} // namespace attnscope::ui
