// sync/runtime.hpp: package sync's bodiless declarations of the functions
// the runtime provides, mirroring src/sync/runtime.go and
// src/sync/runtime2.go at go1.22.12.
//
// Package sync does not include any runtime header. Each declaration below
// only names a symbol, "sync.runtime_Semacquire" and so on: the name a Go
// compiler gives sync's function runtime_Semacquire. Nothing in package sync
// defines it. The runtime defines a function of its own name
// (sync_runtime_Semacquire in sema.cpp) and marks it LINKNAME with the same
// symbol, so the linker joins the two. That is Go's back channel: sync calls
// into the scheduler (to park and ready goroutines) without an import. The
// ctest linkname_sync reads the objects with nm and checks each symbol is
// defined by the runtime's object and only referenced by sync's.
#pragma once
#include <cstdint>

#include "../pragmas.hpp"

namespace gort::sync {

/// runtime_Semacquire waits until *s > 0, then decrements it atomically: the
/// sleep half of the primitive sync's types are built on.
/// \gosrc{sync/runtime.go,runtime_Semacquire}
void runtime_Semacquire(uint32_t* s) GOSYMBOL("sync.runtime_Semacquire");

/// runtime_SemacquireMutex, runtime_SemacquireRWMutexR and
/// runtime_SemacquireRWMutex: runtime_Semacquire for a Mutex or RWMutex
/// waiter. lifo queues the waiter first (it already waited once); the three
/// differ only in the wait reason a goroutine dump shows.
/// \gosrc{sync/runtime.go,runtime_SemacquireMutex}
void runtime_SemacquireMutex(uint32_t* s, bool lifo, int skipframes)
    GOSYMBOL("sync.runtime_SemacquireMutex");
/// \gosrc{sync/runtime.go,runtime_SemacquireRWMutexR}
void runtime_SemacquireRWMutexR(uint32_t* s, bool lifo, int skipframes)
    GOSYMBOL("sync.runtime_SemacquireRWMutexR");
/// \gosrc{sync/runtime.go,runtime_SemacquireRWMutex}
void runtime_SemacquireRWMutex(uint32_t* s, bool lifo, int skipframes)
    GOSYMBOL("sync.runtime_SemacquireRWMutex");

/// runtime_Semrelease increments *s and wakes one waiter, if any; with
/// handoff, the count and the rest of the time slice go to that waiter.
/// \gosrc{sync/runtime.go,runtime_Semrelease}
void runtime_Semrelease(uint32_t* s, bool handoff, int skipframes)
    GOSYMBOL("sync.runtime_Semrelease");

/// notifyList: sync's picture of the runtime's notifyList (sema.hpp): the
/// same size and alignment, its fields opaque here.
/// \gosrc{sync/runtime2.go,notifyList}
struct notifyList {
  uint32_t wait;
  uint32_t notify;
  uintptr_t lock;  // the key of the runtime's mutex
  void* head;
  void* tail;
};

/// The notify list calls behind Cond (sema.go documents them).
/// \gosrc{sync/runtime.go,runtime_notifyListAdd}
uint32_t runtime_notifyListAdd(notifyList* l) GOSYMBOL("sync.runtime_notifyListAdd");
/// \gosrc{sync/runtime.go,runtime_notifyListWait}
void runtime_notifyListWait(notifyList* l, uint32_t t) GOSYMBOL("sync.runtime_notifyListWait");
/// \gosrc{sync/runtime.go,runtime_notifyListNotifyAll}
void runtime_notifyListNotifyAll(notifyList* l) GOSYMBOL("sync.runtime_notifyListNotifyAll");
/// \gosrc{sync/runtime.go,runtime_notifyListNotifyOne}
void runtime_notifyListNotifyOne(notifyList* l) GOSYMBOL("sync.runtime_notifyListNotifyOne");
/// runtime_notifyListCheck: sync and the runtime must agree on the size of
/// notifyList; cond.cpp asks once, at start-up (Go: sync's init).
/// \gosrc{sync/runtime.go,runtime_notifyListCheck}
void runtime_notifyListCheck(uintptr_t size) GOSYMBOL("sync.runtime_notifyListCheck");

/// runtime_canSpin reports whether a Mutex waiter should spin once more
/// (iteration i) instead of sleeping. \gosrc{sync/runtime.go,runtime_canSpin}
bool runtime_canSpin(int i) GOSYMBOL("sync.runtime_canSpin");
/// runtime_doSpin spins once. \gosrc{sync/runtime.go,runtime_doSpin}
void runtime_doSpin() GOSYMBOL("sync.runtime_doSpin");
/// runtime_nanotime reads the runtime's monotonic clock.
/// \gosrc{sync/runtime.go,runtime_nanotime}
int64_t runtime_nanotime() GOSYMBOL("sync.runtime_nanotime");

}  // namespace gort::sync
