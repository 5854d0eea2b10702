// tests/main.cpp: the entry of gort_test.
//
// Go's test binary is an ordinary Go program: the runtime boots, and
// testing.M.Run runs the tests on the main goroutine; TestMain then hands the
// result to os.Exit (crash_test.go TestMain at go1.22.12). gort_test does the
// same: main boots the runtime with rt0_go, the Catch2 session runs on the
// main goroutine, and the process exits with Catch2's result.
//
// The exit is explicit because runtime.main ends the process with status 0
// when the main goroutine returns, whatever the tests said.
#include <signal.h>
#include <unistd.h>

#include <catch2/catch_session.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "export_test.hpp"
#include "go.hpp"
#include "runtime.hpp"

// Catch2's fatal-condition handler swaps the thread's alternate signal
// stack for its own when a test case starts and swaps the old one back when
// it ends. It assumes one thread; but the main goroutine, which runs the
// session, may end a test case on another M than it started on, and then two
// threads share one signal stack and the runtime's (or a sanitizer's) stacks
// are lost or freed twice. gort_test is linked with --wrap=sigaltstack, so
// Catch2's calls land here and change nothing: each M keeps the stack the
// runtime gave it, and Catch2's handlers, installed with SA_ONSTACK, run on
// it. The runtime makes the system call itself (signal_unix.cpp).
extern "C" int __wrap_sigaltstack(const stack_t*, stack_t* old) {
  if (old != nullptr) *old = stack_t{nullptr, SS_DISABLE, 0};
  return 0;
}

namespace {

int gArgc;
char** gArgv;

/// The main goroutine's body: run the tests, then exit with their result, as
/// os.Exit(m.Run()) does.
void testMain() {
  // GORT_GCSTRESS=N: a goroutine runs runtime.GC every N milliseconds
  // while the tests run, so that every test meets collections at arbitrary
  // points (the stress label runs the suite so).
  if (const char* s = std::getenv("GORT_GCSTRESS"); s != nullptr && std::atoi(s) > 0) {
    int ms = std::atoi(s);
    gort::go([ms] {
      for (;;) {
        runtime::GC();
        gort_test::Sleep(int64_t(ms) * gort_test::Millisecond);
      }
    });
  }
  int rc = Catch::Session().run(gArgc, gArgv);
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  // _exit, not exit: the runtime's Ms are still running and static
  // destructors must not run under them (Go's os.Exit does not run anything
  // either).
  ::_exit(rc);
}

}  // namespace

int main(int argc, char** argv) {
  gArgc = argc;
  gArgv = argv;
  runtime::rt0_go(argc, argv, testMain);
}
