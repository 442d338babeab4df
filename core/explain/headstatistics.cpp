#include "core/explain/headstatistics.h"

#include "core/engine/capturedrun_p.h"
#include "core/error.h"
#include "core/explain/attentionsinks.h"
#include "core/explain/streamlayout.h"

#include <cmath>

namespace attnscope::core {

namespace {

enum class Kind { Image, Word, Special, Padding };

Kind kindOf(const LayoutToken &t)
{
    if (t.padding)
        return Kind::Padding;
    if (t.modality == Modality::Image)
        return Kind::Image;
    if (t.modality == Modality::Text && !t.special)
        return Kind::Word;
    return Kind::Special;
}

bool content(Kind k) { return k == Kind::Image || k == Kind::Word; }

Matrix thumbnailOf(const torch::Tensor &map, int size)
{
    const int64_t rows = std::min<int64_t>(map.size(0), size);
    const int64_t cols = std::min<int64_t>(map.size(1), size);
    const torch::Tensor t = torch::adaptive_avg_pool2d(map.unsqueeze(0), {rows, cols})
                                .squeeze(0)
                                .to(torch::kCPU, torch::kFloat32)
                                .contiguous();
    return Matrix(static_cast<int>(rows), static_cast<int>(cols),
                  std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + t.numel()));
}

} // namespace

std::vector<HeadStatistic> HeadStatistics::compute(CapturedRun &run, int target, int thumbnailSize,
                                                   const std::function<void(int, int)> &progress)
{
    CapturedRun::Impl &d = run.impl();
    const Manifest &m = run.manifest();
    const StreamLayout layout(m, run.input().text);
    const std::vector<ReducedGradient> *grads = nullptr;
    try {
        grads = &d.gradientsFor(target);
    } catch (const Error &) {
        grads = nullptr; // attention not differentiable: no gradient weights
    }
    const std::vector<AttentionSink> sinks = AttentionSinks::find(run);
    const SegmentLocation image = m.findModality(Modality::Image);
    const int gridCols = image.valid()
        ? m.streams[static_cast<size_t>(image.stream)].segments[static_cast<size_t>(image.segment)].gridCols
        : 1;

    std::vector<HeadStatistic> out;
    try {
        for (size_t i = 0; i < m.attentions.size(); ++i) {
            const AttentionSpec &spec = m.attentions[i];
            const torch::Tensor a = d.maps[i].to(torch::kCPU, torch::kFloat32).contiguous(); // [H, Q, K]
            const int64_t heads = a.size(0), nq = a.size(1), nk = a.size(2);
            const int qOffset = layout.streamOffset(spec.queryStream);
            const int kOffset = layout.streamOffset(spec.keyStream);
            // The key stream's sinks and registers, and the thumbnail
            // columns they fall in (adaptive pooling's bins: floor(j nk / n)
            // to ceil((j + 1) nk / n)).
            std::vector<uint8_t> kSink(static_cast<size_t>(nk), 0);
            bool anySink = false;
            for (const AttentionSink &s : sinks) {
                if (s.stream == spec.keyStream && s.index < nk && (s.sink || s.registerToken)) {
                    kSink[static_cast<size_t>(s.index)] = 1;
                    anySink = true;
                }
            }
            std::vector<int> sinkColumns;
            const int64_t thumbCols = std::min<int64_t>(nk, thumbnailSize);
            for (int64_t j = 0; j < thumbCols && anySink; ++j) {
                const int64_t begin = (j * nk) / thumbCols;
                const int64_t end = ((j + 1) * nk + thumbCols - 1) / thumbCols;
                for (int64_t k = begin; k < end; ++k) {
                    if (kSink[static_cast<size_t>(k)]) {
                        sinkColumns.push_back(static_cast<int>(j));
                        break;
                    }
                }
            }
            std::vector<Kind> qKind, kKind;
            std::vector<int> qPatch, kPatch;
            for (int64_t q = 0; q < nq; ++q) {
                const LayoutToken &t = layout.tokens()[static_cast<size_t>(qOffset + q)];
                qKind.push_back(kindOf(t));
                qPatch.push_back(t.patchIndex);
            }
            for (int64_t k = 0; k < nk; ++k) {
                const LayoutToken &t = layout.tokens()[static_cast<size_t>(kOffset + k)];
                kKind.push_back(kindOf(t));
                kPatch.push_back(t.patchIndex);
            }
            // Gradient weights: (g x a)+ summed per head, as shares of the map.
            std::vector<double> weights(static_cast<size_t>(heads), 0.0);
            double total = 0.0;
            if (grads) {
                const torch::Tensor w = (*grads)[i].headSums.to(torch::kCPU);
                for (int64_t h = 0; h < heads; ++h) {
                    weights[static_cast<size_t>(h)] = w[h].item<double>();
                    total += weights[static_cast<size_t>(h)];
                }
            }
            const float *values = a.data_ptr<float>();
            for (int64_t h = 0; h < heads; ++h) {
                HeadStatistic s;
                s.map = static_cast<int>(i);
                s.layer = spec.layer;
                s.head = static_cast<int>(h);
                double entropy = 0.0, share = 0.0, distance = 0.0, toSinks = 0.0;
                int entropyRows = 0, shareRows = 0, distanceRows = 0;
                for (int64_t q = 0; q < nq; ++q) {
                    const Kind qk = qKind[static_cast<size_t>(q)];
                    if (qk == Kind::Padding)
                        continue;
                    const float *row = values + (h * nq + q) * nk;
                    double e = 0.0, cross = 0.0, num = 0.0, den = 0.0;
                    const int r0 = qPatch[static_cast<size_t>(q)] / gridCols;
                    const int c0 = qPatch[static_cast<size_t>(q)] % gridCols;
                    for (int64_t k = 0; k < nk; ++k) {
                        const double v = row[k];
                        if (v > 0.0)
                            e -= v * std::log(v);
                        const Kind kk = kKind[static_cast<size_t>(k)];
                        if (content(qk) && content(kk) && kk != qk)
                            cross += v;
                        if (kSink[static_cast<size_t>(k)])
                            toSinks += v;
                        if (qk == Kind::Image && kk == Kind::Image) {
                            const int r1 = kPatch[static_cast<size_t>(k)] / gridCols;
                            const int c1 = kPatch[static_cast<size_t>(k)] % gridCols;
                            num += v * std::hypot(r1 - r0, c1 - c0);
                            den += v;
                        }
                    }
                    entropy += e;
                    ++entropyRows;
                    if (content(qk)) {
                        share += cross;
                        ++shareRows;
                    }
                    if (qk == Kind::Image && den > 0.0) {
                        distance += num / den;
                        ++distanceRows;
                    }
                }
                if (entropyRows > 0)
                    s.entropy = static_cast<float>(entropy / entropyRows);
                if (entropyRows > 0 && anySink)
                    s.sinkShare = static_cast<float>(toSinks / entropyRows);
                if (shareRows > 0)
                    s.crossModalShare = static_cast<float>(share / shareRows);
                if (distanceRows > 0)
                    s.meanDistance = static_cast<float>(distance / distanceRows);
                if (grads)
                    s.gradientWeight = total > 0.0 ? static_cast<float>(weights[static_cast<size_t>(h)] / total) : 0.0f;
                s.thumbnail = thumbnailOf(a.select(0, h), thumbnailSize);
                s.thumbnailSinkColumns = sinkColumns;
                out.push_back(std::move(s));
            }
            if (progress)
                progress(static_cast<int>(i) + 1, static_cast<int>(m.attentions.size()));
        }
    } catch (const c10::Error &e) {
        throw Error(std::string("head statistics failed: ") + e.what_without_backtrace());
    }
    return out;
}

} // namespace attnscope::core
