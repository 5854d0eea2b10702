// sync/sync.hpp: package sync for C++ users, in one include:
// Mutex, RWMutex, Locker, WaitGroup, Cond, Once (go1.22.12 src/sync), built
// on the runtime's semaphores through the linkname back channel.
#pragma once
#include "cond.hpp"
#include "mutex.hpp"
#include "once.hpp"
#include "rwmutex.hpp"
#include "waitgroup.hpp"
