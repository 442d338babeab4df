// The one line a user reads for LibTorch's, OpenCV's and the standard
// library's own exceptions: real ones, raised by the libraries themselves.
#include "core/engine/errormessage.h"
#include "core/error.h"

#include "../../torchsupport.h"

#include <torch/torch.h>

#include <QTest>

#include <opencv2/imgproc.hpp>

using namespace attnscope::core;

class TestErrorMessage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void coreErrorsAsTheyAre();
    void torchErrorsWithoutBacktrace();
    void allocationFailureIsAboutMemory();
    void openCvErrorsWithoutFileAndLine();
    void otherExceptionsByTheirFirstLine();
};

void TestErrorMessage::coreErrorsAsTheyAre()
{
    QCOMPARE(errorMessage(Error("m.pt: has no AttnScope manifest")), std::string("m.pt: has no AttnScope manifest"));
}

void TestErrorMessage::torchErrorsWithoutBacktrace()
{
    try {
        torch::matmul(torch::ones({2, 3}), torch::ones({2, 3}));
        QFAIL("matmul of 2x3 by 2x3 did not throw");
    } catch (const std::exception &e) {
        const std::string raw = e.what();
        QVERIFY2(raw.find('\n') != std::string::npos, "LibTorch's message is expected to carry a backtrace");
        const std::string line = errorMessage(e);
        QVERIFY2(line.rfind("PyTorch could not run this step: ", 0) == 0, line.c_str());
        QVERIFY2(line.find("cannot be multiplied") != std::string::npos, line.c_str());
        QVERIFY2(line.find('\n') == std::string::npos, line.c_str());
        QVERIFY2(line.find("Exception raised from") == std::string::npos, line.c_str());
    }
}

// 2^50 floats: 4 PB. LibTorch's CPU allocator refuses it at once with
// "[enforce fail at alloc_cpu.cpp:...] ... can't allocate memory: you tried
// to allocate 4503599627370496 bytes".
void TestErrorMessage::allocationFailureIsAboutMemory()
{
    QVERIFY(errorMessage(std::bad_alloc()).rfind("not enough memory for this step", 0) == 0);
#if defined(__SANITIZE_ADDRESS__)
    QSKIP("AddressSanitizer stops the process on a 4 PB request instead of failing it");
#endif
    const std::exception_ptr failure = attnscope::test::cpuAllocationFailure();
    QVERIFY2(failure, "a 4 PB tensor was allocated");
    try {
        std::rethrow_exception(failure);
    } catch (const std::exception &e) {
        const std::string line = errorMessage(e);
        QCOMPARE(line, std::string("not enough memory: this step needed another 4194304.0 GB; try a smaller image or "
                                   "text, or close other programs"));
    }
}

void TestErrorMessage::openCvErrorsWithoutFileAndLine()
{
    try {
        cv::Mat empty, out;
        cv::resize(empty, out, cv::Size(4, 4));
        QFAIL("resizing an empty image did not throw");
    } catch (const std::exception &e) {
        const std::string line = errorMessage(e);
        QVERIFY2(line.rfind("the image could not be processed: (-215:Assertion failed) !ssize.empty()", 0) == 0, line.c_str());
        QVERIFY2(line.find(".cpp") == std::string::npos && line.find("in function") == std::string::npos, line.c_str());
    }
}

void TestErrorMessage::otherExceptionsByTheirFirstLine()
{
    QCOMPARE(errorMessage(std::runtime_error("first\nsecond")), std::string("first"));
}

QTEST_APPLESS_MAIN(TestErrorMessage)
#include "tst_errormessage.moc"
