// crash_test.cpp: tests of go1.22.12 runtime/crash_test.go, which run a
// sub-program of testprog (tests/testprog) as a child process and check what
// it printed, plus the in-process tests of that file that apply to gort.
//
// Go's runTestProg builds testprog with `go build`; here CMake has built it
// beside gort_test (build/tests/), where runTestProg finds it. $GORT_TESTPROG
// names another testprog binary instead.
//
// Beyond Go's checks, every test of a program that Go's runtime ends with a
// fatal error or an unrecovered panic also checks the exit status, 2 (Go's
// exit(2) in fatalthrow and fatalpanic, panic.go).
//
// Not ported from crash_test.go (and why):
//   TestVDSO, TestCrashHandler: signals in VDSO code and signal-based crash
//     recovery (testprog Crash); no signal handling in the port yet.
//   TestThreadExhaustion: needs debug.SetMaxThreads.
//   TestRecoveredPanicAfterGoexit, TestRecoverBeforePanicAfterGoexit(2),
//   TestNoHelperGoroutines, TestBreakpoint, TestPanicTraceback,
//   TestPanicDeadlockGosched, TestPanicDeadlockSyscall, TestPanicLoop: their
//     sub-programs cannot be written for gort; testprog/deadlock.cpp says why
//     for each.
//   TestNetpollDeadlock, TestNetpollWaiters: testprognet; no netpoller yet.
//   TestMemPprof, TestTimePprof: runtime/pprof.
//   TestConcurrentMap*, TestPanicInlined, TestPanicOnUnsafeSlice: maps,
//     method values and unsafe.Slice are Go language features gort has no
//     runtime side for.
//   TestPanicRace: the race detector.
//   TestBadTraceback, TestG0StackOverflow, TestRuntimePanic, TestAbort:
//     runtime internals (traceback of a corrupted stack, morestack on g0,
//     PanicForTesting, runtime.abort) that the port does not have yet.
//   TestDoublePanic: GODEBUG=clobberfree (a collector setting);
//     TestPanicWhilePanicking: panic values with Error/String methods.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch_test_macros.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "chan.hpp"
#include "export_test.hpp"
#include "go.hpp"
#include "runtime.hpp"

extern char** environ;

namespace gort_test {

namespace {
/// How long a sub-program may run before it is killed and reported as hung.
/// Go bounds its child processes by the test's deadline the same way
/// (testenv.Command); no test here should come near it.
constexpr int testProgTimeoutMs = 60 * 1000;

std::string envKey(const std::string& kv) { return kv.substr(0, kv.find('=')); }
}  // namespace

// crash_test.go:57 runTestProg and :73 runBuiltTestProg at go1.22.12.
testProgResult runTestProg(const std::string& name, const std::vector<std::string>& env) {
  return runCommand(testprogPath(), {name}, env, false);
}
testProgResult runTestProgReporting(const std::string& name, const std::vector<std::string>& env) {
  return runCommand(testprogPath(), {name}, env, true);
}

std::string testprogPath() {
  std::string exeS;
  if (const char* exe = std::getenv("GORT_TESTPROG"); exe != nullptr && *exe != '\0') {
    exeS = exe;
  } else {
    // testprog sits beside this binary.
    char self[4096];
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) FAIL("readlink /proc/self/exe: " << std::strerror(errno));
    self[n] = 0;
    exeS = self;
    exeS = exeS.substr(0, exeS.rfind('/') + 1) + "testprog";
    if (::access(exeS.c_str(), X_OK) != 0) {
      FAIL("no testprog beside gort_test (" << exeS << "); build it, or set GORT_TESTPROG");
    }
  }
  return exeS;
}

// The body of runBuiltTestProg (crash_test.go:73 at go1.22.12): exeS with
// args, its output combined, in a cleaned environment plus env.
testProgResult runCommand(const std::string& exe, const std::vector<std::string>& args,
                          const std::vector<std::string>& env, bool reportsAllowed) {
  std::string exeS = exe;
  std::string name;
  for (const auto& a : args) name += (name.empty() ? "" : " ") + a;

  // testenv.CleanCmdEnv drops GODEBUG and GOTRACEBACK; then the test's own
  // settings are added, replacing inherited ones (os/exec keeps the last of
  // duplicate keys).
  std::vector<std::string> envs;
  for (char** e = environ; *e != nullptr; e++) {
    std::string kv = *e;
    if (kv.rfind("GODEBUG=", 0) == 0 || kv.rfind("GOTRACEBACK=", 0) == 0) continue;
    bool overridden = false;
    for (const auto& add : env) {
      if (envKey(add) == envKey(kv)) overridden = true;
    }
    if (!overridden) envs.push_back(kv);
  }
  for (const auto& add : env) envs.push_back(add);

  std::vector<char*> envp;
  for (auto& kv : envs) envp.push_back(kv.data());
  envp.push_back(nullptr);
  std::vector<std::string> argS(args);
  std::vector<char*> argv{exeS.data()};
  for (auto& a : argS) argv.push_back(a.data());
  argv.push_back(nullptr);

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    FAIL("pipe2: " << std::strerror(errno));
  }
  // Output and errors go to one pipe (Go: cmd.CombinedOutput); stdin is
  // /dev/null; the child starts with no blocked signals and default
  // handlers, as os/exec's children do.
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid;
  int rc = posix_spawn(&pid, exeS.c_str(), &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    FAIL(exeS << " " << name << " failed to start: " << std::strerror(rc));
  }

  testProgResult res;
  int64_t waited = 0;
  char buf[4096];
  for (;;) {
    pollfd pfd{fds[0], POLLIN, 0};
    int n = ::poll(&pfd, 1, 100);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) {
      waited += 100;
      if (waited >= testProgTimeoutMs) {
        ::kill(pid, SIGKILL);
        res.timedOut = true;
        break;
      }
      continue;
    }
    ssize_t r = ::read(fds[0], buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    res.output.append(buf, size_t(r));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) {
    res.exitStatus = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    res.signal = WTERMSIG(status);
  }
  if (res.timedOut) {
    FAIL(exeS << " " << name << " did not finish in " << testProgTimeoutMs / 1000
             << " s; output so far:\n"
             << res.output);
  }
  // In a sanitizer build a child's report must fail the test that ran it,
  // even when the child's exit status and the lines the test looks for are
  // as expected (a report does not always change either).
  for (const char* report : {"WARNING: ThreadSanitizer", "ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                             "runtime error: "}) {
    if (!reportsAllowed && res.output.find(report) != std::string::npos &&
        res.output.find("SUMMARY: ") != std::string::npos) {
      FAIL(exeS << " " << name << ": a sanitizer reported an error:\n" << res.output);
    }
  }
  return res;
}

}  // namespace gort_test

using gort_test::runTestProg;
using gort_test::testProgResult;

namespace {

bool hasPrefix(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}
bool contains(const std::string& s, const std::string& sub) {
  return s.find(sub) != std::string::npos;
}
bool hasSuffix(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

/// How the child ended, for messages.
std::string gort_test::describe(const testProgResult& r) {
  if (r.signal != 0) return "killed by signal " + std::to_string(r.signal);
  return "exit status " + std::to_string(r.exitStatus);
}

namespace {

// crash_test.go:196 at go1.22.12 (testDeadlock)
void testDeadlock(const std::string& name) {
  auto res = runTestProg(name);
  INFO(name << " (" << describe(res) << "), output:\n" << res.output);
  std::string want = "fatal error: all goroutines are asleep - deadlock!\n";
  CHECK(hasPrefix(res.output, want));
  CHECK(res.exitStatus == 2);
}

}  // namespace

// crash_test.go:207 at go1.22.12
TEST_CASE("TestSimpleDeadlock", "[crash_test.go]") { testDeadlock("SimpleDeadlock"); }

// crash_test.go:211 at go1.22.12
TEST_CASE("TestInitDeadlock", "[crash_test.go]") { testDeadlock("InitDeadlock"); }

// crash_test.go:215 at go1.22.12
TEST_CASE("TestLockedDeadlock", "[crash_test.go]") { testDeadlock("LockedDeadlock"); }

// crash_test.go:219 at go1.22.12
TEST_CASE("TestLockedDeadlock2", "[crash_test.go]") { testDeadlock("LockedDeadlock2"); }

// crash_test.go:223 at go1.22.12
TEST_CASE("TestGoexitDeadlock", "[crash_test.go]") {
  auto res = runTestProg("GoexitDeadlock");
  INFO("(" << describe(res) << "), output:\n" << res.output);
  CHECK(contains(res.output, "no goroutines (main called runtime.Goexit) - deadlock!"));
  CHECK(res.exitStatus == 2);
}

// crash_test.go:234 at go1.22.12
TEST_CASE("TestStackOverflow", "[crash_test.go]") {
  auto res = runTestProg("StackOverflow");
  INFO("(" << describe(res) << "), output:\n" << res.output);
  CHECK(hasPrefix(res.output, "runtime: goroutine stack exceeds 1474560-byte limit\n"));
  // The current SP and the stack's bounds are reported too.
  for (const char* s : {"fatal error: stack overflow", "runtime: sp=", "stack=["}) {
    INFO("want output containing " << s);
    CHECK(contains(res.output, s));
  }
  CHECK(res.exitStatus == 2);
}

// crash_test.go:264 at go1.22.12
TEST_CASE("TestRecursivePanic", "[crash_test.go]") {
  auto res = runTestProg("RecursivePanic");
  INFO("(" << describe(res) << "), output:\n" << res.output);
  CHECK(hasPrefix(res.output, "wrap: bad\npanic: again\n\n"));
  CHECK(res.exitStatus == 2);
}

// crash_test.go:276 at go1.22.12
TEST_CASE("TestRecursivePanic2", "[crash_test.go]") {
  auto res = runTestProg("RecursivePanic2");
  INFO("(" << describe(res) << "), output:\n" << res.output);
  CHECK(hasPrefix(res.output, "first panic\nsecond panic\npanic: third panic\n\n"));
  CHECK(res.exitStatus == 2);
}

// crash_test.go:289 at go1.22.12
TEST_CASE("TestRecursivePanic3", "[crash_test.go]") {
  auto res = runTestProg("RecursivePanic3");
  INFO("(" << describe(res) << "), output:\n" << res.output);
  CHECK(hasPrefix(res.output, "panic: first panic\n\n"));
  CHECK(res.exitStatus == 2);
}

// crash_test.go:300 at go1.22.12
TEST_CASE("TestRecursivePanic4", "[crash_test.go]") {
  auto res = runTestProg("RecursivePanic4");
  INFO("(" << describe(res) << "), output:\n" << res.output);
  CHECK(hasPrefix(res.output, "panic: first panic [recovered]\n\tpanic: second panic\n"));
  CHECK(res.exitStatus == 2);
}

// crash_test.go:311 at go1.22.12
TEST_CASE("TestRecursivePanic5", "[crash_test.go]") {
  auto res = runTestProg("RecursivePanic5");
  INFO("(" << describe(res) << "), output:\n" << res.output);
  CHECK(hasPrefix(res.output, "first panic\nsecond panic\npanic: third panic\n"));
  CHECK(res.exitStatus == 2);
}

// crash_test.go:323 at go1.22.12
TEST_CASE("TestGoexitCrash", "[crash_test.go]") {
  auto res = runTestProg("GoexitExit");
  INFO("(" << describe(res) << "), output:\n" << res.output);
  CHECK(contains(res.output, "no goroutines (main called runtime.Goexit) - deadlock!"));
  CHECK(res.exitStatus == 2);
}

// crash_test.go:334 at go1.22.12
//
// Go's deferred function recovers (must get nil: Goexit is not a panic) and
// then sends. Here the send is a destructor, which Goexit's unwinding must
// run, and the recover is a catch of PanicError, which it must not enter. If
// the destructor did not run, the receive below would deadlock.
TEST_CASE("TestGoexitDefer", "[crash_test.go]") {
  auto c = gort::make_chan<gort::struct_>();
  auto recovered = std::make_shared<std::atomic<bool>>(false);
  gort::go([=]() {
    struct deferred {
      gort::chan<gort::struct_> c;
      ~deferred() { c.send(gort::struct_{}); }
    } d{c};
    try {
      runtime::Goexit();
    } catch (const runtime::PanicError&) {
      recovered->store(true);
    }
  });
  c.recv();
  INFO("non-nil recover during Goexit");
  CHECK_FALSE(recovered->load());
}

// crash_test.go:350 at go1.22.12
TEST_CASE("TestGoNil", "[crash_test.go]") {
  auto res = runTestProg("GoNil");
  INFO("(" << describe(res) << "), output:\n" << res.output);
  CHECK(contains(res.output, "go of nil func value"));
  CHECK(res.exitStatus == 2);
}

// crash_test.go:358 at go1.22.12
TEST_CASE("TestMainGoroutineID", "[crash_test.go]") {
  auto res = runTestProg("MainGoroutineID");
  INFO("(" << describe(res) << "), output:\n" << res.output);
  CHECK(hasPrefix(res.output, "panic: test\n\ngoroutine 1 [running]:\n"));
  CHECK(res.exitStatus == 2);
}

// crash_test.go:366 at go1.22.12
//
// Only the main goroutine is in the dump: not the finalizer goroutine (nor
// the runtime's other helpers, forcegchelper and bgsweep).
TEST_CASE("TestNoHelperGoroutines", "[crash_test.go]") {
  auto res = runTestProg("NoHelperGoroutines");
  std::regex re("goroutine [0-9]+ \\[");
  std::vector<std::string> matches;
  for (auto it = std::sregex_iterator(res.output.begin(), res.output.end(), re); it != std::sregex_iterator(); ++it)
    matches.push_back(it->str());
  INFO("want to see only goroutine 1, see:\n" << res.output);
  REQUIRE(matches.size() == 1);
  CHECK(matches[0] == "goroutine 1 [");
}

// crash_test.go:384 at go1.22.12
TEST_CASE("TestGoexitInPanic", "[crash_test.go]") {
  auto res = runTestProg("GoexitInPanic");
  INFO("(" << describe(res) << "), output:\n" << res.output);
  CHECK(hasPrefix(res.output,
                  "fatal error: no goroutines (main called runtime.Goexit) - deadlock!"));
  CHECK(res.exitStatus == 2);
}

// crash_test.go:397 at go1.22.12
//
// Case 0 (assignment to a nil map) is a Go language operation with no
// counterpart in gort (no maps); the other cases keep Go's numbers.
TEST_CASE("TestRuntimePanicWithRuntimeError", "[crash_test.go]") {
  struct testCase {
    int n;
    void (*fn)();
  };
  const testCase testCases[] = {
      {1,
       [] {
         auto ch = gort::make_chan<gort::struct_>();
         gort::close(ch);
         gort::close(ch);
       }},
      {2,
       [] {
         auto ch = gort::make_chan<gort::struct_>();
         gort::close(ch);
         ch.send(gort::struct_{});
       }},
      {3,
       [] {
         auto s = gort::make<int>(2);
         (void)s[2];
       }},
      {4,
       [] {
         int n = -1;
         auto ch = gort::make_chan<bool>(n);
         (void)ch;
       }},
      {5,
       [] {
         gort::chan<bool> ch;
         gort::close(ch);
       }},
  };
  // crash_test.go:434 panicValue: run fn and return what it panicked with.
  auto panicValue = [](void (*fn)()) -> std::optional<runtime::PanicError> {
    try {
      fn();
    } catch (const runtime::PanicError& e) {
      return e;
    }
    return std::nullopt;
  };
  for (const auto& tc : testCases) {
    auto got = panicValue(tc.fn);
    INFO("test #" << tc.n << ": recovered value "
                  << (got ? std::string(got->what()) : std::string("<nil>"))
                  << " does not implement runtime.Error");
    CHECK((got && got->RuntimeError()));
  }
}

// crash_test.go:442 at go1.22.12
TEST_CASE("TestPanicAfterGoexit", "[crash_test.go]") {
  auto res = runTestProg("PanicAfterGoexit");
  INFO("(" << describe(res) << "), output:\n" << res.output);
  CHECK(hasPrefix(res.output, "panic: hello"));
  CHECK(res.exitStatus == 2);
}

// crash_test.go:486 at go1.22.12 (testprognet: see tests/testprog/net.cpp)
TEST_CASE("TestNetpollDeadlock", "[crash_test.go]") {
  auto res = runTestProg("NetpollDeadlock");
  INFO("output does not end with \"done\\n\" (" << describe(res) << "):\n" << res.output);
  CHECK(hasSuffix(res.output, "done\n"));
}

// crash_test.go:892 at go1.22.12 (testprognet: see tests/testprog/net.cpp)
TEST_CASE("TestNetpollWaiters", "[crash_test.go]") {
  auto res = runTestProg("NetpollWaiters");
  INFO("output is not \"OK\\n\" (" << describe(res) << "):\n" << res.output);
  CHECK(res.output == "OK\n");
}

// --- gort's own crash tests ---------------------------------------------------
// The unrecovered channel panics print what Go prints for them (checked
// against go1.22.12: `panic: <message>`, a blank line, then the panicking
// goroutine's header) and exit 2.

namespace {
void checkMainPanic(const char* prog, const std::string& msg) {
  auto res = runTestProg(prog);
  INFO(prog << " (" << describe(res) << "), output:\n" << res.output);
  CHECK(hasPrefix(res.output, "panic: " + msg + "\n\ngoroutine 1 [running]:\n"));
  CHECK(res.exitStatus == 2);
}
}  // namespace

// The allocator's out-of-memory failure (mheap.grow, mcache.allocLarge):
// Go's two lines, in Go's order, and exit status 2.
TEST_CASE("gort: out of memory when the OS refuses more heap", "[gort]") {
  auto res = runTestProg("OutOfMemory");
  INFO("OutOfMemory (" << describe(res) << "), output:\n" << res.output);
  CHECK(std::regex_search(res.output,
                          std::regex("runtime: out of memory: cannot allocate [0-9]+-byte block \\([0-9]+ in use\\)\n"
                                     "fatal error: out of memory\n")));
  CHECK(res.exitStatus == 2);
}

// A slice's runtime panics (slice.go; the bounds check, panic.go
// goPanicIndex), unrecovered on the main goroutine: Go's text, checked
// against go1.22.12, and exit status 2.
TEST_CASE("gort: unrecovered slice index out of range", "[gort]") {
  checkMainPanic("IndexOutOfRange", "runtime error: index out of range [5] with length 3");
}

TEST_CASE("gort: unrecovered makeslice len out of range", "[gort]") {
  checkMainPanic("MakeSliceLen", "runtime error: makeslice: len out of range");
}

TEST_CASE("gort: unrecovered makeslice cap out of range", "[gort]") {
  checkMainPanic("MakeSliceCap", "runtime error: makeslice: cap out of range");
}

TEST_CASE("gort: unrecovered growslice len out of range", "[gort]") {
  checkMainPanic("GrowSliceLen", "runtime error: growslice: len out of range");
}

TEST_CASE("gort: unrecovered send on closed channel", "[gort]") {
  checkMainPanic("SendOnClosedChan", "send on closed channel");
}

TEST_CASE("gort: unrecovered close of closed channel", "[gort]") {
  checkMainPanic("CloseOfClosedChan", "close of closed channel");
}

TEST_CASE("gort: unrecovered close of nil channel", "[gort]") {
  checkMainPanic("CloseOfNilChan", "close of nil channel");
}

TEST_CASE("gort: unrecovered makechan size out of range", "[gort]") {
  checkMainPanic("MakechanSizeOutOfRange", "makechan: size out of range");
}

TEST_CASE("gort: send on closed channel in a goroutine names that goroutine", "[gort]") {
  auto res = runTestProg("SendOnClosedChanGoroutine");
  INFO("(" << describe(res) << "), output:\n" << res.output);
  std::smatch m;
  REQUIRE(std::regex_search(
      res.output, m,
      std::regex("^panic: send on closed channel\n\ngoroutine ([0-9]+) \\[running\\]:\n")));
  CHECK(m[1].str() != "1");
  CHECK(res.exitStatus == 2);
}

// A thread the runtime did not create has no g: a channel operation that
// must park cannot, and gort says so with a fatal error (exit 2) instead of
// touching the scheduler.
TEST_CASE("gort: blocking receive on a thread with no goroutine is refused", "[gort]") {
  auto res = runTestProg("ForeignThreadChanRecv");
  INFO("(" << describe(res) << "), output:\n" << res.output);
  CHECK(res.output ==
        "fatal error: chanrecv called from a thread with no goroutine (call it from a goroutine "
        "started by runtime::rt0_go or gort::go)\n");
  CHECK(res.exitStatus == 2);
}

// The same refusal while every goroutine waits for the foreign thread, so
// that the deadlock detector runs at the same time: the refusal is what is
// printed, once and whole (panic.cpp badnog, proc.cpp checkdead). Ten runs,
// since the two race.
TEST_CASE("gort: a refused foreign send is reported, not the deadlock it causes", "[gort]") {
  for (int i = 0; i < 10; i++) {
    auto res = runTestProg("ForeignThreadChanSend");
    INFO("run " << i << " (" << describe(res) << "), output:\n" << res.output);
    REQUIRE(res.output ==
            "fatal error: chansend called from a thread with no goroutine (call it from a goroutine "
            "started by runtime::rt0_go or gort::go)\n");
    REQUIRE(res.exitStatus == 2);
  }
}

// A dump of all goroutines shows each one's wait reason in Go's form,
// "goroutine N [chan receive]:" (runtime2.go waitReasonStrings,
// traceback.go goroutineheader).
TEST_CASE("gort: runtime.Stack shows every channel wait reason", "[gort]") {
  auto res = runTestProg("StackAllWaitReasons");
  INFO("(" << describe(res) << "), output:\n" << res.output);
  CHECK(res.exitStatus == 0);
  CHECK(hasPrefix(res.output, "goroutine 1 [running]:\n"));
  for (const char* r : {"[chan receive]:", "[chan send]:", "[select]:", "[select (no cases)]:",
                        "[chan send (nil chan)]:", "[chan receive (nil chan)]:"})
    CHECK(contains(res.output, r));
}

// SIGQUIT dumps every goroutine and exits 2, as in Go (signal_unix.go
// sighandler: "SIGQUIT: quit", then the goroutines).
TEST_CASE("gort: SIGQUIT dumps all goroutines", "[gort]") {
  auto res = runTestProg("SigquitDump");
  INFO("(" << describe(res) << "), output:\n" << res.output);
  CHECK(hasPrefix(res.output, "SIGQUIT: quit\nPC="));
  // Main sleeps in a loop; sysmon may have just preempted it (its check at
  // a function prologue: __morestack), which leaves it [runnable].
  CHECK((contains(res.output, "goroutine 1 [running]:\n") || contains(res.output, "goroutine 1 [runnable]:\n")));
  CHECK(contains(res.output, "[chan receive]:"));
  CHECK(contains(res.output, "[select (no cases)]:"));
  CHECK(!contains(res.output, "did not end"));
  CHECK(res.exitStatus == 2);
}

// With one P, a goroutine spinning in a loop that calls nothing must not
// keep main from running again and returning (testprog SpinForever): only
// an asynchronous preemption (preempt.cpp) gives main the P back. (With
// GODEBUG=asyncpreemptoff=1 the same program runs until it is killed.)
TEST_CASE("gort: a goroutine that calls nothing does not keep main from returning", "[gort]") {
  if (!runtime::PreemptMSupported()) SKIP("asynchronous preemption is off in this process (see preempt.cpp)");
  auto res = runTestProg("SpinForever");
  INFO("(" << describe(res) << "), output:\n" << res.output);
  CHECK(!res.timedOut);
  CHECK(res.exitStatus == 0);
  CHECK(res.output == "OK\n");
}

// GODEBUG=schedtrace=N makes sysmon print Go's SCHED line every N ms
// (proc.go schedtrace).
TEST_CASE("gort: GODEBUG=schedtrace prints the SCHED line", "[gort]") {
  auto res = runTestProg("SchedTrace", {"GODEBUG=schedtrace=10", "GOMAXPROCS=2"});
  INFO("(" << describe(res) << "), output:\n" << res.output);
  CHECK(res.exitStatus == 0);
  CHECK(contains(res.output, "SCHED "));
  CHECK(contains(res.output, "ms: gomaxprocs=2 idleprocs="));
  CHECK(contains(res.output, " threads="));
  CHECK(contains(res.output, " spinningthreads="));
  CHECK(contains(res.output, " runqueue="));
}

// GODEBUG=gctrace=1 makes gcMarkTermination print Go's line for each cycle
// (mgc.go at go1.22.12): the clock times of the three phases, the CPU
// times of the pauses and of the mark's assists/background/idle workers,
// the heap at the start, at mark termination and marked, the goal, the
// stacks and globals scanned, the Ps, and "(forced)" for runtime.GC.
TEST_CASE("gort: GODEBUG=gctrace prints Go's line for each cycle", "[gort]") {
  auto res = runTestProg("GCTrace", {"GODEBUG=gctrace=1", "GOMAXPROCS=2"});
  INFO("(" << describe(res) << "), output:\n" << res.output);
  CHECK(res.exitStatus == 0);
  const std::regex line(
      R"(gc (\d+) @(\d+\.\d{3})s (\d+)%: ([\d.]+)\+([\d.]+)\+([\d.]+) ms clock, )"
      R"(([\d.]+)\+([\d.]+)/([\d.]+)/([\d.]+)\+([\d.]+) ms cpu, (\d+)->(\d+)->(\d+) MB, (\d+) MB goal, )"
      R"((\d+) MB stacks, (\d+) MB globals, (\d+) P( \(forced\))?)");
  std::vector<std::smatch> cycles;
  std::istringstream in(res.output);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  for (const std::string& l : lines) {
    if (l.rfind("gc ", 0) != 0) continue;
    std::smatch m;
    INFO("line: " << l);
    REQUIRE(std::regex_match(l, m, line));
    cycles.push_back(m);
  }
  // The program's three runtime.GC calls, numbered from 1, each forced;
  // the last two start from at least the 4 MiB live and mark it.
  REQUIRE(cycles.size() >= 3);
  for (size_t i = 0; i < cycles.size(); i++) {
    CHECK(std::stoul(cycles[i][1].str()) == i + 1);
    CHECK(cycles[i][18].str() == "2");
  }
  for (size_t i = cycles.size() - 3; i < cycles.size(); i++) {
    CHECK(cycles[i][19].matched);
    if (i > cycles.size() - 3) {
      CHECK(std::stoul(cycles[i][12].str()) >= 4);
      CHECK(std::stoul(cycles[i][14].str()) >= 4);
    }
  }
  CHECK(contains(res.output, "done\n"));
}

// GOTRACEBACK=none prints the panic and no goroutines; =all prints the other
// goroutines too (runtime1.go setTraceback, panic.go dopanic_m).
TEST_CASE("gort: GOTRACEBACK=none and GOTRACEBACK=all", "[gort]") {
  auto none = runTestProg("SendOnClosedChan", {"GOTRACEBACK=none"});
  INFO("none: (" << describe(none) << "), output:\n" << none.output);
  CHECK(none.output == "panic: send on closed channel\n");
  CHECK(none.exitStatus == 2);
  auto single = runTestProg("SendOnClosedChanGoroutine");
  INFO("single: (" << describe(single) << "), output:\n" << single.output);
  CHECK(!contains(single.output, "goroutine 1 ["));
  auto all = runTestProg("SendOnClosedChanGoroutine", {"GOTRACEBACK=all"});
  INFO("all: (" << describe(all) << "), output:\n" << all.output);
  CHECK(contains(all.output, "goroutine 1 [chan receive]:"));
  CHECK(all.exitStatus == 2);
}

// An overflow in code without the split-stack check hits the guard page under
// the stack (stack.cpp (c); signal_unix.cpp) and ends with Go's report.
TEST_CASE("gort: stack overflow in code without split-stack checks", "[gort]") {
  auto res = runTestProg("StackOverflowNoSplit");
  if (res.output == "no guard pages\n") SKIP("the kernel has no MADV_GUARD_INSTALL");
  INFO("(" << describe(res) << "), output:\n" << res.output);
  CHECK(hasPrefix(res.output, "runtime: goroutine stack exceeds "));
  CHECK(contains(res.output, "fatal error: stack overflow\n"));
  CHECK(contains(res.output, "goroutine 1 [running]:"));
  CHECK(res.exitStatus == 2);
}

// --- gort's own crash tests: package sync's wait reasons ----------------------
// A goroutine asleep in package sync shows the reason semacquire1 or
// notifyListWait parked it with (sema.cpp; runtime2.go waitReasonStrings),
// in runtime.Stack dumps and in the dump after a deadlock
// (testprog/syncwait.cpp).

TEST_CASE("gort: runtime.Stack shows every sync wait reason", "[gort]") {
  auto res = runTestProg("StackAllSyncWaitReasons");
  INFO("(" << describe(res) << "), output:\n" << res.output);
  CHECK(res.exitStatus == 0);
  CHECK(hasPrefix(res.output, "goroutine 1 [running]:\n"));
  for (const char* r : {"[semacquire]:", "[sync.Mutex.Lock]:", "[sync.RWMutex.RLock]:",
                        "[sync.RWMutex.Lock]:", "[sync.Cond.Wait]:"})
    CHECK(contains(res.output, r));
}

// The main goroutine asleep in package sync with nothing else to run: Go's
// output begins with these lines (checked against go1.22.12 with the same
// programs in Go): the wait reason, then the first frame, the linkname'd
// runtime function under its sync symbol (Go also prints its arguments),
// and the program exits 2.
TEST_CASE("gort: deadlock in sync names the wait reason", "[gort]") {
  struct testCase {
    const char* prog;
    const char* reason;
    const char* frame;
  };
  const testCase testCases[] = {
      {"WaitGroupDeadlock", "semacquire", "sync.runtime_Semacquire("},
      {"MutexDeadlock", "sync.Mutex.Lock", "sync.runtime_SemacquireMutex("},
      {"RWMutexRLockDeadlock", "sync.RWMutex.RLock", "sync.runtime_SemacquireRWMutexR("},
      {"RWMutexLockDeadlock", "sync.RWMutex.Lock", "sync.runtime_SemacquireRWMutex("},
      {"CondWaitDeadlock", "sync.Cond.Wait", "sync.runtime_notifyListWait("},
  };
  for (const auto& tc : testCases) {
    auto res = runTestProg(tc.prog);
    INFO(tc.prog << " (" << describe(res) << "), output:\n" << res.output);
    CHECK(hasPrefix(res.output, std::string("fatal error: all goroutines are asleep - deadlock!\n\n"
                                            "goroutine 1 [") +
                                    tc.reason + "]:\n" + tc.frame));
    CHECK(res.exitStatus == 2);
  }
}

// A deadlock between two goroutines asleep in sync: the dump shows both,
// each with its own reason, as Go's does.
TEST_CASE("gort: deadlock dump shows every goroutine asleep in sync", "[gort]") {
  auto res = runTestProg("WaitGroupMutexDeadlock");
  INFO("(" << describe(res) << "), output:\n" << res.output);
  CHECK(hasPrefix(res.output, "fatal error: all goroutines are asleep - deadlock!\n\n"
                              "goroutine 1 [semacquire]:\n"));
  CHECK(std::regex_search(res.output, std::regex("\ngoroutine [0-9]+ \\[sync\\.Mutex\\.Lock\\]:\n")));
  CHECK(res.exitStatus == 2);
}
