# cmake/stress.cmake: the ctests that run gort_test harder than
# gort_test_cpu1/2/4 do. Included from the top CMakeLists.txt where gort_test
# and its test environment (_test_env) are defined.
#
# What it adds
#   ctest stress_cpu1, stress_cpu2, stress_cpu4, stress_cpu16  (label stress;
#       no stress_cpu16 in a sanitizer build, see below)
#       tests/stress/stress.sh at that GOMAXPROCS: the tests of chan_test.go
#       (select's among them), sema_test.go and package sync
#       GORT_STRESS_RUNS times and proc_test.go's (TestPingPongHog aside,
#       see below) GORT_STRESS_PROC_RUNS times (the chaos configurations:
#       GORT_STRESS_CHAOS_RUNS times each), each run in a fresh process
#       with its own Catch2 order.
#   ctest stress_pinned  (label stress) the same at GOMAXPROCS=4 with the
#       process pinned to one CPU (taskset): four Ps on one CPU, so the
#       kernel preempts Ms in the middle of hand-offs.
#   ctest stress_chaos_cpu2, stress_chaos_cpu4  (label stress) the same
#       with GODEBUG=gortchaos=1 (yields and short delays at hand-off
#       points).
#   ctest stress_gc_cpu1, stress_gc_cpu2, stress_gc_cpu4  (label stress) the
#       tests that allocate and hand values over (mgc, gc_test.go,
#       malloc_test.go, slice_test.go, chan_test.go, select, sema, sync)
#       GORT_STRESS_GC_RUNS times with GORT_GCSTRESS=1: a goroutine runs
#       runtime.GC every millisecond meanwhile (tests/main.cpp; every 10 ms
#       in a sanitizer build, see below), so
#       collections stop the world at arbitrary points of every hand-off.
#       stress_gc_cpu2 adds GODEBUG=gccheckmark=1: each collection walks
#       the graph a second time and throws on an object its mark missed
#       (mcheckmark.cpp; it about doubles the run's time, so only there).
#       proc_test.go is not among them: Go turns the collector off in its
#       tests whose goroutines spin without calls (nothing can stop those).
#       Nor is TestGcLastTime: it checks that MemStats.LastGC is the end of
#       its own runtime.GC, and the stress goroutine's cycles end at any time.
#   ctest gc_cpu1, gc_cpu2, gc_cpu4  (label gc) the whole of gort_test
#       once at that GOMAXPROCS with GOGC=1 and GODEBUG=gccheckmark=1: the
#       heap goal is 1% over the live heap (and the minimum heap 1% of 4 MB),
#       so allocations start cycles all through every test, and each cycle's
#       mark is checked by the second walk. Unlike stress_gc_*, proc_test.go
#       runs too: its tests whose goroutines spin without calls turn the
#       collector off first, as Go's do (GCPercentGuard, export_test.hpp).
#       10 to 16 s each here.
#   ctest gort_test_full_cpu2  (label full) all of gort_test with Go's full
#       iteration counts (GORT_TEST_SHORT=0, Go's `go test` without -short)
#       at each GOMAXPROCS in GORT_TEST_FULL_CPUS (default: 2 alone).
#
# Every stress configuration also runs under whatever else the caller's
# environment sets: `GODEBUG=gortchaos=2 ctest -L stress` runs all seven
# with that setting (stress.sh puts its own GODEBUG settings first, so the
# caller's win). For a longer soak, run the script itself:
#   tests/stress/stress.sh -p 4 -s 1000:'[chan_test.go]' build/tests/gort_test

# A sanitizer build runs each test several times slower: fewer runs, so
# that its ./run.bash stays within minutes too.
# GOMAXPROCS=16 is left out there: sixteen Ms on two cores under TSan's
# slowdown make TestSemaHandoff alone take 54 to 83 s per run (10000
# hand-offs, each waking spinning Ms), which measures the sanitizer, not
# the runtime; the normal build runs that configuration. A single run may
# take 300 s instead of 120.
if(GORT_SANITIZE)
  set(_stress_runs 6)
  set(_stress_proc_runs 2)
  set(_stress_chaos_runs 2)
  set(_stress_gc_runs 3)
  # A collection takes about 25 times as long under TSan (8 ms, median,
  # with the check mode's second walk, against 0.3 ms natively): collecting
  # every millisecond would stop the world nearly all the time and leave
  # the tests no time to run. Every 10 ms keeps a collection, on average,
  # within every few hand-offs of each test, as 1 ms does natively.
  set(_stress_gc_period 10)
  set(_stress_cpus 1 2 4)
  set(_stress_limit -t 300)
  set(_stress_timeout 1500)
else()
  set(_stress_runs 40)
  set(_stress_proc_runs 8)
  set(_stress_chaos_runs 8)
  set(_stress_gc_runs 10)
  set(_stress_gc_period 1)
  set(_stress_cpus 1 2 4 16)
  set(_stress_limit)
  set(_stress_timeout 600)
endif()
set(GORT_STRESS_RUNS ${_stress_runs} CACHE STRING
    "stress: runs of the chan, select, sema and sync tests per configuration")
set(GORT_STRESS_PROC_RUNS ${_stress_proc_runs} CACHE STRING "stress: runs of proc_test.go's tests per configuration")
# A chaos run takes about 12 s instead of 0.5 (each delay is a nanosleep,
# which the kernel rounds up to tens of microseconds): fewer runs there.
set(GORT_STRESS_CHAOS_RUNS ${_stress_chaos_runs} CACHE STRING
    "stress: runs of the chan, select, sema and sync tests and of proc_test.go's per chaos configuration")
set(GORT_STRESS_GC_RUNS ${_stress_gc_runs} CACHE STRING
    "stress: runs of the allocating tests per GORT_GCSTRESS configuration")
set(GORT_TEST_FULL_CPUS 2 CACHE STRING "GOMAXPROCS values of the full-count ctests (label full)")

set(_stress_script "${CMAKE_CURRENT_SOURCE_DIR}/tests/stress/stress.sh")
# TestPingPongHog is left out: it compares how much two goroutine pairs get
# done in 100 ms within a factor of 20, and on a loaded machine one run in a
# few hundred misses it (21x, with the kernel slicing the one P's thread);
# Go skips it under -short. gort_test_cpu* and the full ctest still run it.
set(_stress_groups
  -s "${GORT_STRESS_RUNS}:[chan_test.go],[select],[sema_test.go],[sync]"
  -s "${GORT_STRESS_PROC_RUNS}:[proc_test.go] ~\"TestPingPongHog\"")

# gort_stress(NAME ARGS...): a stress ctest; ARGS go to stress.sh before the
# groups (-p N, -c, -g NAME=VALUE, -e NAME=VALUE). The groups are the
# caller's _stress_groups.
function(gort_stress name)
  add_test(NAME ${name}
    COMMAND bash "${_stress_script}" ${_stress_limit} ${ARGN} ${_stress_groups} $<TARGET_FILE:gort_test>)
  # 20 to 40 s each (40 and 8 runs) on two loaded cores; the limit leaves
  # room for a slower machine and still ends a hang (stress.sh stops a
  # single run after 120 s).
  set_tests_properties(${name} PROPERTIES LABELS "stress" TIMEOUT ${_stress_timeout} ENVIRONMENT "${_test_env}")
endfunction()

foreach(n IN LISTS _stress_cpus)
  gort_stress(stress_cpu${n} -p ${n})
endforeach()
gort_stress(stress_pinned -p 4 -c)
set(_stress_groups
  -s "${GORT_STRESS_CHAOS_RUNS}:[chan_test.go],[select],[sema_test.go],[sync]"
  -s "${GORT_STRESS_CHAOS_RUNS}:[proc_test.go] ~\"TestPingPongHog\"")
foreach(n 2 4)
  gort_stress(stress_chaos_cpu${n} -p ${n} -g gortchaos=1)
endforeach()
# About 5 s a run on two cores.
set(_stress_groups
  -s "${GORT_STRESS_GC_RUNS}:[mgc],[gc_test.go] ~\"TestGcLastTime\",[malloc_test.go],[slice_test.go],[chan_test.go],[select],[sema_test.go],[sync]")
foreach(n 1 2 4)
  # At GOMAXPROCS=2 each collection also runs the check mode's second walk.
  if(n EQUAL 2)
    gort_stress(stress_gc_cpu${n} -p ${n} -e GORT_GCSTRESS=${_stress_gc_period} -g gccheckmark=1)
  else()
    gort_stress(stress_gc_cpu${n} -p ${n} -e GORT_GCSTRESS=${_stress_gc_period})
  endif()
endforeach()

foreach(n 1 2 4)
  add_test(NAME gc_cpu${n} COMMAND gort_test --durations yes)
  set_tests_properties(gc_cpu${n} PROPERTIES
    ENVIRONMENT "GOMAXPROCS=${n};GOGC=1;GODEBUG=gccheckmark=1;${_test_env}"
    LABELS "gc" TIMEOUT ${_stress_timeout})
endforeach()

foreach(n IN LISTS GORT_TEST_FULL_CPUS)
  add_test(NAME gort_test_full_cpu${n} COMMAND gort_test --durations yes)
  # About 20 s here, most of it TestSchedLocalQueueEmpty's 1e5 rounds.
  set_tests_properties(gort_test_full_cpu${n} PROPERTIES
    ENVIRONMENT "GOMAXPROCS=${n};GORT_TEST_SHORT=0;${_test_env}"
    LABELS "full" TIMEOUT 600)
endforeach()
