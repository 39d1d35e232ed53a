# WASMPP_USE_SINGLE_INCLUDE: the build uses single_include/wasm.hpp (the committed one) instead of
# include/. Code that includes one of our headers directly, as some tests do
# ("wasm/detail/binary/decoder.hpp"), finds a forwarding header of that name that includes
# <wasm.hpp>. Which headers the single header holds is read from its own
# "// ---- begin include/... ----" markers (single_include/amalgamate.py writes them); files it
# does not hold (the .def X-macro tables, headers wasm.hpp does not include) are copied as they are,
# and their own includes of our headers reach the forwarders in turn.

function(wasmpp_write_forwarding_headers out_dir)
  set(single "${PROJECT_SOURCE_DIR}/single_include/wasm.hpp")
  file(STRINGS "${single}" markers REGEX "^// ---- begin include/.* ----$")
  set(inlined "")
  foreach(marker IN LISTS markers)
    string(REGEX REPLACE "^// ---- begin include/(.*) ----$" "\\1" rel "${marker}")
    list(APPEND inlined "${rel}")
  endforeach()
  if(NOT "wasm/types.hpp" IN_LIST inlined)
    message(FATAL_ERROR "${single} has no '// ---- begin include/wasm/types.hpp ----' marker: "
                        "regenerate it with python3 single_include/amalgamate.py")
  endif()
  file(GLOB_RECURSE files CONFIGURE_DEPENDS RELATIVE "${PROJECT_SOURCE_DIR}/include"
       "${PROJECT_SOURCE_DIR}/include/wasm/*")
  foreach(rel IN LISTS files)
    if(rel IN_LIST inlined AND rel MATCHES "\\.hpp$")
      file(CONFIGURE OUTPUT "${out_dir}/${rel}" CONTENT
           "#pragma once\n// Generated (WASMPP_USE_SINGLE_INCLUDE): include/${rel} is part of the single header.\n#include <wasm.hpp>\n")
    else()
      configure_file("${PROJECT_SOURCE_DIR}/include/${rel}" "${out_dir}/${rel}" COPYONLY)
    endif()
  endforeach()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${single}")
endfunction()
