// mem.hpp: the runtime's interface to the OS's virtual memory, mirroring
// mem.go at go1.22.12 (the OS-independent half, in mem.cpp) and mem_linux.go
// (the Linux half, in mem_linux.cpp).
//
// A region of address space the runtime manages is in one of four states:
//   None      not reserved, not mapped: the default.
//   Reserved  owned by the runtime (mapped PROT_NONE); touching it faults; it
//             costs no memory.
//   Prepared  reserved and readable/writable, but the OS may have taken its
//             physical pages (after MADV_FREE or MADV_DONTNEED); reading it
//             gives old data or zeroes. Cheap to turn back into Ready.
//   Ready     safe to use.
// Each sys* function moves a region from some states to one state, and the
// mem.cpp half does the accounting, so that:
//   Invariant [mapped-ready]: gcController.mappedReady counts exactly the
//   bytes in the Ready state (sysAlloc, sysUsed add; sysUnused, sysFree,
//   sysFault subtract), and
//   Invariant [sysstat] (mstats.hpp): every byte that leaves None (sysAlloc,
//   sysMap) is counted in the caller's sysMemStat until sysFree.
//
// Locks: none; the accounting is atomic and the OS calls are thread-safe.
//
// Departure: Go calls the kernel through its own syscall stubs
// (sys_linux_amd64.s). gort is a C++ library linked with libc, so the Linux
// half calls libc's mmap, munmap and madvise: thin wrappers that enter the
// kernel directly, set errno instead of returning it, allocate nothing, and
// are safe on any thread and in a signal handler. Being outside -fsplit-stack
// they run in the stack's guard area, as every libc call does (stack.cpp).
#pragma once
#include "mstats.hpp"
#include "runtime2.hpp"

namespace runtime {

// mem.go: state transitions with accounting.
NOSPLIT void* sysAlloc(uintptr n, sysMemStat* sysStat);
void sysUnused(void* v, uintptr n);
void sysUsed(void* v, uintptr n, uintptr prepared);
void sysHugePage(void* v, uintptr n);
void sysNoHugePage(void* v, uintptr n);
void sysHugePageCollapse(void* v, uintptr n);
NOSPLIT void sysFree(void* v, uintptr n, sysMemStat* sysStat);
void sysFault(void* v, uintptr n);
void* sysReserve(void* v, uintptr n);
void sysMap(void* v, uintptr n, sysMemStat* sysStat);

// mem_linux.go: the OS halves, without accounting.
NOSPLIT void* sysAllocOS(uintptr n);
void sysUnusedOS(void* v, uintptr n);
void sysUsedOS(void* v, uintptr n);
void sysHugePageOS(void* v, uintptr n);
void sysNoHugePageOS(void* v, uintptr n);
void sysHugePageCollapseOS(void* v, uintptr n);
NOSPLIT void sysFreeOS(void* v, uintptr n);
void sysFaultOS(void* v, uintptr n);
void* sysReserveOS(void* v, uintptr n);
void sysMapOS(void* v, uintptr n);

}  // namespace runtime
