// The teaching view's numbers: softmax(q k^T / sqrt(d)) recomputed in C++
// from the queries and keys a model exports must give the attention the model
// computed itself in PyTorch (tests/data/tiny_teach.pt); without them the
// step starts from the weights; a manifest that promises them on a model that
// returns none is refused with a message naming what is missing.
#include "../../testsupport.h"

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
        QTest::addColumn<int>("index");
        const Json ref = test::readJson(test::dataPath("tiny_teach.reference.json"));
        const auto &cases = ref.find("cases")->toArray();
        for (size_t i = 0; i < cases.size(); ++i)
            QTest::addRow("map %d head %d query %d", static_cast<int>(cases[i].find("map")->toNumber()),
                          static_cast<int>(cases[i].find("head")->toNumber()),
                          static_cast<int>(cases[i].find("query")->toNumber()))
                << static_cast<int>(i);
    }
    // Against tests/data/tiny_teach.reference.json: the step computed in
    // PyTorch (models/attnscope/make_test_data.py) from the q, k and v the model exports.
    void fromTheModelsQueriesAndKeys()
    {
        QFETCH(int, index);
        const Json ref = test::readJson(test::dataPath("tiny_teach.reference.json"));
        const Json &c = ref.find("cases")->toArray()[static_cast<size_t>(index)];
        const auto bundle = ModelBundle::load(test::dataPath(ref.find("model")->toString()), DeviceChoice::Cpu);
        const ModelInput input = InputLoader::load(bundle->manifest(), test::dataPath(ref.find("image")->toString()),
                                                   ref.find("text")->toString());
        auto run = InferenceEngine::run(bundle, input);
        const AttentionStep s = AttentionStep::compute(*run, static_cast<int>(c.find("map")->toNumber()),
                                                       static_cast<int>(c.find("head")->toNumber()),
                                                       static_cast<int>(c.find("query")->toNumber()));
        QVERIFY(s.fromModel);
        QCOMPARE(s.headWidth, static_cast<int>(c.find("head_width")->toNumber()));
        QVERIFY(std::fabs(s.scale - 1.0f / std::sqrt(static_cast<float>(s.headWidth))) < 1e-7f);
        QCOMPARE(s.keys.size(), size_t(31));
        QCOMPARE(s.keys[0], std::string("[CLS]")); // the special segment named "cls", spelled as tokenizers do
        const auto &scores = c.find("scores")->toArray();
        QCOMPARE(s.scores.size(), scores.size());
        for (size_t k = 0; k < scores.size(); ++k) {
            // "is there a red" fills 4 of 6 text positions: the last two keys are masked.
            QCOMPARE(bool(s.masked[k]), scores[k].isNull());
            if (scores[k].isNull())
                QVERIFY(std::isnan(s.scores[k]));
            else
                QVERIFY2(std::fabs(s.scores[k] - scores[k].toNumber()) < 1e-5,
                         qPrintable(QStringLiteral("key %1: %2 vs %3").arg(k).arg(s.scores[k]).arg(scores[k].toNumber())));
        }
        QVERIFY(s.masked[29] && s.masked[30] && !s.masked[28]);
        ATTNSCOPE_COMPARE_FLOATS(s.weights, test::floatsOf(*c.find("weights")));
        ATTNSCOPE_COMPARE_FLOATS(s.returned, test::floatsOf(*c.find("returned")));
        ATTNSCOPE_COMPARE_FLOATS(s.output, test::floatsOf(*c.find("output")));
        QVERIFY2(s.maxDifference < 1e-5f, qPrintable(QString::number(s.maxDifference)));
        QCOMPARE(s.queryVector.size(), size_t(s.headWidth));
        // The q and k shown to a student give PyTorch's score, and the exp
        // column divided by its sum gives the weights.
        QCOMPARE(s.keyVectors.size(), scores.size() * size_t(s.headWidth));
        for (size_t k = 0; k < scores.size(); ++k) {
            if (scores[k].isNull())
                continue;
            double dot = 0.0;
            for (int i = 0; i < s.headWidth; ++i)
                dot += static_cast<double>(s.queryVector[static_cast<size_t>(i)]) * s.keyVectors[k * static_cast<size_t>(s.headWidth) + static_cast<size_t>(i)];
            QVERIFY(std::fabs(dot * s.scale - scores[k].toNumber()) < 1e-4);
            QVERIFY(std::fabs(s.exps[k] / s.expSum - s.weights[k]) < 1e-6);
        }
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
        // The softmax of ln a over the unmasked keys gives the row back: the
        // step shown to a student from the weights alone is consistent.
        QVERIFY(s.maxDifference < 1e-5f);
        QVERIFY_THROWS_EXCEPTION(Error, AttentionStep::compute(*run, 2, 0, 0));
        QVERIFY_THROWS_EXCEPTION(Error, AttentionStep::compute(*run, 0, 2, 0));
        QVERIFY_THROWS_EXCEPTION(Error, AttentionStep::compute(*run, 0, 0, 31));
    }

    void promisedButMissing()
    {
        try {
            ModelBundle::load(test::dataPath("broken/missing_attention_inputs.pt"), DeviceChoice::Cpu)->validate(); // what a forward returns
            QFAIL("loaded");
        } catch (const Error &e) {
            const QString what = QString::fromStdString(e.what());
            QVERIFY2(what.contains("declares attention_inputs") && what.contains("\"q.0\""), qPrintable(what));
        }
    }
};

QTEST_APPLESS_MAIN(TestAttentionStep)
#include "tst_attentionstep.moc"
