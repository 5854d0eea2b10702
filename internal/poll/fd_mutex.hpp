// internal/poll/fd_mutex.hpp: fdMutex, the lock that guards a descriptor's
// lifetime and orders its reads, writes and Close, mirroring
// src/internal/poll/fd_mutex.go at go1.22.12. The bodies are in
// fd_mutex.cpp.
//
// One 64-bit word, fdMutex::state, changed only by compare-and-swap, holds
// the whole lock (low bit first):
//
//   bit  0       mutexClosed   Close has begun: every later lock fails;
//   bit  1       mutexRLock    a reader holds the read lock;
//   bit  2       mutexWLock    a writer holds the write lock;
//   bits 3..22   mutexRef      references: held locks plus incref'd uses;
//   bits 23..42  mutexRWait    readers asleep (or about to be) on rsema;
//   bits 43..62  mutexWWait    writers asleep (or about to be) on wsema.
//
// Who must do what: a read takes rwlock(true) and ends with rwunlock(true);
// a write rwlock(false) and rwunlock(false); any other use of the descriptor
// (a socket option, a deadline) incref and decref, so that a Close cannot
// pull the descriptor away under it; Close increfAndClose, then decref.
//
// Invariants:
//   [fdmu-count]  Each 20-bit counter stays within its field: an operation
//                 that would carry out of one panics with overflowMsg instead
//                 (Go's limit, 1048575 at once).
//   [fdmu-wait]   A waiter is counted in its wait field before it sleeps;
//                 whoever wakes it (rwunlock, increfAndClose) takes it off
//                 the count in the same CAS, then releases the semaphore
//                 once. The woken goroutine retries from the start.
//   [fdmu-close]  Once mutexClosed is set it stays set, and the CAS that
//                 sets it also empties both wait fields; every goroutine
//                 that was counted there is woken and then sees the flag.
//   [fdmu-last]   decref and rwunlock report true exactly when they drop
//                 the last reference of a closed mutex: the caller then
//                 destroys the descriptor.
//
// No lock besides the word itself; a goroutine sleeps only in rwlock, on the
// runtime's semaphore (sema.cpp), through the two bodiless declarations
// below, as Go's poll package reaches the runtime.
#pragma once
#include <cstdint>

#include "../../pragmas.hpp"

namespace gort::poll {

/// fdMutex: the descriptor's lock (see the layout above). The zero value is
/// an open, unlocked mutex with no references.
/// \gosrc{internal/poll/fd_mutex.go,fdMutex}
struct fdMutex {
  uint64_t state = 0;
  uint32_t rsema = 0;
  uint32_t wsema = 0;

  bool incref();
  bool increfAndClose();
  bool decref();
  bool rwlock(bool read);
  bool rwunlock(bool read);
};

// The fields of fdMutex::state ([fdmu-count]): one unit and the mask of each
// counter, and the three flag bits. \gosrc{internal/poll/fd_mutex.go,mutexClosed}
constexpr uint64_t mutexClosed = uint64_t(1) << 0;
constexpr uint64_t mutexRLock = uint64_t(1) << 1;
constexpr uint64_t mutexWLock = uint64_t(1) << 2;
constexpr uint64_t mutexRef = uint64_t(1) << 3;
constexpr uint64_t mutexRefMask = ((uint64_t(1) << 20) - 1) << 3;
constexpr uint64_t mutexRWait = uint64_t(1) << 23;
constexpr uint64_t mutexRMask = ((uint64_t(1) << 20) - 1) << 23;
constexpr uint64_t mutexWWait = uint64_t(1) << 43;
constexpr uint64_t mutexWMask = ((uint64_t(1) << 20) - 1) << 43;

/// overflowMsg: the panic of a counter that would carry out of its field.
/// \gosrc{internal/poll/fd_mutex.go,overflowMsg}
constexpr const char* overflowMsg =
    "too many concurrent operations on a single file or socket (max 1048575)";

/// runtime_Semacquire sleeps until *sema is positive, then takes one from it.
/// Bodiless: the runtime defines it (sema.cpp, poll_runtime_Semacquire) under
/// this symbol, as Go's linker joins the two.
/// \gosrc{internal/poll/fd_mutex.go,runtime_Semacquire}
void runtime_Semacquire(uint32_t* sema) GOSYMBOL("internal..z2fpoll.runtime_Semacquire");
/// runtime_Semrelease adds one to *sema and wakes one sleeper, if any.
/// Bodiless, like runtime_Semacquire (sema.cpp, poll_runtime_Semrelease).
/// \gosrc{internal/poll/fd_mutex.go,runtime_Semrelease}
void runtime_Semrelease(uint32_t* sema) GOSYMBOL("internal..z2fpoll.runtime_Semrelease");

// Go's fd_mutex.go ends with six methods of FD built on fdmu (FD.incref,
// FD.decref, FD.readLock, FD.readUnlock, FD.writeLock, FD.writeUnlock): they
// turn a failed lock into errClosing and call FD.destroy on [fdmu-last].
// FD is declared in fd.hpp; their bodies end fd_mutex.cpp, as in Go.

}  // namespace gort::poll
