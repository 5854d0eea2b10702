// testprog.hpp: the registry of testprog's sub-programs and the few helpers
// they share, mirroring go1.22.12 runtime/testdata/testprog/main.go and
// syscalls_linux.go.
//
// testprog is one executable holding many small programs; argv[1] picks one.
// tests/crash_test.cpp runs it as a child process and checks what it prints
// and how it exits, because what these programs test (deadlock detection,
// fatal errors, unrecovered panics, threads exiting) ends a process.
#pragma once
#include <string>

#include "time/time.hpp"  // time.Sleep, which several programs call

namespace testprog {

using cmdFunc = void (*)();

/// register_ adds a sub-program (main.go register). `register` is a reserved
/// word in C++, hence the underscore. Returns true, so that a file can
/// register from a static initializer: `bool r = register_(...)`. A second
/// registration of a name panics at start-up, as Go's does.
bool register_(const char* name, cmdFunc f);

/// registerInit adds a function that Go would run from a package init when
/// argv[1] is name (main.go registerInit). C++ static initializers run before
/// the runtime boots, with no goroutine, so the function is only recorded
/// here; main runs it on the main goroutine before the sub-program, with the
/// main goroutine locked to the main thread, as Go's runtime.main holds it
/// while package inits run (proc.go main).
bool registerInit(const char* name, cmdFunc f);

/// println of one string: to stderr, unbuffered, with a newline (Go's
/// builtin println).
void println(const std::string& s);
/// fmt.Println of one string: to stdout, with a newline. Written with one
/// write(2) so that it interleaves with println in call order.
void fmtPrintln(const std::string& s);
/// os.Exit: end the process now with status code, running nothing else.
[[noreturn]] void osExit(int code);
inline constexpr long long Millisecond = 1000 * 1000;

// syscalls_linux.go
int gettid();
struct tidExistsResult {
  bool exists;
  bool supported;
};
tidExistsResult tidExists(int tid);
/// getcwd: the working directory from the system call itself; empty with
/// err set on failure.
std::string getcwd(std::string* err);
/// unshareFs: unshare(CLONE_FS). Returns "" on success, errNotPermitted if
/// the system refuses the call, or the error text.
std::string unshareFs();
/// chdir: "" on success or the error text.
std::string chdir(const std::string& path);
inline const char* const errNotPermitted = "operation not permitted";

}  // namespace testprog
