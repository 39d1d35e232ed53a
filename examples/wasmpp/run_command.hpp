#pragma once
// `wasmpp run`: instantiate a module with WASI and run `_start` or an --invoke'd export.
#include <cstdio>
#include <iostream>
#include <string>

#include <wasm.hpp>
#include <wasm/wasi/wasi.hpp>

#include "file_bytes.hpp"
#include "invoke_values.hpp"
#include "options.hpp"

namespace wasmpp_cli {

inline constexpr int kExitTrap = 128 + 6;  // 128 + SIGABRT, as wasmtime on Unix
inline constexpr int kExitError = 1;

struct HostState {
  wasm::wasi::WasiCtx wasi;
};

// Prints a failed run the way wasmtime does, and gives the process exit status for it.
inline int report(const RunOptions& o, const wasm::Error& e) {
  if (e.kind() == wasm::ErrorKind::Exit) return *e.exit_code();
  std::string cause = e.kind() == wasm::ErrorKind::Trap ? "wasm trap: " + e.message() : e.to_string();
  std::fprintf(stderr, "Error: failed to run main module `%s`\n\nCaused by:\n    %s\n", o.file.c_str(),
               cause.c_str());
  if (!e.backtrace().empty()) {
    std::fprintf(stderr, "wasm backtrace:\n");
    for (size_t i = 0; i < e.backtrace().size(); ++i) {
      const wasm::FrameInfo& f = e.backtrace()[i];
      std::string name = f.func_name.empty() ? "<wasm function " + std::to_string(f.func_index) + ">" : f.func_name;
      std::fprintf(stderr, "  %3zu: %#8x - %s\n", i, f.module_offset, name.c_str());
    }
  }
  return e.kind() == wasm::ErrorKind::Trap ? kExitTrap : kExitError;
}

inline int invoke_export(const RunOptions& o, wasm::Store<HostState>& store, const wasm::Instance& instance) {
  std::optional<wasm::Func> f = instance.get_func(store, *o.invoke);
  if (!f) {
    std::fprintf(stderr, "Error: no exported function `%s` in %s\n", o.invoke->c_str(), o.file.c_str());
    return kExitError;
  }
  wasm::FuncType type = *f->type(store);
  if (o.args.size() != type.params.size()) {
    throw UsageError{"`" + *o.invoke + "` takes " + std::to_string(type.params.size()) + " arguments, not " +
                     std::to_string(o.args.size())};
  }
  std::vector<wasm::Val> params;
  for (size_t i = 0; i < o.args.size(); ++i) params.push_back(parse_value(type.params[i], o.args[i]));
  std::vector<wasm::Val> results(type.results.size());
  if (auto r = f->call(store, params, results); !r) return report(o, r.error());
  for (const wasm::Val& v : results) std::cout << format_value(v) << "\n";
  return 0;
}

// The module of `o.file`: a precompiled one (by its magic) deserialized from the mapped file,
// trusted as `wasmpp compile -o` output; otherwise a .wasm or .wat compiled.
inline wasm::Result<wasm::Module> load_module(const wasm::Engine& engine, const RunOptions& o) {
  if (is_precompiled_file(o.file)) return wasm::Module::deserialize_file_unchecked(engine, o.file);
  auto bytes = read_module(o.file);
  if (!bytes) return std::move(bytes).error();
  return wasm::Module::compile(engine, *bytes);
}

inline int run(const RunOptions& o) {
  wasm::Config config;
  config.wasm_features(o.features);
  if (o.fuel) config.consume_fuel(true);
  if (o.profile == "perfmap") config.profiling_strategy(wasm::ProfilingStrategy::PerfMap);
  if (o.profile == "jitdump") config.profiling_strategy(wasm::ProfilingStrategy::JitDump);
  wasm::Engine engine(config);
  auto module = load_module(engine, o);
  if (!module) {
    std::fprintf(stderr, "Error: failed to load %s: %s\n", o.file.c_str(), module.error().to_string().c_str());
    return kExitError;
  }

  wasm::wasi::WasiCtxBuilder builder;
  builder.arg(o.file).inherit_stdio();
  for (const std::string& a : o.args) builder.arg(a);
  for (const auto& [k, v] : o.env) builder.env(k, v);
  for (const auto& [host, guest] : o.dirs) builder.preopened_dir(host, guest);
  auto ctx = builder.build();
  if (!ctx) {
    std::fprintf(stderr, "Error: %s\n", ctx.error().message().c_str());
    return kExitError;
  }

  wasm::Store<HostState> store(engine, HostState{std::move(*ctx)});
  if (o.fuel) (void)store.set_fuel(*o.fuel);
  wasm::Linker<HostState> linker(engine);
  if (auto r = wasm::wasi::add_to_linker(linker, [](HostState& s) -> wasm::wasi::WasiCtx& { return s.wasi; }); !r) {
    return report(o, r.error());
  }
  auto instance = linker.instantiate(store, *module);
  if (!instance) return report(o, instance.error());

  if (o.invoke) return invoke_export(o, store, *instance);
  auto start = instance->get_typed_func<void, void>(store, "_start");
  if (!start) {
    std::fprintf(stderr, "Error: %s exports no `_start` function (use --invoke NAME)\n", o.file.c_str());
    return kExitError;
  }
  if (auto r = start->call(store); !r) return report(o, r.error());
  return 0;
}

}  // namespace wasmpp_cli
