#include "core/checkpoint/nativemodel.h"

namespace attnscope::core {

std::vector<torch::Tensor> NativeModel::parameters() const
{
    std::vector<torch::Tensor> out;
    for (torch::Tensor *t : const_cast<NativeModel *>(this)->tensors()) {
        if (t->defined())
            out.push_back(*t);
    }
    return out;
}

void NativeModel::to(const torch::Device &device, torch::ScalarType dtype)
{
    for (torch::Tensor *t : tensors()) {
        if (t->defined())
            *t = t->to(device, dtype);
    }
}

} // namespace attnscope::core
