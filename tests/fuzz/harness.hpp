// harness.hpp: runs a Program on gort's runtime and records what happened,
// for the model (model.hpp) to judge. See fuzz_chan.cpp for the design.
#pragma once
#include <cstdint>
#include <string>

#include "program.hpp"

namespace fuzz {

/// The panics a channel operation may raise, from PanicError's message.
enum class Panic : uint8_t { None, SendClosed, CloseClosed, CloseNil, Other };
const char* panicText(Panic p);

/// What one operation did. Times are CLOCK_MONOTONIC nanoseconds read just
/// before the operation was called and just after it returned.
struct Outcome {
  int64_t before = 0, after = 0;
  uint64_t val = 0;         // receives: the value's tag (0: the zero value)
  int16_t len = -1;         // len: the result
  int8_t chosen = 0;        // select: the case, -1 for default
  bool ok = false;          // receives: a value arrived (recv, `recv` cases: val != 0)
  bool badPayload = false;  // the value's payload does not match its tag
  bool stray = false;       // select: a case it did not choose got a value or ok
  Panic panic = Panic::None;
  char what[48] = {};  // Panic::Other: the message
};

/// The most values the final drain takes from one channel (more than the
/// capacity is itself a violation; the drain stops here).
inline constexpr int kMaxDrain = 8;

/// Everything the model is told about a run.
struct History {
  int64_t t0 = 0;       // when the goroutines were started
  int nev[kMaxG] = {};  // operations each goroutine attempted
  Outcome ev[kMaxG][kMaxOpsPerG];

  // Quiescence: every unfinished goroutine was parked in a channel
  // operation at time tq (see fuzz_chan.cpp); the snapshot was taken then.
  bool quiesced = false;
  int64_t tq = 0;
  int blocked[kMaxG] = {};         // the operation parked in, or -1
  uint8_t waitreason[kMaxG] = {};  // runtime::waitReason of a parked goroutine
  bool snapClosed[kMaxC] = {};
  int snapLen[kMaxC] = {};
  uint64_t snapBuf[kMaxC][kMaxCap] = {};  // buffered values, head first
  Outcome hclose[kMaxC];                  // the harness's close of each channel

  // After every goroutine finished: each channel's closed flag and the
  // values the harness drained from it with non-blocking receives.
  bool finalClosed[kMaxC] = {};
  int leftLen[kMaxC] = {};
  uint64_t left[kMaxC][kMaxDrain] = {};
  bool leftBad[kMaxC] = {};  // a drained value's payload was wrong
};

/// execute runs p on gort, from a goroutine, and fills h: starts one
/// goroutine per program goroutine, waits for them, and when all that are
/// left are parked for good, closes every channel to wake them. Returns
/// false (with why) when the run could not be completed: goroutines still
/// parked after every channel was closed, or no progress for too long. Sets
/// GOMAXPROCS to p.procs first if setProcs and p.procs != 0.
bool execute(const Program& p, History& h, bool setProcs, std::string& why);

/// runMain runs p the way a Go program would: goroutine 0 on the calling
/// (main) goroutine, the others started with go, then waits for them with a
/// sync.WaitGroup. Nothing watches for deadlock: if the goroutines block
/// for good, the runtime's checkdead must report it. Fills h if it returns.
void runMain(const Program& p, History& h);

/// describe: the program, every outcome and the snapshots, as text.
std::string describe(const Program& p, const History& h);

}  // namespace fuzz
