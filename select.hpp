// select.hpp: select. The runtime half declares select.go's scase,
// selectgo and block; the gort half lowers a select the way cmd/compile
// does (walk/select.go):
//
//   select {}                          gort::select({})             block
//   one case, no default               gort::select({c})            chansend1 / chanrecv1 / chanrecv2
//   one case and default               gort::select({c}, gort::default_)  selectnbsend / selectnbrecv
//   anything else                      gort::select({...} [, gort::default_])  selectgo
//
// Cases: gort::send(ch, v), gort::recv(ch), gort::recv(ch, &v),
// gort::recv(ch, &v, &ok). The result is the index of the chosen case in
// the list, or -1 for default. A std::vector<gort::scase> (or any span)
// gives a select whose cases are built at run time, like reflect.Select.
#pragma once
#include <initializer_list>
#include <span>
#include <tuple>
#include <vector>

#include "chan.hpp"

namespace runtime {

/// scase: one case of a select. \gosrc{select.go,scase}
struct scase {
  hchan* c;    // chan
  void* elem;  // data element
};

/// selectgo's two results: the chosen case (-1: none) and, for a receive,
/// whether a value arrived (Go returns (int, bool)).
struct selectgoResult {
  int casi;
  bool recvOK;
};
selectgoResult selectgo(scase* cas0, uint16* order0, uintptr* pc0, int nsends, int nrecvs,
                        bool block);
[[noreturn]] void block();

}  // namespace runtime

namespace gort {

struct default_t {};
/// The `default:` of a select.
inline constexpr default_t default_{};

class scase;
int selectOne(scase& cs, bool block);
template <class T>
scase send(const chan<T>& c, T v);
template <class T>
scase recv(const chan<T>& c, T* v = nullptr, bool* ok = nullptr);

/// scase: a select case as written in the program. It owns the value of a
/// send case (Go evaluates it before the select starts) and, for a receive
/// into a non-trivial type, raw storage the runtime fills when the case wins.
///
/// What each kind of case sets (the rest stays unset and is never read):
///   send:  c_, elem_ (the value, in buf_ or on the heap), t_, isSend_,
///          owned_, heap_;
///   recv:  c_, elem_ (null, the destination, or storage), okp_, finish_,
///          isSend_, owned_ (false), heap_; with storage also t_, and dst_
///          when finish_ is set.
/// Go's compiler builds a case as a couple of stores into the select's
/// frame; building one here must not cost much more, since a one-case
/// select is a bare channel call in Go (BenchmarkSelectNonblock makes four
/// per iteration). So nothing is zeroed that the case does not use, the
/// three flags sit side by side (GCC merges their stores), and a heap block
/// is found through elem_ instead of a pointer of its own. take() also moves
/// a send case's value whatever its type (before, a trivially destructible
/// value was left behind when a case was moved, e.g. by a vector growing).
class scase {
 public:
  scase(scase&& o) noexcept { take(o); }
  scase& operator=(scase&&) = delete;
  ~scase() {
    if (owned_) t_->destroy(elem_);
    if (heap_) ::operator delete(elem_, std::align_val_t(t_->align));
  }

  template <class T>
  friend scase send(const chan<T>& c, T v);
  template <class T>
  friend scase recv(const chan<T>& c, T* v, bool* ok);
  friend int selectImpl(std::span<scase> cases, bool block);
  friend int selectOne(scase& cs, bool block);

  /// After this receive case won: report ok and move the value out.
  void finishRecv(bool received) {
    if (okp_ != nullptr) *okp_ = received;
    if (finish_ != nullptr) finish_(dst_, elem_);
  }

 private:
  scase() = default;  // send and recv set the fields their kind uses (above)
  void* storage(const runtime::_type* t) {
    t_ = t;
    if (t->size <= sizeof buf_ && t->align <= alignof(std::max_align_t)) return buf_;
    void* p = ::operator new(t->size, std::align_val_t(t->align));
    heap_ = true;  // only once the block exists: new may throw
    return p;
  }
  void take(scase& o) {
    c_ = o.c_;
    isSend_ = o.isSend_;
    owned_ = o.owned_;
    heap_ = o.heap_;
    if (!isSend_) {
      okp_ = o.okp_;
      finish_ = o.finish_;
      if (finish_ != nullptr) dst_ = o.dst_;
    }
    if (isSend_ || o.elem_ == o.buf_ || heap_) t_ = o.t_;
    if (o.elem_ == o.buf_) {
      elem_ = buf_;
      // A send case's buffer holds its value (trivial or not); a receive
      // case's holds nothing until the select runs.
      if (isSend_) {
        t_->move(buf_, o.buf_);
        if (owned_) t_->destroy(o.buf_);
      }
    } else {
      elem_ = o.elem_;
    }
    o.owned_ = false;
    o.heap_ = false;  // the heap block, if any, is ours now
  }

  runtime::hchan* c_;
  void* elem_;
  bool isSend_;
  bool owned_;  // elem_ holds a live value this case must destroy
  bool heap_;   // elem_ is a heap block this case must free
  bool* okp_;
  void* dst_;
  void (*finish_)(void* dst, void* raw);  // move a received value out
  const runtime::_type* t_;
  alignas(std::max_align_t) unsigned char buf_[64];
};

/// case c <- v:
template <class T>
scase send(const chan<T>& c, T v) {
  scase s;
  s.c_ = c.get();
  s.isSend_ = true;
  s.owned_ = false;
  s.heap_ = false;
  s.elem_ = s.storage(&runtime::typeOf<T>);
  ::new (s.elem_) T(std::move(v));
  // A value with a destructor is destroyed with the case; a trivial one
  // needs nothing.
  s.owned_ = !std::is_trivially_destructible_v<T>;
  return s;
}

/// case v, ok = <-c:  (v and ok may be null: case <-c:)
template <class T>
scase recv(const chan<T>& c, T* v, bool* ok) {
  scase s;
  s.c_ = c.get();
  s.isSend_ = false;
  s.owned_ = false;
  s.heap_ = false;
  s.okp_ = ok;
  s.finish_ = nullptr;
  s.elem_ = nullptr;
  if (v == nullptr) return s;
  if constexpr (std::is_trivially_copyable_v<T> && std::is_trivially_default_constructible_v<T>) {
    s.elem_ = v;  // the runtime writes the value in place, only if this case wins
  } else {
    s.elem_ = s.storage(&runtime::typeOf<T>);
    s.dst_ = v;
    s.finish_ = [](void* dst, void* raw) {
      T* r = static_cast<T*>(raw);
      *static_cast<T*>(dst) = std::move(*r);
      r->~T();
    };
  }
  return s;
}

/// selectOne: a select of one case is a plain channel operation, and one
/// case plus default is selectnbsend / selectnbrecv (walk/select.go's two
/// optimizations). Inline, so the call site is one runtime call as in Go.
inline int selectOne(scase& cs, bool block) {
  if (block) {
    if (cs.isSend_) {
      runtime::chansend1(cs.c_, cs.elem_);
      return 0;
    }
    bool ok = runtime::chanrecv2(cs.c_, cs.elem_);
    cs.finishRecv(ok);
    return 0;
  }
  if (cs.isSend_) return runtime::selectnbsend(cs.c_, cs.elem_) ? 0 : -1;
  auto [selected, received] = runtime::selectnbrecv(cs.elem_, cs.c_);
  if (!selected) return -1;
  cs.finishRecv(received);
  return 0;
}

int selectImpl(std::span<scase> cases, bool block);

/// select { cases }
inline int select(std::initializer_list<scase> cases) {
  std::span<scase> cs(const_cast<scase*>(cases.begin()), cases.size());
  if (cs.size() == 1) return selectOne(cs[0], true);
  return selectImpl(cs, true);
}
/// select { cases; default: }
inline int select(std::initializer_list<scase> cases, default_t) {
  std::span<scase> cs(const_cast<scase*>(cases.begin()), cases.size());
  if (cs.size() == 1) return selectOne(cs[0], false);
  return selectImpl(cs, false);
}
/// select over cases built at run time.
inline int select(std::span<scase> cases) { return selectImpl(cases, true); }
inline int select(std::span<scase> cases, default_t) { return selectImpl(cases, false); }

}  // namespace gort
