use lofte_db::promises;
use lofte_domain::{Activity, MunicipalityRef, Party, Status};
use lofte_testkit::{TestApp, visible_text, words};
use uuid::Uuid;

use crate::{SAFFLE_ID, SEED, assert_snapshots_agree, demo_with};

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn saffle_page_has_every_word_of_the_seed_in_order() {
    let app = TestApp::spawn().await;
    let html = app.get_text("/kommun/saffle", 200).await;
    let text = squash(&visible_text(&html));

    let page_words: std::collections::HashSet<String> = words(&text).into_iter().collect();
    let missing: Vec<String> = words(SEED).into_iter().filter(|w| !page_words.contains(w)).collect();
    assert!(missing.is_empty(), "words of the seed missing from the page: {missing:?}");

    // Every line of the seed appears verbatim, in the seed's order. Two activity-group headings
    // differ on purpose: the page puts the label in the singular for one activity and the plural
    // for several, where the seed wrote "Kommunens aktiviteter:" over one activity and
    // "Polisiär aktivitet:" over two.
    let mut from = 0;
    let mut police_headings = 0;
    for line in SEED.lines().map(|l| squash(l.trim().trim_start_matches('•'))).filter(|l| !l.is_empty()) {
        if line == "Polisiär aktivitet:" {
            police_headings += 1;
        }
        let expected = match line.as_str() {
            "Kommunens aktiviteter:" => "Kommunens aktivitet:".to_owned(),
            "Polisiär aktivitet:" if police_headings == 2 => "Polisiära aktiviteter:".to_owned(),
            _ => line.clone(),
        };
        let Some(at) = text[from..].find(&expected) else {
            panic!("seed line not found after byte {from}: {expected:?}\n\npage text:\n{text}");
        };
        from += at + expected.len();
    }
    app.stop().await;
}

#[tokio::test]
async fn saffle_page_html_snapshot() {
    let app = TestApp::spawn().await;
    let html = app.get_text("/kommun/saffle", 200).await;
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<html lang=\"sv\">"));
    let main = html.split_once("<main").and_then(|(_, m)| m.split_once("</main>")).map(|(m, _)| m).expect("main");
    insta::assert_snapshot!("saffle_main", format!("<main{main}</main>"));
    app.stop().await;
}

#[tokio::test]
async fn the_code_the_slug_and_the_name_reach_the_same_page() {
    let app = TestApp::spawn().await;
    let by_slug = app.get_text("/kommun/saffle", 200).await;
    assert_eq!(app.get_text("/kommun/1785", 200).await, by_slug);
    assert_eq!(app.get_text("/kommun/S%C3%A4ffle", 200).await, by_slug);
    let malung = app.get_text("/kommun/malung-salen", 200).await;
    assert!(malung.contains("Malung-Sälen – medborgarlöften"));
    // Håbo and Habo fold to the same letters; each has its own page.
    assert!(app.get_text("/kommun/habo", 200).await.contains("<h1 class=\"municipality\">Habo – medborgarlöften</h1>"));
    assert!(
        app.get_text("/kommun/habo-uppsala", 200)
            .await
            .contains("<h1 class=\"municipality\">Håbo – medborgarlöften</h1>")
    );
    assert!(app.get_text("/kommun/0305", 200).await.contains("<h1 class=\"municipality\">Håbo – medborgarlöften</h1>"));
    app.stop().await;
}

#[tokio::test]
async fn unknown_municipalities_get_a_swedish_404() {
    let app = TestApp::spawn().await;
    for path in [
        "/kommun/atlantis",
        "/kommun/9999",
        "/kommun/%3Cscript%3E",
        "/finns-inte",
        "/lofte/nej",
        "/lofte/01935f3a-8c00-7000-8000-000000000000",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 404, "{path}");
        assert!(res.headers()["content-type"].to_str().expect("ascii").starts_with("text/html"));
        let body = res.text().await.expect("body");
        assert!(body.contains("Sidan finns inte"), "{path}: {body}");
        assert!(!body.contains("<script>"), "{path}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_municipality_without_a_promise_says_so() {
    let app = TestApp::spawn().await;
    let html = app.get_text("/kommun/arjang", 200).await;
    assert!(html.contains("<h1 class=\"municipality\">Årjäng – medborgarlöften</h1>"));
    assert!(html.contains("Det finns inget gällande medborgarlöfte för Årjäng publicerat här."));
    assert!(html.contains("Värmlands län") && html.contains("Bergslagen"));
    app.stop().await;
}

#[tokio::test]
async fn the_front_page_lists_promises_in_force_by_county_and_searches_all() {
    let app = TestApp::spawn().await;
    let html = app.get_text("/", 200).await;
    assert!(html.contains("<h3>Värmlands län</h3>"), "{html}");
    assert!(html.contains("<a href=\"/kommun/saffle\">Säffle</a>"));
    assert!(!html.contains("Årjäng"), "only municipalities with a promise in force are listed");

    let found = app.get_text("/?q=s%C3%A4ff", 200).await;
    assert!(found.contains("<a href=\"/kommun/saffle\">Säffle</a>") && found.contains("har gällande medborgarlöfte"));
    let folded = app.get_text("/?q=HABO", 200).await;
    assert!(folded.contains(">Habo<") && folded.contains(">Håbo<"), "accent-insensitive search");
    let code = app.get_text("/?q=1785", 200).await;
    assert!(code.contains(">Säffle<"));
    let none = app.get_text("/?q=zzzz", 200).await;
    assert!(none.contains("Ingen kommun matchar"));
    let hostile = app.get_text("/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", 200).await;
    assert!(!hostile.contains("<script>alert(1)</script>") && hostile.contains("&#60;script&#62;"));
    let junk = app.get("/?q=%FF%FE").await;
    assert!(junk.status().as_u16() < 500);
    app.stop().await;
}

#[tokio::test]
async fn html_in_any_text_is_shown_as_text() {
    let app = TestApp::spawn().await;
    let evil = "<script>alert('x')</script><b>fet</b> & \"citat\"";
    let doc = demo_with(|d| {
        d.title = format!("Medborgarlöfte 2025 {evil}");
        d.year = 2025;
        d.id = None;
        d.intro[0] = evil.into();
        d.promises[0].focus_areas[0] = evil.into();
        d.themes[0].name = evil.into();
        d.themes[0].activities.push(Activity { text: evil.into(), party: Party::Other, party_name: Some(evil.into()) });
        d.follow_up = evil.into();
    });
    promises::import(&app.db, vec![doc], false).await.expect("import");
    let html = app.get_text("/kommun/saffle", 200).await;
    assert!(!html.contains("<script>") && !html.contains("<b>fet</b>"), "{html}");
    assert!(html.contains("&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62;"), "{html}");
    let text = visible_text(&html);
    assert!(text.contains("Aktivitet – <script>alert('x')</script><b>fet</b> & \"citat\""));
    assert_snapshots_agree(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn drafts_are_never_public() {
    let app = TestApp::spawn().await;
    let id = Uuid::now_v7();
    let draft = demo_with(|d| {
        d.id = Some(id);
        d.status = Status::Draft;
        d.title = "Hemligt utkast".into();
    });
    promises::import(&app.db, vec![draft], false).await.expect("import");
    app.get_text(&format!("/lofte/{id}"), 404).await;
    app.get_json(&format!("/api/v1/promises/{id}"), 404).await;
    assert!(!app.get_text("/kommun/saffle", 200).await.contains("Hemligt utkast"));
    let list = app.get_json("/api/v1/municipalities/1785/promises", 200).await;
    assert!(!list.to_string().contains("Hemligt utkast"));
    app.stop().await;
}

#[tokio::test]
async fn a_new_promise_in_force_supersedes_the_old_one() {
    let app = TestApp::spawn().await;
    let new_id = Uuid::now_v7();
    let next = demo_with(|d| {
        d.id = Some(new_id);
        d.title = "Medborgarlöfte 2025".into();
        d.year = 2025;
        d.themes.truncate(1);
    });
    promises::import(&app.db, vec![next], false).await.expect("import");
    let html = app.get_text("/kommun/saffle", 200).await;
    assert!(html.contains("<h2 id=\"lofte-rubrik\">Medborgarlöfte 2025</h2>"));
    assert!(html.contains(&format!("<a href=\"/lofte/{SAFFLE_ID}\">Medborgarlöfte 2024</a>")), "{html}");
    let old = app.get_text(&format!("/lofte/{SAFFLE_ID}"), 200).await;
    assert!(old.contains("Ersatt") && old.contains("inte det som gäller nu"));
    let list = app.get_json("/api/v1/municipalities/1785/promises", 200).await;
    let statuses: Vec<(&str, &str)> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|p| (p["title"].as_str().unwrap_or(""), p["status"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(statuses, [("Medborgarlöfte 2025", "in_force"), ("Medborgarlöfte 2024", "superseded")]);
    assert_snapshots_agree(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn a_joint_promise_of_several_municipalities_shows_on_each_page() {
    let app = TestApp::spawn().await;
    let joint = demo_with(|d| {
        d.id = None;
        d.municipalities = vec![
            MunicipalityRef { code: "1784".into(), name: "Arvika".into() },
            MunicipalityRef { code: "1730".into(), name: String::new() },
        ];
        d.title = "Gemensamt medborgarlöfte 2025".into();
        d.themes[1].activities.push(Activity {
            text: "Belysning på gångvägar".into(),
            party: Party::Other,
            party_name: Some("Arvikahem".into()),
        });
    });
    promises::import(&app.db, vec![joint], false).await.expect("import");
    for slug in ["arvika", "eda"] {
        let html = app.get_text(&format!("/kommun/{slug}"), 200).await;
        assert!(html.contains("Gemensamt medborgarlöfte 2025"), "{slug}");
        assert!(html.contains("Gemensamt för Arvika och Eda"), "{slug}");
        assert!(html.contains("<h4>Aktivitet – Arvikahem:</h4>"), "{slug}");
    }
    // Säffle keeps its own promise.
    assert!(app.get_text("/kommun/saffle", 200).await.contains("Medborgarlöfte 2024"));
    assert_snapshots_agree(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn the_stylesheet_and_health_check_answer() {
    let app = TestApp::spawn().await;
    let css = app.get("/static/site.css").await;
    assert_eq!(css.status(), 200);
    assert!(css.headers()["content-type"].to_str().expect("ascii").starts_with("text/css"));
    assert!(css.text().await.expect("css").contains("@media print"));
    assert_eq!(app.get_text("/healthz", 200).await, "ok\n");
    app.stop().await;
}
