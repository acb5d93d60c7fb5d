//! The NVM model's timing and what a power loss does to unanswered writes.

use crate::rng::Rng;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NvmTiming {
    /// Extra cycles before a read is answered.
    pub read_latency: u64,
    /// Extra cycles before a write is answered (durable).
    pub write_latency: u64,
    /// Chance, in percent, that `mem_req_ready` is high in a cycle.
    pub ready_percent: u32,
}

impl Default for NvmTiming {
    fn default() -> Self {
        NvmTiming { read_latency: 0, write_latency: 0, ready_percent: 100 }
    }
}

/// NVM timing as asked for: each figure pinned, or (`None`) drawn per run
/// from its range, so random runs and crash campaigns meet a stalling NVM
/// by default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimingSpec {
    pub read_latency: Option<u64>,
    pub write_latency: Option<u64>,
    pub ready_percent: Option<u32>,
}

impl TimingSpec {
    /// Ranges the figures are drawn from (inclusive).
    pub const READ_LATENCY: (u64, u64) = (0, 4);
    pub const WRITE_LATENCY: (u64, u64) = (0, 10);
    pub const READY_PERCENT: (u32, u32) = (40, 100);

    /// Every unpinned figure at zero wait states and no back-pressure.
    pub fn fixed(&self) -> NvmTiming {
        let zero = NvmTiming::default();
        NvmTiming {
            read_latency: self.read_latency.unwrap_or(zero.read_latency),
            write_latency: self.write_latency.unwrap_or(zero.write_latency),
            ready_percent: self.ready_percent.unwrap_or(zero.ready_percent),
        }
    }

    /// Every unpinned figure drawn with `seed`: a quarter of the draws give
    /// the zero-wait value, the rest are even over the range.
    pub fn draw(&self, seed: u64) -> NvmTiming {
        let mut rng = Rng::new(seed ^ 0x7131_6e67);
        let mut pick = |(lo, hi): (u64, u64), zero: u64| if rng.chance(25) { zero } else { lo + rng.below(hi - lo + 1) };
        let read = pick(Self::READ_LATENCY, 0);
        let write = pick(Self::WRITE_LATENCY, 0);
        let ready = pick((Self::READY_PERCENT.0 as u64, Self::READY_PERCENT.1 as u64), 100) as u32;
        NvmTiming {
            read_latency: self.read_latency.unwrap_or(read),
            write_latency: self.write_latency.unwrap_or(write),
            ready_percent: self.ready_percent.unwrap_or(ready),
        }
    }

    /// Whether any figure is drawn.
    pub fn draws(&self) -> bool {
        self.read_latency.is_none() || self.write_latency.is_none() || self.ready_percent.is_none()
    }

    /// What is pinned and what is drawn, for a campaign's header.
    pub fn describe(&self) -> String {
        fn one<T: std::fmt::Display>(name: &str, pinned: Option<T>, lo: T, hi: T, unit: &str) -> String {
            match pinned {
                Some(v) => format!("{name} {v}{unit}"),
                None => format!("{name} {lo}–{hi}{unit} (drawn)"),
            }
        }
        let (r, w, p) = (Self::READ_LATENCY, Self::WRITE_LATENCY, Self::READY_PERCENT);
        format!(
            "{}, {}, {}",
            one("read latency +", self.read_latency, r.0, r.1, ""),
            one("write latency +", self.write_latency, w.0, w.1, ""),
            one("ready", self.ready_percent, p.0, p.1, " %")
        )
        .replace("+ ", "+")
    }
}

impl std::fmt::Display for NvmTiming {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "read latency +{}, write latency +{}, ready {} %", self.read_latency, self.write_latency, self.ready_percent)
    }
}

/// What happens to unanswered writes at a power loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PowerLossMode {
    Drop,
    Adversarial,
}

impl PowerLossMode {
    /// The name `--nvm` takes.
    pub fn name(self) -> &'static str {
        match self {
            PowerLossMode::Drop => "drop",
            PowerLossMode::Adversarial => "adversarial",
        }
    }
}

impl std::fmt::Display for PowerLossMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for PowerLossMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "drop" => Ok(PowerLossMode::Drop),
            "adversarial" => Ok(PowerLossMode::Adversarial),
            _ => Err(format!("`{s}`: expected drop or adversarial")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timing_draws_cover_the_ranges_and_keep_pinned_figures() {
        let spec = TimingSpec::default();
        let draws: Vec<NvmTiming> = (0..400).map(|s| spec.draw(s)).collect();
        assert_eq!(draws[7], spec.draw(7), "seeded");
        let (r, w, p) = (TimingSpec::READ_LATENCY, TimingSpec::WRITE_LATENCY, TimingSpec::READY_PERCENT);
        assert!(draws.iter().all(|t| t.read_latency <= r.1 && t.write_latency <= w.1 && (p.0..=p.1).contains(&t.ready_percent)));
        assert!(draws.iter().filter(|t| t.ready_percent == 100).count() > 50, "about a quarter without back-pressure");
        assert!(draws.iter().any(|t| t.read_latency == r.1) && draws.iter().any(|t| t.write_latency == w.1));
        assert!(draws.iter().filter(|t| t.ready_percent < 100).count() > 200, "most runs stall");
        let pinned = TimingSpec { write_latency: Some(3), ..spec };
        assert!((0..50).all(|s| pinned.draw(s).write_latency == 3));
        assert_eq!(pinned.fixed(), NvmTiming { read_latency: 0, write_latency: 3, ready_percent: 100 });
        assert_eq!(pinned.describe(), "read latency +0–4 (drawn), write latency +3, ready 40–100 % (drawn)");
    }
}
