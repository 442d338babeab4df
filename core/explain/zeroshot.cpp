#include "core/explain/zeroshot.h"

#include "core/bundle/modelbundle.h"
#include "core/engine/inferenceengine.h"
#include "core/engine/modelinput.h"
#include "core/error.h"
#include "core/text/tokenizer.h"

#include <algorithm>
#include <cmath>

namespace attnscope::core {

std::vector<ZeroShotCandidate> ZeroShot::rank(ModelBundle &bundle, const ModelInput &image,
                                              const std::vector<std::string> &captions)
{
    const Manifest &m = bundle.manifest();
    if (m.task != Task::Matching || !m.readsImage() || !m.readsText())
        throw Error("zero-shot ranking needs an image-text matching model (a CLIP-like one); " + m.name + " is not one");
    if (captions.empty())
        throw Error("zero-shot ranking needs at least one candidate caption");
    if (captions.size() > kMaxCandidates)
        throw Error("at most " + std::to_string(kMaxCandidates) + " candidate captions, not " + std::to_string(captions.size()));
    const auto tokenizer = Tokenizer::of(m.text);
    std::vector<ZeroShotCandidate> out;
    std::vector<InputVariant> variants;
    for (const std::string &caption : captions) {
        const TokenizedText text = tokenizer->encode(caption);
        variants.push_back(InputVariant{image.pixels, text.ids, text.mask, text.typeIds});
        ZeroShotCandidate c;
        c.caption = caption;
        c.truncated = text.truncated() || text.droppedPieces > 0;
        c.unknownWords = text.unknownWords();
        out.push_back(std::move(c));
    }
    const std::vector<float> scores = InferenceEngine::targetProbabilities(bundle, variants, 0);
    for (size_t i = 0; i < out.size(); ++i)
        out[i].score = scores[i];
    if (m.matchScore == MatchScore::Logit) {
        // CLIP's zero-shot probabilities: logits_per_image.softmax(dim=-1).
        const float top = *std::max_element(scores.begin(), scores.end());
        double sum = 0.0;
        for (float s : scores)
            sum += std::exp(static_cast<double>(s - top));
        for (size_t i = 0; i < out.size(); ++i)
            out[i].probability = static_cast<float>(std::exp(static_cast<double>(scores[i] - top)) / sum);
    }
    std::stable_sort(out.begin(), out.end(), [](const ZeroShotCandidate &a, const ZeroShotCandidate &b) {
        return a.score > b.score;
    });
    return out;
}

} // namespace attnscope::core
