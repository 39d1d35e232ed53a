// Differential-execution runner, V8 side: prints for each module the same transcript as
// diff_runner.cpp (see there for the format). Usage: node run_v8.mjs MODULE.wasm...
import { readFileSync, writeSync } from 'node:fs';

const I32S = [1, 0, -1, 2147483647, -2147483648, 65536, 13, 255];
const I64S = [1n, 0n, -1n, 9223372036854775807n, -9223372036854775808n, 4294967296n, 13n, 255n];
const F32S = [0.5, -1.0, 3.0, 1e10, -0.0, 65536.0, 1.5, 255.0];
const F64S = [0.5, -1.0, 3.0, 1e300, -0.0, 4294967296.0, 1.5, 255.0];

const [dumpStart, dumpLen] = (process.env.DIFF_DUMP ?? '0:0').split(':').map(Number);
const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
function formatDouble(d) {
  if (Number.isNaN(d)) return 'nan';
  f64[0] = d;
  return u64[0].toString(16).padStart(16, '0');
}

// Types come from the binary itself: JS gives no signatures, so the type, import and export
// sections are read here (only what the transcript needs).
function parseSignatures(bytes) {
  let p = 8;
  const u = () => { let r = 0, s = 0, b; do { b = bytes[p++]; r |= (b & 0x7f) << s; s += 7; } while (b & 0x80); return r >>> 0; };
  const types = [], funcTypes = [], exportsList = [], globalTypes = [];
  const name = () => { const n = u(); const s = new TextDecoder().decode(bytes.subarray(p, p + n)); p += n; return s; };
  const limits = () => { const f = u(); u(); if (f & 1) u(); };
  const vt = (b) => ({ 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128', 0x70: 'funcref', 0x6f: 'externref' })[b];
  while (p < bytes.length) {
    const id = bytes[p++]; const size = u(); const end = p + size;
    if (id === 1) {
      for (let n = u(); n > 0; n--) {
        p++; // 0x60
        const params = []; for (let k = u(); k > 0; k--) params.push(vt(bytes[p++]));
        const results = []; for (let k = u(); k > 0; k--) results.push(vt(bytes[p++]));
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = u(); n > 0; n--) {
        name(); name(); const kind = bytes[p++];
        if (kind === 0) funcTypes.push(types[u()]);
        else if (kind === 1) { p++; limits(); }
        else if (kind === 2) limits();
        else if (kind === 3) { globalTypes.push(vt(bytes[p++])); p++; }
      }
    } else if (id === 3) {
      for (let n = u(); n > 0; n--) funcTypes.push(types[u()]);
    } else if (id === 6) {
      // Only the value types are needed; the init expressions are skipped by size below.
      const n = u();
      for (let k = 0; k < n; k++) {
        globalTypes.push(vt(bytes[p++])); p++;
        // skip the constant expression: opcodes up to and including 0x0b
        for (;;) {
          const op = bytes[p++];
          if (op === 0x0b) break;
          if (op === 0x41 || op === 0x42 || op === 0x23 || op === 0xd2) { while (bytes[p++] & 0x80); }
          else if (op === 0x43) p += 4;
          else if (op === 0x44) p += 8;
          else if (op === 0xd0) p++;
          else if (op === 0xfd) { while (bytes[p++] & 0x80); p += 16; }
        }
      }
    } else if (id === 7) {
      for (let n = u(); n > 0; n--) { const nm = name(); const kind = bytes[p++]; const index = u(); exportsList.push({ name: nm, kind, index }); }
    }
    p = end;
  }
  return { funcTypes, exportsList, globalTypes };
}

function formatVal(t, v) {
  switch (t) {
    case 'i32': return 'i32:' + (v | 0);
    case 'i64': return 'i64:' + BigInt.asIntN(64, v).toString();
    case 'f32': return 'f32:' + formatDouble(Math.fround(v));
    case 'f64': return 'f64:' + formatDouble(v);
    case 'funcref': return v === null ? 'ref:null' : 'ref:func';
    case 'externref': return v === null ? 'ref:null' : 'ref:extern';
    default: return t;
  }
}

function argument(t, i) {
  const k = i % 8;
  switch (t) {
    case 'i32': return I32S[k];
    case 'i64': return I64S[k];
    case 'f32': return F32S[k];
    case 'f64': return F64S[k];
    default: return null;
  }
}

function trapClass(e) {
  if (e instanceof RangeError && /call stack/.test(e.message)) return 'exhausted stack';
  // wasm called an import with v128 in its type: diff_runner's stub fails the same way
  if (e instanceof TypeError && /type incompatibility/.test(e.message)) return 'trap host';
  if (!(e instanceof WebAssembly.RuntimeError)) return 'error ' + e.constructor.name + ' ' + e.message;
  const m = e.message;
  if (/unreachable/.test(m)) return 'trap unreachable';
  if (/memory access out of bounds/.test(m)) return 'trap memory';
  if (/divide by zero|remainder by zero/.test(m)) return 'trap divzero';
  if (/divide result unrepresentable|integer overflow/.test(m)) return 'trap overflow';
  if (/float unrepresentable/.test(m)) return 'trap conversion';
  if (/table index is out of bounds|element segment out of bounds|table access/.test(m)) return 'trap table';
  if (/null function|signature mismatch/.test(m)) return 'trap indirect';
  if (/dereferencing a null/.test(m)) return 'trap null';
  return 'trap other ' + m;
}

// FNV-1a over the memory's little-endian 32-bit words (memories are whole pages, so the length
// is a multiple of 4); diff_runner.cpp computes the same. Word-wise: a 1 MiB memory is hashed
// after every call, and byte-wise that was most of V8's time.
function hashMemory(buffer) {
  const w = new Uint32Array(buffer);
  let h = 2166136261;
  for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w[i], 16777619);
  return h >>> 0;
}

function runModule(path, out) {
  out.push('module ' + path);
  const bytes = new Uint8Array(readFileSync(path));
  let mod;
  try { mod = new WebAssembly.Module(bytes); } catch (e) { out.push('invalid'); out.push('# ' + e.message); return; }
  const sig = parseSignatures(bytes);
  const imports = {};
  for (const imp of WebAssembly.Module.imports(mod)) {
    const ns = (imports[imp.module] ??= {});
    const full = imp.module + '.' + imp.name;
    if (imp.kind === 'function') {
      ns[imp.name] = null; // filled below with the right parameter types
    } else if (imp.kind === 'memory') ns[imp.name] = new WebAssembly.Memory({ initial: 1 });
    else if (imp.kind === 'table') ns[imp.name] = new WebAssembly.Table({ initial: 0, element: 'anyfunc' });
    else if (imp.kind === 'global') ns[imp.name] = 0;
    void full;
  }
  // Function imports come first in the function index space, in import order.
  let fi = 0;
  for (const imp of WebAssembly.Module.imports(mod)) {
    if (imp.kind !== 'function') continue;
    const type = sig.funcTypes[fi++];
    const full = imp.module + '.' + imp.name;
    imports[imp.module][imp.name] = (...args) => {
      let s = 'log ' + full;
      type.params.forEach((t, i) => { s += ' ' + formatVal(t, args[i]); });
      out.push(s);
      if (type.results.length === 0) return undefined;
      if (type.results.length === 1 && args.length > 0 && type.params[type.params.length - 1] === type.results[0]) {
        return args[args.length - 1];
      }
      const z = type.results.map((t) => (t === 'i64' ? 0n : t === 'funcref' || t === 'externref' ? null : 0));
      return type.results.length === 1 ? z[0] : z;
    };
  }
  let instance;
  try { instance = new WebAssembly.Instance(mod, imports); } catch (e) {
    if (e instanceof WebAssembly.LinkError) out.push('link-error');
    else out.push('instantiate-' + trapClass(e));
    out.push('# ' + e.message);
    return;
  }
  out.push('instantiated');
  const ex = instance.exports;
  const dumpMemories = () => {
    for (const e of sig.exportsList) {
      if (e.kind !== 2) continue;
      const mem = ex[e.name];
      out.push('memory ' + e.name + ' ' + mem.buffer.byteLength / 65536 + ' ' + hashMemory(mem.buffer));
      if (dumpLen) {  // DIFF_DUMP=START:LEN, for debugging a mismatch
        const b = new Uint8Array(mem.buffer);
        let hex = 'bytes';
        for (let i = dumpStart; i < dumpStart + dumpLen && i < b.length; i++) hex += ' ' + b[i].toString(16).padStart(2, '0');
        out.push(hex);
      }
    }
  };
  for (const e of sig.exportsList) {
    if (e.kind !== 0 || e.name === 'hangLimitInitializer') continue;
    out.push('call ' + e.name);
    const type = sig.funcTypes[e.index];
    if (type.params.includes('v128') || type.results.includes('v128')) { out.push('skip v128'); continue; }
    if (ex.hangLimitInitializer) ex.hangLimitInitializer();
    const args = type.params.map((t, i) => argument(t, i));
    try {
      let r = ex[e.name](...args);
      if (type.results.length === 1) r = [r];
      else if (type.results.length === 0) r = [];
      let s = 'result';
      type.results.forEach((t, i) => { s += ' ' + formatVal(t, r[i]); });
      out.push(s);
    } catch (err) {
      const c = trapClass(err);
      out.push(c);
      if (c.startsWith('exhausted')) return;
    }
    dumpMemories();
  }
  for (const e of sig.exportsList) {
    if (e.kind !== 3) continue;
    const g = ex[e.name];
    out.push('global ' + e.name + ' ' + formatVal(sig.globalTypes[e.index], g.value));
  }
}

for (const path of process.argv.slice(2)) {
  const out = [];
  try { runModule(path, out); } catch (e) { out.push('runner-error ' + e.message); }
  out.push('end');
  writeSync(1, out.join('\n') + '\n');
}
