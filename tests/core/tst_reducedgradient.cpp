// The gradient reductions the backward pass keeps per attention map, on
// hand-worked examples.
#include "core/engine/reducedgradient.h"

#include "../torchsupport.h"

#include <QTest>

using namespace attnscope::core;
using attnscope::test::compareMatrix;
const auto t = &attnscope::test::rows; // a matrix from its rows

class TestReducedGradient : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void reductionsByHand();
    void decisionRowIsACopy();
    void zerosForAMapOffThePath();
};

// Head 1: A = [[.5,.5,0],[0,1,0],[0,0,1]], grad = [[2,-1,4],[1,1,1],[0,0,0]]
//   grad*A = [[1,-.5,0],[0,1,0],[0,0,0]] -> clamped [[1,0,0],[0,1,0],[0,0,0]], sum 2
// Head 2: A = [[.2,.3,.5],[.5,.5,0],[1,0,0]], grad = [[1,2,-2],[0,2,0],[1,0,3]]
//   grad*A = [[.2,.6,-1],[0,1,0],[1,0,0]] -> clamped [[.2,.6,0],[0,1,0],[1,0,0]], sum 2.8
// Mean: A_bar = [[.6,.3,0],[0,1,0],[.5,0,0]].
static torch::Tensor handMaps()
{
    return torch::stack({t({{.5, .5, 0}, {0, 1, 0}, {0, 0, 1}}), t({{.2, .3, .5}, {.5, .5, 0}, {1, 0, 0}})});
}
static torch::Tensor handGrads()
{
    return torch::stack({t({{2, -1, 4}, {1, 1, 1}, {0, 0, 0}}), t({{1, 2, -2}, {0, 2, 0}, {1, 0, 3}})});
}

void TestReducedGradient::reductionsByHand()
{
    const ReducedGradient r = ReducedGradient::reduce(handMaps(), handGrads(), 2);
    compareMatrix(r.headWeighted, t({{.6, .3, 0}, {0, 1, 0}, {.5, 0, 0}}));
    compareMatrix(r.headSums, torch::tensor({2.f, 2.8f}));
    // Row 2 of each head's gradient.
    compareMatrix(r.decisionRow, t({{0, 0, 0}, {1, 0, 3}}));
    QVERIFY(!ReducedGradient::reduce(handMaps(), handGrads(), -1).decisionRow.defined());
}

// The row must not be a view: a view would keep the whole gradient alive.
void TestReducedGradient::decisionRowIsACopy()
{
    const torch::Tensor grads = handGrads();
    const ReducedGradient r = ReducedGradient::reduce(handMaps(), grads, 0);
    compareMatrix(r.decisionRow, t({{2, -1, 4}, {1, 2, -2}}));
    QVERIFY(!r.decisionRow.is_alias_of(grads));
    QVERIFY(!r.headWeighted.is_alias_of(grads));
}

void TestReducedGradient::zerosForAMapOffThePath()
{
    const ReducedGradient r = ReducedGradient::zeros(handMaps(), 1);
    compareMatrix(r.headWeighted, torch::zeros({3, 3}));
    compareMatrix(r.headSums, torch::zeros({2}));
    compareMatrix(r.decisionRow, torch::zeros({2, 3}));
}

QTEST_APPLESS_MAIN(TestReducedGradient)
#include "tst_reducedgradient.moc"
