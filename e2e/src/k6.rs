//! k6's exported summary (`--summary-export`), read for the stack test's tables.

use std::path::Path;

use serde_json::Value;

pub struct Summary(Value);

impl Summary {
    pub fn read(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("reading k6's summary {}: {e}", path.display()))?;
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| format!("k6's summary {}: {e}", path.display()))?;
        if !value["metrics"].is_object() {
            return Err(format!("k6's summary {} has no metrics", path.display()));
        }
        Ok(Self(value))
    }

    /// One value of one metric; a metric k6 never recorded (nothing dropped,
    /// nothing missed) is 0.
    pub fn value(&self, metric: &str, field: &str) -> f64 {
        self.0["metrics"][metric][field].as_f64().unwrap_or(0.0)
    }

    /// The share of HTTP requests that failed, as a table cell.
    pub fn failed(&self) -> String {
        format!("{:.1}%", 100.0 * self.value("http_req_failed", "value"))
    }

    /// The soak's rows of what k6 measured.
    pub fn soak_rows(&self) -> Vec<String> {
        let v = |m: &str, f: &str| self.value(m, f);
        vec![
            format!(
                "| HTTP requests | {} ({:.0}/s) |",
                thousands(v("http_reqs", "count") as u64),
                v("http_reqs", "rate")
            ),
            format!(
                "| failed requests | {:.2}% |",
                100.0 * v("http_req_failed", "value")
            ),
            format!(
                "| browse p95 | {:.1} ms |",
                v("http_req_duration{name:assignment}", "p(95)")
            ),
            format!(
                "| submit p95 | {:.1} ms |",
                v("http_req_duration{name:submit}", "p(95)")
            ),
            format!(
                "| submit → verdict on the socket, median / p95 | {:.0} / {:.0} ms |",
                v("verdict_ms", "med"),
                v("verdict_ms", "p(95)")
            ),
            format!(
                "| verdicts missed on the socket | {} |",
                v("verdicts_missed", "count") as u64
            ),
            format!(
                "| iterations dropped (arrival rate not met) | {} |",
                v("dropped_iterations", "count") as u64
            ),
        ]
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_gives_its_cells_and_missing_metrics_are_zero() {
        let s = Summary(serde_json::json!({"metrics": {
            "http_reqs": {"count": 1234567.0, "rate": 2057.6},
            "http_req_failed": {"value": 0.00123},
            "verdict_ms": {"med": 412.4, "p(95)": 901.0},
        }}));
        assert_eq!(s.failed(), "0.1%");
        let rows = s.soak_rows();
        assert_eq!(rows[0], "| HTTP requests | 1,234,567 (2058/s) |");
        assert_eq!(
            rows[4],
            "| submit → verdict on the socket, median / p95 | 412 / 901 ms |"
        );
        assert_eq!(rows[6], "| iterations dropped (arrival rate not met) | 0 |");
        assert_eq!(thousands(999), "999");
    }
}
