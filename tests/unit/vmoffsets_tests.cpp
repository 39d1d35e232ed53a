// The VMContext layout: offsets from a shape written in code, from module bytes scanned at
// compile time and from a module decoded at run time must agree; the scan must refuse
// malformed bytes without ever reading out of bounds (checked in constant evaluation, where
// an out-of-bounds read would not compile).
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string_view>
#include <vector>

#include "wasm/detail/binary/decoder.hpp"
#include "wasm/detail/env/vm_records.hpp"
#include "wasm/module_shape.hpp"

using namespace wasm::detail;
using wasm::Features;

namespace {

// wat2wasm --enable-multi-memory of:
//   (module
//     (type (func (param i32) (result i32)))  (type (func))
//     (import "env" "f" (func (type 0)))       (import "env" "t" (table 1 10 funcref))
//     (import "env" "m" (memory 1))            (import "env" "g" (global i32))
//     (import "env" "h" (global (mut i64)))    (import "env" "k" (func (type 1)))
//     (func (type 1))  (func (type 0) local.get 0)
//     (table 2 externref)  (memory 1 2)  (memory 0)
//     (global f64 (f64.const 0))  (global (mut i32) (i32.const 7))
//     (global externref (ref.null extern))
//     (export "run" (func 3)))
constexpr std::array<uint8_t, 140> kModule{
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,  // header
    // type section: 2 types
    0x01, 0x09, 0x02, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x00,
    // import section: 6 imports
    0x02, 0x37, 0x06,
    0x03, 'e', 'n', 'v', 0x01, 'f', 0x00, 0x00,                    // func, type 0
    0x03, 'e', 'n', 'v', 0x01, 't', 0x01, 0x70, 0x01, 0x01, 0x0a,  // table funcref 1..10
    0x03, 'e', 'n', 'v', 0x01, 'm', 0x02, 0x00, 0x01,              // memory 1
    0x03, 'e', 'n', 'v', 0x01, 'g', 0x03, 0x7f, 0x00,              // global i32
    0x03, 'e', 'n', 'v', 0x01, 'h', 0x03, 0x7e, 0x01,              // global mut i64
    0x03, 'e', 'n', 'v', 0x01, 'k', 0x00, 0x01,                    // func, type 1
    // function section: 2 functions
    0x03, 0x03, 0x02, 0x01, 0x00,
    // table section: externref, min 2
    0x04, 0x04, 0x01, 0x6f, 0x00, 0x02,
    // memory section: 1..2, 0
    0x05, 0x06, 0x02, 0x01, 0x01, 0x02, 0x00, 0x00,
    // global section: f64, mut i32, externref
    0x06, 0x17, 0x03,
    0x7c, 0x00, 0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b,
    0x7f, 0x01, 0x41, 0x07, 0x0b,
    0x6f, 0x00, 0xd0, 0x6f, 0x0b,
    // export section: "run" = func 3
    0x07, 0x07, 0x01, 0x03, 'r', 'u', 'n', 0x00, 0x03,
    // code section: 2 bodies
    0x0a, 0x09, 0x02, 0x02, 0x00, 0x0b, 0x04, 0x00, 0x20, 0x00, 0x0b,
};

// Ends of kModule's header and sections, from wasm-objdump -h.
constexpr std::array<size_t, 9> kSectionEnds{8, 0x13, 0x4c, 0x51, 0x57, 0x5f, 0x78, 0x81, 0x8c};

constexpr ModuleShape kShape{
    .num_types = 2,
    .num_imported_funcs = 2,
    .num_imported_tables = 1,
    .num_imported_memories = 1,
    .num_imported_globals = 2,
    .num_defined_funcs = 2,
    .num_defined_tables = 1,
    .num_defined_memories = 2,
    .num_defined_globals = 3,
};

// Imports whose descriptors have unusual sizes, followed by a function import, so that a
// wrong skip shows up as a wrong count or an error: a tag, a shared memory (flags 3) and a
// memory64 (flags 5, u64 bounds; its maximum does not fit a u32).
constexpr std::array<uint8_t, 50> kOddImports{
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00,  // type section: () -> ()
    0x02, 0x22, 0x04,                    // import section: 4 imports
    0x01, 'a', 0x01, 't', 0x04, 0x00, 0x00,                                // tag, type 0
    0x01, 'a', 0x01, 's', 0x02, 0x03, 0x01, 0x02,                          // shared memory 1..2
    0x01, 'a', 0x01, 'w', 0x02, 0x05, 0x01, 0x80, 0x80, 0x80, 0x80, 0x10,  // i64 memory 1..2^32
    0x01, 'a', 0x01, 'f', 0x00, 0x00,                                      // func, type 0
};

constexpr std::span<const uint8_t> prefix(std::span<const uint8_t> bytes, size_t n) {
  return bytes.first(n);
}

// ---- Offsets of a shape written in code -------------------------------------------------

constexpr VMOffsets kOffsets{kShape};

// The fixed prefix: the same displacements for every module.
static_assert(VMOffsets::magic() == 0);
static_assert(VMOffsets::store_context() == 8);
static_assert(VMOffsets::builtins() == 16);
static_assert(VMOffsets::type_ids() == 24);
static_assert(VMOffsets(ModuleShape{}).begin(VMRegion::type_ids) == VMOffsets::type_ids());
static_assert(kOffsets.begin(VMRegion::store_context) == VMOffsets::store_context());

// Regions in the order of vmctx_layout.def, each right after the previous one.
static_assert(kOffsets.ok());
static_assert(kOffsets.memory(0) == 32 && kOffsets.memory(1) == 48);
static_assert(kOffsets.memory_base(0) == 32 && kOffsets.memory_length(0) == 40);
static_assert(kOffsets.memory_base(1) == 48 && kOffsets.memory_length(1) == 56);
static_assert(kOffsets.imported_function(0) == 64 && kOffsets.imported_function(1) == 80);
static_assert(kOffsets.imported_function_code(1) == 80);
static_assert(kOffsets.imported_function_vmctx(1) == 88);
static_assert(kOffsets.imported_table(0) == 96 && kOffsets.imported_table_vmctx(0) == 104);
static_assert(kOffsets.imported_memory(0) == 112 && kOffsets.imported_memory_from(0) == 112);
static_assert(kOffsets.imported_memory_vmctx(0) == 120);
static_assert(kOffsets.imported_global(0) == 128 && kOffsets.imported_global(1) == 136);
static_assert(kOffsets.table(0) == 144 && kOffsets.table_current_elements(0) == 152);
static_assert(kOffsets.global(0) == 160 && kOffsets.global(2) == 192);
static_assert(kOffsets.func_ref(0) == 208 && kOffsets.func_ref(3) == 280);
static_assert(kOffsets.func_ref_vmctx(3) == 288 && kOffsets.func_ref_type_id(3) == 296);
static_assert(kOffsets.size() == 304);

// Globals are 16-aligned even when the region before them ends on an 8-byte boundary.
constexpr VMOffsets kOneImportedGlobal{ModuleShape{.num_imported_globals = 1,
                                                   .num_defined_globals = 1}};
static_assert(kOneImportedGlobal.end(VMRegion::imported_globals) == 40);
static_assert(kOneImportedGlobal.global(0) == 48);
static_assert(kOneImportedGlobal.size() == 64);

// Empty modules still have the prefix, padded to the VMContext's alignment.
static_assert(VMOffsets(ModuleShape{}).size() == 32);
static_assert(VMOffsets::kAlign == 16);

// A shape usable as a template argument.
static_assert(StaticOffsets<kShape>::value == kOffsets);
static_assert(wasm::StaticOffsets<ModuleShape{.num_defined_memories = 1}>::value.memory_base(0) ==
              32);

// ---- Offsets of embedded module bytes -----------------------------------------------------

constexpr ScanResult kScan = scan_module_shape(kModule);
static_assert(kScan.ok());
static_assert(kScan.shape == kShape);
static_assert(VMOffsets(wasm::module_shape_of(kModule)) == kOffsets);
static_assert(VMOffsets(scan_module_shape(kModule).shape).memory_base(1) == 48);
static_assert(StaticOffsets<wasm::module_shape_of(kModule)>::value.func_ref(3) == 280);

constexpr ModuleShape kOddShape{.num_types = 1, .num_imported_funcs = 1,
                                .num_imported_memories = 2};
static_assert(scan_module_shape(kOddImports).shape == kOddShape);

// ---- Layout invariants, for any shape -----------------------------------------------------

// Regions in table order, none overlapping, every element aligned as its record requires,
// everything inside size(), and the prefix where the static accessors say.
constexpr bool layout_is_consistent(const ModuleShape& shape) {
  VMOffsets o(shape);
  if (!o.ok() || o.size() % VMOffsets::kAlign != 0) return false;
  uint32_t previous_end = 0;
  for (size_t i = 0; i < kNumVMRegions; ++i) {
    VMRegion region = VMRegion(i);
    const VMRegionInfo& info = region_info(region);
    if (o.begin(region) < previous_end || o.begin(region) % info.align != 0) return false;
    if (o.end(region) > o.size()) return false;
    if (o.count(region) > 0) {
      uint32_t last = o.element(region, o.count(region) - 1);
      if (last % info.align != 0 || last + info.element_size != o.end(region)) return false;
    }
    previous_end = o.end(region);
  }
  return o.begin(VMRegion::magic) == VMOffsets::magic() &&
         o.begin(VMRegion::store_context) == VMOffsets::store_context() &&
         o.begin(VMRegion::builtins) == VMOffsets::builtins() &&
         o.begin(VMRegion::type_ids) == VMOffsets::type_ids();
}
static_assert(layout_is_consistent(ModuleShape{}));
static_assert(layout_is_consistent(kShape));
static_assert(layout_is_consistent(kOddShape));

// ---- Malformed bytes ----------------------------------------------------------------------

template <size_t N>
constexpr std::string_view scan_error(const std::array<uint8_t, N>& bytes) {
  ScanResult r = scan_module_shape(bytes);
  return r.ok() ? std::string_view("<ok>") : std::string_view(r.error);
}

// Builds header + one section; sizes are one-byte LEBs in these tests.
template <size_t N>
constexpr auto with_header(const std::array<uint8_t, N>& rest) {
  std::array<uint8_t, N + 8> out{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  for (size_t i = 0; i < N; ++i) out[8 + i] = rest[i];
  return out;
}
template <typename... B>
constexpr auto module_of(B... bytes) {
  return with_header(std::array<uint8_t, sizeof...(B)>{uint8_t(bytes)...});
}

static_assert(scan_error(std::array<uint8_t, 0>{}) == "unexpected end");
static_assert(scan_error(std::array<uint8_t, 6>{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00}) ==
              "unexpected end");
static_assert(scan_error(std::array<uint8_t, 8>{0x00, 0x61, 0x73, 0x6e, 0x01, 0x00, 0x00, 0x00}) ==
              "magic header not detected");
static_assert(scan_error(std::array<uint8_t, 8>{0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00}) ==
              "unknown binary version");
static_assert(scan_error(module_of()) == "<ok>");
// Section ids, sizes and order.
static_assert(scan_error(module_of(0x0e, 0x00)) == "malformed section id");
static_assert(scan_error(module_of(0x01, 0x05, 0x00)) == "length out of bounds");
static_assert(scan_error(module_of(0x01, 0x80)) == "unexpected end");
static_assert(scan_error(module_of(0x02, 0x01, 0x00, 0x01, 0x01, 0x00)) ==
              "unexpected content after last section");
static_assert(scan_error(module_of(0x05, 0x01, 0x00, 0x05, 0x01, 0x00)) ==  // two memory sections
              "unexpected content after last section");
static_assert(scan_error(module_of(0x05, 0x02, 0x00, 0x00)) == "section size mismatch");
static_assert(scan_error(module_of(0x00, 0x02, 0x05, 'a')) == "length out of bounds");  // custom
// Huge and overlong counts.
static_assert(scan_error(module_of(0x02, 0x05, 0xff, 0xff, 0xff, 0xff, 0x0f)) ==
              "length out of bounds");
static_assert(scan_error(module_of(0x03, 0x06, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00)) ==
              "integer representation too long");
static_assert(scan_error(module_of(0x03, 0x05, 0xff, 0xff, 0xff, 0xff, 0x7f)) ==
              "integer too large");
static_assert(scan_error(module_of(0x06, 0x05, 0xff, 0xff, 0xff, 0xff, 0x0f)) ==
              "length out of bounds");
// Import descriptors.
static_assert(scan_error(module_of(0x02, 0x06, 0x01, 0x00, 0x00, 0x05, 0x00, 0x00)) ==
              "malformed import kind");
static_assert(scan_error(module_of(0x02, 0x07, 0x01, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00)) ==
              "malformed reference type");
static_assert(scan_error(module_of(0x02, 0x07, 0x01, 0x00, 0x00, 0x01, 0x70, 0x02, 0x00)) ==
              "integer too large");  // limits flags are a u1/u2 in the grammar
static_assert(scan_error(module_of(0x02, 0x06, 0x01, 0x00, 0x00, 0x02, 0x10, 0x00)) ==
              "integer too large");
static_assert(scan_error(module_of(0x02, 0x06, 0x01, 0x00, 0x00, 0x03, 0x7f, 0x02)) ==
              "malformed mutability");
static_assert(scan_error(module_of(0x02, 0x06, 0x01, 0x00, 0x00, 0x03, 0x40, 0x00)) ==
              "malformed value type");
static_assert(scan_error(module_of(0x02, 0x06, 0x01, 0x00, 0x00, 0x04, 0x01, 0x00)) ==
              "zero byte expected");
static_assert(scan_error(module_of(0x02, 0x06, 0x01, 0x7f, 0x00, 0x00, 0x00, 0x00)) ==
              "length out of bounds");  // module name longer than the section
// Types, and functions without bodies.
static_assert(scan_error(module_of(0x01, 0x04, 0x01, 0x61, 0x00, 0x00)) ==
              "integer representation too long");  // the spec's message for a bad type form
static_assert(scan_error(module_of(0x01, 0x03, 0x01, 0x5f, 0x00)) == "<ok>");  // GC: an empty struct
static_assert(scan_error(module_of(0x01, 0x06, 0x01, 0x4e, 0x01, 0x5e, 0x78, 0x01)) == "<ok>");  // rec { array (mut i8) }
// A rec group of two function types counts two types.
constexpr auto kRecOfTwo = module_of(0x01, 0x09, 0x01, 0x4e, 0x02, 0x60, 0x00, 0x00, 0x60, 0x00, 0x00);
static_assert(scan_module_shape(kRecOfTwo).shape.num_types == 2);
static_assert(scan_error(module_of(0x01, 0x04, 0x01, 0x4d, 0x00, 0x00)) == "unsupported: custom descriptors");
static_assert(scan_error(module_of(0x03, 0x02, 0x01, 0x00)) ==
              "function and code section have inconsistent lengths");
static_assert(scan_error(module_of(0x0a, 0x01, 0x00)) == "<ok>");  // zero bodies, no functions

// The error offset is where the bad byte is, counted from the start of the module.
static_assert(scan_module_shape(module_of(0x02, 0x06, 0x01, 0x00, 0x00, 0x05, 0x00, 0x00))
                  .error_offset == 13);
// A failed scan reports no partial counts.
static_assert(scan_module_shape(module_of(0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x0e, 0x00)).shape ==
              ModuleShape{});

// Every prefix of kModule is scanned without reading past its end (this is a constant
// expression), and only the prefixes that end at a section boundary, with the function
// section's bodies present, are well formed.
constexpr bool truncations_fail_cleanly() {
  for (size_t n = 0; n <= kModule.size(); ++n) {
    ScanResult r = scan_module_shape(prefix(kModule, n));
    bool expect_ok = n == kSectionEnds[0] || n == kSectionEnds[1] || n == kSectionEnds[2] ||
                     n == kModule.size();
    if (r.ok() != expect_ok) return false;
    if (!r.ok() && (r.error == nullptr || r.error_offset > n)) return false;
  }
  return true;
}
static_assert(truncations_fail_cleanly());

// Every byte of kModule replaced by a few interesting values: no out-of-bounds read (again a
// constant expression), and a failure always points inside the module. One value per
// static_assert keeps each evaluation within clang's constexpr step limit.
constexpr bool mutations_fail_cleanly(uint8_t value) {
  for (size_t i = 0; i < kModule.size(); ++i) {
    std::array<uint8_t, kModule.size()> bytes = kModule;
    bytes[i] = value;
    ScanResult r = scan_module_shape(bytes);
    if (!r.ok() && r.error_offset > bytes.size()) return false;
    if (!r.ok() && !(r.shape == ModuleShape{})) return false;
  }
  return true;
}
static_assert(mutations_fail_cleanly(0x00));
static_assert(mutations_fail_cleanly(0x01));
static_assert(mutations_fail_cleanly(0x7f));
static_assert(mutations_fail_cleanly(0x80));
static_assert(mutations_fail_cleanly(0xff));

Features all_features() {
  Features f;
  f.multi_memory = f.memory64 = f.threads = f.exceptions = true;
  return f;
}

}  // namespace

TEST_CASE("offsets of a decoded module equal those of the same shape written statically",
          "[vmoffsets]") {
  std::vector<uint8_t> bytes(kModule.begin(), kModule.end());  // a run-time copy
  auto decoded = decode_module(bytes, all_features());
  REQUIRE(decoded);
  ModuleShape shape = shape_of(*decoded);
  CHECK(shape == kShape);

  VMOffsets runtime(shape);
  CHECK(runtime == kOffsets);
  CHECK(runtime == StaticOffsets<kShape>::value);
  CHECK(runtime.size() == 304);
  CHECK(runtime.memory_base(1) == kOffsets.memory_base(1));
  CHECK(runtime.func_ref_type_id(3) == 296);

  // The scan, run at run time on a heap copy, agrees with the decoder too.
  ScanResult scanned = scan_module_shape(bytes);
  REQUIRE(scanned.ok());
  CHECK(scanned.shape == shape);
}

TEST_CASE("shape_of reads the counts of a hand-filled ModuleInfo", "[vmoffsets]") {
  ModuleInfo m;
  m.types.resize(3);
  m.func_types = {0, 1, 2, 2, 2};
  m.num_imported_funcs = 1;
  m.tables.resize(2);
  m.num_imported_tables = 2;
  m.memories.resize(1);
  m.globals.resize(4);
  m.num_imported_globals = 1;
  ModuleShape expected{.num_types = 3,
                       .num_imported_funcs = 1,
                       .num_imported_tables = 2,
                       .num_imported_globals = 1,
                       .num_defined_funcs = 4,
                       .num_defined_memories = 1,
                       .num_defined_globals = 3};
  CHECK(shape_of(m) == expected);
  VMOffsets o(shape_of(m));
  CHECK(o.memory_base(0) == 32);
  CHECK(o.func_ref(4) == o.begin(VMRegion::func_refs) + 4 * sizeof(VMFuncRef));
}

TEST_CASE("the scan accepts what the decoder accepts, with the same shape", "[vmoffsets]") {
  // Mutate every byte of two modules to every value; whenever the full decoder (all features
  // on) accepts the result, the scan must accept it and count the same.
  for (std::span<const uint8_t> original :
       {std::span<const uint8_t>(kModule), std::span<const uint8_t>(kOddImports)}) {
    size_t decoded_count = 0;
    for (size_t i = 0; i < original.size(); ++i) {
      for (unsigned v = 0; v < 256; ++v) {
        std::vector<uint8_t> bytes(original.begin(), original.end());
        bytes[i] = uint8_t(v);
        ScanResult scanned = scan_module_shape(bytes);
        if (!scanned.ok()) CHECK(scanned.error_offset <= bytes.size());
        auto decoded = decode_module(bytes, all_features());
        if (!decoded) continue;
        ++decoded_count;
        INFO("byte " << i << " = " << v);
        REQUIRE(scanned.ok());
        REQUIRE(scanned.shape == shape_of(*decoded));
      }
    }
    CHECK(decoded_count > original.size());  // the comparison was not vacuous
  }
}

TEST_CASE("the scan fails with the decoder's message where both read the bad byte", "[vmoffsets]") {
  // Both read module structure through binary/module_reader.hpp: one message, one offset.
  Features all;
  all.enable_all();
  const std::vector<std::vector<uint8_t>> malformed = {
      {0x00, 0x61, 0x73, 0x6e, 0x01, 0x00, 0x00, 0x00},
      {0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00},
      {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x0e, 0x00},
      {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x00},
      {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, 0x01, 0x00, 0x05, 0x01, 0x00},
      {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, 0x02, 0x00, 0x00},
      {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x02, 0x06, 0x01, 0x00, 0x00, 0x05, 0x00, 0x00},
      {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x02, 0x07, 0x01, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00},
      {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x02, 0x06, 0x01, 0x00, 0x00, 0x02, 0x10, 0x00},
      {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x02, 0x06, 0x01, 0x00, 0x00, 0x03, 0x7f, 0x02},
      {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x02, 0x06, 0x01, 0x00, 0x00, 0x04, 0x01, 0x00},
      {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x61, 0x00, 0x00},
      {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x01, 0x40},
  };
  for (const std::vector<uint8_t>& bytes : malformed) {
    ScanResult scanned = scan_module_shape(bytes);
    auto decoded = decode_module(bytes, all);
    INFO("module of " << bytes.size() << " bytes, scan: " << (scanned.ok() ? "ok" : scanned.error));
    REQUIRE_FALSE(scanned.ok());
    REQUIRE_FALSE(decoded);
    CHECK(decoded.error().message() ==
          std::string(scanned.error) + " (at offset " + std::to_string(scanned.error_offset) + ")");
  }
}

TEST_CASE("the scan handles every truncation at run time as at compile time", "[vmoffsets]") {
  for (size_t n = 0; n < kModule.size(); ++n) {
    // A heap copy of exactly n bytes, so a sanitizer would see a read past the end.
    auto bytes = std::make_unique<uint8_t[]>(n + 1);
    std::memcpy(bytes.get(), kModule.data(), n);
    ScanResult r = scan_module_shape(std::span<const uint8_t>(bytes.get(), n));
    bool section_boundary = n == kSectionEnds[0] || n == kSectionEnds[1] || n == kSectionEnds[2];
    CHECK(r.ok() == section_boundary);
  }
}

TEST_CASE("a shape too large for 32-bit displacements is refused", "[vmoffsets]") {
  ModuleShape huge{.num_defined_funcs = 0xFFFFFFFF};  // 24 bytes each: about 96 GiB
  VMOffsets o(huge);
  CHECK_FALSE(o.ok());
  CHECK(o.size() == 0);
  CHECK(o.begin(VMRegion::func_refs) == 0);

  // The largest shape that still fits: func refs up to just below 2 GiB.
  uint32_t most = uint32_t((VMOffsets::kMaxSize - 32) / sizeof(VMFuncRef));
  CHECK(VMOffsets(ModuleShape{.num_defined_funcs = most}).ok());
  CHECK(VMOffsets(ModuleShape{.num_defined_funcs = most}).size() <= VMOffsets::kMaxSize);
  CHECK_FALSE(VMOffsets(ModuleShape{.num_defined_funcs = most + 1}).ok());
}

TEST_CASE("layout invariants hold across many shapes", "[vmoffsets]") {
  const uint32_t counts[] = {0, 1, 2, 3, 7, 100};
  size_t checked = 0;
  for (uint32_t a : counts) {
    for (uint32_t b : counts) {
      for (uint32_t c : counts) {
        ModuleShape s{.num_types = a,
                      .num_imported_funcs = b,
                      .num_imported_tables = c,
                      .num_imported_memories = a,
                      .num_imported_globals = c,
                      .num_defined_funcs = a,
                      .num_defined_tables = b,
                      .num_defined_memories = c,
                      .num_defined_globals = b};
        REQUIRE(layout_is_consistent(s));
        ++checked;
      }
    }
  }
  CHECK(checked == 216);
}

TEST_CASE("records written through VMOffsets read back through the C++ structs", "[vmoffsets]") {
  // A real VMContext-sized block, filled only through offsets and raw bytes as JIT code does,
  // then read as records: any disagreement between the table and the structs shows here.
  const VMOffsets o(kShape);
  auto* block = static_cast<unsigned char*>(
      ::operator new(o.size(), std::align_val_t(VMOffsets::kAlign)));
  std::memset(block, 0, o.size());
  auto put = [&](uint32_t offset, auto value) { std::memcpy(block + offset, &value, sizeof value); };

  uint8_t heap[16];
  put(VMOffsets::magic(), kVMContextMagic);
  put(o.memory_base(1), static_cast<uint8_t*>(heap));
  put(o.memory_length(1), uint64_t(65536));
  put(o.func_ref_type_id(2), uint32_t(0xABCD));
  put(o.func_ref_vmctx(2), reinterpret_cast<VMContext*>(block));
  put(o.table_current_elements(0), uint64_t(77));
  put(o.global(1), int32_t(-5));

  uint32_t magic;
  std::memcpy(&magic, block, 4);
  CHECK(std::memcmp(&magic, "wasm", 4) == 0);

  auto* memory = std::launder(reinterpret_cast<VMMemoryDefinition*>(block + o.memory(1)));
  CHECK(memory->base == heap);
  CHECK(memory->current_length == 65536);
  auto* ref = std::launder(reinterpret_cast<VMFuncRef*>(block + o.func_ref(2)));
  CHECK(ref->type_id == 0xABCD);
  CHECK(ref->vmctx == reinterpret_cast<VMContext*>(block));
  CHECK(ref->code == nullptr);
  auto* table = std::launder(reinterpret_cast<VMTableDefinition*>(block + o.table(0)));
  CHECK(table->current_elements == 77);
  auto* global = std::launder(reinterpret_cast<VMGlobalDefinition*>(block + o.global(1)));
  CHECK(reinterpret_cast<uintptr_t>(global) % alignof(VMGlobalDefinition) == 0);
  CHECK(global->get<int32_t>() == -5);

  ::operator delete(block, std::align_val_t(VMOffsets::kAlign));
}
