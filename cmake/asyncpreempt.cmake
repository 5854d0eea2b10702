# cmake/asyncpreempt.cmake: the runtime's code in a section of its own.
# Included from the top CMakeLists.txt after the gort target is defined.
#
# Asynchronous preemption stops a goroutine only in code the user compiled,
# never in the runtime's (preempt.cpp, [as-text]). The runtime tells the two
# apart by address: after libgort.a is archived, every code section of its
# objects (.text, .text.unlikely, .text.startup, the .text.<name> sections of
# inline functions and templates) is renamed gort_text. The linker gathers
# the sections of that name into one output section and defines
# __start_gort_text and __stop_gort_text around it, which isAsyncSafePoint
# reads. Flags and contents stay as they were: only the name changes.
#
# If the library is used without this step (another build system archiving
# the objects itself), the symbols stay undefined (they are weak) and
# asynchronous preemption is off: goroutines stop at function prologues only.

if(NOT CMAKE_OBJCOPY OR NOT CMAKE_OBJDUMP)
  message(WARNING "gort: no objcopy/objdump: asynchronous preemption will be off")
  return()
endif()

add_custom_command(TARGET gort POST_BUILD
  COMMAND "${CMAKE_COMMAND}" -DOBJCOPY=${CMAKE_OBJCOPY} -DOBJDUMP=${CMAKE_OBJDUMP}
          -DLIB=$<TARGET_FILE:gort> -P "${CMAKE_CURRENT_SOURCE_DIR}/cmake/gort_text.cmake"
  COMMENT "Renaming libgort.a's code sections to gort_text"
  VERBATIM)
