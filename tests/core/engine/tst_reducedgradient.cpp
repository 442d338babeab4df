// The gradient reductions the backward pass keeps per attention map, on
// hand-worked examples.
#include "core/engine/reducedgradient.h"

#include "../../torchsupport.h"

#include <QTest>

using namespace attnscope::core;
using attnscope::test::compareMatrix;
const auto t = &attnscope::test::rows; // a matrix from its rows

class TestReducedGradient : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void reductionsByHand();
    void gradientMeansSkipPadding();
    void resultsAreCopies();
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

// Gradient means over the whole map: head 1's gradient sums to 2-1+4+1+1+1 = 8
// over 9 cells, head 2's to 1+2-2+2+1+3 = 7.
void TestReducedGradient::reductionsByHand()
{
    const ReducedGradient r = ReducedGradient::reduce(handMaps(), handGrads());
    compareMatrix(r.headWeighted, t({{.6, .3, 0}, {0, 1, 0}, {.5, 0, 0}}));
    compareMatrix(r.headSums, torch::tensor({2.f, 2.8f}));
    compareMatrix(r.gradientMeans, torch::tensor({8.f / 9, 7.f / 9}));
}

// With the last query and the last key padded, the means cover the 2 x 2 top
// left cells: head 1: 2-1+1+1 = 3, head 2: 1+2+0+2 = 5, over 4 cells.
void TestReducedGradient::gradientMeansSkipPadding()
{
    const torch::Tensor real = torch::tensor({1.f, 1.f, 0.f});
    const ReducedGradient r = ReducedGradient::reduce(handMaps(), handGrads(), real, real);
    compareMatrix(r.gradientMeans, torch::tensor({3.f / 4, 5.f / 4}));
    // Padding the first key instead: cells (0,1),(0,2),(1,1),(1,2).
    const ReducedGradient k = ReducedGradient::reduce(handMaps(), handGrads(), real, torch::tensor({0.f, 1.f, 1.f}));
    compareMatrix(k.gradientMeans, torch::tensor({(-1.f + 4 + 1 + 1) / 4, (2.f - 2 + 2 + 0) / 4}));
}

// The results must not be views: a view would keep the whole gradient alive.
void TestReducedGradient::resultsAreCopies()
{
    const torch::Tensor grads = handGrads();
    const ReducedGradient r = ReducedGradient::reduce(handMaps(), grads);
    QVERIFY(!r.headWeighted.is_alias_of(grads));
    QVERIFY(!r.headSums.is_alias_of(grads));
    QVERIFY(!r.gradientMeans.is_alias_of(grads));
}

void TestReducedGradient::zerosForAMapOffThePath()
{
    const ReducedGradient r = ReducedGradient::zeros(handMaps());
    compareMatrix(r.headWeighted, torch::zeros({3, 3}));
    compareMatrix(r.headSums, torch::zeros({2}));
    compareMatrix(r.gradientMeans, torch::zeros({2}));
}

QTEST_APPLESS_MAIN(TestReducedGradient)
#include "tst_reducedgradient.moc"
