// v128 values crossing every boundary of compiled code, on both code paths: TypedFunc and
// Func::call parameters and results (registers, stack-passed, results areas), typed and
// dynamic host functions, v128 globals, values spilled across calls, loop parameters, select.
#include <catch2/catch.hpp>

// GCC warns (-Wignored-attributes) where the runtime's host_adapter.hpp passes __m128i as a
// template argument for host functions with v128 results; the vector type itself is kept.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wignored-attributes"
#endif

#include "simd_test_support.hpp"
#include "wasm/detail/jit/compile_env.hpp"
#include "wasm/detail/jit/emit_numeric_base.hpp"

using namespace simd_test;
using wasm::test::i32_const;
using wasm::test::sleb;

namespace {

// acc = a0; acc = acc * 3 + a_i for i = 1..n-1 (i32x4 lanes): depends on every argument and
// on their order.
std::array<int32_t, 4> fold_reference(const std::vector<V128>& args) {
  std::array<int32_t, 4> acc = lanes_of<int32_t>(args[0]);
  for (size_t i = 1; i < args.size(); ++i) {
    auto x = lanes_of<int32_t>(args[i]);
    for (size_t k = 0; k < 4; ++k) acc[k] = int32_t(uint32_t(acc[k]) * 3u + uint32_t(x[k]));
  }
  return acc;
}

Bytes fold_body(uint32_t n) {
  Bytes body = local_get(0);
  for (uint32_t i = 1; i < n; ++i) {
    body = cat({body, v128_const(splat<int32_t>(3)), op(Op::I32x4Mul), local_get(i),
                op(Op::I32x4Add)});
  }
  return body;
}

V128 arg(int k) { return make<int32_t>({k, -k, k * 1000, 7 - k}); }

// A module with host imports, a v128 global and functions that move v128 values around.
class ApiModule {
 public:
  explicit ApiModule(bool force_sse41) : engine_(config(force_sse41)), store_(engine_), linker_(engine_) {
    using wasm::test::ModuleBuilder;
    ModuleBuilder b;
    const ValType V = ValType::V128, I = ValType::I32;
    uint32_t t_vv_v = b.type({V, V}, {V});
    uint32_t t_v_v = b.type({V}, {V});
    uint32_t t_ten = b.type(std::vector<ValType>(10, V), {V});
    uint32_t t_multi = b.type({V, I}, {I, V, V});
    uint32_t t_void_v = b.type({}, {V});
    uint32_t t_v_void = b.type({V}, {});
    uint32_t t_loop = b.type({V, I}, {V});
    uint32_t t_select = b.type({V, V, I}, {V});
    uint32_t host_add = b.import_func("env", "host_add", t_vv_v);
    uint32_t host_dyn = b.import_func("env", "host_dyn", t_v_v);
    uint32_t g = b.global(V, true, cat({v128_const(make<int32_t>({1, 2, 3, 4})), op(Op::End)}));
    b.export_("g", wasm::ExternKind::Global, g);

    auto func = [&](const char* name, uint32_t type, Bytes body,
                    std::vector<std::pair<uint32_t, ValType>> locals = {}) {
      uint32_t f = b.func(type, cat({body, op(Op::End)}), std::move(locals));
      b.export_(name, wasm::ExternKind::Func, f);
      return f;
    };
    func("fold10", t_ten, fold_body(10));
    // (a, x) -> (x + 1, a with lane 0 = x, a)
    func("multi", t_multi,
         cat({local_get(1), i32_const(1), op(Op::I32Add), local_get(0), local_get(1),
              op(Op::I32x4ReplaceLane), {0}, local_get(0)}));
    // host_add(a, b) + splat(1), then host_dyn of that
    func("call_host", t_vv_v,
         cat({local_get(0), local_get(1), op(Op::Call), uleb(host_add),
              v128_const(splat<int32_t>(1)), op(Op::I32x4Add), op(Op::Call), uleb(host_dyn)}));
    func("get_g", t_void_v, cat({op(Op::GlobalGet), uleb(g)}));
    func("set_g", t_v_void, cat({local_get(0), op(Op::GlobalSet), uleb(g)}));
    // 20 live v128 locals (more than the xmm registers), a call in the middle, then their sum.
    Bytes pressure;
    for (uint32_t k = 0; k < 20; ++k) {
      pressure = cat({pressure, local_get(0), v128_const(splat<int32_t>(int32_t(k))),
                      op(Op::I32x4Add), op(Op::LocalSet), uleb(1 + k)});
    }
    pressure = cat({pressure, local_get(0), local_get(0), op(Op::Call), uleb(host_add),
                    op(Op::Drop)});
    for (uint32_t k = 0; k < 20; ++k) pressure = cat({pressure, local_get(1 + k)});
    for (uint32_t k = 0; k < 19; ++k) pressure = cat({pressure, op(Op::I32x4Add)});
    func("pressure", t_v_v, pressure, {{20, V}});
    // A loop whose parameter is a v128: adds splat(1) n times (n >= 1).
    func("loop", t_loop,
         cat({local_get(0), op(Op::Loop), sleb(t_v_v), v128_const(splat<int32_t>(1)),
              op(Op::I32x4Add), local_get(1), i32_const(1), op(Op::I32Sub), op(Op::LocalTee),
              uleb(1), op(Op::BrIf), uleb(0), op(Op::End)}));
    func("select", t_select,
         cat({local_get(0), local_get(1), local_get(2), op(Op::SelectT), uleb(1), {uint8_t(V.kind())}}));
    // A zero v128 local (a constant) through a block result and a branch.
    func("zero_local", t_void_v,
         cat({op(Op::Block), sleb(t_void_v), local_get(0), i32_const(1), op(Op::BrIf), uleb(0),
              op(Op::End)}),
         {{1, V}});

    REQUIRE(linker_.func_wrap("env", "host_add", [](V128 a, V128 b) {
      auto x = lanes_of<int32_t>(a), y = lanes_of<int32_t>(b);
      for (size_t k = 0; k < 4; ++k) x[k] += y[k];
      return make<int32_t>(x);
    }));
    wasm::FuncType dyn_type{{ValType::V128}, {ValType::V128}};
    REQUIRE(linker_.func_new("env", "host_dyn", dyn_type,
                             [](wasm::Caller<>&, std::span<const wasm::Val> args,
                                std::span<wasm::Val> results) -> wasm::Result<void> {
                               auto x = lanes_of<int32_t>(args[0].v128());
                               for (auto& l : x) l *= 2;
                               results[0] = wasm::Val(make<int32_t>(x));
                               return {};
                             }));
    auto module = wasm::Module::compile(engine_, b.build());
    REQUIRE(module);
    auto instance = linker_.instantiate(store_, *module);
    REQUIRE(instance);
    instance_ = *instance;
  }

  template <typename P, typename R>
  wasm::TypedFunc<P, R> typed(const char* name) {
    auto f = instance_->get_typed_func<P, R>(store_, name);
    REQUIRE(f);
    return *f;
  }
  wasm::Func func(const char* name) { return *instance_->get_func(store_, name); }
  wasm::Store<>& store() { return store_; }
  wasm::Instance& instance() { return *instance_; }

 private:
  static wasm::Config config(bool force_sse41) {
    wasm::Config c;
    c.force_sse41(force_sse41);
    return c;
  }
  wasm::Engine engine_;
  wasm::Store<> store_;
  wasm::Linker<> linker_;
  std::optional<wasm::Instance> instance_;
};

}  // namespace

TEST_CASE("v128 parameters and results through TypedFunc and Func::call", "[simd][api]") {
  for (const CodePath& p : code_paths()) {
    INFO(p.name);
    ApiModule m(p.force_sse41);
    std::vector<V128> args;
    for (int k = 0; k < 10; ++k) args.push_back(arg(k + 1));
    // Ten v128 parameters: eight in xmm registers, two on the stack.
    using Ten = std::tuple<V128, V128, V128, V128, V128, V128, V128, V128, V128, V128>;
    auto fold = m.typed<Ten, V128>("fold10");
    auto r = fold.call(m.store(), args[0], args[1], args[2], args[3], args[4], args[5], args[6],
                       args[7], args[8], args[9]);
    REQUIRE(r);
    CHECK(lanes_of<int32_t>(*r) == fold_reference(args));

    std::vector<wasm::Val> vals(args.begin(), args.end());
    std::vector<wasm::Val> out(1);
    REQUIRE(m.func("fold10").call(m.store(), vals, out));
    CHECK(lanes_of<int32_t>(out[0].v128()) == fold_reference(args));

    // Several results: a results area with v128 slots.
    auto multi = m.typed<std::tuple<V128, int32_t>, std::tuple<int32_t, V128, V128>>("multi");
    auto mr = multi.call(m.store(), arg(5), 41);
    REQUIRE(mr);
    CHECK(std::get<0>(*mr) == 42);
    CHECK(lanes_of<int32_t>(std::get<1>(*mr)) == std::array<int32_t, 4>{41, -5, 5000, 2});
    CHECK(std::get<2>(*mr) == arg(5));
    std::vector<wasm::Val> three(3);
    REQUIRE(m.func("multi").call(m.store(), std::vector<wasm::Val>{wasm::Val(arg(2)), wasm::Val(int32_t(9))}, three));
    CHECK(three[0].i32() == 10);
    CHECK(lanes_of<int32_t>(three[1].v128()) == std::array<int32_t, 4>{9, -2, 2000, 5});
    CHECK(three[2].v128() == arg(2));
  }
}

TEST_CASE("wasm passes v128 to typed and dynamic host functions", "[simd][api]") {
  for (const CodePath& p : code_paths()) {
    INFO(p.name);
    ApiModule m(p.force_sse41);
    auto call_host = m.typed<std::tuple<V128, V128>, V128>("call_host");
    auto r = call_host.call(m.store(), make<int32_t>({1, 2, 3, 4}), make<int32_t>({10, 20, 30, -40}));
    REQUIRE(r);
    CHECK(lanes_of<int32_t>(*r) == std::array<int32_t, 4>{24, 46, 68, -70});
  }
}

TEST_CASE("v128 globals from wasm and from the host", "[simd][api]") {
  for (const CodePath& p : code_paths()) {
    INFO(p.name);
    ApiModule m(p.force_sse41);
    auto get = m.typed<void, V128>("get_g");
    auto set = m.typed<V128, void>("set_g");
    CHECK(get.call(m.store()).value() == make<int32_t>({1, 2, 3, 4}));
    REQUIRE(set.call(m.store(), make<int32_t>({-1, -2, -3, INT32_MIN})));
    auto global = m.instance().get_global(m.store(), "g");
    REQUIRE(global);
    CHECK(global->get(m.store()).value().v128() == make<int32_t>({-1, -2, -3, INT32_MIN}));
    REQUIRE(global->set(m.store(), wasm::Val(splat<uint8_t>(0xAB))));
    CHECK(get.call(m.store()).value() == splat<uint8_t>(0xAB));
  }
}

TEST_CASE("v128 values survive spills, calls, loops and select", "[simd][api]") {
  for (const CodePath& p : code_paths()) {
    INFO(p.name);
    ApiModule m(p.force_sse41);
    V128 x = make<int32_t>({100, -100, 0, 1 << 20});
    auto pressure = m.typed<V128, V128>("pressure");
    auto r = lanes_of<int32_t>(pressure.call(m.store(), x).value());
    for (size_t k = 0; k < 4; ++k) CHECK(r[k] == 20 * lane<int32_t>(x, k) + 190);

    auto loop = m.typed<std::tuple<V128, int32_t>, V128>("loop");
    CHECK(loop.call(m.store(), x, 7).value() == make<int32_t>({107, -93, 7, (1 << 20) + 7}));

    auto select = m.typed<std::tuple<V128, V128, int32_t>, V128>("select");
    CHECK(select.call(m.store(), arg(1), arg(2), 1).value() == arg(1));
    CHECK(select.call(m.store(), arg(1), arg(2), 0).value() == arg(2));

    auto zero = m.typed<void, V128>("zero_local");
    CHECK(zero.call(m.store()).value() == V128{});
  }
}

TEST_CASE("force_sse41 reaches the compiler", "[simd][api]") {
  wasm::Config config;
  CHECK_FALSE(config.force_sse41());
  config.force_sse41(true);
  auto options = wasm::detail::jit::CompileOptions::from(config);
  CHECK(options.cpu == wasm::detail::jit::CpuFeatures::baseline());
  CHECK(wasm::detail::jit::CompileOptions::from(wasm::Config()).cpu ==
        wasm::detail::jit::host_cpu_features());
}

TEST_CASE("v128 memory accesses at the end of memory, in both bounds modes", "[simd][api]") {
  using wasm::test::memarg;
  for (const CodePath& p : code_paths()) {
    for (wasm::BoundsChecks mode : {wasm::BoundsChecks::GuardPages, wasm::BoundsChecks::Explicit}) {
      INFO(p.name << (mode == wasm::BoundsChecks::Explicit ? ", explicit checks" : ", guard pages"));
      wasm::Config config;
      config.force_sse41(p.force_sse41).bounds_checks(mode);
      wasm::Engine engine(config);
      wasm::Store<> store(engine);
      wasm::test::ModuleBuilder b;
      const ValType V = ValType::V128, I = ValType::I32;
      b.memory(wasm::test::limits(1));
      uint32_t t_load = b.type({I}, {V});
      uint32_t t_store = b.type({I, V}, {});
      b.export_("load", wasm::ExternKind::Func,
                b.func(t_load, cat({local_get(0), op(Op::V128Load), memarg(0, 0), op(Op::End)})));
      b.export_("splat", wasm::ExternKind::Func,
                b.func(t_load, cat({local_get(0), op(Op::V128Load32Splat), memarg(0, 4), op(Op::End)})));
      b.export_("store_lane", wasm::ExternKind::Func,
                b.func(t_store, cat({local_get(0), local_get(1), op(Op::V128Store64Lane), memarg(0, 0),
                                     {1}, op(Op::End)})));
      auto module = wasm::Module::compile(engine, b.build());
      REQUIRE(module);
      auto inst = wasm::Linker<>(engine).instantiate(store, *module);
      REQUIRE(inst);
      auto load = *inst->get_typed_func<int32_t, V128>(store, "load");
      auto splat_load = *inst->get_typed_func<int32_t, V128>(store, "splat");
      auto store_lane = *inst->get_typed_func<std::tuple<int32_t, V128>, void>(store, "store_lane");
      auto is_oob = [](const auto& r) {
        return !r && r.error().trap_code() == wasm::TrapCode::MemoryOutOfBounds;
      };
      REQUIRE(store_lane.call(store, 65536 - 8, make<uint64_t>({1, 0x1122334455667788ull})));
      CHECK(lane<uint64_t>(load.call(store, 65536 - 16).value(), 1) == 0x1122334455667788ull);
      CHECK(is_oob(load.call(store, 65536 - 15)));
      CHECK(is_oob(store_lane.call(store, 65536 - 7, V128{})));
      CHECK(is_oob(store_lane.call(store, -1, V128{})));
      CHECK(splat_load.call(store, 65536 - 8).value() == splat<uint32_t>(0x11223344u));
      CHECK(is_oob(splat_load.call(store, 65536 - 7)));
    }
  }
}
