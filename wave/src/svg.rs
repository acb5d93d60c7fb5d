//! A window of a waveform as an SVG timing diagram: a cycle ruler, groups,
//! one-bit signals as lines, buses as value boxes (hex, or the value's
//! name), markers. Every value box carries `data-signal`, `data-from`,
//! `data-to` (cycles, end exclusive) and `data-value`, so a reader — or a
//! test — can take values back out of the picture.

use crate::dump::Value;
use std::fmt::Write as _;

/// One row of the picture.
#[derive(Clone, Debug)]
pub enum Row {
    /// A group's heading.
    Group(String),
    Signal {
        /// Full name (`TOP.pmsnap_controller.req_valid`).
        name: String,
        bits: u32,
        /// One value a cycle, `from` to `to`.
        values: Vec<Value>,
        /// Names of values (empty: hex).
        names: Vec<(u64, String)>,
    },
}

/// What to draw.
#[derive(Clone, Debug)]
pub struct Picture {
    pub title: String,
    /// Cycles `[from, to)`.
    pub from: u64,
    pub to: u64,
    pub rows: Vec<Row>,
    /// (cycle, label) of markers inside the window.
    pub markers: Vec<(u64, String)>,
}

const LABEL_WIDTH: f64 = 250.0;
const ROW: f64 = 22.0;
const TOP: f64 = 56.0;

/// The text a value shows.
pub fn label(value: &Value, names: &[(u64, String)]) -> String {
    match value {
        Value::Known(v) => names.iter().find(|(c, _)| c == v).map_or_else(|| format!("{v:x}"), |(_, n)| n.clone()),
        Value::Other(bits) => bits.clone(),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The picture as an SVG document.
pub fn render(p: &Picture) -> String {
    let cycles = p.to.saturating_sub(p.from).max(1);
    let cw = (1100.0 / cycles as f64).clamp(6.0, 48.0);
    let width = LABEL_WIDTH + cw * cycles as f64 + 20.0;
    let height = TOP + ROW * p.rows.len() as f64 + 16.0;
    let x = |c: u64| LABEL_WIDTH + (c - p.from) as f64 * cw;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="monospace" font-size="11">"#
    );
    let _ = writeln!(s, r##"<rect width="100%" height="100%" fill="#ffffff"/>"##);
    let _ = writeln!(s, r#"<text x="8" y="16" font-size="13" font-weight="bold">{}</text>"#, escape(&p.title));
    // Ruler: a tick every cycle, a number every `step` cycles.
    let step = [1u64, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000].into_iter().find(|s| *s as f64 * cw >= 44.0).unwrap_or(10_000);
    let _ = writeln!(s, r##"<g class="ruler" stroke="#cccccc">"##);
    for c in p.from..=p.to {
        let tall = c % step == 0;
        let _ = writeln!(
            s,
            r#"<line x1="{0:.1}" y1="{1}" x2="{0:.1}" y2="{2:.0}" stroke-width="{3}"/>"#,
            x(c),
            if tall { 30.0 } else { 38.0 },
            height - 12.0,
            if tall { 0.8 } else { 0.3 }
        );
    }
    let _ = writeln!(s, "</g>");
    let _ = writeln!(s, r##"<text x="8" y="40" fill="#555555">cycle</text>"##);
    for c in (p.from..p.to).filter(|c| c % step == 0) {
        let _ = writeln!(s, r##"<text class="cycle" x="{:.1}" y="40" fill="#555555">{c}</text>"##, x(c) + 2.0);
    }
    for (i, row) in p.rows.iter().enumerate() {
        let y = TOP + ROW * i as f64;
        match row {
            Row::Group(name) => {
                let _ = writeln!(s, r##"<rect x="0" y="{:.0}" width="{width:.0}" height="{ROW}" fill="#eef2f8"/>"##, y);
                let _ = writeln!(s, r#"<text class="group" x="8" y="{:.0}" font-weight="bold">{}</text>"#, y + 15.0, escape(name));
            }
            Row::Signal { name, bits, values, names } => {
                if i % 2 == 0 {
                    let _ = writeln!(s, r##"<rect x="0" y="{:.0}" width="{width:.0}" height="{ROW}" fill="#f7f7f7"/>"##, y);
                }
                let short = name.rsplit('.').next().unwrap_or(name);
                let shown = name.split('.').skip(2).collect::<Vec<_>>().join(".");
                let shown = if shown.is_empty() { short.to_string() } else { shown };
                let _ = writeln!(s, r#"<text class="signal" x="16" y="{:.0}"><title>{}</title>{}</text>"#, y + 15.0, escape(name), escape(&shown));
                let (hi, lo) = (y + 5.0, y + 17.0);
                if short == "clock" {
                    // The clock falls at each cycle's start and rises halfway.
                    let mut d = format!("M{:.1},{lo}", x(p.from));
                    for c in p.from..p.to {
                        let mid = x(c) + cw / 2.0;
                        let _ = write!(d, " H{mid:.1} V{hi} H{:.1} V{lo}", x(c + 1));
                    }
                    let _ = writeln!(s, r##"<path class="clock" d="{d}" fill="none" stroke="#555555" stroke-width="1"/>"##);
                    continue;
                }
                // Runs of equal values.
                let mut start = 0usize;
                for k in 1..=values.len() {
                    if k < values.len() && values[k] == values[start] {
                        continue;
                    }
                    let (a, b) = (p.from + start as u64, p.from + k as u64);
                    let v = &values[start];
                    let text = label(v, names);
                    let _ = write!(s, r#"<g class="value" data-signal="{}" data-from="{a}" data-to="{b}" data-value="{}">"#, escape(name), escape(&text));
                    let (x0, x1) = (x(a), x(b));
                    match (bits, v) {
                        (1, Value::Known(bit)) if names.is_empty() => {
                            let level = if *bit == 1 { hi } else { lo };
                            if *bit == 1 {
                                let _ = write!(s, r##"<rect x="{x0:.1}" y="{hi}" width="{:.1}" height="{}" fill="#c8e6c9"/>"##, x1 - x0, lo - hi);
                            }
                            let _ = write!(s, r##"<line x1="{x0:.1}" y1="{level}" x2="{x1:.1}" y2="{level}" stroke="#1b5e20" stroke-width="1.5"/>"##);
                            if start > 0 {
                                let _ = write!(s, r##"<line x1="{x0:.1}" y1="{hi}" x2="{x0:.1}" y2="{lo}" stroke="#1b5e20" stroke-width="1.5"/>"##);
                            }
                        }
                        _ => {
                            let slant = (cw / 4.0).min(3.0);
                            let fill = if matches!(v, Value::Other(_)) { "#f8d7da" } else { "#ffffff" };
                            let mid = (hi + lo) / 2.0;
                            let _ = write!(
                                s,
                                r##"<polygon points="{:.1},{mid} {:.1},{hi} {:.1},{hi} {:.1},{mid} {:.1},{lo} {:.1},{lo}" fill="{fill}" stroke="#0d47a1" stroke-width="1"/>"##,
                                x0,
                                x0 + slant,
                                x1 - slant,
                                x1,
                                x1 - slant,
                                x0 + slant
                            );
                            if (x1 - x0) > 6.0 * text.len() as f64 + 4.0 {
                                let _ = write!(
                                    s,
                                    r#"<text x="{:.1}" y="{:.0}" text-anchor="middle" font-size="10">{}</text>"#,
                                    (x0 + x1) / 2.0,
                                    lo - 2.5,
                                    escape(&text)
                                );
                            }
                            let _ = write!(s, "<title>{}</title>", escape(&text));
                        }
                    }
                    let _ = writeln!(s, "</g>");
                    start = k;
                }
            }
        }
    }
    for (c, text) in p.markers.iter().filter(|(c, _)| *c >= p.from && *c < p.to) {
        let _ = writeln!(
            s,
            r##"<g class="marker"><line x1="{0:.1}" y1="44" x2="{0:.1}" y2="{1:.0}" stroke="#c62828" stroke-dasharray="4 3"/><text x="{2:.1}" y="52" fill="#c62828">{3}</text></g>"##,
            x(*c),
            height - 12.0,
            x(*c) + 3.0,
            escape(text)
        );
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_carry_their_values() {
        let p = Picture {
            title: "t".into(),
            from: 10,
            to: 14,
            rows: vec![
                Row::Group("G".into()),
                Row::Signal { name: "TOP.m.a".into(), bits: 1, values: [0, 1, 1, 0].map(Value::Known).to_vec(), names: vec![] },
                Row::Signal { name: "TOP.m.op".into(), bits: 3, values: [1, 1, 2, 2].map(Value::Known).to_vec(), names: vec![(1, "SNAPSHOT".into())] },
            ],
            markers: vec![(11, "M & N".into())],
        };
        let svg = render(&p);
        assert!(svg.contains(r#"data-signal="TOP.m.a" data-from="11" data-to="13" data-value="1""#), "{svg}");
        assert!(svg.contains(r#"data-signal="TOP.m.op" data-from="10" data-to="12" data-value="SNAPSHOT""#));
        assert!(svg.contains(r#"data-from="12" data-to="14" data-value="2""#));
        assert!(svg.contains("M &amp; N"));
    }
}
