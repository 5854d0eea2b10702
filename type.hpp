// type.hpp: the runtime's view of a type (Go: internal/abi.Type, the
// runtime's _type, type.go and typekind.go at go1.22.12): size, alignment,
// kind, the pointer map the collector scans by (PtrBytes and GCData), and,
// port only, how to move, destroy and zero a value; and gort::ptr<T>, the
// port's GC reference.
//
// Moving values. Go moves values with typedmemmove, a bitwise copy plus
// write barriers, because every Go type can be copied bit by bit. A C++ type
// may not be: std::string and std::unique_ptr must be moved by their
// constructors. So the descriptor carries three operations, and `trivial`
// marks the types for which the runtime may use memmove and memset as Go
// does:
//   move(dst, src)  move-construct a T in raw storage dst from the live T
//                   at src; src stays alive (moved-from), its owner destroys it
//   destroy(p)      end the life of the T at p
//   zero(p)         construct Go's zero value, T{}, in raw storage p
//
// Pointer maps. Go's compiler writes each type's pointer map (one bit per
// pointer-sized word, GCData; PtrBytes, the prefix holding every pointer).
// Here the library derives it from T itself, at compile time, one _type per
// T (typeOf<T>, a constexpr object); no map is ever written by hand.
//
// What counts as a GC reference ([gc-refs]): gort::ptr<U> (below), a channel
// handle gort::chan<U> (chan.hpp) and a slice gort::slice<U> (slice.hpp);
// each holds its reference in its first word. The collector issue gives
// ptr<U> its write barrier; nothing else in a heap object may point into
// the heap (PORTING.md, section 5).
//
// The technique (C++20 has no reflection), typeMap<T>:
//   - scalars (arithmetic, enum) and empty classes: no pointers;
//   - the three references above: one pointer word;
//   - T[N] and std::array<T, N>: T's map N times, at T's stride;
//   - an aggregate struct: its members are counted (fieldCount,
//     typefields.hpp: the most `{}` its aggregate initialisation takes),
//     their declared types read through a structured binding of that many
//     names (fieldTypes), their offsets computed by the ABI's rule (each
//     member at the next multiple of its alignment), and each member's map
//     derived the same way, recursively;
//   - a type the program declares pointer-free (gort::pointerFree<T> = true),
//     whatever it holds: memory the collector need not scan (a raw pointer
//     into the C++ heap, a non-aggregate class of plain data).
// Anything else is a compile error with a message saying why (heapType<T>):
// a raw pointer, reference or member pointer; a union; a non-aggregate
// class (a constructor, private members: std::string, std::vector); a
// polymorphic class; or an aggregate that cannot be decomposed. The computed
// layout is checked against sizeof(T): a member the ABI rule does not place
// (a bit-field, [[no_unique_address]]) is an error whenever it changes the
// size (see the limits). tests/mbitmap_allocheaders_test.cpp checks derived
// maps against offsetof.
//
// Limits, all refused at compile time unless said otherwise:
//   - aggregates with base classes are not decomposed (a base with members
//     makes T non-standard-layout: refused; an empty base is counted as a
//     member by fieldCount and then the structured binding has one name too
//     many: the compiler's error names the mismatch);
//   - at most maxFields (32) direct members per struct (nest structs for
//     more);
//   - every member must be initialisable from `{}` (fieldCount counts by
//     it); a member that is not makes the count short and the structured
//     binding fails with the compiler's message;
//   - bit-fields that happen to leave sizeof(T) as the ABI rule computes it
//     are not detected; they cannot hold GC references, and the references
//     after them are still placed by their alignment, which bit-fields
//     before them do not change unless they change the size;
//   - gort::pointerFree<T> is the program's promise and is not checked.
//
// Departure: Go's _type names its size Size_ and its alignment Align_; the
// port keeps the names size and align that the channel code already used.
// Go switches large maps to GC programs (kindGCProg); the port always emits
// a bitmap (compile time, one bit per word), so heapSetType never expands a
// program.
//
// Departure: typeOf<T> also describes types whose map cannot be derived
// (channel elements such as std::string, which live in the C++ heap, and the
// runtime's own objects, g, m, p and sudog, whose raw pointers predate the
// port's GC references): for them the map says every word may be a pointer
// (conservative, never pointer-free). Only types that declare this
// (conservativeScan<T>, the runtime's own objects) may reach the heap
// through it: heapType<T> refuses the rest.
#pragma once
#include <array>
#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

#include "runtime2.hpp"
#include "stubs.hpp"
#include "typefields.hpp"

namespace gort {

template <class T>
class chan;
template <class T>
struct slice;

/// pointerFree<T>: the program declares that T holds no GC reference, so
/// its map is empty whatever its members are (see type.hpp's header).
template <class T>
inline constexpr bool pointerFree = false;

/// ptr<T>: a GC reference to a T in the garbage-collected heap (Go's *T as
/// a heap object holds it). What gort::new_<T> returns. One word; a heap
/// object's pointer map finds it ([gc-refs]). Assignments carry Go's write
/// barrier (runtime::heapPtr, mwbbuf.hpp); copies are plain, so that a ptr
/// travels in a register.
template <class T>
class ptr {
 public:
  constexpr ptr() = default;
  constexpr ptr(std::nullptr_t) {}
  constexpr explicit ptr(T* p) : p_(p) {}
  T* get() const { return p_.get(); }
  T& operator*() const { return *p_.get(); }
  T* operator->() const { return p_.get(); }
  explicit operator bool() const { return p_.get() != nullptr; }
  bool operator==(const ptr& o) const { return p_.get() == o.p_.get(); }
  bool operator==(std::nullptr_t) const { return p_.get() == nullptr; }

 private:
  runtime::heapPtr<T> p_;
};

}  // namespace gort

namespace runtime {

/// The kinds of types: abi.Kind, as typekind.go names them.
/// \gosrc{typekind.go,kindBool}
enum : uint8 {
  kindBool = 1,
  kindInt,
  kindInt8,
  kindInt16,
  kindInt32,
  kindInt64,
  kindUint,
  kindUint8,
  kindUint16,
  kindUint32,
  kindUint64,
  kindUintptr,
  kindFloat32,
  kindFloat64,
  kindComplex64,
  kindComplex128,
  kindArray,
  kindChan,
  kindFunc,
  kindInterface,
  kindMap,
  kindPtr,
  kindSlice,
  kindString,
  kindStruct,
  kindUnsafePointer,

  kindDirectIface = 1 << 5,
  kindGCProg = 1 << 6,
  kindMask = (1 << 5) - 1,
};

struct _type {
  uintptr size;  // 0 for empty types (Go's struct{})
  uintptr align;
  bool trivial;  // memmove/memset are the operations
  void (*move)(void* dst, void* src);
  void (*destroy)(void* p);
  void (*zero)(void* p);
  // PtrBytes: the prefix of a value that holds every pointer in it; 0 for a
  // pointer-free type, which mallocgc allocates noscan (abi.Type.PtrBytes).
  uintptr PtrBytes;
  // Kind_: the kind (kindStruct, ...). \gosrc{type.go,_type}
  uint8 Kind_;
  // GCData: one bit per word of the first PtrBytes, set for a pointer word,
  // least significant bit first, padded with zero bytes to a whole word (it
  // is read a word at a time: readUintptr). nullptr when PtrBytes is 0.
  const uint8* GCData;
  // conservative: port only: the map is every word, because the type's
  // real pointers cannot be told from its scalars: the runtime's own
  // objects (conservativeScan<T>) and the channel elements whose map cannot
  // be derived (a std::string, whose bytes may look like anything). mallocgc
  // marks the span that holds such an object (mspan.conservative).
  bool conservative;
  // destructs: port only: ending a value's life runs code (T is not
  // trivially destructible: a std::string frees its buffer). makechan
  // gives a buffered channel of such values a finalizer (chan.cpp).
  bool destructs;
};

/// conservativeScan<T>: T's map cannot be derived, and T may still be
/// allocated in the heap, scanned as if every word were a pointer (the
/// runtime's own objects, malloc.hpp). See the Departure above.
template <class T>
inline constexpr bool conservativeScan = false;

/// conservativeScalars<T>: for a conservativeScan type, up to two byte
/// ranges {offset, length, offset, length} of whole words that never hold
/// a pointer although a word there may look like one; T's map leaves them
/// out (default: none).
template <class T>
inline constexpr uintptr conservativeScalars[4] = {0, 0, 0, 0};

namespace typelayout {

/// problem: why T's pointer map cannot be derived (none: it can).
enum class problem : uint8 {
  none,
  rawPointer,         // T*, T&, a member pointer
  unionType,          // which member is live is unknown
  notAggregate,       // a class with constructors or private members
  polymorphic,        // a class with virtual functions
  notStandardLayout,  // base classes with members, mixed access
  tooManyFields,      // more than maxFields members
  notDecomposable,    // no member can be counted
  layoutMismatch,     // the ABI rule does not give sizeof(T)
  unboundedArray,     // T[]
};

/// ref<T>: T is one of the GC references ([gc-refs]), with its kind.
template <class T>
struct ref : std::false_type {};
template <class U>
struct ref<gort::ptr<U>> : std::true_type {
  static constexpr uint8 kind = kindPtr;
};
template <class U>
struct ref<gort::chan<U>> : std::true_type {
  static constexpr uint8 kind = kindChan;
};
template <class U>
struct ref<gort::slice<U>> : std::true_type {
  static constexpr uint8 kind = kindSlice;
};

template <class T>
struct stdArray : std::false_type {};
template <class U, size_t N>
struct stdArray<std::array<U, N>> : std::true_type {
  using elem = U;
  static constexpr size_t len = N;
};

/// arrayOf<T>: the element type and length of T[N] or std::array<T, N>.
template <class T>
struct arrayOf {
  using elem = std::remove_cv_t<typename stdArray<T>::elem>;
  static constexpr size_t len = stdArray<T>::len;
};
template <class U, size_t N>
struct arrayOf<U[N]> {
  using elem = std::remove_cv_t<U>;
  static constexpr size_t len = N;
};

/// scalar<T>: arithmetic or enum: a value, never a reference.
template <class T>
inline constexpr bool scalar = std::is_arithmetic_v<T> || std::is_enum_v<T>;

/// decomposed<T>: an aggregate struct whose members are to be listed.
template <class T>
inline constexpr bool decomposed = std::is_class_v<T> && !std::is_empty_v<T> && !ref<T>::value &&
                                   !stdArray<T>::value && !gort::pointerFree<T> && std::is_aggregate_v<T> &&
                                   !std::is_polymorphic_v<T> && std::is_standard_layout_v<T>;

/// membersOf<T>: fields<...> of decomposed T's member types (cv dropped).
template <class T>
using membersOf = decltype(fieldTypes(std::declval<T&>(), std::integral_constant<int, fieldCount<T>()>{}));

/// The offset of a member of type F placed after `end` bytes: the next
/// multiple of its alignment (the Itanium C++ ABI's rule for data members).
constexpr uintptr placeAfter(uintptr end, uintptr align) { return (end + align - 1) & ~(align - 1); }

template <class T>
consteval problem check();

template <class... Fs>
consteval problem checkMembers(fields<Fs...>) {
  problem r = problem::none;
  ((r = r == problem::none ? check<std::remove_cv_t<Fs>>() : r), ...);
  return r;
}

/// sizeByRule: the size of a struct of Fs... laid out by the ABI's rule.
template <class T, class... Fs>
consteval uintptr sizeByRule(fields<Fs...>) {
  uintptr end = 0;
  ((end = placeAfter(end, alignof(Fs)) + sizeof(Fs)), ...);
  return placeAfter(end, alignof(T));
}

/// check<T>: the first reason T's map cannot be derived, or none.
template <class T>
consteval problem check() {
  if constexpr (gort::pointerFree<T> || scalar<T> || ref<T>::value || std::is_null_pointer_v<T>) {
    return problem::none;
  } else if constexpr (std::is_pointer_v<T> || std::is_member_pointer_v<T> || std::is_reference_v<T>) {
    return problem::rawPointer;
  } else if constexpr (std::is_array_v<T>) {
    if constexpr (std::extent_v<T> == 0) {
      return problem::unboundedArray;
    } else {
      return check<std::remove_cv_t<std::remove_extent_t<T>>>();
    }
  } else if constexpr (stdArray<T>::value) {
    return check<std::remove_cv_t<typename stdArray<T>::elem>>();
  } else if constexpr (std::is_union_v<T>) {
    return problem::unionType;
  } else if constexpr (std::is_empty_v<T>) {
    return problem::none;
  } else if constexpr (std::is_polymorphic_v<T>) {
    return problem::polymorphic;
  } else if constexpr (!std::is_aggregate_v<T>) {
    return problem::notAggregate;
  } else if constexpr (!std::is_standard_layout_v<T>) {
    return problem::notStandardLayout;
  } else if constexpr (fieldCount<T>() > maxFields) {
    return problem::tooManyFields;
  } else if constexpr (fieldCount<T>() == 0) {
    return problem::notDecomposable;
  } else {
    problem r = checkMembers(membersOf<T>{});
    if (r != problem::none) return r;
    if (sizeByRule<T>(membersOf<T>{}) != sizeof(T)) return problem::layoutMismatch;
    return problem::none;
  }
}

/// derivable<T>: T's pointer map can be derived.
template <class T>
inline constexpr bool derivable = check<std::remove_cv_t<T>>() == problem::none;

template <class T>
consteval uintptr ptrBytesOf();

template <class... Fs>
consteval uintptr ptrBytesOfMembers(fields<Fs...>) {
  uintptr end = 0, last = 0;
  ((end = placeAfter(end, alignof(Fs)),
    last = ptrBytesOf<std::remove_cv_t<Fs>>() != 0 ? end + ptrBytesOf<std::remove_cv_t<Fs>>() : last,
    end += sizeof(Fs)),
   ...);
  return last;
}

/// ptrBytesOf<T>: the prefix of a derivable T that holds its pointers.
template <class T>
consteval uintptr ptrBytesOf() {
  if constexpr (ref<T>::value) {
    return sizeof(uintptr);
  } else if constexpr (std::is_array_v<T> || stdArray<T>::value) {
    using E = typename arrayOf<T>::elem;
    constexpr size_t n = arrayOf<T>::len;
    if constexpr (n == 0 || ptrBytesOf<E>() == 0) {
      return 0;
    } else {
      return (n - 1) * sizeof(E) + ptrBytesOf<E>();
    }
  } else if constexpr (decomposed<T>) {
    return ptrBytesOfMembers(membersOf<T>{});
  } else {
    return 0;  // scalars, empty and declared pointer-free types
  }
}

template <class T>
constexpr void markPointers(uint8* bits, uintptr off);

template <class... Fs>
constexpr void markMembers(fields<Fs...>, uint8* bits, uintptr off) {
  uintptr end = 0;
  ((end = placeAfter(end, alignof(Fs)), markPointers<std::remove_cv_t<Fs>>(bits, off + end), end += sizeof(Fs)),
   ...);
}

/// markPointers<T>: set the bits of T's pointer words, for a T at byte off.
template <class T>
constexpr void markPointers(uint8* bits, uintptr off) {
  if constexpr (ptrBytesOf<T>() == 0) {
    return;
  } else if constexpr (ref<T>::value) {
    uintptr w = off / sizeof(uintptr);
    bits[w / 8] |= uint8(1 << (w % 8));
  } else if constexpr (std::is_array_v<T> || stdArray<T>::value) {
    using E = typename arrayOf<T>::elem;
    constexpr size_t n = arrayOf<T>::len;
    for (size_t i = 0; i < n; i++) markPointers<E>(bits, off + i * sizeof(E));
  } else {
    markMembers(membersOf<T>{}, bits, off);
  }
}

/// kindOf<T>: Go's kind for T.
template <class T>
consteval uint8 kindOf() {
  if constexpr (std::is_enum_v<T>) {
    return kindOf<std::underlying_type_t<T>>();
  } else if constexpr (std::is_same_v<T, bool>) {
    return kindBool;
  } else if constexpr (std::is_integral_v<T>) {
    constexpr uint8 s[] = {0, kindInt8, kindInt16, 0, kindInt32, 0, 0, 0, kindInt64};
    constexpr uint8 u[] = {0, kindUint8, kindUint16, 0, kindUint32, 0, 0, 0, kindUint64};
    return std::is_signed_v<T> ? s[sizeof(T)] : u[sizeof(T)];
  } else if constexpr (std::is_floating_point_v<T>) {
    return sizeof(T) == 4 ? kindFloat32 : kindFloat64;
  } else if constexpr (ref<T>::value) {
    return ref<T>::kind;
  } else if constexpr (std::is_array_v<T> || stdArray<T>::value) {
    return kindArray;
  } else {
    return kindStruct;
  }
}

/// typeMap<T>: T's PtrBytes and GCData: derived if T is derivable, else
/// every word (conservative; see the Departure above).
template <class T>
struct typeMap {
  static constexpr bool exact = derivable<T>;
  static constexpr uintptr ptrBytes = [] {
    if constexpr (exact) {
      return ptrBytesOf<std::remove_cv_t<T>>();
    } else {
      return sizeof(T) / sizeof(uintptr) * sizeof(uintptr);
    }
  }();
  // One bit per word of ptrBytes, padded to whole words.
  static constexpr uintptr nbytes = (ptrBytes / sizeof(uintptr) + 63) / 64 * sizeof(uintptr);
  static constexpr std::array<uint8, nbytes> bits = [] {
    std::array<uint8, nbytes> b{};
    if constexpr (nbytes != 0) {
      if constexpr (exact) {
        markPointers<std::remove_cv_t<T>>(b.data(), 0);
      } else {
        constexpr const uintptr* skip = conservativeScalars<std::remove_cv_t<T>>;
        constexpr uintptr lo1 = skip[0] / sizeof(uintptr), hi1 = lo1 + skip[1] / sizeof(uintptr);
        constexpr uintptr lo2 = skip[2] / sizeof(uintptr), hi2 = lo2 + skip[3] / sizeof(uintptr);
        for (uintptr w = 0; w < ptrBytes / sizeof(uintptr); w++)
          if ((w < lo1 || w >= hi1) && (w < lo2 || w >= hi2)) b[w / 8] |= uint8(1 << (w % 8));
      }
    }
    return b;
  }();
  static constexpr const uint8* gcdata() {
    if constexpr (nbytes == 0) {
      return nullptr;
    } else {
      return bits.data();
    }
  }
};

}  // namespace typelayout

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
    std::is_empty_v<T> ? 0 : typelayout::typeMap<T>::ptrBytes,
    typelayout::kindOf<std::remove_cv_t<T>>(),
    std::is_empty_v<T> ? nullptr : typelayout::typeMap<T>::gcdata(),
    !std::is_empty_v<T> && !typelayout::typeMap<T>::exact,
    !std::is_trivially_destructible_v<T>,
};

/// ptrtype: the descriptor of a pointer type, with the type it points to
/// (Go: abi.PtrType, the runtime's ptrtype). SetFinalizer keeps the
/// object's pointer type in the finalizer record, as Go does.
/// \gosrc{type.go,ptrtype}
struct ptrtype {
  _type Type;         // the pointer type itself (kindPtr)
  const _type* Elem;  // what it points to
};

/// ptrTypeOf<T>: the descriptor of gort::ptr<T> (Go's *T), one per T.
template <class T>
inline constexpr ptrtype ptrTypeOf = {typeOf<gort::ptr<T>>, &typeOf<T>};

/// heapType<T>: typeOf<T> for an object of the garbage-collected heap, where
/// the map must be exact: a type whose map cannot be derived is a compile
/// error naming the reason (unless it is declared conservativeScan).
template <class T>
constexpr const _type* heapType() {
  using U = std::remove_cv_t<T>;
  if constexpr (!conservativeScan<U>) {
    constexpr typelayout::problem p = typelayout::check<U>();
    using enum typelayout::problem;
    static_assert(p != rawPointer,
                  "gort: a heap type holds a raw pointer, reference or member pointer: hold GC references as "
                  "gort::ptr<T> (or declare the type gort::pointerFree if what it points to is not in the heap)");
    static_assert(p != unionType, "gort: a heap type holds a union: its pointer map cannot be derived");
    static_assert(p != notAggregate,
                  "gort: a heap type holds a class that is not an aggregate (constructors or private members, "
                  "e.g. std::string): its pointer map cannot be derived; declare it gort::pointerFree if it "
                  "holds no GC reference");
    static_assert(p != polymorphic, "gort: a heap type holds a polymorphic class: its pointer map cannot be derived");
    static_assert(p != notStandardLayout,
                  "gort: a heap type holds a struct that is not standard-layout (base classes with members?): "
                  "its pointer map cannot be derived");
    static_assert(p != tooManyFields, "gort: a heap type holds a struct with more than 32 members: nest them");
    static_assert(p != notDecomposable, "gort: a heap type holds a struct whose members cannot be counted");
    static_assert(p != layoutMismatch,
                  "gort: a heap type holds a struct whose layout is not the ABI's sequential one (bit-fields, "
                  "[[no_unique_address]]?): its pointer map cannot be derived");
    static_assert(p != unboundedArray, "gort: a heap type holds an array of unknown bound");
  }
  return &typeOf<T>;
}

// The write barriers of copies (mbitmap_allocheaders.cpp, mbitmap.cpp).
NOSPLIT void bulkBarrierPreWrite(uintptr dst, uintptr src, uintptr size, const _type* typ);
NOSPLIT void bulkBarrierPreWriteSrcOnly(uintptr dst, uintptr src, uintptr size, const _type* typ);
NOSPLIT void bulkBarrierBitmap(uintptr dst, uintptr src, uintptr size);
NOSPLIT void typeBitsBulkBarrier(const _type* typ, uintptr dst, uintptr src, uintptr size);

/// wbRecordWords: port only: record, for a collector that is marking, the
/// non-nil words of the object at obj that mask marks (bit i: word i), in
/// as few claims on the P's buffer as fit (wbMaxEntriesPerCall words
/// each). Out of line, in the runtime's text, for wbRecord's reason
/// (mwbbuf.hpp): no preemption between claiming slots and filling them.
NOSPLIT void wbRecordWords(uintptr obj, uint64 mask);

/// wordMask<T>: the pointer words of T's map as one mask, bit i for word i,
/// when T's pointers lie within its first 64 words (else 0, and the map is
/// read from the heap's bits instead). Port only.
template <class T>
inline constexpr uint64 wordMask = [] {
  constexpr const _type& t = typeOf<T>;
  uint64 m = 0;
  if constexpr (t.PtrBytes != 0 && t.PtrBytes <= 64 * sizeof(uintptr)) {
    for (uintptr i = 0; i < t.PtrBytes / sizeof(uintptr); i++)
      if ((t.GCData[i / 8] >> (i % 8)) & 1) m |= uint64(1) << i;
  }
  return m;
}();

/// initBarrierWords: port only: initBarrier's body for the size bytes at
/// obj whose pointer words mask marks (0: they are past the first 64
/// words, and the heap's bits for obj say which they are).
NOSPLIT_INLINE void initBarrierWords(void* obj, uintptr size, uint64 mask) {
  if (!writeBarrier.enabled) return;
  if (mask != 0) {
    wbRecordWords(uintptr(obj), mask);
  } else {
    bulkBarrierPreWriteSrcOnly(uintptr(obj), uintptr(obj), size, nullptr);
  }
}

/// initBarrier: port only: the write barriers of the stores that built a
/// new value of size bytes at obj in the heap, every word of it a pointer
/// (a closure, allocated with typeOf<void*>): while the collector marks,
/// every non-nil word is recorded. A GC reference's copy constructor
/// records nothing (heapPtr, mwbbuf.hpp), so the runtime calls this
/// wherever it builds a heap value from others: Go's compiler records the
/// pointers it stores into a new object the same way (the hybrid barrier
/// shades the new value of every heap store; a nil needs none).
NOSPLIT_INLINE void initBarrier(void* obj, uintptr size) {
  uintptr n = size / sizeof(uintptr);
  initBarrierWords(obj, size, n > 64 ? 0 : n == 64 ? ~uint64(0) : (uint64(1) << n) - 1);
}

/// initBarrier for a T built at obj: T's map is known when the program is
/// compiled, so a small T's pointer words go to the buffer without looking
/// up its span and heap bits (binary-trees' `new Node{l, r}`: one call, one
/// claim of two slots, as Go's compiler emits gcWriteBarrier2).
template <class T>
NOSPLIT_INLINE void initBarrier(T* obj) {
  if constexpr (typeOf<T>.PtrBytes != 0) initBarrierWords(obj, sizeof(T), wordMask<T>);
}

/// typedmemmove: move-construct *dst from *src (mbarrier.go's typedmemmove;
/// a plain memmove for trivial types, as in Go). While the collector
/// marks, the pointer words dst loses and gains are recorded first, as Go
/// records them (bulkBarrierPreWrite: nothing for a dst on a stack).
/// \gosrc{mbarrier.go,typedmemmove}
NOSPLIT_INLINE void typedmemmove(const _type* t, void* dst, void* src) {
  if (t->size == 0 || dst == src) return;
  if (writeBarrier.enabled && t->PtrBytes != 0) bulkBarrierPreWrite(uintptr(dst), uintptr(src), t->PtrBytes, t);
  if (t->trivial)
    runtime::memmove(dst, src, t->size);  // stubs.hpp's: up to 32 bytes inline
  else
    t->move(dst, src);
}

/// typedslicecopy: copy(dst, src) for a slice whose elements hold GC
/// references and move bit by bit (a gort::ptr, chan or slice, or an
/// aggregate of them and scalars): while the collector marks, the pointer
/// words the destination loses and gains are recorded first, in one pass
/// over the copied range (up to the last element's last pointer word), then
/// the elements are moved with one memmove. Returns the count copied.
/// Out of line, in the runtime's text: called from user code (gort::copy),
/// where a preemption signal could otherwise split the barrier's test
/// from the copy (preempt.cpp, [as-text]). \gosrc{mbarrier.go,typedslicecopy}
NOSPLIT int typedslicecopy(const _type* typ, void* dstPtr, int dstLen, void* srcPtr, int srcLen);

/// typedmemclr: end the life of a value the runtime owns (a buffer slot)
/// and clear its memory, as Go does, so that the collector, which scans the
/// slot by the element's map, finds no stale pointer there (one to an
/// object freed since would be reported as a pointer to a free object).
/// While the collector marks, the pointers the slot loses are recorded
/// first. \gosrc{mbarrier.go,typedmemclr}
NOSPLIT_INLINE void typedmemclr(const _type* t, void* p) {
  if (t->size == 0) return;
  if (writeBarrier.enabled && t->PtrBytes != 0) bulkBarrierPreWrite(uintptr(p), 0, t->PtrBytes, t);
  if (!t->trivial) t->destroy(p);
  memclrNoHeapPointers(p, t->size);
}

/// memclrHasPointers: zero n bytes at ptr, memory that holds GC
/// references (ptr need not be an object's start); while the collector
/// marks, the references it loses are recorded first. Out of line, in the
/// runtime's text, as typedslicecopy is (a preemption signal must not split
/// the barrier's test from the clear). \gosrc{mbarrier.go,memclrHasPointers}
NOSPLIT void memclrHasPointers(void* ptr, uintptr n);

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
