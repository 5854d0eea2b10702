// netpoll_test.cpp: the port's own tests of the network poller (netpoll.cpp,
// netpoll_epoll.cpp) seen through package os's pipes: what a Go program
// takes for granted and Go's tests check only in passing. (Go's own
// netpoll tests are TestNetpollBreak in proc_test.cpp, TestNetpollDeadlock
// and TestNetpollWaiters in crash_test.cpp, and the deadline tests of
// os/timeout_test.go and net/timeout_test.go.)
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch_test_macros.hpp>
#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "chan.hpp"
#include "errors/errors.hpp"
#include "export_test.hpp"
#include "go.hpp"
#include "io/io.hpp"
#include "netpoll.hpp"
#include "os/file.hpp"
#include "runtime.hpp"
#include "time/time.hpp"

namespace {

/// The process's thread count (/proc/self/status).
int threads() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

/// Is fd an open descriptor of this process?
bool isOpen(int fd) { return fcntl(fd, F_GETFD) != -1; }

}  // namespace

TEST_CASE("gort: goroutines blocked reading pipes park in the poller, not in threads", "[gort][netpoll]") {
  constexpr int n = 500;
  int before = threads();
  // n pipes; a goroutine reads one byte from each read end.
  std::vector<gort::ptr<gort::os::File>, gort::gc_allocator<gort::ptr<gort::os::File>>> rs, ws;
  for (int i = 0; i < n; i++) {
    auto [r, w, err] = gort::os::Pipe();
    REQUIRE(!err);
    rs.push_back(r);
    ws.push_back(w);
  }
  auto done = gort::make_chan<int>(n);
  for (int i = 0; i < n; i++) {
    gort::go([r = rs[i], done, i] {
      auto b = gort::make<uint8_t>(1);
      auto [nr, err] = r->Read(b);
      done.send(err || nr != 1 || b[0] != uint8_t(i) ? -1 : i);
    });
  }
  // Wait until every one is parked on its pipe (each counts in
  // netpollWaiters once its netpollblockcommit ran).
  for (int tries = 0; runtime::netpollWaiters.Load() < uint32_t(n) && tries < 5000; tries++) {
    gort::time::Sleep(gort::time::Millisecond);
  }
  CHECK(runtime::netpollWaiters.Load() >= uint32_t(n));
  int during = threads();
  INFO("threads before " << before << ", while " << n << " goroutines wait: " << during);
  // A thread per waiting goroutine would be n more; the Ms are GOMAXPROCS
  // and a few spares, whatever n is.
  CHECK(during < before + 20);

  // One byte to each: every reader wakes with its own byte.
  for (int i = 0; i < n; i++) {
    auto b = gort::make<uint8_t>(1);
    b[0] = uint8_t(i);
    auto [nw, err] = ws[i]->Write(b);
    REQUIRE(!err);
  }
  int got = 0;
  for (int i = 0; i < n; i++) {
    if (done.recv() >= 0) got++;
  }
  CHECK(got == n);
  CHECK(runtime::netpollWaiters.Load() == 0);
  for (int i = 0; i < n; i++) {
    rs[i]->Close();
    ws[i]->Close();
  }
}

TEST_CASE("gort: Close wakes a goroutine blocked in Read with ErrClosed", "[gort][netpoll]") {
  auto [r, w, err] = gort::os::Pipe();
  REQUIRE(!err);
  auto res = gort::make_chan<gort::error>(1);
  gort::go([r = r, res] {
    auto b = gort::make<uint8_t>(1);
    auto [n, err] = r->Read(b);
    res.send(err);
  });
  while (runtime::netpollWaiters.Load() == 0) gort::time::Sleep(gort::time::Millisecond);
  CHECK(!r->Close());
  gort::error got = res.recv();
  REQUIRE(got);
  CHECK(got->Error() == "read |0: file already closed");
  CHECK(gort::errors::Is(got, gort::os::ErrClosed));
  CHECK(!gort::os::IsTimeout(got));
  // A second Close: Go's "close |0: file already closed".
  gort::error again = r->Close();
  REQUIRE(again);
  CHECK(again->Error() == "close |0: file already closed");
  w->Close();
}

TEST_CASE("gort: the collector's finalizer closes a pipe the program dropped", "[gort][netpoll]") {
  // The pipe is made and dropped on a goroutine that then exits, so that
  // no stale copy of the Files' addresses stays on a stack the collector
  // scans conservatively (this goroutine's).
  auto fds = gort::make_chan<int>(2);
  gort::go([fds] {
    auto [r, w, err] = gort::os::Pipe();
    fds.send(err ? -1 : int(r->Fd()));
    fds.send(err ? -1 : int(w->Fd()));
  });
  int rfd = fds.recv(), wfd = fds.recv();
  REQUIRE(rfd >= 0);
  REQUIRE(wfd >= 0);
  // Go: the *file's finalizer calls close. It runs on the finalizer
  // goroutine after the cycle that finds the File unreachable.
  for (int tries = 0; tries < 50 && (isOpen(rfd) || isOpen(wfd)); tries++) {
    runtime::GC();
    gort::time::Sleep(10 * gort::time::Millisecond);
  }
  CHECK(!isOpen(rfd));
  CHECK(!isOpen(wfd));
}
