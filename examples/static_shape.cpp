// static_shape: when the module is known at compile time, its VMContext layout is too. The
// shape (counts of imports and definitions) comes from the embedded bytes in a constant
// expression, and so do the offsets that JIT code uses as displacements; host code can use
// them as constants as well.
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include <wasm.hpp>

namespace {
// (module
//   (import "env" "tick" (func $tick))
//   (memory (export "memory") 1)
//   (global $counter (export "counter") (mut i32) (i32.const 0))
//   (func (export "bump") (result i32)
//     (call $tick)
//     (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
//     (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
//     (global.get $counter)))
constexpr std::array<uint8_t, 143> kModule = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x60, 0x00, 0x00,
    0x60, 0x00, 0x01, 0x7f, 0x02, 0x0c, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x04, 0x74, 0x69,
    0x63, 0x6b, 0x00, 0x00, 0x03, 0x02, 0x01, 0x01, 0x05, 0x03, 0x01, 0x00, 0x01, 0x06,
    0x06, 0x01, 0x7f, 0x01, 0x41, 0x00, 0x0b, 0x07, 0x1b, 0x03, 0x06, 0x6d, 0x65, 0x6d,
    0x6f, 0x72, 0x79, 0x02, 0x00, 0x07, 0x63, 0x6f, 0x75, 0x6e, 0x74, 0x65, 0x72, 0x03,
    0x00, 0x04, 0x62, 0x75, 0x6d, 0x70, 0x00, 0x01, 0x0a, 0x1c, 0x01, 0x1a, 0x00, 0x10,
    0x00, 0x41, 0x00, 0x41, 0x00, 0x28, 0x02, 0x00, 0x41, 0x01, 0x6a, 0x36, 0x02, 0x00,
    0x23, 0x00, 0x41, 0x01, 0x6a, 0x24, 0x00, 0x23, 0x00, 0x0b, 0x00, 0x21, 0x04, 0x6e,
    0x61, 0x6d, 0x65, 0x01, 0x07, 0x01, 0x00, 0x04, 0x74, 0x69, 0x63, 0x6b, 0x02, 0x05,
    0x02, 0x00, 0x00, 0x01, 0x00, 0x07, 0x0a, 0x01, 0x00, 0x07, 0x63, 0x6f, 0x75, 0x6e,
    0x74, 0x65, 0x72,
};

constexpr wasm::ModuleShape kShape = wasm::module_shape_of(kModule);
using Offsets = wasm::StaticOffsets<kShape>;

// Checked by the compiler: one imported function, one defined memory, one defined global.
static_assert(kShape.num_imported_funcs == 1);
static_assert(kShape.num_defined_memories == 1 && kShape.num_defined_globals == 1);
// Defined memories come first after the fixed prefix, so memory 0's base has a short displacement.
static_assert(Offsets::value.memory_base(0) == 32);
static_assert(Offsets::value.size() % wasm::VMOffsets::kAlign == 0);
}  // namespace

int main() {
  wasm::Engine engine;
  auto module = wasm::Module::compile(engine, kModule);
  if (!module) return 1;
  // The same code computes the layout at run time from the decoded module: they agree.
  const wasm::VMOffsets& runtime = module->state()->offsets;
  if (runtime.size() != Offsets::value.size() || runtime.global(0) != Offsets::value.global(0)) return 1;

  wasm::Store<> store(engine);
  wasm::Linker<> linker(engine);
  int ticks = 0;
  linker.func_wrap("env", "tick", [&ticks]() { ++ticks; });
  auto instance = linker.instantiate(store, *module);
  if (!instance) return 1;
  auto bump = instance->get_typed_func<void, int32_t>(store, "bump");
  for (int i = 0; i < 3; ++i) (void)bump->call(store);

  // Read the instance's state through constant offsets into its VMContext, as JIT code does.
  const unsigned char* vmctx = reinterpret_cast<const unsigned char*>(store.inner().instances[instance->index()]->vmctx());
  uint8_t* memory_base;
  std::memcpy(&memory_base, vmctx + Offsets::value.memory_base(0), sizeof memory_base);
  int32_t counter;
  std::memcpy(&counter, vmctx + Offsets::value.global(0), sizeof counter);
  int32_t word0;
  std::memcpy(&word0, memory_base, sizeof word0);

  std::printf("VMContext: %u bytes; memory 0 base at +%u, global 0 at +%u\n", Offsets::value.size(),
              Offsets::value.memory_base(0), Offsets::value.global(0));
  std::printf("counter = %d, memory[0] = %d, ticks = %d\n", counter, word0, ticks);
  bool same_memory = memory_base == instance->get_memory(store, "memory")->data(store).data();
  return counter == 3 && word0 == 3 && ticks == 3 && same_memory ? 0 : 1;
}
