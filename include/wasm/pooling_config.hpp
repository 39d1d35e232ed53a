#pragma once
// PoolingAllocationConfig: the limits of the pooling instance allocator (Config::
// allocation_strategy). The pool reserves every slot once, when the Engine is created, and
// reuses them: instantiation then costs no mmap/munmap of fresh address space. An
// instantiation that needs more slots than are free fails with a resource error.
#include <cstdint>

namespace wasm {

struct PoolingAllocationConfig {
  // Instances (each holds one Instance + VMContext slot) alive at once across all stores.
  uint32_t total_core_instances = 1000;
  // Defined linear memories alive at once. A 32-bit memory in the GuardPages mode takes
  // 4 GiB + guard of address space (8 GiB) whatever max_memory_size is, so that JIT code keeps
  // its unchecked accesses; in the Explicit mode a slot is max_memory_size bytes.
  uint32_t total_memories = 1000;
  // Defined tables alive at once.
  uint32_t total_tables = 1000;
  // The largest a pooled memory may be or grow to; memory.grow past it returns -1.
  uint64_t max_memory_size = uint64_t(4) << 30;
  // The most elements a pooled table may have or grow to.
  uint32_t table_elements = 20'000;
  // The largest Instance + VMContext a slot holds (bytes).
  uint32_t max_core_instance_size = 1 << 20;
  // When a memory goes back to the pool, its first N bytes are reset by writing them (zeros,
  // or the module's data image) instead of madvise(MADV_DONTNEED): they stay resident, so the
  // next instance neither makes a system call nor takes page faults there. The rest is
  // discarded with MADV_DONTNEED. Rounded down to the host page size.
  uint64_t linear_memory_keep_resident = 0;
  // The same for a table's slot array.
  uint64_t table_keep_resident = 0;
};

}  // namespace wasm
