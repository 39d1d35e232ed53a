// The runtime through the public API: instantiation order, lazy funcref tables, guard-page
// traps and growth.
#include <catch2/catch.hpp>

#include <wasm.hpp>

#include "test_modules.hpp"

namespace {
// The raw slot word of a table element, as JIT code sees it (0 = not initialised yet).
uintptr_t raw_slot(wasm::Store<>& store, const wasm::Table& table, uint32_t index) {
  const auto* def = store.inner().tables[table.index()]->definition();
  return static_cast<const uintptr_t*>(def->base)[index];
}
}  // namespace

TEST_CASE("instantiation applies elements, then data, then start; a failure keeps earlier writes", "[runtime]") {
  wasm::Engine engine;
  wasm::Store<> store(engine);
  auto table = wasm::Table::create(store, wasm::TableType{wasm::ValType::FuncRef, wasm::Limits{4, {}}});
  auto memory = wasm::Memory::create(store, wasm::MemoryType{wasm::Limits{1, {}}});
  REQUIRE(table);
  REQUIRE(memory);
  int started = 0;
  wasm::Linker<> linker(engine);
  linker.define("env", "table", *table);
  linker.define("env", "memory", *memory);
  linker.func_wrap("env", "started", [&started]() { ++started; });
  auto module = wasm::Module::compile(engine, load_test_module("instantiation_order"));
  REQUIRE(module);
  auto instance = linker.instantiate(store, *module);
  REQUIRE_FALSE(instance);
  CHECK(instance.error().kind() == wasm::ErrorKind::Instantiate);
  CHECK_THAT(instance.error().message(), Catch::Contains("out of bounds memory access"));
  // The element segment's writes into the shared table stay, as do the first data segment's.
  CHECK_FALSE(table->get(store, 0)->funcref());
  CHECK(table->get(store, 1)->funcref());
  CHECK(table->get(store, 2)->funcref());
  CHECK(memory->data(store)[0] == 'o');
  CHECK(memory->data(store)[1] == 'k');
  // The failing segment wrote nothing, and the start function never ran.
  CHECK(memory->data(store)[65535] == 0);
  CHECK(started == 0);
}

TEST_CASE("funcref tables are initialised lazily, on first use", "[runtime]") {
  wasm::Engine engine;
  wasm::Store<> store(engine);
  wasm::Linker<> linker(engine);
  auto instance = linker.instantiate(store, *wasm::Module::compile(engine, load_test_module("lazy_table")));
  REQUIRE(instance);
  std::optional<wasm::Table> table = instance->get_table(store, "table");
  REQUIRE(table);
  // Nothing resolved yet: every slot still holds 0.
  for (uint32_t i = 0; i < 8; ++i) CHECK(raw_slot(store, *table, i) == 0);

  auto call = instance->get_typed_func<int32_t, int32_t>(store, "call");
  CHECK(call->call(store, 3).value() == 9);
  // call_indirect initialised exactly the slot it used, tagged with the init bit.
  CHECK(raw_slot(store, *table, 2) == 0);
  CHECK((raw_slot(store, *table, 3) & 1) == 1);
  CHECK((raw_slot(store, *table, 3) & ~uintptr_t(1)) != 0);
  // A slot no segment wrote becomes an initialised null: calling it traps.
  auto null_call = call->call(store, 5);
  REQUIRE_FALSE(null_call);
  CHECK(null_call.error().trap_code() == wasm::TrapCode::IndirectCallToNull);
  CHECK(raw_slot(store, *table, 5) == 1);
  // Reading through the API resolves the same way.
  CHECK(table->get(store, 2)->funcref());
  CHECK(call->call(store, 2).value() == 7);
  auto oob = call->call(store, 8);
  REQUIRE_FALSE(oob);
  CHECK(oob.error().trap_code() == wasm::TrapCode::TableOutOfBounds);
}

TEST_CASE("accesses past the end of memory trap through the guard pages, until it grows", "[runtime]") {
  wasm::Engine engine;
  wasm::Store<> store(engine);
  wasm::Linker<> linker(engine);
  auto instance = linker.instantiate(store, *wasm::Module::compile(engine, load_test_module("lazy_table")));
  REQUIRE(instance);
  auto load = instance->get_typed_func<int32_t, int32_t>(store, "load");
  auto grow = instance->get_typed_func<int32_t, int32_t>(store, "grow");
  CHECK(load->call(store, 65532).value() == 0);
  for (int32_t address : {65533, 65536, 1 << 20, -1}) {
    auto r = load->call(store, address);
    REQUIRE_FALSE(r);
    CHECK(r.error().trap_code() == wasm::TrapCode::MemoryOutOfBounds);
  }
  CHECK(grow->call(store, 1).value() == 1);
  CHECK(load->call(store, 65536).value() == 0);
  auto past = load->call(store, 131069);
  REQUIRE_FALSE(past);
  CHECK(past.error().trap_code() == wasm::TrapCode::MemoryOutOfBounds);
}

TEST_CASE("the same code runs with explicit bounds checks", "[runtime]") {
  wasm::Config config;
  config.bounds_checks(wasm::BoundsChecks::Explicit);
  wasm::Engine engine(config);
  wasm::Store<> store(engine);
  wasm::Linker<> linker(engine);
  auto instance = linker.instantiate(store, *wasm::Module::compile(engine, load_test_module("lazy_table")));
  REQUIRE(instance);
  auto load = instance->get_typed_func<int32_t, int32_t>(store, "load");
  auto grow = instance->get_typed_func<int32_t, int32_t>(store, "grow");
  CHECK(load->call(store, 65532).value() == 0);
  CHECK(load->call(store, 65533).error().trap_code() == wasm::TrapCode::MemoryOutOfBounds);
  CHECK(grow->call(store, 2).value() == 1);
  CHECK(load->call(store, 3 * 65536 - 4).value() == 0);
  CHECK(load->call(store, 3 * 65536 - 3).error().trap_code() == wasm::TrapCode::MemoryOutOfBounds);
}
