// sync/atomic/type.hpp: the part of package sync/atomic (go1.22.12,
// src/sync/atomic/doc.go and type.go) that package sync uses: the typed
// values Int32, Uint32, Uint64 and the functions CompareAndSwapInt32,
// AddInt32 and CompareAndSwapUintptr.
//
// Every operation is sequentially consistent, as Go's memory model makes
// sync/atomic's operations; on amd64 each is one locked instruction (or a
// plain mov for a load). These are for user code too: unlike the runtime's
// internal/atomic, this is a public package in Go.
#pragma once
#include <cstdint>

namespace gort::sync::atomic {

/// CompareAndSwapInt32: if *addr == old, store nw and report true.
/// \gosrc{sync/atomic/doc.go,CompareAndSwapInt32}
[[gnu::always_inline]] inline bool CompareAndSwapInt32(int32_t* addr, int32_t old, int32_t nw) {
  return __atomic_compare_exchange_n(addr, &old, nw, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}
/// CompareAndSwapUintptr: the same for a uintptr.
/// \gosrc{sync/atomic/doc.go,CompareAndSwapUintptr}
[[gnu::always_inline]] inline bool CompareAndSwapUintptr(uintptr_t* addr, uintptr_t old, uintptr_t nw) {
  return __atomic_compare_exchange_n(addr, &old, nw, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}
/// CompareAndSwapUint32: the same for a uint32.
/// \gosrc{sync/atomic/doc.go,CompareAndSwapUint32}
[[gnu::always_inline]] inline bool CompareAndSwapUint32(uint32_t* addr, uint32_t old, uint32_t nw) {
  return __atomic_compare_exchange_n(addr, &old, nw, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}
/// AddInt32 adds delta to *addr and returns the new value.
/// \gosrc{sync/atomic/doc.go,AddInt32}
[[gnu::always_inline]] inline int32_t AddInt32(int32_t* addr, int32_t delta) {
  return __atomic_add_fetch(addr, delta, __ATOMIC_SEQ_CST);
}
/// LoadInt32 reads *addr. \gosrc{sync/atomic/doc.go,LoadInt32}
[[gnu::always_inline]] inline int32_t LoadInt32(const int32_t* addr) {
  return __atomic_load_n(addr, __ATOMIC_SEQ_CST);
}
/// LoadUint32 reads *addr. \gosrc{sync/atomic/doc.go,LoadUint32}
[[gnu::always_inline]] inline uint32_t LoadUint32(const uint32_t* addr) {
  return __atomic_load_n(addr, __ATOMIC_SEQ_CST);
}

/// StoreUint32 writes val into *addr. \gosrc{sync/atomic/doc.go,StoreUint32}
[[gnu::always_inline]] inline void StoreUint32(uint32_t* addr, uint32_t val) {
  __atomic_store_n(addr, val, __ATOMIC_SEQ_CST);
}

namespace detail {
// racyLoad: package sync's own plain reads of words that other goroutines
// change atomically (Mutex.state, the Cond copy checker). Go reads them with
// an ordinary load; in C++ that is a data race, so the port reads them with
// a relaxed atomic load, the same single mov on amd64.
template <class T>
[[gnu::always_inline]] inline T racyLoad(const T* p) {
  return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/// value: the shared body of Go's typed atomics (Int32, Uint32, ...): a plain
/// T accessed only through these methods.
template <class T>
class value {
 public:
  constexpr value() = default;
  value(const value&) = delete;  // Go's noCopy: vet rejects copies; here the compiler does
  value& operator=(const value&) = delete;
  [[gnu::always_inline]] T Load() const { return __atomic_load_n(&v_, __ATOMIC_SEQ_CST); }
  [[gnu::always_inline]] void Store(T val) { __atomic_store_n(&v_, val, __ATOMIC_SEQ_CST); }
  [[gnu::always_inline]] T Swap(T nw) { return __atomic_exchange_n(&v_, nw, __ATOMIC_SEQ_CST); }
  [[gnu::always_inline]] bool CompareAndSwap(T old, T nw) {
    return __atomic_compare_exchange_n(&v_, &old, nw, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  }
  /// Add returns the new value.
  [[gnu::always_inline]] T Add(T delta) { return __atomic_add_fetch(&v_, delta, __ATOMIC_SEQ_CST); }

 private:
  alignas(sizeof(T)) T v_{};  // Uint64 is 8-aligned even where Go's int64 is not
};
}  // namespace detail

/// Int32, Uint32, Int64, Uint64, Uintptr: atomic values (type.go).
/// \gosrc{sync/atomic/type.go,Int32}
struct Int32 : detail::value<int32_t> {};
/// \gosrc{sync/atomic/type.go,Uint32}
struct Uint32 : detail::value<uint32_t> {};
/// \gosrc{sync/atomic/type.go,Int64}
struct Int64 : detail::value<int64_t> {};
/// \gosrc{sync/atomic/type.go,Uint64}
struct Uint64 : detail::value<uint64_t> {};
/// \gosrc{sync/atomic/type.go,Uintptr}
struct Uintptr : detail::value<uintptr_t> {};

}  // namespace gort::sync::atomic
