#pragma once

#include <QProgressBar>

namespace attnscope::ui {

/// The status bar's progress while the worker runs: `done` of `total` steps
/// of a named step, or a busy bar naming the step when it cannot be counted.
class ProgressIndicator : public QProgressBar
{
    Q_OBJECT
public:
    explicit ProgressIndicator(QWidget *parent = nullptr);

    /// total 0: a busy bar.
    void showStep(int done, int total, const QString &step);
    /// Shown while busy, from a busy bar.
    void setBusy(bool busy);
};

} // namespace attnscope::ui
