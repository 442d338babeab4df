#include "ui/views/firstrunhint.h"

#include <QSettings>

namespace attnscope::ui {

namespace {

const QString kDismissed = QStringLiteral("hintDismissed");

} // namespace

FirstRunHint::FirstRunHint(QWidget *parent)
    : QLabel(parent)
{
    setObjectName(QStringLiteral("firstRunHint"));
    setWordWrap(true);
    setTextFormat(Qt::RichText);
    setStyleSheet(QStringLiteral("QLabel { background: #e8f0fb; color: #1f3b63; border: 1px solid #a9c1e6; "
                                 "border-radius: 4px; padding: 6px; }"));
    setText(tr("<b>How to read this window.</b> The picture shows where the chosen method finds evidence for the "
               "answer: the photo keeps its own colours where the evidence is, and is dimmed elsewhere. The "
               "badge beside the answer says whether that map passed its own test on this input (hiding what it "
               "marks must hurt the answer more than hiding anything else). Words are shaded the same way; the "
               "matrix on the right is the raw attention between all tokens. Evidence of what the model used "
               "is not proof of why. Help › This model says what it was trained on and where it fails. "
               "<a href=\"dismiss\">Got it</a>"));
    connect(this, &QLabel::linkActivated, this, [this] {
        hide();
        QSettings().setValue(kDismissed, true);
    });
    setVisible(!QSettings().value(kDismissed, false).toBool());
}

} // namespace attnscope::ui
