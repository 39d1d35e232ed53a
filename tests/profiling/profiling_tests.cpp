// Profiling agents and the GDB JIT interface: what they write for a compiled module is checked
// against what the runtime knows of that module's code (CompiledModule's function locations,
// the CodeRegistry), by readers written here from the file formats, not by the writers' code.
#include <elf.h>
#include <pthread.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "profiled_module.hpp"
#include "wasm/detail/jit/trampolines.hpp"
#include "wasm/detail/vm/code_loader.hpp"

namespace {

using wasm::detail::CodeRegistry;
using wasm::detail::jit::CompiledModule;

wasm::Module compile_with(const wasm::Config& config) {
  wasm::Engine engine(config);
  auto module = wasm::Module::compile(engine, profiled_module_bytes());
  REQUIRE(module);
  return *module;
}

const CompiledModule& code_of(const wasm::Module& m) { return m.state()->code; }

struct Line {
  uintptr_t address;
  size_t size;
  std::string name;
};

// The perf map's lines from byte `from` on (the map is per process and only grows).
std::vector<Line> perf_map_lines(std::streamoff from) {
  std::ifstream in("/tmp/perf-" + std::to_string(getpid()) + ".map");
  REQUIRE(in);
  in.seekg(from);
  std::vector<Line> lines;
  std::string text;
  while (std::getline(in, text)) {
    std::istringstream fields(text);
    Line l{};
    fields >> std::hex >> l.address >> l.size;
    REQUIRE(fields);
    std::getline(fields >> std::ws, l.name);
    lines.push_back(l);
  }
  return lines;
}

std::streamoff perf_map_size() {
  std::ifstream in("/tmp/perf-" + std::to_string(getpid()) + ".map", std::ios::ate);
  return in ? std::streamoff(in.tellg()) : 0;
}

std::vector<Line> in_range(const std::vector<Line>& lines, const CompiledModule& code) {
  uintptr_t begin = uintptr_t(code.code_memory().data());
  uintptr_t end = begin + code.code_memory().size();
  std::vector<Line> out;
  for (const Line& l : lines) {
    if (l.address >= begin && l.address < end) out.push_back(l);
  }
  return out;
}

// Every function of `m`, once, with its address range and name, and nothing else in its code.
void check_lists_every_function(const std::vector<Line>& lines, const wasm::Module& m) {
  const CompiledModule& code = code_of(m);
  std::vector<Line> mine = in_range(lines, code);
  REQUIRE(mine.size() == code.num_defined_funcs());
  REQUIRE(mine.size() == kProfiledNames.size());
  for (uint32_t i = 0; i < mine.size(); ++i) {
    uint32_t index = code.num_imported_funcs() + i;
    CHECK(mine[i].address == uintptr_t(code.image_code(index)));
    CHECK(mine[i].size == code.functions()[i].size);
    CHECK(mine[i].name == kProfiledNames[i]);
    // The range is the module's code as the trap handler knows it.
    CHECK(CodeRegistry::get().lookup(mine[i].address) == m.state().get());
    CHECK(CodeRegistry::get().lookup(mine[i].address + mine[i].size - 1) == m.state().get());
    CHECK(code.function_index_at(mine[i].address) == index);
    CHECK(code.function_index_at(mine[i].address + mine[i].size - 1) == index);
  }
}

void host_break(int32_t) {}

// The profilers' files outlive their writers (perf reads them afterwards); the tests' own are
// removed when the test process ends.
struct RemoveFilesAtExit {
  std::string jitdump_dir;
  ~RemoveFilesAtExit() {
    std::remove(("/tmp/perf-" + std::to_string(getpid()) + ".map").c_str());
    if (!jitdump_dir.empty()) {
      std::remove((jitdump_dir + "/jit-" + std::to_string(getpid()) + ".dump").c_str());
      rmdir(jitdump_dir.c_str());
    }
  }
} remove_files_at_exit;

}  // namespace

TEST_CASE("the perf map lists every function of a module with its address range", "[profiling]") {
  std::streamoff before = perf_map_size();
  wasm::Config config;
  config.profiling_strategy(wasm::ProfilingStrategy::PerfMap);
  wasm::Module a = compile_with(config);
  wasm::Module b = compile_with(config);
  wasm::Module quiet = compile_with(wasm::Config{});  // no profiling: not in the map

  std::vector<Line> lines = perf_map_lines(before);
  check_lists_every_function(lines, a);
  check_lists_every_function(lines, b);
  CHECK(in_range(lines, code_of(quiet)).empty());

  // The entry trampolines live as long as the process and are in the map whenever they were
  // made; calls go through the wasm entry.
  const uintptr_t entry = uintptr_t(wasm::detail::EntryStubs::get().wasm_entry());
  std::vector<Line> all = perf_map_lines(0);
  bool found = false;
  for (const Line& l : all) {
    if (l.name == "wasmpp-entry-trampolines" && entry >= l.address && entry < l.address + l.size) found = true;
  }
  CHECK(found);
}

TEST_CASE("the perf map lists code that replaced functions (lazy compilation, tier-up)", "[profiling]") {
  wasm::Config config;
  config.profiling_strategy(wasm::ProfilingStrategy::PerfMap);
  wasm::Module m = compile_with(config);
  const std::streamoff before = perf_map_size();
  const uint32_t defined[] = {1, 2, 3, 4};
  const wasm::detail::jit::CompilerTier* const baseline[] = {&wasm::detail::jit::BaselineTier::get()};
  auto replaced = wasm::detail::recompile_functions(*m.state(), config, baseline, defined);
  REQUIRE(replaced);
  REQUIRE(*replaced == 4);
  const std::vector<Line> lines = perf_map_lines(before);
  REQUIRE(lines.size() == 4);
  for (uint32_t i = 0; i < 4; ++i) {
    const uint32_t index = defined[i];
    CHECK(lines[i].name == kProfiledNames[i]);
    CHECK(lines[i].address == uintptr_t(code_of(m).current_code(index)));
    CHECK(code_of(m).function_index_at(lines[i].address + lines[i].size - 1) == index);
    CHECK(CodeRegistry::get().lookup(lines[i].address) == m.state().get());
  }
}

TEST_CASE("trampolines made while the perf map is open are in it", "[profiling]") {
  wasm::Config config;
  config.profiling_strategy(wasm::ProfilingStrategy::PerfMap);
  wasm::Module m = compile_with(config);  // opens the map if no test did
  std::streamoff before = perf_map_size();
  wasm::Store<> store(m.engine());
  wasm::Linker<> linker(m.engine());
  REQUIRE(linker.func_wrap("env", "host_break", host_break));
  auto instance = linker.instantiate(store, m);
  REQUIRE(instance);
  // The untyped call path makes the array trampoline of (i32) -> ().
  std::optional<wasm::Func> run = instance->get_func(store, "run");
  REQUIRE(run);
  std::vector<wasm::Val> params{wasm::Val(int32_t(1))};
  std::vector<wasm::Val> results;
  REQUIRE(run->call(store, params, results));
  std::vector<Line> lines = perf_map_lines(before);
  bool found = false;
  for (const Line& l : lines) found = found || l.name == "wasmpp-array-to-native-trampoline";
  CHECK(found);
}

namespace {

// A reader of the jitdump format (linux tools/perf/Documentation/jitdump-specification.txt).
struct CodeLoadRecord {
  uint64_t timestamp, vma, code_addr, code_size, code_index;
  uint32_t pid, tid;
  std::string name;
  std::vector<uint8_t> code;
};
struct JitDumpFile {
  uint32_t magic = 0, version = 0, header_size = 0, elf_mach = 0, pid = 0;
  uint64_t timestamp = 0;
  std::vector<CodeLoadRecord> loads;
  size_t records = 0;
};

template <typename T>
T read_at(const std::vector<uint8_t>& bytes, size_t at) {
  REQUIRE(at + sizeof(T) <= bytes.size());
  T value;
  std::memcpy(&value, bytes.data() + at, sizeof(T));
  return value;
}

JitDumpFile read_jitdump(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
  JitDumpFile f;
  f.magic = read_at<uint32_t>(bytes, 0);
  f.version = read_at<uint32_t>(bytes, 4);
  f.header_size = read_at<uint32_t>(bytes, 8);
  f.elf_mach = read_at<uint32_t>(bytes, 12);
  f.pid = read_at<uint32_t>(bytes, 20);
  f.timestamp = read_at<uint64_t>(bytes, 24);
  size_t at = f.header_size;
  while (at < bytes.size()) {
    uint32_t id = read_at<uint32_t>(bytes, at);
    uint32_t total = read_at<uint32_t>(bytes, at + 4);
    REQUIRE(total >= 16);
    REQUIRE(at + total <= bytes.size());
    ++f.records;
    if (id == 0) {  // JIT_CODE_LOAD
      CodeLoadRecord r;
      r.timestamp = read_at<uint64_t>(bytes, at + 8);
      r.pid = read_at<uint32_t>(bytes, at + 16);
      r.tid = read_at<uint32_t>(bytes, at + 20);
      r.vma = read_at<uint64_t>(bytes, at + 24);
      r.code_addr = read_at<uint64_t>(bytes, at + 32);
      r.code_size = read_at<uint64_t>(bytes, at + 40);
      r.code_index = read_at<uint64_t>(bytes, at + 48);
      const char* name = reinterpret_cast<const char*>(bytes.data() + at + 56);
      size_t name_len = strnlen(name, total - 56);
      REQUIRE(name_len < total - 56);
      r.name.assign(name, name_len);
      size_t code_at = at + 56 + name_len + 1;
      REQUIRE(code_at + r.code_size == at + total);
      r.code.assign(bytes.begin() + long(code_at), bytes.begin() + long(code_at + r.code_size));
      f.loads.push_back(std::move(r));
    }
    at += total;
  }
  REQUIRE(at == bytes.size());
  return f;
}

std::string temp_dir() {
  char pattern[] = "/tmp/wasmpp-jitdump-XXXXXX";
  const char* dir = mkdtemp(pattern);
  REQUIRE(dir);
  return dir;
}

}  // namespace

TEST_CASE("the jitdump file has a header and a code load record per function", "[profiling]") {
  // The file is opened once per process, at the first module that asks for it.
  static const std::string dir = temp_dir();
  remove_files_at_exit.jitdump_dir = dir;
  setenv("JITDUMPDIR", dir.c_str(), 1);
  wasm::Config config;
  config.profiling_strategy(wasm::ProfilingStrategy::JitDump);
  wasm::Module m = compile_with(config);
  const std::string path = dir + "/jit-" + std::to_string(getpid()) + ".dump";

  JitDumpFile f = read_jitdump(path);
  CHECK(f.magic == 0x4A695444);
  CHECK(f.version == 1);
  CHECK(f.header_size == 40);
  CHECK(f.elf_mach == EM_X86_64);
  CHECK(f.pid == uint32_t(getpid()));
  REQUIRE(f.records == f.loads.size());  // no closing record while the process runs
  for (size_t i = 0; i < f.loads.size(); ++i) {
    CHECK(f.loads[i].pid == uint32_t(getpid()));
    CHECK(f.loads[i].timestamp >= f.timestamp);
    CHECK(f.loads[i].code_index == i);
    CHECK(f.loads[i].vma == f.loads[i].code_addr);
  }

  const CompiledModule& code = code_of(m);
  const uintptr_t begin = uintptr_t(code.code_memory().data());
  std::vector<const CodeLoadRecord*> mine;
  for (const CodeLoadRecord& r : f.loads) {
    if (r.code_addr >= begin && r.code_addr < begin + code.code_memory().size()) mine.push_back(&r);
  }
  REQUIRE(mine.size() == code.num_defined_funcs());
  for (uint32_t i = 0; i < mine.size(); ++i) {
    const uint8_t* fn = static_cast<const uint8_t*>(code.image_code(code.num_imported_funcs() + i));
    CHECK(mine[i]->code_addr == uintptr_t(fn));
    CHECK(mine[i]->code_size == code.functions()[i].size);
    CHECK(mine[i]->name == kProfiledNames[i]);
    CHECK(std::memcmp(mine[i]->code.data(), fn, mine[i]->code.size()) == 0);
  }

  // The marker: the file is mapped executable, which is how `perf record` notices it.
  std::ifstream maps("/proc/self/maps");
  std::string line;
  bool mapped = false;
  while (std::getline(maps, line)) {
    if (line.find(path) != std::string::npos && line.find("r-x") != std::string::npos) mapped = true;
  }
  CHECK(mapped);
}

namespace {

extern "C" {
struct DebuggerEntry {
  DebuggerEntry* next;
  DebuggerEntry* prev;
  const char* symfile;
  uint64_t size;
};
struct DebuggerDescriptor {
  uint32_t version;
  uint32_t action;
  DebuggerEntry* relevant;
  DebuggerEntry* first;
};
}

// The process's debugger list, read the way a debugger reads it: by the symbol's address.
DebuggerDescriptor descriptor() {
  DebuggerDescriptor d;
  static_assert(sizeof d == sizeof __jit_debug_descriptor);
  std::memcpy(&d, &__jit_debug_descriptor, sizeof d);
  return d;
}

std::vector<const DebuggerEntry*> debugger_entries() {
  std::vector<const DebuggerEntry*> out;
  const DebuggerEntry* prev = nullptr;
  for (const DebuggerEntry* e = descriptor().first; e; e = e->next) {
    REQUIRE(e->prev == prev);  // the list is doubly linked consistently
    out.push_back(e);
    prev = e;
  }
  return out;
}

struct ElfSymbol {
  std::string name;
  uintptr_t address;
  size_t size;
  unsigned type;
};

// The function symbols of an in-memory ELF64 object, at section address + value.
std::vector<ElfSymbol> elf_function_symbols(const DebuggerEntry& e) {
  std::vector<uint8_t> bytes(e.symfile, e.symfile + e.size);
  auto eh = read_at<Elf64_Ehdr>(bytes, 0);
  REQUIRE(std::memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0);
  REQUIRE(eh.e_ident[EI_CLASS] == ELFCLASS64);
  REQUIRE(eh.e_machine == EM_X86_64);
  REQUIRE(eh.e_shentsize == sizeof(Elf64_Shdr));
  std::vector<Elf64_Shdr> sections;
  for (unsigned i = 0; i < eh.e_shnum; ++i) sections.push_back(read_at<Elf64_Shdr>(bytes, eh.e_shoff + i * sizeof(Elf64_Shdr)));
  std::vector<ElfSymbol> out;
  for (const Elf64_Shdr& sh : sections) {
    if (sh.sh_type != SHT_SYMTAB) continue;
    REQUIRE(sh.sh_link < sections.size());
    const Elf64_Shdr& strtab = sections[sh.sh_link];
    for (size_t at = sh.sh_offset; at < sh.sh_offset + sh.sh_size; at += sizeof(Elf64_Sym)) {
      auto sym = read_at<Elf64_Sym>(bytes, at);
      if (ELF64_ST_TYPE(sym.st_info) != STT_FUNC) continue;
      REQUIRE(sym.st_shndx < sections.size());
      REQUIRE(strtab.sh_offset + sym.st_name < bytes.size());
      std::string name(reinterpret_cast<const char*>(bytes.data() + strtab.sh_offset + sym.st_name));
      out.push_back({name, uintptr_t(sections[sym.st_shndx].sh_addr + sym.st_value), size_t(sym.st_size),
                     ELF64_ST_TYPE(sym.st_info)});
    }
  }
  return out;
}

}  // namespace

TEST_CASE("debug_info registers an object naming each function with the GDB JIT interface", "[profiling]") {
  wasm::Config config;
  config.debug_info(true);
  const size_t before = debugger_entries().size();
  auto m = std::make_unique<wasm::Module>(compile_with(config));
  CHECK(descriptor().version == 1);
  std::vector<const DebuggerEntry*> entries = debugger_entries();
  REQUIRE(entries.size() == before + 1);
  const DebuggerEntry* mine = descriptor().relevant;
  REQUIRE(mine == entries.front());

  std::vector<ElfSymbol> symbols = elf_function_symbols(*mine);
  const CompiledModule& code = code_of(*m);
  REQUIRE(symbols.size() == code.num_defined_funcs());
  for (uint32_t i = 0; i < symbols.size(); ++i) {
    CHECK(symbols[i].name == kProfiledNames[i]);
    CHECK(symbols[i].address == uintptr_t(code.image_code(code.num_imported_funcs() + i)));
    CHECK(symbols[i].size == code.functions()[i].size);
  }

  m.reset();  // dropping the module takes its entry off the list
  entries = debugger_entries();
  CHECK(entries.size() == before);
  for (const DebuggerEntry* e : entries) CHECK(e != mine);

  // Without the option nothing is registered.
  wasm::Module quiet = compile_with(wasm::Config{});
  CHECK(debugger_entries().size() == before);
}

TEST_CASE("modules registered and dropped on several threads leave a consistent debugger list", "[profiling]") {
  const size_t before = debugger_entries().size();
  constexpr int kThreads = 4, kRounds = 20;
  struct Worker {
    pthread_t thread;
    std::vector<wasm::Module> kept;
    bool failed = false;
  };
  auto work = [](void* p) -> void* {
    auto* w = static_cast<Worker*>(p);
    wasm::Config config;
    config.debug_info(true).profiling_strategy(wasm::ProfilingStrategy::PerfMap).parallel_compilation(false);
    wasm::Engine engine(config);
    for (int i = 0; i < kRounds; ++i) {
      auto kept = wasm::Module::compile(engine, profiled_module_bytes());
      auto dropped = wasm::Module::compile(engine, profiled_module_bytes());  // registered, then not
      if (!kept || !dropped) w->failed = true;
      else w->kept.push_back(*kept);
    }
    return nullptr;
  };
  std::vector<Worker> workers(kThreads);
  for (Worker& w : workers) REQUIRE(pthread_create(&w.thread, nullptr, work, &w) == 0);
  for (Worker& w : workers) pthread_join(w.thread, nullptr);

  // Exactly one entry per live module, each naming that module's first function.
  std::vector<const DebuggerEntry*> entries = debugger_entries();
  REQUIRE(entries.size() == before + kThreads * kRounds);
  std::map<uintptr_t, int> seen;  // first function's address -> entries naming it
  for (size_t i = 0; i < kThreads * kRounds; ++i) {
    std::vector<ElfSymbol> symbols = elf_function_symbols(*entries[i]);
    REQUIRE(symbols.size() == kProfiledNames.size());
    ++seen[symbols[0].address];
  }
  for (Worker& w : workers) {
    CHECK_FALSE(w.failed);
    for (const wasm::Module& m : w.kept) {
      const CompiledModule& code = code_of(m);
      CHECK(seen[uintptr_t(code.image_code(code.num_imported_funcs()))] == 1);
    }
    w.kept.clear();
  }
  CHECK(debugger_entries().size() == before);
}
