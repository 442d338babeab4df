// Per-head statistics against the independent Python implementation
// (models/attnscope/reference.py head_statistics, stored in tests/data/*.reference.json).
#include "../../testsupport.h"

#include "core/bundle/modelbundle.h"
#include "core/engine/capturedrun.h"
#include "core/engine/inferenceengine.h"
#include "core/explain/attentionsinks.h"
#include "core/explain/explainer.h"
#include "core/explain/headstatistics.h"
#include "core/io/inputloader.h"

#include <QTest>

#include <cmath>

using namespace attnscope;
using namespace attnscope::core;

class TestHeadStatistics : public QObject
{
    Q_OBJECT
private slots:
    void matchesReference_data();
    void matchesReference();
    void sinkShareAndThumbnailColumns();
};

void TestHeadStatistics::matchesReference_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("index");
    QTest::newRow("joint, exact") << "tiny_joint.reference.json" << 0;
    QTest::newRow("joint, large") << "tiny_joint.reference.json" << 1;
    QTest::newRow("co-attention") << "tiny_dual.reference.json" << 0;
    QTest::newRow("late fusion") << "tiny_late.reference.json" << 0;
}

void TestHeadStatistics::matchesReference()
{
    QFETCH(QString, file);
    QFETCH(int, index);
    const Json ref = test::readJson(test::dataPath(file.toStdString())).find("cases")->toArray()[static_cast<size_t>(index)];
    const auto bundle = ModelBundle::load(test::dataPath(ref.find("model")->toString()), DeviceChoice::Cpu);
    const ModelInput input = InputLoader::load(bundle->manifest(), test::dataPath(ref.find("image")->toString()),
                                               ref.find("text")->toString());
    auto run = InferenceEngine::run(bundle, input);
    const int target = static_cast<int>(ref.find("target")->toNumber());
    const std::vector<HeadStatistic> stats = HeadStatistics::compute(*run, target, 4);

    const auto &maps = ref.find("heads")->toArray();
    size_t n = 0;
    for (size_t map = 0; map < maps.size(); ++map) {
        const auto &heads = maps[map].toArray();
        double weightSum = 0.0;
        for (size_t h = 0; h < heads.size(); ++h, ++n) {
            QVERIFY(n < stats.size());
            const HeadStatistic &s = stats[n];
            QCOMPARE(s.map, static_cast<int>(map));
            QCOMPARE(s.head, static_cast<int>(h));
            auto check = [&](const char *key, float actual) {
                const Json *expected = heads[h].find(key);
                const QString where = QStringLiteral("map %1 head %2 %3").arg(map).arg(h).arg(key);
                if (expected->isNull()) {
                    QVERIFY2(std::isnan(actual), qPrintable(where + " should be NaN"));
                } else {
                    QVERIFY2(std::fabs(actual - expected->toNumber()) <= 1e-4,
                             qPrintable(QStringLiteral("%1: %2, reference %3").arg(where).arg(actual).arg(expected->toNumber())));
                }
            };
            check("entropy", s.entropy);
            check("cross_modal_share", s.crossModalShare);
            check("mean_distance", s.meanDistance);
            check("gradient_weight", s.gradientWeight);
            weightSum += s.gradientWeight;
            QVERIFY(s.thumbnail.rows() <= 4 && s.thumbnail.cols() <= 4 && !s.thumbnail.empty());
        }
        QVERIFY(std::fabs(weightSum - 1.0) < 1e-4 || weightSum == 0.0);
    }
    QCOMPARE(n, stats.size());
}

// tiny_vit_sink: [CLS], two registers, 3 x 4 patches; its first register is a
// sink by construction. A head's share on sinks, from each head's raw
// matrix (the explainer's path, not the statistics' loop): the queries' mean
// of the attention on the sink and register columns.
void TestHeadStatistics::sinkShareAndThumbnailColumns()
{
    const auto bundle = ModelBundle::load(test::dataPath("tiny_vit_sink.pt"), DeviceChoice::Cpu);
    const ModelInput input = InputLoader::load(bundle->manifest(), test::dataPath("images/joint_large.png"), "");
    auto run = InferenceEngine::run(bundle, input);
    std::vector<int> marked;
    for (const AttentionSink &s : AttentionSinks::find(*run)) {
        if (s.sink || s.registerToken)
            marked.push_back(s.index);
    }
    QCOMPARE(marked, (std::vector<int>{1, 2})); // both registers (the first a sink as well)
    const std::vector<HeadStatistic> stats = HeadStatistics::compute(*run, 0, 4);
    QCOMPARE(stats.size(), size_t(4)); // 2 maps x 2 heads
    for (const HeadStatistic &s : stats) {
        MethodOptions options;
        options.method = Method::RawAttention;
        options.attention = s.map;
        options.head = s.head;
        const Explanation e = Explainer::explain(*run, options);
        QCOMPARE(e.matrix.rows(), 15);
        double share = 0.0;
        for (int q = 0; q < 15; ++q)
            share += e.matrix.at(q, 1) + e.matrix.at(q, 2);
        share /= 15;
        QVERIFY2(std::fabs(s.sinkShare - share) < 1e-5, qPrintable(QString::number(s.sinkShare) + " vs " + QString::number(share)));
        // 15 keys pooled into 4 columns: [0, 4) [3, 8) [7, 12) [11, 15);
        // keys 1 and 2 fall in the first only.
        QCOMPARE(s.thumbnailSinkColumns, (std::vector<int>{0}));
    }
    // Block 0 makes every query look at the first register.
    QVERIFY(stats[0].sinkShare > 0.5f && stats[1].sinkShare > 0.5f);
}

QTEST_APPLESS_MAIN(TestHeadStatistics)
#include "tst_headstatistics.moc"
