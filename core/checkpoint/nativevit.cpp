#include "core/checkpoint/nativevit.h"

#include "core/error.h"

#include <cmath>
#include <map>

namespace attnscope::core {

namespace {

int intOf(const Json *config, const std::string &key, int fallback)
{
    const Json *v = config ? config->find(key) : nullptr;
    return v && v->isNumber() ? static_cast<int>(v->toNumber()) : fallback;
}

bool boolOf(const Json *config, const std::string &key, bool fallback)
{
    const Json *v = config ? config->find(key) : nullptr;
    return v && v->isBool() ? v->toBool() : fallback;
}

std::string stringOf(const Json *config, const std::string &key, const std::string &fallback = "")
{
    const Json *v = config ? config->find(key) : nullptr;
    return v && v->isString() ? v->toString() : fallback;
}

int squareSide(int64_t n)
{
    const auto side = static_cast<int64_t>(std::lround(std::sqrt(static_cast<double>(n))));
    return side * side == n ? static_cast<int>(side) : -1;
}

/// Heads of timm's ViT sizes (vit_base_..., deit_small_...): no tensor
/// shape shows them, and a Hub config.json often names only the architecture.
int timmHeads(const std::string &architecture)
{
    static const std::map<std::string, int> heads{{"tiny", 3},  {"small", 6},   {"medium", 8}, {"mediumd", 8},
                                                  {"betwixt", 10}, {"base", 12}, {"large", 16}, {"huge", 16},
                                                  {"giant", 16}, {"gigantic", 16}};
    const size_t first = architecture.find('_');
    if (first == std::string::npos)
        return 0;
    const size_t second = architecture.find('_', first + 1);
    const auto it = heads.find(architecture.substr(first + 1, second - first - 1));
    return it == heads.end() ? 0 : it->second;
}

void readLabels(VitArchitecture &arch, const Json &config)
{
    if (const Json *names = config.find("label_names"); names && names->isArray()
        && static_cast<int>(names->toArray().size()) == arch.classes) {
        for (const Json &n : names->toArray())
            arch.labels.push_back(n.isString() ? n.toString() : n.dump());
        return;
    }
    if (const Json *map = config.find("id2label"); map && map->isObject()) {
        for (int i = 0; i < arch.classes; ++i) {
            const Json *name = map->find(std::to_string(i));
            arch.labels.push_back(name && name->isString() ? name->toString() : "class " + std::to_string(i));
        }
        return;
    }
    for (int i = 0; i < arch.classes; ++i)
        arch.labels.push_back("class " + std::to_string(i));
}

/// Where the position embeddings were made for another patch grid: resized
/// bicubically, as timm and transformers do when the image size changes.
void checkPositions(VitArchitecture &arch, int64_t positions, const std::string &source)
{
    const int64_t patches = positions - (arch.noEmbedClass ? 0 : arch.prefixTokens());
    const int side = squareSide(patches);
    if (side <= 0)
        throw Error(source + ": the position embeddings have " + std::to_string(positions)
                    + " entries, which is no square patch grid beside " + std::to_string(arch.prefixTokens())
                    + " prefix tokens");
    arch.positionRows = arch.positionCols = side;
    if (arch.imageHeight <= 0 || arch.imageWidth <= 0)
        arch.imageHeight = arch.imageWidth = side * arch.patch;
    if (arch.imageHeight % arch.patch || arch.imageWidth % arch.patch)
        throw Error(source + ": the image size " + std::to_string(arch.imageHeight) + "x" + std::to_string(arch.imageWidth)
                    + " is not a whole number of " + std::to_string(arch.patch) + "-pixel patches");
    if (arch.gridRows() != side || arch.gridCols() != side)
        arch.notes.push_back("position embeddings made for a " + std::to_string(side) + "x" + std::to_string(side)
                             + " patch grid were resized (bicubic) to " + std::to_string(arch.gridRows()) + "x"
                             + std::to_string(arch.gridCols()) + " for " + std::to_string(arch.imageHeight) + "x"
                             + std::to_string(arch.imageWidth) + " images; the model may be less accurate than trained");
}

} // namespace

VitArchitecture NativeVit::timmArchitecture(const Json &config, const CheckpointWeights &w, const std::string &source)
{
    VitArchitecture arch;
    arch.layout = VitArchitecture::Layout::Timm;
    arch.name = stringOf(&config, "architecture", "a timm ViT");
    const Json *args = config.find("model_args");
    const Json *pretrained = config.find("pretrained_cfg");
    const std::vector<int64_t> patch = w.shape("patch_embed.proj.weight");
    if (patch.size() != 4 || patch[2] != patch[3])
        throw Error(source + ": patch_embed.proj.weight is not a square convolution [width, 3, p, p]");
    arch.width = static_cast<int>(patch[0]);
    arch.patch = static_cast<int>(patch[2]);
    while (w.has("blocks." + std::to_string(arch.depth) + ".norm1.weight"))
        ++arch.depth;
    if (arch.depth == 0)
        throw Error(source + ": has no transformer blocks (blocks.0.norm1.weight): is it a ViT?");
    if (w.has("blocks.0.attn.q_norm.weight"))
        throw Error(source + ": normalises queries and keys (qk_norm), which AttnScope's ViT does not do yet");
    arch.classToken = w.has("cls_token");
    arch.distillationToken = w.has("dist_token");
    arch.registers = w.has("reg_token") ? static_cast<int>(w.shape("reg_token")[1]) : 0;
    arch.layerScale = w.has("blocks.0.ls1.gamma");
    arch.qkvBias = w.has("blocks.0.attn.qkv.bias");
    arch.preNorm = w.has("norm_pre.weight");
    arch.fcNorm = w.has("fc_norm.weight");
    arch.mlpWidth = static_cast<int>(w.shape("blocks.0.mlp.fc1.weight")[0]);
    arch.distilledHead = w.has("head_dist.weight");
    arch.noEmbedClass = boolOf(args, "no_embed_class", false);
    arch.heads = intOf(args, "num_heads", timmHeads(arch.name));
    if (arch.heads <= 0)
        throw Error(source + ": config.json does not say how many heads \"" + arch.name
                    + "\" has (model_args.num_heads), and no tensor shape shows it");
    if (arch.width % arch.heads)
        throw Error(source + ": a width of " + std::to_string(arch.width) + " does not split into "
                    + std::to_string(arch.heads) + " heads");
    const std::string pool = stringOf(&config, "global_pool", stringOf(args, "global_pool", "token"));
    if (pool != "token" && pool != "avg")
        throw Error(source + ": pools its tokens by \"" + pool + "\"; AttnScope's ViT pools by \"token\" or \"avg\"");
    arch.averagePool = pool == "avg" || !arch.classToken;
    if (const Json *size = pretrained ? pretrained->find("input_size") : nullptr; size && size->isArray()
        && size->toArray().size() == 3) {
        arch.imageHeight = static_cast<int>(size->toArray()[1].toNumber());
        arch.imageWidth = static_cast<int>(size->toArray()[2].toNumber());
    } else if (const Json *img = args ? args->find("img_size") : nullptr; img && img->isNumber()) {
        arch.imageHeight = arch.imageWidth = static_cast<int>(img->toNumber());
    }
    checkPositions(arch, w.shape("pos_embed").at(1), source);
    arch.classes = static_cast<int>(w.shape("head.weight").at(0));
    readLabels(arch, config);
    return arch;
}

VitArchitecture NativeVit::huggingFaceArchitecture(const Json &config, const CheckpointWeights &w,
                                                   const std::string &source)
{
    VitArchitecture arch;
    arch.layout = VitArchitecture::Layout::HuggingFace;
    const std::string type = stringOf(&config, "model_type");
    arch.prefix = type + ".";
    const Json *architectures = config.find("architectures");
    arch.name = architectures && architectures->isArray() && !architectures->toArray().empty()
                    ? architectures->toArray()[0].toString()
                    : type;
    const std::string act = stringOf(&config, "hidden_act", "gelu");
    if (act != "gelu")
        throw Error(source + ": config.json's hidden_act is \"" + act + "\"; AttnScope's ViT computes \"gelu\" (exact)");
    arch.width = intOf(&config, "hidden_size", 768);
    arch.depth = intOf(&config, "num_hidden_layers", 12);
    arch.heads = intOf(&config, "num_attention_heads", 12);
    arch.mlpWidth = intOf(&config, "intermediate_size", 3072);
    arch.patch = intOf(&config, "patch_size", 16);
    arch.imageHeight = arch.imageWidth = intOf(&config, "image_size", 224);
    arch.eps = config.find("layer_norm_eps") ? config.find("layer_norm_eps")->toNumber() : 1e-12;
    arch.qkvBias = boolOf(&config, "qkv_bias", true);
    if (arch.heads <= 0 || arch.width % arch.heads)
        throw Error(source + ": a hidden_size of " + std::to_string(arch.width) + " does not split into "
                    + std::to_string(arch.heads) + " heads");
    const std::string e = arch.prefix + "embeddings.";
    arch.distillationToken = w.has(e + "distillation_token");
    (void)w.shape(arch.prefix + "encoder.layer." + std::to_string(arch.depth - 1) + ".layernorm_before.weight");
    if (w.has(arch.prefix + "encoder.layer." + std::to_string(arch.depth) + ".layernorm_before.weight"))
        throw Error(source + ": has more layers than config.json's num_hidden_layers (" + std::to_string(arch.depth) + ")");
    checkPositions(arch, w.shape(e + "position_embeddings").at(1), source);
    arch.distilledHead = w.has("cls_classifier.weight") && w.has("distillation_classifier.weight");
    const std::string head = arch.distilledHead ? "cls_classifier.weight" : "classifier.weight";
    if (!w.has(head))
        throw Error(source + ": has no classifier (" + head + "): AttnScope opens " + type
                    + " image classifiers (" + (type == "deit" ? "DeiTForImageClassificationWithTeacher"
                                                               : "ViTForImageClassification") + ")");
    arch.classes = static_cast<int>(w.shape(head).at(0));
    readLabels(arch, config);
    return arch;
}

NativeVit::NativeVit(VitArchitecture architecture, const CheckpointWeights &w)
    : m_arch(std::move(architecture))
{
    const int64_t d = m_arch.width;
    const bool timm = m_arch.layout == VitArchitecture::Layout::Timm;
    const std::string e = m_arch.prefix + "embeddings.";
    m_patchWeight = w.get(timm ? "patch_embed.proj.weight" : e + "patch_embeddings.projection.weight",
                          {d, 3, m_arch.patch, m_arch.patch}, "the patch embedding");
    m_patchBias = w.get(timm ? "patch_embed.proj.bias" : e + "patch_embeddings.projection.bias", {d});
    if (m_arch.classToken)
        m_classToken = w.get(timm ? "cls_token" : e + "cls_token", {1, 1, d});
    if (m_arch.distillationToken)
        m_distToken = w.get(timm ? "dist_token" : e + "distillation_token", {1, 1, d});
    if (m_arch.registers)
        m_registers = w.get("reg_token", {1, m_arch.registers, d});
    const int64_t prefixPositions = m_arch.noEmbedClass ? 0 : m_arch.prefixTokens();
    m_position = w.get(timm ? "pos_embed" : e + "position_embeddings",
                       {1, prefixPositions + int64_t(m_arch.positionRows) * m_arch.positionCols, d});
    if (m_arch.positionRows != m_arch.gridRows() || m_arch.positionCols != m_arch.gridCols()) {
        torch::NoGradGuard noGrad;
        const torch::Tensor grid = m_position.narrow(1, prefixPositions, m_position.size(1) - prefixPositions)
                                       .reshape({1, m_arch.positionRows, m_arch.positionCols, d})
                                       .permute({0, 3, 1, 2});
        const torch::Tensor resized =
            at::upsample_bicubic2d(grid, {m_arch.gridRows(), m_arch.gridCols()}, false).permute({0, 2, 3, 1})
                .reshape({1, int64_t(m_arch.gridRows()) * m_arch.gridCols(), d});
        m_position = torch::cat({m_position.narrow(1, 0, prefixPositions), resized}, 1);
    }
    if (m_arch.preNorm) {
        m_preNormWeight = w.get("norm_pre.weight", {d});
        m_preNormBias = w.get("norm_pre.bias", {d});
    }
    const std::string finalNorm = timm ? (m_arch.fcNorm ? "fc_norm" : "norm") : m_arch.prefix + "layernorm";
    m_normWeight = w.get(finalNorm + ".weight", {d}, "the final norm");
    m_normBias = w.get(finalNorm + ".bias", {d});
    const int64_t classes = m_arch.classes;
    const std::string head = timm ? "head" : m_arch.distilledHead ? "cls_classifier" : "classifier";
    m_head = w.get(head + ".weight", {classes, d}, "the classifier");
    m_headBias = w.get(head + ".bias", {classes});
    if (m_arch.distilledHead) {
        const std::string dist = timm ? "head_dist" : "distillation_classifier";
        m_headDist = w.get(dist + ".weight", {classes, d}, "the distillation head");
        m_headDistBias = w.get(dist + ".bias", {classes});
    }
    const int64_t mlp = m_arch.mlpWidth;
    for (int i = 0; i < m_arch.depth; ++i) {
        TransformerBlock b;
        if (timm) {
            const std::string p = "blocks." + std::to_string(i) + ".";
            b.norm1Weight = w.get(p + "norm1.weight", {d});
            b.norm1Bias = w.get(p + "norm1.bias", {d});
            b.setFusedProjection(w.get(p + "attn.qkv.weight", {3 * d, d}, "the attention's qkv"),
                                 m_arch.qkvBias ? w.get(p + "attn.qkv.bias", {3 * d}) : torch::Tensor());
            b.proj = w.get(p + "attn.proj.weight", {d, d});
            b.projBias = w.get(p + "attn.proj.bias", {d});
            b.norm2Weight = w.get(p + "norm2.weight", {d});
            b.norm2Bias = w.get(p + "norm2.bias", {d});
            b.fc1 = w.get(p + "mlp.fc1.weight", {mlp, d});
            b.fc1Bias = w.get(p + "mlp.fc1.bias", {mlp});
            b.fc2 = w.get(p + "mlp.fc2.weight", {d, mlp});
            b.fc2Bias = w.get(p + "mlp.fc2.bias", {d});
            if (m_arch.layerScale) {
                b.scale1 = w.get(p + "ls1.gamma", {d});
                b.scale2 = w.get(p + "ls2.gamma", {d});
            }
        } else {
            const std::string p = m_arch.prefix + "encoder.layer." + std::to_string(i) + ".";
            b.norm1Weight = w.get(p + "layernorm_before.weight", {d});
            b.norm1Bias = w.get(p + "layernorm_before.bias", {d});
            const std::string a = p + "attention.attention.";
            b.query = w.get(a + "query.weight", {d, d});
            b.key = w.get(a + "key.weight", {d, d});
            b.value = w.get(a + "value.weight", {d, d});
            if (m_arch.qkvBias) {
                b.queryBias = w.get(a + "query.bias", {d});
                b.keyBias = w.get(a + "key.bias", {d});
                b.valueBias = w.get(a + "value.bias", {d});
            }
            b.proj = w.get(p + "attention.output.dense.weight", {d, d});
            b.projBias = w.get(p + "attention.output.dense.bias", {d});
            b.norm2Weight = w.get(p + "layernorm_after.weight", {d});
            b.norm2Bias = w.get(p + "layernorm_after.bias", {d});
            b.fc1 = w.get(p + "intermediate.dense.weight", {mlp, d});
            b.fc1Bias = w.get(p + "intermediate.dense.bias", {mlp});
            b.fc2 = w.get(p + "output.dense.weight", {d, mlp});
            b.fc2Bias = w.get(p + "output.dense.bias", {d});
        }
        m_blocks.push_back(std::move(b));
    }
}

NativeModel::Output NativeVit::forward(const Inputs &in) const
{
    const torch::Tensor &image = in.image;
    const int64_t batch = image.size(0), d = m_arch.width;
    torch::Tensor x = torch::conv2d(image, m_patchWeight, m_patchBias, {m_arch.patch, m_arch.patch});
    x = x.flatten(2).transpose(1, 2); // [batch, patches row-major, width]
    std::vector<torch::Tensor> prefix;
    if (m_arch.classToken)
        prefix.push_back(m_classToken.expand({batch, 1, d}));
    if (m_arch.distillationToken)
        prefix.push_back(m_distToken.expand({batch, 1, d}));
    if (m_arch.registers)
        prefix.push_back(m_registers.expand({batch, m_arch.registers, d}));
    auto withPrefix = [&](const torch::Tensor &patches) {
        std::vector<torch::Tensor> all = prefix;
        all.push_back(patches);
        return all.size() == 1 ? patches : torch::cat(all, 1);
    };
    // timm's no_embed_class: the patches get positions, the prefix tokens none.
    x = m_arch.noEmbedClass ? withPrefix(x + m_position) : withPrefix(x) + m_position;
    if (m_arch.preNorm)
        x = torch::layer_norm(x, {d}, m_preNormWeight, m_preNormBias, m_arch.eps);
    Output out;
    for (const TransformerBlock &block : m_blocks) {
        torch::Tensor attention;
        x = block.forward(x, m_arch.heads, m_arch.eps, TransformerBlock::Activation::Gelu, {}, attention);
        out.attentions.push_back(attention);
    }
    auto norm = [&](const torch::Tensor &t) { return torch::layer_norm(t, {d}, m_normWeight, m_normBias, m_arch.eps); };
    if (!m_arch.fcNorm)
        x = norm(x);
    if (m_arch.distilledHead) {
        out.logits = (torch::linear(x.select(1, 0), m_head, m_headBias)
                      + torch::linear(x.select(1, 1), m_headDist, m_headDistBias)) / 2;
        return out;
    }
    torch::Tensor pooled = m_arch.averagePool ? x.narrow(1, m_arch.prefixTokens(), x.size(1) - m_arch.prefixTokens()).mean(1)
                                              : x.select(1, 0);
    if (m_arch.fcNorm)
        pooled = norm(pooled);
    out.logits = torch::linear(pooled, m_head, m_headBias);
    return out;
}

std::vector<torch::Tensor *> NativeVit::tensors()
{
    std::vector<torch::Tensor *> all{&m_patchWeight, &m_patchBias,    &m_classToken, &m_distToken,    &m_registers,
                                     &m_position,    &m_preNormWeight, &m_preNormBias, &m_normWeight, &m_normBias,
                                     &m_head,        &m_headBias,     &m_headDist,   &m_headDistBias};
    for (TransformerBlock &b : m_blocks) {
        for (torch::Tensor *t : b.tensors())
            all.push_back(t);
    }
    return all;
}

} // namespace attnscope::core
