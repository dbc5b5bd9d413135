#!/usr/bin/env bash
# CPack builds a .deb; it installs with dpkg -i on this machine, `ainimotion --version` runs
# from /usr/bin, the library and headers are where Debian expects them; the package is removed
# again on every exit (trap), also after a failure.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "dpkg -i needs root (CI runs as root)"
command -v cpack >/dev/null && command -v dpkg >/dev/null || skip "cpack or dpkg missing"
dpkg-query -W -f='${Status}' ainimotion 2>/dev/null | grep -q "install ok installed" &&
    skip "an ainimotion package is already installed here: not replacing it"
(cd "$T" && cpack -G DEB --config "$AIM_BUILD/CPackConfig.cmake" -B "$T/pkg" >"$T/cpack.log" 2>&1)
eq "cpack exit code" "$?" 0
deb=$(ls "$T"/pkg/ainimotion_*.deb 2>/dev/null | head -1)
check "a .deb was built" test -n "$deb"
[ -n "$deb" ] || { finish; exit; }
version=$("$AIM" --version | cut -d' ' -f2)
eq "package version is the build's" "$(dpkg-deb -f "$deb" Version)" "$version"
check "package depends on libav (shlibdeps)" sh -c "dpkg-deb -f '$deb' Depends | grep -q libavcodec"
trap 'dpkg -r ainimotion >/dev/null 2>&1' EXIT
dpkg -i "$deb" >"$T/dpkg.log" 2>&1
eq "dpkg -i exit code" "$?" 0
eq "installed ainimotion --version" "$(/usr/bin/ainimotion --version)" "ainimotion $version"
check "library installed" sh -c "ls /usr/lib/libainimotion.so* /usr/lib/*/libainimotion.so* 2>/dev/null | grep -q ."
check "header installed" test -e /usr/include/ainimotion/ainimotion.h
check "man page installed" test -e /usr/share/man/man1/ainimotion.1
dpkg -r ainimotion >/dev/null 2>&1
eq "dpkg -r exit code" "$?" 0
check "removed" test ! -e /usr/bin/ainimotion
finish
