use proptest::prelude::*;

use super::*;
use crate::promise::{SignatoryParty, SignatureMethod};

const DEMO: &str = include_str!("../../../../data/demo/saffle-2024.json");

fn signed_demo() -> PromiseDocument {
    let mut doc = crate::parse_documents(DEMO).expect("demo").remove(0);
    let hash = content_sha256(&doc);
    doc.signatures = vec![Signature {
        party: SignatoryParty::PoliceArea,
        municipality_code: None,
        organisation: "Lokalpolisområde Arvika".into(),
        name: "Per Polis".into(),
        title: "Lokalpolisområdeschef".into(),
        signed_on: IsoDate::parse("2024-03-01").expect("date"),
        signed_at: None,
        method: SignatureMethod::Electronic,
        registered_by: None,
        document_sha256: Some(hash),
    }];
    doc
}

#[test]
fn canonical_json_sorts_keys_and_has_no_whitespace() {
    let v: Value = serde_json::from_str(r#"{ "b": [1, {"z": null, "a": "å\n"}], "a": true }"#).expect("json");
    assert_eq!(canonical_json(&v), r#"{"a":true,"b":[1,{"a":"å\n","z":null}]}"#);
}

#[test]
fn the_content_hash_ignores_the_record_but_not_the_content() {
    let doc = signed_demo();
    let mut other = doc.clone();
    other.status = crate::Status::Superseded;
    other.signatures.clear();
    other.valid_to = IsoDate::parse("2025-01-01");
    assert_eq!(content_sha256(&doc), content_sha256(&other));
    other.themes[0].activities[0].text.push('.');
    assert_ne!(content_sha256(&doc), content_sha256(&other));
}

#[test]
fn a_sealed_document_verifies_and_any_change_breaks_it() {
    let key = SealKey::from_bytes([7; 32]);
    let sealed = key.seal(&signed_demo(), "2024-03-01T10:00:00.000Z");
    let json = serde_json::to_string_pretty(&sealed).expect("json");
    let ok = verify_sealed(&json, Some(&key.public_key_base64())).expect("verifies");
    assert_eq!(ok.title, "Medborgarlöfte 2024");

    let changed = json.replacen("Säffle kommun tillsammans", "Säffle kommun ensam", 1);
    assert!(matches!(verify_sealed(&changed, None), Err(SealError::HashMismatch { .. })));
    let renamed = json.replacen("Per Polis", "Pål Polis", 1);
    assert_eq!(verify_sealed(&renamed, None), Err(SealError::BadSeal));
    let redated = json.replacen("2024-03-01T10:00:00.000Z", "2025-03-01T10:00:00.000Z", 1);
    assert_eq!(verify_sealed(&redated, None), Err(SealError::BadSeal));
    assert_eq!(verify_sealed(&json, Some("inte en nyckel")), Err(SealError::BadTrustedKey));
    let other_key = SealKey::from_bytes([8; 32]).public_key_base64();
    assert!(matches!(verify_sealed(&json, Some(&other_key)), Err(SealError::UnknownKey(_))));
    assert!(matches!(verify_sealed("{}", None), Err(SealError::Format(_))));
}

fn entry(seq: i64, prev: &str, detail: &str) -> AuditEntry {
    AuditEntry {
        seq,
        id: format!("id{seq}"),
        at: "2024-01-01T00:00:00.000Z".into(),
        account_id: None,
        account_name: "Import".into(),
        document_id: Some("doc".into()),
        action: "skapad".into(),
        detail: detail.into(),
        document_state: None,
        prev_hash: prev.into(),
    }
}

fn chain(n: i64) -> Vec<(AuditEntry, String)> {
    let mut prev = GENESIS.to_owned();
    (1..=n)
        .map(|seq| {
            let e = entry(seq, &prev, &format!("händelse {seq}"));
            prev = e.hash();
            let h = prev.clone();
            (e, h)
        })
        .collect()
}

#[test]
fn the_audit_chain_names_the_first_broken_entry() {
    let mut c = chain(5);
    assert_eq!(verify_chain(c.iter().map(|(e, h)| (e, h.as_str()))), Ok(5));
    c[2].0.detail = "ändrad".into();
    let err = verify_chain(c.iter().map(|(e, h)| (e, h.as_str()))).expect_err("broken");
    assert_eq!(err.seq, 3);
    // Recomputing the changed entry's hash moves the break to the next one.
    c[2].1 = c[2].0.hash();
    let err = verify_chain(c.iter().map(|(e, h)| (e, h.as_str()))).expect_err("broken");
    assert_eq!(err.seq, 4);
    let mut gap = chain(4);
    gap.remove(1);
    assert_eq!(verify_chain(gap.iter().map(|(e, h)| (e, h.as_str()))).expect_err("gap").seq, 3);
}

proptest! {
    #[test]
    fn changing_any_entry_of_a_chain_is_found(n in 1i64..20, victim in 0usize..20, text in "\\PC{0,20}") {
        let mut c = chain(n);
        let i = victim % c.len();
        prop_assume!(c[i].0.detail != text);
        c[i].0.detail = text;
        let err = verify_chain(c.iter().map(|(e, h)| (e, h.as_str()))).expect_err("broken");
        prop_assert_eq!(err.seq, i as i64 + 1);
    }
}

#[test]
fn format_errors_are_swedish() {
    let err = verify_sealed("", None).expect_err("empty");
    assert!(err.to_string().contains("rad 1"), "{err}");
    let json = serde_json::to_string(&SealKey::from_bytes([7; 32]).seal(&signed_demo(), "2024-03-01T10:00:00.000Z"))
        .expect("json")
        .replacen("\"electronic\"", "\"digital\"", 1);
    let err = verify_sealed(&json, None).expect_err("unknown method").to_string();
    assert!(err.contains("`electronic` eller `paper`") && !err.contains(" or "), "{err}");
}
