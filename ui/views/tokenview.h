#pragma once

#include "core/render/colormap.h"

#include <QStringList>
#include <QVector>
#include <QWidget>

#include <vector>

namespace attnscope::ui {

class Selection;

/// The text tokens as chips, wrapped like words, each shaded by its score.
/// Hovering a chip emits tokenHovered; clicking selects it (clicking again
/// clears the selection). Padded positions are not shown. Words the model's
/// vocabulary lacks are drawn as unknown (hatched grey, dashed border, a "?"
/// after the word) and never shaded by a score: the model read them all as
/// one unknown token.
class TokenView : public QWidget
{
    Q_OBJECT
public:
    explicit TokenView(QWidget *parent = nullptr);
    /// Shows the result's words and follows the selection (scores,
    /// the selected word); clicks select and hovering focuses a word there.
    void follow(Selection *selection);

    void setTokens(const QStringList &tokens, const QVector<bool> &padding, const QVector<bool> &unknown = {});
    /// One score per text position (scaled by the largest magnitude for
    /// shading); empty: no shading.
    void setScores(const std::vector<float> &scores, const QString &caption = {});
    void setColormap(core::ColormapKind kind);
    /// Selects a text position (-1: none) without emitting signals.
    void setSelected(int index);

    int selected() const { return m_selected; }
    const std::vector<float> &scores() const { return m_scores; }
    QString caption() const { return m_caption; }
    /// The chip of a text position in widget coordinates; empty if not shown.
    QRect chipRect(int index) const;
    int tokenAt(const QPoint &position) const;
    bool isUnknown(int index) const { return m_unknown.value(index, false); }
    /// What the chip of a text position says ("dog?" for an unknown word).
    QString chipText(int index) const;
    /// The tooltip a chip shows.
    QString toolTipFor(int index) const;

    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;
    QSize sizeHint() const override;

signals:
    void tokenHovered(int index); ///< -1 when leaving the chips
    void tokenClicked(int index); ///< the new selection; -1 when cleared

protected:
    void paintEvent(QPaintEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    /// Measures every token's text once (layouts ask for heights often).
    void measure();
    /// Chip rectangles for a width, one per text position (empty for padding).
    QVector<QRect> layoutChips(int width) const;
    QColor chipColour(int index) const;

    QStringList m_tokens;
    QVector<bool> m_padding;
    QVector<bool> m_unknown;
    std::vector<float> m_scores;
    QString m_caption;
    QVector<QRect> m_chips;
    QVector<int> m_textWidths; ///< per token, in the current font
    core::ColormapKind m_colormap = core::ColormapKind::Viridis;
    int m_selected = -1;
    int m_hovered = -1;
};

} // namespace attnscope::ui
