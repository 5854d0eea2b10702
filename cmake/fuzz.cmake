# cmake/fuzz.cmake: the channel fuzzer (tests/fuzz). Included from the top
# CMakeLists.txt after the gort target is defined.
#
# What it adds
#   fuzz_chan_run    (every build) the fuzzer's programs and model without
#                    libFuzzer: print, classify, run one as a Go program,
#                    replay inputs under the harness (tests/fuzz/run.cpp).
#   ctest fuzz_model_selftest  (label fuzz) the model rejects runs that break
#                        each of its rules and accepts their legal twins
#                        (tests/fuzz/selftest.cpp).

set(_fuzz_dir "${CMAKE_CURRENT_SOURCE_DIR}/tests/fuzz")
set(_fuzz_common "${_fuzz_dir}/program.cpp" "${_fuzz_dir}/harness.cpp" "${_fuzz_dir}/model.cpp"
                 "${_fuzz_dir}/target.cpp")

add_executable(fuzz_chan_run "${_fuzz_dir}/run.cpp" "${_fuzz_dir}/selftest.cpp" ${_fuzz_common})
set_target_properties(fuzz_chan_run PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/tests")
target_link_libraries(fuzz_chan_run PRIVATE gort::gort)

if(BUILD_TESTING)
  add_test(NAME fuzz_model_selftest COMMAND fuzz_chan_run selftest)
  set_tests_properties(fuzz_model_selftest PROPERTIES LABELS "fuzz" TIMEOUT 300)
endif()
