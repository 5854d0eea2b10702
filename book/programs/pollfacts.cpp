// pollfacts: the network poller at work, for the "Things to try" of the
// book's poller chapter (book/chapters/16-poller.rst). The book's build runs
// it (book/tools/gen.py) and checks that its output still shows what the
// chapter says; the timings vary from run to run and are read as such.
//
//   1. 1000 goroutines, each reading its own empty pipe: each is parked on
//      its descriptor's pollDesc ([IO wait]), counted in netpollWaiters,
//      and holds no thread; the kernel's view of the threads meanwhile (one
//      in epoll_wait, the others parked on futexes); then one byte is
//      written to each pipe, and every reader is woken by netpoll.
//   2. deadlines on a pipe: a Read that times out, a Read whose deadline has
//      passed already, a deadline moved while a Read waits, and a Close
//      that wakes a waiting Read.
//   3. TCP over loopback: Listen, Dial, Accept, an echo, round trips, and
//      the errors of a read deadline, a read after Close, an Accept after
//      Close and a refused dial.
//
//   build/book/programs/pollfacts
#include <dirent.h>
#include <errno.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "errors/errors.hpp"
#include "go.hpp"
#include "io/io.hpp"
#include "net/net.hpp"
#include "netpoll.hpp"
#include "os/file.hpp"
#include "proc.hpp"
#include "runtime.hpp"
#include "time/time.hpp"

#include "osthreads.hpp"

using gort::error;
using gort::time::Duration;
using gort::time::Microsecond;
using gort::time::Millisecond;

static double ms(Duration d) { return double(d) / double(Millisecond); }

static gort::slice<uint8_t> bytes(const char* s) {
  int n = int(std::strlen(s));
  auto b = gort::make<uint8_t>(n);
  std::memcpy(&b[0], s, size_t(n));
  return b;
}

static std::string text(gort::slice<uint8_t> b, int n) { return std::string(reinterpret_cast<char*>(&b[0]), size_t(n)); }

// "nil" or the error's text, quoted.
static std::string show(const error& err) { return err ? "\"" + err->Error() + "\"" : std::string("nil"); }

static const char* yesno(bool b) { return b ? "true" : "false"; }

// What each thread of the process is doing, from /proc/self/task/*/syscall:
// the system call it is blocked in, or running. Called inside a system call
// (gort::syscall_block), so it uses no GC memory: fixed arrays only. The
// calling thread itself is counted apart (it is in read(2), reading).
struct threadStates {
  int epollWait, futex, sleep, running, other;
};
static threadStates sampleThreads() {
  threadStates s{};
  DIR* d = opendir("/proc/self/task");
  if (d == nullptr) return s;
  long self = long(gettid());
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.' || std::atol(e->d_name) == self) continue;
    char path[64], buf[64] = {};
    std::snprintf(path, sizeof path, "/proc/self/task/%s/syscall", e->d_name);
    std::FILE* f = std::fopen(path, "r");
    if (f == nullptr) continue;
    bool got = std::fgets(buf, sizeof buf, f) != nullptr;
    std::fclose(f);
    if (!got) continue;
    if (std::strncmp(buf, "running", 7) == 0) {
      s.running++;
      continue;
    }
    switch (std::atoi(buf)) {  // x86-64 system call numbers
      case 232:  // epoll_wait
      case 281:  // epoll_pwait
        s.epollWait++;
        break;
      case 202:  // futex
        s.futex++;
        break;
      case 35:   // nanosleep
      case 230:  // clock_nanosleep
        s.sleep++;
        break;
      default:
        s.other++;
    }
  }
  closedir(d);
  return s;
}

// Go's package os raises the soft limit on open files to the hard one when
// a program starts (os/rlimit.go); the port's os does not yet, and part 1
// needs 2000 descriptors.
static void raiseOpenFileLimit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

// 1. 1000 goroutines blocked reading pipes.
static const int nreaders = 1000;
static gort::slice<gort::ptr<gort::os::File>> readEnds, writeEnds;  // globals: roots
static int64_t wroteAt[nreaders], wokeAt[nreaders];

static void reader(int i, gort::chan<int> done) {
  auto b = gort::make<uint8_t>(1);
  auto [n, err] = readEnds[i]->Read(b);
  wokeAt[i] = runtime::nanotime();
  if (n != 1 || err) std::printf("reader %d: n=%d err=%s\n", i, n, show(err).c_str());
  done.send(i);
}

// Wait until netpollWaiters reads want (at most 10 s); its value then.
static uint32_t waitForWaiters(uint32_t want) {
  for (int i = 0; i < 10000 && runtime::netpollWaiters.Load() != want; i++) gort::time::Sleep(Millisecond);
  return runtime::netpollWaiters.Load();
}

static void blockedReaders() {
  std::printf("== 1. %d goroutines, each reading its own empty pipe\n", nreaders);
  std::printf("a pollDesc is %d bytes; pollcache carves them %d at a time from %d-byte blocks\n",
              int(sizeof(runtime::pollDesc)), int(runtime::pollBlockSize / sizeof(runtime::pollDesc)),
              int(runtime::pollBlockSize));
  std::printf("before: %d goroutines, %d Ms, %d threads, netpollWaiters %u\n", runtime::NumGoroutine(),
              int(runtime::mcount()), osThreads(), runtime::netpollWaiters.Load());
  readEnds = gort::make<gort::ptr<gort::os::File>>(nreaders);
  writeEnds = gort::make<gort::ptr<gort::os::File>>(nreaders);
  for (int i = 0; i < nreaders; i++) {
    auto [r, w, err] = gort::os::Pipe();
    if (err) {
      std::printf("os::Pipe: %s\n", err->Error().c_str());
      std::exit(1);
    }
    readEnds[i] = r;
    writeEnds[i] = w;
  }
  auto done = gort::make_chan<int>(nreaders);
  for (int i = 0; i < nreaders; i++) gort::go(reader, i, done);
  uint32_t waiters = waitForWaiters(nreaders);
  std::printf("all parked: %d goroutines, %d Ms, %d threads, netpollWaiters %u\n", runtime::NumGoroutine(),
              int(runtime::mcount()), osThreads(), waiters);

  // The goroutine dump: how many goroutines wait in the poller, and the
  // stack of the first one.
  std::vector<char> dump(16 << 20);
  int len = runtime::Stack(dump, true);
  std::string all(dump.data(), size_t(len));
  int inIOWait = 0;
  std::string first;
  for (size_t at = 0; at < all.size();) {
    size_t end = all.find("\n\n", at);
    if (end == std::string::npos) end = all.size();
    std::string block = all.substr(at, end - at);
    if (block.rfind("goroutine ", 0) == 0 && block.find(" [IO wait") != std::string::npos) {
      if (inIOWait++ == 0) first = block;
    }
    at = end + 2;
  }
  // For the book's page, a frame's name longer than a line (the go
  // statement's closure) is cut, with "...".
  std::string shown;
  for (size_t at = 0; at < first.size();) {
    size_t end = first.find('\n', at);
    if (end == std::string::npos) end = first.size();
    std::string line = first.substr(at, end - at);
    if (line.size() > 88) line = line.substr(0, 84) + " ...";
    shown += line + "\n";
    at = end + 1;
  }
  std::printf("runtime::Stack(all): %d goroutines in [IO wait]; the first of them:\n%s", inIOWait, shown.c_str());

  // The threads, seen by the kernel while every goroutine waits: the main
  // goroutine sleeps in a system call (its P handed off) and samples them.
  threadStates st[5];
  gort::syscall_block([&] {
    for (auto& s : st) {
      usleep(20000);
      s = sampleThreads();
    }
    return 0;
  });
  std::printf("threads in epoll_wait, in 5 samples 20ms apart:");
  for (auto& s : st) std::printf(" %d", s.epollWait);
  const threadStates& s = st[4];
  std::printf("\nthe other threads in the last sample: %d in epoll_wait, %d in futex,\n"
              "  %d in (clock_)nanosleep, %d running, %d in another call\n",
              s.epollWait, s.futex, s.sleep, s.running, s.other);

  // One byte to each pipe, and every reader wakes.
  int64_t t0 = runtime::nanotime();
  auto one = bytes("x");
  for (int i = 0; i < nreaders; i++) {
    wroteAt[i] = runtime::nanotime();
    auto [n, err] = writeEnds[i]->Write(one);
    if (n != 1 || err) std::printf("write %d: %s\n", i, show(err).c_str());
  }
  int64_t tWrote = runtime::nanotime() - t0;
  for (int i = 0; i < nreaders; i++) done.recv();
  int64_t tAll = runtime::nanotime() - t0;
  std::vector<int64_t> lat(nreaders);
  for (int i = 0; i < nreaders; i++) lat[i] = wokeAt[i] - wroteAt[i];
  std::sort(lat.begin(), lat.end());
  std::printf("1000 one-byte writes took %.3fms; all readers done %.3fms after the first write\n", ms(tWrote),
              ms(tAll));
  std::printf("from its write to its reader's return: median %.3fms, max %.3fms\n", ms(lat[nreaders / 2]),
              ms(lat[nreaders - 1]));
  std::printf("after: netpollWaiters %u, %d Ms, %d threads\n", waitForWaiters(0), int(runtime::mcount()),
              osThreads());
  for (int i = 0; i < nreaders; i++) {
    readEnds[i]->Close();
    writeEnds[i]->Close();
  }
  readEnds = {};
  writeEnds = {};
}

// 2. Deadlines on a pipe.
static void deadlines() {
  std::printf("\n== 2. deadlines on an empty pipe\n");
  auto [r, w, err] = gort::os::Pipe();
  if (err) std::exit(1);
  auto b = gort::make<uint8_t>(16);

  // The clock is read before the deadline is set: a deadline never fires
  // early, so the Read lasts at least 50 ms from t0.
  gort::time::Time t0 = gort::time::Now();
  r->SetReadDeadline(t0.Add(50 * Millisecond));
  auto [n, e] = r->Read(b);
  Duration took = gort::time::Since(t0);
  std::printf("SetReadDeadline(now+50ms), Read: n=%d after %.3fms\n  err %s\n", n, ms(took), show(e).c_str());
  std::printf("  os::IsTimeout(err) %s, err->Timeout() %s\n  errors::Is(err, os::ErrDeadlineExceeded) %s\n",
              yesno(gort::os::IsTimeout(e)), yesno(e && e->Timeout()),
              yesno(gort::errors::Is(e, gort::os::ErrDeadlineExceeded)));

  t0 = gort::time::Now();
  auto [n2, e2] = r->Read(b);
  took = gort::time::Since(t0);
  std::printf("Read again, the deadline past: n=%d after %.3fms\n  err %s\n", n2, ms(took), show(e2).c_str());

  // A deadline moved later while a Read waits: the armed timer is made
  // stale (rseq) and the Read goes on waiting for the new one. The other
  // goroutine moves it as soon as the Read has parked.
  t0 = gort::time::Now();
  r->SetReadDeadline(t0.Add(100 * Millisecond));
  auto moved = gort::make_chan<Duration>(1);
  gort::go([r = r, t0, moved] {
    while (runtime::netpollWaiters.Load() == 0) gort::time::Sleep(Microsecond);
    r->SetReadDeadline(gort::time::Now().Add(150 * Millisecond));
    moved.send(gort::time::Since(t0));
  });
  auto [n3, e3] = r->Read(b);
  took = gort::time::Since(t0);
  std::printf("deadline now+100ms, moved after %.3fms to +150ms: Read n=%d after %.3fms\n  err %s\n",
              ms(moved.recv()), n3, ms(took), show(e3).c_str());

  // Close wakes a waiting Read.
  r->SetReadDeadline(gort::time::Time{});
  auto res = gort::make_chan<error>(1);
  t0 = gort::time::Now();
  gort::go([r = r, b, res] {
    auto [n, e] = r->Read(b);
    res.send(e);
  });
  while (runtime::netpollWaiters.Load() == 0) gort::time::Sleep(Microsecond);
  gort::time::Sleep(20 * Millisecond);
  error ce = r->Close();
  error e4 = res.recv();
  took = gort::time::Since(t0);
  std::printf("no deadline, Close after 20ms: Close err %s, Read returned after %.3fms\n  err %s\n",
              show(ce).c_str(), ms(took), show(e4).c_str());
  std::printf("  errors::Is(err, os::ErrClosed) %s\n", yesno(gort::errors::Is(e4, gort::os::ErrClosed)));
  std::printf("Close again: %s\n", show(r->Close()).c_str());
  w->Close();
}

// 3. TCP over loopback.
static void tcp() {
  std::printf("\n== 3. TCP over loopback\n");
  auto [ln, err] = gort::net::Listen("tcp", "127.0.0.1:0");
  if (err) {
    std::printf("Listen: %s\n", err->Error().c_str());
    std::exit(1);
  }
  std::printf("Listen(\"tcp\", \"127.0.0.1:0\"): listening on %s\n", ln.Addr().String().c_str());

  // The server: accept one connection and echo what it reads, until EOF.
  auto served = gort::make_chan<std::string>(1);
  gort::go([ln = ln, served] {
    auto [c, err] = ln.Accept();
    if (err) {
      served.send("Accept: " + err->Error());
      return;
    }
    auto buf = gort::make<uint8_t>(4096);
    int64_t total = 0;
    for (;;) {
      auto [n, e] = c.Read(buf);
      if (n > 0) {
        total += n;
        c.Write(buf.sub(0, n));
      }
      if (e == gort::io::EOF_) {
        served.send("server: echoed " + std::to_string(total) + " bytes, then Read returned io::EOF_");
        break;
      }
      if (e) {
        served.send("server: Read: " + e->Error());
        break;
      }
    }
    c.Close();
  });

  auto [c, derr] = gort::net::Dial("tcp", ln.Addr().String());
  if (derr) {
    std::printf("Dial: %s\n", derr->Error().c_str());
    std::exit(1);
  }
  std::printf("Dial: connected %s -> %s\n", c.LocalAddr().String().c_str(), c.RemoteAddr().String().c_str());
  auto msg = bytes("hello, poller");
  c.Write(msg);
  auto got = gort::make<uint8_t>(64);
  int have = 0;
  while (have < len(msg)) {
    auto [n, e] = c.Read(got.sub(have, len(got)));
    if (e) break;
    have += n;
  }
  std::printf("echo: \"%s\"\n", text(got, have).c_str());

  // Round trips of one byte: the reader parks and is woken by netpoll each
  // time (the server's reader too).
  const int trips = 1000;
  std::vector<int64_t> rt(trips);
  auto one = gort::make<uint8_t>(1);
  for (int i = 0; i < trips; i++) {
    int64_t t = runtime::nanotime();
    one[0] = uint8_t(i);
    c.Write(one);
    auto [n, e] = c.Read(one);
    rt[i] = runtime::nanotime() - t;
    if (n != 1 || e) std::printf("round trip %d: n=%d err=%s\n", i, n, show(e).c_str());
  }
  std::sort(rt.begin(), rt.end());
  std::printf("%d round trips of 1 byte: median %.1fµs, max %.1fµs\n", trips, double(rt[trips / 2]) / 1e3,
              double(rt[trips - 1]) / 1e3);

  c.SetReadDeadline(gort::time::Now().Add(20 * Millisecond));
  auto [n, e] = c.Read(got);
  std::printf("SetReadDeadline(now+20ms), Read: n=%d\n  err %s\n", n, show(e).c_str());
  std::printf("  err->Timeout() %s, errors::Is(err, os::ErrDeadlineExceeded) %s\n", yesno(e && e->Timeout()),
              yesno(gort::errors::Is(e, gort::os::ErrDeadlineExceeded)));
  c.SetReadDeadline(gort::time::Time{});

  std::printf("Close: %s\n", show(c.Close()).c_str());
  auto [n2, e2] = c.Read(got);
  std::printf("Read after Close: n=%d\n  err %s\n", n2, show(e2).c_str());
  std::printf("  errors::Is(err, net::ErrClosed) %s\n", yesno(gort::errors::Is(e2, gort::net::ErrClosed)));
  std::printf("%s\n", served.recv().c_str());

  ln.Close();
  auto [c3, e3] = ln.Accept();
  std::printf("Accept after the listener's Close:\n  err %s\n", show(e3).c_str());

  // A port nobody listens on: the one a listener just gave back.
  auto [ln2, lerr] = gort::net::Listen("tcp", "127.0.0.1:0");
  if (lerr) std::exit(1);
  std::string addr = ln2.Addr().String();
  ln2.Close();
  auto [c4, e4] = gort::net::Dial("tcp", addr);
  std::printf("Dial(\"tcp\", \"%s\"), nothing listening there:\n  err %s\n", addr.c_str(), show(e4).c_str());
  std::printf("  errors::Is(err, errors::Errno(ECONNREFUSED)) %s\n",
              yesno(gort::errors::Is(e4, gort::errors::Errno(ECONNREFUSED))));
}

static void main_main() {
  std::printf("GOMAXPROCS %d\n\n", runtime::GOMAXPROCS(0));
  blockedReaders();
  deadlines();
  tcp();
}

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  raiseOpenFileLimit();
  runtime::rt0_go(argc, argv, main_main);
}
