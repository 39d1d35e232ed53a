// Baseline JIT, module level: parallel compilation gives the same code as one thread, the
// pc-to-function map, the i32 upper-half rule at the host boundary, and (hidden test
// [.jit-bench]) compile throughput.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>

#include "jit_test_harness.hpp"
#include "test_module_builder.hpp"

using namespace wasm::test;
using namespace wasm::test::jit;
using wasm::ValType;
using wasm::detail::Op;

namespace {

Bytes lget(uint32_t i) { return cat({op(Op::LocalGet), uleb(i)}); }
Bytes lset(uint32_t i) { return cat({op(Op::LocalSet), uleb(i)}); }
Bytes with_op(Op o, uint32_t imm) { return cat({op(o), uleb(imm)}); }
void append(Bytes& to, const Bytes& b) { to.insert(to.end(), b.begin(), b.end()); }

// A module of `n` functions with loops, branches, memory traffic and calls to each other.
Bytes big_module(uint32_t n) {
  ModuleBuilder b;
  uint32_t t = b.type({ValType::I32, ValType::I32}, {ValType::I32});
  b.memory(limits(1));
  for (uint32_t f = 0; f < n; ++f) {
    Bytes code;
    append(code, cat({op(Op::Block), {0x40}, op(Op::Loop), {0x40}}));
    append(code, cat({lget(0), op(Op::I32Eqz), with_op(Op::BrIf, 1)}));
    for (uint32_t k = 0; k < 4 + f % 7; ++k) {
      append(code, cat({lget(2 + k % 4), lget(1), i32_const(int32_t(k * 13 + f)), op(Op::I32Add),
                        op(Op::I32Xor), lset(2 + k % 4)}));
      append(code, cat({lget(0), i32_const(1023), op(Op::I32And), lget(2 + k % 4),
                        op(Op::I32Store), memarg(2, k * 4)}));
    }
    append(code, cat({lget(0), i32_const(3), op(Op::I32And), op(Op::If), {0x40},
                      lget(1), lget(2), with_op(Op::Call, (f + 1) % n), lset(3), end()}));
    append(code, cat({lget(0), i32_const(1), op(Op::I32Sub), lset(0), with_op(Op::Br, 0), end(), end()}));
    append(code, cat({lget(2), lget(3), op(Op::I32Add), lget(4), lget(5), op(Op::I32Mul), op(Op::I32Add), end()}));
    b.func(t, code, {{4, ValType::I32}});
  }
  return b.build();
}

wasm::detail::ModuleInfo decode_valid(const Bytes& bytes) {
  auto m = wasm::detail::decode_module(bytes);
  REQUIRE(m);
  REQUIRE(wasm::detail::validate_module(*m));
  return std::move(*m);
}

}  // namespace

TEST_CASE("jit module: the number of threads does not change the code", "[jit]") {
  Bytes bytes = big_module(200);
  wasm::detail::ModuleInfo m = decode_valid(bytes);
  auto one = compile_module(m, {}, 1);
  auto four = compile_module(m, {}, 4);
  REQUIRE(one);
  REQUIRE(four);
  REQUIRE(one->code_memory().size() == four->code_memory().size());
  // Direct calls are relative, so the images are byte-identical wherever they are mapped.
  CHECK(std::memcmp(one->code_memory().data(), four->code_memory().data(),
                    one->code_memory().size()) == 0);
  CHECK(one->num_defined_funcs() == 200);
  CHECK(one->stats().code_section_bytes > 0);
}

TEST_CASE("jit module: pc to function index", "[jit]") {
  Bytes bytes = big_module(10);
  wasm::detail::ModuleInfo m = decode_valid(bytes);
  auto cm = compile_module(m, {}, 2);
  REQUIRE(cm);
  for (uint32_t f = 0; f < 10; ++f) {
    uintptr_t start = uintptr_t(cm->image_code(f));
    CHECK(cm->function_index_at(start) == f);
    CHECK(cm->function_index_at(start + cm->functions()[f].size - 1) == f);
  }
  CHECK(!cm->function_index_at(uintptr_t(cm->code_memory().data()) + cm->code_memory().size()));
  CHECK(!cm->contains(uintptr_t(&bytes)));
}

TEST_CASE("jit module: i32 values from the host get their upper half cleared", "[jit]") {
  // A host function returning 16 with garbage in the upper half of rax, and a caller passing
  // an i32 argument with garbage in the upper half of its register.
  struct Stubs : Xbyak::CodeGenerator {
    Stubs() {
      mov(rax, 0xDEADBEEF00000010ull);
      ret();
    }
  } host;
  host.ready();
  ModuleBuilder b;
  uint32_t ti = b.type({}, {ValType::I32});
  uint32_t tp = b.type({ValType::I32}, {ValType::I32});
  b.import_func("h", "f", ti);
  b.memory(limits(1));
  b.func(ti, cat({with_op(Op::Call, 0), op(Op::I32Load), memarg(2, 0), end()}));
  b.func(tp, cat({lget(0), op(Op::I32Load), memarg(2, 0), end()}));
  b.export_("via_host", wasm::ExternKind::Func, 1);
  b.export_("via_param", wasm::ExternKind::Func, 2);
  JitInstance::ImportDef imp;
  imp.host = host.getCode();
  JitInstance inst(b.build(), {}, {imp});
  REQUIRE(inst.ok());
  std::memcpy(inst.memory_base() + 16, "\x2a\0\0\0", 4);
  std::memcpy(inst.memory_base() + 8, "\x07\0\0\0", 4);
  CHECK(inst.call<int32_t>("via_host").value == 42);
  struct Caller : Xbyak::CodeGenerator {
    explicit Caller(const void* target) {
      // (vmctx, vmctx, i32) with the argument's upper half dirty
      mov(rdx, 0xFFFFFFFF00000008ull);
      mov(rax, uintptr_t(target));
      jmp(rax);
    }
  } caller(inst.code("via_param"));
  caller.ready();
  CHECK(inst.call_code<int32_t>(caller.getCode()).value == 7);
}

TEST_CASE("jit module: compile throughput", "[.jit-bench]") {
  Bytes bytes = big_module(20000);
  wasm::detail::ModuleInfo m = decode_valid(bytes);
  for (unsigned threads : {1u, 0u}) {
    auto cm = compile_module(m, {}, threads);
    REQUIRE(cm);
    const CompileStats& s = cm->stats();
    std::printf("baseline JIT: %.1f MB of code section in %.3f s on %u thread(s): %.1f MB/s, "
                "%.1f MB machine code\n",
                double(s.code_section_bytes) / 1e6, s.seconds, s.threads,
                s.megabytes_per_second(), double(s.machine_code_bytes) / 1e6);
  }
}
