// go.hpp: the language surface. Each helper here is what cmd/compile would
// emit for one piece of Go syntax, and each is one runtime call:
//
//   go f(x)          gort::go(f, x)        newproc
//   panic("msg")     gort::panic("msg")    gopanic
//   new(T), &T{...}  gort::new_<T>(...)    newobject
//   syscall.Syscall  gort::syscall(f)      entersyscall ... exitsyscall
//
// runtime.SetFinalizer and runtime.KeepAlive come with mfinal.hpp.
//
// Slices (make, append, indexing) are added by slice.hpp; channels and
// select by chan.hpp and select.hpp.
#pragma once
#include <cstddef>
#include <new>
#include <tuple>
#include <type_traits>
#include <utility>

#include "runtime.hpp"
#include "runtime2.hpp"
#include "type.hpp"

namespace runtime {
/// newproc creates a goroutine running fn and puts it on the current P's
/// runnext (proc.go). fn is owned by the new goroutine.
void newproc(funcval* fn);
void* mallocgc(uintptr size, const _type* typ, bool needzero);
/// syscall_call, syscallblock_call (asm_amd64.S): fn(arg) with the goroutine
/// in a system call (see gort::syscall).
extern "C" uintptr syscall_call(uintptr (*fn)(void*), void* arg) asm("runtime.syscall_call");
extern "C" uintptr syscallblock_call(uintptr (*fn)(void*), void* arg) asm("runtime.syscallblock_call");
}  // namespace runtime

namespace gort {

namespace detail {
/// goclosure: the heap closure a go statement allocates: Go's funcval with the
/// function value and its arguments captured after the code pointer. It
/// lives in the garbage-collected heap, scanned conservatively (its map
/// says every word may be a pointer: a lambda's captures have no derivable
/// map), so that a GC reference captured by the go statement is seen
/// before the goroutine first runs.
template <class F>
struct goclosure : runtime::funcval {
  F f;
  explicit goclosure(F&& f_) : f(std::move(f_)) { fn = &call; }
  /// The goroutine's first frame. It moves the closure onto the goroutine's
  /// stack, ends the heap copy's life (the collector frees its memory) and
  /// runs it. Goexit unwinds to here; any other
  /// exception (an unrecovered panic) finds no handler and ends the program
  /// at the throw, with the goroutine's stack intact for the dump.
  static void call(runtime::funcval* fv) {
    auto* c = static_cast<goclosure*>(fv);
    F local = std::move(c->f);
    c->~goclosure();
    try {
      local();
    } catch (const runtime::goexitUnwind&) {
    }
  }
};
}  // namespace detail

/// go(f, args...): `go f(args...)`. The arguments are evaluated and copied
/// now, as Go evaluates a go statement's arguments in the calling goroutine.
template <class F, class... Args>
void go(F&& f, Args&&... args) {
  // `go f()` with a nil func value is a fatal error at the go statement.
  if constexpr (std::is_pointer_v<std::decay_t<F>> || std::is_member_pointer_v<std::decay_t<F>> ||
                std::is_null_pointer_v<std::decay_t<F>>) {
    if (f == nullptr) {
      runtime::newproc(nullptr);
      return;
    }
  }
  auto bound = [fn = std::forward<F>(f),
                tup = std::make_tuple(std::forward<Args>(args)...)]() mutable {
    std::apply(fn, std::move(tup));
  };
  using B = decltype(bound);
  using C = detail::goclosure<B>;
  static_assert(alignof(C) <= 16 && sizeof(C) % sizeof(void*) == 0, "go: closure layout");
  void* mem = runtime::mallocgc(sizeof(C), &runtime::typeOf<void*>, true);
  C* c = ::new (mem) C(std::move(bound));
  // Its captures, for a collector that is marking (scanned word by word).
  runtime::initBarrier(c, sizeof(C));
  runtime::newproc(c);
}

namespace detail {
/// syscallCtx: what syscall_call passes to the call it brackets.
template <class F, class R>
struct syscallCtx {
  F* f;
  R* out;
  /// The bracketed call; noexcept: an exception may not cross the
  /// assembly bracket (std::terminate).
  static uintptr_t call(void* a) noexcept {
    auto* c = static_cast<syscallCtx*>(a);
    if constexpr (std::is_void_v<R>) {
      (*c->f)();
    } else {
      ::new (c->out) R((*c->f)());
    }
    return 0;
  }
};
template <class F>
decltype(auto) syscallWith(uintptr_t (*bracket)(uintptr_t (*)(void*), void*), F& f) {
  using R = std::invoke_result_t<F&>;
  if constexpr (std::is_void_v<R>) {
    syscallCtx<F, void> c{&f, nullptr};
    bracket(&syscallCtx<F, void>::call, &c);
  } else {
    alignas(R) unsigned char buf[sizeof(R)];
    R* out = reinterpret_cast<R*>(buf);
    syscallCtx<F, R> c{&f, out};
    bracket(&syscallCtx<F, R>::call, &c);
    R r = std::move(*out);
    out->~R();
    return r;
  }
}
}  // namespace detail

/// syscall(f): call f() as Go calls into the kernel (syscall.Syscall): the
/// goroutine enters _Gsyscall and leaves its P behind, so that while f
/// blocks (a read(2), a sleep, a blocking library call) sysmon hands the P
/// to another thread and the other goroutines run. f's result is returned.
///
///   ssize_t n = gort::syscall([&] { return \::read(fd, buf, len); });
///
/// f must not use the runtime (no channel operations, allocation of GC
/// memory or goroutines) and must not throw (std::terminate): it runs
/// outside the scheduler, like Go's raw system call. Runtime functions:
/// entersyscall (reentersyscall) and exitsyscall.
template <class F>
decltype(auto) syscall(F&& f) {
  return detail::syscallWith(&runtime::syscall_call, f);
}

/// syscall_block(f): syscall(f) for a call known to block for a while:
/// the P is handed off at once (Go's entersyscallblock) instead of after a
/// sysmon tick.
template <class F>
decltype(auto) syscall_block(F&& f) {
  return detail::syscallWith(&runtime::syscallblock_call, f);
}

/// deferred{f}: `defer f()` for a call that cannot panic: f runs when the
/// C++ scope ends, on return and while an exception (a Go panic, Goexit)
/// unwinds through it, last declared first, as Go runs defers.
///
///   fd.readLock();
///   gort::deferred unlock{[&] { fd.readUnlock(); }};
///
/// No runtime call: the compiler's destructor is the defer record. A
/// deferred function that recovers is a catch, not this.
template <class F>
struct deferred {
  F f;
  ~deferred() { f(); }
};
template <class F>
deferred(F) -> deferred<F>;

/// panic(v) with a message.
[[noreturn]] inline void panic(std::string msg) { runtime::gopanic(std::move(msg)); }

}  // namespace gort

#include "chan.hpp"
#include "mfinal.hpp"
#include "select.hpp"
#include "slice.hpp"

namespace gort {

/// gc_allocator<T>: an allocator for the standard containers whose memory
/// comes from the garbage-collected heap, so that GC references kept in a
/// container (a std::vector<gort::chan<int>, gort::gc_allocator<...>>, a
/// std::deque of gort::ptr) are seen by the collector, which does not read
/// the C++ heap. The buffer is scanned by T's pointer map when T has a
/// derivable one (type.hpp), and word by word (conservatively) otherwise.
/// deallocate does nothing: the collector frees a buffer once nothing
/// references it. The container itself must be where the collector looks
/// (a goroutine's stack, a global, a heap object): one inside an object of
/// the C++ heap hides its buffer again. Port only: Go's slices and maps
/// are heap objects already.
template <class T>
struct gc_allocator {
  using value_type = T;
  gc_allocator() noexcept = default;
  template <class U>
  gc_allocator(const gc_allocator<U>&) noexcept {}
  T* allocate(size_t n) {
    static_assert(alignof(T) <= 16, "gc_allocator: alignment above 16 bytes");
    if (n > size_t(-1) / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(runtime::mallocgc(n * sizeof(T), &runtime::typeOf<T>, true));
  }
  void deallocate(T*, size_t) noexcept {}
  /// construct: a U in the collected heap; the references it was built
  /// with are recorded for a collector that is marking (initBarrier).
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    runtime::initBarrier(p);
  }
  /// destroy: end the life of *p, an element in the collected heap; while
  /// the collector marks, the GC references it held are recorded first (the
  /// hybrid barrier's old values, as Go's memclrHasPointers records them),
  /// since a runtime::heapPtr records nothing when it is destroyed.
  template <class U>
  void destroy(U* p) noexcept {
    if constexpr (runtime::typeOf<U>.PtrBytes != 0) {
      if (runtime::writeBarrier.enabled) {
        runtime::bulkBarrierPreWrite(uintptr_t(p), 0, runtime::typeOf<U>.PtrBytes, &runtime::typeOf<U>);
      }
    }
    p->~U();
  }
  template <class U>
  bool operator==(const gc_allocator<U>&) const noexcept {
    return true;
  }
};

/// new_<T>(args...): `new(T)`, or `&T{args...}`: a T in the
/// garbage-collected heap (runtime::newobject<T>, malloc.hpp), zeroed and
/// then constructed from args. T's pointer map is derived from T itself
/// (type.hpp); a T whose map cannot be derived does not compile.
template <class T, class... Args>
ptr<T> new_(Args&&... args) {
  return ptr<T>(runtime::newobject<T>(std::forward<Args>(args)...));
}

}  // namespace gort
