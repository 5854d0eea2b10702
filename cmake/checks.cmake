# cmake/checks.cmake: the checks that give the //go: directive macros of
# pragmas.hpp their teeth, and the fidelity report. Included from the top
# CMakeLists.txt after the gort target is defined.
#
# What it adds
#   to the gort library (GCC only): -fcallgraph-info=su. GCC 12 then writes,
#     next to each object (CMakeFiles/gort.dir/proc.cpp.o), a VCG call graph
#     with every function's stack usage (CMakeFiles/gort.dir/proc.cpp.ci).
#     tools/gocheck.py reads those frame sizes for Go's nosplit rule. The
#     option changes no code, and it is PRIVATE: tests, benchmarks and users
#     of the installed package do not get it.
#   ctest tests (label "gocheck"; they read what the build produced, so run
#   them after building, as ./run.bash does):
#     gocheck_runtime   tools/gocheck.py over the library's compile commands:
#                       nosplit, nowritebarrier(rec), systemstack, linkname,
#                       notinheap; passes only with no findings.
#     gocheck_fixtures  tests/static/run.py: compiles each fixture with g++
#                       and checks the checker's verdict and Go's message.
#     fidelity          tools/fidelity.py --check: the per-file comparison
#                       with the pinned Go source and the manifest's sanity.
#     linkname_sync     tools/linkname.py --selftest --check over the
#                       library's objects ($<TARGET_OBJECTS:gort>, not
#                       libgort.a, whose members lose their folders): for
#                       each package on the back channel (sync, and
#                       runtime/debug as runtime..z2fdebug.*), every symbol
#                       of its prefix defined once, by the runtime
#                       (LINKNAME), referenced only from that package
#                       (GOSYMBOL), and the declarations and definitions in
#                       the sources match. (The name dates from when sync
#                       was the only such package.)
#
# The tools need Debian's interpreter (clang.cindex from python3-clang-14).

set(GORT_PYTHON /usr/bin/python3 CACHE FILEPATH "Python with Debian's clang.cindex (python3-clang-14)")

if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(gort PRIVATE "$<$<COMPILE_LANGUAGE:CXX>:-fcallgraph-info=su>")
  # `cmake --build . --target clean` removes the call-graph files too.
  set(_gort_ci_files "")
  foreach(_src IN LISTS GORT_SOURCES)
    if(_src MATCHES "\\.cpp$")
      file(RELATIVE_PATH _rel "${CMAKE_CURRENT_SOURCE_DIR}" "${_src}")
      list(APPEND _gort_ci_files "${CMAKE_CURRENT_BINARY_DIR}/CMakeFiles/gort.dir/${_rel}.ci")
    endif()
  endforeach()
  set_property(TARGET gort APPEND PROPERTY ADDITIONAL_CLEAN_FILES ${_gort_ci_files})
  set(_gort_have_ci TRUE)
else()
  message(STATUS "gort: ${CMAKE_CXX_COMPILER_ID} has no -fcallgraph-info: gocheck_runtime "
                 "needs a g++ build directory")
  set(_gort_have_ci FALSE)
endif()

if(BUILD_TESTING)
  if(_gort_have_ci)
    # Sanitizer builds: redzones and instrumentation make frames larger,
    # which the runtime's stack guard (16 KiB) absorbs; the nosplit budget
    # grows with them, as Go's does for -race (StackGuardMultiplier).
    set(_gort_sgm 1)
    if(GORT_SANITIZE)
      set(_gort_sgm 4)
    endif()
    add_test(NAME gocheck_runtime
      COMMAND "${GORT_PYTHON}" tools/gocheck.py -p "${CMAKE_BINARY_DIR}" --stack-guard-multiplier ${_gort_sgm}
      WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}")
    set_tests_properties(gocheck_runtime PROPERTIES LABELS "gocheck;tools" TIMEOUT 300)
  endif()

  find_program(GORT_GXX NAMES g++ g++-12)
  if(GORT_GXX)
    add_test(NAME gocheck_fixtures
      COMMAND "${GORT_PYTHON}" tests/static/run.py --cxx "${GORT_GXX}"
      WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}")
    set_tests_properties(gocheck_fixtures PROPERTIES LABELS "gocheck;tools" TIMEOUT 300)
  else()
    message(STATUS "gort: no g++ found: gocheck_fixtures not defined")
  endif()

  add_test(NAME fidelity
    COMMAND "${GORT_PYTHON}" tools/fidelity.py --check -p "${CMAKE_BINARY_DIR}"
            --goroot "${GORT_GOROOT}"
    WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}")
  set_tests_properties(fidelity PROPERTIES LABELS "gocheck;tools" TIMEOUT 300)

  # The objects arrive as one ';'-separated argument; the tool splits it.
  # Needs only nm and the standard library, so any compiler's build has it.
  add_test(NAME linkname_sync
    COMMAND "${GORT_PYTHON}" tools/linkname.py --selftest --check "$<TARGET_OBJECTS:gort>"
    WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}")
  set_tests_properties(linkname_sync PROPERTIES LABELS "gocheck;tools" TIMEOUT 120)
endif()
