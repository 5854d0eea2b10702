// mfinal.hpp: finalizers. The runtime half mirrors mfinal.go at go1.22.12
// (the finalizer queue, the finalizer goroutine, SetFinalizer's checks);
// the user half is what a Go program writes, in C++:
//
//   runtime.SetFinalizer(p, f)     runtime::SetFinalizer(p, f)
//   runtime.SetFinalizer(p, nil)   runtime::SetFinalizer(p, nullptr)
//   runtime.KeepAlive(p)           runtime::KeepAlive(p)
//
// p is a gort::ptr<T> (or a T* to the start of a heap object, a global or
// a zero-sized object); f is anything callable with a T* or a gort::ptr<T>
// (a lambda, a function pointer). Its results are ignored.
//
// What runs when. SetFinalizer records a special (specialfinalizer, mheap.hpp)
// on the object's span. While the record exists, the collector marks what
// the object reaches and the closure, but not the object (markrootSpans).
// The sweeper that finds the object unmarked marks it again (it survives
// this cycle), removes the record and queues the finalizer (freeSpecial,
// queuefinalizer). The finalizer goroutine (runfinq) calls the queued
// finalizers one at a time, newest block first. Once a finalizer has run
// the object has none, and the next cycle that finds it unreachable frees it.
//
// Departures:
//   - the argument types are checked when the program is compiled
//     (static_assert) rather than by SetFinalizer at run time; what is left
//     to the run time is what Go checks on the pointer's value, with Go's
//     fatal messages ("pointer not in allocated block", ...).
//   - the finalizer may take a T* or a gort::ptr<T> (Go: *T, a type
//     assignable from *T, or an interface *T implements); C++ has no
//     interfaces: a generic lambda ([](auto p) {...}) plays the part of
//     func(any). The closure's code is a trampoline that converts the
//     object pointer itself (finclosure::call), so runfinq's switch on the
//     argument's kind only ever sees kindPtr.
//   - a closure with captures is a heap object (as Go's func value is),
//     built once per SetFinalizer call; runfinq ends its life before calling
//     it (as gort::go's closure does), so what it captured is destroyed
//     after the finalizer returns. A closure dropped by
//     SetFinalizer(p, nullptr) or never run is freed by the collector
//     without its destructor, as every heap object is: capture GC
//     references and plain values. A lambda without captures gets one
//     static closure, as a Go top-level function's func value is static.
//   - KeepAlive is an empty asm statement that takes the value as input
//     (the compiler must have it at that point), not a noinline call.
//
// Invariants:
//   [finq-no-grow-in-mark] the queue only grows while gcphase == _GCoff
//     (queuefinalizer throws otherwise): markroot scans it once, at the
//     start of the mark, and need not scan it again.
//   [finq-cnt] markroot scans a block's slots below cnt, which it loads
//     atomically: runfinq may be draining the block meanwhile (lowering cnt
//     with an atomic store after clearing the slot's pointers), while
//     queuefinalizer, which raises it, never runs during a mark
//     ([finq-no-grow-in-mark]).
//   [fing-status] fingStatus's fingWait is set only after fing is parked
//     (finalizercommit), so wakefing never readies a running goroutine.
//
// Locks: finlock protects fing, finq, finc and allfin (and every block's
// next link); it is never held across a finalizer call.
#pragma once
#include <cstddef>
#include <type_traits>
#include <utility>

#include "internal/atomic/atomic.hpp"
#include "mgc.hpp"
#include "pragmas.hpp"
#include "runtime2.hpp"
#include "type.hpp"

namespace runtime {

void* mallocgc(uintptr size, const _type* typ, bool needzero);

/// finalizer: one queued call: the closure, the object, and the types it
/// was set with. Five words, in Go's order: finptrmask depends on it.
/// \gosrc{mfinal.go,finalizer}
struct finalizer {
  funcval* fn;  // the closure (a heap object)
  void* arg;    // the object (a heap object)
  uintptr nret;
  const _type* fint;  // the finalizer's parameter type
  const ptrtype* ot;  // the object's pointer type
};

/// finblock: a block of queued finalizers, outside the GC heap
/// (persistentalloc), on the queue (next) and on the list of every block
/// (alllink). \gosrc{mfinal.go,finblock}
struct finblock : sys::NotInHeap {
  finblock* alllink;
  finblock* next;
  uint32 cnt;  // [finq-cnt]
  int32 _pad;
  finalizer fin[(_FinBlockSize - 2 * sizeof(void*) - 2 * 4) / sizeof(finalizer)];
};

/// fingStatus: the finalizer goroutine's state bits ([fing-status]).
/// \gosrc{mfinal.go,fingStatus}
extern atomic::Uint32 fingStatus;

/// The bits of fingStatus. \gosrc{mfinal.go,fingUninitialized}
enum : uint32 {
  fingUninitialized = 0,
  fingCreated = 1 << 0,
  fingRunningFinalizer = 1 << 1,
  fingWait = 1 << 2,
  fingWake = 1 << 3,
};

extern mutex finlock;
extern g* fing;
extern finblock* finq;
extern finblock* finc;
extern uint8 finptrmask[_FinBlockSize / sizeof(void*) / 8];
extern finblock* allfin;

void queuefinalizer(void* p, funcval* fn, uintptr nret, const _type* fint, const ptrtype* ot);
NOWRITEBARRIER void iterate_finq(void (*callback)(funcval*, void*, uintptr, const _type*, const ptrtype*));
g* wakefing();
void runfinq_entry(funcval*);
void createfing();
bool finalizercommit(g* gp, void* lock);
bool isGoPointerWithoutSpan(void* p);
bool blockUntilEmptyFinalizerQueue(int64 timeout);
void SetFinalizer(void* obj, const ptrtype* ot, funcval* finalizer, uintptr nret, const _type* fint);

/// finfunc: the code of a finalizer closure: called by runfinq with the
/// closure and the frame that holds the object pointer in its first word
/// (Go: the closure's code called by reflectcall with its argument frame).
using finfunc = void (*)(funcval* fv, void* frame);

/// finclosure<T, F>: the closure SetFinalizer stores (Go: the func value
/// passed to SetFinalizer). Port only: C++ needs the trampoline to turn
/// the frame's untyped pointer into the T* or gort::ptr<T> f takes.
template <class T, class F>
struct finclosure : funcval {
  /// stateless: f holds nothing (a lambda without captures): one static
  /// closure serves every SetFinalizer with it, as Go's func value of a
  /// top-level function is static data, and it is never destroyed.
  static constexpr bool stateless =
      std::is_empty_v<F> && std::is_trivially_destructible_v<F> && std::is_default_constructible_v<F>;
  F f;
  explicit finclosure(F&& f_) : f(std::move(f_)) { fn = reinterpret_cast<void (*)(funcval*)>(&call); }
  /// Calls f with the object; a heap closure's life ends first.
  static void call(funcval* fv, void* frame) {
    auto* c = static_cast<finclosure*>(fv);
    T* obj = *static_cast<T**>(frame);
    if constexpr (stateless) {
      invoke(c->f, obj);
    } else {
      F local = std::move(c->f);
      c->~finclosure();
      invoke(local, obj);
    }
  }
  static void invoke(F& f, T* obj) {
    if constexpr (std::is_invocable_v<F&, T*>) {
      (void)f(obj);
    } else {
      (void)f(gort::ptr<T>(obj));
    }
  }
};

/// SetFinalizer(obj, f): run f(obj) once the collector finds *obj
/// unreachable (see this file's header). obj must point to the start of a
/// heap object (gort::new_), or be a global or zero-sized, for which
/// nothing is recorded (they are never freed). A second SetFinalizer on
/// the same object is fatal ("finalizer already set"): remove the first
/// with SetFinalizer(obj, nullptr). \gosrc{mfinal.go,SetFinalizer}
template <class T, class F>
void SetFinalizer(T* obj, F f) {
  using Fn = std::decay_t<F>;
  // (disjunction: a generic lambda is not instantiated for gort::ptr<T>
  // once it takes a T*.)
  static_assert(std::disjunction_v<std::is_invocable<Fn&, T*>, std::is_invocable<Fn&, gort::ptr<T>>>,
                "runtime.SetFinalizer: cannot pass the object to the finalizer: it must be callable with a T* "
                "or a gort::ptr<T>");
  using C = finclosure<T, Fn>;
  static_assert(alignof(C) <= 16 && sizeof(C) % sizeof(void*) == 0, "SetFinalizer: closure layout");
  C* c;
  if constexpr (C::stateless) {
    static C closure{Fn{}};
    c = &closure;
  } else {
    // The closure lives in the heap, scanned word by word (its captures
    // have no derivable map), as gort::go's does.
    void* mem = mallocgc(sizeof(C), &typeOf<void*>, true);
    c = ::new (mem) C(Fn(std::move(f)));
    initBarrier(c, sizeof(C));
  }
  const ptrtype* ot = &ptrTypeOf<std::remove_cv_t<T>>;
  SetFinalizer(static_cast<void*>(const_cast<std::remove_cv_t<T>*>(obj)), ot, c, 0, &ot->Type);
}

/// SetFinalizer(obj, f) for a GC reference.
template <class T, class F>
void SetFinalizer(gort::ptr<T> obj, F f) {
  SetFinalizer(obj.get(), std::move(f));
}

/// SetFinalizer(obj, nullptr): remove obj's finalizer, if any.
template <class T>
void SetFinalizer(T* obj, std::nullptr_t) {
  SetFinalizer(static_cast<void*>(const_cast<std::remove_cv_t<T>*>(obj)), &ptrTypeOf<std::remove_cv_t<T>>, nullptr,
               0, nullptr);
}
template <class T>
void SetFinalizer(gort::ptr<T> obj, std::nullptr_t) {
  SetFinalizer(obj.get(), nullptr);
}

/// SetFinalizer(nil, f): Go's untyped nil first argument, a fatal error.
template <class F>
void SetFinalizer(std::nullptr_t, F) {
  SetFinalizer(nullptr, nullptr, nullptr, 0, nullptr);
}

/// KeepAlive(x): x is live up to this point: its object is not freed and
/// its finalizer does not run before the program gets here. The empty asm
/// takes x as an input, so the compiler keeps x (in a register or a stack
/// slot, where the collector looks) until here.
/// \gosrc{mfinal.go,KeepAlive}
template <class T>
inline void KeepAlive(const T& x) {
  asm volatile("" : : "m"(x) : "memory");
}

}  // namespace runtime
