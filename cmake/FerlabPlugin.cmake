# ferlab_add_plugin(<name> SOURCES <files...> [LIBRARIES <targets...>] [TESTS <files...>])
#
# Builds one plugin library against the ferlab SDK: hidden visibility, placed in the plugin
# directory that `ferlab` searches, installed next to the in-tree plugins. Used in-tree and,
# through the installed CMake package, by out-of-tree plugins.
# TESTS: the plugin's own GoogleTest files, each built into an executable with the SDK's test
# kit (ferlab/testing.hpp) and FERLAB_PLUGIN_UNDER_TEST defined as the plugin library's path,
# and registered with ctest (call enable_testing() first). In-tree they follow FERLAB_TESTS.
function(ferlab_add_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES;TESTS" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "ferlab_add_plugin(${name}): SOURCES is required")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ferlab::sdk ${ARG_LIBRARIES})
  # A plugin computes in the inner loop: a build configured without a build type (CMake's
  # default, as `cmake -S . -B build` gives) would compile it unoptimised, about half as fast.
  target_compile_options(${name} PRIVATE $<$<CONFIG:>:-O2>)
  set_target_properties(${name} PROPERTIES
    PREFIX "libferlab-"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    # Bind the plugin's own copies of std:: template code to itself: otherwise the dynamic
    # linker may resolve them to another library's copy (seen: libpoppler via OpenCV -> GDAL).
    LINK_OPTIONS "-Wl,-Bsymbolic-functions"
    BUILD_RPATH "\$ORIGIN/../.."
    INSTALL_RPATH "\$ORIGIN/../..")
  if(DEFINED FERLAB_BUILD_PLUGIN_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${FERLAB_BUILD_PLUGIN_DIR}")
  endif()
  set_property(GLOBAL APPEND PROPERTY FERLAB_PLUGIN_TARGETS ${name})
  install(TARGETS ${name} LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}/ferlab/plugins")
  if(ARG_TESTS AND (NOT DEFINED FERLAB_TESTS OR FERLAB_TESTS))
    ferlab_add_plugin_tests(${name} "${ARG_LIBRARIES}" ${ARG_TESTS})
  endif()
endfunction()

function(ferlab_add_plugin_tests plugin libraries)
  find_package(GTest REQUIRED)
  include(GoogleTest)
  foreach(source ${ARGN})
    get_filename_component(test ${source} NAME_WE)
    add_executable(${test} ${source})
    target_link_libraries(${test} PRIVATE ferlab::sdk GTest::gtest_main ${CMAKE_DL_LIBS} ${libraries})
    target_compile_definitions(${test} PRIVATE
      FERLAB_PLUGIN_UNDER_TEST="$<TARGET_FILE:${plugin}>")
    add_dependencies(${test} ${plugin})
    if(DEFINED FERLAB_BUILD_PLUGIN_DIR)  # in-tree: beside the other test executables
      set_target_properties(${test} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
    endif()
    gtest_discover_tests(${test} DISCOVERY_TIMEOUT 60)
  endforeach()
endfunction()
