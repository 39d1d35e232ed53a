/* Base64 (RFC 4648 section 4), with padding; the decoder skips line breaks and rejects
 * anything else that is not in the alphabet, and padding in the middle. */
#include "wpack.h"

static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void base64_encode(const uint8_t* p, size_t n, Buf* out, int wrap) {
  size_t column = 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16;
    if (i + 1 < n) v |= (uint32_t)p[i + 1] << 8;
    if (i + 2 < n) v |= p[i + 2];
    buf_byte(out, (uint8_t)kAlphabet[v >> 18]);
    buf_byte(out, (uint8_t)kAlphabet[(v >> 12) & 63]);
    buf_byte(out, i + 1 < n ? (uint8_t)kAlphabet[(v >> 6) & 63] : '=');
    buf_byte(out, i + 2 < n ? (uint8_t)kAlphabet[v & 63] : '=');
    column += 4;
    if (wrap && column >= 76) {
      buf_byte(out, '\n');
      column = 0;
    }
  }
  if (wrap && column) buf_byte(out, '\n');
}

static int b64_value(uint8_t c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

int base64_decode(const uint8_t* p, size_t n, Buf* out) {
  uint32_t acc = 0;
  int have = 0, pad = 0;
  for (size_t i = 0; i < n; ++i) {
    uint8_t c = p[i];
    if (c == '\n' || c == '\r') continue;
    if (c == '=') {
      ++pad;
      continue;
    }
    int v = b64_value(c);
    if (v < 0 || pad) return -1; /* a stray byte, or data after padding */
    acc = acc << 6 | (uint32_t)v;
    if (++have == 4) {
      buf_byte(out, (uint8_t)(acc >> 16));
      buf_byte(out, (uint8_t)(acc >> 8));
      buf_byte(out, (uint8_t)acc);
      acc = 0;
      have = 0;
    }
  }
  /* A final group of 2 or 3 characters carries 1 or 2 bytes and needs matching padding. */
  if (have == 1 || (have && have + pad != 4) || (!have && pad)) return -1;
  if (have >= 2) buf_byte(out, (uint8_t)(acc >> (have == 2 ? 4 : 10)));
  if (have == 3) buf_byte(out, (uint8_t)(acc >> 2));
  return 0;
}
