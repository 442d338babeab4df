#include "core/engine/device.h"

#include "core/engine/errormessage.h"
#include "core/error.h"

#include <torch/cuda.h>
#include <torch/version.h>

namespace attnscope::core {

DeviceChoice parseDeviceChoice(const std::string &name)
{
    if (name == "auto")
        return DeviceChoice::Auto;
    if (name == "cpu")
        return DeviceChoice::Cpu;
    if (name == "cuda" || name == "gpu")
        return DeviceChoice::Cuda;
    throw Error("unknown device \"" + name + "\": use auto, cpu or cuda");
}

const char *deviceChoiceName(DeviceChoice choice)
{
    switch (choice) {
    case DeviceChoice::Auto: return "auto";
    case DeviceChoice::Cpu: return "cpu";
    case DeviceChoice::Cuda: return "cuda";
    }
    return "auto";
}

bool cudaAvailable()
{
    try {
        return torch::cuda::is_available();
    } catch (...) {
        return false;
    }
}

std::string libTorchVersion() { return TORCH_VERSION; }

bool runWithCpuFallback(DeviceChoice device, const std::function<void(DeviceChoice)> &work)
{
    try {
        work(device);
        return false;
    } catch (const std::exception &e) {
        // Auto on a machine without CUDA ran on the CPU already.
        const bool onCpu = device == DeviceChoice::Cpu || (device == DeviceChoice::Auto && !cudaAvailable());
        if (onCpu || !isDeviceOutOfMemory(e))
            throw;
    }
    // Out of the handler first: the failed attempt's tensors (held by the
    // exception's frames) are freed before the CPU run allocates its own.
    work(DeviceChoice::Cpu);
    return true;
}

} // namespace attnscope::core
