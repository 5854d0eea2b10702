// export_test.cpp: the bodies of the hooks declared in export_test.hpp.
//
// Mirrors go1.22.12 runtime/export_test.go (RunSchedLocalQueueTest,
// RunSchedLocalQueueStealTest, RunSchedLocalQueueEmptyTest,
// RunGetgThreadSwitchTest, LockOSCounts, and the sema.go hooks Semacquire,
// Semrelease1, SemNwait, SemTableSize, SemTable) and
// runtime/proc_runtime_test.go (RunStealOrderTest). Like Go's, these hooks work on Ps they allocate
// themselves and report a failure by throwing (a fatal error that ends the
// test binary), not through the test framework.
#include "export_test.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "asan.hpp"
#include "chan.hpp"
#include "go.hpp"
#include "internal/sys/intrinsics.hpp"
#include "lfstack.hpp"
#include "malloc.hpp"
#include "mcache.hpp"
#include "mem.hpp"
#include "metrics.hpp"
#include "mfinal.hpp"
#include "mgc.hpp"
#include "mheap.hpp"
#include "print.hpp"
#include "proc.hpp"
#include "stack.hpp"
#include "netpoll.hpp"
#include "sema.hpp"

namespace runtime {

// export_test.go RunSchedLocalQueueTest at go1.22.12.
void RunSchedLocalQueueTest() {
  std::unique_ptr<p> pp(new p{});
  // The gs never move, as the guintptrs in the queue require (Go: Escape).
  std::unique_ptr<g[]> gs(new g[runqsize]());
  for (uint32 i = 0; i < runqsize; i++) {
    if (auto [gp, _] = runqget(pp.get()); gp != nullptr) {
      throw_("runq is not empty initially");
    }
    for (uint32 j = 0; j < i; j++) {
      runqput(pp.get(), &gs[i], false);
    }
    for (uint32 j = 0; j < i; j++) {
      if (auto [gp, _] = runqget(pp.get()); gp != &gs[i]) {
        print("bad element at iter ", i, "/", j, "\n");
        throw_("bad element");
      }
    }
    if (auto [gp, _] = runqget(pp.get()); gp != nullptr) {
      throw_("runq is not empty afterwards");
    }
  }
}

// export_test.go RunSchedLocalQueueStealTest at go1.22.12.
//
// Departure: Go counts each G's visits in g.sig, a field the port's g does not
// have (it serves signal delivery); the counts live in a side array indexed
// by the G's position in gs.
void RunSchedLocalQueueStealTest() {
  std::unique_ptr<p> p1(new p{});
  std::unique_ptr<p> p2(new p{});
  std::unique_ptr<g[]> gs(new g[runqsize]());
  uint32 sig[runqsize];
  auto sigOf = [&](g* gp) -> uint32& { return sig[gp - gs.get()]; };
  for (uint32 i = 0; i < runqsize; i++) {
    for (uint32 j = 0; j < i; j++) {
      sig[j] = 0;
      runqput(p1.get(), &gs[j], false);
    }
    g* gp = runqsteal(p2.get(), p1.get(), true);
    uint32 s = 0;
    if (gp != nullptr) {
      s++;
      sigOf(gp)++;
    }
    for (;;) {
      gp = std::get<0>(runqget(p2.get()));
      if (gp == nullptr) break;
      s++;
      sigOf(gp)++;
    }
    for (;;) {
      gp = std::get<0>(runqget(p1.get()));
      if (gp == nullptr) break;
      sigOf(gp)++;
    }
    for (uint32 j = 0; j < i; j++) {
      if (sig[j] != 1) {
        print("bad element ", j, "(", sig[j], ") at iter ", i, "\n");
        throw_("bad element");
      }
    }
    if (s != i / 2 && s != i / 2 + 1) {
      print("bad steal ", s, ", want ", i / 2, " or ", i / 2 + 1, ", iter ", i, "\n");
      throw_("bad steal");
    }
  }
}

// export_test.go RunSchedLocalQueueEmptyTest at go1.22.12.
void RunSchedLocalQueueEmptyTest(int iters) {
  auto done = gort::make_chan<bool>(1);
  std::unique_ptr<p> pp(new p{});
  std::unique_ptr<g[]> gs(new g[2]());
  std::unique_ptr<uint32> ready(new uint32(0));
  p* pptr = pp.get();
  uint32* rd = ready.get();
  for (int i = 0; i < iters; i++) {
    *rd = 0;
    bool next0 = (i & 1) == 0;
    bool next1 = (i & 2) == 0;
    runqput(pptr, &gs[0], next0);
    gort::go([=]() {
      for (atomic::Xadd(rd, 1); atomic::Load(rd) != 2;) {
      }
      if (runqempty(pptr)) {
        print("next: ", next0, " ", next1, "\n");
        throw_("queue is empty");
      }
      done.send(true);
    });
    for (atomic::Xadd(rd, 1); atomic::Load(rd) != 2;) {
    }
    runqput(pptr, &gs[1], next1);
    runqget(pptr);
    done.recv();
    runqget(pptr);
  }
}

// proc_runtime_test.go RunStealOrderTest at go1.22.12.
void RunStealOrderTest() {
  randomOrder ord;
  for (uint32 procs = 1; procs <= 64; procs++) {
    ord.reset(procs);
    if (procs >= 3 && ord.ncoprimes < 2) {
      gopanic("too few coprimes");
    }
    for (uint32 co = 0; co < ord.ncoprimes; co++) {
      randomEnum enum_ = ord.start(co);
      std::unique_ptr<bool[]> checked(new bool[procs]());
      for (uint32 pi = 0; pi < procs; pi++) {
        uint32 x = enum_.position();
        if (checked[x]) {
          print("procs: ", procs, " inc: ", enum_.inc, "\n");
          gopanic("duplicate during enumeration");
        }
        checked[x] = true;
        enum_.next();
      }
      if (!enum_.done()) {
        gopanic("not done");
      }
    }
  }
  // Distinct starts must give distinct (pos, inc) pairs until every pair
  // has had its turn.
  for (uint32 procs = 2; procs <= 64; procs++) {
    ord.reset(procs);
    std::unique_ptr<bool[]> checked(new bool[procs * procs]());
    for (uint32 i = 0; i < procs * ord.ncoprimes; i++) {
      randomEnum enum_ = ord.start(i);
      uint32 j = enum_.pos * procs + enum_.inc;
      if (checked[j]) {
        print("procs: ", procs, " pos: ", enum_.pos, " inc: ", enum_.inc, "\n");
        gopanic("duplicate pos+inc during enumeration");
      }
      checked[j] = true;
    }
  }
}

// export_test.go NetpollGenericInit, Netpoll, NetpollBreak and Usleep at
// go1.22.12.
// gort only: AnyGoroutineInSyscall (export_test.hpp).
bool AnyGoroutineInSyscall() {
  // allgs only grows; its length is read atomically, as tracebacks do.
  int64 n = atomic::Load(&allglen);
  for (int64 i = 0; i < n; i++) {
    if ((readgstatus(atomic::Load(&allgs)[i]) & ~uint32(_Gscan)) == _Gsyscall) return true;
  }
  return false;
}

g* Getg() { return getg(); }
bool GIsWaitingOnMutex(g* gp) { return readgstatus(gp) == _Gwaiting && isMutexWait(gp->waitreason); }
void SetCasGStatusAlwaysTrack(bool on) { casgstatusAlwaysTrack = on; }

void NetpollGenericInit() { netpollGenericInit(); }
void Netpoll(int64_t delta) {
  systemstack([delta] { netpoll(delta); });
}
void NetpollBreak() { netpollBreak(); }
void Usleep(uint32_t usec) { usleep(usec); }

// export_test.go RunGetgThreadSwitchTest at go1.22.12. For gort this is the
// check that getg's TLS read is never cached across a switch of threads
// (stubs.hpp: the asm is volatile for that reason).
void RunGetgThreadSwitchTest() {
  auto ch = gort::make_chan<int>();
  gort::go(
      [](gort::chan<int> ch) {
        ch.send(5);
        LockOSThread();
      },
      ch);

  g* g1 = getg();

  // The receive blocks; if the sender runs on this thread and locks it, this
  // goroutine must resume on another thread.
  ch.recv();

  g* g2 = getg();
  if (g1 != g2) {
    gopanic("g1 != g2");
  }

  g* g3 = getg();
  if (g1 != g3) {
    gopanic("g1 != g3");
  }
}

// export_test.go LockOSCounts at go1.22.12.
lockOSCounts LockOSCounts() {
  g* gp = getg();
  if (gp->m->lockedExt + gp->m->lockedInt == 0) {
    if (gp->lockedm) {
      gopanic("lockedm on non-locked goroutine");
    }
  } else {
    if (!gp->lockedm) {
      gopanic("nil lockedm on locked goroutine");
    }
  }
  return {gp->m->lockedExt, gp->m->lockedInt};
}

// export_test.go Semacquire at go1.22.12.
void Semacquire(uint32_t* addr) { semacquire(addr); }

// export_test.go Semrelease1 at go1.22.12.
void Semrelease1(uint32_t* addr, bool handoff, int skipframes) {
  semrelease1(addr, handoff, skipframes);
}

// export_test.go SemNwait at go1.22.12.
uint32_t SemNwait(uint32_t* addr) {
  semaRoot* root = semtable.rootFor(addr);
  return root->nwait.Load();
}

// export_test.go SemTableSize at go1.22.12.
static_assert(SemTableSize == semTabSize, "SemTableSize must be sema.hpp's semTabSize");

// A zeroed table is an empty one, as Go's zero semTable is.
SemTable::SemTable() : semTable_(new semTable{}) {}
SemTable::~SemTable() = default;

// export_test.go SemTable.Enqueue at go1.22.12.
void SemTable::Enqueue(uint32_t* addr) {
  sudog* s = acquireSudog();
  s->releasetime = 0;
  s->acquiretime = 0;
  s->ticket = 0;
  semTable_->rootFor(addr)->queue(addr, s, false);
}

// export_test.go SemTable.Dequeue at go1.22.12.
bool SemTable::Dequeue(uint32_t* addr) {
  auto [s, now, tailtime] = semTable_->rootFor(addr)->dequeue(addr);
  (void)now;
  (void)tailtime;
  if (s != nullptr) {
    releaseSudog(s);
    return true;
  }
  return false;
}

// --- malloc.go, mheap.go, mstats.go -----------------------------------------------

// export_test.go DoubleCheckReadMemStats at go1.22.12.
bool* DoubleCheckReadMemStats = &doubleCheckReadMemStats;

// export_test.go ForceGCPeriod at go1.22.12.
int64_t* ForceGCPeriod = &forcegcperiod;

// export_test.go GCTestIsReachable at go1.22.12.
uint64_t GCTestIsReachable(void** ptrs, int n) { return gcTestIsReachable(ptrs, n); }

// export_test.go GCTestPointerClass at go1.22.12.
std::string GCTestPointerClass(void* p) { return gcTestPointerClass(p); }

// export_test.go ReadMemStatsSlow at go1.22.12.
memStatsPair ReadMemStatsSlow() {
  memStatsPair r{};
  worldStop stw = stopTheWorld(stwForTestReadMemStatsSlow);

  // On the system stack: no stack growth may allocate.
  systemstack([&r] {
    // The statistics must not change.
    getg()->m->mallocing++;

    readmemstats_m(&r.base);

    // slow starts as base, with the recomputed fields cleared.
    r.slow = r.base;
    MemStats& slow = r.slow;
    slow.Alloc = 0;
    slow.TotalAlloc = 0;
    slow.Mallocs = 0;
    slow.Frees = 0;
    slow.HeapReleased = 0;
    struct {
      uint64 Mallocs, Frees;
    } bySize[_NumSizeClasses] = {};

    // What the spans hold now.
    for (int i = 0; i < mheap_.allspans.len; i++) {
      mspan* s = mheap_.allspans[i];
      if (s->state.get() != mSpanInUse) continue;
      // (Go skips unused user arena chunks; the port has no user arenas.)
      if (int8 sizeclass = s->spanclass.sizeclass(); sizeclass == 0) {
        slow.Mallocs++;
        slow.Alloc += uint64(s->elemsize);
      } else {
        slow.Mallocs += uint64(s->allocCount);
        slow.Alloc += uint64(s->allocCount) * uint64(s->elemsize);
        bySize[sizeclass].Mallocs += uint64(s->allocCount);
      }
    }

    // The frees, straight from the statistics.
    heapStatsDelta m{};
    memstats.heapStats.unsafeRead(&m);

    uint64 smallFree = 0;
    for (uintptr i = 0; i < _NumSizeClasses; i++) {
      slow.Frees += m.smallFreeCount[i];
      bySize[i].Frees += m.smallFreeCount[i];
      bySize[i].Mallocs += m.smallFreeCount[i];
      smallFree += m.smallFreeCount[i] * uint64(class_to_size[i]);
    }
    slow.Frees += m.tinyAllocCount + m.largeFreeCount;
    slow.Mallocs += slow.Frees;

    slow.TotalAlloc = slow.Alloc + m.largeFree + smallFree;

    for (size_t i = 0; i < sizeof(slow.BySize) / sizeof(slow.BySize[0]); i++) {
      slow.BySize[i].Mallocs = bySize[i].Mallocs;
      slow.BySize[i].Frees = bySize[i].Frees;
    }

    for (chunkIdx i = mheap_.pages.start; i < mheap_.pages.end; i++) {
      pallocData* chunk = mheap_.pages.tryChunkOf(i);
      if (chunk == nullptr) continue;
      uint pg = chunk->scavenged.popcntRange(0, pallocChunkPages);
      slow.HeapReleased += uint64(pg) * pageSize;
    }
    for (int32 i = 0; i < allplen; i++) {
      int pg = sys::OnesCount64(allp[i]->pcache.scav);
      slow.HeapReleased += uint64(pg) * pageSize;
    }

    getg()->m->mallocing--;
  });

  startTheWorld(stw);
  return r;
}

// export_test.go TimeHistogram.Count at go1.22.12.
std::pair<uint64_t, bool> TimeHistogram::Count(int bucket, int subBucket) {
  if (bucket < 0) return {underflow.Load(), false};
  int i = bucket * TimeHistNumSubBuckets + subBucket;
  if (i >= int(sizeof(counts) / sizeof(counts[0]))) return {overflow.Load(), false};
  return {counts[i].Load(), true};
}

// export_test.go TimeHistogramMetricsBuckets at go1.22.12.
gort::slice<double> TimeHistogramMetricsBuckets() { return timeHistogramMetricsBuckets(); }

// export_test.go ReadMetricsSlow at go1.22.12.
void ReadMetricsSlow(MemStats* memStats, metricSample* samplesp, int len, int cap) {
  worldStop stw = stopTheWorld(stwForTestReadMetricsSlow);

  // Before anything is read: initMetrics may allocate.
  metricsLock();
  initMetrics();

  systemstack([&] {
    // (Go lends g0 the goroutine's race context here, for the map lookups
    // readMetricsLocked makes; the port's table is no map.)

    // A first read: a read allocates (a histogram) only the first time it
    // is given a sample, so the read below cannot allocate between the two
    // sets of statistics.
    readMetricsLocked(samplesp, len, cap);

    // MemStats first: it flushes the mcaches, which a metrics read does not.
    readmemstats_m(memStats);

    // Then the metrics again, still on the system stack, where no stack is
    // allocated in between.
    readMetricsLocked(samplesp, len, cap);
  });
  metricsUnlock();

  startTheWorld(stw);
}

// export_test.go CountPagesInUse at go1.22.12.
pagesInUseCount CountPagesInUse() {
  pagesInUseCount r{};
  worldStop stw = stopTheWorld(stwForTestCountPagesInUse);

  r.pagesInUse = mheap_.pagesInUse.Load();

  for (int i = 0; i < mheap_.allspans.len; i++) {
    mspan* s = mheap_.allspans[i];
    if (s->state.get() == mSpanInUse) r.counted += s->npages;
  }

  startTheWorld(stw);
  return r;
}

// export_test.go CheckScavengedBitsCleared at go1.22.12.
scavengedBitsResult CheckScavengedBitsCleared(BitsMismatch* mismatches, int len) {
  scavengedBitsResult r{0, true};

  // On the system stack, which the heap lock needs.
  systemstack([&] {
    getg()->m->mallocing++;

    // The bitmaps are read under the heap lock.
    lock(&mheap_.lock);
    for (chunkIdx i = mheap_.pages.start; i < mheap_.pages.end; i++) {
      pallocData* chunk = mheap_.pages.tryChunkOf(i);
      if (chunk == nullptr) continue;
      bool full = false;
      for (uintptr j = 0; j < pallocChunkPages / 64; j++) {
        // A page both in use and scavenged is a bug (or an accounting
        // error).
        uint64 want = chunk->scavenged[j] & ~static_cast<pallocBits&>(*chunk)[j];
        uint64 got = chunk->scavenged[j];
        if (want != got) {
          r.ok = false;
          if (r.n >= len) {
            full = true;
            break;
          }
          mismatches[r.n] = BitsMismatch{chunkBase(i) + uintptr(j) * 64 * pageSize, got, want};
          r.n++;
        }
      }
      if (full) break;
    }
    unlock(&mheap_.lock);

    getg()->m->mallocing--;
  });
  return r;
}

// export_test.go PageCachePagesLeaked at go1.22.12.
uintptr_t PageCachePagesLeaked() {
  uintptr leaked = 0;
  worldStop stw = stopTheWorld(stwForTestPageCachePagesLeaked);

  // The destroyed Ps, past len(allp); some slots may be nil.
  for (int32 i = allplen; i < allpcap; i++) {
    p* pp = allp[i];
    if (pp != nullptr) leaked += uintptr(sys::OnesCount64(pp->pcache.cache));
  }

  startTheWorld(stw);
  return leaked;
}

// export_test.go KeepNArenaHints at go1.22.12.
void KeepNArenaHints(int n) {
  arenaHint* hint = mheap_.arenaHints;
  for (int i = 1; i < n; i++) {
    hint = hint->next;
    if (hint == nullptr) return;
  }
  hint->next = nullptr;
}

// export_test.go MapNextArenaHint at go1.22.12.
arenaHintMapping MapNextArenaHint() {
  arenaHintMapping r{};
  arenaHint* hint = mheap_.arenaHints;
  uintptr addr = hint->addr;
  if (hint->down) {
    r.start = addr - heapArenaBytes;
    r.end = addr;
    addr -= physPageSize;
  } else {
    r.start = addr;
    r.end = addr + heapArenaBytes;
  }
  void* got = sysReserve(reinterpret_cast<void*>(addr), physPageSize);
  r.ok = addr == uintptr(got);
  if (!r.ok) {
    // Not where it was asked for: give it back.
    sysFreeOS(got, physPageSize);
  }
  return r;
}

// export_test.go GetNextArenaHint at go1.22.12.
uintptr_t GetNextArenaHint() { return mheap_.arenaHints->addr; }

// export_test.go Acquirem and Releasem at go1.22.12.
void Acquirem() { acquirem(); }
void Releasem() { releasem(getg()->m); }

// export_test.go FinalizerGAsleep at go1.22.12.
bool FinalizerGAsleep() { return (fingStatus.Load() & fingWait) != 0; }

// export_test.go PreemptMSupported at go1.22.12 (a constant there).
bool PreemptMSupported() { return debug.asyncpreemptoff == 0; }

// export_test.go BlockUntilEmptyFinalizerQueue at go1.22.12.
bool BlockUntilEmptyFinalizerQueue(int64_t timeout) { return blockUntilEmptyFinalizerQueue(timeout); }

// export_test.go PhysPageSize at go1.22.12 (a variable there).
uintptr_t PhysPageSize() { return physPageSize; }

// export_test.go GCMask at go1.22.12, for heap objects (getgcmask's
// Departure: the port has no data, bss or stack maps).
std::vector<uint8_t> GCMaskOf(void* p, const _type* et) {
  foundObject fo = findObject(uintptr(p), 0, 0);
  if (fo.base == 0) return {};
  std::vector<uint8_t> mask(fo.s->elemsize / sizeof(uintptr));
  int n = getgcmask(p, et, mask.data(), int(mask.size()));
  mask.resize(n);
  return mask;
}

// --- stack.go (port only) ---------------------------------------------------------

void PreemptAtNextCall() {
  g* gp = getg();
  gp->preempt = true;
  gp->stackguard0 = stackPreempt;
  setTLSGuard(stackPreempt);
}

StackSegmentInfo CurrentStackSegments() {
  g* gp = getg();
  StackSegmentInfo r{};
  r.inuse = 1;
  for (stktop* t = gp->stackseg; t != nullptr; t = t->down) r.inuse++;
  for (stktop* t = gp->stackseg != nullptr ? gp->stackseg->up : gp->stackup; t != nullptr; t = t->up) r.spares++;
  r.inuseBytes = stackInUse(gp);
  r.current = gp->stack_.hi - gp->stack_.lo;
  r.gcStarted = work.cycles.Load();
  r.gcEnded = atomic::detail::racyLoad(&memstats.numgc);  // written with the world stopped
  return r;
}

StackSpanInfo CurrentStackSpan() {
  g* gp = getg();
  StackSpanInfo r{};
  r.lo = gp->stack_.lo;
  r.hi = gp->stack_.hi;
  mspan* s = spanOf(r.lo);
  if (s == nullptr) {
    r.state = "nil";
    return r;
  }
  r.base = s->base();
  r.end = s->base() + s->npages * pageSize;
  r.sameSpan = spanOf(r.hi - 1) == s;
  r.state = mSpanStateNames[s->state.get()];
  r.elemsize = s->elemsize;
  r.fixedStack = fixedStack;
  r.stackCacheSize = _StackCacheSize;
  return r;
}

StackSpanRoundTripResult StackSpanRoundTrip(int n) {
  StackSpanRoundTripResult r{0, 0};
  systemstack([&] {
    constexpr int max = 512;
    stack st[max];
    if (n > max) throw_("StackSpanRoundTrip: n > 512");
    if (gcphase != _GCoff) {
      r.wrote = -1;
      return;
    }
    for (int i = 0; i < n; i++) st[i] = stackalloc(uint32(fixedStack));
    // The spans wholly ours: each stack span holds _StackCacheSize /
    // fixedStack stacks, so a span with that many of ours has no other.
    {
      constexpr int perSpan = int(_StackCacheSize / fixedStack);
      mspan* seen[max];
      int count[max];
      int nseen = 0;
      for (int i = 0; i < n; i++) {
        mspan* s = spanOf(st[i].lo);
        int j = 0;
        while (j < nseen && seen[j] != s) j++;
        if (j == nseen) {
          seen[nseen] = s;
          count[nseen++] = 0;
        }
        if (++count[j] == perSpan) r.ownSpans++;
      }
    }
    for (int i = 0; i < n; i++) stackfree(st[i]);
    m* mp = acquirem();
    stackcache_clear(mp->p.ptr()->mcache);
    releasem(mp);
    lock(&mheap_.lock);
    for (int i = 0; i < n; i++) {
      uintptr lo = st[i].lo;
      mspan* s = spanOf(lo);
      mSpanState state = s == nullptr ? mSpanDead : s->state.get();
      bool live = s != nullptr && state != mSpanDead && s->base() <= lo && lo < s->base() + s->npages * pageSize;
      if (live) continue;
      // Free pages: nobody's. (Poisoned for AddressSanitizer by stackfree.)
      asanunpoison(reinterpret_cast<void*>(lo), 1);
      *reinterpret_cast<volatile uint8*>(lo) = 0;
      asanpoison(reinterpret_cast<void*>(lo), 1);
      r.wrote++;
    }
    unlock(&mheap_.lock);
  });
  return r;
}

// --- lfstack.go -------------------------------------------------------------------

static_assert(sizeof(LFNode) == sizeof(lfnode) && offsetof(LFNode, Next) == offsetof(lfnode, next) &&
                  offsetof(LFNode, Pushcnt) == offsetof(lfnode, pushcnt),
              "LFNode must be lfnode with exported names");

// export_test.go LFStackPush, LFStackPop, LFNodeValidate at go1.22.12.
void LFStackPush(uint64_t* head, LFNode* node) {
  reinterpret_cast<lfstack*>(head)->push(reinterpret_cast<lfnode*>(node));
}
LFNode* LFStackPop(uint64_t* head) { return static_cast<LFNode*>(reinterpret_cast<lfstack*>(head)->pop()); }
void LFNodeValidate(LFNode* node) { lfnodeValidate(reinterpret_cast<lfnode*>(node)); }

// gort only: WaitForMark (export_test.hpp).
void WaitForMark() { gcWaitOnMark(work.cycles.Load()); }

// gort only: GCCPULimiterLastEnabledCycle (export_test.hpp).
uint32_t GCCPULimiterLastEnabledCycle() { return gcCPULimiter.lastEnabledCycle.Load(); }

// gort only: GCCPULimiterDescribe (export_test.hpp). The limiter's
// bucket and flags are read under its own try-lock, which every writer of
// them holds (a relaxed read beside their plain writes is still a data
// race: ThreadSanitizer reported it); the pacer's fields, written with the
// world stopped, are read racily (relaxed): a report, not a decision.
// The lock is held with preemption off (acquirem), as the runtime's own
// holders hold it: gcStart stops the world and then takes the lock with a
// tryLock that throws "failed to acquire lock to start a GC transition" if
// it fails, so a goroutine preempted while holding it ends the program.
std::string GCCPULimiterDescribe() {
  using atomic::detail::racyLoad;
  gcCPULimiterState& l = gcCPULimiter;
  m* mp;
  for (;;) {
    mp = acquirem();
    if (l.tryLock()) break;
    releasem(mp);
    Gosched();
  }
  uint64 fill = l.bucket.fill, capacity = l.bucket.capacity;
  bool gcEnabled = l.gcEnabled, transitioning = l.transitioning;
  l.unlock();
  releasem(mp);
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "limiter: fill=%llu capacity=%llu enabled=%d gcEnabled=%d transitioning=%d sinceUpdate=%lldns; "
                "cycle %u, gcphase %u; pacer: heapMarked=%llu heapLive=%llu heapGoal=%llu assistWorkPerByte=%.3f",
                (unsigned long long)fill, (unsigned long long)capacity, int(l.enabled.Load()), int(gcEnabled),
                int(transitioning),
                (long long)(nanotime() - l.lastUpdate.Load()), unsigned(racyLoad(&memstats.numgc)),
                unsigned(racyLoad(&gcphase)), (unsigned long long)racyLoad(&gcController.heapMarked),
                (unsigned long long)gcController.heapLive.Load(), (unsigned long long)gcController.heapGoal(),
                gcController.assistWorkPerByte.Load());
  return buf;
}

// gort only: SyscallTicks (export_test.hpp). allp is read under allpLock,
// the lock that P-less readers of it take (retake does).
uint64_t SyscallTicks() {
  uint64_t n = 0;
  lock(&allpLock);
  for (int32 i = 0; i < allplen; i++) n += allp[i]->syscalltick.load();
  unlock(&allpLock);
  return n;
}

// gort only: DescribePollDeadline (export_test.hpp). Every field is read
// without its lock, relaxed: the owners keep changing them.
std::string DescribePollDeadline(uintptr_t runtimeCtx) {
  using atomic::detail::racyLoad;
  auto* pd = reinterpret_cast<pollDesc*>(runtimeCtx);
  std::string out;
  char buf[512];
  int64 now = nanotime();
  p* tp = pd->rt.pp.ptr();
  // A deadline is printed relative to now; -1 (passed) and 0 (none) as is.
  auto rel = [now](int64 d) { return (long long)(d > 0 ? d - now : d); };
  std::snprintf(buf, sizeof buf,
                "pd: rd=%+lldns wd=%+lldns rseq=%llu rg=%#llx; rt: status=%u f=%s pp=%d when=%+lldns nextwhen=%+lldns "
                "seq=%llu\n",
                rel(racyLoad(&pd->rd)), rel(racyLoad(&pd->wd)),
                (unsigned long long)racyLoad(&pd->rseq), (unsigned long long)pd->rg.Load(),
                unsigned(pd->rt.status.Load()), racyLoad(&pd->rt.f) == nullptr ? "nil" : "set",
                tp == nullptr ? -1 : int(tp->id), rel(racyLoad(&pd->rt.when)),
                rel(racyLoad(&pd->rt.nextwhen)), (unsigned long long)racyLoad(&pd->rt.seq));
  out += buf;
  std::snprintf(buf, sizeof buf,
                "sched: lastpoll=%lld pollUntil=%+lldns npidle=%d nmspinning=%d nmidle=%d sysmonwait=%d\n",
                (long long)sched.lastpoll.Load(), rel(sched.pollUntil.Load()), int(sched.npidle.Load()),
                int(sched.nmspinning.Load()), int(racyLoad(&sched.nmidle)), int(sched.sysmonwait.Load()));
  out += buf;
  int32 n = racyLoad(&allplen);
  for (int32 i = 0; i < n; i++) {
    p* pp = racyLoad(&allp[i]);
    m* mp = pp->m.ptr();
    std::snprintf(buf, sizeof buf,
                  "P%d: status=%u m=%lld schedtick=%u syscalltick=%u numTimers=%u deletedTimers=%u timer0When=%+lldns "
                  "modifiedEarliest=%+lldns timerpMask=%u curg=%lld\n",
                  int(i), unsigned(pp->status.load()), mp == nullptr ? -1LL : (long long)mp->id,
                  unsigned(pp->schedtick.load()), unsigned(pp->syscalltick.load()), unsigned(pp->numTimers.Load()),
                  unsigned(pp->deletedTimers.Load()), rel(pp->timer0When.Load()),
                  rel(pp->timerModifiedEarliest.Load()), unsigned((atomic::Load(&timerpMask[i / 32]) >> (i % 32)) & 1),
                  mp == nullptr || mp->curg.load() == nullptr ? -1LL : (long long)mp->curg.load()->goid);
    out += buf;
  }
  return out;
}

// gort only: WriteBarrierRecords (export_test.hpp).
std::vector<uintptr_t> WriteBarrierRecords(void (*f)(void*), void* arg) {
  // Outside a cycle only: the barrier is switched back off below, and a
  // mark needs it on (a cycle may start at any time: GORT_GCSTRESS).
  worldStop stw = stopTheWorldGC(stwUnknown);
  wbBuf& b = getg()->m->p.ptr()->wbBuf_;
  b.reset();
  writeBarrier.enabled = true;
  f(arg);
  writeBarrier.enabled = false;
  uintptr* first = &b.buf[0];
  std::vector<uintptr_t> r(first, reinterpret_cast<uintptr*>(b.next));
  b.reset();
  startTheWorldGC(stw);
  return r;
}

// gort only: AsyncStoppedHolds (export_test.hpp). The same walk as
// gcScanAsyncStopped, reading words instead of greying them: greying outside
// a cycle would leave mark bits that the next cycle takes for its own.
// Another goroutine's stack holds ASan's redzones, which the scan reads as
// the collector's does (mgcmark.cpp's GC_SCAN_ATTR).
__attribute__((no_sanitize("address", "thread"), noinline)) static bool stackHolds(g* gp, uintptr obj) {
  for (uintptr w = gp->sched.sp; w + sizeof(uintptr) <= gp->stack_.hi; w += sizeof(uintptr)) {
    if (*reinterpret_cast<uintptr*>(w) == obj) return true;
  }
  return false;
}

bool AsyncStoppedHolds(uintptr_t obj, int* stopped) {
  worldStop stw = stopTheWorldGC(stwUnknown);
  bool found = false;
  int n = 0;
  for (int64 i = 0; i < allglen; i++) {
    g* gp = allgs[i];
    if (!gp->asyncSafePoint) continue;
    n++;
    if (stackHolds(gp, obj)) found = true;
  }
  startTheWorldGC(stw);
  *stopped = n;
  return found;
}

// export_test.go PersistentAlloc at go1.22.12.
void* PersistentAlloc(uintptr_t n) { return persistentalloc(n, 0, &memstats.other_sys); }

}  // namespace runtime

namespace gort_test {

namespace {

/// The value of GORT_TEST_SHORT, parsed as Go's flag package parses -short
/// (strconv.ParseBool).
bool readTestingShort() {
  const char* v = std::getenv("GORT_TEST_SHORT");
  if (v == nullptr || *v == '\0') return true;
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"})
    if (std::strcmp(v, t) == 0) return true;
  for (const char* f : {"0", "f", "F", "FALSE", "false", "False"})
    if (std::strcmp(v, f) == 0) return false;
  std::fprintf(stderr, "invalid value \"%s\" for GORT_TEST_SHORT: want a boolean (1, true, 0, false)\n", v);
  ::_exit(2);
}

}  // namespace

const bool testingShort = readTestingShort();

}  // namespace gort_test
