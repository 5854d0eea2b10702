# cmake/fuzz.cmake: the channel fuzzer (tests/fuzz; its design is at the top
# of tests/fuzz/fuzz_chan.cpp). Included from the top CMakeLists.txt after
# the gort target is defined.
#
# What it adds
#   fuzz_chan_run    (every build) the fuzzer's programs and model without
#                    libFuzzer: print, classify, run one as a Go program,
#                    replay inputs under the harness (tests/fuzz/run.cpp).
#   fuzz_chan        (only with -DGORT_FUZZ=ON, clang++) the libFuzzer binary.
#                    The library's channel files (chan.cpp, select.cpp,
#                    select_lower.cpp) and the harness get libFuzzer's
#                    coverage instrumentation; GORT_FUZZ_SANITIZE adds a
#                    sanitizer (e.g. address) to everything, for later: the
#                    runtime's stack switches are not annotated for them yet,
#                    and with address the link fails for now (ASan's frames
#                    make split-stack code call libgcc's
#                    __morestack_allocate_stack_space, which brings libgcc's
#                    own __morestack in beside gort's).
#   ctest fuzz_chan      (label fuzz) configures a clang++ build tree with
#                        GORT_FUZZ=ON in <build>/_fuzz, builds fuzz_chan and
#                        runs it for GORT_FUZZ_SECONDS on the seed corpus
#                        (tests/fuzz/fuzz.sh). Fails on any model violation,
#                        crash or hang; prints the number of executions.
#   ctest fuzz_deadlock  (label fuzz) the deadlock programs, each classified by
#                        the model and run as its own Go program at GOMAXPROCS
#                        1, 2 and 4 (tests/fuzz/deadlock.sh).
#   ctest fuzz_model_selftest  (label fuzz) the model rejects runs that break
#                        each of its rules and accepts their legal twins
#                        (tests/fuzz/selftest.cpp).

option(GORT_FUZZ "Build the libFuzzer channel fuzzer fuzz_chan (needs clang++)" OFF)
set(GORT_FUZZ_SANITIZE "" CACHE STRING "With GORT_FUZZ: -fsanitize= value added to every file (empty: none)")
set(GORT_FUZZ_SECONDS 50 CACHE STRING "How long the fuzz_chan ctest fuzzes (s)")

set(_fuzz_dir "${CMAKE_CURRENT_SOURCE_DIR}/tests/fuzz")
set(_fuzz_common "${_fuzz_dir}/program.cpp" "${_fuzz_dir}/harness.cpp" "${_fuzz_dir}/model.cpp"
                 "${_fuzz_dir}/target.cpp")

add_executable(fuzz_chan_run "${_fuzz_dir}/run.cpp" "${_fuzz_dir}/selftest.cpp" ${_fuzz_common})
set_target_properties(fuzz_chan_run PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/tests")
target_link_libraries(fuzz_chan_run PRIVATE gort::gort)

if(GORT_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "GORT_FUZZ needs clang++ (libFuzzer): configure with CXX=clang++")
  endif()
  # libFuzzer without its main(): fuzz_chan.cpp's main boots the runtime and
  # calls LLVMFuzzerRunDriver from the main goroutine.
  execute_process(COMMAND "${CMAKE_CXX_COMPILER}" -print-resource-dir
                  OUTPUT_VARIABLE _resdir OUTPUT_STRIP_TRAILING_WHITESPACE)
  set(GORT_LIBFUZZER "${_resdir}/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a"
      CACHE FILEPATH "libFuzzer without main (Debian: libclang-rt-14-dev)")
  if(NOT EXISTS "${GORT_LIBFUZZER}")
    message(FATAL_ERROR "GORT_FUZZ: ${GORT_LIBFUZZER} not found (apt-get install libclang-rt-14-dev)")
  endif()
  set(_cov -fsanitize=fuzzer-no-link)
  set_property(SOURCE chan.cpp select.cpp select_lower.cpp APPEND PROPERTY COMPILE_OPTIONS ${_cov})
  set_property(SOURCE "${_fuzz_dir}/harness.cpp" "${_fuzz_dir}/program.cpp" "${_fuzz_dir}/fuzz_chan.cpp"
               APPEND PROPERTY COMPILE_OPTIONS ${_cov})
  if(GORT_FUZZ_SANITIZE)
    target_compile_options(gort PUBLIC "-fsanitize=${GORT_FUZZ_SANITIZE}")
    target_link_options(gort INTERFACE "-fsanitize=${GORT_FUZZ_SANITIZE}")
  endif()
  add_executable(fuzz_chan "${_fuzz_dir}/fuzz_chan.cpp" ${_fuzz_common})
  set_target_properties(fuzz_chan PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/tests")
  target_link_libraries(fuzz_chan PRIVATE gort::gort "${GORT_LIBFUZZER}")
  target_link_options(fuzz_chan PRIVATE -fsanitize=fuzzer-no-link)
elseif(BUILD_TESTING)
  find_program(GORT_FUZZ_CLANGXX clang++)
  if(GORT_FUZZ_CLANGXX AND NOT GORT_SANITIZE)  # the fuzzer is a build of its own
    add_test(NAME fuzz_chan
      COMMAND bash "${_fuzz_dir}/fuzz.sh" "${CMAKE_CURRENT_SOURCE_DIR}" "${CMAKE_BINARY_DIR}/_fuzz"
              "${GORT_FUZZ_SECONDS}" $<TARGET_FILE:fuzz_chan_run>)
    set_tests_properties(fuzz_chan PROPERTIES LABELS "fuzz" TIMEOUT 900)
  endif()
  add_test(NAME fuzz_deadlock
    COMMAND bash "${_fuzz_dir}/deadlock.sh" $<TARGET_FILE:fuzz_chan_run> "${_fuzz_dir}/deadlock")
  # A sanitizer's start-up makes each of the 420 runs 0.3 s or more: 4 runs
  # of each program at each GOMAXPROCS there instead of 10.
  if(GORT_SANITIZE)
    set(_deadlock_env "RUNS=4;${_test_env}")
  else()
    set(_deadlock_env "${_test_env}")
  endif()
  set_tests_properties(fuzz_deadlock PROPERTIES LABELS "fuzz" TIMEOUT 300 ENVIRONMENT "${_deadlock_env}")
  add_test(NAME fuzz_model_selftest COMMAND fuzz_chan_run selftest)
  set_tests_properties(fuzz_model_selftest PROPERTIES LABELS "fuzz" TIMEOUT 300)
endif()
