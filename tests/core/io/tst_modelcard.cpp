// Model cards: the summary, the known limits and which questions meet them.
#include "core/io/modelcard.h"

#include "../../testsupport.h"

#include <QTest>

using namespace attnscope::core;

class TestModelCard : public QObject
{
    Q_OBJECT
private slots:
    void parsesSummaryAndLimits();
    void matchesQuestionsAtWordBoundaries_data();
    void matchesQuestionsAtWordBoundaries();
    void readsTheCardBesideTheModel();
};

namespace {
const char *kCard = "# A model\n\nFirst line of the summary,\nsecond line.\n\n| a | b |\n\n## Known limits\n\n"
                    "- Spatial questions (left of, right of, above): 52.4% correct, at chance.\n"
                    "- Trained on synthetic scenes only.\n\n## Training\n\n- not a limit (ignored)\n";
}

void TestModelCard::parsesSummaryAndLimits()
{
    const ModelCard card = ModelCard::parse(kCard);
    QCOMPARE(card.summary, std::string("First line of the summary, second line."));
    QCOMPARE(card.limits.size(), size_t(2));
    QCOMPARE(card.limits[0].text, std::string("Spatial questions (left of, right of, above): 52.4% correct, at chance."));
    QCOMPARE(card.limits[0].words, (std::vector<std::string>{"left of", "right of", "above"}));
    QVERIFY(card.limits[1].words.empty());
}

void TestModelCard::matchesQuestionsAtWordBoundaries_data()
{
    QTest::addColumn<QString>("question");
    QTest::addColumn<int>("limits");
    QTest::newRow("spatial") << "is the red circle LEFT OF the square ?" << 1;
    QTest::newRow("above") << "is a triangle above a circle" << 1;
    QTest::newRow("inside a word") << "is there a leftover square" << 0; // "left" alone, not "left of"
    QTest::newRow("prefix") << "aboveground" << 0;
    QTest::newRow("other type") << "how many circles ?" << 0;
}

void TestModelCard::matchesQuestionsAtWordBoundaries()
{
    QFETCH(QString, question);
    QFETCH(int, limits);
    QCOMPARE(static_cast<int>(ModelCard::parse(kCard).limitsFor(question.toStdString()).size()), limits);
}

void TestModelCard::readsTheCardBesideTheModel()
{
    const ModelCard late = ModelCard::forModel(attnscope::test::dataPath("../../models/zoo/shapes_late_fusion.pt"));
    QVERIFY(late.exists());
    QVERIFY(late.summary.rfind("Shapes World VQA, late fusion", 0) == 0);
    const auto spatial = late.limitsFor("is the red circle left of the blue square ?");
    QCOMPARE(spatial.size(), size_t(1));
    QVERIFY(spatial[0].text.find("52.4%") != std::string::npos);
    QVERIFY(!ModelCard::forModel(attnscope::test::dataPath("tiny_joint.pt")).exists());
}

QTEST_APPLESS_MAIN(TestModelCard)
#include "tst_modelcard.moc"
