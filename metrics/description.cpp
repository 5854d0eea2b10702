// metrics/description.cpp: the table of supported metrics' descriptions,
// mirroring src/runtime/metrics/description.go at go1.22.12. See
// description.hpp. Go's text, in Go's (sorted) order, less the metrics the
// port does not support.
#include "description.hpp"

namespace gort::metrics {

namespace {

/// \gosrc{metrics/description.go,allDesc}
constexpr Description allDesc[] = {
    {"/cpu/classes/gc/mark/assist:cpu-seconds",
     "Estimated total CPU time goroutines spent performing GC tasks "
     "to assist the GC and prevent it from falling behind the application. "
     "This metric is an overestimate, and not directly comparable to "
     "system CPU time measurements. Compare only with other /cpu/classes "
     "metrics.",
     KindFloat64, true},
    {"/cpu/classes/gc/mark/dedicated:cpu-seconds",
     "Estimated total CPU time spent performing GC tasks on "
     "processors (as defined by GOMAXPROCS) dedicated to those tasks. "
     "This metric is an overestimate, and not directly comparable to "
     "system CPU time measurements. Compare only with other /cpu/classes "
     "metrics.",
     KindFloat64, true},
    {"/cpu/classes/gc/mark/idle:cpu-seconds",
     "Estimated total CPU time spent performing GC tasks on "
     "spare CPU resources that the Go scheduler could not otherwise find "
     "a use for. This should be subtracted from the total GC CPU time to "
     "obtain a measure of compulsory GC CPU time. "
     "This metric is an overestimate, and not directly comparable to "
     "system CPU time measurements. Compare only with other /cpu/classes "
     "metrics.",
     KindFloat64, true},
    {"/cpu/classes/gc/pause:cpu-seconds",
     "Estimated total CPU time spent with the application paused by "
     "the GC. Even if only one thread is running during the pause, this is "
     "computed as GOMAXPROCS times the pause latency because nothing else "
     "can be executing. This is the exact sum of samples in "
     "/sched/pauses/total/gc:seconds if each sample is multiplied by "
     "GOMAXPROCS at the time it is taken. This metric is an overestimate, "
     "and not directly comparable to system CPU time measurements. Compare "
     "only with other /cpu/classes metrics.",
     KindFloat64, true},
    {"/cpu/classes/gc/total:cpu-seconds",
     "Estimated total CPU time spent performing GC tasks. "
     "This metric is an overestimate, and not directly comparable to "
     "system CPU time measurements. Compare only with other /cpu/classes "
     "metrics. Sum of all metrics in /cpu/classes/gc.",
     KindFloat64, true},
    {"/cpu/classes/idle:cpu-seconds",
     "Estimated total available CPU time not spent executing any Go or Go runtime code. "
     "In other words, the part of /cpu/classes/total:cpu-seconds that was unused. "
     "This metric is an overestimate, and not directly comparable to "
     "system CPU time measurements. Compare only with other /cpu/classes "
     "metrics.",
     KindFloat64, true},
    {"/cpu/classes/scavenge/assist:cpu-seconds",
     "Estimated total CPU time spent returning unused memory to the "
     "underlying platform in response eagerly in response to memory pressure. "
     "This metric is an overestimate, and not directly comparable to "
     "system CPU time measurements. Compare only with other /cpu/classes "
     "metrics.",
     KindFloat64, true},
    {"/cpu/classes/scavenge/background:cpu-seconds",
     "Estimated total CPU time spent performing background tasks "
     "to return unused memory to the underlying platform. "
     "This metric is an overestimate, and not directly comparable to "
     "system CPU time measurements. Compare only with other /cpu/classes "
     "metrics.",
     KindFloat64, true},
    {"/cpu/classes/scavenge/total:cpu-seconds",
     "Estimated total CPU time spent performing tasks that return "
     "unused memory to the underlying platform. "
     "This metric is an overestimate, and not directly comparable to "
     "system CPU time measurements. Compare only with other /cpu/classes "
     "metrics. Sum of all metrics in /cpu/classes/scavenge.",
     KindFloat64, true},
    {"/cpu/classes/total:cpu-seconds",
     "Estimated total available CPU time for user Go code "
     "or the Go runtime, as defined by GOMAXPROCS. In other words, GOMAXPROCS "
     "integrated over the wall-clock duration this process has been executing for. "
     "This metric is an overestimate, and not directly comparable to "
     "system CPU time measurements. Compare only with other /cpu/classes "
     "metrics. Sum of all metrics in /cpu/classes.",
     KindFloat64, true},
    {"/cpu/classes/user:cpu-seconds",
     "Estimated total CPU time spent running user Go code. This may "
     "also include some small amount of time spent in the Go runtime. "
     "This metric is an overestimate, and not directly comparable to "
     "system CPU time measurements. Compare only with other /cpu/classes "
     "metrics.",
     KindFloat64, true},
    {"/gc/cycles/automatic:gc-cycles",
     "Count of completed GC cycles generated by the Go runtime.",
     KindUint64, true},
    {"/gc/cycles/forced:gc-cycles",
     "Count of completed GC cycles forced by the application.",
     KindUint64, true},
    {"/gc/cycles/total:gc-cycles",
     "Count of all completed GC cycles.",
     KindUint64, true},
    {"/gc/gogc:percent",
     "Heap size target percentage configured by the user, otherwise 100. This "
     "value is set by the GOGC environment variable, and the runtime/debug.SetGCPercent "
     "function.",
     KindUint64, false},
    {"/gc/gomemlimit:bytes",
     "Go runtime memory limit configured by the user, otherwise "
     "math.MaxInt64. This value is set by the GOMEMLIMIT environment variable, and "
     "the runtime/debug.SetMemoryLimit function.",
     KindUint64, false},
    {"/gc/heap/allocs-by-size:bytes",
     "Distribution of heap allocations by approximate size. "
     "Bucket counts increase monotonically. "
     "Note that this does not include tiny objects as defined by "
     "/gc/heap/tiny/allocs:objects, only tiny blocks.",
     KindFloat64Histogram, true},
    {"/gc/heap/allocs:bytes",
     "Cumulative sum of memory allocated to the heap by the application.",
     KindUint64, true},
    {"/gc/heap/allocs:objects",
     "Cumulative count of heap allocations triggered by the application. "
     "Note that this does not include tiny objects as defined by "
     "/gc/heap/tiny/allocs:objects, only tiny blocks.",
     KindUint64, true},
    {"/gc/heap/frees-by-size:bytes",
     "Distribution of freed heap allocations by approximate size. "
     "Bucket counts increase monotonically. "
     "Note that this does not include tiny objects as defined by "
     "/gc/heap/tiny/allocs:objects, only tiny blocks.",
     KindFloat64Histogram, true},
    {"/gc/heap/frees:bytes",
     "Cumulative sum of heap memory freed by the garbage collector.",
     KindUint64, true},
    {"/gc/heap/frees:objects",
     "Cumulative count of heap allocations whose storage was freed "
     "by the garbage collector. "
     "Note that this does not include tiny objects as defined by "
     "/gc/heap/tiny/allocs:objects, only tiny blocks.",
     KindUint64, true},
    {"/gc/heap/goal:bytes",
     "Heap size target for the end of the GC cycle.",
     KindUint64, false},
    {"/gc/heap/live:bytes",
     "Heap memory occupied by live objects that were marked by the previous GC.",
     KindUint64, false},
    {"/gc/heap/objects:objects",
     "Number of objects, live or unswept, occupying heap memory.",
     KindUint64, false},
    {"/gc/heap/tiny/allocs:objects",
     "Count of small allocations that are packed together into blocks. "
     "These allocations are counted separately from other allocations "
     "because each individual allocation is not tracked by the runtime, "
     "only their block. Each block is already accounted for in "
     "allocs-by-size and frees-by-size.",
     KindUint64, true},
    {"/gc/limiter/last-enabled:gc-cycle",
     "GC cycle the last time the GC CPU limiter was enabled. "
     "This metric is useful for diagnosing the root cause of an out-of-memory "
     "error, because the limiter trades memory for CPU time when the GC's CPU "
     "time gets too high. This is most likely to occur with use of SetMemoryLimit. "
     "The first GC cycle is cycle 1, so a value of 0 indicates that it was never enabled.",
     KindUint64, false},
    {"/gc/pauses:seconds",
     "Deprecated. Prefer the identical /sched/pauses/total/gc:seconds.",
     KindFloat64Histogram, true},
    {"/gc/scan/globals:bytes",
     "The total amount of global variable space that is scannable.",
     KindUint64, false},
    {"/gc/scan/heap:bytes",
     "The total amount of heap space that is scannable.",
     KindUint64, false},
    {"/gc/scan/stack:bytes",
     "The number of bytes of stack that were scanned last GC cycle.",
     KindUint64, false},
    {"/gc/scan/total:bytes",
     "The total amount space that is scannable. Sum of all metrics in /gc/scan.",
     KindUint64, false},
    {"/gc/stack/starting-size:bytes",
     "The stack size of new goroutines.",
     KindUint64, false},
    {"/memory/classes/heap/free:bytes",
     "Memory that is completely free and eligible to be returned to the underlying system, "
     "but has not been. This metric is the runtime's estimate of free address space that is backed by "
     "physical memory.",
     KindUint64, false},
    {"/memory/classes/heap/objects:bytes",
     "Memory occupied by live objects and dead objects that have not yet been marked free by the garbage collector.",
     KindUint64, false},
    {"/memory/classes/heap/released:bytes",
     "Memory that is completely free and has been returned to the underlying system. This "
     "metric is the runtime's estimate of free address space that is still mapped into the process, "
     "but is not backed by physical memory.",
     KindUint64, false},
    {"/memory/classes/heap/stacks:bytes",
     "Memory allocated from the heap that is reserved for stack space, whether or not it is currently in-use. "
     "Currently, this represents all stack memory for goroutines. It also includes all OS thread stacks in non-cgo programs. "
     "Note that stacks may be allocated differently in the future, and this may change.",
     KindUint64, false},
    {"/memory/classes/heap/unused:bytes",
     "Memory that is reserved for heap objects but is not currently used to hold heap objects.",
     KindUint64, false},
    {"/memory/classes/metadata/mcache/free:bytes",
     "Memory that is reserved for runtime mcache structures, but not in-use.",
     KindUint64, false},
    {"/memory/classes/metadata/mcache/inuse:bytes",
     "Memory that is occupied by runtime mcache structures that are currently being used.",
     KindUint64, false},
    {"/memory/classes/metadata/mspan/free:bytes",
     "Memory that is reserved for runtime mspan structures, but not in-use.",
     KindUint64, false},
    {"/memory/classes/metadata/mspan/inuse:bytes",
     "Memory that is occupied by runtime mspan structures that are currently being used.",
     KindUint64, false},
    {"/memory/classes/metadata/other:bytes",
     "Memory that is reserved for or used to hold runtime metadata.",
     KindUint64, false},
    {"/memory/classes/os-stacks:bytes",
     "Stack memory allocated by the underlying operating system. "
     "In non-cgo programs this metric is currently zero. This may change in the future."
     "In cgo programs this metric includes OS thread stacks allocated directly from the OS. "
     "Currently, this only accounts for one stack in c-shared and c-archive build modes, "
     "and other sources of stacks from the OS are not measured. This too may change in the future.",
     KindUint64, false},
    {"/memory/classes/other:bytes",
     "Memory used by execution trace buffers, structures for debugging the runtime, finalizer and profiler specials, and more.",
     KindUint64, false},
    {"/memory/classes/profiling/buckets:bytes",
     "Memory that is used by the stack trace hash map used for profiling.",
     KindUint64, false},
    {"/memory/classes/total:bytes",
     "All memory mapped by the Go runtime into the current process as read-write. Note that this does not include memory mapped by code called via cgo or via the syscall package. Sum of all metrics in /memory/classes.",
     KindUint64, false},
    {"/sched/gomaxprocs:threads",
     "The current runtime.GOMAXPROCS setting, or the number of operating system threads that can execute user-level Go code simultaneously.",
     KindUint64, false},
    {"/sched/goroutines:goroutines",
     "Count of live goroutines.",
     KindUint64, false},
    {"/sched/latencies:seconds",
     "Distribution of the time goroutines have spent in the scheduler in a runnable state before actually running. Bucket counts increase monotonically.",
     KindFloat64Histogram, true},
    {"/sched/pauses/stopping/gc:seconds",
     "Distribution of individual GC-related stop-the-world stopping latencies. This is the time it takes from deciding to stop the world until all Ps are stopped. This is a subset of the total GC-related stop-the-world time (/sched/pauses/total/gc:seconds). During this time, some threads may be executing. Bucket counts increase monotonically.",
     KindFloat64Histogram, true},
    {"/sched/pauses/stopping/other:seconds",
     "Distribution of individual non-GC-related stop-the-world stopping latencies. This is the time it takes from deciding to stop the world until all Ps are stopped. This is a subset of the total non-GC-related stop-the-world time (/sched/pauses/total/other:seconds). During this time, some threads may be executing. Bucket counts increase monotonically.",
     KindFloat64Histogram, true},
    {"/sched/pauses/total/gc:seconds",
     "Distribution of individual GC-related stop-the-world pause latencies. This is the time from deciding to stop the world until the world is started again. Some of this time is spent getting all threads to stop (this is measured directly in /sched/pauses/stopping/gc:seconds), during which some threads may still be running. Bucket counts increase monotonically.",
     KindFloat64Histogram, true},
    {"/sched/pauses/total/other:seconds",
     "Distribution of individual non-GC-related stop-the-world pause latencies. This is the time from deciding to stop the world until the world is started again. Some of this time is spent getting all threads to stop (measured directly in /sched/pauses/stopping/other:seconds). Bucket counts increase monotonically.",
     KindFloat64Histogram, true},
    {"/sync/mutex/wait/total:seconds",
     "Approximate cumulative time goroutines have spent blocked on a sync.Mutex, sync.RWMutex, or runtime-internal lock. This metric is useful for identifying global changes in lock contention. Collect a mutex or block profile using the runtime/pprof package for more detailed contention data.",
     KindFloat64, true},
};

}  // namespace

/// \gosrc{metrics/description.go,All}
std::span<const Description> All() { return allDesc; }

}  // namespace gort::metrics
