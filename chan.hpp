// chan.hpp: channels. The runtime half mirrors chan.go at go1.22.12 (hchan,
// waitq, makechan, chansend, chanrecv, closechan, ...); the gort half is
// what cmd/compile emits for channel syntax, each operation one runtime call:
//
//   make(chan T)        gort::make_chan<T>()     makechan
//   make(chan T, n)     gort::make_chan<T>(n)    makechan64
//   ch <- v             ch.send(v)               chansend1
//   v := <-ch           v = ch.recv()            chanrecv1
//   v, ok := <-ch       auto [v, ok] = ch.recv2()  chanrecv2
//   close(ch)           gort::close(ch)          closechan
//   len(ch), cap(ch)    gort::len(ch), gort::cap(ch)  chanlen, chancap
//   for v := range ch   for (T v : ch)           chanrecv2 per iteration
//
// A channel lives in the garbage-collected heap, as in Go (makechan), and
// the collector frees it once nothing references it. A gort::chan<T> is one
// pointer, copied as Go copies a channel value. Departure: C++ values left
// in a buffer (a std::string, say) have destructors, which Go's values do
// not; makechan gives a buffered channel of such values a finalizer that
// destroys what is still buffered once the channel is unreachable (so such
// a channel takes one more cycle to be freed, as any finalized object does).
#pragma once
#include <cstddef>
#include <iterator>
#include <tuple>
#include <utility>

#include "pragmas.hpp"
#include "runtime.hpp"
#include "runtime2.hpp"
#include "type.hpp"

namespace runtime {

/// waitq: a FIFO of sudogs waiting on a channel. \gosrc{chan.go,waitq}
struct waitq {
  // first is read without the channel lock by the early exits of chansend
  // and chanrecv (full, empty), hence Racy (internal/atomic); every store
  // carries the write barrier (mwbbuf.hpp).
  racyHeapPtr<sudog> first;
  racyHeapPtr<sudog> last;
  void enqueue(sudog* sgp);
  sudog* dequeue();
  void dequeueSudoG(sudog* sgp);
};

/// hchan: a channel. See chan.cpp for its invariants. \gosrc{chan.go,hchan}
struct hchan {
  atomic::Racy<uintptr> qcount;  // values now in the buffer (read without the lock by full, empty, len)
  uintptr dataqsiz;     // buffer capacity in elements (0: unbuffered)
  void* buf;            // ring storage for dataqsiz elements
  uint16 elemsize;
  atomic::Racy<uint32> closed;   // read without the lock by the early exits
  const _type* elemtype;  // type of the values carried
  uintptr sendx;        // slot the next buffered send fills
  uintptr recvx;        // slot the next buffered receive empties
  waitq recvq;          // parked receivers
  waitq sendq;          // parked senders
  // lock guards every field above and the channel-related sudog fields of
  // goroutines parked here. Holding it, never change another goroutine's
  // status (readying included): that can deadlock against stack shrinking.
  mutex lock;
};

hchan* makechan(const _type* t, int64 size);
hchan* makechan64(const _type* t, int64 size);
NOSPLIT void chansend1(hchan* c, void* elem);
bool chansend(hchan* c, void* ep, bool block, uintptr callerpc);
void closechan(hchan* c);
NOSPLIT void chanrecv1(hchan* c, void* elem);
NOSPLIT bool chanrecv2(hchan* c, void* elem);
/// chanrecv's two results, (selected, received), as Go returns them. A plain
/// struct rather than std::tuple so that it comes back in a register.
struct chanrecvResult {
  bool selected;
  bool received;
};
chanrecvResult chanrecv(hchan* c, void* ep, bool block);
bool selectnbsend(hchan* c, void* elem);
chanrecvResult selectnbrecv(void* elem, hchan* c);
int chanlen(hchan* c);
int chancap(hchan* c);
void send(hchan* c, sudog* sg, void* ep, void (*unlockf)(void*), void* unlockarg, int skip);
void recv(hchan* c, sudog* sg, void* ep, void (*unlockf)(void*), void* unlockarg, int skip);
void sendDirect(const _type* t, sudog* sg, void* src);
void recvDirect(const _type* t, sudog* sg, void* dst);
void* chanbuf(hchan* c, uintptr i);

/// dequeue removes the first sudog whose goroutine can still take it: a
/// sudog of a select is skipped if another case of that select has already
/// won (selectDone).
/// Departure: defined here, inline, where Go's stands last in chan.go.
/// GCC, unlike Go's compiler, does not inline it across files, and its call
/// cost every channel operation that finds an empty queue (4.5% of
/// BenchmarkChanUncontended's samples). \gosrc{chan.go,dequeue}
[[gnu::always_inline]] inline sudog* waitq::dequeue() {
  for (;;) {
    sudog* sgp = first;
    if (sgp == nullptr) return nullptr;
    sudog* y = sgp->next;
    if (y == nullptr) {
      first = nullptr;
      last = nullptr;
    } else {
      y->prev = nullptr;
      first = y;
      sgp->next = nullptr;  // nil next: dequeueSudoG sees it as unlinked
    }
    // A select's sudog stays queued here for a short while after another
    // case of that select has won, until the selecting goroutine relocks
    // the channels and unlinks it. selectDone settles the race: only the
    // one whose CAS succeeds may take the sudog; everyone else skips it.
    if (sgp->isSelect && !sgp->g_->selectDone.CompareAndSwap(0, 1)) continue;
    return sgp;
  }
}

}  // namespace runtime

namespace gort {

/// struct_: Go's struct{}, for chan struct{} (zero-size elements).
struct struct_ {
  bool operator==(const struct_&) const = default;
};

template <class T>
class chan;

/// make(chan T, size).
template <class T>
chan<T> make_chan(int64_t size = 0);

/// chan<T>: a channel value. Default-constructed it is nil: sends and
/// receives block forever, close panics, as in Go.
template <class T>
class chan {
  static_assert(sizeof(T) < (1 << 16) || std::is_empty_v<T>, "channel element type too large (>64kB)");
  static_assert(std::is_nothrow_move_constructible_v<T>, "channel elements must be nothrow movable");
  static_assert(std::is_default_constructible_v<T>, "channel elements need a zero value (T{})");

 public:
  using value_type = T;
  chan() = default;
  chan(std::nullptr_t) {}

  /// ch <- v
  void send(T v) const { runtime::chansend1(c_, &v); }
  /// <-ch
  T recv() const {
    union U {
      T v;
      U() {}
      ~U() {}
    } u;
    runtime::chanrecv1(c_, &u.v);
    T r = std::move(u.v);
    u.v.~T();
    return r;
  }
  /// v, ok := <-ch
  std::pair<T, bool> recv2() const {
    union U {
      T v;
      U() {}
      ~U() {}
    } u;
    bool ok = runtime::chanrecv2(c_, &u.v);
    std::pair<T, bool> r{std::move(u.v), ok};
    u.v.~T();
    return r;
  }

  /// for v := range ch: an input iterator whose ++ is a receive.
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    explicit iterator(runtime::hchan* c) : c_(c) { ++*this; }
    T& operator*() { return v_; }
    iterator& operator++() {
      auto r = chan::recv2_raw(c_);
      v_ = std::move(r.first);
      if (!r.second) c_ = nullptr;
      return *this;
    }
    bool operator==(const iterator& o) const { return c_ == o.c_; }

   private:
    runtime::hchan* c_ = nullptr;
    T v_{};
  };
  iterator begin() const { return iterator(c_); }
  iterator end() const { return iterator(); }

  runtime::hchan* get() const { return c_; }
  explicit operator bool() const { return c_ != nullptr; }
  bool operator==(const chan& o) const { return c_ == o.c_; }

 private:
  template <class U>
  friend chan<U> make_chan(int64_t);
  static std::pair<T, bool> recv2_raw(runtime::hchan* c) {
    union U {
      T v;
      U() {}
      ~U() {}
    } u;
    bool ok = runtime::chanrecv2(c, &u.v);
    std::pair<T, bool> r{std::move(u.v), ok};
    u.v.~T();
    return r;
  }
  explicit chan(runtime::hchan* c) : c_(c) {}
  runtime::heapPtr<runtime::hchan> c_;  // with Go's write barrier (mwbbuf.hpp)
};

template <class T>
chan<T> make_chan(int64_t size) {
  return chan<T>(runtime::makechan64(&runtime::typeOf<T>, size));
}

/// close(ch)
template <class T>
void close(const chan<T>& c) {
  runtime::closechan(c.get());
}
/// len(ch)
template <class T>
int len(const chan<T>& c) {
  return runtime::chanlen(c.get());
}
/// cap(ch)
template <class T>
int cap(const chan<T>& c) {
  return runtime::chancap(c.get());
}

}  // namespace gort
