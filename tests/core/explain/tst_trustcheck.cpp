// The badge's faithfulness check: verdicts by hand, the hidden sets, its
// probabilities against the perturbation curves (checked against the Python
// reference in tst_methods), and the sentences a user reads.
#include "../../testsupport.h"

#include "core/bundle/modelbundle.h"
#include "core/engine/capturedrun.h"
#include "core/engine/inferenceengine.h"
#include "core/engine/prediction.h"
#include "core/explain/explainer.h"
#include "core/explain/perturbationtest.h"
#include "core/explain/trustcheck.h"
#include "core/io/inputloader.h"

#include <QTest>

#include <set>

using namespace attnscope;
using namespace attnscope::core;
using Verdict = TrustCheck::Verdict;
Q_DECLARE_METATYPE(Verdict)

class TestTrustCheck : public QObject
{
    Q_OBJECT
private slots:
    void judges_data();
    void judges();
    void randomSetsAreFixedAndDistinct();
    void probabilitiesMatchTheCurves();
    void allZeroMapHasNoEvidence();
    void sentences();
    void nearChance_data();
    void nearChance();
};

void TestTrustCheck::judges_data()
{
    QTest::addColumn<float>("original");
    QTest::addColumn<float>("most");
    QTest::addColumn<float>("least");
    QTest::addColumn<float>("random");
    QTest::addColumn<Verdict>("verdict");
    // Drops: most / least / random.
    QTest::newRow("faithful") << .99f << .12f << .97f << .80f << Verdict::Faithful;           // .87 / .02 / .19
    QTest::newRow("random is as bad") << .99f << .50f << .97f << .50f << Verdict::NoBetterThanRandom; // .49 = .49
    QTest::newRow("within 0.02 of random") << .9f << .59f << .9f << .6f << Verdict::NoBetterThanRandom; // .31 vs .30
    QTest::newRow("just past random") << .9f << .57f << .9f << .6f << Verdict::Weak;          // .33 vs .30: not clear
    QTest::newRow("bottom hurts as much") << .9f << .3f << .35f << .8f << Verdict::Weak;       // .60 / .55 / .10
    QTest::newRow("hiding helps") << .5f << .7f << .5f << .5f << Verdict::NoBetterThanRandom; // -.2 drop
    QTest::newRow("clear by exactly 0.10") << .9f << .5f << .8f << .8f << Verdict::Faithful;  // .40 / .10 / .10
}

void TestTrustCheck::judges()
{
    QFETCH(float, original);
    QFETCH(float, most);
    QFETCH(float, least);
    QFETCH(float, random);
    QFETCH(Verdict, verdict);
    QCOMPARE(TrustCheck::judge(original, most, least, random), verdict);
}

void TestTrustCheck::randomSetsAreFixedAndDistinct()
{
    const auto sets = TrustCheck::randomSets(24, 6, 3);
    QCOMPARE(sets.size(), size_t(3));
    for (const auto &set : sets) {
        QCOMPARE(set.size(), size_t(6));
        const std::set<int> unique(set.begin(), set.end());
        QCOMPARE(unique.size(), size_t(6));
        QVERIFY(*unique.begin() >= 0 && *unique.rbegin() < 24);
    }
    QVERIFY(sets[0] != sets[1] && sets[1] != sets[2]);
    QCOMPARE(TrustCheck::randomSets(24, 6, 3), sets); // the same on every call
    QCOMPARE(TrustCheck::randomSets(3, 5, 1).front(), (std::vector<int>{0, 1, 2})); // never more than there are
}

void TestTrustCheck::probabilitiesMatchTheCurves()
{
    const auto bundle = ModelBundle::load(test::dataPath("tiny_joint.pt"), DeviceChoice::Cpu);
    const ModelInput input = InputLoader::load(bundle->manifest(), test::dataPath("images/joint_large.png"),
                                               "what colour is the triangle left of the circle ?");
    auto run = InferenceEngine::run(bundle, input, Gradients::Record);
    const Explanation e = Explainer::explain(*run, MethodOptions{});
    const int target = e.target;
    const TrustCheck check = TrustCheck::run(*bundle, input, target, e, Modality::Image);
    // A quarter of 24 patches is 6: the curves' second point at 4 steps.
    QCOMPARE(check.removed, 6);
    QCOMPARE(check.candidates, 24);
    const PerturbationCurve positive = PerturbationTest::run(*bundle, input, target, e, Modality::Image, true, 4);
    const PerturbationCurve negative = PerturbationTest::run(*bundle, input, target, e, Modality::Image, false, 4);
    QVERIFY(std::fabs(check.original - run->prediction().probability(target)) < 1e-5);
    QVERIFY(std::fabs(check.original - positive.probabilities[0]) < 1e-5);
    QVERIFY(std::fabs(check.withoutMostRelevant - positive.probabilities[1]) < 1e-5);
    QVERIFY(std::fabs(check.withoutLeastRelevant - negative.probabilities[1]) < 1e-5);
    // Random quarters: the mean of the target's probability with each set hidden.
    double sum = 0.0;
    for (const auto &set : TrustCheck::randomSets(24, 6, TrustCheck::kRandomDraws)) {
        const auto p = InferenceEngine::targetProbabilities(*bundle, {PerturbationTest::remove(bundle->manifest(), input, Modality::Image, set)}, target);
        sum += p[0];
    }
    QVERIFY(std::fabs(check.withoutRandom - sum / TrustCheck::kRandomDraws) < 1e-5);
    QCOMPARE(check.verdict, TrustCheck::judge(check.original, check.withoutMostRelevant, check.withoutLeastRelevant,
                                              check.withoutRandom));
    // Words: 9 of the question's words fit the model's 6 positions; a quarter of 6 is 2 (rounded from 1.5).
    const TrustCheck words = TrustCheck::run(*bundle, input, target, e, Modality::Text);
    QCOMPARE(words.candidates, 6);
    QCOMPARE(words.removed, 2);
}

void TestTrustCheck::allZeroMapHasNoEvidence()
{
    const auto bundle = ModelBundle::load(test::dataPath("tiny_joint.pt"), DeviceChoice::Cpu);
    const ModelInput input = InputLoader::load(bundle->manifest(), test::dataPath("images/joint_large.png"), "is there a red circle");
    Explanation zero;
    zero.gridRows = 4;
    zero.gridCols = 6;
    zero.patchScores.assign(24, 0.0f);
    const TrustCheck check = TrustCheck::run(*bundle, input, 0, zero, Modality::Image);
    QCOMPARE(check.verdict, Verdict::NoEvidence);
    QCOMPARE(std::string(TrustCheck::verdictName(check.verdict)), std::string("no positive evidence"));
    QVERIFY(check.sentence().find("no positive evidence for this answer") != std::string::npos);
    Explanation none; // no patch scores at all
    QCOMPARE(TrustCheck::run(*bundle, input, 0, none, Modality::Image).verdict, Verdict::NotTested);
}

void TestTrustCheck::sentences()
{
    TrustCheck c;
    c.original = 0.99f;
    c.withoutMostRelevant = 0.12f;
    c.withoutLeastRelevant = 0.972f;
    c.withoutRandom = 0.80f;
    c.verdict = Verdict::Faithful;
    QCOMPARE(c.sentence(), std::string("The confidence is 99%. Hiding the 25% most relevant image patches lowered it to "
                                       "12%; hiding the 25% least relevant lowered it to 97%; hiding a random 25% gives "
                                       "80% on average. The map picks out what the answer rests on: it is faithful here."));
    c.withoutLeastRelevant = 0.991f; // rounds to the same percent
    c.modality = Modality::Text;
    c.verdict = Verdict::NoBetterThanRandom;
    QVERIFY(c.sentence().find("hiding the 25% least relevant left it at 99%") != std::string::npos);
    QVERIFY(c.sentence().find("no better than random words") != std::string::npos);
}

void TestTrustCheck::nearChance_data()
{
    QTest::addColumn<std::vector<float>>("probabilities");
    QTest::addColumn<QString>("note");
    QTest::newRow("confident") << std::vector<float>{.9f, .05f, .05f} << "";
    QTest::newRow("undecided") << std::vector<float>{.41f, .38f, .11f, .10f} // chance 25%: 41% is no guess
                               << "The model is nearly undecided: \"a\" 41% against \"b\" 38%. An explanation of either says little.";
    // 8 answers: chance 12.5%, 1.5x is 18.75%.
    QTest::newRow("a guess") << std::vector<float>{.18f, .05f, .13f, .13f, .13f, .13f, .13f, .12f}
                             << "The answer is close to a guess: 18% where guessing among 8 answers gives 13%.";
    QTest::newRow("one score") << std::vector<float>{.5f} << "";
}

void TestTrustCheck::nearChance()
{
    QFETCH(std::vector<float>, probabilities);
    QFETCH(QString, note);
    Prediction p;
    p.probabilities = probabilities;
    for (size_t i = 0; i < probabilities.size(); ++i)
        p.labels.push_back(std::string(1, static_cast<char>('a' + i)));
    QCOMPARE(QString::fromStdString(nearChanceNote(p)), note);
}

QTEST_APPLESS_MAIN(TestTrustCheck)
#include "tst_trustcheck.moc"
