// mstats.cpp: the memory statistics, mirroring mstats.go at go1.22.12:
// ReadMemStats and its body readmemstats_m, the flush of every P's mcache
// before a read, and consistentHeapStats, the counters that are kept
// consistent with each other. See mstats.hpp for [heapstats-seq] and
// [memstats-sum]; the GC's own statistics (readGCStats, cpuStats) come
// with the collector.
#include "mstats.hpp"

#include "lockrank_off.hpp"
#include "malloc.hpp"
#include "mcache.hpp"
#include "mgcpacer.hpp"
#include "mgcscavenge.hpp"
#include "mheap.hpp"
#include "proc.hpp"
#include "runtime.hpp"
#include "slice.hpp"

namespace runtime {

namespace {
// The checks of mstats.go's init: heapStats' alignment for 64-bit atomics.
static_assert(offsetof(mstats, heapStats) % 8 == 0, "memstats.heapStats not aligned to 8 bytes");
static_assert(sizeof(heapStatsDelta) % 8 == 0, "heapStatsDelta not a multiple of 8 bytes in size");
}  // namespace

/// ReadMemStats: fill in *m with the allocator's statistics as of now. The
/// world is stopped while they are read. \gosrc{mstats.go,ReadMemStats}
void ReadMemStats(MemStats* m) {
  (void)m->Alloc;  // a nil m faults here, on the caller's stack
  worldStop stw = stopTheWorld(stwReadMemStats);

  systemstack([&] { readmemstats_m(m); });

  startTheWorld(stw);
}

/// readmemstats_m: ReadMemStats' body, with the world stopped: flush every
/// mcache, then read the consistent stats and the sysMemStats and derive
/// MemStats' fields from them ([memstats-sum]).
/// \gosrc{mstats.go,readmemstats_m}
void readmemstats_m(MemStats* stats) {
  assertWorldStopped();

  // Every mcache's spans back to the mcentrals, and their counts into the
  // consistent stats.
  systemstack([] { flushallmcaches(); });

  // The consistent stats are the source of truth for what follows. The
  // live objects and bytes are what was allocated less what was freed.
  heapStatsDelta consStats{};
  memstats.heapStats.unsafeRead(&consStats);

  // Large objects.
  uint64 totalAlloc = consStats.largeAlloc;
  uint64 nMalloc = consStats.largeAllocCount;
  uint64 totalFree = consStats.largeFree;
  uint64 nFree = consStats.largeFreeCount;

  // Small objects, by size class.
  struct {
    uint32 Size;
    uint64 Mallocs;
    uint64 Frees;
  } bySize[_NumSizeClasses];
  for (uintptr i = 0; i < _NumSizeClasses; i++) {
    bySize[i].Size = uint32(class_to_size[i]);

    uint64 a = consStats.smallAllocCount[i];
    totalAlloc += a * uint64(class_to_size[i]);
    nMalloc += a;
    bySize[i].Mallocs = a;

    uint64 f = consStats.smallFreeCount[i];
    totalFree += f * uint64(class_to_size[i]);
    nFree += f;
    bySize[i].Frees = f;
  }

  // Tiny allocations count as both allocated and freed (their blocks are
  // counted as size-class objects already); so Go has always reported.
  nFree += consStats.tinyAllocCount;
  nMalloc += consStats.tinyAllocCount;

  // Derived values.
  uint64 stackInUse = uint64(consStats.inStacks);
  uint64 gcWorkBufInUse = uint64(consStats.inWorkBufs);
  uint64 gcProgPtrScalarBitsInUse = uint64(consStats.inPtrScalarBits);

  uint64 totalMapped = gcController.heapInUse.load() + gcController.heapFree.load() +
                       gcController.heapReleased.load() + memstats.stacks_sys.load() +
                       memstats.mspan_sys.load() + memstats.mcache_sys.load() + memstats.buckhash_sys.load() +
                       memstats.gcMiscSys.load() + memstats.other_sys.load() + stackInUse + gcWorkBufInUse +
                       gcProgPtrScalarBitsInUse;

  uint64 heapGoal = gcController.heapGoal();

  if (doubleCheckReadMemStats) {
    // With the world stopped the consistent stats must equal their
    // counterparts among gcController's. (Go also holds sched.sysmonlock and
    // trace.lock here so that sysmon and the tracer cannot move them; the
    // port's sysmon does not touch these counters and there is no tracer.)
    if (gcController.heapInUse.load() != uint64(consStats.inHeap)) {
      print("runtime: heapInUse=", gcController.heapInUse.load(), "\n");
      print("runtime: consistent value=", consStats.inHeap, "\n");
      throw_("heapInUse and consistent stats are not equal");
    }
    if (gcController.heapReleased.load() != uint64(consStats.released)) {
      print("runtime: heapReleased=", gcController.heapReleased.load(), "\n");
      print("runtime: consistent value=", consStats.released, "\n");
      throw_("heapReleased and consistent stats are not equal");
    }
    uint64 heapRetained = gcController.heapInUse.load() + gcController.heapFree.load();
    uint64 consRetained =
        uint64(consStats.committed - consStats.inStacks - consStats.inWorkBufs - consStats.inPtrScalarBits);
    if (heapRetained != consRetained) {
      print("runtime: global value=", heapRetained, "\n");
      print("runtime: consistent value=", consRetained, "\n");
      throw_("measures of the retained heap are not equal");
    }
    if (gcController.totalAlloc.Load() != totalAlloc) {
      print("runtime: totalAlloc=", gcController.totalAlloc.Load(), "\n");
      print("runtime: consistent value=", totalAlloc, "\n");
      throw_("totalAlloc and consistent stats are not equal");
    }
    if (gcController.totalFree.Load() != totalFree) {
      print("runtime: totalFree=", gcController.totalFree.Load(), "\n");
      print("runtime: consistent value=", totalFree, "\n");
      throw_("totalFree and consistent stats are not equal");
    }
    // And mappedReady is what is mapped less what is released.
    if (gcController.mappedReady.Load() != totalMapped - uint64(consStats.released)) {
      print("runtime: mappedReady=", gcController.mappedReady.Load(), "\n");
      print("runtime: totalMapped=", totalMapped, "\n");
      print("runtime: released=", uint64(consStats.released), "\n");
      print("runtime: totalMapped-released=", totalMapped - uint64(consStats.released), "\n");
      throw_("mappedReady and other memstats are not equal");
    }
  }

  // The fields.
  stats->Alloc = totalAlloc - totalFree;
  stats->TotalAlloc = totalAlloc;
  stats->Sys = totalMapped;
  stats->Mallocs = nMalloc;
  stats->Frees = nFree;
  stats->HeapAlloc = totalAlloc - totalFree;
  stats->HeapSys = gcController.heapInUse.load() + gcController.heapFree.load() + gcController.heapReleased.load();
  // HeapIdle is heap memory holding no objects, which includes memory that
  // could become stacks: HeapSys - heapInUse = heapFree + heapReleased.
  stats->HeapIdle = gcController.heapFree.load() + gcController.heapReleased.load();
  stats->HeapInuse = gcController.heapInUse.load();
  stats->HeapReleased = gcController.heapReleased.load();
  stats->HeapObjects = nMalloc - nFree;
  stats->StackInuse = stackInUse;
  // stacks_sys counts only stacks mapped directly from the OS; the stack
  // spans are added for the user.
  stats->StackSys = stackInUse + memstats.stacks_sys.load();
  stats->MSpanInuse = uint64(mheap_.spanalloc.inuse);
  stats->MSpanSys = memstats.mspan_sys.load();
  stats->MCacheInuse = uint64(mheap_.cachealloc.inuse);
  stats->MCacheSys = memstats.mcache_sys.load();
  stats->BuckHashSys = memstats.buckhash_sys.load();
  // GCSys covers all of the memory manager's metadata.
  stats->GCSys = memstats.gcMiscSys.load() + gcWorkBufInUse + gcProgPtrScalarBitsInUse;
  stats->OtherSys = memstats.other_sys.load();
  stats->NextGC = heapGoal;
  stats->LastGC = memstats.last_gc_unix;
  stats->PauseTotalNs = memstats.pause_total_ns;
  for (int i = 0; i < 256; i++) {
    stats->PauseNs[i] = memstats.pause_ns[i];
    stats->PauseEnd[i] = memstats.pause_end[i];
  }
  stats->NumGC = memstats.numgc;
  stats->NumForcedGC = memstats.numforcedgc;
  stats->GCCPUFraction = memstats.gc_cpu_fraction;
  stats->EnableGC = true;

  // MemStats.BySize has 61 entries, fixed for compatibility; copy what fits.
  constexpr uintptr nBySize = sizeof(stats->BySize) / sizeof(stats->BySize[0]);
  for (uintptr i = 0; i < nBySize && i < _NumSizeClasses; i++) {
    stats->BySize[i].Size = bySize[i].Size;
    stats->BySize[i].Mallocs = bySize[i].Mallocs;
    stats->BySize[i].Frees = bySize[i].Frees;
  }
}

/// readGCStats: runtime/debug.ReadGCStats' source (debug/stubs.hpp). Its
/// slice must have room for the whole pause history twice over plus three
/// words; it comes back holding the recent pauses (newest first), their end
/// times, then the last collection's Unix time, the number of collections
/// and the total pause, all in nanoseconds. \gosrc{mstats.go,readGCStats}
void readGCStats(slice* pauses) LINKNAME("runtime..z2fdebug.readGCStats");
void readGCStats(slice* pauses) {
  systemstack([pauses] { readGCStats_m(pauses); });
}

/// readGCStats_m: readGCStats' body. On the system stack because it takes
/// mheap_.lock; gcMarkTermination writes the history with the world
/// stopped, so the copy is one collection's state.
/// \gosrc{mstats.go,readGCStats_m}
SYSTEMSTACK void readGCStats_m(slice* pauses) {
  systemstackcheck();
  constexpr uint32 npause = sizeof(memstats.pause_ns) / sizeof(memstats.pause_ns[0]);
  // runtime/debug sizes the buffer; a short one is the caller's bug.
  if (uint32(pauses->cap) < npause + 3) throw_("short slice passed to readGCStats");
  auto* p = static_cast<uint64*>(pauses->array);

  lock(&mheap_.lock);
  uint32 n = memstats.numgc;
  if (n > npause) n = npause;
  // pause_ns is a ring: the newest pause is at (numgc-1) % npause, older
  // ones before it. Hand them out newest first.
  for (uint32 i = 0; i < n; i++) {
    uint32 j = (memstats.numgc - 1 - i) % npause;
    p[i] = memstats.pause_ns[j];
    p[n + i] = memstats.pause_end[j];
  }
  p[n + n] = memstats.last_gc_unix;
  p[n + n + 1] = uint64(memstats.numgc);
  p[n + n + 2] = memstats.pause_total_ns;
  unlock(&mheap_.lock);
  pauses->len = int(n + n + 3);
}

/// flushmcache: flush allp[i]'s mcache. The world is stopped.
/// \gosrc{mstats.go,flushmcache}
void flushmcache(int i) {
  assertWorldStopped();

  p* pp = allp[i];
  struct mcache* c = pp->mcache;
  if (c == nullptr) return;
  c->releaseAll();
  stackcache_clear(c);
}

/// flushallmcaches: flush every P's mcache. The world is stopped.
/// \gosrc{mstats.go,flushallmcaches}
void flushallmcaches() {
  assertWorldStopped();

  for (int i = 0; i < int(gomaxprocs); i++) flushmcache(i);
}

/// merge: add b's deltas to a's. \gosrc{mstats.go,heapStatsDelta.merge}
void heapStatsDelta::merge(heapStatsDelta* b) {
  committed += b->committed;
  released += b->released;
  inHeap += b->inHeap;
  inStacks += b->inStacks;
  inWorkBufs += b->inWorkBufs;
  inPtrScalarBits += b->inPtrScalarBits;

  tinyAllocCount += b->tinyAllocCount;
  largeAlloc += b->largeAlloc;
  largeAllocCount += b->largeAllocCount;
  for (uintptr i = 0; i < _NumSizeClasses; i++) smallAllocCount[i] += b->smallAllocCount[i];
  largeFree += b->largeFree;
  largeFreeCount += b->largeFreeCount;
  for (uintptr i = 0; i < _NumSizeClasses; i++) smallFreeCount[i] += b->smallFreeCount[i];
}

/// acquire: the delta to add to (atomically), until release; this P's
/// statsSeq becomes odd, or without a P noPLock is held ([heapstats-seq]).
/// The P must not change before release. NOSPLIT: a stack growth here
/// could allocate and acquire again. \gosrc{mstats.go,consistentHeapStats.acquire}
heapStatsDelta* consistentHeapStats::acquire() {
  if (p* pp = getg()->m->p.ptr(); pp != nullptr) {
    uint32 seq = pp->statsSeq.Add(1);
    if (seq % 2 == 0) {
      // It must have become odd.
      print("runtime: seq=", seq, "\n");
      throw_("bad sequence number");
    }
  } else {
    lock(&noPLock);
  }
  uint32 gen_ = gen.Load() % 3;
  return &stats[gen_];
}

/// release: done with the delta acquire returned. NOSPLIT, as acquire.
/// \gosrc{mstats.go,consistentHeapStats.release}
void consistentHeapStats::release() {
  if (p* pp = getg()->m->p.ptr(); pp != nullptr) {
    uint32 seq = pp->statsSeq.Add(1);
    if (seq % 2 != 0) {
      // It must have become even.
      print("runtime: seq=", seq, "\n");
      throw_("bad sequence number");
    }
  } else {
    unlock(&noPLock);
  }
}

/// unsafeRead: the sum of all three deltas, with no synchronisation: the
/// world must be stopped. \gosrc{mstats.go,consistentHeapStats.unsafeRead}
void consistentHeapStats::unsafeRead(heapStatsDelta* out) {
  assertWorldStopped();

  for (int i = 0; i < 3; i++) out->merge(&stats[i]);
}

/// unsafeClear: zero all deltas, with the world stopped (their values must
/// have been moved elsewhere first). \gosrc{mstats.go,consistentHeapStats.unsafeClear}
void consistentHeapStats::unsafeClear() {
  assertWorldStopped();

  for (int i = 0; i < 3; i++) stats[i] = heapStatsDelta{};
}

/// read: a consistent snapshot of the totals, into out, without stopping
/// the world: rotate gen, wait until no P writes the old generation, fold
/// the one before into it. One reader at a time (the world stopped, or
/// metricsSema held). \gosrc{mstats.go,consistentHeapStats.read}
void consistentHeapStats::read(heapStatsDelta* out) {
  // No stop-the-world may change allp under this.
  m* mp = acquirem();

  // gen is changed only by readers, and this is the only one.
  uint32 currGen = gen.Load();
  uint32 prevGen = currGen - 1;
  if (currGen == 0) prevGen = 2;

  // Writers without a P wait while gen moves.
  lock(&noPLock);

  // Writers move to the next delta: a snapshot of this one.
  gen.Swap((currGen + 1) % 3);

  // Writers without a P write the next generation now.
  unlock(&noPLock);

  for (int32 i = 0; i < allplen; i++) {
    // Wait for each P's writer, if any, to finish ([heapstats-seq]).
    while (allp[i]->statsSeq.Load() % 2 != 0) {
    }
  }

  // Nobody writes stats[currGen] or stats[prevGen] now. Fold prevGen into
  // currGen and clear it for the rotation after next.
  stats[currGen].merge(&stats[prevGen]);
  stats[prevGen] = heapStatsDelta{};

  // The totals.
  *out = stats[currGen];

  releasem(mp);
}

/// accumulate: add the collector's and the scavenger's counters to s and
/// recompute the totals up to now. The mark's counters are read only in the
/// mark phase (gcMarkPhase): they are stale otherwise. The pauses are added
/// by gcStart and gcMarkTermination themselves.
/// \gosrc{mstats.go,cpuStats.accumulate}
void cpuStats::accumulate(int64 now, bool gcMarkPhase) {
  int64 markAssistCpu = 0;
  int64 markDedicatedCpu = 0;
  int64 markFractionalCpu = 0;
  int64 markIdleCpu = 0;
  if (gcMarkPhase) {
    markAssistCpu = gcController.assistTime.Load();
    markDedicatedCpu = gcController.dedicatedMarkTime.Load();
    markFractionalCpu = gcController.fractionalMarkTime.Load();
    markIdleCpu = gcController.idleMarkTime.Load();
  }

  int64 scavAssistCpu = scavenge.assistTime.Load();
  int64 scavBgCpu = scavenge.backgroundTime.Load();

  gcAssistTime += markAssistCpu;
  gcDedicatedTime += markDedicatedCpu + markFractionalCpu;
  gcIdleTime += markIdleCpu;
  gcTotalTime += markAssistCpu + markDedicatedCpu + markFractionalCpu + markIdleCpu;

  scavengeAssistTime += scavAssistCpu;
  scavengeBgTime += scavBgCpu;
  scavengeTotalTime += scavAssistCpu + scavBgCpu;

  totalTime = sched.totaltime + (now - sched.procresizetime) * int64(gomaxprocs);
  idleTime += sched.idleTime.Load();

  // The rest is the user's (with the scheduler and the sweep in it).
  userTime = totalTime - (gcTotalTime + scavengeTotalTime + idleTime);
}

}  // namespace runtime
