#pragma once

#include <functional>
#include <string>

namespace attnscope::core {

/// Where a model runs. Auto picks CUDA when a CUDA LibTorch sees a GPU.
enum class DeviceChoice { Auto, Cpu, Cuda };

/// "auto", "cpu" or "cuda"; throws Error for anything else.
DeviceChoice parseDeviceChoice(const std::string &name);
const char *deviceChoiceName(DeviceChoice choice);
/// Whether this build of LibTorch can run on a CUDA GPU on this machine.
bool cudaAvailable();
/// The LibTorch this program was built with, e.g. "1.13.0".
std::string libTorchVersion();

/// Runs `work(device)`. Should any step of it run out of GPU memory (a
/// forward or backward pass, a batch of a perturbation test, occlusion, the
/// trust check), runs it again from the start with DeviceChoice::Cpu, so a
/// result never mixes steps from two devices, and returns true: the caller
/// says so to the user. Work on the CPU (also Auto where there is no CUDA),
/// and every other error, is not retried. Not thread-bound: `work` runs on the calling thread.
bool runWithCpuFallback(DeviceChoice device, const std::function<void(DeviceChoice)> &work);

} // namespace attnscope::core
