// jco oracle for gale's WIT parser: for each path (a package directory with
// optional deps/, or a single .wit file) print `ok <path>` if jco's WIT
// resolver (wasm-tools, via componentEmbed) accepts it, or `error <path>:
// <message>`. jco's CLI cannot read files here, so the files are read with
// Node and passed as one `witSource`: the main package's files are joined (later
// `package` headers dropped) and each dependency package is appended as a
// nested `package ns:name@v { ... }` block.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { componentEmbed } from '@bytecodealliance/jco-transpile/wasm-tools';

const HEADER = /^(\s*(?:\/\/[^\n]*\n|\/\*[\s\S]*?\*\/|\s)*)package\s+([^;{]+);/;

function witFiles(dir) {
  return readdirSync(dir).filter((f) => f.endsWith('.wit') && statSync(join(dir, f)).isFile()).sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'));
}

// Returns { header, body } with the `package x;` header removed from body.
function splitHeader(text) {
  const m = HEADER.exec(text);
  if (!m) return { header: null, body: text };
  // keep line numbers: replace the header by spaces
  const cut = m[0].length;
  return { header: m[2].trim(), body: m[1] + ' '.repeat(cut - m[1].length) + text.slice(cut) };
}

function packageSource(files) {
  let header = null;
  const bodies = [];
  for (const t of files) {
    const s = splitHeader(t);
    if (s.header && !header) header = s.header;
    bodies.push(s.body);
  }
  return { header, body: bodies.join('\n') };
}

function buildSource(path) {
  if (!statSync(path).isDirectory()) return readFileSync(path, 'utf8');
  const main = packageSource(witFiles(path));
  if (!main.header) throw new Error('no package header');
  let src = `package ${main.header};\n${main.body}\n`;
  const deps = join(path, 'deps');
  if (existsSync(deps)) {
    for (const d of readdirSync(deps).sort()) {
      const p = join(deps, d);
      let dep;
      if (statSync(p).isDirectory()) dep = packageSource(witFiles(p));
      else if (d.endsWith('.wit')) dep = packageSource([readFileSync(p, 'utf8')]);
      else continue;
      if (dep.header) src += `package ${dep.header} {\n${dep.body}\n}\n`;
      else src += dep.body + '\n'; // a file of nested packages
    }
  }
  return src;
}

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
  const worlds = ['gale-oracle-probe', ...worldsOf(src)];
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
