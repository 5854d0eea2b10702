// export_test.hpp: the hooks that Go's runtime/export_test.go (and
// proc_runtime_test.go) open into package runtime for the scheduler tests, at
// go1.22.12, with Go's names. Go compiles them into package runtime only while
// testing; here they live in the test binary and reach the scheduler through
// proc.hpp, the runtime's internal interface.
//
// Also here: the small stand-ins the translated tests need for packages the
// port does not have yet (time.Sleep, `defer runtime.GOMAXPROCS(...)`).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "runtime.hpp"

namespace runtime {

/// RunSchedLocalQueueTest: fills and drains one P's local run queue at every
/// length below its size; throws on a wrong element (export_test.go).
void RunSchedLocalQueueTest();
/// RunSchedLocalQueueStealTest: steals from a queue of every length and checks
/// each G is taken exactly once and about half are stolen (export_test.go).
void RunSchedLocalQueueStealTest();
/// RunSchedLocalQueueEmptyTest: checks that runqempty never reports a queue
/// empty while an owner moves a G between runnext and runq (export_test.go).
void RunSchedLocalQueueEmptyTest(int iters);
/// RunStealOrderTest: checks that randomOrder visits every P exactly once for
/// every count and every start (proc_runtime_test.go).
void RunStealOrderTest();
/// RunGetgThreadSwitchTest: getg must read the TLS slot afresh after the
/// goroutine has resumed on another thread (export_test.go).
void RunGetgThreadSwitchTest();

/// LockOSCounts returns the calling M's external and internal LockOSThread
/// nesting counts, checking them against g.lockedm (export_test.go).
struct lockOSCounts {
  uint32_t external;
  uint32_t internal;
};
lockOSCounts LockOSCounts();

}  // namespace runtime

namespace gort_test {

/// One millisecond in nanoseconds (Go: time.Millisecond).
inline constexpr int64_t Millisecond = 1000 * 1000;

/// Sleep stands in for time.Sleep, which the port does not have yet (time.go
/// comes later). Go's tests sleep to let other goroutines run, so this one
/// gives up the P with Gosched until d nanoseconds have passed, and naps the
/// thread (usleep) for a few microseconds between yields so that it does not
/// spin a core flat out. Departure: the goroutine stays runnable instead of
/// parking on a timer.
void Sleep(int64_t d);

/// GOMAXPROCSGuard is `defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(n))`: it
/// sets GOMAXPROCS to n now and restores the previous value when the scope
/// ends.
class GOMAXPROCSGuard {
 public:
  explicit GOMAXPROCSGuard(int n) : old_(runtime::GOMAXPROCS(n)) {}
  ~GOMAXPROCSGuard() { runtime::GOMAXPROCS(old_); }
  GOMAXPROCSGuard(const GOMAXPROCSGuard&) = delete;
  GOMAXPROCSGuard& operator=(const GOMAXPROCSGuard&) = delete;

 private:
  int old_;
};

/// The result of running one testprog sub-program: its standard output and
/// standard error interleaved (Go: cmd.CombinedOutput) and how it ended.
struct testProgResult {
  std::string output;
  int exitStatus = -1;  // the exit code, or -1 if killed by a signal
  int signal = 0;       // the signal that killed it, or 0
  bool timedOut = false;
};

/// runTestProg runs `$GORT_TESTPROG name` with env (NAME=value entries)
/// added to a cleaned copy of this process's environment, and returns its
/// combined output and status (crash_test.go runTestProg at go1.22.12).
/// Defined in crash_test.cpp, as Go's is in crash_test.go.
testProgResult runTestProg(const std::string& name, const std::vector<std::string>& env = {});

/// testingShort: the tests are translated with the loop counts Go uses under
/// `go test -short` (testing.Short() == true), as Go's builders run them.
inline constexpr bool testingShort = true;

}  // namespace gort_test
