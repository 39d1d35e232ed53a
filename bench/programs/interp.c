/* Branchy: a bytecode interpreter. A stack machine with locals and a heap of cells runs two
 * programs written in its bytecode: a sieve of Eratosthenes and a nested-loop arithmetic
 * kernel. The dispatch is a switch in a loop.
 * Usage: interp [SCALE] */
#include "common.h"

enum {
  OP_HALT, OP_PUSH, OP_POP, OP_DUP, OP_LOAD, OP_STORE, OP_ADD, OP_SUB, OP_MUL, OP_DIVU, OP_REMU,
  OP_AND, OP_XOR, OP_SHL, OP_SHR, OP_LT, OP_EQ, OP_JMP, OP_JZ, OP_JNZ, OP_HLOAD, OP_HSTORE, OP_INC,
};

typedef struct {
  int32_t code[256];
  int32_t len;
} Program;

static void emit(Program* p, int32_t op) { p->code[p->len++] = op; }
static void emit2(Program* p, int32_t op, int32_t arg) { emit(p, op); emit(p, arg); }

static uint32_t run(const int32_t* code, uint32_t* locals, uint32_t* heap, uint64_t* steps) {
  uint32_t stack[64];
  int32_t sp = 0, pc = 0;
  uint64_t n = 0;
  for (;;) {
    ++n;
    int32_t op = code[pc++];
    switch (op) {
      case OP_HALT: *steps += n; return sp > 0 ? stack[sp - 1] : 0;
      case OP_PUSH: stack[sp++] = (uint32_t)code[pc++]; break;
      case OP_POP: --sp; break;
      case OP_DUP: stack[sp] = stack[sp - 1]; ++sp; break;
      case OP_LOAD: stack[sp++] = locals[code[pc++]]; break;
      case OP_STORE: locals[code[pc++]] = stack[--sp]; break;
      case OP_ADD: --sp; stack[sp - 1] += stack[sp]; break;
      case OP_SUB: --sp; stack[sp - 1] -= stack[sp]; break;
      case OP_MUL: --sp; stack[sp - 1] *= stack[sp]; break;
      case OP_DIVU: --sp; stack[sp - 1] = stack[sp] ? stack[sp - 1] / stack[sp] : 0; break;
      case OP_REMU: --sp; stack[sp - 1] = stack[sp] ? stack[sp - 1] % stack[sp] : 0; break;
      case OP_AND: --sp; stack[sp - 1] &= stack[sp]; break;
      case OP_XOR: --sp; stack[sp - 1] ^= stack[sp]; break;
      case OP_SHL: --sp; stack[sp - 1] <<= (stack[sp] & 31); break;
      case OP_SHR: --sp; stack[sp - 1] >>= (stack[sp] & 31); break;
      case OP_LT: --sp; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
      case OP_EQ: --sp; stack[sp - 1] = stack[sp - 1] == stack[sp]; break;
      case OP_JMP: pc = code[pc]; break;
      case OP_JZ: pc = stack[--sp] ? pc + 1 : code[pc]; break;
      case OP_JNZ: pc = stack[--sp] ? code[pc] : pc + 1; break;
      case OP_HLOAD: stack[sp - 1] = heap[stack[sp - 1]]; break;
      case OP_HSTORE: sp -= 2; heap[stack[sp]] = stack[sp + 1]; break; /* addr value HSTORE */
      case OP_INC: locals[code[pc]] += 1; ++pc; break;
      default: *steps += n; return 0xDEADu;
    }
  }
}

/* locals: 0 = n, 1 = i, 2 = j, 3 = count. Counts primes below n. */
static void sieve_program(Program* p) {
  p->len = 0;
  emit2(p, OP_PUSH, 2); emit2(p, OP_STORE, 1);
  int32_t outer = p->len;                      /* while (i < n) */
  emit2(p, OP_LOAD, 1); emit2(p, OP_LOAD, 0); emit(p, OP_LT); emit2(p, OP_JZ, 0);
  int32_t exit_patch = p->len - 1;
  emit2(p, OP_LOAD, 1); emit(p, OP_HLOAD); emit2(p, OP_JNZ, 0); /* composite: skip */
  int32_t skip_patch = p->len - 1;
  emit2(p, OP_INC, 3);
  emit2(p, OP_LOAD, 1); emit(p, OP_DUP); emit(p, OP_MUL); emit2(p, OP_STORE, 2); /* j = i*i */
  int32_t inner = p->len;                      /* while (j < n) heap[j] = 1, j += i */
  emit2(p, OP_LOAD, 2); emit2(p, OP_LOAD, 0); emit(p, OP_LT); emit2(p, OP_JZ, 0);
  int32_t inner_exit = p->len - 1;
  emit2(p, OP_LOAD, 2); emit2(p, OP_PUSH, 1); emit(p, OP_HSTORE);
  emit2(p, OP_LOAD, 2); emit2(p, OP_LOAD, 1); emit(p, OP_ADD); emit2(p, OP_STORE, 2);
  emit2(p, OP_JMP, inner);
  p->code[inner_exit] = p->len;
  p->code[skip_patch] = p->len;
  emit2(p, OP_INC, 1);
  emit2(p, OP_JMP, outer);
  p->code[exit_patch] = p->len;
  emit2(p, OP_LOAD, 3);
  emit(p, OP_HALT);
}

/* locals: 0 = n, 1 = i, 2 = j, 3 = acc. acc = mix over i < n, j < 64 of (i*j ^ acc) etc. */
static void kernel_program(Program* p) {
  p->len = 0;
  emit2(p, OP_PUSH, 0); emit2(p, OP_STORE, 1);
  int32_t outer = p->len;
  emit2(p, OP_LOAD, 1); emit2(p, OP_LOAD, 0); emit(p, OP_LT); emit2(p, OP_JZ, 0);
  int32_t exit_patch = p->len - 1;
  emit2(p, OP_PUSH, 0); emit2(p, OP_STORE, 2);
  int32_t inner = p->len;
  emit2(p, OP_LOAD, 3); emit2(p, OP_LOAD, 1); emit2(p, OP_LOAD, 2); emit(p, OP_MUL); emit(p, OP_XOR);
  emit2(p, OP_PUSH, 5); emit(p, OP_SHL);
  emit2(p, OP_LOAD, 3); emit2(p, OP_PUSH, 27); emit(p, OP_SHR); emit(p, OP_XOR);
  emit2(p, OP_LOAD, 2); emit2(p, OP_PUSH, 7); emit(p, OP_REMU); emit(p, OP_ADD);
  emit2(p, OP_STORE, 3);
  emit2(p, OP_INC, 2);
  emit2(p, OP_LOAD, 2); emit2(p, OP_PUSH, 64); emit(p, OP_EQ); emit2(p, OP_JZ, inner);
  emit2(p, OP_INC, 1);
  emit2(p, OP_JMP, outer);
  p->code[exit_patch] = p->len;
  emit2(p, OP_LOAD, 3);
  emit(p, OP_HALT);
}

int main(int argc, char** argv) {
  uint32_t scale = arg_u32(argc, argv, 1, 12);
  uint32_t heap_cells = 1u << 20;
  uint32_t* heap = malloc(heap_cells * sizeof(uint32_t));
  if (!heap) return 1;
  Program sieve, kernel;
  sieve_program(&sieve);
  kernel_program(&kernel);
  uint64_t h = 0, steps = 0;
  for (uint32_t r = 0; r < scale; ++r) {
    uint32_t locals[8] = {0};
    memset(heap, 0, heap_cells * sizeof(uint32_t));
    locals[0] = heap_cells - r * 1000;
    h = mix64(h, run(sieve.code, locals, heap, &steps));
    uint32_t klocals[8] = {0};
    klocals[0] = 4000 + r;
    klocals[3] = r;
    h = mix64(h, run(kernel.code, klocals, heap, &steps));
  }
  h = mix64(h, steps);
  print_checksum("interp", h);
  free(heap);
  return 0;
}
