#pragma once
// The image of a module compiled lazily (Config::lazy_compilation): no function code at
// first, only, for each defined function, a stub that compiles it on its first call. The stub
// sits where the function's code would (so a pc in it maps to the function), and its entry
// points at it; the compiled code replaces it through the entry table (compiled_module.hpp),
// so later calls never see the stub.
//
// The stub of defined function i is `mov eax, i; jmp common`. The common stub keeps what the
// caller passed exactly as it was (rdi, rsi, rdx, rcx, r8, r9, xmm0-xmm7 and the stack
// arguments above the return address), calls compile(callee vmctx, i, frame), and jumps to the
// code it returns as if the caller had called that code. `frame` is the common stub's own
// frame: [frame] = the caller's rbp, [frame + 8] = the return address into the caller, the
// layout a builtin's frame has, so that compile() can trap on the caller's behalf.
#include <xbyak/xbyak.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "wasm/detail/binary/module_info.hpp"
#include "wasm/detail/jit/compiled_module.hpp"

namespace wasm::detail::jit {

using LazyCompileFn = const void* (*)(void* vmctx, uint32_t defined_index, void* frame);

namespace lazy_module_detail {

inline constexpr uint32_t kStubBytes = 10;  // mov eax, imm32 (5) + jmp rel32 (5)
// Spare address space past it stays within rel32 reach of the entry table.
inline constexpr uint64_t kMaxSpareBytes = uint64_t(1) << 30;

inline std::vector<uint8_t> common_stub(LazyCompileFn compile) {
  using namespace Xbyak::util;
  Xbyak::CodeGenerator a(1024);
  a.push(rbp);
  a.mov(rbp, rsp);  // rsp is 16-aligned now (8 mod 16 at the caller's call), and stays so below
  for (const Xbyak::Reg64& r : {rdi, rsi, rdx, rcx, r8, r9}) a.push(r);
  a.sub(rsp, 8 * 16);
  for (int k = 0; k < 8; ++k) a.movdqu(a.xword[rsp + 16 * k], Xbyak::Xmm(k));
  // rdi is already the callee's VMContext.
  a.mov(esi, eax);
  a.mov(rdx, rbp);
  a.mov(rax, reinterpret_cast<uintptr_t>(compile));
  a.call(rax);
  for (int k = 0; k < 8; ++k) a.movdqu(Xbyak::Xmm(k), a.xword[rsp + 16 * k]);
  a.add(rsp, 8 * 16);
  for (const Xbyak::Reg64& r : {r9, r8, rcx, rdx, rsi, rdi}) a.pop(r);
  a.pop(rbp);
  a.jmp(rax);
  return std::vector<uint8_t>(a.getCode(), a.getCode() + a.getSize());
}

}  // namespace lazy_module_detail

// The lazy image of `module` (see above); CompileStats::lazy is set.
inline Result<CompiledModule> lazy_module(const ModuleInfo& module, LazyCompileFn compile) {
  using namespace lazy_module_detail;
  const uint32_t n = module.num_defined_funcs();
  const std::vector<uint32_t> sizes(n, kStubBytes);
  std::vector<FunctionLocation> locations;
  uint64_t stubs_end = 0;
  if (!place_functions(sizes, locations, stubs_end)) return Error(ErrorKind::Resource, "module has too many functions");
  const std::vector<uint8_t> common = common_stub(compile);
  const uint64_t common_at = CompiledModule::thunks_offset(stubs_end);
  const uint64_t functions_end = common_at + common.size();
  const uint64_t thunks_at = CompiledModule::thunks_offset(functions_end);
  const uint64_t total = CompiledModule::image_size(functions_end, n);
  const int64_t entries = CompiledModule::entries_offset(total);
  if (entries + 8 * int64_t(n) > 0x7FFFFFFF) return Error(ErrorKind::Resource, "module has too many functions");

  // Room for every function's code once compiled, a page or more each, reserved now so that it
  // lies within reach of the entry table whatever the process maps meanwhile (memories' 8 GiB
  // reservations, say).
  uint64_t code_section_bytes = 0;
  for (const FunctionBody& body : module.bodies) code_section_bytes += body.size;
  const uint64_t spare = std::min<uint64_t>(kMaxSpareBytes, 16 * code_section_bytes + uint64_t(n) * kCodePageSize);
  CodeMemory code = CodeMemory::reserve(total, 8 * uint64_t(n), nullptr, spare);
  if (!code) return Error(ErrorKind::Resource, "out of memory for compiled code");
  uint8_t* image = code.writable();
  std::memset(image, 0xCC, total);
  for (uint32_t i = 0; i < n; ++i) {
    uint8_t* stub = image + locations[i].offset;
    stub[0] = 0xB8;  // mov eax, imm32
    std::memcpy(stub + 1, &i, 4);
    stub[5] = 0xE9;  // jmp rel32
    write_rel32(image, int64_t(locations[i].offset) + 6, int64_t(common_at));
  }
  std::memcpy(image + common_at, common.data(), common.size());
  emit_thunks(image, uint32_t(thunks_at), n, entries);
  if (!code.seal()) return Error(ErrorKind::Resource, "cannot make compiled code executable");

  CompileStats stats;
  stats.code_section_bytes = code_section_bytes;
  stats.machine_code_bytes = total;
  stats.lazy = true;
  return CompiledModule(std::move(code), std::move(locations), {}, module.num_imported_funcs, stats);
}

}  // namespace wasm::detail::jit
