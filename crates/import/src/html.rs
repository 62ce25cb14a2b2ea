//! A saved web page → blocks, with html5ever (through `scraper`): headings, paragraphs, list
//! items with their nesting, table rows. Only the page's main content is read (`<main>`, else
//! the `<article>`, else `<body>`); menus, headers, footers, sidebars, forms, scripts, cookie
//! banners, breadcrumbs and hidden elements are left out. A paragraph that is all bold
//! (`<p><strong>Polisen lovar att:</strong></p>`) is read as a heading, as editors use it so.

use ego_tree::NodeRef;
use scraper::{ElementRef, Html, Node, Selector};

use crate::text::{Block, Kind, clean};

/// What the page says about itself, outside the content.
#[derive(Clone, Debug, Default)]
pub struct PageMeta {
    /// `<title>`, `og:site_name` and the page address, for telling whose page it is.
    pub title: String,
    pub site: String,
    /// Image captions and other skipped content text: (line, text), for warnings.
    pub skipped: Vec<(usize, String)>,
}

/// Elements never read, with everything inside them.
const SKIP_TAGS: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "nav", "header", "footer", "form", "button", "select",
    "textarea", "input", "iframe", "object", "aside", "head", "dialog", "menu",
];
/// Class or id fragments of page furniture.
const SKIP_MARKS: &[&str] = &[
    "cookie",
    "consent",
    "gdpr",
    "breadcrumb",
    "share",
    "social",
    "skip-link",
    "skiplink",
    "readspeaker",
    "sidebar",
    "navbar",
    "site-header",
    "site-footer",
    "toolbar",
    "visually-hidden",
    "sr-only",
    "search",
];
/// Deeper than this the page is not read further (a page nested this deep is not a promise).
const MAX_DEPTH: usize = 200;

/// Tags without an end tag: they open no level.
const VOID: &[&str] = &[
    "br", "img", "meta", "link", "input", "hr", "wbr", "source", "area", "col", "embed", "param", "track", "base", "p",
    "li",
];

/// How deep the page's elements nest, roughly (a scan of the tags, without parsing). The HTML
/// parser slows down quadratically with depth, so very deep pages are refused before parsing.
pub fn nesting_depth(source: &str) -> usize {
    let bytes = source.as_bytes();
    let (mut depth, mut max) = (0usize, 0usize);
    let mut i = 0;
    while let Some(off) = bytes[i..].iter().position(|&b| b == b'<') {
        i += off + 1;
        let Some(&next) = bytes.get(i) else { break };
        if next == b'/' {
            depth = depth.saturating_sub(1);
        } else if next.is_ascii_alphabetic() {
            let name_len = bytes[i..].iter().take_while(|b| b.is_ascii_alphanumeric()).count();
            let name = source.get(i..i + name_len).unwrap_or("").to_ascii_lowercase();
            let end = bytes[i..].iter().position(|&b| b == b'>').map(|e| i + e);
            let self_closing = end.is_some_and(|e| e > 0 && bytes[e - 1] == b'/');
            if !VOID.contains(&name.as_str()) && !self_closing {
                depth += 1;
                max = max.max(depth);
            }
        }
    }
    max
}

pub fn blocks(source: &str) -> (Vec<Block>, Vec<String>, PageMeta) {
    let doc = Html::parse_document(source);
    let mut meta = PageMeta::default();
    if let Ok(sel) = Selector::parse("title") {
        meta.title = doc.select(&sel).next().map(|t| clean(&t.text().collect::<String>())).unwrap_or_default();
    }
    if let Ok(sel) = Selector::parse(r#"meta[property="og:site_name"], meta[property="og:url"], link[rel="canonical"]"#)
    {
        for m in doc.select(&sel) {
            let v = m.value().attr("content").or_else(|| m.value().attr("href")).unwrap_or("");
            meta.site.push_str(v);
            meta.site.push(' ');
        }
    }
    let root = ["main", "[role=main]", "article", "body"]
        .iter()
        .filter_map(|s| Selector::parse(s).ok())
        .find_map(|sel| doc.select(&sel).next())
        .map(|e| *e)
        .unwrap_or_else(|| doc.tree.root());
    let mut w = Walker::default();
    w.walk(root, 0, &mut meta);
    w.flush();
    let mut lines: Vec<String> = Vec::new();
    let mut blocks = Vec::new();
    let mut prev_item = false;
    let mut line_of_block = Vec::new();
    for (kind, text, hint, owner_hint) in w.out {
        let is_item = matches!(kind, Kind::Item { .. });
        if !(lines.is_empty() || is_item && prev_item) {
            lines.push(String::new());
        }
        lines.push(match &kind {
            Kind::Item { depth, .. } => format!("{}• {text}", "  ".repeat(*depth)),
            _ => text.clone(),
        });
        line_of_block.push(lines.len());
        blocks.push(Block { line: lines.len(), kind, text, hint, owner_hint });
        prev_item = is_item;
    }
    // Skipped captions were noted by block index: give them the line of the block after them.
    for (at, _) in &mut meta.skipped {
        *at = line_of_block.get(*at).copied().unwrap_or(lines.len().max(1));
    }
    (blocks, lines, meta)
}

/// A block as the walker finds it: kind, text, hint, owner hint.
type Found = (Kind, String, Option<&'static str>, Option<String>);

#[derive(Default)]
struct Walker {
    out: Vec<Found>,
    /// Hints from Löfte's own page markup (inside `article.promise` or `section.signatures`).
    hints: Vec<&'static str>,
    owner_hint: Option<String>,
    buf: String,
    /// The block kind text goes to (innermost `li`, else a paragraph).
    kinds: Vec<Kind>,
    lists: Vec<bool>,
}

impl Walker {
    fn flush(&mut self) {
        let raw = std::mem::take(&mut self.buf);
        let kind = self.kinds.last().cloned().unwrap_or(Kind::Para);
        let parts: Vec<String> = raw.split('\n').map(clean).filter(|p| !p.is_empty()).collect();
        if parts.is_empty() {
            return;
        }
        // Lines broken with <br>: short ones (an address, a signature) stay lines, prose is one
        // paragraph.
        let lines_of_their_own = parts.iter().all(|p| p.chars().count() < 60 && !crate::text::ends_open(p))
            && parts.iter().skip(1).all(|p| !p.starts_with(char::is_lowercase));
        if matches!(kind, Kind::Para) && parts.len() > 1 && lines_of_their_own {
            for p in parts {
                self.push(Kind::Para, p);
            }
        } else {
            self.push(kind, parts.join(" "));
        }
    }

    fn push(&mut self, kind: Kind, text: String) {
        let hint = self.hints.last().copied().filter(|h| !h.ends_with("-section"));
        self.out.push((kind, text, hint, self.owner_hint.take()));
    }

    /// The hint an element of Löfte's own page gives (see [`Block::hint`]).
    fn hint_of(&self, e: &scraper::node::Element) -> Option<&'static str> {
        let class = |c: &str| e.classes().any(|x| x == c);
        let ours = !self.hints.is_empty();
        if (e.name() == "article" && class("promise")) || (e.name() == "section" && class("signatures")) {
            return Some("lofte-section");
        }
        if !ours {
            return None;
        }
        Some(match e.name() {
            "div" if class("intro") => "intro",
            "div" if class("follow-up") => "follow_up",
            "div" if class("communication") => "communication",
            "div" if class("validity") => "validity",
            "p" if class("meta") => "meta",
            "p" if class("signed") => "signed",
            "p" if class("notice") => "notice",
            "ul" if class("promises") => "promise",
            "ul" if class("download") => "skip",
            "section" if class("theme") => "theme-section",
            "span" if class("meta") && self.hints.last() == Some(&"promise") => "owner",
            _ => return None,
        })
    }

    fn skip(e: &scraper::node::Element) -> bool {
        // Accordion buttons name their panel; hidden (collapsed) panels are content too.
        if e.name() == "button" && e.attr("aria-expanded").is_some() {
            return false;
        }
        if SKIP_TAGS.contains(&e.name()) {
            return true;
        }
        if matches!(e.attr("role"), Some("navigation" | "banner" | "contentinfo" | "search" | "dialog" | "alertdialog"))
        {
            return true;
        }
        let marks = format!("{} {}", e.attr("class").unwrap_or(""), e.attr("id").unwrap_or("")).to_lowercase();
        SKIP_MARKS.iter().any(|m| marks.contains(m))
    }

    fn walk(&mut self, node: NodeRef<Node>, depth: usize, meta: &mut PageMeta) {
        if depth > MAX_DEPTH {
            return;
        }
        for child in node.children() {
            match child.value() {
                Node::Text(t) => self.buf.push_str(t),
                Node::Element(e) => {
                    if Self::skip(e) {
                        continue;
                    }
                    let name = e.name();
                    let hint = self.hint_of(e);
                    if hint == Some("skip") {
                        continue;
                    }
                    if hint == Some("owner") {
                        // "(polisen)" beside a promise on our page: the owner, not the text.
                        let text = ElementRef::wrap(child).map(|r| r.text().collect::<String>()).unwrap_or_default();
                        self.owner_hint = Some(clean(text.trim().trim_start_matches('(').trim_end_matches(')')));
                        continue;
                    }
                    self.hints.extend(hint);
                    match name {
                        "br" => self.buf.push('\n'),
                        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "summary" | "button" => {
                            self.flush();
                            let text = clean(
                                &ElementRef::wrap(child).map(|r| r.text().collect::<String>()).unwrap_or_default(),
                            );
                            if !text.is_empty() {
                                let hint = match (self.hints.last(), name) {
                                    (Some(&"theme-section"), "h3") => Some("theme"),
                                    (Some(&"theme-section"), "h4") => Some("group"),
                                    (Some(&"lofte-section"), "h2") if e.id() == Some("lofte-rubrik") => Some("title"),
                                    _ => None,
                                };
                                self.hints.extend(hint);
                                self.push(Kind::Heading { guessed: false }, text);
                                if hint.is_some() {
                                    self.hints.pop();
                                }
                            }
                        }
                        "figcaption" => {
                            let text = clean(
                                &ElementRef::wrap(child).map(|r| r.text().collect::<String>()).unwrap_or_default(),
                            );
                            if !text.is_empty() {
                                meta.skipped.push((self.out.len(), text));
                            }
                        }
                        "ul" | "ol" | "dl" => {
                            self.flush();
                            self.lists.push(name == "ol");
                            self.walk(child, depth + 1, meta);
                            self.flush();
                            self.lists.pop();
                        }
                        "li" => {
                            self.flush();
                            let depth_in_lists = self.lists.len().saturating_sub(1);
                            let ordered = self.lists.last().copied().unwrap_or(false);
                            self.kinds.push(Kind::Item { depth: depth_in_lists, ordered });
                            let activity = self.hints.last() == Some(&"theme-section");
                            if activity {
                                self.hints.push("activity");
                            }
                            self.walk(child, depth + 1, meta);
                            self.flush();
                            if activity {
                                self.hints.pop();
                            }
                            self.kinds.pop();
                        }
                        "tr" => {
                            self.flush();
                            let cells: Vec<String> = child
                                .children()
                                .filter_map(ElementRef::wrap)
                                .filter(|c| matches!(c.value().name(), "td" | "th"))
                                .map(|c| clean(&c.text().collect::<String>()))
                                .collect();
                            if cells.iter().any(|c| !c.is_empty()) {
                                let text = cells.join(" | ");
                                self.push(Kind::Row(cells), text);
                            }
                        }
                        "p" | "div" | "section" | "article" | "main" | "blockquote" | "dd" | "dt" | "figure"
                        | "table" | "tbody" | "thead" | "center" | "address" | "pre" | "details" => {
                            self.flush();
                            if name == "p" && bold_only(child) {
                                let text = clean(
                                    &ElementRef::wrap(child).map(|r| r.text().collect::<String>()).unwrap_or_default(),
                                );
                                if !text.is_empty() {
                                    self.push(Kind::Heading { guessed: true }, text);
                                }
                            } else {
                                // Inside an item, a paragraph is more of the item.
                                let in_item = matches!(self.kinds.last(), Some(Kind::Item { .. }));
                                if !in_item {
                                    self.kinds.push(Kind::Para);
                                }
                                self.walk(child, depth + 1, meta);
                                self.flush();
                                if !in_item {
                                    self.kinds.pop();
                                }
                            }
                        }
                        "img" => {}
                        _ => self.walk(child, depth + 1, meta),
                    }
                    if hint.is_some() {
                        self.hints.pop();
                    }
                }
                _ => {}
            }
        }
    }
}

/// A paragraph whose text is all inside `<strong>`/`<b>` (and short): a heading in all but name.
fn bold_only(p: NodeRef<Node>) -> bool {
    let Some(el) = ElementRef::wrap(p) else { return false };
    let all: String = el.text().collect::<String>().split_whitespace().collect();
    if all.is_empty() || all.chars().count() > 120 {
        return false;
    }
    let mut bold = String::new();
    for d in el.descendants() {
        if let Some(e) = ElementRef::wrap(d)
            && matches!(e.value().name(), "strong" | "b")
        {
            bold.extend(e.text());
        }
    }
    let bold: String = bold.split_whitespace().collect();
    bold == all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Kind, String)> {
        blocks(src).0.into_iter().map(|b| (b.kind, b.text)).collect()
    }

    #[test]
    fn structure_of_a_page() {
        let page = r##"<!doctype html><html><head><title>Medborgarlöften - Säffle kommun</title></head><body>
            <header><nav><a href="/">Start</a> <a href="/sok">Sök</a></nav></header>
            <div class="cookie-banner">Vi använder kakor <button>OK</button></div>
            <main><h1>Medborgarlöfte 2024</h1>
            <p>Inledning med <a href="#">länk</a> och<br>radbrytning i ett långt stycke som fortsätter ett tag till.</p>
            <p><strong>Polisen lovar att:</strong></p>
            <ul><li>Ett <em>löfte</em><ul><li>Fokus</li></ul></li><li><p>Två</p></li></ul>
            <ol><li>Först</li></ol>
            <table><tr><th>Namn</th><th>Titel</th></tr><tr><td>Anna</td><td>Ordförande</td></tr></table>
            <figure><img alt="bild"><figcaption>Foto: Polisen</figcaption></figure>
            </main><footer>Kontakt 054-00 00 00</footer></body></html>"##;
        let (blocks, view, meta) = blocks(page);
        let got: Vec<(Kind, String)> = blocks.iter().map(|b| (b.kind.clone(), b.text.clone())).collect();
        assert_eq!(
            got,
            vec![
                (Kind::Heading { guessed: false }, "Medborgarlöfte 2024".into()),
                (
                    Kind::Para,
                    "Inledning med länk och radbrytning i ett långt stycke som fortsätter ett tag till.".into()
                ),
                (Kind::Heading { guessed: true }, "Polisen lovar att:".into()),
                (Kind::Item { depth: 0, ordered: false }, "Ett löfte".into()),
                (Kind::Item { depth: 1, ordered: false }, "Fokus".into()),
                (Kind::Item { depth: 0, ordered: false }, "Två".into()),
                (Kind::Item { depth: 0, ordered: true }, "Först".into()),
                (Kind::Row(vec!["Namn".into(), "Titel".into()]), "Namn | Titel".into()),
                (Kind::Row(vec!["Anna".into(), "Ordförande".into()]), "Anna | Ordförande".into()),
            ]
        );
        assert_eq!(meta.title, "Medborgarlöften - Säffle kommun");
        assert_eq!(meta.skipped.len(), 1);
        // Every block's line shows its text in the view.
        for b in &blocks {
            assert!(view[b.line - 1].contains(b.text.split(" | ").next().unwrap_or_default()), "{b:?} {view:?}");
        }
    }

    #[test]
    fn accordion_panels_are_read() {
        let got = kinds(
            r#"<main><h2><button aria-expanded="false" aria-controls="p1">Löfte 1: Trygg hamn</button></h2>
            <div id="p1" hidden><p><strong>Polisen lovar att:</strong></p><ul><li>Patrullera i hamnen</li></ul></div>
            <details><summary>Löfte 2: Trygg skola</summary><ul><li>Besöka skolan</li></ul></details></main>"#,
        );
        let texts: Vec<&str> = got.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Löfte 1: Trygg hamn",
                "Polisen lovar att:",
                "Patrullera i hamnen",
                "Löfte 2: Trygg skola",
                "Besöka skolan"
            ]
        );
    }

    #[test]
    fn short_br_lines_stay_lines() {
        let got = kinds("<body><p>Anna Andersson<br>Kommunstyrelsens ordförande<br>Säffle kommun</p></body>");
        assert_eq!(got.len(), 3);
    }

    #[test]
    fn deep_nesting_is_measured_and_read_to_a_limit() {
        let page = format!("{}<p>x</p>{}", "<div>".repeat(900), "</div>".repeat(900));
        assert_eq!(nesting_depth(&page), 900);
        assert_eq!(nesting_depth("<p>a<p>b<br><img src=x><div/></p>"), 0);
        // Past MAX_DEPTH nothing more is read, and nothing overflows.
        assert!(blocks(&page).0.is_empty());
    }

    #[test]
    fn empty_and_garbage() {
        assert!(kinds("").is_empty());
        assert!(kinds("<<<>>>").len() <= 1);
    }
}
