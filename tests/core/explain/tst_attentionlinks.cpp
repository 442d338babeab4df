// The links between views, on hand-made layouts and matrices: which row and
// column of a matrix each view reads, worked out by hand.
#include "core/explain/attentionlinks.h"

#include <QTest>

#include <cmath>

using namespace attnscope;

namespace {

core::LayoutToken token(const char *label, core::Modality modality, int stream, int text, int patch, bool special = false)
{
    core::LayoutToken t;
    t.label = label;
    t.modality = modality;
    t.stream = stream;
    t.textIndex = text;
    t.patchIndex = patch;
    t.special = special;
    t.padding = special && text >= 0;
    return t;
}

/// One stream: [CLS], a 2x2 patch grid, three text positions (the last padded).
std::vector<core::LayoutToken> jointLayout()
{
    using M = core::Modality;
    return {token("[CLS]", M::Special, 0, -1, -1, true), token("patch 0,0", M::Image, 0, -1, 0),
            token("patch 0,1", M::Image, 0, -1, 1),     token("patch 1,0", M::Image, 0, -1, 2),
            token("patch 1,1", M::Image, 0, -1, 3),     token("red", M::Text, 0, 0, -1),
            token("circle", M::Text, 0, 1, -1),         token("[PAD]", M::Text, 0, 2, -1, true)};
}

/// Two streams: text (three positions, the first [CLS]) then image (2x2).
std::vector<core::LayoutToken> dualLayout()
{
    using M = core::Modality;
    return {token("[CLS]", M::Text, 0, 0, -1, true), token("red", M::Text, 0, 1, -1), token("circle", M::Text, 0, 2, -1),
            token("patch 0,0", M::Image, 1, -1, 0),  token("patch 0,1", M::Image, 1, -1, 1),
            token("patch 1,0", M::Image, 1, -1, 2),  token("patch 1,1", M::Image, 1, -1, 3)};
}

/// values[r * cols + c] = 10 * r + c: every entry names its own cell.
core::Explanation numbered(int rows, int cols, int rowOffset, int colOffset)
{
    std::vector<float> values;
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c)
            values.push_back(static_cast<float>(10 * r + c));
    core::Explanation e;
    e.matrix = core::Matrix(rows, cols, std::move(values));
    e.matrixRowOffset = rowOffset;
    e.matrixColOffset = colOffset;
    return e;
}

} // namespace

class TestAttentionLinks : public QObject
{
    Q_OBJECT
private slots:
    void wordRowOverPatchesInOneStream()
    {
        // "circle" is layout row 6; patches are columns 1..4.
        const auto scores = core::AttentionLinks::rowOverPatches(numbered(8, 8, 0, 0), jointLayout(), 6);
        QCOMPARE(scores, std::vector<float>({61, 62, 63, 64}));
    }

    void wordRowOverPatchesOfACrossMap()
    {
        // A text -> image map: rows are layout 0..2, columns layout 3..6.
        const auto scores = core::AttentionLinks::rowOverPatches(numbered(3, 4, 0, 3), dualLayout(), 1);
        QCOMPARE(scores, std::vector<float>({10, 11, 12, 13}));
        // An image -> image map has no row for a word.
        QVERIFY(core::AttentionLinks::rowOverPatches(numbered(4, 4, 3, 3), dualLayout(), 1).empty());
        // A text -> text map has no patch column.
        QVERIFY(core::AttentionLinks::rowOverPatches(numbered(3, 3, 0, 0), dualLayout(), 1).empty());
    }

    void patchColumnOverWords()
    {
        // Patch 1,0 is layout column 3; words are rows 5 and 6; [PAD] gets 0.
        const auto scores = core::AttentionLinks::patchOverText(numbered(8, 8, 0, 0), jointLayout(), 3);
        QCOMPARE(scores, std::vector<float>({53, 63, 0}));
    }

    void patchOverWordsOfACrossMap()
    {
        // text -> image map: column of patch 0,1 (layout 4, column 1); [CLS] gets 0.
        QCOMPARE(core::AttentionLinks::patchOverText(numbered(3, 4, 0, 3), dualLayout(), 4),
                 std::vector<float>({0, 11, 21}));
        // image -> text map: no word reads the patch, so its own row is used.
        QCOMPARE(core::AttentionLinks::patchOverText(numbered(4, 3, 3, 0), dualLayout(), 4),
                 std::vector<float>({0, 11, 12}));
        // image -> image map: nothing links the patch to a word.
        QVERIFY(core::AttentionLinks::patchOverText(numbered(4, 4, 3, 3), dualLayout(), 4).empty());
    }

    void linkMatrixPrefersTheMethodsOwnMatrix()
    {
        core::Explanation relevance = numbered(8, 8, 0, 0);
        relevance.method = core::Method::Relevance;
        core::Explanation attention = numbered(3, 8, 5, 0); // rows: the words only
        attention.method = core::Method::RawAttention;
        QCOMPARE(&core::AttentionLinks::linkMatrix(relevance, attention, 6), &relevance);
        core::Explanation gradcam = relevance;
        gradcam.method = core::Method::GradCam; // not a token x token propagation: the map is used
        QCOMPARE(&core::AttentionLinks::linkMatrix(gradcam, attention, 6), &attention);
        core::Explanation partial = numbered(1, 8, 0, 0); // relevance without the token's row
        partial.method = core::Method::Rollout;
        QCOMPARE(&core::AttentionLinks::linkMatrix(partial, attention, 6), &attention);
    }

    void outOfRangeIsEmpty()
    {
        QVERIFY(core::AttentionLinks::rowOverPatches(numbered(8, 8, 0, 0), jointLayout(), 9).empty());
        QVERIFY(core::AttentionLinks::patchOverText(numbered(8, 8, 0, 0), jointLayout(), -1).empty());
        QVERIFY(core::AttentionLinks::rowOverPatches(core::Explanation{}, jointLayout(), 5).empty());
    }
};

QTEST_APPLESS_MAIN(TestAttentionLinks)
#include "tst_attentionlinks.moc"
