// The embedding API end to end: compile, link host functions, instantiate, call through
// TypedFunc and Func, memories, errors and traps with backtraces, re-entrancy, fuel and epochs.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <wasm.hpp>

#include "test_modules.hpp"

namespace {

struct MyData {
  std::vector<std::string> lines;
  int calls = 0;
};

// Links env.add and env.log for api.wat.
void define_env(wasm::Linker<MyData>& linker) {
  REQUIRE(linker.func_wrap("env", "add", [](int32_t a, int32_t b) { return a + b; }));
  REQUIRE(linker.func_wrap("env", "log", [](wasm::Caller<MyData>& c, int32_t ptr, int32_t len) {
    std::optional<wasm::Memory> mem = c.get_memory("memory");
    std::span<uint8_t> bytes = mem->data(c);
    c.data().lines.emplace_back(reinterpret_cast<const char*>(bytes.data()) + ptr, len);
  }));
}

}  // namespace

TEST_CASE("the issue's snippet compiles and runs as written", "[api]") {
  std::vector<uint8_t> bytes = load_test_module("api");
  wasm::Config config;
  config.consume_fuel(true).epoch_interruption(true);     // both off by default
  wasm::Engine engine(config);                            // wasm::Engine engine; for the defaults
  wasm::Result<wasm::Module> m = wasm::Module::compile(engine, bytes);   // bytes: std::span<const uint8_t>
  REQUIRE(m);
  wasm::Store<MyData> store(engine, MyData{});            // wasm::Store<> for no data; store.data()
  REQUIRE(store.set_fuel(10'000));
  store.set_epoch_deadline(100);
  wasm::Linker<MyData> linker(engine);
  linker.func_wrap("env", "add", [](int32_t a, int32_t b) { return a + b; });
  linker.func_wrap("env", "log", [](wasm::Caller<MyData>& c, int32_t ptr, int32_t len) {
    std::optional<wasm::Memory> mem = c.get_memory("memory");   // the calling instance's export
    std::span<uint8_t> bytes = mem->data(c);                    // Store<T>& and Caller<T>& both work here
    c.data().lines.emplace_back(reinterpret_cast<const char*>(bytes.data()) + ptr, len);
  });
  wasm::Result<wasm::Instance> inst = linker.instantiate(store, *m);
  REQUIRE(inst);
  auto f = inst->get_typed_func<std::tuple<int32_t, int32_t>, int32_t>(store, "f");  // Result<TypedFunc<...>>
  REQUIRE(f);
  wasm::Result<int32_t> r = f->call(store, 1, 2);
  REQUIRE(r);
  CHECK(*r == 3);
  CHECK(store.data().lines == std::vector<std::string>{"hello from wasm"});
  auto d = inst->get_typed_func<std::tuple<int32_t, int32_t>, int32_t>(store, "div");
  wasm::Result<int32_t> q = d->call(store, 1, 0);
  CHECK((!q && q.error().trap_code() == wasm::TrapCode::IntegerDivisionByZero));
  std::optional<wasm::Memory> mem = inst->get_memory(store, "memory");
  REQUIRE(mem);
  CHECK(mem->size(store) == 1);
  store.set_fuel(10'000);  store.set_epoch_deadline(1);  engine.increment_epoch();
  auto late = d->call(store, 7, 2);  // the epoch has reached the deadline: interrupted
  CHECK((!late && late.error().trap_code() == wasm::TrapCode::Interrupt));
  store.set_epoch_deadline(1);
  CHECK(d->call(store, 7, 2).value() == 3);
}

TEST_CASE("Result is expected-like, with a void case", "[api]") {
  wasm::Result<int> ok = 5;
  CHECK(bool(ok));
  CHECK(*ok == 5);
  CHECK(ok.value() == 5);
  wasm::Result<std::string> s = std::string("abc");
  CHECK(s->size() == 3);
  wasm::Result<int> bad = wasm::Error(wasm::ErrorKind::Link, "nope");
  CHECK_FALSE(bad);
  CHECK(bad.error().kind() == wasm::ErrorKind::Link);
  CHECK_FALSE(bad.error().trap_code());
  wasm::Result<void> v;
  CHECK(bool(v));
  wasm::Result<void> t = wasm::Error::trap(wasm::TrapCode::OutOfFuel);
  CHECK_FALSE(t);
  CHECK(t.error().trap_code() == wasm::TrapCode::OutOfFuel);
  CHECK(t.error().message() == "all fuel consumed");
}

TEST_CASE("errors come with their kind", "[api]") {
  wasm::Engine engine;
  std::vector<uint8_t> junk = {0x00, 0x61, 0x73, 0x6D, 0x02, 0x00, 0x00, 0x00};
  auto decode = wasm::Module::compile(engine, junk);
  REQUIRE_FALSE(decode);
  CHECK(decode.error().kind() == wasm::ErrorKind::Decode);

  // (module (func (result i32) (i64.const 0)))
  std::vector<uint8_t> invalid = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60,
                                  0x00, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x06, 0x01, 0x04, 0x00,
                                  0x42, 0x00, 0x0b};
  auto validate = wasm::Module::compile(engine, invalid);
  REQUIRE_FALSE(validate);
  CHECK(validate.error().kind() == wasm::ErrorKind::Validate);
  CHECK_THAT(validate.error().message(), Catch::Contains("type mismatch") && Catch::Contains("function 0"));

  auto m = wasm::Module::compile(engine, load_test_module("api"));
  REQUIRE(m);
  wasm::Store<MyData> store(engine);
  wasm::Linker<MyData> linker(engine);
  auto missing = linker.instantiate(store, *m);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind() == wasm::ErrorKind::Link);
  CHECK_THAT(missing.error().message(), Catch::Contains("\"env\" \"add\""));

  // env.add with the wrong type names the import.
  REQUIRE(linker.func_wrap("env", "add", [](int64_t a) { return a; }));
  REQUIRE(linker.func_wrap("env", "log", [](int32_t, int32_t) {}));
  auto wrong = linker.instantiate(store, *m);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().kind() == wasm::ErrorKind::Link);
  CHECK_THAT(wrong.error().message(), Catch::Contains("incompatible import type") && Catch::Contains("add"));
}

TEST_CASE("get_typed_func checks the signature", "[api]") {
  wasm::Engine engine;
  wasm::Store<MyData> store(engine);
  wasm::Linker<MyData> linker(engine);
  define_env(linker);
  auto inst = linker.instantiate(store, *wasm::Module::compile(engine, load_test_module("api")));
  REQUIRE(inst);
  auto wrong = inst->get_typed_func<std::tuple<int32_t>, int32_t>(store, "f");
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().kind() == wasm::ErrorKind::Type);
  auto absent = inst->get_typed_func<void, void>(store, "no-such-export");
  CHECK_FALSE(absent);
}

TEST_CASE("multi-value results and stack-passed parameters", "[api]") {
  wasm::Engine engine;
  wasm::Store<MyData> store(engine);
  wasm::Linker<MyData> linker(engine);
  define_env(linker);
  auto inst = linker.instantiate(store, *wasm::Module::compile(engine, load_test_module("api")));
  REQUIRE(inst);
  auto pair = inst->get_typed_func<std::tuple<int64_t, double>, std::tuple<double, int64_t>>(store, "pair");
  REQUIRE(pair);
  auto r = pair->call(store, int64_t(-7), 2.5);
  REQUIRE(r);
  CHECK(*r == std::make_tuple(2.5, int64_t(-7)));

  // Ten parameters: more integers than registers, so the typed call goes by array.
  using Many = std::tuple<int32_t, int64_t, float, double, int32_t, int64_t, float, double, int32_t, int64_t>;
  auto many = inst->get_typed_func<Many, double>(store, "many");
  REQUIRE(many);
  auto sum = many->call(store, 1, int64_t(2), 3.0f, 4.0, 5, int64_t(6), 7.0f, 8.0, 9, int64_t(10));
  REQUIRE(sum);
  CHECK(*sum == 55.0);

  // The same through the untyped path.
  auto f = inst->get_func(store, "pair");
  REQUIRE(f);
  std::vector<wasm::Val> results(2);
  REQUIRE(f->call(store, std::vector<wasm::Val>{wasm::Val(int64_t(3)), wasm::Val(0.5)}, results));
  CHECK(results[0].f64() == 0.5);
  CHECK(results[1].i64() == 3);
  std::vector<wasm::Val> bad_args = {wasm::Val(int32_t(3)), wasm::Val(0.5)};
  auto bad = f->call(store, bad_args, results);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind() == wasm::ErrorKind::Type);
}

TEST_CASE("host functions: results, tuples, Result errors and exceptions", "[api]") {
  wasm::Engine engine;
  wasm::Store<MyData> store(engine);
  int captured = 40;
  auto add_captured = wasm::Func::wrap(store, [&captured](int32_t x) { return captured + x; });
  auto typed = wasm::TypedFunc<int32_t, int32_t>::from(store, add_captured);
  REQUIRE(typed);
  CHECK(typed->call(store, 2).value() == 42);

  auto swap = wasm::Func::wrap(store, [](int64_t a, double b) { return std::make_tuple(b, a); });
  auto swap_typed = wasm::TypedFunc<std::tuple<int64_t, double>, std::tuple<double, int64_t>>::from(store, swap);
  REQUIRE(swap_typed);
  CHECK(swap_typed->call(store, int64_t(1), 2.0).value() == std::make_tuple(2.0, int64_t(1)));

  auto fails = wasm::Func::wrap(store, [](int32_t x) -> wasm::Result<int32_t> {
    if (x < 0) return wasm::Error::trap(wasm::TrapCode::IntegerOverflow, "negative input");
    return x * 2;
  });
  auto fails_typed = wasm::TypedFunc<int32_t, int32_t>::from(store, fails);
  CHECK(fails_typed->call(store, 4).value() == 8);
  auto err = fails_typed->call(store, -1);
  REQUIRE_FALSE(err);
  CHECK(err.error().trap_code() == wasm::TrapCode::IntegerOverflow);
  CHECK(err.error().message() == "negative input");

  auto throws = wasm::Func::wrap(store, []() -> int32_t { throw std::runtime_error("boom"); });
  auto throws_typed = wasm::TypedFunc<void, int32_t>::from(store, throws);
  auto thrown = throws_typed->call(store);
  REQUIRE_FALSE(thrown);
  CHECK(thrown.error().trap_code() == wasm::TrapCode::HostError);
  CHECK_THAT(thrown.error().message(), Catch::Contains("boom"));

  int32_t (*plain)(int32_t) = [](int32_t x) { return -x; };
  auto from_pointer = wasm::Func::wrap(store, plain);
  CHECK(wasm::TypedFunc<int32_t, int32_t>::from(store, from_pointer)->call(store, 5).value() == -5);

  // A dynamically typed host function through Func::create.
  wasm::FuncType type{{wasm::ValType::I32, wasm::ValType::I32}, {wasm::ValType::I32}};
  auto dynamic = wasm::Func::create(store, type, [](wasm::Caller<MyData>& c, std::span<const wasm::Val> args,
                                                    std::span<wasm::Val> results) -> wasm::Result<void> {
    c.data().calls++;
    results[0] = wasm::Val(args[0].i32() * args[1].i32());
    return {};
  });
  std::vector<wasm::Val> out(1);
  REQUIRE(dynamic.call(store, std::vector<wasm::Val>{wasm::Val(int32_t(6)), wasm::Val(int32_t(7))}, out));
  CHECK(out[0].i32() == 42);
  CHECK(store.data().calls == 1);

  // Failing dynamic host functions, called untyped (through the array trampoline) and typed
  // (the host entry trampoline calls their adapter directly): clean errors, and the store goes on.
  auto refuses = wasm::Func::create(store, type, [](wasm::Caller<MyData>&, std::span<const wasm::Val> args,
                                                    std::span<wasm::Val> results) -> wasm::Result<void> {
    if (args[0].i32() == 0) throw std::runtime_error("zero refused");
    if (args[0].i32() < 0) return wasm::Error::trap(wasm::TrapCode::IntegerOverflow, "negative refused");
    results[0] = wasm::Val(args[0].i32() + args[1].i32());
    return {};
  });
  auto refused = refuses.call(store, std::vector<wasm::Val>{wasm::Val(int32_t(0)), wasm::Val(int32_t(1))}, out);
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error().message(), Catch::Contains("zero refused"));
  auto refuses_typed = wasm::TypedFunc<std::tuple<int32_t, int32_t>, int32_t>::from(store, refuses);
  REQUIRE(refuses_typed);
  auto negative = refuses_typed->call(store, -1, 1);
  REQUIRE_FALSE(negative);
  CHECK(negative.error().trap_code() == wasm::TrapCode::IntegerOverflow);
  CHECK_THAT(refuses_typed->call(store, 0, 1).error().message(), Catch::Contains("zero refused"));
  CHECK(refuses_typed->call(store, 40, 2).value() == 42);
  CHECK(typed->call(store, 2).value() == 42);
}

TEST_CASE("host functions from member functions", "[api]") {
  struct Counter {
    int32_t base = 100;
    std::vector<std::string> seen;
    int32_t add(int32_t a, int32_t b) { return base + a + b; }
    void log(wasm::Caller<MyData>& c, int32_t ptr, int32_t len) {
      std::span<uint8_t> bytes = c.get_memory("memory")->data(c);
      seen.emplace_back(reinterpret_cast<const char*>(bytes.data()) + ptr, len);
      ++c.data().calls;
    }
  };
  struct Scale {
    int32_t k;
    int32_t times(int32_t x) const noexcept { return k * x; }
  };
  wasm::Engine engine;
  wasm::Store<MyData> store(engine);
  wasm::Linker<MyData> linker(engine);
  Counter counter;
  REQUIRE(linker.func_wrap("env", "add", &counter, &Counter::add));
  REQUIRE(linker.func_wrap("env", "log", &counter, &Counter::log));
  auto inst = linker.instantiate(store, *wasm::Module::compile(engine, load_test_module("api")));
  REQUIRE(inst);
  auto f = inst->get_typed_func<std::tuple<int32_t, int32_t>, int32_t>(store, "f");
  REQUIRE(f);
  CHECK(*f->call(store, 1, 2) == 103);
  counter.base = 5;  // the object is bound by pointer, not copied
  CHECK(*f->call(store, 1, 2) == 8);
  CHECK(counter.seen == std::vector<std::string>{"hello from wasm", "hello from wasm"});
  CHECK(store.data().calls == 2);

  // A const noexcept member function through Func::wrap, called from the host.
  Scale scale{7};
  wasm::Func times = wasm::Func::wrap(store, &scale, &Scale::times);
  CHECK(*times.type(store) == wasm::FuncType{{wasm::ValType::I32}, {wasm::ValType::I32}});
  auto typed = wasm::TypedFunc<int32_t, int32_t>::from(store, times);
  REQUIRE(typed);
  CHECK(*typed->call(store, 6) == 42);
}

TEST_CASE("untyped calls with more values than the inline array holds", "[api]") {
  wasm::Engine engine;
  wasm::Store<> store(engine);
  // Twenty parameters: Func::call's value array goes to the heap, and the native call passes
  // most of them on the stack.
  wasm::Func sum = wasm::Func::wrap(store, [](int32_t a0, int32_t a1, int32_t a2, int32_t a3, int32_t a4,
                                               int32_t a5, int32_t a6, int32_t a7, int32_t a8, int32_t a9,
                                               int64_t b0, int64_t b1, int64_t b2, int64_t b3, int64_t b4,
                                               double c0, double c1, double c2, double c3, double c4) {
    return double(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9) + double(b0 + b1 + b2 + b3 + b4) * 100 +
           (c0 + c1 + c2 + c3 + c4) * 10000;
  });
  std::vector<wasm::Val> args;
  for (int i = 0; i < 10; ++i) args.emplace_back(int32_t(i + 1));
  for (int i = 0; i < 5; ++i) args.emplace_back(int64_t(i + 1));
  for (int i = 0; i < 5; ++i) args.emplace_back(double(i + 1));
  std::vector<wasm::Val> results(1);
  REQUIRE(sum.call(store, args, results));
  CHECK(results[0].f64() == 55.0 + 15 * 100 + 15 * 10000);
}

TEST_CASE("wasm calls a host function that calls back into wasm", "[api]") {
  wasm::Engine engine;
  wasm::Store<MyData> store(engine);
  wasm::Linker<MyData> linker(engine);
  auto m = wasm::Module::compile(engine, load_test_module("reenter"));
  REQUIRE(m);
  std::optional<wasm::TypedFunc<int32_t, int32_t>> countdown;
  REQUIRE(linker.func_wrap("env", "callback", [&](wasm::Caller<MyData>& c, int32_t n) -> wasm::Result<int32_t> {
    c.data().calls++;
    return countdown->call(c, n);  // re-entrant: a Caller works wherever a Store does
  }));
  REQUIRE(linker.func_wrap("env", "thrower", []() { throw std::logic_error("host failure"); }));
  auto inst = linker.instantiate(store, *m);
  REQUIRE(inst);
  countdown = *inst->get_typed_func<int32_t, int32_t>(store, "countdown");
  CHECK(countdown->call(store, 50).value() == 50);
  CHECK(store.data().calls == 50);

  // A host exception deep inside becomes a trap and the store stays usable.
  auto throws = inst->get_typed_func<void, void>(store, "throws");
  auto r = throws->call(store);
  REQUIRE_FALSE(r);
  CHECK(r.error().trap_code() == wasm::TrapCode::HostError);
  CHECK_THAT(r.error().message(), Catch::Contains("host failure"));
  CHECK(countdown->call(store, 3).value() == 3);
}

namespace {
// Overwrites the stack below the caller, where frames of returned calls used to be.
[[gnu::noinline]] void scribble_below() {
  volatile unsigned char junk[64 * 1024];
  for (size_t i = 0; i < sizeof junk; ++i) junk[i] = 0x5a;
}
}  // namespace

TEST_CASE("a dynamic host function fails after calling back into wasm", "[api]") {
  // Re-entrant dynamic host functions nest 20 deep; the one at depth 10 fails after its own
  // callback returned (and after the stack below it was overwritten): the trap must unwind from
  // its frame, not from one of the returned calls'.
  wasm::Engine engine;
  wasm::Store<MyData> store(engine);
  wasm::Linker<MyData> linker(engine);
  auto m = wasm::Module::compile(engine, load_test_module("reenter"));
  REQUIRE(m);
  std::optional<wasm::Func> countdown;
  wasm::FuncType type{{wasm::ValType::I32}, {wasm::ValType::I32}};
  REQUIRE(linker.func_new("env", "callback", type,
                          [&](wasm::Caller<MyData>& c, std::span<const wasm::Val> args,
                              std::span<wasm::Val> results) -> wasm::Result<void> {
                            std::vector<wasm::Val> out(1);
                            if (auto r = countdown->call(c, std::vector<wasm::Val>{args[0]}, out); !r) return r;
                            scribble_below();
                            if (args[0].i32() == 10) return wasm::Error::trap(wasm::TrapCode::HostError, "refused at 10");
                            results[0] = out[0];
                            return {};
                          }));
  REQUIRE(linker.func_wrap("env", "thrower", []() {}));
  auto inst = linker.instantiate(store, *m);
  REQUIRE(inst);
  countdown = inst->get_func(store, "countdown");
  REQUIRE(countdown);
  auto typed = inst->get_typed_func<int32_t, int32_t>(store, "countdown");
  auto r = typed->call(store, 20);
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message(), Catch::Contains("refused at 10"));
  CHECK(typed->call(store, 9).value() == 9);
}

TEST_CASE("traps carry a backtrace with names from the name section", "[api]") {
  wasm::Engine engine;
  wasm::Store<MyData> store(engine);
  wasm::Linker<MyData> linker(engine);
  REQUIRE(linker.func_wrap("env", "callback", [](int32_t n) { return n; }));
  REQUIRE(linker.func_wrap("env", "thrower", []() {}));
  auto inst = linker.instantiate(store, *wasm::Module::compile(engine, load_test_module("reenter")));
  REQUIRE(inst);
  auto nested = inst->get_typed_func<void, void>(store, "nested_trap");
  auto r = nested->call(store);
  REQUIRE_FALSE(r);
  CHECK(r.error().trap_code() == wasm::TrapCode::UnreachableCodeReached);
  const auto& frames = r.error().backtrace();
  REQUIRE(frames.size() >= 3);
  CHECK(frames[0].func_name == "inner");
  CHECK(frames[1].func_name == "middle");
}

TEST_CASE("deep recursion ends in a stack-overflow trap and the thread goes on", "[api]") {
  wasm::Engine engine;
  wasm::Store<MyData> store(engine);
  wasm::Linker<MyData> linker(engine);
  define_env(linker);
  auto inst = linker.instantiate(store, *wasm::Module::compile(engine, load_test_module("api")));
  auto deep = inst->get_typed_func<int32_t, int32_t>(store, "deep");
  for (int i = 0; i < 3; ++i) {
    auto r = deep->call(store, 0);
    REQUIRE_FALSE(r);
    CHECK(r.error().trap_code() == wasm::TrapCode::StackOverflow);
  }
  auto div = inst->get_typed_func<std::tuple<int32_t, int32_t>, int32_t>(store, "div");
  CHECK(div->call(store, 9, 3).value() == 3);
}

TEST_CASE("fuel stops an infinite loop", "[api][interrupt]") {
  wasm::Config config;
  config.consume_fuel(true);
  wasm::Engine engine(config);
  wasm::Store<MyData> store(engine);
  wasm::Linker<MyData> linker(engine);
  define_env(linker);
  auto inst = linker.instantiate(store, *wasm::Module::compile(engine, load_test_module("api")));
  REQUIRE(inst);
  REQUIRE(store.set_fuel(100'000));
  auto spin = inst->get_typed_func<void, void>(store, "spin");
  auto r = spin->call(store);
  REQUIRE_FALSE(r);
  CHECK(r.error().trap_code() == wasm::TrapCode::OutOfFuel);
  CHECK(store.get_fuel().value() == 0);
  // With fuel off, set_fuel is an error.
  wasm::Engine plain;
  wasm::Store<> other(plain);
  CHECK_FALSE(other.set_fuel(1));
}

TEST_CASE("an epoch deadline stops an infinite loop from another thread", "[api][interrupt]") {
  wasm::Config config;
  config.epoch_interruption(true);
  wasm::Engine engine(config);
  wasm::Store<MyData> store(engine);
  wasm::Linker<MyData> linker(engine);
  define_env(linker);
  auto inst = linker.instantiate(store, *wasm::Module::compile(engine, load_test_module("api")));
  REQUIRE(inst);
  store.set_epoch_deadline(1);
  std::atomic<bool> done{false};
  std::thread ticker([&] {
    while (!done) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      engine.increment_epoch();
    }
  });
  auto spin = inst->get_typed_func<void, void>(store, "spin");
  auto r = spin->call(store);
  done = true;
  ticker.join();
  REQUIRE_FALSE(r);
  CHECK(r.error().trap_code() == wasm::TrapCode::Interrupt);
}

namespace {
struct RefuseBeyond : wasm::ResourceLimiter {
  uint64_t max_bytes;
  explicit RefuseBeyond(uint64_t m) : max_bytes(m) {}
  bool memory_growing(uint64_t, uint64_t desired, std::optional<uint64_t>) override { return desired <= max_bytes; }
};
}  // namespace

TEST_CASE("a resource limiter refuses memory growth", "[api]") {
  wasm::Engine engine;
  wasm::Store<MyData> store(engine);
  RefuseBeyond limiter(3 * 65536);
  store.limiter(&limiter);
  wasm::Linker<MyData> linker(engine);
  define_env(linker);
  auto inst = linker.instantiate(store, *wasm::Module::compile(engine, load_test_module("api")));
  REQUIRE(inst);
  auto grow = inst->get_typed_func<int32_t, int32_t>(store, "grow");
  CHECK(grow->call(store, 2).value() == 1);   // 1 -> 3 pages: allowed
  CHECK(grow->call(store, 1).value() == -1);  // 3 -> 4 pages: refused
  auto mem = inst->get_memory(store, "memory");
  CHECK(mem->size(store) == 3);
  CHECK_FALSE(mem->grow(store, 1));
}

TEST_CASE("memory access from the host is bounds-checked", "[api]") {
  wasm::Engine engine;
  wasm::Store<> store(engine);
  auto mem = wasm::Memory::create(store, wasm::MemoryType{wasm::Limits{1, 2}});
  REQUIRE(mem);
  std::vector<uint8_t> data = {1, 2, 3};
  CHECK(mem->write(store, 65533, data));
  CHECK_FALSE(mem->write(store, 65534, data));
  std::vector<uint8_t> back(3);
  CHECK(mem->read(store, 65533, back));
  CHECK(back == data);
  CHECK(mem->grow(store, 1).value() == 1);
  CHECK(mem->data(store).size() == 2 * 65536);
  CHECK_FALSE(mem->grow(store, 1));  // past the maximum
}

TEST_CASE("globals and tables from the host", "[api]") {
  wasm::Engine engine;
  wasm::Store<> store(engine);
  auto g = wasm::Global::create(store, wasm::GlobalType{wasm::ValType::I64, true}, wasm::Val(int64_t(5)));
  REQUIRE(g);
  CHECK(g->get(store)->i64() == 5);
  REQUIRE(g->set(store, wasm::Val(int64_t(9))));
  CHECK(g->get(store)->i64() == 9);
  CHECK_FALSE(g->set(store, wasm::Val(int32_t(1))));  // wrong type
  auto c = wasm::Global::create(store, wasm::GlobalType{wasm::ValType::F32, false}, wasm::Val(1.5f));
  CHECK_FALSE(c->set(store, wasm::Val(2.5f)));  // immutable

  auto t = wasm::Table::create(store, wasm::TableType{wasm::ValType::ExternRef, wasm::Limits{2, 4}});
  REQUIRE(t);
  int cookie = 0;
  REQUIRE(t->set(store, 1, wasm::Val(wasm::ExternRef{&cookie})));
  CHECK(t->get(store, 1)->externref().ptr == &cookie);
  CHECK(t->get(store, 0)->is_null_ref());
  CHECK_FALSE(t->get(store, 2));
  CHECK(t->grow(store, 2, wasm::Val(wasm::ExternRef{})).value() == 2);
  CHECK_FALSE(t->grow(store, 1, wasm::Val(wasm::ExternRef{})));
}

TEST_CASE("handles refuse a store they do not belong to", "[api]") {
  wasm::Engine engine;
  wasm::Store<> a(engine);
  wasm::Store<> b(engine);
  auto mem = wasm::Memory::create(a, wasm::MemoryType{wasm::Limits{1, {}}});
  REQUIRE(mem);
  CHECK(mem->data(b).empty());
  CHECK_FALSE(mem->grow(b, 1));
  auto g = wasm::Global::create(a, wasm::GlobalType{wasm::ValType::I32, true}, wasm::Val(int32_t(1)));
  auto wrong = g->get(b);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().kind() == wasm::ErrorKind::Type);
  auto f = wasm::Func::wrap(a, [](int32_t x) { return x; });
  std::vector<wasm::Val> out(1);
  CHECK_FALSE(f.call(b, std::vector<wasm::Val>{wasm::Val(int32_t(1))}, out));

  // A linker definition from store a cannot satisfy an import in store b.
  wasm::Linker<> linker(engine);
  REQUIRE(linker.define("env", "memory", *mem));
  // (module (import "env" "memory" (memory 1)))
  std::vector<uint8_t> imports_memory = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x02, 0x0f, 0x01,
                                         0x03, 0x65, 0x6e, 0x76, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79,
                                         0x02, 0x00, 0x01};
  auto m = wasm::Module::compile(engine, imports_memory);
  REQUIRE(m);
  CHECK(linker.instantiate(a, *m));
  auto cross = linker.instantiate(b, *m);
  REQUIRE_FALSE(cross);
  CHECK(cross.error().kind() == wasm::ErrorKind::Link);
}

TEST_CASE("InstancePre resolves once and instantiates many times", "[api]") {
  wasm::Engine engine;
  wasm::Linker<MyData> linker(engine);
  define_env(linker);
  auto m = wasm::Module::compile(engine, load_test_module("api"));
  auto pre = linker.instantiate_pre(*m);
  REQUIRE(pre);
  for (int i = 0; i < 3; ++i) {
    wasm::Store<MyData> store(engine);
    auto inst = pre->instantiate(store);
    REQUIRE(inst);
    auto f = inst->get_typed_func<std::tuple<int32_t, int32_t>, int32_t>(store, "f");
    CHECK(f->call(store, i, 1).value() == i + 1);
  }
  wasm::Linker<MyData> empty(engine);
  CHECK_FALSE(empty.instantiate_pre(*m));
}

TEST_CASE("v128 values cross typed and untyped calls in xmm registers", "[api]") {
  wasm::Engine engine;
  wasm::Store<> store(engine);
  auto bump = wasm::Func::wrap(store, [](wasm::V128 v, int32_t k) {
    for (auto& b : v.bytes) b = uint8_t(b + k);
    return v;
  });
  auto typed = wasm::TypedFunc<std::tuple<wasm::V128, int32_t>, wasm::V128>::from(store, bump);
  REQUIRE(typed);
  wasm::V128 in;
  for (int i = 0; i < 16; ++i) in.bytes[i] = uint8_t(i);
  wasm::V128 out = typed->call(store, in, 100).value();
  for (int i = 0; i < 16; ++i) CHECK(out.bytes[i] == 100 + i);
  std::vector<wasm::Val> results(1);
  REQUIRE(bump.call(store, std::vector<wasm::Val>{wasm::Val(in), wasm::Val(int32_t(1))}, results));
  for (int i = 0; i < 16; ++i) CHECK(results[0].v128().bytes[i] == 1 + i);
}
