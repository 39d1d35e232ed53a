// Baseline JIT under pressure: more live values than registers, deep nesting, huge
// br_tables, many parameters and results, traps in many positions, fuel and epochs.
// Modules are generated with the test ModuleBuilder.
#include <catch2/catch.hpp>

#include <cstring>

#include "jit_test_harness.hpp"
#include "test_module_builder.hpp"

using namespace wasm::test;
using namespace wasm::test::jit;
using wasm::ValType;
using wasm::detail::Op;

namespace {

Bytes local_get(uint32_t i) { return cat({op(Op::LocalGet), uleb(i)}); }
Bytes local_set(uint32_t i) { return cat({op(Op::LocalSet), uleb(i)}); }
Bytes with_op(Op o, uint32_t imm) { return cat({op(o), uleb(imm)}); }
void append(Bytes& to, const Bytes& b) { to.insert(to.end(), b.begin(), b.end()); }

}  // namespace

TEST_CASE("jit stress: more live values than registers", "[jit]") {
  constexpr uint32_t kLocals = 64;
  ModuleBuilder b;
  uint32_t t = b.type({ValType::I64}, {ValType::I64});
  Bytes code;
  // local i = param * (i + 1)
  for (uint32_t i = 1; i <= kLocals; ++i) {
    append(code, cat({local_get(0), i64_const(i + 1), op(Op::I64Mul), local_set(i)}));
  }
  // Push every local, plus a computed value between each, then fold with adds and xors.
  for (uint32_t i = 1; i <= kLocals; ++i) {
    append(code, local_get(i));
    append(code, cat({local_get(i), i64_const(3), op(Op::I64Sub)}));
  }
  for (uint32_t i = 0; i < 2 * kLocals - 1; ++i) append(code, op(i % 2 ? Op::I64Xor : Op::I64Add));
  append(code, end());
  b.func(t, code, {{kLocals, ValType::I64}});
  b.export_("f", wasm::ExternKind::Func, 0);
  Bytes wasm = b.build();

  auto expected = [&](int64_t p) {
    std::vector<int64_t> stack;
    for (uint32_t i = 1; i <= kLocals; ++i) {
      stack.push_back(p * (i + 1));
      stack.push_back(p * (i + 1) - 3);
    }
    for (uint32_t i = 0; i < 2 * kLocals - 1; ++i) {
      int64_t r = stack.back();
      stack.pop_back();
      int64_t l = stack.back();
      stack.pop_back();
      stack.push_back(i % 2 ? (l ^ r) : (l + r));
    }
    return stack.back();
  };
  JitInstance inst(wasm);
  REQUIRE(inst.ok());
  CHECK(inst.call<int64_t>("f", int64_t(7)).value == expected(7));
  CHECK(inst.call<int64_t>("f", int64_t(-123456789)).value == expected(-123456789));
}

TEST_CASE("jit stress: live values across loops, branches and calls", "[jit]") {
  // sum over k of (a0 + ... + a11) computed with 12 values live across a loop and a call.
  constexpr uint32_t kLive = 12;
  ModuleBuilder b;
  uint32_t tid = b.type({ValType::I32}, {ValType::I32});
  uint32_t t = b.type({ValType::I32}, {ValType::I32});
  b.func(tid, cat({local_get(0), end()}));  // identity, to force spills around a call
  Bytes code;
  const uint32_t counter = 0, acc = 1, first = 2;
  for (uint32_t i = 0; i < kLive; ++i) append(code, cat({i32_const(int32_t(i * 10)), local_set(first + i)}));
  append(code, cat({op(Op::Block), {0x40}, op(Op::Loop), {0x40}}));
  append(code, cat({local_get(counter), op(Op::I32Eqz), with_op(Op::BrIf, 1)}));
  for (uint32_t i = 0; i < kLive; ++i) append(code, local_get(first + i));
  append(code, cat({local_get(counter), with_op(Op::Call, 0)}));
  for (uint32_t i = 0; i < kLive; ++i) append(code, op(Op::I32Add));
  append(code, cat({local_get(acc), op(Op::I32Add), local_set(acc)}));
  // Permute the locals so the back edge has real moves.
  for (uint32_t i = 0; i < kLive; ++i) append(code, local_get(first + i));
  for (uint32_t i = 0; i < kLive; ++i) append(code, local_set(first + (i + 1) % kLive));
  append(code, cat({local_get(counter), i32_const(1), op(Op::I32Sub), local_set(counter)}));
  append(code, cat({with_op(Op::Br, 0), end(), end(), local_get(acc), end()}));
  b.func(t, code, {{1 + kLive, ValType::I32}});
  b.export_("f", wasm::ExternKind::Func, 1);
  JitInstance inst(b.build());
  REQUIRE(inst.ok());
  // Each iteration adds counter + sum(0..11)*10 (a permutation keeps the sum).
  int32_t n = 50;
  int32_t expected = n * (n + 1) / 2 + n * 660;
  CHECK(inst.call<int32_t>("f", n).value == expected);
}

TEST_CASE("jit stress: deep block nesting", "[jit]") {
  constexpr uint32_t kDepth = 1500;
  ModuleBuilder b;
  uint32_t t = b.type({ValType::I32}, {ValType::I32});
  Bytes code;
  for (uint32_t i = 0; i < kDepth; ++i) append(code, cat({op(Op::Block), {uint8_t(ValType::Kind::I32)}}));
  // Innermost: branch out of everything with a value when the param is set.
  append(code, cat({i32_const(77), local_get(0), with_op(Op::BrIf, kDepth - 1)}));
  for (uint32_t i = 0; i < kDepth; ++i) append(code, cat({i32_const(1), op(Op::I32Add), end()}));
  append(code, end());
  b.func(t, code);
  // Nested ifs.
  Bytes ifs;
  for (uint32_t i = 0; i < kDepth; ++i) {
    append(ifs, cat({local_get(0), i32_const(int32_t(i)), op(Op::I32GtS), op(Op::If), {uint8_t(ValType::Kind::I32)}}));
  }
  append(ifs, i32_const(int32_t(kDepth)));
  for (uint32_t i = kDepth; i-- > 0;) append(ifs, cat({op(Op::Else), i32_const(int32_t(i)), end()}));
  append(ifs, end());
  b.func(t, ifs);
  b.export_("blocks", wasm::ExternKind::Func, 0);
  b.export_("ifs", wasm::ExternKind::Func, 1);
  JitInstance inst(b.build());
  REQUIRE(inst.ok());
  CHECK(inst.call<int32_t>("blocks", 1).value == 77);
  CHECK(inst.call<int32_t>("blocks", 0).value == 77 + int32_t(kDepth));
  CHECK(inst.call<int32_t>("ifs", 0).value == 0);
  CHECK(inst.call<int32_t>("ifs", 700).value == 700);
  CHECK(inst.call<int32_t>("ifs", 100000).value == int32_t(kDepth));
}

TEST_CASE("jit stress: huge br_table", "[jit]") {
  constexpr uint32_t kBlocks = 40, kEntries = 20000;
  ModuleBuilder b;
  uint32_t t = b.type({ValType::I32}, {ValType::I32});
  // block_0 ... block_39 (innermost last); entry i targets depth i % 40; after block d ends,
  // return d * 3 + 1.
  Bytes code;
  for (uint32_t i = 0; i < kBlocks; ++i) append(code, cat({op(Op::Block), {0x40}}));
  append(code, cat({local_get(0), op(Op::BrTable), uleb(kEntries)}));
  for (uint32_t i = 0; i < kEntries; ++i) append(code, uleb(i % kBlocks));
  append(code, uleb(kBlocks - 1));  // default: outermost
  for (uint32_t d = 0; d < kBlocks; ++d) {
    append(code, end());
    append(code, cat({i32_const(int32_t(d * 3 + 1)), op(Op::Return)}));
  }
  append(code, end());
  b.func(t, code);
  b.export_("f", wasm::ExternKind::Func, 0);
  JitInstance inst(b.build());
  REQUIRE(inst.ok());
  for (uint32_t i : {0u, 1u, 39u, 40u, 12345u, kEntries - 1}) {
    CHECK(inst.call<int32_t>("f", int32_t(i)).value == int32_t((i % kBlocks) * 3 + 1));
  }
  CHECK(inst.call<int32_t>("f", int32_t(kEntries)).value == int32_t((kBlocks - 1) * 3 + 1));
  CHECK(inst.call<int32_t>("f", -1).value == int32_t((kBlocks - 1) * 3 + 1));
}

TEST_CASE("jit stress: many parameters and results", "[jit]") {
  // 32 parameters cycling through i32, i64, f32, f64; 24 results: parameter (i * 5) % 32.
  constexpr uint32_t kParams = 32, kResults = 24;
  const ValType cycle[] = {ValType::I32, ValType::I64, ValType::F32, ValType::F64};
  std::vector<ValType> params, results;
  for (uint32_t i = 0; i < kParams; ++i) params.push_back(cycle[i % 4]);
  for (uint32_t i = 0; i < kResults; ++i) results.push_back(params[(i * 5) % kParams]);
  ModuleBuilder b;
  uint32_t callee_t = b.type(params, results);
  uint32_t caller_t = b.type({}, {});
  b.memory(limits(1));
  Bytes callee;
  for (uint32_t i = 0; i < kResults; ++i) append(callee, local_get((i * 5) % kParams));
  append(callee, end());
  b.func(callee_t, callee);
  // Caller: pass constants (parameter i gets value 1000 + i), store every result at 8 * i.
  Bytes caller;
  for (uint32_t i = 0; i < kParams; ++i) {
    switch (params[i]) {
      case ValType::I32: append(caller, i32_const(int32_t(1000 + i))); break;
      case ValType::I64: append(caller, i64_const(int64_t(1000 + i) << 32)); break;
      case ValType::F32: {
        float f = float(1000 + i) + 0.5f;
        uint32_t bits;
        std::memcpy(&bits, &f, 4);
        append(caller, cat({op(Op::F32Const), {uint8_t(bits), uint8_t(bits >> 8), uint8_t(bits >> 16), uint8_t(bits >> 24)}}));
        break;
      }
      default: {
        double d = double(1000 + i) + 0.25;
        uint64_t bits;
        std::memcpy(&bits, &d, 8);
        Bytes enc = op(Op::F64Const);
        for (int k = 0; k < 8; ++k) enc.push_back(uint8_t(bits >> (8 * k)));
        append(caller, enc);
        break;
      }
    }
  }
  append(caller, with_op(Op::Call, 0));
  // Results are on the stack, last on top: store from the last one down via locals.
  uint32_t local_base = 0;
  std::vector<std::pair<uint32_t, ValType>> locals;
  for (uint32_t i = 0; i < kResults; ++i) locals.push_back({1, results[i]});
  for (uint32_t i = kResults; i-- > 0;) append(caller, local_set(local_base + i));
  for (uint32_t i = 0; i < kResults; ++i) {
    Op store = results[i] == ValType::I32 ? Op::I32Store
               : results[i] == ValType::I64 ? Op::I64Store
               : results[i] == ValType::F32 ? Op::F32Store : Op::F64Store;
    append(caller, cat({i32_const(int32_t(8 * i)), local_get(local_base + i), op(store), memarg(0, 0)}));
  }
  append(caller, end());
  b.func(caller_t, caller, locals);
  b.export_("caller", wasm::ExternKind::Func, 1);
  JitInstance inst(b.build());
  REQUIRE(inst.ok());
  REQUIRE(!inst.call<void>("caller").trapped());
  const uint8_t* mem = inst.memory_base();
  for (uint32_t i = 0; i < kResults; ++i) {
    uint32_t p = (i * 5) % kParams;
    INFO("result " << i << " = parameter " << p);
    switch (params[p]) {
      case ValType::I32: {
        int32_t v;
        std::memcpy(&v, mem + 8 * i, 4);
        CHECK(v == int32_t(1000 + p));
        break;
      }
      case ValType::I64: {
        int64_t v;
        std::memcpy(&v, mem + 8 * i, 8);
        CHECK(v == int64_t(1000 + p) << 32);
        break;
      }
      case ValType::F32: {
        float v;
        std::memcpy(&v, mem + 8 * i, 4);
        CHECK(v == float(1000 + p) + 0.5f);
        break;
      }
      default: {
        double v;
        std::memcpy(&v, mem + 8 * i, 8);
        CHECK(v == double(1000 + p) + 0.25);
        break;
      }
    }
  }
}

TEST_CASE("jit stress: traps in many positions", "[jit]") {
  // f(k): depending on k, traps at a different point — inside nested blocks with live values,
  // inside a loop, in a callee, after a call — or returns normally.
  ModuleBuilder b;
  uint32_t t = b.type({ValType::I32}, {ValType::I32});
  b.memory(limits(1));
  // callee: traps with division by zero when its argument is 0
  b.func(t, cat({i32_const(100), local_get(0), op(Op::I32DivU), end()}));
  Bytes code;
  append(code, cat({i32_const(1), i32_const(2), i32_const(3)}));  // live values below
  append(code, cat({op(Op::Block), {0x40}, op(Op::Block), {0x40}}));
  append(code, cat({local_get(0), i32_const(1), op(Op::I32Eq), op(Op::If), {0x40}, op(Op::Unreachable), end()}));
  append(code, cat({local_get(0), i32_const(2), op(Op::I32Eq), op(Op::If), {0x40},
                    i32_const(70000), op(Op::I32Load), memarg(2, 0), op(Op::Drop), end()}));
  append(code, cat({local_get(0), i32_const(3), op(Op::I32Eq), op(Op::If), {0x40},
                    i32_const(0), with_op(Op::Call, 0), op(Op::Drop), end()}));
  // k == 4: loop that traps on the 5th iteration
  append(code, cat({local_get(0), i32_const(4), op(Op::I32Eq), op(Op::If), {0x40},
                    op(Op::Loop), {0x40},
                    i32_const(10), local_get(0), op(Op::I32DivU), op(Op::Drop),
                    local_get(0), i32_const(1), op(Op::I32Sub), local_set(0),
                    with_op(Op::Br, 0), end(), end()}));
  append(code, cat({local_get(0), i32_const(5), op(Op::I32Eq), op(Op::If), {0x40},
                    i32_const(5), with_op(Op::Call, 0), op(Op::Drop),
                    i32_const(1), i32_const(0), op(Op::I32RemS), op(Op::Drop), end()}));
  append(code, cat({end(), end(), op(Op::I32Add), op(Op::I32Add), end()}));
  b.func(t, code);
  b.export_("f", wasm::ExternKind::Func, 1);
  JitInstance inst(b.build());
  REQUIRE(inst.ok());
  auto trap_of = [&](int32_t k) { return inst.call<int32_t>("f", k).trap; };
  CHECK(trap_of(1) == wasm::TrapCode::UnreachableCodeReached);
  CHECK(trap_of(2) == wasm::TrapCode::MemoryOutOfBounds);
  CHECK(trap_of(3) == wasm::TrapCode::IntegerDivisionByZero);
  CHECK(trap_of(4) == wasm::TrapCode::IntegerDivisionByZero);
  CHECK(trap_of(5) == wasm::TrapCode::IntegerDivisionByZero);
  CHECK(inst.call<int32_t>("f", 6).value == 6);
}

TEST_CASE("jit: fuel and epoch interruption", "[jit]") {
  ModuleBuilder b;
  uint32_t t = b.type({ValType::I32}, {ValType::I32});
  // count down from the parameter to zero
  b.func(t, cat({op(Op::Block), {0x40}, op(Op::Loop), {0x40},
                 local_get(0), op(Op::I32Eqz), with_op(Op::BrIf, 1),
                 local_get(0), i32_const(1), op(Op::I32Sub), local_set(0),
                 with_op(Op::Br, 0), end(), end(), local_get(0), end()}));
  b.export_("count", wasm::ExternKind::Func, 0);
  Bytes wasm = b.build();

  SECTION("fuel") {
    CompileOptions o;
    o.consume_fuel = true;
    JitInstance inst(wasm, o);
    REQUIRE(inst.ok());
    inst.store().fuel_consumed = -100000;
    CHECK(!inst.call<int32_t>("count", 100).trapped());
    int64_t used = inst.store().fuel_consumed + 100000;
    CHECK(used > 100 * 8);
    CHECK(used < 100 * 12);
    auto r = inst.call<int32_t>("count", 1000000);
    REQUIRE(r.trapped());
    CHECK(*r.trap == wasm::TrapCode::OutOfFuel);
    CHECK(inst.fuel_calls == 1);
  }
  SECTION("epoch") {
    CompileOptions o;
    o.epoch_interruption = true;
    JitInstance inst(wasm, o);
    REQUIRE(inst.ok());
    std::atomic<uint64_t> epoch{5};
    inst.store().epoch_counter = &epoch;
    inst.store().epoch_deadline = 10;
    CHECK(inst.call<int32_t>("count", 1000).value == 0);
    CHECK(inst.epoch_calls == 0);
    inst.store().epoch_deadline = 5;  // reached: the builtin is called, then continues twice
    auto r = inst.call<int32_t>("count", 1000);
    REQUIRE(r.trapped());
    CHECK(*r.trap == wasm::TrapCode::Interrupt);
    CHECK(inst.epoch_calls == 3);
  }
}
