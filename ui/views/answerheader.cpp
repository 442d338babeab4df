#include "ui/views/answerheader.h"

#include "ui/state/selection.h"

#include <QHBoxLayout>
#include <QLabel>

namespace attnscope::ui {

namespace {

QString trustStyle(core::TrustCheck::Verdict verdict)
{
    const char *colours = "#eeeeee; color: #444444; border: 1px solid #bbbbbb";
    switch (verdict) {
    case core::TrustCheck::Verdict::Faithful: colours = "#dff3e0; color: #1d5e20; border: 1px solid #8cc98f"; break;
    case core::TrustCheck::Verdict::Weak: colours = "#fff4d6; color: #6b4e00; border: 1px solid #e6c870"; break;
    case core::TrustCheck::Verdict::NoBetterThanRandom: colours = "#fde2e1; color: #8a1c13; border: 1px solid #e0a09b"; break;
    default: break;
    }
    return QStringLiteral("QLabel { background: %1; border-radius: 9px; padding: 2px 8px; }").arg(QLatin1String(colours));
}

} // namespace

AnswerHeader::AnswerHeader(QWidget *parent)
    : QWidget(parent)
    , m_answer(new QLabel(this))
    , m_badge(new QLabel(this))
{
    auto *row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    m_answer->setObjectName(QStringLiteral("answer"));
    QFont big = m_answer->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    big.setBold(true);
    m_answer->setFont(big);
    m_answer->setTextInteractionFlags(Qt::TextSelectableByMouse);
    row->addWidget(m_answer, 1);
    m_badge->setObjectName(QStringLiteral("trustBadge"));
    m_badge->hide();
    row->addWidget(m_badge);
}

void AnswerHeader::follow(Selection *selection)
{
    connect(selection, &Selection::resultChanged, this, [this, selection] { showResult(*selection); });
}

void AnswerHeader::showResult(const Selection &selection)
{
    const ExplainResult &r = selection.result();
    const core::Prediction &p = r.prediction;
    const int explained = r.explanation.target;
    auto label = [&p](int index) { return QString::fromStdString(p.label(index)); };
    QString answer = tr("Answer: %1  (%2)").arg(label(p.predicted), QString::fromStdString(p.formatScore(p.probability(p.predicted))));
    if (explained != p.predicted)
        answer += tr("   - explaining \"%1\"").arg(label(explained));
    m_answer->setText(answer);
    const core::TrustCheck::Verdict verdict = r.trust.verdict;
    m_badge->setVisible(verdict != core::TrustCheck::Verdict::NotTested);
    m_badge->setText(tr("%1: %2").arg(QString::fromLatin1(core::methodName(r.explanation.method)),
                                      QString::fromLatin1(core::TrustCheck::verdictName(verdict))));
    m_badge->setStyleSheet(trustStyle(verdict));
    m_badge->setToolTip(QString::fromStdString(r.trust.sentence()) + tr("\nThe Faithfulness tab has the full curves of every method."));
}

} // namespace attnscope::ui
