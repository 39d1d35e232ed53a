#pragma once
// The payload of a precompiled module (Module::serialize / Module::deserialize_unchecked): what
// ModuleState needs besides the header of jit/serialized_header.hpp. An _impl file: it reads
// the code generator's options (jit::CompileOptions, hence xbyak's CPU detection).
//
// Payload layout (little-endian; offsets from the payload's start):
//   u64 wasm size, the module's binary (its function bodies are not re-validated nor
//       recompiled on load: the decoder only records where they are), zero padding to 8
//   u32 imported functions, u32 defined functions n, n x (u32 code offset, u32 code size)
//   u32 trap sites t, u32 0, t x (u32 code offset, u32 trap code)
//   u64 code size, u64 code offset, zero padding, the module's code image (position-
//       independent: functions and their thunks reach the entry table pc-relative, at a fixed
//       distance after the code; everything else goes through the VMContext) up to the
//       payload's end
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

#include "wasm/config.hpp"
#include "wasm/detail/jit/compile_env.hpp"
#include "wasm/detail/jit/compiled_module.hpp"
#include "wasm/detail/jit/serialized_header.hpp"
#include "wasm/error.hpp"
#include "wasm/result.hpp"

namespace wasm::detail {

namespace serialize_detail {

// The text of the VMContext layout and of the builtin table, which compiled code hard-codes:
// hashed into the runtime version so that a runtime with another layout refuses the code.
inline constexpr char kLayoutText[] =
#define WASM_VM_RECORD(R, s, a) #R #s #a ";"
#define WASM_VM_FIELD(R, f, o, s) #R #f #o #s ";"
#define WASM_VMCTX_FIXED(n, s, a) #n #s #a ";"
#define WASM_VMCTX_ARRAY(n, c, R) #n #c #R ";"
#include "wasm/detail/env/vmctx_layout.def"
#define WASM_BUILTIN(name, ret, ...) #name #ret #__VA_ARGS__ ";"
#include "wasm/detail/env/builtins.def"
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
  t.relaxed_simd_deterministic = options.relaxed_simd_deterministic;
  t.canonicalize_nans = options.canonicalize_nans;
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
  w.put<uint32_t>(uint32_t(code.handlers().size()));
  w.put<uint32_t>(0);
  for (const jit::HandlerSite& h : code.handlers()) {
    for (uint32_t v : {h.begin, h.end, h.tag, h.target, h.depth}) w.put<uint32_t>(v);
  }
  w.pad(8);
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
  std::vector<jit::HandlerSite> handlers;
  std::span<const uint8_t> code;
  size_t code_offset = 0;  // from the payload's start

  // The read-write tail the code needs after it: the entry table (jit::CompiledModule).
  size_t entry_table_bytes() const { return 8 * functions.size(); }
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
  const uint32_t h = r.get<uint32_t>("the handler count");
  r.get<uint32_t>("the handler count");
  if (!r.failed() && uint64_t(h) * 20 > r.remaining()) return corrupt("its handler table runs past its end");
  p.handlers.resize(r.failed() ? 0 : h);
  for (jit::HandlerSite& s : p.handlers) {
    s.begin = r.get<uint32_t>("the handler table");
    s.end = r.get<uint32_t>("the handler table");
    s.tag = r.get<uint32_t>("the handler table");
    s.target = r.get<uint32_t>("the handler table");
    s.depth = r.get<uint32_t>("the handler table");
  }
  r.skip_to(8);
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
  // The image ends with one thunk per function (jit::CompiledModule).
  const uint64_t thunks = uint64_t(jit::kThunkBytes) * p.functions.size();
  if (!p.functions.empty() && code_size < thunks) return corrupt("its code has no room for its thunks");
  const uint64_t functions_end = code_size - (p.functions.empty() ? 0 : thunks);
  uint64_t end = 0;
  for (const jit::FunctionLocation& f : p.functions) {
    if (f.size == 0 || f.offset < end || uint64_t(f.offset) + f.size > functions_end) {
      return corrupt("a function lies outside its code");
    }
    end = uint64_t(f.offset) + f.size;
  }
  for (size_t i = 0; i < p.traps.size(); ++i) {
    if (p.traps[i].offset >= code_size || (i && p.traps[i].offset < p.traps[i - 1].offset)) {
      return corrupt("a trap site lies outside its code or out of order");
    }
  }
  // Handler targets are jumped to: they must lie inside the code (tag indices are checked
  // against the module by the loader).
  for (const jit::HandlerSite& s : p.handlers) {
    if (s.begin > s.end || s.end > code_size ||
        (s.tag != jit::HandlerSite::kDelegate && s.target >= code_size)) {
      return corrupt("an exception handler lies outside its code");
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
  // The code gets a read-write tail of `tail_bytes` (CodeMemory), mapped right after the file's
  // pages where that address range is free.
  CodeMemory release_code(size_t offset, size_t code_size, size_t tail_bytes) {
    if (!base_ || code_size == 0 || offset % kCodePageSize != 0 || offset >= head_ ||
        head_ - offset != CodeMemory::tail_offset(code_size)) {
      return {};
    }
    const size_t tail_mapped = CodeMemory::tail_offset(tail_bytes);
    uint8_t* tail = base_ + head_;
    if (tail_bytes) {
      void* p = mmap(tail, tail_mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
      if (p == MAP_FAILED) return {};
      if (p != tail) {  // a kernel before 4.17 takes the flag as a hint
        munmap(p, tail_mapped);
        return {};
      }
    }
    if (mprotect(base_ + offset, head_ - offset, PROT_READ | PROT_EXEC) != 0) {
      if (tail_bytes) munmap(tail, tail_mapped);
      return {};
    }
    CodeMemory code = CodeMemory::adopt(base_ + offset, code_size, head_ - offset + (tail_bytes ? tail_mapped : 0), tail_bytes);
    head_ = offset;  // the destructor unmaps only what comes before the code
    return code;
  }

 private:
  uint8_t* base_ = nullptr;
  size_t size_ = 0;
  size_t head_ = 0;  // bytes mapped from base_ that this object still owns
};

}  // namespace wasm::detail
