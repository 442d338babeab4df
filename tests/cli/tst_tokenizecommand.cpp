// `attnscope tokenize` on every string of the tokenizer oracles (../shared/
// oracles/tokenizers: what the Hugging Face tokenizers library made of them),
// through each file a user can give it: --json must give the library's
// tokens, ids, type ids, offsets and masks exactly. Then the table, and the
// errors for what is not a tokenizer.
#include "../core/text/tokenizeroracle.h"
#include "clirun.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace attnscope;
using test::Result;
using test::runCommand;

namespace {

/// The file each loader reads in an oracle folder, and the options it needs.
QStringList tokenizerArgs(const QString &folder, const QString &loader)
{
    QStringList args{"--tokenizer", QString::fromStdString(test::oraclePath(folder.toStdString() + "/" + loader.toStdString()))};
    if (folder == "bert_cased" && loader == "vocab.txt")
        args << "--cased";
    return args;
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const std::string &bytes)
{
    QFile f(dir.filePath(name));
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(bytes.data(), static_cast<qint64>(bytes.size()));
    return f.fileName();
}

} // namespace

class TestTokenizeCommand : public QObject
{
    Q_OBJECT
private slots:
    void everyOracleStringThroughTheCommand_data()
    {
        QTest::addColumn<QString>("folder");
        QTest::addColumn<QString>("loader");
        QTest::addColumn<int>("index");
        if (!test::oraclesPresent()) {
            QTest::newRow("oracles missing") << QString() << QString() << -1;
            return;
        }
        test::addFolderRows("bert_uncased", {"tokenizer.json", "vocab.txt"});
        test::addFolderRows("bert_cased", {"tokenizer.json", "vocab.txt"});
        test::addFolderRows("bytelevel_bpe", {"tokenizer.json", "vocab.json"});
    }

    void everyOracleStringThroughTheCommand()
    {
        QFETCH(QString, folder);
        QFETCH(QString, loader);
        QFETCH(int, index);
        ATTNSCOPE_REQUIRE_ORACLES(index);
        const test::OracleCase &c = test::oracleCases(folder.toStdString())[static_cast<size_t>(index)];
        // Through files: the strings hold NUL and other bytes argv cannot carry.
        QTemporaryDir dir;
        QStringList args = QStringList{"tokenize"} + tokenizerArgs(folder, loader);
        args << "--text-file" << writeFile(dir, "text", c.text) << "--json";
        if (c.isPair)
            args << "--pair-file" << writeFile(dir, "pair", c.pair);
        const Result r = runCommand(args);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const core::Json got = core::Json::parse(r.out.toStdString(), "attnscope tokenize --json");
        for (const char *field : {"tokens", "ids", "type_ids", "offsets", "offsets_utf8", "attention_mask",
                                  "special_tokens_mask", "word_ids", "sequence_ids"}) {
            const core::Json *expected = c.expected->find(field);
            const core::Json *actual = got.find(field);
            QVERIFY2(expected && actual, field);
            QCOMPARE(QString::fromStdString(std::string(field) + ": " + actual->dump()),
                     QString::fromStdString(std::string(field) + ": " + expected->dump()));
        }
    }

    // OpenAI CLIP's vocabulary file as it ships (gzipped): the ids of every
    // oracle string that ftfy leaves as it is (tst_clipbpe says which five
    // it rewrites), through the command.
    void clipStringsThroughTheCommand()
    {
        if (!test::oraclesPresent()) {
            if (qEnvironmentVariableIsSet("CI"))
                QFAIL("no tokenizer oracles beside the repository");
            QSKIP("no tokenizer oracles beside the repository");
        }
        const core::Json cases = test::readJson(test::oraclePath("clip_bpe/cases.json"));
        const QString vocab = QString::fromStdString(test::oraclePath("clip_bpe/bpe_simple_vocab_16e6.txt.gz"));
        int matched = 0;
        QTemporaryDir dir;
        for (const core::Json &c : cases.find("cases")->toArray()) {
            const Result r = runCommand({"tokenize", "--tokenizer", vocab, "--text-file",
                                         writeFile(dir, "text", c.find("text")->toString()), "--json"});
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
            const core::Json got = core::Json::parse(r.out.toStdString(), "attnscope tokenize --json");
            const bool same = got.find("ids")->dump() == c.find("ids")->dump();
            QVERIFY2(same || c.find("ftfy_changes_text")->toBool(), c.find("text")->toString().c_str());
            matched += same ? 1 : 0;
        }
        QCOMPARE(matched, 46 - 5); // the two HTML strings ftfy changes match too: html.unescape undoes them
    }

    void sentencePieceThroughTheCommand()
    {
        // The unigram model's reference (tests/data, the sentencepiece
        // library's own pieces): every string, ids and offsets, as typed.
        const core::Json reference = test::readJson(test::dataPath("sentencepiece.reference.json"));
        const core::Json &model = *reference.find("models")->find("spm_unigram.model");
        const QString file = QString::fromStdString(test::dataPath("spm_unigram.model"));
        QTemporaryDir dir;
        int matched = 0;
        for (const core::Json &c : model.find("cases")->toArray()) {
            const Result r = runCommand({"tokenize", "--tokenizer", file, "--text-file",
                                         writeFile(dir, "text", c.find("text")->toString()), "--json"});
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
            const core::Json got = core::Json::parse(r.out.toStdString(), "attnscope tokenize --json");
            QVERIFY2(got.find("ids")->dump() == c.find("ids")->dump(), c.find("text")->toString().c_str());
            QVERIFY2(got.find("tokens")->dump() == c.find("pieces")->dump(), c.find("text")->toString().c_str());
            QVERIFY2(got.find("offsets")->dump() == c.find("spans")->dump(), c.find("text")->toString().c_str());
            ++matched;
        }
        QVERIFY(matched >= 150);
    }

    void tableShowsPiecesIdsAndOffsets()
    {
        if (!test::oraclesPresent()) {
            if (qEnvironmentVariableIsSet("CI"))
                QFAIL("no tokenizer oracles beside the repository");
            QSKIP("no tokenizer oracles beside the repository");
        }
        const Result r = runCommand(QStringList{"tokenize"} + tokenizerArgs("bert_uncased", "tokenizer.json")
                                    + QStringList{"--text", "Hello", "--pair", "World"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.startsWith("tokenizer: "), qPrintable(r.out));
        QVERIFY2(r.out.contains("[CLS]") && r.out.contains("(special)"), qPrintable(r.out));
        QCOMPARE(r.out.count("[SEP]"), 2); // [CLS] A [SEP] B [SEP]
    }

    void refusesWhatIsNoTokenizer_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::newRow("an image") << "images/joint_exact.png" << 1 << "not a tokenizer AttnScope reads";
        QTest::newRow("a manifest-less JSON") << "eval.reference.json" << 1 << "merges.txt";
        QTest::newRow("missing") << "nothing_here/tokenizer.json" << 1 << "there is no such file";
    }

    void refusesWhatIsNoTokenizer()
    {
        QFETCH(QString, file);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        const Result r = runCommand({"tokenize", "--tokenizer", test::data(file.toLatin1().constData()), "--text", "a"});
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(r.err.startsWith("attnscope: error: ") && r.err.contains(message), qPrintable(r.err));
    }

    void badUsageExits2()
    {
        QCOMPARE(runCommand({"tokenize", "--text", "a"}).exitCode, 2);                           // no tokenizer
        QCOMPARE(runCommand({"tokenize", "--tokenizer", "t.json"}).exitCode, 2);                 // no text
        QCOMPARE(runCommand({"tokenize", "--tokenizer", "t.json", "--text", "a", "--text-file", "f"}).exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(TestTokenizeCommand)
#include "tst_tokenizecommand.moc"
