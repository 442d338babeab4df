// The window with contract version 2's model kinds, driven as a user drives
// it: an image-only ViT shows no text box and no words; a text-only BERT
// shows no image, needs none, and offers a second text for a sentence pair
// whose pieces (type ids 1) reach the word chips.
#include "windowtest.h"

#include "ui/panels/zeroshotpanel.h"
#include "ui/views/attentionmatrixview.h"
#include "ui/views/headgridview.h"
#include "ui/window/inputstoolbar.h"

#include <QCheckBox>
#include <QProcess>
#include <QTemporaryDir>
#include <QPlainTextEdit>
#include <QPushButton>

using namespace attnscope;
using test::data;
using test::waitShown;

class TestModelKindsWindow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { test::useTestSettings("tst_modelkindswindow"); }
    void imageOnlyModelHasNoTextBox();
    void textOnlyModelHasNoImage();
    void wordChipsGroupPieces();
    void textPairReport();
    void zeroShotRanksTypedCaptions();
    void sinksMarkedAndLeftOut();
};

namespace {

/// The tool bar's box (the Compare tab has a text box of its own), on a
/// window wide enough that the tool bar keeps every box out of its overflow menu.
bool textBoxShown(ui::MainWindow &w, const char *name)
{
    auto *edit = w.findChild<ui::InputsToolBar *>()->findChild<QLineEdit *>(QLatin1String(name));
    return edit && edit->isVisible();
}

} // namespace

void TestModelKindsWindow::imageOnlyModelHasNoTextBox()
{
    ui::MainWindow w;
    w.resize(1600, 750);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QSignalSpy shown(&w, &ui::MainWindow::resultShown);
    w.open(data("tiny_vit.pt"), data("images/joint_large.png"), QStringLiteral("is there a circle"));
    QVERIFY(waitShown(shown));
    QTRY_VERIFY(!textBoxShown(w, "textInput")); // the tool bar lays its boxes out on its next pass
    QTRY_VERIFY(!textBoxShown(w, "pairInput")); // the tool bar lays its boxes out on its next pass
    QVERIFY(w.findChild<ui::ImageView *>("imageView")->isVisible());
    QVERIFY(!w.findChild<ui::TokenView *>("tokenView")->isVisible());
    QVERIFY(!w.findChild<QWidget *>("modalityBars")->isVisible()); // one modality: no weights between two
    QVERIFY(w.lastResult().tokens.isEmpty());
    QCOMPARE(w.lastResult().explanation.gridRows * w.lastResult().explanation.gridCols, 12);
    QVERIFY(!w.windowTitle().contains(QStringLiteral("text")));
}

void TestModelKindsWindow::textOnlyModelHasNoImage()
{
    ui::MainWindow w;
    w.resize(1600, 750);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QSignalSpy shown(&w, &ui::MainWindow::resultShown);
    // No image at all: a text model needs none.
    w.open(data("tiny_bert.pt"), QString(), QStringLiteral("he acted"));
    QVERIFY(waitShown(shown));
    QVERIFY(!w.findChild<ui::ImageView *>("imageView")->isVisible());
    QVERIFY(w.findChild<ui::TokenView *>("tokenView")->isVisible());
    QTRY_VERIFY(textBoxShown(w, "textInput")); // the tool bar lays its boxes out on its next pass
    QTRY_VERIFY(textBoxShown(w, "pairInput")); // the tool bar lays its boxes out on its next pass
    QCOMPARE(w.lastResult().tokens.mid(0, 5), (QStringList{"[CLS]", "he", "act", "##ed", "[SEP]"}));
    QCOMPARE(w.windowTitle(), QStringLiteral("AttnScope - tiny-bert-wordpiece - text"));

    // The second text, typed and run with Enter: [CLS] he act ##ed [SEP] she [SEP].
    auto *pair = w.findChild<QLineEdit *>("pairInput");
    pair->setFocus();
    QTest::keyClicks(pair, QStringLiteral("she"));
    QTest::keyClick(pair, Qt::Key_Return);
    QVERIFY(waitShown(shown));
    QTRY_COMPARE_WITH_TIMEOUT(w.lastResult().pair, QStringLiteral("she"), 30000);
    QCOMPARE(w.lastResult().tokens.mid(0, 7), (QStringList{"[CLS]", "he", "act", "##ed", "[SEP]", "she", "[SEP]"}));
    QVERIFY(w.lastResult().explanation.hasTokenScores());
    QVERIFY(!w.lastResult().explanation.hasPatchScores());

    // Back to a model that reads an image and one text: the pair box goes.
    w.open(data("tiny_joint.pt"), data("images/joint_exact.png"), QStringLiteral("is there a red circle"));
    QVERIFY(waitShown(shown));
    QTRY_VERIFY_WITH_TIMEOUT(w.lastResult().modelName == QStringLiteral("tiny-joint"), 30000);
    QTRY_VERIFY(!textBoxShown(w, "pairInput")); // the tool bar lays its boxes out on its next pass
    QVERIFY(w.findChild<ui::ImageView *>("imageView")->isVisible());
    QVERIFY(w.findChild<QWidget *>("modalityBars")->isVisible());
}

// "acted" is one chip, though the model reads act + ##ed: the chip shows the
// word as typed, its score is the pieces' sum, the tooltip lists the pieces,
// and a click selects the word's first piece.
void TestModelKindsWindow::wordChipsGroupPieces()
{
    ui::MainWindow w;
    w.resize(1600, 750);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QSignalSpy shown(&w, &ui::MainWindow::resultShown);
    w.open(data("tiny_bert.pt"), QString(), QStringLiteral("She ACTED, playing"));
    QVERIFY(waitShown(shown));
    const ui::ExplainResult &r = w.lastResult();
    // [CLS] she act ##ed , play ##ing [SEP]: six chips for eight pieces.
    QCOMPARE(r.tokens.mid(0, 8), (QStringList{"[CLS]", "she", "act", "##ed", ",", "play", "##ing", "[SEP]"}));
    auto *chips = w.findChild<ui::TokenView *>("tokenView");
    QCOMPARE(chips->chipCount(), 6);
    QCOMPARE(chips->chipText(2), QStringLiteral("ACTED")); // as typed, not lower-cased pieces
    QCOMPARE(chips->chipText(3), QStringLiteral("ACTED"));
    QCOMPARE(chips->chipText(5), QStringLiteral("playing"));
    QCOMPARE(chips->chipText(7), QStringLiteral("[SEP]"));
    QCOMPARE(chips->chipRect(2), chips->chipRect(3));
    QVERIFY(chips->chipRect(4) != chips->chipRect(5));
    const std::vector<float> &scores = r.explanation.tokenScores;
    QVERIFY(scores.size() >= 8);
    QCOMPARE(chips->chipScore(5), scores[5] + scores[6]);
    QCOMPARE(chips->chipScore(1), scores[1]);
    const QString tip = chips->toolTipFor(6);
    QVERIFY2(tip.startsWith(QStringLiteral("playing: ")) && tip.contains(QStringLiteral("2 pieces: play "))
                 && tip.contains(QStringLiteral(" + ##ing ")),
             qPrintable(tip));
    QTest::mouseClick(chips, Qt::LeftButton, {}, chips->chipRect(6).center());
    QCOMPARE(chips->selected(), 5); // the word's first piece
    if (qEnvironmentVariableIsSet("ATTNSCOPE_SCREENSHOT"))
        w.grab().save(qEnvironmentVariable("ATTNSCOPE_SCREENSHOT") + "/bert.png");
}

// The PDF report of a sentence pair names both texts and no image, and
// shows no image or modality section for a model that sees no image.
void TestModelKindsWindow::textPairReport()
{
    ui::MainWindow w;
    w.resize(1600, 750);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QSignalSpy shown(&w, &ui::MainWindow::resultShown);
    w.open(data("tiny_bert.pt"), QString(), QStringLiteral("he acted"));
    QVERIFY(waitShown(shown));
    auto *pair = w.findChild<QLineEdit *>("pairInput");
    pair->setText(QStringLiteral("she"));
    QTest::keyClick(pair, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(w.lastResult().pair, QStringLiteral("she"), 30000);
    QTemporaryDir dir;
    const QString path = dir.filePath("report.pdf");
    QSignalSpy written(&w, &ui::MainWindow::reportWritten);
    w.exportReport(path);
    QVERIFY(written.wait(60000));
    QProcess pdftotext;
    pdftotext.start(QStringLiteral("pdftotext"), {QStringLiteral("-layout"), path, QStringLiteral("-")});
    QVERIFY(pdftotext.waitForFinished(30000));
    const QString text = QString::fromUtf8(pdftotext.readAllStandardOutput()).simplified();
    QVERIFY2(text.contains(QStringLiteral("Text: \"he acted\"")) && text.contains(QStringLiteral("Second text: \"she\"")),
             qPrintable(text.left(400)));
    QVERIFY2(!text.contains(QStringLiteral("Image:")) && !text.contains(QStringLiteral("How much each modality")),
             qPrintable(text.left(400)));
    QVERIFY(text.contains(QStringLiteral("Most relevant words")));
    // Compare lays heatmaps side by side: it says why it has none here.
    w.findChild<QTabWidget *>("rightTabs")->setCurrentWidget(w.findChild<QWidget *>("comparePanel"));
    QTRY_VERIFY(w.findChild<QLabel *>("compareMessage")->text().contains(QStringLiteral("this model sees no image")));
}

// CLIP as it is used: captions typed, ranked by the model's logit, one
// clicked to be explained.
void TestModelKindsWindow::zeroShotRanksTypedCaptions()
{
    double referenceLogit = 0.0; // the Python reference's logit of "a good film" on joint_exact.png
    const core::Json reference = test::readJson(test::dataPath("model_kinds.reference.json"));
    for (const core::Json &c : reference.find("cases")->toArray()) {
        if (c.find("model")->toString() == "tiny_clip.pt" && c.find("text")->toString() == "a good film"
            && c.find("image")->toString() == "images/joint_exact.png")
            referenceLogit = c.find("logits")->toArray()[0].toNumber();
    }
    ui::MainWindow w;
    w.resize(1600, 800);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QSignalSpy shown(&w, &ui::MainWindow::resultShown);
    w.open(data("tiny_clip.pt"), data("images/joint_exact.png"), QStringLiteral("a zebra"));
    QVERIFY(waitShown(shown));
    auto *panel = w.findChild<ui::ZeroShotPanel *>("zeroShotPanel");
    auto *tabs = w.findChild<QTabWidget *>("rightTabs");
    tabs->setCurrentWidget(panel);
    auto *edit = panel->findChild<QPlainTextEdit *>("candidateCaptions");
    QVERIFY(edit->isEnabled());
    edit->setFocus();
    for (const char *line : {"a zebra", "a good film", "", "the actor was playing"}) {
        QTest::keyClicks(edit, QString::fromLatin1(line));
        if (*line != 't')
            QTest::keyClick(edit, Qt::Key_Return);
    }
    QTest::keyClick(edit, Qt::Key_Return, Qt::ControlModifier); // Ctrl+Enter ranks
    QVERIFY(waitShown(shown));
    QTRY_COMPARE_WITH_TIMEOUT(panel->table()->rowCount(), 3, 30000); // the empty line is no caption
    const auto &ranked = w.lastResult().zeroShot;
    QCOMPARE(ranked.size(), size_t(3));
    QVERIFY(ranked[0].score >= ranked[1].score && ranked[1].score >= ranked[2].score);
    for (const core::ZeroShotCandidate &c : ranked) {
        if (c.caption == "a good film")
            QVERIFY(std::fabs(c.score - referenceLogit) < 1e-4);
    }
    QVERIFY(panel->table()->item(0, 2)->text().startsWith("logit "));
    QCOMPARE(w.lastResult().text, QStringLiteral("a zebra")); // ranking explains nothing new
    if (qEnvironmentVariableIsSet("ATTNSCOPE_SCREENSHOT"))
        w.grab().save(qEnvironmentVariable("ATTNSCOPE_SCREENSHOT"));

    // A click on the best caption explains the image with it.
    const QString best = QString::fromStdString(ranked[0].caption);
    const QRect cell = panel->table()->visualItemRect(panel->table()->item(0, 1));
    QTest::mouseClick(panel->table()->viewport(), Qt::LeftButton, {}, cell.center());
    QTRY_COMPARE_WITH_TIMEOUT(w.lastResult().text, best, 30000);
    QCOMPARE(w.findChild<ui::InputsToolBar *>()->text(), best);
    QCOMPARE(w.lastResult().prediction.logits[0], ranked[0].score);

    // A classifier ranks no captions, and says why.
    w.open(data("tiny_joint.pt"), data("images/joint_exact.png"), QStringLiteral("is there a red circle"));
    QTRY_VERIFY_WITH_TIMEOUT(w.lastResult().modelName == QStringLiteral("tiny-joint"), 30000);
    QVERIFY(!edit->isEnabled());
    QCOMPARE(panel->table()->rowCount(), 0);
}

// The ViT whose first register draws half its heads' attention: marked in
// the matrix, said in the banner and the teaching notes, and "without sinks"
// gives the rollout the Python reference computes with it left out.
void TestModelKindsWindow::sinksMarkedAndLeftOut()
{
    const core::Json reference = test::readJson(test::dataPath("model_kinds.reference.json"));
    const core::Json *expected = nullptr;
    for (const core::Json &c : reference.find("cases")->toArray()) {
        if (c.find("model")->toString() == "tiny_vit_sink.pt" && c.find("image")->toString() == "images/joint_large.png")
            expected = &c;
    }
    QVERIFY(expected);
    ui::MainWindow w;
    w.resize(1600, 800);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QSignalSpy shown(&w, &ui::MainWindow::resultShown);
    w.open(data("tiny_vit_sink.pt"), data("images/joint_large.png"), QString());
    QVERIFY(waitShown(shown));
    QVERIFY2(w.lastResult().sinkNote.contains("[REGISTERS 0]"), qPrintable(w.lastResult().sinkNote));
    QVERIFY(w.lastResult().layout[1].label.find("\u2693") != std::string::npos); // the register, marked
    // The other register draws little: marked as a register, and said to be no sink.
    QVERIFY(w.lastResult().layout[2].label.find("\u2693") != std::string::npos);
    QVERIFY2(w.lastResult().sinkNote.contains("The register token [REGISTERS 1] draws little attention on this input"),
             qPrintable(w.lastResult().sinkNote));
    QVERIFY(w.lastResult().layout[3].label.find("\u2693") == std::string::npos); // a patch
    test::setMethod(w, QStringLiteral("rollout"));
    QTRY_VERIFY_WITH_TIMEOUT(w.lastResult().explanation.method == core::Method::Rollout, 30000);
    ATTNSCOPE_COMPARE_FLOATS(w.lastResult().explanation.patchScores,
                             test::floatsOf(*expected->find("methods")->find("rollout")->find("patch_scores")));
    auto *without = w.findChild<QCheckBox *>("excludeSinks");
    QVERIFY(without && without->isVisible());
    without->click();
    QTRY_VERIFY_WITH_TIMEOUT(w.lastResult().explanation.sinksExcluded, 30000);
    ATTNSCOPE_COMPARE_FLOATS(w.lastResult().explanation.patchScores,
                             test::floatsOf(*expected->find("rollout_without_sinks")->find("patch_scores")));
    // The matrix's colour scale: the highest cell outside the sinks' key
    // columns (by hand from the matrix shown), not the highest overall.
    auto *matrix = w.findChild<ui::AttentionMatrixView *>();
    const core::Explanation &a = w.lastResult().attention;
    QVERIFY(!a.sinkTokens.empty());
    float all = 0.0f, others = 0.0f;
    for (int r = 0; r < a.matrix.rows(); ++r) {
        for (int c = 0; c < a.matrix.cols(); ++c) {
            const bool sink = std::find(a.sinkTokens.begin(), a.sinkTokens.end(), a.matrixColOffset + c) != a.sinkTokens.end();
            all = std::max(all, a.matrix.at(r, c));
            others = sink ? others : std::max(others, a.matrix.at(r, c));
        }
    }
    QVERIFY(others < all); // this map's highest cells are a sink's
    QCOMPARE(float(matrix->colourRange().second), others);
    // The head grid: both heads of block 0 give the register most of their
    // attention, and carry the anchor badge.
    w.findChild<QTabWidget *>("rightTabs")->setCurrentIndex(1);
    QTRY_VERIFY_WITH_TIMEOUT(!w.lastResult().heads.empty(), 30000);
    auto *grid = w.findChild<ui::HeadGridView *>("headGrid");
    for (const core::HeadStatistic &h : w.lastResult().heads)
        QCOMPARE(grid->marksSinks(h.map, h.head), h.sinkShare >= 0.5f);
    QVERIFY(grid->marksSinks(0, 0) && grid->marksSinks(0, 1));
    if (qEnvironmentVariableIsSet("ATTNSCOPE_SCREENSHOT"))
        w.grab().save(qEnvironmentVariable("ATTNSCOPE_SCREENSHOT") + "/sinks.png");
    w.findChild<QTabWidget *>("rightTabs")->setCurrentIndex(0);
    without->click(); // and back
    QTRY_VERIFY_WITH_TIMEOUT(!w.lastResult().explanation.sinksExcluded, 30000);
    QCOMPARE(float(matrix->colourRange().second), all);
}

QTEST_MAIN(TestModelKindsWindow)
#include "tst_modelkindswindow.moc"
