// Atomics across threads: one SharedMemory imported by instances of several stores, each
// store used by its own thread. Counters under contention, wait/notify wake-ups, a work queue
// with a producer and consumers, and concurrent grow. Results are exact; nothing is timed.
// Worker threads only record what they saw; the Catch2 checks run on the main thread.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <optional>
#include <memory>
#include <thread>
#include <vector>

#include "atomics_support.hpp"

namespace {

using wasm::test::SharedInstance;

struct Shared {
  wasm::Engine engine;
  wasm::SharedMemory memory;
  std::optional<wasm::Module> module;

  Shared(const char* wat, uint64_t min_pages, uint64_t max_pages,
         wasm::BoundsChecks mode = wasm::BoundsChecks::GuardPages)
      : engine(wasm::test::threads_engine(mode)) {
    auto m = wasm::SharedMemory::create(engine, wasm::test::shared_type(min_pages, max_pages));
    REQUIRE(m);
    memory = *m;
    auto compiled = wasm::Module::from_wat(engine, wat);
    if (!compiled) FAIL(compiled.error().message());
    module = *compiled;
  }

  std::vector<std::unique_ptr<SharedInstance>> instances(size_t n) {
    std::vector<std::unique_ptr<SharedInstance>> v;
    for (size_t i = 0; i < n; ++i) v.push_back(std::make_unique<SharedInstance>(engine, *module, memory));
    return v;
  }

  template <typename T>
  T load(uint64_t addr) {
    T v;
    std::memcpy(&v, memory.data().data() + addr, sizeof v);
    return v;
  }
};

// A result or `fallback` when the call failed.
int32_t or_else(const wasm::Result<int32_t>& r, int32_t fallback) { return r ? *r : fallback; }

// Runs body(i) on `n` threads and joins them.
template <typename F>
void on_threads(size_t n, F body) {
  std::vector<std::thread> threads;
  for (size_t i = 0; i < n; ++i) threads.emplace_back(body, i);
  for (std::thread& t : threads) t.join();
}

// Polls (no timing assumed) until `n` threads wait on `addr`.
void await_waiters(const wasm::SharedMemory& m, uint64_t addr, uint32_t n) {
  while (wasm::detail::ParkingLot::get().waiters(m.data().data() + addr) != n) std::this_thread::yield();
}

constexpr const char* kCounters = R"((module
  (import "env" "mem" (memory 1 1 shared))
  ;; n times: +1 at 0 (i32 add), +1 at 8 (i64 add), +1 at 16 through a cmpxchg loop, -1 at 24
  ;; (i64 sub), +1 at 32 (16-bit add, wraps), and sets bit `bit` at 40 (i64 or) and clears it
  ;; at 48 (i64 and), and flips it twice at 56 (i64 xor).
  (func (export "count") (param $n i32) (param $bit i64) (local $old i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
        (drop (i64.atomic.rmw.add (i32.const 8) (i64.const 1)))
        (loop $retry
          (local.set $old (i32.atomic.load (i32.const 16)))
          (br_if $retry (i32.ne (local.get $old)
            (i32.atomic.rmw.cmpxchg (i32.const 16) (local.get $old)
                                    (i32.add (local.get $old) (i32.const 1))))))
        (drop (i64.atomic.rmw.sub (i32.const 24) (i64.const 1)))
        (drop (i32.atomic.rmw16.add_u (i32.const 32) (i32.const 1)))
        (drop (i64.atomic.rmw.xor (i32.const 56) (i64.shl (i64.const 1) (local.get $bit))))
        (drop (i64.atomic.rmw.xor (i32.const 56) (i64.shl (i64.const 1) (local.get $bit))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (drop (i64.atomic.rmw.or (i32.const 40) (i64.shl (i64.const 1) (local.get $bit))))
    (drop (i64.atomic.rmw.and (i32.const 48) (i64.xor (i64.const -1)
                                                     (i64.shl (i64.const 1) (local.get $bit)))))))
)";

}  // namespace

TEST_CASE("atomic counters stay exact under contention", "[atomics][threads]") {
  const wasm::BoundsChecks mode = GENERATE(wasm::BoundsChecks::GuardPages, wasm::BoundsChecks::Explicit);
  Shared s(kCounters, 1, 1, mode);
  constexpr size_t kThreads = 4;
  constexpr int32_t kIters = 50'000;
  std::memset(s.memory.data().data() + 48, 0xFF, 8);
  auto in = s.instances(kThreads);
  std::atomic<int> failures{0};
  on_threads(kThreads, [&](size_t i) {
    if (!in[i]->call<void>("count", kIters, int64_t(i))) ++failures;
  });
  CHECK(failures == 0);
  const uint64_t total = kThreads * kIters;
  CHECK(s.load<uint32_t>(0) == total);
  CHECK(s.load<uint64_t>(8) == total);
  CHECK(s.load<uint32_t>(16) == total);
  CHECK(s.load<uint64_t>(24) == uint64_t(0) - total);
  CHECK(s.load<uint16_t>(32) == uint16_t(total));
  CHECK(s.load<uint16_t>(34) == 0);  // the 16-bit add never carries out of its halfword
  CHECK(s.load<uint64_t>(40) == (1u << kThreads) - 1);
  CHECK(s.load<uint64_t>(48) == ~uint64_t((1u << kThreads) - 1));
  CHECK(s.load<uint64_t>(56) == 0);
}

namespace {
constexpr const char* kWaiters = R"((module
  (import "env" "mem" (memory 1 1 shared))
  (func (export "wait32") (param i32 i32 i64) (result i32)
    (memory.atomic.wait32 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "wait64") (param i32 i64 i64) (result i32)
    (memory.atomic.wait64 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "notify") (param i32 i32) (result i32)
    (memory.atomic.notify (local.get 0) (local.get 1))))
)";
}  // namespace

TEST_CASE("notify wakes as many waiters as it says, and only those of its address", "[atomics][threads]") {
  Shared s(kWaiters, 1, 1);
  constexpr size_t kWaiting = 3;
  auto in = s.instances(kWaiting + 2);
  std::vector<int32_t> results(kWaiting + 1, -1);
  std::thread other([&] { results[kWaiting] = or_else(in[kWaiting]->call<int32_t>("wait64", 64, int64_t(0), int64_t(-1)), -1); });
  std::vector<std::thread> waiters;
  for (size_t i = 0; i < kWaiting; ++i)
    waiters.emplace_back([&, i] { results[i] = or_else(in[i]->call<int32_t>("wait32", 16, 0, int64_t(-1)), -1); });
  await_waiters(s.memory, 16, kWaiting);
  await_waiters(s.memory, 64, 1);
  SharedInstance& notifier = *in[kWaiting + 1];
  CHECK(notifier.call<int32_t>("notify", 16, 2).value() == 2);
  await_waiters(s.memory, 16, 1);
  CHECK(notifier.call<int32_t>("notify", 16, 5).value() == 1);  // one left to wake
  CHECK(notifier.call<int32_t>("notify", 16, 5).value() == 0);
  for (std::thread& t : waiters) t.join();
  CHECK(wasm::detail::ParkingLot::get().waiters(s.memory.data().data() + 64) == 1);  // untouched
  CHECK(s.memory.atomic_notify(64, 1).value() == 1);  // the host wakes a wasm waiter
  other.join();
  for (int32_t r : results) CHECK(r == 0);
}

TEST_CASE("a waiter with a timeout is woken by notify before it", "[atomics][threads]") {
  Shared s(kWaiters, 1, 1);
  auto in = s.instances(1);
  // An hour, and the largest timeout (whose deadline must not overflow into the past): the
  // notify below comes first (the test would hang, not flake, if it did not).
  for (int64_t timeout : {int64_t(3'600'000'000'000), INT64_MAX}) {
    int32_t result = -1;
    std::thread waiter([&] { result = or_else(in[0]->call<int32_t>("wait32", 32, 0, timeout), -1); });
    await_waiters(s.memory, 32, 1);
    CHECK(s.memory.atomic_notify(32, 1).value() == 1);
    waiter.join();
    CHECK(result == 0);
  }
}

namespace {
// A work queue in shared memory. Layout: 0 head (next item to take), 4 tail (items published),
// 8 done (producer finished), 12 seq (bumped on every publish and on done; consumers wait on
// it), 16 sum (i64), items from 64 (i32 each).
constexpr const char* kQueue = R"((module
  (import "env" "mem" (memory 4 4 shared))
  (func $publish_event
    (drop (i32.atomic.rmw.add (i32.const 12) (i32.const 1)))
    (drop (memory.atomic.notify (i32.const 12) (i32.const -1))))
  (func (export "produce") (param $n i32) (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        ;; item i is i + 1; published by the atomic store of the tail
        (i32.store offset=64 (i32.shl (local.get $i) (i32.const 2))
                   (i32.add (local.get $i) (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (i32.atomic.store (i32.const 4) (local.get $i))
        (call $publish_event)
        (br $next)))
    (i32.atomic.store (i32.const 8) (i32.const 1))
    (call $publish_event))
  ;; Takes items until the producer is done and the queue is empty; returns how many it took.
  (func (export "consume") (result i32) (local $seq i32) (local $done i32) (local $h i32) (local $taken i32)
    (block $finished
      (loop $next
        ;; seq, then done, then head and tail: done read as 1 means the tail read after it is final
        (local.set $seq (i32.atomic.load (i32.const 12)))
        (local.set $done (i32.atomic.load (i32.const 8)))
        (local.set $h (i32.atomic.load (i32.const 0)))
        (if (i32.lt_u (local.get $h) (i32.atomic.load (i32.const 4)))
          (then
            (if (i32.eq (local.get $h)
                        (i32.atomic.rmw.cmpxchg (i32.const 0) (local.get $h)
                                                (i32.add (local.get $h) (i32.const 1))))
              (then
                (drop (i64.atomic.rmw.add (i32.const 16)
                  (i64.extend_i32_u (i32.load offset=64 (i32.shl (local.get $h) (i32.const 2))))))
                (local.set $taken (i32.add (local.get $taken) (i32.const 1)))))
            (br $next)))
        (br_if $finished (local.get $done))
        ;; Nothing to take: sleep until the next event (returns at once if one came since).
        (drop (memory.atomic.wait32 (i32.const 12) (local.get $seq) (i64.const -1)))
        (br $next)))
    (local.get $taken)))
)";
}  // namespace

TEST_CASE("a work queue over one shared memory gives the exact total", "[atomics][threads]") {
  const wasm::BoundsChecks mode = GENERATE(wasm::BoundsChecks::GuardPages, wasm::BoundsChecks::Explicit);
  Shared s(kQueue, 4, 4, mode);
  constexpr size_t kConsumers = 3;
  constexpr int32_t kItems = 20'000;
  auto in = s.instances(kConsumers + 1);
  std::vector<int32_t> taken(kConsumers, -1);
  std::atomic<int> failures{0};
  on_threads(kConsumers + 1, [&](size_t i) {
    if (i == kConsumers) {
      if (!in[i]->call<void>("produce", kItems)) ++failures;
    } else {
      taken[i] = or_else(in[i]->call<int32_t>("consume"), -1);
    }
  });
  CHECK(failures == 0);
  int64_t total_taken = 0;
  for (int32_t t : taken) {
    CHECK(t >= 0);
    total_taken += t;
  }
  CHECK(total_taken == kItems);
  CHECK(s.load<uint32_t>(0) == uint32_t(kItems));
  CHECK(s.load<uint64_t>(16) == uint64_t(kItems) * (kItems + 1) / 2);
}

TEST_CASE("a shared memory grows from several threads at once", "[atomics][threads]") {
  Shared s(R"((module
    (import "env" "mem" (memory 1 64 shared))
    (func (export "grow") (result i32) (memory.grow (i32.const 1)))
    (func (export "size") (result i32) (memory.size))
    ;; stores at the last byte of the memory as it is now
    (func (export "touch_end") (result i32) (local $end i32)
      (local.set $end (i32.mul (memory.size) (i32.const 65536)))
      (i32.store8 (i32.sub (local.get $end) (i32.const 1)) (i32.const 1))
      (local.get $end)))
  )", 1, 64, GENERATE(wasm::BoundsChecks::GuardPages, wasm::BoundsChecks::Explicit));
  constexpr size_t kThreads = 4;
  auto in = s.instances(kThreads);
  // Host and wasm grow together; every page is handed out once, the last grows fail.
  std::vector<std::vector<int64_t>> olds(kThreads + 1);
  std::atomic<int> failures{0};
  on_threads(kThreads + 1, [&](size_t i) {
    for (int k = 0; k < 20; ++k) {
      if (i == kThreads) {
        auto r = s.memory.grow(1);
        olds[i].push_back(r ? int64_t(*r) : -1);
      } else {
        olds[i].push_back(or_else(in[i]->call<int32_t>("grow"), -2));
        if (!in[i]->call<int32_t>("touch_end")) ++failures;  // the size it reads is usable
      }
    }
  });
  CHECK(failures == 0);
  std::vector<int64_t> granted;
  size_t refused = 0;
  for (const auto& v : olds) {
    for (int64_t o : v) {
      if (o >= 0) granted.push_back(o);
      else if (o == -1) ++refused;
    }
  }
  std::sort(granted.begin(), granted.end());
  std::vector<int64_t> want(63);
  for (size_t p = 0; p < want.size(); ++p) want[p] = int64_t(p + 1);
  CHECK(granted == want);
  CHECK(refused == (kThreads + 1) * 20 - 63);
  CHECK(s.memory.size() == 64);
  CHECK(in[0]->call<int32_t>("size").value() == 64);
}
