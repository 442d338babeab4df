#pragma once

#include "core/explain/explanation.h"
#include "core/render/colormap.h"
#include "ui/views/imageview.h"

#include <QList>
#include <QToolBar>

class QAction;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QSettings;
class QSlider;

namespace attnscope::core {
struct Session;
}

namespace attnscope::ui {

/// The window's second tool bar: rollout's head fusion and discard ratio
/// (shown while the method is rollout), the overlay, colormap, opacity,
/// smoothing and the patch grid. Choices the program makes (settings, a
/// session) emit nothing.
class DisplayToolBar : public QToolBar
{
    Q_OBJECT
public:
    explicit DisplayToolBar(QWidget *parent = nullptr);

    core::HeadReduction fusion() const;
    double discardRatio() const;
    /// Rollout: attention sinks and registers left out (AttentionSinks).
    bool excludeSinks() const;
    core::ColormapKind colormap() const;
    double opacity() const; ///< [0, 1]
    ImageView::OverlayMode overlay() const;
    bool smooth() const;
    bool grid() const;
    void toggleGrid();
    void setRolloutOptionsVisible(bool visible);

    void restoreSettings(const QSettings &settings);
    void saveSettings(QSettings &settings) const;
    void saveTo(core::Session &session) const;
    void restore(const core::Session &session);

signals:
    void rolloutChanged(); ///< fusion or discard ratio: explain again
    void displayChanged(); ///< only the drawing changes

private:
    QComboBox *m_fusion = nullptr;
    QDoubleSpinBox *m_discard = nullptr;
    QCheckBox *m_excludeSinks = nullptr;
    QList<QAction *> m_rolloutOptions; ///< their actions, shown for rollout only
    QComboBox *m_colormap = nullptr;
    QComboBox *m_overlay = nullptr; ///< spotlight (keeps the image's colours) or colour blend
    QSlider *m_opacity = nullptr;
    QCheckBox *m_smooth = nullptr;
    QCheckBox *m_grid = nullptr;
    bool m_quiet = false;
};

} // namespace attnscope::ui
