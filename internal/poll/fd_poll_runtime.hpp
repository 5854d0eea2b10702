// internal/poll/fd_poll_runtime.hpp: package internal/poll's bodiless
// declarations of the poller calls the runtime provides, mirroring
// src/internal/poll/fd_poll_runtime.go at go1.22.12.
//
// As in sync/runtime.hpp, each declaration only names a symbol, the one a
// Go compiler would give internal/poll's function (in gccgo's spelling,
// "internal..z2fpoll.runtime_pollOpen": GNU as refuses a '/' in a label);
// netpoll.cpp defines each under the same symbol (LINKNAME), so the linker
// joins them, and tools/linkname.py checks both ends. A descriptor's
// runtime context is the address of the runtime's pollDesc, an integer to
// this package, as in Go.
#pragma once
#include <cstdint>
#include <tuple>

#include "../../pragmas.hpp"

namespace gort::poll {

/// runtime_pollServerInit starts the poller (once; see pollDesc::init).
/// \gosrc{internal/poll/fd_poll_runtime.go,runtime_pollServerInit}
void runtime_pollServerInit() GOSYMBOL("internal..z2fpoll.runtime_pollServerInit");
/// runtime_pollOpen registers fd with the poller: its context, or 0 and an errno.
/// \gosrc{internal/poll/fd_poll_runtime.go,runtime_pollOpen}
std::tuple<uintptr_t, int> runtime_pollOpen(uintptr_t fd) GOSYMBOL("internal..z2fpoll.runtime_pollOpen");
/// runtime_pollClose forgets a context after runtime_pollUnblock.
/// \gosrc{internal/poll/fd_poll_runtime.go,runtime_pollClose}
void runtime_pollClose(uintptr_t ctx) GOSYMBOL("internal..z2fpoll.runtime_pollClose");
/// runtime_pollWait parks until the descriptor is ready for mode ('r' or
/// 'w'): a poll error code. \gosrc{internal/poll/fd_poll_runtime.go,runtime_pollWait}
int runtime_pollWait(uintptr_t ctx, int mode) GOSYMBOL("internal..z2fpoll.runtime_pollWait");
/// runtime_pollReset drops a stale readiness before an operation.
/// \gosrc{internal/poll/fd_poll_runtime.go,runtime_pollReset}
int runtime_pollReset(uintptr_t ctx, int mode) GOSYMBOL("internal..z2fpoll.runtime_pollReset");
/// runtime_pollSetDeadline sets a deadline d ns from now (< 0 passed, 0 none).
/// \gosrc{internal/poll/fd_poll_runtime.go,runtime_pollSetDeadline}
void runtime_pollSetDeadline(uintptr_t ctx, int64_t d, int mode) GOSYMBOL("internal..z2fpoll.runtime_pollSetDeadline");
/// runtime_pollUnblock wakes the context's waiters for a close.
/// \gosrc{internal/poll/fd_poll_runtime.go,runtime_pollUnblock}
void runtime_pollUnblock(uintptr_t ctx) GOSYMBOL("internal..z2fpoll.runtime_pollUnblock");
/// runtime_isPollServerDescriptor: is fd the poller's own?
/// \gosrc{internal/poll/fd_poll_runtime.go,runtime_isPollServerDescriptor}
bool runtime_isPollServerDescriptor(uintptr_t fd) GOSYMBOL("internal..z2fpoll.runtime_isPollServerDescriptor");

}  // namespace gort::poll
