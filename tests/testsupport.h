#pragma once

// Shared by the test executables: where the test data is, and comparisons
// of float vectors against expected values with a stated tolerance.

#include "core/json/json.h"
#include "core/io/textfile.h"

#include <QTest>

#include <cmath>
#include <string>
#include <vector>

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
