// osthreads.hpp: what the kernel says about this process, for the book's
// programs that count threads (timerfacts, pollfacts) or measure their
// resident memory (scavfacts).
#pragma once
#include <cstdio>
#include <cstdlib>
#include <cstring>

/// procStatus: the number on the line of /proc/self/status that starts with
/// field ("Threads:", "VmRSS:" in kB), or -1 if it cannot be read.
inline long procStatus(const char* field) {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return -1;
  char line[256];
  long n = -1;
  size_t len = std::strlen(field);
  while (std::fgets(line, sizeof line, f) != nullptr)
    if (std::strncmp(line, field, len) == 0) n = std::atol(line + len);
  std::fclose(f);
  return n;
}

/// osThreads: the OS threads of the process, from the Threads: line of
/// /proc/self/status (-1 if it cannot be read).
inline int osThreads() { return int(procStatus("Threads:")); }
