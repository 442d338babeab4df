#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QSlider;

namespace attnscope::ui {

class AttentionMatrixView;
class Selection;

/// The attention matrix tab: a slider over the model's maps, the map's
/// title, a head selector and the token-to-token matrix of that map and head.
/// It follows the selection (the shown map and head, the selected row) and
/// writes to it (another map or head, a clicked row).
class AttentionMapPanel : public QWidget
{
    Q_OBJECT
public:
    explicit AttentionMapPanel(QWidget *parent = nullptr);

    void follow(Selection *selection);
    AttentionMatrixView *matrix() const { return m_matrix; }
    /// The previous / next map ([ and ]).
    void step(int delta);

private:
    void showResult(const Selection &selection);

    QSlider *m_layer = nullptr;
    QLabel *m_layerLabel = nullptr;
    QComboBox *m_head = nullptr;
    AttentionMatrixView *m_matrix = nullptr;
    bool m_updating = false; ///< filling the selectors from a result: not a choice
};

} // namespace attnscope::ui
