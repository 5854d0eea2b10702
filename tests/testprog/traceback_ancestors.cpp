// testprog/traceback_ancestors.cpp: go1.22.12
// runtime/testdata/testprog/traceback_ancestors.go.
//
// A chain of goroutines, each started by the one before it from a few
// frames deep, so that with GODEBUG=tracebackancestors=N the last one's
// traceback shows where its ancestors stood when each created the next.
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "chan.hpp"
#include "go.hpp"
#include "runtime.hpp"
#include "testprog.hpp"

namespace testprog {
namespace {

// traceback_ancestors.go:18
constexpr int numGoroutines = 3;
constexpr int numFrames = 2;

std::map<std::string, bool> ignoreGoroutines;

void recurseThenCallGo(gort::chan<gort::struct_> w, int frames, int goroutines, bool main);
void printStack();
std::string goroutineID();

// traceback_ancestors.go:21 at go1.22.12
void TracebackAncestors() {
  auto w = gort::make_chan<gort::struct_>();
  recurseThenCallGo(w, numGoroutines, numFrames, true);
  w.recv();
  printStack();
  gort::close(w);
}

// traceback_ancestors.go:31 at go1.22.12 (never inlined: the test looks for
// its frame): runtime.Stack of every goroutine,
// less those recorded in ignoreGoroutines (a goroutine that has started
// the next and may not have exited yet), printed to stdout.
__attribute__((noinline)) void printStack() {
  std::vector<char> buf(1024);
  for (;;) {
    int n = runtime::Stack(buf, true);
    if (size_t(n) < buf.size()) {
      std::string all(buf.data(), size_t(n));
      std::string saved;
      // Delete any ignored goroutines, if present.
      while (!all.empty()) {
        size_t cut = all.find("\n\n");
        std::string g = all.substr(0, cut);
        all = cut == std::string::npos ? "" : all.substr(cut + 2);
        if (g.rfind("goroutine ", 0) == 0) {
          std::string id = g.substr(10, g.find(' ', 10) - 10);
          if (ignoreGoroutines[id]) continue;
        }
        if (!saved.empty()) saved += "\n\n";
        saved += g;
      }
      std::fputs(saved.c_str(), stdout);
      std::fflush(stdout);
      return;
    }
    buf.resize(2 * buf.size());
  }
}

// traceback_ancestors.go:63 at go1.22.12. Never inlined, and its calls are
// never turned into jumps (the asm after each), so that every level of the
// recursion keeps its frame, as in Go.
__attribute__((noinline)) void recurseThenCallGo(gort::chan<gort::struct_> w, int frames, int goroutines,
                                                 bool main) {
  if (frames == 0) {
    // Signal to TracebackAncestors that we are done recursing and starting goroutines.
    w.send(gort::struct_{});
    w.recv();
    return;
  }
  if (goroutines == 0) {
    // Record which goroutine this is so we can ignore it
    // in the traceback if it hasn't finished exiting by
    // the time we printStack.
    if (!main) ignoreGoroutines[goroutineID()] = true;

    // Start the next goroutine now that there are no more recursions left
    // for this current goroutine.
    gort::go([w, frames] { recurseThenCallGo(w, frames - 1, numFrames, false); });
    asm volatile("");
    return;
  }
  recurseThenCallGo(w, frames, goroutines - 1, main);
  asm volatile("");
}

// traceback_ancestors.go:86 at go1.22.12: the calling goroutine's number,
// from the header of its own runtime.Stack.
std::string goroutineID() {
  std::vector<char> buf(1024);
  int n = runtime::Stack(buf, false);
  std::string s(buf.data(), size_t(n));
  s = s.substr(std::string("goroutine ").size());
  return s.substr(0, s.find(' '));
}

// traceback_ancestors.go:15
[[maybe_unused]] bool registered = register_("TracebackAncestors", TracebackAncestors);

}  // namespace
}  // namespace testprog
