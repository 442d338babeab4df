#pragma once

#include "core/render/colormap.h"

#include <QStringList>
#include <QVector>
#include <QWidget>

#include <vector>

namespace attnscope::ui {

class Selection;

/// The text as the user typed it, one chip per word, wrapped like words,
/// each shaded by its score: a word a subword tokenizer split into pieces
/// ("playing": play, ##ing) is one chip with its pieces' scores summed, and
/// its tooltip lists the pieces and their scores (the attention matrix
/// labels the pieces). Hovering a chip emits tokenHovered and clicking
/// selects (clicking again clears) its first piece's text position. Padded
/// positions are not shown. Words the model's vocabulary lacks are drawn as
/// unknown (hatched grey, dashed border, a "?" after the word) and never
/// shaded by a score: the model read them all as one unknown token.
class TokenView : public QWidget
{
    Q_OBJECT
public:
    explicit TokenView(QWidget *parent = nullptr);
    /// Shows the result's words and follows the selection (scores,
    /// the selected word); clicks select and hovering focuses a word there.
    void follow(Selection *selection);

    /// `words` and `wordOf` (ExplainResult's) group the positions into
    /// chips; without them every position is a chip of its own.
    void setTokens(const QStringList &tokens, const QVector<bool> &padding, const QVector<bool> &unknown = {},
                   const QStringList &words = {}, const QVector<int> &wordOf = {});
    /// One score per text position (a word's chip shows its pieces' sum,
    /// scaled by the largest magnitude for shading); empty: no shading.
    void setScores(const std::vector<float> &scores, const QString &caption = {});
    void setColormap(core::ColormapKind kind);
    /// Selects a text position (-1: none) without emitting signals.
    void setSelected(int index);

    int selected() const { return m_selected; }
    const std::vector<float> &scores() const { return m_scores; }
    QString caption() const { return m_caption; }
    /// The chip that shows a text position, in widget coordinates; empty if
    /// not shown.
    QRect chipRect(int index) const;
    /// The first text position of the chip at `position`; -1 for none.
    int tokenAt(const QPoint &position) const;
    /// Whether the word that holds a text position has a piece the
    /// vocabulary lacks.
    bool isUnknown(int index) const;
    /// What the chip of a text position says ("dog?" for an unknown word).
    QString chipText(int index) const;
    /// The chip's score: the sum of its pieces' scores (NaN: none scored).
    float chipScore(int index) const;
    /// How many chips are shown.
    int chipCount() const;
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
    /// Chip rectangles for a width, one per word.
    QVector<QRect> layoutChips(int width) const;
    QColor chipColour(int word) const;
    int wordOf(int index) const { return m_wordOf.value(index, -1); }
    float wordScore(int word) const;
    bool wordUnknown(int word) const;
    QString wordText(int word) const;

    struct Word
    {
        QString text;
        QVector<int> positions;
    };
    QStringList m_tokens;
    QVector<bool> m_padding;
    QVector<bool> m_unknown;
    QVector<Word> m_words;
    QVector<int> m_wordOf; ///< per text position: its word; -1 for padding
    std::vector<float> m_scores;
    QString m_caption;
    QVector<QRect> m_chips;    ///< per word
    QVector<int> m_textWidths; ///< per word, in the current font
    core::ColormapKind m_colormap = core::ColormapKind::Viridis;
    int m_selected = -1;
    int m_hovered = -1;
};

} // namespace attnscope::ui
