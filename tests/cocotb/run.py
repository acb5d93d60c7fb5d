"""Runs tests/cocotb/test_axi4_host.py on the Verilog in DIR under Icarus
Verilog with cocotb's runner: `python run.py DIR`. DIR holds processed.v
(the controller generated with --host-bus axi4, through Yosys `proc`).
Exit status 0 when every test passed."""

import sys
from pathlib import Path

from cocotb_tools.runner import get_results, get_runner


def main():
    work = Path(sys.argv[1]).resolve()
    runner = get_runner("icarus")
    runner.build(sources=[work / "processed.v"], hdl_toplevel="pmsnap_controller", build_dir=work / "build", timescale=("1ns", "1ps"), always=True)
    xml = runner.test(hdl_toplevel="pmsnap_controller", test_module="test_axi4_host", test_dir=Path(__file__).parent, build_dir=work / "build", results_xml=str(work / "results.xml"))
    tests, failed = get_results(xml)
    print(f"cocotb: {tests} tests, {failed} failed")
    sys.exit(1 if failed or not tests else 0)


if __name__ == "__main__":
    main()
