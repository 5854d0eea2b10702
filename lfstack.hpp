// lfstack.hpp: a lock-free stack, mirroring lfstack.go at go1.22.12
// (functions in lfstack.cpp). The allocator keeps its free spanSetBlocks
// on one (mspanset.cpp); the collector's work buffers will use it too.
//
// The stack is intrusive: a node embeds an lfnode as its first member, and
// the head is one 64-bit word holding the top node's address and that node's
// push count (tagptr.hpp). Every push bumps the node's count, so a pop whose
// CAS was overtaken by a pop and a push of the same node fails instead of
// installing a stale next (the ABA problem).
//
// Invariants:
//   [lf-offheap]  nodes live outside the garbage-collected heap
//                 (persistentalloc, sysAlloc): the collector must never see
//                 the packed words as pointers, nor free a node a stale
//                 reader may still load next from (lfnodeValidate checks).
//   [lf-next]     lfnode.next is written and read atomically: a pop may load
//                 it from a node another thread has just popped and is
//                 pushing again; the CAS on the head then fails, but the
//                 load itself must not be a data race.
//
// Locks: none; push and pop are safe from any thread at any time.
#pragma once
#include "runtime2.hpp"

namespace runtime {

/// lfnode: the link of a node in an lfstack: the packed next word and the
/// count of pushes of this node. \gosrc{runtime2.go,lfnode}
struct lfnode {
  uint64 next;      // [lf-next]
  uintptr pushcnt;  // only the node's pusher writes it
};

/// lfstack: the head of a lock-free stack; zero is empty.
/// \gosrc{lfstack.go,lfstack}
struct lfstack {
  uint64 v;
  void push(lfnode* node);
  void* pop();
  bool empty();
};

void lfnodeValidate(lfnode* node);
uint64 lfstackPack(lfnode* node, uintptr cnt);
lfnode* lfstackUnpack(uint64 val);

}  // namespace runtime
