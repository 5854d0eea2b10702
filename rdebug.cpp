// rdebug.cpp: the runtime's side of runtime/debug.SetMaxStack, mirroring
// rdebug.go at go1.22.12 (setMaxStack; its setPanicOnFault is not ported).
#include "pragmas.hpp"
#include "runtime2.hpp"

namespace runtime {

extern uintptr maxstacksize;  // stack.cpp

/// setMaxStack: runtime/debug.SetMaxStack's entry into the runtime. Sets
/// the most bytes of stack a goroutine may hold (newstack checks it when a
/// stack grows) and returns the old limit. \gosrc{rdebug.go,setMaxStack}
int64 setMaxStack(int64 in) LINKNAME("runtime..z2fdebug.setMaxStack");
int64 setMaxStack(int64 in) {
  int64 out = int64(maxstacksize);
  maxstacksize = uintptr(in);
  return out;
}

}  // namespace runtime
