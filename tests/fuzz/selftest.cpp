// selftest.cpp: `fuzz_chan_run selftest`, the model's own test. A model
// that accepts everything would let the fuzzer pass whatever the runtime
// does, so this shows that it rejects runs that break each rule:
//
//   1. Real runs of random programs, each accepted, then changed in ways
//      that break a rule for certain (a value received twice, lost, made
//      up, received out of FIFO order or before it was sent, a receive that
//      drops its value claiming one too many or too few, a len above the
//      capacity, a parked goroutine that could have gone on, a drained
//      value duplicated or dropped): every change must be rejected.
//   2. Hand-written runs for the rules the changes above cannot reach (a
//      default taken while a case was ready, a send that succeeded after a
//      close had finished, ...), each next to a legal twin that must pass.
#include "selftest.hpp"

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "harness.hpp"
#include "model.hpp"
#include "program.hpp"
#include "runtime2.hpp"

namespace fuzz {

namespace {

int failures = 0;

void expect(bool cond, const std::string& what) {
  if (!cond) {
    failures++;
    std::fprintf(stderr, "selftest: FAIL: %s\n", what.c_str());
  }
}

/// A small deterministic generator (xorshift64*), for the random programs.
struct Rand {
  uint64_t s = 0x9e3779b97f4a7c15ull;
  uint64_t next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 0x2545f4914f6cdd1dull;
  }
  int below(int n) { return int(next() % uint64_t(n)); }
};

struct RecvAt {
  int g, k;
};

/// The operations of a run that received a value and kept it.
std::vector<RecvAt> receives(const Program& p, const History& h) {
  std::vector<RecvAt> r;
  for (int g = 0; g < p.ng; g++)
    for (int k = 0; k < h.nev[g]; k++) {
      const Op& op = p.ops[g][k];
      const Outcome& o = h.ev[g][k];
      bool recv = op.kind == Kind::Recv || op.kind == Kind::Recv2 ||
                  (op.kind == Kind::Select && o.chosen >= 0 && !op.cases[o.chosen].send &&
                   !op.cases[o.chosen].blind);
      if (recv && o.panic == Panic::None && o.ok) r.push_back({g, k});
    }
  return r;
}

/// One way to break a run: returns false if it does not apply to h.
struct Mutation {
  const char* name;
  std::function<bool(const Program&, History&, Rand&)> apply;
  int applied = 0, rejected = 0;
};

std::vector<Mutation> mutations() {
  std::vector<Mutation> m;
  m.push_back({"a value received twice", [](const Program& p, History& h, Rand& r) {
                 auto rs = receives(p, h);
                 if (rs.size() < 2) return false;
                 RecvAt a = rs[size_t(r.below(int(rs.size())))], b = rs[size_t(r.below(int(rs.size())))];
                 if (h.ev[a.g][a.k].val == h.ev[b.g][b.k].val) return false;
                 h.ev[b.g][b.k].val = h.ev[a.g][a.k].val;
                 return true;
               }});
  m.push_back({"a value lost", [](const Program& p, History& h, Rand& r) {
                 auto rs = receives(p, h);
                 if (rs.empty()) return false;
                 RecvAt a = rs[size_t(r.below(int(rs.size())))];
                 h.ev[a.g][a.k].val = 0;
                 h.ev[a.g][a.k].ok = false;
                 return true;
               }});
  m.push_back({"a value nobody sent", [](const Program& p, History& h, Rand& r) {
                 auto rs = receives(p, h);
                 if (rs.empty()) return false;
                 RecvAt a = rs[size_t(r.below(int(rs.size())))];
                 h.ev[a.g][a.k].val = tagOf(a.g, a.k, 7);
                 return true;
               }});
  m.push_back({"one sender's values out of order", [](const Program& p, History& h, Rand&) {
                 auto rs = receives(p, h);
                 for (size_t i = 0; i < rs.size(); i++)
                   for (size_t j = i + 1; j < rs.size(); j++) {
                     Outcome& x = h.ev[rs[i].g][rs[i].k];
                     Outcome& y = h.ev[rs[j].g][rs[j].k];
                     TagRef a, b;
                     if (rs[i].g != rs[j].g || !untag(p, x.val, a) || !untag(p, y.val, b)) continue;
                     if (a.g != b.g || sendChan(p, a) != sendChan(p, b)) continue;
                     std::swap(x.val, y.val);
                     return true;
                   }
                 return false;
               }});
  m.push_back({"a value received before it was sent", [](const Program& p, History& h, Rand& r) {
                 auto rs = receives(p, h);
                 if (rs.empty()) return false;
                 RecvAt a = rs[size_t(r.below(int(rs.size())))];
                 Outcome& o = h.ev[a.g][a.k];
                 TagRef s;
                 // Within one goroutine, program order alone places the send first.
                 if (!untag(p, o.val, s) || s.g == a.g) return false;
                 o.after = h.ev[s.g][s.k].before - 2 * kSlackNs - 5;
                 o.before = o.after - 1;
                 return true;
               }});
  m.push_back({"a dropped value that was not there", [](const Program& p, History& h, Rand&) {
                 for (int g = 0; g < p.ng; g++)
                   for (int k = 0; k < h.nev[g]; k++) {
                     const Op& op = p.ops[g][k];
                     Outcome& o = h.ev[g][k];
                     if (op.kind == Kind::Select && o.panic == Panic::None && o.chosen >= 0 &&
                         op.cases[o.chosen].blind) {
                       o.ok = !o.ok;  // one value more, or less, than were sent
                       return true;
                     }
                   }
                 return false;
               }});
  m.push_back({"len above the capacity", [](const Program& p, History& h, Rand&) {
                 for (int g = 0; g < p.ng; g++)
                   for (int k = 0; k < h.nev[g]; k++)
                     if (p.ops[g][k].kind == Kind::Len) {
                       h.ev[g][k].len = int16_t(p.cap[p.ops[g][k].ch] + 1);
                       return true;
                     }
                 return false;
               }});
  m.push_back({"parked though its channel was closed", [](const Program& p, History& h, Rand&) {
                 if (!h.quiesced) return false;
                 for (int g = 0; g < p.ng; g++) {
                   if (h.blocked[g] < 0) continue;
                   const Op& op = p.ops[g][h.blocked[g]];
                   int ch = op.kind == Kind::Select ? op.cases[0].ch : op.ch;
                   if (ch < 0 || h.snapClosed[ch]) continue;
                   h.snapClosed[ch] = true;
                   return true;
                 }
                 return false;
               }});
  m.push_back({"a drained value twice", [](const Program& p, History& h, Rand&) {
                 for (int c = 0; c < p.nc; c++)
                   if (h.leftLen[c] > 0 && h.leftLen[c] < kMaxDrain) {
                     h.left[c][h.leftLen[c]] = h.left[c][h.leftLen[c] - 1];
                     h.leftLen[c]++;
                     return true;
                   }
                 return false;
               }});
  m.push_back({"a drained value dropped", [](const Program& p, History& h, Rand&) {
                 for (int c = 0; c < p.nc; c++)
                   if (h.leftLen[c] > 0) {
                     h.leftLen[c]--;
                     return true;
                   }
                 return false;
               }});
  return m;
}

void mutationTests() {
  Rand r;
  std::vector<Mutation> ms = mutations();
  static History h, bad;
  int runs = 0, quiesced = 0;
  for (int i = 0; i < 1500; i++) {
    uint8_t bytes[40];
    int n = 4 + r.below(int(sizeof bytes) - 4);
    for (int j = 0; j < n; j++) bytes[j] = uint8_t(r.next());
    Program p;
    decode(bytes, size_t(n), p);
    std::string why;
    if (!execute(p, h, true, why)) {
      expect(false, "run did not finish: " + why + "\n" + describe(p, h));
      continue;
    }
    runs++;
    quiesced += h.quiesced;
    Verdict v = check(p, h);
    expect(v.ok, "a real run was rejected:\n" + describe(p, h) + v.report);
    if (!v.ok) continue;
    for (Mutation& m : ms) {
      bad = h;
      if (!m.apply(p, bad, r)) continue;
      m.applied++;
      Verdict w = check(p, bad);
      if (!w.ok) {
        m.rejected++;
      } else {
        expect(false, std::string("accepted a run with ") + m.name + ":\n" + describe(p, bad));
      }
    }
  }
  std::printf("selftest: %d random runs accepted (%d ended parked for good)\n", runs, quiesced);
  for (const Mutation& m : ms) {
    std::printf("selftest: %-40s rejected %d of %d\n", m.name, m.rejected, m.applied);
    expect(m.applied >= 10, std::string("too few runs to break with ") + m.name);
  }
}

// --- Hand-written runs ------------------------------------------------------

Program parse(const char* text) {
  Program p;
  std::string err;
  if (!parseText(text, p, err)) std::fprintf(stderr, "selftest: bad program: %s\n", err.c_str());
  return p;
}

/// An outcome that took [before, after] us.
Outcome at(int64_t before, int64_t after) {
  Outcome o;
  o.before = before * 1000;
  o.after = after * 1000;
  return o;
}
Outcome got(Outcome o, uint64_t tag) {
  o.val = tag;
  o.ok = tag != 0;
  return o;
}
Outcome chose(Outcome o, int c) {
  o.chosen = int8_t(c);
  return o;
}
Outcome panicked(Outcome o, Panic p) {
  o.panic = p;
  return o;
}

void add(History& h, int g, Outcome o) { h.ev[g][h.nev[g]++] = o; }

/// judge: the model's verdict on h must be `legal`; a rejection must say
/// `reason`.
void judge(const char* name, const char* text, const History& h, bool legal, const char* reason) {
  Program p = parse(text);
  Verdict v = check(p, h);
  bool right = v.ok == legal && (legal || v.report.find(reason) != std::string::npos);
  std::printf("selftest: %-58s %s\n", name, v.ok ? "accepted" : "rejected");
  expect(right, std::string(name) + ": expected " +
                    (legal ? "acceptance" : std::string("rejection for \"") + reason + "\"") + "\n" +
                    describe(p, h) + v.report);
}

void handWritten() {
  const char* defaultProg = "chans 1\ngo\n  send c0\n  select recv c0 default\n  recv c0\n";
  {
    History h;  // default although the buffer held the value just sent
    add(h, 0, at(0, 1));
    add(h, 0, chose(at(2, 3), -1));
    add(h, 0, got(at(4, 5), tagOf(0, 0, 0)));
    judge("select took default while a case was ready", defaultProg, h, false, "took default");
    History ok;  // the twin: the select took the value, the recv saw the close
    add(ok, 0, at(0, 1));
    add(ok, 0, got(chose(at(2, 3), 0), tagOf(0, 0, 0)));
    ok.quiesced = true;
    ok.tq = 10000;
    ok.blocked[0] = 2;
    ok.waitreason[0] = uint8_t(runtime::waitReasonChanReceive);
    ok.hclose[0] = at(11, 12);
    add(ok, 0, at(4, 13));
    ok.finalClosed[0] = true;
    judge("  twin: select took the value", defaultProg, ok, true, "");
  }
  const char* closeProg = "chans 1 0\ngo\n  close c0\ngo\n  send c0\n";
  {
    History h;  // a send succeeded 100 us after the close had returned
    add(h, 0, at(0, 10));
    add(h, 1, at(110, 111));
    h.finalClosed[0] = true;
    h.left[0][h.leftLen[0]++] = tagOf(1, 0, 0);
    judge("send succeeded after close returned", closeProg, h, false, "no order");
    History ok = h;  // the twin: the send and the close overlapped in time
    ok.ev[1][0] = at(5, 111);
    judge("  twin: send overlapping the close", closeProg, ok, true, "");
  }
  const char* drainProg = "chans 1\ngo\n  send c0\n  close c0\ngo\n  recv2 c0\n";
  {
    History h;  // !ok from a closed channel that still held a value
    add(h, 0, at(0, 1));
    add(h, 0, at(2, 3));
    add(h, 1, at(100, 101));
    h.finalClosed[0] = true;
    h.left[0][h.leftLen[0]++] = tagOf(0, 0, 0);
    judge("!ok while the closed channel held a value", drainProg, h, false, "no order");
    History ok;  // the twin: the receiver got the value
    add(ok, 0, at(0, 1));
    add(ok, 0, at(2, 3));
    add(ok, 1, got(at(100, 101), tagOf(0, 0, 0)));
    ok.finalClosed[0] = true;
    judge("  twin: the value, then the channel drained", drainProg, ok, true, "");
  }
  const char* handoffProg = "chans 0\ngo\n  send c0\ngo\n  recv c0\n";
  {
    History h;  // an unbuffered send that returned before its receiver began
    add(h, 0, at(0, 10));
    add(h, 1, got(at(100, 110), tagOf(0, 0, 0)));
    judge("unbuffered send done before the receive began", handoffProg, h, false, "no order");
    History ok;
    add(ok, 0, at(0, 105));
    add(ok, 1, got(at(100, 110), tagOf(0, 0, 0)));
    judge("  twin: send and receive overlapping", handoffProg, ok, true, "");
  }
  {
    History h;  // both parked on one unbuffered channel, facing each other
    h.quiesced = true;
    h.tq = 50000;
    h.blocked[0] = 0;
    h.waitreason[0] = uint8_t(runtime::waitReasonChanSend);
    h.blocked[1] = 0;
    h.waitreason[1] = uint8_t(runtime::waitReasonChanReceive);
    h.hclose[0] = at(51, 52);
    add(h, 0, panicked(at(0, 53), Panic::SendClosed));
    add(h, 1, at(0, 53));
    h.finalClosed[0] = true;
    judge("sender and receiver parked on one unbuffered channel", handoffProg, h, false, "parked sending");
    History w = h;
    w.waitreason[1] = uint8_t(runtime::waitReasonChanSend);
    judge("a receiver parked with the wait reason of a send", handoffProg, w, false, "wait reason");
  }
  const char* buffered = "chans 1\ngo\n  recv c0\ngo\n  send c0\n  len c0\n";
  {
    History h;  // a receiver parked while the buffer held a value
    h.quiesced = true;
    h.tq = 50000;
    h.blocked[0] = 0;
    h.waitreason[0] = uint8_t(runtime::waitReasonChanReceive);
    h.blocked[1] = -1;
    add(h, 1, at(0, 1));
    add(h, 1, [] {
      Outcome o = at(2, 3);
      o.len = 1;
      return o;
    }());
    h.snapLen[0] = 1;
    h.snapBuf[0][0] = tagOf(1, 0, 0);
    h.hclose[0] = at(51, 52);
    add(h, 0, got(at(0, 53), tagOf(1, 0, 0)));
    h.finalClosed[0] = true;
    judge("receiver parked while the buffer held a value", buffered, h, false, "buffer holds values");
    History l = h;  // len reporting 0 while the value sat in the buffer
    l.quiesced = false;
    l.finalClosed[0] = false;
    l.ev[1][1].len = 0;
    l.ev[0][0] = got(at(100, 101), tagOf(1, 0, 0));
    judge("len 0 while the only value sat in the buffer", buffered, l, false, "no order");
    History ok = l;
    ok.ev[1][1].len = 1;
    judge("  twin: len 1", buffered, ok, true, "");
  }
}

}  // namespace

int selftest() {
  mutationTests();
  handWritten();
  if (failures != 0) {
    std::printf("selftest: %d failures\n", failures);
    return 1;
  }
  std::printf("selftest: passed\n");
  return 0;
}

}  // namespace fuzz
