/* Branchy: parsing. Generates arithmetic expressions and a JSON document as text, then parses
 * them many times: a recursive-descent expression evaluator (wrapping 32-bit arithmetic) and a
 * JSON scanner that validates and summarises the document.
 * Usage: parser [ROUNDS] */
#include "common.h"

typedef struct {
  char* buf;
  uint32_t len, cap;
} Text;

static void put(Text* t, char c) {
  if (t->len + 1 >= t->cap) {
    t->cap = t->cap ? t->cap * 2 : 4096;
    t->buf = realloc(t->buf, t->cap);
    if (!t->buf) exit(1);
  }
  t->buf[t->len++] = c;
  t->buf[t->len] = 0;
}
static void puts_(Text* t, const char* s) { while (*s) put(t, *s++); }
static void put_u32(Text* t, uint32_t v) {
  char tmp[12];
  int n = 0;
  do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
  while (n) put(t, tmp[--n]);
}

static void gen_expr(Text* t, uint32_t depth) {
  uint32_t r = rng_below(depth ? 10 : 2);
  if (r < 2) {
    put_u32(t, rng_below(r ? 100000 : 10));
  } else if (r == 2) {
    put(t, '-');
    gen_expr(t, depth - 1);
  } else if (r == 3) {
    put(t, '(');
    gen_expr(t, depth - 1);
    put(t, ')');
  } else {
    static const char ops[] = "+-*/%+*-";
    gen_expr(t, depth - 1);
    if (rng_below(2)) put(t, ' ');
    put(t, ops[rng_below(8)]);
    if (rng_below(2)) put(t, ' ');
    gen_expr(t, depth - 1);
  }
}

typedef struct {
  const char* p;
} Cursor;

static void skip_ws(Cursor* c) { while (*c->p == ' ') ++c->p; }
static uint32_t parse_sum(Cursor* c);
static uint32_t parse_atom(Cursor* c) {
  skip_ws(c);
  if (*c->p == '-') { ++c->p; return 0u - parse_atom(c); }
  if (*c->p == '(') {
    ++c->p;
    uint32_t v = parse_sum(c);
    skip_ws(c);
    if (*c->p == ')') ++c->p;
    return v;
  }
  uint32_t v = 0;
  while (*c->p >= '0' && *c->p <= '9') v = v * 10 + (uint32_t)(*c->p++ - '0');
  return v;
}
static uint32_t parse_product(Cursor* c) {
  uint32_t v = parse_atom(c);
  for (;;) {
    skip_ws(c);
    char op = *c->p;
    if (op != '*' && op != '/' && op != '%') return v;
    ++c->p;
    uint32_t rhs = parse_atom(c);
    if (op == '*') v *= rhs;
    else if (op == '/') v = rhs ? v / rhs : 0;
    else v = rhs ? v % rhs : v;
  }
}
static uint32_t parse_sum(Cursor* c) {
  uint32_t v = parse_product(c);
  for (;;) {
    skip_ws(c);
    char op = *c->p;
    if (op != '+' && op != '-') return v;
    ++c->p;
    uint32_t rhs = parse_product(c);
    v = op == '+' ? v + rhs : v - rhs;
  }
}

static void gen_json(Text* t, uint32_t depth) {
  uint32_t r = rng_below(depth ? 8 : 4);
  switch (r) {
    case 0: put_u32(t, rng32()); break;
    case 1:
      put(t, '"');
      for (uint32_t n = rng_below(12); n; --n) {
        uint32_t k = rng_below(40);
        if (k == 0) puts_(t, "\\n");
        else if (k == 1) puts_(t, "\\\"");
        else put(t, (char)('a' + k % 26));
      }
      put(t, '"');
      break;
    case 2: puts_(t, rng_below(2) ? "true" : "null"); break;
    case 3: put(t, '-'); put_u32(t, rng_below(1000)); put(t, '.'); put_u32(t, rng_below(1000)); break;
    case 4: case 5: {
      put(t, '[');
      for (uint32_t n = rng_below(6), i = 0; i < n; ++i) {
        if (i) put(t, ',');
        gen_json(t, depth - 1);
      }
      put(t, ']');
      break;
    }
    default: {
      put(t, '{');
      for (uint32_t n = rng_below(6), i = 0; i < n; ++i) {
        if (i) puts_(t, ", ");
        put(t, '"');
        put(t, (char)('a' + i));
        put_u32(t, rng_below(100));
        puts_(t, "\": ");
        gen_json(t, depth - 1);
      }
      put(t, '}');
    }
  }
}

typedef struct {
  uint32_t objects, arrays, strings, numbers, literals, keys, max_depth;
  uint64_t number_hash;
} JsonStats;

/* Returns the position after the value, or NULL on a syntax error. */
static const char* scan_json(const char* p, uint32_t depth, JsonStats* s) {
  while (*p == ' ' || *p == '\n') ++p;
  if (depth > s->max_depth) s->max_depth = depth;
  switch (*p) {
    case '{':
    case '[': {
      int obj = *p == '{';
      char close = obj ? '}' : ']';
      if (obj) s->objects++; else s->arrays++;
      ++p;
      while (*p == ' ') ++p;
      if (*p == close) return p + 1;
      for (;;) {
        if (obj) {
          while (*p == ' ') ++p;
          if (*p != '"') return NULL;
          p = scan_json(p, depth + 1, s);
          if (!p) return NULL;
          s->strings--;
          s->keys++;
          while (*p == ' ') ++p;
          if (*p++ != ':') return NULL;
        }
        p = scan_json(p, depth + 1, s);
        if (!p) return NULL;
        while (*p == ' ') ++p;
        if (*p == ',') { ++p; continue; }
        if (*p == close) return p + 1;
        return NULL;
      }
    }
    case '"':
      s->strings++;
      for (++p; *p != '"'; ++p) {
        if (!*p) return NULL;
        if (*p == '\\') ++p;
      }
      return p + 1;
    case 't': if (strncmp(p, "true", 4)) return NULL; s->literals++; return p + 4;
    case 'n': if (strncmp(p, "null", 4)) return NULL; s->literals++; return p + 4;
    default: {
      uint64_t v = 0;
      int neg = *p == '-';
      if (neg) ++p;
      if (*p < '0' || *p > '9') return NULL;
      while ((*p >= '0' && *p <= '9') || *p == '.') {
        if (*p != '.') v = v * 10 + (uint64_t)(*p - '0');
        ++p;
      }
      s->numbers++;
      s->number_hash = mix64(s->number_hash, neg ? ~v : v);
      return p;
    }
  }
}

int main(int argc, char** argv) {
  uint32_t rounds = arg_u32(argc, argv, 1, 900);
  enum { kExprs = 2000 };
  Text exprs = {0}, json = {0};
  uint32_t starts[kExprs];
  for (uint32_t i = 0; i < kExprs; ++i) {
    starts[i] = exprs.len;
    gen_expr(&exprs, 3 + i % 6);
    put(&exprs, 0);
  }
  puts_(&json, "[");
  for (uint32_t i = 0; i < 300; ++i) {
    if (i) puts_(&json, ",\n");
    gen_json(&json, 7);
  }
  puts_(&json, "]");
  uint64_t h = mix64(exprs.len, json.len);
  for (uint32_t r = 0; r < rounds; ++r) {
    uint32_t acc = r;
    for (uint32_t i = 0; i < kExprs; ++i) {
      Cursor c = {exprs.buf + starts[i]};
      acc = acc * 31 + parse_sum(&c);
    }
    h = mix64(h, acc);
    JsonStats s = {0};
    const char* end = scan_json(json.buf, 0, &s);
    h = mix64(h, end ? (uint64_t)(end - json.buf) : 0);
    h = mix64(h, s.objects + 3 * s.arrays + 5 * s.strings + 7 * s.numbers + 11 * s.literals + 13 * s.keys);
    h = mix64(h, s.number_hash ^ s.max_depth);
  }
  print_checksum("parser", h);
  free(exprs.buf);
  free(json.buf);
  return 0;
}
