// mgclimit.hpp: the GC CPU limiter, mirroring mgclimit.go at go1.22.12
// (functions in mgclimit.cpp). The limiter keeps the collector from taking
// more than about half of the CPU over a window: a leaky bucket that GC time
// fills and mutator time drains, counted directly in CPU-nanoseconds. While
// the bucket is full the limiter is "limiting", and the collector is meant
// to hold back (assists give up, the heap goal may be overshot) so that the
// program keeps making progress in a GC death spiral.
//
// Also here: the per-P limiter events (limiterEvent and its stamp), the
// stretches of CPU time a P spends in an assist, a scavenge assist, an idle
// mark worker or on the idle list, which the limiter counts even while they
// are still under way.
//
// Invariants:
//   [limiter-bucket]  0 <= bucket.fill <= bucket.capacity, and
//                     capacity = nprocs * capacityPerProc.
//   [limiter-enabled] enabled is true only while fill == capacity; it is
//                     written by the lock's holder only.
//   [limiter-window]  every nanosecond the limiter counts happened between
//                     two of its updates (lastUpdate moves forward only):
//                     in-flight events are cut at the update's now
//                     (limiterEvent.consume), not counted when they end.
//   [limiter-stamp]   a limiterEvent's stamp is limiterEventStampNone, or an
//                     event type in its top limiterEventBits bits and the
//                     low bits of the nanotime the event (or its unconsumed
//                     remainder) began.
//
// Locks: the limiter's own lock is a try-lock word (tryLock/unlock), never a
// runtime mutex: an update that cannot take it is dropped (the next one
// collects the pooled time). Its holder alone writes bucket, overflow,
// gcEnabled, transitioning and nprocs. startGCTransition takes it and
// finishGCTransition releases it, across a stop-the-world. The pools and
// lastUpdate are atomics that anybody may add to or read.
//
// Who feeds it, as in Go: pidleput and pidleget start and stop
// limiterEventIdle on a P, procresize calls resetCapacity, gcStart and
// gcMarkDone/gcMarkTermination bracket the mark with startGCTransition and
// finishGCTransition, gcAssistAlloc1 times each assist (limiterEventMarkAssist)
// and calls update, gcBgMarkWorker times idle-mode workers
// (limiterEventIdleMarkWork), mheap.allocSpan times its scavenging
// (limiterEventScavengeAssist), and findRunnableGCWorker updates when an
// update is due. While limiting() is true, gcAssistAlloc and gcDrainN skip
// assist work and allocSpan skips the memory-limit scavenge.
//
// Include runtime2.hpp (or proc.hpp), not this file: the P embeds a
// limiterEvent (p.limiterEvent), so runtime2.hpp includes it after the basic
// types, as it does mpagecache.hpp.
#pragma once
#ifndef GORT_RUNTIME2_BASE
#error "include runtime2.hpp (or proc.hpp), which includes mgclimit.hpp"
#endif

namespace runtime {

/// gcCPULimiterState: the limiter's bucket and what feeds it
/// ([limiter-bucket], [limiter-enabled]). The bucket never goes below zero,
/// so a long quiet stretch earns the collector no credit: its only leeway
/// is the bucket's capacity, which also sets the window the limiter looks
/// at (a capacity of one CPU-second lets the collector use one full
/// CPU-second more than the mutator before limiting starts).
/// \gosrc{mgclimit.go,gcCPULimiterState}
struct gcCPULimiterState {
  atomic::Uint32 lock;  // the try-lock: 1 while held

  atomic::Bool enabled;  // limiting: read by anybody, written by the holder
  struct {
    uint64 fill, capacity;  // CPU-ns; [limiter-bucket]
  } bucket;
  // overflow: GC CPU-ns that came in while the bucket was already full,
  // summed over the limiter's life.
  uint64 overflow;

  // gcEnabled: the limiter's own copy of gcBlackenEnabled, whether a mark
  // phase is running (and so gcBackgroundUtilization of all CPU time is the
  // collector's); a copy so that tests can drive it.
  bool gcEnabled;

  // transitioning: between startGCTransition and finishGCTransition, a
  // stop-the-world between the collector's phases.
  bool transitioning;

  atomic::Int64 assistTimePool;    // assist CPU-ns since the last update
  atomic::Int64 idleMarkTimePool;  // idle mark CPU-ns since the last update
  atomic::Int64 idleTimePool;      // CPU-ns Ps spent idle since the last update

  // lastUpdate: the nanotime of the last update; written by the holder,
  // read by anybody (needUpdate).
  atomic::Int64 lastUpdate;

  // lastEnabledCycle: the GC cycle (memstats.numgc+1) in which limiting
  // last began.
  atomic::Uint32 lastEnabledCycle;

  // nprocs: the limiter's own copy of gomaxprocs, the CPUs a nanosecond of
  // wall-clock time is worth (a copy so that tests can set it).
  int32 nprocs;

  // test: a test's limiter, which has no Ps' events to consume.
  bool test;

  bool limiting();
  void startGCTransition(bool enableGC, int64 now);
  void finishGCTransition(int64 now);
  bool needUpdate(int64 now);
  void addAssistTime(int64 t);
  void addIdleTime(int64 t);
  void update(int64 now);
  void updateLocked(int64 now);
  void accumulate(int64 mutatorTime, int64 gcTime);
  bool tryLock();
  void unlock();
  void resetCapacity(int64 now, int32 nprocs);
};

/// gcCPULimiter: the runtime's limiter. \gosrc{mgclimit.go,gcCPULimiter}
extern gcCPULimiterState gcCPULimiter;

/// gcCPULimiterUpdatePeriod: the longest the limiter should go without an
/// update, in ns (10 ms). \gosrc{mgclimit.go,gcCPULimiterUpdatePeriod}
inline constexpr int64 gcCPULimiterUpdatePeriod = 10'000'000;

/// capacityPerProc: the bucket's capacity per P of GOMAXPROCS, in CPU-ns
/// (one CPU-second). \gosrc{mgclimit.go,capacityPerProc}
inline constexpr int64 capacityPerProc = 1'000'000'000;

/// limiterEventType: what a P is doing that the limiter counts. At most
/// limiterEventBits bits wide ([limiter-stamp]).
/// \gosrc{mgclimit.go,limiterEventType}
enum limiterEventType : uint8 {
  limiterEventNone,            // nothing the limiter counts
  limiterEventIdleMarkWork,    // an idle-priority mark worker
  limiterEventMarkAssist,      // a mark assist (gcAssistAlloc)
  limiterEventScavengeAssist,  // a scavenge assist (mheap.allocSpan)
  limiterEventIdle,            // the P is on the idle list
};

/// limiterEventBits: the bits of a stamp that hold its event type.
/// \gosrc{mgclimit.go,limiterEventBits}
inline constexpr uint64 limiterEventBits = 3;

/// limiterEventTypeMask: the type's bits of a stamp, the top ones; the rest
/// hold a timestamp. \gosrc{mgclimit.go,limiterEventTypeMask}
inline constexpr uint64 limiterEventTypeMask = uint64((1 << limiterEventBits) - 1) << (64 - limiterEventBits);

/// limiterEventStamp: an event type packed with the low bits of a nanotime
/// ([limiter-stamp]). Departure: Go's is a named uint64 with methods; here
/// a struct around the uint64, converted explicitly both ways.
/// \gosrc{mgclimit.go,limiterEventStamp}
struct limiterEventStamp {
  uint64 v;

  constexpr limiterEventStamp() : v(0) {}
  constexpr explicit limiterEventStamp(uint64 x) : v(x) {}
  constexpr explicit operator uint64() const { return v; }

  int64 duration(int64 now) const;
  limiterEventType typ() const;
};

/// limiterEventStampNone: the stamp of a P with no event in flight.
/// \gosrc{mgclimit.go,limiterEventStampNone}
inline constexpr limiterEventStamp limiterEventStampNone = limiterEventStamp(0);

limiterEventStamp makeLimiterEventStamp(limiterEventType typ, int64 now);

/// limiterEvent: the event in flight on one P, if any ([limiter-stamp]).
/// \gosrc{mgclimit.go,limiterEvent}
struct limiterEvent {
  atomic::Uint64 stamp;  // a limiterEventStamp

  /// consume's two results: the type of the event in flight (None if
  /// none), and the CPU-ns it has run since it began or was last consumed.
  struct consumed {
    limiterEventType typ;
    int64 duration;
  };

  bool start(limiterEventType typ, int64 now);
  consumed consume(int64 now);
  void stop(limiterEventType typ, int64 now);
};

}  // namespace runtime
