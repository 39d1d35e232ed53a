#pragma once
// The header of a precompiled module (Module::serialize's output, `wasmpp compile -o x.cwasm`):
// what the code in it was compiled for, and checksums, so that loading refuses — with an error
// that says why — bytes that are not ours, were written by another version, were compiled for
// another configuration or for CPU features this engine may not use, or were damaged.
// Pure data: it writes and checks the header over a byte span; what the payload holds is the
// serializer's business.
//
// Layout (little-endian, kHeaderSize bytes):
//    0  magic "WPPCWASM"             48  u8 bounds checks, u8 fuel, u8 epoch, u8 determinism
//    8  u32 format version           52  u32 wasm feature bits
//   12  u32 header size              56  u32 CPU feature bits the code uses
//   16  runtime version, 32 bytes,   60  u32 0
//       NUL-padded                   64  u64 guard bytes after a 32-bit memory
//                                    72  u64 payload size
//                                    80  u64 payload checksum (XXH64)
//                                    88  u64 header checksum (XXH64 of bytes 0..88)
// A loader must not run code from bytes that fail these checks; passing them does not make
// untrusted bytes safe (the checksum is no signature).
#include <array>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <span>
#include <string>
#include <string_view>

#include "wasm/config.hpp"
#include "wasm/detail/jit/checksum.hpp"
#include "wasm/error.hpp"
#include "wasm/features.hpp"
#include "wasm/result.hpp"

namespace wasm::detail::jit {

inline constexpr std::array<uint8_t, 8> kSerializedMagic = {'W', 'P', 'P', 'C', 'W', 'A', 'S', 'M'};
inline constexpr uint32_t kSerializedFormatVersion = 2;  // 2: entry table and thunks
inline constexpr size_t kSerializedHeaderSize = 96;

// Instruction-set extensions generated code may use, one bit each (jit::CpuFeatures's fields).
inline constexpr uint32_t kCpuPopcnt = 1u << 0;
inline constexpr uint32_t kCpuLzcnt = 1u << 1;
inline constexpr uint32_t kCpuBmi1 = 1u << 2;
inline constexpr uint32_t kCpuSse42 = 1u << 3;
inline constexpr uint32_t kCpuAvx = 1u << 4;
inline constexpr uint32_t kCpuAvx2 = 1u << 5;
inline constexpr uint32_t kCpuFma = 1u << 6;

// A template so that this header needs nothing of the code generator (jit::CpuFeatures).
template <typename Cpu>
uint32_t cpu_feature_bits(const Cpu& cpu) {
  return (cpu.popcnt ? kCpuPopcnt : 0) | (cpu.lzcnt ? kCpuLzcnt : 0) | (cpu.bmi1 ? kCpuBmi1 : 0) |
         (cpu.sse42 ? kCpuSse42 : 0) | (cpu.avx ? kCpuAvx : 0) | (cpu.avx2 ? kCpuAvx2 : 0) |
         (cpu.fma ? kCpuFma : 0);
}

// The WebAssembly proposals, one bit each: bit i is kFeatureFlags[i] (features.hpp).
inline uint32_t wasm_feature_bits(const Features& f) {
  uint32_t bits = 0;
  for (size_t i = 0; i < std::size(kFeatureFlags); ++i) bits |= f.*kFeatureFlags[i].flag ? 1u << i : 0;
  return bits;
}

// What compiled code depends on: the settings that change the code (jit::CompileOptions) and
// the runtime it was made for (its layouts and calling convention).
struct CodeTarget {
  std::string runtime_version;  // at most 31 bytes
  BoundsChecks bounds_checks = BoundsChecks::GuardPages;
  bool consume_fuel = false;
  bool epoch_interruption = false;
  bool relaxed_simd_deterministic = false;
  bool canonicalize_nans = false;
  uint32_t wasm_features = 0;  // wasm_feature_bits
  uint32_t cpu_features = 0;   // kCpu* bits: used by the code / allowed for this engine
  uint64_t guard_bytes = 0;
};

namespace serialized_detail {

inline constexpr size_t kVersionOffset = 16, kVersionBytes = 32;

template <typename T>
void put(uint8_t* at, T value) {
  std::memcpy(at, &value, sizeof value);  // x86-64: little-endian as the layout says
}
template <typename T>
T get(const uint8_t* at) {
  T value;
  std::memcpy(&value, at, sizeof value);
  return value;
}

inline Error refuse(const std::string& why) { return Error(ErrorKind::Decode, "precompiled module " + why); }

inline std::string cpu_feature_names(uint32_t bits) {
  static constexpr std::pair<uint32_t, const char*> names[] = {
      {kCpuPopcnt, "popcnt"}, {kCpuLzcnt, "lzcnt"}, {kCpuBmi1, "bmi1"},
      {kCpuSse42, "sse4.2"},  {kCpuAvx, "avx"},     {kCpuAvx2, "avx2"}, {kCpuFma, "fma"}};
  std::string out;
  uint32_t known = 0;
  for (auto [bit, name] : names) {
    known |= bit;
    if (bits & bit) out += (out.empty() ? "" : ", ") + std::string(name);
  }
  if (bits & ~known) {
    out += (out.empty() ? "" : ", ") + std::string("unknown features");
  }
  return out;
}

inline std::string wasm_feature_names(uint32_t bits) {
  std::string out;
  for (size_t i = 0; i < std::size(kFeatureFlags); ++i) {
    if (bits & 1u << i) out += (out.empty() ? "" : ", ") + std::string(kFeatureFlags[i].name);
  }
  if (bits >> std::size(kFeatureFlags)) out += (out.empty() ? "" : ", ") + std::string("unknown proposals");
  return out;
}

inline const char* on_off(bool on) { return on ? "on" : "off"; }
inline const char* bounds_name(BoundsChecks b) {
  return b == BoundsChecks::GuardPages ? "guard pages" : "explicit checks";
}

}  // namespace serialized_detail

// The header for `payload`, compiled for `target`.
inline std::array<uint8_t, kSerializedHeaderSize> write_serialized_header(const CodeTarget& target,
                                                                          std::span<const uint8_t> payload) {
  using namespace serialized_detail;
  std::array<uint8_t, kSerializedHeaderSize> h{};
  uint8_t* p = h.data();
  std::memcpy(p, kSerializedMagic.data(), kSerializedMagic.size());
  put<uint32_t>(p + 8, kSerializedFormatVersion);
  put<uint32_t>(p + 12, uint32_t(kSerializedHeaderSize));
  std::memcpy(p + kVersionOffset, target.runtime_version.data(),
              std::min(target.runtime_version.size(), kVersionBytes - 1));
  p[48] = uint8_t(target.bounds_checks);
  p[49] = target.consume_fuel;
  p[50] = target.epoch_interruption;
  p[51] = uint8_t(target.relaxed_simd_deterministic | target.canonicalize_nans << 1);
  put<uint32_t>(p + 52, target.wasm_features);
  put<uint32_t>(p + 56, target.cpu_features);
  put<uint64_t>(p + 64, target.guard_bytes);
  put<uint64_t>(p + 72, payload.size());
  put<uint64_t>(p + 80, xxhash64(payload));
  put<uint64_t>(p + 88, xxhash64(std::span<const uint8_t>(p, 88)));
  return h;
}

// Checks `bytes` (header then payload) against the engine that wants to load them: `engine`
// holds its settings and, in cpu_features, the features its code may use (the host's, or fewer
// when the configuration says so). Returns the payload, or why the bytes are refused.
inline Result<std::span<const uint8_t>> check_serialized(std::span<const uint8_t> bytes, const CodeTarget& engine) {
  using namespace serialized_detail;
  static constexpr uint8_t kWasmMagic[4] = {0x00, 'a', 's', 'm'};
  if (bytes.size() >= 4 && std::memcmp(bytes.data(), kWasmMagic, 4) == 0) {
    return refuse("expected, found a WebAssembly binary (compile it instead of deserializing it)");
  }
  if (bytes.size() < kSerializedMagic.size() ||
      std::memcmp(bytes.data(), kSerializedMagic.data(), kSerializedMagic.size()) != 0) {
    return refuse("expected: these bytes do not start with the precompiled-module magic");
  }
  if (bytes.size() < kSerializedHeaderSize) {
    return refuse("is truncated: " + std::to_string(bytes.size()) + " bytes, shorter than its " +
                  std::to_string(kSerializedHeaderSize) + "-byte header");
  }
  const uint8_t* p = bytes.data();
  // The format version first: a later format may lay out (and checksum) its header differently.
  const uint32_t format = get<uint32_t>(p + 8);
  if (format != kSerializedFormatVersion) {
    return refuse("has format version " + std::to_string(format) + "; this wasmpp reads version " +
                  std::to_string(kSerializedFormatVersion));
  }
  if (get<uint64_t>(p + 88) != xxhash64(std::span<const uint8_t>(p, 88)) ||
      get<uint32_t>(p + 12) != kSerializedHeaderSize) {
    return refuse("is corrupt: its header checksum does not match");
  }

  const char* version = reinterpret_cast<const char*>(p + kVersionOffset);
  std::string compiled_by(version, strnlen(version, kVersionBytes));
  if (compiled_by != engine.runtime_version.substr(0, kVersionBytes - 1)) {
    return refuse("was compiled by wasmpp " + compiled_by + "; this is wasmpp " + engine.runtime_version);
  }
  const BoundsChecks bounds = BoundsChecks(p[48]);
  if (bounds != engine.bounds_checks) {
    return refuse(std::string("was compiled for bounds checks by ") + bounds_name(bounds) +
                  "; this engine uses " + bounds_name(engine.bounds_checks));
  }
  if (bool(p[49]) != engine.consume_fuel) {
    return refuse(std::string("was compiled with fuel consumption ") + on_off(p[49]) + "; this engine has it " +
                  on_off(engine.consume_fuel));
  }
  if (bool(p[50]) != engine.epoch_interruption) {
    return refuse(std::string("was compiled with epoch interruption ") + on_off(p[50]) +
                  "; this engine has it " + on_off(engine.epoch_interruption));
  }
  if (bool(p[51] & 1) != engine.relaxed_simd_deterministic) {
    return refuse(std::string("was compiled with deterministic relaxed SIMD ") + on_off(p[51] & 1) +
                  "; this engine has it " + on_off(engine.relaxed_simd_deterministic));
  }
  if (bool(p[51] & 2) != engine.canonicalize_nans) {
    return refuse(std::string("was compiled with NaN canonicalization ") + on_off(p[51] & 2) +
                  "; this engine has it " + on_off(engine.canonicalize_nans));
  }
  if (const uint32_t compiled = get<uint32_t>(p + 52); compiled != engine.wasm_features) {
    std::string why = "was compiled with other WebAssembly proposals enabled than this engine's";
    if (uint32_t only_there = compiled & ~engine.wasm_features) why += "; only it has " + wasm_feature_names(only_there);
    if (uint32_t only_here = engine.wasm_features & ~compiled) why += "; only this engine has " + wasm_feature_names(only_here);
    return refuse(why);
  }
  if (get<uint64_t>(p + 64) != engine.guard_bytes) {
    return refuse("was compiled for " + std::to_string(get<uint64_t>(p + 64)) +
                  " guard bytes per memory; this engine reserves " + std::to_string(engine.guard_bytes));
  }
  const uint32_t missing = get<uint32_t>(p + 56) & ~engine.cpu_features;
  if (missing) {
    return refuse("uses CPU features this engine may not use: " + cpu_feature_names(missing));
  }

  const uint64_t payload_size = get<uint64_t>(p + 72);
  const uint64_t available = bytes.size() - kSerializedHeaderSize;
  if (payload_size != available) {
    return refuse(std::string(payload_size > available ? "is truncated" : "has trailing bytes") + ": its header says " +
                  std::to_string(payload_size) + " bytes of code and data, there are " + std::to_string(available));
  }
  std::span<const uint8_t> payload = bytes.subspan(kSerializedHeaderSize);
  if (get<uint64_t>(p + 80) != xxhash64(payload)) {
    return refuse("is corrupt: its checksum does not match its contents");
  }
  return payload;
}

}  // namespace wasm::detail::jit
