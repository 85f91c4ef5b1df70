// Cross-check a gale C guest with jco (wit-component): embed the WIT world
// into the core module and wrap it into a component. wit-component checks
// every core import/export name and core type against the world, so success
// means our bindings follow the naming and ABI the reference toolchain expects.
//   node component-check.mjs <module.wasm> <wit dir or file> <world> [out.wasm]
import { readFileSync, writeFileSync } from 'node:fs';
import { componentEmbed, componentNew, componentWit, print } from '@bytecodealliance/jco-transpile/wasm-tools';
import { buildSource } from './wit-source.mjs';

const [wasm, wit, world, out] = process.argv.slice(2);
try {
  const witSource = buildSource(wit);
  const embedded = await componentEmbed({ binary: readFileSync(wasm), witSource, world });
  const component = await componentNew(embedded, []);
  const text = await print(component);
  const lifts = (text.match(/canon lift/g) || []).length;
  const asyncLifts = (text.match(/canon lift[^\n]*async/g) || []).length;
  const lowers = (text.match(/canon lower/g) || []).length;
  const witBack = await componentWit(component);
  if (out) writeFileSync(out, component);
  console.log(`ok ${wasm}: component ${component.length} bytes, ${lowers} canon lower, ${lifts} canon lift (${asyncLifts} async), world ${witBack.includes(world) ? 'round-trips' : 'renamed'}`);
} catch (e) {
  console.log(`error ${wasm}: ${String(e.payload ?? e).split('\n').filter((l) => l.trim()).slice(0, 6).join(' | ')}`);
  process.exit(1);
}
