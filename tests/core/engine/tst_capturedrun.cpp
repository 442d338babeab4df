// The engine's backward pass, which reduces each map's gradient in a hook and
// starts its graph from few leaves, against autograd's full gradients on a
// graph that starts from every parameter (the way Python scripts do it).
#include "core/bundle/modelbundle_p.h"
#include "core/engine/capturedrun_p.h"
#include "core/engine/inferenceengine.h"
#include "core/error.h"
#include "core/explain/explainer.h"
#include "core/io/inputloader.h"

#include "../../testsupport.h"
#include "../../torchsupport.h"

#include <torch/csrc/autograd/autograd.h>

#include <QTemporaryDir>
#include <QTest>

using namespace attnscope;
using namespace attnscope::core;

class TestCapturedRun : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void reducedGradientsMatchFullGradients_data();
    void reducedGradientsMatchFullGradients();
    void failedRunWithTheGraphKeepsTheMaps();
    void cancelStopsBetweenPassesAndInTheBackwardPass();
};

void TestCapturedRun::reducedGradientsMatchFullGradients_data()
{
    QTest::addColumn<QString>("model");
    // Whether every map depends on the image: then no parameter needs to
    // require grad. In tiny_late and tiny_dual the text stream has maps of
    // its own, reached through a few parameters.
    QTest::addColumn<bool>("imageOnly");
    QTest::addColumn<int>("target");
    QTest::newRow("joint") << "tiny_joint.pt" << true << 0;
    QTest::newRow("joint, other target") << "tiny_joint.pt" << true << 1;
    QTest::newRow("dual") << "tiny_dual.pt" << false << 0;
    QTest::newRow("late") << "tiny_late.pt" << false << 1;
}

void TestCapturedRun::reducedGradientsMatchFullGradients()
{
    QFETCH(QString, model);
    QFETCH(bool, imageOnly);
    QFETCH(int, target);
    const std::string path = test::dataPath(model.toStdString());
    const std::string image = test::dataPath("images/joint_exact.png"), text = "is there a red circle";

    // The reference: a second copy of the model, every parameter requiring
    // grad, the gradients of every map kept whole and reduced here.
    const auto reference = ModelBundle::load(path, DeviceChoice::Cpu);
    ModelBundle::Impl &r = reference->impl();
    const ModelInput input = InputLoader::load(reference->manifest(), image, text);
    std::vector<torch::Tensor> fullGrads, refMaps;
    {
        torch::AutoGradMode grad(true);
        for (auto p : r.module.parameters())
            p.requires_grad_(true);
        const ForwardOutput out = r.forward(r.inputs({&input.pixels}, {&input.text.ids}, {&input.text.mask}, {}));
        const auto grads = torch::autograd::grad({out.logits.reshape({-1})[target]}, out.attentions, {}, false, false, true);
        for (size_t i = 0; i < grads.size(); ++i) {
            refMaps.push_back(out.attentions[i].detach()[0]);
            fullGrads.push_back(grads[i].defined() ? grads[i][0] : torch::zeros_like(refMaps.back()));
        }
    }

    const auto bundle = ModelBundle::load(path, DeviceChoice::Cpu);
    // Per stream: 1 for a real token, 0 for a padded text position (from the
    // text's own mask and the manifest's segments).
    std::vector<torch::Tensor> realTokens;
    for (const TokenStream &stream : bundle->manifest().streams) {
        std::vector<float> real;
        for (const TokenSegment &segment : stream.segments) {
            for (int k = 0; k < segment.length; ++k)
                real.push_back(segment.modality == Modality::Text && static_cast<size_t>(k) < input.text.mask.size() && input.text.mask[static_cast<size_t>(k)] == 0 ? 0.f : 1.f);
        }
        realTokens.push_back(torch::tensor(real));
    }
    for (int pass = 0; pass < 2; ++pass) { // the second pass runs on the leaner graph the first chose
        auto run = InferenceEngine::run(bundle, input, Gradients::Record);
        const std::vector<ReducedGradient> &reduced = run->impl().gradientsFor(target);
        QCOMPARE(reduced.size(), fullGrads.size());
        const Manifest &m = bundle->manifest();
        for (size_t i = 0; i < reduced.size(); ++i) {
            const torch::Tensor product = (fullGrads[i] * refMaps[i]).clamp_min(0);
            test::compareMatrix(reduced[i].headWeighted, product.mean(0));
            QVERIFY((reduced[i].headSums - product.sum({1, 2})).abs().max().item<double>() < 1e-5);
            // Grad-CAM's head weights: the mean over the real queries x keys.
            const torch::Tensor real = realTokens[static_cast<size_t>(m.attentions[i].queryStream)].unsqueeze(1)
                * realTokens[static_cast<size_t>(m.attentions[i].keyStream)].unsqueeze(0);
            test::compareMatrix(reduced[i].gradientMeans, (fullGrads[i] * real).sum({1, 2}) / real.sum());
        }
        // Which parameters the graph started from.
        int requiring = 0, parameters = 0;
        for (const auto &p : bundle->impl().module.parameters()) {
            ++parameters;
            requiring += p.requires_grad() ? 1 : 0;
        }
        if (imageOnly) {
            QCOMPARE(requiring, 0);
        } else {
            QVERIFY(requiring > 0);
            QVERIFY(requiring <= static_cast<int>(m.attentions.size()));
            QVERIFY(requiring < parameters);
        }
    }
}

// A model that runs without the graph but fails with it: the run made
// without it must come back whole after relevance fails (its maps are let go
// before the model runs again with the graph).
void TestCapturedRun::failedRunWithTheGraphKeepsTheMaps()
{
    torch::jit::ExtraFilesMap extra{{"attnscope.json", ""}};
    torch::jit::Module inner = torch::jit::load(test::dataPath("tiny_joint.pt"), c10::nullopt, extra);
    torch::jit::Module outer("FailsWithTheGraph");
    outer.register_module("inner", inner);
    outer.define(R"(
def forward(self, image: Tensor, input_ids: Tensor, attention_mask: Tensor):
    assert not torch.is_grad_enabled(), "this model refuses to record a graph"
    return self.inner.forward(image, input_ids, attention_mask)
)");
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("fails_with_graph.pt")).toStdString();
    outer.save(path, extra);

    const auto bundle = ModelBundle::load(path, DeviceChoice::Cpu);
    const ModelInput input = InputLoader::load(bundle->manifest(), test::dataPath("images/joint_exact.png"),
                                               "is there a red circle");
    auto run = InferenceEngine::run(bundle, input, Gradients::Later);
    MethodOptions raw, relevance;
    raw.method = Method::RawAttention;
    relevance.method = Method::Relevance;
    const Explanation before = Explainer::explain(*run, raw);
    try {
        Explainer::explain(*run, relevance);
        QFAIL("relevance ran on a model that cannot record a graph");
    } catch (const Error &e) {
        QVERIFY2(std::string(e.what()).find("refuses to record a graph") != std::string::npos, e.what());
    }
    QVERIFY(run->hasMaps());
    const Explanation after = Explainer::explain(*run, raw);
    QCOMPARE(after.patchScores, before.patchScores);
    QCOMPARE(after.matrix.values(), before.matrix.values());
}

// The bundle's cancel check is asked before every forward pass and at every
// attention map of the backward pass: asked to stop, the work ends with Error
// of kind Cancelled at the next of these points; uncancelled, the same run
// then gives the same gradients as one never cancelled.
void TestCapturedRun::cancelStopsBetweenPassesAndInTheBackwardPass()
{
    const auto bundle = ModelBundle::load(test::dataPath("tiny_joint.pt"), DeviceChoice::Cpu);
    const ModelInput input = InputLoader::load(bundle->manifest(), test::dataPath("images/joint_large.png"), "is there a red circle");
    std::atomic<int> asked{0};
    std::atomic<int> stopAt{-1}; // the check says true from this call on; -1: never
    bundle->setCancelCheck([&] { return stopAt.load() >= 0 && ++asked > stopAt.load(); });
    auto kind = [](const std::function<void()> &work) {
        try {
            work();
        } catch (const Error &e) {
            return e.kind();
        }
        return Error::Kind::General; // did not stop
    };
    // Before the first forward pass.
    stopAt = 0;
    QCOMPARE(kind([&] { InferenceEngine::run(bundle, input, Gradients::Record); }), Error::Kind::Cancelled);
    // Inside a forward pass: each of its operators asks, so a stop at the
    // 5th question ends the pass after the check before it (1) and three
    // operators (2-4).
    int questions = 0;
    bundle->setCancelCheck([&] { ++questions; return false; });
    InferenceEngine::run(bundle, input, Gradients::Later);
    QVERIFY2(questions > 20, "every operator of the forward pass asks, not the pass once");
    bundle->setCancelCheck([&] { return stopAt.load() >= 0 && ++asked > stopAt.load(); });
    asked = 0;
    stopAt = 4;
    QCOMPARE(kind([&] { InferenceEngine::run(bundle, input, Gradients::Later); }), Error::Kind::Cancelled);
    QCOMPARE(asked.load(), 5);
    // Between the batches of a perturbation test: 40 variants, a batch each;
    // the check before the first pass lets it start, its first operator
    // stops it, and no result comes back.
    asked = 0;
    stopAt = -1;
    auto run = InferenceEngine::run(bundle, input, Gradients::Record);
    const int target = run->prediction().predicted;
    std::vector<InputVariant> variants(40, InputVariant{input.pixels, input.text.ids, input.text.mask, {}});
    asked = 0;
    stopAt = 1;
    QCOMPARE(kind([&] { InferenceEngine::targetProbabilities(*bundle, variants, target, 1); }), Error::Kind::Cancelled);
    QCOMPARE(asked.load(), 2);
    // In the backward pass: the forward is asked once (none here: the run
    // has its graph), then each map's hook; stop at the second map.
    asked = 0;
    stopAt = 1;
    QCOMPARE(kind([&] { run->impl().gradientsFor(target); }), Error::Kind::Cancelled);
    QCOMPARE(asked.load(), 2);
    // Uncancelled, the run gives what a fresh one gives.
    stopAt = -1;
    const auto &again = run->impl().gradientsFor(target);
    auto fresh = InferenceEngine::run(bundle, input, Gradients::Record);
    const auto &expected = fresh->impl().gradientsFor(target);
    QCOMPARE(again.size(), expected.size());
    for (size_t i = 0; i < again.size(); ++i)
        test::compareMatrix(again[i].headWeighted, expected[i].headWeighted);
}

QTEST_APPLESS_MAIN(TestCapturedRun)
#include "tst_capturedrun.moc"
