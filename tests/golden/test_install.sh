#!/usr/bin/env bash
# cmake --install into a fresh prefix: the program, man page, bash completion, public headers
# (compiled alone, with nothing but the prefix), libainimotion.so/.a exporting only the public
# API, and ainimotion.pc; an example program built against the installed .pc (shared and
# static) runs a real enhance with progress and cancel callbacks and reports it.
. "$(dirname "$0")/lib.sh"
command -v pkg-config >/dev/null || skip "pkg-config missing"
P=$T/prefix
cmake --install "$AIM_BUILD" --prefix "$P" >/dev/null
eq "install exit code" "$?" 0
lib=$(cd "$P" && ls -d lib*/ | head -1); lib=${lib%/}
for f in bin/ainimotion share/man/man1/ainimotion.1 share/bash-completion/completions/ainimotion \
         include/ainimotion/ainimotion.h include/ainimotion/common.h include/ainimotion/version.h \
         $lib/libainimotion.so $lib/libainimotion.a $lib/pkgconfig/ainimotion.pc; do
    check "installed: $f" test -e "$P/$f"
done
eq "installed program runs" "$("$P/bin/ainimotion" --version)" "$("$AIM" --version)"
check "man page" grep -q '^.TH AINIMOTION 1' "$P/share/man/man1/ainimotion.1"
eq "bash completion: commands" "$(bash -c ". '$P/share/bash-completion/completions/ainimotion'
    COMP_WORDS=(ainimotion re); COMP_CWORD=1; _ainimotion; echo \${COMPREPLY[*]}")" "render"
eq "bash completion: presets" "$(bash -c ". '$P/share/bash-completion/completions/ainimotion'
    COMP_WORDS=(ainimotion enhance --preset f); COMP_CWORD=3; _ainimotion; echo \${COMPREPLY[*]}")" "fast"
for h in ainimotion common version; do
    echo "#include <ainimotion/$h.h>" > "$T/h_$h.c"
    check "header $h.h compiles alone from the prefix" cc -std=c11 -Wall -Werror -fsyntax-only -I"$P/include" "$T/h_$h.c"
done
exported=$(nm -D --defined-only "$P/$lib/libainimotion.so" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | sort | tr '\n' ' ')
eq "the shared library exports only the public API" "$exported" \
   "aim_create aim_default_settings aim_destroy aim_log aim_run aim_strerror aim_version "
# the library is the engine; the command line's own code (its commands, batches, jobs, Ctrl-C)
# stays in the program, a client of it
cli=$(nm --defined-only "$P/$lib/libainimotion.a" | awk '$2 == "T" { print $3 }' |
      grep -E '^aim_(cmd_enhance|cmd_plan|cmd_analyze|batch_run|enhance_cli_run)$' | tr '\n' ' ')
eq "the library holds none of the command line's code" "$cli" ""
check "the library holds the engine" sh -c "nm --defined-only '$P/$lib/libainimotion.a' | grep -q ' T aim_enhance_run$'"

export PKG_CONFIG_PATH=$P/$lib/pkgconfig
eq "pkg-config version" "$(pkg-config --modversion ainimotion)" "$("$AIM" --version | cut -d' ' -f2)"
# a sanitizer build installs instrumented libraries: a program linking them needs the runtime
san=""
grep -qE '^AIM_SANITIZE:BOOL=ON' "$AIM_BUILD/CMakeCache.txt" 2>/dev/null &&
    san="-fsanitize=address,undefined"
cc -std=c11 -Wall -Werror $san "$AIM_SRC/tests/install/example.c" -o "$T/example" \
   $(pkg-config --cflags --libs ainimotion)
eq "example builds against the .pc (shared)" "$?" 0
cc -std=c11 -Wall -Werror $san "$AIM_SRC/tests/install/example.c" -o "$T/example_static" \
   $(pkg-config --cflags ainimotion) "$P/$lib/libainimotion.a" \
   $(pkg-config --libs $(pkg-config --print-requires-private ainimotion | awk '{ print $1 }')) -lpthread -lm
eq "example builds against libainimotion.a (libav shared)" "$?" 0
"$GEN" "$T/in.mkv" --frames 24 --size 160x96 >/dev/null 2>&1 || { bad "aim_gen"; finish; exit; }
LD_LIBRARY_PATH=$P/$lib "$T/example" "$T/in.mkv" "$T/out.mkv" > "$T/run.txt"
eq "example run: exit code" "$?" 0
check "example: version from the library" grep -q "^version $("$AIM" --version | cut -d' ' -f2) api 2$" "$T/run.txt"
# one call per output frame, then the final one; the output rate 48000/1001
check "example: progress callback saw every frame, then a final call" \
    grep -q '^progress 48 frames, 49 calls, 1 final, 47.952 fps$' "$T/run.txt"
check "example: report" grep -Eq '^report 24 source, 48 output, [1-9][0-9]* interpolated$' "$T/run.txt"
eq "example: output frames" "$(frames "$T/out.mkv")" 48
"$T/example_static" "$T/in.mkv" "$T/out2.mkv" 5 > "$T/cancel.txt"
eq "static example cancelled: exit code" "$?" 1
check "cancel: AIM_ERR_INTERRUPTED" grep -q "^result $((-0x4005)) " "$T/cancel.txt"
check "cancel: nothing left under the output name" test ! -e "$T/out2.mkv"
check "cancel: no temporary file left beside it" test -z "$(ls -A "$T" | grep out2)"
check "cancel: stopped soon after frame 5 (not at the end)" \
    grep -Eq '^progress ([5-9]|[1-3][0-9]) frames, .* 1 final' "$T/cancel.txt"
finish
