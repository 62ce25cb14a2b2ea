//! Plain text → blocks: headings (guessed from short lines standing alone), paragraphs (hard-
//! wrapped lines joined), list items (bullets, numbers, also OCR-damaged numbers such as "l."
//! or "1,"; nesting from indentation and from a change of bullet; wrapped continuation lines
//! joined), each with the line it starts on.

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `guessed`: a short line standing alone in a plain text; explicit for `<h1>`…`<h6>`.
    Heading {
        guessed: bool,
    },
    Para,
    Item {
        depth: usize,
        ordered: bool,
    },
    /// A table row (web pages): its cells.
    Row(Vec<String>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub line: usize,
    pub kind: Kind,
    pub text: String,
    /// What Löfte's own public page says a block is (its markup names the parts), so that a
    /// page of ours reads back exactly: `intro`, `meta`, `promise`, `theme`, `group`,
    /// `follow_up`, `communication`, `validity`, `signed`, `notice`.
    pub hint: Option<&'static str>,
    /// The owner shown beside a promise on our page ("polisen", "Säffle Bostäder").
    pub owner_hint: Option<String>,
}

impl Block {
    pub fn new(line: usize, kind: Kind, text: String) -> Self {
        Block { line, kind, text, hint: None, owner_hint: None }
    }
}

/// One line cleaned for reading: spaces of every kind made plain and collapsed, invisible
/// characters and control characters removed.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() || matches!(c, '\u{00A0}' | '\u{2007}' | '\u{202F}') {
            space = true;
        } else if lofte_domain::invisible_char(c) || lofte_domain::forbidden_char(c) || c.is_control() {
            continue;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Marker {
    Bullet(char),
    Number,
    Letter,
}

/// The list marker a line starts with, and the text after it.
fn marker(line: &str) -> Option<(Marker, &str)> {
    let mut chars = line.char_indices();
    let (_, first) = chars.next()?;
    const BULLETS: &[char] = &[
        '•', '◦', '▪', '▫', '‣', '⁃', '●', '○', '■', '□', '➢', '➤', '►', '▶', '✓', '✔', '-', '–', '—', '*', '·',
        '\u{F0B7}', '\u{F0A7}', '\u{F076}', '\u{F0D8}', '\u{F0FC}', '\u{F0A8}', '▫', '➔',
    ];
    if BULLETS.contains(&first) {
        let rest = &line[first.len_utf8()..];
        // "-" and "*" need a space after them (so "-strategin" is no bullet); the others not.
        if rest.starts_with(char::is_whitespace) || !matches!(first, '-' | '*' | '–' | '—') {
            let rest = rest.trim_start();
            return (!rest.is_empty()).then_some((Marker::Bullet(first), rest));
        }
        return None;
    }
    // Numbers: "1." "1)" "(1)" "1.2" "12." and OCR-damaged "l." "I." "1," "1 ." "|)".
    let body = line.strip_prefix('(').unwrap_or(line);
    let digits: usize = body
        .char_indices()
        .take_while(|(i, c)| *i < 3 && (c.is_ascii_digit() || matches!(c, 'l' | 'I' | '|' | 'O')))
        .map(|(_, c)| c.len_utf8())
        .sum();
    if digits > 0 && body[..digits].chars().any(|c| c.is_ascii_digit() || digits == 1) {
        let after = &body[digits..];
        let after = after.strip_prefix(' ').filter(|a| a.starts_with(['.', ')'])).unwrap_or(after);
        let sub = after.strip_prefix('.').and_then(|a| {
            let n = a.chars().take_while(|c| c.is_ascii_digit()).count();
            (n > 0).then(|| &a[n..])
        });
        // "3.1 Arbeta för …": a sub-number needs no full stop after it.
        if let Some(rest) = sub.and_then(|a| a.strip_prefix(' '))
            && rest.trim_start().starts_with(char::is_alphabetic)
        {
            return Some((Marker::Number, rest.trim_start()));
        }
        let after = sub.unwrap_or(after);
        for p in ['.', ')', ','] {
            if let Some(rest) = after.strip_prefix(p)
                && rest.starts_with(char::is_whitespace)
            {
                let rest = rest.trim_start();
                let word_start = rest.chars().next().is_some_and(|c| c.is_alphabetic() || c == '"' || c == '”');
                // "I. " and "l. " only before a capital letter, so "l. 5" is left alone.
                let plain_digits = body[..digits].chars().all(|c| c.is_ascii_digit());
                if word_start && (plain_digits || rest.chars().next().is_some_and(char::is_uppercase)) {
                    return Some((Marker::Number, rest));
                }
            }
        }
    }
    // Letters: "a)" "b." (one lowercase letter).
    if first.is_ascii_lowercase() {
        let rest = &line[1..];
        for p in [')', '.'] {
            if let Some(r) = rest.strip_prefix(p)
                && r.starts_with(' ')
                && r.trim_start().chars().next().is_some_and(char::is_alphabetic)
            {
                return Some((Marker::Letter, r.trim_start()));
            }
        }
    }
    None
}

/// The marker of a line; "o Text" (a Word sub-bullet copied as the letter o) counts inside a
/// list or when indented.
fn line_marker(text: &str, indent: usize, in_list: bool) -> Option<(Marker, &str)> {
    if (text.starts_with("o ") || text.starts_with("o\t")) && (in_list || indent > 0) {
        return Some((Marker::Bullet('o'), text[2..].trim_start()));
    }
    marker(text)
}

/// A line that introduces what follows: short and ending with a colon ("Polisen lovar att:").
/// So is an owner header without the colon ("Vara kommun åtar sig att").
pub fn labelish(text: &str) -> bool {
    let t = text.trim_end();
    let n = t.chars().count();
    if n > 90 {
        return false;
    }
    t.ends_with(':') || t.ends_with(';') && n < 40 || !terminal(t) && crate::owners::is_header_with_verb(t)
}

/// A line "Ansvarig: kommunen", "Tidsplan: v. 38": a short key before a colon.
fn key_value(text: &str) -> bool {
    text.split_once(':').is_some_and(|(key, value)| {
        !value.trim().is_empty()
            && key.split_whitespace().count() <= 2
            && key.chars().count() <= 20
            && key.starts_with(char::is_uppercase)
    })
}

/// Words after which a line cannot end a sentence: the next line continues it.
pub(crate) fn ends_open(text: &str) -> bool {
    let t = text.trim_end();
    // "… (ansvar:" + "kommunen)": an unclosed parenthesis goes on.
    if t.matches('(').count() > t.matches(')').count() {
        return true;
    }
    if t.ends_with([',', '-', '–', '(', '/']) {
        return true;
    }
    let last = t.rsplit(' ').next().unwrap_or("").to_lowercase();
    matches!(
        last.as_str(),
        "och"
            | "samt"
            | "att"
            | "för"
            | "med"
            | "i"
            | "av"
            | "till"
            | "som"
            | "på"
            | "om"
            | "eller"
            | "den"
            | "det"
            | "de"
            | "en"
            | "ett"
            | "vid"
            | "mot"
            | "från"
            | "under"
            | "genom"
            | "inom"
            | "kring"
            | "hos"
            | "efter"
    )
}

fn terminal(text: &str) -> bool {
    text.trim_end().ends_with(['.', '!', '?', ':', ';', '"', '”', ')'])
}

struct Line<'a> {
    no: usize,
    indent: usize,
    text: &'a str,
}

/// Text → blocks, and the source view (the lines as read).
pub fn blocks(source: &str) -> (Vec<Block>, Vec<String>) {
    let mut view = Vec::new();
    let mut lines: Vec<Option<Line>> = Vec::new();
    let normalised = source.replace("\r\n", "\n").replace('\r', "\n");
    let raw: Vec<&str> = normalised.split('\n').collect();
    // Markdown-ish headings and separators are read like other lines.
    for (i, l) in raw.iter().enumerate() {
        let expanded_indent: usize =
            l.chars().take_while(|c| c.is_whitespace()).map(|c| if c == '\t' { 4 } else { 1 }).sum();
        let text = l.trim();
        // The view keeps indentation (nesting shows, and survives a correction and re-read).
        let body = clean(l);
        let lead: String = if body.is_empty() {
            String::new()
        } else {
            l.chars().take_while(|c| c.is_whitespace()).map(|c| if c == '\t' { "    " } else { " " }).collect()
        };
        view.push(format!("{lead}{body}"));
        if text.is_empty() || text.chars().all(|c| matches!(c, '-' | '=' | '_' | '*' | '#' | '~')) {
            lines.push(None);
        } else {
            lines.push(Some(Line { no: i + 1, indent: expanded_indent, text }));
        }
    }
    let width = wrap_width(&lines);
    let mut out: Vec<Block> = Vec::new();
    // Open list levels: (indent, marker).
    let mut levels: Vec<(usize, Marker)> = Vec::new();
    // The last heading was a header over a list (lines under it are items).
    let mut after_label = false;
    let mut i = 0;
    while i < lines.len() {
        let Some(line) = &lines[i] else {
            i += 1;
            continue;
        };
        let blank_before = i == 0 || lines[i - 1].is_none();
        if let Some(h) = line.text.strip_prefix('#') {
            let text = clean(h.trim_start_matches('#'));
            if !text.is_empty() {
                out.push(Block::new(line.no, Kind::Heading { guessed: false }, text));
            }
            levels.clear();
            i += 1;
            continue;
        }
        let marked = line_marker(line.text, line.indent, !levels.is_empty());
        if let Some((m, rest)) = marked {
            let depth = depth(&mut levels, line.indent, m);
            let mut text = rest.to_owned();
            let mut j = i + 1;
            while let Some(Some(next)) = lines.get(j) {
                let starts_lower = next.text.chars().next().is_some_and(char::is_lowercase);
                // A line starting with a capital continues the item only when indented under
                // it or when the item cannot end where it does ("… i" + "Säffle centrum").
                let continues = line_marker(next.text, next.indent, true).is_none()
                    && !labelish(next.text)
                    && !key_value(next.text)
                    && (next.indent > line.indent || starts_lower || ends_open(&text));
                if !continues {
                    break;
                }
                join_line(&mut text, next.text);
                j += 1;
            }
            let ordered = matches!(m, Marker::Number | Marker::Letter);
            out.push(Block::new(line.no, Kind::Item { depth, ordered }, clean(&text)));
            i = j;
            continue;
        }
        // Columns (a table copied from a PDF or a word processor): cells apart by tabs or by
        // three or more spaces.
        if let Some(cells) = columns(line.text) {
            let text = cells.join(" | ");
            out.push(Block::new(line.no, Kind::Row(cells), text));
            levels.clear();
            i += 1;
            continue;
        }
        // A paragraph: this line and the ones that continue it.
        let mut text = line.text.to_owned();
        let mut last = line.text;
        let mut j = i + 1;
        let next_lower = matches!(lines.get(i + 1), Some(Some(n)) if n.text.starts_with(char::is_lowercase));
        let alone_short =
            |l: &Line| l.text.chars().count() <= 80 && !terminal(l.text) && !ends_open(l.text) && !next_lower;
        if !(labelish(line.text) || alone_short(line) && blank_before) {
            while let Some(Some(next)) = lines.get(j) {
                if marker(next.text).is_some() || labelish(next.text) || key_value(next.text) {
                    break;
                }
                let joins = match width {
                    // Lines under a header are the items of a list without bullets.
                    _ if after_label => ends_open(last),
                    // Hard-wrapped text: a line continues the paragraph unless the one before
                    // it was short and ended a sentence.
                    Some(w) => last.chars().count() * 10 >= w * 7 || !terminal(last) || ends_open(last),
                    // Lines are paragraphs: only an open ending or a lowercase start continues.
                    None => ends_open(last) || next.text.chars().next().is_some_and(char::is_lowercase),
                };
                if !joins {
                    break;
                }
                join_line(&mut text, next.text);
                last = next.text;
                j += 1;
            }
        }
        let single = j == i + 1;
        let blank_after = lines.get(j).is_none_or(Option::is_none);
        let kind = if single && labelish(line.text)
            || single && alone_short(line) && (blank_before || blank_after) && !line.text.ends_with(',')
        {
            Kind::Heading { guessed: true }
        } else {
            Kind::Para
        };
        if !matches!(kind, Kind::Heading { .. }) || !labelish(line.text) {
            levels.clear();
        }
        if matches!(kind, Kind::Heading { .. }) {
            after_label = labelish(line.text);
        }
        out.push(Block::new(line.no, kind, clean(&text)));
        i = j;
    }
    (out, view)
}

/// Joins a wrapped line to the text before it. A word hyphenated at the end of a line
/// ("trygg-" + "hetsvandringar") is joined whole, but a hyphen that stands for a shared
/// ending ("medarbetar-" + "och medborgardialog") is kept.
fn join_line(text: &mut String, next: &str) {
    let hyphenated = text.ends_with('-')
        && text[..text.len() - 1].ends_with(char::is_alphabetic)
        && next.starts_with(char::is_lowercase);
    let next_word = next.split_whitespace().next().unwrap_or("");
    if hyphenated && !matches!(next_word, "och" | "samt" | "eller" | "till" | "som") {
        text.pop();
    } else {
        text.push(' ');
    }
    text.push_str(next);
}

/// The cells of a line laid out in columns, if it is.
fn columns(text: &str) -> Option<Vec<String>> {
    if !(text.contains('\t') || text.contains("   ")) {
        return None;
    }
    let cells: Vec<String> =
        text.split('\t').flat_map(|part| part.split("   ")).map(clean).filter(|c| !c.is_empty()).collect();
    (cells.len() >= 2 && cells.iter().all(|c| c.chars().count() <= 200)).then_some(cells)
}

/// The list depth of an item at `indent` with marker `m`, given the open levels.
fn depth(levels: &mut Vec<(usize, Marker)>, indent: usize, m: Marker) -> usize {
    let same_kind = |a: Marker, b: Marker| match (a, b) {
        (Marker::Bullet(x), Marker::Bullet(y)) => x == y,
        (a, b) => a == b,
    };
    while let Some(&(top, _)) = levels.last() {
        if indent < top {
            levels.pop();
        } else {
            break;
        }
    }
    match levels.last() {
        Some(&(top, tm)) if top == indent => {
            if same_kind(tm, m) {
                // Same level.
            } else if let Some(k) = levels.iter().position(|(_, lm)| same_kind(*lm, m)) {
                // Back to the level that used this marker (indentation lost in a copy).
                levels.truncate(k + 1);
            } else {
                levels.push((indent, m));
            }
        }
        Some(_) => levels.push((indent, m)),
        None => levels.push((indent, m)),
    }
    levels.len() - 1
}

/// The width a text was hard-wrapped at, if it was: most long lines end near one width.
fn wrap_width(lines: &[Option<Line>]) -> Option<usize> {
    let mut lens: Vec<usize> = lines.iter().flatten().map(|l| l.text.chars().count() + l.indent).collect();
    if lens.len() < 6 {
        return None;
    }
    lens.sort_unstable();
    let p90 = lens[lens.len() * 9 / 10];
    if !(40..=130).contains(&p90) {
        return None;
    }
    let near = lens.iter().filter(|&&l| l * 10 >= p90 * 8 && l <= p90 + 5).count();
    // A wrapped text has (almost) no line much longer than its width.
    let long = lens.iter().filter(|&&l| l * 10 > p90 * 13).count();
    (near * 3 >= lens.len() && long * 50 <= lens.len()).then_some(p90)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Kind, String)> {
        blocks(src).0.into_iter().map(|b| (b.kind, b.text)).collect()
    }

    fn item(depth: usize, ordered: bool) -> Kind {
        Kind::Item { depth, ordered }
    }

    #[test]
    fn bullets_and_nesting_by_indent() {
        let got = kinds(" • Ett\n  • Ett a\n  • Ett b\n • Två\n");
        assert_eq!(
            got,
            vec![
                (item(0, false), "Ett".into()),
                (item(1, false), "Ett a".into()),
                (item(1, false), "Ett b".into()),
                (item(0, false), "Två".into()),
            ]
        );
    }

    #[test]
    fn nesting_by_a_change_of_bullet_without_indent() {
        let got = kinds("• Ett\no Ett a\n• Två\n");
        assert_eq!(got[1], (item(1, false), "Ett a".into()));
        assert_eq!(got[2], (item(0, false), "Två".into()));
    }

    #[test]
    fn numbered_lists_also_damaged_by_ocr() {
        for src in
            ["1. Ett\n2. Två\n", "1) Ett\n2) Två\n", "l. Ett\n2, Två\n", "1 . Ett\nI. Två\n", "(1) Ett\n(2) Två\n"]
        {
            let got = kinds(src);
            assert_eq!(got, vec![(item(0, true), "Ett".into()), (item(0, true), "Två".into())], "{src:?}");
        }
        // A year or a sum is no list.
        assert_eq!(kinds("2024. Året då\n")[0].0, Kind::Heading { guessed: true });
        assert_eq!(kinds("l. 5 i lagen gäller.\n")[0].0, Kind::Para);
    }

    #[test]
    fn wrapped_items_are_joined() {
        let got = kinds("• Trafikkontroller med fokus på alkohol och\n  narkotika i centrum\n• Fotpatrullering\n");
        assert_eq!(got[0].1, "Trafikkontroller med fokus på alkohol och narkotika i centrum");
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn a_label_after_items_is_not_a_continuation() {
        let got = kinds("• Fotpatrullering\nPolisiära aktiviteter:\n• Trafikkontroller\n");
        assert_eq!(got[1], (Kind::Heading { guessed: true }, "Polisiära aktiviteter:".into()));
    }

    #[test]
    fn short_lines_alone_are_headings_and_long_ones_paragraphs() {
        let got = kinds("Aktiviteter\n\nDet här är ett stycke som slutar med punkt.\n");
        assert_eq!(got[0].0, Kind::Heading { guessed: true });
        assert_eq!(got[1].0, Kind::Para);
    }

    #[test]
    fn hard_wrapped_paragraphs_are_joined() {
        let src = "Medborgarlöften är en del av polismyndighetens styrmodell och innebär att\n\
                   kommunen och polisen gemensamt ska ta fram aktuella fokusområden som sedan\n\
                   formas till löften. Det är den lokala lägesbilden som är utgångspunkt för\n\
                   polisens lokala mål.\n\
                   Syftet är att öka tryggheten.\n\
                   \n\
                   Lägesbilden tas fram genom att båda parter utför medarbetar- samt\n\
                   medborgardialoger och statistik läggs till.\n";
        let got = kinds(src);
        assert_eq!(got.len(), 3, "{got:#?}");
        assert!(got[0].1.ends_with("polisens lokala mål."));
        assert_eq!(got[1].1, "Syftet är att öka tryggheten.");
    }

    #[test]
    fn hyphenated_words_are_joined_but_shared_endings_kept() {
        let got = kinds("• Genomföra trygg-\n  hetsvandringar i centrum\n• Medarbetar-\n  och medborgardialoger\n");
        assert_eq!(got[0].1, "Genomföra trygghetsvandringar i centrum");
        assert_eq!(got[1].1, "Medarbetar- och medborgardialoger");
    }

    #[test]
    fn columns_are_rows() {
        let got = kinds("Aktivitet\tAnsvarig\tNär\nFotpatrullering     Polisen     Varje fredag\n");
        assert_eq!(got[0].0, Kind::Row(vec!["Aktivitet".into(), "Ansvarig".into(), "När".into()]));
        assert_eq!(got[1].0, Kind::Row(vec!["Fotpatrullering".into(), "Polisen".into(), "Varje fredag".into()]));
        assert_eq!(kinds("Ett vanligt  stycke med två mellanslag.\n")[0].0, Kind::Para);
    }

    #[test]
    fn clean_collapses_spaces_and_drops_invisible_characters() {
        assert_eq!(clean("  a\u{00A0}\u{00A0}b\u{200B}c\u{0007}  d "), "a bc d");
    }
}
