// memory64 in the baseline JIT (explicit bounds checks at every edge: the last byte, a carry
// past 2^64, offsets beyond a 32-bit displacement, growth and i64 sizes) and several memories
// of both address types and different sizes in one module (wat/memory64.wat).
#include <catch2/catch.hpp>

#include <cstdint>

#include "feature_instance.hpp"

using wasm::TrapCode;
using wasm::Val;

namespace {

constexpr int64_t kPage = 65536;

struct Memory64Module : wasm::test::FeatureInstance {
  static wasm::Features features() {
    wasm::Features f;
    f.memory64 = true;
    f.multi_memory = true;
    return f;
  }
  Memory64Module() : FeatureInstance("memory64", features()) {}

  int64_t i64(const std::string& name, std::vector<Val> args) {
    auto r = call(name, std::move(args), 1);
    REQUIRE(r);
    return (*r)[0].i64();
  }
  int32_t i32(const std::string& name, std::vector<Val> args) {
    auto r = call(name, std::move(args), 1);
    REQUIRE(r);
    return (*r)[0].i32();
  }
  void run(const std::string& name, std::vector<Val> args) { REQUIRE(call(name, std::move(args), 0)); }
};

}  // namespace

TEST_CASE("memory64: accesses up to the last byte pass, one past traps", "[memory64]") {
  Memory64Module m;
  m.run("store64", {Val(kPage - 8), Val(int64_t(0x0102030405060708))});
  CHECK(m.i64("load64", {Val(kPage - 8)}) == 0x0102030405060708);
  CHECK(m.i32("load8", {Val(kPage - 1)}) == 0x01);
  CHECK(m.i32("load32", {Val(kPage - 4)}) == 0x01020304);
  CHECK(m.trap_of("load32", {Val(kPage - 3)}, 1) == TrapCode::MemoryOutOfBounds);
  CHECK(m.trap_of("load8", {Val(kPage)}, 1) == TrapCode::MemoryOutOfBounds);
  CHECK(m.trap_of("load64", {Val(kPage - 7)}, 1) == TrapCode::MemoryOutOfBounds);
  CHECK(m.trap_of("v128_load", {Val(kPage - 15)}, 1) == TrapCode::MemoryOutOfBounds);
  CHECK(m.i64("v128_load", {Val(kPage - 16)}) == 0x0102030405060708);
  // The static offset counts: offset=1 moves the last valid address down by one.
  CHECK(m.i32("load32_off1", {Val(kPage - 5)}) == 0x01020304);
  CHECK(m.trap_of("load32_off1", {Val(kPage - 4)}, 1) == TrapCode::MemoryOutOfBounds);
}

TEST_CASE("memory64: addresses beyond 32 bits and sums past 2^64 trap", "[memory64]") {
  Memory64Module m;
  CHECK(m.trap_of("load8", {Val(int64_t(1) << 32)}, 1) == TrapCode::MemoryOutOfBounds);
  CHECK(m.trap_of("load8", {Val(int64_t(-1))}, 1) == TrapCode::MemoryOutOfBounds);
  CHECK(m.trap_of("load32", {Val(int64_t(-2))}, 1) == TrapCode::MemoryOutOfBounds);
  // address + 0xffffffff + 4 wraps to a small number: the carry must trap, not the wrapped sum.
  CHECK(m.trap_of("load32_offmax", {Val(int64_t(-0xffffffffll))}, 1) == TrapCode::MemoryOutOfBounds);
  CHECK(m.trap_of("load32_offmax", {Val(int64_t(-0xffffffffll - 4))}, 1) == TrapCode::MemoryOutOfBounds);
  CHECK(m.trap_of("load32_offmax", {Val(int64_t(0))}, 1) == TrapCode::MemoryOutOfBounds);
  CHECK(m.trap_of("load32_off2g", {Val(int64_t(0))}, 1) == TrapCode::MemoryOutOfBounds);
  // The traps left the instance usable.
  CHECK(m.i32("load8", {Val(int64_t(0))}) == 0);
}

TEST_CASE("memory64: memory.grow and memory.size are i64, growth moves the last byte", "[memory64]") {
  Memory64Module m;
  CHECK(m.i64("size", {}) == 1);
  CHECK(m.i64("grow", {Val(int64_t(2))}) == 1);
  CHECK(m.i64("size", {}) == 3);
  m.run("store64", {Val(3 * kPage - 8), Val(int64_t(-5))});
  CHECK(m.i64("load64", {Val(3 * kPage - 8)}) == -5);
  CHECK(m.trap_of("load8", {Val(3 * kPage)}, 1) == TrapCode::MemoryOutOfBounds);
  // Past the declared maximum, and a delta that no memory64 allows (2^48 pages and more): -1.
  CHECK(m.i64("grow", {Val(int64_t(70000))}) == -1);
  CHECK(m.i64("grow", {Val(int64_t(1) << 48)}) == -1);
  CHECK(m.i64("grow", {Val(int64_t(-1))}) == -1);
  CHECK(m.i64("size", {}) == 3);
  CHECK(m.i64("grow", {Val(int64_t(0))}) == 3);
  // Growing in a callee: the caller's next access sees the new size (and base, if it moved).
  CHECK(m.i64("grow_then_store", {Val(int64_t(5)), Val(8 * kPage - 8)}) == 0x1122334455667788);
  CHECK(m.i64("size", {}) == 8);
}

TEST_CASE("memory64: offsets beyond a 32-bit displacement and memories past 4 GiB", "[memory64]") {
  Memory64Module m;
  // 2 GiB + 1 page: offset 0x80000000 + address 0 is in bounds, + 1 page is not.
  const int64_t pages = (int64_t(1) << 31) / kPage + 1;
  int64_t old = m.i64("grow", {Val(pages - 1)});
  if (old == -1) {
    WARN("this machine cannot map a 2 GiB memory: the large-memory edges are not exercised");
    return;
  }
  m.run("store32_off2g", {Val(int64_t(kPage - 4)), Val(int32_t(0x5a5a1234))});
  CHECK(m.i32("load32_off2g", {Val(int64_t(kPage - 4))}) == 0x5a5a1234);
  CHECK(m.i32("load32", {Val((int64_t(1) << 31) + kPage - 4)}) == 0x5a5a1234);
  CHECK(m.trap_of("load32_off2g", {Val(int64_t(kPage - 3))}, 1) == TrapCode::MemoryOutOfBounds);
  // Past 4 GiB: an address that a 32-bit index could not form.
  int64_t more = m.i64("grow", {Val((int64_t(1) << 32) / kPage + 1 - pages)});
  if (more == -1) {
    WARN("this machine cannot map a 4 GiB memory: the past-4-GiB edge is not exercised");
    return;
  }
  const int64_t high = (int64_t(1) << 32) + 16;
  m.run("store64", {Val(high), Val(int64_t(0x7766554433221100))});
  CHECK(m.i64("load64", {Val(high)}) == 0x7766554433221100);
  CHECK(m.i32("load8", {Val(int64_t(16))}) == 0);  // not aliased onto the low 4 GiB
  CHECK(m.trap_of("load8", {Val((int64_t(1) << 32) + kPage)}, 1) == TrapCode::MemoryOutOfBounds);
}

TEST_CASE("several memories of both address types and different sizes", "[memory64][multi-memory]") {
  Memory64Module m;
  auto sizes = m.call("sizes", {}, 3);
  REQUIRE(sizes);
  CHECK((*sizes)[0].i64() == 1);
  CHECK((*sizes)[1].i32() == 1);
  CHECK((*sizes)[2].i64() == 2);
  // Each memory has its own bound.
  m.run("big_store8", {Val(2 * kPage - 1), Val(int32_t(0xab))});
  CHECK(m.i32("big_load8", {Val(2 * kPage - 1)}) == 0xab);
  CHECK(m.trap_of("big_load8", {Val(2 * kPage)}, 1) == TrapCode::MemoryOutOfBounds);
  CHECK(m.trap_of("small_load8", {Val(int32_t(kPage))}, 1) == TrapCode::MemoryOutOfBounds);
  CHECK(m.trap_of("small_store8", {Val(int32_t(-1)), Val(int32_t(1))}, 0) == TrapCode::MemoryOutOfBounds);
  CHECK(m.i32("small_grow", {Val(int32_t(1))}) == -1);  // its maximum is 1 page
  // Writes to one memory do not show in another.
  m.run("small_store8", {Val(int32_t(7)), Val(int32_t(0x11))});
  CHECK(m.i32("load8", {Val(int64_t(7))}) == 0);
  CHECK(m.i32("big_load8", {Val(int64_t(7))}) == 0);
  // Bulk copies between memories, with their bounds.
  m.run("copy_big_to_small", {Val(int32_t(100)), Val(2 * kPage - 1), Val(int32_t(1))});
  CHECK(m.i32("small_load8", {Val(int32_t(100))}) == 0xab);
  m.run("copy_small_to_m64", {Val(int64_t(kPage - 1)), Val(int32_t(100)), Val(int32_t(1))});
  CHECK(m.i32("load8", {Val(kPage - 1)}) == 0xab);
  CHECK(m.trap_of("copy_big_to_small", {Val(int32_t(kPage - 1)), Val(int64_t(0)), Val(int32_t(2))}, 0) ==
        TrapCode::MemoryOutOfBounds);
  CHECK(m.trap_of("copy_small_to_m64", {Val(int64_t(0)), Val(int32_t(kPage - 1)), Val(int32_t(2))}, 0) ==
        TrapCode::MemoryOutOfBounds);
  m.run("fill", {Val(int64_t(10)), Val(int32_t(0x33)), Val(int64_t(4))});
  CHECK(m.i32("load32", {Val(int64_t(10))}) == 0x33333333);
  CHECK(m.trap_of("fill", {Val(int64_t(-1)), Val(int32_t(0)), Val(int64_t(2))}, 0) ==
        TrapCode::MemoryOutOfBounds);
}
