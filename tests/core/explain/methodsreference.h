#pragma once
// Shared by tst_methods and tst_modelkinds: every method's scores of one
// run against a case of a *.reference.json made by models/attnscope/reference.py.
#include "../../testsupport.h"

#include "core/engine/capturedrun.h"
#include "core/explain/explainer.h"

namespace attnscope::test {

/// The prediction (logits, probabilities, the answer), every method (raw,
/// rollout, relevance, Grad-CAM) and rollout's fusion and discard variants
/// against `ref`; on a mismatch the calling test has failed (check
/// QTest::currentTestFailed()).
inline void compareRunWithReference(core::CapturedRun &run, const core::Json &ref)
{
    using namespace attnscope::core;
    ATTNSCOPE_COMPARE_FLOATS(run.prediction().logits, test::floatsOf(*ref.find("logits")));
    ATTNSCOPE_COMPARE_FLOATS(run.prediction().probabilities, test::floatsOf(*ref.find("probabilities")));
    const int target = static_cast<int>(ref.find("target")->toNumber());
    QCOMPARE(run.prediction().predicted, target);
    const Json &methods = *ref.find("methods");
    for (Method method : allMethods()) {
        const Json &expected = *methods.find(methodName(method));
        MethodOptions options;
        options.method = method;
        const Explanation e = Explainer::explain(run, options);
        QCOMPARE(e.target, target);
        if (expected.find("patch_scores")->isNull()) {
            QVERIFY(!e.hasPatchScores());
        } else {
            ATTNSCOPE_COMPARE_FLOATS(e.patchScores, test::floatsOf(*expected.find("patch_scores")));
        }
        if (expected.find("token_scores")->isNull()) {
            QVERIFY(!e.hasTokenScores());
        } else {
            ATTNSCOPE_COMPARE_FLOATS(e.tokenScores, test::floatsOf(*expected.find("token_scores")));
        }
        if (const Json *matrix = expected.find("matrix"))
            ATTNSCOPE_COMPARE_FLOATS(e.matrix.values(), test::floatsOf(*matrix));
        if (method == Method::RawAttention)
            QCOMPARE(Explainer::defaultAttention(run), static_cast<int>(expected.find("attention")->toNumber()));
    }
    // Rollout's head fusion and discard ratio, as vit-explain offers them.
    for (const Json &variant : ref.find("rollout_variants")->toArray()) {
        MethodOptions options;
        options.method = Method::Rollout;
        options.fusion = parseHeadReduction(variant.find("fusion")->toString());
        options.discardRatio = variant.find("discard_ratio")->toNumber();
        const Explanation e = Explainer::explain(run, options);
        if (!variant.find("patch_scores")->isNull())
            ATTNSCOPE_COMPARE_FLOATS(e.patchScores, test::floatsOf(*variant.find("patch_scores")));
        if (!variant.find("token_scores")->isNull())
            ATTNSCOPE_COMPARE_FLOATS(e.tokenScores, test::floatsOf(*variant.find("token_scores")));
    }
}

} // namespace attnscope::test
