// mcheckmark.cpp: the collector's check mode (GODEBUG=gccheckmark=1),
// mirroring mcheckmark.go at go1.22.12.
//
// A collector that marks while the program runs can lose an object: a
// pointer moved without a write barrier, a root job skipped, a race in the
// collector itself. The check mode looks for such losses the slow way. At
// the end of each mark, with the world stopped, gcMarkTermination walks the
// whole object graph a second time from the roots, recording what it
// reaches in a separate bitmap, the checkmarks, instead of the mark bits.
// Every object the second walk reaches must already carry a mark from the
// first; one that does not would have been freed while reachable, and the
// walk throws "checkmark found unmarked object" with both objects dumped.
//
// Each arena gets its own bitmap, one bit per heap word, allocated the
// first time the mode runs (persistentalloc: it lives as long as the
// arena). The bit of an object is the bit of its first word.
//
// The mark runs beside the program, so the check judges the write barrier:
// a pointer stored into an object the mark had already scanned, without
// its barrier, leaves a marked object pointing to an unmarked one.
// Departure: gcMarkTermination prepares the root jobs again before the
// second walk (see there), and the walk skips unmarked objects that only a
// conservative root word names (scanConservative).
#include "lockrank_off.hpp"
#include "malloc.hpp"
#include "mgc.hpp"
#include "mgcwork.hpp"
#include "mheap.hpp"
#include "mstats.hpp"
#include "print.hpp"

namespace runtime {

/// checkmarksMap: the checkmarks of one arena, a bit per word.
/// \gosrc{mcheckmark.go,checkmarksMap}
struct checkmarksMap : sys::NotInHeap {
  uint8 b[heapArenaBytes / sizeof(uintptr) / 8];
};

/// useCheckmark: while true, greyobject records marks in the checkmarks
/// instead of the mark bits (and checks the mark bits). Written with the
/// world stopped. \gosrc{mcheckmark.go,useCheckmark}
bool useCheckmark = false;

/// startCheckmarks: clear (or allocate) every arena's checkmarks and turn
/// the mode on. The world is stopped. \gosrc{mcheckmark.go,startCheckmarks}
void startCheckmarks() {
  assertWorldStopped();

  for (int i = 0; i < mheap_.allArenas.len; i++) {
    arenaIdx ai = mheap_.allArenas[i];
    heapArena* arena = (*mheap_.arenas[ai.l1()].load())[ai.l2()];
    checkmarksMap* bitmap = arena->checkmarks;
    if (bitmap == nullptr) {
      // First use: the bitmap lasts as long as the arena.
      bitmap = static_cast<checkmarksMap*>(persistentalloc(sizeof(checkmarksMap), 0, &memstats.gcMiscSys));
      if (bitmap == nullptr) throw_("out of memory allocating checkmarks bitmap");
      arena->checkmarks = bitmap;
    } else {
      memset(bitmap->b, 0, sizeof(bitmap->b));
    }
  }
  useCheckmark = true;
}

/// endCheckmarks: the second walk is over; nothing may be left queued.
/// \gosrc{mcheckmark.go,endCheckmarks}
void endCheckmarks() {
  if (gcMarkWorkAvailable(nullptr)) throw_("GC work not flushed");
  useCheckmark = false;
}

/// setCheckmark: obj (found at base+off) was reached by the second walk.
/// Throws if the first walk left it unmarked; otherwise sets its checkmark
/// and reports whether it was set already (then the walk does not queue it
/// again). \gosrc{mcheckmark.go,setCheckmark}
bool setCheckmark(uintptr obj, uintptr base, uintptr off, markBits mbits) {
  if (!mbits.isMarked()) {
    printlock();
    print("runtime: checkmarks found unexpected unmarked object obj=", hex(obj), "\n");
    print("runtime: found obj at *(", hex(base), "+", hex(off), ")\n");
    // The object that points to it, then the object itself.
    gcDumpObject("base", base, off);
    gcDumpObject("obj", obj, ~uintptr(0));
    throw_("checkmark found unmarked object");
  }

  // Departure: go1.22.12 indexes the bitmap by obj / heapArenaBytes, the
  // arena's number, so every object of an arena shares one bit and the walk
  // stops at the first object it meets in each arena (later Go indexes by
  // the word's offset in its arena, getCheckmark). The port indexes by the
  // word, as the bitmap's size intends.
  arenaIdx ai = arenaIndex(obj);
  heapArena* arena = (*mheap_.arenas[ai.l1()].load())[ai.l2()];
  uintptr wordIdx = (obj % heapArenaBytes) / sizeof(uintptr);
  uint8* bytep = &arena->checkmarks->b[wordIdx / 8];
  uint8 mask = uint8(1) << (wordIdx % 8);

  if ((atomic::Load8(bytep) & mask) != 0) return true;  // already checkmarked
  atomic::Or8(bytep, mask);
  return false;
}

}  // namespace runtime
