//! Throughput of the text importer: `cargo bench -p lofte-import`. Reads every text of the test
//! corpus (plain text and web pages) many times and prints texts per second, per file and in
//! all, and the time for one large page. A measurement, not a test: nothing here fails on a
//! slow machine.

use std::time::{Duration, Instant};

use lofte_domain::{IsoDate, MunicipalityRef};
use lofte_import::{Context, Format, import};

fn context() -> Context {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/reference/");
    let csv = std::fs::read_to_string(format!("{root}swedish_admin_areas.csv")).unwrap_or_default();
    let municipalities = csv
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut cols = l.split(',');
            Some(MunicipalityRef { code: cols.next()?.to_owned(), name: cols.next()?.to_owned() })
        })
        .collect();
    Context {
        municipalities,
        police_areas: vec![],
        municipality: None,
        police_area: None,
        today: IsoDate::parse("2026-11-25").unwrap_or(IsoDate(time::Date::MIN)),
    }
}

fn measure(bytes: &[u8], format: Format, ctx: &Context, at_least: Duration) -> (u32, Duration) {
    let start = Instant::now();
    let mut n = 0u32;
    while start.elapsed() < at_least {
        let _ = std::hint::black_box(import(std::hint::black_box(bytes), format, ctx));
        n += 1;
    }
    (n, start.elapsed())
}

fn main() {
    let ctx = context();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter_map(|e| Some((e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).ok()?)))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    println!("{:<36} {:>8} {:>12}", "text", "bytes", "texts/s");
    let (mut total_n, mut total_t) = (0u32, Duration::ZERO);
    for (name, bytes) in &files {
        let format = Format::guess(Some(name), bytes);
        let (n, t) = measure(bytes, format, &ctx, Duration::from_millis(300));
        total_n += n;
        total_t += t;
        println!("{name:<36} {:>8} {:>12.0}", bytes.len(), f64::from(n) / t.as_secs_f64());
    }
    println!("{:<36} {:>8} {:>12.0}", "all corpus texts", "", f64::from(total_n) / total_t.as_secs_f64());
    // A long page: 60 themes of 20 activities (≈ 200 KB).
    let mut big = String::from(
        "<html><body><main><h1>Medborgarlöfte 2024</h1><p>Säffle kommun och lokalpolisområde Arvika.</p><h2>Aktiviteter</h2>",
    );
    for t in 0..60 {
        big.push_str(&format!("<h3>Tema {t}</h3><p><strong>Polisen lovar att:</strong></p><ul>"));
        for a in 0..20 {
            big.push_str(&format!("<li>Genomföra fotpatrullering i område {t}-{a} på kvällar och helger</li>"));
        }
        big.push_str("</ul>");
    }
    big.push_str("</main></body></html>");
    let (n, t) = measure(big.as_bytes(), Format::Html, &ctx, Duration::from_millis(500));
    println!("{:<36} {:>8} {:>12.0}", "large page (60 themes × 20)", big.len(), f64::from(n) / t.as_secs_f64());
}
