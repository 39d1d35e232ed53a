// WebAssembly GC, phase 1: the type section (rec groups, sub / sub final, struct and array
// types), isorecursive canonicalization in the engine's type registry, declared subtyping in
// validation, validation of the GC instructions, and the runtime's refusal (ErrorKind::
// Unsupported) of modules that would need GC objects. Expected outcomes follow the 3.0
// specification's rules, worked out by hand for each module below.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include <wasm.hpp>

#include "wasm/detail/binary/decoder.hpp"
#include "wasm/detail/binary/validator.hpp"
#include "wasm/detail/text/wat.hpp"
#include "wasm/detail/vm/type_registry.hpp"

namespace {

using wasm::ErrorKind;
using wasm::ValType;
using H = ValType::Heap;

wasm::Features gc_features() {
  wasm::Features f;
  f.function_references = true;
  f.gc = true;
  f.tail_call = true;
  f.extended_const = true;
  return f;
}

wasm::Engine make_engine() {
  wasm::Config config;
  config.wasm_features(gc_features());
  return wasm::Engine(config);
}

wasm::detail::ModuleInfo decode(const std::string& wat) {
  auto bytes = wasm::detail::text::wat_to_wasm(wat);
  if (!bytes) FAIL(bytes.error().to_string());
  auto m = wasm::detail::decode_module(*bytes, gc_features());
  if (!m) FAIL(m.error().to_string());
  return std::move(*m);
}

// "" when the module validates, else "<kind>: <message>" of the validation error.
std::string validation_error(const std::string& wat) {
  auto m = decode(wat);
  auto r = wasm::detail::validate_module(m, gc_features());
  return r ? std::string() : r.error().to_string();
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

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
  int32_t call_i32(const wasm::Instance& in, const std::string& name, std::vector<wasm::Val> args = {}) {
    auto f = in.get_func(store, name);
    REQUIRE(f);
    std::vector<wasm::Val> results{wasm::Val(int32_t(0))};
    auto r = f->call(store, args, results);
    if (!r) FAIL(r.error().to_string());
    return results[0].i32();
  }
};

const char* kPairGroup = R"(
  (rec (type $a (func (param (ref null $b)) (result i32)))
       (type $b (func (result (ref null $a)))))
)";

}  // namespace

TEST_CASE("gc types: the type section decodes rec groups, sub, struct and array", "[gc]") {
  auto m = decode(R"((module
    (type $f (func))
    (rec (type $s (sub (struct (field i32) (field (mut i8)) (field (ref null $s)))))
         (type $arr (sub final $s' (array (mut i16)))) (type $s' (sub $s (struct (field i32) (field (mut i8)) (field (ref null $s)) (field i64)))))
  ))");
  REQUIRE(m.types.size() == 4);
  REQUIRE(m.type_defs.size() == 4);
  CHECK(m.type_defs[0].is_func());
  CHECK(m.type_defs[0].final);
  CHECK(m.type_defs[0].rec_size == 1);
  const auto& s = m.type_defs[1];
  CHECK(s.is_struct());
  CHECK_FALSE(s.final);
  CHECK(s.rec_start == 1);
  CHECK(s.rec_size == 3);
  REQUIRE(s.fields.size() == 3);
  CHECK(s.fields[1].packed == wasm::detail::FieldType::Packed::I8);
  CHECK(s.fields[1].mutable_);
  CHECK(s.fields[2].type == ValType::ref_index(1, true));
  CHECK(m.type_defs[2].is_array());
  CHECK(m.type_defs[2].final);
  CHECK(m.type_defs[2].fields[0].packed == wasm::detail::FieldType::Packed::I16);
  CHECK(m.type_defs[3].super == 1u);
}

TEST_CASE("gc types: GC heap types decode as the any hierarchy", "[gc]") {
  auto m = decode(R"((module (global anyref (ref.null none)) (global eqref (ref.null eq))
                               (global i31ref (ref.null i31)) (global (ref null struct) (ref.null struct))))");
  REQUIRE(m.globals.size() == 4);
  CHECK(m.globals[0].type == ValType::ref(H::Any, true));
  CHECK(m.globals[0].type.kind() == ValType::Kind::AnyRef);
  CHECK(m.globals[3].type == ValType::ref(H::Struct, true));
  // eq, i31, struct, array and none order as the spec's lattice.
  CHECK(m.subtype(ValType::ref(H::I31, false), ValType::ref(H::Eq, true)));
  CHECK(m.subtype(ValType::ref(H::None, true), ValType::ref(H::Struct, true)));
  CHECK_FALSE(m.subtype(ValType::ref(H::Any, true), ValType::ref(H::Eq, true)));
  CHECK_FALSE(m.subtype(ValType::ref(H::Struct, true), ValType::ref(H::Func, true)));
  CHECK_FALSE(m.subtype(ValType::ref(H::I31, true), ValType::ref(H::I31, false)));
}

TEST_CASE("gc types: equal rec groups are one canonical group across modules", "[gc]") {
  wasm::detail::TypeRegistry registry;
  auto a = decode(std::string("(module ") + kPairGroup + ")");
  auto b = decode(std::string("(module (type (func (param i64))) ") + kPairGroup + ")");
  // The same two types in the other order are another group.
  auto c = decode(R"((module (rec (type $b (func (result (ref null $a))))
                                     (type $a (func (param (ref null $b)) (result i32))))))");
  auto ia = registry.intern_module_types(a.types, a.type_defs);
  auto ib = registry.intern_module_types(b.types, b.type_defs);
  auto ic = registry.intern_module_types(c.types, c.type_defs);
  REQUIRE(ia.size() == 2);
  REQUIRE(ib.size() == 3);
  CHECK(ia[0] == ib[1]);
  CHECK(ia[1] == ib[2]);
  CHECK(ia[1] == ia[0] + 1);  // one group, consecutive ids
  CHECK(ic[0] != ia[1]);
  CHECK(ic[1] != ia[0]);
  // Within one module, equal groups are one type too (classes), distinct positions are not.
  auto d = decode(R"((module (rec (type (func)) (type (func))) (rec (type (func)) (type (func))) (type (func))))");
  CHECK(d.type_classes == std::vector<uint32_t>{0, 1, 0, 1, 4});
  auto id = registry.intern_module_types(d.types, d.type_defs);
  CHECK(id[0] == id[2]);
  CHECK(id[0] != id[1]);
  CHECK(id[4] != id[0]);
  // A host function type is the lone final function type.
  CHECK(registry.intern(wasm::FuncType{}) == id[4]);
  // Finality and supertypes are part of a type.
  auto e = decode(R"((module (type $t (sub (func))) (type (sub $t (func)))))");
  auto ie = registry.intern_module_types(e.types, e.type_defs);
  CHECK(ie[0] != id[4]);
  CHECK(registry.subtype(ie[1], ie[0]));
  CHECK_FALSE(registry.subtype(ie[0], ie[1]));
}

TEST_CASE("gc types: rec-group function types link and call_indirect across modules", "[gc]") {
  Fixture fx;
  auto provider = fx.instantiate(std::string("(module ") + kPairGroup + R"(
      (func $f (export "f") (type $a) (i32.const 7))
      (table (export "t") 1 funcref) (elem (i32.const 0) $f)))");
  REQUIRE(fx.linker.define("p", "f", *provider.get_func(fx.store, "f")));
  REQUIRE(fx.linker.define("p", "t", *provider.get_table(fx.store, "t")));
  auto user = fx.instantiate(std::string("(module ") + kPairGroup + R"(
      (import "p" "f" (func $g (type $a)))
      (import "p" "t" (table 1 funcref))
      (func (export "direct") (result i32) (call $g (ref.null $b)))
      (func (export "indirect") (result i32) (call_indirect (type $a) (ref.null $b) (i32.const 0)))))");
  CHECK(fx.call_i32(user, "direct") == 7);
  CHECK(fx.call_i32(user, "indirect") == 7);
  // The same signature outside the group is another type: the import does not link.
  auto other = fx.compile(R"((module (rec (type $b (func (result (ref null $a))))
                                          (type $a (func (param (ref null $b)) (result i32))))
                                     (import "p" "f" (func (type $a)))))");
  REQUIRE(other);
  auto inst = fx.linker.instantiate(fx.store, *other);
  REQUIRE_FALSE(inst);
  CHECK(inst.error().kind() == ErrorKind::Link);
}

TEST_CASE("gc types: declared subtypes of function types run with call_ref", "[gc]") {
  Fixture fx;
  auto in = fx.instantiate(R"((module
    (type $t (sub (func (result i32))))
    (type $s (sub final $t (func (result i32))))
    (func $f (type $s) (i32.const 42))
    (elem declare func $f)
    (func (export "run") (result i32) (local (ref null $t))
      (local.set 0 (ref.func $f))  ;; (ref $s) <: (ref null $t)
      (call_ref $t (local.get 0)))))");
  CHECK(fx.call_i32(in, "run") == 42);
}

namespace {

// call_indirect to a non-final type accepts its declared subtypes, checked at run time.
constexpr const char* kSubtypeDispatch = R"((module
  (type $base (sub (func (result i32))))
  (type $derived (sub $base (func (result i32))))
  (type $leaf (sub final $derived (func (result i32))))
  (type $other (func (result i32)))
  (table 4 funcref)
  (elem (i32.const 0) $b $d $l $o)
  (func $b (type $base) (i32.const 1))
  (func $d (type $derived) (i32.const 2))
  (func $l (type $leaf) (i32.const 3))
  (func $o (type $other) (i32.const 4))
  (func (export "as_base") (param i32) (result i32) (call_indirect (type $base) (local.get 0)))
  (func (export "as_derived") (param i32) (result i32) (call_indirect (type $derived) (local.get 0)))
  (func (export "tail_as_base") (param i32) (result i32) (return_call_indirect (type $base) (local.get 0)))
  (func (export "d") (type $derived) (i32.const 20))
))";

}  // namespace

TEST_CASE("gc types: call_indirect accepts declared subtypes of a non-final type", "[gc]") {
  for (wasm::Strategy strategy : {wasm::Strategy::Baseline, wasm::Strategy::Optimized}) {
    wasm::Config config;
    config.wasm_features(gc_features());
    config.strategy(strategy);
    wasm::Engine engine(config);
    wasm::Store<int> store(engine, 0);
    auto module = wasm::Module::from_wat(engine, kSubtypeDispatch);
    REQUIRE(module);
    auto in = wasm::Linker<int>(engine).instantiate(store, *module);
    REQUIRE(in);
    auto call = [&](const char* name, int32_t slot) {
      auto f = in->get_typed_func<std::tuple<int32_t>, int32_t>(store, name);
      REQUIRE(f);
      return f->call(store, slot);
    };
    for (const char* name : {"as_base", "tail_as_base"}) {
      CHECK(*call(name, 0) == 1);
      CHECK(*call(name, 1) == 2);  // $derived <: $base
      CHECK(*call(name, 2) == 3);  // $leaf <: $derived <: $base
      auto other = call(name, 3);  // $other has the same shape but no declared relation
      REQUIRE_FALSE(other);
      CHECK(other.error().trap_code() == wasm::TrapCode::BadSignature);
    }
    auto base = call("as_derived", 0);  // a supertype is not a subtype
    REQUIRE_FALSE(base);
    CHECK(base.error().trap_code() == wasm::TrapCode::BadSignature);
    CHECK(*call("as_derived", 2) == 3);
  }
}

TEST_CASE("gc types: a function import matches a supertype of its type", "[gc]") {
  Fixture fx;
  auto exporter = fx.instantiate(kSubtypeDispatch);
  auto d = exporter.get_func(fx.store, "d");
  REQUIRE(d);
  REQUIRE(fx.linker.define("m", "d", *d));
  auto importer = fx.instantiate(R"((module
    (type $base (sub (func (result i32))))
    (type $derived (sub $base (func (result i32))))
    (import "m" "d" (func $d (type $base)))
    (func (export "run") (result i32) (call $d))))");
  CHECK(fx.call_i32(importer, "run") == 20);
  // Importing it as a subtype of its type, or as an unrelated type, fails to link.
  for (const char* wat : {R"((module
        (type $base (sub (func (result i32))))
        (type $derived (sub $base (func (result i32))))
        (type $leaf (sub final $derived (func (result i32))))
        (import "m" "d" (func (type $leaf)))))",
                          R"((module (import "m" "d" (func (result i32)))))"}) {
    auto module = fx.compile(wat);
    REQUIRE(module);
    auto inst = fx.linker.instantiate(fx.store, *module);
    REQUIRE_FALSE(inst);
    CHECK(inst.error().kind() == ErrorKind::Link);
  }
}

TEST_CASE("gc types: supertype declarations are checked", "[gc]") {
  CHECK(validation_error("(module (type $t (sub (func))) (type (sub $t (func))))") == "");
  CHECK(has(validation_error("(module (type $t (func)) (type (sub $t (func))))"), "sub type"));
  CHECK(has(validation_error("(module (type $t (sub final (func))) (type (sub $t (func))))"), "sub type"));
  // struct: width and depth (immutable fields covariant, mutable ones invariant)
  CHECK(validation_error(R"((module (type $a (sub (struct (field anyref))))
                                    (type (sub $a (struct (field eqref) (field i64))))))") == "");
  CHECK(has(validation_error(R"((module (type $a (sub (struct (field (mut anyref)))))
                                        (type (sub $a (struct (field (mut eqref)))))))"),
            "sub type"));
  CHECK(has(validation_error(R"((module (type $a (sub (struct (field i32) (field i32))))
                                        (type (sub $a (struct (field i32))))))"),
            "sub type"));
  CHECK(has(validation_error(R"((module (type $a (sub (array i8))) (type (sub $a (array i16)))))"), "sub type"));
  CHECK(has(validation_error(R"((module (type $a (sub (struct))) (type (sub $a (func)))))"), "sub type"));
  // func: contravariant parameters, covariant results
  CHECK(validation_error(R"((module (type $a (sub (func (param eqref) (result anyref))))
                                    (type (sub $a (func (param anyref) (result eqref))))))") == "");
  CHECK(has(validation_error(R"((module (type $a (sub (func (param anyref))))
                                        (type (sub $a (func (param eqref))))))"),
            "sub type"));
  // a supertype must come first; references reach only the own and earlier groups
  CHECK(has(validation_error("(module (rec (type $a (sub $b (func))) (type $b (sub (func)))))"), "unknown type"));
  CHECK(has(validation_error("(module (type (struct (field (ref 1)))) (type (struct)))"), "unknown type"));
  CHECK(validation_error("(module (rec (type (struct (field (ref 1)))) (type (struct (field (ref 0))))))") == "");
}

TEST_CASE("gc types: value subtyping follows declared supertypes", "[gc]") {
  const std::string types = R"((type $t (sub (struct (field i32)))) (type $u (sub $t (struct (field i32) (field i32)))))";
  CHECK(validation_error("(module " + types + R"( (func (param (ref $u)) (result (ref $t)) (local.get 0))))") == "");
  CHECK(has(validation_error("(module " + types + R"( (func (param (ref $t)) (result (ref $u)) (local.get 0))))"),
            "type mismatch"));
  CHECK(validation_error("(module " + types + R"( (func (param (ref $u)) (result eqref) (local.get 0))))") == "");
  CHECK(has(validation_error("(module " + types + R"( (func (param (ref $u)) (result arrayref) (local.get 0))))"),
            "type mismatch"));
}

TEST_CASE("gc types: GC instructions are validated", "[gc]") {
  const std::string types = R"((type $s (struct (field i32) (field (mut i8)) (field (mut anyref))))
                               (type $a (array (mut i16))) (type $ia (array i32)) (type $ra (array (mut anyref))))";
  auto module = [&](const std::string& body) { return "(module " + types + " (data \"ab\") (elem funcref) " + body + ")"; };
  CHECK(validation_error(module(R"((func (result i32)
      (struct.get $s 0 (struct.new $s (i32.const 1) (i32.const 2) (ref.null none))))
    (func (param (ref null $s)) (result i32) (struct.get_u $s 1 (local.get 0)))
    (func (param (ref null $a)) (result i32) (array.get_s $a (local.get 0) (i32.const 0)))
    (func (result (ref $a)) (array.new_data $a 0 (i32.const 0) (i32.const 1)))
    (func (result (ref $ia)) (array.new_fixed $ia 2 (i32.const 1) (i32.const 2)))
    (func (param anyref) (result i32) (ref.test (ref $s) (local.get 0)))
    (func (param anyref) (result (ref null $s)) (ref.cast (ref null $s) (local.get 0)))
    (func (param externref) (result anyref) (any.convert_extern (local.get 0)))
    (func (result i32) (i31.get_s (ref.i31 (i32.const -1))))
    (func (param eqref eqref) (result i32) (ref.eq (local.get 0) (local.get 1)))
    (func (param anyref) (result anyref)
      (block $l (result (ref $s)) (br_on_cast $l anyref (ref $s) (local.get 0)) (return)))
    (func (param (ref null $a) (ref null $a)) (array.copy $a $a (local.get 0) (i32.const 0) (local.get 1) (i32.const 0) (i32.const 1)))
  )")) == "");
  CHECK(has(validation_error(module("(func (param (ref null $s)) (result i32) (struct.get $s 1 (local.get 0)))")),
            "type mismatch"));
  CHECK(has(validation_error(module("(func (param (ref null $s)) (struct.set $s 0 (local.get 0) (i32.const 1)))")),
            "immutable field"));
  CHECK(has(validation_error(module("(func (param (ref null $ia)) (array.set $ia (local.get 0) (i32.const 0) (i32.const 1)))")),
            "immutable array"));
  CHECK(has(validation_error(module("(func (result (ref $ra)) (array.new_data $ra 0 (i32.const 0) (i32.const 1)))")),
            "array type is not numeric or vector"));
  CHECK(has(validation_error(module(R"((func (param (ref null $a) (ref null $ia))
      (array.copy $a $ia (local.get 0) (i32.const 0) (local.get 1) (i32.const 0) (i32.const 1))))")),
            "array types do not match"));
  CHECK(has(validation_error(module("(func (param externref) (result i32) (ref.test (ref $s) (local.get 0)))")),
            "type mismatch"));
  CHECK(has(validation_error(module("(func (param anyref) (result (ref $s)) (ref.cast (ref null $s) (local.get 0)))")),
            "type mismatch"));
  CHECK(has(validation_error(module(R"((func (param (ref any)) (result anyref)
      (block $l (result (ref $s)) (br_on_cast $l (ref $s) anyref (local.get 0)) (return))))")),
            "type mismatch"));
  CHECK(has(validation_error(module("(func (result anyref) (struct.new $a))")), "type mismatch"));
}

TEST_CASE("gc types: GC constant expressions are validated", "[gc]") {
  const std::string types = R"((type $s (struct (field i32))) (type $a (array i8)))";
  CHECK(validation_error("(module " + types + R"(
      (global (ref $s) (struct.new $s (i32.add (i32.const 1) (i32.const 2))))
      (global (ref $a) (array.new_fixed $a 2 (i32.const 1) (i32.const 2)))
      (global (ref $a) (array.new_default $a (i32.const 4)))
      (global i31ref (ref.i31 (i32.const 5)))
      (global externref (extern.convert_any (ref.i31 (i32.const 5))))))") == "");
  CHECK(has(validation_error("(module " + types + R"( (global (ref $s) (struct.new $s (i64.const 1)))))"),
            "type mismatch"));
  CHECK(has(validation_error("(module " + types + R"( (data "") (global (ref $a) (array.new_data $a 0 (i32.const 0) (i32.const 0)))))"),
            "constant expression required"));
}

TEST_CASE("gc types: modules needing GC objects are refused as unsupported", "[gc]") {
  Fixture fx;
  auto unsupported = [&](const std::string& wat) {
    auto m = fx.compile(wat);
    if (m) return std::string("<compiled>");
    CHECK(m.error().kind() == ErrorKind::Unsupported);
    return m.error().message();
  };
  CHECK(has(unsupported(R"((module (type $s (struct)) (func (drop (struct.new $s)))))"), "GC instructions are not compiled yet"));
  CHECK(has(unsupported(R"((module (func (param i32) (result i32) (i31.get_u (ref.i31 (local.get 0))))))"),
            "GC instructions"));
  CHECK(has(unsupported(R"((module (global anyref (ref.null any))))"), "GC references"));
  CHECK(has(unsupported(R"((module (type $t (sub (func))) (import "m" "g" (global (ref null $t)))))"), "non-final"));
  // An invalid module is still reported as invalid.
  auto invalid = fx.compile(R"((module (type $s (struct (field i32))) (func (struct.set $s 0 (ref.null $s) (i32.const 0)))))");
  REQUIRE_FALSE(invalid);
  CHECK(invalid.error().kind() == ErrorKind::Validate);
  // Types alone are fine.
  CHECK(fx.compile(R"((module (type $s (struct (field i32))) (type $t (sub (func))) (func (type $t))))"));
}
