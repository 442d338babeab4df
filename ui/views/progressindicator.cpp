#include "ui/views/progressindicator.h"

#include <algorithm>

namespace attnscope::ui {

ProgressIndicator::ProgressIndicator(QWidget *parent)
    : QProgressBar(parent)
{
    setObjectName(QStringLiteral("busyIndicator"));
    setRange(0, 0);
    setMaximumWidth(240);
    setToolTip(tr("Working - Esc cancels"));
    hide();
}

void ProgressIndicator::showStep(int done, int total, const QString &step)
{
    setRange(0, std::max(0, total));
    setValue(total > 0 ? std::clamp(done, 0, total) : 0);
    // Qt replaces %v and %m with the value and the maximum.
    setFormat(total > 0 ? tr("%1 %v/%m").arg(step) : step);
    setTextVisible(true);
    setToolTip(tr("%1 - Esc cancels").arg(step));
}

void ProgressIndicator::setBusy(bool busy)
{
    showStep(0, 0, tr("Working"));
    setVisible(busy);
}

} // namespace attnscope::ui
