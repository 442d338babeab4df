// CancelScope: every LibTorch operator its thread runs asks the scope's
// predicate first; the answer "stop" makes the operator throw, "go on"
// leaves the numbers exactly as without a scope.
#include "core/engine/cancelscope.h"
#include "core/error.h"

#include <torch/torch.h>

#include <QTest>

#include <atomic>

using namespace attnscope::core;

class TestCancelScope : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void unstoppedOperatorsGiveTheSameNumbers();
    void stopMakesTheNextOperatorThrow();
    void innermostScopeIsAsked();
    void stopsInsideABackwardPass();
};

void TestCancelScope::unstoppedOperatorsGiveTheSameNumbers()
{
    torch::manual_seed(3);
    const torch::Tensor a = torch::randn({7, 5});
    const torch::Tensor b = torch::randn({5, 4});
    const torch::Tensor expected = torch::softmax(a.matmul(b), 1);
    int asked = 0;
    torch::Tensor inside;
    {
        const CancelScope scope([&] { ++asked; return false; });
        inside = torch::softmax(a.matmul(b), 1);
    }
    QVERIFY(torch::equal(inside, expected));
    QVERIFY2(asked >= 2, "matmul and softmax each ask before they run");
    const int before = asked;
    (void)torch::softmax(a.matmul(b), 1);
    QCOMPARE(asked, before); // out of the scope nothing asks
}

void TestCancelScope::stopMakesTheNextOperatorThrow()
{
    const torch::Tensor a = torch::ones({3, 3});
    std::atomic<bool> stop{false};
    const CancelScope scope([&] { return stop.load(); });
    QCOMPARE(a.matmul(a).sum().item<float>(), 27.0f);
    QVERIFY(!CancelScope::stoppedHere());
    stop = true;
    try {
        (void)a.matmul(a);
        QFAIL("the operator ran after the stop");
    } catch (const Error &e) {
        QCOMPARE(e.kind(), Error::Kind::Cancelled);
    }
    QVERIFY(CancelScope::stoppedHere());
}

void TestCancelScope::innermostScopeIsAsked()
{
    const torch::Tensor a = torch::ones({2, 2});
    int outerAsked = 0, innerAsked = 0;
    const CancelScope outer([&] { ++outerAsked; return false; });
    {
        const CancelScope inner([&] { ++innerAsked; return true; });
        QVERIFY_THROWS_EXCEPTION(Error, (void)a.matmul(a));
        QCOMPARE(outerAsked, 0);
    }
    (void)a.matmul(a); // the outer scope's answer again: go on
    QVERIFY(outerAsked >= 1);
    QCOMPARE(innerAsked, 1);
}

// A backward pass runs its operators on this thread (CPU): the scope reaches
// them too, so relevance's backward pass stops within one operator.
void TestCancelScope::stopsInsideABackwardPass()
{
    torch::manual_seed(4);
    const torch::Tensor x = torch::randn({64, 64}, torch::requires_grad());
    torch::Tensor y = x;
    for (int i = 0; i < 8; ++i)
        y = torch::tanh(y.matmul(x));
    const torch::Tensor loss = y.sum();
    std::atomic<bool> stop{false};
    const CancelScope scope([&] { return stop.load(); });
    stop = true;
    bool threw = false;
    try {
        torch::autograd::grad({loss}, {x});
    } catch (const std::exception &) {
        threw = true; // the engine may hand it on as its own error type
    }
    QVERIFY(threw);
    QVERIFY(CancelScope::stoppedHere());
}

QTEST_APPLESS_MAIN(TestCancelScope)
#include "tst_cancelscope.moc"
