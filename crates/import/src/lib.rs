//! Reads a published medborgarlöfte — plain text or a saved web page — into the interchange
//! format (`lofte_domain::PromiseDocument`), with a warning for everything it was unsure of or
//! skipped, the source line of every item and how sure it is of each owner.
//!
//! Pure: no I/O. The caller passes the bytes and a [`Context`] (the municipalities and police
//! areas it knows, overrides, today's date).
//!
//! The pipeline: [`decode`] bytes → text; [`text::blocks`] or [`html::blocks`] → a list of
//! [`Block`]s (heading, paragraph, list item with depth, table row), each with its line in the
//! *source view* (the text as read, which the staff page shows beside the result); then
//! [`structure::read`] walks the blocks with the recognisers of [`dates`], [`owners`] and
//! [`places`] and builds the document.

pub mod dates;
pub mod decode;
pub mod html;
pub mod owners;
pub mod places;
mod structure;
pub mod text;

use lofte_domain::{IsoDate, MunicipalityRef, PromiseDocument, Status};
use serde::Serialize;

/// Web pages nesting deeper than this are refused (html5ever is quadratic in the depth).
pub const MAX_NESTING: usize = 1_000;

/// Inputs larger than this are refused: no published promise is near it.
pub const MAX_INPUT_BYTES: usize = 2 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Text,
    Html,
}

impl Format {
    /// The format a file name or its content suggests: `.html`/`.htm`, or content that starts
    /// like a web page (also a page saved under another name).
    pub fn guess(file_name: Option<&str>, bytes: &[u8]) -> Format {
        let ext = file_name.and_then(|n| n.rsplit_once('.')).map(|(_, e)| e.to_ascii_lowercase());
        let head: String = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).trim_start().to_lowercase();
        let looks_html = head.starts_with("<!doctype html") || head.starts_with("<html") || head.contains("<body");
        match ext.as_deref() {
            Some("html" | "htm" | "xhtml") => Format::Html,
            _ if looks_html => Format::Html,
            _ => Format::Text,
        }
    }
}

/// A police area the caller knows of, with the municipalities it covers.
#[derive(Clone, Debug, Default)]
pub struct KnownPoliceArea {
    pub name: String,
    pub municipality_codes: Vec<String>,
}

/// What the importer may know besides the text.
#[derive(Clone, Debug)]
pub struct Context {
    /// Sweden's municipalities (code, name): the names the text is checked against.
    pub municipalities: Vec<MunicipalityRef>,
    pub police_areas: Vec<KnownPoliceArea>,
    /// Given by the person importing: wins over the text (a warning says when the text differs).
    pub municipality: Option<String>,
    pub police_area: Option<String>,
    /// Used only when the text gives no year at all.
    pub today: IsoDate,
}

/// One thing the importer was unsure of or skipped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Line in the source view (1-based); 0 when it concerns the whole text.
    pub line: usize,
    pub message: String,
    /// The line's text (shortened), so the place can be found without line numbers.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub excerpt: String,
}

/// How an owner (party) was decided, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnerBasis {
    /// "(Polisen)" after the item, "Ansvarig: kommunen" below it, "Polisen:" before it.
    Marker,
    /// A header over the list: "Polisen lovar att:", "Kommunens aktiviteter:".
    Header,
    /// The subject of the sentence: "Kommunen ska …", "Polisen och kommunen …".
    Subject,
    /// "vi" in a text from one party, or "vi" meaning both parties.
    Voice,
    /// Nothing said who: taken to be joint.
    Default,
}

impl OwnerBasis {
    pub fn confidence(self) -> f64 {
        match self {
            OwnerBasis::Marker => 0.95,
            OwnerBasis::Header => 0.9,
            OwnerBasis::Subject => 0.75,
            OwnerBasis::Voice => 0.6,
            OwnerBasis::Default => 0.3,
        }
    }

    pub fn label_sv(self) -> &'static str {
        match self {
            OwnerBasis::Marker => "angivet vid punkten",
            OwnerBasis::Header => "rubriken över listan",
            OwnerBasis::Subject => "meningens subjekt",
            OwnerBasis::Voice => "\"vi\" i texten",
            OwnerBasis::Default => "inget angivet, antaget gemensamt",
        }
    }
}

/// Where one item of the document came from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ItemSource {
    /// JSON path in the document: `promises[0]`, `themes[1].activities[2]`, `intro[0]`, …
    pub path: String,
    pub line: usize,
    /// For promises and activities: how the owner was decided, and how sure that is (0–1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_from: Option<OwnerBasis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
}

/// A signatory named in the text (the document gets signatures only when it is stored as a
/// historical promise with a date).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Signatory {
    pub name: String,
    pub title: String,
    /// "municipality" or "police_area".
    pub party: lofte_domain::SignatoryParty,
    pub organisation: String,
    pub line: usize,
}

/// The result of reading one text.
#[derive(Clone, Debug, Serialize)]
pub struct Imported {
    pub format: Format,
    /// The structured promise, as a draft (see [`Imported::historical`]).
    pub document: PromiseDocument,
    pub warnings: Vec<Warning>,
    /// The text stops in the middle (a cut-off page or copy).
    pub truncated: bool,
    pub items: Vec<ItemSource>,
    pub signatories: Vec<Signatory>,
    /// The day the text says it was signed, when it says so.
    pub signed_on: Option<IsoDate>,
    /// The text as read, one entry per line of the source view (what `line` numbers refer to).
    #[serde(skip)]
    pub source_lines: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImportError {
    #[error("filen är tom")]
    Empty,
    #[error("filen är för stor ({0} byte; högst {MAX_INPUT_BYTES})")]
    TooLarge(usize),
    #[error("filen ser inte ut att vara text (den innehåller binära data)")]
    Binary,
    #[error("webbsidan är för djupt nästlad ({0} nivåer; högst {MAX_NESTING}) för att vara en vanlig sida")]
    TooDeep(usize),
    #[error("texten innehåller inget medborgarlöfte: inga löften, aktiviteter eller rubriker hittades")]
    NothingFound,
}

/// Reads one published promise.
pub fn import(bytes: &[u8], format: Format, ctx: &Context) -> Result<Imported, ImportError> {
    let (source, mut warnings) = decode::decode(bytes)?;
    let (blocks, lines, meta) = match format {
        Format::Text => {
            let (blocks, lines) = text::blocks(&source);
            (blocks, lines, html::PageMeta::default())
        }
        Format::Html => {
            let depth = html::nesting_depth(&source);
            if depth > MAX_NESTING {
                return Err(ImportError::TooDeep(depth));
            }
            html::blocks(&source)
        }
    };
    let mut out = structure::read(&blocks, &meta, ctx, format)?;
    warnings.append(&mut out.warnings);
    warnings.sort_by_key(|w| w.line);
    out.warnings = compact(warnings);
    out.source_lines = lines;
    Ok(out)
}

impl Imported {
    /// The document as a historical (published) promise: in force from `from` (unknown when
    /// `None`) to `to`; superseded when `to` is before `today`. Signatories become paper
    /// signatures when a signing day is known (`signed_on`, else `from`).
    pub fn historical(&self, from: Option<IsoDate>, to: Option<IsoDate>, today: IsoDate) -> PromiseDocument {
        let mut doc = self.document.clone();
        doc.status = if to.is_some_and(|t| t < today) { Status::Superseded } else { Status::InForce };
        doc.valid_from = from;
        doc.valid_to = to;
        if let Some(day) = self.signed_on.or(from) {
            doc.signatures = self
                .signatories
                .iter()
                .map(|s| lofte_domain::Signature {
                    party: s.party,
                    municipality_code: match s.party {
                        // The municipality the organisation names ("Eda kommun"), else the first.
                        lofte_domain::SignatoryParty::Municipality => doc
                            .municipalities
                            .iter()
                            .find(|m| s.organisation.starts_with(&m.name))
                            .or(doc.municipalities.first())
                            .map(|m| m.code.clone()),
                        lofte_domain::SignatoryParty::PoliceArea => None,
                    },
                    organisation: s.organisation.clone(),
                    name: s.name.clone(),
                    title: s.title.clone(),
                    signed_on: day,
                    signed_at: None,
                    method: lofte_domain::SignatureMethod::Paper,
                    registered_by: None,
                    document_sha256: None,
                })
                .collect();
        }
        doc
    }
}

/// Runs of the same warning on nearby lines (a menu, a cookie banner) become one.
fn compact(warnings: Vec<Warning>) -> Vec<Warning> {
    let mut out: Vec<(Warning, usize, usize)> = Vec::new();
    for w in warnings {
        if let Some((first, last, n)) = out.last_mut()
            && first.message == w.message
            && w.line > 0
            && w.line <= *last + 3
        {
            *last = w.line;
            *n += 1;
            continue;
        }
        let line = w.line;
        out.push((w, line, 1));
    }
    out.into_iter()
        .map(|(mut w, last, n)| {
            if n > 1 {
                w.message = format!("{} ({n} rader, till och med rad {last})", w.message);
            }
            w
        })
        .collect()
}

/// Shortens a line for a warning.
pub(crate) fn excerpt(s: &str) -> String {
    const MAX: usize = 80;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(MAX - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ctx() -> Context {
        Context {
            municipalities: vec![
                MunicipalityRef { code: "1785".into(), name: "Säffle".into() },
                MunicipalityRef { code: "1784".into(), name: "Arvika".into() },
            ],
            police_areas: vec![],
            municipality: None,
            police_area: None,
            today: IsoDate(time::macros::date!(2026 - 11 - 25)),
        }
    }

    /// Lines that look like pieces of promises: headings, labels, bullets, dates, clutter.
    fn line() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            Just("Medborgarlöfte 2024".to_owned()),
            Just("Aktiviteter".to_owned()),
            Just("Polisen lovar att:".to_owned()),
            Just("Gemensamma aktiviteter:".to_owned()),
            Just("Uppföljning".to_owned()),
            Just("Löfte 1: Trygghet".to_owned()),
            Just("Fokusområde: Trafik".to_owned()),
            Just("Ansvarig: kommunen".to_owned()),
            Just("Löftet gäller 1 januari 2021 - 30 februari 2022.".to_owned()),
            Just("Sök".to_owned()),
            Just("Anna Andersson".to_owned()),
            Just("Kommunstyrelsens ordförande".to_owned()),
            "[ •\\-–*o1l.)(]{0,4}[A-Za-zÅÄÖåäö0-9 ,.:;()–-]{0,80}",
            any::<String>(),
        ]
    }

    proptest! {
        #[test]
        fn never_panics_on_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..3000)) {
            let _ = import(&bytes, Format::Text, &ctx());
            let _ = import(&bytes, Format::Html, &ctx());
        }

        #[test]
        fn never_panics_on_promise_like_text(lines in prop::collection::vec(line(), 0..80)) {
            let text = lines.join("\n");
            let _ = import(text.as_bytes(), Format::Text, &ctx());
            let html: String = lines.iter().map(|l| format!("<p>{l}</p><ul><li>{l}</li></ul>")).collect();
            let _ = import(html.as_bytes(), Format::Html, &ctx());
        }

        #[test]
        fn every_bullet_under_a_header_becomes_an_activity(
            items in prop::collection::vec("[a-zåäö]{3,12}( [a-zåäö]{2,10}){1,6}", 1..25),
        ) {
            let mut text = "Medborgarlöfte 2024\n\nLöften\n\n• Polisen och kommunen lovar att öka tryggheten.\n\nAktiviteter\n\nTrafik\n\nPolisen lovar att:\n".to_owned();
            for i in &items {
                text.push_str(&format!("• {}\n", i));
            }
            let got = import(text.as_bytes(), Format::Text, &ctx()).unwrap();
            let acts = &got.document.themes[0].activities;
            prop_assert_eq!(acts.len(), items.len());
            for (a, i) in acts.iter().zip(&items) {
                prop_assert_eq!(&a.text, i);
                prop_assert_eq!(a.party, lofte_domain::Party::Police);
            }
        }
    }

    #[test]
    fn a_huge_line_and_control_characters_are_read() {
        let huge = format!("Medborgarlöfte 2024\n\n• {}\n", "ord ".repeat(200_000));
        assert!(import(huge.as_bytes(), Format::Text, &ctx()).is_ok());
        let controls = "Medborgarlöfte 2024\n\n• Trygg\u{7}het \u{202E}i centrum\n";
        let got = import(controls.as_bytes(), Format::Text, &ctx()).unwrap();
        assert_eq!(got.document.promises[0].text, "Trygghet i centrum");
    }

    #[test]
    fn each_municipal_signature_is_for_the_municipality_it_names() {
        let text = "Medborgarlöfte för Säffle och Arvika kommuner 2024\n\nLokalpolisområde Arvika.\n\n\
                    • Polisen och kommunerna lovar att öka tryggheten.\n\nUnderskrifter\n\n\
                    Anna Andersson, kommunstyrelsens ordförande, Säffle kommun\n\
                    Bo Berg, kommunstyrelsens ordförande, Arvika kommun\n";
        let got = import(text.as_bytes(), Format::Text, &ctx()).unwrap();
        let day = IsoDate(time::macros::date!(2024 - 03 - 01));
        let doc = got.historical(Some(day), None, day);
        let codes: Vec<_> = doc.signatures.iter().map(|s| s.municipality_code.clone()).collect();
        assert_eq!(codes, vec![Some("1785".to_owned()), Some("1784".to_owned())]);
    }

    #[test]
    fn text_without_a_promise_is_an_error() {
        assert_eq!(import(b"Sok\n\nMeny", Format::Text, &ctx()).unwrap_err(), ImportError::NothingFound);
        let deep = format!("{}x", "<div>".repeat(MAX_NESTING + 1));
        assert!(matches!(import(deep.as_bytes(), Format::Html, &ctx()), Err(ImportError::TooDeep(_))));
    }
}
