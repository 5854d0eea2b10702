// netpoll_test.cpp: the port's own tests of the network poller (netpoll.cpp,
// netpoll_epoll.cpp) seen through package os's pipes and package net's
// loopback connections: what a Go program
// takes for granted and Go's tests check only in passing. (Go's own
// netpoll tests are TestNetpollBreak in proc_test.cpp, TestNetpollDeadlock
// and TestNetpollWaiters in crash_test.cpp, and the deadline tests of
// os/timeout_test.go and net/timeout_test.go.)
#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
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
#include "net/net.hpp"
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

TEST_CASE("gort: a loopback echo of 10000 goroutines runs on about GOMAXPROCS threads", "[gort][netpoll]") {
  // 5000 connections: a client goroutine and the server's goroutine for
  // each, 10000 goroutines that each block in Read, Write, Accept or Dial
  // at some point. A thread per blocked goroutine would be thousands.
  // Each connection takes two descriptors: fewer connections if the limit
  // (raised to the hard one at startup, as Go does) cannot hold them.
  struct rlimit lim {};
  getrlimit(RLIMIT_NOFILE, &lim);
  const int conns = int(std::min<rlim_t>(5000, (lim.rlim_cur - 200) / 2));
  INFO(conns << " connections (RLIMIT_NOFILE " << lim.rlim_cur << ")");
  REQUIRE(conns >= 400);
  int before = threads();
  auto [ln, err] = gort::net::Listen("tcp", "127.0.0.1:0");
  REQUIRE(!err);
  auto done = gort::make_chan<int>(2 * conns);
  // The server: one goroutine per accepted connection echoes 8 bytes.
  gort::go([ln = ln, done, conns] {
    for (int i = 0; i < conns; i++) {
      auto [c, err] = ln.Accept();
      if (err) {
        done.send(-1);
        continue;
      }
      gort::go([c = c, done] {
        auto b = gort::make<uint8_t>(8);
        int got = 0;
        while (got < 8) {
          auto [n, err] = c.Read(b.sub(got, 8));
          if (err) break;
          got += n;
        }
        bool ok = got == 8 && !std::get<1>(c.Write(b));
        c.Close();
        done.send(ok ? 1 : -1);
      });
    }
  });
  std::string addr = ln.Addr().String();
  std::atomic<int> peak{0};
  for (int i = 0; i < conns; i++) {
    gort::go([addr, done, i] {
      auto [c, err] = gort::net::Dial("tcp", addr);
      if (err) {
        done.send(-2);
        return;
      }
      auto b = gort::make<uint8_t>(8);
      for (int k = 0; k < 8; k++) b[k] = uint8_t(i + k);
      bool ok = !std::get<1>(c.Write(b));
      auto r = gort::make<uint8_t>(8);
      int got = 0;
      while (ok && got < 8) {
        auto [n, err] = c.Read(r.sub(got, 8));
        if (err) break;
        got += n;
      }
      ok = ok && got == 8;
      for (int k = 0; ok && k < 8; k++) ok = r[k] == uint8_t(i + k);
      c.Close();
      done.send(ok ? 2 : -2);
    });
    if (i % 500 == 0) peak = std::max(peak.load(), threads());
  }
  int clientsOK = 0, serversOK = 0, bad = 0;
  for (int i = 0; i < 2 * conns; i++) {
    int v = done.recv();
    if (v == 1) serversOK++;
    else if (v == 2) clientsOK++;
    else bad++;
    if (i % 1000 == 0) peak = std::max(peak.load(), threads());
  }
  ln.Close();
  INFO("threads before " << before << ", at most " << peak.load() << " during; GOMAXPROCS "
                         << runtime::GOMAXPROCS(0));
  CHECK(bad == 0);
  CHECK(clientsOK == conns);
  CHECK(serversOK == conns);
  // GOMAXPROCS Ms, the template thread, sysmon, one in epoll_wait, a few
  // spinning or waking: far fewer than the 10000 goroutines.
  CHECK(peak.load() < before + runtime::GOMAXPROCS(0) + 20);
}
