// Differential checks of the mid-end passes: for every function the builder accepts, of every
// module of the spec suite's core scripts (and of bench/programs when built), the IR
// interpreter runs the function before any pass and after each pass of the pipeline on the
// same inputs, and the results, the trap, the memory and the globals must agree. The verifier
// runs after every pass. Callees are the same stage's functions, so calls are covered too.
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>

#include "opt_test_support.hpp"
#include "wasm/detail/jit/opt/pass_manager.hpp"
#include "wasm/wast/module_source.hpp"
#include "wasm/wast/script_parser.hpp"

using namespace wasm::test::opt;
namespace fs = std::filesystem;

namespace {

struct DiffStats {
  uint64_t modules = 0, functions = 0, declined = 0, runs = 0, compared = 0, skipped_runs = 0;
  std::map<std::string, uint64_t> changed;  // per pass name: functions it changed (summed over its runs)

  std::string changes() const {
    std::string out;
    for (const auto& [name, n] : changed) out += " " + name + ":" + std::to_string(n);
    return out;
  }
};

constexpr size_t kInputs = 12;

// Inputs: edge values of each type first, then pseudo-random ones (a fixed seed).
std::vector<std::vector<uint64_t>> make_inputs(const std::vector<Type>& params, uint32_t seed) {
  static const uint64_t i32s[] = {0, 1, 2, 3, 7, 0xFFFFFFFF, 0x80000000, 0x7FFFFFFF, 100, 0xFFFFFF9C, 65536, 255};
  static const uint64_t i64s[] = {0, 1, 2, 3, 7, ~0ull, 0x8000000000000000ull, 0x7FFFFFFFFFFFFFFFull, 100,
                                  uint64_t(-100), 1ull << 32, 0xFFFFFFFF};
  static const uint64_t f32s[] = {0, 0x80000000, 0x3F800000, 0xC0100000, 0x7FC00000, 0x7F800000, 0x4F000000,
                                  0x501502F9, 0x3F000000, 0xBF400000, 0x00000001, 0xFF800000};
  static const uint64_t f64s[] = {0, 0x8000000000000000ull, 0x3FF0000000000000ull, 0xC002000000000000ull,
                                  0x7FF8000000000000ull, 0x7FF0000000000000ull, 0x41E0000000000000ull,
                                  0x4202A05F20000000ull, 0x3FE0000000000000ull, 0xBFE8000000000000ull, 1,
                                  0xFFF0000000000000ull};
  std::mt19937_64 rng(seed);
  std::vector<std::vector<uint64_t>> out;
  for (size_t k = 0; k < kInputs; ++k) {
    std::vector<uint64_t> in;
    for (size_t j = 0; j < params.size(); ++j) {
      size_t pick = (k + j * 5) % 12;
      bool random = k >= 8;
      uint64_t r = rng();
      switch (params[j]) {
        case Type::I32: in.push_back(random ? uint32_t(r) >> (r % 28) : i32s[pick]); break;
        case Type::I64: in.push_back(random ? r >> (r % 60) : i64s[pick]); break;
        case Type::F32: in.push_back(random ? uint32_t(r) : f32s[pick]); break;
        case Type::F64: in.push_back(random ? r : f64s[pick]); break;
        default: in.push_back(0); break;  // references: null
      }
    }
    out.push_back(std::move(in));
  }
  return out;
}

struct Outcome {
  InterpResult result;
  size_t memory_hash = 0;
  std::vector<uint64_t> globals;
};

class ModuleDiff {
 public:
  ModuleDiff(ModuleInfo info, std::string name) : info_(std::move(info)), name_(std::move(name)) { initial_state(); }

  void run(DiffStats& stats) {
    FunctionBuilder builder(info_, features());
    std::vector<Function> orig(info_.num_defined_funcs());
    std::vector<uint8_t> ok(orig.size(), 0);
    for (uint32_t i = 0; i < orig.size(); ++i) {
      BuildResult r = builder.build(info_.num_imported_funcs + i);
      if (!r.ok) {
        stats.declined++;
        continue;
      }
      orig[i] = std::move(r.func);
      ok[i] = 1;
      stats.functions++;
    }
    // Outcomes before any pass.
    std::vector<std::vector<Outcome>> before(orig.size());
    std::vector<std::vector<std::vector<uint64_t>>> inputs(orig.size());
    for (uint32_t i = 0; i < orig.size(); ++i) {
      if (!ok[i] || !scalar_params(orig[i])) continue;
      inputs[i] = make_inputs(orig[i].params, i * 7919 + 17);
      for (auto& in : inputs[i]) before[i].push_back(execute(orig, ok, orig[i], in, 20'000));
    }
    std::vector<Function> cur = orig;
    for (const Pass& p : kPipeline) {
      for (uint32_t i = 0; i < cur.size(); ++i) {
        if (!ok[i]) continue;
        if (p.run(cur[i])) stats.changed[p.name]++;
        std::string problems = verify(cur[i]);
        INFO(name_ << ": function " << info_.num_imported_funcs + i << " after " << p.name << "\n" << print(cur[i]));
        REQUIRE(problems == "");
      }
      for (uint32_t i = 0; i < cur.size(); ++i) {
        for (size_t k = 0; k < before[i].size(); ++k) {
          const Outcome& b = before[i][k];
          stats.runs++;
          if (b.result.status == InterpResult::Status::Unsupported) {
            stats.skipped_runs++;
            continue;
          }
          Outcome a = execute(cur, ok, cur[i], inputs[i][k], 400'000);
          stats.compared++;
          INFO(name_ << ": function " << info_.num_imported_funcs + i << " after " << p.name << ", input " << k
                     << ", unsupported: " << a.result.why << "\nbefore:\n" << print(orig[i]) << "after:\n"
                     << print(cur[i]));
          REQUIRE(int(a.result.status) == int(b.result.status));
          if (b.result.status == InterpResult::Status::Trap) REQUIRE(int(a.result.trap) == int(b.result.trap));
          REQUIRE(a.result.values == b.result.values);
          REQUIRE(a.memory_hash == b.memory_hash);
          REQUIRE(a.globals == b.globals);
        }
      }
    }
  }

  static wasm::Features features() {
    wasm::Features f;
    f.multi_memory = f.memory64 = f.extended_const = f.tail_call = true;
    return f;
  }

 private:
  // Memory 0 (at most two pages, so that runs stay cheap; both sides see the same) with the
  // active segments whose offset is a constant, and the globals with constant initialisers.
  void initial_state() {
    if (!info_.memories.empty()) memory_.assign(std::min<uint64_t>(info_.memories[0].limits.min, 2) * wasm::kPageSize, 0);
    for (const DataSegment& seg : info_.data) {
      if (seg.mode != SegmentMode::Active || seg.memory != 0 || seg.offset.code.empty()) continue;
      const Instruction& at = seg.offset.code[0];
      if (at.op != Op::I32Const && at.op != Op::I64Const) continue;
      uint64_t start = at.op == Op::I32Const ? uint32_t(at.bits) : at.bits;
      auto bytes = info_.segment_bytes(seg);
      if (start > memory_.size() || bytes.size() > memory_.size() - start) continue;
      std::copy(bytes.begin(), bytes.end(), memory_.begin() + start);
    }
    globals_.assign(info_.globals.size(), 0);
    for (size_t g = 0; g < info_.global_inits.size(); ++g) {
      const ConstExpr& init = info_.global_inits[g];
      if (init.code.empty()) continue;
      uint64_t bits = init.code[0].bits;
      wasm::ValType t = info_.globals[info_.num_imported_globals + g].type;
      if (t == wasm::ValType::I32 || t == wasm::ValType::F32) bits = uint32_t(bits);  // the interpreter's i32: upper bits zero
      globals_[info_.num_imported_globals + g] = bits;
    }
  }

  static bool scalar_params(const Function& f) {
    for (Type t : f.params)
      if (t == Type::V128) return false;
    return true;
  }

  Outcome execute(const std::vector<Function>& funcs, const std::vector<uint8_t>& ok, const Function& f,
                  const std::vector<uint64_t>& args, uint64_t max_steps) {
    InterpState s;
    s.max_steps = max_steps;
    s.funcs.assign(info_.func_types.size(), nullptr);
    for (uint32_t i = 0; i < funcs.size(); ++i)
      if (ok[i]) s.funcs[info_.num_imported_funcs + i] = &funcs[i];
    s.memory = memory_;
    s.globals = globals_;
    Outcome o;
    o.result = Interpreter(s).call(f, args);
    o.memory_hash = std::hash<std::string_view>()(
        std::string_view(reinterpret_cast<const char*>(s.memory.data()), s.memory.size()));
    o.globals = std::move(s.globals);
    return o;
  }

  ModuleInfo info_;
  std::string name_;
  std::vector<uint8_t> memory_;
  std::vector<uint64_t> globals_;
};

bool decode_and_validate(std::span<const uint8_t> bytes, ModuleInfo& out) {
  wasm::Features features = ModuleDiff::features();
  auto decoded = decode_module(bytes, features);
  if (!decoded) return false;
  if (!validate_module(*decoded, features)) return false;
  out = std::move(*decoded);
  return true;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("opt passes: differential over the spec suite's core modules", "[opt][differential]") {
  fs::path dir(WASMPP_SPEC_CORE_DIR);
  if (!fs::exists(dir)) {
    WARN("no spec suite at " << dir.string());
    return;
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".wast") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() > 50);
  DiffStats stats;
  for (const fs::path& file : files) {
    std::string source = read_file(file);
    std::vector<wasm::wast::Command> commands;
    try {
      commands = wasm::wast::parse_script(source);
    } catch (const std::exception&) {
      continue;  // scripts our parser cannot read are the spec runner's business
    }
    uint32_t n = 0;
    for (const auto& c : commands) {
      if (c.kind != wasm::wast::CommandKind::Module) continue;
      wasm::wast::ModuleBytes mb = wasm::wast::module_bytes(c.module, source, wasm::Features{});
      ModuleInfo info;
      if (mb.bytes.empty() || !decode_and_validate(mb.bytes, info)) continue;
      stats.modules++;
      ModuleDiff(std::move(info), file.filename().string() + " module " + std::to_string(n++) + " (line " +
                                      std::to_string(c.line) + ")")
          .run(stats);
    }
  }
  WARN("spec core: " << stats.modules << " modules, " << stats.functions << " functions (" << stats.declined << " declined by the builder), " << stats.runs
                     << " runs over the " << std::size(kPipeline) << " pass stages, " << stats.compared
                     << " compared, " << stats.skipped_runs << " skipped (unsupported before any pass); functions changed"
                     << stats.changes());
  CHECK(stats.functions > 1000);
  CHECK(stats.compared > 10000);
}

TEST_CASE("opt passes: differential over bench/programs", "[opt][differential]") {
  fs::path dir(WASMPP_BENCH_WASM_DIR);
  if (const char* env = std::getenv("WASMPP_OPT_BENCH_WASM")) dir = env;
  if (!fs::exists(dir)) {
    WARN("bench/programs not built (" << dir.string() << "); set WASMPP_OPT_BENCH_WASM to a folder of them");
    return;
  }
  DiffStats stats;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".wasm") continue;
    std::string bytes = read_file(e.path());
    ModuleInfo info;
    if (!decode_and_validate(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), info)) continue;
    stats.modules++;
    ModuleDiff(std::move(info), e.path().filename().string()).run(stats);
  }
  WARN("bench/programs: " << stats.modules << " modules, " << stats.functions << " functions (" << stats.declined << " declined), " << stats.compared
                          << " compared runs, " << stats.skipped_runs << " skipped; functions changed" << stats.changes());
  CHECK(stats.functions > 0);
}
