#include "core/explain/trustcheck.h"

#include "core/bundle/modelbundle.h"
#include "core/engine/inferenceengine.h"
#include "core/engine/modelinput.h"
#include "core/engine/prediction.h"
#include "core/error.h"
#include "core/explain/explanation.h"
#include "core/explain/perturbationtest.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace attnscope::core {

namespace {

std::string percent(float p)
{
    const long rounded = std::lround(100.0 * static_cast<double>(p));
    return std::to_string(rounded) + "%";
}

/// "lowered it to 12%", "raised it to 40%", "left it at 97%".
std::string change(float from, float to)
{
    if (std::lround(100.0 * static_cast<double>(from)) == std::lround(100.0 * static_cast<double>(to)))
        return "left it at " + percent(to);
    return std::string(to < from ? "lowered it to " : "raised it to ") + percent(to);
}

} // namespace

std::vector<std::vector<int>> TrustCheck::randomSets(int n, int count, int draws)
{
    std::mt19937 generator(20241203u); // fixed: the same badge on every run of the same input
    std::vector<std::vector<int>> sets;
    std::vector<int> all(static_cast<size_t>(std::max(0, n)));
    std::iota(all.begin(), all.end(), 0);
    for (int d = 0; d < draws; ++d) {
        // A partial Fisher-Yates shuffle, written out so that the sets do not
        // depend on the standard library's shuffle.
        std::vector<int> pool = all;
        for (int i = 0; i < count && i < n; ++i) {
            const int j = i + static_cast<int>(generator() % static_cast<unsigned>(n - i));
            std::swap(pool[static_cast<size_t>(i)], pool[static_cast<size_t>(j)]);
        }
        pool.resize(static_cast<size_t>(std::min(count, n)));
        std::sort(pool.begin(), pool.end());
        sets.push_back(pool);
    }
    return sets;
}

TrustCheck::Verdict TrustCheck::judge(float original, float withoutMost, float withoutLeast, float withoutRandom)
{
    const float dropMost = original - withoutMost;
    const float dropLeast = original - withoutLeast;
    const float dropRandom = original - withoutRandom;
    if (dropMost <= dropRandom + kRandomMargin)
        return Verdict::NoBetterThanRandom;
    if (dropMost >= dropRandom + kClearMargin && dropMost >= dropLeast + kClearMargin)
        return Verdict::Faithful;
    return Verdict::Weak;
}

TrustCheck TrustCheck::run(ModelBundle &bundle, const ModelInput &input, int target, const Explanation &explanation,
                           Modality modality)
{
    TrustCheck check;
    check.modality = modality;
    std::vector<int> candidates;
    std::vector<float> scores;
    if (modality == Modality::Image) {
        if (!explanation.hasPatchScores())
            return check;
        for (size_t i = 0; i < explanation.patchScores.size(); ++i) {
            if (std::isnan(explanation.patchScores[i]))
                continue; // the method says nothing about it: neither top nor bottom
            candidates.push_back(static_cast<int>(i));
            scores.push_back(explanation.patchScores[i]);
        }
    } else {
        if (!explanation.hasTokenScores())
            return check;
        for (size_t i = 0; i < input.text.mask.size() && i < explanation.tokenScores.size(); ++i) {
            if (input.text.mask[i] != 0 && input.text.special[i] == 0 && !std::isnan(explanation.tokenScores[i])) {
                candidates.push_back(static_cast<int>(i));
                scores.push_back(explanation.tokenScores[i]);
            }
        }
    }
    const bool anyPositive = std::any_of(scores.begin(), scores.end(), [](float s) { return std::isfinite(s) && s > 0.0f; });
    check.candidates = static_cast<int>(candidates.size());
    if (!anyPositive) {
        check.verdict = candidates.empty() ? Verdict::NotTested : Verdict::NoEvidence;
        return check;
    }
    const int n = check.candidates;
    check.removed = std::max(1, static_cast<int>(std::floor(kFraction * n + 0.5f)));
    std::vector<size_t> order(candidates.size());
    std::iota(order.begin(), order.end(), 0);
    // Most relevant first; equal scores keep their order (as PerturbationTest).
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
    std::vector<int> most, least;
    for (int i = 0; i < check.removed; ++i) {
        most.push_back(candidates[order[static_cast<size_t>(i)]]);
    }
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
    for (int i = 0; i < check.removed; ++i)
        least.push_back(candidates[order[static_cast<size_t>(i)]]);

    const Manifest &m = bundle.manifest();
    std::vector<InputVariant> variants;
    variants.push_back(PerturbationTest::remove(m, input, modality, {}));
    variants.push_back(PerturbationTest::remove(m, input, modality, most));
    variants.push_back(PerturbationTest::remove(m, input, modality, least));
    for (const std::vector<int> &set : randomSets(n, check.removed, kRandomDraws)) {
        std::vector<int> indices;
        for (int k : set)
            indices.push_back(candidates[static_cast<size_t>(k)]);
        variants.push_back(PerturbationTest::remove(m, input, modality, indices));
    }
    const std::vector<float> p = InferenceEngine::targetProbabilities(bundle, variants, target);
    if (p.size() != variants.size())
        throw Error("the faithfulness check got " + std::to_string(p.size()) + " answers for "
                    + std::to_string(variants.size()) + " inputs");
    check.original = p[0];
    check.withoutMostRelevant = p[1];
    check.withoutLeastRelevant = p[2];
    double random = 0.0;
    for (size_t i = 3; i < p.size(); ++i)
        random += p[i];
    check.withoutRandom = static_cast<float>(random / kRandomDraws);
    check.verdict = judge(check.original, check.withoutMostRelevant, check.withoutLeastRelevant, check.withoutRandom);
    return check;
}

const char *TrustCheck::verdictName(Verdict verdict)
{
    switch (verdict) {
    case Verdict::NotTested: return "not tested";
    case Verdict::NoEvidence: return "no positive evidence";
    case Verdict::Faithful: return "faithful here";
    case Verdict::Weak: return "weak";
    case Verdict::NoBetterThanRandom: return "no better than random";
    }
    return "not tested";
}

std::string TrustCheck::sentence() const
{
    const std::string things = modality == Modality::Image ? "image patches" : "words";
    switch (verdict) {
    case Verdict::NotTested:
        return "This method gives no scores for the " + things + ", so it was not tested.";
    case Verdict::NoEvidence:
        return "This method finds no positive evidence for this answer: no " + std::string(modality == Modality::Image ? "patch" : "word")
               + " has a score above zero.";
    default: break;
    }
    const std::string share = percent(kFraction);
    std::string s = "The confidence is " + percent(original) + ". Hiding the " + share + " most relevant " + things + " "
        + change(original, withoutMostRelevant) + "; hiding the " + share + " least relevant "
        + change(original, withoutLeastRelevant) + "; hiding a random " + share + " gives " + percent(withoutRandom)
        + " on average.";
    switch (verdict) {
    case Verdict::Faithful:
        s += " The map picks out what the answer rests on: it is faithful here.";
        break;
    case Verdict::Weak:
        s += " The map does better than chance, but not clearly: treat it as weak evidence.";
        break;
    case Verdict::NoBetterThanRandom:
        s += " The map does no better than random " + things + ": do not read it as what the answer rests on.";
        break;
    default: break;
    }
    return s;
}

std::string nearChanceNote(const Prediction &prediction)
{
    const std::vector<int> order = prediction.ranking();
    if (order.empty() || !prediction.isProbability())
        return {}; // a logit or cosine has no chance level to be near
    const float top = prediction.probability(order[0]);
    if (prediction.multiLabel) {
        // Each label on its own: near 50% the model cannot say whether it applies.
        if (std::fabs(top - 0.5f) < 0.1f)
            return "The model cannot tell whether \"" + prediction.label(order[0]) + "\" applies: " + percent(top)
                   + ", where 50% is a coin toss. An explanation of it says little.";
        return {};
    }
    const float chance = 1.0f / static_cast<float>(order.size());
    if (order.size() >= 3 && top < 1.5f * chance)
        return "The answer is close to a guess: " + percent(top) + " where guessing among " + std::to_string(order.size())
               + " answers gives " + percent(chance) + ".";
    if (order.size() >= 2) {
        const float second = prediction.probability(order[1]);
        if (top - second < 0.10f)
            return "The model is nearly undecided: \"" + prediction.label(order[0]) + "\" " + percent(top) + " against \""
                   + prediction.label(order[1]) + "\" " + percent(second) + ". An explanation of either says little.";
    }
    return {};
}

} // namespace attnscope::core
