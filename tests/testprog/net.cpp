// testprog/net.cpp: the sub-programs of go1.22.12
// runtime/testdata/testprognet that use the network: net.go
// (NetpollDeadlock) and waiters.go (NetpollWaiters).
//
// Departure: Go builds testprognet as a program of its own, so that the
// other test programs do not link package net; the port's package net is
// part of libgort, so they are sub-programs of testprog like the rest.
//
// log.Fatal is a message on stderr and exit status 1.
#include <unistd.h>

#include <memory>
#include <string>

#include "go.hpp"
#include "io/io.hpp"
#include "net/net.hpp"
#include "netpoll.hpp"
#include "sync/waitgroup.hpp"
#include "testprog.hpp"
#include "time/time.hpp"

namespace testprog {
namespace {

/// logFatal: log.Fatal(err).
[[noreturn]] void logFatal(const std::string& msg) {
  println(msg);
  osExit(1);
}
[[noreturn]] void logFatal(const gort::error& err) { logFatal(err->Error()); }

// net.go:20 at go1.22.12 (run as an init: see registerInit). A dial while
// the program starts, before main: the poller is set up from an init, and
// the connection is refused (nothing listens on that port) or not.
void NetpollDeadlockInit() {
  fmtPrintln("dialing");
  auto [c, err] = gort::net::Dial("tcp", "localhost:14356");
  if (!err) {
    c.Close();
  } else {
    fmtPrintln("error:  " + err->Error());
  }
}

// net.go:30 at go1.22.12
void NetpollDeadlock() { fmtPrintln("done"); }

// waiters.go:24 at go1.22.12. Two goroutines talk over a connection with
// sleeps between the writes, so that the reader parks in the poller again
// and again; at the end, no goroutine may still be counted as waiting there.
void NetpollWaiters() {
  auto [listener, err] = gort::net::Listen("tcp", "127.0.0.1:0");
  if (err) logFatal(err);

  auto wg = std::make_shared<gort::sync::WaitGroup>();
  wg->Add(1);
  gort::go([listener = listener, wg] {
    auto [conn, err] = listener.Accept();
    if (err) logFatal(err);
    // io.Copy(io.Discard, conn)
    auto buf = gort::make<uint8_t>(32 * 1024);
    for (;;) {
      auto [n, e] = conn.Read(buf);
      if (e == gort::io::EOF_) break;
      if (e) logFatal(e);
    }
    conn.Close();
    wg->Done();
  });

  wg->Add(1);
  gort::go([addr = listener.Addr(), wg] {
    auto [conn, err] = gort::net::Dial("tcp", addr.String());
    if (err) logFatal(err);
    for (int i = 0; i < 10; i++) {
      // fmt.Fprintf(conn, "%d\n", i)
      auto line = gort::make<uint8_t>(2);
      line[0] = uint8_t('0' + i);
      line[1] = '\n';
      if (auto [n, e] = conn.Write(line); e) logFatal(e);
      gort::time::Sleep(gort::time::Millisecond);
    }
    conn.Close();
    wg->Done();
  });

  wg->Wait();
  if (uint32_t v = runtime::netpollWaiters.Load(); v != 0) {
    logFatal("current waiters " + std::to_string(v));
  }
  fmtPrintln("OK");
}

[[maybe_unused]] bool registered = [] {
  registerInit("NetpollDeadlock", NetpollDeadlockInit);
  register_("NetpollDeadlock", NetpollDeadlock);
  register_("NetpollWaiters", NetpollWaiters);
  return true;
}();

}  // namespace
}  // namespace testprog
