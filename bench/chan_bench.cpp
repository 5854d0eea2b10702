// bench/chan_bench.cpp: the channel and select benchmarks of chan_test.go
// (go1.22.12), under Go's names, sub-benchmarks included
// (BenchmarkMakeChan/Struct/32).
//
// The timing model and b.RunParallel are in bench/testing.hpp.
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "chan.hpp"
#include "go.hpp"
#include "runtime.hpp"
#include "select.hpp"
#include "sync/waitgroup.hpp"
#include "testing.hpp"
#include "time/time.hpp"

namespace {

using namespace gort_bench;

// --- helpers of chan_test.go -------------------------------------------------

// chan_test.go:1210 at go1.22.12: globals the compiler cannot see through.
bool alwaysFalse = false;
int64_t workSink = 0;

/// keepLoop makes a loop counter opaque to the optimizer (no instruction is
/// emitted), so a loop whose body folds away still runs its iterations.
///
/// What the work loops cost in Go: go1.22's compiler proves that `foo` in
/// localWork and in the ProdCons loops is always 0 (0 / (0+1) and 0*2/2), folds
/// the arithmetic away and keeps an empty counting loop of w iterations
/// (`go tool objdump -s localWork` on the runtime test binary shows
/// DECQ/TESTQ/JG and no IDIV). GCC folds `foo` the same way but would then
/// delete the empty loop, so the counter goes through keepLoop: both
/// compilers run the same w-iteration empty loop.
inline void keepLoop(int& i) { asm volatile("" : "+r"(i)); }

/// chan_test.go:1214 at go1.22.12 (localWork).
void localWork(int w) {
  int64_t foo = 0;
  for (int i = 0; i < w; i++) {
    keepLoop(i);
    foo /= (foo + 1);
  }
  if (alwaysFalse) workSink += foo;
}

/// The "foo *= 2; foo /= 2" loop of the ProdCons benchmarks
/// (chan_test.go:1019 at go1.22.12).
inline void mulDivWork(int64_t& foo, int w) {
  for (int i = 0; i < w; i++) {
    keepLoop(i);
    foo *= 2;
    foo /= 2;
  }
}

// Element types of BenchmarkMakeChan: struct0 is chan_test.go's empty struct;
// struct32 and struct40 are slice_test.go's (bench/testing.hpp).
struct struct0 {};

/// The body of one BenchmarkMakeChan sub-benchmark for element type T.
template <class T>
void makeChanBody(B& b) {
  gort::chan<T> x;
  for (int64_t i = 0; i < b.N; i++) x = gort::make_chan<T>(8);
  gort::close(x);
}

// --- the benchmarks ----------------------------------------------------------

/// chan_test.go:965 at go1.22.12 (benchmarkChanSync): two goroutines hand a
/// value back and forth over one unbuffered channel, in rounds of
/// CallsPerSched, doing `work` units of localWork between operations.
void benchmarkChanSync(B& b, int work) {
  constexpr int CallsPerSched = 1000;
  constexpr int procs = 2;
  std::atomic<int32_t> N{int32_t(b.N / CallsPerSched / procs * procs)};
  auto c = gort::make_chan<bool>(procs);
  auto myc = gort::make_chan<int64_t>();
  for (int p = 0; p < procs; p++) {
    gort::go([&N, c, myc, work]() mutable {
      for (;;) {
        int32_t i = N.fetch_sub(1) - 1;
        if (i < 0) break;
        for (int g = 0; g < CallsPerSched; g++) {
          if (i % 2 == 0) {
            myc.recv();
            localWork(work);
            myc.send(0);
            localWork(work);
          } else {
            myc.send(0);
            localWork(work);
            myc.recv();
            localWork(work);
          }
        }
      }
      c.send(true);
    });
  }
  for (int p = 0; p < procs; p++) c.recv();
}

/// chan_test.go:1008 at go1.22.12 (benchmarkChanProdCons): GOMAXPROCS
/// producers and as many consumers share one channel of chanSize; each
/// producer sends in rounds of CallsPerSched and ends with a 0, which stops
/// one consumer.
void benchmarkChanProdCons(B& b, int chanSize, int localWork) {
  constexpr int CallsPerSched = 1000;
  const int procs = runtime::GOMAXPROCS(-1);
  std::atomic<int32_t> N{int32_t(b.N / CallsPerSched)};
  auto c = gort::make_chan<bool>(2 * procs);
  auto myc = gort::make_chan<int64_t>(chanSize);
  for (int p = 0; p < procs; p++) {
    gort::go([&N, c, myc, localWork]() mutable {
      int64_t foo = 0;
      while (N.fetch_sub(1) - 1 >= 0) {
        for (int g = 0; g < CallsPerSched; g++) {
          mulDivWork(foo, localWork);
          myc.send(1);
        }
      }
      myc.send(0);
      c.send(foo == 42);
    });
    gort::go([c, myc, localWork]() mutable {
      int64_t foo = 0;
      for (;;) {
        int64_t v = myc.recv();
        if (v == 0) break;
        mulDivWork(foo, localWork);
      }
      c.send(foo == 42);
    });
  }
  for (int p = 0; p < procs; p++) {
    c.recv();
    c.recv();
  }
}

void registerAll() {
  // chan_test.go:788 at go1.22.12 (BenchmarkMakeChan): make(chan T, 8) for
  // element types of several sizes; sub-benchmarks at :789, :796, :803 and
  // Struct/ at :811, :818, :825.
  registerGo("BenchmarkMakeChan/Byte", makeChanBody<uint8_t>);
  registerGo("BenchmarkMakeChan/Int", makeChanBody<int64_t>);
  registerGo("BenchmarkMakeChan/Ptr", makeChanBody<uint8_t*>);
  registerGo("BenchmarkMakeChan/Struct/0", makeChanBody<struct0>);
  registerGo("BenchmarkMakeChan/Struct/32", makeChanBody<struct32>);
  registerGo("BenchmarkMakeChan/Struct/40", makeChanBody<struct40>);

  // chan_test.go:835 at go1.22.12: a non-blocking receive that never finds
  // a value, from every P at once.
  registerGo("BenchmarkChanNonblocking", [](B& b) {
    auto myc = gort::make_chan<int64_t>();
    b.RunParallel([myc](PB& pb) {
      while (pb.Next()) gort::select({gort::recv(myc)}, gort::default_);
    });
  });

  // chan_test.go:847 at go1.22.12: each worker bounces a token between two
  // channels of its own with a two-case select.
  registerGo("BenchmarkSelectUncontended", [](B& b) {
    b.RunParallel([](PB& pb) {
      auto myc1 = gort::make_chan<int64_t>(1);
      auto myc2 = gort::make_chan<int64_t>(1);
      myc1.send(0);
      while (pb.Next()) {
        switch (gort::select({gort::recv(myc1), gort::recv(myc2)})) {
          case 0:
            myc2.send(0);
            break;
          case 1:
            myc1.send(0);
            break;
        }
      }
    });
  });

  // chan_test.go:863 at go1.22.12: every worker has a sender goroutine
  // offering on three shared unbuffered channels in one select; the workers
  // receive with a three-case select.
  registerGo("BenchmarkSelectSyncContended", [](B& b) {
    auto myc1 = gort::make_chan<int64_t>();
    auto myc2 = gort::make_chan<int64_t>();
    auto myc3 = gort::make_chan<int64_t>();
    auto done = gort::make_chan<int64_t>();
    b.RunParallel([myc1, myc2, myc3, done](PB& pb) {
      gort::go([myc1, myc2, myc3, done]() mutable {
        for (;;) {
          int i = gort::select({gort::send(myc1, int64_t(0)), gort::send(myc2, int64_t(0)),
                                gort::send(myc3, int64_t(0)), gort::recv(done)});
          if (i == 3) return;
        }
      });
      while (pb.Next()) {
        gort::select({gort::recv(myc1), gort::recv(myc2), gort::recv(myc3)});
      }
    });
    gort::close(done);
  });

  // chan_test.go:891 at go1.22.12: like SelectUncontended, but all workers
  // share the two channels (each of capacity GOMAXPROCS).
  registerGo("BenchmarkSelectAsyncContended", [](B& b) {
    const int procs = runtime::GOMAXPROCS(0);
    auto myc1 = gort::make_chan<int64_t>(procs);
    auto myc2 = gort::make_chan<int64_t>(procs);
    b.RunParallel([myc1, myc2](PB& pb) mutable {
      myc1.send(0);
      while (pb.Next()) {
        switch (gort::select({gort::recv(myc1), gort::recv(myc2)})) {
          case 0:
            myc2.send(0);
            break;
          case 1:
            myc1.send(0);
            break;
        }
      }
    });
  });

  // chan_test.go:908 at go1.22.12: four selects with default, each of which
  // finds its channel not ready (nothing to receive, no receiver, empty
  // buffer, full buffer after the first send).
  registerGo("BenchmarkSelectNonblock", [](B& b) {
    auto myc1 = gort::make_chan<int64_t>();
    auto myc2 = gort::make_chan<int64_t>();
    auto myc3 = gort::make_chan<int64_t>(1);
    auto myc4 = gort::make_chan<int64_t>(1);
    b.RunParallel([myc1, myc2, myc3, myc4](PB& pb) {
      while (pb.Next()) {
        gort::select({gort::recv(myc1)}, gort::default_);
        gort::select({gort::send(myc2, int64_t(0))}, gort::default_);
        gort::select({gort::recv(myc3)}, gort::default_);
        gort::select({gort::send(myc4, int64_t(0))}, gort::default_);
      }
    });
  });

  // chan_test.go:935 at go1.22.12: each worker fills and drains a channel of
  // its own, C values per iteration.
  registerGo("BenchmarkChanUncontended", [](B& b) {
    constexpr int C = 100;
    b.RunParallel([](PB& pb) {
      auto myc = gort::make_chan<int64_t>(C);
      while (pb.Next()) {
        for (int i = 0; i < C; i++) myc.send(0);
        for (int i = 0; i < C; i++) myc.recv();
      }
    });
  });

  // chan_test.go:950 at go1.22.12: the same, all workers on one channel.
  registerGo("BenchmarkChanContended", [](B& b) {
    constexpr int C = 100;
    auto myc = gort::make_chan<int64_t>(C * runtime::GOMAXPROCS(0));
    b.RunParallel([myc](PB& pb) mutable {
      while (pb.Next()) {
        for (int i = 0; i < C; i++) myc.send(0);
        for (int i = 0; i < C; i++) myc.recv();
      }
    });
  });

  // chan_test.go:1000 and :1004 at go1.22.12.
  registerGo("BenchmarkChanSync", [](B& b) { benchmarkChanSync(b, 0); });
  registerGo("BenchmarkChanSyncWork", [](B& b) { benchmarkChanSync(b, 1000); });

  // chan_test.go:1050 to :1070 at go1.22.12.
  registerGo("BenchmarkChanProdCons0", [](B& b) { benchmarkChanProdCons(b, 0, 0); });
  registerGo("BenchmarkChanProdCons10", [](B& b) { benchmarkChanProdCons(b, 10, 0); });
  registerGo("BenchmarkChanProdCons100", [](B& b) { benchmarkChanProdCons(b, 100, 0); });
  registerGo("BenchmarkChanProdConsWork0", [](B& b) { benchmarkChanProdCons(b, 0, 100); });
  registerGo("BenchmarkChanProdConsWork10", [](B& b) { benchmarkChanProdCons(b, 10, 100); });
  registerGo("BenchmarkChanProdConsWork100", [](B& b) { benchmarkChanProdCons(b, 100, 100); });

  // chan_test.go:1074 at go1.22.12: ProdConsWork100 with every send and
  // receive in a three-case select (see the Departure at the top for the
  // timer channel).
  registerGo("BenchmarkSelectProdCons", [](B& b) {
    constexpr int CallsPerSched = 1000;
    const int procs = runtime::GOMAXPROCS(-1);
    std::atomic<int32_t> N{int32_t(b.N / CallsPerSched)};
    auto c = gort::make_chan<bool>(2 * procs);
    auto myc = gort::make_chan<int64_t>(128);
    auto myclose = gort::make_chan<bool>();
    for (int p = 0; p < procs; p++) {
      // Producer.
      gort::go([&N, c, myc, myclose]() mutable {
        int64_t foo = 0;
        auto mytimer = gort::time::After(gort::time::Hour);  // not to fire while it runs
        while (N.fetch_sub(1) - 1 >= 0) {
          for (int g = 0; g < CallsPerSched; g++) {
            mulDivWork(foo, 100);
            gort::select({gort::send(myc, int64_t(1)), gort::recv(mytimer), gort::recv(myclose)});
          }
        }
        myc.send(0);
        c.send(foo == 42);
      });
      // Consumer.
      gort::go([c, myc, myclose]() mutable {
        int64_t foo = 0;
        auto mytimer = gort::time::After(gort::time::Hour);  // not to fire while it runs
        int64_t v;
        for (;;) {
          int i = gort::select({gort::recv(myc, &v), gort::recv(mytimer), gort::recv(myclose)});
          if (i == 0 && v == 0) break;
          mulDivWork(foo, 100);
        }
        c.send(foo == 42);
      });
    }
    for (int p = 0; p < procs; p++) {
      c.recv();
      c.recv();
    }
  });

  // chan_test.go:1134 at go1.22.12: a for-range over a closed channel whose
  // buffer holds b.N empty values.
  registerGo("BenchmarkReceiveDataFromClosedChan", [](B& b) {
    const int64_t count = b.N;
    auto ch = gort::make_chan<gort::struct_>(count);
    for (int64_t i = 0; i < count; i++) ch.send(gort::struct_{});
    gort::close(ch);
    b.ResetTimer();
    for (gort::struct_ v : ch) (void)v;
  });

  // chan_test.go:1147 at go1.22.12: make, send and receive on a fresh
  // channel per iteration, on every P.
  registerGo("BenchmarkChanCreation", [](B& b) {
    b.RunParallel([](PB& pb) {
      while (pb.Next()) {
        auto myc = gort::make_chan<int64_t>(1);
        myc.send(0);
        myc.recv();
      }
    });
  });

  // chan_test.go:1157 at go1.22.12: a channel of empty values used as a
  // counting semaphore of GOMAXPROCS slots.
  registerGo("BenchmarkChanSem", [](B& b) {
    using Empty = gort::struct_;
    auto myc = gort::make_chan<Empty>(runtime::GOMAXPROCS(0));
    b.RunParallel([myc](PB& pb) mutable {
      while (pb.Next()) {
        myc.send(Empty{});
        myc.recv();
      }
    });
  });

  // chan_test.go:1168 at go1.22.12: n goroutines each wait in a select on
  // one channel shared by all (never ready) and one of their own, which the
  // benchmark sends to in turn; a select on a channel many goroutines wait
  // on. wg is shared_ptr-held: the last Done may still be running when Wait
  // returns and the benchmark function ends.
  registerGo("BenchmarkChanPopular", [](B& b) {
    constexpr int n = 1000;
    auto c = gort::make_chan<bool>();
    std::vector<gort::chan<bool>, gort::gc_allocator<gort::chan<bool>>> a;  // seen by the collector
    auto wg = std::make_shared<gort::sync::WaitGroup>();
    wg->Add(n);
    const int64_t N = b.N;
    for (int j = 0; j < n; j++) {
      auto d = gort::make_chan<bool>();
      a.push_back(d);
      gort::go([c, d, wg, N]() mutable {
        for (int64_t i = 0; i < N; i++) gort::select({gort::recv(c), gort::recv(d)});
        wg->Done();
      });
    }
    for (int64_t i = 0; i < N; i++) {
      for (auto& d : a) d.send(true);
    }
    wg->Wait();
  });

  // chan_test.go:1195 at go1.22.12: a select with default on a closed
  // channel, which must always take the receive.
  registerGo("BenchmarkChanClosed", [](B& b) {
    auto c = gort::make_chan<gort::struct_>();
    gort::close(c);
    b.RunParallel([c, &b](PB& pb) {
      while (pb.Next()) {
        if (gort::select({gort::recv(c)}, gort::default_) != 0) b.Error("Unreachable");
      }
    });
  });
}

/// Runs registerAll during static initialization, before Google Benchmark
/// reads the registry (as the BENCHMARK macro does).
const bool registered = (registerAll(), true);

}  // namespace
