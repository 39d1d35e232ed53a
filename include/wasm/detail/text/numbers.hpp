#pragma once
// Number literals of the text format (spec 6.3.1): integers in decimal or hex with `_`
// separators between digits, and floats in decimal or hex notation, `inf`, `nan` and
// `nan:0x...`, with an optional sign. Each function takes the token text and returns false
// for text that is not a literal of that type; *range is set when the syntax was right but
// the value does not fit ("constant out of range").
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "wasm/detail/text/lexer.hpp"

namespace wasm::detail::text {

// Digits with single `_` between digits; value into *out, saturating flag in *overflow.
// `hex` selects base 16.
constexpr bool parse_digits(std::string_view s, bool hex, uint64_t* out, bool* overflow) {
  if (s.empty()) return false;
  uint64_t v = 0;
  bool over = false;
  bool last_digit = false;
  for (char c : s) {
    if (c == '_') {
      if (!last_digit) return false;
      last_digit = false;
      continue;
    }
    int d = hex ? hex_digit(uint8_t(c)) : (c >= '0' && c <= '9' ? c - '0' : -1);
    if (d < 0) return false;
    uint64_t base = hex ? 16 : 10;
    if (v > (UINT64_MAX - uint64_t(d)) / base) over = true;
    v = v * base + uint64_t(d);
    last_digit = true;
  }
  if (!last_digit) return false;
  *out = v;
  *overflow = over;
  return true;
}

// An unsigned literal (no sign) up to `max`: memory limits, indices, offset=, align=.
constexpr bool parse_unsigned(std::string_view s, uint64_t max, uint64_t* out, bool* range) {
  *range = false;
  bool hex = s.size() > 2 && s[0] == '0' && s[1] == 'x';
  bool overflow = false;
  if (!parse_digits(hex ? s.substr(2) : s, hex, out, &overflow)) return false;
  if (overflow || *out > max) *range = true;
  return true;
}

// An iN literal (N = bits <= 64): unsigned up to 2^N-1 or signed from -2^(N-1); the result is
// the N-bit pattern zero-extended into 64 bits.
constexpr bool parse_int(std::string_view s, unsigned bits, uint64_t* out, bool* range) {
  *range = false;
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  uint64_t v = 0;
  bool hex = s.size() > 2 && s[0] == '0' && s[1] == 'x';
  bool overflow = false;
  if (!parse_digits(hex ? s.substr(2) : s, hex, &v, &overflow)) return false;
  uint64_t umax = bits == 64 ? UINT64_MAX : (uint64_t(1) << bits) - 1;
  uint64_t neg_max = uint64_t(1) << (bits - 1);
  if (overflow || (neg ? v > neg_max : v > umax)) {
    *range = true;
    return true;
  }
  if (neg) v = uint64_t(0) - v;
  *out = v & umax;
  return true;
}

namespace number_detail {

// Copies s without underscores into buf (NUL-terminated). Checks each `_` is between digits.
inline bool strip_underscores(std::string_view s, bool hex, std::string& buf) {
  buf.clear();
  char prev = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_') {
      char next = i + 1 < s.size() ? s[i + 1] : 0;
      auto digit = [&](char d) {
        return hex ? hex_digit(uint8_t(d)) >= 0 : (d >= '0' && d <= '9');
      };
      if (!digit(prev) || !digit(next)) return false;
    } else {
      buf += c;
    }
    prev = c;
  }
  return true;
}

// Checks the float grammar: num ('.' num?)? ([eE] sign? num)? or the hex form with [pP].
inline bool float_syntax(std::string_view s, bool hex) {
  size_t i = 0;
  auto digit = [&](char c) { return hex ? hex_digit(uint8_t(c)) >= 0 : (c >= '0' && c <= '9'); };
  auto num = [&](bool dec_only) {
    size_t start = i;
    bool last = false;
    while (i < s.size()) {
      char c = s[i];
      bool d = dec_only ? (c >= '0' && c <= '9') : digit(c);
      if (d) last = true;
      else if (c == '_' && last) last = false;
      else break;
      ++i;
    }
    return i > start && last;
  };
  if (!num(false)) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (i < s.size() && digit(s[i])) {
      if (!num(false)) return false;
    }
  }
  if (i < s.size() && (hex ? (s[i] == 'p' || s[i] == 'P') : (s[i] == 'e' || s[i] == 'E'))) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!num(true)) return false;
  }
  return i == s.size();
}

}  // namespace number_detail

// An fN literal (N = 32 or 64) as its bit pattern, correctly rounded (round to nearest even).
inline bool parse_float(std::string_view s, unsigned bits, uint64_t* out, bool* range) {
  *range = false;
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  const uint64_t sign = neg ? (bits == 32 ? 0x80000000ull : 0x8000000000000000ull) : 0;
  const unsigned mant_bits = bits == 32 ? 23 : 52;
  const uint64_t exp_all = bits == 32 ? 0x7F800000ull : 0x7FF0000000000000ull;
  if (s == "inf") {
    *out = sign | exp_all;
    return true;
  }
  if (s == "nan") {
    *out = sign | exp_all | (uint64_t(1) << (mant_bits - 1));
    return true;
  }
  if (s.substr(0, 6) == "nan:0x") {
    uint64_t payload = 0;
    bool overflow = false;
    if (!parse_digits(s.substr(6), true, &payload, &overflow)) return false;
    if (overflow || payload == 0 || payload >= (uint64_t(1) << mant_bits)) {
      *range = true;
      return true;
    }
    *out = sign | exp_all | payload;
    return true;
  }
  bool hex = s.size() > 2 && s[0] == '0' && s[1] == 'x';
  if (!number_detail::float_syntax(hex ? s.substr(2) : s, hex)) return false;
  thread_local std::string buf;
  if (!number_detail::strip_underscores(s, hex, buf)) return false;
  if (hex && buf.find_first_of("pP") == std::string::npos) buf += "p0";  // strtod needs none,
                                                                          // but keeps it exact
  errno = 0;
  char* end = nullptr;
  if (bits == 32) {
    float f = std::strtof(buf.c_str(), &end);
    if (std::isinf(f)) {
      *range = true;
      return true;
    }
    *out = sign | std::bit_cast<uint32_t>(f);
  } else {
    double d = std::strtod(buf.c_str(), &end);
    if (std::isinf(d)) {
      *range = true;
      return true;
    }
    *out = sign | std::bit_cast<uint64_t>(d);
  }
  return end == buf.c_str() + buf.size();
}

}  // namespace wasm::detail::text
