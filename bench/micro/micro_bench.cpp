// micro_bench FILE.wasm|FILE.wat REPS NAME:N...: times exports (i32) -> i32 of one module on
// wasmpp, with every proposal enabled. Prints "NAME N RESULT MS" per export, MS the best of
// REPS calls timed in the process, compile excluded; the same format as node_micro.mjs.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <wasm.hpp>

namespace {

wasm::Result<wasm::Module> load(const wasm::Engine& engine, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (path.ends_with(".wat")) return wasm::Module::from_wat(engine, bytes);
  return wasm::Module::compile(engine, std::vector<uint8_t>(bytes.begin(), bytes.end()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: micro_bench FILE.wasm|FILE.wat REPS NAME:N...\n");
    return 2;
  }
  wasm::Config config;
  wasm::Features features;
  features.enable_all();
  config.wasm_features(features);
  wasm::Engine engine(config);
  auto module = load(engine, argv[1]);
  if (!module) {
    std::fprintf(stderr, "micro_bench: %s: %s\n", argv[1], module.error().to_string().c_str());
    return 1;
  }
  wasm::Store<> store(engine);
  wasm::Linker<> linker(engine);
  auto instance = linker.instantiate(store, *module);
  if (!instance) {
    std::fprintf(stderr, "micro_bench: %s\n", instance.error().to_string().c_str());
    return 1;
  }
  const int reps = std::max(1, std::atoi(argv[2]));
  for (int i = 3; i < argc; ++i) {
    std::string spec = argv[i];
    size_t colon = spec.find(':');
    std::string name = spec.substr(0, colon);
    int32_t n = colon == std::string::npos ? 0 : int32_t(std::strtol(spec.c_str() + colon + 1, nullptr, 10));
    auto f = instance->get_typed_func<int32_t, int32_t>(store, name);
    if (!f) {
      std::fprintf(stderr, "micro_bench: %s: %s\n", name.c_str(), f.error().to_string().c_str());
      return 1;
    }
    double best = 1e300;
    int32_t result = 0;
    for (int r = 0; r < reps; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      auto out = f->call(store, n);
      auto t1 = std::chrono::steady_clock::now();
      if (!out) {
        std::fprintf(stderr, "micro_bench: %s: %s\n", name.c_str(), out.error().to_string().c_str());
        return 1;
      }
      result = *out;
      best = std::min(best, std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    std::printf("%s %d %d %.2f\n", name.c_str(), n, result, best);
  }
  return 0;
}
