// type.hpp: the runtime's view of a type (Go: internal/abi.Type, the
// runtime's _type), reduced to what channels need today: size, alignment,
// and how to move, destroy and zero a value.
//
// Go moves values with typedmemmove, a bitwise copy plus write barriers,
// because every Go type can be copied bit by bit. A C++ type may not be:
// std::string and std::unique_ptr must be moved by their constructors. So
// the descriptor carries the three operations, and `trivial` marks the
// types for which the runtime may use memmove and memset as Go does.
//
// Semantics of the operations (the runtime's only way to touch elements):
//   move(dst, src)  move-construct a T in raw storage dst from the live T
//                   at src; src stays alive (moved-from), its owner destroys it
//   destroy(p)      end the life of the T at p
//   zero(p)         construct Go's zero value, T{}, in raw storage p
#pragma once
#include <cstring>
#include <new>
#include <type_traits>

#include "runtime2.hpp"

namespace runtime {

struct _type {
  uintptr size;   // 0 for empty types (Go's struct{})
  uintptr align;
  bool trivial;   // memmove/memset are the operations
  void (*move)(void* dst, void* src);
  void (*destroy)(void* p);
  void (*zero)(void* p);
  // PtrBytes: the prefix of a value that holds every pointer in it; 0 for a
  // pointer-free type, which mallocgc allocates noscan (abi.Type.PtrBytes).
  uintptr PtrBytes;
};

/// noPointers<T>: whether T holds no pointers, so that mallocgc may
/// allocate it noscan (and the tiny allocator may pack it). Go's compiler
/// knows each type's pointer map.
/// Departure: C++ cannot list a struct's fields, so until typed allocation
/// derives pointer maps the answer is conservative: scalars, enums, empty
/// types and arrays of them hold no pointers; any other type is taken to
/// hold pointers throughout (PtrBytes = size) unless the program
/// specialises noPointers<T> to true.
template <class T>
inline constexpr bool noPointers = std::is_arithmetic_v<std::remove_all_extents_t<T>> ||
                                   std::is_enum_v<std::remove_all_extents_t<T>> || std::is_empty_v<T>;

template <class T>
struct typeOps {
  static void move(void* dst, void* src) { ::new (dst) T(std::move(*static_cast<T*>(src))); }
  static void destroy(void* p) { static_cast<T*>(p)->~T(); }
  static void zero(void* p) { ::new (p) T{}; }
};

/// typeOf<T>: the descriptor of T, one per type, built at compile time.
template <class T>
inline constexpr _type typeOf = {
    std::is_empty_v<T> ? 0 : sizeof(T),
    alignof(T),
    std::is_trivially_copyable_v<T> && std::is_trivially_default_constructible_v<T>,
    &typeOps<T>::move,
    &typeOps<T>::destroy,
    &typeOps<T>::zero,
    noPointers<T> ? 0 : sizeof(T),
};

/// typedmemmove: move-construct *dst from *src (mbarrier.go's typedmemmove;
/// a plain memmove for trivial types, as in Go).
NOSPLIT_INLINE void typedmemmove(const _type* t, void* dst, void* src) {
  if (t->size == 0) return;
  if (t->trivial)
    memmove(dst, src, t->size);
  else
    t->move(dst, src);
}

/// typedmemclr: end the life of a value the runtime owns (a buffer slot).
/// Go clears the memory so the collector does not see stale pointers.
NOSPLIT_INLINE void typedmemclr(const _type* t, void* p) {
  if (t->size == 0) return;
  if (t->trivial)
    memset(p, 0, t->size);
  else
    t->destroy(p);
}

/// typedmemzero: construct the zero value in raw storage (a receive from a
/// closed channel delivers it).
NOSPLIT_INLINE void typedmemzero(const _type* t, void* p) {
  if (t->size == 0) return;
  if (t->trivial)
    memset(p, 0, t->size);
  else
    t->zero(p);
}

}  // namespace runtime
