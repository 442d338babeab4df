// OpenAI CLIP's tokenizer (ClipVocabulary: ClipNormalizer, ClipPreTokenizer,
// BPE with "</w>") against the oracle vectors of openai/CLIP's own tokenizer
// (../shared/oracles/tokenizers/clip_bpe, with the real vocabulary file):
// the BPE tokens, the ids and the 77-token context of every string that
// ftfy leaves as it is, and of the two that only HTML unescaping changes;
// then the pattern, the HTML references and the normalizer by hand.
#include "core/text/clipnormalizer.h"
#include "core/text/clippretokenizer.h"
#include "core/text/clipvocabulary.h"
#include "core/text/sourcetext.h"
#include "core/text/subwordtokenizer.h"

#include "tokenizeroracle.h"

#include <QTest>

#include <algorithm>
#include <set>

using namespace attnscope::core;
using attnscope::test::oraclePath;

namespace {

const Json &clipCases()
{
    static const Json cases = attnscope::test::readJson(oraclePath("clip_bpe/cases.json"));
    return cases;
}

const SubwordTokenizer &clip()
{
    static const std::unique_ptr<SubwordTokenizer> tokenizer =
        ClipVocabulary::read(oraclePath("clip_bpe/bpe_simple_vocab_16e6.txt.gz"));
    return *tokenizer;
}

/// As a CLIP model with a 77-token context gets it.
const SubwordTokenizer &clip77()
{
    static const std::unique_ptr<SubwordTokenizer> tokenizer = [] {
        auto t = ClipVocabulary::read(oraclePath("clip_bpe/bpe_simple_vocab_16e6.txt.gz"));
        t->fitTo(77, "[PAD]");
        return t;
    }();
    return *tokenizer;
}

/// The strings whose ids ftfy.fix_text changes (the oracle README lists
/// them): AttnScope runs no ftfy, so these are tokenized as typed.
const std::set<std::string> &rewrittenByFtfy()
{
    static const std::set<std::string> texts{"Caf" "e\xCC\x81" " (decomposed e + U+0301)",
                                             "\xE2\x80\x9Csmart quotes\xE2\x80\x9D and \xE2\x80\x98single\xE2\x80\x99",
                                             "\xEF\xAC\x81ne ligature", "\xEF\xBC\xA6\xEF\xBC\xB5\xEF\xBC\xAC\xEF\xBC\xAC width",
                                             std::string("x\0y\x07z", 5)};
    return texts;
}

std::vector<std::string> words(const std::string &text)
{
    const AlignedChars chars = SourceText(text).aligned();
    std::vector<std::string> out;
    for (size_t pos = 0; pos < chars.size();) {
        const size_t n = ClipPreTokenizer::matchLength(chars, pos);
        if (n == 0) {
            ++pos;
            continue;
        }
        out.push_back(utf8Of(chars, pos, pos + n));
        pos += n;
    }
    return out;
}

std::string normalized(const std::string &text)
{
    AlignedChars chars = SourceText(text).aligned();
    ClipNormalizer().normalize(chars);
    return utf8Of(chars, 0, chars.size());
}

} // namespace

class TestClipBpe : public QObject
{
    Q_OBJECT
private slots:
    void matchesOpenAiTokenizer_data();
    void matchesOpenAiTokenizer();
    void vocabularyLayout();
    void pattern();
    void htmlReferences();
};

void TestClipBpe::matchesOpenAiTokenizer_data()
{
    QTest::addColumn<int>("index");
    if (!attnscope::test::oraclesPresent()) {
        QTest::newRow("oracles missing") << -1;
        return;
    }
    const auto &cases = clipCases().find("cases")->toArray();
    QCOMPARE(cases.size(), size_t(46));
    int compared = 0;
    for (size_t i = 0; i < cases.size(); ++i) {
        if (rewrittenByFtfy().count(cases[i].find("text")->toString()))
            continue;
        QTest::addRow("%d", static_cast<int>(i)) << static_cast<int>(i);
        ++compared;
    }
    QCOMPARE(compared, 46 - 5); // the five are named, not skipped by accident
}

void TestClipBpe::matchesOpenAiTokenizer()
{
    QFETCH(int, index);
    ATTNSCOPE_REQUIRE_ORACLES(index);
    const Json &c = clipCases().find("cases")->toArray()[static_cast<size_t>(index)];
    const std::string text = c.find("text")->toString();
    const EncodedText e = clip().encodeText(text);
    // ids: <|startoftext|>, the BPE tokens, <|endoftext|>, untruncated.
    QCOMPARE(attnscope::test::jsonOf(e.ids).dump(-1), c.find("ids")->dump(-1));
    QCOMPARE(attnscope::test::jsonOf(e.tokens).dump(-1), c.find("bpe_tokens")->dump(-1));
    // clip.tokenize(text, 77, truncate=True): cut to 77 with <|endoftext|> last, zeros after.
    const EncodedText fitted = clip77().encodeText(text);
    QCOMPARE(attnscope::test::jsonOf(fitted.ids).dump(-1), c.find("context_length_77")->dump(-1));
    const auto eot = std::find(fitted.ids.begin(), fitted.ids.end(), int64_t(49407)) - fitted.ids.begin();
    QCOMPARE(static_cast<double>(eot), c.find("eot_index_77")->toNumber());
}

void TestClipBpe::vocabularyLayout()
{
    if (!attnscope::test::oraclesPresent())
        QSKIP("no tokenizer oracles");
    const SubwordTokenizer &t = clip();
    QCOMPARE(t.model().vocabulary().size(), size_t(49408));
    // Byte symbols in code-point order: "!" is 0, "a" is 64; with "</w>" 256 on.
    QCOMPARE(*t.idOf("!"), int64_t(0));
    QCOMPARE(*t.idOf("a"), int64_t(64));
    QCOMPARE(*t.idOf("!</w>"), int64_t(256));
    QCOMPARE(*t.idOf("<|startoftext|>"), int64_t(49406));
    QCOMPARE(*t.idOf("<|endoftext|>"), int64_t(49407));
    // Typed in any case, the special tokens are CLIP's (its pattern ignores case).
    const EncodedText e = t.encodeText("<|EndOfText|>");
    QCOMPARE(e.ids, (std::vector<int64_t>{49406, 49407, 49407}));
}

void TestClipBpe::pattern()
{
    using W = std::vector<std::string>;
    QCOMPARE(words("it's a dog's life"), (W{"it", "'s", "a", "dog", "'s", "life"}));
    QCOMPARE(words("they've we'll"), (W{"they", "'ve", "we", "'ll"}));
    QCOMPARE(words("2023!!"), (W{"2", "0", "2", "3", "!!"})); // one digit a word
    QCOMPARE(words("''s x"), (W{"''", "s", "x"}));           // a run of symbols is greedy
    QCOMPARE(words("caf\xC3\xA9 \xE6\x9D\xB1\xE4\xBA\xAC"), (W{"caf\xC3\xA9", "\xE6\x9D\xB1\xE4\xBA\xAC"}));
    QCOMPARE(words("zero\xE2\x80\x8Bwidth"), (W{"zero", "\xE2\x80\x8B", "width"})); // U+200B is no space
}

void TestClipBpe::htmlReferences()
{
    QCOMPARE(normalized("Tom &amp; Jerry"), std::string("tom & jerry"));
    QCOMPARE(normalized("&amp;lt;b&amp;gt;"), std::string("<b>"));  // twice, as basic_clean unescapes twice
    QCOMPARE(normalized("&#233;t&#xE9; &#X41;"), std::string("\xC3\xA9t\xC3\xA9 a"));
    QCOMPARE(normalized("&amp &lt"), std::string("& <"));           // html5 takes these without ';'
    QCOMPARE(normalized("&apos &apos;"), std::string("&apos '"));   // but not this one
    QCOMPARE(normalized("&#0; &#xD800;"), std::string("\xEF\xBF\xBD \xEF\xBF\xBD"));
    QCOMPARE(normalized("&unknown; & x"), std::string("&unknown; & x"));
    QCOMPARE(normalized("A\tB\x1C" "C"), std::string("a b c"));      // str.isspace() includes U+001C
    QCOMPARE(normalized("\xC4\xB0stanbul"), std::string("i\xCC\x87stanbul"));
}

QTEST_APPLESS_MAIN(TestClipBpe)
#include "tst_clipbpe.moc"
