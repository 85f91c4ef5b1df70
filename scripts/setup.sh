#!/usr/bin/env bash
# gale setup: installs the Debian packages the project needs, when missing.
# Idempotent: a fast no-op once everything is installed. Prints what it installs.
# Every issue that needs a new package adds it to PACKAGES below (with why).
set -euo pipefail

PACKAGES=(
  cmake ninja-build make gcc pkg-config   # build
  libcmocka-dev                            # unit tests
  libyaml-dev                              # system manifests
  libcjson-dev                             # spec-test runner (wast2json JSON)
  clang lld                                # wasm32 guests (clang-14, wasm-ld), libFuzzer
  libclang-rt-14-dev                       # sanitizer/fuzzer runtimes for clang
  wabt                                     # wast2json (spec tests), wasm-objdump
  gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi  # Cortex-M builds
  qemu-system-arm                          # Cortex-M tests under QEMU
  frama-c-base why3 z3                     # make prove (ACSL / WP)
  spin                                     # make prove (Promela models)
  valgrind                                 # make bench (instruction counts)
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "setup: installing ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "setup: installed ${#missing[@]} package(s)"
fi

# why3 needs to know its provers once (make prove uses z3 through it).
if command -v why3 >/dev/null 2>&1 && [ ! -f "${HOME}/.why3.conf" ]; then
  echo "setup: why3 config detect"
  why3 config detect >/dev/null 2>&1 || true
fi

# Optional: jco (the reference component toolchain) for oracle tests, when npm exists.
if command -v npm >/dev/null 2>&1; then
  here="$(cd "$(dirname "$0")/.." && pwd)"
  if [ ! -d "$here/tools/node/node_modules/@bytecodealliance/jco" ] && [ -f "$here/tools/node/package.json" ]; then
    echo "setup: npm install (tools/node: @bytecodealliance/jco)"
    (cd "$here/tools/node" && npm install --no-audit --no-fund --silent >/dev/null 2>&1) \
      || echo "setup: npm install failed; jco oracle tests will be skipped"
  fi
fi
exit 0
