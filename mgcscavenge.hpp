// mgcscavenge.hpp: the scavenger's data, mirroring mgcscavenge.go at
// go1.22.12 (functions in mgcscavenge.cpp, and the index's memory in
// mpagealloc_64bit.cpp). Scavenging returns the physical memory of free
// pages to the OS (sysUnused) and marks them scavenged, so the heap's RSS
// can shrink below its address space.
//
// What is here so far is the part the page allocator needs: the scavenge
// index (which chunks have free, unscavenged pages, and how densely each was
// used over the last GC cycles), pageAlloc.scavenge and scavengeOne, the
// search within a chunk (pallocData.findScavengeCandidate, fillAligned), and
// the PI controller, the scavenger's goals (gcPaceScavenger, set from
// the pacer's), and the background scavenger (scavengerState, bgscavenge):
// a system goroutine that releases memory down to those goals, paced to
// about 1% of one CPU by sleeping on a timer between rounds of work.
//
// Invariants:
//   [scav-gen]     a chunk's scavChunkData.gen is the index's gen when the
//                  chunk's inUse last changed; lastInUse is inUse as it was
//                  at the end of the generation before.
//   [scav-dense]   a chunk is left alone by the background scavenger while
//                  its occupancy is at least scavChunkHiOccPages in this or
//                  the previous generation (it is likely to be reused).
//   [scav-cursor]  searchAddrBg and searchAddrForce only decrease, through
//                  find, except by a marked store (free, nextGen) that a
//                  later find must observe before decreasing it again
//                  ([offaddr-mark], mranges.hpp).
//   [scav-bounds]  chunks[min, max) is mapped; min and max only widen, and
//                  are stored only after the memory is mapped, so a reader
//                  that sees an index within them can read its entry.
//
// Locks: scavenger.lock protects the scavenger's parked flag (and its
// parking: park and sleep give it up only through goparkunlock, so that a
// wake sees parked set only once the goroutine is off its stack) and
// printControllerReset; it is never held across scavenging. The page
// allocator's lock serialises every writer of the index
// (alloc, free, setEmpty, nextGen, grow). find takes no lock and may run
// alongside any of them: it reads the chunk data and the cursors atomically,
// and gen with a relaxed load (detail::racyLoad), as Go reads it plainly.
//
// Include mpagealloc.hpp, not this file.
#pragma once
#include <tuple>
#ifndef GORT_MPAGEALLOC_BASE
#error "include mpagealloc.hpp, which includes mgcscavenge.hpp"
#endif

namespace runtime {

/// scavengePercent: the share of the mutator's CPU time the background
/// scavenger aims to use (1%). \gosrc{mgcscavenge.go,scavengePercent}
inline constexpr int scavengePercent = 1;

/// retainExtraPercent: without a memory limit, the scavenger keeps 10% over
/// the heap goal for the allocator. \gosrc{mgcscavenge.go,retainExtraPercent}
inline constexpr int retainExtraPercent = 10;

/// reduceExtraPercent: with a memory limit, the scavenger aims 5% below it.
/// \gosrc{mgcscavenge.go,reduceExtraPercent}
inline constexpr int reduceExtraPercent = 5;

/// maxPagesPerPhysPage: runtime pages in the largest supported physical
/// page. \gosrc{mgcscavenge.go,maxPagesPerPhysPage}
inline constexpr uintptr maxPagesPerPhysPage = maxPhysPageSize / pageSize;

/// scavengeCostRatio: the cost of reusing scavenged memory relative to
/// scavenging it; 0 on Linux (sysUsed costs nothing).
/// \gosrc{mgcscavenge.go,scavengeCostRatio}
inline constexpr double scavengeCostRatio = 0.0;

/// scavChunkHiOccFrac, scavChunkHiOccPages: a chunk with this share of its
/// pages in use in one generation counts as dense ([scav-dense]).
/// \gosrc{mgcscavenge.go,scavChunkHiOccFrac}
inline constexpr double scavChunkHiOccFrac = 0.96875;
inline constexpr uint16 scavChunkHiOccPages = uint16(scavChunkHiOccFrac * pallocChunkPages);

/// startingScavSleepRatio: the background scavenger's first work/sleep
/// ratio, and its fallback. \gosrc{mgcscavenge.go,startingScavSleepRatio}
inline constexpr double startingScavSleepRatio = 0.001;

/// minScavWorkTime: the least work, in ns, the background scavenger
/// accounts for one round. \gosrc{mgcscavenge.go,minScavWorkTime}
inline constexpr double minScavWorkTime = 1e6;

uint64 heapRetained();
void gcPaceScavenger(int64 memoryLimit, uint64 heapGoal, uint64 lastHeapGoal);

/// scavenge: the scavenger's goals and its time, shared by the background
/// scavenger and the allocator's eager scavenging (mheap.allocSpan).
/// \gosrc{mgcscavenge.go,scavenge}
///
/// Departure: Go's gcPercentGoal starts at zero, and stays there until the
/// first cycle's end calls gcControllerCommit (and so gcPaceScavenger), so
/// every heap growth before then asks to scavenge as much as it grew. The
/// port starts it at ^0, "no goal": heap growth scavenges only once a cycle
/// has set one.
struct scavengeState {
  atomic::Uint64 gcPercentGoal{~uint64(0)};    // retained heap to keep (heapRetained)
  atomic::Uint64 memoryLimitGoal{~uint64(0)};  // mapped memory to keep (mappedReady)
  atomic::Int64 assistTime;                    // ns allocating goroutines spent scavenging
  atomic::Int64 backgroundTime;                // ns the background scavenger spent
};
extern scavengeState scavenge;

/// scavChunkFlags: flag bits of a chunk's scavenge data (6 bits fit).
/// \gosrc{mgcscavenge.go,scavChunkFlags}
struct scavChunkFlags {
  uint8 f;
  bool operator==(const scavChunkFlags&) const = default;

  bool isEmpty() const;
  void setEmpty();
  void setNonEmpty();
};

/// scavChunkHasFree: the chunk may have pages to scavenge. Set in the zero
/// value's opposite sense so that a new chunk (which is all scavenged)
/// starts "empty". \gosrc{mgcscavenge.go,scavChunkHasFree}
inline constexpr uint8 scavChunkHasFree = 1 << 0;
/// scavChunkMaxFlags, scavChunkFlagsMask: the flag bits that fit.
inline constexpr uint8 scavChunkMaxFlags = 6;
inline constexpr uint8 scavChunkFlagsMask = (1 << scavChunkMaxFlags) - 1;
/// logScavChunkInUseMax, scavChunkInUseMask: bits for a chunk's page count
/// (0 to 512 inclusive, hence one more than log2 of 512).
/// \gosrc{mgcscavenge.go,logScavChunkInUseMax}
inline constexpr uintptr logScavChunkInUseMax = logPallocChunkPages + 1;
inline constexpr uint16 scavChunkInUseMask = (1 << logScavChunkInUseMax) - 1;

/// scavChunkData: what the index knows about one chunk, packed into 64 bits
/// by pack. The zero value is a newly grown chunk. Go embeds scavChunkFlags
/// (promoting isEmpty, setEmpty, setNonEmpty); here it is the base.
/// \gosrc{mgcscavenge.go,scavChunkData}
struct scavChunkData : scavChunkFlags {
  uint16 inUse;       // pages in use now (10 bits used)
  uint16 lastInUse;   // pages in use at the end of the previous generation
  uint32 gen;         // the index's gen when this was last updated
  bool operator==(const scavChunkData&) const = default;

  uint64 pack() const;
  bool shouldScavenge(uint32 currGen, bool force) const;
  void alloc(uint npages, uint32 newGen);
  void free(uint npages, uint32 newGen);
};

scavChunkData unpackScavChunkData(uint64 sc);

/// atomicScavChunkData: a scavChunkData kept packed in one atomic word.
/// \gosrc{mgcscavenge.go,atomicScavChunkData}
struct atomicScavChunkData {
  atomic::Uint64 value;

  scavChunkData load();
  void store(scavChunkData ssc);
};

/// scavengeIndex: one scavChunkData per chunk of the address space, and
/// the two search cursors ([scav-cursor], [scav-bounds]).
/// \gosrc{mgcscavenge.go,scavengeIndex}
struct scavengeIndex {
  notInHeapSlice<atomicScavChunkData> chunks;  // a reservation of the whole space
  atomic::Uintptr min, max;   // chunks[min, max) is mapped
  atomic::Uintptr minHeapIdx; // the lowest chunk in the heap (min is rounded down)

  atomicOffAddr searchAddrBg;     // the background scavenger's cursor
  atomicOffAddr searchAddrForce;  // the cursor of forced scavenging

  offAddr freeHWM;  // the highest page freed this generation
  uint32 gen;       // bumped by nextGen once per GC cycle
  bool test;

  uintptr init(bool test, sysMemStat* sysStat);
  uintptr grow(uintptr base, uintptr limit, sysMemStat* sysStat);
  /// find's two results: a chunk (0: none) and the page to search down from.
  struct found {
    chunkIdx ci;
    uint page;
  };
  found find(bool force);
  void alloc(chunkIdx ci, uint npages);
  void free(chunkIdx ci, uint page, uint npages);
  void nextGen();
  void setEmpty(chunkIdx ci);

  // mpagealloc_64bit.go
  uintptr sysGrow(uintptr base, uintptr limit, sysMemStat* sysStat);
  uintptr sysInit(bool test, sysMemStat* sysStat);
};

uint64 fillAligned(uint64 x, uint m);

/// piController: a proportional-integral controller with anti-windup (the
/// background scavenger's sleep/work ratio; the pacer uses it too).
/// \gosrc{mgcscavenge.go,piController}
struct piController {
  double kp;  // proportional constant
  double ti;  // integral time constant
  double tt;  // reset time

  double min, max;  // the output's bounds

  double errIntegral;  // the integral of the error so far

  bool errOverflow;    // errIntegral overflowed once
  bool inputOverflow;  // an input was so large that the output overflowed

  /// next's two results: the new output, and false if the controller had to
  /// reset itself after an overflow.
  struct output {
    double value;
    bool ok;
  };
  output next(double input, double setpoint, double period);
  void reset();
};

/// scavengerState: the background scavenger. It runs on its own goroutine
/// (bgscavenge): it releases memory in rounds of at least minScavWorkTime
/// of work while the goals are not met, then sleeps so that its work is
/// scavengePercent of one P's time, as a PI controller on the measured
/// fraction sets the sleep/work ratio; with nothing to do it parks until
/// the end of the next sweep (ready, then sysmon's wake).
/// The four function pointers are the work, test hooks in Go's tests
/// (export_test.go Scavenger); init fills in the real ones when unset.
/// Departure: Go's hooks are func values (closures); here plain function
/// pointers, so a test's closures are reached through a global
/// (tests/export_test.cpp).
/// \gosrc{mgcscavenge.go,scavengerState}
struct scavengerState {
  mutex lock;                 // protects parked and printControllerReset
  struct g* g;                // the scavenger goroutine
  bool parked;                // the goroutine is parked (or about to be)
  struct timer* timer;        // wakes it after a sleep
  atomic::Uint32 sysmonWake;  // set by ready: sysmon should wake it
  double targetCPUFraction;   // (Go's field; Go no longer uses it)
  double sleepRatio;          // sleep time per unit of work time
  piController sleepController;  // sets sleepRatio from the CPU fraction
  int64 controllerCooldown;   // ns during which the controller is left alone after a reset
  bool printControllerReset;  // scavtrace should report the reset
  int64 (*sleepStub)(int64 n);                 // test hook: sleep n ns, return ns slept
  std::tuple<uintptr, int64> (*scavenge)(uintptr n);  // release up to n bytes: (bytes, ns)
  bool (*shouldStop)();                        // the goals are met
  int32 (*gomaxprocs)();                       // the Ps the CPU fraction is of

  void init();
  void park();
  void ready();
  void wake();
  void sleep(double worked);
  void controllerFailed();
  std::tuple<uintptr, double> run();
};

/// scavenger: the background scavenger's state. \gosrc{mgcscavenge.go,scavenger}
extern scavengerState scavenger;

struct hchan;
struct funcval;
void bgscavenge(hchan* c);
void bgscavenge_entry(funcval* fn);
/// bgscavengeClosure: the closure of gcenable's `go bgscavenge(c)`.
struct bgscavengeClosure {
  funcval fn;
  hchan* c;
};
void printScavTrace(uintptr releasedBg, uintptr releasedEager, bool forced);

}  // namespace runtime
