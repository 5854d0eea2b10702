/* debug_gdb_scripts.S: the entry that makes gdb load runtime-gdb.py for every
 * program linked with gort. Go's linker writes the same section into every Go
 * binary (cmd/link/internal/ld/dwarf.go, writegdbscript, at go1.22.12),
 * naming $GOROOT/src/runtime/runtime-gdb.py.
 *
 * The section holds one entry: a byte 1 (a Python script named by its file
 * name), then that name, NUL-terminated. gdb reads it when it loads the
 * executable and sources the file if `auto-load safe-path` allows it. The
 * flags "MS" (mergeable strings) let the linker keep one copy of equal
 * entries. GORT_GDB_SCRIPT, the absolute path, comes from cmake/gdb.cmake: the
 * source tree's runtime-gdb.py; `cmake --install` rewrites the installed
 * archive's copy of this section to the installed script.
 *
 * An archive member is linked only when a program uses one of its symbols,
 * and nothing calls into this one: the package's link options name
 * gort_debug_gdb_scripts as an undefined symbol (-Wl,-u,...) to pull it in. */
#ifndef GORT_GDB_SCRIPT
#error "GORT_GDB_SCRIPT (the path of runtime-gdb.py) is not defined"
#endif

	.pushsection .debug_gdb_scripts, "MS", @progbits, 1
	.byte	1
	.asciz	GORT_GDB_SCRIPT
	.popsection

	.section .rodata
	.globl	gort_debug_gdb_scripts
	.type	gort_debug_gdb_scripts, @object
	.size	gort_debug_gdb_scripts, 1
gort_debug_gdb_scripts:
	.byte	0

	.section .note.GNU-stack,"",@progbits
