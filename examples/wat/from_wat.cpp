// from_wat: compile a module written in the WebAssembly text format and call it.
// Module::from_wat takes the text of a whole module (or bare module fields); a malformed text is
// an Error of kind Decode whose message starts with line:column.
#include <cstdio>

#include <wasm.hpp>

int main() {
  wasm::Engine engine;
  auto module = wasm::Module::from_wat(engine, R"wat(
    (module
      (func $fac (export "fac") (param $n i64) (result i64)
        (if (result i64) (i64.eqz (local.get $n))
          (then (i64.const 1))
          (else (i64.mul (local.get $n) (call $fac (i64.sub (local.get $n) (i64.const 1))))))))
  )wat");
  if (!module) {
    std::fprintf(stderr, "%s\n", module.error().to_string().c_str());
    return 1;
  }
  wasm::Store<> store(engine);
  wasm::Linker<> linker(engine);
  auto instance = linker.instantiate(store, *module);
  if (!instance) return 1;
  auto fac = instance->get_typed_func<int64_t, int64_t>(store, "fac");
  if (!fac) return 1;
  auto r = fac->call(store, 20);
  if (!r || *r != 2432902008176640000) return 1;
  std::printf("fac(20) = %lld\n", static_cast<long long>(*r));

  // A mistake in the text: the error says where.
  auto bad = wasm::Module::from_wat(engine, "(module (func (i32.add (i32.const 1)))) oops");
  if (bad) return 1;
  std::printf("%s\n", bad.error().to_string().c_str());
  return 0;
}
