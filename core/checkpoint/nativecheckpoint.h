#pragma once

// Internal to core: includes LibTorch. Never include from ui/ or app/.

#include "core/checkpoint/nativemodel.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace attnscope::core {

/// A checkpoint opened as people have it, with no export step: a Hugging
/// Face or timm folder (config.json, model.safetensors, and
/// preprocessor_config.json where there is one) or a .safetensors file
/// (with the config.json beside it). Its layout is told from the
/// configuration (timm's `architecture` / `model_args`, Hugging Face's
/// `model_type`); the manifest every view, method and export works from is
/// derived from the configuration and the tensors' shapes.
struct NativeCheckpoint
{
    std::string manifest; ///< attnscope.json text (contract version 2)
    std::shared_ptr<NativeModel> model;
    std::map<std::string, std::string> files; ///< tokenizer files, by the manifest's names
    std::vector<std::string> notes;           ///< said on opening
    std::vector<int> heads;                   ///< of every map, in the manifest's order

    /// A folder, or a file named *.safetensors.
    static bool isCheckpoint(const std::string &path);
    /// Throws Error naming the file and what is missing or unknown.
    static NativeCheckpoint open(const std::string &path);
};

} // namespace attnscope::core
