//! Dates and periods as Swedish texts write them: "2019-07-01—2021-06-30", "1 januari 2021 -
//! 30 juni 2022", "1 januari–30 juni 2022", "under hela 2020", "2022–2023", "2023/24",
//! "från undertecknandet till den 31 mars 2021", "t.o.m. 2025-12-31", "april 2023 – mars 2024".
//! A date that does not exist ("30 februari") is reported, never a crash.

use lofte_domain::IsoDate;
use time::{Date, Month};

/// A period found in a text. `None` ends are open ("från undertecknandet").
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct FoundPeriod {
    pub start: Option<IsoDate>,
    pub end: Option<IsoDate>,
    /// Years the text names (a title's "2023/24" names two).
    pub years: Vec<i32>,
    /// The text was read in a way a person should check (e.g. "2023/24").
    pub note: Option<String>,
}

/// A date written in a text, or why it is not one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateError {
    /// "30 februari 2021": the day does not exist in that month.
    NoSuchDay(String),
}

const MONTHS: &[(&str, u8)] = &[
    ("januari", 1),
    ("februari", 2),
    ("mars", 3),
    ("april", 4),
    ("maj", 5),
    ("juni", 6),
    ("juli", 7),
    ("augusti", 8),
    ("september", 9),
    ("oktober", 10),
    ("november", 11),
    ("december", 12),
    ("jan", 1),
    ("feb", 2),
    ("febr", 2),
    ("mar", 3),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("okt", 10),
    ("nov", 11),
    ("dec", 12),
];

fn month(word: &str) -> Option<u8> {
    let w = word.trim_end_matches('.').to_lowercase();
    MONTHS.iter().find(|(n, _)| *n == w).map(|(_, m)| *m)
}

fn year(word: &str) -> Option<i32> {
    (word.len() == 4 && word.bytes().all(|b| b.is_ascii_digit()))
        .then(|| word.parse().ok())
        .flatten()
        .filter(|y| (1990..=2100).contains(y))
}

fn make(y: i32, m: u8, d: u8) -> Result<IsoDate, DateError> {
    let month = Month::try_from(m).map_err(|_| DateError::NoSuchDay(format!("{y}-{m:02}-{d:02}")))?;
    Date::from_calendar_date(y, month, d).map(IsoDate).map_err(|_| {
        let name = MONTHS.iter().find(|(_, n)| *n == m).map(|(s, _)| *s).unwrap_or("?");
        DateError::NoSuchDay(format!("{d} {name} {y}"))
    })
}

fn last_day(y: i32, m: u8) -> Option<IsoDate> {
    let month = Month::try_from(m).ok()?;
    Some(IsoDate(Date::from_calendar_date(y, month, month.length(y)).ok()?))
}

/// A token of a date text.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Iso(i32, u8, u8),
    /// Day and month, year maybe later ("1 januari" … "2022").
    DayMonth(u8, u8, Option<i32>),
    /// Month and year ("april 2023").
    MonthYear(u8, i32),
    Year(i32),
    /// "2023/24" or "2023/2024".
    SplitYear(i32, i32),
    Dash,
    Word(String),
}

fn tokens(text: &str) -> Vec<Tok> {
    // "t o m" and "fr o m" written with spaces are the abbreviations.
    let text = format!(" {text} ").replace(" t o m ", " t.o.m ").replace(" fr o m ", " fr.o.m ");
    // Dashes of every kind become their own token; "—" between ISO dates has no spaces.
    let mut spaced = String::with_capacity(text.len() + 8);
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let dash = matches!(c, '–' | '—' | '−')
            || (c == '-'
                && i > 0
                && i + 1 < chars.len()
                && !(chars[i - 1].is_ascii_digit() && chars[i + 1].is_ascii_digit() && iso_inner(&chars, i)));
        if dash {
            spaced.push_str(" - ");
        } else {
            spaced.push(c);
        }
    }
    let words: Vec<String> = spaced
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | ';'))
        .map(|w| w.trim_matches(|c: char| matches!(c, '.' | ':' | '"' | '”')).to_owned())
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        if w == "-" {
            // "--" is one dash.
            if out.last() != Some(&Tok::Dash) {
                out.push(Tok::Dash);
            }
            i += 1;
            continue;
        }
        // "250101" (YYMMDD, common in municipal documents).
        if w.len() == 6 && w.bytes().all(|b| b.is_ascii_digit()) {
            let n = |r: std::ops::Range<usize>| w[r].parse::<u8>().unwrap_or(0);
            let (y, m, d) = (2000 + i32::from(n(0..2)), n(2..4), n(4..6));
            if (1..=12).contains(&m) && (1..=31).contains(&d) {
                out.push(Tok::Iso(y, m, d));
                i += 1;
                continue;
            }
        }
        // "1/1 2025", "31/12 2025".
        if let Some((d, m)) = w.split_once('/')
            && let (Ok(d), Ok(m)) = (d.parse::<u8>(), m.parse::<u8>())
            && (1..=12).contains(&m)
            && let Some(y) = words.get(i + 1).and_then(|n| year(n))
        {
            out.push(Tok::DayMonth(d, m, Some(y)));
            i += 2;
            continue;
        }
        if let Some(t) = iso(w) {
            out.push(t);
            i += 1;
            continue;
        }
        if let Some((a, b)) = w.split_once('/')
            && let Some(y1) = year(a)
        {
            let y2 = match b.len() {
                2 => b.parse::<i32>().ok().map(|n| y1 / 100 * 100 + n),
                4 => year(b),
                _ => None,
            };
            if let Some(y2) = y2.filter(|y2| *y2 == y1 + 1) {
                out.push(Tok::SplitYear(y1, y2));
                i += 1;
                continue;
            }
        }
        // "1 januari [2021]", "1:a mars", "den 31 mars".
        let day = w.trim_end_matches(":a").trim_end_matches(":e").parse::<u8>().ok().filter(|d| (1..=31).contains(d));
        if let (Some(d), Some(m)) = (day, words.get(i + 1).and_then(|n| month(n))) {
            let y = words.get(i + 2).and_then(|n| year(n));
            out.push(Tok::DayMonth(d, m, y));
            i += if y.is_some() { 3 } else { 2 };
            continue;
        }
        // A day that cannot be one ("32 januari") is still a day-month for the error message.
        if let (Ok(d), Some(m)) = (w.parse::<u8>(), words.get(i + 1).and_then(|n| month(n))) {
            let y = words.get(i + 2).and_then(|n| year(n));
            out.push(Tok::DayMonth(d, m, y));
            i += if y.is_some() { 3 } else { 2 };
            continue;
        }
        if let (Some(m), Some(y)) = (month(w), words.get(i + 1).and_then(|n| year(n))) {
            // Only full month names: "mar 2024" is too easily something else.
            if w.chars().count() >= 3 && MONTHS.iter().any(|(n, _)| *n == w.to_lowercase() && n.len() > 4)
                || matches!(w.to_lowercase().as_str(), "mars" | "maj" | "juni" | "juli")
            {
                out.push(Tok::MonthYear(m, y));
                i += 2;
                continue;
            }
        }
        if let Some(y) = year(w) {
            out.push(Tok::Year(y));
            i += 1;
            continue;
        }
        out.push(Tok::Word(w.to_lowercase()));
        i += 1;
    }
    out
}

/// Whether the '-' at `i` is inside an ISO date (digits on both sides within a YYYY-MM-DD).
fn iso_inner(chars: &[char], i: usize) -> bool {
    // Look back to the start of the digit/dash run and check its shape.
    let mut s = i;
    while s > 0 && (chars[s - 1].is_ascii_digit() || chars[s - 1] == '-') {
        s -= 1;
    }
    let mut e = i;
    while e + 1 < chars.len() && (chars[e + 1].is_ascii_digit() || chars[e + 1] == '-') {
        e += 1;
    }
    let run: String = chars[s..=e].iter().collect();
    let parts: Vec<&str> = run.split('-').collect();
    // "2019-07-01" or a run of two dates "2019-07-01-2021-06-30" keeps the inner dashes of
    // each date; the dash between the two dates (after a day) is a range.
    let pos_in_run = i - s;
    let mut at = 0;
    for (k, p) in parts.iter().enumerate() {
        at += p.len();
        if at == pos_in_run {
            // The dash after part k: inside a date if k is a year or a month of a date, and
            // what follows fits ("2025-2026" is two years, not a date).
            let next_fits = parts.get(k + 1).is_some_and(|n| n.len() <= 2);
            return k % 3 != 2 && next_fits;
        }
        at += 1;
    }
    true
}

fn iso(w: &str) -> Option<Tok> {
    let parts: Vec<&str> = w.split('-').collect();
    if parts.len() != 3
        || parts[0].len() != 4
        || !(1..=2).contains(&parts[1].len())
        || !(1..=2).contains(&parts[2].len())
    {
        return None;
    }
    let y = year(parts[0])?;
    let m = parts[1].parse::<u8>().ok()?;
    let d = parts[2].parse::<u8>().ok()?;
    Some(Tok::Iso(y, m, d))
}

/// The first date of a text ("Säffle den 1 mars 2024", "2024-03-01").
pub fn first_date(text: &str) -> Option<Result<IsoDate, DateError>> {
    tokens(text).into_iter().find_map(|t| match t {
        Tok::Iso(y, m, d) => Some(make(y, m, d)),
        Tok::DayMonth(d, m, Some(y)) => Some(make(y, m, d)),
        _ => None,
    })
}

/// The period a text states, if it states one. Errors are impossible dates.
pub fn period(text: &str) -> Result<Option<FoundPeriod>, DateError> {
    let toks = tokens(text);
    let words = |t: &Tok, w: &[&str]| matches!(t, Tok::Word(x) if w.contains(&x.as_str()));
    // Start of one date-ish token: (first day, last day, year).
    let span = |t: &Tok, year_hint: Option<i32>| -> Result<Option<(IsoDate, IsoDate)>, DateError> {
        Ok(match t {
            Tok::Iso(y, m, d) => {
                let day = make(*y, *m, *d)?;
                Some((day, day))
            }
            Tok::DayMonth(d, m, y) => match y.or(year_hint) {
                Some(y) => {
                    let day = make(y, *m, *d)?;
                    Some((day, day))
                }
                None => None,
            },
            Tok::MonthYear(m, y) => {
                let first = make(*y, *m, 1)?;
                last_day(*y, *m).map(|l| (first, l))
            }
            Tok::Year(y) => Some((make(*y, 1, 1)?, make(*y, 12, 31)?)),
            Tok::SplitYear(a, b) => Some((make(*a, 1, 1)?, make(*b, 12, 31)?)),
            _ => None,
        })
    };
    let year_of = |t: &Tok| match t {
        Tok::Iso(y, ..) | Tok::MonthYear(_, y) | Tok::Year(y) => Some(*y),
        Tok::DayMonth(_, _, y) => *y,
        Tok::SplitYear(a, _) => Some(*a),
        _ => None,
    };
    let mut years: Vec<i32> = Vec::new();
    for t in &toks {
        match t {
            Tok::SplitYear(a, b) => years.extend([*a, *b]),
            t => years.extend(year_of(t)),
        }
    }
    years.dedup();
    for i in 0..toks.len() {
        // "A - B", "A till B", "från A till och med B".
        let sep = |k: usize| -> Option<usize> {
            match toks.get(k)? {
                Tok::Dash => Some(k + 1),
                Tok::Word(w) if w == "t.o.m" || w == "tom" => Some(k + 1),
                Tok::Word(w) if w == "till" => {
                    let mut n = k + 1;
                    if words(toks.get(n)?, &["och"]) && words(toks.get(n + 1)?, &["med"]) {
                        n += 2;
                    }
                    if words(toks.get(n)?, &["den"]) {
                        n += 1;
                    }
                    Some(n)
                }
                _ => None,
            }
        };
        let Some(j) = sep(i + 1) else { continue };
        let (Some(a), Some(b)) = (toks.get(i), toks.get(j)) else { continue };
        if matches!(a, Tok::Word(_) | Tok::Dash) || matches!(b, Tok::Word(_) | Tok::Dash) {
            continue;
        }
        // "1 januari – 30 juni 2022": the first takes the second's year (one earlier if its
        // month comes later in the year).
        let hint = match (a, b) {
            (Tok::DayMonth(_, ma, None), Tok::DayMonth(_, mb, Some(y))) => Some(if ma > mb { y - 1 } else { *y }),
            _ => year_of(b),
        };
        let (Some((start, _)), Some((_, end))) = (span(a, hint)?, span(b, None)?) else { continue };
        let note = matches!(a, Tok::SplitYear(..)).then(|| "\"ÅÅÅÅ/ÅÅ\" tolkades som båda åren hela".to_owned());
        return Ok(Some(FoundPeriod { start: Some(start), end: Some(end), years, note }));
    }
    // "under 2024 och 2025", "för åren 2025 och 2026": both years whole.
    for w in toks.windows(3) {
        if let [Tok::Year(a), Tok::Word(och), Tok::Year(b)] = w
            && och == "och"
            && *b == a + 1
        {
            return Ok(Some(FoundPeriod {
                start: Some(make(*a, 1, 1)?),
                end: Some(make(*b, 12, 31)?),
                years,
                note: None,
            }));
        }
    }
    for (i, t) in toks.iter().enumerate() {
        let prev = |k: usize| i.checked_sub(k).and_then(|p| toks.get(p));
        // "från undertecknandet till den 31 mars 2021", "gäller till och med 2025-12-31",
        // "t.o.m. 2025-12-31".
        // "till", "t.o.m.", "till och med", each maybe followed by "den".
        let until_at = |k: usize| {
            prev(k).is_some_and(|p| words(p, &["t.o.m", "tom", "till"]))
                || prev(k).is_some_and(|p| words(p, &["med"]))
                    && prev(k + 1).is_some_and(|p| words(p, &["och"]))
                    && prev(k + 2).is_some_and(|p| words(p, &["till"]))
        };
        let until = until_at(1) || prev(1).is_some_and(|p| words(p, &["den"])) && until_at(2);
        if until && let Some((_, end)) = span(t, None)? {
            let signed = toks[..i].iter().any(|t| {
                matches!(t, Tok::Word(w) if w.starts_with("underteckn") || w.starts_with("undertecknan") || w.starts_with("signer"))
            });
            let start = if signed { None } else { from_before(&toks[..i], &span)? };
            return Ok(Some(FoundPeriod { start, end: Some(end), years, note: None }));
        }
        // "från och med 1 mars 2024", "fr.o.m. 2024-03-01".
        let from = prev(1).is_some_and(|p| words(p, &["fr.o.m", "from", "från"]))
            || prev(1).is_some_and(|p| words(p, &["med"])) && prev(2).is_some_and(|p| words(p, &["och"]));
        if from
            && !matches!(t, Tok::Year(_))
            && let Some((start, _)) = span(t, None)?
        {
            return Ok(Some(FoundPeriod { start: Some(start), end: None, years, note: None }));
        }
        // "under hela 2020", "under 2020", "för år 2020", "gäller 2024".
        if let Tok::Year(_) = t
            && (prev(1).is_some_and(|p| words(p, &["hela", "året", "år"]))
                || prev(1).is_some_and(|p| words(p, &["under", "gäller", "för"])))
            && let Some((start, end)) = span(t, None)?
        {
            return Ok(Some(FoundPeriod { start: Some(start), end: Some(end), years, note: None }));
        }
        if let Tok::SplitYear(..) = t
            && let Some((start, end)) = span(t, None)?
        {
            let note = Some("\"ÅÅÅÅ/ÅÅ\" tolkades som båda åren hela".to_owned());
            return Ok(Some(FoundPeriod { start: Some(start), end: Some(end), years, note }));
        }
    }
    Ok(None)
}

/// The first and last day a date token covers (a year hint for "1 januari").
type Span<'a> = &'a dyn Fn(&Tok, Option<i32>) -> Result<Option<(IsoDate, IsoDate)>, DateError>;

fn from_before(toks: &[Tok], span: Span<'_>) -> Result<Option<IsoDate>, DateError> {
    for t in toks.iter().rev() {
        if let Some((start, _)) = span(t, None)? {
            return Ok(Some(start));
        }
    }
    Ok(None)
}

/// Years a text names (four digits 1990–2100), in order.
pub fn years(text: &str) -> Vec<i32> {
    let mut out = Vec::new();
    for t in tokens(text) {
        match t {
            Tok::Iso(y, ..) | Tok::MonthYear(_, y) | Tok::Year(y) | Tok::DayMonth(_, _, Some(y)) => out.push(y),
            Tok::SplitYear(a, b) => out.extend([a, b]),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<IsoDate> {
        IsoDate::parse(s)
    }

    fn p(text: &str) -> (Option<IsoDate>, Option<IsoDate>) {
        let found = period(text).unwrap().unwrap_or_else(|| panic!("no period in {text:?}"));
        (found.start, found.end)
    }

    #[test]
    fn iso_ranges_with_any_dash() {
        for t in [
            "2019-07-01—2021-06-30",
            "2019-07-01 – 2021-06-30",
            "2019-07-01 - 2021-06-30",
            "Period: 2019-07-01-2021-06-30.",
            "från 2019-07-01 till 2021-06-30",
        ] {
            assert_eq!(p(t), (d("2019-07-01"), d("2021-06-30")), "{t}");
        }
    }

    #[test]
    fn written_dates() {
        assert_eq!(p("1 januari 2021 - 30 juni 2022"), (d("2021-01-01"), d("2022-06-30")));
        assert_eq!(p("Löftet gäller 1 januari–30 juni 2022."), (d("2022-01-01"), d("2022-06-30")));
        assert_eq!(p("1 september – 31 mars 2024"), (d("2023-09-01"), d("2024-03-31")));
        assert_eq!(p("april 2023 – mars 2024"), (d("2023-04-01"), d("2024-03-31")));
        assert_eq!(p("den 1:a mars 2024 till den 28 februari 2025"), (d("2024-03-01"), d("2025-02-28")));
    }

    #[test]
    fn whole_years_and_year_ranges() {
        assert_eq!(p("Medborgarlöftet gäller under hela 2020."), (d("2020-01-01"), d("2020-12-31")));
        assert_eq!(p("Medborgarlöfte 2022–2023"), (d("2022-01-01"), d("2023-12-31")));
        assert_eq!(p("Medborgarlöften 2023/24"), (d("2023-01-01"), d("2024-12-31")));
        assert!(period("Medborgarlöften 2023/24").unwrap().unwrap().note.is_some());
        assert_eq!(p("2023/2024"), (d("2023-01-01"), d("2024-12-31")));
    }

    #[test]
    fn more_ways_to_write_them() {
        assert_eq!(p("Medborgarlöfte 2025-2026"), (d("2025-01-01"), d("2026-12-31")));
        assert_eq!(p("2025-04-01 -- 2026-03-31"), (d("2025-04-01"), d("2026-03-31")));
        assert_eq!(p("gäller fr o m 1/1 2025 t o m 31/12 2025"), (d("2025-01-01"), d("2025-12-31")));
        assert_eq!(p("Giltighetstid 250101–261231"), (d("2025-01-01"), d("2026-12-31")));
        assert_eq!(p("Löftet gäller under 2024 och 2025."), (d("2024-01-01"), d("2025-12-31")));
        assert_eq!(p("medborgarlöfte för 2025"), (d("2025-01-01"), d("2025-12-31")));
    }

    #[test]
    fn open_starts_and_ends() {
        assert_eq!(p("Löftet gäller från undertecknandet till den 31 mars 2021."), (None, d("2021-03-31")));
        assert_eq!(p("gäller t.o.m. 2025-12-31"), (None, d("2025-12-31")));
        assert_eq!(p("gäller från och med 1 mars 2024"), (d("2024-03-01"), None));
    }

    #[test]
    fn no_period_in_ordinary_text() {
        assert_eq!(period("Medborgarlöfte 2024").unwrap(), None);
        assert_eq!(
            period("Under 2023 anmäldes 120 brott, 15-20 av dem i centrum").unwrap().map(|f| f.end),
            Some(d("2023-12-31"))
        );
        assert_eq!(period("Polisen kommer att arbeta med ökad synlighet.").unwrap(), None);
        assert_eq!(period("polislagen 13 §").unwrap(), None);
    }

    #[test]
    fn impossible_dates_are_errors_not_panics() {
        assert!(
            matches!(period("1 februari - 30 februari 2021"), Err(DateError::NoSuchDay(s)) if s == "30 februari 2021")
        );
        assert!(matches!(period("2021-02-30 - 2021-03-01"), Err(DateError::NoSuchDay(_))));
        assert!(matches!(first_date("Säffle 2021-13-01"), Some(Err(_))));
        assert!(period("32 januari 2021 - 2 februari 2021").is_err());
    }

    #[test]
    fn first_dates() {
        assert_eq!(first_date("Säffle den 1 mars 2024").map(Result::unwrap), d("2024-03-01"));
        assert_eq!(first_date("Undertecknat 2024-03-01 av"), Some(Ok(d("2024-03-01").unwrap())));
        assert_eq!(first_date("inget datum här"), None);
    }

    #[test]
    fn years_in_order() {
        assert_eq!(years("Medborgarlöfte 2023/24 och 2025"), vec![2023, 2024, 2025]);
    }
}
