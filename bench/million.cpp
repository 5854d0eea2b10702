// bench/million.cpp: a million goroutines alive at once.
//
//   million [N]      (default N = 1000000)
//
// The main goroutine starts N goroutines. Each one counts itself as started
// and blocks receiving from one shared channel, `release`. When all N have
// started, the main goroutine closes `release`, which readies every waiter at
// once (closechan), and waits on `done`, which the last goroutine to finish
// sends to. It prints:
//   create:   time from the first go statement until all N have started
//             (and, apart, the time the loop of go statements took);
//   join:     time from the close until the last goroutine has finished;
//   peak RSS: the peak resident set (VmHWM; see peakRssKiB), and its growth
//             over the peak before the first goroutine divided by N (the memory one blocked goroutine
//             costs: its g, its stack as far as it was touched, its sudog).
// bench/compare runs the same program written in Go next to this one.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "chan.hpp"
#include "go.hpp"
#include "peakrss.hpp"
#include "runtime.hpp"

namespace {

using gort_bench::peakRssKiB;

int64_t N = 1000000;

std::atomic<int64_t> started{0};
std::atomic<int64_t> remaining{0};

void millionMain() {
  using clock = std::chrono::steady_clock;
  const int64_t base = peakRssKiB();
  auto release = gort::make_chan<gort::struct_>();
  auto done = gort::make_chan<gort::struct_>();
  remaining.store(N);

  const auto t0 = clock::now();
  for (int64_t i = 0; i < N; i++) {
    gort::go([release, done]() mutable {
      started.fetch_add(1);
      release.recv();
      if (remaining.fetch_sub(1) == 1) done.send(gort::struct_{});
    });
  }
  const auto tSpawned = clock::now();
  // Wait until every goroutine has run up to its receive. Yielding lets the
  // new goroutines run on this P too (GOMAXPROCS=1 would otherwise never
  // start them).
  while (started.load() < N) runtime::Gosched();
  const auto t1 = clock::now();
  int64_t peak = peakRssKiB();

  gort::close(release);
  done.recv();
  const auto t2 = clock::now();
  if (int64_t m = peakRssKiB(); m > peak) peak = m;

  const double createNs = std::chrono::duration<double, std::nano>(t1 - t0).count();
  const double joinNs = std::chrono::duration<double, std::nano>(t2 - t1).count();
  std::printf("million: N=%lld goroutines, GOMAXPROCS=%d\n", (long long)N,
              runtime::GOMAXPROCS(0));
  const double spawnNs = std::chrono::duration<double, std::nano>(tSpawned - t0).count();
  std::printf("create: %.1f ms (%.0f ns/goroutine; the go statements alone: %.1f ms)\n",
              createNs / 1e6, createNs / double(N), spawnNs / 1e6);
  std::printf("join:   %.1f ms (%.0f ns/goroutine)\n", joinNs / 1e6, joinNs / double(N));
  std::printf("peak RSS: %.1f MiB (%.0f bytes/goroutine over a %.1f MiB baseline)\n",
              double(peak) / 1024, double(peak - base) * 1024 / double(N), double(base) / 1024);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) {
    char* end = nullptr;
    long long v = std::strtoll(argv[1], &end, 10);
    if (end == argv[1] || *end != '\0' || v < 1) {
      std::fprintf(stderr, "usage: million [N>=1]\n");
      return 2;
    }
    N = v;
  }
  runtime::rt0_go(argc, argv, millionMain);
}
