# aecnn_add_core_target(NAME SOURCES ... [LINK ...] [TORCH])
# One room of the core: sources in core/src/NAME/, headers in core/include/aecnn/NAME/,
# target aecnn_NAME with the alias aecnn::NAME. TORCH: the sources use tensors and
# share the LibTorch precompiled header (aecnn_use_torch_pch, top-level CMakeLists.txt).
# Also used by tests/codec/standalone, which builds the codec room on its own.
function(aecnn_add_core_target name)
  cmake_parse_arguments(C "TORCH" "" "SOURCES;LINK" ${ARGN})
  add_library(aecnn_${name} STATIC ${C_SOURCES})
  add_library(aecnn::${name} ALIAS aecnn_${name})
  target_link_libraries(aecnn_${name} PUBLIC aecnn::error ${C_LINK})
  if(C_TORCH)
    aecnn_use_torch_pch(aecnn_${name})
  endif()
  aecnn_set_warnings(aecnn_${name})
endfunction()
