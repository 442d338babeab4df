#include "core/bundle/modelbundle_p.h"

#include "core/error.h"
#include "core/text/tokenizer.h"

namespace attnscope::core {

// The probe: a made-up input run through the model to check what it
// returns before any real input (ModelBundle::validate, `attnscope info`)
// and to find what only a run shows (the heads, whether gradients reach the
// maps) when asked before the first run.

namespace {

/// The probe runs two inputs (checking the batch dimension) while one
/// head of every attention map of one input takes at most this many bytes.
constexpr double kBatchProbeBytesPerHead = 8.0 * 1024 * 1024;

/// A probe input: a mid-grey image and a few words (the first words of a
/// word-level vocabulary).
std::pair<std::vector<float>, TokenizedText> probeInput(const Manifest &m)
{
    std::vector<float> pixels;
    if (m.takesImage())
        pixels.assign(static_cast<size_t>(3) * m.image.height * m.image.width, 0.0f);
    TokenizedText text;
    if (m.text.subword()) {
        const auto tokenizer = Tokenizer::of(m.text);
        text = m.text.pair ? tokenizer->encodeWithPair("a probe", "the probe") : tokenizer->encode("a probe");
    } else if (m.text.maxLength > 0) {
        std::string words;
        int n = 0;
        for (const auto &word : m.text.vocab) {
            if (word == m.text.padToken || word == m.text.unkToken || word == m.text.clsToken
                || word == m.text.sepToken)
                continue;
            words += word + " ";
            if (++n >= 3)
                break;
        }
        // And the vocabulary's last word, whose id is the highest: a
        // vocabulary larger than the model's embedding shows at load.
        if (!m.text.vocab.empty())
            words = m.text.vocab.back() + " " + words;
        text = Tokenizer::of(m.text)->encode(words);
    }
    return {pixels, text};
}

} // namespace

double ModelBundle::Impl::mapBytes() const
{
    double cells = 0.0;
    for (const AttentionSpec &a : manifest.attentions)
        cells += static_cast<double>(manifest.streams[static_cast<size_t>(a.queryStream)].length())
                 * manifest.streams[static_cast<size_t>(a.keyStream)].length();
    return cells * sizeof(float);
}

void ModelBundle::validate() const
{
    // The probe: the model's outputs checked on a made-up input, without the
    // autograd graph. Two inputs where the attention maps are small, so the
    // batch dimension is checked too; one where two would cost gigabytes.
    torch::NoGradGuard noGrad;
    const ForwardOutput out = d->probeForward(d->mapBytes() <= kBatchProbeBytesPerHead ? 2 : 1);
    d->checkOutputs(out.logits, out.attentions, "the probe input");
}

void ModelBundle::Impl::checkOutputs(const torch::Tensor &logits, const std::vector<torch::Tensor> &attentions,
                                     const std::string &input) const
{
    // A head at a time: at 2,048 tokens a whole map's temporaries would be
    // hundreds of megabytes.
    torch::NoGradGuard noGrad;
    const std::string prefix = path + ": ";
    if (!torch::isfinite(logits.detach()).all().item<bool>())
        throw Error(prefix + "the model gave non-finite logits (NaN or infinity) on " + input
                    + ", so there is no answer to explain");
    for (size_t i = 0; i < attentions.size(); ++i) {
        const torch::Tensor map = attentions[i].detach();
        for (int64_t b = 0; b < map.size(0); ++b) {
            for (int64_t h = 0; h < map.size(1); ++h) {
                const torch::Tensor a = map.select(0, b).select(0, h).to(torch::kFloat32);
                if (!torch::isfinite(a).all().item<bool>())
                    throw Error(prefix + describeAttention(i) + " holds non-finite values (NaN or infinity) on "
                                + input + ", so no picture of it would mean anything");
                const double worst = (a.sum(-1) - 1.0).abs().max().item<double>();
                if (worst > 1e-3)
                    throw Error(prefix + describeAttention(i) + " has rows that do not sum to 1 on " + input
                                + " (off by up to " + std::to_string(worst) + "): return attention after the softmax");
                if ((a < -1e-6).any().item<bool>())
                    throw Error(prefix + describeAttention(i) + " holds negative values on " + input
                                + ": return attention after the softmax");
            }
        }
    }
}

ForwardOutput ModelBundle::Impl::probeForward(int batch, bool graph)
{
    const auto [pixels, text] = probeInput(manifest);
    const std::vector<int64_t> none;
    const bool hasText = manifest.text.maxLength > 0;
    const auto n = static_cast<size_t>(batch);
    const ForwardInputs in = inputs(std::vector<const std::vector<float> *>(n, &pixels),
                                    std::vector<const std::vector<int64_t> *>(n, hasText ? &text.ids : &none),
                                    std::vector<const std::vector<int64_t> *>(n, hasText ? &text.mask : &none),
                                    std::vector<const std::vector<int64_t> *>(n, &text.typeIds));
    return graph ? forwardWithGraph(in) : forward(in);
}

} // namespace attnscope::core
