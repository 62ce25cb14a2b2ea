//! Numbers as Swedish statistics tables write them: `1 234,5` (space, no-break space U+00A0 or
//! narrow no-break space U+202F between thousands, comma before decimals), an optional leading
//! minus (`-` or U+2212), `..` / `...` / `x` for a suppressed value and `-` / `–` for zero.
//!
//! A plain `.` is read as the decimal point when the text has no comma: spreadsheet cells come
//! out of Excel that way (`1234.5`). Swedish tables never use `.` between thousands.

/// One table cell.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell {
    /// A number.
    Number(f64),
    /// `..`, `...` or `x`: the source withholds the value (too few cases).
    Suppressed,
    /// `-` or `–`: zero, written as a dash.
    Dash,
    /// Nothing in the cell.
    Empty,
}

impl Cell {
    /// The value to store: the number, 0 for a dash, none for a suppressed or empty cell.
    pub fn value(self) -> Option<f64> {
        match self {
            Cell::Number(v) => Some(v),
            Cell::Dash => Some(0.0),
            Cell::Suppressed | Cell::Empty => None,
        }
    }

    /// The source's flag kept with the value: `..` (suppressed), `-` (dash) or empty.
    pub fn status(self) -> &'static str {
        match self {
            Cell::Suppressed => "..",
            Cell::Dash => "-",
            Cell::Number(_) | Cell::Empty => "",
        }
    }
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\u{a0}' || c == '\u{202f}'
}

/// Reads one cell. The error (Swedish) quotes the text.
pub fn parse(text: &str) -> Result<Cell, String> {
    let t = text.trim_matches(|c: char| c.is_whitespace() || is_space(c));
    match t {
        "" => return Ok(Cell::Empty),
        ".." | "..." | "x" | "X" | "…" => return Ok(Cell::Suppressed),
        "-" | "–" | "—" | "\u{2212}" => return Ok(Cell::Dash),
        _ => {}
    }
    let bad = || format!("\"{}\" är inte ett tal", shorten(t));
    let (negative, body) = match t.strip_prefix('-').or_else(|| t.strip_prefix('\u{2212}')) {
        Some(rest) => (true, rest.trim_start_matches(is_space)),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let decimal = if body.contains(',') { ',' } else { '.' };
    let (int_part, frac_part) = match body.split_once(decimal) {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let mut digits = String::with_capacity(body.len() + 2);
    if negative {
        digits.push('-');
    }
    // Integer part: digits, with single separators only between digits.
    let mut previous_digit = false;
    let mut chars = int_part.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            digits.push(c);
            previous_digit = true;
        } else if is_space(c) && previous_digit && chars.peek().is_some_and(char::is_ascii_digit) {
            previous_digit = false;
        } else {
            return Err(bad());
        }
    }
    if let Some(frac) = frac_part {
        if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        digits.push('.');
        digits.push_str(frac);
    }
    if int_part.is_empty() && frac_part.is_none() {
        return Err(bad());
    }
    if int_part.is_empty() {
        // ",5" → "0.5"
        let at = usize::from(negative);
        digits.insert(at, '0');
    }
    match digits.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Cell::Number(v)),
        _ => Err(bad()),
    }
}

fn shorten(text: &str) -> String {
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text.to_owned()
    }
}

/// Writes a number the Swedish way with `separator` between thousands: `-1 234,5`. Uses the
/// shortest decimals that read back to the same `f64`.
pub fn format(value: f64, separator: char) -> String {
    let plain = format!("{}", value.abs());
    let (int_part, frac_part) = match plain.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (plain.as_str(), None),
    };
    let mut out = String::with_capacity(plain.len() + plain.len() / 3 + 2);
    if value.is_sign_negative() && value != 0.0 {
        out.push('-');
    }
    let len = int_part.len();
    for (i, c) in int_part.chars().enumerate() {
        if i > 0 && (len - i) % 3 == 0 {
            out.push(separator);
        }
        out.push(c);
    }
    if let Some(frac) = frac_part {
        out.push(',');
        out.push_str(frac);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn swedish_numbers() {
        assert_eq!(parse("1 234,5"), Ok(Cell::Number(1234.5)));
        assert_eq!(parse("1\u{a0}234\u{a0}567"), Ok(Cell::Number(1_234_567.0)));
        assert_eq!(parse("12\u{202f}345,25"), Ok(Cell::Number(12_345.25)));
        assert_eq!(parse("-3,5"), Ok(Cell::Number(-3.5)));
        assert_eq!(parse("\u{2212}3"), Ok(Cell::Number(-3.0)));
        assert_eq!(parse(" 42 "), Ok(Cell::Number(42.0)));
        assert_eq!(parse(",5"), Ok(Cell::Number(0.5)));
        assert_eq!(parse("1234.5"), Ok(Cell::Number(1234.5)));
        assert_eq!(parse("0"), Ok(Cell::Number(0.0)));
    }

    #[test]
    fn flags() {
        for s in ["..", "...", "x", " .. "] {
            let cell = parse(s);
            assert_eq!(cell, Ok(Cell::Suppressed), "{s:?}");
            assert_eq!(Cell::Suppressed.value(), None);
            assert_eq!(Cell::Suppressed.status(), "..");
        }
        assert_eq!(parse("-"), Ok(Cell::Dash));
        assert_eq!(parse("–"), Ok(Cell::Dash));
        assert_eq!(Cell::Dash.value(), Some(0.0));
        assert_eq!(Cell::Dash.status(), "-");
        assert_eq!(parse(""), Ok(Cell::Empty));
        assert_eq!(parse("\u{a0}"), Ok(Cell::Empty));
        assert_eq!(Cell::Empty.value(), None);
    }

    #[test]
    fn not_numbers() {
        for s in ["abc", "1,2,3", "1 ,5", "1  234", "12a", "1e5", "- -", ",", "1,", "--1", "1 234 ", "NaN", "inf"] {
            let t = s.trim_end();
            if t != s {
                // trailing space is trimmed and fine
                assert!(parse(s).is_ok(), "{s:?}");
                continue;
            }
            let err = parse(s).expect_err(s);
            assert!(err.contains("är inte ett tal"), "{err}");
        }
        let long = "9".repeat(400);
        assert!(parse(&long).is_err());
    }

    #[test]
    fn formats_swedishly() {
        assert_eq!(format(1234.5, ' '), "1 234,5");
        assert_eq!(format(-1_234_567.0, '\u{a0}'), "-1\u{a0}234\u{a0}567");
        assert_eq!(format(12.0, ' '), "12");
        assert_eq!(format(0.25, ' '), "0,25");
    }

    proptest! {
        #[test]
        fn formatted_numbers_read_back(value in -1e15f64..1e15, sep in prop::sample::select(vec![' ', '\u{a0}', '\u{202f}'])) {
            let text = format(value, sep);
            let cell = parse(&text);
            prop_assert_eq!(cell, Ok(Cell::Number(value)), "{}", text);
        }

        #[test]
        fn any_finite_f64_reads_back(value in any::<f64>().prop_filter("finite", |v| v.is_finite())) {
            let text = format(value, ' ');
            let Ok(Cell::Number(back)) = parse(&text) else {
                return Err(TestCaseError::fail(format!("{text} did not parse")));
            };
            prop_assert!(back == value || (back - value).abs() <= value.abs() * 1e-12, "{} → {}", value, back);
        }

        #[test]
        fn never_panics(text in "\\PC{0,30}") {
            let _ = parse(&text);
        }

        #[test]
        fn never_panics_on_number_like_text(text in "[-−+ \u{a0}\u{202f}0-9,.x–]{0,20}") {
            let _ = parse(&text);
        }
    }
}
