#pragma once
// One instance of a test module (wat/NAME.wat) in an engine with some proposals enabled, and
// untyped calls of its exports by name: for the tests of post-2.0 features.
#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include <wasm.hpp>

#include "test_modules.hpp"

namespace wasm::test {

struct FeatureInstance {
  wasm::Engine engine;
  wasm::Store<int> store;
  wasm::Instance instance;

  static wasm::Config config(const wasm::Features& features) {
    wasm::Config c;
    c.wasm_features(features);
    return c;
  }

  // `define` adds the module's imports to the linker.
  FeatureInstance(const std::string& module_name, const wasm::Features& features,
                  const std::function<void(wasm::Linker<int>&)>& define = {})
      : engine(config(features)), store(engine, 0) {
    wasm::Linker<int> linker(engine);
    if (define) define(linker);
    auto module = wasm::Module::compile(engine, load_test_module(module_name));
    REQUIRE(module);
    auto inst = linker.instantiate(store, *module);
    REQUIRE(inst);
    instance = *inst;
  }

  wasm::Result<std::vector<wasm::Val>> call(const std::string& name, std::vector<wasm::Val> args,
                                            size_t results) {
    auto f = instance.get_func(store, name);
    REQUIRE(f);
    std::vector<wasm::Val> out(results);
    auto r = f->call(store, args, out);
    if (!r) return std::move(r).error();
    return out;
  }

  // The trap of a call that must trap (a test failure if it does not).
  std::optional<wasm::TrapCode> trap_of(const std::string& name, std::vector<wasm::Val> args,
                                        size_t results) {
    auto r = call(name, std::move(args), results);
    if (r) return std::nullopt;
    return r.error().trap_code();
  }
};

// One instance of a module given in the text format, compiled with `strategy`, and typed calls of
// its exports: for the tests that run each case in both compiler tiers.
struct WatInstance {
  wasm::Engine engine;
  wasm::Store<int> store;
  wasm::Instance instance;

  static wasm::Config config(const wasm::Features& features, wasm::Strategy strategy) {
    wasm::Config c;
    c.wasm_features(features);
    c.strategy(strategy);
    return c;
  }

  WatInstance(const char* wat, const wasm::Features& features, wasm::Strategy strategy)
      : engine(config(features, strategy)), store(engine, 0) {
    auto module = wasm::Module::from_wat(engine, wat);
    REQUIRE(module);
    wasm::Linker<int> linker(engine);
    auto inst = linker.instantiate(store, *module);
    REQUIRE(inst);
    instance = *inst;
  }

  template <typename R, typename... Args>
  wasm::Result<R> call(const char* name, Args... args) {
    auto f = instance.get_typed_func<std::tuple<Args...>, R>(store, name);
    REQUIRE(f);
    return f->call(store, args...);
  }
};

}  // namespace wasm::test
