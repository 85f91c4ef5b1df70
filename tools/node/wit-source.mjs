// Reads a WIT package directory (with deps/) or file into one `witSource`
// string for jco: main package files joined, dependencies as nested packages.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';

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

export function buildSource(path, mainOnly = false) {
  if (!statSync(path).isDirectory()) return readFileSync(path, 'utf8');
  const main = packageSource(witFiles(path));
  if (!main.header) throw new Error('no package header');
  let src = `package ${main.header};\n${main.body}\n`;
  if (mainOnly) return src;
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

