# pmsnap — common tasks. `make help` lists them.
#
# Sizing for `verilog`, `lint` and `cosim`: PAGES, PAGE_WORDS, FRAMES,
# WORD_BITS (defaults: the spec's co-simulation defaults).

CARGO      ?= cargo
JOBS       ?= 2
PAGES      ?= 256
PAGE_WORDS ?= 64
WORD_BITS  ?= 32
FRAMES     ?= $(shell echo $$((2 * $(PAGES))))
SIZING      = --pages $(PAGES) --page-words $(PAGE_WORDS) --frames $(FRAMES) --word-bits $(WORD_BITS)
WORKLOAD   ?= workloads/demo.trace
BUILD      ?= build
VCD        ?= $(BUILD)/cosim.vcd
PMSNAP      = target/release/pmsnap
BOARD      ?= ice40-hx8k
BOARDS      = ice40-hx8k ulx3s
SEEDS      ?= 3

.PHONY: help setup demo verilog lint cosim wave test check clean pmsnap bitstream report board-sim bench

help:
	@echo "make demo     install what is missing, generate Verilog, co-simulate the demo workload, write $(BUILD)/demo.vcd"
	@echo "make test     run every test (unit, co-simulation, lint, synthesis)"
	@echo "make check    the code's habits: rustfmt and clippy (warnings are errors), as CI runs them"
	@echo "make verilog  regenerate rtl-out/ (the committed default controller and the board tops); OUT=dir and sizing variables to change"
	@echo "make lint     verilator --lint-only -Wall on the generated Verilog"
	@echo "make cosim    co-simulate WORKLOAD (default $(WORKLOAD)) with a VCD in $(VCD)"
	@echo "make wave     open $(VCD) in GTKWave"
	@echo "make bitstream BOARD=b   board top to bitstream in $(BUILD)/b (b: $(BOARDS)); fails if the board clock is not met"
	@echo "make report   resources and Fmax of controller, pass-through and board top on both boards (bench-out/synth/)"
	@echo "make bench    benchmarks: simulation speed, cost as memory grows, wear (bench-out/; QUICK=1 for the reduced set)"
	@echo "make board-sim BOARD=b   co-simulated board top behind the pseudo-terminal $(BUILD)/b.tty, for 'pmsnap uart --port'"
	@echo "sizing: PAGES=$(PAGES) PAGE_WORDS=$(PAGE_WORDS) FRAMES=$(FRAMES) WORD_BITS=$(WORD_BITS)"

setup:
	scripts/setup.sh

pmsnap:
	$(CARGO) build --release -j$(JOBS) --bin pmsnap

demo: setup pmsnap
	$(PMSNAP) generate --out $(BUILD)/rtl
	$(PMSNAP) cosim --workload workloads/demo.trace --reads-out $(BUILD)/demo.reads --dump-final $(BUILD)/demo.final --vcd $(BUILD)/demo.vcd
	@echo "demo: Verilog in $(BUILD)/rtl, reads in $(BUILD)/demo.reads, waveform in $(BUILD)/demo.vcd"

OUT ?= rtl-out
verilog: pmsnap
	$(PMSNAP) generate --out $(OUT) $(SIZING)
	@for b in $(BOARDS); do $(PMSNAP) generate --board $$b --out $(OUT)/$$b || exit $$?; done

lint: verilog
	cd $(OUT) && verilator --lint-only -Wall verilator.vlt pmsnap_controller.v
	@for b in $(BOARDS); do (cd $(OUT)/$$b && verilator --lint-only -Wall verilator.vlt pmsnap_board.v) || exit $$?; done
	@echo "lint: clean"

cosim: pmsnap
	@mkdir -p $(dir $(VCD))
	$(PMSNAP) cosim $(SIZING) --workload $(WORKLOAD) --vcd $(VCD)

wave:
	@test -f $(VCD) || { echo "no $(VCD): run 'make cosim' first"; exit 1; }
	@command -v gtkwave >/dev/null || { echo "GTKWave is not installed (apt-get install gtkwave); the waveform is $(VCD)"; exit 1; }
	gtkwave $(VCD)

bitstream: setup pmsnap
	$(PMSNAP) bitstream --board $(BOARD) --out $(BUILD)/$(BOARD)

report: setup pmsnap
	@for b in $(BOARDS); do $(PMSNAP) synth --board $$b --seeds $(SEEDS) || exit $$?; done

bench: setup pmsnap
	$(PMSNAP) bench --out bench-out $(if $(QUICK),--quick)

board-sim: pmsnap
	@mkdir -p $(BUILD)
	$(PMSNAP) board-sim --board $(BOARD) --link $(BUILD)/$(BOARD).tty

test: setup
	$(CARGO) test --workspace -j$(JOBS)

check:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -j$(JOBS) -- -D warnings

clean:
	rm -rf $(BUILD)
	$(CARGO) clean
