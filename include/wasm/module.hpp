#pragma once
// Module: a decoded and validated WebAssembly module, ready to instantiate. Immutable and
// shareable between threads and stores; copies are handles to the same module.
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "wasm/detail/binary/decoder.hpp"
#include "wasm/detail/binary/validator.hpp"
#include "wasm/engine.hpp"
#include "wasm/result.hpp"
#include "wasm/types.hpp"

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
  // Decodes and validates `bytes`. Errors are of kind Decode or Validate.
  static Result<Module> compile(const Engine& engine, std::span<const uint8_t> bytes) {
    auto info = detail::decode_module(bytes, engine.config().wasm_features());
    if (!info) return std::move(info).error();
    if (auto valid = detail::validate_module(*info, engine.config().wasm_features()); !valid) {
      return std::move(valid).error();
    }
    return Module(engine, std::move(*info));
  }

  // Checks `bytes` without keeping anything.
  static Result<void> validate(const Engine& engine, std::span<const uint8_t> bytes) {
    auto m = compile(engine, bytes);
    if (!m) return std::move(m).error();
    return {};
  }

  const Engine& engine() const { return state_->engine; }
  std::optional<std::string_view> name() const {
    if (state_->info.names.module) return *state_->info.names.module;
    return std::nullopt;
  }

  std::vector<ImportType> imports() const {
    std::vector<ImportType> out;
    const auto& info = state_->info;
    out.reserve(info.imports.size());
    for (const auto& imp : info.imports) {
      out.push_back({imp.module, imp.name, import_extern_type(imp)});
    }
    return out;
  }

  std::vector<ExportType> exports() const {
    std::vector<ExportType> out;
    out.reserve(state_->info.exports.size());
    for (const auto& exp : state_->info.exports) {
      out.push_back({exp.name, extern_type(exp.kind, exp.index)});
    }
    return out;
  }

  // The decoded module, for the runtime and tools.
  const detail::ModuleInfo& info() const { return state_->info; }

 private:
  struct State {
    Engine engine;
    detail::ModuleInfo info;
  };

  Module(const Engine& engine, detail::ModuleInfo info)
      : state_(std::make_shared<const State>(State{engine, std::move(info)})) {}

  ExternType import_extern_type(const detail::Import& imp) const {
    switch (imp.kind) {
      case ExternKind::Func: return state_->info.types[imp.type_index];
      case ExternKind::Table: return imp.table;
      case ExternKind::Memory: return imp.memory;
      default: return imp.global;
    }
  }

  ExternType extern_type(ExternKind kind, uint32_t index) const {
    const auto& info = state_->info;
    switch (kind) {
      case ExternKind::Func: return info.func_type(index);
      case ExternKind::Table: return info.tables[index];
      case ExternKind::Memory: return info.memories[index];
      default: return info.globals[index];
    }
  }

  std::shared_ptr<const State> state_;
};

}  // namespace wasm
