# gale_add_wasm_guest(<name> SOURCES <c files>... [INCLUDES dirs...] [FLAGS ...] [LDFLAGS ...])
#
# Builds a freestanding C guest to a wasm32 core module with clang-14 and
# wasm-ld: ${CMAKE_CURRENT_BINARY_DIR}/<name>.wasm, and a target <name>_wasm
# that other targets can depend on. Output path in ${<name>_WASM} (parent scope).
find_program(GALE_CLANG NAMES clang-14 clang)
find_program(GALE_WASM_LD NAMES wasm-ld-14 wasm-ld)

function(gale_add_wasm_guest name)
  cmake_parse_arguments(G "" "" "SOURCES;INCLUDES;FLAGS;LDFLAGS" ${ARGN})
  if(NOT GALE_CLANG OR NOT GALE_WASM_LD)
    message(FATAL_ERROR "gale_add_wasm_guest: clang-14 and wasm-ld are required (scripts/setup.sh installs them)")
  endif()
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${name}.wasm)
  set(objs "")
  set(incs "")
  foreach(i IN LISTS G_INCLUDES)
    list(APPEND incs -I${i})
  endforeach()
  foreach(src IN LISTS G_SOURCES)
    get_filename_component(abs ${src} ABSOLUTE)
    get_filename_component(base ${src} NAME_WE)
    set(obj ${CMAKE_CURRENT_BINARY_DIR}/${name}.dir/${base}.o)
    add_custom_command(OUTPUT ${obj}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/${name}.dir
      COMMAND ${GALE_CLANG} --target=wasm32 -nostdlib -O2 -std=c11
              -Wall -Wextra -Werror -ffreestanding ${incs} ${G_FLAGS} -c ${abs} -o ${obj}
      DEPENDS ${abs}
      IMPLICIT_DEPENDS C ${abs}
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
