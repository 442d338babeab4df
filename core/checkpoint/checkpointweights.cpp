#include "core/checkpoint/checkpointweights.h"

#include "core/error.h"

#include <cstdint>
#include <cstring>
#include <sstream>

namespace attnscope::core {

namespace {

std::string shapeText(const std::vector<int64_t> &shape)
{
    std::ostringstream out;
    out << '[';
    for (size_t i = 0; i < shape.size(); ++i)
        out << (i ? ", " : "") << shape[i];
    out << ']';
    return out.str();
}

torch::ScalarType scalarType(const std::string &dtype)
{
    if (dtype == "F32")
        return torch::kFloat32;
    if (dtype == "F16")
        return torch::kFloat16;
    if (dtype == "BF16")
        return torch::kBFloat16;
    if (dtype == "F64")
        return torch::kFloat64;
    return torch::kByte; // not a weight: refused by the caller
}

} // namespace

CheckpointWeights::CheckpointWeights(std::shared_ptr<const SafetensorsFile> file, bool keepHalf)
    : m_file(std::move(file))
    , m_keepHalf(keepHalf)
{
}

bool CheckpointWeights::has(const std::string &name) const { return m_file->header().find(name) != nullptr; }

std::vector<int64_t> CheckpointWeights::shape(const std::string &name) const
{
    const SafetensorsEntry *entry = m_file->header().find(name);
    if (!entry)
        throw Error(m_file->path() + ": has no tensor \"" + name + "\"");
    return entry->shape;
}

torch::Tensor CheckpointWeights::get(const std::string &name, const std::vector<int64_t> &expected,
                                     const std::string &what) const
{
    const SafetensorsEntry *entry = m_file->header().find(name);
    const std::string prefix = m_file->path() + ": ";
    if (!entry)
        throw Error(prefix + "has no tensor \"" + name + "\"" + (what.empty() ? "" : " (" + what + ")")
                    + ": is it a checkpoint of another architecture, or cut down?");
    m_read.insert(name);
    const torch::ScalarType type = scalarType(entry->dtype);
    if (type == torch::kByte)
        throw Error(prefix + "tensor \"" + name + "\" holds " + entry->dtype
                    + " values, but a weight must be F32, F16, BF16 or F64");
    if (!expected.empty() && entry->shape != expected)
        throw Error(prefix + "tensor \"" + name + "\" has the shape " + shapeText(entry->shape) + ", but "
                    + (what.empty() ? "the model" : what) + " needs " + shapeText(expected));
    char *bytes = m_file->bytes(*entry);
    // The tensor keeps the mapping alive.
    const std::shared_ptr<const SafetensorsFile> owner = m_file;
    torch::Tensor t;
    const auto aligned = reinterpret_cast<uintptr_t>(bytes) % static_cast<uintptr_t>(entry->elementSize) == 0;
    if (aligned) {
        t = torch::from_blob(bytes, entry->shape, [owner](void *) {}, torch::TensorOptions().dtype(type));
    } else {
        // A header not padded to 8 bytes leaves the data unaligned: copied.
        t = torch::empty(entry->shape, torch::TensorOptions().dtype(type));
        std::memcpy(t.data_ptr(), bytes, entry->end - entry->begin);
    }
    if (type == torch::kFloat32 || (m_keepHalf && (type == torch::kFloat16 || type == torch::kBFloat16)))
        return t;
    m_converted += static_cast<uint64_t>(t.numel()) * 4;
    return t.to(torch::kFloat32);
}

std::vector<std::string> CheckpointWeights::unread() const
{
    std::vector<std::string> out;
    for (const SafetensorsEntry &e : m_file->header().entries()) {
        if (!m_read.count(e.name))
            out.push_back(e.name);
    }
    return out;
}

} // namespace attnscope::core
