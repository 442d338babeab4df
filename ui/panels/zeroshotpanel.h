#pragma once

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;

namespace attnscope::ui {

class Selection;

/// Zero-shot classification as CLIP is used: the user types candidate
/// captions, one per line ("a photo of a cat", "a photo of a dog"); the model
/// scores the image against each, and the table ranks them by its own score
/// (a logit, with CLIP's softmax over the candidates beside it). Clicking a
/// caption explains the image with it. Only matching (CLIP-like) models
/// rank captions; for the others the panel says so.
class ZeroShotPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ZeroShotPanel(QWidget *parent = nullptr);
    void follow(Selection *selection);

    /// The captions typed, one per non-empty line.
    QStringList candidates() const;
    void setCandidates(const QStringList &captions);
    QTableWidget *table() const { return m_table; }

signals:
    void rankRequested();                        ///< Rank (Ctrl+Enter in the list)
    void captionChosen(const QString &caption);  ///< a ranked caption clicked: explain it

private:
    QPlainTextEdit *m_edit = nullptr;
    QPushButton *m_rank = nullptr;
    QTableWidget *m_table = nullptr;
    QLabel *m_note = nullptr;
};

} // namespace attnscope::ui
