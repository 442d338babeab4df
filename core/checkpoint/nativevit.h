#pragma once

// Internal to core: includes LibTorch. Never include from ui/ or app/.

#include "core/checkpoint/checkpointweights.h"
#include "core/checkpoint/nativemodel.h"
#include "core/checkpoint/transformerblock.h"
#include "core/checkpoint/vitarchitecture.h"
#include "core/json/json.h"

namespace attnscope::core {

/// ViT and DeiT image classifiers in LibTorch, reading timm's key layout
/// (`blocks.N.attn.qkv`, `cls_token`, `dist_token`, `reg_token`, LayerScale,
/// `fc_norm`) and Hugging Face's (`ViTForImageClassification`,
/// `DeiTForImageClassificationWithTeacher`). Its attention maps are one per
/// block over [prefix tokens, patches row-major], as timm orders them.
class NativeVit : public NativeModel
{
public:
    /// From a timm `config.json` (architecture, model_args, pretrained_cfg,
    /// label_names) and the tensors' shapes. Throws Error naming `source`.
    static VitArchitecture timmArchitecture(const Json &config, const CheckpointWeights &weights,
                                            const std::string &source);
    /// From a Hugging Face `config.json` (model_type "vit" or "deit").
    static VitArchitecture huggingFaceArchitecture(const Json &config, const CheckpointWeights &weights,
                                                   const std::string &source);

    NativeVit(VitArchitecture architecture, const CheckpointWeights &weights);

    const VitArchitecture &architecture() const { return m_arch; }
    Output forward(const Inputs &inputs) const override;

protected:
    std::vector<torch::Tensor *> tensors() override;

private:

    VitArchitecture m_arch;
    torch::Tensor m_patchWeight, m_patchBias, m_classToken, m_distToken, m_registers, m_position;
    torch::Tensor m_preNormWeight, m_preNormBias, m_normWeight, m_normBias;
    torch::Tensor m_head, m_headBias, m_headDist, m_headDistBias;
    std::vector<TransformerBlock> m_blocks;
};

} // namespace attnscope::core
