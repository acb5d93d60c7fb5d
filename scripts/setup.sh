#!/usr/bin/env bash
# Installs what pmsnap needs and is missing: Verilator and Yosys (Debian
# packages), a C++ compiler and make. Rust (cargo) must already be there.
# Safe to run again: it installs nothing that is present.
set -euo pipefail

need=()
command -v verilator >/dev/null || need+=(verilator)
command -v yosys >/dev/null || need+=(yosys)
command -v g++ >/dev/null || need+=(g++)
command -v make >/dev/null || need+=(make)

if ((${#need[@]})); then
    echo "setup: installing ${need[*]}"
    if [[ $(id -u) -eq 0 ]]; then sudo=(); else sudo=(sudo); fi
    if ! command -v apt-get >/dev/null; then
        echo "setup: no apt-get here; install these yourself: ${need[*]}" >&2
        exit 1
    fi
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null; then
    echo "setup: cargo not found; install Rust (https://rustup.rs) first" >&2
    exit 1
fi
echo "setup: $(verilator --version | head -1); $(yosys -V | head -1); $(cargo --version)"
