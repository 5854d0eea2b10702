// sema.hpp: the semaphore table and notify lists of sema.go (go1.22.12),
// shared by sema.cpp, the linkname entry points package sync calls, and
// tests/export_test.cpp (Go's export_test.go reaches semTable the same way).
#pragma once
#include "runtime2.hpp"

namespace runtime {

/// semaRoot: the waiters of every address that hashes to one table slot.
/// A treap (ordered by address, heap-ordered by sudog.ticket) holds one
/// sudog per distinct address; each of those heads a list, through
/// waitlink, of the further sudogs waiting on the same address, so waiting
/// on a hot address costs O(1) and finding an address costs O(log n).
/// \gosrc{sema.go,semaRoot}
struct semaRoot {
  mutex lock;             // protects treap and every sudog linked from it
  heapPtr<sudog> treap;   // root of the tree of distinct addresses (a global: stores carry the barrier)
  atomic::Uint32 nwait;   // waiters in this root; read without the lock

  void queue(uint32* addr, sudog* s, bool lifo);
  /// dequeue's three results (Go: found, now, tailtime).
  struct dequeueResult {
    sudog* found;
    int64 now;
    int64 tailtime;
  };
  dequeueResult dequeue(uint32* addr);
  void rotateLeft(sudog* x);
  void rotateRight(sudog* y);
};

/// semTabSize: a prime, so that table slots do not line up with strides in
/// the addresses programs use. \gosrc{sema.go,semTabSize}
inline constexpr uintptr semTabSize = 251;

/// cpu.CacheLinePadSize on amd64.
inline constexpr uintptr CacheLinePadSize = 64;

/// semTable: the fixed table of semaRoots, each alone on its cache line.
/// \gosrc{sema.go,semTable}
struct semTable {
  struct entry {
    semaRoot root;
    uint8 pad[CacheLinePadSize - sizeof(semaRoot)];
  };
  entry t[semTabSize];
  semaRoot* rootFor(uint32* addr);
};
static_assert(sizeof(semTable::entry) == CacheLinePadSize);

extern semTable semtable;

/// semaProfileFlags: which profiles a blocking acquire reports to.
/// \gosrc{sema.go,semaProfileFlags}
enum semaProfileFlags : int {
  semaBlockProfile = 1 << 0,
  semaMutexProfile = 1 << 1,
};

void semacquire(uint32* addr);
void semacquire1(uint32* addr, bool lifo, semaProfileFlags profile, int skipframes,
                 waitReason reason);
void semrelease(uint32* addr);
void semrelease1(uint32* addr, bool handoff, int skipframes);
bool cansemacquire(uint32* addr);

/// notifyList: the ticket-ordered wait list behind sync.Cond. sync declares a
/// struct of the same size and layout (sync/runtime2.go) and checks the size
/// once, through notifyListCheck. \gosrc{sema.go,notifyList}
struct notifyList {
  atomic::Uint32 wait;  // next ticket to hand out; taken without the lock
  uint32 notify;        // next ticket to wake; written under lock only
  mutex lock;           // protects notify's writes, head and tail
  heapPtr<sudog> head;  // parked waiters, in arrival order (stores carry the barrier:
  heapPtr<sudog> tail;  // a sync.Cond is a heap object)
};

}  // namespace runtime
