#pragma once

// The tokenizer oracles beside the repository (../shared/oracles/tokenizers,
// see its README): strings tokenized by the Hugging Face tokenizers library,
// with the tokens, ids, type ids, offsets and masks it gave. Shared by
// tst_wordpiece and tst_bytelevelbpe, which hold the C++ tokenizers to them.

#include "core/json/json.h"
#include "core/text/encodedtext.h"

#include "../../testsupport.h"

#include <QDir>
#include <QTest>

#include <map>
#include <string>
#include <vector>

namespace attnscope::test {

inline std::string oraclePath(const std::string &relative)
{
    return std::string(ATTNSCOPE_ORACLES) + "/tokenizers/" + relative;
}

inline bool oraclesPresent()
{
    return QDir(QString::fromStdString(oraclePath(""))).exists();
}

/// One string (or pair) of a cases.json and what the library made of it.
struct OracleCase
{
    std::string text;
    std::string pair;
    bool isPair = false;
    const core::Json *expected = nullptr;
};

/// Every case of <folder>/cases.json, singles first, then pairs; read once.
inline const std::vector<OracleCase> &oracleCases(const std::string &folder)
{
    static std::map<std::string, std::pair<core::Json, std::vector<OracleCase>>> cache;
    auto it = cache.find(folder);
    if (it == cache.end()) {
        it = cache
                 .emplace(folder,
                          std::make_pair(readJson(oraclePath(folder + "/cases.json")), std::vector<OracleCase>{}))
                 .first;
        for (const char *kind : {"single", "pairs"}) {
            for (const core::Json &c : it->second.first.find(kind)->toArray()) {
                OracleCase oc;
                oc.text = c.find("text")->toString();
                if (const core::Json *pair = c.find("text_pair")) {
                    oc.pair = pair->toString();
                    oc.isPair = true;
                }
                oc.expected = &c;
                it->second.second.push_back(oc);
            }
        }
    }
    return it->second.second;
}

inline void addFolderRows(const std::string &folder, const std::vector<std::string> &loaders)
{
    const std::vector<OracleCase> &cases = oracleCases(folder);
    for (const std::string &loader : loaders) {
        int singles = 0, pairs = 0;
        for (size_t i = 0; i < cases.size(); ++i) {
            const std::string name =
                folder + " " + loader + " " +
                (cases[i].isPair ? "pair " + std::to_string(pairs++) : "single " + std::to_string(singles++));
            QTest::newRow(name.c_str()) << QString::fromStdString(folder) << QString::fromStdString(loader)
                                        << static_cast<int>(i);
        }
    }
}

/// Data rows "<folder> <loader> <kind> <n>" for every case of each folder
/// and loader, or one row with index -1 when the oracles are absent (the
/// test then skips, or fails where CI is set).
inline void addOracleRows(const std::vector<std::string> &folders, const std::vector<std::string> &loaders)
{
    QTest::addColumn<QString>("folder");
    QTest::addColumn<QString>("loader");
    QTest::addColumn<int>("index");
    if (!oraclesPresent()) {
        QTest::newRow("oracles missing") << QString() << QString() << -1;
        return;
    }
    for (const std::string &folder : folders)
        addFolderRows(folder, loaders);
}

/// Skips, or fails where CI is set, when the oracles are absent.
#define ATTNSCOPE_REQUIRE_ORACLES(index)                                                                               \
    do {                                                                                                               \
        if ((index) < 0) {                                                                                             \
            const QString message_ = QStringLiteral("no tokenizer oracles at %1 (../shared/oracles beside "            \
                                                    "the repository)")                                                 \
                                         .arg(QString::fromStdString(attnscope::test::oraclePath("")));                \
            if (qEnvironmentVariableIsSet("CI"))                                                                       \
                QFAIL(qPrintable(message_));                                                                           \
            QSKIP(qPrintable(message_));                                                                               \
        }                                                                                                              \
    } while (0)

template <typename T> core::Json jsonOf(const std::vector<T> &values)
{
    core::Json out = core::Json::array();
    for (const T &v : values)
        out.push(core::Json(static_cast<int64_t>(v)));
    return out;
}

inline core::Json jsonOf(const std::vector<std::string> &values)
{
    core::Json out = core::Json::array();
    for (const std::string &v : values)
        out.push(core::Json(v));
    return out;
}

inline core::Json jsonOf(const std::vector<core::EncodedText::Span> &spans)
{
    core::Json out = core::Json::array();
    for (const auto &[start, end] : spans)
        out.push(core::Json(core::Json::Array{core::Json(start), core::Json(end)}));
    return out;
}

/// -1 is the library's null (no word, no sequence).
inline core::Json jsonOfOptional(const std::vector<int64_t> &values)
{
    core::Json out = core::Json::array();
    for (int64_t v : values)
        out.push(v < 0 ? core::Json() : core::Json(v));
    return out;
}

/// The encoding as the oracle writes it, field by field, to compare as text.
inline core::Json oracleFieldsOf(const core::EncodedText &e)
{
    core::Json out = core::Json::object();
    out.set("tokens", jsonOf(e.tokens));
    out.set("ids", jsonOf(e.ids));
    out.set("type_ids", jsonOf(e.typeIds));
    out.set("offsets", jsonOf(e.offsets));
    out.set("offsets_utf8", jsonOf(e.byteOffsets));
    out.set("attention_mask", jsonOf(e.attentionMask));
    out.set("special_tokens_mask", jsonOf(e.specialTokensMask));
    out.set("word_ids", jsonOfOptional(e.wordIds));
    out.set("sequence_ids", jsonOfOptional(e.sequenceIds));
    return out;
}

/// Compares every field the oracle has and the encoding reports, exactly.
#define ATTNSCOPE_COMPARE_WITH_ORACLE(encoded, oracleCase)                                                             \
    do {                                                                                                               \
        const attnscope::core::Json actual_ = attnscope::test::oracleFieldsOf(encoded);                                \
        for (const auto &[field_, value_] : actual_.toObject()) {                                                      \
            const attnscope::core::Json *expected_ = (oracleCase).expected->find(field_);                              \
            QVERIFY2(expected_, qPrintable(QString::fromStdString("the oracle has no " + field_)));                    \
            const QString got_ = QString::fromStdString(field_ + ": " + value_.dump());                                \
            const QString want_ = QString::fromStdString(field_ + ": " + expected_->dump());                           \
            QCOMPARE(got_, want_);                                                                                     \
        }                                                                                                              \
    } while (0)

} // namespace attnscope::test
