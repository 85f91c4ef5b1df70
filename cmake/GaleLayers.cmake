# gale_layer(<layer> SOURCES ... [DEPS <layer>...] [HOST_ONLY])
#
# Defines the library target gale_<layer>. DEPS may only name layers that the
# architecture allows this layer to use (the arrows of ARCHITECTURE.md); any
# other dependency is a configure error. Source-level includes are checked by
# the `layering` test (tests/layering/check_layers.sh), which reads the same table.
#
# A layer without sources yet is an INTERFACE library, so the graph is complete
# from the start.

# The allowed arrows. Keep in sync with tests/layering/layers.conf (the test
# compares the two).
set(GALE_LAYER_ALLOWED_arch   "")
set(GALE_LAYER_ALLOWED_kernel "arch")
set(GALE_LAYER_ALLOWED_exec   "kernel")
set(GALE_LAYER_ALLOWED_wasm   "")
set(GALE_LAYER_ALLOWED_cm     "wasm;exec;kernel")
set(GALE_LAYER_ALLOWED_hal    "kernel;arch")
set(GALE_LAYER_ALLOWED_host   "cm;kernel;exec;hal")
set(GALE_LAYER_ALLOWED_amp    "cm;exec;kernel;arch")
set(GALE_LAYER_ALLOWED_wit    "")
set(GALE_LAYER_ALLOWED_system "arch;kernel;exec;wasm;cm;hal;host;amp;wit")
set(GALE_LAYER_ALLOWED_cli    "arch;kernel;exec;wasm;cm;hal;host;amp;wit;system")

function(gale_layer layer)
  cmake_parse_arguments(L "HOST_ONLY" "" "SOURCES;DEPS;EXTERNAL" ${ARGN})
  if(NOT DEFINED GALE_LAYER_ALLOWED_${layer})
    message(FATAL_ERROR "gale_layer: unknown layer '${layer}'")
  endif()
  foreach(d IN LISTS L_DEPS)
    if(NOT d IN_LIST GALE_LAYER_ALLOWED_${layer})
      message(FATAL_ERROR "gale_layer: layer '${layer}' may not use layer '${d}' "
                          "(allowed: ${GALE_LAYER_ALLOWED_${layer}})")
    endif()
  endforeach()
  set(tgt gale_${layer})
  if(L_SOURCES)
    add_library(${tgt} STATIC ${L_SOURCES})
    target_include_directories(${tgt} PUBLIC ${GALE_ROOT}/include PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
    foreach(d IN LISTS L_DEPS)
      target_link_libraries(${tgt} PUBLIC gale_${d})
    endforeach()
    if(L_EXTERNAL)
      target_link_libraries(${tgt} PUBLIC ${L_EXTERNAL})
    endif()
  else()
    add_library(${tgt} INTERFACE)
    target_include_directories(${tgt} INTERFACE ${GALE_ROOT}/include)
    foreach(d IN LISTS L_DEPS)
      target_link_libraries(${tgt} INTERFACE gale_${d})
    endforeach()
  endif()
  set_property(GLOBAL APPEND PROPERTY GALE_LAYERS ${layer})
endfunction()
