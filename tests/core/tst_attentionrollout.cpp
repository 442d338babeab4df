// Attention rollout on hand-worked 3-token examples.
#include "core/explain/attentionrollout.h"

#include "../torchsupport.h"

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

} // namespace

class TestAttentionRollout : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void twoLayersByHand();
    void startLayerSkipsEarlierLayers();
    void rowsStayStochastic();
};

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
    const StreamMatrices r = AttentionRollout::propagate({3}, {self(0), self(1)}, {layer0, layer1}, 0);
    compareMatrix(r.at(0, 0), t({{.5625, .25, .1875}, {.25, .75, 0}, {.5, .125, .375}}));
}

void TestAttentionRollout::startLayerSkipsEarlierLayers()
{
    const torch::Tensor layer0 = t({{1, 0, 0}, {.5, .5, 0}, {0, .5, .5}}).unsqueeze(0);
    const torch::Tensor layer1 = t({{0, .5, .5}, {0, 1, 0}, {1, 0, 0}}).unsqueeze(0);
    const StreamMatrices r = AttentionRollout::propagate({3}, {self(0), self(1)}, {layer0, layer1}, 1);
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
    const StreamMatrices r = AttentionRollout::propagate({7}, specs, maps, 0);
    compareMatrix(r.at(0, 0).sum(-1), torch::ones({7}));
}

QTEST_APPLESS_MAIN(TestAttentionRollout)
#include "tst_attentionrollout.moc"
