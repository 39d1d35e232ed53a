// compile_bench FILE.wasm [REPS]: compile throughput of wasmpp's baseline JIT on one module, in
// MB of code section per second (the sum of the function bodies' sizes, as V8 and wasmtime
// count it). Prints one JSON object:
//   jit_1_thread / jit_all_threads: the JIT alone (compile_module on the decoded module)
//   full_1_thread / full_all_threads: Module::compile, i.e. decode + validate + JIT, which is
//                                     what V8's `new WebAssembly.Module` measures too
//   lazy: Module::compile with Config::lazy_compilation (decode + validate + stubs: the module
//         is ready, its functions compile on their first calls); "of_compile" as below
//   deserialize / deserialize_file: Module::deserialize_unchecked of the serialized module,
//                                   from bytes in memory and from a file (mapped); their
//                                   "of_compile" is the time as a fraction of full_1_thread
// Each figure is the median of REPS runs (default 5), as wall-clock and as process CPU time
// (all threads; with one thread the CPU figure does not depend on other load on the machine).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>
#include <unistd.h>
#include <vector>

#include <wasm.hpp>
#include "wasm/detail/jit/baseline_tier.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// CPU seconds of the whole process (all threads): with one thread, a load-independent measure.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

struct Timing {
  double wall = 0, cpu = 0;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: compile_bench FILE.wasm [REPS]\n");
    return 2;
  }
  int reps = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  std::ifstream in(argv[1], std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.empty()) {
    std::fprintf(stderr, "compile_bench: cannot read %s\n", argv[1]);
    return 1;
  }

  wasm::Engine engine;
  auto module = wasm::Module::compile(engine, bytes);
  if (!module) {
    std::fprintf(stderr, "compile_bench: %s\n", module.error().to_string().c_str());
    return 1;
  }
  const wasm::detail::ModuleInfo& info = module->info();
  uint64_t code_bytes = 0;
  for (const auto& body : info.bodies) code_bytes += body.size;
  const double mb = double(code_bytes) / 1e6;
  unsigned all = std::max(1u, std::thread::hardware_concurrency());

  auto jit = [&](unsigned threads) {
    std::vector<double> s, c;
    for (int i = 0; i < reps; ++i) {
      double c0 = cpu_seconds();
      auto cm = wasm::detail::jit::compile_module(info, wasm::detail::jit::CompileOptions::from(engine.config()), threads);
      if (!cm) {
        std::fprintf(stderr, "compile_bench: %s\n", cm.error().to_string().c_str());
        std::exit(1);
      }
      c.push_back(cpu_seconds() - c0);
      s.push_back(cm->stats().seconds);
    }
    return Timing{median(s), median(c)};
  };
  auto full = [&](bool parallel, bool lazy = false) {
    wasm::Config config;
    config.parallel_compilation(parallel);
    config.lazy_compilation(lazy);
    wasm::Engine e(config);
    std::vector<double> s, c;
    for (int i = 0; i < reps; ++i) {
      double c0 = cpu_seconds();
      auto t0 = Clock::now();
      auto m = wasm::Module::compile(e, bytes);
      auto t1 = Clock::now();
      if (!m) std::exit(1);
      c.push_back(cpu_seconds() - c0);
      s.push_back(std::chrono::duration<double>(t1 - t0).count());
    }
    return Timing{median(s), median(c)};
  };

  const std::vector<uint8_t> serialized = module->serialize();
  const std::string cwasm =
      (std::filesystem::temp_directory_path() / ("compile_bench_" + std::to_string(getpid()) + ".cwasm")).string();
  std::ofstream(cwasm, std::ios::binary).write(reinterpret_cast<const char*>(serialized.data()),
                                                std::streamsize(serialized.size()));
  auto deserialize = [&](bool from_file) {
    std::vector<double> s, c;
    for (int i = 0; i < reps; ++i) {
      double c0 = cpu_seconds();
      auto t0 = Clock::now();
      auto m = from_file ? wasm::Module::deserialize_file_unchecked(engine, cwasm)
                         : wasm::Module::deserialize_unchecked(engine, serialized);
      auto t1 = Clock::now();
      if (!m) {
        std::fprintf(stderr, "compile_bench: %s\n", m.error().to_string().c_str());
        std::exit(1);
      }
      c.push_back(cpu_seconds() - c0);
      s.push_back(std::chrono::duration<double>(t1 - t0).count());
    }
    return Timing{median(s), median(c)};
  };

  auto show = [&](const char* name, Timing t, const char* sep) {
    std::printf(" \"%s\": {\"seconds\": %.6f, \"mb_per_s\": %.2f, \"cpu_seconds\": %.6f, \"mb_per_cpu_s\": %.2f}%s\n",
                name, t.wall, mb / t.wall, t.cpu, mb / t.cpu, sep);
  };
  std::printf("{\"file\": \"%s\", \"code_section_bytes\": %llu, \"functions\": %zu, \"threads\": %u, \"reps\": %d,\n",
              argv[1], (unsigned long long)code_bytes, info.bodies.size(), all, reps);
  show("jit_1_thread", jit(1), ",");
  show("jit_all_threads", jit(all), ",");
  const Timing compile_1 = full(false);
  show("full_1_thread", compile_1, ",");
  show("full_all_threads", full(true), ",");
  const Timing lazy = full(false, true);
  std::printf(" \"lazy\": {\"seconds\": %.6f, \"cpu_seconds\": %.6f, \"of_compile\": %.4f},\n", lazy.wall, lazy.cpu,
              lazy.wall / compile_1.wall);
  for (bool from_file : {false, true}) {
    const Timing t = deserialize(from_file);
    std::printf(" \"%s\": {\"seconds\": %.6f, \"cpu_seconds\": %.6f, \"of_compile\": %.4f}%s\n",
                from_file ? "deserialize_file" : "deserialize", t.wall, t.cpu, t.wall / compile_1.wall,
                from_file ? "}" : ",");
  }
  std::filesystem::remove(cwasm);
  return 0;
}
