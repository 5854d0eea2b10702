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
#include <unistd.h>

#include <catch2/catch_session.hpp>
#include <cstdio>
#include <iostream>

#include "runtime.hpp"

namespace {

int gArgc;
char** gArgv;

/// The main goroutine's body: run the tests, then exit with their result, as
/// os.Exit(m.Run()) does.
void testMain() {
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
