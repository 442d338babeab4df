// ModelBundle's walks over a run's autograd graph: which leaves a backward
// pass needs to reach every attention map, and whether the logits depend on
// the maps at all. No gradient is computed by either.
#include "core/bundle/modelbundle_p.h"

#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/functions/accumulate_grad.h>

#include <set>

namespace attnscope::core {

std::vector<torch::Tensor> ModelBundle::Impl::smallestLeavesUpstream(const std::vector<torch::Tensor> &attentions)
{
    std::set<const torch::autograd::Node *> chosen;
    std::vector<torch::Tensor> leaves;
    for (const torch::Tensor &a : attentions) {
        if (!a.grad_fn())
            continue;
        const torch::autograd::AccumulateGrad *best = nullptr;
        std::set<const torch::autograd::Node *> seen;
        std::vector<const torch::autograd::Node *> todo{a.grad_fn().get()};
        while (!todo.empty()) {
            const torch::autograd::Node *node = todo.back();
            todo.pop_back();
            if (!seen.insert(node).second)
                continue;
            if (const auto *leaf = dynamic_cast<const torch::autograd::AccumulateGrad *>(node)) {
                if (!best || leaf->variable.numel() < best->variable.numel())
                    best = leaf;
            }
            for (const torch::autograd::Edge &edge : node->next_edges()) {
                if (edge.function)
                    todo.push_back(edge.function.get());
            }
        }
        if (best && chosen.insert(best).second)
            leaves.push_back(best->variable);
    }
    return leaves;
}

bool ModelBundle::Impl::attentionsReachLogits(const torch::Tensor &logits, const std::vector<torch::Tensor> &attentions)
{
    // A walk over the autograd graph from the logits: every edge (function,
    // output) it passes. A map is on the path when the edge that produced it
    // is among them; no gradient is computed.
    if (!logits.requires_grad() || !logits.grad_fn())
        return false;
    for (const auto &a : attentions) {
        if (!a.requires_grad())
            return false; // copies or detached maps: gradient methods would mislead
    }
    std::set<std::pair<const torch::autograd::Node *, uint32_t>> edges;
    std::set<const torch::autograd::Node *> seen;
    std::vector<torch::autograd::Node *> todo{logits.grad_fn().get()};
    while (!todo.empty()) {
        torch::autograd::Node *node = todo.back();
        todo.pop_back();
        if (!seen.insert(node).second)
            continue;
        for (const torch::autograd::Edge &edge : node->next_edges()) {
            if (!edge.function)
                continue;
            edges.emplace(edge.function.get(), edge.input_nr);
            todo.push_back(edge.function.get());
        }
    }
    for (const auto &a : attentions) {
        if (a.grad_fn() && edges.count({a.grad_fn().get(), a.output_nr()}))
            return true;
    }
    return false;
}

} // namespace attnscope::core
