// Encodes the module forms of .wast scripts with our text encoder (tests of the text format).
//
//   wast_modules encode FILE.wast OUTDIR   top-level text modules -> OUTDIR/<n>.wasm, where n
//                                          counts top-level (module ...) forms from 0
//   wast_modules check FILE.wast...        every file lexes; every top-level text module and
//                                          every module in assert_return/assert_trap-like
//                                          commands that must be well-formed encodes
// A minimal walker over script forms: the .wast layer proper (commands, results) lives in
// wasm/wast. Prints counts; exits non-zero on a failure.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "wasm/detail/text/wat.hpp"

using namespace wasm::detail::text;

namespace {

std::string read_file(const char* path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct Counts {
  int modules = 0, encoded = 0, failed = 0;
};

// At '(' module: returns true and encodes if it is a text module; skips other forms.
bool module_form(Parser& p, std::vector<uint8_t>& out, std::string& err, bool& is_text) {
  p.next();
  p.next();
  if (p.at_keyword("definition")) p.next();
  auto id = p.opt_id();
  is_text = !(p.at_keyword("binary") || p.at_keyword("quote") || p.at_keyword("instance"));
  if (!is_text) {
    p.skip_to_close();
    return true;
  }
  try {
    out = encode_module_fields(p, id, EncodeOptions{.names = false, .typed_function_refs = false});
    p.expect_rparen();
    return true;
  } catch (const ParseError& e) {
    err = e.to_string();
    // Resynchronise: skip to the end of the form by re-reading from its start is not
    // possible here; the caller stops this file.
    return false;
  }
}

int encode(const char* path, const std::string& outdir) {
  std::string src = read_file(path);
  Parser p(src);
  int n = 0;
  try {
    while (p.at(Tok::LParen)) {
      if (p.at_lparen_keyword("module")) {
        std::vector<uint8_t> bytes;
        std::string err;
        bool is_text = false;
        if (!module_form(p, bytes, err, is_text)) {
          std::printf("%s: module %d: %s\n", path, n, err.c_str());
          return 1;
        }
        if (is_text) {
          std::ofstream o(outdir + "/" + std::to_string(n) + ".wasm", std::ios::binary);
          o.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
        }
        ++n;
      } else {
        p.next();
        p.skip_to_close();
      }
    }
    if (!p.at(Tok::Eof)) p.fail_unexpected();
  } catch (const ParseError& e) {
    std::printf("%s: %s\n", path, e.to_string().c_str());
    return 1;
  }
  return 0;
}

// Walks every form; encodes top-level modules and modules inside commands other than
// assert_malformed / assert_invalid-like ones (which may be ill-formed on purpose).
void check_forms(Parser& p, const char* path, Counts& c, bool& file_ok) {
  while (p.at(Tok::LParen)) {
    std::string_view kw = p.lparen_keyword();
    if (kw == "module") {
      ++c.modules;
      std::vector<uint8_t> bytes;
      std::string err;
      bool is_text = false;
      LexPos m = p.mark();
      if (module_form(p, bytes, err, is_text)) {
        if (is_text) ++c.encoded;
      } else {
        ++c.failed;
        file_ok = false;
        std::printf("FAIL %s: %s\n", path, err.c_str());
        p.reset(m);
        p.next();
        p.skip_to_close();
      }
    } else if (kw == "assert_malformed" || kw == "assert_invalid" || kw == "assert_unlinkable" ||
               kw == "assert_malformed_custom" || kw == "assert_invalid_custom") {
      // assert_invalid modules must parse too, but stay out of the count of must-encode.
      p.next();
      p.skip_to_close();
    } else if (kw == "assert_trap" || kw == "assert_uninstantiable" || kw == "assert_return" ||
               kw == "assert_exhaustion" || kw == "assert_exception" || kw == "thread" ||
               kw == "invoke" || kw == "get" || kw == "register" || kw == "assert_suspension") {
      p.next();
      p.next();
      while (!p.at(Tok::RParen)) {
        if (p.at(Tok::LParen)) {
          std::string_view inner = p.lparen_keyword();
          if (inner == "module" || kw == "thread") {
            check_forms(p, path, c, file_ok);
            continue;
          }
          p.next();
          p.skip_to_close();
        } else {
          p.next();
        }
      }
      p.next();
    } else {
      p.next();
      p.skip_to_close();
    }
  }
}

int check(int argc, char** argv) {
  Counts c;
  int files = 0, lexed = 0;
  for (int i = 2; i < argc; ++i) {
    ++files;
    std::string src = read_file(argv[i]);
    Lexer lx(src);
    bool ok = true;
    while (true) {
      Token t = lx.next();
      if (t.kind == Tok::Error) {
        std::printf("LEX FAIL %s:%u:%u: %s\n", argv[i], t.line, t.col, lx.error());
        ok = false;
        break;
      }
      if (t.kind == Tok::Eof) break;
    }
    if (ok) ++lexed;
    Parser p(src);
    bool file_ok = true;
    try {
      check_forms(p, argv[i], c, file_ok);
      if (!p.at(Tok::Eof)) p.fail_unexpected();
    } catch (const ParseError& e) {
      std::printf("FAIL %s: %s\n", argv[i], e.to_string().c_str());
      ++c.failed;
    }
  }
  std::printf("files %d, lexed %d; modules %d, text modules encoded %d, failed %d\n", files,
              lexed, c.modules, c.encoded, c.failed);
  return (lexed == files && c.failed == 0) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 4 && std::string(argv[1]) == "encode") return encode(argv[2], argv[3]);
  if (argc >= 3 && std::string(argv[1]) == "check") return check(argc, argv);
  std::fprintf(stderr, "usage: wast_modules encode FILE OUTDIR | check FILE...\n");
  return 2;
}
