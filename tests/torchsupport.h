#pragma once

// For tests of core internals on tensors: small matrices written as rows, and
// an exact-to-1e-6 comparison.

#include <torch/script.h>

#include <QTest>

#include <exception>
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

/// Asks LibTorch's CPU allocator for 2^50 floats (4 PB), which it refuses at
/// once: "[enforce fail at alloc_cpu.cpp:...] ... can't allocate memory".
/// Returns what it threw; AddressSanitizer stops the process instead, so
/// callers skip under it.
inline std::exception_ptr cpuAllocationFailure()
{
    try {
        const torch::Tensor t = torch::empty({int64_t(1) << 50}, torch::kFloat32);
    } catch (...) {
        return std::current_exception();
    }
    return {};
}

} // namespace attnscope::test
