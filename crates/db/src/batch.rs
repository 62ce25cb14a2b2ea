//! Multi-row `INSERT … VALUES (…), (…)` statements for bulk writes, built once from fixed text.

use std::sync::LazyLock;

/// Rows written by one multi-row statement at most.
pub(crate) const BATCH: usize = 100;

/// The statements `INSERT … VALUES (…), (…) …` for 1 to [`BATCH`] rows (index = rows), built
/// once from fixed text: placeholders only, never data.
pub(crate) fn batched(head: &str, columns: usize, tail: &str) -> Vec<String> {
    (0..=BATCH)
        .map(|rows| {
            let values: Vec<String> = (0..rows)
                .map(|r| {
                    let params: Vec<String> = (1..=columns).map(|c| format!("${}", r * columns + c)).collect();
                    format!("({})", params.join(", "))
                })
                .collect();
            format!("{head} {}{tail}", values.join(", "))
        })
        .collect()
}

/// The statement of [`batched`] for `rows` rows.
pub(crate) fn statement(all: &'static LazyLock<Vec<String>>, rows: usize) -> &'static str {
    let all: &'static Vec<String> = all;
    all.get(rows).map_or("", String::as_str)
}
