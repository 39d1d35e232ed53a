#pragma once
// The GDB JIT interface (gdb manual, "JIT Compilation Interface"; LLDB reads it too): the
// process exports __jit_debug_descriptor, a list of in-memory object files, and calls
// __jit_debug_register_code after each change; a debugger breaks on that function and reads
// the list. We register one symbol-only ELF object (elf_writer.hpp) per module's code and
// remove it when the module is dropped.
//
// Both symbols have C linkage and are `inline`, so that every translation unit including
// wasmpp shares one definition (and a JIT runtime linked beside us that defines them
// non-inline wins, as the interface only works with one descriptor per process).
#include <pthread.h>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "wasm/detail/jit/profiling/elf_writer.hpp"

extern "C" {

enum wasmpp_jit_actions : uint32_t { WASMPP_JIT_NOACTION = 0, WASMPP_JIT_REGISTER_FN, WASMPP_JIT_UNREGISTER_FN };

// The layouts the debugger reads (our own type names, so that they clash with no other
// JIT header; only the two symbol names below are the interface).
struct wasmpp_jit_code_entry {
  wasmpp_jit_code_entry* next_entry;
  wasmpp_jit_code_entry* prev_entry;
  const char* symfile_addr;
  uint64_t symfile_size;
};

struct wasmpp_jit_descriptor {
  uint32_t version;
  uint32_t action_flag;
  wasmpp_jit_code_entry* relevant_entry;
  wasmpp_jit_code_entry* first_entry;
};

// The debugger's breakpoint: it must stay a real call, so it is never inlined or folded.
[[gnu::noinline, gnu::used]] inline void __jit_debug_register_code() { __asm__ volatile("" ::: "memory"); }

[[gnu::used]] inline wasmpp_jit_descriptor __jit_debug_descriptor = {1, WASMPP_JIT_NOACTION, nullptr, nullptr};

}  // extern "C"

namespace wasm::detail::jit::profiling {

// One object file on the debugger's list, for as long as this lives.
class GdbJitRegistration {
 public:
  GdbJitRegistration() = default;
  explicit GdbJitRegistration(std::vector<uint8_t> object) : object_(std::move(object)) {
    entry_ = std::make_unique<wasmpp_jit_code_entry>();
    entry_->symfile_addr = reinterpret_cast<const char*>(object_.data());
    entry_->symfile_size = object_.size();
    Lock lock;
    wasmpp_jit_descriptor& d = __jit_debug_descriptor;
    entry_->prev_entry = nullptr;
    entry_->next_entry = d.first_entry;
    if (d.first_entry) d.first_entry->prev_entry = entry_.get();
    d.first_entry = entry_.get();
    d.relevant_entry = entry_.get();
    d.action_flag = WASMPP_JIT_REGISTER_FN;
    __jit_debug_register_code();
  }
  GdbJitRegistration(GdbJitRegistration&& other) noexcept = default;
  GdbJitRegistration& operator=(GdbJitRegistration&& other) noexcept {
    if (this != &other) {
      unregister();
      entry_ = std::move(other.entry_);
      object_ = std::move(other.object_);
    }
    return *this;
  }
  ~GdbJitRegistration() { unregister(); }

  explicit operator bool() const { return entry_ != nullptr; }
  std::span<const uint8_t> object() const { return object_; }

 private:
  // One lock for the whole process: the descriptor is process-wide.
  struct Lock {
    static pthread_mutex_t* mutex() {
      static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
      return &m;
    }
    Lock() { pthread_mutex_lock(mutex()); }
    ~Lock() { pthread_mutex_unlock(mutex()); }
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;
  };

  void unregister() {
    if (!entry_) return;
    {
      Lock lock;
      wasmpp_jit_descriptor& d = __jit_debug_descriptor;
      if (entry_->prev_entry) entry_->prev_entry->next_entry = entry_->next_entry;
      else d.first_entry = entry_->next_entry;
      if (entry_->next_entry) entry_->next_entry->prev_entry = entry_->prev_entry;
      d.relevant_entry = entry_.get();
      d.action_flag = WASMPP_JIT_UNREGISTER_FN;
      __jit_debug_register_code();
      d.relevant_entry = nullptr;
      d.action_flag = WASMPP_JIT_NOACTION;
    }
    entry_.reset();
    object_.clear();
  }

  std::unique_ptr<wasmpp_jit_code_entry> entry_;
  std::vector<uint8_t> object_;
};

}  // namespace wasm::detail::jit::profiling
