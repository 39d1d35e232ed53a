# One consumer test: cmake -DMODE=... -DWORK=<scratch dir> ... -P run_consumer.cmake
#   MODE=find-package      cmake --install BUILD_DIR into WORK/prefix, check the installed files
#                          (and wasmpp.pc with pkg-config when there is one), then build and run
#                          project/ with find_package(wasmpp)
#   MODE=add-subdirectory  build and run project/ with add_subdirectory(SOURCE_DIR)
#   MODE=single-header     copy single_include/wasm.hpp alone into WORK/single and compile the
#                          program with only -I WORK/single (plus the dependencies' own folders)
#   MODE=single-header-separate  the same, separately compiled: WASMPP_SEPARATE_COMPILATION for
#                          every file, impl_single.cpp (WASMPP_IMPLEMENTATION) the third
#   MODE=single-header-wasi  wasm.hpp and wasm_wasi.hpp alone in WORK/single; builds
#                          examples/wasi-hello/hello.c with WASI_CLANG and runs it via wasi_main.cpp
# -DLINK_MODE=compiled or impl_tu (find-package, add-subdirectory): separately compiled, through
# wasmpp::compiled or a user translation unit that includes <wasm/impl.hpp> (project/CMakeLists.txt).
# Every other variant builds main.cpp + add.cpp, two translation units that include <wasm.hpp>,
# and runs the program (it compiles a module, instantiates it and calls its export "add").
cmake_minimum_required(VERSION 3.25)
set(here "${CMAKE_CURRENT_LIST_DIR}")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    list(JOIN ARGN " " cmd)
    message(FATAL_ERROR "consumer test (${MODE}): failed (${rc}): ${cmd}")
  endif()
endfunction()

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
set(generator_args -G "${GENERATOR}")
if(MAKE_PROGRAM)
  list(APPEND generator_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
# No CMAKE_BUILD_TYPE: -O0 without -g compiles fastest, and the program only checks behaviour.
if(NOT LINK_MODE)
  set(LINK_MODE header_only)
endif()
set(project_args -S "${here}/project" -B "${WORK}/build" ${generator_args}
    "-DCMAKE_CXX_COMPILER=${CXX}" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF "-DLINK_MODE=${LINK_MODE}")

if(MODE STREQUAL "find-package")
  set(prefix "${WORK}/prefix")
  run("${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}")
  foreach(f include/wasm.hpp include/wasm/types.hpp include/wasm/detail/binary/opcodes.def
            include/wasm/impl.hpp include/wasmpp/single_include/wasm.hpp
            include/wasmpp/single_include/wasm_wasi.hpp share/cmake/wasmpp/wasmpp_compiled.cpp
            share/cmake/wasmpp/wasmppConfig.cmake
            share/cmake/wasmpp/wasmppConfigVersion.cmake share/cmake/wasmpp/wasmppTargets.cmake
            share/pkgconfig/wasmpp.pc)
    if(NOT EXISTS "${prefix}/${f}")
      message(FATAL_ERROR "consumer test (find-package): ${f} was not installed")
    endif()
  endforeach()
  find_program(PKG_CONFIG NAMES pkg-config pkgconf)
  if(PKG_CONFIG)
    set(ENV{PKG_CONFIG_PATH} "${prefix}/share/pkgconfig")
    execute_process(COMMAND "${PKG_CONFIG}" --cflags --libs wasmpp
                    OUTPUT_VARIABLE flags OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
    file(REAL_PATH "${prefix}/include" want)
    string(REGEX MATCH "-I([^ ]+)" _ "${flags}")
    set(got "${CMAKE_MATCH_1}")
    if(got)
      file(REAL_PATH "${got}" got)
    endif()
    if(NOT rc EQUAL 0 OR NOT got STREQUAL want OR NOT flags MATCHES "-std=c\\+\\+20")
      message(FATAL_ERROR "consumer test (find-package): pkg-config --cflags --libs wasmpp gave "
                          "'${flags}' (exit ${rc}); expected -std=c++20 -I${want}")
    endif()
    message(STATUS "pkg-config --cflags --libs wasmpp: ${flags}")
  else()
    message(STATUS "no pkg-config: wasmpp.pc installed but not read")
  endif()
  run("${CMAKE_COMMAND}" ${project_args} -DCONSUMER_MODE=find_package
      "-DCMAKE_PREFIX_PATH=${prefix}" "-DEXPECTED_PREFIX=${prefix}")
elseif(MODE STREQUAL "add-subdirectory")
  run("${CMAKE_COMMAND}" ${project_args} -DCONSUMER_MODE=add_subdirectory
      "-DWASMPP_SOURCE_DIR=${SOURCE_DIR}")
elseif(MODE MATCHES "^single-header")
  file(COPY "${SOURCE_DIR}/single_include/wasm.hpp" DESTINATION "${WORK}/single")
  set(dep_flags "")
  foreach(dir IN LISTS DEP_INCLUDE_DIRS)
    if(NOT dir STREQUAL "/usr/include")  # never -isystem the compiler's own default folder
      list(APPEND dep_flags "-isystem" "${dir}")
    endif()
  endforeach()
  list(REMOVE_DUPLICATES dep_flags)
  set(cxx_flags -std=c++20 -Wall -Wextra "-I${WORK}/single" ${dep_flags})
  if(MODE STREQUAL "single-header")
    run("${CXX}" ${cxx_flags} "${here}/main.cpp" "${here}/add.cpp" -o "${WORK}/consumer" -pthread)
    run("${WORK}/consumer")
  elseif(MODE STREQUAL "single-header-separate")
    run("${CXX}" ${cxx_flags} -DWASMPP_SEPARATE_COMPILATION "${here}/main.cpp" "${here}/add.cpp"
        "${here}/impl_single.cpp" -o "${WORK}/consumer" -pthread)
    run("${WORK}/consumer")
  elseif(MODE STREQUAL "single-header-wasi")
    file(COPY "${SOURCE_DIR}/single_include/wasm_wasi.hpp" DESTINATION "${WORK}/single")
    run("${WASI_CLANG}" --target=wasm32-wasi --sysroot=/usr -O2 -o "${WORK}/hello.wasm"
        "${SOURCE_DIR}/examples/wasi-hello/hello.c")
    run("${CXX}" ${cxx_flags} "${here}/wasi_main.cpp" -o "${WORK}/wasi_consumer" -pthread)
    file(MAKE_DIRECTORY "${WORK}/scratch")
    run("${WORK}/wasi_consumer" "${WORK}/hello.wasm" "${WORK}/scratch")
  else()
    message(FATAL_ERROR "run_consumer.cmake: unknown MODE '${MODE}'")
  endif()
  return()
else()
  message(FATAL_ERROR "run_consumer.cmake: unknown MODE '${MODE}'")
endif()

run("${CMAKE_COMMAND}" --build "${WORK}/build" --parallel 2)
run("${WORK}/build/consumer")
