# The book: chapters, side-by-side pages and the Doxygen code browser, built
# into ${CMAKE_BINARY_DIR}/site (site/index.html; the code browser at
# site/code/). See book/README.md.
#
#   target book (in ALL)   npm ci for Mermaid (once per package-lock.json),
#                          then book/tools/build.py: the \gosrc check,
#                          Doxygen (warnings fail), the doc-comment check,
#                          the generated pages (the linkname chapter's table
#                          from tools/linkname.py --rst on the library's
#                          objects; chapter 9's inventory with the results
#                          of the last test run, test-results/*.xml),
#                          the memory chapter's generated tables and program
#                          output (book/programs/: heapfacts, memstats), the
#                          collector chapter's (gcfacts), the timers
#                          chapter's (timerfacts), the poller chapter's
#                          (pollfacts),
#                          Sphinx -W -n. Rebuilt by run.bash after ctest.
#   ctest book_links       every href/src/#anchor of the site resolves; every
#                          Go link lands on its symbol's line (+ a selftest)
#   ctest book_browser     headless Chromium: the Mermaid diagrams of the
#                          ch <- v, scheduler, linkname, memory, collector, timers and poller
#                          chapters
#                          render to SVG; every diagram's labels are 12 px or
#                          more at 1400 and 420 px wide, none clipped or drawn
#                          over another;
#                          screenshots in ${CMAKE_BINARY_DIR}/site-check
#
# GORT_BOOK=OFF skips all of it. Without the tools (Debian: doxygen,
# python3-sphinx, furo, python3-sphinxcontrib-mermaid, python3-breathe, python3-matplotlib,
# chromium, npm; make.bash installs them) the book is skipped with a warning.

option(GORT_BOOK "Build the book and the code browser into site/" ON)
# Whether this build tree has the target book (run.bash rebuilds it after the
# tests, so that chapter 9 shows their results).
set(GORT_BOOK_TARGET OFF CACHE INTERNAL "the book target exists")
if(NOT GORT_BOOK)
  return()
endif()

set(GORT_BOOK_PYTHON /usr/bin/python3 CACHE FILEPATH "Python with Debian's Sphinx modules")
find_program(GORT_DOXYGEN doxygen)
find_program(GORT_NPM npm)
execute_process(COMMAND "${GORT_BOOK_PYTHON}" -c "import sphinx, furo, sphinxcontrib.mermaid, breathe, matplotlib"
                RESULT_VARIABLE _book_py OUTPUT_QUIET ERROR_QUIET)
if(NOT GORT_DOXYGEN OR NOT GORT_NPM OR NOT _book_py EQUAL 0)
  message(WARNING "gort: the book needs doxygen, npm and ${GORT_BOOK_PYTHON} with sphinx, furo, breathe, "
                  "sphinxcontrib.mermaid and matplotlib; not building it (./make.bash installs them)")
  return()
endif()

set(_book_src "${CMAKE_CURRENT_SOURCE_DIR}/book")
set(_book_npm "${CMAKE_BINARY_DIR}/book/npm")
set(_mermaid "${_book_npm}/node_modules/mermaid/dist/mermaid.min.js")

# Mermaid from the npm registry at the version pinned by package-lock.json,
# installed in the build tree (npm's cache makes a re-install offline).
add_custom_command(OUTPUT "${_mermaid}"
  COMMAND "${CMAKE_COMMAND}" -E make_directory "${_book_npm}"
  COMMAND "${CMAKE_COMMAND}" -E copy "${_book_src}/package.json" "${_book_src}/package-lock.json" "${_book_npm}"
  COMMAND "${CMAKE_COMMAND}" -E chdir "${_book_npm}"
          "${GORT_NPM}" ci --no-audit --no-fund --ignore-scripts --prefer-offline --loglevel=error
  COMMAND "${CMAKE_COMMAND}" -E touch "${_mermaid}"
  DEPENDS "${_book_src}/package.json" "${_book_src}/package-lock.json"
  COMMENT "book: npm ci (Mermaid)")

file(GLOB_RECURSE _book_inputs CONFIGURE_DEPENDS
  "${_book_src}/*.rst" "${_book_src}/*.py" "${_book_src}/*.css" "${_book_src}/_static/*.js" "${_book_src}/*.in" "${_book_src}/*.tsv"
  "${_book_src}/*.txt" "${_book_src}/*.md" "${_book_src}/*.json" "${_book_src}/*.gdb")
list(FILTER _book_inputs EXCLUDE REGEX "/node_modules/")
# The performance chapter plots committed bench/compare results, and groups
# their rows by the Go files bench/compare's lists name.
file(GLOB _book_perf CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/bench/results/*.json")
list(APPEND _book_inputs ${_book_perf} "${CMAKE_CURRENT_SOURCE_DIR}/bench/compare")
file(GLOB _book_runtime CONFIGURE_DEPENDS
  "${CMAKE_CURRENT_SOURCE_DIR}/*.cpp" "${CMAKE_CURRENT_SOURCE_DIR}/*.hpp" "${CMAKE_CURRENT_SOURCE_DIR}/*.h"
  "${CMAKE_CURRENT_SOURCE_DIR}/*.S" "${CMAKE_CURRENT_SOURCE_DIR}/sync/*.cpp" "${CMAKE_CURRENT_SOURCE_DIR}/sync/*.hpp"
  "${CMAKE_CURRENT_SOURCE_DIR}/sync/atomic/*.hpp" "${CMAKE_CURRENT_SOURCE_DIR}/internal/atomic/*.hpp"
  "${CMAKE_CURRENT_SOURCE_DIR}/debug/*.cpp" "${CMAKE_CURRENT_SOURCE_DIR}/debug/*.hpp"
  "${CMAKE_CURRENT_SOURCE_DIR}/time/*.cpp" "${CMAKE_CURRENT_SOURCE_DIR}/time/*.hpp"
  "${CMAKE_CURRENT_SOURCE_DIR}/errors/*.cpp" "${CMAKE_CURRENT_SOURCE_DIR}/errors/*.hpp"
  "${CMAKE_CURRENT_SOURCE_DIR}/io/*.cpp" "${CMAKE_CURRENT_SOURCE_DIR}/io/*.hpp"
  "${CMAKE_CURRENT_SOURCE_DIR}/internal/poll/*.cpp" "${CMAKE_CURRENT_SOURCE_DIR}/internal/poll/*.hpp"
  "${CMAKE_CURRENT_SOURCE_DIR}/os/*.cpp" "${CMAKE_CURRENT_SOURCE_DIR}/os/*.hpp"
  "${CMAKE_CURRENT_SOURCE_DIR}/net/*.cpp" "${CMAKE_CURRENT_SOURCE_DIR}/net/*.hpp"
  "${CMAKE_CURRENT_SOURCE_DIR}/tests/*_test.cpp" "${CMAKE_CURRENT_SOURCE_DIR}/tests/sync/*_test.cpp"
  "${CMAKE_CURRENT_SOURCE_DIR}/tests/debug/*_test.cpp"
  "${CMAKE_CURRENT_SOURCE_DIR}/tests/inventory/*"
  "${CMAKE_CURRENT_SOURCE_DIR}/bench/*.cpp" "${CMAKE_CURRENT_SOURCE_DIR}/tools/inventory.py"
  "${CMAKE_CURRENT_SOURCE_DIR}/tools/fidelity.py" "${CMAKE_CURRENT_SOURCE_DIR}/tools/fidelity_manifest.tsv"
  "${CMAKE_CURRENT_SOURCE_DIR}/tools/linkname.py"
  "${CMAKE_CURRENT_SOURCE_DIR}/cmake/GOVERSION")

# Chapter 9 shows what the last test run said: ctest's gort_test_cpu<n>
# leave JUnit and Catch2 XML reports in test-results/ (CMakeLists.txt,
# book/tools/testresults.py). A report that does not exist yet cannot be a
# build dependency (Ninja would rebuild the book on every build until the
# tests ran), so a cheap step that runs on every build digests whatever
# reports exist into book/test-results.json, rewriting it only when their
# content changed; the book depends on that file. Ninja re-checks a
# byproduct's mtime (restat), so after a test run the book is rebuilt, and
# otherwise it is not. (build.py then reuses Doxygen's output and rebuilds
# only the pages that changed: seconds.)
set(_test_results "${CMAKE_BINARY_DIR}/test-results")
set(_test_digest "${CMAKE_BINARY_DIR}/book/test-results.json")
list(JOIN GORT_TEST_CPUS "," _test_cpus)
add_custom_target(book_test_results
  COMMAND "${GORT_BOOK_PYTHON}" "${_book_src}/tools/testresults.py"
          --dir "${_test_results}" --cpus "${_test_cpus}" --summary "${_test_digest}"
  BYPRODUCTS "${_test_digest}"
  COMMENT "book: digest of the last test run (test-results/)"
  VERBATIM)

# The memory chapter's programs (book/programs/): heapfacts prints the heap's
# tables (size classes, the page allocator's summary levels) from the compiled
# headers; memstats allocates and prints what ReadMemStats says, and runs
# once more under gdb (memstats.gdb); scavfacts leaves holes in the heap and
# shows the scavenger giving them back (GODEBUG=gctrace=1,scavtrace=1). The collector chapter's: gcfacts makes
# garbage and collects it, under GODEBUG=gctrace=1. The timers chapter's:
# timerfacts sleeps, starts and stops timers and reads a Ticker. The poller
# chapter's: pollfacts parks goroutines on pipes and sockets, with deadlines,
# and dials over loopback. The preemption chapter's: preemptfacts spins
# goroutines in loops that call nothing and counts the preemption signals.
# The chapters on ch <- v and the scheduler: sendfacts dumps a parked sender
# on SIGQUIT, traces a ping-pong under GODEBUG=schedtrace, prints a
# buffered channel's ring, and (for chapter 5) a parked goroutine's and its
# g0's stacks. The select
# chapter's: selectfacts counts which ready case wins, and deadlocks in a
# select. The goroutine chapter's: goroutinefacts prints a P's run queue after
# go statements, and which P ran goroutines another P kept making. The
# LockOSThread chapter's: lockfacts locks goroutines to threads,
# watches the template thread start their threads, and exits one locked.
# book/tools/gen.py runs
# them while it builds the book, and fails if one cannot be run or read, or
# no longer prints what its chapter says.
set(_book_programs "${CMAKE_BINARY_DIR}/book/programs")
add_executable(book_heapfacts "${_book_src}/programs/heapfacts.cpp")
add_executable(book_memstats "${_book_src}/programs/memstats.cpp")
add_executable(book_gcfacts "${_book_src}/programs/gcfacts.cpp")
add_executable(book_timerfacts "${_book_src}/programs/timerfacts.cpp")
add_executable(book_pollfacts "${_book_src}/programs/pollfacts.cpp")
add_executable(book_preemptfacts "${_book_src}/programs/preemptfacts.cpp")
add_executable(book_sendfacts "${_book_src}/programs/sendfacts.cpp")
add_executable(book_scavfacts "${_book_src}/programs/scavfacts.cpp")
add_executable(book_selectfacts "${_book_src}/programs/selectfacts.cpp")
add_executable(book_goroutinefacts "${_book_src}/programs/goroutinefacts.cpp")
add_executable(book_lockfacts "${_book_src}/programs/lockfacts.cpp")
# The README's example, for chapter 1 (the consumer test checks that the
# README shows this very file).
add_executable(book_hello "${CMAKE_CURRENT_SOURCE_DIR}/tests/consumer/main.cpp")
add_executable(book_mistakes "${_book_src}/programs/mistakes.cpp")
foreach(_t heapfacts memstats gcfacts timerfacts pollfacts preemptfacts sendfacts scavfacts selectfacts hello
        mistakes goroutinefacts lockfacts)
  target_link_libraries(book_${_t} PRIVATE gort::gort)
  set_target_properties(book_${_t} PROPERTIES OUTPUT_NAME ${_t} RUNTIME_OUTPUT_DIRECTORY "${_book_programs}")
endforeach()

# Chapter 9 runs one of testprog's sub-programs by hand, when the tests are
# built at all.
set(_book_testprog "")
if(TARGET testprog)
  set(_book_testprog --testprog "$<TARGET_FILE:testprog>")
endif()

set(_book_stamp "${CMAKE_BINARY_DIR}/book/stamp")
add_custom_command(OUTPUT "${_book_stamp}"
  COMMAND "${GORT_BOOK_PYTHON}" "${_book_src}/tools/build.py"
          --build "${CMAKE_BINARY_DIR}" --lib "$<TARGET_FILE:gort>"
          --objects "$<TARGET_OBJECTS:gort>"
          --mermaid "${_book_npm}/node_modules/mermaid/dist"
          --test-results "${_test_results}" --test-cpus "${_test_cpus}"
          --heapfacts "$<TARGET_FILE:book_heapfacts>" --memstats "$<TARGET_FILE:book_memstats>"
          --gcfacts "$<TARGET_FILE:book_gcfacts>" --timerfacts "$<TARGET_FILE:book_timerfacts>"
          --pollfacts "$<TARGET_FILE:book_pollfacts>" --preemptfacts "$<TARGET_FILE:book_preemptfacts>"
          --sendfacts "$<TARGET_FILE:book_sendfacts>" --scavfacts "$<TARGET_FILE:book_scavfacts>"
          --selectfacts "$<TARGET_FILE:book_selectfacts>" --hello "$<TARGET_FILE:book_hello>"
          --mistakes "$<TARGET_FILE:book_mistakes>" --goroutinefacts "$<TARGET_FILE:book_goroutinefacts>"
          --lockfacts "$<TARGET_FILE:book_lockfacts>"
          ${_book_testprog}
  DEPENDS ${_book_inputs} ${_book_runtime} "${_mermaid}" gort "$<TARGET_FILE:gort>"
          book_heapfacts "$<TARGET_FILE:book_heapfacts>" book_memstats "$<TARGET_FILE:book_memstats>"
          book_gcfacts "$<TARGET_FILE:book_gcfacts>" book_timerfacts "$<TARGET_FILE:book_timerfacts>"
          book_pollfacts "$<TARGET_FILE:book_pollfacts>"
          book_preemptfacts "$<TARGET_FILE:book_preemptfacts>"
          book_sendfacts "$<TARGET_FILE:book_sendfacts>"
          book_scavfacts "$<TARGET_FILE:book_scavfacts>"
          book_selectfacts "$<TARGET_FILE:book_selectfacts>" book_hello "$<TARGET_FILE:book_hello>"
          book_mistakes "$<TARGET_FILE:book_mistakes>"
          book_goroutinefacts "$<TARGET_FILE:book_goroutinefacts>"
          book_lockfacts "$<TARGET_FILE:book_lockfacts>"
          $<$<TARGET_EXISTS:testprog>:testprog>
          book_test_results "${_test_digest}"
  WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
  COMMENT "book: Doxygen + Sphinx into ${CMAKE_BINARY_DIR}/site"
  COMMAND_EXPAND_LISTS  # --objects: one argument per object (linkname table)
  USES_TERMINAL)
add_custom_target(book ALL DEPENDS "${_book_stamp}")
set(GORT_BOOK_TARGET ON CACHE INTERNAL "the book target exists")

if(BUILD_TESTING)
  add_test(NAME book_links
    COMMAND "${GORT_BOOK_PYTHON}" "${_book_src}/tools/checklinks.py" --ctest "${CMAKE_BINARY_DIR}/site")
  add_test(NAME book_browser
    COMMAND "${GORT_BOOK_PYTHON}" "${_book_src}/tools/browsercheck.py"
            "${CMAKE_BINARY_DIR}/site" "${CMAKE_BINARY_DIR}/site-check")
  set_tests_properties(book_links book_browser PROPERTIES LABELS "book" TIMEOUT 600)
endif()
