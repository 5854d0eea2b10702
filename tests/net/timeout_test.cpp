// net/timeout_test.cpp: the tests of go1.22.12 net/timeout_test.go,
// translated test by test: deadlines on TCP listeners and connections over
// the loopback interface, which package net puts in the runtime's poller.
// Each TEST_CASE has Go's name, the tags [net] and [timeout_test.go] (the
// first tells it from its namesake in tests/os/timeout_test.cpp, a port of
// os/timeout_test.go), and cites the line of Go's func.
//
// Translation rules (as in tests/os/timeout_test.cpp):
//   - net.Conn and net.Listener are gort::net::TCPConn and TCPListener,
//     handles as Go's interface values are; `defer x.Close()` is a
//     `deferred` at the top of the scope.
//   - the helpers of net's other test files (mockserver_test.go's
//     newLocalListener and localServer, error_test.go's parse*Error) are
//     translated below, each citing its Go line.
//   - goroutines report through gort channels (tErrors, Go's t.Error from a
//     goroutine) and atomics; Catch2's assertions run on the test goroutine
//     only.
//   - t.Parallel() has no counterpart: Catch2 runs one test at a time.
//   - t.Run's subtests are sections named as Go names them ("-5s/0s");
//     t.Logf is INFO.
// Not ported (tests/inventory/not_applicable.tsv): TestReadFromTimeout,
// TestWriteToTimeout and TestReadFromTimeoutFluctuation, which need UDP
// (the port's net has TCP only). TestDialTimeout and
// TestDialTimeoutMaxDuration are ported for their rows that set a Dialer's
// Timeout, which is DialTimeout; the rows that set a Dialer's Deadline need
// net.Dialer, which the port does not have.
#include <errno.h>

#include <array>
#include <atomic>
#include <catch2/catch_test_macros.hpp>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>

#include "../export_test.hpp"
#include "chan.hpp"
#include "errors/errors.hpp"
#include "go.hpp"
#include "internal/poll/fd.hpp"
#include "io/io.hpp"
#include "net/net.hpp"
#include "os/file.hpp"
#include "runtime.hpp"
#include "select.hpp"
#include "sync/waitgroup.hpp"
#include "time/time.hpp"

using gort::deferred;
using gort::error;
using gort::time::Duration;
using gort::time::Hour;
using gort::time::Microsecond;
using gort::time::Millisecond;
using gort::time::Nanosecond;
using gort::time::Now;
using gort::time::Second;
using gort::time::Time;
namespace net = gort::net;
namespace os = gort::os;

namespace {

/// noDeadline: the zero Time, which removes a deadline. (net.go:505)
const Time noDeadline{};

/// isDeadlineExceeded: a timeout that is os.ErrDeadlineExceeded or wraps
/// it. timeout_test.go:1189 at go1.22.12
bool isDeadlineExceeded(const error& err) {
  return err && err->Timeout() && gort::errors::Is(err, os::ErrDeadlineExceeded);
}

std::string S(Duration d) { return gort::time::DurationString(d); }

/// E: an error as Go's %v prints it ("<nil>" for nil).
std::string E(const error& err) { return err ? err->Error() : "<nil>"; }

/// bytes: a []byte of s.
gort::slice<uint8_t> bytes(const char* s) {
  size_t n = std::strlen(s);
  auto b = gort::make<uint8_t>(int64_t(n));
  std::memcpy(&b[0], s, n);
  return b;
}


/// tErrors: t.Error called on a goroutine other than the test's. The
/// goroutine sends the error (never blocking: past 64, errors are dropped);
/// check, on the test goroutine, fails the test with each one.
struct tErrors {
  gort::chan<error> ch = gort::make_chan<error>(64);
  void Error(const error& err) const { gort::select({gort::send(ch, err)}, gort::default_); }
  void Error(const std::string& msg) const { Error(gort::errors::New(msg)); }
  void check() const {
    for (;;) {
      error err;
      if (gort::select({gort::recv(ch, &err)}, gort::default_) != 0) return;
      FAIL_CHECK(E(err));
    }
  }
};

// --- mockserver_test.go ------------------------------------------------------

/// newLocalListener: a listener on a free port of the loopback address.
/// mockserver_test.go:35 at go1.22.12 (for "tcp", Go tries tcp4 first; the
/// port has only IPv4).
net::Listener newLocalListener(const char* network) {
  REQUIRE(std::string(network) == "tcp");
  auto [ln, err] = net::Listen("tcp4", "127.0.0.1:0");
  if (err) FAIL(E(err));
  return ln;
}

/// localServer: a listener and the goroutine that serves it.
/// mockserver_test.go:117 at go1.22.12 (its list of accepted connections,
/// cl, is left out: no test here fills it).
struct localServer {
  net::Listener Listener;
  gort::chan<bool> done;  // closed when the handler returns
  bool built = false;

  /// buildup runs handler(ln) on a goroutine. mockserver_test.go:124
  template <class H>
  void buildup(H handler) {
    built = true;
    gort::go([ln = Listener, done = done, handler] {
      handler(ln);
      gort::close(done);
    });
  }

  /// teardown closes the listener and waits for the handler to return.
  /// mockserver_test.go:132
  void teardown() {
    if (!Listener) return;
    Listener.Close();
    if (built) (void)done.recv();
    Listener = net::Listener();
  }

  ~localServer() { teardown(); }
};

/// newLocalServer. mockserver_test.go:154 at go1.22.12
localServer newLocalServer(const char* network) {
  return localServer{newLocalListener(network), gort::make_chan<bool>()};
}

/// dial: Dial(ln.Addr().Network(), ln.Addr().String()), failing the test
/// on an error, as each of Go's tests does.
net::Conn dial(const net::Listener& ln) {
  auto [c, err] = net::Dial(ln.Addr().Network(), ln.Addr().String());
  if (err) FAIL(E(err));
  return c;
}

// --- error_test.go: the shape of the errors net returns ----------------------
//
// Go's parse*Error walk an error's levels by type: an *OpError, then a
// syscall.Errno, an *os.SyscallError around one, or one of the known
// sentinels. The port's errors are of three kinds (errors.hpp): an OpError
// is a wrapper whose prefix is "op net[ addresses]" (net.cpp OpError), an
// os.SyscallError a wrapper whose prefix is the call's name, one word.

std::string prefixOf(const error& err) { return std::string(err->text.begin(), err->text.end()); }

/// isPlatformError: a system call's errno. error_unix_test.go:21 at go1.22.12
bool isPlatformError(const error& err) { return err && err->Errno() != 0; }

bool isWrapper(const error& err) { return err && err->kind == gort::errorKindWrap; }
bool isOpError(const error& err) { return isWrapper(err) && prefixOf(err).find(' ') != std::string::npos; }
bool isSyscallError(const error& err) { return isWrapper(err) && prefixOf(err).find(' ') == std::string::npos; }

/// opErrorIsValid: an Op, a Net, a Source and Addr that are TCP addresses,
/// and an Err. error_test.go:22 at go1.22.12 (OpError.isValid)
std::string opErrorIsValid(const error& e) {
  std::string p = prefixOf(e);
  if (!e->wrapped) return "OpError.Err is empty: " + p;
  std::istringstream words(p);
  std::string op, network, addrs, extra;
  words >> op >> network >> addrs >> extra;
  if (op.empty()) return "OpError.Op is empty: " + E(e);
  if (network.empty()) return "OpError.Net is empty: " + E(e);
  if (!extra.empty()) return "OpError has more than Op, Net, Source and Addr: " + E(e);
  // "addr" or "source->addr".
  for (size_t i = 0; !addrs.empty();) {
    size_t arrow = addrs.find("->", i);
    std::string a = addrs.substr(i, arrow == std::string::npos ? std::string::npos : arrow - i);
    if (auto [ta, err] = net::ResolveTCPAddr("tcp", a); err) {
      return "OpError.Source or Addr is not a TCP address (" + a + "): " + E(e);
    }
    if (arrow == std::string::npos) break;
    i = arrow + 2;
  }
  return "";
}

/// parseNetError: the walk every parse*Error makes; known lists the
/// sentinels the second level may be, eofOK lets io.EOF stand alone (a
/// Read), textsOK accepts any text error there (the port's AddrError,
/// UnknownNetworkError and resolver errors, which Go accepts by type). An
/// empty result means the error has a valid shape.
std::string parseNetError(const error& nestedErr, std::initializer_list<error> known, bool eofOK, bool textsOK) {
  if (!nestedErr) return "";
  error nested = nestedErr;
  if (!isOpError(nested)) {
    if (eofOK && nested == gort::io::EOF_) return "";
    return "unexpected type on 1st nested level: " + E(nested);
  }
  if (std::string perr = opErrorIsValid(nested); !perr.empty()) return perr;
  nested = nested->wrapped;
  // The second level.
  if (isPlatformError(nested)) return "";
  if (isSyscallError(nested)) {
    nested = nested->wrapped;
    if (isPlatformError(nested)) return "";  // the third level
    return "unexpected type on 3rd nested level: " + E(nested);
  }
  for (const error& k : known) {
    if (nested == k) return "";
  }
  if (textsOK && nested->kind == gort::errorKindText) return "";
  return "unexpected type on 2nd nested level: " + E(nested);
}

/// error_test.go:73 at go1.22.12 (Go's *timeoutError and
/// *poll.DeadlineExceededError are the port's os::ErrDeadlineExceeded).
std::string parseDialError(const error& err) {
  return parseNetError(err, {net::ErrClosed, os::ErrDeadlineExceeded}, false, true);
}
/// error_test.go:420 at go1.22.12
std::string parseReadError(const error& err) {
  return parseNetError(err, {net::ErrClosed, gort::poll::ErrNotPollable, os::ErrDeadlineExceeded}, true, false);
}
/// error_test.go:463 at go1.22.12
std::string parseWriteError(const error& err) {
  return parseNetError(err, {net::ErrClosed, os::ErrDeadlineExceeded, gort::io::ErrUnexpectedEOF}, false, true);
}
/// error_test.go:622 at go1.22.12
std::string parseAcceptError(const error& err) {
  return parseNetError(err, {net::ErrClosed, gort::poll::ErrNotPollable, os::ErrDeadlineExceeded}, false, false);
}
/// error_test.go:695 at go1.22.12
std::string parseCommonError(const error& err) { return parseNetError(err, {net::ErrClosed}, false, false); }

/// isNetError: Go's `_, ok := err.(Error)`: net's errors are OpErrors.
bool isNetError(const error& err) { return isOpError(err); }

/// temporary: OpError.Temporary (net.go:526 at go1.22.12): a reset or
/// aborted connection on accept (isConnError, error_unix.go:11), else what
/// the error inside says: Errno.Temporary (EINTR, EMFILE, ENFILE or a
/// timeout), true for a deadline, false for a closed connection.
bool temporary(const error& err) {
  if (!isOpError(err)) return false;
  error e = err->wrapped;
  if (prefixOf(err).rfind("accept ", 0) == 0 && (e->Errno() == ECONNRESET || e->Errno() == ECONNABORTED)) return true;
  if (isSyscallError(e)) e = e->wrapped;
  if (int n = e->Errno()) return n == EINTR || n == EMFILE || n == ENFILE || e->Timeout();
  return e == os::ErrDeadlineExceeded;
}

}  // namespace

namespace {
// timeout_test.go:34 at go1.22.12 (dialTimeoutTests)
struct dialTimeoutTest {
  Duration initialTimeout;
  Duration initialDelta;  // for a deadline: 0 in every row ported
};
}  // namespace

// timeout_test.go:50 at go1.22.12. Go's init (timeout_test.go:19) makes
// sure the clock moves between the deadline's computation and the dial
// (testHookStepTime); Linux's nanosecond clock does without help.
TEST_CASE("TestDialTimeout", "[net][timeout_test.go]") {
  const dialTimeoutTest dialTimeoutTests[] = {
      // A timeout in the past works.
      {-5 * Second, 0},
      {gort::time::minDuration, 0},  // -1 << 63
      {1 * Millisecond, 0},
      // Not ported: {0, -5s}, {-5s, 5s}, {0, -1 << 63}, {0, 1ms} and
      // {1ms, 5s}, which set Dialer.Deadline (see the top of the file).
  };
  auto ln = newLocalListener("tcp");
  deferred closeLn{[&] { ln.Close(); }};

  for (const auto& tt : dialTimeoutTests) {
    SECTION(S(tt.initialTimeout) + "/" + S(tt.initialDelta)) {
      // The accept queue is not ours: no dials in parallel.
      Duration timeout = tt.initialTimeout;  // d.Timeout
      Time beforeDial, afterDial;
      error err;
      for (;;) {
        beforeDial = Now();
        auto [c, e] = net::DialTimeout(ln.Addr().Network(), ln.Addr().String(), timeout);
        afterDial = Now();
        err = e;
        if (err) break;
        // The kernel accepted for the listener, which never calls Accept:
        // close that connection and try a shorter timeout, until one is
        // too short for the dial.
        UNSCOPED_INFO("closing spurious connection from Dial; Timeout was " << S(timeout));
        c.Close();
        if (timeout <= 1) FAIL("can't reduce Timeout or Deadline");
        timeout /= 2;
      }

      Duration delay = afterDial.Sub(beforeDial);
      if (delay < timeout) FAIL_CHECK("Dial returned after " << S(delay) << "; want >=" << S(timeout));
      if (std::string perr = parseDialError(err); !perr.empty()) FAIL_CHECK("unexpected error from Dial: " << perr);
      if (!isNetError(err) || !err->Timeout()) FAIL_CHECK("Dial: " << E(err) << ", want timeout");
    }
  }
  if (error err = ln.Close()) FAIL_CHECK(E(err));
}

// timeout_test.go:137 at go1.22.12
TEST_CASE("TestDialTimeoutMaxDuration", "[net][timeout_test.go]") {
  auto ln = newLocalListener("tcp");
  deferred closeLn{[&] { ln.Close(); }};

  const struct {
    Duration timeout;
    Duration delta;  // for a deadline
  } tests[] = {
      // A large timeout, which overflows int64 Unix nanoseconds.
      {gort::time::maxDuration, 0},  // 1<<63 - 1
      // Not ported: {0, 1<<63 - 1}, a Dialer.Deadline.
  };
  for (const auto& tt : tests) {
    SECTION("timeout=" + S(tt.timeout) + "/delta=" + S(tt.delta)) {
      auto [c, err] = net::DialTimeout(ln.Addr().Network(), ln.Addr().String(), tt.timeout);
      if (err) FAIL(E(err));
      if (error e = c.Close()) FAIL_CHECK(E(e));
    }
  }
  if (error err = ln.Close()) FAIL_CHECK(E(err));
}

namespace {
// timeout_test.go:169, 304 and 489 at go1.22.12 (acceptTimeoutTests,
// readTimeoutTests, writeTimeoutTests)
struct timeoutTest {
  Duration timeout;
  error xerrs[2];  // the errors expected in turn
};
}  // namespace

// timeout_test.go:180 at go1.22.12. Go skips it unless run with -flaky
// (testenv.SkipFlaky, golang.org/issue/17948); the port runs it.
TEST_CASE("TestAcceptTimeout", "[net][timeout_test.go]") {
  const timeoutTest acceptTimeoutTests[] = {
      // A deadline in the past works even with a connection waiting.
      {-5 * Second, {os::ErrDeadlineExceeded, os::ErrDeadlineExceeded}},
      {50 * Millisecond, {nullptr, os::ErrDeadlineExceeded}},
  };
  auto ln = newLocalListener("tcp");
  deferred closeLn{[&] { ln.Close(); }};

  auto wg = std::make_shared<gort::sync::WaitGroup>();
  tErrors terr;
  int i = 0;
  for (const auto& tt : acceptTimeoutTests) {
    if (tt.timeout < 0) {
      wg->Add(1);
      gort::go([ln = ln, wg, terr] {
        auto [c, err] = net::DialTimeout(ln.Addr().Network(), ln.Addr().String(), 100 * Millisecond);
        if (err) {
          terr.Error(err);
        } else {
          c.Close();
        }
        wg->Done();
      });
    }

    if (error err = ln.SetDeadline(Now().Add(tt.timeout))) FAIL("$" << i << ": " << E(err));
    int j = 0;
    for (const error& xerr : tt.xerrs) {
      for (;;) {
        auto [c, err] = ln.Accept();
        if (xerr) {
          if (std::string perr = parseAcceptError(err); !perr.empty()) FAIL_CHECK("#" << i << "/" << j << ": " << perr);
          if (!isDeadlineExceeded(err)) FAIL("#" << i << "/" << j << ": " << E(err));
        }
        if (!err) {
          c.Close();
          gort::time::Sleep(10 * Millisecond);
          continue;
        }
        break;
      }
      j++;
    }
    i++;
  }
  wg->Wait();
  terr.check();
}

// timeout_test.go:234 at go1.22.12
TEST_CASE("TestAcceptTimeoutMustReturn", "[net][timeout_test.go]") {
  auto ln = newLocalListener("tcp");
  deferred closeLn{[&] { ln.Close(); }};

  if (error err = ln.SetDeadline(noDeadline)) FAIL_CHECK(E(err));
  if (error err = ln.SetDeadline(Now().Add(10 * Millisecond))) FAIL_CHECK(E(err));
  auto [c, err] = ln.Accept();
  if (!err) c.Close();

  if (std::string perr = parseAcceptError(err); !perr.empty()) FAIL_CHECK(perr);
  if (!isDeadlineExceeded(err)) FAIL(E(err));
}

// timeout_test.go:264 at go1.22.12
TEST_CASE("TestAcceptTimeoutMustNotReturn", "[net][timeout_test.go]") {
  auto ln = newLocalListener("tcp");
  deferred closeLn{[&] { ln.Close(); }};

  auto maxch = gort::make_chan<gort::ptr<gort::time::Timer>>();
  auto ch = gort::make_chan<error>();
  tErrors terr;
  gort::go([ln = ln, maxch, ch, terr] {
    if (error err = ln.SetDeadline(Now().Add(-5 * Second))) terr.Error(err);
    if (error err = ln.SetDeadline(noDeadline)) terr.Error(err);
    maxch.send(gort::time::NewTimer(100 * Millisecond));
    auto [c, err] = ln.Accept();
    ch.send(err);
  });

  auto max = maxch.recv();
  deferred stopMax{[&] { max->Stop(); }};

  error err;
  if (gort::select({gort::recv(ch, &err), gort::recv(max->C)}) == 0) {
    if (std::string perr = parseAcceptError(err); !perr.empty()) FAIL_CHECK(perr);
    FAIL("expected Accept to not return, but it returned with " << E(err));
  }
  ln.Close();
  (void)ch.recv();  // the goroutine stops
  terr.check();
}

namespace {
/// timeoutTransitions: the loop TestReadTimeout and TestWriteTimeout share
/// (timeout_test.go:343 and 517 at go1.22.12): op (a Read or a Write)
/// again and again, sleeping a third of the timeout after each success,
/// until it fails, once per expected error; an expected error must be a
/// deadline's and leave n 0. parse is the parse*Error for op.
template <class Op, class Parse>
void timeoutTransitions(int i, const timeoutTest& tt, const char* verb, Op op, Parse parse) {
  int j = 0;
  for (const error& xerr : tt.xerrs) {
    for (;;) {
      auto [n, err] = op();
      if (xerr) {
        if (std::string perr = parse(err); !perr.empty()) FAIL_CHECK("#" << i << "/" << j << ": " << perr);
        if (!isDeadlineExceeded(err)) FAIL("#" << i << "/" << j << ": " << E(err));
      }
      if (!err) {
        gort::time::Sleep(tt.timeout / 3);
        continue;
      }
      if (n != 0) FAIL("#" << i << "/" << j << ": " << verb << " " << n << "; want 0");
      break;
    }
    j++;
  }
}
}  // namespace

// timeout_test.go:316 at go1.22.12
TEST_CASE("TestReadTimeout", "[net][timeout_test.go]") {
  const timeoutTest readTimeoutTests[] = {
      // A read deadline works even with data waiting to be read.
      {-5 * Second, {os::ErrDeadlineExceeded, os::ErrDeadlineExceeded}},
      {50 * Millisecond, {nullptr, os::ErrDeadlineExceeded}},
  };
  tErrors terr;
  auto ls = newLocalServer("tcp");
  ls.buildup([terr](net::Listener ln) {
    auto [c, err] = ln.Accept();
    if (err) {
      terr.Error(err);
      return;
    }
    c.Write(bytes("READ TIMEOUT TEST"));
    c.Close();
  });

  auto c = dial(ls.Listener);
  deferred closeC{[&] { c.Close(); }};

  int i = 0;
  for (const auto& tt : readTimeoutTests) {
    if (error err = c.SetReadDeadline(Now().Add(tt.timeout))) FAIL("#" << i << ": " << E(err));
    auto b = gort::make<uint8_t>(1);
    timeoutTransitions(i, tt, "read", [&] { return c.Read(b); }, parseReadError);
    i++;
  }
  c.Close();  // Go's defers, last first
  ls.teardown();
  terr.check();
}

namespace {
/// setDeadline: one of a connection's SetReadDeadline and SetWriteDeadline.
using setDeadline = error (net::TCPConn::*)(Time) const;

/// mustNotReturn: TestReadTimeoutMustNotReturn and
/// TestWriteTimeoutMustNotReturn (timeout_test.go:368 and 542 at
/// go1.22.12), which differ in the direction: on a connection nobody
/// serves, a goroutine puts every deadline in the past, clears its own
/// direction's (setOwn; setOther is the other's), starts max (100ms) and
/// runs op, which must still be blocked when max fires; closing the
/// connection ends op with an error that is net's, neither a timeout nor
/// temporary. parse is the parse*Error for op.
template <class Op, class Parse>
void mustNotReturn(const char* what, setDeadline setOther, setDeadline setOwn, Op op, Parse parse) {
  auto ln = newLocalListener("tcp");
  deferred closeLn{[&] { ln.Close(); }};
  auto c = dial(ln);
  deferred closeC{[&] { c.Close(); }};

  auto maxch = gort::make_chan<gort::ptr<gort::time::Timer>>();
  auto ch = gort::make_chan<error>();
  tErrors terr;
  gort::go([c = c, maxch, ch, terr, setOther, setOwn, op] {
    if (error err = c.SetDeadline(Now().Add(-5 * Second))) terr.Error(err);
    if (error err = (c.*setOther)(Now().Add(-5 * Second))) terr.Error(err);
    if (error err = (c.*setOwn)(noDeadline)) terr.Error(err);
    maxch.send(gort::time::NewTimer(100 * Millisecond));
    ch.send(op(c));
  });

  auto max = maxch.recv();
  deferred stopMax{[&] { max->Stop(); }};

  error err;
  if (gort::select({gort::recv(ch, &err), gort::recv(max->C)}) == 0) {
    if (std::string perr = parse(err); !perr.empty()) FAIL_CHECK(perr);
    FAIL("expected " << what << " to not return, but it returned with " << E(err));
  }
  c.Close();
  err = ch.recv();  // the goroutine stops
  if (std::string perr = parse(err); !perr.empty()) FAIL_CHECK(perr);
  if (!isNetError(err) || err->Timeout() || temporary(err)) FAIL(E(err));
  terr.check();
}
}  // namespace

// timeout_test.go:368 at go1.22.12
TEST_CASE("TestReadTimeoutMustNotReturn", "[net][timeout_test.go]") {
  mustNotReturn(
      "Read", &net::TCPConn::SetWriteDeadline, &net::TCPConn::SetReadDeadline,
      [](const net::Conn& c) {
        auto b = gort::make<uint8_t>(1);
        auto [n, err] = c.Read(b);
        return err;
      },
      parseReadError);
}

// timeout_test.go:501 at go1.22.12
TEST_CASE("TestWriteTimeout", "[net][timeout_test.go]") {
  const timeoutTest writeTimeoutTests[] = {
      // A write deadline works even with room in the send buffer.
      {-5 * Second, {os::ErrDeadlineExceeded, os::ErrDeadlineExceeded}},
      {10 * Millisecond, {nullptr, os::ErrDeadlineExceeded}},
  };
  auto ln = newLocalListener("tcp");
  deferred closeLn{[&] { ln.Close(); }};

  // Go defers each connection's Close to the end of the test.
  std::array<net::Conn, std::size(writeTimeoutTests)> cs;
  deferred closeCs{[&] {
    for (const auto& c : cs) {
      if (c) c.Close();
    }
  }};
  int i = 0;
  for (const auto& tt : writeTimeoutTests) {
    auto c = cs[i] = dial(ln);
    if (error err = c.SetWriteDeadline(Now().Add(tt.timeout))) FAIL("#" << i << ": " << E(err));
    timeoutTransitions(i, tt, "wrote", [&] { return c.Write(bytes("WRITE TIMEOUT TEST")); }, parseWriteError);
    i++;
  }
}

// timeout_test.go:542 at go1.22.12
TEST_CASE("TestWriteTimeoutMustNotReturn", "[net][timeout_test.go]") {
  mustNotReturn(
      "Write", &net::TCPConn::SetReadDeadline, &net::TCPConn::SetWriteDeadline,
      [](const net::Conn& c) {
        auto b = gort::make<uint8_t>(1024);
        for (;;) {
          if (auto [n, err] = c.Write(b); err) return err;
        }
      },
      parseWriteError);
}

namespace {
// timeout_test.go:668 at go1.22.12
constexpr Duration minDynamicTimeout = 1 * Millisecond;
constexpr Duration maxDynamicTimeout = 4 * Second;

/// testingT: t.Errorf and t.Failed, for a test that goes on after an
/// error and stops at the end of the round if there was one.
struct testingT {
  bool failed = false;
  void Errorf(const std::string& msg) {
    FAIL_CHECK(msg);
    failed = true;
  }
};

/// timeoutUpperBound: the longest a timeout of d may take (linux).
/// timeout_test.go:688 at go1.22.12
Duration timeoutUpperBound(Duration d) { return d * 11 / 10; }

/// nextTimeout: the next timeout to try after one took actual.
/// timeout_test.go:707 at go1.22.12
std::tuple<Duration, bool> nextTimeout(Duration actual) {
  if (actual >= maxDynamicTimeout) return {maxDynamicTimeout, false};
  Duration next = actual * 5 / 4;
  if (next > maxDynamicTimeout) return {maxDynamicTimeout, true};
  return {next, true};
}
}  // namespace

// timeout_test.go:722 at go1.22.12
TEST_CASE("TestReadTimeoutFluctuation", "[net][timeout_test.go]") {
  auto ln = newLocalListener("tcp");
  deferred closeLn{[&] { ln.Close(); }};
  auto c = dial(ln);
  deferred closeC{[&] { c.Close(); }};

  Duration d = minDynamicTimeout;
  auto b = gort::make<uint8_t>(256);
  for (;;) {
    INFO("SetReadDeadline(+" << S(d) << ")");
    Time t0 = Now();
    Time deadline = t0.Add(d);
    if (error err = c.SetReadDeadline(deadline)) FAIL("SetReadDeadline: " << E(err));
    auto [n, err] = c.Read(b);
    Time t1 = Now();

    testingT t;
    if (n != 0 || !err || !isNetError(err) || !err->Timeout()) {
      t.Errorf("Read did not return (0, timeout): (" + std::to_string(n) + ", " + E(err) + ")");
    }
    if (std::string perr = parseReadError(err); !perr.empty()) t.Errorf(perr);
    if (!isDeadlineExceeded(err)) t.Errorf("Read error is not DeadlineExceeded: " + E(err));

    Duration actual = t1.Sub(t0);
    if (t1.Before(deadline)) t.Errorf("Read took " + S(actual) + "; expected at least " + S(d));
    if (t.failed) return;
    if (Duration want = timeoutUpperBound(d); actual > want) {
      auto [next, ok] = nextTimeout(actual);
      if (!ok) FAIL("Read took " << S(actual) << "; expected at most " << S(want));
      // A slow or loaded machine: try a longer timeout.
      d = next;
      continue;
    }
    break;
  }
}

// timeout_test.go:835 at go1.22.12
TEST_CASE("TestWriteTimeoutFluctuation", "[net][timeout_test.go]") {
  auto ln = newLocalListener("tcp");
  deferred closeLn{[&] { ln.Close(); }};
  auto c = dial(ln);
  deferred closeC{[&] { c.Close(); }};

  Duration d = minDynamicTimeout;
  for (;;) {
    INFO("SetWriteDeadline(+" << S(d) << ")");
    Time t0 = Now();
    Time deadline = t0.Add(d);
    if (error err = c.SetWriteDeadline(deadline)) FAIL("SetWriteDeadline: " << E(err));
    int64_t n = 0;
    error err;
    for (;;) {
      auto [dn, e] = c.Write(bytes("TIMEOUT TRANSMITTER"));
      n += dn;
      if (e) {
        err = e;
        break;
      }
    }
    Time t1 = Now();
    // err is not nil here.
    if (!isNetError(err) || !err->Timeout()) FAIL("Write did not return (any, timeout): (" << n << ", " << E(err) << ")");
    testingT t;
    if (std::string perr = parseWriteError(err); !perr.empty()) t.Errorf(perr);
    if (!isDeadlineExceeded(err)) t.Errorf("Write error is not DeadlineExceeded: " + E(err));

    Duration actual = t1.Sub(t0);
    if (t1.Before(deadline)) t.Errorf("Write took " + S(actual) + "; expected at least " + S(d));
    if (t.failed) return;
    if (Duration want = timeoutUpperBound(d); actual > want) {
      if (n > 0) {
        // The send buffer had room: fill it first, with a longer deadline.
        if (d <= maxDynamicTimeout / 2) d *= 2;
      } else if (auto [next, ok] = nextTimeout(actual); !ok) {
        FAIL("Write took " << S(actual) << "; expected at most " << S(want));
      } else {
        // A slow or loaded machine: try a longer timeout.
        d = next;
      }
      continue;
    }
    break;
  }
}

namespace {
/// discardAll: io.Copy(io.Discard, c): read until an error; EOF is none.
std::tuple<int64_t, error> discardAll(const net::Conn& c) {
  auto buf = gort::make<uint8_t>(32 * 1024);
  int64_t n = 0;
  for (;;) {
    auto [nr, err] = c.Read(buf);
    n += nr;
    if (err) return {n, err == gort::io::EOF_ ? error() : err};
  }
}

// timeout_test.go:941 at go1.22.12
void testVariousDeadlines() {
  auto ls = newLocalServer("tcp");
  ls.buildup([](net::Listener ln) {
    for (;;) {
      auto [c, err] = ln.Accept();
      if (err) break;
      c.Read(gort::make<uint8_t>(1));  // wait for the client to close the connection
      c.Close();
    }
  });

  const Duration timeouts[] = {
      1 * Nanosecond,       2 * Nanosecond,       5 * Nanosecond,       50 * Nanosecond,
      100 * Nanosecond,     200 * Nanosecond,     500 * Nanosecond,     750 * Nanosecond,
      1 * Microsecond,      5 * Microsecond,      25 * Microsecond,     250 * Microsecond,
      500 * Microsecond,    1 * Millisecond,      5 * Millisecond,      100 * Millisecond,
      250 * Millisecond,    500 * Millisecond,    1 * Second,
  };
  for (Duration timeout : timeouts) {
    int numRuns = 3;
    if (gort_test::testingShort) {
      numRuns = 1;
      if (timeout > 500 * Microsecond) continue;
    }
    for (int run = 0; run < numRuns; run++) {
      std::string name = S(timeout) + " " + std::to_string(run) + "/" + std::to_string(numRuns);
      INFO(name);

      auto c = dial(ls.Listener);
      Time t0 = Now();
      if (error err = c.SetDeadline(t0.Add(timeout))) FAIL_CHECK(E(err));
      auto [n, err] = discardAll(c);
      Duration dt = gort::time::Since(t0);
      c.Close();

      if (isNetError(err) && err->Timeout()) {
        UNSCOPED_INFO(name << ": good timeout after " << S(dt) << "; " << n << " bytes");
      } else {
        FAIL(name << ": Copy = " << n << ", " << E(err) << "; want timeout");
      }
    }
  }
}
}  // namespace

// timeout_test.go:916 at go1.22.12
TEST_CASE("TestVariousDeadlines", "[net][timeout_test.go]") { testVariousDeadlines(); }

// timeout_test.go:922 at go1.22.12
TEST_CASE("TestVariousDeadlines1Proc", "[net][timeout_test.go]") {
  if (gort_test::testingShort) return;  // as in Go: skipped under -short
  gort_test::GOMAXPROCSGuard procs(1);
  testVariousDeadlines();
}

// timeout_test.go:932 at go1.22.12
TEST_CASE("TestVariousDeadlines4Proc", "[net][timeout_test.go]") {
  if (gort_test::testingShort) return;  // as in Go: skipped under -short
  gort_test::GOMAXPROCSGuard procs(4);
  testVariousDeadlines();
}

// timeout_test.go:1014 at go1.22.12: deadlines moved while a Read and a
// Write wait (data races in the past).
TEST_CASE("TestReadWriteProlongedTimeout", "[net][timeout_test.go]") {
  tErrors terr;
  auto ls = newLocalServer("tcp");
  ls.buildup([terr](net::Listener ln) {
    net::Conn c;
    error err;
    std::tie(c, err) = ln.Accept();
    if (err) {
      terr.Error(err);
      return;
    }
    deferred closeC{[&] { c.Close(); }};

    auto wg = std::make_shared<gort::sync::WaitGroup>();
    wg->Add(2);
    // A goroutine a direction: its deadline an hour ahead, then op (a read
    // or a write of a byte), again and again until op fails.
    auto prolong = [c, wg, terr](setDeadline set, auto op, auto parse) {
      gort::go([c, wg, terr, set, op, parse] {
        auto b = gort::make<uint8_t>(1);
        for (;;) {
          if (error err = (c.*set)(Now().Add(Hour))) {
            if (std::string perr = parseCommonError(err); !perr.empty()) terr.Error(perr);
            terr.Error(err);
            break;
          }
          if (auto [n, err] = op(c, b); err) {
            if (std::string perr = parse(err); !perr.empty()) terr.Error(perr);
            break;
          }
        }
        wg->Done();
      });
    };
    prolong(&net::TCPConn::SetReadDeadline, [](const net::Conn& c, gort::slice<uint8_t> b) { return c.Read(b); },
            parseReadError);
    prolong(&net::TCPConn::SetWriteDeadline, [](const net::Conn& c, gort::slice<uint8_t> b) { return c.Write(b); },
            parseWriteError);
    wg->Wait();
  });

  {
    auto c = dial(ls.Listener);
    deferred closeC{[&] { c.Close(); }};
    auto b = gort::make<uint8_t>(1);
    for (int i = 0; i < 1000; i++) {
      c.Write(b);
      c.Read(b);
    }
  }
  ls.teardown();
  terr.check();
}

// timeout_test.go:1092 at go1.22.12
TEST_CASE("TestReadWriteDeadlineRace", "[net][timeout_test.go]") {
  int N = gort_test::testingShort ? 50 : 1000;
  auto ln = newLocalListener("tcp");
  deferred closeLn{[&] { ln.Close(); }};
  auto c = dial(ln);
  deferred closeC{[&] { c.Close(); }};

  auto wg = std::make_shared<gort::sync::WaitGroup>();
  tErrors terr;
  wg->Add(3);
  gort::go([c = c, wg, terr, N] {
    auto tic = gort::time::NewTicker(2 * Microsecond);
    for (int i = 0; i < N; i++) {
      if (error err = c.SetReadDeadline(Now().Add(2 * Microsecond))) {
        if (std::string perr = parseCommonError(err); !perr.empty()) terr.Error(perr);
        break;
      }
      if (error err = c.SetWriteDeadline(Now().Add(2 * Microsecond))) {
        if (std::string perr = parseCommonError(err); !perr.empty()) terr.Error(perr);
        break;
      }
      (void)tic->C.recv();
    }
    tic->Stop();
    wg->Done();
  });
  gort::go([c = c, wg, N] {
    auto b = gort::make<uint8_t>(1);
    for (int i = 0; i < N; i++) c.Read(b);  // timeouts are expected
    wg->Done();
  });
  gort::go([c = c, wg, N] {
    auto b = gort::make<uint8_t>(1);
    for (int i = 0; i < N; i++) c.Write(b);  // timeouts are expected
    wg->Done();
  });
  wg->Wait();  // the goroutines stop
  terr.check();
}

// timeout_test.go:1149 at go1.22.12 (Go issue 35367: SetDeadline from many
// goroutines at once, moving deadlines earlier, crashed the runtime's
// timer adjustment).
TEST_CASE("TestConcurrentSetDeadline", "[net][timeout_test.go]") {
  auto ln = newLocalListener("tcp");
  deferred closeLn{[&] { ln.Close(); }};

  constexpr int goroutines = 8;
  constexpr int conns = 10;
  constexpr int tries = 100;

  std::array<net::Conn, conns> c;
  deferred closeCs{[&] {
    for (const auto& ci : c) {
      if (ci) ci.Close();
    }
  }};
  for (int i = 0; i < conns; i++) c[i] = dial(ln);

  auto wg = std::make_shared<gort::sync::WaitGroup>();
  auto bad = std::make_shared<std::atomic<int>>(0);
  wg->Add(goroutines);
  Time now = Now();
  for (int i = 0; i < goroutines; i++) {
    gort::go([c, wg, bad, now, i] {
      // Deadlines steadily earlier, so that the runtime adjusts its timers.
      for (int j = tries; j > 0; j--) {
        for (int k = 0; k < conns; k++) {
          if (c[k].SetReadDeadline(now.Add(2 * Hour + Duration(i * j * k) * Second))) bad->fetch_add(1);
          if (c[k].SetWriteDeadline(now.Add(1 * Hour + Duration(i * j * k) * Second))) bad->fetch_add(1);
        }
      }
      wg->Done();
    });
  }
  wg->Wait();
  // Go drops SetDeadline's results; on open connections they are nil.
  CHECK(bad->load() == 0);
}

// gort only: package syscall makes connect, bind, listen, setsockopt,
// getsockopt, close and shutdown with Syscall (zsyscall_linux_amd64.go),
// so the goroutine is in _Gsyscall meanwhile, as for read and write (the
// os test of pipes says why that matters); the port makes them through
// poll::sysErrno. Each return is counted by exitsyscall's syscalltick.
// Other goroutines' system calls can only add to the counts.
TEST_CASE("gort: a socket's setup and teardown calls enter the scheduler's system-call state", "[net][gort]") {
  uint64_t t0 = runtime::SyscallTicks();
  auto ln = newLocalListener("tcp");  // setsockopt(SO_REUSEADDR), bind, listen
  uint64_t t1 = runtime::SyscallTicks();
  CHECK(t1 - t0 >= 3);
  auto c = dial(ln);  // connect, and setsockopt for TCP_NODELAY
  uint64_t t2 = runtime::SyscallTicks();
  CHECK(t2 - t1 >= 2);
  CHECK(!c.CloseWrite());  // shutdown
  uint64_t t3 = runtime::SyscallTicks();
  CHECK(t3 - t2 >= 1);
  CHECK(!c.Close());  // close
  CHECK(!ln.Close());
  uint64_t t4 = runtime::SyscallTicks();
  CHECK(t4 - t3 >= 2);
}
