// export_mgcpacer_test.hpp: the hooks that Go's runtime/export_test.go
// opens into the pacer (mgcpacer.go) and the GC CPU limiter (mgclimit.go)
// for their tests, at go1.22.12, with Go's names: GCController,
// NewGCController, GCControllerReviseDelta, GCCPULimiter, NewGCCPULimiter,
// and the constants beside them (export_test.go lines 1500-1693). Tests use
// only these names, as Go's runtime_test package can only use exported ones.
//
// Header-only (inline), like export_mpagealloc_test.hpp.
//
// How Go's hooks map here:
//   - `type GCController struct{ gcControllerState }` is a struct deriving
//     from the runtime type, adding only the exported methods.
//   - Go's NewGCController and NewGCCPULimiter return a pointer to a fresh
//     heap object (Escape(new(...))); here a std::unique_ptr to a
//     value-initialised one (all zero, as Go's new gives), allocated from
//     the C++ heap: these are test copies, marked test, that no collector
//     needs to see.
//   - Go's untyped constants become typed ones: CapacityPerProc and
//     GCCPULimiterUpdatePeriod as int64 nanoseconds, which is how the tests
//     use them (time.Duration arithmetic).
#pragma once
#include <cstdint>
#include <memory>

#include "mheap.hpp"
#include "mgc.hpp"
#include "mgcpacer.hpp"
#include "proc.hpp"

namespace runtime {

// export_test.go:1500 at go1.22.12.
inline constexpr double GCBackgroundUtilization = gcBackgroundUtilization;
inline constexpr double GCGoalUtilization = gcGoalUtilization;
inline constexpr uint64 DefaultHeapMinimum = defaultHeapMinimum;
inline constexpr uint64 MemoryLimitHeapGoalHeadroomPercent = memoryLimitHeapGoalHeadroomPercent;
inline constexpr uint64 MemoryLimitMinHeapGoalHeadroom = memoryLimitMinHeapGoalHeadroom;

// export_test.go:1555 at go1.22.12.
struct GCControllerReviseDelta {
  int64 HeapLive;
  int64 HeapScan;
  int64 HeapScanWork;
  int64 StackScanWork;
  int64 GlobalsScanWork;
};

// export_test.go:1508 at go1.22.12.
struct GCController : gcControllerState {
  // export_test.go:1523 at go1.22.12: start a cycle at the current
  // trigger (at least heapMarked), with the given stack and globals to
  // scan and the scannable share of the heap allocated since the last one.
  void StartCycle(uint64 stackSize, uint64 globalsSize, double scannableFrac, int gomaxprocs) {
    auto [trigger, _] = this->trigger();
    if (heapMarked > trigger) {
      trigger = heapMarked;
    }
    maxStackScan.Store(stackSize);
    globalsScan.Store(globalsSize);
    heapLive.Store(trigger);
    heapScan.Add(uint64(int64(double(trigger - heapMarked) * scannableFrac)));
    startCycle(0, gomaxprocs, gcTrigger{gcTriggerHeap, 0, 0});
  }

  double AssistWorkPerByte() { return assistWorkPerByte.Load(); }
  uint64 HeapGoal() { return heapGoal(); }
  uint64 HeapLive() { return heapLive.Load(); }
  uint64 HeapMarked() { return heapMarked; }
  uint64 Triggered() { return triggered; }

  // export_test.go:1563 at go1.22.12.
  void Revise(GCControllerReviseDelta d) {
    heapLive.Add(uint64(d.HeapLive));
    heapScan.Add(uint64(d.HeapScan));
    heapScanWork.Add(d.HeapScanWork);
    stackScanWork.Add(d.StackScanWork);
    globalsScanWork.Add(d.GlobalsScanWork);
    revise();
  }

  // export_test.go:1572 at go1.22.12.
  void EndCycle(uint64 bytesMarked, int64 assistTime, int64 elapsed, int gomaxprocs) {
    this->assistTime.Store(assistTime);
    endCycle(elapsed, gomaxprocs, false);
    resetLive(bytesMarked);
    commit(false);
  }

  bool AddIdleMarkWorker() { return addIdleMarkWorker(); }
  bool NeedIdleMarkWorker() { return needIdleMarkWorker(); }
  void RemoveIdleMarkWorker() { removeIdleMarkWorker(); }
  void SetMaxIdleMarkWorkers(int32 max) { setMaxIdleMarkWorkers(max); }
};

// export_test.go:1512 at go1.22.12.
inline std::unique_ptr<GCController> NewGCController(int gcPercent, int64 memoryLimit) {
  auto g = std::make_unique<GCController>();
  g->test = true;  // a test copy
  g->init(int32(gcPercent), memoryLimit);
  return g;
}

// export_test.go:1634 at go1.22.12.
inline constexpr int64 CapacityPerProc = capacityPerProc;
inline constexpr int64 GCCPULimiterUpdatePeriod = gcCPULimiterUpdatePeriod;

// export_test.go:1639 at go1.22.12.
struct GCCPULimiter {
  gcCPULimiterState limiter;

  uint64 Fill() { return limiter.bucket.fill; }
  uint64 Capacity() { return limiter.bucket.capacity; }
  uint64 Overflow() { return limiter.overflow; }
  bool Limiting() { return limiter.limiting(); }
  bool NeedUpdate(int64 now) { return limiter.needUpdate(now); }
  void StartGCTransition(bool enableGC, int64 now) { limiter.startGCTransition(enableGC, now); }
  void FinishGCTransition(int64 now) { limiter.finishGCTransition(now); }
  void Update(int64 now) { limiter.update(now); }
  void AddAssistTime(int64 t) { limiter.addAssistTime(t); }
  void ResetCapacity(int64 now, int32 nprocs) { limiter.resetCapacity(now, nprocs); }
};

// export_test.go:1643 at go1.22.12.
inline std::unique_ptr<GCCPULimiter> NewGCCPULimiter(int64 now, int32 gomaxprocs) {
  auto l = std::make_unique<GCCPULimiter>();
  l->limiter.test = true;
  l->limiter.resetCapacity(now, gomaxprocs);
  return l;
}

}  // namespace runtime
