#pragma once

#include "core/bundle/manifest.h"

#include <string>
#include <vector>

namespace attnscope::core {

class ModelBundle;
struct Explanation;
struct ModelInput;
struct Prediction;

/// How far to trust one explanation on the input on screen: the target's
/// probability with the quarter of the patches (or words) it ranks highest
/// hidden, with the quarter it ranks lowest hidden, and with random quarters
/// hidden. Five forward passes in one batch, so the window can show a badge
/// with every answer; the full curves stay with PerturbationTest.
struct TrustCheck
{
    enum class Verdict {
        NotTested,          ///< the method gives no scores for this modality
        NoEvidence,         ///< no patch or word has a positive score
        Faithful,           ///< hiding the top quarter hurts the answer clearly more than hiding others
        Weak,               ///< it hurts more than random, but not clearly more than the bottom quarter
        NoBetterThanRandom, ///< hiding the top quarter hurts no more than hiding a random quarter
    };

    static constexpr float kFraction = 0.25f;
    static constexpr int kRandomDraws = 3;
    /// A clear difference, in probability: 0.10 (ten percentage points).
    static constexpr float kClearMargin = 0.10f;
    /// No better than random: within 0.02 of a random quarter, or below it.
    static constexpr float kRandomMargin = 0.02f;

    Modality modality = Modality::Image;
    int removed = 0;                  ///< patches or words hidden in each variant
    int candidates = 0;               ///< of how many
    float original = 0.0f;            ///< the target's probability on the input
    float withoutMostRelevant = 0.0f;
    float withoutLeastRelevant = 0.0f;
    float withoutRandom = 0.0f;       ///< mean over kRandomDraws random quarters
    Verdict verdict = Verdict::NotTested;

    /// Hides the explanation's top and bottom quarter and random quarters of
    /// `modality` (image patches blanked to the mean colour, words masked).
    static TrustCheck run(ModelBundle &bundle, const ModelInput &input, int target, const Explanation &explanation,
                          Modality modality);
    /// The verdict for these probabilities (see Verdict and the margins).
    static Verdict judge(float original, float withoutMost, float withoutLeast, float withoutRandom);
    /// The random index sets run() hides: `draws` sets of `count` of
    /// 0..n-1, from a fixed seed, so the badge is the same on every run.
    static std::vector<std::vector<int>> randomSets(int n, int count, int draws);

    /// "faithful here", "weak", "no better than random", "no positive evidence".
    static const char *verdictName(Verdict verdict);
    /// In plain words, e.g. "Hiding the 25% most relevant image patches
    /// lowered the confidence from 99% to 12%; hiding the 25% least relevant
    /// left it at 97%, and hiding a random 25%, 80%."
    std::string sentence() const;
};

/// A plain sentence when the answer itself is close to a guess: the top
/// answer below 1.5x the chance level of 1/labels (three labels or more), or
/// the top two within 10 points ("nearly undecided"); empty otherwise.
std::string nearChanceNote(const Prediction &prediction);

} // namespace attnscope::core
