#pragma once
// `wasmpp compile`: validate and compile a module, printing how long each took and how big
// the input and output are; with -o, write the precompiled module.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include <wasm.hpp>

#include "file_bytes.hpp"
#include "options.hpp"

namespace wasmpp_cli {

inline int compile(const CompileOptions& options) {
  const std::string& file = options.file;
  auto bytes = read_module(file);
  if (!bytes) {
    std::fprintf(stderr, "Error: %s: %s\n", file.c_str(), bytes.error().to_string().c_str());
    return 1;
  }
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
  wasm::Config config;
  config.wasm_features(options.features);
  wasm::Engine engine(config);

  auto t0 = Clock::now();
  auto valid = wasm::Module::validate(engine, *bytes);
  auto t1 = Clock::now();
  if (!valid) {
    std::fprintf(stderr, "Error: %s: %s\n", file.c_str(), valid.error().to_string().c_str());
    return 1;
  }
  auto module = wasm::Module::compile(engine, *bytes);
  auto t2 = Clock::now();
  if (!module) {
    std::fprintf(stderr, "Error: %s: %s\n", file.c_str(), module.error().to_string().c_str());
    return 1;
  }

  const auto& info = module->info();
  uint64_t code_bytes = 0;
  for (const auto& body : info.bodies) code_bytes += body.size;
  size_t machine_bytes = module->state()->code.code_memory().size();
  double compile_ms = ms(t2 - t1);
  std::printf("%s: %zu bytes, %u functions (%u imported), code section %llu bytes\n", file.c_str(), bytes->size(),
              unsigned(info.func_types.size()), info.num_imported_funcs, (unsigned long long)code_bytes);
  std::printf("decode + validate: %.2f ms\n", ms(t1 - t0));
  std::printf("decode + validate + compile: %.2f ms (%.1f MB/s of code section)\n", compile_ms,
              compile_ms > 0 ? double(code_bytes) / 1e6 / (compile_ms / 1e3) : 0.0);
  std::printf("machine code: %zu bytes (%.2fx the code section)\n", machine_bytes,
              code_bytes ? double(machine_bytes) / double(code_bytes) : 0.0);
  if (engine.config().strategy() == wasm::Strategy::Optimized) {
    const auto& stats = module->state()->code.stats();
    std::printf("optimizing tier: %u functions, %u declined (compiled by the baseline)\n",
                stats.first_tier_functions, stats.declined_functions);
  }
  if (!options.output.empty()) {
    const std::vector<uint8_t> out = module->serialize();
    std::ofstream f(options.output, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(out.data()), std::streamsize(out.size()));
    if (!f.flush()) {
      std::fprintf(stderr, "Error: cannot write %s\n", options.output.c_str());
      return 1;
    }
    std::printf("wrote %s: %zu bytes\n", options.output.c_str(), out.size());
  }
  return 0;
}

}  // namespace wasmpp_cli
