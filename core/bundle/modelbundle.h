#pragma once

#include "core/bundle/manifest.h"
#include "core/engine/device.h"
#include "core/json/json.h"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace attnscope::core {

/// A loaded AttnScope model: the TorchScript module, its manifest, and what a
/// probe forward pass found out (heads per attention map, whether gradients
/// reach the attention maps).
///
/// Basic usage:
///   auto bundle = ModelBundle::load("model.pt");           // throws Error
///   ModelInput input = InputLoader::load(bundle->manifest(), "cat.png", "is there a cat?");
///   auto run = InferenceEngine::run(bundle, input);
///   Explanation e = Explainer::explain(*run, MethodOptions{});
///
/// Thread rules: a bundle is used by one thread at a time (the worker).
class ModelBundle
{
public:
    struct Impl;

    /// Loads and validates the manifest, without a forward pass (the first
    /// run checks what the model returns; validate() does it at once). `path` is a
    /// TorchScript archive with a manifest, or a checkpoint AttnScope runs
    /// natively: a Hugging Face or timm folder or a .safetensors file
    /// (NativeCheckpoint). Throws Error whose message names the file and
    /// what is wrong with it.
    static std::shared_ptr<ModelBundle> load(const std::string &path,
                                             DeviceChoice device = DeviceChoice::Auto);
    ~ModelBundle();
    ModelBundle(const ModelBundle &) = delete;
    ModelBundle &operator=(const ModelBundle &) = delete;

    const Manifest &manifest() const;
    const std::string &path() const;
    std::string deviceName() const;
    /// Runs the model on a made-up probe input and checks what it returns
    /// against the manifest (shapes, rows summing to 1, finite values), as
    /// every run does; throws Error naming the file. `attnscope info` asks.
    void validate() const;
    /// Heads of each attention map, in the manifest's order (the probe
    /// finds them when no run has yet).
    const std::vector<int> &headCounts() const;
    /// False when the attention maps the model returns are not on the path to
    /// its logits (copies, or detached), so gradient-based methods cannot run.
    bool gradientsReachable() const;
    /// What the user should know about the model as it was opened (a
    /// checkpoint's position embeddings resized, defaults assumed); empty
    /// for an archive.
    const std::vector<std::string> &notes() const;
    /// Model file loading time and probe time, in milliseconds.
    double loadMilliseconds() const;

    /// What the model is, for `attnscope info` and the GUI.


    /// Asked before every forward pass of this bundle (a run, each batch of
    /// a perturbation test, occlusion, the trust check), before every
    /// operator inside it (a CancelScope) and by the backward pass at every
    /// attention map; when it says true the work stops with
    /// Error of kind Cancelled. Set by the thread that uses the bundle; the
    /// check itself may be called from LibTorch's backward threads, so it
    /// should read an atomic. Empty: never cancelled.
    void setCancelCheck(std::function<bool()> cancelled);
    /// Throws Error (kind Cancelled) when the check says so.
    void stopIfCancelled() const;

    Impl &impl() const { return *d; }

private:
    ModelBundle();
    static std::shared_ptr<ModelBundle> loadCheckpoint(const std::string &path, DeviceChoice device,
                                                       std::chrono::steady_clock::time_point start);
    /// The manifest, the tokenizer from `files` and the probe, for both.
    void finishLoad(const std::string &manifest, const std::map<std::string, std::string> &files,
                    std::chrono::steady_clock::time_point start);
    std::unique_ptr<Impl> d;
};

} // namespace attnscope::core
