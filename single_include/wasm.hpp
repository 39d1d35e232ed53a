#pragma once
// wasmpp: a header-only WebAssembly runtime, as a single header.
//
// GENERATED FILE, do not edit: it is include/wasm.hpp with every wasmpp header inlined.
// Regenerate with `python3 single_include/amalgamate.py` after changing anything under include/.
// Needs on the include path: xbyak (<xbyak/...>) and range-v3 (<range/v3/...>); C++20.
//
// Header-only by default. Separately compiled: define WASMPP_SEPARATE_COMPILATION in every
// translation unit, and WASMPP_IMPLEMENTATION too in exactly one, before including this header.
// WASI: single_include/wasm_wasi.hpp, beside this file.
// ---- begin include/wasm.hpp ----
// wasmpp: a header-only WebAssembly runtime. This umbrella header includes the public API.
// ---- begin include/wasm/caller.hpp ----
// Caller<T>: what a host function sees of the wasm code that called it: the store (its data,
// and anything that takes a store) and the calling instance's exports.
#include <span>
#include <string_view>
#include <vector>

// ---- begin include/wasm/instance.hpp ----
// Instance: an instantiated module in a store, and access to its exports.
#include <optional>

// ---- begin include/wasm/extern.hpp ----
// Extern: anything a module can import or export.
#include <variant>

// ---- begin include/wasm/func.hpp ----
// Func: a function of a store (wasm or host), callable with Vals on the untyped path.
#include <memory>
#include <type_traits>

// ---- begin include/wasm/detail/api/host_adapter.hpp ----
// Typed host functions: a C++ callable becomes a native-convention function that JIT code
// calls directly (no marshalling through ValRaw arrays). The adapter's signature is the wasm
// function's native signature (jit/abi.hpp):
//   Ret  adapter(VMHostContext*, VMContext* caller, NativeParams...)          0 or 1 result
//   void adapter(VMHostContext*, VMContext* caller, ValRaw* results, NativeParams...)   2+
// A callable may take a leading Caller<T>&, and may return void, a value, a std::tuple or a
// Result of those; an error result or a C++ exception becomes a trap.
#include <cstring>
#include <exception>
#include <functional>
#include <string>
#include <tuple>
#include <utility>

// ---- begin include/wasm/result.hpp ----
// Result<T>: an expected-like value-or-Error, with a Result<void> case.
#include <cassert>

// ---- begin include/wasm/error.hpp ----
// Error values returned by every fallible public call (see result.hpp).
#include <cstdint>

namespace wasm {

// What stage of the pipeline an error comes from.
enum class ErrorKind : uint8_t {
  Decode,       // malformed binary
  Validate,     // well-formed but invalid module
  Link,         // an import could not be resolved or has the wrong type
  Instantiate,  // instantiation failed (segment out of bounds, start trapped, ...)
  Trap,         // a guest trapped at run time
  Resource,     // out of memory, address space, or a limiter said no
  Type,         // the embedder used a wrong type (e.g. get_typed_func signature)
  Exit,         // the guest asked to exit (WASI proc_exit); exit_code() says with what
  Unsupported,  // the module uses a WebAssembly feature this runtime does not implement yet
};

// Names follow wasmtime's `Trap` enum.
enum class TrapCode : uint8_t {
  StackOverflow,
  MemoryOutOfBounds,
  HeapMisaligned,
  TableOutOfBounds,
  IndirectCallToNull,
  BadSignature,
  IntegerOverflow,
  IntegerDivisionByZero,
  BadConversionToInteger,
  UnreachableCodeReached,
  Interrupt,
  OutOfFuel,
  NullReference,
  HostError,  // a host function returned an error or threw
};

// The message the specification's test suite uses for each trap.
constexpr const char* trap_message(TrapCode code) {
  switch (code) {
    case TrapCode::StackOverflow: return "call stack exhausted";
    case TrapCode::MemoryOutOfBounds: return "out of bounds memory access";
    case TrapCode::HeapMisaligned: return "misaligned memory access";
    case TrapCode::TableOutOfBounds: return "out of bounds table access";
    case TrapCode::IndirectCallToNull: return "uninitialized element";
    case TrapCode::BadSignature: return "indirect call type mismatch";
    case TrapCode::IntegerOverflow: return "integer overflow";
    case TrapCode::IntegerDivisionByZero: return "integer divide by zero";
    case TrapCode::BadConversionToInteger: return "invalid conversion to integer";
    case TrapCode::UnreachableCodeReached: return "unreachable";
    case TrapCode::Interrupt: return "interrupt";
    case TrapCode::OutOfFuel: return "all fuel consumed";
    case TrapCode::NullReference: return "null reference";
    case TrapCode::HostError: return "host error";
  }
  return "unknown trap";
}

constexpr const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Decode: return "decode error";
    case ErrorKind::Validate: return "validation error";
    case ErrorKind::Link: return "link error";
    case ErrorKind::Instantiate: return "instantiation error";
    case ErrorKind::Trap: return "trap";
    case ErrorKind::Resource: return "resource error";
    case ErrorKind::Type: return "type error";
    case ErrorKind::Exit: return "exit";
    case ErrorKind::Unsupported: return "unsupported feature";
  }
  return "error";
}

// One frame of a wasm backtrace.
struct FrameInfo {
  uint32_t func_index = 0;
  std::string func_name;  // from the name section; empty when unknown
  uint32_t module_offset = 0;
};

class Error {
 public:
  Error(ErrorKind kind, std::string message) : kind_(kind), message_(std::move(message)) {}
  static Error trap(TrapCode code, std::string message = {}) {
    Error e(ErrorKind::Trap, message.empty() ? trap_message(code) : std::move(message));
    e.trap_code_ = code;
    return e;
  }

  // Ends the current call of wasm with an exit status instead of a trap (proc_exit). A host
  // function returns it; the caller of the wasm function gets it back unchanged.
  static Error exit(int32_t code) {
    Error e(ErrorKind::Exit, "exit with status " + std::to_string(code));
    e.exit_code_ = code;
    return e;
  }

  ErrorKind kind() const { return kind_; }
  std::optional<int32_t> exit_code() const { return exit_code_; }
  const std::string& message() const { return message_; }
  std::optional<TrapCode> trap_code() const { return trap_code_; }
  const std::vector<FrameInfo>& backtrace() const { return backtrace_; }
  void set_backtrace(std::vector<FrameInfo> frames) { backtrace_ = std::move(frames); }

  // "validation error: type mismatch ..." — kind and message in one line.
  std::string to_string() const { return std::string(error_kind_name(kind_)) + ": " + message_; }

 private:
  ErrorKind kind_;
  std::string message_;
  std::optional<TrapCode> trap_code_;
  std::optional<int32_t> exit_code_;
  std::vector<FrameInfo> backtrace_;
};

}  // namespace wasm
// ---- end include/wasm/error.hpp ----

namespace wasm {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(const T& value) : state_(std::in_place_index<0>, value) {}
  Result(T&& value) : state_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}

  explicit operator bool() const { return state_.index() == 0; }
  bool has_value() const { return state_.index() == 0; }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  Error& error() & { return std::get<1>(state_); }
  const Error& error() const& { return std::get<1>(state_); }
  Error&& error() && { return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, Error> state_;
};

// Not [[nodiscard]]: a void result is often deliberately dropped (a definition that cannot
// clash, a setting); Result<T> with a value still is.
template <>
class Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}

  explicit operator bool() const { return !error_.has_value(); }
  bool has_value() const { return !error_.has_value(); }
  void value() const { assert(has_value()); }

  Error& error() & { return *error_; }
  const Error& error() const& { return *error_; }
  Error&& error() && { return std::move(*error_); }

 private:
  std::optional<Error> error_;
};

}  // namespace wasm
// ---- end include/wasm/result.hpp ----
// ---- begin include/wasm/value.hpp ----
// Values that cross the API: Val (any wasm value), V128, FuncRef and ExternRef.
#include <array>

// ---- begin include/wasm/detail/base/val_raw.hpp ----
// ValRaw: one 16-byte value slot of the untyped path (results areas, Func::call argument
// arrays, array trampolines). Every type is stored little-endian from byte 0. It belongs to the
// base vocabulary because the public Val, the runtime and the JIT all read it.

namespace wasm::detail {

union ValRaw {
  int32_t i32;
  int64_t i64;
  float f32;
  double f64;
  void* ref;
  uint8_t v128[16];
};
static_assert(sizeof(ValRaw) == 16);

}  // namespace wasm::detail
// ---- end include/wasm/detail/base/val_raw.hpp ----
// ---- begin include/wasm/types.hpp ----
// The WebAssembly type vocabulary shared by the decoder, validator, runtime and public API.

namespace wasm {

// Value types, numbered by their binary encoding.
enum class ValType : uint8_t {
  I32 = 0x7F,
  I64 = 0x7E,
  F32 = 0x7D,
  F64 = 0x7C,
  V128 = 0x7B,
  FuncRef = 0x70,
  ExternRef = 0x6F,
};

constexpr bool is_valtype_byte(uint8_t b) {
  return (b >= 0x7B && b <= 0x7F) || b == 0x70 || b == 0x6F;
}
constexpr bool is_reftype(ValType t) { return t == ValType::FuncRef || t == ValType::ExternRef; }
constexpr bool is_numeric(ValType t) { return !is_reftype(t) && t != ValType::V128; }

constexpr const char* valtype_name(ValType t) {
  switch (t) {
    case ValType::I32: return "i32";
    case ValType::I64: return "i64";
    case ValType::F32: return "f32";
    case ValType::F64: return "f64";
    case ValType::V128: return "v128";
    case ValType::FuncRef: return "funcref";
    case ValType::ExternRef: return "externref";
  }
  return "?";
}

// Size of a value of this type in a VMContext global slot or a stack slot.
constexpr uint32_t valtype_size(ValType t) {
  switch (t) {
    case ValType::I32:
    case ValType::F32: return 4;
    case ValType::V128: return 16;
    default: return 8;
  }
}

enum class ExternKind : uint8_t { Func = 0, Table = 1, Memory = 2, Global = 3, Tag = 4 };

constexpr const char* extern_kind_name(ExternKind k) {
  switch (k) {
    case ExternKind::Func: return "func";
    case ExternKind::Table: return "table";
    case ExternKind::Memory: return "memory";
    case ExternKind::Global: return "global";
    case ExternKind::Tag: return "tag";
  }
  return "?";
}

struct Limits {
  uint64_t min = 0;
  std::optional<uint64_t> max;
  bool shared = false;

  friend bool operator==(const Limits&, const Limits&) = default;
};

// Limits subtyping for imports: `actual` may be used where `expected` is declared.
inline bool limits_match(const Limits& actual, const Limits& expected) {
  if (actual.min < expected.min) return false;
  if (!expected.max) return true;
  return actual.max && *actual.max <= *expected.max;
}

struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;

  friend bool operator==(const FuncType&, const FuncType&) = default;
  std::string to_string() const {
    std::string s = "(func";
    if (!params.empty()) {
      s += " (param";
      for (ValType t : params) (s += ' ') += valtype_name(t);
      s += ')';
    }
    if (!results.empty()) {
      s += " (result";
      for (ValType t : results) (s += ' ') += valtype_name(t);
      s += ')';
    }
    return s + ')';
  }
};

struct TableType {
  ValType element = ValType::FuncRef;
  Limits limits;
  friend bool operator==(const TableType&, const TableType&) = default;
};

struct MemoryType {
  Limits limits;  // in 64 KiB pages
  bool is64 = false;
  friend bool operator==(const MemoryType&, const MemoryType&) = default;
};

struct GlobalType {
  ValType type = ValType::I32;
  bool mutable_ = false;
  friend bool operator==(const GlobalType&, const GlobalType&) = default;
};

constexpr uint64_t kPageSize = 65536;
constexpr uint64_t kMaxPages32 = 65536;           // 4 GiB
constexpr uint64_t kMaxPages64 = 1ull << 48;      // memory64's limit
constexpr uint64_t kMaxTableSize = 0xFFFFFFFFull; // table limits are u32

}  // namespace wasm
// ---- end include/wasm/types.hpp ----

namespace wasm {

namespace detail {
struct VMFuncRef;
}

// A 128-bit SIMD value, little-endian lanes.
struct V128 {
  std::array<uint8_t, 16> bytes{};
  friend bool operator==(const V128&, const V128&) = default;
};

// A reference to a function, valid as long as the Store that made it. Null when empty.
struct FuncRef {
  detail::VMFuncRef* raw = nullptr;
  explicit operator bool() const { return raw != nullptr; }
  friend bool operator==(const FuncRef&, const FuncRef&) = default;
};

// An opaque host reference passed through wasm unchanged. Null when `ptr` is null.
struct ExternRef {
  void* ptr = nullptr;
  explicit operator bool() const { return ptr != nullptr; }
  friend bool operator==(const ExternRef&, const ExternRef&) = default;
};

// Any wasm value, with its type. Used on the untyped paths (Func::call, globals, tables).
class Val {
 public:
  Val() : Val(int32_t(0)) {}
  Val(int32_t v) : type_(ValType::I32) { raw_.i64 = 0; raw_.i32 = v; }
  Val(int64_t v) : type_(ValType::I64) { raw_.i64 = v; }
  Val(float v) : type_(ValType::F32) { raw_.i64 = 0; raw_.f32 = v; }
  Val(double v) : type_(ValType::F64) { raw_.f64 = v; }
  Val(const V128& v) : type_(ValType::V128) { std::memcpy(raw_.v128, v.bytes.data(), 16); }
  Val(FuncRef r) : type_(ValType::FuncRef) { raw_.ref = r.raw; }
  Val(ExternRef r) : type_(ValType::ExternRef) { raw_.ref = r.ptr; }

  // The zero value (or null reference) of a type.
  static Val zero(ValType type) {
    detail::ValRaw raw;
    std::memset(&raw, 0, sizeof raw);
    return from_raw(type, raw);
  }
  static Val from_raw(ValType type, const detail::ValRaw& raw) {
    Val v;
    v.type_ = type;
    v.raw_ = raw;  // accessors read only the bytes of the value's own width
    return v;
  }

  ValType type() const { return type_; }
  int32_t i32() const { return raw_.i32; }
  int64_t i64() const { return raw_.i64; }
  float f32() const { return raw_.f32; }
  double f64() const { return raw_.f64; }
  V128 v128() const {
    V128 v;
    std::memcpy(v.bytes.data(), raw_.v128, 16);
    return v;
  }
  FuncRef funcref() const { return FuncRef{static_cast<detail::VMFuncRef*>(raw_.ref)}; }
  ExternRef externref() const { return ExternRef{raw_.ref}; }
  bool is_null_ref() const { return is_reftype(type_) && raw_.ref == nullptr; }

  // The untyped representation JIT code reads and writes.
  const detail::ValRaw& raw() const { return raw_; }

 private:
  ValType type_;
  detail::ValRaw raw_;
};

}  // namespace wasm
// ---- end include/wasm/value.hpp ----
// ---- begin include/wasm/detail/vm/invoke.hpp ----
// Crossing between host and wasm: entering wasm through the entry trampoline (and turning a
// trap recorded in the VMStoreContext into an Error), and running host callbacks for JIT code
// (turning their errors and exceptions into traps).

// ---- begin include/wasm/detail/base/inline.hpp ----
// Header-only (the default) or separately compiled (WASMPP_SEPARATE_COMPILATION).
//
// The heavy non-template functions (module compilation, instantiation, trampolines, trap
// handling) are declared in the light headers and defined in *_impl.hpp files, marked
// WASMPP_INLINE. Header-only: the light headers include their *_impl.hpp and WASMPP_INLINE is
// `inline`. Separately compiled: only one translation unit includes them (through
// wasm/impl.hpp, or the wasmpp::compiled library) and WASMPP_INLINE is empty, so a translation
// unit that only uses the API parses neither xbyak nor the compiler. WASMPP_IMPLEMENTATION (set
// by wasm/impl.hpp, or by hand before including the single header) marks that one unit.
#if defined(WASMPP_SEPARATE_COMPILATION)
#define WASMPP_INLINE
#else
#define WASMPP_INLINE inline
#endif
// ---- end include/wasm/detail/base/inline.hpp ----
// ---- begin include/wasm/detail/vm/store_data.hpp ----
// StoreData: everything a Store owns (the non-template part of wasm::Store<T>): its
// VMStoreContext, instances, memories, tables, globals and host functions. Public handles
// (Func, Memory, ...) are a store id plus an index into one of the vectors here.
#include <atomic>
#include <cstddef>

// ---- begin include/wasm/detail/vm/instance.hpp ----
// Instance: the runtime state of one instantiated module. It is allocated in one block with
// its VMContext directly behind it, so JIT code (which sees only the VMContext) and builtins
// (which get a VMContext*) reach the Instance by pointer arithmetic.
#include <new>

// ---- begin include/wasm/detail/env/builtins.hpp ----
// VMBuiltins: the table of runtime functions JIT code calls (see builtins.def for the list and
// conventions). One table per process; every VMContext points at it.

// ---- begin include/wasm/detail/env/vm_records.hpp ----
// The records that live inside a VMContext (or that it points at) and that JIT code reads
// through VMOffsets displacements. Their layout is stated in env/vmctx_layout.def; the
// static_asserts at the end, generated from that file, keep these structs identical to it.

// ---- begin include/wasm/detail/env/vmoffsets.hpp ----
// VMOffsets: where everything sits in the VMContext of a module of a given shape. It is one
// constexpr walk over the regions of vmctx_layout.def, so the same code gives static_assert-able
// offsets for a shape known at compile time and the offsets of a module decoded at run time.
#include <algorithm>
#include <iterator>

// ---- begin include/wasm/detail/env/module_shape.hpp ----
// ModuleShape: how many of each kind of entity a module imports and defines, which is all the
// VMContext layout depends on. It comes from a decoded module at run time (shape_of) or, for a
// module embedded in the program, from a scan of its bytes at compile time (scan_module_shape).

// ---- begin include/wasm/detail/binary/module_reader.hpp ----
// The module structure of the binary format, read once for both of its readers: the decoder
// (decoder.hpp, which builds ModuleInfo) and the constexpr shape scan (env/module_shape.hpp,
// which counts entities at compile time for a module embedded in the program). Everything here
// is constexpr and reads through Reader, which never reads out of bounds; a failure is recorded
// in the Reader with the decoder's message (the spec's wording where assert_malformed checks it).

// ---- begin include/wasm/detail/binary/reader.hpp ----
// A bounds-checked cursor over module bytes with the exact LEB128 rules of the binary format.
// It never throws and is usable in constant expressions: the first failure is recorded
// (a static message and the byte offset) and every later read returns zero.

namespace wasm::detail {

class Reader {
 public:
  constexpr Reader() = default;
  constexpr explicit Reader(std::span<const uint8_t> bytes, size_t base_offset = 0)
      : bytes_(bytes), base_(base_offset) {}

  constexpr bool ok() const { return error_ == nullptr; }
  constexpr bool at_end() const { return pos_ >= bytes_.size(); }
  constexpr size_t remaining() const { return ok() ? bytes_.size() - pos_ : 0; }
  // Offset of the cursor from the start of the module.
  constexpr size_t offset() const { return base_ + pos_; }
  constexpr size_t position() const { return pos_; }
  constexpr const char* error() const { return error_; }
  constexpr size_t error_offset() const { return error_offset_; }

  // Records the first error at the current position; later errors are ignored.
  constexpr void fail(const char* message) { fail_at(offset(), message); }
  constexpr void fail_at(size_t offset, const char* message) {
    if (error_) return;
    error_ = message;
    error_offset_ = offset;
    pos_ = bytes_.size();
  }

  constexpr uint8_t peek_u8() {
    if (!ok() || pos_ >= bytes_.size()) return 0;
    return bytes_[pos_];
  }
  constexpr uint8_t u8() {
    if (!ok()) return 0;
    if (pos_ >= bytes_.size()) {
      fail("unexpected end");
      return 0;
    }
    return bytes_[pos_++];
  }
  constexpr uint32_t fixed_u32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t(u8()) << (8 * i);
    return v;
  }
  constexpr uint64_t fixed_u64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t(u8()) << (8 * i);
    return v;
  }

  constexpr uint32_t u32() { return uint32_t(leb_unsigned(32)); }
  constexpr uint64_t u64() { return leb_unsigned(64); }
  constexpr int32_t s32() { return int32_t(leb_signed(32)); }
  constexpr int64_t s64() { return leb_signed(64); }
  // A 33-bit signed LEB128 (block types).
  constexpr int64_t s33() { return leb_signed(33); }

  constexpr std::span<const uint8_t> bytes(size_t n) {
    if (!ok()) return {};
    if (n > bytes_.size() - pos_) {
      fail("unexpected end");
      return {};
    }
    auto s = bytes_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  constexpr void skip(size_t n) { (void)bytes(n); }

  // A sub-reader over the next n bytes (sections, function bodies); the cursor moves past them.
  constexpr Reader sub(size_t n, const char* overrun_message = "unexpected end") {
    size_t start = offset();
    if (ok() && n > bytes_.size() - pos_) {
      fail(overrun_message);
      return Reader();
    }
    return Reader(bytes(n), start);
  }

  // The whole underlying span and the cursor, for callers that decode in place (function bodies).
  constexpr std::span<const uint8_t> data() const { return bytes_; }
  constexpr void seek(size_t pos) { pos_ = pos; }

 private:
  // The binary format allows ceil(N/7) bytes; in the last byte the bits beyond N must be zero
  // (unsigned) or a sign extension of bit N-1 (signed).
  constexpr uint64_t leb_unsigned(unsigned bits) {
    uint64_t result = 0;
    unsigned shift = 0;
    const unsigned max_bytes = (bits + 6) / 7;
    for (unsigned i = 0; i < max_bytes; ++i) {
      if (!ok()) return 0;
      if (pos_ >= bytes_.size()) {
        fail("unexpected end");
        return 0;
      }
      uint8_t byte = bytes_[pos_++];
      if (i == max_bytes - 1) {
        unsigned used = bits - shift;  // bits still allowed in this byte
        if (byte & 0x80) {
          fail_at(offset() - 1, "integer representation too long");
          return 0;
        }
        if (used < 7 && (byte >> used) != 0) {
          fail_at(offset() - 1, "integer too large");
          return 0;
        }
      }
      result |= uint64_t(byte & 0x7F) << shift;
      shift += 7;
      if (!(byte & 0x80)) return result;
    }
    return result;
  }

  constexpr int64_t leb_signed(unsigned bits) {
    uint64_t result = 0;
    unsigned shift = 0;
    const unsigned max_bytes = (bits + 6) / 7;
    for (unsigned i = 0; i < max_bytes; ++i) {
      if (!ok()) return 0;
      if (pos_ >= bytes_.size()) {
        fail("unexpected end");
        return 0;
      }
      uint8_t byte = bytes_[pos_++];
      if (i == max_bytes - 1) {
        if (byte & 0x80) {
          fail_at(offset() - 1, "integer representation too long");
          return 0;
        }
        unsigned used = bits - shift;  // value bits in this byte, including the sign bit
        if (used < 7) {
          // Bits [used-1, 6] must all equal the sign bit.
          uint8_t high = uint8_t(byte >> (used - 1)) & uint8_t(0x7F >> (used - 1));
          uint8_t all = uint8_t(0x7F >> (used - 1));
          if (high != 0 && high != all) {
            fail_at(offset() - 1, "integer too large");
            return 0;
          }
        }
      }
      result |= uint64_t(byte & 0x7F) << shift;
      shift += 7;
      if (!(byte & 0x80)) {
        if (shift < 64 && (byte & 0x40)) result |= ~uint64_t(0) << shift;
        return int64_t(result);
      }
    }
    return int64_t(result);
  }

  std::span<const uint8_t> bytes_;
  size_t base_ = 0;
  size_t pos_ = 0;
  const char* error_ = nullptr;
  size_t error_offset_ = 0;
};

}  // namespace wasm::detail
// ---- end include/wasm/detail/binary/reader.hpp ----
// ---- begin include/wasm/detail/binary/sections.hpp ----
// Section ids of the binary format and the order the known sections must come in; shared by
// the decoder and the constexpr shape scanner (env/module_shape.hpp).

namespace wasm::detail {

enum class SectionId : uint8_t {
  Custom = 0,
  Type = 1,
  Import = 2,
  Function = 3,
  Table = 4,
  Memory = 5,
  Global = 6,
  Export = 7,
  Start = 8,
  Element = 9,
  Code = 10,
  Data = 11,
  DataCount = 12,
  Tag = 13,
};

// Position of a section in the required order (custom sections: 0, they may appear anywhere);
// -1 for an unknown id. Data count (12) comes before code, tags (13) between memories and
// globals.
constexpr int section_rank(uint8_t id) {
  constexpr int kRank[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 11, 6};
  return id < std::size(kRank) ? kRank[id] : -1;
}

}  // namespace wasm::detail
// ---- end include/wasm/detail/binary/sections.hpp ----
// ---- begin include/wasm/detail/binary/unsupported.hpp ----
// Encodings of WebAssembly 3.0 (and of later proposals) that this runtime does not implement yet.
// Where the decoder meets one, it fails with a message from here instead of "malformed ...", and
// the error is of kind ErrorKind::Unsupported: the module may well be valid, we cannot run it.
// (The spec suite counts such modules as skipped, not as failed.) Remove a case when its feature
// is implemented. Instructions need no case here: opcodes.def knows every one, InstructionReader
// refuses those whose Features flag is off, and the validator reports the ones it does not
// implement as Unsupported.

namespace wasm::detail {

// Every message of an unsupported feature starts with this prefix, which travels with the
// static message through Reader (fail_at keeps the pointer) and is dropped in the Error.
inline constexpr std::string_view kUnsupportedPrefix = "unsupported: ";

constexpr bool is_unsupported_message(const char* message) {
  return message && std::string_view(message).starts_with(kUnsupportedPrefix);
}
constexpr const char* unsupported_feature(const char* message) {
  return message + kUnsupportedPrefix.size();
}

// A value type or heap type byte of 3.0 (typed references, GC, exnref).
constexpr const char* unsupported_type_byte(uint8_t b) {
  switch (b) {
    case 0x63:  // ref null ht
    case 0x64:  // ref ht
      return "unsupported: typed function references";
    case 0x69:  // exn
    case 0x74:  // noexn
      return "unsupported: exnref";
    case 0x6A:  // array
    case 0x6B:  // struct
    case 0x6C:  // i31
    case 0x6D:  // eq
    case 0x6E:  // any
    case 0x71:  // none
    case 0x72:  // noextern
    case 0x73:  // nofunc
      return "unsupported: GC reference types";
    default: return nullptr;
  }
}

// A type section entry other than a function type.
constexpr const char* unsupported_type_form(uint8_t b) {
  switch (b) {
    case 0x4E:  // rec
    case 0x4F:  // sub final
    case 0x50:  // sub
    case 0x5E:  // array
    case 0x5F:  // struct
      return "unsupported: GC types (struct, array, rec, sub)";
    case 0x4C:  // describes
    case 0x4D:  // descriptor
      return "unsupported: custom descriptors";
    default: return nullptr;
  }
}

inline constexpr const char* kUnsupportedTable64 = "unsupported: 64-bit tables";
inline constexpr const char* kUnsupportedTableInit = "unsupported: table initializer expressions";
inline constexpr const char* kUnsupportedExactImport = "unsupported: custom descriptors";

}  // namespace wasm::detail
// ---- end include/wasm/detail/binary/unsupported.hpp ----
// ---- begin include/wasm/features.hpp ----
// Which WebAssembly extensions the decoder and validator accept.
// Everything in WebAssembly 2.0 (multi-value, bulk memory, reference types, sign extension,
// saturating truncation, SIMD) is always on; the flags below are post-2.0 proposals.

namespace wasm {

struct Features {
  bool multi_memory = false;
  bool memory64 = false;
  bool extended_const = false;
  bool tail_call = false;
  bool threads = false;
  bool exceptions = false;
  bool relaxed_simd = false;
  bool function_references = false;  // call_ref, ref.as_non_null, br_on_null, typed refs
  bool gc = false;                    // 0xFB struct/array/i31/cast instructions, ref.eq
  bool wide_arithmetic = false;       // i64.add128, i64.sub128, i64.mul_wide_s/u

  // Turns on a proposal by its wast2json flag name ("multi-memory", "memory64", ...).
  // Returns false for an unknown name.
  constexpr bool enable(std::string_view name) {
    if (name == "multi-memory") multi_memory = true;
    else if (name == "memory64") memory64 = true;
    else if (name == "extended-const") extended_const = true;
    else if (name == "tail-call") tail_call = true;
    else if (name == "threads") threads = true;
    else if (name == "exceptions") exceptions = true;
    else if (name == "relaxed-simd") relaxed_simd = true;
    else if (name == "function-references") function_references = true;
    else if (name == "gc") gc = true;
    else if (name == "wide-arithmetic") wide_arithmetic = true;
    else return false;
    return true;
  }

  // Every proposal above (the WebAssembly 3.0 suite is run with all of them; what the runtime
  // does not implement yet is then refused as ErrorKind::Unsupported, not as malformed).
  constexpr void enable_all() {
    multi_memory = memory64 = extended_const = tail_call = threads = exceptions = relaxed_simd = true;
    function_references = gc = wide_arithmetic = true;
  }
};

}  // namespace wasm
// ---- end include/wasm/features.hpp ----

namespace wasm::detail::module_reader {

// Limits beyond which we refuse a module even if the format would allow it, so hostile input
// cannot make us allocate without bound. They match those of the JS embedding API.
inline constexpr uint32_t kMaxFunctionParams = 1000;
inline constexpr uint32_t kMaxFunctionResults = 1000;

constexpr void read_header(Reader& r) {
  auto magic = r.bytes(4);
  if (!r.ok()) return;
  if (!(magic[0] == 0x00 && magic[1] == 'a' && magic[2] == 's' && magic[3] == 'm')) {
    r.fail_at(0, "magic header not detected");
    return;
  }
  uint32_t version = r.fixed_u32();
  if (r.ok() && version != 1) r.fail_at(4, "unknown binary version");
}

// A vector length. Every element takes at least one byte, so a count beyond the bytes left is
// malformed; checking it first keeps hostile counts from allocating and bounds every loop by the
// input size.
constexpr uint32_t read_count(Reader& s) {
  uint32_t n = s.u32();
  if (s.ok() && n > s.remaining()) s.fail("length out of bounds");
  return s.ok() ? n : 0;
}

// A name's bytes (its UTF-8 validity is the caller's business: the scan does not check it).
constexpr std::span<const uint8_t> read_name_bytes(Reader& s) {
  uint32_t length = s.u32();
  if (s.ok() && length > s.remaining()) {
    s.fail("length out of bounds");
    return {};
  }
  return s.bytes(length);
}

// The type byte just read is not one we know: a 3.0 type we do not implement, or malformed.
constexpr void fail_type_byte(Reader& s, uint8_t b, const char* malformed) {
  const char* unsupported = unsupported_type_byte(b);
  s.fail_at(s.offset() - 1, unsupported ? unsupported : malformed);
}

constexpr ValType read_valtype(Reader& s) {
  uint8_t b = s.u8();
  if (s.ok() && !is_valtype_byte(b)) fail_type_byte(s, b, "malformed value type");
  return ValType(b);
}

constexpr ValType read_reftype(Reader& s) {
  uint8_t b = s.u8();
  if (s.ok() && b != 0x70 && b != 0x6F) fail_type_byte(s, b, "malformed reference type");
  return ValType(b);
}

// A function type: the form byte, then parameters and results, each given to `on_param` and
// `on_result` as it is read.
template <typename OnParam, typename OnResult>
constexpr void read_func_type(Reader& s, OnParam&& on_param, OnResult&& on_result) {
  uint8_t form = s.u8();
  if (s.ok() && form != 0x60) {
    const char* unsupported = unsupported_type_form(form);
    s.fail_at(s.offset() - 1, unsupported ? unsupported : "integer representation too long");
    return;
  }
  uint32_t params = read_count(s);
  if (params > kMaxFunctionParams) s.fail("too many parameters");
  for (uint32_t k = 0; k < params && s.ok(); ++k) on_param(read_valtype(s));
  uint32_t results = read_count(s);
  if (results > kMaxFunctionResults) s.fail("too many results");
  for (uint32_t k = 0; k < results && s.ok(); ++k) on_result(read_valtype(s));
}

// Limits flags: bit 0 = has maximum, bit 1 = shared (threads), bit 2 = 64-bit (memory64).
constexpr Limits read_limits(Reader& s, const Features& features, bool is_memory, bool* is64 = nullptr) {
  size_t at = s.offset();
  uint8_t flags = s.u8();
  uint8_t allowed = 0x01;
  if (is_memory && features.threads) allowed |= 0x02;
  if (is_memory && features.memory64) allowed |= 0x04;
  Limits l;
  if (s.ok() && (flags & ~allowed)) {
    const char* message = "integer too large";  // the flags byte is a u1/u2 in the grammar
    if (!is_memory && features.memory64 && (flags & ~0x05) == 0) message = kUnsupportedTable64;
    s.fail_at(at, message);
    return l;
  }
  bool wide = flags & 0x04;
  if (is64) *is64 = wide;
  l.shared = flags & 0x02;
  // With memory64 (the 3.0 format) a memory's limits are u64 whatever its address type; the
  // validator bounds an i32 memory to 65536 pages ("memory size", not malformed).
  if (is_memory && features.memory64) wide = true;
  l.min = wide ? s.u64() : s.u32();
  if (flags & 0x01) l.max = wide ? s.u64() : s.u32();
  return l;
}

constexpr TableType read_table_type(Reader& s, const Features& features) {
  TableType t;
  if (s.ok() && s.peek_u8() == 0x40) {  // 0x40 0x00: a table with an initializer expression
    s.fail(kUnsupportedTableInit);
    return t;
  }
  t.element = read_reftype(s);
  t.limits = read_limits(s, features, false);
  return t;
}

constexpr MemoryType read_memory_type(Reader& s, const Features& features) {
  MemoryType t;
  t.limits = read_limits(s, features, true, &t.is64);
  return t;
}

constexpr GlobalType read_global_type(Reader& s) {
  GlobalType g;
  g.type = read_valtype(s);
  uint8_t mut = s.u8();
  if (s.ok() && mut > 1) s.fail_at(s.offset() - 1, "malformed mutability");
  g.mutable_ = mut == 1;
  return g;
}

// A tag's type: an attribute byte (0: exception) and a function type index.
constexpr uint32_t read_tag_type(Reader& s) {
  if (s.u8() != 0 && s.ok()) s.fail_at(s.offset() - 1, "zero byte expected");
  return s.u32();
}

// What an import brings in, after its two names. `index` is the type index of a function or tag.
struct ImportDesc {
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;
  TableType table;
  MemoryType memory;
  GlobalType global;
};

constexpr ImportDesc read_import_desc(Reader& s, const Features& features) {
  ImportDesc d;
  size_t kind_at = s.offset();
  uint8_t kind = s.u8();
  if (!s.ok()) return d;
  switch (kind) {
    case 0: d.kind = ExternKind::Func; d.index = s.u32(); break;
    case 1: d.kind = ExternKind::Table; d.table = read_table_type(s, features); break;
    case 2: d.kind = ExternKind::Memory; d.memory = read_memory_type(s, features); break;
    case 3: d.kind = ExternKind::Global; d.global = read_global_type(s); break;
    case 4:
      if (!features.exceptions) {
        s.fail_at(kind_at, "malformed import kind");
        break;
      }
      d.kind = ExternKind::Tag;
      d.index = read_tag_type(s);
      break;
    case 0x20: s.fail_at(kind_at, kUnsupportedExactImport); break;  // exact function import
    default: s.fail_at(kind_at, "malformed import kind"); break;
  }
  return d;
}

// One section: its id, where its header starts, and a Reader over its contents.
struct Section {
  SectionId id = SectionId::Custom;
  size_t start = 0;
  Reader body;
};

// The sections of a module after its header, with their ids, sizes and order checked (custom
// sections may come anywhere; a known section at most once, in the required order).
class SectionReader {
 public:
  constexpr SectionReader(Reader& module, const Features& features)
      : r_(module), features_(features) {}

  // The next section, or false at the end of the module or on an error (recorded in the Reader).
  constexpr bool next(Section& out) {
    if (!r_.ok() || r_.at_end()) return false;
    size_t start = r_.offset();
    uint8_t id = r_.u8();
    uint32_t size = r_.u32();
    if (!r_.ok()) return false;
    if (id > 13 || (id == uint8_t(SectionId::Tag) && !features_.exceptions)) {
      r_.fail_at(start, "malformed section id");
      return false;
    }
    Reader body = r_.sub(size, "length out of bounds");
    if (!r_.ok()) return false;
    if (id != uint8_t(SectionId::Custom)) {
      int rank = section_rank(id);
      if (rank <= last_rank_) {  // also a repeated section
        r_.fail_at(start, "unexpected content after last section");
        return false;
      }
      last_rank_ = rank;
    }
    out = Section{SectionId(id), start, body};
    return true;
  }

 private:
  Reader& r_;
  const Features& features_;
  int last_rank_ = 0;
};

}  // namespace wasm::detail::module_reader
// ---- end include/wasm/detail/binary/module_reader.hpp ----
// ---- begin include/wasm/detail/binary/module_info.hpp ----
// ModuleInfo: everything the decoder learns about a module, as plain data. The validator checks
// it, the runtime instantiates from it and the compiler reads function bodies through it.
#include <unordered_map>

// ---- begin include/wasm/detail/binary/instruction.hpp ----
// Decoding of one instruction (opcode and immediates) from a function body or constant
// expression. The validator and the compilers read code only through InstructionReader.
#include <bit>

// ---- begin include/wasm/detail/binary/opcodes.hpp ----
// The opcode enumeration and its static description, generated from opcodes.def.


namespace wasm::detail {

// Immediate operand layouts.
enum class Imm : uint8_t {
  None,
  BlockType,     // s33 block type
  Label,         // label depth
  BrTable,       // vec(label) + default label
  Func,          // function index
  CallIndirect,  // type index, table index
  Local,
  Global,
  Table,         // table index
  Memory,        // memory index (a zero byte in 2.0)
  MemArg,        // alignment, offset (and memory index with multi-memory)
  I32,
  I64,
  F32,
  F64,
  V128,
  Shuffle,       // 16 lane indices
  Lane,          // one lane index
  MemArgLane,    // memarg then lane index
  SelectTypes,   // vec(valtype)
  RefType,       // heap type of ref.null
  MemoryInit,    // data index, memory index
  Data,          // data index
  MemoryCopy,    // destination memory, source memory
  TableInit,     // element index, table index
  Elem,          // element index
  TableCopy,     // destination table, source table
  Tag,           // tag index (throw, catch)
  TryTable,      // block type, vec(catch clause)
  TypeIdx,       // type index (call_ref, struct.new, array.get, ...)
  TypeField,     // type index, field index
  TypeCount,     // type index, u32 operand count (array.new_fixed)
  TypeData,      // type index, data index
  TypeElem,      // type index, element index
  TypeType,      // two type indices (array.copy)
  HeapType,      // s33 heap type (ref.test, ref.cast)
  BrOnCast,      // flags byte, label, two heap types
  ZeroByte,      // a reserved zero byte (atomic.fence)
};

// Operand and result slots of the opcode table.
enum class Slot : uint8_t { None, Special, I32, I64, F32, F64, V128 };

constexpr ValType slot_type(Slot s) {
  switch (s) {
    case Slot::I64: return ValType::I64;
    case Slot::F32: return ValType::F32;
    case Slot::F64: return ValType::F64;
    case Slot::V128: return ValType::V128;
    default: return ValType::I32;
  }
}

enum class Op : uint16_t {
#define WASM_OP(name, prefix, code, imm, text, p0, p1, p2, r, extra) name,
// ---- begin include/wasm/detail/binary/opcodes.def ----
// The WebAssembly 3.0 instruction set and the proposals we read (threads, wide arithmetic), one line per opcode. The decoder, validator and compiler
// all read this table (X-macro); nothing else lists opcodes.
//
//   WASM_OP(Name, Prefix, Code, Imm, "text", P0, P1, P2, R, Extra)
//
// Name    identifier of the opcode in `enum class Op`
// Prefix  0 for single-byte opcodes, 0xFC or 0xFD for prefixed ones (Code is then a u32 LEB)
// Imm     immediate kind (enum class Imm in opcodes.hpp)
// P0..P2  operand types popped, in stack order (P0 deepest); `_` for none
// R       result type pushed, or `_`
//         Special in P0 means the operand types depend on immediates or context and the
//         validator/compiler handle the opcode by hand (control, variables, calls, tables, refs).
// Extra   bytes accessed for memory operations, lane count for lane operations, else 0.
//
// clang-format off

// Control
WASM_OP(Unreachable,  0, 0x00, None,         "unreachable",   Special, _, _, _, 0)
WASM_OP(Nop,          0, 0x01, None,         "nop",           _, _, _, _, 0)
WASM_OP(Block,        0, 0x02, BlockType,    "block",         Special, _, _, _, 0)
WASM_OP(Loop,         0, 0x03, BlockType,    "loop",          Special, _, _, _, 0)
WASM_OP(If,           0, 0x04, BlockType,    "if",            Special, _, _, _, 0)
WASM_OP(Else,         0, 0x05, None,         "else",          Special, _, _, _, 0)
WASM_OP(End,          0, 0x0B, None,         "end",           Special, _, _, _, 0)
WASM_OP(Br,           0, 0x0C, Label,        "br",            Special, _, _, _, 0)
WASM_OP(BrIf,         0, 0x0D, Label,        "br_if",         Special, _, _, _, 0)
WASM_OP(BrTable,      0, 0x0E, BrTable,      "br_table",      Special, _, _, _, 0)
WASM_OP(Return,       0, 0x0F, None,         "return",        Special, _, _, _, 0)
WASM_OP(Call,         0, 0x10, Func,         "call",          Special, _, _, _, 0)
WASM_OP(CallIndirect, 0, 0x11, CallIndirect, "call_indirect", Special, _, _, _, 0)
WASM_OP(ReturnCall,         0, 0x12, Func,         "return_call",          Special, _, _, _, 0)
WASM_OP(ReturnCallIndirect, 0, 0x13, CallIndirect, "return_call_indirect", Special, _, _, _, 0)

// Parametric
WASM_OP(Drop,         0, 0x1A, None,         "drop",          Special, _, _, _, 0)
WASM_OP(Select,       0, 0x1B, None,         "select",        Special, _, _, _, 0)
WASM_OP(SelectT,      0, 0x1C, SelectTypes,  "select",        Special, _, _, _, 0)

// Variables and tables
WASM_OP(LocalGet,     0, 0x20, Local,        "local.get",     Special, _, _, _, 0)
WASM_OP(LocalSet,     0, 0x21, Local,        "local.set",     Special, _, _, _, 0)
WASM_OP(LocalTee,     0, 0x22, Local,        "local.tee",     Special, _, _, _, 0)
WASM_OP(GlobalGet,    0, 0x23, Global,       "global.get",    Special, _, _, _, 0)
WASM_OP(GlobalSet,    0, 0x24, Global,       "global.set",    Special, _, _, _, 0)
WASM_OP(TableGet,     0, 0x25, Table,        "table.get",     Special, _, _, _, 0)
WASM_OP(TableSet,     0, 0x26, Table,        "table.set",     Special, _, _, _, 0)

// Memory
WASM_OP(I32Load,      0, 0x28, MemArg, "i32.load",     I32, _, _, I32, 4)
WASM_OP(I64Load,      0, 0x29, MemArg, "i64.load",     I32, _, _, I64, 8)
WASM_OP(F32Load,      0, 0x2A, MemArg, "f32.load",     I32, _, _, F32, 4)
WASM_OP(F64Load,      0, 0x2B, MemArg, "f64.load",     I32, _, _, F64, 8)
WASM_OP(I32Load8S,    0, 0x2C, MemArg, "i32.load8_s",  I32, _, _, I32, 1)
WASM_OP(I32Load8U,    0, 0x2D, MemArg, "i32.load8_u",  I32, _, _, I32, 1)
WASM_OP(I32Load16S,   0, 0x2E, MemArg, "i32.load16_s", I32, _, _, I32, 2)
WASM_OP(I32Load16U,   0, 0x2F, MemArg, "i32.load16_u", I32, _, _, I32, 2)
WASM_OP(I64Load8S,    0, 0x30, MemArg, "i64.load8_s",  I32, _, _, I64, 1)
WASM_OP(I64Load8U,    0, 0x31, MemArg, "i64.load8_u",  I32, _, _, I64, 1)
WASM_OP(I64Load16S,   0, 0x32, MemArg, "i64.load16_s", I32, _, _, I64, 2)
WASM_OP(I64Load16U,   0, 0x33, MemArg, "i64.load16_u", I32, _, _, I64, 2)
WASM_OP(I64Load32S,   0, 0x34, MemArg, "i64.load32_s", I32, _, _, I64, 4)
WASM_OP(I64Load32U,   0, 0x35, MemArg, "i64.load32_u", I32, _, _, I64, 4)
WASM_OP(I32Store,     0, 0x36, MemArg, "i32.store",    I32, I32, _, _, 4)
WASM_OP(I64Store,     0, 0x37, MemArg, "i64.store",    I32, I64, _, _, 8)
WASM_OP(F32Store,     0, 0x38, MemArg, "f32.store",    I32, F32, _, _, 4)
WASM_OP(F64Store,     0, 0x39, MemArg, "f64.store",    I32, F64, _, _, 8)
WASM_OP(I32Store8,    0, 0x3A, MemArg, "i32.store8",   I32, I32, _, _, 1)
WASM_OP(I32Store16,   0, 0x3B, MemArg, "i32.store16",  I32, I32, _, _, 2)
WASM_OP(I64Store8,    0, 0x3C, MemArg, "i64.store8",   I32, I64, _, _, 1)
WASM_OP(I64Store16,   0, 0x3D, MemArg, "i64.store16",  I32, I64, _, _, 2)
WASM_OP(I64Store32,   0, 0x3E, MemArg, "i64.store32",  I32, I64, _, _, 4)
WASM_OP(MemorySize,   0, 0x3F, Memory, "memory.size",  _, _, _, I32, 0)
WASM_OP(MemoryGrow,   0, 0x40, Memory, "memory.grow",  I32, _, _, I32, 0)

// Constants
WASM_OP(I32Const,     0, 0x41, I32,    "i32.const",    _, _, _, I32, 0)
WASM_OP(I64Const,     0, 0x42, I64,    "i64.const",    _, _, _, I64, 0)
WASM_OP(F32Const,     0, 0x43, F32,    "f32.const",    _, _, _, F32, 0)
WASM_OP(F64Const,     0, 0x44, F64,    "f64.const",    _, _, _, F64, 0)

// i32 comparisons
WASM_OP(I32Eqz,       0, 0x45, None, "i32.eqz",  I32, _, _, I32, 0)
WASM_OP(I32Eq,        0, 0x46, None, "i32.eq",   I32, I32, _, I32, 0)
WASM_OP(I32Ne,        0, 0x47, None, "i32.ne",   I32, I32, _, I32, 0)
WASM_OP(I32LtS,       0, 0x48, None, "i32.lt_s", I32, I32, _, I32, 0)
WASM_OP(I32LtU,       0, 0x49, None, "i32.lt_u", I32, I32, _, I32, 0)
WASM_OP(I32GtS,       0, 0x4A, None, "i32.gt_s", I32, I32, _, I32, 0)
WASM_OP(I32GtU,       0, 0x4B, None, "i32.gt_u", I32, I32, _, I32, 0)
WASM_OP(I32LeS,       0, 0x4C, None, "i32.le_s", I32, I32, _, I32, 0)
WASM_OP(I32LeU,       0, 0x4D, None, "i32.le_u", I32, I32, _, I32, 0)
WASM_OP(I32GeS,       0, 0x4E, None, "i32.ge_s", I32, I32, _, I32, 0)
WASM_OP(I32GeU,       0, 0x4F, None, "i32.ge_u", I32, I32, _, I32, 0)
// i64 comparisons
WASM_OP(I64Eqz,       0, 0x50, None, "i64.eqz",  I64, _, _, I32, 0)
WASM_OP(I64Eq,        0, 0x51, None, "i64.eq",   I64, I64, _, I32, 0)
WASM_OP(I64Ne,        0, 0x52, None, "i64.ne",   I64, I64, _, I32, 0)
WASM_OP(I64LtS,       0, 0x53, None, "i64.lt_s", I64, I64, _, I32, 0)
WASM_OP(I64LtU,       0, 0x54, None, "i64.lt_u", I64, I64, _, I32, 0)
WASM_OP(I64GtS,       0, 0x55, None, "i64.gt_s", I64, I64, _, I32, 0)
WASM_OP(I64GtU,       0, 0x56, None, "i64.gt_u", I64, I64, _, I32, 0)
WASM_OP(I64LeS,       0, 0x57, None, "i64.le_s", I64, I64, _, I32, 0)
WASM_OP(I64LeU,       0, 0x58, None, "i64.le_u", I64, I64, _, I32, 0)
WASM_OP(I64GeS,       0, 0x59, None, "i64.ge_s", I64, I64, _, I32, 0)
WASM_OP(I64GeU,       0, 0x5A, None, "i64.ge_u", I64, I64, _, I32, 0)
// float comparisons
WASM_OP(F32Eq,        0, 0x5B, None, "f32.eq", F32, F32, _, I32, 0)
WASM_OP(F32Ne,        0, 0x5C, None, "f32.ne", F32, F32, _, I32, 0)
WASM_OP(F32Lt,        0, 0x5D, None, "f32.lt", F32, F32, _, I32, 0)
WASM_OP(F32Gt,        0, 0x5E, None, "f32.gt", F32, F32, _, I32, 0)
WASM_OP(F32Le,        0, 0x5F, None, "f32.le", F32, F32, _, I32, 0)
WASM_OP(F32Ge,        0, 0x60, None, "f32.ge", F32, F32, _, I32, 0)
WASM_OP(F64Eq,        0, 0x61, None, "f64.eq", F64, F64, _, I32, 0)
WASM_OP(F64Ne,        0, 0x62, None, "f64.ne", F64, F64, _, I32, 0)
WASM_OP(F64Lt,        0, 0x63, None, "f64.lt", F64, F64, _, I32, 0)
WASM_OP(F64Gt,        0, 0x64, None, "f64.gt", F64, F64, _, I32, 0)
WASM_OP(F64Le,        0, 0x65, None, "f64.le", F64, F64, _, I32, 0)
WASM_OP(F64Ge,        0, 0x66, None, "f64.ge", F64, F64, _, I32, 0)

// i32 arithmetic
WASM_OP(I32Clz,       0, 0x67, None, "i32.clz",    I32, _, _, I32, 0)
WASM_OP(I32Ctz,       0, 0x68, None, "i32.ctz",    I32, _, _, I32, 0)
WASM_OP(I32Popcnt,    0, 0x69, None, "i32.popcnt", I32, _, _, I32, 0)
WASM_OP(I32Add,       0, 0x6A, None, "i32.add",    I32, I32, _, I32, 0)
WASM_OP(I32Sub,       0, 0x6B, None, "i32.sub",    I32, I32, _, I32, 0)
WASM_OP(I32Mul,       0, 0x6C, None, "i32.mul",    I32, I32, _, I32, 0)
WASM_OP(I32DivS,      0, 0x6D, None, "i32.div_s",  I32, I32, _, I32, 0)
WASM_OP(I32DivU,      0, 0x6E, None, "i32.div_u",  I32, I32, _, I32, 0)
WASM_OP(I32RemS,      0, 0x6F, None, "i32.rem_s",  I32, I32, _, I32, 0)
WASM_OP(I32RemU,      0, 0x70, None, "i32.rem_u",  I32, I32, _, I32, 0)
WASM_OP(I32And,       0, 0x71, None, "i32.and",    I32, I32, _, I32, 0)
WASM_OP(I32Or,        0, 0x72, None, "i32.or",     I32, I32, _, I32, 0)
WASM_OP(I32Xor,       0, 0x73, None, "i32.xor",    I32, I32, _, I32, 0)
WASM_OP(I32Shl,       0, 0x74, None, "i32.shl",    I32, I32, _, I32, 0)
WASM_OP(I32ShrS,      0, 0x75, None, "i32.shr_s",  I32, I32, _, I32, 0)
WASM_OP(I32ShrU,      0, 0x76, None, "i32.shr_u",  I32, I32, _, I32, 0)
WASM_OP(I32Rotl,      0, 0x77, None, "i32.rotl",   I32, I32, _, I32, 0)
WASM_OP(I32Rotr,      0, 0x78, None, "i32.rotr",   I32, I32, _, I32, 0)
// i64 arithmetic
WASM_OP(I64Clz,       0, 0x79, None, "i64.clz",    I64, _, _, I64, 0)
WASM_OP(I64Ctz,       0, 0x7A, None, "i64.ctz",    I64, _, _, I64, 0)
WASM_OP(I64Popcnt,    0, 0x7B, None, "i64.popcnt", I64, _, _, I64, 0)
WASM_OP(I64Add,       0, 0x7C, None, "i64.add",    I64, I64, _, I64, 0)
WASM_OP(I64Sub,       0, 0x7D, None, "i64.sub",    I64, I64, _, I64, 0)
WASM_OP(I64Mul,       0, 0x7E, None, "i64.mul",    I64, I64, _, I64, 0)
WASM_OP(I64DivS,      0, 0x7F, None, "i64.div_s",  I64, I64, _, I64, 0)
WASM_OP(I64DivU,      0, 0x80, None, "i64.div_u",  I64, I64, _, I64, 0)
WASM_OP(I64RemS,      0, 0x81, None, "i64.rem_s",  I64, I64, _, I64, 0)
WASM_OP(I64RemU,      0, 0x82, None, "i64.rem_u",  I64, I64, _, I64, 0)
WASM_OP(I64And,       0, 0x83, None, "i64.and",    I64, I64, _, I64, 0)
WASM_OP(I64Or,        0, 0x84, None, "i64.or",     I64, I64, _, I64, 0)
WASM_OP(I64Xor,       0, 0x85, None, "i64.xor",    I64, I64, _, I64, 0)
WASM_OP(I64Shl,       0, 0x86, None, "i64.shl",    I64, I64, _, I64, 0)
WASM_OP(I64ShrS,      0, 0x87, None, "i64.shr_s",  I64, I64, _, I64, 0)
WASM_OP(I64ShrU,      0, 0x88, None, "i64.shr_u",  I64, I64, _, I64, 0)
WASM_OP(I64Rotl,      0, 0x89, None, "i64.rotl",   I64, I64, _, I64, 0)
WASM_OP(I64Rotr,      0, 0x8A, None, "i64.rotr",   I64, I64, _, I64, 0)
// f32 arithmetic
WASM_OP(F32Abs,       0, 0x8B, None, "f32.abs",      F32, _, _, F32, 0)
WASM_OP(F32Neg,       0, 0x8C, None, "f32.neg",      F32, _, _, F32, 0)
WASM_OP(F32Ceil,      0, 0x8D, None, "f32.ceil",     F32, _, _, F32, 0)
WASM_OP(F32Floor,     0, 0x8E, None, "f32.floor",    F32, _, _, F32, 0)
WASM_OP(F32Trunc,     0, 0x8F, None, "f32.trunc",    F32, _, _, F32, 0)
WASM_OP(F32Nearest,   0, 0x90, None, "f32.nearest",  F32, _, _, F32, 0)
WASM_OP(F32Sqrt,      0, 0x91, None, "f32.sqrt",     F32, _, _, F32, 0)
WASM_OP(F32Add,       0, 0x92, None, "f32.add",      F32, F32, _, F32, 0)
WASM_OP(F32Sub,       0, 0x93, None, "f32.sub",      F32, F32, _, F32, 0)
WASM_OP(F32Mul,       0, 0x94, None, "f32.mul",      F32, F32, _, F32, 0)
WASM_OP(F32Div,       0, 0x95, None, "f32.div",      F32, F32, _, F32, 0)
WASM_OP(F32Min,       0, 0x96, None, "f32.min",      F32, F32, _, F32, 0)
WASM_OP(F32Max,       0, 0x97, None, "f32.max",      F32, F32, _, F32, 0)
WASM_OP(F32Copysign,  0, 0x98, None, "f32.copysign", F32, F32, _, F32, 0)
// f64 arithmetic
WASM_OP(F64Abs,       0, 0x99, None, "f64.abs",      F64, _, _, F64, 0)
WASM_OP(F64Neg,       0, 0x9A, None, "f64.neg",      F64, _, _, F64, 0)
WASM_OP(F64Ceil,      0, 0x9B, None, "f64.ceil",     F64, _, _, F64, 0)
WASM_OP(F64Floor,     0, 0x9C, None, "f64.floor",    F64, _, _, F64, 0)
WASM_OP(F64Trunc,     0, 0x9D, None, "f64.trunc",    F64, _, _, F64, 0)
WASM_OP(F64Nearest,   0, 0x9E, None, "f64.nearest",  F64, _, _, F64, 0)
WASM_OP(F64Sqrt,      0, 0x9F, None, "f64.sqrt",     F64, _, _, F64, 0)
WASM_OP(F64Add,       0, 0xA0, None, "f64.add",      F64, F64, _, F64, 0)
WASM_OP(F64Sub,       0, 0xA1, None, "f64.sub",      F64, F64, _, F64, 0)
WASM_OP(F64Mul,       0, 0xA2, None, "f64.mul",      F64, F64, _, F64, 0)
WASM_OP(F64Div,       0, 0xA3, None, "f64.div",      F64, F64, _, F64, 0)
WASM_OP(F64Min,       0, 0xA4, None, "f64.min",      F64, F64, _, F64, 0)
WASM_OP(F64Max,       0, 0xA5, None, "f64.max",      F64, F64, _, F64, 0)
WASM_OP(F64Copysign,  0, 0xA6, None, "f64.copysign", F64, F64, _, F64, 0)

// Conversions
WASM_OP(I32WrapI64,        0, 0xA7, None, "i32.wrap_i64",        I64, _, _, I32, 0)
WASM_OP(I32TruncF32S,      0, 0xA8, None, "i32.trunc_f32_s",     F32, _, _, I32, 0)
WASM_OP(I32TruncF32U,      0, 0xA9, None, "i32.trunc_f32_u",     F32, _, _, I32, 0)
WASM_OP(I32TruncF64S,      0, 0xAA, None, "i32.trunc_f64_s",     F64, _, _, I32, 0)
WASM_OP(I32TruncF64U,      0, 0xAB, None, "i32.trunc_f64_u",     F64, _, _, I32, 0)
WASM_OP(I64ExtendI32S,     0, 0xAC, None, "i64.extend_i32_s",    I32, _, _, I64, 0)
WASM_OP(I64ExtendI32U,     0, 0xAD, None, "i64.extend_i32_u",    I32, _, _, I64, 0)
WASM_OP(I64TruncF32S,      0, 0xAE, None, "i64.trunc_f32_s",     F32, _, _, I64, 0)
WASM_OP(I64TruncF32U,      0, 0xAF, None, "i64.trunc_f32_u",     F32, _, _, I64, 0)
WASM_OP(I64TruncF64S,      0, 0xB0, None, "i64.trunc_f64_s",     F64, _, _, I64, 0)
WASM_OP(I64TruncF64U,      0, 0xB1, None, "i64.trunc_f64_u",     F64, _, _, I64, 0)
WASM_OP(F32ConvertI32S,    0, 0xB2, None, "f32.convert_i32_s",   I32, _, _, F32, 0)
WASM_OP(F32ConvertI32U,    0, 0xB3, None, "f32.convert_i32_u",   I32, _, _, F32, 0)
WASM_OP(F32ConvertI64S,    0, 0xB4, None, "f32.convert_i64_s",   I64, _, _, F32, 0)
WASM_OP(F32ConvertI64U,    0, 0xB5, None, "f32.convert_i64_u",   I64, _, _, F32, 0)
WASM_OP(F32DemoteF64,      0, 0xB6, None, "f32.demote_f64",      F64, _, _, F32, 0)
WASM_OP(F64ConvertI32S,    0, 0xB7, None, "f64.convert_i32_s",   I32, _, _, F64, 0)
WASM_OP(F64ConvertI32U,    0, 0xB8, None, "f64.convert_i32_u",   I32, _, _, F64, 0)
WASM_OP(F64ConvertI64S,    0, 0xB9, None, "f64.convert_i64_s",   I64, _, _, F64, 0)
WASM_OP(F64ConvertI64U,    0, 0xBA, None, "f64.convert_i64_u",   I64, _, _, F64, 0)
WASM_OP(F64PromoteF32,     0, 0xBB, None, "f64.promote_f32",     F32, _, _, F64, 0)
WASM_OP(I32ReinterpretF32, 0, 0xBC, None, "i32.reinterpret_f32", F32, _, _, I32, 0)
WASM_OP(I64ReinterpretF64, 0, 0xBD, None, "i64.reinterpret_f64", F64, _, _, I64, 0)
WASM_OP(F32ReinterpretI32, 0, 0xBE, None, "f32.reinterpret_i32", I32, _, _, F32, 0)
WASM_OP(F64ReinterpretI64, 0, 0xBF, None, "f64.reinterpret_i64", I64, _, _, F64, 0)
WASM_OP(I32Extend8S,       0, 0xC0, None, "i32.extend8_s",       I32, _, _, I32, 0)
WASM_OP(I32Extend16S,      0, 0xC1, None, "i32.extend16_s",      I32, _, _, I32, 0)
WASM_OP(I64Extend8S,       0, 0xC2, None, "i64.extend8_s",       I64, _, _, I64, 0)
WASM_OP(I64Extend16S,      0, 0xC3, None, "i64.extend16_s",      I64, _, _, I64, 0)
WASM_OP(I64Extend32S,      0, 0xC4, None, "i64.extend32_s",      I64, _, _, I64, 0)

// Reference types
WASM_OP(RefNull,      0, 0xD0, RefType, "ref.null",    Special, _, _, _, 0)
WASM_OP(RefIsNull,    0, 0xD1, None,    "ref.is_null", Special, _, _, _, 0)
WASM_OP(RefFunc,      0, 0xD2, Func,    "ref.func",    Special, _, _, _, 0)

// 0xFC prefix: saturating truncation, bulk memory, tables
WASM_OP(I32TruncSatF32S, 0xFC, 0,  None,       "i32.trunc_sat_f32_s", F32, _, _, I32, 0)
WASM_OP(I32TruncSatF32U, 0xFC, 1,  None,       "i32.trunc_sat_f32_u", F32, _, _, I32, 0)
WASM_OP(I32TruncSatF64S, 0xFC, 2,  None,       "i32.trunc_sat_f64_s", F64, _, _, I32, 0)
WASM_OP(I32TruncSatF64U, 0xFC, 3,  None,       "i32.trunc_sat_f64_u", F64, _, _, I32, 0)
WASM_OP(I64TruncSatF32S, 0xFC, 4,  None,       "i64.trunc_sat_f32_s", F32, _, _, I64, 0)
WASM_OP(I64TruncSatF32U, 0xFC, 5,  None,       "i64.trunc_sat_f32_u", F32, _, _, I64, 0)
WASM_OP(I64TruncSatF64S, 0xFC, 6,  None,       "i64.trunc_sat_f64_s", F64, _, _, I64, 0)
WASM_OP(I64TruncSatF64U, 0xFC, 7,  None,       "i64.trunc_sat_f64_u", F64, _, _, I64, 0)
WASM_OP(MemoryInit,      0xFC, 8,  MemoryInit, "memory.init",         I32, I32, I32, _, 0)
WASM_OP(DataDrop,        0xFC, 9,  Data,       "data.drop",           _, _, _, _, 0)
WASM_OP(MemoryCopy,      0xFC, 10, MemoryCopy, "memory.copy",         I32, I32, I32, _, 0)
WASM_OP(MemoryFill,      0xFC, 11, Memory,     "memory.fill",         I32, I32, I32, _, 0)
WASM_OP(TableInit,       0xFC, 12, TableInit,  "table.init",          I32, I32, I32, _, 0)
WASM_OP(ElemDrop,        0xFC, 13, Elem,       "elem.drop",           _, _, _, _, 0)
WASM_OP(TableCopy,       0xFC, 14, TableCopy,  "table.copy",          I32, I32, I32, _, 0)
WASM_OP(TableGrow,       0xFC, 15, Table,      "table.grow",          Special, _, _, _, 0)
WASM_OP(TableSize,       0xFC, 16, Table,      "table.size",          _, _, _, I32, 0)
WASM_OP(TableFill,       0xFC, 17, Table,      "table.fill",          Special, _, _, _, 0)

// 0xFD prefix: 128-bit SIMD
WASM_OP(V128Load,          0xFD, 0x00, MemArg, "v128.load",         I32, _, _, V128, 16)
WASM_OP(V128Load8x8S,      0xFD, 0x01, MemArg, "v128.load8x8_s",    I32, _, _, V128, 8)
WASM_OP(V128Load8x8U,      0xFD, 0x02, MemArg, "v128.load8x8_u",    I32, _, _, V128, 8)
WASM_OP(V128Load16x4S,     0xFD, 0x03, MemArg, "v128.load16x4_s",   I32, _, _, V128, 8)
WASM_OP(V128Load16x4U,     0xFD, 0x04, MemArg, "v128.load16x4_u",   I32, _, _, V128, 8)
WASM_OP(V128Load32x2S,     0xFD, 0x05, MemArg, "v128.load32x2_s",   I32, _, _, V128, 8)
WASM_OP(V128Load32x2U,     0xFD, 0x06, MemArg, "v128.load32x2_u",   I32, _, _, V128, 8)
WASM_OP(V128Load8Splat,    0xFD, 0x07, MemArg, "v128.load8_splat",  I32, _, _, V128, 1)
WASM_OP(V128Load16Splat,   0xFD, 0x08, MemArg, "v128.load16_splat", I32, _, _, V128, 2)
WASM_OP(V128Load32Splat,   0xFD, 0x09, MemArg, "v128.load32_splat", I32, _, _, V128, 4)
WASM_OP(V128Load64Splat,   0xFD, 0x0A, MemArg, "v128.load64_splat", I32, _, _, V128, 8)
WASM_OP(V128Store,         0xFD, 0x0B, MemArg, "v128.store",        I32, V128, _, _, 16)
WASM_OP(V128Const,         0xFD, 0x0C, V128,    "v128.const",       _, _, _, V128, 0)
WASM_OP(I8x16Shuffle,      0xFD, 0x0D, Shuffle, "i8x16.shuffle",    V128, V128, _, V128, 0)
WASM_OP(I8x16Swizzle,      0xFD, 0x0E, None,    "i8x16.swizzle",    V128, V128, _, V128, 0)
WASM_OP(I8x16Splat,        0xFD, 0x0F, None,    "i8x16.splat",      I32, _, _, V128, 0)
WASM_OP(I16x8Splat,        0xFD, 0x10, None,    "i16x8.splat",      I32, _, _, V128, 0)
WASM_OP(I32x4Splat,        0xFD, 0x11, None,    "i32x4.splat",      I32, _, _, V128, 0)
WASM_OP(I64x2Splat,        0xFD, 0x12, None,    "i64x2.splat",      I64, _, _, V128, 0)
WASM_OP(F32x4Splat,        0xFD, 0x13, None,    "f32x4.splat",      F32, _, _, V128, 0)
WASM_OP(F64x2Splat,        0xFD, 0x14, None,    "f64x2.splat",      F64, _, _, V128, 0)
WASM_OP(I8x16ExtractLaneS, 0xFD, 0x15, Lane, "i8x16.extract_lane_s", V128, _, _, I32, 16)
WASM_OP(I8x16ExtractLaneU, 0xFD, 0x16, Lane, "i8x16.extract_lane_u", V128, _, _, I32, 16)
WASM_OP(I8x16ReplaceLane,  0xFD, 0x17, Lane, "i8x16.replace_lane",   V128, I32, _, V128, 16)
WASM_OP(I16x8ExtractLaneS, 0xFD, 0x18, Lane, "i16x8.extract_lane_s", V128, _, _, I32, 8)
WASM_OP(I16x8ExtractLaneU, 0xFD, 0x19, Lane, "i16x8.extract_lane_u", V128, _, _, I32, 8)
WASM_OP(I16x8ReplaceLane,  0xFD, 0x1A, Lane, "i16x8.replace_lane",   V128, I32, _, V128, 8)
WASM_OP(I32x4ExtractLane,  0xFD, 0x1B, Lane, "i32x4.extract_lane",   V128, _, _, I32, 4)
WASM_OP(I32x4ReplaceLane,  0xFD, 0x1C, Lane, "i32x4.replace_lane",   V128, I32, _, V128, 4)
WASM_OP(I64x2ExtractLane,  0xFD, 0x1D, Lane, "i64x2.extract_lane",   V128, _, _, I64, 2)
WASM_OP(I64x2ReplaceLane,  0xFD, 0x1E, Lane, "i64x2.replace_lane",   V128, I64, _, V128, 2)
WASM_OP(F32x4ExtractLane,  0xFD, 0x1F, Lane, "f32x4.extract_lane",   V128, _, _, F32, 4)
WASM_OP(F32x4ReplaceLane,  0xFD, 0x20, Lane, "f32x4.replace_lane",   V128, F32, _, V128, 4)
WASM_OP(F64x2ExtractLane,  0xFD, 0x21, Lane, "f64x2.extract_lane",   V128, _, _, F64, 2)
WASM_OP(F64x2ReplaceLane,  0xFD, 0x22, Lane, "f64x2.replace_lane",   V128, F64, _, V128, 2)
WASM_OP(I8x16Eq,   0xFD, 0x23, None, "i8x16.eq",   V128, V128, _, V128, 0)
WASM_OP(I8x16Ne,   0xFD, 0x24, None, "i8x16.ne",   V128, V128, _, V128, 0)
WASM_OP(I8x16LtS,  0xFD, 0x25, None, "i8x16.lt_s", V128, V128, _, V128, 0)
WASM_OP(I8x16LtU,  0xFD, 0x26, None, "i8x16.lt_u", V128, V128, _, V128, 0)
WASM_OP(I8x16GtS,  0xFD, 0x27, None, "i8x16.gt_s", V128, V128, _, V128, 0)
WASM_OP(I8x16GtU,  0xFD, 0x28, None, "i8x16.gt_u", V128, V128, _, V128, 0)
WASM_OP(I8x16LeS,  0xFD, 0x29, None, "i8x16.le_s", V128, V128, _, V128, 0)
WASM_OP(I8x16LeU,  0xFD, 0x2A, None, "i8x16.le_u", V128, V128, _, V128, 0)
WASM_OP(I8x16GeS,  0xFD, 0x2B, None, "i8x16.ge_s", V128, V128, _, V128, 0)
WASM_OP(I8x16GeU,  0xFD, 0x2C, None, "i8x16.ge_u", V128, V128, _, V128, 0)
WASM_OP(I16x8Eq,   0xFD, 0x2D, None, "i16x8.eq",   V128, V128, _, V128, 0)
WASM_OP(I16x8Ne,   0xFD, 0x2E, None, "i16x8.ne",   V128, V128, _, V128, 0)
WASM_OP(I16x8LtS,  0xFD, 0x2F, None, "i16x8.lt_s", V128, V128, _, V128, 0)
WASM_OP(I16x8LtU,  0xFD, 0x30, None, "i16x8.lt_u", V128, V128, _, V128, 0)
WASM_OP(I16x8GtS,  0xFD, 0x31, None, "i16x8.gt_s", V128, V128, _, V128, 0)
WASM_OP(I16x8GtU,  0xFD, 0x32, None, "i16x8.gt_u", V128, V128, _, V128, 0)
WASM_OP(I16x8LeS,  0xFD, 0x33, None, "i16x8.le_s", V128, V128, _, V128, 0)
WASM_OP(I16x8LeU,  0xFD, 0x34, None, "i16x8.le_u", V128, V128, _, V128, 0)
WASM_OP(I16x8GeS,  0xFD, 0x35, None, "i16x8.ge_s", V128, V128, _, V128, 0)
WASM_OP(I16x8GeU,  0xFD, 0x36, None, "i16x8.ge_u", V128, V128, _, V128, 0)
WASM_OP(I32x4Eq,   0xFD, 0x37, None, "i32x4.eq",   V128, V128, _, V128, 0)
WASM_OP(I32x4Ne,   0xFD, 0x38, None, "i32x4.ne",   V128, V128, _, V128, 0)
WASM_OP(I32x4LtS,  0xFD, 0x39, None, "i32x4.lt_s", V128, V128, _, V128, 0)
WASM_OP(I32x4LtU,  0xFD, 0x3A, None, "i32x4.lt_u", V128, V128, _, V128, 0)
WASM_OP(I32x4GtS,  0xFD, 0x3B, None, "i32x4.gt_s", V128, V128, _, V128, 0)
WASM_OP(I32x4GtU,  0xFD, 0x3C, None, "i32x4.gt_u", V128, V128, _, V128, 0)
WASM_OP(I32x4LeS,  0xFD, 0x3D, None, "i32x4.le_s", V128, V128, _, V128, 0)
WASM_OP(I32x4LeU,  0xFD, 0x3E, None, "i32x4.le_u", V128, V128, _, V128, 0)
WASM_OP(I32x4GeS,  0xFD, 0x3F, None, "i32x4.ge_s", V128, V128, _, V128, 0)
WASM_OP(I32x4GeU,  0xFD, 0x40, None, "i32x4.ge_u", V128, V128, _, V128, 0)
WASM_OP(F32x4Eq,   0xFD, 0x41, None, "f32x4.eq",   V128, V128, _, V128, 0)
WASM_OP(F32x4Ne,   0xFD, 0x42, None, "f32x4.ne",   V128, V128, _, V128, 0)
WASM_OP(F32x4Lt,   0xFD, 0x43, None, "f32x4.lt",   V128, V128, _, V128, 0)
WASM_OP(F32x4Gt,   0xFD, 0x44, None, "f32x4.gt",   V128, V128, _, V128, 0)
WASM_OP(F32x4Le,   0xFD, 0x45, None, "f32x4.le",   V128, V128, _, V128, 0)
WASM_OP(F32x4Ge,   0xFD, 0x46, None, "f32x4.ge",   V128, V128, _, V128, 0)
WASM_OP(F64x2Eq,   0xFD, 0x47, None, "f64x2.eq",   V128, V128, _, V128, 0)
WASM_OP(F64x2Ne,   0xFD, 0x48, None, "f64x2.ne",   V128, V128, _, V128, 0)
WASM_OP(F64x2Lt,   0xFD, 0x49, None, "f64x2.lt",   V128, V128, _, V128, 0)
WASM_OP(F64x2Gt,   0xFD, 0x4A, None, "f64x2.gt",   V128, V128, _, V128, 0)
WASM_OP(F64x2Le,   0xFD, 0x4B, None, "f64x2.le",   V128, V128, _, V128, 0)
WASM_OP(F64x2Ge,   0xFD, 0x4C, None, "f64x2.ge",   V128, V128, _, V128, 0)
WASM_OP(V128Not,       0xFD, 0x4D, None, "v128.not",       V128, _, _, V128, 0)
WASM_OP(V128And,       0xFD, 0x4E, None, "v128.and",       V128, V128, _, V128, 0)
WASM_OP(V128AndNot,    0xFD, 0x4F, None, "v128.andnot",    V128, V128, _, V128, 0)
WASM_OP(V128Or,        0xFD, 0x50, None, "v128.or",        V128, V128, _, V128, 0)
WASM_OP(V128Xor,       0xFD, 0x51, None, "v128.xor",       V128, V128, _, V128, 0)
WASM_OP(V128Bitselect, 0xFD, 0x52, None, "v128.bitselect", V128, V128, V128, V128, 0)
WASM_OP(V128AnyTrue,   0xFD, 0x53, None, "v128.any_true",  V128, _, _, I32, 0)
WASM_OP(V128Load8Lane,   0xFD, 0x54, MemArgLane, "v128.load8_lane",   I32, V128, _, V128, 1)
WASM_OP(V128Load16Lane,  0xFD, 0x55, MemArgLane, "v128.load16_lane",  I32, V128, _, V128, 2)
WASM_OP(V128Load32Lane,  0xFD, 0x56, MemArgLane, "v128.load32_lane",  I32, V128, _, V128, 4)
WASM_OP(V128Load64Lane,  0xFD, 0x57, MemArgLane, "v128.load64_lane",  I32, V128, _, V128, 8)
WASM_OP(V128Store8Lane,  0xFD, 0x58, MemArgLane, "v128.store8_lane",  I32, V128, _, _, 1)
WASM_OP(V128Store16Lane, 0xFD, 0x59, MemArgLane, "v128.store16_lane", I32, V128, _, _, 2)
WASM_OP(V128Store32Lane, 0xFD, 0x5A, MemArgLane, "v128.store32_lane", I32, V128, _, _, 4)
WASM_OP(V128Store64Lane, 0xFD, 0x5B, MemArgLane, "v128.store64_lane", I32, V128, _, _, 8)
WASM_OP(V128Load32Zero,  0xFD, 0x5C, MemArg,     "v128.load32_zero",  I32, _, _, V128, 4)
WASM_OP(V128Load64Zero,  0xFD, 0x5D, MemArg,     "v128.load64_zero",  I32, _, _, V128, 8)
WASM_OP(F32x4DemoteF64x2Zero, 0xFD, 0x5E, None, "f32x4.demote_f64x2_zero", V128, _, _, V128, 0)
WASM_OP(F64x2PromoteLowF32x4, 0xFD, 0x5F, None, "f64x2.promote_low_f32x4", V128, _, _, V128, 0)
WASM_OP(I8x16Abs,          0xFD, 0x60, None, "i8x16.abs",            V128, _, _, V128, 0)
WASM_OP(I8x16Neg,          0xFD, 0x61, None, "i8x16.neg",            V128, _, _, V128, 0)
WASM_OP(I8x16Popcnt,       0xFD, 0x62, None, "i8x16.popcnt",         V128, _, _, V128, 0)
WASM_OP(I8x16AllTrue,      0xFD, 0x63, None, "i8x16.all_true",       V128, _, _, I32, 0)
WASM_OP(I8x16Bitmask,      0xFD, 0x64, None, "i8x16.bitmask",        V128, _, _, I32, 0)
WASM_OP(I8x16NarrowI16x8S, 0xFD, 0x65, None, "i8x16.narrow_i16x8_s", V128, V128, _, V128, 0)
WASM_OP(I8x16NarrowI16x8U, 0xFD, 0x66, None, "i8x16.narrow_i16x8_u", V128, V128, _, V128, 0)
WASM_OP(F32x4Ceil,         0xFD, 0x67, None, "f32x4.ceil",           V128, _, _, V128, 0)
WASM_OP(F32x4Floor,        0xFD, 0x68, None, "f32x4.floor",          V128, _, _, V128, 0)
WASM_OP(F32x4Trunc,        0xFD, 0x69, None, "f32x4.trunc",          V128, _, _, V128, 0)
WASM_OP(F32x4Nearest,      0xFD, 0x6A, None, "f32x4.nearest",        V128, _, _, V128, 0)
WASM_OP(I8x16Shl,          0xFD, 0x6B, None, "i8x16.shl",            V128, I32, _, V128, 0)
WASM_OP(I8x16ShrS,         0xFD, 0x6C, None, "i8x16.shr_s",          V128, I32, _, V128, 0)
WASM_OP(I8x16ShrU,         0xFD, 0x6D, None, "i8x16.shr_u",          V128, I32, _, V128, 0)
WASM_OP(I8x16Add,          0xFD, 0x6E, None, "i8x16.add",            V128, V128, _, V128, 0)
WASM_OP(I8x16AddSatS,      0xFD, 0x6F, None, "i8x16.add_sat_s",      V128, V128, _, V128, 0)
WASM_OP(I8x16AddSatU,      0xFD, 0x70, None, "i8x16.add_sat_u",      V128, V128, _, V128, 0)
WASM_OP(I8x16Sub,          0xFD, 0x71, None, "i8x16.sub",            V128, V128, _, V128, 0)
WASM_OP(I8x16SubSatS,      0xFD, 0x72, None, "i8x16.sub_sat_s",      V128, V128, _, V128, 0)
WASM_OP(I8x16SubSatU,      0xFD, 0x73, None, "i8x16.sub_sat_u",      V128, V128, _, V128, 0)
WASM_OP(F64x2Ceil,         0xFD, 0x74, None, "f64x2.ceil",           V128, _, _, V128, 0)
WASM_OP(F64x2Floor,        0xFD, 0x75, None, "f64x2.floor",          V128, _, _, V128, 0)
WASM_OP(I8x16MinS,         0xFD, 0x76, None, "i8x16.min_s",          V128, V128, _, V128, 0)
WASM_OP(I8x16MinU,         0xFD, 0x77, None, "i8x16.min_u",          V128, V128, _, V128, 0)
WASM_OP(I8x16MaxS,         0xFD, 0x78, None, "i8x16.max_s",          V128, V128, _, V128, 0)
WASM_OP(I8x16MaxU,         0xFD, 0x79, None, "i8x16.max_u",          V128, V128, _, V128, 0)
WASM_OP(F64x2Trunc,        0xFD, 0x7A, None, "f64x2.trunc",          V128, _, _, V128, 0)
WASM_OP(I8x16AvgrU,        0xFD, 0x7B, None, "i8x16.avgr_u",         V128, V128, _, V128, 0)
WASM_OP(I16x8ExtaddPairwiseI8x16S, 0xFD, 0x7C, None, "i16x8.extadd_pairwise_i8x16_s", V128, _, _, V128, 0)
WASM_OP(I16x8ExtaddPairwiseI8x16U, 0xFD, 0x7D, None, "i16x8.extadd_pairwise_i8x16_u", V128, _, _, V128, 0)
WASM_OP(I32x4ExtaddPairwiseI16x8S, 0xFD, 0x7E, None, "i32x4.extadd_pairwise_i16x8_s", V128, _, _, V128, 0)
WASM_OP(I32x4ExtaddPairwiseI16x8U, 0xFD, 0x7F, None, "i32x4.extadd_pairwise_i16x8_u", V128, _, _, V128, 0)
WASM_OP(I16x8Abs,              0xFD, 0x80, None, "i16x8.abs",                V128, _, _, V128, 0)
WASM_OP(I16x8Neg,              0xFD, 0x81, None, "i16x8.neg",                V128, _, _, V128, 0)
WASM_OP(I16x8Q15mulrSatS,      0xFD, 0x82, None, "i16x8.q15mulr_sat_s",      V128, V128, _, V128, 0)
WASM_OP(I16x8AllTrue,          0xFD, 0x83, None, "i16x8.all_true",           V128, _, _, I32, 0)
WASM_OP(I16x8Bitmask,          0xFD, 0x84, None, "i16x8.bitmask",            V128, _, _, I32, 0)
WASM_OP(I16x8NarrowI32x4S,     0xFD, 0x85, None, "i16x8.narrow_i32x4_s",     V128, V128, _, V128, 0)
WASM_OP(I16x8NarrowI32x4U,     0xFD, 0x86, None, "i16x8.narrow_i32x4_u",     V128, V128, _, V128, 0)
WASM_OP(I16x8ExtendLowI8x16S,  0xFD, 0x87, None, "i16x8.extend_low_i8x16_s", V128, _, _, V128, 0)
WASM_OP(I16x8ExtendHighI8x16S, 0xFD, 0x88, None, "i16x8.extend_high_i8x16_s", V128, _, _, V128, 0)
WASM_OP(I16x8ExtendLowI8x16U,  0xFD, 0x89, None, "i16x8.extend_low_i8x16_u", V128, _, _, V128, 0)
WASM_OP(I16x8ExtendHighI8x16U, 0xFD, 0x8A, None, "i16x8.extend_high_i8x16_u", V128, _, _, V128, 0)
WASM_OP(I16x8Shl,              0xFD, 0x8B, None, "i16x8.shl",                V128, I32, _, V128, 0)
WASM_OP(I16x8ShrS,             0xFD, 0x8C, None, "i16x8.shr_s",              V128, I32, _, V128, 0)
WASM_OP(I16x8ShrU,             0xFD, 0x8D, None, "i16x8.shr_u",              V128, I32, _, V128, 0)
WASM_OP(I16x8Add,              0xFD, 0x8E, None, "i16x8.add",                V128, V128, _, V128, 0)
WASM_OP(I16x8AddSatS,          0xFD, 0x8F, None, "i16x8.add_sat_s",          V128, V128, _, V128, 0)
WASM_OP(I16x8AddSatU,          0xFD, 0x90, None, "i16x8.add_sat_u",          V128, V128, _, V128, 0)
WASM_OP(I16x8Sub,              0xFD, 0x91, None, "i16x8.sub",                V128, V128, _, V128, 0)
WASM_OP(I16x8SubSatS,          0xFD, 0x92, None, "i16x8.sub_sat_s",          V128, V128, _, V128, 0)
WASM_OP(I16x8SubSatU,          0xFD, 0x93, None, "i16x8.sub_sat_u",          V128, V128, _, V128, 0)
WASM_OP(F64x2Nearest,          0xFD, 0x94, None, "f64x2.nearest",            V128, _, _, V128, 0)
WASM_OP(I16x8Mul,              0xFD, 0x95, None, "i16x8.mul",                V128, V128, _, V128, 0)
WASM_OP(I16x8MinS,             0xFD, 0x96, None, "i16x8.min_s",              V128, V128, _, V128, 0)
WASM_OP(I16x8MinU,             0xFD, 0x97, None, "i16x8.min_u",              V128, V128, _, V128, 0)
WASM_OP(I16x8MaxS,             0xFD, 0x98, None, "i16x8.max_s",              V128, V128, _, V128, 0)
WASM_OP(I16x8MaxU,             0xFD, 0x99, None, "i16x8.max_u",              V128, V128, _, V128, 0)
WASM_OP(I16x8AvgrU,            0xFD, 0x9B, None, "i16x8.avgr_u",             V128, V128, _, V128, 0)
WASM_OP(I16x8ExtmulLowI8x16S,  0xFD, 0x9C, None, "i16x8.extmul_low_i8x16_s", V128, V128, _, V128, 0)
WASM_OP(I16x8ExtmulHighI8x16S, 0xFD, 0x9D, None, "i16x8.extmul_high_i8x16_s", V128, V128, _, V128, 0)
WASM_OP(I16x8ExtmulLowI8x16U,  0xFD, 0x9E, None, "i16x8.extmul_low_i8x16_u", V128, V128, _, V128, 0)
WASM_OP(I16x8ExtmulHighI8x16U, 0xFD, 0x9F, None, "i16x8.extmul_high_i8x16_u", V128, V128, _, V128, 0)
WASM_OP(I32x4Abs,              0xFD, 0xA0, None, "i32x4.abs",                V128, _, _, V128, 0)
WASM_OP(I32x4Neg,              0xFD, 0xA1, None, "i32x4.neg",                V128, _, _, V128, 0)
WASM_OP(I32x4AllTrue,          0xFD, 0xA3, None, "i32x4.all_true",           V128, _, _, I32, 0)
WASM_OP(I32x4Bitmask,          0xFD, 0xA4, None, "i32x4.bitmask",            V128, _, _, I32, 0)
WASM_OP(I32x4ExtendLowI16x8S,  0xFD, 0xA7, None, "i32x4.extend_low_i16x8_s", V128, _, _, V128, 0)
WASM_OP(I32x4ExtendHighI16x8S, 0xFD, 0xA8, None, "i32x4.extend_high_i16x8_s", V128, _, _, V128, 0)
WASM_OP(I32x4ExtendLowI16x8U,  0xFD, 0xA9, None, "i32x4.extend_low_i16x8_u", V128, _, _, V128, 0)
WASM_OP(I32x4ExtendHighI16x8U, 0xFD, 0xAA, None, "i32x4.extend_high_i16x8_u", V128, _, _, V128, 0)
WASM_OP(I32x4Shl,              0xFD, 0xAB, None, "i32x4.shl",                V128, I32, _, V128, 0)
WASM_OP(I32x4ShrS,             0xFD, 0xAC, None, "i32x4.shr_s",              V128, I32, _, V128, 0)
WASM_OP(I32x4ShrU,             0xFD, 0xAD, None, "i32x4.shr_u",              V128, I32, _, V128, 0)
WASM_OP(I32x4Add,              0xFD, 0xAE, None, "i32x4.add",                V128, V128, _, V128, 0)
WASM_OP(I32x4Sub,              0xFD, 0xB1, None, "i32x4.sub",                V128, V128, _, V128, 0)
WASM_OP(I32x4Mul,              0xFD, 0xB5, None, "i32x4.mul",                V128, V128, _, V128, 0)
WASM_OP(I32x4MinS,             0xFD, 0xB6, None, "i32x4.min_s",              V128, V128, _, V128, 0)
WASM_OP(I32x4MinU,             0xFD, 0xB7, None, "i32x4.min_u",              V128, V128, _, V128, 0)
WASM_OP(I32x4MaxS,             0xFD, 0xB8, None, "i32x4.max_s",              V128, V128, _, V128, 0)
WASM_OP(I32x4MaxU,             0xFD, 0xB9, None, "i32x4.max_u",              V128, V128, _, V128, 0)
WASM_OP(I32x4DotI16x8S,        0xFD, 0xBA, None, "i32x4.dot_i16x8_s",        V128, V128, _, V128, 0)
WASM_OP(I32x4ExtmulLowI16x8S,  0xFD, 0xBC, None, "i32x4.extmul_low_i16x8_s", V128, V128, _, V128, 0)
WASM_OP(I32x4ExtmulHighI16x8S, 0xFD, 0xBD, None, "i32x4.extmul_high_i16x8_s", V128, V128, _, V128, 0)
WASM_OP(I32x4ExtmulLowI16x8U,  0xFD, 0xBE, None, "i32x4.extmul_low_i16x8_u", V128, V128, _, V128, 0)
WASM_OP(I32x4ExtmulHighI16x8U, 0xFD, 0xBF, None, "i32x4.extmul_high_i16x8_u", V128, V128, _, V128, 0)
WASM_OP(I64x2Abs,              0xFD, 0xC0, None, "i64x2.abs",                V128, _, _, V128, 0)
WASM_OP(I64x2Neg,              0xFD, 0xC1, None, "i64x2.neg",                V128, _, _, V128, 0)
WASM_OP(I64x2AllTrue,          0xFD, 0xC3, None, "i64x2.all_true",           V128, _, _, I32, 0)
WASM_OP(I64x2Bitmask,          0xFD, 0xC4, None, "i64x2.bitmask",            V128, _, _, I32, 0)
WASM_OP(I64x2ExtendLowI32x4S,  0xFD, 0xC7, None, "i64x2.extend_low_i32x4_s", V128, _, _, V128, 0)
WASM_OP(I64x2ExtendHighI32x4S, 0xFD, 0xC8, None, "i64x2.extend_high_i32x4_s", V128, _, _, V128, 0)
WASM_OP(I64x2ExtendLowI32x4U,  0xFD, 0xC9, None, "i64x2.extend_low_i32x4_u", V128, _, _, V128, 0)
WASM_OP(I64x2ExtendHighI32x4U, 0xFD, 0xCA, None, "i64x2.extend_high_i32x4_u", V128, _, _, V128, 0)
WASM_OP(I64x2Shl,              0xFD, 0xCB, None, "i64x2.shl",                V128, I32, _, V128, 0)
WASM_OP(I64x2ShrS,             0xFD, 0xCC, None, "i64x2.shr_s",              V128, I32, _, V128, 0)
WASM_OP(I64x2ShrU,             0xFD, 0xCD, None, "i64x2.shr_u",              V128, I32, _, V128, 0)
WASM_OP(I64x2Add,              0xFD, 0xCE, None, "i64x2.add",                V128, V128, _, V128, 0)
WASM_OP(I64x2Sub,              0xFD, 0xD1, None, "i64x2.sub",                V128, V128, _, V128, 0)
WASM_OP(I64x2Mul,              0xFD, 0xD5, None, "i64x2.mul",                V128, V128, _, V128, 0)
WASM_OP(I64x2Eq,               0xFD, 0xD6, None, "i64x2.eq",                 V128, V128, _, V128, 0)
WASM_OP(I64x2Ne,               0xFD, 0xD7, None, "i64x2.ne",                 V128, V128, _, V128, 0)
WASM_OP(I64x2LtS,              0xFD, 0xD8, None, "i64x2.lt_s",               V128, V128, _, V128, 0)
WASM_OP(I64x2GtS,              0xFD, 0xD9, None, "i64x2.gt_s",               V128, V128, _, V128, 0)
WASM_OP(I64x2LeS,              0xFD, 0xDA, None, "i64x2.le_s",               V128, V128, _, V128, 0)
WASM_OP(I64x2GeS,              0xFD, 0xDB, None, "i64x2.ge_s",               V128, V128, _, V128, 0)
WASM_OP(I64x2ExtmulLowI32x4S,  0xFD, 0xDC, None, "i64x2.extmul_low_i32x4_s", V128, V128, _, V128, 0)
WASM_OP(I64x2ExtmulHighI32x4S, 0xFD, 0xDD, None, "i64x2.extmul_high_i32x4_s", V128, V128, _, V128, 0)
WASM_OP(I64x2ExtmulLowI32x4U,  0xFD, 0xDE, None, "i64x2.extmul_low_i32x4_u", V128, V128, _, V128, 0)
WASM_OP(I64x2ExtmulHighI32x4U, 0xFD, 0xDF, None, "i64x2.extmul_high_i32x4_u", V128, V128, _, V128, 0)
WASM_OP(F32x4Abs,   0xFD, 0xE0, None, "f32x4.abs",   V128, _, _, V128, 0)
WASM_OP(F32x4Neg,   0xFD, 0xE1, None, "f32x4.neg",   V128, _, _, V128, 0)
WASM_OP(F32x4Sqrt,  0xFD, 0xE3, None, "f32x4.sqrt",  V128, _, _, V128, 0)
WASM_OP(F32x4Add,   0xFD, 0xE4, None, "f32x4.add",   V128, V128, _, V128, 0)
WASM_OP(F32x4Sub,   0xFD, 0xE5, None, "f32x4.sub",   V128, V128, _, V128, 0)
WASM_OP(F32x4Mul,   0xFD, 0xE6, None, "f32x4.mul",   V128, V128, _, V128, 0)
WASM_OP(F32x4Div,   0xFD, 0xE7, None, "f32x4.div",   V128, V128, _, V128, 0)
WASM_OP(F32x4Min,   0xFD, 0xE8, None, "f32x4.min",   V128, V128, _, V128, 0)
WASM_OP(F32x4Max,   0xFD, 0xE9, None, "f32x4.max",   V128, V128, _, V128, 0)
WASM_OP(F32x4Pmin,  0xFD, 0xEA, None, "f32x4.pmin",  V128, V128, _, V128, 0)
WASM_OP(F32x4Pmax,  0xFD, 0xEB, None, "f32x4.pmax",  V128, V128, _, V128, 0)
WASM_OP(F64x2Abs,   0xFD, 0xEC, None, "f64x2.abs",   V128, _, _, V128, 0)
WASM_OP(F64x2Neg,   0xFD, 0xED, None, "f64x2.neg",   V128, _, _, V128, 0)
WASM_OP(F64x2Sqrt,  0xFD, 0xEF, None, "f64x2.sqrt",  V128, _, _, V128, 0)
WASM_OP(F64x2Add,   0xFD, 0xF0, None, "f64x2.add",   V128, V128, _, V128, 0)
WASM_OP(F64x2Sub,   0xFD, 0xF1, None, "f64x2.sub",   V128, V128, _, V128, 0)
WASM_OP(F64x2Mul,   0xFD, 0xF2, None, "f64x2.mul",   V128, V128, _, V128, 0)
WASM_OP(F64x2Div,   0xFD, 0xF3, None, "f64x2.div",   V128, V128, _, V128, 0)
WASM_OP(F64x2Min,   0xFD, 0xF4, None, "f64x2.min",   V128, V128, _, V128, 0)
WASM_OP(F64x2Max,   0xFD, 0xF5, None, "f64x2.max",   V128, V128, _, V128, 0)
WASM_OP(F64x2Pmin,  0xFD, 0xF6, None, "f64x2.pmin",  V128, V128, _, V128, 0)
WASM_OP(F64x2Pmax,  0xFD, 0xF7, None, "f64x2.pmax",  V128, V128, _, V128, 0)
WASM_OP(I32x4TruncSatF32x4S,     0xFD, 0xF8, None, "i32x4.trunc_sat_f32x4_s",      V128, _, _, V128, 0)
WASM_OP(I32x4TruncSatF32x4U,     0xFD, 0xF9, None, "i32x4.trunc_sat_f32x4_u",      V128, _, _, V128, 0)
WASM_OP(F32x4ConvertI32x4S,      0xFD, 0xFA, None, "f32x4.convert_i32x4_s",        V128, _, _, V128, 0)
WASM_OP(F32x4ConvertI32x4U,      0xFD, 0xFB, None, "f32x4.convert_i32x4_u",        V128, _, _, V128, 0)
WASM_OP(I32x4TruncSatF64x2SZero, 0xFD, 0xFC, None, "i32x4.trunc_sat_f64x2_s_zero", V128, _, _, V128, 0)
WASM_OP(I32x4TruncSatF64x2UZero, 0xFD, 0xFD, None, "i32x4.trunc_sat_f64x2_u_zero", V128, _, _, V128, 0)
WASM_OP(F64x2ConvertLowI32x4S,   0xFD, 0xFE, None, "f64x2.convert_low_i32x4_s",    V128, _, _, V128, 0)
WASM_OP(F64x2ConvertLowI32x4U,   0xFD, 0xFF, None, "f64x2.convert_low_i32x4_u",    V128, _, _, V128, 0)

// Exceptions (legacy try/catch/delegate/rethrow and try_table/throw_ref); gated by Features::exceptions
WASM_OP(Try, 0, 0x6, BlockType, "try", Special, _, _, _, 0)
WASM_OP(Catch, 0, 0x7, Tag, "catch", Special, _, _, _, 0)
WASM_OP(Throw, 0, 0x8, Tag, "throw", Special, _, _, _, 0)
WASM_OP(Rethrow, 0, 0x9, Label, "rethrow", Special, _, _, _, 0)
WASM_OP(ThrowRef, 0, 0xa, None, "throw_ref", Special, _, _, _, 0)
WASM_OP(Delegate, 0, 0x18, Label, "delegate", Special, _, _, _, 0)
WASM_OP(CatchAll, 0, 0x19, None, "catch_all", Special, _, _, _, 0)
WASM_OP(TryTable, 0, 0x1f, TryTable, "try_table", Special, _, _, _, 0)

// Typed function references; gated by Features::function_references
WASM_OP(CallRef, 0, 0x14, TypeIdx, "call_ref", Special, _, _, _, 0)
WASM_OP(ReturnCallRef, 0, 0x15, TypeIdx, "return_call_ref", Special, _, _, _, 0)
WASM_OP(RefAsNonNull, 0, 0xd4, None, "ref.as_non_null", Special, _, _, _, 0)
WASM_OP(BrOnNull, 0, 0xd5, Label, "br_on_null", Special, _, _, _, 0)
WASM_OP(BrOnNonNull, 0, 0xd6, Label, "br_on_non_null", Special, _, _, _, 0)

// GC (0xFB prefix and ref.eq); gated by Features::gc. ref.test/ref.cast have a nullable form
// under the same text name (the text encoder picks by the reference type's nullability).
WASM_OP(RefEq, 0, 0xd3, None, "ref.eq", Special, _, _, _, 0)
WASM_OP(StructNew, 0xFB, 0x0, TypeIdx, "struct.new", Special, _, _, _, 0)
WASM_OP(StructNewDefault, 0xFB, 0x1, TypeIdx, "struct.new_default", Special, _, _, _, 0)
WASM_OP(StructGet, 0xFB, 0x2, TypeField, "struct.get", Special, _, _, _, 0)
WASM_OP(StructGetS, 0xFB, 0x3, TypeField, "struct.get_s", Special, _, _, _, 0)
WASM_OP(StructGetU, 0xFB, 0x4, TypeField, "struct.get_u", Special, _, _, _, 0)
WASM_OP(StructSet, 0xFB, 0x5, TypeField, "struct.set", Special, _, _, _, 0)
WASM_OP(ArrayNew, 0xFB, 0x6, TypeIdx, "array.new", Special, _, _, _, 0)
WASM_OP(ArrayNewDefault, 0xFB, 0x7, TypeIdx, "array.new_default", Special, _, _, _, 0)
WASM_OP(ArrayNewFixed, 0xFB, 0x8, TypeCount, "array.new_fixed", Special, _, _, _, 0)
WASM_OP(ArrayNewData, 0xFB, 0x9, TypeData, "array.new_data", Special, _, _, _, 0)
WASM_OP(ArrayNewElem, 0xFB, 0xa, TypeElem, "array.new_elem", Special, _, _, _, 0)
WASM_OP(ArrayGet, 0xFB, 0xb, TypeIdx, "array.get", Special, _, _, _, 0)
WASM_OP(ArrayGetS, 0xFB, 0xc, TypeIdx, "array.get_s", Special, _, _, _, 0)
WASM_OP(ArrayGetU, 0xFB, 0xd, TypeIdx, "array.get_u", Special, _, _, _, 0)
WASM_OP(ArraySet, 0xFB, 0xe, TypeIdx, "array.set", Special, _, _, _, 0)
WASM_OP(ArrayLen, 0xFB, 0xf, None, "array.len", Special, _, _, _, 0)
WASM_OP(ArrayFill, 0xFB, 0x10, TypeIdx, "array.fill", Special, _, _, _, 0)
WASM_OP(ArrayCopy, 0xFB, 0x11, TypeType, "array.copy", Special, _, _, _, 0)
WASM_OP(ArrayInitData, 0xFB, 0x12, TypeData, "array.init_data", Special, _, _, _, 0)
WASM_OP(ArrayInitElem, 0xFB, 0x13, TypeElem, "array.init_elem", Special, _, _, _, 0)
WASM_OP(RefTest, 0xFB, 0x14, HeapType, "ref.test", Special, _, _, _, 0)
WASM_OP(RefTestNull, 0xFB, 0x15, HeapType, "ref.test", Special, _, _, _, 0)
WASM_OP(RefCast, 0xFB, 0x16, HeapType, "ref.cast", Special, _, _, _, 0)
WASM_OP(RefCastNull, 0xFB, 0x17, HeapType, "ref.cast", Special, _, _, _, 0)
WASM_OP(BrOnCast, 0xFB, 0x18, BrOnCast, "br_on_cast", Special, _, _, _, 0)
WASM_OP(BrOnCastFail, 0xFB, 0x19, BrOnCast, "br_on_cast_fail", Special, _, _, _, 0)
WASM_OP(AnyConvertExtern, 0xFB, 0x1a, None, "any.convert_extern", Special, _, _, _, 0)
WASM_OP(ExternConvertAny, 0xFB, 0x1b, None, "extern.convert_any", Special, _, _, _, 0)
WASM_OP(RefI31, 0xFB, 0x1c, None, "ref.i31", Special, _, _, _, 0)
WASM_OP(I31GetS, 0xFB, 0x1d, None, "i31.get_s", Special, _, _, _, 0)
WASM_OP(I31GetU, 0xFB, 0x1e, None, "i31.get_u", Special, _, _, _, 0)

// Wide arithmetic; gated by Features::wide_arithmetic
WASM_OP(I64Add128, 0xFC, 0x13, None, "i64.add128", Special, _, _, _, 0)
WASM_OP(I64Sub128, 0xFC, 0x14, None, "i64.sub128", Special, _, _, _, 0)
WASM_OP(I64MulWideS, 0xFC, 0x15, None, "i64.mul_wide_s", Special, _, _, _, 0)
WASM_OP(I64MulWideU, 0xFC, 0x16, None, "i64.mul_wide_u", Special, _, _, _, 0)

// Relaxed SIMD (0xFD 0x100..); gated by Features::relaxed_simd
WASM_OP(I8x16RelaxedSwizzle, 0xFD, 0x100, None, "i8x16.relaxed_swizzle", V128, V128, _, V128, 0)
WASM_OP(I32x4RelaxedTruncF32x4S, 0xFD, 0x101, None, "i32x4.relaxed_trunc_f32x4_s", V128, _, _, V128, 0)
WASM_OP(I32x4RelaxedTruncF32x4U, 0xFD, 0x102, None, "i32x4.relaxed_trunc_f32x4_u", V128, _, _, V128, 0)
WASM_OP(I32x4RelaxedTruncF64x2SZero, 0xFD, 0x103, None, "i32x4.relaxed_trunc_f64x2_s_zero", V128, _, _, V128, 0)
WASM_OP(I32x4RelaxedTruncF64x2UZero, 0xFD, 0x104, None, "i32x4.relaxed_trunc_f64x2_u_zero", V128, _, _, V128, 0)
WASM_OP(F32x4RelaxedMadd, 0xFD, 0x105, None, "f32x4.relaxed_madd", V128, V128, V128, V128, 0)
WASM_OP(F32x4RelaxedNmadd, 0xFD, 0x106, None, "f32x4.relaxed_nmadd", V128, V128, V128, V128, 0)
WASM_OP(F64x2RelaxedMadd, 0xFD, 0x107, None, "f64x2.relaxed_madd", V128, V128, V128, V128, 0)
WASM_OP(F64x2RelaxedNmadd, 0xFD, 0x108, None, "f64x2.relaxed_nmadd", V128, V128, V128, V128, 0)
WASM_OP(I8x16RelaxedLaneselect, 0xFD, 0x109, None, "i8x16.relaxed_laneselect", V128, V128, V128, V128, 0)
WASM_OP(I16x8RelaxedLaneselect, 0xFD, 0x10a, None, "i16x8.relaxed_laneselect", V128, V128, V128, V128, 0)
WASM_OP(I32x4RelaxedLaneselect, 0xFD, 0x10b, None, "i32x4.relaxed_laneselect", V128, V128, V128, V128, 0)
WASM_OP(I64x2RelaxedLaneselect, 0xFD, 0x10c, None, "i64x2.relaxed_laneselect", V128, V128, V128, V128, 0)
WASM_OP(F32x4RelaxedMin, 0xFD, 0x10d, None, "f32x4.relaxed_min", V128, V128, _, V128, 0)
WASM_OP(F32x4RelaxedMax, 0xFD, 0x10e, None, "f32x4.relaxed_max", V128, V128, _, V128, 0)
WASM_OP(F64x2RelaxedMin, 0xFD, 0x10f, None, "f64x2.relaxed_min", V128, V128, _, V128, 0)
WASM_OP(F64x2RelaxedMax, 0xFD, 0x110, None, "f64x2.relaxed_max", V128, V128, _, V128, 0)
WASM_OP(I16x8RelaxedQ15mulrS, 0xFD, 0x111, None, "i16x8.relaxed_q15mulr_s", V128, V128, _, V128, 0)
WASM_OP(I16x8RelaxedDotI8x16I7x16S, 0xFD, 0x112, None, "i16x8.relaxed_dot_i8x16_i7x16_s", V128, V128, _, V128, 0)
WASM_OP(I32x4RelaxedDotI8x16I7x16AddS, 0xFD, 0x113, None, "i32x4.relaxed_dot_i8x16_i7x16_add_s", V128, V128, V128, V128, 0)

// Threads (0xFE prefix); gated by Features::threads
WASM_OP(MemoryAtomicNotify, 0xFE, 0x0, MemArg, "memory.atomic.notify", I32, I32, _, I32, 4)
WASM_OP(MemoryAtomicWait32, 0xFE, 0x1, MemArg, "memory.atomic.wait32", I32, I32, I64, I32, 4)
WASM_OP(MemoryAtomicWait64, 0xFE, 0x2, MemArg, "memory.atomic.wait64", I32, I64, I64, I32, 8)
WASM_OP(AtomicFence, 0xFE, 0x3, ZeroByte, "atomic.fence", _, _, _, _, 0)
WASM_OP(I32AtomicLoad, 0xFE, 0x10, MemArg, "i32.atomic.load", I32, _, _, I32, 4)
WASM_OP(I64AtomicLoad, 0xFE, 0x11, MemArg, "i64.atomic.load", I32, _, _, I64, 8)
WASM_OP(I32AtomicLoad8U, 0xFE, 0x12, MemArg, "i32.atomic.load8_u", I32, _, _, I32, 1)
WASM_OP(I32AtomicLoad16U, 0xFE, 0x13, MemArg, "i32.atomic.load16_u", I32, _, _, I32, 2)
WASM_OP(I64AtomicLoad8U, 0xFE, 0x14, MemArg, "i64.atomic.load8_u", I32, _, _, I64, 1)
WASM_OP(I64AtomicLoad16U, 0xFE, 0x15, MemArg, "i64.atomic.load16_u", I32, _, _, I64, 2)
WASM_OP(I64AtomicLoad32U, 0xFE, 0x16, MemArg, "i64.atomic.load32_u", I32, _, _, I64, 4)
WASM_OP(I32AtomicStore, 0xFE, 0x17, MemArg, "i32.atomic.store", I32, I32, _, _, 4)
WASM_OP(I64AtomicStore, 0xFE, 0x18, MemArg, "i64.atomic.store", I32, I64, _, _, 8)
WASM_OP(I32AtomicStore8U, 0xFE, 0x19, MemArg, "i32.atomic.store8", I32, I32, _, _, 1)
WASM_OP(I32AtomicStore16U, 0xFE, 0x1a, MemArg, "i32.atomic.store16", I32, I32, _, _, 2)
WASM_OP(I64AtomicStore8U, 0xFE, 0x1b, MemArg, "i64.atomic.store8", I32, I64, _, _, 1)
WASM_OP(I64AtomicStore16U, 0xFE, 0x1c, MemArg, "i64.atomic.store16", I32, I64, _, _, 2)
WASM_OP(I64AtomicStore32U, 0xFE, 0x1d, MemArg, "i64.atomic.store32", I32, I64, _, _, 4)
WASM_OP(I32AtomicRmwAdd, 0xFE, 0x1e, MemArg, "i32.atomic.rmw.add", I32, I32, _, I32, 4)
WASM_OP(I64AtomicRmwAdd, 0xFE, 0x1f, MemArg, "i64.atomic.rmw.add", I32, I64, _, I64, 8)
WASM_OP(I32AtomicRmw8AddU, 0xFE, 0x20, MemArg, "i32.atomic.rmw8.add_u", I32, I32, _, I32, 1)
WASM_OP(I32AtomicRmw16AddU, 0xFE, 0x21, MemArg, "i32.atomic.rmw16.add_u", I32, I32, _, I32, 2)
WASM_OP(I64AtomicRmw8AddU, 0xFE, 0x22, MemArg, "i64.atomic.rmw8.add_u", I32, I64, _, I64, 1)
WASM_OP(I64AtomicRmw16AddU, 0xFE, 0x23, MemArg, "i64.atomic.rmw16.add_u", I32, I64, _, I64, 2)
WASM_OP(I64AtomicRmw32AddU, 0xFE, 0x24, MemArg, "i64.atomic.rmw32.add_u", I32, I64, _, I64, 4)
WASM_OP(I32AtomicRmwSub, 0xFE, 0x25, MemArg, "i32.atomic.rmw.sub", I32, I32, _, I32, 4)
WASM_OP(I64AtomicRmwSub, 0xFE, 0x26, MemArg, "i64.atomic.rmw.sub", I32, I64, _, I64, 8)
WASM_OP(I32AtomicRmw8SubU, 0xFE, 0x27, MemArg, "i32.atomic.rmw8.sub_u", I32, I32, _, I32, 1)
WASM_OP(I32AtomicRmw16SubU, 0xFE, 0x28, MemArg, "i32.atomic.rmw16.sub_u", I32, I32, _, I32, 2)
WASM_OP(I64AtomicRmw8SubU, 0xFE, 0x29, MemArg, "i64.atomic.rmw8.sub_u", I32, I64, _, I64, 1)
WASM_OP(I64AtomicRmw16SubU, 0xFE, 0x2a, MemArg, "i64.atomic.rmw16.sub_u", I32, I64, _, I64, 2)
WASM_OP(I64AtomicRmw32SubU, 0xFE, 0x2b, MemArg, "i64.atomic.rmw32.sub_u", I32, I64, _, I64, 4)
WASM_OP(I32AtomicRmwAnd, 0xFE, 0x2c, MemArg, "i32.atomic.rmw.and", I32, I32, _, I32, 4)
WASM_OP(I64AtomicRmwAnd, 0xFE, 0x2d, MemArg, "i64.atomic.rmw.and", I32, I64, _, I64, 8)
WASM_OP(I32AtomicRmw8AndU, 0xFE, 0x2e, MemArg, "i32.atomic.rmw8.and_u", I32, I32, _, I32, 1)
WASM_OP(I32AtomicRmw16AndU, 0xFE, 0x2f, MemArg, "i32.atomic.rmw16.and_u", I32, I32, _, I32, 2)
WASM_OP(I64AtomicRmw8AndU, 0xFE, 0x30, MemArg, "i64.atomic.rmw8.and_u", I32, I64, _, I64, 1)
WASM_OP(I64AtomicRmw16AndU, 0xFE, 0x31, MemArg, "i64.atomic.rmw16.and_u", I32, I64, _, I64, 2)
WASM_OP(I64AtomicRmw32AndU, 0xFE, 0x32, MemArg, "i64.atomic.rmw32.and_u", I32, I64, _, I64, 4)
WASM_OP(I32AtomicRmwOr, 0xFE, 0x33, MemArg, "i32.atomic.rmw.or", I32, I32, _, I32, 4)
WASM_OP(I64AtomicRmwOr, 0xFE, 0x34, MemArg, "i64.atomic.rmw.or", I32, I64, _, I64, 8)
WASM_OP(I32AtomicRmw8OrU, 0xFE, 0x35, MemArg, "i32.atomic.rmw8.or_u", I32, I32, _, I32, 1)
WASM_OP(I32AtomicRmw16OrU, 0xFE, 0x36, MemArg, "i32.atomic.rmw16.or_u", I32, I32, _, I32, 2)
WASM_OP(I64AtomicRmw8OrU, 0xFE, 0x37, MemArg, "i64.atomic.rmw8.or_u", I32, I64, _, I64, 1)
WASM_OP(I64AtomicRmw16OrU, 0xFE, 0x38, MemArg, "i64.atomic.rmw16.or_u", I32, I64, _, I64, 2)
WASM_OP(I64AtomicRmw32OrU, 0xFE, 0x39, MemArg, "i64.atomic.rmw32.or_u", I32, I64, _, I64, 4)
WASM_OP(I32AtomicRmwXor, 0xFE, 0x3a, MemArg, "i32.atomic.rmw.xor", I32, I32, _, I32, 4)
WASM_OP(I64AtomicRmwXor, 0xFE, 0x3b, MemArg, "i64.atomic.rmw.xor", I32, I64, _, I64, 8)
WASM_OP(I32AtomicRmw8XorU, 0xFE, 0x3c, MemArg, "i32.atomic.rmw8.xor_u", I32, I32, _, I32, 1)
WASM_OP(I32AtomicRmw16XorU, 0xFE, 0x3d, MemArg, "i32.atomic.rmw16.xor_u", I32, I32, _, I32, 2)
WASM_OP(I64AtomicRmw8XorU, 0xFE, 0x3e, MemArg, "i64.atomic.rmw8.xor_u", I32, I64, _, I64, 1)
WASM_OP(I64AtomicRmw16XorU, 0xFE, 0x3f, MemArg, "i64.atomic.rmw16.xor_u", I32, I64, _, I64, 2)
WASM_OP(I64AtomicRmw32XorU, 0xFE, 0x40, MemArg, "i64.atomic.rmw32.xor_u", I32, I64, _, I64, 4)
WASM_OP(I32AtomicRmwXchg, 0xFE, 0x41, MemArg, "i32.atomic.rmw.xchg", I32, I32, _, I32, 4)
WASM_OP(I64AtomicRmwXchg, 0xFE, 0x42, MemArg, "i64.atomic.rmw.xchg", I32, I64, _, I64, 8)
WASM_OP(I32AtomicRmw8XchgU, 0xFE, 0x43, MemArg, "i32.atomic.rmw8.xchg_u", I32, I32, _, I32, 1)
WASM_OP(I32AtomicRmw16XchgU, 0xFE, 0x44, MemArg, "i32.atomic.rmw16.xchg_u", I32, I32, _, I32, 2)
WASM_OP(I64AtomicRmw8XchgU, 0xFE, 0x45, MemArg, "i64.atomic.rmw8.xchg_u", I32, I64, _, I64, 1)
WASM_OP(I64AtomicRmw16XchgU, 0xFE, 0x46, MemArg, "i64.atomic.rmw16.xchg_u", I32, I64, _, I64, 2)
WASM_OP(I64AtomicRmw32XchgU, 0xFE, 0x47, MemArg, "i64.atomic.rmw32.xchg_u", I32, I64, _, I64, 4)
WASM_OP(I32AtomicRmwCmpxchg, 0xFE, 0x48, MemArg, "i32.atomic.rmw.cmpxchg", I32, I32, I32, I32, 4)
WASM_OP(I64AtomicRmwCmpxchg, 0xFE, 0x49, MemArg, "i64.atomic.rmw.cmpxchg", I32, I64, I64, I64, 8)
WASM_OP(I32AtomicRmw8CmpxchgU, 0xFE, 0x4a, MemArg, "i32.atomic.rmw8.cmpxchg_u", I32, I32, I32, I32, 1)
WASM_OP(I32AtomicRmw16CmpxchgU, 0xFE, 0x4b, MemArg, "i32.atomic.rmw16.cmpxchg_u", I32, I32, I32, I32, 2)
WASM_OP(I64AtomicRmw8CmpxchgU, 0xFE, 0x4c, MemArg, "i64.atomic.rmw8.cmpxchg_u", I32, I64, I64, I64, 1)
WASM_OP(I64AtomicRmw16CmpxchgU, 0xFE, 0x4d, MemArg, "i64.atomic.rmw16.cmpxchg_u", I32, I64, I64, I64, 2)
WASM_OP(I64AtomicRmw32CmpxchgU, 0xFE, 0x4e, MemArg, "i64.atomic.rmw32.cmpxchg_u", I32, I64, I64, I64, 4)

// clang-format on
// ---- end include/wasm/detail/binary/opcodes.def ----
#undef WASM_OP
};

struct OpInfo {
  uint8_t prefix;
  uint32_t code;
  Imm imm;
  const char* text;
  std::array<Slot, 3> params;
  Slot result;
  uint8_t extra;  // bytes accessed (memory ops) or lane count (lane ops)

  constexpr bool special() const { return params[0] == Slot::Special; }
  constexpr unsigned param_count() const {
    unsigned n = 0;
    for (Slot s : params) n += s != Slot::None;
    return n;
  }
};

namespace opcode_table_slots {
constexpr Slot _ = Slot::None;
constexpr Slot Special = Slot::Special;
constexpr Slot I32 = Slot::I32;
constexpr Slot I64 = Slot::I64;
constexpr Slot F32 = Slot::F32;
constexpr Slot F64 = Slot::F64;
constexpr Slot V128 = Slot::V128;
}  // namespace opcode_table_slots

inline constexpr OpInfo kOpInfo[] = {
#define WASM_OP(name, prefix, code, imm, text, p0, p1, p2, r, extra)                       \
  OpInfo{prefix, code, Imm::imm, text,                                                     \
         {opcode_table_slots::p0, opcode_table_slots::p1, opcode_table_slots::p2},         \
         opcode_table_slots::r, extra},
// ---- begin include/wasm/detail/binary/opcodes.def ----
// The WebAssembly 3.0 instruction set and the proposals we read (threads, wide arithmetic), one line per opcode. The decoder, validator and compiler
// all read this table (X-macro); nothing else lists opcodes.
//
//   WASM_OP(Name, Prefix, Code, Imm, "text", P0, P1, P2, R, Extra)
//
// Name    identifier of the opcode in `enum class Op`
// Prefix  0 for single-byte opcodes, 0xFC or 0xFD for prefixed ones (Code is then a u32 LEB)
// Imm     immediate kind (enum class Imm in opcodes.hpp)
// P0..P2  operand types popped, in stack order (P0 deepest); `_` for none
// R       result type pushed, or `_`
//         Special in P0 means the operand types depend on immediates or context and the
//         validator/compiler handle the opcode by hand (control, variables, calls, tables, refs).
// Extra   bytes accessed for memory operations, lane count for lane operations, else 0.
//
// clang-format off

// Control
WASM_OP(Unreachable,  0, 0x00, None,         "unreachable",   Special, _, _, _, 0)
WASM_OP(Nop,          0, 0x01, None,         "nop",           _, _, _, _, 0)
WASM_OP(Block,        0, 0x02, BlockType,    "block",         Special, _, _, _, 0)
WASM_OP(Loop,         0, 0x03, BlockType,    "loop",          Special, _, _, _, 0)
WASM_OP(If,           0, 0x04, BlockType,    "if",            Special, _, _, _, 0)
WASM_OP(Else,         0, 0x05, None,         "else",          Special, _, _, _, 0)
WASM_OP(End,          0, 0x0B, None,         "end",           Special, _, _, _, 0)
WASM_OP(Br,           0, 0x0C, Label,        "br",            Special, _, _, _, 0)
WASM_OP(BrIf,         0, 0x0D, Label,        "br_if",         Special, _, _, _, 0)
WASM_OP(BrTable,      0, 0x0E, BrTable,      "br_table",      Special, _, _, _, 0)
WASM_OP(Return,       0, 0x0F, None,         "return",        Special, _, _, _, 0)
WASM_OP(Call,         0, 0x10, Func,         "call",          Special, _, _, _, 0)
WASM_OP(CallIndirect, 0, 0x11, CallIndirect, "call_indirect", Special, _, _, _, 0)
WASM_OP(ReturnCall,         0, 0x12, Func,         "return_call",          Special, _, _, _, 0)
WASM_OP(ReturnCallIndirect, 0, 0x13, CallIndirect, "return_call_indirect", Special, _, _, _, 0)

// Parametric
WASM_OP(Drop,         0, 0x1A, None,         "drop",          Special, _, _, _, 0)
WASM_OP(Select,       0, 0x1B, None,         "select",        Special, _, _, _, 0)
WASM_OP(SelectT,      0, 0x1C, SelectTypes,  "select",        Special, _, _, _, 0)

// Variables and tables
WASM_OP(LocalGet,     0, 0x20, Local,        "local.get",     Special, _, _, _, 0)
WASM_OP(LocalSet,     0, 0x21, Local,        "local.set",     Special, _, _, _, 0)
WASM_OP(LocalTee,     0, 0x22, Local,        "local.tee",     Special, _, _, _, 0)
WASM_OP(GlobalGet,    0, 0x23, Global,       "global.get",    Special, _, _, _, 0)
WASM_OP(GlobalSet,    0, 0x24, Global,       "global.set",    Special, _, _, _, 0)
WASM_OP(TableGet,     0, 0x25, Table,        "table.get",     Special, _, _, _, 0)
WASM_OP(TableSet,     0, 0x26, Table,        "table.set",     Special, _, _, _, 0)

// Memory
WASM_OP(I32Load,      0, 0x28, MemArg, "i32.load",     I32, _, _, I32, 4)
WASM_OP(I64Load,      0, 0x29, MemArg, "i64.load",     I32, _, _, I64, 8)
WASM_OP(F32Load,      0, 0x2A, MemArg, "f32.load",     I32, _, _, F32, 4)
WASM_OP(F64Load,      0, 0x2B, MemArg, "f64.load",     I32, _, _, F64, 8)
WASM_OP(I32Load8S,    0, 0x2C, MemArg, "i32.load8_s",  I32, _, _, I32, 1)
WASM_OP(I32Load8U,    0, 0x2D, MemArg, "i32.load8_u",  I32, _, _, I32, 1)
WASM_OP(I32Load16S,   0, 0x2E, MemArg, "i32.load16_s", I32, _, _, I32, 2)
WASM_OP(I32Load16U,   0, 0x2F, MemArg, "i32.load16_u", I32, _, _, I32, 2)
WASM_OP(I64Load8S,    0, 0x30, MemArg, "i64.load8_s",  I32, _, _, I64, 1)
WASM_OP(I64Load8U,    0, 0x31, MemArg, "i64.load8_u",  I32, _, _, I64, 1)
WASM_OP(I64Load16S,   0, 0x32, MemArg, "i64.load16_s", I32, _, _, I64, 2)
WASM_OP(I64Load16U,   0, 0x33, MemArg, "i64.load16_u", I32, _, _, I64, 2)
WASM_OP(I64Load32S,   0, 0x34, MemArg, "i64.load32_s", I32, _, _, I64, 4)
WASM_OP(I64Load32U,   0, 0x35, MemArg, "i64.load32_u", I32, _, _, I64, 4)
WASM_OP(I32Store,     0, 0x36, MemArg, "i32.store",    I32, I32, _, _, 4)
WASM_OP(I64Store,     0, 0x37, MemArg, "i64.store",    I32, I64, _, _, 8)
WASM_OP(F32Store,     0, 0x38, MemArg, "f32.store",    I32, F32, _, _, 4)
WASM_OP(F64Store,     0, 0x39, MemArg, "f64.store",    I32, F64, _, _, 8)
WASM_OP(I32Store8,    0, 0x3A, MemArg, "i32.store8",   I32, I32, _, _, 1)
WASM_OP(I32Store16,   0, 0x3B, MemArg, "i32.store16",  I32, I32, _, _, 2)
WASM_OP(I64Store8,    0, 0x3C, MemArg, "i64.store8",   I32, I64, _, _, 1)
WASM_OP(I64Store16,   0, 0x3D, MemArg, "i64.store16",  I32, I64, _, _, 2)
WASM_OP(I64Store32,   0, 0x3E, MemArg, "i64.store32",  I32, I64, _, _, 4)
WASM_OP(MemorySize,   0, 0x3F, Memory, "memory.size",  _, _, _, I32, 0)
WASM_OP(MemoryGrow,   0, 0x40, Memory, "memory.grow",  I32, _, _, I32, 0)

// Constants
WASM_OP(I32Const,     0, 0x41, I32,    "i32.const",    _, _, _, I32, 0)
WASM_OP(I64Const,     0, 0x42, I64,    "i64.const",    _, _, _, I64, 0)
WASM_OP(F32Const,     0, 0x43, F32,    "f32.const",    _, _, _, F32, 0)
WASM_OP(F64Const,     0, 0x44, F64,    "f64.const",    _, _, _, F64, 0)

// i32 comparisons
WASM_OP(I32Eqz,       0, 0x45, None, "i32.eqz",  I32, _, _, I32, 0)
WASM_OP(I32Eq,        0, 0x46, None, "i32.eq",   I32, I32, _, I32, 0)
WASM_OP(I32Ne,        0, 0x47, None, "i32.ne",   I32, I32, _, I32, 0)
WASM_OP(I32LtS,       0, 0x48, None, "i32.lt_s", I32, I32, _, I32, 0)
WASM_OP(I32LtU,       0, 0x49, None, "i32.lt_u", I32, I32, _, I32, 0)
WASM_OP(I32GtS,       0, 0x4A, None, "i32.gt_s", I32, I32, _, I32, 0)
WASM_OP(I32GtU,       0, 0x4B, None, "i32.gt_u", I32, I32, _, I32, 0)
WASM_OP(I32LeS,       0, 0x4C, None, "i32.le_s", I32, I32, _, I32, 0)
WASM_OP(I32LeU,       0, 0x4D, None, "i32.le_u", I32, I32, _, I32, 0)
WASM_OP(I32GeS,       0, 0x4E, None, "i32.ge_s", I32, I32, _, I32, 0)
WASM_OP(I32GeU,       0, 0x4F, None, "i32.ge_u", I32, I32, _, I32, 0)
// i64 comparisons
WASM_OP(I64Eqz,       0, 0x50, None, "i64.eqz",  I64, _, _, I32, 0)
WASM_OP(I64Eq,        0, 0x51, None, "i64.eq",   I64, I64, _, I32, 0)
WASM_OP(I64Ne,        0, 0x52, None, "i64.ne",   I64, I64, _, I32, 0)
WASM_OP(I64LtS,       0, 0x53, None, "i64.lt_s", I64, I64, _, I32, 0)
WASM_OP(I64LtU,       0, 0x54, None, "i64.lt_u", I64, I64, _, I32, 0)
WASM_OP(I64GtS,       0, 0x55, None, "i64.gt_s", I64, I64, _, I32, 0)
WASM_OP(I64GtU,       0, 0x56, None, "i64.gt_u", I64, I64, _, I32, 0)
WASM_OP(I64LeS,       0, 0x57, None, "i64.le_s", I64, I64, _, I32, 0)
WASM_OP(I64LeU,       0, 0x58, None, "i64.le_u", I64, I64, _, I32, 0)
WASM_OP(I64GeS,       0, 0x59, None, "i64.ge_s", I64, I64, _, I32, 0)
WASM_OP(I64GeU,       0, 0x5A, None, "i64.ge_u", I64, I64, _, I32, 0)
// float comparisons
WASM_OP(F32Eq,        0, 0x5B, None, "f32.eq", F32, F32, _, I32, 0)
WASM_OP(F32Ne,        0, 0x5C, None, "f32.ne", F32, F32, _, I32, 0)
WASM_OP(F32Lt,        0, 0x5D, None, "f32.lt", F32, F32, _, I32, 0)
WASM_OP(F32Gt,        0, 0x5E, None, "f32.gt", F32, F32, _, I32, 0)
WASM_OP(F32Le,        0, 0x5F, None, "f32.le", F32, F32, _, I32, 0)
WASM_OP(F32Ge,        0, 0x60, None, "f32.ge", F32, F32, _, I32, 0)
WASM_OP(F64Eq,        0, 0x61, None, "f64.eq", F64, F64, _, I32, 0)
WASM_OP(F64Ne,        0, 0x62, None, "f64.ne", F64, F64, _, I32, 0)
WASM_OP(F64Lt,        0, 0x63, None, "f64.lt", F64, F64, _, I32, 0)
WASM_OP(F64Gt,        0, 0x64, None, "f64.gt", F64, F64, _, I32, 0)
WASM_OP(F64Le,        0, 0x65, None, "f64.le", F64, F64, _, I32, 0)
WASM_OP(F64Ge,        0, 0x66, None, "f64.ge", F64, F64, _, I32, 0)

// i32 arithmetic
WASM_OP(I32Clz,       0, 0x67, None, "i32.clz",    I32, _, _, I32, 0)
WASM_OP(I32Ctz,       0, 0x68, None, "i32.ctz",    I32, _, _, I32, 0)
WASM_OP(I32Popcnt,    0, 0x69, None, "i32.popcnt", I32, _, _, I32, 0)
WASM_OP(I32Add,       0, 0x6A, None, "i32.add",    I32, I32, _, I32, 0)
WASM_OP(I32Sub,       0, 0x6B, None, "i32.sub",    I32, I32, _, I32, 0)
WASM_OP(I32Mul,       0, 0x6C, None, "i32.mul",    I32, I32, _, I32, 0)
WASM_OP(I32DivS,      0, 0x6D, None, "i32.div_s",  I32, I32, _, I32, 0)
WASM_OP(I32DivU,      0, 0x6E, None, "i32.div_u",  I32, I32, _, I32, 0)
WASM_OP(I32RemS,      0, 0x6F, None, "i32.rem_s",  I32, I32, _, I32, 0)
WASM_OP(I32RemU,      0, 0x70, None, "i32.rem_u",  I32, I32, _, I32, 0)
WASM_OP(I32And,       0, 0x71, None, "i32.and",    I32, I32, _, I32, 0)
WASM_OP(I32Or,        0, 0x72, None, "i32.or",     I32, I32, _, I32, 0)
WASM_OP(I32Xor,       0, 0x73, None, "i32.xor",    I32, I32, _, I32, 0)
WASM_OP(I32Shl,       0, 0x74, None, "i32.shl",    I32, I32, _, I32, 0)
WASM_OP(I32ShrS,      0, 0x75, None, "i32.shr_s",  I32, I32, _, I32, 0)
WASM_OP(I32ShrU,      0, 0x76, None, "i32.shr_u",  I32, I32, _, I32, 0)
WASM_OP(I32Rotl,      0, 0x77, None, "i32.rotl",   I32, I32, _, I32, 0)
WASM_OP(I32Rotr,      0, 0x78, None, "i32.rotr",   I32, I32, _, I32, 0)
// i64 arithmetic
WASM_OP(I64Clz,       0, 0x79, None, "i64.clz",    I64, _, _, I64, 0)
WASM_OP(I64Ctz,       0, 0x7A, None, "i64.ctz",    I64, _, _, I64, 0)
WASM_OP(I64Popcnt,    0, 0x7B, None, "i64.popcnt", I64, _, _, I64, 0)
WASM_OP(I64Add,       0, 0x7C, None, "i64.add",    I64, I64, _, I64, 0)
WASM_OP(I64Sub,       0, 0x7D, None, "i64.sub",    I64, I64, _, I64, 0)
WASM_OP(I64Mul,       0, 0x7E, None, "i64.mul",    I64, I64, _, I64, 0)
WASM_OP(I64DivS,      0, 0x7F, None, "i64.div_s",  I64, I64, _, I64, 0)
WASM_OP(I64DivU,      0, 0x80, None, "i64.div_u",  I64, I64, _, I64, 0)
WASM_OP(I64RemS,      0, 0x81, None, "i64.rem_s",  I64, I64, _, I64, 0)
WASM_OP(I64RemU,      0, 0x82, None, "i64.rem_u",  I64, I64, _, I64, 0)
WASM_OP(I64And,       0, 0x83, None, "i64.and",    I64, I64, _, I64, 0)
WASM_OP(I64Or,        0, 0x84, None, "i64.or",     I64, I64, _, I64, 0)
WASM_OP(I64Xor,       0, 0x85, None, "i64.xor",    I64, I64, _, I64, 0)
WASM_OP(I64Shl,       0, 0x86, None, "i64.shl",    I64, I64, _, I64, 0)
WASM_OP(I64ShrS,      0, 0x87, None, "i64.shr_s",  I64, I64, _, I64, 0)
WASM_OP(I64ShrU,      0, 0x88, None, "i64.shr_u",  I64, I64, _, I64, 0)
WASM_OP(I64Rotl,      0, 0x89, None, "i64.rotl",   I64, I64, _, I64, 0)
WASM_OP(I64Rotr,      0, 0x8A, None, "i64.rotr",   I64, I64, _, I64, 0)
// f32 arithmetic
WASM_OP(F32Abs,       0, 0x8B, None, "f32.abs",      F32, _, _, F32, 0)
WASM_OP(F32Neg,       0, 0x8C, None, "f32.neg",      F32, _, _, F32, 0)
WASM_OP(F32Ceil,      0, 0x8D, None, "f32.ceil",     F32, _, _, F32, 0)
WASM_OP(F32Floor,     0, 0x8E, None, "f32.floor",    F32, _, _, F32, 0)
WASM_OP(F32Trunc,     0, 0x8F, None, "f32.trunc",    F32, _, _, F32, 0)
WASM_OP(F32Nearest,   0, 0x90, None, "f32.nearest",  F32, _, _, F32, 0)
WASM_OP(F32Sqrt,      0, 0x91, None, "f32.sqrt",     F32, _, _, F32, 0)
WASM_OP(F32Add,       0, 0x92, None, "f32.add",      F32, F32, _, F32, 0)
WASM_OP(F32Sub,       0, 0x93, None, "f32.sub",      F32, F32, _, F32, 0)
WASM_OP(F32Mul,       0, 0x94, None, "f32.mul",      F32, F32, _, F32, 0)
WASM_OP(F32Div,       0, 0x95, None, "f32.div",      F32, F32, _, F32, 0)
WASM_OP(F32Min,       0, 0x96, None, "f32.min",      F32, F32, _, F32, 0)
WASM_OP(F32Max,       0, 0x97, None, "f32.max",      F32, F32, _, F32, 0)
WASM_OP(F32Copysign,  0, 0x98, None, "f32.copysign", F32, F32, _, F32, 0)
// f64 arithmetic
WASM_OP(F64Abs,       0, 0x99, None, "f64.abs",      F64, _, _, F64, 0)
WASM_OP(F64Neg,       0, 0x9A, None, "f64.neg",      F64, _, _, F64, 0)
WASM_OP(F64Ceil,      0, 0x9B, None, "f64.ceil",     F64, _, _, F64, 0)
WASM_OP(F64Floor,     0, 0x9C, None, "f64.floor",    F64, _, _, F64, 0)
WASM_OP(F64Trunc,     0, 0x9D, None, "f64.trunc",    F64, _, _, F64, 0)
WASM_OP(F64Nearest,   0, 0x9E, None, "f64.nearest",  F64, _, _, F64, 0)
WASM_OP(F64Sqrt,      0, 0x9F, None, "f64.sqrt",     F64, _, _, F64, 0)
WASM_OP(F64Add,       0, 0xA0, None, "f64.add",      F64, F64, _, F64, 0)
WASM_OP(F64Sub,       0, 0xA1, None, "f64.sub",      F64, F64, _, F64, 0)
WASM_OP(F64Mul,       0, 0xA2, None, "f64.mul",      F64, F64, _, F64, 0)
WASM_OP(F64Div,       0, 0xA3, None, "f64.div",      F64, F64, _, F64, 0)
WASM_OP(F64Min,       0, 0xA4, None, "f64.min",      F64, F64, _, F64, 0)
WASM_OP(F64Max,       0, 0xA5, None, "f64.max",      F64, F64, _, F64, 0)
WASM_OP(F64Copysign,  0, 0xA6, None, "f64.copysign", F64, F64, _, F64, 0)

// Conversions
WASM_OP(I32WrapI64,        0, 0xA7, None, "i32.wrap_i64",        I64, _, _, I32, 0)
WASM_OP(I32TruncF32S,      0, 0xA8, None, "i32.trunc_f32_s",     F32, _, _, I32, 0)
WASM_OP(I32TruncF32U,      0, 0xA9, None, "i32.trunc_f32_u",     F32, _, _, I32, 0)
WASM_OP(I32TruncF64S,      0, 0xAA, None, "i32.trunc_f64_s",     F64, _, _, I32, 0)
WASM_OP(I32TruncF64U,      0, 0xAB, None, "i32.trunc_f64_u",     F64, _, _, I32, 0)
WASM_OP(I64ExtendI32S,     0, 0xAC, None, "i64.extend_i32_s",    I32, _, _, I64, 0)
WASM_OP(I64ExtendI32U,     0, 0xAD, None, "i64.extend_i32_u",    I32, _, _, I64, 0)
WASM_OP(I64TruncF32S,      0, 0xAE, None, "i64.trunc_f32_s",     F32, _, _, I64, 0)
WASM_OP(I64TruncF32U,      0, 0xAF, None, "i64.trunc_f32_u",     F32, _, _, I64, 0)
WASM_OP(I64TruncF64S,      0, 0xB0, None, "i64.trunc_f64_s",     F64, _, _, I64, 0)
WASM_OP(I64TruncF64U,      0, 0xB1, None, "i64.trunc_f64_u",     F64, _, _, I64, 0)
WASM_OP(F32ConvertI32S,    0, 0xB2, None, "f32.convert_i32_s",   I32, _, _, F32, 0)
WASM_OP(F32ConvertI32U,    0, 0xB3, None, "f32.convert_i32_u",   I32, _, _, F32, 0)
WASM_OP(F32ConvertI64S,    0, 0xB4, None, "f32.convert_i64_s",   I64, _, _, F32, 0)
WASM_OP(F32ConvertI64U,    0, 0xB5, None, "f32.convert_i64_u",   I64, _, _, F32, 0)
WASM_OP(F32DemoteF64,      0, 0xB6, None, "f32.demote_f64",      F64, _, _, F32, 0)
WASM_OP(F64ConvertI32S,    0, 0xB7, None, "f64.convert_i32_s",   I32, _, _, F64, 0)
WASM_OP(F64ConvertI32U,    0, 0xB8, None, "f64.convert_i32_u",   I32, _, _, F64, 0)
WASM_OP(F64ConvertI64S,    0, 0xB9, None, "f64.convert_i64_s",   I64, _, _, F64, 0)
WASM_OP(F64ConvertI64U,    0, 0xBA, None, "f64.convert_i64_u",   I64, _, _, F64, 0)
WASM_OP(F64PromoteF32,     0, 0xBB, None, "f64.promote_f32",     F32, _, _, F64, 0)
WASM_OP(I32ReinterpretF32, 0, 0xBC, None, "i32.reinterpret_f32", F32, _, _, I32, 0)
WASM_OP(I64ReinterpretF64, 0, 0xBD, None, "i64.reinterpret_f64", F64, _, _, I64, 0)
WASM_OP(F32ReinterpretI32, 0, 0xBE, None, "f32.reinterpret_i32", I32, _, _, F32, 0)
WASM_OP(F64ReinterpretI64, 0, 0xBF, None, "f64.reinterpret_i64", I64, _, _, F64, 0)
WASM_OP(I32Extend8S,       0, 0xC0, None, "i32.extend8_s",       I32, _, _, I32, 0)
WASM_OP(I32Extend16S,      0, 0xC1, None, "i32.extend16_s",      I32, _, _, I32, 0)
WASM_OP(I64Extend8S,       0, 0xC2, None, "i64.extend8_s",       I64, _, _, I64, 0)
WASM_OP(I64Extend16S,      0, 0xC3, None, "i64.extend16_s",      I64, _, _, I64, 0)
WASM_OP(I64Extend32S,      0, 0xC4, None, "i64.extend32_s",      I64, _, _, I64, 0)

// Reference types
WASM_OP(RefNull,      0, 0xD0, RefType, "ref.null",    Special, _, _, _, 0)
WASM_OP(RefIsNull,    0, 0xD1, None,    "ref.is_null", Special, _, _, _, 0)
WASM_OP(RefFunc,      0, 0xD2, Func,    "ref.func",    Special, _, _, _, 0)

// 0xFC prefix: saturating truncation, bulk memory, tables
WASM_OP(I32TruncSatF32S, 0xFC, 0,  None,       "i32.trunc_sat_f32_s", F32, _, _, I32, 0)
WASM_OP(I32TruncSatF32U, 0xFC, 1,  None,       "i32.trunc_sat_f32_u", F32, _, _, I32, 0)
WASM_OP(I32TruncSatF64S, 0xFC, 2,  None,       "i32.trunc_sat_f64_s", F64, _, _, I32, 0)
WASM_OP(I32TruncSatF64U, 0xFC, 3,  None,       "i32.trunc_sat_f64_u", F64, _, _, I32, 0)
WASM_OP(I64TruncSatF32S, 0xFC, 4,  None,       "i64.trunc_sat_f32_s", F32, _, _, I64, 0)
WASM_OP(I64TruncSatF32U, 0xFC, 5,  None,       "i64.trunc_sat_f32_u", F32, _, _, I64, 0)
WASM_OP(I64TruncSatF64S, 0xFC, 6,  None,       "i64.trunc_sat_f64_s", F64, _, _, I64, 0)
WASM_OP(I64TruncSatF64U, 0xFC, 7,  None,       "i64.trunc_sat_f64_u", F64, _, _, I64, 0)
WASM_OP(MemoryInit,      0xFC, 8,  MemoryInit, "memory.init",         I32, I32, I32, _, 0)
WASM_OP(DataDrop,        0xFC, 9,  Data,       "data.drop",           _, _, _, _, 0)
WASM_OP(MemoryCopy,      0xFC, 10, MemoryCopy, "memory.copy",         I32, I32, I32, _, 0)
WASM_OP(MemoryFill,      0xFC, 11, Memory,     "memory.fill",         I32, I32, I32, _, 0)
WASM_OP(TableInit,       0xFC, 12, TableInit,  "table.init",          I32, I32, I32, _, 0)
WASM_OP(ElemDrop,        0xFC, 13, Elem,       "elem.drop",           _, _, _, _, 0)
WASM_OP(TableCopy,       0xFC, 14, TableCopy,  "table.copy",          I32, I32, I32, _, 0)
WASM_OP(TableGrow,       0xFC, 15, Table,      "table.grow",          Special, _, _, _, 0)
WASM_OP(TableSize,       0xFC, 16, Table,      "table.size",          _, _, _, I32, 0)
WASM_OP(TableFill,       0xFC, 17, Table,      "table.fill",          Special, _, _, _, 0)

// 0xFD prefix: 128-bit SIMD
WASM_OP(V128Load,          0xFD, 0x00, MemArg, "v128.load",         I32, _, _, V128, 16)
WASM_OP(V128Load8x8S,      0xFD, 0x01, MemArg, "v128.load8x8_s",    I32, _, _, V128, 8)
WASM_OP(V128Load8x8U,      0xFD, 0x02, MemArg, "v128.load8x8_u",    I32, _, _, V128, 8)
WASM_OP(V128Load16x4S,     0xFD, 0x03, MemArg, "v128.load16x4_s",   I32, _, _, V128, 8)
WASM_OP(V128Load16x4U,     0xFD, 0x04, MemArg, "v128.load16x4_u",   I32, _, _, V128, 8)
WASM_OP(V128Load32x2S,     0xFD, 0x05, MemArg, "v128.load32x2_s",   I32, _, _, V128, 8)
WASM_OP(V128Load32x2U,     0xFD, 0x06, MemArg, "v128.load32x2_u",   I32, _, _, V128, 8)
WASM_OP(V128Load8Splat,    0xFD, 0x07, MemArg, "v128.load8_splat",  I32, _, _, V128, 1)
WASM_OP(V128Load16Splat,   0xFD, 0x08, MemArg, "v128.load16_splat", I32, _, _, V128, 2)
WASM_OP(V128Load32Splat,   0xFD, 0x09, MemArg, "v128.load32_splat", I32, _, _, V128, 4)
WASM_OP(V128Load64Splat,   0xFD, 0x0A, MemArg, "v128.load64_splat", I32, _, _, V128, 8)
WASM_OP(V128Store,         0xFD, 0x0B, MemArg, "v128.store",        I32, V128, _, _, 16)
WASM_OP(V128Const,         0xFD, 0x0C, V128,    "v128.const",       _, _, _, V128, 0)
WASM_OP(I8x16Shuffle,      0xFD, 0x0D, Shuffle, "i8x16.shuffle",    V128, V128, _, V128, 0)
WASM_OP(I8x16Swizzle,      0xFD, 0x0E, None,    "i8x16.swizzle",    V128, V128, _, V128, 0)
WASM_OP(I8x16Splat,        0xFD, 0x0F, None,    "i8x16.splat",      I32, _, _, V128, 0)
WASM_OP(I16x8Splat,        0xFD, 0x10, None,    "i16x8.splat",      I32, _, _, V128, 0)
WASM_OP(I32x4Splat,        0xFD, 0x11, None,    "i32x4.splat",      I32, _, _, V128, 0)
WASM_OP(I64x2Splat,        0xFD, 0x12, None,    "i64x2.splat",      I64, _, _, V128, 0)
WASM_OP(F32x4Splat,        0xFD, 0x13, None,    "f32x4.splat",      F32, _, _, V128, 0)
WASM_OP(F64x2Splat,        0xFD, 0x14, None,    "f64x2.splat",      F64, _, _, V128, 0)
WASM_OP(I8x16ExtractLaneS, 0xFD, 0x15, Lane, "i8x16.extract_lane_s", V128, _, _, I32, 16)
WASM_OP(I8x16ExtractLaneU, 0xFD, 0x16, Lane, "i8x16.extract_lane_u", V128, _, _, I32, 16)
WASM_OP(I8x16ReplaceLane,  0xFD, 0x17, Lane, "i8x16.replace_lane",   V128, I32, _, V128, 16)
WASM_OP(I16x8ExtractLaneS, 0xFD, 0x18, Lane, "i16x8.extract_lane_s", V128, _, _, I32, 8)
WASM_OP(I16x8ExtractLaneU, 0xFD, 0x19, Lane, "i16x8.extract_lane_u", V128, _, _, I32, 8)
WASM_OP(I16x8ReplaceLane,  0xFD, 0x1A, Lane, "i16x8.replace_lane",   V128, I32, _, V128, 8)
WASM_OP(I32x4ExtractLane,  0xFD, 0x1B, Lane, "i32x4.extract_lane",   V128, _, _, I32, 4)
WASM_OP(I32x4ReplaceLane,  0xFD, 0x1C, Lane, "i32x4.replace_lane",   V128, I32, _, V128, 4)
WASM_OP(I64x2ExtractLane,  0xFD, 0x1D, Lane, "i64x2.extract_lane",   V128, _, _, I64, 2)
WASM_OP(I64x2ReplaceLane,  0xFD, 0x1E, Lane, "i64x2.replace_lane",   V128, I64, _, V128, 2)
WASM_OP(F32x4ExtractLane,  0xFD, 0x1F, Lane, "f32x4.extract_lane",   V128, _, _, F32, 4)
WASM_OP(F32x4ReplaceLane,  0xFD, 0x20, Lane, "f32x4.replace_lane",   V128, F32, _, V128, 4)
WASM_OP(F64x2ExtractLane,  0xFD, 0x21, Lane, "f64x2.extract_lane",   V128, _, _, F64, 2)
WASM_OP(F64x2ReplaceLane,  0xFD, 0x22, Lane, "f64x2.replace_lane",   V128, F64, _, V128, 2)
WASM_OP(I8x16Eq,   0xFD, 0x23, None, "i8x16.eq",   V128, V128, _, V128, 0)
WASM_OP(I8x16Ne,   0xFD, 0x24, None, "i8x16.ne",   V128, V128, _, V128, 0)
WASM_OP(I8x16LtS,  0xFD, 0x25, None, "i8x16.lt_s", V128, V128, _, V128, 0)
WASM_OP(I8x16LtU,  0xFD, 0x26, None, "i8x16.lt_u", V128, V128, _, V128, 0)
WASM_OP(I8x16GtS,  0xFD, 0x27, None, "i8x16.gt_s", V128, V128, _, V128, 0)
WASM_OP(I8x16GtU,  0xFD, 0x28, None, "i8x16.gt_u", V128, V128, _, V128, 0)
WASM_OP(I8x16LeS,  0xFD, 0x29, None, "i8x16.le_s", V128, V128, _, V128, 0)
WASM_OP(I8x16LeU,  0xFD, 0x2A, None, "i8x16.le_u", V128, V128, _, V128, 0)
WASM_OP(I8x16GeS,  0xFD, 0x2B, None, "i8x16.ge_s", V128, V128, _, V128, 0)
WASM_OP(I8x16GeU,  0xFD, 0x2C, None, "i8x16.ge_u", V128, V128, _, V128, 0)
WASM_OP(I16x8Eq,   0xFD, 0x2D, None, "i16x8.eq",   V128, V128, _, V128, 0)
WASM_OP(I16x8Ne,   0xFD, 0x2E, None, "i16x8.ne",   V128, V128, _, V128, 0)
WASM_OP(I16x8LtS,  0xFD, 0x2F, None, "i16x8.lt_s", V128, V128, _, V128, 0)
WASM_OP(I16x8LtU,  0xFD, 0x30, None, "i16x8.lt_u", V128, V128, _, V128, 0)
WASM_OP(I16x8GtS,  0xFD, 0x31, None, "i16x8.gt_s", V128, V128, _, V128, 0)
WASM_OP(I16x8GtU,  0xFD, 0x32, None, "i16x8.gt_u", V128, V128, _, V128, 0)
WASM_OP(I16x8LeS,  0xFD, 0x33, None, "i16x8.le_s", V128, V128, _, V128, 0)
WASM_OP(I16x8LeU,  0xFD, 0x34, None, "i16x8.le_u", V128, V128, _, V128, 0)
WASM_OP(I16x8GeS,  0xFD, 0x35, None, "i16x8.ge_s", V128, V128, _, V128, 0)
WASM_OP(I16x8GeU,  0xFD, 0x36, None, "i16x8.ge_u", V128, V128, _, V128, 0)
WASM_OP(I32x4Eq,   0xFD, 0x37, None, "i32x4.eq",   V128, V128, _, V128, 0)
WASM_OP(I32x4Ne,   0xFD, 0x38, None, "i32x4.ne",   V128, V128, _, V128, 0)
WASM_OP(I32x4LtS,  0xFD, 0x39, None, "i32x4.lt_s", V128, V128, _, V128, 0)
WASM_OP(I32x4LtU,  0xFD, 0x3A, None, "i32x4.lt_u", V128, V128, _, V128, 0)
WASM_OP(I32x4GtS,  0xFD, 0x3B, None, "i32x4.gt_s", V128, V128, _, V128, 0)
WASM_OP(I32x4GtU,  0xFD, 0x3C, None, "i32x4.gt_u", V128, V128, _, V128, 0)
WASM_OP(I32x4LeS,  0xFD, 0x3D, None, "i32x4.le_s", V128, V128, _, V128, 0)
WASM_OP(I32x4LeU,  0xFD, 0x3E, None, "i32x4.le_u", V128, V128, _, V128, 0)
WASM_OP(I32x4GeS,  0xFD, 0x3F, None, "i32x4.ge_s", V128, V128, _, V128, 0)
WASM_OP(I32x4GeU,  0xFD, 0x40, None, "i32x4.ge_u", V128, V128, _, V128, 0)
WASM_OP(F32x4Eq,   0xFD, 0x41, None, "f32x4.eq",   V128, V128, _, V128, 0)
WASM_OP(F32x4Ne,   0xFD, 0x42, None, "f32x4.ne",   V128, V128, _, V128, 0)
WASM_OP(F32x4Lt,   0xFD, 0x43, None, "f32x4.lt",   V128, V128, _, V128, 0)
WASM_OP(F32x4Gt,   0xFD, 0x44, None, "f32x4.gt",   V128, V128, _, V128, 0)
WASM_OP(F32x4Le,   0xFD, 0x45, None, "f32x4.le",   V128, V128, _, V128, 0)
WASM_OP(F32x4Ge,   0xFD, 0x46, None, "f32x4.ge",   V128, V128, _, V128, 0)
WASM_OP(F64x2Eq,   0xFD, 0x47, None, "f64x2.eq",   V128, V128, _, V128, 0)
WASM_OP(F64x2Ne,   0xFD, 0x48, None, "f64x2.ne",   V128, V128, _, V128, 0)
WASM_OP(F64x2Lt,   0xFD, 0x49, None, "f64x2.lt",   V128, V128, _, V128, 0)
WASM_OP(F64x2Gt,   0xFD, 0x4A, None, "f64x2.gt",   V128, V128, _, V128, 0)
WASM_OP(F64x2Le,   0xFD, 0x4B, None, "f64x2.le",   V128, V128, _, V128, 0)
WASM_OP(F64x2Ge,   0xFD, 0x4C, None, "f64x2.ge",   V128, V128, _, V128, 0)
WASM_OP(V128Not,       0xFD, 0x4D, None, "v128.not",       V128, _, _, V128, 0)
WASM_OP(V128And,       0xFD, 0x4E, None, "v128.and",       V128, V128, _, V128, 0)
WASM_OP(V128AndNot,    0xFD, 0x4F, None, "v128.andnot",    V128, V128, _, V128, 0)
WASM_OP(V128Or,        0xFD, 0x50, None, "v128.or",        V128, V128, _, V128, 0)
WASM_OP(V128Xor,       0xFD, 0x51, None, "v128.xor",       V128, V128, _, V128, 0)
WASM_OP(V128Bitselect, 0xFD, 0x52, None, "v128.bitselect", V128, V128, V128, V128, 0)
WASM_OP(V128AnyTrue,   0xFD, 0x53, None, "v128.any_true",  V128, _, _, I32, 0)
WASM_OP(V128Load8Lane,   0xFD, 0x54, MemArgLane, "v128.load8_lane",   I32, V128, _, V128, 1)
WASM_OP(V128Load16Lane,  0xFD, 0x55, MemArgLane, "v128.load16_lane",  I32, V128, _, V128, 2)
WASM_OP(V128Load32Lane,  0xFD, 0x56, MemArgLane, "v128.load32_lane",  I32, V128, _, V128, 4)
WASM_OP(V128Load64Lane,  0xFD, 0x57, MemArgLane, "v128.load64_lane",  I32, V128, _, V128, 8)
WASM_OP(V128Store8Lane,  0xFD, 0x58, MemArgLane, "v128.store8_lane",  I32, V128, _, _, 1)
WASM_OP(V128Store16Lane, 0xFD, 0x59, MemArgLane, "v128.store16_lane", I32, V128, _, _, 2)
WASM_OP(V128Store32Lane, 0xFD, 0x5A, MemArgLane, "v128.store32_lane", I32, V128, _, _, 4)
WASM_OP(V128Store64Lane, 0xFD, 0x5B, MemArgLane, "v128.store64_lane", I32, V128, _, _, 8)
WASM_OP(V128Load32Zero,  0xFD, 0x5C, MemArg,     "v128.load32_zero",  I32, _, _, V128, 4)
WASM_OP(V128Load64Zero,  0xFD, 0x5D, MemArg,     "v128.load64_zero",  I32, _, _, V128, 8)
WASM_OP(F32x4DemoteF64x2Zero, 0xFD, 0x5E, None, "f32x4.demote_f64x2_zero", V128, _, _, V128, 0)
WASM_OP(F64x2PromoteLowF32x4, 0xFD, 0x5F, None, "f64x2.promote_low_f32x4", V128, _, _, V128, 0)
WASM_OP(I8x16Abs,          0xFD, 0x60, None, "i8x16.abs",            V128, _, _, V128, 0)
WASM_OP(I8x16Neg,          0xFD, 0x61, None, "i8x16.neg",            V128, _, _, V128, 0)
WASM_OP(I8x16Popcnt,       0xFD, 0x62, None, "i8x16.popcnt",         V128, _, _, V128, 0)
WASM_OP(I8x16AllTrue,      0xFD, 0x63, None, "i8x16.all_true",       V128, _, _, I32, 0)
WASM_OP(I8x16Bitmask,      0xFD, 0x64, None, "i8x16.bitmask",        V128, _, _, I32, 0)
WASM_OP(I8x16NarrowI16x8S, 0xFD, 0x65, None, "i8x16.narrow_i16x8_s", V128, V128, _, V128, 0)
WASM_OP(I8x16NarrowI16x8U, 0xFD, 0x66, None, "i8x16.narrow_i16x8_u", V128, V128, _, V128, 0)
WASM_OP(F32x4Ceil,         0xFD, 0x67, None, "f32x4.ceil",           V128, _, _, V128, 0)
WASM_OP(F32x4Floor,        0xFD, 0x68, None, "f32x4.floor",          V128, _, _, V128, 0)
WASM_OP(F32x4Trunc,        0xFD, 0x69, None, "f32x4.trunc",          V128, _, _, V128, 0)
WASM_OP(F32x4Nearest,      0xFD, 0x6A, None, "f32x4.nearest",        V128, _, _, V128, 0)
WASM_OP(I8x16Shl,          0xFD, 0x6B, None, "i8x16.shl",            V128, I32, _, V128, 0)
WASM_OP(I8x16ShrS,         0xFD, 0x6C, None, "i8x16.shr_s",          V128, I32, _, V128, 0)
WASM_OP(I8x16ShrU,         0xFD, 0x6D, None, "i8x16.shr_u",          V128, I32, _, V128, 0)
WASM_OP(I8x16Add,          0xFD, 0x6E, None, "i8x16.add",            V128, V128, _, V128, 0)
WASM_OP(I8x16AddSatS,      0xFD, 0x6F, None, "i8x16.add_sat_s",      V128, V128, _, V128, 0)
WASM_OP(I8x16AddSatU,      0xFD, 0x70, None, "i8x16.add_sat_u",      V128, V128, _, V128, 0)
WASM_OP(I8x16Sub,          0xFD, 0x71, None, "i8x16.sub",            V128, V128, _, V128, 0)
WASM_OP(I8x16SubSatS,      0xFD, 0x72, None, "i8x16.sub_sat_s",      V128, V128, _, V128, 0)
WASM_OP(I8x16SubSatU,      0xFD, 0x73, None, "i8x16.sub_sat_u",      V128, V128, _, V128, 0)
WASM_OP(F64x2Ceil,         0xFD, 0x74, None, "f64x2.ceil",           V128, _, _, V128, 0)
WASM_OP(F64x2Floor,        0xFD, 0x75, None, "f64x2.floor",          V128, _, _, V128, 0)
WASM_OP(I8x16MinS,         0xFD, 0x76, None, "i8x16.min_s",          V128, V128, _, V128, 0)
WASM_OP(I8x16MinU,         0xFD, 0x77, None, "i8x16.min_u",          V128, V128, _, V128, 0)
WASM_OP(I8x16MaxS,         0xFD, 0x78, None, "i8x16.max_s",          V128, V128, _, V128, 0)
WASM_OP(I8x16MaxU,         0xFD, 0x79, None, "i8x16.max_u",          V128, V128, _, V128, 0)
WASM_OP(F64x2Trunc,        0xFD, 0x7A, None, "f64x2.trunc",          V128, _, _, V128, 0)
WASM_OP(I8x16AvgrU,        0xFD, 0x7B, None, "i8x16.avgr_u",         V128, V128, _, V128, 0)
WASM_OP(I16x8ExtaddPairwiseI8x16S, 0xFD, 0x7C, None, "i16x8.extadd_pairwise_i8x16_s", V128, _, _, V128, 0)
WASM_OP(I16x8ExtaddPairwiseI8x16U, 0xFD, 0x7D, None, "i16x8.extadd_pairwise_i8x16_u", V128, _, _, V128, 0)
WASM_OP(I32x4ExtaddPairwiseI16x8S, 0xFD, 0x7E, None, "i32x4.extadd_pairwise_i16x8_s", V128, _, _, V128, 0)
WASM_OP(I32x4ExtaddPairwiseI16x8U, 0xFD, 0x7F, None, "i32x4.extadd_pairwise_i16x8_u", V128, _, _, V128, 0)
WASM_OP(I16x8Abs,              0xFD, 0x80, None, "i16x8.abs",                V128, _, _, V128, 0)
WASM_OP(I16x8Neg,              0xFD, 0x81, None, "i16x8.neg",                V128, _, _, V128, 0)
WASM_OP(I16x8Q15mulrSatS,      0xFD, 0x82, None, "i16x8.q15mulr_sat_s",      V128, V128, _, V128, 0)
WASM_OP(I16x8AllTrue,          0xFD, 0x83, None, "i16x8.all_true",           V128, _, _, I32, 0)
WASM_OP(I16x8Bitmask,          0xFD, 0x84, None, "i16x8.bitmask",            V128, _, _, I32, 0)
WASM_OP(I16x8NarrowI32x4S,     0xFD, 0x85, None, "i16x8.narrow_i32x4_s",     V128, V128, _, V128, 0)
WASM_OP(I16x8NarrowI32x4U,     0xFD, 0x86, None, "i16x8.narrow_i32x4_u",     V128, V128, _, V128, 0)
WASM_OP(I16x8ExtendLowI8x16S,  0xFD, 0x87, None, "i16x8.extend_low_i8x16_s", V128, _, _, V128, 0)
WASM_OP(I16x8ExtendHighI8x16S, 0xFD, 0x88, None, "i16x8.extend_high_i8x16_s", V128, _, _, V128, 0)
WASM_OP(I16x8ExtendLowI8x16U,  0xFD, 0x89, None, "i16x8.extend_low_i8x16_u", V128, _, _, V128, 0)
WASM_OP(I16x8ExtendHighI8x16U, 0xFD, 0x8A, None, "i16x8.extend_high_i8x16_u", V128, _, _, V128, 0)
WASM_OP(I16x8Shl,              0xFD, 0x8B, None, "i16x8.shl",                V128, I32, _, V128, 0)
WASM_OP(I16x8ShrS,             0xFD, 0x8C, None, "i16x8.shr_s",              V128, I32, _, V128, 0)
WASM_OP(I16x8ShrU,             0xFD, 0x8D, None, "i16x8.shr_u",              V128, I32, _, V128, 0)
WASM_OP(I16x8Add,              0xFD, 0x8E, None, "i16x8.add",                V128, V128, _, V128, 0)
WASM_OP(I16x8AddSatS,          0xFD, 0x8F, None, "i16x8.add_sat_s",          V128, V128, _, V128, 0)
WASM_OP(I16x8AddSatU,          0xFD, 0x90, None, "i16x8.add_sat_u",          V128, V128, _, V128, 0)
WASM_OP(I16x8Sub,              0xFD, 0x91, None, "i16x8.sub",                V128, V128, _, V128, 0)
WASM_OP(I16x8SubSatS,          0xFD, 0x92, None, "i16x8.sub_sat_s",          V128, V128, _, V128, 0)
WASM_OP(I16x8SubSatU,          0xFD, 0x93, None, "i16x8.sub_sat_u",          V128, V128, _, V128, 0)
WASM_OP(F64x2Nearest,          0xFD, 0x94, None, "f64x2.nearest",            V128, _, _, V128, 0)
WASM_OP(I16x8Mul,              0xFD, 0x95, None, "i16x8.mul",                V128, V128, _, V128, 0)
WASM_OP(I16x8MinS,             0xFD, 0x96, None, "i16x8.min_s",              V128, V128, _, V128, 0)
WASM_OP(I16x8MinU,             0xFD, 0x97, None, "i16x8.min_u",              V128, V128, _, V128, 0)
WASM_OP(I16x8MaxS,             0xFD, 0x98, None, "i16x8.max_s",              V128, V128, _, V128, 0)
WASM_OP(I16x8MaxU,             0xFD, 0x99, None, "i16x8.max_u",              V128, V128, _, V128, 0)
WASM_OP(I16x8AvgrU,            0xFD, 0x9B, None, "i16x8.avgr_u",             V128, V128, _, V128, 0)
WASM_OP(I16x8ExtmulLowI8x16S,  0xFD, 0x9C, None, "i16x8.extmul_low_i8x16_s", V128, V128, _, V128, 0)
WASM_OP(I16x8ExtmulHighI8x16S, 0xFD, 0x9D, None, "i16x8.extmul_high_i8x16_s", V128, V128, _, V128, 0)
WASM_OP(I16x8ExtmulLowI8x16U,  0xFD, 0x9E, None, "i16x8.extmul_low_i8x16_u", V128, V128, _, V128, 0)
WASM_OP(I16x8ExtmulHighI8x16U, 0xFD, 0x9F, None, "i16x8.extmul_high_i8x16_u", V128, V128, _, V128, 0)
WASM_OP(I32x4Abs,              0xFD, 0xA0, None, "i32x4.abs",                V128, _, _, V128, 0)
WASM_OP(I32x4Neg,              0xFD, 0xA1, None, "i32x4.neg",                V128, _, _, V128, 0)
WASM_OP(I32x4AllTrue,          0xFD, 0xA3, None, "i32x4.all_true",           V128, _, _, I32, 0)
WASM_OP(I32x4Bitmask,          0xFD, 0xA4, None, "i32x4.bitmask",            V128, _, _, I32, 0)
WASM_OP(I32x4ExtendLowI16x8S,  0xFD, 0xA7, None, "i32x4.extend_low_i16x8_s", V128, _, _, V128, 0)
WASM_OP(I32x4ExtendHighI16x8S, 0xFD, 0xA8, None, "i32x4.extend_high_i16x8_s", V128, _, _, V128, 0)
WASM_OP(I32x4ExtendLowI16x8U,  0xFD, 0xA9, None, "i32x4.extend_low_i16x8_u", V128, _, _, V128, 0)
WASM_OP(I32x4ExtendHighI16x8U, 0xFD, 0xAA, None, "i32x4.extend_high_i16x8_u", V128, _, _, V128, 0)
WASM_OP(I32x4Shl,              0xFD, 0xAB, None, "i32x4.shl",                V128, I32, _, V128, 0)
WASM_OP(I32x4ShrS,             0xFD, 0xAC, None, "i32x4.shr_s",              V128, I32, _, V128, 0)
WASM_OP(I32x4ShrU,             0xFD, 0xAD, None, "i32x4.shr_u",              V128, I32, _, V128, 0)
WASM_OP(I32x4Add,              0xFD, 0xAE, None, "i32x4.add",                V128, V128, _, V128, 0)
WASM_OP(I32x4Sub,              0xFD, 0xB1, None, "i32x4.sub",                V128, V128, _, V128, 0)
WASM_OP(I32x4Mul,              0xFD, 0xB5, None, "i32x4.mul",                V128, V128, _, V128, 0)
WASM_OP(I32x4MinS,             0xFD, 0xB6, None, "i32x4.min_s",              V128, V128, _, V128, 0)
WASM_OP(I32x4MinU,             0xFD, 0xB7, None, "i32x4.min_u",              V128, V128, _, V128, 0)
WASM_OP(I32x4MaxS,             0xFD, 0xB8, None, "i32x4.max_s",              V128, V128, _, V128, 0)
WASM_OP(I32x4MaxU,             0xFD, 0xB9, None, "i32x4.max_u",              V128, V128, _, V128, 0)
WASM_OP(I32x4DotI16x8S,        0xFD, 0xBA, None, "i32x4.dot_i16x8_s",        V128, V128, _, V128, 0)
WASM_OP(I32x4ExtmulLowI16x8S,  0xFD, 0xBC, None, "i32x4.extmul_low_i16x8_s", V128, V128, _, V128, 0)
WASM_OP(I32x4ExtmulHighI16x8S, 0xFD, 0xBD, None, "i32x4.extmul_high_i16x8_s", V128, V128, _, V128, 0)
WASM_OP(I32x4ExtmulLowI16x8U,  0xFD, 0xBE, None, "i32x4.extmul_low_i16x8_u", V128, V128, _, V128, 0)
WASM_OP(I32x4ExtmulHighI16x8U, 0xFD, 0xBF, None, "i32x4.extmul_high_i16x8_u", V128, V128, _, V128, 0)
WASM_OP(I64x2Abs,              0xFD, 0xC0, None, "i64x2.abs",                V128, _, _, V128, 0)
WASM_OP(I64x2Neg,              0xFD, 0xC1, None, "i64x2.neg",                V128, _, _, V128, 0)
WASM_OP(I64x2AllTrue,          0xFD, 0xC3, None, "i64x2.all_true",           V128, _, _, I32, 0)
WASM_OP(I64x2Bitmask,          0xFD, 0xC4, None, "i64x2.bitmask",            V128, _, _, I32, 0)
WASM_OP(I64x2ExtendLowI32x4S,  0xFD, 0xC7, None, "i64x2.extend_low_i32x4_s", V128, _, _, V128, 0)
WASM_OP(I64x2ExtendHighI32x4S, 0xFD, 0xC8, None, "i64x2.extend_high_i32x4_s", V128, _, _, V128, 0)
WASM_OP(I64x2ExtendLowI32x4U,  0xFD, 0xC9, None, "i64x2.extend_low_i32x4_u", V128, _, _, V128, 0)
WASM_OP(I64x2ExtendHighI32x4U, 0xFD, 0xCA, None, "i64x2.extend_high_i32x4_u", V128, _, _, V128, 0)
WASM_OP(I64x2Shl,              0xFD, 0xCB, None, "i64x2.shl",                V128, I32, _, V128, 0)
WASM_OP(I64x2ShrS,             0xFD, 0xCC, None, "i64x2.shr_s",              V128, I32, _, V128, 0)
WASM_OP(I64x2ShrU,             0xFD, 0xCD, None, "i64x2.shr_u",              V128, I32, _, V128, 0)
WASM_OP(I64x2Add,              0xFD, 0xCE, None, "i64x2.add",                V128, V128, _, V128, 0)
WASM_OP(I64x2Sub,              0xFD, 0xD1, None, "i64x2.sub",                V128, V128, _, V128, 0)
WASM_OP(I64x2Mul,              0xFD, 0xD5, None, "i64x2.mul",                V128, V128, _, V128, 0)
WASM_OP(I64x2Eq,               0xFD, 0xD6, None, "i64x2.eq",                 V128, V128, _, V128, 0)
WASM_OP(I64x2Ne,               0xFD, 0xD7, None, "i64x2.ne",                 V128, V128, _, V128, 0)
WASM_OP(I64x2LtS,              0xFD, 0xD8, None, "i64x2.lt_s",               V128, V128, _, V128, 0)
WASM_OP(I64x2GtS,              0xFD, 0xD9, None, "i64x2.gt_s",               V128, V128, _, V128, 0)
WASM_OP(I64x2LeS,              0xFD, 0xDA, None, "i64x2.le_s",               V128, V128, _, V128, 0)
WASM_OP(I64x2GeS,              0xFD, 0xDB, None, "i64x2.ge_s",               V128, V128, _, V128, 0)
WASM_OP(I64x2ExtmulLowI32x4S,  0xFD, 0xDC, None, "i64x2.extmul_low_i32x4_s", V128, V128, _, V128, 0)
WASM_OP(I64x2ExtmulHighI32x4S, 0xFD, 0xDD, None, "i64x2.extmul_high_i32x4_s", V128, V128, _, V128, 0)
WASM_OP(I64x2ExtmulLowI32x4U,  0xFD, 0xDE, None, "i64x2.extmul_low_i32x4_u", V128, V128, _, V128, 0)
WASM_OP(I64x2ExtmulHighI32x4U, 0xFD, 0xDF, None, "i64x2.extmul_high_i32x4_u", V128, V128, _, V128, 0)
WASM_OP(F32x4Abs,   0xFD, 0xE0, None, "f32x4.abs",   V128, _, _, V128, 0)
WASM_OP(F32x4Neg,   0xFD, 0xE1, None, "f32x4.neg",   V128, _, _, V128, 0)
WASM_OP(F32x4Sqrt,  0xFD, 0xE3, None, "f32x4.sqrt",  V128, _, _, V128, 0)
WASM_OP(F32x4Add,   0xFD, 0xE4, None, "f32x4.add",   V128, V128, _, V128, 0)
WASM_OP(F32x4Sub,   0xFD, 0xE5, None, "f32x4.sub",   V128, V128, _, V128, 0)
WASM_OP(F32x4Mul,   0xFD, 0xE6, None, "f32x4.mul",   V128, V128, _, V128, 0)
WASM_OP(F32x4Div,   0xFD, 0xE7, None, "f32x4.div",   V128, V128, _, V128, 0)
WASM_OP(F32x4Min,   0xFD, 0xE8, None, "f32x4.min",   V128, V128, _, V128, 0)
WASM_OP(F32x4Max,   0xFD, 0xE9, None, "f32x4.max",   V128, V128, _, V128, 0)
WASM_OP(F32x4Pmin,  0xFD, 0xEA, None, "f32x4.pmin",  V128, V128, _, V128, 0)
WASM_OP(F32x4Pmax,  0xFD, 0xEB, None, "f32x4.pmax",  V128, V128, _, V128, 0)
WASM_OP(F64x2Abs,   0xFD, 0xEC, None, "f64x2.abs",   V128, _, _, V128, 0)
WASM_OP(F64x2Neg,   0xFD, 0xED, None, "f64x2.neg",   V128, _, _, V128, 0)
WASM_OP(F64x2Sqrt,  0xFD, 0xEF, None, "f64x2.sqrt",  V128, _, _, V128, 0)
WASM_OP(F64x2Add,   0xFD, 0xF0, None, "f64x2.add",   V128, V128, _, V128, 0)
WASM_OP(F64x2Sub,   0xFD, 0xF1, None, "f64x2.sub",   V128, V128, _, V128, 0)
WASM_OP(F64x2Mul,   0xFD, 0xF2, None, "f64x2.mul",   V128, V128, _, V128, 0)
WASM_OP(F64x2Div,   0xFD, 0xF3, None, "f64x2.div",   V128, V128, _, V128, 0)
WASM_OP(F64x2Min,   0xFD, 0xF4, None, "f64x2.min",   V128, V128, _, V128, 0)
WASM_OP(F64x2Max,   0xFD, 0xF5, None, "f64x2.max",   V128, V128, _, V128, 0)
WASM_OP(F64x2Pmin,  0xFD, 0xF6, None, "f64x2.pmin",  V128, V128, _, V128, 0)
WASM_OP(F64x2Pmax,  0xFD, 0xF7, None, "f64x2.pmax",  V128, V128, _, V128, 0)
WASM_OP(I32x4TruncSatF32x4S,     0xFD, 0xF8, None, "i32x4.trunc_sat_f32x4_s",      V128, _, _, V128, 0)
WASM_OP(I32x4TruncSatF32x4U,     0xFD, 0xF9, None, "i32x4.trunc_sat_f32x4_u",      V128, _, _, V128, 0)
WASM_OP(F32x4ConvertI32x4S,      0xFD, 0xFA, None, "f32x4.convert_i32x4_s",        V128, _, _, V128, 0)
WASM_OP(F32x4ConvertI32x4U,      0xFD, 0xFB, None, "f32x4.convert_i32x4_u",        V128, _, _, V128, 0)
WASM_OP(I32x4TruncSatF64x2SZero, 0xFD, 0xFC, None, "i32x4.trunc_sat_f64x2_s_zero", V128, _, _, V128, 0)
WASM_OP(I32x4TruncSatF64x2UZero, 0xFD, 0xFD, None, "i32x4.trunc_sat_f64x2_u_zero", V128, _, _, V128, 0)
WASM_OP(F64x2ConvertLowI32x4S,   0xFD, 0xFE, None, "f64x2.convert_low_i32x4_s",    V128, _, _, V128, 0)
WASM_OP(F64x2ConvertLowI32x4U,   0xFD, 0xFF, None, "f64x2.convert_low_i32x4_u",    V128, _, _, V128, 0)

// Exceptions (legacy try/catch/delegate/rethrow and try_table/throw_ref); gated by Features::exceptions
WASM_OP(Try, 0, 0x6, BlockType, "try", Special, _, _, _, 0)
WASM_OP(Catch, 0, 0x7, Tag, "catch", Special, _, _, _, 0)
WASM_OP(Throw, 0, 0x8, Tag, "throw", Special, _, _, _, 0)
WASM_OP(Rethrow, 0, 0x9, Label, "rethrow", Special, _, _, _, 0)
WASM_OP(ThrowRef, 0, 0xa, None, "throw_ref", Special, _, _, _, 0)
WASM_OP(Delegate, 0, 0x18, Label, "delegate", Special, _, _, _, 0)
WASM_OP(CatchAll, 0, 0x19, None, "catch_all", Special, _, _, _, 0)
WASM_OP(TryTable, 0, 0x1f, TryTable, "try_table", Special, _, _, _, 0)

// Typed function references; gated by Features::function_references
WASM_OP(CallRef, 0, 0x14, TypeIdx, "call_ref", Special, _, _, _, 0)
WASM_OP(ReturnCallRef, 0, 0x15, TypeIdx, "return_call_ref", Special, _, _, _, 0)
WASM_OP(RefAsNonNull, 0, 0xd4, None, "ref.as_non_null", Special, _, _, _, 0)
WASM_OP(BrOnNull, 0, 0xd5, Label, "br_on_null", Special, _, _, _, 0)
WASM_OP(BrOnNonNull, 0, 0xd6, Label, "br_on_non_null", Special, _, _, _, 0)

// GC (0xFB prefix and ref.eq); gated by Features::gc. ref.test/ref.cast have a nullable form
// under the same text name (the text encoder picks by the reference type's nullability).
WASM_OP(RefEq, 0, 0xd3, None, "ref.eq", Special, _, _, _, 0)
WASM_OP(StructNew, 0xFB, 0x0, TypeIdx, "struct.new", Special, _, _, _, 0)
WASM_OP(StructNewDefault, 0xFB, 0x1, TypeIdx, "struct.new_default", Special, _, _, _, 0)
WASM_OP(StructGet, 0xFB, 0x2, TypeField, "struct.get", Special, _, _, _, 0)
WASM_OP(StructGetS, 0xFB, 0x3, TypeField, "struct.get_s", Special, _, _, _, 0)
WASM_OP(StructGetU, 0xFB, 0x4, TypeField, "struct.get_u", Special, _, _, _, 0)
WASM_OP(StructSet, 0xFB, 0x5, TypeField, "struct.set", Special, _, _, _, 0)
WASM_OP(ArrayNew, 0xFB, 0x6, TypeIdx, "array.new", Special, _, _, _, 0)
WASM_OP(ArrayNewDefault, 0xFB, 0x7, TypeIdx, "array.new_default", Special, _, _, _, 0)
WASM_OP(ArrayNewFixed, 0xFB, 0x8, TypeCount, "array.new_fixed", Special, _, _, _, 0)
WASM_OP(ArrayNewData, 0xFB, 0x9, TypeData, "array.new_data", Special, _, _, _, 0)
WASM_OP(ArrayNewElem, 0xFB, 0xa, TypeElem, "array.new_elem", Special, _, _, _, 0)
WASM_OP(ArrayGet, 0xFB, 0xb, TypeIdx, "array.get", Special, _, _, _, 0)
WASM_OP(ArrayGetS, 0xFB, 0xc, TypeIdx, "array.get_s", Special, _, _, _, 0)
WASM_OP(ArrayGetU, 0xFB, 0xd, TypeIdx, "array.get_u", Special, _, _, _, 0)
WASM_OP(ArraySet, 0xFB, 0xe, TypeIdx, "array.set", Special, _, _, _, 0)
WASM_OP(ArrayLen, 0xFB, 0xf, None, "array.len", Special, _, _, _, 0)
WASM_OP(ArrayFill, 0xFB, 0x10, TypeIdx, "array.fill", Special, _, _, _, 0)
WASM_OP(ArrayCopy, 0xFB, 0x11, TypeType, "array.copy", Special, _, _, _, 0)
WASM_OP(ArrayInitData, 0xFB, 0x12, TypeData, "array.init_data", Special, _, _, _, 0)
WASM_OP(ArrayInitElem, 0xFB, 0x13, TypeElem, "array.init_elem", Special, _, _, _, 0)
WASM_OP(RefTest, 0xFB, 0x14, HeapType, "ref.test", Special, _, _, _, 0)
WASM_OP(RefTestNull, 0xFB, 0x15, HeapType, "ref.test", Special, _, _, _, 0)
WASM_OP(RefCast, 0xFB, 0x16, HeapType, "ref.cast", Special, _, _, _, 0)
WASM_OP(RefCastNull, 0xFB, 0x17, HeapType, "ref.cast", Special, _, _, _, 0)
WASM_OP(BrOnCast, 0xFB, 0x18, BrOnCast, "br_on_cast", Special, _, _, _, 0)
WASM_OP(BrOnCastFail, 0xFB, 0x19, BrOnCast, "br_on_cast_fail", Special, _, _, _, 0)
WASM_OP(AnyConvertExtern, 0xFB, 0x1a, None, "any.convert_extern", Special, _, _, _, 0)
WASM_OP(ExternConvertAny, 0xFB, 0x1b, None, "extern.convert_any", Special, _, _, _, 0)
WASM_OP(RefI31, 0xFB, 0x1c, None, "ref.i31", Special, _, _, _, 0)
WASM_OP(I31GetS, 0xFB, 0x1d, None, "i31.get_s", Special, _, _, _, 0)
WASM_OP(I31GetU, 0xFB, 0x1e, None, "i31.get_u", Special, _, _, _, 0)

// Wide arithmetic; gated by Features::wide_arithmetic
WASM_OP(I64Add128, 0xFC, 0x13, None, "i64.add128", Special, _, _, _, 0)
WASM_OP(I64Sub128, 0xFC, 0x14, None, "i64.sub128", Special, _, _, _, 0)
WASM_OP(I64MulWideS, 0xFC, 0x15, None, "i64.mul_wide_s", Special, _, _, _, 0)
WASM_OP(I64MulWideU, 0xFC, 0x16, None, "i64.mul_wide_u", Special, _, _, _, 0)

// Relaxed SIMD (0xFD 0x100..); gated by Features::relaxed_simd
WASM_OP(I8x16RelaxedSwizzle, 0xFD, 0x100, None, "i8x16.relaxed_swizzle", V128, V128, _, V128, 0)
WASM_OP(I32x4RelaxedTruncF32x4S, 0xFD, 0x101, None, "i32x4.relaxed_trunc_f32x4_s", V128, _, _, V128, 0)
WASM_OP(I32x4RelaxedTruncF32x4U, 0xFD, 0x102, None, "i32x4.relaxed_trunc_f32x4_u", V128, _, _, V128, 0)
WASM_OP(I32x4RelaxedTruncF64x2SZero, 0xFD, 0x103, None, "i32x4.relaxed_trunc_f64x2_s_zero", V128, _, _, V128, 0)
WASM_OP(I32x4RelaxedTruncF64x2UZero, 0xFD, 0x104, None, "i32x4.relaxed_trunc_f64x2_u_zero", V128, _, _, V128, 0)
WASM_OP(F32x4RelaxedMadd, 0xFD, 0x105, None, "f32x4.relaxed_madd", V128, V128, V128, V128, 0)
WASM_OP(F32x4RelaxedNmadd, 0xFD, 0x106, None, "f32x4.relaxed_nmadd", V128, V128, V128, V128, 0)
WASM_OP(F64x2RelaxedMadd, 0xFD, 0x107, None, "f64x2.relaxed_madd", V128, V128, V128, V128, 0)
WASM_OP(F64x2RelaxedNmadd, 0xFD, 0x108, None, "f64x2.relaxed_nmadd", V128, V128, V128, V128, 0)
WASM_OP(I8x16RelaxedLaneselect, 0xFD, 0x109, None, "i8x16.relaxed_laneselect", V128, V128, V128, V128, 0)
WASM_OP(I16x8RelaxedLaneselect, 0xFD, 0x10a, None, "i16x8.relaxed_laneselect", V128, V128, V128, V128, 0)
WASM_OP(I32x4RelaxedLaneselect, 0xFD, 0x10b, None, "i32x4.relaxed_laneselect", V128, V128, V128, V128, 0)
WASM_OP(I64x2RelaxedLaneselect, 0xFD, 0x10c, None, "i64x2.relaxed_laneselect", V128, V128, V128, V128, 0)
WASM_OP(F32x4RelaxedMin, 0xFD, 0x10d, None, "f32x4.relaxed_min", V128, V128, _, V128, 0)
WASM_OP(F32x4RelaxedMax, 0xFD, 0x10e, None, "f32x4.relaxed_max", V128, V128, _, V128, 0)
WASM_OP(F64x2RelaxedMin, 0xFD, 0x10f, None, "f64x2.relaxed_min", V128, V128, _, V128, 0)
WASM_OP(F64x2RelaxedMax, 0xFD, 0x110, None, "f64x2.relaxed_max", V128, V128, _, V128, 0)
WASM_OP(I16x8RelaxedQ15mulrS, 0xFD, 0x111, None, "i16x8.relaxed_q15mulr_s", V128, V128, _, V128, 0)
WASM_OP(I16x8RelaxedDotI8x16I7x16S, 0xFD, 0x112, None, "i16x8.relaxed_dot_i8x16_i7x16_s", V128, V128, _, V128, 0)
WASM_OP(I32x4RelaxedDotI8x16I7x16AddS, 0xFD, 0x113, None, "i32x4.relaxed_dot_i8x16_i7x16_add_s", V128, V128, V128, V128, 0)

// Threads (0xFE prefix); gated by Features::threads
WASM_OP(MemoryAtomicNotify, 0xFE, 0x0, MemArg, "memory.atomic.notify", I32, I32, _, I32, 4)
WASM_OP(MemoryAtomicWait32, 0xFE, 0x1, MemArg, "memory.atomic.wait32", I32, I32, I64, I32, 4)
WASM_OP(MemoryAtomicWait64, 0xFE, 0x2, MemArg, "memory.atomic.wait64", I32, I64, I64, I32, 8)
WASM_OP(AtomicFence, 0xFE, 0x3, ZeroByte, "atomic.fence", _, _, _, _, 0)
WASM_OP(I32AtomicLoad, 0xFE, 0x10, MemArg, "i32.atomic.load", I32, _, _, I32, 4)
WASM_OP(I64AtomicLoad, 0xFE, 0x11, MemArg, "i64.atomic.load", I32, _, _, I64, 8)
WASM_OP(I32AtomicLoad8U, 0xFE, 0x12, MemArg, "i32.atomic.load8_u", I32, _, _, I32, 1)
WASM_OP(I32AtomicLoad16U, 0xFE, 0x13, MemArg, "i32.atomic.load16_u", I32, _, _, I32, 2)
WASM_OP(I64AtomicLoad8U, 0xFE, 0x14, MemArg, "i64.atomic.load8_u", I32, _, _, I64, 1)
WASM_OP(I64AtomicLoad16U, 0xFE, 0x15, MemArg, "i64.atomic.load16_u", I32, _, _, I64, 2)
WASM_OP(I64AtomicLoad32U, 0xFE, 0x16, MemArg, "i64.atomic.load32_u", I32, _, _, I64, 4)
WASM_OP(I32AtomicStore, 0xFE, 0x17, MemArg, "i32.atomic.store", I32, I32, _, _, 4)
WASM_OP(I64AtomicStore, 0xFE, 0x18, MemArg, "i64.atomic.store", I32, I64, _, _, 8)
WASM_OP(I32AtomicStore8U, 0xFE, 0x19, MemArg, "i32.atomic.store8", I32, I32, _, _, 1)
WASM_OP(I32AtomicStore16U, 0xFE, 0x1a, MemArg, "i32.atomic.store16", I32, I32, _, _, 2)
WASM_OP(I64AtomicStore8U, 0xFE, 0x1b, MemArg, "i64.atomic.store8", I32, I64, _, _, 1)
WASM_OP(I64AtomicStore16U, 0xFE, 0x1c, MemArg, "i64.atomic.store16", I32, I64, _, _, 2)
WASM_OP(I64AtomicStore32U, 0xFE, 0x1d, MemArg, "i64.atomic.store32", I32, I64, _, _, 4)
WASM_OP(I32AtomicRmwAdd, 0xFE, 0x1e, MemArg, "i32.atomic.rmw.add", I32, I32, _, I32, 4)
WASM_OP(I64AtomicRmwAdd, 0xFE, 0x1f, MemArg, "i64.atomic.rmw.add", I32, I64, _, I64, 8)
WASM_OP(I32AtomicRmw8AddU, 0xFE, 0x20, MemArg, "i32.atomic.rmw8.add_u", I32, I32, _, I32, 1)
WASM_OP(I32AtomicRmw16AddU, 0xFE, 0x21, MemArg, "i32.atomic.rmw16.add_u", I32, I32, _, I32, 2)
WASM_OP(I64AtomicRmw8AddU, 0xFE, 0x22, MemArg, "i64.atomic.rmw8.add_u", I32, I64, _, I64, 1)
WASM_OP(I64AtomicRmw16AddU, 0xFE, 0x23, MemArg, "i64.atomic.rmw16.add_u", I32, I64, _, I64, 2)
WASM_OP(I64AtomicRmw32AddU, 0xFE, 0x24, MemArg, "i64.atomic.rmw32.add_u", I32, I64, _, I64, 4)
WASM_OP(I32AtomicRmwSub, 0xFE, 0x25, MemArg, "i32.atomic.rmw.sub", I32, I32, _, I32, 4)
WASM_OP(I64AtomicRmwSub, 0xFE, 0x26, MemArg, "i64.atomic.rmw.sub", I32, I64, _, I64, 8)
WASM_OP(I32AtomicRmw8SubU, 0xFE, 0x27, MemArg, "i32.atomic.rmw8.sub_u", I32, I32, _, I32, 1)
WASM_OP(I32AtomicRmw16SubU, 0xFE, 0x28, MemArg, "i32.atomic.rmw16.sub_u", I32, I32, _, I32, 2)
WASM_OP(I64AtomicRmw8SubU, 0xFE, 0x29, MemArg, "i64.atomic.rmw8.sub_u", I32, I64, _, I64, 1)
WASM_OP(I64AtomicRmw16SubU, 0xFE, 0x2a, MemArg, "i64.atomic.rmw16.sub_u", I32, I64, _, I64, 2)
WASM_OP(I64AtomicRmw32SubU, 0xFE, 0x2b, MemArg, "i64.atomic.rmw32.sub_u", I32, I64, _, I64, 4)
WASM_OP(I32AtomicRmwAnd, 0xFE, 0x2c, MemArg, "i32.atomic.rmw.and", I32, I32, _, I32, 4)
WASM_OP(I64AtomicRmwAnd, 0xFE, 0x2d, MemArg, "i64.atomic.rmw.and", I32, I64, _, I64, 8)
WASM_OP(I32AtomicRmw8AndU, 0xFE, 0x2e, MemArg, "i32.atomic.rmw8.and_u", I32, I32, _, I32, 1)
WASM_OP(I32AtomicRmw16AndU, 0xFE, 0x2f, MemArg, "i32.atomic.rmw16.and_u", I32, I32, _, I32, 2)
WASM_OP(I64AtomicRmw8AndU, 0xFE, 0x30, MemArg, "i64.atomic.rmw8.and_u", I32, I64, _, I64, 1)
WASM_OP(I64AtomicRmw16AndU, 0xFE, 0x31, MemArg, "i64.atomic.rmw16.and_u", I32, I64, _, I64, 2)
WASM_OP(I64AtomicRmw32AndU, 0xFE, 0x32, MemArg, "i64.atomic.rmw32.and_u", I32, I64, _, I64, 4)
WASM_OP(I32AtomicRmwOr, 0xFE, 0x33, MemArg, "i32.atomic.rmw.or", I32, I32, _, I32, 4)
WASM_OP(I64AtomicRmwOr, 0xFE, 0x34, MemArg, "i64.atomic.rmw.or", I32, I64, _, I64, 8)
WASM_OP(I32AtomicRmw8OrU, 0xFE, 0x35, MemArg, "i32.atomic.rmw8.or_u", I32, I32, _, I32, 1)
WASM_OP(I32AtomicRmw16OrU, 0xFE, 0x36, MemArg, "i32.atomic.rmw16.or_u", I32, I32, _, I32, 2)
WASM_OP(I64AtomicRmw8OrU, 0xFE, 0x37, MemArg, "i64.atomic.rmw8.or_u", I32, I64, _, I64, 1)
WASM_OP(I64AtomicRmw16OrU, 0xFE, 0x38, MemArg, "i64.atomic.rmw16.or_u", I32, I64, _, I64, 2)
WASM_OP(I64AtomicRmw32OrU, 0xFE, 0x39, MemArg, "i64.atomic.rmw32.or_u", I32, I64, _, I64, 4)
WASM_OP(I32AtomicRmwXor, 0xFE, 0x3a, MemArg, "i32.atomic.rmw.xor", I32, I32, _, I32, 4)
WASM_OP(I64AtomicRmwXor, 0xFE, 0x3b, MemArg, "i64.atomic.rmw.xor", I32, I64, _, I64, 8)
WASM_OP(I32AtomicRmw8XorU, 0xFE, 0x3c, MemArg, "i32.atomic.rmw8.xor_u", I32, I32, _, I32, 1)
WASM_OP(I32AtomicRmw16XorU, 0xFE, 0x3d, MemArg, "i32.atomic.rmw16.xor_u", I32, I32, _, I32, 2)
WASM_OP(I64AtomicRmw8XorU, 0xFE, 0x3e, MemArg, "i64.atomic.rmw8.xor_u", I32, I64, _, I64, 1)
WASM_OP(I64AtomicRmw16XorU, 0xFE, 0x3f, MemArg, "i64.atomic.rmw16.xor_u", I32, I64, _, I64, 2)
WASM_OP(I64AtomicRmw32XorU, 0xFE, 0x40, MemArg, "i64.atomic.rmw32.xor_u", I32, I64, _, I64, 4)
WASM_OP(I32AtomicRmwXchg, 0xFE, 0x41, MemArg, "i32.atomic.rmw.xchg", I32, I32, _, I32, 4)
WASM_OP(I64AtomicRmwXchg, 0xFE, 0x42, MemArg, "i64.atomic.rmw.xchg", I32, I64, _, I64, 8)
WASM_OP(I32AtomicRmw8XchgU, 0xFE, 0x43, MemArg, "i32.atomic.rmw8.xchg_u", I32, I32, _, I32, 1)
WASM_OP(I32AtomicRmw16XchgU, 0xFE, 0x44, MemArg, "i32.atomic.rmw16.xchg_u", I32, I32, _, I32, 2)
WASM_OP(I64AtomicRmw8XchgU, 0xFE, 0x45, MemArg, "i64.atomic.rmw8.xchg_u", I32, I64, _, I64, 1)
WASM_OP(I64AtomicRmw16XchgU, 0xFE, 0x46, MemArg, "i64.atomic.rmw16.xchg_u", I32, I64, _, I64, 2)
WASM_OP(I64AtomicRmw32XchgU, 0xFE, 0x47, MemArg, "i64.atomic.rmw32.xchg_u", I32, I64, _, I64, 4)
WASM_OP(I32AtomicRmwCmpxchg, 0xFE, 0x48, MemArg, "i32.atomic.rmw.cmpxchg", I32, I32, I32, I32, 4)
WASM_OP(I64AtomicRmwCmpxchg, 0xFE, 0x49, MemArg, "i64.atomic.rmw.cmpxchg", I32, I64, I64, I64, 8)
WASM_OP(I32AtomicRmw8CmpxchgU, 0xFE, 0x4a, MemArg, "i32.atomic.rmw8.cmpxchg_u", I32, I32, I32, I32, 1)
WASM_OP(I32AtomicRmw16CmpxchgU, 0xFE, 0x4b, MemArg, "i32.atomic.rmw16.cmpxchg_u", I32, I32, I32, I32, 2)
WASM_OP(I64AtomicRmw8CmpxchgU, 0xFE, 0x4c, MemArg, "i64.atomic.rmw8.cmpxchg_u", I32, I64, I64, I64, 1)
WASM_OP(I64AtomicRmw16CmpxchgU, 0xFE, 0x4d, MemArg, "i64.atomic.rmw16.cmpxchg_u", I32, I64, I64, I64, 2)
WASM_OP(I64AtomicRmw32CmpxchgU, 0xFE, 0x4e, MemArg, "i64.atomic.rmw32.cmpxchg_u", I32, I64, I64, I64, 4)

// clang-format on
// ---- end include/wasm/detail/binary/opcodes.def ----
#undef WASM_OP
};

inline constexpr size_t kOpCount = sizeof(kOpInfo) / sizeof(kOpInfo[0]);

constexpr const OpInfo& op_info(Op op) { return kOpInfo[size_t(op)]; }
constexpr const char* op_name(Op op) { return op_info(op).text; }

// Byte-to-opcode maps for the opcode spaces (plain, 0xFB, 0xFC, 0xFD, 0xFE). 0xFFFF marks an unassigned code.
struct OpcodeMaps {
  std::array<uint16_t, 256> plain{};
  std::array<uint16_t, 32> fb{};
  std::array<uint16_t, 32> fc{};
  std::array<uint16_t, 0x120> fd{};
  std::array<uint16_t, 0x50> fe{};
};

constexpr OpcodeMaps make_opcode_maps() {
  OpcodeMaps maps;
  for (auto& v : maps.plain) v = 0xFFFF;
  for (auto& v : maps.fb) v = 0xFFFF;
  for (auto& v : maps.fc) v = 0xFFFF;
  for (auto& v : maps.fd) v = 0xFFFF;
  for (auto& v : maps.fe) v = 0xFFFF;
  for (size_t i = 0; i < kOpCount; ++i) {
    const OpInfo& info = kOpInfo[i];
    if (info.prefix == 0) maps.plain[info.code] = uint16_t(i);
    else if (info.prefix == 0xFB) maps.fb[info.code] = uint16_t(i);
    else if (info.prefix == 0xFC) maps.fc[info.code] = uint16_t(i);
    else if (info.prefix == 0xFD) maps.fd[info.code] = uint16_t(i);
    else maps.fe[info.code] = uint16_t(i);
  }
  return maps;
}

inline constexpr OpcodeMaps kOpcodeMaps = make_opcode_maps();

// Looks up an opcode by its prefix byte (0 for none) and code.
constexpr std::optional<Op> lookup_opcode(uint8_t prefix, uint32_t code) {
  uint16_t index = 0xFFFF;
  if (prefix == 0 && code < 256) index = kOpcodeMaps.plain[code];
  else if (prefix == 0xFB && code < kOpcodeMaps.fb.size()) index = kOpcodeMaps.fb[code];
  else if (prefix == 0xFC && code < kOpcodeMaps.fc.size()) index = kOpcodeMaps.fc[code];
  else if (prefix == 0xFD && code < kOpcodeMaps.fd.size()) index = kOpcodeMaps.fd[code];
  else if (prefix == 0xFE && code < kOpcodeMaps.fe.size()) index = kOpcodeMaps.fe[code];
  if (index == 0xFFFF) return std::nullopt;
  return Op(index);
}

constexpr bool is_prefix_byte(uint8_t b) { return b == 0xFB || b == 0xFC || b == 0xFD || b == 0xFE; }

}  // namespace wasm::detail
// ---- end include/wasm/detail/binary/opcodes.hpp ----

namespace wasm::detail {

struct BlockType {
  enum class Kind : uint8_t { Empty, Value, TypeIndex };
  Kind kind = Kind::Empty;
  ValType value = ValType::I32;  // when Kind::Value
  uint32_t type_index = 0;       // when Kind::TypeIndex
};

struct MemArg {
  uint32_t align_log2 = 0;
  uint32_t memory = 0;
  uint64_t offset = 0;
};

// One decoded instruction. Only the fields named by the opcode's Imm kind are meaningful.
struct Instruction {
  Op op = Op::Nop;
  uint32_t offset = 0;  // module offset of the opcode's first byte
  BlockType block;
  uint32_t index = 0;   // label, function, type, local, global, table, memory, data or element
  uint32_t index2 = 0;  // call_indirect table; memory.copy/table.copy source; table.init table
  MemArg mem;
  uint8_t lane = 0;
  ValType type = ValType::I32;  // ref.null heap type; typed select's type
  uint32_t select_type_count = 0;
  uint64_t bits = 0;  // i32/i64 value (sign-extended), f32/f64 bit pattern
  int64_t heap = 0;    // ref.test/ref.cast/br_on_cast heap type (s33: type index or negative code)
  int64_t heap2 = 0;   // br_on_cast target heap type
  uint8_t flags = 0;   // br_on_cast nullability flags
  std::array<uint8_t, 16> v128{};  // v128.const bytes or shuffle lanes
  // br_table targets (the default label is in `index`); owned by the reader and reused.
  const std::vector<uint32_t>* targets = nullptr;
  // try_table catch clauses; owned by the reader and reused.
  struct Catch {
    uint8_t kind = 0;  // 0 catch, 1 catch_ref, 2 catch_all, 3 catch_all_ref
    uint32_t tag = 0;
    uint32_t label = 0;
  };
  const std::vector<Catch>* catches = nullptr;

  const OpInfo& info() const { return op_info(op); }
  int32_t i32() const { return int32_t(uint32_t(bits)); }
  int64_t i64() const { return int64_t(bits); }
};

// Reads instructions one at a time. Errors are recorded in the underlying Reader with the
// binary format's messages ("illegal opcode", "zero byte expected", ...).
class InstructionReader {
 public:
  InstructionReader(Reader& reader, const Features& features) : r_(reader), features_(features) {}

  // Decodes the next instruction into `out`. Returns false on error (see reader().error()).
  bool next(Instruction& out) {
    out.offset = uint32_t(r_.offset());
    uint8_t byte = r_.u8();
    if (!r_.ok()) return false;
    std::optional<Op> op;
    uint8_t prefix = 0;
    uint32_t code = byte;
    if (is_prefix_byte(byte)) {
      prefix = byte;
      code = r_.u32();
      if (!r_.ok()) return false;
    }
    op = lookup_opcode(prefix, code);
    if (!op || !enabled(*op)) {
      r_.fail_at(out.offset, "illegal opcode");
      return false;
    }
    out.op = *op;
    read_immediates(out);
    return r_.ok();
  }

  Reader& reader() { return r_; }

 private:
  // Post-2.0 opcodes are refused ("illegal opcode") unless their feature is on.
  bool enabled(Op op) const {
    switch (op) {
      case Op::ReturnCall:
      case Op::ReturnCallIndirect: return features_.tail_call;
      case Op::Try: case Op::Catch: case Op::Throw: case Op::Rethrow: case Op::ThrowRef:
      case Op::Delegate: case Op::CatchAll: case Op::TryTable: return features_.exceptions;
      case Op::CallRef: case Op::RefAsNonNull: case Op::BrOnNull: case Op::BrOnNonNull:
        return features_.function_references || features_.gc;
      case Op::ReturnCallRef:
        return (features_.function_references || features_.gc) && features_.tail_call;
      case Op::RefEq: return features_.gc;
      case Op::I64Add128: case Op::I64Sub128: case Op::I64MulWideS: case Op::I64MulWideU:
        return features_.wide_arithmetic;
      default: break;
    }
    const OpInfo& info = op_info(op);
    if (info.prefix == 0xFB) return features_.gc;
    if (info.prefix == 0xFE) return features_.threads;
    if (info.prefix == 0xFD && info.code >= 0x100) return features_.relaxed_simd;
    return true;
  }

  // 2.0 encodes a reserved memory index as a single zero byte; multi-memory makes it a u32.
  uint32_t memory_index() {
    if (features_.multi_memory) return r_.u32();
    if (r_.u8() != 0) r_.fail_at(r_.offset() - 1, "zero byte expected");
    return 0;
  }

  void read_memarg(Instruction& out) {
    uint32_t flags = r_.u32();
    out.mem.memory = 0;
    // Bit 6 of the alignment field announces an explicit memory index (multi-memory).
    if (features_.multi_memory && (flags & 0x40)) {
      flags &= ~0x40u;
      out.mem.memory = r_.u32();
    }
    out.mem.align_log2 = flags;
    out.mem.offset = features_.memory64 ? r_.u64() : r_.u32();
  }

  void read_immediates(Instruction& out) {
    switch (out.info().imm) {
      case Imm::None: break;
      case Imm::BlockType: read_block_type(out.block); break;
      case Imm::Label:
      case Imm::Func:
      case Imm::Local:
      case Imm::Global:
      case Imm::Table:
      case Imm::Data:
      case Imm::Elem: out.index = r_.u32(); break;
      case Imm::Memory: out.index = memory_index(); break;
      case Imm::BrTable: {
        uint32_t count = r_.u32();
        targets_.clear();
        // Each label takes at least one byte: a count beyond the bytes left is malformed,
        // and checking first keeps a hostile count from allocating.
        if (count > r_.remaining()) {
          r_.fail("unexpected end");
          break;
        }
        targets_.reserve(count);
        for (uint32_t i = 0; i < count && r_.ok(); ++i) targets_.push_back(r_.u32());
        out.index = r_.u32();
        out.targets = &targets_;
        break;
      }
      case Imm::CallIndirect:
        out.index = r_.u32();
        out.index2 = r_.u32();
        break;
      case Imm::MemArg: read_memarg(out); break;
      case Imm::MemArgLane:
        read_memarg(out);
        out.lane = r_.u8();
        break;
      case Imm::Lane: out.lane = r_.u8(); break;
      case Imm::I32: out.bits = uint64_t(int64_t(r_.s32())); break;
      case Imm::I64: out.bits = uint64_t(r_.s64()); break;
      case Imm::F32: out.bits = r_.fixed_u32(); break;
      case Imm::F64: out.bits = r_.fixed_u64(); break;
      case Imm::V128:
      case Imm::Shuffle:
        for (auto& b : out.v128) b = r_.u8();
        break;
      case Imm::SelectTypes: {
        out.select_type_count = r_.u32();
        if (out.select_type_count > r_.remaining()) {
          r_.fail("unexpected end");
          break;
        }
        // 2.0 allows exactly one type; the validator reports other counts as invalid.
        for (uint32_t i = 0; i < out.select_type_count && r_.ok(); ++i) {
          ValType t = read_valtype();
          if (i == 0) out.type = t;
        }
        break;
      }
      case Imm::RefType: out.type = read_reftype(); break;
      case Imm::MemoryInit:
        out.index = r_.u32();
        out.index2 = memory_index();
        break;
      case Imm::MemoryCopy:
        out.index = memory_index();
        out.index2 = memory_index();
        break;
      case Imm::TableInit:
        out.index = r_.u32();
        out.index2 = r_.u32();
        break;
      case Imm::TableCopy:
      case Imm::TypeField:
      case Imm::TypeCount:
      case Imm::TypeData:
      case Imm::TypeElem:
      case Imm::TypeType:
        out.index = r_.u32();
        out.index2 = r_.u32();
        break;
      case Imm::Tag:
      case Imm::TypeIdx: out.index = r_.u32(); break;
      case Imm::HeapType: out.heap = r_.s33(); break;
      case Imm::BrOnCast:
        out.flags = r_.u8();
        out.index = r_.u32();
        out.heap = r_.s33();
        out.heap2 = r_.s33();
        break;
      case Imm::ZeroByte:
        if (r_.u8() != 0) r_.fail_at(r_.offset() - 1, "zero byte expected");
        break;
      case Imm::TryTable: {
        read_block_type(out.block);
        uint32_t count = r_.u32();
        catches_.clear();
        if (count > r_.remaining()) {
          r_.fail("unexpected end");
          break;
        }
        for (uint32_t i = 0; i < count && r_.ok(); ++i) {
          Instruction::Catch c;
          c.kind = r_.u8();
          if (r_.ok() && c.kind > 3) r_.fail_at(r_.offset() - 1, "malformed catch clause");
          if (c.kind < 2) c.tag = r_.u32();
          c.label = r_.u32();
          catches_.push_back(c);
        }
        out.catches = &catches_;
        break;
      }
    }
  }

  void read_block_type(BlockType& bt) {
    uint8_t first = r_.peek_u8();
    if (first == 0x40) {
      r_.u8();
      bt.kind = BlockType::Kind::Empty;
    } else if (is_valtype_byte(first)) {
      r_.u8();
      bt.kind = BlockType::Kind::Value;
      bt.value = ValType(first);
    } else {
      size_t at = r_.offset();
      if (const char* unsupported = unsupported_type_byte(first)) {
        r_.fail_at(at, unsupported);
        return;
      }
      int64_t index = r_.s33();
      if (r_.ok() && index < 0) {
        r_.fail_at(at, "malformed value type");
        return;
      }
      bt.kind = BlockType::Kind::TypeIndex;
      bt.type_index = uint32_t(index);
    }
  }

  ValType read_valtype() {
    uint8_t b = r_.u8();
    if (r_.ok() && !is_valtype_byte(b)) bad_type(b, "malformed value type");
    return ValType(b);
  }

  ValType read_reftype() {
    uint8_t b = r_.u8();
    if (r_.ok() && b != 0x70 && b != 0x6F) bad_type(b, "malformed reference type");
    return ValType(b);
  }

  // The type byte just read is not one we know: a 3.0 type we do not implement, or malformed.
  void bad_type(uint8_t b, const char* malformed) {
    const char* unsupported = unsupported_type_byte(b);
    r_.fail_at(r_.offset() - 1, unsupported ? unsupported : malformed);
  }

  Reader& r_;
  const Features& features_;
  std::vector<uint32_t> targets_;
  std::vector<Instruction::Catch> catches_;
};

}  // namespace wasm::detail
// ---- end include/wasm/detail/binary/instruction.hpp ----

namespace wasm::detail {

// A constant expression, decoded: the instructions before its final `end`.
struct ConstExpr {
  std::vector<Instruction> code;
  uint32_t offset = 0;  // module offset of the first instruction, for messages
};

struct Import {
  std::string module;
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t type_index = 0;  // Func: its type; Tag: its type
  TableType table;
  MemoryType memory;
  GlobalType global;
};

struct Export {
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;
};

enum class SegmentMode : uint8_t { Active, Passive, Declarative };

struct ElemSegment {
  SegmentMode mode = SegmentMode::Active;
  uint32_t table = 0;
  ConstExpr offset;  // Active only
  ValType type = ValType::FuncRef;
  // Exactly one of the two lists is used: function indices (the compact encodings) or
  // one constant expression per element (the expression encodings).
  bool uses_exprs = false;
  std::vector<uint32_t> func_indices;
  std::vector<ConstExpr> exprs;

  size_t size() const { return uses_exprs ? exprs.size() : func_indices.size(); }
};

struct DataSegment {
  SegmentMode mode = SegmentMode::Active;  // never Declarative
  uint32_t memory = 0;
  ConstExpr offset;        // Active only
  uint32_t data_offset = 0;  // into ModuleInfo::bytes
  uint32_t data_size = 0;
};

struct LocalGroup {
  uint32_t count = 0;
  ValType type = ValType::I32;
};

struct FunctionBody {
  uint32_t offset = 0;       // module offset of the body (after its size field)
  uint32_t size = 0;         // bytes of locals + code
  uint32_t code_offset = 0;  // module offset of the first instruction
  std::vector<LocalGroup> locals;
  uint64_t local_count = 0;  // declared locals, not counting parameters
};

struct CustomSection {
  std::string name;
  uint32_t offset = 0;  // module offset of the payload after the name
  uint32_t size = 0;
};

// Contents of the `name` custom section, when present and well-formed.
struct NameSection {
  std::optional<std::string> module;
  std::unordered_map<uint32_t, std::string> functions;
  std::unordered_map<uint32_t, std::unordered_map<uint32_t, std::string>> locals;
};

struct ModuleInfo {
  std::vector<uint8_t> bytes;  // the module's binary, which offsets refer to

  std::vector<FuncType> types;
  std::vector<Import> imports;

  // Index spaces: imported entities come first.
  std::vector<uint32_t> func_types;  // type index of every function
  uint32_t num_imported_funcs = 0;
  std::vector<TableType> tables;
  uint32_t num_imported_tables = 0;
  std::vector<MemoryType> memories;
  uint32_t num_imported_memories = 0;
  std::vector<GlobalType> globals;
  uint32_t num_imported_globals = 0;
  std::vector<ConstExpr> global_inits;  // one per defined global
  std::vector<uint32_t> tag_types;      // exception tags (type index), imports first
  uint32_t num_imported_tags = 0;

  std::vector<Export> exports;
  std::optional<uint32_t> start;
  std::vector<ElemSegment> elements;
  std::optional<uint32_t> data_count;
  std::vector<DataSegment> data;
  std::vector<FunctionBody> bodies;  // one per defined function
  std::vector<CustomSection> custom_sections;
  NameSection names;

  uint32_t num_defined_funcs() const { return uint32_t(func_types.size()) - num_imported_funcs; }
  const FuncType& func_type(uint32_t func_index) const { return types[func_types[func_index]]; }
  std::span<const uint8_t> body_code(const FunctionBody& body) const {
    return std::span<const uint8_t>(bytes).subspan(body.code_offset,
                                                   body.offset + body.size - body.code_offset);
  }
  std::span<const uint8_t> segment_bytes(const DataSegment& seg) const {
    return std::span<const uint8_t>(bytes).subspan(seg.data_offset, seg.data_size);
  }
  // The function's name from the name section, or "" when it has none.
  std::string func_name(uint32_t func_index) const {
    auto it = names.functions.find(func_index);
    return it == names.functions.end() ? std::string() : it->second;
  }
};

}  // namespace wasm::detail
// ---- end include/wasm/detail/binary/module_info.hpp ----

namespace wasm::detail {

// A literal type with public members only, so that it can be a template argument
// (StaticOffsets<Shape>) and be written with designated initializers.
struct ModuleShape {
  uint32_t num_types = 0;
  uint32_t num_imported_funcs = 0;
  uint32_t num_imported_tables = 0;
  uint32_t num_imported_memories = 0;
  uint32_t num_imported_globals = 0;
  uint32_t num_defined_funcs = 0;
  uint32_t num_defined_tables = 0;
  uint32_t num_defined_memories = 0;
  uint32_t num_defined_globals = 0;

  // Sizes of the index spaces; 64-bit because imported + defined can exceed 32 bits.
  constexpr uint64_t num_funcs() const { return uint64_t(num_imported_funcs) + num_defined_funcs; }
  constexpr uint64_t num_tables() const {
    return uint64_t(num_imported_tables) + num_defined_tables;
  }
  constexpr uint64_t num_memories() const {
    return uint64_t(num_imported_memories) + num_defined_memories;
  }
  constexpr uint64_t num_globals() const {
    return uint64_t(num_imported_globals) + num_defined_globals;
  }

  friend constexpr bool operator==(const ModuleShape&, const ModuleShape&) = default;
};

// The shape of a module the full decoder has read.
inline ModuleShape shape_of(const ModuleInfo& module) {
  return ModuleShape{
      .num_types = uint32_t(module.types.size()),
      .num_imported_funcs = module.num_imported_funcs,
      .num_imported_tables = module.num_imported_tables,
      .num_imported_memories = module.num_imported_memories,
      .num_imported_globals = module.num_imported_globals,
      .num_defined_funcs = module.num_defined_funcs(),
      .num_defined_tables = uint32_t(module.tables.size()) - module.num_imported_tables,
      .num_defined_memories = uint32_t(module.memories.size()) - module.num_imported_memories,
      .num_defined_globals = uint32_t(module.globals.size()) - module.num_imported_globals,
  };
}

// The outcome of scan_module_shape: a shape, or the first error (a static message and the
// module offset where it was found). On error the shape is all zeros, never a partial count.
struct ScanResult {
  ModuleShape shape;
  const char* error = nullptr;
  size_t error_offset = 0;

  constexpr bool ok() const { return error == nullptr; }
};

namespace shape_scan {

// Every proposal's encoding is read: the scan must accept whatever the decoder accepts under
// any configuration (whether a proposal is enabled is the decoder's and validator's business).
constexpr Features all_features() {
  Features f;
  f.enable_all();
  return f;
}
inline constexpr Features kScanFeatures = all_features();

constexpr void count_imports(Reader& s, ModuleShape& shape) {
  uint32_t n = module_reader::read_count(s);
  for (uint32_t i = 0; i < n && s.ok(); ++i) {
    (void)module_reader::read_name_bytes(s);  // module
    (void)module_reader::read_name_bytes(s);  // field; UTF-8 validity is left to the decoder
    if (!s.ok()) return;
    module_reader::ImportDesc d = module_reader::read_import_desc(s, kScanFeatures);
    if (!s.ok()) return;
    switch (d.kind) {
      case ExternKind::Func: ++shape.num_imported_funcs; break;
      case ExternKind::Table: ++shape.num_imported_tables; break;
      case ExternKind::Memory: ++shape.num_imported_memories; break;
      case ExternKind::Global: ++shape.num_imported_globals; break;
      case ExternKind::Tag: break;  // tags have no place in the VMContext yet
    }
  }
}

}  // namespace shape_scan

// Reads the header and the section headers, and inside the type, import, function, table and
// memory sections every entry (so their sizes are checked); the global and code sections only
// give their counts, other sections are skipped whole. It reads with the decoder's own
// functions (binary/module_reader.hpp), so it accepts everything the decoder accepts, with the
// same messages, but may accept some modules that the decoder rejects (bad UTF-8 in names,
// disabled proposals): it finds the shape, it does not validate. Never reads out of bounds, so
// it is a constant expression for any input.
constexpr ScanResult scan_module_shape(std::span<const uint8_t> bytes) {
  using namespace module_reader;
  Reader r(bytes);
  ModuleShape shape;
  read_header(r);
  SectionReader sections(r, shape_scan::kScanFeatures);
  Section section;
  bool saw_function_or_code = false;
  uint32_t num_bodies = 0;
  while (sections.next(section)) {
    Reader& s = section.body;
    switch (section.id) {
      case SectionId::Type: {
        uint32_t n = read_count(s);
        for (uint32_t i = 0; i < n && s.ok(); ++i) read_func_type(s, [](ValType) {}, [](ValType) {});
        shape.num_types = n;
        break;
      }
      case SectionId::Import: shape_scan::count_imports(s, shape); break;
      case SectionId::Function: {
        saw_function_or_code = true;
        uint32_t n = read_count(s);
        for (uint32_t i = 0; i < n && s.ok(); ++i) (void)s.u32();
        shape.num_defined_funcs = n;
        break;
      }
      case SectionId::Table: {
        uint32_t n = read_count(s);
        for (uint32_t i = 0; i < n && s.ok(); ++i) (void)read_table_type(s, shape_scan::kScanFeatures);
        shape.num_defined_tables = n;
        break;
      }
      case SectionId::Memory: {
        uint32_t n = read_count(s);
        for (uint32_t i = 0; i < n && s.ok(); ++i) (void)read_memory_type(s, shape_scan::kScanFeatures);
        shape.num_defined_memories = n;
        break;
      }
      case SectionId::Global:  // initialisers are instructions: the count is enough here
        shape.num_defined_globals = read_count(s);
        s.skip(s.remaining());
        break;
      case SectionId::Code:
        saw_function_or_code = true;
        num_bodies = read_count(s);
        s.skip(s.remaining());
        break;
      case SectionId::Custom:
        (void)read_name_bytes(s);
        s.skip(s.remaining());
        break;
      default: s.skip(s.remaining()); break;
    }
    if (s.ok() && !s.at_end()) s.fail("section size mismatch");
    if (!s.ok()) r.fail_at(s.error_offset(), s.error());
  }
  if (r.ok() && saw_function_or_code && shape.num_defined_funcs != num_bodies) {
    r.fail("function and code section have inconsistent lengths");
  }
  if (!r.ok()) return ScanResult{.shape = {}, .error = r.error(), .error_offset = r.error_offset()};
  return ScanResult{.shape = shape};
}

}  // namespace wasm::detail
// ---- end include/wasm/detail/env/module_shape.hpp ----

namespace wasm::detail {

// The records of vmctx_layout.def as constants, one namespace per record:
// vmlayout::VMFuncRef::type_id is that field's offset, vmlayout::VMFuncRef::type_id_size its
// size, vmlayout::VMFuncRef::size and ::align those of the whole record.
namespace vmlayout {
#define WASM_VM_RECORD(Record, size_, align_)     \
  namespace Record {                              \
  inline constexpr uint32_t size = size_;         \
  inline constexpr uint32_t align = align_;       \
  }
#define WASM_VM_FIELD(Record, field, offset, size_)  \
  namespace Record {                                 \
  inline constexpr uint32_t field = offset;          \
  inline constexpr uint32_t field##_size = size_;    \
  }
// ---- begin include/wasm/detail/env/vmctx_layout.def ----
// The VMContext layout and the records inside it, written down once. Nothing else states
// this order: vmoffsets.hpp walks the regions to compute offsets, and env/vm_records.hpp
// checks its C++ structs against the records. Include this file after defining the macros you
// need; the ones left undefined expand to nothing, and all are undefined again at the end.
//
// WASM_VM_RECORD(Record, size, align)
//     A record that JIT code reads or writes. `size` and `align` are those of the C++ struct.
// WASM_VM_FIELD(Record, field, offset, size)
//     One field of a record, at a byte offset from the record's start. (`size` and `align`
//     are reserved as field names: they name the record's own size and alignment.)
// WASM_VMCTX_FIXED(name, size, align)
//     A field that every VMContext has exactly once. All of them come before the arrays, so
//     their offsets do not depend on the module and JIT code can use them as constants.
// WASM_VMCTX_ARRAY(name, count, Record)
//     One Record per unit of `shape.count` (an expression on a ModuleShape `shape`).
//
// Each region starts at the next multiple of its alignment; the VMContext as a whole is
// aligned to the largest alignment of any region (16, for v128 globals). x86-64 only.

#ifndef WASM_VM_RECORD
#define WASM_VM_RECORD(Record, size, align)
#endif
#ifndef WASM_VM_FIELD
#define WASM_VM_FIELD(Record, field, offset, size)
#endif
#ifndef WASM_VMCTX_FIXED
#define WASM_VMCTX_FIXED(name, size, align)
#endif
#ifndef WASM_VMCTX_ARRAY
#define WASM_VMCTX_ARRAY(name, count, Record)
#endif

// A linear memory owned by this instance (or, through an import, by another one).
WASM_VM_RECORD(VMMemoryDefinition, 16, 8)
WASM_VM_FIELD(VMMemoryDefinition, base, 0, 8)
WASM_VM_FIELD(VMMemoryDefinition, current_length, 8, 8)  // bytes

// A table owned by this instance: `base` points at `current_elements` reference slots.
WASM_VM_RECORD(VMTableDefinition, 16, 8)
WASM_VM_FIELD(VMTableDefinition, base, 0, 8)
WASM_VM_FIELD(VMTableDefinition, current_elements, 8, 8)

// A global's value; 16 bytes so that a v128 fits, smaller types sit at offset 0.
WASM_VM_RECORD(VMGlobalDefinition, 16, 16)
WASM_VM_FIELD(VMGlobalDefinition, storage, 0, 16)

// An imported function: its code, and the VMContext that code expects as its callee context.
WASM_VM_RECORD(VMFunctionImport, 16, 8)
WASM_VM_FIELD(VMFunctionImport, code, 0, 8)
WASM_VM_FIELD(VMFunctionImport, vmctx, 8, 8)

// Imported tables and memories point at the exporter's definition, and name its VMContext
// for libcalls (grow, fill, ...) that must act on the owner.
WASM_VM_RECORD(VMTableImport, 16, 8)
WASM_VM_FIELD(VMTableImport, from, 0, 8)
WASM_VM_FIELD(VMTableImport, vmctx, 8, 8)

WASM_VM_RECORD(VMMemoryImport, 16, 8)
WASM_VM_FIELD(VMMemoryImport, from, 0, 8)
WASM_VM_FIELD(VMMemoryImport, vmctx, 8, 8)

// Globals need no owner context: reads and writes go straight through the pointer.
WASM_VM_RECORD(VMGlobalImport, 8, 8)
WASM_VM_FIELD(VMGlobalImport, from, 0, 8)

// What a funcref value points at: enough to call the function and to check its signature
// (`type_id` is the engine-wide shared signature id) in call_indirect.
WASM_VM_RECORD(VMFuncRef, 24, 8)
WASM_VM_FIELD(VMFuncRef, code, 0, 8)
WASM_VM_FIELD(VMFuncRef, vmctx, 8, 8)
WASM_VM_FIELD(VMFuncRef, type_id, 16, 4)

// Per-Store state (VMStoreContext, reached through the VMContext's store_context field): the
// fields that JIT code and the trampolines read or write. The rest of the struct (the trap's
// backtrace, the owning store) only the runtime reads, so it is not part of this layout.
WASM_VM_RECORD(VMStoreContext, 584, 8)
WASM_VM_FIELD(VMStoreContext, stack_limit, 0, 8)      // prologues trap when rsp is below it
WASM_VM_FIELD(VMStoreContext, fuel_consumed, 8, 8)    // counts up; >= 0: fuel used up
WASM_VM_FIELD(VMStoreContext, epoch_deadline, 16, 8)
WASM_VM_FIELD(VMStoreContext, epoch_counter, 24, 8)   // the Engine's epoch counter
WASM_VM_FIELD(VMStoreContext, trap_code, 32, 4)       // 0 = none, else 1 + TrapCode

// The VMContext itself, in order.
WASM_VMCTX_FIXED(magic, 4, 4)          // kVMContextMagic, to catch a wrong pointer early
WASM_VMCTX_FIXED(store_context, 8, 8)  // VMStoreContext*: stack limit, fuel, epoch, trap exit
WASM_VMCTX_FIXED(builtins, 8, 8)       // table of libcall function pointers
WASM_VMCTX_FIXED(type_ids, 8, 8)       // const uint32_t*: shared signature id by type index
// Defined memories first, so that memory 0's base is a one-byte displacement.
WASM_VMCTX_ARRAY(memories, num_defined_memories, VMMemoryDefinition)
WASM_VMCTX_ARRAY(imported_functions, num_imported_funcs, VMFunctionImport)
WASM_VMCTX_ARRAY(imported_tables, num_imported_tables, VMTableImport)
WASM_VMCTX_ARRAY(imported_memories, num_imported_memories, VMMemoryImport)
WASM_VMCTX_ARRAY(imported_globals, num_imported_globals, VMGlobalImport)
WASM_VMCTX_ARRAY(tables, num_defined_tables, VMTableDefinition)
WASM_VMCTX_ARRAY(globals, num_defined_globals, VMGlobalDefinition)
// One per function in the index space (imported ones too), so that ref.func, tables and
// exports can hand out pointers that stay valid as long as the instance.
WASM_VMCTX_ARRAY(func_refs, num_funcs(), VMFuncRef)

#undef WASM_VM_RECORD
#undef WASM_VM_FIELD
#undef WASM_VMCTX_FIXED
#undef WASM_VMCTX_ARRAY
// ---- end include/wasm/detail/env/vmctx_layout.def ----
}  // namespace vmlayout

// The regions of a VMContext, in layout order.
enum class VMRegion : uint8_t {
#define WASM_VMCTX_FIXED(name, size, align) name,
#define WASM_VMCTX_ARRAY(name, count, Record) name,
// ---- begin include/wasm/detail/env/vmctx_layout.def ----
// The VMContext layout and the records inside it, written down once. Nothing else states
// this order: vmoffsets.hpp walks the regions to compute offsets, and env/vm_records.hpp
// checks its C++ structs against the records. Include this file after defining the macros you
// need; the ones left undefined expand to nothing, and all are undefined again at the end.
//
// WASM_VM_RECORD(Record, size, align)
//     A record that JIT code reads or writes. `size` and `align` are those of the C++ struct.
// WASM_VM_FIELD(Record, field, offset, size)
//     One field of a record, at a byte offset from the record's start. (`size` and `align`
//     are reserved as field names: they name the record's own size and alignment.)
// WASM_VMCTX_FIXED(name, size, align)
//     A field that every VMContext has exactly once. All of them come before the arrays, so
//     their offsets do not depend on the module and JIT code can use them as constants.
// WASM_VMCTX_ARRAY(name, count, Record)
//     One Record per unit of `shape.count` (an expression on a ModuleShape `shape`).
//
// Each region starts at the next multiple of its alignment; the VMContext as a whole is
// aligned to the largest alignment of any region (16, for v128 globals). x86-64 only.

#ifndef WASM_VM_RECORD
#define WASM_VM_RECORD(Record, size, align)
#endif
#ifndef WASM_VM_FIELD
#define WASM_VM_FIELD(Record, field, offset, size)
#endif
#ifndef WASM_VMCTX_FIXED
#define WASM_VMCTX_FIXED(name, size, align)
#endif
#ifndef WASM_VMCTX_ARRAY
#define WASM_VMCTX_ARRAY(name, count, Record)
#endif

// A linear memory owned by this instance (or, through an import, by another one).
WASM_VM_RECORD(VMMemoryDefinition, 16, 8)
WASM_VM_FIELD(VMMemoryDefinition, base, 0, 8)
WASM_VM_FIELD(VMMemoryDefinition, current_length, 8, 8)  // bytes

// A table owned by this instance: `base` points at `current_elements` reference slots.
WASM_VM_RECORD(VMTableDefinition, 16, 8)
WASM_VM_FIELD(VMTableDefinition, base, 0, 8)
WASM_VM_FIELD(VMTableDefinition, current_elements, 8, 8)

// A global's value; 16 bytes so that a v128 fits, smaller types sit at offset 0.
WASM_VM_RECORD(VMGlobalDefinition, 16, 16)
WASM_VM_FIELD(VMGlobalDefinition, storage, 0, 16)

// An imported function: its code, and the VMContext that code expects as its callee context.
WASM_VM_RECORD(VMFunctionImport, 16, 8)
WASM_VM_FIELD(VMFunctionImport, code, 0, 8)
WASM_VM_FIELD(VMFunctionImport, vmctx, 8, 8)

// Imported tables and memories point at the exporter's definition, and name its VMContext
// for libcalls (grow, fill, ...) that must act on the owner.
WASM_VM_RECORD(VMTableImport, 16, 8)
WASM_VM_FIELD(VMTableImport, from, 0, 8)
WASM_VM_FIELD(VMTableImport, vmctx, 8, 8)

WASM_VM_RECORD(VMMemoryImport, 16, 8)
WASM_VM_FIELD(VMMemoryImport, from, 0, 8)
WASM_VM_FIELD(VMMemoryImport, vmctx, 8, 8)

// Globals need no owner context: reads and writes go straight through the pointer.
WASM_VM_RECORD(VMGlobalImport, 8, 8)
WASM_VM_FIELD(VMGlobalImport, from, 0, 8)

// What a funcref value points at: enough to call the function and to check its signature
// (`type_id` is the engine-wide shared signature id) in call_indirect.
WASM_VM_RECORD(VMFuncRef, 24, 8)
WASM_VM_FIELD(VMFuncRef, code, 0, 8)
WASM_VM_FIELD(VMFuncRef, vmctx, 8, 8)
WASM_VM_FIELD(VMFuncRef, type_id, 16, 4)

// Per-Store state (VMStoreContext, reached through the VMContext's store_context field): the
// fields that JIT code and the trampolines read or write. The rest of the struct (the trap's
// backtrace, the owning store) only the runtime reads, so it is not part of this layout.
WASM_VM_RECORD(VMStoreContext, 584, 8)
WASM_VM_FIELD(VMStoreContext, stack_limit, 0, 8)      // prologues trap when rsp is below it
WASM_VM_FIELD(VMStoreContext, fuel_consumed, 8, 8)    // counts up; >= 0: fuel used up
WASM_VM_FIELD(VMStoreContext, epoch_deadline, 16, 8)
WASM_VM_FIELD(VMStoreContext, epoch_counter, 24, 8)   // the Engine's epoch counter
WASM_VM_FIELD(VMStoreContext, trap_code, 32, 4)       // 0 = none, else 1 + TrapCode

// The VMContext itself, in order.
WASM_VMCTX_FIXED(magic, 4, 4)          // kVMContextMagic, to catch a wrong pointer early
WASM_VMCTX_FIXED(store_context, 8, 8)  // VMStoreContext*: stack limit, fuel, epoch, trap exit
WASM_VMCTX_FIXED(builtins, 8, 8)       // table of libcall function pointers
WASM_VMCTX_FIXED(type_ids, 8, 8)       // const uint32_t*: shared signature id by type index
// Defined memories first, so that memory 0's base is a one-byte displacement.
WASM_VMCTX_ARRAY(memories, num_defined_memories, VMMemoryDefinition)
WASM_VMCTX_ARRAY(imported_functions, num_imported_funcs, VMFunctionImport)
WASM_VMCTX_ARRAY(imported_tables, num_imported_tables, VMTableImport)
WASM_VMCTX_ARRAY(imported_memories, num_imported_memories, VMMemoryImport)
WASM_VMCTX_ARRAY(imported_globals, num_imported_globals, VMGlobalImport)
WASM_VMCTX_ARRAY(tables, num_defined_tables, VMTableDefinition)
WASM_VMCTX_ARRAY(globals, num_defined_globals, VMGlobalDefinition)
// One per function in the index space (imported ones too), so that ref.func, tables and
// exports can hand out pointers that stay valid as long as the instance.
WASM_VMCTX_ARRAY(func_refs, num_funcs(), VMFuncRef)

#undef WASM_VM_RECORD
#undef WASM_VM_FIELD
#undef WASM_VMCTX_FIXED
#undef WASM_VMCTX_ARRAY
// ---- end include/wasm/detail/env/vmctx_layout.def ----
};

struct VMRegionInfo {
  std::string_view name;
  uint32_t element_size;
  uint32_t align;
  bool fixed;  // exactly one element whatever the shape
};

inline constexpr VMRegionInfo kVMRegions[] = {
#define WASM_VMCTX_FIXED(name, size, align) {#name, size, align, true},
#define WASM_VMCTX_ARRAY(name, count, Record) \
  {#name, vmlayout::Record::size, vmlayout::Record::align, false},
// ---- begin include/wasm/detail/env/vmctx_layout.def ----
// The VMContext layout and the records inside it, written down once. Nothing else states
// this order: vmoffsets.hpp walks the regions to compute offsets, and env/vm_records.hpp
// checks its C++ structs against the records. Include this file after defining the macros you
// need; the ones left undefined expand to nothing, and all are undefined again at the end.
//
// WASM_VM_RECORD(Record, size, align)
//     A record that JIT code reads or writes. `size` and `align` are those of the C++ struct.
// WASM_VM_FIELD(Record, field, offset, size)
//     One field of a record, at a byte offset from the record's start. (`size` and `align`
//     are reserved as field names: they name the record's own size and alignment.)
// WASM_VMCTX_FIXED(name, size, align)
//     A field that every VMContext has exactly once. All of them come before the arrays, so
//     their offsets do not depend on the module and JIT code can use them as constants.
// WASM_VMCTX_ARRAY(name, count, Record)
//     One Record per unit of `shape.count` (an expression on a ModuleShape `shape`).
//
// Each region starts at the next multiple of its alignment; the VMContext as a whole is
// aligned to the largest alignment of any region (16, for v128 globals). x86-64 only.

#ifndef WASM_VM_RECORD
#define WASM_VM_RECORD(Record, size, align)
#endif
#ifndef WASM_VM_FIELD
#define WASM_VM_FIELD(Record, field, offset, size)
#endif
#ifndef WASM_VMCTX_FIXED
#define WASM_VMCTX_FIXED(name, size, align)
#endif
#ifndef WASM_VMCTX_ARRAY
#define WASM_VMCTX_ARRAY(name, count, Record)
#endif

// A linear memory owned by this instance (or, through an import, by another one).
WASM_VM_RECORD(VMMemoryDefinition, 16, 8)
WASM_VM_FIELD(VMMemoryDefinition, base, 0, 8)
WASM_VM_FIELD(VMMemoryDefinition, current_length, 8, 8)  // bytes

// A table owned by this instance: `base` points at `current_elements` reference slots.
WASM_VM_RECORD(VMTableDefinition, 16, 8)
WASM_VM_FIELD(VMTableDefinition, base, 0, 8)
WASM_VM_FIELD(VMTableDefinition, current_elements, 8, 8)

// A global's value; 16 bytes so that a v128 fits, smaller types sit at offset 0.
WASM_VM_RECORD(VMGlobalDefinition, 16, 16)
WASM_VM_FIELD(VMGlobalDefinition, storage, 0, 16)

// An imported function: its code, and the VMContext that code expects as its callee context.
WASM_VM_RECORD(VMFunctionImport, 16, 8)
WASM_VM_FIELD(VMFunctionImport, code, 0, 8)
WASM_VM_FIELD(VMFunctionImport, vmctx, 8, 8)

// Imported tables and memories point at the exporter's definition, and name its VMContext
// for libcalls (grow, fill, ...) that must act on the owner.
WASM_VM_RECORD(VMTableImport, 16, 8)
WASM_VM_FIELD(VMTableImport, from, 0, 8)
WASM_VM_FIELD(VMTableImport, vmctx, 8, 8)

WASM_VM_RECORD(VMMemoryImport, 16, 8)
WASM_VM_FIELD(VMMemoryImport, from, 0, 8)
WASM_VM_FIELD(VMMemoryImport, vmctx, 8, 8)

// Globals need no owner context: reads and writes go straight through the pointer.
WASM_VM_RECORD(VMGlobalImport, 8, 8)
WASM_VM_FIELD(VMGlobalImport, from, 0, 8)

// What a funcref value points at: enough to call the function and to check its signature
// (`type_id` is the engine-wide shared signature id) in call_indirect.
WASM_VM_RECORD(VMFuncRef, 24, 8)
WASM_VM_FIELD(VMFuncRef, code, 0, 8)
WASM_VM_FIELD(VMFuncRef, vmctx, 8, 8)
WASM_VM_FIELD(VMFuncRef, type_id, 16, 4)

// Per-Store state (VMStoreContext, reached through the VMContext's store_context field): the
// fields that JIT code and the trampolines read or write. The rest of the struct (the trap's
// backtrace, the owning store) only the runtime reads, so it is not part of this layout.
WASM_VM_RECORD(VMStoreContext, 584, 8)
WASM_VM_FIELD(VMStoreContext, stack_limit, 0, 8)      // prologues trap when rsp is below it
WASM_VM_FIELD(VMStoreContext, fuel_consumed, 8, 8)    // counts up; >= 0: fuel used up
WASM_VM_FIELD(VMStoreContext, epoch_deadline, 16, 8)
WASM_VM_FIELD(VMStoreContext, epoch_counter, 24, 8)   // the Engine's epoch counter
WASM_VM_FIELD(VMStoreContext, trap_code, 32, 4)       // 0 = none, else 1 + TrapCode

// The VMContext itself, in order.
WASM_VMCTX_FIXED(magic, 4, 4)          // kVMContextMagic, to catch a wrong pointer early
WASM_VMCTX_FIXED(store_context, 8, 8)  // VMStoreContext*: stack limit, fuel, epoch, trap exit
WASM_VMCTX_FIXED(builtins, 8, 8)       // table of libcall function pointers
WASM_VMCTX_FIXED(type_ids, 8, 8)       // const uint32_t*: shared signature id by type index
// Defined memories first, so that memory 0's base is a one-byte displacement.
WASM_VMCTX_ARRAY(memories, num_defined_memories, VMMemoryDefinition)
WASM_VMCTX_ARRAY(imported_functions, num_imported_funcs, VMFunctionImport)
WASM_VMCTX_ARRAY(imported_tables, num_imported_tables, VMTableImport)
WASM_VMCTX_ARRAY(imported_memories, num_imported_memories, VMMemoryImport)
WASM_VMCTX_ARRAY(imported_globals, num_imported_globals, VMGlobalImport)
WASM_VMCTX_ARRAY(tables, num_defined_tables, VMTableDefinition)
WASM_VMCTX_ARRAY(globals, num_defined_globals, VMGlobalDefinition)
// One per function in the index space (imported ones too), so that ref.func, tables and
// exports can hand out pointers that stay valid as long as the instance.
WASM_VMCTX_ARRAY(func_refs, num_funcs(), VMFuncRef)

#undef WASM_VM_RECORD
#undef WASM_VM_FIELD
#undef WASM_VMCTX_FIXED
#undef WASM_VMCTX_ARRAY
// ---- end include/wasm/detail/env/vmctx_layout.def ----
};
inline constexpr size_t kNumVMRegions = std::size(kVMRegions);

constexpr const VMRegionInfo& region_info(VMRegion region) { return kVMRegions[size_t(region)]; }

// Number of elements of a region in the VMContext of a module of this shape.
constexpr uint64_t region_count(VMRegion region, const ModuleShape& shape) {
  switch (region) {
#define WASM_VMCTX_FIXED(name, size, align) \
  case VMRegion::name: return 1;
#define WASM_VMCTX_ARRAY(name, count, Record) \
  case VMRegion::name: return shape.count;
// ---- begin include/wasm/detail/env/vmctx_layout.def ----
// The VMContext layout and the records inside it, written down once. Nothing else states
// this order: vmoffsets.hpp walks the regions to compute offsets, and env/vm_records.hpp
// checks its C++ structs against the records. Include this file after defining the macros you
// need; the ones left undefined expand to nothing, and all are undefined again at the end.
//
// WASM_VM_RECORD(Record, size, align)
//     A record that JIT code reads or writes. `size` and `align` are those of the C++ struct.
// WASM_VM_FIELD(Record, field, offset, size)
//     One field of a record, at a byte offset from the record's start. (`size` and `align`
//     are reserved as field names: they name the record's own size and alignment.)
// WASM_VMCTX_FIXED(name, size, align)
//     A field that every VMContext has exactly once. All of them come before the arrays, so
//     their offsets do not depend on the module and JIT code can use them as constants.
// WASM_VMCTX_ARRAY(name, count, Record)
//     One Record per unit of `shape.count` (an expression on a ModuleShape `shape`).
//
// Each region starts at the next multiple of its alignment; the VMContext as a whole is
// aligned to the largest alignment of any region (16, for v128 globals). x86-64 only.

#ifndef WASM_VM_RECORD
#define WASM_VM_RECORD(Record, size, align)
#endif
#ifndef WASM_VM_FIELD
#define WASM_VM_FIELD(Record, field, offset, size)
#endif
#ifndef WASM_VMCTX_FIXED
#define WASM_VMCTX_FIXED(name, size, align)
#endif
#ifndef WASM_VMCTX_ARRAY
#define WASM_VMCTX_ARRAY(name, count, Record)
#endif

// A linear memory owned by this instance (or, through an import, by another one).
WASM_VM_RECORD(VMMemoryDefinition, 16, 8)
WASM_VM_FIELD(VMMemoryDefinition, base, 0, 8)
WASM_VM_FIELD(VMMemoryDefinition, current_length, 8, 8)  // bytes

// A table owned by this instance: `base` points at `current_elements` reference slots.
WASM_VM_RECORD(VMTableDefinition, 16, 8)
WASM_VM_FIELD(VMTableDefinition, base, 0, 8)
WASM_VM_FIELD(VMTableDefinition, current_elements, 8, 8)

// A global's value; 16 bytes so that a v128 fits, smaller types sit at offset 0.
WASM_VM_RECORD(VMGlobalDefinition, 16, 16)
WASM_VM_FIELD(VMGlobalDefinition, storage, 0, 16)

// An imported function: its code, and the VMContext that code expects as its callee context.
WASM_VM_RECORD(VMFunctionImport, 16, 8)
WASM_VM_FIELD(VMFunctionImport, code, 0, 8)
WASM_VM_FIELD(VMFunctionImport, vmctx, 8, 8)

// Imported tables and memories point at the exporter's definition, and name its VMContext
// for libcalls (grow, fill, ...) that must act on the owner.
WASM_VM_RECORD(VMTableImport, 16, 8)
WASM_VM_FIELD(VMTableImport, from, 0, 8)
WASM_VM_FIELD(VMTableImport, vmctx, 8, 8)

WASM_VM_RECORD(VMMemoryImport, 16, 8)
WASM_VM_FIELD(VMMemoryImport, from, 0, 8)
WASM_VM_FIELD(VMMemoryImport, vmctx, 8, 8)

// Globals need no owner context: reads and writes go straight through the pointer.
WASM_VM_RECORD(VMGlobalImport, 8, 8)
WASM_VM_FIELD(VMGlobalImport, from, 0, 8)

// What a funcref value points at: enough to call the function and to check its signature
// (`type_id` is the engine-wide shared signature id) in call_indirect.
WASM_VM_RECORD(VMFuncRef, 24, 8)
WASM_VM_FIELD(VMFuncRef, code, 0, 8)
WASM_VM_FIELD(VMFuncRef, vmctx, 8, 8)
WASM_VM_FIELD(VMFuncRef, type_id, 16, 4)

// Per-Store state (VMStoreContext, reached through the VMContext's store_context field): the
// fields that JIT code and the trampolines read or write. The rest of the struct (the trap's
// backtrace, the owning store) only the runtime reads, so it is not part of this layout.
WASM_VM_RECORD(VMStoreContext, 584, 8)
WASM_VM_FIELD(VMStoreContext, stack_limit, 0, 8)      // prologues trap when rsp is below it
WASM_VM_FIELD(VMStoreContext, fuel_consumed, 8, 8)    // counts up; >= 0: fuel used up
WASM_VM_FIELD(VMStoreContext, epoch_deadline, 16, 8)
WASM_VM_FIELD(VMStoreContext, epoch_counter, 24, 8)   // the Engine's epoch counter
WASM_VM_FIELD(VMStoreContext, trap_code, 32, 4)       // 0 = none, else 1 + TrapCode

// The VMContext itself, in order.
WASM_VMCTX_FIXED(magic, 4, 4)          // kVMContextMagic, to catch a wrong pointer early
WASM_VMCTX_FIXED(store_context, 8, 8)  // VMStoreContext*: stack limit, fuel, epoch, trap exit
WASM_VMCTX_FIXED(builtins, 8, 8)       // table of libcall function pointers
WASM_VMCTX_FIXED(type_ids, 8, 8)       // const uint32_t*: shared signature id by type index
// Defined memories first, so that memory 0's base is a one-byte displacement.
WASM_VMCTX_ARRAY(memories, num_defined_memories, VMMemoryDefinition)
WASM_VMCTX_ARRAY(imported_functions, num_imported_funcs, VMFunctionImport)
WASM_VMCTX_ARRAY(imported_tables, num_imported_tables, VMTableImport)
WASM_VMCTX_ARRAY(imported_memories, num_imported_memories, VMMemoryImport)
WASM_VMCTX_ARRAY(imported_globals, num_imported_globals, VMGlobalImport)
WASM_VMCTX_ARRAY(tables, num_defined_tables, VMTableDefinition)
WASM_VMCTX_ARRAY(globals, num_defined_globals, VMGlobalDefinition)
// One per function in the index space (imported ones too), so that ref.func, tables and
// exports can hand out pointers that stay valid as long as the instance.
WASM_VMCTX_ARRAY(func_refs, num_funcs(), VMFuncRef)

#undef WASM_VM_RECORD
#undef WASM_VM_FIELD
#undef WASM_VMCTX_FIXED
#undef WASM_VMCTX_ARRAY
// ---- end include/wasm/detail/env/vmctx_layout.def ----
  }
  return 0;
}

namespace vmlayout {

constexpr uint64_t align_up(uint64_t value, uint64_t align) {
  return (value + align - 1) / align * align;
}

// What the layout relies on: fixed fields before any array (so their offsets are constants),
// power-of-two alignments, and element sizes that keep every element of an array aligned.
constexpr bool table_is_well_formed() {
  bool in_arrays = false;
  for (const VMRegionInfo& region : kVMRegions) {
    if (region.fixed && in_arrays) return false;
    in_arrays = !region.fixed;
    if (region.align == 0 || (region.align & (region.align - 1)) != 0) return false;
    if (region.element_size % region.align != 0) return false;
  }
  return true;
}
static_assert(table_is_well_formed(), "vmctx_layout.def breaks a layout rule");

constexpr uint32_t max_align() {
  uint32_t align = 1;
  for (const VMRegionInfo& region : kVMRegions) align = std::max(align, region.align);
  return align;
}

// The one walk over the regions. 64-bit so that no shape can overflow it: counts are at most
// 2^33 and elements a few dozen bytes.
struct Walk {
  std::array<uint64_t, kNumVMRegions> begin{};
  uint64_t size = 0;
};
constexpr Walk walk(const ModuleShape& shape) {
  Walk w;
  uint64_t at = 0;
  for (size_t i = 0; i < kNumVMRegions; ++i) {
    at = align_up(at, kVMRegions[i].align);
    w.begin[i] = at;
    at += region_count(VMRegion(i), shape) * kVMRegions[i].element_size;
  }
  w.size = align_up(at, max_align());
  return w;
}

inline constexpr Walk kEmptyShapeWalk = walk(ModuleShape{});

}  // namespace vmlayout

class VMOffsets {
 public:
  // Every offset into a VMContext must fit the signed 32-bit displacement of an x86-64 memory
  // operand; a shape whose VMContext would be larger is refused (ok() is false).
  static constexpr uint64_t kMaxSize = 0x7FFFFFFF;
  // The alignment a VMContext must be allocated with (v128 globals need 16).
  static constexpr uint32_t kAlign = vmlayout::max_align();

  constexpr explicit VMOffsets(const ModuleShape& shape) : shape_(shape) {
    vmlayout::Walk w = vmlayout::walk(shape);
    ok_ = w.size <= kMaxSize;
    if (!ok_) return;  // leave every offset zero rather than truncated
    for (size_t i = 0; i < kNumVMRegions; ++i) begin_[i] = uint32_t(w.begin[i]);
    size_ = uint32_t(w.size);
  }

  constexpr const ModuleShape& shape() const { return shape_; }
  constexpr bool ok() const { return ok_; }
  // Bytes to allocate for the VMContext (a multiple of kAlign).
  constexpr uint32_t size() const { return size_; }

  // The fixed prefix: the same for every module, so usable as immediate displacements.
  static constexpr uint32_t magic() { return fixed(VMRegion::magic); }
  static constexpr uint32_t store_context() { return fixed(VMRegion::store_context); }
  static constexpr uint32_t builtins() { return fixed(VMRegion::builtins); }
  static constexpr uint32_t type_ids() { return fixed(VMRegion::type_ids); }

  // Any region, by its name in the layout table.
  constexpr uint64_t count(VMRegion region) const { return region_count(region, shape_); }
  constexpr uint32_t begin(VMRegion region) const { return begin_[size_t(region)]; }
  constexpr uint32_t end(VMRegion region) const {
    if (!ok_) return 0;
    return begin(region) + uint32_t(count(region) * region_info(region).element_size);
  }
  constexpr uint32_t element(VMRegion region, uint64_t index) const {
    assert(ok_ && index < count(region));
    return begin(region) + uint32_t(index * region_info(region).element_size);
  }

  // Defined memories (index among defined ones, not the memory index space).
  constexpr uint32_t memory(uint32_t i) const { return element(VMRegion::memories, i); }
  constexpr uint32_t memory_base(uint32_t i) const {
    return memory(i) + vmlayout::VMMemoryDefinition::base;
  }
  constexpr uint32_t memory_length(uint32_t i) const {
    return memory(i) + vmlayout::VMMemoryDefinition::current_length;
  }

  constexpr uint32_t imported_function(uint32_t i) const {
    return element(VMRegion::imported_functions, i);
  }
  constexpr uint32_t imported_function_code(uint32_t i) const {
    return imported_function(i) + vmlayout::VMFunctionImport::code;
  }
  constexpr uint32_t imported_function_vmctx(uint32_t i) const {
    return imported_function(i) + vmlayout::VMFunctionImport::vmctx;
  }

  constexpr uint32_t imported_table(uint32_t i) const {
    return element(VMRegion::imported_tables, i);
  }
  constexpr uint32_t imported_table_from(uint32_t i) const {
    return imported_table(i) + vmlayout::VMTableImport::from;
  }
  constexpr uint32_t imported_table_vmctx(uint32_t i) const {
    return imported_table(i) + vmlayout::VMTableImport::vmctx;
  }

  constexpr uint32_t imported_memory(uint32_t i) const {
    return element(VMRegion::imported_memories, i);
  }
  constexpr uint32_t imported_memory_from(uint32_t i) const {
    return imported_memory(i) + vmlayout::VMMemoryImport::from;
  }
  constexpr uint32_t imported_memory_vmctx(uint32_t i) const {
    return imported_memory(i) + vmlayout::VMMemoryImport::vmctx;
  }

  constexpr uint32_t imported_global(uint32_t i) const {
    return element(VMRegion::imported_globals, i);
  }
  constexpr uint32_t imported_global_from(uint32_t i) const {
    return imported_global(i) + vmlayout::VMGlobalImport::from;
  }

  // Defined tables and globals (index among defined ones).
  constexpr uint32_t table(uint32_t i) const { return element(VMRegion::tables, i); }
  constexpr uint32_t table_base(uint32_t i) const {
    return table(i) + vmlayout::VMTableDefinition::base;
  }
  constexpr uint32_t table_current_elements(uint32_t i) const {
    return table(i) + vmlayout::VMTableDefinition::current_elements;
  }

  constexpr uint32_t global(uint32_t i) const { return element(VMRegion::globals, i); }

  // By function index: imported functions first, as in the index space.
  constexpr uint32_t func_ref(uint32_t func_index) const {
    return element(VMRegion::func_refs, func_index);
  }
  constexpr uint32_t func_ref_code(uint32_t func_index) const {
    return func_ref(func_index) + vmlayout::VMFuncRef::code;
  }
  constexpr uint32_t func_ref_vmctx(uint32_t func_index) const {
    return func_ref(func_index) + vmlayout::VMFuncRef::vmctx;
  }
  constexpr uint32_t func_ref_type_id(uint32_t func_index) const {
    return func_ref(func_index) + vmlayout::VMFuncRef::type_id;
  }

  friend constexpr bool operator==(const VMOffsets&, const VMOffsets&) = default;

 private:
  static constexpr uint32_t fixed(VMRegion region) {
    assert(region_info(region).fixed);
    return uint32_t(vmlayout::kEmptyShapeWalk.begin[size_t(region)]);
  }

  ModuleShape shape_;
  std::array<uint32_t, kNumVMRegions> begin_{};
  uint32_t size_ = 0;
  bool ok_ = false;
};

// The point of putting defined memories first: memory 0's base is a disp8 from the vmctx
// register, so every load and store of the common single-memory module is a byte shorter.
static_assert(VMOffsets(ModuleShape{.num_defined_memories = 1}).memory_base(0) < 128);

// The offsets of a shape fixed at compile time, as a constant: what an instance typed by its
// shape (and code specialised for it) reads its displacements from.
template <ModuleShape Shape>
struct StaticOffsets {
  static constexpr VMOffsets value{Shape};
  static_assert(value.ok(), "the VMContext of this module shape exceeds VMOffsets::kMaxSize");
};

}  // namespace wasm::detail
// ---- end include/wasm/detail/env/vmoffsets.hpp ----

namespace wasm::detail {

static_assert(sizeof(void*) == 8, "the VMContext layout is written for x86-64");

// Opaque here: a VMContext is a block of VMOffsets::size() bytes reached only by offsets.
struct VMContext;

// The first field of every VMContext: "wasm" in memory order.
inline constexpr uint32_t kVMContextMagic =
    uint32_t('w') | uint32_t('a') << 8 | uint32_t('s') << 16 | uint32_t('m') << 24;

// Whether a callee/caller context pointer is an instance's VMContext rather than a host
// function's context (which starts with a magic of its own).
inline bool is_instance_vmctx(const void* ctx) {
  return *static_cast<const uint32_t*>(ctx) == kVMContextMagic;
}

struct VMMemoryDefinition {
  uint8_t* base = nullptr;
  uint64_t current_length = 0;  // bytes
};

struct VMTableDefinition {
  void* base = nullptr;
  uint64_t current_elements = 0;
};

// A global's value, of any type; JIT code reads and writes it in place at offset 0.
struct alignas(16) VMGlobalDefinition {
  unsigned char storage[16] = {};

  template <typename T>
  T get() const {
    static_assert(std::is_trivially_copyable_v<T> && sizeof(T) <= sizeof(storage));
    T value;
    std::memcpy(&value, storage, sizeof(T));
    return value;
  }
  template <typename T>
  void set(const T& value) {
    static_assert(std::is_trivially_copyable_v<T> && sizeof(T) <= sizeof(storage));
    std::memcpy(storage, &value, sizeof(T));
  }
};

struct VMFunctionImport {
  void* code = nullptr;
  VMContext* vmctx = nullptr;
};

struct VMTableImport {
  VMTableDefinition* from = nullptr;
  VMContext* vmctx = nullptr;
};

struct VMMemoryImport {
  VMMemoryDefinition* from = nullptr;
  VMContext* vmctx = nullptr;
};

struct VMGlobalImport {
  VMGlobalDefinition* from = nullptr;
};

struct VMFuncRef {
  void* code = nullptr;
  VMContext* vmctx = nullptr;
  uint32_t type_id = 0;  // engine-wide shared signature id
  uint32_t padding = 0;
};

// Raw frames captured at a trap (return addresses of wasm frames, innermost first), copied
// without allocating so that the signal handler can fill it too.
struct TrapBacktrace {
  static constexpr size_t kMaxFrames = 64;
  uintptr_t pcs[kMaxFrames];
  uint32_t count = 0;
  bool truncated = false;
};

struct VMStoreContext {
  // Read by JIT code (displacements below are part of the ABI).
  uintptr_t stack_limit = 0;     // function prologues trap when rsp drops below this; 0 while
                                 // no wasm of the store runs (enter_wasm)
  int64_t fuel_consumed = 0;     // counts up; a value >= 0 means the fuel is used up
  uint64_t epoch_deadline = ~uint64_t(0);
  const std::atomic<uint64_t>* epoch_counter = nullptr;  // the Engine's epoch

  // Set when a trap unwinds to the entry trampoline; the host side reads and clears it.
  uint32_t trap_code = 0;  // 0 = none, else 1 + TrapCode
  uint32_t padding = 0;
  uintptr_t trap_pc = 0;
  uintptr_t trap_fp = 0;
  TrapBacktrace backtrace;

  // The Store that owns this context (type-erased), for builtins and host functions.
  void* store = nullptr;
};

// Displacements JIT code uses, from the one layout table (env/vmctx_layout.def); the struct
// above is checked against it here, where it is complete.
namespace store_ctx {
inline constexpr uint32_t kStackLimit = vmlayout::VMStoreContext::stack_limit;
inline constexpr uint32_t kFuelConsumed = vmlayout::VMStoreContext::fuel_consumed;
inline constexpr uint32_t kEpochDeadline = vmlayout::VMStoreContext::epoch_deadline;
inline constexpr uint32_t kEpochCounter = vmlayout::VMStoreContext::epoch_counter;
inline constexpr uint32_t kTrapCode = vmlayout::VMStoreContext::trap_code;
}  // namespace store_ctx

// The prefix fields are a u32 and three pointers.
static_assert(region_info(VMRegion::magic).element_size == sizeof(kVMContextMagic));
static_assert(region_info(VMRegion::store_context).element_size == sizeof(VMStoreContext*));
static_assert(region_info(VMRegion::builtins).element_size == sizeof(void*));
static_assert(region_info(VMRegion::type_ids).element_size == sizeof(const uint32_t*));

#define WASM_VM_RECORD(Record, size, align)                                             \
  static_assert(sizeof(Record) == (size) && alignof(Record) == (align),                 \
                #Record ": size or alignment differs from vmctx_layout.def");           \
  static_assert(std::is_standard_layout_v<Record> && std::is_trivially_copyable_v<Record>, \
                #Record ": JIT code needs a plain C layout");
#define WASM_VM_FIELD(Record, field, offset, size)                                   \
  static_assert(offsetof(Record, field) == (offset) && sizeof(Record::field) == (size), \
                #Record "::" #field ": offset or size differs from vmctx_layout.def");
// ---- begin include/wasm/detail/env/vmctx_layout.def ----
// The VMContext layout and the records inside it, written down once. Nothing else states
// this order: vmoffsets.hpp walks the regions to compute offsets, and env/vm_records.hpp
// checks its C++ structs against the records. Include this file after defining the macros you
// need; the ones left undefined expand to nothing, and all are undefined again at the end.
//
// WASM_VM_RECORD(Record, size, align)
//     A record that JIT code reads or writes. `size` and `align` are those of the C++ struct.
// WASM_VM_FIELD(Record, field, offset, size)
//     One field of a record, at a byte offset from the record's start. (`size` and `align`
//     are reserved as field names: they name the record's own size and alignment.)
// WASM_VMCTX_FIXED(name, size, align)
//     A field that every VMContext has exactly once. All of them come before the arrays, so
//     their offsets do not depend on the module and JIT code can use them as constants.
// WASM_VMCTX_ARRAY(name, count, Record)
//     One Record per unit of `shape.count` (an expression on a ModuleShape `shape`).
//
// Each region starts at the next multiple of its alignment; the VMContext as a whole is
// aligned to the largest alignment of any region (16, for v128 globals). x86-64 only.

#ifndef WASM_VM_RECORD
#define WASM_VM_RECORD(Record, size, align)
#endif
#ifndef WASM_VM_FIELD
#define WASM_VM_FIELD(Record, field, offset, size)
#endif
#ifndef WASM_VMCTX_FIXED
#define WASM_VMCTX_FIXED(name, size, align)
#endif
#ifndef WASM_VMCTX_ARRAY
#define WASM_VMCTX_ARRAY(name, count, Record)
#endif

// A linear memory owned by this instance (or, through an import, by another one).
WASM_VM_RECORD(VMMemoryDefinition, 16, 8)
WASM_VM_FIELD(VMMemoryDefinition, base, 0, 8)
WASM_VM_FIELD(VMMemoryDefinition, current_length, 8, 8)  // bytes

// A table owned by this instance: `base` points at `current_elements` reference slots.
WASM_VM_RECORD(VMTableDefinition, 16, 8)
WASM_VM_FIELD(VMTableDefinition, base, 0, 8)
WASM_VM_FIELD(VMTableDefinition, current_elements, 8, 8)

// A global's value; 16 bytes so that a v128 fits, smaller types sit at offset 0.
WASM_VM_RECORD(VMGlobalDefinition, 16, 16)
WASM_VM_FIELD(VMGlobalDefinition, storage, 0, 16)

// An imported function: its code, and the VMContext that code expects as its callee context.
WASM_VM_RECORD(VMFunctionImport, 16, 8)
WASM_VM_FIELD(VMFunctionImport, code, 0, 8)
WASM_VM_FIELD(VMFunctionImport, vmctx, 8, 8)

// Imported tables and memories point at the exporter's definition, and name its VMContext
// for libcalls (grow, fill, ...) that must act on the owner.
WASM_VM_RECORD(VMTableImport, 16, 8)
WASM_VM_FIELD(VMTableImport, from, 0, 8)
WASM_VM_FIELD(VMTableImport, vmctx, 8, 8)

WASM_VM_RECORD(VMMemoryImport, 16, 8)
WASM_VM_FIELD(VMMemoryImport, from, 0, 8)
WASM_VM_FIELD(VMMemoryImport, vmctx, 8, 8)

// Globals need no owner context: reads and writes go straight through the pointer.
WASM_VM_RECORD(VMGlobalImport, 8, 8)
WASM_VM_FIELD(VMGlobalImport, from, 0, 8)

// What a funcref value points at: enough to call the function and to check its signature
// (`type_id` is the engine-wide shared signature id) in call_indirect.
WASM_VM_RECORD(VMFuncRef, 24, 8)
WASM_VM_FIELD(VMFuncRef, code, 0, 8)
WASM_VM_FIELD(VMFuncRef, vmctx, 8, 8)
WASM_VM_FIELD(VMFuncRef, type_id, 16, 4)

// Per-Store state (VMStoreContext, reached through the VMContext's store_context field): the
// fields that JIT code and the trampolines read or write. The rest of the struct (the trap's
// backtrace, the owning store) only the runtime reads, so it is not part of this layout.
WASM_VM_RECORD(VMStoreContext, 584, 8)
WASM_VM_FIELD(VMStoreContext, stack_limit, 0, 8)      // prologues trap when rsp is below it
WASM_VM_FIELD(VMStoreContext, fuel_consumed, 8, 8)    // counts up; >= 0: fuel used up
WASM_VM_FIELD(VMStoreContext, epoch_deadline, 16, 8)
WASM_VM_FIELD(VMStoreContext, epoch_counter, 24, 8)   // the Engine's epoch counter
WASM_VM_FIELD(VMStoreContext, trap_code, 32, 4)       // 0 = none, else 1 + TrapCode

// The VMContext itself, in order.
WASM_VMCTX_FIXED(magic, 4, 4)          // kVMContextMagic, to catch a wrong pointer early
WASM_VMCTX_FIXED(store_context, 8, 8)  // VMStoreContext*: stack limit, fuel, epoch, trap exit
WASM_VMCTX_FIXED(builtins, 8, 8)       // table of libcall function pointers
WASM_VMCTX_FIXED(type_ids, 8, 8)       // const uint32_t*: shared signature id by type index
// Defined memories first, so that memory 0's base is a one-byte displacement.
WASM_VMCTX_ARRAY(memories, num_defined_memories, VMMemoryDefinition)
WASM_VMCTX_ARRAY(imported_functions, num_imported_funcs, VMFunctionImport)
WASM_VMCTX_ARRAY(imported_tables, num_imported_tables, VMTableImport)
WASM_VMCTX_ARRAY(imported_memories, num_imported_memories, VMMemoryImport)
WASM_VMCTX_ARRAY(imported_globals, num_imported_globals, VMGlobalImport)
WASM_VMCTX_ARRAY(tables, num_defined_tables, VMTableDefinition)
WASM_VMCTX_ARRAY(globals, num_defined_globals, VMGlobalDefinition)
// One per function in the index space (imported ones too), so that ref.func, tables and
// exports can hand out pointers that stay valid as long as the instance.
WASM_VMCTX_ARRAY(func_refs, num_funcs(), VMFuncRef)

#undef WASM_VM_RECORD
#undef WASM_VM_FIELD
#undef WASM_VMCTX_FIXED
#undef WASM_VMCTX_ARRAY
// ---- end include/wasm/detail/env/vmctx_layout.def ----

}  // namespace wasm::detail
// ---- end include/wasm/detail/env/vm_records.hpp ----

namespace wasm::detail {

enum class Builtin : uint32_t {
#define WASM_BUILTIN(name, ret, ...) name,
// ---- begin include/wasm/detail/env/builtins.def ----
// The runtime functions ("builtins", libcalls) that JIT code calls through the table at
// VMOffsets::builtins(). One line each; VMBuiltins (builtins.hpp) is generated from this list,
// and JIT code calls entry i at displacement i * 8 of the table.
//
//   WASM_BUILTIN(name, return type, parameter types...)
//
// Every builtin is a plain C++ function with the System V ABI. The first parameter is always
// the calling instance's VMContext*. Builtins that can trap do not return when they do: they
// record the trap in the VMStoreContext and unwind to the entry trampoline. Index arguments
// (memory, table, data, element) are module-level indices, imported entities included.
// Addresses and lengths are u64 so that memory64 needs no second set.

WASM_BUILTIN(memory_grow,   uint64_t, VMContext*, uint32_t /*memory*/, uint64_t /*delta pages*/)  // old pages or ~0
WASM_BUILTIN(memory_fill,   void, VMContext*, uint32_t /*memory*/, uint64_t /*dst*/, uint32_t /*byte*/, uint64_t /*len*/)
WASM_BUILTIN(memory_copy,   void, VMContext*, uint32_t /*dst memory*/, uint32_t /*src memory*/, uint64_t /*dst*/, uint64_t /*src*/, uint64_t /*len*/)
WASM_BUILTIN(memory_init,   void, VMContext*, uint32_t /*memory*/, uint32_t /*data*/, uint64_t /*dst*/, uint32_t /*src*/, uint32_t /*len*/)
WASM_BUILTIN(data_drop,     void, VMContext*, uint32_t /*data*/)
WASM_BUILTIN(table_get,     void*, VMContext*, uint32_t /*table*/, uint32_t /*index*/)  // funcref: VMFuncRef* or null
WASM_BUILTIN(table_set,     void, VMContext*, uint32_t /*table*/, uint32_t /*index*/, void* /*value*/)
WASM_BUILTIN(table_grow,    uint32_t, VMContext*, uint32_t /*table*/, uint32_t /*delta*/, void* /*init*/)  // old size or ~0
WASM_BUILTIN(table_fill,    void, VMContext*, uint32_t /*table*/, uint32_t /*dst*/, void* /*value*/, uint32_t /*len*/)
WASM_BUILTIN(table_copy,    void, VMContext*, uint32_t /*dst table*/, uint32_t /*src table*/, uint32_t /*dst*/, uint32_t /*src*/, uint32_t /*len*/)
WASM_BUILTIN(table_init,    void, VMContext*, uint32_t /*table*/, uint32_t /*elem*/, uint32_t /*dst*/, uint32_t /*src*/, uint32_t /*len*/)
WASM_BUILTIN(elem_drop,     void, VMContext*, uint32_t /*elem*/)
// call_indirect found a slot that was never initialised (0): initialise it and return the
// VMFuncRef* (null for a null entry). The caller has already bounds-checked `index`.
WASM_BUILTIN(table_lazy_init, VMFuncRef*, VMContext*, uint32_t /*table*/, uint32_t /*index*/)
// Explicit traps (unreachable, division, conversion, call_indirect checks, stack overflow):
// never return. Called from out-of-line trap stubs, so the return address is the trap's pc.
WASM_BUILTIN(raise_trap,    void, VMContext*, uint32_t /*TrapCode*/)
// The fuel counter went non-negative / the epoch reached the deadline: trap (or, later, refuel
// or yield and return).
WASM_BUILTIN(out_of_fuel,   void, VMContext*)
WASM_BUILTIN(epoch_deadline_reached, void, VMContext*)
// ---- end include/wasm/detail/env/builtins.def ----
#undef WASM_BUILTIN
  count
};

struct VMBuiltins {
#define WASM_BUILTIN(name, ret, ...) ret (*name)(__VA_ARGS__) = nullptr;
// ---- begin include/wasm/detail/env/builtins.def ----
// The runtime functions ("builtins", libcalls) that JIT code calls through the table at
// VMOffsets::builtins(). One line each; VMBuiltins (builtins.hpp) is generated from this list,
// and JIT code calls entry i at displacement i * 8 of the table.
//
//   WASM_BUILTIN(name, return type, parameter types...)
//
// Every builtin is a plain C++ function with the System V ABI. The first parameter is always
// the calling instance's VMContext*. Builtins that can trap do not return when they do: they
// record the trap in the VMStoreContext and unwind to the entry trampoline. Index arguments
// (memory, table, data, element) are module-level indices, imported entities included.
// Addresses and lengths are u64 so that memory64 needs no second set.

WASM_BUILTIN(memory_grow,   uint64_t, VMContext*, uint32_t /*memory*/, uint64_t /*delta pages*/)  // old pages or ~0
WASM_BUILTIN(memory_fill,   void, VMContext*, uint32_t /*memory*/, uint64_t /*dst*/, uint32_t /*byte*/, uint64_t /*len*/)
WASM_BUILTIN(memory_copy,   void, VMContext*, uint32_t /*dst memory*/, uint32_t /*src memory*/, uint64_t /*dst*/, uint64_t /*src*/, uint64_t /*len*/)
WASM_BUILTIN(memory_init,   void, VMContext*, uint32_t /*memory*/, uint32_t /*data*/, uint64_t /*dst*/, uint32_t /*src*/, uint32_t /*len*/)
WASM_BUILTIN(data_drop,     void, VMContext*, uint32_t /*data*/)
WASM_BUILTIN(table_get,     void*, VMContext*, uint32_t /*table*/, uint32_t /*index*/)  // funcref: VMFuncRef* or null
WASM_BUILTIN(table_set,     void, VMContext*, uint32_t /*table*/, uint32_t /*index*/, void* /*value*/)
WASM_BUILTIN(table_grow,    uint32_t, VMContext*, uint32_t /*table*/, uint32_t /*delta*/, void* /*init*/)  // old size or ~0
WASM_BUILTIN(table_fill,    void, VMContext*, uint32_t /*table*/, uint32_t /*dst*/, void* /*value*/, uint32_t /*len*/)
WASM_BUILTIN(table_copy,    void, VMContext*, uint32_t /*dst table*/, uint32_t /*src table*/, uint32_t /*dst*/, uint32_t /*src*/, uint32_t /*len*/)
WASM_BUILTIN(table_init,    void, VMContext*, uint32_t /*table*/, uint32_t /*elem*/, uint32_t /*dst*/, uint32_t /*src*/, uint32_t /*len*/)
WASM_BUILTIN(elem_drop,     void, VMContext*, uint32_t /*elem*/)
// call_indirect found a slot that was never initialised (0): initialise it and return the
// VMFuncRef* (null for a null entry). The caller has already bounds-checked `index`.
WASM_BUILTIN(table_lazy_init, VMFuncRef*, VMContext*, uint32_t /*table*/, uint32_t /*index*/)
// Explicit traps (unreachable, division, conversion, call_indirect checks, stack overflow):
// never return. Called from out-of-line trap stubs, so the return address is the trap's pc.
WASM_BUILTIN(raise_trap,    void, VMContext*, uint32_t /*TrapCode*/)
// The fuel counter went non-negative / the epoch reached the deadline: trap (or, later, refuel
// or yield and return).
WASM_BUILTIN(out_of_fuel,   void, VMContext*)
WASM_BUILTIN(epoch_deadline_reached, void, VMContext*)
// ---- end include/wasm/detail/env/builtins.def ----
#undef WASM_BUILTIN
};

// Displacement of a builtin's pointer inside the table.
constexpr uint32_t builtin_offset(Builtin b) { return uint32_t(b) * 8; }

static_assert(sizeof(VMBuiltins) == uint32_t(Builtin::count) * 8);

}  // namespace wasm::detail
// ---- end include/wasm/detail/env/builtins.hpp ----
// ---- begin include/wasm/detail/vm/linear_memory.hpp ----
// LinearMemory: the bytes of one wasm memory, mapped from the OS and published to JIT code
// through a VMMemoryDefinition {base, current_length}.
//
// Two layouts:
//  * Reserved: the whole address range the memory can ever use is reserved PROT_NONE up
//    front and the accessible prefix is made read+write; grow only changes protection, so the
//    base never moves. 32-bit memories in GuardPages mode reserve 4 GiB plus a guard region,
//    so that any 32-bit index plus static offset lands in the memory or in PROT_NONE space
//    and JIT code needs no bounds check (see guard_covers_access). In Explicit mode, and for
//    64-bit memories, a declared maximum that fits `explicit_reserve_budget` is reserved the
//    same way, without a guard.
//  * Moving: otherwise (Explicit mode or memory64, with no maximum or one too large to
//    reserve) only the current size is mapped and grow uses mremap, which may move the base.
//    The bound definition always holds the new base, so JIT code must reload the base from it
//    after any call that can grow memory.
// Either way pages come zeroed from the kernel and are never reused while the memory lives,
// and the destructor returns the whole mapping to the system.
// A memory can also live in a MemorySlot that an allocator reserved (create_in): the Reserved
// layout in address space it does not own; the destructor hands the slot back instead.
#include <sys/mman.h>

#include <cerrno>

// ---- begin include/wasm/config.hpp ----
// Config: the settings an Engine is created with.

// ---- begin include/wasm/pooling_config.hpp ----
// PoolingAllocationConfig: the limits of the pooling instance allocator (Config::
// allocation_strategy). The pool reserves every slot once, when the Engine is created, and
// reuses them: instantiation then costs no mmap/munmap of fresh address space. An
// instantiation that needs more slots than are free fails with a resource error.

namespace wasm {

struct PoolingAllocationConfig {
  // Instances (each holds one Instance + VMContext slot) alive at once across all stores.
  uint32_t total_core_instances = 1000;
  // Defined linear memories alive at once. A 32-bit memory in the GuardPages mode takes
  // 4 GiB + guard of address space (8 GiB) whatever max_memory_size is, so that JIT code keeps
  // its unchecked accesses; in the Explicit mode a slot is max_memory_size bytes.
  uint32_t total_memories = 1000;
  // Defined tables alive at once.
  uint32_t total_tables = 1000;
  // The largest a pooled memory may be or grow to; memory.grow past it returns -1.
  uint64_t max_memory_size = uint64_t(4) << 30;
  // The most elements a pooled table may have or grow to.
  uint32_t table_elements = 20'000;
  // The largest Instance + VMContext a slot holds (bytes).
  uint32_t max_core_instance_size = 1 << 20;
  // When a memory goes back to the pool, its first N bytes are reset by writing them (zeros,
  // or the module's data image) instead of madvise(MADV_DONTNEED): they stay resident, so the
  // next instance neither makes a system call nor takes page faults there. The rest is
  // discarded with MADV_DONTNEED. Rounded down to the host page size.
  uint64_t linear_memory_keep_resident = 0;
  // The same for a table's slot array.
  uint64_t table_keep_resident = 0;
};

}  // namespace wasm
// ---- end include/wasm/pooling_config.hpp ----

namespace wasm {

// How linear-memory accesses are kept in bounds.
enum class BoundsChecks : unsigned char {
  GuardPages,  // reserve 4 GiB + guard per 32-bit memory; accesses need no check (default)
  Explicit,    // compare every access with the current length; for small address spaces
};

// Which profiler Engine-compiled code is announced to (see detail/jit/profiling/).
enum class ProfilingStrategy : unsigned char {
  None,
  PerfMap,  // append every function to /tmp/perf-<pid>.map (perf report names them)
  JitDump,  // write jit-<pid>.dump with code bytes, for `perf record -k mono` + `perf inject --jit`
};

// Where instances, memories and tables come from: mapped on demand (the default) or taken
// from per-engine pools of reserved slots (PoolingAllocationConfig).
enum class AllocationStrategy : unsigned char { OnDemand, Pooling };

class Config {
 public:
  Config& allocation_strategy(AllocationStrategy strategy) { strategy_ = strategy; return *this; }
  Config& allocation_strategy(const PoolingAllocationConfig& pool) {
    strategy_ = AllocationStrategy::Pooling;
    pooling_ = pool;
    return *this;
  }
  // Lay a module's data segments out once in a memory image and map it copy-on-write into each
  // instance's memory (where the segments are static; otherwise they are copied). On by default.
  Config& memory_init_cow(bool on) { memory_init_cow_ = on; return *this; }
  Config& consume_fuel(bool on) { consume_fuel_ = on; return *this; }
  Config& epoch_interruption(bool on) { epoch_interruption_ = on; return *this; }
  Config& bounds_checks(BoundsChecks mode) { bounds_checks_ = mode; return *this; }
  Config& max_wasm_stack(size_t bytes) { max_wasm_stack_ = bytes; return *this; }
  Config& parallel_compilation(bool on) { parallel_compilation_ = on; return *this; }
  Config& wasm_features(const Features& features) { features_ = features; return *this; }
  // Generate code for the x86-64 floor the JIT requires (SSE4.1) even when the CPU has more
  // (SSE4.2, POPCNT, LZCNT, BMI1, AVX, AVX2): tests use it to run the fallback sequences.
  Config& force_sse41(bool on) { force_sse41_ = on; return *this; }
  Config& profiling_strategy(ProfilingStrategy s) { profiling_strategy_ = s; return *this; }
  // Register compiled code with the GDB JIT interface, so that debuggers name wasm frames.
  Config& debug_info(bool on) { debug_info_ = on; return *this; }

  bool consume_fuel() const { return consume_fuel_; }
  bool epoch_interruption() const { return epoch_interruption_; }
  BoundsChecks bounds_checks() const { return bounds_checks_; }
  size_t max_wasm_stack() const { return max_wasm_stack_; }
  bool parallel_compilation() const { return parallel_compilation_; }
  const Features& wasm_features() const { return features_; }
  bool force_sse41() const { return force_sse41_; }
  ProfilingStrategy profiling_strategy() const { return profiling_strategy_; }
  bool debug_info() const { return debug_info_; }
  AllocationStrategy allocation_strategy() const { return strategy_; }
  const PoolingAllocationConfig& pooling() const { return pooling_; }
  bool memory_init_cow() const { return memory_init_cow_; }
  Features& wasm_features() { return features_; }

 private:
  bool consume_fuel_ = false;
  bool epoch_interruption_ = false;
  BoundsChecks bounds_checks_ = BoundsChecks::GuardPages;
  size_t max_wasm_stack_ = 512 * 1024;
  bool parallel_compilation_ = true;
  bool force_sse41_ = false;
  ProfilingStrategy profiling_strategy_ = ProfilingStrategy::None;
  bool debug_info_ = false;
  Features features_;
  AllocationStrategy strategy_ = AllocationStrategy::OnDemand;
  PoolingAllocationConfig pooling_;
  bool memory_init_cow_ = true;
};

}  // namespace wasm
// ---- end include/wasm/config.hpp ----
// ---- begin include/wasm/detail/vm/memory_slot.hpp ----
// MemorySlot: address space that an allocator reserved for linear memories and lends to one
// LinearMemory at a time (a pool slot, or a cached reservation). The memory asks the owner to
// prepare the slot's first bytes and gives the slot back when it is destroyed; the owner
// decides how to reset it for the next memory.


namespace wasm::detail {

class MemorySlotOwner {
 public:
  // Makes the first `bytes` of slot `index` read+write with the slot's initial contents (zeros,
  // or the memory image it was taken for) and the rest of the slot PROT_NONE.
  virtual Result<void> prepare(uint32_t index, uint64_t bytes) = 0;
  // The memory is gone. Its first `accessible_bytes` were read+write (and may have been
  // written); the rest of the slot is PROT_NONE.
  virtual void release(uint32_t index, uint64_t accessible_bytes) noexcept = 0;

 protected:
  ~MemorySlotOwner() = default;
};

struct MemorySlot {
  MemorySlotOwner* owner = nullptr;
  uint32_t index = 0;
  uint8_t* base = nullptr;
  uint64_t reservation_bytes = 0;  // all of it PROT_NONE beyond what is accessible
  uint64_t max_bytes = 0;          // the memory may not grow past this
};

}  // namespace wasm::detail
// ---- end include/wasm/detail/vm/memory_slot.hpp ----
// ---- begin include/wasm/detail/vm/resource_limiter.hpp ----
// ResourceLimiter: the embedder's say over how large memories and tables may grow. A Store
// holds one (the public API will expose it) and passes it to every create and grow call, so no
// memory or table keeps a pointer that could outlive it.

namespace wasm::detail {

class ResourceLimiter {
 public:
  virtual ~ResourceLimiter() = default;

  // A memory wants to go from `current_bytes` to `desired_bytes`; creation asks with a current
  // size of 0. `maximum_bytes` is the declared maximum, if any. Returning false refuses: a
  // memory.grow then returns -1, a creation fails with a resource error.
  virtual bool memory_growing(uint64_t current_bytes, uint64_t desired_bytes,
                              std::optional<uint64_t> maximum_bytes) {
    (void)current_bytes, (void)desired_bytes, (void)maximum_bytes;
    return true;
  }

  // The same for a table, counted in elements.
  virtual bool table_growing(uint64_t current_elements, uint64_t desired_elements,
                             std::optional<uint64_t> maximum_elements) {
    (void)current_elements, (void)desired_elements, (void)maximum_elements;
    return true;
  }
};

}  // namespace wasm::detail
// ---- end include/wasm/detail/vm/resource_limiter.hpp ----

namespace wasm::detail {

inline constexpr uint64_t kGiB = 1ull << 30;
inline constexpr uint64_t k32BitAddressSpace = 4 * kGiB;

// A 32-bit index (< 4 GiB) plus a 32-bit static offset plus an access of up to 16 bytes ends
// below 8 GiB + 14; one more wasm page of guard covers that tail.
inline constexpr uint64_t kDefaultGuardBytes = k32BitAddressSpace + kPageSize;

struct MemorySettings {
  BoundsChecks bounds_checks = BoundsChecks::GuardPages;
  // PROT_NONE bytes after the 4 GiB of a guard-page memory.
  uint64_t guard_bytes = kDefaultGuardBytes;
  // Explicit mode and memory64: reserve the declared maximum up front (fixed base) when it is
  // at most this many bytes; otherwise map only the current size and move on grow.
  uint64_t explicit_reserve_budget = 1 * kGiB;
  // memory64 allows 2^48 pages; no host has that, so growth stops here (16 GiB).
  uint64_t memory64_max_pages = 1ull << 18;
};

// Whether JIT code may skip the bounds check of an `access_size`-byte access at static
// `offset` on a guard-page memory: true when even the largest 32-bit index makes its last
// byte fall inside the 4 GiB + `guard_bytes` reservation.
constexpr bool guard_covers_access(uint64_t guard_bytes, uint64_t offset, uint64_t access_size) {
  // last byte = (2^32 - 1) + offset + access_size - 1 < 2^32 + guard_bytes
  return access_size >= 1 && offset <= guard_bytes && access_size <= guard_bytes - offset + 1;
}

class LinearMemory {
 public:
  // Maps a memory of `type.limits.min` pages. Fails with a resource error when the minimum is
  // beyond what the memory may hold, the limiter refuses, or the OS has no address space.
  static Result<std::unique_ptr<LinearMemory>> create(const MemoryType& type,
                                                      const MemorySettings& settings = {},
                                                      ResourceLimiter* limiter = nullptr) {
    if (type.limits.shared) return Error(ErrorKind::Resource, "shared memories are not supported");
    std::unique_ptr<LinearMemory> memory(new LinearMemory(type, settings));
    const uint64_t min_pages = type.limits.min;
    if (min_pages > memory->page_limit_ || (type.limits.max && min_pages > *type.limits.max))
      return Error(ErrorKind::Resource, "memory minimum of " + std::to_string(min_pages) +
                                            " pages exceeds its limit");
    if (limiter && !limiter->memory_growing(0, min_pages * kPageSize, memory->maximum_bytes()))
      return Error(ErrorKind::Resource, "memory creation refused by the resource limiter");
    if (Result<void> mapped = memory->map_initial(min_pages * kPageSize); !mapped)
      return std::move(mapped).error();
    return memory;
  }

  // The same in `slot`, which must reserve 4 GiB + settings.guard_bytes for a 32-bit memory in
  // the GuardPages mode. The memory may not grow past slot.max_bytes.
  static Result<std::unique_ptr<LinearMemory>> create_in(const MemoryType& type,
                                                         const MemorySettings& settings,
                                                         ResourceLimiter* limiter, MemorySlot slot) {
    std::unique_ptr<LinearMemory> memory(new LinearMemory(type, settings));
    memory->adopt(slot);  // from here on the destructor gives the slot back
    const uint64_t min_pages = type.limits.min;
    if (min_pages > memory->page_limit_ || (type.limits.max && min_pages > *type.limits.max))
      return Error(ErrorKind::Resource, "memory minimum of " + std::to_string(min_pages) +
                                            " pages exceeds its limit");
    if (limiter && !limiter->memory_growing(0, min_pages * kPageSize, memory->maximum_bytes()))
      return Error(ErrorKind::Resource, "memory creation refused by the resource limiter");
    if (Result<void> prepared = slot.owner->prepare(slot.index, min_pages * kPageSize); !prepared)
      return std::move(prepared).error();
    memory->length_ = min_pages * kPageSize;
    memory->publish();
    return memory;
  }

  ~LinearMemory() {
    if (slot_.owner) slot_.owner->release(slot_.index, length_);
    else if (mapping_bytes_ != 0) ::munmap(base_, mapping_bytes_);
  }
  LinearMemory(const LinearMemory&) = delete;
  LinearMemory& operator=(const LinearMemory&) = delete;

  // memory.grow: adds `delta_pages` zeroed pages and returns the old page count. On failure
  // (past the maximum or the page limit, refused by the limiter, the OS said no) nothing has
  // changed. A grow by 0 always succeeds and does not consult the limiter.
  Result<uint64_t> grow(uint64_t delta_pages, ResourceLimiter* limiter = nullptr) {
    const uint64_t old_pages = pages();
    if (delta_pages == 0) return old_pages;
    if (delta_pages > page_limit_ - old_pages)
      return Error(ErrorKind::Resource, "memory cannot grow past " + std::to_string(page_limit_) +
                                            " pages");
    const uint64_t new_bytes = (old_pages + delta_pages) * kPageSize;
    if (limiter && !limiter->memory_growing(length_, new_bytes, maximum_bytes()))
      return Error(ErrorKind::Resource, "memory growth refused by the resource limiter");
    if (Result<void> committed = commit(new_bytes); !committed) return std::move(committed).error();
    publish();
    return old_pages;
  }

  // Makes `definition` (a slot in the owning instance's VMContext) the one kept current;
  // null goes back to the definition inside this object.
  void bind_definition(VMMemoryDefinition* definition) {
    definition_ = definition ? definition : &own_definition_;
    publish();
  }
  VMMemoryDefinition* definition() { return definition_; }

  uint8_t* base() const { return base_; }
  uint64_t size_bytes() const { return length_; }
  uint64_t pages() const { return length_ / kPageSize; }
  std::optional<uint64_t> maximum_pages() const { return declared_.limits.max; }
  // The declared type with the current size as its minimum, as the spec's memory instance
  // keeps it (import matching of a grown memory depends on this).
  MemoryType type() const {
    MemoryType t = declared_;
    t.limits.min = pages();
    return t;
  }
  std::span<uint8_t> data() const { return {base_, static_cast<size_t>(length_)}; }

  // What the JIT needs to know: whether accesses must be compared with current_length, and
  // whether the base can change under it.
  bool needs_bounds_checks() const { return guard_bytes_ == 0; }
  bool base_can_move() const { return layout_ == Layout::Moving; }
  uint64_t guard_bytes() const { return guard_bytes_; }

 private:
  enum class Layout { Reserved, Moving };

  LinearMemory(const MemoryType& type, const MemorySettings& settings) : declared_(type) {
    const uint64_t absolute_limit = type.is64 ? settings.memory64_max_pages : kMaxPages32;
    page_limit_ = type.limits.max ? std::min(*type.limits.max, absolute_limit) : absolute_limit;
    if (!type.is64 && settings.bounds_checks == BoundsChecks::GuardPages) {
      layout_ = Layout::Reserved;
      guard_bytes_ = round_up_to_host_page(settings.guard_bytes);
      reservation_bytes_ = k32BitAddressSpace + guard_bytes_;
    } else if (type.limits.max && page_limit_ * kPageSize <= settings.explicit_reserve_budget) {
      layout_ = Layout::Reserved;
      reservation_bytes_ = page_limit_ * kPageSize;
    } else {
      layout_ = Layout::Moving;
    }
  }

  void adopt(const MemorySlot& slot) {
    slot_ = slot;
    layout_ = Layout::Reserved;
    base_ = slot.base;
    reservation_bytes_ = slot.reservation_bytes;
    mapping_bytes_ = 0;
    page_limit_ = std::min(page_limit_, slot.max_bytes / kPageSize);
  }

  static uint64_t round_up_to_host_page(uint64_t bytes) {
    constexpr uint64_t kHostPage = 4096;
    return bytes > UINT64_MAX - (kHostPage - 1) ? UINT64_MAX & ~(kHostPage - 1)
                                                 : (bytes + kHostPage - 1) & ~(kHostPage - 1);
  }

  std::optional<uint64_t> maximum_bytes() const {
    if (!declared_.limits.max) return std::nullopt;
    return std::min(*declared_.limits.max, page_limit_) * kPageSize;
  }

  static Error os_error(const char* what, uint64_t bytes) {
    return Error(ErrorKind::Resource, std::string(what) + " of " + std::to_string(bytes) +
                                          " bytes failed: " + std::strerror(errno));
  }

  Result<void> map_initial(uint64_t bytes) {
    if (layout_ == Layout::Reserved) {
      if (reservation_bytes_ < k32BitAddressSpace && guard_bytes_ != 0)
        return Error(ErrorKind::Resource, "guard region size overflows the address space");
      if (reservation_bytes_ != 0) {
        void* p = ::mmap(nullptr, reservation_bytes_, PROT_NONE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) return os_error("reserving memory", reservation_bytes_);
        base_ = static_cast<uint8_t*>(p);
        mapping_bytes_ = reservation_bytes_;
      }
    }
    if (Result<void> committed = commit(bytes); !committed) return committed;
    publish();
    return {};
  }

  // Makes the first `new_bytes` accessible. Leaves the state as it was on failure.
  Result<void> commit(uint64_t new_bytes) {
    if (new_bytes == length_) return {};
    if (layout_ == Layout::Reserved) {
      uint8_t* start = base_ + length_;
      if (::mprotect(start, new_bytes - length_, PROT_READ | PROT_WRITE) != 0) {
        Error error = os_error("committing memory", new_bytes);
        ::mprotect(start, new_bytes - length_, PROT_NONE);  // undo any part that did change
        return error;
      }
    } else {
      void* p = mapping_bytes_ == 0
                    ? ::mmap(nullptr, new_bytes, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
                    : ::mremap(base_, mapping_bytes_, new_bytes, MREMAP_MAYMOVE);
      if (p == MAP_FAILED) return os_error("mapping memory", new_bytes);
      base_ = static_cast<uint8_t*>(p);
      mapping_bytes_ = new_bytes;
    }
    length_ = new_bytes;
    return {};
  }

  void publish() {
    definition_->base = base_;
    definition_->current_length = length_;
  }

  MemoryType declared_;
  Layout layout_ = Layout::Moving;
  uint64_t page_limit_ = 0;         // min(declared maximum, absolute page cap)
  uint64_t guard_bytes_ = 0;        // 0 unless JIT code may rely on the guard
  uint64_t reservation_bytes_ = 0;  // Reserved layout: everything the memory can ever use
  uint8_t* base_ = nullptr;
  uint64_t length_ = 0;
  uint64_t mapping_bytes_ = 0;  // what the destructor unmaps
  MemorySlot slot_;             // or, with an owner, what it gives back
  VMMemoryDefinition own_definition_;
  VMMemoryDefinition* definition_ = &own_definition_;
};

}  // namespace wasm::detail
// ---- end include/wasm/detail/vm/linear_memory.hpp ----
// ---- begin include/wasm/detail/vm/module_state.hpp ----
// ModuleState: what a compiled Module is made of, shared (immutably) by the Module handles and
// every instance of it.

// ---- begin include/wasm/detail/jit/compiled_module.hpp ----
// CompiledModule: the machine code of every defined function of a module, laid out in one
// read+execute CodeMemory, with where each function starts. The runtime uses it to find a
// function's entry, to tell whether a pc is in JIT code, and to map a pc to its function for
// backtraces.

// ---- begin include/wasm/detail/jit/code_memory.hpp ----
// CodeMemory: executable memory that is never writable and executable at once. Code is
// assembled elsewhere (an Xbyak buffer), copied into a fresh read-write mapping, then the
// mapping is made read+execute for the rest of its life.
#include <unistd.h>


namespace wasm::detail {

class CodeMemory {
 public:
  CodeMemory() = default;
  CodeMemory(const CodeMemory&) = delete;
  CodeMemory& operator=(const CodeMemory&) = delete;
  CodeMemory(CodeMemory&& other) noexcept { *this = std::move(other); }
  CodeMemory& operator=(CodeMemory&& other) noexcept {
    std::swap(base_, other.base_);
    std::swap(size_, other.size_);
    std::swap(mapped_, other.mapped_);
    return *this;
  }
  ~CodeMemory() {
    if (base_) munmap(base_, mapped_);
  }

  // Maps, copies and seals `code`. Returns an empty CodeMemory if the system refuses.
  static CodeMemory publish(std::span<const uint8_t> code) {
    CodeMemory cm;
    size_t page = size_t(sysconf(_SC_PAGESIZE));
    size_t mapped = (std::max<size_t>(code.size(), 1) + page - 1) / page * page;
    void* p = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return cm;
    if (!code.empty()) std::memcpy(p, code.data(), code.size());
    if (mprotect(p, mapped, PROT_READ | PROT_EXEC) != 0) {
      munmap(p, mapped);
      return cm;
    }
    cm.base_ = static_cast<uint8_t*>(p);
    cm.size_ = code.size();
    cm.mapped_ = mapped;
    return cm;
  }

  // Takes `mapped` bytes at `base`, already mapped read+execute by the caller (a precompiled
  // module's code pages, mapped from its file in place), of which `size` are code.
  static CodeMemory adopt(uint8_t* base, size_t size, size_t mapped) {
    CodeMemory cm;
    cm.base_ = base;
    cm.size_ = size;
    cm.mapped_ = mapped;
    return cm;
  }

  explicit operator bool() const { return base_ != nullptr; }
  const uint8_t* data() const { return base_; }
  size_t size() const { return size_; }
  bool contains(uintptr_t pc) const {
    return base_ && pc >= uintptr_t(base_) && pc < uintptr_t(base_) + size_;
  }

 private:
  uint8_t* base_ = nullptr;
  size_t size_ = 0;
  size_t mapped_ = 0;
};

}  // namespace wasm::detail
// ---- end include/wasm/detail/jit/code_memory.hpp ----
// ---- begin include/wasm/detail/jit/compiled_function.hpp ----
// CompiledFunction: what any compiler tier produces for one function, position-independent
// until the module driver lays it out: its machine code and the metadata the runtime and the
// driver need about it (calls to patch, where it traps, its frame).


namespace wasm::detail::jit {

// A call from one compiled function to another of the same module: the rel32 field at
// `offset` (from the function's start) must point at function `callee`'s code.
struct CallReloc {
  uint32_t offset = 0;
  uint32_t callee = 0;  // function index (a defined function)
};

// An instruction at `offset` (from the function's start) that traps with `code`: the first
// instruction of an explicit trap stub, or an access that may fault. Sorted by offset.
struct TrapSite {
  uint32_t offset = 0;
  TrapCode code = TrapCode::UnreachableCodeReached;
};

// What a walk of the stack needs to know about a frame of this function. Every tier keeps the
// rbp chain (frame_layout.hpp: [rbp] = caller's rbp, [rbp+8] = return address), so backtraces
// need no more today; stack maps for GC references will go here.
struct FrameInfo {
  uint32_t frame_bytes = 0;  // below the saved registers, fixed for the whole body
};

struct CompiledFunction {
  std::vector<uint8_t> code;
  std::vector<CallReloc> calls;
  std::vector<TrapSite> traps;
  FrameInfo frame;
};

}  // namespace wasm::detail::jit
// ---- end include/wasm/detail/jit/compiled_function.hpp ----

namespace wasm::detail::jit {

// Where a defined function's code sits, as offsets into the module's code.
struct FunctionLocation {
  uint32_t offset = 0;
  uint32_t size = 0;
};

// How long compilation took, for throughput figures.
struct CompileStats {
  uint64_t code_section_bytes = 0;  // wasm bytes of all function bodies
  uint64_t machine_code_bytes = 0;
  double seconds = 0;
  unsigned threads = 1;

  double megabytes_per_second() const {
    return seconds > 0 ? double(code_section_bytes) / 1e6 / seconds : 0;
  }
};

class CompiledModule {
 public:
  CompiledModule() = default;
  CompiledModule(CodeMemory code, std::vector<FunctionLocation> functions,
                 std::vector<TrapSite> traps, uint32_t num_imported_funcs, CompileStats stats)
      : code_(std::move(code)),
        functions_(std::move(functions)),
        traps_(std::move(traps)),
        num_imported_funcs_(num_imported_funcs),
        stats_(stats) {}

  const CodeMemory& code_memory() const { return code_; }
  uint32_t num_imported_funcs() const { return num_imported_funcs_; }
  uint32_t num_defined_funcs() const { return uint32_t(functions_.size()); }
  std::span<const FunctionLocation> functions() const { return functions_; }
  const CompileStats& stats() const { return stats_; }
  std::span<const TrapSite> trap_sites() const { return traps_; }

  // Entry point of a defined function, by its index in the function index space.
  const void* function_code(uint32_t func_index) const {
    return code_.data() + functions_.at(func_index - num_imported_funcs_).offset;
  }

  // The trap code of the trap site at pc (module-wide offsets, sorted as functions are).
  std::optional<TrapCode> trap_at(uintptr_t pc) const {
    if (!contains(pc)) return std::nullopt;
    uint32_t offset = uint32_t(pc - uintptr_t(code_.data()));
    auto it = std::lower_bound(traps_.begin(), traps_.end(), offset,
                               [](const TrapSite& t, uint32_t o) { return t.offset < o; });
    if (it == traps_.end() || it->offset != offset) return std::nullopt;
    return it->code;
  }

  bool contains(uintptr_t pc) const { return code_.contains(pc); }

  // The function (index space) whose code contains pc, if any.
  std::optional<uint32_t> function_index_at(uintptr_t pc) const {
    if (!contains(pc)) return std::nullopt;
    uint32_t offset = uint32_t(pc - uintptr_t(code_.data()));
    auto it = std::upper_bound(functions_.begin(), functions_.end(), offset,
                               [](uint32_t o, const FunctionLocation& f) { return o < f.offset; });
    if (it == functions_.begin()) return std::nullopt;
    --it;
    if (offset >= it->offset + it->size) return std::nullopt;
    return num_imported_funcs_ + uint32_t(it - functions_.begin());
  }

 private:
  CodeMemory code_;
  std::vector<FunctionLocation> functions_;
  std::vector<TrapSite> traps_;
  uint32_t num_imported_funcs_ = 0;
  CompileStats stats_;
};

}  // namespace wasm::detail::jit
// ---- end include/wasm/detail/jit/compiled_module.hpp ----
// ---- begin include/wasm/detail/jit/profiling/profilers.hpp ----
// Where JIT code is announced to profilers and debuggers, once per module and once per
// trampoline (Config::profiling_strategy, Config::debug_info).
//
// The perf map and the jitdump file are per process, so one hub owns them: opened when the
// first code of an engine asking for them is published, appended to under one lock by every
// thread, and never closed (code can be published until the process ends, and perf copes with
// a file without its closing record). Trampolines made before a profiler was opened are only
// seen by it if they live as long as the process (the entry trampolines): the hub remembers
// those and writes them to each profiler it opens.
#include <pthread.h>

#include <cstdio>

// ---- begin include/wasm/detail/jit/profiling/code_symbols.hpp ----
// The names profilers and debuggers show for JIT code: one symbol per compiled function (its
// name-section name, or wasm-function[N] as wasmtime and V8 print unnamed functions).


namespace wasm::detail::jit::profiling {

struct CodeSymbol {
  std::string name;
  uintptr_t address = 0;
  size_t size = 0;
};

inline std::string function_symbol_name(const ModuleInfo& info, uint32_t func_index) {
  std::string name = info.func_name(func_index);
  return name.empty() ? "wasm-function[" + std::to_string(func_index) + "]" : name;
}

// One symbol per defined function of `compiled`, in address order.
inline std::vector<CodeSymbol> module_symbols(const ModuleInfo& info, const CompiledModule& compiled) {
  std::vector<CodeSymbol> symbols;
  symbols.reserve(compiled.num_defined_funcs());
  const uintptr_t base = uintptr_t(compiled.code_memory().data());
  for (uint32_t i = 0; i < compiled.num_defined_funcs(); ++i) {
    const FunctionLocation& f = compiled.functions()[i];
    uint32_t index = compiled.num_imported_funcs() + i;
    symbols.push_back(CodeSymbol{function_symbol_name(info, index), base + f.offset, f.size});
  }
  return symbols;
}

}  // namespace wasm::detail::jit::profiling
// ---- end include/wasm/detail/jit/profiling/code_symbols.hpp ----
// ---- begin include/wasm/detail/jit/profiling/gdb_jit.hpp ----
// The GDB JIT interface (gdb manual, "JIT Compilation Interface"; LLDB reads it too): the
// process exports __jit_debug_descriptor, a list of in-memory object files, and calls
// __jit_debug_register_code after each change; a debugger breaks on that function and reads
// the list. We register one symbol-only ELF object (elf_writer.hpp) per module's code and
// remove it when the module is dropped.
//
// Both symbols have C linkage and are `inline`, so that every translation unit including
// wasmpp shares one definition (and a JIT runtime linked beside us that defines them
// non-inline wins, as the interface only works with one descriptor per process).


// ---- begin include/wasm/detail/jit/profiling/elf_writer.hpp ----
// A minimal ELF64 relocatable object that describes JIT code to a debugger: a .text section
// without contents (SHT_NOBITS) whose address is the code's, and a symbol table naming each
// function with its offset and size in it. Debuggers read it through the GDB JIT interface
// (gdb_jit.hpp); symbols are enough for them to name frames and find function starts (the
// x86-64 prologue our frames begin with does the rest of unwinding). No DWARF.
#include <elf.h>



namespace wasm::detail::jit::profiling {

// The object for code [base, base + size); every symbol must lie inside it.
inline std::vector<uint8_t> write_symbol_elf(uintptr_t base, size_t size, std::span<const CodeSymbol> symbols) {
  enum Section : uint16_t { kNull, kText, kSymtab, kStrtab, kShstrtab, kCount };

  std::string shstrtab(1, '\0');
  auto section_name = [&](const char* name) {
    uint32_t at = uint32_t(shstrtab.size());
    shstrtab.append(name).push_back('\0');
    return at;
  };
  const uint32_t text_name = section_name(".text");
  const uint32_t symtab_name = section_name(".symtab");
  const uint32_t strtab_name = section_name(".strtab");
  const uint32_t shstrtab_name = section_name(".shstrtab");

  std::string strtab(1, '\0');
  std::vector<Elf64_Sym> syms(1);  // [0]: the undefined symbol
  // A section symbol, as assemblers emit: some readers expect one per allocated section.
  Elf64_Sym section{};
  section.st_info = ELF64_ST_INFO(STB_LOCAL, STT_SECTION);
  section.st_shndx = kText;
  syms.push_back(section);
  const uint32_t first_global = uint32_t(syms.size());
  for (const CodeSymbol& s : symbols) {
    Elf64_Sym sym{};
    sym.st_name = uint32_t(strtab.size());
    strtab.append(s.name).push_back('\0');
    sym.st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
    sym.st_other = STV_DEFAULT;
    sym.st_shndx = kText;
    sym.st_value = s.address - base;  // relocatable object: section-relative
    sym.st_size = s.size;
    syms.push_back(sym);
  }

  // Layout: ELF header, symbol table, string tables, section headers (8-aligned).
  auto align8 = [](size_t n) { return (n + 7) & ~size_t(7); };
  const size_t symtab_off = sizeof(Elf64_Ehdr);
  const size_t symtab_size = syms.size() * sizeof(Elf64_Sym);
  const size_t strtab_off = symtab_off + symtab_size;
  const size_t shstrtab_off = strtab_off + strtab.size();
  const size_t shdr_off = align8(shstrtab_off + shstrtab.size());
  std::vector<uint8_t> out(shdr_off + kCount * sizeof(Elf64_Shdr), 0);

  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_ident[EI_OSABI] = ELFOSABI_SYSV;
  eh.e_type = ET_REL;
  eh.e_machine = EM_X86_64;
  eh.e_version = EV_CURRENT;
  eh.e_shoff = shdr_off;
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_shentsize = sizeof(Elf64_Shdr);
  eh.e_shnum = kCount;
  eh.e_shstrndx = kShstrtab;
  std::memcpy(out.data(), &eh, sizeof eh);
  std::memcpy(out.data() + symtab_off, syms.data(), symtab_size);
  std::memcpy(out.data() + strtab_off, strtab.data(), strtab.size());
  std::memcpy(out.data() + shstrtab_off, shstrtab.data(), shstrtab.size());

  Elf64_Shdr sh[kCount]{};
  sh[kText].sh_name = text_name;
  sh[kText].sh_type = SHT_NOBITS;
  sh[kText].sh_flags = SHF_ALLOC | SHF_EXECINSTR;
  sh[kText].sh_addr = base;
  sh[kText].sh_size = size;
  sh[kText].sh_addralign = 16;
  sh[kSymtab].sh_name = symtab_name;
  sh[kSymtab].sh_type = SHT_SYMTAB;
  sh[kSymtab].sh_offset = symtab_off;
  sh[kSymtab].sh_size = symtab_size;
  sh[kSymtab].sh_link = kStrtab;
  sh[kSymtab].sh_info = first_global;  // one past the last local symbol
  sh[kSymtab].sh_addralign = 8;
  sh[kSymtab].sh_entsize = sizeof(Elf64_Sym);
  sh[kStrtab].sh_name = strtab_name;
  sh[kStrtab].sh_type = SHT_STRTAB;
  sh[kStrtab].sh_offset = strtab_off;
  sh[kStrtab].sh_size = strtab.size();
  sh[kStrtab].sh_addralign = 1;
  sh[kShstrtab].sh_name = shstrtab_name;
  sh[kShstrtab].sh_type = SHT_STRTAB;
  sh[kShstrtab].sh_offset = shstrtab_off;
  sh[kShstrtab].sh_size = shstrtab.size();
  sh[kShstrtab].sh_addralign = 1;
  std::memcpy(out.data() + shdr_off, sh, sizeof sh);
  return out;
}

}  // namespace wasm::detail::jit::profiling
// ---- end include/wasm/detail/jit/profiling/elf_writer.hpp ----

extern "C" {

enum wasmpp_jit_actions : uint32_t { WASMPP_JIT_NOACTION = 0, WASMPP_JIT_REGISTER_FN, WASMPP_JIT_UNREGISTER_FN };

// The layouts the debugger reads (our own type names, so that they clash with no other
// JIT header; only the two symbol names below are the interface).
struct wasmpp_jit_code_entry {
  wasmpp_jit_code_entry* next_entry;
  wasmpp_jit_code_entry* prev_entry;
  const char* symfile_addr;
  uint64_t symfile_size;
};

struct wasmpp_jit_descriptor {
  uint32_t version;
  uint32_t action_flag;
  wasmpp_jit_code_entry* relevant_entry;
  wasmpp_jit_code_entry* first_entry;
};

// The debugger's breakpoint: it must stay a real call, so it is never inlined or folded.
[[gnu::noinline, gnu::used]] inline void __jit_debug_register_code() { __asm__ volatile("" ::: "memory"); }

[[gnu::used]] inline wasmpp_jit_descriptor __jit_debug_descriptor = {1, WASMPP_JIT_NOACTION, nullptr, nullptr};

}  // extern "C"

namespace wasm::detail::jit::profiling {

// One object file on the debugger's list, for as long as this lives.
class GdbJitRegistration {
 public:
  GdbJitRegistration() = default;
  explicit GdbJitRegistration(std::vector<uint8_t> object) : object_(std::move(object)) {
    entry_ = std::make_unique<wasmpp_jit_code_entry>();
    entry_->symfile_addr = reinterpret_cast<const char*>(object_.data());
    entry_->symfile_size = object_.size();
    Lock lock;
    wasmpp_jit_descriptor& d = __jit_debug_descriptor;
    entry_->prev_entry = nullptr;
    entry_->next_entry = d.first_entry;
    if (d.first_entry) d.first_entry->prev_entry = entry_.get();
    d.first_entry = entry_.get();
    d.relevant_entry = entry_.get();
    d.action_flag = WASMPP_JIT_REGISTER_FN;
    __jit_debug_register_code();
  }
  GdbJitRegistration(GdbJitRegistration&& other) noexcept = default;
  GdbJitRegistration& operator=(GdbJitRegistration&& other) noexcept {
    if (this != &other) {
      unregister();
      entry_ = std::move(other.entry_);
      object_ = std::move(other.object_);
    }
    return *this;
  }
  ~GdbJitRegistration() { unregister(); }

  explicit operator bool() const { return entry_ != nullptr; }
  std::span<const uint8_t> object() const { return object_; }

 private:
  // One lock for the whole process: the descriptor is process-wide.
  struct Lock {
    static pthread_mutex_t* mutex() {
      static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
      return &m;
    }
    Lock() { pthread_mutex_lock(mutex()); }
    ~Lock() { pthread_mutex_unlock(mutex()); }
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;
  };

  void unregister() {
    if (!entry_) return;
    {
      Lock lock;
      wasmpp_jit_descriptor& d = __jit_debug_descriptor;
      if (entry_->prev_entry) entry_->prev_entry->next_entry = entry_->next_entry;
      else d.first_entry = entry_->next_entry;
      if (entry_->next_entry) entry_->next_entry->prev_entry = entry_->prev_entry;
      d.relevant_entry = entry_.get();
      d.action_flag = WASMPP_JIT_UNREGISTER_FN;
      __jit_debug_register_code();
      d.relevant_entry = nullptr;
      d.action_flag = WASMPP_JIT_NOACTION;
    }
    entry_.reset();
    object_.clear();
  }

  std::unique_ptr<wasmpp_jit_code_entry> entry_;
  std::vector<uint8_t> object_;
};

}  // namespace wasm::detail::jit::profiling
// ---- end include/wasm/detail/jit/profiling/gdb_jit.hpp ----
// ---- begin include/wasm/detail/jit/profiling/jitdump.hpp ----
// The jitdump file perf reads to name and disassemble JIT code
// (linux tools/perf/Documentation/jitdump-specification.txt): a header, then one JIT_CODE_LOAD
// record per piece of code carrying its address, name and bytes. `perf record -k mono` sees
// the file because we map it executable (the mmap event is the marker perf inject looks for),
// and `perf inject --jit` turns each record into a small ELF file that perf report uses.
// Timestamps are CLOCK_MONOTONIC, the clock `-k mono` makes perf use.
#include <fcntl.h>
#include <sys/syscall.h>
#include <time.h>

#include <cstdlib>


namespace wasm::detail::jit::profiling {

namespace jitdump_format {

inline constexpr uint32_t kMagic = 0x4A695444;  // "JiTD" written little-endian
inline constexpr uint32_t kVersion = 1;
inline constexpr uint32_t kCodeLoad = 0;
inline constexpr uint32_t kCodeClose = 3;

struct FileHeader {
  uint32_t magic = kMagic;
  uint32_t version = kVersion;
  uint32_t total_size = sizeof(FileHeader);
  uint32_t elf_mach = EM_X86_64;
  uint32_t pad1 = 0;
  uint32_t pid = 0;
  uint64_t timestamp = 0;
  uint64_t flags = 0;
};
static_assert(sizeof(FileHeader) == 40);

struct RecordHeader {
  uint32_t id = 0;
  uint32_t total_size = 0;
  uint64_t timestamp = 0;
};

// Followed by the NUL-terminated name and then code_size bytes of code.
struct CodeLoad {
  RecordHeader header;
  uint32_t pid = 0;
  uint32_t tid = 0;
  uint64_t vma = 0;
  uint64_t code_addr = 0;
  uint64_t code_size = 0;
  uint64_t code_index = 0;
};
static_assert(sizeof(CodeLoad) == 56);

inline uint64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

}  // namespace jitdump_format

class JitDump {
 public:
  // $JITDUMPDIR if set (perf's convention for agents), else the working directory, as wasmtime.
  static std::string default_path() {
    const char* dir = getenv("JITDUMPDIR");
    std::string d = dir && *dir ? dir : ".";
    return d + "/jit-" + std::to_string(getpid()) + ".dump";
  }

  JitDump() = default;
  JitDump(const JitDump&) = delete;
  JitDump& operator=(const JitDump&) = delete;
  ~JitDump() { close(); }

  // Creates the file at `path` (perf inject only accepts the name jit-<pid>.dump), writes the
  // header and maps the file as the marker. False if the file cannot be created.
  bool open(const std::string& path) {
    using namespace jitdump_format;
    fd_ = ::open(path.c_str(), O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0644);
    if (fd_ < 0) return false;
    FileHeader header;
    header.pid = uint32_t(getpid());
    header.timestamp = monotonic_ns();
    if (!write_all(&header, sizeof header)) {
      close();
      return false;
    }
    // The marker: perf records this mapping's file name; it is never read through.
    long page = sysconf(_SC_PAGESIZE);
    void* m = mmap(nullptr, size_t(page), PROT_READ | PROT_EXEC, MAP_PRIVATE, fd_, 0);
    if (m != MAP_FAILED) {
      marker_ = m;
      marker_size_ = size_t(page);
    }
    return true;
  }
  explicit operator bool() const { return fd_ >= 0; }

  // One JIT_CODE_LOAD record per symbol, with the code bytes read from the symbol's address.
  // Not thread-safe by itself: the Profilers hub serialises writers.
  void write(std::span<const CodeSymbol> symbols) {
    using namespace jitdump_format;
    if (fd_ < 0) return;
    const uint32_t pid = uint32_t(getpid());
    const uint32_t tid = uint32_t(syscall(SYS_gettid));
    for (const CodeSymbol& s : symbols) {
      CodeLoad record;
      record.header.id = kCodeLoad;
      record.header.total_size = uint32_t(sizeof record + s.name.size() + 1 + s.size);
      record.header.timestamp = monotonic_ns();
      record.pid = pid;
      record.tid = tid;
      record.vma = s.address;
      record.code_addr = s.address;
      record.code_size = s.size;
      record.code_index = next_index_++;
      buffer_.resize(record.header.total_size);
      uint8_t* out = buffer_.data();
      std::memcpy(out, &record, sizeof record);
      std::memcpy(out + sizeof record, s.name.c_str(), s.name.size() + 1);
      if (s.size) std::memcpy(out + sizeof record + s.name.size() + 1, reinterpret_cast<const void*>(s.address), s.size);
      if (!write_all(buffer_.data(), buffer_.size())) return;
    }
  }

  void close() {
    using namespace jitdump_format;
    if (fd_ < 0) return;
    RecordHeader end{kCodeClose, sizeof(RecordHeader), monotonic_ns()};
    write_all(&end, sizeof end);
    if (marker_) munmap(marker_, marker_size_);
    ::close(fd_);
    fd_ = -1;
    marker_ = nullptr;
  }

 private:
  bool write_all(const void* data, size_t size) {
    const uint8_t* p = static_cast<const uint8_t*>(data);
    while (size > 0) {
      ssize_t n = ::write(fd_, p, size);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      p += n;
      size -= size_t(n);
    }
    return true;
  }

  int fd_ = -1;
  void* marker_ = nullptr;
  size_t marker_size_ = 0;
  uint64_t next_index_ = 0;
  std::vector<uint8_t> buffer_;
};

}  // namespace wasm::detail::jit::profiling
// ---- end include/wasm/detail/jit/profiling/jitdump.hpp ----
// ---- begin include/wasm/detail/jit/profiling/perf_map.hpp ----
// The perf map: /tmp/perf-<pid>.map, one "START SIZE NAME" line (hex, no 0x) per piece of JIT
// code, which `perf report` and `perf top` read to name samples in anonymous executable memory.
// perf reads the file after the process ran, so lines are only ever appended; a range reused
// by later code keeps both lines (perf's limitation as much as ours).

#include <cinttypes>


namespace wasm::detail::jit::profiling {

class PerfMap {
 public:
  static std::string default_path() { return "/tmp/perf-" + std::to_string(getpid()) + ".map"; }

  PerfMap() = default;
  PerfMap(const PerfMap&) = delete;
  PerfMap& operator=(const PerfMap&) = delete;
  ~PerfMap() {
    if (file_) std::fclose(file_);
  }

  // Opens (appending) the map at `path`. False if it cannot be opened.
  bool open(const std::string& path) {
    file_ = std::fopen(path.c_str(), "a");
    return file_ != nullptr;
  }
  explicit operator bool() const { return file_ != nullptr; }

  // Not thread-safe by itself: the Profilers hub serialises writers.
  void write(std::span<const CodeSymbol> symbols) {
    if (!file_) return;
    for (const CodeSymbol& s : symbols) {
      // A newline in a name would start a bogus line: perf map names end at the line's end.
      std::string name = s.name;
      for (char& c : name) {
        if (c == '\n' || c == '\r') c = ' ';
      }
      std::fprintf(file_, "%" PRIxPTR " %zx %s\n", s.address, s.size, name.c_str());
    }
    // perf may read the map while we run (perf top), and we may be killed before exit.
    std::fflush(file_);
  }

 private:
  std::FILE* file_ = nullptr;
};

}  // namespace wasm::detail::jit::profiling
// ---- end include/wasm/detail/jit/profiling/perf_map.hpp ----

namespace wasm::detail::jit::profiling {

class Profilers {
 public:
  static Profilers& get() {
    // Never destroyed: modules may be dropped (and trampolines made) during static destruction.
    static Profilers* hub = new Profilers;
    return *hub;
  }

  void announce(ProfilingStrategy strategy, std::span<const CodeSymbol> symbols) {
    if (strategy == ProfilingStrategy::None) return;
    Lock lock(&mutex_);
    if (strategy == ProfilingStrategy::PerfMap && open_perf_map()) perf_map_.write(symbols);
    if (strategy == ProfilingStrategy::JitDump && open_jitdump()) jitdump_.write(symbols);
  }

  // A trampoline: written to every profiler already open; remembered for later ones if it
  // lives as long as the process.
  void announce_trampoline(std::string_view name, uintptr_t address, size_t size, bool lives_forever) {
    // Trampolines are made per signature and per dynamic host function: without a profiler
    // open, that must cost no lock.
    if (!lives_forever && !any_open_.load(std::memory_order_acquire)) return;
    Lock lock(&mutex_);
    CodeSymbol symbol{std::string(name), address, size};
    if (lives_forever) forever_.push_back(symbol);
    std::span<const CodeSymbol> one(&symbol, 1);
    if (perf_map_) perf_map_.write(one);
    if (jitdump_) jitdump_.write(one);
  }

  // Where the profilers write (for tests and messages).
  std::string perf_map_path() const { return PerfMap::default_path(); }
  std::string jitdump_path() const { return JitDump::default_path(); }

 private:
  struct Lock {
    pthread_mutex_t* m;
    explicit Lock(pthread_mutex_t* mutex) : m(mutex) { pthread_mutex_lock(m); }
    ~Lock() { pthread_mutex_unlock(m); }
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;
  };

  Profilers() = default;

  // Profiling must never make compilation fail: a file that cannot be opened is said once
  // on stderr and the profiler stays off.
  bool open_perf_map() {
    if (perf_map_ || perf_map_failed_) return bool(perf_map_);
    std::string path = PerfMap::default_path();
    if (!perf_map_.open(path)) {
      warn(path);
      perf_map_failed_ = true;
      return false;
    }
    perf_map_.write(forever_);
    any_open_.store(true, std::memory_order_release);
    return true;
  }
  bool open_jitdump() {
    if (jitdump_ || jitdump_failed_) return bool(jitdump_);
    std::string path = JitDump::default_path();
    if (!jitdump_.open(path)) {
      warn(path);
      jitdump_failed_ = true;
      return false;
    }
    jitdump_.write(forever_);
    any_open_.store(true, std::memory_order_release);
    return true;
  }
  static void warn(const std::string& path) {
    std::fprintf(stderr, "wasmpp: profiling disabled, cannot write %s: %s\n", path.c_str(), std::strerror(errno));
  }

  pthread_mutex_t mutex_ = PTHREAD_MUTEX_INITIALIZER;
  PerfMap perf_map_;
  JitDump jitdump_;
  bool perf_map_failed_ = false;
  bool jitdump_failed_ = false;
  std::vector<CodeSymbol> forever_;
  std::atomic<bool> any_open_{false};
};

// What a module's code is registered as; dropping it unregisters what can be (the debugger's
// entry; profiler files are append-only).
struct CodeRegistration {
  GdbJitRegistration gdb;
};

// Announces a module's freshly published code as the engine's configuration asks.
inline CodeRegistration register_module_code(const Config& config, const ModuleInfo& info,
                                             const CompiledModule& compiled) {
  CodeRegistration registration;
  const CodeMemory& mem = compiled.code_memory();
  if (!mem || (config.profiling_strategy() == ProfilingStrategy::None && !config.debug_info())) {
    return registration;
  }
  std::vector<CodeSymbol> symbols = module_symbols(info, compiled);
  Profilers::get().announce(config.profiling_strategy(), symbols);
  if (config.debug_info()) {
    registration.gdb = GdbJitRegistration(write_symbol_elf(uintptr_t(mem.data()), mem.size(), symbols));
  }
  return registration;
}

// Announces a trampoline to the profilers that are (or, if it lives forever, will be) open.
inline void register_trampoline(std::string_view name, const CodeMemory& code, bool lives_forever = false) {
  if (!code) return;
  Profilers::get().announce_trampoline(name, uintptr_t(code.data()), code.size(), lives_forever);
}

}  // namespace wasm::detail::jit::profiling
// ---- end include/wasm/detail/jit/profiling/profilers.hpp ----
// ---- begin include/wasm/detail/vm/code_registry.hpp ----
// The address ranges of all live JIT code, so that the signal handler can tell our faults from
// others and trap backtraces can map return addresses to modules.
//
// Lookups happen inside the signal handler, so they take no lock and allocate nothing: readers
// search an immutable sorted snapshot. A writer (a module being loaded or freed) publishes a new
// snapshot and frees the old one once no reader is left; it waits for readers, never the
// other way round.
#include <sched.h>


namespace wasm::detail {

class CodeRegistry {
 public:
  static CodeRegistry& get() {
    // Never destroyed: a signal handler may still look up code while the process exits.
    static CodeRegistry* registry = new CodeRegistry;
    return *registry;
  }

  void add(uintptr_t begin, uintptr_t end, const void* owner) {
    update([&](std::vector<Range>& ranges) {
      auto at = std::lower_bound(ranges.begin(), ranges.end(), begin,
                                 [](const Range& r, uintptr_t b) { return r.begin < b; });
      ranges.insert(at, Range{begin, end, owner});
    });
  }
  void remove(uintptr_t begin) {
    update([&](std::vector<Range>& ranges) {
      std::erase_if(ranges, [&](const Range& r) { return r.begin == begin; });
    });
  }

  // The owner of the code containing pc, or null. Async-signal-safe.
  const void* lookup(uintptr_t pc) const {
    // seq_cst pairs with update(): either the writer sees this reader and waits, or this
    // reader sees the writer's new snapshot.
    readers_.fetch_add(1);
    const Snapshot* s = current_.load();
    const void* owner = nullptr;
    if (s) {
      const Range* end = s->ranges + s->count;
      const Range* it = std::upper_bound(s->ranges, end, pc,
                                         [](uintptr_t p, const Range& r) { return p < r.begin; });
      if (it != s->ranges && pc < (it - 1)->end) owner = (it - 1)->owner;
    }
    readers_.fetch_sub(1);
    return owner;
  }
  bool contains(uintptr_t pc) const { return lookup(pc) != nullptr; }

 private:
  struct Range {
    uintptr_t begin;
    uintptr_t end;
    const void* owner;
  };
  struct Snapshot {
    std::vector<Range> storage;
    const Range* ranges;
    size_t count;
  };

  CodeRegistry() = default;

  struct WriterLock {
    pthread_mutex_t* mutex;
    explicit WriterLock(pthread_mutex_t* m) : mutex(m) { pthread_mutex_lock(m); }
    ~WriterLock() { pthread_mutex_unlock(mutex); }
    WriterLock(const WriterLock&) = delete;
    WriterLock& operator=(const WriterLock&) = delete;
  };

  template <typename Edit>
  void update(Edit edit) {
    WriterLock lock(&writer_);
    const Snapshot* old = current_.load();
    auto next = std::make_unique<Snapshot>(Snapshot{old ? old->storage : std::vector<Range>{}, nullptr, 0});
    edit(next->storage);
    next->ranges = next->storage.data();
    next->count = next->storage.size();
    current_.store(next.release());
    // Readers are a binary search long; one that started before the store may still use `old`.
    while (readers_.load() != 0) sched_yield();
    delete old;
  }

  std::atomic<const Snapshot*> current_{nullptr};
  mutable std::atomic<uint32_t> readers_{0};
  pthread_mutex_t writer_ = PTHREAD_MUTEX_INITIALIZER;
};

}  // namespace wasm::detail
// ---- end include/wasm/detail/vm/code_registry.hpp ----
// ---- begin include/wasm/detail/vm/memory_image.hpp ----
// Copy-on-write memory images: a module's data segments laid out once, in a sealed memfd, and
// mapped MAP_PRIVATE into each instance's memory, so that instantiation copies nothing and an
// instance's first write to a page makes its private copy (wasmtime's MemoryImage).
//
// An image stands for "the data segments applied in order", which is only the same thing when
// instantiation cannot fail between segments: the spec applies element segments, then data
// segments, one after the other, and a segment out of bounds traps with the earlier writes
// left visible (through an imported table, say, a function of the failed instance can still
// read its memory). So a module gets images only when every active element and data segment
// has a constant offset (no global.get) inside the declared minimum of its table or memory;
// imports are at least that large, so no segment can trap. Otherwise nothing is imaged and
// instantiation copies every segment as before. With images, segments for imported memories
// are still copied (their memory already has contents); overlapping segments for one memory
// are written into the image in order, so the later wins as it would at instantiation.

#include <mutex>

// ---- begin include/wasm/detail/vm/const_eval.hpp ----
// Evaluates validated constant expressions (global initialisers, segment offsets and element
// items) against a partly built instance, or without one when they read no global and name no
// function (memory images are laid out once per module from such offsets).

// ---- begin include/wasm/detail/jit/abi.hpp ----
// The native calling convention of compiled wasm functions. JIT code, host-function adapters,
// the entry trampolines and TypedFunc all follow it, so each can call the others directly.
//
// It is System V x86-64, with fixed leading parameters:
//   rdi  callee VMContext*   (for a host function: its VMHostContext, see below)
//   rsi  caller VMContext*
//   rdx  results area (ValRaw[n], 16-byte slots), only when the function has 2+ results
// then the wasm parameters as System V assigns them: i32/i64/funcref/externref in the next
// integer registers (rdx or rcx, r8, r9) and f32/f64/v128 in xmm0-xmm7; the rest on the
// stack in order, 8-byte slots (v128: a 16-byte slot aligned to 16), stored by the caller.
// A caller must not rely on rsp after the call being what it was before: a callee that
// tail-calls a function with more stack arguments returns with rsp lower (jit/compile_calls.hpp),
// so wasm callers and the trampolines reset rsp from their frame pointer.
// A single result comes back in rax (integer class) or xmm0 (float class); with 2+ results
// all of them are written to the results area and rax/xmm0 mean nothing.
// Callee-saved registers: compiled code saves only rbp, r14 and r15. It keeps its VMContext in
// r14 and memory 0's base in r15, and rbp as a frame pointer chain (push rbp; mov rbp, rsp) so
// that traps can walk wasm frames. rbx, r12 and r13 are caller-saved between wasm functions:
// a wasm caller spills every register at a call anyway, and host code only ever reaches wasm
// through the wasm entry trampoline, which saves them (the function's own prologue saves the
// host's r14 and r15 and the trampoline's rbp, where a trap finds them: jit/trampolines.hpp). (Host functions are
// System V code, so they preserve more than wasm callers need.)
//
// Reference values: funcref is a VMFuncRef* (null = 0); externref an opaque pointer (null = 0).


namespace wasm::detail::abi {

// Register numbers as Xbyak (and the hardware) count them.
enum Gpr : uint8_t { RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7,
                     R8 = 8, R9 = 9, R10 = 10, R11 = 11, R12 = 12, R13 = 13, R14 = 14, R15 = 15 };

inline constexpr uint8_t kIntArgRegs[] = {RDI, RSI, RDX, RCX, R8, R9};
inline constexpr unsigned kNumXmmArgRegs = 8;

inline constexpr uint8_t kVMContextReg = R14;   // pinned in compiled code
inline constexpr uint8_t kMemoryBaseReg = R15;  // pinned in compiled code (memory 0's base)

constexpr bool is_float_class(ValType t) {
  return t == ValType::F32 || t == ValType::F64 || t == ValType::V128;
}

// Where one parameter travels.
struct ArgLocation {
  enum class Kind : uint8_t { Gpr, Xmm, Stack } kind = Kind::Gpr;
  uint8_t reg = 0;           // Gpr: register number; Xmm: xmm index
  uint32_t stack_offset = 0; // Stack: offset from rsp at the call instruction
};

struct CallLayout {
  bool has_results_area = false;  // 2+ results
  std::vector<ArgLocation> params;
  uint32_t stack_bytes = 0;       // outgoing stack argument bytes (a multiple of 16)
};

// The one place that decides where parameters go.
inline CallLayout call_layout(const FuncType& type) {
  CallLayout layout;
  layout.has_results_area = type.results.size() > 1;
  unsigned next_int = layout.has_results_area ? 3 : 2;  // after callee, caller (and results)
  unsigned next_xmm = 0;
  uint32_t stack = 0;
  layout.params.reserve(type.params.size());
  for (ValType t : type.params) {
    ArgLocation loc;
    if (is_float_class(t) && next_xmm < kNumXmmArgRegs) {
      loc.kind = ArgLocation::Kind::Xmm;
      loc.reg = uint8_t(next_xmm++);
    } else if (!is_float_class(t) && next_int < std::size(kIntArgRegs)) {
      loc.kind = ArgLocation::Kind::Gpr;
      loc.reg = kIntArgRegs[next_int++];
    } else {
      uint32_t size = t == ValType::V128 ? 16 : 8;
      stack = (stack + size - 1) / size * size;
      loc.kind = ArgLocation::Kind::Stack;
      loc.stack_offset = stack;
      stack += size;
    }
    layout.params.push_back(loc);
  }
  layout.stack_bytes = (stack + 15) / 16 * 16;
  return layout;
}

}  // namespace wasm::detail::abi
// ---- end include/wasm/detail/jit/abi.hpp ----

namespace wasm::detail {

// `entity(instruction)` gives the value of a global.get or ref.func, or nullopt to give up.
template <typename EntityValue>
std::optional<ValRaw> eval_const_with(const ConstExpr& expr, EntityValue&& entity) {
  // Validation guarantees a well-typed expression; extended-const adds i32/i64 add, sub, mul.
  std::vector<ValRaw> stack;
  stack.reserve(expr.code.size());
  for (const Instruction& in : expr.code) {
    ValRaw v;
    std::memset(&v, 0, sizeof v);
    switch (in.op) {
      case Op::I32Const: v.i32 = in.i32(); break;
      case Op::I64Const: v.i64 = in.i64(); break;
      case Op::F32Const: v.i64 = int64_t(uint32_t(in.bits)); break;
      case Op::F64Const: v.i64 = int64_t(in.bits); break;
      case Op::V128Const: std::memcpy(v.v128, in.v128.data(), 16); break;
      case Op::RefNull: v.ref = nullptr; break;
      case Op::RefFunc:
      case Op::GlobalGet: {
        std::optional<ValRaw> value = entity(in);
        if (!value) return std::nullopt;
        v = *value;
        break;
      }
      case Op::I32Add: case Op::I32Sub: case Op::I32Mul:
      case Op::I64Add: case Op::I64Sub: case Op::I64Mul: {
        ValRaw rhs = stack.back();
        stack.pop_back();
        ValRaw lhs = stack.back();
        stack.pop_back();
        uint64_t a = uint64_t(lhs.i64), b = uint64_t(rhs.i64);
        uint64_t r = in.op == Op::I32Add || in.op == Op::I64Add ? a + b
                   : in.op == Op::I32Sub || in.op == Op::I64Sub ? a - b : a * b;
        if (in.op == Op::I32Add || in.op == Op::I32Sub || in.op == Op::I32Mul) r = uint32_t(r);
        v.i64 = int64_t(r);
        break;
      }
      default: break;  // not a constant instruction: rejected by the validator
    }
    stack.push_back(v);
  }
  return stack.empty() ? ValRaw{} : stack.back();
}

// Against `instance` (an Instance; a template so that this header needs no instance.hpp, which
// includes it through ModuleState's memory images).
template <typename InstanceT>
ValRaw eval_const(const ConstExpr& expr, InstanceT& instance) {
  return *eval_const_with(expr, [&](const Instruction& in) -> std::optional<ValRaw> {
    ValRaw v;
    std::memset(&v, 0, sizeof v);
    if (in.op == Op::RefFunc) v.ref = instance.func_ref(in.index);
    else std::memcpy(&v, instance.global(in.index)->storage, 16);
    return v;
  });
}

// The value when it is the same in every instance (no global.get, no ref.func), else nullopt.
inline std::optional<ValRaw> eval_const_static(const ConstExpr& expr) {
  return eval_const_with(expr, [](const Instruction&) -> std::optional<ValRaw> { return std::nullopt; });
}

}  // namespace wasm::detail
// ---- end include/wasm/detail/vm/const_eval.hpp ----

namespace wasm::detail {

inline uint64_t host_page_size() {
  static const uint64_t size = uint64_t(::sysconf(_SC_PAGESIZE));
  return size;
}

inline uint64_t round_down_to(uint64_t value, uint64_t align) { return value & ~(align - 1); }
inline uint64_t round_up_to(uint64_t value, uint64_t align) { return (value + align - 1) & ~(align - 1); }

class MemoryImage {
 public:
  // A segment's bytes at `offset` into the linear memory.
  struct Piece {
    uint64_t offset;
    std::span<const uint8_t> bytes;
  };

  // Lays `pieces` out in order (a later one overwrites an earlier one where they overlap).
  // Null when the system has no memfd or refuses: the caller copies the segments instead.
  static std::shared_ptr<const MemoryImage> create(std::span<const Piece> pieces) {
    uint64_t lo = UINT64_MAX, hi = 0;
    for (const Piece& p : pieces) {
      if (p.bytes.empty()) continue;
      lo = std::min(lo, p.offset);
      hi = std::max(hi, p.offset + p.bytes.size());
    }
    if (lo >= hi) return nullptr;
    const uint64_t page = host_page_size();
    std::shared_ptr<MemoryImage> image(new MemoryImage());
    image->offset_ = round_down_to(lo, page);
    image->size_ = round_up_to(hi, page) - image->offset_;
    image->fd_ = ::memfd_create("wasmpp-memory-image", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (image->fd_ < 0) return nullptr;
    if (::ftruncate(image->fd_, off_t(image->size_)) != 0) return nullptr;
    for (const Piece& p : pieces) {
      if (!write_all(image->fd_, p.bytes, p.offset - image->offset_)) return nullptr;
    }
    // Nobody may change the image once instances map it.
    if (::fcntl(image->fd_, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0)
      return nullptr;
    void* view = ::mmap(nullptr, image->size_, PROT_READ, MAP_SHARED, image->fd_, 0);
    if (view == MAP_FAILED) return nullptr;
    image->view_ = static_cast<const uint8_t*>(view);
    return image;
  }

  ~MemoryImage() {
    if (view_) ::munmap(const_cast<uint8_t*>(view_), size_);
    if (fd_ >= 0) ::close(fd_);
  }
  MemoryImage(const MemoryImage&) = delete;
  MemoryImage& operator=(const MemoryImage&) = delete;

  // Where the image starts in the linear memory and how long it is (both host-page multiples).
  uint64_t offset() const { return offset_; }
  uint64_t size() const { return size_; }
  // The image's bytes, read-only (for resetting a resident prefix by copying).
  std::span<const uint8_t> bytes() const { return {view_, static_cast<size_t>(size_)}; }

  // Maps the image read+write, copy-on-write, at memory_base + offset(), replacing whatever
  // was mapped there. The range must lie inside the memory's accessible part.
  bool map_into(uint8_t* memory_base) const {
    void* at = memory_base + offset_;
    return ::mmap(at, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd_, 0) == at;
  }

 private:
  MemoryImage() = default;

  static bool write_all(int fd, std::span<const uint8_t> bytes, uint64_t at) {
    while (!bytes.empty()) {
      ssize_t n = ::pwrite(fd, bytes.data(), bytes.size(), off_t(at));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      bytes = bytes.subspan(size_t(n));
      at += uint64_t(n);
    }
    return true;
  }

  int fd_ = -1;
  const uint8_t* view_ = nullptr;
  uint64_t offset_ = 0;
  uint64_t size_ = 0;
};

// The images of one module's defined memories, and which data segments they stand for.
struct ModuleMemoryImages {
  std::vector<std::shared_ptr<const MemoryImage>> memories;  // per defined memory; null: zeros
  std::vector<bool> covered;  // per data segment: the image holds it, instantiation skips it

  // Null when some segment could trap (see the top of this file) or has a dynamic offset.
  static std::unique_ptr<ModuleMemoryImages> build(const ModuleInfo& info) {
    auto images = std::make_unique<ModuleMemoryImages>();
    const uint32_t defined = uint32_t(info.memories.size()) - info.num_imported_memories;
    std::vector<std::vector<MemoryImage::Piece>> pieces(defined);
    images->covered.assign(info.data.size(), false);
    for (const ElemSegment& seg : info.elements) {
      if (seg.mode != SegmentMode::Active) continue;
      std::optional<uint64_t> offset = static_offset(seg.offset, false);
      if (!offset || !fits(*offset, seg.size(), info.tables[seg.table].limits.min)) return nullptr;
    }
    for (uint32_t s = 0; s < info.data.size(); ++s) {
      const DataSegment& seg = info.data[s];
      if (seg.mode != SegmentMode::Active) continue;
      const MemoryType& memory = info.memories[seg.memory];
      std::optional<uint64_t> offset = static_offset(seg.offset, memory.is64);
      if (!offset || !fits(*offset, seg.data_size, min_bytes(memory))) return nullptr;
      if (seg.memory < info.num_imported_memories) continue;
      pieces[seg.memory - info.num_imported_memories].push_back({*offset, info.segment_bytes(seg)});
      images->covered[s] = true;
    }
    images->memories.resize(defined);
    for (uint32_t m = 0; m < defined; ++m) {
      if (pieces[m].empty()) continue;
      images->memories[m] = MemoryImage::create(pieces[m]);
      // No image (no memfd): copy this memory's segments after all.
      if (!images->memories[m]) {
        for (uint32_t s = 0; s < info.data.size(); ++s) {
          if (info.data[s].mode == SegmentMode::Active && info.data[s].memory == m + info.num_imported_memories)
            images->covered[s] = false;
        }
      }
    }
    return images;
  }

 private:
  static std::optional<uint64_t> static_offset(const ConstExpr& expr, bool is64) {
    std::optional<ValRaw> v = eval_const_static(expr);
    if (!v) return std::nullopt;
    return is64 ? uint64_t(v->i64) : uint64_t(uint32_t(v->i32));
  }
  static uint64_t min_bytes(const MemoryType& memory) {
    return memory.limits.min > (UINT64_MAX / kPageSize) ? UINT64_MAX : memory.limits.min * kPageSize;
  }
  static bool fits(uint64_t offset, uint64_t size, uint64_t limit) {
    return offset <= limit && size <= limit - offset;
  }
};

// A module's images, built on its first instantiation and shared by every later one.
class MemoryImageCache {
 public:
  // Null: copy every segment.
  const ModuleMemoryImages* get(const ModuleInfo& info) const {
    std::call_once(once_, [&] { images_ = ModuleMemoryImages::build(info); });
    return images_.get();
  }

 private:
  mutable std::once_flag once_;
  mutable std::unique_ptr<ModuleMemoryImages> images_;
};

}  // namespace wasm::detail
// ---- end include/wasm/detail/vm/memory_image.hpp ----

namespace wasm::detail {

struct EngineState;

struct ModuleState {
  ModuleState() = default;
  ModuleState(const ModuleState&) = delete;
  ModuleState& operator=(const ModuleState&) = delete;
  ~ModuleState() {
    if (code.code_memory()) CodeRegistry::get().remove(uintptr_t(code.code_memory().data()));
  }

  // Takes the module's machine code and tells the trap handler where it lives, and profilers
  // and debuggers as far as `config` asks.
  void publish_code(jit::CompiledModule compiled, const Config& config) {
    code = std::move(compiled);
    const CodeMemory& mem = code.code_memory();
    if (mem) CodeRegistry::get().add(uintptr_t(mem.data()), uintptr_t(mem.data()) + mem.size(), this);
    profiling = jit::profiling::register_module_code(config, info, code);
  }

  std::shared_ptr<EngineState> engine;
  ModuleInfo info;
  VMOffsets offsets{ModuleShape{}};
  std::vector<uint32_t> type_ids;  // engine-wide id of each of the module's types
  // Export position by name, so that looking an export up (Caller::get_memory on every host
  // call, say) does not scan the export list.
  std::unordered_map<std::string_view, uint32_t> export_index;

  void index_exports() {
    export_index.reserve(info.exports.size());
    for (uint32_t i = 0; i < info.exports.size(); ++i) export_index.emplace(info.exports[i].name, i);
  }
  jit::CompiledModule code;
  jit::profiling::CodeRegistration profiling;  // after `code`: unregistered before it is freed
  // Copy-on-write images of the data segments, laid out on first use (Config::memory_init_cow).
  MemoryImageCache memory_images;
};

}  // namespace wasm::detail
// ---- end include/wasm/detail/vm/module_state.hpp ----
// ---- begin include/wasm/detail/vm/table.hpp ----
// Table: the reference slots of one wasm table, stored contiguously and published to JIT code
// through a VMTableDefinition {base, current_elements}.
//
// Funcref slots are initialised lazily, as in wasmtime: instantiation need not resolve every
// element of every active segment up front. A slot word of 0 means "not initialised yet"; an
// initialised slot holds the VMFuncRef* with kFuncRefInitBit set, so an initialised null is 1.
// Reading a slot of 0 asks the owner's lazy-init callback for the element and stores the
// answer tagged, so the callback runs at most once per slot. JIT code reading a slot directly
// must treat 0 as "call the table_get libcall" and clear the bit otherwise.
// Externref slots hold the opaque reference itself (0 is null) and are never lazy.
//
// Every operation checks its bounds before writing anything (the 2.0 rules); growth may
// reallocate the slots, and the bound definition always holds the current base. The slots live
// on the heap, or in an allocator's TableSlot (create_in; see table_storage.hpp).
#include <stdexcept>

// ---- begin include/wasm/detail/vm/bulk_memory.hpp ----
// memory.fill, memory.copy and memory.init with the WebAssembly 2.0 rules: every bounds check
// is done first, in 64-bit arithmetic that cannot wrap, and an out-of-bounds operation traps
// before writing a single byte. A length of 0 is in bounds at exactly the end of the memory
// (or segment) and out of bounds one past it. JIT code calls these as libcalls, and
// instantiation uses memory_init for active data segments; the caller raises the trap.


namespace wasm::detail {

// [offset, offset + len) lies within [0, size), written so that it cannot overflow.
constexpr bool range_in_bounds(uint64_t offset, uint64_t len, uint64_t size) {
  return offset <= size && len <= size - offset;
}

// memory.fill: `len` bytes at `dst` set to `value`.
[[nodiscard]] inline std::optional<TrapCode> memory_fill(const VMMemoryDefinition& memory,
                                                         uint64_t dst, uint8_t value,
                                                         uint64_t len) {
  if (!range_in_bounds(dst, len, memory.current_length)) return TrapCode::MemoryOutOfBounds;
  if (len != 0) std::memset(memory.base + dst, value, len);
  return std::nullopt;
}

// memory.copy between two memories (or within one): the ranges may overlap, and the result
// is as if the source were first copied to a temporary buffer.
[[nodiscard]] inline std::optional<TrapCode> memory_copy(const VMMemoryDefinition& dst_memory,
                                                         const VMMemoryDefinition& src_memory,
                                                         uint64_t dst, uint64_t src,
                                                         uint64_t len) {
  if (!range_in_bounds(dst, len, dst_memory.current_length) ||
      !range_in_bounds(src, len, src_memory.current_length))
    return TrapCode::MemoryOutOfBounds;
  if (len != 0) std::memmove(dst_memory.base + dst, src_memory.base + src, len);
  return std::nullopt;
}

// memory.init: `len` bytes of a data segment, from `src`, to `dst`. A dropped segment is an
// empty span, so only len 0 at src 0 succeeds on it.
[[nodiscard]] inline std::optional<TrapCode> memory_init(const VMMemoryDefinition& memory,
                                                         std::span<const uint8_t> segment,
                                                         uint64_t dst, uint64_t src,
                                                         uint64_t len) {
  if (!range_in_bounds(dst, len, memory.current_length) ||
      !range_in_bounds(src, len, segment.size()))
    return TrapCode::MemoryOutOfBounds;
  if (len != 0) std::memcpy(memory.base + dst, segment.data() + src, len);
  return std::nullopt;
}

}  // namespace wasm::detail
// ---- end include/wasm/detail/vm/bulk_memory.hpp ----
// ---- begin include/wasm/detail/vm/table_storage.hpp ----
// TableStorage: the slot words of one Table, either on the heap (a vector that grows by
// reallocating) or in a TableSlot that an allocator reserved and lends to one table at a time
// (a fixed array that grows in place up to its capacity and goes back to the owner with the
// table). A slot's words past the table's size are always zero.

namespace wasm::detail {

class TableSlotOwner {
 public:
  // The table is gone; its first `used_elements` words may be non-zero.
  virtual void release(uint32_t index, uint64_t used_elements) noexcept = 0;

 protected:
  ~TableSlotOwner() = default;
};

struct TableSlot {
  TableSlotOwner* owner = nullptr;
  uint32_t index = 0;
  uintptr_t* base = nullptr;  // zeroed
  uint64_t capacity = 0;      // elements
};

class TableStorage {
 public:
  TableStorage() = default;
  explicit TableStorage(TableSlot slot) : slot_(slot) {}
  ~TableStorage() {
    if (slot_.owner) slot_.owner->release(slot_.index, size_);
  }
  TableStorage(const TableStorage&) = delete;
  TableStorage& operator=(const TableStorage&) = delete;

  uintptr_t* data() { return slot_.owner ? slot_.base : heap_.data(); }
  uint64_t size() const { return slot_.owner ? size_ : heap_.size(); }
  uintptr_t& operator[](uint64_t i) { return data()[i]; }

  // Grows to `n` words holding `fill` (tables never shrink). Throws std::bad_alloc when the
  // heap is out of memory or `n` is past the slot's capacity, and then changes nothing.
  void resize(uint64_t n, uintptr_t fill) {
    if (!slot_.owner) {
      heap_.resize(n, fill);
      return;
    }
    if (n > slot_.capacity) throw std::bad_alloc();
    if (n > size_ && fill != 0) std::fill(slot_.base + size_, slot_.base + n, fill);
    size_ = std::max(size_, n);
  }

 private:
  std::vector<uintptr_t> heap_;
  TableSlot slot_;
  uint64_t size_ = 0;  // slot only
};

}  // namespace wasm::detail
// ---- end include/wasm/detail/vm/table_storage.hpp ----

namespace wasm::detail {

inline constexpr uintptr_t kFuncRefInitBit = 1;

struct TableSettings {
  // Growth stops here whatever the declared maximum: a guest must not be able to make the
  // host allocate gigabytes of slots.
  uint64_t max_elements = 10'000'000;
};

class Table {
 public:
  // Returns the element for a slot that was never written, or null. Set by the owning
  // instance for the slots its active element segments fill.
  using LazyInit = std::function<VMFuncRef*(uint64_t index)>;

  // A table of `type.limits.min` slots, uninitialised (funcref) or null (externref).
  static Result<std::unique_ptr<Table>> create(const TableType& type,
                                               const TableSettings& settings = {},
                                               ResourceLimiter* limiter = nullptr) {
    return create_with(std::unique_ptr<Table>(new Table(type, settings)), limiter);
  }

  // The same with its slots in `slot` (zeroed); it cannot grow past the slot's capacity.
  static Result<std::unique_ptr<Table>> create_in(const TableType& type, ResourceLimiter* limiter,
                                                  TableSlot slot) {
    std::unique_ptr<Table> table(new Table(type, TableSettings{slot.capacity}, slot));
    return create_with(std::move(table), limiter);
  }

  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

 private:
  static Result<std::unique_ptr<Table>> create_with(std::unique_ptr<Table> table,
                                                    ResourceLimiter* limiter) {
    const TableType& type = table->declared_;
    const uint64_t min = type.limits.min;
    if (min > table->element_limit_ || (type.limits.max && min > *type.limits.max))
      return Error(ErrorKind::Resource, "table minimum of " + std::to_string(min) +
                                            " elements exceeds its limit");
    if (limiter && !limiter->table_growing(0, min, type.limits.max))
      return Error(ErrorKind::Resource, "table creation refused by the resource limiter");
    try {
      table->slots_.resize(min, 0);
    } catch (const std::bad_alloc&) {
      return Error(ErrorKind::Resource, "out of memory allocating a table");
    }
    table->publish();
    return table;
  }

 public:
  ValType element_type() const { return declared_.element; }
  uint64_t size() const { return slots_.size(); }
  std::optional<uint64_t> maximum() const { return declared_.limits.max; }
  // The declared type with the current size as its minimum, as the spec's table instance
  // keeps it (import matching of a grown table depends on this).
  TableType type() const {
    TableType t = declared_;
    t.limits.min = size();
    return t;
  }

  void set_lazy_init(LazyInit lazy_init) {
    assert(is_funcref() && "only funcref tables are initialised lazily");
    lazy_init_ = std::move(lazy_init);
  }

  // Makes `definition` (a slot in the owning instance's VMContext) the one kept current;
  // null goes back to the definition inside this object.
  void bind_definition(VMTableDefinition* definition) {
    definition_ = definition ? definition : &own_definition_;
    publish();
  }
  VMTableDefinition* definition() { return definition_; }

  // Element values are untagged: a VMFuncRef* (funcref) or the opaque reference (externref),
  // null for a null reference. Out-of-bounds calls return nullopt / false and change nothing.
  std::optional<void*> get(uint64_t index) {
    if (index >= size()) return std::nullopt;
    return resolve(index);
  }

  bool set(uint64_t index, void* value) {
    if (index >= size()) return false;
    slots_[index] = encode(value);
    return true;
  }

  bool fill(uint64_t dst, void* value, uint64_t len) {
    if (!range_in_bounds(dst, len, size())) return false;
    const uintptr_t word = encode(value);
    for (uint64_t i = 0; i < len; ++i) slots_[dst + i] = word;
    return true;
  }

  // table.init: `len` elements of a segment, from `src`, to `dst`. A dropped segment is empty.
  bool init(uint64_t dst, std::span<void* const> segment, uint64_t src, uint64_t len) {
    if (!range_in_bounds(dst, len, size()) || !range_in_bounds(src, len, segment.size()))
      return false;
    for (uint64_t i = 0; i < len; ++i) slots_[dst + i] = encode(segment[src + i]);
    return true;
  }

  // table.copy, within one table or between two of the same element type; overlap-safe.
  static bool copy(Table& dst, Table& src, uint64_t dst_index, uint64_t src_index, uint64_t len) {
    assert(dst.element_type() == src.element_type());
    if (!range_in_bounds(dst_index, len, dst.size()) ||
        !range_in_bounds(src_index, len, src.size()))
      return false;
    // Source slots must be resolved by their own table's callback before they move: the
    // destination's callback (or index) would give a different element.
    for (uint64_t i = 0; i < len; ++i) src.resolve(src_index + i);
    if (len != 0)
      std::memmove(dst.slots_.data() + dst_index, src.slots_.data() + src_index,
                   len * sizeof(uintptr_t));
    return true;
  }

  // table.grow: adds `delta` slots holding `init_value` (initialised, never lazy) and returns
  // the old size. On failure (past the maximum or the hard cap, refused by the limiter, out of
  // memory) nothing has changed; table.grow then returns -1. A grow by 0 always succeeds.
  Result<uint64_t> grow(uint64_t delta, void* init_value, ResourceLimiter* limiter = nullptr) {
    const uint64_t old_size = size();
    if (delta == 0) return old_size;
    if (delta > element_limit_ - old_size)
      return Error(ErrorKind::Resource, "table cannot grow past " +
                                            std::to_string(element_limit_) + " elements");
    if (limiter && !limiter->table_growing(old_size, old_size + delta, declared_.limits.max))
      return Error(ErrorKind::Resource, "table growth refused by the resource limiter");
    try {
      slots_.resize(old_size + delta, encode(init_value));  // strong guarantee: all or nothing
    } catch (const std::bad_alloc&) {
      return Error(ErrorKind::Resource, "out of memory growing a table");
    } catch (const std::length_error&) {
      return Error(ErrorKind::Resource, "table too large");
    }
    publish();
    return old_size;
  }

 private:
  Table(const TableType& type, const TableSettings& settings, TableSlot slot = {})
      : declared_(type), slots_(slot) {
    element_limit_ = type.limits.max ? std::min(*type.limits.max, settings.max_elements)
                                     : settings.max_elements;
  }

  bool is_funcref() const { return declared_.element == ValType::FuncRef; }

  uintptr_t encode(void* value) const {
    const auto word = reinterpret_cast<uintptr_t>(value);
    if (!is_funcref()) return word;
    assert((word & kFuncRefInitBit) == 0 && "a VMFuncRef is at least 2-byte aligned");
    return word | kFuncRefInitBit;
  }

  // The element at `index` (in bounds), initialising a funcref slot on first read.
  void* resolve(uint64_t index) {
    if (!is_funcref()) return reinterpret_cast<void*>(slots_[index]);
    if (slots_[index] == 0) {
      VMFuncRef* element = lazy_init_ ? lazy_init_(index) : nullptr;
      slots_[index] = encode(element);  // index again: the callback may not keep references
    }
    return reinterpret_cast<void*>(slots_[index] & ~kFuncRefInitBit);
  }

  void publish() {
    definition_->base = slots_.data();
    definition_->current_elements = slots_.size();
  }

  TableType declared_;
  uint64_t element_limit_ = 0;  // min(declared maximum, hard cap)
  TableStorage slots_;
  LazyInit lazy_init_;
  VMTableDefinition own_definition_;
  VMTableDefinition* definition_ = &own_definition_;
};

// The table instructions as libcalls see them: a trap code instead of false/nullopt.
[[nodiscard]] inline std::optional<TrapCode> table_get(Table& table, uint64_t index, void*& out) {
  std::optional<void*> value = table.get(index);
  if (!value) return TrapCode::TableOutOfBounds;
  out = *value;
  return std::nullopt;
}

[[nodiscard]] inline std::optional<TrapCode> table_set(Table& table, uint64_t index, void* value) {
  if (!table.set(index, value)) return TrapCode::TableOutOfBounds;
  return std::nullopt;
}

[[nodiscard]] inline std::optional<TrapCode> table_fill(Table& table, uint64_t dst, void* value,
                                                        uint64_t len) {
  if (!table.fill(dst, value, len)) return TrapCode::TableOutOfBounds;
  return std::nullopt;
}

[[nodiscard]] inline std::optional<TrapCode> table_copy(Table& dst_table, Table& src_table,
                                                        uint64_t dst, uint64_t src, uint64_t len) {
  if (!Table::copy(dst_table, src_table, dst, src, len)) return TrapCode::TableOutOfBounds;
  return std::nullopt;
}

[[nodiscard]] inline std::optional<TrapCode> table_init(Table& table,
                                                        std::span<void* const> segment,
                                                        uint64_t dst, uint64_t src, uint64_t len) {
  if (!table.init(dst, segment, src, len)) return TrapCode::TableOutOfBounds;
  return std::nullopt;
}

}  // namespace wasm::detail
// ---- end include/wasm/detail/vm/table.hpp ----

namespace wasm::detail {

struct StoreData;

class alignas(VMOffsets::kAlign) Instance {
 public:
  // Allocates an Instance and its zeroed VMContext. Returns null when out of memory.
  static Instance* allocate(StoreData* store, std::shared_ptr<const ModuleState> module) {
    void* mem = ::operator new(block_size(*module), std::align_val_t(VMOffsets::kAlign), std::nothrow);
    if (!mem) return nullptr;
    return construct_in(mem, store, std::move(module));
  }
  static void destroy(Instance* instance) {
    if (!instance) return;
    instance->~Instance();
    ::operator delete(instance, std::align_val_t(VMOffsets::kAlign));
  }

  // For instance allocators: the bytes an Instance of `module` takes with its VMContext, and
  // building / tearing one down in a block of that size (aligned to VMOffsets::kAlign).
  static size_t block_size(const ModuleState& module) { return sizeof(Instance) + module.offsets.size(); }
  static Instance* construct_in(void* block, StoreData* store, std::shared_ptr<const ModuleState> module) {
    const uint32_t vmctx_size = module->offsets.size();
    auto* instance = new (block) Instance(store, std::move(module));
    std::memset(instance->vmctx(), 0, vmctx_size);
    return instance;
  }
  static void destruct(Instance* instance) { instance->~Instance(); }
  static Instance* from_vmctx(VMContext* vmctx) {
    return reinterpret_cast<Instance*>(reinterpret_cast<char*>(vmctx) - sizeof(Instance));
  }

  VMContext* vmctx() {
    return reinterpret_cast<VMContext*>(reinterpret_cast<char*>(this) + sizeof(Instance));
  }
  // A field of the VMContext at byte offset `offset`.
  template <typename T>
  T* field(uint32_t offset) {
    return reinterpret_cast<T*>(reinterpret_cast<char*>(vmctx()) + offset);
  }

  const ModuleInfo& info() const { return module->info; }
  const VMOffsets& offsets() const { return module->offsets; }
  VMFuncRef* func_ref(uint32_t func_index) { return field<VMFuncRef>(offsets().func_ref(func_index)); }
  VMGlobalDefinition* global(uint32_t index) { return globals[index]; }

  StoreData* store;
  std::shared_ptr<const ModuleState> module;
  // Every entity of the module's index spaces, imports first.
  std::vector<LinearMemory*> memories;
  std::vector<Table*> tables;
  std::vector<VMGlobalDefinition*> globals;
  // Handles (store indices) of those entities, for exports.
  std::vector<uint32_t> memory_handles, table_handles, global_handles;
  std::vector<int64_t> func_handles;  // -1 until the function is first handed out
  std::vector<bool> dropped_elems, dropped_data;
  // Lazy table initialisation: for each defined funcref table, the function index (+1; 0 for
  // none) that active element segments put in each slot.
  std::vector<std::vector<uint32_t>> lazy_funcs;

 private:
  Instance(StoreData* s, std::shared_ptr<const ModuleState> m) : store(s), module(std::move(m)) {}
};

static_assert(sizeof(Instance) % VMOffsets::kAlign == 0,
              "the VMContext must follow the Instance at its alignment");

}  // namespace wasm::detail
// ---- end include/wasm/detail/vm/instance.hpp ----
// ---- begin include/wasm/detail/jit/stub.hpp ----
// Stub, an assembled piece of machine code, and the signature of an array-call trampoline:
// what the runtime keeps of trampolines.hpp without parsing the assembler.

namespace wasm::detail {

// An assembled stub: its code memory and entry point.
struct Stub {
  CodeMemory code;
  const void* entry() const { return code.data(); }
};

// void array_call(VMContext* callee, VMContext* caller, const void* code, ValRaw* values):
// loads the parameters from values[0..n), calls `code`, stores the results to values[0..m).
using ArrayCallFn = void (*)(void* callee, void* caller, const void* code, ValRaw* values);

}  // namespace wasm::detail
// ---- end include/wasm/detail/jit/stub.hpp ----
// ---- begin include/wasm/detail/vm/engine_state.hpp ----
// EngineState: what an Engine handle shares between modules and stores: the configuration, the
// instance allocator, the engine-wide type registry, the epoch counter and the array-call trampolines.

// ---- begin include/wasm/detail/vm/pooling_allocator.hpp ----
// PoolingAllocator: instances, memories and tables from slots reserved once per engine
// (Config::allocation_strategy(PoolingAllocationConfig)), wasmtime's pooling allocator. Three
// reservations, each cut into equal slots:
//  * instances: total_core_instances slots of max_core_instance_size bytes (read+write);
//  * memories: total_memories slots, PROT_NONE but for the accessible prefix of a memory in
//    use. In the GuardPages mode a slot is 4 GiB + guard, exactly the reservation JIT code
//    relies on to skip bounds checks, whatever max_memory_size is; in the Explicit mode a slot
//    is max_memory_size (accesses are checked);
//  * tables: total_tables slots of table_elements words (read+write, zero when free).
// A memory going back is reset at once: its first linear_memory_keep_resident bytes by
// writing zeros (and its image's bytes), the rest by madvise(MADV_DONTNEED), which gives zero
// pages again, or the image's pages for the part mapped from a memory image. A slot keeps its
// image mapped while free, and a memory with the same image takes such a slot first, so the
// instantiation of a module already seen needs no system call at all. Tables are reset lazily
// the same way: MADV_DONTNEED leaves zeros (uninitialised slots) for the kernel to fill in on
// the next touch. A slot whose reset fails is marked broken and remapped before reuse.
// When a pool has no free slot the allocation fails with a resource error naming the limit.


// ---- begin include/wasm/detail/vm/instance_allocator.hpp ----
// InstanceAllocator: where an instantiation gets its Instance (with VMContext), its defined
// memories and its tables. One per engine (Config::allocation_strategy); shared by every
// store of the engine, on any thread. Two strategies implement it: OnDemandAllocator (below,
// the default) and PoolingAllocator (pooling_allocator.hpp).
//
// A memory or table is freed by its destructor (it hands its slot back to whoever lent it),
// so only instances come back through the allocator.

// ---- begin include/wasm/detail/vm/reservation_cache.hpp ----
// ReservationCache: the on-demand allocator's guard-page reservations (4 GiB + guard each),
// kept for reuse instead of unmapped. Mapping a fresh 8 GiB range and unmapping it costs the
// kernel page-table pages at every level, allocated on the first fault and freed by munmap;
// a reused range keeps them. A memory that goes away has its accessible part replaced by a
// fresh PROT_NONE mapping (one mmap that drops its pages and any memory image), so a cached
// reservation is exactly as a new one: all PROT_NONE, all zero. At most kMaxCached are kept;
// the rest are unmapped.



namespace wasm::detail {

class ReservationCache final : public MemorySlotOwner {
 public:
  static constexpr size_t kMaxCached = 16;

  explicit ReservationCache(uint64_t reservation_bytes) : reservation_bytes_(reservation_bytes) {}
  ~ReservationCache() {
    for (uint32_t index : free_) ::munmap(bases_[index], reservation_bytes_);
  }
  ReservationCache(const ReservationCache&) = delete;
  ReservationCache& operator=(const ReservationCache&) = delete;

  uint64_t reservation_bytes() const { return reservation_bytes_; }

  // A PROT_NONE reservation, cached or new.
  Result<MemorySlot> take() {
    std::lock_guard lock(mutex_);
    uint32_t index;
    if (!free_.empty()) {
      index = free_.back();
      free_.pop_back();
    } else {
      void* p = ::mmap(nullptr, reservation_bytes_, PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (p == MAP_FAILED)
        return Error(ErrorKind::Resource, "reserving memory of " + std::to_string(reservation_bytes_) +
                                              " bytes failed: " + std::strerror(errno));
      if (unused_.empty()) {
        index = uint32_t(bases_.size());
        bases_.push_back(static_cast<uint8_t*>(p));
      } else {
        index = unused_.back();
        unused_.pop_back();
        bases_[index] = static_cast<uint8_t*>(p);
      }
    }
    return MemorySlot{this, index, bases_[index], reservation_bytes_, reservation_bytes_};
  }

  Result<void> prepare(uint32_t index, uint64_t bytes) override {
    if (bytes == 0) return {};
    if (::mprotect(base(index), bytes, PROT_READ | PROT_WRITE) != 0)
      return Error(ErrorKind::Resource, "committing memory of " + std::to_string(bytes) +
                                            " bytes failed: " + std::strerror(errno));
    return {};
  }

  void release(uint32_t index, uint64_t accessible_bytes) noexcept override {
    uint8_t* at = base(index);
    bool clean = accessible_bytes == 0 ||
                 ::mmap(at, accessible_bytes, PROT_NONE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) == at;
    std::lock_guard lock(mutex_);
    if (clean && free_.size() < kMaxCached) {
      free_.push_back(index);
      return;
    }
    ::munmap(at, reservation_bytes_);
    unused_.push_back(index);
  }

 private:
  uint8_t* base(uint32_t index) {
    std::lock_guard lock(mutex_);  // bases_ may reallocate under another thread's take()
    return bases_[index];
  }

  const uint64_t reservation_bytes_;
  std::mutex mutex_;
  std::vector<uint8_t*> bases_;   // by index; unmapped ones are listed in unused_
  std::vector<uint32_t> free_;    // cached, ready to take
  std::vector<uint32_t> unused_;  // indices whose reservation was unmapped
};

}  // namespace wasm::detail
// ---- end include/wasm/detail/vm/reservation_cache.hpp ----

namespace wasm::detail {

class InstanceAllocator {
 public:
  virtual ~InstanceAllocator() = default;

  virtual Result<Instance*> allocate_instance(StoreData* store, std::shared_ptr<const ModuleState> module) = 0;
  virtual void deallocate_instance(Instance* instance) noexcept = 0;

  // A defined memory of an instance; with `image`, the memory starts with the image's bytes
  // (mapped copy-on-write where the memory's layout allows, else copied).
  virtual Result<std::unique_ptr<LinearMemory>> allocate_memory(const MemoryType& type,
                                                                const MemorySettings& settings,
                                                                ResourceLimiter* limiter,
                                                                std::shared_ptr<const MemoryImage> image) = 0;

  virtual Result<std::unique_ptr<Table>> allocate_table(const TableType& type, ResourceLimiter* limiter) = 0;
};

// Everything from the system when asked for, freed when done; guard-page reservations are
// recycled through a ReservationCache.
class OnDemandAllocator final : public InstanceAllocator {
 public:
  explicit OnDemandAllocator(const MemorySettings& defaults)
      : reservations_(k32BitAddressSpace + round_up_to(defaults.guard_bytes, host_page_size())) {}

  Result<Instance*> allocate_instance(StoreData* store, std::shared_ptr<const ModuleState> module) override {
    Instance* instance = Instance::allocate(store, std::move(module));
    if (!instance) return Error(ErrorKind::Resource, "out of memory allocating an instance");
    return instance;
  }
  void deallocate_instance(Instance* instance) noexcept override { Instance::destroy(instance); }

  Result<std::unique_ptr<LinearMemory>> allocate_memory(const MemoryType& type, const MemorySettings& settings,
                                                        ResourceLimiter* limiter,
                                                        std::shared_ptr<const MemoryImage> image) override {
    auto memory = uses_guard_reservation(type, settings) ? create_in_cached(type, settings, limiter)
                                                          : LinearMemory::create(type, settings, limiter);
    if (!memory || !image) return memory;
    LinearMemory& m = **memory;
    // A fixed base takes the mapping; a base that moves on grow (mremap) must stay one
    // anonymous mapping, so it gets a copy.
    if (m.base_can_move() || !image->map_into(m.base()))
      std::memcpy(m.base() + image->offset(), image->bytes().data(), image->size());
    return memory;
  }

  Result<std::unique_ptr<Table>> allocate_table(const TableType& type, ResourceLimiter* limiter) override {
    return Table::create(type, TableSettings{}, limiter);
  }

 private:
  bool uses_guard_reservation(const MemoryType& type, const MemorySettings& settings) const {
    return !type.is64 && !type.limits.shared && settings.bounds_checks == BoundsChecks::GuardPages &&
           k32BitAddressSpace + round_up_to(settings.guard_bytes, host_page_size()) ==
               reservations_.reservation_bytes();
  }

  Result<std::unique_ptr<LinearMemory>> create_in_cached(const MemoryType& type, const MemorySettings& settings,
                                                         ResourceLimiter* limiter) {
    Result<MemorySlot> slot = reservations_.take();
    if (!slot) return std::move(slot).error();
    return LinearMemory::create_in(type, settings, limiter, *slot);
  }

  ReservationCache reservations_;
};

}  // namespace wasm::detail
// ---- end include/wasm/detail/vm/instance_allocator.hpp ----
// ---- begin include/wasm/detail/vm/slot_free_list.hpp ----
// SlotFreeList: the free slots of one pool, shared by every thread that allocates from it.
// A mutex guards the list; whoever takes a slot owns it (and its bookkeeping) until it puts
// it back, so the lock also orders one owner's writes before the next owner's reads.
// Each free slot carries an affinity key (for memories: the image it still holds); take()
// prefers a slot with the wanted key among the most recently freed, so that a module
// instantiated again and again finds its image already mapped.

namespace wasm::detail {

class SlotFreeList {
 public:
  // Slots 0..count-1, all free, taken in that order.
  explicit SlotFreeList(uint32_t count) {
    free_.reserve(count);
    for (uint32_t i = count; i > 0; --i) free_.push_back({i - 1, 0});
  }

  std::optional<uint32_t> take(uintptr_t affinity = 0) {
    std::lock_guard lock(mutex_);
    if (free_.empty()) return std::nullopt;
    size_t pick = free_.size() - 1;
    const size_t scan_end = free_.size() > kAffinityScan ? free_.size() - kAffinityScan : 0;
    for (size_t i = free_.size(); i > scan_end; --i) {
      if (free_[i - 1].affinity == affinity) {
        pick = i - 1;
        break;
      }
    }
    const uint32_t slot = free_[pick].slot;
    free_[pick] = free_.back();
    free_.pop_back();
    return slot;
  }

  void put(uint32_t slot, uintptr_t affinity = 0) {
    std::lock_guard lock(mutex_);
    free_.push_back({slot, affinity});
  }

  size_t free_count() const {
    std::lock_guard lock(mutex_);
    return free_.size();
  }

 private:
  // How many of the most recently freed slots take() looks at for the wanted key.
  static constexpr size_t kAffinityScan = 32;

  struct Entry {
    uint32_t slot;
    uintptr_t affinity;
  };
  mutable std::mutex mutex_;
  std::vector<Entry> free_;
};

}  // namespace wasm::detail
// ---- end include/wasm/detail/vm/slot_free_list.hpp ----

namespace wasm::detail {

// One PROT_NONE or read+write reservation of `count` slots of `stride` bytes.
class SlotRegion {
 public:
  SlotRegion() = default;
  ~SlotRegion() {
    if (base_) ::munmap(base_, bytes_);
  }
  SlotRegion(const SlotRegion&) = delete;
  SlotRegion& operator=(const SlotRegion&) = delete;

  Result<void> reserve(uint32_t count, uint64_t stride, int prot, const char* what) {
    stride_ = stride;
    if (count != 0 && stride > UINT64_MAX / count)
      return Error(ErrorKind::Resource, std::string("pooling allocator: the ") + what + " pool is too large");
    bytes_ = uint64_t(count) * stride;
    if (bytes_ == 0) return {};
    void* p = ::mmap(nullptr, bytes_, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
      bytes_ = 0;
      return Error(ErrorKind::Resource, std::string("pooling allocator: reserving the ") + what + " pool (" +
                                            std::to_string(count) + " slots of " + std::to_string(stride) +
                                            " bytes) failed: " + std::strerror(errno));
    }
    base_ = static_cast<uint8_t*>(p);
    return {};
  }

  uint8_t* slot(uint32_t index) const { return base_ + uint64_t(index) * stride_; }
  bool contains(const void* p) const {
    auto* b = static_cast<const uint8_t*>(p);
    return base_ && b >= base_ && b < base_ + bytes_;
  }
  uint32_t index_of(const void* p) const { return uint32_t((static_cast<const uint8_t*>(p) - base_) / stride_); }
  uint64_t stride() const { return stride_; }

 private:
  uint8_t* base_ = nullptr;
  uint64_t bytes_ = 0;
  uint64_t stride_ = 0;
};

inline Error pool_exhausted(const char* what, uint32_t total, const char* limit) {
  return Error(ErrorKind::Resource, std::string("pooling allocator: all ") + std::to_string(total) + " " + what +
                                        " slots are in use (PoolingAllocationConfig::" + limit + ")");
}

inline Error pool_os_error(const char* what) {
  return Error(ErrorKind::Resource, std::string("pooling allocator: ") + what + " failed: " + std::strerror(errno));
}

// The memory slots: what each one holds, and preparing and resetting them.
class MemoryPool final : public MemorySlotOwner {
 public:
  MemoryPool(const PoolingAllocationConfig& config, const MemorySettings& settings)
      : config_(config), page_(host_page_size()), free_(config.total_memories), slots_(config.total_memories) {
    const uint64_t max_memory = round_up_to(std::max<uint64_t>(config.max_memory_size, 1), page_);
    const uint64_t stride = settings.bounds_checks == BoundsChecks::GuardPages
                                ? std::max(max_memory, k32BitAddressSpace + round_up_to(settings.guard_bytes, page_))
                                : max_memory;
    reserved_ = region_.reserve(config.total_memories, stride, PROT_NONE, "memory");
  }

  const Result<void>& reserved() const { return reserved_; }

  // A slot for a memory starting with `image` (or zeros); a slot that still holds that image
  // is taken first.
  Result<MemorySlot> take(std::shared_ptr<const MemoryImage> image) {
    std::optional<uint32_t> index = free_.take(uintptr_t(image.get()));
    if (!index) return pool_exhausted("memory", config_.total_memories, "total_memories");
    slots_[*index].wanted = std::move(image);
    return MemorySlot{this, *index, region_.slot(*index), region_.stride(),
                      std::min<uint64_t>(config_.max_memory_size, region_.stride())};
  }

  Result<void> prepare(uint32_t index, uint64_t bytes) override {
    SlotState& s = slots_[index];
    uint8_t* base = region_.slot(index);
    std::shared_ptr<const MemoryImage> wanted = std::move(s.wanted);
    if (s.broken || s.image != wanted) {
      if (!discard(base, s.broken ? region_.stride() : s.accessible)) {
        s.broken = true;
        return pool_os_error("resetting a memory slot");
      }
      s = SlotState{};
      if (wanted) {
        if (!wanted->map_into(base)) {
          s.broken = true;
          return pool_os_error("mapping a memory image");
        }
        s.image = std::move(wanted);  // read+write already; the protection below covers the rest
      }
    }
    if (s.accessible < bytes) {
      if (::mprotect(base + s.accessible, bytes - s.accessible, PROT_READ | PROT_WRITE) != 0) {
        s.broken = true;
        return pool_os_error("committing memory");
      }
    } else if (s.accessible > bytes) {
      // Past the new memory's end every access must fault again (guard semantics).
      if (::mprotect(base + bytes, s.accessible - bytes, PROT_NONE) != 0) {
        s.broken = true;
        return pool_os_error("protecting memory");
      }
    }
    s.accessible = bytes;
    return {};
  }

  void release(uint32_t index, uint64_t accessible_bytes) noexcept override {
    SlotState& s = slots_[index];
    s.wanted.reset();
    uint8_t* base = region_.slot(index);
    if (accessible_bytes > s.accessible) s.accessible = accessible_bytes;
    if (!s.broken && accessible_bytes != 0) {
      const uint64_t keep = std::min(round_down_to(config_.linear_memory_keep_resident, page_), accessible_bytes);
      if (keep != 0) {
        std::memset(base, 0, keep);
        if (s.image && s.image->offset() < keep) {
          const uint64_t n = std::min(keep - s.image->offset(), s.image->size());
          std::memcpy(base + s.image->offset(), s.image->bytes().data(), n);
        }
      }
      if (accessible_bytes > keep && ::madvise(base + keep, accessible_bytes - keep, MADV_DONTNEED) != 0)
        s.broken = true;
    }
    free_.put(index, uintptr_t(s.broken ? nullptr : s.image.get()));
  }

 private:
  // Only the memory that took a slot touches its state (the free list's lock orders owners).
  struct SlotState {
    std::shared_ptr<const MemoryImage> image;   // mapped at its offset, or null
    std::shared_ptr<const MemoryImage> wanted;  // the image of the memory taking the slot
    uint64_t accessible = 0;                    // read+write prefix; the rest is PROT_NONE
    bool broken = false;                        // a reset failed: remap it all before use
  };

  // Makes the first `bytes` of a slot a fresh PROT_NONE mapping: no pages, no image.
  static bool discard(uint8_t* base, uint64_t bytes) {
    return bytes == 0 || ::mmap(base, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
                                -1, 0) == base;
  }

  PoolingAllocationConfig config_;
  uint64_t page_;
  SlotRegion region_;
  Result<void> reserved_;
  SlotFreeList free_;
  std::vector<SlotState> slots_;
};

// The table slots: zero when free, reset lazily by MADV_DONTNEED.
class TablePool final : public TableSlotOwner {
 public:
  explicit TablePool(const PoolingAllocationConfig& config)
      : config_(config), page_(host_page_size()), free_(config.total_tables) {
    const uint64_t stride = round_up_to(std::max<uint64_t>(config.table_elements, 1) * sizeof(uintptr_t), page_);
    reserved_ = region_.reserve(config.total_tables, stride, PROT_READ | PROT_WRITE, "table");
  }

  const Result<void>& reserved() const { return reserved_; }

  Result<TableSlot> take() {
    std::optional<uint32_t> index = free_.take();
    if (!index) return pool_exhausted("table", config_.total_tables, "total_tables");
    return TableSlot{this, *index, reinterpret_cast<uintptr_t*>(region_.slot(*index)), config_.table_elements};
  }

  void release(uint32_t index, uint64_t used_elements) noexcept override {
    uint8_t* base = region_.slot(index);
    const uint64_t used = used_elements * sizeof(uintptr_t);
    const uint64_t keep = std::min(round_down_to(config_.table_keep_resident, page_), used);
    if (keep != 0) std::memset(base, 0, keep);
    const uint64_t rest = round_up_to(used, page_) - keep;
    if (rest != 0 && ::madvise(base + keep, rest, MADV_DONTNEED) != 0) std::memset(base + keep, 0, used - keep);
    free_.put(index);
  }

 private:
  PoolingAllocationConfig config_;
  uint64_t page_;
  SlotRegion region_;
  Result<void> reserved_;
  SlotFreeList free_;
};

class PoolingAllocator final : public InstanceAllocator {
 public:
  PoolingAllocator(const PoolingAllocationConfig& config, const MemorySettings& settings)
      : config_(config), instance_free_(config.total_core_instances), memories_(config, settings), tables_(config) {
    const uint64_t stride = round_up_to(std::max<uint64_t>(config.max_core_instance_size, 1), host_page_size());
    Result<void> r = instances_.reserve(config.total_core_instances, stride, PROT_READ | PROT_WRITE, "instance");
    if (!r) reserve_error_ = std::move(r).error();
    else if (!memories_.reserved()) reserve_error_ = memories_.reserved().error();
    else if (!tables_.reserved()) reserve_error_ = tables_.reserved().error();
  }

  Result<Instance*> allocate_instance(StoreData* store, std::shared_ptr<const ModuleState> module) override {
    if (reserve_error_) return *reserve_error_;
    const size_t bytes = Instance::block_size(*module);
    if (bytes > config_.max_core_instance_size)
      return Error(ErrorKind::Resource, "pooling allocator: the instance needs " + std::to_string(bytes) +
                                            " bytes, more than max_core_instance_size (" +
                                            std::to_string(config_.max_core_instance_size) + ")");
    std::optional<uint32_t> index = instance_free_.take();
    if (!index) return pool_exhausted("instance", config_.total_core_instances, "total_core_instances");
    return Instance::construct_in(instances_.slot(*index), store, std::move(module));
  }

  void deallocate_instance(Instance* instance) noexcept override {
    if (!instance) return;
    if (!instances_.contains(instance)) return Instance::destroy(instance);
    Instance::destruct(instance);
    instance_free_.put(instances_.index_of(instance));
  }

  Result<std::unique_ptr<LinearMemory>> allocate_memory(const MemoryType& type, const MemorySettings& settings,
                                                        ResourceLimiter* limiter,
                                                        std::shared_ptr<const MemoryImage> image) override {
    if (reserve_error_) return *reserve_error_;
    if (type.limits.shared) return Error(ErrorKind::Resource, "shared memories are not supported");
    Result<MemorySlot> slot = memories_.take(std::move(image));
    if (!slot) return std::move(slot).error();
    return LinearMemory::create_in(type, settings, limiter, *slot);
  }

  Result<std::unique_ptr<Table>> allocate_table(const TableType& type, ResourceLimiter* limiter) override {
    if (reserve_error_) return *reserve_error_;
    Result<TableSlot> slot = tables_.take();
    if (!slot) return std::move(slot).error();
    return Table::create_in(type, limiter, *slot);
  }

 private:
  PoolingAllocationConfig config_;
  std::optional<Error> reserve_error_;
  SlotRegion instances_;
  SlotFreeList instance_free_;
  MemoryPool memories_;
  TablePool tables_;
};

inline std::unique_ptr<InstanceAllocator> make_instance_allocator(const Config& config) {
  MemorySettings settings;
  settings.bounds_checks = config.bounds_checks();
  if (config.allocation_strategy() == AllocationStrategy::Pooling)
    return std::make_unique<PoolingAllocator>(config.pooling(), settings);
  return std::make_unique<OnDemandAllocator>(settings);
}

}  // namespace wasm::detail
// ---- end include/wasm/detail/vm/pooling_allocator.hpp ----
// ---- begin include/wasm/detail/vm/type_registry.hpp ----
// Engine-wide function type ids. Two functions have the same id exactly when their types are
// equal, so call_indirect compares one u32 instead of two signatures. Id 0 is never used.
#include <deque>


namespace wasm::detail {

class TypeRegistry {
 public:
  uint32_t intern(const FuncType& type) {
    std::string key = encode(type);
    std::lock_guard lock(mutex_);
    auto [it, inserted] = ids_.try_emplace(std::move(key), uint32_t(types_.size() + 1));
    if (inserted) types_.push_back(type);
    return it->second;
  }
  // The type of an id returned by intern(); references stay valid for the registry's life.
  const FuncType& lookup(uint32_t id) const {
    std::lock_guard lock(mutex_);
    return types_[id - 1];
  }

 private:
  static std::string encode(const FuncType& type) {
    std::string key;
    key.reserve(type.params.size() + type.results.size() + 1);
    for (ValType t : type.params) key.push_back(char(t));
    key.push_back('\x01');  // not a value type byte (0x7C, f64, is '|')
    for (ValType t : type.results) key.push_back(char(t));
    return key;
  }

  mutable std::mutex mutex_;
  std::unordered_map<std::string, uint32_t> ids_;
  std::deque<FuncType> types_;
};

}  // namespace wasm::detail
// ---- end include/wasm/detail/vm/type_registry.hpp ----

namespace wasm::detail {

struct EngineState {
  explicit EngineState(const Config& c) : config(c), allocator(make_instance_allocator(c)) {}

  Config config;
  // Where instances, memories and tables come from (Config::allocation_strategy).
  std::unique_ptr<InstanceAllocator> allocator;
  TypeRegistry types;
  std::atomic<uint64_t> epoch{0};

  // The array-call trampoline of a function type, made once per engine.
  ArrayCallFn array_trampoline(uint32_t type_id);

  std::mutex trampolines_mutex;
  std::unordered_map<uint32_t, Stub> array_trampolines;
};

}  // namespace wasm::detail

// ---- end include/wasm/detail/vm/engine_state.hpp ----

namespace wasm::detail {

// The first fields of a host function's context, laid out like a VMContext's prefix so that
// code reaching the store context through the callee's "vmctx" works for both.
inline constexpr uint32_t kHostContextMagic =
    uint32_t('h') | uint32_t('o') << 8 | uint32_t('s') << 16 | uint32_t('t') << 24;

struct StoreData;
struct HostFunc;

// What a host function gets as its "callee vmctx": the prefix of a VMContext (so the entry
// trampoline finds the store context at the usual offset) and the function it belongs to.
struct VMHostContext {
  uint32_t magic = kHostContextMagic;
  uint32_t padding = 0;
  VMStoreContext* store_context = nullptr;
  HostFunc* owner = nullptr;
};
static_assert(offsetof(VMHostContext, store_context) == VMOffsets::store_context(),
              "a host function context must look like a VMContext to the entry trampoline");

// A host function defined in a store. JIT code calls `ref.code` with rdi = &vmctx.
struct HostFunc {
  // Reads parameters from values[0..n) and writes results to values[0..m). Returns false
  // after putting an Error into StoreData::pending_error (the call then traps).
  using Callback = std::function<bool(StoreData& store, VMContext* caller, ValRaw* values)>;

  VMHostContext vmctx;
  StoreData* store = nullptr;
  FuncType type;
  Callback callback;                // dynamic host functions
  Stub adapter;                     // their native convention → callback stub
  std::shared_ptr<void> closure;    // typed host functions: the C++ callable
  VMFuncRef ref;
};

struct StoreData {
  explicit StoreData(std::shared_ptr<EngineState> e)
      : engine(std::move(e)), id(next_id()), max_wasm_stack(engine->config.max_wasm_stack()) {
    ctx.store = this;
    ctx.epoch_counter = &engine->epoch;
  }
  ~StoreData() {
    for (Instance* i : instances) engine->allocator->deallocate_instance(i);
  }
  StoreData(const StoreData&) = delete;
  StoreData& operator=(const StoreData&) = delete;

  static StoreData& from_context(VMStoreContext* sc) { return *static_cast<StoreData*>(sc->store); }

  std::shared_ptr<EngineState> engine;
  uint64_t id;
  size_t max_wasm_stack;  // from the Config, read on every outermost entry into wasm
  VMStoreContext ctx;
  ResourceLimiter* limiter = nullptr;
  void* user_data = nullptr;  // the T of Store<T>

  std::vector<Instance*> instances;
  std::vector<std::unique_ptr<LinearMemory>> memories;
  std::vector<std::unique_ptr<Table>> tables;

  struct GlobalRecord {
    VMGlobalDefinition* definition;
    GlobalType type;
  };
  std::vector<GlobalRecord> globals;
  std::vector<std::unique_ptr<VMGlobalDefinition>> host_globals;

  struct FuncRecord {
    VMFuncRef* ref;
  };
  std::vector<FuncRecord> funcs;
  std::vector<std::unique_ptr<HostFunc>> host_funcs;

  // A host function's error on its way out to the caller of the wasm function.
  std::optional<Error> pending_error;

  uint32_t add_func(VMFuncRef* ref) {
    funcs.push_back({ref});
    return uint32_t(funcs.size() - 1);
  }
  uint32_t add_global(VMGlobalDefinition* def, GlobalType type) {
    globals.push_back({def, type});
    return uint32_t(globals.size() - 1);
  }

  // The function type of a funcref made in this engine.
  const FuncType& func_type(const VMFuncRef* ref) const {
    return engine->types.lookup(ref->type_id);
  }

 private:
  static uint64_t next_id() {
    static std::atomic<uint64_t> counter{1};
    return counter.fetch_add(1);
  }
};

}  // namespace wasm::detail
// ---- end include/wasm/detail/vm/store_data.hpp ----
// ---- begin include/wasm/detail/vm/trap_handler.hpp ----
// Turning faults in JIT code into traps.
//
// A process-wide signal handler (on an alternate stack) looks at every SIGSEGV/SIGBUS/SIGILL/
// SIGFPE. When the faulting pc is inside JIT code and the thread is running wasm, it records the
// trap in that thread's VMStoreContext and resumes at a resume stub, which returns from the
// innermost entry trampoline. Any other fault goes to the handler that was there before us.
#include <signal.h>
#include <ucontext.h>



namespace wasm::detail {

// Fills sc's trap fields and raw backtrace by walking the rbp chain of wasm frames from
// (pc, fp). Allocation-free: also called from the signal handler.
inline void record_trap(VMStoreContext* sc, TrapCode code, uintptr_t pc, uintptr_t fp) {
  sc->trap_code = uint32_t(code) + 1;
  sc->trap_pc = pc;
  sc->trap_fp = fp;
  TrapBacktrace& bt = sc->backtrace;
  bt.count = 0;
  bt.truncated = false;
  const CodeRegistry& registry = CodeRegistry::get();
  while (pc && registry.contains(pc)) {
    if (bt.count == TrapBacktrace::kMaxFrames) {
      bt.truncated = true;
      break;
    }
    bt.pcs[bt.count++] = pc;
    if (!fp) break;
    pc = reinterpret_cast<const uintptr_t*>(fp)[1];
    fp = reinterpret_cast<const uintptr_t*>(fp)[0];
  }
}

// Which VMStoreContext the current thread is running wasm for (innermost activation).
inline VMStoreContext*& current_store_context() {
  thread_local VMStoreContext* current = nullptr;
  return current;
}

class TrapHandler {
 public:
  // Installs the handler once per process and an alternate signal stack once per thread.
  static void ensure_installed() {
    // Checked on every entry into wasm: a relaxed load in the common case, call_once only
    // until the handler is in place.
    static std::atomic<bool> installed{false};
    if (!installed.load(std::memory_order_acquire)) {
      static std::once_flag once;
      std::call_once(once, [] { install(); });
      installed.store(true, std::memory_order_release);
    }
    thread_local bool alt_stack_ready = false;
    if (!alt_stack_ready) {
      alt_stack_ready = true;
      setup_alt_stack();
    }
  }

 private:
  static constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE};

  static struct sigaction* previous() {
    static struct sigaction prev[4];
    return prev;
  }

  static void install() {
    for (size_t i = 0; i < std::size(kSignals); ++i) {
      struct sigaction sa = {};
      sa.sa_sigaction = &handle;
      sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
      sigemptyset(&sa.sa_mask);
      sigaction(kSignals[i], &sa, &previous()[i]);
    }
  }

  // The alternate signal stack this thread got from us, released when the thread ends.
  struct AltStack {
    void* memory = nullptr;
    ~AltStack() {
      if (!memory) return;
      stack_t current = {};
      // Only if it is still ours: the host may have installed another one since.
      if (sigaltstack(nullptr, &current) == 0 && current.ss_sp == memory) {
        stack_t off = {};
        off.ss_flags = SS_DISABLE;
        sigaltstack(&off, nullptr);
      }
      std::free(memory);
    }
  };

  static void setup_alt_stack() {
    stack_t current = {};
    if (sigaltstack(nullptr, &current) == 0 && !(current.ss_flags & SS_DISABLE) &&
        current.ss_size >= kAltStackSize) {
      return;  // the host installed one that is big enough
    }
    thread_local AltStack mine;
    void* mem = std::malloc(kAltStackSize);
    if (!mem) return;
    stack_t ss = {};
    ss.ss_sp = mem;
    ss.ss_size = kAltStackSize;
    ss.ss_flags = 0;
    if (sigaltstack(&ss, nullptr) == 0) mine.memory = mem;
    else std::free(mem);
  }

  static constexpr size_t kAltStackSize = 64 * 1024;

  static TrapCode code_for_signal(int sig) {
    switch (sig) {
      case SIGFPE: return TrapCode::IntegerDivisionByZero;
      case SIGILL: return TrapCode::UnreachableCodeReached;
      default: return TrapCode::MemoryOutOfBounds;
    }
  }

  // Sends a fault in JIT code to the innermost entry trampoline's resume stub (trap_handler_impl.hpp).
  static void handle(int sig, siginfo_t* info, void* context);

  // Not our fault: behave as the previous handler would have.
  static void forward(int sig, siginfo_t* info, void* context) {
    for (size_t i = 0; i < std::size(kSignals); ++i) {
      if (kSignals[i] != sig) continue;
      const struct sigaction& prev = previous()[i];
      if (prev.sa_flags & SA_SIGINFO) {
        prev.sa_sigaction(sig, info, context);
        return;
      }
      if (prev.sa_handler == SIG_IGN) return;
      if (prev.sa_handler != SIG_DFL) {
        prev.sa_handler(sig);
        return;
      }
      // Default action: reinstall it; returning re-executes the fault, which now kills us.
      signal(sig, SIG_DFL);
      return;
    }
  }
};

}  // namespace wasm::detail

// ---- end include/wasm/detail/vm/trap_handler.hpp ----

namespace wasm::detail {

// Maps raw trap pcs to frames with function indices and names.
inline std::vector<FrameInfo> symbolize(const TrapBacktrace& bt) {
  std::vector<FrameInfo> frames;
  frames.reserve(bt.count);
  for (uint32_t i = 0; i < bt.count; ++i) {
    auto* module = static_cast<const ModuleState*>(CodeRegistry::get().lookup(bt.pcs[i]));
    if (!module) continue;
    std::optional<uint32_t> func = module->code.function_index_at(bt.pcs[i]);
    if (!func) continue;
    FrameInfo f;
    f.func_index = *func;
    f.func_name = module->info.func_name(f.func_index);
    f.module_offset = module->info.bodies[*func - module->info.num_imported_funcs].offset;
    frames.push_back(std::move(f));
  }
  return frames;
}

inline Error take_trap(StoreData& store) {
  VMStoreContext& sc = store.ctx;
  TrapCode code = TrapCode(sc.trap_code - 1);
  sc.trap_code = 0;
  Error error = Error::trap(code);
  if (code == TrapCode::HostError || store.pending_error) {
    if (store.pending_error) error = std::move(*store.pending_error);
    store.pending_error.reset();
  }
  error.set_backtrace(symbolize(sc.backtrace));
  return error;
}

// The entry trampoline for calls from the host to `target` (EntryStubs::entry_for).
WASMPP_INLINE const void* entry_trampoline_for(const VMFuncRef* target);

// Calls target->code through the entry trampoline `entry` (EntryStubs::entry_for(target))
// with target->vmctx and the native-convention arguments `args` (caller vmctx, ...); R is the
// native return type. This is the whole host-side cost of a typed call, so it writes as little
// memory as it can: the thread's current store context only when it changes, and the stack
// limit only on the outermost entry into the store (which also marks the store as running wasm).
template <typename R, typename... Args>
Result<R> enter_wasm(StoreData& store, const void* entry, const VMFuncRef* target, Args... args) {
  TrapHandler::ensure_installed();
  VMStoreContext& sc = store.ctx;
  // The signal handler finds the store of the running wasm code here. A pointer left behind
  // after an outermost call is never read: the handler reads it only for faults in JIT code,
  // and JIT code runs only below an enter_wasm that set it on this thread.
  VMStoreContext*& current = current_store_context();
  VMStoreContext* const previous = current;
  if (previous != &sc) current = &sc;
  // Wasm may use max_wasm_stack bytes below the outermost entry; prologues check against this
  // limit, which is 0 while no wasm of this store is running.
  const bool outermost = sc.stack_limit == 0;
  if (outermost) sc.stack_limit = uintptr_t(__builtin_frame_address(0)) - store.max_wasm_stack;
  // sc.trap_code is 0 here: take_trap clears it whenever a trap is reported.
  auto fn = reinterpret_cast<R (*)(const VMFuncRef*, Args...)>(const_cast<void*>(entry));
  auto leave = [&] {
    if (outermost) sc.stack_limit = 0;
    if (previous != &sc && previous != nullptr) current = previous;
  };
  if constexpr (std::is_void_v<R>) {
    fn(target, args...);
    leave();
    if (sc.trap_code) [[unlikely]] return take_trap(store);
    return {};
  } else {
    R result = fn(target, args...);
    leave();
    if (sc.trap_code) [[unlikely]] return take_trap(store);
    return result;
  }
}

// Calls a function with its arguments in values[0..n); the results replace them.
WASMPP_INLINE Result<void> call_array(StoreData& store, const VMFuncRef* func, ValRaw* values);

// Unwinds to the innermost entry trampoline with a trap raised on the host side, by host code
// whose frame is `exit_frame` (called by JIT code or an entry trampoline); the error itself
// (if any) is in StoreData::pending_error.
[[noreturn]] WASMPP_INLINE void raise_host_trap(StoreData& store, uintptr_t exit_frame);

// Runs a host callback, turning a thrown exception into a pending HostError trap. Everything
// with a destructor lives and dies in here, before any unwinding.
inline bool run_host_callback(HostFunc& host, VMContext* caller, ValRaw* values) noexcept {
  try {
    return host.callback(*host.store, caller, values);
  } catch (const std::exception& e) {
    host.store->pending_error = Error::trap(TrapCode::HostError, std::string("host function threw: ") + e.what());
  } catch (...) {
    host.store->pending_error = Error::trap(TrapCode::HostError, "host function threw an exception");
  }
  return false;
}

// The array-convention handler behind every HostFunc adapter stub.
inline void host_array_entry(void* host_ctx, void* caller, ValRaw* values, uintptr_t exit_frame) {
  HostFunc* host = static_cast<VMHostContext*>(host_ctx)->owner;
  if (run_host_callback(*host, static_cast<VMContext*>(caller), values)) return;
  raise_host_trap(*host->store, exit_frame);
}

// Creates a host function in `store` with a dynamic (array) callback.
WASMPP_INLINE HostFunc* make_host_func(StoreData& store, const FuncType& type, HostFunc::Callback callback);

}  // namespace wasm::detail

// ---- end include/wasm/detail/vm/invoke.hpp ----
// ---- begin include/wasm/detail/api/native_types.hpp ----
// How C++ types map to wasm value types and to the native calling convention (jit/abi.hpp):
// what a typed call passes in registers, and how multi-value results travel.
#include <emmintrin.h>



namespace wasm::detail {

template <typename T>
struct WasmTypeOf;  // only the types below can cross into wasm

template <>
struct WasmTypeOf<int32_t> {
  static constexpr ValType type = ValType::I32;
  using Native = int32_t;
  static Native to_native(int32_t v) { return v; }
  static int32_t from_native(Native v) { return v; }
};
template <>
struct WasmTypeOf<uint32_t> {
  static constexpr ValType type = ValType::I32;
  using Native = uint32_t;
  static Native to_native(uint32_t v) { return v; }
  static uint32_t from_native(Native v) { return v; }
};
template <>
struct WasmTypeOf<int64_t> {
  static constexpr ValType type = ValType::I64;
  using Native = int64_t;
  static Native to_native(int64_t v) { return v; }
  static int64_t from_native(Native v) { return v; }
};
template <>
struct WasmTypeOf<uint64_t> {
  static constexpr ValType type = ValType::I64;
  using Native = uint64_t;
  static Native to_native(uint64_t v) { return v; }
  static uint64_t from_native(Native v) { return v; }
};
template <>
struct WasmTypeOf<float> {
  static constexpr ValType type = ValType::F32;
  using Native = float;
  static Native to_native(float v) { return v; }
  static float from_native(Native v) { return v; }
};
template <>
struct WasmTypeOf<double> {
  static constexpr ValType type = ValType::F64;
  using Native = double;
  static Native to_native(double v) { return v; }
  static double from_native(Native v) { return v; }
};
// A v128 as native code passes it: System V classifies a struct whose only member is a
// vector type as SSE, so it travels in one xmm register. (A bare __m128i would lose its
// vector attribute as a template argument, and with it that classification.)
struct NativeV128 {
  __m128i value;
};

template <>
struct WasmTypeOf<V128> {
  static constexpr ValType type = ValType::V128;
  using Native = NativeV128;
  static Native to_native(const V128& v) {
    Native n;
    std::memcpy(&n.value, v.bytes.data(), 16);
    return n;
  }
  static V128 from_native(Native n) {
    V128 v;
    std::memcpy(v.bytes.data(), &n.value, 16);
    return v;
  }
};
template <>
struct WasmTypeOf<FuncRef> {
  static constexpr ValType type = ValType::FuncRef;
  using Native = VMFuncRef*;
  static Native to_native(FuncRef r) { return r.raw; }
  static FuncRef from_native(Native n) { return FuncRef{n}; }
};
template <>
struct WasmTypeOf<ExternRef> {
  static constexpr ValType type = ValType::ExternRef;
  using Native = void*;
  static Native to_native(ExternRef r) { return r.ptr; }
  static ExternRef from_native(Native n) { return ExternRef{n}; }
};

template <typename T>
concept WasmValue = requires { WasmTypeOf<std::remove_cvref_t<T>>::type; };

// Params and Results of TypedFunc / host functions, normalised to std::tuple.
template <typename T>
struct AsTuple {
  using type = std::tuple<T>;
};
template <>
struct AsTuple<void> {
  using type = std::tuple<>;
};
template <typename... Ts>
struct AsTuple<std::tuple<Ts...>> {
  using type = std::tuple<Ts...>;
};
template <typename T>
using as_tuple_t = typename AsTuple<T>::type;

// What a call returns for a result tuple: void, the one value, or the tuple.
template <typename Tuple, size_t N = std::tuple_size_v<Tuple>>
struct ReturnOf {
  using type = Tuple;
};
template <typename Tuple>
struct ReturnOf<Tuple, 0> {
  using type = void;
};
template <typename Tuple>
struct ReturnOf<Tuple, 1> {
  using type = std::tuple_element_t<0, Tuple>;
};
template <typename Tuple>
using return_type_t = typename ReturnOf<Tuple>::type;

// The native return type of a function returning R (void stays void).
template <typename R>
struct NativeReturn {
  using type = typename WasmTypeOf<R>::Native;
};
template <>
struct NativeReturn<void> {
  using type = void;
};
template <typename R>
using native_return_t = typename NativeReturn<R>::type;

// The native return type for a result tuple: the one value's native type, else void (no
// results, or several written to a results area).
template <typename Tuple, size_t N = std::tuple_size_v<Tuple>>
struct NativeResultOf {
  using type = void;
};
template <typename Tuple>
struct NativeResultOf<Tuple, 1> {
  using type = typename WasmTypeOf<std::tuple_element_t<0, Tuple>>::Native;
};

template <typename Tuple>
struct TupleTypes;
template <typename... Ts>
struct TupleTypes<std::tuple<Ts...>> {
  static std::vector<ValType> list() { return {WasmTypeOf<std::remove_cvref_t<Ts>>::type...}; }
  static constexpr unsigned kIntClass = ((abi::is_float_class(WasmTypeOf<std::remove_cvref_t<Ts>>::type) ? 0 : 1) + ... + 0);
  static constexpr unsigned kFloatClass = sizeof...(Ts) - kIntClass;
};

template <typename Params, typename Results>
FuncType func_type_of() {
  return FuncType{TupleTypes<as_tuple_t<Params>>::list(), TupleTypes<as_tuple_t<Results>>::list()};
}

// Whether a call with these types passes everything in registers (so the entry trampoline can
// forward it unchanged; otherwise the array path is used).
template <typename Params, typename Results>
constexpr bool fits_in_registers() {
  using P = TupleTypes<as_tuple_t<Params>>;
  constexpr unsigned results = std::tuple_size_v<as_tuple_t<Results>>;
  constexpr unsigned int_regs = 4 - (results > 1 ? 1 : 0);  // rdx, rcx, r8, r9 after the vmctxs
  return P::kIntClass <= int_regs && P::kFloatClass <= abi::kNumXmmArgRegs;
}

}  // namespace wasm::detail
// ---- end include/wasm/detail/api/native_types.hpp ----

namespace wasm {
template <typename T>
class Caller;
}  // namespace wasm

namespace wasm::detail {

// A member function bound to an object: a callable whose call operator has the member
// function's exact signature, so the adapter deduces the wasm type as for any callable. The
// object is not owned; it must outlive the stores that use the function.
template <typename Obj, typename M>
struct BoundMethod;
#define WASMPP_BOUND_METHOD(QUALIFIERS)                                           \
  template <typename Obj, typename C, typename R, typename... A>                  \
  struct BoundMethod<Obj, R (C::*)(A...) QUALIFIERS> {                            \
    Obj* object;                                                                  \
    R (C::*method)(A...) QUALIFIERS;                                              \
    R operator()(A... args) const { return (object->*method)(std::forward<A>(args)...); } \
  };
WASMPP_BOUND_METHOD()
WASMPP_BOUND_METHOD(const)
WASMPP_BOUND_METHOD(noexcept)
WASMPP_BOUND_METHOD(const noexcept)
#undef WASMPP_BOUND_METHOD

template <typename Obj, typename M>
  requires std::is_member_function_pointer_v<M>
BoundMethod<Obj, M> bind_method(Obj* object, M method) {
  return BoundMethod<Obj, M>{object, method};
}

// Signature analysis of a callable.
template <typename F>
struct CallableTraits : CallableTraits<decltype(&std::remove_cvref_t<F>::operator())> {};
template <typename R, typename... A>
struct CallableTraits<R (*)(A...)> {
  using Ret = R;
  using Args = std::tuple<A...>;
};
template <typename R, typename... A>
struct CallableTraits<R(A...)> : CallableTraits<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct CallableTraits<R (C::*)(A...)> : CallableTraits<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct CallableTraits<R (C::*)(A...) const> : CallableTraits<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct CallableTraits<R (C::*)(A...) noexcept> : CallableTraits<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct CallableTraits<R (C::*)(A...) const noexcept> : CallableTraits<R (*)(A...)> {};

template <typename T>
struct IsCaller : std::false_type {};
template <typename T>
struct IsCaller<Caller<T>&> : std::true_type {};

template <typename T>
struct UnwrapResult {
  using type = T;
  static constexpr bool is_result = false;
};
template <typename T>
struct UnwrapResult<Result<T>> {
  using type = T;
  static constexpr bool is_result = true;
};

template <typename Args>
struct FirstIsCaller : std::false_type {};
template <typename A0, typename... A>
struct FirstIsCaller<std::tuple<A0, A...>> : IsCaller<A0> {};

// The wasm parameters of a callable: its arguments, without a leading Caller<T>&.
template <bool DropFirst, typename Args>
struct ParamsOf;
template <typename A0, typename... A>
struct ParamsOf<true, std::tuple<A0, A...>> {
  using type = std::tuple<std::remove_cvref_t<A>...>;
};
template <typename... A>
struct ParamsOf<false, std::tuple<A...>> {
  using type = std::tuple<std::remove_cvref_t<A>...>;
};

// Params (without the Caller) and Results of a host callable, as tuples.
template <typename F>
struct HostSignature {
  using Traits = CallableTraits<F>;
  using AllArgs = typename Traits::Args;
  static constexpr bool takes_caller = FirstIsCaller<AllArgs>::value;
  using Params = typename ParamsOf<takes_caller, AllArgs>::type;
  using Returned = typename UnwrapResult<typename Traits::Ret>::type;  // void, T or tuple
  using Results = as_tuple_t<Returned>;
  static constexpr bool returns_result = UnwrapResult<typename Traits::Ret>::is_result;
};

// The adapter for callable F (stored in HostFunc::closure) in a store of data type T.
template <typename T, typename F, typename Params = typename HostSignature<F>::Params,
          typename Results = typename HostSignature<F>::Results>
struct HostAdapter;

template <typename T, typename F, typename... P, typename... R>
struct HostAdapter<T, F, std::tuple<P...>, std::tuple<R...>> {
  using Sig = HostSignature<F>;
  static constexpr size_t kResults = sizeof...(R);
  using NativeRet = typename NativeResultOf<std::tuple<R...>>::type;

  // Runs the callable; returns false with StoreData::pending_error set on failure. All C++
  // objects of the call live and die here, before any unwinding.
  static bool invoke(VMHostContext* ctx, VMContext* caller, ValRaw* out,
                     typename WasmTypeOf<P>::Native... args) noexcept {
    HostFunc& host = *ctx->owner;
    StoreData& store = *host.store;
    try {
      F& fn = *static_cast<F*>(host.closure.get());
      Caller<T> c(store, caller);
      auto run = [&]() -> decltype(auto) {
        if constexpr (Sig::takes_caller) return fn(c, WasmTypeOf<P>::from_native(args)...);
        else return fn(WasmTypeOf<P>::from_native(args)...);
      };
      using Ret = typename CallableTraits<F>::Ret;
      if constexpr (std::is_void_v<Ret>) {
        run();
      } else if constexpr (Sig::returns_result) {
        Ret r = run();
        if (!r) {
          Error e = std::move(r).error();
          store.pending_error = e.kind() == ErrorKind::Trap || e.kind() == ErrorKind::Exit ? std::move(e) : Error::trap(TrapCode::HostError, e.message());
          return false;
        }
        if constexpr (kResults > 0) store_results(out, std::move(*r));
      } else {
        store_results(out, run());
      }
      return true;
    } catch (const std::exception& e) {
      store.pending_error = Error::trap(TrapCode::HostError, std::string("host function threw: ") + e.what());
    } catch (...) {
      store.pending_error = Error::trap(TrapCode::HostError, "host function threw an exception");
    }
    return false;
  }

  template <typename V>
  static void store_results(ValRaw* out, V&& value) {
    if constexpr (kResults == 1) {
      using R0 = std::tuple_element_t<0, std::tuple<R...>>;
      auto native = WasmTypeOf<R0>::to_native(std::get<0>(as_tuple(std::forward<V>(value))));
      std::memcpy(out, &native, sizeof native);
    } else {
      auto tuple = as_tuple(std::forward<V>(value));
      store_each(out, tuple, std::index_sequence_for<R...>());
    }
  }
  template <typename Tuple, size_t... I>
  static void store_each(ValRaw* out, const Tuple& t, std::index_sequence<I...>) {
    (store_one<std::tuple_element_t<I, std::tuple<R...>>>(out[I], std::get<I>(t)), ...);
  }
  template <typename Ri>
  static void store_one(ValRaw& slot, const Ri& v) {
    auto native = WasmTypeOf<Ri>::to_native(v);
    std::memset(&slot, 0, sizeof slot);
    std::memcpy(&slot, &native, sizeof native);
  }
  template <typename V>
  static auto as_tuple(V&& v) {
    if constexpr (requires { std::tuple_size<std::remove_cvref_t<V>>::value; }) return std::forward<V>(v);
    else return std::make_tuple(std::forward<V>(v));
  }

  // `frame`: the adapter's own frame, whose return address leads back into wasm (or into the
  // entry trampoline, when the host called the function directly).
  [[noreturn]] static void fail(VMHostContext* ctx, void* frame) {
    raise_host_trap(*ctx->owner->store, uintptr_t(frame));
  }

  // The function JIT code calls.
  static NativeRet call(VMHostContext* ctx, VMContext* caller, typename WasmTypeOf<P>::Native... args)
    requires(kResults <= 1)
  {
    ValRaw result{};
    if (!invoke(ctx, caller, &result, args...)) fail(ctx, __builtin_frame_address(0));
    if constexpr (kResults == 1) {
      NativeRet r;
      std::memcpy(&r, &result, sizeof r);
      return r;
    }
  }
  static void call_multi(VMHostContext* ctx, VMContext* caller, ValRaw* results,
                         typename WasmTypeOf<P>::Native... args)
    requires(kResults > 1)
  {
    if (!invoke(ctx, caller, results, args...)) fail(ctx, __builtin_frame_address(0));
  }

  static void* entry() {
    if constexpr (kResults > 1) return reinterpret_cast<void*>(&call_multi);
    else return reinterpret_cast<void*>(&call);
  }
};

// Creates a typed host function in `store` from callable `fn`.
template <typename T, typename F>
HostFunc* make_typed_host_func(StoreData& store, F&& fn) {
  using Fn = std::remove_cvref_t<F>;
  using Sig = HostSignature<Fn>;
  using Adapter = HostAdapter<T, Fn>;
  auto host = std::make_unique<HostFunc>();
  host->vmctx.store_context = &store.ctx;
  host->vmctx.owner = host.get();
  host->store = &store;
  host->type = func_type_of<typename Sig::Params, typename Sig::Results>();
  host->closure = std::shared_ptr<void>(new Fn(std::forward<F>(fn)), [](void* p) { delete static_cast<Fn*>(p); });
  host->ref.code = Adapter::entry();
  host->ref.vmctx = reinterpret_cast<VMContext*>(&host->vmctx);
  host->ref.type_id = store.engine->types.intern(host->type);
  HostFunc* raw = host.get();
  store.host_funcs.push_back(std::move(host));
  return raw;
}

// Wraps a dynamic host callback (Caller<T>&, params, results) -> Result<void> into the array
// convention of HostFunc.
template <typename T, typename F>
HostFunc::Callback array_callback(const FuncType& type, F&& callback) {
  return [type, cb = std::forward<F>(callback)](StoreData& store, VMContext* caller,
                                               ValRaw* values) mutable -> bool {
    Caller<T> c(store, caller);
    std::vector<Val> params;
    params.reserve(type.params.size());
    for (size_t i = 0; i < type.params.size(); ++i) params.push_back(Val::from_raw(type.params[i], values[i]));
    std::vector<Val> results;
    results.reserve(type.results.size());
    for (ValType t : type.results) results.push_back(Val::zero(t));
    Result<void> r = cb(c, std::span<const Val>(params), std::span<Val>(results));
    if (!r) {
      Error e = std::move(r).error();
      store.pending_error = e.kind() == ErrorKind::Trap || e.kind() == ErrorKind::Exit ? std::move(e) : Error::trap(TrapCode::HostError, e.message());
      return false;
    }
    for (size_t i = 0; i < results.size(); ++i) {
      if (results[i].type() != type.results[i]) {
        store.pending_error = Error::trap(TrapCode::HostError, "host function returned a value of the wrong type");
        return false;
      }
      values[i] = results[i].raw();
    }
    return true;
  };
}

}  // namespace wasm::detail

// ---- end include/wasm/detail/api/host_adapter.hpp ----
// ---- begin include/wasm/store.hpp ----
// Store<T>: owns all wasm state (instances, memories, tables, globals, host functions) and the
// embedder's data T. Not thread-safe: one thread at a time uses a store. Handles (Func,
// Memory, ...) belong to one store; using one with another store is an error, not UB.

// ---- begin include/wasm/engine.hpp ----
// Engine: the compilation environment shared by modules and stores. Cheap to copy (a handle);
// safe to share between threads.


namespace wasm {

class Engine {
 public:
  Engine() : Engine(Config{}) {}
  explicit Engine(const Config& config) : state_(std::make_shared<detail::EngineState>(config)) {}

  const Config& config() const { return state_->config; }

  // Advances the epoch; stores whose deadline it reaches trap (Config::epoch_interruption).
  // Safe to call from any thread.
  void increment_epoch() { state_->epoch.fetch_add(1, std::memory_order_relaxed); }

  friend bool operator==(const Engine& a, const Engine& b) { return a.state_ == b.state_; }

  // Internal: the shared state behind the handle.
  detail::EngineState& state() const { return *state_; }
  const std::shared_ptr<detail::EngineState>& shared_state() const { return state_; }
  static Engine from_state(std::shared_ptr<detail::EngineState> state) { return Engine(std::move(state)); }

 private:
  explicit Engine(std::shared_ptr<detail::EngineState> state) : state_(std::move(state)) {}
  std::shared_ptr<detail::EngineState> state_;
};

}  // namespace wasm
// ---- end include/wasm/engine.hpp ----

namespace wasm {

using ResourceLimiter = detail::ResourceLimiter;

template <typename T = std::monostate>
class Store {
 public:
  explicit Store(const Engine& engine, T data = T{})
      : engine_(engine), inner_(std::make_unique<detail::StoreData>(engine.shared_state())), data_(std::make_unique<T>(std::move(data))) {
    inner_->user_data = data_.get();
  }

  T& data() { return *data_; }
  const T& data() const { return *data_; }
  const Engine& engine() const { return engine_; }

  // Fuel (Config::consume_fuel): wasm traps with OutOfFuel once it has used `fuel` units.
  Result<void> set_fuel(uint64_t fuel) {
    if (!engine().config().consume_fuel()) return Error(ErrorKind::Type, "fuel is not enabled in the Config");
    inner_->ctx.fuel_consumed = -int64_t(fuel);
    return {};
  }
  Result<uint64_t> get_fuel() const {
    if (!engine().config().consume_fuel()) return Error(ErrorKind::Type, "fuel is not enabled in the Config");
    int64_t consumed = inner_->ctx.fuel_consumed;
    return consumed >= 0 ? uint64_t(0) : uint64_t(-consumed);
  }

  // Epochs (Config::epoch_interruption): wasm traps with Interrupt once the engine's epoch
  // has advanced `ticks` beyond its current value.
  void set_epoch_deadline(uint64_t ticks) {
    inner_->ctx.epoch_deadline = engine().state().epoch.load(std::memory_order_relaxed) + ticks;
  }

  // Memory and table growth ask `limiter` first (null: no limits beyond the types').
  void limiter(ResourceLimiter* limiter) { inner_->limiter = limiter; }

  // Internal: the non-template store state.
  detail::StoreData& inner() { return *inner_; }
  const detail::StoreData& inner() const { return *inner_; }

 private:
  Engine engine_;
  std::unique_ptr<detail::StoreData> inner_;
  std::unique_ptr<T> data_;
};

namespace detail {

// Anything that gives access to a store: Store<T>& or Caller<T>&.
template <typename S>
concept StoreLike = requires(S& s) {
  { s.inner() } -> std::same_as<StoreData&>;
};

// The store a handle belongs to, or null when `store` is another one (the hot-path check).
template <StoreLike S>
StoreData* store_if_owner(S& store, uint64_t store_id) {
  StoreData& data = store.inner();
  return data.id == store_id ? &data : nullptr;
}

// The store a handle belongs to, or an error when `store` is another one.
template <StoreLike S>
Result<StoreData*> owning_store(S& store, uint64_t store_id) {
  StoreData& data = store.inner();
  if (data.id != store_id) return Error(ErrorKind::Type, "object used with a store it does not belong to");
  return &data;
}

}  // namespace detail

}  // namespace wasm
// ---- end include/wasm/store.hpp ----

namespace wasm {

template <typename T = std::monostate>
class Caller;

class Func {
 public:
  Func() = default;

  // The function's type.
  template <detail::StoreLike S>
  Result<FuncType> type(S& store) const {
    auto data = detail::owning_store(store, store_id_);
    if (!data) return std::move(data).error();
    return (*data)->func_type(ref(**data));
  }

  // Calls the function. `args` must match its parameters and `results` have one slot per
  // result; a trap is an Error of kind Trap.
  template <detail::StoreLike S>
  Result<void> call(S& store, std::span<const Val> args, std::span<Val> results) const {
    auto data = detail::owning_store(store, store_id_);
    if (!data) return std::move(data).error();
    detail::StoreData& s = **data;
    detail::VMFuncRef* f = ref(s);
    const FuncType& type = s.func_type(f);
    if (args.size() != type.params.size() || results.size() != type.results.size()) {
      return Error(ErrorKind::Type, "wrong number of arguments or results for " + type.to_string());
    }
    // The argument/result array lives on the stack unless the signature is unusually wide.
    constexpr size_t kInline = 16;
    const size_t slots = std::max(args.size(), results.size()) + 1;
    detail::ValRaw inline_values[kInline];
    std::unique_ptr<detail::ValRaw[]> heap_values;
    detail::ValRaw* values = inline_values;
    if (slots > kInline) values = (heap_values = std::make_unique<detail::ValRaw[]>(slots)).get();
    for (size_t i = 0; i < args.size(); ++i) {
      if (args[i].type() != type.params[i]) {
        return Error(ErrorKind::Type, "argument " + std::to_string(i) + " has the wrong type for " +
                                          type.to_string());
      }
      values[i] = args[i].raw();
    }
    if (Result<void> r = detail::call_array(s, f, values); !r) return r;
    for (size_t i = 0; i < results.size(); ++i) results[i] = Val::from_raw(type.results[i], values[i]);
    return {};
  }

  // Creates a host function with a dynamic signature (defined below):
  //   callback(Caller<T>&, std::span<const Val> params, std::span<Val> results) -> Result<void>
  template <typename T, typename F>
  static Func create(Store<T>& store, const FuncType& type, F&& callback);

  // Creates a typed host function from a C++ callable (lambda, function pointer, functor),
  // its wasm type deduced from the signature (defined below). It may
  // take a leading Caller<T>& and return void, a value, a std::tuple or a Result of those.
  template <typename T, typename F>
  static Func wrap(Store<T>& store, F&& fn);
  // The same for a member function called on `object` (not owned: it must outlive the store),
  // e.g. Func::wrap(store, &counter, &Counter::add).
  template <typename T, typename Obj, typename M>
    requires std::is_member_function_pointer_v<M>
  static Func wrap(Store<T>& store, Obj* object, M method);

  // Internal.
  Func(uint64_t store_id, uint32_t index) : store_id_(store_id), index_(index) {}
  uint64_t store_id() const { return store_id_; }
  uint32_t index() const { return index_; }
  detail::VMFuncRef* ref(detail::StoreData& store) const { return store.funcs[index_].ref; }

 private:
  uint64_t store_id_ = 0;
  uint32_t index_ = 0;
};

// Host functions: defined here, after the class, because the adapters need Func's
// declaration; Caller<T> is only named, and is complete wherever a host function is made.
template <typename T, typename F>
Func Func::create(Store<T>& store, const FuncType& type, F&& callback) {
  detail::StoreData& s = store.inner();
  detail::HostFunc* host = detail::make_host_func(s, type, detail::array_callback<T>(type, std::forward<F>(callback)));
  return Func(s.id, s.add_func(&host->ref));
}

template <typename T, typename F>
Func Func::wrap(Store<T>& store, F&& fn) {
  detail::StoreData& s = store.inner();
  detail::HostFunc* host = detail::make_typed_host_func<T>(s, std::forward<F>(fn));
  return Func(s.id, s.add_func(&host->ref));
}

template <typename T, typename Obj, typename M>
  requires std::is_member_function_pointer_v<M>
Func Func::wrap(Store<T>& store, Obj* object, M method) {
  return wrap(store, detail::bind_method(object, method));
}

}  // namespace wasm
// ---- end include/wasm/func.hpp ----
// ---- begin include/wasm/global.hpp ----
// Global: a global variable of a store. Mutable globals are shared by reference between the
// instances that import them.


namespace wasm {

class Global {
 public:
  Global() = default;

  template <typename T>
  static Result<Global> create(Store<T>& store, const GlobalType& type, const Val& init) {
    if (init.type() != type.type) return Error(ErrorKind::Type, "global initial value of the wrong type");
    detail::StoreData& s = store.inner();
    auto def = std::make_unique<detail::VMGlobalDefinition>();
    std::memcpy(def->storage, &init.raw(), sizeof def->storage);
    uint32_t index = s.add_global(def.get(), type);
    s.host_globals.push_back(std::move(def));
    return Global(s.id, index);
  }

  template <detail::StoreLike S>
  Result<GlobalType> type(S& store) const {
    auto r = record(store);
    if (!r) return std::move(r).error();
    return (*r)->type;
  }
  template <detail::StoreLike S>
  Result<Val> get(S& store) const {
    auto r = record(store);
    if (!r) return std::move(r).error();
    detail::ValRaw raw;
    std::memcpy(&raw, (*r)->definition->storage, sizeof raw);
    return Val::from_raw((*r)->type.type, raw);
  }
  template <detail::StoreLike S>
  Result<void> set(S& store, const Val& value) const {
    auto r = record(store);
    if (!r) return std::move(r).error();
    if (!(*r)->type.mutable_) return Error(ErrorKind::Type, "global is immutable");
    if (value.type() != (*r)->type.type) return Error(ErrorKind::Type, "global value of the wrong type");
    std::memcpy((*r)->definition->storage, &value.raw(), sizeof(detail::ValRaw));
    return {};
  }

  // Internal.
  Global(uint64_t store_id, uint32_t index) : store_id_(store_id), index_(index) {}
  uint32_t index() const { return index_; }
  uint64_t store_id() const { return store_id_; }

 private:
  template <detail::StoreLike S>
  Result<detail::StoreData::GlobalRecord*> record(S& store) const {
    auto s = detail::owning_store(store, store_id_);
    if (!s) return std::move(s).error();
    return &(*s)->globals[index_];
  }

  uint64_t store_id_ = 0;
  uint32_t index_ = 0;
};

}  // namespace wasm
// ---- end include/wasm/global.hpp ----
// ---- begin include/wasm/memory.hpp ----
// Memory: a linear memory of a store.


namespace wasm {

class Memory {
 public:
  Memory() = default;

  // A new memory owned by the store.
  template <typename T>
  static Result<Memory> create(Store<T>& store, const MemoryType& type) {
    detail::StoreData& s = store.inner();
    detail::MemorySettings settings;
    settings.bounds_checks = s.engine->config.bounds_checks();
    auto mem = detail::LinearMemory::create(type, settings, s.limiter);
    if (!mem) return std::move(mem).error();
    s.memories.push_back(std::move(*mem));
    return Memory(s.id, uint32_t(s.memories.size() - 1));
  }

  // The memory's bytes (empty when `store` is not its store). Invalidated by grow.
  template <detail::StoreLike S>
  std::span<uint8_t> data(S& store) const {
    auto mem = get(store);
    return mem ? (*mem)->data() : std::span<uint8_t>();
  }
  // Current size in pages.
  template <detail::StoreLike S>
  uint64_t size(S& store) const {
    auto mem = get(store);
    return mem ? (*mem)->pages() : 0;
  }
  template <detail::StoreLike S>
  Result<MemoryType> type(S& store) const {
    auto mem = get(store);
    if (!mem) return std::move(mem).error();
    return (*mem)->type();
  }
  // Grows by `delta` pages; returns the old size in pages.
  template <detail::StoreLike S>
  Result<uint64_t> grow(S& store, uint64_t delta) const {
    auto mem = get(store);
    if (!mem) return std::move(mem).error();
    return (*mem)->grow(delta, store.inner().limiter);
  }
  // Bounds-checked copies between the memory and host buffers.
  template <detail::StoreLike S>
  Result<void> read(S& store, uint64_t offset, std::span<uint8_t> out) const {
    auto bytes = checked(store, offset, out.size());
    if (!bytes) return std::move(bytes).error();
    if (!out.empty()) std::memcpy(out.data(), bytes->data(), out.size());
    return {};
  }
  template <detail::StoreLike S>
  Result<void> write(S& store, uint64_t offset, std::span<const uint8_t> in) const {
    auto bytes = checked(store, offset, in.size());
    if (!bytes) return std::move(bytes).error();
    if (!in.empty()) std::memcpy(bytes->data(), in.data(), in.size());
    return {};
  }

  // Internal.
  Memory(uint64_t store_id, uint32_t index) : store_id_(store_id), index_(index) {}
  uint32_t index() const { return index_; }
  uint64_t store_id() const { return store_id_; }

 private:
  template <detail::StoreLike S>
  Result<detail::LinearMemory*> get(S& store) const {
    auto s = detail::owning_store(store, store_id_);
    if (!s) return std::move(s).error();
    return (*s)->memories[index_].get();
  }
  template <detail::StoreLike S>
  Result<std::span<uint8_t>> checked(S& store, uint64_t offset, uint64_t len) const {
    auto mem = get(store);
    if (!mem) return std::move(mem).error();
    std::span<uint8_t> all = (*mem)->data();
    if (!detail::range_in_bounds(offset, len, all.size())) {
      return Error::trap(TrapCode::MemoryOutOfBounds);
    }
    return all.subspan(offset, len);
  }

  uint64_t store_id_ = 0;
  uint32_t index_ = 0;
};

}  // namespace wasm
// ---- end include/wasm/memory.hpp ----
// ---- begin include/wasm/table.hpp ----
// Table: a table of references of a store.

namespace wasm {

class Table {
 public:
  Table() = default;

  // A new table of `type`, every element set to `init` (a null reference by default).
  template <typename T>
  static Result<Table> create(Store<T>& store, const TableType& type, std::optional<Val> init = {}) {
    detail::StoreData& s = store.inner();
    auto table = detail::Table::create(type, {}, s.limiter);
    if (!table) return std::move(table).error();
    void* value = init ? init->raw().ref : nullptr;
    (void)(*table)->fill(0, value, (*table)->size());
    s.tables.push_back(std::move(*table));
    return Table(s.id, uint32_t(s.tables.size() - 1));
  }

  template <detail::StoreLike S>
  uint64_t size(S& store) const {
    auto t = get(store);
    return t ? (*t)->size() : 0;
  }
  template <detail::StoreLike S>
  Result<TableType> type(S& store) const {
    auto t = get(store);
    if (!t) return std::move(t).error();
    return (*t)->type();
  }
  // The element at `index`, or a TableOutOfBounds trap error.
  template <detail::StoreLike S>
  Result<Val> get(S& store, uint64_t index) const {
    auto t = get(store);
    if (!t) return std::move(t).error();
    std::optional<void*> value = (*t)->get(index);
    if (!value) return Error::trap(TrapCode::TableOutOfBounds);
    detail::ValRaw raw{};
    raw.ref = *value;
    return Val::from_raw((*t)->element_type(), raw);
  }
  template <detail::StoreLike S>
  Result<void> set(S& store, uint64_t index, const Val& value) const {
    auto t = get(store);
    if (!t) return std::move(t).error();
    if (value.type() != (*t)->element_type()) return Error(ErrorKind::Type, "table element of the wrong type");
    if (!(*t)->set(index, value.raw().ref)) return Error::trap(TrapCode::TableOutOfBounds);
    return {};
  }
  // Grows by `delta` elements set to `init`; returns the old size.
  template <detail::StoreLike S>
  Result<uint64_t> grow(S& store, uint64_t delta, const Val& init) const {
    auto t = get(store);
    if (!t) return std::move(t).error();
    return (*t)->grow(delta, init.raw().ref, store.inner().limiter);
  }

  // Internal.
  Table(uint64_t store_id, uint32_t index) : store_id_(store_id), index_(index) {}
  uint32_t index() const { return index_; }
  uint64_t store_id() const { return store_id_; }

 private:
  template <detail::StoreLike S>
  Result<detail::Table*> get(S& store) const {
    auto s = detail::owning_store(store, store_id_);
    if (!s) return std::move(s).error();
    return (*s)->tables[index_].get();
  }

  uint64_t store_id_ = 0;
  uint32_t index_ = 0;
};

}  // namespace wasm
// ---- end include/wasm/table.hpp ----

namespace wasm {

using Extern = std::variant<Func, Table, Memory, Global>;

namespace detail {

inline ExternKind extern_kind(const Extern& e) {
  switch (e.index()) {
    case 0: return ExternKind::Func;
    case 1: return ExternKind::Table;
    case 2: return ExternKind::Memory;
    default: return ExternKind::Global;
  }
}

inline uint64_t extern_store_id(const Extern& e) {
  return std::visit([](const auto& x) { return x.store_id(); }, e);
}

inline uint32_t extern_handle(const Extern& e) {
  return std::visit([](const auto& x) { return x.index(); }, e);
}

}  // namespace detail

}  // namespace wasm
// ---- end include/wasm/extern.hpp ----
// ---- begin include/wasm/typed_func.hpp ----
// TypedFunc<Params, Results>: a function whose wasm type is fixed by C++ types, called straight
// into its machine code through the entry trampoline: no boxing, no allocation.
//   Params:  one type or a std::tuple (std::tuple<> or void for none)
//   Results: void, one type or a std::tuple (multi-value)
// Types: int32_t, int64_t, float, double, wasm::V128, wasm::FuncRef, wasm::ExternRef
// (uint32_t and uint64_t are accepted as i32 and i64).


namespace wasm {

template <typename Params, typename Results>
class TypedFunc {
  using ParamTuple = detail::as_tuple_t<Params>;
  using ResultTuple = detail::as_tuple_t<Results>;
  static constexpr size_t kResults = std::tuple_size_v<ResultTuple>;

 public:
  using ReturnType = detail::return_type_t<ResultTuple>;

  // Checks that `func` has exactly this type.
  template <detail::StoreLike S>
  static Result<TypedFunc> from(S& store, const Func& func) {
    auto type = func.type(store);
    if (!type) return std::move(type).error();
    FuncType want = detail::func_type_of<Params, Results>();
    if (*type != want) {
      return Error(ErrorKind::Type, "function has type " + type->to_string() + ", not " + want.to_string());
    }
    return TypedFunc(func, func.ref(store.inner()));
  }

  template <detail::StoreLike S, typename... Args>
  Result<ReturnType> call(S& store, Args&&... args) const {
    static_assert(sizeof...(Args) == std::tuple_size_v<ParamTuple>, "wrong number of arguments");
    detail::StoreData* data = detail::store_if_owner(store, func_.store_id());
    if (!data) return detail::owning_store(store, func_.store_id()).error();
    return invoke(*data, std::make_index_sequence<sizeof...(Args)>(), std::forward<Args>(args)...);
  }

  const Func& func() const { return func_; }

 private:
  // A function's VMFuncRef never moves, so it and the entry trampoline it needs are looked up
  // once here: a call then loads nothing through the store but its id.
  TypedFunc(const Func& f, const detail::VMFuncRef* ref)
      : func_(f), ref_(ref), vmctx_(ref->vmctx), entry_(detail::entry_trampoline_for(ref)) {}

  template <size_t I>
  using P = std::tuple_element_t<I, ParamTuple>;

  template <size_t... I, typename... Args>
  Result<ReturnType> invoke(detail::StoreData& s, std::index_sequence<I...>, Args&&... args) const {
    void* vmctx = vmctx_;
    if constexpr (detail::fits_in_registers<Params, Results>()) {
      if constexpr (kResults <= 1) {
        using Native = detail::native_return_t<ReturnType>;
        auto r = detail::enter_wasm<Native>(s, entry_, ref_, vmctx,
                                             detail::WasmTypeOf<P<I>>::to_native(P<I>(args))...);
        if constexpr (kResults == 0) {
          return r;
        } else {
          if (!r) return std::move(r).error();
          return detail::WasmTypeOf<ReturnType>::from_native(*r);
        }
      } else {
        detail::ValRaw results[kResults];
        auto r = detail::enter_wasm<void>(s, entry_, ref_, vmctx, static_cast<detail::ValRaw*>(results),
                                           detail::WasmTypeOf<P<I>>::to_native(P<I>(args))...);
        if (!r) return std::move(r).error();
        return read_results(results, std::make_index_sequence<kResults>());
      }
    } else {
      // Too many arguments for registers: go through the array trampoline.
      detail::ValRaw values[std::max<size_t>(sizeof...(I), kResults) + 1];
      (write_raw(values[I], detail::WasmTypeOf<P<I>>::to_native(P<I>(args))), ...);
      if (auto r = detail::call_array(s, ref_, values); !r) return std::move(r).error();
      if constexpr (kResults == 0) return {};
      else if constexpr (kResults == 1) return std::get<0>(read_results(values, std::make_index_sequence<1>()));
      else return read_results(values, std::make_index_sequence<kResults>());
    }
  }

  template <typename N>
  static void write_raw(detail::ValRaw& slot, const N& native) {
    std::memset(&slot, 0, sizeof slot);
    std::memcpy(&slot, &native, sizeof native);
  }

  template <size_t... I>
  static ResultTuple read_results(const detail::ValRaw* values, std::index_sequence<I...>) {
    return ResultTuple{read_one<std::tuple_element_t<I, ResultTuple>>(values[I])...};
  }
  template <typename R>
  static R read_one(const detail::ValRaw& slot) {
    typename detail::WasmTypeOf<R>::Native native;
    std::memcpy(&native, &slot, sizeof native);
    return detail::WasmTypeOf<R>::from_native(native);
  }

  Func func_;
  const detail::VMFuncRef* ref_;  // stable for the store's lifetime
  void* vmctx_;
  const void* entry_;             // EntryStubs::entry_for(ref_)
};

}  // namespace wasm
// ---- end include/wasm/typed_func.hpp ----

namespace wasm {

class Instance {
 public:
  Instance() = default;

  // The export called `name`, made into a handle the first time it is asked for.
  template <detail::StoreLike S>
  std::optional<Extern> get_export(S& store, std::string_view name) const {
    auto s = detail::owning_store(store, store_id_);
    if (!s) return std::nullopt;
    return export_of(**s, (*s)->instances[index_], name);
  }
  template <detail::StoreLike S>
  std::optional<Func> get_func(S& store, std::string_view name) const { return get_as<Func>(store, name); }
  template <detail::StoreLike S>
  std::optional<Memory> get_memory(S& store, std::string_view name) const { return get_as<Memory>(store, name); }
  template <detail::StoreLike S>
  std::optional<Table> get_table(S& store, std::string_view name) const { return get_as<Table>(store, name); }
  template <detail::StoreLike S>
  std::optional<Global> get_global(S& store, std::string_view name) const { return get_as<Global>(store, name); }

  // The exported function `name` as a TypedFunc; a missing export or another type is an error.
  template <typename Params, typename Results, detail::StoreLike S>
  Result<TypedFunc<Params, Results>> get_typed_func(S& store, std::string_view name) const {
    std::optional<Func> f = get_func(store, name);
    if (!f) return Error(ErrorKind::Type, "no exported function \"" + std::string(name) + "\"");
    return TypedFunc<Params, Results>::from(store, *f);
  }

  // Internal.
  Instance(uint64_t store_id, uint32_t index) : store_id_(store_id), index_(index) {}
  uint64_t store_id() const { return store_id_; }
  uint32_t index() const { return index_; }

  static std::optional<Extern> export_of(detail::StoreData& s, detail::Instance* in, std::string_view name) {
    const auto& index = in->module->export_index;
    auto it = index.find(name);
    if (it == index.end()) return std::nullopt;
    const detail::Export& e = in->info().exports[it->second];
    switch (e.kind) {
      case ExternKind::Func: {
        int64_t& handle = in->func_handles[e.index];
        if (handle < 0) handle = s.add_func(in->func_ref(e.index));
        return Func(s.id, uint32_t(handle));
      }
      case ExternKind::Table: return wasm::Table(s.id, in->table_handles[e.index]);
      case ExternKind::Memory: return Memory(s.id, in->memory_handles[e.index]);
      case ExternKind::Global: return Global(s.id, in->global_handles[e.index]);
      case ExternKind::Tag: return std::nullopt;
    }
    return std::nullopt;
  }

 private:
  template <typename E, detail::StoreLike S>
  std::optional<E> get_as(S& store, std::string_view name) const {
    std::optional<Extern> e = get_export(store, name);
    if (!e || !std::holds_alternative<E>(*e)) return std::nullopt;
    return std::get<E>(*e);
  }

  uint64_t store_id_ = 0;
  uint32_t index_ = 0;
};

}  // namespace wasm
// ---- end include/wasm/instance.hpp ----

namespace wasm {

template <typename T>
class Caller {
 public:
  Caller(detail::StoreData& store, detail::VMContext* caller_vmctx) : store_(store) {
    // A host function called straight from the host has no calling instance.
    if (caller_vmctx && detail::is_instance_vmctx(caller_vmctx)) {
      caller_ = detail::Instance::from_vmctx(caller_vmctx);
    }
  }

  T& data() { return *static_cast<T*>(store_.user_data); }
  detail::StoreData& inner() { return store_; }

  // An export of the calling instance.
  std::optional<Extern> get_export(std::string_view name) {
    if (!caller_) return std::nullopt;
    return Instance::export_of(store_, caller_, name);
  }
  std::optional<Memory> get_memory(std::string_view name) {
    std::optional<Extern> e = get_export(name);
    if (!e || !std::holds_alternative<Memory>(*e)) return std::nullopt;
    return std::get<Memory>(*e);
  }
  std::optional<Func> get_func(std::string_view name) {
    std::optional<Extern> e = get_export(name);
    if (!e || !std::holds_alternative<Func>(*e)) return std::nullopt;
    return std::get<Func>(*e);
  }

 private:
  detail::StoreData& store_;
  detail::Instance* caller_ = nullptr;
};


}  // namespace wasm
// ---- end include/wasm/caller.hpp ----
// ---- begin include/wasm/linker.hpp ----
// Linker<T>: definitions by module and name (functions, tables, memories, globals, whole
// instances) that resolve a module's imports, then instantiation. Host functions defined on a
// Linker belong to no store: each store gets its own copy the first time it needs one.
#include <map>

// ---- begin include/wasm/detail/vm/instantiate.hpp ----
// Instantiation in the specification's order: imports type-checked; the Instance and its
// VMContext allocated; memories, tables, function references and globals created; element and
// then data segments applied (a failing segment stops instantiation, earlier writes stay
// visible, as in 2.0); then the start function runs.


namespace wasm::detail {

// An import resolved to an entity of the store: kind plus an index into the store's vectors.
struct ResolvedImport {
  ExternKind kind = ExternKind::Func;
  uint32_t handle = 0;
};

// Instantiates `module` in `store` with `imports` (one per import of the module, in order).
// On success the instance belongs to the store. On failure after allocation it belongs to
// the store too: segments may already have written into shared tables or memories.
WASMPP_INLINE Result<Instance*> instantiate(StoreData& store, std::shared_ptr<const ModuleState> module,
                                            std::span<const ResolvedImport> imports);

}  // namespace wasm::detail

// ---- end include/wasm/detail/vm/instantiate.hpp ----
// ---- begin include/wasm/module.hpp ----
// Module: a decoded, validated and compiled WebAssembly module, ready to instantiate.
// Immutable and shareable between threads and stores; copies are handles to the same module.


namespace wasm {

using ExternType = std::variant<FuncType, TableType, MemoryType, GlobalType>;

struct ImportType {
  std::string_view module;
  std::string_view name;
  ExternType type;
};

struct ExportType {
  std::string_view name;
  ExternType type;
};

class Module {
 public:
  // Decodes, validates and compiles `bytes`. Errors are of kind Decode, Validate or Resource.
  static Result<Module> compile(const Engine& engine, std::span<const uint8_t> bytes);

  // Encodes WebAssembly text (`(module ...)` or bare module fields) to the binary format and
  // compiles it. A text error is of kind Decode with "line:column: message".
  static Result<Module> from_wat(const Engine& engine, std::string_view text);

  // The precompiled form of this module (header of jit/serialized_header.hpp, then the module
  // and its machine code), for deserialize_unchecked by an engine of the same configuration.
  std::vector<uint8_t> serialize() const;

  // Loads a module that serialize() wrote, without compiling it again.
  // UNCHECKED: this runs machine code taken from `bytes`. Give it only bytes that you trust as
  // much as this program's own code (written by serialize() of this wasmpp, and stored where
  // nobody else can write); like wasmtime's `unsafe fn Module::deserialize`. The header's
  // checks refuse, with an error that says why, bytes that are no precompiled module, were
  // written by another wasmpp or for another configuration (bounds checks, fuel, epochs,
  // proposals, guard size, CPU features), truncated or damaged (XXH64 checksums), but a
  // checksum is no signature: crafted bytes pass them.
  static Result<Module> deserialize_unchecked(const Engine& engine, std::span<const uint8_t> bytes);

  // deserialize_unchecked from a file, which is mapped rather than read: its code pages become
  // the module's code in place (shared with the page cache). The same trust is needed, and the
  // file must not change while the module lives (the mapping is private, but pages not yet
  // read come from the file as it is then).
  static Result<Module> deserialize_file_unchecked(const Engine& engine, const std::string& path);

  // Whether `bytes` start like a precompiled module (its magic), to pick compile or deserialize.
  static bool is_precompiled(std::span<const uint8_t> bytes);

  // Checks `bytes` without compiling them.
  static Result<void> validate(const Engine& engine, std::span<const uint8_t> bytes) {
    auto state = validated(engine, bytes);
    if (!state) return std::move(state).error();
    return {};
  }

  const Engine& engine() const { return engine_; }
  std::optional<std::string_view> name() const {
    if (state_->info.names.module) return *state_->info.names.module;
    return std::nullopt;
  }

  std::vector<ImportType> imports() const {
    std::vector<ImportType> out;
    out.reserve(state_->info.imports.size());
    for (const auto& imp : state_->info.imports) out.push_back({imp.module, imp.name, import_extern_type(imp)});
    return out;
  }

  std::vector<ExportType> exports() const {
    std::vector<ExportType> out;
    out.reserve(state_->info.exports.size());
    for (const auto& exp : state_->info.exports) out.push_back({exp.name, extern_type(exp.kind, exp.index)});
    return out;
  }

  // Internal: the decoded module and its code, for the runtime and tools.
  const detail::ModuleInfo& info() const { return state_->info; }
  const std::shared_ptr<const detail::ModuleState>& state() const { return state_; }

 private:
  explicit Module(std::shared_ptr<detail::ModuleState> state)
      : engine_(Engine::from_state(state->engine)), state_(std::move(state)) {}

  static Result<std::shared_ptr<detail::ModuleState>> validated(const Engine& engine,
                                                               std::span<const uint8_t> bytes,
                                                               bool validate = true);
  template <typename MakeCode>
  static Result<Module> deserialized(const Engine& engine, std::span<const uint8_t> bytes, MakeCode make_code);

  ExternType import_extern_type(const detail::Import& imp) const {
    switch (imp.kind) {
      case ExternKind::Table: return imp.table;
      case ExternKind::Memory: return imp.memory;
      case ExternKind::Global: return imp.global;
      default: return state_->info.types[imp.type_index];
    }
  }

  ExternType extern_type(ExternKind kind, uint32_t index) const {
    const auto& info = state_->info;
    switch (kind) {
      case ExternKind::Table: return info.tables[index];
      case ExternKind::Memory: return info.memories[index];
      case ExternKind::Global: return info.globals[index];
      default: return info.func_type(index);
    }
  }

  Engine engine_;
  std::shared_ptr<const detail::ModuleState> state_;
};

}  // namespace wasm

// ---- end include/wasm/module.hpp ----

namespace wasm {

template <typename T>
class InstancePre;

template <typename T = std::monostate>
class Linker {
 public:
  using DynamicCallback = std::function<Result<void>(Caller<T>&, std::span<const Val>, std::span<Val>)>;

  explicit Linker(const Engine& engine) : engine_(engine) {}

  // Later definitions of a name replace earlier ones instead of being an error.
  Linker& allow_shadowing(bool allow) {
    allow_shadowing_ = allow;
    return *this;
  }

  Result<void> define(std::string_view module, std::string_view name, const Extern& item) {
    return insert(module, name, Definition{item});
  }

  // A host function with a dynamic signature, for every store this linker instantiates in.
  Result<void> func_new(std::string_view module, std::string_view name, const FuncType& type,
                        DynamicCallback callback) {
    auto host = std::make_shared<HostDefinition>();
    host->make = [type, callback = std::move(callback)](Store<T>& store) {
      return Func::create(store, type, callback);
    };
    return insert(module, name, Definition{host});
  }

  // A typed host function from a C++ callable; its wasm type comes from the signature.
  // Needs no store: each store gets its own copy when it first instantiates with it.
  template <typename F>
  Result<void> func_wrap(std::string_view module, std::string_view name, F&& fn) {
    auto host = std::make_shared<HostDefinition>();
    host->make = [fn = std::forward<F>(fn)](Store<T>& store) { return Func::wrap(store, fn); };
    return insert(module, name, Definition{host});
  }
  // The same for a member function called on `object`, which must outlive every store that
  // instantiates with this linker: linker.func_wrap("env", "add", &counter, &Counter::add).
  template <typename Obj, typename M>
    requires std::is_member_function_pointer_v<M>
  Result<void> func_wrap(std::string_view module, std::string_view name, Obj* object, M method) {
    return func_wrap(module, name, detail::bind_method(object, method));
  }

  // Defines every export of `instance` under module name `module`.
  Result<void> instance(Store<T>& store, std::string_view module, const Instance& instance) {
    auto s = detail::owning_store(store, instance.store_id());
    if (!s) return std::move(s).error();
    detail::Instance* in = (*s)->instances[instance.index()];
    for (const detail::Export& e : in->info().exports) {
      std::optional<Extern> item = Instance::export_of(**s, in, e.name);
      if (!item) continue;
      if (Result<void> r = define(module, e.name, *item); !r) return r;
    }
    return {};
  }

  // The definition of module.name as an Extern of `store`.
  std::optional<Extern> get(Store<T>& store, std::string_view module, std::string_view name) {
    auto it = defs_.find(make_key(module, name));
    if (it == defs_.end()) return std::nullopt;
    return materialize(store, it->second);
  }

  Result<Instance> instantiate(Store<T>& store, const Module& module);
  Result<InstancePre<T>> instantiate_pre(const Module& module);

 private:
  friend class InstancePre<T>;

  struct HostDefinition {
    std::function<Func(Store<T>&)> make;
    std::unordered_map<uint64_t, Func> per_store;  // the copy made in each store
  };
  using Definition = std::variant<Extern, std::shared_ptr<HostDefinition>>;
  using Key = std::pair<std::string, std::string>;

  static Key make_key(std::string_view module, std::string_view name) {
    return {std::string(module), std::string(name)};
  }

  Result<void> insert(std::string_view module, std::string_view name, Definition def) {
    auto [it, inserted] = defs_.try_emplace(make_key(module, name), def);
    if (!inserted) {
      if (!allow_shadowing_) {
        return Error(ErrorKind::Link, "\"" + std::string(module) + "\" \"" + std::string(name) + "\" is already defined");
      }
      it->second = std::move(def);
    }
    return {};
  }

  static Extern materialize(Store<T>& store, const Definition& def) {
    if (const Extern* e = std::get_if<Extern>(&def)) return *e;
    HostDefinition& host = *std::get<std::shared_ptr<HostDefinition>>(def);
    uint64_t id = store.inner().id;
    auto it = host.per_store.find(id);
    if (it == host.per_store.end()) {
      it = host.per_store.emplace(id, host.make(store)).first;
    }
    return it->second;
  }

  // Resolves every import of `module` for `store`.
  Result<std::vector<detail::ResolvedImport>> resolve(Store<T>& store, const Module& module) {
    std::vector<detail::ResolvedImport> resolved;
    for (const detail::Import& imp : module.info().imports) {
      auto it = defs_.find(make_key(imp.module, imp.name));
      if (it == defs_.end()) {
        return Error(ErrorKind::Link, "unknown import: \"" + imp.module + "\" \"" + imp.name + "\" has not been defined");
      }
      Extern item = materialize(store, it->second);
      if (detail::extern_store_id(item) != store.inner().id) {
        return Error(ErrorKind::Link, "import \"" + imp.module + "\" \"" + imp.name + "\" belongs to another store");
      }
      resolved.push_back({detail::extern_kind(item), detail::extern_handle(item)});
    }
    return resolved;
  }

  Engine engine_;
  bool allow_shadowing_ = false;
  std::map<Key, Definition> defs_;
};

// A module whose imports a Linker resolves, ready to instantiate many times.
template <typename T = std::monostate>
class InstancePre {
 public:
  InstancePre(Linker<T> linker, Module module) : linker_(std::move(linker)), module_(std::move(module)) {}

  Result<Instance> instantiate(Store<T>& store) {
    if (!(store.engine() == module_.engine())) {
      return Error(ErrorKind::Link, "the module and the store belong to different engines");
    }
    auto imports = linker_.resolve(store, module_);
    if (!imports) return std::move(imports).error();
    auto in = detail::instantiate(store.inner(), module_.state(), *imports);
    if (!in) return std::move(in).error();
    return Instance(store.inner().id, uint32_t(store.inner().instances.size() - 1));
  }

  const Module& module() const { return module_; }

 private:
  Linker<T> linker_;
  Module module_;
};

template <typename T>
Result<InstancePre<T>> Linker<T>::instantiate_pre(const Module& module) {
  for (const detail::Import& imp : module.info().imports) {
    if (!defs_.count(make_key(imp.module, imp.name))) {
      return Error(ErrorKind::Link, "unknown import: \"" + imp.module + "\" \"" + imp.name + "\" has not been defined");
    }
  }
  return InstancePre<T>(*this, module);
}

template <typename T>
Result<Instance> Linker<T>::instantiate(Store<T>& store, const Module& module) {
  return InstancePre<T>(*this, module).instantiate(store);
}

}  // namespace wasm
// ---- end include/wasm/linker.hpp ----
// ---- begin include/wasm/module_shape.hpp ----
// The shape of a module (counts of imports and definitions) and the VMContext layout it
// implies, for embedders that know their module at compile time:
//
//   static constexpr std::array<uint8_t, N> kGuest{...};        // the module's bytes
//   constexpr wasm::ModuleShape kShape = wasm::module_shape_of(kGuest);
//   static_assert(wasm::VMOffsets(kShape).memory_base(0) == 32);


namespace wasm {

using ModuleShape = detail::ModuleShape;
using VMOffsets = detail::VMOffsets;
template <ModuleShape Shape>
using StaticOffsets = detail::StaticOffsets<Shape>;

namespace detail {
// Not constexpr on purpose: reaching it during constant evaluation is the compile error
// module_shape_of gives for bytes that are not a well-formed module.
inline void embedded_module_is_malformed() {}
}  // namespace detail

// The shape of a module embedded in the program. Malformed bytes fail to compile, naming
// detail::embedded_module_is_malformed; use detail::scan_module_shape to get the message.
consteval ModuleShape module_shape_of(std::span<const uint8_t> bytes) {
  detail::ScanResult result = detail::scan_module_shape(bytes);
  if (!result.ok()) detail::embedded_module_is_malformed();
  return result.shape;
}

}  // namespace wasm
// ---- end include/wasm/module_shape.hpp ----
// ---- end include/wasm.hpp ----
#if !defined(WASMPP_SEPARATE_COMPILATION) || defined(WASMPP_IMPLEMENTATION)
// ---- begin include/wasm/detail/vm/engine_state_impl.hpp ----
// EngineState's definitions that assemble code (see detail/base/inline.hpp).
// ---- begin include/wasm/detail/jit/trampolines.hpp ----
// Machine-code stubs between the host and JIT code (see jit/abi.hpp for the convention):
//
//  - the entry trampolines: every host→wasm call passes through one. They save the host's
//    callee-saved registers, so a trap anywhere below can return straight to them (no setjmp,
//    no C++ unwinding through JIT frames);
//  - the resume stubs: continue at an entry trampoline's exit path after a trap;
//  - per-signature array trampolines: call native-convention code with arguments taken from,
//    and results written to, a ValRaw array (the untyped Func::call path);
//  - per-signature native-to-array adapters: let JIT code call a host function that takes its
//    arguments as a ValRaw array (dynamically typed host functions).
#include <unistd.h>
#include <xbyak/xbyak.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>

// ---- begin include/wasm/detail/jit/frame_layout.hpp ----
// The frame of a compiled function, addressed from rbp:
//
//   [rbp + 16 + k]   incoming stack arguments (abi::call_layout)
//   [rbp + 8]        return address;  [rbp] caller's rbp (the frame chain)
//   [rbp - 8], [rbp - 16]  saved r14, r15 (the caller's VMContext and memory base; for the
//                    first wasm frame, the host's: the wasm entry trampoline does not save them)
//   [rbp - 24]       the caller's results area pointer (functions with 2+ results)
//   [rbp - 32]       VMFuncRef* of the pending call_indirect
//   [rbp - 48 - 16i] value slot i: local i, or value-stack entry i (locals come first);
//                    16 bytes and 16-aligned (rbp is), so a v128 fits any slot
//   ...
//   [rsp + 0 ..]     results area for callees with 2+ results (16 bytes per result)
//
// Every value-stack position owns one slot, so spilling never has to search for space.
// Slots are 16 bytes for every type: the alternative (8-byte slots, v128 taking two) would make
// a slot's address depend on the types below it, which merges and spills cannot afford.
#include <xbyak/xbyak.h>

#include <cstdint>

namespace wasm::detail::jit::frame {

// Where the frame prologue leaves the caller's registers, from the new rbp.
inline constexpr int32_t kSavedRbp = 0;
inline constexpr int32_t kSavedR14 = -8;
inline constexpr int32_t kSavedR15 = -16;

// The first instructions of every compiled function and of the array trampolines. The wasm
// entry trampoline relies on them: after a trap it restores its own rbp and the host's r14 and r15 from
// the frame of its callee (jit/trampolines.hpp).
inline void emit_prologue(Xbyak::CodeGenerator& g) {
  g.push(g.rbp);
  g.mov(g.rbp, g.rsp);
  g.push(g.r14);
  g.push(g.r15);
}

// Only r14 and r15 are saved: every call spills all allocatable registers, so a wasm caller
// keeps nothing in rbx/r12/r13 across a call, and the entry trampoline saves the host's.
inline constexpr int32_t kSavedRegsBytes = 16;  // r14, r15
inline constexpr int32_t kResultsPtr = -24;
inline constexpr int32_t kCallTarget = -32;
inline constexpr int32_t kFirstSlot = -48;
inline constexpr int32_t kSlotBytes = 16;
inline constexpr int32_t kIncomingArgs = 16;

constexpr int32_t slot(uint32_t index) { return kFirstSlot - kSlotBytes * int32_t(index); }

// Bytes of the `sub rsp` after the pushes: keeps rsp 16-byte aligned at calls.
// rsp = rbp - kSavedRegsBytes after the pushes, a multiple of 16 (rbp is 16-aligned).
constexpr uint32_t frame_bytes(uint32_t max_slots, uint32_t max_call_results) {
  return uint32_t(-kFirstSlot - kSlotBytes - kSavedRegsBytes) + uint32_t(kSlotBytes) * max_slots +
         16 * max_call_results;
}
static_assert(kSavedRegsBytes % 16 == 0 && (-kFirstSlot - kSlotBytes - kSavedRegsBytes) % 16 == 0);

// Sizes beyond this are refused rather than risk a displacement overflow.
inline constexpr uint32_t kMaxSlots = 1u << 23;

}  // namespace wasm::detail::jit::frame
// ---- end include/wasm/detail/jit/frame_layout.hpp ----

namespace wasm::detail {

namespace trampoline_detail {

inline Stub seal(Xbyak::CodeGenerator& gen, const char* name = "wasmpp-trampoline", bool lives_forever = false) {
  gen.ready();
  Stub stub;
  stub.code = CodeMemory::publish(std::span<const uint8_t>(gen.getCode(), gen.getSize()));
  jit::profiling::register_trampoline(name, stub.code, lives_forever);
  return stub;
}

inline const Xbyak::Reg64& gpr(uint8_t index) {
  static const Xbyak::Reg64 regs[16] = {
      Xbyak::util::rax, Xbyak::util::rcx, Xbyak::util::rdx, Xbyak::util::rbx,
      Xbyak::util::rsp, Xbyak::util::rbp, Xbyak::util::rsi, Xbyak::util::rdi,
      Xbyak::util::r8,  Xbyak::util::r9,  Xbyak::util::r10, Xbyak::util::r11,
      Xbyak::util::r12, Xbyak::util::r13, Xbyak::util::r14, Xbyak::util::r15};
  return regs[index];
}

// Loads/stores one value of type t between a register location and memory.
inline void load_value(Xbyak::CodeGenerator& g, ValType t, const abi::ArgLocation& loc,
                       const Xbyak::Address& from, const Xbyak::Reg64& tmp) {
  using Kind = abi::ArgLocation::Kind;
  if (loc.kind == Kind::Gpr) {
    g.mov(gpr(loc.reg), from);
  } else if (loc.kind == Kind::Xmm) {
    g.movdqu(Xbyak::Xmm(loc.reg), from);
  } else {
    Xbyak::Address to = g.qword[g.rsp + loc.stack_offset];
    if (t == ValType::V128) {
      g.movdqu(Xbyak::util::xmm15, from);
      g.movdqu(g.xword[g.rsp + loc.stack_offset], Xbyak::util::xmm15);
    } else {
      g.mov(tmp, from);
      g.mov(to, tmp);
    }
  }
}

}  // namespace trampoline_detail

// The process-wide entry trampolines and the code that resumes them after a trap.
//
// Two trampolines, because what the host pays on every call is mostly stores:
//  - the wasm entry, for callees that begin with the frame prologue of compiled code
//    (push rbp; mov rbp, rsp; push r14; push r15: jit::frame::emit_prologue): it saves rbp,
//    rbx, r12 and r13, as the callee's own prologue saves the host's r14 and r15 right
//    below it, where a trap can find them;
//  - the host entry, for any other native-convention callee (host functions called from the
//    host): it saves all six of System V's callee-saved registers itself.
// Neither stores anything else: a trap finds the innermost trampoline by walking the frame
// pointer chain up to the frame whose return address is a trampoline's (find_entry_frame).
class EntryStubs {
 public:
  static const EntryStubs& get() {
    static const EntryStubs stubs;
    return stubs;
  }

  // Both trampolines are called as
  //   R entry(const VMFuncRef* target, VMContext* caller, args...)   (no stack arguments)
  // and call target->code with the callee VMContext target->vmctx and the other arguments as
  // given. They return normally, or — after a trap — with VMStoreContext::trap_code set.
  // (The target travels in rdi rather than through memory: one store less per call.)
  const void* wasm_entry() const { return code_.data() + wasm_entry_; }
  const void* host_entry() const { return code_.data() + host_entry_; }
  // The trampoline for calling `target` from the host: host functions are told apart by the
  // magic their context starts with (VMHostContext).
  const void* entry_for(const VMFuncRef* target) const {
    return is_instance_vmctx(target->vmctx) ? wasm_entry() : host_entry();
  }

  // A trampoline's frame to resume after a trap.
  struct Resume {
    const void* stub;    // jump here ...
    uintptr_t frame;     // ... with rdi = the frame of the trampoline's callee
  };
  // Walks the frame chain from `frame` (a frame whose return address is in JIT code or a
  // trampoline: a wasm function's, or that of the host code JIT code called) to the frame
  // the innermost entry trampoline called. Allocation- and lock-free: the signal handler
  // calls it too.
  Resume find_entry_frame(uintptr_t frame) const {
    const uintptr_t wasm_return = uintptr_t(code_.data() + wasm_return_);
    const uintptr_t host_return = uintptr_t(code_.data() + host_return_);
    for (uintptr_t fp = frame; fp != 0; fp = reinterpret_cast<const uintptr_t*>(fp)[0]) {
      const uintptr_t return_address = reinterpret_cast<const uintptr_t*>(fp)[1];
      if (return_address == wasm_return) return {code_.data() + wasm_resume_, fp};
      if (return_address == host_return) return {code_.data() + host_resume_, fp};
    }
    return {nullptr, 0};
  }

  // Never returns: continues at the exit path of the innermost entry trampoline above `frame`
  // (as for find_entry_frame), its caller's registers restored.
  [[noreturn]] void unwind(uintptr_t frame) const {
    Resume r = find_entry_frame(frame);
    if (!r.stub) {
      // A broken frame chain: nothing safe to return to.
      static const char msg[] = "wasmpp: trap outside any entry trampoline\n";
      (void)!::write(2, msg, sizeof msg - 1);
      std::abort();
    }
    reinterpret_cast<void (*)(uintptr_t)>(const_cast<void*>(r.stub))(r.frame);
    __builtin_unreachable();
  }

  bool ok() const { return bool(code_); }

 private:
  EntryStubs() {
    using namespace Xbyak::util;
    Xbyak::CodeGenerator g(4096, Xbyak::AutoGrow);
    auto call_target = [&] {
      g.mov(rax, rdi);
      g.mov(rdi, g.qword[rax + vmlayout::VMFuncRef::vmctx]);
      g.call(g.qword[rax + vmlayout::VMFuncRef::code]);
    };
    // Wasm entry. At entry rsp = 8 (mod 16); four pushes and 8 bytes make it 0 for the call.
    // It keeps a frame of its own because the callee may return with rsp lower than it was:
    // a tail call to a function with stack arguments extends the (empty) argument area
    // downward (jit/compile_calls.hpp), so the exit restores rsp from rbp.
    Xbyak::Label wasm_exit, host_exit;
    wasm_entry_ = g.getSize();
    g.push(rbp);
    g.mov(rbp, rsp);
    g.push(rbx);
    g.push(r12);
    g.push(r13);
    g.sub(rsp, 8);
    call_target();
    wasm_return_ = g.getSize();
    g.L(wasm_exit);
    g.lea(rsp, g.ptr[rbp - 24]);
    g.pop(r13);
    g.pop(r12);
    g.pop(rbx);
    g.pop(rbp);
    g.ret();
    // Its resume stub, rdi = the callee's frame: the callee's prologue saved the trampoline's
    // rbp and the host's r14, r15.
    g.align(16);
    wasm_resume_ = g.getSize();
    g.mov(rbp, g.qword[rdi + jit::frame::kSavedRbp]);
    g.mov(r14, g.qword[rdi + jit::frame::kSavedR14]);
    g.mov(r15, g.qword[rdi + jit::frame::kSavedR15]);
    g.jmp(wasm_exit);

    // Host entry: six pushes and 8 bytes keep rsp 16-byte aligned at the call.
    g.align(16);
    host_entry_ = g.getSize();
    g.push(rbp);
    g.push(rbx);
    g.push(r12);
    g.push(r13);
    g.push(r14);
    g.push(r15);
    g.sub(rsp, 8);
    call_target();
    host_return_ = g.getSize();
    g.L(host_exit);
    g.add(rsp, 8);
    g.pop(r15);
    g.pop(r14);
    g.pop(r13);
    g.pop(r12);
    g.pop(rbx);
    g.pop(rbp);
    g.ret();
    g.align(16);
    host_resume_ = g.getSize();
    g.lea(rsp, g.ptr[rdi + 16]);
    g.jmp(host_exit);
    code_ = trampoline_detail::seal(g, "wasmpp-entry-trampolines", true).code;
  }

  CodeMemory code_;
  size_t wasm_entry_ = 0, wasm_return_ = 0, wasm_resume_ = 0;
  size_t host_entry_ = 0, host_return_ = 0, host_resume_ = 0;
};

// void array_call(VMContext* callee, VMContext* caller, const void* code, ValRaw* values):
// loads the parameters from values[0..n), calls `code`, stores the results to values[0..m).
inline Stub make_array_to_native(const FuncType& type) {
  using namespace Xbyak::util;
  using trampoline_detail::load_value;
  abi::CallLayout layout = abi::call_layout(type);
  Xbyak::CodeGenerator g(4096, Xbyak::AutoGrow);
  // Reached through the wasm entry trampoline, so it starts with the frame prologue of
  // compiled code. The callee may clobber every register but rbp, r14 and r15, so the array
  // pointer lives in the frame.
  jit::frame::emit_prologue(g);
  g.push(rcx);  // [rbp - 24]: the ValRaw array
  g.push(rdx);  // [rbp - 32]: the code to call; rsp = 0 (mod 16)
  g.mov(r11, rcx);
  if (layout.stack_bytes) g.sub(rsp, layout.stack_bytes);
  // Stack arguments first (they use rax as a temporary), then registers.
  for (size_t i = 0; i < type.params.size(); ++i) {
    if (layout.params[i].kind == abi::ArgLocation::Kind::Stack) {
      load_value(g, type.params[i], layout.params[i], g.qword[r11 + i * 16], rax);
    }
  }
  for (size_t i = 0; i < type.params.size(); ++i) {
    if (layout.params[i].kind != abi::ArgLocation::Kind::Stack) {
      load_value(g, type.params[i], layout.params[i], g.qword[r11 + i * 16], rax);
    }
  }
  // With 2+ results the callee writes them straight into the array (the parameters have all
  // been loaded by then).
  if (layout.has_results_area) g.mov(rdx, r11);
  g.call(g.qword[rbp - 32]);
  g.mov(r11, g.qword[rbp - 24]);
  if (type.results.size() == 1) {
    if (abi::is_float_class(type.results[0])) g.movdqu(g.xword[r11], xmm0);
    else g.mov(g.qword[r11], rax);
  }
  g.leave();
  g.ret();
  return trampoline_detail::seal(g, "wasmpp-array-to-native-trampoline");
}

// The host side of a dynamically typed host function:
//   void handler(void* host_ctx, void* caller_vmctx, ValRaw* values, uintptr_t exit_frame)
// reads the parameters from values[0..n) and writes the results to values[0..m); exit_frame is
// the adapter's frame (its return address leads back to the caller), where a trap unwinds from.
using ArrayHostFn = void (*)(void* host_ctx, void* caller, ValRaw* values, uintptr_t exit_frame);

inline Stub make_native_to_array(const FuncType& type, ArrayHostFn handler) {
  using namespace Xbyak::util;
  using Kind = abi::ArgLocation::Kind;
  abi::CallLayout layout = abi::call_layout(type);
  size_t slots = std::max(type.params.size(), type.results.size());
  uint32_t frame = uint32_t((slots * 16 + 8 + 15) / 16 * 16);  // + the saved results pointer
  Xbyak::CodeGenerator g(4096, Xbyak::AutoGrow);
  g.push(rbp);
  g.mov(rbp, rsp);
  g.sub(rsp, frame);
  for (size_t i = 0; i < type.params.size(); ++i) {
    const abi::ArgLocation& loc = layout.params[i];
    Xbyak::Address slot = g.qword[rsp + i * 16];
    if (loc.kind == Kind::Gpr) {
      g.mov(slot, trampoline_detail::gpr(loc.reg));
    } else if (loc.kind == Kind::Xmm) {
      g.movdqu(g.xword[rsp + i * 16], Xbyak::Xmm(loc.reg));
    } else {
      // Caller's stack arguments sit above the return address and saved rbp.
      g.movdqu(xmm15, g.xword[rbp + 16 + loc.stack_offset]);
      g.movdqu(g.xword[rsp + i * 16], xmm15);
    }
  }
  if (layout.has_results_area) g.mov(g.qword[rsp + slots * 16], rdx);
  g.mov(rdx, rsp);
  g.mov(rcx, rbp);
  g.mov(rax, reinterpret_cast<uintptr_t>(handler));
  g.call(rax);
  if (type.results.size() == 1) {
    if (abi::is_float_class(type.results[0])) g.movdqu(xmm0, g.xword[rsp]);
    else g.mov(rax, g.qword[rsp]);
  } else if (layout.has_results_area) {
    g.mov(rcx, g.qword[rsp + slots * 16]);
    for (size_t i = 0; i < type.results.size(); ++i) {
      g.movdqu(xmm15, g.xword[rsp + i * 16]);
      g.movdqu(g.xword[rcx + i * 16], xmm15);
    }
  }
  g.leave();
  g.ret();
  return trampoline_detail::seal(g, "wasmpp-native-to-array-adapter");
}

}  // namespace wasm::detail
// ---- end include/wasm/detail/jit/trampolines.hpp ----

namespace wasm::detail {

WASMPP_INLINE ArrayCallFn EngineState::array_trampoline(uint32_t type_id) {
  std::lock_guard lock(trampolines_mutex);
  auto it = array_trampolines.find(type_id);
  if (it == array_trampolines.end()) {
    it = array_trampolines.emplace(type_id, make_array_to_native(types.lookup(type_id))).first;
  }
  return reinterpret_cast<ArrayCallFn>(const_cast<void*>(it->second.entry()));
}

}  // namespace wasm::detail
// ---- end include/wasm/detail/vm/engine_state_impl.hpp ----
// ---- begin include/wasm/detail/vm/trap_handler_impl.hpp ----
// TrapHandler's definitions that need the entry trampolines (see detail/base/inline.hpp).

namespace wasm::detail {

WASMPP_INLINE void TrapHandler::handle(int sig, siginfo_t* info, void* context) {
  auto* uc = static_cast<ucontext_t*>(context);
  uintptr_t pc = uintptr_t(uc->uc_mcontext.gregs[REG_RIP]);
  // The code check comes first: current_store_context() may be stale outside wasm code.
  VMStoreContext* sc = CodeRegistry::get().contains(pc) ? current_store_context() : nullptr;
  if (sc) {
    // Compiled code faults only in function bodies, where rbp is the function's frame.
    const uintptr_t fp = uintptr_t(uc->uc_mcontext.gregs[REG_RBP]);
    EntryStubs::Resume resume = EntryStubs::get().find_entry_frame(fp);
    if (resume.stub) {
      record_trap(sc, code_for_signal(sig), pc, fp);
      uc->uc_mcontext.gregs[REG_RIP] = greg_t(resume.stub);
      uc->uc_mcontext.gregs[REG_RDI] = greg_t(resume.frame);
      return;
    }
  }
  forward(sig, info, context);
}

}  // namespace wasm::detail
// ---- end include/wasm/detail/vm/trap_handler_impl.hpp ----
// ---- begin include/wasm/detail/vm/invoke_impl.hpp ----
// The definitions of invoke.hpp that need trampolines (see detail/base/inline.hpp).

namespace wasm::detail {

WASMPP_INLINE const void* entry_trampoline_for(const VMFuncRef* target) {
  return EntryStubs::get().entry_for(target);
}

WASMPP_INLINE Result<void> call_array(StoreData& store, const VMFuncRef* func, ValRaw* values) {
  ArrayCallFn trampoline = store.engine->array_trampoline(func->type_id);
  VMFuncRef target;
  target.code = reinterpret_cast<void*>(trampoline);
  target.vmctx = func->vmctx;
  return enter_wasm<void>(store, EntryStubs::get().wasm_entry(), &target, static_cast<void*>(func->vmctx),
                          static_cast<const void*>(func->code), values);
}

[[noreturn]] WASMPP_INLINE void raise_host_trap(StoreData& store, uintptr_t exit_frame) {
  VMStoreContext* sc = &store.ctx;
  TrapCode code = TrapCode::HostError;
  if (store.pending_error && store.pending_error->trap_code()) code = *store.pending_error->trap_code();
  const uintptr_t* frame = reinterpret_cast<const uintptr_t*>(exit_frame);
  record_trap(sc, code, frame[1], frame[0]);
  EntryStubs::get().unwind(exit_frame);
}

WASMPP_INLINE HostFunc* make_host_func(StoreData& store, const FuncType& type, HostFunc::Callback callback) {
  auto host = std::make_unique<HostFunc>();
  host->vmctx.store_context = &store.ctx;
  host->vmctx.owner = host.get();
  host->store = &store;
  host->type = type;
  host->callback = std::move(callback);
  host->adapter = make_native_to_array(type, &host_array_entry);
  host->ref.code = const_cast<void*>(host->adapter.entry());
  host->ref.vmctx = reinterpret_cast<VMContext*>(&host->vmctx);
  host->ref.type_id = store.engine->types.intern(type);
  HostFunc* raw = host.get();
  store.host_funcs.push_back(std::move(host));
  return raw;
}

}  // namespace wasm::detail
// ---- end include/wasm/detail/vm/invoke_impl.hpp ----
// ---- begin include/wasm/detail/vm/instantiate_impl.hpp ----
// Instantiation (see instantiate.hpp): its definitions, compiled once in separate-compilation mode.
#include <span>
#include <string>

// ---- begin include/wasm/detail/vm/builtins_impl.hpp ----
// The builtins (libcalls) that JIT code calls through VMBuiltins; see builtins.def for the
// contract. A builtin that traps records the trap with its caller's pc and frame pointer and
// unwinds to the entry trampoline; it keeps no object with a destructor alive when it does.
#include <vector>


namespace wasm::detail {

namespace builtin_impl {

inline Instance& instance_of(VMContext* vmctx) { return *Instance::from_vmctx(vmctx); }

// `frame`: the builtin's own frame, whose return address and saved rbp lead back into wasm.
[[noreturn]] inline void trap(VMContext* vmctx, TrapCode code, void* frame) {
  VMStoreContext* sc = &instance_of(vmctx).store->ctx;
  const uintptr_t* f = static_cast<const uintptr_t*>(frame);
  record_trap(sc, code, f[1], f[0]);
  EntryStubs::get().unwind(uintptr_t(frame));
}

// Inside a builtin: trap with the JIT caller's pc (our return address) and frame pointer (the
// rbp our frame saved).
#define WASM_BUILTIN_TRAP(vmctx, code) \
  ::wasm::detail::builtin_impl::trap(vmctx, code, __builtin_frame_address(0))

// The values of element segment `elem` (empty once dropped).
inline std::vector<void*> segment_values(Instance& in, uint32_t elem) {
  std::vector<void*> values;
  if (in.dropped_elems[elem]) return values;
  const ElemSegment& seg = in.info().elements[elem];
  values.reserve(seg.size());
  if (seg.uses_exprs) {
    for (const ConstExpr& e : seg.exprs) values.push_back(eval_const(e, in).ref);
  } else {
    for (uint32_t f : seg.func_indices) values.push_back(in.func_ref(f));
  }
  return values;
}

inline std::optional<TrapCode> do_table_init(Instance& in, uint32_t table, uint32_t elem,
                                             uint64_t dst, uint64_t src, uint64_t len) {
  std::vector<void*> values = segment_values(in, elem);
  return table_init(*in.tables[table], values, dst, src, len);
}

inline std::span<const uint8_t> data_bytes(Instance& in, uint32_t data) {
  if (in.dropped_data[data]) return {};
  return in.info().segment_bytes(in.info().data[data]);
}

inline uint64_t memory_grow(VMContext* v, uint32_t mem, uint64_t delta) {
  Instance& in = instance_of(v);
  Result<uint64_t> old = in.memories[mem]->grow(delta, in.store->limiter);
  return old ? *old : ~uint64_t(0);
}

inline void memory_fill(VMContext* v, uint32_t mem, uint64_t dst, uint32_t byte, uint64_t len) {
  Instance& in = instance_of(v);
  if (auto t = detail::memory_fill(*in.memories[mem]->definition(), dst, uint8_t(byte), len))
    WASM_BUILTIN_TRAP(v, *t);
}

inline void memory_copy(VMContext* v, uint32_t dst_mem, uint32_t src_mem, uint64_t dst,
                        uint64_t src, uint64_t len) {
  Instance& in = instance_of(v);
  if (auto t = detail::memory_copy(*in.memories[dst_mem]->definition(),
                                   *in.memories[src_mem]->definition(), dst, src, len))
    WASM_BUILTIN_TRAP(v, *t);
}

inline void memory_init(VMContext* v, uint32_t mem, uint32_t data, uint64_t dst, uint32_t src,
                        uint32_t len) {
  Instance& in = instance_of(v);
  if (auto t = detail::memory_init(*in.memories[mem]->definition(), data_bytes(in, data), dst, src, len))
    WASM_BUILTIN_TRAP(v, *t);
}

inline void data_drop(VMContext* v, uint32_t data) { instance_of(v).dropped_data[data] = true; }

inline void* table_get(VMContext* v, uint32_t table, uint32_t index) {
  void* value = nullptr;
  if (auto t = detail::table_get(*instance_of(v).tables[table], index, value)) WASM_BUILTIN_TRAP(v, *t);
  return value;
}

inline void table_set(VMContext* v, uint32_t table, uint32_t index, void* value) {
  if (auto t = detail::table_set(*instance_of(v).tables[table], index, value)) WASM_BUILTIN_TRAP(v, *t);
}

inline uint32_t table_grow(VMContext* v, uint32_t table, uint32_t delta, void* init) {
  Instance& in = instance_of(v);
  Result<uint64_t> old = in.tables[table]->grow(delta, init, in.store->limiter);
  return old ? uint32_t(*old) : ~uint32_t(0);
}

inline void table_fill(VMContext* v, uint32_t table, uint32_t dst, void* value, uint32_t len) {
  if (auto t = detail::table_fill(*instance_of(v).tables[table], dst, value, len))
    WASM_BUILTIN_TRAP(v, *t);
}

inline void table_copy(VMContext* v, uint32_t dst_table, uint32_t src_table, uint32_t dst,
                       uint32_t src, uint32_t len) {
  Instance& in = instance_of(v);
  if (auto t = detail::table_copy(*in.tables[dst_table], *in.tables[src_table], dst, src, len))
    WASM_BUILTIN_TRAP(v, *t);
}

inline void table_init(VMContext* v, uint32_t table, uint32_t elem, uint32_t dst, uint32_t src,
                       uint32_t len) {
  if (auto t = do_table_init(instance_of(v), table, elem, dst, src, len)) WASM_BUILTIN_TRAP(v, *t);
}

inline void elem_drop(VMContext* v, uint32_t elem) { instance_of(v).dropped_elems[elem] = true; }

inline VMFuncRef* table_lazy_init(VMContext* v, uint32_t table, uint32_t index) {
  std::optional<void*> value = instance_of(v).tables[table]->get(index);
  if (!value) WASM_BUILTIN_TRAP(v, TrapCode::TableOutOfBounds);
  return static_cast<VMFuncRef*>(*value);
}

inline void raise_trap(VMContext* v, uint32_t code) { WASM_BUILTIN_TRAP(v, TrapCode(code)); }

inline void out_of_fuel(VMContext* v) { WASM_BUILTIN_TRAP(v, TrapCode::OutOfFuel); }

inline void epoch_deadline_reached(VMContext* v) { WASM_BUILTIN_TRAP(v, TrapCode::Interrupt); }

#undef WASM_BUILTIN_TRAP

}  // namespace builtin_impl

// The one builtins table of the process.
inline const VMBuiltins* builtins_table() {
  static const VMBuiltins table = [] {
    VMBuiltins t;
#define WASM_BUILTIN(name, ret, ...) t.name = &builtin_impl::name;
// ---- begin include/wasm/detail/env/builtins.def ----
// The runtime functions ("builtins", libcalls) that JIT code calls through the table at
// VMOffsets::builtins(). One line each; VMBuiltins (builtins.hpp) is generated from this list,
// and JIT code calls entry i at displacement i * 8 of the table.
//
//   WASM_BUILTIN(name, return type, parameter types...)
//
// Every builtin is a plain C++ function with the System V ABI. The first parameter is always
// the calling instance's VMContext*. Builtins that can trap do not return when they do: they
// record the trap in the VMStoreContext and unwind to the entry trampoline. Index arguments
// (memory, table, data, element) are module-level indices, imported entities included.
// Addresses and lengths are u64 so that memory64 needs no second set.

WASM_BUILTIN(memory_grow,   uint64_t, VMContext*, uint32_t /*memory*/, uint64_t /*delta pages*/)  // old pages or ~0
WASM_BUILTIN(memory_fill,   void, VMContext*, uint32_t /*memory*/, uint64_t /*dst*/, uint32_t /*byte*/, uint64_t /*len*/)
WASM_BUILTIN(memory_copy,   void, VMContext*, uint32_t /*dst memory*/, uint32_t /*src memory*/, uint64_t /*dst*/, uint64_t /*src*/, uint64_t /*len*/)
WASM_BUILTIN(memory_init,   void, VMContext*, uint32_t /*memory*/, uint32_t /*data*/, uint64_t /*dst*/, uint32_t /*src*/, uint32_t /*len*/)
WASM_BUILTIN(data_drop,     void, VMContext*, uint32_t /*data*/)
WASM_BUILTIN(table_get,     void*, VMContext*, uint32_t /*table*/, uint32_t /*index*/)  // funcref: VMFuncRef* or null
WASM_BUILTIN(table_set,     void, VMContext*, uint32_t /*table*/, uint32_t /*index*/, void* /*value*/)
WASM_BUILTIN(table_grow,    uint32_t, VMContext*, uint32_t /*table*/, uint32_t /*delta*/, void* /*init*/)  // old size or ~0
WASM_BUILTIN(table_fill,    void, VMContext*, uint32_t /*table*/, uint32_t /*dst*/, void* /*value*/, uint32_t /*len*/)
WASM_BUILTIN(table_copy,    void, VMContext*, uint32_t /*dst table*/, uint32_t /*src table*/, uint32_t /*dst*/, uint32_t /*src*/, uint32_t /*len*/)
WASM_BUILTIN(table_init,    void, VMContext*, uint32_t /*table*/, uint32_t /*elem*/, uint32_t /*dst*/, uint32_t /*src*/, uint32_t /*len*/)
WASM_BUILTIN(elem_drop,     void, VMContext*, uint32_t /*elem*/)
// call_indirect found a slot that was never initialised (0): initialise it and return the
// VMFuncRef* (null for a null entry). The caller has already bounds-checked `index`.
WASM_BUILTIN(table_lazy_init, VMFuncRef*, VMContext*, uint32_t /*table*/, uint32_t /*index*/)
// Explicit traps (unreachable, division, conversion, call_indirect checks, stack overflow):
// never return. Called from out-of-line trap stubs, so the return address is the trap's pc.
WASM_BUILTIN(raise_trap,    void, VMContext*, uint32_t /*TrapCode*/)
// The fuel counter went non-negative / the epoch reached the deadline: trap (or, later, refuel
// or yield and return).
WASM_BUILTIN(out_of_fuel,   void, VMContext*)
WASM_BUILTIN(epoch_deadline_reached, void, VMContext*)
// ---- end include/wasm/detail/env/builtins.def ----
#undef WASM_BUILTIN
    return t;
  }();
  return &table;
}

}  // namespace wasm::detail
// ---- end include/wasm/detail/vm/builtins_impl.hpp ----

namespace wasm::detail {

class Instantiator {
 public:
  Instantiator(StoreData& store, std::shared_ptr<const ModuleState> module)
      : store_(store), module_(std::move(module)), info_(module_->info),
        allocator_(*store_.engine->allocator),
        images_(store_.engine->config.memory_init_cow() ? module_->memory_images.get(info_) : nullptr) {}

  // On success the instance belongs to the store. On failure after allocation it belongs to
  // the store too: segments may already have written into shared tables or memories.
  Result<Instance*> run(std::span<const ResolvedImport> imports) {
    if (Result<void> r = check_imports(imports); !r) return std::move(r).error();
    Result<Instance*> allocated = allocator_.allocate_instance(&store_, module_);
    if (!allocated) return std::move(allocated).error();
    Instance* in = *allocated;
    store_.instances.push_back(in);
    in_ = in;
    init_prefix();
    bind_imports(imports);
    if (Result<void> r = create_memories(); !r) return std::move(r).error();
    if (Result<void> r = create_tables(); !r) return std::move(r).error();
    init_func_refs();
    init_globals();
    in_->dropped_elems.assign(info_.elements.size(), false);
    in_->dropped_data.assign(info_.data.size(), false);
    in_->func_handles.assign(info_.func_types.size(), -1);
    if (Result<void> r = apply_elements(); !r) return std::move(r).error();
    if (Result<void> r = apply_data(); !r) return std::move(r).error();
    if (info_.start) {
      VMFuncRef* start = in_->func_ref(*info_.start);
      ValRaw none[1];
      if (Result<void> r = call_array(store_, start, none); !r) return std::move(r).error();
    }
    return in_;
  }

 private:
  Error link_error(const Import& imp, const std::string& why) const {
    return Error(ErrorKind::Link, why + ": import \"" + imp.module + "\" \"" + imp.name + "\"");
  }

  Result<void> check_imports(std::span<const ResolvedImport> imports) const {
    if (imports.size() != info_.imports.size()) {
      return Error(ErrorKind::Link, "expected " + std::to_string(info_.imports.size()) +
                                        " imports, got " + std::to_string(imports.size()));
    }
    for (size_t i = 0; i < imports.size(); ++i) {
      const Import& imp = info_.imports[i];
      const ResolvedImport& r = imports[i];
      if (r.kind != imp.kind) return link_error(imp, "incompatible import type");
      bool ok = true;
      switch (imp.kind) {
        case ExternKind::Func:
          ok = store_.funcs[r.handle].ref->type_id == module_->type_ids[imp.type_index];
          break;
        case ExternKind::Table: {
          TableType actual = store_.tables[r.handle]->type();
          ok = actual.element == imp.table.element && limits_match(actual.limits, imp.table.limits);
          break;
        }
        case ExternKind::Memory: {
          MemoryType actual = store_.memories[r.handle]->type();
          ok = actual.is64 == imp.memory.is64 && actual.limits.shared == imp.memory.limits.shared &&
               limits_match(actual.limits, imp.memory.limits);
          break;
        }
        case ExternKind::Global: ok = store_.globals[r.handle].type == imp.global; break;
        case ExternKind::Tag: ok = false; break;
      }
      if (!ok) return link_error(imp, "incompatible import type");
    }
    return {};
  }

  void init_prefix() {
    *in_->field<uint32_t>(VMOffsets::magic()) = kVMContextMagic;
    *in_->field<VMStoreContext*>(VMOffsets::store_context()) = &store_.ctx;
    *in_->field<const VMBuiltins*>(VMOffsets::builtins()) = builtins_table();
    *in_->field<const uint32_t*>(VMOffsets::type_ids()) = module_->type_ids.data();
  }

  void bind_imports(std::span<const ResolvedImport> imports) {
    const VMOffsets& off = module_->offsets;
    uint32_t funcs = 0, tables = 0, memories = 0, globals = 0;
    for (const ResolvedImport& r : imports) {
      switch (r.kind) {
        case ExternKind::Func: {
          VMFuncRef* ref = store_.funcs[r.handle].ref;
          *in_->field<VMFunctionImport>(off.imported_function(funcs)) = {ref->code, ref->vmctx};
          *in_->func_ref(funcs) = *ref;
          ++funcs;
          break;
        }
        case ExternKind::Table: {
          Table* t = store_.tables[r.handle].get();
          *in_->field<VMTableImport>(off.imported_table(tables++)) = {t->definition(), nullptr};
          in_->tables.push_back(t);
          in_->table_handles.push_back(r.handle);
          break;
        }
        case ExternKind::Memory: {
          LinearMemory* m = store_.memories[r.handle].get();
          *in_->field<VMMemoryImport>(off.imported_memory(memories++)) = {m->definition(), nullptr};
          in_->memories.push_back(m);
          in_->memory_handles.push_back(r.handle);
          break;
        }
        case ExternKind::Global: {
          VMGlobalDefinition* g = store_.globals[r.handle].definition;
          *in_->field<VMGlobalImport>(off.imported_global(globals++)) = {g};
          in_->globals.push_back(g);
          in_->global_handles.push_back(r.handle);
          break;
        }
        case ExternKind::Tag: break;
      }
    }
  }

  Result<void> create_memories() {
    const Config& config = store_.engine->config;
    MemorySettings settings;
    settings.bounds_checks = config.bounds_checks();
    for (uint32_t i = info_.num_imported_memories; i < info_.memories.size(); ++i) {
      uint32_t defined = i - info_.num_imported_memories;
      auto mem = allocator_.allocate_memory(info_.memories[i], settings, store_.limiter,
                                            images_ ? images_->memories[defined] : nullptr);
      if (!mem) return std::move(mem).error();
      (*mem)->bind_definition(in_->field<VMMemoryDefinition>(module_->offsets.memory(defined)));
      in_->memories.push_back(mem->get());
      in_->memory_handles.push_back(uint32_t(store_.memories.size()));
      store_.memories.push_back(std::move(*mem));
    }
    return {};
  }

  // A defined funcref table whose active segments all list function indices can be filled
  // lazily: instantiation records which function goes where, and the table asks on first read.
  bool can_init_lazily(uint32_t table_index) const {
    if (info_.tables[table_index].element != ValType::FuncRef) return false;
    for (const ElemSegment& seg : info_.elements) {
      if (seg.mode == SegmentMode::Active && seg.table == table_index && seg.uses_exprs) return false;
    }
    return true;
  }

  Result<void> create_tables() {
    for (uint32_t i = info_.num_imported_tables; i < info_.tables.size(); ++i) {
      auto table = allocator_.allocate_table(info_.tables[i], store_.limiter);
      if (!table) return std::move(table).error();
      uint32_t defined = i - info_.num_imported_tables;
      (*table)->bind_definition(in_->field<VMTableDefinition>(module_->offsets.table(defined)));
      in_->lazy_funcs.emplace_back();
      if (can_init_lazily(i)) {
        Instance* instance = in_;
        (*table)->set_lazy_init([instance, defined](uint64_t index) -> VMFuncRef* {
          const std::vector<uint32_t>& funcs = instance->lazy_funcs[defined];
          if (index >= funcs.size() || funcs[index] == 0) return nullptr;
          return instance->func_ref(funcs[index] - 1);
        });
      }
      in_->tables.push_back(table->get());
      in_->table_handles.push_back(uint32_t(store_.tables.size()));
      store_.tables.push_back(std::move(*table));
    }
    return {};
  }

  void init_func_refs() {
    for (uint32_t i = info_.num_imported_funcs; i < info_.func_types.size(); ++i) {
      VMFuncRef* ref = in_->func_ref(i);
      ref->code = const_cast<void*>(module_->code.function_code(i));
      ref->vmctx = in_->vmctx();
      ref->type_id = module_->type_ids[info_.func_types[i]];
    }
  }

  void init_globals() {
    for (uint32_t i = info_.num_imported_globals; i < info_.globals.size(); ++i) {
      uint32_t defined = i - info_.num_imported_globals;
      auto* def = in_->field<VMGlobalDefinition>(module_->offsets.global(defined));
      ValRaw value = eval_const(info_.global_inits[defined], *in_);
      std::memcpy(def->storage, &value, sizeof value);
      in_->globals.push_back(def);
      in_->global_handles.push_back(store_.add_global(def, info_.globals[i]));
    }
  }

  static uint64_t offset_value(const ValRaw& v, bool is64) {
    return is64 ? uint64_t(v.i64) : uint64_t(uint32_t(v.i32));
  }

  Result<void> apply_elements() {
    for (uint32_t s = 0; s < info_.elements.size(); ++s) {
      const ElemSegment& seg = info_.elements[s];
      if (seg.mode == SegmentMode::Passive) continue;
      in_->dropped_elems[s] = true;  // active and declarative segments are dropped afterwards
      if (seg.mode == SegmentMode::Declarative) continue;
      Table& table = *in_->tables[seg.table];
      uint64_t offset = offset_value(eval_const(seg.offset, *in_), false);
      if (!range_in_bounds(offset, seg.size(), table.size())) {
        return Error(ErrorKind::Instantiate, trap_message(TrapCode::TableOutOfBounds));
      }
      bool lazy = seg.table >= info_.num_imported_tables && can_init_lazily(seg.table);
      if (lazy) {
        std::vector<uint32_t>& funcs = in_->lazy_funcs[seg.table - info_.num_imported_tables];
        if (funcs.size() < table.size()) funcs.resize(table.size(), 0);
        for (size_t k = 0; k < seg.func_indices.size(); ++k) funcs[offset + k] = seg.func_indices[k] + 1;
        continue;
      }
      in_->dropped_elems[s] = false;  // table_init reads the segment
      auto trap = builtin_impl::do_table_init(*in_, seg.table, s, offset, 0, seg.size());
      in_->dropped_elems[s] = true;
      if (trap) return Error(ErrorKind::Instantiate, trap_message(*trap));
    }
    return {};
  }

  Result<void> apply_data() {
    for (uint32_t s = 0; s < info_.data.size(); ++s) {
      const DataSegment& seg = info_.data[s];
      if (seg.mode != SegmentMode::Active) continue;
      if (images_ && images_->covered[s]) {  // already in the memory, from its image
        in_->dropped_data[s] = true;
        continue;
      }
      LinearMemory& mem = *in_->memories[seg.memory];
      uint64_t offset = offset_value(eval_const(seg.offset, *in_), info_.memories[seg.memory].is64);
      auto trap = memory_init(*mem.definition(), info_.segment_bytes(seg), offset, 0, seg.data_size);
      in_->dropped_data[s] = true;
      if (trap) return Error(ErrorKind::Instantiate, trap_message(*trap));
    }
    return {};
  }

  StoreData& store_;
  std::shared_ptr<const ModuleState> module_;
  const ModuleInfo& info_;
  InstanceAllocator& allocator_;
  const ModuleMemoryImages* images_;  // null: every data segment is copied
  Instance* in_ = nullptr;
};

WASMPP_INLINE Result<Instance*> instantiate(StoreData& store, std::shared_ptr<const ModuleState> module,
                                            std::span<const ResolvedImport> imports) {
  return Instantiator(store, std::move(module)).run(imports);
}

}  // namespace wasm::detail
// ---- end include/wasm/detail/vm/instantiate_impl.hpp ----
// ---- begin include/wasm/module_impl.hpp ----
// Module's definitions that decode, validate and compile (see detail/base/inline.hpp).
// ---- begin include/wasm/detail/binary/decoder.hpp ----
// Decodes a module binary into ModuleInfo: the header, every section with its order and size
// checks, and the locals of each function body. Instructions inside bodies are read later by the
// validator (which reports malformed code as a decode error).
#include <span>
#include <string>

// ---- begin include/wasm/detail/binary/name_section.hpp ----
// Parses the `name` custom section (module, function and local names) for backtraces.
// Custom sections never make a module malformed: a broken name section is ignored as a whole.
#include <span>
#include <string>

// ---- begin include/wasm/detail/binary/utf8.hpp ----
// UTF-8 well-formedness as the binary format requires for names (RFC 3629: no overlong forms,
// no surrogates, nothing above U+10FFFF).
#include <cstdint>
#include <span>

namespace wasm::detail {

constexpr bool is_valid_utf8(std::span<const uint8_t> s) {
  size_t i = 0;
  while (i < s.size()) {
    uint8_t b = s[i];
    if (b < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    uint32_t min = 0;
    if ((b & 0xE0) == 0xC0) len = 2, cp = b & 0x1F, min = 0x80;
    else if ((b & 0xF0) == 0xE0) len = 3, cp = b & 0x0F, min = 0x800;
    else if ((b & 0xF8) == 0xF0) len = 4, cp = b & 0x07, min = 0x10000;
    else return false;
    if (s.size() - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      uint8_t c = s[i + k];
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

}  // namespace wasm::detail
// ---- end include/wasm/detail/binary/utf8.hpp ----

namespace wasm::detail {

namespace name_section_detail {

inline bool read_name(Reader& r, std::string& out) {
  uint32_t len = r.u32();
  auto bytes = r.bytes(len);
  if (!r.ok() || !is_valid_utf8(bytes)) return false;
  out.assign(bytes.begin(), bytes.end());
  return true;
}

template <typename Map>
bool read_name_map(Reader& r, Map& out) {
  uint32_t count = r.u32();
  if (count > r.remaining()) return false;
  for (uint32_t i = 0; i < count && r.ok(); ++i) {
    uint32_t index = r.u32();
    std::string name;
    if (!read_name(r, name)) return false;
    out[index] = std::move(name);
  }
  return r.ok();
}

}  // namespace name_section_detail

// Returns the parsed names, or an empty NameSection when the payload is malformed.
inline NameSection parse_name_section(std::span<const uint8_t> payload, size_t base_offset) {
  using namespace name_section_detail;
  NameSection names;
  Reader r(payload, base_offset);
  int last_id = -1;
  while (r.ok() && !r.at_end()) {
    uint8_t id = r.u8();
    uint32_t size = r.u32();
    Reader sub = r.sub(size);
    if (!r.ok() || id <= last_id) return {};
    last_id = id;
    bool ok = true;
    switch (id) {
      case 0: {
        std::string module_name;
        ok = read_name(sub, module_name);
        if (ok) names.module = std::move(module_name);
        break;
      }
      case 1: ok = read_name_map(sub, names.functions); break;
      case 2: {
        uint32_t count = sub.u32();
        if (count > sub.remaining()) return {};
        for (uint32_t i = 0; i < count && ok && sub.ok(); ++i) {
          uint32_t func = sub.u32();
          ok = read_name_map(sub, names.locals[func]);
        }
        break;
      }
      default: continue;  // other subsections (labels, types, ...) are not needed
    }
    if (!ok || !sub.ok() || !sub.at_end()) return {};
  }
  return r.ok() ? names : NameSection{};
}

}  // namespace wasm::detail
// ---- end include/wasm/detail/binary/name_section.hpp ----

namespace wasm::detail {

// Limits beyond which we refuse a module even if the format would allow it, so hostile input
// cannot make us allocate without bound. They match those of the JS embedding API.
struct DecodeLimits {
  static constexpr uint64_t kMaxLocals = 50000;
  static constexpr uint32_t kMaxFunctionParams = module_reader::kMaxFunctionParams;
  static constexpr uint32_t kMaxFunctionResults = module_reader::kMaxFunctionResults;
};

class ModuleDecoder {
 public:
  ModuleDecoder(std::span<const uint8_t> bytes, const Features& features)
      : features_(features) {
    m_.bytes.assign(bytes.begin(), bytes.end());
  }

  Result<ModuleInfo> decode() {
    Reader r(m_.bytes);
    module_reader::read_header(r);
    module_reader::SectionReader sections(r, features_);
    module_reader::Section section;
    bool saw_function_section = false;
    bool saw_code_section = false;
    uint32_t declared_functions = 0;
    while (sections.next(section)) {
      Reader& s = section.body;
      SectionId sid = section.id;
      switch (sid) {
        case SectionId::Custom: decode_custom(s); break;
        case SectionId::Type: decode_types(s); break;
        case SectionId::Import: decode_imports(s); break;
        case SectionId::Function:
          saw_function_section = true;
          declared_functions = decode_functions(s);
          break;
        case SectionId::Table: decode_tables(s); break;
        case SectionId::Memory: decode_memories(s); break;
        case SectionId::Tag: decode_tags(s); break;
        case SectionId::Global: decode_globals(s); break;
        case SectionId::Export: decode_exports(s); break;
        case SectionId::Start: m_.start = s.u32(); break;
        case SectionId::Element: decode_elements(s); break;
        case SectionId::DataCount: m_.data_count = s.u32(); break;
        case SectionId::Code:
          saw_code_section = true;
          decode_code(s, declared_functions);
          break;
        case SectionId::Data: decode_data(s); break;
      }
      if (s.ok() && !s.at_end()) s.fail("section size mismatch");
      if (!s.ok()) return error(s);
    }
    if (!r.ok()) return error(r);
    if (saw_function_section != saw_code_section && declared_functions + m_.bodies.size() != 0) {
      return error_at(r.offset(), "function and code section have inconsistent lengths");
    }
    if (m_.data_count && *m_.data_count != m_.data.size()) {
      return error_at(r.offset(), "data count and data section have inconsistent lengths");
    }
    return std::move(m_);
  }

 private:
  Error error(const Reader& r) const { return error_at(r.error_offset(), r.error()); }
  Error error_at(size_t offset, const std::string& message) const {
    if (is_unsupported_message(message.c_str()))
      return Error(ErrorKind::Unsupported, unsupported_feature(message.c_str()));
    return Error(ErrorKind::Decode, message + " (at offset " + std::to_string(offset) + ")");
  }

  uint32_t count(Reader& s) { return module_reader::read_count(s); }

  std::string name(Reader& s) {
    auto bytes = module_reader::read_name_bytes(s);
    if (!s.ok()) return {};
    if (!is_valid_utf8(bytes)) {
      s.fail_at(s.offset() - bytes.size(), "malformed UTF-8 encoding");
      return {};
    }
    return std::string(bytes.begin(), bytes.end());
  }

  ValType valtype(Reader& s) { return module_reader::read_valtype(s); }
  ValType reftype(Reader& s) { return module_reader::read_reftype(s); }

  // Reads instructions up to the `end` that closes the expression (nesting is tracked so that
  // a block inside, which validation will reject, still decodes as the format says).
  ConstExpr const_expr(Reader& s) {
    ConstExpr e;
    e.offset = uint32_t(s.offset());
    InstructionReader in(s, features_);
    Instruction instr;
    unsigned depth = 0;
    while (in.next(instr)) {
      if (instr.op == Op::End) {
        if (depth == 0) return e;
        --depth;
      } else if (instr.op == Op::Block || instr.op == Op::Loop || instr.op == Op::If) {
        ++depth;
      }
      if (instr.op == Op::BrTable) instr.targets = nullptr;  // not kept: invalid here anyway
      e.code.push_back(instr);
    }
    return e;
  }

  void decode_custom(Reader& s) {
    CustomSection c;
    c.name = name(s);
    if (!s.ok()) return;
    c.offset = uint32_t(s.offset());
    c.size = uint32_t(s.remaining());
    if (c.name == "name") {
      m_.names = parse_name_section(s.bytes(c.size), c.offset);
    } else {
      s.skip(c.size);
    }
    m_.custom_sections.push_back(std::move(c));
  }

  void decode_types(Reader& s) {
    uint32_t n = count(s);
    m_.types.reserve(n);
    for (uint32_t i = 0; i < n && s.ok(); ++i) {
      FuncType ft;
      module_reader::read_func_type(s, [&](ValType t) { ft.params.push_back(t); },
                                    [&](ValType t) { ft.results.push_back(t); });
      if (!s.ok()) return;
      m_.types.push_back(std::move(ft));
    }
  }

  void decode_imports(Reader& s) {
    uint32_t n = count(s);
    for (uint32_t i = 0; i < n && s.ok(); ++i) {
      Import imp;
      imp.module = name(s);
      imp.name = name(s);
      if (!s.ok()) return;
      module_reader::ImportDesc d = module_reader::read_import_desc(s, features_);
      if (!s.ok()) return;
      imp.kind = d.kind;
      switch (d.kind) {
        case ExternKind::Func:
          imp.type_index = d.index;
          m_.func_types.push_back(d.index);
          ++m_.num_imported_funcs;
          break;
        case ExternKind::Table:
          imp.table = d.table;
          m_.tables.push_back(d.table);
          ++m_.num_imported_tables;
          break;
        case ExternKind::Memory:
          imp.memory = d.memory;
          m_.memories.push_back(d.memory);
          ++m_.num_imported_memories;
          break;
        case ExternKind::Global:
          imp.global = d.global;
          m_.globals.push_back(d.global);
          ++m_.num_imported_globals;
          break;
        case ExternKind::Tag:
          imp.type_index = d.index;
          m_.tag_types.push_back(d.index);
          ++m_.num_imported_tags;
          break;
      }
      m_.imports.push_back(std::move(imp));
    }
  }

  uint32_t decode_functions(Reader& s) {
    uint32_t n = count(s);
    for (uint32_t i = 0; i < n && s.ok(); ++i) m_.func_types.push_back(s.u32());
    return n;
  }

  void decode_tables(Reader& s) {
    uint32_t n = count(s);
    for (uint32_t i = 0; i < n && s.ok(); ++i) m_.tables.push_back(module_reader::read_table_type(s, features_));
  }

  void decode_memories(Reader& s) {
    uint32_t n = count(s);
    for (uint32_t i = 0; i < n && s.ok(); ++i) m_.memories.push_back(module_reader::read_memory_type(s, features_));
  }

  void decode_tags(Reader& s) {
    uint32_t n = count(s);
    for (uint32_t i = 0; i < n && s.ok(); ++i) m_.tag_types.push_back(module_reader::read_tag_type(s));
  }

  void decode_globals(Reader& s) {
    uint32_t n = count(s);
    for (uint32_t i = 0; i < n && s.ok(); ++i) {
      m_.globals.push_back(module_reader::read_global_type(s));
      m_.global_inits.push_back(const_expr(s));
    }
  }

  void decode_exports(Reader& s) {
    uint32_t n = count(s);
    for (uint32_t i = 0; i < n && s.ok(); ++i) {
      Export e;
      e.name = name(s);
      size_t kind_at = s.offset();
      uint8_t kind = s.u8();
      if (s.ok() && (kind > 4 || (kind == 4 && !features_.exceptions))) {
        s.fail_at(kind_at, "malformed export kind");
        return;
      }
      e.kind = ExternKind(kind);
      e.index = s.u32();
      m_.exports.push_back(std::move(e));
    }
  }

  // Element segment encodings, by their flags field:
  //   bit 0: passive or declarative (else active)   bit 1: explicit table index (active) or
  //   declarative (non-active)                       bit 2: items are expressions, not indices
  void decode_elements(Reader& s) {
    uint32_t n = count(s);
    for (uint32_t i = 0; i < n && s.ok(); ++i) {
      size_t at = s.offset();
      uint32_t flags = s.u32();
      if (!s.ok()) return;
      if (flags > 7) {
        s.fail_at(at, "malformed elements segment kind");
        return;
      }
      ElemSegment seg;
      bool active = !(flags & 1);
      bool explicit_table = flags & 2;
      seg.uses_exprs = flags & 4;
      if (active) {
        seg.mode = SegmentMode::Active;
        if (explicit_table) seg.table = s.u32();
        seg.offset = const_expr(s);
      } else {
        seg.mode = explicit_table ? SegmentMode::Declarative : SegmentMode::Passive;
      }
      // Encodings 0 and 4 imply funcref; the others carry an element kind or reference type.
      if (!active || explicit_table) {
        if (seg.uses_exprs) {
          seg.type = reftype(s);
        } else {
          uint8_t elemkind = s.u8();
          if (s.ok() && elemkind != 0) s.fail_at(s.offset() - 1, "malformed element kind");
        }
      }
      uint32_t items = count(s);
      if (seg.uses_exprs) {
        seg.exprs.reserve(items);
        for (uint32_t k = 0; k < items && s.ok(); ++k) seg.exprs.push_back(const_expr(s));
      } else {
        seg.func_indices.reserve(items);
        for (uint32_t k = 0; k < items && s.ok(); ++k) seg.func_indices.push_back(s.u32());
      }
      m_.elements.push_back(std::move(seg));
    }
  }

  void decode_code(Reader& s, uint32_t declared_functions) {
    uint32_t n = count(s);
    if (s.ok() && n != declared_functions) {
      s.fail("function and code section have inconsistent lengths");
      return;
    }
    m_.bodies.reserve(n);
    for (uint32_t i = 0; i < n && s.ok(); ++i) {
      uint32_t size = s.u32();
      Reader body = s.sub(size, "length out of bounds");
      if (!s.ok()) return;
      FunctionBody fb;
      fb.offset = uint32_t(body.offset());
      fb.size = size;
      uint32_t groups = count(body);
      for (uint32_t g = 0; g < groups && body.ok(); ++g) {
        size_t at = body.offset();
        LocalGroup lg;
        lg.count = body.u32();
        lg.type = valtype(body);
        fb.local_count += lg.count;
        if (body.ok() && fb.local_count > DecodeLimits::kMaxLocals) {
          body.fail_at(at, "too many locals");
        }
        if (lg.count) fb.locals.push_back(lg);
      }
      if (!body.ok()) {
        s.fail_at(body.error_offset(), body.error());
        return;
      }
      fb.code_offset = uint32_t(body.offset());
      m_.bodies.push_back(std::move(fb));
    }
  }

  void decode_data(Reader& s) {
    uint32_t n = count(s);
    for (uint32_t i = 0; i < n && s.ok(); ++i) {
      size_t at = s.offset();
      uint32_t flags = s.u32();
      if (!s.ok()) return;
      DataSegment seg;
      switch (flags) {
        case 0: seg.offset = const_expr(s); break;
        case 1: seg.mode = SegmentMode::Passive; break;
        case 2:
          seg.memory = s.u32();
          seg.offset = const_expr(s);
          break;
        default: s.fail_at(at, "malformed data segment kind"); return;
      }
      uint32_t size = s.u32();
      if (s.ok() && size > s.remaining()) {
        s.fail("unexpected end of section or function");
        return;
      }
      seg.data_offset = uint32_t(s.offset());
      seg.data_size = size;
      s.skip(size);
      m_.data.push_back(std::move(seg));
    }
  }

  const Features& features_;
  ModuleInfo m_;
};

inline Result<ModuleInfo> decode_module(std::span<const uint8_t> bytes,
                                        const Features& features = {}) {
  // Offsets are 32-bit throughout; the JS API caps modules far below this too.
  if (bytes.size() >= (size_t(1) << 31)) return Error(ErrorKind::Decode, "module too large");
  return ModuleDecoder(bytes, features).decode();
}

}  // namespace wasm::detail
// ---- end include/wasm/detail/binary/decoder.hpp ----
// ---- begin include/wasm/detail/binary/validator.hpp ----
// Validates a decoded module as the WebAssembly 2.0 specification says: the module-level rules
// here, constant expressions in validator_const.hpp, function bodies in validator_function.hpp.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// ---- begin include/wasm/detail/binary/validator_const.hpp ----
// Constant expressions: global initialisers, segment offsets and element items.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

// ---- begin include/wasm/detail/binary/validator_function.hpp ----
// Type-checks function bodies: the operand stack and control frames of the validation algorithm
// in the appendix of the WebAssembly 2.0 specification.
//
// One FunctionValidator checks every body of a module and reuses its stacks, so a body costs no
// allocation once the stacks have grown. Non-special opcodes are checked generically from the
// opcode table (pop P2, P1, P0, push R); only the opcodes marked Special have their own case.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>


namespace wasm::detail {

// The bottom type of the polymorphic stack: matches any value type.
inline constexpr ValType kUnknownType = ValType(0);

inline const char* stack_type_name(ValType t) {
  return t == kUnknownType ? "unknown" : valtype_name(t);
}

// " (function 3, offset 0x2a)": where a message points to.
inline std::string location_suffix(const char* what, uint32_t index, size_t offset) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  do {
    hex.insert(hex.begin(), kHex[offset & 0xF]);
    offset >>= 4;
  } while (offset != 0);
  return std::string(" (") + what + " " + std::to_string(index) + ", offset 0x" + hex + ")";
}

class FunctionValidator {
 public:
  // `declared_refs[f]` is nonzero when function f may be named by ref.func in a body (C.refs).
  FunctionValidator(const ModuleInfo& module, const Features& features,
                    const std::vector<uint8_t>& declared_refs)
      : m_(module), features_(features), declared_refs_(declared_refs) {}

  // Type-checks one defined function. After a validation error the rest of the body is still
  // decoded: the specification decodes the whole module before validating it, so a malformed
  // byte later in the body wins (ErrorKind::Decode) over the type error (ErrorKind::Validate).
  std::optional<Error> check(uint32_t func_index, const FunctionBody& body) {
    func_ = func_index;
    error_.reset();
    const FuncType& type = m_.func_type(func_index);
    results_ = type.results;
    setup_locals(type, body);
    vals_.clear();
    ctrls_.clear();
    ctrls_.push_back(Frame{Op::Block, false, 0, {}, type.results});

    Reader r(m_.body_code(body), body.code_offset);
    InstructionReader ir(r, features_);
    Instruction in;
    while (!ctrls_.empty()) {
      if (r.at_end()) {
        frames_to_kinds();
        return overrun(body);
      }
      if (!ir.next(in)) return decode_error(r);
      if (!step(in)) {
        if (error_->kind() == ErrorKind::Decode) return error_;
        // Keep decoding the body without typing; a decode error there takes precedence.
        std::optional<Error> invalid = std::move(error_);
        error_.reset();
        frames_to_kinds();
        if (auto e = apply_structure(in)) return e;
        if (auto e = decode_structure(r, ir, body)) return e;
        return invalid;
      }
    }
    return trailing_bytes(r);
  }

  // Decodes a body without type-checking it (used after an earlier validation error).
  std::optional<Error> decode_only(uint32_t func_index, const FunctionBody& body) {
    func_ = func_index;
    error_.reset();
    Reader r(m_.body_code(body), body.code_offset);
    InstructionReader ir(r, features_);
    kinds_.assign(1, kPlain);
    return decode_structure(r, ir, body);
  }

 private:
  struct Frame {
    Op kind;  // Block (also the function's own frame), Loop, If, or Else after an else
    bool unreachable;
    uint32_t height;  // operand stack height at the start of the frame
    std::span<const ValType> params;
    std::span<const ValType> results;
  };

  // Frame kinds for decode-only mode: which frames still accept an `else`.
  enum : uint8_t { kPlain, kIf };

  // ---- errors ----------------------------------------------------------------------------

  // Records the error; checking stops at the first one, so there is never an earlier one.
  bool fail(ErrorKind kind, std::string message, size_t offset) {
    error_ = Error(kind, message + location_suffix("function", func_, offset));
    return false;
  }
  bool invalid(std::string message, const Instruction& in) {
    return fail(ErrorKind::Validate, std::move(message), in.offset);
  }
  bool unknown(const char* what, uint32_t index, const Instruction& in) {
    return invalid(std::string("unknown ") + what + " " + std::to_string(index), in);
  }
  bool mismatch(ValType expected, ValType found, const Instruction& in) {
    return invalid(std::string("type mismatch: ") + in.info().text + " expected " +
                       stack_type_name(expected) + " but found " + stack_type_name(found),
                   in);
  }
  std::optional<Error> decode_error(const Reader& r) {
    if (is_unsupported_message(r.error())) {
      error_ = Error(ErrorKind::Unsupported, unsupported_feature(r.error()));
      return error_;
    }
    std::string message = r.error();
    // Running out inside a body: the spec interpreter's wording.
    if (message == "unexpected end") message = "unexpected end of section or function";
    fail(ErrorKind::Decode, std::move(message), r.error_offset());
    return error_;
  }

  // ---- the operand stack -----------------------------------------------------------------

  void push(ValType t) { vals_.push_back(t); }
  void push(std::span<const ValType> ts) { vals_.insert(vals_.end(), ts.begin(), ts.end()); }

  // Pops one operand; kUnknownType when the frame is unreachable and has nothing left.
  bool pop_any(ValType& out, const Instruction& in) {
    const Frame& f = ctrls_.back();
    if (vals_.size() == f.height) {
      if (f.unreachable) {
        out = kUnknownType;
        return true;
      }
      return invalid(std::string("type mismatch: ") + in.info().text +
                         " expected an operand but the stack is empty",
                     in);
    }
    out = vals_.back();
    vals_.pop_back();
    return true;
  }
  bool pop(ValType expected, const Instruction& in) {
    const Frame& f = ctrls_.back();
    if (vals_.size() > f.height) {
      ValType actual = vals_.back();
      vals_.pop_back();
      if (actual == expected || actual == kUnknownType) return true;
      return mismatch(expected, actual, in);
    }
    if (f.unreachable) return true;
    return invalid(std::string("type mismatch: ") + in.info().text + " expected " +
                       valtype_name(expected) + " but the stack is empty",
                   in);
  }
  bool pop(std::span<const ValType> ts, const Instruction& in) {
    for (size_t i = ts.size(); i-- > 0;)
      if (!pop(ts[i], in)) return false;
    return true;
  }
  bool pop_ref(ValType& out, const Instruction& in) {
    if (!pop_any(out, in)) return false;
    if (out == kUnknownType || is_reftype(out)) return true;
    return invalid(std::string("type mismatch: ") + in.info().text +
                       " expected a reference but found " + valtype_name(out),
                   in);
  }
  // Checks that the top of the stack matches `ts` without popping (br_table's other labels).
  bool peek(std::span<const ValType> ts, const Instruction& in) {
    const Frame& f = ctrls_.back();
    size_t available = vals_.size() - f.height;
    for (size_t i = 0; i < ts.size(); ++i) {
      ValType expected = ts[ts.size() - 1 - i];
      if (i >= available) {
        if (f.unreachable) return true;
        return invalid(std::string("type mismatch: ") + in.info().text + " expected " +
                           valtype_name(expected) + " but the stack is empty",
                       in);
      }
      ValType actual = vals_[vals_.size() - 1 - i];
      if (actual != expected && actual != kUnknownType) return mismatch(expected, actual, in);
    }
    return true;
  }
  void set_unreachable() {
    vals_.resize(ctrls_.back().height);
    ctrls_.back().unreachable = true;
  }

  // ---- control frames --------------------------------------------------------------------

  bool block_signature(const Instruction& in, std::span<const ValType>& params,
                       std::span<const ValType>& results) {
    static constexpr ValType kSingles[] = {ValType::I32,  ValType::I64,     ValType::F32,
                                           ValType::F64,  ValType::V128,    ValType::FuncRef,
                                           ValType::ExternRef};
    params = {};
    results = {};
    switch (in.block.kind) {
      case BlockType::Kind::Empty: return true;
      case BlockType::Kind::Value:
        results = std::span<const ValType>(
            std::find(std::begin(kSingles), std::end(kSingles), in.block.value), 1);
        return true;
      case BlockType::Kind::TypeIndex:
        if (in.block.type_index >= m_.types.size()) return unknown("type", in.block.type_index, in);
        params = m_.types[in.block.type_index].params;
        results = m_.types[in.block.type_index].results;
        return true;
    }
    return true;
  }
  void push_frame(Op kind, std::span<const ValType> params, std::span<const ValType> results) {
    ctrls_.push_back(Frame{kind, false, uint32_t(vals_.size()), params, results});
    push(params);
  }
  // The results must be exactly what is left above the frame's base.
  bool check_frame_end(const Instruction& in) {
    const Frame& f = ctrls_.back();
    if (!pop(f.results, in)) return false;
    if (vals_.size() != f.height)
      return invalid("type mismatch: " + std::to_string(vals_.size() - f.height) +
                         " value(s) left on the stack at the end of the block",
                     in);
    return true;
  }
  bool label_types(uint32_t depth, const Instruction& in, std::span<const ValType>& out) {
    if (depth >= ctrls_.size()) return unknown("label", depth, in);
    const Frame& f = ctrls_[ctrls_.size() - 1 - depth];
    out = f.kind == Op::Loop ? f.params : f.results;
    return true;
  }

  // ---- locals ----------------------------------------------------------------------------

  void setup_locals(const FuncType& type, const FunctionBody& body) {
    params_ = type.params;
    local_ends_.clear();
    local_types_.clear();
    uint64_t end = params_.size();
    for (const LocalGroup& g : body.locals) {
      if (g.count == 0) continue;
      end += g.count;
      local_ends_.push_back(end);
      local_types_.push_back(g.type);
    }
  }
  bool local_type(uint32_t index, const Instruction& in, ValType& out) {
    if (index < params_.size()) {
      out = params_[index];
      return true;
    }
    auto it = std::upper_bound(local_ends_.begin(), local_ends_.end(), uint64_t(index));
    if (it == local_ends_.end()) return unknown("local", index, in);
    out = local_types_[size_t(it - local_ends_.begin())];
    return true;
  }

  // ---- memories, tables, segments ---------------------------------------------------------

  // Address type of memory `index` (i64 for memory64 memories).
  bool memory(uint32_t index, const Instruction& in, ValType& addr) {
    if (index >= m_.memories.size()) return unknown("memory", index, in);
    addr = m_.memories[index].is64 ? ValType::I64 : ValType::I32;
    return true;
  }
  bool table(uint32_t index, const Instruction& in, ValType& element) {
    if (index >= m_.tables.size()) return unknown("table", index, in);
    element = m_.tables[index].element;
    return true;
  }
  // memory.init and data.drop need the data count section: without it the binary is malformed
  // (binary.wast). A module with no data segments at all is the exception: wast2json writes
  // neither section for text modules that name a missing segment, and memory_init.wast expects
  // "unknown data segment" (invalid) for them, so such a module has zero segments.
  bool needs_data_count(const Instruction& in) {
    if (m_.data_count || m_.data.empty()) return true;
    return fail(ErrorKind::Decode, "data count section required", in.offset);
  }
  bool data_segment(uint32_t index, const Instruction& in) {
    if (index >= m_.data_count.value_or(0)) return unknown("data segment", index, in);
    return true;
  }
  bool elem_segment(uint32_t index, const Instruction& in) {
    if (index >= m_.elements.size()) return unknown("elem segment", index, in);
    return true;
  }
  bool memarg(const Instruction& in, ValType& addr) {
    if (!memory(in.mem.memory, in, addr)) return false;
    uint32_t natural = in.info().extra;
    if (in.mem.align_log2 >= 32 || (uint64_t(1) << in.mem.align_log2) > natural)
      return invalid("alignment must not be larger than natural: " + std::to_string(natural) +
                         " byte(s) accessed",
                     in);
    if (addr == ValType::I32 && in.mem.offset > 0xFFFFFFFFull)
      return invalid("offset out of range", in);
    return true;
  }
  bool lane(uint32_t lane, uint32_t count, const Instruction& in) {
    if (lane < count) return true;
    return invalid("invalid lane index: " + std::to_string(lane) + " (lanes: " +
                       std::to_string(count) + ")",
                   in);
  }

  // ---- instructions ----------------------------------------------------------------------

  // Type-checks one instruction. Returns false with error_ set.
  bool step(const Instruction& in) {
    const OpInfo& info = in.info();
    if (!info.special()) return step_generic(in, info);
    switch (in.op) {
      case Op::Unreachable: set_unreachable(); return true;
      case Op::Block:
      case Op::Loop: {
        std::span<const ValType> params, results;
        if (!block_signature(in, params, results) || !pop(params, in)) return false;
        push_frame(in.op, params, results);
        return true;
      }
      case Op::If: {
        std::span<const ValType> params, results;
        if (!block_signature(in, params, results) || !pop(ValType::I32, in) || !pop(params, in))
          return false;
        push_frame(Op::If, params, results);
        return true;
      }
      case Op::Else: {
        if (ctrls_.back().kind != Op::If)
          return fail(ErrorKind::Decode, "END opcode expected: else without if", in.offset);
        if (!check_frame_end(in)) return false;
        Frame& f = ctrls_.back();
        f.kind = Op::Else;
        f.unreachable = false;
        push(f.params);
        return true;
      }
      case Op::End: {
        if (!check_frame_end(in)) return false;
        Frame f = ctrls_.back();
        // An if without else passes its parameters through as its results.
        if (f.kind == Op::If && !std::equal(f.params.begin(), f.params.end(), f.results.begin(),
                                            f.results.end()))
          return invalid("type mismatch: if without else must have matching parameter and "
                         "result types",
                         in);
        ctrls_.pop_back();
        push(f.results);
        return true;
      }
      case Op::Br: {
        std::span<const ValType> types;
        if (!label_types(in.index, in, types) || !pop(types, in)) return false;
        set_unreachable();
        return true;
      }
      case Op::BrIf: {
        std::span<const ValType> types;
        if (!label_types(in.index, in, types) || !pop(ValType::I32, in) || !pop(types, in))
          return false;
        push(types);
        return true;
      }
      case Op::BrTable: return step_br_table(in);
      case Op::Return:
        if (!pop(results_, in)) return false;
        set_unreachable();
        return true;
      case Op::Call:
      case Op::ReturnCall: {
        if (in.index >= m_.func_types.size()) return unknown("function", in.index, in);
        return step_call(m_.func_type(in.index), in);
      }
      case Op::CallIndirect:
      case Op::ReturnCallIndirect: {
        ValType element = kUnknownType;
        if (!table(in.index2, in, element)) return false;
        if (element != ValType::FuncRef)
          return invalid(std::string("type mismatch: ") + info.text + " needs a funcref table", in);
        if (in.index >= m_.types.size()) return unknown("type", in.index, in);
        if (!pop(ValType::I32, in)) return false;
        return step_call(m_.types[in.index], in);
      }
      case Op::Drop: {
        ValType t = kUnknownType;
        return pop_any(t, in);
      }
      case Op::Select: return step_select(in);
      case Op::SelectT:
        if (in.select_type_count != 1)
          return invalid("invalid result arity: typed select needs exactly one type", in);
        if (!pop(ValType::I32, in) || !pop(in.type, in) || !pop(in.type, in)) return false;
        push(in.type);
        return true;
      case Op::LocalGet:
      case Op::LocalSet:
      case Op::LocalTee: {
        ValType t = kUnknownType;
        if (!local_type(in.index, in, t)) return false;
        if (in.op != Op::LocalGet && !pop(t, in)) return false;
        if (in.op != Op::LocalSet) push(t);
        return true;
      }
      case Op::GlobalGet:
      case Op::GlobalSet: {
        if (in.index >= m_.globals.size()) return unknown("global", in.index, in);
        const GlobalType& g = m_.globals[in.index];
        if (in.op == Op::GlobalGet) {
          push(g.type);
          return true;
        }
        if (!g.mutable_)
          return invalid("global is immutable: global " + std::to_string(in.index), in);
        return pop(g.type, in);
      }
      case Op::TableGet:
      case Op::TableSet:
      case Op::TableGrow:
      case Op::TableFill: return step_table(in);
      case Op::RefNull: push(in.type); return true;
      case Op::RefIsNull: {
        ValType t = kUnknownType;
        if (!pop_ref(t, in)) return false;
        push(ValType::I32);
        return true;
      }
      case Op::RefFunc:
        if (in.index >= m_.func_types.size()) return unknown("function", in.index, in);
        if (!declared_refs_[in.index])
          return invalid("undeclared function reference: function " + std::to_string(in.index) +
                             " is not named by an element segment, export or global",
                         in);
        push(ValType::FuncRef);
        return true;
      default: break;
    }
    // Decoded (its feature is on) but not validated yet: the module may be valid; we cannot
    // run it. Without the location, so that the reason is the same for every such module.
    error_ = Error(ErrorKind::Unsupported, std::string("instruction ") + info.text + " not implemented");
    return false;
  }

  // Opcodes described fully by the table: check the immediates, then pop P2, P1, P0 and push R.
  bool step_generic(const Instruction& in, const OpInfo& info) {
    ValType p[3] = {slot_type(info.params[0]), slot_type(info.params[1]),
                    slot_type(info.params[2])};
    ValType r = slot_type(info.result);
    ValType addr = ValType::I32;
    switch (info.imm) {
      case Imm::MemArg:
        if (!memarg(in, addr)) return false;
        p[0] = addr;
        break;
      case Imm::MemArgLane:
        if (!memarg(in, addr) || !lane(in.lane, 16 / info.extra, in)) return false;
        p[0] = addr;
        break;
      case Imm::Lane:
        if (!lane(in.lane, info.extra, in)) return false;
        break;
      case Imm::Shuffle:
        for (uint8_t l : in.v128)
          if (!lane(l, 32, in)) return false;
        break;
      case Imm::Memory:  // memory.size, memory.grow, memory.fill
        if (!memory(in.index, in, addr)) return false;
        if (in.op == Op::MemorySize) r = addr;
        if (in.op == Op::MemoryGrow) p[0] = r = addr;
        if (in.op == Op::MemoryFill) p[0] = p[2] = addr;
        break;
      case Imm::MemoryInit:
        if (!needs_data_count(in) || !memory(in.index2, in, addr) || !data_segment(in.index, in))
          return false;
        p[0] = addr;
        break;
      case Imm::Data:
        if (!needs_data_count(in) || !data_segment(in.index, in)) return false;
        break;
      case Imm::MemoryCopy: {
        ValType src = kUnknownType;
        if (!memory(in.index, in, addr) || !memory(in.index2, in, src)) return false;
        p[0] = addr;
        p[1] = src;
        p[2] = addr == ValType::I64 && src == ValType::I64 ? ValType::I64 : ValType::I32;
        break;
      }
      case Imm::TableInit: {
        ValType element = kUnknownType;
        if (!table(in.index2, in, element) || !elem_segment(in.index, in)) return false;
        if (m_.elements[in.index].type != element)
          return invalid(std::string("type mismatch: table.init of ") +
                             valtype_name(m_.elements[in.index].type) + " segment into " +
                             valtype_name(element) + " table",
                         in);
        break;
      }
      case Imm::Elem:
        if (!elem_segment(in.index, in)) return false;
        break;
      case Imm::TableCopy: {
        ValType dst = kUnknownType, src = kUnknownType;
        if (!table(in.index, in, dst) || !table(in.index2, in, src)) return false;
        if (dst != src)
          return invalid(std::string("type mismatch: table.copy from ") + valtype_name(src) +
                             " table to " + valtype_name(dst) + " table",
                         in);
        break;
      }
      case Imm::Table: {  // table.size
        ValType element = kUnknownType;
        if (!table(in.index, in, element)) return false;
        break;
      }
      default: break;
    }
    for (int i = 2; i >= 0; --i)
      if (info.params[i] != Slot::None && !pop(p[i], in)) return false;
    if (info.result != Slot::None) push(r);
    return true;
  }

  bool step_br_table(const Instruction& in) {
    std::span<const ValType> defaults;
    if (!pop(ValType::I32, in) || !label_types(in.index, in, defaults)) return false;
    for (uint32_t depth : *in.targets) {
      std::span<const ValType> types;
      if (!label_types(depth, in, types)) return false;
      if (types.size() != defaults.size())
        return invalid("type mismatch: br_table labels have different arities (" +
                           std::to_string(types.size()) + " and " +
                           std::to_string(defaults.size()) + ")",
                       in);
      if (!peek(types, in)) return false;
    }
    if (!pop(defaults, in)) return false;
    set_unreachable();
    return true;
  }

  bool step_call(const FuncType& callee, const Instruction& in) {
    bool tail = in.op == Op::ReturnCall || in.op == Op::ReturnCallIndirect;
    if (tail && !std::equal(callee.results.begin(), callee.results.end(), results_.begin(),
                            results_.end()))
      return invalid(std::string("type mismatch: ") + in.info().text +
                         " callee results differ from the caller's",
                     in);
    if (!pop(callee.params, in)) return false;
    if (tail) set_unreachable();
    else push(callee.results);
    return true;
  }

  // Untyped select works only on numeric and vector operands of one type.
  bool step_select(const Instruction& in) {
    ValType a = kUnknownType, b = kUnknownType;
    if (!pop(ValType::I32, in) || !pop_any(a, in) || !pop_any(b, in)) return false;
    if (is_reftype(a) || is_reftype(b))
      return invalid(std::string("type mismatch: select without a type needs numeric or "
                                 "vector operands, found ") +
                         stack_type_name(is_reftype(a) ? a : b),
                     in);
    if (a != b && a != kUnknownType && b != kUnknownType) return mismatch(b, a, in);
    push(a == kUnknownType ? b : a);
    return true;
  }

  bool step_table(const Instruction& in) {
    ValType element = kUnknownType;
    if (!table(in.index, in, element)) return false;
    switch (in.op) {
      case Op::TableGet:
        if (!pop(ValType::I32, in)) return false;
        push(element);
        return true;
      case Op::TableSet: return pop(element, in) && pop(ValType::I32, in);
      case Op::TableGrow:
        if (!pop(ValType::I32, in) || !pop(element, in)) return false;
        push(ValType::I32);
        return true;
      default:  // table.fill
        return pop(ValType::I32, in) && pop(element, in) && pop(ValType::I32, in);
    }
  }

  // ---- decode-only mode ------------------------------------------------------------------

  void frames_to_kinds() {
    kinds_.clear();
    for (const Frame& f : ctrls_) kinds_.push_back(f.kind == Op::If ? kIf : kPlain);
  }

  // The structural effect of one instruction: frames opened and closed, else placement, and
  // the data count rule, which the binary format checks while decoding.
  std::optional<Error> apply_structure(const Instruction& in) {
    switch (in.op) {
      case Op::Block:
      case Op::Loop: kinds_.push_back(kPlain); break;
      case Op::If: kinds_.push_back(kIf); break;
      case Op::Else:
        if (kinds_.back() != kIf) {
          fail(ErrorKind::Decode, "END opcode expected: else without if", in.offset);
          return error_;
        }
        kinds_.back() = kPlain;
        break;
      case Op::End: kinds_.pop_back(); break;
      case Op::MemoryInit:
      case Op::DataDrop:
        if (!needs_data_count(in)) return error_;
        break;
      default: break;
    }
    return std::nullopt;
  }

  // Decodes to the final `end` of the body, then checks that nothing follows it.
  std::optional<Error> decode_structure(Reader& r, InstructionReader& ir, const FunctionBody& body) {
    Instruction in;
    while (!kinds_.empty()) {
      if (r.at_end()) return overrun(body);
      if (!ir.next(in)) return decode_error(r);
      if (auto e = apply_structure(in)) return e;
    }
    return trailing_bytes(r);
  }

  // The body ran out before its final `end`. The spec interpreter reads on past the body's
  // size and reports what it meets there; do the same so that messages agree.
  std::optional<Error> overrun(const FunctionBody& body) {
    size_t end = size_t(body.offset) + body.size;
    Reader r(std::span<const uint8_t>(m_.bytes).subspan(end), end);
    InstructionReader ir(r, features_);
    Instruction in;
    while (!kinds_.empty()) {
      if (!ir.next(in)) return decode_error(r);
      if (auto e = apply_structure(in)) return e;
    }
    fail(ErrorKind::Decode, "section size mismatch: function body has no final end",
         r.offset());
    return error_;
  }

  std::optional<Error> trailing_bytes(const Reader& r) {
    if (r.at_end()) return std::nullopt;
    fail(ErrorKind::Decode, "section size mismatch: bytes after the final end of the body",
         r.offset());
    return error_;
  }

  const ModuleInfo& m_;
  const Features& features_;
  const std::vector<uint8_t>& declared_refs_;

  uint32_t func_ = 0;
  std::optional<Error> error_;
  std::span<const ValType> params_;
  std::span<const ValType> results_;
  std::vector<uint64_t> local_ends_;  // end index (exclusive) of each declared local group
  std::vector<ValType> local_types_;
  std::vector<ValType> vals_;
  std::vector<Frame> ctrls_;
  std::vector<uint8_t> kinds_;
};

}  // namespace wasm::detail
// ---- end include/wasm/detail/binary/validator_function.hpp ----

namespace wasm::detail {

class ConstExprValidator {
 public:
  ConstExprValidator(const ModuleInfo& module, const Features& features)
      : m_(module), features_(features) {}

  // Checks that `expr` is constant and produces exactly one `expected`. `what` and `index`
  // name the owner in messages ("global 2", "elem segment 0", "data segment 1").
  // In WebAssembly 2.0, global.get may read only imported immutable globals.
  std::optional<Error> check(const ConstExpr& expr, ValType expected, const char* what,
                             uint32_t index) {
    stack_.clear();
    for (const Instruction& in : expr.code) {
      switch (in.op) {
        case Op::I32Const: stack_.push_back(ValType::I32); break;
        case Op::I64Const: stack_.push_back(ValType::I64); break;
        case Op::F32Const: stack_.push_back(ValType::F32); break;
        case Op::F64Const: stack_.push_back(ValType::F64); break;
        case Op::V128Const: stack_.push_back(ValType::V128); break;
        case Op::RefNull: stack_.push_back(in.type); break;
        case Op::RefFunc:
          if (in.index >= m_.func_types.size())
            return error("unknown function " + std::to_string(in.index), what, index, in.offset);
          stack_.push_back(ValType::FuncRef);
          break;
        case Op::GlobalGet: {
          if (in.index >= m_.num_imported_globals || in.index >= m_.globals.size())
            return error("unknown global " + std::to_string(in.index) +
                             " (constant expressions may read only imported globals)",
                         what, index, in.offset);
          const GlobalType& g = m_.globals[in.index];
          if (g.mutable_)
            return error("constant expression required: global " + std::to_string(in.index) +
                             " is mutable",
                         what, index, in.offset);
          stack_.push_back(g.type);
          break;
        }
        case Op::I32Add:
        case Op::I32Sub:
        case Op::I32Mul:
        case Op::I64Add:
        case Op::I64Sub:
        case Op::I64Mul: {
          if (!features_.extended_const) return not_constant(in, what, index);
          ValType t = slot_type(in.info().result);
          if (stack_.size() < 2 || stack_[stack_.size() - 1] != t || stack_[stack_.size() - 2] != t)
            return error(std::string("type mismatch: ") + in.info().text + " needs two " +
                             valtype_name(t) + " operands",
                         what, index, in.offset);
          stack_.pop_back();
          break;
        }
        default: return not_constant(in, what, index);
      }
    }
    if (stack_.size() != 1 || stack_[0] != expected) {
      std::string found;
      for (ValType t : stack_) (found += found.empty() ? "" : " ") += valtype_name(t);
      return error(std::string("type mismatch: constant expression must produce ") +
                       valtype_name(expected) + " but produces [" + found + "]",
                   what, index, expr.offset);
    }
    return std::nullopt;
  }

 private:
  static Error error(std::string message, const char* what, uint32_t index, size_t offset) {
    return Error(ErrorKind::Validate, message + location_suffix(what, index, offset));
  }
  static Error not_constant(const Instruction& in, const char* what, uint32_t index) {
    return error(std::string("constant expression required: ") + in.info().text +
                     " is not allowed here",
                 what, index, in.offset);
  }

  const ModuleInfo& m_;
  const Features& features_;
  std::vector<ValType> stack_;
};

}  // namespace wasm::detail
// ---- end include/wasm/detail/binary/validator_const.hpp ----

namespace wasm::detail {

namespace validator_impl {

inline Error invalid(std::string message) { return Error(ErrorKind::Validate, std::move(message)); }

// Functions that ref.func may name inside bodies (C.refs): those named by element segments,
// exports and global initialisers.
inline std::vector<uint8_t> declared_func_refs(const ModuleInfo& m) {
  std::vector<uint8_t> refs(m.func_types.size(), 0);
  auto mark = [&](uint32_t f) {
    if (f < refs.size()) refs[f] = 1;
  };
  auto mark_expr = [&](const ConstExpr& e) {
    for (const Instruction& in : e.code)
      if (in.op == Op::RefFunc) mark(in.index);
  };
  for (const ElemSegment& seg : m.elements) {
    for (uint32_t f : seg.func_indices) mark(f);
    for (const ConstExpr& e : seg.exprs) mark_expr(e);
  }
  for (const Export& e : m.exports)
    if (e.kind == ExternKind::Func) mark(e.index);
  for (const ConstExpr& e : m.global_inits) mark_expr(e);
  return refs;
}

// Table and memory limits: each bound within `range`, then min <= max.
inline std::optional<Error> check_limits(const Limits& l, uint64_t range, const char* range_message,
                                         const char* what, uint32_t index) {
  std::string where = std::string(" (") + what + " " + std::to_string(index) + ")";
  if (l.min > range || (l.max && *l.max > range)) return invalid(range_message + where);
  if (l.max && l.min > *l.max)
    return invalid("size minimum must not be greater than maximum: " + std::to_string(l.min) +
                   " > " + std::to_string(*l.max) + where);
  return std::nullopt;
}

inline std::optional<Error> check_memory_type(const MemoryType& t, const Features& f,
                                              uint32_t index) {
  auto e = t.is64 ? check_limits(t.limits, kMaxPages64,
                                 "memory size must be at most 2^48 pages (16EiB)", "memory", index)
                  : check_limits(t.limits, kMaxPages32,
                                 "memory size must be at most 65536 pages (4GiB)", "memory", index);
  if (e) return e;
  if (t.limits.shared && !t.limits.max)
    return invalid("shared memory must have maximum (memory " + std::to_string(index) + ")");
  if (t.limits.shared && !f.threads)
    return invalid("shared memories need the threads feature (memory " + std::to_string(index) +
                   ")");
  return std::nullopt;
}

inline std::optional<Error> check_table_type(const TableType& t, uint32_t index) {
  return check_limits(t.limits, kMaxTableSize, "table size must be at most 2^32-1", "table",
                      index);
}

// Types, imports, function declarations, tables, memories and tags.
inline std::optional<Error> check_declarations(const ModuleInfo& m, const Features& f) {
  for (uint32_t i = 0; i < m.func_types.size(); ++i)
    if (m.func_types[i] >= m.types.size())
      return invalid("unknown type " + std::to_string(m.func_types[i]) + " (function " +
                     std::to_string(i) + ")");
  for (uint32_t i = 0; i < m.tag_types.size(); ++i) {
    if (m.tag_types[i] >= m.types.size())
      return invalid("unknown type " + std::to_string(m.tag_types[i]) + " (tag " +
                     std::to_string(i) + ")");
    if (!m.types[m.tag_types[i]].results.empty())
      return invalid("non-empty tag result type (tag " + std::to_string(i) + ")");
  }
  for (uint32_t i = 0; i < m.tables.size(); ++i)
    if (auto e = check_table_type(m.tables[i], i)) return e;
  for (uint32_t i = 0; i < m.memories.size(); ++i)
    if (auto e = check_memory_type(m.memories[i], f, i)) return e;
  if (m.memories.size() > 1 && !f.multi_memory)
    return invalid("multiple memories: " + std::to_string(m.memories.size()) +
                   " memories need the multi-memory feature");
  return std::nullopt;
}

inline std::optional<Error> check_globals(const ModuleInfo& m, ConstExprValidator& consts) {
  for (uint32_t i = 0; i < m.global_inits.size(); ++i) {
    uint32_t g = m.num_imported_globals + i;
    if (g >= m.globals.size()) return invalid("global initialiser without a global");
    if (auto e = consts.check(m.global_inits[i], m.globals[g].type, "global", g)) return e;
  }
  return std::nullopt;
}

inline std::optional<Error> check_elements(const ModuleInfo& m, ConstExprValidator& consts) {
  for (uint32_t i = 0; i < m.elements.size(); ++i) {
    const ElemSegment& seg = m.elements[i];
    std::string where = " (elem segment " + std::to_string(i) + ")";
    if (seg.mode == SegmentMode::Active) {
      if (seg.table >= m.tables.size())
        return invalid("unknown table " + std::to_string(seg.table) + where);
      if (auto e = consts.check(seg.offset, ValType::I32, "elem segment", i)) return e;
      if (m.tables[seg.table].element != seg.type)
        return invalid(std::string("type mismatch: ") + valtype_name(seg.type) +
                       " segment for a table of " + valtype_name(m.tables[seg.table].element) +
                       where);
    }
    for (uint32_t f : seg.func_indices)
      if (f >= m.func_types.size()) return invalid("unknown function " + std::to_string(f) + where);
    for (const ConstExpr& item : seg.exprs)
      if (auto e = consts.check(item, seg.type, "elem segment", i)) return e;
  }
  return std::nullopt;
}

inline std::optional<Error> check_data(const ModuleInfo& m, ConstExprValidator& consts) {
  for (uint32_t i = 0; i < m.data.size(); ++i) {
    const DataSegment& seg = m.data[i];
    if (seg.mode != SegmentMode::Active) continue;
    if (seg.memory >= m.memories.size())
      return invalid("unknown memory " + std::to_string(seg.memory) + " (data segment " +
                     std::to_string(i) + ")");
    ValType addr = m.memories[seg.memory].is64 ? ValType::I64 : ValType::I32;
    if (auto e = consts.check(seg.offset, addr, "data segment", i)) return e;
  }
  return std::nullopt;
}

inline std::optional<Error> check_start(const ModuleInfo& m) {
  if (!m.start) return std::nullopt;
  if (*m.start >= m.func_types.size())
    return invalid("unknown function " + std::to_string(*m.start) + " (start function)");
  const FuncType& t = m.func_type(*m.start);
  if (!t.params.empty() || !t.results.empty())
    return invalid("start function must have type [] -> [], function " +
                   std::to_string(*m.start) + " has type " + t.to_string());
  return std::nullopt;
}

inline std::optional<Error> check_exports(const ModuleInfo& m) {
  std::vector<std::string_view> names;
  names.reserve(m.exports.size());
  for (const Export& e : m.exports) {
    size_t count = 0;
    switch (e.kind) {
      case ExternKind::Func: count = m.func_types.size(); break;
      case ExternKind::Table: count = m.tables.size(); break;
      case ExternKind::Memory: count = m.memories.size(); break;
      case ExternKind::Global: count = m.globals.size(); break;
      case ExternKind::Tag: count = m.tag_types.size(); break;
    }
    if (e.index >= count)
      return invalid(std::string("unknown ") + (e.kind == ExternKind::Func ? "function"
                                                                            : extern_kind_name(e.kind)) +
                     " " + std::to_string(e.index) + " (export \"" + e.name + "\")");
    names.push_back(e.name);
  }
  std::sort(names.begin(), names.end());
  auto dup = std::adjacent_find(names.begin(), names.end());
  if (dup != names.end()) return invalid("duplicate export name \"" + std::string(*dup) + "\"");
  return std::nullopt;
}

// All rules outside function bodies, in the order the specification lists them.
inline std::optional<Error> check_module_level(const ModuleInfo& m, const Features& f) {
  ConstExprValidator consts(m, f);
  if (auto e = check_declarations(m, f)) return e;
  if (auto e = check_globals(m, consts)) return e;
  if (auto e = check_elements(m, consts)) return e;
  if (auto e = check_data(m, consts)) return e;
  if (auto e = check_start(m)) return e;
  return check_exports(m);
}

}  // namespace validator_impl

// An invalid module yields an Error of kind ErrorKind::Validate; malformed code found inside
// function bodies yields ErrorKind::Decode. As in the specification, which decodes the whole
// module before validating it, a malformed body is reported even after a validation error.
inline Result<void> validate_module(const ModuleInfo& module, const Features& features = {}) {
  std::optional<Error> first_invalid = validator_impl::check_module_level(module, features);
  std::vector<uint8_t> refs = validator_impl::declared_func_refs(module);
  FunctionValidator bodies(module, features, refs);
  for (uint32_t i = 0; i < module.bodies.size(); ++i) {
    uint32_t func = module.num_imported_funcs + i;
    if (func >= module.func_types.size())
      return Error(ErrorKind::Decode, "function and code section have inconsistent lengths");
    std::optional<Error> e = first_invalid ? bodies.decode_only(func, module.bodies[i])
                                           : bodies.check(func, module.bodies[i]);
    if (!e) continue;
    if (e->kind() == ErrorKind::Decode || e->kind() == ErrorKind::Unsupported) return std::move(*e);
    first_invalid = std::move(e);
  }
  if (first_invalid) return std::move(*first_invalid);
  return {};
}

}  // namespace wasm::detail
// ---- end include/wasm/detail/binary/validator.hpp ----
// ---- begin include/wasm/detail/text/wat.hpp ----
// Entry points of the text format: a whole .wat text to a module binary.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// ---- begin include/wasm/detail/text/module_encoder.hpp ----
// Encodes the fields of one text-format module to the binary format.
//
// Three passes over the fields: (0) collect the ids of every index space (imports first, as the
// text requires), so that any field can name any other; (1) encode the type definitions
// (`type`, `rec`); (2) encode every other field in text order. Function types written inline
// (`(func (param i32))`, block types, call_indirect) reuse the first identical plain function
// type or append one at the end of the type section, in text order, as the spec prescribes.
// The result is a whole module binary that the decoder and validator take like any other.
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

// ---- begin include/wasm/detail/text/parser.hpp ----
// Parser: a token cursor over WebAssembly text with the helpers every grammar rule needs.
//
// How to use it (module encoder, .wast script reader):
//   Parser p(source);
//   p.expect_lparen(); p.expect_keyword("module"); auto id = p.opt_id(); ...
//   if (p.at_lparen_keyword("invoke")) { p.next(); p.next(); ... p.expect_rparen(); }
// - peek()/peek2() look one and two tokens ahead; next() consumes one.
// - Errors are thrown as ParseError{line, col, message} with the spec's wording ("unexpected
//   token", "unknown operator", "constant out of range", ...). Catch it at the entry point
//   (wat_to_wasm does) and turn it into a wasm::Error with "line:col: message".
// - Annotations `(@name ...)` are skipped with their balanced body, except `(@custom ...)`,
//   which comes out as a Tok::Annot token (module fields read it; anywhere else it is an
//   unexpected token, as the annotations proposal makes misplaced @custom malformed).
// - Nesting: call enter() on every '(' a recursive rule descends into and leave() on its ')'
//   (DepthGuard does both); past kMaxDepth the parser fails with "nesting too deep" instead of
//   overflowing the native stack.
// - mark()/reset() save and restore the position (two passes over a module, or `module quote`
//   text found later). Literal helpers (u32, i32, f64, v128, ...) consume one token each.
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

// ---- begin include/wasm/detail/text/lexer.hpp ----
// Tokens of the WebAssembly text format (spec 6.2 "Lexical format"), produced one at a time
// from a string_view of the source; token text points into the source (no allocation).
//
// Comments (`;; ...` and nested `(; ... ;)`) and white space are skipped. An annotation
// `(@name` comes out as one Tok::Annot token whose text is the name; Parser skips the
// annotation's balanced body except where it is meaningful (`@custom` at module level).
// Strings are checked here (escapes, control characters, UTF-8 of the source characters) and
// decoded on demand by decode_string(). Numbers are classified here and converted by
// numbers.hpp, which knows the type a context expects.
#include <cstdint>
#include <string>
#include <string_view>


namespace wasm::detail::text {

enum class Tok : uint8_t {
  Eof,
  LParen,
  RParen,
  Keyword,   // starts with a lower-case letter: module, i32.add, offset=4, ...
  Id,        // $name or $"quoted name"; text is the whole token including '$'
  String,    // "..." including the quotes; decode with decode_string()
  Number,    // starts with a digit or a sign, or is inf/nan/nan:0x... (also nan:canonical)
  Reserved,  // any other run of id characters, or juxtaposed strings/ids
  Annot,     // "(@name"; text is the name (a quoted name keeps its quotes)
  Error,     // lexical error; Lexer::error() says which
};

struct Token {
  Tok kind = Tok::Eof;
  uint32_t line = 1;
  uint32_t col = 1;
  std::string_view text;
};

// Where the lexer stands; saving and restoring one lets a parser go over a span twice.
struct LexPos {
  size_t offset = 0;
  size_t line_start = 0;
  uint32_t line = 1;
};

constexpr bool is_idchar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '.': case '/': case ':': case '<': case '=': case '>': case '?': case '@': case '\\':
    case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

constexpr int hex_digit(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

inline void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

// Appends the bytes of a string token (text including quotes, already checked by the lexer).
inline void decode_string(std::string_view tok, std::string& out) {
  size_t end = tok.size() - 1;
  for (size_t i = 1; i < end; ++i) {
    char c = tok[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    char e = tok[++i];
    switch (e) {
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case '"': out += '"'; break;
      case '\'': out += '\''; break;
      case '\\': out += '\\'; break;
      case 'u': {
        uint32_t cp = 0;
        for (i += 2; tok[i] != '}'; ++i)
          if (tok[i] != '_') cp = cp * 16 + uint32_t(hex_digit(uint8_t(tok[i])));
        append_utf8(out, cp);
        break;
      }
      default:
        out += char(hex_digit(uint8_t(e)) * 16 + hex_digit(uint8_t(tok[i + 1])));
        ++i;
        break;
    }
  }
}

inline std::string decode_string(std::string_view tok) {
  std::string s;
  s.reserve(tok.size());
  decode_string(tok, s);
  return s;
}

class Lexer {
 public:
  explicit Lexer(std::string_view src) : src_(src) {}

  std::string_view source() const { return src_; }
  LexPos pos() const { return pos_; }
  void set_pos(LexPos p) { pos_ = p; }
  const char* error() const { return error_; }
  // Line and column of the current position (after the last token).
  uint32_t line() const { return pos_.line; }
  uint32_t col() const { return uint32_t(pos_.offset - pos_.line_start + 1); }

  Token next() {
    if (!skip_space()) return err_token_;
    Token t;
    t.line = pos_.line;
    t.col = uint32_t(pos_.offset - pos_.line_start + 1);
    size_t start = pos_.offset;
    if (start >= src_.size()) {
      t.kind = Tok::Eof;
      return t;
    }
    unsigned char c = uint8_t(src_[start]);
    if (c == '(') {
      if (start + 1 < src_.size() && src_[start + 1] == '@') {
        pos_.offset = start + 2;
        size_t name_start = pos_.offset;
        if (!scan_run()) return err_token_;
        // An empty name comes out as an empty text: Parser rejects it where an annotation
        // starts ("empty annotation id"); inside an annotation's body `(@)` is just tokens.
        t.kind = Tok::Annot;
        t.text = src_.substr(name_start, pos_.offset - name_start);
        if (t.text.size() == 2 && t.text.front() == '"') t.text = {};
        return t;
      }
      pos_.offset = start + 1;
      t.kind = Tok::LParen;
      t.text = src_.substr(start, 1);
      return t;
    }
    if (c == ')') {
      pos_.offset = start + 1;
      t.kind = Tok::RParen;
      t.text = src_.substr(start, 1);
      return t;
    }
    size_t strings = 0;
    if (!scan_run(&strings)) return err_token_;
    size_t len = pos_.offset - start;
    if (len == 0) return fail(t, "illegal character");
    t.text = src_.substr(start, len);
    t.kind = classify(t.text, strings);
    if (t.kind == Tok::Id && len == 1) return fail(t, "empty identifier");
    if (t.kind == Tok::Id && t.text[1] == '"' && len == 3) return fail(t, "empty identifier");
    return t;
  }

 private:
  Token fail(Token t, const char* message) {
    error_ = message;
    t.kind = Tok::Error;
    err_token_ = t;
    return t;
  }

  void newline(size_t at) {
    ++pos_.line;
    pos_.line_start = at + 1;
  }

  // Skips white space and comments. False on an unclosed block comment.
  bool skip_space() {
    size_t i = pos_.offset;
    const size_t n = src_.size();
    while (i < n) {
      char c = src_[i];
      if (c == ' ' || c == '\t' || c == '\r') {
        ++i;
      } else if (c == '\n') {
        newline(i);
        ++i;
      } else if (c == ';' && i + 1 < n && src_[i + 1] == ';') {
        while (i < n && src_[i] != '\n') ++i;
      } else if (c == '(' && i + 1 < n && src_[i + 1] == ';') {
        Token t;
        t.line = pos_.line;
        t.col = uint32_t(i - pos_.line_start + 1);
        size_t depth = 1;
        i += 2;
        while (depth > 0) {
          if (i + 1 >= n) {
            pos_.offset = n;
            fail(t, "unclosed comment");
            return false;
          }
          if (src_[i] == '(' && src_[i + 1] == ';') depth++, i += 2;
          else if (src_[i] == ';' && src_[i + 1] == ')') depth--, i += 2;
          else {
            if (src_[i] == '\n') newline(i);
            ++i;
          }
        }
      } else {
        break;
      }
    }
    pos_.offset = i;
    return true;
  }

  // Consumes a maximal run of id characters and strings (a token; juxtaposed pieces make a
  // reserved token). False on a malformed string.
  bool scan_run(size_t* strings = nullptr) {
    size_t i = pos_.offset;
    const size_t n = src_.size();
    while (i < n) {
      unsigned char c = uint8_t(src_[i]);
      if (is_idchar(c) || c == ',' || c == '[' || c == ']' || c == '{' || c == '}') {
        ++i;
      } else if (c == '"') {
        pos_.offset = i;
        if (!scan_string()) return false;
        i = pos_.offset;
        if (strings) ++*strings;
      } else if (c == ';' && !(i + 1 < n && src_[i + 1] == ';')) {
        ++i;
      } else {
        break;
      }
    }
    pos_.offset = i;
    return true;
  }

  bool scan_string() {
    Token t;
    t.line = pos_.line;
    t.col = uint32_t(pos_.offset - pos_.line_start + 1);
    size_t i = pos_.offset + 1;
    const size_t n = src_.size();
    while (true) {
      if (i >= n) return fail_at(t, i, "unclosed string");
      unsigned char c = uint8_t(src_[i]);
      if (c == '"') break;
      if (c == '\n') return fail_at(t, i, "unclosed string");
      if (c < 0x20 || c == 0x7F) return fail_at(t, i, "illegal control character");
      if (c == '\\') {
        if (i + 1 >= n) return fail_at(t, i, "unclosed string");
        unsigned char e = uint8_t(src_[i + 1]);
        if (e == 't' || e == 'n' || e == 'r' || e == '"' || e == '\'' || e == '\\') {
          i += 2;
        } else if (e == 'u') {
          i += 2;
          if (i >= n || src_[i] != '{') return fail_at(t, i, "illegal escape");
          ++i;
          uint64_t cp = 0;
          size_t digits = 0;
          bool last_digit = false;
          while (i < n && src_[i] != '}') {
            int d = hex_digit(uint8_t(src_[i]));
            if (d >= 0) {
              cp = cp * 16 + uint64_t(d);
              if (cp > 0x10FFFF) cp = 0x110000;
              ++digits;
              last_digit = true;
            } else if (src_[i] == '_' && last_digit) {
              last_digit = false;
            } else {
              return fail_at(t, i, "illegal escape");
            }
            ++i;
          }
          if (i >= n || digits == 0 || !last_digit) return fail_at(t, i, "illegal escape");
          if (cp >= 0x110000 || (cp >= 0xD800 && cp < 0xE000))
            return fail_at(t, i, "malformed UTF-8 encoding");
          ++i;
        } else if (hex_digit(e) >= 0 && i + 2 < n && hex_digit(uint8_t(src_[i + 2])) >= 0) {
          i += 3;
        } else {
          return fail_at(t, i, "illegal escape");
        }
      } else if (c < 0x80) {
        ++i;
      } else {
        size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
        if (len > n - i ||
            !is_valid_utf8({reinterpret_cast<const uint8_t*>(src_.data() + i), len}) || len == 1)
          return fail_at(t, i, "malformed UTF-8 encoding");
        i += len;
      }
    }
    pos_.offset = i + 1;
    return true;
  }

  bool fail_at(Token t, size_t at, const char* message) {
    // Report the string's own position; a newline inside it moved nothing yet.
    (void)at;
    fail(t, message);
    return false;
  }

  static Tok classify(std::string_view s, size_t strings) {
    unsigned char c = uint8_t(s[0]);
    if (strings > 0) {
      if (s.front() == '"' && s.back() == '"' && strings == 1 && string_spans_all(s))
        return Tok::String;
      if (c == '$' && strings == 1 && s.size() >= 3 && s[1] == '"' && s.back() == '"' &&
          string_spans_all(s.substr(1)))
        return Tok::Id;
      return Tok::Reserved;
    }
    for (char ch : s)
      if (!is_idchar(uint8_t(ch))) return Tok::Reserved;
    if (c == '$') return Tok::Id;
    if (c >= '0' && c <= '9') return Tok::Number;
    if (c == '+' || c == '-') {
      if (s.size() > 1 && ((s[1] >= '0' && s[1] <= '9') || s.substr(1, 3) == "inf" ||
                           s.substr(1, 3) == "nan"))
        return Tok::Number;
      return Tok::Reserved;
    }
    if (c >= 'a' && c <= 'z') {
      if (s == "inf" || s == "nan" || s.substr(0, 4) == "nan:") return Tok::Number;
      return Tok::Keyword;
    }
    return Tok::Reserved;
  }

  // True if the string starting at s[0] ends exactly at the end of s.
  static bool string_spans_all(std::string_view s) {
    size_t i = 1;
    while (i < s.size() && s[i] != '"') i += s[i] == '\\' ? 2 : 1;
    return i == s.size() - 1;
  }

  std::string_view src_;
  LexPos pos_;
  const char* error_ = nullptr;
  Token err_token_;
};

}  // namespace wasm::detail::text
// ---- end include/wasm/detail/text/lexer.hpp ----
// ---- begin include/wasm/detail/text/numbers.hpp ----
// Number literals of the text format (spec 6.3.1): integers in decimal or hex with `_`
// separators between digits, and floats in decimal or hex notation, `inf`, `nan` and
// `nan:0x...`, with an optional sign. Each function takes the token text and returns false
// for text that is not a literal of that type; *range is set when the syntax was right but
// the value does not fit ("constant out of range").
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>


namespace wasm::detail::text {

// Digits with single `_` between digits; value into *out, saturating flag in *overflow.
// `hex` selects base 16.
constexpr bool parse_digits(std::string_view s, bool hex, uint64_t* out, bool* overflow) {
  if (s.empty()) return false;
  uint64_t v = 0;
  bool over = false;
  bool last_digit = false;
  for (char c : s) {
    if (c == '_') {
      if (!last_digit) return false;
      last_digit = false;
      continue;
    }
    int d = hex ? hex_digit(uint8_t(c)) : (c >= '0' && c <= '9' ? c - '0' : -1);
    if (d < 0) return false;
    uint64_t base = hex ? 16 : 10;
    if (v > (UINT64_MAX - uint64_t(d)) / base) over = true;
    v = v * base + uint64_t(d);
    last_digit = true;
  }
  if (!last_digit) return false;
  *out = v;
  *overflow = over;
  return true;
}

// An unsigned literal (no sign) up to `max`: memory limits, indices, offset=, align=.
constexpr bool parse_unsigned(std::string_view s, uint64_t max, uint64_t* out, bool* range) {
  *range = false;
  bool hex = s.size() > 2 && s[0] == '0' && s[1] == 'x';
  bool overflow = false;
  if (!parse_digits(hex ? s.substr(2) : s, hex, out, &overflow)) return false;
  if (overflow || *out > max) *range = true;
  return true;
}

// An iN literal (N = bits <= 64): unsigned up to 2^N-1 or signed from -2^(N-1); the result is
// the N-bit pattern zero-extended into 64 bits.
constexpr bool parse_int(std::string_view s, unsigned bits, uint64_t* out, bool* range) {
  *range = false;
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  uint64_t v = 0;
  bool hex = s.size() > 2 && s[0] == '0' && s[1] == 'x';
  bool overflow = false;
  if (!parse_digits(hex ? s.substr(2) : s, hex, &v, &overflow)) return false;
  uint64_t umax = bits == 64 ? UINT64_MAX : (uint64_t(1) << bits) - 1;
  uint64_t neg_max = uint64_t(1) << (bits - 1);
  if (overflow || (neg ? v > neg_max : v > umax)) {
    *range = true;
    return true;
  }
  if (neg) v = uint64_t(0) - v;
  *out = v & umax;
  return true;
}

namespace number_detail {

// Copies s without underscores into buf (NUL-terminated). Checks each `_` is between digits.
inline bool strip_underscores(std::string_view s, bool hex, std::string& buf) {
  buf.clear();
  char prev = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_') {
      char next = i + 1 < s.size() ? s[i + 1] : 0;
      auto digit = [&](char d) {
        return hex ? hex_digit(uint8_t(d)) >= 0 : (d >= '0' && d <= '9');
      };
      if (!digit(prev) || !digit(next)) return false;
    } else {
      buf += c;
    }
    prev = c;
  }
  return true;
}

// Checks the float grammar: num ('.' num?)? ([eE] sign? num)? or the hex form with [pP].
inline bool float_syntax(std::string_view s, bool hex) {
  size_t i = 0;
  auto digit = [&](char c) { return hex ? hex_digit(uint8_t(c)) >= 0 : (c >= '0' && c <= '9'); };
  auto num = [&](bool dec_only) {
    size_t start = i;
    bool last = false;
    while (i < s.size()) {
      char c = s[i];
      bool d = dec_only ? (c >= '0' && c <= '9') : digit(c);
      if (d) last = true;
      else if (c == '_' && last) last = false;
      else break;
      ++i;
    }
    return i > start && last;
  };
  if (!num(false)) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (i < s.size() && digit(s[i])) {
      if (!num(false)) return false;
    }
  }
  if (i < s.size() && (hex ? (s[i] == 'p' || s[i] == 'P') : (s[i] == 'e' || s[i] == 'E'))) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!num(true)) return false;
  }
  return i == s.size();
}

}  // namespace number_detail

// An fN literal (N = 32 or 64) as its bit pattern, correctly rounded (round to nearest even).
inline bool parse_float(std::string_view s, unsigned bits, uint64_t* out, bool* range) {
  *range = false;
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  const uint64_t sign = neg ? (bits == 32 ? 0x80000000ull : 0x8000000000000000ull) : 0;
  const unsigned mant_bits = bits == 32 ? 23 : 52;
  const uint64_t exp_all = bits == 32 ? 0x7F800000ull : 0x7FF0000000000000ull;
  if (s == "inf") {
    *out = sign | exp_all;
    return true;
  }
  if (s == "nan") {
    *out = sign | exp_all | (uint64_t(1) << (mant_bits - 1));
    return true;
  }
  if (s.substr(0, 6) == "nan:0x") {
    uint64_t payload = 0;
    bool overflow = false;
    if (!parse_digits(s.substr(6), true, &payload, &overflow)) return false;
    if (overflow || payload == 0 || payload >= (uint64_t(1) << mant_bits)) {
      *range = true;
      return true;
    }
    *out = sign | exp_all | payload;
    return true;
  }
  bool hex = s.size() > 2 && s[0] == '0' && s[1] == 'x';
  if (!number_detail::float_syntax(hex ? s.substr(2) : s, hex)) return false;
  thread_local std::string buf;
  if (!number_detail::strip_underscores(s, hex, buf)) return false;
  if (hex && buf.find_first_of("pP") == std::string::npos) buf += "p0";  // strtod needs none,
                                                                          // but keeps it exact
  errno = 0;
  char* end = nullptr;
  if (bits == 32) {
    float f = std::strtof(buf.c_str(), &end);
    if (std::isinf(f)) {
      *range = true;
      return true;
    }
    *out = sign | std::bit_cast<uint32_t>(f);
  } else {
    double d = std::strtod(buf.c_str(), &end);
    if (std::isinf(d)) {
      *range = true;
      return true;
    }
    *out = sign | std::bit_cast<uint64_t>(d);
  }
  return end == buf.c_str() + buf.size();
}

}  // namespace wasm::detail::text
// ---- end include/wasm/detail/text/numbers.hpp ----

namespace wasm::detail::text {

struct ParseError {
  uint32_t line = 0;
  uint32_t col = 0;
  std::string message;

  std::string to_string() const {
    return std::to_string(line) + ":" + std::to_string(col) + ": " + message;
  }
};

class Parser {
 public:
  static constexpr uint32_t kMaxDepth = 1000;

  explicit Parser(std::string_view src) : lexer_(src) {}

  std::string_view source() const { return lexer_.source(); }

  // --- Cursor --------------------------------------------------------------------------------
  const Token& peek() {
    if (count_ == 0) fill();
    return buf_[0];
  }
  const Token& peek2() {
    if (count_ == 0) fill();
    if (count_ == 1) fill();
    return buf_[1];
  }
  Token next() {
    Token t = peek();
    buf_[0] = buf_[1];
    before_[0] = before_[1];
    --count_;
    return t;
  }

  LexPos mark() {
    return count_ > 0 ? before_[0] : lexer_.pos();
  }
  void reset(LexPos p) {
    lexer_.set_pos(p);
    count_ = 0;
  }
  // Offset in the source of the next token's first character.
  size_t offset() {
    const Token& t = peek();
    return size_t(t.text.data() - lexer_.source().data());
  }

  bool at(Tok k) { return peek().kind == k; }
  bool at_keyword(std::string_view kw) {
    const Token& t = peek();
    return t.kind == Tok::Keyword && t.text == kw;
  }
  bool at_lparen_keyword(std::string_view kw) {
    if (peek().kind != Tok::LParen) return false;
    const Token& t = peek2();
    return t.kind == Tok::Keyword && t.text == kw;
  }
  // The keyword after '(' when the next token is '(' keyword, else empty.
  std::string_view lparen_keyword() {
    if (peek().kind != Tok::LParen) return {};
    const Token& t = peek2();
    return t.kind == Tok::Keyword ? t.text : std::string_view{};
  }
  bool eat_keyword(std::string_view kw) {
    if (!at_keyword(kw)) return false;
    next();
    return true;
  }
  // Consumes '(' kw when present.
  bool eat_lparen_keyword(std::string_view kw) {
    if (!at_lparen_keyword(kw)) return false;
    next();
    next();
    return true;
  }
  void expect_lparen() {
    if (!at(Tok::LParen)) fail_unexpected();
    next();
  }
  void expect_rparen() {
    if (!at(Tok::RParen)) fail_unexpected();
    next();
  }
  void expect_keyword(std::string_view kw) {
    if (!at_keyword(kw)) fail_unexpected();
    next();
  }
  std::string_view keyword() {
    if (!at(Tok::Keyword)) fail_unexpected();
    return next().text;
  }

  // Skips tokens up to and including the ')' that closes an already consumed '('.
  void skip_to_close() {
    size_t depth = 1;
    while (true) {
      Token t = next();
      if (t.kind == Tok::LParen || t.kind == Tok::Annot) ++depth;
      else if (t.kind == Tok::RParen && --depth == 0) return;
      else if (t.kind == Tok::Eof) fail(t, "unexpected end of input");
    }
  }

  // --- Identifiers and strings ----------------------------------------------------------------
  std::optional<Token> opt_id() {
    if (!at(Tok::Id)) return std::nullopt;
    return next();
  }
  // The name an id stands for: text after '$', or the decoded quoted string. Plain ids are
  // returned as views into the source; quoted ones are decoded into `storage`.
  static std::string_view id_name(const Token& id, std::string& storage) {
    if (id.text.size() > 1 && id.text[1] == '"') {
      storage = decode_string(id.text.substr(1));
      return storage;
    }
    return id.text.substr(1);
  }
  std::string string() {
    if (!at(Tok::String)) fail_unexpected();
    return decode_string(next().text);
  }
  // A string that must be valid UTF-8 (names of imports, exports, custom sections).
  std::string name() {
    const Token t = peek();
    std::string s = string();
    if (!is_valid_utf8({reinterpret_cast<const uint8_t*>(s.data()), s.size()}))
      fail(t, "malformed UTF-8 encoding");
    return s;
  }

  // --- Numbers --------------------------------------------------------------------------------
  uint32_t u32() { return uint32_t(unsigned_literal(0xFFFFFFFFull)); }
  uint64_t u64() { return unsigned_literal(UINT64_MAX); }
  uint64_t unsigned_literal(uint64_t max) {
    const Token t = peek();
    uint64_t v = 0;
    bool range = false;
    if (t.kind != Tok::Number || !parse_unsigned(t.text, max, &v, &range)) fail_unexpected();
    if (range) fail(t, "constant out of range");
    next();
    return v;
  }
  bool at_u32() {
    const Token& t = peek();
    return t.kind == Tok::Number && t.text[0] >= '0' && t.text[0] <= '9';
  }
  // An iN literal as its N-bit pattern; `what` names the type in range errors.
  uint64_t int_literal(unsigned bits) {
    const Token t = peek();
    uint64_t v = 0;
    bool range = false;
    if (t.kind != Tok::Number || !parse_int(t.text, bits, &v, &range)) fail_unexpected();
    if (range) fail(t, "constant out of range");
    next();
    return v;
  }
  uint32_t i32() { return uint32_t(int_literal(32)); }
  uint64_t i64() { return int_literal(64); }
  uint64_t float_literal(unsigned bits) {
    const Token t = peek();
    uint64_t v = 0;
    bool range = false;
    if (t.kind != Tok::Number || !parse_float(t.text, bits, &v, &range)) fail_unexpected();
    if (range) fail(t, "constant out of range");
    next();
    return v;
  }
  uint32_t f32() { return uint32_t(float_literal(32)); }
  uint64_t f64() { return float_literal(64); }

  // v128 literal after `v128.const`: a shape keyword and its lanes, little-endian bytes.
  std::array<uint8_t, 16> v128() {
    std::array<uint8_t, 16> out{};
    const Token shape = peek();
    if (shape.kind != Tok::Keyword) fail_unexpected();
    unsigned lanes = 0, bits = 0;
    bool is_float = false;
    std::string_view s = shape.text;
    if (s == "i8x16") lanes = 16, bits = 8;
    else if (s == "i16x8") lanes = 8, bits = 16;
    else if (s == "i32x4") lanes = 4, bits = 32;
    else if (s == "i64x2") lanes = 2, bits = 64;
    else if (s == "f32x4") lanes = 4, bits = 32, is_float = true;
    else if (s == "f64x2") lanes = 2, bits = 64, is_float = true;
    else fail(shape, "unexpected token");
    next();
    for (unsigned i = 0; i < lanes; ++i) {
      if (!at(Tok::Number)) fail(peek(), "wrong number of lane literals");
      uint64_t v = is_float ? float_literal(bits) : int_literal(bits);
      std::memcpy(out.data() + i * (bits / 8), &v, bits / 8);
    }
    return out;
  }

  // --- Errors and depth -----------------------------------------------------------------------
  [[noreturn]] static void fail(const Token& t, std::string message) {
    throw ParseError{t.line, t.col, std::move(message)};
  }
  [[noreturn]] void fail_here(std::string message) { fail(peek(), std::move(message)); }
  [[noreturn]] void fail_unexpected() {
    const Token& t = peek();
    if (t.kind == Tok::Eof) fail(t, "unexpected end of input");
    if (t.kind == Tok::Error) fail(t, lexer_.error());
    fail(t, "unexpected token");
  }

  void enter() {
    if (++depth_ > kMaxDepth) fail_here("nesting too deep");
  }
  void leave() { --depth_; }
  struct DepthGuard {
    explicit DepthGuard(Parser& p) : p_(p) { p_.enter(); }
    ~DepthGuard() { p_.leave(); }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;
    Parser& p_;
  };

 private:
  // Lexes the next significant token into the lookahead buffer, skipping annotations other
  // than @custom. A lexical error becomes a thrown ParseError.
  void fill() {
    while (true) {
      LexPos before = lexer_.pos();
      Token t = lexer_.next();
      if (t.kind == Tok::Error) fail(t, lexer_.error());
      if (t.kind == Tok::Annot && t.text.empty()) fail(t, "empty annotation id");
      if (t.kind == Tok::Annot && t.text != "custom") {
        skip_annotation(t);
        continue;
      }
      before_[count_] = before;
      buf_[count_++] = t;
      return;
    }
  }
  void skip_annotation(const Token& open) {
    size_t depth = 1;
    while (depth > 0) {
      Token t = lexer_.next();
      if (t.kind == Tok::Error) fail(t, lexer_.error());
      if (t.kind == Tok::Eof) fail(open, "unclosed annotation");
      if (t.kind == Tok::LParen || t.kind == Tok::Annot) ++depth;
      else if (t.kind == Tok::RParen) --depth;
    }
  }

  Lexer lexer_;
  Token buf_[2];
  LexPos before_[2];
  uint32_t count_ = 0;
  uint32_t depth_ = 0;
};

}  // namespace wasm::detail::text
// ---- end include/wasm/detail/text/parser.hpp ----
// ---- begin include/wasm/detail/text/writer.hpp ----
// A growing byte buffer with the binary format's encodings (LEB128, names, vectors).
#include <cstdint>
#include <string_view>
#include <vector>

namespace wasm::detail::text {

struct Bytes {
  std::vector<uint8_t> v;

  void u8(uint8_t b) { v.push_back(b); }
  void u32(uint64_t x) {
    do {
      uint8_t b = x & 0x7F;
      x >>= 7;
      if (x) b |= 0x80;
      v.push_back(b);
    } while (x);
  }
  void s64(int64_t x) {
    while (true) {
      uint8_t b = x & 0x7F;
      x >>= 7;  // arithmetic shift
      bool done = (x == 0 && !(b & 0x40)) || (x == -1 && (b & 0x40));
      if (!done) b |= 0x80;
      v.push_back(b);
      if (done) return;
    }
  }
  void fixed(uint64_t bits, unsigned bytes) {
    for (unsigned i = 0; i < bytes; ++i) v.push_back(uint8_t(bits >> (8 * i)));
  }
  void bytes(const void* p, size_t n) {
    auto* b = static_cast<const uint8_t*>(p);
    v.insert(v.end(), b, b + n);
  }
  void append(const Bytes& o) { v.insert(v.end(), o.v.begin(), o.v.end()); }
  void name(std::string_view s) {
    u32(s.size());
    bytes(s.data(), s.size());
  }
  // A length-prefixed copy of `o` (section or function body).
  void sized(const Bytes& o) {
    u32(o.v.size());
    append(o);
  }
  size_t size() const { return v.size(); }
  void clear() { v.clear(); }
};

}  // namespace wasm::detail::text
// ---- end include/wasm/detail/text/writer.hpp ----

namespace wasm::detail::text {

struct EncodeOptions {
  bool names = true;  // emit the "name" custom section for ids (function and local names)
};

// Text name -> opcode, built once from opcodes.def (the first entry of a shared name wins:
// select, ref.test, ref.cast are refined by the encoder).
inline const std::unordered_map<std::string_view, Op>& text_opcodes() {
  static const auto* map = [] {
    auto* m = new std::unordered_map<std::string_view, Op>();
    m->reserve(kOpCount * 2);
    for (size_t i = 0; i < kOpCount; ++i) m->emplace(kOpInfo[i].text, Op(i));
    return m;
  }();
  return *map;
}

class ModuleEncoder {
 public:
  ModuleEncoder(Parser& p, EncodeOptions opts) : p_(p), opts_(opts) {}

  // Reads fields up to (not including) the ')' closing the module or the end of input.
  std::vector<uint8_t> encode_fields(std::optional<Token> module_id) {
    module_id_ = module_id;
    LexPos start = p_.mark();
    collect();
    p_.reset(start);
    for (const Field& f : fields_)
      if (f.kind == FieldKind::Type || f.kind == FieldKind::Rec) {
        p_.reset(f.pos);
        type_field(f.kind == FieldKind::Rec);
      }
    for (const Field& f : fields_)
      if (f.kind != FieldKind::Type && f.kind != FieldKind::Rec) {
        p_.reset(f.pos);
        other_field(f.kind);
      }
    p_.reset(end_);
    return assemble();
  }

 private:
  enum class FieldKind : uint8_t {
    Type, Rec, Func, Table, Memory, Global, Tag, Import, Export, Start, Elem, Data, Custom
  };
  struct Field {
    FieldKind kind;
    LexPos pos;  // at the field's '('
  };
  // One index space: names and count.
  struct Space {
    explicit Space(const char* w) : what(w) {}
    const char* what;
    std::unordered_map<std::string, uint32_t> names;
    uint32_t count = 0;
  };
  struct TypeInfo {
    uint8_t kind = 0x60;     // 0x60 func, 0x5F struct, 0x5E array
    bool plain = false;      // final, no supertypes, alone in its rec group
    std::string sig;         // func: encoded params vec + results vec
    std::vector<std::string> param_names;
    std::unordered_map<std::string, uint32_t> field_names;
  };
  struct Local {
    std::string_view name;
  };
  struct Label {
    std::string_view name;  // empty when unnamed
  };

  // ---- Pass 0: ids ---------------------------------------------------------------------------

  void define(Space& s, const std::optional<Token>& id) {
    if (id) {
      std::string storage;
      std::string key(Parser::id_name(*id, storage));
      if (!s.names.emplace(key, s.count).second)
        Parser::fail(*id, std::string("duplicate ") + s.what);
    }
    ++s.count;
  }

  void skip_exports() {
    while (p_.at_lparen_keyword("export")) {
      p_.next();
      p_.next();
      p_.skip_to_close();
    }
  }

  // Whether the rest of the current field has a direct child '(' kw; consumes the field.
  bool field_has_child(std::string_view kw) {
    bool found = false;
    size_t depth = 1;
    while (true) {
      Token t = p_.next();
      if (t.kind == Tok::LParen || t.kind == Tok::Annot) {
        if (depth == 1 && t.kind == Tok::LParen && p_.at_keyword(kw)) found = true;
        ++depth;
      } else if (t.kind == Tok::RParen) {
        if (--depth == 0) return found;
      } else if (t.kind == Tok::Eof) {
        p_.fail_unexpected();
      }
    }
  }

  void note_import(const char* kind) {
    if (first_def_) Parser::fail(p_.peek(), std::string("import after ") + first_def_);
    (void)kind;
  }

  void collect() {
    while (true) {
      const Token& t = p_.peek();
      if (t.kind == Tok::Annot) {
        fields_.push_back({FieldKind::Custom, p_.mark()});
        p_.next();
        p_.skip_to_close();
        continue;
      }
      if (t.kind != Tok::LParen) break;
      LexPos pos = p_.mark();
      p_.next();
      const Token kw = p_.peek();
      if (kw.kind != Tok::Keyword) p_.fail_unexpected();
      std::string_view k = kw.text;
      p_.next();
      if (k == "type") {
        fields_.push_back({FieldKind::Type, pos});
        define(types_, p_.opt_id());
        p_.skip_to_close();
      } else if (k == "rec") {
        fields_.push_back({FieldKind::Rec, pos});
        while (p_.eat_lparen_keyword("type")) {
          define(types_, p_.opt_id());
          p_.skip_to_close();
        }
        p_.skip_to_close();
      } else if (k == "func" || k == "table" || k == "memory" || k == "global" || k == "tag") {
        FieldKind fk = k == "func" ? FieldKind::Func : k == "table" ? FieldKind::Table
                     : k == "memory" ? FieldKind::Memory : k == "global" ? FieldKind::Global
                                                             : FieldKind::Tag;
        fields_.push_back({fk, pos});
        Space& s = space_of(k);
        auto id = p_.opt_id();
        skip_exports();
        bool import = p_.at_lparen_keyword("import");
        if (import) note_import(s.what);
        define(s, id);
        if (!import) {
          if (!first_def_) first_def_ = s.what;
          if (fk == FieldKind::Table && field_has_child("elem")) ++elems_.count;
          else if (fk == FieldKind::Memory && field_has_child("data")) ++datas_.count;
          else if (fk != FieldKind::Table && fk != FieldKind::Memory) p_.skip_to_close();
        } else {
          p_.skip_to_close();
        }
      } else if (k == "import") {
        fields_.push_back({FieldKind::Import, pos});
        p_.name();
        p_.name();
        p_.expect_lparen();
        std::string_view dk = p_.keyword();
        Space& s = space_of(dk);
        note_import(s.what);
        define(s, p_.opt_id());
        p_.skip_to_close();
        p_.skip_to_close();
      } else if (k == "export") {
        fields_.push_back({FieldKind::Export, pos});
        p_.skip_to_close();
      } else if (k == "start") {
        if (has_start_) Parser::fail(kw, "multiple start sections");
        has_start_ = true;
        fields_.push_back({FieldKind::Start, pos});
        p_.skip_to_close();
      } else if (k == "elem") {
        fields_.push_back({FieldKind::Elem, pos});
        define(elems_, p_.opt_id());
        p_.skip_to_close();
      } else if (k == "data") {
        fields_.push_back({FieldKind::Data, pos});
        define(datas_, p_.opt_id());
        p_.skip_to_close();
      } else {
        Parser::fail(kw, "unknown operator");
      }
    }
    end_ = p_.mark();
  }

  Space& space_of(std::string_view k) {
    if (k == "func") return funcs_;
    if (k == "table") return tables_;
    if (k == "memory") return mems_;
    if (k == "global") return globals_;
    if (k == "tag") return tags_;
    p_.fail_unexpected();
  }

  // ---- Index references ----------------------------------------------------------------------

  uint32_t index(Space& s) {
    const Token t = p_.peek();
    if (t.kind == Tok::Id) {
      p_.next();
      std::string storage;
      std::string key(Parser::id_name(t, storage));
      auto it = s.names.find(key);
      if (it == s.names.end()) Parser::fail(t, std::string("unknown ") + s.what + " " + std::string(t.text));
      return it->second;
    }
    if (t.kind == Tok::Number) return p_.u32();
    p_.fail_unexpected();
  }
  bool at_index() { return p_.at(Tok::Id) || p_.at_u32(); }
  uint32_t opt_index(Space& s) { return at_index() ? index(s) : 0; }

  // ---- Types ---------------------------------------------------------------------------------

  // Heap type: abstract keyword or type index; encoded as s33.
  int64_t heap_type() {
    const Token t = p_.peek();
    if (t.kind == Tok::Keyword) {
      static const std::pair<std::string_view, int64_t> kAbs[] = {
          {"func", -0x10}, {"extern", -0x11}, {"any", -0x12}, {"eq", -0x13}, {"i31", -0x14},
          {"struct", -0x15}, {"array", -0x16}, {"exn", -0x17}, {"noexn", -0x0C},
          {"none", -0x0F}, {"nofunc", -0x0D}, {"noextern", -0x0E}};
      for (auto& [name, code] : kAbs)
        if (t.text == name) {
          p_.next();
          return code;
        }
      Parser::fail(t, "unknown operator");
    }
    return index(types_);
  }
  void put_heap_type(Bytes& b, int64_t ht) { b.s64(ht); }

  // Reference type after '(' ref: `null? heaptype )`. Returns nullability.
  bool ref_type_body(Bytes& b) {
    bool null = p_.eat_keyword("null");
    int64_t ht = heap_type();
    p_.expect_rparen();
    if (null && ht < 0) b.u8(uint8_t(ht & 0x7F));  // shorthand (ref null func) = funcref
    else {
      b.u8(null ? 0x63 : 0x64);
      put_heap_type(b, ht);
    }
    return null;
  }

  static int short_ref_type(std::string_view k) {
    static const std::pair<std::string_view, int> kShort[] = {
        {"funcref", 0x70}, {"externref", 0x6F}, {"anyref", 0x6E}, {"eqref", 0x6D},
        {"i31ref", 0x6C}, {"structref", 0x6B}, {"arrayref", 0x6A}, {"exnref", 0x69},
        {"nullexnref", 0x74}, {"nullref", 0x71}, {"nullfuncref", 0x73}, {"nullexternref", 0x72}};
    for (auto& [name, code] : kShort)
      if (k == name) return code;
    return -1;
  }

  // A reference type; returns nullability and encodes the type.
  bool ref_type(Bytes& b) {
    const Token t = p_.peek();
    if (t.kind == Tok::Keyword) {
      int code = short_ref_type(t.text);
      if (code < 0) Parser::fail(t, "unexpected token");
      p_.next();
      b.u8(uint8_t(code));
      return true;
    }
    if (!p_.eat_lparen_keyword("ref")) p_.fail_unexpected();
    return ref_type_body(b);
  }
  // Reference type as a heap type and nullability (ref.test, ref.cast, br_on_cast).
  int64_t ref_type_heap(bool& nullable) {
    const Token t = p_.peek();
    if (t.kind == Tok::Keyword) {
      int code = short_ref_type(t.text);
      if (code < 0) Parser::fail(t, "unexpected token");
      p_.next();
      nullable = true;
      return int64_t(code) - 0x80;
    }
    if (!p_.eat_lparen_keyword("ref")) p_.fail_unexpected();
    nullable = p_.eat_keyword("null");
    int64_t ht = heap_type();
    p_.expect_rparen();
    return ht;
  }

  bool at_valtype() {
    const Token& t = p_.peek();
    if (t.kind == Tok::Keyword) {
      std::string_view k = t.text;
      return k == "i32" || k == "i64" || k == "f32" || k == "f64" || k == "v128" ||
             short_ref_type(k) >= 0;
    }
    return p_.at_lparen_keyword("ref");
  }
  void valtype(Bytes& b, bool storage = false) {
    const Token t = p_.peek();
    if (t.kind == Tok::Keyword) {
      std::string_view k = t.text;
      uint8_t code = 0;
      if (k == "i32") code = 0x7F;
      else if (k == "i64") code = 0x7E;
      else if (k == "f32") code = 0x7D;
      else if (k == "f64") code = 0x7C;
      else if (k == "v128") code = 0x7B;
      else if (storage && k == "i8") code = 0x78;
      else if (storage && k == "i16") code = 0x77;
      if (code) {
        p_.next();
        b.u8(code);
        return;
      }
      if (short_ref_type(k) >= 0) {
        ref_type(b);
        return;
      }
      Parser::fail(t, "unexpected token");
    }
    if (p_.at_lparen_keyword("ref")) {
      ref_type(b);
      return;
    }
    p_.fail_unexpected();
  }

  // (param $x? t) or (param t*) and (result t*) lists. Appends encoded types, counts them and
  // records param names (empty for unnamed) when `names` is given.
  // param_ids: whether a (param $x t) may name its parameter (not in block types and
  // call_indirect, where the spec's grammar has no binder: "unexpected token").
  void params_results(Bytes& params, uint32_t& np, Bytes& results, uint32_t& nr,
                      std::vector<std::string>* names, bool param_ids = true) {
    while (p_.eat_lparen_keyword("param")) {
      if (!param_ids && p_.at(Tok::Id)) p_.fail_unexpected();
      if (auto id = p_.opt_id()) {
        std::string storage;
        if (names) names->emplace_back(Parser::id_name(*id, storage));
        valtype(params);
        ++np;
        p_.expect_rparen();
        continue;
      }
      while (!p_.at(Tok::RParen)) {
        valtype(params);
        ++np;
        if (names) names->emplace_back();
      }
      p_.next();
    }
    while (p_.eat_lparen_keyword("result")) {
      while (!p_.at(Tok::RParen)) {
        valtype(results);
        ++nr;
      }
      p_.next();
    }
  }
  static std::string make_sig(const Bytes& params, uint32_t np, const Bytes& results, uint32_t nr) {
    Bytes s;
    s.u32(np);
    s.append(params);
    s.u32(nr);
    s.append(results);
    return std::string(s.v.begin(), s.v.end());
  }

  // The index of the plain function type with signature `sig`, appending one when none.
  uint32_t implicit_type(const std::string& sig) {
    auto it = plain_funcs_.find(sig);
    if (it != plain_funcs_.end()) return it->second;
    uint32_t idx = uint32_t(type_info_.size());
    TypeInfo info;
    info.plain = true;
    info.sig = sig;
    type_info_.push_back(std::move(info));
    type_sec_.u8(0x60);
    type_sec_.bytes(sig.data(), sig.size());
    ++type_groups_;
    plain_funcs_.emplace(sig, idx);
    return idx;
  }

  // typeuse: (type x)? (param ...)* (result ...)*. Returns the type index; fills param names.
  uint32_t type_use(std::vector<std::string>* names = nullptr, bool param_ids = true) {
    std::optional<uint32_t> explicit_idx;
    Token at = p_.peek();
    if (p_.eat_lparen_keyword("type")) {
      explicit_idx = index(types_);
      p_.expect_rparen();
    }
    Bytes params, results;
    uint32_t np = 0, nr = 0;
    bool inline_sig = p_.at_lparen_keyword("param") || p_.at_lparen_keyword("result");
    params_results(params, np, results, nr, names, param_ids);
    if (explicit_idx) {
      if (inline_sig) {
        if (*explicit_idx >= type_info_.size() ||
            type_info_[*explicit_idx].sig != make_sig(params, np, results, nr))
          Parser::fail(at, "inline function type");
      } else if (names && *explicit_idx < type_info_.size()) {
        const TypeInfo& ti = type_info_[*explicit_idx];
        // Parameters of a type used by index are unnamed; count them for local indices.
        Reader r({reinterpret_cast<const uint8_t*>(ti.sig.data()), ti.sig.size()});
        uint32_t n = r.u32();
        names->assign(n, std::string());
      }
      return *explicit_idx;
    }
    return implicit_type(make_sig(params, np, results, nr));
  }

  // A field type: (mut st) or st. Encodes st then the mutability byte.
  void field_type(Bytes& b) {
    if (p_.eat_lparen_keyword("mut")) {
      valtype(b, true);
      p_.expect_rparen();
      b.u8(1);
    } else {
      valtype(b, true);
      b.u8(0);
    }
  }

  // After '(' type: $id? (sub final? x* comptype) | comptype, then ')'.
  void sub_type(Bytes& b, TypeInfo& info, bool alone) {
    p_.opt_id();
    bool sub = false, final = true;
    std::vector<uint32_t> supers;
    if (p_.eat_lparen_keyword("sub")) {
      sub = true;
      final = p_.eat_keyword("final");
      while (at_index()) supers.push_back(index(types_));
    }
    if (sub) {
      b.u8(final ? 0x4F : 0x50);
      b.u32(supers.size());
      for (uint32_t s : supers) b.u32(s);
    }
    p_.expect_lparen();
    const Token k = p_.peek();
    std::string_view kw = p_.keyword();
    if (kw == "func") {
      Bytes params, results;
      uint32_t np = 0, nr = 0;
      params_results(params, np, results, nr, &info.param_names);
      info.kind = 0x60;
      info.sig = make_sig(params, np, results, nr);
      b.u8(0x60);
      b.bytes(info.sig.data(), info.sig.size());
    } else if (kw == "struct") {
      info.kind = 0x5F;
      Bytes fields;
      uint32_t n = 0;
      while (p_.eat_lparen_keyword("field")) {
        if (auto id = p_.opt_id()) {
          std::string storage;
          std::string key(Parser::id_name(*id, storage));
          if (!info.field_names.emplace(key, n).second) Parser::fail(*id, "duplicate field");
          field_type(fields);
          ++n;
        } else {
          while (!p_.at(Tok::RParen)) {
            field_type(fields);
            ++n;
          }
        }
        p_.expect_rparen();
      }
      b.u8(0x5F);
      b.u32(n);
      b.append(fields);
    } else if (kw == "array") {
      info.kind = 0x5E;
      b.u8(0x5E);
      field_type(b);
    } else {
      Parser::fail(k, "unexpected token");
    }
    p_.expect_rparen();
    if (sub) p_.expect_rparen();
    p_.expect_rparen();
    info.plain = alone && (!sub || (final && supers.empty())) && info.kind == 0x60;
  }

  void type_field(bool rec) {
    p_.expect_lparen();
    p_.next();  // type | rec
    if (!rec) {
      TypeInfo info;
      sub_type(type_sec_, info, true);
      register_type(std::move(info));
      ++type_groups_;
      return;
    }
    Bytes group;
    uint32_t n = 0;
    while (p_.eat_lparen_keyword("type")) {
      TypeInfo info;
      sub_type(group, info, false);
      register_type(std::move(info));
      ++n;
    }
    p_.expect_rparen();
    if (n == 1) {
      // A group of one is the same as a plain definition.
      type_info_.back().plain = type_info_.back().kind == 0x60 && group.v[0] == 0x60;
      if (type_info_.back().plain) plain_funcs_.emplace(type_info_.back().sig, uint32_t(type_info_.size() - 1));
    }
    type_sec_.u8(0x4E);
    type_sec_.u32(n);
    type_sec_.append(group);
    ++type_groups_;
  }
  void register_type(TypeInfo info) {
    uint32_t idx = uint32_t(type_info_.size());
    if (info.plain) plain_funcs_.emplace(info.sig, idx);
    type_info_.push_back(std::move(info));
  }

  // ---- Other fields --------------------------------------------------------------------------

  void inline_exports(uint8_t kind, uint32_t idx) {
    while (p_.eat_lparen_keyword("export")) {
      std::string n = p_.name();
      export_sec_.name(n);
      export_sec_.u8(kind);
      export_sec_.u32(idx);
      ++export_count_;
      p_.expect_rparen();
    }
  }
  // Inline (import "m" "n"): writes the import header and returns true.
  bool inline_import() {
    if (!p_.eat_lparen_keyword("import")) return false;
    std::string m = p_.name();
    std::string n = p_.name();
    p_.expect_rparen();
    import_sec_.name(m);
    import_sec_.name(n);
    ++import_count_;
    return true;
  }

  void limits(Bytes& b, bool is64, bool allow_shared, bool memory) {
    // A memory's limits are u64 in the 3.0 binary format whatever its address type (the
    // validator bounds an i32 memory to 65536 pages); a table's follow its address type.
    uint64_t max_val = is64 || memory ? UINT64_MAX : 0xFFFFFFFFull;
    uint64_t min = p_.unsigned_literal(max_val);
    std::optional<uint64_t> max;
    if (p_.at_u32()) max = p_.unsigned_literal(max_val);
    bool shared = allow_shared && p_.eat_keyword("shared");
    std::optional<uint32_t> page_log2;
    if (memory && p_.eat_lparen_keyword("pagesize")) {
      const Token t = p_.peek();
      uint64_t ps = p_.u64();
      if (ps == 0 || (ps & (ps - 1))) Parser::fail(t, "invalid custom page size");
      page_log2 = uint32_t(__builtin_ctzll(ps));
      p_.expect_rparen();
    }
    uint8_t flags = (max ? 1 : 0) | (shared ? 2 : 0) | (is64 ? 4 : 0) | (page_log2 ? 8 : 0);
    b.u8(flags);
    b.u32(min);
    if (max) b.u32(*max);
    if (page_log2) b.u32(*page_log2);
  }

  void other_field(FieldKind kind) {
    if (kind == FieldKind::Custom) return custom_field();
    p_.expect_lparen();
    p_.next();
    switch (kind) {
      case FieldKind::Func: return func_field();
      case FieldKind::Table: return table_field();
      case FieldKind::Memory: return memory_field();
      case FieldKind::Global: return global_field();
      case FieldKind::Tag: return tag_field();
      case FieldKind::Import: return import_field();
      case FieldKind::Export: return export_field();
      case FieldKind::Start: {
        start_ = index(funcs_);
        p_.expect_rparen();
        return;
      }
      case FieldKind::Elem: return elem_field();
      case FieldKind::Data: return data_field();
      default: return;
    }
  }

  void custom_field() {
    const Token open = p_.next();
    const Token t = p_.peek();
    if (t.kind != Tok::String) Parser::fail(t, "@custom annotation: missing section name");
    std::string name = p_.name();
    Custom c;
    c.name = name;
    c.place = customs_place();
    while (p_.at(Tok::String)) c.data += p_.string();
    p_.expect_rparen();
    (void)open;
    customs_.push_back(std::move(c));
  }
  // (before|after section)? -> section id the custom goes after (0 = start, 255 = end).
  int customs_place() {
    if (!p_.at(Tok::LParen)) return 255;
    p_.next();
    std::string_view where = p_.keyword();
    std::string_view sec = p_.keyword();
    p_.expect_rparen();
    static const std::pair<std::string_view, int> kSec[] = {
        {"type", 1}, {"import", 2}, {"func", 3}, {"table", 4}, {"memory", 5}, {"global", 6},
        {"export", 7}, {"start", 8}, {"elem", 9}, {"code", 10}, {"data", 11}, {"datacount", 12},
        {"tag", 13}};
    int id = -1;
    for (auto& [n, i] : kSec)
      if (sec == n) id = i;
    if (id < 0) p_.fail_here("@custom annotation: malformed section kind");
    if (where == "after") return id;
    if (where == "before") return -id;
    p_.fail_here("@custom annotation: malformed placement");
  }

  void func_field() {
    uint32_t idx = func_index_++;
    auto id = p_.opt_id();
    record_name(func_names_, idx, id);
    inline_exports(0, idx);
    if (inline_import()) {
      import_sec_.u8(0);
      import_sec_.u32(type_use());
      p_.expect_rparen();
      return;
    }
    std::vector<std::string> names;
    uint32_t type = type_use(&names);
    func_sec_.u32(type);
    ++func_count_;
    function_body(idx, names);
  }

  void record_name(std::vector<std::pair<uint32_t, std::string>>& out, uint32_t idx,
                   const std::optional<Token>& id) {
    if (!opts_.names || !id) return;
    std::string storage;
    out.emplace_back(idx, std::string(Parser::id_name(*id, storage)));
  }

  void table_field() {
    uint32_t idx = table_index_++;
    p_.opt_id();
    inline_exports(1, idx);
    if (inline_import()) {
      import_sec_.u8(1);
      table_type(import_sec_);
      p_.expect_rparen();
      return;
    }
    bool is64 = p_.eat_keyword("i64");
    if (!is64) p_.eat_keyword("i32");
    if (!p_.at_u32()) {
      // (table i64? reftype (elem ...)): limits from the element count, and an active segment.
      Bytes rt;
      ref_type(rt);
      p_.expect_lparen();
      p_.expect_keyword("elem");
      Bytes items;
      uint32_t n = 0;
      bool exprs = elem_items(items, n, !at_index());
      p_.expect_rparen();
      p_.expect_rparen();
      table_sec_.append(rt);
      table_sec_.u8(is64 ? 5 : 1);
      table_sec_.u32(n);
      table_sec_.u32(n);
      ++table_count_;
      Bytes offset;
      offset.u8(is64 ? 0x42 : 0x41);
      offset.u8(0);
      offset.u8(0x0B);
      write_elem_segment(idx, &offset, false, rt, exprs, items, n);
      return;
    }
    Bytes lim;
    limits(lim, is64, false, false);
    Bytes rt;
    ref_type(rt);
    if (!p_.at(Tok::RParen)) {
      table_sec_.u8(0x40);
      table_sec_.u8(0x00);
      table_sec_.append(rt);
      table_sec_.append(lim);
      const_expr(table_sec_);
    } else {
      table_sec_.append(rt);
      table_sec_.append(lim);
    }
    ++table_count_;
    p_.expect_rparen();
  }
  void table_type(Bytes& b) {
    bool is64 = p_.eat_keyword("i64");
    if (!is64) p_.eat_keyword("i32");
    Bytes lim;
    limits(lim, is64, false, false);
    ref_type(b);
    b.append(lim);
  }

  void memory_field() {
    uint32_t idx = mem_index_++;
    p_.opt_id();
    inline_exports(2, idx);
    if (inline_import()) {
      import_sec_.u8(2);
      memory_type(import_sec_);
      p_.expect_rparen();
      return;
    }
    bool is64 = p_.eat_keyword("i64");
    if (!is64) p_.eat_keyword("i32");
    std::optional<uint32_t> page_log2;
    if (p_.at_lparen_keyword("pagesize") && !p_.at_u32()) {
      p_.next();
      p_.next();
      uint64_t ps = p_.u64();
      if (ps == 0 || (ps & (ps - 1))) p_.fail_here("invalid custom page size");
      page_log2 = uint32_t(__builtin_ctzll(ps));
      p_.expect_rparen();
    }
    if (p_.eat_lparen_keyword("data")) {
      std::string bytes;
      while (p_.at(Tok::String)) bytes += p_.string();
      p_.expect_rparen();
      uint64_t page = page_log2 ? (uint64_t(1) << *page_log2) : 65536;
      uint64_t pages = (bytes.size() + page - 1) / page;
      mem_sec_.u8(uint8_t(1 | (is64 ? 4 : 0) | (page_log2 ? 8 : 0)));
      mem_sec_.u32(pages);
      mem_sec_.u32(pages);
      if (page_log2) mem_sec_.u32(*page_log2);
      ++mem_count_;
      Bytes offset;
      offset.u8(is64 ? 0x42 : 0x41);
      offset.u8(0);
      offset.u8(0x0B);
      write_data_segment(idx, &offset, bytes);
      p_.expect_rparen();
      return;
    }
    limits(mem_sec_, is64, true, true);
    ++mem_count_;
    p_.expect_rparen();
  }
  void memory_type(Bytes& b) {
    bool is64 = p_.eat_keyword("i64");
    if (!is64) p_.eat_keyword("i32");
    limits(b, is64, true, true);
  }

  void global_type(Bytes& b) {
    if (p_.eat_lparen_keyword("mut")) {
      valtype(b);
      p_.expect_rparen();
      b.u8(1);
    } else {
      valtype(b);
      b.u8(0);
    }
  }

  void global_field() {
    uint32_t idx = global_index_++;
    auto id = p_.opt_id();
    record_name(global_names_, idx, id);
    inline_exports(3, idx);
    if (inline_import()) {
      import_sec_.u8(3);
      global_type(import_sec_);
      p_.expect_rparen();
      return;
    }
    global_type(global_sec_);
    const_expr(global_sec_);
    ++global_count_;
    p_.expect_rparen();
  }

  void tag_field() {
    uint32_t idx = tag_index_++;
    p_.opt_id();
    inline_exports(4, idx);
    if (inline_import()) {
      import_sec_.u8(4);
      import_sec_.u8(0);
      import_sec_.u32(type_use());
      p_.expect_rparen();
      return;
    }
    tag_sec_.u8(0);
    tag_sec_.u32(type_use());
    ++tag_count_;
    p_.expect_rparen();
  }

  void import_field() {
    std::string m = p_.name();
    std::string n = p_.name();
    import_sec_.name(m);
    import_sec_.name(n);
    ++import_count_;
    p_.expect_lparen();
    std::string_view k = p_.keyword();
    auto id = p_.opt_id();
    if (k == "func") {
      record_name(func_names_, func_index_, id);
      ++func_index_;
      import_sec_.u8(0);
      import_sec_.u32(type_use());
    } else if (k == "table") {
      ++table_index_;
      import_sec_.u8(1);
      table_type(import_sec_);
    } else if (k == "memory") {
      ++mem_index_;
      import_sec_.u8(2);
      memory_type(import_sec_);
    } else if (k == "global") {
      record_name(global_names_, global_index_, id);
      ++global_index_;
      import_sec_.u8(3);
      global_type(import_sec_);
    } else {
      ++tag_index_;
      import_sec_.u8(4);
      import_sec_.u8(0);
      import_sec_.u32(type_use());
    }
    p_.expect_rparen();
    p_.expect_rparen();
  }

  void export_field() {
    std::string n = p_.name();
    p_.expect_lparen();
    std::string_view k = p_.keyword();
    uint8_t kind = k == "func" ? 0 : k == "table" ? 1 : k == "memory" ? 2 : k == "global" ? 3
                 : k == "tag" ? 4 : 0xFF;
    if (kind == 0xFF) p_.fail_unexpected();
    uint32_t idx = index(space_of(k));
    p_.expect_rparen();
    p_.expect_rparen();
    export_sec_.name(n);
    export_sec_.u8(kind);
    export_sec_.u32(idx);
    ++export_count_;
  }

  // Element list items: `func? funcidx*` (exprs=false) or `(item expr)`/`(instr)` exprs.
  // Returns whether the items are expressions; `items` holds indices or expressions.
  bool elem_items(Bytes& items, uint32_t& n, bool exprs) {
    if (!exprs) {
      while (at_index()) {
        items.u32(index(funcs_));
        ++n;
      }
      return false;
    }
    while (p_.at(Tok::LParen)) {
      if (p_.eat_lparen_keyword("item")) {
        instr_seq_const(items);
        p_.expect_rparen();
      } else {
        folded_const(items);
      }
      items.u8(0x0B);
      ++n;
    }
    return true;
  }

  void elem_field() {
    uint32_t idx = elem_index_++;
    p_.opt_id();
    bool declare = p_.eat_keyword("declare");
    std::optional<uint32_t> table;
    Bytes offset;
    bool active = false;
    if (!declare) {
      if (p_.eat_lparen_keyword("table")) {
        table = index(tables_);
        p_.expect_rparen();
      } else if (at_index()) {
        table = index(tables_);  // legacy: (elem 0 (offset) ...)
      }
      if (p_.eat_lparen_keyword("offset")) {
        instr_seq_const(offset);
        p_.expect_rparen();
        active = true;
      } else if (p_.at(Tok::LParen) && !p_.at_lparen_keyword("item") &&
                 !p_.at_lparen_keyword("ref")) {
        folded_const(offset);
        active = true;
      }
      offset.u8(0x0B);
    }
    (void)idx;
    Bytes rt;
    Bytes items;
    uint32_t n = 0;
    bool exprs;
    if (p_.eat_keyword("func")) {
      rt.u8(0x70);
      exprs = elem_items(items, n, false);
    } else if (at_valtype() && !p_.at(Tok::Number)) {
      ref_type(rt);
      exprs = elem_items(items, n, true);
    } else {
      // Legacy abbreviation: (elem (offset) funcidx*).
      rt.u8(0x70);
      exprs = elem_items(items, n, false);
    }
    p_.expect_rparen();
    write_elem_segment(table.value_or(0), active ? &offset : nullptr, declare, rt, exprs, items,
                       n, table.has_value());
  }

  void write_elem_segment(uint32_t table, const Bytes* offset, bool declare, const Bytes& rt,
                          bool exprs, const Bytes& items, uint32_t n, bool explicit_table = false) {
    bool funcref = rt.v.size() == 1 && rt.v[0] == 0x70;
    // funcref items that are all `ref.func x` use the index form, as wat2wasm writes them.
    Bytes indices;
    if (exprs && funcref && only_ref_funcs(items, indices)) return write_elem_segment(
        table, offset, declare, rt, false, indices, n, explicit_table);
    uint8_t flags = exprs ? 4 : 0;
    if (!offset) flags |= declare ? 3 : 1;
    else if (table != 0 || !funcref) flags |= 2;
    (void)explicit_table;
    elem_sec_.u32(flags);
    if (offset && (flags & 2)) elem_sec_.u32(table);
    if (offset) elem_sec_.append(*offset);
    if (flags & 3) {
      if (exprs) elem_sec_.append(rt);
      else elem_sec_.u8(0x00);
    }
    elem_sec_.u32(n);
    elem_sec_.append(items);
    ++elem_count_;
  }

  static bool only_ref_funcs(const Bytes& items, Bytes& indices) {
    size_t i = 0;
    while (i < items.v.size()) {
      if (items.v[i++] != 0xD2) return false;
      size_t start = i;
      while (i < items.v.size() && (items.v[i] & 0x80)) ++i;
      if (++i >= items.v.size() || items.v[i] != 0x0B) return false;
      indices.bytes(items.v.data() + start, i - start);
      ++i;
    }
    return true;
  }

  void data_field() {
    p_.opt_id();
    std::optional<uint32_t> mem;
    Bytes offset;
    bool active = false;
    if (p_.eat_lparen_keyword("memory")) {
      mem = index(mems_);
      p_.expect_rparen();
    } else if (at_index()) {
      mem = index(mems_);  // legacy: (data 0 (offset) ...)
    }
    if (p_.eat_lparen_keyword("offset")) {
      instr_seq_const(offset);
      p_.expect_rparen();
      active = true;
    } else if (p_.at(Tok::LParen)) {
      folded_const(offset);
      active = true;
    }
    offset.u8(0x0B);
    std::string bytes;
    while (p_.at(Tok::String)) bytes += p_.string();
    p_.expect_rparen();
    write_data_segment(mem.value_or(0), active ? &offset : nullptr, bytes);
  }
  void write_data_segment(uint32_t mem, const Bytes* offset, const std::string& bytes) {
    if (!offset) data_sec_.u8(1);
    else if (mem == 0) data_sec_.u8(0);
    else {
      data_sec_.u8(2);
      data_sec_.u32(mem);
    }
    if (offset) data_sec_.append(*offset);
    data_sec_.name(bytes);
    ++data_count_;
  }

  // ---- Function bodies and instructions ------------------------------------------------------

  void function_body(uint32_t func_idx, const std::vector<std::string>& param_names) {
    locals_.clear();
    local_storage_.clear();
    for (const std::string& n : param_names) {
      local_storage_.push_back(n);
      locals_.push_back({local_storage_.back()});
    }
    Bytes decls;
    uint32_t runs = 0;
    Bytes last;
    uint32_t run = 0;
    auto flush = [&] {
      if (run) {
        decls.u32(run);
        decls.append(last);
        ++runs;
      }
    };
    while (p_.eat_lparen_keyword("local")) {
      auto add = [&](std::string_view name) {
        Bytes t;
        valtype(t);
        if (run && t.v == last.v) {
          ++run;
        } else {
          flush();
          last = std::move(t);
          run = 1;
        }
        local_storage_.emplace_back(name);
        locals_.push_back({local_storage_.back()});
      };
      if (auto id = p_.opt_id()) {
        std::string storage;
        add(Parser::id_name(*id, storage));
      } else {
        while (!p_.at(Tok::RParen)) add({});
      }
      p_.expect_rparen();
    }
    flush();
    check_duplicate_locals();
    body_.clear();
    body_.u32(runs);
    body_.append(decls);
    labels_.clear();
    instr_seq(body_);
    body_.u8(0x0B);
    p_.expect_rparen();
    code_sec_.sized(body_);
    if (opts_.names) {
      std::vector<std::pair<uint32_t, std::string>> names;
      for (uint32_t i = 0; i < locals_.size(); ++i)
        if (!locals_[i].name.empty()) names.emplace_back(i, std::string(locals_[i].name));
      if (!names.empty()) local_names_.emplace_back(func_idx, std::move(names));
    }
  }
  void check_duplicate_locals() {
    for (size_t i = 0; i < locals_.size(); ++i)
      for (size_t j = 0; j < i && !locals_[i].name.empty(); ++j)
        if (locals_[j].name == locals_[i].name) p_.fail_here("duplicate local");
  }

  uint32_t local_index() {
    const Token t = p_.peek();
    if (t.kind == Tok::Id) {
      p_.next();
      std::string storage;
      std::string_view name = Parser::id_name(t, storage);
      for (size_t i = 0; i < locals_.size(); ++i)
        if (locals_[i].name == name) return uint32_t(i);
      Parser::fail(t, "unknown local " + std::string(t.text));
    }
    return p_.u32();
  }
  uint32_t label_index() {
    const Token t = p_.peek();
    if (t.kind == Tok::Id) {
      p_.next();
      std::string storage;
      std::string_view name = Parser::id_name(t, storage);
      for (size_t i = labels_.size(); i-- > 0;)
        if (labels_[i].name == name) return uint32_t(labels_.size() - 1 - i);
      Parser::fail(t, "unknown label");
    }
    return p_.u32();
  }
  std::string_view opt_label() {
    if (auto id = p_.opt_id()) {
      std::string storage;
      std::string_view name = Parser::id_name(*id, storage);
      if (storage.empty()) return name;
      label_storage_.push_back(std::move(storage));
      return label_storage_.back();
    }
    return {};
  }
  void end_label(std::string_view label) {
    if (auto id = p_.opt_id()) {
      std::string storage;
      if (Parser::id_name(*id, storage) != label) Parser::fail(*id, "mismatching label");
    }
  }

  // Block type: (type x)? (param)* (result)*; a single result or none encodes as a value type.
  void block_type(Bytes& b) {
    bool has_type = p_.at_lparen_keyword("type");
    bool has_param = p_.at_lparen_keyword("param");
    if (!has_type && !has_param) {
      Bytes results;
      uint32_t nr = 0;
      LexPos m = p_.mark();
      while (p_.eat_lparen_keyword("result")) {
        while (!p_.at(Tok::RParen)) {
          valtype(results);
          ++nr;
        }
        p_.next();
      }
      if (nr == 0) return b.u8(0x40);
      if (nr == 1) return b.append(results);
      p_.reset(m);
    }
    uint32_t idx = type_use(nullptr, false);
    // A type without parameters and with at most one result takes the short form, as
    // wat2wasm writes it.
    if (idx < type_info_.size() && type_info_[idx].kind == 0x60) {
      const std::string& sig = type_info_[idx].sig;
      if (sig.size() >= 2 && sig[0] == 0 && sig[1] == 0) return b.u8(0x40);
      if (sig.size() >= 2 && sig[0] == 0 && sig[1] == 1)
        return b.bytes(sig.data() + 2, sig.size() - 2);
    }
    b.s64(idx);
  }

  bool at_block_end() {
    const Token& t = p_.peek();
    if (t.kind == Tok::RParen || t.kind == Tok::Eof) return true;
    if (t.kind != Tok::Keyword) return false;
    std::string_view k = t.text;
    return k == "end" || k == "else" || k == "catch" || k == "catch_all" || k == "delegate";
  }

  // Instructions until a block end, ')' or end of input.
  void instr_seq(Bytes& b) {
    while (!at_block_end()) {
      if (p_.at(Tok::LParen)) folded(b);
      else plain(b);
    }
  }
  void instr_seq_const(Bytes& b) {
    labels_.clear();
    locals_.clear();
    instr_seq(b);
  }
  void folded_const(Bytes& b) {
    labels_.clear();
    locals_.clear();
    folded(b);
  }
  void const_expr(Bytes& b) {
    instr_seq_const(b);
    b.u8(0x0B);
  }

  Op lookup(const Token& t) {
    if (t.kind != Tok::Keyword) p_.fail_unexpected();
    const auto& m = text_opcodes();
    auto it = m.find(t.text);
    if (it == m.end()) Parser::fail(t, "unknown operator");
    return it->second;
  }
  static void put_op(Bytes& b, Op op) {
    const OpInfo& info = op_info(op);
    if (info.prefix) {
      b.u8(info.prefix);
      b.u32(info.code);
    } else {
      b.u8(uint8_t(info.code));
    }
  }

  void folded(Bytes& b) {
    Parser::DepthGuard guard(p_);
    p_.expect_lparen();
    const Token t = p_.peek();
    if (t.kind != Tok::Keyword) p_.fail_unexpected();
    std::string_view k = t.text;
    if (k == "block" || k == "loop") {
      p_.next();
      std::string_view label = opt_label();
      b.u8(k == "block" ? 0x02 : 0x03);
      block_type(b);
      labels_.push_back({label});
      instr_seq(b);
      labels_.pop_back();
      b.u8(0x0B);
      p_.expect_rparen();
      return;
    }
    if (k == "if") {
      p_.next();
      std::string_view label = opt_label();
      Bytes bt;
      block_type(bt);
      while (!p_.at_lparen_keyword("then")) {
        if (!p_.at(Tok::LParen)) p_.fail_unexpected();
        folded(b);
      }
      b.u8(0x04);
      b.append(bt);
      labels_.push_back({label});
      p_.next();
      p_.next();
      instr_seq(b);
      p_.expect_rparen();
      if (p_.eat_lparen_keyword("else")) {
        else_branch(b);
        p_.expect_rparen();
      }
      labels_.pop_back();
      b.u8(0x0B);
      p_.expect_rparen();
      return;
    }
    if (k == "try") {
      p_.next();
      std::string_view label = opt_label();
      b.u8(0x06);
      block_type(b);
      labels_.push_back({label});
      if (!p_.eat_lparen_keyword("do")) p_.fail_unexpected();
      instr_seq(b);
      p_.expect_rparen();
      while (true) {
        if (p_.eat_lparen_keyword("catch")) {
          b.u8(0x07);
          b.u32(index(tags_));
        } else if (p_.eat_lparen_keyword("catch_all")) {
          b.u8(0x19);
        } else if (p_.eat_lparen_keyword("delegate")) {
          labels_.pop_back();
          b.u8(0x18);
          b.u32(label_index());
          p_.expect_rparen();
          p_.expect_rparen();
          return;
        } else {
          break;
        }
        instr_seq(b);
        p_.expect_rparen();
      }
      labels_.pop_back();
      b.u8(0x0B);
      p_.expect_rparen();
      return;
    }
    if (k == "try_table") {
      p_.next();
      std::string_view label = opt_label();
      b.u8(0x1F);
      block_type(b);
      catch_clauses(b);
      labels_.push_back({label});
      instr_seq(b);
      labels_.pop_back();
      b.u8(0x0B);
      p_.expect_rparen();
      return;
    }
    // (op immediates folded*): operands first, then the operator.
    p_.next();
    Op op = lookup(t);
    Bytes imm;
    op = immediates(op, imm, t);
    while (p_.at(Tok::LParen)) folded(b);
    put_op(b, op);
    b.append(imm);
    p_.expect_rparen();
  }

  // An empty else branch is left out, as wat2wasm does (the same module either way).
  void else_branch(Bytes& b) {
    size_t at = b.size();
    b.u8(0x05);
    instr_seq(b);
    if (b.size() == at + 1) b.v.pop_back();
  }

  void catch_clauses(Bytes& b) {
    Bytes clauses;
    uint32_t n = 0;
    while (true) {
      if (p_.eat_lparen_keyword("catch")) {
        clauses.u8(0);
        clauses.u32(index(tags_));
      } else if (p_.eat_lparen_keyword("catch_ref")) {
        clauses.u8(1);
        clauses.u32(index(tags_));
      } else if (p_.eat_lparen_keyword("catch_all")) {
        clauses.u8(2);
      } else if (p_.eat_lparen_keyword("catch_all_ref")) {
        clauses.u8(3);
      } else {
        break;
      }
      clauses.u32(label_index());
      p_.expect_rparen();
      ++n;
    }
    b.u32(n);
    b.append(clauses);
  }

  void plain(Bytes& b) {
    const Token t = p_.peek();
    if (t.kind != Tok::Keyword) p_.fail_unexpected();
    std::string_view k = t.text;
    if (k == "block" || k == "loop" || k == "if" || k == "try" || k == "try_table") {
      Parser::DepthGuard guard(p_);
      p_.next();
      std::string_view label = opt_label();
      b.u8(k == "block" ? 0x02 : k == "loop" ? 0x03 : k == "if" ? 0x04 : k == "try" ? 0x06 : 0x1F);
      block_type(b);
      if (k == "try_table") catch_clauses(b);
      labels_.push_back({label});
      instr_seq(b);
      if (k == "if" && p_.eat_keyword("else")) {
        end_label(label);
        else_branch(b);
      }
      if (k == "try") {
        while (true) {
          if (p_.eat_keyword("catch")) {
            end_label(label);
            b.u8(0x07);
            b.u32(index(tags_));
          } else if (p_.eat_keyword("catch_all")) {
            end_label(label);
            b.u8(0x19);
          } else {
            break;
          }
          instr_seq(b);
        }
        if (p_.eat_keyword("delegate")) {
          labels_.pop_back();
          b.u8(0x18);
          b.u32(label_index());
          return;
        }
      }
      labels_.pop_back();
      p_.expect_keyword("end");
      end_label(label);
      b.u8(0x0B);
      return;
    }
    p_.next();
    Op op = lookup(t);
    Bytes imm;
    op = immediates(op, imm, t);
    put_op(b, op);
    b.append(imm);
  }

  static uint32_t natural_align_log2(Op op) {
    uint8_t bytes = op_info(op).extra;
    uint32_t l = 0;
    while ((1u << l) < bytes) ++l;
    return l;
  }

  void memarg(Bytes& b, Op op, bool lane) {
    uint32_t mem = 0;
    if (p_.at(Tok::Id)) {
      mem = index(mems_);
    } else if (p_.at_u32()) {
      // With a lane index to follow, a number is the memory only when more follows it.
      const Token& after = p_.peek2();
      bool more = after.kind == Tok::Number ||
                  (after.kind == Tok::Keyword && (after.text.substr(0, 7) == "offset=" ||
                                                  after.text.substr(0, 6) == "align="));
      if (!lane || more) mem = index(mems_);
    }
    uint64_t offset = 0;
    uint32_t align = natural_align_log2(op);
    if (p_.at(Tok::Keyword) && p_.peek().text.substr(0, 7) == "offset=") {
      const Token t = p_.next();
      bool range = false;
      if (!parse_unsigned(t.text.substr(7), UINT64_MAX, &offset, &range)) Parser::fail(t, "unknown operator");
      if (range) Parser::fail(t, "constant out of range");
    }
    if (p_.at(Tok::Keyword) && p_.peek().text.substr(0, 6) == "align=") {
      const Token t = p_.next();
      uint64_t a = 0;
      bool range = false;
      if (!parse_unsigned(t.text.substr(6), 0xFFFFFFFF, &a, &range) || range)
        Parser::fail(t, "unknown operator");
      if (a == 0 || (a & (a - 1))) Parser::fail(t, "alignment must be a power of two");
      align = uint32_t(__builtin_ctzll(a));
    }
    if (mem != 0) {
      b.u32(align | 0x40);
      b.u32(mem);
    } else {
      b.u32(align);
    }
    b.u32(offset);
  }

  uint8_t lane_index() {
    const Token t = p_.peek();
    uint64_t v = 0;
    bool range = false;
    if (t.kind != Tok::Number || !parse_unsigned(t.text, 255, &v, &range) || range)
      Parser::fail(t, "malformed lane index");
    p_.next();
    return uint8_t(v);
  }

  uint32_t field_index(uint32_t type) {
    const Token t = p_.peek();
    if (t.kind == Tok::Id) {
      p_.next();
      std::string storage;
      std::string key(Parser::id_name(t, storage));
      if (type < type_info_.size()) {
        auto it = type_info_[type].field_names.find(key);
        if (it != type_info_[type].field_names.end()) return it->second;
      }
      Parser::fail(t, "unknown field " + std::string(t.text));
    }
    return p_.u32();
  }

  // Encodes the immediates of `op` into `b`; returns the opcode (refined for select,
  // ref.test and ref.cast, whose binary form depends on their immediates).
  Op immediates(Op op, Bytes& b, const Token& t) {
    Imm kind = op_info(op).imm;
    if (kind == Imm::MemoryInit || kind == Imm::Data || kind == Imm::TypeData) data_refs_ = true;
    switch (kind) {
      case Imm::None: break;
      case Imm::BlockType: block_type(b); break;
      case Imm::Label: b.u32(label_index()); break;
      case Imm::BrTable: {
        std::vector<uint32_t> ls;
        while (p_.at(Tok::Id) || p_.at_u32()) ls.push_back(label_index());
        if (ls.empty()) p_.fail_unexpected();
        b.u32(ls.size() - 1);
        for (uint32_t l : ls) b.u32(l);
        break;
      }
      case Imm::Func: b.u32(index(funcs_)); break;
      case Imm::CallIndirect: {
        uint32_t table = opt_index(tables_);
        b.u32(type_use(nullptr, false));
        b.u32(table);
        break;
      }
      case Imm::Local: b.u32(local_index()); break;
      case Imm::Global: b.u32(index(globals_)); break;
      case Imm::Table: b.u32(opt_index(tables_)); break;
      case Imm::Memory: b.u32(opt_index(mems_)); break;
      case Imm::MemArg: memarg(b, op, false); break;
      case Imm::MemArgLane:
        memarg(b, op, true);
        b.u8(lane_index());
        break;
      case Imm::I32: b.s64(int32_t(p_.i32())); break;
      case Imm::I64: b.s64(int64_t(p_.i64())); break;
      case Imm::F32: b.fixed(p_.f32(), 4); break;
      case Imm::F64: b.fixed(p_.f64(), 8); break;
      case Imm::V128: {
        auto v = p_.v128();
        b.bytes(v.data(), 16);
        break;
      }
      case Imm::Shuffle:
        for (int i = 0; i < 16; ++i) {
          if (!p_.at(Tok::Number)) p_.fail_here("invalid lane length");
          b.u8(lane_index());
        }
        if (p_.at(Tok::Number)) p_.fail_here("invalid lane length");
        break;
      case Imm::Lane: b.u8(lane_index()); break;
      case Imm::SelectTypes: break;
      case Imm::RefType: put_heap_type(b, heap_type()); break;
      case Imm::MemoryInit: {
        uint32_t first = index(datas_is_next() ? datas_ : mems_);
        if (at_index()) {
          uint32_t data = index(datas_);
          b.u32(data);
          b.u32(first);
        } else {
          b.u32(first);
          b.u32(0);
        }
        break;
      }
      case Imm::Data: b.u32(index(datas_)); break;
      case Imm::Elem: b.u32(index(elems_)); break;
      case Imm::MemoryCopy: {
        uint32_t d = opt_index(mems_);
        uint32_t s = opt_index(mems_);
        b.u32(d);
        b.u32(s);
        break;
      }
      case Imm::TableInit: {
        // table.init x? y: with two indices the first is the table.
        LexPos m = p_.mark();
        p_.next();
        bool two = at_index();
        p_.reset(m);
        uint32_t table = two ? index(tables_) : 0;
        b.u32(index(elems_));
        b.u32(table);
        break;
      }
      case Imm::TableCopy: {
        uint32_t d = opt_index(tables_);
        uint32_t s = opt_index(tables_);
        b.u32(d);
        b.u32(s);
        break;
      }
      case Imm::Tag: b.u32(index(tags_)); break;
      case Imm::TryTable: break;  // handled with the blocks
      case Imm::TypeIdx: b.u32(index(types_)); break;
      case Imm::TypeField: {
        uint32_t type = index(types_);
        b.u32(type);
        b.u32(field_index(type));
        break;
      }
      case Imm::TypeCount:
        b.u32(index(types_));
        b.u32(p_.u32());
        break;
      case Imm::TypeData:
        b.u32(index(types_));
        b.u32(index(datas_));
        break;
      case Imm::TypeElem:
        b.u32(index(types_));
        b.u32(index(elems_));
        break;
      case Imm::TypeType:
        b.u32(index(types_));
        b.u32(index(types_));
        break;
      case Imm::HeapType: {
        bool nullable = false;
        int64_t ht = ref_type_heap(nullable);
        if (nullable) op = Op(uint16_t(op) + 1);  // RefTestNull / RefCastNull follow
        b.s64(ht);
        break;
      }
      case Imm::BrOnCast: {
        uint32_t label = label_index();
        bool n1 = false, n2 = false;
        int64_t h1 = ref_type_heap(n1);
        int64_t h2 = ref_type_heap(n2);
        b.u8(uint8_t((n1 ? 1 : 0) | (n2 ? 2 : 0)));
        b.u32(label);
        b.s64(h1);
        b.s64(h2);
        break;
      }
      case Imm::ZeroByte: b.u8(0); break;
    }
    if (op == Op::Select && p_.at_lparen_keyword("result")) {
      Bytes types;
      uint32_t n = 0;
      while (p_.eat_lparen_keyword("result")) {
        while (!p_.at(Tok::RParen)) {
          valtype(types);
          ++n;
        }
        p_.next();
      }
      b.u32(n);
      b.append(types);
      op = Op::SelectT;
    }
    (void)t;
    return op;
  }
  // memory.init: `memory.init mem? data`; the first index is the memory only when two follow.
  bool datas_is_next() {
    LexPos m = p_.mark();
    p_.next();
    bool two = at_index();
    p_.reset(m);
    return !two;
  }

  // ---- Assembly ------------------------------------------------------------------------------

  void section(Bytes& out, uint8_t id, const Bytes& body, uint32_t count) {
    place_customs(out, -int(id));
    Bytes content;
    content.u32(count);
    content.append(body);
    out.u8(id);
    out.sized(content);
    place_customs(out, int(id));
  }
  void place_customs(Bytes& out, int place) {
    for (const Custom& c : customs_)
      if (c.place == place) {
        Bytes content;
        content.name(c.name);
        content.bytes(c.data.data(), c.data.size());
        out.u8(0);
        out.sized(content);
      }
  }

  std::vector<uint8_t> assemble() {
    Bytes out;
    out.bytes("\0asm\1\0\0\0", 8);
    if (type_groups_) section(out, 1, type_sec_, type_groups_);
    if (import_count_) section(out, 2, import_sec_, import_count_);
    if (func_count_) section(out, 3, func_sec_, func_count_);
    if (table_count_) section(out, 4, table_sec_, table_count_);
    if (mem_count_) section(out, 5, mem_sec_, mem_count_);
    if (tag_count_) section(out, 13, tag_sec_, tag_count_);
    if (global_count_) section(out, 6, global_sec_, global_count_);
    if (export_count_) section(out, 7, export_sec_, export_count_);
    if (start_) {
      Bytes s;
      s.u32(*start_);
      place_customs(out, -8);
      out.u8(8);
      out.sized(s);
      place_customs(out, 8);
    }
    if (elem_count_) section(out, 9, elem_sec_, elem_count_);
    if (data_count_ && uses_data_count()) {
      Bytes s;
      s.u32(data_count_);
      out.u8(12);
      out.sized(s);
    }
    if (func_count_) section(out, 10, code_sec_, func_count_);
    if (data_count_) section(out, 11, data_sec_, data_count_);
    place_customs(out, 255);
    if (opts_.names) name_section(out);
    return std::move(out.v);
  }
  // The data count section is needed when code refers to data segments (memory.init,
  // data.drop, array.new_data, array.init_data); wat2wasm emits it in that case only.
  bool uses_data_count() const { return data_refs_; }

  void name_section(Bytes& out) {
    Bytes content;
    content.name("name");
    bool any = false;
    if (module_id_) {
      std::string storage;
      Bytes sub;
      sub.name(Parser::id_name(*module_id_, storage));
      content.u8(0);
      content.sized(sub);
      any = true;
    }
    if (!func_names_.empty()) {
      Bytes sub;
      sub.u32(func_names_.size());
      for (auto& [i, n] : func_names_) {
        sub.u32(i);
        sub.name(n);
      }
      content.u8(1);
      content.sized(sub);
      any = true;
    }
    if (!local_names_.empty()) {
      Bytes sub;
      sub.u32(local_names_.size());
      for (auto& [f, names] : local_names_) {
        sub.u32(f);
        sub.u32(names.size());
        for (auto& [i, n] : names) {
          sub.u32(i);
          sub.name(n);
        }
      }
      content.u8(2);
      content.sized(sub);
      any = true;
    }
    if (!global_names_.empty()) {
      Bytes sub;
      sub.u32(global_names_.size());
      for (auto& [i, n] : global_names_) {
        sub.u32(i);
        sub.name(n);
      }
      content.u8(7);
      content.sized(sub);
      any = true;
    }
    if (!any) return;
    out.u8(0);
    out.sized(content);
  }

  struct Custom {
    std::string name;
    std::string data;
    int place = 255;
  };

  Parser& p_;
  EncodeOptions opts_;
  std::optional<Token> module_id_;
  std::vector<Field> fields_;
  LexPos end_;
  bool has_start_ = false;
  bool data_refs_ = false;  // code names a data segment: emit the data count section
  const char* first_def_ = nullptr;

  Space types_{"type"}, funcs_{"func"}, tables_{"table"}, mems_{"memory"}, globals_{"global"},
      tags_{"tag"}, elems_{"elem"}, datas_{"data"};
  std::vector<TypeInfo> type_info_;
  std::unordered_map<std::string, uint32_t> plain_funcs_;
  uint32_t func_index_ = 0, table_index_ = 0, mem_index_ = 0, global_index_ = 0, tag_index_ = 0,
           elem_index_ = 0;

  Bytes type_sec_, import_sec_, func_sec_, table_sec_, mem_sec_, tag_sec_, global_sec_,
      export_sec_, elem_sec_, code_sec_, data_sec_, body_;
  uint32_t type_groups_ = 0, import_count_ = 0, func_count_ = 0, table_count_ = 0, mem_count_ = 0,
           tag_count_ = 0, global_count_ = 0, export_count_ = 0, elem_count_ = 0, data_count_ = 0;
  std::optional<uint32_t> start_;
  std::vector<Custom> customs_;

  std::vector<Local> locals_;
  std::deque<std::string> local_storage_;
  std::vector<Label> labels_;
  std::deque<std::string> label_storage_;
  std::vector<std::pair<uint32_t, std::string>> func_names_, global_names_;
  std::vector<std::pair<uint32_t, std::vector<std::pair<uint32_t, std::string>>>> local_names_;
};

}  // namespace wasm::detail::text
// ---- end include/wasm/detail/text/module_encoder.hpp ----

namespace wasm::detail::text {

// For a parser positioned just after `(module $id?` (the id already read, passed as
// `module_id`): encodes the module fields up to, not including, the closing ')'. Throws
// ParseError. The .wast reader calls this for a `(module ...)` form that is neither `binary`
// nor `quote`.
inline std::vector<uint8_t> encode_module_fields(Parser& p, std::optional<Token> module_id = {},
                                                 EncodeOptions opts = {}) {
  ModuleEncoder enc(p, opts);
  return enc.encode_fields(module_id);
}

// A whole text: one `(module $id? ...)` form or bare module fields.
inline Result<std::vector<uint8_t>> wat_to_wasm(std::string_view text, EncodeOptions opts = {}) {
  try {
    Parser p(text);
    std::vector<uint8_t> bytes;
    if (p.at_lparen_keyword("module")) {
      p.next();
      p.next();
      auto id = p.opt_id();
      bytes = encode_module_fields(p, id, opts);
      p.expect_rparen();
    } else {
      bytes = encode_module_fields(p, std::nullopt, opts);
    }
    if (!p.at(Tok::Eof)) p.fail_unexpected();
    return bytes;
  } catch (const ParseError& e) {
    return Error(ErrorKind::Decode, e.to_string());
  }
}

}  // namespace wasm::detail::text
// ---- end include/wasm/detail/text/wat.hpp ----
// ---- begin include/wasm/detail/vm/code_loader.hpp ----
// Compiles a module's functions with the baseline tier (through the module driver of jit/) and
// makes the code known to the trap handler.
// ---- begin include/wasm/detail/jit/baseline_tier.hpp ----
// The baseline tier: FunctionCompiler (single pass, function_compiler.hpp) behind the
// CompilerTier interface, and compile_module() with it alone, the default of the runtime.
#include <memory>

// ---- begin include/wasm/detail/jit/compiler_tier.hpp ----
// The seam between the module driver (module_compiler.hpp) and the compilers of functions.
// A tier turns one validated function into a CompiledFunction that follows the calling
// convention (abi.hpp) and frame layout (frame_layout.hpp) every tier shares, so that code of
// different tiers calls each other and the runtime walks and unwinds all of it alike.
//
// Compilation is parallel: the driver asks the tier for one Worker per thread (a worker keeps
// its buffers across functions and is used by one thread only); the tier itself is shared
// read-only by all threads.
#include <cstdint>
#include <memory>

// ---- begin include/wasm/detail/jit/compile_env.hpp ----
// What every function compiler of a module shares, read-only: the module, its VMContext
// layout and the code-generation options taken from Config.
#include <cstdint>
#include <vector>

// ---- begin include/wasm/detail/jit/emit_numeric_base.hpp ----
// Shared vocabulary of the numeric emitters (emit_numeric.hpp is the entry point): operands,
// trap labels, scratch registers, CPU features, x86 condition codes and small helpers.
#include <xbyak/xbyak.h>
#include <xbyak/xbyak_util.h>

#include <cassert>
#include <cstdint>
#include <stdexcept>
#include <string>


namespace wasm::detail::jit {

// Where the out-of-line trap stubs live. The framework emits one stub per trap code (after the
// function body) behind each label; the emitters only jump there (always with near jumps).
class TrapSink {
 public:
  virtual Xbyak::Label& trap_label(TrapCode code) = 0;

 protected:
  ~TrapSink() = default;
};

// Registers the emitters may clobber freely on every call (the framework reserves r11 and
// xmm15). They never hold an operand or the destination.
struct Scratch {
  Xbyak::Reg64 gpr;
  Xbyak::Xmm xmm;
};

// One operand of a numeric instruction: a general purpose register (integer classes; i32 values
// live in the low half of a 64-bit register with the upper half zero), an xmm register (f32 in the
// low 32 bits, f64 in the low 64 bits; the other lanes are don't-care), or an immediate (integer
// right-hand sides only; for i32 ops only the low 32 bits are read).
class NumOperand {
 public:
  enum class Kind : uint8_t { None, Gpr, Xmm, Imm };

  constexpr NumOperand() = default;
  NumOperand(const Xbyak::Reg64& r) : kind_(Kind::Gpr), idx_(uint8_t(r.getIdx())) {}  // NOLINT
  NumOperand(const Xbyak::Xmm& x) : kind_(Kind::Xmm), idx_(uint8_t(x.getIdx())) {}    // NOLINT
  static constexpr NumOperand none() { return NumOperand(); }
  static constexpr NumOperand imm(int64_t value) {
    NumOperand o;
    o.kind_ = Kind::Imm;
    o.imm_ = value;
    return o;
  }

  constexpr Kind kind() const { return kind_; }
  constexpr bool is_none() const { return kind_ == Kind::None; }
  constexpr bool is_gpr() const { return kind_ == Kind::Gpr; }
  constexpr bool is_xmm() const { return kind_ == Kind::Xmm; }
  constexpr bool is_imm() const { return kind_ == Kind::Imm; }
  constexpr bool is_reg() const { return is_gpr() || is_xmm(); }
  constexpr int idx() const { return idx_; }
  constexpr int64_t imm_value() const { return imm_; }

  Xbyak::Reg64 r64() const { return Xbyak::Reg64(idx_); }
  Xbyak::Reg32 r32() const { return Xbyak::Reg32(idx_); }
  Xbyak::Xmm x() const { return Xbyak::Xmm(idx_); }

  // The same register (class and number); immediates never alias.
  constexpr bool same_reg(const NumOperand& o) const {
    return is_reg() && kind_ == o.kind_ && idx_ == o.idx_;
  }
  friend constexpr bool operator==(const NumOperand&, const NumOperand&) = default;

 private:
  Kind kind_ = Kind::None;
  uint8_t idx_ = 0;
  int64_t imm_ = 0;
};

// Optional instructions. SSE4.1 (roundss/roundsd, pminsd, ptest, ...) is the floor and is not
// optional.
struct CpuFeatures {
  bool popcnt = false;  // popcnt
  bool lzcnt = false;   // lzcnt (ABM / LZCNT)
  bool bmi1 = false;    // tzcnt
  bool sse42 = false;   // pcmpgtq
  bool avx = false;     // VEX encodings of 128-bit operations (three operands)
  bool avx2 = false;    // vpbroadcast*

  static CpuFeatures detect() {
    using Xbyak::util::Cpu;
    Cpu cpu;
    CpuFeatures f;
    f.popcnt = cpu.has(Cpu::tPOPCNT);
    f.lzcnt = cpu.has(Cpu::tLZCNT);
    f.bmi1 = cpu.has(Cpu::tBMI1);
    f.sse42 = cpu.has(Cpu::tSSE42);
    f.avx = cpu.has(Cpu::tAVX);  // xbyak reports AVX only when the OS saves the ymm state
    f.avx2 = f.avx && cpu.has(Cpu::tAVX2);
    return f;
  }
  // Every optional feature off: the fallback sequences (tests use this to cover them).
  static constexpr CpuFeatures baseline() { return CpuFeatures{}; }
  // Whether the host can run code of this compiler at all.
  static bool host_meets_floor() {
    return Xbyak::util::Cpu().has(Xbyak::util::Cpu::tSSE41);
  }
  friend constexpr bool operator==(const CpuFeatures&, const CpuFeatures&) = default;
};

// The host's features, detected once.
inline const CpuFeatures& host_cpu_features() {
  static const CpuFeatures features = CpuFeatures::detect();
  return features;
}

// x86 condition codes, numbered as the hardware numbers them (the low nibble of jcc/setcc/cmovcc),
// so negate() flips bit 0.
enum class CompareCond : uint8_t {
  O = 0, NO = 1,
  B = 2, AE = 3,   // unsigned <, >=
  E = 4, NE = 5,
  BE = 6, A = 7,   // unsigned <=, >
  S = 8, NS = 9,
  P = 10, NP = 11,
  L = 12, GE = 13, // signed <, >=
  LE = 14, G = 15, // signed <=, >
};

constexpr CompareCond negate(CompareCond c) { return CompareCond(uint8_t(c) ^ 1); }

// jcc to `target`; near by default since trap labels and block ends may be far away.
inline void emit_jcc(Xbyak::CodeGenerator& a, CompareCond c, Xbyak::Label& target,
                     Xbyak::CodeGenerator::LabelType type = Xbyak::CodeGenerator::T_NEAR) {
  switch (c) {
    case CompareCond::O: a.jo(target, type); break;
    case CompareCond::NO: a.jno(target, type); break;
    case CompareCond::B: a.jb(target, type); break;
    case CompareCond::AE: a.jae(target, type); break;
    case CompareCond::E: a.je(target, type); break;
    case CompareCond::NE: a.jne(target, type); break;
    case CompareCond::BE: a.jbe(target, type); break;
    case CompareCond::A: a.ja(target, type); break;
    case CompareCond::S: a.js(target, type); break;
    case CompareCond::NS: a.jns(target, type); break;
    case CompareCond::P: a.jp(target, type); break;
    case CompareCond::NP: a.jnp(target, type); break;
    case CompareCond::L: a.jl(target, type); break;
    case CompareCond::GE: a.jge(target, type); break;
    case CompareCond::LE: a.jle(target, type); break;
    case CompareCond::G: a.jg(target, type); break;
  }
}

// setcc into the low byte of `dst` (no zero extension; see emit_setcc).
inline void emit_setcc8(Xbyak::CodeGenerator& a, CompareCond c, const Xbyak::Reg8& dst) {
  switch (c) {
    case CompareCond::O: a.seto(dst); break;
    case CompareCond::NO: a.setno(dst); break;
    case CompareCond::B: a.setb(dst); break;
    case CompareCond::AE: a.setae(dst); break;
    case CompareCond::E: a.sete(dst); break;
    case CompareCond::NE: a.setne(dst); break;
    case CompareCond::BE: a.setbe(dst); break;
    case CompareCond::A: a.seta(dst); break;
    case CompareCond::S: a.sets(dst); break;
    case CompareCond::NS: a.setns(dst); break;
    case CompareCond::P: a.setp(dst); break;
    case CompareCond::NP: a.setnp(dst); break;
    case CompareCond::L: a.setl(dst); break;
    case CompareCond::GE: a.setge(dst); break;
    case CompareCond::LE: a.setle(dst); break;
    case CompareCond::G: a.setg(dst); break;
  }
}

// dst = condition ? 1 : 0, as a zero-extended i32 (setcc + movzx; flags are read, not changed).
inline void emit_setcc(Xbyak::CodeGenerator& a, CompareCond c, const Xbyak::Reg64& dst) {
  emit_setcc8(a, c, dst.cvt8());
  a.movzx(dst.cvt32(), dst.cvt8());
}

// if (condition) dst = src. 32-bit operands zero-extend dst even when the condition is false.
inline void emit_cmovcc(Xbyak::CodeGenerator& a, CompareCond c, const Xbyak::Reg& dst,
                        const Xbyak::Operand& src) {
  switch (c) {
    case CompareCond::O: a.cmovo(dst, src); break;
    case CompareCond::NO: a.cmovno(dst, src); break;
    case CompareCond::B: a.cmovb(dst, src); break;
    case CompareCond::AE: a.cmovae(dst, src); break;
    case CompareCond::E: a.cmove(dst, src); break;
    case CompareCond::NE: a.cmovne(dst, src); break;
    case CompareCond::BE: a.cmovbe(dst, src); break;
    case CompareCond::A: a.cmova(dst, src); break;
    case CompareCond::S: a.cmovs(dst, src); break;
    case CompareCond::NS: a.cmovns(dst, src); break;
    case CompareCond::P: a.cmovp(dst, src); break;
    case CompareCond::NP: a.cmovnp(dst, src); break;
    case CompareCond::L: a.cmovl(dst, src); break;
    case CompareCond::GE: a.cmovge(dst, src); break;
    case CompareCond::LE: a.cmovle(dst, src); break;
    case CompareCond::G: a.cmovg(dst, src); break;
  }
}

namespace numeric_detail {

[[noreturn]] inline void bad_operands(const char* what) {
  throw std::logic_error(std::string("emit_numeric: ") + what);
}

// A forward-only label for the short branches inside one emitted sequence: rel8 displacements
// patched when the label is bound, without Xbyak's label maps (a hash map entry per label, and
// these sequences are emitted for every division, truncation and min/max).
class LocalLabel {
 public:
  LocalLabel() = default;
  LocalLabel(const LocalLabel&) = delete;
  LocalLabel& operator=(const LocalLabel&) = delete;
  ~LocalLabel() { assert(bound_ || count_ == 0); }

  void jcc(Xbyak::CodeGenerator& a, CompareCond c) { branch(a, uint8_t(0x70 | uint8_t(c))); }
  void jmp(Xbyak::CodeGenerator& a) { branch(a, 0xEB); }
  void bind(Xbyak::CodeGenerator& a) {
    if (bound_) bad_operands("local label bound twice");
    bound_ = true;
    size_t here = a.getSize();
    for (int i = 0; i < count_; ++i) {
      size_t rel = here - fixups_[i];
      if (rel > 127) bad_operands("short branch out of range");
      a.rewrite(fixups_[i] - 1, rel, 1);
    }
  }

 private:
  void branch(Xbyak::CodeGenerator& a, uint8_t opcode) {
    if (bound_ || count_ == kMaxFixups) bad_operands("local label misuse");
    a.db(opcode);
    a.db(0);
    fixups_[count_++] = a.getSize();
  }
  static constexpr int kMaxFixups = 4;
  size_t fixups_[kMaxFixups] = {};
  int count_ = 0;
  bool bound_ = false;
};

inline bool fits_simm32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

inline void trap_if(Xbyak::CodeGenerator& a, CompareCond c, TrapSink& traps, TrapCode code) {
  emit_jcc(a, c, traps.trap_label(code), Xbyak::CodeGenerator::T_NEAR);
}

// dst = src for general purpose registers (32-bit move when !wide; skipped when the same).
inline void mov_gpr(Xbyak::CodeGenerator& a, bool wide, int dst, int src) {
  if (dst == src) return;
  if (wide) a.mov(Xbyak::Reg64(dst), Xbyak::Reg64(src));
  else a.mov(Xbyak::Reg32(dst), Xbyak::Reg32(src));
}

inline void mov_xmm(Xbyak::CodeGenerator& a, int dst, int src) {
  if (dst != src) a.movaps(Xbyak::Xmm(dst), Xbyak::Xmm(src));
}

}  // namespace numeric_detail

}  // namespace wasm::detail::jit
// ---- end include/wasm/detail/jit/emit_numeric_base.hpp ----

namespace wasm::detail::jit {

struct CompileOptions {
  BoundsChecks bounds_checks = BoundsChecks::GuardPages;
  bool consume_fuel = false;
  bool epoch_interruption = false;
  // PROT_NONE bytes after the 4 GiB of a guard-page memory (LinearMemory's default); an
  // access whose offset the guard cannot cover gets an explicit check.
  uint64_t guard_bytes = (uint64_t(1) << 32) + 65536;
  Features features;
  // Instruction set extensions the generated code may use (the host's, detected once per
  // process, or only the SSE4.1 floor).
  CpuFeatures cpu = host_cpu_features();

  static CompileOptions from(const Config& config) {
    CompileOptions o;
    o.bounds_checks = config.bounds_checks();
    o.consume_fuel = config.consume_fuel();
    o.epoch_interruption = config.epoch_interruption();
    o.features = config.wasm_features();
    if (config.force_sse41()) o.cpu = CpuFeatures::baseline();
    return o;
  }
};

struct CompileEnv {
  const ModuleInfo& module;
  VMOffsets offsets;
  CompileOptions options;

  CompileEnv(const ModuleInfo& m, const CompileOptions& o)
      : module(m), offsets(shape_of(m)), options(o) {}

  bool memory_is_imported(uint32_t index) const { return index < module.num_imported_memories; }
  uint32_t defined_memory(uint32_t index) const { return index - module.num_imported_memories; }
  bool table_is_imported(uint32_t index) const { return index < module.num_imported_tables; }
  uint32_t defined_table(uint32_t index) const { return index - module.num_imported_tables; }
  bool global_is_imported(uint32_t index) const { return index < module.num_imported_globals; }
  uint32_t defined_global(uint32_t index) const { return index - module.num_imported_globals; }
  bool func_is_imported(uint32_t index) const { return index < module.num_imported_funcs; }
  bool explicit_bounds() const { return options.bounds_checks == BoundsChecks::Explicit; }
  bool memory_is64(uint32_t index) const { return module.memories[index].is64; }
  // Whether memory 0's base (pinned in r15) may move when a call grows it: explicitly
  // checked and 64-bit memories are not always reserved up front (vm/linear_memory.hpp).
  bool memory_base_may_move() const {
    return explicit_bounds() || (has_memory() && memory_is64(0));
  }
  bool has_memory() const { return !module.memories.empty(); }
};

}  // namespace wasm::detail::jit
// ---- end include/wasm/detail/jit/compile_env.hpp ----

namespace wasm::detail::jit {

class CompilerTier {
 public:
  class Worker {
   public:
    virtual ~Worker() = default;
    // Compiles defined function `defined_index` (0 = the first non-imported function). An
    // error fails the whole module (the driver reports the lowest failing index).
    virtual Result<CompiledFunction> compile(uint32_t defined_index) = 0;
  };

  virtual ~CompilerTier() = default;
  virtual const char* name() const = 0;
  // Whether this tier compiles that function. A tier that declines lets the next tier of the
  // driver's list compile it (an optimizing tier declining what it does not support yet).
  virtual bool accepts(const CompileEnv&, uint32_t /*defined_index*/) const { return true; }
  virtual std::unique_ptr<Worker> make_worker(const CompileEnv& env) const = 0;
};

}  // namespace wasm::detail::jit
// ---- end include/wasm/detail/jit/compiler_tier.hpp ----
// ---- begin include/wasm/detail/jit/function_compiler.hpp ----
// The driver of FunctionCompiler (declared in function_compiler_decl.hpp): prologue, the loop
// over instructions, epilogue and out-of-line code, plus the value-stack and register
// primitives every visitor uses. The visitors live in compile_*.hpp, included at the end.
#include <algorithm>
#include <exception>
#include <new>

// ---- begin include/wasm/detail/jit/function_compiler_decl.hpp ----
// FunctionCompiler: the single-pass baseline compiler. One visit per instruction, read through
// InstructionReader, straight to machine code; the only state is the abstract value stack
// (value_stack.hpp), the register cache and the control frames.
//
// The members are defined in compile_*.hpp by topic; function_compiler.hpp puts them together.
// One FunctionCompiler per thread: it keeps its buffers across functions, so compiling a
// function allocates only for its output.
#include <xbyak/xbyak.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

// ---- begin include/wasm/detail/jit/control_frames.hpp ----
// Control frames of the single-pass compiler: one per open block/loop/if (and the function
// body), with the label branches jump to and where the merge state of that label lives.
#include <xbyak/xbyak.h>

#include <cstdint>
#include <span>
#include <vector>

// ---- begin include/wasm/detail/jit/labels.hpp ----
// Branch targets of the compiler. Xbyak's labels keep hash maps per label; the baseline tier
// creates one or two per block, so it uses this flat scheme instead: a label is an index,
// forward references form a linked list of rel32 fields patched when the label is bound.
#include <xbyak/xbyak.h>

#include <cstdint>
#include <vector>


namespace wasm::detail::jit {

using LabelId = uint32_t;

// x86 condition codes, shared with the numeric emitters.
using Cond = CompareCond;

class Labels {
 public:
  void reset() {
    labels_.clear();
    fixups_.clear();
  }
  LabelId make() {
    labels_.push_back(State{});
    return LabelId(labels_.size() - 1);
  }
  bool is_bound(LabelId l) const { return labels_[l].pos >= 0; }
  bool is_used(LabelId l) const { return labels_[l].used; }
  int64_t position(LabelId l) const { return labels_[l].pos; }

  void bind(Xbyak::CodeGenerator& a, LabelId l) {
    State& s = labels_[l];
    s.pos = int64_t(a.getSize());
    for (int32_t f = s.fixups; f >= 0; f = fixups_[f].next) {
      uint32_t at = fixups_[f].at;
      a.rewrite(at, uint64_t(int64_t(s.pos) - int64_t(at + 4)), 4);
    }
    s.fixups = -1;
  }

  // `near`: always the 5-byte form (jump table entries have a fixed size).
  void jmp(Xbyak::CodeGenerator& a, LabelId l, bool near = false) {
    labels_[l].used = true;
    if (is_bound(l) && near) {
      a.db(0xE9);
      a.dd(uint32_t(labels_[l].pos - int64_t(a.getSize() + 4)));
      return;
    }
    if (is_bound(l)) {
      int64_t rel = labels_[l].pos - int64_t(a.getSize() + 2);
      if (rel >= -128) {
        a.db(0xEB);
        a.db(uint8_t(rel));
        return;
      }
      a.db(0xE9);
      a.dd(uint32_t(labels_[l].pos - int64_t(a.getSize() + 4)));
      return;
    }
    a.db(0xE9);
    refer(a, l);
  }

  void jcc(Xbyak::CodeGenerator& a, Cond c, LabelId l) {
    labels_[l].used = true;
    if (is_bound(l)) {
      int64_t rel = labels_[l].pos - int64_t(a.getSize() + 2);
      if (rel >= -128) {
        a.db(0x70 | uint8_t(c));
        a.db(uint8_t(rel));
        return;
      }
      a.db(0x0F);
      a.db(0x80 | uint8_t(c));
      a.dd(uint32_t(labels_[l].pos - int64_t(a.getSize() + 4)));
      return;
    }
    a.db(0x0F);
    a.db(0x80 | uint8_t(c));
    refer(a, l);
  }

  // lea r64, [rip + label]
  void lea(Xbyak::CodeGenerator& a, const Xbyak::Reg64& dst, LabelId l) {
    labels_[l].used = true;
    a.db(0x48 | (dst.getIdx() >= 8 ? 0x04 : 0));
    a.db(0x8D);
    a.db(0x05 | ((dst.getIdx() & 7) << 3));
    if (is_bound(l)) {
      a.dd(uint32_t(labels_[l].pos - int64_t(a.getSize() + 4)));
    } else {
      refer(a, l);
    }
  }

  // A rel32 field at the current position that will point at `l`.
  void refer(Xbyak::CodeGenerator& a, LabelId l) {
    fixups_.push_back(Fixup{uint32_t(a.getSize()), labels_[l].fixups});
    labels_[l].fixups = int32_t(fixups_.size() - 1);
    a.dd(0);
  }

  bool all_bound() const {
    for (const State& s : labels_) {
      if (s.fixups >= 0) return false;
    }
    return true;
  }

 private:
  struct State {
    int64_t pos = -1;
    int32_t fixups = -1;
    bool used = false;
  };
  struct Fixup {
    uint32_t at;
    int32_t next;
  };
  std::vector<State> labels_;
  std::vector<Fixup> fixups_;
};

}  // namespace wasm::detail::jit
// ---- end include/wasm/detail/jit/labels.hpp ----
// ---- begin include/wasm/detail/jit/value_stack.hpp ----
// The abstract value stack of the single-pass compiler. Locals are its bottom entries; every
// entry says where its value is right now: a constant not yet materialised, a register
// (possibly shared with other entries), or the entry's own frame slot.
#include <cstdint>
#include <vector>

// ---- begin include/wasm/detail/jit/regs.hpp ----
// Register names of the baseline compiler: one small id space for both classes (0-15 general
// purpose, 16-31 xmm), sets of them as bit masks, and which ones the allocator may hand out.
#include <xbyak/xbyak.h>

#include <cstdint>


namespace wasm::detail::jit {

enum class RegClass : uint8_t { Gpr, Xmm };

constexpr RegClass reg_class_of(ValType t) {
  return abi::is_float_class(t) ? RegClass::Xmm : RegClass::Gpr;
}

// A register of either class: gpr n is n, xmm n is 16 + n.
struct Reg {
  uint8_t id = 0;

  static constexpr Reg gpr(uint8_t n) { return Reg{n}; }
  static constexpr Reg xmm(uint8_t n) { return Reg{uint8_t(16 + n)}; }
  constexpr bool is_xmm() const { return id >= 16; }
  constexpr RegClass cls() const { return is_xmm() ? RegClass::Xmm : RegClass::Gpr; }
  constexpr uint8_t code() const { return id & 15; }
  friend constexpr bool operator==(Reg, Reg) = default;

  Xbyak::Reg64 r64() const { return Xbyak::Reg64(code()); }
  Xbyak::Reg32 r32() const { return Xbyak::Reg32(code()); }
  Xbyak::Xmm x() const { return Xbyak::Xmm(code()); }
};

class RegSet {
 public:
  constexpr RegSet() = default;
  constexpr RegSet(std::initializer_list<Reg> regs) {
    for (Reg r : regs) add(r);
  }
  constexpr void add(Reg r) { bits_ |= 1u << r.id; }
  constexpr void remove(Reg r) { bits_ &= ~(1u << r.id); }
  constexpr bool has(Reg r) const { return (bits_ >> r.id) & 1; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr RegSet operator|(RegSet o) const { return from_bits(bits_ | o.bits_); }
  constexpr uint32_t bits() const { return bits_; }
  static constexpr RegSet from_bits(uint32_t b) {
    RegSet s;
    s.bits_ = b;
    return s;
  }

 private:
  uint32_t bits_ = 0;
};

// Never allocated: rsp, rbp (frame chain), r14 (VMContext), r15 (memory 0 base), and r11 and
// xmm15, the scratch registers of emit_numeric and of this compiler's own short sequences.
inline constexpr Reg kScratchGpr = Reg::gpr(abi::R11);
inline constexpr Reg kScratchXmm = Reg::xmm(15);

// Allocation order. The argument and division registers come last, so that parameters cached
// in them and the fixed operands of div/shift collide as little as possible with temporaries.
inline constexpr Reg kAllocGprs[] = {
    Reg::gpr(abi::RSI), Reg::gpr(abi::RDI), Reg::gpr(abi::R10), Reg::gpr(abi::RBX),
    Reg::gpr(abi::R12), Reg::gpr(abi::R13), Reg::gpr(abi::R8),  Reg::gpr(abi::R9),
    Reg::gpr(abi::RCX), Reg::gpr(abi::RDX), Reg::gpr(abi::RAX)};
inline constexpr Reg kAllocXmms[] = {
    Reg::xmm(0), Reg::xmm(1), Reg::xmm(2),  Reg::xmm(3),  Reg::xmm(4),
    Reg::xmm(5), Reg::xmm(6), Reg::xmm(7),  Reg::xmm(8),  Reg::xmm(9),
    Reg::xmm(10), Reg::xmm(11), Reg::xmm(12), Reg::xmm(13), Reg::xmm(14)};

}  // namespace wasm::detail::jit
// ---- end include/wasm/detail/jit/regs.hpp ----

namespace wasm::detail::jit {

struct VarState {
  enum class Loc : uint8_t { Stack, Reg, Const };

  Loc loc = Loc::Stack;
  ValType type = ValType::I32;
  Reg reg;
  int64_t imm = 0;  // Const: i32 (sign-extended), i64, or the bit pattern of f32/f64

  static VarState stack(ValType t) { return VarState{Loc::Stack, t, Reg{}, 0}; }
  static VarState in_reg(ValType t, Reg r) { return VarState{Loc::Reg, t, r, 0}; }
  static VarState constant(ValType t, int64_t v) { return VarState{Loc::Const, t, Reg{}, v}; }

  bool is_reg() const { return loc == Loc::Reg; }
  bool is_const() const { return loc == Loc::Const; }
  bool is_stack() const { return loc == Loc::Stack; }
  bool same_place(const VarState& o) const {
    if (loc != o.loc) return false;
    if (loc == Loc::Reg) return reg == o.reg;
    if (loc == Loc::Const) return imm == o.imm;
    return true;
  }
};

// A vector that keeps its capacity across functions (one per compiler thread), so pushing
// and popping never allocates once it has grown.
class ValueStack {
 public:
  void reset() {
    entries_.clear();
    max_height_ = 0;
  }
  uint32_t height() const { return uint32_t(entries_.size()); }
  uint32_t max_height() const { return max_height_; }
  VarState& operator[](uint32_t i) { return entries_[i]; }
  const VarState& operator[](uint32_t i) const { return entries_[i]; }
  VarState& back() { return entries_.back(); }
  VarState& from_top(uint32_t depth) { return entries_[entries_.size() - 1 - depth]; }

  void push(const VarState& s) {
    entries_.push_back(s);
    if (entries_.size() > max_height_) max_height_ = uint32_t(entries_.size());
  }
  VarState pop() {
    VarState s = entries_.back();
    entries_.pop_back();
    return s;
  }
  void truncate(uint32_t height) { entries_.resize(height); }
  void resize(uint32_t height, const VarState& fill) {
    entries_.resize(height, fill);
    if (height > max_height_) max_height_ = height;
  }
  const VarState* data() const { return entries_.data(); }

 private:
  std::vector<VarState> entries_;
  uint32_t max_height_ = 0;
};

}  // namespace wasm::detail::jit
// ---- end include/wasm/detail/jit/value_stack.hpp ----

namespace wasm::detail::jit {

struct ControlFrame {
  enum class Kind : uint8_t { Function, Block, Loop, If };

  Kind kind = Kind::Block;
  // The block type: a function type, or at most one result held inline (frames move when
  // the frame vector grows, so spans are made on demand rather than stored).
  const FuncType* type = nullptr;
  bool has_single_result = false;
  ValType single_result = ValType::I32;
  uint32_t base = 0;            // stack height below the block's parameters
  LabelId label = 0;            // end (block, if, function) or head (loop)
  LabelId else_label = 0;       // if: where the false branch starts
  uint32_t merge_at = 0;        // merge state: StateArena offset, base + branch_arity() entries
  uint32_t else_state_at = 0;   // if: the state at entry, for the else branch
  uint32_t arena_mark = 0;      // arena size before this frame
  bool merge_ready = false;     // some branch (or the loop entry) fixed the merge state
  bool has_else = false;

  std::span<const ValType> params() const {
    return type ? std::span<const ValType>(type->params) : std::span<const ValType>();
  }
  std::span<const ValType> results() const {
    if (type) return type->results;
    if (has_single_result) return std::span<const ValType>(&single_result, 1);
    return {};
  }
  std::span<const ValType> branch_types() const {
    return kind == Kind::Loop ? params() : results();
  }
  uint32_t branch_arity() const { return uint32_t(branch_types().size()); }
};

// Storage for merge states and saved else-states. Frames nest, so it is a stack: a frame's
// space is reserved when it opens (its size is known then) and released when it closes.
class StateArena {
 public:
  void reset() { states_.clear(); }
  uint32_t size() const { return uint32_t(states_.size()); }
  uint32_t reserve(uint32_t n) {
    uint32_t at = size();
    states_.resize(states_.size() + n);
    return at;
  }
  void release_to(uint32_t mark) { states_.resize(mark); }
  VarState* at(uint32_t offset) { return states_.data() + offset; }

 private:
  std::vector<VarState> states_;
};

}  // namespace wasm::detail::jit
// ---- end include/wasm/detail/jit/control_frames.hpp ----
// ---- begin include/wasm/detail/jit/emit_simd_base.hpp ----
// Shared vocabulary of the SIMD emitters (emit_simd.hpp is the entry point): a pool of 16-byte
// constants placed after the function body, and SimdAsm, which writes each 128-bit operation
// as `dst = op(lhs, rhs)` and picks the encoding: AVX's three-operand VEX form when the CPU
// has it, else SSE's two-operand form after copying lhs into dst.
#include <xbyak/xbyak.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <deque>


namespace wasm::detail::jit {

using V128Bytes = std::array<uint8_t, 16>;

// 16-byte constants addressed rip-relative. Emitted (16-aligned, deduplicated) after the code
// of one function; the function's start must be 16-aligned too (module_compiler places them so).
class V128ConstPool {
 public:
  void clear() { entries_.clear(); }
  bool empty() const { return entries_.empty(); }

  Xbyak::Label& label(const V128Bytes& bytes) {
    for (Entry& e : entries_) {
      if (e.bytes == bytes) return e.label;
    }
    entries_.emplace_back();
    entries_.back().bytes = bytes;
    return entries_.back().label;
  }

  void emit(Xbyak::CodeGenerator& a) {
    if (entries_.empty()) return;
    while (a.getSize() % 16 != 0) a.db(0xCC);
    for (Entry& e : entries_) {
      a.L(e.label);
      for (uint8_t b : e.bytes) a.db(b);
    }
  }

 private:
  struct Entry {
    V128Bytes bytes{};
    Xbyak::Label label;
  };
  std::deque<Entry> entries_;  // labels must not move
};

template <typename T>
V128Bytes splat_bytes(T lane) {
  static_assert(16 % sizeof(T) == 0);
  V128Bytes out;
  for (size_t i = 0; i < 16; i += sizeof(T)) std::memcpy(out.data() + i, &lane, sizeof(T));
  return out;
}

// The 128-bit operations the SIMD emitters use, each with the same shape whatever the encoding.
// Aliasing: dst may equal any operand; in the SSE form an op whose dst is its second operand
// (and not its first) goes through the scratch register, so sequences that keep a value in
// scratch must not ask for that.
class SimdAsm {
 public:
  using Xmm = Xbyak::Xmm;
  using Operand = Xbyak::Operand;

  SimdAsm(Xbyak::CodeGenerator& a, const CpuFeatures& cpu, V128ConstPool& pool, Xmm scratch,
          Xbyak::Reg64 scratch_gpr)
      : a(a), cpu(cpu), scratch(scratch), scratch_gpr(scratch_gpr), pool_(pool) {}

  Xbyak::CodeGenerator& a;
  const CpuFeatures& cpu;
  const Xmm scratch;
  const Xbyak::Reg64 scratch_gpr;

  bool avx() const { return cpu.avx; }

  // A pool constant as a memory operand.
  Xbyak::Address constant(const V128Bytes& bytes) { return a.xword[a.rip + pool_.label(bytes)]; }
  template <typename T>
  Xbyak::Address splat(T lane) {
    return constant(splat_bytes(lane));
  }

  void mov(const Xmm& dst, const Xmm& src) {
    if (dst.getIdx() == src.getIdx()) return;
    if (avx()) a.vmovaps(dst, src);
    else a.movaps(dst, src);
  }
  void load(const Xmm& dst, const Xbyak::Address& src) {
    if (avx()) a.vmovdqu(dst, src);
    else a.movdqu(dst, src);
  }
  void zero(const Xmm& dst) {
    if (avx()) a.vpxor(dst, dst, dst);
    else a.pxor(dst, dst);
  }
  void all_ones(const Xmm& dst) {
    if (avx()) a.vpcmpeqd(dst, dst, dst);
    else a.pcmpeqd(dst, dst);
  }

  // dst = op(lhs, rhs) for two-operand SSE instructions (`op dst, rhs` computes op(dst, rhs)).
#define WASM_SIMD_OP3(name)                                                 \
  void name(const Xmm& dst, const Xmm& lhs, const Operand& rhs) {           \
    if (avx()) {                                                            \
      a.v##name(dst, lhs, rhs);                                             \
    } else {                                                                \
      a.name(dst, sse_rhs(dst, lhs, rhs));                                  \
    }                                                                       \
  }
  // The same with an immediate.
#define WASM_SIMD_OP3_IMM(name)                                             \
  void name(const Xmm& dst, const Xmm& lhs, const Operand& rhs, uint8_t imm) { \
    if (avx()) {                                                            \
      a.v##name(dst, lhs, rhs, imm);                                        \
    } else {                                                                \
      a.name(dst, sse_rhs(dst, lhs, rhs), imm);                             \
    }                                                                       \
  }
  // dst = op(src) and dst = op(src, imm): non-destructive in both encodings.
#define WASM_SIMD_OP2(name)                                                 \
  void name(const Xmm& dst, const Operand& src) {                           \
    if (avx()) a.v##name(dst, src);                                         \
    else a.name(dst, src);                                                  \
  }
#define WASM_SIMD_OP2_IMM(name)                                             \
  void name(const Xmm& dst, const Operand& src, uint8_t imm) {              \
    if (avx()) a.v##name(dst, src, imm);                                    \
    else a.name(dst, src, imm);                                             \
  }
  // Shifts: by an immediate, or by the count in an xmm register's low 64 bits.
#define WASM_SIMD_SHIFT(name)                                               \
  WASM_SIMD_OP3(name)                                                       \
  void name(const Xmm& dst, const Xmm& src, uint8_t imm) {                  \
    if (avx()) {                                                            \
      a.v##name(dst, src, imm);                                             \
    } else {                                                                \
      mov(dst, src);                                                        \
      a.name(dst, imm);                                                     \
    }                                                                       \
  }

  WASM_SIMD_OP3(paddb) WASM_SIMD_OP3(paddw) WASM_SIMD_OP3(paddd) WASM_SIMD_OP3(paddq)
  WASM_SIMD_OP3(psubb) WASM_SIMD_OP3(psubw) WASM_SIMD_OP3(psubd) WASM_SIMD_OP3(psubq)
  WASM_SIMD_OP3(paddsb) WASM_SIMD_OP3(paddsw) WASM_SIMD_OP3(paddusb) WASM_SIMD_OP3(paddusw)
  WASM_SIMD_OP3(psubsb) WASM_SIMD_OP3(psubsw) WASM_SIMD_OP3(psubusb) WASM_SIMD_OP3(psubusw)
  WASM_SIMD_OP3(pmullw) WASM_SIMD_OP3(pmulld) WASM_SIMD_OP3(pmuludq) WASM_SIMD_OP3(pmuldq)
  WASM_SIMD_OP3(pmulhw) WASM_SIMD_OP3(pmulhuw) WASM_SIMD_OP3(pmulhrsw)
  WASM_SIMD_OP3(pmaddwd) WASM_SIMD_OP3(pmaddubsw)
  WASM_SIMD_OP3(pminsb) WASM_SIMD_OP3(pminsw) WASM_SIMD_OP3(pminsd)
  WASM_SIMD_OP3(pminub) WASM_SIMD_OP3(pminuw) WASM_SIMD_OP3(pminud)
  WASM_SIMD_OP3(pmaxsb) WASM_SIMD_OP3(pmaxsw) WASM_SIMD_OP3(pmaxsd)
  WASM_SIMD_OP3(pmaxub) WASM_SIMD_OP3(pmaxuw) WASM_SIMD_OP3(pmaxud)
  WASM_SIMD_OP3(pavgb) WASM_SIMD_OP3(pavgw)
  WASM_SIMD_OP3(pcmpeqb) WASM_SIMD_OP3(pcmpeqw) WASM_SIMD_OP3(pcmpeqd) WASM_SIMD_OP3(pcmpeqq)
  WASM_SIMD_OP3(pcmpgtb) WASM_SIMD_OP3(pcmpgtw) WASM_SIMD_OP3(pcmpgtd) WASM_SIMD_OP3(pcmpgtq)
  WASM_SIMD_OP3(pand) WASM_SIMD_OP3(pandn) WASM_SIMD_OP3(por) WASM_SIMD_OP3(pxor)
  WASM_SIMD_OP3(packsswb) WASM_SIMD_OP3(packuswb) WASM_SIMD_OP3(packssdw) WASM_SIMD_OP3(packusdw)
  WASM_SIMD_OP3(punpcklbw) WASM_SIMD_OP3(punpckhbw) WASM_SIMD_OP3(punpcklqdq)
  WASM_SIMD_OP3(punpcklwd) WASM_SIMD_OP3(punpckhwd)
  WASM_SIMD_OP3(pshufb)
  WASM_SIMD_OP3(addps) WASM_SIMD_OP3(addpd) WASM_SIMD_OP3(subps) WASM_SIMD_OP3(subpd)
  WASM_SIMD_OP3(mulps) WASM_SIMD_OP3(mulpd) WASM_SIMD_OP3(divps) WASM_SIMD_OP3(divpd)
  WASM_SIMD_OP3(minps) WASM_SIMD_OP3(minpd) WASM_SIMD_OP3(maxps) WASM_SIMD_OP3(maxpd)
  WASM_SIMD_OP3(andps) WASM_SIMD_OP3(andnps) WASM_SIMD_OP3(orps) WASM_SIMD_OP3(xorps)
  WASM_SIMD_OP3(unpcklps) WASM_SIMD_OP3(movsd)
  WASM_SIMD_OP3_IMM(cmpps) WASM_SIMD_OP3_IMM(cmppd) WASM_SIMD_OP3_IMM(shufps)
  WASM_SIMD_OP3_IMM(insertps)
  WASM_SIMD_OP3_IMM(pinsrb) WASM_SIMD_OP3_IMM(pinsrw) WASM_SIMD_OP3_IMM(pinsrd)
  WASM_SIMD_OP3_IMM(pinsrq)
  WASM_SIMD_OP2(pabsb) WASM_SIMD_OP2(pabsw) WASM_SIMD_OP2(pabsd)
  WASM_SIMD_OP2(pmovsxbw) WASM_SIMD_OP2(pmovzxbw) WASM_SIMD_OP2(pmovsxwd) WASM_SIMD_OP2(pmovzxwd)
  WASM_SIMD_OP2(pmovsxdq) WASM_SIMD_OP2(pmovzxdq)
  WASM_SIMD_OP2(sqrtps) WASM_SIMD_OP2(sqrtpd)
  WASM_SIMD_OP2(cvtdq2ps) WASM_SIMD_OP2(cvttps2dq) WASM_SIMD_OP2(cvtdq2pd) WASM_SIMD_OP2(cvttpd2dq)
  WASM_SIMD_OP2(cvtpd2ps) WASM_SIMD_OP2(cvtps2pd) WASM_SIMD_OP2(movddup)
  WASM_SIMD_OP2(ptest)
  WASM_SIMD_OP2_IMM(pshufd) WASM_SIMD_OP2_IMM(pshuflw) WASM_SIMD_OP2_IMM(roundps)
  WASM_SIMD_OP2_IMM(roundpd)
  WASM_SIMD_SHIFT(psllw) WASM_SIMD_SHIFT(pslld) WASM_SIMD_SHIFT(psllq)
  WASM_SIMD_SHIFT(psrlw) WASM_SIMD_SHIFT(psrld) WASM_SIMD_SHIFT(psrlq)
  WASM_SIMD_SHIFT(psraw) WASM_SIMD_SHIFT(psrad)

#undef WASM_SIMD_OP3
#undef WASM_SIMD_OP3_IMM
#undef WASM_SIMD_OP2
#undef WASM_SIMD_OP2_IMM
#undef WASM_SIMD_SHIFT

  void movlhps(const Xmm& dst, const Xmm& lhs, const Xmm& rhs) {
    if (avx()) {
      a.vmovlhps(dst, lhs, rhs);
    } else {
      const Operand& r = sse_rhs(dst, lhs, rhs);
      a.movlhps(dst, static_cast<const Xmm&>(r));
    }
  }

  // Moves between general purpose and xmm registers.
  void movd(const Xmm& dst, const Xbyak::Reg32& src) {
    if (avx()) a.vmovd(dst, src);
    else a.movd(dst, src);
  }
  void movq(const Xmm& dst, const Xbyak::Reg64& src) {
    if (avx()) a.vmovq(dst, src);
    else a.movq(dst, src);
  }

 private:
  // Prepares dst = lhs for `op dst, rhs` and returns the rhs to use.
  const Operand& sse_rhs(const Xmm& dst, const Xmm& lhs, const Operand& rhs) {
    if (dst.getIdx() == lhs.getIdx()) return rhs;
    if (rhs.isXMM() && rhs.getIdx() == dst.getIdx()) {
      a.movaps(scratch, rhs);
      a.movaps(dst, lhs);
      return scratch;
    }
    a.movaps(dst, lhs);
    return rhs;
  }

  V128ConstPool& pool_;
};

}  // namespace wasm::detail::jit
// ---- end include/wasm/detail/jit/emit_simd_base.hpp ----
// ---- begin include/wasm/detail/jit/masm.hpp ----
// Short machine-code sequences the compiler needs in many places: moving values of any type
// between registers, frame slots, constants and memory. Nothing here knows about the value
// stack; function_compiler.hpp decides what goes where.
#include <xbyak/xbyak.h>

#include <cstdint>


namespace wasm::detail::jit::masm {

using Xbyak::CodeGenerator;

// Memory operands are passed as RegExp (base + index*scale + disp); the width comes from the
// value's type at the point of use.
inline Xbyak::RegExp slot_addr(CodeGenerator& a, uint32_t index) {
  return a.rbp + frame::slot(index);
}

inline bool fits_i32(int64_t v) { return v == int64_t(int32_t(v)); }

// reg <- reg, whole register (the value's type does not matter).
inline void move(CodeGenerator& a, Reg dst, Reg src) {
  if (dst == src) return;
  if (dst.is_xmm()) a.movaps(dst.x(), src.x());
  else a.mov(dst.r64(), src.r64());
}

// A v128 constant on the value stack is always zero (VarState::imm cannot hold 16 bytes; other
// v128 constants are materialised in a register at once).
inline void load_const(CodeGenerator& a, Reg dst, ValType type, int64_t imm) {
  if (dst.is_xmm()) {
    if (imm == 0) {
      a.xorps(dst.x(), dst.x());
    } else if (type == ValType::F32) {
      a.mov(Xbyak::Reg32(abi::R11), uint32_t(imm));
      a.movd(dst.x(), Xbyak::Reg32(abi::R11));
    } else {
      a.mov(Xbyak::Reg64(abi::R11), imm);
      a.movq(dst.x(), Xbyak::Reg64(abi::R11));
    }
    return;
  }
  if (imm == 0) {
    a.xor_(dst.r32(), dst.r32());
  } else if (type == ValType::I32 || (imm > 0 && imm <= int64_t(UINT32_MAX))) {
    a.mov(dst.r32(), uint32_t(imm));  // zero-extends
  } else {
    a.mov(dst.r64(), imm);  // xbyak picks the sign-extended imm32 form when it fits
  }
}

// reg <- memory of the value's type.
inline void load(CodeGenerator& a, Reg dst, ValType type, const Xbyak::RegExp& src) {
  switch (type) {
    case ValType::I32: a.mov(dst.r32(), a.dword[src]); break;
    case ValType::F32: a.movss(dst.x(), a.dword[src]); break;
    case ValType::F64: a.movsd(dst.x(), a.qword[src]); break;
    case ValType::V128: a.movdqu(dst.x(), a.xword[src]); break;
    default: a.mov(dst.r64(), a.qword[src]); break;
  }
}

// memory <- reg, storing exactly the value's width.
inline void store(CodeGenerator& a, const Xbyak::RegExp& dst, ValType type, Reg src) {
  switch (type) {
    case ValType::I32: a.mov(a.dword[dst], src.r32()); break;
    case ValType::F32: a.movss(a.dword[dst], src.x()); break;
    case ValType::F64: a.movsd(a.qword[dst], src.x()); break;
    case ValType::V128: a.movdqu(a.xword[dst], src.x()); break;
    default: a.mov(a.qword[dst], src.r64()); break;
  }
}

// memory <- constant, without a register unless a 64-bit value needs one (then r11).
inline void store_const(CodeGenerator& a, const Xbyak::RegExp& dst, ValType type, int64_t imm) {
  if (type == ValType::V128) {  // always zero (see load_const)
    a.mov(a.qword[dst], 0);
    a.mov(a.qword[dst + 8], 0);
  } else if (valtype_size(type) == 4) {
    a.mov(a.dword[dst], uint32_t(imm));
  } else if (fits_i32(imm)) {
    a.mov(a.qword[dst], int32_t(imm));
  } else {
    a.mov(Xbyak::Reg64(abi::R11), imm);
    a.mov(a.qword[dst], Xbyak::Reg64(abi::R11));
  }
}

// memory <- memory: 8 bytes through r11 (4-byte values carry harmless upper bytes), a v128
// through xmm15.
inline void copy_mem(CodeGenerator& a, const Xbyak::RegExp& dst, const Xbyak::RegExp& src,
                     ValType type) {
  if (type == ValType::V128) {
    a.movdqu(Xbyak::Xmm(15), a.xword[src]);
    a.movdqu(a.xword[dst], Xbyak::Xmm(15));
    return;
  }
  a.mov(Xbyak::Reg64(abi::R11), a.qword[src]);
  a.mov(a.qword[dst], Xbyak::Reg64(abi::R11));
}

// reg <- wherever the value is; `slot_index` is the entry's own slot.
inline void load_var(CodeGenerator& a, Reg dst, const VarState& s, uint32_t slot_index) {
  switch (s.loc) {
    case VarState::Loc::Reg: move(a, dst, s.reg); break;
    case VarState::Loc::Const: load_const(a, dst, s.type, s.imm); break;
    case VarState::Loc::Stack: load(a, dst, s.type, slot_addr(a, slot_index)); break;
  }
}

// memory <- wherever the value is.
inline void store_var(CodeGenerator& a, const Xbyak::RegExp& dst, const VarState& s,
                      uint32_t slot_index) {
  switch (s.loc) {
    case VarState::Loc::Reg: store(a, dst, s.type, s.reg); break;
    case VarState::Loc::Const: store_const(a, dst, s.type, s.imm); break;
    case VarState::Loc::Stack: copy_mem(a, dst, slot_addr(a, slot_index), s.type); break;
  }
}

}  // namespace wasm::detail::jit::masm
// ---- end include/wasm/detail/jit/masm.hpp ----
// ---- begin include/wasm/detail/jit/register_cache.hpp ----
// Which registers hold values of the value stack, and how many stack entries share each one.
// A register may only be overwritten in place when no other entry uses it; popping an entry
// gives up its use, after which the caller pins the register until it is done with it.
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>


namespace wasm::detail::jit {

class RegisterCache {
 public:
  void reset() {
    std::memset(use_count_, 0, sizeof(use_count_));
    used_ = RegSet();
  }
  uint32_t use_count(Reg r) const { return use_count_[r.id]; }
  bool is_used(Reg r) const { return used_.has(r); }
  RegSet used() const { return used_; }

  void inc(Reg r) {
    if (use_count_[r.id]++ == 0) used_.add(r);
  }
  void dec(Reg r) {
    if (--use_count_[r.id] == 0) used_.remove(r);
  }

  // Recounts from scratch after the whole stack was replaced (block ends, else).
  void recount(const ValueStack& stack) {
    reset();
    for (uint32_t i = 0; i < stack.height(); ++i) {
      if (stack[i].is_reg()) inc(stack[i].reg);
    }
  }

  // A register of the class that holds no stack value and is not pinned.
  std::optional<Reg> free_reg(RegClass cls, RegSet pinned) const {
    for (Reg r : candidates(cls)) {
      if (!used_.has(r) && !pinned.has(r)) return r;
    }
    return std::nullopt;
  }

  // The next register to spill, round-robin so that one hot value is not spilled over and
  // over. Never a pinned one; the class always has more registers than any caller pins.
  Reg spill_candidate(RegClass cls, RegSet pinned) {
    std::span<const Reg> regs = candidates(cls);
    uint8_t& next = cls == RegClass::Gpr ? next_gpr_ : next_xmm_;
    for (size_t tries = 0; tries < regs.size(); ++tries) {
      Reg r = regs[next];
      next = uint8_t((next + 1) % regs.size());
      if (used_.has(r) && !pinned.has(r)) return r;
    }
    return regs[0];  // unreachable when free_reg failed and fewer than all are pinned
  }

  static std::span<const Reg> candidates(RegClass cls) {
    if (cls == RegClass::Gpr) return std::span<const Reg>(kAllocGprs);
    return std::span<const Reg>(kAllocXmms);
  }

 private:
  uint32_t use_count_[32] = {};
  RegSet used_;
  uint8_t next_gpr_ = 0;
  uint8_t next_xmm_ = 0;
};

}  // namespace wasm::detail::jit
// ---- end include/wasm/detail/jit/register_cache.hpp ----
// ---- begin include/wasm/detail/jit/state_transfer.hpp ----
// Moving the current value-stack state into a merge state (the state a label expects): at
// block ends, branches and loop back edges.
//
// A merge state covers the entries below the target's base (locals and values the block
// cannot touch) and the branch values on top. Its rules, set by make_merge_state, are what make
// one simple order of moves correct:
//   * each register appears at most once, so register moves are a permutation-like parallel
//     move (cycles broken with the scratch register);
//   * branch values always go to their frame slots. Their sources sit at or above their
//     destinations, so copying them in increasing order never overwrites a source still needed;
//   * entries below the base keep their position, so a load into a merge register only ever
//     reads the entry's own slot, which no store of the transfer writes.
#include <xbyak/xbyak.h>

#include <cstdint>


namespace wasm::detail::jit {

// Emits a parallel register-to-register move. Destinations are distinct; a source may feed
// several destinations.
class RegMoveResolver {
 public:
  void add(Reg src, Reg dst) {
    if (src == dst) return;
    moves_[count_++] = Move{src, dst};
  }

  void emit(Xbyak::CodeGenerator& a) {
    while (count_ > 0) {
      bool progress = false;
      for (uint32_t i = 0; i < count_;) {
        if (!is_pending_source(moves_[i].dst)) {
          masm::move(a, moves_[i].dst, moves_[i].src);
          moves_[i] = moves_[--count_];
          progress = true;
        } else {
          ++i;
        }
      }
      if (progress) continue;
      // Only cycles are left: park one destination's old value in the scratch register.
      Reg blocked = moves_[0].dst;
      Reg scratch = blocked.is_xmm() ? kScratchXmm : kScratchGpr;
      masm::move(a, scratch, blocked);
      for (uint32_t i = 0; i < count_; ++i) {
        if (moves_[i].src == blocked) moves_[i].src = scratch;
      }
    }
  }

 private:
  struct Move {
    Reg src, dst;
  };
  bool is_pending_source(Reg r) const {
    for (uint32_t i = 0; i < count_; ++i) {
      if (moves_[i].src == r) return true;
    }
    return false;
  }
  Move moves_[32];
  uint32_t count_ = 0;
};

// Builds a merge state in `out` (base + arity entries) from the current state, for a label
// whose branch values are the top `arity` entries. Locals and the entries below `base` keep
// their registers when not already taken; locals lose their constants (they may change
// before the next branch), other entries keep them (they cannot change inside the block).
inline void make_merge_state(const ValueStack& cur, uint32_t num_locals, uint32_t base,
                             uint32_t arity, VarState* out) {
  RegSet taken;
  for (uint32_t i = 0; i < base; ++i) {
    VarState s = cur[i];
    if (s.is_reg()) {
      if (taken.has(s.reg)) s = VarState::stack(s.type);
      else taken.add(s.reg);
    } else if (s.is_const() && i < num_locals) {
      s = VarState::stack(s.type);
    }
    out[i] = s;
  }
  uint32_t top = cur.height() - arity;
  for (uint32_t m = 0; m < arity; ++m) out[base + m] = VarState::stack(cur[top + m].type);
}

// True when the current state already is the merge state (nothing to emit).
inline bool transfer_is_noop(const ValueStack& cur, const VarState* target, uint32_t base,
                             uint32_t arity) {
  uint32_t top = cur.height() - arity;
  for (uint32_t i = 0; i < base; ++i) {
    if (!cur[i].same_place(target[i])) return false;
  }
  for (uint32_t m = 0; m < arity; ++m) {
    if (!cur[top + m].is_stack() || top != base) return false;
  }
  return true;
}

// Emits the moves from the current state to `target`. Leaves the current state unchanged
// (a br_if continues with it on the fall-through path).
inline void emit_transfer(Xbyak::CodeGenerator& a, const ValueStack& cur, const VarState* target,
                          uint32_t base, uint32_t arity) {
  const uint32_t top = cur.height() - arity;
  // 1. Everything that goes to memory, in increasing slot order.
  for (uint32_t i = 0; i < base; ++i) {
    const VarState& src = cur[i];
    if (target[i].is_stack() && !src.is_stack()) masm::store_var(a, masm::slot_addr(a, i), src, i);
  }
  for (uint32_t m = 0; m < arity; ++m) {
    const VarState& src = cur[top + m];
    if (src.is_stack() && top == base) continue;
    masm::store_var(a, masm::slot_addr(a, base + m), src, top + m);
  }
  // 2. Register to register.
  RegMoveResolver moves;
  for (uint32_t i = 0; i < base; ++i) {
    if (target[i].is_reg() && cur[i].is_reg()) moves.add(cur[i].reg, target[i].reg);
  }
  moves.emit(a);
  // 3. Loads of constants and slots into registers.
  for (uint32_t i = 0; i < base; ++i) {
    if (target[i].is_reg() && !cur[i].is_reg()) masm::load_var(a, target[i].reg, cur[i], i);
  }
}

}  // namespace wasm::detail::jit
// ---- end include/wasm/detail/jit/state_transfer.hpp ----

namespace wasm::detail::jit {

// Xbyak's default allocator would mprotect the buffer; ours is only ever copied out of, into
// CodeMemory, so plain heap memory is enough.
struct PlainCodeAllocator : Xbyak::Allocator {
  uint8_t* alloc(size_t size) override { return static_cast<uint8_t*>(std::malloc(size)); }
  void free(uint8_t* p) override { std::free(p); }
  bool useProtect() const override { return false; }
};

// Thrown inside the compiler for conditions it refuses (never crosses its public API).
struct CompileFailure {
  const char* message;
};

class FunctionCompiler {
 public:
  explicit FunctionCompiler(const CompileEnv& env)
      : env_(env), a_(4096, Xbyak::AutoGrow, &allocator_) {
    a_.setDefaultJmpNEAR(true);
  }
  FunctionCompiler(const FunctionCompiler&) = delete;
  FunctionCompiler& operator=(const FunctionCompiler&) = delete;

  // Compiles defined function `defined_index` (0 = the first non-imported function).
  Result<CompiledFunction> compile(uint32_t defined_index);

 private:
  using Loc = VarState::Loc;
  static constexpr uint32_t kNumTrapCodes = uint32_t(TrapCode::HostError) + 1;

  // ---- driver (function_compiler.hpp)
  void reset_for(uint32_t defined_index);
  void compile_body();
  void visit(const Instruction& ins);
  void skip_unreachable(const Instruction& ins);
  void emit_prologue();
  void emit_epilogue();
  void emit_out_of_line_code();
  CompiledFunction finish();

  // ---- value stack and registers (function_compiler.hpp)
  Reg alloc_reg(RegClass cls, RegSet pinned = {});
  // A register for a result: `reuse` if no stack entry still uses it, else a fresh one.
  Reg result_reg(RegClass cls, RegSet pinned, Reg reuse);
  void spill_reg(Reg r);
  void spill_all();
  Reg pop_to_reg(RegSet pinned = {});
  VarState pop();
  void drop_top();
  void push_reg(ValType t, Reg r);
  void push_const(ValType t, int64_t v);
  void push_stack(ValType t);
  void load_to(Reg dst, uint32_t index);  // stack entry `index` into dst, entry unchanged
  Xbyak::Label& trap_label(TrapCode code) { return traps_.trap_label(code); }
  void jump_to_trap(TrapCode code) { a_.jmp(trap_label(code), Xbyak::CodeGenerator::T_NEAR); }
  void trap_if(Cond c, TrapCode code) { emit_jcc(a_, c, trap_label(code)); }
  void reload_memory_base();
  void call_vmctx_builtin(Builtin b);  // rdi = r14, call through the builtins table

  // ---- control (compile_control.hpp)
  ControlFrame& push_frame(ControlFrame::Kind kind, const BlockType& bt);
  ControlFrame& frame_at_depth(uint32_t depth) { return frames_[frames_.size() - 1 - depth]; }
  VarState* merge_state(ControlFrame& f) { return arena_.at(f.merge_at); }
  void ensure_merge_state(ControlFrame& f);
  void adopt_state(const VarState* states, uint32_t height);
  void emit_branch_to(ControlFrame& f);  // unconditional; leaves the current state as it is
  void set_unreachable_height(uint32_t base, std::span<const ValType> types);
  LabelId branch_entry(uint32_t depth);  // br_table: where a jump to this depth lands
  void emit_return(bool fallthrough = false);
  void emit_loop_header_checks();
  void flush_fuel();
  void emit_fuel_check();
  void emit_epoch_check();
  void visit_block(const Instruction& ins);
  void visit_loop(const Instruction& ins);
  void visit_if(const Instruction& ins);
  void visit_else();
  void visit_end();
  void visit_br(uint32_t depth);
  void visit_br_if(uint32_t depth);
  void emit_br_if(Cond taken, uint32_t depth);
  void open_if(const BlockType& bt, std::optional<Cond> taken);
  void visit_br_table(const Instruction& ins);
  void visit_unreachable();
  // The condition on top of the stack, as a register to `test`, or a constant.
  bool pop_condition(Reg& reg, int64_t& constant);

  // ---- variables, constants, parametric, references (compile_variables.hpp)
  void visit_local_get(uint32_t index);
  void visit_local_set(uint32_t index, bool tee);
  void visit_global_get(uint32_t index);
  void visit_global_set(uint32_t index);
  Xbyak::RegExp global_addr(uint32_t index, RegSet pinned);
  void visit_drop();
  void visit_select();
  void visit_ref_is_null();
  void visit_ref_func(uint32_t index);

  // ---- memory (compile_memory.hpp)
  struct MemAddress {
    Xbyak::RegExp exp;
    RegSet regs;  // registers the address uses (pinned until the access is emitted)
  };
  MemAddress memory_address(uint32_t memory, uint64_t offset, uint32_t size, RegSet pinned);
  MemAddress memory_address64(uint32_t memory, uint64_t offset, uint32_t size, RegSet pinned);
  Reg memory_base_reg(uint32_t memory, RegSet pinned);
  void emit_bounds_check(uint32_t memory, uint64_t end_offset, RegSet pinned);
  void visit_load(const Instruction& ins);
  void visit_store(const Instruction& ins);
  void visit_memory_size(uint32_t memory);
  void visit_table_size(uint32_t table);

  // ---- calls and builtins (compile_calls.hpp)
  struct BuiltinArg {
    bool from_stack = false;  // else `imm`
    uint64_t imm = 0;
    static BuiltinArg stack() { return BuiltinArg{true, 0}; }
    static BuiltinArg value(uint64_t v) { return BuiltinArg{false, v}; }
  };
  // Pops the stack operands (in order), calls the builtin, pushes its result if any.
  void call_builtin(Builtin b, std::initializer_list<BuiltinArg> args, bool has_result,
                    ValType result = ValType::I32);
  void visit_call(uint32_t func_index);
  void visit_call_indirect(uint32_t type_index, uint32_t table);
  void emit_indirect_target(uint32_t type_index, uint32_t table);
  void emit_call_args(const FuncType& type, const abi::CallLayout& layout);
  void finish_call(const FuncType& type, const abi::CallLayout& layout);
  void restore_rsp();
  enum class TailTarget { Direct, Imported, Indirect };
  void visit_return_call(uint32_t func_index);
  void visit_return_call_indirect(uint32_t type_index, uint32_t table);
  void emit_tail_call(const FuncType& type, TailTarget target, uint32_t func_index);
  void visit_misc_builtin(const Instruction& ins);

  // ---- numeric instructions (compile_numeric.hpp)
  void visit_numeric(const Instruction& ins);
  Cond emit_compare_flags(Op op);
  bool try_fuse_compare(Op op);
  void visit_div_rem(Op op);
  void visit_shift(Op op);

  // ---- SIMD (compile_simd.hpp)
  SimdAsm simd_asm();
  Reg simd_result_reg(Reg lhs, RegSet others, RegSet pinned);
  void visit_simd(const Instruction& ins);
  void visit_v128_const(const V128Bytes& bytes);
  void visit_simd_load(const Instruction& ins);
  void visit_simd_store(const Instruction& ins);
  void visit_simd_load_lane(const Instruction& ins);
  void visit_simd_store_lane(const Instruction& ins);
  void visit_simd_splat(Op op);
  void visit_simd_extract(const Instruction& ins);
  void visit_simd_replace(const Instruction& ins);
  void visit_simd_shift(Op op);
  void visit_simd_reduction(Op op);
  void visit_simd_v128_op(const Instruction& ins);

  const CompileEnv& env_;
  PlainCodeAllocator allocator_;
  Xbyak::CodeGenerator a_;
  Labels labels_;
  ValueStack stack_;
  RegisterCache regs_;
  StateArena arena_;
  std::vector<ControlFrame> frames_;
  std::vector<CallReloc> calls_;
  std::vector<TrapSite> trap_sites_;  // the trap stubs, in emission order
  std::vector<uint32_t> br_table_stub_;  // per depth: index of its stub label, or ~0

  InstructionReader* reader_ = nullptr;
  Instruction lookahead_;  // an instruction read ahead by try_fuse_compare, not yet visited
  bool has_lookahead_ = false;

  const FuncType* type_ = nullptr;
  uint32_t func_index_ = 0;
  uint32_t num_locals_ = 0;  // parameters included
  uint32_t max_call_results_ = 0;
  size_t frame_size_patch_ = 0;
  std::vector<size_t> rsp_patches_;  // restore_rsp's displacements, filled in by finish()
  LabelId epilogue_ = 0;
  // One out-of-line stub per trap code, emitted after the body when used. Xbyak labels, as
  // the numeric emitters jump to them too.
  struct TrapStubs final : TrapSink {
    Xbyak::Label labels[kNumTrapCodes];
    bool used[kNumTrapCodes] = {};
    Xbyak::Label& trap_label(TrapCode code) override {
      used[uint32_t(code)] = true;
      return labels[uint32_t(code)];
    }
  };
  TrapStubs traps_;
  V128ConstPool pool_;  // emitted after the trap stubs
  bool reachable_ = true;
  uint32_t unreachable_depth_ = 0;
  uint32_t fuel_pending_ = 0;

  // Out-of-line calls to out_of_fuel / epoch_deadline_reached that return to the body.
  struct SlowCall {
    Builtin builtin;
    LabelId entry;
    LabelId resume;
  };
  std::vector<SlowCall> slow_calls_;
};

}  // namespace wasm::detail::jit
// ---- end include/wasm/detail/jit/function_compiler_decl.hpp ----

namespace wasm::detail::jit {

// ---- value stack and registers ---------------------------------------------------------

inline Reg FunctionCompiler::alloc_reg(RegClass cls, RegSet pinned) {
  if (auto r = regs_.free_reg(cls, pinned)) return *r;
  Reg victim = regs_.spill_candidate(cls, pinned);
  spill_reg(victim);
  return victim;
}

inline Reg FunctionCompiler::result_reg(RegClass cls, RegSet pinned, Reg reuse) {
  if (reuse.cls() == cls && !regs_.is_used(reuse) && reuse != kScratchGpr &&
      reuse != kScratchXmm) {
    return reuse;
  }
  return alloc_reg(cls, pinned);
}

// Stores every entry that lives in `r` to its own slot; the register becomes free.
inline void FunctionCompiler::spill_reg(Reg r) {
  for (uint32_t i = stack_.height(); i-- > 0 && regs_.is_used(r);) {
    VarState& s = stack_[i];
    if (s.is_reg() && s.reg == r) {
      masm::store(a_, masm::slot_addr(a_, i), s.type, r);
      s.loc = Loc::Stack;
      regs_.dec(r);
    }
  }
}

inline void FunctionCompiler::spill_all() {
  if (regs_.used().empty()) return;
  for (uint32_t i = 0; i < stack_.height(); ++i) {
    VarState& s = stack_[i];
    if (s.is_reg()) {
      masm::store(a_, masm::slot_addr(a_, i), s.type, s.reg);
      s.loc = Loc::Stack;
    }
  }
  regs_.reset();
}

inline VarState FunctionCompiler::pop() {
  VarState s = stack_.pop();
  if (s.is_reg()) regs_.dec(s.reg);
  return s;
}

inline void FunctionCompiler::drop_top() { (void)pop(); }

inline Reg FunctionCompiler::pop_to_reg(RegSet pinned) {
  uint32_t index = stack_.height() - 1;
  VarState s = pop();
  if (s.is_reg()) return s.reg;
  Reg r = alloc_reg(reg_class_of(s.type), pinned);
  masm::load_var(a_, r, s, index);
  return r;
}

inline void FunctionCompiler::load_to(Reg dst, uint32_t index) {
  masm::load_var(a_, dst, stack_[index], index);
}

inline void FunctionCompiler::push_reg(ValType t, Reg r) {
  stack_.push(VarState::in_reg(t, r));
  regs_.inc(r);
}

inline void FunctionCompiler::push_const(ValType t, int64_t v) {
  stack_.push(VarState::constant(t, v));
}

inline void FunctionCompiler::push_stack(ValType t) { stack_.push(VarState::stack(t)); }

// r15 <- memory 0's base. Needed at entry, and in Explicit mode after anything that may grow
// (and so move) the memory: calls and memory.grow.
inline void FunctionCompiler::reload_memory_base() {
  if (!env_.has_memory()) return;
  const VMOffsets& o = env_.offsets;
  if (env_.memory_is_imported(0)) {
    a_.mov(a_.r15, a_.qword[a_.r14 + o.imported_memory_from(0)]);
    a_.mov(a_.r15, a_.qword[a_.r15 + vmlayout::VMMemoryDefinition::base]);
  } else {
    a_.mov(a_.r15, a_.qword[a_.r14 + o.memory_base(0)]);
  }
}

inline void FunctionCompiler::call_vmctx_builtin(Builtin b) {
  a_.mov(a_.rdi, a_.r14);
  a_.mov(a_.rax, a_.qword[a_.r14 + VMOffsets::builtins()]);
  a_.call(a_.qword[a_.rax + builtin_offset(b)]);
}

// ---- driver ----------------------------------------------------------------------------

inline void FunctionCompiler::reset_for(uint32_t defined_index) {
  a_.reset();
  pool_.clear();
  labels_.reset();
  stack_.reset();
  regs_.reset();
  arena_.reset();
  frames_.clear();
  calls_.clear();
  slow_calls_.clear();
  trap_sites_.clear();
  const ModuleInfo& m = env_.module;
  func_index_ = m.num_imported_funcs + defined_index;
  type_ = &m.func_type(func_index_);
  uint64_t locals = type_->params.size() + m.bodies[defined_index].local_count;
  if (locals > frame::kMaxSlots) throw CompileFailure{"too many locals for the baseline compiler"};
  num_locals_ = uint32_t(locals);
  max_call_results_ = 0;
  rsp_patches_.clear();
  for (bool& u : traps_.used) u = false;
  reachable_ = true;
  unreachable_depth_ = 0;
  fuel_pending_ = 0;
}

inline Result<CompiledFunction> FunctionCompiler::compile(uint32_t defined_index) {
  try {
    reset_for(defined_index);
    emit_prologue();
    compile_body();
    emit_epilogue();
    emit_out_of_line_code();
    return finish();
  } catch (const CompileFailure& f) {
    return Error(ErrorKind::Resource, std::string("compiling function ") +
                                          std::to_string(func_index_) + ": " + f.message);
  } catch (const Xbyak::Error& e) {
    return Error(ErrorKind::Resource, std::string("compiling function ") +
                                          std::to_string(func_index_) + ": " + e.what());
  } catch (const std::bad_alloc&) {
    return Error(ErrorKind::Resource, "out of memory while compiling function " +
                                          std::to_string(func_index_));
  } catch (const std::exception& e) {  // e.g. an emitter refusing its operands
    return Error(ErrorKind::Resource, std::string("compiling function ") +
                                          std::to_string(func_index_) + ": " + e.what());
  }
}

inline void FunctionCompiler::emit_prologue() {
  const ModuleInfo& m = env_.module;
  const FunctionBody& body = m.bodies[func_index_ - m.num_imported_funcs];
  frame::emit_prologue(a_);
  // sub rsp, imm32 — the frame size is known only after the body.
  a_.db(0x48);
  a_.db(0x81);
  a_.db(0xEC);
  frame_size_patch_ = a_.getSize();
  a_.dd(0);
  a_.mov(a_.r14, a_.rdi);

  abi::CallLayout layout = abi::call_layout(*type_);
  if (layout.has_results_area) a_.mov(a_.qword[a_.rbp + frame::kResultsPtr], a_.rdx);

  // Stack limit: the frame is already reserved but not yet touched.
  a_.mov(a_.r11, a_.qword[a_.r14 + VMOffsets::store_context()]);
  a_.cmp(a_.rsp, a_.qword[a_.r11 + store_ctx::kStackLimit]);
  trap_if(Cond::B, TrapCode::StackOverflow);
  reload_memory_base();

  // Parameters: register ones stay cached where they arrived, stack ones go to their slots.
  for (size_t i = 0; i < type_->params.size(); ++i) {
    ValType t = type_->params[i];
    const abi::ArgLocation& loc = layout.params[i];
    switch (loc.kind) {
      case abi::ArgLocation::Kind::Gpr:
        // Callers from C++ need not clear the upper half of a 32-bit argument; every i32
        // in a register must have it clear (memory indices rely on it).
        if (t == ValType::I32) a_.mov(Xbyak::Reg32(loc.reg), Xbyak::Reg32(loc.reg));
        push_reg(t, Reg::gpr(loc.reg));
        break;
      case abi::ArgLocation::Kind::Xmm: push_reg(t, Reg::xmm(loc.reg)); break;
      case abi::ArgLocation::Kind::Stack:
        masm::copy_mem(a_, masm::slot_addr(a_, uint32_t(i)),
                       a_.rbp + int32_t(frame::kIncomingArgs + loc.stack_offset), t);
        push_stack(t);
        break;
    }
  }
  // Declared locals start as zero constants: no stores needed.
  for (const LocalGroup& g : body.locals) {
    for (uint32_t k = 0; k < g.count; ++k) push_const(g.type, 0);
  }

  ControlFrame f;
  f.kind = ControlFrame::Kind::Function;
  f.type = type_;
  f.base = num_locals_;
  f.label = labels_.make();
  f.arena_mark = arena_.size();
  frames_.push_back(f);
  epilogue_ = labels_.make();

  if (env_.options.epoch_interruption) emit_epoch_check();
  if (env_.options.consume_fuel) emit_fuel_check();
}

inline void FunctionCompiler::compile_body() {
  const ModuleInfo& m = env_.module;
  const FunctionBody& body = m.bodies[func_index_ - m.num_imported_funcs];
  Reader reader(m.body_code(body), body.code_offset);
  InstructionReader instructions(reader, env_.options.features);
  reader_ = &instructions;
  has_lookahead_ = false;
  Instruction ins;
  while (!frames_.empty()) {
    if (has_lookahead_) {
      ins = lookahead_;
      has_lookahead_ = false;
    } else if (!instructions.next(ins)) {
      throw CompileFailure{"malformed function body"};
    }
    if (!reachable_) {
      skip_unreachable(ins);
      continue;
    }
    ++fuel_pending_;
    visit(ins);
  }
  reader_ = nullptr;
}

// Code after br/return/unreachable up to the end of its block is never executed: only its
// nesting is tracked, to find the `else` or `end` where code becomes reachable again.
inline void FunctionCompiler::skip_unreachable(const Instruction& ins) {
  switch (ins.op) {
    case Op::Block:
    case Op::Loop:
    case Op::If: ++unreachable_depth_; break;
    case Op::Else:
      if (unreachable_depth_ == 0) visit_else();
      break;
    case Op::End:
      if (unreachable_depth_ == 0) visit_end();
      else --unreachable_depth_;
      break;
    default: break;
  }
}

inline void FunctionCompiler::visit(const Instruction& ins) {
  switch (ins.op) {
    case Op::Unreachable: visit_unreachable(); return;
    case Op::Nop: return;
    case Op::Block: visit_block(ins); return;
    case Op::Loop: visit_loop(ins); return;
    case Op::If: visit_if(ins); return;
    case Op::Else: visit_else(); return;
    case Op::End: visit_end(); return;
    case Op::Br: visit_br(ins.index); return;
    case Op::BrIf: visit_br_if(ins.index); return;
    case Op::BrTable: visit_br_table(ins); return;
    case Op::Return:
      flush_fuel();
      emit_return();
      reachable_ = false;
      return;
    case Op::Call: visit_call(ins.index); return;
    case Op::CallIndirect: visit_call_indirect(ins.index, ins.index2); return;
    case Op::Drop: visit_drop(); return;
    case Op::Select:
    case Op::SelectT: visit_select(); return;
    case Op::LocalGet: visit_local_get(ins.index); return;
    case Op::LocalSet: visit_local_set(ins.index, false); return;
    case Op::LocalTee: visit_local_set(ins.index, true); return;
    case Op::GlobalGet: visit_global_get(ins.index); return;
    case Op::GlobalSet: visit_global_set(ins.index); return;
    case Op::I32Const: push_const(ValType::I32, ins.i32()); return;
    case Op::I64Const: push_const(ValType::I64, ins.i64()); return;
    case Op::F32Const: push_const(ValType::F32, int64_t(ins.bits)); return;
    case Op::F64Const: push_const(ValType::F64, int64_t(ins.bits)); return;
    case Op::RefNull: push_const(ins.type, 0); return;
    case Op::RefIsNull: visit_ref_is_null(); return;
    case Op::RefFunc: visit_ref_func(ins.index); return;
    case Op::MemorySize: visit_memory_size(ins.index); return;
    case Op::TableSize: visit_table_size(ins.index); return;
    case Op::MemoryGrow:
    case Op::MemoryInit:
    case Op::DataDrop:
    case Op::MemoryCopy:
    case Op::MemoryFill:
    case Op::TableGet:
    case Op::TableSet:
    case Op::TableInit:
    case Op::ElemDrop:
    case Op::TableCopy:
    case Op::TableGrow:
    case Op::TableFill: visit_misc_builtin(ins); return;
    default: break;
  }
  const OpInfo& info = ins.info();
  if (info.imm == Imm::MemArg && info.prefix != 0xFD) {
    if (info.result != Slot::None) visit_load(ins);
    else visit_store(ins);
    return;
  }
  if (info.prefix == 0xFD) {
    visit_simd(ins);
    return;
  }
  if (info.prefix == 0 && ins.op == Op::ReturnCall) {
    visit_return_call(ins.index);
    return;
  }
  if (info.prefix == 0 && ins.op == Op::ReturnCallIndirect) {
    visit_return_call_indirect(ins.index, ins.index2);
    return;
  }
  visit_numeric(ins);
}

inline void FunctionCompiler::emit_epilogue() {
  labels_.bind(a_, epilogue_);
  a_.lea(a_.rsp, a_.ptr[a_.rbp - frame::kSavedRegsBytes]);
  a_.pop(a_.r15);
  a_.pop(a_.r14);
  a_.pop(a_.rbp);
  a_.ret();
}

// Trap stubs (one per trap code) and slow calls that return to the body. Both run with rsp
// as the body left it, which is always 16-byte aligned outside call sequences.
inline void FunctionCompiler::emit_out_of_line_code() {
  for (const SlowCall& s : slow_calls_) {
    labels_.bind(a_, s.entry);
    // Every allocatable caller-saved register may hold a live value here.
    static constexpr Xbyak::Operand::Code kSaved[] = {
        Xbyak::Operand::RAX, Xbyak::Operand::RCX, Xbyak::Operand::RDX, Xbyak::Operand::RSI,
        Xbyak::Operand::RDI, Xbyak::Operand::R8,  Xbyak::Operand::R9,  Xbyak::Operand::R10};
    for (auto r : kSaved) a_.push(Xbyak::Reg64(r));
    a_.sub(a_.rsp, 16 * 15);
    for (int i = 0; i < 15; ++i) a_.movdqu(a_.xword[a_.rsp + 16 * i], Xbyak::Xmm(i));
    call_vmctx_builtin(s.builtin);
    for (int i = 0; i < 15; ++i) a_.movdqu(Xbyak::Xmm(i), a_.xword[a_.rsp + 16 * i]);
    a_.add(a_.rsp, 16 * 15);
    for (size_t i = std::size(kSaved); i-- > 0;) a_.pop(Xbyak::Reg64(kSaved[i]));
    labels_.jmp(a_, s.resume);
  }
  for (uint32_t code = 0; code < kNumTrapCodes; ++code) {
    if (!traps_.used[code]) continue;
    trap_sites_.push_back(TrapSite{uint32_t(a_.getSize()), TrapCode(code)});
    a_.L(traps_.labels[code]);
    a_.mov(a_.esi, code);
    call_vmctx_builtin(Builtin::raise_trap);
    a_.ud2();  // raise_trap does not return
  }
  pool_.emit(a_);
}

inline CompiledFunction FunctionCompiler::finish() {
  if (!labels_.all_bound() || a_.hasUndefinedLabel()) {
    throw CompileFailure{"internal error: unbound label"};
  }
  if (stack_.max_height() > frame::kMaxSlots) throw CompileFailure{"value stack too deep"};
  a_.ready();  // AutoGrow mode resolves xbyak label references (the trap stubs) here
  uint32_t bytes = frame::frame_bytes(stack_.max_height(), max_call_results_);
  a_.rewrite(frame_size_patch_, bytes, 4);
  for (size_t at : rsp_patches_) a_.rewrite(at, uint32_t(-(frame::kSavedRegsBytes + int64_t(bytes))), 4);
  CompiledFunction out;
  out.code.assign(a_.getCode(), a_.getCode() + a_.getSize());
  out.calls = calls_;
  out.traps = trap_sites_;
  out.frame.frame_bytes = bytes;
  return out;
}

}  // namespace wasm::detail::jit

// ---- begin include/wasm/detail/jit/compile_calls.hpp ----
// Calls: direct (call rel32, patched at layout), imported (through the VMFunctionImport),
// indirect (table bounds, lazy slot initialisation, null and signature checks), and calls to
// builtins for the bulk memory and table instructions.
//
// Every call first spills all registers (all allocatable registers are treated as clobbered),
// so arguments are then loaded from frame slots and constants with no move conflicts.

namespace wasm::detail::jit {

// Operands of builtins: BuiltinArg::stack(k) is the k-th popped operand counted from the
// deepest one, so arguments can be passed in a different order than the wasm stack has them.
inline void FunctionCompiler::call_builtin(Builtin b, std::initializer_list<BuiltinArg> args,
                                           bool has_result, ValType result) {
  uint32_t operands = 0;
  for (const BuiltinArg& arg : args) operands += arg.from_stack;
  spill_all();
  const uint32_t first = stack_.height() - operands;
  size_t next = 1;  // rdi is the VMContext
  for (const BuiltinArg& arg : args) {
    Reg dst = Reg::gpr(abi::kIntArgRegs[next++]);
    if (arg.from_stack) load_to(dst, first + uint32_t(arg.imm));
    else masm::load_const(a_, dst, ValType::I64, int64_t(arg.imm));
  }
  stack_.truncate(first);
  call_vmctx_builtin(b);
  if (env_.memory_base_may_move()) reload_memory_base();
  if (has_result) {
    if (result == ValType::I32) a_.mov(a_.eax, a_.eax);  // C leaves the upper half undefined
    push_reg(result, Reg::gpr(abi::RAX));
  }
}

inline void FunctionCompiler::visit_misc_builtin(const Instruction& ins) {
  using A = BuiltinArg;
  const uint32_t x = ins.index, y = ins.index2;
  auto s = [](uint32_t k) { return A{true, k}; };
  auto v = [](uint64_t value) { return A::value(value); };
  switch (ins.op) {
    case Op::MemoryGrow:  // old size in pages or ~0; i32 memories see it as -1 too
      call_builtin(Builtin::memory_grow, {v(x), s(0)}, true,
                   env_.memory_is64(x) ? ValType::I64 : ValType::I32);
      return;
    case Op::MemoryFill: call_builtin(Builtin::memory_fill, {v(x), s(0), s(1), s(2)}, false); return;
    case Op::MemoryCopy:
      call_builtin(Builtin::memory_copy, {v(x), v(y), s(0), s(1), s(2)}, false);
      return;
    case Op::MemoryInit:  // index = data segment, index2 = memory
      call_builtin(Builtin::memory_init, {v(y), v(x), s(0), s(1), s(2)}, false);
      return;
    case Op::DataDrop: call_builtin(Builtin::data_drop, {v(x)}, false); return;
    case Op::TableGet:
      call_builtin(Builtin::table_get, {v(x), s(0)}, true, env_.module.tables[x].element);
      return;
    case Op::TableSet: call_builtin(Builtin::table_set, {v(x), s(0), s(1)}, false); return;
    case Op::TableGrow:  // wasm order: init, delta
      call_builtin(Builtin::table_grow, {v(x), s(1), s(0)}, true);
      return;
    case Op::TableFill: call_builtin(Builtin::table_fill, {v(x), s(0), s(1), s(2)}, false); return;
    case Op::TableCopy:
      call_builtin(Builtin::table_copy, {v(x), v(y), s(0), s(1), s(2)}, false);
      return;
    case Op::TableInit:  // index = element segment, index2 = table
      call_builtin(Builtin::table_init, {v(y), v(x), s(0), s(1), s(2)}, false);
      return;
    case Op::ElemDrop: call_builtin(Builtin::elem_drop, {v(x)}, false); return;
    default: throw CompileFailure{"internal error: not a builtin instruction"};
  }
}

// Moves the arguments (top of the stack, all spilled) to where the callee expects them and
// pops them. Leaves rsp lowered by the outgoing stack-argument bytes.
inline void FunctionCompiler::emit_call_args(const FuncType& type, const abi::CallLayout& layout) {
  const uint32_t n = uint32_t(type.params.size());
  const uint32_t first = stack_.height() - n;
  if (layout.stack_bytes) a_.sub(a_.rsp, layout.stack_bytes);
  for (uint32_t i = 0; i < n; ++i) {
    const abi::ArgLocation& loc = layout.params[i];
    switch (loc.kind) {
      case abi::ArgLocation::Kind::Gpr: load_to(Reg::gpr(loc.reg), first + i); break;
      case abi::ArgLocation::Kind::Xmm: load_to(Reg::xmm(loc.reg), first + i); break;
      case abi::ArgLocation::Kind::Stack:
        masm::store_var(a_, a_.rsp + int32_t(loc.stack_offset), stack_[first + i], first + i);
        break;
    }
  }
  stack_.truncate(first);
  a_.mov(a_.rsi, a_.r14);
  if (layout.has_results_area) a_.lea(a_.rdx, a_.ptr[a_.rsp + int32_t(layout.stack_bytes)]);
}

// After the call instruction: release the stack arguments and push the results.
inline void FunctionCompiler::finish_call(const FuncType& type, const abi::CallLayout& layout) {
  (void)layout;
  restore_rsp();
  if (env_.memory_base_may_move()) reload_memory_base();
  const uint32_t n = uint32_t(type.results.size());
  if (n == 1) {
    ValType t = type.results[0];
    if (t == ValType::I32) a_.mov(a_.eax, a_.eax);  // the callee may be a host function
    push_reg(t, abi::is_float_class(t) ? Reg::xmm(0) : Reg::gpr(abi::RAX));
  } else if (n > 1) {
    max_call_results_ = std::max(max_call_results_, n);
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t slot = stack_.height();
      masm::copy_mem(a_, masm::slot_addr(a_, slot), a_.rsp + int32_t(16 * i), type.results[i]);
      push_stack(type.results[i]);
    }
  }
}

inline void FunctionCompiler::visit_call(uint32_t func_index) {
  flush_fuel();
  const FuncType& type = env_.module.func_type(func_index);
  abi::CallLayout layout = abi::call_layout(type);
  spill_all();
  emit_call_args(type, layout);
  if (env_.func_is_imported(func_index)) {
    const VMOffsets& o = env_.offsets;
    a_.mov(a_.rdi, a_.qword[a_.r14 + o.imported_function_vmctx(func_index)]);
    a_.call(a_.qword[a_.r14 + o.imported_function_code(func_index)]);
  } else {
    a_.mov(a_.rdi, a_.r14);
    a_.db(0xE8);  // call rel32, patched when the module is laid out
    calls_.push_back(CallReloc{uint32_t(a_.getSize()), func_index});
    a_.dd(0);
  }
  finish_call(type, layout);
}

// Resets rsp to the body's fixed value (rbp - saved registers - frame bytes, patched by
// finish()) rather than adding the argument bytes back: a callee that tail-called a function
// with more stack arguments than it received returns with rsp lower (see emit_tail_call).
inline void FunctionCompiler::restore_rsp() {
  a_.lea(a_.rsp, a_.ptr[a_.rbp - 0x10000000]);  // the placeholder forces a 32-bit displacement
  rsp_patches_.push_back(a_.getSize() - 4);
}

inline void FunctionCompiler::visit_call_indirect(uint32_t type_index, uint32_t table) {
  flush_fuel();
  const FuncType& type = env_.module.types[type_index];
  abi::CallLayout layout = abi::call_layout(type);
  spill_all();
  emit_indirect_target(type_index, table);
  emit_call_args(type, layout);
  a_.mov(a_.rax, a_.qword[a_.rbp + frame::kCallTarget]);
  a_.mov(a_.rdi, a_.qword[a_.rax + vmlayout::VMFuncRef::vmctx]);
  a_.call(a_.qword[a_.rax + vmlayout::VMFuncRef::code]);
  finish_call(type, layout);
}

// call_indirect's checks: pops the index, traps on a bad index, a null entry or another
// signature, and leaves the VMFuncRef* in the frame at kCallTarget. Values must be spilled.
inline void FunctionCompiler::emit_indirect_target(uint32_t type_index, uint32_t table) {
  const VMOffsets& o = env_.offsets;
  // Index (zero-extended) in r11, the table's slots in rax.
  load_to(kScratchGpr, stack_.height() - 1);
  stack_.truncate(stack_.height() - 1);
  if (env_.table_is_imported(table)) {
    a_.mov(a_.rax, a_.qword[a_.r14 + o.imported_table_from(table)]);
    a_.cmp(a_.r11, a_.qword[a_.rax + vmlayout::VMTableDefinition::current_elements]);
    trap_if(Cond::AE, TrapCode::TableOutOfBounds);
    a_.mov(a_.rax, a_.qword[a_.rax + vmlayout::VMTableDefinition::base]);
  } else {
    uint32_t d = env_.defined_table(table);
    a_.cmp(a_.r11, a_.qword[a_.r14 + o.table_current_elements(d)]);
    trap_if(Cond::AE, TrapCode::TableOutOfBounds);
    a_.mov(a_.rax, a_.qword[a_.r14 + o.table_base(d)]);
  }
  a_.mov(a_.rax, a_.qword[a_.rax + a_.r11 * 8]);
  // Slot word: 0 = not initialised yet, else VMFuncRef* | 1 (initialised null is 1).
  LabelId initialised = labels_.make();
  a_.test(a_.rax, a_.rax);
  labels_.jcc(a_, Cond::NE, initialised);
  a_.mov(a_.edx, a_.r11d);
  a_.mov(a_.esi, table);
  call_vmctx_builtin(Builtin::table_lazy_init);  // returns the untagged VMFuncRef* or null
  labels_.bind(a_, initialised);
  a_.and_(a_.rax, -2);
  trap_if(Cond::E, TrapCode::IndirectCallToNull);
  a_.mov(a_.r11, a_.qword[a_.r14 + VMOffsets::type_ids()]);
  a_.mov(a_.r11d, a_.dword[a_.r11 + int32_t(4 * type_index)]);
  a_.cmp(a_.r11d, a_.dword[a_.rax + vmlayout::VMFuncRef::type_id]);
  trap_if(Cond::NE, TrapCode::BadSignature);
  a_.mov(a_.qword[a_.rbp + frame::kCallTarget], a_.rax);
}

// ---- tail calls (return_call, return_call_indirect)
//
// The callee's frame replaces ours. Its stack arguments go at the TOP of our incoming
// argument area (top = rbp + 16 + the bytes we received), its return address (ours) right
// below them: a chain of tail calls never moves the top, so unbounded tail recursion runs in
// constant stack whatever each function's stack arguments. A callee with more stack
// arguments than we received extends the area downward, below our caller's rsp, which is free;
// every caller resets rsp from rbp after a call (restore_rsp) and so does not care.
// Our caller's rbp, r14 and r15 are restored as the epilogue would, so the frame chain seen by
// traps and backtraces goes from the callee straight to our caller. Host functions are
// native-convention code reached the same way (their adapters read stack arguments above the
// return address), so a tail call into an import is a jump too.

inline void FunctionCompiler::visit_return_call(uint32_t func_index) {
  flush_fuel();
  const FuncType& type = env_.module.func_type(func_index);
  spill_all();
  emit_tail_call(type, env_.func_is_imported(func_index) ? TailTarget::Imported : TailTarget::Direct,
                 func_index);
}

inline void FunctionCompiler::visit_return_call_indirect(uint32_t type_index, uint32_t table) {
  flush_fuel();
  spill_all();
  emit_indirect_target(type_index, table);
  emit_tail_call(env_.module.types[type_index], TailTarget::Indirect, 0);
}

inline void FunctionCompiler::emit_tail_call(const FuncType& type, TailTarget target,
                                             uint32_t func_index) {
  const abi::CallLayout layout = abi::call_layout(type);
  const uint32_t received = abi::call_layout(*type_).stack_bytes;
  const VMOffsets& o = env_.offsets;
  // Arguments as for a call: stack ones below rsp for now, register ones in place.
  emit_call_args(type, layout);
  // Same results as ours (validated): the callee writes them to our caller's area.
  if (layout.has_results_area) a_.mov(a_.rdx, a_.qword[a_.rbp + frame::kResultsPtr]);
  // Callee VMContext in rdi, code in r11 (none of them argument registers), while r14 and rbp
  // are still ours.
  switch (target) {
    case TailTarget::Direct: a_.mov(a_.rdi, a_.r14); break;
    case TailTarget::Imported:
      a_.mov(a_.rdi, a_.qword[a_.r14 + o.imported_function_vmctx(func_index)]);
      a_.mov(a_.r11, a_.qword[a_.r14 + o.imported_function_code(func_index)]);
      break;
    case TailTarget::Indirect:
      a_.mov(a_.rax, a_.qword[a_.rbp + frame::kCallTarget]);
      a_.mov(a_.rdi, a_.qword[a_.rax + vmlayout::VMFuncRef::vmctx]);
      a_.mov(a_.r11, a_.qword[a_.rax + vmlayout::VMFuncRef::code]);
      break;
  }
  // Our return address and our caller's registers, before the arguments may overwrite them.
  a_.mov(a_.r10, a_.qword[a_.rbp + 8]);
  a_.mov(a_.rbx, a_.qword[a_.rbp + frame::kSavedRbp]);
  a_.mov(a_.r14, a_.qword[a_.rbp + frame::kSavedR14]);
  a_.mov(a_.r15, a_.qword[a_.rbp + frame::kSavedR15]);
  // The destination lies above the source (past our whole frame), possibly overlapping it:
  // copy the highest word first.
  const int32_t dest = frame::kIncomingArgs + int32_t(received) - int32_t(layout.stack_bytes);
  for (int32_t k = int32_t(layout.stack_bytes) - 8; k >= 0; k -= 8) {
    a_.mov(a_.rax, a_.qword[a_.rsp + k]);
    a_.mov(a_.qword[a_.rbp + dest + k], a_.rax);
  }
  a_.lea(a_.rsp, a_.ptr[a_.rbp + dest - 8]);
  a_.mov(a_.qword[a_.rsp], a_.r10);
  a_.mov(a_.rbp, a_.rbx);
  if (target == TailTarget::Direct) {
    a_.db(0xE9);  // jmp rel32, patched like a call when the module is laid out
    calls_.push_back(CallReloc{uint32_t(a_.getSize()), func_index});
    a_.dd(0);
  } else {
    a_.jmp(a_.r11);
  }
  reachable_ = false;
}

}  // namespace wasm::detail::jit
// ---- end include/wasm/detail/jit/compile_calls.hpp ----
// ---- begin include/wasm/detail/jit/compile_control.hpp ----
// Control instructions: block, loop, if/else, end, br, br_if, br_table, return, unreachable,
// and the fuel and epoch checks at function entry and loop headers.
//
// A label's merge state is fixed by the first branch to it (or, for a loop, at its entry);
// every later branch moves its state into that one (state_transfer.hpp). A block that no
// branch targets just continues with whatever state its last instruction left.

namespace wasm::detail::jit {

inline ControlFrame& FunctionCompiler::push_frame(ControlFrame::Kind kind, const BlockType& bt) {
  ControlFrame f;
  f.kind = kind;
  if (bt.kind == BlockType::Kind::TypeIndex) {
    f.type = &env_.module.types[bt.type_index];
  } else if (bt.kind == BlockType::Kind::Value) {
    f.has_single_result = true;
    f.single_result = bt.value;
  }
  f.base = stack_.height() - uint32_t(f.params().size());
  f.label = labels_.make();
  f.arena_mark = arena_.size();
  f.merge_at = arena_.reserve(f.base + f.branch_arity());
  frames_.push_back(f);
  return frames_.back();
}

inline void FunctionCompiler::ensure_merge_state(ControlFrame& f) {
  if (f.merge_ready) return;
  make_merge_state(stack_, num_locals_, f.base, f.branch_arity(), merge_state(f));
  f.merge_ready = true;
}

inline void FunctionCompiler::adopt_state(const VarState* states, uint32_t height) {
  stack_.resize(height, VarState{});
  for (uint32_t i = 0; i < height; ++i) stack_[i] = states[i];
  regs_.recount(stack_);
}

// After an unconditional branch the values are never used; only the height matters until
// code becomes reachable again.
inline void FunctionCompiler::set_unreachable_height(uint32_t base,
                                                     std::span<const ValType> types) {
  while (stack_.height() > base) drop_top();
  while (stack_.height() < base) push_stack(ValType::I32);
  for (ValType t : types) push_stack(t);
}

inline void FunctionCompiler::emit_branch_to(ControlFrame& f) {
  if (f.kind == ControlFrame::Kind::Function) {
    emit_return();
    return;
  }
  ensure_merge_state(f);
  emit_transfer(a_, stack_, merge_state(f), f.base, f.branch_arity());
  labels_.jmp(a_, f.label);
}

// Results to rax/xmm0 or the caller's results area, then to the shared epilogue.
inline void FunctionCompiler::emit_return(bool fallthrough) {
  const std::vector<ValType>& results = type_->results;
  const uint32_t n = uint32_t(results.size());
  const uint32_t first = stack_.height() - n;
  if (n == 1) {
    load_to(abi::is_float_class(results[0]) ? Reg::xmm(0) : Reg::gpr(abi::RAX), first);
  } else if (n > 1) {
    a_.mov(a_.r11, a_.qword[a_.rbp + frame::kResultsPtr]);
    for (uint32_t i = 0; i < n; ++i) {
      const VarState& s = stack_[first + i];
      Xbyak::RegExp dst = a_.r11 + int32_t(16 * i);
      if (s.is_reg()) {
        masm::store(a_, dst, s.type, s.reg);
      } else if (s.is_const()) {
        // r11 holds the area: a wide constant goes in two halves.
        if (s.type == ValType::V128 || valtype_size(s.type) == 4 || masm::fits_i32(s.imm)) {
          masm::store_const(a_, dst, s.type, s.imm);
        } else {
          a_.mov(a_.dword[dst], uint32_t(s.imm));
          a_.mov(a_.dword[dst + 4], uint32_t(uint64_t(s.imm) >> 32));
        }
      } else {
        a_.movdqu(a_.xmm15, a_.xword[masm::slot_addr(a_, first + i)]);
        a_.movdqu(a_.xword[dst], a_.xmm15);
      }
    }
  }
  if (!fallthrough) labels_.jmp(a_, epilogue_);
}

// ---- fuel and epochs -------------------------------------------------------------------

// Adds the instructions counted since the last flush to the store's fuel counter. Called at
// every control-flow edge, so the count is exact on every path.
inline void FunctionCompiler::flush_fuel() {
  if (!env_.options.consume_fuel || fuel_pending_ == 0) return;
  a_.mov(a_.r11, a_.qword[a_.r14 + VMOffsets::store_context()]);
  a_.add(a_.qword[a_.r11 + store_ctx::kFuelConsumed], fuel_pending_);
  fuel_pending_ = 0;
}

inline void FunctionCompiler::emit_fuel_check() {
  a_.mov(a_.r11, a_.qword[a_.r14 + VMOffsets::store_context()]);
  a_.cmp(a_.qword[a_.r11 + store_ctx::kFuelConsumed], 0);
  SlowCall call{Builtin::out_of_fuel, labels_.make(), labels_.make()};
  labels_.jcc(a_, Cond::GE, call.entry);
  labels_.bind(a_, call.resume);
  slow_calls_.push_back(call);
}

inline void FunctionCompiler::emit_epoch_check() {
  Reg t = alloc_reg(RegClass::Gpr);
  a_.mov(a_.r11, a_.qword[a_.r14 + VMOffsets::store_context()]);
  a_.mov(t.r64(), a_.qword[a_.r11 + store_ctx::kEpochCounter]);
  a_.mov(t.r64(), a_.qword[t.r64()]);
  a_.cmp(t.r64(), a_.qword[a_.r11 + store_ctx::kEpochDeadline]);
  SlowCall call{Builtin::epoch_deadline_reached, labels_.make(), labels_.make()};
  labels_.jcc(a_, Cond::AE, call.entry);
  labels_.bind(a_, call.resume);
  slow_calls_.push_back(call);
}

inline void FunctionCompiler::emit_loop_header_checks() {
  if (env_.options.epoch_interruption) emit_epoch_check();
  if (env_.options.consume_fuel) emit_fuel_check();
}

// ---- blocks ----------------------------------------------------------------------------

inline void FunctionCompiler::visit_block(const Instruction& ins) {
  push_frame(ControlFrame::Kind::Block, ins.block);
}

inline void FunctionCompiler::visit_loop(const Instruction& ins) {
  flush_fuel();
  ControlFrame& f = push_frame(ControlFrame::Kind::Loop, ins.block);
  // The head's state is fixed now: back edges must match it.
  ensure_merge_state(f);
  emit_transfer(a_, stack_, merge_state(f), f.base, f.branch_arity());
  adopt_state(merge_state(f), f.base + f.branch_arity());
  labels_.bind(a_, f.label);
  emit_loop_header_checks();
}

inline bool FunctionCompiler::pop_condition(Reg& reg, int64_t& constant) {
  if (stack_.back().is_const()) {
    constant = pop().imm;
    return false;
  }
  reg = pop_to_reg();
  return true;
}

inline void FunctionCompiler::visit_if(const Instruction& ins) {
  flush_fuel();
  Reg cond;
  int64_t constant = 0;
  if (pop_condition(cond, constant)) {
    a_.test(cond.r32(), cond.r32());
    open_if(ins.block, Cond::NE);
    return;
  }
  open_if(ins.block, std::nullopt);
  if (constant == 0) {
    labels_.jmp(a_, frames_.back().else_label);
    reachable_ = false;  // the then-branch is dead code
  }
}

// Opens an if frame; with `taken`, the flags are set and the then-branch runs when it holds.
inline void FunctionCompiler::open_if(const BlockType& bt, std::optional<Cond> taken) {
  ControlFrame& f = push_frame(ControlFrame::Kind::If, bt);
  f.else_label = labels_.make();
  uint32_t height = stack_.height();
  f.else_state_at = arena_.reserve(height);
  VarState* saved = arena_.at(f.else_state_at);
  for (uint32_t i = 0; i < height; ++i) saved[i] = stack_[i];
  if (taken) labels_.jcc(a_, negate(*taken), f.else_label);
}

inline void FunctionCompiler::visit_else() {
  ControlFrame& f = frames_.back();
  if (reachable_) {
    flush_fuel();
    emit_branch_to(f);
  }
  f.has_else = true;
  labels_.bind(a_, f.else_label);
  adopt_state(arena_.at(f.else_state_at), f.base + uint32_t(f.params().size()));
  reachable_ = true;
}

inline void FunctionCompiler::visit_end() {
  ControlFrame& f = frames_.back();
  if (reachable_) flush_fuel();
  switch (f.kind) {
    case ControlFrame::Kind::Function:
      if (reachable_) emit_return(/*fallthrough=*/true);
      frames_.pop_back();
      return;
    case ControlFrame::Kind::Loop:
      if (!reachable_) set_unreachable_height(f.base, f.results());
      break;
    case ControlFrame::Kind::If:
      if (!f.has_else) {
        // The missing else passes the parameters through: it branches to the end too.
        if (reachable_) emit_branch_to(f);
        labels_.bind(a_, f.else_label);
        adopt_state(arena_.at(f.else_state_at), f.base + uint32_t(f.params().size()));
        reachable_ = true;
      }
      [[fallthrough]];
    case ControlFrame::Kind::Block:
      if (reachable_ && f.merge_ready) {
        emit_transfer(a_, stack_, merge_state(f), f.base, f.branch_arity());
      }
      labels_.bind(a_, f.label);
      if (f.merge_ready) {
        adopt_state(merge_state(f), f.base + f.branch_arity());
        reachable_ = true;
      } else if (!reachable_) {
        set_unreachable_height(f.base, f.results());
      }
      break;
  }
  uint32_t mark = f.arena_mark;
  frames_.pop_back();
  arena_.release_to(mark);
}

// ---- branches --------------------------------------------------------------------------

inline void FunctionCompiler::visit_br(uint32_t depth) {
  flush_fuel();
  emit_branch_to(frame_at_depth(depth));
  reachable_ = false;
}

inline void FunctionCompiler::visit_br_if(uint32_t depth) {
  flush_fuel();
  Reg cond;
  int64_t constant = 0;
  if (!pop_condition(cond, constant)) {
    if (constant != 0) visit_br(depth);
    return;
  }
  a_.test(cond.r32(), cond.r32());
  emit_br_if(Cond::NE, depth);
}

// The flags are set: branch to `depth` when `taken` holds.
inline void FunctionCompiler::emit_br_if(Cond taken, uint32_t depth) {
  ControlFrame& f = frame_at_depth(depth);
  if (f.kind != ControlFrame::Kind::Function) {
    ensure_merge_state(f);
    if (transfer_is_noop(stack_, merge_state(f), f.base, f.branch_arity())) {
      labels_.jcc(a_, taken, f.label);
      return;
    }
  }
  LabelId skip = labels_.make();
  labels_.jcc(a_, negate(taken), skip);
  emit_branch_to(f);
  labels_.bind(a_, skip);
}

// The label a br_table entry jumps to for this depth: the frame's own label when no moves
// are needed, else a stub (made once per depth) that moves the state first.
inline LabelId FunctionCompiler::branch_entry(uint32_t depth) {
  uint32_t& stub = br_table_stub_[depth];
  if (stub != ~0u) return stub;
  ControlFrame& f = frame_at_depth(depth);
  if (f.kind != ControlFrame::Kind::Function) {
    ensure_merge_state(f);
    if (transfer_is_noop(stack_, merge_state(f), f.base, f.branch_arity())) {
      stub = f.label;
      return stub;
    }
  }
  stub = labels_.make();
  return stub;
}

inline void FunctionCompiler::visit_br_table(const Instruction& ins) {
  flush_fuel();
  const std::vector<uint32_t>& targets = *ins.targets;
  if (stack_.back().is_const()) {
    uint32_t k = uint32_t(pop().imm);
    visit_br(k < targets.size() ? targets[k] : ins.index);
    return;
  }
  Reg index = pop_to_reg();
  // The index as a 64-bit table offset; i32 values are kept zero-extended in registers.
  br_table_stub_.assign(frames_.size(), ~0u);
  a_.cmp(index.r32(), uint32_t(targets.size()));
  labels_.jcc(a_, Cond::AE, branch_entry(ins.index));
  if (!targets.empty()) {
    LabelId table = labels_.make();
    // Entries are 8 bytes (jmp rel32 + padding): r11 = table + 8 * index.
    labels_.lea(a_, a_.r11, table);
    a_.lea(a_.r11, a_.ptr[a_.r11 + index.r64() * 8]);
    a_.jmp(a_.r11);
    labels_.bind(a_, table);
    for (uint32_t depth : targets) {
      labels_.jmp(a_, branch_entry(depth), /*near=*/true);
      a_.db(0xCC);
      a_.db(0xCC);
      a_.db(0xCC);
    }
  }
  // Stubs for the targets that need moves (and returns).
  for (uint32_t depth = 0; depth < br_table_stub_.size(); ++depth) {
    uint32_t stub = br_table_stub_[depth];
    if (stub == ~0u) continue;
    ControlFrame& f = frame_at_depth(depth);
    if (f.kind != ControlFrame::Kind::Function && stub == f.label) continue;
    labels_.bind(a_, stub);
    emit_branch_to(f);
  }
  reachable_ = false;
}

inline void FunctionCompiler::visit_unreachable() {
  flush_fuel();
  jump_to_trap(TrapCode::UnreachableCodeReached);
  reachable_ = false;
}

}  // namespace wasm::detail::jit
// ---- end include/wasm/detail/jit/compile_control.hpp ----
// ---- begin include/wasm/detail/jit/compile_memory.hpp ----
// Loads, stores, memory.size and table.size.
//
// Effective address = base + zero-extended i32 address + offset. Memory 0's base is pinned in
// r15; other memories load theirs from their definition. With guard pages (the default) a
// 32-bit memory reserves 4 GiB plus a guard region, so an access needs no check when the
// guard covers its offset; otherwise, and in the Explicit mode, the end of the access is
// compared with the memory's current length.

namespace wasm::detail::jit {

namespace memory_detail {

// Same rule as LinearMemory's guard_covers_access: the last byte of the largest index stays
// inside the 4 GiB + guard reservation.
constexpr bool guard_covers(uint64_t guard_bytes, uint64_t offset, uint64_t size) {
  return size >= 1 && offset <= guard_bytes && size <= guard_bytes - offset + 1;
}

constexpr uint64_t kMaxDisp = 0x7FFFFFFF;

}  // namespace memory_detail

inline Reg FunctionCompiler::memory_base_reg(uint32_t memory, RegSet pinned) {
  if (memory == 0) return Reg::gpr(abi::R15);
  const VMOffsets& o = env_.offsets;
  Reg base = alloc_reg(RegClass::Gpr, pinned);
  if (env_.memory_is_imported(memory)) {
    a_.mov(base.r64(), a_.qword[a_.r14 + o.imported_memory_from(memory)]);
    a_.mov(base.r64(), a_.qword[base.r64() + vmlayout::VMMemoryDefinition::base]);
  } else {
    a_.mov(base.r64(), a_.qword[a_.r14 + o.memory_base(env_.defined_memory(memory))]);
  }
  return base;
}

// Traps unless r11 (the zero-extended address) + end_offset <= current length.
inline void FunctionCompiler::emit_bounds_check(uint32_t memory, uint64_t end_offset,
                                                RegSet pinned) {
  const VMOffsets& o = env_.offsets;
  Reg end = alloc_reg(RegClass::Gpr, pinned);
  if (end_offset <= memory_detail::kMaxDisp) {
    a_.lea(end.r64(), a_.ptr[a_.r11 + int32_t(end_offset)]);
  } else {
    a_.mov(end.r64(), end_offset);
    a_.add(end.r64(), a_.r11);
  }
  if (env_.memory_is_imported(memory)) {
    Reg def = alloc_reg(RegClass::Gpr, pinned | RegSet{end});
    a_.mov(def.r64(), a_.qword[a_.r14 + o.imported_memory_from(memory)]);
    a_.cmp(end.r64(), a_.qword[def.r64() + vmlayout::VMMemoryDefinition::current_length]);
  } else {
    a_.cmp(end.r64(), a_.qword[a_.r14 + o.memory_length(env_.defined_memory(memory))]);
  }
  trap_if(Cond::A, TrapCode::MemoryOutOfBounds);
}

// A 64-bit memory (memory64): guard pages cannot cover a 64-bit address, so every access is
// checked: r11 = address; address + offset + size must not carry past 2^64 and must not exceed
// the current length (one add and one compare against the length in the VMContext).
inline FunctionCompiler::MemAddress FunctionCompiler::memory_address64(uint32_t memory,
                                                                       uint64_t offset,
                                                                       uint32_t size,
                                                                       RegSet pinned) {
  using memory_detail::kMaxDisp;
  Reg index = pop_to_reg(pinned);
  a_.mov(a_.r11, index.r64());
  const uint64_t end_offset = offset + size;
  if (end_offset < offset) {
    // offset + size itself passes 2^64: no address works. The access below is never reached.
    jump_to_trap(TrapCode::MemoryOutOfBounds);
    Reg base = memory_base_reg(memory, pinned);
    return {base.r64() + a_.r11, {base}};
  }
  Reg end = alloc_reg(RegClass::Gpr, pinned);
  a_.mov(end.r64(), end_offset);
  a_.add(end.r64(), a_.r11);
  trap_if(Cond::B, TrapCode::MemoryOutOfBounds);  // carry: past 2^64
  const VMOffsets& o = env_.offsets;
  if (env_.memory_is_imported(memory)) {
    Reg def = alloc_reg(RegClass::Gpr, pinned | RegSet{end});
    a_.mov(def.r64(), a_.qword[a_.r14 + o.imported_memory_from(memory)]);
    a_.cmp(end.r64(), a_.qword[def.r64() + vmlayout::VMMemoryDefinition::current_length]);
  } else {
    a_.cmp(end.r64(), a_.qword[a_.r14 + o.memory_length(env_.defined_memory(memory))]);
  }
  trap_if(Cond::A, TrapCode::MemoryOutOfBounds);
  Reg base = memory_base_reg(memory, pinned);
  if (offset <= kMaxDisp) return {base.r64() + a_.r11 + int32_t(offset), {base}};
  // The check passed, so offset < length: the sum cannot wrap.
  Reg sum = alloc_reg(RegClass::Gpr, pinned | RegSet{base});
  a_.mov(sum.r64(), offset);
  a_.add(sum.r64(), a_.r11);
  return {base.r64() + sum.r64(), {base, sum}};
}

// Pops the address operand and returns the operand of the access.
inline FunctionCompiler::MemAddress FunctionCompiler::memory_address(uint32_t memory,
                                                                     uint64_t offset,
                                                                     uint32_t size,
                                                                     RegSet pinned) {
  using memory_detail::kMaxDisp;
  if (env_.memory_is64(memory)) return memory_address64(memory, offset, size, pinned);
  const bool checked = env_.explicit_bounds() ||
                       !memory_detail::guard_covers(env_.options.guard_bytes, offset, size);
  if (!checked && stack_.back().is_const()) {
    uint64_t effective = uint64_t(uint32_t(pop().imm)) + offset;
    Reg base = memory_base_reg(memory, pinned);
    if (effective <= kMaxDisp) return {base.r64() + int32_t(effective), {base}};
    a_.mov(a_.r11, effective);
    return {base.r64() + a_.r11, {base}};
  }
  Reg index = pop_to_reg(pinned);
  if (!checked && offset <= kMaxDisp) {
    // i32 values are zero-extended in their registers: usable as the index directly.
    Reg base = memory_base_reg(memory, pinned | RegSet{index});
    return {base.r64() + index.r64() + int32_t(offset), {base, index}};
  }
  a_.mov(a_.r11d, index.r32());
  if (checked) emit_bounds_check(memory, offset + size, pinned);
  Reg base = memory_base_reg(memory, pinned);
  if (offset <= kMaxDisp) return {base.r64() + a_.r11 + int32_t(offset), {base}};
  Reg sum = alloc_reg(RegClass::Gpr, pinned | RegSet{base});
  a_.mov(sum.r64(), offset);
  a_.add(sum.r64(), a_.r11);
  return {base.r64() + sum.r64(), {base, sum}};
}

inline void FunctionCompiler::visit_load(const Instruction& ins) {
  const OpInfo& info = ins.info();
  const ValType type = slot_type(info.result);
  MemAddress m = memory_address(ins.mem.memory, ins.mem.offset, info.extra, {});
  // The address registers are dead after the load: the result may take one of them.
  Reg dst = alloc_reg(reg_class_of(type), m.regs);
  if (dst.cls() == RegClass::Gpr) {
    for (Reg r : RegisterCache::candidates(RegClass::Gpr)) {
      if (m.regs.has(r) && !regs_.is_used(r)) {
        dst = r;
        break;
      }
    }
  }
  const Xbyak::RegExp& e = m.exp;
  switch (ins.op) {
    case Op::I32Load: a_.mov(dst.r32(), a_.dword[e]); break;
    case Op::I64Load: a_.mov(dst.r64(), a_.qword[e]); break;
    case Op::F32Load: a_.movss(dst.x(), a_.dword[e]); break;
    case Op::F64Load: a_.movsd(dst.x(), a_.qword[e]); break;
    case Op::I32Load8S: a_.movsx(dst.r32(), a_.byte[e]); break;
    case Op::I32Load8U: a_.movzx(dst.r32(), a_.byte[e]); break;
    case Op::I32Load16S: a_.movsx(dst.r32(), a_.word[e]); break;
    case Op::I32Load16U: a_.movzx(dst.r32(), a_.word[e]); break;
    case Op::I64Load8S: a_.movsx(dst.r64(), a_.byte[e]); break;
    case Op::I64Load8U: a_.movzx(dst.r32(), a_.byte[e]); break;
    case Op::I64Load16S: a_.movsx(dst.r64(), a_.word[e]); break;
    case Op::I64Load16U: a_.movzx(dst.r32(), a_.word[e]); break;
    case Op::I64Load32S: a_.movsxd(dst.r64(), a_.dword[e]); break;
    case Op::I64Load32U: a_.mov(dst.r32(), a_.dword[e]); break;
    default: throw CompileFailure{"internal error: not a load"};
  }
  push_reg(type, dst);
}

inline void FunctionCompiler::visit_store(const Instruction& ins) {
  const OpInfo& info = ins.info();
  const uint32_t size = info.extra;
  VarState value = stack_.back();
  Reg reg;
  if (value.is_const()) {
    drop_top();
  } else {
    reg = pop_to_reg();
  }
  RegSet pinned;
  if (!value.is_const()) pinned.add(reg);
  MemAddress m = memory_address(ins.mem.memory, ins.mem.offset, size, pinned);
  const Xbyak::RegExp& e = m.exp;
  if (value.is_const()) {
    uint64_t v = uint64_t(value.imm);
    switch (size) {
      case 1: a_.mov(a_.byte[e], uint8_t(v)); break;
      case 2: a_.mov(a_.word[e], uint16_t(v)); break;
      case 4: a_.mov(a_.dword[e], uint32_t(v)); break;
      default:
        if (masm::fits_i32(int64_t(v))) {
          a_.mov(a_.qword[e], int32_t(v));
        } else {
          a_.mov(a_.dword[e], uint32_t(v));
          a_.mov(a_.dword[e + 4], uint32_t(v >> 32));
        }
        break;
    }
    return;
  }
  switch (ins.op) {
    case Op::F32Store: a_.movss(a_.dword[e], reg.x()); break;
    case Op::F64Store: a_.movsd(a_.qword[e], reg.x()); break;
    default:
      switch (size) {
        case 1: a_.mov(a_.byte[e], reg.r64().cvt8()); break;
        case 2: a_.mov(a_.word[e], reg.r64().cvt16()); break;
        case 4: a_.mov(a_.dword[e], reg.r32()); break;
        default: a_.mov(a_.qword[e], reg.r64()); break;
      }
  }
}

inline void FunctionCompiler::visit_memory_size(uint32_t memory) {
  const VMOffsets& o = env_.offsets;
  Reg dst = alloc_reg(RegClass::Gpr);
  if (env_.memory_is_imported(memory)) {
    a_.mov(dst.r64(), a_.qword[a_.r14 + o.imported_memory_from(memory)]);
    a_.mov(dst.r64(), a_.qword[dst.r64() + vmlayout::VMMemoryDefinition::current_length]);
  } else {
    a_.mov(dst.r64(), a_.qword[a_.r14 + o.memory_length(env_.defined_memory(memory))]);
  }
  a_.shr(dst.r64(), 16);
  push_reg(env_.memory_is64(memory) ? ValType::I64 : ValType::I32, dst);
}

inline void FunctionCompiler::visit_table_size(uint32_t table) {
  const VMOffsets& o = env_.offsets;
  Reg dst = alloc_reg(RegClass::Gpr);
  if (env_.table_is_imported(table)) {
    a_.mov(dst.r64(), a_.qword[a_.r14 + o.imported_table_from(table)]);
    a_.mov(dst.r32(), a_.dword[dst.r64() + vmlayout::VMTableDefinition::current_elements]);
  } else {
    a_.mov(dst.r32(),
           a_.dword[a_.r14 + o.table_current_elements(env_.defined_table(table))]);
  }
  push_reg(ValType::I32, dst);
}

}  // namespace wasm::detail::jit
// ---- end include/wasm/detail/jit/compile_memory.hpp ----
// ---- begin include/wasm/detail/jit/compile_numeric.hpp ----
// Numeric instructions: operands are put where emit_numeric's constraints want them, the
// instruction sequence itself comes from emit_numeric.hpp. Constant integer right-hand sides
// stay immediates. An integer comparison directly followed by br_if or if becomes cmp + jcc.
// ---- begin include/wasm/detail/jit/emit_numeric.hpp ----
// Machine code for every scalar numeric WebAssembly instruction, with exact wasm semantics.
// The single-pass compiler chooses registers (satisfying numeric_constraint(op)) and calls
// emit_numeric once per instruction; traps jump to labels the compiler provides (TrapSink).
//
// Contract for all ops:
//  - Integer values (i32, i64) live in general purpose registers; an i32 value has the upper
//    32 bits of its register zero, and every i32 result produced here keeps that invariant.
//    Float values (f32, f64) live in xmm registers (low lane; the other lanes are don't-care).
//  - lhs is always a register. rhs is a register, or (integer right-hand sides only) an
//    immediate: any value is accepted (i32 ops read its low 32 bits; an i64 immediate beyond a
//    sign-extended imm32 costs a move into scratch). Unary ops and conversions ignore rhs.
//  - Scratch (r11 and xmm15 in the compiler) is clobbered freely; it is never an operand.
//  - Flags are clobbered. Nothing else but dst (and the registers named by the constraint) is
//    written. No memory is touched, nothing is pushed.
//
// Register constraints (numeric_constraint):
//  None   dst, lhs, rhs: any registers of the right classes, with any aliasing (dst == lhs,
//         dst == rhs, lhs == rhs, all three).
//  DivRem i32/i64 div_s, div_u, rem_s, rem_u. lhs in rax; rhs an immediate or a register
//         other than rax and rdx; dst is rax for div and rdx for rem; rax and rdx are both
//         clobbered (whichever is not dst holds garbage afterwards). Immediates are handled
//         here: 0 jumps to the division-by-zero trap unconditionally, ±1 and powers of two
//         become neg/shift/and sequences, anything else divides without the run-time checks.
//  Shift  shl, shr_s, shr_u, rotl, rotr. rhs is an immediate or in rcx; dst and lhs may be any
//         registers, rcx included (dst == rcx goes through scratch).
#include <optional>

// ---- begin include/wasm/detail/jit/emit_numeric_conv.hpp ----
// Conversions of emit_numeric between integer and float classes: truncations (trapping and
// saturating), int -> float conversions, demote/promote and reinterpretations.
//
// cvttss2si/cvttsd2si return the "integer indefinite" value (INT_MIN of the width) for NaN and
// out-of-range inputs, which is also the correct result for inputs that truncate to INT_MIN. So
// the fast path is one conversion and one compare, and the slow path, taken only when the result
// is INT_MIN, tells the cases apart.
#include <cstring>


namespace wasm::detail::jit::numeric_detail {

using Xbyak::CodeGenerator;
using Xbyak::Reg;
using Xbyak::Xmm;

inline void cvtt(CodeGenerator& a, bool f64, const Reg& d, const Xmm& x) {
  if (f64) a.cvttsd2si(d, x);
  else a.cvttss2si(d, x);
}

inline void cvtsi2f(CodeGenerator& a, bool f64, const Xmm& d, const Reg& r) {
  if (f64) a.cvtsi2sd(d, r);
  else a.cvtsi2ss(d, r);
}

inline void ucomi_f(CodeGenerator& a, bool f64, const Xmm& x, const Xmm& y) {
  if (f64) a.ucomisd(x, y);
  else a.ucomiss(x, y);
}

// scratch.xmm = the constant `value` as an f32 or f64.
inline void load_float_const(CodeGenerator& a, bool f64, const Scratch& s, double value) {
  if (f64) {
    uint64_t bits;
    std::memcpy(&bits, &value, 8);
    a.mov(s.gpr, bits);
    a.movq(s.xmm, s.gpr);
  } else {
    float f = float(value);
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    a.mov(s.gpr.cvt32(), bits);
    a.movd(s.xmm, s.gpr.cvt32());
  }
}

// Sign bit of the f32/f64 in x into bit 0 of the scratch gpr (others zero).
inline void sign_bit(CodeGenerator& a, bool f64, const Xmm& x, const Scratch& s) {
  if (f64) a.movmskpd(s.gpr.cvt32(), x);
  else a.movmskps(s.gpr.cvt32(), x);
  a.and_(s.gpr.cvt32(), 1);
}

// Signed truncation (trapping or saturating) to i32 (wide = false) or i64.
inline void emit_trunc_signed(CodeGenerator& a, bool f64, bool wide, bool sat, NumOperand dst,
                              NumOperand lhs, const Scratch& s, TrapSink& traps) {
  Reg d = wide ? Reg(dst.r64()) : Reg(dst.r32());
  Xmm x = lhs.x();
  LocalLabel done;
  cvtt(a, f64, d, x);
  a.cmp(d, 1);  // overflows exactly when d == INT_MIN
  done.jcc(a, CompareCond::NO);
  if (sat) {
    LocalLabel nan;
    ucomi_f(a, f64, x, x);
    nan.jcc(a, CompareCond::P);
    sign_bit(a, f64, x, s);
    done.jcc(a, CompareCond::NE);  // negative: INT_MIN is right (exact or saturated)
    a.not_(d);                     // positive overflow: INT_MAX
    done.jmp(a);
    nan.bind(a);
    a.xor_(dst.r32(), dst.r32());
  } else if (f64 && !wide) {
    // f64 -> i32: every x in (-2^31 - 1, -2^31] truncates to INT_MIN legitimately.
    load_float_const(a, true, s, -2147483649.0);
    a.ucomisd(x, s.xmm);
    trap_if(a, CompareCond::P, traps, TrapCode::BadConversionToInteger);
    trap_if(a, CompareCond::BE, traps, TrapCode::IntegerOverflow);  // x <= -2^31 - 1
    sign_bit(a, true, x, s);
    trap_if(a, CompareCond::E, traps, TrapCode::IntegerOverflow);  // x >= 2^31
  } else {
    // The only in-range input giving INT_MIN is exactly -2^(N-1): the next float below it is
    // already a whole unit (or more) lower.
    load_float_const(a, f64, s, wide ? -9223372036854775808.0 : -2147483648.0);
    ucomi_f(a, f64, x, s.xmm);
    trap_if(a, CompareCond::P, traps, TrapCode::BadConversionToInteger);
    trap_if(a, CompareCond::NE, traps, TrapCode::IntegerOverflow);
  }
  done.bind(a);
}

// Unsigned truncation to i32: a 64-bit conversion is exact for every in-range input, and the
// result is in range iff its upper 32 bits are zero (negatives, NaN and INT64_MIN have them set).
inline void emit_trunc_u32(CodeGenerator& a, bool f64, bool sat, NumOperand dst, NumOperand lhs,
                           const Scratch& s, TrapSink& traps) {
  Xmm x = lhs.x();
  LocalLabel done;
  cvtt(a, f64, dst.r64(), x);
  a.mov(s.gpr, dst.r64());
  a.shr(s.gpr, 32);
  done.jcc(a, CompareCond::E);
  if (sat) {  // NaN and negatives -> 0, too large -> UINT32_MAX
    a.xorps(s.xmm, s.xmm);
    ucomi_f(a, f64, x, s.xmm);
    a.mov(dst.r32(), 0);  // mov leaves the flags alone
    a.mov(s.gpr.cvt32(), 0xFFFFFFFFu);
    a.cmova(dst.r32(), s.gpr.cvt32());  // above: ordered and x > 0
  } else {
    ucomi_f(a, f64, x, x);
    trap_if(a, CompareCond::P, traps, TrapCode::BadConversionToInteger);
    a.jmp(traps.trap_label(TrapCode::IntegerOverflow), CodeGenerator::T_NEAR);
  }
  done.bind(a);
}

// Unsigned truncation to i64. Below 2^63 a signed conversion is exact; from 2^63 on, convert
// 2^63 - x (exact, in (-2^63, 0] while x < 2^64), negate and set bit 63. neg overflows exactly
// when 2^63 - x came out as INT64_MIN, i.e. x >= 2^64.
inline void emit_trunc_u64(CodeGenerator& a, bool f64, bool sat, NumOperand dst, NumOperand lhs,
                           const Scratch& s, TrapSink& traps) {
  Xmm x = lhs.x();
  Xbyak::Reg64 d = dst.r64();
  LocalLabel big, nan, overflow, done;
  load_float_const(a, f64, s, 9223372036854775808.0);
  ucomi_f(a, f64, x, s.xmm);
  if (sat) nan.jcc(a, CompareCond::P);
  else trap_if(a, CompareCond::P, traps, TrapCode::BadConversionToInteger);
  big.jcc(a, CompareCond::AE);
  cvtt(a, f64, d, x);
  if (sat) {
    a.xor_(s.gpr.cvt32(), s.gpr.cvt32());
    a.test(d, d);
    a.cmovs(d, s.gpr);  // x <= -1 (or -inf): 0
  } else {
    a.test(d, d);
    trap_if(a, CompareCond::S, traps, TrapCode::IntegerOverflow);
  }
  done.jmp(a);
  big.bind(a);
  if (f64) a.subsd(s.xmm, x);
  else a.subss(s.xmm, x);
  cvtt(a, f64, d, s.xmm);
  a.neg(d);
  if (sat) {
    overflow.jcc(a, CompareCond::O);
  } else {
    trap_if(a, CompareCond::O, traps, TrapCode::IntegerOverflow);
  }
  a.bts(d, 63);
  if (sat) {
    done.jmp(a);
    overflow.bind(a);
    a.mov(d, -1);  // UINT64_MAX
    done.jmp(a);
    nan.bind(a);
    a.xor_(d.cvt32(), d.cvt32());
  }
  done.bind(a);
}

// u64 -> f32/f64 with one rounding. Values below 2^63 convert directly; larger ones are halved
// with the lost bit or-ed back in (round to odd), converted, and doubled (exact).
inline void emit_convert_u64(CodeGenerator& a, bool f64, NumOperand dst, NumOperand lhs,
                             const Scratch& s) {
  Xmm d = dst.x();
  Xbyak::Reg64 l = lhs.r64();
  LocalLabel big, even, done;
  a.xorps(d, d);  // break the dependency on d's old value
  a.test(l, l);
  big.jcc(a, CompareCond::S);
  cvtsi2f(a, f64, d, l);
  done.jmp(a);
  big.bind(a);
  a.mov(s.gpr, l);
  a.shr(s.gpr, 1);
  even.jcc(a, CompareCond::AE);  // CF = the bit shifted out
  a.or_(s.gpr, 1);
  even.bind(a);
  cvtsi2f(a, f64, d, s.gpr);
  if (f64) a.addsd(d, d);
  else a.addss(d, d);
  done.bind(a);
}

// Every conversion between classes and between f32/f64; false if `op` is not one.
inline bool emit_conversion(CodeGenerator& a, Op op, NumOperand dst, NumOperand lhs,
                            const Scratch& s, TrapSink& traps) {
  const OpInfo& info = op_info(op);
  bool from_float = info.params[0] == Slot::F32 || info.params[0] == Slot::F64;
  bool to_float = info.result == Slot::F32 || info.result == Slot::F64;
  if (from_float ? !lhs.is_xmm() : !lhs.is_gpr()) bad_operands("conversion operand class");
  if (to_float ? !dst.is_xmm() : !dst.is_gpr()) bad_operands("conversion result class");
  bool f64_src = info.params[0] == Slot::F64;
  bool f64_dst = info.result == Slot::F64;
  switch (op) {
    case Op::I32ReinterpretF32: a.movd(dst.r32(), lhs.x()); return true;
    case Op::I64ReinterpretF64: a.movq(dst.r64(), lhs.x()); return true;
    case Op::F32ReinterpretI32: a.movd(dst.x(), lhs.r32()); return true;
    case Op::F64ReinterpretI64: a.movq(dst.x(), lhs.r64()); return true;
    case Op::F32DemoteF64: case Op::F64PromoteF32:
      if (!dst.same_reg(lhs)) a.xorps(dst.x(), dst.x());  // break the merge dependency
      if (op == Op::F32DemoteF64) a.cvtsd2ss(dst.x(), lhs.x());
      else a.cvtss2sd(dst.x(), lhs.x());
      return true;

    case Op::F32ConvertI32S: case Op::F64ConvertI32S:
      a.xorps(dst.x(), dst.x());
      cvtsi2f(a, f64_dst, dst.x(), lhs.r32());
      return true;
    case Op::F32ConvertI32U: case Op::F64ConvertI32U:
      // A zero-extended u32 is a non-negative i64: the 64-bit signed conversion is exact-rounded.
      a.mov(s.gpr.cvt32(), lhs.r32());
      a.xorps(dst.x(), dst.x());
      cvtsi2f(a, f64_dst, dst.x(), s.gpr);
      return true;
    case Op::F32ConvertI64S: case Op::F64ConvertI64S:
      a.xorps(dst.x(), dst.x());
      cvtsi2f(a, f64_dst, dst.x(), lhs.r64());
      return true;
    case Op::F32ConvertI64U: case Op::F64ConvertI64U:
      emit_convert_u64(a, f64_dst, dst, lhs, s);
      return true;

    case Op::I32TruncF32S: case Op::I32TruncF64S:
      emit_trunc_signed(a, f64_src, false, false, dst, lhs, s, traps);
      return true;
    case Op::I64TruncF32S: case Op::I64TruncF64S:
      emit_trunc_signed(a, f64_src, true, false, dst, lhs, s, traps);
      return true;
    case Op::I32TruncSatF32S: case Op::I32TruncSatF64S:
      emit_trunc_signed(a, f64_src, false, true, dst, lhs, s, traps);
      return true;
    case Op::I64TruncSatF32S: case Op::I64TruncSatF64S:
      emit_trunc_signed(a, f64_src, true, true, dst, lhs, s, traps);
      return true;
    case Op::I32TruncF32U: case Op::I32TruncF64U:
      emit_trunc_u32(a, f64_src, false, dst, lhs, s, traps);
      return true;
    case Op::I32TruncSatF32U: case Op::I32TruncSatF64U:
      emit_trunc_u32(a, f64_src, true, dst, lhs, s, traps);
      return true;
    case Op::I64TruncF32U: case Op::I64TruncF64U:
      emit_trunc_u64(a, f64_src, false, dst, lhs, s, traps);
      return true;
    case Op::I64TruncSatF32U: case Op::I64TruncSatF64U:
      emit_trunc_u64(a, f64_src, true, dst, lhs, s, traps);
      return true;
    default:
      return false;
  }
}

}  // namespace wasm::detail::jit::numeric_detail
// ---- end include/wasm/detail/jit/emit_numeric_conv.hpp ----
// ---- begin include/wasm/detail/jit/emit_numeric_float.hpp ----
// Float instructions of emit_numeric (f32 and f64): arithmetic, min/max, rounding, sign bit ops
// and comparisons. SSE4.1 only (no AVX), so two-operand forms with the aliasing cases spelled out.
#include <optional>


namespace wasm::detail::jit {

namespace numeric_detail {

using Xbyak::CodeGenerator;
using Xbyak::Xmm;

inline Xmm xreg(const NumOperand& o) {
  if (!o.is_xmm()) bad_operands("expected an xmm register");
  return o.x();
}

inline bool wide_float_op(Op op) { return op_info(op).params[0] == Slot::F64; }

enum class FBin : uint8_t { Add, Sub, Mul, Div, Min, Max, Or, And };

inline void fbin_rr(CodeGenerator& a, FBin k, bool f64, const Xmm& d, const Xmm& s) {
  switch (k) {
    case FBin::Add: f64 ? a.addsd(d, s) : a.addss(d, s); break;
    case FBin::Sub: f64 ? a.subsd(d, s) : a.subss(d, s); break;
    case FBin::Mul: f64 ? a.mulsd(d, s) : a.mulss(d, s); break;
    case FBin::Div: f64 ? a.divsd(d, s) : a.divss(d, s); break;
    case FBin::Min: f64 ? a.minsd(d, s) : a.minss(d, s); break;
    case FBin::Max: f64 ? a.maxsd(d, s) : a.maxss(d, s); break;
    case FBin::Or: a.orps(d, s); break;
    case FBin::And: a.andps(d, s); break;
  }
}

// dst = lhs <k> rhs for any aliasing. Operand order is kept for sub/div; for the others the
// operands may be swapped (which of two NaN inputs comes out is the only difference, and wasm
// allows either).
inline void emit_fbin(CodeGenerator& a, FBin k, bool f64, NumOperand dst, NumOperand lhs,
                      NumOperand rhs, const Scratch& scratch) {
  Xmm d = xreg(dst), l = xreg(lhs), r = xreg(rhs);
  bool commutative = k != FBin::Sub && k != FBin::Div;
  if (dst.same_reg(lhs)) {
    fbin_rr(a, k, f64, d, r);
  } else if (dst.same_reg(rhs)) {
    if (commutative) {
      fbin_rr(a, k, f64, d, l);
    } else {
      a.movaps(scratch.xmm, l);
      fbin_rr(a, k, f64, scratch.xmm, r);
      a.movaps(d, scratch.xmm);
    }
  } else {
    a.movaps(d, l);
    fbin_rr(a, k, f64, d, r);
  }
}

inline void ucomi(CodeGenerator& a, bool f64, const Xmm& x, const Xmm& y) {
  f64 ? a.ucomisd(x, y) : a.ucomiss(x, y);
}

// wasm min/max: NaN if either operand is NaN, and -0 < +0. minss/maxss alone return the second
// operand for NaNs and for equal operands, so those two cases are handled first.
inline void emit_fminmax(CodeGenerator& a, bool is_min, bool f64, NumOperand dst, NumOperand lhs,
                         NumOperand rhs, const Scratch& scratch) {
  LocalLabel unordered, not_equal, done;
  ucomi(a, f64, xreg(lhs), xreg(rhs));
  unordered.jcc(a, CompareCond::P);
  not_equal.jcc(a, CompareCond::NE);
  // Equal: the same value, or zeros of different signs; or-ing (min) / and-ing (max) the bit
  // patterns gives -0 for min(-0, +0) and +0 for max(-0, +0).
  emit_fbin(a, is_min ? FBin::Or : FBin::And, f64, dst, lhs, rhs, scratch);
  done.jmp(a);
  not_equal.bind(a);
  emit_fbin(a, is_min ? FBin::Min : FBin::Max, f64, dst, lhs, rhs, scratch);
  done.jmp(a);
  unordered.bind(a);
  emit_fbin(a, FBin::Add, f64, dst, lhs, rhs, scratch);  // propagates a (quieted) NaN
  done.bind(a);
}

// All-ones lanes shifted to leave only the sign bit of each f32/f64 lane.
inline void sign_mask(CodeGenerator& a, bool f64, const Xmm& x) {
  a.pcmpeqd(x, x);
  if (f64) a.psllq(x, 63);
  else a.pslld(x, 31);
}

// Clears the sign bit of each lane in place.
inline void clear_sign(CodeGenerator& a, bool f64, const Xmm& x) {
  if (f64) {
    a.psllq(x, 1);
    a.psrlq(x, 1);
  } else {
    a.pslld(x, 1);
    a.psrld(x, 1);
  }
}

inline void emit_fsign_op(CodeGenerator& a, Op op, bool f64, NumOperand dst, NumOperand lhs,
                          NumOperand rhs, const Scratch& scratch) {
  Xmm d = xreg(dst), l = xreg(lhs);
  switch (op) {
    case Op::F32Abs: case Op::F64Abs:
      mov_xmm(a, d.getIdx(), l.getIdx());
      clear_sign(a, f64, d);
      break;
    case Op::F32Neg: case Op::F64Neg:
      sign_mask(a, f64, scratch.xmm);
      mov_xmm(a, d.getIdx(), l.getIdx());
      a.xorps(d, scratch.xmm);
      break;
    default:  // copysign: take rhs's sign first, since dst may be rhs
      sign_mask(a, f64, scratch.xmm);
      a.andps(scratch.xmm, xreg(rhs));
      mov_xmm(a, d.getIdx(), l.getIdx());
      clear_sign(a, f64, d);
      a.orps(d, scratch.xmm);
      break;
  }
}

// roundss/roundsd immediates: 0 nearest (ties to even), 1 floor, 2 ceil, 3 trunc; bit 3
// suppresses the precision exception.
inline void emit_fround(CodeGenerator& a, bool f64, NumOperand dst, NumOperand lhs, int mode) {
  Xmm d = xreg(dst), l = xreg(lhs);
  if (!dst.same_reg(lhs)) a.xorps(d, d);  // scalar ops merge into d: break the dependency
  if (f64) a.roundsd(d, l, uint8_t(mode | 8));
  else a.roundss(d, l, uint8_t(mode | 8));
}

}  // namespace numeric_detail

// Emits only the flag-setting ucomiss/ucomisd of f32/f64 lt/gt/le/ge and returns the condition
// under which the result is 1 (unordered operands give 0 under it). eq and ne need two flags
// (ZF and PF) and return std::nullopt without emitting anything, as does any other op.
inline std::optional<CompareCond> emit_float_compare_flags(Xbyak::CodeGenerator& a, Op op,
                                                           NumOperand lhs, NumOperand rhs) {
  using numeric_detail::xreg;
  bool f64 = numeric_detail::wide_float_op(op);
  switch (op) {
    case Op::F32Gt: case Op::F64Gt:  // lhs > rhs: CF = 0 and ZF = 0 (unordered sets both)
      numeric_detail::ucomi(a, f64, xreg(lhs), xreg(rhs));
      return CompareCond::A;
    case Op::F32Ge: case Op::F64Ge:
      numeric_detail::ucomi(a, f64, xreg(lhs), xreg(rhs));
      return CompareCond::AE;
    case Op::F32Lt: case Op::F64Lt:  // as rhs > lhs
      numeric_detail::ucomi(a, f64, xreg(rhs), xreg(lhs));
      return CompareCond::A;
    case Op::F32Le: case Op::F64Le:
      numeric_detail::ucomi(a, f64, xreg(rhs), xreg(lhs));
      return CompareCond::AE;
    default:
      return std::nullopt;
  }
}

namespace numeric_detail {

inline void emit_fcompare(CodeGenerator& a, Op op, NumOperand dst, NumOperand lhs, NumOperand rhs,
                          const Scratch& scratch) {
  if (!dst.is_gpr()) bad_operands("float compare destination must be a gpr");
  bool f64 = wide_float_op(op);
  Xbyak::Reg32 d = dst.r32();
  if (op == Op::F32Eq || op == Op::F64Eq || op == Op::F32Ne || op == Op::F64Ne) {
    bool eq = op == Op::F32Eq || op == Op::F64Eq;
    Xmm s = scratch.xmm;
    a.movaps(s, xreg(lhs));
    if (f64) eq ? a.cmpeqsd(s, xreg(rhs)) : a.cmpneqsd(s, xreg(rhs));  // neq is true when unordered
    else eq ? a.cmpeqss(s, xreg(rhs)) : a.cmpneqss(s, xreg(rhs));
    a.movd(d, s);
    a.and_(d, 1);
    return;
  }
  a.xor_(d, d);  // dst is a gpr, never an operand here
  CompareCond c = *emit_float_compare_flags(a, op, lhs, rhs);
  emit_setcc8(a, c, dst.r64().cvt8());
}

// Every op with float operands and a float or comparison result; false if `op` is not one.
inline bool emit_float_op(CodeGenerator& a, Op op, NumOperand dst, NumOperand lhs, NumOperand rhs,
                          const Scratch& scratch) {
  bool f64 = wide_float_op(op);
  switch (op) {
    case Op::F32Add: case Op::F64Add: emit_fbin(a, FBin::Add, f64, dst, lhs, rhs, scratch); return true;
    case Op::F32Sub: case Op::F64Sub: emit_fbin(a, FBin::Sub, f64, dst, lhs, rhs, scratch); return true;
    case Op::F32Mul: case Op::F64Mul: emit_fbin(a, FBin::Mul, f64, dst, lhs, rhs, scratch); return true;
    case Op::F32Div: case Op::F64Div: emit_fbin(a, FBin::Div, f64, dst, lhs, rhs, scratch); return true;
    case Op::F32Min: case Op::F64Min: emit_fminmax(a, true, f64, dst, lhs, rhs, scratch); return true;
    case Op::F32Max: case Op::F64Max: emit_fminmax(a, false, f64, dst, lhs, rhs, scratch); return true;
    case Op::F32Abs: case Op::F64Abs: case Op::F32Neg: case Op::F64Neg:
    case Op::F32Copysign: case Op::F64Copysign:
      emit_fsign_op(a, op, f64, dst, lhs, rhs, scratch);
      return true;
    case Op::F32Sqrt: case Op::F64Sqrt: {
      Xmm d = xreg(dst), l = xreg(lhs);
      if (!dst.same_reg(lhs)) a.xorps(d, d);
      f64 ? a.sqrtsd(d, l) : a.sqrtss(d, l);
      return true;
    }
    case Op::F32Nearest: case Op::F64Nearest: emit_fround(a, f64, dst, lhs, 0); return true;
    case Op::F32Floor: case Op::F64Floor: emit_fround(a, f64, dst, lhs, 1); return true;
    case Op::F32Ceil: case Op::F64Ceil: emit_fround(a, f64, dst, lhs, 2); return true;
    case Op::F32Trunc: case Op::F64Trunc: emit_fround(a, f64, dst, lhs, 3); return true;
    case Op::F32Eq: case Op::F32Ne: case Op::F32Lt: case Op::F32Gt: case Op::F32Le: case Op::F32Ge:
    case Op::F64Eq: case Op::F64Ne: case Op::F64Lt: case Op::F64Gt: case Op::F64Le: case Op::F64Ge:
      emit_fcompare(a, op, dst, lhs, rhs, scratch);
      return true;
    default:
      return false;
  }
}

}  // namespace numeric_detail

}  // namespace wasm::detail::jit
// ---- end include/wasm/detail/jit/emit_numeric_float.hpp ----
// ---- begin include/wasm/detail/jit/emit_numeric_int.hpp ----
// Integer instructions of emit_numeric (i32 and i64): ALU ops, comparisons, division and
// remainder, shifts and rotates, clz/ctz/popcnt, sign extensions and wrap/extend.
#include <optional>


namespace wasm::detail::jit {

namespace numeric_detail {

using Xbyak::CodeGenerator;
using Xbyak::Reg;
using Xbyak::Reg32;
using Xbyak::Reg64;

// The register of an integer operand at the operation width.
inline Reg ireg(const NumOperand& o, bool wide) {
  if (!o.is_gpr()) bad_operands("expected a general purpose register");
  return wide ? Reg(o.r64()) : Reg(o.r32());
}

inline bool wide_int_op(Op op) { return op_info(op).params[0] == Slot::I64; }

enum class Alu : uint8_t { Add, Sub, Mul, And, Or, Xor };

inline void alu_rr(CodeGenerator& a, Alu k, const Reg& d, const Reg& s) {
  switch (k) {
    case Alu::Add: a.add(d, s); break;
    case Alu::Sub: a.sub(d, s); break;
    case Alu::Mul: a.imul(d, s); break;
    case Alu::And: a.and_(d, s); break;
    case Alu::Or: a.or_(d, s); break;
    case Alu::Xor: a.xor_(d, s); break;
  }
}

inline void alu_ri(CodeGenerator& a, Alu k, const Reg& d, int32_t v) {
  switch (k) {
    case Alu::Add: a.add(d, uint32_t(v)); break;
    case Alu::Sub: a.sub(d, uint32_t(v)); break;
    case Alu::Mul: a.imul(d, d, v); break;
    case Alu::And: a.and_(d, uint32_t(v)); break;
    case Alu::Or: a.or_(d, uint32_t(v)); break;
    case Alu::Xor: a.xor_(d, uint32_t(v)); break;
  }
}

// dst = lhs <k> rhs with any aliasing among dst, lhs and rhs.
inline void emit_alu(CodeGenerator& a, Alu k, bool wide, NumOperand dst, NumOperand lhs,
                     NumOperand rhs, const Scratch& scratch) {
  Reg d = ireg(dst, wide), l = ireg(lhs, wide);
  if (rhs.is_imm()) {
    int64_t v = wide ? rhs.imm_value() : int64_t(int32_t(rhs.imm_value()));
    if (!fits_simm32(v)) {  // i64 immediate beyond imm32: go through the scratch register
      a.mov(scratch.gpr, v);
      emit_alu(a, k, wide, dst, lhs, NumOperand(scratch.gpr), scratch);
      return;
    }
    if (k == Alu::Mul) {
      a.imul(d, l, int(v));
    } else if (k == Alu::Add && !dst.same_reg(lhs) && v != 0) {
      a.lea(d, a.ptr[lhs.r64() + int(v)]);
    } else {
      mov_gpr(a, wide, dst.idx(), lhs.idx());
      if (v != 0 || k == Alu::And) alu_ri(a, k, d, int32_t(v));
    }
    return;
  }
  Reg r = ireg(rhs, wide);
  if (dst.same_reg(lhs)) {
    alu_rr(a, k, d, r);
  } else if (dst.same_reg(rhs)) {
    if (k == Alu::Sub) {  // d = l - d
      a.neg(d);
      a.add(d, l);
    } else {
      alu_rr(a, k, d, l);  // commutative
    }
  } else if (k == Alu::Add) {
    a.lea(d, a.ptr[lhs.r64() + rhs.r64()]);
  } else {
    mov_gpr(a, wide, dst.idx(), lhs.idx());
    alu_rr(a, k, d, r);
  }
}

}  // namespace numeric_detail

// Emits only the flag-setting instruction (cmp/test) of an integer comparison or eqz and
// returns the condition under which the wasm result is 1; std::nullopt (and nothing emitted)
// for any other op. lhs must be a register; rhs a register or an immediate (ignored for eqz).
// An i64 immediate that does not fit a sign-extended imm32 is loaded into `scratch` first.
inline std::optional<CompareCond> emit_int_compare_flags(
    Xbyak::CodeGenerator& a, Op op, NumOperand lhs, NumOperand rhs,
    const Xbyak::Reg64& scratch = Xbyak::util::r11) {
  using numeric_detail::ireg;
  CompareCond cond;
  bool eqz = false;
  switch (op) {
    case Op::I32Eqz: case Op::I64Eqz: eqz = true; cond = CompareCond::E; break;
    case Op::I32Eq: case Op::I64Eq: cond = CompareCond::E; break;
    case Op::I32Ne: case Op::I64Ne: cond = CompareCond::NE; break;
    case Op::I32LtS: case Op::I64LtS: cond = CompareCond::L; break;
    case Op::I32LtU: case Op::I64LtU: cond = CompareCond::B; break;
    case Op::I32GtS: case Op::I64GtS: cond = CompareCond::G; break;
    case Op::I32GtU: case Op::I64GtU: cond = CompareCond::A; break;
    case Op::I32LeS: case Op::I64LeS: cond = CompareCond::LE; break;
    case Op::I32LeU: case Op::I64LeU: cond = CompareCond::BE; break;
    case Op::I32GeS: case Op::I64GeS: cond = CompareCond::GE; break;
    case Op::I32GeU: case Op::I64GeU: cond = CompareCond::AE; break;
    default: return std::nullopt;
  }
  bool wide = numeric_detail::wide_int_op(op);
  Xbyak::Reg l = ireg(lhs, wide);
  if (eqz) {
    a.test(l, l);
  } else if (rhs.is_imm()) {
    int64_t v = wide ? rhs.imm_value() : int64_t(int32_t(rhs.imm_value()));
    if (v == 0) {
      a.test(l, l);  // same flags as cmp l, 0 (CF = OF = 0)
    } else if (numeric_detail::fits_simm32(v)) {
      a.cmp(l, uint32_t(int32_t(v)));
    } else {
      a.mov(scratch, v);
      a.cmp(l, scratch);
    }
  } else {
    a.cmp(l, ireg(rhs, wide));
  }
  return cond;
}

namespace numeric_detail {

// i32/i64 comparison or eqz producing 0/1 in dst.
inline void emit_int_compare(CodeGenerator& a, Op op, NumOperand dst, NumOperand lhs,
                             NumOperand rhs, const Scratch& scratch) {
  if (!dst.is_gpr()) bad_operands("compare destination must be a gpr");
  bool clear_first = !dst.same_reg(lhs) && !dst.same_reg(rhs) &&
                     !(rhs.is_imm() && dst.same_reg(NumOperand(scratch.gpr)));
  if (clear_first) a.xor_(dst.r32(), dst.r32());
  CompareCond c = *emit_int_compare_flags(a, op, lhs, rhs, scratch.gpr);
  if (clear_first) {
    emit_setcc8(a, c, dst.r64().cvt8());
  } else {
    emit_setcc(a, c, dst.r64());
  }
}

// Division and remainder; see NumericConstraint::DivRem.
inline void emit_divrem(CodeGenerator& a, Op op, NumOperand dst, NumOperand lhs, NumOperand rhs,
                        const Scratch& scratch, TrapSink& traps) {
  bool wide = wide_int_op(op);
  bool is_signed = op == Op::I32DivS || op == Op::I32RemS || op == Op::I64DivS || op == Op::I64RemS;
  bool is_rem = op == Op::I32RemS || op == Op::I32RemU || op == Op::I64RemS || op == Op::I64RemU;
  const int kRax = 0, kRdx = 2;
  if (!lhs.is_gpr() || lhs.idx() != kRax) bad_operands("div/rem lhs must be rax");
  if (!dst.is_gpr() || dst.idx() != (is_rem ? kRdx : kRax)) bad_operands("div/rem dst must be rax (div) or rdx (rem)");
  if (rhs.is_gpr() ? (rhs.idx() == kRax || rhs.idx() == kRdx || rhs.idx() == scratch.gpr.getIdx())
                   : !rhs.is_imm())
    bad_operands("div/rem rhs must be an immediate or a register other than rax/rdx");
  Reg rax = wide ? Reg(Xbyak::util::rax) : Reg(Xbyak::util::eax);
  Reg rdx = wide ? Reg(Xbyak::util::rdx) : Reg(Xbyak::util::edx);
  auto sign_extend = [&] { wide ? a.cqo() : a.cdq(); };
  auto divide = [&](const Reg& r) {
    if (is_signed) {
      sign_extend();
      a.idiv(r);
    } else {
      a.xor_(Xbyak::util::edx, Xbyak::util::edx);
      a.div(r);
    }
  };

  if (rhs.is_imm()) {
    uint64_t u = wide ? uint64_t(rhs.imm_value()) : uint64_t(uint32_t(rhs.imm_value()));
    int64_t s = wide ? rhs.imm_value() : int64_t(int32_t(rhs.imm_value()));
    if (u == 0) {
      a.jmp(traps.trap_label(TrapCode::IntegerDivisionByZero), CodeGenerator::T_NEAR);
      return;
    }
    if (is_signed && (s == -1 || s == 1)) {
      if (is_rem) {
        a.xor_(Xbyak::util::edx, Xbyak::util::edx);
      } else if (s == -1) {
        a.neg(rax);  // overflows exactly for INT_MIN
        trap_if(a, CompareCond::O, traps, TrapCode::IntegerOverflow);
      }
      return;
    }
    if (!is_signed && (u & (u - 1)) == 0) {  // power of two
      if (is_rem) {
        uint64_t mask = u - 1;
        a.mov(rdx, rax);
        if (!wide || mask <= uint64_t(INT32_MAX)) {
          a.and_(rdx, uint32_t(mask));
        } else {
          a.mov(scratch.gpr, mask);
          a.and_(rdx, scratch.gpr);
        }
      } else if (u != 1) {
        a.shr(rax, __builtin_ctzll(u));
      }
      return;
    }
    if (is_signed && s > 1 && (s & (s - 1)) == 0) {
      // Positive power of two 2^k: shift with rounding toward zero. bias = 2^k - 1 for
      // negative dividends, else 0; quotient = (x + bias) >> k (arithmetic), and the
      // remainder is x - ((x + bias) & -2^k).
      int k = __builtin_ctzll(uint64_t(s));
      int bits = wide ? 64 : 32;
      a.mov(rdx, rax);
      a.sar(rdx, bits - 1);
      a.shr(rdx, bits - k);
      if (!is_rem) {
        a.add(rax, rdx);
        a.sar(rax, k);
        return;
      }
      a.add(rdx, rax);
      if (k < 32) {
        a.and_(rdx, uint32_t(~uint64_t(0) << k));  // sign-extended imm32 = -2^k
      } else {
        a.mov(scratch.gpr, ~uint64_t(0) << k);
        a.and_(rdx, scratch.gpr);
      }
      a.sub(rax, rdx);
      a.mov(rdx, rax);
      return;
    }
    Reg s_reg = wide ? Reg(scratch.gpr) : Reg(scratch.gpr.cvt32());
    if (wide) a.mov(scratch.gpr, s);
    else a.mov(scratch.gpr.cvt32(), uint32_t(u));
    divide(s_reg);  // divisor is neither 0 nor -1: no checks needed
    return;
  }

  Reg r = ireg(rhs, wide);
  a.test(r, r);
  trap_if(a, CompareCond::E, traps, TrapCode::IntegerDivisionByZero);
  if (!is_signed) {
    divide(r);
    return;
  }
  LocalLabel general, done;
  a.cmp(r, uint32_t(-1));
  general.jcc(a, CompareCond::NE);
  if (is_rem) {
    a.xor_(Xbyak::util::edx, Xbyak::util::edx);  // x rem_s -1 = 0, even for INT_MIN
  } else {
    a.neg(rax);  // x div_s -1 = -x; overflows exactly for INT_MIN
    trap_if(a, CompareCond::O, traps, TrapCode::IntegerOverflow);
  }
  done.jmp(a);
  general.bind(a);
  divide(r);
  done.bind(a);
}

enum class ShiftKind : uint8_t { Shl, ShrS, ShrU, Rotl, Rotr };

inline void shift_cl(CodeGenerator& a, ShiftKind k, const Reg& d) {
  switch (k) {
    case ShiftKind::Shl: a.shl(d, a.cl); break;
    case ShiftKind::ShrS: a.sar(d, a.cl); break;
    case ShiftKind::ShrU: a.shr(d, a.cl); break;
    case ShiftKind::Rotl: a.rol(d, a.cl); break;
    case ShiftKind::Rotr: a.ror(d, a.cl); break;
  }
}

inline void shift_imm(CodeGenerator& a, ShiftKind k, const Reg& d, int n) {
  switch (k) {
    case ShiftKind::Shl: a.shl(d, n); break;
    case ShiftKind::ShrS: a.sar(d, n); break;
    case ShiftKind::ShrU: a.shr(d, n); break;
    case ShiftKind::Rotl: a.rol(d, n); break;
    case ShiftKind::Rotr: a.ror(d, n); break;
  }
}

// Shifts and rotates; see NumericConstraint::Shift. The count is masked as wasm requires (x86
// masks a cl count the same way: & 31 for 32-bit, & 63 for 64-bit operands).
inline void emit_shift(CodeGenerator& a, ShiftKind k, bool wide, NumOperand dst, NumOperand lhs,
                       NumOperand rhs, const Scratch& scratch) {
  Reg d = ireg(dst, wide);
  if (rhs.is_imm()) {
    int n = int(rhs.imm_value() & (wide ? 63 : 31));
    mov_gpr(a, wide, dst.idx(), lhs.idx());
    if (n != 0) shift_imm(a, k, d, n);
    return;
  }
  const int kRcx = 1;
  if (!rhs.is_gpr() || rhs.idx() != kRcx) bad_operands("shift count must be rcx or an immediate");
  if (dst.idx() != kRcx) {
    mov_gpr(a, wide, dst.idx(), lhs.idx());
    shift_cl(a, k, d);
  } else {  // the destination is the count register: shift in scratch
    Reg s = wide ? Reg(scratch.gpr) : Reg(scratch.gpr.cvt32());
    mov_gpr(a, wide, scratch.gpr.getIdx(), lhs.idx());
    shift_cl(a, k, s);
    a.mov(d, s);
  }
}

inline void emit_clz(CodeGenerator& a, bool wide, NumOperand dst, NumOperand lhs,
                     const Scratch& scratch, const CpuFeatures& cpu) {
  Reg d = ireg(dst, wide), l = ireg(lhs, wide);
  if (cpu.lzcnt) {
    if (!dst.same_reg(lhs)) a.xor_(dst.r32(), dst.r32());  // break the false dependency
    a.lzcnt(d, l);
    return;
  }
  // bsr gives the index of the highest set bit (ZF and an undefined dst for 0); clz = idx ^ (w-1).
  Reg s = wide ? Reg(scratch.gpr) : Reg(scratch.gpr.cvt32());
  a.mov(scratch.gpr.cvt32(), wide ? 127 : 63);  // 127 ^ 63 = 64, 63 ^ 31 = 32
  a.bsr(d, l);
  a.cmovz(d, s);
  a.xor_(d, wide ? 63 : 31);
}

inline void emit_ctz(CodeGenerator& a, bool wide, NumOperand dst, NumOperand lhs,
                     const Scratch& scratch, const CpuFeatures& cpu) {
  Reg d = ireg(dst, wide), l = ireg(lhs, wide);
  if (cpu.bmi1) {
    if (!dst.same_reg(lhs)) a.xor_(dst.r32(), dst.r32());
    a.tzcnt(d, l);
    return;
  }
  Reg s = wide ? Reg(scratch.gpr) : Reg(scratch.gpr.cvt32());
  a.mov(scratch.gpr.cvt32(), wide ? 64 : 32);
  a.bsf(d, l);
  a.cmovz(d, s);
}

inline void emit_popcnt(CodeGenerator& a, bool wide, NumOperand dst, NumOperand lhs,
                        const Scratch& scratch, const CpuFeatures& cpu) {
  Reg d = ireg(dst, wide), l = ireg(lhs, wide);
  if (cpu.popcnt) {
    if (!dst.same_reg(lhs)) a.xor_(dst.r32(), dst.r32());
    a.popcnt(d, l);
    return;
  }
  // SWAR bit count in two registers (dst and scratch). 64-bit masks do not fit an immediate,
  // so each step is arranged to need the mask only once, in scratch.
  mov_gpr(a, wide, dst.idx(), lhs.idx());
  if (!wide) {
    Reg32 d32 = dst.r32(), s = scratch.gpr.cvt32();
    a.mov(s, d32); a.shr(s, 1); a.and_(s, 0x55555555u); a.sub(d32, s);
    a.mov(s, d32); a.and_(d32, 0x33333333u); a.shr(s, 2); a.and_(s, 0x33333333u); a.add(d32, s);
    a.mov(s, d32); a.shr(s, 4); a.add(d32, s); a.and_(d32, 0x0F0F0F0Fu);
    a.imul(d32, d32, 0x01010101); a.shr(d32, 24);
    return;
  }
  Reg64 d64 = dst.r64(), s = scratch.gpr;
  // x -= (x & 0xAA..) >> 1
  a.mov(s, 0xAAAAAAAAAAAAAAAAull); a.and_(s, d64); a.shr(s, 1); a.sub(d64, s);
  // x = (x & 0x33..) + ((x & 0xCC..) >> 2), with x & 0x33.. = x - (x & 0xCC..)
  a.mov(s, 0xCCCCCCCCCCCCCCCCull); a.and_(s, d64); a.sub(d64, s); a.shr(s, 2); a.add(d64, s);
  // x = (x + (x >> 4)) & 0x0F..
  a.mov(s, d64); a.shr(s, 4); a.add(d64, s); a.mov(s, 0x0F0F0F0F0F0F0F0Full); a.and_(d64, s);
  // sum of the bytes
  a.mov(s, 0x0101010101010101ull); a.imul(d64, s); a.shr(d64, 56);
}

// Sign extensions, wrap and extend.
inline void emit_int_extend(CodeGenerator& a, Op op, NumOperand dst, NumOperand lhs) {
  if (!dst.is_gpr() || !lhs.is_gpr()) bad_operands("extend operands must be gprs");
  Reg64 d = dst.r64(), l = lhs.r64();
  switch (op) {
    case Op::I32WrapI64: a.mov(d.cvt32(), l.cvt32()); break;  // always: clears the upper half
    case Op::I64ExtendI32U: mov_gpr(a, false, dst.idx(), lhs.idx()); break;
    case Op::I64ExtendI32S: case Op::I64Extend32S: a.movsxd(d, l.cvt32()); break;
    case Op::I32Extend8S: a.movsx(d.cvt32(), l.cvt8()); break;
    case Op::I32Extend16S: a.movsx(d.cvt32(), l.cvt16()); break;
    case Op::I64Extend8S: a.movsx(d, l.cvt8()); break;
    case Op::I64Extend16S: a.movsx(d, l.cvt16()); break;
    default: bad_operands("not an extension");
  }
}

// Every integer op with integer operands and result; false if `op` is not one.
inline bool emit_int_op(CodeGenerator& a, Op op, NumOperand dst, NumOperand lhs, NumOperand rhs,
                        const Scratch& scratch, TrapSink& traps, const CpuFeatures& cpu) {
  bool wide = wide_int_op(op);
  switch (op) {
    case Op::I32Add: case Op::I64Add: emit_alu(a, Alu::Add, wide, dst, lhs, rhs, scratch); return true;
    case Op::I32Sub: case Op::I64Sub: emit_alu(a, Alu::Sub, wide, dst, lhs, rhs, scratch); return true;
    case Op::I32Mul: case Op::I64Mul: emit_alu(a, Alu::Mul, wide, dst, lhs, rhs, scratch); return true;
    case Op::I32And: case Op::I64And: emit_alu(a, Alu::And, wide, dst, lhs, rhs, scratch); return true;
    case Op::I32Or: case Op::I64Or: emit_alu(a, Alu::Or, wide, dst, lhs, rhs, scratch); return true;
    case Op::I32Xor: case Op::I64Xor: emit_alu(a, Alu::Xor, wide, dst, lhs, rhs, scratch); return true;

    case Op::I32Eqz: case Op::I32Eq: case Op::I32Ne: case Op::I32LtS: case Op::I32LtU:
    case Op::I32GtS: case Op::I32GtU: case Op::I32LeS: case Op::I32LeU: case Op::I32GeS:
    case Op::I32GeU:
    case Op::I64Eqz: case Op::I64Eq: case Op::I64Ne: case Op::I64LtS: case Op::I64LtU:
    case Op::I64GtS: case Op::I64GtU: case Op::I64LeS: case Op::I64LeU: case Op::I64GeS:
    case Op::I64GeU:
      emit_int_compare(a, op, dst, lhs, rhs, scratch);
      return true;

    case Op::I32DivS: case Op::I32DivU: case Op::I32RemS: case Op::I32RemU:
    case Op::I64DivS: case Op::I64DivU: case Op::I64RemS: case Op::I64RemU:
      emit_divrem(a, op, dst, lhs, rhs, scratch, traps);
      return true;

    case Op::I32Shl: case Op::I64Shl: emit_shift(a, ShiftKind::Shl, wide, dst, lhs, rhs, scratch); return true;
    case Op::I32ShrS: case Op::I64ShrS: emit_shift(a, ShiftKind::ShrS, wide, dst, lhs, rhs, scratch); return true;
    case Op::I32ShrU: case Op::I64ShrU: emit_shift(a, ShiftKind::ShrU, wide, dst, lhs, rhs, scratch); return true;
    case Op::I32Rotl: case Op::I64Rotl: emit_shift(a, ShiftKind::Rotl, wide, dst, lhs, rhs, scratch); return true;
    case Op::I32Rotr: case Op::I64Rotr: emit_shift(a, ShiftKind::Rotr, wide, dst, lhs, rhs, scratch); return true;

    case Op::I32Clz: case Op::I64Clz: emit_clz(a, wide, dst, lhs, scratch, cpu); return true;
    case Op::I32Ctz: case Op::I64Ctz: emit_ctz(a, wide, dst, lhs, scratch, cpu); return true;
    case Op::I32Popcnt: case Op::I64Popcnt: emit_popcnt(a, wide, dst, lhs, scratch, cpu); return true;

    case Op::I32WrapI64: case Op::I64ExtendI32S: case Op::I64ExtendI32U:
    case Op::I32Extend8S: case Op::I32Extend16S: case Op::I64Extend8S: case Op::I64Extend16S:
    case Op::I64Extend32S:
      emit_int_extend(a, op, dst, lhs);
      return true;
    default:
      return false;
  }
}

}  // namespace numeric_detail

}  // namespace wasm::detail::jit
// ---- end include/wasm/detail/jit/emit_numeric_int.hpp ----

namespace wasm::detail::jit {

enum class NumericConstraint : uint8_t { None, DivRem, Shift };

// The ops emit_numeric handles: every non-SIMD op with fixed operand/result slots and no
// immediate (arithmetic, comparisons, eqz, clz/ctz/popcnt, conversions, reinterpretations,
// sign extensions, saturating truncations).
constexpr bool is_numeric_op(Op op) {
  const OpInfo& info = op_info(op);
  if (info.prefix == 0xFD || info.imm != Imm::None || info.special()) return false;
  if (info.result == Slot::None || info.params[0] == Slot::None) return false;
  for (Slot s : info.params)
    if (s == Slot::V128) return false;
  return info.result != Slot::V128;
}

constexpr NumericConstraint numeric_constraint(Op op) {
  switch (op) {
    case Op::I32DivS: case Op::I32DivU: case Op::I32RemS: case Op::I32RemU:
    case Op::I64DivS: case Op::I64DivU: case Op::I64RemS: case Op::I64RemU:
      return NumericConstraint::DivRem;
    case Op::I32Shl: case Op::I32ShrS: case Op::I32ShrU: case Op::I32Rotl: case Op::I32Rotr:
    case Op::I64Shl: case Op::I64ShrS: case Op::I64ShrU: case Op::I64Rotl: case Op::I64Rotr:
      return NumericConstraint::Shift;
    default:
      return NumericConstraint::None;
  }
}

// Register number (Xbyak/hardware numbering) of the DivRem destination: rax for div, rdx for rem.
constexpr int div_rem_result_reg(Op op) {
  return (op == Op::I32RemS || op == Op::I32RemU || op == Op::I64RemS || op == Op::I64RemU) ? 2 : 0;
}

// Emits `dst = op(lhs, rhs)` (or `dst = op(lhs)`) for an op with is_numeric_op(op).
// Throws std::logic_error if the operands break the contract above (a compiler bug).
inline void emit_numeric(Xbyak::CodeGenerator& a, Op op, NumOperand dst, NumOperand lhs,
                         NumOperand rhs, Scratch scratch, TrapSink& traps,
                         const CpuFeatures& cpu = host_cpu_features()) {
  if (!is_numeric_op(op)) numeric_detail::bad_operands("not a numeric op");
  if (!lhs.is_reg()) numeric_detail::bad_operands("lhs must be a register");
  if (op_info(op).param_count() == 1) rhs = NumOperand::none();
  if (numeric_detail::emit_int_op(a, op, dst, lhs, rhs, scratch, traps, cpu)) return;
  if (numeric_detail::emit_float_op(a, op, dst, lhs, rhs, scratch)) return;
  if (numeric_detail::emit_conversion(a, op, dst, lhs, scratch, traps)) return;
  numeric_detail::bad_operands("unhandled numeric op");
}

}  // namespace wasm::detail::jit
// ---- end include/wasm/detail/jit/emit_numeric.hpp ----

namespace wasm::detail::jit {

namespace numeric_compile_detail {

inline NumOperand operand(Reg r) {
  if (r.is_xmm()) return NumOperand(r.x());
  return NumOperand(r.r64());
}

inline bool is_int_compare(Op op) {
  const OpInfo& info = op_info(op);
  return info.result == Slot::I32 && (info.params[0] == Slot::I32 || info.params[0] == Slot::I64) &&
         ((op >= Op::I32Eqz && op <= Op::I32GeU) || (op >= Op::I64Eqz && op <= Op::I64GeU));
}

inline Scratch scratch() { return Scratch{Xbyak::util::r11, Xbyak::util::xmm15}; }

}  // namespace numeric_compile_detail

// Pops the operands of an integer comparison, emits cmp/test, returns the "true" condition.
inline Cond FunctionCompiler::emit_compare_flags(Op op) {
  using numeric_compile_detail::operand;
  NumOperand rhs = NumOperand::none();
  Reg lhs;
  if (op == Op::I32Eqz || op == Op::I64Eqz) {
    lhs = pop_to_reg();
  } else if (stack_.back().is_const()) {
    rhs = NumOperand::imm(pop().imm);
    lhs = pop_to_reg();
  } else {
    Reg r = pop_to_reg();
    rhs = operand(r);
    lhs = pop_to_reg({r});
  }
  return *emit_int_compare_flags(a_, op, operand(lhs), rhs, a_.r11);
}

// Reads the next instruction; if it is br_if or if, compiles both as compare-and-jump.
inline bool FunctionCompiler::try_fuse_compare(Op op) {
  if (!reader_->next(lookahead_)) throw CompileFailure{"malformed function body"};
  has_lookahead_ = true;
  if (lookahead_.op != Op::BrIf && lookahead_.op != Op::If) return false;
  has_lookahead_ = false;
  ++fuel_pending_;
  flush_fuel();  // before the flags are set
  Cond taken = emit_compare_flags(op);
  if (lookahead_.op == Op::BrIf) emit_br_if(taken, lookahead_.index);
  else open_if(lookahead_.block, taken);
  return true;
}

inline void FunctionCompiler::visit_div_rem(Op op) {
  const Reg rax = Reg::gpr(abi::RAX), rdx = Reg::gpr(abi::RDX);
  const ValType t = slot_type(op_info(op).result);
  NumOperand rhs;
  RegSet pinned{rax, rdx};
  if (stack_.back().is_const()) {
    rhs = NumOperand::imm(pop().imm);
  } else {
    Reg r = pop_to_reg(pinned);
    if (r == rax || r == rdx) {
      Reg moved = alloc_reg(RegClass::Gpr, pinned);
      masm::move(a_, moved, r);
      r = moved;
    }
    pinned.add(r);
    rhs = numeric_compile_detail::operand(r);
  }
  const uint32_t lhs_index = stack_.height() - 1;
  VarState lhs = pop();
  // rax and rdx are clobbered: whatever else lives there goes to its slot first.
  spill_reg(rax);
  spill_reg(rdx);
  masm::load_var(a_, rax, lhs, lhs_index);
  Reg dst = Reg::gpr(uint8_t(div_rem_result_reg(op)));
  emit_numeric(a_, op, NumOperand(dst.r64()), NumOperand(rax.r64()), rhs,
               numeric_compile_detail::scratch(), traps_,
               env_.options.cpu);
  push_reg(t, dst);
}

inline void FunctionCompiler::visit_shift(Op op) {
  const Reg rcx = Reg::gpr(abi::RCX);
  const ValType t = slot_type(op_info(op).result);
  NumOperand rhs;
  RegSet pinned;
  if (stack_.back().is_const()) {
    rhs = NumOperand::imm(pop().imm);
  } else {
    const uint32_t index = stack_.height() - 1;
    VarState count = pop();
    if (!(count.is_reg() && count.reg == rcx)) {
      spill_reg(rcx);
      masm::load_var(a_, rcx, count, index);
    }
    pinned.add(rcx);
    rhs = NumOperand(rcx.r64());
  }
  Reg lhs = pop_to_reg(pinned);
  Reg dst = result_reg(RegClass::Gpr, pinned | RegSet{lhs}, lhs);
  emit_numeric(a_, op, NumOperand(dst.r64()), NumOperand(lhs.r64()), rhs,
               numeric_compile_detail::scratch(), traps_,
               env_.options.cpu);
  push_reg(t, dst);
}

inline void FunctionCompiler::visit_numeric(const Instruction& ins) {
  using numeric_compile_detail::operand;
  const Op op = ins.op;
  if (!is_numeric_op(op)) throw CompileFailure{"instruction not supported by the baseline compiler"};
  if (numeric_compile_detail::is_int_compare(op) && try_fuse_compare(op)) return;
  switch (numeric_constraint(op)) {
    case NumericConstraint::DivRem: visit_div_rem(op); return;
    case NumericConstraint::Shift: visit_shift(op); return;
    case NumericConstraint::None: break;
  }
  const OpInfo& info = op_info(op);
  const ValType result = slot_type(info.result);
  const RegClass result_class = reg_class_of(result);
  if (info.param_count() == 1) {
    Reg src = pop_to_reg();
    Reg dst = result_reg(result_class, {src}, src);
    emit_numeric(a_, op, operand(dst), operand(src), NumOperand::none(),
                 numeric_compile_detail::scratch(), traps_,
               env_.options.cpu);
    push_reg(result, dst);
    return;
  }
  const bool int_rhs = info.params[1] == Slot::I32 || info.params[1] == Slot::I64;
  NumOperand rhs;
  RegSet pinned;
  if (int_rhs && stack_.back().is_const()) {
    rhs = NumOperand::imm(pop().imm);
  } else {
    Reg r = pop_to_reg();
    pinned.add(r);
    rhs = operand(r);
  }
  Reg lhs = pop_to_reg(pinned);
  pinned.add(lhs);
  Reg dst = result_reg(result_class, pinned, lhs);
  emit_numeric(a_, op, operand(dst), operand(lhs), rhs, numeric_compile_detail::scratch(),
               traps_, env_.options.cpu);
  push_reg(result, dst);
}

}  // namespace wasm::detail::jit
// ---- end include/wasm/detail/jit/compile_numeric.hpp ----
// ---- begin include/wasm/detail/jit/compile_simd.hpp ----
// The 128-bit SIMD instructions: operands are put in registers as emit_simd's contract wants
// them, the sequences come from emit_simd*.hpp. v128 values live in xmm registers and 16-byte
// frame slots like any other value; a v128 constant on the value stack is always zero (other
// constants are loaded into a register from the function's constant pool at once).
// ---- begin include/wasm/detail/jit/emit_simd.hpp ----
// Machine code for the 128-bit SIMD instructions, with exact wasm semantics (NaN and signed
// zero rules of min/max, saturation, masked shift counts, out-of-range swizzle indices).
// SSE4.1 is the floor; with CpuFeatures::avx every operation uses its VEX form, with avx2 the
// broadcasts use vpbroadcast*, with sse42 i64x2 comparisons use pcmpgtq.
//
// Register contract, for every emitter of emit_simd*.hpp:
//  - v128 values live in whole xmm registers; scalars as emit_numeric keeps them.
//  - dst is either a register holding none of the operands, or the first operand (lhs) when no
//    other operand is in that register. Operands may share a register with each other.
//  - tmp (only for ops with simd_needs_temp) is a register distinct from all of the above.
//  - SimdAsm's scratch registers (xmm15, r11) are clobbered freely; flags too.
// ---- begin include/wasm/detail/jit/emit_simd_conv.hpp ----
// Operations that change the lane shape: int/float conversions (saturating truncations,
// unsigned conversions, demote/promote), narrowing, widening, extended multiplies, pairwise
// additions and the dot product. Register contract: see emit_simd.hpp.
// ---- begin include/wasm/detail/jit/emit_simd_float.hpp ----
// f32x4/f64x2 arithmetic, comparisons, min/max (wasm and pseudo), sign operations and
// rounding. Register contract: see emit_simd.hpp.

namespace wasm::detail::jit::simd_detail {

// cmpps/cmppd predicates.
enum FloatPredicate : uint8_t { kEq = 0, kLt = 1, kLe = 2, kUnord = 3, kNeq = 4 };

// roundps/roundpd modes.
enum RoundMode : uint8_t { kNearest = 0, kFloor = 1, kCeil = 2, kTrunc = 3 };

// wasm min/max: NaN if either operand is NaN (canonical here), and -0 < +0. x86's minps/maxps
// return their second operand for NaNs and equal zeros, so both orders are computed: for min
// their OR keeps -0 and any NaN; for max their AND keeps +0, and NaN lanes are found apart
// (exactly one order, or both, produced a NaN). NaN lanes then become all ones with the payload
// below the quiet bit cleared.
inline void float_min_max(SimdAsm& m, bool is_f64, bool is_max, const Xbyak::Xmm& d,
                          const Xbyak::Xmm& l, const Xbyak::Xmm& r, const Xbyak::Xmm& tmp) {
  auto pick = is_max ? (is_f64 ? &SimdAsm::maxpd : &SimdAsm::maxps)
                     : (is_f64 ? &SimdAsm::minpd : &SimdAsm::minps);
  auto unord = [&](const Xbyak::Xmm& dst, const Xbyak::Xmm& x, const Xbyak::Xmm& y) {
    if (is_f64) m.cmppd(dst, x, y, kUnord);
    else m.cmpps(dst, x, y, kUnord);
  };
  (m.*pick)(m.scratch, l, r);
  (m.*pick)(tmp, r, l);
  if (is_max) {
    unord(d, m.scratch, tmp);
    m.andps(m.scratch, m.scratch, tmp);
  } else {
    m.orps(m.scratch, m.scratch, tmp);
    unord(d, m.scratch, m.scratch);
  }
  m.orps(m.scratch, m.scratch, d);
  if (is_f64) m.psrlq(d, d, 13);
  else m.psrld(d, d, 10);
  m.andnps(d, d, m.scratch);
}

// Float ops with v128 operands and result (conversions are in emit_simd_conv.hpp). False when
// `op` is not one of them.
inline bool emit_float_op(SimdAsm& m, Op op, const Xbyak::Xmm& d, const Xbyak::Xmm& l,
                          const Xbyak::Xmm& r, const Xbyak::Xmm& tmp) {
  const auto sign32 = [&] { return m.splat(uint32_t(0x80000000u)); };
  const auto sign64 = [&] { return m.splat(uint64_t(1) << 63); };
  switch (op) {
    case Op::F32x4Add: m.addps(d, l, r); return true;
    case Op::F32x4Sub: m.subps(d, l, r); return true;
    case Op::F32x4Mul: m.mulps(d, l, r); return true;
    case Op::F32x4Div: m.divps(d, l, r); return true;
    case Op::F64x2Add: m.addpd(d, l, r); return true;
    case Op::F64x2Sub: m.subpd(d, l, r); return true;
    case Op::F64x2Mul: m.mulpd(d, l, r); return true;
    case Op::F64x2Div: m.divpd(d, l, r); return true;
    case Op::F32x4Sqrt: m.sqrtps(d, l); return true;
    case Op::F64x2Sqrt: m.sqrtpd(d, l); return true;
    case Op::F32x4Abs: m.andps(d, l, m.splat(uint32_t(0x7FFFFFFFu))); return true;
    case Op::F64x2Abs: m.andps(d, l, m.splat(~(uint64_t(1) << 63))); return true;
    case Op::F32x4Neg: m.xorps(d, l, sign32()); return true;
    case Op::F64x2Neg: m.xorps(d, l, sign64()); return true;
    case Op::F32x4Ceil: m.roundps(d, l, kCeil); return true;
    case Op::F32x4Floor: m.roundps(d, l, kFloor); return true;
    case Op::F32x4Trunc: m.roundps(d, l, kTrunc); return true;
    case Op::F32x4Nearest: m.roundps(d, l, kNearest); return true;
    case Op::F64x2Ceil: m.roundpd(d, l, kCeil); return true;
    case Op::F64x2Floor: m.roundpd(d, l, kFloor); return true;
    case Op::F64x2Trunc: m.roundpd(d, l, kTrunc); return true;
    case Op::F64x2Nearest: m.roundpd(d, l, kNearest); return true;
    // Comparisons: gt and ge swap the operands of lt and le; neq is the unordered form.
    case Op::F32x4Eq: m.cmpps(d, l, r, kEq); return true;
    case Op::F32x4Ne: m.cmpps(d, l, r, kNeq); return true;
    case Op::F32x4Lt: m.cmpps(d, l, r, kLt); return true;
    case Op::F32x4Gt: m.cmpps(d, r, l, kLt); return true;
    case Op::F32x4Le: m.cmpps(d, l, r, kLe); return true;
    case Op::F32x4Ge: m.cmpps(d, r, l, kLe); return true;
    case Op::F64x2Eq: m.cmppd(d, l, r, kEq); return true;
    case Op::F64x2Ne: m.cmppd(d, l, r, kNeq); return true;
    case Op::F64x2Lt: m.cmppd(d, l, r, kLt); return true;
    case Op::F64x2Gt: m.cmppd(d, r, l, kLt); return true;
    case Op::F64x2Le: m.cmppd(d, l, r, kLe); return true;
    case Op::F64x2Ge: m.cmppd(d, r, l, kLe); return true;
    case Op::F32x4Min: float_min_max(m, false, false, d, l, r, tmp); return true;
    case Op::F32x4Max: float_min_max(m, false, true, d, l, r, tmp); return true;
    case Op::F64x2Min: float_min_max(m, true, false, d, l, r, tmp); return true;
    case Op::F64x2Max: float_min_max(m, true, true, d, l, r, tmp); return true;
    // pmin(l, r) = r < l ? r : l and pmax(l, r) = l < r ? r : l: exactly minps(r, l) and
    // maxps(r, l), which return their second operand when the comparison is false.
    case Op::F32x4Pmin: m.minps(d, r, l); return true;
    case Op::F32x4Pmax: m.maxps(d, r, l); return true;
    case Op::F64x2Pmin: m.minpd(d, r, l); return true;
    case Op::F64x2Pmax: m.maxpd(d, r, l); return true;
    default: return false;
  }
}

}  // namespace wasm::detail::jit::simd_detail
// ---- end include/wasm/detail/jit/emit_simd_float.hpp ----

namespace wasm::detail::jit::simd_detail {

using Xbyak::Xmm;

// u32 -> f32 with one rounding: the high 16 bits (halved, so that the signed conversion is
// exact, then doubled) plus the low 16 bits, both exact, added once.
inline void f32_from_u32(SimdAsm& m, const Xmm& d, const Xmm& src) {
  m.pslld(m.scratch, src, 16);
  m.psrld(m.scratch, m.scratch, 16);  // low halves
  m.psubd(d, src, m.scratch);         // high halves
  m.psrld(d, d, 1);
  m.cvtdq2ps(d, d);
  m.addps(d, d, d);
  m.cvtdq2ps(m.scratch, m.scratch);
  m.addps(d, d, m.scratch);
}

// f32 -> i32, saturating: NaN lanes are zeroed first; cvttps2dq gives 0x80000000 for every
// out-of-range lane, which is right for negative ones and flipped to 0x7FFFFFFF for x >= 2^31.
inline void i32_trunc_sat_f32_s(SimdAsm& m, const Xmm& d, const Xmm& src) {
  m.cmpps(m.scratch, src, src, kEq);
  m.andps(d, src, m.scratch);
  m.load(m.scratch, m.splat(2147483648.0f));
  m.cmpps(m.scratch, m.scratch, d, kLe);  // 2^31 <= x
  m.cvttps2dq(d, d);
  m.pxor(d, d, m.scratch);
}

// f32 -> u32, saturating: x = max(src, 0) (NaN -> 0); lanes below 2^31 convert directly, the
// others as 2^31 + (x - 2^31), and x >= 2^32 ends as 0x80000000 + 0x7FFFFFFF.
inline void i32_trunc_sat_f32_u(SimdAsm& m, const Xmm& d, const Xmm& src, const Xmm& tmp) {
  m.zero(m.scratch);
  m.maxps(d, src, m.scratch);  // maxps returns its second operand (0) for NaN
  m.load(m.scratch, m.splat(2147483648.0f));
  m.subps(tmp, d, m.scratch);             // x - 2^31
  m.cmpps(m.scratch, m.scratch, tmp, kLe);  // x - 2^31 >= 2^31
  m.cvttps2dq(tmp, tmp);
  m.pxor(tmp, tmp, m.scratch);  // 0x7FFFFFFF where x >= 2^32
  m.zero(m.scratch);
  m.pmaxsd(tmp, tmp, m.scratch);  // lanes below 2^31 add nothing
  m.cvttps2dq(d, d);             // 0x80000000 for lanes at or above 2^31
  m.paddd(d, d, tmp);
}

// f64x2 -> i32x4 (two lanes and two zeros), saturating.
inline void i32_trunc_sat_f64_s_zero(SimdAsm& m, const Xmm& d, const Xmm& src) {
  m.cmppd(m.scratch, src, src, kEq);
  m.andps(d, src, m.scratch);  // NaN -> 0
  m.minpd(d, d, m.splat(2147483647.0));
  m.cvttpd2dq(d, d);  // below -2^31 gives 0x80000000, the saturated value
}

inline void i32_trunc_sat_f64_u_zero(SimdAsm& m, const Xmm& d, const Xmm& src) {
  m.zero(m.scratch);
  m.maxpd(d, src, m.scratch);  // NaN and negatives -> 0
  m.minpd(d, d, m.splat(4294967295.0));
  m.roundpd(d, d, kTrunc);
  // Adding 2^52 puts the integer in the low 32 bits of each double's mantissa.
  m.addpd(d, d, m.splat(4503599627370496.0));
  m.shufps(d, d, m.scratch, 0x88);  // dwords 0 and 2, then zeros
}

// u32 (low two lanes) -> f64: the doubles with high word 0x43300000 are 2^52 + x exactly.
inline void f64_from_u32_low(SimdAsm& m, const Xmm& d, const Xmm& src) {
  m.unpcklps(d, src, m.splat(uint32_t(0x43300000u)));
  m.subpd(d, d, m.splat(4503599627370496.0));
}

// The high 8 bytes of src into the low 8 bytes of d.
inline void high_half(SimdAsm& m, const Xmm& d, const Xmm& src) { m.pshufd(d, src, 0xEE); }

// Widening multiplies. i8 and i32 lanes are widened first; i16 lanes use the low and high
// halves of the 32-bit products (pmullw, pmulhw) interleaved.
inline void extmul(SimdAsm& m, Op op, const Xmm& d, const Xmm& l, const Xmm& r) {
  switch (op) {
    case Op::I16x8ExtmulLowI8x16S:
      m.pmovsxbw(d, l);
      m.pmovsxbw(m.scratch, r);
      break;
    case Op::I16x8ExtmulLowI8x16U:
      m.pmovzxbw(d, l);
      m.pmovzxbw(m.scratch, r);
      break;
    case Op::I16x8ExtmulHighI8x16S:
    case Op::I16x8ExtmulHighI8x16U: {
      bool s = op == Op::I16x8ExtmulHighI8x16S;
      high_half(m, d, l);
      high_half(m, m.scratch, r);
      if (s) {
        m.pmovsxbw(d, d);
        m.pmovsxbw(m.scratch, m.scratch);
      } else {
        m.pmovzxbw(d, d);
        m.pmovzxbw(m.scratch, m.scratch);
      }
      break;
    }
    default: {
      bool is_signed = op == Op::I32x4ExtmulLowI16x8S || op == Op::I32x4ExtmulHighI16x8S ||
                       op == Op::I64x2ExtmulLowI32x4S || op == Op::I64x2ExtmulHighI32x4S;
      bool high = op == Op::I32x4ExtmulHighI16x8S || op == Op::I32x4ExtmulHighI16x8U ||
                  op == Op::I64x2ExtmulHighI32x4S || op == Op::I64x2ExtmulHighI32x4U;
      if (op_info(op).code <= 0xBF) {  // i32x4 from i16x8
        if (is_signed) m.pmulhw(m.scratch, l, r);
        else m.pmulhuw(m.scratch, l, r);
        m.pmullw(d, l, r);
        if (high) m.punpckhwd(d, d, m.scratch);
        else m.punpcklwd(d, d, m.scratch);
        return;
      }
      // i64x2 from i32x4: pmul(u)dq multiplies dwords 0 and 2.
      uint8_t spread = high ? 0xFA : 0x50;  // dwords (2,2,3,3) or (0,0,1,1)
      m.pshufd(d, l, spread);
      m.pshufd(m.scratch, r, spread);
      if (is_signed) m.pmuldq(d, d, m.scratch);
      else m.pmuludq(d, d, m.scratch);
      return;
    }
  }
  m.pmullw(d, d, m.scratch);
}

inline bool emit_conversion(SimdAsm& m, Op op, const Xmm& d, const Xmm& l, const Xmm& r,
                            const Xmm& tmp) {
  switch (op) {
    case Op::F32x4ConvertI32x4S: m.cvtdq2ps(d, l); return true;
    case Op::F32x4ConvertI32x4U: f32_from_u32(m, d, l); return true;
    case Op::I32x4TruncSatF32x4S: i32_trunc_sat_f32_s(m, d, l); return true;
    case Op::I32x4TruncSatF32x4U: i32_trunc_sat_f32_u(m, d, l, tmp); return true;
    case Op::I32x4TruncSatF64x2SZero: i32_trunc_sat_f64_s_zero(m, d, l); return true;
    case Op::I32x4TruncSatF64x2UZero: i32_trunc_sat_f64_u_zero(m, d, l); return true;
    case Op::F64x2ConvertLowI32x4S: m.cvtdq2pd(d, l); return true;
    case Op::F64x2ConvertLowI32x4U: f64_from_u32_low(m, d, l); return true;
    case Op::F32x4DemoteF64x2Zero: m.cvtpd2ps(d, l); return true;
    case Op::F64x2PromoteLowF32x4: m.cvtps2pd(d, l); return true;
    // Narrowing saturates signed inputs, as packs/packus do.
    case Op::I8x16NarrowI16x8S: m.packsswb(d, l, r); return true;
    case Op::I8x16NarrowI16x8U: m.packuswb(d, l, r); return true;
    case Op::I16x8NarrowI32x4S: m.packssdw(d, l, r); return true;
    case Op::I16x8NarrowI32x4U: m.packusdw(d, l, r); return true;
    case Op::I16x8ExtendLowI8x16S: m.pmovsxbw(d, l); return true;
    case Op::I16x8ExtendLowI8x16U: m.pmovzxbw(d, l); return true;
    case Op::I32x4ExtendLowI16x8S: m.pmovsxwd(d, l); return true;
    case Op::I32x4ExtendLowI16x8U: m.pmovzxwd(d, l); return true;
    case Op::I64x2ExtendLowI32x4S: m.pmovsxdq(d, l); return true;
    case Op::I64x2ExtendLowI32x4U: m.pmovzxdq(d, l); return true;
    case Op::I16x8ExtendHighI8x16S: high_half(m, d, l); m.pmovsxbw(d, d); return true;
    case Op::I16x8ExtendHighI8x16U: high_half(m, d, l); m.pmovzxbw(d, d); return true;
    case Op::I32x4ExtendHighI16x8S: high_half(m, d, l); m.pmovsxwd(d, d); return true;
    case Op::I32x4ExtendHighI16x8U: high_half(m, d, l); m.pmovzxwd(d, d); return true;
    case Op::I64x2ExtendHighI32x4S: high_half(m, d, l); m.pmovsxdq(d, d); return true;
    case Op::I64x2ExtendHighI32x4U: high_half(m, d, l); m.pmovzxdq(d, d); return true;
    // Pairwise sums: pmaddubsw takes its first operand unsigned and its second signed.
    case Op::I16x8ExtaddPairwiseI8x16S:
      m.mov(m.scratch, l);
      m.load(d, m.splat(uint8_t(1)));
      m.pmaddubsw(d, d, m.scratch);
      return true;
    case Op::I16x8ExtaddPairwiseI8x16U: m.pmaddubsw(d, l, m.splat(uint8_t(1))); return true;
    case Op::I32x4ExtaddPairwiseI16x8S: m.pmaddwd(d, l, m.splat(uint16_t(1))); return true;
    case Op::I32x4ExtaddPairwiseI16x8U:
      // Biased to signed (x - 0x8000), summed, and the two biases added back.
      m.pxor(d, l, m.splat(uint16_t(0x8000)));
      m.pmaddwd(d, d, m.splat(uint16_t(1)));
      m.paddd(d, d, m.splat(uint32_t(0x10000)));
      return true;
    case Op::I32x4DotI16x8S: m.pmaddwd(d, l, r); return true;
    case Op::I16x8ExtmulLowI8x16S: case Op::I16x8ExtmulHighI8x16S:
    case Op::I16x8ExtmulLowI8x16U: case Op::I16x8ExtmulHighI8x16U:
    case Op::I32x4ExtmulLowI16x8S: case Op::I32x4ExtmulHighI16x8S:
    case Op::I32x4ExtmulLowI16x8U: case Op::I32x4ExtmulHighI16x8U:
    case Op::I64x2ExtmulLowI32x4S: case Op::I64x2ExtmulHighI32x4S:
    case Op::I64x2ExtmulLowI32x4U: case Op::I64x2ExtmulHighI32x4U:
      extmul(m, op, d, l, r);
      return true;
    default: return false;
  }
}

}  // namespace wasm::detail::jit::simd_detail
// ---- end include/wasm/detail/jit/emit_simd_conv.hpp ----
// ---- begin include/wasm/detail/jit/emit_simd_int.hpp ----
// Integer lane arithmetic, comparisons, bitwise operations and the v128 -> i32 reductions
// (any_true, all_true, bitmask). Register contract: see emit_simd.hpp.

namespace wasm::detail::jit::simd_detail {

using Xbyak::Xmm;
using Op3 = void (SimdAsm::*)(const Xmm&, const Xmm&, const Xbyak::Operand&);

inline void bitwise_not(SimdAsm& m, const Xmm& dst, const Xmm& src) {
  m.all_ones(m.scratch);
  m.pxor(dst, src, m.scratch);
}

// dst = (l == pick(l, r)) lane-wise, e.g. pick = min_u gives l <=u r.
inline void compare_via_minmax(SimdAsm& m, Op3 pick, Op3 eq, const Xmm& dst, const Xmm& l,
                               const Xmm& r, bool negate) {
  (m.*pick)(m.scratch, l, r);
  (m.*eq)(dst, l, m.scratch);
  if (negate) bitwise_not(m, dst, dst);
}

// i64x2 a > b (signed). pcmpgtq is SSE4.2; without it: the sign of
// (b & ~a) | (~(a ^ b) & (b - a)), which is b - a's sign unless the subtraction overflowed.
inline void i64_greater(SimdAsm& m, const Xmm& dst, const Xmm& a, const Xmm& b, const Xmm& tmp) {
  if (m.cpu.sse42) {
    m.pcmpgtq(dst, a, b);
    return;
  }
  m.psubq(tmp, b, a);
  m.pxor(m.scratch, a, b);
  m.pandn(m.scratch, m.scratch, tmp);
  m.pandn(tmp, a, b);
  m.por(dst, tmp, m.scratch);
  m.psrad(dst, dst, 31);
  m.pshufd(dst, dst, 0xF5);  // each qword's high dword into both halves
}

// Integer comparisons of one lane width: 0 = i8, 1 = i16, 2 = i32.
struct IntCompareOps {
  Op3 eq, gt, min_s, max_s, min_u, max_u;
};

inline const IntCompareOps& int_compare_ops(int width) {
  static const IntCompareOps ops[3] = {
      {&SimdAsm::pcmpeqb, &SimdAsm::pcmpgtb, &SimdAsm::pminsb, &SimdAsm::pmaxsb,
       &SimdAsm::pminub, &SimdAsm::pmaxub},
      {&SimdAsm::pcmpeqw, &SimdAsm::pcmpgtw, &SimdAsm::pminsw, &SimdAsm::pmaxsw,
       &SimdAsm::pminuw, &SimdAsm::pmaxuw},
      {&SimdAsm::pcmpeqd, &SimdAsm::pcmpgtd, &SimdAsm::pminsd, &SimdAsm::pmaxsd,
       &SimdAsm::pminud, &SimdAsm::pmaxud}};
  return ops[width];
}

// The ten comparisons of i8x16/i16x8/i32x4 in opcode order: eq ne lt_s lt_u gt_s gt_u le_s le_u
// ge_s ge_u.
inline void emit_int_compare(SimdAsm& m, int width, int which, const Xmm& d, const Xmm& l,
                             const Xmm& r) {
  const IntCompareOps& o = int_compare_ops(width);
  switch (which) {
    case 0: (m.*o.eq)(d, l, r); return;
    case 1: (m.*o.eq)(d, l, r); bitwise_not(m, d, d); return;
    case 2: (m.*o.gt)(d, r, l); return;
    case 3: compare_via_minmax(m, o.max_u, o.eq, d, l, r, true); return;   // !(l >=u r)
    case 4: (m.*o.gt)(d, l, r); return;
    case 5: compare_via_minmax(m, o.min_u, o.eq, d, l, r, true); return;   // !(l <=u r)
    case 6: compare_via_minmax(m, o.min_s, o.eq, d, l, r, false); return;
    case 7: compare_via_minmax(m, o.min_u, o.eq, d, l, r, false); return;
    case 8: compare_via_minmax(m, o.max_s, o.eq, d, l, r, false); return;
    default: compare_via_minmax(m, o.max_u, o.eq, d, l, r, false); return;
  }
}

// dst = 0 - src, lane-wise.
inline void negate(SimdAsm& m, Op3 sub, const Xmm& dst, const Xmm& src) {
  m.mov(m.scratch, src);
  m.zero(dst);
  (m.*sub)(dst, dst, m.scratch);
}

// Popcount of each byte: two 16-entry table lookups (pshufb), one per nibble.
inline void i8_popcnt(SimdAsm& m, const Xmm& dst, const Xmm& src, const Xmm& tmp) {
  static constexpr V128Bytes kNibbleCounts = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4};
  m.psrlw(tmp, src, 4);
  m.pand(tmp, tmp, m.splat(uint8_t(0x0F)));
  m.pand(dst, src, m.splat(uint8_t(0x0F)));
  m.load(m.scratch, m.constant(kNibbleCounts));
  m.pshufb(m.scratch, m.scratch, dst);
  m.load(dst, m.constant(kNibbleCounts));
  m.pshufb(dst, dst, tmp);
  m.paddb(dst, dst, m.scratch);
}

// i64x2.mul: the low 64 bits of the product from three 32x32->64 multiplies.
inline void i64_mul(SimdAsm& m, const Xmm& dst, const Xmm& l, const Xmm& r, const Xmm& tmp) {
  m.psrlq(tmp, l, 32);
  m.pmuludq(tmp, tmp, r);            // hi(l) * lo(r)
  m.psrlq(m.scratch, r, 32);
  m.pmuludq(m.scratch, m.scratch, l);  // lo(l) * hi(r)
  m.paddq(tmp, tmp, m.scratch);
  m.psllq(tmp, tmp, 32);
  m.pmuludq(dst, l, r);              // lo(l) * lo(r)
  m.paddq(dst, dst, tmp);
}

// Integer ops with v128 operands and result. False when `op` is not one of them.
inline bool emit_int_op(SimdAsm& m, Op op, const Xmm& d, const Xmm& l, const Xmm& r,
                        const Xmm& third, const Xmm& tmp) {
  const int code = int(op_info(op).code);
  if (code >= 0x23 && code <= 0x40) {  // i8x16, i16x8, i32x4 comparisons
    emit_int_compare(m, (code - 0x23) / 10, (code - 0x23) % 10, d, l, r);
    return true;
  }
  switch (op) {
    // i64x2 comparisons
    case Op::I64x2Eq: m.pcmpeqq(d, l, r); return true;
    case Op::I64x2Ne: m.pcmpeqq(d, l, r); bitwise_not(m, d, d); return true;
    case Op::I64x2GtS: i64_greater(m, d, l, r, tmp); return true;
    case Op::I64x2LtS: i64_greater(m, d, r, l, tmp); return true;
    case Op::I64x2LeS: i64_greater(m, d, l, r, tmp); bitwise_not(m, d, d); return true;
    case Op::I64x2GeS: i64_greater(m, d, r, l, tmp); bitwise_not(m, d, d); return true;
    // bitwise
    case Op::V128Not: bitwise_not(m, d, l); return true;
    case Op::V128And: m.pand(d, l, r); return true;
    case Op::V128AndNot: m.pandn(d, r, l); return true;  // pandn is ~first & second
    case Op::V128Or: m.por(d, l, r); return true;
    case Op::V128Xor: m.pxor(d, l, r); return true;
    case Op::V128Bitselect:  // r ^ ((l ^ r) & mask)
      m.pxor(d, l, r);
      m.pand(d, d, third);
      m.pxor(d, d, r);
      return true;
    // unary
    case Op::I8x16Abs: m.pabsb(d, l); return true;
    case Op::I16x8Abs: m.pabsw(d, l); return true;
    case Op::I32x4Abs: m.pabsd(d, l); return true;
    case Op::I64x2Abs:  // (x ^ sign) - sign
      m.psrad(m.scratch, l, 31);
      m.pshufd(m.scratch, m.scratch, 0xF5);
      m.pxor(d, l, m.scratch);
      m.psubq(d, d, m.scratch);
      return true;
    case Op::I8x16Neg: negate(m, &SimdAsm::psubb, d, l); return true;
    case Op::I16x8Neg: negate(m, &SimdAsm::psubw, d, l); return true;
    case Op::I32x4Neg: negate(m, &SimdAsm::psubd, d, l); return true;
    case Op::I64x2Neg: negate(m, &SimdAsm::psubq, d, l); return true;
    case Op::I8x16Popcnt: i8_popcnt(m, d, l, tmp); return true;
    // arithmetic
    case Op::I8x16Add: m.paddb(d, l, r); return true;
    case Op::I16x8Add: m.paddw(d, l, r); return true;
    case Op::I32x4Add: m.paddd(d, l, r); return true;
    case Op::I64x2Add: m.paddq(d, l, r); return true;
    case Op::I8x16Sub: m.psubb(d, l, r); return true;
    case Op::I16x8Sub: m.psubw(d, l, r); return true;
    case Op::I32x4Sub: m.psubd(d, l, r); return true;
    case Op::I64x2Sub: m.psubq(d, l, r); return true;
    case Op::I8x16AddSatS: m.paddsb(d, l, r); return true;
    case Op::I8x16AddSatU: m.paddusb(d, l, r); return true;
    case Op::I8x16SubSatS: m.psubsb(d, l, r); return true;
    case Op::I8x16SubSatU: m.psubusb(d, l, r); return true;
    case Op::I16x8AddSatS: m.paddsw(d, l, r); return true;
    case Op::I16x8AddSatU: m.paddusw(d, l, r); return true;
    case Op::I16x8SubSatS: m.psubsw(d, l, r); return true;
    case Op::I16x8SubSatU: m.psubusw(d, l, r); return true;
    case Op::I16x8Mul: m.pmullw(d, l, r); return true;
    case Op::I32x4Mul: m.pmulld(d, l, r); return true;
    case Op::I64x2Mul: i64_mul(m, d, l, r, tmp); return true;
    case Op::I8x16MinS: m.pminsb(d, l, r); return true;
    case Op::I8x16MinU: m.pminub(d, l, r); return true;
    case Op::I8x16MaxS: m.pmaxsb(d, l, r); return true;
    case Op::I8x16MaxU: m.pmaxub(d, l, r); return true;
    case Op::I16x8MinS: m.pminsw(d, l, r); return true;
    case Op::I16x8MinU: m.pminuw(d, l, r); return true;
    case Op::I16x8MaxS: m.pmaxsw(d, l, r); return true;
    case Op::I16x8MaxU: m.pmaxuw(d, l, r); return true;
    case Op::I32x4MinS: m.pminsd(d, l, r); return true;
    case Op::I32x4MinU: m.pminud(d, l, r); return true;
    case Op::I32x4MaxS: m.pmaxsd(d, l, r); return true;
    case Op::I32x4MaxU: m.pmaxud(d, l, r); return true;
    case Op::I8x16AvgrU: m.pavgb(d, l, r); return true;
    case Op::I16x8AvgrU: m.pavgw(d, l, r); return true;
    case Op::I16x8Q15mulrSatS:
      // pmulhrsw rounds like wasm but wraps the one overflow (-32768 * -32768) to 0x8000.
      m.pmulhrsw(d, l, r);
      m.pcmpeqw(m.scratch, d, m.splat(uint16_t(0x8000)));
      m.pxor(d, d, m.scratch);
      return true;
    default: return false;
  }
}

// v128 -> i32: any_true, all_true, bitmask. `dst` is a general purpose register (the i32 is
// zero-extended in it). False when `op` is not one of them.
inline bool emit_reduction(SimdAsm& m, Op op, const Xbyak::Reg64& dst, const Xmm& src) {
  Xbyak::CodeGenerator& a = m.a;
  const Xbyak::Reg32 d32 = dst.cvt32();
  auto all_true = [&](Op3 eq) {
    m.zero(m.scratch);
    (m.*eq)(m.scratch, m.scratch, src);  // lanes that are zero become all ones
    m.ptest(m.scratch, m.scratch);
    emit_setcc(a, CompareCond::E, dst);
  };
  switch (op) {
    case Op::V128AnyTrue:
      m.ptest(src, src);
      emit_setcc(a, CompareCond::NE, dst);
      return true;
    case Op::I8x16AllTrue: all_true(&SimdAsm::pcmpeqb); return true;
    case Op::I16x8AllTrue: all_true(&SimdAsm::pcmpeqw); return true;
    case Op::I32x4AllTrue: all_true(&SimdAsm::pcmpeqd); return true;
    case Op::I64x2AllTrue: all_true(&SimdAsm::pcmpeqq); return true;
    case Op::I8x16Bitmask:
      if (m.avx()) a.vpmovmskb(d32, src);
      else a.pmovmskb(d32, src);
      return true;
    case Op::I16x8Bitmask:  // saturating to bytes keeps each sign; both halves hold the mask
      m.packsswb(m.scratch, src, src);
      if (m.avx()) a.vpmovmskb(d32, m.scratch);
      else a.pmovmskb(d32, m.scratch);
      a.shr(d32, 8);
      return true;
    case Op::I32x4Bitmask:
      if (m.avx()) a.vmovmskps(d32, src);
      else a.movmskps(d32, src);
      return true;
    case Op::I64x2Bitmask:
      if (m.avx()) a.vmovmskpd(d32, src);
      else a.movmskpd(d32, src);
      return true;
    default: return false;
  }
}

}  // namespace wasm::detail::jit::simd_detail
// ---- end include/wasm/detail/jit/emit_simd_int.hpp ----
// ---- begin include/wasm/detail/jit/emit_simd_lane.hpp ----
// Lane operations: splat, extract_lane, replace_lane, shuffle and swizzle; also the splat and
// lane parts of the SIMD loads and stores, which share these sequences. Scalars live as
// emit_numeric keeps them: i32/i64 in general purpose registers (i32 zero-extended), f32/f64 in
// the low lane of an xmm register (the other lanes are don't-care).

namespace wasm::detail::jit::simd_detail {

using Xbyak::Xmm;

// Broadcasts lane 0 of d (of 1, 2, 4 or 8 bytes) to every lane.
inline void broadcast_lane0(SimdAsm& m, const Xmm& d, int bytes) {
  if (m.cpu.avx2) {
    switch (bytes) {
      case 1: m.a.vpbroadcastb(d, d); return;
      case 2: m.a.vpbroadcastw(d, d); return;
      case 4: m.a.vpbroadcastd(d, d); return;
      default: m.a.vpbroadcastq(d, d); return;
    }
  }
  switch (bytes) {
    case 1:
      m.zero(m.scratch);
      m.pshufb(d, d, m.scratch);
      return;
    case 2:
      m.pshuflw(d, d, 0);
      m.pshufd(d, d, 0);
      return;
    case 4: m.pshufd(d, d, 0); return;
    default: m.punpcklqdq(d, d, d); return;
  }
}

// i8x16/i16x8/i32x4/i64x2.splat from a general purpose register.
inline void splat_int(SimdAsm& m, const Xmm& d, const Xbyak::Reg64& src, int bytes) {
  if (bytes == 8) m.movq(d, src);
  else m.movd(d, src.cvt32());
  broadcast_lane0(m, d, bytes);
}

inline void splat_f32(SimdAsm& m, const Xmm& d, const Xmm& src) {
  if (m.cpu.avx2) m.a.vbroadcastss(d, src);
  else m.shufps(d, src, src, 0);
}

inline void splat_f64(SimdAsm& m, const Xmm& d, const Xmm& src) { m.movddup(d, src); }

// extract_lane into a general purpose register (i32 zero-extended; _s sign-extends to 32).
inline void extract_int(SimdAsm& m, Op op, const Xbyak::Reg64& dst, const Xmm& src, uint8_t lane) {
  Xbyak::CodeGenerator& a = m.a;
  const Xbyak::Reg32 d32 = dst.cvt32();
  const bool avx = m.avx();
  switch (op) {
    case Op::I8x16ExtractLaneS:
    case Op::I8x16ExtractLaneU:
      if (avx) a.vpextrb(d32, src, lane);
      else a.pextrb(d32, src, lane);
      if (op == Op::I8x16ExtractLaneS) a.movsx(d32, dst.cvt8());
      return;
    case Op::I16x8ExtractLaneS:
    case Op::I16x8ExtractLaneU:
      if (avx) a.vpextrw(d32, src, lane);
      else a.pextrw(d32, src, lane);
      if (op == Op::I16x8ExtractLaneS) a.movsx(d32, dst.cvt16());
      return;
    case Op::I32x4ExtractLane:
      if (lane == 0) {
        if (avx) a.vmovd(d32, src);
        else a.movd(d32, src);
      } else if (avx) {
        a.vpextrd(d32, src, lane);
      } else {
        a.pextrd(d32, src, lane);
      }
      return;
    default:  // I64x2ExtractLane
      if (lane == 0) {
        if (avx) a.vmovq(dst, src);
        else a.movq(dst, src);
      } else if (avx) {
        a.vpextrq(dst, src, lane);
      } else {
        a.pextrq(dst, src, lane);
      }
      return;
  }
}

// f32x4/f64x2.extract_lane: the lane moved to lane 0.
inline void extract_float(SimdAsm& m, Op op, const Xmm& d, const Xmm& src, uint8_t lane) {
  if (lane == 0) {
    m.mov(d, src);
  } else if (op == Op::F32x4ExtractLane) {
    m.pshufd(d, src, lane);
  } else {
    m.pshufd(d, src, 0xEE);
  }
}

// replace_lane: d = vec with one lane from `value` (a general purpose or xmm register).
inline void replace_lane(SimdAsm& m, Op op, const Xmm& d, const Xmm& vec,
                         const Xbyak::Reg64& int_value, const Xmm& float_value, uint8_t lane) {
  switch (op) {
    case Op::I8x16ReplaceLane: m.pinsrb(d, vec, int_value.cvt32(), lane); return;
    case Op::I16x8ReplaceLane: m.pinsrw(d, vec, int_value.cvt32(), lane); return;
    case Op::I32x4ReplaceLane: m.pinsrd(d, vec, int_value.cvt32(), lane); return;
    case Op::I64x2ReplaceLane: m.pinsrq(d, vec, int_value, lane); return;
    case Op::F32x4ReplaceLane: m.insertps(d, vec, float_value, uint8_t(lane << 4)); return;
    default:  // F64x2ReplaceLane
      if (lane == 0) m.movsd(d, vec, float_value);
      else m.movlhps(d, vec, float_value);
      return;
  }
}

// i8x16.shuffle: each operand's bytes picked by pshufb (index bit 7 zeroes a byte), then or-ed.
inline void shuffle(SimdAsm& m, const Xmm& d, const Xmm& l, const Xmm& r, const V128Bytes& lanes) {
  V128Bytes from_l, from_r;
  bool uses_l = false, uses_r = false;
  for (size_t i = 0; i < 16; ++i) {
    uint8_t s = lanes[i] & 31;
    from_l[i] = s < 16 ? s : 0x80;
    from_r[i] = s >= 16 ? uint8_t(s - 16) : 0x80;
    uses_l |= s < 16;
    uses_r |= s >= 16;
  }
  if (!uses_r) {
    m.pshufb(d, l, m.constant(from_l));
  } else if (!uses_l) {
    m.pshufb(d, r, m.constant(from_r));
  } else {
    m.pshufb(m.scratch, r, m.constant(from_r));
    m.pshufb(d, l, m.constant(from_l));
    m.por(d, d, m.scratch);
  }
}

// i8x16.swizzle: indices >= 16 select zero. Adding 0x70 with unsigned saturation keeps the low
// four bits of indices below 16 and sets bit 7 (pshufb's zero) for all others.
inline void swizzle(SimdAsm& m, const Xmm& d, const Xmm& l, const Xmm& r) {
  m.paddusb(m.scratch, r, m.splat(uint8_t(0x70)));
  m.pshufb(d, l, m.scratch);
}

}  // namespace wasm::detail::jit::simd_detail
// ---- end include/wasm/detail/jit/emit_simd_lane.hpp ----
// ---- begin include/wasm/detail/jit/emit_simd_shift.hpp ----
// Lane shifts by an i32 count taken modulo the lane width (wasm masks; x86 would shift
// everything out). x86 has no byte shifts and no 64-bit arithmetic right shift: bytes shift as
// words with the bits that crossed a byte boundary masked off (or, arithmetic, widened to
// words and narrowed back); i64x2.shr_s is ((x >>u n) ^ m) - m with m = 1 << (63 - n).

namespace wasm::detail::jit::simd_detail {

// The count: an immediate, or a general purpose register (never modified).
struct ShiftCount {
  bool is_imm = false;
  uint32_t imm = 0;
  Xbyak::Reg32 reg;
};

inline int shift_lane_bits(Op op) {
  switch (op) {
    case Op::I8x16Shl: case Op::I8x16ShrS: case Op::I8x16ShrU: return 8;
    case Op::I16x8Shl: case Op::I16x8ShrS: case Op::I16x8ShrU: return 16;
    case Op::I32x4Shl: case Op::I32x4ShrS: case Op::I32x4ShrU: return 32;
    case Op::I64x2Shl: case Op::I64x2ShrS: case Op::I64x2ShrU: return 64;
    default: return 0;
  }
}

constexpr bool is_simd_shift(Op op) {
  switch (op) {
    case Op::I8x16Shl: case Op::I8x16ShrS: case Op::I8x16ShrU:
    case Op::I16x8Shl: case Op::I16x8ShrS: case Op::I16x8ShrU:
    case Op::I32x4Shl: case Op::I32x4ShrS: case Op::I32x4ShrU:
    case Op::I64x2Shl: case Op::I64x2ShrS: case Op::I64x2ShrU:
      return true;
    default: return false;
  }
}

// i8x16.shr_s: each byte widened into the high half of a word (punpck with itself), shifted
// arithmetically by n + 8, and narrowed back (the values fit, so no saturation).
inline void i8_shr_s(SimdAsm& m, const Xbyak::Xmm& d, const Xbyak::Xmm& src, const ShiftCount& c,
                     const Xbyak::Xmm& tmp) {
  m.punpckhbw(tmp, src, src);
  m.punpcklbw(d, src, src);
  if (c.is_imm) {
    uint8_t n = uint8_t((c.imm & 7) + 8);
    m.psraw(tmp, tmp, n);
    m.psraw(d, d, n);
  } else {
    m.a.mov(m.scratch_gpr.cvt32(), c.reg);
    m.a.and_(m.scratch_gpr.cvt32(), 7);
    m.a.add(m.scratch_gpr.cvt32(), 8);
    m.movd(m.scratch, m.scratch_gpr.cvt32());
    m.psraw(tmp, tmp, m.scratch);
    m.psraw(d, d, m.scratch);
  }
  m.packsswb(d, d, tmp);
}

// Emits `d = src << >> count` for a shift op. `tmp` is needed for i8x16 shifts and i64x2.shr_s.
inline void emit_shift(SimdAsm& m, Op op, const Xbyak::Xmm& d, const Xbyak::Xmm& src,
                       const ShiftCount& c, const Xbyak::Xmm& tmp) {
  using X = const Xbyak::Xmm&;
  const uint32_t mask = uint32_t(shift_lane_bits(op) - 1);
  if (op == Op::I8x16ShrS) {
    i8_shr_s(m, d, src, c, tmp);
    return;
  }
  if (c.is_imm) {
    const uint8_t n = uint8_t(c.imm & mask);
    switch (op) {
      case Op::I8x16Shl:
        m.psllw(d, src, n);
        m.pand(d, d, m.splat(uint8_t(0xFF << n)));
        return;
      case Op::I8x16ShrU:
        m.psrlw(d, src, n);
        m.pand(d, d, m.splat(uint8_t(0xFF >> n)));
        return;
      case Op::I16x8Shl: m.psllw(d, src, n); return;
      case Op::I16x8ShrS: m.psraw(d, src, n); return;
      case Op::I16x8ShrU: m.psrlw(d, src, n); return;
      case Op::I32x4Shl: m.pslld(d, src, n); return;
      case Op::I32x4ShrS: m.psrad(d, src, n); return;
      case Op::I32x4ShrU: m.psrld(d, src, n); return;
      case Op::I64x2Shl: m.psllq(d, src, n); return;
      case Op::I64x2ShrU: m.psrlq(d, src, n); return;
      case Op::I64x2ShrS: {
        m.psrlq(d, src, n);
        auto sign = m.splat(uint64_t(1) << (63 - n));
        m.pxor(d, d, sign);
        m.psubq(d, d, sign);
        return;
      }
      default: return;
    }
  }
  // Masked count into the scratch xmm register (the count register itself is left alone).
  m.a.mov(m.scratch_gpr.cvt32(), c.reg);
  m.a.and_(m.scratch_gpr.cvt32(), mask);
  m.movd(m.scratch, m.scratch_gpr.cvt32());
  X n = m.scratch;
  switch (op) {
    case Op::I8x16Shl:
      m.psllw(d, src, n);
      m.all_ones(tmp);
      m.psllw(tmp, tmp, n);  // low byte of each word: 0xFF << n
      m.zero(m.scratch);
      m.pshufb(tmp, tmp, m.scratch);  // broadcast byte 0
      m.pand(d, d, tmp);
      return;
    case Op::I8x16ShrU:
      m.psrlw(d, src, n);
      m.all_ones(tmp);
      m.psrlw(tmp, tmp, n);
      m.psrlw(tmp, tmp, 8);  // each word: 0xFF >> n
      m.packuswb(tmp, tmp, tmp);
      m.pand(d, d, tmp);
      return;
    case Op::I16x8Shl: m.psllw(d, src, n); return;
    case Op::I16x8ShrS: m.psraw(d, src, n); return;
    case Op::I16x8ShrU: m.psrlw(d, src, n); return;
    case Op::I32x4Shl: m.pslld(d, src, n); return;
    case Op::I32x4ShrS: m.psrad(d, src, n); return;
    case Op::I32x4ShrU: m.psrld(d, src, n); return;
    case Op::I64x2Shl: m.psllq(d, src, n); return;
    case Op::I64x2ShrU: m.psrlq(d, src, n); return;
    case Op::I64x2ShrS:
      m.load(tmp, m.splat(uint64_t(1) << 63));
      m.psrlq(tmp, tmp, n);
      m.psrlq(d, src, n);
      m.pxor(d, d, tmp);
      m.psubq(d, d, tmp);
      return;
    default: return;
  }
}

}  // namespace wasm::detail::jit::simd_detail
// ---- end include/wasm/detail/jit/emit_simd_shift.hpp ----

namespace wasm::detail::jit {

// Ops whose sequence needs an extra xmm register besides dst and scratch.
constexpr bool simd_needs_temp(Op op) {
  switch (op) {
    case Op::I64x2GtS: case Op::I64x2LtS: case Op::I64x2LeS: case Op::I64x2GeS:
    case Op::I64x2Mul:
    case Op::I8x16Popcnt:
    case Op::F32x4Min: case Op::F32x4Max: case Op::F64x2Min: case Op::F64x2Max:
    case Op::I32x4TruncSatF32x4U:
    case Op::I8x16Shl: case Op::I8x16ShrS: case Op::I8x16ShrU:
    case Op::I64x2ShrS:
      return true;
    default: return false;
  }
}

// dst = op(lhs[, rhs[, third]]) for the ops whose operands and result are all v128 (except
// shuffle, which takes its lanes separately). Throws std::logic_error for any other op.
inline void emit_simd_v128_op(SimdAsm& m, Op op, const Xbyak::Xmm& dst, const Xbyak::Xmm& lhs,
                              const Xbyak::Xmm& rhs, const Xbyak::Xmm& third,
                              const Xbyak::Xmm& tmp) {
  using namespace simd_detail;
  if (op == Op::I8x16Swizzle) {
    swizzle(m, dst, lhs, rhs);
    return;
  }
  if (emit_int_op(m, op, dst, lhs, rhs, third, tmp)) return;
  if (emit_float_op(m, op, dst, lhs, rhs, tmp)) return;
  if (emit_conversion(m, op, dst, lhs, rhs, tmp)) return;
  numeric_detail::bad_operands("unhandled SIMD op");
}

}  // namespace wasm::detail::jit
// ---- end include/wasm/detail/jit/emit_simd.hpp ----

namespace wasm::detail::jit {

inline SimdAsm FunctionCompiler::simd_asm() {
  return SimdAsm(a_, env_.options.cpu, pool_, kScratchXmm.x(), kScratchGpr.r64());
}

// The destination of an op whose first operand is `lhs`: lhs itself when nothing else uses it
// (and it is not another operand), else a fresh register.
inline Reg FunctionCompiler::simd_result_reg(Reg lhs, RegSet others, RegSet pinned) {
  if (!regs_.is_used(lhs) && !others.has(lhs)) return lhs;
  return alloc_reg(RegClass::Xmm, pinned | others | RegSet{lhs});
}

inline void FunctionCompiler::visit_simd(const Instruction& ins) {
  const Op op = ins.op;
  const OpInfo& info = ins.info();
  switch (info.imm) {
    case Imm::MemArg:
      if (op == Op::V128Store) visit_simd_store(ins);
      else visit_simd_load(ins);
      return;
    case Imm::MemArgLane:
      if (info.result == Slot::None) visit_simd_store_lane(ins);
      else visit_simd_load_lane(ins);
      return;
    case Imm::V128: visit_v128_const(ins.v128); return;
    case Imm::Lane:
      if (info.params[0] == Slot::V128 && info.param_count() == 1) visit_simd_extract(ins);
      else visit_simd_replace(ins);
      return;
    default: break;
  }
  if (info.params[0] != Slot::V128) {
    visit_simd_splat(op);
  } else if (simd_detail::is_simd_shift(op)) {
    visit_simd_shift(op);
  } else if (info.result == Slot::I32) {
    visit_simd_reduction(op);
  } else {
    visit_simd_v128_op(ins);
  }
}

inline void FunctionCompiler::visit_v128_const(const V128Bytes& bytes) {
  bool zero = true, ones = true;
  for (uint8_t b : bytes) {
    zero &= b == 0;
    ones &= b == 0xFF;
  }
  if (zero) {
    push_const(ValType::V128, 0);
    return;
  }
  Reg dst = alloc_reg(RegClass::Xmm);
  SimdAsm m = simd_asm();
  if (ones) m.all_ones(dst.x());
  else m.load(dst.x(), m.constant(bytes));
  push_reg(ValType::V128, dst);
}

inline void FunctionCompiler::visit_simd_load(const Instruction& ins) {
  MemAddress addr = memory_address(ins.mem.memory, ins.mem.offset, ins.info().extra, {});
  const Xbyak::RegExp& e = addr.exp;
  Reg dst = alloc_reg(RegClass::Xmm);
  const Xbyak::Xmm d = dst.x();
  SimdAsm m = simd_asm();
  const bool avx = m.avx();
  switch (ins.op) {
    case Op::V128Load: m.load(d, a_.xword[e]); break;
    case Op::V128Load8x8S: m.pmovsxbw(d, a_.qword[e]); break;
    case Op::V128Load8x8U: m.pmovzxbw(d, a_.qword[e]); break;
    case Op::V128Load16x4S: m.pmovsxwd(d, a_.qword[e]); break;
    case Op::V128Load16x4U: m.pmovzxwd(d, a_.qword[e]); break;
    case Op::V128Load32x2S: m.pmovsxdq(d, a_.qword[e]); break;
    case Op::V128Load32x2U: m.pmovzxdq(d, a_.qword[e]); break;
    case Op::V128Load8Splat:
      a_.movzx(a_.r11d, a_.byte[e]);
      simd_detail::splat_int(m, d, a_.r11, 1);
      break;
    case Op::V128Load16Splat:
      a_.movzx(a_.r11d, a_.word[e]);
      simd_detail::splat_int(m, d, a_.r11, 2);
      break;
    case Op::V128Load32Splat:
      if (avx) {
        a_.vbroadcastss(d, a_.dword[e]);
      } else {
        a_.movss(d, a_.dword[e]);
        m.shufps(d, d, d, 0);
      }
      break;
    case Op::V128Load64Splat: m.movddup(d, a_.qword[e]); break;
    case Op::V128Load32Zero:
      if (avx) a_.vmovd(d, a_.dword[e]);
      else a_.movd(d, a_.dword[e]);
      break;
    case Op::V128Load64Zero:
      if (avx) a_.vmovq(d, a_.qword[e]);
      else a_.movq(d, a_.qword[e]);
      break;
    default: throw CompileFailure{"internal error: not a SIMD load"};
  }
  push_reg(ValType::V128, dst);
}

inline void FunctionCompiler::visit_simd_store(const Instruction& ins) {
  Reg value = pop_to_reg();
  MemAddress addr = memory_address(ins.mem.memory, ins.mem.offset, ins.info().extra, {});
  if (env_.options.cpu.avx) a_.vmovdqu(a_.xword[addr.exp], value.x());
  else a_.movdqu(a_.xword[addr.exp], value.x());
}

inline void FunctionCompiler::visit_simd_load_lane(const Instruction& ins) {
  Reg vec = pop_to_reg();
  MemAddress addr = memory_address(ins.mem.memory, ins.mem.offset, ins.info().extra, {});
  const Xbyak::RegExp& e = addr.exp;
  Reg dst = simd_result_reg(vec, {}, {});
  SimdAsm m = simd_asm();
  const Xbyak::Xmm d = dst.x(), v = vec.x();
  switch (ins.op) {
    case Op::V128Load8Lane: m.pinsrb(d, v, a_.byte[e], ins.lane); break;
    case Op::V128Load16Lane: m.pinsrw(d, v, a_.word[e], ins.lane); break;
    case Op::V128Load32Lane: m.pinsrd(d, v, a_.dword[e], ins.lane); break;
    case Op::V128Load64Lane: m.pinsrq(d, v, a_.qword[e], ins.lane); break;
    default: throw CompileFailure{"internal error: not a SIMD lane load"};
  }
  push_reg(ValType::V128, dst);
}

inline void FunctionCompiler::visit_simd_store_lane(const Instruction& ins) {
  Reg vec = pop_to_reg();
  MemAddress addr = memory_address(ins.mem.memory, ins.mem.offset, ins.info().extra, {});
  const Xbyak::RegExp& e = addr.exp;
  const Xbyak::Xmm v = vec.x();
  const bool avx = env_.options.cpu.avx;
  const uint8_t lane = ins.lane;
  switch (ins.op) {
    case Op::V128Store8Lane:
      if (avx) a_.vpextrb(a_.byte[e], v, lane);
      else a_.pextrb(a_.byte[e], v, lane);
      break;
    case Op::V128Store16Lane:
      if (avx) a_.vpextrw(a_.word[e], v, lane);
      else a_.pextrw(a_.word[e], v, lane);
      break;
    case Op::V128Store32Lane:
      if (avx) a_.vpextrd(a_.dword[e], v, lane);
      else a_.pextrd(a_.dword[e], v, lane);
      break;
    case Op::V128Store64Lane:
      if (avx) a_.vpextrq(a_.qword[e], v, lane);
      else a_.pextrq(a_.qword[e], v, lane);
      break;
    default: throw CompileFailure{"internal error: not a SIMD lane store"};
  }
}

inline void FunctionCompiler::visit_simd_splat(Op op) {
  Reg src = pop_to_reg();
  SimdAsm m = simd_asm();
  switch (op) {
    case Op::F32x4Splat:
    case Op::F64x2Splat: {
      Reg dst = simd_result_reg(src, {}, {});
      if (op == Op::F32x4Splat) simd_detail::splat_f32(m, dst.x(), src.x());
      else simd_detail::splat_f64(m, dst.x(), src.x());
      push_reg(ValType::V128, dst);
      return;
    }
    default: {
      Reg dst = alloc_reg(RegClass::Xmm);
      int bytes = op == Op::I8x16Splat ? 1 : op == Op::I16x8Splat ? 2 : op == Op::I32x4Splat ? 4 : 8;
      simd_detail::splat_int(m, dst.x(), src.r64(), bytes);
      push_reg(ValType::V128, dst);
      return;
    }
  }
}

inline void FunctionCompiler::visit_simd_extract(const Instruction& ins) {
  Reg src = pop_to_reg();
  SimdAsm m = simd_asm();
  const ValType t = slot_type(ins.info().result);
  if (t == ValType::F32 || t == ValType::F64) {
    Reg dst = simd_result_reg(src, {}, {});
    simd_detail::extract_float(m, ins.op, dst.x(), src.x(), ins.lane);
    push_reg(t, dst);
    return;
  }
  Reg dst = alloc_reg(RegClass::Gpr);
  simd_detail::extract_int(m, ins.op, dst.r64(), src.x(), ins.lane);
  push_reg(t, dst);
}

inline void FunctionCompiler::visit_simd_replace(const Instruction& ins) {
  Reg value = pop_to_reg();
  Reg vec = pop_to_reg({value});
  Reg dst = simd_result_reg(vec, {value}, {});
  SimdAsm m = simd_asm();
  const bool is_float = value.is_xmm();
  simd_detail::replace_lane(m, ins.op, dst.x(), vec.x(),
                            is_float ? Xbyak::Reg64(0) : value.r64(),
                            is_float ? value.x() : Xbyak::Xmm(0), ins.lane);
  push_reg(ValType::V128, dst);
}

inline void FunctionCompiler::visit_simd_shift(Op op) {
  simd_detail::ShiftCount count;
  RegSet pinned;
  if (stack_.back().is_const()) {
    count.is_imm = true;
    count.imm = uint32_t(pop().imm);
  } else {
    Reg r = pop_to_reg();
    count.reg = r.r32();
    pinned.add(r);
  }
  Reg vec = pop_to_reg(pinned);
  pinned.add(vec);
  Reg tmp = kScratchXmm;
  if (simd_needs_temp(op)) {
    tmp = alloc_reg(RegClass::Xmm, pinned);
    pinned.add(tmp);
  }
  Reg dst = simd_result_reg(vec, {}, pinned);
  SimdAsm m = simd_asm();
  simd_detail::emit_shift(m, op, dst.x(), vec.x(), count, tmp.x());
  push_reg(ValType::V128, dst);
}

inline void FunctionCompiler::visit_simd_reduction(Op op) {
  Reg src = pop_to_reg();
  Reg dst = alloc_reg(RegClass::Gpr);
  SimdAsm m = simd_asm();
  if (!simd_detail::emit_reduction(m, op, dst.r64(), src.x())) {
    throw CompileFailure{"internal error: not a SIMD reduction"};
  }
  push_reg(ValType::I32, dst);
}

// Ops with only v128 operands and a v128 result (and shuffle).
inline void FunctionCompiler::visit_simd_v128_op(const Instruction& ins) {
  const Op op = ins.op;
  const uint32_t n = ins.info().param_count();
  Reg operands[3] = {kScratchXmm, kScratchXmm, kScratchXmm};
  RegSet pinned;
  for (uint32_t k = n; k-- > 0;) {
    operands[k] = pop_to_reg(pinned);
    pinned.add(operands[k]);
  }
  Reg tmp = kScratchXmm;
  if (simd_needs_temp(op)) {
    tmp = alloc_reg(RegClass::Xmm, pinned);
    pinned.add(tmp);
  }
  RegSet others;
  for (uint32_t k = 1; k < n; ++k) others.add(operands[k]);
  Reg dst = simd_result_reg(operands[0], others, pinned);
  SimdAsm m = simd_asm();
  if (op == Op::I8x16Shuffle) {
    simd_detail::shuffle(m, dst.x(), operands[0].x(), operands[1].x(), ins.v128);
  } else {
    emit_simd_v128_op(m, op, dst.x(), operands[0].x(), operands[1].x(), operands[2].x(), tmp.x());
  }
  push_reg(ValType::V128, dst);
}

}  // namespace wasm::detail::jit
// ---- end include/wasm/detail/jit/compile_simd.hpp ----
// ---- begin include/wasm/detail/jit/compile_variables.hpp ----
// Locals, globals, drop, select and the reference instructions.
//
// Locals are the bottom entries of the value stack, so they are cached exactly like stack
// values: local.get of a local in a register pushes the same register (one more use);
// local.set makes the local point at the value's register or constant. A register is never
// modified in place while another entry uses it, so these aliases are safe.

namespace wasm::detail::jit {

inline void FunctionCompiler::visit_local_get(uint32_t index) {
  VarState local = stack_[index];
  switch (local.loc) {
    case Loc::Reg: push_reg(local.type, local.reg); return;
    case Loc::Const: push_const(local.type, local.imm); return;
    case Loc::Stack: {
      // Load once and keep the local cached in the register.
      Reg r = alloc_reg(reg_class_of(local.type));
      masm::load(a_, r, local.type, masm::slot_addr(a_, index));
      stack_[index] = VarState::in_reg(local.type, r);
      regs_.inc(r);
      push_reg(local.type, r);
      return;
    }
  }
}

inline void FunctionCompiler::visit_local_set(uint32_t index, bool tee) {
  const uint32_t top = stack_.height() - 1;
  VarState value = stack_[top];
  if (value.is_stack()) {
    // A value only in its slot (which later pushes reuse): bring it into a register.
    Reg r = alloc_reg(reg_class_of(value.type));
    masm::load(a_, r, value.type, masm::slot_addr(a_, top));
    value = VarState::in_reg(value.type, r);
    stack_[top] = value;
    regs_.inc(r);
  }
  VarState& local = stack_[index];
  if (local.is_reg()) regs_.dec(local.reg);
  local = value;
  if (value.is_reg()) regs_.inc(value.reg);
  if (!tee) drop_top();
}

// The address of a global's value: inline in the VMContext, or behind the import's pointer
// (loaded into a register not in `pinned`).
inline Xbyak::RegExp FunctionCompiler::global_addr(uint32_t index, RegSet pinned) {
  const VMOffsets& o = env_.offsets;
  if (!env_.global_is_imported(index)) return a_.r14 + o.global(env_.defined_global(index));
  Reg p = alloc_reg(RegClass::Gpr, pinned);
  a_.mov(p.r64(), a_.qword[a_.r14 + o.imported_global_from(index)]);
  return Xbyak::RegExp(p.r64());
}

inline void FunctionCompiler::visit_global_get(uint32_t index) {
  ValType t = env_.module.globals[index].type;
  RegClass cls = reg_class_of(t);
  if (!env_.global_is_imported(index)) {
    Reg r = alloc_reg(cls);
    masm::load(a_, r, t, global_addr(index, {}));
    push_reg(t, r);
    return;
  }
  Xbyak::RegExp addr = global_addr(index, {});
  Reg pointer = Reg::gpr(uint8_t(addr.getBase().getIdx()));
  // An integer value can replace its own pointer.
  Reg r = cls == RegClass::Gpr ? pointer : alloc_reg(cls, {pointer});
  masm::load(a_, r, t, addr);
  push_reg(t, r);
}

inline void FunctionCompiler::visit_global_set(uint32_t index) {
  ValType t = env_.module.globals[index].type;
  if (stack_.back().is_const()) {
    int64_t v = pop().imm;
    Xbyak::RegExp addr = global_addr(index, {});
    masm::store_const(a_, addr, t, v);
    return;
  }
  Reg value = pop_to_reg();
  Xbyak::RegExp addr = global_addr(index, {value});
  masm::store(a_, addr, t, value);
}

inline void FunctionCompiler::visit_drop() { drop_top(); }

// select: cond ? v1 : v2, as a cmov for integers and a short branch for floats.
inline void FunctionCompiler::visit_select() {
  if (stack_.back().is_const()) {
    // Known condition: keep one operand's state as it is (raw pops keep its register use).
    bool take_first = pop().imm != 0;
    if (take_first) {
      drop_top();
    } else {
      // The second operand moves down one stack position. A value living in its own stack
      // slot would then be read from the slot of its new position, so take it into a register.
      ValType t = stack_.back().type;
      Reg second = pop_to_reg();
      drop_top();
      push_reg(t, second);
    }
    return;
  }
  Reg cond = pop_to_reg();
  Reg v2 = pop_to_reg({cond});
  ValType t = stack_.back().type;
  uint32_t v1_index = stack_.height() - 1;
  VarState v1 = pop();
  Reg dst;
  if (v1.is_reg()) {
    dst = result_reg(reg_class_of(t), {cond, v2, v1.reg}, v1.reg);
    masm::move(a_, dst, v1.reg);
  } else {
    dst = alloc_reg(reg_class_of(t), {cond, v2});
    masm::load_var(a_, dst, v1, v1_index);
  }
  a_.test(cond.r32(), cond.r32());
  if (dst.is_xmm()) {
    LabelId keep = labels_.make();
    labels_.jcc(a_, Cond::NE, keep);
    masm::move(a_, dst, v2);
    labels_.bind(a_, keep);
  } else if (t == ValType::I32) {
    a_.cmovz(dst.r32(), v2.r32());
  } else {
    a_.cmovz(dst.r64(), v2.r64());
  }
  push_reg(t, dst);
}

inline void FunctionCompiler::visit_ref_is_null() {
  Reg ref = pop_to_reg();
  Reg dst = result_reg(RegClass::Gpr, {ref}, ref);
  a_.test(ref.r64(), ref.r64());
  emit_setcc(a_, Cond::E, dst.r64());
  push_reg(ValType::I32, dst);
}

inline void FunctionCompiler::visit_ref_func(uint32_t index) {
  Reg dst = alloc_reg(RegClass::Gpr);
  a_.lea(dst.r64(), a_.ptr[a_.r14 + env_.offsets.func_ref(index)]);
  push_reg(ValType::FuncRef, dst);
}

}  // namespace wasm::detail::jit
// ---- end include/wasm/detail/jit/compile_variables.hpp ----
// ---- end include/wasm/detail/jit/function_compiler.hpp ----
// ---- begin include/wasm/detail/jit/module_compiler.hpp ----
// The module driver: compiles every defined function of a validated module with the compiler
// tiers it is given (compiler_tier.hpp), in parallel, and lays the results out into one
// CodeMemory with direct calls patched. The output does not depend on the number of threads:
// functions are compiled independently and placed in index order.
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>


namespace wasm::detail::jit {

namespace module_compiler_detail {

// POSIX threads and clocks rather than <thread> and <chrono>: every file that includes
// wasm.hpp compiles this, and those two headers were a measurable part of its cost.
inline unsigned pick_threads(unsigned requested, uint32_t functions) {
  long online = sysconf(_SC_NPROCESSORS_ONLN);
  unsigned threads = requested ? requested : unsigned(std::max(1L, online));
  return std::max(1u, std::min<unsigned>(threads, functions));
}

inline double monotonic_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

// Runs work() on up to `threads - 1` new threads and on the calling thread, and waits for all.
// A thread that cannot be started only means fewer workers. Returns false if work() threw
// anywhere (it only throws std::bad_alloc outside what compile() catches).
template <typename Work>
bool run_on_threads(unsigned threads, Work& work) {
  struct Shared {
    Work* work;
    std::atomic<bool> failed{false};
  } shared{&work};
  auto entry = [](void* p) -> void* {
    auto* s = static_cast<Shared*>(p);
    try {
      (*s->work)();
    } catch (...) {
      s->failed = true;
    }
    return nullptr;
  };
  std::vector<pthread_t> pool;
  pool.reserve(threads > 0 ? threads - 1 : 0);
  for (unsigned t = 1; t < threads; ++t) {
    pthread_t thread;
    if (pthread_create(&thread, nullptr, entry, &shared) != 0) break;
    pool.push_back(thread);
  }
  entry(&shared);
  for (pthread_t thread : pool) pthread_join(thread, nullptr);
  return !shared.failed;
}

inline constexpr uint32_t kFunctionAlign = 16;

}  // namespace module_compiler_detail

// threads: 0 = one per hardware thread; 1 = compile on the calling thread. Each function goes
// to the first tier of `tiers` that accepts it; it is an error if none does.
inline Result<CompiledModule> compile_module(const ModuleInfo& module,
                                             const CompileOptions& options,
                                             std::span<const CompilerTier* const> tiers,
                                             unsigned threads = 0) {
  using namespace module_compiler_detail;
  const double start = monotonic_seconds();
  CompileEnv env(module, options);
  if (!env.offsets.ok()) return Error(ErrorKind::Resource, "module's VMContext is too large");
  const uint32_t n = module.num_defined_funcs();
  threads = pick_threads(threads, n);

  std::vector<std::optional<Result<CompiledFunction>>> results(n);
  std::atomic<uint32_t> next{0};
  auto work = [&] {
    // Workers are made on first use: a tier that accepts nothing costs no buffers.
    std::vector<std::unique_ptr<CompilerTier::Worker>> workers(tiers.size());
    for (uint32_t i = next++; i < n; i = next++) {
      size_t t = 0;
      while (t < tiers.size() && !tiers[t]->accepts(env, i)) ++t;
      if (t == tiers.size()) {
        results[i].emplace(Error(ErrorKind::Resource, "no compiler tier accepts function " +
                                                          std::to_string(module.num_imported_funcs + i)));
        continue;
      }
      if (!workers[t]) workers[t] = tiers[t]->make_worker(env);
      results[i].emplace(workers[t]->compile(i));
    }
  };
  if (!run_on_threads(threads, work)) return Error(ErrorKind::Resource, "out of memory while compiling");

  // The first failing function (by index) decides the error, whatever the scheduling.
  uint64_t total = 0;
  std::vector<FunctionLocation> locations(n);
  for (uint32_t i = 0; i < n; ++i) {
    if (!*results[i]) return std::move(*results[i]).error();
    total = (total + kFunctionAlign - 1) / kFunctionAlign * kFunctionAlign;
    locations[i] = FunctionLocation{uint32_t(total), uint32_t((*results[i])->code.size())};
    total += locations[i].size;
    if (total > 0x7FFFFFFF) return Error(ErrorKind::Resource, "module code exceeds 2 GiB");
  }

  // Uninitialised on purpose (a memset of the whole image is measurable): every byte is
  // written below, function code or int3 padding.
  std::vector<TrapSite> traps;
  std::unique_ptr<uint8_t[]> image(new uint8_t[std::max<uint64_t>(total, 1)]);
  for (uint32_t i = 0; i < n; ++i) {
    const CompiledFunction& f = **results[i];
    uint32_t end = locations[i].offset + locations[i].size;
    uint32_t next = i + 1 < n ? locations[i + 1].offset : uint32_t(total);
    std::memcpy(image.get() + locations[i].offset, f.code.data(), f.code.size());
    std::memset(image.get() + end, 0xCC, next - end);
    for (const TrapSite& trap : f.traps) traps.push_back({locations[i].offset + trap.offset, trap.code});
    for (const CallReloc& call : f.calls) {
      uint32_t at = locations[i].offset + call.offset;
      uint32_t target = locations[call.callee - module.num_imported_funcs].offset;
      int32_t rel = int32_t(int64_t(target) - int64_t(at + 4));
      std::memcpy(image.get() + at, &rel, 4);
    }
    results[i].reset();  // free as we go
  }
  CodeMemory code = CodeMemory::publish(std::span<const uint8_t>(image.get(), total));
  if (!code) return Error(ErrorKind::Resource, "out of memory for compiled code");

  CompileStats stats;
  for (const FunctionBody& body : module.bodies) stats.code_section_bytes += body.size;
  stats.machine_code_bytes = total;
  stats.threads = threads;
  stats.seconds = monotonic_seconds() - start;
  return CompiledModule(std::move(code), std::move(locations), std::move(traps),
                        module.num_imported_funcs, stats);
}

inline Result<CompiledModule> compile_module(const ModuleInfo& module,
                                             const CompileOptions& options,
                                             const CompilerTier& tier, unsigned threads = 0) {
  const CompilerTier* tiers[] = {&tier};
  return compile_module(module, options, tiers, threads);
}

}  // namespace wasm::detail::jit
// ---- end include/wasm/detail/jit/module_compiler.hpp ----

namespace wasm::detail::jit {

class BaselineTier final : public CompilerTier {
 public:
  const char* name() const override { return "baseline"; }
  std::unique_ptr<Worker> make_worker(const CompileEnv& env) const override {
    return std::make_unique<BaselineWorker>(env);
  }

  // One per process: the tier has no state.
  static const BaselineTier& get() {
    static const BaselineTier tier;
    return tier;
  }

 private:
  struct BaselineWorker final : Worker {
    explicit BaselineWorker(const CompileEnv& env) : compiler(env) {}
    Result<CompiledFunction> compile(uint32_t defined_index) override {
      return compiler.compile(defined_index);
    }
    FunctionCompiler compiler;
  };
};

// threads: 0 = one per hardware thread; 1 = compile on the calling thread.
inline Result<CompiledModule> compile_module(const ModuleInfo& module,
                                             const CompileOptions& options,
                                             unsigned threads = 0) {
  return compile_module(module, options, BaselineTier::get(), threads);
}

}  // namespace wasm::detail::jit
// ---- end include/wasm/detail/jit/baseline_tier.hpp ----

namespace wasm::detail {

inline Result<void> load_code(ModuleState& state, const Config& config) {
  if (state.info.bodies.empty()) return {};
  auto compiled = jit::compile_module(state.info, jit::CompileOptions::from(config),
                                      jit::BaselineTier::get(),
                                      config.parallel_compilation() ? 0 : 1);
  if (!compiled) return std::move(compiled).error();
  state.publish_code(std::move(*compiled), config);
  return {};
}

}  // namespace wasm::detail
// ---- end include/wasm/detail/vm/code_loader.hpp ----
// ---- begin include/wasm/detail/vm/serialize_impl.hpp ----
// The payload of a precompiled module (Module::serialize / Module::deserialize_unchecked): what
// ModuleState needs besides the header of jit/serialized_header.hpp. An _impl file: it reads
// the code generator's options (jit::CompileOptions, hence xbyak's CPU detection).
//
// Payload layout (little-endian; offsets from the payload's start):
//   u64 wasm size, the module's binary (its function bodies are not re-validated nor
//       recompiled on load: the decoder only records where they are), zero padding to 8
//   u32 imported functions, u32 defined functions n, n x (u32 code offset, u32 code size)
//   u32 trap sites t, u32 0, t x (u32 code offset, u32 trap code)
//   u64 code size, u64 code offset, zero padding, the machine code (relocated, position-
//       independent: calls between functions are pc-relative, everything else goes through
//       the VMContext) up to the payload's end
// The code starts at a multiple of kCodePageSize from the start of the whole serialized form
// (header included), so that a file can be mapped and its code pages made executable in place.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <span>
#include <string>
#include <vector>

// ---- begin include/wasm/detail/jit/serialized_header.hpp ----
// The header of a precompiled module (Module::serialize's output, `wasmpp compile -o x.cwasm`):
// what the code in it was compiled for, and checksums, so that loading refuses — with an error
// that says why — bytes that are not ours, were written by another version, were compiled for
// another configuration or for CPU features this engine may not use, or were damaged.
// Pure data: it writes and checks the header over a byte span; what the payload holds is the
// serializer's business.
//
// Layout (little-endian, kHeaderSize bytes):
//    0  magic "WPPCWASM"             48  u8 bounds checks, u8 fuel, u8 epoch, u8 0
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

// ---- begin include/wasm/detail/jit/checksum.hpp ----
// XXH64 (Yann Collet's xxHash, 64-bit; algorithm as specified in xxHash's doc/xxhash_spec.md):
// a fast non-cryptographic checksum, to tell corrupt bytes from intact ones at memory speed
// (a precompiled module's code is checked on every load). It does not resist an attacker:
// precompiled modules must come from trusted sources anyway.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace wasm::detail::jit {

namespace checksum_detail {

inline constexpr uint64_t kP1 = 0x9E3779B185EBCA87ull;
inline constexpr uint64_t kP2 = 0xC2B2AE3D27D4EB4Full;
inline constexpr uint64_t kP3 = 0x165667B19E3779F9ull;
inline constexpr uint64_t kP4 = 0x85EBCA77C2B2AE63ull;
inline constexpr uint64_t kP5 = 0x27D4EB2F165667C5ull;

inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
inline uint64_t read64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);  // x86-64 only: the bytes are little-endian as the algorithm wants
  return v;
}
inline uint32_t read32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t round(uint64_t acc, uint64_t input) { return rotl(acc + input * kP2, 31) * kP1; }
inline uint64_t merge(uint64_t acc, uint64_t lane) { return (acc ^ round(0, lane)) * kP1 + kP4; }

}  // namespace checksum_detail

inline uint64_t xxhash64(std::span<const uint8_t> bytes, uint64_t seed = 0) {
  using namespace checksum_detail;
  const uint8_t* p = bytes.data();
  const uint8_t* end = p + bytes.size();
  uint64_t h;
  if (bytes.size() >= 32) {
    uint64_t v1 = seed + kP1 + kP2, v2 = seed + kP2, v3 = seed, v4 = seed - kP1;
    for (; end - p >= 32; p += 32) {
      v1 = round(v1, read64(p));
      v2 = round(v2, read64(p + 8));
      v3 = round(v3, read64(p + 16));
      v4 = round(v4, read64(p + 24));
    }
    h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
    h = merge(merge(merge(merge(h, v1), v2), v3), v4);
  } else {
    h = seed + kP5;
  }
  h += uint64_t(bytes.size());
  for (; end - p >= 8; p += 8) h = rotl(h ^ round(0, read64(p)), 27) * kP1 + kP4;
  if (end - p >= 4) {
    h = rotl(h ^ (uint64_t(read32(p)) * kP1), 23) * kP2 + kP3;
    p += 4;
  }
  for (; p < end; ++p) h = rotl(h ^ (uint64_t(*p) * kP5), 11) * kP1;
  h ^= h >> 33;
  h *= kP2;
  h ^= h >> 29;
  h *= kP3;
  h ^= h >> 32;
  return h;
}

}  // namespace wasm::detail::jit
// ---- end include/wasm/detail/jit/checksum.hpp ----

namespace wasm::detail::jit {

inline constexpr std::array<uint8_t, 8> kSerializedMagic = {'W', 'P', 'P', 'C', 'W', 'A', 'S', 'M'};
inline constexpr uint32_t kSerializedFormatVersion = 1;
inline constexpr size_t kSerializedHeaderSize = 96;

// Instruction-set extensions generated code may use, one bit each (jit::CpuFeatures's fields).
inline constexpr uint32_t kCpuPopcnt = 1u << 0;
inline constexpr uint32_t kCpuLzcnt = 1u << 1;
inline constexpr uint32_t kCpuBmi1 = 1u << 2;
inline constexpr uint32_t kCpuSse42 = 1u << 3;
inline constexpr uint32_t kCpuAvx = 1u << 4;
inline constexpr uint32_t kCpuAvx2 = 1u << 5;

// A template so that this header needs nothing of the code generator (jit::CpuFeatures).
template <typename Cpu>
uint32_t cpu_feature_bits(const Cpu& cpu) {
  return (cpu.popcnt ? kCpuPopcnt : 0) | (cpu.lzcnt ? kCpuLzcnt : 0) | (cpu.bmi1 ? kCpuBmi1 : 0) |
         (cpu.sse42 ? kCpuSse42 : 0) | (cpu.avx ? kCpuAvx : 0) | (cpu.avx2 ? kCpuAvx2 : 0);
}

// The WebAssembly proposals, one bit each: the one list both encoding and messages read.
struct WasmFeatureBit {
  uint32_t bit;
  const char* name;
  bool Features::*flag;
};
inline constexpr WasmFeatureBit kWasmFeatureBits[] = {
    {1u << 0, "multi-memory", &Features::multi_memory}, {1u << 1, "memory64", &Features::memory64},
    {1u << 2, "extended-const", &Features::extended_const}, {1u << 3, "tail-call", &Features::tail_call},
    {1u << 4, "threads", &Features::threads},           {1u << 5, "exceptions", &Features::exceptions},
    {1u << 6, "relaxed-simd", &Features::relaxed_simd},
    {1u << 7, "function-references", &Features::function_references}, {1u << 8, "gc", &Features::gc},
    {1u << 9, "wide-arithmetic", &Features::wide_arithmetic}};
// A new Features flag must get a bit above, or modules compiled with and without it would pass
// for each other.
static_assert(sizeof(Features) == std::size(kWasmFeatureBits), "Features changed: give the new flag a bit");

inline uint32_t wasm_feature_bits(const Features& f) {
  uint32_t bits = 0;
  for (const WasmFeatureBit& b : kWasmFeatureBits) bits |= f.*b.flag ? b.bit : 0;
  return bits;
}

// What compiled code depends on: the settings that change the code (jit::CompileOptions) and
// the runtime it was made for (its layouts and calling convention).
struct CodeTarget {
  std::string runtime_version;  // at most 31 bytes
  BoundsChecks bounds_checks = BoundsChecks::GuardPages;
  bool consume_fuel = false;
  bool epoch_interruption = false;
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
      {kCpuSse42, "sse4.2"},  {kCpuAvx, "avx"},     {kCpuAvx2, "avx2"}};
  std::string out;
  for (auto [bit, name] : names) {
    if (bits & bit) out += (out.empty() ? "" : ", ") + std::string(name);
  }
  if (bits & ~uint32_t(kCpuPopcnt | kCpuLzcnt | kCpuBmi1 | kCpuSse42 | kCpuAvx | kCpuAvx2)) {
    out += (out.empty() ? "" : ", ") + std::string("unknown features");
  }
  return out;
}

inline std::string wasm_feature_names(uint32_t bits) {
  std::string out;
  uint32_t known = 0;
  for (const WasmFeatureBit& b : kWasmFeatureBits) {
    known |= b.bit;
    if (bits & b.bit) out += (out.empty() ? "" : ", ") + std::string(b.name);
  }
  if (bits & ~known) out += (out.empty() ? "" : ", ") + std::string("unknown proposals");
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
// ---- end include/wasm/detail/jit/serialized_header.hpp ----

namespace wasm::detail {

inline constexpr size_t kCodePageSize = 4096;

namespace serialize_detail {

// The text of the VMContext layout and of the builtin table, which compiled code hard-codes:
// hashed into the runtime version so that a runtime with another layout refuses the code.
inline constexpr char kLayoutText[] =
#define WASM_VM_RECORD(R, s, a) #R #s #a ";"
#define WASM_VM_FIELD(R, f, o, s) #R #f #o #s ";"
#define WASM_VMCTX_FIXED(n, s, a) #n #s #a ";"
#define WASM_VMCTX_ARRAY(n, c, R) #n #c #R ";"
// ---- begin include/wasm/detail/env/vmctx_layout.def ----
// The VMContext layout and the records inside it, written down once. Nothing else states
// this order: vmoffsets.hpp walks the regions to compute offsets, and env/vm_records.hpp
// checks its C++ structs against the records. Include this file after defining the macros you
// need; the ones left undefined expand to nothing, and all are undefined again at the end.
//
// WASM_VM_RECORD(Record, size, align)
//     A record that JIT code reads or writes. `size` and `align` are those of the C++ struct.
// WASM_VM_FIELD(Record, field, offset, size)
//     One field of a record, at a byte offset from the record's start. (`size` and `align`
//     are reserved as field names: they name the record's own size and alignment.)
// WASM_VMCTX_FIXED(name, size, align)
//     A field that every VMContext has exactly once. All of them come before the arrays, so
//     their offsets do not depend on the module and JIT code can use them as constants.
// WASM_VMCTX_ARRAY(name, count, Record)
//     One Record per unit of `shape.count` (an expression on a ModuleShape `shape`).
//
// Each region starts at the next multiple of its alignment; the VMContext as a whole is
// aligned to the largest alignment of any region (16, for v128 globals). x86-64 only.

#ifndef WASM_VM_RECORD
#define WASM_VM_RECORD(Record, size, align)
#endif
#ifndef WASM_VM_FIELD
#define WASM_VM_FIELD(Record, field, offset, size)
#endif
#ifndef WASM_VMCTX_FIXED
#define WASM_VMCTX_FIXED(name, size, align)
#endif
#ifndef WASM_VMCTX_ARRAY
#define WASM_VMCTX_ARRAY(name, count, Record)
#endif

// A linear memory owned by this instance (or, through an import, by another one).
WASM_VM_RECORD(VMMemoryDefinition, 16, 8)
WASM_VM_FIELD(VMMemoryDefinition, base, 0, 8)
WASM_VM_FIELD(VMMemoryDefinition, current_length, 8, 8)  // bytes

// A table owned by this instance: `base` points at `current_elements` reference slots.
WASM_VM_RECORD(VMTableDefinition, 16, 8)
WASM_VM_FIELD(VMTableDefinition, base, 0, 8)
WASM_VM_FIELD(VMTableDefinition, current_elements, 8, 8)

// A global's value; 16 bytes so that a v128 fits, smaller types sit at offset 0.
WASM_VM_RECORD(VMGlobalDefinition, 16, 16)
WASM_VM_FIELD(VMGlobalDefinition, storage, 0, 16)

// An imported function: its code, and the VMContext that code expects as its callee context.
WASM_VM_RECORD(VMFunctionImport, 16, 8)
WASM_VM_FIELD(VMFunctionImport, code, 0, 8)
WASM_VM_FIELD(VMFunctionImport, vmctx, 8, 8)

// Imported tables and memories point at the exporter's definition, and name its VMContext
// for libcalls (grow, fill, ...) that must act on the owner.
WASM_VM_RECORD(VMTableImport, 16, 8)
WASM_VM_FIELD(VMTableImport, from, 0, 8)
WASM_VM_FIELD(VMTableImport, vmctx, 8, 8)

WASM_VM_RECORD(VMMemoryImport, 16, 8)
WASM_VM_FIELD(VMMemoryImport, from, 0, 8)
WASM_VM_FIELD(VMMemoryImport, vmctx, 8, 8)

// Globals need no owner context: reads and writes go straight through the pointer.
WASM_VM_RECORD(VMGlobalImport, 8, 8)
WASM_VM_FIELD(VMGlobalImport, from, 0, 8)

// What a funcref value points at: enough to call the function and to check its signature
// (`type_id` is the engine-wide shared signature id) in call_indirect.
WASM_VM_RECORD(VMFuncRef, 24, 8)
WASM_VM_FIELD(VMFuncRef, code, 0, 8)
WASM_VM_FIELD(VMFuncRef, vmctx, 8, 8)
WASM_VM_FIELD(VMFuncRef, type_id, 16, 4)

// Per-Store state (VMStoreContext, reached through the VMContext's store_context field): the
// fields that JIT code and the trampolines read or write. The rest of the struct (the trap's
// backtrace, the owning store) only the runtime reads, so it is not part of this layout.
WASM_VM_RECORD(VMStoreContext, 584, 8)
WASM_VM_FIELD(VMStoreContext, stack_limit, 0, 8)      // prologues trap when rsp is below it
WASM_VM_FIELD(VMStoreContext, fuel_consumed, 8, 8)    // counts up; >= 0: fuel used up
WASM_VM_FIELD(VMStoreContext, epoch_deadline, 16, 8)
WASM_VM_FIELD(VMStoreContext, epoch_counter, 24, 8)   // the Engine's epoch counter
WASM_VM_FIELD(VMStoreContext, trap_code, 32, 4)       // 0 = none, else 1 + TrapCode

// The VMContext itself, in order.
WASM_VMCTX_FIXED(magic, 4, 4)          // kVMContextMagic, to catch a wrong pointer early
WASM_VMCTX_FIXED(store_context, 8, 8)  // VMStoreContext*: stack limit, fuel, epoch, trap exit
WASM_VMCTX_FIXED(builtins, 8, 8)       // table of libcall function pointers
WASM_VMCTX_FIXED(type_ids, 8, 8)       // const uint32_t*: shared signature id by type index
// Defined memories first, so that memory 0's base is a one-byte displacement.
WASM_VMCTX_ARRAY(memories, num_defined_memories, VMMemoryDefinition)
WASM_VMCTX_ARRAY(imported_functions, num_imported_funcs, VMFunctionImport)
WASM_VMCTX_ARRAY(imported_tables, num_imported_tables, VMTableImport)
WASM_VMCTX_ARRAY(imported_memories, num_imported_memories, VMMemoryImport)
WASM_VMCTX_ARRAY(imported_globals, num_imported_globals, VMGlobalImport)
WASM_VMCTX_ARRAY(tables, num_defined_tables, VMTableDefinition)
WASM_VMCTX_ARRAY(globals, num_defined_globals, VMGlobalDefinition)
// One per function in the index space (imported ones too), so that ref.func, tables and
// exports can hand out pointers that stay valid as long as the instance.
WASM_VMCTX_ARRAY(func_refs, num_funcs(), VMFuncRef)

#undef WASM_VM_RECORD
#undef WASM_VM_FIELD
#undef WASM_VMCTX_FIXED
#undef WASM_VMCTX_ARRAY
// ---- end include/wasm/detail/env/vmctx_layout.def ----
#define WASM_BUILTIN(name, ret, ...) #name #ret #__VA_ARGS__ ";"
// ---- begin include/wasm/detail/env/builtins.def ----
// The runtime functions ("builtins", libcalls) that JIT code calls through the table at
// VMOffsets::builtins(). One line each; VMBuiltins (builtins.hpp) is generated from this list,
// and JIT code calls entry i at displacement i * 8 of the table.
//
//   WASM_BUILTIN(name, return type, parameter types...)
//
// Every builtin is a plain C++ function with the System V ABI. The first parameter is always
// the calling instance's VMContext*. Builtins that can trap do not return when they do: they
// record the trap in the VMStoreContext and unwind to the entry trampoline. Index arguments
// (memory, table, data, element) are module-level indices, imported entities included.
// Addresses and lengths are u64 so that memory64 needs no second set.

WASM_BUILTIN(memory_grow,   uint64_t, VMContext*, uint32_t /*memory*/, uint64_t /*delta pages*/)  // old pages or ~0
WASM_BUILTIN(memory_fill,   void, VMContext*, uint32_t /*memory*/, uint64_t /*dst*/, uint32_t /*byte*/, uint64_t /*len*/)
WASM_BUILTIN(memory_copy,   void, VMContext*, uint32_t /*dst memory*/, uint32_t /*src memory*/, uint64_t /*dst*/, uint64_t /*src*/, uint64_t /*len*/)
WASM_BUILTIN(memory_init,   void, VMContext*, uint32_t /*memory*/, uint32_t /*data*/, uint64_t /*dst*/, uint32_t /*src*/, uint32_t /*len*/)
WASM_BUILTIN(data_drop,     void, VMContext*, uint32_t /*data*/)
WASM_BUILTIN(table_get,     void*, VMContext*, uint32_t /*table*/, uint32_t /*index*/)  // funcref: VMFuncRef* or null
WASM_BUILTIN(table_set,     void, VMContext*, uint32_t /*table*/, uint32_t /*index*/, void* /*value*/)
WASM_BUILTIN(table_grow,    uint32_t, VMContext*, uint32_t /*table*/, uint32_t /*delta*/, void* /*init*/)  // old size or ~0
WASM_BUILTIN(table_fill,    void, VMContext*, uint32_t /*table*/, uint32_t /*dst*/, void* /*value*/, uint32_t /*len*/)
WASM_BUILTIN(table_copy,    void, VMContext*, uint32_t /*dst table*/, uint32_t /*src table*/, uint32_t /*dst*/, uint32_t /*src*/, uint32_t /*len*/)
WASM_BUILTIN(table_init,    void, VMContext*, uint32_t /*table*/, uint32_t /*elem*/, uint32_t /*dst*/, uint32_t /*src*/, uint32_t /*len*/)
WASM_BUILTIN(elem_drop,     void, VMContext*, uint32_t /*elem*/)
// call_indirect found a slot that was never initialised (0): initialise it and return the
// VMFuncRef* (null for a null entry). The caller has already bounds-checked `index`.
WASM_BUILTIN(table_lazy_init, VMFuncRef*, VMContext*, uint32_t /*table*/, uint32_t /*index*/)
// Explicit traps (unreachable, division, conversion, call_indirect checks, stack overflow):
// never return. Called from out-of-line trap stubs, so the return address is the trap's pc.
WASM_BUILTIN(raise_trap,    void, VMContext*, uint32_t /*TrapCode*/)
// The fuel counter went non-negative / the epoch reached the deadline: trap (or, later, refuel
// or yield and return).
WASM_BUILTIN(out_of_fuel,   void, VMContext*)
WASM_BUILTIN(epoch_deadline_reached, void, VMContext*)
// ---- end include/wasm/detail/env/builtins.def ----
#undef WASM_BUILTIN
    "";

constexpr uint64_t fnv1a(const char* s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (; *s; ++s) h = (h ^ uint8_t(*s)) * 0x100000001b3ull;
  return h;
}

}  // namespace serialize_detail

// Bump kCodeGenRevision whenever generated code changes in a way the layout hash cannot see (the
// calling convention, frame layout, trap-site encoding, this payload's meaning).
inline constexpr int kCodeGenRevision = 1;

// "wasmpp-1+<layout hash>": what compiled code was made for, in the header.
inline std::string runtime_version() {
  static const std::string version = [] {
    char buf[40];
    std::snprintf(buf, sizeof buf, "wasmpp-%d+%016llx", kCodeGenRevision,
                  (unsigned long long)serialize_detail::fnv1a(serialize_detail::kLayoutText));
    return std::string(buf);
  }();
  return version;
}

// What `config` makes code depend on; as the writer, and as what the reader accepts.
inline jit::CodeTarget code_target_of(const Config& config) {
  const jit::CompileOptions options = jit::CompileOptions::from(config);
  jit::CodeTarget t;
  t.runtime_version = runtime_version();
  t.bounds_checks = options.bounds_checks;
  t.consume_fuel = options.consume_fuel;
  t.epoch_interruption = options.epoch_interruption;
  t.wasm_features = jit::wasm_feature_bits(options.features);
  t.cpu_features = jit::cpu_feature_bits(options.cpu);
  t.guard_bytes = options.guard_bytes;
  return t;
}

namespace serialize_detail {

class Writer {
 public:
  template <typename T>
  void put(T v) {
    const size_t at = out.size();
    out.resize(at + sizeof v);
    std::memcpy(out.data() + at, &v, sizeof v);
  }
  void bytes(std::span<const uint8_t> b) {
    const size_t at = out.size();
    out.resize(at + b.size());
    if (!b.empty()) std::memcpy(out.data() + at, b.data(), b.size());
  }
  void pad(size_t align) { out.resize((out.size() + align - 1) / align * align); }
  std::vector<uint8_t> out;
};

// Bounds-checked reads; the first failure is remembered and every read after it yields zeros.
class PayloadReader {
 public:
  explicit PayloadReader(std::span<const uint8_t> in) : in_(in) {}
  template <typename T>
  T get(const char* what) {
    T v{};
    if (auto b = take(sizeof v, what); !b.empty()) std::memcpy(&v, b.data(), sizeof v);
    return v;
  }
  std::span<const uint8_t> take(uint64_t n, const char* what) {
    if (!failed_ && n > in_.size() - at_) failed_ = what;
    if (failed_) return {};
    auto b = in_.subspan(at_, size_t(n));
    at_ += size_t(n);
    return b;
  }
  void skip_to(size_t align) {
    if ((at_ % align) != 0) take(align - at_ % align, "padding");
  }
  size_t position() const { return at_; }
  size_t remaining() const { return in_.size() - at_; }
  const char* failed() const { return failed_; }

 private:
  std::span<const uint8_t> in_;
  size_t at_ = 0;
  const char* failed_ = nullptr;
};

inline Error corrupt(const std::string& why) { return Error(ErrorKind::Decode, "precompiled module is corrupt: " + why); }

}  // namespace serialize_detail

// The serialized form of a compiled module: header, then payload.
inline std::vector<uint8_t> serialize_module(const ModuleInfo& info, const jit::CompiledModule& code,
                                             const Config& config) {
  serialize_detail::Writer w;
  w.out.resize(jit::kSerializedHeaderSize);  // the header, written last over these bytes
  w.put<uint64_t>(info.bytes.size());
  w.bytes(info.bytes);
  w.pad(8);
  w.put<uint32_t>(code.num_imported_funcs());
  w.put<uint32_t>(code.num_defined_funcs());
  for (const jit::FunctionLocation& f : code.functions()) {
    w.put<uint32_t>(f.offset);
    w.put<uint32_t>(f.size);
  }
  w.put<uint32_t>(uint32_t(code.trap_sites().size()));
  w.put<uint32_t>(0);
  for (const jit::TrapSite& t : code.trap_sites()) {
    w.put<uint32_t>(t.offset);
    w.put<uint32_t>(uint32_t(t.code));
  }
  const CodeMemory& mem = code.code_memory();
  const size_t code_size = mem ? mem.size() : 0;
  w.put<uint64_t>(code_size);
  // The code offset: the next page boundary of the whole file after this field.
  size_t code_at = (w.out.size() + 8 + kCodePageSize - 1) / kCodePageSize * kCodePageSize;
  w.put<uint64_t>(code_at - jit::kSerializedHeaderSize);  // payload-relative
  w.pad(kCodePageSize);
  if (code_size) w.bytes(std::span<const uint8_t>(mem.data(), code_size));

  const std::span<const uint8_t> payload = std::span<const uint8_t>(w.out).subspan(jit::kSerializedHeaderSize);
  const auto header = jit::write_serialized_header(code_target_of(config), payload);
  std::memcpy(w.out.data(), header.data(), header.size());
  return std::move(w.out);
}

// A payload taken apart (spans into it); checked for internal consistency, not against the
// module (that needs it decoded).
struct SerializedParts {
  std::span<const uint8_t> wasm;
  uint32_t num_imported_funcs = 0;
  std::vector<jit::FunctionLocation> functions;
  std::vector<jit::TrapSite> traps;
  std::span<const uint8_t> code;
  size_t code_offset = 0;  // from the payload's start
};

inline Result<SerializedParts> parse_payload(std::span<const uint8_t> payload) {
  using namespace serialize_detail;
  PayloadReader r(payload);
  SerializedParts p;
  const uint64_t wasm_size = r.get<uint64_t>("the module's size");
  p.wasm = r.take(wasm_size, "the module's binary");
  r.skip_to(8);
  p.num_imported_funcs = r.get<uint32_t>("the function counts");
  const uint32_t n = r.get<uint32_t>("the function counts");
  if (!r.failed() && uint64_t(n) * 8 > r.remaining()) return corrupt("its function table runs past its end");
  p.functions.resize(r.failed() ? 0 : n);
  for (jit::FunctionLocation& f : p.functions) {
    f.offset = r.get<uint32_t>("the function table");
    f.size = r.get<uint32_t>("the function table");
  }
  const uint32_t t = r.get<uint32_t>("the trap-site count");
  r.get<uint32_t>("the trap-site count");
  if (!r.failed() && uint64_t(t) * 8 > r.remaining()) return corrupt("its trap-site table runs past its end");
  p.traps.resize(r.failed() ? 0 : t);
  for (jit::TrapSite& s : p.traps) {
    s.offset = r.get<uint32_t>("the trap-site table");
    const uint32_t code = r.get<uint32_t>("the trap-site table");
    if (code > uint32_t(TrapCode::HostError)) return corrupt("a trap site has an unknown trap code");
    s.code = TrapCode(code);
  }
  const uint64_t code_size = r.get<uint64_t>("the code size");
  const uint64_t code_offset = r.get<uint64_t>("the code offset");
  if (r.failed()) return corrupt(std::string("it ends inside ") + r.failed());
  if (code_offset < r.position() || code_offset > payload.size() || code_size != payload.size() - code_offset ||
      (jit::kSerializedHeaderSize + code_offset) % kCodePageSize != 0) {
    return corrupt("its code does not lie where its tables say");
  }
  p.code = payload.subspan(size_t(code_offset));
  p.code_offset = size_t(code_offset);

  // Functions in order, inside the code; trap sites sorted, inside the code: what
  // CompiledModule's lookups assume.
  uint64_t end = 0;
  for (const jit::FunctionLocation& f : p.functions) {
    if (f.size == 0 || f.offset < end || uint64_t(f.offset) + f.size > code_size) {
      return corrupt("a function lies outside its code");
    }
    end = uint64_t(f.offset) + f.size;
  }
  for (size_t i = 0; i < p.traps.size(); ++i) {
    if (p.traps[i].offset >= code_size || (i && p.traps[i].offset < p.traps[i - 1].offset)) {
      return corrupt("a trap site lies outside its code or out of order");
    }
  }
  return p;
}

// A precompiled module's file, mapped read-only (MAP_PRIVATE), unmapped on destruction except
// for what release_code() handed over.
class MappedFile {
 public:
  MappedFile() = default;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile() {
    if (base_ && head_) munmap(base_, head_);
  }

  static Result<void> open(const std::string& path, MappedFile& out) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Error(ErrorKind::Resource, "cannot open " + path + ": " + std::strerror(errno));
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      return Error(ErrorKind::Resource, "cannot read " + path + ": not a regular file");
    }
    out.size_ = size_t(st.st_size);
    if (out.size_ > 0) {
      void* p = mmap(nullptr, out.size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        const int err = errno;
        ::close(fd);
        return Error(ErrorKind::Resource, "cannot map " + path + ": " + std::strerror(err));
      }
      out.base_ = static_cast<uint8_t*>(p);
      const size_t page = size_t(sysconf(_SC_PAGESIZE));
      out.head_ = (out.size_ + page - 1) / page * page;
    }
    ::close(fd);  // the mapping keeps the file's pages
    return {};
  }

  std::span<const uint8_t> bytes() const { return {base_, size_}; }

  // Makes the mapped pages from `offset` (page-aligned) to the end read+execute and hands them
  // to a CodeMemory; empty if the system refuses (a noexec mount, say), and then nothing changed.
  CodeMemory release_code(size_t offset, size_t code_size) {
    const size_t page = size_t(sysconf(_SC_PAGESIZE));
    if (!base_ || code_size == 0 || offset % page != 0 || offset >= head_) return {};
    if (mprotect(base_ + offset, head_ - offset, PROT_READ | PROT_EXEC) != 0) return {};
    CodeMemory code = CodeMemory::adopt(base_ + offset, code_size, head_ - offset);
    head_ = offset;  // the destructor unmaps only what comes before the code
    return code;
  }

 private:
  uint8_t* base_ = nullptr;
  size_t size_ = 0;
  size_t head_ = 0;  // bytes mapped from base_ that this object still owns
};

}  // namespace wasm::detail
// ---- end include/wasm/detail/vm/serialize_impl.hpp ----

namespace wasm {

WASMPP_INLINE Result<Module> Module::compile(const Engine& engine, std::span<const uint8_t> bytes) {
  auto state = validated(engine, bytes);
  if (!state) return std::move(state).error();
  if (Result<void> r = detail::load_code(**state, engine.config()); !r) return std::move(r).error();
  return Module(std::move(*state));
}

WASMPP_INLINE Result<Module> Module::from_wat(const Engine& engine, std::string_view text) {
  auto bytes = detail::text::wat_to_wasm(text);
  if (!bytes) return std::move(bytes).error();
  return compile(engine, *bytes);
}

// validate = false: a precompiled module's binary, decoded only (its code was validated when it
// was compiled, and deserialize_unchecked trusts it).
WASMPP_INLINE Result<std::shared_ptr<detail::ModuleState>> Module::validated(const Engine& engine,
                                                                            std::span<const uint8_t> bytes,
                                                                            bool validate) {
  const Features& features = engine.config().wasm_features();
  auto info = detail::decode_module(bytes, features);
  if (!info) return std::move(info).error();
  if (validate) {
    if (auto valid = detail::validate_module(*info, features); !valid) return std::move(valid).error();
  }
  auto state = std::make_shared<detail::ModuleState>();
  state->engine = engine.shared_state();
  state->offsets = detail::VMOffsets(detail::shape_of(*info));
  if (!state->offsets.ok()) return Error(ErrorKind::Resource, "module too large for a VMContext");
  state->type_ids.reserve(info->types.size());
  for (const FuncType& t : info->types) state->type_ids.push_back(engine.state().types.intern(t));
  state->info = std::move(*info);
  state->index_exports();  // after the move: the keys view the names inside `info`
  return state;
}

WASMPP_INLINE std::vector<uint8_t> Module::serialize() const {
  return detail::serialize_module(state_->info, state_->code, engine_.config());
}

WASMPP_INLINE bool Module::is_precompiled(std::span<const uint8_t> bytes) {
  return bytes.size() >= detail::jit::kSerializedMagic.size() &&
         std::equal(detail::jit::kSerializedMagic.begin(), detail::jit::kSerializedMagic.end(), bytes.begin());
}

// Checks `bytes`, decodes the module inside and takes make_code(parts) as its machine code.
template <typename MakeCode>
Result<Module> Module::deserialized(const Engine& engine, std::span<const uint8_t> bytes, MakeCode make_code) {
  auto payload = detail::jit::check_serialized(bytes, detail::code_target_of(engine.config()));
  if (!payload) return std::move(payload).error();
  auto parts = detail::parse_payload(*payload);
  if (!parts) return std::move(parts).error();
  auto state = validated(engine, parts->wasm, /*validate=*/false);
  if (!state) return std::move(state).error();
  const detail::ModuleInfo& info = (*state)->info;
  if (parts->num_imported_funcs != info.num_imported_funcs ||
      parts->functions.size() != info.num_defined_funcs() || info.bodies.size() != info.num_defined_funcs()) {
    return detail::serialize_detail::corrupt("its code does not have one entry per function of its module");
  }
  detail::CodeMemory code;
  if (!parts->code.empty()) {
    code = make_code(*parts);
    if (!code) return Error(ErrorKind::Resource, "out of memory for compiled code");
  }
  detail::jit::CompileStats stats;
  for (const detail::FunctionBody& body : info.bodies) stats.code_section_bytes += body.size;
  stats.machine_code_bytes = parts->code.size();
  (*state)->publish_code(detail::jit::CompiledModule(std::move(code), std::move(parts->functions),
                                                     std::move(parts->traps), info.num_imported_funcs, stats),
                         engine.config());
  return Module(std::move(*state));
}

WASMPP_INLINE Result<Module> Module::deserialize_unchecked(const Engine& engine, std::span<const uint8_t> bytes) {
  return deserialized(engine, bytes,
                      [](const detail::SerializedParts& parts) { return detail::CodeMemory::publish(parts.code); });
}

WASMPP_INLINE Result<Module> Module::deserialize_file_unchecked(const Engine& engine, const std::string& path) {
  detail::MappedFile file;
  if (auto opened = detail::MappedFile::open(path, file); !opened) return std::move(opened).error();
  // The code pages are used where the file maps them: no copy, and clean file-backed pages
  // that every process running this file shares. The mapping was read-only, and becomes
  // read+execute only after the checks, so the code is never writable and executable at once.
  // Where exec mappings of the file are refused (a noexec mount), the code is copied once.
  return deserialized(engine, file.bytes(), [&](const detail::SerializedParts& parts) {
    detail::CodeMemory code = file.release_code(detail::jit::kSerializedHeaderSize + parts.code_offset, parts.code.size());
    return code ? std::move(code) : detail::CodeMemory::publish(parts.code);
  });
}

}  // namespace wasm
// ---- end include/wasm/module_impl.hpp ----
#endif
