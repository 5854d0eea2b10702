// internal/atomic/atomic.hpp: runtime/internal/atomic at go1.22.12.
//
// The runtime's atomics keep Go's names (Load, Store, Cas, Xadd, Xchg, Or8,
// LoadAcq, StoreRel, CasRel) and Go's typed wrappers (Int32, Uint32, Int64,
// Uint64, Bool, Uintptr, UnsafePointer). On amd64 every one of them is one
// x86 instruction (LOCK-prefixed, or a plain MOV for loads), as in Go. In the
// C++ memory model they are seq_cst, except the three whose Go names say
// otherwise: LoadAcq is an acquire load, StoreRel a release store, and CasRel
// a release CAS (relaxed on failure). GCC emits the same instructions for
// them on amd64; the weaker orderings are what Go's names promise, and what
// TSan checks the callers against.
#pragma once
#include <atomic>
#include <bit>
#include <cstdint>
#include <type_traits>

#include "../../pragmas.hpp"

namespace runtime::atomic {

template <class T>
NOSPLIT_INLINE T Load(const T* p) {
  return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}
template <class T>
NOSPLIT_INLINE T LoadAcq(const T* p) {
  return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
template <class T>
NOSPLIT_INLINE void Store(T* p, T v) {
  __atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}
template <class T>
NOSPLIT_INLINE void StoreRel(T* p, T v) {
  __atomic_store_n(p, v, __ATOMIC_RELEASE);
}
template <class T>
NOSPLIT_INLINE bool Cas(T* p, T old, T nw) {
  return __atomic_compare_exchange_n(p, &old, nw, false, __ATOMIC_SEQ_CST,
                                     __ATOMIC_SEQ_CST);
}
template <class T>
NOSPLIT_INLINE bool CasRel(T* p, T old, T nw) {
  return __atomic_compare_exchange_n(p, &old, nw, false, __ATOMIC_RELEASE,
                                     __ATOMIC_RELAXED);
}
/// Xadd returns the new value, as Go's does.
template <class T, class D>
NOSPLIT_INLINE T Xadd(T* p, D delta) {
  return __atomic_add_fetch(p, static_cast<T>(delta), __ATOMIC_SEQ_CST);
}
template <class T>
NOSPLIT_INLINE T Xchg(T* p, T v) {
  return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);
}
NOSPLIT_INLINE uint8_t Load8(const uint8_t* p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
NOSPLIT_INLINE void Or8(uint8_t* p, uint8_t v) { __atomic_or_fetch(p, v, __ATOMIC_SEQ_CST); }
NOSPLIT_INLINE void And8(uint8_t* p, uint8_t v) { __atomic_and_fetch(p, v, __ATOMIC_SEQ_CST); }
NOSPLIT_INLINE void Or(uint32_t* p, uint32_t v) { __atomic_or_fetch(p, v, __ATOMIC_SEQ_CST); }
NOSPLIT_INLINE void And(uint32_t* p, uint32_t v) { __atomic_and_fetch(p, v, __ATOMIC_SEQ_CST); }

namespace detail {
// racyLoad, racyStore: the runtime's plain reads and writes of words that
// another thread may access at the same time, by design (the scavenge
// index's generation, read by a lock-free search while the heap lock's
// holder bumps it). Go uses an ordinary load or store and its memory model
// tolerates the race; in C++ that is a data race, so the port uses relaxed
// atomics: the same single mov on amd64, and visible to TSan as intended.
// Not Go names: Go has no call here at all.
template <class T>
NOSPLIT_INLINE T racyLoad(const T* p) {
  return __atomic_load_n(p, __ATOMIC_RELAXED);
}
template <class T>
NOSPLIT_INLINE void racyStore(T* p, T v) {
  __atomic_store_n(p, v, __ATOMIC_RELAXED);
}
}  // namespace detail

/// The typed wrappers of types.go. Each is a plain value with atomic methods.
template <class T>
struct Value {
  T value{};
  NOSPLIT_INLINE T Load() const { return atomic::Load(&value); }
  NOSPLIT_INLINE void Store(T v) { atomic::Store(&value, v); }
  NOSPLIT_INLINE bool CompareAndSwap(T old, T nw) { return atomic::Cas(&value, old, nw); }
  NOSPLIT_INLINE T Swap(T v) { return atomic::Xchg(&value, v); }
  /// Add returns the new value.
  NOSPLIT_INLINE T Add(T delta) { return atomic::Xadd(&value, delta); }
  /// Or and And set and clear bits (Go's Uint32.Or and Uint32.And).
  NOSPLIT_INLINE void Or(T v) { __atomic_or_fetch(&value, v, __ATOMIC_SEQ_CST); }
  NOSPLIT_INLINE void And(T v) { __atomic_and_fetch(&value, v, __ATOMIC_SEQ_CST); }
};
using Int32 = Value<int32_t>;
using Uint32 = Value<uint32_t>;
using Int64 = Value<int64_t>;
using Uint64 = Value<uint64_t>;
using Uintptr = Value<uintptr_t>;

/// Float64: a float64 read and written atomically, held as its bits in a
/// Uint64, as Go's does (only Load and Store: there is no atomic float
/// arithmetic). \gosrc{internal/atomic/types.go,Float64}
struct Float64 {
  Uint64 u;
  NOSPLIT_INLINE double Load() const { return std::bit_cast<double>(u.Load()); }
  NOSPLIT_INLINE void Store(double v) { u.Store(std::bit_cast<uint64_t>(v)); }
};

struct Bool {
  uint8_t u{};
  NOSPLIT_INLINE bool Load() const { return atomic::Load(&u) != 0; }
  NOSPLIT_INLINE void Store(bool v) { atomic::Store(&u, uint8_t(v ? 1 : 0)); }
};

template <class T>
struct Pointer {
  T* value{};
  NOSPLIT_INLINE T* Load() const { return atomic::Load(&value); }
  NOSPLIT_INLINE void Store(T* v) { atomic::Store(&value, v); }
  NOSPLIT_INLINE bool CompareAndSwap(T* old, T* nw) { return atomic::Cas(&value, old, nw); }
};

/// Racy<T>: a field that Go reads or writes with plain accesses although
/// other threads read it without its lock, by design: sysmon's look at
/// pp.status and mp.curg, preemptone's gp.preempt, a thief's glance at
/// pp.runnext, the early exits of chansend/chanrecv that read c.closed.
/// Go's memory model tolerates those races (the reader acts on a stale value
/// safely, or confirms under the lock); in C++ they are data races, which
/// are undefined behaviour and which ThreadSanitizer reports. Racy<T> keeps
/// Go's spelling (`pp->status = _Pidle`, `if (pp->status != _Prunning)`)
/// and makes each access an atomic load with acquire order or an atomic
/// store with release order: on amd64 the same single MOV as a plain access,
/// with no fence (x86 orders plain loads and stores that way already, which
/// Go's compiled code relies on too). Acquire/release rather than relaxed
/// because many of these fields publish a pointer (mp.curg, pp.m, a wait
/// queue's first sudog): a thread that reads the pointer then reads the
/// object, which must have been initialized before the pointer was stored.
/// ++ and -- are a load and a store, not a read-modify-write: only a field
/// with a single writer (its owner, or the holder of its lock) may use them.
/// (The generic __atomic_load/__atomic_store, not the _n forms: clang's _n
/// builtins refuse an enum, such as g.waitreason's waitReason.)
template <class T>
struct Racy {
  T v{};
  NOSPLIT_INLINE operator T() const { return load(); }
  NOSPLIT_INLINE Racy& operator=(T x) {
    __atomic_store(&v, &x, __ATOMIC_RELEASE);
    return *this;
  }
  NOSPLIT_INLINE T load() const {
    T x;
    __atomic_load(&v, &x, __ATOMIC_ACQUIRE);
    return x;
  }
  NOSPLIT_INLINE T operator->() const
    requires std::is_pointer_v<T>
  {
    return load();
  }
  NOSPLIT_INLINE T operator++(int) {
    T old = load();
    *this = T(old + 1);
    return old;
  }
  NOSPLIT_INLINE T operator--(int) {
    T old = load();
    *this = T(old - 1);
    return old;
  }
  NOSPLIT_INLINE Racy& operator++() { return *this = T(load() + 1); }
  NOSPLIT_INLINE Racy& operator--() { return *this = T(load() - 1); }
  NOSPLIT_INLINE Racy& operator+=(T d) { return *this = T(load() + d); }
  NOSPLIT_INLINE Racy& operator-=(T d) { return *this = T(load() - d); }
};

}  // namespace runtime::atomic
