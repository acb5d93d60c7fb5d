# pmsnap — common tasks. `make help` lists them.
#
# Sizing for `verilog`, `lint` and `cosim`: PAGES, PAGE_WORDS, FRAMES,
# WORD_BITS (defaults: the co-simulation defaults, docs/contract.md §2).

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

# The save file of the last waveform a target wrote, for `make wave`.
LAST_WAVE   = $(BUILD)/last-wave

.PHONY: help setup pmsnap demo verilog lint cosim wave pictures test check clean bitstream report board-sim bench formal

help:
	@echo "make demo      install what is missing, generate Verilog, co-simulate the demo workload, write $(BUILD)/demo.vcd (+ demo.gtkw)"
	@echo "make test      run every test (unit, co-simulation, lint, synthesis)"
	@echo "make check     the code's habits: rustfmt and clippy (warnings are errors), as CI runs them"
	@echo "make setup     install the system packages pmsnap needs (scripts/setup.sh)"
	@echo "make pmsnap    build the pmsnap command (target/release/pmsnap)"
	@echo "make verilog   regenerate rtl-out/ (the committed default controller and the board tops); OUT=dir and sizing variables to change"
	@echo "make lint      verilator --lint-only -Wall on Verilog generated into $(BUILD)/lint (rtl-out/ untouched)"
	@echo "make cosim     co-simulate WORKLOAD (default $(WORKLOAD)) with a waveform in $(VCD) (+ .gtkw)"
	@echo "make wave      open the last waveform a make target wrote in GTKWave, with its save file"
	@echo "make pictures  timing diagrams of a COW fault, a SNAPSHOT and a RESTORE from the demo (docs/pictures/)"
	@echo "make bitstream BOARD=b   board top to bitstream in $(BUILD)/b (b: $(BOARDS)); fails if the board clock is not met"
	@echo "make report    resources and Fmax of controller, pass-through and board top on both boards, lookup latency 1 and 2, and of the controller with each host bus (bench-out/synth/)"
	@echo "make formal    prove the port protocols, host order, I1 (metadata and frames) and RESTORE's effect by k-induction (SymbiYosys) at small sizings, both lookup latencies; reach the covers, traces in $(BUILD)/formal/covers; the bounded checks of formal/checks.txt (I1 for the frames, RESTORE, liveness) (docs/formal.md)"
	@echo "make bench     benchmarks: simulation speed, cost as memory grows, wear (bench-out/; QUICK=1 for the reduced set)"
	@echo "make board-sim BOARD=b [BOARD_WAVE=file.fst]   co-simulated board top behind the pseudo-terminal $(BUILD)/b.tty, for 'pmsnap uart --port'"
	@echo "make clean     remove $(BUILD)/ and cargo's target/"
	@echo "sizing: PAGES=$(PAGES) PAGE_WORDS=$(PAGE_WORDS) FRAMES=$(FRAMES) WORD_BITS=$(WORD_BITS)"

setup:
	scripts/setup.sh

pmsnap:
	$(CARGO) build --release -j$(JOBS) --bin pmsnap

demo: setup pmsnap
	$(PMSNAP) generate --out $(BUILD)/rtl
	$(PMSNAP) cosim --workload workloads/demo.trace --reads-out $(BUILD)/demo.reads --dump-final $(BUILD)/demo.final --vcd $(BUILD)/demo.vcd
	@echo $(BUILD)/demo.gtkw > $(LAST_WAVE)
	@echo "demo: Verilog in $(BUILD)/rtl, reads in $(BUILD)/demo.reads, waveform in $(BUILD)/demo.vcd (make wave opens it)"

OUT ?= rtl-out
verilog: pmsnap
	$(PMSNAP) generate --out $(OUT) $(SIZING)
	@for b in $(BOARDS); do $(PMSNAP) generate --board $$b --out $(OUT)/$$b || exit $$?; done

lint: pmsnap
	$(MAKE) --no-print-directory verilog OUT=$(BUILD)/lint
	cd $(BUILD)/lint && verilator --lint-only -Wall verilator.vlt pmsnap_controller.v
	@for b in $(BOARDS); do (cd $(BUILD)/lint/$$b && verilator --lint-only -Wall verilator.vlt pmsnap_board.v) || exit $$?; done
	@echo "lint: clean"

cosim: pmsnap
	@mkdir -p $(dir $(VCD))
	$(PMSNAP) cosim $(SIZING) --workload $(WORKLOAD) --vcd $(VCD)
	@echo $(basename $(VCD)).gtkw > $(LAST_WAVE)

wave:
	@test -f $(LAST_WAVE) || { echo "make wave: no waveform yet: run 'make demo' or 'make cosim' first"; exit 1; }
	@save=$$(cat $(LAST_WAVE)); test -f "$$save" || { echo "make wave: $$save is gone: run 'make demo' or 'make cosim' again"; exit 1; }; \
	if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then echo "make wave: no display (DISPLAY is not set): open $$save with gtkwave where there is one, or draw a window of it: $(PMSNAP) wave $$(sed -n 's/^\[dumpfile\] \"\(.*\)\"/\1/p' $$save) --from 0 --to 200 --svg wave.svg"; exit 1; fi; \
	command -v gtkwave >/dev/null || { echo "make wave: GTKWave is not installed (apt-get install gtkwave); the save file is $$save"; exit 1; }; \
	gtkwave "$$save"

# Windows of the demo (cycles) the pictures show; `pmsnap cosim --workload
# workloads/demo.trace` prints where its commands fall.
PICTURES = docs/pictures
COW_FROM = 823
COW_TO = 965
SNAP_FROM = 784
SNAP_TO = 827
RESTORE_FROM = 1033
RESTORE_TO = 1045
pictures: pmsnap
	@mkdir -p $(BUILD) $(PICTURES)
	$(PMSNAP) cosim --workload workloads/demo.trace --vcd $(BUILD)/demo.vcd > /dev/null
	$(PMSNAP) wave $(BUILD)/demo.vcd --from $(COW_FROM) --to $(COW_TO) --signals host-port --signals cow-engine --signals nvm-port --title "A COW fault: the first write to a page after a SNAPSHOT copies it to a new frame" --svg $(PICTURES)/cow-fault.svg
	$(PMSNAP) wave $(BUILD)/demo.vcd --from $(SNAP_FROM) --to $(SNAP_TO) --signals command-and-status --signals flush-handshake --signals sequencer --signals nvm-port --title "SNAPSHOT: flush, harden, commit, reclaim" --svg $(PICTURES)/snapshot.svg
	$(PMSNAP) wave $(BUILD)/demo.vcd --from $(RESTORE_FROM) --to $(RESTORE_TO) --signals command-and-status --signals sequencer --signals allocator --title "RESTORE: back to the committed snapshot in a few cycles" --svg $(PICTURES)/restore.svg

bitstream: setup pmsnap
	$(PMSNAP) bitstream --board $(BOARD) --out $(BUILD)/$(BOARD)

report: setup pmsnap
	@for k in 1 2; do for b in $(BOARDS); do $(PMSNAP) synth --board $$b --seeds $(SEEDS) --lookup-latency $$k || exit $$?; done; done
	@for bus in axi4 wishbone; do for b in $(BOARDS); do $(PMSNAP) synth --board $$b --seeds $(SEEDS) --design controller --host-bus $$bus || exit $$?; done; done
	@for b in $(BOARDS); do $(PMSNAP) synth --board $$b --seeds $(SEEDS) --design controller --nvm-bus axi4 || exit $$?; done

# The proofs' sizings are formal/proofs.txt, the covers formal/covers.txt, the bounded checks
# formal/checks.txt (tests/formal.rs reads all three).
formal: setup pmsnap
	@grep -v '^#' formal/proofs.txt | while read -r p w f k where; do [ -n "$$p" ] || continue; d=$(BUILD)/formal/L$$p-W$$w-F$$f-K$$k; \
	    $(PMSNAP) generate --out $$d/rtl --pages $$p --page-words $$w --frames $$f --lookup-latency $$k >/dev/null || exit $$?; \
	    for t in prove frames; do \
	        formal/prove.sh $$d/rtl/pmsnap_controller.v $$d/sby $$p $$w $$f $$k $$t >$$d/$$t.log 2>&1; rc=$$?; \
	        echo "formal: L$$p-W$$w-F$$f-K$$k $$t: $$(tail -1 $$d/$$t.log | sed 's/.*DONE/DONE/') (log: $$d/$$t.log)"; \
	        [ $$rc -eq 0 ] || exit $$rc; done; done
	@grep -v '^#' formal/covers.txt | while read -r name start p w f k depth where; do [ -n "$$name" ] || continue; \
	    d=$(BUILD)/formal/covers/$$name-K$$k; \
	    PMSNAP=$(PMSNAP) formal/cover.sh $$name formal/start/$$start $$d $$p $$w $$f $$k $$depth 2>/dev/null; rc=$$?; \
	    case $$rc in 0) what="reached, trace $$d/$$name.vcd (+ .gtkw)";; \
	        2) what="NOT reached within $$depth cycles (log: $$d/cover.log)";; \
	        *) what="error $$rc (logs in $$d/)";; esac; \
	    echo "formal: cover $$name at lookup latency $$k: $$what"; \
	    [ $$rc -eq 0 ] || exit $$rc; done
	@grep -v '^#' formal/checks.txt | while read -r name rest; do [ -n "$$name" ] || continue; \
	    out=$$(PMSNAP=$(PMSNAP) formal/checks.sh $$name $(BUILD)/formal/checks/$$name 2>/dev/null); rc=$$?; \
	    echo "formal: $${out:-$$name: error $$rc (logs in $(BUILD)/formal/checks/$$name/)}"; [ $$rc -eq 0 ] || exit $$rc; done

bench: setup pmsnap
	$(PMSNAP) bench --out bench-out $(if $(QUICK),--quick)

board-sim: pmsnap
	@mkdir -p $(BUILD)
	@$(if $(BOARD_WAVE),echo $(basename $(BOARD_WAVE)).gtkw > $(LAST_WAVE))
	$(PMSNAP) board-sim --board $(BOARD) --link $(BUILD)/$(BOARD).tty $(if $(BOARD_WAVE),--fst $(BOARD_WAVE))

test: setup
	$(CARGO) test --workspace -j$(JOBS)

check:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -j$(JOBS) -- -D warnings

clean:
	rm -rf $(BUILD)
	$(CARGO) clean
