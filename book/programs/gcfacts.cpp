// gcfacts: the collector at work, for the "Things to try" of the book's
// collector chapter (book/chapters/14-collector.rst). The book's build runs
// it with GODEBUG=gctrace=1 (book/tools/gen.py), standard error joined to
// standard output, so that the runtime's own line per collection appears
// where the collection happens.
//
//   1. garbage: a goroutine makes a list of 10000 nodes that a global
//      keeps, and 100000 separate nodes and a 1 MiB array that nothing
//      keeps, then exits (a dead goroutine's stack is no root). MemStats
//      before and after runtime::GC, and after a second GC once the global
//      is cleared; and which garbage nodes survived, if any, and what names
//      them (their addresses are kept in C++'s heap, which the collector
//      does not read, xor'ed so that they do not look like pointers).
//   2. an integer that looks like a pointer: a global uintptr holding the
//      address of a 4 MiB array keeps it alive, because globals are scanned
//      conservatively; cleared, the array goes.
//   3. roots: the bytes of data and bss the collector reads at every cycle,
//      and, with N goroutines parked on a channel, the bytes of their
//      stacks it reads and the pause of a collection.
//   4. the heap trigger: parts 1-3 run with the collector off
//      (debug.SetGCPercent(-1)), so that only runtime::GC collects; here
//      GOGC goes back to 100 and 64 MiB of garbage is allocated, and the
//      pacer starts cycles from mallocgc (gctrace lines without "forced").
//
//   GODEBUG=gctrace=1 build/book/programs/gcfacts
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cxxabi.h>
#include <dlfcn.h>

#include "debug/garbage.hpp"
#include "go.hpp"
#include "malloc.hpp"
#include "mcache.hpp"
#include "mgc.hpp"
#include "mheap.hpp"
#include "proc.hpp"

// 32 bytes with one GC reference: size class 32, a "scan" span.
struct node {
  gort::ptr<node> next;
  uint64_t payload[3];
};

// Globals, in bss: roots the collector scans word by word. (External
// linkage, so that the compiler keeps every store to them.)
gort::ptr<node> keep;        // the list that stays
uintptr_t looksLikeAPointer;  // part 2: just an integer
uintptr_t hidden;            // the same address, xor'ed: not a pointer
gort::slice<uint8_t> sink;   // part 4: the latest garbage array
static constexpr uintptr_t mask = 0x5a5a5a5a5a5a5a5aull;
static runtime::g* builder;  // the goroutine of parts 1 and 2

// Part 1's objects, by address, xor'ed, in C++'s heap (not a root).
static const int nlist = 10000, njunk = 100000;
static uintptr_t* listAddrs;
static uintptr_t* junkAddrs;
static uintptr_t junkArray;  // xor'ed too

static runtime::MemStats st[3];

// Wait until the builder goroutine has exited: while it is still on its way
// out its stack is a root, and a stale word there could keep its garbage.
static void waitBuilderDead() {
  while (runtime::readgstatus(builder) != runtime::_Gdead) runtime::Gosched();
}

static void buildGarbage(gort::chan<int> done) {
  builder = runtime::getg();
  for (int i = 0; i < nlist; i++) {
    gort::ptr<node> n = gort::new_<node>();
    n->next = keep;
    keep = n;
    listAddrs[i] = uintptr_t(n.get()) ^ mask;
  }
  for (int i = 0; i < njunk; i++) {
    gort::ptr<node> n = gort::new_<node>();
    n->payload[0] = i;
    junkAddrs[i] = uintptr_t(n.get()) ^ mask;
  }
  junkArray = uintptr_t(runtime::newarray<uint8_t>(1 << 20)) ^ mask;
  done.send(1);
}

static void buildDisguised(gort::chan<int> done) {
  builder = runtime::getg();
  uint8_t* big = runtime::newarray<uint8_t>(4 << 20);
  looksLikeAPointer = uintptr_t(big);
  hidden = uintptr_t(big) ^ mask;
  done.send(1);
}

static bool inUse(uintptr_t addr) { return runtime::spanOfHeap(runtime::uintptr(addr)) != nullptr; }

// Whether the heap object at addr is allocated (after a sweep: it survived).
static bool allocated(uintptr_t addr) {
  runtime::mspan* s = runtime::spanOfHeap(runtime::uintptr(addr));
  return s != nullptr && !s->isFree(s->objIndex(runtime::uintptr(addr)));
}

// The objects of addrs[0, n) that survived; for each, whether a P's page
// cache names it (p.pcache.base: an address of heap pages; p's map leaves
// it out, so such a survivor would mean that it no longer does).
static void survivors(const char* what, const uintptr_t* addrs, int n) {
  int alive = 0;
  for (int i = 0; i < n; i++) {
    uintptr_t a = addrs[i] ^ mask;
    if (!allocated(a)) continue;
    alive++;
    int byP = -1;
    for (int j = 0; j < runtime::allplen; j++)
      if (runtime::allp[j]->pcache.base == a) byP = j;
    if (byP >= 0)
      std::printf("  survivor: %s %d at %#lx, named by P %d's pcache.base\n", what, i, (unsigned long)a, byP);
    else
      std::printf("  survivor: %s %d at %#lx, named by another word of some root\n", what, i, (unsigned long)a);
  }
  std::printf("%s that survived: %d of %d\n", what, alive, n);
}

// Name the global word at addr: a field of runtime::mheap_ that holds an
// address of heap pages as an integer, or a symbol and offset.
static void nameGlobal(uintptr_t addr, char* buf, size_t n) {
  struct {
    const char* name;
    size_t off;
  } fields[] = {
      {"runtime::mheap_.pages.searchAddr", offsetof(runtime::mheap, pages.searchAddr)},
      {"runtime::mheap_.pages.scav.index.freeHWM", offsetof(runtime::mheap, pages.scav.index.freeHWM)},
      {"runtime::mheap_.pages.scav.index.searchAddrBg", offsetof(runtime::mheap, pages.scav.index.searchAddrBg)},
      {"runtime::mheap_.pages.scav.index.searchAddrForce", offsetof(runtime::mheap, pages.scav.index.searchAddrForce)},
      {"runtime::mheap_.curArena.base", offsetof(runtime::mheap, curArena.base)},
      {"runtime::mheap_.curArena.end", offsetof(runtime::mheap, curArena.end)},
  };
  for (auto& f : fields) {
    if (addr == uintptr_t(&runtime::mheap_) + f.off) {
      std::snprintf(buf, n, "%s", f.name);
      return;
    }
  }
  Dl_info di{};
  if (dladdr(reinterpret_cast<void*>(addr), &di) == 0 || di.dli_sname == nullptr) {
    std::snprintf(buf, n, "?");
    return;
  }
  int status = 0;
  char* dm = abi::__cxa_demangle(di.dli_sname, nullptr, nullptr, &status);
  std::snprintf(buf, n, "%s + %#lx", status == 0 ? dm : di.dli_sname, (unsigned long)(addr - uintptr_t(di.dli_saddr)));
  std::free(dm);
}

// Print every word of the roots that points into [obj, obj+size): data and
// bss, goroutine stacks, and the runtime objects scanned word by word.
static void namers(uintptr_t obj, uintptr_t size) {
  runtime::rootRange rr[2] = {runtime::dataRoots(), runtime::bssRoots()};
  int found = 0;
  // markrootBlock leaves mheap_ out of the scan: its words name nothing.
  uintptr_t holeLo = uintptr_t(&runtime::mheap_), holeHi = holeLo + sizeof(runtime::mheap_);
  for (auto r : rr) {
    for (uintptr_t p = r.lo; p < r.hi; p += sizeof(uintptr_t)) {
      if (holeLo <= p && p < holeHi) continue;
      uintptr_t v = *reinterpret_cast<uintptr_t*>(p);
      if (v < obj || v >= obj + size) continue;
      char name[160];
      nameGlobal(p, name, sizeof name);
      std::printf("  the global word %s = %#lx points into it\n", name, (unsigned long)v);
      found++;
    }
  }
  // The other roots: goroutine stacks (this one's from here up), and the
  // runtime's own objects that are scanned word by word (G, P, M).
  auto look = [&](const char* what, long id, uintptr_t lo, uintptr_t hi) {
    for (uintptr_t p = lo; p + sizeof(uintptr_t) <= hi; p += sizeof(uintptr_t)) {
      uintptr_t v = *reinterpret_cast<uintptr_t*>(p);
      if (v < obj || v >= obj + size) continue;
      std::printf("  a word of %s %ld (+%#lx) = %#lx points into it\n", what, id, (unsigned long)(p - lo),
                  (unsigned long)v);
      found++;
    }
  };
  runtime::g* me = runtime::getg();
  for (int64_t i = 0; i < runtime::allglen; i++) {
    runtime::g* gp = runtime::allgs[i];
    look("the G of goroutine", long(gp->goid), uintptr_t(gp), uintptr_t(gp) + sizeof(runtime::g));
    if (runtime::readgstatus(gp) == runtime::_Gdead || gp->stack_.lo == 0) continue;
    uintptr_t sp = gp == me ? uintptr_t(__builtin_frame_address(0)) : uintptr_t(gp->sched.sp);
    if (sp != 0) look("the stack of goroutine", long(gp->goid), sp, gp->stack_.hi);
  }
  for (int i = 0; i < runtime::allplen; i++)
    look("P", i, uintptr_t(runtime::allp[i]), uintptr_t(runtime::allp[i]) + sizeof(runtime::p));
  for (runtime::m* mp = runtime::allm; mp != nullptr; mp = mp->alllink)
    look("M", long(mp->id), uintptr_t(mp), uintptr_t(mp) + sizeof(runtime::m));
  if (found == 0) std::printf("  (none)\n");
}

static void parked(gort::chan<int> wait, gort::chan<int> done) {
  wait.recv();
  done.send(1);
}

// The stack bytes the collector reads for the goroutines parked now: from
// each one's saved stack pointer to the top of its stack, as scanstack does.
static uint64_t parkedStackBytes(int* n) {
  uint64_t bytes = 0;
  *n = 0;
  for (int64_t i = 0; i < runtime::allglen; i++) {
    runtime::g* gp = runtime::allgs[i];
    // (forcegchelper, the runtime's own goroutine, is parked too.)
    if (runtime::readgstatus(gp) != runtime::_Gwaiting || runtime::isSystemGoroutine(gp, false)) continue;
    bytes += gp->stack_.hi - gp->sched.sp;
    ++*n;
  }
  return bytes;
}

static uint64_t lastPause() {
  runtime::MemStats ms;
  runtime::ReadMemStats(&ms);
  return ms.PauseNs[(ms.NumGC + 255) % 256];
}

static void main_main() {
  // Parts 1-3 show what runtime::GC does; allocation starts no cycle.
  gort::debug::SetGCPercent(-1);

  // 1. Garbage.
  std::printf("== 1. garbage\n");
  listAddrs = static_cast<uintptr_t*>(std::malloc(nlist * sizeof(uintptr_t)));
  junkAddrs = static_cast<uintptr_t*>(std::malloc(njunk * sizeof(uintptr_t)));
  auto done = gort::make_chan<int>();
  gort::go(buildGarbage, done);
  done.recv();
  waitBuilderDead();
  runtime::ReadMemStats(&st[0]);
  std::printf("the 1 MiB garbage array is at %#lx; the words of the roots that point into it:\n",
              (unsigned long)(junkArray ^ mask));
  namers(junkArray ^ mask, 1 << 20);
  std::printf("runtime::GC()\n");
  runtime::GC();
  runtime::ReadMemStats(&st[1]);
  survivors("garbage nodes", junkAddrs, njunk);
  std::printf("the 1 MiB garbage array: %s\n", inUse(junkArray ^ mask) ? "still in use" : "freed");
  std::printf("keep = nullptr; runtime::GC()\n");
  keep = nullptr;
  runtime::GC();
  runtime::ReadMemStats(&st[2]);
  survivors("list nodes", listAddrs, nlist);

  std::printf("\n%-14s %14s %14s %14s\n", "", "before", "after GC", "keep dropped");
#define ROW(f)                                                                              \
  std::printf("%-14s", #f);                                                                 \
  for (int i = 0; i < 3; i++) std::printf(" %14llu", (unsigned long long)st[i].f);          \
  std::printf("\n")
  ROW(HeapObjects);
  ROW(Mallocs);
  ROW(Frees);
  ROW(HeapAlloc);
  ROW(TotalAlloc);
  ROW(HeapInuse);
  ROW(HeapIdle);
  ROW(NumGC);
  ROW(PauseTotalNs);
#undef ROW
  std::printf("%-14s", "PauseNs[last]");
  for (int i = 0; i < 3; i++)
    std::printf(" %14llu", st[i].NumGC ? (unsigned long long)st[i].PauseNs[(st[i].NumGC + 255) % 256] : 0ull);
  std::printf("\n");

  // 2. An integer that looks like a pointer.
  std::printf("\n== 2. an integer that looks like a pointer\n");
  gort::go(buildDisguised, done);
  done.recv();
  waitBuilderDead();
  std::printf("runtime::GC()\n");
  runtime::GC();
  std::printf("4 MiB array at %#lx, named by the global uintptr looksLikeAPointer = %#lx: %s\n",
              (unsigned long)(hidden ^ mask), (unsigned long)looksLikeAPointer,
              inUse(hidden ^ mask) ? "still in use" : "freed");
  looksLikeAPointer = 0;
  std::printf("looksLikeAPointer = 0; the words of the roots that point into the array:\n");
  namers(hidden ^ mask, 4 << 20);
  std::printf("runtime::GC()\n");
  runtime::GC();
  std::printf("4 MiB array at %#lx, named by no variable of the program: %s\n", (unsigned long)(hidden ^ mask),
              inUse(hidden ^ mask) ? "still in use" : "freed");

  // 3. Roots: globals and stacks, and what they cost.
  std::printf("\n== 3. roots\n");
  runtime::rootRange d = runtime::dataRoots(), b = runtime::bssRoots();
  std::printf("data segment  %#lx-%#lx: %7lu bytes\n", (unsigned long)d.lo, (unsigned long)d.hi,
              (unsigned long)(d.hi - d.lo));
  std::printf("bss segment   %#lx-%#lx: %7lu bytes, of which runtime::mheap_ %lu\n", (unsigned long)b.lo,
              (unsigned long)b.hi, (unsigned long)(b.hi - b.lo), (unsigned long)sizeof(runtime::mheap_));
  std::printf("root jobs of the last cycle: %d data, %d bss, %d stacks (every G ever made)\n",
              runtime::work.nDataRoots, runtime::work.nBSSRoots, runtime::work.nStackRoots);
  runtime::uintptr gp = runtime::uintptr(runtime::getg());
  std::printf("a G is a heap object of %lu bytes (a slot of %lu), scanned as if every word were a pointer\n",
              (unsigned long)sizeof(runtime::g), (unsigned long)runtime::spanOfHeap(gp)->elemsize);
  runtime::debug.gctrace = 0;  // one summary line per N instead
  std::printf("(gctrace off for the rest)\n\n");
  std::printf("%10s %10s %16s %12s %18s\n", "goroutines", "parked", "stack bytes", "bytes/G", "pause (us, min/3)");
  for (int n : {0, 1000, 10000}) {
    auto wait = gort::make_chan<int>();
    auto fin = gort::make_chan<int>(n);
    for (int i = 0; i < n; i++) gort::go(parked, wait, fin);
    int np = 0;
    // Every one of them has run and parked.
    while (parkedStackBytes(&np), np < n) runtime::Gosched();
    uint64_t bytes = parkedStackBytes(&np);
    uint64_t best = ~0ull;
    for (int r = 0; r < 3; r++) {
      runtime::GC();
      uint64_t p = lastPause();
      if (p < best) best = p;
    }
    std::printf("%10d %10d %16llu %12llu %18.1f\n", n, np, (unsigned long long)bytes,
                (unsigned long long)(np ? bytes / np : 0), double(best) / 1000);
    gort::close(wait);
    for (int i = 0; i < n; i++) fin.recv();
  }

  // 4. The heap trigger.
  std::printf("\n== 4. the heap trigger\n");
  runtime::debug.gctrace = 1;
  gort::debug::SetGCPercent(100);
  std::printf("debug.SetGCPercent(100); runtime::GC()\n");
  runtime::GC();
  runtime::MemStats before, after;
  runtime::ReadMemStats(&before);
  std::printf("live heap %llu KB, NextGC %llu KB\n", (unsigned long long)before.HeapAlloc >> 10,
              (unsigned long long)before.NextGC >> 10);
  std::printf("64 MiB of garbage, 64 KiB at a time:\n");
  for (int i = 0; i < 1024; i++) sink = gort::make<uint8_t>(64 << 10);
  runtime::ReadMemStats(&after);
  std::printf("cycles started by allocation: %u; NumForcedGC %u -> %u; HeapInuse %llu KB\n",
              after.NumGC - before.NumGC, before.NumForcedGC, after.NumForcedGC,
              (unsigned long long)after.HeapInuse >> 10);
  std::printf("HeapIdle %llu KB, StackInuse %llu KB\n", (unsigned long long)after.HeapIdle >> 10,
              (unsigned long long)after.StackInuse >> 10);
}

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // in order with the runtime's lines on stderr
  runtime::rt0_go(argc, argv, main_main);
}
