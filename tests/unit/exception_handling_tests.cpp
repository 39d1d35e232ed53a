// Exception handling end to end: throw / try_table / throw_ref and the legacy forms in the
// baseline JIT, through every control structure and several frames, across host frames in
// both directions, with payloads of every value type, and the host API (Tag, Exn, errors).
// Expected values are computed by hand from the wat below, never by the code under test.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <wasm.hpp>

namespace {

wasm::Engine make_engine() {
  wasm::Config config;
  wasm::Features f;
  f.exceptions = true;
  config.wasm_features(f);
  return wasm::Engine(config);
}

// One module instance with call helpers.
struct Fixture {
  wasm::Engine engine = make_engine();
  wasm::Store<int> store{engine, 0};
  wasm::Linker<int> linker{engine};
  wasm::Instance instance;

  void load(const std::string& wat) {
    auto module = wasm::Module::from_wat(engine, wat);
    if (!module) FAIL(module.error().to_string());
    auto inst = linker.instantiate(store, *module);
    if (!inst) FAIL(inst.error().to_string());
    instance = *inst;
  }
  wasm::Result<std::vector<wasm::Val>> call(const std::string& name, std::vector<wasm::Val> args,
                                            std::vector<wasm::Val> results) {
    auto f = instance.get_func(store, name);
    REQUIRE(f);
    auto r = f->call(store, args, results);
    if (!r) return std::move(r).error();
    return results;
  }
  int32_t i32(const std::string& name, std::vector<wasm::Val> args = {}) {
    auto r = call(name, std::move(args), {wasm::Val(int32_t(0))});
    if (!r) FAIL(name + ": " + r.error().to_string());
    return (*r)[0].i32();
  }
};

// Throws through block, loop, if/else and br_table, and catches with each clause kind.
const char* kControl = R"(
(module
  (tag $e (param i32))
  (tag $f)
  (func $thrower (param i32) (throw $e (local.get 0)))
  (func (export "in_block") (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (block (block (call $thrower (i32.const 11))))
      )
      (i32.const -1)))
  (func (export "in_loop") (result i32) (local $i i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (loop $l
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (if (i32.eq (local.get $i) (i32.const 7)) (then (throw $e (i32.mul (local.get $i) (i32.const 3)))))
          (br $l)))
      (i32.const -1)))
  (func (export "in_if") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (if (local.get 0)
          (then (call $thrower (i32.const 100)))
          (else (call $thrower (i32.const 200)))))
      (i32.const -1)))
  (func (export "in_br_table") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (block $a (block $b (block $c (br_table $a $b $c (local.get 0))) (call $thrower (i32.const 3)))
          (call $thrower (i32.const 2)))
        (call $thrower (i32.const 1)))
      (i32.const -1)))
  ;; The inner try_table catches only $f; the outer one catches $e.
  (func (export "nested") (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (block $g
          (try_table (catch $f $g)
            (call $thrower (i32.const 42)))
          (return (i32.const -2))))
      (i32.const -1)))
  ;; catch_all, and a try_table that catches nothing lets the exception through.
  (func (export "catch_all") (result i32)
    (block $h
      (try_table (catch_all $h)
        (try_table (call $thrower (i32.const 1))))
      (return (i32.const -1)))
    (i32.const 5))
  ;; catch_ref then throw_ref: the outer handler sees the same payload.
  (func (export "rethrow_ref") (result i32)
    (block $outer (result i32)
      (try_table (catch $e $outer)
        (block $h (result exnref)
          (try_table (catch_all_ref $h) (call $thrower (i32.const 77)))
          (unreachable))
        (throw_ref))
      (i32.const -1)))
  ;; Locals set inside the try (to a constant and to a computed value) are seen by the handler.
  (func (export "locals") (param i32) (result i32) (local $a i32) (local $b i32)
    (block $h
      (try_table (catch_all $h)
        (local.set $a (i32.const 1000))
        (local.set $b (i32.mul (local.get 0) (i32.const 2)))
        (call $thrower (i32.const 0)))
      (return (i32.const -1)))
    (i32.add (local.get $a) (local.get $b)))
  ;; Values below the try stay on the operand stack across the catch.
  (func (export "stack_below") (result i32)
    (i32.const 30)
    (i32.const 12)
    (block $h (result i32)
      (try_table (catch $e $h) (call $thrower (i32.const 100)))
      (i32.const -1))
    (i32.add)
    (i32.add))
  ;; No throw: the try_table's result goes on as usual.
  (func (export "no_throw") (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h) (i32.const 9)))))
)";

TEST_CASE("exceptions: throw and catch through every control structure", "[exceptions]") {
  Fixture fx;
  fx.load(kControl);
  CHECK(fx.i32("in_block") == 11);
  CHECK(fx.i32("in_loop") == 21);
  CHECK(fx.i32("in_if", {wasm::Val(int32_t(1))}) == 100);
  CHECK(fx.i32("in_if", {wasm::Val(int32_t(0))}) == 200);
  CHECK(fx.i32("in_br_table", {wasm::Val(int32_t(0))}) == 1);
  CHECK(fx.i32("in_br_table", {wasm::Val(int32_t(1))}) == 2);
  CHECK(fx.i32("in_br_table", {wasm::Val(int32_t(2))}) == 3);
  CHECK(fx.i32("in_br_table", {wasm::Val(int32_t(9))}) == 3);
  CHECK(fx.i32("nested") == 42);
  CHECK(fx.i32("catch_all") == 5);
  CHECK(fx.i32("rethrow_ref") == 77);
  CHECK(fx.i32("locals", {wasm::Val(int32_t(21))}) == 1042);
  CHECK(fx.i32("stack_below") == 142);
  CHECK(fx.i32("no_throw") == 9);
}

// Several frames between the throw and the handler, and deep recursion unwound at once.
const char* kFrames = R"(
(module
  (tag $e (param i32 i64))
  (func $f3 (param i32) (throw $e (local.get 0) (i64.const 0x100000000)))
  (func $f2 (param i32) (result i32) (call $f3 (i32.add (local.get 0) (i32.const 1))) (i32.const -1))
  (func $f1 (param i32) (result i32) (drop (call $f2 (i32.add (local.get 0) (i32.const 10)))) (i32.const -1))
  (func (export "frames") (result i64) (local $wide i64)
    (block $h (result i32 i64)
      (try_table (catch $e $h) (drop (call $f1 (i32.const 100))))
      (return (i64.const -1)))
    (local.set $wide)
    (i64.add (i64.extend_i32_u) (local.get $wide)))
  (func $down (param i32) (result i32)
    (if (i32.eqz (local.get 0)) (then (throw $e (i32.const 7) (i64.const 0))))
    (i32.add (call $down (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))
  (func (export "deep") (param i32) (result i32)
    (block $h (result i32 i64)
      (try_table (catch $e $h) (drop (call $down (local.get 0))))
      (return (i32.const -1)))
    (drop))
)
)";

TEST_CASE("exceptions: unwinding through several frames", "[exceptions]") {
  Fixture fx;
  fx.load(kFrames);
  auto r = fx.call("frames", {}, {wasm::Val(int64_t(0))});
  REQUIRE(r);
  CHECK((*r)[0].i64() == 0x100000000 + 111);
  CHECK(fx.i32("deep", {wasm::Val(int32_t(5000))}) == 7);
  CHECK(fx.i32("deep", {wasm::Val(int32_t(0))}) == 7);
}

// Legacy try / catch / catch_all / rethrow / delegate.
const char* kLegacy = R"(
(module
  (tag $e (param i32))
  (tag $f)
  (func $thrower (param i32) (throw $e (local.get 0)))
  (func (export "catch") (result i32)
    (try (result i32) (do (call $thrower (i32.const 4)) (i32.const -1))
      (catch $f (i32.const -2))
      (catch $e (i32.add (i32.const 1)))))
  (func (export "catch_all") (result i32)
    (try (result i32) (do (throw $f) (i32.const -1)) (catch_all (i32.const 6))))
  (func (export "rethrow") (result i32)
    (try (result i32)
      (do
        (try (do (call $thrower (i32.const 8)))
          (catch $e (drop) (rethrow 0)))
        (i32.const -1))
      (catch $e)))
  (func (export "delegate") (result i32)
    (try (result i32)
      (do
        (try (do
          (try (do (call $thrower (i32.const 3))) (delegate 1)))
          (catch_all (return (i32.const -2))))
        (i32.const -1))
      (catch $e (i32.mul (i32.const 10)))))
)
)";

TEST_CASE("exceptions: legacy try, catch, catch_all, rethrow and delegate", "[exceptions]") {
  Fixture fx;
  fx.load(kLegacy);
  CHECK(fx.i32("catch") == 5);
  CHECK(fx.i32("catch_all") == 6);
  CHECK(fx.i32("rethrow") == 8);
  CHECK(fx.i32("delegate") == 30);
}

// A payload of every value type comes out of the handler unchanged.
const char* kPayload = R"(
(module
  (tag $all (export "all") (param i32 i64 f32 f64 v128 funcref externref))
  (func $target)
  (elem declare func $target)
  (func (export "throw_all") (param externref)
    (throw $all (i32.const -5) (i64.const 0x123456789) (f32.const 1.5) (f64.const -2.25)
                (v128.const i32x4 1 2 3 4) (ref.func $target) (local.get 0)))
  (func (export "catch_all_types") (param externref)
        (result i32 i64 f32 f64 v128 funcref externref)
    (block $h (result i32 i64 f32 f64 v128 funcref externref)
      (try_table (catch $all $h)
        (throw $all (i32.const -5) (i64.const 0x123456789) (f32.const 1.5) (f64.const -2.25)
                    (v128.const i32x4 1 2 3 4) (ref.func $target) (local.get 0)))
      (unreachable)))
)
)";

TEST_CASE("exceptions: payloads of every value type", "[exceptions]") {
  Fixture fx;
  fx.load(kPayload);
  int host_object = 0;
  wasm::Val ext(wasm::ExternRef{&host_object});
  std::vector<wasm::Val> out{wasm::Val(int32_t(0)), wasm::Val(int64_t(0)), wasm::Val(0.0f), wasm::Val(0.0),
                             wasm::Val(wasm::V128{}), wasm::Val(wasm::FuncRef{}), wasm::Val(wasm::ExternRef{})};
  auto r = fx.call("catch_all_types", {ext}, out);
  REQUIRE(r);
  CHECK((*r)[0].i32() == -5);
  CHECK((*r)[1].i64() == 0x123456789);
  CHECK((*r)[2].f32() == 1.5f);
  CHECK((*r)[3].f64() == -2.25);
  wasm::V128 v = (*r)[4].v128();
  uint32_t lanes[4];
  std::memcpy(lanes, v.bytes.data(), 16);
  CHECK(lanes[0] == 1);
  CHECK(lanes[3] == 4);
  CHECK(bool((*r)[5].funcref()));
  CHECK((*r)[6].externref().ptr == &host_object);

  // The same payload escaping to the host.
  auto escaped = fx.call("throw_all", {ext}, {});
  REQUIRE_FALSE(escaped);
  CHECK(escaped.error().kind() == wasm::ErrorKind::Exception);
  auto exn = wasm::Exn::from_error(escaped.error());
  REQUIRE(exn);
  auto tag = exn->tag(fx.store);
  REQUIRE(tag);
  CHECK(*tag == *fx.instance.get_tag(fx.store, "all"));
  auto payload = exn->payload(fx.store);
  REQUIRE(payload);
  REQUIRE(payload->size() == 7);
  CHECK((*payload)[0].i32() == -5);
  CHECK((*payload)[1].i64() == 0x123456789);
  CHECK((*payload)[3].f64() == -2.25);
  CHECK((*payload)[6].externref().ptr == &host_object);
  CHECK_FALSE(escaped.error().backtrace().empty());
}

TEST_CASE("exceptions: an exnref inside a payload", "[exceptions]") {
  Fixture fx;
  // Caught with its exnref, boxed into another exception, unboxed and thrown again.
  fx.load(R"(
    (module
      (tag $boxed (param exnref))
      (tag $inner (param i32))
      (func (export "run") (result i32)
        (block $h1 (result i32)
          (try_table (catch $inner $h1)
            (block $h2 (result exnref)
              (try_table (catch $boxed $h2)
                (block $h3 (result i32 exnref)
                  (try_table (catch_ref $inner $h3) (throw $inner (i32.const 55)))
                  (unreachable))
                (throw $boxed))
              (unreachable))
            (throw_ref))
          (unreachable))))
  )");
  CHECK(fx.i32("run") == 55);
}

TEST_CASE("exceptions: wasm -> host -> wasm -> throw, caught by the outer wasm", "[exceptions]") {
  Fixture fx;
  wasm::Instance* self = &fx.instance;
  int host_calls = 0;
  REQUIRE(fx.linker.func_new(
      "host", "call_back", wasm::FuncType{{wasm::ValType::I32}, {}},
      [&](wasm::Caller<int>& caller, std::span<const wasm::Val> args, std::span<wasm::Val>) -> wasm::Result<void> {
        ++host_calls;
        auto inner = self->get_func(caller, "inner");
        REQUIRE(inner);
        std::vector<wasm::Val> none;
        auto r = inner->call(caller, args, none);
        REQUIRE_FALSE(r);
        CHECK(r.error().kind() == wasm::ErrorKind::Exception);
        return std::move(r).error();  // throws it on into the outer wasm
      }));
  fx.load(R"(
    (module
      (import "host" "call_back" (func $call_back (param i32)))
      (tag $e (param i32))
      (func (export "inner") (param i32) (throw $e (i32.add (local.get 0) (i32.const 1))))
      (func (export "outer") (result i32)
        (block $h (result i32)
          (try_table (catch $e $h) (call $call_back (i32.const 40)))
          (i32.const -1))))
  )");
  CHECK(fx.i32("outer") == 41);
  CHECK(host_calls == 1);
  CHECK(fx.i32("outer") == 41);  // the store is fine for the next call
}

TEST_CASE("exceptions: host-created tags and exceptions", "[exceptions]") {
  Fixture fx;
  auto tag = wasm::Tag::create(fx.store, wasm::FuncType{{wasm::ValType::I32, wasm::ValType::F64}, {}});
  REQUIRE(tag);
  REQUIRE(fx.linker.define("host", "tag", *tag));
  REQUIRE(fx.linker.func_new(
      "host", "throws", wasm::FuncType{{wasm::ValType::I32}, {}},
      [&](wasm::Caller<int>& caller, std::span<const wasm::Val> args, std::span<wasm::Val>) -> wasm::Result<void> {
        auto exn = wasm::Exn::create(caller, *tag, {wasm::Val(args[0].i32() * 2), wasm::Val(0.5)});
        REQUIRE(exn);
        return exn->to_error();
      }));
  REQUIRE(fx.linker.func_wrap("host", "cpp_throws", []() -> int32_t { throw std::runtime_error("boom"); }));
  fx.load(R"(
    (module
      (import "host" "tag" (tag $t (param i32 f64)))
      (import "host" "throws" (func $throws (param i32)))
      (import "host" "cpp_throws" (func $cpp_throws (result i32)))
      (func (export "catch_host") (result i32)
        (block $h (result i32 f64)
          (try_table (catch $t $h) (call $throws (i32.const 21)))
          (return (i32.const -1)))
        (i32.trunc_f64_s (f64.mul (f64.const 4)))
        (i32.add))
      (func (export "cpp_not_catchable") (result i32)
        (block $h
          (try_table (catch_all $h) (drop (call $cpp_throws)))
          (return (i32.const -1)))
        (i32.const -2))
      (func (export "throw_host_tag") (throw $t (i32.const 3) (f64.const 1))))
  )");
  CHECK(fx.i32("catch_host") == 44);

  auto trapped = fx.call("cpp_not_catchable", {}, {wasm::Val(int32_t(0))});
  REQUIRE_FALSE(trapped);
  CHECK(trapped.error().kind() == wasm::ErrorKind::Trap);
  CHECK(trapped.error().trap_code() == wasm::TrapCode::HostError);

  // Wasm throws with the host's tag; the host sees its own tag.
  auto escaped = fx.call("throw_host_tag", {}, {});
  REQUIRE_FALSE(escaped);
  auto exn = wasm::Exn::from_error(escaped.error());
  REQUIRE(exn);
  CHECK(*exn->tag(fx.store) == *tag);
  CHECK((*exn->payload(fx.store))[0].i32() == 3);

  // Wrong payloads are refused.
  CHECK_FALSE(wasm::Exn::create(fx.store, *tag, {wasm::Val(int32_t(1))}));
  CHECK_FALSE(wasm::Exn::create(fx.store, *tag, {wasm::Val(1.0), wasm::Val(1.0)}));
}

TEST_CASE("exceptions: tag imports are matched by type at link time", "[exceptions]") {
  Fixture fx;
  auto tag = wasm::Tag::create(fx.store, wasm::FuncType{{wasm::ValType::I64}, {}});
  REQUIRE(tag);
  REQUIRE(fx.linker.define("host", "tag", *tag));
  auto module = wasm::Module::from_wat(fx.engine, R"((module (import "host" "tag" (tag (param i32)))))");
  REQUIRE(module);
  auto inst = fx.linker.instantiate(fx.store, *module);
  REQUIRE_FALSE(inst);
  CHECK(inst.error().kind() == wasm::ErrorKind::Link);
  CHECK(inst.error().message().find("incompatible import type") != std::string::npos);
  CHECK_FALSE(wasm::Tag::create(fx.store, wasm::FuncType{{}, {wasm::ValType::I32}}));
}

TEST_CASE("exceptions: two instances of one module define different tags", "[exceptions]") {
  wasm::Engine engine = make_engine();
  wasm::Store<int> store(engine, 0);
  wasm::Linker<int> linker(engine);
  auto thrower = wasm::Module::from_wat(engine, R"(
    (module (tag $e (export "e")) (func (export "throw") (throw $e))))");
  REQUIRE(thrower);
  auto a = linker.instantiate(store, *thrower);
  auto b = linker.instantiate(store, *thrower);
  REQUIRE(a);
  REQUIRE(b);
  REQUIRE(linker.instance(store, "a", *a));
  REQUIRE(linker.define("b", "throw", *b->get_func(store, "throw")));
  auto catcher = wasm::Module::from_wat(engine, R"(
    (module
      (import "a" "e" (tag $ea))
      (import "a" "throw" (func $throw_a))
      (import "b" "throw" (func $throw_b))
      (func (export "catch_a") (result i32)
        (block $h (try_table (catch $ea $h) (call $throw_a)) (return (i32.const 0))) (i32.const 1))
      (func (export "catch_b") (result i32)
        (block $h (try_table (catch $ea $h) (call $throw_b)) (return (i32.const 0))) (i32.const 1))))");
  REQUIRE(catcher);
  auto c = linker.instantiate(store, *catcher);
  REQUIRE(c);
  std::vector<wasm::Val> out{wasm::Val(int32_t(0))};
  REQUIRE(c->get_func(store, "catch_a")->call(store, {}, out));
  CHECK(out[0].i32() == 1);
  auto r = c->get_func(store, "catch_b")->call(store, {}, out);
  REQUIRE_FALSE(r);  // b's tag is another tag: nothing catches it
  CHECK(r.error().kind() == wasm::ErrorKind::Exception);
}

TEST_CASE("exceptions: throw_ref of null traps, and traps are not caught", "[exceptions]") {
  Fixture fx;
  fx.load(R"(
    (module
      (func (export "null") (throw_ref (ref.null exn)))
      (func (export "trap") (result i32)
        (block $h (try_table (catch_all $h) (unreachable)) (return (i32.const 0)))
        (i32.const 1)))
  )");
  auto r = fx.call("null", {}, {});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == wasm::ErrorKind::Trap);
  CHECK(r.error().trap_code() == wasm::TrapCode::NullReference);
  auto t = fx.call("trap", {}, {wasm::Val(int32_t(0))});
  REQUIRE_FALSE(t);
  CHECK(t.error().trap_code() == wasm::TrapCode::UnreachableCodeReached);
}

}  // namespace
