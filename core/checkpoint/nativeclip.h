#pragma once

// Internal to core: includes LibTorch. Never include from ui/ or app/.

#include "core/checkpoint/checkpointweights.h"
#include "core/checkpoint/cliparchitecture.h"
#include "core/checkpoint/nativemodel.h"
#include "core/checkpoint/transformerblock.h"
#include "core/json/json.h"

namespace attnscope::core {

/// CLIP in LibTorch, reading OpenAI's state dict (`visual.*`,
/// `transformer.resblocks.*`, `text_projection`, `logit_scale`) and Hugging
/// Face's `CLIPModel` layout. forward() returns CLIP's logit for each
/// (image, caption) pair, exp(logit_scale) x cosine, and the maps of the
/// vision blocks, then those of the text blocks (causal: zero above the
/// diagonal).
class NativeClip : public NativeModel
{
public:
    /// OpenAI's layout: the shapes, and the heads from a config.json beside
    /// it (vision_heads, transformer_heads) or width / 64 as build_model
    /// does, with a note. `config` may be null.
    static ClipArchitecture openAiArchitecture(const Json *config, const CheckpointWeights &weights,
                                               const std::string &source);
    /// Hugging Face's config.json (model_type "clip": text_config, vision_config).
    static ClipArchitecture huggingFaceArchitecture(const Json &config, const CheckpointWeights &weights,
                                                    const std::string &source);

    NativeClip(ClipArchitecture architecture, const CheckpointWeights &weights);

    const ClipArchitecture &architecture() const { return m_arch; }
    Output forward(const Inputs &inputs) const override;

protected:
    std::vector<torch::Tensor *> tensors() override;

private:

    ClipArchitecture m_arch;
    torch::Tensor m_patch, m_classEmbedding, m_visionPosition, m_preNormWeight, m_preNormBias;
    torch::Tensor m_postNormWeight, m_postNormBias, m_visionProjection; ///< projection [width, embed]
    torch::Tensor m_tokenEmbedding, m_textPosition, m_finalNormWeight, m_finalNormBias, m_textProjection;
    torch::Tensor m_logitScale;
    std::vector<TransformerBlock> m_vision, m_text;
};

} // namespace attnscope::core
