// The embedder's side of WASI: a store whose data holds a WasiCtx among other things, stdio
// redirected to a file and a pipe, a preopen under another name, and proc_exit coming back as
// an Error of kind Exit. Usage: embedding GUEST.wasm SCRATCH_DIR
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <wasm.hpp>
#include <wasm/wasi/wasi.hpp>

namespace {

struct State {
  int unrelated = 42;
  wasm::wasi::WasiCtx wasi;
};

int failures = 0;

void check(bool ok, const std::string& what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what.c_str());
  if (!ok) ++failures;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  std::string dir = argv[2];
  std::ifstream in(argv[1], std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  { std::ofstream(dir + "/stdin.txt") << "make me loud\n"; }
  ::mkdir((dir + "/data").c_str(), 0755);
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return 2;

  wasm::Engine engine;
  auto module = wasm::Module::compile(engine, bytes);
  check(bool(module), "module compiles");
  if (!module) return 1;

  auto ctx = wasm::wasi::WasiCtxBuilder()
                 .args({"guest", "first"})
                 .env("X", "forty-two")
                 .stdin_file(dir + "/stdin.txt")
                 .stdout_file(dir + "/stdout.txt")
                 .stderr_fd(pipe_fds[1], /*own=*/true)
                 .preopened_dir(dir + "/data", "data")
                 .build();
  check(bool(ctx), "WasiCtx builds");
  if (!ctx) return 1;
  wasm::Store<State> store(engine, State{42, std::move(*ctx)});
  wasm::Linker<State> linker(engine);
  check(bool(wasm::wasi::add_to_linker(linker, [](State& s) -> wasm::wasi::WasiCtx& { return s.wasi; })),
        "add_to_linker");
  auto instance = linker.instantiate(store, *module);
  check(bool(instance), "instantiates");
  if (!instance) return 1;
  auto start = instance->get_typed_func<void, void>(store, "_start");
  check(bool(start), "_start is () -> ()");
  auto r = start->call(store);
  check(!r && r.error().kind() == wasm::ErrorKind::Exit && r.error().exit_code() == 3,
        "exit status 3 comes back as ErrorKind::Exit");
  check(store.data().unrelated == 42, "the rest of the store data is untouched");

  // Closing the guest's table (by dropping the store) closes the pipe's write end.
  store.data().wasi = wasm::wasi::WasiCtx();
  char buf[256] = {};
  ssize_t n = ::read(pipe_fds[0], buf, sizeof buf - 1);
  std::string err(buf, n > 0 ? size_t(n) : 0);
  check(err == "argc=2 argv[1]=first X=forty-two\n", "stderr went to the pipe: " + err);
  check(slurp(dir + "/stdout.txt") == "MAKE ME LOUD\n", "stdout went to the file");
  check(slurp(dir + "/data/out.txt") == "written by the guest\n", "the guest wrote through its preopen");

  auto bad = wasm::wasi::WasiCtxBuilder().preopened_dir(dir + "/does-not-exist", "x").build();
  check(!bad, "a missing preopen directory is an error: " + (bad ? std::string() : bad.error().message()));
  std::printf("%d failures\n", failures);
  return failures ? 1 : 0;
}
