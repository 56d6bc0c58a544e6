# ferlab_add_library(<name> [USES <targets...>] [PRIVATE_USES <targets...>])
#
# One library of ferlab, in the folder that calls it: include/<name>/*.hpp (what other libraries
# may include, as "<name>/file.hpp") and src/*.cpp. Builds the target ferlab_<name>; a folder
# without sources gives a header-only (INTERFACE) library. USES are the libraries its headers
# include (passed on to its users), PRIVATE_USES those only its sources include. A library's
# include path holds its own headers and those of what it uses, nothing else: an include of a
# library it does not use, such as a layer above it, fails to compile.
function(ferlab_add_library name)
  cmake_parse_arguments(ARG "" "" "USES;PRIVATE_USES" ${ARGN})
  set(target ferlab_${name})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/src/*.cpp)
  if(sources)
    add_library(${target} STATIC ${sources})
    target_include_directories(${target} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
    target_link_libraries(${target} PUBLIC ${ARG_USES} PRIVATE ${ARG_PRIVATE_USES})
  else()
    if(ARG_PRIVATE_USES)
      message(FATAL_ERROR "ferlab_add_library(${name}): a header-only library has no PRIVATE_USES")
    endif()
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE ${CMAKE_CURRENT_SOURCE_DIR}/include)
    target_link_libraries(${target} INTERFACE ${ARG_USES})
  endif()
endfunction()
