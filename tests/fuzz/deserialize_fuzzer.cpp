// libFuzzer target: the checks of Module::deserialize_unchecked. Deserialized code is trusted
// (it runs as is), so the fuzzer never calls it; what must hold is that every byte string is
// refused with an error or loaded without a crash, leak or sanitizer report. Three modes, by
// the first input byte:
//   0: the input itself, as a precompiled module;
//   1: a valid precompiled module whose payload the input mutates (pairs of offset, xor), with
//      both checksums recomputed, so that the payload's own consistency checks are reached;
//   2: the same for the header's fields (checksum recomputed), so that each header check is.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include <wasm.hpp>

#include "wasm/detail/jit/checksum.hpp"
#include "wasm/detail/jit/serialized_header.hpp"

namespace {

constexpr const char* kModule = R"(
(module
  (memory 1)
  (data (i32.const 16) "hello")
  (func $add (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "call") (result i32) (call $add (i32.const 1) (i32.const 2))))
)";

struct Fixture {
  wasm::Engine engine;
  std::vector<uint8_t> serialized;
  Fixture() {
    auto m = wasm::Module::from_wat(engine, kModule);
    if (!m) __builtin_trap();
    serialized = m->serialize();
  }
};

const Fixture& fixture() {
  static const Fixture* f = new Fixture();
  return *f;
}

void put_u64(uint8_t* at, uint64_t v) { std::memcpy(at, &v, 8); }

// Applies (u16 offset, u8 xor) triples from `in` to bytes [from, to) of `out`.
void mutate(std::vector<uint8_t>& out, size_t from, size_t to, std::span<const uint8_t> in) {
  for (size_t i = 0; i + 3 <= in.size() && to > from; i += 3) {
    const size_t at = from + (size_t(in[i]) | size_t(in[i + 1]) << 8) % (to - from);
    out[at] ^= in[i + 2];
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace wasm::detail::jit;
  const Fixture& f = fixture();
  if (size == 0) return 0;
  const uint8_t mode = data[0] % 3;
  std::span<const uint8_t> in(data + 1, size - 1);
  std::vector<uint8_t> bytes;
  if (mode == 0) {
    bytes.assign(in.begin(), in.end());
  } else {
    bytes = f.serialized;
    uint8_t* p = bytes.data();
    if (mode == 1) {
      mutate(bytes, kSerializedHeaderSize, bytes.size(), in);
      put_u64(p + 80, xxhash64(std::span<const uint8_t>(bytes).subspan(kSerializedHeaderSize)));
    } else {
      mutate(bytes, 0, 80, in);
    }
    put_u64(p + 88, xxhash64(std::span<const uint8_t>(p, 88)));
  }
  auto module = wasm::Module::deserialize_unchecked(f.engine, bytes);
  (void)module;
  return 0;
}
