# Debian packages with CPack (tools/package.sh): `spool` (the app, spoolctl, helpers, bundled
# plugins, desktop files) and `spool-dev` (the plugin SDK). Dependencies come from
# dpkg-shlibdeps; the copyright file and changelog are the ones Debian policy asks for.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME spool)
set(CPACK_PACKAGE_VENDOR "The Spool developers")
set(CPACK_PACKAGE_CONTACT "The Spool developers <spool@example.org>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# Each package's description starts with its own synopsis; CPack would put the project's
# description in front of it unless the summary is CPack's default one.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_NAME} built using CMake")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime sdk)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME spool)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION utils)
# The SQLite and PostgreSQL drivers are Qt plugins (dlopened, so shlibdeps cannot see them); the SVG icon engine
# draws the toolbar icons.
set(CPACK_DEBIAN_RUNTIME_PACKAGE_DEPENDS "libqt6sql6-sqlite, libqt6sql6-psql, libqt6svg6, qt6-qpa-plugins")
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION "desktop job queue for API downloads and 3D renders
Spool queues many API downloads and 3D renders, runs them in the background
at low priority, shows each job's progress and notifies you when it is done.
Jobs survive crashes and restarts, retry on server errors and never replace a
file. spoolctl drives the same queue from the command line and runs it on
machines without a display (with the spool-runner systemd user unit).")

set(CPACK_DEBIAN_SDK_PACKAGE_NAME spool-dev)
set(CPACK_DEBIAN_SDK_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_SDK_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_SDK_PACKAGE_SHLIBDEPS OFF)
set(CPACK_DEBIAN_SDK_PACKAGE_DEPENDS "spool (>= ${PROJECT_VERSION}), qt6-base-dev (>= 6.4), cmake (>= 3.21)")
set(CPACK_DEBIAN_SDK_DESCRIPTION "plugin SDK for the Spool job queue
Headers and a CMake package for writing Spool job-kind plugins:
find_package(SpoolPluginSdk 1.0 REQUIRED) and spool_add_plugin(). Includes a
plugin template to copy.")

# /usr/share/doc/<package>/{copyright,changelog.gz}, for both packages.
foreach(component runtime sdk)
    if(component STREQUAL runtime)
        set(package spool)
    else()
        set(package spool-dev)
    endif()
    install(FILES ${PROJECT_SOURCE_DIR}/data/copyright
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${package} COMPONENT ${component})
    install(FILES ${PROJECT_BINARY_DIR}/share/changelog.gz
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${package} COMPONENT ${component})
endforeach()
add_custom_command(OUTPUT ${PROJECT_BINARY_DIR}/share/changelog.gz
    COMMAND gzip -9n -c ${PROJECT_SOURCE_DIR}/data/changelog > ${PROJECT_BINARY_DIR}/share/changelog.gz
    DEPENDS ${PROJECT_SOURCE_DIR}/data/changelog)
add_custom_target(spool_changelog ALL DEPENDS ${PROJECT_BINARY_DIR}/share/changelog.gz)

include(CPack)
