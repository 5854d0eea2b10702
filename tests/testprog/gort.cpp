// testprog/gort.cpp: sub-programs that Go's testprog does not have, for
// behaviour of gort that ends the process:
//   - the channel panics of chan.go (closechan, chansend, makechan) left
//     unrecovered, whose output Go's users know:
//       panic: send on closed channel
//
//       goroutine 1 [running]:
//   - a runtime call that would block, made from a thread the runtime did
//     not create (it has no g, so it cannot park): gort refuses it with a
//     fatal error instead of corrupting the scheduler.
#include <thread>

#include "chan.hpp"
#include "go.hpp"
#include "runtime.hpp"
#include "testprog.hpp"

namespace testprog {
namespace {

// chan.go chansend: a send on a closed channel panics (on the main
// goroutine).
void SendOnClosedChan() {
  auto c = gort::make_chan<int>();
  gort::close(c);
  c.send(1);
}

// The same panic on a goroutine other than main: the dump names that
// goroutine.
void SendOnClosedChanGoroutine() {
  auto done = gort::make_chan<bool>();
  gort::go([=]() {
    auto c = gort::make_chan<int>();
    gort::close(c);
    c.send(1);
    done.send(true);
  });
  done.recv();
}

// chan.go closechan: closing a closed channel panics.
void CloseOfClosedChan() {
  auto c = gort::make_chan<int>();
  gort::close(c);
  gort::close(c);
}

// chan.go closechan: closing a nil channel panics.
void CloseOfNilChan() {
  gort::chan<int> c;
  gort::close(c);
}

// chan.go makechan: a negative size panics.
void MakechanSizeOutOfRange() {
  int n = -1;
  auto c = gort::make_chan<int>(n);
  (void)c;
}

// A plain std::thread (no M, no g) receives from a channel with no sender.
// The receive would have to park a goroutine that does not exist.
void ForeignThreadChanRecv() {
  auto c = gort::make_chan<int>();
  std::thread t([&c]() { c.recv(); });
  t.join();
  println("foreign thread's receive returned");
}

[[maybe_unused]] bool registered = [] {
  register_("SendOnClosedChan", SendOnClosedChan);
  register_("SendOnClosedChanGoroutine", SendOnClosedChanGoroutine);
  register_("CloseOfClosedChan", CloseOfClosedChan);
  register_("CloseOfNilChan", CloseOfNilChan);
  register_("MakechanSizeOutOfRange", MakechanSizeOutOfRange);
  register_("ForeignThreadChanRecv", ForeignThreadChanRecv);
  return true;
}();

}  // namespace
}  // namespace testprog
