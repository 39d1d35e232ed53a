#pragma once
// The module driver: compiles every defined function of a validated module with the compiler
// tiers it is given (compiler_tier.hpp), in parallel, and lays the results out into one
// CodeMemory with direct calls relocated (code_layout.hpp). The output does not depend on the
// number of threads: functions are compiled independently and placed in index order.
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "wasm/detail/jit/compiled_module.hpp"
#include "wasm/detail/jit/compiler_tier.hpp"

namespace wasm::detail::jit {

namespace module_compiler_detail {

// POSIX threads and clocks rather than <thread> and <chrono>: every file that includes
// wasm.hpp compiles this, and those two headers were a measurable part of its cost.
inline unsigned pick_threads(unsigned requested, uint32_t functions) {
  long online = sysconf(_SC_NPROCESSORS_ONLN);
  unsigned threads = requested ? requested : unsigned(std::max(1L, online));
  return std::max(1u, std::min<unsigned>(threads, functions));
}

inline double monotonic_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

// Runs work() on up to `threads - 1` new threads and on the calling thread, and waits for all.
// A thread that cannot be started only means fewer workers. Returns false if work() threw
// anywhere (it only throws std::bad_alloc outside what compile() catches).
template <typename Work>
bool run_on_threads(unsigned threads, Work& work) {
  struct Shared {
    Work* work;
    std::atomic<bool> failed{false};
  } shared{&work};
  auto entry = [](void* p) -> void* {
    auto* s = static_cast<Shared*>(p);
    try {
      (*s->work)();
    } catch (...) {
      s->failed = true;
    }
    return nullptr;
  };
  std::vector<pthread_t> pool;
  pool.reserve(threads > 0 ? threads - 1 : 0);
  for (unsigned t = 1; t < threads; ++t) {
    pthread_t thread;
    if (pthread_create(&thread, nullptr, entry, &shared) != 0) break;
    pool.push_back(thread);
  }
  entry(&shared);
  for (pthread_t thread : pool) pthread_join(thread, nullptr);
  return !shared.failed;
}

}  // namespace module_compiler_detail

// threads: 0 = one per hardware thread; 1 = compile on the calling thread. Each function goes
// to the first tier of `tiers` that accepts it; it is an error if none does.
inline Result<CompiledModule> compile_module(const ModuleInfo& module,
                                             const CompileOptions& options,
                                             std::span<const CompilerTier* const> tiers,
                                             unsigned threads = 0) {
  using namespace module_compiler_detail;
  const double start = monotonic_seconds();
  CompileEnv env(module, options);
  if (!env.offsets.ok()) return Error(ErrorKind::Resource, "module's VMContext is too large");
  const uint32_t n = module.num_defined_funcs();
  threads = pick_threads(threads, n);

  std::vector<std::optional<Result<CompiledFunction>>> results(n);
  std::atomic<uint32_t> next{0};
  std::atomic<uint32_t> declined{0};
  auto work = [&] {
    // Workers are made on first use: a tier that accepts nothing costs no buffers.
    std::vector<std::unique_ptr<CompilerTier::Worker>> workers(tiers.size());
    for (uint32_t i = next++; i < n; i = next++) {
      size_t t = 0;
      while (t < tiers.size() && !tiers[t]->accepts(env, i)) ++t;
      if (t > 0) ++declined;
      if (t == tiers.size()) {
        results[i].emplace(Error(ErrorKind::Resource, "no compiler tier accepts function " +
                                                          std::to_string(module.num_imported_funcs + i)));
        continue;
      }
      if (!workers[t]) workers[t] = tiers[t]->make_worker(env);
      results[i].emplace(workers[t]->compile(i));
    }
  };
  if (!run_on_threads(threads, work)) return Error(ErrorKind::Resource, "out of memory while compiling");

  // The first failing function (by index) decides the error, whatever the scheduling.
  std::vector<uint32_t> sizes(n);
  for (uint32_t i = 0; i < n; ++i) {
    if (!*results[i]) return std::move(*results[i]).error();
    sizes[i] = uint32_t((*results[i])->code.size());
  }
  std::vector<FunctionLocation> locations;
  uint64_t functions_end = 0;
  if (!place_functions(sizes, locations, functions_end)) return Error(ErrorKind::Resource, "module code exceeds 2 GiB");
  const uint64_t thunks_at = CompiledModule::thunks_offset(functions_end);
  const uint64_t total = CompiledModule::image_size(functions_end, n);
  const int64_t entries = CompiledModule::entries_offset(total);
  if (entries + 8 * int64_t(n) > 0x7FFFFFFF) return Error(ErrorKind::Resource, "module code exceeds 2 GiB");

  // Written in place (no copy of the whole image), every byte: function code, int3 padding
  // or thunks; the entry table in the tail is filled by CompiledModule.
  CodeMemory code = CodeMemory::reserve(total, 8 * uint64_t(n));
  if (!code) return Error(ErrorKind::Resource, "out of memory for compiled code");
  uint8_t* image = code.writable();
  std::vector<TrapSite> traps;
  std::vector<HandlerSite> handlers;
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t pad_to = i + 1 < n ? locations[i + 1].offset : uint32_t(thunks_at);
    emit_function(image, locations[i].offset, pad_to, **results[i], entries, module.num_imported_funcs, traps,
                  handlers);
    results[i].reset();  // free as we go
  }
  emit_thunks(image, uint32_t(thunks_at), n, entries);
  if (!code.seal()) return Error(ErrorKind::Resource, "cannot make compiled code executable");

  CompileStats stats;
  for (const FunctionBody& body : module.bodies) stats.code_section_bytes += body.size;
  stats.machine_code_bytes = total;
  stats.threads = threads;
  stats.seconds = monotonic_seconds() - start;
  if (tiers.size() > 1) {
    stats.declined_functions = declined;
    stats.first_tier_functions = n - declined;
  }
  CompiledModule compiled(std::move(code), std::move(locations), std::move(traps),
                          module.num_imported_funcs, stats);
  compiled.set_handlers(std::move(handlers));
  return compiled;
}

inline Result<CompiledModule> compile_module(const ModuleInfo& module,
                                             const CompileOptions& options,
                                             const CompilerTier& tier, unsigned threads = 0) {
  const CompilerTier* tiers[] = {&tier};
  return compile_module(module, options, tiers, threads);
}

}  // namespace wasm::detail::jit
