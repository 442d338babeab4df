// The native ViT / DeiT against timm's own outputs: every checkpoint of
// ../shared/oracles/vit in every layout it comes in (timm's Hub layout and
// Hugging Face's), on both images: logits, every attention map and the
// gradient of the top logit with respect to every map, at the tolerances
// the oracle README suggests.
#include "core/checkpoint/checkpointweights.h"
#include "core/checkpoint/nativevit.h"
#include "core/error.h"
#include "core/io/textfile.h"
#include "npyfile.h"

#include <torch/csrc/autograd/autograd.h>

#include <QDir>
#include <QTest>

using namespace attnscope;

namespace {

QString oracle(const QString &path) { return QStringLiteral(ATTNSCOPE_ORACLES "/vit/") + path; }

core::Json readJson(const QString &path)
{
    return core::Json::parse(core::TextFile::read(path.toStdString()), path.toStdString());
}

/// |a - b| <= atol + rtol |b| everywhere; the worst excess in the message.
void closeTo(const torch::Tensor &actual, const torch::Tensor &expected, double atol, double rtol, const char *what)
{
    QVERIFY2(actual.sizes().vec() == expected.sizes().vec(),
             qPrintable(QStringLiteral("%1: shape differs").arg(what)));
    const torch::Tensor a = actual.detach().to(torch::kFloat64), b = expected.to(torch::kFloat64);
    const double excess = ((a - b).abs() - (atol + rtol * b.abs())).max().item<double>();
    QVERIFY2(excess <= 0.0, qPrintable(QStringLiteral("%1: off by %2 beyond the tolerance (largest difference %3)")
                                           .arg(what).arg(excess).arg((a - b).abs().max().item<double>())));
}

} // namespace

class TestNativeVit : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void matchesTimm_data();
    void matchesTimm();
    void tokenLayoutAndLabels();
    void refusesWhatItCannotRun();
};

void TestNativeVit::matchesTimm_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("layout");
    QTest::addColumn<int>("image");
    for (const char *model : {"vit_p8_noqkvbias", "deit_distilled_p16", "vit_reg4_gap_p16"}) {
        for (const char *layout : {"timm", "hf"}) {
            if (!QFileInfo::exists(oracle(QString(model) + (QString(layout) == "hf" ? "/hf" : "") + "/config.json")))
                continue; // the register model has no Hugging Face class
            for (int image : {0, 1})
                QTest::addRow("%s %s image%d", model, layout, image) << model << layout << image;
        }
    }
}

void TestNativeVit::matchesTimm()
{
    QFETCH(QString, model);
    QFETCH(QString, layout);
    QFETCH(int, image);
    const QString folder = oracle(model + (layout == "hf" ? "/hf" : ""));
    const core::Json config = readJson(folder + "/config.json");
    const core::CheckpointWeights weights(core::SafetensorsFile::open((folder + "/model.safetensors").toStdString()));
    const core::VitArchitecture arch = layout == "hf"
                                           ? core::NativeVit::huggingFaceArchitecture(config, weights, "oracle")
                                           : core::NativeVit::timmArchitecture(config, weights, "oracle");
    const core::NativeVit vit(arch, weights);
    const std::vector<std::string> unread = weights.unread();
    QVERIFY2(unread.empty(), unread.empty() ? "" : unread.front().c_str()); // every weight used
    const QString expected = oracle(model + "/expected/image" + QString::number(image) + "/");
    const torch::Tensor input = test::readNpy(oracle(model + "/image" + QString::number(image) + ".npy"));
    torch::AutoGradMode grad(true);
    core::NativeModel::Inputs in;
    in.image = input.requires_grad_(true);
    const core::NativeModel::Output out = vit.forward(in);
    closeTo(out.logits, test::readNpy(expected + "logits.npy"), 1e-4, 1e-4, "logits");
    QCOMPARE(static_cast<int>(out.attentions.size()), arch.depth);
    const int64_t top = out.logits.argmax(1).item<int64_t>();
    const std::vector<torch::Tensor> grads = torch::autograd::grad({out.logits[0][top]}, out.attentions);
    for (int l = 0; l < arch.depth; ++l) {
        const QString n = QString::number(l);
        closeTo(out.attentions[l], test::readNpy(expected + "attn_L" + n + ".npy"), 1e-5, 0.0,
                qPrintable("attention of layer " + n));
        closeTo(grads[l], test::readNpy(expected + "attn_grad_L" + n + ".npy"), 1e-4, 1e-3,
                qPrintable("gradient of layer " + n));
    }
}

void TestNativeVit::tokenLayoutAndLabels()
{
    // What the oracles' index.json says of each model, read from its files.
    for (const char *model : {"vit_p8_noqkvbias", "deit_distilled_p16", "vit_reg4_gap_p16"}) {
        const core::Json index = readJson(oracle(QString(model) + "/index.json"));
        const core::Json config = readJson(oracle(QString(model) + "/config.json"));
        const core::CheckpointWeights weights(
            core::SafetensorsFile::open(oracle(QString(model) + "/model.safetensors").toStdString()));
        const core::VitArchitecture arch = core::NativeVit::timmArchitecture(config, weights, model);
        const core::Json &tokens = *index.find("tokens");
        QCOMPARE(arch.tokens(), static_cast<int>(tokens.find("sequence_length")->toNumber()));
        QCOMPARE(arch.prefixTokens(), static_cast<int>(tokens.find("prefix")->toArray().size()));
        QCOMPARE(arch.gridRows(), static_cast<int>(tokens.find("grid")->toArray()[0].toNumber()));
        QCOMPARE(arch.averagePool, index.find("global_pool")->toString() == "avg");
        QCOMPARE(static_cast<int>(arch.labels.size()), static_cast<int>(index.find("num_classes")->toNumber()));
        QCOMPARE(arch.labels.front(), index.find("label_names")->toArray()[0].toString());
        QVERIFY(arch.notes.empty());
    }
}

void TestNativeVit::refusesWhatItCannotRun()
{
    // A timm config that does not say its heads, for an architecture whose
    // name does not either.
    const QString folder = oracle("vit_p8_noqkvbias");
    const core::CheckpointWeights weights(core::SafetensorsFile::open((folder + "/model.safetensors").toStdString()));
    const core::Json config = core::Json::parse(R"({"architecture": "vit_odd_patch8", "num_classes": 7})");
    try {
        core::NativeVit::timmArchitecture(config, weights, "odd");
        QFAIL("no error");
    } catch (const core::Error &e) {
        QVERIFY2(QString(e.what()).contains("does not say how many heads \"vit_odd_patch8\" has"), e.what());
    }
    // The same architecture named as timm registers it: heads from the name,
    // which disagrees with the 3 of this checkpoint only in count, not shape.
    const core::Json named = core::Json::parse(R"({"architecture": "vit_tiny_patch16_224"})");
    QCOMPARE(core::NativeVit::timmArchitecture(named, weights, "named").heads, 3);
    // A position grid other than the image's: resized, with a note.
    const core::Json bigger = core::Json::parse(R"({"model_args": {"num_heads": 3},
                                                    "pretrained_cfg": {"input_size": [3, 48, 48]}})");
    const core::VitArchitecture arch = core::NativeVit::timmArchitecture(bigger, weights, "bigger");
    QCOMPARE(arch.gridRows(), 6);
    QCOMPARE(arch.notes.size(), size_t(1));
    QVERIFY2(QString::fromStdString(arch.notes[0]).contains("4x4 patch grid were resized (bicubic) to 6x6"),
             arch.notes[0].c_str());
    const core::NativeVit vit(arch, weights);
    core::NativeModel::Inputs in;
    in.image = torch::zeros({1, 3, 48, 48});
    torch::NoGradGuard noGrad;
    const auto out = vit.forward(in);
    QCOMPARE(out.attentions[0].size(2), int64_t(37));
    QVERIFY(torch::isfinite(out.logits).all().item<bool>());
}

QTEST_GUILESS_MAIN(TestNativeVit)
#include "tst_nativevit.moc"
