#!/usr/bin/env python3
"""Seed corpus for wat_fuzzer: each top-level form of every spec .wast script as a file of its own
(modules, quoted modules, assertions), small enough for the fuzzer to mutate.
    tests/fuzz/make_wat_corpus.py OUT_DIR [SPEC_DIR=../shared/spec] [MAX_LEN=8192]"""
import hashlib, os, pathlib, sys

def top_level_forms(src):
    """Yields the text of each top-level parenthesised form, skipping comments and strings."""
    i, n, depth, start = 0, len(src), 0, None
    while i < n:
        c = src[i]
        if src.startswith(';;', i):
            j = src.find('\n', i)
            i = n if j < 0 else j
            continue
        if src.startswith('(;', i):
            nest, i = 1, i + 2
            while i < n and nest:
                if src.startswith('(;', i): nest, i = nest + 1, i + 2
                elif src.startswith(';)', i): nest, i = nest - 1, i + 2
                else: i += 1
            continue
        if c == '"':
            i += 1
            while i < n and src[i] != '"':
                i += 2 if src[i] == '\\' else 1
        elif c == '(':
            if depth == 0: start = i
            depth += 1
        elif c == ')':
            depth -= 1
            if depth == 0 and start is not None:
                yield src[start:i + 1]
                start = None
        i += 1

def main():
    out = pathlib.Path(sys.argv[1])
    spec = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else
                        os.path.join(os.path.dirname(__file__), '../../../shared/spec'))
    max_len = int(sys.argv[3]) if len(sys.argv) > 3 else 8192
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    for wast in sorted(spec.rglob('*.wast')):
        src = wast.read_text(errors='replace')
        for form in top_level_forms(src):
            data = form.encode()
            if len(data) > max_len: continue
            (out / hashlib.sha1(data).hexdigest()).write_bytes(data)
            count += 1
    print(count, 'forms')

main()
