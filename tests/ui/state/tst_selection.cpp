// Selection: the state every view of the window reads and writes. A small
// run written out by hand: [CLS], a 2 x 2 patch grid, two words; the raw
// attention rows and columns below are what the links must show.
#include "ui/state/selection.h"
#include "ui/window/droppedfiles.h"
#include "ui/window/modelname.h"

#include <QSignalSpy>
#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace attnscope;

namespace {

constexpr int kRed = 5;    // layout index of the word "red" (text position 0)
constexpr int kCircle = 6; // "circle" (text position 1)

core::LayoutToken token(const char *label, core::Modality modality, int position, int text = -1, int patch = -1)
{
    core::LayoutToken t;
    t.label = label;
    t.modality = modality;
    t.position = position;
    t.textIndex = text;
    t.patchIndex = patch;
    t.special = modality == core::Modality::Special;
    return t;
}

ui::ExplainResult handRun(const QString &image = QStringLiteral("a.png"))
{
    ui::ExplainResult r;
    r.generation = 1;
    r.modelPath = QStringLiteral("m.pt");
    r.imagePath = image;
    r.tokens = {QStringLiteral("red"), QStringLiteral("circle")};
    r.streamNames = {QStringLiteral("joint")};
    r.layout = {token("[CLS]", core::Modality::Special, 0),         token("patch 0,0", core::Modality::Image, 1, -1, 0),
                token("patch 0,1", core::Modality::Image, 2, -1, 1), token("patch 1,0", core::Modality::Image, 3, -1, 2),
                token("patch 1,1", core::Modality::Image, 4, -1, 3), token("red", core::Modality::Text, 5, 0),
                token("circle", core::Modality::Text, 6, 1)};
    ui::AttentionMapInfo first{0, false, QStringLiteral("joint"), QStringLiteral("joint"), 4};
    ui::AttentionMapInfo second{1, false, QStringLiteral("joint"), QStringLiteral("joint"), 2};
    r.maps = {first, second};
    // Raw attention (rows: queries). Only the rows and columns the links read
    // are filled: "red" and "circle" over the patches.
    std::vector<float> a(49, 0.0f);
    const float redRow[] = {0.0f, 0.1f, 0.2f, 0.3f, 0.4f, 0.0f, 0.0f};
    const float circleRow[] = {0.0f, 0.6f, 0.7f, 0.05f, 0.05f, 0.0f, 0.0f};
    for (int k = 0; k < 7; ++k) {
        a[kRed * 7 + k] = redRow[k];
        a[kCircle * 7 + k] = circleRow[k];
    }
    r.attention.method = core::Method::RawAttention;
    r.attention.matrix = core::Matrix(7, 7, a);
    r.explanation.method = core::Method::RawAttention; // links read the attention map
    r.explanation.summary = "raw attention";
    r.explanation.gridRows = 2;
    r.explanation.gridCols = 2;
    r.explanation.patchScores = {0.9f, 0.8f, 0.7f, 0.6f};
    r.explanation.tokenScores = {0.25f, 0.75f};
    return r;
}

void compareScores(const std::vector<float> &actual, const std::vector<float> &expected)
{
    QCOMPARE(actual.size(), expected.size());
    for (size_t i = 0; i < actual.size(); ++i)
        QVERIFY2(std::fabs(actual[i] - expected[i]) < 1e-6f, qPrintable(QStringLiteral("score %1: %2, not %3").arg(i).arg(actual[i]).arg(expected[i])));
}

} // namespace

class TestSelection : public QObject
{
    Q_OBJECT
private slots:
    void hoveringAWordShowsItsRowOverTheImage()
    {
        ui::Selection s;
        s.showResult(handRun());
        QSignalSpy focus(&s, &ui::Selection::focusChanged);
        s.hoverWord(0);
        QCOMPARE(focus.count(), 1);
        QCOMPARE(s.hover(), kRed);
        QString caption;
        compareScores(s.imageScores(&caption), {0.1f, 0.2f, 0.3f, 0.4f});
        QVERIFY2(caption.contains("\"red\" over the image"), qPrintable(caption));
        s.hoverWord(0); // the same word again: nothing to redraw
        QCOMPARE(focus.count(), 1);
        s.hoverWord(-1);
        compareScores(s.imageScores(&caption), {0.9f, 0.8f, 0.7f, 0.6f});
        QCOMPARE(caption, QStringLiteral("raw attention"));
    }

    void selectingAPatchShowsEachWordOnIt()
    {
        ui::Selection s;
        s.showResult(handRun());
        s.selectPatch(1); // patch 0,1: column 2
        QCOMPARE(s.token(), 2);
        QCOMPARE(s.selectedPatch(), 1);
        QCOMPARE(s.selectedWord(), -1);
        QString caption;
        compareScores(s.wordScores(&caption), {0.2f, 0.7f});
        QVERIFY2(caption.contains("patch 0,1"), qPrintable(caption));
        // A selected patch leaves the image on the method's own scores.
        compareScores(s.imageScores(&caption), {0.9f, 0.8f, 0.7f, 0.6f});
        s.selectWord(1);
        QCOMPARE(s.token(), kCircle);
        QCOMPARE(s.focusedWord(), 1);
        compareScores(s.imageScores(&caption), {0.6f, 0.7f, 0.05f, 0.05f});
        compareScores(s.wordScores(&caption), {0.25f, 0.75f});
    }

    void anotherMapKeepsTheHeadOnlyIfItHasIt()
    {
        ui::Selection s;
        s.showResult(handRun());
        QSignalSpy wanted(&s, &ui::Selection::explanationWanted);
        s.setMapAndHead(0, 3);
        QCOMPARE(s.head(), 3);
        s.setMap(1); // two heads: head 3 is not there
        QCOMPARE(s.map(), 1);
        QCOMPARE(s.head(), -1);
        s.setHead(1);
        s.setMap(0); // four heads: head 1 stays
        QCOMPARE(s.head(), 1);
        s.setTarget(2);
        QCOMPARE(s.target(), 2);
        QCOMPARE(wanted.count(), 5);
    }

    void aNewInputClearsTheSelection()
    {
        ui::Selection s;
        s.showResult(handRun());
        s.selectWord(0);
        ui::ExplainResult again = handRun();
        again.generation = 2;
        s.showResult(again); // same input, another explanation: kept
        QCOMPARE(s.token(), kRed);
        s.showResult(handRun(QStringLiteral("b.png")));
        QCOMPARE(s.token(), -1);
        s.showResult(handRun(), 6); // a session's saved selection
        QCOMPARE(s.token(), kCircle);
        s.showResult(handRun(), 99); // saved for a longer input: dropped
        QCOMPARE(s.token(), -1);
    }

    void teachingStepsThroughTheSelectedToken()
    {
        ui::Selection s;
        s.showResult(handRun());
        QCOMPARE(s.teachingQuery(), 0); // nothing selected: the first row
        s.selectWord(1);
        QCOMPARE(s.teachingQuery(), 6);
        QCOMPARE(s.mapTitle(), handRun().maps[0].title());
        QCOMPARE(s.headTitle(), QStringLiteral("mean of heads"));
    }

    void droppedFilesAreSortedByWhatTheyOpen()
    {
        auto urls = [](const QStringList &paths) {
            QList<QUrl> out;
            for (const QString &p : paths)
                out << QUrl::fromLocalFile(p);
            return out;
        };
        ui::DroppedFiles f = ui::DroppedFiles::sort(urls({"/m/model.pt", "/i/photo.JPG", "/x/notes.txt"}));
        QCOMPARE(f.model, QStringLiteral("/m/model.pt"));
        QCOMPARE(f.image, QStringLiteral("/i/photo.JPG"));
        QCOMPARE(f.unknown, QStringList{"notes.txt"});
        QVERIFY(!f.nothingToOpen());
        f = ui::DroppedFiles::sort(urls({"/i/photo.png", "/s/saved.attnscope", "/m/model.pt"}));
        QCOMPARE(f.session, QStringLiteral("/s/saved.attnscope")); // a session wins
        f = ui::DroppedFiles::sort(urls({"/x/notes.txt"}));
        QVERIFY(f.nothingToOpen());
        QVERIFY(f.refusal().contains("notes.txt"));
        // A checkpoint as people have it: its folder, or its weights file.
        QTemporaryDir checkpoint;
        QVERIFY(QDir(checkpoint.path()).mkpath("deit_small/hf"));
        const QString hf = checkpoint.filePath("deit_small/hf");
        f = ui::DroppedFiles::sort(urls({hf, "/i/photo.png"}));
        QCOMPARE(f.model, hf);
        QCOMPARE(f.image, QStringLiteral("/i/photo.png"));
        QCOMPARE(ui::DroppedFiles::sort(urls({"/c/vit/model.safetensors"})).model, QStringLiteral("/c/vit/model.safetensors"));
        // Named in the model box by what says something.
        QCOMPARE(ui::ModelName::of(hf), QStringLiteral("deit_small/hf"));
        QCOMPARE(ui::ModelName::of(hf + "/"), QStringLiteral("deit_small/hf"));
        QCOMPARE(ui::ModelName::of(checkpoint.filePath("deit_small")), QStringLiteral("deit_small"));
        QCOMPARE(ui::ModelName::of("/c/vit_base/model.safetensors"), QStringLiteral("vit_base"));
        QCOMPARE(ui::ModelName::of("/z/shapes_clip.pt"), QStringLiteral("shapes_clip"));
    }
};

QTEST_GUILESS_MAIN(TestSelection)
#include "tst_selection.moc"
