// AttnScope entry point: a CLI subcommand, or the window.
#include "app/cli.h"
#include "app/commandline.h"
#include "app/resourcelocator.h"
#include "app/uiprobe.h"
#include "ui/window/mainwindow.h"

#include "ui/worker/explaincontroller.h"

#include "core/engine/memorypolicy.h"

#include <QApplication>
#include <QIcon>
#include <QDir>
#include <QCommandLineParser>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <memory>
#include <vector>

#ifdef __linux__
#include <sys/resource.h>
#include <unistd.h>
#endif

namespace {

/// Takes `--session FILE` (or `--session=FILE`, `-session FILE`) out of the
/// arguments before QApplication sees them: Qt reads "-session" (with one
/// dash or two) as X11 session management's restore key and removes it, so
/// the window never learnt of the file. Returns the file, or an empty string.
std::string takeSessionArgument(int &argc, char **argv)
{
    std::string file;
    int kept = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if ((a == "--session" || a == "-session") && i + 1 < argc) {
            file = argv[++i];
            continue;
        }
        if (a.rfind("--session=", 0) == 0) {
            file = a.substr(10);
            continue;
        }
        argv[kept++] = argv[i];
    }
    argv[kept] = nullptr;
    argc = kept;
    return file;
}

/// A forward pass keeps every core busy: the worker, LibTorch's threads (it
/// starts them) and OpenBLAS's (started when the library loads, before
/// main). At equal priority the GUI thread gets a third of a core on a
/// two-core machine, and a repaint of 30 ms of work shows up 100 ms late. On
/// Linux nice is per thread: the threads that exist now (OpenBLAS's) and the
/// worker (and so the threads it starts) get nice +10, about a tenth of the
/// GUI's weight when both want a core and the whole machine when the GUI is
/// idle. Decided once, here: the libraries leave priorities alone.
void lowerComputeThreadsPriority()
{
#ifdef __linux__
    constexpr int kComputeNice = 10;
    const pid_t gui = ::getpid();
    const QStringList tasks = QDir(QStringLiteral("/proc/self/task")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &task : tasks) {
        bool ok = false;
        const int tid = task.toInt(&ok);
        if (ok && tid != gui)
            ::setpriority(PRIO_PROCESS, static_cast<id_t>(tid), kComputeNice);
    }
    attnscope::ui::ExplainController::setWorkerNice(kComputeNice);
#endif
}

} // namespace

int main(int argc, char *argv[])
{
    // The process's allocator and thread priorities are the application's
    // to set: once, here.
    attnscope::core::returnLargeBlocksToTheSystem();
    attnscope::core::adaptAllocatorToEachModel(true);
    std::vector<std::string> args(argv, argv + argc);
    if (attnscope::app::isCliCommand(args))
        return attnscope::app::runCli(args);

    const std::string sessionFile = takeSessionArgument(argc, argv);
    QApplication app(argc, argv);
    lowerComputeThreadsPriority();
    QApplication::setApplicationName(QStringLiteral("AttnScope"));
    QApplication::setOrganizationName(QStringLiteral("AttnScope"));
    QApplication::setApplicationVersion(QStringLiteral(ATTNSCOPE_VERSION));

    // The window's options, described once (app/commandline.cpp) for this
    // parser and for `attnscope --help`. A bad one: the message, the usage,
    // exit 2, as for the commands.
    QCommandLineParser parser;
    parser.addOptions(attnscope::app::toQtOptions(attnscope::app::windowOptions()));
    if (!parser.parse(QApplication::arguments())) {
        std::fprintf(stderr, "attnscope: %s\n%s", qPrintable(parser.errorText()), attnscope::app::programHelp().c_str());
        return 2;
    }
    const QString model = QStringLiteral("model"), image = QStringLiteral("image"), text = QStringLiteral("text"),
                  screenshot = QStringLiteral("screenshot"), probe = QStringLiteral("probe"),
                  probeRequests = QStringLiteral("probe-requests"), probeCancel = QStringLiteral("probe-cancel"),
                  quitAfter = QStringLiteral("quit-after");

    const attnscope::app::ResourceLocator resources(QString::fromLocal8Bit(argv[0]));
    QApplication::setWindowIcon(QIcon::fromTheme(
        QStringLiteral("attnscope"), QIcon(QDir(resources.root()).filePath(QStringLiteral("resources/icons/hicolor/256x256/attnscope.png")))));
    const QString modelPath = parser.isSet(model) ? parser.value(model) : resources.defaultModel();
    const QString imagePath = parser.isSet(image) ? parser.value(image) : resources.sampleImage();
    const QString question = parser.isSet(text) ? parser.value(text) : resources.sampleText();

    // The tabs in the order the window shows them.
    const QStringList tabs{QStringLiteral("matrix"), QStringLiteral("heads"), QStringLiteral("faithfulness"),
                           QStringLiteral("compare"), QStringLiteral("teaching"), QStringLiteral("zero-shot")};
    const int tab = parser.isSet(QStringLiteral("tab")) ? int(tabs.indexOf(parser.value(QStringLiteral("tab")))) : -1;
    if (parser.isSet(QStringLiteral("tab")) && tab < 0) {
        std::fprintf(stderr, "attnscope: --tab must be one of %s, not \"%s\"\n%s", qPrintable(tabs.join(QStringLiteral(", "))),
                     qPrintable(parser.value(QStringLiteral("tab"))), attnscope::app::programHelp().c_str());
        return 2;
    }

    auto windowOwner = std::make_unique<attnscope::ui::MainWindow>();
    attnscope::ui::MainWindow &window = *windowOwner;
    window.setBundledModels(resources.bundledModels());
    window.setModelProbe(QCoreApplication::applicationFilePath());
    window.show();
    window.showTab(tab);
    if (parser.isSet(screenshot)) {
        const QString file = parser.value(screenshot);
        // Once the first answer is shown and nothing is running any more
        // (the comparison's side B, a faithfulness tab), let the window lay
        // out and paint, then save it.
        auto *poll = new QTimer(&app);
        poll->setInterval(200);
        QObject::connect(poll, &QTimer::timeout, &app, [&window, &app, file, poll] {
            if (window.lastResult().generation == 0 || window.controller()->isBusy() || window.compareController()->isBusy())
                return;
            poll->stop();
            QTimer::singleShot(200, &app, [&window, &app, file] {
                const bool saved = window.grab().save(file, "PNG");
                const attnscope::ui::ExplainResult &r = window.lastResult();
                std::printf("model: %s\nanswer: %s\n", qPrintable(r.modelPath),
                            r.prediction.labels.at(static_cast<size_t>(r.prediction.predicted)).c_str());
                if (!r.pair.isEmpty())
                    std::printf("pair: %s\n", qPrintable(r.pair));
                if (!r.zeroShot.empty())
                    std::printf("zero-shot: %s\n", r.zeroShot.front().caption.c_str());
                std::fflush(stdout);
                app.exit(saved ? 0 : 1);
            });
        });
        poll->start();
        // An error still gets its screenshot (the message above the image),
        // and exit code 1.
        QObject::connect(window.controller(), &attnscope::ui::ExplainController::errorOccurred, &app,
                         [&window, &app, file, poll](const QString &message) {
                             poll->stop();
                             std::fprintf(stderr, "attnscope: error: %s\n", qPrintable(message));
                             QTimer::singleShot(200, &app, [&window, &app, file] {
                                 window.grab().save(file, "PNG");
                                 app.exit(1);
                             });
                         });
        QTimer::singleShot(120000, &app, [&app] { app.exit(2); });
    }
    if (parser.isSet(probe))
        attnscope::app::startUiProbe(window, app, parser.value(probe), std::max(1, parser.isSet(probeRequests) ? parser.value(probeRequests).toInt() : 50));
    if (parser.isSet(quitAfter)) {
        bool ok = false;
        const double seconds = parser.value(quitAfter).toDouble(&ok);
        if (!ok || !(seconds >= 0) || seconds > 7 * 24 * 3600.0) {
            std::fprintf(stderr, "attnscope: --quit-after needs a number of seconds\n");
            return 2;
        }
        QTimer::singleShot(static_cast<int>(seconds * 1000), &window, &QWidget::close);
    }
    if (parser.isSet(probeCancel))
        attnscope::app::startCancelProbe(window, app, parser.value(probeCancel));
    if (!sessionFile.empty()) {
        if (!window.openSession(QString::fromLocal8Bit(sessionFile.c_str())) && parser.isSet(screenshot))
            return 1;
    } else {
        window.open(modelPath, imagePath, question, parser.value(QStringLiteral("text-pair")),
                    parser.values(QStringLiteral("candidate")));
    }
    const int code = app.exec();
    windowOwner.reset(); // saves the settings, stops the workers
    // A worker stuck in a forward pass that never returns was left running:
    // end the process now rather than run exit handlers beside it.
    if (attnscope::ui::ExplainController::abandonedWorkers() > 0) {
        std::fflush(nullptr);
        std::_Exit(code);
    }
    return code;
}
