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

} // namespace attnscope::core
