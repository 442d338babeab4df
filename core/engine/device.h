#pragma once

#include <string>

namespace attnscope::core {

/// Where a model runs. Auto picks CUDA when a CUDA LibTorch sees a GPU.
enum class DeviceChoice { Auto, Cpu, Cuda };

/// "auto", "cpu" or "cuda"; throws Error for anything else.
DeviceChoice parseDeviceChoice(const std::string &name);
const char *deviceChoiceName(DeviceChoice choice);
/// Whether this build of LibTorch can run on a CUDA GPU on this machine.
bool cudaAvailable();

} // namespace attnscope::core
