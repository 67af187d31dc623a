//! The four languages of the interface (FR, the default, NL, DE, EN): Fluent messages
//! compiled into the binary, and the locale's way of writing dates and numbers.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use habilis_domain::{Language, Timestamp};

const SOURCES: [(Language, &str); 4] = [
    (Language::Fr, include_str!("../locales/fr.ftl")),
    (Language::Nl, include_str!("../locales/nl.ftl")),
    (Language::De, include_str!("../locales/de.ftl")),
    (Language::En, include_str!("../locales/en.ftl")),
];

/// Every language's messages, loaded once.
pub struct Catalog {
    bundles: HashMap<Language, FluentBundle<FluentResource>>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog").finish_non_exhaustive()
    }
}

impl Catalog {
    /// Parses the four catalogues. A syntax error in one is a bug of this crate, caught by
    /// the tests (`every_message_exists_in_every_language`).
    pub fn load() -> anyhow::Result<Catalog> {
        let mut bundles = HashMap::new();
        for (language, source) in SOURCES {
            let resource = FluentResource::try_new(source.to_owned()).map_err(|(_, errors)| {
                anyhow::format_err!("{} catalogue: {errors:?}", language.as_str())
            })?;
            let tag: unic_langid::LanguageIdentifier = language
                .as_str()
                .parse()
                .map_err(|_| anyhow::format_err!("language tag {}", language.as_str()))?;
            let mut bundle = FluentBundle::new_concurrent(vec![tag]);
            // HTML has its own direction handling; isolation marks would show up in inputs.
            bundle.set_use_isolating(false);
            bundle
                .add_resource(resource)
                .map_err(|errors| anyhow::format_err!("{errors:?}"))?;
            bundles.insert(language, bundle);
        }
        Ok(Catalog { bundles })
    }

    /// The message ids of a language's catalogue.
    pub fn ids(language: Language) -> Vec<String> {
        let source = SOURCES
            .iter()
            .find(|(l, _)| *l == language)
            .map_or("", |(_, s)| s);
        source
            .lines()
            .filter(|line| line.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
            .filter_map(|line| line.split_once(" =").map(|(id, _)| id.trim().to_owned()))
            .collect()
    }
}

/// One language's view of the catalogue, handed to every page.
#[derive(Clone)]
pub struct Tr {
    pub language: Language,
    catalog: Arc<Catalog>,
}

impl std::fmt::Debug for Tr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tr({})", self.language.as_str())
    }
}

impl Tr {
    pub fn new(catalog: Arc<Catalog>, language: Language) -> Tr {
        Tr { language, catalog }
    }

    fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        let Some(bundle) = self.catalog.bundles.get(&self.language) else {
            return id.to_owned();
        };
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            // A missing message shows its id rather than nothing; the catalogue test keeps
            // this from shipping.
            return id.to_owned();
        };
        let mut errors = Vec::new();
        let text: Cow<'_, str> = bundle.format_pattern(pattern, args, &mut errors);
        text.into_owned()
    }

    /// The message `id`.
    pub fn t(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The message `id` with one named argument.
    pub fn t1(&self, id: &str, name: &str, value: &str) -> String {
        let mut args = FluentArgs::new();
        args.set(name, FluentValue::from(value.to_owned()));
        self.format(id, Some(&args))
    }

    /// The message `id` with a count (for plurals) named `count`.
    pub fn count(&self, id: &str, count: &usize) -> String {
        let count = *count;
        let mut args = FluentArgs::new();
        args.set("count", FluentValue::from(count));
        args.set("shown", FluentValue::from(self.number(count)));
        self.format(id, Some(&args))
    }

    /// A date as the locale writes it: 23/11/2026 (FR, NL, EN), 23.11.2026 (DE).
    pub fn date(&self, at: Timestamp) -> String {
        let Some(moment) = chrono::DateTime::from_timestamp(at.0, 0) else {
            return String::new();
        };
        match self.language {
            Language::De => moment.format("%d.%m.%Y").to_string(),
            _ => moment.format("%d/%m/%Y").to_string(),
        }
    }

    /// A date and time (UTC) as the locale writes it.
    pub fn date_time(&self, at: Timestamp) -> String {
        let Some(moment) = chrono::DateTime::from_timestamp(at.0, 0) else {
            return String::new();
        };
        match self.language {
            Language::De => moment.format("%d.%m.%Y %H:%M").to_string(),
            Language::En => moment.format("%d/%m/%Y %H:%M").to_string(),
            _ => moment.format("%d/%m/%Y %Hh%M").to_string(),
        }
    }

    /// A whole number with the locale's thousands separator: 1 234 (FR, narrow no-break
    /// space), 1.234 (NL, DE), 1,234 (EN).
    pub fn number(&self, value: usize) -> String {
        let separator = match self.language {
            Language::Fr => '\u{202F}',
            Language::Nl | Language::De => '.',
            Language::En => ',',
        };
        let digits = value.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (index, digit) in digits.chars().enumerate() {
            if index > 0 && (digits.len() - index).is_multiple_of(3) {
                out.push(separator);
            }
            out.push(digit);
        }
        out
    }

    pub fn lang(&self) -> &'static str {
        self.language.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_exists_in_every_language() {
        let french = Catalog::ids(Language::Fr);
        assert!(french.len() > 50, "the French catalogue is the reference");
        for language in [Language::Nl, Language::De, Language::En] {
            let ids = Catalog::ids(language);
            let missing: Vec<&String> = french.iter().filter(|id| !ids.contains(id)).collect();
            let extra: Vec<&String> = ids.iter().filter(|id| !french.contains(id)).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{}: missing {missing:?}, not in French {extra:?}",
                language.as_str()
            );
        }
        Catalog::load().unwrap();
    }

    #[test]
    fn every_refusal_has_a_sentence() {
        let french = Catalog::ids(Language::Fr);
        for code in habilis_domain::RefusalCode::ALL {
            let id = format!("refusal-{}", code.as_str().replace('_', "-"));
            assert!(french.contains(&id), "no message {id}");
        }
    }

    #[test]
    fn numbers_and_dates_follow_the_locale() {
        let catalog = Arc::new(Catalog::load().unwrap());
        let at = Timestamp(1_795_392_000); // 2026-11-23 00:00 UTC
        let fr = Tr::new(catalog.clone(), Language::Fr);
        let de = Tr::new(catalog.clone(), Language::De);
        let en = Tr::new(catalog.clone(), Language::En);
        let nl = Tr::new(catalog, Language::Nl);
        assert_eq!(fr.date(at), "23/11/2026");
        assert_eq!(de.date(at), "23.11.2026");
        assert_eq!(fr.number(1_234_567), "1\u{202F}234\u{202F}567");
        assert_eq!(nl.number(1_234), "1.234");
        assert_eq!(en.number(1_234), "1,234");
        assert_eq!(en.number(12), "12");
        assert_ne!(fr.t("nav-dashboard"), nl.t("nav-dashboard"));
    }
}
