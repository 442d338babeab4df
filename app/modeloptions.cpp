#include "app/modeloptions.h"

#include "app/commandline.h"
#include "core/bundle/modelbundle.h"
#include "core/error.h"
#include "core/explain/explainer.h"

#include <algorithm>
#include <charconv>

namespace attnscope::app {

using namespace attnscope::core;

std::vector<Method> ModelOptions::methods(const std::string &text)
{
    if (text.empty() || text == "all")
        return allMethods();
    std::vector<Method> out;
    size_t start = 0;
    while (start <= text.size()) {
        const size_t comma = text.find(',', start);
        const std::string name = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        try {
            out.push_back(parseMethod(name));
        } catch (const Error &e) {
            throw UsageError{e.what()};
        }
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    return out;
}

DeviceChoice ModelOptions::device(const CommandOptions &o)
{
    try {
        return parseDeviceChoice(o.get("--device", "auto"));
    } catch (const Error &e) {
        throw UsageError{e.what()};
    }
}

int ModelOptions::target(const CommandOptions &o, const Manifest &m)
{
    if (!o.has("--target"))
        return -1;
    const std::string t = o.get("--target");
    const int labels = static_cast<int>(m.labels.size());
    auto labelIndex = [&](const std::string &name) {
        for (int i = 0; i < labels; ++i) {
            if (m.labels[static_cast<size_t>(i)] == name)
                return i;
        }
        return -1;
    };
    auto indexOf = [&](const std::string &digits) {
        int index = -1;
        const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
        return error == std::errc() && end == digits.data() + digits.size() && index >= 0 && index < labels ? index : -1;
    };
    const std::string range = "0 to " + std::to_string(labels - 1);
    if (t.rfind("index:", 0) == 0) {
        const int index = indexOf(t.substr(6));
        if (index < 0)
            throw UsageError{"--target " + t + ": the model's label indices are " + range};
        return index;
    }
    if (t.rfind("label:", 0) == 0) {
        const int index = labelIndex(t.substr(6));
        if (index < 0)
            throw UsageError{"--target " + t + ": the model has no label \"" + t.substr(6) + "\""};
        return index;
    }
    const int byLabel = labelIndex(t), byIndex = indexOf(t);
    if (byLabel >= 0 && byIndex >= 0 && byLabel != byIndex)
        throw UsageError{"--target " + t + " is ambiguous: say label:" + t + " for the label \"" + t + "\" (index "
                         + std::to_string(byLabel) + ") or index:" + t + " for \"" + m.labels[static_cast<size_t>(byIndex)] + "\""};
    if (byLabel >= 0)
        return byLabel;
    if (byIndex >= 0)
        return byIndex;
    throw UsageError{"--target " + t + " is neither a label of the model nor a label index (" + range
                     + "); use label:NAME or index:N"};
}

void ModelOptions::check(const CommandOptions &o, const MethodOptions &base, const ModelBundle &bundle)
{
    const Manifest &m = bundle.manifest();
    const int maps = static_cast<int>(m.attentions.size());
    if (o.has("--attention") && (base.attention < 0 || base.attention >= maps))
        throw UsageError{"--attention " + o.get("--attention") + ": the model returns maps 0 to " + std::to_string(maps - 1)};
    if (base.attention >= maps) // from a session: a bad file, not a bad command line
        throw Error("the session's attention map " + std::to_string(base.attention) + " does not exist (the model returns maps 0 to "
                    + std::to_string(maps - 1) + ")");
    if (base.head >= 0) {
        // The map raw attention shows: the one asked for, else any (the
        // default map is chosen per run): the head must exist in each.
        const std::vector<int> &heads = bundle.headCounts();
        int count = 0;
        if (base.attention >= 0)
            count = heads[static_cast<size_t>(base.attention)];
        else if (!heads.empty())
            count = *std::min_element(heads.begin(), heads.end());
        if (base.head >= count)
            throw UsageError{"--head " + o.get("--head") + ": the maps have heads 0 to " + std::to_string(count - 1)
                             + " (or use mean, max or min)"};
    }
    if (o.has("--start-layer") && (base.startLayer < 0 || base.startLayer >= m.layerCount()))
        throw UsageError{"--start-layer " + o.get("--start-layer") + ": the model has layers 0 to "
                         + std::to_string(m.layerCount() - 1)};
}

} // namespace attnscope::app
