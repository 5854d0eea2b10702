// model.cpp: the checks of model.hpp. Rule numbers (R1...) refer to the
// list at the top of fuzz_chan.cpp.
#include "model.hpp"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "runtime2.hpp"

namespace fuzz {

namespace {

std::string opName(int g, int k) { return "g" + std::to_string(g) + ".op" + std::to_string(k); }
std::string chName(int c) { return "c" + std::to_string(c); }

/// The channel a receive outcome refers to: the op's channel, or the
/// chosen case's for a select (-1 when the outcome is not a receive).
int recvChan(const Op& op, const Outcome& o) {
  if (o.panic != Panic::None) return -1;
  if (op.kind == Kind::Recv || op.kind == Kind::Recv2) return op.ch;
  if (op.kind == Kind::Select && o.chosen >= 0 && o.chosen < op.ncases && !op.cases[o.chosen].send)
    return op.cases[o.chosen].ch;
  return -1;
}

/// Is the outcome a receive case that dropped its value (`_, ok = <-ch`)?
bool blindRecv(const Op& op, const Outcome& o) {
  return op.kind == Kind::Select && o.panic == Panic::None && o.chosen >= 0 && o.chosen < op.ncases &&
         op.cases[o.chosen].blind;
}

/// Did the operation named by a tag send its value (the send returned, or
/// the select chose that case)?
bool sent(const Program& p, const History& h, const TagRef& r) {
  if (r.k >= h.nev[r.g]) return false;
  const Outcome& o = h.ev[r.g][r.k];
  if (o.panic != Panic::None) return false;
  return p.ops[r.g][r.k].kind == Kind::Send || o.chosen == r.c;
}

/// The two directions an operation may wait in on one channel.
struct Want {
  bool send[kMaxC] = {};
  bool recv[kMaxC] = {};
};
Want wants(const Op& op) {
  Want w;
  auto add = [&](bool send, int ch) {
    if (ch >= 0) (send ? w.send : w.recv)[ch] = true;
  };
  if (op.kind == Kind::Send) add(true, op.ch);
  if (op.kind == Kind::Recv || op.kind == Kind::Recv2) add(false, op.ch);
  if (op.kind == Kind::Select)
    for (int i = 0; i < op.ncases; i++) add(op.cases[i].send, op.cases[i].ch);
  return w;
}

/// The wait reason gort must show for a goroutine parked in op (the
/// compiler lowers a one-case select to a plain send or receive).
runtime::waitReason parkedReason(const Op& op) {
  using enum runtime::waitReason;
  bool send = op.kind == Kind::Send;
  int ch = op.ch;
  if (op.kind == Kind::Select) {
    if (op.ncases == 0) return waitReasonSelectNoCases;
    if (op.ncases > 1) return waitReasonSelect;
    send = op.cases[0].send;
    ch = op.cases[0].ch;
  }
  if (send) return ch < 0 ? waitReasonChanSendNilChan : waitReasonChanSend;
  return ch < 0 ? waitReasonChanReceiveNilChan : waitReasonChanReceive;
}

// --- R1-R9: checks on single outcomes, on the values as a whole, and on
// the parked goroutines at quiescence

class Local {
 public:
  Local(const Program& p, const History& h) : p_(p), h_(h) {}
  void run() {
    for (int g = 0; g < p_.ng; g++) {
      if (h_.nev[g] < p_.nops[g] && (h_.nev[g] == 0 || h_.ev[g][h_.nev[g] - 1].panic == Panic::None))
        fail(opName(g, h_.nev[g]) + ": the goroutine stopped here without a panic (harness bug)");
      for (int k = 0; k < h_.nev[g]; k++) outcome(g, k);
    }
    for (int c = 0; c < p_.nc; c++) drained(c);
    everySentReceived();
    closes();
    if (h_.quiesced) parked();
  }
  std::string report;

 private:
  void fail(const std::string& s) { report += s + "\n"; }

  void outcome(int g, int k) {
    const Op& op = p_.ops[g][k];
    const Outcome& o = h_.ev[g][k];
    std::string at = opName(g, k) + " (" + formatOp(op) + "): ";
    // R6: which panics each operation may raise.
    bool legal = o.panic == Panic::None;
    if (op.kind == Kind::Close)
      legal = op.ch < 0 ? o.panic == Panic::CloseNil : legal || o.panic == Panic::CloseClosed;
    if (op.kind == Kind::Send) legal |= o.panic == Panic::SendClosed;
    if (op.kind == Kind::Select && o.panic == Panic::SendClosed)
      for (int i = 0; i < op.ncases; i++) legal |= op.cases[i].send && op.cases[i].ch >= 0;
    if (o.panic == Panic::Other) legal = false;
    if (!legal)
      fail(at + (o.panic == Panic::None
                     ? std::string("did not panic")
                     : std::string("panicked: ") + (o.panic == Panic::Other ? o.what : panicText(o.panic))));
    if (op.kind == Kind::Select && o.panic == Panic::None) {
      // R5: a select returns one of its cases, default only if it has one,
      // never a case on a nil channel, and leaves the others untouched.
      if (o.chosen < -1 || o.chosen >= op.ncases || (o.chosen == -1 && !op.dflt))
        return fail(at + "returned case " + std::to_string(o.chosen));
      if (o.chosen >= 0 && op.cases[o.chosen].ch < 0) fail(at + "chose a case on a nil channel");
      if (o.stray) fail(at + "wrote a value or ok into a case it did not choose");
    }
    if (op.kind == Kind::Len && o.panic == Panic::None && (o.len < 0 || o.len > p_.cap[op.ch]))
      fail(at + "len " + std::to_string(o.len) + " outside 0..cap " + std::to_string(p_.cap[op.ch]));  // R7
    int ch = recvChan(op, o);
    if (ch >= 0 && blindRecv(op, o)) {
      // No value to check; R2 counts what such receives took.
      if (o.val != 0) fail(at + "a receive that drops its value reported " + tagText(o.val));
      blindOk_[ch] += o.ok;
    } else if (ch >= 0) {
      received(at, g, k, ch, o);
    }
  }

  // R1-R3: a received value was sent on that channel, by an operation that
  // completed that send, and nobody else received it.
  void received(const std::string& at, int g, int k, int ch, const Outcome& o) {
    if (o.badPayload) fail(at + "value " + tagText(o.val) + " arrived with a damaged payload");  // R4
    if (o.ok != (o.val != 0)) {
      fail(at + (o.ok ? "ok with the zero value" : "!ok with a value " + tagText(o.val)));
      return;
    }
    if (o.ok) value(at, o.val, ch, g, k);
  }

  void value(const std::string& at, uint64_t val, int ch, int g, int k) {
    TagRef r;
    if (!untag(p_, val, r))
      return fail(at + "received " + std::to_string(val) + ", which no operation sends");
    if (sendChan(p_, r) != ch)
      return fail(at + "received " + tagText(val) + ", which was sent on " + chName(sendChan(p_, r)));
    if (!sent(p_, h_, r)) fail(at + "received " + tagText(val) + ", but that operation did not send it");
    auto [it, fresh] = receivedBy_.emplace(val, std::make_pair(g, k));
    if (!fresh)
      fail(at + "received " + tagText(val) + ", already received by " +
           (it->second.first < 0 ? std::string("the final drain")
                                 : opName(it->second.first, it->second.second)));
  }

  void drained(int c) {  // R8, and R1, R3, R4 for the drained values
    std::string at = "final drain of " + chName(c) + ": ";
    if (h_.leftBad[c]) fail(at + "a value with a damaged payload");
    if (h_.leftLen[c] > p_.cap[c])
      fail(at + std::to_string(h_.leftLen[c]) + " values in a channel of capacity " +
           std::to_string(p_.cap[c]));
    for (int i = 0; i < h_.leftLen[c]; i++) value(at, h_.left[c][i], c, -1, i);
  }

  // R2, R3: the values sent on a channel and seen nowhere are exactly as
  // many as the receives there that dropped their value.
  void everySentReceived() {
    std::vector<std::string> unseen[kMaxC];
    for (int g = 0; g < p_.ng; g++)
      for (int k = 0; k < h_.nev[g]; k++)
        for (int c = 0; c < kMaxCases; c++) {
          TagRef r{g, k, c};
          if (sendChan(p_, r) >= 0 && sent(p_, h_, r) && !receivedBy_.count(tagOf(g, k, c)))
            unseen[sendChan(p_, r)].push_back(opName(g, k) + ": sent " + tagText(tagOf(g, k, c)) + " on " +
                                              chName(sendChan(p_, r)));
        }
    for (int c = 0; c < p_.nc; c++) {
      int n = int(unseen[c].size());
      if (n > blindOk_[c]) {
        for (const std::string& u : unseen[c])
          fail(u + ", which nobody received and the channel does not hold" +
               (blindOk_[c] ? " (or one of " + std::to_string(blindOk_[c]) + " receives that drop the value)" : ""));
      } else if (n < blindOk_[c]) {
        fail(chName(c) + ": " + std::to_string(blindOk_[c]) + " receives that drop the value got one, but only " +
             std::to_string(n) + " sent values are unaccounted for");
      }
    }
  }

  void closes() {  // R6: one close per channel succeeds at most
    int n[kMaxC] = {};
    for (int g = 0; g < p_.ng; g++)
      for (int k = 0; k < h_.nev[g]; k++)
        if (p_.ops[g][k].kind == Kind::Close && p_.ops[g][k].ch >= 0 && h_.ev[g][k].panic == Panic::None)
          n[p_.ops[g][k].ch]++;
    if (h_.quiesced)
      for (int c = 0; c < p_.nc; c++) n[c] += h_.hclose[c].panic == Panic::None;
    for (int c = 0; c < p_.nc; c++)
      if (n[c] > 1) fail(chName(c) + " was closed " + std::to_string(n[c]) + " times without a panic");
  }

  // R9: at quiescence, no parked goroutine could have gone on: not with
  // the buffers and closed flags as they were, nor with another parked
  // goroutine as its partner on an unbuffered channel.
  void parked() {
    Want w[kMaxG];
    for (int g = 0; g < p_.ng; g++)
      if (h_.blocked[g] >= 0) w[g] = wants(p_.ops[g][h_.blocked[g]]);
    for (int g = 0; g < p_.ng; g++) {
      int k = h_.blocked[g];
      if (k < 0) continue;
      const Op& op = p_.ops[g][k];
      std::string at = opName(g, k) + " (" + formatOp(op) + ") parked";
      bool blocking = op.kind == Kind::Send || op.kind == Kind::Recv || op.kind == Kind::Recv2 ||
                      (op.kind == Kind::Select && !op.dflt);
      if (!blocking) {
        fail(at + ", but this operation never blocks");
        continue;
      }
      if (runtime::waitReason(h_.waitreason[g]) != parkedReason(op))
        fail(at + " with wait reason \"" + runtime::String(runtime::waitReason(h_.waitreason[g])) +
             "\", expected \"" + runtime::String(parkedReason(op)) + "\"");
      for (int c = 0; c < p_.nc; c++) {
        bool partnerRecv = false, partnerSend = false;
        for (int x = 0; x < p_.ng; x++)
          if (x != g && h_.blocked[x] >= 0) {
            partnerRecv |= w[x].recv[c];
            partnerSend |= w[x].send[c];
          }
        auto why = [&](const char* dir, const char* reason) {
          fail(at + " though its " + dir + " on " + chName(c) + " could proceed: " + reason);
        };
        bool closed = h_.snapClosed[c];
        int len = h_.snapLen[c], cap = p_.cap[c];
        if (w[g].send[c]) {
          if (closed)
            why("send", "the channel is closed");
          else if (cap > 0 && len < cap)
            why("send", "the buffer has room");
          else if (cap == 0 && partnerRecv)
            why("send", "another goroutine is parked receiving");
        }
        if (w[g].recv[c]) {
          if (closed)
            why("receive", "the channel is closed");
          else if (len > 0)
            why("receive", "the buffer holds values");
          else if (cap == 0 && partnerSend)
            why("receive", "another goroutine is parked sending");
        }
      }
    }
    for (int c = 0; c < p_.nc; c++)
      if (h_.snapLen[c] > p_.cap[c])
        fail(chName(c) + " held " + std::to_string(h_.snapLen[c]) + " values at quiescence");
  }

  const Program& p_;
  const History& h_;
  std::unordered_map<uint64_t, std::pair<int, int>> receivedBy_;  // value -> receiver (g, k); g -1: drain
  int blindOk_[kMaxC] = {};  // receives that took a value and dropped it
};

// --- R10: the linearization search -----------------------------------------

/// The channels' state and how far each goroutine has got. Program
/// goroutines are 0..ng-1; after quiescence the harness is goroutine ng,
/// whose operation 0 is the snapshot and 1 + c its close of channel c.
struct State {
  uint8_t pc[kMaxG + 1];
  uint8_t closed;  // bit c: channel c is closed
  uint8_t pad;     // keeps the struct free of implicit padding (hashed bytes)
  uint8_t len[kMaxC];
  uint16_t buf[kMaxC][kMaxCap];  // values (tags), head first
  bool operator==(const State&) const = default;
};
static_assert(sizeof(State) == 12 + 2 * kMaxC * kMaxCap, "State must have no implicit padding");

/// FNV-1a over an object's bytes: for the state structs below, which have
/// no implicit padding.
struct BytesHash {
  template <class S>
  size_t operator()(const S& s) const {
    uint64_t x = 1469598103934665603ull;
    const auto* b = reinterpret_cast<const uint8_t*>(&s);
    for (size_t i = 0; i < sizeof s; i++) x = (x ^ b[i]) * 1099511628211ull;
    return size_t(x);
  }
};

/// no: a step that cannot be taken; why (if wanted) says why. The text is
/// built only when asked for: the search asks only to explain a failure.
template <class F>
bool no(std::string* why, F text) {
  if (why) *why = text();
  return false;
}

class Search {
 public:
  Search(const Program& p, const History& h) : p_(p), h_(h) {
    n_ = p.ng;
    for (int g = 0; g < p.ng; g++) {
      end_[g] = h.nev[g];
      for (int k = 0; k < h.nev[g]; k++) {
        before_[g][k] = h.ev[g][k].before;
        after_[g][k] = h.ev[g][k].after;
        const Op& op = p.ops[g][k];
        int ch = recvChan(op, h.ev[g][k]);
        if (ch >= 0 && h.ev[g][k].ok && !blindRecv(op, h.ev[g][k])) recvAt_[h.ev[g][k].val] = {g, k};
      }
    }
    if (h.quiesced) {
      // A goroutine parked at tq had not taken effect by then (R9).
      for (int g = 0; g < p.ng; g++)
        if (h.blocked[g] >= 0) before_[g][h.blocked[g]] = std::max(before_[g][h.blocked[g]], h.tq);
      harness_ = n_++;
      end_[harness_] = 1 + p.nc;
      before_[harness_][0] = after_[harness_][0] = h.tq;
      for (int c = 0; c < p.nc; c++) {
        before_[harness_][1 + c] = h.hclose[c].before;
        after_[harness_][1 + c] = h.hclose[c].after;
      }
    }
    // A goroutine's operations end in order, so its next one ends first;
    // the minimum keeps the test right even for times that do not.
    for (int g = 0; g < n_; g++)
      for (int k = end_[g] - 1; k >= 0; k--)
        minAfter_[g][k] = k + 1 < end_[g] ? std::min(after_[g][k], minAfter_[g][k + 1]) : after_[g][k];
  }

  /// Is there an order of all operations that Go's rules allow and that
  /// ends with the drained values?
  bool run() {
    State s{};
    return dfs(s);
  }
  bool exhausted() const { return exhausted_; }
  size_t states() const { return seen_.size(); }

  /// Why the search stopped: the furthest state it reached and, for each
  /// goroutine not done there, why its next operation could not be next.
  std::string explain() {
    std::string s = "furthest state reached (" + std::to_string(deepestDone_) + " operations placed):\n";
    const State& d = deepest_;
    for (int c = 0; c < p_.nc; c++) {
      s += "  " + chName(c) + ((d.closed >> c) & 1 ? " closed [" : " open [");
      for (int i = 0; i < d.len[c]; i++) s += (i ? " " : "") + tagText(d.buf[c][i]);
      s += "]\n";
    }
    for (int g = 0; g < n_; g++) {
      if (d.pc[g] >= end_[g]) continue;
      State t;
      std::string why;
      alt_ = 0;
      step(d, g, t, &why);
      s += "  " + (g == harness_ ? "harness.op" + std::to_string(d.pc[g]) : opName(g, d.pc[g])) +
           " next: " + why + "\n";
    }
    return s;
  }

 private:
  bool closedIn(const State& s, int c) const { return (s.closed >> c) & 1; }

  /// Real time: g's next operation may be placed now, ahead of every
  /// operation not placed yet, unless one of those ended (by more than the
  /// slack) before it began. minAfter_ makes that one test per goroutine.
  bool inTime(const State& s, int g, std::string* why) const {
    int64_t b = before_[g][s.pc[g]];
    for (int x = 0; x < n_; x++)
      if (x != g && s.pc[x] < end_[x] && b > minAfter_[x][s.pc[x]] + kSlackNs) {
        if (why)
          *why = "began after " + (x == harness_ ? std::string("the harness's step") : opName(x, s.pc[x])) +
                 " had ended";
        return false;
      }
    return true;
  }

  bool doSend(const State& s, State& t, int g, int ch, uint64_t tag, std::string* why) const {
    if (ch < 0) return no(why, [&] { return std::string("a send on a nil channel cannot proceed"); });
    if (closedIn(s, ch))
      return no(why, [&] { return std::string(chName(ch) + " is closed, yet the send did not panic"); });
    int cap = p_.cap[ch];
    if (cap > 0) {
      if (s.len[ch] >= cap) return no(why, [&] { return std::string(chName(ch) + "'s buffer is full"); });
      t.buf[ch][t.len[ch]++] = uint16_t(tag);
      return true;
    }
    auto it = recvAt_.find(tag);
    if (it == recvAt_.end()) return handOffBlind(s, t, g, ch, why);
    int rg = it->second.first, rk = it->second.second;
    if (rg == g || s.pc[rg] != rk)
      return no(why,
                [&] { return std::string("its receiver " + opName(rg, rk) + " is not at that operation"); });
    if (!inTime(s, rg, why)) return false;
    t.pc[rg]++;
    return true;
  }

  /// An unbuffered send whose value no receive reports: its partner is one
  /// of the goroutines now at a receive that dropped its value; alt_ picks
  /// which, and nalts_ says how many there are.
  bool handOffBlind(const State& s, State& t, int g, int ch, std::string* why) const {
    int partner = -1, n = 0;
    for (int x = 0; x < p_.ng; x++) {
      if (x == g || s.pc[x] >= end_[x]) continue;
      const Op& op = p_.ops[x][s.pc[x]];
      const Outcome& o = h_.ev[x][s.pc[x]];
      if (blindRecv(op, o) && o.ok && op.cases[o.chosen].ch == ch && n++ == alt_) partner = x;
    }
    nalts_ = n > 0 ? n : 1;
    if (partner < 0)
      return no(why, [&] { return "nobody at a receive on the unbuffered " + chName(ch) + " took its value"; });
    if (!inTime(s, partner, why)) return false;
    t.pc[partner]++;
    return true;
  }

  bool doRecv(const State& s, State& t, int ch, bool ok, uint64_t val, bool blind, std::string* why) const {
    if (ch < 0) return no(why, [&] { return std::string("a receive on a nil channel cannot proceed"); });
    if (!ok) {
      if (closedIn(s, ch) && s.len[ch] == 0) return true;
      return no(why, [&] {
        return std::string("got !ok, but " + chName(ch) + " is " + (closedIn(s, ch) ? "not empty" : "open"));
      });
    }
    if (p_.cap[ch] == 0)
      return no(why, [&] { return std::string("waits for its sender (an unbuffered hand-off)"); });
    if (s.len[ch] == 0 || (!blind && s.buf[ch][0] != val))
      return no(why, [&] {
        return std::string("got " + tagText(val) + ", but " + chName(ch) + "'s head is " +
                           (s.len[ch] ? tagText(s.buf[ch][0]) : std::string("empty")));
      });
    t.len[ch]--;
    for (int i = 0; i < t.len[ch]; i++) t.buf[ch][i] = t.buf[ch][i + 1];
    t.buf[ch][t.len[ch]] = 0;
    return true;
  }

  /// A case is ready without a partner: the buffer or a close lets it go.
  bool readyAlone(const State& s, const Case& cs) const {
    if (cs.ch < 0) return false;
    if (closedIn(s, cs.ch)) return true;
    return cs.send ? s.len[cs.ch] < p_.cap[cs.ch] : s.len[cs.ch] > 0;
  }

  bool doSelect(const State& s, State& t, int g, int k, std::string* why) const {
    const Op& op = p_.ops[g][k];
    const Outcome& o = h_.ev[g][k];
    if (o.panic == Panic::SendClosed) {
      for (int i = 0; i < op.ncases; i++)
        if (op.cases[i].send && op.cases[i].ch >= 0 && closedIn(s, op.cases[i].ch)) return true;
      return no(why, [&] { return std::string("panicked, but none of its send cases' channels is closed"); });
    }
    if (o.chosen < 0) {
      for (int i = 0; i < op.ncases; i++)
        if (readyAlone(s, op.cases[i]))
          return no(why,
                    [&] { return std::string("took default, but case " + std::to_string(i) + " is ready"); });
      return true;
    }
    const Case& cs = op.cases[o.chosen];
    if (cs.send) return doSend(s, t, g, cs.ch, tagOf(g, k, o.chosen), why);
    return doRecv(s, t, cs.ch, o.ok, o.val, cs.blind, why);
  }

  bool doHarness(const State& s, State& t, std::string* why) const {
    int k = s.pc[harness_];
    if (k == 0) {  // the snapshot: every goroutine where it was, channels as read
      for (int g = 0; g < p_.ng; g++)
        if (s.pc[g] != (h_.blocked[g] >= 0 ? h_.blocked[g] : end_[g]))
          return no(why, [&] {
            return std::string("the snapshot needs " + opName(g, s.pc[g]) + " placed or not");
          });
      for (int c = 0; c < p_.nc; c++) {
        bool same = closedIn(s, c) == h_.snapClosed[c] && s.len[c] == h_.snapLen[c];
        for (int i = 0; same && i < s.len[c]; i++) same = s.buf[c][i] == h_.snapBuf[c][i];
        if (!same) return no(why, [&] { return std::string("the snapshot differs on " + chName(c)); });
      }
      return true;
    }
    int c = k - 1;
    if ((h_.hclose[c].panic == Panic::CloseClosed) != closedIn(s, c))
      return no(why, [&] {
        return std::string("its close of " + chName(c) + " did not match the channel's state");
      });
    t.closed |= uint8_t(1 << c);
    return true;
  }

  /// step: place goroutine g's next operation; t is the state after it.
  bool step(const State& s, int g, State& t, std::string* why) const {
    t = s;
    t.pc[g]++;
    if (!inTime(s, g, why)) return false;
    if (g == harness_) return doHarness(s, t, why);
    int k = s.pc[g];
    const Op& op = p_.ops[g][k];
    const Outcome& o = h_.ev[g][k];
    switch (op.kind) {
      case Kind::Yield: return true;
      case Kind::Len:
        if (o.len == s.len[op.ch]) return true;
        return no(why, [&] {
          return std::string("len was " + std::to_string(o.len) + ", the buffer holds " +
                             std::to_string(s.len[op.ch]));
        });
      case Kind::Close:
        if (op.ch < 0) return true;
        if ((o.panic == Panic::CloseClosed) != closedIn(s, op.ch))
          return no(why, [&] {
            return std::string(closedIn(s, op.ch) ? "closed twice without a panic"
                                                  : "panicked, but the channel is open");
          });
        t.closed |= uint8_t(1 << op.ch);
        return true;
      case Kind::Send:
        if (o.panic == Panic::SendClosed) {
          if (closedIn(s, op.ch)) return true;
          return no(why, [&] { return std::string("panicked, but " + chName(op.ch) + " is open"); });
        }
        return doSend(s, t, g, op.ch, tagOf(g, k, 0), why);
      case Kind::Recv:
      case Kind::Recv2: return doRecv(s, t, op.ch, o.ok, o.val, false, why);
      case Kind::Select: return doSelect(s, t, g, k, why);
    }
    return false;
  }

  bool goal(const State& s) const {
    for (int g = 0; g < n_; g++)
      if (s.pc[g] != end_[g]) return false;
    for (int c = 0; c < p_.nc; c++) {
      if (closedIn(s, c) != h_.finalClosed[c] || s.len[c] != h_.leftLen[c]) return false;
      for (int i = 0; i < s.len[c]; i++)
        if (s.buf[c][i] != h_.left[c][i]) return false;
    }
    return true;
  }

  bool dfs(const State& s) {
    if (goal(s)) return true;
    if (!seen_.insert(s).second) return false;
    if (seen_.size() > kSearchBudget) {
      exhausted_ = true;
      return false;
    }
    int done = 0;
    for (int g = 0; g < n_; g++) done += s.pc[g];
    if (done > deepestDone_) {
      deepestDone_ = done;
      deepest_ = s;
    }
    // Try first the goroutine whose next operation ended first: the run's
    // own order, as far as the clock can tell.
    int order[kMaxG + 1], m = 0;
    for (int g = 0; g < n_; g++)
      if (s.pc[g] < end_[g]) order[m++] = g;
    std::sort(order, order + m, [&](int x, int y) { return after_[x][s.pc[x]] < after_[y][s.pc[y]]; });
    for (int i = 0; i < m; i++) {
      for (int alt = 0, n = 1; alt < n; alt++) {
        State t;
        alt_ = alt;
        nalts_ = 1;
        bool took = step(s, order[i], t, nullptr);
        n = nalts_;
        if (took && dfs(t)) return true;
        if (exhausted_) return false;
      }
    }
    return false;
  }

  const Program& p_;
  const History& h_;
  int n_ = 0;
  int harness_ = -1;
  int end_[kMaxG + 1] = {};
  int64_t before_[kMaxG + 1][kMaxOpsPerG] = {};
  int64_t after_[kMaxG + 1][kMaxOpsPerG] = {};
  int64_t minAfter_[kMaxG + 1][kMaxOpsPerG] = {};             // min of after_[g][k..end)
  std::unordered_map<uint64_t, std::pair<int, int>> recvAt_;  // value -> (g, k) that received it
  std::unordered_set<State, BytesHash> seen_;
  bool exhausted_ = false;
  mutable int alt_ = 0, nalts_ = 1;  // see handOffBlind
  State deepest_{};
  int deepestDone_ = -1;
};

}  // namespace

Verdict check(const Program& p, const History& h) {
  Verdict v;
  Local local(p, h);
  local.run();
  if (!local.report.empty()) {
    v.ok = false;
    v.report = local.report;
    return v;
  }
  Search search(p, h);
  bool found = search.run();
  v.states = search.states();
  if (search.exhausted()) {
    v.inconclusive = true;
    return v;
  }
  if (!found) {
    v.ok = false;
    v.report =
        "no order of these operations that keeps each goroutine's order and real time "
        "(with " +
        std::to_string(kSlackNs / 1000) + " us of slack) is allowed by Go's channel rules\n" +
        search.explain();
  }
  return v;
}

// --- classify: every interleaving, no timing -----------------------------------

const char* deadlockName(Deadlock d) {
  switch (d) {
    case Deadlock::Never: return "never-deadlocks";
    case Deadlock::Must: return "must-deadlock";
    case Deadlock::May: return "may-deadlock";
    case Deadlock::Unknown: return "unknown";
  }
  return "?";
}

namespace {

/// An abstract state: values do not steer a program's control flow, so
/// the buffers are counted, not listed.
struct AState {
  uint8_t pc[kMaxG];
  uint8_t stopped;  // bit g: goroutine g panicked
  uint8_t closed;
  uint8_t len[kMaxC];
  bool operator==(const AState&) const = default;
};
static_assert(sizeof(AState) == kMaxG + 2 + kMaxC, "AState must have no implicit padding");

class Explorer {
 public:
  explicit Explorer(const Program& p) : p_(p) {}
  Deadlock run() {
    AState s{};
    visit(s);
    if (seen_.size() > kBudget) return Deadlock::Unknown;
    if (complete_ && deadlock_) return Deadlock::May;
    return deadlock_ ? Deadlock::Must : Deadlock::Never;
  }
  size_t states() const { return seen_.size(); }

 private:
  static constexpr size_t kBudget = 2000000;

  bool live(const AState& s, int g) const { return !((s.stopped >> g) & 1) && s.pc[g] < p_.nops[g]; }
  bool closedIn(const AState& s, int c) const { return (s.closed >> c) & 1; }

  /// Every way goroutine g's next operation can go on, without a partner.
  void alone(const AState& s, int g, std::vector<AState>& out) const {
    const Op& op = p_.ops[g][s.pc[g]];
    AState t = s;
    t.pc[g]++;
    AState stop = s;
    stop.stopped |= uint8_t(1 << g);
    auto sendCase = [&](int ch) {
      if (ch < 0) return;
      if (closedIn(s, ch)) {
        out.push_back(stop);
      } else if (s.len[ch] < p_.cap[ch]) {
        AState u = t;
        u.len[ch]++;
        out.push_back(u);
      }
    };
    auto recvCase = [&](int ch) {
      if (ch < 0) return;
      if (s.len[ch] > 0) {
        AState u = t;
        u.len[ch]--;
        out.push_back(u);
      } else if (closedIn(s, ch)) {
        out.push_back(t);
      }
    };
    switch (op.kind) {
      case Kind::Yield:
      case Kind::Len: out.push_back(t); break;
      case Kind::Close:
        if (op.ch < 0 || closedIn(s, op.ch)) {
          out.push_back(stop);
        } else {
          t.closed |= uint8_t(1 << op.ch);
          out.push_back(t);
        }
        break;
      case Kind::Send: sendCase(op.ch); break;
      case Kind::Recv:
      case Kind::Recv2: recvCase(op.ch); break;
      case Kind::Select: {
        size_t before = out.size();
        for (int i = 0; i < op.ncases; i++) {
          if (op.cases[i].send)
            sendCase(op.cases[i].ch);
          else
            recvCase(op.cases[i].ch);
        }
        // Default whenever no case is ready through its buffer or a close:
        // this may allow a default that Go would not take (a partner
        // parked on an unbuffered channel), never the reverse.
        if (op.dflt && out.size() == before) out.push_back(t);
        break;
      }
    }
  }

  /// Unbuffered hand-offs: g's next operation sends, x's receives, on one
  /// open channel of capacity 0.
  void handoffs(const AState& s, int g, std::vector<AState>& out) const {
    Want wg = wants(p_.ops[g][s.pc[g]]);
    for (int x = 0; x < p_.ng; x++) {
      if (x == g || !live(s, x)) continue;
      Want wx = wants(p_.ops[x][s.pc[x]]);
      for (int c = 0; c < p_.nc; c++)
        if (p_.cap[c] == 0 && !closedIn(s, c) && wg.send[c] && wx.recv[c]) {
          AState t = s;
          t.pc[g]++;
          t.pc[x]++;
          out.push_back(t);
        }
    }
  }

  void visit(const AState& s) {
    if (!seen_.insert(s).second || seen_.size() > kBudget) return;
    std::vector<AState> next;
    bool any = false;
    for (int g = 0; g < p_.ng; g++) {
      if (!live(s, g)) continue;
      any = true;
      alone(s, g, next);
      handoffs(s, g, next);
    }
    if (next.empty()) {
      (any ? deadlock_ : complete_) = true;
      return;
    }
    for (const AState& t : next) visit(t);
  }

  const Program& p_;
  std::unordered_set<AState, BytesHash> seen_;
  bool complete_ = false, deadlock_ = false;
};

}  // namespace

Deadlock classify(const Program& p, size_t* states) {
  Explorer e(p);
  Deadlock d = e.run();
  if (states) *states = e.states();
  return d;
}

}  // namespace fuzz
