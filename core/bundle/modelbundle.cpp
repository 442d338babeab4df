#include "core/bundle/modelbundle_p.h"
#include "core/bundle/ziparchive.h"
#include "core/checkpoint/nativecheckpoint.h"
#include "core/io/regularfile.h"

#include "core/engine/cancelscope.h"
#include "core/engine/memorypolicy.h"
#include "core/error.h"
#include "core/text/modeltokenizer.h"
#include "core/text/subwordtokenizer.h"
#include "core/text/tokenizer.h"

#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/functions/accumulate_grad.h>
#include <torch/csrc/jit/runtime/graph_executor.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

namespace attnscope::core {

namespace {

constexpr const char *kManifestFile = "attnscope.json";
/// A manifest with a 100,000-word vocabulary is a few MB.
constexpr uint64_t kMaxManifestBytes = uint64_t(16) << 20;
/// All other files stored with a model together (tokenizers).
constexpr uint64_t kMaxExtraFileBytes = uint64_t(64) << 20;


std::vector<torch::Tensor> tensorsOf(const torch::jit::IValue &value, bool &ok)
{
    ok = true;
    std::vector<torch::Tensor> out;
    if (value.isTensorList()) {
        out = value.toTensorVector();
    } else if (value.isList()) {
        for (const auto &item : value.toListRef()) {
            if (!item.isTensor()) {
                ok = false;
                return {};
            }
            out.push_back(item.toTensor());
        }
    } else if (value.isTuple()) {
        for (const auto &item : value.toTupleRef().elements()) {
            if (!item.isTensor()) {
                ok = false;
                return {};
            }
            out.push_back(item.toTensor());
        }
    } else {
        ok = false;
    }
    return out;
}

/// The device a bundle runs on; CUDA asked for without one is an error.
torch::Device deviceFor(DeviceChoice choice)
{
    if (choice == DeviceChoice::Cuda && !cudaAvailable())
        throw Error("CUDA was asked for, but this build of AttnScope sees no CUDA GPU "
                    "(it needs a CUDA LibTorch and a working NVIDIA driver)");
    return (choice == DeviceChoice::Cpu || !cudaAvailable()) ? torch::Device(torch::kCPU)
                                                             : torch::Device(torch::kCUDA, 0);
}

} // namespace

std::string ModelBundle::Impl::describeAttention(size_t index) const
{
    const AttentionSpec &a = manifest.attentions[index];
    return "attention map " + std::to_string(index) + " (layer " + std::to_string(a.layer) + ", "
           + (a.kind == AttentionKind::Self ? "self" : "cross") + ", "
           + manifest.streams[a.queryStream].name + " -> " + manifest.streams[a.keyStream].name + ")";
}

torch::Tensor ModelBundle::Impl::imageTensor(const std::vector<const std::vector<float> *> &pixels) const
{
    if (!manifest.takesImage())
        return {};
    const int64_t h = manifest.image.height, w = manifest.image.width;
    torch::Tensor out = torch::empty({static_cast<int64_t>(pixels.size()), 3, h, w}, torch::kFloat32);
    for (size_t b = 0; b < pixels.size(); ++b) {
        if (static_cast<int64_t>(pixels[b]->size()) != 3 * h * w)
            throw Error(path + ": the image input does not have the model's size");
        std::memcpy(out[static_cast<int64_t>(b)].data_ptr<float>(), pixels[b]->data(),
                    sizeof(float) * pixels[b]->size());
    }
    return out.to(device);
}

torch::Tensor ModelBundle::Impl::idsTensor(const std::vector<const std::vector<int64_t> *> &ids) const
{
    const int64_t length = std::max(1, manifest.text.maxLength);
    torch::Tensor out = torch::zeros({static_cast<int64_t>(ids.size()), length}, torch::kInt64);
    for (size_t b = 0; b < ids.size(); ++b) {
        if (ids[b]->empty())
            continue;
        if (static_cast<int64_t>(ids[b]->size()) != length)
            throw Error(path + ": the text input does not have the model's length");
        std::memcpy(out[static_cast<int64_t>(b)].data_ptr<int64_t>(), ids[b]->data(),
                    sizeof(int64_t) * ids[b]->size());
    }
    return out.to(device);
}

ForwardInputs ModelBundle::Impl::inputs(const std::vector<const std::vector<float> *> &pixels,
                                        const std::vector<const std::vector<int64_t> *> &ids,
                                        const std::vector<const std::vector<int64_t> *> &mask,
                                        const std::vector<const std::vector<int64_t> *> &typeIds) const
{
    ForwardInputs in;
    in.image = imageTensor(pixels);
    in.ids = idsTensor(ids);
    in.mask = idsTensor(mask);
    if (manifest.takes("token_type_ids"))
        in.typeIds = idsTensor(typeIds);
    return in;
}

torch::Tensor ModelBundle::Impl::probabilities(const torch::Tensor &logits) const
{
    switch (manifest.task) {
    case Task::Classification: return torch::softmax(logits, 1);
    case Task::MultiLabel: return torch::sigmoid(logits);
    case Task::Matching: break;
    }
    const torch::Tensor score = logits.reshape({logits.size(0), 1});
    // Version 1 matching models were read through a sigmoid; version 2 ones
    // say what their score is, and it is shown as the model computes it.
    return manifest.matchScore == MatchScore::Sigmoid ? torch::sigmoid(score) : score;
}

ForwardOutput ModelBundle::Impl::forward(const ForwardInputs &in)
{
    const std::string prefix = path + ": ";
    torch::jit::IValue result;
    // Every forward runs TorchScript's plain (unoptimised) plan. The optimised
    // plan fuses the attention maps' consumers into differentiable subgraphs,
    // after which the gradient with respect to a returned map is missing or
    // wrong; and an executor builds its optimised plan once, on its second
    // call, with the setting of that moment, so gradient-free calls must not
    // turn it on either.
    const torch::jit::GraphOptimizerEnabledGuard optimizer(false);
    if (cancelled && cancelled())
        throw Error("stopped before it finished", Error::Kind::Cancelled);
    // An embedding looked up past its end: the manifest's vocabulary has
    // more words than the model's table (LibTorch says "index out of range
    // in self", from TorchScript as a JIT exception).
    auto beyondEmbedding = [&](const std::string &what) {
        if (manifest.text.maxLength <= 0 || what.find("index out of range in self") == std::string::npos)
            return;
        if (manifest.text.subword())
            throw Error(prefix + "a token id of this input is past the end of the model's embedding table: the "
                        "tokenizer's vocabulary (" + manifest.text.file + ") is larger than the model can look up (was "
                        "the model exported with another tokenizer?)");
        throw Error(prefix + "a word id of this input is past the end of the model's embedding table: the manifest's "
                        "vocabulary has " + std::to_string(manifest.text.vocab.size())
                        + " words, more than the model can look up (was the model exported with another vocabulary?)");
    };
    // Inside the scope every operator of the pass asks first (a scripted
    // forward has no other place to stop); from inside TorchScript the stop
    // arrives as the interpreter's traceback, told apart by stoppedHere().
    const auto stopIfCancelledInside = [] {
        if (CancelScope::stoppedHere())
            throw Error("stopped before it finished", Error::Kind::Cancelled);
    };
    try {
        std::optional<CancelScope> scope;
        if (cancelled)
            scope.emplace(cancelled);
        std::vector<torch::jit::IValue> arguments;
        for (const std::string &input : manifest.inputs)
            arguments.emplace_back(input == "image" ? in.image : input == "input_ids" ? in.ids
                                   : input == "attention_mask" ? in.mask : in.typeIds);
        if (native) {
            NativeModel::Output o = native->forward({in.image, in.ids});
            result = c10::ivalue::Tuple::create({std::move(o.logits), c10::List<torch::Tensor>(o.attentions)});
        } else {
            result = module.forward(arguments);
        }
    } catch (const Error &) {
        throw;
    } catch (const c10::Error &e) {
        stopIfCancelledInside();
        beyondEmbedding(e.what_without_backtrace());
        rethrowTorchError(prefix + "the model's forward failed: ", e);
    } catch (const std::exception &e) {
        stopIfCancelledInside();
        beyondEmbedding(e.what());
        throw Error(prefix + "the model's forward failed: " + essentialLine(e.what()), errorKind(e.what()));
    }
    const int64_t batch = in.image.defined() ? in.image.size(0) : in.ids.size(0);
    if (!result.isTuple())
        throw Error(prefix + "forward must return a tuple (logits, attentions[, extras]), not "
                    + result.tagKind());
    const auto &elements = result.toTupleRef().elements();
    if (elements.size() < 2 || elements.size() > 3)
        throw Error(prefix + "forward must return (logits, attentions[, extras]), but it returned "
                    + std::to_string(elements.size()) + " values");
    ForwardOutput out;
    if (!elements[0].isTensor())
        throw Error(prefix + "the first value forward returns must be the logits tensor");
    out.logits = elements[0].toTensor();
    if (manifest.task != Task::Matching) {
        const int64_t labels = static_cast<int64_t>(manifest.labels.size());
        if (out.logits.dim() != 2 || out.logits.size(0) != batch || out.logits.size(1) != labels)
            throw Error(prefix + "the logits have shape " + c10::str(out.logits.sizes())
                        + " but the manifest's " + std::to_string(labels) + " labels need ["
                        + std::to_string(batch) + ", " + std::to_string(labels) + "]");
    } else if (out.logits.numel() != batch) {
        throw Error(prefix + "a matching model must return one score per input, but the logits have shape "
                    + c10::str(out.logits.sizes()));
    }
    bool ok = false;
    out.attentions = tensorsOf(elements[1], ok);
    if (!ok)
        throw Error(prefix + "the second value forward returns must be a list or tuple of attention tensors");
    if (out.attentions.size() != manifest.attentions.size())
        throw Error(prefix + "the manifest declares " + std::to_string(manifest.attentions.size())
                    + " attention maps but the model returned " + std::to_string(out.attentions.size()));
    for (size_t i = 0; i < out.attentions.size(); ++i) {
        const torch::Tensor &a = out.attentions[i];
        const AttentionSpec &spec = manifest.attentions[i];
        const int64_t q = manifest.streams[spec.queryStream].length();
        const int64_t k = manifest.streams[spec.keyStream].length();
        if (a.dim() != 4 || a.size(0) != batch || a.size(2) != q || a.size(3) != k)
            throw Error(prefix + describeAttention(i) + " has shape " + c10::str(a.sizes())
                        + " but the manifest's streams need [" + std::to_string(batch) + ", heads, "
                        + std::to_string(q) + ", " + std::to_string(k) + "]");
        if (!a.is_floating_point())
            throw Error(prefix + describeAttention(i) + " is not a floating-point tensor");
    }
    // Heads as the first forward returns them; the same on every later one.
    if (heads.empty()) {
        for (const torch::Tensor &a : out.attentions)
            heads.push_back(static_cast<int>(a.size(1)));
    }
    for (size_t i = 0; i < out.attentions.size(); ++i) {
        if (out.attentions[i].size(1) != heads[i])
            throw Error(prefix + describeAttention(i) + " has " + std::to_string(out.attentions[i].size(1))
                        + " heads on this input, but " + std::to_string(heads[i]) + " before");
    }
    if (elements.size() == 3) {
        const auto &extras = elements[2];
        if (!extras.isGenericDict())
            throw Error(prefix + "the third value forward returns must be a Dict[str, Tensor] of extra outputs");
        for (const auto &item : extras.toGenericDict()) {
            if (!item.key().isString() || !item.value().isTensor())
                throw Error(prefix + "the extra outputs must map names to tensors");
            out.extras[item.key().toStringRef()] = item.value().toTensor();
        }
    }
    if (manifest.gates) {
        const auto it = out.extras.find(manifest.gates->output);
        if (it == out.extras.end())
            throw Error(prefix + "the manifest declares gates in the extra output \""
                        + manifest.gates->output + "\" but the model returned no such output");
        const int64_t n = static_cast<int64_t>(manifest.gates->modalities.size());
        if (it->second.dim() != 2 || it->second.size(0) != batch || it->second.size(1) != n)
            throw Error(prefix + "the gate output \"" + manifest.gates->output + "\" has shape "
                        + c10::str(it->second.sizes()) + " but the manifest's " + std::to_string(n)
                        + " gated modalities need [" + std::to_string(batch) + ", " + std::to_string(n) + "]");
    }
    if (manifest.attentionInputs) {
        const AttentionInputsSpec &spec = *manifest.attentionInputs;
        for (size_t i = 0; i < out.attentions.size(); ++i) {
            const torch::Tensor &a = out.attentions[i];
            auto check = [&](const std::string &prefix_, int64_t tokens, const char *what) -> int64_t {
                const std::string name = spec.name(prefix_, i);
                const auto it = out.extras.find(name);
                if (it == out.extras.end())
                    throw Error(prefix + "the manifest declares attention_inputs, but the model returned no \"" + name
                                + "\" (the " + what + " of " + describeAttention(i) + ")");
                const torch::Tensor &t = it->second;
                if (t.dim() != 4 || t.size(0) != batch || t.size(1) != a.size(1) || t.size(2) != tokens)
                    throw Error(prefix + "\"" + name + "\" has shape " + c10::str(t.sizes()) + " but the " + what + " of "
                                + describeAttention(i) + " need [" + std::to_string(batch) + ", "
                                + std::to_string(a.size(1)) + ", " + std::to_string(tokens) + ", d]");
                return t.size(3);
            };
            const int64_t dq = check(spec.queries, a.size(2), "queries");
            const int64_t dk = check(spec.keys, a.size(3), "keys");
            if (dq != dk)
                throw Error(prefix + "the queries and keys of " + describeAttention(i) + " differ in width ("
                            + std::to_string(dq) + " and " + std::to_string(dk) + ")");
            if (!spec.values.empty())
                check(spec.values, a.size(3), "values");
        }
    }
    return out;
}

ModelBundle::ModelBundle()
    : d(std::make_unique<Impl>())
{
}

ModelBundle::~ModelBundle() = default;

std::shared_ptr<ModelBundle> ModelBundle::load(const std::string &path, DeviceChoice choice)
{
    const auto start = std::chrono::steady_clock::now();
    if (NativeCheckpoint::isCheckpoint(path))
        return loadCheckpoint(path, choice, start);
    RegularFile::require(path, "model");
    {
        std::ifstream file(path, std::ios::binary | std::ios::ate);
        if (!file)
            throw Error(path + ": cannot open the model file (does it exist, and may it be read?)");
        const std::streamoff size = file.tellg();
        if (size <= 0)
            throw Error(path + ": the model file is empty");
        file.seekg(0);
        char magic[2] = {0, 0};
        file.read(magic, 2);
        if (magic[0] != 'P' || magic[1] != 'K')
            throw Error(path + ": is not a TorchScript model archive (a TorchScript .pt file is a zip "
                               "archive written by torch.jit.save)");
    }
    torch::jit::ExtraFilesMap extra{{kManifestFile, ""}};
    {
        // The zip directory first: LibTorch would inflate the manifest
        // whatever its size, and use a changed weight byte as it is.
        const ZipArchive zip = ZipArchive::open(path);
        if (const ZipArchive::Entry *manifest = zip.findSuffix(std::string("/extra/") + kManifestFile)) {
            if (manifest->uncompressedSize > kMaxManifestBytes)
                throw Error(path + ": its manifest (attnscope.json) would take " + std::to_string(manifest->uncompressedSize >> 20)
                            + " MB once unpacked; a manifest holds at most " + std::to_string(kMaxManifestBytes >> 20)
                            + " MB (the file is damaged or hostile)");
        }
        // The files stored with the model (a tokenizer's vocab.txt or
        // tokenizer.json) are read with the manifest, each bounded.
        uint64_t extraBytes = 0;
        for (const ZipArchive::Entry &entry : zip.entries()) {
            const size_t at = entry.name.find("/extra/");
            if (at == std::string::npos || entry.name.find('/') != at) // <archive>/extra/<name>
                continue;
            const std::string name = entry.name.substr(at + 7);
            if (name.empty() || name == kManifestFile || name.find('/') != std::string::npos)
                continue;
            extraBytes += entry.uncompressedSize;
            if (extraBytes > kMaxExtraFileBytes)
                throw Error(path + ": the files stored with the model would take " + std::to_string(extraBytes >> 20)
                            + " MB once unpacked; AttnScope reads at most " + std::to_string(kMaxExtraFileBytes >> 20)
                            + " MB of them (a large tokenizer.json is 20 MB)");
            extra.emplace(name, "");
        }
        zip.verifyStoredEntries();
    }

    std::shared_ptr<ModelBundle> bundle(new ModelBundle());
    Impl &d = *bundle->d;
    d.path = path;
    d.device = deviceFor(choice);

    try {
        d.module = torch::jit::load(path, d.device, extra);
    } catch (const c10::Error &e) {
        rethrowTorchError(path + ": is not a TorchScript model archive PyTorch can load: ", e);
    } catch (const std::exception &e) {
        throw Error(path + ": is not a TorchScript model archive PyTorch can load: " + essentialLine(e.what()));
    }
    const std::string &manifestText = extra[kManifestFile];
    if (manifestText.empty())
        throw Error(path + ": is a TorchScript model but has no AttnScope manifest (attnscope.json); "
                           "export it with the export helper (models/attnscope/export.py), which writes one");
    d.module.eval();
    bundle->finishLoad(manifestText, std::map<std::string, std::string>(extra.begin(), extra.end()), start);
    return bundle;
}

std::shared_ptr<ModelBundle> ModelBundle::loadCheckpoint(const std::string &path, DeviceChoice choice,
                                                         std::chrono::steady_clock::time_point start)
{
    std::shared_ptr<ModelBundle> bundle(new ModelBundle());
    Impl &d = *bundle->d;
    d.path = path;
    d.device = deviceFor(choice);
    NativeCheckpoint checkpoint = NativeCheckpoint::open(path);
    d.native = checkpoint.model;
    d.notes = checkpoint.notes;
    d.heads = checkpoint.heads; // from the architecture: no probe needed
    if (d.device.is_cuda())
        d.native->to(d.device, torch::kFloat32);
    bundle->finishLoad(checkpoint.manifest, checkpoint.files, start);
    return bundle;
}

void ModelBundle::finishLoad(const std::string &manifestText, const std::map<std::string, std::string> &files,
                             std::chrono::steady_clock::time_point start)
{
    Impl &d = *this->d;
    const std::string &path = d.path;
    d.manifest = Manifest::parse(manifestText, path);
    // The tokenizer, built once for every input of the bundle.
    if (d.manifest.text.subword()) {
        const auto tokenizer = ModelTokenizer::build(d.manifest.text, files, path);
        d.manifest.text.loaded = tokenizer;
        d.manifest.text.padId = tokenizer->padding().id;
    } else if (d.manifest.text.maxLength > 0) {
        d.manifest.text.loaded = Tokenizer::create(d.manifest.text);
    }
    // Gradient-based methods differentiate the logits with respect to the
    // attention maps; forwardWithGraph decides which leaves the graph
    // starts from. Until then, every parameter is one.
    for (auto parameter : d.parameters())
        parameter.requires_grad_(true);

    modelMapsLoaded(d.mapBytes());
    // No forward pass here: opening checks the file, the manifest and (for
    // a checkpoint) the tensors' shapes; the first run, or validate(),
    // checks what the model returns (every forward is checked). Whether
    // gradients reach the maps is found out when first asked (it needs the
    // graph: the memory of every layer's activations).
    d.loadMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

std::vector<torch::Tensor> ModelBundle::Impl::parameters() const
{
    if (native)
        return native->parameters();
    std::vector<torch::Tensor> out;
    for (const auto &parameter : module.parameters())
        out.push_back(parameter);
    return out;
}

const std::vector<std::string> &ModelBundle::notes() const { return d->notes; }

void ModelBundle::setCancelCheck(std::function<bool()> cancelled) { d->cancelled = std::move(cancelled); }

void ModelBundle::stopIfCancelled() const
{
    if (d->cancelled && d->cancelled())
        throw Error("stopped before it finished", Error::Kind::Cancelled);
}

const Manifest &ModelBundle::manifest() const { return d->manifest; }
const std::string &ModelBundle::path() const { return d->path; }
std::string ModelBundle::deviceName() const { return d->device.str(); }
const std::vector<int> &ModelBundle::headCounts() const
{
    if (d->heads.empty() && !d->manifest.attentions.empty())
        validate(); // no run yet: the probe finds them
    return d->heads;
}
bool ModelBundle::gradientsReachable() const
{
    if (!d->gradientsReachable)
        d->probeForward(1, true); // no run with the graph yet: one on the probe input
    return *d->gradientsReachable;
}

namespace {

bool everyMapInGraph(const ForwardOutput &out)
{
    if (!out.logits.requires_grad())
        return false;
    for (const torch::Tensor &a : out.attentions) {
        if (!a.requires_grad())
            return false;
    }
    return true;
}

} // namespace

ForwardOutput ModelBundle::Impl::forwardWithGraph(const ForwardInputs &in)
{
    torch::AutoGradMode gradMode(true);
    if (graphLeaves == GraphLeaves::Unknown) {
        for (auto parameter : parameters())
            parameter.requires_grad_(false);
        graphLeaves = GraphLeaves::Image;
    }
    // A model without an image input starts from parameters, chosen below.
    if ((graphLeaves == GraphLeaves::Image && in.image.defined()) || graphLeaves == GraphLeaves::Parameters) {
        try {
            ForwardInputs leaf = in;
            if (graphLeaves == GraphLeaves::Image)
                leaf.image = in.image.detach().requires_grad_(true);
            ForwardOutput out = forward(leaf);
            if (everyMapInGraph(out)) {
                out.gradientLeaves = graphLeaves == GraphLeaves::Image ? std::vector<torch::Tensor>{leaf.image}
                                                                       : leafParameters;
                if (!gradientsReachable)
                    gradientsReachable = attentionsReachLogits(out.logits, out.attentions);
                return out;
            }
        } catch (const Error &) {
            // For example a model that changes its image input in place: the
            // graph with every parameter below says what is wrong, if anything.
        }
    }
    // Some map is not in the graph: it does not depend on the image (a
    // stream of its own), or not on the parameters chosen before. The whole
    // graph once, to choose the parameters anew.
    for (auto parameter : parameters())
        parameter.requires_grad_(true);
    ForwardOutput out = forward(in);
    gradientsReachable = attentionsReachLogits(out.logits, out.attentions);
    out.gradientLeaves = smallestLeavesUpstream(out.attentions);
    if (*gradientsReachable) {
        leafParameters = out.gradientLeaves;
        for (auto parameter : parameters())
            parameter.requires_grad_(false);
        for (torch::Tensor &leaf : leafParameters)
            leaf.requires_grad_(true);
        graphLeaves = GraphLeaves::Parameters;
    } else {
        graphLeaves = GraphLeaves::All;
    }
    return out;
}

double ModelBundle::loadMilliseconds() const { return d->loadMs; }

} // namespace attnscope::core
