// Regression tests for JIT bugs found by differential testing (tests/differential).
#include <catch2/catch.hpp>

#include <wasm.hpp>

#include "test_modules.hpp"

TEST_CASE("select with a constant condition keeps a stack-slot operand's value", "[jit][regression]") {
  wasm::Engine engine;
  wasm::Store<> store(engine);
  wasm::Linker<> linker(engine);
  auto module = wasm::Module::compile(engine, load_test_module("regress_select_const_cond"));
  REQUIRE(module);
  auto instance = linker.instantiate(store, *module);
  REQUIRE(instance);
  auto f = instance->get_typed_func<int32_t, int32_t>(store, "f");
  REQUIRE(f);
  CHECK(f->call(store, 0).value() == 7);
  CHECK(f->call(store, 1).value() == 7);
}
