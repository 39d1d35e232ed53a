// Times exports of one module in node: node node_micro.mjs FILE.wasm REPS NAME:N...
// Prints "NAME N RESULT MS" per export, MS the best of REPS calls (the first call includes
// V8's tier-up, later ones run the optimized code), timed inside the process, compile excluded.
import { readFileSync } from 'node:fs';

const [file, reps, ...specs] = process.argv.slice(2);
const { instance } = await WebAssembly.instantiate(readFileSync(file));
for (const spec of specs) {
  const [name, n] = spec.split(':');
  const f = instance.exports[name];
  let best = Infinity, result;
  for (let r = 0; r < Number(reps); ++r) {
    const t0 = process.hrtime.bigint();
    result = f(Number(n));
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  console.log(`${name} ${n} ${result} ${best.toFixed(2)}`);
}
