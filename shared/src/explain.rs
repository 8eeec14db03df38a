//! Every number eniscope shows can explain itself: the formula, the inputs, the caps and the source.

use serde::{Deserialize, Serialize};

/// How a number was computed, for the "explain" panels and the CLI's `explain` field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Explanation {
    /// The formula with the inputs substituted, e.g. `(10 − 1) × 16 = 144`.
    pub formula: String,
    /// Named inputs, in the order a reader needs them (`IPv4 per ENI` = `10`).
    pub inputs: Vec<(String, String)>,
    /// Caps and fallbacks that changed the raw result, each one sentence.
    pub caps: Vec<String>,
    /// Where the formula comes from (repository and file, or document).
    pub source: String,
}

impl Explanation {
    pub fn new(formula: impl Into<String>, source: impl Into<String>) -> Self {
        Self {
            formula: formula.into(),
            source: source.into(),
            ..Self::default()
        }
    }

    pub fn input(mut self, name: impl Into<String>, value: impl ToString) -> Self {
        self.inputs.push((name.into(), value.to_string()));
        self
    }

    pub fn cap(mut self, note: impl Into<String>) -> Self {
        self.caps.push(note.into());
        self
    }

    /// One line: formula, then caps, then the source.
    pub fn one_line(&self) -> String {
        let mut line = self.formula.clone();
        for cap in &self.caps {
            line.push_str("; ");
            line.push_str(cap);
        }
        if !self.source.is_empty() {
            line.push_str(" [");
            line.push_str(&self.source);
            line.push(']');
        }
        line
    }
}
