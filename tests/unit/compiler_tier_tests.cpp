// The compiler-tier seam (jit/compiler_tier.hpp): the module driver compiles through any tier,
// gives each thread its own worker, sends a function a tier declines to the next tier, and
// code of different tiers calls each other; trap sites reach the compiled module.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <vector>

#include "jit_test_harness.hpp"
#include "test_module_builder.hpp"

using namespace wasm::test;
using namespace wasm::test::jit;
using wasm::FuncType;
using wasm::Result;
using wasm::TrapCode;
using wasm::ValType;
using wasm::detail::Op;

namespace {

Bytes call_op(uint32_t f) { return cat({op(Op::Call), uleb(f)}); }

// The baseline, counting the workers it makes and the functions it compiles.
struct CountingTier final : CompilerTier {
  mutable std::atomic<uint32_t> workers{0};
  mutable std::atomic<uint32_t> functions{0};
  const char* name() const override { return "counting"; }
  std::unique_ptr<Worker> make_worker(const CompileEnv& env) const override {
    ++workers;
    struct Counting final : Worker {
      Counting(const CountingTier& t, const CompileEnv& env)
          : tier(t), inner(BaselineTier::get().make_worker(env)) {}
      Result<CompiledFunction> compile(uint32_t i) override {
        ++tier.functions;
        return inner->compile(i);
      }
      const CountingTier& tier;
      std::unique_ptr<Worker> inner;
    };
    return std::make_unique<Counting>(*this, env);
  }
};

// A tier of its own code generator that accepts only `[] -> [i32]` functions whose body is
// `i32.const K end` with 0 <= K < 64, and compiles them to return K + 1000, so that a caller
// can tell which tier compiled its callee.
struct ConstTier final : CompilerTier {
  static constexpr int32_t kMark = 1000;
  const char* name() const override { return "const"; }
  bool accepts(const CompileEnv& env, uint32_t i) const override {
    const ModuleInfo& m = env.module;
    const FuncType& t = m.func_type(m.num_imported_funcs + i);
    if (!t.params.empty() || t.results.size() != 1 || t.results[0] != ValType::I32) return false;
    const FunctionBody& body = m.bodies[i];
    std::span<const uint8_t> code = m.body_code(body);
    return body.local_count == 0 && code.size() == 3 && code[0] == 0x41 && code[1] < 64 &&
           code[2] == 0x0B;
  }
  std::unique_ptr<Worker> make_worker(const CompileEnv& env) const override {
    struct Const final : Worker {
      explicit Const(const CompileEnv& e) : env(e) {}
      Result<CompiledFunction> compile(uint32_t i) override {
        const ModuleInfo& m = env.module;
        int32_t k = m.body_code(m.bodies[i])[1];
        Xbyak::CodeGenerator a(256, Xbyak::AutoGrow);
        frame::emit_prologue(a);
        a.mov(a.eax, k + kMark);
        a.pop(a.r15);
        a.pop(a.r14);
        a.pop(a.rbp);
        a.ret();
        a.ready();
        CompiledFunction out;
        out.code.assign(a.getCode(), a.getCode() + a.getSize());
        return out;
      }
      const CompileEnv& env;
    };
    return std::make_unique<Const>(env);
  }
};

// Functions: 0 = const 5, 1 = const 7, 2 = calls 0 and 1 and adds, 3 = local.get + 1.
Bytes mixed_module() {
  ModuleBuilder b;
  uint32_t t0 = b.type({}, {ValType::I32});
  uint32_t t1 = b.type({ValType::I32}, {ValType::I32});
  b.func(t0, cat({i32_const(5), end()}));
  b.func(t0, cat({i32_const(7), end()}));
  b.func(t0, cat({call_op(0), call_op(1), op(Op::I32Add), end()}));
  b.func(t1, cat({op(Op::LocalGet), uleb(0), i32_const(1), op(Op::I32Add), end()}));
  b.export_("five", wasm::ExternKind::Func, 0);
  b.export_("sum", wasm::ExternKind::Func, 2);
  b.export_("inc", wasm::ExternKind::Func, 3);
  return b.build();
}

}  // namespace

TEST_CASE("compiler tier: the driver compiles every function through the tier it is given", "[jit][tier]") {
  Bytes bytes = mixed_module();
  for (unsigned threads : {1u, 2u}) {
    CountingTier counting;
    const CompilerTier* tiers[] = {&counting};
    JitInstance inst(bytes, {}, {}, threads, tiers);
    REQUIRE(inst.ok());
    CHECK(counting.functions == 4);
    CHECK(counting.workers >= 1);
    CHECK(counting.workers <= threads);
    CHECK(inst.call<int32_t>("sum").value == 12);
    CHECK(inst.call<int32_t>("inc", int32_t(41)).value == 42);
  }
}

TEST_CASE("compiler tier: a function the first tier declines goes to the next one", "[jit][tier]") {
  Bytes bytes = mixed_module();
  ConstTier constant;
  CountingTier counting;
  const CompilerTier* tiers[] = {&constant, &counting};
  JitInstance inst(bytes, {}, {}, 2, tiers);
  REQUIRE(inst.ok());
  CHECK(counting.functions == 2);  // functions 2 and 3
  CHECK(inst.call<int32_t>("five").value == 5 + ConstTier::kMark);
  // Baseline code calling ConstTier code through the driver's direct-call patching.
  CHECK(inst.call<int32_t>("sum").value == 12 + 2 * ConstTier::kMark);
  CHECK(inst.call<int32_t>("inc", int32_t(1)).value == 2);
}

TEST_CASE("compiler tier: a function no tier accepts is an error naming it", "[jit][tier]") {
  Bytes bytes = mixed_module();
  ConstTier constant;
  const CompilerTier* tiers[] = {&constant};
  JitInstance inst(bytes, {}, {}, 1, tiers);
  REQUIRE(!inst.ok());
  CHECK(inst.error().find("no compiler tier accepts function 2") != std::string::npos);
}

TEST_CASE("compiler tier: the baseline's trap stubs are trap sites of the module", "[jit][tier]") {
  ModuleBuilder b;
  uint32_t t = b.type({ValType::I32, ValType::I32}, {ValType::I32});
  b.func(t, cat({op(Op::LocalGet), uleb(0), op(Op::LocalGet), uleb(1), op(Op::I32DivS), end()}));
  b.func(b.type({}, {}), cat({op(Op::Unreachable), end()}));
  auto m = wasm::detail::decode_module(b.build());
  REQUIRE(m);
  REQUIRE(wasm::detail::validate_module(*m));
  auto cm = compile_module(*m, {}, 1);
  REQUIRE(cm);
  // Each trap code of each function has one stub; find them by scanning the function's code.
  auto codes_in = [&](uint32_t f) {
    std::vector<TrapCode> codes;
    uintptr_t start = uintptr_t(cm->image_code(f));
    for (uint32_t off = 0; off < cm->functions()[f].size; ++off) {
      if (auto c = cm->trap_at(start + off)) codes.push_back(*c);
    }
    return codes;
  };
  std::vector<TrapCode> div = codes_in(0);
  CHECK(std::count(div.begin(), div.end(), TrapCode::IntegerDivisionByZero) == 1);
  CHECK(std::count(div.begin(), div.end(), TrapCode::IntegerOverflow) == 1);
  CHECK(std::count(div.begin(), div.end(), TrapCode::UnreachableCodeReached) == 0);
  std::vector<TrapCode> unreachable = codes_in(1);
  CHECK(std::count(unreachable.begin(), unreachable.end(), TrapCode::UnreachableCodeReached) == 1);
  CHECK(!cm->trap_at(uintptr_t(cm->image_code(0))));
}
