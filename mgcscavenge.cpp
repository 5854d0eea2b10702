// mgcscavenge.cpp: scavenging, mirroring mgcscavenge.go at go1.22.12, the
// part the page allocator needs: pageAlloc.scavenge and scavengeOne (release
// free pages, highest address first), the search inside a chunk
// (findScavengeCandidate, fillAligned), the scavenge index, the PI
// controller, the goals the pacer sets (gcPaceScavenger), and the
// background scavenger (scavengerState, bgscavenge). Data, invariants and
// locking: mgcscavenge.hpp.
#include <algorithm>
#include <cmath>

#include "chan.hpp"
#include "internal/sys/intrinsics.hpp"
#include "lockrank_off.hpp"
#include "mem.hpp"
#include "mheap.hpp"
#include "mpagealloc.hpp"
#include "print.hpp"
#include "proc.hpp"
#include "time.hpp"

namespace runtime {

scavengeState scavenge;

/// heapRetained: an estimate of the heap's share of the RSS: the bytes in
/// use plus the free bytes not returned to the OS.
/// \gosrc{mgcscavenge.go,heapRetained}
uint64 heapRetained() { return gcController.heapInUse.load() + gcController.heapFree.load(); }

/// gcPaceScavenger: set the scavenger's two goals after the pacer changes
/// (scavenge.memoryLimitGoal and scavenge.gcPercentGoal). The memory-limit goal is reduceExtraPercent under
/// the limit, or none while mapped memory is already below that. The GOGC
/// goal scales the heap in use at the last GC (memstats.lastHeapInUse) by
/// how the heap goal moved since (heapGoal over lastHeapGoal), adds
/// retainExtraPercent, and rounds up to a physical page; none before the
/// first cycle has ended (lastHeapGoal 0: too little is known) or while the
/// retained heap is within a page of it. Needs mheap_.lock or the world
/// stopped. \gosrc{mgcscavenge.go,gcPaceScavenger}
void gcPaceScavenger(int64 memoryLimit, uint64 heapGoal, uint64 lastHeapGoal) {
  assertWorldStoppedOrLockHeld(&mheap_.lock);

  // The memory-limit goal first: retain (100-reduceExtraPercent)% of it.
  uint64 memoryLimitGoal = uint64(double(memoryLimit) * (1 - reduceExtraPercent / 100.0));

  // What the runtime holds now, in the limit's terms.
  uint64 mappedReady = gcController.mappedReady.Load();

  // Below it already: no background work for the limit (the allocator
  // scavenges for the limit itself if it must).
  if (mappedReady <= memoryLimitGoal) {
    scavenge.memoryLimitGoal.Store(~uint64(0));
  } else {
    scavenge.memoryLimitGoal.Store(memoryLimitGoal);
  }

  // Then the GOGC goal.

  // No cycle has ended yet: no goal (scavenging waits for the second cycle
  // anyway, and the figures below would be meaningless).
  if (lastHeapGoal == 0) {
    scavenge.gcPercentGoal.Store(~uint64(0));
    return;
  }
  // The heap in use at the last GC, scaled as the goal moved.
  double goalRatio = double(heapGoal) / double(lastHeapGoal);
  uint64 gcPercentGoal = uint64(double(memstats.lastHeapInUse) * goalRatio);
  // Plus retainExtraPercent, as a division by 100/retainExtraPercent (no
  // overflow from multiplying first). Go writes the divisor as the constant
  // expression 1.0/(retainExtraPercent/100.0), exactly 10, so its division
  // is an integer one.
  gcPercentGoal += gcPercentGoal / uint64(100 / retainExtraPercent);
  // Up to a physical page.
  gcPercentGoal = (gcPercentGoal + uint64(physPageSize) - 1) & ~(uint64(physPageSize) - 1);

  // The heap's share of the RSS now (a multiple of physPageSize when that
  // is no more than pageSize, as on amd64).
  uint64 heapRetainedNow = heapRetained();

  // At or within a page of the goal: no background work for it.
  if (heapRetainedNow <= gcPercentGoal || heapRetainedNow - gcPercentGoal < uint64(physPageSize)) {
    scavenge.gcPercentGoal.Store(~uint64(0));
  } else {
    scavenge.gcPercentGoal.Store(gcPercentGoal);
  }
}

scavengerState scavenger;

/// init: wire the scavenger to the calling goroutine, make its timer and
/// fill in the hooks a test left unset. \gosrc{mgcscavenge.go,scavengerState.init}
void scavengerState::init() {
  if (g != nullptr) throw_("scavenger state is already wired");
  g = getg();
  timer = newobject<struct timer>();
  timer->arg = this;
  timer->f = [](void* s, uintptr) { static_cast<scavengerState*>(s)->wake(); };
  // The controller's constants are Go's, tuned there (see Go's comments):
  // a one-second reset time, and a ratio bounded to [1:1000, 1000:1].
  sleepController = piController{};
  sleepController.kp = 0.3375;
  sleepController.ti = 3.2e6;
  sleepController.tt = 1e9;
  sleepController.min = 0.001;
  sleepController.max = 1000.0;
  sleepRatio = startingScavSleepRatio;
  if (scavenge == nullptr) {
    scavenge = [](uintptr n) -> std::tuple<uintptr, int64> {
      int64 start = nanotime();
      uintptr r = mheap_.pages.scavenge(n, nullptr, false);
      int64 end = nanotime();
      if (start >= end) return {r, 0};  // a clock that did not move
      runtime::scavenge.backgroundTime.Add(end - start);
      return {r, end - start};
    };
  }
  if (shouldStop == nullptr) {
    shouldStop = [] {
      // Both goals met: the retained heap (GOGC) and the mapped memory
      // (the memory limit).
      return heapRetained() <= runtime::scavenge.gcPercentGoal.Load() &&
             gcController.mappedReady.Load() <= runtime::scavenge.memoryLimitGoal.Load();
    };
  }
  if (gomaxprocs == nullptr) {
    gomaxprocs = [] { return runtime::gomaxprocs; };
  }
}

/// park: the scavenger goroutine waits to be woken (wake).
/// \gosrc{mgcscavenge.go,scavengerState.park}
void scavengerState::park() {
  runtime::lock(&this->lock);
  if (getg() != g) throw_("tried to park scavenger from another goroutine");
  parked = true;
  goparkunlock(&this->lock, waitReasonGCScavengeWait, 2);
}

/// ready: ask sysmon to wake the scavenger (the sweep is done; it may be
/// called where readying a goroutine is not allowed).
/// \gosrc{mgcscavenge.go,scavengerState.ready}
void scavengerState::ready() { sysmonWake.Store(1); }

/// wake: make the scavenger runnable if it is parked, cancelling a sleep
/// in progress as well. \gosrc{mgcscavenge.go,scavengerState.wake}
void scavengerState::wake() {
  runtime::lock(&this->lock);
  if (parked) {
    // Woken now: sysmon need not.
    sysmonWake.Store(0);
    parked = false;
    // injectglist rather than ready: this may run on a timer, without a P's
    // run queue to spare (Go's reasoning in wake).
    gList list;
    list.push(g);
    injectglist(&list);
  }
  runtime::unlock(&this->lock);
}

/// sleep: after a round of worked ns, sleep long enough that the work is
/// scavengePercent of one P, and let the controller adjust the ratio.
/// \gosrc{mgcscavenge.go,scavengerState.sleep}
void scavengerState::sleep(double worked) {
  runtime::lock(&this->lock);
  if (getg() != g) throw_("tried to sleep scavenger from another goroutine");
  if (worked < minScavWorkTime) worked = minScavWorkTime;  // at least the minimum
  worked *= 1 + scavengeCostRatio;  // what reusing the memory will cost
  int64 sleepTime = int64(worked / sleepRatio);
  int64 slept;
  if (sleepStub == nullptr) {
    int64 start = nanotime();
    resettimer(timer, start + sleepTime);
    // Parked while the timer runs: a wake (the timer's, or one from the
    // end of a sweep) ends the sleep.
    parked = true;
    goparkunlock(&this->lock, waitReasonSleep, 2);
    slept = nanotime() - start;
    runtime::lock(&this->lock);
    deltimer(timer);  // woken early: the timer must not fire later
    runtime::unlock(&this->lock);
  } else {
    runtime::unlock(&this->lock);
    slept = sleepStub(sleepTime);
  }
  // After a reset, leave the controller alone for a while.
  if (controllerCooldown > 0) {
    int64 t = slept + int64(worked);
    if (t > controllerCooldown) {
      controllerCooldown = 0;
    } else {
      controllerCooldown -= t;
    }
    return;
  }
  // The fraction of the CPU the last round used, against the target.
  double idealFraction = double(scavengePercent) / 100.0;
  double cpuFraction = worked / ((double(slept) + worked) * double(gomaxprocs()));
  auto [ratio, ok] = sleepController.next(cpuFraction, idealFraction, double(slept) + worked);
  sleepRatio = ratio;
  if (!ok) {
    // The controller overflowed: start again from the first ratio and
    // give it five seconds before it acts again.
    sleepRatio = startingScavSleepRatio;
    controllerCooldown = 5000000000LL;
    controllerFailed();
  }
}

/// controllerFailed: note, for scavtrace, that the controller was reset.
/// \gosrc{mgcscavenge.go,scavengerState.controllerFailed}
void scavengerState::controllerFailed() {
  runtime::lock(&this->lock);
  printControllerReset = true;
  runtime::unlock(&this->lock);
}

/// run: one round of work: 64 KiB at a time until minScavWorkTime is spent,
/// the goals are met or the heap has nothing more. Returns (bytes
/// released, ns worked). \gosrc{mgcscavenge.go,scavengerState.run}
std::tuple<uintptr, double> scavengerState::run() {
  runtime::lock(&this->lock);
  if (getg() != g) throw_("tried to run scavenger from another goroutine");
  runtime::unlock(&this->lock);
  uintptr released = 0;
  double worked = 0;
  while (worked < minScavWorkTime) {
    if (shouldStop()) break;
    // A small quantum: between two of them the goroutine can be preempted.
    constexpr uintptr scavengeQuantum = 64 << 10;
    auto [r, duration] = scavenge(scavengeQuantum);
    // A clock too coarse to see the work: about 10us per physical page.
    constexpr double approxWorkedNSPerPhysicalPage = 10e3;
    if (duration == 0) {
      worked += approxWorkedNSPerPhysicalPage * double(r / physPageSize);
    } else {
      worked += double(duration);
    }
    released += r;
    if (r < scavengeQuantum) break;  // nothing more for now
  }
  if (released > 0 && released < physPageSize) throw_("released less than one physical page of memory");
  return {released, worked};
}

/// bgscavenge: the background scavenger goroutine, which gcenable starts.
/// It says it is ready on c and parks until the first sweep is done.
/// \gosrc{mgcscavenge.go,bgscavenge}
void bgscavenge(hchan* c) {
  scavenger.init();
  int one = 1;
  chansend1(c, &one);
  scavenger.park();
  for (;;) {
    auto [released, workTime] = scavenger.run();
    if (released == 0) {
      scavenger.park();
      continue;
    }
    mheap_.pages.scav.releasedBg.Add(released);
    scavenger.sleep(workTime);
  }
}

/// bgscavenge_entry: the first frame of the scavenger goroutine (Go's
/// closure call for `go bgscavenge(c)`).
void bgscavenge_entry(funcval* fn) { bgscavenge(reinterpret_cast<bgscavengeClosure*>(fn)->c); }

/// scavenge: release about nbytes of free, unscavenged memory, highest
/// addresses first, chunk by chunk as the index offers them; stops early
/// when the index has nothing left, or when shouldStop (if given) says so.
/// force ignores the density heuristic ([scav-dense]). Returns the bytes
/// released; less than nbytes means the heap has nothing more for now.
/// \gosrc{mgcscavenge.go,pageAlloc.scavenge}
///
/// Departure: Go's shouldStop is a func() bool. Every caller passes nil or
/// a closure that captures nothing (mheap.grow's gcCPULimiter check), so a
/// plain function pointer carries it.
uintptr pageAlloc::scavenge(uintptr nbytes, bool (*shouldStop)(), bool force) {
  uintptr released = 0;
  while (released < nbytes) {
    // (Plain variables: clang 14 cannot capture structured bindings.)
    scavengeIndex::found f = scav.index.find(force);
    chunkIdx ci = f.ci;
    uint pageIdx = f.page;
    if (ci == 0) break;
    systemstack([&] { released += scavengeOne(ci, pageIdx, nbytes - released); });
    if (shouldStop != nullptr && shouldStop()) break;
  }
  return released;
}

/// printScavTrace: GODEBUG=scavtrace's line: what the background and eager
/// scavenging released since the last line, what is released now and the
/// heap's use of what it retains. Caller holds scavenger.lock.
/// \gosrc{mgcscavenge.go,printScavTrace}
void printScavTrace(uintptr releasedBg, uintptr releasedEager, bool forced) {
  printlock();
  print("scav ", releasedBg >> 10, " KiB work (bg), ", releasedEager >> 10, " KiB work (eager), ",
        gcController.heapReleased.load() >> 10, " KiB now, ", (gcController.heapInUse.load() * 100) / heapRetained(),
        "% util");
  if (forced) {
    print(" (forced)");
  } else if (scavenger.printControllerReset) {
    print(" [controller reset]");
    scavenger.printControllerReset = false;
  }
  print("\n");
  printunlock();
}

/// scavengeOne: release one run of free, unscavenged pages of chunk ci, at
/// most max bytes (max may be ~0) unless a huge page would be split,
/// searching down from page searchIdx. While the OS is told, the run is
/// marked in use, so no allocation takes it and the heap lock can be
/// dropped; then it is freed again and marked scavenged. If the chunk has
/// nothing to release, the index is told so. Returns the bytes released.
/// Takes mheapLock; hence the system stack. \gosrc{mgcscavenge.go,pageAlloc.scavengeOne}
uintptr pageAlloc::scavengeOne(chunkIdx ci, uint searchIdx, uintptr max) {
  systemstackcheck();
  // The pages max stands for, rounded up, without overflowing for ~0.
  uintptr maxPages = max / pageSize;
  if (max % pageSize != 0) maxPages++;

  // Only whole physical pages can be released, so the least is one physical
  // page's worth of runtime pages, aligned to it.
  uintptr minPages = physPageSize / pageSize;
  if (minPages < 1) minPages = 1;

  lock(mheapLock);
  if (summary[summaryLevels - 1][ci].max() >= uint(minPages)) {
    // There are minPages free pages in a row somewhere in the chunk.
    auto [base, npages] = chunkOf(ci)->findScavengeCandidate(searchIdx, minPages, maxPages);

    if (npages != 0) {
      uintptr addr = chunkBase(ci) + uintptr(base) * pageSize;

      // Take the run out of the allocator's hands while the OS is told:
      // marked in use (allocRange also clears its scavenged bits), but the
      // index's counts left alone.
      chunkOf(ci)->allocRange(base, npages);
      update(addr, uintptr(npages), true, true);

      unlock(mheapLock);

      if (!test) {
        // (Go's pageTraceScav here is a no-op without GOEXPERIMENT=pagetrace.)

        // A test's addresses are fictitious: only the real heap is released.
        sysUnused(reinterpret_cast<void*>(addr), uintptr(npages) * pageSize);

        // The runtime's accounting, only for the real heap.
        int64 nbytes = int64(npages * pageSize);
        gcController.heapReleased.add(nbytes);
        gcController.heapFree.add(-nbytes);

        heapStatsDelta* stats = memstats.heapStats.acquire();
        atomic::Xadd(&stats->committed, -nbytes);
        atomic::Xadd(&stats->released, nbytes);
        memstats.heapStats.release();
      }

      // Give the run back, now scavenged.
      lock(mheapLock);
      if (offAddr b{addr}; b.lessThan(searchAddr)) searchAddr = b;
      chunkOf(ci)->free(base, npages);
      update(addr, uintptr(npages), true, false);

      chunkOf(ci)->scavenged.setRange(base, npages);
      unlock(mheapLock);

      return uintptr(npages) * pageSize;
    }
  }
  // Nothing to release here: the index skips this chunk until a free.
  scav.index.setEmpty(ci);
  unlock(mheapLock);

  return 0;
}

/// fillAligned: x with every m-aligned group of m bits that has a one in it
/// set to all ones (m a power of 2 up to 64; m == 1 changes nothing). For
/// example fillAligned(0x0100a3, 8) == 0xff00ff. First each group that is
/// all zeros gets its top bit set (the "has a zero byte" trick, generalised
/// from bytes to groups of m bits by the constant), then those top bits are
/// spread down their groups and the result inverted.
/// \gosrc{mgcscavenge.go,fillAligned}
uint64 fillAligned(uint64 x, uint m) {
  auto apply = [](uint64 x, uint64 c) -> uint64 {
    // With c's zero at the top of each group: (x & c) + c carries into a
    // group's top bit when the group's low bits are not all zero; OR in x for
    // the top bit itself; OR in c, then invert, leaving only the top bits of
    // groups that were entirely zero.
    return ~((((x & c) + c) | x) | c);
  };
  switch (m) {
    case 1:
      return x;
    case 2:
      x = apply(x, 0x5555555555555555);
      break;
    case 4:
      x = apply(x, 0x7777777777777777);
      break;
    case 8:
      x = apply(x, 0x7f7f7f7f7f7f7f7f);
      break;
    case 16:
      x = apply(x, 0x7fff7fff7fff7fff);
      break;
    case 32:
      x = apply(x, 0x7fffffff7fffffff);
      break;
    case 64:  // == maxPagesPerPhysPage
      x = apply(x, 0x7fffffffffffffff);
      break;
    default:
      throw_("bad m value");
  }
  // Now a group's top bit is set exactly when the group was all zeros.
  // Subtracting each top bit shifted to its group's bottom fills the group
  // below its top; OR in the top bits, and invert.
  return ~((x - (x >> (m - 1))) | x);
}

/// findScavengeCandidate: the highest run of free, unscavenged pages in the
/// chunk at or below page searchIdx: its first page and its length (0: none).
/// Every run returned is at least minimum pages long and aligned to minimum
/// (a power of 2 up to maxPagesPerPhysPage: whole physical pages). max is a
/// wish: a longer run is cut to max (rounded up to minimum; 0 counts as
/// minimum), but a run is widened rather than splitting a huge page that is
/// wholly free and unscavenged. \gosrc{mgcscavenge.go,pallocData.findScavengeCandidate}
pallocData::candidate pallocData::findScavengeCandidate(uint searchIdx, uintptr minimum,
                                                        uintptr max) const {
  if ((minimum & (minimum - 1)) != 0 || minimum == 0) {
    print("runtime: min = ", minimum, "\n");
    throw_("min must be a non-zero power of 2");
  } else if (minimum > maxPagesPerPhysPage) {
    print("runtime: min = ", minimum, "\n");
    throw_("min too large");
  }
  // A max that is not a multiple of minimum could cut a run to a length that
  // is not either; rounding it up also keeps it >= minimum, except 0.
  if (max == 0) {
    max = minimum;
  } else {
    max = alignUp(max, minimum);
  }

  int i = int(searchIdx / 64);
  // Skip words with no group of minimum pages that is free and unscavenged.
  for (; i >= 0; i--) {
    // 1 = scavenged or in use, so 0 = free and unscavenged.
    uint64 x = fillAligned(scavenged[i] | pallocBits::b[i], uint(minimum));
    if (x != ~uint64(0)) break;
  }
  if (i < 0) return {0, 0};  // nothing free and unscavenged

  // Word i has the top of a run; find where the run ends below.
  uint64 x = fillAligned(scavenged[i] | pallocBits::b[i], uint(minimum));
  uint z1 = uint(sys::LeadingZeros64(~x));
  uint run = 0, end = uint(i) * 64 + (64 - z1);
  if ((x << z1) != 0) {
    // Ones below the run: it ends inside this word.
    run = uint(sys::LeadingZeros64(x << z1));
  } else {
    // The run reaches the bottom of the word and may go on below.
    run = 64 - z1;
    for (int j = i - 1; j >= 0; j--) {
      uint64 x = fillAligned(scavenged[j] | pallocBits::b[j], uint(minimum));
      run += uint(sys::LeadingZeros64(x));
      if (x != 0) break;  // it ends in this word
    }
  }

  // Cut the run to max, from the top; run keeps the full length.
  uint size = std::min(run, uint(max));
  uint start = end - size;

  // Do not split a huge page (one fits in a chunk) that the whole run
  // covers: widen the candidate down to the huge page's start instead.
  if (physHugePageSize > pageSize && physHugePageSize > physPageSize) {
    uintptr pagesPerHugePage = physHugePageSize / pageSize;
    uint hugePageAbove = uint(alignUp(uintptr(start), pagesPerHugePage));

    // A huge page boundary inside the candidate: it may split one.
    if (hugePageAbove <= end) {
      uint hugePageBelow = uint(alignDown(uintptr(start), pagesPerHugePage));

      if (hugePageBelow >= end - run) {
        // The huge page below start is free and unscavenged in full: take
        // all of it.
        size = size + (start - hugePageBelow);
        start = hugePageBelow;
      }
    }
  }
  return {start, size};
}

/// init: an empty index, both cursors cleared, its memory reserved. Returns
/// the bytes added to sysStat (none). \gosrc{mgcscavenge.go,scavengeIndex.init}
uintptr scavengeIndex::init(bool test, sysMemStat* sysStat) {
  searchAddrBg.Clear();
  searchAddrForce.Clear();
  freeHWM = minOffAddr;
  this->test = test;
  return sysInit(test, sysStat);
}

/// grow: the heap grew by [base, limit): note its lowest chunk and map the
/// index entries. Returns the bytes added to sysStat.
/// \gosrc{mgcscavenge.go,scavengeIndex.grow}
uintptr scavengeIndex::grow(uintptr base, uintptr limit, sysMemStat* sysStat) {
  // Even with nothing to map, base may be the heap's new lowest chunk.
  uintptr mhi = minHeapIdx.Load();
  if (uintptr baseIdx = uintptr(chunkIndex(base)); mhi == 0 || baseIdx < mhi) {
    minHeapIdx.Store(baseIdx);
  }
  return sysGrow(base, limit, sysStat);
}

/// find: the highest chunk that may have pages to scavenge (0: none) and the
/// page in it to search down from. It walks down from its cursor and lowers
/// the cursor to what it finds; if a free has marked the cursor (raised it,
/// [scav-cursor]), only the first finder to unmark it lowers it. Runs
/// without the heap lock. \gosrc{mgcscavenge.go,scavengeIndex.find}
scavengeIndex::found scavengeIndex::find(bool force) {
  atomicOffAddr* cursor = &searchAddrBg;
  if (force) cursor = &searchAddrForce;
  auto [searchAddr, marked] = cursor->Load();
  if (searchAddr == minOffAddr.addr()) {
    // Cleared: nothing to scavenge.
    return {0, 0};
  }

  // Down from searchAddr's chunk to the first one worth scavenging. gen is
  // read without the lock, as Go reads it (see the file comment).
  uint32 g = atomic::detail::racyLoad(&gen);
  chunkIdx mn = chunkIdx(uint(minHeapIdx.Load()));
  chunkIdx start = chunkIndex(searchAddr);
  // Chunk 0 is never mapped, so minHeapIdx > 0 stops the loop before it
  // wraps.
  for (chunkIdx i = start; i >= mn; i--) {
    if (!chunks[i].load().shouldScavenge(g, force)) continue;
    // Still the cursor's chunk.
    if (i == start) return {i, chunkPageIndex(searchAddr)};
    // Lower the cursor to this chunk's last page.
    uintptr newSearchAddr = chunkBase(i) + pallocChunkBytes - pageSize;
    if (marked) {
      // Be the first to lower it after a raise. Failing means another raise
      // or another finder came first; either way nothing is lost but a
      // little search.
      cursor->StoreUnmark(searchAddr, newSearchAddr);
    } else {
      cursor->StoreMin(newSearchAddr);
    }
    return {i, uint(pallocChunkPages - 1)};
  }
  // The whole heap is done: clear the cursor.
  cursor->Clear();
  return {0, 0};
}

/// alloc: npages of chunk ci were allocated. Runs under the heap lock;
/// concurrently only with find. (Go leaves eager huge-page collapsing of
/// dense chunks as a TODO here, having tried and withdrawn it.)
/// \gosrc{mgcscavenge.go,scavengeIndex.alloc}
void scavengeIndex::alloc(chunkIdx ci, uint npages) {
  scavChunkData sc = chunks[ci].load();
  sc.alloc(npages, gen);
  chunks[ci].store(sc);
}

/// free: npages of chunk ci, from page up, were freed. Raises the forced
/// cursor (marked) to the last page freed if that is above it, and the
/// generation's free high-water mark. Runs under the heap lock; concurrently
/// only with find. \gosrc{mgcscavenge.go,scavengeIndex.free}
void scavengeIndex::free(chunkIdx ci, uint page, uint npages) {
  scavChunkData sc = chunks[ci].load();
  sc.free(npages, gen);
  chunks[ci].store(sc);

  uintptr addr = chunkBase(ci) + uintptr(page + npages - 1) * pageSize;
  if (freeHWM.lessThan(offAddr{addr})) freeHWM = offAddr{addr};
  // Frees are serialised and only raise the cursor, while find only lowers
  // it, so a stale read here can only be too high: no CAS needed.
  auto [searchAddr, _] = searchAddrForce.Load();
  if ((offAddr{searchAddr}).lessThan(offAddr{addr})) searchAddrForce.StoreMarked(addr);
}

/// nextGen: start a new generation (once per GC cycle; more often forces
/// more release). The background cursor is raised (marked) to the highest
/// page freed in the generation just ended. Runs under the heap lock;
/// concurrently only with find. \gosrc{mgcscavenge.go,scavengeIndex.nextGen}
void scavengeIndex::nextGen() {
  atomic::detail::racyStore(&gen, gen + 1);
  auto [searchAddr, _] = searchAddrBg.Load();
  if ((offAddr{searchAddr}).lessThan(freeHWM)) searchAddrBg.StoreMarked(freeHWM.addr());
  freeHWM = minOffAddr;
}

/// setEmpty: the scavenger has found nothing more in chunk ci, so find skips
/// it until a free. Runs under the heap lock; concurrently only with find.
/// \gosrc{mgcscavenge.go,scavengeIndex.setEmpty}
void scavengeIndex::setEmpty(chunkIdx ci) {
  scavChunkData val = chunks[ci].load();
  val.setEmpty();
  chunks[ci].store(val);
}

/// load: the chunk's data, unpacked. \gosrc{mgcscavenge.go,atomicScavChunkData.load}
scavChunkData atomicScavChunkData::load() { return unpackScavChunkData(value.Load()); }

/// store: pack and store; stores must be serialised (the heap lock).
/// \gosrc{mgcscavenge.go,atomicScavChunkData.store}
void atomicScavChunkData::store(scavChunkData ssc) { value.Store(ssc.pack()); }

/// unpackScavChunkData: the inverse of pack.
/// \gosrc{mgcscavenge.go,unpackScavChunkData}
scavChunkData unpackScavChunkData(uint64 sc) {
  return scavChunkData{
      {uint8(uint8(sc >> (16 + logScavChunkInUseMax)) & scavChunkFlagsMask)},  // scavChunkFlags
      uint16(sc),                                                             // inUse
      uint16(uint16(sc >> 16) & scavChunkInUseMask),                          // lastInUse
      uint32(sc >> 32),                                                       // gen
  };
}

/// pack: inUse in bits 0-15, lastInUse from bit 16 (10 bits), the flags
/// above it, gen in the top 32 bits. \gosrc{mgcscavenge.go,scavChunkData.pack}
uint64 scavChunkData::pack() const {
  return uint64(inUse) | (uint64(lastInUse) << 16) | (uint64(f) << (16 + logScavChunkInUseMax)) |
         (uint64(gen) << 32);
}

/// isEmpty: the hasFree flag is clear. \gosrc{mgcscavenge.go,scavChunkFlags.isEmpty}
bool scavChunkFlags::isEmpty() const { return (f & scavChunkHasFree) == 0; }

/// setEmpty: clear the hasFree flag. \gosrc{mgcscavenge.go,scavChunkFlags.setEmpty}
void scavChunkFlags::setEmpty() { f &= uint8(~scavChunkHasFree); }

/// setNonEmpty: set the hasFree flag. \gosrc{mgcscavenge.go,scavChunkFlags.setNonEmpty}
void scavChunkFlags::setNonEmpty() { f |= scavChunkHasFree; }

/// shouldScavenge: whether the scavenger should look at this chunk in
/// generation currGen: it has something to scavenge, and either force is
/// set or the chunk is not dense ([scav-dense]): within the current
/// generation neither the current nor the last occupancy may be high; a
/// chunk last touched in an earlier generation has inUse as its current
/// occupancy. \gosrc{mgcscavenge.go,scavChunkData.shouldScavenge}
bool scavChunkData::shouldScavenge(uint32 currGen, bool force) const {
  if (isEmpty()) return false;
  if (force) return true;
  if (gen == currGen) return inUse < scavChunkHiOccPages && lastInUse < scavChunkHiOccPages;
  return inUse < scavChunkHiOccPages;
}

/// alloc: npages of the chunk were allocated in generation newGen
/// ([scav-gen]); a full chunk has nothing to scavenge.
/// \gosrc{mgcscavenge.go,scavChunkData.alloc}
void scavChunkData::alloc(uint npages, uint32 newGen) {
  if (uint(inUse) + npages > pallocChunkPages) {
    print("runtime: inUse=", inUse, " npages=", npages, "\n");
    throw_("too many pages allocated in chunk?");
  }
  if (gen != newGen) {
    lastInUse = inUse;
    gen = newGen;
  }
  inUse += uint16(npages);
  if (inUse == pallocChunkPages) setEmpty();
}

/// free: npages of the chunk were freed in generation newGen ([scav-gen]);
/// the chunk may have something to scavenge again.
/// \gosrc{mgcscavenge.go,scavChunkData.free}
void scavChunkData::free(uint npages, uint32 newGen) {
  if (uint(inUse) < npages) {
    print("runtime: inUse=", inUse, " npages=", npages, "\n");
    throw_("allocated pages below zero?");
  }
  if (gen != newGen) {
    lastInUse = inUse;
    gen = newGen;
  }
  inUse -= uint16(npages);
  setNonEmpty();
}

/// next: one step of the controller: input is the sample, setpoint the
/// target, period the time since the last sample. Returns the new output,
/// clamped to [min, max], and false if the input or the accumulated error
/// overflowed, in which case the controller has reset itself (and set the
/// matching flag) and the output is min. \gosrc{mgcscavenge.go,piController.next}
piController::output piController::next(double input, double setpoint, double period) {
  double prop = kp * (setpoint - input);
  double rawOutput = prop + errIntegral;

  double out = rawOutput;
  if (std::isinf(out) || std::isnan(out)) {
    // The input (or something computed from it) overflowed: reset, the
    // safest answer.
    reset();
    inputOverflow = true;
    return {min, false};
  }
  if (out < min) {
    out = min;
  } else if (out > max) {
    out = max;
  }

  // The integral, with the clamping's excess fed back (anti-windup).
  if (ti != 0 && tt != 0) {
    errIntegral += (kp * period / ti) * (setpoint - input) + (period / tt) * (out - rawOutput);
    if (std::isinf(errIntegral) || std::isnan(errIntegral)) {
      // The error grew without bound: the controller's assumptions broke.
      reset();
      errOverflow = true;
      return {min, false};
    }
  }
  return {out, true};
}

/// reset: clear the integral (the overflow flags stay).
/// \gosrc{mgcscavenge.go,piController.reset}
void piController::reset() { errIntegral = 0; }

}  // namespace runtime
