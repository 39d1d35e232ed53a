// Baseline JIT: direct, imported and indirect calls (with every call_indirect trap), many
// parameters and results, recursion and stack exhaustion, globals, cross-instance imports.
#include <catch2/catch.hpp>

#include "jit_modules.hpp"
#include "jit_test_harness.hpp"

using namespace wasm::test::jit;
using wasm::TrapCode;

namespace {

int32_t host_add_one(VMContext*, VMContext*, int32_t x) { return x + 1; }

JitInstance::ImportDef host(const void* fn) {
  JitInstance::ImportDef d;
  d.host = fn;
  return d;
}

}  // namespace

TEST_CASE("jit calls: call_indirect succeeds and traps", "[jit]") {
  JitInstance inst(modules::calls, {}, {host(reinterpret_cast<const void*>(&host_add_one))});
  REQUIRE(inst.ok());
  CHECK(inst.call<int32_t>("call_indirect", 0, 21).value == 42);
  CHECK(inst.call<int32_t>("call_indirect", 1, 9).value == 81);
  CHECK(inst.call<int32_t>("call_indirect", 3, 9).value == 10);  // a host function in a table
  auto sig = inst.call<int32_t>("call_indirect", 2, 1);
  REQUIRE(sig.trapped());
  CHECK(*sig.trap == TrapCode::BadSignature);
  auto null = inst.call<int32_t>("call_indirect", 5, 1);
  REQUIRE(null.trapped());
  CHECK(*null.trap == TrapCode::IndirectCallToNull);
  auto oob = inst.call<int32_t>("call_indirect", 8, 1);
  REQUIRE(oob.trapped());
  CHECK(*oob.trap == TrapCode::TableOutOfBounds);
  auto oob_neg = inst.call<int32_t>("call_indirect", -1, 1);
  REQUIRE(oob_neg.trapped());
  CHECK(*oob_neg.trap == TrapCode::TableOutOfBounds);
  CHECK(inst.call<int32_t>("call_indirect_t2", 1, 5).value == 25);
  auto null2 = inst.call<int32_t>("call_indirect_t2", 0, 5);
  REQUIRE(null2.trapped());
  CHECK(*null2.trap == TrapCode::IndirectCallToNull);
}

TEST_CASE("jit calls: references and table instructions", "[jit]") {
  JitInstance inst(modules::calls, {}, {host(reinterpret_cast<const void*>(&host_add_one))});
  REQUIRE(inst.ok());
  CHECK(inst.call<int32_t>("ref_func_is_null").value == 0);
  CHECK(inst.call<int32_t>("null_is_null").value == 1);
  CHECK(inst.call<int32_t>("table_set_get", 6).value == 49);
  CHECK(inst.call<int32_t>("table_size").value == 8);
  CHECK(inst.call<int32_t>("table_grow", 2).value == 8);
  CHECK(inst.call<int32_t>("table_size").value == 10);
  CHECK(inst.call<int32_t>("table_get_null", 9).value == 1);
  CHECK(inst.call<int32_t>("table_get_null", 0).value == 0);
  auto oob = inst.call<int32_t>("table_get_null", 10);
  REQUIRE(oob.trapped());
  CHECK(*oob.trap == TrapCode::TableOutOfBounds);
}

TEST_CASE("jit calls: arguments on the stack, several results, host imports", "[jit]") {
  JitInstance inst(modules::calls, {}, {host(reinterpret_cast<const void*>(&host_add_one))});
  REQUIRE(inst.ok());
  CHECK(inst.call<int64_t>("call_many").value == 36);
  CHECK(inst.call<int32_t>("call_multi").value == 1023);  // ((1 * 100) + 2) * 10 + 3
  CHECK(inst.call<int32_t>("call_host", 41).value == 42);
  CHECK(inst.call<int32_t>("live_across_call", 4).value == 4 + 49 + 7);
}

TEST_CASE("jit calls: recursion and stack exhaustion", "[jit]") {
  JitInstance inst(modules::calls, {}, {host(reinterpret_cast<const void*>(&host_add_one))});
  REQUIRE(inst.ok());
  CHECK(inst.call<int32_t>("recurse", 1000).value == 1000);
  auto r = inst.call<void>("infinite");
  REQUIRE(r.trapped());
  CHECK(*r.trap == TrapCode::StackOverflow);
  // The thread survives and can call again.
  CHECK(inst.call<int32_t>("recurse", 10).value == 10);
}

TEST_CASE("jit globals: defined and imported", "[jit]") {
  JitInstance exporter(modules::exporter);
  REQUIRE(exporter.ok());
  JitInstance::ImportDef g;
  g.from = &exporter;
  g.index = 0;
  JitInstance inst(modules::globals, {}, {g});
  REQUIRE(inst.ok());
  CHECK(inst.call<int32_t>("get32").value == 7);
  inst.call<void>("set32", -5);
  CHECK(inst.call<int32_t>("get32").value == -5);
  CHECK(inst.call<int64_t>("inc64").value == 0x100000001);
  CHECK(inst.call<int64_t>("inc64").value == 0x100000002);
  CHECK(inst.call<double>("getf").value == 1.5);
  inst.call<void>("setf", 4.25);
  CHECK(inst.call<double>("getf").value == 4.25);
  CHECK(inst.call<int32_t>("get_const").value == 99);
  CHECK(inst.call<int32_t>("get_imported").value == 42);
  inst.call<void>("set_imported", 43);
  CHECK(exporter.global(0).get<int32_t>() == 43);
  inst.call<void>("set_imported_const");
  CHECK(inst.call<int32_t>("get_imported").value == 1234);
}

TEST_CASE("jit calls: imported functions, memories and tables of another instance", "[jit]") {
  auto mode = GENERATE(wasm::BoundsChecks::GuardPages, wasm::BoundsChecks::Explicit);
  CompileOptions options;
  options.bounds_checks = mode;
  JitInstance exporter(modules::exporter, options);
  REQUIRE(exporter.ok());
  auto from = [&](uint32_t index) {
    JitInstance::ImportDef d;
    d.from = &exporter;
    d.index = index;
    return d;
  };
  JitInstance inst(modules::importer, options, {from(0), from(0), from(0)});
  REQUIRE(inst.ok());
  CHECK(inst.call<int32_t>("call_triple", 5).value == 15);
  inst.call<void>("poke", 16, 0x5150);
  CHECK(exporter.call<int32_t>("peek", 16).value == 0x5150);
  CHECK(inst.call<int32_t>("size").value == 1);
  CHECK(inst.call<int32_t>("grow", 1).value == 1);
  CHECK(exporter.call<int32_t>("peek", 65536 + 8).value == 0);
  CHECK(inst.call<int32_t>("indirect", 2, 7).value == 21);
  auto null = inst.call<int32_t>("indirect", 1, 7);
  REQUIRE(null.trapped());
  CHECK(*null.trap == TrapCode::IndirectCallToNull);
}
