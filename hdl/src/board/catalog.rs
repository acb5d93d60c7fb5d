//! The boards pmsnap has a board top and constraints for. Each names its
//! clock, its UART's baud rate and the controller sizing that fits its
//! part's block RAM beside the emulated NVM.

use crate::Config;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// Lattice iCE40 (Yosys `synth_ice40`, nextpnr-ice40, icepack).
    Ice40,
    /// Lattice ECP5 (Yosys `synth_ecp5`, nextpnr-ecp5, ecppack).
    Ecp5,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BoardConfig {
    /// The name `--board` takes.
    pub name: &'static str,
    pub title: &'static str,
    pub family: Family,
    /// nextpnr's device flag (`--hx8k`, `--85k`) and package.
    pub device: &'static str,
    pub package: &'static str,
    /// Constraints file in `constraints/`.
    pub constraints: &'static str,
    /// The board's oscillator, which clocks the whole design (no PLL).
    pub clock_hz: u64,
    pub baud: u64,
    /// The controller's sizing; the NVM holds `config.layout().total_words()`.
    pub config: Config,
}

impl BoardConfig {
    pub fn clocks_per_bit(&self) -> u64 {
        (self.clock_hz + self.baud / 2) / self.baud
    }

    /// One clock period in picoseconds, rounded (83 333 at 12 MHz).
    pub fn period_ps(&self) -> u64 {
        (1_000_000_000_000 + self.clock_hz / 2) / self.clock_hz
    }

    pub fn clock_mhz(&self) -> f64 {
        self.clock_hz as f64 / 1e6
    }
}

/// F = 3L on both: a fallback snapshot is always kept (F ≥ 2L would be
/// enough never to refuse a write; docs/persistent-layout.md).
pub const BOARDS: [BoardConfig; 2] = [
    BoardConfig {
        name: "ice40-hx8k",
        title: "Lattice iCE40-HX8K breakout board (iCE40HX8K-CT256)",
        family: Family::Ice40,
        device: "--hx8k",
        package: "ct256",
        constraints: "ice40-hx8k.pcf",
        clock_hz: 12_000_000,
        baud: 115_200,
        // NVM: 16 + 2·32 + 96·16 = 1616 words of 32 bits in 16 of the 32
        // 4-kbit block RAMs; the controller's tables take most of the rest.
        config: Config::sized(32, 16, 96, 32),
    },
    BoardConfig {
        name: "ulx3s",
        title: "Radiona ULX3S (ECP5 LFE5U-85F, CABGA381)",
        family: Family::Ecp5,
        device: "--85k",
        package: "CABGA381",
        constraints: "ulx3s.lpf",
        clock_hz: 25_000_000,
        baud: 115_200,
        // NVM: 16 + 2·256 + 768·64 = 49680 words of 32 bits (≈1.6 Mbit of
        // the part's 3.7 Mbit of block RAM).
        config: Config::sized(256, 64, 768, 32),
    },
];

pub fn find(name: &str) -> Option<&'static BoardConfig> {
    BOARDS.iter().find(|b| b.name == name)
}

pub fn names() -> Vec<&'static str> {
    BOARDS.iter().map(|b| b.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn board_sizings_are_legal() {
        for b in &BOARDS {
            b.config.validate().unwrap_or_else(|e| panic!("{}: {e}", b.name));
            assert!(b.config.frames >= 3 * b.config.pages, "{}", b.name);
        }
        assert_eq!(find("ice40-hx8k").map(|b| b.clocks_per_bit()), Some(104));
        assert_eq!(find("ulx3s").map(|b| b.clocks_per_bit()), Some(217));
    }
}
