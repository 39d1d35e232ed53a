#pragma once
// Turning faults in JIT code into traps.
//
// A process-wide signal handler (on an alternate stack) looks at every SIGSEGV/SIGBUS/SIGILL/
// SIGFPE. When the faulting pc is inside JIT code and the thread is running wasm, it records the
// trap in that thread's VMStoreContext and resumes at a resume stub, which returns from the
// innermost entry trampoline. Any other fault goes to the handler that was there before us.
#include <pthread.h>
#include <signal.h>
#include <ucontext.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <mutex>

#include "wasm/error.hpp"
#include "wasm/detail/vm/code_registry.hpp"
#include "wasm/detail/base/inline.hpp"
#include "wasm/detail/env/vm_records.hpp"

namespace wasm::detail {

// Fills sc's trap fields and raw backtrace by walking the rbp chain of wasm frames from
// (pc, fp). Allocation-free: also called from the signal handler.
inline void record_trap(VMStoreContext* sc, TrapCode code, uintptr_t pc, uintptr_t fp) {
  sc->trap_code = uint32_t(code) + 1;
  sc->trap_pc = pc;
  sc->trap_fp = fp;
  TrapBacktrace& bt = sc->backtrace;
  bt.count = 0;
  bt.truncated = false;
  const CodeRegistry& registry = CodeRegistry::get();
  while (pc && registry.contains(pc)) {
    if (bt.count == TrapBacktrace::kMaxFrames) {
      bt.truncated = true;
      break;
    }
    bt.pcs[bt.count++] = pc;
    if (!fp) break;
    pc = reinterpret_cast<const uintptr_t*>(fp)[1];
    fp = reinterpret_cast<const uintptr_t*>(fp)[0];
  }
}

// Which VMStoreContext the current thread is running wasm for (innermost activation).
inline VMStoreContext*& current_store_context() {
  thread_local VMStoreContext* current = nullptr;
  return current;
}

class TrapHandler {
 public:
  // Installs the handler once per process and an alternate signal stack once per thread.
  static void ensure_installed() {
    // Checked on every entry into wasm: a relaxed load in the common case, call_once only
    // until the handler is in place.
    static std::atomic<bool> installed{false};
    if (!installed.load(std::memory_order_acquire)) {
      static std::once_flag once;
      std::call_once(once, [] { install(); });
      installed.store(true, std::memory_order_release);
    }
    thread_local bool alt_stack_ready = false;
    if (!alt_stack_ready) {
      alt_stack_ready = true;
      setup_alt_stack();
    }
  }

 private:
  static constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE};

  static struct sigaction* previous() {
    static struct sigaction prev[4];
    return prev;
  }

  static void install() {
    for (size_t i = 0; i < std::size(kSignals); ++i) {
      struct sigaction sa = {};
      sa.sa_sigaction = &handle;
      sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
      sigemptyset(&sa.sa_mask);
      sigaction(kSignals[i], &sa, &previous()[i]);
    }
  }

  // The alternate signal stack this thread got from us, released when the thread ends.
  struct AltStack {
    void* memory = nullptr;
    ~AltStack() {
      if (!memory) return;
      stack_t current = {};
      // Only if it is still ours: the host may have installed another one since.
      if (sigaltstack(nullptr, &current) == 0 && current.ss_sp == memory) {
        stack_t off = {};
        off.ss_flags = SS_DISABLE;
        sigaltstack(&off, nullptr);
      }
      std::free(memory);
    }
  };

  static void setup_alt_stack() {
    stack_t current = {};
    if (sigaltstack(nullptr, &current) == 0 && !(current.ss_flags & SS_DISABLE) &&
        current.ss_size >= kAltStackSize) {
      return;  // the host installed one that is big enough
    }
    thread_local AltStack mine;
    void* mem = std::malloc(kAltStackSize);
    if (!mem) return;
    stack_t ss = {};
    ss.ss_sp = mem;
    ss.ss_size = kAltStackSize;
    ss.ss_flags = 0;
    if (sigaltstack(&ss, nullptr) == 0) mine.memory = mem;
    else std::free(mem);
  }

  static constexpr size_t kAltStackSize = 64 * 1024;

  static TrapCode code_for_signal(int sig) {
    switch (sig) {
      case SIGFPE: return TrapCode::IntegerDivisionByZero;
      case SIGILL: return TrapCode::UnreachableCodeReached;
      default: return TrapCode::MemoryOutOfBounds;
    }
  }

  // Sends a fault in JIT code to the innermost entry trampoline's resume stub (trap_handler_impl.hpp).
  static void handle(int sig, siginfo_t* info, void* context);

  // Not our fault: behave as the previous handler would have.
  static void forward(int sig, siginfo_t* info, void* context) {
    for (size_t i = 0; i < std::size(kSignals); ++i) {
      if (kSignals[i] != sig) continue;
      const struct sigaction& prev = previous()[i];
      if (prev.sa_flags & SA_SIGINFO) {
        prev.sa_sigaction(sig, info, context);
        return;
      }
      if (prev.sa_handler == SIG_IGN) return;
      if (prev.sa_handler != SIG_DFL) {
        prev.sa_handler(sig);
        return;
      }
      // Default action: reinstall it; returning re-executes the fault, which now kills us.
      signal(sig, SIG_DFL);
      return;
    }
  }
};

}  // namespace wasm::detail

#if !defined(WASMPP_SEPARATE_COMPILATION) || defined(WASMPP_IMPLEMENTATION)
#include "wasm/detail/vm/trap_handler_impl.hpp"
#endif
