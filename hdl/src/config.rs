//! Sizing of one controller instance (contract §2) and the fixed datapath widths.
//!
//! rust-hdl fixes bus widths at compile time, while the sizing is chosen when
//! Verilog is generated. So buses have the widths of the largest legal sizing
//! (below), and the sizing enters the logic as constants (`localparam`s) and
//! memory depths. Synthesis folds the constant upper bits away.

/// Bits of a logical page index: `pages` ≤ 2^16.
pub const PAGE_BITS: usize = 16;
/// Bits of a physical frame index: `frames` ≤ 2^18.
pub const FRAME_BITS: usize = 18;
/// Bits of a word offset inside a page: `page_words` ≤ 2^10.
pub const OFFSET_BITS: usize = 10;
/// Bits of a word counter inside a page (counts 0 ..= `page_words`).
pub const WORD_COUNT_BITS: usize = OFFSET_BITS + 1;
/// Bits of a dirty-log index (two logs of `pages` entries each).
pub const LOG_BITS: usize = PAGE_BITS + 1;
/// Bits of a working-table epoch tag. Tag 0 means "not written this epoch".
pub const TAG_BITS: usize = 16;
/// Host word address (`req_addr`): wide enough to express out-of-range addresses.
pub const HOST_ADDR_BITS: usize = 32;
/// NVM word address (`mem_req_addr`).
pub const NVM_ADDR_BITS: usize = 32;
/// Width of counters and status words.
pub const COUNTER_BITS: usize = 32;

/// Beats of AXI4's longest INCR burst.
pub const MAX_NVM_BURST_WORDS: usize = 256;

/// The sizing of one controller, as given on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Config {
    /// `L`: logical pages, a power of two in 4 ..= 65536.
    pub pages: usize,
    /// `W`: words per page, a power of two in 4 ..= 1024.
    pub page_words: usize,
    /// `F`: physical frames in NVM, L + 1 ..= 2^18.
    pub frames: usize,
    /// `DW`: data width in bits, 32 or 64.
    pub word_bits: usize,
    /// Cycles from a host request's acceptance to the cycle its table entry
    /// is decided on: 1 (the entry straight from the table's block RAM) or
    /// 2 (the entry registered first, for Fmax; one more cycle on every host
    /// request). A generation parameter, not part of the sizing rules.
    pub lookup_latency: usize,
    /// The bus of the host port: the native valid/ready port of contract §3,
    /// or a bus front end around it. A generation parameter.
    pub host_bus: HostBus,
    /// The bus of the NVM port: the native valid/ready port of contract §3,
    /// or a bus back end behind it. A generation parameter.
    pub nvm_bus: NvmBus,
}

/// The host port's bus (`--host-bus`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum HostBus {
    /// `req_*` / `rsp_*` (contract §3).
    #[default]
    Native,
    /// An AXI4 subordinate, `s_axi_*` (`frontend/axi4_host.rs`).
    Axi4,
    /// A Wishbone B4 pipelined subordinate, `s_wb_*`
    /// (`frontend/wishbone_host.rs`).
    Wishbone,
}

/// The NVM port's bus (`--nvm-bus`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum NvmBus {
    /// `mem_req_*` / `mem_rsp_*` (contract §3).
    #[default]
    Native,
    /// An AXI4 manager, `m_axi_*` (`backend/axi4_nvm.rs`).
    Axi4,
}

/// A bus choice's name (as `--host-bus` / `--nvm-bus` take it), `ALL`,
/// `Display` and `FromStr`, written once for both enums.
macro_rules! bus_names {
    ($ty:ident, $what:literal, [$($variant:ident => $name:literal),+]) => {
        impl $ty {
            pub const ALL: [$ty; [$($name),+].len()] = [$($ty::$variant),+];

            pub fn name(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl std::str::FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<$ty, String> {
                $ty::ALL
                    .into_iter()
                    .find(|b| b.name() == s)
                    .ok_or_else(|| format!("unknown {} '{s}' (known: {})", $what, $ty::ALL.map($ty::name).join(", ")))
            }
        }
    };
}

bus_names!(HostBus, "host bus", [Native => "native", Axi4 => "axi4", Wishbone => "wishbone"]);
bus_names!(NvmBus, "NVM bus", [Native => "native", Axi4 => "axi4"]);

impl Default for Config {
    fn default() -> Self {
        Config::sized(256, 64, 512, 32)
    }
}

/// A sizing outside the legal range; names the parameter and the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--{parameter}: {message}")]
pub struct ConfigError {
    pub parameter: &'static str,
    pub message: String,
}

fn power_of_two_in(parameter: &'static str, value: usize, lo: usize, hi: usize) -> Result<(), ConfigError> {
    if !value.is_power_of_two() || value < lo || value > hi {
        return Err(ConfigError { parameter, message: format!("must be a power of two in {lo} ..= {hi}, got {value}") });
    }
    Ok(())
}

impl Config {
    /// The variant `generate` builds unless told otherwise.
    pub const DEFAULT_LOOKUP_LATENCY: usize = 1;

    /// This sizing, every generation parameter at its default.
    pub const fn sized(pages: usize, page_words: usize, frames: usize, word_bits: usize) -> Config {
        Config { pages, page_words, frames, word_bits, lookup_latency: Config::DEFAULT_LOOKUP_LATENCY, host_bus: HostBus::Native, nvm_bus: NvmBus::Native }
    }

    /// Default sizing for `pages` (frames = 2·L), the other parameters default.
    pub fn with_pages(pages: usize) -> Self {
        Config { pages, frames: 2 * pages, ..Config::default() }
    }

    /// Checks every rule of contract §2.
    pub fn validate(&self) -> Result<(), ConfigError> {
        power_of_two_in("pages", self.pages, 4, 1 << PAGE_BITS)?;
        power_of_two_in("page-words", self.page_words, 4, 1 << OFFSET_BITS)?;
        if self.word_bits != 32 && self.word_bits != 64 {
            return Err(ConfigError { parameter: "word-bits", message: format!("must be 32 or 64, got {}", self.word_bits) });
        }
        if self.frames < self.pages + 1 || self.frames > 1 << FRAME_BITS {
            return Err(ConfigError {
                parameter: "frames",
                message: format!("must be in pages + 1 ..= {} ({} ..= {}), got {}", 1 << FRAME_BITS, self.pages + 1, 1 << FRAME_BITS, self.frames),
            });
        }
        if self.lookup_latency != 1 && self.lookup_latency != 2 {
            return Err(ConfigError { parameter: "lookup-latency", message: format!("must be 1 or 2, got {}", self.lookup_latency) });
        }
        let layout = self.layout();
        if layout.total_words() > 1u64 << NVM_ADDR_BITS {
            return Err(ConfigError {
                parameter: "frames",
                message: format!("NVM of {} words exceeds the 2^{NVM_ADDR_BITS}-word address space", layout.total_words()),
            });
        }
        Ok(())
    }

    /// log2(W): shift from a word address to its page index.
    pub fn page_shift(&self) -> u32 {
        self.page_words.trailing_zeros()
    }

    /// Number of host-visible words, L·W.
    pub fn logical_words(&self) -> u64 {
        (self.pages * self.page_words) as u64
    }

    /// Words in one NVM bus burst of a page copy or zero fill (`--nvm-bus
    /// axi4`): the page, or AXI4's longest INCR burst when the page is
    /// longer. A burst is an aligned block of at most 256 · 8 bytes, so
    /// it never crosses a 4 KB boundary.
    pub fn nvm_burst_words(&self) -> usize {
        self.page_words.min(MAX_NVM_BURST_WORDS)
    }

    pub fn layout(&self) -> crate::nvm_layout::NvmLayout {
        crate::nvm_layout::NvmLayout::new(self)
    }

    /// A short stable name for caches and file names, e.g.
    /// `L256-W64-F512-D32-K1` (K: the lookup latency), with the host bus
    /// appended when it is not the native port (`…-K1-axi4`), and the NVM
    /// bus likewise (`…-K1-nvm-axi4`).
    pub fn tag(&self) -> String {
        let host = match self.host_bus {
            HostBus::Native => String::new(),
            bus => format!("-{bus}"),
        };
        let nvm = match self.nvm_bus {
            NvmBus::Native => String::new(),
            bus => format!("-nvm-{bus}"),
        };
        format!("L{}-W{}-F{}-D{}-K{}{host}{nvm}", self.pages, self.page_words, self.frames, self.word_bits, self.lookup_latency)
    }
}

// The largest NVM (2^18 frames of 2^10 words, plus metadata smaller than
// the frames) fits 32-bit byte addresses at 8 bytes a word, so the AXI4
// back end needs no size check and word-address bit 31 is never an address
// bit (`nvm_arbiter::COPY_FLAG`) …
const _: () = assert!((2u64 << (FRAME_BITS + OFFSET_BITS)) * 8 <= 1 << 32);
// … and below the burst flags too (`nvm_arbiter::BURST_FOLLOWS`).
const _: () = assert!(2u64 << (FRAME_BITS + OFFSET_BITS) <= crate::nvm_arbiter::BURST_FOLLOWS);

// Kernels spell these widths as literals (rust-hdl copies offsets and shift
// amounts into Verilog verbatim); keep them in step.
const _: () = assert!(FRAME_BITS == 18 && TAG_BITS == 16 && PAGE_BITS == 16 && OFFSET_BITS == 10);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid() {
        Config::default().validate().unwrap();
    }

    #[test]
    fn rejects_each_rule_with_its_parameter() {
        let bad = |c: Config| c.validate().unwrap_err().parameter;
        assert_eq!(bad(Config { pages: 3, ..Config::default() }), "pages");
        assert_eq!(bad(Config { pages: 1 << 17, frames: 1 << 18, ..Config::default() }), "pages");
        assert_eq!(bad(Config { page_words: 2048, ..Config::default() }), "page-words");
        assert_eq!(bad(Config { word_bits: 16, ..Config::default() }), "word-bits");
        assert_eq!(bad(Config { frames: 256, ..Config::default() }), "frames");
        assert_eq!(bad(Config { lookup_latency: 3, ..Config::default() }), "lookup-latency");
        Config { lookup_latency: 2, ..Config::default() }.validate().unwrap();
        Config { frames: 257, ..Config::default() }.validate().unwrap();
        // The largest NVM fits the AXI4 back end's 32-bit byte addresses.
        let huge = Config { pages: 1 << 16, page_words: 1024, frames: 1 << 18, word_bits: 64, nvm_bus: NvmBus::Axi4, ..Config::default() };
        huge.validate().unwrap();
        assert!(huge.layout().total_words() * 8 <= 1 << crate::frontend::AXI_ADDR_BITS);
    }
}
