// mgclimit.cpp: the GC CPU limiter, mirroring mgclimit.go at go1.22.12:
// the bucket's updates (update, updateLocked, accumulate), the GC phase
// transitions, capacity changes, and the per-P limiter events. Data,
// invariants and locking: mgclimit.hpp.
#include "mgcpacer.hpp"
#include "mstats.hpp"
#include "print.hpp"
#include "proc.hpp"

namespace runtime {

gcCPULimiterState gcCPULimiter;

/// limiting: whether the limiter is on, so that the collector should hold
/// back. Safe to call at any time. \gosrc{mgclimit.go,gcCPULimiterState.limiting}
bool gcCPULimiterState::limiting() { return enabled.Load(); }

/// startGCTransition: the collector is about to switch mark phase on
/// (enableGC) or off, during a stop-the-world. Takes the limiter's lock and
/// keeps it until finishGCTransition, so no update slips in between; first
/// counts the time since the last update under the old phase. Throws if
/// the lock is taken (nothing else can hold it with the world stopped) or
/// if the phase does not change. \gosrc{mgclimit.go,gcCPULimiterState.startGCTransition}
void gcCPULimiterState::startGCTransition(bool enableGC, int64 now) {
  if (!tryLock()) {
    // With the world stopped nobody else can be updating.
    throw_("failed to acquire lock to start a GC transition");
  }
  if (gcEnabled == enableGC) {
    throw_("transitioning GC to the same state as before?");
  }
  // Count what happened since the last update under the phase it happened in.
  updateLocked(now);
  gcEnabled = enableGC;
  transitioning = true;
  // The lock stays held: finishGCTransition releases it, and a transition
  // that never finishes shows up as a throw at the next tryLock.
}

/// finishGCTransition: the stop-the-world that started at
/// startGCTransition ends at now. The whole pause counts as GC time on all
/// nprocs CPUs (the program could run on none of them). Releases the lock.
/// \gosrc{mgclimit.go,gcCPULimiterState.finishGCTransition}
void gcCPULimiterState::finishGCTransition(int64 now) {
  if (!transitioning) {
    throw_("finishGCTransition called without starting one?");
  }
  // The pause kept user code off every P, so it is GC time on all of them.
  if (int64 last = lastUpdate.Load(); now >= last) {
    accumulate(0, (now - last) * int64(nprocs));
  }
  lastUpdate.Store(now);
  transitioning = false;
  unlock();
}

/// needUpdate: whether more than gcCPULimiterUpdatePeriod has passed since
/// the last update. \gosrc{mgclimit.go,gcCPULimiterState.needUpdate}
bool gcCPULimiterState::needUpdate(int64 now) { return now - lastUpdate.Load() > gcCPULimiterUpdatePeriod; }

/// addAssistTime: t more CPU-ns of assists, for the next update.
/// \gosrc{mgclimit.go,gcCPULimiterState.addAssistTime}
void gcCPULimiterState::addAssistTime(int64 t) { assistTimePool.Add(t); }

/// addIdleTime: t more CPU-ns that a P spent idle, which the next update
/// takes off the total. \gosrc{mgclimit.go,gcCPULimiterState.addIdleTime}
void gcCPULimiterState::addIdleTime(int64 t) { idleTimePool.Add(t); }

/// update: bring the bucket up to now. If somebody else holds the lock the
/// update is simply dropped: the holder, or the next updater, collects the
/// pooled time. Not during a transition (it throws).
/// \gosrc{mgclimit.go,gcCPULimiterState.update}
void gcCPULimiterState::update(int64 now) {
  if (!tryLock()) {
    // Another update is running and will count what is pooled.
    return;
  }
  if (transitioning) {
    throw_("update during transition");
  }
  updateLocked(now);
  unlock();
}

/// updateLocked: update's body; the lock must be held. The window since
/// lastUpdate is worth (now-lastUpdate)*nprocs CPU-ns. Of those, the GC's
/// are the pooled assist time, the assist time of events still in flight,
/// and, during a mark phase, gcBackgroundUtilization of the whole window
/// (the dedicated and fractional workers). Idle time, pooled or in flight,
/// comes off the window's total, after the background share has been taken
/// from the full total. The rest is the mutator's. ([limiter-window])
/// \gosrc{mgclimit.go,gcCPULimiterState.updateLocked}
void gcCPULimiterState::updateLocked(int64 now) {
  int64 last = lastUpdate.Load();
  if (now < last) {
    // A stale now: a later update has already counted this window.
    return;
  }
  int64 windowTotalTime = (now - last) * int64(nprocs);
  lastUpdate.Store(now);

  // Take what the pools hold (subtracting, not zeroing, so that what is
  // added meanwhile stays for the next update).
  int64 assistTime = assistTimePool.Load();
  if (assistTime != 0) assistTimePool.Add(-assistTime);

  int64 idleTime = idleTimePool.Load();
  if (idleTime != 0) idleTimePool.Add(-idleTime);

  if (!test) {
    // Cut the events still running on each P at now, so that only time
    // inside this window is counted ([limiter-window]). Pinned to the M so
    // that allp cannot change underneath (procresize runs with the world
    // stopped).
    m* mp = acquirem();
    for (int32 i = 0; i < allplen; i++) {
      p* pp = allp[i];
      auto [typ, duration] = pp->limiterEvent.consume(now);
      switch (typ) {
        case limiterEventIdleMarkWork:
        case limiterEventIdle:
          idleTime += duration;
          sched.idleTime.Add(duration);
          break;
        case limiterEventMarkAssist:
        case limiterEventScavengeAssist:
          assistTime += duration;
          break;
        case limiterEventNone:
          break;
        default:
          throw_("invalid limiter event type found");
      }
    }
    releasem(mp);
  }

  // The GC's share of the window.
  int64 windowGCTime = assistTime;
  if (gcEnabled) {
    windowGCTime += int64(double(windowTotalTime) * gcBackgroundUtilization);
  }

  // Idle time is no one's: take it off the total, but only now, since the
  // background workers' share is of the real total. On a machine with far
  // more Ps than runnable goroutines this makes the limiter see the GC as
  // most of the CPU actually used, which is the point: a thrashing GC on a
  // mostly idle machine is still thrashing. (It can also turn the limiter
  // on where assists were not needed; Go accepts that.)
  windowTotalTime -= idleTime;

  accumulate(windowTotalTime - windowGCTime, windowGCTime);
}

/// accumulate: move the bucket by gcTime-mutatorTime CPU-ns, and switch
/// limiting on when it fills ([limiter-enabled]) or off when it drains
/// from full; GC time that does not fit goes to overflow. The lock must be
/// held. enabled is stored only when it changes: every assist reads it.
/// \gosrc{mgclimit.go,gcCPULimiterState.accumulate}
void gcCPULimiterState::accumulate(int64 mutatorTime, int64 gcTime) {
  uint64 headroom = bucket.capacity - bucket.fill;
  bool wasEnabled = headroom == 0;

  // Unsigned arithmetic with care: neither bound of [limiter-bucket] may be
  // crossed, nor a value wrap.
  int64 change = gcTime - mutatorTime;

  // The bucket fills (or was full and grows): limiting.
  if (change > 0 && headroom <= uint64(change)) {
    overflow += uint64(change) - headroom;
    bucket.fill = bucket.capacity;
    if (!wasEnabled) {
      enabled.Store(true);
      lastEnabledCycle.Store(memstats.numgc + 1);
    }
    return;
  }

  // Otherwise it drains (to no less than empty) or grows without filling.
  if (change < 0 && bucket.fill <= uint64(-change)) {
    bucket.fill = 0;
  } else {
    bucket.fill -= uint64(-change);
  }
  if (change != 0 && wasEnabled) {
    enabled.Store(false);
  }
}

/// tryLock: take the limiter's lock if it is free. \gosrc{mgclimit.go,gcCPULimiterState.tryLock}
bool gcCPULimiterState::tryLock() { return lock.CompareAndSwap(0, 1); }

/// unlock: release the lock taken by tryLock; throws if it was not held.
/// \gosrc{mgclimit.go,gcCPULimiterState.unlock}
void gcCPULimiterState::unlock() {
  uint32 old = lock.Swap(0);
  if (old != 1) {
    throw_("double unlock");
  }
}

/// resetCapacity: GOMAXPROCS is now nprocs. Counts the window up to now at
/// the old count, then sizes the bucket for the new one ([limiter-bucket]):
/// a fill above the new capacity is cut to it (limiting on, and no
/// overflow: the GC did no extra work, the CPUs went away), a fill below it
/// means not limiting. Not while a mark phase is running.
/// \gosrc{mgclimit.go,gcCPULimiterState.resetCapacity}
void gcCPULimiterState::resetCapacity(int64 now, int32 nprocs) {
  if (!tryLock()) {
    // Called with the world stopped: nobody else can hold the lock.
    throw_("failed to acquire lock to reset capacity");
  }
  // Count the rest of the window at the old GOMAXPROCS.
  updateLocked(now);
  this->nprocs = nprocs;

  bucket.capacity = uint64(nprocs) * uint64(capacityPerProc);
  if (bucket.fill > bucket.capacity) {
    bucket.fill = bucket.capacity;
    enabled.Store(true);
    lastEnabledCycle.Store(memstats.numgc + 1);
  } else if (bucket.fill < bucket.capacity) {
    enabled.Store(false);
  }
  unlock();
}

/// makeLimiterEventStamp: typ in the top bits, now's low bits below
/// ([limiter-stamp]). \gosrc{mgclimit.go,makeLimiterEventStamp}
limiterEventStamp makeLimiterEventStamp(limiterEventType typ, int64 now) {
  return limiterEventStamp(uint64(typ) << (64 - limiterEventBits) | (uint64(now) & ~limiterEventTypeMask));
}

/// duration: now minus the stamp's start, the start's missing top bits
/// taken from now. 0 if that is negative: now is stale, or the clock
/// crossed a 2^(64-limiterEventBits) ns boundary since the start.
/// \gosrc{mgclimit.go,limiterEventStamp.duration}
int64 limiterEventStamp::duration(int64 now) const {
  // The top bits of the start are now's.
  int64 start = int64((uint64(now) & limiterEventTypeMask) | (v & ~limiterEventTypeMask));
  if (now < start) {
    return 0;
  }
  return now - start;
}

/// typ: the stamp's event type. \gosrc{mgclimit.go,limiterEventStamp.typ}
limiterEventType limiterEventStamp::typ() const { return limiterEventType(v >> (64 - limiterEventBits)); }

/// start: begin an event of type typ at now on this P, unless one is
/// already in flight (its time is already spoken for); returns whether it
/// began. The caller stays non-preemptible until stop (or a false return),
/// since the point is to measure time on the CPU.
/// \gosrc{mgclimit.go,limiterEvent.start}
bool limiterEvent::start(limiterEventType typ, int64 now) {
  if (limiterEventStamp(stamp.Load()).typ() != limiterEventNone) {
    return false;
  }
  stamp.Store(uint64(makeLimiterEventStamp(typ, now)));
  return true;
}

/// consume: take the time the event in flight has run so far, restarting
/// its stamp at now ([limiter-window]). Returns its type and that time, or
/// limiterEventNone (and 0) when nothing is in flight or the time cannot be
/// told (a stale now, or a wrapped clock).
/// \gosrc{mgclimit.go,limiterEvent.consume}
limiterEvent::consumed limiterEvent::consume(int64 now) {
  limiterEventType typ;
  int64 duration;
  // Swap the stamp for one that starts now.
  for (;;) {
    limiterEventStamp old(stamp.Load());
    typ = old.typ();
    if (typ == limiterEventNone) {
      // Nothing in flight.
      return {typ, 0};
    }
    duration = old.duration(now);
    if (duration == 0) {
      // A stale now or a crossed 2^(64-limiterEventBits) boundary: skip.
      return {limiterEventNone, 0};
    }
    limiterEventStamp nw = makeLimiterEventStamp(typ, now);
    if (stamp.CompareAndSwap(uint64(old), uint64(nw))) {
      break;
    }
  }
  return {typ, duration};
}

/// stop: end the event of type typ in flight on this P (throws if another
/// type is in flight) and hand its time to the limiter: idle time (and,
/// for a P on the idle list, to sched.idleTime too) or assist time. The
/// caller was non-preemptible since start.
/// \gosrc{mgclimit.go,limiterEvent.stop}
void limiterEvent::stop(limiterEventType typ, int64 now) {
  limiterEventStamp s;
  for (;;) {
    s = limiterEventStamp(stamp.Load());
    if (s.typ() != typ) {
      print("runtime: want=", typ, " got=", s.typ(), "\n");
      throw_("limiterEvent.stop: found wrong event in p's limiter event slot");
    }
    if (stamp.CompareAndSwap(uint64(s), uint64(limiterEventStampNone))) {
      break;
    }
  }
  int64 duration = s.duration(now);
  if (duration == 0) {
    // The clock crossed a 2^(64-limiterEventBits) boundary between start
    // and stop (or now is stale): this stretch is lost, a rare and
    // short-lived error that the next events correct.
    return;
  }
  // Hand the time to the limiter.
  switch (typ) {
    case limiterEventIdleMarkWork:
      gcCPULimiter.addIdleTime(duration);
      break;
    case limiterEventIdle:
      gcCPULimiter.addIdleTime(duration);
      sched.idleTime.Add(duration);
      break;
    case limiterEventMarkAssist:
    case limiterEventScavengeAssist:
      gcCPULimiter.addAssistTime(duration);
      break;
    default:
      throw_("limiterEvent.stop: invalid limiter event type found");
  }
}

}  // namespace runtime
