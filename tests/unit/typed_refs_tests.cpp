// Typed function references (WebAssembly 3.0): the subtyping relation, call_ref and its null
// trap, ref.as_non_null / br_on_null / br_on_non_null, non-null locals and their
// initialization rule, typed tables with initializers, and import matching by subtyping
// across modules. Expected values are worked out by hand from the wat below.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include <wasm.hpp>

namespace {

using wasm::ValType;
using H = ValType::Heap;

wasm::Engine make_engine() {
  wasm::Config config;
  wasm::Features f;
  f.function_references = true;
  f.tail_call = true;
  f.exceptions = true;
  config.wasm_features(f);
  return wasm::Engine(config);
}

struct Fixture {
  wasm::Engine engine = make_engine();
  wasm::Store<int> store{engine, 0};
  wasm::Linker<int> linker{engine};

  wasm::Result<wasm::Module> compile(const std::string& wat) { return wasm::Module::from_wat(engine, wat); }
  wasm::Instance instantiate(const std::string& wat) {
    auto module = compile(wat);
    if (!module) FAIL(module.error().to_string());
    auto inst = linker.instantiate(store, *module);
    if (!inst) FAIL(inst.error().to_string());
    return *inst;
  }
  wasm::Result<int32_t> call_i32(const wasm::Instance& in, const std::string& name,
                                 std::vector<wasm::Val> args = {}) {
    auto f = in.get_func(store, name);
    REQUIRE(f);
    std::vector<wasm::Val> results{wasm::Val(int32_t(0))};
    auto r = f->call(store, args, results);
    if (!r) return std::move(r).error();
    return results[0].i32();
  }
};

// The error a module fails to compile with ("" when it compiles).
std::string compile_error(const std::string& wat) {
  Fixture fx;
  auto m = fx.compile(wat);
  return m ? std::string() : m.error().to_string();
}

}  // namespace

TEST_CASE("typed refs: the subtyping table", "[typed_refs]") {
  const ValType ref_t = ValType::ref_index(0, false), ref_null_t = ValType::ref_index(0, true);
  const ValType ref_func = ValType::ref(H::Func, false), nullfuncref = ValType::ref(H::NoFunc, true);
  const ValType ref_nofunc = ValType::ref(H::NoFunc, false), ref_extern = ValType::ref(H::Extern, false);
  struct Row {
    ValType a, b;
    bool sub;
  };
  const Row rows[] = {
      {ref_t, ref_null_t, true},          {ref_null_t, ref_t, false},
      {ref_null_t, ValType::FuncRef, true}, {ref_t, ref_func, true},
      {ValType::FuncRef, ref_func, false}, {ref_func, ValType::FuncRef, true},
      {ref_func, ref_t, false},           {nullfuncref, ref_null_t, true},
      {nullfuncref, ref_t, false},        {ref_nofunc, ref_t, true},
      {nullfuncref, ValType::ExternRef, false}, {ref_extern, ValType::ExternRef, true},
      {ref_t, ValType::ExternRef, false}, {ValType::I32, ValType::I32, true},
      {ValType::I32, ValType::I64, false}, {ValType::ref_index(1, false), ref_t, false},
      {ValType::ref(H::NoExn, true), ValType::ExnRef, true},
  };
  for (const Row& r : rows) {
    INFO(wasm::valtype_name(r.a) << " <: " << wasm::valtype_name(r.b));
    CHECK(wasm::is_subtype(r.a, r.b) == r.sub);
  }
  // Defined types are related by the given relation (equivalent types in one module).
  CHECK(wasm::is_subtype(ValType::ref_index(1, false), ref_t, [](uint32_t a, uint32_t b) { return a == 1 && b == 0; }));
  // Names as the text format writes them.
  CHECK(wasm::valtype_name(ref_null_t) == "(ref null 0)");
  CHECK(wasm::valtype_name(ref_func) == "(ref func)");
  CHECK(wasm::valtype_name(nullfuncref) == "nullfuncref");
  CHECK(wasm::valtype_name(ValType::ref(H::Func, true)) == "funcref");
  CHECK(ValType::ref(H::Func, true) == ValType::FuncRef);
}

TEST_CASE("typed refs: call_ref calls the function and traps on null", "[typed_refs]") {
  Fixture fx;
  auto in = fx.instantiate(R"(
    (module
      (type $binop (func (param i32 i32) (result i32)))
      (func $sub (type $binop) (i32.sub (local.get 0) (local.get 1)))
      (elem declare func $sub)
      (func (export "apply") (param i32 i32) (result i32)
        (call_ref $binop (local.get 0) (local.get 1) (ref.func $sub)))
      (func (export "null") (result i32)
        (call_ref $binop (i32.const 1) (i32.const 2) (ref.null $binop)))
      (func $tail (param i32 i32) (result i32)
        (return_call_ref $binop (local.get 0) (local.get 1) (ref.func $sub)))
      (func (export "tail") (param i32 i32) (result i32)
        (call $tail (local.get 0) (local.get 1)))))");
  CHECK(*fx.call_i32(in, "apply", {wasm::Val(int32_t(10)), wasm::Val(int32_t(3))}) == 7);
  CHECK(*fx.call_i32(in, "tail", {wasm::Val(int32_t(3)), wasm::Val(int32_t(10))}) == -7);
  auto r = fx.call_i32(in, "null");
  REQUIRE(!r);
  CHECK(r.error().trap_code() == wasm::TrapCode::NullFunctionReference);
  CHECK(r.error().to_string().find("null function reference") != std::string::npos);
}

TEST_CASE("typed refs: ref.as_non_null, br_on_null and br_on_non_null", "[typed_refs]") {
  Fixture fx;
  auto in = fx.instantiate(R"(
    (module
      (type $t (func (result i32)))
      (func $seven (type $t) (i32.const 7))
      (elem declare func $seven)
      (func $pick (param i32) (result (ref null $t))
        (if (result (ref null $t)) (local.get 0) (then (ref.func $seven)) (else (ref.null $t))))
      (func (export "as_non_null") (param i32) (result i32)
        (call_ref $t (ref.as_non_null (call $pick (local.get 0)))))
      ;; -1 when null, else the call's result
      (func (export "on_null") (param i32) (result i32)
        (block $null
          (return (call_ref $t (br_on_null $null (call $pick (local.get 0))))))
        (i32.const -1))
      (func (export "on_non_null") (param i32) (result i32)
        (block $some (param) (result (ref $t))
          (br_on_non_null $some (call $pick (local.get 0)))
          (return (i32.const -2)))
        (call_ref $t))))");
  CHECK(*fx.call_i32(in, "as_non_null", {wasm::Val(int32_t(1))}) == 7);
  auto r = fx.call_i32(in, "as_non_null", {wasm::Val(int32_t(0))});
  REQUIRE(!r);
  CHECK(r.error().trap_code() == wasm::TrapCode::NullReference);
  CHECK(*fx.call_i32(in, "on_null", {wasm::Val(int32_t(1))}) == 7);
  CHECK(*fx.call_i32(in, "on_null", {wasm::Val(int32_t(0))}) == -1);
  CHECK(*fx.call_i32(in, "on_non_null", {wasm::Val(int32_t(1))}) == 7);
  CHECK(*fx.call_i32(in, "on_non_null", {wasm::Val(int32_t(0))}) == -2);
}

TEST_CASE("typed refs: non-null locals must be set before they are read", "[typed_refs]") {
  const char* prefix = "(module (type $t (func)) (func $f) (elem declare func $f) ";
  // Set, then read in the same block: valid.
  CHECK(compile_error(std::string(prefix) +
                      "(func (local $l (ref $t)) (local.set $l (ref.func $f)) (call_ref $t (local.get $l))))") == "");
  // Read before any set.
  std::string e = compile_error(std::string(prefix) + "(func (local $l (ref $t)) (drop (local.get $l))))");
  CHECK(e.find("uninitialized local") != std::string::npos);
  // A set inside a block initializes only until that block's end.
  e = compile_error(std::string(prefix) +
                    "(func (local $l (ref $t)) (block (local.set $l (ref.func $f))) (drop (local.get $l))))");
  CHECK(e.find("uninitialized local") != std::string::npos);
  // Nullable locals need no set.
  CHECK(compile_error(std::string(prefix) + "(func (local $l (ref null $t)) (drop (local.get $l))))") == "");
  // A table of non-null references needs an initializer.
  e = compile_error(std::string(prefix) + "(table 1 (ref $t)))");
  CHECK(e.find("type mismatch") != std::string::npos);
  // Unknown type indices are invalid, not a crash.
  e = compile_error("(module (func (param (ref 5))))");
  CHECK(e.find("unknown type") != std::string::npos);
}

TEST_CASE("typed refs: a table of (ref $t) with an initializer", "[typed_refs]") {
  Fixture fx;
  auto in = fx.instantiate(R"(
    (module
      (type $t (func (result i32)))
      (func $five (type $t) (i32.const 5))
      (table $tab 3 (ref $t) (ref.func $five))
      (func (export "call") (param i32) (result i32)
        (call_ref $t (table.get $tab (local.get 0))))
      (func (export "indirect") (param i32) (result i32)
        (call_indirect $tab (type $t) (local.get 0)))))");
  CHECK(*fx.call_i32(in, "call", {wasm::Val(int32_t(2))}) == 5);
  CHECK(*fx.call_i32(in, "indirect", {wasm::Val(int32_t(1))}) == 5);
}

TEST_CASE("typed refs: imports match by subtyping across modules", "[typed_refs]") {
  Fixture fx;
  // The exporter's $t and the importer's $u are the same type (equal structure), so the
  // function and the immutable (ref $t) global fit imports of (ref null $u) and funcref.
  auto exporter = fx.instantiate(R"(
    (module
      (type $t (func (param i32) (result i32)))
      (func $double (export "double") (type $t) (i32.add (local.get 0) (local.get 0)))
      (global (export "g") (ref $t) (ref.func $double))
      (global (export "mut") (mut (ref null $t)) (ref.null $t))))");
  REQUIRE(fx.linker.instance(fx.store, "m", exporter));
  auto importer = fx.instantiate(R"(
    (module
      (type $other (func))
      (type $u (func (param i32) (result i32)))
      (import "m" "double" (func $d (type $u)))
      (import "m" "g" (global $g (ref null $u)))
      (import "m" "g" (global $g2 funcref))
      (func (export "run") (param i32) (result i32)
        (call_ref $u (local.get 0) (ref.as_non_null (global.get $g))))))");
  CHECK(*fx.call_i32(importer, "run", {wasm::Val(int32_t(21))}) == 42);

  // A mutable global must match exactly: (mut (ref null $t)) is not (mut funcref).
  auto m = fx.compile(R"((module (import "m" "mut" (global (mut funcref)))))");
  REQUIRE(m);
  auto inst = fx.linker.instantiate(fx.store, *m);
  REQUIRE(!inst);
  CHECK(inst.error().kind() == wasm::ErrorKind::Link);
  // A global of another function type does not fit.
  m = fx.compile(R"((module (type $v (func)) (import "m" "g" (global (ref null $v)))))");
  REQUIRE(m);
  inst = fx.linker.instantiate(fx.store, *m);
  REQUIRE(!inst);
  CHECK(inst.error().kind() == wasm::ErrorKind::Link);
  // Nor does a function of another type.
  m = fx.compile(R"((module (type $v (func)) (import "m" "double" (func (type $v)))))");
  REQUIRE(m);
  inst = fx.linker.instantiate(fx.store, *m);
  REQUIRE(!inst);
  CHECK(inst.error().kind() == wasm::ErrorKind::Link);
}
