# gale — the commands of the README. Each target runs the setup step first
# (scripts/setup.sh: installs missing Debian packages; a fast no-op afterwards).
SHELL := /bin/bash
CMAKE ?= cmake
CTEST ?= ctest
JOBS  ?= $(shell nproc)

.PHONY: all setup run run-native test host-test cross-build qemu-test bench prove fuzz clean

all: test

setup:
	@bash scripts/setup.sh

build/host-debug/build.ninja: CMakeLists.txt CMakePresets.json
	$(CMAKE) --preset host-debug >/dev/null

# The main job: boot the example system in the host simulator and show what it did.
# examples/hello-components: two wasm component systems in two threads on one
# simulated core, trading through the kernel-primitives world.
# (host-release: no sanitizer runtime in the way of the simulator's output)
run: setup
	@$(CMAKE) --preset host-release >/dev/null
	@$(CMAKE) --build --preset host-release -j $(JOBS) --target gale_run_components >/dev/null
	@$(CMAKE) --build --preset host-release --target run_components

# examples/hello: the native kernel demo (threads, msgq, timers, priority inheritance).
run-native: setup
	@$(CMAKE) --preset host-release >/dev/null
	@$(CMAKE) --build --preset host-release -j $(JOBS) --target gale_run_example >/dev/null
	@$(CMAKE) --build --preset host-release --target run

# Build everything and run every test (what .ci/run calls).
test: setup host-test cross-build qemu-test
	@echo "make test: all green"

host-test:
	$(CMAKE) --preset host-debug
	$(CMAKE) --build --preset host-debug -j $(JOBS)
	$(CTEST) --preset host-debug -j $(JOBS)

cross-build:
	$(CMAKE) --preset cortex-m7
	$(CMAKE) --build --preset cortex-m7 -j $(JOBS)
	$(CMAKE) --preset cortex-m4f
	$(CMAKE) --build --preset cortex-m4f -j $(JOBS)

# Kernel/executor/engine tests on Cortex-M7 and Cortex-M4 under QEMU (semihosting).
qemu-test: cross-build
	@if ! command -v qemu-system-arm >/dev/null; then \
	  echo "qemu-test: qemu-system-arm not installed, skipped"; \
	else for b in cortex-m7 cortex-m4f; do \
	  if $(CTEST) --test-dir build/$$b -N -L qemu | grep -q 'Total Tests: 0'; then \
	    echo "qemu-test: no QEMU tests registered for $$b yet"; \
	  else $(CTEST) --test-dir build/$$b --output-on-failure -j $(JOBS) -L qemu || exit 1; fi; \
	done; fi

bench: setup
	$(CMAKE) --preset host-release
	$(CMAKE) --build --preset host-release -j $(JOBS)
	$(CMAKE) --build --preset host-release --target bench

prove: setup
	$(CMAKE) --preset host-debug >/dev/null
	$(CTEST) --test-dir build/host-debug --output-on-failure -L prove

fuzz: setup
	$(CMAKE) --build --preset host-debug --target fuzz

clean:
	rm -rf build
