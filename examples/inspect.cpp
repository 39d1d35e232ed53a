// Decodes and validates a module, then lists what it imports and exports.
//   inspect [FILE.wasm]     (without a file: a small module embedded below)
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <vector>

#include <wasm.hpp>

namespace {

// (module
//   (import "env" "log" (func $log (param i32 i32)))
//   (memory (export "memory") 1)
//   (global (export "counter") (mut i32) (i32.const 0))
//   (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
const std::vector<uint8_t> kEmbedded = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0c, 0x02, 0x60, 0x02, 0x7f,
    0x7f, 0x00, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x02, 0x0b, 0x01, 0x03, 0x65, 0x6e,
    0x76, 0x03, 0x6c, 0x6f, 0x67, 0x00, 0x00, 0x03, 0x02, 0x01, 0x01, 0x05, 0x03, 0x01,
    0x00, 0x01, 0x06, 0x06, 0x01, 0x7f, 0x01, 0x41, 0x00, 0x0b, 0x07, 0x1a, 0x03, 0x06,
    0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x07, 0x63, 0x6f, 0x75, 0x6e, 0x74,
    0x65, 0x72, 0x03, 0x00, 0x03, 0x61, 0x64, 0x64, 0x00, 0x01, 0x0a, 0x09, 0x01, 0x07,
    0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b};

std::string describe(const wasm::ExternType& type) {
  struct Visitor {
    std::string operator()(const wasm::FuncType& f) const { return f.to_string(); }
    std::string operator()(const wasm::TableType& t) const {
      return std::string("(table ") + std::to_string(t.limits.min) + " " +
             wasm::valtype_name(t.element) + ")";
    }
    std::string operator()(const wasm::MemoryType& m) const {
      return "(memory " + std::to_string(m.limits.min) + " pages)";
    }
    std::string operator()(const wasm::GlobalType& g) const {
      return std::string("(global ") + (g.mutable_ ? "mut " : "") + wasm::valtype_name(g.type) + ")";
    }
  };
  return std::visit(Visitor{}, type);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<uint8_t> bytes = kEmbedded;
  if (argc > 1) {
    std::ifstream file(argv[1], std::ios::binary);
    if (!file) {
      std::fprintf(stderr, "inspect: cannot open %s\n", argv[1]);
      return 2;
    }
    bytes.assign(std::istreambuf_iterator<char>(file), {});
  }

  wasm::Engine engine;
  auto start = std::chrono::steady_clock::now();
  wasm::Result<wasm::Module> module = wasm::Module::compile(engine, bytes);
  auto elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start);
  if (!module) {
    std::fprintf(stderr, "inspect: %s\n", module.error().to_string().c_str());
    return 1;
  }
  std::printf("valid module: %zu bytes, decoded and validated in %.3f ms\n", bytes.size(),
              elapsed.count());
  for (const auto& imp : module->imports()) {
    std::printf("  import %.*s.%.*s %s\n", int(imp.module.size()), imp.module.data(),
                int(imp.name.size()), imp.name.data(), describe(imp.type).c_str());
  }
  for (const auto& exp : module->exports()) {
    std::printf("  export %.*s %s\n", int(exp.name.size()), exp.name.data(),
                describe(exp.type).c_str());
  }
  return 0;
}
