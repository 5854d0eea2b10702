// mem_linux.cpp: the Linux half of the runtime's virtual-memory layer,
// mirroring mem_linux.go at go1.22.12. Reserved is an anonymous PROT_NONE
// mapping; Prepared and Ready are the same read/write mapping, told apart
// only by whether the kernel was allowed to reclaim its pages (madvise). See
// mem.hpp for the states and for why these call libc.
//
// Invariant [advise-unused]: adviseUnused only moves down the list
// MADV_FREE -> MADV_DONTNEED -> madviseUnsupported, as a kernel refuses the
// stronger advice; every thread may race to store the same smaller value.
#include <sys/mman.h>

#include <cerrno>

#include "malloc.hpp"
#include "mem.hpp"
#include "print.hpp"
#include "proc.hpp"

namespace runtime {

namespace {

/// The result of mmap as Go's wrapper returns it: the address, or the errno.
struct mmapResult {
  void* p;
  int err;
};

/// mmap: the system call, with the error as a result instead of in errno
/// (Go's mmap for linux/amd64, in assembly there). \gosrc{mmap.go,mmap}
NOSPLIT_INLINE mmapResult mmap(void* addr, uintptr n, int prot, int flags, int fd, uint32 off) {
  void* p = ::mmap(addr, n, prot, flags, fd, off);
  if (p == MAP_FAILED) return {nullptr, errno};
  return {p, 0};
}

/// madvise: the system call; 0 or -1 (errno set). \gosrc{stubs2.go,madvise}
NOSPLIT_INLINE int32 madvise(void* addr, uintptr n, int32 flags) {
  return ::madvise(addr, n, flags);
}

/// munmap: the system call; a failure is fatal, as Go's crashes on it.
/// \gosrc{mmap.go,munmap}
NOSPLIT_INLINE void munmap(void* addr, uintptr n) {
  if (::munmap(addr, n) != 0) throw_("runtime: munmap failed");
}

}  // namespace

/// Go's errno values for mem_linux.go. \gosrc{mem_linux.go,_EACCES}
constexpr int _EACCES = EACCES;
constexpr int _EINVAL = EINVAL;

/// sysAllocOS: a fresh read/write anonymous mapping of n bytes, or nullptr.
/// Two failures are fatal at once, as in Go, because retrying cannot help:
/// the process may not map memory at all, or has hit its locked-memory limit.
/// NOSPLIT: it may run without a g. \gosrc{mem_linux.go,sysAllocOS}
void* sysAllocOS(uintptr n) {
  auto [p, err] = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  if (err != 0) {
    if (err == _EACCES) {
      print("runtime: mmap: access denied\n");
      exit(2);
    }
    if (err == EAGAIN) {
      print("runtime: mmap: too much locked memory (check 'ulimit -l').\n");
      exit(2);
    }
    return nullptr;
  }
  return p;
}

/// The advice sysUnusedOS gives ([advise-unused]).
/// \gosrc{mem_linux.go,adviseUnused}
uint32 adviseUnused = uint32(MADV_FREE);

/// madviseUnsupported: the kernel takes neither MADV_FREE nor MADV_DONTNEED.
/// \gosrc{mem_linux.go,madviseUnsupported}
constexpr uint32 madviseUnsupported = 0;

/// sysUnusedOS: let the kernel reclaim the pages of [v, v+n), which must be
/// whole physical pages (madvise would round outward and drop live data).
/// MADV_FREE lets the kernel take the pages lazily, under pressure; with
/// GODEBUG=madvdontneed=1 (the default on Linux) MADV_DONTNEED drops them at
/// once, so the process's RSS shows the release. Each refused advice falls
/// back to the next; without madvise, mapping the range afresh drops it too.
/// \gosrc{mem_linux.go,sysUnusedOS}
void sysUnusedOS(void* v, uintptr n) {
  if ((uintptr(v) & (physPageSize - 1)) != 0 || (n & (physPageSize - 1)) != 0) {
    throw_("unaligned sysUnused");
  }

  uint32 advise = atomic::Load(&adviseUnused);
  if (debug.madvdontneed != 0 && advise != madviseUnsupported) advise = MADV_DONTNEED;
  switch (advise) {
    case MADV_FREE:
      if (madvise(v, n, MADV_FREE) == 0) break;
      atomic::Store(&adviseUnused, uint32(MADV_DONTNEED));
      [[fallthrough]];
    case MADV_DONTNEED:
      // Linux before 4.5 has no MADV_FREE.
      if (madvise(v, n, MADV_DONTNEED) == 0) break;
      atomic::Store(&adviseUnused, madviseUnsupported);
      [[fallthrough]];
    case madviseUnsupported:
      // madvise is optional since Linux 3.18. A fixed mapping over the range
      // replaces its pages with fresh zero pages.
      mmap(v, n, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_FIXED | MAP_PRIVATE, -1, 0);
  }

  if (debug.harddecommit > 0) {
    auto [p, err] = mmap(v, n, PROT_NONE, MAP_ANONYMOUS | MAP_FIXED | MAP_PRIVATE, -1, 0);
    if (p != v || err != 0) throw_("runtime: cannot disable permissions in address space");
  }
}

/// sysUsedOS: nothing to do on Linux (the pages come back when touched),
/// unless GODEBUG=harddecommit took the permissions away.
/// \gosrc{mem_linux.go,sysUsedOS}
void sysUsedOS(void* v, uintptr n) {
  if (debug.harddecommit > 0) {
    auto [p, err] = mmap(v, n, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_FIXED | MAP_PRIVATE, -1, 0);
    if (err == ENOMEM) throw_("runtime: out of memory");
    if (p != v || err != 0) throw_("runtime: cannot remap pages in address space");
    return;
  }
}

/// sysHugePageOS: MADV_HUGEPAGE on the whole huge pages inside [v, v+n).
/// \gosrc{mem_linux.go,sysHugePageOS}
void sysHugePageOS(void* v, uintptr n) {
  if (physHugePageSize != 0) {
    uintptr beg = alignUp(uintptr(v), physHugePageSize);
    uintptr end = alignDown(uintptr(v) + n, physHugePageSize);
    if (beg < end) madvise(reinterpret_cast<void*>(beg), end - beg, MADV_HUGEPAGE);
  }
}

/// sysNoHugePageOS: MADV_NOHUGEPAGE on [v, v+n); v must be page-aligned.
/// \gosrc{mem_linux.go,sysNoHugePageOS}
void sysNoHugePageOS(void* v, uintptr n) {
  if ((uintptr(v) & (physPageSize - 1)) != 0) throw_("unaligned sysNoHugePageOS");
  madvise(v, n, MADV_NOHUGEPAGE);
}

/// sysHugePageCollapseOS: MADV_COLLAPSE (Linux 6.1+) on [v, v+n). The
/// result is ignored, as in Go: the call is best effort, fails with EAGAIN
/// or EINVAL in ordinary conditions, and reports only on the last huge page.
/// \gosrc{mem_linux.go,sysHugePageCollapseOS}
void sysHugePageCollapseOS(void* v, uintptr n) {
  if ((uintptr(v) & (physPageSize - 1)) != 0) throw_("unaligned sysHugePageCollapseOS");
  if (physHugePageSize == 0) return;
  constexpr int32 MADV_COLLAPSE_ = 25;  // <linux/mman.h>; older glibc lacks the name
  madvise(v, n, MADV_COLLAPSE_);
}

/// sysFreeOS: unmap [v, v+n). NOSPLIT: it may run without a g.
/// \gosrc{mem_linux.go,sysFreeOS}
void sysFreeOS(void* v, uintptr n) { munmap(v, n); }

/// sysFaultOS: map [v, v+n) afresh with no access, so that any touch faults.
/// \gosrc{mem_linux.go,sysFaultOS}
void sysFaultOS(void* v, uintptr n) {
  mmap(v, n, PROT_NONE, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED, -1, 0);
}

/// sysReserveOS: a PROT_NONE mapping of n bytes, at v if the kernel agrees
/// (a hint, not MAP_FIXED), or nullptr. \gosrc{mem_linux.go,sysReserveOS}
void* sysReserveOS(void* v, uintptr n) {
  auto [p, err] = mmap(v, n, PROT_NONE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  if (err != 0) return nullptr;
  return p;
}

/// sysMapOS: make the reserved [v, v+n) readable and writable, in place.
/// With GODEBUG=disablethp=1 the range also opts out of transparent huge
/// pages. \gosrc{mem_linux.go,sysMapOS}
void sysMapOS(void* v, uintptr n) {
  auto [p, err] = mmap(v, n, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_FIXED | MAP_PRIVATE, -1, 0);
  if (err == ENOMEM) throw_("runtime: out of memory");
  if (p != v || err != 0) {
    print("runtime: mmap(", v, ", ", n, ") returned ", p, ", ", err, "\n");
    throw_("runtime: cannot map pages in arena address space");
  }

  if (debug.disablethp != 0) sysNoHugePageOS(v, n);
}

}  // namespace runtime
