//! Timestamps are stored as RFC 3339 UTC text with millisecond precision and `Z`, so that
//! lexical order is chronological on both backends.

use time::OffsetDateTime;
use time::macros::format_description;

pub fn format(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.format(format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"))
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000Z".to_owned())
}

pub fn now_text() -> String {
    format(OffsetDateTime::now_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_width_and_ordered() {
        let a = format(time::macros::datetime!(2024-02-03 04:05:06.7 UTC));
        let b = format(time::macros::datetime!(2024-02-03 04:05:06.71 UTC));
        assert_eq!(a, "2024-02-03T04:05:06.700Z");
        assert!(a < b);
    }
}
