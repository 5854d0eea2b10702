// metrics_test.cpp: the tests of go1.22.12 runtime/metrics_test.go that the
// port runs, translated test by test; each TEST_CASE has Go's name and cites
// the line of Go's func. They read package metrics (metrics/) and check it
// against ReadMemStats with the world stopped (TestReadMetrics), against
// itself (TestReadMetricsConsistency), over time (TestReadMetricsCumulative)
// for one overflow (TestMetricHeapUnusedLargeObjectOverflow), that a
// goroutine blocked on a sync lock counts as mutex wait time
// (TestMutexWaitTimeMetric) and that a sleep counts as idle time
// (TestCPUMetricsSleep).
//
// What the port leaves out, as metrics.cpp does not support the metric:
// the check of /cgo/go-to-c-calls:calls; and TestRuntimeLockMetricsAndProfile,
// which needs the mutex profile; see tests/inventory.
//
// Translation rules: t.Errorf is a CHECK with Go's message as INFO;
// t.Fatalf a REQUIRE.
#include <array>
#include <catch2/catch_test_macros.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "debug/garbage.hpp"
#include "export_test.hpp"
#include "go.hpp"
#include "metrics.hpp"
#include "metrics/metrics.hpp"
#include "metrics_samples.hpp"
#include "runtime.hpp"
#include "sync/sync.hpp"
#include "time/sleep.hpp"
#include "time/time.hpp"

namespace {

using gort::metrics::Description;
using gort::metrics::Float64Histogram;
using gort::metrics::Sample;

using metrics_test::prepareAllMetricsSamples;
using metrics_test::samples_t;

// metrics_test.go:559 at go1.22.12
bool withinEpsilon(double v1, double v2, double e) { return v2 - v2 * e <= v1 && v1 <= v2 + v2 * e; }

// debug.SetMemoryLimit(n), undone at the end of the scope.
struct memoryLimitGuard {
  int64_t old;
  explicit memoryLimitGuard(int64_t n) : old(gort::debug::SetMemoryLimit(n)) {}
  ~memoryLimitGuard() { gort::debug::SetMemoryLimit(old); }
};

}  // namespace

// metrics_test.go:41 at go1.22.12
TEST_CASE("TestReadMetrics", "[metrics_test.go]") {
  // A collection first, so that the collector's figures are not zero.
  runtime::GC();

  // A memory limit and a GOGC to find again in the metrics.
  int64_t limit = 512 * 1024 * 1024;
  memoryLimitGuard restoreLimit(limit);
  int gcPercent = 99;
  gort_test::GCPercentGuard restorePercent(gcPercent);

  // Read the metrics and MemStats with the world stopped: they must agree.
  runtime::MemStats mstats{};
  auto [descs, samples] = prepareAllMetricsSamples();
  runtime::ReadMetricsSlow(&mstats, reinterpret_cast<runtime::metricSample*>(samples.data()),
                             int(samples.size()), int(samples.capacity()));

  auto checkUint64 = [](std::string_view m, uint64_t got, uint64_t want) {
    INFO("metric " << m << ": got " << got << ", want " << want);
    CHECK(got == want);
  };

  Float64Histogram *allocsBySize = nullptr, *gcPauses = nullptr, *schedPausesTotalGC = nullptr;
  uint64_t tinyAllocs = 0, mallocs = 0, frees = 0;
  // Each size-class histogram against MemStats.BySize, which skips class 0
  // (always empty, and not a bucket of the histogram).
  auto checkBySize = [&mstats](Float64Histogram* hist, bool allocs) {
    for (size_t i = 1; i < sizeof(mstats.BySize) / sizeof(mstats.BySize[0]); i++) {
      const auto& sc = mstats.BySize[i];
      double b = hist->Buckets[int(i)], s = double(sc.Size + 1);
      if (b != s) {
        FAIL_CHECK("bucket does not match size class: got " << b << ", want " << s);
        continue;
      }
      uint64_t c = hist->Counts[int(i - 1)], m = allocs ? sc.Mallocs : sc.Frees;
      INFO("histogram counts do not match BySize for class " << i - 1 << ": got " << c << ", want " << m);
      CHECK(c == m);
    }
  };
  for (Sample& s : samples) {
    std::string_view name = s.Name;
    const gort::metrics::Value& v = s.Value;
    if (name == "/memory/classes/heap/free:bytes") {
      checkUint64(name, v.Uint64(), mstats.HeapIdle - mstats.HeapReleased);
    } else if (name == "/memory/classes/heap/released:bytes") {
      checkUint64(name, v.Uint64(), mstats.HeapReleased);
    } else if (name == "/memory/classes/heap/objects:bytes") {
      checkUint64(name, v.Uint64(), mstats.HeapAlloc);
    } else if (name == "/memory/classes/heap/unused:bytes") {
      checkUint64(name, v.Uint64(), mstats.HeapInuse - mstats.HeapAlloc);
    } else if (name == "/memory/classes/heap/stacks:bytes") {
      checkUint64(name, v.Uint64(), mstats.StackInuse);
    } else if (name == "/memory/classes/metadata/mcache/free:bytes") {
      checkUint64(name, v.Uint64(), mstats.MCacheSys - mstats.MCacheInuse);
    } else if (name == "/memory/classes/metadata/mcache/inuse:bytes") {
      checkUint64(name, v.Uint64(), mstats.MCacheInuse);
    } else if (name == "/memory/classes/metadata/mspan/free:bytes") {
      checkUint64(name, v.Uint64(), mstats.MSpanSys - mstats.MSpanInuse);
    } else if (name == "/memory/classes/metadata/mspan/inuse:bytes") {
      checkUint64(name, v.Uint64(), mstats.MSpanInuse);
    } else if (name == "/memory/classes/metadata/other:bytes") {
      checkUint64(name, v.Uint64(), mstats.GCSys);
    } else if (name == "/memory/classes/os-stacks:bytes") {
      checkUint64(name, v.Uint64(), mstats.StackSys - mstats.StackInuse);
    } else if (name == "/memory/classes/other:bytes") {
      checkUint64(name, v.Uint64(), mstats.OtherSys);
    } else if (name == "/memory/classes/profiling/buckets:bytes") {
      checkUint64(name, v.Uint64(), mstats.BuckHashSys);
    } else if (name == "/memory/classes/total:bytes") {
      checkUint64(name, v.Uint64(), mstats.Sys);
    } else if (name == "/gc/heap/allocs-by-size:bytes") {
      checkBySize(v.Float64Histogram(), true);
      allocsBySize = v.Float64Histogram();
    } else if (name == "/gc/heap/allocs:bytes") {
      checkUint64(name, v.Uint64(), mstats.TotalAlloc);
    } else if (name == "/gc/heap/frees-by-size:bytes") {
      checkBySize(v.Float64Histogram(), false);
    } else if (name == "/gc/heap/frees:bytes") {
      checkUint64(name, v.Uint64(), mstats.TotalAlloc - mstats.HeapAlloc);
    } else if (name == "/gc/heap/tiny/allocs:objects") {
      // MemStats counts a tiny allocation in both Mallocs and Frees (so that
      // their difference is still the live objects), and has no count of
      // large objects: checked below, through the allocs-by-size histogram.
      tinyAllocs = v.Uint64();
    } else if (name == "/gc/heap/allocs:objects") {
      mallocs = v.Uint64();
    } else if (name == "/gc/heap/frees:objects") {
      frees = v.Uint64();
    } else if (name == "/gc/heap/live:bytes") {
      // Marking counts some objects twice, so live is no exact figure;
      // it can still not exceed the heap mapped, nor be 0 after a GC.
      uint64_t live = v.Uint64();
      INFO("live bytes: " << live << " > heap sys: " << mstats.HeapSys);
      CHECK(live <= mstats.HeapSys);
      INFO("live bytes is 0");
      CHECK(live != 0);
    } else if (name == "/gc/gomemlimit:bytes") {
      checkUint64(name, v.Uint64(), uint64_t(limit));
    } else if (name == "/gc/heap/objects:objects") {
      checkUint64(name, v.Uint64(), mstats.HeapObjects);
    } else if (name == "/gc/heap/goal:bytes") {
      checkUint64(name, v.Uint64(), mstats.NextGC);
    } else if (name == "/gc/gogc:percent") {
      checkUint64(name, v.Uint64(), uint64_t(gcPercent));
    } else if (name == "/gc/cycles/automatic:gc-cycles") {
      checkUint64(name, v.Uint64(), uint64_t(mstats.NumGC - mstats.NumForcedGC));
    } else if (name == "/gc/cycles/forced:gc-cycles") {
      checkUint64(name, v.Uint64(), uint64_t(mstats.NumForcedGC));
    } else if (name == "/gc/cycles/total:gc-cycles") {
      checkUint64(name, v.Uint64(), uint64_t(mstats.NumGC));
    } else if (name == "/gc/pauses:seconds") {
      gcPauses = v.Float64Histogram();
    } else if (name == "/sched/pauses/total/gc:seconds") {
      schedPausesTotalGC = v.Float64Histogram();
    }
  }

  // The tiny allocations: MemStats' mallocs less the non-tiny ones.
  REQUIRE(allocsBySize != nullptr);
  uint64_t nonTinyAllocs = 0;
  for (uint64_t c : allocsBySize->Counts) nonTinyAllocs += c;
  checkUint64("/gc/heap/tiny/allocs:objects", tinyAllocs, mstats.Mallocs - nonTinyAllocs);

  // The object counts, less the tiny allocations MemStats adds to both.
  checkUint64("/gc/heap/allocs:objects", mallocs, mstats.Mallocs - tinyAllocs);
  checkUint64("/gc/heap/frees:objects", frees, mstats.Frees - tinyAllocs);

  // /gc/pauses:seconds is a copy of /sched/pauses/total/gc:seconds.
  REQUIRE(gcPauses != nullptr);
  REQUIRE(schedPausesTotalGC != nullptr);
  auto same = [](const auto& a, const auto& b) {
    if (a.len != b.len) return false;
    for (int i = 0; i < a.len; i++) {
      if (a[i] != b[i]) return false;
    }
    return true;
  };
  {
    INFO("/gc/pauses:seconds buckets do not match /sched/pauses/total/gc:seconds buckets");
    CHECK(same(gcPauses->Buckets, schedPausesTotalGC->Buckets));
  }
  {
    INFO("/gc/pauses:seconds counts do not match /sched/pauses/total/gc:seconds counts");
    CHECK(same(gcPauses->Counts, schedPausesTotalGC->Counts));
  }
}

// metrics_test.go:211 at go1.22.12
TEST_CASE("TestReadMetricsConsistency", "[metrics_test.go]") {
  // Many Ps for a moment, so that some are idle.
  //
  // Departure: Go collects three times first and then does this. But idle
  // time reaches the CPU classes only at a collection (the limiter gathers
  // it at each GC transition, and mark termination takes the snapshot the
  // metrics read), so the idle Ps made after the last collection are not
  // seen, and the check for idle time rests on idleness earlier in the
  // process. Go's own test fails that check in 2 of 5 runs started with
  // GOMAXPROCS=1 (go1.22.12, `GOMAXPROCS=1 runtime.test -test.run
  // TestReadMetricsConsistency -test.cpu 1`); so does the port's, in every
  // run of this test alone at GOMAXPROCS=1. The port makes the idle Ps
  // before the collections, which then count them.
  int oldmaxprocs = runtime::GOMAXPROCS(10);
  gort::time::Sleep(gort::time::Millisecond);
  runtime::GOMAXPROCS(oldmaxprocs);

  // Some collections, so that the collector's figures are not zero.
  runtime::GC();
  runtime::GC();
  runtime::GC();

  // Read every supported metric through package metrics.
  auto [descs, samples] = prepareAllMetricsSamples();
  gort::metrics::Read(samples);

  struct {
    uint64_t got = 0, want = 0;
  } totalVirtual, totalScan;
  struct {
    Float64Histogram *alloc = nullptr, *free = nullptr;
    uint64_t allocs = 0, frees = 0;
    uint64_t allocdBytes = 0, freedBytes = 0;
    uint64_t total = 0, totalBytes = 0;
  } objects;
  struct {
    uint64_t numGC = 0;
    uint64_t pauses = 0;
  } gc;
  struct {
    double gcAssist = 0, gcDedicated = 0, gcIdle = 0, gcPause = 0, gcTotal = 0;
    double idle = 0, user = 0;
    double scavengeAssist = 0, scavengeBg = 0, scavengeTotal = 0;
    double total = 0;
  } cpu;
  for (Sample& s : samples) {
    std::string_view name = s.Name;
    const gort::metrics::Value& v = s.Value;
    auto kind = v.Kind();
    if (auto want = descs[name].Kind; kind != want) {
      FAIL_CHECK("supported metric " << name << " has unexpected kind: got " << kind << ", want " << want);
      continue;
    }
    if (name != "/memory/classes/total:bytes" && name.starts_with("/memory/classes")) {
      uint64_t x = v.Uint64();
      totalVirtual.want += x;
      // None of these is ever this big: a negative figure gone round.
      INFO(name << " has high/negative value: " << x);
      CHECK(int64_t(x) >= 0);
    }
    if (name == "/cpu/classes/gc/mark/assist:cpu-seconds") {
      cpu.gcAssist = v.Float64();
    } else if (name == "/cpu/classes/gc/mark/dedicated:cpu-seconds") {
      cpu.gcDedicated = v.Float64();
    } else if (name == "/cpu/classes/gc/mark/idle:cpu-seconds") {
      cpu.gcIdle = v.Float64();
    } else if (name == "/cpu/classes/gc/pause:cpu-seconds") {
      cpu.gcPause = v.Float64();
    } else if (name == "/cpu/classes/gc/total:cpu-seconds") {
      cpu.gcTotal = v.Float64();
    } else if (name == "/cpu/classes/idle:cpu-seconds") {
      cpu.idle = v.Float64();
    } else if (name == "/cpu/classes/scavenge/assist:cpu-seconds") {
      cpu.scavengeAssist = v.Float64();
    } else if (name == "/cpu/classes/scavenge/background:cpu-seconds") {
      cpu.scavengeBg = v.Float64();
    } else if (name == "/cpu/classes/scavenge/total:cpu-seconds") {
      cpu.scavengeTotal = v.Float64();
    } else if (name == "/cpu/classes/total:cpu-seconds") {
      cpu.total = v.Float64();
    } else if (name == "/cpu/classes/user:cpu-seconds") {
      cpu.user = v.Float64();
    } else if (name == "/memory/classes/total:bytes") {
      totalVirtual.got = v.Uint64();
    } else if (name == "/memory/classes/heap/objects:bytes") {
      objects.totalBytes = v.Uint64();
    } else if (name == "/gc/heap/objects:objects") {
      objects.total = v.Uint64();
    } else if (name == "/gc/heap/allocs:bytes") {
      objects.allocdBytes = v.Uint64();
    } else if (name == "/gc/heap/allocs:objects") {
      objects.allocs = v.Uint64();
    } else if (name == "/gc/heap/allocs-by-size:bytes") {
      objects.alloc = v.Float64Histogram();
    } else if (name == "/gc/heap/frees:bytes") {
      objects.freedBytes = v.Uint64();
    } else if (name == "/gc/heap/frees:objects") {
      objects.frees = v.Uint64();
    } else if (name == "/gc/heap/frees-by-size:bytes") {
      objects.free = v.Float64Histogram();
    } else if (name == "/gc/cycles:gc-cycles") {
      // (No metric has this name, in Go or here: gc.numGC stays 0.)
      gc.numGC = v.Uint64();
    } else if (name == "/gc/pauses:seconds") {
      gc.pauses = 0;
      for (uint64_t c : v.Float64Histogram()->Counts) gc.pauses += c;
    } else if (name == "/gc/scan/heap:bytes" || name == "/gc/scan/globals:bytes" || name == "/gc/scan/stack:bytes") {
      totalScan.want += v.Uint64();
    } else if (name == "/gc/scan/total:bytes") {
      totalScan.got = v.Uint64();
    } else if (name == "/sched/gomaxprocs:threads") {
      uint64_t got = v.Uint64(), want = uint64_t(runtime::GOMAXPROCS(-1));
      INFO("gomaxprocs doesn't match runtime.GOMAXPROCS: got " << got << ", want " << want);
      CHECK(got == want);
    } else if (name == "/sched/goroutines:goroutines") {
      INFO("number of goroutines is less than one");
      CHECK(v.Uint64() >= 1);
    }
  }
  // The CPU classes (Go checks them on Linux only, for its fine clock).
  INFO("cpu: assist " << cpu.gcAssist << " dedicated " << cpu.gcDedicated << " idle " << cpu.gcIdle << " pause "
                      << cpu.gcPause << " total " << cpu.gcTotal << " idle " << cpu.idle << " user " << cpu.user
                      << " scavenge " << cpu.scavengeAssist << "+" << cpu.scavengeBg << "=" << cpu.scavengeTotal
                      << " all " << cpu.total);
  CHECK((cpu.gcDedicated > 0 || cpu.gcAssist > 0 || cpu.gcIdle > 0));  // found no time spent on GC work
  CHECK(cpu.gcPause > 0);                                                // found no GC pauses
  CHECK(cpu.idle > 0);                                                   // found no idle time
  // calculated total GC CPU not within 1% of sampled total
  CHECK(withinEpsilon(cpu.gcTotal, cpu.gcDedicated + cpu.gcAssist + cpu.gcIdle + cpu.gcPause, 0.01));
  // calculated total scavenge CPU not within 1% of sampled total
  CHECK(withinEpsilon(cpu.scavengeTotal, cpu.scavengeAssist + cpu.scavengeBg, 0.01));
  CHECK(cpu.total > 0);  // found no total CPU time passed
  CHECK(cpu.user > 0);   // found no user time passed
  // calculated total CPU not within 2% of sampled total
  CHECK(withinEpsilon(cpu.total, cpu.gcTotal + cpu.scavengeTotal + cpu.user + cpu.idle, 0.02));

  {
    INFO("\"/memory/classes/total:bytes\" does not match sum of /memory/classes/**: got " << totalVirtual.got
                                                                                           << ", want " << totalVirtual.want);
    CHECK(totalVirtual.got == totalVirtual.want);
  }
  {
    INFO("mismatch between object alloc/free tallies and total");
    CHECK(objects.allocs - objects.frees == objects.total);
    CHECK(objects.allocdBytes - objects.freedBytes == objects.totalBytes);
  }
  REQUIRE(objects.alloc != nullptr);
  REQUIRE(objects.free != nullptr);
  CHECK(objects.alloc->Buckets.len == objects.alloc->Counts.len + 1);  // allocs-by-size has wrong bucket or counts length
  CHECK(objects.free->Buckets.len == objects.free->Counts.len + 1);    // frees-by-size has wrong bucket or counts length
  REQUIRE(objects.alloc->Buckets.len == objects.free->Buckets.len);  // allocs-by-size and frees-by-size buckets don't match in length
  REQUIRE(objects.alloc->Counts.len == objects.free->Counts.len);  // allocs-by-size and frees-by-size counts don't match in length
  bool failed = false;
  for (int i = 0; i < objects.alloc->Buckets.len; i++) {
    double ba = objects.alloc->Buckets[i], bf = objects.free->Buckets[i];
    if (ba != bf) {
      FAIL_CHECK("bucket " << i << " is different for alloc and free hists: " << ba << " != " << bf);
      failed = true;
    }
  }
  if (!failed) {
    uint64_t gotAlloc = 0, gotFree = 0;
    uint64_t want = objects.total;
    for (int i = 0; i < objects.alloc->Counts.len; i++) {
      if (objects.alloc->Counts[i] < objects.free->Counts[i]) {
        FAIL_CHECK("found more allocs than frees in object dist bucket " << i);
        continue;
      }
      gotAlloc += objects.alloc->Counts[i];
      gotFree += objects.free->Counts[i];
    }
    INFO("object distribution counts: allocs " << gotAlloc << " frees " << gotFree << ", live " << want
                                               << ", total allocs " << objects.allocs << ", total frees "
                                               << objects.frees);
    CHECK(gotAlloc - gotFree == want);
    CHECK(gotAlloc == objects.allocs);
    CHECK(gotFree == objects.frees);
  }
  // At least two pauses per cycle (as in Go, gc.numGC is 0: see above).
  INFO("fewer pauses than expected: got " << gc.pauses << ", want at least " << gc.numGC * 2);
  CHECK(gc.pauses >= gc.numGC * 2);
  INFO("scannable GC space is empty: " << totalScan.got);
  CHECK(totalScan.got > 0);
  INFO("/gc/scan/total:bytes doesn't line up with sum of /gc/scan*: total " << totalScan.got << " vs. sum "
                                                                             << totalScan.want);
  CHECK(totalScan.got == totalScan.want);
}

namespace {
// metrics_test.go's readMetricsSink: somewhere for the noise's allocations
// to go (Go: [1024]interface{}).
gort::slice<uint8_t> readMetricsSink[1024];
}  // namespace

// metrics_test.go:476 at go1.22.12
TEST_CASE("TestReadMetricsCumulative", "[metrics_test.go]") {
  // The metrics described as cumulative.
  auto descs = gort::metrics::All();
  samples_t samples[2] = {samples_t(descs.size()), samples_t(descs.size())};
  size_t total = 0;
  for (size_t i = 0; i < descs.size(); i++) {
    if (!descs[i].Cumulative) continue;
    samples[0][total].Name = descs[i].Name;
    total++;
  }
  samples[0].resize(total);
  samples[1].resize(total);
  for (size_t i = 0; i < total; i++) samples[1][i].Name = samples[0][i].Name;

  // Noise in the background: allocation and collections.
  gort::sync::WaitGroup wg;
  wg.Add(1);
  gort::chan<gort::struct_> done = gort::make_chan<gort::struct_>();
  gort::go([&wg, done] {
    gort::deferred d{[&wg] { wg.Done(); }};
    for (;;) {
      for (auto& sink : readMetricsSink) {
        sink = gort::make<uint8_t>(1024);
        switch (gort::select({gort::recv(done)}, gort::default_)) {
          case 0:
            return;
          default:
            break;
        }
      }
      runtime::GC();
    }
  });

  auto sum = [](const gort::slice<uint64_t>& us) {
    uint64_t total = 0;
    for (uint64_t u : us) total += u;
    return total;
  };

  // The first generation.
  gort::metrics::Read(samples[0]);

  // Each metric only ever grows.
  for (int gen = 1; gen < 10; gen++) {
    gort::metrics::Read(samples[gen % 2]);
    for (size_t i = 0; i < total; i++) {
      std::string_view name = samples[gen % 2][i].Name;
      const auto& vNew = samples[gen % 2][i].Value;
      const auto& vOld = samples[1 - gen % 2][i].Value;
      switch (vNew.Kind()) {
        case gort::metrics::KindUint64: {
          INFO(name << " decreased: " << vNew.Uint64() << " < " << vOld.Uint64());
          CHECK(vNew.Uint64() >= vOld.Uint64());
          break;
        }
        case gort::metrics::KindFloat64: {
          INFO(name << " decreased: " << vNew.Float64() << " < " << vOld.Float64());
          CHECK(vNew.Float64() >= vOld.Float64());
          break;
        }
        case gort::metrics::KindFloat64Histogram: {
          uint64_t nw = sum(vNew.Float64Histogram()->Counts), old = sum(vOld.Float64Histogram()->Counts);
          INFO(name << " counts decreased: " << nw << " < " << old);
          CHECK(nw >= old);
          break;
        }
        default:
          break;
      }
    }
  }
  gort::close(done);
  wg.Wait();
}

namespace {

// locker2 represents an API surface of two concurrent goroutines
// locking the same resource, but through different APIs: two Lock calls,
// or an RLock and a Lock (metrics_test.go:590; an interface there).
struct locker2 {
  virtual ~locker2() = default;
  virtual void Lock1() = 0;
  virtual void Unlock1() = 0;
  virtual void Lock2() = 0;
  virtual void Unlock2() = 0;
};

// metrics_test.go:601
struct mutex : locker2 {
  gort::sync::Mutex mu;
  void Lock1() override { mu.Lock(); }
  void Unlock1() override { mu.Unlock(); }
  void Lock2() override { mu.Lock(); }
  void Unlock2() override { mu.Unlock(); }
};

// metrics_test.go:610
struct rwmutexWrite : locker2 {
  gort::sync::RWMutex mu;
  void Lock1() override { mu.Lock(); }
  void Unlock1() override { mu.Unlock(); }
  void Lock2() override { mu.Lock(); }
  void Unlock2() override { mu.Unlock(); }
};

// metrics_test.go:619
struct rwmutexReadWrite : locker2 {
  gort::sync::RWMutex mu;
  void Lock1() override { mu.RLock(); }
  void Unlock1() override { mu.RUnlock(); }
  void Lock2() override { mu.Lock(); }
  void Unlock2() override { mu.Unlock(); }
};

// metrics_test.go:628
struct rwmutexWriteRead : locker2 {
  gort::sync::RWMutex mu;
  void Lock1() override { mu.Lock(); }
  void Unlock1() override { mu.Unlock(); }
  void Lock2() override { mu.RLock(); }
  void Unlock2() override { mu.RUnlock(); }
};

// metrics_test.go:641 at go1.22.12: a goroutine blocks on mu for at least
// blockTime; returns blockTime, the least the metric must grow by.
int64_t generateMutexWaitTime(const std::shared_ptr<locker2>& mu) {
  // Set up the runtime to always track casgstatus transitions for metrics.
  runtime::SetCasGStatusAlwaysTrack(true);

  mu->Lock1();

  // Start up a goroutine to wait on the lock.
  auto gc = gort::make_chan<runtime::g*>();
  auto done = gort::make_chan<bool>();
  gort::go([mu, gc, done] {
    gc.send(runtime::Getg());
    for (;;) {
      mu->Lock2();
      mu->Unlock2();
      if (done.recv()) return;
    }
  });
  runtime::g* gp = gc.recv();

  // Set the block time high enough so that it will always show up, even
  // on systems with coarse timer granularity.
  const int64_t blockTime = 100 * gort::time::Millisecond;

  // Make sure the goroutine spawned above actually blocks on the lock.
  while (!runtime::GIsWaitingOnMutex(gp)) runtime::Gosched();

  // Let some amount of time pass.
  gort::time::Sleep(blockTime);

  // Let the other goroutine acquire the lock.
  mu->Unlock1();
  done.send(true);

  // Reset flag.
  runtime::SetCasGStatusAlwaysTrack(false);
  return blockTime;
}

}  // namespace

// metrics_test.go:563 at go1.22.12
TEST_CASE("TestMutexWaitTimeMetric", "[metrics_test.go]") {
  std::vector<gort::metrics::Sample> sample(1);
  sample[0].Name = "/sync/mutex/wait/total:seconds";

  std::pair<const char*, std::shared_ptr<locker2>> locks[] = {
      {"mutex", std::make_shared<mutex>()},
      {"rwmutexWrite", std::make_shared<rwmutexWrite>()},
      {"rwmutexReadWrite", std::make_shared<rwmutexReadWrite>()},
      {"rwmutexWriteRead", std::make_shared<rwmutexWriteRead>()},
  };
  for (auto& [name, lock] : locks) {
    SECTION(name) {
      gort::metrics::Read(sample);
      auto before = int64_t(sample[0].Value.Float64() * 1e9);

      int64_t minMutexWaitTime = generateMutexWaitTime(lock);

      gort::metrics::Read(sample);
      auto after = int64_t(sample[0].Value.Float64() * 1e9);

      int64_t wt = after - before;
      INFO("too little mutex wait time: got " << wt << " ns, want " << minMutexWaitTime << " ns");
      CHECK(wt >= minMutexWaitTime);
    }
  }
}

// metrics_test.go:688 at go1.22.12
TEST_CASE("TestCPUMetricsSleep", "[metrics_test.go]") {
  const char* names[] = {
      "/cpu/classes/idle:cpu-seconds",

      "/cpu/classes/gc/mark/assist:cpu-seconds",
      "/cpu/classes/gc/mark/dedicated:cpu-seconds",
      "/cpu/classes/gc/mark/idle:cpu-seconds",
      "/cpu/classes/gc/pause:cpu-seconds",
      "/cpu/classes/gc/total:cpu-seconds",
      "/cpu/classes/scavenge/assist:cpu-seconds",
      "/cpu/classes/scavenge/background:cpu-seconds",
      "/cpu/classes/scavenge/total:cpu-seconds",
      "/cpu/classes/total:cpu-seconds",
      "/cpu/classes/user:cpu-seconds",
  };
  constexpr size_t n = sizeof(names) / sizeof(names[0]);
  auto prep = [&names] {
    std::array<Sample, n> mm{};
    for (size_t i = 0; i < n; i++) mm[i].Name = names[i];
    return mm;
  };
  std::array<Sample, n> m1 = prep(), m2 = prep();

  // How long to sleep, and how many tries in a row may fail.
  constexpr gort::time::Duration dur = 100 * gort::time::Millisecond;
  constexpr int maxFailures = 10;

  std::vector<double> failureIdleTimes;

  // While this goroutine sleeps, the Ps should all be idle, and the time
  // counted as idle, not user. Not exactly: the scheduler, a background
  // goroutine or the OS may take some of it; so half a P's worth of leeway,
  // and a retry when the OS descheduled the sleeper before it slept.
  double minIdleCPUSeconds = double(dur) / 1e9 * (double(runtime::GOMAXPROCS(-1)) - 0.5);

  // No background scavenging to do (and the collections below leave the
  // sweeper nothing either).
  gort::debug::FreeOSMemory();

  for (int retries = 0; retries < maxFailures; retries++) {
    // Read 1 (a collection first: it updates the CPU classes).
    runtime::GC();
    gort::metrics::Read(m1);

    gort::time::Sleep(dur);

    // Read 2.
    runtime::GC();
    gort::metrics::Read(m2);

    double dt = m2[0].Value.Float64() - m1[0].Value.Float64();
    if (dt >= minIdleCPUSeconds) {
      // All is well: the test passed.
      CHECK(dt >= minIdleCPUSeconds);
      return;
    }
    failureIdleTimes.push_back(dt);
  }

  // Not enough idle time even once.
  for (size_t i = 0; i < failureIdleTimes.size(); i++) {
    WARN("try " << i + 1 << ": idle time = " << failureIdleTimes[i] << "s");
  }
  WARN("try " << failureIdleTimes.size() << " breakdown:");
  for (size_t i = 0; i < n; i++) {
    if (m1[i].Value.Kind() == gort::metrics::KindBad) continue;
    WARN("\t" << names[i] << " " << m2[i].Value.Float64() - m1[i].Value.Float64());
  }
  FAIL_CHECK("time.Sleep did not contribute enough to \"idle\" class: minimum idle time = " << minIdleCPUSeconds
                                                                                            << "s");
}

namespace {

// metrics_test.go:789 at go1.22.12
//
// Calls fn and checks that the right pause histograms gained samples: the
// GC ones when isGC, the others otherwise, and only those.
void testSchedPauseMetrics(void (*fn)(), bool isGC) {
  std::array<Sample, 4> m{{{"/sched/pauses/stopping/gc:seconds", {}},
                           {"/sched/pauses/stopping/other:seconds", {}},
                           {"/sched/pauses/total/gc:seconds", {}},
                           {"/sched/pauses/total/other:seconds", {}}}};
  Sample& stoppingGC = m[0];
  Sample& stoppingOther = m[1];
  Sample& totalGC = m[2];
  Sample& totalOther = m[3];

  auto sampleCount = [](const Sample& s) {
    uint64_t n = 0;
    for (uint64_t c : s.Value.Float64Histogram()->Counts) n += c;
    return n;
  };

  // The baseline.
  gort::metrics::Read(m);
  uint64_t baselineStartGC = sampleCount(stoppingGC);
  uint64_t baselineStartOther = sampleCount(stoppingOther);
  uint64_t baselineTotalGC = sampleCount(totalGC);
  uint64_t baselineTotalOther = sampleCount(totalOther);

  fn();

  gort::metrics::Read(m);

  // Each histogram must have grown (the kind fn's stop counts in) or be
  // as it was (the other kind), with Go's messages.
  auto expect = [&](const char* name, const Sample& s, uint64_t baseline, bool grows) {
    uint64_t got = sampleCount(s);
    if (grows) {
      INFO(name << " sample count " << got << " did not increase from baseline of " << baseline);
      CHECK(got > baseline);
    } else {
      INFO(name << " sample count " << got << " changed from baseline of " << baseline);
      CHECK(got == baseline);
    }
  };
  expect("/sched/pauses/stopping/gc:seconds", stoppingGC, baselineStartGC, isGC);
  expect("/sched/pauses/total/gc:seconds", totalGC, baselineTotalGC, isGC);
  expect("/sched/pauses/stopping/other:seconds", stoppingOther, baselineStartOther, !isGC);
  expect("/sched/pauses/total/other:seconds", totalOther, baselineTotalOther, !isGC);
}

}  // namespace

// metrics_test.go:855 at go1.22.12
//
// Go's cases that the port has: runtime.GC, runtime.GOMAXPROCS and
// runtime.ReadMemStats. Not here: runtime.GoroutineProfile,
// runtime/debug.WriteHeapDump and runtime/trace.Start (the port has none
// of them), and runtime.Stack, whose dump of every goroutine holds
// sched.lock in the port instead of stopping the world (Departure in
// traceback.cpp's Stack).
TEST_CASE("TestSchedPauseMetrics", "[metrics_test.go]") {
  // Automatic collections off, so that no incidental GC pause is counted
  // while a case looks for others only.
  gort_test::GCPercentGuard restore(-1);
  runtime::GC();

  SECTION("runtime.GC") { testSchedPauseMetrics([] { runtime::GC(); }, true); }
  SECTION("runtime.GOMAXPROCS") {
    testSchedPauseMetrics(
        [] {
          int n = runtime::GOMAXPROCS(0);
          runtime::GOMAXPROCS(n + 1);
          runtime::GOMAXPROCS(n);
        },
        false);
  }
  SECTION("runtime.ReadMemStats") {
    testSchedPauseMetrics(
        [] {
          runtime::MemStats mstats{};
          runtime::ReadMemStats(&mstats);
        },
        false);
  }
}

// metrics_test.go:1294 at go1.22.12
TEST_CASE("TestMetricHeapUnusedLargeObjectOverflow", "[metrics_test.go]") {
  // A regression test for Go's #67019: /memory/classes/heap/unused:bytes
  // must not wrap round while large objects come and go.
  gort::chan<gort::struct_> done = gort::make_chan<gort::struct_>();
  gort::sync::WaitGroup wg;
  wg.Add(1);
  gort::go([&wg, done] {
    gort::deferred d{[&wg] { wg.Done(); }};
    for (;;) {
      for (int i = 0; i < 10; i++) runtime::Escape(gort::make<uint8_t>(1 << 20).array.get());
      runtime::GC();
      switch (gort::select({gort::recv(done)}, gort::default_)) {
        case 0:
          return;
        default:
          break;
      }
    }
  });
  std::array<Sample, 1> s{{{"/memory/classes/heap/unused:bytes", {}}}};
  for (int i = 0; i < 1000; i++) {
    gort::metrics::Read(s);
    if (s[0].Value.Uint64() > uint64_t(1) << 40) {
      FAIL_CHECK("overflow");
      break;
    }
  }
  done.send(gort::struct_{});
  wg.Wait();
}
