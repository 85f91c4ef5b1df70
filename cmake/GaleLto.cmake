# Link-time optimisation for the Cortex-M builds (docs/cortex-m.md "Footprint").
#
# GALE_LTO:
#   OFF      no LTO anywhere.
#   MINIMAL  LTO for the minimal (firmware) configuration: the bench/mcu
#            gale_<layer>_min libraries and gale_*_min images, and the whole
#            build when GALE_MINIMAL=ON. The default-configuration libraries,
#            tests and benchmark images are built without it.
#   ON       LTO for every target of the cross build.
# Layer libraries built with LTO carry both the LTO bytecode and ordinary code
# (-ffat-lto-objects), so `arm-none-eabi-size` on the .a files still measures
# real code (bench/mcu/footprint.sh's library sums) and a non-LTO link works.
# Archives are written with arm-none-eabi-gcc-ar / -gcc-ranlib (toolchain file)
# so that the linker plugin finds the LTO symbols in them.
set(GALE_LTO "MINIMAL" CACHE STRING "Cortex-M link-time optimisation: OFF, MINIMAL (minimal-configuration images) or ON (everything)")
set_property(CACHE GALE_LTO PROPERTY STRINGS OFF MINIMAL ON)
if(NOT GALE_LTO MATCHES "^(OFF|MINIMAL|ON)$")
  message(FATAL_ERROR "GALE_LTO must be OFF, MINIMAL or ON (got '${GALE_LTO}')")
endif()
set(GALE_LTO_C_FLAGS -flto=auto -ffat-lto-objects)

# gale_lto_target(<target>): compile (C sources) and link <target> with LTO.
function(gale_lto_target target)
  target_compile_options(${target} PRIVATE "$<$<COMPILE_LANGUAGE:C>:${GALE_LTO_C_FLAGS}>")
  get_target_property(_t ${target} TYPE)
  if(_t STREQUAL "EXECUTABLE")
    target_link_options(${target} PRIVATE -flto=auto)
  endif()
endfunction()

# gale_lto_min_target(<target>): a minimal-configuration target (LTO unless OFF).
function(gale_lto_min_target target)
  if(GALE_LTO STREQUAL "MINIMAL" AND NOT GALE_MINIMAL)
    gale_lto_target(${target})
  endif()
endfunction()

if(GALE_LTO STREQUAL "ON" OR (GALE_LTO STREQUAL "MINIMAL" AND GALE_MINIMAL))
  add_compile_options("$<$<COMPILE_LANGUAGE:C>:${GALE_LTO_C_FLAGS}>")
  add_link_options(-flto=auto)
endif()
