// slice.hpp: slices, mirroring slice.go at go1.22.12: the runtime's slice
// header and its entry points (makeslice, makeslice64, growslice,
// nextslicecap, slicecopy), and gort::slice<T>, the language surface a C++
// program uses for Go's []T:
//
//   make([]T, n, c)      gort::make<T>(n, c)       makeslice64
//   append(s, v...)      gort::append(s, v...)     growslice when full
//   s[i]                 s[i]                      goPanicIndex when out of range
//   s[lo:hi]             s.sub(lo, hi)             goPanicSliceB / goPanicSliceAcap
//   s[lo:hi:max]         s.sub3(lo, hi, max)       goPanicSlice3C / 3B / 3Acap
//   append(s, make([]T, n)...)
//                        gort::extend(s, n)        growslice when full; no
//                                                  make (the compiler's
//                                                  extendSlice)
//   len(s), cap(s)       gort::len(s), gort::cap(s)
//   copy(dst, src)       gort::copy(dst, src)      memmove, as Go's compiler
//                                                  writes it (typedslicecopy
//                                                  for GC references)
//   append(b, str...)    gort::appendSlice(b, str) a []byte and a Go string,
//   copy(b, str)         gort::copy(b, str)        std::string_view here
//
// Departure: the port has no Go string type. Where Go lets a string stand
// for a []byte source (append(b, s...) and copy(b, s)), the port takes a
// std::string_view, the same (pointer, length) pair and as read-only; the
// bytes it points at are the caller's to keep alive, since a view is no GC
// reference.
//
// Invariant [slice-zero]: the elements of a slice's array that no one has
// written are zero bytes (mallocgc's needzero, growslice's clear past the
// old length), and a zero-byte element is the element type's zero value:
// the element types the heap accepts (type.hpp's heapType: scalars, GC
// references, aggregates and arrays of them) all have an all-zero zero
// value, as every Go type has.
//
// Departure: Go's int is 64 bits on amd64; the port spells Go's int as C++
// int (32 bits), as everywhere else, so a slice holds at most 2^31-1
// elements and make takes int64 bounds through makeslice64, which narrows
// them as Go's does on its 32-bit ports.
//
// Departure: an element whose copy runs code (a std::string, whose copy
// allocates) is copied by its copy
// constructor where Go copies bytes: append copies the old elements into a
// grown array that way after growslice's memmove, so that the old array,
// which other slices may still share, keeps its own references.
#pragma once
#include <initializer_list>
#include <string_view>
#include <type_traits>
#include <utility>

#include "malloc.hpp"
#include "runtime2.hpp"
#include "stubs.hpp"
#include "type.hpp"

namespace runtime {

/// slice: a slice header (Go's reflect.SliceHeader). \gosrc{slice.go,slice}
struct slice {
  void* array;
  int len;
  int cap;
};

[[noreturn]] void panicmakeslicelen();
[[noreturn]] void panicmakeslicecap();
void* makeslice(const _type* et, int len, int cap);
void* makeslice64(const _type* et, int64 len64, int64 cap64);
slice growslice(void* oldPtr, int newLen, int oldCap, int num, const _type* et);
int nextslicecap(int newLen, int oldCap);
bool isPowerOfTwo(uintptr x);
NOSPLIT int slicecopy(void* toPtr, int toLen, void* fromPtr, int fromLen, uintptr width);

// Bounds checks (panic.cpp): what the compiler emits for s[x] and s[x:y].
[[noreturn]] void goPanicIndex(int x, int y);
[[noreturn]] void goPanicSliceAcap(int x, int y);
[[noreturn]] void goPanicSliceB(int x, int y);
[[noreturn]] void goPanicSlice3Acap(int x, int y);
[[noreturn]] void goPanicSlice3B(int x, int y);
[[noreturn]] void goPanicSlice3C(int x, int y);

}  // namespace runtime

namespace gort {

/// slice<T>: Go's []T, a header over an array in the garbage-collected heap.
/// Default-constructed it is nil (len 0, cap 0). Copies share the array, as
/// Go's slice values do. Its array is a GC reference ([gc-refs], type.hpp).
template <class T>
struct slice {
  runtime::heapPtr<T> array;  // with Go's write barrier (mwbbuf.hpp)
  int len = 0;
  int cap = 0;

  /// s[i], with Go's bounds check: `index out of range [i] with length n`.
  T& operator[](int i) const {
    inRange();
    if (i < 0 || i >= len) [[unlikely]]
      runtime::goPanicIndex(i, len);
    return array[i];
  }
  /// s[lo:hi], with Go's bounds checks (0 <= lo <= hi <= cap).
  slice sub(int lo, int hi) const {
    inRange();
    if (hi < 0 || hi > cap) [[unlikely]]
      runtime::goPanicSliceAcap(hi, cap);
    if (lo < 0 || lo > hi) [[unlikely]]
      runtime::goPanicSliceB(lo, hi);
    // A result with no capacity keeps the base pointer, so that it never
    // points past the array (into the next object), as Go's compiler does.
    return slice{cap - lo == 0 ? array.get() : array.get() + lo, hi - lo, cap - lo};
  }
  /// s[lo:hi:max], with Go's bounds checks in the order Go's compiler
  /// makes them (max <= cap, then hi <= max, then lo <= hi); the result's
  /// capacity is max - lo.
  slice sub3(int lo, int hi, int max) const {
    inRange();
    if (max < 0 || max > cap) [[unlikely]]
      runtime::goPanicSlice3Acap(max, cap);
    if (hi < 0 || hi > max) [[unlikely]]
      runtime::goPanicSlice3B(hi, max);
    if (lo < 0 || lo > hi) [[unlikely]]
      runtime::goPanicSlice3C(lo, hi);
    return slice{max - lo == 0 ? array.get() : array.get() + lo, hi - lo, max - lo};
  }
  /// What every slice header satisfies, 0 <= len <= cap, told to the
  /// compiler, so that it can drop the checks Go's prove pass drops.
  void inRange() const {
    if (len < 0 || len > cap) __builtin_unreachable();
  }
  T* begin() const { return array; }
  T* end() const { return array + len; }
  bool operator==(std::nullptr_t) const { return array == nullptr; }
};

/// len(s)
template <class T>
int len(const slice<T>& s) {
  return s.len;
}
/// cap(s)
template <class T>
int cap(const slice<T>& s) {
  return s.cap;
}

/// make([]T, len, cap): a slice of len zero elements with room for cap.
/// Out-of-range bounds panic with Go's messages (makeslice64).
template <class T>
slice<T> make(int64_t len, int64_t cap) {
  static_assert(!runtime::isNotInHeap<T>, "can't be allocated in Go; it is incomplete (or unallocatable)");
  static_assert(alignof(T) <= 16, "make: alignment above 16 bytes");
  T* a = static_cast<T*>(runtime::makeslice64(runtime::heapType<T>(), len, cap));
  // Only cap's elements are in range, so make's checks have passed.
  if constexpr (!std::is_trivially_default_constructible_v<T>) {
    for (int64_t i = 0; i < cap; i++) ::new (&a[i]) T();
  }
  return slice<T>{a, int(len), int(cap)};
}
/// make([]T, len)
template <class T>
slice<T> make(int64_t len) {
  return make<T>(len, len);
}

namespace detail {
/// copiesBitwise<T>: T's copy is its bytes, though T may not be trivially
/// copyable: a GC reference (gort::ptr, chan, slice), or an aggregate of
/// them and scalars, whose assignment runs the write barrier but whose copy
/// constructor and destructor do nothing. Go copies every type so.
template <class T>
inline constexpr bool copiesBitwise =
    std::is_trivially_copy_constructible_v<T> && std::is_trivially_destructible_v<T> && !runtime::conservativeScan<T>;

/// growSlow: grow's call of growslice, out of line, as Go's compiler
/// leaves the call to growslice out of line and keeps the capacity check
/// inline. newLen is s.len + num.
template <class T>
[[gnu::noinline]] slice<T> growSlow(slice<T> s, int newLen, int num) {
  runtime::slice n = runtime::growslice(s.array, newLen, s.cap, num, runtime::heapType<T>());
  T* a = static_cast<T*>(n.array);
  if constexpr (!copiesBitwise<T>) {
    // See the Departure in slice.hpp: the old array keeps its copies.
    // (growslice recorded them for the write barrier.)
    for (int i = 0; i < s.len; i++) ::new (&a[i]) T(s.array[i]);
  }
  return slice<T>{a, n.len, n.cap};
}

/// grow: s with room for num more elements, through growslice when its
/// capacity is short ([slice-zero]); the length becomes s.len + num.
/// Inlined into every append: the common case is a compare and a store.
template <class T>
[[gnu::always_inline]] inline slice<T> grow(slice<T> s, int num) {
  // The sum may wrap (Go's int arithmetic), and growslice reports it. A
  // wrapped (negative) newLen is above any capacity as an unsigned number,
  // since 0 <= cap; so one unsigned comparison tests both, as Go's does.
  int newLen = int(unsigned(s.len) + unsigned(num));
  if (__builtin_expect(unsigned(newLen) <= unsigned(s.cap), true)) {
    s.len = newLen;
    return s;
  }
  return growSlow(s, newLen, num);
}
}  // namespace detail

/// append(s, vs...): s with the values added at its end; a new array (by
/// Go's growth rule, growslice) when s has no room for them.
/// The result is a new local (r), constructed, not assigned: assigning a
/// slice runs the write barrier's test (its array is a GC reference, and
/// C++ cannot tell a local from a heap word), which Go's compiler leaves
/// out for a local; so does this. The same in appendSlice.
template <class T, class... Vs>
slice<T> append(slice<T> s, Vs&&... vs) {
  // The index is unsigned (0 <= len): a zero extension, which x86-64 gets
  // free from any 32-bit instruction, where an int needs a movslq.
  unsigned i = unsigned(s.len);
  slice<T> r = detail::grow(s, int(sizeof...(Vs)));
  ((r.array.get()[i++] = T(std::forward<Vs>(vs))), ...);
  return r;
}

/// append(s, t...): s with t's elements added at its end.
template <class T>
[[gnu::always_inline]] inline slice<T> appendSlice(slice<T> s, const slice<T>& t) {
  int old = s.len;
  int n = t.len;
  slice<T> r = detail::grow(s, n);
  // t may share r's array (append(s[:1], s...)): copy handles the overlap.
  if constexpr (std::is_trivially_copyable_v<T>) {
    // As Go's compiler does for append(s, t...): a memmove, no slicecopy.
    if (n != 0) runtime::memmove(r.array + old, t.array, runtime::uintptr(n) * sizeof(T));
  } else {
    copy(slice<T>{r.array + old, n, n}, t);
  }
  return r;
}

/// append(b, str...): b with the bytes of the string str added at its end
/// (the string form Go's append allows for a []byte; see the Departure
/// above). Go's compiler writes it as appendSlice's byte case: grow, then
/// one memmove.
[[gnu::always_inline]] inline slice<uint8_t> appendSlice(slice<uint8_t> s, std::string_view str) {
  int old = s.len;
  int n = int(str.size());
  slice<uint8_t> r = detail::grow(s, n);
  // A string cannot share b's array, but the call is memmove's all the same.
  if (n != 0) runtime::memmove(r.array + old, str.data(), runtime::uintptr(n));
  return r;
}

/// extend(s, n): append(s, make([]T, n)...), as Go's compiler writes it
/// (extendSlice in cmd/compile/internal/walk/assign.go): no slice is made;
/// s grows by n zero elements, through growslice when its capacity is
/// short. A negative n panics as make's length does. Elements with GC
/// references are cleared only where growslice did not allocate them (its
/// new array is zeroed; an old array's tail may hold references, which the
/// barrier records); pointer-free ones are always cleared, since growslice
/// leaves the part up to the new length to the caller.
template <class T>
[[gnu::always_inline]] inline slice<T> extend(slice<T> s, int n) {
  if (n < 0) runtime::panicmakeslicelen();
  int old = s.len;
  slice<T> r = detail::grow(s, n);
  T* hp = r.array.get() + old;
  uintptr_t hn = uintptr_t(n) * sizeof(T);
  if constexpr (!detail::copiesBitwise<T> || !std::is_trivially_default_constructible_v<T>) {
    // A value whose copy runs code: assigned its zero value one by one.
    for (int i = 0; i < n; i++) hp[i] = T();
  } else if constexpr (runtime::typeOf<T>.PtrBytes != 0) {
    if (r.array.get() == s.array.get() && n != 0) runtime::memclrHasPointers(hp, hn);
  } else {
    if (n != 0) runtime::memclrNoHeapPointers(static_cast<void*>(hp), hn);
  }
  return r;
}

/// copy(dst, src): copies min(len(dst), len(src)) elements; returns how many.
template <class T>
[[gnu::always_inline]] inline int copy(const slice<T>& dst, const slice<T>& src) {
  if constexpr (std::is_trivially_copyable_v<T>) {
    // What Go's compiler writes for copy() of pointer-free elements
    // (walkCopy in cmd/compile/internal/walk/builtin.go): the smaller
    // length, then one memmove unless the arrays are the same. slicecopy is
    // its call for instrumented builds only; calling it here cost a second
    // call per copy (BenchmarkCopy/8Byte: 3.6 ns against Go's 1.6).
    int n = dst.len < src.len ? dst.len : src.len;
    if (n > 0 && dst.array.get() != src.array.get()) {
      runtime::memmove(dst.array.get(), src.array.get(), runtime::uintptr(n) * sizeof(T));
    }
    return n;
  } else if constexpr (detail::copiesBitwise<T> && runtime::typeOf<T>.PtrBytes != 0) {
    // GC references (and aggregates of them): what Go's compiler makes of
    // copy() for a pointerful element, one bulk barrier and a memmove.
    return runtime::typedslicecopy(runtime::heapType<T>(), dst.array, dst.len, src.array, src.len);
  } else {
    int n = dst.len < src.len ? dst.len : src.len;
    if (dst.array <= src.array) {
      for (int i = 0; i < n; i++) dst.array[i] = src.array[i];
    } else {
      for (int i = n - 1; i >= 0; i--) dst.array[i] = src.array[i];
    }
    return n;
  }
}

/// copy(b, str): copies min(len(b), len(str)) bytes of the string str into
/// b (Go's copy from a string; see the Departure above); returns how many.
/// What Go's compiler writes for it: the smaller length, then a memmove.
[[gnu::always_inline]] inline int copy(const slice<uint8_t>& dst, std::string_view src) {
  int n = dst.len < int(src.size()) ? dst.len : int(src.size());
  if (n > 0) runtime::memmove(dst.array.get(), src.data(), runtime::uintptr(n));
  return n;
}

}  // namespace gort
