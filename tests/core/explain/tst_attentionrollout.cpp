// Attention rollout on hand-worked 3-token examples.
#include "core/explain/attentionrollout.h"

#include "../../torchsupport.h"

#include <QTest>

using namespace attnscope::core;
using attnscope::test::compareMatrix;
const auto t = &attnscope::test::rows; // a matrix from its rows

namespace {

AttentionSpec self(int layer)
{
    AttentionSpec s;
    s.layer = layer;
    return s;
}

AttentionRollout::Options from(int startLayer)
{
    AttentionRollout::Options o;
    o.startLayer = startLayer;
    return o;
}

} // namespace

class TestAttentionRollout : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void twoLayersByHand();
    void startLayerSkipsEarlierLayers();
    void rowsStayStochastic();
    void fusionAndDiscardByHand();
    void sinksLeftOutByHand();
};

// Token 0 is a sink: every row gives it half or more.
//   A = [[.8,.1,.1],[.5,.5,0],[.6,0,.4]]
// Plain rollout of one layer: A_hat = 0.5*A + 0.5*I = [[.9,.05,.05],[.25,.75,0],[.3,0,.7]].
// With token 0 left out, its column is zeroed and each row renormalised
// over the other keys first: [[0,.5,.5],[0,1,0],[0,0,1]], then
//   A_hat = [[.5,.25,.25],[0,1,0],[0,0,1]]: the sink's row keeps only its
// residual and its own share, the others no longer flow into token 0.
void TestAttentionRollout::sinksLeftOutByHand()
{
    const torch::Tensor a = t({{.8, .1, .1}, {.5, .5, 0}, {.6, 0, .4}}).unsqueeze(0);
    compareMatrix(AttentionRollout::propagate({3}, {self(0)}, {a}, from(0)).at(0, 0),
                  t({{.9, .05, .05}, {.25, .75, 0}, {.3, 0, .7}}));
    AttentionRollout::Options o = from(0);
    o.sinks = {{0}};
    compareMatrix(AttentionRollout::propagate({3}, {self(0)}, {a}, o).at(0, 0),
                  t({{.5, .25, .25}, {0, 1, 0}, {0, 0, 1}}));
    // A row that gave the sink everything keeps its residual only.
    const torch::Tensor all = t({{1, 0, 0}, {1, 0, 0}, {1, 0, 0}}).unsqueeze(0);
    compareMatrix(AttentionRollout::propagate({3}, {self(0)}, {all}, o).at(0, 0), t({{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}));
}

// Layer 0 has two heads whose mean is A0 = [[1,0,0],[.5,.5,0],[0,.5,.5]], so
// A0_hat = 0.5*A0 + 0.5*I = [[1,0,0],[.25,.75,0],[0,.25,.75]].
// Layer 1: A1 = [[0,.5,.5],[0,1,0],[1,0,0]] -> A1_hat = [[.5,.25,.25],[0,1,0],[.5,0,.5]].
// Rollout = A1_hat * A0_hat:
//   row 0 = .5*[1,0,0] + .25*[.25,.75,0] + .25*[0,.25,.75] = [.5625, .25, .1875]
//   row 1 = [.25, .75, 0]
//   row 2 = .5*[1,0,0] + .5*[0,.25,.75] = [.5, .125, .375]
// (the other order, A0_hat * A1_hat, would give row 0 = [.5, .25, .25]).
void TestAttentionRollout::twoLayersByHand()
{
    const torch::Tensor layer0 = torch::stack({t({{1, 0, 0}, {1, 0, 0}, {0, 1, 0}}), t({{1, 0, 0}, {0, 1, 0}, {0, 0, 1}})});
    const torch::Tensor layer1 = t({{0, .5, .5}, {0, 1, 0}, {1, 0, 0}}).unsqueeze(0);
    const StreamMatrices r = AttentionRollout::propagate({3}, {self(0), self(1)}, {layer0, layer1}, from(0));
    compareMatrix(r.at(0, 0), t({{.5625, .25, .1875}, {.25, .75, 0}, {.5, .125, .375}}));
}

void TestAttentionRollout::startLayerSkipsEarlierLayers()
{
    const torch::Tensor layer0 = t({{1, 0, 0}, {.5, .5, 0}, {0, .5, .5}}).unsqueeze(0);
    const torch::Tensor layer1 = t({{0, .5, .5}, {0, 1, 0}, {1, 0, 0}}).unsqueeze(0);
    const StreamMatrices r = AttentionRollout::propagate({3}, {self(0), self(1)}, {layer0, layer1}, from(1));
    compareMatrix(r.at(0, 0), t({{.5, .25, .25}, {0, 1, 0}, {.5, 0, .5}}));
}

void TestAttentionRollout::rowsStayStochastic()
{
    torch::manual_seed(3);
    std::vector<torch::Tensor> maps;
    std::vector<AttentionSpec> specs;
    for (int l = 0; l < 6; ++l) {
        maps.push_back(torch::softmax(torch::randn({4, 7, 7}) * 3, -1));
        specs.push_back(self(l));
    }
    const StreamMatrices r = AttentionRollout::propagate({7}, specs, maps, from(0));
    compareMatrix(r.at(0, 0).sum(-1), torch::ones({7}));
}

// Two heads H1 = [[.5,.5,0],[.2,.8,0],[.1,.1,.8]], H2 = [[.9,.1,0],[.6,.4,0],[.3,.3,.4]].
// max = [[.9,.5,0],[.6,.8,0],[.3,.3,.8]]; min = [[.5,.1,0],[.2,.4,0],[.1,.1,.4]].
// Discarding 0.5 of max's 9 entries drops the 4 lowest: 0, 0, .3, .3 (the
// zeros stay zero) -> [[.9,.5,0],[.6,.8,0],[0,0,.8]].
// One layer: A_hat = rownorm(0.5 F + 0.5 I).
void TestAttentionRollout::fusionAndDiscardByHand()
{
    const torch::Tensor heads = torch::stack({t({{.5, .5, 0}, {.2, .8, 0}, {.1, .1, .8}}), t({{.9, .1, 0}, {.6, .4, 0}, {.3, .3, .4}})});
    compareMatrix(AttentionRollout::fuse(heads, HeadReduction::Max, 0, -1), t({{.9, .5, 0}, {.6, .8, 0}, {.3, .3, .8}}));
    compareMatrix(AttentionRollout::fuse(heads, HeadReduction::Min, 0, -1), t({{.5, .1, 0}, {.2, .4, 0}, {.1, .1, .4}}));
    compareMatrix(AttentionRollout::fuse(heads, HeadReduction::Max, 0.5, -1), t({{.9, .5, 0}, {.6, .8, 0}, {0, 0, .8}}));
    // Discarding 8 of 9 keeps only the largest (.9) and the protected cell 0
    // (which is the .9 itself here): everything else is zero.
    compareMatrix(AttentionRollout::fuse(heads, HeadReduction::Max, 0.9, 0), t({{.9, 0, 0}, {0, 0, 0}, {0, 0, 0}}));
    // The protected cell survives even when it is among the lowest: min's
    // cell (2,2) = .4 would go at 0.9, and is kept when protected.
    compareMatrix(AttentionRollout::fuse(heads, HeadReduction::Min, 0.9, 8), t({{.5, 0, 0}, {0, 0, 0}, {0, 0, .4}}));

    // Rollout of the max map with 0.5 discarded:
    //   0.5 F + 0.5 I = [[.95,.25,0],[.3,.9,0],[0,0,.9]]; row sums 1.2, 1.2, .9
    //   -> [[.791667,.208333,0],[.25,.75,0],[0,0,1]].
    AttentionRollout::Options o;
    o.fusion = HeadReduction::Max;
    o.discardRatio = 0.5;
    const StreamMatrices r = AttentionRollout::propagate({3}, {self(0)}, {heads}, o);
    compareMatrix(r.at(0, 0), t({{.95 / 1.2, .25 / 1.2, 0}, {.25, .75, 0}, {0, 0, 1}}));
}

QTEST_APPLESS_MAIN(TestAttentionRollout)
#include "tst_attentionrollout.moc"
