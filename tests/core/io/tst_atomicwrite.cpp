// Files AttnScope writes survive being killed at any moment: the target is
// always the old version or the new one, never a torn file; a full disk gives
// an error and leaves the original. The writer is a separate process
// (atomic_writer) killed with SIGKILL at random moments.
#include "tst_atomicwrite_contents.h"

#include "core/io/atomicfile.h"
#include "core/error.h"
#include "core/io/textfile.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <algorithm>

#include <sys/stat.h>

using namespace attnscope;

class TestAtomicWrite : public QObject
{
    Q_OBJECT

private:
    /// Reads the writer's stdout until `count` more lines say `line`;
    /// `last` keeps the last line read.
    static bool waitForLines(QProcess &writer, const QByteArray &line, int count, QByteArray &last)
    {
        while (count > 0) {
            while (count > 0 && writer.canReadLine()) {
                last = writer.readLine().trimmed();
                if (last == line)
                    --count;
            }
            if (count > 0 && !writer.waitForReadyRead(60000))
                return false;
        }
        return true;
    }

    /// Starts the writer, lets it finish 1 or 2 writes, then kills it at a
    /// random point of the next one. The point is a fraction of the time the
    /// writes took here, so the kill lands mid-write on a fast machine and on
    /// a loaded one under a sanitizer alike. `midWrite`: the kill came after
    /// the writer said it began a write and before it said it was done.
    static void runAndKill(const QStringList &arguments, QRandomGenerator &random, bool *midWrite = nullptr)
    {
        QByteArray last;
        QProcess writer;
        writer.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        const bool exporting = arguments.value(0) == QStringLiteral("export");
        writer.start(QString::fromUtf8(exporting ? ATTNSCOPE_EXPORT_WRITER : ATTNSCOPE_ATOMIC_WRITER), arguments);
        QVERIFY2(writer.waitForStarted(10000), qPrintable(writer.errorString()));
        QVERIFY(waitForLines(writer, "started", 1, last)); // loaded, about to write
        QElapsedTimer clock;
        clock.start();
        QVERIFY(waitForLines(writer, "wrote", 1, last)); // the first write sets the pace
        const qint64 perWrite = std::max<qint64>(1, clock.elapsed());
        const int more = random.bounded(0, 2);
        QVERIFY(waitForLines(writer, "wrote", more, last));
        QThread::msleep(static_cast<unsigned long>(random.bounded(0, static_cast<int>(perWrite) + 1)));
        writer.kill(); // SIGKILL: no chance to clean up
        QVERIFY(writer.waitForFinished(10000));
        QCOMPARE(writer.exitStatus(), QProcess::CrashExit);
        for (const QByteArray &line : writer.readAllStandardOutput().split('\n')) {
            if (!line.trimmed().isEmpty())
                last = line.trimmed();
        }
        if (midWrite)
            *midWrite = last == "writing";
    }

    /// Anything in the folder but the file itself.
    static QStringList strayTemporaries(const QDir &dir, const QString &file = QStringLiteral("session.attnscope.json"))
    {
        QStringList names = dir.entryList(QDir::Files | QDir::Hidden);
        names.removeAll(file);
        return names;
    }

private slots:
    void killedWhileSaving()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("session.attnscope.json"));
        const std::string versions[2] = {atomicwrite::version(0), atomicwrite::version(1)};
        core::AtomicFile::write(path.toStdString(), versions[0]);
        QRandomGenerator random(20261121);
        int seen[2] = {0, 0};
        int midWrite = 0;
        for (int i = 0; i < 120; ++i) {
            bool killedMidWrite = false;
            runAndKill({QStringLiteral("core"), path}, random, &killedMidWrite);
            const std::string content = core::TextFile::read(path.toStdString());
            const int which = content == versions[0] ? 0 : content == versions[1] ? 1 : -1;
            QVERIFY2(which >= 0, qPrintable(QStringLiteral("kill %1 left a torn file of %2 bytes starting \"%3\"")
                                                .arg(i)
                                                .arg(content.size())
                                                .arg(QString::fromStdString(content.substr(0, 10)).trimmed())));
            ++seen[which];
            midWrite += killedMidWrite ? 1 : 0;
            // The temporary gets a name only just before it takes the file's
            // place: a kill in that moment may leave it beside the file.
            for (const QString &stray : strayTemporaries(dir.path()))
                QFile::remove(dir.filePath(stray));
        }
        QVERIFY2(seen[0] > 0 && seen[1] > 0, qPrintable(QStringLiteral("seen %1 / %2").arg(seen[0]).arg(seen[1])));
        // The test did kill the writer while it was replacing the file.
        QVERIFY2(midWrite > 0, "no kill came while a write was under way");
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
            runAndKill({QStringLiteral("export"), path}, random);
            QVERIFY2(QFile::exists(path), "the writer was killed after a finished export, yet no file is there");
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
        core::AtomicFile::write(path.toStdString(), original);
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
        core::AtomicFile::write(fresh, "{}");
        ::umask(previous);
        struct stat st{};
        QCOMPARE(::stat(fresh.c_str(), &st), 0);
        QCOMPARE(st.st_mode & 0777, mode_t(0600));
        QCOMPARE(::chmod(fresh.c_str(), 0640), 0);
        core::AtomicFile::write(fresh, "{\"again\": 1}");
        QCOMPARE(::stat(fresh.c_str(), &st), 0);
        QCOMPARE(st.st_mode & 0777, mode_t(0640));
    }

    // A session saved through a symlink (a dotfiles folder, a shared drive)
    // replaces the file the link points to; the link stays a link.
    void symlinkedTargetStaysALink()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString target = dir.filePath(QStringLiteral("real.json"));
        const QString link = dir.filePath(QStringLiteral("link.json"));
        core::AtomicFile::write(target.toStdString(), "old");
        QVERIFY(QFile::link(target, link));
        core::AtomicFile::write(link.toStdString(), "new");
        QVERIFY(QFileInfo(link).isSymLink());
        QCOMPARE(QFileInfo(link).symLinkTarget(), target);
        QCOMPARE(core::TextFile::read(target.toStdString()), std::string("new"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden | QDir::System).size(), 2);
    }

    void unwritableFolderIsAnError()
    {
        QVERIFY_THROWS_EXCEPTION(core::Error, core::AtomicFile::write("/proc/attnscope/none.json", "x"));
    }
};

QTEST_GUILESS_MAIN(TestAtomicWrite)
#include "tst_atomicwrite.moc"
