/* Known answers from the specifications (FIPS 180-4 examples, RFC 1321's test suite, RFC 4648
 * section 10, the CRC-32 check value "123456789"), hand-made deflate streams from RFC 1951's
 * block formats, and round trips of every compression level. A wrong answer is a broken build
 * or runtime, never a difference to accept. */
#include <stdio.h>
#include <string.h>

#include "wpack.h"

static int failures;

static void expect_digest(const char* algo, const char* input, const char* want) {
  uint8_t out[kMaxDigest];
  char got[2 * kMaxDigest + 1];
  size_t n = digest_named(algo, (const uint8_t*)input, strlen(input), out);
  hex_string(out, n, got);
  int ok = !strcmp(got, want);
  failures += !ok;
  printf("%-7s %-12.12s %s\n", algo, input, ok ? "ok" : "WRONG");
}

static void expect_base64(const char* input, const char* want) {
  Buf enc = {0}, dec = {0};
  base64_encode((const uint8_t*)input, strlen(input), &enc, 0);
  buf_byte(&enc, 0);
  int ok = !strcmp((const char*)enc.data, want);
  ok = ok && base64_decode((const uint8_t*)want, strlen(want), &dec) == 0 && dec.len == strlen(input) &&
       (dec.len == 0 || !memcmp(dec.data, input, dec.len));
  failures += !ok;
  printf("base64  %-12s %s\n", input, ok ? "ok" : "WRONG");
  buf_free(&enc);
  buf_free(&dec);
}

static void expect_base64_rejects(const char* input) {
  Buf dec = {0};
  int ok = base64_decode((const uint8_t*)input, strlen(input), &dec) != 0;
  failures += !ok;
  printf("base64  rejects %-8s %s\n", input, ok ? "ok" : "WRONG");
  buf_free(&dec);
}

static void expect_inflate(const char* label, const uint8_t* stream, size_t n, const char* want) {
  Buf out = {0};
  size_t used = inflate_data(stream, n, &out);
  int ok = used == n && out.len == strlen(want) && (out.len == 0 || !memcmp(out.data, want, out.len));
  failures += !ok;
  printf("inflate %-20s %s\n", label, ok ? "ok" : "WRONG");
  buf_free(&out);
}

static void round_trips(void) {
  static const char text[] = "Round trip, round trip, round trip: deflate must give back every byte. ";
  Buf input = {0};
  for (int i = 0; i < 200; ++i) buf_put(&input, text, sizeof text - 1 - (size_t)(i % 7));
  for (int i = 0; i < 5000; ++i) buf_byte(&input, (uint8_t)(i * i >> 3));
  for (int level = 0; level <= 9; ++level) {
    Buf packed = {0}, back = {0};
    deflate_compress(input.data, input.len, level, &packed);
    size_t used = inflate_data(packed.data, packed.len, &back);
    int ok = used == packed.len && back.len == input.len && !memcmp(back.data, input.data, input.len);
    ok = ok && (level == 0 || packed.len < input.len / 2);
    failures += !ok;
    printf("level %d: %zu -> %zu %s\n", level, input.len, packed.len, ok ? "ok" : "WRONG");
    buf_free(&packed);
    buf_free(&back);
  }
  buf_free(&input);
}

int self_test(void) {
  failures = 0;
  expect_digest("sha256", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  expect_digest("sha256", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  expect_digest("sha256", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  expect_digest("sha512", "abc",
                "ddaf35a193617abacc417349ae204131""12e6fa4e89a97ea20a9eeee64b55d39a"
                "2192992a274fc1a836ba3c23a3feebbd""454d4423643ce80e2a9ac94fa54ca49f");
  expect_digest("sha512", "",
                "cf83e1357eefb8bdf1542850d66d8007""d620e4050b5715dc83f4a921d36ce9ce"
                "47d0d13c5d85f2b0ff8318d2877eec2f""63b931bd47417a81a538327af927da3e");
  expect_digest("sha1", "", "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  expect_digest("sha1", "abc", "a9993e364706816aba3e25717850c26c9cd0d89d");
  expect_digest("sha1", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  expect_digest("md5", "", "d41d8cd98f00b204e9800998ecf8427e");
  expect_digest("md5", "a", "0cc175b9c0f1b6a831c399e269772661");
  expect_digest("md5", "abc", "900150983cd24fb0d6963f7d28e17f72");
  expect_digest("md5", "message digest", "f96b697d7cb7938d525a2f31aaf161d0");
  expect_digest("md5", "abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b");
  expect_digest("md5", "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
                "57edf4a22be3c955ac49da2e2107b67a");
  expect_digest("crc32", "123456789", "cbf43926");
  expect_digest("adler32", "Wikipedia", "11e60398");

  const char* b64[][2] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},       {"foo", "Zm9v"},
                          {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (size_t i = 0; i < sizeof b64 / sizeof b64[0]; ++i) expect_base64(b64[i][0], b64[i][1]);
  expect_base64_rejects("Zm9v!");
  expect_base64_rejects("Zg=a");
  expect_base64_rejects("Z");

  /* BFINAL=1 BTYPE=00, LEN 3, NLEN ~3, then the bytes. */
  static const uint8_t stored[] = {0x01, 0x03, 0x00, 0xfc, 0xff, 'a', 'b', 'c'};
  expect_inflate("stored block", stored, sizeof stored, "abc");
  /* BFINAL=1 BTYPE=01 and the 7-bit end-of-block code 0000000. */
  static const uint8_t empty_fixed[] = {0x03, 0x00};
  expect_inflate("empty fixed block", empty_fixed, sizeof empty_fixed, "");
  /* A non-final empty stored block, then a final stored block: blocks chain. */
  static const uint8_t two[] = {0x00, 0x00, 0x00, 0xff, 0xff, 0x01, 0x01, 0x00, 0xfe, 0xff, 'z'};
  expect_inflate("two stored blocks", two, sizeof two, "z");
  round_trips();
  printf("self test: %d failures\n", failures);
  return failures;
}
