// mem.cpp: moving address space between the states None, Reserved, Prepared
// and Ready (see mem.hpp), mirroring mem.go at go1.22.12. Each function does
// the OS-independent accounting ([mapped-ready], [sysstat]) and hands the
// transition itself to its OS half in mem_linux.cpp.
#include "mem.hpp"

namespace runtime {

/// sysAlloc: None -> Ready for a region the OS places, n bytes of zeroed
/// memory (or nullptr). Counted in *sysStat. NOSPLIT: it may run without a g.
/// \gosrc{mem.go,sysAlloc}
void* sysAlloc(uintptr n, sysMemStat* sysStat) {
  sysStat->add(int64(n));
  gcController.mappedReady.Add(int64(n));
  return sysAllocOS(n);
}

/// sysUnused: Ready -> Prepared. The OS may take the physical pages back;
/// the contents are lost, and the region must not be touched until sysUsed.
/// \gosrc{mem.go,sysUnused}
void sysUnused(void* v, uintptr n) {
  gcController.mappedReady.Add(-int64(n));
  sysUnusedOS(v, n);
}

/// sysUsed: Prepared -> Ready. The range may mix Prepared and Ready memory;
/// prepared says how many of its bytes were Prepared, for the accounting.
/// \gosrc{mem.go,sysUsed}
void sysUsed(void* v, uintptr n, uintptr prepared) {
  gcController.mappedReady.Add(int64(prepared));
  sysUsedOS(v, n);
}

/// sysHugePage: a hint that the region is worth backing with huge pages.
/// \gosrc{mem.go,sysHugePage}
void sysHugePage(void* v, uintptr n) { sysHugePageOS(v, n); }

/// sysNoHugePage: a hint that the region is not worth backing with huge
/// pages. \gosrc{mem.go,sysNoHugePage}
void sysNoHugePage(void* v, uintptr n) { sysNoHugePageOS(v, n); }

/// sysHugePageCollapse: ask the OS to back the region with huge pages now;
/// best effort. \gosrc{mem.go,sysHugePageCollapse}
void sysHugePageCollapse(void* v, uintptr n) { sysHugePageCollapseOS(v, n); }

/// sysFree: any state -> None, unconditionally. Taken out of *sysStat.
/// NOSPLIT: it may run without a g. \gosrc{mem.go,sysFree}
void sysFree(void* v, uintptr n, sysMemStat* sysStat) {
  sysStat->add(-int64(n));
  gcController.mappedReady.Add(-int64(n));
  sysFreeOS(v, n);
}

/// sysFault: Ready -> Reserved, so that any access faults (a debugging aid).
/// \gosrc{mem.go,sysFault}
void sysFault(void* v, uintptr n) {
  gcController.mappedReady.Add(-int64(n));
  sysFaultOS(v, n);
}

/// sysReserve: None -> Reserved, preferably at v (the OS may choose another
/// place; nullptr on failure). The result is aligned only to the OS's page.
/// \gosrc{mem.go,sysReserve}
void* sysReserve(void* v, uintptr n) { return sysReserveOS(v, n); }

/// sysMap: Reserved -> Prepared, counted in *sysStat.
/// \gosrc{mem.go,sysMap}
void sysMap(void* v, uintptr n, sysMemStat* sysStat) {
  sysStat->add(int64(n));
  sysMapOS(v, n);
}

}  // namespace runtime
