// mfinal.cpp: finalizers, mirroring mfinal.go at go1.22.12: the queue of
// finalizers to run (finblock, queuefinalizer), the goroutine that runs them
// (createfing, runfinq, wakefing), and SetFinalizer's checks on the object.
// The design, the C++ surface, the departures, the invariants and the
// locking are described in mfinal.hpp; the records on the objects are
// mheap.cpp's specials, marked by markrootSpans (mgcmark.cpp) and turned
// into queued calls by the sweeper (mgcsweep.cpp, freeSpecial).
#include "mfinal.hpp"

#include <cstring>

#include "malloc.hpp"
#include "mheap.hpp"
#include "print.hpp"
#include "proc.hpp"

// The program's writable segments (see mgcmark.cpp): a global is never in
// the heap, and SetFinalizer on one records nothing.
extern "C" char __data_start[];
extern "C" char _edata[];
extern "C" char __bss_start[];
extern "C" char _end[];

namespace runtime {

atomic::Uint32 fingStatus;

mutex finlock;          // protects the following variables
g* fing;                // the goroutine that runs finalizers
finblock* finq;         // the blocks of finalizers waiting to run
finblock* finc;         // spare blocks
uint8 finptrmask[_FinBlockSize / sizeof(void*) / 8];

finblock* allfin;  // every block ever made

/// finalizer1: the pointer bits of eight finalizers in a row (five words
/// each: fn, arg, nret, fint, ot, of which nret alone is not a pointer),
/// one bit per word, which is where the pattern repeats: 40 words, 5
/// bytes. \gosrc{mfinal.go,finalizer1}
static const uint8 finalizer1[] = {
    1 << 0 | 1 << 1 | 0 << 2 | 1 << 3 | 1 << 4 | 1 << 5 | 1 << 6 | 0 << 7,
    1 << 0 | 1 << 1 | 1 << 2 | 1 << 3 | 0 << 4 | 1 << 5 | 1 << 6 | 1 << 7,
    1 << 0 | 0 << 1 | 1 << 2 | 1 << 3 | 1 << 4 | 1 << 5 | 0 << 6 | 1 << 7,
    1 << 0 | 1 << 1 | 1 << 2 | 0 << 3 | 1 << 4 | 1 << 5 | 1 << 6 | 1 << 7,
    0 << 0 | 1 << 1 | 1 << 2 | 1 << 3 | 1 << 4 | 0 << 5 | 1 << 6 | 1 << 7,
};

static_assert(sizeof(finblock) <= _FinBlockSize, "finblock larger than _FinBlockSize");
static_assert(offsetof(finblock, fin) == 2 * sizeof(void*) + 2 * 4, "finblock header layout");

/// queuefinalizer: add a call of fn on p to the queue, and flag the
/// finalizer goroutine for waking (findRunnable readies it). Only outside
/// a mark ([finq-no-grow-in-mark]). \gosrc{mfinal.go,queuefinalizer}
void queuefinalizer(void* p, funcval* fn, uintptr nret, const _type* fint, const ptrtype* ot) {
  if (gcphase != _GCoff) {
    // markroot scanned the queue once, at the start of the mark; a block
    // added now would not be seen.
    throw_("queuefinalizer during GC");
  }

  lock(&finlock);
  if (finq == nullptr || finq->cnt == uint32(std::size(finq->fin))) {
    if (finc == nullptr) {
      finc = static_cast<finblock*>(persistentalloc(_FinBlockSize, 0, &memstats.gcMiscSys));
      finc->alllink = allfin;
      allfin = finc;
      if (finptrmask[0] == 0) {
        // The first block: build the mask markroot scans blocks by,
        // after checking the layout finalizer1 assumes.
        if (sizeof(finalizer) != 5 * sizeof(void*) || offsetof(finalizer, fn) != 0 ||
            offsetof(finalizer, arg) != sizeof(void*) || offsetof(finalizer, nret) != 2 * sizeof(void*) ||
            offsetof(finalizer, fint) != 3 * sizeof(void*) || offsetof(finalizer, ot) != 4 * sizeof(void*)) {
          throw_("finalizer out of sync");
        }
        for (uintptr i = 0; i < std::size(finptrmask); i++) finptrmask[i] = finalizer1[i % std::size(finalizer1)];
      }
    }
    finblock* block = finc;
    finc = block->next;
    block->next = finq;
    finq = block;
  }
  finalizer* f = &finq->fin[finq->cnt];
  atomic::Xadd(&finq->cnt, +1);  // [finq-cnt]: markroot reads cnt
  f->fn = fn;
  f->nret = nret;
  f->fint = fint;
  f->ot = ot;
  f->arg = p;
  unlock(&finlock);
  fingStatus.Or(fingWake);
}

/// iterate_finq: call callback on every queued finalizer (for heap dumps).
/// \gosrc{mfinal.go,iterate_finq}
void iterate_finq(void (*callback)(funcval*, void*, uintptr, const _type*, const ptrtype*)) {
  for (finblock* fb = allfin; fb != nullptr; fb = fb->alllink) {
    for (uint32 i = 0; i < fb->cnt; i++) {
      finalizer* f = &fb->fin[i];
      callback(f->fn, f->arg, f->nret, f->fint, f->ot);
    }
  }
}

/// wakefing: the finalizer goroutine, if it is parked and has work, for
/// the caller to ready; claims the wake-up (clears fingWait and fingWake)
/// so that only one caller gets it. \gosrc{mfinal.go,wakefing}
g* wakefing() {
  if (fingStatus.CompareAndSwap(fingCreated | fingWait | fingWake, fingCreated)) return fing;
  return nullptr;
}

static void runfinq();

/// runfinq_entry: the first frame of the finalizer goroutine (its start PC,
/// which isSystemGoroutine looks for).
void runfinq_entry(funcval*) { runfinq(); }
static funcval runfinqPC{runfinq_entry};

/// createfing: start the finalizer goroutine, the first time only.
/// \gosrc{mfinal.go,createfing}
void createfing() {
  if (fingStatus.Load() == fingUninitialized && fingStatus.CompareAndSwap(fingUninitialized, fingCreated)) {
    newproc(&runfinqPC);
  }
}

/// finalizercommit: gopark's unlock function for runfinq: drop finlock,
/// then say the goroutine waits ([fing-status]: only now is it parked, so a
/// wakefing that sees fingWait readies a parked goroutine).
/// \gosrc{mfinal.go,finalizercommit}
bool finalizercommit(g* gp, void* lock) {
  (void)gp;
  unlock(static_cast<mutex*>(lock));
  fingStatus.Or(fingWait);
  return true;
}

/// runfinq: the finalizer goroutine. It takes the whole queue, runs every
/// finalizer in it (each block from its last slot down), gives the blocks
/// back to finc, and parks when the queue is empty. A system goroutine
/// while it waits, a user one while a finalizer runs (isSystemGoroutine).
/// \gosrc{mfinal.go,runfinq}
static void runfinq() {
  void* frame = nullptr;
  uintptr framecap = 0;

  g* gp = getg();
  lock(&finlock);
  fing = gp;
  unlock(&finlock);

  for (;;) {
    lock(&finlock);
    finblock* fb = finq;
    finq = nullptr;
    if (fb == nullptr) {
      gopark(finalizercommit, &finlock, waitReasonFinalizerWait, 1);
      continue;
    }
    unlock(&finlock);
    while (fb != nullptr) {
      for (uint32 i = fb->cnt; i > 0; i--) {
        finalizer* f = &fb->fin[i - 1];

        // The argument frame: the object pointer, then room for results
        // (Go: the size of an interface value plus nret). It is a noscan
        // heap object: the pointer in it must not keep the last finalized
        // object alive.
        uintptr framesz = 2 * sizeof(void*) + f->nret;
        if (framecap < framesz) {
          frame = mallocgc(framesz, nullptr, true);
          framecap = framesz;
        }

        if (f->fint == nullptr) throw_("missing type in runfinq");
        // Departure: no register ABI; the argument always goes in the
        // frame (Go's argRegs == 0 case), which is cleared first.
        void* r = frame;
        memset(frame, 0, 2 * sizeof(void*));
        switch (f->fint->Kind_ & kindMask) {
          case kindPtr:
            // The pointer itself is the argument.
            *static_cast<void**>(r) = f->arg;
            break;
          // Departure: no kindInterface case: the port has no interface
          // types (a generic lambda takes the pointer; mfinal.hpp).
          default:
            throw_("bad kind in runfinq");
        }
        fingStatus.Or(fingRunningFinalizer);
        // Go: reflectcall of the closure with the frame. The closure's
        // code is finclosure::call, whose type finfunc says.
        reinterpret_cast<finfunc>(f->fn->fn)(f->fn, frame);
        fingStatus.And(~uint32(fingRunningFinalizer));

        // Clear the slot's heap pointers before cnt hides it from markroot
        // (and for the block's reuse).
        f->fn = nullptr;
        f->arg = nullptr;
        f->ot = nullptr;
        atomic::Store(&fb->cnt, i - 1);
      }
      finblock* next = fb->next;
      lock(&finlock);
      fb->next = finc;
      finc = fb;
      unlock(&finlock);
      fb = next;
    }
  }
}

/// isGoPointerWithoutSpan: whether p is a pointer the runtime knows that
/// has no heap span: zerobase (every zero-sized allocation) or a global.
/// Departure: the globals are the executable's data and bss (Go: each
/// module's data, bss, noptrdata and noptrbss).
/// \gosrc{mfinal.go,isGoPointerWithoutSpan}
bool isGoPointerWithoutSpan(void* p) {
  // Zero-sized objects are fine.
  if (p == &zerobase) return true;

  // A global: never freed, so nothing to record.
  uintptr u = uintptr(p);
  if ((uintptr(__data_start) <= u && u < uintptr(_edata)) || (uintptr(__bss_start) <= u && u < uintptr(_end)))
    return true;
  return false;
}

/// blockUntilEmptyFinalizerQueue: wait (yielding) until the queue is empty
/// and the finalizer goroutine is parked again, or timeout nanoseconds have
/// passed; whether it emptied. For the tests.
/// \gosrc{mfinal.go,blockUntilEmptyFinalizerQueue}
bool blockUntilEmptyFinalizerQueue(int64 timeout) {
  int64 start = nanotime();
  while (nanotime() - start < timeout) {
    lock(&finlock);
    // Drained: nothing queued, and fing back in its wait.
    bool empty = finq == nullptr;
    empty = empty && readgstatus(fing) == _Gwaiting && fing->waitreason == waitReasonFinalizerWait;
    unlock(&finlock);
    if (empty) return true;
    Gosched();
  }
  return false;
}

/// SetFinalizer: the untyped half of runtime::SetFinalizer (mfinal.hpp):
/// obj and its pointer type ot (nullptr: Go's untyped nil); the closure
/// (nullptr: remove obj's finalizer), its results' size and its parameter
/// type. Checks obj as Go does and records the finalizer.
/// Departure: the checks of the two types (a pointer, a function of one
/// parameter obj can be passed to) are made at compile time by the
/// template; debug.sbrk and user arenas do not exist in the port.
/// \gosrc{mfinal.go,SetFinalizer}
void SetFinalizer(void* obj, const ptrtype* ot, funcval* finalizer, uintptr nret, const _type* fint) {
  if (ot == nullptr) throw_("runtime.SetFinalizer: first argument is nil");
  if (ot->Elem == nullptr) throw_("nil elem type!");

  // The object obj points into.
  foundObject fo = findObject(uintptr(obj), 0, 0);
  uintptr base = fo.base;
  mspan* span = fo.s;

  if (base == 0) {
    if (isGoPointerWithoutSpan(obj)) return;
    throw_("runtime.SetFinalizer: pointer not in allocated block");
  }

  // An object with a malloc header starts after it.
  if (!span->spanclass.noscan() && !heapBitsInSpan(span->elemsize) && span->spanclass.sizeclass() != 0) {
    base += mallocHeaderSize;
  }

  if (uintptr(obj) != base) {
    // An inner byte is accepted only where the tiny allocator may have put
    // the object: small and pointer-free.
    if (ot->Elem == nullptr || ot->Elem->PtrBytes != 0 || ot->Elem->size >= maxTinySize) {
      throw_("runtime.SetFinalizer: pointer not at beginning of allocated block");
    }
  }

  if (fint == nullptr) {
    // No finalizer: remove one, on the system stack.
    systemstack([&] { removefinalizer(obj); });
    return;
  }

  // The finalizer goroutine must exist before anything can be queued.
  createfing();

  systemstack([&] {
    if (!addfinalizer(obj, finalizer, nret, fint, ot)) throw_("runtime.SetFinalizer: finalizer already set");
  });
}

}  // namespace runtime
