// 64-bit tables (table64, part of memory64): i64 indices, sizes and lengths through the JIT.
// An index of 2^32 or more must trap, never wrap onto a valid slot; table.grow past the maximum
// gives -1 as an i64; imports match only tables of the same index type; the optimizing tier
// leaves functions that use such a table to the baseline. Each run case runs with both
// compile strategies.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <tuple>

#include <wasm.hpp>

#include "feature_instance.hpp"
#include "opt_tier_probe.hpp"

namespace {

using wasm::ErrorKind;
using wasm::TrapCode;

wasm::Features table64_features() {
  wasm::Features f;
  f.memory64 = true;
  f.tail_call = true;
  return f;
}

wasm::Engine table64_engine(wasm::Strategy strategy) {
  return wasm::Engine(wasm::test::WatInstance::config(table64_features(), strategy));
}

// $t: i64 table of 4 (max 8) with slot 0 = $forty_two; $s: i32 table of 2 (max 3).
constexpr const char* kModule = R"((module
  (type $r (func (result i32)))
  (func $forty_two (type $r) (i32.const 42))
  (table $t (export "t") i64 4 8 funcref)
  (table $s i32 2 3 funcref)
  (elem (table $t) (i64.const 0) func $forty_two)
  (func (export "is_null") (param i64) (result i32) (ref.is_null (table.get $t (local.get 0))))
  (func (export "set") (param i64) (table.set $t (local.get 0) (ref.func $forty_two)))
  (func (export "size") (result i64) (table.size $t))
  (func (export "grow") (param i64) (result i64) (table.grow $t (ref.null func) (local.get 0)))
  (func (export "grow32") (param i32) (result i32) (table.grow $s (ref.null func) (local.get 0)))
  (func (export "fill") (param i64 i64) (table.fill $t (local.get 0) (ref.func $forty_two) (local.get 1)))
  (func (export "call") (param i64) (result i32) (call_indirect $t (type $r) (local.get 0)))
  (func (export "call_const") (result i32) (call_indirect $t (type $r) (i64.const 0x1_0000_0000)))
  (func (export "tail") (param i64) (result i32) (return_call_indirect $t (type $r) (local.get 0)))
  ;; i64 table to i32 table: the source index is an i64, the destination index and length i32
  (func (export "copy_to32") (param i32 i64 i32) (table.copy $s $t (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy_from32") (param i64 i32 i32) (table.copy $t $s (local.get 0) (local.get 1) (local.get 2)))
))";

struct Table64Instance : wasm::test::WatInstance {
  explicit Table64Instance(wasm::Strategy strategy)
      : WatInstance(kModule, table64_features(), strategy) {}
};

bool traps_out_of_bounds(const wasm::Error& e) {
  return e.kind() == ErrorKind::Trap && e.trap_code() == TrapCode::TableOutOfBounds;
}

// Indices that a 32-bit truncation would turn into slot 0 or 1, valid slots of the table.
constexpr uint64_t kWrappingIndices[] = {uint64_t(1) << 32, (uint64_t(1) << 32) + 1,
                                         uint64_t(1) << 63, ~uint64_t(0) - 0xFFFFFFFEull,
                                         ~uint64_t(0)};

}  // namespace

TEST_CASE("table64: in-bounds indices reach their slots", "[table64]") {
  auto strategy = GENERATE(wasm::Strategy::Baseline, wasm::Strategy::Optimized);
  Table64Instance t(strategy);
  CHECK(t.call<int64_t>("size").value() == 4);
  CHECK(t.call<int32_t>("call", int64_t(0)).value() == 42);
  CHECK(t.call<int32_t>("tail", int64_t(0)).value() == 42);
  CHECK(t.call<int32_t>("is_null", int64_t(0)).value() == 0);
  CHECK(t.call<int32_t>("is_null", int64_t(3)).value() == 1);
  REQUIRE(t.call<void>("set", int64_t(3)));
  CHECK(t.call<int32_t>("call", int64_t(3)).value() == 42);
  REQUIRE(t.call<void>("fill", int64_t(1), int64_t(2)));
  CHECK(t.call<int32_t>("call", int64_t(2)).value() == 42);
}

TEST_CASE("table64: an index of 2^32 or more traps instead of wrapping", "[table64]") {
  auto strategy = GENERATE(wasm::Strategy::Baseline, wasm::Strategy::Optimized);
  Table64Instance t(strategy);
  for (uint64_t index : kWrappingIndices) {
    INFO("index " << index);
    const int64_t i = int64_t(index);
    auto get = t.call<int32_t>("is_null", i);
    REQUIRE(!get);
    CHECK(traps_out_of_bounds(get.error()));
    auto set = t.call<void>("set", i);
    REQUIRE(!set);
    CHECK(traps_out_of_bounds(set.error()));
    auto call = t.call<int32_t>("call", i);
    REQUIRE(!call);
    CHECK(traps_out_of_bounds(call.error()));
    auto tail = t.call<int32_t>("tail", i);
    REQUIRE(!tail);
    CHECK(traps_out_of_bounds(tail.error()));
    auto fill_at = t.call<void>("fill", i, int64_t(0));
    REQUIRE(!fill_at);
    CHECK(traps_out_of_bounds(fill_at.error()));
    auto copy = t.call<void>("copy_to32", int32_t(0), i, int32_t(1));
    REQUIRE(!copy);
    CHECK(traps_out_of_bounds(copy.error()));
  }
  auto call_const = t.call<int32_t>("call_const");
  REQUIRE(!call_const);
  CHECK(traps_out_of_bounds(call_const.error()));
  // A length that wraps to 1 in 32 bits.
  auto fill_len = t.call<void>("fill", int64_t(0), int64_t((uint64_t(1) << 32) + 1));
  REQUIRE(!fill_len);
  CHECK(traps_out_of_bounds(fill_len.error()));
  // Nothing was written by the trapping calls: slot 1 is still null.
  CHECK(t.call<int32_t>("is_null", int64_t(1)).value() == 1);
}

TEST_CASE("table64: table.grow gives the old size, or -1 as an i64 past the maximum", "[table64]") {
  auto strategy = GENERATE(wasm::Strategy::Baseline, wasm::Strategy::Optimized);
  Table64Instance t(strategy);
  CHECK(t.call<int64_t>("grow", int64_t(0)).value() == 4);
  CHECK(t.call<int64_t>("grow", int64_t(5)).value() == -1);  // 9 > max 8
  CHECK(t.call<int64_t>("grow", int64_t(uint64_t(1) << 32)).value() == -1);
  CHECK(t.call<int64_t>("grow", int64_t(-1)).value() == -1);
  CHECK(t.call<int64_t>("size").value() == 4);
  CHECK(t.call<int64_t>("grow", int64_t(4)).value() == 4);
  CHECK(t.call<int64_t>("size").value() == 8);
  CHECK(t.call<int64_t>("grow", int64_t(1)).value() == -1);
  // The new slots hold the init value (null) and are in bounds now.
  CHECK(t.call<int32_t>("is_null", int64_t(7)).value() == 1);
  // An i32 table's failure is -1 as an i32.
  CHECK(t.call<int32_t>("grow32", int32_t(1)).value() == 2);
  CHECK(t.call<int32_t>("grow32", int32_t(1)).value() == -1);
  CHECK(t.call<int32_t>("grow32", int32_t(-1)).value() == -1);
}

TEST_CASE("table64: table.copy between an i64 and an i32 table", "[table64]") {
  auto strategy = GENERATE(wasm::Strategy::Baseline, wasm::Strategy::Optimized);
  Table64Instance t(strategy);
  REQUIRE(t.call<void>("copy_to32", int32_t(1), int64_t(0), int32_t(1)));  // $s[1] = $t[0]
  REQUIRE(t.call<void>("copy_from32", int64_t(2), int32_t(1), int32_t(1)));  // $t[2] = $s[1]
  CHECK(t.call<int32_t>("call", int64_t(2)).value() == 42);
  auto past = t.call<void>("copy_from32", int64_t(3), int32_t(0), int32_t(2));  // 3 + 2 > 4
  REQUIRE(!past);
  CHECK(traps_out_of_bounds(past.error()));
}

TEST_CASE("table64: imports match only tables of the same index type", "[table64]") {
  wasm::Engine engine = table64_engine(wasm::Strategy::Baseline);
  wasm::Store<int> store(engine, 0);
  auto t64 = wasm::Table::create(store, wasm::TableType{wasm::ValType::FuncRef, wasm::Limits{2, 4}, true});
  auto t32 = wasm::Table::create(store, wasm::TableType{wasm::ValType::FuncRef, wasm::Limits{2, 4}});
  REQUIRE(t64);
  REQUIRE(t32);
  CHECK(t64->type(store).value().is64);
  auto link = [&](const wasm::Table& table, const char* import) {
    auto module = wasm::Module::from_wat(engine, std::string("(module (import \"env\" \"t\" ") + import + "))");
    REQUIRE(module);
    wasm::Linker<int> linker(engine);
    REQUIRE(linker.define("env", "t", table));
    return linker.instantiate(store, *module);
  };
  CHECK(link(*t64, "(table i64 2 funcref)"));
  CHECK(link(*t32, "(table 2 funcref)"));
  auto mixed = link(*t64, "(table 2 funcref)");
  REQUIRE(!mixed);
  CHECK(mixed.error().kind() == ErrorKind::Link);
  auto mixed2 = link(*t32, "(table i64 2 funcref)");
  REQUIRE(!mixed2);
  CHECK(mixed2.error().kind() == ErrorKind::Link);
}

TEST_CASE("table64: validation gives indices the table's type", "[table64]") {
  wasm::Engine engine = table64_engine(wasm::Strategy::Baseline);
  auto invalid = [&](const char* body) {
    std::string text = std::string("(module (table $t i64 1 funcref) (table $s 1 funcref) ") + body + ")";
    auto m = wasm::Module::from_wat(engine, text);
    INFO(text);
    REQUIRE(!m);
    CHECK(m.error().kind() == ErrorKind::Validate);
  };
  invalid("(func (drop (table.get $t (i32.const 0))))");
  invalid("(func (result i32) (table.size $t))");
  invalid("(func (result i32) (table.grow $t (ref.null func) (i64.const 1)))");
  invalid("(func (table.copy $t $s (i64.const 0) (i32.const 0) (i64.const 0)))");  // length: i32
  invalid("(elem (table $t) (i32.const 0) func)");
  invalid("(type $v (func)) (func (call_indirect $t (type $v) (i32.const 0)))");
  // Limits: min <= max, an i32 table at most 2^32-1; an i64 table may declare up to 2^64-1.
  CHECK(!wasm::Module::from_wat(engine, "(module (table i64 2 1 funcref))"));
  CHECK(!wasm::Module::from_wat(engine, "(module (table 0 0x1_0000_0000 funcref))"));
  CHECK(wasm::Module::from_wat(engine, "(module (table i64 0 0xffff_ffff_ffff_ffff funcref))"));
  // Without memory64 the 64-bit flag is malformed.
  wasm::Engine plain;
  auto off = wasm::Module::from_wat(plain, "(module (table i64 1 funcref))");
  REQUIRE(!off);
  CHECK(off.error().kind() == ErrorKind::Decode);
}

TEST_CASE("table64: a table too large to allocate is an instantiation error", "[table64]") {
  wasm::Engine engine = table64_engine(wasm::Strategy::Baseline);
  wasm::Store<int> store(engine, 0);
  auto module = wasm::Module::from_wat(engine, "(module (table i64 0x1_0000_0000_0000 funcref))");
  REQUIRE(module);
  wasm::Linker<int> linker(engine);
  auto inst = linker.instantiate(store, *module);
  REQUIRE(!inst);
  CHECK(inst.error().kind() == ErrorKind::Resource);
}

TEST_CASE("table64: the optimizing tier leaves functions that use an i64 table to the baseline",
          "[table64]") {
  wasm::Features f;
  f.memory64 = true;
  constexpr const char* kTables = R"((module
    (type $v (func))
    (table $t i64 1 funcref)
    (table $s 1 funcref)
    (func (result i64) (table.size $t))
    (func (result i32) (table.size $s))
    (func (param i64) (call_indirect $t (type $v) (local.get 0)))
    (func (param i32) (call_indirect $s (type $v) (local.get 0)))
    (func (table.copy $s $t (i32.const 0) (i64.const 0) (i32.const 0)))
  ))";
  CHECK_FALSE(wasm::test::optimizing_tier_accepts(kTables, f, 0));
  CHECK(wasm::test::optimizing_tier_accepts(kTables, f, 1));
  CHECK_FALSE(wasm::test::optimizing_tier_accepts(kTables, f, 2));
  CHECK(wasm::test::optimizing_tier_accepts(kTables, f, 3));
  CHECK_FALSE(wasm::test::optimizing_tier_accepts(kTables, f, 4));
}
