#pragma once
// Error values returned by every fallible public call (see result.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

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
  Exception,    // a wasm exception reached the host uncaught; exception() names it (wasm::Exn)
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
  AtomicWaitNonSharedMemory,  // memory.atomic.wait32/wait64 on a memory that is not shared
  NullFunctionReference,      // call_ref or return_call_ref of a null reference
  HostError,  // (the last code: trap tables are sized from it)  // a host function returned an error or threw
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
    case TrapCode::AtomicWaitNonSharedMemory: return "atomic wait on non-shared memory";
    case TrapCode::NullFunctionReference: return "null function reference";
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
    case ErrorKind::Exception: return "uncaught wasm exception";
  }
  return "error";
}

// One frame of a wasm backtrace.
struct FrameInfo {
  uint32_t func_index = 0;
  std::string func_name;  // from the name section; empty when unknown
  uint32_t module_offset = 0;
};

// A wasm exception carried by an Error of kind Exception: the store it belongs to and the
// exception object there (wasm::Exn reads its tag and payload).
struct ExceptionRef {
  uint64_t store_id = 0;
  void* raw = nullptr;
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

  // An uncaught wasm exception; a host function returns one to throw it into its wasm caller.
  static Error exception(ExceptionRef exn,
                         std::string message = "caught by no handler") {
    Error e(ErrorKind::Exception, std::move(message));
    e.exception_ = exn;
    return e;
  }

  ErrorKind kind() const { return kind_; }
  std::optional<ExceptionRef> exception() const { return exception_; }
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
  std::optional<ExceptionRef> exception_;
  std::vector<FrameInfo> backtrace_;
};

}  // namespace wasm
