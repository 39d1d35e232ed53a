#pragma once
// The one place where the script runner meets the runtime: it drives the public API (Engine,
// Module, Store, Linker, Instance, Func, Global) the way an embedder would.
//
// The `spectest` module the scripts import from is defined here: print functions,
// global_i32 = 666, global_i64 = 666, global_f32 = 666.6, global_f64 = 666.6, a table of
// 10..20 funcref, a memory of 1..2 pages and a shared memory of 1..2 pages.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "wasm.hpp"
#include "wasm/wast/values.hpp"

namespace wasm::wast {

class ScriptRuntime {
 public:
  using InstanceId = size_t;

  explicit ScriptRuntime(const Features& features)
      : features_(features), engine_(make_config(features)), store_(engine_), linker_(engine_) {
    linker_.allow_shadowing(true);
    define_spectest();
  }

  const Features& features() const { return features_; }

  // The feature of WebAssembly a valid module needs that the runtime does not have, if that is
  // why it failed to load (the runner then counts it, and everything using it, as skipped).
  static std::optional<std::string> unsupported(const Error& e) {
    const std::string& m = e.message();
    if (e.kind() == ErrorKind::Unsupported) return m;
    if (e.kind() != ErrorKind::Resource || m.find("not supported by the baseline compiler") == std::string::npos)
      return std::nullopt;
    if (m.find("SIMD") != std::string::npos) return "needs SIMD in the JIT";
    if (m.find("memory64") != std::string::npos) return "needs memory64 in the JIT";
    if (m.find("tail calls") != std::string::npos) return "needs tail calls in the JIT";
    return "needs an instruction the JIT does not compile yet";
  }

  // Decodes, validates and compiles. Malformed input fails with ErrorKind::Decode, an invalid
  // module with ErrorKind::Validate.
  Result<Module> compile(std::span<const uint8_t> bytes) const { return Module::compile(engine_, bytes); }

  // Links imports (against `spectest` and registered instances) and instantiates.
  Result<InstanceId> instantiate(const Module& module) {
    auto instance = linker_.instantiate(store_, module);
    if (!instance) return std::move(instance).error();
    instances_.push_back(*instance);
    return instances_.size() - 1;
  }

  // Makes an instance's exports importable under module name `as`.
  Result<void> register_instance(InstanceId id, const std::string& as) {
    return linker_.instance(store_, as, instances_[id]);
  }

  // Why an argument cannot be given to the runtime, if it cannot.
  static std::optional<std::string> unsupported_argument(const Value& v) {
    if (v.type == ValueType::AnyRef || v.type == ValueType::ExnRef)
      return std::string("arguments of type ") + type_name(v.type) + " not supported";
    return std::nullopt;
  }

  // Calls an exported function; a trap is an Error of kind Trap with its trap code.
  Result<std::vector<Value>> invoke(InstanceId id, const std::string& name, const std::vector<Value>& args) {
    std::optional<Func> func = instances_[id].get_func(store_, name);
    if (!func) return Error(ErrorKind::Link, "no exported function \"" + name + "\"");
    auto type = func->type(store_);
    if (!type) return std::move(type).error();
    std::vector<Val> params;
    for (const Value& v : args) params.push_back(to_val(v));
    std::vector<Val> results(type->results.size());
    if (auto r = func->call(store_, params, results); !r) return std::move(r).error();
    std::vector<Value> out;
    for (const Val& v : results) out.push_back(from_val(v));
    return out;
  }

  // Reads an exported global.
  Result<Value> get(InstanceId id, const std::string& name) {
    std::optional<Global> global = instances_[id].get_global(store_, name);
    if (!global) return Error(ErrorKind::Link, "no exported global \"" + name + "\"");
    auto v = global->get(store_);
    if (!v) return std::move(v).error();
    return from_val(*v);
  }

 private:
  // WASMPP_FORCE_SSE=1 compiles for the SSE4.1 floor (no AVX, AVX2, SSE4.2, ...), so that one
  // machine runs the suite through both sets of code sequences; WASMPP_RELAXED_SIMD_DETERMINISTIC=1
  // gives relaxed SIMD its deterministic results.
  static Config make_config(const Features& features) {
    Config config;
    config.wasm_features(features);
    config.force_sse41(env_flag("WASMPP_FORCE_SSE"));
    config.relaxed_simd_deterministic(env_flag("WASMPP_RELAXED_SIMD_DETERMINISTIC"));
    return config;
  }
  static bool env_flag(const char* name) {
    const char* v = std::getenv(name);
    return v && *v && std::string(v) != "0";
  }

  // Externref N of the scripts is the host pointer N + 1, so that 0 stays null.
  static Val to_val(const Value& v) {
    switch (v.type) {
      case ValueType::I32: return Val(int32_t(uint32_t(v.bits)));
      case ValueType::I64: return Val(int64_t(v.bits));
      case ValueType::F32: {
        float f;
        uint32_t b = uint32_t(v.bits);
        std::memcpy(&f, &b, 4);
        return Val(f);
      }
      case ValueType::F64: {
        double d;
        std::memcpy(&d, &v.bits, 8);
        return Val(d);
      }
      case ValueType::V128: {
        V128 x;
        x.bytes = v.v128;
        return Val(x);
      }
      case ValueType::FuncRef: return Val(FuncRef{});
      case ValueType::ExternRef:
        return Val(ExternRef{v.is_null ? nullptr : reinterpret_cast<void*>(uintptr_t(v.bits + 1))});
      case ValueType::AnyRef:
      case ValueType::ExnRef: break;  // refused by unsupported_argument
    }
    return Val();
  }

  static Value from_val(const Val& v) {
    switch (v.type()) {
      case ValType::I32: return Value::i32(uint32_t(v.i32()));
      case ValType::I64: return Value::i64(uint64_t(v.i64()));
      case ValType::F32: {
        uint32_t b;
        float f = v.f32();
        std::memcpy(&b, &f, 4);
        return Value::f32_bits(b);
      }
      case ValType::F64: {
        uint64_t b;
        double d = v.f64();
        std::memcpy(&b, &d, 8);
        return Value::f64_bits(b);
      }
      case ValType::V128: return Value::v128_bytes(v.v128().bytes);
      case ValType::FuncRef:
        if (!v.funcref()) return Value::null_ref(ValueType::FuncRef);
        return Value::ref(ValueType::FuncRef, uint64_t(reinterpret_cast<uintptr_t>(v.funcref().raw)));
      case ValType::ExternRef:
        if (!v.externref()) return Value::null_ref(ValueType::ExternRef);
        return Value::ref(ValueType::ExternRef, uint64_t(reinterpret_cast<uintptr_t>(v.externref().ptr)) - 1);
      case ValType::ExnRef:
        if (v.is_null_ref()) return Value::null_ref(ValueType::ExnRef);
        return Value::ref(ValueType::ExnRef, uint64_t(reinterpret_cast<uintptr_t>(v.raw().ref)));
      case ValType::Kind::AnyRef: break;  // no GC values yet: such modules are refused (gc_support.hpp)
    }
    return Value::i32(0);
  }

  void define_spectest() {
    auto print = [this](std::initializer_list<ValType> params) {
      std::string name = "print";
      for (ValType t : params) name += std::string("_") + valtype_name(t);
      FuncType type{std::vector<ValType>(params), {}};
      (void)linker_.func_new("spectest", name, type,
                             [](Caller<>&, std::span<const Val>, std::span<Val>) { return Result<void>(); });
    };
    print({});
    print({ValType::I32});
    print({ValType::I64});
    print({ValType::F32});
    print({ValType::F64});
    print({ValType::I32, ValType::F32});
    print({ValType::F64, ValType::F64});
    auto global = [this](const char* name, ValType type, Val value) {
      auto g = Global::create(store_, GlobalType{type, false}, value);
      if (g) (void)linker_.define("spectest", name, *g);
    };
    global("global_i32", ValType::I32, Val(int32_t(666)));
    global("global_i64", ValType::I64, Val(int64_t(666)));
    global("global_f32", ValType::F32, Val(666.6f));
    global("global_f64", ValType::F64, Val(666.6));
    TableType table_type{ValType::FuncRef, Limits{10, 20}};
    if (auto t = Table::create(store_, table_type)) (void)linker_.define("spectest", "table", *t);
    TableType table64_type{ValType::FuncRef, Limits{10, 20}, true};  // for the table64 scripts
    if (auto t = Table::create(store_, table64_type)) (void)linker_.define("spectest", "table64", *t);
    MemoryType memory_type{Limits{1, 2}};
    if (auto m = Memory::create(store_, memory_type)) (void)linker_.define("spectest", "memory", *m);
    MemoryType shared_type{Limits{1, 2, true}};  // for the threads scripts
    if (auto m = Memory::create(store_, shared_type)) (void)linker_.define("spectest", "shared_memory", *m);
  }

  Features features_;
  Engine engine_;
  Store<> store_;
  Linker<> linker_;
  std::vector<Instance> instances_;
};

}  // namespace wasm::wast
