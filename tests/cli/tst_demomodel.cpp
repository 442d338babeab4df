// The shipped single-stream demo model through `attnscope eval` on the
// committed Shapes World questions.
#include "clirun.h"

#include <QImage>
#include <QRegularExpression>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace attnscope;
using test::data;
using test::Result;
using test::runCommand;

class TestDemoModel : public QObject
{
    Q_OBJECT
private slots:
    void demoModelAnswersAndPoints();
};

// The shipped single-stream model on the committed Shapes World questions: a
// floor that catches a broken model or engine (the card holds the measured
// figures on 1,000 held-out questions).
void TestDemoModel::demoModelAnswersAndPoints()
{
    QTemporaryDir dir;
    const QString json = dir.filePath("eval.json");
    const QString model = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models/zoo/shapes_single_stream.pt");
    const Result r = runCommand({"eval", "--model", model, "--data", data("shapes_test"), "--json", json, "--no-curves"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const core::Json got = test::readJson(json.toStdString());
    QCOMPARE(got.find("samples")->toNumber(), 160.0);
    const core::Json &types = *got.find("accuracy_by_type");
    for (const char *type : {"existence", "attribute", "counting", "spatial"})
        QVERIFY2(types.find(type)->find("accuracy")->toNumber() >= 0.9, type);
    QVERIFY(got.find("accuracy")->toNumber() >= 0.95);
    // Existence questions answered "yes": the best method points into the box.
    double best = 0.0;
    for (const auto &method : got.find("methods")->toObject()) {
        const core::Json *yes = method.second.find("pointing_by_type")->find("existence:yes");
        if (yes)
            best = std::max(best, yes->find("pointing_game")->toNumber());
    }
    QVERIFY2(best >= 0.9, qPrintable(QString::number(best)));
    // --no-curves: the areas are not measured, and say so (null, not 0).
    const core::Json &relevance = *got.find("methods")->find("relevance");
    QVERIFY(relevance.find("positive_auc")->isNull());
    QCOMPARE(relevance.find("auc_samples")->toNumber(), 0.0);
    QVERIFY2(r.out.contains(QRegularExpression("relevance +[0-9.]+% +- +-")), qPrintable(r.out));
}

QTEST_GUILESS_MAIN(TestDemoModel)
#include "tst_demomodel.moc"
