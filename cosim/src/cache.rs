//! The host's write-back, write-allocate cache: direct mapped, one word a
//! line. Its dirty lines reach memory only when evicted or flushed through
//! the flush handshake, which is what makes the handshake necessary.

#[derive(Clone, Copy, Debug, Default)]
struct Line {
    valid: bool,
    dirty: bool,
    addr: u64,
    data: u64,
}

#[derive(Clone, Debug)]
pub struct Cache {
    lines: Vec<Line>,
}

/// A dirty line leaving the cache: it must be written back.
pub type Victim = (u64, u64);

impl Cache {
    /// A cache of `lines` lines (0: no cache).
    pub fn new(lines: usize) -> Cache {
        Cache { lines: vec![Line::default(); lines] }
    }

    pub fn enabled(&self) -> bool {
        !self.lines.is_empty()
    }

    fn slot(&self, addr: u64) -> usize {
        (addr % self.lines.len() as u64) as usize
    }

    pub fn lookup(&self, addr: u64) -> Option<u64> {
        let line = &self.lines[self.slot(addr)];
        (line.valid && line.addr == addr).then_some(line.data)
    }

    fn install(&mut self, addr: u64, data: u64, dirty: bool) -> Option<Victim> {
        let slot = self.slot(addr);
        let old = self.lines[slot];
        let victim = (old.valid && old.dirty && old.addr != addr).then_some((old.addr, old.data));
        let keep_dirty = old.valid && old.addr == addr && old.dirty;
        self.lines[slot] = Line { valid: true, dirty: dirty || keep_dirty, addr, data };
        victim
    }

    /// A CPU write: allocates the line, marks it dirty.
    pub fn write(&mut self, addr: u64, data: u64) -> Option<Victim> {
        self.install(addr, data, true)
    }

    /// A line filled from memory after a read miss.
    pub fn fill(&mut self, addr: u64, data: u64) -> Option<Victim> {
        self.install(addr, data, false)
    }

    /// Every dirty line, now marked clean (the flush).
    pub fn take_dirty(&mut self) -> Vec<Victim> {
        self.lines
            .iter_mut()
            .filter(|l| l.valid && l.dirty)
            .map(|l| {
                l.dirty = false;
                (l.addr, l.data)
            })
            .collect()
    }

    /// Drops everything, dirty lines included (RESTORE, power loss).
    pub fn invalidate_all(&mut self) {
        self.lines.fill(Line::default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_back_on_eviction_and_flush() {
        let mut c = Cache::new(4);
        assert_eq!(c.write(1, 10), None);
        assert_eq!(c.lookup(1), Some(10));
        assert_eq!(c.write(5, 50), Some((1, 10)), "5 maps onto 1's line");
        assert_eq!(c.fill(9, 90), Some((5, 50)));
        assert_eq!(c.fill(13, 130), None, "clean victim needs no write-back");
        c.write(2, 20);
        assert_eq!(c.take_dirty(), vec![(2, 20)]);
        assert!(c.take_dirty().is_empty());
        assert_eq!(c.lookup(2), Some(20), "a flushed line stays valid");
        c.invalidate_all();
        assert_eq!(c.lookup(2), None);
    }
}
