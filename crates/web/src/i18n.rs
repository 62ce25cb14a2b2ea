//! UI text in more than one language, with Fluent (`locales/*.ftl`, compiled in). Used by the
//! survey pages residents answer in Swedish or English; staff pages are Swedish only.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};

const SOURCES: &[(&str, &str)] =
    &[("sv", include_str!("../locales/sv.ftl")), ("en", include_str!("../locales/en.ftl"))];

type Bundle = FluentBundle<FluentResource>;

fn bundles() -> &'static Vec<(&'static str, Bundle)> {
    static BUNDLES: OnceLock<Vec<(&'static str, Bundle)>> = OnceLock::new();
    BUNDLES.get_or_init(|| {
        SOURCES
            .iter()
            .map(|(lang, source)| {
                let id: unic_langid::LanguageIdentifier = lang.parse().unwrap_or_default();
                let mut bundle = FluentBundle::new_concurrent(vec![id]);
                // No Unicode isolation marks around arguments: the pages are plain LTR HTML.
                bundle.set_use_isolating(false);
                // The sources are ours and tested (`every_message_exists_in_every_language`).
                if let Ok(resource) = FluentResource::try_new((*source).to_owned()) {
                    let _ = bundle.add_resource(resource);
                }
                (*lang, bundle)
            })
            .collect()
    })
}

/// The message `id` in `lang` (Swedish when the language is unknown), with `args`. A missing
/// message shows its id, which the test below keeps from happening.
pub fn text(lang: &str, id: &str, args: &[(&str, &str)]) -> String {
    let all = bundles();
    let Some((_, bundle)) = all.iter().find(|(l, _)| *l == lang).or_else(|| all.first()) else {
        return id.to_owned();
    };
    let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else { return id.to_owned() };
    let mut fluent_args = FluentArgs::new();
    for (k, v) in args {
        fluent_args.set(*k, *v);
    }
    let mut errors = Vec::new();
    bundle.format_pattern(pattern, Some(&fluent_args), &mut errors).into_owned()
}

/// A page's translator: `t.t("survey-send")` in templates.
#[derive(Clone, Copy, Debug)]
pub struct Tr(pub &'static str);

impl Tr {
    pub fn t(&self, id: &str) -> String {
        text(self.0, id, &[])
    }

    pub fn lang(&self) -> &'static str {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(source: &str) -> Vec<&str> {
        source
            .lines()
            .filter(|l| !l.starts_with('#') && l.contains(" = "))
            .filter_map(|l| l.split(" = ").next())
            .collect()
    }

    #[test]
    fn every_message_exists_in_every_language() {
        let sv = ids(SOURCES[0].1);
        assert!(sv.len() > 10);
        for (lang, source) in SOURCES {
            assert_eq!(ids(source), sv, "{lang} has the same messages in the same order");
            for (l, bundle) in bundles() {
                for id in &sv {
                    assert!(bundle.get_message(id).is_some(), "{l}: {id}");
                }
            }
        }
        assert_eq!(text("en", "survey-upcoming", &[("from", "2026-03-01")]), "The survey opens 2026-03-01.");
        assert_eq!(text("xx", "survey-send", &[]), "Skicka svar");
    }
}
