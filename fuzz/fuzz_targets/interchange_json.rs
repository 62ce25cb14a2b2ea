//! `lofte import json` and `POST /api/v1/promises/validate`: parse, normalise and validate any
//! text. Must never panic; a document that parses must survive a serialise/parse round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(docs) = lofte_domain::parse_documents(text) else { return };
    for doc in docs {
        let doc = doc.normalized();
        let _ = doc.validate();
        for theme in &doc.themes {
            let _ = theme.groups();
        }
        let json = serde_json::to_string(&doc).unwrap_or_default();
        let again = lofte_domain::parse_documents(&json).map(|mut v| v.remove(0));
        assert_eq!(again.as_ref().ok(), Some(&doc), "round trip changed the document");
        if let Ok(again) = &again {
            let hash = lofte_domain::seal::content_sha256(&doc);
            assert_eq!(lofte_domain::seal::content_sha256(again), hash, "round trip changed the content hash");
        }
    }
});
