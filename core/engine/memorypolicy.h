#pragma once

namespace attnscope::core {

/// Makes freed blocks of 4 MB and more go straight back to the system.
///
/// glibc serves a block from its heap, not from its own mapping, once a
/// larger block has been freed (its threshold follows the largest free, up
/// to 32 MB), and a heap gives memory back only from its top. A forward pass
/// at 2,048 tokens frees 200 MB maps and then allocates many 6-25 MB
/// activations: without this, ~800 MB stayed resident after the model's
/// probe pass (peak 1.44x weights + maps; with it 1.14x, tests/bench). Below
/// 4 MB blocks stay on the heap, where reuse costs no page faults: a 197-token
/// ViT-B forward pass (1.8 MB maps) runs as fast as before (1 MB cost it
/// 30%). Call once, first thing in main().
void returnLargeBlocksToTheSystem();

/// Fits the policy above to a model whose attention maps take
/// `bytesPerHead` (one head of every map, fp32). Where that is over 64 MB
/// (2,048 tokens: 201 MB), blocks of 4 MB and more go back at once, as above.
/// Below, blocks up to 32 MB are reused from the heap, which keeps up to
/// 64 MB free at its top: at 577 tokens (16 MB) fresh mappings for every
/// 5-16 MB activation made the forward pass 1.3-1.5x slower; the heap costs
/// about 600 MB more at the peak there.
void fitAllocatorToMaps(double bytesPerHead);

/// Whether ModelBundle::load fits the allocator to each model it loads
/// (fitAllocatorToMaps). Off by default: the allocator is the process's, so
/// only the application that owns the process turns it on, once, at start-up
/// (attnscope's main() and the bench harness do).
void adaptAllocatorToEachModel(bool on);
/// Called by ModelBundle::load with the model's map size; fits the
/// allocator only when adaptAllocatorToEachModel(true) was called.
void modelMapsLoaded(double bytesPerHead);

} // namespace attnscope::core
