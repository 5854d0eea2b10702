// run.cpp: fuzz_chan_run, the fuzzer's programs without libFuzzer, built
// with whatever compiler builds gort. Usage:
//
//   fuzz_chan_run print FILE...         each program in the text format
//   fuzz_chan_run asm IN OUT            text program IN to the byte format OUT
//   fuzz_chan_run classify FILE...      over every interleaving: must-deadlock,
//                                       never-deadlocks or may-deadlock
//   fuzz_chan_run run FILE              run it as a Go program would (see
//                                       harness.hpp runMain): a deadlock ends
//                                       it with the runtime's fatal error, exit 2
//   fuzz_chan_run check [-n N] FILE...  run each N times (default 100) under the
//                                       fuzz harness and judge every run, as
//                                       fuzz_chan does; exit 1 on a violation
//   fuzz_chan_run selftest              the model's own test (selftest.cpp)
//
// FILE is in either format (program.hpp). `check` reproduces a crash file
// that fuzz_chan wrote: fuzz_chan_run check -n 1000 crash-...
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "harness.hpp"
#include "model.hpp"
#include "program.hpp"
#include "runtime.hpp"
#include "selftest.hpp"
#include "target.hpp"

namespace {

int gArgc;
char** gArgv;

[[noreturn]] void quit(int code) {
  std::fflush(nullptr);
  std::_Exit(code);
}

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: fuzz_chan_run print FILE... | asm IN OUT | classify FILE... | run FILE |\n"
               "       check [-n N] FILE... | selftest\n");
  quit(64);
}

fuzz::Program load(const char* path) {
  fuzz::Program p;
  std::string err;
  if (!fuzz::loadFile(path, p, err)) {
    std::fprintf(stderr, "fuzz_chan_run: %s\n", err.c_str());
    quit(64);
  }
  return p;
}

void asmFile(const char* in, const char* out) {
  fuzz::Program p = load(in);
  if (!fuzz::fuzzable(p) || p.ng < 2) {
    std::fprintf(stderr,
                 "fuzz_chan_run: %s: the byte format needs 2 or more goroutines and no "
                 "operation that only a nil channel could block (program.hpp)\n",
                 in);
    quit(64);
  }
  std::vector<uint8_t> bytes = fuzz::encode(p);
  std::ofstream f(out, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  if (!f) {
    std::fprintf(stderr, "fuzz_chan_run: cannot write %s\n", out);
    quit(64);
  }
}

/// run: the program as its own Go program. If the runtime lets it finish,
/// the run is judged too.
void runFile(const char* path) {
  fuzz::Program p = load(path);
  static fuzz::History h;
  fuzz::runMain(p, h);
  fuzz::Verdict v = fuzz::check(p, h);
  if (!v.ok) {
    std::fprintf(stderr, "fuzz_chan_run: MODEL VIOLATION\n%s%s", fuzz::describe(p, h).c_str(),
                 v.report.c_str());
    quit(1);
  }
  std::printf("%s: finished\n", path);
}

void checkFiles(int i) {
  long n = 100;
  if (i + 1 < gArgc && std::string(gArgv[i]) == "-n") {
    n = std::strtol(gArgv[i + 1], nullptr, 10);
    i += 2;
  }
  if (i >= gArgc || n < 1) usage();
  fuzz::Stats st;
  for (; i < gArgc; i++) {
    fuzz::Program p = load(gArgv[i]);
    if (!fuzz::fuzzable(p)) {
      std::fprintf(stderr,
                   "fuzz_chan_run: %s: not fuzzable: a goroutine could park on a nil channel for good\n",
                   gArgv[i]);
      quit(64);
    }
    for (long r = 0; r < n; r++)
      if (!fuzz::runOne(p, st, true)) {
        std::fprintf(stderr, "fuzz_chan_run: %s: violation in run %ld\n", gArgv[i], r + 1);
        quit(1);
      }
  }
  fuzz::printStats("fuzz_chan_run", st);
}

void mainMain() {
  if (gArgc == 2 && std::string(gArgv[1]) == "selftest") quit(fuzz::selftest());
  if (gArgc < 3) usage();
  std::string mode = gArgv[1];
  if (mode == "print") {
    for (int i = 2; i < gArgc; i++) std::printf("# %s\n%s", gArgv[i], fuzz::format(load(gArgv[i])).c_str());
  } else if (mode == "asm" && gArgc == 4) {
    asmFile(gArgv[2], gArgv[3]);
  } else if (mode == "classify") {
    for (int i = 2; i < gArgc; i++) {
      size_t states = 0;
      fuzz::Deadlock d = fuzz::classify(load(gArgv[i]), &states);
      std::printf("%s: %s (%zu states)\n", gArgv[i], fuzz::deadlockName(d), states);
    }
  } else if (mode == "run" && gArgc == 3) {
    runFile(gArgv[2]);
  } else if (mode == "check") {
    checkFiles(2);
  } else {
    usage();
  }
  quit(0);
}

}  // namespace

int main(int argc, char** argv) {
  gArgc = argc;
  gArgv = argv;
  runtime::rt0_go(argc, argv, mainMain);
}
