#pragma once
// Running attnscope from the cli tests: as a program (QProcess), or a
// command inside the test's own process (app::runCli, the same code and
// output without the half second a process of the binary spends loading
// LibTorch and Qt). Programs are for what only a process shows: main()'s
// dispatch, the window, a time limit that ends the process, Qt's PDF writer
// (it needs its own QGuiApplication).
#include "../testsupport.h"
#include "app/cli.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryFile>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <unistd.h>

namespace attnscope::test {

struct Result
{
    int exitCode = -1;
    QString out;
    QString err;
};

inline Result runProgram(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral(ATTNSCOPE_BINARY), args);
    if (!p.waitForFinished(400000)) // generous: CTest runs tests side by side
        return {-1, {}, QStringLiteral("attnscope did not finish within 400 s")};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

/// `attnscope ARGS` (a subcommand) in this process, its standard output and
/// error caught in files for the time it runs.
inline Result runCommand(const QStringList &args)
{
    std::vector<std::string> argv{"attnscope"};
    for (const QString &a : args)
        argv.push_back(a.toStdString());
    QTemporaryFile out, err;
    if (!out.open() || !err.open())
        return {-1, {}, QStringLiteral("could not make files for the output")};
    auto flush = [] {
        std::cout.flush();
        std::cerr.flush();
        std::fflush(stdout);
        std::fflush(stderr);
    };
    flush();
    const int savedOut = ::dup(1), savedErr = ::dup(2);
    ::dup2(out.handle(), 1);
    ::dup2(err.handle(), 2);
    const int code = app::runCli(argv);
    flush();
    ::dup2(savedOut, 1);
    ::dup2(savedErr, 2);
    ::close(savedOut);
    ::close(savedErr);
    auto read = [](const QString &path) {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
    };
    return {code, read(out.fileName()), read(err.fileName())};
}

/// A subcommand in this process, anything else (the window's options) as
/// the program.
inline Result runAttnscope(const QStringList &args)
{
    std::vector<std::string> argv{"attnscope"};
    for (const QString &a : args)
        argv.push_back(a.toStdString());
    return app::isCliCommand(argv) ? runCommand(args) : runProgram(args);
}

/// For runs of the window: offscreen, with settings and cache in `folder`.
inline QProcessEnvironment windowEnvironment(const QString &folder)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("QT_QPA_PLATFORM", "offscreen");
    env.insert("XDG_CONFIG_HOME", folder);
    env.insert("XDG_CACHE_HOME", folder);
    return env;
}

inline QString data(const char *relative)
{
    return QString::fromStdString(dataPath(relative));
}

} // namespace attnscope::test
