#include "core/checkpoint/safetensorsheader.h"

#include "core/error.h"
#include "core/json/json.h"

#include <algorithm>
#include <cmath>

namespace attnscope::core {

namespace {

/// Integers a double holds exactly: every file size there is.
constexpr double kMaxExactInteger = 9007199254740992.0; // 2^53

/// Decimal megabytes, rounded up: 100,000,000 bytes is "100 MB".
std::string megabytes(uint64_t bytes)
{
    return std::to_string(bytes / 1000000 + (bytes % 1000000 != 0)) + " MB";
}

bool wholeNumber(const Json &value, uint64_t &out)
{
    if (!value.isNumber())
        return false;
    const double v = value.toNumber();
    if (!(v >= 0.0) || v > kMaxExactInteger || std::floor(v) != v)
        return false;
    out = static_cast<uint64_t>(v);
    return true;
}

} // namespace

int64_t SafetensorsEntry::elements() const
{
    int64_t n = 1;
    for (int64_t d : shape)
        n *= d;
    return n;
}

int SafetensorsHeader::elementSize(const std::string &dtype)
{
    static const std::map<std::string, int> sizes{
        {"BOOL", 1}, {"U8", 1},  {"I8", 1},  {"F8_E4M3", 1}, {"F8_E5M2", 1}, {"I16", 2}, {"U16", 2}, {"F16", 2},
        {"BF16", 2}, {"I32", 4}, {"U32", 4}, {"F32", 4},     {"F64", 8},     {"I64", 8}, {"U64", 8}};
    const auto it = sizes.find(dtype);
    return it == sizes.end() ? 0 : it->second;
}

const SafetensorsEntry *SafetensorsHeader::find(const std::string &name) const
{
    const auto it = m_index.find(name);
    return it == m_index.end() ? nullptr : &m_entries[it->second];
}

SafetensorsHeader SafetensorsHeader::parse(const char *file, uint64_t available, uint64_t size,
                                           const std::string &source)
{
    const std::string prefix = source + ": ";
    if (size < 8 || available < 8)
        throw Error(prefix + "is not a safetensors file: it has " + std::to_string(size)
                    + " bytes, fewer than the 8 of the header's length");
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i)
        n = (n << 8) | static_cast<unsigned char>(file[i]);
    if (n > kMaxHeaderBytes)
        throw Error(prefix + "is not a safetensors file, or is damaged: its header claims " + megabytes(n)
                    + ", and a safetensors header holds at most " + megabytes(kMaxHeaderBytes));
    if (n > size - 8)
        throw Error(prefix + "is not a safetensors file, or is cut short: its header claims " + std::to_string(n)
                    + " bytes, but only " + std::to_string(size - 8) + " follow the length");
    if (n < 2 || file[8] != '{')
        throw Error(prefix + "is not a safetensors file: the header after the first 8 bytes is no JSON object");
    if (available < 8 + n)
        throw Error(prefix + "could not read the whole header");

    SafetensorsHeader header;
    header.m_dataOffset = 8 + n;
    const uint64_t dataBytes = size - header.m_dataOffset;
    Json json;
    try {
        json = Json::parse(std::string(file + 8, static_cast<size_t>(n)), "header");
    } catch (const Error &e) {
        throw Error(prefix + "the safetensors header is no valid JSON (" + std::string(e.what()).substr(8) + ")");
    }
    if (!json.isObject())
        throw Error(prefix + "the safetensors header is not a JSON object");
    for (const auto &[name, value] : json.toObject()) {
        const std::string what = prefix + "tensor \"" + name + "\" ";
        if (name == "__metadata__") {
            if (!value.isObject())
                throw Error(prefix + "the header's __metadata__ must be an object of strings");
            for (const auto &[key, text] : value.toObject()) {
                if (!text.isString())
                    throw Error(prefix + "the header's __metadata__ \"" + key + "\" must be a string");
                header.m_metadata[key] = text.toString();
            }
            continue;
        }
        if (!value.isObject())
            throw Error(what + "must be described by an object with dtype, shape and data_offsets");
        SafetensorsEntry entry;
        entry.name = name;
        const Json *dtype = value.find("dtype");
        const Json *shape = value.find("shape");
        const Json *offsets = value.find("data_offsets");
        if (!dtype || !shape || !offsets)
            throw Error(what + "lacks " + std::string(!dtype ? "dtype" : !shape ? "shape" : "data_offsets"));
        if (value.toObject().size() != 3)
            throw Error(what + "has members besides dtype, shape and data_offsets");
        if (!dtype->isString() || (entry.elementSize = elementSize(dtype->toString())) == 0)
            throw Error(what + "has the dtype " + (dtype->isString() ? "\"" + dtype->toString() + "\"" : dtype->dump())
                        + ", which is none of the format's (F32, F16, BF16, F64, I64, I32, ...)");
        entry.dtype = dtype->toString();
        if (!shape->isArray())
            throw Error(what + "has a shape that is not a list of sizes");
        // Sizes multiplied with an overflow check: the count must fit the
        // file anyway, so anything beyond 2^53 bytes is refused.
        double bytes = entry.elementSize;
        for (const Json &d : shape->toArray()) {
            uint64_t extent = 0;
            if (!wholeNumber(d, extent))
                throw Error(what + "has a shape entry " + d.dump() + " that is not a size (a whole number >= 0)");
            entry.shape.push_back(static_cast<int64_t>(extent));
            bytes *= static_cast<double>(extent);
            if (bytes > kMaxExactInteger)
                throw Error(what + "has a shape " + shape->dump() + " of more bytes than any file holds");
        }
        uint64_t begin = 0, end = 0;
        if (!offsets->isArray() || offsets->toArray().size() != 2 || !wholeNumber(offsets->toArray()[0], begin)
            || !wholeNumber(offsets->toArray()[1], end))
            throw Error(what + "has data_offsets that are not two byte offsets [begin, end]");
        if (end < begin)
            throw Error(what + "ends (byte " + std::to_string(end) + ") before it begins (byte "
                        + std::to_string(begin) + ")");
        if (end > dataBytes)
            throw Error(what + "lies outside the file: its bytes end at " + std::to_string(end) + ", but the data holds "
                        + std::to_string(dataBytes) + " (the file is cut short or damaged)");
        if (static_cast<double>(end - begin) != bytes)
            throw Error(what + "has " + std::to_string(end - begin) + " bytes, but its shape " + shape->dump() + " of "
                        + entry.dtype + " needs " + std::to_string(static_cast<uint64_t>(bytes)));
        entry.begin = begin;
        entry.end = end;
        header.m_index.emplace(name, header.m_entries.size()); // the JSON reader refused repeated names
        header.m_entries.push_back(std::move(entry));
    }
    // Back to back, as the format's writer lays them out: each tensor starts
    // where the one before it ends, and the last one ends with the file.
    std::vector<const SafetensorsEntry *> order;
    for (const SafetensorsEntry &e : header.m_entries)
        order.push_back(&e);
    std::stable_sort(order.begin(), order.end(), [](const SafetensorsEntry *a, const SafetensorsEntry *b) {
        return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
    });
    uint64_t at = 0;
    const SafetensorsEntry *before = nullptr;
    for (const SafetensorsEntry *e : order) {
        if (e->begin < at)
            throw Error(prefix + "tensors \"" + before->name + "\" and \"" + e->name + "\" overlap (bytes "
                        + std::to_string(e->begin) + " to " + std::to_string(at) + " belong to both)");
        if (e->begin > at)
            throw Error(prefix + "bytes " + std::to_string(at) + " to " + std::to_string(e->begin)
                        + " of the data belong to no tensor (a safetensors file has no holes)");
        at = e->end;
        before = e;
    }
    if (at != dataBytes)
        throw Error(prefix + "the last " + std::to_string(dataBytes - at)
                    + " bytes of the file belong to no tensor (a safetensors file has no holes)");
    return header;
}

} // namespace attnscope::core
