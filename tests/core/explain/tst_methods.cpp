// The engine's methods on the tiny test models against values computed by an
// independent implementation (models/attnscope/reference.py), to 1e-4.
#include "methodsreference.h"

#include "core/bundle/modelbundle.h"
#include "core/error.h"
#include "core/engine/capturedrun.h"
#include "core/engine/inferenceengine.h"
#include "core/explain/explainer.h"
#include "core/explain/modalityweights.h"
#include "core/explain/perturbationtest.h"
#include "core/io/inputloader.h"

#include <QTest>

using namespace attnscope;
using namespace attnscope::core;

class TestMethods : public QObject
{
    Q_OBJECT
private slots:
    void matchesReference_data();
    void matchesReference();
    void switchingTargetsChangesRelevance_data();
    void switchingTargetsChangesRelevance();
};

void TestMethods::matchesReference_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("index");
    // Gradients::Later: raw attention and rollout come from a forward pass
    // without the autograd graph; relevance then runs the model again with it.
    QTest::addColumn<bool>("later");
    // Warm: the bundle ran a backward pass before, which chose the leaves its
    // graphs start from (the image, or a few parameters): a leaner graph
    // than the first, which starts from every parameter.
    QTest::addColumn<bool>("warm");
    for (const char *file : {"tiny_joint.reference.json", "tiny_dual.reference.json", "tiny_late.reference.json"}) {
        const Json ref = test::readJson(test::dataPath(file));
        const int n = static_cast<int>(ref.find("cases")->toArray().size());
        for (int i = 0; i < n; ++i) {
            QTest::addRow("%s #%d", file, i) << QString::fromLatin1(file) << i << false << false;
            QTest::addRow("%s #%d, graph later", file, i) << QString::fromLatin1(file) << i << true << false;
            QTest::addRow("%s #%d, warm", file, i) << QString::fromLatin1(file) << i << false << true;
        }
    }
}

void TestMethods::matchesReference()
{
    QFETCH(QString, file);
    QFETCH(int, index);
    QFETCH(bool, later);
    QFETCH(bool, warm);
    const Json ref = test::readJson(test::dataPath(file.toStdString())).find("cases")->toArray()[static_cast<size_t>(index)];
    const auto bundle = ModelBundle::load(test::dataPath(ref.find("model")->toString()), DeviceChoice::Cpu);
    const ModelInput input = InputLoader::load(bundle->manifest(), test::dataPath(ref.find("image")->toString()),
                                               ref.find("text")->toString());
    if (warm) {
        const ModelInput other = InputLoader::load(bundle->manifest(), test::dataPath("images/joint_exact.png"),
                                                   "what colour is the square");
        Explainer::explain(*InferenceEngine::run(bundle, other, Gradients::Record), MethodOptions{});
    }
    auto run = InferenceEngine::run(bundle, input, later ? Gradients::Later : Gradients::Record);

    test::compareRunWithReference(*run, ref);
    if (QTest::currentTestFailed())
        return;
    const int target = static_cast<int>(ref.find("target")->toNumber());

    // Modality weights.
    MethodOptions relevanceOptions;
    const Explanation relevance = Explainer::explain(*run, relevanceOptions);
    const ModalityWeights w = ModalityWeights::compute(*run, target, &relevance);
    const Json &mw = *ref.find("modality_weights");
    const Json &share = *mw.find("relevance_share");
    QVERIFY(std::fabs(w.relevanceImage - share.find("image")->toNumber()) < 1e-4);
    QVERIFY(std::fabs(w.relevanceText - share.find("text")->toNumber()) < 1e-4);
    const auto &layers = mw.find("layer_mass")->toArray();
    QCOMPARE(w.layers.size(), layers.size());
    for (size_t l = 0; l < layers.size(); ++l) {
        const auto &mass = layers[l].find("mass")->toArray();
        const float got[2][2] = {{w.layers[l].imageToImage, w.layers[l].imageToText},
                                 {w.layers[l].textToImage, w.layers[l].textToText}};
        QCOMPARE(w.layers[l].layer, static_cast<int>(layers[l].find("layer")->toNumber()));
        for (int r = 0; r < 2; ++r) {
            for (int c = 0; c < 2; ++c) {
                const Json &expected = mass[static_cast<size_t>(r)].toArray()[static_cast<size_t>(c)];
                const QString where = QStringLiteral("layer %1 mass [%2][%3]").arg(l).arg(r).arg(c);
                if (expected.isNull()) // no queries of that modality in the layer
                    QVERIFY2(std::isnan(got[r][c]), qPrintable(where));
                else
                    QVERIFY2(std::fabs(got[r][c] - expected.toNumber()) < 1e-4, qPrintable(where));
            }
        }
    }
    const Json &occ = *mw.find("occlusion");
    QVERIFY(std::fabs(w.probability - occ.find("probability")->toNumber()) < 1e-4);
    QVERIFY(std::fabs(w.imageOccluded - occ.find("image_blanked")->toNumber()) < 1e-4);
    QVERIFY(std::fabs(w.textOccluded - occ.find("text_masked")->toNumber()) < 1e-4);
    if (const Json *gates = mw.find("gates"))
        ATTNSCOPE_COMPARE_FLOATS(w.gates, test::floatsOf(*gates));
    else
        QVERIFY(w.gates.empty());

    // Perturbation curves of the relevance method.
    const Json &pert = *ref.find("perturbation")->find("relevance");
    const PerturbationCurve positive = PerturbationTest::run(const_cast<ModelBundle &>(run->bundle()), input, target,
                                                             relevance, Modality::Image, true);
    const PerturbationCurve negative = PerturbationTest::run(const_cast<ModelBundle &>(run->bundle()), input, target,
                                                             relevance, Modality::Image, false);
    ATTNSCOPE_COMPARE_FLOATS(positive.probabilities, test::floatsOf(*pert.find("positive")));
    ATTNSCOPE_COMPARE_FLOATS(negative.probabilities, test::floatsOf(*pert.find("negative")));
    QVERIFY(std::fabs(positive.auc - pert.find("positive_auc")->toNumber()) < 1e-4);
    QVERIFY(std::fabs(negative.auc - pert.find("negative_auc")->toNumber()) < 1e-4);
}

void TestMethods::switchingTargetsChangesRelevance_data()
{
    QTest::addColumn<QString>("model");
    for (const char *model : {"tiny_joint.pt", "tiny_dual.pt", "tiny_late.pt"})
        QTest::newRow(model) << QString::fromLatin1(model);
}

// The first target's backward pass spends the graph; the second runs the
// model again and must explain as a run made for it alone does.
void TestMethods::switchingTargetsChangesRelevance()
{
    QFETCH(QString, model);
    const std::string image = test::dataPath("images/joint_exact.png"), text = "is there a red circle";
    const auto bundle = ModelBundle::load(test::dataPath(model.toStdString()), DeviceChoice::Cpu);
    const ModelInput input = InputLoader::load(bundle->manifest(), image, text);
    auto run = InferenceEngine::run(bundle, input);
    MethodOptions a, b;
    a.target = 0;
    b.target = 1;
    const Explanation ea = Explainer::explain(*run, a), eb = Explainer::explain(*run, b);
    QCOMPARE(ea.target, 0);
    QCOMPARE(eb.target, 1);
    QVERIFY(test::maxDifference(ea.patchScores, eb.patchScores) > 1e-6);
    const auto fresh = ModelBundle::load(test::dataPath(model.toStdString()), DeviceChoice::Cpu);
    const Explanation alone = Explainer::explain(*InferenceEngine::run(fresh, InputLoader::load(fresh->manifest(), image, text)), b);
    QVERIFY(test::maxDifference(eb.patchScores, alone.patchScores) < 1e-6);
    QVERIFY(test::maxDifference(eb.tokenScores, alone.tokenScores) < 1e-6);
    QVERIFY(test::maxDifference(Explainer::explain(*run, a).patchScores, ea.patchScores) < 1e-6); // kept
    MethodOptions bad;
    bad.target = 99;
    QVERIFY_THROWS_EXCEPTION(Error, Explainer::explain(*run, bad));
}

QTEST_APPLESS_MAIN(TestMethods)
#include "tst_methods.moc"
