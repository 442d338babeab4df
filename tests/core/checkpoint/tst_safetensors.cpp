// The safetensors reader: the valid files give the values PyTorch wrote
// (tests/data/safetensors/valid.expected.json), converted to float32; every
// hostile file is refused with one message naming the file and its fault
// (hostile.expected.json, both written by attnscope.make_safetensors_corpus).
#include "core/checkpoint/checkpointweights.h"
#include "core/error.h"
#include "core/io/textfile.h"
#include "core/json/json.h"

#include <QTest>

using namespace attnscope;

namespace {

QString data(const QString &path) { return QStringLiteral(ATTNSCOPE_TEST_DATA "/safetensors/") + path; }

core::Json readJson(const QString &path)
{
    return core::Json::parse(core::TextFile::read(path.toStdString()), path.toStdString());
}

} // namespace

class TestSafetensors : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void hostileFilesAreRefused_data();
    void hostileFilesAreRefused();
    void validFilesGiveTheirValues_data();
    void validFilesGiveTheirValues();
    void float32IsMappedNotCopied();
    void weightsAreCheckedByName();
};

void TestSafetensors::hostileFilesAreRefused_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("message");
    const core::Json all = readJson(data("hostile.expected.json"));
    for (const auto &[name, message] : all.toObject())
        QTest::newRow(name.c_str()) << QString::fromStdString(name) << QString::fromStdString(message.toString());
}

void TestSafetensors::hostileFilesAreRefused()
{
    QFETCH(QString, file);
    QFETCH(QString, message);
    const std::string path = data("hostile/" + file).toStdString();
    try {
        core::SafetensorsFile::open(path);
        QFAIL("opened");
    } catch (const core::Error &e) {
        const QString what = QString::fromUtf8(e.what());
        QVERIFY2(what.startsWith(QString::fromStdString(path) + ":"), qPrintable(what));
        QVERIFY2(what.contains(message), qPrintable(what));
        QVERIFY2(!what.contains('\n'), qPrintable(what)); // one line
    }
}

void TestSafetensors::validFilesGiveTheirValues_data()
{
    QTest::addColumn<QString>("file");
    const core::Json all = readJson(data("valid.expected.json"));
    for (const auto &[name, expected] : all.toObject())
        QTest::newRow(name.c_str()) << QString::fromStdString(name);
}

void TestSafetensors::validFilesGiveTheirValues()
{
    QFETCH(QString, file);
    const core::Json all = readJson(data("valid.expected.json"));
    const core::Json &expected = *all.find(file.toStdString());
    const auto st = core::SafetensorsFile::open(data("valid/" + file).toStdString());
    const core::CheckpointWeights weights(st);
    QCOMPARE(st->header().entries().size(), expected.find("tensors")->toObject().size());
    for (const auto &[key, value] : expected.find("metadata")->toObject())
        QCOMPARE(st->header().metadata().at(key), value.toString());
    for (const auto &[name, tensor] : expected.find("tensors")->toObject()) {
        std::vector<int64_t> shape;
        for (const core::Json &d : tensor.find("shape")->toArray())
            shape.push_back(static_cast<int64_t>(d.toNumber()));
        QCOMPARE(weights.shape(name), shape);
        const std::string dtype = tensor.find("dtype")->toString();
        QCOMPARE(st->header().find(name)->dtype, dtype);
        if (dtype.front() != 'F' && dtype.front() != 'B') {
            try { // ids are no weights
                weights.get(name);
                QFAIL("an integer tensor read as a weight");
            } catch (const core::Error &e) {
                QVERIFY2(QString(e.what()).contains("holds " + QString::fromStdString(dtype) + " values"), e.what());
            }
            continue;
        }
        const torch::Tensor t = weights.get(name, shape);
        QCOMPARE(t.scalar_type(), torch::kFloat32);
        const auto &values = tensor.find("values")->toArray();
        QCOMPARE(static_cast<size_t>(t.numel()), values.size());
        const torch::Tensor flat = t.flatten();
        for (size_t i = 0; i < values.size(); ++i) // exactly: float32 holds every F16 and BF16 value
            QCOMPARE(flat[static_cast<int64_t>(i)].item<float>(), static_cast<float>(values[i].toNumber()));
    }
}

void TestSafetensors::float32IsMappedNotCopied()
{
    const auto st = core::SafetensorsFile::open(data("valid/f32.safetensors").toStdString());
    const core::CheckpointWeights weights(st);
    const torch::Tensor w = weights.get("weight");
    QCOMPARE(w.data_ptr(), static_cast<void *>(st->bytes(*st->header().find("weight"))));
    QCOMPARE(weights.convertedBytes(), uint64_t(0));
    // Copy-on-write: writing the tensor changes neither the file nor a
    // second mapping of it.
    const float before = w[0][0].item<float>();
    w.add_(1.0f);
    const auto again = core::SafetensorsFile::open(data("valid/f32.safetensors").toStdString());
    QCOMPARE(core::CheckpointWeights(again).get("weight")[0][0].item<float>(), before);
    const core::CheckpointWeights half(core::SafetensorsFile::open(data("valid/f16.safetensors").toStdString()));
    half.get("weight");
    QCOMPARE(half.convertedBytes(), uint64_t(12 * 4));
}

void TestSafetensors::weightsAreCheckedByName()
{
    const core::CheckpointWeights weights(core::SafetensorsFile::open(data("valid/f32.safetensors").toStdString()));
    try {
        weights.get("blocks.0.attn.qkv.weight", {}, "the first block's attention");
        QFAIL("no error");
    } catch (const core::Error &e) {
        QVERIFY2(QString(e.what()).contains("has no tensor \"blocks.0.attn.qkv.weight\" (the first block's attention)"),
                 e.what());
    }
    try {
        weights.get("weight", {4, 3}, "the head");
        QFAIL("no error");
    } catch (const core::Error &e) {
        QVERIFY2(QString(e.what()).contains("\"weight\" has the shape [3, 4], but the head needs [4, 3]"), e.what());
    }
    weights.get("bias");
    QCOMPARE(weights.unread(), std::vector<std::string>{"scale"}); // "weight" was asked for, if wrongly
}

QTEST_GUILESS_MAIN(TestSafetensors)
#include "tst_safetensors.moc"
