# runtime-gdb.py: gdb support for programs built with gort, the port's
# counterpart of Go's src/runtime/runtime-gdb.py at go1.22.12.
#
# gdb sees threads (the runtime's Ms); this script shows it the goroutines.
#
#   info goroutines      one line per goroutine that is not dead: a '*' when it
#                        has an M, its id, its status, its wait reason, and
#                        where it is (the first frame outside gort's own code).
#   goroutine ID CMD     run the gdb command CMD (bt, info frame, frame 2, ...)
#                        in goroutine ID's context. ID is a number, any gdb
#                        expression without spaces (gid_worker, $n), or "all".
#
# Pretty-printers: runtime::g, runtime::gobuf, runtime::hchan, runtime::waitq,
# runtime::sudog and gort::chan<T>. `p/r` prints the raw struct.
#
# How it is loaded. libgort.a carries a .debug_gdb_scripts section naming this
# file (tools/gdb/debug_gdb_scripts.S, cmake/gdb.cmake): in the build tree this
# source file, after `cmake --install` the copy under
# <prefix>/share/gort/gdb/. gdb loads it only from a directory it trusts:
# add `add-auto-load-safe-path <that directory>` to ~/.config/gdb/gdbinit, or
# pass it with -iex. `source runtime-gdb.py` also works, at any time.
#
# Where a goroutine's frames start (see _context). A goroutine that is running
# (or in a system call) has a thread, found by m.procid; commands run on that
# thread. Any other goroutine was stopped by one of three routines of
# asm_amd64.S, which left its context in g.sched:
#   runtime.mcall       (parked: gopark, Gosched) sched.pc is mcall's resume
#                       label, sched.sp points at the callee-saved registers
#                       mcall pushed, and mcall's unwind information (CFI)
#                       describes them, so gdb unwinds from there exactly;
#   __morestack         (preempted at a function's stack check) sched.lr is
#                       the return address into that function and the
#                       function's own return address sits above the 248
#                       bytes __morestack saved: the context is that function,
#                       stopped at its check;
#   runtime.systemstack (a running goroutine whose thread is on g0) sched.bp
#                       is systemstack's frame: the context is its caller.
# A goroutine that never ran has its entry function in sched.pc and goexit's
# address on its stack. The command runs with the selected thread's $pc, $sp
# and $rbp set to that context, which are restored afterwards (so it needs a
# live process: a core file's registers cannot be written).
#
# Departures from Go's script, which reads sched.pc and sched.sp only and
# prints the function holding sched.pc (always runtime.gopark there): gort
# sets $rbp too (the C++ frames are walked by CFI and frame pointers), and
# every register __morestack saved for a preempted goroutine; it runs
# commands for a running goroutine on its own thread instead of copying that
# thread's registers, and shows, as "where", the caller that blocked rather
# than the runtime function it blocked in.
#
# Nothing here changes the program. Keep it that way: a command run with
# `goroutine ID` must only read (Go's script gives the same warning).

import re
import sys

import gdb
import gdb.printing

print("Loading gort runtime support.", file=sys.stderr)

# --- Reading the runtime's state ------------------------------------------------


def _plain(v):
    """The value inside an atomic::Racy<T> field (internal/atomic/atomic.hpp),
    which wraps the fields other threads read without a lock, or inside a
    runtime::heapPtr<T> or racyHeapPtr<T> (mwbbuf.hpp), which wrap GC
    references so that their stores carry the write barrier; other values
    are returned as they are."""
    t = v.type.strip_typedefs()
    if t.code == gdb.TYPE_CODE_STRUCT and t.tag:
        if t.tag.startswith("runtime::atomic::Racy<") or t.tag.startswith("runtime::racyHeapPtr<"):
            return v["v"]
        if t.tag.startswith("runtime::heapPtr<"):
            return v["p_"]
    return v


def _const(expr, default):
    """An integer constant from the program's debug info, or default."""
    try:
        return int(gdb.parse_and_eval(expr))
    except gdb.error:
        return default


class _G:
    """The _G* status constants (runtime2.hpp), read once from the program."""
    _names = None

    @classmethod
    def names(cls):
        if cls._names is None:
            pairs = [("_Gidle", 0, "idle"), ("_Grunnable", 1, "runnable"), ("_Grunning", 2, "running"),
                     ("_Gsyscall", 3, "syscall"), ("_Gwaiting", 4, "waiting"),
                     ("_Gmoribund_unused", 5, "moribund"), ("_Gdead", 6, "dead"),
                     ("_Genqueue_unused", 7, "enqueue"), ("_Gcopystack", 8, "copystack"),
                     ("_Gpreempted", 9, "preempted")]
            cls._names = {_const("runtime::" + c, v): s for c, v, s in pairs}
            cls.scan = _const("runtime::_Gscan", 0x1000)
            cls.running = _const("runtime::_Grunning", 2)
            cls.syscall = _const("runtime::_Gsyscall", 3)
            cls.waiting = _const("runtime::_Gwaiting", 4)
            cls.dead = _const("runtime::_Gdead", 6)
        return cls._names


def _status(gp):
    """(status without the scan bit, its name), e.g. (4, 'waiting') or
    (0x1004 & ~scan, 'waiting+s')."""
    names = _G.names()
    s = int(gp["atomicstatus"]["value"])
    base = s & ~_G.scan
    name = names.get(base, "unknown(%d)" % base)
    if s & _G.scan:
        name += "+s"
    return base, name


def _waitreason(gp):
    """g.waitreason as Go prints it (runtime::waitReasonStrings)."""
    i = int(_plain(gp["waitreason"]))
    try:
        table = gdb.parse_and_eval("runtime::waitReasonStrings")
        lo, hi = table.type.range()
        if lo <= i <= hi:
            return table[i].string()
    except gdb.error:
        pass
    return "unknown wait reason"


def _header(gp):
    """The bracketed part of a goroutine dump's header line (traceback.cpp's
    goroutineheader): the wait reason of a waiting goroutine, else its status."""
    base, name = _status(gp)
    if base == _G.waiting:
        reason = _waitreason(gp)
        if reason:
            return reason
    return name


def _allgs():
    """Every g in runtime::allgs, dead ones included (proc.cpp allgadd)."""
    n = int(gdb.parse_and_eval("runtime::allglen"))
    allgs = gdb.parse_and_eval("runtime::allgs")
    for i in range(n):
        gp = allgs[i]
        if gp:
            yield gp


def _live(gp):
    return _status(gp)[0] != _G.dead


def _find(goid):
    for gp in _allgs():
        if int(gp["goid"]) == goid and _live(gp):
            return gp
    return None


def _msymbol(addr):
    """The ELF symbol holding addr, as (name, offset), or (None, 0). gdb
    prints it after a pointer's value ("0x... <runtime.mcall+107>"); asking
    that way runs no command (so nothing is echoed under trace-commands)."""
    vp = gdb.lookup_type("void").pointer()
    text = gdb.Value(addr).cast(vp).format_string(symbols=True)
    m = re.search(r"<(.*?)(\+(\d+))?>$", text)
    if not m:
        return None, 0
    return m.group(1), int(m.group(3) or 0)


def _symbol_at(addr):
    """The name of the function holding addr, or None."""
    try:
        block = gdb.block_for_pc(addr)
    except RuntimeError:
        block = None
    while block is not None and block.function is None:
        block = block.superblock
    if block is not None:
        return block.function.name
    return _msymbol(addr)[0]


def _read_word(addr):
    return int.from_bytes(gdb.selected_inferior().read_memory(addr, 8).tobytes(), "little")


# --- A goroutine's context ------------------------------------------------------


def _thread_of(gp):
    """The gdb thread whose LWP is the id of gp's M, or None."""
    mp = _plain(gp["m"])
    if not mp:
        return None
    tid = int(mp["procid"])
    for thr in gdb.selected_inferior().threads():
        if thr.ptid[1] == tid:
            return thr
    return None


def _thread_sp(thr):
    cur = gdb.selected_thread()
    try:
        thr.switch()
        return int(gdb.parse_and_eval("(unsigned long)$sp"))
    finally:
        cur.switch()


class _Context:
    """Where goroutine gp's frames start: a thread (running), or register
    values from g.sched and the stack ({"pc": ..., "sp": ..., "rbp": ...})."""

    def __init__(self, gp, thread=None, regs=None):
        self.gp, self.thread, self.regs = gp, thread, regs


# The registers __morestack pushes, from the lowest address up, above the
# 128 bytes of xmm0-7 (asm_amd64.S; .Lms_resume pops them in this order).
_MORESTACK_SAVED = ("r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8",
                    "rcx", "rdx", "rsi", "rdi", "rax")


def _context(gp):
    base, _ = _status(gp)
    lo, hi = int(gp["stack_"]["lo"]), int(gp["stack_"]["hi"])
    sched = gp["sched"]
    pc, sp, bp = int(sched["pc"]), int(sched["sp"]), int(sched["bp"])
    thr = None
    if base in (_G.running, _G.syscall):
        thr = _thread_of(gp)
        # A thread on the goroutine's own stack is running it. One on g0's
        # (systemstack, or the scheduler on its way to park or preempt it)
        # is not: then g.sched, when set, says where the goroutine stopped.
        if thr is not None and (lo <= _thread_sp(thr) < hi or sp == 0):
            return _Context(gp, thread=thr)
    if sp == 0 or not (lo <= sp <= hi):
        return _Context(gp, thread=thr) if thr is not None else None
    fn = _symbol_at(pc)
    if fn == "__morestack":
        # Stopped at a function's stack check, with every general register
        # saved: restore them all, so that frame 0 is that function at its
        # check (sched.lr, the return address of the call to __morestack),
        # with the arguments it was called with.
        regs = {r: _read_word(sp + 128 + 8 * i) for i, r in enumerate(_MORESTACK_SAVED)}
        regs["sp"] = sp + 128 + 8 * len(_MORESTACK_SAVED) + 8
        regs["pc"] = int(sched["lr"])
        return _Context(gp, regs=regs)
    if fn == "runtime.systemstack_switch":
        # sched.bp is systemstack's frame: resume the view in its caller.
        pc, sp, bp = _read_word(bp + 8), bp + 16, _read_word(bp)
    regs = {"pc": pc, "sp": sp, "rbp": bp}
    if int(sched["ctxt"]):
        regs["rdi"] = int(sched["ctxt"])  # gogo passes the closure in %rdi
    return _Context(gp, regs=regs)


_MACHINE_REG = {"pc": "rip", "sp": "rsp"}


class _InGoroutine:
    """with _InGoroutine(gp): gdb's selected thread and frame 0 show gp."""

    def __init__(self, gp):
        self.ctx = _context(gp)
        if self.ctx is None:
            raise gdb.GdbError("goroutine %d: no saved context and no thread" % int(gp["goid"]))
        self.saved = None

    def __enter__(self):
        self.thread = gdb.selected_thread()
        try:
            self.frame = gdb.selected_frame()
        except gdb.error:
            self.frame = None
        if self.ctx.thread is not None:
            self.ctx.thread.switch()
            gdb.execute("select-frame 0", to_string=True)
            return self
        # Registers can be written only in the newest frame.
        gdb.execute("select-frame 0", to_string=True)
        # The machine's names: $sp and $pc are gdb's aliases, which it
        # refuses to assign once a write to another register has made it
        # rebuild frame 0.
        regs = {_MACHINE_REG.get(r, r): v for r, v in self.ctx.regs.items()}
        self.saved = [(r, int(gdb.parse_and_eval("(unsigned long)$" + r))) for r in regs]
        try:
            for r, v in regs.items():
                gdb.parse_and_eval("$%s = %d" % (r, v))
        except gdb.error as e:
            self.__exit__(None, None, None)
            raise gdb.GdbError("goroutine %d is not running, and showing its frames needs a live process "
                               "(%s)" % (int(self.ctx.gp["goid"]), e))
        return self

    def __exit__(self, *exc):
        if self.saved is not None:
            # The command may have left gdb's frame cache holding frames
            # unwound from the goroutine's registers; in such a cache frame
            # 0's registers can be read-only. Written registers are in the
            # thread already, so dropping the cache loses nothing.
            gdb.execute("maintenance flush register-cache", to_string=True)
            for r, v in reversed(self.saved):
                gdb.execute("select-frame 0", to_string=True)
                gdb.parse_and_eval("$%s = %d" % (r, v))
            self.saved = None
        self.thread.switch()
        if self.frame is not None:
            try:
                self.frame.select()
            except gdb.error:
                pass
        return False


# Frames of gort itself (the runtime, package sync, the gort:: surface that
# stands for the compiler's lowering) and of the standard library: "where"
# skips them to reach the code that blocked.
_INTERNAL = re.compile(r"^(runtime::|runtime\.|gort::|sync\.|std::|__gnu_cxx::|__morestack)")


def _describe(frame):
    name = frame.name() or "0x%x" % frame.pc()
    sal = frame.find_sal()
    if sal.symtab is not None and sal.line:
        return "%s at %s:%d" % (name, sal.symtab.filename, sal.line)
    return name


# When every frame is gort's (the code that blocked was left by a tail call),
# "where" is the oldest frame that is not the runtime's, the standard
# library's or the go statement's wrapper: package sync's, typically.
_PLUMBING = re.compile(r"^(runtime::|runtime\.|std::|__gnu_cxx::|gort::go<|gort::detail::)")


def _function_at(addr):
    """The name of the function that starts at addr, if one does."""
    try:
        block = gdb.block_for_pc(addr)
    except RuntimeError:
        return None
    while block is not None and block.function is None:
        block = block.superblock
    if block is None or block.start != addr:
        return None
    return _strip_params(block.function.name)


def _strip_params(name):
    """f(int, int) -> f, as gdb names frames."""
    if not name.endswith(")"):
        return name
    depth = 0
    for i in range(len(name) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(name[i], 0)
        if depth == 0:
            return name[:i] if i > 0 else name
    return name


def _entry(gp):
    """What a goroutine that has not run yet will run: the function given to
    gort::go when it was a function (the closure's first capture, after the
    funcval's code pointer, go.hpp goclosure), else the closure's entry."""
    fv = int(_plain(gp["startfn"]))
    if fv:
        name = _function_at(_read_word(fv + 8))
        if name:
            return name
    return _symbol_at(int(gp["startpc"])) or "0x%x" % int(gp["startpc"])


def _where(gp):
    """The first frame of gp outside gort's own code, as 'f at file:line'."""
    base, _ = _status(gp)
    sched = gp["sched"]
    if base != _G.running and int(sched["sp"]) != 0 and int(sched["pc"]) == int(gp["startpc"]):
        return "%s (not started)" % _entry(gp)
    with _InGoroutine(gp):
        frame = first = gdb.newest_frame()
        fallback = None
        while frame is not None:
            name = frame.name() or ""
            if not _INTERNAL.match(name):
                return _describe(frame)
            if not _PLUMBING.match(name):
                fallback = frame
            try:
                frame = frame.older()
            except gdb.error:
                break
        return _describe(fallback or first)


# --- Commands ---------------------------------------------------------------------


class InfoGoroutines(gdb.Command):
    """List the goroutines: '*' if it has an M, id, status, wait reason, where.

Usage: info goroutines
Dead goroutines are left out. "Where" is the first frame outside gort's own
code (runtime, package sync, gort::, std::): for a parked goroutine, the
call that blocked. `goroutine ID bt` shows all of its frames."""

    def __init__(self):
        super().__init__("info goroutines", gdb.COMMAND_STACK, gdb.COMPLETE_NONE)

    def invoke(self, arg, from_tty):
        rows = []
        for gp in _allgs():
            if not _live(gp):
                continue
            base, status = _status(gp)
            reason = _waitreason(gp) if base == _G.waiting else ""
            try:
                where = _where(gp)
            except gdb.GdbError:
                where = "?"
            except (gdb.error, gdb.MemoryError) as e:
                where = "? (%s)" % e
            rows.append(("*" if _plain(gp["m"]) else " ", int(gp["goid"]), status, reason, where))
        if not rows:
            print("No goroutines (is the program running?)")
            return
        wid = max(len(str(r[1])) for r in rows)
        wst = max(len(r[2]) for r in rows)
        wre = max(len(r[3]) for r in rows)
        for mark, goid, status, reason, where in rows:
            print("%s %*d %-*s  %-*s  %s" % (mark, wid, goid, wst, status, wre, reason, where))


class GoroutineCmd(gdb.Command):
    """Run a gdb command in a goroutine's context.

Usage: goroutine ID COMMAND
       goroutine all COMMAND
ID is a goroutine id, or any expression without spaces that evaluates to one.
For a running goroutine the command runs on its thread; for any other, with
the selected thread's pc, sp and rbp set to the context saved in g.sched, and
restored afterwards. Use it to read (bt, info locals, frame N, p): changing the
program from there is not supported."""

    def __init__(self):
        super().__init__("goroutine", gdb.COMMAND_STACK, gdb.COMPLETE_NONE)

    def invoke(self, arg, from_tty):
        parts = arg.split(None, 1)
        if len(parts) != 2:
            raise gdb.GdbError("usage: goroutine ID COMMAND (ID: an id, an expression, or all)")
        which, cmd = parts
        if which == "all":
            for gp in [gp for gp in _allgs() if _live(gp)]:
                print("goroutine %d [%s]:" % (int(gp["goid"]), _header(gp)))
                try:
                    self.run(gp, cmd)
                except gdb.GdbError as e:
                    print(e)
                print()
            return
        goid = int(gdb.parse_and_eval(which))
        gp = _find(goid)
        if gp is None:
            raise gdb.GdbError("No such goroutine: %d" % goid)
        self.run(gp, cmd)

    @staticmethod
    def run(gp, cmd):
        with _InGoroutine(gp):
            try:
                gdb.execute(cmd, from_tty=False)
            except gdb.error as e:
                raise gdb.GdbError(str(e))  # gdb's message, without a Python traceback


# --- Pretty-printers ----------------------------------------------------------------


class GPrinter:
    """runtime::g as `goroutine 5 [chan receive]`, with its main fields."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        return "goroutine %d [%s]" % (int(self.val["goid"]), _header(self.val))

    def children(self):
        vp = gdb.lookup_type("void").pointer()
        yield "goid", self.val["goid"]
        yield "m", _plain(self.val["m"])
        yield "sched", self.val["sched"]
        yield "stack_", self.val["stack_"]
        yield "waiting", _plain(self.val["waiting"])
        yield "parentGoid", self.val["parentGoid"]
        yield "gopc", self.val["gopc"].cast(vp)
        yield "startpc", self.val["startpc"].cast(vp)


class GobufPrinter:
    """runtime::gobuf with sp, pc and bp as addresses (pc with its symbol)."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        return None

    def children(self):
        vp = gdb.lookup_type("void").pointer()
        for f in ("pc", "sp", "bp"):
            yield f, self.val[f].cast(vp)


_elemtypes = {}


def _elem_type(c):
    """The C++ type T of channel c's elements, from the symbol its elemtype
    points at (runtime::typeOf<T>, type.hpp); None if unknown."""
    addr = int(c["elemtype"])
    if addr in _elemtypes:
        return _elemtypes[addr]
    t = None
    name, off = _msymbol(addr)
    if name and off == 0 and name.startswith("runtime::typeOf<") and name.endswith(">"):
        try:
            t = gdb.lookup_type(name[len("runtime::typeOf<"):-1].strip())
        except gdb.error:
            t = None
    _elemtypes[addr] = t
    return t


def _type_name(c):
    t = _elem_type(c)
    return str(t) if t is not None else "?"


def _queue(q):
    sg = _plain(q["first"])
    while sg:
        yield sg
        sg = _plain(sg["next"])


def _sudog_text(sg, full):
    """One sudog: its goroutine, and what it does with its elem."""
    gp = sg["g_"]
    s = "goroutine %d" % int(gp["goid"]) if gp else "no goroutine"
    c = _plain(sg["c"])
    elem = _plain(sg["elem"])
    if c:
        me = int(sg.address) if sg.address is not None else 0
        sending = any(int(x) == me for x in _queue(c["sendq"]))
        t = _elem_type(c)
        if sending:
            s += " sends"
            if elem and t is not None and t.sizeof > 0:
                s += " " + str(elem.cast(t.pointer()).dereference())
        else:
            s += " receives"
        if sg["isSelect"]:
            s += " (select)"
        if full:
            s += ", elem %s, chan 0x%x" % (str(elem.cast(gdb.lookup_type("void").pointer())), int(c))
    elif full:
        s += ", elem %s (a semaphore's address, or a select case)" % elem
    return s


class SudogPrinter:
    """runtime::sudog as `goroutine 5 sends 2, elem 0x..., chan 0x...`."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        return _sudog_text(self.val, True)


class WaitqPrinter:
    """runtime::waitq as the list of its waiters, first in line first."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        out = []
        for sgp in _queue(self.val):
            out.append(_sudog_text(sgp.dereference(), False))
        return "{" + ", ".join(out) + "}"


class HchanPrinter:
    """runtime::hchan as `chan int, len 1, cap 1`, with the buffered values
    (oldest first) and the parked receivers and senders."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        c = self.val
        s = "chan %s, len %d, cap %d" % (_type_name(c), int(_plain(c["qcount"])), int(c["dataqsiz"]))
        if int(_plain(c["closed"])):
            s += ", closed"
        return s

    def children(self):
        c = self.val
        yield "elemsize", c["elemsize"]
        n, size = int(_plain(c["qcount"])), int(c["dataqsiz"])
        t = _elem_type(c)
        if n > 0 and t is not None and t.sizeof > 0:
            inf = gdb.selected_inferior()
            buf, es, recvx = int(c["buf"]), int(c["elemsize"]), int(c["recvx"])
            data = b"".join(inf.read_memory(buf + ((recvx + i) % size) * es, es).tobytes() for i in range(n))
            yield "buf", gdb.Value(data, t.array(n - 1))
        yield "recvq", c["recvq"]
        yield "sendq", c["sendq"]


class ChanPrinter:
    """gort::chan<T>: nil, or the channel it refers to."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        c = _plain(self.val["c_"])
        if not c:
            return "nil chan<%s>" % self.val.type.strip_typedefs().template_argument(0)
        return c.dereference()


class _Printers(gdb.printing.PrettyPrinter):
    """gort's runtime structures and gort::chan<T>."""

    exact = {
        "runtime::g": GPrinter,
        "runtime::gobuf": GobufPrinter,
        "runtime::hchan": HchanPrinter,
        "runtime::waitq": WaitqPrinter,
        "runtime::sudog": SudogPrinter,
    }

    def __init__(self):
        super().__init__("gort")

    def __call__(self, val):
        t = val.type
        if t.code == gdb.TYPE_CODE_REF:
            t = t.target()
        t = t.strip_typedefs().unqualified()
        if t.code != gdb.TYPE_CODE_STRUCT or t.tag is None:
            return None
        if t.tag in self.exact:
            return self.exact[t.tag](val)
        if t.tag.startswith("gort::chan<"):
            return ChanPrinter(val)
        return None


def _register():
    InfoGoroutines()
    GoroutineCmd()
    objfile = gdb.current_objfile()
    gdb.printing.register_pretty_printer(objfile, _Printers(), replace=True)


_register()
