// testprog/main.cpp: the entry of testprog and its registry, mirroring
// go1.22.12 runtime/testdata/testprog/main.go.
//
// main boots the runtime; the main goroutine runs the init function
// registered for argv[1], if any, then the sub-program registered under
// argv[1]. The process then ends as a gort program does: status 0 when the
// sub-program returns, 2 on a fatal error or an unrecovered panic.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "runtime.hpp"
#include "testprog.hpp"

namespace testprog {

namespace {
// Function-local statics: registrations come from static initializers of
// other files, which may run before this file's.
std::map<std::string, cmdFunc>& cmds() {
  static std::map<std::string, cmdFunc> m;
  return m;
}
std::map<std::string, cmdFunc>& initCmds() {
  static std::map<std::string, cmdFunc> m;
  return m;
}

int gArgc;
char** gArgv;

void writeAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n <= 0) return;
    off += size_t(n);
  }
}
}  // namespace

bool register_(const char* name, cmdFunc f) {
  if (cmds().count(name) != 0) {
    // Go panics in an init; there is no goroutine yet to panic on here.
    std::fprintf(stderr, "duplicate registration: %s\n", name);
    std::abort();
  }
  cmds()[name] = f;
  return true;
}

bool registerInit(const char* name, cmdFunc f) {
  initCmds()[name] = f;
  return true;
}

void println(const std::string& s) { writeAll(2, s + "\n"); }

void fmtPrintln(const std::string& s) { writeAll(1, s + "\n"); }

void osExit(int code) {
  std::fflush(nullptr);
  ::_exit(code);
}

namespace {

/// main.main (main.go main).
void mainMain() {
  // Go runs package inits before main.main, with the main goroutine locked
  // to the main thread (proc.go main); registerInit's functions are those
  // inits.
  if (gArgc >= 2) {
    auto it = initCmds().find(gArgv[1]);
    if (it != initCmds().end()) {
      runtime::LockOSThread();
      it->second();
      runtime::UnlockOSThread();
    }
  }

  if (gArgc < 2) {
    println(std::string("usage: ") + gArgv[0] + " name-of-test");
    return;
  }
  auto it = cmds().find(gArgv[1]);
  if (it == cmds().end()) {
    println(std::string("unknown function: ") + gArgv[1]);
    // Departure: Go's testprog returns here (status 0); gort's exits 2 so
    // that a misspelt name can never pass for a program that ran cleanly.
    osExit(2);
  }
  it->second();
  // Not a jump: this frame stays in tracebacks, as main.main does in Go's
  // (TestTracebackAncestors looks for it).
  asm volatile("");
}

}  // namespace
}  // namespace testprog

int main(int argc, char** argv) {
  testprog::gArgc = argc;
  testprog::gArgv = argv;
  runtime::rt0_go(argc, argv, testprog::mainMain);
}
