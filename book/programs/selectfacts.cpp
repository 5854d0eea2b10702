// selectfacts: select at work, for the "Things to try" of the book's select
// chapter (book/chapters/19-select.rst). The book's build runs it in both
// modes (book/tools/gen.py) and shows the output.
//
//   build/book/programs/selectfacts fair
//       100000 selects over two closed channels (a receive from a closed
//       channel is always ready) and a nil one (never ready), counting the
//       winners; then 100000 selects with a default over two empty
//       channels.
//   build/book/programs/selectfacts deadlock
//       a goroutine waits in a select on two channels nobody uses, and
//       main runs select {}: every goroutine is blocked, and the runtime
//       says so with Go's fatal error and each goroutine's stack.
#include <cstdio>
#include <cstring>

#include "go.hpp"
#include "select.hpp"

namespace {

void fair() {
  gort::chan<int> a = gort::make_chan<int>(), b = gort::make_chan<int>();
  gort::chan<int> never;  // nil: its case never becomes ready
  gort::close(a);
  gort::close(b);
  int count[3] = {0, 0, 0};
  constexpr int n = 100000;
  for (int i = 0; i < n; i++) {
    int v;
    bool ok;
    int k = gort::select({gort::recv(a, &v, &ok), gort::recv(b, &v, &ok), gort::recv(never, &v)});
    count[k]++;
  }
  std::printf("%d selects over closed a, closed b, nil never:\n", n);
  std::printf("  case <-a      won %6d times\n", count[0]);
  std::printf("  case <-b      won %6d times\n", count[1]);
  std::printf("  case <-never  won %6d times\n", count[2]);

  gort::chan<int> c = gort::make_chan<int>(), d = gort::make_chan<int>(1);
  int dflt = 0;
  for (int i = 0; i < n; i++) {
    int v;
    if (gort::select({gort::recv(c, &v), gort::recv(d, &v)}, gort::default_) == -1) dflt++;
  }
  std::printf("%d selects with default over two empty channels: default %d times\n", n, dflt);
}

void waiter(gort::chan<int> x, gort::chan<int> y) {
  int v;
  gort::select({gort::recv(x, &v), gort::send(y, 42)});
}

void deadlock() {
  gort::chan<int> x = gort::make_chan<int>(), y = gort::make_chan<int>();
  gort::go(waiter, x, y);
  gort::select({});  // select {}: parks for good
  // Never reached; but a call as the last statement would be a tail call
  // (a jmp), and main_main's frame would be gone from the dump.
  std::puts("select {} returned");
}

const char* mode;

void main_main() {
  if (std::strcmp(mode, "fair") == 0) {
    fair();
  } else {
    deadlock();
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || (std::strcmp(argv[1], "fair") != 0 && std::strcmp(argv[1], "deadlock") != 0)) {
    std::fprintf(stderr, "usage: selectfacts fair|deadlock\n");
    return 2;
  }
  mode = argv[1];
  runtime::rt0_go(argc, argv, main_main);
}
