#include "ui/panels/zeroshotpanel.h"

#include "ui/state/selection.h"
#include "ui/worker/explainrequest.h"

#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShortcut>
#include <QTableWidget>
#include <QVBoxLayout>

namespace attnscope::ui {

ZeroShotPanel::ZeroShotPanel(QWidget *parent)
    : QWidget(parent)
    , m_edit(new QPlainTextEdit(this))
    , m_rank(new QPushButton(tr("Rank the captions"), this))
    , m_table(new QTableWidget(0, 4, this))
    , m_note(new QLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    m_edit->setObjectName(QStringLiteral("candidateCaptions"));
    m_edit->setPlaceholderText(tr("Candidate captions, one per line, e.g.\na photo of a circle\na photo of a square"));
    m_edit->setMaximumHeight(110);
    m_rank->setToolTip(tr("Score the image against every caption (Ctrl+Enter)"));
    m_table->setObjectName(QStringLiteral("zeroShotTable"));
    m_table->setHorizontalHeaderLabels({tr("#"), tr("Caption"), tr("Score"), tr("Softmax")});
    m_table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_table->verticalHeader()->setVisible(false);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setToolTip(tr("Click a caption to explain the image with it"));
    m_note->setWordWrap(true);
    layout->addWidget(new QLabel(tr("Zero-shot: which caption fits the image best, by the model's own score."), this));
    layout->addWidget(m_edit);
    layout->addWidget(m_rank);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_note);
    connect(m_rank, &QPushButton::clicked, this, &ZeroShotPanel::rankRequested);
    auto *shortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), m_edit);
    connect(shortcut, &QShortcut::activated, this, &ZeroShotPanel::rankRequested);
    connect(m_table, &QTableWidget::cellClicked, this, [this](int row, int) {
        if (QTableWidgetItem *item = m_table->item(row, 1))
            emit captionChosen(item->text());
    });
}

QStringList ZeroShotPanel::candidates() const
{
    QStringList out;
    for (const QString &line : m_edit->toPlainText().split(QLatin1Char('\n'))) {
        if (!line.trimmed().isEmpty())
            out << line;
    }
    return out;
}

void ZeroShotPanel::setCandidates(const QStringList &captions) { m_edit->setPlainText(captions.join(QLatin1Char('\n'))); }

void ZeroShotPanel::follow(Selection *selection)
{
    connect(selection, &Selection::resultChanged, this, [this, selection] {
        const ExplainResult &r = selection->result();
        const bool matching = r.matchesCaptions;
        m_edit->setEnabled(matching);
        m_rank->setEnabled(matching);
        m_table->setRowCount(static_cast<int>(r.zeroShot.size()));
        for (size_t i = 0; i < r.zeroShot.size(); ++i) {
            const core::ZeroShotCandidate &c = r.zeroShot[i];
            const int row = static_cast<int>(i);
            m_table->setItem(row, 0, new QTableWidgetItem(QString::number(row + 1)));
            auto *caption = new QTableWidgetItem(QString::fromStdString(c.caption));
            if (!c.unknownWords.empty() || c.truncated)
                caption->setToolTip(c.truncated ? tr("cut to the model's text length")
                                                : tr("not in the vocabulary: %1")
                                                      .arg(QString::fromStdString(c.unknownWords.front())));
            if (QString::fromStdString(c.caption) == r.text) { // the one on screen
                QFont bold = caption->font();
                bold.setBold(true);
                caption->setFont(bold);
            }
            m_table->setItem(row, 1, caption);
            m_table->setItem(row, 2, new QTableWidgetItem(QString::fromStdString(r.prediction.formatScore(c.score))));
            m_table->setItem(row, 3, new QTableWidgetItem(c.probability >= 0.0f
                                                              ? QStringLiteral("%1%").arg(100.0 * c.probability, 0, 'f', 1)
                                                              : QStringLiteral("-")));
        }
        if (!matching)
            m_note->setText(tr("Zero-shot ranking needs a model that matches images with captions (CLIP-like); "
                               "this one answers with labels."));
        else if (!r.zeroShotError.isEmpty())
            m_note->setText(r.zeroShotError);
        else if (!r.zeroShot.empty() && r.zeroShot.front().probability >= 0.0f)
            m_note->setText(tr("Score: the model's logit. Softmax: CLIP's zero-shot probability, over these captions "
                               "only - another list changes it."));
        else
            m_note->clear();
    });
}

} // namespace attnscope::ui
