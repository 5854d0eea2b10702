# TimeoutsTest.cmake: the `ctest_timeouts` ctest, run as `cmake -P`.
#
# Every ctest has a TIMEOUT of its own, chosen for it: run.bash's --timeout
# is only a default for tests without one, and a plain `ctest` has none (it
# would wait for a hung test forever). This lists the tests of the build
# directory (ctest --show-only=json-v1) and fails naming each test without
# a TIMEOUT property.
#
# Inputs (-D): GORT_BUILD_DIR, GORT_CTEST.
cmake_minimum_required(VERSION 3.25)

foreach(v GORT_BUILD_DIR GORT_CTEST)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "TimeoutsTest.cmake: -D${v}=... is required")
  endif()
endforeach()

execute_process(COMMAND "${GORT_CTEST}" --test-dir "${GORT_BUILD_DIR}" --show-only=json-v1
                RESULT_VARIABLE rc OUTPUT_VARIABLE json ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "ctest --show-only=json-v1 failed (${rc}): ${err}")
endif()

string(JSON ntests LENGTH "${json}" tests)
set(missing "")
if(ntests GREATER 0)
  math(EXPR last "${ntests} - 1")
  foreach(i RANGE ${last})
    string(JSON name GET "${json}" tests ${i} name)
    set(has FALSE)
    string(JSON nprops ERROR_VARIABLE noprops LENGTH "${json}" tests ${i} properties)
    if(NOT noprops AND nprops GREATER 0)
      math(EXPR plast "${nprops} - 1")
      foreach(j RANGE ${plast})
        string(JSON pname GET "${json}" tests ${i} properties ${j} name)
        if(pname STREQUAL "TIMEOUT")
          set(has TRUE)
        endif()
      endforeach()
    endif()
    if(NOT has)
      list(APPEND missing "${name}")
    endif()
  endforeach()
endif()

if(missing)
  list(JOIN missing ", " missing)
  message(FATAL_ERROR "ctests without a TIMEOUT property: ${missing}")
endif()
message(STATUS "all ${ntests} ctests have a TIMEOUT")
