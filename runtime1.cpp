// runtime1.cpp: environment and debug settings, mirroring runtime1.go at
// go1.22.12: goenvs, parsedebugvars (GODEBUG=schedtrace=N,scheddetail=1),
// setTraceback/gotraceback (GOTRACEBACK).
#include <cstdlib>
#include <cstring>

#include "proc.hpp"
#include "string.hpp"

namespace runtime {

dbgVar_t debug;

namespace {
// traceback_cache packs GOTRACEBACK as Go does: level << tracebackShift |
// tracebackAll | tracebackCrash.
constexpr uint32 tracebackCrash = 1u << 0;
constexpr uint32 tracebackAll = 1u << 1;
constexpr uint32 tracebackShift = 2;
uint32 traceback_cache = 1u << tracebackShift;  // GOTRACEBACK=single

}  // namespace

void setTraceback(const char* level);

/// gotraceback returns the current traceback level and whether to show all
/// goroutines and crash. A runtime throw always shows runtime frames.
/// \gosrc{runtime1.go,gotraceback}
NOSPLIT int32 gotraceback_level(bool* all, bool* crash);
int32 gotraceback_level(bool* all, bool* crash) {
  g* gp = getg();
  uint32 t = atomic::Load(&traceback_cache);
  *crash = (t & tracebackCrash) != 0;
  *all = (gp != nullptr && gp->m->throwing >= throwTypeUser) || (t & tracebackAll) != 0;
  int32 level = int32(t >> tracebackShift);
  if (gp != nullptr && gp->m->throwing >= throwTypeRuntime && level < 2 && level > 0)
    level = 2;
  return level;
}

/// parsedebugvars reads GODEBUG and GOTRACEBACK. \gosrc{runtime1.go,parsedebugvars}
void parsedebugvars() {
  if (const char* s = getenv("GODEBUG")) {
    // A comma-separated list of name=value.
    const char* p = s;
    while (*p) {
      const char* comma = strchr(p, ',');
      size_t len = comma ? size_t(comma - p) : strlen(p);
      char field[64];
      if (len < sizeof field) {
        memcpy(field, p, len);
        field[len] = '\0';
        if (char* eq = strchr(field, '=')) {
          *eq = '\0';
          auto [v, ok] = atoi32(eq + 1);
          if (ok && strcmp(field, "schedtrace") == 0) debug.schedtrace = v;
          if (ok && strcmp(field, "scheddetail") == 0) debug.scheddetail = v;
          if (ok && strcmp(field, "stackguardpage") == 0) debug.stackguardpage = v;
          if (ok && strcmp(field, "disablethp") == 0) debug.disablethp = v;
          if (ok && strcmp(field, "madvdontneed") == 0) debug.madvdontneed = v;
          if (ok && strcmp(field, "harddecommit") == 0) debug.harddecommit = v;
          if (ok && strcmp(field, "gortchaos") == 0) debug.gortchaos = v;
          if (ok && strcmp(field, "gctrace") == 0) debug.gctrace = v;
          if (ok && strcmp(field, "gccheckmark") == 0) debug.gccheckmark = v;
          if (ok && strcmp(field, "gcpacertrace") == 0) debug.gcpacertrace = v;
          if (ok && strcmp(field, "scavtrace") == 0) debug.scavtrace = v;
          if (ok && strcmp(field, "gcstoptheworld") == 0) debug.gcstoptheworld = v;
          if (ok && strcmp(field, "invalidptr") == 0) debug.invalidptr = v;
          if (ok && strcmp(field, "asyncpreemptoff") == 0) debug.asyncpreemptoff = v;
          if (ok && strcmp(field, "tracebackancestors") == 0) debug.tracebackancestors = v;
        }
      }
      p += len;
      if (*p == ',') p++;
    }
  }
  setTraceback(getenv("GOTRACEBACK"));
}

/// setTraceback parses GOTRACEBACK. \gosrc{runtime1.go,setTraceback}
void setTraceback(const char* level) {
  uint32 t;
  if (level == nullptr || strcmp(level, "") == 0 || strcmp(level, "single") == 0) {
    t = 1u << tracebackShift;
  } else if (strcmp(level, "none") == 0) {
    t = 0;
  } else if (strcmp(level, "all") == 0) {
    t = 1u << tracebackShift | tracebackAll;
  } else if (strcmp(level, "system") == 0) {
    t = 2u << tracebackShift | tracebackAll;
  } else if (strcmp(level, "crash") == 0) {
    t = 2u << tracebackShift | tracebackAll | tracebackCrash;
  } else {
    auto [n, ok] = atoi32(level);
    t = ok ? (uint32(n) << tracebackShift) | tracebackAll : (1u << tracebackShift);
  }
  traceback_cache = t;
}

/// atoi for GOMAXPROCS (Go: atoi32 in string.go).
bool envInt32(const char* name, int32* out) {
  const char* s = getenv(name);
  if (s == nullptr || *s == '\0') return false;
  auto [v, ok] = atoi32(s);
  if (ok) *out = v;
  return ok;
}

}  // namespace runtime
