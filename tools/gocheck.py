#!/usr/bin/python3
"""gocheck: enforce the runtime's //go: directives on the C++ port.

Go's toolchain does not take its runtime directives on trust; this tool ports
the checks that give them teeth, reading the pinned sources at go1.22.12:

  nosplit            cmd/link/internal/ld/stackcheck.go (doStackCheck). Every
                     chain of frames that runs without a stack-bound check must
                     fit in StackNosplit (800, internal/abi/stack.go) less one
                     return address: 792 bytes on amd64. A frame has no check
                     when its object code never calls __morestack (GCC's
                     no_split_stack, asm routines, and nothing else under
                     -fsplit-stack). A splittable callee costs only the call
                     to __morestack (8 bytes); an indirect call is assumed to
                     reach a splittable function (8 + 8); __morestack and
                     functions outside the checked objects cost 0, as Go
                     assumes for morestack and external code. Over the limit
                     the report has Go's shape: "<root>: nosplit stack over
                     792 byte limit", then the chain with each frame's growth
                     and "N bytes over limit" or "infinite cycle".
  nosplit attribute  a function marked NOSPLIT whose object code still checks
                     the stack (GCC only honours no_split_stack on the first
                     declaration, see pragmas.hpp [pragma-decl]).
  nowritebarrier     cmd/compile/internal/ssagen/nowb.go: a NOWRITEBARRIER
                     function calls a write-barrier entry point
                     ("write barrier prohibited").
  nowritebarrierrec  nowb.go's breadth-first walk from each NOWRITEBARRIERREC
                     function over the static call graph, with a callback
                     passed to systemstack counted as a call (nowb.go's
                     extraCalls), stopping at YESWRITEBARRIERREC functions
                     ("write barrier prohibited by caller; f" and the chain of
                     "called by" lines).
  systemstack        a direct call of a SYSTEMSTACK function from code that is
                     neither SYSTEMSTACK nor known to run on g0: a callback of
                     systemstack or mcall, a thread entry that runs on g0
                     (rt0_go, mstart0; newstack, which __morestack calls
                     after switching to g0), or a function all of whose static
                     callers run on g0. A function whose address escapes
                     elsewhere is not judged (it cannot tell). Every SYSTEMSTACK
                     function must also open with runtime::systemstackcheck(),
                     the port's spelling of the entry check Go's compiler adds
                     (stack.go's morestackc throws "attempt to execute system
                     stack code on user stack").
  linkname           every LINKNAME (and asm-label) symbol has exactly one
                     definition in the built objects (nm): none is the Go
                     linker's "relocation target X not defined", two are its
                     "duplicated definition of symbol X, from A and B".
  notinheap          a non-placement `new` of a type deriving from
                     sys::NotInHeap ("T can't be allocated in Go; it is
                     incomplete (or unallocatable)", walk/builtin.go). The
                     header half is the static_assert in the allocation entry.

Why libclang through Python rather than a clang-tidy module: the checks are
whole-program (call chains cross translation units and must be joined with
GCC's -fcallgraph-info frame sizes, objdump's view of which functions have a
split-stack prologue, and nm's symbol tables), which a per-translation-unit
clang-tidy check cannot see; a clang-tidy module also has to be compiled
against the exact LLVM headers (libclang-14-dev plus a C++ build of the module)
and loaded with -load, while Debian's python3-clang-14 is one package, needs no
build step and keeps the rules readable next to the Go code they port. The
build itself stays g++: libclang only parses the same sources (the compile
commands with the flags clang does not know dropped) to read the directives'
annotate("go:...") attributes and the source-level call graph.

Input: a compile_commands.json (-p BUILD_DIR or --compile-commands FILE);
by default only the entries of the gort library (objects under
CMakeFiles/gort.dir/). GCC's .ci files must sit next to the objects
(cmake/checks.cmake adds -fcallgraph-info=su).

Output: the findings in Go's wording, then one summary line per rule with the
number of functions, chains, calls or symbols checked, so a run that checked
nothing is visible. --json prints the same as JSON. Exit status: 0 no
findings, 1 findings, 2 the checker could not do its job (a missing .ci file,
a translation unit libclang cannot parse, no functions found).

Departures from Go's linker: GCC reports one stack size per function, not the
SP height at each call, so every call is charged the whole frame (never less
than Go would count); the assembly routines in asm_amd64.S have no frame-size
information and count as external (they either switch stacks before calling
out or are leaves). Run with /usr/bin/python3 (Debian's clang.cindex).
"""

import argparse
import collections
import ctypes
import json
import os
import re
import shlex
import subprocess
import sys

# --- Constants from Go ---------------------------------------------------------

# internal/abi/stack.go: StackNosplitBase; cmd/internal/objabi/stack.go:
# StackNosplit(race=false) = 800. The call that enters a chain pushes a return
# address (the linker's callSize on amd64), so a chain may grow 792 bytes.
STACK_NOSPLIT = 800
CALL_SIZE = 8
LIMIT = STACK_NOSPLIT - CALL_SIZE
# stackcheck.go: stackCheckCycle, the "infinite" height of a cycle.
STACK_CHECK_CYCLE = (1 << 15) - 1
MORESTACK = "__morestack"
INDIRECT = "\x00indirect"   # stackcheck.go: stackCheckIndirect
LEAF = ""                   # stackcheck.go: the 0 Sym of a leaf edge

# The write-barrier entry points (mwbbuf.hpp): Go's compiler emits calls to
# gcWriteBarrier1..8 (asm_amd64.s), which share gcWriteBarrier<>.
WB_ENTRIES = ({"runtime::gcWriteBarrier", "runtime::wbRecord"}
              | {"runtime::gcWriteBarrier%d" % i for i in range(1, 9)})
# Functions that run their callback on the system stack (stubs.hpp).
SYSTEMSTACK_RUNNERS = {"runtime::systemstack", "runtime::systemstack_fv", "runtime::mcall"}
SYSTEMSTACK_CHECK = "runtime::systemstackcheck"
# Entered on a thread's own stack, which is its M's g0 stack: rt0_go at boot
# (m0; Go's asm_amd64.s rt0_go), mstart0 on every new M (from the assembly
# mstart), and newstack, which asm_amd64.S's __morestack calls once it has
# switched to g0 (Go's morestack does the same before it calls newstack). Go
# knows these run on g0 because they are assembly entry points. Matched by
# display name: libclang qualifies newstack, an extern "C" definition at file
# scope, oddly ("{anonymous}::newstack").
G0_ENTRIES = {"rt0_go", "mstart0", "newstack"}
NOTINHEAP = "runtime::sys::NotInHeap"


def eprint(*a):
    print(*a, file=sys.stderr)


class CheckerError(Exception):
    """The checker cannot do its job (exit status 2)."""


# --- Compile commands ------------------------------------------------------------

def load_compile_commands(path, target):
    with open(path) as f:
        entries = json.load(f)
    out = []
    for e in entries:
        args = e.get("arguments") or shlex.split(e["command"])
        directory = e.get("directory", os.path.dirname(os.path.abspath(path)))
        src = e["file"]
        if not os.path.isabs(src):
            src = os.path.normpath(os.path.join(directory, src))
        obj = e.get("output")
        if obj is None:
            for i, a in enumerate(args):
                if a == "-o" and i + 1 < len(args):
                    obj = args[i + 1]
                elif a.startswith("-o") and len(a) > 2:
                    obj = a[2:]
        if obj is None:
            continue
        if not os.path.isabs(obj):
            obj = os.path.normpath(os.path.join(directory, obj))
        if target and ("/%s.dir/" % target) not in obj:
            continue
        out.append({"file": src, "directory": directory, "args": args, "obj": obj})
    return out


# Flags libclang needs to see the same program; everything else (GCC-only
# options such as -fcallgraph-info, -fsplit-stack, dependency-file flags,
# warnings) is dropped.
_KEEP_PREFIX = ("-I", "-D", "-U", "-std=", "-O", "-m", "-fexceptions", "-fno-exceptions",
                "-frtti", "-fno-rtti", "-pthread")
_KEEP_WITH_ARG = {"-I", "-D", "-U", "-isystem", "-iquote", "-idirafter", "-include"}


def clang_args(entry):
    args = entry["args"][1:]
    out = []
    i = 0
    while i < len(args):
        a = args[i]
        if a in _KEEP_WITH_ARG and i + 1 < len(args):
            v = args[i + 1]
            if a in ("-I", "-isystem", "-iquote", "-idirafter", "-include") and not os.path.isabs(v):
                v = os.path.normpath(os.path.join(entry["directory"], v))
            out += [a, v]
            i += 2
            continue
        if a.startswith("-I") and len(a) > 2:
            v = a[2:]
            if not os.path.isabs(v):
                v = os.path.normpath(os.path.join(entry["directory"], v))
            out.append("-I" + v)
        elif a.startswith(_KEEP_PREFIX) and not a.startswith("-MF"):
            out.append(a)
        elif a in ("-o", "-MF", "-MT", "-MQ"):
            i += 1
        elif a.startswith("-fsanitize="):
            # GCC announces a sanitizer to the preprocessor with these
            # macros, which asan.hpp and race.hpp test; libclang is not
            # given the -fsanitize flag itself, so it gets the macros.
            kinds = a.split("=", 1)[1].split(",")
            if "address" in kinds:
                out.append("-D__SANITIZE_ADDRESS__=1")
            if "thread" in kinds:
                out.append("-D__SANITIZE_THREAD__=1")
        i += 1
    return out


# --- Source view (libclang) ------------------------------------------------------

class Func:
    """One function (or lambda) of the program, merged over redeclarations."""

    def __init__(self, usr, name):
        self.usr = usr
        self.name = name            # qualified C++ name; lambdas: outer.funcN
        self.pragmas = set()
        self.always_inline = False
        self.defined = False
        self.loc = None             # (file, line, col) of the definition
        self.mangled = set()
        self.calls = []             # (callee usr, pos)
        self.extra = []             # systemstack/mcall callbacks: (usr, pos)
        self.wbpos = []             # positions of write-barrier entry calls
        self.inline_calls = []      # calls whose barriers would be inlined here
        self.escapes = False        # address taken outside systemstack/mcall
        self.sys_callback = False   # passed to systemstack or mcall
        self.is_lambda = False
        self.first_stmt_check = False
        self.nlambda = 0


class Source:
    def __init__(self, exclude, keep_going=False):
        import clang.cindex as ci
        self.keep_going = keep_going
        self.parse_errors = []
        self.ci = ci
        self.K = ci.CursorKind
        self.index = ci.Index.create()
        self.funcs = {}
        self.linknames = {}         # symbol -> dict(kind, loc, usr, name)
        self.news = 0
        self.findings = []
        self.exclude = [os.path.abspath(x) + os.sep for x in exclude]
        self.parsed = 0
        self.calls_seen = 0
        self._nih = {}
        self._lambda_usr_by_loc = {}
        self._pending_lambda_calls = []
        self._seen_bodies = set()
        self._file_lines = {}
        lib = ci.conf.lib
        try:
            f = lib.clang_getSpecializedCursorTemplate
            f.argtypes = [ci.Cursor]
            f.restype = ci.Cursor
            f.errcheck = ci.Cursor.from_result
            self._spec = f
        except AttributeError:
            self._spec = None
        sysh = lib.clang_Location_isInSystemHeader
        sysh.argtypes = [ci.SourceLocation]
        sysh.restype = ctypes.c_int
        self._in_system_header = lambda loc: bool(sysh(loc))
        K = self.K
        self.FUNC_KINDS = {K.FUNCTION_DECL, K.CXX_METHOD, K.CONSTRUCTOR, K.DESTRUCTOR,
                           K.CONVERSION_FUNCTION, K.FUNCTION_TEMPLATE}

    # names ---------------------------------------------------------------
    def qualname(self, c):
        K = self.K
        parts = []
        while c is not None and c.kind != K.TRANSLATION_UNIT:
            # extern "C" { ... }: libclang reports the block as a
            # LINKAGE_SPEC or, in some versions, as an UNEXPOSED_DECL without
            # a name; neither is a scope of the name.
            if c.kind == K.LINKAGE_SPEC or (c.kind == K.UNEXPOSED_DECL and not c.spelling):
                c = c.semantic_parent
                continue
            sp = c.spelling or "{anonymous}"
            if c.kind == K.NAMESPACE and not c.spelling:
                sp = "{anonymous}"
            parts.append(sp)
            c = c.semantic_parent
        return "::".join(reversed(parts))

    @staticmethod
    def pos(c):
        loc = c.location
        fname = loc.file.name if loc.file else "?"
        return (os.path.abspath(fname), loc.line, loc.column)

    def wanted(self, c):
        loc = c.location
        if loc.file is None:
            return False
        if self._in_system_header(loc):
            return False
        fname = os.path.abspath(loc.file.name)
        for x in self.exclude:
            if fname.startswith(x):
                return False
        return True

    def func_for(self, c):
        usr = c.canonical.get_usr() or c.get_usr()
        f = self.funcs.get(usr)
        if f is None:
            f = Func(usr, self.qualname(c))
            self.funcs[usr] = f
        return f

    def resolve_callee(self, ref):
        """The Func a call's referenced cursor names (templates mapped to the pattern)."""
        if ref is None or ref.kind not in self.FUNC_KINDS:
            return None
        if ref.kind == self.K.CXX_METHOD and ref.semantic_parent is not None \
                and ref.semantic_parent.kind == self.K.CLASS_DECL and ref.spelling == "operator()" \
                and not ref.semantic_parent.spelling:
            return None  # a lambda's call operator: handled by location
        c = ref
        if self._spec is not None:
            t = self._spec(ref)
            if t is not None and t.kind in self.FUNC_KINDS:
                c = t
        return self.func_for(c)

    # parsing ---------------------------------------------------------------
    def parse(self, entry):
        ci = self.ci
        args = clang_args(entry)
        try:
            tu = self.index.parse(entry["file"], args=args)
        except ci.TranslationUnitLoadError as e:
            raise CheckerError("libclang cannot parse %s: %s" % (entry["file"], e))
        errs = [d for d in tu.diagnostics if d.severity >= ci.Diagnostic.Error]
        if errs and self.keep_going:
            self.parse_errors += ["%s: %s" % (entry["file"], d) for d in errs]
        elif errs:
            raise CheckerError("libclang cannot parse %s:\n  %s" % (
                entry["file"], "\n  ".join(str(d) for d in errs[:10])))
        self.parsed += 1
        self._callee_hashes = set()  # DECL_REF_EXPRs that name a callee (cursor hashes are per TU)
        self._visit_decls(tu.cursor)

    def _attrs(self, c):
        K = self.K
        out = []
        for ch in c.get_children():
            if ch.kind == K.ANNOTATE_ATTR:
                out.append(("annotate", ch.spelling))
            elif ch.kind == K.ASM_LABEL_ATTR:
                out.append(("asm", ch.spelling))
        return out

    def _decl_text_has(self, c, words):
        """Does the declaration's text before its name spell one of words?

        libclang gives no tokens for a declaration that opens with a macro, so
        this reads the source between the start of the declaration and the
        name."""
        st, nm = c.extent.start, c.location
        if st.file is None or nm.file is None or st.file.name != nm.file.name:
            return False
        lines = self._lines(st.file.name)
        if nm.line - st.line > 8:
            return False
        text = []
        for ln in range(st.line, nm.line + 1):
            t = lines[ln - 1] if ln - 1 < len(lines) else ""
            if ln == nm.line:
                t = t[:nm.column - 1]
            if ln == st.line:
                t = t[st.column - 1:] if ln != nm.line else t[st.column - 1:]
            text.append(t)
        words_found = set(re.findall(r"\w+", " ".join(text)))
        return bool(words_found & words)

    def _lines(self, fname):
        ls = self._file_lines.get(fname)
        if ls is None:
            with open(fname, errors="replace") as fh:
                ls = fh.read().split("\n")
            self._file_lines[fname] = ls
        return ls

    def _visit_decls(self, cur):
        K = self.K
        for c in cur.get_children():
            if c.kind in (K.NAMESPACE, K.LINKAGE_SPEC, K.UNEXPOSED_DECL, K.STRUCT_DECL, K.CLASS_DECL,
                          K.UNION_DECL, K.CLASS_TEMPLATE, K.CLASS_TEMPLATE_PARTIAL_SPECIALIZATION):
                if self._in_system_header(c.location):
                    continue
                self._visit_decls(c)
            elif c.kind in self.FUNC_KINDS:
                if not self.wanted(c):
                    continue
                self._function(c)
            elif c.kind == K.VAR_DECL:
                if not self.wanted(c):
                    continue
                for kind, val in self._attrs(c):
                    if kind == "asm" or (kind == "annotate" and val.startswith("go:linkname ")):
                        self._linkname(c, kind, val, c.is_definition())

    def _linkname(self, c, kind, val, is_def):
        sym = val.split(" ", 1)[1] if kind == "annotate" else val
        ln = self.linknames.get(sym)
        if ln is None:
            ln = {"symbol": sym, "kinds": set(), "loc": self.pos(c), "name": self.qualname(c),
                  "defined_in_source": False}
            self.linknames[sym] = ln
        ln["kinds"].add("linkname" if kind == "annotate" else "asm")
        if is_def:
            ln["defined_in_source"] = True

    def _function(self, c):
        f = self.func_for(c)
        for kind, val in self._attrs(c):
            if kind == "annotate" and val.startswith("go:linkname "):
                self._linkname(c, kind, val, c.is_definition())
            elif kind == "annotate" and val.startswith("go:"):
                f.pragmas.add(val)
            elif kind == "asm":
                self._linkname(c, kind, val, c.is_definition())
        if c.kind != self.K.FUNCTION_TEMPLATE:
            m = c.mangled_name
            if m:
                f.mangled.add(m.lstrip("\x01"))
        if self._decl_text_has(c, {"NOSPLIT_INLINE", "always_inline"}):
            f.always_inline = True
        if not c.is_definition():
            return
        body = None
        for ch in c.get_children():
            if ch.kind == self.K.COMPOUND_STMT:
                body = ch
        if body is None:
            return
        key = self.pos(c)
        if key in self._seen_bodies:
            return
        self._seen_bodies.add(key)
        f.defined = True
        f.loc = key
        f.first_stmt_check = self._opens_with_check(body)
        self._walk(body, f, [c])

    def _opens_with_check(self, body):
        K = self.K
        for st in body.get_children():
            e = st
            while e.kind in (K.UNEXPOSED_EXPR, K.CSTYLE_CAST_EXPR) and list(e.get_children()):
                e = list(e.get_children())[0]
            if e.kind == K.CALL_EXPR and e.referenced is not None:
                return self.qualname(e.referenced) == SYSTEMSTACK_CHECK
            return False
        return False

    def _lambda(self, c, outer):
        outer.nlambda += 1
        base = outer.name
        usr = "lambda@%s:%d:%d" % self.pos(c)
        f = self.funcs.get(usr)
        if f is None:
            f = Func(usr, "%s.func%d" % (base, outer.nlambda))
            f.is_lambda = True
            self.funcs[usr] = f
        f.defined = True
        f.loc = self.pos(c)
        self._lambda_usr_by_loc[(f.loc[0], f.loc[1])] = usr
        return f

    def _callee_expr_refs(self, call):
        """The DECL_REF_EXPR cursors that name the callee of call (not its arguments)."""
        K = self.K
        kids = list(call.get_children())
        if not kids:
            return set()
        e = kids[0]
        refs = set()
        while True:
            if e.kind == K.DECL_REF_EXPR:
                refs.add(e.hash)
                break
            if e.kind in (K.UNEXPOSED_EXPR, K.PAREN_EXPR):
                ch = list(e.get_children())
                if not ch:
                    break
                e = ch[0]
                continue
            break
        return refs

    def _walk(self, node, f, parents):
        K = self.K
        for c in node.get_children():
            kind = c.kind
            if kind == K.LAMBDA_EXPR:
                lf = self._lambda(c, f)
                runner = self._enclosing_runner_call(parents + [node])
                if runner is not None:
                    lf.sys_callback = True
                    f.extra.append((lf.usr, self.pos(runner)))
                else:
                    lf.escapes = True  # may be revoked when a direct call is seen
                for ch in c.get_children():
                    if ch.kind == K.COMPOUND_STMT:
                        lf.first_stmt_check = self._opens_with_check(ch)
                        self._walk(ch, lf, parents + [node, c])
                continue
            if kind == K.CALL_EXPR:
                self.calls_seen += 1
                ref = c.referenced
                callee_refs = self._callee_expr_refs(c)
                self._callee_hashes.update(callee_refs)
                if ref is not None and ref.kind == K.CXX_METHOD and ref.spelling == "operator()":
                    loc = self.pos(ref)
                    self._pending_lambda_calls.append((f, (loc[0], loc[1]), self.pos(c)))
                callee = self.resolve_callee(ref)
                if callee is not None:
                    qn = callee.name
                    p = self.pos(c)
                    if qn in WB_ENTRIES:
                        f.wbpos.append(p)
                    f.calls.append((callee.usr, p))
                    if qn in SYSTEMSTACK_RUNNERS:
                        self._runner_args(c, f)
            elif kind == K.DECL_REF_EXPR:
                ref = c.referenced
                if ref is not None and ref.kind in self.FUNC_KINDS and \
                        c.hash not in self._callee_hashes:
                    callee = self.resolve_callee(ref)
                    if callee is not None and self._enclosing_runner_call(parents + [node]) is None:
                        callee.escapes = True
            elif kind == K.CXX_NEW_EXPR:
                self._new_expr(c)
            self._walk(c, f, parents + [node])

    def _enclosing_runner_call(self, chain):
        """The systemstack/mcall call whose argument this node is, if any."""
        K = self.K
        for p in reversed(chain):
            if p.kind == K.CALL_EXPR:
                ref = p.referenced
                if ref is not None and ref.kind in self.FUNC_KINDS and \
                        self.qualname(ref) in SYSTEMSTACK_RUNNERS:
                    return p
                return None
            if p.kind not in (K.UNEXPOSED_EXPR, K.PAREN_EXPR, K.CSTYLE_CAST_EXPR,
                              K.CXX_FUNCTIONAL_CAST_EXPR, K.UNARY_OPERATOR):
                return None
        return None

    def _runner_args(self, call, f):
        """systemstack(fn) / mcall(fn) with a named function: an extra call."""
        K = self.K
        kids = list(call.get_children())[1:]
        for a in kids:
            stack = [a]
            while stack:
                e = stack.pop()
                if e.kind == K.DECL_REF_EXPR and e.referenced is not None and \
                        e.referenced.kind in self.FUNC_KINDS:
                    target = self.resolve_callee(e.referenced)
                    if target is not None:
                        target.sys_callback = True
                        f.extra.append((target.usr, self.pos(call)))
                    break
                if e.kind in (K.UNEXPOSED_EXPR, K.PAREN_EXPR, K.UNARY_OPERATOR,
                              K.CSTYLE_CAST_EXPR):
                    stack.extend(e.get_children())

    def _new_expr(self, c):
        K = self.K
        toks = [t.spelling for t in c.get_tokens()]
        placement = False
        for i, t in enumerate(toks):
            if t == "new":
                placement = i + 1 < len(toks) and toks[i + 1] == "("
                break
        self.news += 1
        if placement:
            return
        t = c.type
        if t.kind == self.ci.TypeKind.POINTER:
            t = t.get_pointee()
        decl = t.get_canonical().get_declaration()
        if decl is None or decl.kind.is_invalid():
            return
        if self._notinheap(decl):
            p = self.pos(c)
            name = t.get_canonical().spelling
            if name.startswith("runtime::"):
                name = name[len("runtime::"):]
            self.findings.append(("notinheap", p, "%s can't be allocated in Go; it is incomplete "
                                  "(or unallocatable)" % name))

    def _notinheap(self, decl):
        K = self.K
        key = decl.get_usr()
        if key in self._nih:
            return self._nih[key]
        self._nih[key] = False
        res = self.qualname(decl) == NOTINHEAP
        if not res:
            d = decl.get_definition() or decl
            for ch in d.get_children():
                if ch.kind == K.CXX_BASE_SPECIFIER:
                    bd = ch.type.get_canonical().get_declaration()
                    if bd is not None and not bd.kind.is_invalid() and self._notinheap(bd):
                        res = True
                        break
        self._nih[key] = res
        return res

    def finish(self):
        # Direct calls of lambdas: edges to the lambda node, which then does
        # not escape (its callers are known).
        for f, loc, p in self._pending_lambda_calls:
            usr = self._lambda_usr_by_loc.get(loc)
            if usr is None:
                continue
            lf = self.funcs[usr]
            f.calls.append((usr, p))
            if not lf.sys_callback:
                lf.escapes = False
        # Barriers of always_inline callees land in the caller (Go's inliner
        # does the same: WBPos is the first barrier in the compiled function).
        changed = True
        while changed:
            changed = False
            for f in self.funcs.values():
                for usr, p in f.calls:
                    g = self.funcs.get(usr)
                    if g is not None and g.always_inline and g.wbpos and g is not f and \
                            p not in f.wbpos:
                        f.wbpos.append(p)
                        changed = True
        for f in self.funcs.values():
            f.wbpos.sort(key=lambda p: (p[1], p[2]))


# --- Object view (GCC's .ci files, objdump, nm) ------------------------------------

class CINode:
    def __init__(self, key, sym, obj, size, dynamic, bounded, label):
        self.key = key
        self.sym = sym
        self.obj = obj
        self.size = size
        self.dynamic = dynamic
        self.bounded = bounded
        self.label = label
        self.edges = []       # target keys, in order
        self.nosplit = False
        self.local = False
        self.redzone = 0


_NODE_RE = re.compile(r'^node: \{ title: "((?:[^"\\]|\\.)*)" label: "((?:[^"\\]|\\.)*)"(.*)\}\s*$')
_EDGE_RE = re.compile(r'^edge: \{ sourcename: "((?:[^"\\]|\\.)*)" targetname: "((?:[^"\\]|\\.)*)"')
_SIZE_RE = re.compile(r'\\n(\d+) bytes \(([a-z,]+)\)$')


def _strip_title(t):
    """A .ci title: "sym", "*asmname", or "path:sym" for a symbol local to the TU."""
    local = False
    if t.startswith("/") and ":" in t:
        t = t.rsplit(":", 1)[1]
        local = True
    return t.lstrip("*"), local


def objdump_functions(obj):
    """For each function in obj: does its code call __morestack (a split-stack
    prologue), is it local, and how deep below its frame does it reach into
    the x86-64 red zone (GCC's stack-usage figures leave that out)."""
    out = subprocess.run(["objdump", "-drt", "--no-show-raw-insn", obj],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise CheckerError("objdump failed on %s: %s" % (obj, out.stderr.strip()))
    funcs = {}
    local = {}
    cur = None
    sym_re = re.compile(r"^[0-9a-f]+ (.{7}) (\S+)\t[0-9a-f]+ (?:\.hidden )?(.*)$")
    neg_re = re.compile(r"-0x([0-9a-f]+)\(%(rsp|rbp)\)")
    for line in out.stdout.splitlines():
        m = sym_re.match(line)
        if m:
            flags, _, name = m.groups()
            if flags[6] == "F":
                local[name] = flags[0] == "l"
            continue
        m = re.match(r"^[0-9a-f]+ <(.+)>:$", line)
        if m:
            cur = funcs.setdefault(m.group(1), {"split": False, "rsp": 0, "rbp": 0, "fp": False})
            continue
        if cur is None:
            continue
        if "R_X86_64_" in line:
            if re.search(r"\s__morestack(?:[-+]0x[0-9a-f]+)?$", line):
                cur["split"] = True
            continue
        if "mov    %rsp,%rbp" in line:
            cur["fp"] = True
        for off, reg in neg_re.findall(line):
            cur[reg] = max(cur[reg], int(off, 16))
    # GCC may move a function's cold blocks, the call to __morestack among
    # them, into a separate foo.cold symbol: that check is foo's.
    for k, v in funcs.items():
        m = re.match(r"^(.*)\.cold(?:\.\d+)?$", k)
        if m and v["split"] and m.group(1) in funcs:
            funcs[m.group(1)]["split"] = True
    for k, v in funcs.items():
        v["local"] = local.get(k, False)
    return funcs


def redzone(info, size):
    """Bytes a function touches below its allocated frame (the red zone a
    leaf function may use without moving SP). size is GCC's figure: the
    return address, the saved registers and the frame."""
    if info is None:
        return 0
    extra = info["rsp"]
    if info["fp"]:
        extra = max(extra, info["rbp"] - (size - 2 * CALL_SIZE))
    return max(extra, 0)


class Objects:
    def __init__(self, entries):
        self.nodes = {}           # key -> CINode
        self.global_keys = {}     # symbol -> key
        self.objects = [e["obj"] for e in entries]
        self.ci_files = 0
        self.missing_ci = []
        for e in entries:
            obj = e["obj"]
            if not os.path.exists(obj):
                raise CheckerError("object %s not built" % obj)
            if e["file"].endswith((".S", ".s", ".asm")):
                continue
            ci = os.path.splitext(obj)[0] + ".ci"
            if not os.path.exists(ci):
                self.missing_ci.append(ci)
                continue
            self.ci_files += 1
            self._load(ci, obj)

    def _load(self, ci, obj):
        fdump = objdump_functions(obj)
        local_keys = {}
        edges = []
        with open(ci, errors="replace") as f:
            for line in f:
                line = line.rstrip("\n")
                m = _NODE_RE.match(line)
                if m:
                    title, label, rest = m.group(1), m.group(2), m.group(3)
                    if "shape : ellipse" in rest:
                        continue  # declared here, defined elsewhere (or nowhere)
                    sym, local = _strip_title(title)
                    sm = _SIZE_RE.search(label)
                    size = int(sm.group(1)) if sm else 0
                    qual = sm.group(2) if sm else "static"
                    key = (obj + "\x00" + sym) if local else sym
                    node = self.nodes.get(key)
                    info = fdump.get(sym)
                    if node is None:
                        node = CINode(key, sym, obj, size, "dynamic" in qual, "bounded" in qual,
                                      label.split("\\n")[0])
                        node.local = local
                        node.nosplit = info is not None and not info["split"]
                        node.known = info is not None
                        node.redzone = redzone(info, size)
                        self.nodes[key] = node
                    else:
                        # An inline function emitted by several translation
                        # units: the same code, keep the largest frame.
                        node.size = max(node.size, size)
                        node.redzone = max(node.redzone, redzone(info, size))
                    if local:
                        local_keys[title] = key
                    else:
                        self.global_keys[sym] = key
                    continue
                m = _EDGE_RE.match(line)
                if m:
                    edges.append((m.group(1), m.group(2)))
        self._edges_pending = getattr(self, "_edges_pending", [])
        self._edges_pending.append((local_keys, edges))

    def link(self):
        """Resolve edge targets once every object's nodes are known."""
        for local_keys, edges in getattr(self, "_edges_pending", []):
            for src, dst in edges:
                skey = local_keys.get(src) or self.global_keys.get(_strip_title(src)[0])
                if skey is None:
                    continue
                node = self.nodes[skey]
                if dst == "__indirect_call":
                    tkey = INDIRECT
                else:
                    tkey = local_keys.get(dst)
                    if tkey is None:
                        sym, _ = _strip_title(dst)
                        tkey = self.global_keys.get(sym, "\x01" + sym)  # \x01: external
                node.edges.append(tkey)
        self._edges_pending = []


def demangle(names):
    names = list(names)
    if not names:
        return {}
    out = subprocess.run(["c++filt"], input="\n".join(names) + "\n", capture_output=True, text=True)
    res = out.stdout.splitlines()
    if len(res) != len(names):
        return {n: n for n in names}
    return dict(zip(names, res))


def short_cxx(d):
    """runtime::foo(int) [clone .isra.0] -> runtime.foo.isra.0: Go spells a
    symbol pkg.name; the parameter list adds nothing to a chain report."""
    s = d
    clone = ""
    m = re.search(r" \[clone ([^\]]+)\]$", s)
    if m:
        clone = m.group(1)
        s = s[:m.start()]
    # Drop the parameter list (the last balanced (...) group at the end).
    if s.endswith(")"):
        depth = 0
        for i in range(len(s) - 1, -1, -1):
            if s[i] == ")":
                depth += 1
            elif s[i] == "(":
                depth -= 1
                if depth == 0:
                    if i > 0 and not s[:i].endswith("operator"):
                        s = s[:i]
                    break
    s = s.replace("(anonymous namespace)::", "")
    return s.replace("::", ".") + clone


# --- Rules ---------------------------------------------------------------------

class Report:
    def __init__(self, root):
        self.root = root
        self.findings = []   # (rule, text)
        self.counts = collections.OrderedDict()
        self.heights = []

    def relpos(self, p):
        f, line, col = p
        try:
            r = os.path.relpath(f, self.root)
            if not r.startswith(".."):
                f = r
        except ValueError:
            pass
        return "%s:%d:%d" % (f, line, col)

    def add(self, rule, text):
        self.findings.append((rule, text))


def display(name):
    """A function's name as Go would print it inside package runtime: no
    package prefix, and no C++ anonymous namespace."""
    name = name.replace("{anonymous}::", "")
    return name[len("runtime::"):] if name.startswith("runtime::") else name


def rule_nosplit(objs, rep):
    """cmd/link/internal/ld/stackcheck.go, doStackCheck."""
    nodes = objs.nodes
    names = demangle({n.sym for n in nodes.values()} | {k[1:] for n in nodes.values()
                                                        for k in n.edges if k.startswith("\x01")})

    def symname(k):
        if k == INDIRECT:
            return "indirect"
        if k == LEAF:
            return "leaf"
        if k == MORESTACK or k == "\x01" + MORESTACK:
            return MORESTACK + "<0>"
        if k.startswith("\x01"):
            return short_cxx(names.get(k[1:], k[1:])) + "<0>"
        n = nodes[k]
        return "%s<%d>" % (short_cxx(names.get(n.sym, n.sym)), 1 if n.local else 0)

    def plainname(k):
        s = symname(k)
        return s[:s.rfind("<")] if s.endswith(">") else s

    class SC:
        def __init__(self, graph):
            self.height = {}
            self.graph = {} if graph else None

        def check(self, k):
            if k in self.height:
                return self.height[k]
            self.height[k] = STACK_CHECK_CYCLE
            h, edges = self.compute(k)
            h = min(h, STACK_CHECK_CYCLE)
            self.height[k] = h
            if self.graph is not None:
                self.graph[k] = edges
            return h

        def compute(self, k):
            if k == MORESTACK or k == "\x01" + MORESTACK:
                return 0, []
            if k == INDIRECT:
                return CALL_SIZE, [(CALL_SIZE, MORESTACK)]
            node = nodes.get(k)
            if node is None:   # external: assumed to run on the system stack
                return 0, []
            edges = []
            best = [0]

            def add(growth, target):
                edges.append((growth, target))
                h = growth
                if target != LEAF:
                    h += self.check(target)
                if h > best[0]:
                    best[0] = h

            if not node.nosplit:
                add(CALL_SIZE, MORESTACK)
                return best[0], edges
            # GCC's figure includes the caller's return address; Go's SP
            # height does not. Every call is charged the whole frame, and a
            # leaf the red zone it uses below that frame.
            local = max(node.size - CALL_SIZE, 0) + node.redzone
            for t in node.edges:
                add(local + CALL_SIZE, t)
            if local > best[0]:
                add(local, LEAF)
            return best[0], edges

    sc = SC(False)
    order = sorted(nodes)
    failed = [k for k in order if sc.check(k) > LIMIT]
    nosplit = [k for k in order if nodes[k].nosplit]
    deepest = max([sc.height[k] for k in nosplit] or [0])
    rep.heights = sorted(((sc.height[k], plainname(k)) for k in nosplit), reverse=True)
    rep.counts["nosplit"] = {"functions": len(nodes), "nosplit_functions": len(nosplit),
                             "objects": objs.ci_files, "deepest_nosplit_chain": deepest,
                             "limit": LIMIT}
    for k in nosplit:
        n = nodes[k]
        if n.dynamic and not n.bounded:
            rep.add("nosplit", "%s: nosplit function with an unbounded dynamic frame" % plainname(k))
    if not failed:
        return
    sc = SC(True)
    for k in failed:
        sc.check(k)
    graph = sc.graph
    # findRoots: drop every node reachable from another; for a rootless cycle
    # put back its lowest node.
    rank = {k: i for i, k in enumerate(sorted(graph, key=lambda k: (k == INDIRECT, k)))}
    alive = set(graph)

    def walk(origin, k):
        if k not in alive:
            return False, None
        alive.discard(k)
        if origin == k:
            return True, k
        cycle, lowest = False, None
        for _, t in graph.get(k, []):
            c, l = walk(origin, t)
            if c:
                cycle = True
                if lowest is None:
                    lowest = k
                if l is not None and rank.get(l, 1 << 30) < rank.get(lowest, 1 << 30):
                    lowest = l
        return cycle, lowest

    for k in sorted(graph, key=lambda k: rank[k]):
        if k not in alive:
            continue
        for _, t in graph.get(k, []):
            c, lowest = walk(k, t)
            if c:
                alive.add(lowest)
    roots = sorted(alive, key=lambda k: (-sc.height.get(k, 0), rank[k]))
    for root in roots:
        lines = ["%s: nosplit stack over %d byte limit" % (plainname(root), LIMIT)]
        chain = [[(0, root), False]]
        _report(graph, root, LIMIT, chain, lines, symname)
        rep.add("nosplit", "\n".join(lines))


def _report(graph, k, depth, chain, lines, symname):
    """stackcheck.go: (*stackCheck).report."""
    ok = k in graph
    edges = graph.get(k, [])
    is_cycle = not (ok or k == LEAF)
    graph.pop(k, None)
    for out in edges:
        chain.append([out, False])
        _report(graph, out[1], depth - out[0], chain, lines, symname)
        chain.pop()
    graph[k] = edges
    if len(edges) == 0 and (depth < 0 or is_cycle):
        indent = ""
        for i, ent in enumerate(chain):
            if ent[1]:
                continue
            ent[1] = True
            growth, target = ent[0]
            if i == 0:
                lines.append(symname(target))
                continue
            indent = "    " * i
            s = indent + "grows %d bytes" % growth
            if target != LEAF:
                s += ", calls %s" % symname(target)
            lines.append(s)
        if is_cycle:
            lines.append("%sinfinite cycle" % indent)
        else:
            lines.append("%s%d bytes over limit" % (indent, -depth))


def rule_nosplit_attr(src, objs, rep):
    """A NOSPLIT function whose object code still calls __morestack."""
    by_sym = collections.defaultdict(list)
    for n in objs.nodes.values():
        by_sym[n.sym.split(".", 1)[0] if n.sym.startswith("_Z") else n.sym].append(n)
    checked = 0
    marked = set()
    for f in sorted(src.funcs.values(), key=lambda f: f.name):
        if "go:nosplit" not in f.pragmas or not f.defined:
            continue
        for m in f.mangled:
            for n in by_sym.get(m, []):
                marked.add(n.key)
                if f.always_inline:
                    continue  # an out-of-line copy of an always-inline helper
                checked += 1
                if not n.nosplit:
                    rep.add("nosplit", "%s: %s is marked NOSPLIT but its code checks the stack "
                            "(no_split_stack must be on the first declaration)"
                            % (rep.relpos(f.loc), display(f.name)))
                    break
    # The converse: a function without a stack check that no NOSPLIT marks.
    # Under -fsplit-stack GCC gives every other function the check, so this
    # means the analysis lost track of one (the nosplit rule would be judging
    # the wrong set).
    names = demangle([n.sym for n in objs.nodes.values() if n.nosplit and n.key not in marked])
    for n in sorted(objs.nodes.values(), key=lambda n: n.key):
        if n.nosplit and n.key not in marked:
            rep.add("nosplit", "%s: no stack check, but no NOSPLIT marks it" %
                    short_cxx(names.get(n.sym, n.sym)))
    rep.counts["nosplit_attr"] = {"nosplit_functions_matched": checked}


def rule_nowritebarrier(src, rep):
    """nowb.go: the go:nowritebarrier check and the go:nowritebarrierrec BFS."""
    funcs = src.funcs
    marked = [f for f in funcs.values() if "go:nowritebarrier" in f.pragmas and f.defined]
    for f in sorted(marked, key=lambda f: f.loc):
        if f.wbpos:
            rep.add("nowritebarrier", "%s: write barrier prohibited" % rep.relpos(f.wbpos[0]))
    roots = sorted((f for f in funcs.values() if "go:nowritebarrierrec" in f.pragmas and f.defined),
                   key=lambda f: f.loc)
    seen = {}
    q = collections.deque()
    for f in roots:
        seen[f.usr] = None
        q.append(f)

    def enqueue(src_f, target, pos):
        if "go:yeswritebarrierrec" in target.pragmas:
            return
        if target.usr in seen:
            return
        seen[target.usr] = (src_f, pos)
        q.append(target)

    visited = 0
    while q:
        f = q.popleft()
        visited += 1
        if f.wbpos:
            err = []
            call = seen[f.usr]
            while call is not None:
                caller, pos = call
                err.append("\n\t%s: called by %s" % (rep.relpos(pos), display(caller.name)))
                call = seen[caller.usr]
            rep.add("nowritebarrierrec", "%s: write barrier prohibited by caller; %s%s"
                    % (rep.relpos(f.wbpos[0]), display(f.name), "".join(err)))
            continue
        for usr, pos in f.extra:
            t = funcs.get(usr)
            if t is not None and t.defined:
                enqueue(f, t, pos)
        for usr, pos in f.calls:
            t = funcs.get(usr)
            if t is not None and t.defined:
                enqueue(f, t, pos)
    rep.counts["nowritebarrier"] = {"functions": len(marked),
                                    "functions_with_barriers": sum(1 for f in funcs.values() if f.wbpos)}
    rep.counts["nowritebarrierrec"] = {"roots": len(roots), "functions_reached": visited}


def rule_systemstack(src, rep):
    funcs = src.funcs
    callers = collections.defaultdict(list)
    for f in funcs.values():
        for usr, pos in f.calls:
            callers[usr].append((f, pos))
    on_g0 = {f.usr for f in funcs.values()
             if "go:systemstack" in f.pragmas or f.sys_callback or display(f.name) in G0_ENTRIES}
    changed = True
    while changed:
        changed = False
        for f in funcs.values():
            if f.usr in on_g0 or not f.defined or f.escapes:
                continue
            cs = callers.get(f.usr)
            if cs and all(c.usr in on_g0 for c, _ in cs):
                on_g0.add(f.usr)
                changed = True
    sysfuncs = [f for f in funcs.values() if "go:systemstack" in f.pragmas]
    checked = unknown = 0
    for f in sorted(funcs.values(), key=lambda f: (f.loc or ("", 0, 0))):
        for usr, pos in f.calls:
            t = funcs.get(usr)
            if t is None or "go:systemstack" not in t.pragmas:
                continue
            if f.usr in on_g0:
                checked += 1
                continue
            if f.escapes:
                unknown += 1
                continue
            checked += 1
            rep.add("systemstack", "%s: attempt to execute system stack code on user stack: "
                    "%s calls %s (go:systemstack) outside systemstack"
                    % (rep.relpos(pos), display(f.name), display(t.name)))
    for f in sorted(sysfuncs, key=lambda f: (f.loc or ("", 0, 0))):
        if f.defined and not f.first_stmt_check:
            rep.add("systemstack", "%s: %s is go:systemstack but does not open with %s()"
                    % (rep.relpos(f.loc), display(f.name), display(SYSTEMSTACK_CHECK)))
    rep.counts["systemstack"] = {"systemstack_functions": len(sysfuncs),
                                 "calls_checked": checked, "calls_unknown_context": unknown,
                                 "functions_on_g0": len(on_g0)}


def nm_definitions(objs):
    """{symbol: ([objects with a strong definition], [objects with a weak one])}."""
    out = subprocess.run(["nm", "-A", "--defined-only"] + objs, capture_output=True, text=True)
    if out.returncode != 0:
        raise CheckerError("nm failed: %s" % out.stderr.strip())
    defs = collections.defaultdict(lambda: ([], []))
    for line in out.stdout.splitlines():
        m = re.match(r"^(.*?):\s*(?:[0-9a-f]+\s+)?([A-Za-z])\s+(\S.*)$", line)
        if not m:
            continue
        obj, typ, sym = m.groups()
        if typ in "U":
            continue
        defs[sym][1 if typ in "wWvV" else 0].append(os.path.basename(obj))
    return defs


def rule_linkname(src, objs, rep):
    """Symbols declared under the checked package's root (--root) only: a
    fixture that includes the runtime's headers does not own their symbols."""
    defs = nm_definitions(objs)
    n_ln = n_asm = 0
    scope = rep.root.rstrip(os.sep) + os.sep
    for sym in sorted(src.linknames):
        ln = src.linknames[sym]
        if not ln["loc"][0].startswith(scope):
            continue
        if "linkname" in ln["kinds"]:
            n_ln += 1
        else:
            n_asm += 1
        d, weak = defs.get(sym, ([], []))
        if not d and not weak:
            rep.add("linkname", "%s: relocation target %s not defined" % (rep.relpos(ln["loc"]), sym))
        elif len(d) > 1:
            rep.add("linkname", "duplicated definition of symbol %s, from %s and %s" % (sym, d[0], d[1]))
    rep.counts["linkname"] = {"linkname_symbols": n_ln, "asm_label_symbols": n_asm,
                              "objects": len(objs)}


# --- Driver ----------------------------------------------------------------------

def run(args):
    if args.compile_commands:
        cc = args.compile_commands
    else:
        cc = os.path.join(args.p, "compile_commands.json")
    if not os.path.exists(cc):
        raise CheckerError("%s not found (configure with CMAKE_EXPORT_COMPILE_COMMANDS)" % cc)
    entries = load_compile_commands(cc, args.target)
    if not entries:
        raise CheckerError("no compile commands for target %r in %s" % (args.target, cc))
    rules = set(args.rules.split(",")) if args.rules else {
        "nosplit", "nowritebarrier", "nowritebarrierrec", "systemstack", "linkname", "notinheap"}
    root = os.path.abspath(args.root or os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    rep = Report(root)

    src = Source(args.exclude, args.keep_going)
    for e in entries:
        if e["file"].endswith((".cpp", ".cc", ".cxx", ".C")):
            src.parse(e)
    src.finish()
    nfuncs = sum(1 for f in src.funcs.values() if f.defined)
    if nfuncs == 0:
        raise CheckerError("no function definitions found")
    rep.counts["source"] = {"translation_units": src.parsed, "functions": nfuncs,
                            "calls": src.calls_seen}

    objs = Objects(entries)
    if objs.missing_ci:
        raise CheckerError("no -fcallgraph-info output: %s (build with cmake/checks.cmake)"
                           % ", ".join(objs.missing_ci[:3]))
    objs.link()

    if "nosplit" in rules:
        rule_nosplit(objs, rep)
        rule_nosplit_attr(src, objs, rep)
    if "nowritebarrier" in rules or "nowritebarrierrec" in rules:
        rule_nowritebarrier(src, rep)
    if "systemstack" in rules:
        rule_systemstack(src, rep)
    if "linkname" in rules:
        rule_linkname(src, objs.objects, rep)
    for e in sorted(set(src.parse_errors)):
        eprint("gocheck: warning: libclang: %s" % e)
    if "notinheap" in rules:
        for rule, p, text in src.findings:
            rep.add(rule, "%s: %s" % (rep.relpos(p), text))
        rep.counts["notinheap"] = {"new_expressions": src.news}
    return rep


def main(argv=None):
    ap = argparse.ArgumentParser(description="Check gort's //go: directives (see the module doc).")
    ap.add_argument("-p", default="build", help="build directory holding compile_commands.json")
    ap.add_argument("--compile-commands", help="path of compile_commands.json (overrides -p)")
    ap.add_argument("--target", default="gort",
                    help="only entries whose object is under CMakeFiles/TARGET.dir ('' for all)")
    ap.add_argument("--root", help="paths in messages are relative to this (default: the repository)")
    ap.add_argument("--exclude", action="append", default=[],
                    help="directory whose functions are not analysed (repeatable)")
    ap.add_argument("--rules", help="comma-separated subset of rules")
    ap.add_argument("--stack-guard-multiplier", type=int, default=1,
                    help="scale the nosplit budget, as Go's StackGuardMultiplier does for -race")
    ap.add_argument("--json", action="store_true", help="print findings and counts as JSON")
    ap.add_argument("--heights", action="store_true",
                    help="also list every nosplit function with the height of its deepest chain")
    ap.add_argument("--keep-going", action="store_true",
                    help="report libclang parse errors as warnings instead of stopping (diagnosis only)")
    args = ap.parse_args(argv)
    # Go's race build doubles the nosplit budget (objabi.StackNosplit with
    # StackGuardMultiplier); the sanitizers' redzones grow frames further, so
    # the sanitizer builds pass a multiplier here (cmake/checks.cmake).
    global LIMIT
    LIMIT = STACK_NOSPLIT * args.stack_guard_multiplier - CALL_SIZE
    sys.setrecursionlimit(20000)
    try:
        rep = run(args)
    except CheckerError as e:
        eprint("gocheck: %s" % e)
        return 2
    except Exception:  # a bug in the checker must not read as "findings"
        import traceback
        traceback.print_exc()
        return 2
    if args.json:
        print(json.dumps({"findings": [{"rule": r, "text": t} for r, t in rep.findings],
                          "counts": rep.counts}, indent=1))
    else:
        if args.heights:
            for h, name in rep.heights:
                print("nosplit %5d %s" % (h, name))
        for _, text in rep.findings:
            print(text)
        for rule, c in rep.counts.items():
            print("gocheck: %-17s %s" % (rule, ", ".join("%s=%s" % kv for kv in c.items())))
        print("gocheck: %d finding%s" % (len(rep.findings), "" if len(rep.findings) == 1 else "s"))
    return 1 if rep.findings else 0


if __name__ == "__main__":
    sys.exit(main())
