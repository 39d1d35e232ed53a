// A WASI program run from the single headers alone (consumer/single-header-wasi): only
// wasm.hpp and wasm_wasi.hpp, copied into a folder of their own, are on the include path.
// Usage: wasi_consumer HELLO.wasm SCRATCH_DIR, where HELLO.wasm is examples/wasi-hello/hello.c
// built for wasm32-wasi; the program checks what the guest printed.
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <wasm_wasi.hpp>

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct State {
  wasm::wasi::WasiCtx wasi;
};

int fail(const std::string& what) {
  std::fprintf(stderr, "wasi consumer: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) return fail("usage: wasi_consumer HELLO.wasm SCRATCH_DIR");
  std::ifstream in(argv[1], std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string dir = argv[2];
  ::mkdir((dir + "/shown").c_str(), 0755);
  std::ofstream(dir + "/shown/b.txt") << "b";
  std::ofstream(dir + "/shown/a.txt") << "a";

  wasm::Engine engine;
  auto module = wasm::Module::compile(engine, bytes);
  if (!module) return fail("compile: " + module.error().to_string());
  auto ctx = wasm::wasi::WasiCtxBuilder()
                 .args({"hello", "Consumer"})
                 .env("USER", "single-header")
                 .stdout_file(dir + "/stdout.txt")
                 .preopened_dir(dir + "/shown", ".")
                 .build();
  if (!ctx) return fail("WasiCtx: " + ctx.error().to_string());
  wasm::Store<State> store(engine, State{std::move(*ctx)});
  wasm::Linker<State> linker(engine);
  if (auto r = wasm::wasi::add_to_linker(linker, [](State& s) -> wasm::wasi::WasiCtx& { return s.wasi; }); !r) {
    return fail("add_to_linker: " + r.error().to_string());
  }
  auto instance = linker.instantiate(store, *module);
  if (!instance) return fail("instantiate: " + instance.error().to_string());
  auto start = instance->get_typed_func<void, void>(store, "_start");
  if (!start) return fail("_start: " + start.error().to_string());
  auto r = start->call(store);
  if (!r && !(r.error().kind() == wasm::ErrorKind::Exit && r.error().exit_code() == 0)) {
    return fail("_start: " + r.error().to_string());
  }
  store.data().wasi = wasm::wasi::WasiCtx();  // closes stdout.txt

  const std::string out = slurp(dir + "/stdout.txt");
  const std::string want_head = "Hello, Consumer! (from WebAssembly, via WASI)\nUSER is single-header\n";
  const std::string want_tail = "files in the preopened directory:\n  a.txt\n  b.txt\n";
  if (out.compare(0, want_head.size(), want_head) != 0 || out.size() < want_tail.size() ||
      out.compare(out.size() - want_tail.size(), want_tail.size(), want_tail) != 0) {
    return fail("unexpected output:\n" + out);
  }
  std::fputs(out.c_str(), stdout);
  std::puts("wasi consumer: ok");
  return 0;
}
