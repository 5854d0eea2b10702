// harness.cpp: runs a Program on gort and records a History (harness.hpp).
// The design, and why quiescence is detected soundly, is in fuzz_chan.cpp.
#include "harness.hpp"

#include <time.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <span>
#include <string>

#include "chan.hpp"
#include "go.hpp"
#include "proc.hpp"
#include "runtime.hpp"
#include "select.hpp"
#include "sync/waitgroup.hpp"

namespace fuzz {

const char* panicText(Panic p) {
  switch (p) {
    case Panic::None: return "";
    case Panic::SendClosed: return "send on closed channel";
    case Panic::CloseClosed: return "close of closed channel";
    case Panic::CloseNil: return "close of nil channel";
    case Panic::Other: return "(another panic)";
  }
  return "?";
}

namespace {

/// Monotonic time in ns: the vDSO's clock_gettime, which reads no shared
/// memory that the runtime writes, so it adds no synchronization.
int64_t now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// --- Element types: each carries a tag (program.hpp) and, for the two
// larger ones, a payload derived from it that a receiver checks, so that a
// torn or stale copy shows.

struct U64 {
  using T = uint64_t;
  static T make(uint64_t tag) { return tag; }
  static uint64_t tag(const T& v, bool&) { return v; }
};

struct BigVal {
  uint64_t tag;
  uint64_t w[5];
};
struct Big {
  using T = BigVal;
  static uint64_t word(uint64_t tag, int i) { return (tag + uint64_t(i)) * 0x9e3779b97f4a7c15ull; }
  static T make(uint64_t tag) {
    T v{tag, {}};
    for (int i = 0; i < 5; i++) v.w[i] = word(tag, i);
    return v;
  }
  static uint64_t tag(const T& v, bool& bad) {
    for (int i = 0; i < 5; i++) bad |= v.w[i] != (v.tag == 0 ? 0 : word(v.tag, i));
    return v.tag;
  }
};

/// std::string: the runtime must move it with its constructor; 40
/// characters keep it out of the small-string buffer, on the heap.
struct Str {
  using T = std::string;
  static T make(uint64_t tag) {
    std::string s = "v" + std::to_string(tag) + ":";
    while (s.size() < 40) s += char('a' + (tag + s.size()) % 26);
    return s;
  }
  static uint64_t tag(const T& v, bool& bad) {
    if (v.empty()) return 0;
    uint64_t t = std::strtoull(v.c_str() + 1, nullptr, 10);
    bad |= v != make(t);
    return t;
  }
};

/// The state one run shares between the harness and the goroutines.
template <class C>
struct Shared {
  using T = typename C::T;
  const Program* p = nullptr;
  History* h = nullptr;
  gort::chan<T> ch[kMaxC];
  gort::chan<T> nilch;
  // Counts every operation any goroutine has completed; each goroutine adds
  // 1 after an operation returns and before it starts the next (see
  // quiescent()).
  std::atomic<int64_t> progress{0};
  std::atomic<runtime::g*> gp[kMaxG] = {};
  std::atomic<int> ndone[kMaxG] = {};  // operations completed
  std::atomic<bool> done[kMaxG] = {};  // the goroutine has finished

  const gort::chan<T>& at(int c) const { return c < 0 ? nilch : ch[c]; }
};

Panic panicOf(const char* msg) {
  for (Panic p : {Panic::SendClosed, Panic::CloseClosed, Panic::CloseNil})
    if (std::strcmp(msg, panicText(p)) == 0) return p;
  return Panic::Other;
}

template <class C>
void runSelect(Shared<C>& sh, int g, int k, const Op& op, Outcome& o) {
  using T = typename C::T;
  T vals[kMaxCases]{};
  bool oks[kMaxCases] = {};
  alignas(gort::scase) unsigned char raw[kMaxCases * sizeof(gort::scase)];
  auto* cs = reinterpret_cast<gort::scase*>(raw);
  int n = op.ncases;
  for (int i = 0; i < n; i++) {
    const Case& c = op.cases[i];
    if (c.send)
      ::new (&cs[i]) gort::scase(gort::send(sh.at(c.ch), C::make(tagOf(g, k, i))));
    else if (c.blind)
      ::new (&cs[i]) gort::scase(gort::recv(sh.at(c.ch), static_cast<typename C::T*>(nullptr), &oks[i]));
    else
      ::new (&cs[i]) gort::scase(gort::recv(sh.at(c.ch), &vals[i], c.withOk ? &oks[i] : nullptr));
  }
  struct Destroy {
    gort::scase* cs;
    int n;
    ~Destroy() {
      for (int i = 0; i < n; i++) cs[i].~scase();
    }
  } destroy{cs, n};
  std::span<gort::scase> span(cs, size_t(n));
  int r = op.dflt ? gort::select(span, gort::default_) : gort::select(span);
  o.chosen = int8_t(r);
  if (r >= 0 && op.cases[r].blind) {
    o.ok = oks[r];  // no value: the runtime had nowhere to put it
  } else if (r >= 0 && !op.cases[r].send) {
    o.val = C::tag(vals[r], o.badPayload);
    o.ok = op.cases[r].withOk ? oks[r] : o.val != 0;
  }
  for (int i = 0; i < n; i++) {  // the cases not chosen keep their zero values
    bool bad = false;
    if (i != r && (C::tag(vals[i], bad) != 0 || bad || oks[i])) o.stray = true;
  }
}

template <class C>
void runOp(Shared<C>& sh, int g, int k, const Op& op, Outcome& o) {
  const auto& ch = sh.at(op.ch);
  switch (op.kind) {
    case Kind::Send: ch.send(C::make(tagOf(g, k, 0))); break;
    case Kind::Recv: {
      auto v = ch.recv();
      o.val = C::tag(v, o.badPayload);
      o.ok = o.val != 0;
      break;
    }
    case Kind::Recv2: {
      auto [v, ok] = ch.recv2();
      o.val = C::tag(v, o.badPayload);
      o.ok = ok;
      break;
    }
    case Kind::Close: gort::close(ch); break;
    case Kind::Len: o.len = int16_t(gort::len(ch)); break;
    case Kind::Yield: runtime::Gosched(); break;
    case Kind::Select: runSelect(sh, g, k, op, o); break;
  }
}

/// One program goroutine: its operations in order, each timed; a panic
/// (the harness's recover) ends the goroutine, as it would end a Go
/// goroutine with a deferred recover at its top.
/// wg, if not null, is told when the goroutine finishes (runMain).
template <class C>
void worker(Shared<C>* sh, int g, gort::sync::WaitGroup* wg) {
  sh->gp[g].store(runtime::getg());
  const Program& p = *sh->p;
  for (int k = 0; k < p.nops[g]; k++) {
    Outcome& o = sh->h->ev[g][k];
    bool stop = false;
    o.before = now();
    try {
      runOp(*sh, g, k, p.ops[g][k], o);
    } catch (const runtime::PanicError& e) {
      o.panic = e.RuntimeError() ? panicOf(e.what()) : Panic::Other;
      std::strncpy(o.what, e.what(), sizeof o.what - 1);
      stop = true;
    }
    o.after = now();
    sh->h->nev[g] = k + 1;
    sh->ndone[g].store(k + 1);
    sh->progress.fetch_add(1);
    if (stop) break;
  }
  sh->done[g].store(true);  // execute may return and free sh from here on
  if (wg != nullptr) wg->Done();
}

bool chanWait(runtime::waitReason r) {
  using enum runtime::waitReason;
  return r == waitReasonChanReceive || r == waitReasonChanSend || r == waitReasonSelect ||
         r == waitReasonChanReceiveNilChan || r == waitReasonChanSendNilChan ||
         r == waitReasonSelectNoCases;
}

/// quiescent: is every unfinished goroutine (at least one) parked in a
/// channel operation?
/// progress is read before and after the status scan and must not have
/// moved; fuzz_chan.cpp explains why a true answer then means they are all
/// parked at once, at the second read, and so parked for good.
template <class C>
bool quiescent(Shared<C>& sh) {
  int64_t a = sh.progress.load();
  int live = 0;
  for (int g = 0; g < sh.p->ng; g++) {
    if (sh.done[g].load()) continue;
    live++;
    runtime::g* gp = sh.gp[g].load();
    if (gp == nullptr) return false;  // not started yet
    if ((runtime::readgstatus(gp) & ~uint32_t(runtime::_Gscan)) != runtime::_Gwaiting) return false;
    if (!chanWait(gp->waitreason)) return false;
  }
  return live > 0 && sh.progress.load() == a;
}

/// Buffer slot i (counted from the head) of channel c, and whether it is
/// closed; only while no goroutine can touch c (quiescent or finished).
template <class C>
void snapshot(Shared<C>& sh, int c, bool& closed, int& len, uint64_t* vals, bool& bad) {
  runtime::hchan* hc = sh.ch[c].get();
  runtime::lock(&hc->lock);
  closed = hc->closed != 0;
  len = int(hc->qcount);
  for (int i = 0; i < len && i < kMaxCap; i++) {
    uintptr_t slot = (hc->recvx + uintptr_t(i)) % hc->dataqsiz;
    vals[i] = C::tag(*static_cast<typename C::T*>(runtime::chanbuf(hc, slot)), bad);
  }
  runtime::unlock(&hc->lock);
}

/// The values left in each channel once every goroutine has finished,
/// taken with non-blocking receives (selectnbrecv).
template <class C>
void drain(Shared<C>& sh, History& h) {
  for (int c = 0; c < sh.p->nc; c++) {
    typename C::T v;
    bool ok = false;
    while (h.leftLen[c] < kMaxDrain) {
      if (gort::select({gort::recv(sh.ch[c], &v, &ok)}, gort::default_) < 0 || !ok) break;
      h.left[c][h.leftLen[c]++] = C::tag(v, h.leftBad[c]);
    }
    h.finalClosed[c] = sh.ch[c].get()->closed.load() != 0;
  }
}

template <class C>
void setup(Shared<C>& sh, const Program& p, History& h) {
  h = History{};
  sh.p = &p;
  sh.h = &h;
  for (int c = 0; c < p.nc; c++) sh.ch[c] = gort::make_chan<typename C::T>(p.cap[c]);
  h.t0 = now();
}

/// Closes every channel (after quiescence), timing each close.
template <class C>
void closeAll(Shared<C>& sh, History& h) {
  for (int c = 0; c < sh.p->nc; c++) {
    Outcome& o = h.hclose[c];
    o.before = now();
    try {
      gort::close(sh.ch[c]);
    } catch (const runtime::PanicError& e) {
      o.panic = panicOf(e.what());
    }
    o.after = now();
  }
}

/// How long a run may go without finishing or quiescing (s).
constexpr int64_t kStuckNs = 20 * int64_t(1000000000);

template <class C>
bool executeT(const Program& p, History& h, std::string& why) {
  Shared<C> sh;
  setup(sh, p, h);
  for (int g = 0; g < p.ng; g++) gort::go(worker<C>, &sh, g, static_cast<gort::sync::WaitGroup*>(nullptr));
  bool closed = false;
  int64_t lastProgress = -1, since = now();
  for (;;) {
    bool all = true;
    for (int g = 0; g < p.ng; g++) all &= sh.done[g].load();
    if (all) break;
    if (quiescent(sh)) {
      if (closed) {
        why = "goroutines still parked after every channel was closed";
        return false;
      }
      h.quiesced = closed = true;
      h.tq = now();
      for (int g = 0; g < p.ng; g++) {
        bool fin = sh.done[g].load();
        h.blocked[g] = fin ? -1 : sh.ndone[g].load();
        h.waitreason[g] = fin ? 0 : uint8_t(sh.gp[g].load()->waitreason.load());
      }
      bool bad = false;
      for (int c = 0; c < p.nc; c++) snapshot(sh, c, h.snapClosed[c], h.snapLen[c], h.snapBuf[c], bad);
      if (bad) {
        why = "a buffered value's payload does not match its tag";
        return false;
      }
      closeAll(sh, h);
      continue;
    }
    int64_t t = now(), pr = sh.progress.load();
    if (pr != lastProgress) {
      lastProgress = pr;
      since = t;
    } else if (t - since > kStuckNs) {
      why = "no goroutine made progress for 20 s, yet not all are parked in channel operations";
      return false;
    }
    runtime::Gosched();
  }
  drain(sh, h);
  return true;
}

template <class C>
void runMainT(const Program& p, History& h) {
  Shared<C> sh;
  gort::sync::WaitGroup wg;
  setup(sh, p, h);
  wg.Add(p.ng - 1);
  for (int g = 1; g < p.ng; g++) gort::go(worker<C>, &sh, g, &wg);
  worker<C>(&sh, 0, nullptr);
  wg.Wait();
  drain(sh, h);
}

}  // namespace

bool execute(const Program& p, History& h, bool setProcs, std::string& why) {
  if (setProcs && p.procs > 0 && runtime::GOMAXPROCS(0) != p.procs) runtime::GOMAXPROCS(p.procs);
  switch (p.elem) {
    case Elem::U64: return executeT<U64>(p, h, why);
    case Elem::Big: return executeT<Big>(p, h, why);
    case Elem::Str: return executeT<Str>(p, h, why);
  }
  return false;
}

void runMain(const Program& p, History& h) {
  switch (p.elem) {
    case Elem::U64: runMainT<U64>(p, h); break;
    case Elem::Big: runMainT<Big>(p, h); break;
    case Elem::Str: runMainT<Str>(p, h); break;
  }
}

namespace {

std::string us(int64_t ns) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3f", double(ns) / 1000.0);
  return b;
}


std::string outcomeText(const Op& op, const Outcome& o) {
  std::string s;
  if (o.panic != Panic::None) {
    s = std::string("panic: ") + (o.panic == Panic::Other ? o.what : panicText(o.panic));
    return s;
  }
  if (op.kind == Kind::Select) {
    if (o.chosen < 0) return "default";
    s = "case " + std::to_string(o.chosen);
    if (op.cases[o.chosen].send) return s;
    if (op.cases[o.chosen].blind) return s + (o.ok ? ": _ ok" : ": _ !ok");
    s += ": ";
  }
  if (op.kind == Kind::Len) return std::to_string(o.len);
  if (op.kind == Kind::Recv || op.kind == Kind::Recv2 || op.kind == Kind::Select)
    s += tagText(o.val) + (o.ok ? " ok" : " !ok") + (o.badPayload ? " BAD PAYLOAD" : "");
  return s.empty() ? "done" : s;
}

}  // namespace

std::string describe(const Program& p, const History& h) {
  std::string s = "program:\n" + format(p) + "run (times in us from the start, [before, after]):\n";
  for (int g = 0; g < p.ng; g++) {
    s += "  g" + std::to_string(g) + ":\n";
    for (int k = 0; k < h.nev[g]; k++) {
      const Outcome& o = h.ev[g][k];
      s += "    op" + std::to_string(k) + " [" + us(o.before - h.t0) + ", " + us(o.after - h.t0) + "] " +
           formatOp(p.ops[g][k]) + " -> " + outcomeText(p.ops[g][k], o) + "\n";
    }
    if (h.nev[g] < p.nops[g] && (h.nev[g] == 0 || h.ev[g][h.nev[g] - 1].panic == Panic::None))
      s += "    (did not finish)\n";
  }
  auto bufText = [](const uint64_t* v, int n) {
    std::string b = "[";
    for (int i = 0; i < n; i++) b += (i ? " " : "") + tagText(v[i]);
    return b + "]";
  };
  if (h.quiesced) {
    s += "quiescent at " + us(h.tq - h.t0) + ":\n";
    for (int g = 0; g < p.ng; g++)
      if (h.blocked[g] >= 0)
        s += "  g" + std::to_string(g) + " parked in op" + std::to_string(h.blocked[g]) + " (" +
             runtime::String(runtime::waitReason(h.waitreason[g])) + ")\n";
    for (int c = 0; c < p.nc; c++)
      s += "  c" + std::to_string(c) + (h.snapClosed[c] ? " closed " : " open ") +
           bufText(h.snapBuf[c], h.snapLen[c] < kMaxCap ? h.snapLen[c] : kMaxCap) + "\n";
    for (int c = 0; c < p.nc; c++)
      s += "  harness close c" + std::to_string(c) + " [" + us(h.hclose[c].before - h.t0) + ", " +
           us(h.hclose[c].after - h.t0) + "] -> " +
           (h.hclose[c].panic == Panic::None ? "done" : panicText(h.hclose[c].panic)) + "\n";
  }
  s += "at the end:\n";
  for (int c = 0; c < p.nc; c++)
    s += "  c" + std::to_string(c) + (h.finalClosed[c] ? " closed" : " open") + ", drained " +
         bufText(h.left[c], h.leftLen[c]) + (h.leftBad[c] ? " BAD PAYLOAD" : "") + "\n";
  return s;
}

}  // namespace fuzz
