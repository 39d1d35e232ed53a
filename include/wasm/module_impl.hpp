#pragma once
// Module's definitions that decode, validate and compile (see detail/base/inline.hpp).
#include "wasm/detail/binary/decoder.hpp"
#include "wasm/detail/binary/gc_support.hpp"
#include "wasm/detail/binary/validator.hpp"
#include "wasm/detail/text/wat.hpp"
#include "wasm/detail/vm/lazy_compile.hpp"
#include "wasm/detail/vm/serialize_impl.hpp"
#include "wasm/module.hpp"

namespace wasm {

WASMPP_INLINE Result<Module> Module::compile(const Engine& engine, std::span<const uint8_t> bytes) {
  auto state = validated(engine, bytes);
  if (!state) return std::move(state).error();
  if (Result<void> r = detail::load_code(**state, engine.config(), &detail::compile_on_first_call); !r)
    return std::move(r).error();
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
    // Valid, but needing what the runtime does not have yet (GC objects): refused as such.
    if (auto gap = detail::gc_runtime_gap(*info, features)) return Error(ErrorKind::Unsupported, *gap);
  }
  auto state = std::make_shared<detail::ModuleState>();
  state->engine = engine.shared_state();
  state->offsets = detail::VMOffsets(detail::shape_of(*info));
  if (!state->offsets.ok()) return Error(ErrorKind::Resource, "module too large for a VMContext");
  state->type_ids = engine.state().types.intern_module_types(info->types, info->type_defs);
  state->info = std::move(*info);
  state->index_exports();  // after the move: the keys view the names inside `info`
  return state;
}

WASMPP_INLINE std::vector<uint8_t> Module::serialize() const {
  const Config& config = engine_.config();
  if (!state_->code.stats().lazy) return detail::serialize_module(state_->info, state_->code, config);
  // A lazily compiled module has stubs where the code would be: compile all of it for the file.
  auto whole = detail::jit::compile_module(state_->info, detail::jit::CompileOptions::from(config),
                                           detail::tiers_for(config), config.parallel_compilation() ? 0 : 1);
  return whole ? detail::serialize_module(state_->info, *whole, config) : std::vector<uint8_t>{};
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
  for (const detail::jit::HandlerSite& h : parts->handlers) {
    if (h.tag < detail::jit::HandlerSite::kDelegate && h.tag >= info.tag_types.size())
      return detail::serialize_detail::corrupt("an exception handler names an unknown tag");
  }
  detail::CodeMemory code;
  if (!parts->code.empty()) {
    code = make_code(*parts);
    if (!code) return Error(ErrorKind::Resource, "out of memory for compiled code");
  }
  detail::jit::CompileStats stats;
  for (const detail::FunctionBody& body : info.bodies) stats.code_section_bytes += body.size;
  stats.machine_code_bytes = parts->code.size();
  detail::jit::CompiledModule compiled(std::move(code), std::move(parts->functions), std::move(parts->traps),
                                       info.num_imported_funcs, stats);
  compiled.set_handlers(std::move(parts->handlers));
  (*state)->publish_code(std::move(compiled), engine.config());
  return Module(std::move(*state));
}

WASMPP_INLINE Result<Module> Module::deserialize_unchecked(const Engine& engine, std::span<const uint8_t> bytes) {
  return deserialized(engine, bytes,
                      [](const detail::SerializedParts& parts) {
                        return detail::CodeMemory::publish(parts.code, parts.entry_table_bytes());
                      });
}

WASMPP_INLINE Result<Module> Module::deserialize_file_unchecked(const Engine& engine, const std::string& path) {
  detail::MappedFile file;
  if (auto opened = detail::MappedFile::open(path, file); !opened) return std::move(opened).error();
  // The code pages are used where the file maps them: no copy, and clean file-backed pages
  // that every process running this file shares. The mapping was read-only, and becomes
  // read+execute only after the checks, so the code is never writable and executable at once.
  // Where exec mappings of the file are refused (a noexec mount), the code is copied once.
  return deserialized(engine, file.bytes(), [&](const detail::SerializedParts& parts) {
    detail::CodeMemory code = file.release_code(detail::jit::kSerializedHeaderSize + parts.code_offset,
                                                parts.code.size(), parts.entry_table_bytes());
    return code ? std::move(code) : detail::CodeMemory::publish(parts.code, parts.entry_table_bytes());
  });
}

}  // namespace wasm
