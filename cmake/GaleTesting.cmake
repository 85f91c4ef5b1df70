# Test, proof and benchmark helpers shared by every layer.

# gale_add_unit_test(<name> SOURCES ... [LIBS ...] [LABELS ...] [TIMEOUT s])
# A cmocka unit test registered with CTest (label "unit" plus LABELS).
function(gale_add_unit_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS;ARGS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_include_directories(${name} PRIVATE ${GALE_ROOT}/include ${GALE_ROOT}/tests/common)
  target_link_libraries(${name} PRIVATE ${T_LIBS} cmocka)
  add_test(NAME ${name} COMMAND ${name} ${T_ARGS})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "unit;${T_LABELS}" TIMEOUT ${T_TIMEOUT})
endfunction()

# gale_add_proof(<name> COMMAND ... [WORKING_DIRECTORY dir])
# A proof obligation run by `make prove` and by `make test` (CTest label "prove").
function(gale_add_proof name)
  cmake_parse_arguments(P "" "WORKING_DIRECTORY;TIMEOUT" "COMMAND" ${ARGN})
  if(NOT P_WORKING_DIRECTORY)
    set(P_WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
  endif()
  if(NOT P_TIMEOUT)
    set(P_TIMEOUT 600)
  endif()
  add_test(NAME prove_${name} COMMAND ${P_COMMAND} WORKING_DIRECTORY ${P_WORKING_DIRECTORY})
  set_tests_properties(prove_${name} PROPERTIES LABELS "prove" TIMEOUT ${P_TIMEOUT})
endfunction()

# gale_add_bench(<name> COMMAND ...)
# A benchmark step run (in registration order) by `make bench` (host-release build).
function(gale_add_bench name)
  cmake_parse_arguments(B "" "" "COMMAND;DEPENDS" ${ARGN})
  add_custom_target(bench_${name}
    COMMAND ${B_COMMAND}
    WORKING_DIRECTORY ${GALE_ROOT}
    USES_TERMINAL
    COMMENT "bench: ${name}")
  if(B_DEPENDS)
    add_dependencies(bench_${name} ${B_DEPENDS})
  endif()
  set_property(GLOBAL APPEND PROPERTY GALE_BENCHES bench_${name})
endfunction()
