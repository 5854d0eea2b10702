# cmake/sanitize.cmake: sanitizer builds. Included from the top CMakeLists.txt
# right after the gort target is defined.
#
#   -DGORT_SANITIZE=address           AddressSanitizer
#   -DGORT_SANITIZE=address,undefined AddressSanitizer + UndefinedBehaviorSanitizer
#   -DGORT_SANITIZE=undefined         UndefinedBehaviorSanitizer alone
#   -DGORT_SANITIZE=thread            ThreadSanitizer
#
# make.bash and run.bash read the same value from the environment
# (GORT_SANITIZE=address ./make.bash) and then use build-<value>/ as the build
# directory, beside the ordinary build/.
#
# The options are PUBLIC (compile) and INTERFACE (link) on the gort target, so
# the tests, testprog, the benchmarks and every program built against the
# package get them too: a sanitizer must see the whole program. Every
# diagnostic is fatal (-fno-sanitize-recover), so a report fails the test
# that produced it. The runtime tells the sanitizers about its stack switches
# (asan.cpp, race.cpp, asm_amd64.S's fiberLeave/fiberArrive calls), enabled
# by the compiler's own __SANITIZE_*__ macros; clang does not define those for
# assembly, hence GORT_SANITIZE_FIBERS for the .S files.
set(GORT_SANITIZE "" CACHE STRING
    "Sanitizers to build with: address, undefined, address,undefined or thread (empty: none)")
if(NOT GORT_SANITIZE)
  return()
endif()
if(NOT GORT_SANITIZE MATCHES "^(address|undefined|thread|address,undefined|undefined,address)$")
  message(FATAL_ERROR "gort: GORT_SANITIZE=${GORT_SANITIZE}: expected address, undefined, "
                      "address,undefined or thread")
endif()

set(_san "-fsanitize=${GORT_SANITIZE}")
target_compile_options(gort PUBLIC
  "$<$<COMPILE_LANGUAGE:C,CXX>:${_san}>"
  "$<$<COMPILE_LANGUAGE:C,CXX>:-fno-sanitize-recover=all>")
target_link_options(gort INTERFACE "${_san}")
if(GORT_SANITIZE MATCHES "address|thread")
  target_compile_definitions(gort PRIVATE "$<$<COMPILE_LANGUAGE:ASM>:GORT_SANITIZE_FIBERS=1>")
endif()
if(GORT_SANITIZE STREQUAL "thread")
  # The scheduler leaves g0's frames behind at every gogo without returning
  # from them; with function entry/exit events the fiber's shadow call stack
  # would grow without end. The runtime's own files are built without those
  # events (race.hpp says what a report loses by it).
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(gort PRIVATE "$<$<COMPILE_LANGUAGE:CXX>:--param=tsan-instrument-func-entry-exit=0>")
  else()
    target_compile_options(gort PRIVATE "$<$<COMPILE_LANGUAGE:CXX>:SHELL:-mllvm -tsan-instrument-func-entry-exit=0>")
  endif()
endif()
message(STATUS "gort: sanitizer build (${_san})")
if(GORT_SANITIZE MATCHES "address")
  # The collector's scan functions are built without ASan's checks
  # (mgcmark.cpp's GC_SCAN_ATTR: they read stack garbage, redzones and freed
  # slots on purpose), yet GCC still inlines the always-inline helpers they
  # call (spanOfUnchecked, arenaIndex: pragmas.hpp's NOSPLIT_INLINE) with
  # their own checks. Those checks then meet use-after-scope marks that no
  # longer match the frame (a write into the scan's own temporary was
  # reported as stack-use-after-scope, in every collection), so the file is
  # built without use-after-scope marks; every other ASan check stays.
  set_source_files_properties("${CMAKE_CURRENT_SOURCE_DIR}/mgcmark.cpp" TARGET_DIRECTORY gort
                              PROPERTIES COMPILE_OPTIONS "-fno-sanitize-address-use-after-scope")
endif()
