# ConsumerTest.cmake: the `consumer` ctest, run as `cmake -P`.
#
# It checks the installed package the way a user meets it:
#   1. cmake --install <build> --prefix <build>/_install
#   2. configure tests/consumer against that prefix (find_package(gort)),
#   3. build it, check that its compile commands carry the flags the package
#      promises, run it, and compare its output with the expected line;
#   4. check that gdb auto-loads the installed runtime-gdb.py for it;
#   5. check that README.md's first ```cpp block is tests/consumer/main.cpp,
#      as the README says it is.
#
# Inputs (-D): GORT_BUILD_DIR, GORT_SOURCE_DIR, GORT_GENERATOR,
# GORT_MAKE_PROGRAM, GORT_CXX_COMPILER, GORT_CONSUMER_EXPECT.
cmake_minimum_required(VERSION 3.25)

foreach(v GORT_BUILD_DIR GORT_SOURCE_DIR GORT_GENERATOR GORT_CXX_COMPILER GORT_CONSUMER_EXPECT)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "ConsumerTest.cmake: -D${v}=... is required")
  endif()
endforeach()

set(prefix "${GORT_BUILD_DIR}/_install")
set(cbuild "${GORT_BUILD_DIR}/_consumer")
file(REMOVE_RECURSE "${prefix}" "${cbuild}")

function(step what)
  execute_process(COMMAND ${ARGN}
                  RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out
                  ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "consumer: ${what} failed (${rc})\n"
                        "command: ${ARGN}\n${out}\n${err}")
  endif()
  set(step_out "${out}" PARENT_SCOPE)
endfunction()

step("install" "${CMAKE_COMMAND}" --install "${GORT_BUILD_DIR}" --prefix "${prefix}")

foreach(f include/gort/go.hpp include/gort/runtime.hpp include/gort/go_asm.h)
  if(NOT EXISTS "${prefix}/${f}")
    message(FATAL_ERROR "consumer: ${f} is not installed")
  endif()
endforeach()

set(configure_args
    -S "${GORT_SOURCE_DIR}/tests/consumer" -B "${cbuild}"
    -G "${GORT_GENERATOR}"
    "-DCMAKE_PREFIX_PATH=${prefix}"
    "-DCMAKE_CXX_COMPILER=${GORT_CXX_COMPILER}"
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)
if(GORT_MAKE_PROGRAM)
  list(APPEND configure_args "-DCMAKE_MAKE_PROGRAM=${GORT_MAKE_PROGRAM}")
endif()
step("configure" "${CMAKE_COMMAND}" ${configure_args})
step("build" "${CMAKE_COMMAND}" --build "${cbuild}")

# The package, not the consumer, adds these: check they reached the compiler.
file(READ "${cbuild}/compile_commands.json" cc)
foreach(flag -fsplit-stack -fno-omit-frame-pointer)
  string(FIND "${cc}" "${flag}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "consumer: ${flag} missing from the consumer's compile command:\n${cc}")
  endif()
endforeach()

step("run" "${cbuild}/hello")
string(STRIP "${step_out}" got)
if(NOT got STREQUAL GORT_CONSUMER_EXPECT)
  message(FATAL_ERROR "consumer: output\n  got:  '${got}'\n  want: '${GORT_CONSUMER_EXPECT}'")
endif()

# gdb loads the installed runtime-gdb.py, named by the .debug_gdb_scripts
# entry that the install step pointed at it (cmake/gdb.cmake).
find_program(gdb_program gdb)
if(gdb_program)
  set(gdb_script "${prefix}/share/gort/gdb/runtime-gdb.py")
  step("gdb" "${gdb_program}" -q -batch -nx -iex "add-auto-load-safe-path ${gdb_script}"
       -ex "info auto-load python-scripts" "${cbuild}/hello")
  string(REGEX MATCH "Yes +([^\n]*)" loaded "${step_out}")
  string(STRIP "${CMAKE_MATCH_1}" loaded)
  if(NOT loaded STREQUAL gdb_script)
    message(FATAL_ERROR "consumer: gdb did not load ${gdb_script} for hello:\n${step_out}")
  endif()
endif()

file(READ "${GORT_SOURCE_DIR}/README.md" readme)
string(FIND "${readme}" "```cpp\n" start)
if(start EQUAL -1)
  message(FATAL_ERROR "consumer: README.md has no ```cpp block")
endif()
math(EXPR start "${start} + 7")
string(SUBSTRING "${readme}" ${start} -1 readme)
string(FIND "${readme}" "```" end)
string(SUBSTRING "${readme}" 0 ${end} example)
file(READ "${GORT_SOURCE_DIR}/tests/consumer/main.cpp" main_cpp)
if(NOT example STREQUAL main_cpp)
  message(FATAL_ERROR "consumer: README.md's example differs from tests/consumer/main.cpp")
endif()

message(STATUS "consumer: ok: ${got}")
