# Common warning and sanitizer flags for every citybrain target.
add_library(citybrain_options INTERFACE)
target_compile_options(citybrain_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
  -Wno-sign-conversion $<$<BOOL:${CITYBRAIN_WERROR}>:-Werror>
  # sqrt without errno bookkeeping: same results, no library call in the hot loop.
  -fno-math-errno)
if(CITYBRAIN_SANITIZE)
  # GCC's -Wmaybe-uninitialized gives false positives under the sanitizers' instrumentation (here
  # inside Boost.Beast's parser); the release build keeps the warning as an error.
  target_compile_options(citybrain_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=all $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
  target_link_options(citybrain_options INTERFACE -fsanitize=address,undefined)
endif()
if(CITYBRAIN_FUZZ)
  target_compile_options(citybrain_options INTERFACE -fsanitize=fuzzer-no-link,address,undefined)
  target_link_options(citybrain_options INTERFACE -fsanitize=address,undefined)
endif()

# citybrain_module(NAME <name> SOURCES <files...> DEPENDS <targets...>)
# One static library per module, aliased citybrain::<name>, with its dependencies spelled out.
function(citybrain_module)
  cmake_parse_arguments(M "" "NAME" "SOURCES;DEPENDS;PRIVATE_DEPENDS" ${ARGN})
  add_library(citybrain_${M_NAME} STATIC ${M_SOURCES})
  add_library(citybrain::${M_NAME} ALIAS citybrain_${M_NAME})
  target_include_directories(citybrain_${M_NAME} PUBLIC ${PROJECT_SOURCE_DIR}/include
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(citybrain_${M_NAME} PUBLIC ${M_DEPENDS} citybrain_options
    PRIVATE ${M_PRIVATE_DEPENDS})
  set_target_properties(citybrain_${M_NAME} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()
