// fuzz_chan.cpp: a libFuzzer fuzzer that runs small random channel programs
// on gort's runtime and checks every run against a model of Go's channel
// rules. This header is the design; model.cpp implements the rules
// (numbered R1-R10 below), harness.cpp the runs, program.hpp the inputs.
//
// THE PROGRAMS
//
// An input decodes (program.hpp; any bytes make a program) into 2-5
// goroutines of straight-line operations on 1-4 channels of capacity 0-3:
// send, recv, recv2, close (of a channel or of nil), len, Gosched, and
// select with 1-4 cases (send, recv, recv2, and a receive that drops the
// value, `case _, ok = <-ch`; any case may be on a nil channel), with or
// without default, or with no cases and a default. A one-case select goes
// through the compiler's lowering (chansend1/chanrecv2, or
// selectnbsend/selectnbrecv with default) as in Go. The input also picks
// the element type (uint64; a 48-byte struct whose five extra words are
// derived from the first; a 40-character std::string, which the runtime
// must move with its constructor) and GOMAXPROCS (1-4). Every value sent is
// distinct and names its sender (goroutine, operation, case: tagOf), and
// none is the zero value, so a receive says where its value came from, and
// the zero value can only mean "closed".
//
// THE RUN (harness.cpp)
//
// libFuzzer's driver runs on the main goroutine (see "libFuzzer on a
// goroutine" below), and so does the harness: for each input it starts
// one goroutine per program goroutine and waits. Each operation is
// bracketed by two reads of CLOCK_MONOTONIC (the vDSO: no stores to shared
// memory, so no synchronization is added between goroutines) and its
// outcome recorded: the value received and ok, the case chosen, the len,
// the panic. A runtime::PanicError is recovered and ends its goroutine, as
// a deferred recover at the top of a Go goroutine would.
//
// Waiting without deadlocking the fuzzer. The runtime's checkdead throws
// "all goroutines are asleep - deadlock!" when no M is running Go code.
// The harness goroutine never parks: while the program runs it loops on
// Gosched (running program goroutines itself when they are runnable), so
// its M always counts as running and checkdead cannot fire inside the
// fuzzer. Each turn of the loop asks whether every program goroutine has
// finished, or whether those left are parked for good (quiescence):
//
//   Every goroutine adds 1 to a counter P after each operation returns and
//   before it starts the next. The harness reads P, then checks that every
//   unfinished goroutine's status is _Gwaiting with a channel wait reason,
//   then reads P again. If both reads agree, then at the second read every
//   unfinished goroutine was parked. Proof: suppose Y was seen parked but
//   is not parked at the second read. Only a completing channel operation
//   of another program goroutine W wakes Y (the harness does none while it
//   looks), after Y was seen; W adds to P once that operation returns and
//   parks only after that. If W's add came before the second read, P moved;
//   so W runs past the second read, and W was seen parked earlier, so W was
//   itself woken, after it was seen, by some W2 that also runs past the
//   second read; and so on. The wake times strictly decrease along this
//   chain and no goroutine can appear twice in it (each runs without
//   parking from its wake to past the second read), so the chain would
//   need infinitely many goroutines. (A sudog dequeued by a waker that has
//   not yet called goready belongs to a waker still running, covered by
//   the same argument.) Nobody else touches the channels, so goroutines
//   all parked at one instant stay parked forever.
//
// At quiescence the harness takes a snapshot (the operation each parked
// goroutine is in and its wait reason; each channel's closed flag and
// buffered values, read under the channel's lock), then closes every
// channel, timing each close and recovering "close of closed channel".
// Closing wakes every parked goroutine (receivers get zero and !ok,
// senders panic), since the inputs never block on a nil channel alone
// (program.hpp: fuzzable). After all goroutines finish, the harness drains
// each channel with non-blocking receives (selectnbrecv) and reads its
// closed flag. If goroutines are still parked after every channel was
// closed, or nothing moves for 20 s without quiescence, the run fails.
//
// THE RULES (model.cpp), checked on every run
//
//   R1  A received value was sent on that channel by an operation that
//       completed that send (the send returned; the select chose that
//       case). ok is true exactly when a value arrived; !ok comes with the
//       zero value.
//   R2  Nothing is lost: every completed send's value is received once, by
//       a goroutine or by the final drain. A receive case that drops its
//       value (`case _, ok = <-ch`) names none, so per channel the values
//       seen nowhere must be exactly as many as such receives with ok.
//   R3  Nothing is duplicated: no value is received twice (nor more
//       values dropped than were left to take, by the count above).
//   R4  A value arrives intact (the payload of the struct and the string).
//   R5  A select returns one of its cases or, only if it has one, default;
//       never a case on a nil channel; the cases it did not choose get no
//       value and no ok.
//   R6  Panics: only sends (plain, or a select with a live send case) may
//       panic, with "send on closed channel"; close(nil) always panics
//       "close of nil channel"; a close may only panic "close of closed
//       channel"; receives, len and Gosched never panic. At most one close
//       of each channel succeeds (the harness's included).
//   R7  0 <= len <= cap.
//   R8  The final drain finds at most cap values.
//   R9  Quiescence is a real deadlock: no parked goroutine could go on -
//       not with the snapshot's buffers and closed flags (a receiver on a
//       closed channel or a non-empty buffer, a sender on a closed channel
//       or a buffer with room) and not with another parked goroutine as its
//       partner on an unbuffered channel; each waits in an operation that
//       can block, with the wait reason Go shows for it ("chan receive",
//       "chan send", "select", their nil-chan forms).
//   R10 Linearizability: there is one order of all operations (the
//       program's and the harness's) that keeps each goroutine's order,
//       never puts an operation before one that returned more than kSlackNs
//       before it was called, passes through the snapshot's state between
//       the operations done before quiescence and the rest, ends in the
//       drained state, and in which every operation does what Go's rules
//       say it does in the state it finds: a buffered channel is a FIFO of
//       at most cap values; an unbuffered send and its receive happen
//       together as one step; close sets the flag (panics if set); a
//       receive on a closed, empty channel gives zero and !ok; a send on a
//       closed channel panics; len is the buffer's length; a select takes a
//       case that can go on, and default only if none can through its
//       buffer or a close. The search (a depth-first search over states,
//       memoized) tries every such order, guided by the clock.
//
// R10 subsumes most of the others (FIFO per sender and channel, no receive
// before the send, closed-channel semantics, "no value after closed and
// empty"); R1-R9 are checked first because their reports are clearer.
//
// WHY A LEGAL RUN IS NEVER REJECTED (soundness)
//
// R1-R8 hold for every Go execution by definition of the operations; R9 by
// the quiescence argument (all parked at one instant, nothing else to wake
// them) and Go's rules for when an operation blocks. For R10: each of
// gort's channel operations takes effect at one instant inside its call -
// under the channel's lock, or all of a select's channels' locks, or at
// the single atomic load of the lock-free fast paths (chan.go argues those
// are linearizable, and gort keeps Go's order of loads) - and an
// unbuffered hand-off takes effect for both sides at the instant the
// second party completes it. Order the operations by those instants. That
// order keeps each goroutine's order; it respects real time, since an
// operation that returned before another was called took effect first (if
// the clock is consistent across CPUs to within kSlackNs = 10 us, a wide
// margin: skews between CPUs' clocks are expected to be well under a
// microsecond, and a context switch between an operation and its clock
// read only widens the bracket); at each
// instant the operation does what Go's rules say for the state it finds,
// which is the state the model computes; the operations done before the
// snapshot come first (a parked operation takes effect only when woken,
// after the snapshot), so the order passes through the snapshot's state;
// and it ends in the drained state. Where the model's rules differ from
// Go's they allow more, never less: a hand-off to a receiver parked on a
// buffered channel is modeled as a send then a receive, and default is
// allowed whenever no case is ready through a buffer or a close. The
// search explores every order within these constraints, so it finds this
// one. It gives up after kSearchBudget states (counted as inconclusive,
// not as a failure; so far the largest search in a minute of fuzzing
// visits a few hundred).
//
// LIMITS (what the model cannot see)
//
//   - An unbuffered partner's readiness: the clock cannot show that a
//     goroutine was already parked (a call may start long before it parks),
//     so a select that takes default while a partner is parked on an
//     unbuffered channel, or such a non-blocking send or receive failing,
//     is accepted - except at quiescence, where R9 sees the parked set.
//   - Fairness: select's uniform choice among ready cases is not checked.
//   - Liveness short of quiescence: a goroutine runnable but never run is
//     only noticed after 20 s (the run fails as a hang).
//   - Real-time order only beyond kSlackNs; closer races are judged by
//     program order and values alone.
//   - The memory model beyond the values carried (a write before a send
//     visible after the receive) is not checked.
//   - Zero-size elements (chan struct{}) cannot carry tags and are not
//     fuzzed; nor are loops, range, goroutines started by the program,
//     Goexit, more than 5 goroutines, 4 channels, capacity 3 or 12
//     operations per goroutine.
//   - Operations that only a nil channel could block (send nil, select of
//     nil cases only) cannot be fuzzed (nothing could wake them); the
//     deadlock programs below cover them.
//
// DEADLOCK DETECTION PROPER (ctest fuzz_deadlock, deadlock.sh)
//
// Inside the fuzzer checkdead cannot fire, by design. The runtime's own
// detection is tested by programs in tests/fuzz/deadlock/: must/ programs
// deadlock in every interleaving, never/ programs in none, as classify
// (model.cpp) proves by exploring every interleaving; each runs as its own
// Go program (fuzz_chan_run run: goroutine 0 on the main goroutine, a
// WaitGroup for the rest, nothing watching) at GOMAXPROCS 1, 2 and 4, and
// must end with exit status 2 and "fatal error: all goroutines are asleep
// - deadlock!", or finish with status 0 without it.
//
// LIBFUZZER ON A GOROUTINE
//
// Channel operations need a goroutine, and the runtime must boot first, so
// main() hands fuzzMain to rt0_go and fuzzMain calls LLVMFuzzerRunDriver
// (libclang_rt.fuzzer_no_main) on the main goroutine. Measured:
//   - Stack: libFuzzer is not built with -fsplit-stack, so its frames are
//     not checked against the goroutine's 32 KiB stack. It needs little:
//     fuzzMain paints the stack and reports at exit how much was used
//     (13 to 16 KiB, in runs of up to ten minutes). Below that, a kernel guard page (Linux 6.13+,
//     MADV_GUARD_INSTALL) turns an overflow into "fatal error: stack
//     overflow". Running the driver on a locked OS thread would not help:
//     the stack is still the goroutine's.
//   - Preemption: sysmon's requests are honoured at the next split-stack
//     prologue, i.e. when libFuzzer calls back into gort code.
//   - Signals: gort installs SA_SIGINFO handlers for SIGSEGV, SIGBUS,
//     SIGFPE, SIGILL and SIGQUIT before the driver starts, and libFuzzer
//     leaves such handlers in place; it adds its own for SIGABRT, SIGINT,
//     SIGALRM (-timeout) and the rest. A model violation prints its report
//     and calls abort(), so libFuzzer writes the crash-* file as usual.
//   - A fatal error in the runtime ends the process with _exit(2) (or, with
//     GOTRACEBACK=crash, abort() after restoring SIGABRT's default action),
//     so libFuzzer cannot save the input. With FUZZ_CHAN_LAST_INPUT=path,
//     the input being run is kept in a shared mapping of that file, which
//     survives any death; fuzz.sh prints it as a program.
//   - Sanitizers: none by default (the runtime's stack switches are not
//     annotated for them yet); -DGORT_FUZZ_SANITIZE=address is the switch
//     for later (see cmake/fuzz.cmake for why it does not link yet).
//
// Run it longer by hand: see "Fuzzing" in README.md.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "proc.hpp"
#include "runtime.hpp"
#include "target.hpp"

extern "C" int LLVMFuzzerRunDriver(int* argc, char*** argv, int (*cb)(const uint8_t* data, size_t size));

namespace {

int gArgc;
char** gArgv;
fuzz::Stats stats;

// --- The driver's stack -------------------------------------------------------

constexpr uint64_t kPaint = 0x5a17c0de5a17c0deull;
uintptr_t paintLo, paintHi;  // the painted part of the main goroutine's stack

/// paintStack fills the unused part of the main goroutine's stack below the
/// caller's frame with a pattern, so that stackUse can tell how deep it went.
NOINLINE void paintStack() {
  runtime::g* gp = runtime::getg();
  paintLo = gp->stack_.lo + 4096;  // above the guard page
  paintHi = (reinterpret_cast<uintptr_t>(__builtin_frame_address(0)) - 4096) & ~uintptr_t(7);
  for (uintptr_t a = paintLo; a < paintHi; a += 8) *reinterpret_cast<volatile uint64_t*>(a) = kPaint;
}

/// stackUse: bytes of the main goroutine's stack used so far (the highest
/// overwritten word of the paint, from the stack's top).
size_t stackUse() {
  uintptr_t a = paintLo;
  while (a < paintHi && *reinterpret_cast<volatile uint64_t*>(a) == kPaint) a += 8;
  return size_t(runtime::getg()->stack_.hi - a);
}

void atExit() {
  fuzz::printStats("fuzz_chan", stats);
  std::fprintf(stderr, "fuzz_chan: the main goroutine's stack: %zu of %zu KiB used\n", stackUse() >> 10,
               size_t(runtime::getg()->stack_.hi - runtime::getg()->stack_.lo) >> 10);
}

// --- The input being run, kept where a dying process cannot lose it ----------

/// The file FUZZ_CHAN_LAST_INPUT names (%p in it: the process id) holds the
/// input being run: a 4-byte length, then the bytes. It is a shared mapping, so the kernel keeps what
/// was written even if the process dies at once, as it does on a fatal
/// error in the runtime (exit 2 without returning to libFuzzer).
struct LastInput {
  uint32_t size;
  uint8_t data[4096 - sizeof(uint32_t)];
};
LastInput* lastInput;

void mapLastInput() {
  const char* env = std::getenv("FUZZ_CHAN_LAST_INPUT");
  if (env == nullptr || *env == 0) return;
  // %p: the process id, for -jobs and -fork, whose workers share the setting.
  std::string path = env;
  if (size_t at = path.find("%p"); at != std::string::npos) path.replace(at, 2, std::to_string(getpid()));
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || ftruncate(fd, sizeof(LastInput)) != 0) {
    std::perror(path.c_str());
    std::_Exit(1);
  }
  void* m = mmap(nullptr, sizeof(LastInput), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (m == MAP_FAILED) {
    std::perror("mmap");
    std::_Exit(1);
  }
  lastInput = static_cast<LastInput*>(m);
}

int testOneInput(const uint8_t* data, size_t size) {
  if (lastInput != nullptr) {
    size_t n = size < sizeof lastInput->data ? size : sizeof lastInput->data;
    std::memcpy(lastInput->data, data, n);
    lastInput->size = uint32_t(n);
  }
  fuzz::Program p;
  if (!fuzz::decode(data, size, p)) return 0;
  if (!fuzz::runOne(p, stats, true)) std::abort();
  return 0;
}

void fuzzMain() {
  paintStack();
  mapLastInput();
  std::atexit(atExit);
  int rc = LLVMFuzzerRunDriver(&gArgc, &gArgv, testOneInput);
  std::fflush(nullptr);
  std::_Exit(rc);
}

}  // namespace

int main(int argc, char** argv) {
  gArgc = argc;
  gArgv = argv;
  runtime::rt0_go(argc, argv, fuzzMain);
}
