// Checkpoints as people have them, opened with no export step: `info` and
// `explain` on the oracles' timm and Hugging Face folders and on a bare
// .safetensors file, with the answer checked against the probabilities of
// timm's own logits (../shared/oracles/vit/*/index.json), and a clear
// refusal for what AttnScope does not run natively yet.
#include "clirun.h"
#include "core/io/textfile.h"
#include "core/json/json.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>

using namespace attnscope;

using test::Result;
using test::runAttnscope;

namespace {

QString oracle(const QString &path) { return QStringLiteral(ATTNSCOPE_ORACLES "/") + path; }

core::Json readJson(const QString &path)
{
    return core::Json::parse(core::TextFile::read(path.toStdString()), path.toStdString());
}

} // namespace

class TestCheckpointCli : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void infoDescribesFolders();
    void explainMatchesTimm_data();
    void explainMatchesTimm();
    void clipFoldersRankCaptions_data();
    void clipFoldersRankCaptions();
    void evalOnFolders();
    void refusesWhatItDoesNotRun_data();
    void refusesWhatItDoesNotRun();
};

void TestCheckpointCli::infoDescribesFolders()
{
    const Result timm = runAttnscope({"info", oracle("vit/vit_p8_noqkvbias")});
    QVERIFY2(timm.exitCode == 0, qPrintable(timm.err));
    QVERIFY2(timm.out.contains("vit_tiny_patch16_224 (timm layout, 3 x 48, 3 heads)"), qPrintable(timm.out));
    QVERIFY(timm.out.contains("stream vit (17 tokens): cls[special 1] patches[image 16 = 4x4]"));
    const Result deit = runAttnscope({"info", oracle("vit/deit_distilled_p16/hf/"), "--json"});
    QVERIFY2(deit.exitCode == 0, qPrintable(deit.err));
    const core::Json d = core::Json::parse(deit.out.toStdString());
    QCOMPARE(d.find("name")->toString(), std::string("deit_distilled_p16/hf"));
    QCOMPARE(d.find("labels")->toArray().size(), size_t(5));
    QCOMPARE(d.find("streams")->toArray()[0].find("length")->toNumber(), 11.0);
    bool saysDistillation = false;
    for (const core::Json &note : d.find("notes")->toArray())
        saysDistillation |= note.toString().find("class and distillation heads") != std::string::npos;
    QVERIFY(saysDistillation);
    // Weights without their config.json: the heads are in no shape.
    QTemporaryDir bare;
    QVERIFY(QFile::copy(oracle("vit/vit_p8_noqkvbias/model.safetensors"), bare.filePath("model.safetensors")));
    const Result alone = runAttnscope({"info", bare.filePath("model.safetensors")});
    QCOMPARE(alone.exitCode, 1);
    QVERIFY2(alone.err.contains("there is no config.json beside model.safetensors"), qPrintable(alone.err));
}

void TestCheckpointCli::explainMatchesTimm_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("oracleFolder");
    // image1 is exactly the crop's input size over crop_pct: timm's resize is
    // the identity, so AttnScope's preprocessing must give timm's input.
    QTest::newRow("timm folder") << "vit/vit_p8_noqkvbias" << "vit/vit_p8_noqkvbias";
    QTest::newRow("timm safetensors file") << "vit/vit_p8_noqkvbias/model.safetensors" << "vit/vit_p8_noqkvbias";
    QTest::newRow("timm DeiT") << "vit/deit_distilled_p16" << "vit/deit_distilled_p16";
    QTest::newRow("HF DeiT") << "vit/deit_distilled_p16/hf" << "vit/deit_distilled_p16";
    QTest::newRow("timm registers, mean pooling") << "vit/vit_reg4_gap_p16" << "vit/vit_reg4_gap_p16";
}

void TestCheckpointCli::explainMatchesTimm()
{
    QFETCH(QString, model);
    QFETCH(QString, oracleFolder);
    QTemporaryDir out;
    const Result r = runAttnscope({"explain", "--model", oracle(model), "--image", oracle(oracleFolder + "/image1.png"),
                                   "--out", out.path()});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const core::Json image = readJson(oracle(oracleFolder + "/index.json")).find("images")->toArray()[1];
    std::vector<double> logits;
    for (const core::Json &l : image.find("logits")->toArray())
        logits.push_back(l.toNumber());
    double sum = 0.0;
    for (double l : logits)
        sum += std::exp(l);
    const core::Json j = readJson(out.filePath("explanation.json"));
    const core::Json &top = j.find("prediction")->find("top")->toArray()[0];
    QCOMPARE(static_cast<int>(top.find("index")->toNumber()), static_cast<int>(image.find("top_class")->toNumber()));
    QCOMPARE(top.find("label")->toString(), image.find("top_label")->toString());
    const double expected = std::exp(logits[static_cast<size_t>(top.find("index")->toNumber())]) / sum;
    QVERIFY2(std::abs(top.find("probability")->toNumber() - expected) < 1e-5,
             qPrintable(QString::number(top.find("probability")->toNumber()) + " vs " + QString::number(expected)));
    QVERIFY(QDir(out.path()).entryList({"*.png"}).size() >= 4);
    // Each method's patch scores are the decision's row of its matrix: for
    // a mean-pooled model the mean of the patch tokens' rows.
    const bool mean = oracleFolder.contains("gap");
    const int prefix = mean ? 4 : oracleFolder.contains("deit") ? 2 : 1;
    for (const char *method : {"raw", "rollout"}) {
        const core::Json &m = *j.find("methods")->find(method);
        const core::Json &matrix = *m.find("matrix");
        const auto cols = static_cast<int>(matrix.find("cols")->toNumber());
        const auto rows = static_cast<int>(matrix.find("rows")->toNumber());
        const auto &values = matrix.find("values")->toArray();
        const auto &patches = m.find("patch_scores")->toArray();
        QCOMPARE(static_cast<int>(patches.size()), cols - prefix);
        for (int p = 0; p < cols - prefix; ++p) {
            double want = 0.0;
            if (mean) {
                for (int r = prefix; r < rows; ++r)
                    want += values[size_t(r * cols + prefix + p)].toNumber() / (rows - prefix);
            } else {
                want = values[size_t(prefix + p)].toNumber();
            }
            QVERIFY2(std::abs(patches[size_t(p)].toNumber() - want) < 1e-5 + 1e-4 * std::abs(want),
                     qPrintable(QStringLiteral("%1 patch %2: %3 vs %4").arg(method).arg(p)
                                    .arg(patches[size_t(p)].toNumber()).arg(want)));
        }
    }
}

void TestCheckpointCli::clipFoldersRankCaptions_data()
{
    QTest::addColumn<QString>("model");
    for (const char *model : {"clip_vit_p16", "clip_vit_p8"}) {
        for (const char *layout : {"openai", "hf"})
            QTest::addRow("%s %s", model, layout) << QString("%1/%2").arg(model, layout);
    }
}

void TestCheckpointCli::clipFoldersRankCaptions()
{
    // The oracle folders hold no tokenizer: a copy with CLIP's vocabulary
    // beside the weights, as a user's folder has it.
    QFETCH(QString, model);
    QTemporaryDir dir;
    const QString folder = dir.filePath("checkpoint");
    QVERIFY(QDir().mkpath(folder));
    for (const QString &file : QDir(oracle("clip/" + model)).entryList(QDir::Files))
        QVERIFY(QFile::copy(oracle("clip/" + model + "/" + file), folder + "/" + file));
    QVERIFY(QFile::copy(oracle("tokenizers/clip_bpe/bpe_simple_vocab_16e6.txt.gz"), folder + "/bpe_simple_vocab_16e6.txt.gz"));
    const QString base = model.section('/', 0, 0);
    const core::Json index = readJson(oracle("clip/" + base + "/index.json"));
    QStringList args{"explain", "--model", folder, "--image", oracle("clip/" + base + "/image1.png"), "--out", dir.path()};
    std::vector<std::string> captions;
    for (const core::Json &c : index.find("captions")->toArray()) {
        captions.push_back(c.toString());
        args << "--candidate" << QString::fromStdString(c.toString());
    }
    const Result r = runAttnscope(args);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    // image1 is exactly the input size: the logits are OpenAI's own.
    const core::Json &expected = index.find("logits_per_image")->toArray()[1];
    const core::Json j = readJson(dir.filePath("explanation.json"));
    const auto &ranked = j.find("zero_shot")->toArray();
    QCOMPARE(ranked.size(), captions.size());
    double previous = 1e30;
    for (const core::Json &c : ranked) {
        const auto at = std::find(captions.begin(), captions.end(), c.find("caption")->toString()) - captions.begin();
        const double want = expected.toArray()[size_t(at)].toNumber();
        QVERIFY2(std::abs(c.find("score")->toNumber() - want) < 1e-4 + 1e-4 * std::abs(want),
                 qPrintable(QString::fromStdString(c.dump())));
        QVERIFY(want <= previous); // best first
        previous = want;
    }
}

void TestCheckpointCli::evalOnFolders()
{
    // A ViT folder: the oracle images labelled with timm's answers (the
    // shortest-edge crop of image0 differs from PIL's only in rounding), so
    // every answer is right; a CLIP folder zero-shot over the oracle captions,
    // each image's answer the caption OpenAI's logits rank first.
    QTemporaryDir dir;
    const core::Json index = readJson(oracle("vit/vit_p8_noqkvbias/index.json"));
    core::Json samples = core::Json::array();
    for (int i = 0; i < 2; ++i) {
        const QString name = QString("image%1.png").arg(i);
        QVERIFY(QFile::copy(oracle("vit/vit_p8_noqkvbias/" + name), dir.filePath(name)));
        core::Json sample = core::Json::object();
        sample.set("image", name.toStdString());
        sample.set("answer", index.find("images")->toArray()[size_t(i)].find("top_label")->toString());
        samples.push(sample);
    }
    core::Json dataset = core::Json::object();
    dataset.set("samples", samples);
    {
        QFile f(dir.filePath("dataset.json"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray::fromStdString(dataset.dump()));
    }
    const Result vit = runAttnscope({"eval", "--model", oracle("vit/vit_p8_noqkvbias"), "--data", dir.path(),
                                     "--no-curves", "--json", dir.filePath("vit.json")});
    QVERIFY2(vit.exitCode == 0, qPrintable(vit.err));
    QCOMPARE(readJson(dir.filePath("vit.json")).find("accuracy")->toNumber(), 1.0);

    const QString clip = dir.filePath("clip");
    QVERIFY(QDir().mkpath(clip));
    for (const QString &file : QDir(oracle("clip/clip_vit_p16/hf")).entryList(QDir::Files))
        QVERIFY(QFile::copy(oracle("clip/clip_vit_p16/hf/" + file), clip + "/" + file));
    QVERIFY(QFile::copy(oracle("tokenizers/clip_bpe/bpe_simple_vocab_16e6.txt.gz"), clip + "/bpe_simple_vocab_16e6.txt.gz"));
    const core::Json clipIndex = readJson(oracle("clip/clip_vit_p16/index.json"));
    const auto &captions = clipIndex.find("captions")->toArray();
    core::Json clipSamples = core::Json::array();
    for (int i = 0; i < 2; ++i) {
        const QString name = QString("clip%1.png").arg(i);
        QVERIFY(QFile::copy(oracle(QString("clip/clip_vit_p16/image%1.png").arg(i)), dir.filePath(name)));
        const auto &logits = clipIndex.find("logits_per_image")->toArray()[size_t(i)].toArray();
        size_t best = 0;
        for (size_t j = 1; j < logits.size(); ++j)
            best = logits[j].toNumber() > logits[best].toNumber() ? j : best;
        core::Json sample = core::Json::object();
        sample.set("image", name.toStdString());
        sample.set("answer", captions[best].toString());
        clipSamples.push(sample);
    }
    core::Json clipData = core::Json::object();
    clipData.set("candidates", core::Json(captions));
    clipData.set("samples", clipSamples);
    {
        QFile f(dir.filePath("dataset.json"));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(QByteArray::fromStdString(clipData.dump()));
    }
    const Result zeroShot = runAttnscope({"eval", "--model", clip, "--data", dir.path(), "--no-curves", "--json",
                                          dir.filePath("clip.json")});
    QVERIFY2(zeroShot.exitCode == 0, qPrintable(zeroShot.err));
    const core::Json result = readJson(dir.filePath("clip.json"));
    QCOMPARE(result.find("accuracy")->toNumber(), 1.0);
    QCOMPARE(result.find("zero_shot_candidates")->toNumber(), 3.0);
    QCOMPARE(result.find("curve_score")->toString(), std::string("logit"));
}

void TestCheckpointCli::refusesWhatItDoesNotRun_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("message");
    QTest::newRow("CLIP without its tokenizer") << "clip/clip_vit_p16/hf" << "has no CLIP tokenizer beside it";
    QTest::newRow("no model.safetensors") << "clip/clip_vit_p16" << "is a folder without model.safetensors";
    QTest::newRow("no such file") << "vit/nothing_here.safetensors" << "there is no such file";
}

void TestCheckpointCli::refusesWhatItDoesNotRun()
{
    QFETCH(QString, model);
    QFETCH(QString, message);
    const Result r = runAttnscope({"info", oracle(model)});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
}

QTEST_GUILESS_MAIN(TestCheckpointCli)
#include "tst_checkpointcli.moc"
