//! The Kolada parser (value pages v2/v3, KPI metadata) on any bytes: a document or an error,
//! never a panic; what it reads is well formed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lofte_domain::statistics::{Level, kolada, valid_period};

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = kolada::parse(data) else { return };
    for o in &doc.batch.observations {
        assert!(o.indicator.starts_with("kolada:"));
        assert!(valid_period(&o.period), "{}", o.period);
        assert!(Level::of(&o.region).is_some(), "{}", o.region);
        assert!(doc.batch.indicators.iter().any(|i| i.key == o.indicator));
    }
    assert!(doc.next.as_deref().is_none_or(|n| !n.trim().is_empty()));
});
