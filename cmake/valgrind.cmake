# cmake/valgrind.cmake: gort_test under valgrind's memcheck. Included from
# the top CMakeLists.txt where gort_test and its test environment
# (_test_env) are defined.
#
# What it adds
#   ctest valgrind_memcheck_cpu1, valgrind_memcheck_cpu4  (label valgrind)
#       tests/valgrind/memcheck.sh: the tests of proc_test.go, chan_test.go
#       (select's among them), sema_test.go and package sync under memcheck
#       at that GOMAXPROCS. Fails on any memcheck error, on a definite leak
#       that tests/valgrind/gort.supp does not explain, and when valgrind had
#       to guess at a stack switch.
#
# The runtime registers its goroutine and signal stacks with valgrind
# (VALGRIND_STACK_REGISTER in stack.cpp and signal_unix.cpp), so memcheck
# tells a switch between stacks from a frame push without the guess of
# --max-stackframe. memcheck.sh asks for --fair-sched=yes: with valgrind's
# default lock a spinning M could keep the thread it waited on from running
# for seconds (its header says more), and the tests that spin until
# another M's goroutine moves (TestPreemption, TestPreemptionGC,
# TestGoroutineParallelism, TestSchedLocalQueueEmpty), once left out for
# that, run again. Left out of the run:
#   TestPingPongHog  compares how much two goroutine pairs get done in
#                    100 ms; valgrind runs one thread at a time and slices
#                    time its own way (Go skips the test under -race for the
#                    same kind of reason; it is skipped in short mode too).

# Not in a sanitizer build: valgrind cannot run a program built with ASan
# or TSan (both map terabytes of shadow memory, which valgrind tries to
# track: one such run grew to 21 GB here before it was stopped).
if(GORT_SANITIZE)
  return()
endif()

find_program(GORT_VALGRIND valgrind)
if(NOT GORT_VALGRIND)
  message(STATUS "gort: valgrind not found: no valgrind_memcheck ctests (apt-get install valgrind)")
  return()
endif()

# Catch2 ands an exclusion with the filter it follows, not with the whole
# comma-separated list: it goes after [proc_test.go].
set(_memcheck_spec
  "[chan_test.go],[select],[sema_test.go],[sync],[proc_test.go] ~\"TestPingPongHog\"")
foreach(n 1 4)
  add_test(NAME valgrind_memcheck_cpu${n}
    COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/tests/valgrind/memcheck.sh" "${GORT_VALGRIND}"
            "${CMAKE_CURRENT_SOURCE_DIR}/tests/valgrind/gort.supp"
            $<TARGET_FILE:gort_test> --durations yes "${_memcheck_spec}")
  # About 15 s each here (valgrind runs the program some 20-50 times slower).
  set_tests_properties(valgrind_memcheck_cpu${n} PROPERTIES
    ENVIRONMENT "GOMAXPROCS=${n};${_test_env}"
    LABELS "valgrind" TIMEOUT 600)
endforeach()
