#pragma once

// Shared by the test executables: where the test data is, and comparisons
// of float vectors against expected values with a stated tolerance.

#include "core/json/json.h"
#include "core/io/textfile.h"

#include <QFile>
#include <QTest>

#include <cmath>
#include <string>
#include <vector>

#include <unistd.h>

namespace attnscope::test {

inline std::string dataPath(const std::string &relative)
{
    return std::string(ATTNSCOPE_TEST_DATA) + "/" + relative;
}

inline core::Json readJson(const std::string &path)
{
    return core::Json::parse(core::TextFile::read(path), path);
}

inline std::vector<float> floatsOf(const core::Json &array)
{
    std::vector<float> out;
    for (const auto &v : array.toArray())
        out.push_back(static_cast<float>(v.toNumber()));
    return out;
}

/// Largest absolute difference, or infinity when the sizes differ.
inline double maxDifference(const std::vector<float> &actual, const std::vector<float> &expected)
{
    if (actual.size() != expected.size())
        return INFINITY;
    double worst = 0.0;
    for (size_t i = 0; i < actual.size(); ++i)
        worst = std::max(worst, std::fabs(static_cast<double>(actual[i]) - expected[i]));
    return worst;
}

/// The tolerance the issue sets (1e-4), tightened to 1e-3 of the largest
/// expected magnitude for small-valued vectors.
inline double toleranceFor(const std::vector<float> &expected, double absolute = 1e-4)
{
    double scale = 0.0;
    for (float v : expected)
        scale = std::max(scale, std::fabs(static_cast<double>(v)));
    return std::min(absolute, std::max(1e-3 * scale, 1e-7));
}

/// One input of the malformed corpus (tests/data/malformed/expected.json,
/// written by attnscope.make_malformed_corpus, models/attnscope/).
struct CorpusEntry
{
    std::string kind;  ///< "images", "models", "texts" or "sessions"
    std::string file;  ///< relative to the test data folder
    std::string error; ///< the message it must give; empty when it must work
    int width = -1, height = -1;  ///< images that must open: their size
    int words = -1, dropped = -1; ///< texts: words, and words cut by truncation
    const core::Json *json = nullptr; ///< the whole entry (owned by the corpus)

    /// A QTest row name: "images: bomb.png".
    std::string name() const { return kind + ": " + file.substr(file.rfind('/') + 1); }
};

/// The corpus's entries, of all kinds or of one.
inline const std::vector<CorpusEntry> &malformedCorpus()
{
    static const core::Json expected = readJson(dataPath("malformed/expected.json"));
    static const std::vector<CorpusEntry> entries = [] {
        std::vector<CorpusEntry> out;
        for (const char *kind : {"images", "models", "texts", "sessions"}) {
            for (const core::Json &j : expected.find(kind)->toArray()) {
                CorpusEntry e;
                e.kind = kind;
                e.json = &j;
                e.file = j.find("file")->toString();
                if (const core::Json *error = j.find("error"))
                    e.error = error->toString();
                if (const core::Json *size = j.find("size")) {
                    e.width = static_cast<int>(size->toArray()[0].toNumber());
                    e.height = static_cast<int>(size->toArray()[1].toNumber());
                }
                if (const core::Json *words = j.find("words"))
                    e.words = static_cast<int>(words->toNumber());
                if (const core::Json *dropped = j.find("dropped"))
                    e.dropped = static_cast<int>(dropped->toNumber());
                out.push_back(e);
            }
        }
        return out;
    }();
    return entries;
}

/// Resident memory of this process in bytes, from /proc/self/statm; -1 when unreadable.
inline qint64 residentBytes()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? fields[1].toLongLong() * ::sysconf(_SC_PAGESIZE) : -1;
}

} // namespace attnscope::test

#define ATTNSCOPE_COMPARE_FLOATS(actual, expected)                                                          \
    do {                                                                                                    \
        const auto &a_ = (actual);                                                                          \
        const auto &e_ = (expected);                                                                        \
        QCOMPARE(a_.size(), e_.size());                                                                     \
        const double d_ = attnscope::test::maxDifference(a_, e_);                                           \
        const double t_ = attnscope::test::toleranceFor(e_);                                                \
        if (!(d_ <= t_))                                                                                    \
            QFAIL(qPrintable(QStringLiteral("%1 differs from the reference by %2 (tolerance %3)")           \
                                 .arg(QString::fromLatin1(#actual)).arg(d_).arg(t_)));                      \
    } while (0)
