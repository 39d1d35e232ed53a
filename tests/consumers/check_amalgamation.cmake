# The committed single_include/wasm.hpp and wasm_wasi.hpp must be what single_include/amalgamate.py
# makes of include/ today.
# cmake -DPYTHON=... -DSOURCE_DIR=... -DOUTPUT=... -DOUTPUT_WASI=... -P check_amalgamation.cmake
cmake_minimum_required(VERSION 3.25)
set(fix "regenerate it with `python3 single_include/amalgamate.py` (from the repository root) and commit single_include/")
if(NOT PYTHON)
  message(FATAL_ERROR "python3 was not found, so single_include/wasm.hpp cannot be checked: install "
                      "python3 (Debian: apt-get install python3) and configure again")
endif()
execute_process(COMMAND "${PYTHON}" "${SOURCE_DIR}/single_include/amalgamate.py" --output "${OUTPUT}"
                        --output-wasi "${OUTPUT_WASI}"
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "single_include/amalgamate.py failed (exit ${rc})")
endif()
foreach(pair "wasm.hpp;${OUTPUT}" "wasm_wasi.hpp;${OUTPUT_WASI}")
  list(GET pair 0 name)
  list(GET pair 1 fresh)
  set(committed "${SOURCE_DIR}/single_include/${name}")
  if(NOT EXISTS "${committed}")
    message(FATAL_ERROR "single_include/${name} is missing: ${fix}")
  endif()
  execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${committed}" "${fresh}" RESULT_VARIABLE differ)
  if(differ)
    find_program(DIFF diff)
    if(DIFF)
      execute_process(COMMAND "${DIFF}" -u "${committed}" "${fresh}" OUTPUT_VARIABLE d)
      string(LENGTH "${d}" n)
      if(n GREATER 4000)
        string(SUBSTRING "${d}" 0 4000 d)
        string(APPEND d "\n[... diff cut ...]\n")
      endif()
      message("${d}")
    endif()
    message(FATAL_ERROR "single_include/${name} is out of date with include/ (the freshly generated "
                        "one is ${fresh}): ${fix}")
  endif()
endforeach()
message(STATUS "single_include/wasm.hpp and wasm_wasi.hpp are up to date")
