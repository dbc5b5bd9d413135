#!/usr/bin/env bash
# Installs the Debian 12 packages AInimotion needs to build, test and run (root or sudo).
# Skips apt entirely when everything is already installed.
set -euo pipefail
pkgs=(build-essential cmake pkg-config clang
      libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev
      libpng-dev ffmpeg fonts-dejavu-core bc time python3
      mesa-vulkan-drivers libvulkan-dev glslc vulkan-validationlayers spirv-tools
      parallel slurm-wlm munge)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "install-deps: installing ${missing[*]}"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
