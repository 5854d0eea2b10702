// A port of cmd/link/internal/ld/testdata/stackcheck (go1.22.12): three
// chains of NOSPLIT frames that do not fit in the 792 bytes Go's linker
// allows, one per shape the report has to show:
//   startSelf   one frame too big by itself;
//   startChain  two chains below one root, both ending in the same big
//               frame, next to a short chain (chain1) that fits;
//   startRec    a cycle of NOSPLIT functions ("infinite cycle").
// Go's test expects the same text (stackcheck_test.go,
// TestStackCheckOutput); the byte counts are GCC 12's frames at -O2. The
// inner frames call sink() so that GCC keeps their arrays.
//
// gocheck-fixture: fail
// want: main.startSelf: nosplit stack over 792 byte limit
// want| main.startSelf<0>
// want|     grows 1016 bytes
// want|     224 bytes over limit
// want: main.startChain: nosplit stack over 792 byte limit
// want| main.startChain<0>
// want|     grows 32 bytes, calls main.chain0<0>
// want|         grows 48 bytes, calls main.chainEnd<0>
// want|             grows 1016 bytes
// want|             304 bytes over limit
// want|     grows 32 bytes, calls main.chain2<0>
// want|         grows 80 bytes, calls main.chainEnd<0>
// want|             grows 1016 bytes
// want|             336 bytes over limit
// want: main.startRec: nosplit stack over 792 byte limit
// want| main.startRec<0>
// want|     grows 16 bytes, calls main.startRec0<0>
// want|         grows 16 bytes, calls main.startRec<0>
// want|         infinite cycle
// count: nosplit.nosplit_functions = 8
// count: nosplit.functions = 9
#include "pragmas.hpp"

extern "C" void sink(volatile char*);

namespace main {

NOSPLIT NOINLINE void startSelf();
NOSPLIT NOINLINE void startChain();
NOSPLIT NOINLINE void chain0();
NOSPLIT NOINLINE void chain1();
NOSPLIT NOINLINE void chain2();
NOSPLIT NOINLINE void chainEnd();
NOSPLIT NOINLINE void startRec();
NOSPLIT NOINLINE void startRec0();

// The entry, splittable as in Go's test: it checks the stack itself.
NOINLINE void asmMain();

void asmMain() {
  startSelf();
  startChain();
  startRec();
}

void startSelf() {  // a leaf: its frame and red zone are all it uses
  volatile char b[1000];
  b[0] = 1;
}

void startChain() {
  volatile char b[16];
  sink(b);
  chain0();
  chain1();
  chain2();
}

void chain0() {
  volatile char b[32];
  sink(b);
  chainEnd();
}

void chain1() {  // fits
  volatile char b[48];
  b[0] = 1;
}

void chain2() {
  volatile char b[64];
  sink(b);
  chainEnd();
}

void chainEnd() {  // reported twice
  volatile char b[1000];
  b[0] = 1;
}

void startRec() {
  startRec0();
  sink(nullptr);
}

void startRec0() {
  startRec();
  sink(nullptr);
}

}  // namespace main
