// export_test.hpp: the hooks that Go's runtime/export_test.go (and
// proc_runtime_test.go) open into package runtime for the scheduler and
// semaphore tests, at go1.22.12, with Go's names. Go compiles them into
// package runtime only while testing; here they live in the test binary and
// reach the runtime through its internal interfaces, proc.hpp for the
// scheduler and sema.hpp for the semaphore table.
//
// Also here: the small stand-ins the translated tests need for packages the
// port does not have yet (time.Sleep and the time.Duration units,
// `defer runtime.GOMAXPROCS(...)`).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "debug/garbage.hpp"
#include "time/time.hpp"
#include "runtime.hpp"
#include "runtime2.hpp"
#include "slice.hpp"
#include "string.hpp"

namespace runtime {

/// RunSchedLocalQueueTest: fills and drains one P's local run queue at every
/// length below its size; throws on a wrong element (export_test.go).
void RunSchedLocalQueueTest();
/// RunSchedLocalQueueStealTest: steals from a queue of every length and checks
/// each G is taken exactly once and about half are stolen (export_test.go).
void RunSchedLocalQueueStealTest();
/// RunSchedLocalQueueEmptyTest: checks that runqempty never reports a queue
/// empty while an owner moves a G between runnext and runq (export_test.go).
void RunSchedLocalQueueEmptyTest(int iters);
/// RunStealOrderTest: checks that randomOrder visits every P exactly once for
/// every count and every start (proc_runtime_test.go).
void RunStealOrderTest();
/// RunGetgThreadSwitchTest: getg must read the TLS slot afresh after the
/// goroutine has resumed on another thread (export_test.go).
void RunGetgThreadSwitchTest();

/// NetpollGenericInit, Netpoll, NetpollBreak, Usleep: export_test.go's
/// doors to the poller (netpoll.cpp, netpoll_epoll.cpp): start it, block
/// in it on the system stack for at most delta ns, interrupt a blocked
/// poll, and sleep the thread.
/// AnyGoroutineInSyscall: whether some goroutine is in _Gsyscall (gort
/// only: the tests of gort::syscall wait for one to be in its call).
bool AnyGoroutineInSyscall();

/// Getg: the calling goroutine (export_test.go's Getg, for GIsWaitingOnMutex).
g* Getg();
/// GIsWaitingOnMutex: gp is parked in a sync.Mutex or sync.RWMutex
/// (export_test.go).
bool GIsWaitingOnMutex(g* gp);
/// SetCasGStatusAlwaysTrack: export_test.go's CasGStatusAlwaysTrack, a
/// pointer to casgstatusAlwaysTrack there; a setter here.
void SetCasGStatusAlwaysTrack(bool on);

void NetpollGenericInit();
void Netpoll(int64_t delta);
void NetpollBreak();
void Usleep(uint32_t usec);

/// LockOSCounts returns the calling M's external and internal LockOSThread
/// nesting counts, checking them against g.lockedm (export_test.go).
struct lockOSCounts {
  uint32_t external;
  uint32_t internal;
};
lockOSCounts LockOSCounts();

// --- sema.go (export_test.go, after MutexContended) ----------------------------

/// Semacquire is semacquire: take one count from *addr, sleeping until a
/// release provides one (export_test.go Semacquire).
void Semacquire(uint32_t* addr);
/// Semrelease1 is semrelease1: add a count to *addr and wake its first
/// waiter; with handoff, give the count to that waiter and yield to it
/// (export_test.go Semrelease1).
void Semrelease1(uint32_t* addr, bool handoff, int skipframes);
/// SemNwait: how many waiters the semaRoot that addr hashes to counts; it
/// covers every address of that slot, not just addr (export_test.go).
uint32_t SemNwait(uint32_t* addr);
/// SemTableSize is semTabSize, the number of slots in a semTable;
/// export_test.cpp checks that the two agree.
inline constexpr uintptr_t SemTableSize = 251;

struct semTable;

/// SemTable: a semaphore table of its own, apart from the runtime's
/// semtable, on which a test or benchmark queues and dequeues waiters
/// without anybody sleeping (export_test.go SemTable).
///
/// Departure: Go's SemTable embeds semTable by value. Here it owns one on
/// the heap, so that this header does not need the runtime's internal
/// types (sema.hpp); a SemTable is still one object with Go's two methods.
struct SemTable {
  SemTable();
  ~SemTable();
  SemTable(const SemTable&) = delete;
  SemTable& operator=(const SemTable&) = delete;

  /// Enqueue: queue a sudog of the calling goroutine on addr, as a waiter
  /// would, without parking (export_test.go SemTable.Enqueue).
  void Enqueue(uint32_t* addr);
  /// Dequeue: take the first waiter off addr and free its sudog. Returns
  /// whether there was one (export_test.go SemTable.Dequeue).
  bool Dequeue(uint32_t* addr);

 private:
  std::unique_ptr<semTable> semTable_;
};

// --- malloc.go, mheap.go, mstats.go (export_test.go) ---------------------------

/// DoubleCheckReadMemStats: readmemstats_m's self-check switch; the tests
/// turn it on, as gc_test.go's init does (export_test.go).
extern bool* DoubleCheckReadMemStats;

/// ForceGCPeriod: sysmon's forcegcperiod, which tests shorten
/// (export_test.go).
extern int64_t* ForceGCPeriod;

/// ReadMemStatsSlow: ReadMemStats' result and the same statistics
/// recomputed by walking every span, with the world stopped
/// (export_test.go ReadMemStatsSlow).
struct memStatsPair {
  MemStats base;
  MemStats slow;
};
memStatsPair ReadMemStatsSlow();

// export_test.go's view of histogram.go at go1.22.12: its constants, and
// TimeHistogram with Count and Record.
inline constexpr int TimeHistSubBucketBits = int(timeHistSubBucketBits);
inline constexpr int TimeHistNumSubBuckets = int(timeHistNumSubBuckets);
inline constexpr int TimeHistNumBuckets = int(timeHistNumBuckets);
inline constexpr int TimeHistMinBucketBits = int(timeHistMinBucketBits);
inline constexpr int TimeHistMaxBucketBits = int(timeHistMaxBucketBits);

/// TimeHistogram: a timeHistogram, with the accessors the tests use.
struct TimeHistogram : timeHistogram {
  /// Count: the count of (bucket, subBucket) and true; for a bucket out of
  /// range, the underflow count (bucket < 0) or the overflow count, and
  /// false.
  std::pair<uint64_t, bool> Count(int bucket, int subBucket);
  void Record(int64_t duration) { record(duration); }
};

/// TimeHistogramMetricsBuckets: timeHistogramMetricsBuckets.
gort::slice<double> TimeHistogramMetricsBuckets();

struct metricSample;
/// ReadMetricsSlow: ReadMemStats into *memStats and readMetrics into the
/// samples, with the world stopped so that the two agree
/// (export_test.go ReadMetricsSlow).
void ReadMetricsSlow(MemStats* memStats, metricSample* samplesp, int len, int cap);

/// CountPagesInUse: mheap_.pagesInUse and the pages of in-use spans
/// counted directly (export_test.go).
struct pagesInUseCount {
  uintptr_t pagesInUse;
  uintptr_t counted;
};
pagesInUseCount CountPagesInUse();

/// BitsMismatch: a 64-page stretch whose scavenged bits disagree with its
/// allocation bits (export_test.go).
struct BitsMismatch {
  uintptr_t Base;
  uint64_t Got, Want;
};
/// CheckScavengedBitsCleared: no in-use page may be marked scavenged;
/// fills mismatches (up to n of them) and returns how many it found and
/// whether all was well (export_test.go).
struct scavengedBitsResult {
  int n;
  bool ok;
};
scavengedBitsResult CheckScavengedBitsCleared(BitsMismatch* mismatches, int len);

/// PageCachePagesLeaked: free pages still held by the page caches of Ps
/// that a smaller GOMAXPROCS destroyed (export_test.go).
uintptr_t PageCachePagesLeaked();

/// KeepNArenaHints: drop all but the first n arena hints (export_test.go).
void KeepNArenaHints(int n);
/// MapNextArenaHint: reserve a page where the next arena hint points, so
/// the heap cannot grow there (export_test.go).
struct arenaHintMapping {
  uintptr_t start, end;
  bool ok;
};
arenaHintMapping MapNextArenaHint();
/// GetNextArenaHint: the address of the next arena hint (export_test.go).
uintptr_t GetNextArenaHint();

/// Acquirem, Releasem: pin the goroutine to its M and P, and unpin it
/// (export_test.go).
void Acquirem();
void Releasem();

// --- mfinal.go (export_test.go) ----------------------------------------------------

/// FinalizerGAsleep: whether the finalizer goroutine is parked, waiting for
/// work (export_test.go).
bool FinalizerGAsleep();
/// WaitForMark: gort only: if a cycle is marking, wait until its mark is
/// over (gcWaitOnMark of the current cycle); otherwise return at once.
void WaitForMark();

/// GCCPULimiterLastEnabledCycle: gort only: the cycle in which the GC CPU
/// limiter last turned on, 0 if never (Go's runtime/metrics name for it:
/// /gc/limiter/last-enabled:gc-cycle).
uint32_t GCCPULimiterLastEnabledCycle();
/// GCCPULimiterDescribe: gort only: the limiter's state in one line (the
/// bucket, its flags, the time since its last update), the cycle and phase,
/// and the pacer's marked and live heap, goal and assist ratio: what a test
/// reports when the limiter did not do what it expected.
std::string GCCPULimiterDescribe();

/// DescribePollDeadline: gort only: for a failed deadline test, the read
/// deadline and timer of the pollDesc behind an internal/poll FD's
/// runtimeCtx, each P's status and timer fields, and the poller's state,
/// read racily (a report, not a decision).
std::string DescribePollDeadline(uintptr_t runtimeCtx);

/// SyscallTicks: gort only: the sum over every P of its syscalltick, which
/// each return from a system call (exitsyscall) advances on the P it
/// returns to: a test counts system calls in the scheduler's sense with it.
uint64_t SyscallTicks();

/// WriteBarrierRecords: gort only: run f(arg) with the world stopped (once
/// no cycle runs: stopTheWorldGC) and the write barriers switched on, and return
/// the words the barriers f ran recorded in this P's buffer, in order
/// (new value, then old, for an assignment). f must record fewer than
/// wbBufEntries words and must not block.
std::vector<uintptr_t> WriteBarrierRecords(void (*f)(void*), void* arg);
template <class F>
std::vector<uintptr_t> WriteBarrierRecords(F f) {
  return WriteBarrierRecords([](void* a) { (*static_cast<F*>(a))(); }, &f);
}

/// AsyncStoppedHolds: gort only: with the world stopped, whether some
/// goroutine that a preemption signal stopped (g.asyncSafePoint) holds the
/// word obj between its saved stack pointer and the top of its stack, where
/// gcMarkDone's last scan (gcScanAsyncStopped) looks; also how many such
/// goroutines there were.
bool AsyncStoppedHolds(uintptr_t obj, int* stopped);

/// PreemptMSupported: whether this process preempts asynchronously (Go's
/// is a constant per platform; the port's is off under ThreadSanitizer,
/// valgrind, without XSAVE, and with GODEBUG=asyncpreemptoff=1; see
/// preempt.cpp). A test of a goroutine that calls nothing skips without it,
/// as Go's TestAsyncPreempt does without PreemptMSupported.
bool PreemptMSupported();

/// BlockUntilEmptyFinalizerQueue: wait until every queued finalizer has
/// run, or timeout nanoseconds; whether they all ran (export_test.go).
bool BlockUntilEmptyFinalizerQueue(int64_t timeout);

/// Escape: x, through a path the compiler cannot see through, so an object
/// that reaches it is really allocated and kept (export_test.go Escape).
template <class T>
inline T Escape(T x) {
  asm volatile("" : : "g"(x) : "memory");
  return x;
}

/// GCTestIsReachable: which of the n objects ptrs points to survive a full
/// collection, as a bit mask; it clears ptrs, so that the array does not
/// keep them (export_test.go GCTestIsReachable, a variadic Go function whose
/// slice the runtime clears the same way).
uint64_t GCTestIsReachable(void** ptrs, int n);
/// GCTestPointerClass: "heap", "stack", "data", "bss" or "other", what p
/// points into (export_test.go).
std::string GCTestPointerClass(void* p);

/// PhysPageSize: the OS's page size (export_test.go).
uintptr_t PhysPageSize();

struct _type;
/// GCMaskOf: the pointer map of the heap object at p, whose value type is
/// et, one byte per word (1: pointer), up to its last pointer
/// (getgcmask, mbitmap_allocheaders.cpp).
std::vector<uint8_t> GCMaskOf(void* p, const _type* et);

// --- string.go (export_test.go) --------------------------------------------------

/// Atoi, Atoi32, ParseByteCount: the number parsers the runtime reads its
/// environment with (string.cpp), under the names export_test.go gives
/// them (`var Atoi = atoi`, ...).
inline constexpr auto Atoi = &atoi;
inline constexpr auto Atoi32 = &atoi32;
inline constexpr auto ParseByteCount = &parseByteCount;

// --- lfstack.go (export_test.go) -------------------------------------------------

/// LFNode: lfstack's node, with exported names (export_test.go).
struct LFNode {
  uint64_t Next;
  uintptr_t Pushcnt;
};
void LFStackPush(uint64_t* head, LFNode* node);
LFNode* LFStackPop(uint64_t* head);
void LFNodeValidate(LFNode* node);

/// PersistentAlloc: n bytes from persistentalloc (export_test.go).
void* PersistentAlloc(uintptr_t n);

// --- stack.go (port only) ----------------------------------------------------------

/// StackSpanInfo: the calling goroutine's stack and the span spanOf finds for
/// each end of it (no Go counterpart: Go's tests do not look at stack spans).
struct StackSpanInfo {
  uintptr_t lo, hi;                // the goroutine's stack bounds
  uintptr_t base, end;             // spanOf(lo)'s pages
  bool sameSpan;                   // spanOf(hi-1) is the same span
  const char* state;               // spanOf(lo)'s state name, "mSpanManual"...
  uintptr_t elemsize;              // the span's stack size
  uintptr_t fixedStack, stackCacheSize;  // stack.hpp's constants
};
StackSpanInfo CurrentStackSpan();

/// StackSegmentInfo: the calling goroutine's stack segments (stack.cpp's
/// [seg-chain] and [seg-spare]; port only).
struct StackSegmentInfo {
  int inuse;           // segments holding its frames, the first stack included
  int spares;          // segments kept above the current one
  uintptr_t inuseBytes;  // stackInUse: their bytes
  uintptr_t current;   // the size of the segment it runs on
  uint32_t gcStarted;  // collections started (work.cycles) and ended
  uint32_t gcEnded;    // (memstats.numgc): a scan of the goroutine frees its spares
};
StackSegmentInfo CurrentStackSegments();

/// Whether a collection may have scanned the goroutine, and so freed its
/// spare segments (shrinkstack), between readings a and b: one started
/// since a, or one was under way at a.
inline bool MayHaveCollected(const StackSegmentInfo& a, const StackSegmentInfo& b) {
  return b.gcStarted != a.gcStarted || a.gcStarted != a.gcEnded;
}

/// PreemptAtNextCall: ask the calling goroutine to yield at the next
/// function prologue, as sysmon's preemptone does (g.preempt,
/// g.stackguard0 and the TLS guard word set to stackPreempt); port only.
void PreemptAtNextCall();
/// StackSpanRoundTrip: on the system stack, take n stacks (n <= 512) with
/// stackalloc, give them all back with stackfree, and empty this P's stack
/// cache (stackcache_clear). Then, with the heap lock held, write the
/// lowest byte of each stack whose pages went back to the heap: a guard page
/// left behind there would fault. ownSpans counts the stack spans all of
/// whose stacks were among the n: no one else had a stack there, so each
/// must have gone back. The caller must run with GOMAXPROCS=1, so that no
/// other P can take the freed pages meanwhile. A span freed during a mark
/// stays a stack span until the cycle ends (stackpoolfree), so this does
/// nothing and returns -1 if a cycle is in its mark when it starts (with
/// one P, held on the system stack, none can start meanwhile). Returns how
/// many stacks it wrote to (port only).
struct StackSpanRoundTripResult {
  int wrote;     // stacks whose pages were back in the heap (-1: a mark ran)
  int ownSpans;  // spans that held only the n stacks
};
StackSpanRoundTripResult StackSpanRoundTrip(int n);

}  // namespace runtime

namespace gort_test {

/// time.Microsecond, time.Millisecond, time.Second and time.Hour: the
/// time.Duration units, in nanoseconds.
inline constexpr int64_t Microsecond = 1000;
inline constexpr int64_t Millisecond = 1000 * Microsecond;
inline constexpr int64_t Second = 1000 * Millisecond;
inline constexpr int64_t Hour = 3600 * Second;

/// Sleep: time.Sleep (package time, time/sleep.hpp): the goroutine parks
/// on its timer.
using gort::time::Sleep;

/// GOMAXPROCSGuard is `defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(n))`: it
/// sets GOMAXPROCS to n now and restores the previous value when the scope
/// ends.
class GOMAXPROCSGuard {
 public:
  explicit GOMAXPROCSGuard(int n) : old_(runtime::GOMAXPROCS(n)) {}
  ~GOMAXPROCSGuard() { runtime::GOMAXPROCS(old_); }
  GOMAXPROCSGuard(const GOMAXPROCSGuard&) = delete;
  GOMAXPROCSGuard& operator=(const GOMAXPROCSGuard&) = delete;

 private:
  int old_;
};

/// GCPercentGuard is `defer debug.SetGCPercent(debug.SetGCPercent(n))`: it
/// sets GOGC to n now (-1: the collector off) and restores the previous
/// value when the scope ends.
class GCPercentGuard {
 public:
  explicit GCPercentGuard(int n) : old_(gort::debug::SetGCPercent(n)) {}
  ~GCPercentGuard() { gort::debug::SetGCPercent(old_); }
  GCPercentGuard(const GCPercentGuard&) = delete;
  GCPercentGuard& operator=(const GCPercentGuard&) = delete;

 private:
  int old_;
};

/// The result of running one testprog sub-program: its standard output and
/// standard error interleaved (Go: cmd.CombinedOutput) and how it ended.
struct testProgResult {
  std::string output;
  int exitStatus = -1;  // the exit code, or -1 if killed by a signal
  int signal = 0;       // the signal that killed it, or 0
  bool timedOut = false;
};

/// runTestProg runs `$GORT_TESTPROG name` with env (NAME=value entries)
/// added to a cleaned copy of this process's environment, and returns its
/// combined output and status (crash_test.go runTestProg at go1.22.12).
/// Defined in crash_test.cpp, as Go's is in crash_test.go.
testProgResult runTestProg(const std::string& name, const std::vector<std::string>& env = {});
/// describe: how a child ended ("exit status 2"), for messages.
std::string describe(const testProgResult& r);
/// runTestProgReporting: the same, for a test that expects a sanitizer
/// report (runTestProg fails on any).
testProgResult runTestProgReporting(const std::string& name, const std::vector<std::string>& env = {});
/// runCommand: the same for any executable and arguments (crash_test.go's
/// runBuiltTestProg); testprogPath: where testprog is.
testProgResult runCommand(const std::string& exe, const std::vector<std::string>& args,
                          const std::vector<std::string>& env = {}, bool reportsAllowed = false);
std::string testprogPath();

/// testingShort is Go's testing.Short(): whether the tests use the smaller
/// loop counts Go chooses under `go test -short`. It is read once, before
/// main, from the environment variable GORT_TEST_SHORT, which takes the
/// values of Go's -short flag (strconv.ParseBool: 1, t, T, TRUE, true, True,
/// 0, f, F, FALSE, false, False); another value stops gort_test with exit
/// status 2. Unset or empty, it is true.
///
/// Departure: `go test` runs full counts unless given -short. gort_test
/// defaults to short, as Go's builders (all.bash) run the standard library
/// tests: ctest's gort_test_cpu* stay quick, and the ctest of label "full"
/// sets GORT_TEST_SHORT=0 for Go's full counts.
extern const bool testingShort;

}  // namespace gort_test
