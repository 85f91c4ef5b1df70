#!/usr/bin/env python3
"""gale footprint breakdown of one linked image, from its GNU ld map file.

  fp_breakdown.py <image.elf.map>            -> one line per part: "PART <name> <flash> <ram>"
  fp_breakdown.py --md <image.elf.map>       -> a markdown table of the same

Every input section placed in an output section of the image is charged to the
part its object came from:
  arch, kernel, exec, wasm, cm, host    gale's layer libraries (libgale_<layer>.a)
  libc                                  newlib-nano, libgcc (memcpy, 64-bit division, ...)
  app                                   the image's own objects (test/benchmark code, harness)
Flash = sections with contents in ROM (.vectors, .text, .rodata, .ARM.exidx, and
the load image of .data); RAM = .data + .bss + .msp_stack (the handler stack)
+ .heap. Debug and comment sections are ignored. Linker fill and
linker-created sections (e.g. veneers) go to "other".

Images linked with LTO (GALE_LTO): the code comes out of the link's ltrans
objects, not out of the libraries. Each such input section is charged by its
name (-ffunction-sections / -fdata-sections: .text.<function>, with LTO's
.lto_priv.N / .constprop.N / .isra.N suffixes dropped) to the library or app
object that defines that symbol (arm-none-eabi-nm on the fat LTO objects the
map lists as LOADed); code inlined across libraries is charged to its caller.
Sections that name no symbol (merged strings, constant pools) go to "lto"
(gale's, not the app's: counted in "gale" by footprint.sh).
"""
import os
import re
import subprocess
import sys

ROM_OUT = {'.vectors', '.text', '.ARM.exidx', '.ARM.extab', '.rodata'}
RAM_ONLY_OUT = {'.bss', '.msp_stack', '.heap', '.noinit', '.gale_shared'}
BOTH_OUT = {'.data'}


def part_of(path):
    m = re.search(r'libgale_([a-z]+?)(?:_min)?\.a\(', path)
    if m:
        return m.group(1)
    if re.search(r'lib(c|g|m|gcc|nosys|c_nano|g_nano)\.a\(|/libgcc|newlib|crt', path):
        return 'libc'
    if path.endswith('.obj') or path.endswith('.o'):
        return 'app'
    return 'other'


def lto_symbols(path, lines):
    """symbol -> part, from the objects and gale libraries the link LOADed."""
    root = os.path.dirname(os.path.abspath(path))
    loads = [ln.split(None, 1)[1].strip() for ln in lines if ln.startswith('LOAD ')]
    # paths in the map are relative to the directory the link ran in (the build dir)
    base = root
    while base != '/' and not all(os.path.exists(os.path.join(base, f)) for f in loads
                                 if not f.startswith('/') and f != 'linker stubs'):
        base = os.path.dirname(base)
    syms = {}
    for f in loads:
        if 'ltrans' in f or f == 'linker stubs':
            continue
        part = part_of(f + '(') if f.endswith('.a') else part_of(f)
        if part not in ('app', 'arch', 'kernel', 'exec', 'wasm', 'cm', 'host'):
            continue
        try:
            # objdump -t: the objects' own symbol tables, locals included (nm
            # shows only the LTO plugin's global symbols for LTO objects)
            out = subprocess.run(['arm-none-eabi-objdump', '-t', os.path.join(base, f)],
                                 capture_output=True, text=True, check=False).stdout
        except OSError:
            continue
        for ln in out.splitlines():
            w = ln.split()
            if (len(w) >= 5 and w[-3].startswith(('.text', '.rodata', '.data', '.bss'))
                    and 'd' not in w[1:-3]):
                syms.setdefault(w[-1], part)
    return syms


def lto_part(section, syms):
    if section == '.vectors':
        return 'arch'
    m = re.match(r'^\.(?:text|rodata|data|bss)\.(.+)$', section or '')
    if not m:
        return 'lto'
    name = m.group(1)
    while True:
        if name in syms:
            return syms[name]
        if '.' not in name:
            return 'lto'
        name = name.rsplit('.', 1)[0]


def parse(path):
    """-> {part: (flash, ram)}. Input sections are charged by address range:
    merged string sections can be listed with their size before cross-object
    merging, so each entry counts only up to the next entry's address."""
    entries = []  # (out, addr, size, part)
    outs = {}     # out -> (addr, size)
    out = None
    pending = None
    in_map = False
    lines = open(path, errors='replace').read().split('\n')
    syms = None
    for line in lines:
        if line.startswith('Linker script and memory map'):
            in_map = True
            continue
        if not in_map:
            continue
        line = line.rstrip('\n')
        m = re.match(r'^(\.[\w.]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)', line)
        if m:
            out = m.group(1)
            outs[out] = (int(m.group(2), 16), int(m.group(3), 16))
            pending = None
            continue
        m = re.match(r'^(\.[\w.]+)\s*$', line)
        if m:
            out = m.group(1)
            pending = None
            continue
        if out is None:
            continue
        m = re.match(r'^ (\S+)\s*$', line)
        if m and not line.startswith(' *'):
            pending = m.group(1)
            continue
        m = re.match(r'^ (\S+)?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$', line)
        if m and (m.group(1) or pending):
            sec = m.group(1) or pending
            pending = None
            part = part_of(m.group(4))
            if 'ltrans' in m.group(4):
                if syms is None:
                    syms = lto_symbols(path, lines)
                part = lto_part(sec, syms)
            entries.append((out, int(m.group(2), 16), int(m.group(3), 16), part))
            continue
        m = re.match(r'^ \*fill\*\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)', line)
        if m:
            entries.append((out, int(m.group(1), 16), int(m.group(2), 16), 'other'))
    parts = {}
    for i, (o, addr, size, part) in enumerate(entries):
        if o not in outs:
            continue
        end = outs[o][0] + outs[o][1]
        if i + 1 < len(entries) and entries[i + 1][0] == o:
            end = min(end, max(entries[i + 1][1], addr))
        size = max(0, min(size, end - addr))
        f, r = parts.get(part, (0, 0))
        if o in ROM_OUT:
            f += size
        elif o in BOTH_OUT:
            f += size
            r += size
        elif o in RAM_ONLY_OUT:
            r += size
        parts[part] = (f, r)
    return parts


ORDER = ['arch', 'kernel', 'exec', 'wasm', 'cm', 'host', 'lto', 'app', 'libc', 'other']


def main():
    args = sys.argv[1:]
    md = False
    if args and args[0] == '--md':
        md = True
        args = args[1:]
    parts = parse(args[0])
    keys = [k for k in ORDER if k in parts] + sorted(k for k in parts if k not in ORDER)
    if md:
        print('| part | flash | RAM |')
        print('|---|---|---|')
    for k in keys:
        f, r = parts[k]
        if md:
            print(f'| {k} | {f} | {r} |')
        else:
            print(f'PART {k} {f} {r}')


if __name__ == '__main__':
    main()
