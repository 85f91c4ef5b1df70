// jco oracle for gale's WIT parser: for each path (a package directory with
// optional deps/, or a single .wit file) print `ok <path>` if jco's WIT
// resolver (wasm-tools, via componentEmbed) accepts it, or `error <path>:
// <message>`. jco's CLI cannot read files here, so the files are read with
// Node and passed as one `witSource`: the main package's files are joined (later
// `package` headers dropped) and each dependency package is appended as a
// nested `package ns:name@v { ... }` block.
import { buildSource } from './wit-source.mjs';
import { componentEmbed } from '@bytecodealliance/jco-transpile/wasm-tools';

function worldsOf(src) {
  const ws = new Set();
  for (const m of src.matchAll(/^\s*(?:@[a-z]+\([^)]*\)\s*)*world\s+%?([a-zA-Z0-9-]+)/gm)) ws.add(m[1]);
  return [...ws];
}

for (const path of process.argv.slice(2)) {
  let src;
  try { src = buildSource(path); } catch (e) { console.log(`error ${path}: cannot read: ${e.message}`); continue; }
  // a probe world makes sure the package is resolved even without worlds
  const probe = src.replace(/^(\s*(?:\/\/[^\n]*\n|\s)*package\s+[^;{]+;)/, '$1\nworld gale-oracle-probe {}\n');
  const worlds = ['gale-oracle-probe', ...worldsOf(buildSource(path, true))];
  let err = null;
  for (const world of worlds) {
    try {
      await componentEmbed({ dummy: true, witSource: probe, world });
    } catch (e) {
      err = String(e.payload ?? e).split('\n').filter((l) => l.trim()).slice(0, 3).join(' | ');
      break;
    }
  }
  console.log(err ? `error ${path}: ${err}` : `ok ${path}`);
}
