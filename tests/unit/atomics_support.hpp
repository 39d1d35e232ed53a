#pragma once
// Shared by the atomics tests: an engine with the threads proposal on, and one instance per
// store over a SharedMemory imported as "env" "mem".
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <wasm.hpp>

namespace wasm::test {

inline Engine threads_engine(BoundsChecks mode = BoundsChecks::GuardPages) {
  Config c;
  Features f;
  f.threads = true;
  c.wasm_features(f);
  c.bounds_checks(mode);
  return Engine(c);
}

inline MemoryType shared_type(uint64_t min, uint64_t max) {
  MemoryType t;
  t.limits.min = min;
  t.limits.max = max;
  t.limits.shared = true;
  return t;
}

// One store with one instance of `module`, its "env" "mem" import bound to `shared`.
struct SharedInstance {
  Store<int> store;
  Instance instance;

  SharedInstance(const Engine& engine, const Module& module, const SharedMemory& shared)
      : store(engine, 0) {
    Linker<int> linker(engine);
    auto mem = shared.memory(store);
    REQUIRE(mem);
    REQUIRE(linker.define("env", "mem", *mem));
    auto inst = linker.instantiate(store, module);
    REQUIRE(inst);
    instance = *inst;
  }

  template <typename R, typename... Args>
  Result<R> call(const char* name, Args... args) {
    auto f = instance.get_typed_func<std::tuple<Args...>, R>(store, name);
    if (!f) return std::move(f).error();
    return f->call(store, args...);
  }
};

}  // namespace wasm::test
