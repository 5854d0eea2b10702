// mistakes: three of the port's common mistakes (book chapter 11), each
// made on purpose so that the runtime's answer can be read. The book's
// build runs each mode (book/tools/gen.py) and shows the output.
//
//   build/book/programs/mistakes bigframe   a recursion without end, 1 MiB a frame
//   build/book/programs/mistakes foreign    a std::thread sends on a channel
//   build/book/programs/mistakes catchall   catch (...) around Goexit
#include <cstdio>
#include <cstring>
#include <thread>

#include "go.hpp"
#include "runtime.hpp"

namespace {

// A 1 MiB frame is four times a goroutine's first stack: the prologue's
// check finds no room and the stack grows by a segment, as Go's grows by
// copying. The mistake is the missing base case: each call adds a frame,
// and at Go's limit, 1 GB of stack, the program ends. Each frame touches
// two of its 256 pages, so the program commits about 8 MB on the way.
// (The store after the call keeps GCC from turning the recursion into a
// loop, which it may do with `return big[0] + deep(i + 1)`.)
[[gnu::noinline, gnu::noipa]] int deep(int i) {
  volatile char big[1 << 20];
  big[i % 4096] = char(i);
  big[1] = char(deep(i + 1));
  return big[1];
}

void bigframe() {
  auto done = gort::make_chan<int>();
  gort::go([done] { done.send(deep(1)); });
  std::printf("got %d\n", done.recv());
}

void foreign() {
  auto ch = gort::make_chan<int>(1);
  // A thread the runtime did not start has no g: the send cannot park it.
  std::thread t([ch] { ch.send(1); });
  t.join();
  std::printf("received %d\n", ch.recv());
}

void catchall() {
  auto done = gort::make_chan<int>();
  gort::go([done] {
    try {
      runtime::Goexit();
    } catch (...) {
      // Swallowed: Goexit's unwinding stops here.
    }
    std::printf("still running after Goexit\n");
    done.send(1);
  });
  done.recv();
  std::printf("main: the goroutine carried on\n");
}

const char* mode;

void main_main() {
  if (std::strcmp(mode, "bigframe") == 0) bigframe();
  if (std::strcmp(mode, "foreign") == 0) foreign();
  if (std::strcmp(mode, "catchall") == 0) catchall();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: mistakes bigframe|foreign|catchall\n");
    return 2;
  }
  mode = argv[1];
  runtime::rt0_go(argc, argv, main_main);
}
