#include "ui/window/displaytoolbar.h"

#include "core/io/sessionfile.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QSettings>
#include <QSlider>

#include <algorithm>
#include <cmath>

namespace attnscope::ui {

DisplayToolBar::DisplayToolBar(QWidget *parent)
    : QToolBar(tr("Display"), parent)
    , m_fusion(new QComboBox(this))
    , m_discard(new QDoubleSpinBox(this))
    , m_excludeSinks(new QCheckBox(tr("Without sinks \u2693"), this))
    , m_colormap(new QComboBox(this))
    , m_overlay(new QComboBox(this))
    , m_opacity(new QSlider(Qt::Horizontal, this))
    , m_smooth(new QCheckBox(tr("Smooth"), this))
    , m_grid(new QCheckBox(tr("Patch grid"), this))
{
    setObjectName(QStringLiteral("displayToolBar"));
    setMovable(false);
    // Rollout's head fusion and discard ratio, as vit-explain offers them.
    m_fusion->setObjectName(QStringLiteral("fusionSelector"));
    for (core::HeadReduction r : {core::HeadReduction::Mean, core::HeadReduction::Max, core::HeadReduction::Min})
        m_fusion->addItem(QString::fromLatin1(core::headReductionName(r)), static_cast<int>(r));
    m_fusion->setToolTip(tr("Rollout: how each map's heads are fused (vit-explain's head_fusion)"));
    m_discard->setObjectName(QStringLiteral("discardRatio"));
    m_discard->setRange(0.0, 0.99);
    m_discard->setSingleStep(0.05);
    m_discard->setDecimals(2);
    m_discard->setToolTip(tr("Rollout: share of each fused map's lowest weights set to zero (vit-explain's discard_ratio)"));
    m_excludeSinks->setObjectName(QStringLiteral("excludeSinks"));
    m_excludeSinks->setToolTip(tr("Leave attention sinks and register tokens (marked \u2693) out of rollout's maps "
                                  "and of the colour scales of the matrix, the head grid and the heatmap, so the "
                                  "attention parked on them does not drown the rest"));
    m_rolloutOptions = {addWidget(new QLabel(tr(" Rollout heads "), this)), addWidget(m_fusion),
                        addWidget(new QLabel(tr(" discard "), this)), addWidget(m_discard)};
    m_colormap->setObjectName(QStringLiteral("colormapSelector"));
    for (core::ColormapKind kind : core::Colormap::all())
        m_colormap->addItem(QString::fromLatin1(core::Colormap::name(kind)), static_cast<int>(kind));
    m_overlay->setObjectName(QStringLiteral("overlaySelector"));
    m_overlay->addItem(tr("Spotlight (keeps colours)"), static_cast<int>(ImageView::OverlayMode::Spotlight));
    m_overlay->addItem(tr("Colour blend"), static_cast<int>(ImageView::OverlayMode::Blend));
    m_overlay->setToolTip(tr("Spotlight dims what scores low and keeps the photo's own colours where it scores high; "
                             "colour blend lays the colormap over the photo (it changes the colours you see)"));
    addWidget(new QLabel(tr(" Overlay "), this));
    addWidget(m_overlay);
    addWidget(new QLabel(tr(" Colormap "), this));
    addWidget(m_colormap);
    m_opacity->setObjectName(QStringLiteral("opacitySlider"));
    m_opacity->setRange(0, 100);
    m_opacity->setValue(55);
    m_opacity->setMaximumWidth(140);
    addWidget(new QLabel(tr(" Opacity "), this));
    addWidget(m_opacity);
    m_smooth->setObjectName(QStringLiteral("smoothCheck"));
    m_smooth->setChecked(true);
    m_smooth->setToolTip(tr("Bilinear heatmap (off: one flat cell per patch)"));
    addWidget(m_smooth);
    m_grid->setObjectName(QStringLiteral("gridCheck"));
    m_grid->setToolTip(tr("Show the model's patch grid (Ctrl+G)"));
    addWidget(m_grid);
    addWidget(m_excludeSinks);

    auto rollout = [this] {
        if (!m_quiet)
            emit rolloutChanged();
    };
    connect(m_fusion, &QComboBox::currentIndexChanged, this, rollout);
    connect(m_discard, &QDoubleSpinBox::valueChanged, this, rollout);
    connect(m_excludeSinks, &QCheckBox::toggled, this, rollout);
    auto display = [this] {
        if (!m_quiet)
            emit displayChanged();
    };
    connect(m_colormap, &QComboBox::currentIndexChanged, this, display);
    connect(m_overlay, &QComboBox::currentIndexChanged, this, display);
    connect(m_opacity, &QSlider::valueChanged, this, display);
    connect(m_smooth, &QCheckBox::toggled, this, display);
    connect(m_grid, &QCheckBox::toggled, this, display);
}

core::HeadReduction DisplayToolBar::fusion() const
{
    return static_cast<core::HeadReduction>(m_fusion->currentData().toInt());
}

bool DisplayToolBar::excludeSinks() const { return m_excludeSinks->isChecked(); }

double DisplayToolBar::discardRatio() const
{
    return m_discard->value();
}

core::ColormapKind DisplayToolBar::colormap() const
{
    return static_cast<core::ColormapKind>(m_colormap->currentData().toInt());
}

double DisplayToolBar::opacity() const
{
    return m_opacity->value() / 100.0;
}

ImageView::OverlayMode DisplayToolBar::overlay() const
{
    return static_cast<ImageView::OverlayMode>(m_overlay->currentData().toInt());
}

bool DisplayToolBar::smooth() const
{
    return m_smooth->isChecked();
}

bool DisplayToolBar::grid() const
{
    return m_grid->isChecked();
}

void DisplayToolBar::toggleGrid()
{
    m_grid->toggle();
}

void DisplayToolBar::setRolloutOptionsVisible(bool visible)
{
    for (QAction *action : m_rolloutOptions)
        action->setVisible(visible);
}

void DisplayToolBar::restoreSettings(const QSettings &settings)
{
    m_quiet = true;
    auto index = [&](QComboBox *box, const char *key) {
        box->setCurrentIndex(std::clamp(settings.value(QLatin1String(key), 0).toInt(), 0, box->count() - 1));
    };
    index(m_colormap, "colormap");
    index(m_overlay, "overlay");
    index(m_fusion, "rolloutFusion");
    m_opacity->setValue(settings.value(QStringLiteral("opacity"), 55).toInt());
    m_discard->setValue(settings.value(QStringLiteral("rolloutDiscard"), 0.0).toDouble());
    m_excludeSinks->setChecked(settings.value(QStringLiteral("rolloutWithoutSinks"), false).toBool());
    m_smooth->setChecked(settings.value(QStringLiteral("smooth"), true).toBool());
    m_grid->setChecked(settings.value(QStringLiteral("grid"), false).toBool());
    m_quiet = false;
}

void DisplayToolBar::saveSettings(QSettings &settings) const
{
    settings.setValue(QStringLiteral("colormap"), m_colormap->currentIndex());
    settings.setValue(QStringLiteral("opacity"), m_opacity->value());
    settings.setValue(QStringLiteral("overlay"), m_overlay->currentIndex());
    settings.setValue(QStringLiteral("rolloutFusion"), m_fusion->currentIndex());
    settings.setValue(QStringLiteral("rolloutDiscard"), m_discard->value());
    settings.setValue(QStringLiteral("rolloutWithoutSinks"), m_excludeSinks->isChecked());
    settings.setValue(QStringLiteral("smooth"), m_smooth->isChecked());
    settings.setValue(QStringLiteral("grid"), m_grid->isChecked());
}

void DisplayToolBar::saveTo(core::Session &session) const
{
    session.colormap = core::Colormap::name(colormap());
    session.opacity = opacity();
    session.overlay = overlay() == ImageView::OverlayMode::Spotlight ? "spotlight" : "blend";
    session.fusion = core::headReductionName(fusion());
    session.discardRatio = discardRatio();
    session.withoutSinks = excludeSinks();
    session.smooth = smooth();
    session.grid = grid();
}

void DisplayToolBar::restore(const core::Session &session)
{
    m_quiet = true;
    m_colormap->setCurrentIndex(std::max(0, m_colormap->findData(static_cast<int>(core::Colormap::parse(session.colormap)))));
    m_opacity->setValue(static_cast<int>(std::lround(session.opacity * 100)));
    m_overlay->setCurrentIndex(session.overlay == "blend" ? 1 : 0);
    m_fusion->setCurrentIndex(std::max(0, m_fusion->findData(static_cast<int>(core::parseHeadReduction(session.fusion)))));
    m_discard->setValue(session.discardRatio);
    m_excludeSinks->setChecked(session.withoutSinks);
    m_smooth->setChecked(session.smooth);
    m_grid->setChecked(session.grid);
    m_quiet = false;
}

} // namespace attnscope::ui
