#pragma once

// For tests of core internals on tensors: small matrices written as rows, and
// an exact-to-1e-6 comparison.

#include <torch/script.h>

#include <QTest>

#include <vector>

namespace attnscope::test {

inline torch::Tensor rows(std::vector<std::vector<float>> values)
{
    std::vector<torch::Tensor> out;
    for (auto &r : values)
        out.push_back(torch::tensor(r));
    return torch::stack(out);
}

inline void compareMatrix(const torch::Tensor &actual, const torch::Tensor &expected)
{
    QCOMPARE(actual.sizes().vec(), expected.sizes().vec());
    const double worst = (actual - expected).abs().max().item<double>();
    QVERIFY2(worst < 1e-6, qPrintable(QStringLiteral("differs by %1").arg(worst)));
}

} // namespace attnscope::test
