// heapfacts: the heap's tables as the compiled runtime has them, printed as
// JSON for the book's memory chapter (book/tools/gen.py turns them into
// generated/memory-*.inc; cmake/book.cmake runs this program when it builds
// the book).
//
// Nothing here is a copy of a number: every value is read from the port's
// headers (sizeclasses.hpp, malloc.hpp, mheap.hpp, mpagealloc.hpp,
// mpagecache.hpp) as this compiler compiled them. The size-class columns are
// derived the way Go's generator (mksizeclasses.go, printComment) derives the
// header comment of sizeclasses.go, and gen.py checks every row against that
// comment.
#include <cstdio>

#include "mheap.hpp"  // which includes malloc.hpp, sizeclasses.hpp, mpagealloc.hpp

using namespace runtime;

int main() {
  std::printf("{\n  \"constants\": {\n");
  struct {
    const char* name;
    unsigned long long v;
  } constants[] = {
      {"_PageShift", _PageShift},
      {"pageSize", pageSize},
      {"_MaxSmallSize", _MaxSmallSize},
      {"_NumSizeClasses", _NumSizeClasses},
      {"numSpanClasses", numSpanClasses},
      {"smallSizeDiv", smallSizeDiv},
      {"smallSizeMax", smallSizeMax},
      {"largeSizeDiv", largeSizeDiv},
      {"maxObjsPerSpan", maxObjsPerSpan},
      {"maxTinySize", maxTinySize},
      {"tinySizeClass", uintptr(tinySizeClass)},
      {"mallocHeaderSize", mallocHeaderSize},
      {"minSizeForMallocHeader", minSizeForMallocHeader},
      {"heapAddrBits", heapAddrBits},
      {"heapArenaBytes", heapArenaBytes},
      {"pagesPerArena", pagesPerArena},
      {"arenaL1Bits", arenaL1Bits},
      {"arenaL2Bits", arenaL2Bits},
      {"arenaBaseOffset", arenaBaseOffset},
      {"pallocChunkPages", pallocChunkPages},
      {"pallocChunkBytes", pallocChunkBytes},
      {"summaryLevels", summaryLevels},
      {"summaryLevelBits", summaryLevelBits},
      {"summaryL0Bits", summaryL0Bits},
      {"pallocSumBytes", pallocSumBytes},
      {"maxPackedValue", maxPackedValue},
      {"pallocChunksL1Bits", pallocChunksL1Bits},
      {"pallocChunksL2Bits", pallocChunksL2Bits},
      {"pageCachePages", pageCachePages},
      {"persistentChunkSize", persistentChunkSize},
      {"_FixAllocChunk", _FixAllocChunk},
      {"defaultHeapMinimum", defaultHeapMinimum},
  };
  bool first = true;
  for (auto& c : constants) {
    std::printf("%s    \"%s\": %llu", first ? "" : ",\n", c.name, c.v);
    first = false;
  }
  std::printf("\n  },\n");

  // The size classes, as mksizeclasses.go's printComment computes its
  // columns: bytes/span, objects, tail waste, the worst-case waste of the
  // class (an object one byte above the class below, in every slot, plus
  // the tail), and the alignment every object of the class gets.
  std::printf("  \"sizeclasses\": [\n");
  uintptr prevSize = 0;
  for (uintptr i = 1; i < _NumSizeClasses; i++) {
    uintptr size = class_to_size[i];
    uintptr spanSize = uintptr(class_to_allocnpages[i]) * _PageSize;
    uintptr objects = spanSize / size;
    uintptr tailWaste = spanSize - size * objects;
    double maxWaste = double((size - prevSize - 1) * objects + tailWaste) / double(spanSize);
    uintptr alignBits = uintptr(__builtin_ctzll(size));
    if (alignBits > _PageShift) alignBits = _PageShift;
    std::printf("    {\"class\": %lu, \"size\": %lu, \"npages\": %u, \"spanBytes\": %lu, \"objects\": %lu, "
                "\"tailWaste\": %lu, \"maxWaste\": \"%.2f%%\", \"minAlign\": %lu, \"heapBitsInSpan\": %s}%s\n",
                (unsigned long)i, (unsigned long)size, unsigned(class_to_allocnpages[i]),
                (unsigned long)spanSize, (unsigned long)objects, (unsigned long)tailWaste, 100 * maxWaste,
                (unsigned long)(uintptr(1) << alignBits), heapBitsInSpan(size) ? "true" : "false",
                i + 1 < _NumSizeClasses ? "," : "");
    prevSize = size;
  }
  std::printf("  ],\n");

  // The page allocator's radix tree (mpagealloc_64bit.go): per level, the
  // bits of an address that select an entry, the entries of the whole level,
  // the pages one entry summarises, and the address space reserved for the
  // level (mapped only where the heap is).
  std::printf("  \"levels\": [\n");
  for (uintptr l = 0; l < summaryLevels; l++) {
    unsigned long long entries = 1ull << (heapAddrBits - levelShift[l]);
    std::printf("    {\"level\": %lu, \"levelBits\": %u, \"levelShift\": %u, \"entries\": %llu, "
                "\"logPages\": %u, \"pages\": %llu, \"bytes\": %llu, \"reserved\": %llu}%s\n",
                (unsigned long)l, levelBits[l], levelShift[l], entries, levelLogPages[l],
                1ull << levelLogPages[l], (1ull << levelLogPages[l]) * pageSize,
                entries * (unsigned long long)pallocSumBytes,
                l + 1 < summaryLevels ? "," : "");
  }
  std::printf("  ]\n}\n");
  return 0;
}
