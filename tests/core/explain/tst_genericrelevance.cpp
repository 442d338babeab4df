// Generic relevance (Chefer et al. 2021) on hand-worked examples.
#include "core/explain/genericrelevance.h"

#include "../../torchsupport.h"

#include <QTest>

using namespace attnscope::core;
using attnscope::test::compareMatrix;
const auto t = &attnscope::test::rows; // a matrix from its rows

namespace {

AttentionSpec spec(int layer, AttentionKind kind, int query, int key)
{
    AttentionSpec s;
    s.layer = layer;
    s.kind = kind;
    s.queryStream = query;
    s.keyStream = key;
    return s;
}

} // namespace

class TestGenericRelevance : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void selfAttentionUpdatesByHand();
    void normalizeResidualByHand();
    void biModalRulesByHand();
};

// A_bar = mean_h((grad * A)^+) of two heads, worked by hand in tst_reducedgradient.
static torch::Tensor handWeighted()
{
    return t({{.6, .3, 0}, {0, 1, 0}, {.5, 0, 0}});
}

// One update: R = I + A_bar = [[1.6,.3,0],[0,2,0],[.5,0,1]].
// A second layer with the same map: R += A_bar*R, A_bar*R =
//   row 0: .6*[1.6,.3,0] + .3*[0,2,0] = [.96,.78,0]; row 1: [0,2,0]; row 2: .5*[1.6,.3,0] = [.8,.15,0]
// so R = [[2.56,1.08,0],[0,4,0],[1.3,.15,1]].
void TestGenericRelevance::selfAttentionUpdatesByHand()
{
    const auto s = spec(0, AttentionKind::Self, 0, 0);
    const StreamMatrices one = GenericRelevance::propagate({3}, {s}, {handWeighted()});
    compareMatrix(one.at(0, 0), t({{1.6, .3, 0}, {0, 2, 0}, {.5, 0, 1}}));
    auto s1 = spec(1, AttentionKind::Self, 0, 0);
    const StreamMatrices two = GenericRelevance::propagate({3}, {s, s1}, {handWeighted(), handWeighted()});
    compareMatrix(two.at(0, 0), t({{2.56, 1.08, 0}, {0, 4, 0}, {1.3, .15, 1}}));
}

// R = [[2,1,0],[0,3,1],[0,0,1]]: R - I = [[1,1,0],[0,2,1],[0,0,0]], row sums 2, 3, 0,
// scaled: [[.5,.5,0],[0,2/3,1/3],[0,0,0]], plus I: [[1.5,.5,0],[0,5/3,1/3],[0,0,1]].
void TestGenericRelevance::normalizeResidualByHand()
{
    compareMatrix(GenericRelevance::normalizeResidual(t({{2, 1, 0}, {0, 3, 1}, {0, 0, 1}})),
                  t({{1.5, .5, 0}, {0, 5.f / 3, 1.f / 3}, {0, 0, 1}}));
}

// Streams t (0) and i (1), two tokens each.
// Layer 0, t self: A = [[.5,.5],[0,1]], grad = [[2,2],[1,1]] -> A_bar_t = [[1,1],[0,1]]
//   R_tt = I + A_bar_t = [[2,1],[0,2]], R_ti = 0.
// Layer 1, both cross maps read the matrices from before the layer:
//   t->i: A = [[.25,.75],[1,0]], grad = [[4,-1],[1,1]] -> A_bar_ti = [[1,0],[1,0]]
//     norm(R_tt) = [[.5,.5],[0,1]] + I = [[1.5,.5],[0,2]]; norm(R_ii) = I (R_ii - I is zero)
//     R_ti += norm(R_tt)^T A_bar_ti I = [[1.5,0],[.5,2]] [[1,0],[1,0]] = [[1.5,0],[2.5,0]]
//     R_tt += A_bar_ti R_it(before) = 0
//   i->t: A = [[0,1],[.5,.5]], grad = [[1,1],[1,-1]] -> A_bar_it = [[0,1],[.5,0]]
//     R_it += I^T A_bar_it norm(R_tt) = [[0,1],[.5,0]] [[1.5,.5],[0,2]] = [[0,2],[.75,.25]]
//     R_ii += A_bar_it R_ti(before) = 0, so R_ii stays I
//     (reading the updated R_ti instead would make R_ii = [[3.5,0],[.75,1]]).
void TestGenericRelevance::biModalRulesByHand()
{
    const std::vector<AttentionSpec> specs{spec(0, AttentionKind::Self, 0, 0), spec(1, AttentionKind::Cross, 0, 1),
                                           spec(1, AttentionKind::Cross, 1, 0)};
    // One head each, so A_bar = (grad * A)^+ as worked out above.
    const std::vector<torch::Tensor> weighted{t({{1, 1}, {0, 1}}), t({{1, 0}, {1, 0}}), t({{0, 1}, {.5, 0}})};
    const StreamMatrices r = GenericRelevance::propagate({2, 2}, specs, weighted);
    compareMatrix(r.at(0, 0), t({{2, 1}, {0, 2}}));
    compareMatrix(r.at(0, 1), t({{1.5, 0}, {2.5, 0}}));
    compareMatrix(r.at(1, 0), t({{0, 2}, {.75, .25}}));
    compareMatrix(r.at(1, 1), t({{1, 0}, {0, 1}}));
}

QTEST_APPLESS_MAIN(TestGenericRelevance)
#include "tst_genericrelevance.moc"
