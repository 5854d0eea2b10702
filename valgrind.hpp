// valgrind.hpp: valgrind's client requests, or no-ops where the headers are
// missing. Not a Go file: Go tells no memory checker about its stacks.
//
// A client request is a few instructions that do nothing natively and that
// valgrind recognises when it runs the program (Debian package valgrind
// ships the headers). Without the headers there is nothing to tell, so each
// request the runtime uses becomes an expression with no effect. The users:
// stack.cpp and signal_unix.cpp register stacks; proc.cpp and stack.cpp
// say what a reused or freed stack holds; mgcmark.cpp reads candidate
// pointers with error reporting off.
#pragma once

#if __has_include(<valgrind/valgrind.h>) && __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#define VALGRIND_STACK_REGISTER(lo, hi) 0u
#define VALGRIND_STACK_DEREGISTER(id) ((void)(id))
#define VALGRIND_MAKE_MEM_DEFINED(addr, len) ((void)(addr), (void)(len))
#define VALGRIND_MAKE_MEM_UNDEFINED(addr, len) ((void)(addr), (void)(len))
#define VALGRIND_DISABLE_ERROR_REPORTING ((void)0)
#define VALGRIND_ENABLE_ERROR_REPORTING ((void)0)
#endif
