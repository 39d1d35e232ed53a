/* Guaranteed tail calls in real code: a lexer whose states call each other once per input
 * byte, a threaded bytecode interpreter whose handlers jump to the next one through a table,
 * and a mutual recursion a few million deep. Every transition is a musttail call, so the
 * stack stays flat; without tail calls (return_call / return_call_indirect in the wasm build)
 * each run would need millions of frames and exhaust the stack. */
//! WASM_CFLAGS: -mtail-call
//! WASMPP_FLAGS: --enable-tail-call
//! WASM_HAS: return_call
//! WASM_HAS: return_call_indirect
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

/* gcc 12 has no musttail; at -O2 it turns these same-signature calls into jumps anyway. */
#if defined(__has_attribute)
#if __has_attribute(musttail)
#define MUSTTAIL __attribute__((musttail))
#endif
#endif
#ifndef MUSTTAIL
#define MUSTTAIL
#endif
/* Kept out of line so that the compiler cannot fold a chain of states into one loop. */
#define STATE __attribute__((noinline)) static

/* ---- lexer: one state function per lexical context, one tail call per byte ---- */

typedef struct {
  uint32_t idents, numbers, strings, comments, puncts, newlines;
  uint64_t hash;  /* of token kinds and lengths, in order */
  const unsigned char* start;  /* of the current token */
} Lexer;

typedef uint64_t State(Lexer* lx, const unsigned char* p);
static State st_space, st_ident, st_number, st_string, st_comment, st_comment_end;

static uint64_t emit(Lexer* lx, unsigned kind, const unsigned char* end) {
  return lx->hash = (lx->hash ^ (kind * 1000003u + (uint64_t)(end - lx->start))) * 0x100000001b3ull;
}

static int is_alpha(unsigned c) { return (c | 32) - 'a' < 26 || c == '_'; }
static int is_digit(unsigned c) { return c - '0' < 10; }

STATE uint64_t st_space(Lexer* lx, const unsigned char* p) {
  unsigned c = *p;
  lx->start = p;
  if (c == 0) return lx->hash;
  if (c == '\n') ++lx->newlines;
  if (c == ' ' || c == '\n') MUSTTAIL return st_space(lx, p + 1);
  if (is_alpha(c)) MUSTTAIL return st_ident(lx, p + 1);
  if (is_digit(c)) MUSTTAIL return st_number(lx, p + 1);
  if (c == '"') MUSTTAIL return st_string(lx, p + 1);
  if (c == '/' && p[1] == '*') MUSTTAIL return st_comment(lx, p + 2);
  ++lx->puncts;
  emit(lx, 5, p + 1);
  MUSTTAIL return st_space(lx, p + 1);
}

STATE uint64_t st_ident(Lexer* lx, const unsigned char* p) {
  if (is_alpha(*p) || is_digit(*p)) MUSTTAIL return st_ident(lx, p + 1);
  ++lx->idents;
  emit(lx, 1, p);
  MUSTTAIL return st_space(lx, p);
}

STATE uint64_t st_number(Lexer* lx, const unsigned char* p) {
  if (is_digit(*p)) MUSTTAIL return st_number(lx, p + 1);
  ++lx->numbers;
  emit(lx, 2, p);
  MUSTTAIL return st_space(lx, p);
}

STATE uint64_t st_string(Lexer* lx, const unsigned char* p) {
  if (*p != '"' && *p != 0) MUSTTAIL return st_string(lx, p + 1);
  ++lx->strings;
  emit(lx, 3, p);
  MUSTTAIL return st_space(lx, *p ? p + 1 : p);
}

STATE uint64_t st_comment(Lexer* lx, const unsigned char* p) {
  if (*p == '*') MUSTTAIL return st_comment_end(lx, p + 1);
  if (*p == 0) MUSTTAIL return st_space(lx, p);
  MUSTTAIL return st_comment(lx, p + 1);
}

STATE uint64_t st_comment_end(Lexer* lx, const unsigned char* p) {
  if (*p == '/') {
    ++lx->comments;
    emit(lx, 4, p + 1);
    MUSTTAIL return st_space(lx, p + 1);
  }
  MUSTTAIL return st_comment(lx, p);
}

/* Source text from a fixed generator: identifiers, numbers, strings, comments, punctuation. */
enum { kTextSize = 3 << 20 };
static unsigned char text[kTextSize + 64];

static uint32_t rng_state = 12345;
static uint32_t rng(void) {
  rng_state = rng_state * 1103515245u + 12345u;
  return rng_state >> 8;
}

static void generate_text(void) {
  static const char* const words[] = {"state", "x1", "next_token", "_tmp", "Lexer", "i", "while", "return"};
  static const char puncts[] = "+-*=;(){}[],.<>";
  uint32_t n = 0;
  while (n < kTextSize) {
    uint32_t r = rng();
    switch (r % 8) {
      case 0: case 1: n += (uint32_t)sprintf((char*)text + n, "%s", words[(r >> 3) % 8]); break;
      case 2: n += (uint32_t)sprintf((char*)text + n, "%" PRIu32, (r >> 3) % 100000); break;
      case 3: n += (uint32_t)sprintf((char*)text + n, "\"s%" PRIu32 " t\"", (r >> 3) % 977); break;
      case 4: n += (uint32_t)sprintf((char*)text + n, "/* c%" PRIu32 "* / */", (r >> 3) % 31); break;
      case 5: text[n++] = (unsigned char)puncts[(r >> 3) % (sizeof puncts - 1)]; break;
      case 6: text[n++] = '\n'; break;
      default: text[n++] = ' '; break;
    }
  }
  text[kTextSize] = 0;
}

static void run_lexer(void) {
  generate_text();
  Lexer lx = {0};
  lx.hash = 0xcbf29ce484222325ull;
  uint64_t h = 0;
  for (int pass = 0; pass < 3; ++pass) h ^= st_space(&lx, text) + (uint64_t)pass;
  printf("lexer: %" PRIu32 " idents, %" PRIu32 " numbers, %" PRIu32 " strings, %" PRIu32 " comments, %" PRIu32
         " puncts, %" PRIu32 " newlines, hash %016" PRIx64 "\n",
         lx.idents, lx.numbers, lx.strings, lx.comments, lx.puncts, lx.newlines, h);
}

/* ---- threaded interpreter: each handler dispatches the next through a table ---- */

enum Op { LI, MOV, ADD, ADDI, MULI, SHRI, ANDI, JZ, JNE, JMP, HALT, kOps };
typedef struct {
  uint8_t op, d, a, b;
  int32_t imm;
} Insn;

typedef struct {
  uint64_t r[8];
  uint64_t dispatches;
} Machine;

typedef uint64_t Handler(Machine* m, const Insn* code, const Insn* pc);
static Handler* const handlers[kOps];

#define NEXT(target)                                       \
  do {                                                     \
    const Insn* next_ = (target);                          \
    ++m->dispatches;                                       \
    MUSTTAIL return handlers[next_->op](m, code, next_);   \
  } while (0)

#define HANDLER(name) static uint64_t name(Machine* m, const Insn* code, const Insn* pc)
#define R(field) m->r[pc->field]
#define IMM ((uint64_t)(int64_t)pc->imm)
HANDLER(op_li) { R(d) = IMM; NEXT(pc + 1); }
HANDLER(op_mov) { R(d) = R(a); NEXT(pc + 1); }
HANDLER(op_add) { R(d) = R(a) + R(b); NEXT(pc + 1); }
HANDLER(op_addi) { R(d) = R(a) + IMM; NEXT(pc + 1); }
HANDLER(op_muli) { R(d) = R(a) * IMM; NEXT(pc + 1); }
HANDLER(op_shri) { R(d) = R(a) >> pc->imm; NEXT(pc + 1); }
HANDLER(op_andi) { R(d) = R(a) & IMM; NEXT(pc + 1); }
HANDLER(op_jz) { NEXT(R(a) == 0 ? code + pc->imm : pc + 1); }
HANDLER(op_jne) { NEXT(R(a) != R(b) ? code + pc->imm : pc + 1); }
HANDLER(op_jmp) { NEXT(code + pc->imm); }
HANDLER(op_halt) { (void)code; return R(d); }

static Handler* const handlers[kOps] = {op_li,  op_mov, op_add, op_addi, op_muli, op_shri,
                                        op_andi, op_jz,  op_jne, op_jmp,  op_halt};

/* Sums the Collatz path lengths of 1..39999 (r2) and folds each running total into a hash (r6). */
static const Insn program[] = {
    /* 0 */ {LI, 0, 0, 0, 1},       /* n = 1 */
    /* 1 */ {LI, 2, 0, 0, 0},       /* total steps */
    /* 2 */ {LI, 3, 0, 0, 40000},   /* limit */
    /* 3 */ {LI, 5, 0, 0, 1},       /* constant 1 */
    /* 4 */ {LI, 6, 0, 0, 7},       /* hash */
    /* 5 */ {MOV, 1, 0, 0, 0},      /* outer: x = n */
    /* 6 */ {JNE, 0, 1, 5, 8},      /* inner: x != 1 -> step */
    /* 7 */ {JMP, 0, 0, 0, 16},
    /* 8 */ {ANDI, 4, 1, 0, 1},     /* step */
    /* 9 */ {JZ, 0, 4, 0, 13},
    /* 10 */ {MULI, 1, 1, 0, 3},    /* odd: x = 3x + 1 */
    /* 11 */ {ADDI, 1, 1, 0, 1},
    /* 12 */ {JMP, 0, 0, 0, 14},
    /* 13 */ {SHRI, 1, 1, 0, 1},    /* even: x /= 2 */
    /* 14 */ {ADDI, 2, 2, 0, 1},    /* ++steps */
    /* 15 */ {JMP, 0, 0, 0, 6},
    /* 16 */ {MULI, 6, 6, 0, 31},   /* hash = hash * 31 + total */
    /* 17 */ {ADD, 6, 6, 2, 0},
    /* 18 */ {ADDI, 0, 0, 0, 1},    /* ++n */
    /* 19 */ {JNE, 0, 0, 3, 5},     /* n != limit -> outer */
    /* 20 */ {HALT, 6, 0, 0, 0},
};

static void run_interpreter(void) {
  Machine m = {{0}, 0};
  uint64_t hash = handlers[program[0].op](&m, program, program);
  printf("interpreter: %" PRIu64 " dispatches, total steps %" PRIu64 ", hash %016" PRIx64 "\n", m.dispatches, m.r[2],
         hash);
}

/* ---- mutual recursion: parity by counting down, millions deep ---- */

static uint32_t is_odd(uint32_t n, uint32_t acc);
STATE uint32_t is_even(uint32_t n, uint32_t acc) {
  if (n == 0) return acc;
  MUSTTAIL return is_odd(n - 1, acc * 3 + 1);
}
STATE uint32_t is_odd(uint32_t n, uint32_t acc) {
  if (n == 0) return acc ^ 0x80000000u;
  MUSTTAIL return is_even(n - 1, acc + 7);
}

int main(void) {
  run_lexer();
  run_interpreter();
  volatile uint32_t depth = 5000001;  /* volatile: keep the chain from being folded */
  printf("parity: %08" PRIx32 " %08" PRIx32 "\n", is_even(depth, 1), is_even(depth - 1, 1));
  return 0;
}
