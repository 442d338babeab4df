// A writer for tst_atomicwrite to kill: it saves two different versions of a
// file, one after the other, forever, through AttnScope's own write paths.
//
//   atomic_writer core PATH          core::AtomicFile::write (sessions, JSON, PNG, NPY)
//   atomic_writer limited PATH BYTES one write with the file size limited to
//                                    BYTES, as on a full disk; prints the error
//   atomic_export_writer export PATH ui::ViewExporter::png (AtomicFile::device; exports)
//
// Built twice: atomic_writer links only the file-format library, so the 120
// kills of the test each start a small program; atomic_export_writer (with
// ATOMIC_WRITER_EXPORT) links the widgets it exports.
#include "tst_atomicwrite_contents.h"

#include "core/io/atomicfile.h"
#include "core/error.h"
#include "core/io/textfile.h"

#ifdef ATOMIC_WRITER_EXPORT
#include "ui/export/viewexporter.h"

#include <QApplication>
#include <QLabel>
#endif

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <sys/resource.h>

namespace {

/// One line before and one after each write: the test times the writes,
/// kills the writer part-way through a later one, however fast or slow this
/// machine is, and knows from the last line whether the kill came mid-write.
void say(const char *line)
{
    std::printf("%s\n", line);
    std::fflush(stdout);
}

void writing()
{
    say("writing");
}

void wrote()
{
    say("wrote");
}

} // namespace

int main(int argc, char **argv)
{
    using namespace attnscope;
    if (argc < 3) {
        std::fprintf(stderr, "usage: atomic_writer core|export|limited PATH [BYTES]\n");
        return 2;
    }
    const std::string mode = argv[1];
    const std::string path = argv[2];
    try {
        // "started" once loaded, so the test's random delay starts with the
        // writes, not with the loading of the libraries. Version 1 comes
        // first: the test starts from version 0.
        if (mode == "core") {
            const std::string versions[2] = {atomicwrite::version(0), atomicwrite::version(1)};
            std::printf("started\n");
            std::fflush(stdout);
            for (unsigned long i = 1;; ++i) {
                writing();
                core::AtomicFile::write(path, versions[i % 2]);
                wrote();
            }
        }
#ifdef ATOMIC_WRITER_EXPORT
        if (mode == "export") {
            QApplication app(argc, argv);
            QLabel label(QStringLiteral("AttnScope export"));
            label.resize(atomicwrite::kExportWidth, atomicwrite::kExportHeight);
            std::printf("started\n");
            std::fflush(stdout);
            for (unsigned long i = 0;; ++i) {
                writing();
                ui::ViewExporter::png(&label, QString::fromStdString(path), atomicwrite::exportDpi(i % 2));
                wrote();
            }
        }
#endif
        if (mode == "limited" && argc == 4) {
            std::signal(SIGXFSZ, SIG_IGN); // the write fails with EFBIG instead of killing us
            const rlimit limit{static_cast<rlim_t>(std::atoll(argv[3])), static_cast<rlim_t>(std::atoll(argv[3]))};
            setrlimit(RLIMIT_FSIZE, &limit);
            core::AtomicFile::write(path, atomicwrite::version(1));
            return 0;
        }
    } catch (const core::Error &e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    std::fprintf(stderr, "usage: atomic_writer core|export|limited PATH [BYTES]\n");
    return 2;
}
