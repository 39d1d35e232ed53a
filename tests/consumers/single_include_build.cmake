# Configures and builds a second tree of this repository with -DWASMPP_USE_SINGLE_INCLUDE=ON,
# only the targets CI runs there: spec-runner and unit_tests_single.
#   cmake -DSOURCE_DIR=... -DBINARY_DIR=... -DGENERATOR=... [-DMAKE_PROGRAM=...] -DCXX=...
#         -DBUILD_TYPE=... -DSPEC_DIR=... -DWAST2JSON=... -P single_include_build.cmake
cmake_minimum_required(VERSION 3.25)
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    list(JOIN ARGN " " cmd)
    message(FATAL_ERROR "single-include build: failed (${rc}): ${cmd}")
  endif()
endfunction()
set(args -S "${SOURCE_DIR}" -B "${BINARY_DIR}" -G "${GENERATOR}" "-DCMAKE_CXX_COMPILER=${CXX}"
    "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}" -DWASMPP_USE_SINGLE_INCLUDE=ON -DWASMPP_BUILD_TESTS=ON
    -DWASMPP_BUILD_EXAMPLES=OFF -DWASMPP_INSTALL=OFF "-DWASMPP_SPEC_DIR=${SPEC_DIR}")
if(MAKE_PROGRAM)
  list(APPEND args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
if(WAST2JSON)
  list(APPEND args "-DWASMPP_WAST2JSON=${WAST2JSON}")
endif()
run("${CMAKE_COMMAND}" ${args})
run("${CMAKE_COMMAND}" --build "${BINARY_DIR}" --target spec-runner unit_tests_single --parallel 2)
