#pragma once
// Encodings of WebAssembly 3.0 (and of later proposals) that this runtime does not implement yet.
// Where the decoder meets one, it fails with a message from here instead of "malformed ...", and
// the error is of kind ErrorKind::Unsupported: the module may well be valid, we cannot run it.
// (The spec suite counts such modules as skipped, not as failed.) Remove a case when its feature
// is implemented. Instructions need no case here: opcodes.def knows every one, InstructionReader
// refuses those whose Features flag is off, and the validator reports the ones it does not
// implement as Unsupported.
#include <cstdint>
#include <string_view>

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

// A value type or heap type byte of 3.0 (typed references, GC, exnref) whose feature is off.
constexpr const char* unsupported_type_byte(uint8_t b) {
  switch (b) {
    case 0x63:  // ref null ht, ref ht, nullfuncref, nullexternref: read when the
    case 0x64:  // function-references feature is on (type_reader.hpp)
    case 0x72:
    case 0x73: return "unsupported: typed function references";
    case 0x74: return "unsupported: nullexnref (needs exceptions and typed references)";
    case 0x62: return "unsupported: custom descriptors (exact reference types)";
    case 0x6A:  // array
    case 0x6B:  // struct
    case 0x6C:  // i31
    case 0x6D:  // eq
    case 0x6E:  // any
    case 0x71:  // none
      return "unsupported: GC reference types";
    default: return nullptr;
  }
}

// A type section entry other than a function type (the GC forms are read when Features::gc is
// on; these messages are for modules that use them without it).
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

inline constexpr const char* kUnsupportedCustomPageSizes = "unsupported: custom page sizes";
inline constexpr const char* kUnsupportedExactImport = "unsupported: custom descriptors";
// The prefix byte of an exact heap type, `(exact x)` (0x62 x:u32), read where an s33 heap type
// is expected: it reads as -30.
inline constexpr int64_t kExactHeapTypeS33 = 0x62 - 0x80;
inline constexpr const char* kUnsupportedExactHeapType = "unsupported: custom descriptors (exact reference types)";

}  // namespace wasm::detail
