// runWithCpuFallback: GPU out-of-memory at any step of a piece of work runs
// the whole work again on the CPU; nothing else is retried. The errors are
// the ones LibTorch raises: its OutOfMemoryError, the same raised inside a
// scripted model, the CPU allocator's refusal.
#include "core/engine/device.h"
#include "core/engine/errormessage.h"
#include "core/error.h"

#include "../../torchsupport.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <QTest>

#include <vector>

using namespace attnscope::core;

namespace {

[[noreturn]] void cudaOutOfMemory()
{
    TORCH_CHECK_WITH(OutOfMemoryError, false, "CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 7.79 GiB total capacity)");
    throw std::logic_error("unreachable");
}

// A scripted model that runs out of memory inside its forward: TorchScript
// hands the error on as its interpreter's traceback.
[[noreturn]] void cudaOutOfMemoryInScript()
{
    const auto unit = torch::jit::compile("def forward(x):\n"
                                          "    raise RuntimeError('CUDA out of memory. Tried to allocate 512.00 MiB')\n");
    unit->get_function("forward")({torch::ones({1})});
    throw std::logic_error("the scripted function returned");
}

} // namespace

class TestDeviceFallback : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void outOfMemoryAtAnyStepRunsAllOnTheCpu_data();
    void outOfMemoryAtAnyStepRunsAllOnTheCpu();
    void otherErrorsAreNotRetried();
    void cpuAllocationFailureIsNotAGpuOne();
};

void TestDeviceFallback::outOfMemoryAtAnyStepRunsAllOnTheCpu_data()
{
    QTest::addColumn<int>("failingStep"); // 0: the forward pass, 1: the gradient rerun, 2: a perturbation batch
    QTest::addColumn<int>("kind");        // 0: OutOfMemoryError, 1: inside a script, 2: Error(OutOfMemory)
    for (int step = 0; step < 3; ++step)
        for (int kind = 0; kind < 3; ++kind)
            QTest::addRow("step %d, kind %d", step, kind) << step << kind;
}

void TestDeviceFallback::outOfMemoryAtAnyStepRunsAllOnTheCpu()
{
    QFETCH(int, failingStep);
    QFETCH(int, kind);
    std::vector<DeviceChoice> calls;
    std::vector<int> stepsDone;
    const bool fellBack = runWithCpuFallback(DeviceChoice::Cuda, [&](DeviceChoice device) {
        calls.push_back(device);
        stepsDone.clear();
        for (int step = 0; step < 3; ++step) {
            if (device != DeviceChoice::Cpu && step == failingStep) {
                if (kind == 0)
                    cudaOutOfMemory();
                if (kind == 1)
                    cudaOutOfMemoryInScript();
                throw Error("m.pt: the model's forward failed: CUDA out of memory", Error::Kind::OutOfMemory);
            }
            stepsDone.push_back(step);
        }
    });
    QVERIFY(fellBack);
    QCOMPARE(calls, (std::vector<DeviceChoice>{DeviceChoice::Cuda, DeviceChoice::Cpu}));
    QCOMPARE(stepsDone, (std::vector<int>{0, 1, 2})); // all of it again, none kept from the GPU attempt
}

void TestDeviceFallback::otherErrorsAreNotRetried()
{
    int calls = 0;
    // Already on the CPU: nowhere to go.
    QVERIFY_THROWS_EXCEPTION(c10::OutOfMemoryError, runWithCpuFallback(DeviceChoice::Cpu, [&](DeviceChoice) {
        ++calls;
        cudaOutOfMemory();
    }));
    QCOMPARE(calls, 1);
    calls = 0;
    QVERIFY(!runWithCpuFallback(DeviceChoice::Auto, [&](DeviceChoice) { ++calls; }));
    QCOMPARE(calls, 1);
    if (!cudaAvailable()) {
        // Auto without CUDA is the CPU: the same error again would be all a rerun gives.
        calls = 0;
        QVERIFY_THROWS_EXCEPTION(c10::OutOfMemoryError, runWithCpuFallback(DeviceChoice::Auto, [&](DeviceChoice) {
            ++calls;
            cudaOutOfMemory();
        }));
        QCOMPARE(calls, 1);
    }
    // A real shape error, a cancel and a bad file are what they are.
    calls = 0;
    QVERIFY_THROWS_EXCEPTION(c10::Error, runWithCpuFallback(DeviceChoice::Cuda, [&](DeviceChoice) {
        ++calls;
        torch::matmul(torch::ones({2, 3}), torch::ones({2, 3}));
    }));
    QCOMPARE(calls, 1);
    for (const Error::Kind kind : {Error::Kind::Cancelled, Error::Kind::General}) {
        calls = 0;
        QVERIFY_THROWS_EXCEPTION(Error, runWithCpuFallback(DeviceChoice::Cuda, [&](DeviceChoice) {
            ++calls;
            throw Error("stopped", kind);
        }));
        QCOMPARE(calls, 1);
    }
}

// 2^50 floats on the CPU: the allocator refuses at once. That is not the GPU
// running out: the CPU is where the fallback would go.
void TestDeviceFallback::cpuAllocationFailureIsNotAGpuOne()
{
#if defined(__SANITIZE_ADDRESS__)
    QSKIP("AddressSanitizer stops the process on a 4 PB request instead of failing it");
#endif
    const std::exception_ptr failure = attnscope::test::cpuAllocationFailure();
    QVERIFY2(failure, "a 4 PB tensor was allocated");
    try {
        std::rethrow_exception(failure);
    } catch (const std::exception &e) {
        QVERIFY(!isDeviceOutOfMemory(e));
    }
    try {
        cudaOutOfMemoryInScript();
    } catch (const std::exception &e) {
        QVERIFY2(isDeviceOutOfMemory(e), e.what());
    }
}

QTEST_APPLESS_MAIN(TestDeviceFallback)
#include "tst_devicefallback.moc"
