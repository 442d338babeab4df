// The teaching view's numbers: softmax(q k^T / sqrt(d)) recomputed in C++
// from the queries and keys a model exports must give the attention the model
// computed itself in PyTorch (tests/data/tiny_teach.pt); without them the
// step starts from the weights; a manifest that promises them on a model that
// returns none is refused with a message naming what is missing.
#include "../testsupport.h"

#include "core/bundle/modelbundle.h"
#include "core/engine/capturedrun.h"
#include "core/engine/inferenceengine.h"
#include "core/error.h"
#include "core/explain/attentionstep.h"
#include "core/io/inputloader.h"

#include <QTest>

#include <cmath>

using namespace attnscope;
using namespace attnscope::core;

class TestAttentionStep : public QObject
{
    Q_OBJECT
private slots:
    void fromTheModelsQueriesAndKeys_data()
    {
        QTest::addColumn<int>("map");
        QTest::addColumn<int>("head");
        QTest::addColumn<int>("query");
        for (int map : {0, 1})
            for (int head : {0, 1})
                for (int query : {0, 7, 26}) // [CLS], a patch, a word
                    QTest::addRow("map %d head %d query %d", map, head, query) << map << head << query;
    }
    void fromTheModelsQueriesAndKeys()
    {
        QFETCH(int, map);
        QFETCH(int, head);
        QFETCH(int, query);
        const auto bundle = ModelBundle::load(test::dataPath("tiny_teach.pt"), DeviceChoice::Cpu);
        const ModelInput input = InputLoader::load(bundle->manifest(), test::dataPath("images/joint_exact.png"), "is there a red");
        auto run = InferenceEngine::run(bundle, input);
        const AttentionStep s = AttentionStep::compute(*run, map, head, query);
        QVERIFY(s.fromModel);
        QCOMPARE(s.headWidth, 8); // width 16, 2 heads
        QVERIFY(std::fabs(s.scale - 1.0f / std::sqrt(8.0f)) < 1e-7f);
        QCOMPARE(s.keys.size(), size_t(31));
        QCOMPARE(s.keys[0], std::string("[cls]")); // the special segment named "cls"
        // "is there a red" fills 4 of 6 text positions: the last two keys are masked.
        QVERIFY(s.masked[29] && s.masked[30] && !s.masked[28]);
        QVERIFY(std::isnan(s.scores[30]));
        // The C++ softmax of q.k/sqrt(d) is the attention PyTorch computed.
        QVERIFY2(s.maxDifference < 1e-5f, qPrintable(QString::number(s.maxDifference)));
        double sum = 0.0;
        for (size_t k = 0; k < s.weights.size(); ++k) {
            sum += s.weights[k];
            if (!s.masked[k] && !s.masked[0] && s.returned[k] > 1e-6f && s.returned[0] > 1e-6f) {
                // Differences of scores are log-ratios of the model's weights.
                QVERIFY(std::fabs((s.scores[k] - s.scores[0]) - std::log(s.returned[k] / s.returned[0])) < 1e-3);
            }
        }
        QVERIFY(std::fabs(sum - 1.0) < 1e-5);
        QCOMPARE(s.queryVector.size(), size_t(8));
        QCOMPARE(s.output.size(), size_t(8));
    }

    void fromTheWeightsWhenNotExported()
    {
        const auto bundle = ModelBundle::load(test::dataPath("tiny_joint.pt"), DeviceChoice::Cpu);
        const ModelInput input = InputLoader::load(bundle->manifest(), test::dataPath("images/joint_exact.png"), "is there a red");
        auto run = InferenceEngine::run(bundle, input);
        const AttentionStep s = AttentionStep::compute(*run, 1, 0, 0);
        QVERIFY(!s.fromModel);
        QCOMPARE(s.headWidth, 0);
        QVERIFY(s.output.empty());
        QVERIFY(s.maxDifference < 1e-5f);
        QVERIFY(std::fabs(s.scores[3] - s.scores[5] - std::log(s.returned[3] / s.returned[5])) < 1e-4);
        QVERIFY_THROWS_EXCEPTION(Error, AttentionStep::compute(*run, 2, 0, 0));
        QVERIFY_THROWS_EXCEPTION(Error, AttentionStep::compute(*run, 0, 2, 0));
        QVERIFY_THROWS_EXCEPTION(Error, AttentionStep::compute(*run, 0, 0, 31));
    }

    void promisedButMissing()
    {
        try {
            ModelBundle::load(test::dataPath("broken/missing_attention_inputs.pt"), DeviceChoice::Cpu);
            QFAIL("loaded");
        } catch (const Error &e) {
            const QString what = QString::fromStdString(e.what());
            QVERIFY2(what.contains("declares attention_inputs") && what.contains("\"q.0\""), qPrintable(what));
        }
    }
};

QTEST_APPLESS_MAIN(TestAttentionStep)
#include "tst_attentionstep.moc"
