// lfstack.cpp: the lock-free stack, mirroring lfstack.go at go1.22.12. See
// lfstack.hpp for the design, [lf-offheap] and [lf-next].
#include "lfstack.hpp"

#include "mheap.hpp"
#include "print.hpp"
#include "proc.hpp"
#include "tagptr.hpp"

namespace runtime {

/// push: node becomes the top. Its push count goes up first, so the word
/// that names it now differs from every earlier word that named it.
/// \gosrc{lfstack.go,lfstack.push}
void lfstack::push(lfnode* node) {
  node->pushcnt++;
  uint64 nw = lfstackPack(node, node->pushcnt);
  if (lfnode* node1 = lfstackUnpack(nw); node1 != node) {
    print("runtime: lfstack.push invalid packing: node=", node, " cnt=", hex(node->pushcnt),
          " packed=", hex(nw), " -> node=", node1, "\n");
    throw_("lfstack.push");
  }
  for (;;) {
    uint64 old = atomic::Load(&v);
    atomic::Store(&node->next, old);  // [lf-next]
    if (atomic::Cas(&v, old, nw)) break;
  }
}

/// pop: the top node, or nullptr when the stack is empty.
/// \gosrc{lfstack.go,lfstack.pop}
void* lfstack::pop() {
  for (;;) {
    uint64 old = atomic::Load(&v);
    if (old == 0) return nullptr;
    lfnode* node = lfstackUnpack(old);
    uint64 next = atomic::Load(&node->next);
    if (atomic::Cas(&v, old, next)) return node;
  }
}

/// empty: whether the stack holds no node (at the moment of the load).
/// \gosrc{lfstack.go,lfstack.empty}
bool lfstack::empty() { return atomic::Load(&v) == 0; }

/// lfnodeValidate: throw unless node may go on an lfstack: it must not be
/// a heap object ([lf-offheap]) and its address must survive the packing
/// ([tag-roundtrip]). Called once, when a node is allocated.
/// \gosrc{lfstack.go,lfnodeValidate}
void lfnodeValidate(lfnode* node) {
  if (auto [base, s, objIndex] = findObject(uintptr(node), 0, 0); base != 0) {
    (void)s;
    (void)objIndex;
    throw_("lfstack node allocated from the heap");
  }
  if (lfstackUnpack(lfstackPack(node, ~uintptr(0))) != node) {
    printlock();
    print("runtime: bad lfnode address ", hex(uintptr(node)), "\n");
    throw_("bad lfnode address");
  }
}

/// lfstackPack: node and its count in one word. \gosrc{lfstack.go,lfstackPack}
uint64 lfstackPack(lfnode* node, uintptr cnt) { return taggedPointerPack(node, cnt).v; }

/// lfstackUnpack: the node a packed word names. \gosrc{lfstack.go,lfstackUnpack}
lfnode* lfstackUnpack(uint64 val) { return static_cast<lfnode*>(taggedPointer{val}.pointer()); }

}  // namespace runtime
