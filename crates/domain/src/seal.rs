//! Tamper evidence: the canonical form and hash of a document's content, the server seal
//! (Ed25519) on downloaded documents, and the hash chain of the audit log.
//!
//! Canonical JSON here is RFC 8785 (JCS) for the values we have (strings, integers, null,
//! arrays, objects; no floats): object keys sorted by UTF-16 code units… which for our ASCII
//! keys is byte order, no whitespace, serde_json's string escaping (which matches JCS).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::promise::{IsoDate, PromiseDocument, Signature, Status};

/// The format name of a sealed download.
pub const SEALED_FORMAT: &str = "lofte-sealed-promise/1";

/// The fields of a document that are its record, not its content: not hashed.
const RECORD_FIELDS: [&str; 6] = ["status", "sha256", "signatures", "valid_from", "valid_to", "withdrawn_reason"];

/// Compact JSON with object keys sorted, recursively.
pub fn canonical_json(value: &Value) -> String {
    fn sorted(v: &Value) -> Value {
        match v {
            Value::Object(map) => {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                let mut out = serde_json::Map::new();
                for (k, v) in entries {
                    out.insert(k.clone(), sorted(v));
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    // With serde_json's default map (a BTreeMap) the keys come out sorted; `sorted` keeps the
    // result right should a dependency turn on `preserve_order`.
    sorted(value).to_string()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The content of a document as a JSON value: everything but its record fields.
pub fn content_value(doc: &PromiseDocument) -> Value {
    let mut value = serde_json::to_value(doc).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        for field in RECORD_FIELDS {
            map.remove(field);
        }
    }
    value
}

/// SHA-256 (hex) of the canonical JSON of a document's content. Signatures are given for it.
pub fn content_sha256(doc: &PromiseDocument) -> String {
    sha256_hex(canonical_json(&content_value(doc)).as_bytes())
}

/// SHA-256 (hex) of a document's whole state: its content hash and its record (status,
/// signatures, validity, withdrawal reason). Each audit entry about a document stores it, so
/// that a change made to the stored document outside the application is found.
pub fn document_state_sha256(doc: &PromiseDocument) -> String {
    let value = serde_json::json!({
        "content": content_sha256(doc),
        "sha256": doc.sha256,
        "status": doc.status,
        "signatures": doc.signatures,
        "valid_from": doc.valid_from,
        "valid_to": doc.valid_to,
        "withdrawn_reason": doc.withdrawn_reason,
    });
    sha256_hex(canonical_json(&value).as_bytes())
}

/// A downloaded signed document: its content, hash, signatures and the server's seal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedDocument {
    pub format: String,
    /// The content (what `sha256` is computed over, canonically).
    pub document: Value,
    pub sha256: String,
    pub signatures: Vec<Signature>,
    /// The document's status when it was sealed.
    pub status: Status,
    pub valid_from: Option<IsoDate>,
    /// The last day in force, as known when it was sealed.
    pub valid_to: Option<IsoDate>,
    pub withdrawn_reason: Option<String>,
    pub sealed_at: String,
    pub seal: Seal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seal {
    /// Always "Ed25519".
    pub algorithm: String,
    /// The server's public key, base64 (32 bytes).
    pub public_key: String,
    /// Base64 Ed25519 signature over [`seal_message`].
    pub signature: String,
}

/// What the seal signs: the canonical JSON of everything in the file but the document itself
/// (which `sha256` stands for) and the seal: hash, signatures, status, validity, withdrawal
/// reason and the time of sealing. None of them can be changed without breaking the seal.
pub fn seal_message(sealed: &SealedDocument) -> Vec<u8> {
    let value = serde_json::json!({
        "format": sealed.format,
        "sha256": sealed.sha256,
        "signatures": sealed.signatures,
        "status": sealed.status,
        "valid_from": sealed.valid_from,
        "valid_to": sealed.valid_to,
        "withdrawn_reason": sealed.withdrawn_reason,
        "sealed_at": sealed.sealed_at,
    });
    canonical_json(&value).into_bytes()
}

/// The server's seal key, from its 32 secret bytes.
#[derive(Clone)]
pub struct SealKey(SigningKey);

impl SealKey {
    pub fn from_bytes(secret: [u8; 32]) -> Self {
        SealKey(SigningKey::from_bytes(&secret))
    }

    /// From the base64 text kept in the database.
    pub fn from_base64(text: &str) -> Option<Self> {
        decode_fixed(text).map(Self::from_bytes)
    }

    pub fn public_key_base64(&self) -> String {
        B64.encode(self.0.verifying_key().as_bytes())
    }

    /// Seals a document (which must have its signatures).
    pub fn seal(&self, doc: &PromiseDocument, sealed_at: &str) -> SealedDocument {
        let mut sealed = SealedDocument {
            format: SEALED_FORMAT.into(),
            document: content_value(doc),
            sha256: content_sha256(doc),
            signatures: doc.signatures.clone(),
            status: doc.status,
            valid_from: doc.valid_from,
            valid_to: doc.valid_to,
            withdrawn_reason: doc.withdrawn_reason.clone(),
            sealed_at: sealed_at.into(),
            seal: Seal { algorithm: "Ed25519".into(), public_key: self.public_key_base64(), signature: String::new() },
        };
        sealed.seal.signature = B64.encode(self.0.sign(&seal_message(&sealed)).to_bytes());
        sealed
    }
}

/// Why a sealed document does not verify. Messages are Swedish.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("filen är inte ett förseglat medborgarlöfte från Löfte ({0})")]
    Format(String),
    #[error("innehållet har ändrats: dess SHA-256 är {actual}, men filen anger {stated}")]
    HashMismatch { stated: String, actual: String },
    #[error("underskrift {index} gavs för ett annat innehåll (SHA-256 {stated})")]
    SignatureHash { index: usize, stated: String },
    #[error("förseglingen stämmer inte: hash, underskrifter eller datum har ändrats, eller sigillet är förfalskat")]
    BadSeal,
    #[error("förseglingen är gjord med en annan nyckel ({0}) än den som anges som tjänstens")]
    UnknownKey(String),
    #[error("den angivna publika nyckeln är ogiltig: den ska vara 32 byte i base64")]
    BadTrustedKey,
}

/// The facts a verified file states.
#[derive(Clone, Debug, PartialEq)]
pub struct Verified {
    pub title: String,
    pub sha256: String,
    pub signatures: Vec<Signature>,
    pub status: Status,
    pub valid_from: Option<IsoDate>,
    pub valid_to: Option<IsoDate>,
    pub withdrawn_reason: Option<String>,
    pub sealed_at: String,
    pub public_key: String,
}

/// Base64 text of exactly `N` bytes.
fn decode_fixed<const N: usize>(text: &str) -> Option<[u8; N]> {
    B64.decode(text.trim()).ok()?.try_into().ok()
}

/// Checks a downloaded file: the content hash, each signature's hash, and the seal, with the
/// key in the file, which must be `trusted_key` when given.
pub fn verify_sealed(json: &str, trusted_key: Option<&str>) -> Result<Verified, SealError> {
    let json = json.strip_prefix('\u{feff}').unwrap_or(json);
    if let Some(trusted) = trusted_key
        && decode_fixed::<32>(trusted).is_none()
    {
        return Err(SealError::BadTrustedKey);
    }
    let sealed: SealedDocument = serde_json::from_str(json).map_err(|e| {
        let text = e.to_string();
        let text = text.rsplit_once(" at line ").map_or(text.as_str(), |(m, _)| m);
        SealError::Format(format!("{}, rad {}", crate::promise::serde_message_sv(text), e.line()))
    })?;
    if sealed.format != SEALED_FORMAT {
        return Err(SealError::Format(format!("okänt format {:?}", sealed.format)));
    }
    let actual = sha256_hex(canonical_json(&sealed.document).as_bytes());
    if actual != sealed.sha256 {
        return Err(SealError::HashMismatch { stated: sealed.sha256, actual });
    }
    for (i, s) in sealed.signatures.iter().enumerate() {
        if let Some(h) = &s.document_sha256
            && *h != sealed.sha256
        {
            return Err(SealError::SignatureHash { index: i + 1, stated: h.clone() });
        }
    }
    if sealed.seal.algorithm != "Ed25519" {
        return Err(SealError::Format(format!("okänd algoritm {:?}", sealed.seal.algorithm)));
    }
    if let Some(trusted) = trusted_key
        && trusted.trim() != sealed.seal.public_key
    {
        return Err(SealError::UnknownKey(sealed.seal.public_key));
    }
    let key = decode_fixed(&sealed.seal.public_key)
        .and_then(|k| VerifyingKey::from_bytes(&k).ok())
        .ok_or_else(|| SealError::Format("ogiltig publik nyckel".into()))?;
    let signature = decode_fixed(&sealed.seal.signature).ok_or_else(|| SealError::Format("ogiltig signatur".into()))?;
    let signature = ed25519_dalek::Signature::from_bytes(&signature);
    key.verify(&seal_message(&sealed), &signature).map_err(|_| SealError::BadSeal)?;
    let title = sealed.document.get("title").and_then(Value::as_str).unwrap_or_default().to_owned();
    Ok(Verified {
        title,
        sha256: sealed.sha256,
        signatures: sealed.signatures,
        status: sealed.status,
        valid_from: sealed.valid_from,
        valid_to: sealed.valid_to,
        withdrawn_reason: sealed.withdrawn_reason,
        sealed_at: sealed.sealed_at,
        public_key: sealed.seal.public_key,
    })
}

/// The hash that the chain's first entry links to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit log entry, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub id: String,
    pub at: String,
    pub account_id: Option<String>,
    pub account_name: String,
    pub document_id: Option<String>,
    pub action: String,
    pub detail: String,
    /// [`document_state_sha256`] of the document after the change (none for older entries).
    pub document_state: Option<String>,
    pub prev_hash: String,
}

impl AuditEntry {
    /// SHA-256 (hex) of the canonical JSON of every field, the previous entry's hash included.
    pub fn hash(&self) -> String {
        sha256_hex(canonical_json(&serde_json::to_value(self).unwrap_or(Value::Null)).as_bytes())
    }
}

/// The first entry where the chain breaks.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("post {seq} ({id}) {reason}")]
pub struct ChainBreak {
    pub seq: i64,
    pub id: String,
    pub reason: String,
}

/// Checks a whole chain, given in order with each entry's stored hash. Returns the number of
/// entries checked.
pub fn verify_chain<'a>(entries: impl IntoIterator<Item = (&'a AuditEntry, &'a str)>) -> Result<usize, ChainBreak> {
    let mut prev = GENESIS.to_owned();
    let mut n = 0;
    for (expected_seq, (entry, stored)) in (1i64..).zip(entries) {
        let broken = |reason: String| ChainBreak { seq: entry.seq, id: entry.id.clone(), reason };
        if entry.seq != expected_seq {
            return Err(broken(format!("har nummer {} men borde ha {expected_seq}: en post saknas", entry.seq)));
        }
        if entry.prev_hash != prev {
            return Err(broken("pekar inte på föregående post: en post före den har ändrats eller tagits bort".into()));
        }
        if entry.hash() != stored {
            return Err(broken("har ändrats: dess innehåll stämmer inte med dess hash".into()));
        }
        prev = stored.to_owned();
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests;
