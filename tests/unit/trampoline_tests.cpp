// Entry trampolines, resume stubs, array trampolines, the code registry and the fault handler,
// exercised with small hand-assembled functions that follow the native convention.
#include <catch2/catch.hpp>

#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>
#include <xbyak/xbyak.h>

#include "wasm/detail/vm/store_data.hpp"
#include "wasm/detail/jit/trampolines.hpp"
#include "wasm/detail/vm/trap_handler.hpp"

using namespace wasm;
using namespace wasm::detail;

namespace {

// Just enough of a VMContext for the stubs: they only read the store-context pointer.
struct FakeVMContext {
  alignas(16) unsigned char bytes[64] = {};
  explicit FakeVMContext(VMStoreContext* sc) {
    std::memcpy(bytes + VMOffsets::store_context(), &sc, sizeof sc);
  }
  void* ptr() { return bytes; }
};

template <typename Body>
Stub assemble(Body body) {
  Xbyak::CodeGenerator g(4096, Xbyak::AutoGrow);
  body(g);
  return trampoline_detail::seal(g);
}

// Runs `code` through an entry trampoline (the wasm one unless told otherwise) as a host would.
template <typename R, typename... Args>
R enter_through(const void* entry, VMStoreContext& sc, FakeVMContext& vmctx, const void* code, Args... args) {
  TrapHandler::ensure_installed();
  sc.trap_code = 0;
  VMFuncRef target;
  target.code = const_cast<void*>(code);
  target.vmctx = static_cast<VMContext*>(vmctx.ptr());
  VMStoreContext* saved = current_store_context();
  current_store_context() = &sc;
  auto fn = reinterpret_cast<R (*)(const VMFuncRef*, void*, Args...)>(const_cast<void*>(entry));
  R r = fn(&target, vmctx.ptr(), args...);
  current_store_context() = saved;
  return r;
}
template <typename R, typename... Args>
R enter(VMStoreContext& sc, FakeVMContext& vmctx, const void* code, Args... args) {
  return enter_through<R>(EntryStubs::get().wasm_entry(), sc, vmctx, code, args...);
}

// A stand-in for the raise_trap builtin.
void raise_unreachable(void* vmctx) {
  VMStoreContext* sc;
  std::memcpy(&sc, static_cast<unsigned char*>(vmctx) + VMOffsets::store_context(), sizeof sc);
  record_trap(sc, TrapCode::UnreachableCodeReached, uintptr_t(__builtin_return_address(0)), 0);
  EntryStubs::get().unwind(uintptr_t(__builtin_frame_address(0)));
}

// The host's callee-saved registers around a call, as a test host sets them.
// A host stand-in written in assembly, so that it controls every callee-saved register:
//   uint64_t check(const void* entry, const VMFuncRef* target, void* caller, uint64_t arg)
// loads a distinct pattern into rbx, rbp and r12-r15, calls `entry` (target, caller, arg), and
// returns a bit mask of the registers that did not come back intact (bit i: kCalleeSaved[i]).
const Xbyak::Reg64 kCalleeSaved[] = {Xbyak::util::rbx, Xbyak::util::rbp, Xbyak::util::r12,
                                     Xbyak::util::r13, Xbyak::util::r14, Xbyak::util::r15};
uint64_t pattern(size_t i) { return 0x5eed'0000'0000'0000ull + (uint64_t(i + 1) << 20) + i; }

Stub make_register_checker() {
  return assemble([](Xbyak::CodeGenerator& g) {
    using namespace Xbyak::util;
    for (const auto& r : kCalleeSaved) g.push(r);
    g.sub(rsp, 8);
    g.mov(rax, rdi);
    g.mov(rdi, rsi);
    g.mov(rsi, rdx);
    g.mov(rdx, rcx);
    for (size_t i = 0; i < std::size(kCalleeSaved); ++i) g.mov(kCalleeSaved[i], pattern(i));
    g.call(rax);
    g.xor_(eax, eax);
    for (size_t i = 0; i < std::size(kCalleeSaved); ++i) {
      Xbyak::Label same;
      g.mov(r11, pattern(i));
      g.cmp(kCalleeSaved[i], r11);
      g.je(same);
      g.or_(eax, 1 << i);
      g.L(same);
    }
    g.add(rsp, 8);
    for (size_t i = std::size(kCalleeSaved); i-- > 0;) g.pop(kCalleeSaved[i]);
    g.ret();
  });
}

uint64_t call_checked(const Stub& checker, const void* entry, VMStoreContext& sc, FakeVMContext& vmctx,
                      const void* code, uint64_t arg) {
  TrapHandler::ensure_installed();
  sc.trap_code = 0;
  VMFuncRef target;
  target.code = const_cast<void*>(code);
  target.vmctx = static_cast<VMContext*>(vmctx.ptr());
  VMStoreContext* saved = current_store_context();
  current_store_context() = &sc;
  auto fn = reinterpret_cast<uint64_t (*)(const void*, const VMFuncRef*, void*, uint64_t)>(
      const_cast<void*>(checker.entry()));
  uint64_t mask = fn(entry, &target, vmctx.ptr(), arg);
  current_store_context() = saved;
  return mask;
}

// Scribbles over every callee-saved register, then traps from C++ the way host functions and
// builtins do: unwinding from its own frame.
void clobber_and_trap(void* vmctx, void*) {
  asm volatile("mov $1, %%rbx\n\tmov $2, %%r12\n\tmov $3, %%r13\n\tmov $4, %%r14\n\tmov $5, %%r15"
               ::: "rbx", "r12", "r13", "r14", "r15");
  VMStoreContext* sc;
  std::memcpy(&sc, static_cast<unsigned char*>(vmctx) + VMOffsets::store_context(), sizeof sc);
  record_trap(sc, TrapCode::HostError, 0, 0);
  EntryStubs::get().unwind(uintptr_t(__builtin_frame_address(0)));
}

}  // namespace

TEST_CASE("entry trampoline passes arguments and results through", "[trampoline]") {
  Stub add = assemble([](Xbyak::CodeGenerator& g) {
    g.lea(g.rax, g.ptr[g.rdx + g.rcx]);  // params 0 and 1 arrive in rdx, rcx
    g.ret();
  });
  VMStoreContext sc;
  FakeVMContext vmctx(&sc);
  CHECK(enter<int64_t>(sc, vmctx, add.entry(), int64_t(40), int64_t(2)) == 42);
  CHECK(enter_through<int64_t>(EntryStubs::get().host_entry(), sc, vmctx, add.entry(), int64_t(1), int64_t(2)) == 3);
  CHECK(sc.trap_code == 0);
}

TEST_CASE("a fault in registered JIT code becomes a trap and the host goes on", "[trampoline]") {
  void* guard = mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  REQUIRE(guard != MAP_FAILED);
  // rdx = the guard page, rcx = how many frames deep to recurse before faulting. Every frame
  // starts with the prologue of compiled code and then scribbles over all callee-saved
  // registers, so the unwind must take the host's from the first frame and the trampoline.
  Stub faulting = assemble([](Xbyak::CodeGenerator& g) {
    using namespace Xbyak::util;
    Xbyak::Label top, fault;
    g.L(top);
    jit::frame::emit_prologue(g);
    for (const auto& r : {rbx, r12, r13, r14, r15}) g.mov(r, 12345);
    g.dec(rcx);
    g.jz(fault);
    g.call(top);
    g.L(fault);
    g.mov(g.dword[rdx], 1);
    g.leave();
    g.ret();
  });
  uintptr_t begin = uintptr_t(faulting.entry());
  CodeRegistry::get().add(begin, begin + faulting.code.size(), &faulting);
  Stub checker = make_register_checker();
  VMStoreContext sc;
  FakeVMContext vmctx(&sc);
  for (uint64_t depth : {1, 2, 5, 1, 40}) {  // repeatedly: the handler must keep working
    INFO("depth " << depth);
    // The checker passes its last argument in rdx; the depth goes in rcx from here.
    Stub with_depth = assemble([&](Xbyak::CodeGenerator& g) {
      g.mov(g.rcx, depth);
      g.mov(g.rax, begin);
      g.jmp(g.rax);
    });
    uint64_t bad = call_checked(checker, EntryStubs::get().wasm_entry(), sc, vmctx, with_depth.entry(),
                                uint64_t(guard));
    CHECK(bad == 0);
    REQUIRE(sc.trap_code == uint32_t(TrapCode::MemoryOutOfBounds) + 1);
    CHECK(sc.backtrace.count == std::min<uint64_t>(depth, TrapBacktrace::kMaxFrames));
    CHECK(CodeRegistry::get().contains(sc.backtrace.pcs[0]));
  }
  CodeRegistry::get().remove(begin);
  munmap(guard, 4096);
}

TEST_CASE("a trap in host code called through the host entry restores every register", "[trampoline]") {
  Stub checker = make_register_checker();
  VMStoreContext sc;
  FakeVMContext vmctx(&sc);
  for (int i = 0; i < 3; ++i) {
    uint64_t bad = call_checked(checker, EntryStubs::get().host_entry(), sc, vmctx,
                                reinterpret_cast<const void*>(&clobber_and_trap), 0);
    CHECK(bad == 0);
    CHECK(sc.trap_code == uint32_t(TrapCode::HostError) + 1);
  }
}

TEST_CASE("entry_for picks the host entry for host function contexts", "[trampoline]") {
  VMStoreContext sc;
  FakeVMContext wasm_ctx(&sc);
  uint32_t magic = kVMContextMagic;
  std::memcpy(wasm_ctx.bytes, &magic, sizeof magic);
  VMHostContext host_ctx;
  VMFuncRef wasm_ref, host_ref;
  wasm_ref.vmctx = static_cast<VMContext*>(wasm_ctx.ptr());
  host_ref.vmctx = reinterpret_cast<VMContext*>(&host_ctx);
  CHECK(EntryStubs::get().entry_for(&wasm_ref) == EntryStubs::get().wasm_entry());
  CHECK(EntryStubs::get().entry_for(&host_ref) == EntryStubs::get().host_entry());
}

TEST_CASE("an explicit trap unwinds from a builtin called by JIT code", "[trampoline]") {
  Stub trapping = assemble([](Xbyak::CodeGenerator& g) {
    jit::frame::emit_prologue(g);
    g.mov(g.rax, reinterpret_cast<uintptr_t>(&raise_unreachable));
    g.call(g.rax);
    g.leave();
    g.ret();
  });
  uintptr_t begin = uintptr_t(trapping.entry());
  CodeRegistry::get().add(begin, begin + trapping.code.size(), &trapping);
  VMStoreContext sc;
  FakeVMContext vmctx(&sc);
  enter<int64_t>(sc, vmctx, trapping.entry());
  CHECK(sc.trap_code == uint32_t(TrapCode::UnreachableCodeReached) + 1);
  CodeRegistry::get().remove(begin);
}

TEST_CASE("array trampoline marshals every value class, stack arguments included", "[trampoline]") {
  // (i64 x 5, f64 x 9) -> f64: sums everything; the 5th i64 and the 9th f64 go on the stack.
  FuncType type;
  for (int i = 0; i < 5; ++i) type.params.push_back(ValType::I64);
  for (int i = 0; i < 9; ++i) type.params.push_back(ValType::F64);
  type.results = {ValType::F64};
  abi::CallLayout layout = abi::call_layout(type);
  REQUIRE(layout.params[3].kind == abi::ArgLocation::Kind::Gpr);
  REQUIRE(layout.params[4].kind == abi::ArgLocation::Kind::Stack);
  REQUIRE(layout.params[13].kind == abi::ArgLocation::Kind::Stack);
  Stub sum = assemble([](Xbyak::CodeGenerator& g) {
    using namespace Xbyak::util;
    g.mov(rax, rdx);
    g.add(rax, rcx);
    g.add(rax, r8);
    g.add(rax, r9);
    g.add(rax, g.qword[rsp + 8]);  // stack i64
    g.cvtsi2sd(xmm8, rax);
    for (int i = 0; i < 8; ++i) g.addsd(xmm8, Xbyak::Xmm(i));
    g.addsd(xmm8, g.qword[rsp + 16]);  // stack f64
    g.movapd(xmm0, xmm8);
    g.ret();
  });
  Stub tramp = make_array_to_native(type);
  ValRaw values[14];
  for (int i = 0; i < 5; ++i) values[i].i64 = i + 1;        // 15
  for (int i = 0; i < 9; ++i) values[5 + i].f64 = 0.5 * (i + 1);  // 22.5
  VMStoreContext sc;
  FakeVMContext vmctx(&sc);
  VMFuncRef target;
  target.code = const_cast<void*>(tramp.entry());
  target.vmctx = static_cast<VMContext*>(vmctx.ptr());
  auto entry = reinterpret_cast<void (*)(const VMFuncRef*, void*, const void*, ValRaw*)>(
      const_cast<void*>(EntryStubs::get().wasm_entry()));
  entry(&target, vmctx.ptr(), sum.entry(), values);
  CHECK(values[0].f64 == 37.5);
}

namespace {
uintptr_t last_exit_frame = 0;
void host_swap_add(void*, void*, ValRaw* values, uintptr_t exit_frame) {
  last_exit_frame = exit_frame;
  int64_t a = values[0].i64;
  double b = values[1].f64;
  values[0].f64 = b + 1;
  values[1].i64 = a + 1;
}
}  // namespace

TEST_CASE("native-to-array adapter returns multiple results through the results area", "[trampoline]") {
  FuncType type{{ValType::I64, ValType::F64}, {ValType::F64, ValType::I64}};
  Stub adapter = make_native_to_array(type, &host_swap_add);
  VMStoreContext sc;
  FakeVMContext vmctx(&sc);
  ValRaw results[2];
  // Called with the native convention: rdi, rsi, rdx = results area, rcx = i64, xmm0 = f64.
  auto fn = reinterpret_cast<void (*)(void*, void*, ValRaw*, int64_t, double)>(
      const_cast<void*>(adapter.entry()));
  fn(vmctx.ptr(), vmctx.ptr(), results, 41, 2.5);
  CHECK(results[0].f64 == 3.5);
  CHECK(results[1].i64 == 42);
  // The adapter's own frame, below this one; its return address leads back into this function.
  const uintptr_t here = uintptr_t(__builtin_frame_address(0));
  CHECK(last_exit_frame != 0);
  CHECK(last_exit_frame < here);
  CHECK(last_exit_frame > here - 4096);
}

TEST_CASE("faults outside JIT code go to the handler that was there before", "[trampoline]") {
  // In a child process: a handler of the host's, then ours on top, then a fault in plain C++.
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    alarm(10);  // a handler that swallowed the fault would re-fault forever
    struct sigaction host_handler = {};
    host_handler.sa_handler = [](int) { _exit(42); };
    sigaction(SIGSEGV, &host_handler, nullptr);
    TrapHandler::ensure_installed();
    volatile int* nowhere = static_cast<volatile int*>(mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    *nowhere = 1;  // not in JIT code: must reach the host's handler
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 42);
}

TEST_CASE("the code registry maps pcs to owners, also while it changes", "[trampoline]") {
  CodeRegistry& registry = CodeRegistry::get();
  // Addresses no real code uses (the registry only compares them).
  const uintptr_t base = uintptr_t(1) << 46;
  int owners[8] = {};
  registry.add(base + 0x1000, base + 0x2000, &owners[0]);
  registry.add(base + 0x3000, base + 0x3010, &owners[1]);
  CHECK(registry.lookup(base + 0x1000) == &owners[0]);
  CHECK(registry.lookup(base + 0x1fff) == &owners[0]);
  CHECK(registry.lookup(base + 0x2000) == nullptr);
  CHECK(registry.lookup(base + 0x0fff) == nullptr);
  CHECK(registry.lookup(base + 0x300f) == &owners[1]);
  CHECK(registry.lookup(base + 0x3010) == nullptr);

  // Readers on other threads always find the range that stays and never see a range of
  // another owner, while this thread adds and removes the others thousands of times.
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> wrong{0}, rounds_read{0};
  auto reader = [&] {
    while (!stop.load(std::memory_order_relaxed)) {
      if (registry.lookup(base + 0x1800) != &owners[0]) wrong++;
      for (int k = 2; k < 8; ++k) {
        const void* o = registry.lookup(base + 0x10000 * k + 8);
        if (o != nullptr && o != &owners[k]) wrong++;
      }
      rounds_read++;
    }
  };
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) readers.emplace_back(reader);
  // At least 2,000 writes, and on until the readers have overlapped with them for a while
  // (on a loaded machine they may start late).
  for (int round = 0; round < 2000 || rounds_read.load() < 2000; ++round) {
    int k = 2 + round % 6;
    registry.add(base + 0x10000 * k, base + 0x10000 * k + 16, &owners[k]);
    if (round % 3 == 0) registry.remove(base + 0x10000 * (2 + (round + 3) % 6));
  }
  stop = true;
  for (auto& t : readers) t.join();
  for (int k = 2; k < 8; ++k) registry.remove(base + 0x10000 * k);
  registry.remove(base + 0x1000);
  registry.remove(base + 0x3000);
  CHECK(wrong == 0);
  CHECK(rounds_read >= 2000);
  CHECK(registry.lookup(base + 0x1800) == nullptr);
}
