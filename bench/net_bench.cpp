// bench/net_bench.cpp: package net's TCP benchmarks (src/net/tcpsock_test.go
// at go1.22.12) under Go's names, on IPv4 loopback. They measure the
// poller end to end: every Read and Write that would block parks its
// goroutine in netpollblock, and an M in netpoll readies it.
//
// How a Go benchmark maps onto Google Benchmark: bench/testing.hpp.
// b.Log's messages (Go logs a failed read or write and stops that
// connection) are dropped: the counts of the run say what happened.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "chan.hpp"
#include "go.hpp"
#include "net/net.hpp"
#include "runtime.hpp"
#include "slice.hpp"
#include "sync/sync.hpp"
#include "testing.hpp"
#include "time/time.hpp"

namespace {

using namespace gort_bench;
using gort::net::Conn;

constexpr int msgLen = 512;

bool sendMsg(const Conn& c, gort::slice<uint8_t> buf) {
  auto [n, err] = c.Write(buf);
  return n == gort::len(buf) && !err;
}

bool recvMsg(const Conn& c, gort::slice<uint8_t> buf) {
  for (int read = 0; read != gort::len(buf);) {
    auto [n, err] = c.Read(buf);
    read += n;
    if (err) return false;
  }
  return true;
}

// tcpsock_test.go:65 at go1.22.12 (benchmarkTCP): clients that dial, send
// a 512-byte message and read it back, against a server goroutine per
// connection; one message per connection (OneShot) or b.N/conns on
// 2*GOMAXPROCS connections (Persistent); with an hour's deadline set on
// each connection (Timeout), which never fires but arms two timers.
void benchmarkTCP(B& b, bool persistent, bool timeout, const char* laddr) {
  int64_t conns = b.N;
  int numConcurrent = runtime::GOMAXPROCS(-1) * 2;
  int64_t msgs = 1;
  if (persistent) {
    conns = numConcurrent;
    msgs = b.N / conns;
    if (msgs == 0) msgs = 1;
    if (conns > b.N) conns = b.N;
  }
  auto [ln, err] = gort::net::Listen("tcp", laddr);
  if (err) {
    b.Error(err->Error().c_str());  // Go: b.Fatal
    return;
  }
  auto serverSem = gort::make_chan<bool>(numConcurrent);
  // The acceptor.
  gort::go([ln = ln, serverSem, timeout, msgs] {
    for (;;) {
      auto [c, err] = ln.Accept();
      if (err) break;
      serverSem.send(true);
      // A server connection.
      gort::go([c = c, serverSem, timeout, msgs] {
        if (timeout) c.SetDeadline(gort::time::Now().Add(gort::time::Hour));  // never fires
        auto buf = gort::make<uint8_t>(msgLen);
        for (int64_t m = 0; m < msgs; m++) {
          if (!recvMsg(c, buf) || !sendMsg(c, buf)) break;
        }
        c.Close();
        (void)serverSem.recv();
      });
    }
  });
  auto clientSem = gort::make_chan<bool>(numConcurrent);
  std::string addr = ln.Addr().String();
  for (int64_t i = 0; i < conns; i++) {
    clientSem.send(true);
    // A client connection.
    gort::go([clientSem, addr, timeout, msgs] {
      auto [c, err] = gort::net::Dial("tcp", addr);
      if (!err) {
        if (timeout) c.SetDeadline(gort::time::Now().Add(gort::time::Hour));  // never fires
        auto buf = gort::make<uint8_t>(msgLen);
        for (int64_t m = 0; m < msgs; m++) {
          if (!sendMsg(c, buf) || !recvMsg(c, buf)) break;
        }
        c.Close();
      }
      (void)clientSem.recv();
    });
  }
  for (int i = 0; i < numConcurrent; i++) {
    clientSem.send(true);
    serverSem.send(true);
  }
  ln.Close();
}

// tcpsock_test.go:21 at go1.22.12
void BenchmarkTCP4OneShot(B& b) { benchmarkTCP(b, false, false, "127.0.0.1:0"); }
// tcpsock_test.go:25 at go1.22.12
void BenchmarkTCP4OneShotTimeout(B& b) { benchmarkTCP(b, false, true, "127.0.0.1:0"); }
// tcpsock_test.go:29 at go1.22.12
void BenchmarkTCP4Persistent(B& b) { benchmarkTCP(b, true, false, "127.0.0.1:0"); }
// tcpsock_test.go:33 at go1.22.12
void BenchmarkTCP4PersistentTimeout(B& b) { benchmarkTCP(b, true, true, "127.0.0.1:0"); }

// tcpsock_test.go:175 at go1.22.12 (benchmarkTCPConcurrentReadWrite):
// GOMAXPROCS connections, each with a client writer and reader and a
// server reader and writer joined by a channel, one byte at a time with
// some arithmetic between: reads and writes on the same connection at once.
void benchmarkTCPConcurrentReadWrite(B& b, const char* laddr) {
  b.StopTimer();
  int P = runtime::GOMAXPROCS(0);
  int64_t N = b.N / P;
  constexpr int W = 1000;

  // P client/server pairs first, in two []Conn: vectors whose buffers the
  // collector scans (gc_allocator), since they hold the only references
  // to the server connections until the goroutines below take them.
  std::vector<Conn, gort::gc_allocator<Conn>> clients(P), servers(P);
  auto [ln, err] = gort::net::Listen("tcp", laddr);
  if (err) {
    b.Error(err->Error().c_str());  // Go: b.Fatal
    return;
  }
  auto done = gort::make_chan<bool>();
  gort::go([ln = ln, &servers, &b, P, done] {
    for (int p = 0; p < P; p++) {
      auto [s, err] = ln.Accept();
      if (err) {
        b.Error(err->Error().c_str());
        return;
      }
      servers[p] = s;
    }
    done.send(true);
  });
  for (int p = 0; p < P; p++) {
    auto [c, err] = gort::net::Dial("tcp", ln.Addr().String());
    if (err) {
      b.Error(err->Error().c_str());  // Go: b.Fatal
      return;
    }
    clients[p] = c;
  }
  (void)done.recv();

  b.StartTimer();
  auto wg = std::make_shared<gort::sync::WaitGroup>();
  wg->Add(4 * P);
  for (int p = 0; p < P; p++) {
    // The client writer.
    gort::go([c = clients[p], wg, N, &b] {
      auto buf = gort::make<uint8_t>(1);
      for (int64_t i = 0; i < N; i++) {
        auto v = uint8_t(i);
        for (int w = 0; w < W; w++) v = uint8_t(v * v);
        buf[0] = v;
        if (auto [n, err] = c.Write(buf); err) {
          b.Error(err->Error().c_str());
          break;
        }
      }
      wg->Done();
    });
    // Between the server's reader and writer.
    auto pipe = gort::make_chan<uint8_t>(128);
    // The server reader.
    gort::go([s = servers[p], wg, N, pipe, &b] {
      auto buf = gort::make<uint8_t>(1);
      for (int64_t i = 0; i < N; i++) {
        if (auto [n, err] = s.Read(buf); err) {
          b.Error(err->Error().c_str());
          break;
        }
        pipe.send(buf[0]);
      }
      wg->Done();
    });
    // The server writer.
    gort::go([s = servers[p], wg, N, pipe, &b] {
      auto buf = gort::make<uint8_t>(1);
      for (int64_t i = 0; i < N; i++) {
        uint8_t v = pipe.recv();
        for (int w = 0; w < W; w++) v = uint8_t(v * v);
        buf[0] = v;
        if (auto [n, err] = s.Write(buf); err) {
          b.Error(err->Error().c_str());
          break;
        }
      }
      s.Close();
      wg->Done();
    });
    // The client reader.
    gort::go([c = clients[p], wg, N, &b] {
      auto buf = gort::make<uint8_t>(1);
      for (int64_t i = 0; i < N; i++) {
        if (auto [n, err] = c.Read(buf); err) {
          b.Error(err->Error().c_str());
          break;
        }
      }
      c.Close();
      wg->Done();
    });
  }
  wg->Wait();
  ln.Close();
}

// tcpsock_test.go:164 at go1.22.12
void BenchmarkTCP4ConcurrentReadWrite(B& b) { benchmarkTCPConcurrentReadWrite(b, "127.0.0.1:0"); }

void registerAll() {
  registerGo("BenchmarkTCP4OneShot", BenchmarkTCP4OneShot);
  registerGo("BenchmarkTCP4OneShotTimeout", BenchmarkTCP4OneShotTimeout);
  registerGo("BenchmarkTCP4Persistent", BenchmarkTCP4Persistent);
  registerGo("BenchmarkTCP4PersistentTimeout", BenchmarkTCP4PersistentTimeout);
  registerGo("BenchmarkTCP4ConcurrentReadWrite", BenchmarkTCP4ConcurrentReadWrite);
}

/// Runs registerAll during static initialization, before Google Benchmark
/// reads the registry (as the BENCHMARK macro does).
const bool registered = (registerAll(), true);

}  // namespace
