// Files AttnScope writes survive being killed at any moment: the target is
// always the old version or the new one, never a torn file; a full disk gives
// an error and leaves the original. The writer is a separate process
// (atomic_writer) killed with SIGKILL at random moments.
#include "tst_atomicwrite_contents.h"

#include "core/error.h"
#include "core/io/textfile.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <sys/stat.h>

using namespace attnscope;

class TestAtomicWrite : public QObject
{
    Q_OBJECT

private:
    /// Starts the writer, lets it run for a random while, kills it.
    static void runAndKill(const QStringList &arguments, int minMs, int maxMs, QRandomGenerator &random)
    {
        QProcess writer;
        writer.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        writer.start(QStringLiteral(ATTNSCOPE_ATOMIC_WRITER), arguments);
        QVERIFY2(writer.waitForStarted(10000), qPrintable(writer.errorString()));
        QVERIFY(writer.waitForReadyRead(30000)); // "started": loaded, about to write
        QThread::msleep(static_cast<unsigned long>(random.bounded(minMs, maxMs)));
        writer.kill(); // SIGKILL: no chance to clean up
        QVERIFY(writer.waitForFinished(10000));
        QCOMPARE(writer.exitStatus(), QProcess::CrashExit);
    }

    static QStringList strayTemporaries(const QDir &dir)
    {
        return dir.entryList({QStringLiteral("*.tmp-*")}, QDir::Files);
    }

private slots:
    void killedWhileSaving()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("session.attnscope.json"));
        const std::string versions[2] = {atomicwrite::version(0), atomicwrite::version(1)};
        core::TextFile::write(path.toStdString(), versions[0]);
        QRandomGenerator random(20261121);
        int seen[2] = {0, 0};
        for (int i = 0; i < 120; ++i) {
            runAndKill({QStringLiteral("core"), path}, 0, 50, random);
            const std::string content = core::TextFile::read(path.toStdString());
            const int which = content == versions[0] ? 0 : content == versions[1] ? 1 : -1;
            QVERIFY2(which >= 0, qPrintable(QStringLiteral("kill %1 left a torn file of %2 bytes starting \"%3\"")
                                                .arg(i)
                                                .arg(content.size())
                                                .arg(QString::fromStdString(content.substr(0, 10)).trimmed())));
            ++seen[which];
            for (const QString &stray : strayTemporaries(dir.path()))
                QFile::remove(dir.filePath(stray)); // what a kill may leave beside the file
        }
        // Both versions were on disk at some kill: the writer really was
        // replacing the file while it was killed.
        QVERIFY2(seen[0] > 0 && seen[1] > 0, qPrintable(QStringLiteral("seen %1 / %2").arg(seen[0]).arg(seen[1])));
    }

    void killedWhileExporting()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("view.png"));
        QRandomGenerator random(1121);
        int seen[2] = {0, 0};
        const QSize sizes[2] = {QSize(atomicwrite::kExportWidth, atomicwrite::kExportHeight) * atomicwrite::exportDpi(0) / 96,
                                QSize(atomicwrite::kExportWidth, atomicwrite::kExportHeight) * atomicwrite::exportDpi(1) / 96};
        for (int i = 0; i < 30; ++i) {
            runAndKill({QStringLiteral("export"), path}, 0, 400, random);
            if (!QFile::exists(path))
                continue; // killed before the first export finished: no file, not a torn one
            QImage image;
            QVERIFY2(image.load(path, "PNG"), qPrintable(QStringLiteral("kill %1 left an unreadable PNG").arg(i)));
            const int which = image.size() == sizes[0] ? 0 : image.size() == sizes[1] ? 1 : -1;
            QVERIFY2(which >= 0, qPrintable(QStringLiteral("kill %1 left a PNG of %2x%3")
                                                .arg(i)
                                                .arg(image.width())
                                                .arg(image.height())));
            ++seen[which];
        }
        QVERIFY2(seen[0] > 0 && seen[1] > 0, qPrintable(QStringLiteral("seen %1 / %2").arg(seen[0]).arg(seen[1])));
    }

    void fullDiskKeepsTheOriginal()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("session.attnscope.json"));
        const std::string original = "{\"format\": \"attnscope-session/1\"}\n";
        core::TextFile::write(path.toStdString(), original);
        QProcess writer;
        // The writer may write at most 1 MB per file: its 4 MB save fails
        // part-way, as on a full disk.
        writer.start(QStringLiteral(ATTNSCOPE_ATOMIC_WRITER), {QStringLiteral("limited"), path, QStringLiteral("1048576")});
        QVERIFY(writer.waitForFinished(30000));
        QCOMPARE(writer.exitStatus(), QProcess::NormalExit);
        QCOMPARE(writer.exitCode(), 1);
        const QString message = QString::fromUtf8(writer.readAllStandardError());
        QVERIFY2(message.contains(QStringLiteral("the disk is full or the file is too large")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("the original file is unchanged")), qPrintable(message));
        QVERIFY2(message.startsWith(path), qPrintable(message));
        QCOMPARE(core::TextFile::read(path.toStdString()), original);
        QVERIFY(strayTemporaries(dir.path()).isEmpty());
    }

    // A new file gets the mode the umask allows; a replaced file keeps its own.
    void keepsPermissions()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string fresh = dir.filePath(QStringLiteral("private.json")).toStdString();
        const mode_t previous = ::umask(077);
        core::TextFile::write(fresh, "{}");
        ::umask(previous);
        struct stat st{};
        QCOMPARE(::stat(fresh.c_str(), &st), 0);
        QCOMPARE(st.st_mode & 0777, mode_t(0600));
        QCOMPARE(::chmod(fresh.c_str(), 0640), 0);
        core::TextFile::write(fresh, "{\"again\": 1}");
        QCOMPARE(::stat(fresh.c_str(), &st), 0);
        QCOMPARE(st.st_mode & 0777, mode_t(0640));
    }

    void unwritableFolderIsAnError()
    {
        QVERIFY_THROWS_EXCEPTION(core::Error, core::TextFile::write("/proc/attnscope/none.json", "x"));
    }
};

QTEST_GUILESS_MAIN(TestAtomicWrite)
#include "tst_atomicwrite.moc"
