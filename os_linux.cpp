// os_linux.cpp: the Linux layer of the scheduler, mirroring os_linux.go at
// go1.22.12: futexsleep/futexwakeup, getproccount, newosproc, osinit, and the
// time and sleep primitives Go keeps in sys_linux_amd64.s (nanotime, usleep,
// osyield).
//
// Departure: Go creates threads with clone(2) directly and gives each M a
// 16 KiB g0 stack from its own allocator. The port creates Ms as pthreads
// (so that libc's thread state, errno and TLS are right for C++ code) and
// uses the pthread stack as g0's stack.
#include <dlfcn.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "malloc.hpp"
#include "proc.hpp"

namespace runtime {

/// futexsleep: atomically, if *addr == val, sleep until woken or ns elapse
/// (ns < 0: forever). Spurious wake-ups are allowed. \gosrc{os_linux.go,futexsleep}
void futexsleep(uint32* addr, uint32 val, int64 ns) {
  if (ns < 0) {
    syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, nullptr, nullptr, 0);
    return;
  }
  struct timespec ts;
  ts.tv_sec = ns / 1000000000;
  ts.tv_nsec = ns % 1000000000;
  syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, &ts, nullptr, 0);
}

/// futexwakeup wakes up to cnt threads sleeping on addr. \gosrc{os_linux.go,futexwakeup}
void futexwakeup(uint32* addr, uint32 cnt) {
  long ret = syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, cnt, nullptr, nullptr, 0);
  if (ret >= 0) return;
  throw_("futexwakeup addr=... returned error");
}

/// getproccount: the CPUs in this process's affinity mask. \gosrc{os_linux.go,getproccount}
int32 getproccount() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  int n = CPU_COUNT(&set);
  return n > 0 ? n : 1;
}

/// nanotime: monotonic time in ns (Go: vdso clock_gettime(CLOCK_MONOTONIC)).
/// \gosrc{time_nofake.go,nanotime}
int64 nanotime() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

/// usleep sleeps the thread (not the goroutine) for usec microseconds.
/// \gosrc{sys_linux_amd64.s,usleep}
void usleep(uint32 usec) {
  struct timespec ts;
  ts.tv_sec = usec / 1000000;
  ts.tv_nsec = (usec % 1000000) * 1000;
  nanosleep(&ts, nullptr);
}

void mstart_pthread(m* mp);

namespace {
void* thread_start(void* arg) {
  mstart_pthread(static_cast<m*>(arg));
  return nullptr;
}
}  // namespace

/// newosproc starts an OS thread for mp; it begins in mstart with g0 =
/// mp.g0. Thread stacks are 8 MiB of reserved address space, touched
/// lazily. Departure: Go blocks every signal around clone, so that the new
/// thread starts with all of them blocked until minit gives it its mask
/// (minitSignalMask); here the new thread inherits its creator's mask, and a
/// process-directed signal may reach it before mstart has installed g0.
/// \gosrc{os_linux.go,newosproc}
NOWRITEBARRIER void newosproc(m* mp) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 8 << 20);
  pthread_t tid;
  // Look pthread_create up at run time: g++ links -fsplit-stack programs
  // with --wrap=pthread_create, which would pull in libgcc's own
  // __morestack and its segmented-stack machinery in place of the runtime's.
  using createfn = int (*)(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*);
  static createfn create = reinterpret_cast<createfn>(dlsym(RTLD_DEFAULT, "pthread_create"));
  if (create == nullptr) fatal("newosproc: pthread_create not found");
  int err = create(&tid, &attr, thread_start, mp);
  pthread_attr_destroy(&attr);
  if (err != 0) {
    printlock();
    fatal("newosproc");
  }
}

/// getHugePageSize: the transparent huge page size the kernel reports in
/// /sys/kernel/mm/transparent_hugepage/hpage_pmd_size, or 0 when the file is
/// missing or holds no power of 2. \gosrc{os_linux.go,getHugePageSize}
uintptr getHugePageSize() {
  char numbuf[20];
  int fd = open("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", O_RDONLY);
  if (fd < 0) return 0;
  ssize_t n = read(fd, numbuf, sizeof numbuf);
  close(fd);
  if (n <= 0) return 0;
  n--;  // the trailing newline
  uint64 v = 0;
  for (ssize_t i = 0; i < n; i++) {
    if (numbuf[i] < '0' || numbuf[i] > '9') return 0;
    v = v * 10 + uint64(numbuf[i] - '0');
  }
  if ((v & (v - 1)) != 0) return 0;  // not a power of 2
  return uintptr(v);
}

/// osinit: read the machine's facts before schedinit. \gosrc{os_linux.go,osinit}
///
/// Departure: Go learns physPageSize from the auxiliary vector in sysargs
/// (sysauxv's _AT_PAGESZ); the port asks libc for the same entry here,
/// before anything maps memory ([phys-page], malloc.hpp).
void osinit() {
  ncpu = getproccount();
  physPageSize = uintptr(getauxval(AT_PAGESZ));
  physHugePageSize = getHugePageSize();
}

/// mpreinit: set up mp's gsignal, on the parent thread (mcommoninit calls
/// it; it may allocate). \gosrc{os_linux.go,mpreinit}
///
/// Departure: Go gives gsignal a 32 KiB stack from malg; the port's signal
/// stack is mapped by the new thread itself (minitSignalStack,
/// signal_unix.cpp), which also sets gsignal's stack bounds.
void mpreinit(m* mp) {
  mp->gsignal = newobject<g>();
  mp->gsignal->m = mp;
}

/// osyield gives up the CPU to another thread (sched_yield).
/// \gosrc{sys_linux_amd64.s,osyield}
void osyield() { sched_yield(); }

}  // namespace runtime
