#include "core/checkpoint/nativeclip.h"

#include "core/error.h"

#include <cmath>
#include <limits>

namespace attnscope::core {

namespace {

int count(const CheckpointWeights &w, const std::string &prefix, const std::string &suffix)
{
    int n = 0;
    while (w.has(prefix + std::to_string(n) + suffix))
        ++n;
    return n;
}

int intOf(const Json *config, const std::string &key, int fallback)
{
    const Json *v = config ? config->find(key) : nullptr;
    return v && v->isNumber() ? static_cast<int>(v->toNumber()) : fallback;
}

/// OpenAI's block: one fused in_proj for q, k, v (views into it, no copy).
TransformerBlock openAiBlock(const CheckpointWeights &w, const std::string &p, int64_t d, int64_t mlp)
{
    TransformerBlock b;
    b.norm1Weight = w.get(p + "ln_1.weight", {d});
    b.norm1Bias = w.get(p + "ln_1.bias", {d});
    b.setFusedProjection(w.get(p + "attn.in_proj_weight", {3 * d, d}, "the attention's in_proj"),
                         w.get(p + "attn.in_proj_bias", {3 * d}));
    b.proj = w.get(p + "attn.out_proj.weight", {d, d});
    b.projBias = w.get(p + "attn.out_proj.bias", {d});
    b.norm2Weight = w.get(p + "ln_2.weight", {d});
    b.norm2Bias = w.get(p + "ln_2.bias", {d});
    b.fc1 = w.get(p + "mlp.c_fc.weight", {mlp, d});
    b.fc1Bias = w.get(p + "mlp.c_fc.bias", {mlp});
    b.fc2 = w.get(p + "mlp.c_proj.weight", {d, mlp});
    b.fc2Bias = w.get(p + "mlp.c_proj.bias", {d});
    return b;
}

TransformerBlock huggingFaceBlock(const CheckpointWeights &w, const std::string &p, int64_t d, int64_t mlp)
{
    TransformerBlock b;
    b.norm1Weight = w.get(p + "layer_norm1.weight", {d});
    b.norm1Bias = w.get(p + "layer_norm1.bias", {d});
    b.query = w.get(p + "self_attn.q_proj.weight", {d, d});
    b.queryBias = w.get(p + "self_attn.q_proj.bias", {d});
    b.key = w.get(p + "self_attn.k_proj.weight", {d, d});
    b.keyBias = w.get(p + "self_attn.k_proj.bias", {d});
    b.value = w.get(p + "self_attn.v_proj.weight", {d, d});
    b.valueBias = w.get(p + "self_attn.v_proj.bias", {d});
    b.proj = w.get(p + "self_attn.out_proj.weight", {d, d});
    b.projBias = w.get(p + "self_attn.out_proj.bias", {d});
    b.norm2Weight = w.get(p + "layer_norm2.weight", {d});
    b.norm2Bias = w.get(p + "layer_norm2.bias", {d});
    b.fc1 = w.get(p + "mlp.fc1.weight", {mlp, d});
    b.fc1Bias = w.get(p + "mlp.fc1.bias", {mlp});
    b.fc2 = w.get(p + "mlp.fc2.weight", {d, mlp});
    b.fc2Bias = w.get(p + "mlp.fc2.bias", {d});
    return b;
}

void checkHeads(int width, int heads, const char *tower, const std::string &source)
{
    if (heads <= 0 || width % heads)
        throw Error(source + ": the " + tower + " tower's width " + std::to_string(width) + " does not split into "
                    + std::to_string(heads) + " heads");
}

} // namespace

ClipArchitecture NativeClip::openAiArchitecture(const Json *config, const CheckpointWeights &w, const std::string &source)
{
    ClipArchitecture a;
    a.layout = ClipArchitecture::Layout::OpenAI;
    const std::vector<int64_t> conv = w.shape("visual.conv1.weight");
    if (conv.size() != 4 || conv[2] != conv[3])
        throw Error(source + ": visual.conv1.weight is not a square patch convolution (is the image tower a ResNet? "
                    "AttnScope runs CLIP's ViT towers)");
    a.visionWidth = static_cast<int>(conv[0]);
    a.patch = static_cast<int>(conv[2]);
    const int64_t positions = w.shape("visual.positional_embedding").at(0);
    const auto grid = static_cast<int>(std::lround(std::sqrt(static_cast<double>(positions - 1))));
    if (int64_t(grid) * grid + 1 != positions)
        throw Error(source + ": visual.positional_embedding has " + std::to_string(positions)
                    + " rows, which is no square patch grid and a class token");
    a.imageSize = grid * a.patch;
    a.visionLayers = count(w, "visual.transformer.resblocks.", ".ln_1.weight");
    a.visionMlp = static_cast<int>(w.shape("visual.transformer.resblocks.0.mlp.c_fc.weight").at(0));
    a.embed = static_cast<int>(w.shape("visual.proj").at(1));
    const std::vector<int64_t> tokens = w.shape("token_embedding.weight");
    a.vocabulary = static_cast<int>(tokens.at(0));
    a.textWidth = static_cast<int>(tokens.at(1));
    a.context = static_cast<int>(w.shape("positional_embedding").at(0));
    a.textLayers = count(w, "transformer.resblocks.", ".ln_1.weight");
    a.textMlp = static_cast<int>(w.shape("transformer.resblocks.0.mlp.c_fc.weight").at(0));
    // build_model: vision heads = width / 64, text heads = width / 64, unless
    // the config.json beside the weights says otherwise.
    a.visionHeads = intOf(config, "vision_heads", 0);
    a.textHeads = intOf(config, "transformer_heads", 0);
    if (a.visionHeads <= 0 || a.textHeads <= 0) {
        if (a.visionHeads <= 0)
            a.visionHeads = a.visionWidth / 64;
        if (a.textHeads <= 0)
            a.textHeads = a.textWidth / 64;
        a.notes.push_back("no config.json gives the heads: assumed width / 64 as OpenAI's build_model does ("
                          + std::to_string(a.visionHeads) + " image, " + std::to_string(a.textHeads) + " text)");
    }
    checkHeads(a.visionWidth, a.visionHeads, "image", source);
    checkHeads(a.textWidth, a.textHeads, "text", source);
    if (a.vocabulary <= a.endOfText)
        throw Error(source + ": has a vocabulary of " + std::to_string(a.vocabulary)
                    + " tokens, not CLIP's 49,408: AttnScope reads CLIP's own BPE vocabulary");
    return a;
}

ClipArchitecture NativeClip::huggingFaceArchitecture(const Json &config, const CheckpointWeights &w,
                                                     const std::string &source)
{
    ClipArchitecture a;
    a.layout = ClipArchitecture::Layout::HuggingFace;
    const Json *text = config.find("text_config");
    const Json *vision = config.find("vision_config");
    a.visionWidth = intOf(vision, "hidden_size", 768);
    a.visionLayers = intOf(vision, "num_hidden_layers", 12);
    a.visionHeads = intOf(vision, "num_attention_heads", 12);
    a.visionMlp = intOf(vision, "intermediate_size", 3072);
    a.patch = intOf(vision, "patch_size", 32);
    a.imageSize = intOf(vision, "image_size", 224);
    a.textWidth = intOf(text, "hidden_size", 512);
    a.textLayers = intOf(text, "num_hidden_layers", 12);
    a.textHeads = intOf(text, "num_attention_heads", 8);
    a.textMlp = intOf(text, "intermediate_size", 2048);
    a.context = intOf(text, "max_position_embeddings", 77);
    a.vocabulary = intOf(text, "vocab_size", 49408);
    a.embed = intOf(&config, "projection_dim", 512);
    a.endOfText = intOf(text, "eos_token_id", 49407);
    if (a.endOfText == 2) // transformers' old default: it then pools at argmax(ids), CLIP's end of text
        a.endOfText = 49407;
    const std::string act = text && text->find("hidden_act") ? text->find("hidden_act")->toString() : "quick_gelu";
    if (act != "quick_gelu" && act != "gelu")
        throw Error(source + ": hidden_act \"" + act + "\" is not one AttnScope's CLIP computes (quick_gelu, gelu)");
    a.quickGelu = act == "quick_gelu";
    if (text && text->find("layer_norm_eps"))
        a.eps = text->find("layer_norm_eps")->toNumber();
    checkHeads(a.visionWidth, a.visionHeads, "image", source);
    checkHeads(a.textWidth, a.textHeads, "text", source);
    (void)w.shape("vision_model.encoder.layers." + std::to_string(a.visionLayers - 1) + ".layer_norm1.weight");
    (void)w.shape("text_model.encoder.layers." + std::to_string(a.textLayers - 1) + ".layer_norm1.weight");
    return a;
}

NativeClip::NativeClip(ClipArchitecture architecture, const CheckpointWeights &w)
    : m_arch(std::move(architecture))
{
    const int64_t vw = m_arch.visionWidth, tw = m_arch.textWidth, e = m_arch.embed;
    const int64_t positions = m_arch.visionTokens();
    if (m_arch.layout == ClipArchitecture::Layout::OpenAI) {
        m_patch = w.get("visual.conv1.weight", {vw, 3, m_arch.patch, m_arch.patch});
        m_classEmbedding = w.get("visual.class_embedding", {vw});
        m_visionPosition = w.get("visual.positional_embedding", {positions, vw});
        m_preNormWeight = w.get("visual.ln_pre.weight", {vw});
        m_preNormBias = w.get("visual.ln_pre.bias", {vw});
        m_postNormWeight = w.get("visual.ln_post.weight", {vw});
        m_postNormBias = w.get("visual.ln_post.bias", {vw});
        m_visionProjection = w.get("visual.proj", {vw, e});
        m_tokenEmbedding = w.get("token_embedding.weight", {m_arch.vocabulary, tw});
        m_textPosition = w.get("positional_embedding", {m_arch.context, tw});
        m_finalNormWeight = w.get("ln_final.weight", {tw});
        m_finalNormBias = w.get("ln_final.bias", {tw});
        m_textProjection = w.get("text_projection", {tw, e});
        for (int i = 0; i < m_arch.visionLayers; ++i)
            m_vision.push_back(openAiBlock(w, "visual.transformer.resblocks." + std::to_string(i) + ".", vw, m_arch.visionMlp));
        for (int i = 0; i < m_arch.textLayers; ++i)
            m_text.push_back(openAiBlock(w, "transformer.resblocks." + std::to_string(i) + ".", tw, m_arch.textMlp));
    } else {
        const std::string v = "vision_model.", t = "text_model.";
        m_patch = w.get(v + "embeddings.patch_embedding.weight", {vw, 3, m_arch.patch, m_arch.patch});
        m_classEmbedding = w.get(v + "embeddings.class_embedding", {vw});
        m_visionPosition = w.get(v + "embeddings.position_embedding.weight", {positions, vw});
        m_preNormWeight = w.get(v + "pre_layrnorm.weight", {vw}); // (sic) transformers' name
        m_preNormBias = w.get(v + "pre_layrnorm.bias", {vw});
        m_postNormWeight = w.get(v + "post_layernorm.weight", {vw});
        m_postNormBias = w.get(v + "post_layernorm.bias", {vw});
        m_visionProjection = w.get("visual_projection.weight", {e, vw}).t();
        m_tokenEmbedding = w.get(t + "embeddings.token_embedding.weight", {m_arch.vocabulary, tw});
        m_textPosition = w.get(t + "embeddings.position_embedding.weight", {m_arch.context, tw});
        m_finalNormWeight = w.get(t + "final_layer_norm.weight", {tw});
        m_finalNormBias = w.get(t + "final_layer_norm.bias", {tw});
        m_textProjection = w.get("text_projection.weight", {e, tw}).t();
        for (int i = 0; i < m_arch.visionLayers; ++i)
            m_vision.push_back(huggingFaceBlock(w, v + "encoder.layers." + std::to_string(i) + ".", vw, m_arch.visionMlp));
        for (int i = 0; i < m_arch.textLayers; ++i)
            m_text.push_back(huggingFaceBlock(w, t + "encoder.layers." + std::to_string(i) + ".", tw, m_arch.textMlp));
    }
    m_logitScale = w.get("logit_scale", {}, "the similarity's temperature");
    if (m_logitScale.dim() != 0 && m_logitScale.numel() != 1)
        throw Error(w.file().path() + ": logit_scale must be one number");
}

NativeModel::Output NativeClip::forward(const Inputs &in) const
{
    const auto act = m_arch.quickGelu ? TransformerBlock::Activation::QuickGelu : TransformerBlock::Activation::Gelu;
    Output out;
    // The image tower: patches, the class token first, positions, ln_pre.
    const int64_t batch = in.image.size(0), vw = m_arch.visionWidth;
    torch::Tensor x = torch::conv2d(in.image, m_patch, {}, {m_arch.patch, m_arch.patch}).flatten(2).transpose(1, 2);
    x = torch::cat({m_classEmbedding.reshape({1, 1, vw}).expand({batch, 1, vw}), x}, 1) + m_visionPosition;
    x = torch::layer_norm(x, {vw}, m_preNormWeight, m_preNormBias, m_arch.eps);
    for (const TransformerBlock &block : m_vision) {
        torch::Tensor attention;
        x = block.forward(x, m_arch.visionHeads, m_arch.eps, act, {}, attention);
        out.attentions.push_back(attention);
    }
    const torch::Tensor image = torch::matmul(
        torch::layer_norm(x.select(1, 0), {vw}, m_postNormWeight, m_postNormBias, m_arch.eps), m_visionProjection);
    // The text tower, causal, pooled at the first end-of-text token.
    const int64_t tw = m_arch.textWidth, context = m_arch.context;
    torch::Tensor t = torch::embedding(m_tokenEmbedding, in.ids) + m_textPosition;
    const torch::Tensor mask = torch::full({context, context}, -std::numeric_limits<float>::infinity(),
                                           t.options().requires_grad(false))
                                   .triu(1);
    for (const TransformerBlock &block : m_text) {
        torch::Tensor attention;
        t = block.forward(t, m_arch.textHeads, m_arch.eps, act, mask, attention);
        out.attentions.push_back(attention);
    }
    t = torch::layer_norm(t, {tw}, m_finalNormWeight, m_finalNormBias, m_arch.eps);
    const torch::Tensor eot = (in.ids == m_arch.endOfText).to(torch::kInt32).argmax(1);
    const torch::Tensor pooled = t.index({torch::arange(t.size(0), eot.options().dtype(torch::kLong)), eot});
    const torch::Tensor text = torch::matmul(pooled, m_textProjection);
    const torch::Tensor cosine = (image / image.norm(2, -1, true) * (text / text.norm(2, -1, true))).sum(-1);
    out.logits = m_logitScale.exp() * cosine;
    return out;
}

std::vector<torch::Tensor *> NativeClip::tensors()
{
    std::vector<torch::Tensor *> all{&m_patch,          &m_classEmbedding, &m_visionPosition,  &m_preNormWeight,
                                     &m_preNormBias,    &m_postNormWeight, &m_postNormBias,    &m_visionProjection,
                                     &m_tokenEmbedding, &m_textPosition,   &m_finalNormWeight, &m_finalNormBias,
                                     &m_textProjection, &m_logitScale};
    for (auto *blocks : {&m_vision, &m_text}) {
        for (TransformerBlock &b : *blocks) {
            for (torch::Tensor *t : b.tensors())
                all.push_back(t);
        }
    }
    return all;
}

} // namespace attnscope::core
