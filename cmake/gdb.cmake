# gdb.cmake: gdb support, the port of Go's runtime-gdb.py (see that file's
# header for the commands and printers).
#
#   runtime-gdb.py                   the extension, at the repository root as
#                                    Go keeps it in src/runtime
#   tools/gdb/debug_gdb_scripts.S    a member of libgort.a: the
#                                    .debug_gdb_scripts entry naming the script
#                                    (this source tree's runtime-gdb.py), pulled
#                                    into every program by the link option
#                                    -Wl,-u,gort_debug_gdb_scripts of gort::gort
#   install                          <datadir>/gort/gdb/runtime-gdb.py; the
#                                    installed libgort.a's entry is rewritten to
#                                    name that copy (see the end of this file)
#   gdb_goroutines                   tests/gdb/goroutines.cpp, parked goroutines
#   ctest gdb_goroutines (tools)     tests/gdb/session.py --check: the session
#                                    tests/gdb/goroutines.gdb under gdb -batch
#   tests/gdb_goroutines.session     the same session, run when the book is
#                                    built; chapter 10 shows it (book/tools/gen.py)
#
# gdb sources a script named by .debug_gdb_scripts only from a directory in
# its `auto-load safe-path`: the tests pass -iex "add-auto-load-safe-path
# <script>"; users add that line to ~/.config/gdb/gdbinit (README.md).

# --- Install step: run by cmake --install (see install(CODE) below) ----------------
# The build tree's libgort.a names this source tree's runtime-gdb.py. The
# prefix is known only now (cmake --install --prefix), so the installed
# archive's member is rewritten here: extracted, its section replaced with an
# entry naming the installed script, put back.
if(GORT_GDB_INSTALL_STEP)
  get_filename_component(_prefix "${CMAKE_INSTALL_PREFIX}" ABSOLUTE)
  set(_lib "$ENV{DESTDIR}${_prefix}/${GORT_GDB_LIBDIR}/libgort.a")
  set(_script "${_prefix}/${GORT_GDB_DATADIR}/gort/gdb/runtime-gdb.py")
  set(_tmp "${GORT_GDB_WORKDIR}")
  file(REMOVE_RECURSE "${_tmp}")
  file(MAKE_DIRECTORY "${_tmp}")
  set(_member debug_gdb_scripts.S.o)
  execute_process(COMMAND "${GORT_GDB_AR}" x "${_lib}" ${_member} WORKING_DIRECTORY "${_tmp}"
                  RESULT_VARIABLE rc1)
  # The entry: byte 1 (a Python file), the path, NUL. CMake strings cannot
  # hold a NUL, so printf writes it.
  execute_process(COMMAND printf "\\001%s\\000" "${_script}" OUTPUT_FILE "${_tmp}/entry" RESULT_VARIABLE rc2)
  execute_process(COMMAND "${GORT_GDB_OBJCOPY}" --update-section ".debug_gdb_scripts=${_tmp}/entry" ${_member}
                  WORKING_DIRECTORY "${_tmp}" RESULT_VARIABLE rc3)
  execute_process(COMMAND "${GORT_GDB_AR}" r "${_lib}" ${_member} WORKING_DIRECTORY "${_tmp}"
                  RESULT_VARIABLE rc4)
  if(NOT (rc1 EQUAL 0 AND rc2 EQUAL 0 AND rc3 EQUAL 0 AND rc4 EQUAL 0))
    message(FATAL_ERROR "gdb: could not point ${_lib}'s .debug_gdb_scripts at ${_script} "
                        "(ar x: ${rc1}, printf: ${rc2}, objcopy: ${rc3}, ar r: ${rc4})")
  endif()
  message(STATUS "Installing: ${_lib}: .debug_gdb_scripts names ${_script}")
  return()
endif()

# --- The library's entry -------------------------------------------------------------
set(GORT_GDB_SCRIPT "${CMAKE_CURRENT_SOURCE_DIR}/runtime-gdb.py")
set(_gdb_entry "${CMAKE_CURRENT_SOURCE_DIR}/tools/gdb/debug_gdb_scripts.S")
target_sources(gort PRIVATE "${_gdb_entry}")
set_source_files_properties("${_gdb_entry}" PROPERTIES
  COMPILE_DEFINITIONS "GORT_GDB_SCRIPT=\"${GORT_GDB_SCRIPT}\"")
target_link_options(gort INTERFACE "LINKER:-u,gort_debug_gdb_scripts")

install(FILES runtime-gdb.py DESTINATION "${CMAKE_INSTALL_DATADIR}/gort/gdb")
install(CODE "
  set(GORT_GDB_INSTALL_STEP ON)
  set(GORT_GDB_LIBDIR \"${CMAKE_INSTALL_LIBDIR}\")
  set(GORT_GDB_DATADIR \"${CMAKE_INSTALL_DATADIR}\")
  set(GORT_GDB_WORKDIR \"${CMAKE_BINARY_DIR}/gdb_install\")
  set(GORT_GDB_AR \"${CMAKE_AR}\")
  set(GORT_GDB_OBJCOPY \"${CMAKE_OBJCOPY}\")
  include(\"${CMAKE_CURRENT_LIST_FILE}\")
")

# --- The test program, its ctest, and the book's session ---------------------------
add_executable(gdb_goroutines tests/gdb/goroutines.cpp)
set_target_properties(gdb_goroutines PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/tests")
target_link_libraries(gdb_goroutines PRIVATE gort::gort)

find_program(GORT_GDB gdb)
if(NOT GORT_GDB)
  message(STATUS "gort: gdb not found: no ctest gdb_goroutines, no gdb session in the book")
  return()
endif()
set(_gdb_session_args
  --gdb "${GORT_GDB}" --script "${GORT_GDB_SCRIPT}"
  --commands "${CMAKE_CURRENT_SOURCE_DIR}/tests/gdb/goroutines.gdb")

if(BUILD_TESTING)
  add_test(NAME gdb_goroutines
    COMMAND /usr/bin/python3 "${CMAKE_CURRENT_SOURCE_DIR}/tests/gdb/session.py" ${_gdb_session_args}
            --check "$<TARGET_FILE:gdb_goroutines>")
  set_tests_properties(gdb_goroutines PROPERTIES LABELS "tools" TIMEOUT 300)
endif()

# The book (cmake/book.cmake, when it is built) shows a session captured here.
if(TARGET book)
  set(_gdb_transcript "${CMAKE_BINARY_DIR}/tests/gdb_goroutines.session")
  add_custom_command(OUTPUT "${_gdb_transcript}"
    COMMAND /usr/bin/python3 "${CMAKE_CURRENT_SOURCE_DIR}/tests/gdb/session.py" ${_gdb_session_args}
            --transcript "${_gdb_transcript}" "$<TARGET_FILE:gdb_goroutines>"
    DEPENDS gdb_goroutines "${GORT_GDB_SCRIPT}" "${CMAKE_CURRENT_SOURCE_DIR}/tests/gdb/goroutines.gdb"
            "${CMAKE_CURRENT_SOURCE_DIR}/tests/gdb/session.py"
    COMMENT "gdb: the session of tests/gdb/goroutines.gdb, for the book"
    VERBATIM)
  add_custom_command(OUTPUT "${CMAKE_BINARY_DIR}/book/stamp" APPEND DEPENDS "${_gdb_transcript}")
endif()
