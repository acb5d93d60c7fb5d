//! A suite's result: a titled table with a note, as Markdown and as JSON.

use anyhow::{Context, Result};
use std::path::Path;

#[derive(Clone, Debug, Default)]
pub struct Table {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Under the table: what was measured, how, and what it means.
    pub note: String,
}

impl Table {
    pub fn new(title: &str, columns: &[&str]) -> Table {
        Table { title: title.into(), columns: columns.iter().map(|c| c.to_string()).collect(), ..Default::default() }
    }

    pub fn push(&mut self, row: Vec<String>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    pub fn markdown(&self) -> String {
        let mut s = format!("### {}\n\n| {} |\n|{}\n", self.title, self.columns.join(" | "), "---|".repeat(self.columns.len()));
        for r in &self.rows {
            s += &format!("| {} |\n", r.join(" | "));
        }
        if !self.note.is_empty() {
            s += &format!("\n{}\n", self.note);
        }
        s
    }

    pub fn json(&self) -> serde_json::Value {
        let rows: Vec<serde_json::Value> = self
            .rows
            .iter()
            .map(|r| serde_json::Value::Object(self.columns.iter().cloned().zip(r.iter().map(|v| serde_json::Value::String(v.clone()))).collect()))
            .collect();
        serde_json::json!({ "title": self.title, "rows": rows, "note": self.note })
    }

    /// Writes `name.md` and `name.json` into `dir`.
    pub fn write(&self, dir: &Path, name: &str) -> Result<()> {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let md = dir.join(format!("{name}.md"));
        std::fs::write(&md, self.markdown()).with_context(|| format!("cannot write {}", md.display()))?;
        let js = dir.join(format!("{name}.json"));
        let text = serde_json::to_string_pretty(&self.json()).context("cannot render JSON")?;
        std::fs::write(&js, text + "\n").with_context(|| format!("cannot write {}", js.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_and_json_hold_the_rows() {
        let mut t = Table::new("T", &["a", "b"]);
        t.push(vec!["1".into(), "2".into()]);
        assert!(t.markdown().contains("| a | b |\n|---|---|\n| 1 | 2 |"));
        assert_eq!(t.json()["rows"][0]["b"], "2");
    }
}
