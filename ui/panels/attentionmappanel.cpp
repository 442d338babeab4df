#include "ui/panels/attentionmappanel.h"

#include "ui/state/selection.h"
#include "ui/views/attentionmatrixview.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QVBoxLayout>

#include <algorithm>

namespace attnscope::ui {

AttentionMapPanel::AttentionMapPanel(QWidget *parent)
    : QWidget(parent)
    , m_layer(new QSlider(Qt::Horizontal, this))
    , m_layerLabel(new QLabel(this))
    , m_head(new QComboBox(this))
    , m_matrix(new AttentionMatrixView(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto *selectors = new QHBoxLayout;
    m_layer->setObjectName(QStringLiteral("layerSlider"));
    m_layer->setToolTip(tr("Attention map: previous [ / next ]"));
    m_layer->setPageStep(1);
    m_layerLabel->setObjectName(QStringLiteral("layerLabel"));
    m_layerLabel->setMinimumWidth(170);
    m_head->setObjectName(QStringLiteral("headSelector"));
    m_head->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_head->setMinimumContentsLength(14);
    selectors->addWidget(new QLabel(tr("Map"), this));
    selectors->addWidget(m_layer, 1);
    selectors->addWidget(m_layerLabel);
    selectors->addWidget(m_head);
    layout->addLayout(selectors);
    m_matrix->setObjectName(QStringLiteral("attentionMatrix"));
    layout->addWidget(m_matrix, 1);
}

void AttentionMapPanel::follow(Selection *selection)
{
    connect(m_layer, &QSlider::valueChanged, selection, [this, selection](int value) {
        if (!m_updating)
            selection->setMap(value);
    });
    connect(m_head, &QComboBox::currentIndexChanged, selection, [this, selection](int index) {
        if (!m_updating)
            selection->setHead(index - 1); // item 0 is the heads' mean
    });
    connect(m_matrix, &AttentionMatrixView::tokenSelected, selection, &Selection::selectToken);
    connect(selection, &Selection::resultChanged, this, [this, selection] { showResult(*selection); });
    connect(selection, &Selection::focusChanged, this, [this, selection] { m_matrix->setSelectedToken(selection->token()); });
}

void AttentionMapPanel::step(int delta)
{
    m_layer->setValue(m_layer->value() + delta);
}

void AttentionMapPanel::showResult(const Selection &selection)
{
    const ExplainResult &r = selection.result();
    m_updating = true;
    m_layer->setRange(0, std::max(0, static_cast<int>(r.maps.size()) - 1));
    m_layer->setValue(r.attentionIndex);
    m_layerLabel->setText(selection.mapTitle());
    m_head->clear();
    m_head->addItem(tr("mean of heads"));
    const int heads = r.attentionIndex < r.maps.size() ? r.maps[r.attentionIndex].heads : 0;
    for (int h = 0; h < heads; ++h)
        m_head->addItem(tr("head %1").arg(h));
    m_head->setCurrentIndex(r.head + 1);
    m_updating = false;
    const bool leaveOut = r.sinksLeftOut && !r.attention.sinkTokens.empty();
    m_matrix->setMatrix(r.attention, r.layout,
                        tr("key - %1, %2").arg(selection.mapTitle(), selection.headTitle())
                            + (leaveOut ? tr(", colours without the sinks \u2693") : QString()),
                        leaveOut);
}

} // namespace attnscope::ui
