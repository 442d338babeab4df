// Loading and validating model archives: each broken file has its own message.
#include "../../testsupport.h"

#include "core/bundle/modeldescription.h"
#include "core/bundle/modelbundle.h"
#include "core/engine/capturedrun.h"
#include "core/engine/inferenceengine.h"
#include "core/error.h"
#include "core/explain/explainer.h"
#include "core/io/inputloader.h"

#include <QTest>

using namespace attnscope;
using namespace attnscope::core;

class TestModelBundle : public QObject
{
    Q_OBJECT
private slots:
    void loadsJointModel();
    void loadsDualModelWithGates();
    void rejectsBrokenFiles_data();
    void rejectsBrokenFiles();
    void opensWithoutAForwardPass();
    void outOfMemoryIsItsOwnKind();
    void refusesCudaWithoutGpu();
    void detachedAttentionDisablesGradientMethods();
};

void TestModelBundle::loadsJointModel()
{
    const auto bundle = ModelBundle::load(test::dataPath("tiny_joint.pt"), DeviceChoice::Cpu);
    const Manifest &m = bundle->manifest();
    QCOMPARE(m.name, std::string("tiny-joint"));
    QCOMPARE(m.labels.size(), size_t(8));
    QCOMPARE(m.streams.size(), size_t(1));
    QCOMPARE(m.streams[0].length(), 1 + 4 * 6 + 6);
    QCOMPARE(bundle->headCounts(), std::vector<int>({2, 2}));
    QVERIFY(bundle->gradientsReachable());
    QCOMPARE(bundle->deviceName(), std::string("cpu"));
    const Json d = core::ModelDescription::of(*bundle);
    QCOMPARE(d.find("layers")->toNumber(), 2.0);
    QCOMPARE(d.find("valid")->toBool(), true);
}

void TestModelBundle::loadsDualModelWithGates()
{
    const auto bundle = ModelBundle::load(test::dataPath("tiny_dual.pt"), DeviceChoice::Cpu);
    const Manifest &m = bundle->manifest();
    QCOMPARE(m.streams.size(), size_t(2));
    QCOMPARE(m.attentions.size(), size_t(6));
    QCOMPARE(m.attentions[2].kind, AttentionKind::Cross);
    QVERIFY(m.gates.has_value());
    QCOMPARE(m.gates->modalities, std::vector<Modality>({Modality::Image, Modality::Text}));
    QCOMPARE(m.layerCount(), 2);
}

void TestModelBundle::rejectsBrokenFiles_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("message");
    QTest::newRow("missing") << "broken/does_not_exist.pt" << "does_not_exist.pt: there is no such file";
    QTest::newRow("empty") << "broken/empty.pt" << "the model file is empty";
    QTest::newRow("text file") << "broken/not_a_model.pt" << "is not a TorchScript model archive";
    QTest::newRow("truncated") << "broken/truncated.pt" << "is not a TorchScript model archive (its zip directory is missing";
    QTest::newRow("no manifest") << "broken/no_manifest.pt" << "has no AttnScope manifest";
    QTest::newRow("bad json") << "broken/bad_json.pt" << "manifest attnscope.json: line 1, column 26";
    QTest::newRow("missing field") << "broken/missing_decision.pt" << "manifest field 'decision' is missing";
    QTest::newRow("attention count") << "broken/wrong_attention_count.pt" << "declares 3 attention maps but the model returned 2";
    QTest::newRow("grid") << "broken/wrong_grid.pt" << "has shape [2, 2, 31, 31] but the manifest's streams need [2, heads, 19, 19]";
    QTest::newRow("labels") << "broken/wrong_labels.pt" << "the logits have shape [2, 8] but the manifest's 3 labels";
    QTest::newRow("not softmax") << "broken/not_softmax.pt" << "rows that do not sum to 1";
    QTest::newRow("logits only") << "broken/logits_only.pt" << "forward must return a tuple (logits, attentions[, extras])";
    QTest::newRow("throws") << "broken/forward_throws.pt" << "the model's forward failed: builtins.RuntimeError: this model refuses every input";
    QTest::newRow("nan") << "broken/nan_logits.pt" << "non-finite logits";
    QTest::newRow("infinite") << "malformed/models/infinite_logits.pt" << "non-finite logits";
    QTest::newRow("random bytes") << "malformed/models/random_bytes.pt" << "is not a TorchScript model archive";
    QTest::newRow("no zip directory") << "malformed/models/truncated_end.pt"
                                      << "is not a TorchScript model archive (its zip directory is missing";
}

void TestModelBundle::rejectsBrokenFiles()
{
    QFETCH(QString, file);
    QFETCH(QString, message);
    const std::string path = test::dataPath(file.toStdString());
    try {
        // Opening checks the file and the manifest; what the model returns
        // is checked by the first run, or validate().
        ModelBundle::load(path, DeviceChoice::Cpu)->validate();
        QFAIL("the broken file was accepted");
    } catch (const Error &e) {
        const QString what = QString::fromStdString(e.what());
        QVERIFY2(what.startsWith(QString::fromStdString(path)), qPrintable("message does not name the file: " + what));
        QVERIFY2(what.contains(message), qPrintable("unexpected message: " + what));
        QCOMPARE(e.kind(), Error::Kind::General);
    }
}

// A forward that fails for lack of device memory is told apart from other
// failures: the worker then falls back from CUDA to the CPU.
void TestModelBundle::opensWithoutAForwardPass()
{
    // A model whose forward refuses every input opens: opening reads the
    // archive and the manifest only. Its first run says what is wrong.
    const auto bundle = ModelBundle::load(test::dataPath("broken/forward_throws.pt"), DeviceChoice::Cpu);
    QCOMPARE(bundle->manifest().name, std::string("tiny-joint"));
    try {
        bundle->headCounts(); // asks for a run: the probe's
        QFAIL("no run happened");
    } catch (const Error &e) {
        QVERIFY2(QString(e.what()).contains("this model refuses every input"), e.what());
    }
}

void TestModelBundle::outOfMemoryIsItsOwnKind()
{
    try {
        ModelBundle::load(test::dataPath("malformed/models/out_of_memory.pt"), DeviceChoice::Cpu)->validate(); // what a forward returns
        QFAIL("the failing model was accepted");
    } catch (const Error &e) {
        QVERIFY2(QString::fromStdString(e.what()).contains("CUDA out of memory"), e.what());
        QCOMPARE(e.kind(), Error::Kind::OutOfMemory);
    }
}

void TestModelBundle::refusesCudaWithoutGpu()
{
    if (cudaAvailable())
        QSKIP("this machine has a CUDA GPU");
    try {
        ModelBundle::load(test::dataPath("tiny_joint.pt"), DeviceChoice::Cuda);
        QFAIL("CUDA was granted without a GPU");
    } catch (const Error &e) {
        QVERIFY(QString::fromUtf8(e.what()).contains("CUDA was asked for, but this build of AttnScope sees no CUDA GPU"));
    }
    QCOMPARE(parseDeviceChoice("cpu"), DeviceChoice::Cpu);
    QVERIFY_THROWS_EXCEPTION(Error, parseDeviceChoice("tpu"));
}

// A model whose returned maps are copies cut from the graph (like fused
// attention kernels) loads, says so, and gradient methods explain why they
// cannot run instead of drawing an empty picture; rollout still works.
void TestModelBundle::detachedAttentionDisablesGradientMethods()
{
    const auto bundle = ModelBundle::load(test::dataPath("broken/detached_attention.pt"), DeviceChoice::Cpu);
    QVERIFY(!bundle->gradientsReachable());
    QCOMPARE(core::ModelDescription::of(*bundle).find("gradients_reachable")->toBool(), false);
    const ModelInput input = InputLoader::load(bundle->manifest(), test::dataPath("images/joint_exact.png"), "a red circle");
    auto run = InferenceEngine::run(bundle, input);
    MethodOptions options;
    options.method = Method::Relevance;
    try {
        Explainer::explain(*run, options);
        QFAIL("relevance ran without gradients");
    } catch (const Error &e) {
        QVERIFY(QString::fromUtf8(e.what()).contains("are not on the path to its logits"));
    }
    options.method = Method::Rollout;
    QVERIFY(Explainer::explain(*run, options).hasPatchScores());
}

QTEST_APPLESS_MAIN(TestModelBundle)
#include "tst_modelbundle.moc"
