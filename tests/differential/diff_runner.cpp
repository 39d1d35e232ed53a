// Differential-execution runner, wasmpp side. For each module named on the command line it
// prints a transcript that run_v8.mjs prints the same way for V8, so the two can be compared
// line by line (see README.md):
//   module PATH
//   invalid | link-error | instantiate-trap CLASS | instantiated
//   call NAME                      for every exported function, in export order
//   log MODULE.NAME ARGS...        one per call of an imported function (stubs: they return
//                                  their last argument when it has the one result's type,
//                                  zeros otherwise)
//   result VALUES... | trap CLASS | exhausted WHAT | skip v128 (v128 in its type: JS cannot call
//                                  it; not called)
//   memory NAME PAGES HASH         every exported memory, after every call
//   global NAME VALUE              every exported global, at the end
//   end
// "exhausted" (fuel, stack) is a result the other engine need not share; the driver stops
// comparing a module at the first one. Before every call the export "hangLimitInitializer"
// (binaryen's own loop bound) is called, when the module has one.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <wasm.hpp>

namespace {

constexpr uint64_t kFuelPerCall = 200'000'000;

std::string hex64(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// Floats are printed as the bits of the double they convert to (what JS sees), NaNs as "nan"
// (JS does not keep NaN payloads).
std::string format_double(double d) {
  if (std::isnan(d)) return "nan";
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  return hex64(bits);
}

std::string format_val(const wasm::Val& v) {
  switch (v.type()) {
    case wasm::ValType::I32: return "i32:" + std::to_string(v.i32());
    case wasm::ValType::I64: return "i64:" + std::to_string(v.i64());
    case wasm::ValType::F32: return "f32:" + format_double(double(v.f32()));
    case wasm::ValType::F64: return "f64:" + format_double(v.f64());
    case wasm::ValType::FuncRef: return v.is_null_ref() ? "ref:null" : "ref:func";
    case wasm::ValType::ExternRef: return v.is_null_ref() ? "ref:null" : "ref:extern";
    case wasm::ValType::Kind::ExnRef: return v.is_null_ref() ? "ref:null" : "ref:exn";
    case wasm::ValType::Kind::AnyRef: return v.is_null_ref() ? "ref:null" : "ref:any";
    case wasm::ValType::V128: return "v128";
  }
  return "?";
}

// The fixed arguments: the i-th parameter of each type gets the i-th value of its list.
wasm::Val argument(wasm::ValType t, size_t i) {
  static const int32_t i32s[] = {1, 0, -1, 2147483647, -2147483647 - 1, 65536, 13, 255};
  static const int64_t i64s[] = {1, 0, -1, 9223372036854775807LL, -9223372036854775807LL - 1, 4294967296LL, 13, 255};
  static const float f32s[] = {0.5f, -1.0f, 3.0f, 1e10f, -0.0f, 65536.0f, 1.5f, 255.0f};
  static const double f64s[] = {0.5, -1.0, 3.0, 1e300, -0.0, 4294967296.0, 1.5, 255.0};
  size_t k = i % 8;
  switch (t) {
    case wasm::ValType::I32: return wasm::Val(i32s[k]);
    case wasm::ValType::I64: return wasm::Val(i64s[k]);
    case wasm::ValType::F32: return wasm::Val(f32s[k]);
    case wasm::ValType::F64: return wasm::Val(f64s[k]);
    default: return wasm::Val::zero(t);
  }
}

// The trap classes both sides can tell apart. V8 reports a null entry and a signature mismatch
// in call_indirect with one message, so they are one class here.
std::string trap_class(const wasm::Error& e) {
  if (e.kind() != wasm::ErrorKind::Trap || !e.trap_code()) return std::string("error ") + wasm::error_kind_name(e.kind());
  switch (*e.trap_code()) {
    case wasm::TrapCode::StackOverflow: return "exhausted stack";
    case wasm::TrapCode::OutOfFuel: return "exhausted fuel";
    case wasm::TrapCode::Interrupt: return "exhausted interrupt";
    case wasm::TrapCode::MemoryOutOfBounds: return "trap memory";
    case wasm::TrapCode::HeapMisaligned: return "trap misaligned";
    case wasm::TrapCode::TableOutOfBounds: return "trap table";
    case wasm::TrapCode::IndirectCallToNull:
    case wasm::TrapCode::BadSignature: return "trap indirect";
    case wasm::TrapCode::IntegerOverflow: return "trap overflow";
    case wasm::TrapCode::IntegerDivisionByZero: return "trap divzero";
    case wasm::TrapCode::BadConversionToInteger: return "trap conversion";
    case wasm::TrapCode::UnreachableCodeReached: return "trap unreachable";
    case wasm::TrapCode::NullReference:
    case wasm::TrapCode::NullFunctionReference: return "trap null";
    case wasm::TrapCode::AtomicWaitNonSharedMemory: return "trap wait";
    case wasm::TrapCode::HostError: return "trap host";
  }
  return "trap other";
}

// FNV-1a over the memory's little-endian 32-bit words (a memory is whole pages), as
// run_v8.mjs computes it: a 1 MiB memory is hashed after every call, so word-wise it is cheap.
uint32_t hash_memory(std::span<const uint8_t> bytes) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i + 4 <= bytes.size(); i += 4) {
    uint32_t w = uint32_t(bytes[i]) | uint32_t(bytes[i + 1]) << 8 | uint32_t(bytes[i + 2]) << 16 |
                 uint32_t(bytes[i + 3]) << 24;
    h = (h ^ w) * 16777619u;
  }
  return h;
}

bool has_v128(const wasm::FuncType& ft) {
  for (wasm::ValType t : ft.params) if (t == wasm::ValType::V128) return true;
  for (wasm::ValType t : ft.results) if (t == wasm::ValType::V128) return true;
  return false;
}

struct Out {
  std::string text;
  void line(const std::string& s) { (text += s) += '\n'; }
};

void run_module(const std::string& path, Out& out) {
  out.line("module " + path);
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});

  wasm::Config config;
  config.consume_fuel(true);
  wasm::Engine engine(config);
  auto module = wasm::Module::compile(engine, bytes);
  if (!module) {
    out.line("invalid");
    out.line("# " + module.error().to_string());
    return;
  }
  wasm::Store<Out*> store(engine, &out);
  wasm::Linker<Out*> linker(engine);
  for (const wasm::ImportType& imp : module->imports()) {
    std::string full = std::string(imp.module) + "." + std::string(imp.name);
    wasm::Result<void> r = {};
    if (const auto* ft = std::get_if<wasm::FuncType>(&imp.type)) {
      r = linker.func_new(imp.module, imp.name, *ft,
                          [full, v128 = has_v128(*ft)](wasm::Caller<Out*>& c, std::span<const wasm::Val> args,
                                                           std::span<wasm::Val> results) {
                            // JS functions cannot take or return v128: V8 throws a TypeError
                            // when wasm calls one (the driver redirects binaryen's log-v128
                            // calls; this is for the others).
                            if (v128) return wasm::Result<void>{wasm::Error::trap(wasm::TrapCode::HostError, "v128")};
                            std::string s = "log " + full;
                            for (const wasm::Val& a : args) (s += ' ') += format_val(a);
                            c.data()->line(s);
                            // One result of the last parameter's type: that parameter passes
                            // through (binaryen's --instrument-memory hooks); otherwise zeros.
                            if (results.size() == 1 && !args.empty() && args.back().type() == results[0].type()) {
                              results[0] = args.back();
                            }
                            return wasm::Result<void>{};
                          });
    } else if (const auto* mt = std::get_if<wasm::MemoryType>(&imp.type)) {
      auto m = wasm::Memory::create(store, *mt);
      if (m) r = linker.define(imp.module, imp.name, *m);
    } else if (const auto* tt = std::get_if<wasm::TableType>(&imp.type)) {
      auto t = wasm::Table::create(store, *tt);
      if (t) r = linker.define(imp.module, imp.name, *t);
    } else if (const auto* gt = std::get_if<wasm::GlobalType>(&imp.type)) {
      auto g = wasm::Global::create(store, *gt, wasm::Val::zero(gt->type));
      if (g) r = linker.define(imp.module, imp.name, *g);
    }
    (void)r;  // a duplicate import name is defined once; the link step reports real problems
  }
  (void)store.set_fuel(kFuelPerCall);
  auto instance = linker.instantiate(store, *module);
  if (!instance) {
    const wasm::Error& e = instance.error();
    if (e.kind() == wasm::ErrorKind::Link) out.line("link-error");
    else out.line("instantiate-" + trap_class(e));
    out.line("# " + e.to_string());
    return;
  }
  out.line("instantiated");

  std::vector<wasm::ExportType> exports = module->exports();
  std::optional<wasm::Func> hang_init = instance->get_func(store, "hangLimitInitializer");
  size_t dump_start = 0, dump_len = 0;
  if (const char* d = std::getenv("DIFF_DUMP")) std::sscanf(d, "%zu:%zu", &dump_start, &dump_len);
  auto dump_memories = [&] {
    for (const wasm::ExportType& e : exports) {
      if (!std::holds_alternative<wasm::MemoryType>(e.type)) continue;
      auto mem = instance->get_memory(store, e.name);
      std::span<uint8_t> data = mem->data(store);
      out.line("memory " + std::string(e.name) + " " + std::to_string(mem->size(store)) + " " +
               std::to_string(hash_memory(data)));
      if (dump_len) {  // DIFF_DUMP=START:LEN, for debugging a mismatch
        std::string hex = "bytes";
        for (size_t i = dump_start; i < dump_start + dump_len && i < data.size(); ++i) {
          char b[4];
          std::snprintf(b, sizeof b, " %02x", data[i]);
          hex += b;
        }
        out.line(hex);
      }
    }
  };
  for (const wasm::ExportType& e : exports) {
    const auto* ft = std::get_if<wasm::FuncType>(&e.type);
    if (!ft || e.name == "hangLimitInitializer") continue;
    out.line("call " + std::string(e.name));
    if (has_v128(*ft)) {  // JS cannot call it (binaryen's *_invoker exports call it)
      out.line("skip v128");
      continue;
    }
    if (hang_init) {
      (void)store.set_fuel(kFuelPerCall);
      (void)hang_init->call(store, {}, {});
    }
    std::vector<wasm::Val> args;
    for (size_t i = 0; i < ft->params.size(); ++i) args.push_back(argument(ft->params[i], i));
    std::vector<wasm::Val> results(ft->results.size());
    (void)store.set_fuel(kFuelPerCall);
    auto f = instance->get_func(store, e.name);
    wasm::Result<void> r = f->call(store, args, results);
    if (!r) {
      std::string c = trap_class(r.error());
      out.line(c);
      if (c.rfind("exhausted", 0) == 0) return;
    } else {
      std::string s = "result";
      for (const wasm::Val& v : results) (s += ' ') += format_val(v);
      out.line(s);
    }
    dump_memories();
  }
  for (const wasm::ExportType& e : exports) {
    if (!std::holds_alternative<wasm::GlobalType>(e.type)) continue;
    auto g = instance->get_global(store, e.name);
    auto v = g->get(store);
    out.line("global " + std::string(e.name) + " " + (v ? format_val(*v) : "?"));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s MODULE.wasm...\n", argv[0]);
    return 2;
  }
  for (int i = 1; i < argc; ++i) {
    Out out;
    run_module(argv[i], out);
    out.line("end");
    std::fwrite(out.text.data(), 1, out.text.size(), stdout);
    std::fflush(stdout);
  }
  return 0;
}
