//! Bytes → text: UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark, and
//! otherwise Windows-1252 (what older Swedish web pages and Word exports are in), with a
//! warning. Binary data is refused.

use crate::{ImportError, MAX_INPUT_BYTES, Warning};

pub fn decode(bytes: &[u8]) -> Result<(String, Vec<Warning>), ImportError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(ImportError::TooLarge(bytes.len()));
    }
    let mut warnings = Vec::new();
    let text = if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors {
            warnings.push(warning(format!("tecken som inte gick att läsa som {} ersattes med �", encoding.name())));
        }
        text.into_owned()
    } else {
        match std::str::from_utf8(bytes) {
            Ok(s) => s.to_owned(),
            Err(_) => {
                let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
                warnings.push(warning(
                    "filen är inte UTF-8; den lästes som Windows-1252 (Latin-1). Kontrollera å, ä och ö.".into(),
                ));
                text.into_owned()
            }
        }
    };
    if looks_binary(&text) {
        return Err(ImportError::Binary);
    }
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    Ok((text, warnings))
}

fn warning(message: String) -> Warning {
    Warning { line: 0, message, excerpt: String::new() }
}

/// NUL bytes, or more than one in twenty characters a control character other than line
/// breaks and tabs.
fn looks_binary(text: &str) -> bool {
    let mut total = 0usize;
    let mut control = 0usize;
    for c in text.chars() {
        if c == '\0' {
            return true;
        }
        total += 1;
        if c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{0C}') {
            control += 1;
        }
    }
    control * 20 > total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode("Säffle".as_bytes()).unwrap().0, "Säffle");
        assert_eq!(decode("\u{FEFF}Säffle".as_bytes()).unwrap().0, "Säffle");
    }

    #[test]
    fn latin1_is_read_with_a_warning() {
        let (text, warnings) = decode(b"S\xe4ffle kommun").unwrap();
        assert_eq!(text, "Säffle kommun");
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].message.contains("Windows-1252"));
    }

    #[test]
    fn utf16_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "Åre".encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        assert_eq!(decode(&bytes).unwrap().0, "Åre");
    }

    #[test]
    fn empty_binary_and_huge_input_are_errors() {
        assert_eq!(decode(b"").unwrap_err(), ImportError::Empty);
        assert_eq!(decode(b"  \n\t ").unwrap_err(), ImportError::Empty);
        assert_eq!(decode(b"PK\x03\x04\x00\x00").unwrap_err(), ImportError::Binary);
        assert!(matches!(decode(&vec![b'a'; MAX_INPUT_BYTES + 1]), Err(ImportError::TooLarge(_))));
    }
}
