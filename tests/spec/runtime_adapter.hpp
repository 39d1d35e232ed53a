#pragma once
// The one place where the spec runner meets the runtime: it drives the public API (Engine,
// Module, Store, Linker, Instance, Func, Global) the way an embedder would.
//
// The `spectest` module the scripts import from is defined here: print functions,
// global_i32 = 666, global_i64 = 666, global_f32 = 666.6, global_f64 = 666.6, a table of
// 10..20 funcref and a memory of 1..2 pages.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "spec_values.hpp"
#include "wasm.hpp"

namespace wasmpp_spec {

class RuntimeAdapter {
 public:
  using InstanceId = size_t;
  using CompiledModule = wasm::Module;

  explicit RuntimeAdapter(const wasm::Features& features)
      : engine_(make_config(features)), store_(engine_), linker_(engine_) {
    linker_.allow_shadowing(true);
    define_spectest();
  }

  // Why a part is not available yet (the skip reason the runner prints), or nothing when it is.
  std::optional<std::string> missing_instantiation() const { return std::nullopt; }
  std::optional<std::string> missing_linking() const { return std::nullopt; }
  std::optional<std::string> missing_execution() const { return std::nullopt; }

  // The part of the runtime a valid module needs but that is not built yet, if that is why it
  // failed to compile (then the runner counts it and everything using it as skipped).
  std::optional<std::string> unsupported(const wasm::Error& e) const {
    const std::string& m = e.message();
    if (e.kind() != wasm::ErrorKind::Resource || m.find("not supported by the baseline compiler") == std::string::npos) {
      return std::nullopt;
    }
    if (m.find("SIMD") != std::string::npos) return "needs SIMD in the JIT";
    if (m.find("memory64") != std::string::npos) return "needs memory64 in the JIT";
    if (m.find("tail calls") != std::string::npos) return "needs tail calls in the JIT";
    return "needs an instruction the JIT does not compile yet";
  }

  // Decodes, validates and compiles. Malformed input fails with ErrorKind::Decode, an invalid
  // module with ErrorKind::Validate.
  wasm::Result<CompiledModule> compile(std::span<const uint8_t> bytes) const {
    return wasm::Module::compile(engine_, bytes);
  }

  // Links imports (against `spectest` and registered instances) and instantiates.
  wasm::Result<InstanceId> instantiate(const CompiledModule& module) {
    auto instance = linker_.instantiate(store_, module);
    if (!instance) return std::move(instance).error();
    instances_.push_back(*instance);
    return instances_.size() - 1;
  }

  // Makes an instance's exports importable under module name `as`.
  wasm::Result<void> register_instance(InstanceId id, const std::string& as) {
    return linker_.instance(store_, as, instances_[id]);
  }

  // Calls an exported function; a trap is an Error of kind Trap with its trap code.
  wasm::Result<std::vector<Value>> invoke(InstanceId id, const std::string& name, const std::vector<Value>& args) {
    std::optional<wasm::Func> func = instances_[id].get_func(store_, name);
    if (!func) return wasm::Error(wasm::ErrorKind::Link, "no exported function \"" + name + "\"");
    auto type = func->type(store_);
    if (!type) return std::move(type).error();
    std::vector<wasm::Val> params;
    for (const Value& v : args) params.push_back(to_val(v));
    std::vector<wasm::Val> results(type->results.size());
    if (auto r = func->call(store_, params, results); !r) return std::move(r).error();
    std::vector<Value> out;
    for (const wasm::Val& v : results) out.push_back(from_val(v));
    return out;
  }

  // Reads an exported global.
  wasm::Result<Value> get(InstanceId id, const std::string& name) {
    std::optional<wasm::Global> global = instances_[id].get_global(store_, name);
    if (!global) return wasm::Error(wasm::ErrorKind::Link, "no exported global \"" + name + "\"");
    auto v = global->get(store_);
    if (!v) return std::move(v).error();
    return from_val(*v);
  }

 private:
  // WASMPP_FORCE_SSE=1 compiles for the SSE4.1 floor (no AVX, AVX2, SSE4.2, ...), so that one
  // machine runs the suite through both sets of code sequences.
  static wasm::Config make_config(const wasm::Features& features) {
    wasm::Config config;
    config.wasm_features(features);
    const char* force_sse = std::getenv("WASMPP_FORCE_SSE");
    if (force_sse && *force_sse && std::string(force_sse) != "0") config.force_sse41(true);
    return config;
  }

  // Externref N of the scripts is the host pointer N + 1, so that 0 stays null.
  static wasm::Val to_val(const Value& v) {
    switch (v.type) {
      case ValueType::I32: return wasm::Val(int32_t(uint32_t(v.bits)));
      case ValueType::I64: return wasm::Val(int64_t(v.bits));
      case ValueType::F32: {
        float f;
        uint32_t b = uint32_t(v.bits);
        std::memcpy(&f, &b, 4);
        return wasm::Val(f);
      }
      case ValueType::F64: {
        double d;
        std::memcpy(&d, &v.bits, 8);
        return wasm::Val(d);
      }
      case ValueType::V128: {
        wasm::V128 x;
        x.bytes = v.v128;
        return wasm::Val(x);
      }
      case ValueType::FuncRef: return wasm::Val(wasm::FuncRef{});
      case ValueType::ExternRef:
        return wasm::Val(wasm::ExternRef{v.is_null ? nullptr : reinterpret_cast<void*>(uintptr_t(v.bits + 1))});
    }
    return wasm::Val();
  }

  static Value from_val(const wasm::Val& v) {
    switch (v.type()) {
      case wasm::ValType::I32: return Value::i32(uint32_t(v.i32()));
      case wasm::ValType::I64: return Value::i64(uint64_t(v.i64()));
      case wasm::ValType::F32: {
        uint32_t b;
        float f = v.f32();
        std::memcpy(&b, &f, 4);
        return Value::f32_bits(b);
      }
      case wasm::ValType::F64: {
        uint64_t b;
        double d = v.f64();
        std::memcpy(&b, &d, 8);
        return Value::f64_bits(b);
      }
      case wasm::ValType::V128: return Value::v128_bytes(v.v128().bytes);
      case wasm::ValType::FuncRef:
        if (!v.funcref()) return Value::null_ref(ValueType::FuncRef);
        return Value::ref(ValueType::FuncRef, uint64_t(reinterpret_cast<uintptr_t>(v.funcref().raw)));
      case wasm::ValType::ExternRef:
        if (!v.externref()) return Value::null_ref(ValueType::ExternRef);
        return Value::ref(ValueType::ExternRef, uint64_t(reinterpret_cast<uintptr_t>(v.externref().ptr)) - 1);
    }
    return Value::i32(0);
  }

  void define_spectest() {
    using wasm::ValType;
    auto print = [this](std::initializer_list<ValType> params) {
      std::string name = "print";
      for (ValType t : params) name += std::string("_") + wasm::valtype_name(t);
      wasm::FuncType type{std::vector<ValType>(params), {}};
      (void)linker_.func_new("spectest", name, type,
                             [](wasm::Caller<>&, std::span<const wasm::Val>, std::span<wasm::Val>) {
                               return wasm::Result<void>();
                             });
    };
    print({});
    print({ValType::I32});
    print({ValType::I64});
    print({ValType::F32});
    print({ValType::F64});
    print({ValType::I32, ValType::F32});
    print({ValType::F64, ValType::F64});
    auto global = [this](const char* name, ValType type, wasm::Val value) {
      auto g = wasm::Global::create(store_, wasm::GlobalType{type, false}, value);
      if (g) (void)linker_.define("spectest", name, *g);
    };
    global("global_i32", ValType::I32, wasm::Val(int32_t(666)));
    global("global_i64", ValType::I64, wasm::Val(int64_t(666)));
    global("global_f32", ValType::F32, wasm::Val(666.6f));
    global("global_f64", ValType::F64, wasm::Val(666.6));
    wasm::TableType table_type{ValType::FuncRef, wasm::Limits{10, 20}};
    if (auto t = wasm::Table::create(store_, table_type)) (void)linker_.define("spectest", "table", *t);
    wasm::MemoryType memory_type{wasm::Limits{1, 2}};
    if (auto m = wasm::Memory::create(store_, memory_type)) (void)linker_.define("spectest", "memory", *m);
  }

  wasm::Engine engine_;
  wasm::Store<> store_;
  wasm::Linker<> linker_;
  std::vector<wasm::Instance> instances_;
};

}  // namespace wasmpp_spec
