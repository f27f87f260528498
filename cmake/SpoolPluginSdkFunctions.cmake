# spool_add_plugin(NAME SOURCES file.cpp... METADATA name.json)
# A Spool job-kind plugin: a Qt plugin (a shared library) linked to the SDK and Qt Core only.
# The metadata's "sdkVersion" is checked here against the SDK being built with, by the rule the
# host refuses plugins with (same major, not a newer minor): a mistake fails the build, not the
# user's queue. Install the result into ${SPOOL_PLUGIN_INSTALL_DIR} (under the prefix) or copy it
# into ~/.local/share/spool/plugins.
function(spool_add_plugin name)
    cmake_parse_arguments(PARSE_ARGV 1 arg "" "METADATA" "SOURCES")
    if(arg_UNPARSED_ARGUMENTS)
        message(FATAL_ERROR "spool_add_plugin(${name}): unknown arguments ${arg_UNPARSED_ARGUMENTS}")
    endif()
    if(NOT arg_SOURCES OR NOT arg_METADATA)
        message(FATAL_ERROR "spool_add_plugin(${name}): give SOURCES and METADATA name.json")
    endif()
    _spool_check_plugin_metadata(${name} "${arg_METADATA}")
    qt_add_plugin(${name})
    # Qt 6.4's qt_add_plugin ignores sources given to it: add them to the target.
    target_sources(${name} PRIVATE ${arg_SOURCES} ${arg_METADATA})
    target_link_libraries(${name} PRIVATE Spool::PluginSdk)
    # Q_PLUGIN_METADATA needs moc, whether or not the project turned AUTOMOC on.
    set_target_properties(${name} PROPERTIES AUTOMOC ON)
endfunction()

function(_spool_check_plugin_metadata name metadata)
    get_filename_component(path "${metadata}" ABSOLUTE)
    if(NOT EXISTS "${path}")
        message(FATAL_ERROR "spool_add_plugin(${name}): ${metadata} does not exist")
    endif()
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${path}")
    file(READ "${path}" json)
    string(JSON declared ERROR_VARIABLE problem GET "${json}" sdkVersion)
    if(problem)
        message(FATAL_ERROR "spool_add_plugin(${name}): ${metadata}: no \"sdkVersion\" (${problem})")
    endif()
    if(NOT declared MATCHES "^([0-9]+)\\.([0-9]+)$")
        message(FATAL_ERROR "spool_add_plugin(${name}): ${metadata}: sdkVersion \"${declared}\" is not MAJOR.MINOR")
    endif()
    set(major ${CMAKE_MATCH_1})
    set(minor ${CMAKE_MATCH_2})
    string(REPLACE "." ";" sdk "${SPOOL_PLUGIN_SDK_VERSION}")
    list(GET sdk 0 sdk_major)
    list(GET sdk 1 sdk_minor)
    if(NOT major EQUAL sdk_major OR minor GREATER sdk_minor)
        message(FATAL_ERROR "spool_add_plugin(${name}): ${metadata} declares sdkVersion ${declared}, "
            "but this is SDK ${SPOOL_PLUGIN_SDK_VERSION}: Spool would refuse the plugin")
    endif()
endfunction()
