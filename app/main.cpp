// AttnScope entry point: a CLI subcommand, or the window.
#include "app/cli.h"
#include "app/resourcelocator.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFile>

#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char *argv[])
{
    std::vector<std::string> args(argv, argv + argc);
    if (attnscope::app::isCliCommand(args))
        return attnscope::app::runCli(args);

    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("AttnScope"));
    QApplication::setOrganizationName(QStringLiteral("AttnScope"));
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("See inside multimodal transformers. "
                                                    "Subcommands: info, explain, eval (attnscope help)."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption model(QStringLiteral("model"), QStringLiteral("Model file (.pt) to open."), QStringLiteral("file"));
    const QCommandLineOption image(QStringLiteral("image"), QStringLiteral("Image to open."), QStringLiteral("file"));
    const QCommandLineOption text(QStringLiteral("text"), QStringLiteral("Question or caption."), QStringLiteral("text"));
    parser.addOptions({model, image, text});
    parser.process(app);

    const attnscope::app::ResourceLocator resources(QString::fromLocal8Bit(argv[0]));
    const QString modelPath = parser.isSet(model) ? parser.value(model) : resources.defaultModel();
    const QString imagePath = parser.isSet(image) ? parser.value(image) : resources.sampleImage();
    const QString question = parser.isSet(text) ? parser.value(text) : resources.sampleText();

    attnscope::ui::MainWindow window;
    window.show();
    window.open(modelPath, imagePath, question);
    return app.exec();
}
