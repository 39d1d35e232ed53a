// Text-format throughput: MB/s of WebAssembly text encoded to binary on one thread by
// wasmpp's wat_to_wasm, next to wabt's wat2wasm on the same generated file in the same run.
//
//   text_bench [FUNCTIONS=20000] [REPEATS=5]
// Prints the text size, the best time of each and MB/s; wat2wasm's time includes its process
// start and file output (measured on an empty module and subtracted).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "wasm/detail/text/wat.hpp"

namespace {

// A module of many functions of several shapes: folded and flat instructions, named locals
// and labels, loops, br_table, memory accesses with offsets, float and integer constants.
std::string generate(int functions) {
  std::string s = "(module\n  (memory $mem 1)\n  (global $g (mut i32) (i32.const 0))\n";
  s += "  (type $bin (func (param i32 i32) (result i32)))\n";
  s += "  (table $t 16 funcref)\n";
  unsigned seed = 12345;
  auto rnd = [&] { return seed = seed * 1103515245u + 12345u; };
  for (int i = 0; i < functions; ++i) {
    std::string n = std::to_string(i);
    s += "  (func $f" + n + " (export \"f" + n + "\") (param $a i32) (param $b i32) (result i32)\n";
    s += "    (local $i i32) (local $acc i64) (local $x f64)\n";
    switch (i % 4) {
      case 0:
        s += "    (block $done\n      (loop $top\n";
        s += "        (br_if $done (i32.ge_u (local.get $i) (local.get $b)))\n";
        s += "        (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (i32.mul (local.get $i) (i32.const " + std::to_string(rnd() % 100000) + ")))))\n";
        s += "        (local.set $i (i32.add (local.get $i) (i32.const 1)))\n";
        s += "        (br $top)))\n";
        s += "    (i32.wrap_i64 (local.get $acc))\n";
        break;
      case 1:
        s += "    local.get $a\n    i32.const " + std::to_string(rnd() % 1000) + "\n    i32.add\n";
        s += "    i32.load offset=" + std::to_string(rnd() % 4096) + " align=4\n";
        s += "    local.get $b\n    i32.store offset=16\n";
        s += "    block $b0 block $b1 block $b2\n      local.get $a\n      br_table $b0 $b1 $b2\n";
        s += "    end end end\n    global.get $g\n";
        break;
      case 2:
        s += "    (local.set $x (f64.mul (f64.convert_i32_s (local.get $a)) (f64.const " +
             std::to_string(rnd() % 1000) + ".25e-3)))\n";
        s += "    (local.set $x (f64.add (local.get $x) (f64.const 0x1.8p+" +
             std::to_string(rnd() % 10) + ")))\n";
        s += "    (if (result i32) (f64.gt (local.get $x) (f64.const 1_000.5))\n";
        s += "      (then (i32.trunc_sat_f64_s (local.get $x)))\n      (else (i32.const -7)))\n";
        break;
      default:
        s += "    (call $f" + std::to_string(i > 0 ? i - 1 : 0) +
             " (local.get $b) (local.get $a))\n";
        s += "    (i32.xor (i32.const 0x" + std::to_string(rnd() % 9000 + 1000) + "))\n";
        s += "    (select (i32.const 1) (i32.const 2) (local.get $a))\n    i32.add\n";
        break;
    }
    s += "  )\n";
  }
  s += ")\n";
  return s;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double best_command_time(const std::string& cmd, int repeats) {
  double best = 1e9;
  for (int r = 0; r < repeats; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    if (std::system(cmd.c_str()) != 0) return -1;
    best = std::min(best, seconds_since(t0));
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  int functions = argc > 1 ? std::atoi(argv[1]) : 20000;
  int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
  std::string text = generate(functions);
  double mb = double(text.size()) / 1e6;

  double ours = 1e9;
  size_t out_size = 0;
  for (int r = 0; r < repeats; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    auto bytes = wasm::detail::text::wat_to_wasm(text);
    double t = seconds_since(t0);
    if (!bytes) {
      std::fprintf(stderr, "wat_to_wasm failed: %s\n", bytes.error().message().c_str());
      return 1;
    }
    out_size = bytes->size();
    ours = std::min(ours, t);
  }
  std::printf("text %.1f MB (%d functions) -> %.1f MB binary\n", mb, functions, out_size / 1e6);
  std::printf("wasmpp wat_to_wasm  %8.3f s  %7.1f MB/s\n", ours, mb / ours);

  const char* path = "/tmp/wasmpp_text_bench.wat";
  const char* empty = "/tmp/wasmpp_text_bench_empty.wat";
  std::ofstream(path) << text;
  std::ofstream(empty) << "(module)";
  double w = best_command_time(std::string("wat2wasm ") + path + " -o /dev/null", repeats);
  double w0 = best_command_time(std::string("wat2wasm ") + empty + " -o /dev/null", repeats);
  if (w < 0 || w0 < 0) {
    std::printf("wat2wasm            not available\n");
    return 0;
  }
  double net = w - w0;
  std::printf("wabt wat2wasm       %8.3f s  %7.1f MB/s (process start %.3f s subtracted)\n", net,
              mb / net, w0);
  std::printf("ratio wasmpp/wat2wasm throughput: %.2fx\n", net / ours);
  return 0;
}
