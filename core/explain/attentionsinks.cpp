#include "core/explain/attentionsinks.h"

#include "core/engine/capturedrun_p.h"

#include <algorithm>
#include <cstdio>
#include <cctype>
#include <map>

namespace attnscope::core {

namespace {

bool isRegisterSegment(const std::string &name)
{
    std::string lower;
    for (char c : name)
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower.rfind("reg", 0) == 0;
}

/// Per token of a stream: 1 where it is padding (a masked text position).
std::vector<uint8_t> paddingOf(const Manifest &m, size_t stream, const TokenizedText &text)
{
    std::vector<uint8_t> pad;
    for (const TokenSegment &segment : m.streams[stream].segments) {
        for (int i = 0; i < segment.length; ++i) {
            const bool masked = segment.modality == Modality::Text && static_cast<size_t>(i) < text.mask.size()
                                && text.mask[static_cast<size_t>(i)] == 0;
            pad.push_back(masked ? 1 : 0);
        }
    }
    return pad;
}

} // namespace

std::vector<AttentionSink> AttentionSinks::find(const CapturedRun &run)
{
    // Found once per run (every explanation and view asks): the maps stay.
    CapturedRun::Impl &d = const_cast<CapturedRun &>(run).impl();
    if (d.sinks)
        return *d.sinks;
    const Manifest &m = run.manifest();
    const TokenizedText &text = run.input().text;
    // stream -> token -> heads in which it is a sink, and its attention summed
    std::map<int, std::vector<int>> sinkHeads;
    std::map<int, std::vector<double>> received;
    std::map<int, int> heads;
    std::map<int, float> evenShares;
    for (size_t i = 0; i < m.attentions.size() && i < d.maps.size(); ++i) {
        const AttentionSpec &spec = m.attentions[i];
        const std::vector<uint8_t> queryPad = paddingOf(m, static_cast<size_t>(spec.queryStream), text);
        const std::vector<uint8_t> keyPad = paddingOf(m, static_cast<size_t>(spec.keyStream), text);
        std::vector<int64_t> realQueries;
        for (size_t q = 0; q < queryPad.size(); ++q)
            if (!queryPad[q])
                realQueries.push_back(static_cast<int64_t>(q));
        int64_t realKeys = 0;
        for (uint8_t p : keyPad)
            realKeys += p ? 0 : 1;
        if (realQueries.empty() || realKeys == 0)
            continue;
        const torch::Tensor rows = d.maps[i].to(torch::kCPU, torch::kFloat32)
                                       .index_select(1, torch::tensor(realQueries, torch::kInt64));
        const torch::Tensor columnMeans = rows.mean(1).contiguous(); // [heads, keys]
        const float threshold = std::max(kMinShare, kUniformMultiple / static_cast<float>(realKeys));
        auto &counts = sinkHeads[spec.keyStream];
        auto &sums = received[spec.keyStream];
        counts.resize(keyPad.size(), 0);
        sums.resize(keyPad.size(), 0.0);
        const int64_t h = columnMeans.size(0);
        heads[spec.keyStream] += static_cast<int>(h);
        evenShares[spec.keyStream] = 1.0f / static_cast<float>(realKeys);
        const float *c = columnMeans.data_ptr<float>();
        for (int64_t head = 0; head < h; ++head) {
            for (size_t k = 0; k < keyPad.size(); ++k) {
                const float v = c[head * static_cast<int64_t>(keyPad.size()) + static_cast<int64_t>(k)];
                sums[k] += v;
                if (!keyPad[k] && v >= threshold)
                    ++counts[k];
            }
        }
    }
    std::vector<AttentionSink> out;
    for (size_t s = 0; s < m.streams.size(); ++s) {
        const int stream = static_cast<int>(s);
        const int total = heads.count(stream) ? heads[stream] : 0;
        int index = 0;
        for (const TokenSegment &segment : m.streams[s].segments) {
            const bool reg = isRegisterSegment(segment.name) && segment.modality == Modality::Special;
            for (int i = 0; i < segment.length; ++i, ++index) {
                AttentionSink t;
                t.stream = stream;
                t.index = index;
                t.registerToken = reg;
                if (total > 0) {
                    t.headShare = static_cast<float>(sinkHeads[stream][static_cast<size_t>(index)]) / static_cast<float>(total);
                    t.meanAttention = static_cast<float>(received[stream][static_cast<size_t>(index)] / total);
                }
                t.sink = total > 0 && t.headShare >= kHeadShare;
                t.evenShare = evenShares.count(stream) ? evenShares[stream] : 0.0f;
                if (t.sink || t.registerToken)
                    out.push_back(t);
            }
        }
    }
    d.sinks = out;
    return out;
}

std::string AttentionSinks::describe(const std::vector<AttentionSink> &sinks,
                                     const std::function<std::string(const AttentionSink &)> &label)
{
    std::string names;
    int count = 0;
    for (const AttentionSink &s : sinks) {
        if (!s.sink)
            continue;
        names += (count ? ", " : "") + label(s) + " (" + std::to_string(static_cast<int>(100.0f * s.headShare + 0.5f))
                 + "% of heads)";
        ++count;
    }
    std::string out;
    if (count > 0)
        out = std::string(count == 1 ? "One token draws" : std::to_string(count) + " tokens draw")
              + " a large share of attention in many heads without needing to carry content: " + names
              + ". Such attention sinks park attention the model does not need; a map where every token looks at one "
                "says little about what the model reads (Darcet et al. 2024).";
    // Registers added for the purpose that did not become sinks: said, so a
    // marked register is not taken for one.
    int quiet = 0;
    float most = 0.0f, even = 0.0f;
    std::string first;
    for (const AttentionSink &s : sinks) {
        if (!s.registerToken || s.sink)
            continue;
        if (quiet++ == 0)
            first = label(s);
        most = std::max(most, s.meanAttention);
        even = s.evenShare;
    }
    if (quiet > 0) {
        auto percent = [](float v) {
            char text[32];
            std::snprintf(text, sizeof text, "%.1f%%", 100.0 * v);
            return std::string(text);
        };
        out += std::string(out.empty() ? "" : " ")
               + (quiet == 1 ? "The register token " + first + " draws"
                             : "The " + std::to_string(quiet) + " register tokens (" + first + " ...) draw")
               + " little attention on this input (at most " + percent(most) + " of a query's attention on average; "
               + "an even share would be " + percent(even) + "): here "
               + (quiet == 1 ? "it is no attention sink." : "they are no attention sinks.");
    }
    return out;
}

} // namespace attnscope::core
