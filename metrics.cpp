// metrics.cpp: the runtime's half of package runtime/metrics, mirroring
// metrics.go at go1.22.12. See metrics.hpp.
//
// How a read works. Each supported metric has a row in a table (metrics):
// the groups of statistics it needs (deps, a statDepSet) and a function that
// computes its value from them. readMetrics walks the caller's samples,
// looks each name up, has statAggregate fill in the groups the row needs
// and that no earlier row needed (each group read once per call, so that
// metrics computed from the same group agree), and calls the row's compute.
// A name not in the table reads as metricKindBad.
//
// Departure: Go keeps the table in a map built by initMetrics. The port's
// runtime has no map: the table is a constant array sorted by name (a
// static_assert checks the order) and a lookup is a binary search.
//
// Departure: of Go's 56 metrics (less the GODEBUG counters), the port
// supports the 55 whose statistics it keeps. Not supported, and so not
// listed by metrics::All: /cgo/go-to-c-calls:calls (no cgo: a C++ program's
// calls into C are plain calls) and /godebug/non-default-behavior/* (no
// internal/godebug).
#include "metrics.hpp"

#include <bit>

#include "lockrank_off.hpp"
#include "malloc.hpp"
#include "mgc.hpp"
#include "mgclimit.hpp"
#include "mgcpacer.hpp"
#include "mheap.hpp"
#include "proc.hpp"
#include "race.hpp"
#include "runtime.hpp"
#include "sema.hpp"
#include "stack.hpp"
#include "stubs.hpp"

namespace runtime {

struct statAggregate;

/// metricData: what the runtime needs to sample one metric: the groups of
/// statistics it depends on (ensured before compute is called) and the
/// function that computes its value from them. Port: the row also carries
/// its name (the map's key in Go). \gosrc{metrics.go,metricData}
struct metricData;

// metricsSema guards initMetrics' state and agg; take it with metricsLock.
// \gosrc{metrics.go,metricsSema}
uint32 metricsSema = 1;
bool metricsInit;

// The buckets of the two size-class histograms and of the time histograms,
// shared by every value read (globals: roots of the collector).
// \gosrc{metrics.go,sizeClassBuckets}
gort::slice<double> sizeClassBuckets;
gort::slice<double> timeHistBuckets;

/// metricsLock takes metricsSema, queueing at the head of the waiters
/// (semacquire1's lifo; Go's comment calls it handoff): a read is slow
/// enough that queueing beats barging.
/// \gosrc{metrics.go,metricsLock}
void metricsLock() {
  semacquire1(&metricsSema, true, semaProfileFlags(0), 0, waitReasonSemacquire);
  if constexpr (raceenabled) raceacquire(&metricsSema);
}

/// \gosrc{metrics.go,metricsUnlock}
void metricsUnlock() {
  if constexpr (raceenabled) racerelease(&metricsSema);
  semrelease(&metricsSema);
}

/// initMetrics builds what the table's rows share: the size-class buckets.
/// (The table itself is a constant, below.) metricsSema must be held. \gosrc{metrics.go,initMetrics}
void initMetrics() {
  if (metricsInit) return;

  // The buckets are [size+1 of class i-1, size+1 of class i): shifted up by
  // one so that each bucket's lower bound is inclusive, as metrics'
  // histograms are, where a size class's upper bound is inclusive. Bucket 0
  // starts at 1 byte, the smallest allocation; the last, for the large
  // objects, runs to +Inf.
  gort::slice<double> b = gort::make<double>(_NumSizeClasses, _NumSizeClasses + 1);
  b[0] = 1;
  for (uintptr i = 1; i < _NumSizeClasses; i++) b[int(i)] = double(class_to_size[i] + 1);
  b = b.sub(0, int(_NumSizeClasses) + 1);  // append(b, +Inf), within capacity
  b[int(_NumSizeClasses)] = float64Inf();
  sizeClassBuckets = b;

  timeHistBuckets = timeHistogramMetricsBuckets();
  metricsInit = true;
}

/// statDep: one group of statistics a metric may need.
/// \gosrc{metrics.go,statDep}
enum statDep : unsigned {
  heapStatsDep,  // heapStatsAggregate
  sysStatsDep,   // sysStatsAggregate
  cpuStatsDep,   // cpuStatsAggregate
  gcStatsDep,    // gcStatsAggregate
  numStatsDeps,
};

/// statDepSet: a set of statDeps, as a bitmap. \gosrc{metrics.go,statDepSet}
struct statDepSet {
  uint64 bits[1];

  constexpr statDepSet difference(statDepSet b) const;
  constexpr statDepSet union_(statDepSet b) const;
  constexpr bool empty() const;
  constexpr bool has(statDep d) const;
};

/// makeStatDepSet: the set of the given groups. \gosrc{metrics.go,makeStatDepSet}
template <class... D>
constexpr statDepSet makeStatDepSet(D... deps) {
  statDepSet s{};
  ((s.bits[deps / 64] |= uint64(1) << (deps % 64)), ...);
  return s;
}

/// s minus b. \gosrc{metrics.go,statDepSet.difference}
constexpr statDepSet statDepSet::difference(statDepSet b) const {
  statDepSet c{};
  for (int i = 0; i < 1; i++) c.bits[i] = bits[i] & ~b.bits[i];
  return c;
}

/// union_: s and b together (Go's union; union is a C++ keyword).
/// \gosrc{metrics.go,statDepSet.union}
constexpr statDepSet statDepSet::union_(statDepSet b) const {
  statDepSet c{};
  for (int i = 0; i < 1; i++) c.bits[i] = bits[i] | b.bits[i];
  return c;
}

/// \gosrc{metrics.go,statDepSet.empty}
constexpr bool statDepSet::empty() const {
  for (uint64 c : bits) {
    if (c != 0) return false;
  }
  return true;
}

/// \gosrc{metrics.go,statDepSet.has}
constexpr bool statDepSet::has(statDep d) const { return (bits[d / 64] & (uint64(1) << (d % 64))) != 0; }

/// heapStatsAggregate: the heap's consistent statistics (sharded per P, so
/// read all at once), and what follows from them.
/// \gosrc{metrics.go,heapStatsAggregate}
struct heapStatsAggregate : heapStatsDelta {
  uint64 inObjects;       // bytes in live objects
  uint64 numObjects;      // live objects
  uint64 totalAllocated;  // bytes of objects ever allocated
  uint64 totalFreed;      // bytes of objects ever freed
  uint64 totalAllocs;     // objects ever allocated
  uint64 totalFrees;      // objects ever freed

  void compute();
};

/// compute reads the heap's statistics and derives the totals.
/// \gosrc{metrics.go,heapStatsAggregate.compute}
void heapStatsAggregate::compute() {
  memstats.heapStats.read(this);

  totalAllocs = largeAllocCount;
  totalFrees = largeFreeCount;
  totalAllocated = largeAlloc;
  totalFreed = largeFree;
  for (uintptr i = 0; i < _NumSizeClasses; i++) {
    uint64 na = smallAllocCount[i];
    uint64 nf = smallFreeCount[i];
    totalAllocs += na;
    totalFrees += nf;
    totalAllocated += na * uint64(class_to_size[i]);
    totalFreed += nf * uint64(class_to_size[i]);
  }
  inObjects = totalAllocated - totalFreed;
  numObjects = totalAllocs - totalFrees;
}

/// sysStatsAggregate: memory the runtime's structures hold from the OS,
/// the heap goal and the cycle counts: cheap to read and independent of each
/// other, so a little skew between them does no harm.
/// \gosrc{metrics.go,sysStatsAggregate}
struct sysStatsAggregate {
  uint64 stacksSys;
  uint64 mSpanSys;
  uint64 mSpanInUse;
  uint64 mCacheSys;
  uint64 mCacheInUse;
  uint64 buckHashSys;
  uint64 gcMiscSys;
  uint64 otherSys;
  uint64 heapGoal;
  uint64 gcCyclesDone;
  uint64 gcCyclesForced;

  void compute();
};

/// \gosrc{metrics.go,sysStatsAggregate.compute}
void sysStatsAggregate::compute() {
  stacksSys = memstats.stacks_sys.load();
  buckHashSys = memstats.buckhash_sys.load();
  gcMiscSys = memstats.gcMiscSys.load();
  otherSys = memstats.other_sys.load();
  heapGoal = gcController.heapGoal();
  gcCyclesDone = uint64(memstats.numgc);
  gcCyclesForced = uint64(memstats.numforcedgc);

  // The fixallocs' in-use counts change under the heap lock.
  systemstack([this] {
    lock(&mheap_.lock);
    mSpanSys = memstats.mspan_sys.load();
    mSpanInUse = uint64(mheap_.spanalloc.inuse);
    mCacheSys = memstats.mcache_sys.load();
    mCacheInUse = uint64(mheap_.cachealloc.inuse);
    unlock(&mheap_.lock);
  });
}

/// cpuStatsAggregate: the CPU time classes, as of the last stop of the
/// world (work.cpuStats), all from the same moment.
/// \gosrc{metrics.go,cpuStatsAggregate}
struct cpuStatsAggregate : cpuStats {
  void compute();
};

/// \gosrc{metrics.go,cpuStatsAggregate.compute}
void cpuStatsAggregate::compute() {
  // Go leaves the snapshot as it is rather than accumulate up to now,
  // which would let "user" time go backwards; so does the port.
  static_cast<cpuStats&>(*this) = work.cpuStats;
}

/// gcStatsAggregate: the scannable bytes the pacer works from.
/// \gosrc{metrics.go,gcStatsAggregate}
struct gcStatsAggregate {
  uint64 heapScan;
  uint64 stackScan;
  uint64 globalsScan;
  uint64 totalScan;

  void compute();
};

/// \gosrc{metrics.go,gcStatsAggregate.compute}
void gcStatsAggregate::compute() {
  heapScan = gcController.heapScan.Load();
  stackScan = gcController.lastStackScan.Load();
  globalsScan = gcController.globalsScan.Load();
  totalScan = heapScan + stackScan + globalsScan;
}

/// nsToSec: nanoseconds as float seconds. \gosrc{metrics.go,nsToSec}
double nsToSec(int64 ns) { return double(ns) / 1e9; }

/// float64bits: a float's bits, the form a scalar holds it in.
/// \gosrc{float.go,float64bits}
uint64 float64bits(double f) { return std::bit_cast<uint64>(f); }

/// statAggregate: the groups of statistics one read has gathered so far,
/// filled lazily by ensure. \gosrc{metrics.go,statAggregate}
struct statAggregate {
  statDepSet ensured;
  heapStatsAggregate heapStats;
  sysStatsAggregate sysStats;
  cpuStatsAggregate cpuStats;
  gcStatsAggregate gcStats;

  void ensure(const statDepSet* deps);
};

/// ensure reads every group in deps not read yet.
/// \gosrc{metrics.go,statAggregate.ensure}
void statAggregate::ensure(const statDepSet* deps) {
  statDepSet missing = deps->difference(ensured);
  if (missing.empty()) return;
  for (unsigned i = 0; i < numStatsDeps; i++) {
    if (!missing.has(statDep(i))) continue;
    switch (statDep(i)) {
      case heapStatsDep:
        heapStats.compute();
        break;
      case sysStatsDep:
        sysStats.compute();
        break;
      case cpuStatsDep:
        cpuStats.compute();
        break;
      case gcStatsDep:
        gcStats.compute();
        break;
      case numStatsDeps:
        break;
    }
  }
  ensured = ensured.union_(missing);
}

struct metricData {
  std::string_view name;
  statDepSet deps;
  void (*compute)(statAggregate* in, metricValue* out);
};

namespace {

// Shorthands for the table's rows.
constexpr statDepSet cpuDeps = makeStatDepSet(cpuStatsDep);
constexpr statDepSet heapDeps = makeStatDepSet(heapStatsDep);
constexpr statDepSet sysDeps = makeStatDepSet(sysStatsDep);
constexpr statDepSet gcDeps = makeStatDepSet(gcStatsDep);
constexpr statDepSet heapSysDeps = makeStatDepSet(heapStatsDep, sysStatsDep);
constexpr statDepSet noDeps{};

void setUint64(metricValue* out, uint64 v) {
  out->kind = metricKindUint64;
  out->scalar = v;
}
void setFloat64(metricValue* out, double v) {
  out->kind = metricKindFloat64;
  out->scalar = float64bits(v);
}

/// The size-class histograms: bucket i counts class i+1's objects, and the
/// last bucket the large objects. \gosrc{metrics.go,initMetrics}
void sizeClassHistogram(metricValue* out, const uint64* small, uint64 large) {
  metricFloat64Histogram* hist = out->float64HistOrInit(sizeClassBuckets);
  hist->counts[hist->counts.len - 1] = large;
  // Class 0 stands for large objects, which are counted apart: skip it.
  for (uintptr i = 1; i < _NumSizeClasses; i++) hist->counts[int(i - 1)] = small[i];
}

// The table: the rows of Go's map literal in initMetrics that the port
// supports, sorted by name. \gosrc{metrics.go,initMetrics}
constexpr metricData metrics[] = {
    {"/cpu/classes/gc/mark/assist:cpu-seconds", cpuDeps,
     [](statAggregate* in, metricValue* out) { setFloat64(out, nsToSec(in->cpuStats.gcAssistTime)); }},
    {"/cpu/classes/gc/mark/dedicated:cpu-seconds", cpuDeps,
     [](statAggregate* in, metricValue* out) { setFloat64(out, nsToSec(in->cpuStats.gcDedicatedTime)); }},
    {"/cpu/classes/gc/mark/idle:cpu-seconds", cpuDeps,
     [](statAggregate* in, metricValue* out) { setFloat64(out, nsToSec(in->cpuStats.gcIdleTime)); }},
    {"/cpu/classes/gc/pause:cpu-seconds", cpuDeps,
     [](statAggregate* in, metricValue* out) { setFloat64(out, nsToSec(in->cpuStats.gcPauseTime)); }},
    {"/cpu/classes/gc/total:cpu-seconds", cpuDeps,
     [](statAggregate* in, metricValue* out) { setFloat64(out, nsToSec(in->cpuStats.gcTotalTime)); }},
    {"/cpu/classes/idle:cpu-seconds", cpuDeps,
     [](statAggregate* in, metricValue* out) { setFloat64(out, nsToSec(in->cpuStats.idleTime)); }},
    {"/cpu/classes/scavenge/assist:cpu-seconds", cpuDeps,
     [](statAggregate* in, metricValue* out) { setFloat64(out, nsToSec(in->cpuStats.scavengeAssistTime)); }},
    {"/cpu/classes/scavenge/background:cpu-seconds", cpuDeps,
     [](statAggregate* in, metricValue* out) { setFloat64(out, nsToSec(in->cpuStats.scavengeBgTime)); }},
    {"/cpu/classes/scavenge/total:cpu-seconds", cpuDeps,
     [](statAggregate* in, metricValue* out) { setFloat64(out, nsToSec(in->cpuStats.scavengeTotalTime)); }},
    {"/cpu/classes/total:cpu-seconds", cpuDeps,
     [](statAggregate* in, metricValue* out) { setFloat64(out, nsToSec(in->cpuStats.totalTime)); }},
    {"/cpu/classes/user:cpu-seconds", cpuDeps,
     [](statAggregate* in, metricValue* out) { setFloat64(out, nsToSec(in->cpuStats.userTime)); }},
    {"/gc/cycles/automatic:gc-cycles", sysDeps,
     [](statAggregate* in, metricValue* out) {
       setUint64(out, in->sysStats.gcCyclesDone - in->sysStats.gcCyclesForced);
     }},
    {"/gc/cycles/forced:gc-cycles", sysDeps,
     [](statAggregate* in, metricValue* out) { setUint64(out, in->sysStats.gcCyclesForced); }},
    {"/gc/cycles/total:gc-cycles", sysDeps,
     [](statAggregate* in, metricValue* out) { setUint64(out, in->sysStats.gcCyclesDone); }},
    {"/gc/gogc:percent", noDeps,
     [](statAggregate*, metricValue* out) { setUint64(out, uint64(gcController.gcPercent.Load())); }},
    {"/gc/gomemlimit:bytes", noDeps,
     [](statAggregate*, metricValue* out) { setUint64(out, uint64(gcController.memoryLimit.Load())); }},
    {"/gc/heap/allocs-by-size:bytes", heapDeps,
     [](statAggregate* in, metricValue* out) {
       sizeClassHistogram(out, in->heapStats.smallAllocCount, in->heapStats.largeAllocCount);
     }},
    {"/gc/heap/allocs:bytes", heapDeps,
     [](statAggregate* in, metricValue* out) { setUint64(out, in->heapStats.totalAllocated); }},
    {"/gc/heap/allocs:objects", heapDeps,
     [](statAggregate* in, metricValue* out) { setUint64(out, in->heapStats.totalAllocs); }},
    {"/gc/heap/frees-by-size:bytes", heapDeps,
     [](statAggregate* in, metricValue* out) {
       sizeClassHistogram(out, in->heapStats.smallFreeCount, in->heapStats.largeFreeCount);
     }},
    {"/gc/heap/frees:bytes", heapDeps,
     [](statAggregate* in, metricValue* out) { setUint64(out, in->heapStats.totalFreed); }},
    {"/gc/heap/frees:objects", heapDeps,
     [](statAggregate* in, metricValue* out) { setUint64(out, in->heapStats.totalFrees); }},
    {"/gc/heap/goal:bytes", sysDeps,
     [](statAggregate* in, metricValue* out) { setUint64(out, in->sysStats.heapGoal); }},
    // Go gives this row heapStatsDep although it reads heapMarked only.
    {"/gc/heap/live:bytes", heapDeps,
     [](statAggregate*, metricValue* out) { setUint64(out, gcController.heapMarked); }},
    {"/gc/heap/objects:objects", heapDeps,
     [](statAggregate* in, metricValue* out) { setUint64(out, in->heapStats.numObjects); }},
    {"/gc/heap/tiny/allocs:objects", heapDeps,
     [](statAggregate* in, metricValue* out) { setUint64(out, in->heapStats.tinyAllocCount); }},
    {"/gc/limiter/last-enabled:gc-cycle", noDeps,
     [](statAggregate*, metricValue* out) { setUint64(out, uint64(gcCPULimiter.lastEnabledCycle.Load())); }},
    // The same histogram as /sched/pauses/total/gc:seconds.
    {"/gc/pauses:seconds", noDeps, [](statAggregate*, metricValue* out) { sched.stwTotalTimeGC.write(out); }},
    {"/gc/scan/globals:bytes", gcDeps,
     [](statAggregate* in, metricValue* out) { setUint64(out, in->gcStats.globalsScan); }},
    {"/gc/scan/heap:bytes", gcDeps,
     [](statAggregate* in, metricValue* out) { setUint64(out, in->gcStats.heapScan); }},
    {"/gc/scan/stack:bytes", gcDeps,
     [](statAggregate* in, metricValue* out) { setUint64(out, in->gcStats.stackScan); }},
    {"/gc/scan/total:bytes", gcDeps,
     [](statAggregate* in, metricValue* out) { setUint64(out, in->gcStats.totalScan); }},
    // Departure: Go reports startingStackSize, which gcComputeStartingStackSize
    // adapts to the stacks goroutines used; the port's goroutines all start
    // on a fixedStack (stack.hpp).
    {"/gc/stack/starting-size:bytes", noDeps,
     [](statAggregate*, metricValue* out) { setUint64(out, uint64(fixedStack)); }},
    {"/memory/classes/heap/free:bytes", heapDeps,
     [](statAggregate* in, metricValue* out) {
       const heapStatsAggregate& h = in->heapStats;
       setUint64(out, uint64(h.committed - h.inHeap - h.inStacks - h.inWorkBufs - h.inPtrScalarBits));
     }},
    {"/memory/classes/heap/objects:bytes", heapDeps,
     [](statAggregate* in, metricValue* out) { setUint64(out, in->heapStats.inObjects); }},
    {"/memory/classes/heap/released:bytes", heapDeps,
     [](statAggregate* in, metricValue* out) { setUint64(out, uint64(in->heapStats.released)); }},
    {"/memory/classes/heap/stacks:bytes", heapDeps,
     [](statAggregate* in, metricValue* out) { setUint64(out, uint64(in->heapStats.inStacks)); }},
    {"/memory/classes/heap/unused:bytes", heapDeps,
     [](statAggregate* in, metricValue* out) {
       setUint64(out, uint64(in->heapStats.inHeap) - in->heapStats.inObjects);
     }},
    {"/memory/classes/metadata/mcache/free:bytes", sysDeps,
     [](statAggregate* in, metricValue* out) { setUint64(out, in->sysStats.mCacheSys - in->sysStats.mCacheInUse); }},
    {"/memory/classes/metadata/mcache/inuse:bytes", sysDeps,
     [](statAggregate* in, metricValue* out) { setUint64(out, in->sysStats.mCacheInUse); }},
    {"/memory/classes/metadata/mspan/free:bytes", sysDeps,
     [](statAggregate* in, metricValue* out) { setUint64(out, in->sysStats.mSpanSys - in->sysStats.mSpanInUse); }},
    {"/memory/classes/metadata/mspan/inuse:bytes", sysDeps,
     [](statAggregate* in, metricValue* out) { setUint64(out, in->sysStats.mSpanInUse); }},
    {"/memory/classes/metadata/other:bytes", heapSysDeps,
     [](statAggregate* in, metricValue* out) {
       setUint64(out, uint64(in->heapStats.inWorkBufs + in->heapStats.inPtrScalarBits) + in->sysStats.gcMiscSys);
     }},
    {"/memory/classes/os-stacks:bytes", sysDeps,
     [](statAggregate* in, metricValue* out) { setUint64(out, in->sysStats.stacksSys); }},
    {"/memory/classes/other:bytes", sysDeps,
     [](statAggregate* in, metricValue* out) { setUint64(out, in->sysStats.otherSys); }},
    {"/memory/classes/profiling/buckets:bytes", sysDeps,
     [](statAggregate* in, metricValue* out) { setUint64(out, in->sysStats.buckHashSys); }},
    {"/memory/classes/total:bytes", heapSysDeps,
     [](statAggregate* in, metricValue* out) {
       const sysStatsAggregate& s = in->sysStats;
       setUint64(out, uint64(in->heapStats.committed + in->heapStats.released) + s.stacksSys + s.mSpanSys +
                          s.mCacheSys + s.buckHashSys + s.gcMiscSys + s.otherSys);
     }},
    {"/sched/gomaxprocs:threads", noDeps,
     [](statAggregate*, metricValue* out) { setUint64(out, uint64(gomaxprocs)); }},
    {"/sched/goroutines:goroutines", noDeps,
     [](statAggregate*, metricValue* out) { setUint64(out, uint64(gcount())); }},
    {"/sched/latencies:seconds", noDeps,
     [](statAggregate*, metricValue* out) { sched.timeToRun.write(out); }},
    {"/sched/pauses/stopping/gc:seconds", noDeps,
     [](statAggregate*, metricValue* out) { sched.stwStoppingTimeGC.write(out); }},
    {"/sched/pauses/stopping/other:seconds", noDeps,
     [](statAggregate*, metricValue* out) { sched.stwStoppingTimeOther.write(out); }},
    {"/sched/pauses/total/gc:seconds", noDeps,
     [](statAggregate*, metricValue* out) { sched.stwTotalTimeGC.write(out); }},
    {"/sched/pauses/total/other:seconds", noDeps,
     [](statAggregate*, metricValue* out) { sched.stwTotalTimeOther.write(out); }},
    {"/sync/mutex/wait/total:seconds", noDeps,
     [](statAggregate*, metricValue* out) { setFloat64(out, nsToSec(totalMutexWaitTimeNanos())); }},
};

constexpr int nmetrics = int(sizeof(metrics) / sizeof(metrics[0]));

/// sortedByName: whether the table is in the order lookup's binary search
/// needs (checked when the port is compiled).
consteval bool sortedByName() {
  for (int i = 1; i < nmetrics; i++) {
    if (!(metrics[i - 1].name < metrics[i].name)) return false;
  }
  return true;
}
static_assert(sortedByName(), "metrics: the table must be sorted by name");

/// lookup: the row named name, or nullptr (Go: metrics[name]).
const metricData* lookup(std::string_view name) {
  int lo = 0, hi = nmetrics;
  while (lo < hi) {
    int mid = int(uint(lo + hi) >> 1);
    if (metrics[mid].name < name) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo < nmetrics && metrics[lo].name == name ? &metrics[lo] : nullptr;
}

// agg: the statistics of the read under way; guarded by metricsSema. A
// global, as in Go, so that reading does not need a large frame.
// \gosrc{metrics.go,agg}
statAggregate agg;

}  // namespace

/// float64HistOrInit: the histogram v already holds, or a new one, with
/// buckets as its buckets and counts to match.
/// \gosrc{metrics.go,metricValue.float64HistOrInit}
metricFloat64Histogram* metricValue::float64HistOrInit(gort::slice<double> buckets) {
  metricFloat64Histogram* hist;
  if (kind == metricKindFloat64Histogram && pointer != nullptr) {
    hist = pointer.get();
  } else {
    kind = metricKindFloat64Histogram;
    pointer = gort::ptr<metricFloat64Histogram>(newobject<metricFloat64Histogram>());
    hist = pointer.get();
  }
  hist->buckets = buckets;
  if (hist->counts.len != hist->buckets.len - 1) hist->counts = gort::make<uint64>(buckets.len - 1);
  return hist;
}

/// readMetricNames: every supported metric's name, for package metrics'
/// test of its descriptions. Departure: Go returns a new []string; the port
/// fills the caller's array (up to cap names) and returns how many there are.
/// \gosrc{metrics.go,readMetricNames}
int readMetricNames(std::string_view* list, int cap) LINKNAME("runtime..z2fmetrics.runtime_readMetricNames");
int readMetricNames(std::string_view* list, int cap) {
  metricsLock();
  initMetrics();
  for (int i = 0; i < nmetrics && i < cap; i++) list[i] = metrics[i].name;
  metricsUnlock();
  return nmetrics;
}

/// readMetrics: package metrics' Read. \gosrc{metrics.go,readMetrics}
void readMetrics(metricSample* samplesp, int len, int cap) LINKNAME("runtime..z2fmetrics.runtime_readMetrics");
void readMetrics(metricSample* samplesp, int len, int cap) {
  metricsLock();
  initMetrics();
  readMetricsLocked(samplesp, len, cap);
  metricsUnlock();
}

/// readMetricsLocked: readMetrics' work, apart for export_test's
/// ReadMetricsSlow. metricsSema is held and initMetrics has run.
/// \gosrc{metrics.go,readMetricsLocked}
void readMetricsLocked(metricSample* samplesp, int len, int cap) {
  (void)cap;
  // Start from nothing gathered.
  agg = statAggregate{};

  for (int i = 0; i < len; i++) {
    metricSample* sample = &samplesp[i];
    const metricData* data = lookup(sample->name);
    if (data == nullptr) {
      sample->value.kind = metricKindBad;
      continue;
    }
    // Read the groups this row needs that no earlier row did.
    agg.ensure(&data->deps);
    data->compute(&agg, &sample->value);
  }
}

}  // namespace runtime
