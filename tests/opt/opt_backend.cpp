// The optimizing tier's machine code against the baseline's: every module of the spec suite's
// core scripts that has no imports is compiled by both (Config::strategy), instantiated once per
// tier, and every exported function with scalar parameters and results is called on the same
// inputs in both; results (NaNs compared as NaN), traps, exported memories and exported globals
// must agree. The IR interpreter runs each call first and a call is made only when it finishes
// in a bounded number of steps there, so that a function that loops on some input is not run.
// Also: small modules aimed at the register allocator (pressure, values across calls, parallel
// move cycles, block arguments on every kind of branch), with expected results worked out by hand.
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>

#include "opt_test_support.hpp"
#include "wasm/engine.hpp"
#include "wasm/instance.hpp"
#include "wasm/linker.hpp"
#include "wasm/module.hpp"
#include "wasm/store.hpp"
#include "wasm/wast/module_source.hpp"
#include "wasm/wast/script_parser.hpp"

using namespace wasm::test::opt;
namespace fs = std::filesystem;

namespace {

struct BackendStats {
  uint64_t modules = 0, optimized = 0, declined = 0, calls = 0, skipped_calls = 0;
};

wasm::Config config_for(wasm::Strategy s, wasm::BoundsChecks bounds) {
  wasm::Config c;
  c.strategy(s);
  c.bounds_checks(bounds);
  c.wasm_features().multi_memory = true;
  c.wasm_features().extended_const = true;
  return c;
}

struct TierInstance {
  wasm::Engine engine;
  wasm::Store<> store;
  std::optional<wasm::Module> module;
  std::optional<wasm::Instance> instance;
  std::string error;

  TierInstance(wasm::Strategy s, std::span<const uint8_t> bytes,
               wasm::BoundsChecks bounds = wasm::BoundsChecks::GuardPages)
      : engine(config_for(s, bounds)), store(engine) {
    auto m = wasm::Module::compile(engine, bytes);
    if (!m) {
      error = m.error().to_string();
      return;
    }
    module.emplace(std::move(*m));
    wasm::Linker<> linker(engine);
    auto i = linker.instantiate(store, *module);
    if (!i) {
      error = i.error().to_string();
      return;
    }
    instance.emplace(*i);
  }
};

bool same_value(const wasm::Val& a, const wasm::Val& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case wasm::ValType::I32: return a.i32() == b.i32();
    case wasm::ValType::I64: return a.raw().i64 == b.raw().i64;
    case wasm::ValType::F32:
      if (std::isnan(a.raw().f32) && std::isnan(b.raw().f32)) return true;
      return std::memcmp(&a.raw().f32, &b.raw().f32, 4) == 0;
    case wasm::ValType::F64:
      if (std::isnan(a.raw().f64) && std::isnan(b.raw().f64)) return true;
      return a.raw().i64 == b.raw().i64;
    default: return a.raw().ref == b.raw().ref;
  }
}

std::string show(const wasm::Val& v) {
  switch (v.type()) {
    case wasm::ValType::I32: return "i32:" + std::to_string(uint32_t(v.i32()));
    case wasm::ValType::I64: return "i64:" + std::to_string(uint64_t(v.raw().i64));
    case wasm::ValType::F32: return "f32:" + std::to_string(v.raw().f32);
    case wasm::ValType::F64: return "f64:" + std::to_string(v.raw().f64);
    default: return "ref";
  }
}

bool scalar(wasm::ValType t) {
  return t == wasm::ValType::I32 || t == wasm::ValType::I64 || t == wasm::ValType::F32 || t == wasm::ValType::F64;
}

wasm::Val make_arg(wasm::ValType t, uint64_t bits) {
  wasm::detail::ValRaw raw;
  std::memset(&raw, 0, sizeof raw);
  raw.i64 = int64_t(bits);
  if (t == wasm::ValType::I32 || t == wasm::ValType::F32) raw.i64 = int64_t(uint32_t(bits));
  return wasm::Val::from_raw(t, raw);
}

std::vector<std::vector<uint64_t>> inputs_for(size_t n, uint32_t seed) {
  static const uint64_t edge[] = {0, 1, 2, 7, 0xFFFFFFFF, 0x80000000, 0x7FFFFFFF, 100, 0x3F800000, 0x4008000000000000ull};
  std::mt19937_64 rng(seed);
  std::vector<std::vector<uint64_t>> out;
  for (size_t k = 0; k < 10; ++k) {
    std::vector<uint64_t> in;
    for (size_t j = 0; j < n; ++j) {
      uint64_t r = rng();
      in.push_back(k < 6 ? edge[(k + 3 * j) % std::size(edge)] : r >> (r % 48));
    }
    out.push_back(std::move(in));
  }
  return out;
}

// Compares both tiers on one module's exports; `label` names it in failures.
void compare_module(std::span<const uint8_t> bytes, const std::string& label, BackendStats& stats,
                    wasm::BoundsChecks bounds = wasm::BoundsChecks::GuardPages) {
  ModuleInfo info;
  wasm::Features features;
  features.multi_memory = features.extended_const = true;
  {
    auto decoded = decode_module(bytes, features);
    if (!decoded || !validate_module(*decoded, features)) return;
    info = std::move(*decoded);
  }
  if (!info.imports.empty()) return;
  TierInstance base(wasm::Strategy::Baseline, bytes, bounds), opt(wasm::Strategy::Optimized, bytes, bounds);
  INFO(label);
  REQUIRE(base.error == opt.error);
  if (!base.instance) return;
  stats.modules++;
  const auto& cs = opt.module->state()->code.stats();
  stats.optimized += cs.first_tier_functions;
  stats.declined += cs.declined_functions;

  // The IR of every function, for the interpreter (termination oracle).
  FunctionBuilder builder(info, features);
  std::vector<Function> funcs(info.num_defined_funcs());
  InterpState proto;
  proto.funcs.assign(info.func_types.size(), nullptr);
  for (uint32_t i = 0; i < funcs.size(); ++i) {
    BuildResult r = builder.build(info.num_imported_funcs + i);
    if (r.ok) {
      funcs[i] = std::move(r.func);
      proto.funcs[info.num_imported_funcs + i] = &funcs[i];
    }
  }
  if (!info.memories.empty()) proto.memory.assign(std::min<uint64_t>(info.memories[0].limits.min, 2) * wasm::kPageSize, 0);
  proto.globals.assign(info.globals.size(), 0);

  for (const Export& e : info.exports) {
    if (e.kind != wasm::ExternKind::Func || e.index < info.num_imported_funcs) continue;
    const wasm::FuncType& type = info.func_type(e.index);
    bool ok = true;
    for (auto t : type.params) ok = ok && scalar(t);
    for (auto t : type.results) ok = ok && scalar(t);
    if (!ok) continue;
    const Function* ir = proto.funcs[e.index];
    auto fb = base.instance->get_func(base.store, e.name);
    auto fo = opt.instance->get_func(opt.store, e.name);
    REQUIRE(fb);
    REQUIRE(fo);
    for (const auto& in : inputs_for(type.params.size(), e.index * 131 + 7)) {
      if (!ir) {
        stats.skipped_calls++;
        continue;
      }
      InterpState s = proto;
      s.max_steps = 100'000;
      InterpResult oracle = Interpreter(s).call(*ir, in);
      if (oracle.status == InterpResult::Status::Unsupported) {
        stats.skipped_calls++;
        continue;
      }
      std::vector<wasm::Val> args;
      for (size_t k = 0; k < in.size(); ++k) args.push_back(make_arg(type.params[k], in[k]));
      std::vector<wasm::Val> rb(type.results.size()), ro(type.results.size());
      auto cb = fb->call(base.store, args, rb);
      auto co = fo->call(opt.store, args, ro);
      stats.calls++;
      INFO("export " << e.name << " (function " << e.index << ")");
      REQUIRE(bool(cb) == bool(co));
      if (!cb) {
        REQUIRE(cb.error().to_string() == co.error().to_string());
        continue;
      }
      for (size_t k = 0; k < rb.size(); ++k) {
        INFO("result " << k << ": baseline " << show(rb[k]) << ", optimized " << show(ro[k]));
        REQUIRE(same_value(rb[k], ro[k]));
      }
    }
  }
  // Exported memories and globals after all the calls.
  for (const Export& e : info.exports) {
    INFO("export " << e.name);
    if (e.kind == wasm::ExternKind::Memory) {
      auto mb = base.instance->get_memory(base.store, e.name);
      auto mo = opt.instance->get_memory(opt.store, e.name);
      auto db = mb->data(base.store), dopt = mo->data(opt.store);
      REQUIRE(db.size() == dopt.size());
      REQUIRE(std::memcmp(db.data(), dopt.data(), db.size()) == 0);
    } else if (e.kind == wasm::ExternKind::Global) {
      auto xb = base.instance->get_export(base.store, e.name);
      auto xo = opt.instance->get_export(opt.store, e.name);
      const wasm::Global* gb = xb ? std::get_if<wasm::Global>(&*xb) : nullptr;
      const wasm::Global* go = xo ? std::get_if<wasm::Global>(&*xo) : nullptr;
      if (!gb || !go) continue;
      auto vb = gb->get(base.store), vo = go->get(opt.store);
      if (vb && vo && scalar(vb->type())) REQUIRE(same_value(*vb, *vo));
    }
  }
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<uint8_t> wat(const std::string& text) {
  auto encoded = wasm::detail::text::wat_to_wasm(text);
  REQUIRE(encoded);
  return *encoded;
}

// Calls export `name` of `bytes` compiled by the optimizing tier alone and checks it compiled
// there (no function declined).
wasm::Val run_optimized(const std::vector<uint8_t>& bytes, const std::string& name, std::vector<wasm::Val> args,
                        wasm::ValType result) {
  TierInstance t(wasm::Strategy::Optimized, bytes);
  INFO(t.error);
  REQUIRE(t.instance);
  CHECK(t.module->state()->code.stats().declined_functions == 0);
  CHECK(t.module->state()->code.stats().first_tier_functions > 0);
  auto f = t.instance->get_func(t.store, name);
  REQUIRE(f);
  std::vector<wasm::Val> r(1, wasm::Val::zero(result));
  auto ok = f->call(t.store, args, r);
  INFO((ok ? std::string() : ok.error().to_string()));
  REQUIRE(ok);
  return r[0];
}

}  // namespace

TEST_CASE("opt backend: machine code of both tiers agrees over the spec core modules", "[opt][backend]") {
  fs::path dir(WASMPP_SPEC_CORE_DIR);
  if (!fs::exists(dir)) {
    WARN("no spec suite at " << dir.string());
    return;
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".wast") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  BackendStats stats;
  for (const fs::path& file : files) {
    std::string source = read_file(file);
    std::vector<wasm::wast::Command> commands;
    try {
      commands = wasm::wast::parse_script(source);
    } catch (const std::exception&) {
      continue;
    }
    for (const auto& c : commands) {
      if (c.kind != wasm::wast::CommandKind::Module) continue;
      wasm::wast::ModuleBytes mb = wasm::wast::module_bytes(c.module, source, wasm::Features{});
      if (mb.bytes.empty()) continue;
      compare_module(mb.bytes, file.filename().string() + " line " + std::to_string(c.line), stats);
    }
  }
  WARN("spec core: " << stats.modules << " modules without imports; optimizing tier compiled " << stats.optimized
                     << " functions, declined " << stats.declined << "; " << stats.calls << " calls compared, "
                     << stats.skipped_calls << " skipped");
  CHECK(stats.optimized > 1000);
  CHECK(stats.calls > 5000);
}

TEST_CASE("opt backend: explicit bounds checks agree with the baseline's", "[opt][backend]") {
  // The memory scripts with BoundsChecks::Explicit (every access compared with the length; the
  // memory base reloaded after calls, since it may move).
  BackendStats stats;
  for (const char* name : {"address", "memory_trap", "memory_grow", "load", "store", "memory", "align"}) {
    fs::path file = fs::path(WASMPP_SPEC_CORE_DIR) / (std::string(name) + ".wast");
    if (!fs::exists(file)) continue;
    std::string source = read_file(file);
    for (const auto& c : wasm::wast::parse_script(source)) {
      if (c.kind != wasm::wast::CommandKind::Module) continue;
      wasm::wast::ModuleBytes mb = wasm::wast::module_bytes(c.module, source, wasm::Features{});
      if (mb.bytes.empty()) continue;
      compare_module(mb.bytes, file.filename().string() + " line " + std::to_string(c.line), stats,
                     wasm::BoundsChecks::Explicit);
    }
  }
  if (stats.modules == 0) {
    WARN("no spec suite at " << WASMPP_SPEC_CORE_DIR);
    return;
  }
  CHECK(stats.optimized > 50);
  CHECK(stats.calls > 500);
}

TEST_CASE("opt backend: more live values than registers", "[opt][backend][regalloc]") {
  // 20 values live at once (8 allocatable integer registers): sum of (x + k) * (k + 1) for
  // k = 0..19 = 210 x + sum k (k + 1) = 210 x + 2660.
  std::string body, sum;
  for (int k = 0; k < 20; ++k) body += "(local.set " + std::to_string(k + 1) + " (i32.mul (i32.add (local.get 0) (i32.const " +
                                      std::to_string(k) + ")) (i32.const " + std::to_string(k + 1) + ")))";
  sum = "(local.get 1)";
  for (int k = 1; k < 20; ++k) sum = "(i32.add " + sum + " (local.get " + std::to_string(k + 1) + "))";
  std::string locals;
  for (int k = 0; k < 20; ++k) locals += " i32";
  auto bytes = wat("(module (func (export \"f\") (param i32) (result i32) (local" + locals + ") " + body + sum + "))");
  CHECK(run_optimized(bytes, "f", {wasm::Val(int32_t(3))}, wasm::ValType::I32).i32() == 210 * 3 + 2660);
  CHECK(run_optimized(bytes, "f", {wasm::Val(int32_t(-1))}, wasm::ValType::I32).i32() == -210 + 2660);
}

TEST_CASE("opt backend: values live across calls, floats and integers", "[opt][backend][regalloc]") {
  auto bytes = wat(R"((module
    (func $g (param i32 f64) (result i32) (i32.add (local.get 0) (i32.trunc_f64_s (local.get 1))))
    (func (export "f") (param i32 i64 f64) (result f64)
      (local i32)
      (local.set 3 (call $g (local.get 0) (local.get 2)))
      (local.set 3 (i32.add (local.get 3) (call $g (local.get 3) (f64.const 2.5))))
      (f64.add (f64.add (local.get 2) (f64.convert_i32_s (local.get 3))) (f64.convert_i64_s (local.get 1))))))");
  // g(5, 1.5) = 6; g(6, 2.5) = 8; 6 + 8 = 14; 1.5 + 14 + 100 = 115.5
  CHECK(run_optimized(bytes, "f", {wasm::Val(int32_t(5)), wasm::Val(int64_t(100)), wasm::Val(1.5)}, wasm::ValType::F64)
            .raw().f64 == 115.5);
}

TEST_CASE("opt backend: block arguments that swap (parallel move cycles)", "[opt][backend][regalloc]") {
  // Rotates (a, b, c) n times through loop parameters: after 4 rotations of (1, 2, 3) -> (2, 3, 1)...
  auto bytes = wat(R"((module
    (func (export "rot") (param $n i32) (result i32)
      (local $a i32) (local $b i32) (local $c i32) (local $t i32)
      (local.set $a (i32.const 1)) (local.set $b (i32.const 2)) (local.set $c (i32.const 3))
      (block $done
        (loop $top
          (br_if $done (i32.eqz (local.get $n)))
          (local.set $t (local.get $a))
          (local.set $a (local.get $b))
          (local.set $b (local.get $c))
          (local.set $c (local.get $t))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $top)))
      (i32.add (i32.mul (local.get $a) (i32.const 100)) (i32.add (i32.mul (local.get $b) (i32.const 10)) (local.get $c))))
    (func (export "swapf") (param $n i32) (param $x f64) (param $y f64) (result f64)
      (local $t f64)
      (block $done
        (loop $top
          (br_if $done (i32.eqz (local.get $n)))
          (local.set $t (local.get $x)) (local.set $x (local.get $y)) (local.set $y (local.get $t))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $top)))
      (f64.sub (local.get $x) (local.get $y)))))");
  CHECK(run_optimized(bytes, "rot", {wasm::Val(int32_t(0))}, wasm::ValType::I32).i32() == 123);
  CHECK(run_optimized(bytes, "rot", {wasm::Val(int32_t(1))}, wasm::ValType::I32).i32() == 231);
  CHECK(run_optimized(bytes, "rot", {wasm::Val(int32_t(2))}, wasm::ValType::I32).i32() == 312);
  CHECK(run_optimized(bytes, "rot", {wasm::Val(int32_t(4))}, wasm::ValType::I32).i32() == 231);
  CHECK(run_optimized(bytes, "swapf", {wasm::Val(int32_t(3)), wasm::Val(1.0), wasm::Val(5.0)}, wasm::ValType::F64)
            .raw().f64 == 4.0);
  CHECK(run_optimized(bytes, "swapf", {wasm::Val(int32_t(2)), wasm::Val(1.0), wasm::Val(5.0)}, wasm::ValType::F64)
            .raw().f64 == -4.0);
}

TEST_CASE("opt backend: br_table and br_if carrying values, stack arguments", "[opt][backend]") {
  auto bytes = wat(R"((module
    (func $many (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)
      (i32.sub (i32.add (local.get 0) (local.get 7)) (i32.mul (local.get 6) (local.get 5))))
    (func (export "sel") (param $k i32) (param $x i32) (result i32)
      (i32.add (i32.const 1000)
        (block $d (result i32)
          (block $b2 (result i32)
            (block $b1 (result i32)
              (block $b0 (result i32)
                (br_table $b0 $b1 $b2 $d (i32.mul (local.get $x) (i32.const 2)) (local.get $k)))
              (return (i32.add (i32.const 10))))
            (return (i32.add (i32.const 20))))
          (br_if $d (i32.const 7) (i32.gt_u (local.get $x) (i32.const 5)))
          (drop) (drop) (i32.const 30))))
    (func (export "many") (param $x i32) (result i32)
      (call $many (local.get $x) (i32.const 2) (i32.const 3) (i32.const 4) (i32.const 5) (i32.const 6) (i32.const 7) (local.get $x)))))");
  // k=0: 2x + 10 (returned); k=1: 2x + 20; k=2: x > 5 ? 1007 : 1030; k>=3: 1000 + 2x.
  CHECK(run_optimized(bytes, "sel", {wasm::Val(int32_t(0)), wasm::Val(int32_t(4))}, wasm::ValType::I32).i32() == 18);
  CHECK(run_optimized(bytes, "sel", {wasm::Val(int32_t(1)), wasm::Val(int32_t(4))}, wasm::ValType::I32).i32() == 28);
  CHECK(run_optimized(bytes, "sel", {wasm::Val(int32_t(2)), wasm::Val(int32_t(9))}, wasm::ValType::I32).i32() == 1007);
  CHECK(run_optimized(bytes, "sel", {wasm::Val(int32_t(2)), wasm::Val(int32_t(4))}, wasm::ValType::I32).i32() == 1030);
  CHECK(run_optimized(bytes, "sel", {wasm::Val(int32_t(9)), wasm::Val(int32_t(4))}, wasm::ValType::I32).i32() == 1008);
  // x + x - 7 * 6
  CHECK(run_optimized(bytes, "many", {wasm::Val(int32_t(50))}, wasm::ValType::I32).i32() == 58);
}
