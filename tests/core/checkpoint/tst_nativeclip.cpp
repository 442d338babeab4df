// The native CLIP against OpenAI's own code: both oracle checkpoints of
// ../shared/oracles/clip in OpenAI's and Hugging Face's layouts, every
// (image, caption) pair: the logit exp(logit_scale) x cosine, every vision
// and text attention map (text ones causal), and the gradient of the
// pair's logit with respect to every map, at the oracle README's tolerances.
#include "core/checkpoint/checkpointweights.h"
#include "core/checkpoint/nativeclip.h"
#include "core/error.h"
#include "core/io/textfile.h"
#include "npyfile.h"

#include <torch/csrc/autograd/autograd.h>

#include <QTest>

using namespace attnscope;

namespace {

QString oracle(const QString &path) { return QStringLiteral(ATTNSCOPE_ORACLES "/clip/") + path; }

core::Json readJson(const QString &path)
{
    return core::Json::parse(core::TextFile::read(path.toStdString()), path.toStdString());
}

void closeTo(const torch::Tensor &actual, const torch::Tensor &expected, double atol, double rtol, const QString &what)
{
    QVERIFY2(actual.sizes().vec() == expected.sizes().vec(), qPrintable(what + ": shape differs"));
    const torch::Tensor a = actual.detach().to(torch::kFloat64), b = expected.to(torch::kFloat64);
    const double excess = ((a - b).abs() - (atol + rtol * b.abs())).max().item<double>();
    QVERIFY2(excess <= 0.0, qPrintable(QStringLiteral("%1: off by %2 beyond the tolerance (largest difference %3)")
                                           .arg(what).arg(excess).arg((a - b).abs().max().item<double>())));
}

} // namespace

class TestNativeClip : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void matchesOpenAi_data();
    void matchesOpenAi();
    void headsWithoutConfig();
};

void TestNativeClip::matchesOpenAi_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("layout");
    for (const char *model : {"clip_vit_p16", "clip_vit_p8"}) {
        for (const char *layout : {"openai", "hf"})
            QTest::addRow("%s %s", model, layout) << model << layout;
    }
}

void TestNativeClip::matchesOpenAi()
{
    QFETCH(QString, model);
    QFETCH(QString, layout);
    const QString folder = oracle(model + "/" + layout);
    const core::Json config = readJson(folder + "/config.json");
    const core::CheckpointWeights weights(core::SafetensorsFile::open((folder + "/model.safetensors").toStdString()));
    const core::ClipArchitecture arch = layout == "hf"
                                            ? core::NativeClip::huggingFaceArchitecture(config, weights, "oracle")
                                            : core::NativeClip::openAiArchitecture(&config, weights, "oracle");
    QVERIFY(arch.notes.empty());
    const core::NativeClip clip(arch, weights);
    const std::vector<std::string> unread = weights.unread();
    QVERIFY2(unread.empty(), unread.empty() ? "" : unread.front().c_str());
    // Every (image i, caption j) pair in one batch, i-major.
    const torch::Tensor tokens = test::readNpy(oracle(model + "/text_tokens.npy")).to(torch::kInt64);
    const int64_t captions = tokens.size(0);
    std::vector<torch::Tensor> images, ids;
    for (int i = 0; i < 2; ++i) {
        const torch::Tensor image = test::readNpy(oracle(model + "/image" + QString::number(i) + ".npy"));
        for (int64_t j = 0; j < captions; ++j) {
            images.push_back(image[0]);
            ids.push_back(tokens[j]);
        }
    }
    torch::AutoGradMode grad(true);
    // The text maps do not depend on the image: the graph starts from the
    // weights too, as the bundle's does for such a model.
    for (torch::Tensor p : clip.parameters())
        p.requires_grad_(true);
    core::NativeModel::Inputs in;
    in.image = torch::stack(images).requires_grad_(true);
    in.ids = torch::stack(ids);
    const core::NativeModel::Output out = clip.forward(in);
    const QString expected = oracle(model + "/expected/");
    closeTo(out.logits, test::readNpy(expected + "logits_per_image.npy").flatten(), 1e-4, 1e-4, "logits");
    QCOMPARE(static_cast<int>(out.attentions.size()), arch.visionLayers + arch.textLayers);
    // Pairs are independent: one backward of the sum gives each pair's own.
    const std::vector<torch::Tensor> grads = torch::autograd::grad({out.logits.sum()}, out.attentions);
    for (int m = 0; m < static_cast<int>(out.attentions.size()); ++m) {
        const bool vision = m < arch.visionLayers;
        const QString l = QString::number(vision ? m : m - arch.visionLayers);
        const QString tower = vision ? "vision" : "text";
        const torch::Tensor maps = test::readNpy(expected + tower + "_attn_L" + l + ".npy");
        const torch::Tensor mapGrads = test::readNpy(expected + tower + "_attn_grad_L" + l + ".npy");
        for (int i = 0; i < 2; ++i) {
            for (int64_t j = 0; j < captions; ++j) {
                const int64_t pair = i * captions + j;
                const QString what = QStringLiteral("%1 layer %2, image %3, caption %4").arg(tower, l).arg(i).arg(j);
                closeTo(out.attentions[size_t(m)][pair], maps[vision ? i : j], 1e-5, 0.0, "map of " + what);
                closeTo(grads[size_t(m)][pair], mapGrads[i][j], 1e-4, 1e-3, "gradient of " + what);
            }
        }
    }
}

void TestNativeClip::headsWithoutConfig()
{
    // OpenAI's layout alone: build_model's width / 64, said in a note (64 /
    // 64 = 1 image head is right for clip_vit_p16; 12 / 64 text heads is none).
    const core::CheckpointWeights weights(
        core::SafetensorsFile::open(oracle("clip_vit_p16/openai/model.safetensors").toStdString()));
    try {
        core::NativeClip::openAiArchitecture(nullptr, weights, "bare");
        QFAIL("no error");
    } catch (const core::Error &e) {
        QVERIFY2(QString(e.what()).contains("the text tower's width 12 does not split into 0 heads"), e.what());
    }
    const core::Json heads = core::Json::parse(R"({"transformer_heads": 3})");
    const core::ClipArchitecture arch = core::NativeClip::openAiArchitecture(&heads, weights, "half");
    QCOMPARE(arch.visionHeads, 1);
    QCOMPARE(arch.textHeads, 3);
    QCOMPARE(arch.context, 24);
    QCOMPARE(arch.imageSize, 48);
    QVERIFY(!arch.notes.empty());
}

QTEST_GUILESS_MAIN(TestNativeClip)
#include "tst_nativeclip.moc"
