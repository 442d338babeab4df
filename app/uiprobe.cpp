#include "app/uiprobe.h"

#include "core/io/atomicfile.h"
#include "core/io/textfile.h"
#include "core/json/json.h"
#include "ui/worker/explaincontroller.h"
#include "ui/window/mainwindow.h"

#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QSlider>
#include <QTimer>
#include <QCoreApplication>
#include <QFile>
#include <QDir>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

namespace attnscope::app {

namespace {

constexpr int kTickMs = 5;

core::Json summary(std::vector<double> v)
{
    core::Json out = core::Json::object();
    if (v.empty())
        return out;
    std::sort(v.begin(), v.end());
    const auto at = [&v](double p) {
        const size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
        return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
    };
    out.set("count", static_cast<int>(v.size()));
    out.set("p50", at(50));
    out.set("p99", at(99));
    out.set("max", v.back());
    return out;
}

/// Writes a probe's figures to `out` (and stdout) and ends the application:
/// exit code 1 when the file could not be written.
void writeAndQuit(const core::Json &j, const QString &out, QApplication *app)
{
    int code = 0;
    try {
        core::AtomicFile::write(out.toStdString(), j.dump(1) + "\n");
    } catch (const std::exception &e) {
        std::fprintf(stderr, "attnscope: %s\n", e.what());
        code = 1;
    }
    std::printf("%s\n", j.dump(-1).c_str());
    std::fflush(stdout);
    app->exit(code);
}

/// The probe's state: one step per shown result.
struct Probe
{
    ui::MainWindow *window = nullptr;
    QApplication *app = nullptr;
    QString out;
    int requests = 50, changes = 40;

    enum class Phase { First, Burst, Layers, Heads, Save, Done } phase = Phase::First;
    QElapsedTimer clock;
    QTimer ticker;
    qint64 lastTick = 0;
    std::vector<double> lateness;
    std::vector<double> saveLateness; ///< the event loop while a session is saved
    std::vector<double> *sink = &lateness;
    double saveMs = 0.0;
    qint64 saveStart = 0;
    int sent = 0;
    qint64 changeStart = 0;
    std::vector<double> layerMs, headMs;
    QString text;

    void tick()
    {
        const qint64 now = clock.nsecsElapsed();
        if (lastTick > 0)
            sink->push_back(std::max(0.0, static_cast<double>(now - lastTick) / 1e6 - kTickMs));
        lastTick = now;
    }

    /// The next input of the burst: the same question with a growing number
    /// of question marks, so every request is a new forward pass.
    void sendNext()
    {
        ++sent;
        auto *edit = window->findChild<QLineEdit *>(QStringLiteral("textInput"));
        edit->setText(text + QString(sent % 2 ? QStringLiteral(" ?") : QString()));
        window->run();
    }

    void changeLayer()
    {
        auto *slider = window->findChild<QSlider *>(QStringLiteral("layerSlider"));
        changeStart = clock.nsecsElapsed();
        slider->setValue(slider->value() == slider->maximum() ? slider->minimum() : slider->value() + 1);
    }

    void changeHead()
    {
        auto *heads = window->findChild<QComboBox *>(QStringLiteral("headSelector"));
        changeStart = clock.nsecsElapsed();
        heads->setCurrentIndex((heads->currentIndex() + 1) % heads->count());
    }

    /// Time from the change to the matrix and heatmap painted.
    double repaintedMs()
    {
        window->findChild<QWidget *>(QStringLiteral("attentionMatrix"))->repaint();
        window->findChild<QWidget *>(QStringLiteral("imageView"))->repaint();
        return static_cast<double>(clock.nsecsElapsed() - changeStart) / 1e6;
    }

    /// Records the repaint after one change and, while changes are left,
    /// makes the next one from the event loop; false when all are done.
    bool measured(std::vector<double> &times, void (Probe::*change)())
    {
        times.push_back(repaintedMs());
        if (++sent >= changes)
            return false;
        QTimer::singleShot(0, app, [this, change] { (this->*change)(); });
        return true;
    }

    void shown()
    {
        if (window->controller()->isBusy())
            return; // a newer request is on its way
        switch (phase) {
        case Phase::First:
            text = window->lastResult().text;
            phase = Phase::Burst;
            ticker.start();
            sendNext();
            return;
        case Phase::Burst:
            if (sent < requests) {
                sendNext();
                return;
            }
            ticker.stop();
            phase = Phase::Layers;
            sent = 0;
            changeLayer();
            return;
        case Phase::Layers:
            if (measured(layerMs, &Probe::changeLayer))
                return;
            phase = Phase::Heads;
            sent = 0;
            QTimer::singleShot(0, app, [this] { changeHead(); });
            return;
        case Phase::Heads:
            if (measured(headMs, &Probe::changeHead))
                return;
            phase = Phase::Save;
            saveSession();
            return;
        case Phase::Save:
        case Phase::Done:
            return;
        }
    }

    /// Saves a session of the result on screen (the model hashed, the image
    /// embedded, the file written) while the ticker measures the event loop.
    void saveSession()
    {
        sink = &saveLateness;
        lastTick = 0;
        ticker.start();
        saveStart = clock.nsecsElapsed();
        const QString file = out + QStringLiteral(".session.attnscope");
        QObject::connect(window, &ui::MainWindow::sessionSaved, app, [this, file](const QString &, const QString &error) {
            ticker.stop();
            saveMs = static_cast<double>(clock.nsecsElapsed() - saveStart) / 1e6;
            QFile::remove(file);
            if (!error.isEmpty())
                std::fprintf(stderr, "attnscope: probe: the session was not saved: %s\n", qPrintable(error));
            phase = Phase::Done;
            finish();
        });
        if (!window->saveSession(file))
            app->exit(1);
    }

    void finish()
    {
        core::Json j = core::Json::object();
        j.set("model", window->lastResult().modelName.toStdString());
        j.set("tokens", static_cast<int>(window->lastResult().layout.size()));
        core::Json burst = summary(lateness);
        burst.set("requests", requests);
        burst.set("timer_ms", kTickMs);
        j.set("event_loop_late_ms", burst);
        j.set("layer_change_ms", summary(layerMs));
        j.set("head_change_ms", summary(headMs));
        core::Json save = summary(saveLateness);
        save.set("save_ms", saveMs);
        j.set("session_save_event_loop_late_ms", save);
        // Each thread's nice value (Linux; /proc/self/task/TID/stat field
        // 19), the GUI thread's apart: the work's threads yield to it.
        core::Json threads = core::Json::object();
        core::Json others = core::Json::array();
        const QString gui = QString::number(QCoreApplication::applicationPid());
        for (const QString &tid : QDir(QStringLiteral("/proc/self/task")).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            QFile stat(QStringLiteral("/proc/self/task/%1/stat").arg(tid));
            if (!stat.open(QIODevice::ReadOnly))
                continue;
            const QByteArray line = stat.readAll();
            const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' '); // after "pid (comm) "
            if (fields.size() < 17)
                continue;
            const int nice = fields[16].toInt(); // field 19 of the whole line
            QFile comm(QStringLiteral("/proc/self/task/%1/comm").arg(tid));
            const std::string name = comm.open(QIODevice::ReadOnly) ? comm.readAll().trimmed().toStdString() : std::string();
            if (tid == gui)
                threads.set("gui", nice);
            else
                others.push(core::Json(core::Json::Object{{"name", core::Json(name)}, {"nice", core::Json(nice)}}));
        }
        threads.set("others", others);
        j.set("thread_nice", threads);
        writeAndQuit(j, out, app);
    }
};

} // namespace

void startUiProbe(ui::MainWindow &window, QApplication &app, const QString &out, int requests, int changes)
{
    auto probe = std::make_shared<Probe>();
    probe->window = &window;
    probe->app = &app;
    probe->out = out;
    probe->requests = requests;
    probe->changes = changes;
    probe->clock.start();
    probe->ticker.setInterval(kTickMs);
    probe->ticker.setTimerType(Qt::PreciseTimer);
    QObject::connect(&probe->ticker, &QTimer::timeout, &app, [probe] { probe->tick(); });
    QObject::connect(&window, &ui::MainWindow::resultShown, &app, [probe] { probe->shown(); });
    QObject::connect(window.controller(), &ui::ExplainController::errorOccurred, &app, [&app](const QString &message) {
        std::fprintf(stderr, "attnscope: probe: %s\n", qPrintable(message));
        app.exit(1);
    });
    // Keep the probe alive as long as the application.
    QObject::connect(&app, &QCoreApplication::aboutToQuit, &app, [probe] { probe->ticker.stop(); });
}

namespace {

struct CancelProbe
{
    ui::MainWindow *window = nullptr;
    QApplication *app = nullptr;
    QString out;
    QString text;
    std::vector<int> delays{100, 300, 600, 1000, 1500, 2500, 4000};
    size_t next = 0;
    bool started = false;
    bool cancelled = false;
    QElapsedTimer clock;
    qint64 cancelAt = 0;
    core::Json rows = core::Json::array();

    void first()
    {
        if (started || window->controller()->isBusy())
            return;
        started = true;
        text = window->lastResult().text;
        auto *method = window->findChild<QComboBox *>(QStringLiteral("methodSelector"));
        method->setCurrentIndex(method->findText(QStringLiteral("Relevance"), Qt::MatchStartsWith));
        QTimer::singleShot(1000, app, [this] { start(); });
    }

    void start()
    {
        if (next >= delays.size()) {
            finish();
            return;
        }
        cancelled = false;
        window->findChild<QLineEdit *>(QStringLiteral("textInput"))->setText(text + QString(static_cast<int>(next) + 1, QLatin1Char('?')));
        window->run();
        clock.start();
        QTimer::singleShot(delays[next], app, [this] {
            cancelled = true;
            cancelAt = clock.nsecsElapsed();
            window->controller()->cancel(); // what Esc does
            window->compareController()->cancel();
        });
    }

    void idle()
    {
        if (!started || !clock.isValid())
            return;
        core::Json row = core::Json::object();
        row.set("cancel_after_ms", delays[next]);
        if (cancelled) {
            row.set("stopped_ms", static_cast<double>(clock.nsecsElapsed() - cancelAt) / 1e6);
        } else {
            row.set("finished_first_ms", static_cast<double>(clock.nsecsElapsed()) / 1e6);
        }
        rows.push(row);
        clock.invalidate();
        ++next;
        // Let a cancel timer that did not fire yet go by.
        QTimer::singleShot(cancelled ? 300 : delays[next - 1] + 300, app, [this] { start(); });
    }

    void finish()
    {
        core::Json j = core::Json::object();
        j.set("model", window->lastResult().modelName.toStdString());
        j.set("tokens", static_cast<int>(window->lastResult().layout.size()));
        j.set("method", "relevance");
        j.set("cancels", rows);
        writeAndQuit(j, out, app);
    }
};

} // namespace

void startCancelProbe(ui::MainWindow &window, QApplication &app, const QString &out)
{
    auto *probe = new CancelProbe;
    probe->window = &window;
    probe->app = &app;
    probe->out = out;
    QObject::connect(&window, &ui::MainWindow::resultShown, &app, [probe] { probe->first(); });
    QObject::connect(window.controller(), &ui::ExplainController::workerIdle, &app, [probe](quint64) { probe->idle(); });
    QObject::connect(&app, &QCoreApplication::aboutToQuit, &app, [probe] { delete probe; });
}

} // namespace attnscope::app
