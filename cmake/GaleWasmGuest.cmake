# gale_add_wasm_guest(<name> SOURCES <c files>... [INCLUDES dirs...] [FLAGS ...] [LDFLAGS ...]
#                     [DEPENDS files...])
#
# Builds a freestanding C guest to a wasm32 core module with clang-14 and
# wasm-ld: ${CMAKE_CURRENT_BINARY_DIR}/<name>.wasm, and a target <name>_wasm
# that other targets can depend on. Output path in ${<name>_WASM} (parent scope).
# Every object is recompiled when a header it includes changes (clang depfile);
# DEPENDS lists extra files every object waits for (e.g. generated headers).
#
# gale_add_component_guest(<name> WORLD <world> [WIT <package dir>] SOURCES <c files>...
#                          [INCLUDES dirs...] [FLAGS ...] [LDFLAGS ...])
#
# A C component written against GENERATED bindings: at build time
# `gale bindgen --world <world> --lang c` runs on the WIT package <package dir>
# (default: wit/gale, i.e. pulseengine:gale@0.1.0) into
# ${CMAKE_CURRENT_BINARY_DIR}/<name>.bindings/ (<world>.h and <world>.c, `-` in
# the world name becomes `_`); the sources (which #include "<world>.h"), the
# generated glue and the guest SDK (guest/) are built into <name>.wasm with
# gale_add_wasm_guest. The bindings are regenerated when any *.wit file under
# the package (deps/ included, symlinks followed) or the `gale` tool changes,
# and the sources are recompiled when the generated header changes. In a cross
# build (no tools/gale target) the `gale` command is built for the build
# machine as an ExternalProject (cmake/host-tools).
# Sets ${<name>_WASM} (the module) and ${<name>_BINDINGS} (the generated
# directory) in the parent scope.
find_program(GALE_CLANG NAMES clang-14 clang)
find_program(GALE_WASM_LD NAMES wasm-ld-14 wasm-ld)

function(gale_add_wasm_guest name)
  cmake_parse_arguments(G "" "" "SOURCES;INCLUDES;FLAGS;LDFLAGS;DEPENDS" ${ARGN})
  if(NOT GALE_CLANG OR NOT GALE_WASM_LD)
    message(FATAL_ERROR "gale_add_wasm_guest: clang-14 and wasm-ld are required (scripts/setup.sh installs them)")
  endif()
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${name}.wasm)
  set(objs "")
  set(incs "")
  foreach(i IN LISTS G_INCLUDES)
    list(APPEND incs -I${i})
  endforeach()
  set(bases "")
  foreach(src IN LISTS G_SOURCES)
    get_filename_component(abs ${src} ABSOLUTE)
    get_filename_component(base ${src} NAME_WE)
    # two sources with one base name (e.g. the glue generated for world
    # `all-sync` and the user's all_sync.c) get distinct objects
    set(b ${base})
    set(k 1)
    while(b IN_LIST bases)
      math(EXPR k "${k} + 1")
      set(b ${base}_${k})
    endwhile()
    list(APPEND bases ${b})
    set(base ${b})
    set(obj ${CMAKE_CURRENT_BINARY_DIR}/${name}.dir/${base}.o)
    add_custom_command(OUTPUT ${obj}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/${name}.dir
      COMMAND ${GALE_CLANG} --target=wasm32 -nostdlib -O2 -std=c11
              -Wall -Wextra -Werror -ffreestanding ${incs} ${G_FLAGS} -MD -MF ${obj}.d -c ${abs} -o ${obj}
      DEPENDS ${abs} ${G_DEPENDS}
      DEPFILE ${obj}.d
      COMMENT "wasm32 cc ${src}" VERBATIM)
    list(APPEND objs ${obj})
  endforeach()
  add_custom_command(OUTPUT ${out}
    COMMAND ${GALE_WASM_LD} --no-entry --export-dynamic --strip-debug ${G_LDFLAGS} ${objs} -o ${out}
    DEPENDS ${objs}
    COMMENT "wasm-ld ${name}.wasm" VERBATIM)
  add_custom_target(${name}_wasm ALL DEPENDS ${out})
  set(${name}_WASM ${out} PARENT_SCOPE)
endfunction()

function(gale_add_component_guest name)
  cmake_parse_arguments(G "" "WORLD;WIT" "SOURCES;INCLUDES;FLAGS;LDFLAGS" ${ARGN})
  if(NOT G_WORLD)
    message(FATAL_ERROR "gale_add_component_guest(${name}): WORLD is required")
  endif()
  if(TARGET gale)
    set(tool $<TARGET_FILE:gale>)
    set(tool_deps gale $<TARGET_FILE:gale>)
  else()
    # cross build (cortex-m presets): the `gale` command for the build machine,
    # built from the same sources as an ExternalProject (cmake/host-tools)
    set(tool ${CMAKE_BINARY_DIR}/host-tools/gale)
    if(NOT TARGET gale_host_tool)
      include(ExternalProject)
      ExternalProject_Add(gale_host_tool
        SOURCE_DIR ${GALE_ROOT}/cmake/host-tools
        BINARY_DIR ${CMAKE_BINARY_DIR}/host-tools
        CMAKE_ARGS -DGALE_ROOT=${GALE_ROOT} -DCMAKE_BUILD_TYPE=Release
        INSTALL_COMMAND ""
        BUILD_ALWAYS 1
        BUILD_BYPRODUCTS ${tool})
    endif()
    set(tool_deps gale_host_tool ${tool})
  endif()
  if(NOT G_WIT)
    set(G_WIT ${GALE_ROOT}/wit/gale)
  endif()
  set(sdk_inc ${GALE_GUEST_INCLUDE})
  set(sdk_src ${GALE_GUEST_SOURCES})
  if(NOT sdk_inc) # guest/ is only added to host builds
    set(sdk_inc ${GALE_ROOT}/guest/include)
    set(sdk_src ${GALE_ROOT}/guest/src/gale_guest.c)
  endif()
  get_filename_component(wit ${G_WIT} ABSOLUTE)
  file(GLOB_RECURSE wit_files FOLLOW_SYMLINKS CONFIGURE_DEPENDS ${wit}/*.wit)
  if(NOT wit_files)
    message(FATAL_ERROR "gale_add_component_guest(${name}): no *.wit files under ${wit}")
  endif()
  set(gen ${CMAKE_CURRENT_BINARY_DIR}/${name}.bindings)
  string(REPLACE "-" "_" cw ${G_WORLD})
  add_custom_command(OUTPUT ${gen}/${cw}.c ${gen}/${cw}.h
    COMMAND ${CMAKE_COMMAND} -E make_directory ${gen}
    COMMAND ${tool} bindgen --world ${G_WORLD} --lang c --out ${gen} ${wit}
    DEPENDS ${tool_deps} ${wit_files}
    COMMENT "gale bindgen --world ${G_WORLD} --lang c (${name})" VERBATIM)
  gale_add_wasm_guest(${name} SOURCES ${gen}/${cw}.c ${G_SOURCES} ${sdk_src}
    INCLUDES ${gen} ${sdk_inc} ${G_INCLUDES}
    FLAGS -fvisibility=hidden -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla ${G_FLAGS}
    LDFLAGS ${G_LDFLAGS}
    DEPENDS ${gen}/${cw}.h)
  set(${name}_WASM ${${name}_WASM} PARENT_SCOPE)
  set(${name}_BINDINGS ${gen} PARENT_SCOPE)
endfunction()
