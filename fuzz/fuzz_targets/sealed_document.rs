//! `lofte verify` and `POST /verifiera`: check any text as a sealed download. Must never panic,
//! and nothing but an unchanged sealed file may verify against the fixed key below.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = lofte_domain::seal::verify_sealed(text, None);
    // A key nobody has sealed with: no input may verify against it.
    let key = lofte_domain::seal::SealKey::from_bytes([42; 32]).public_key_base64();
    assert!(lofte_domain::seal::verify_sealed(text, Some(&key)).is_err(), "forged a seal");
});
