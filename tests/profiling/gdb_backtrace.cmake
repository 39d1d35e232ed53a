# ctest: gdb -batch stops in a host function called from wasm and takes a backtrace; the wasm
# frames must be named (Config::debug_info, the GDB JIT interface).
#   cmake -DGDB=... -DPROGRAM=... -P gdb_backtrace.cmake
# Skipped (the test's SKIP_REGULAR_EXPRESSION) without gdb or where processes cannot be traced.
if(NOT GDB)
  message("SKIP: gdb not found (.ci/install-deps.sh installs it)")
  return()
endif()
execute_process(
  COMMAND ${GDB} -batch -nx
          -ex "set debuginfod enabled off"
          -ex "break wasmpp_test_host_break"
          -ex "run"
          -ex "bt"
          -ex "continue"
          ${PROGRAM}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT 120)
message("${out}${err}")
if(out MATCHES "ptrace: Operation not permitted" OR err MATCHES "ptrace: Operation not permitted"
   OR err MATCHES "Could not trace the inferior")
  message("SKIP: this machine does not let gdb trace processes")
  return()
endif()
if(NOT out MATCHES "Breakpoint 1, [^\n]*wasmpp_test_host_break")
  message(FATAL_ERROR "gdb did not stop in the host function")
endif()
# Frames are "#N  0x... in NAME (...)"; wasm_inner calls the host function, wasm_outer calls it.
foreach(name wasm_inner wasm_outer)
  if(NOT out MATCHES "#[0-9]+ +0x[0-9a-f]+ in ${name} ")
    message(FATAL_ERROR "the backtrace does not name the wasm function ${name}")
  endif()
endforeach()
if(NOT out MATCHES "called wasm")
  message(FATAL_ERROR "the program did not finish after the breakpoint")
endif()
