#include "core/engine/device.h"

#include "core/error.h"

#include <torch/cuda.h>

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

} // namespace attnscope::core
