#pragma once

#include <QString>

class QApplication;

namespace attnscope::ui {
class MainWindow;
}

namespace attnscope::app {

/// The window's benchmark mode (`attnscope --probe OUT.json`): once the first
/// answer is shown, measures how late the event loop runs (a 5 ms timer)
/// while `requests` new inputs run back to back, then how long a layer change
/// and a head change take from the control's change to the repainted matrix
/// and heatmap; writes the figures as JSON to `out` and quits.
void startUiProbe(ui::MainWindow &window, QApplication &app, const QString &out, int requests = 50, int changes = 40);

/// `attnscope --probe-cancel OUT.json`: once the first answer is shown, runs
/// relevance on new inputs and cancels each (as Esc does) after a growing
/// delay; measures how long the worker takes to let go of the request after
/// the cancel; writes the figures as JSON to `out` and quits.
void startCancelProbe(ui::MainWindow &window, QApplication &app, const QString &out);

} // namespace attnscope::app
