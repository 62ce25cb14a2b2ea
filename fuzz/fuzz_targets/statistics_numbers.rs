//! Swedish number cells on any text: a cell or an error, never a panic; a number written back
//! the Swedish way reads the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lofte_domain::statistics::numbers::{Cell, format, parse};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(Cell::Number(v)) = parse(text) {
        assert!(v.is_finite());
        assert_eq!(parse(&format(v, '\u{a0}')), Ok(Cell::Number(v)));
    }
});
