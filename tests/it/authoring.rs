//! Writing a draft together: copy, edit without JavaScript, validation, versions and diffs,
//! stale saves, preview, and hostile text.

use lofte_testkit::TestApp;
use reqwest::StatusCode;

use crate::SAFFLE_ID;

const SAFFLE_EDITOR: &str = "redaktor.saffle@lofte.example";
const ARVIKA_EDITOR: &str = "redaktor.arvika@lofte.example";

/// The form fields of an edit page, as a browser would post them (inputs, textareas, selected
/// options), without any button.
fn form_fields(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let form = html.split_once("<form method=\"post\" action=\"/arbetsyta/lofte/").map_or("", |(_, f)| f);
    let attr = |tag: &str, name: &str| -> Option<String> {
        let key = format!(" {name}=\"");
        let start = tag.find(&key)? + key.len();
        Some(lofte_testkit::decode_entities(&tag[start..start + tag[start..].find('"')?]))
    };
    let mut rest = form;
    while let Some(open) = rest.find('<') {
        rest = &rest[open..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        if tag.starts_with("<input") {
            if let Some(name) = attr(tag, "name") {
                out.push((name, attr(tag, "value").unwrap_or_default()));
            }
        } else if tag.starts_with("<textarea") {
            let name = attr(tag, "name").unwrap_or_default();
            let body = &rest[end + 1..];
            let text = body.split_once("</textarea>").map_or("", |(t, _)| t);
            out.push((name, lofte_testkit::decode_entities(text)));
        } else if tag.starts_with("<select") {
            let name = attr(tag, "name").unwrap_or_default();
            let body = rest[end + 1..].split_once("</select>").map_or("", |(b, _)| b);
            let selected = body
                .split("<option")
                .find(|o| o.contains(" selected"))
                .and_then(|o| attr(o, "value"))
                .unwrap_or_default();
            out.push((name, selected));
        }
        rest = &rest[1..];
    }
    out
}

fn set(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    match fields.iter_mut().find(|(n, _)| n == name) {
        Some(f) => f.1 = value.to_owned(),
        None => fields.push((name.to_owned(), value.to_owned())),
    }
}

fn get(fields: &[(String, String)], name: &str) -> String {
    fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or_default()
}

async fn text(res: reqwest::Response) -> (StatusCode, String) {
    let s = res.status();
    (s, res.text().await.expect("text"))
}

/// Copies Säffle's promise in force into a new draft; returns the draft's edit path.
async fn new_copy(app: &TestApp, client: &reqwest::Client) -> String {
    let res = client
        .post(app.url("/arbetsyta/nytt"))
        .form(&[("municipality", "1785"), ("kind", "copy")])
        .send()
        .await
        .expect("new");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    res.headers()["location"].to_str().expect("ascii").to_owned()
}

#[tokio::test]
async fn copy_edit_save_and_see_what_changed() {
    let app = TestApp::spawn().await;
    let editor = app.login(SAFFLE_EDITOR).await;
    let edit = new_copy(&app, &editor).await;
    assert!(edit.ends_with("/redigera"), "{edit}");
    let doc = edit.trim_end_matches("/redigera").to_owned();
    let (s, html) = text(editor.get(app.url(&edit)).send().await.expect("form")).await;
    assert_eq!(s, StatusCode::OK);
    let mut fields = form_fields(&html);
    // The year after the copied promise's, but never a year already past.
    let year = time::OffsetDateTime::now_utc().year().max(2025);
    assert_eq!(get(&fields, "title"), format!("Medborgarlöfte {year}"));
    assert_eq!(get(&fields, "t0_a3_party"), "police");

    // Change an activity's owner, add a theme (a button: nothing saved, text kept), move it up.
    set(&mut fields, "t0_a3_party", "other");
    set(&mut fields, "t0_a3_party_name", "Säffle Bostäder");
    set(&mut fields, "intro", "En ny inledning.");
    let mut with_button = fields.clone();
    with_button.push(("action".into(), "add_theme".into()));
    let (s, html) = text(editor.post(app.url(&edit)).form(&with_button).send().await.expect("add")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("inte sparad än"));
    let mut fields = form_fields(&html);
    assert_eq!(get(&fields, "t0_a3_party_name"), "Säffle Bostäder", "typed text survives a button");
    set(&mut fields, "t3_name", "Trygghet i centrum");
    let mut up = fields.clone();
    up.push(("action".into(), "up_theme:3".into()));
    let (_, html) = text(editor.post(app.url(&edit)).form(&up).send().await.expect("up")).await;
    let mut fields = form_fields(&html);
    assert_eq!(get(&fields, "t2_name"), "Trygghet i centrum");
    assert_eq!(get(&fields, "t3_name"), "Trygghet-högtspelande fordon".replace("Trygghet", "Trafikmiljö"));
    // A theme needs an activity to be useful, but an empty one may be saved.
    set(&mut fields, "action", "save");
    let res = editor.post(app.url(&edit)).form(&fields).send().await.expect("save");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap_or_default());

    let (_, overview) = text(editor.get(app.url(&doc)).send().await.expect("overview")).await;
    assert!(overview.contains("Jämför med version 1"), "{overview}");
    assert!(overview.contains("Sara Redaktör"));
    let (_, diff) = text(editor.get(app.url(&format!("{doc}/jamfor?fran=1&till=2"))).send().await.expect("diff")).await;
    assert!(diff.contains("tillagd <ins>Trygghet i centrum</ins>"), "{diff}");
    assert!(diff.contains("<ins>Narkotikainsatser, inriktning ungdomar (Säffle Bostäder)</ins>"), "{diff}");
    assert!(diff.contains("<ins>inledning.</ins>") && diff.contains("<strong>Inledning:</strong>"), "{diff}");

    // The preview shows the draft as the public page would; the public cannot see it.
    let (s, preview) =
        text(editor.get(app.url(&format!("{doc}/forhandsgranska"))).send().await.expect("preview")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        preview.contains("<h3 id=\"tema-3\">Trygghet i centrum</h3>")
            && preview.contains("Aktivitet – Säffle Bostäder:"),
        "{preview}"
    );
    let id = doc.trim_start_matches("/arbetsyta/lofte/");
    assert_eq!(app.get(&format!("/lofte/{id}")).await.status(), StatusCode::NOT_FOUND);
    // The police side sees and may edit the same draft; Årjäng's reader may not see it.
    let police = app.login(ARVIKA_EDITOR).await;
    assert_eq!(police.get(app.url(&edit)).send().await.expect("police").status(), StatusCode::OK);
    let arjang = app.login("lasare.arjang@lofte.example").await;
    assert_eq!(arjang.get(app.url(&doc)).send().await.expect("arjang").status(), StatusCode::FORBIDDEN);
    // The document in force is not editable.
    let (s, _) =
        text(editor.get(app.url(&format!("/arbetsyta/lofte/{SAFFLE_ID}/redigera"))).send().await.expect("in force"))
            .await;
    assert_eq!(s, StatusCode::CONFLICT);
    crate::assert_snapshots_agree(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn invalid_input_is_shown_next_to_the_field_and_kept() {
    let app = TestApp::spawn().await;
    let editor = app.login(SAFFLE_EDITOR).await;
    let edit = new_copy(&app, &editor).await;
    let (_, html) = text(editor.get(app.url(&edit)).send().await.expect("form")).await;
    let mut fields = form_fields(&html);
    set(&mut fields, "title", "   ");
    set(&mut fields, "year", "tjugotjugofem");
    set(&mut fields, "period_start", "2025-06-01");
    set(&mut fields, "period_end", "2025-01-01");
    set(&mut fields, "t1_a0_party", "other");
    set(&mut fields, "t0_a0_text", "Min text som inte får försvinna");
    set(&mut fields, "action", "save");
    let (s, html) = text(editor.post(app.url(&edit)).form(&fields).send().await.expect("save")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("ange året med siffror"), "{html}");
    assert!(html.contains("value=\"tjugotjugofem\""), "typed text kept");
    assert!(html.contains("Min text som inte får försvinna"));
    assert!(
        html.contains(
            "id=\"year\" name=\"year\" value=\"tjugotjugofem\" aria-invalid=\"true\" aria-describedby=\"year-fel\""
        ),
        "{html}"
    );

    set(&mut fields, "year", "2025");
    let (s, html) = text(editor.post(app.url(&edit)).form(&fields).send().await.expect("save")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    for (field, message) in [
        ("title", "får inte vara tom"),
        ("period_end", "slutdatum måste vara efter startdatum"),
        ("t1_a0_party_name", "ange namnet på den aktör som ansvarar"),
    ] {
        assert!(html.contains(&format!("id=\"{field}-fel\"")), "{field}: {html}");
        assert!(html.contains(message), "{message}");
    }
    app.stop().await;
}

/// Two people edit the same draft; the second save is refused, shows what changed and keeps the
/// second person's text. Never last-write-wins.
#[tokio::test]
async fn a_stale_save_is_refused_and_loses_nothing() {
    let app = TestApp::spawn().await;
    let anna = app.login(SAFFLE_EDITOR).await;
    let per = app.login(ARVIKA_EDITOR).await;
    let edit = new_copy(&app, &anna).await;
    let (_, html_a) = text(anna.get(app.url(&edit)).send().await.expect("a")).await;
    let (_, html_p) = text(per.get(app.url(&edit)).send().await.expect("p")).await;
    let mut a = form_fields(&html_a);
    let mut p = form_fields(&html_p);
    set(&mut a, "title", "Annas titel");
    set(&mut a, "action", "save");
    assert_eq!(anna.post(app.url(&edit)).form(&a).send().await.expect("a save").status(), StatusCode::SEE_OTHER);

    set(&mut p, "follow_up", "Pers uppföljningstext");
    set(&mut p, "action", "save");
    let (s, html) = text(per.post(app.url(&edit)).form(&p).send().await.expect("p save")).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(html.contains("Någon annan har sparat dokumentet"), "{html}");
    assert!(
        html.contains("<strong>Titel:</strong>") && html.contains("<ins>Annas</ins>"),
        "the change made meanwhile is shown: {html}"
    );
    assert!(html.contains("Pers uppföljningstext"), "Per's own text is kept");
    let doc = edit.trim_end_matches("/redigera");
    let id = uuid::Uuid::parse_str(doc.trim_start_matches("/arbetsyta/lofte/")).expect("id");
    let stored = lofte_db::promises::get(&app.db, id).await.expect("get").expect("doc");
    assert_eq!(stored.document.title, "Annas titel");
    assert!(!stored.document.follow_up.contains("Pers"), "nothing of the stale save was written");

    // What only Anna changed (the title) has been taken into Per's form; Per's text stays.
    let mut again = form_fields(&html);
    assert_eq!(get(&again, "title"), "Annas titel");
    assert_eq!(get(&again, "follow_up"), "Pers uppföljningstext");
    set(&mut again, "action", "save");
    assert_eq!(per.post(app.url(&edit)).form(&again).send().await.expect("again").status(), StatusCode::SEE_OTHER);
    let stored = lofte_db::promises::get(&app.db, id).await.expect("get").expect("doc");
    assert_eq!(
        (stored.document.title.as_str(), stored.document.follow_up.as_str()),
        ("Annas titel", "Pers uppföljningstext")
    );
    assert_eq!(stored.version, 3);
    app.stop().await;
}

#[tokio::test]
async fn hostile_text_is_escaped_everywhere() {
    let app = TestApp::spawn().await;
    let editor = app.login(SAFFLE_EDITOR).await;
    let edit = new_copy(&app, &editor).await;
    let doc = edit.trim_end_matches("/redigera").to_owned();
    let (_, html) = text(editor.get(app.url(&edit)).send().await.expect("form")).await;
    let mut fields = form_fields(&html);
    let evil = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    set(&mut fields, "title", &format!("Titel {evil}"));
    set(&mut fields, "t0_a0_text", evil);
    set(&mut fields, "t0_name", evil);
    set(&mut fields, "action", "save");
    assert_eq!(editor.post(app.url(&edit)).form(&fields).send().await.expect("save").status(), StatusCode::SEE_OTHER);
    for path in [
        edit.clone(),
        doc.clone(),
        format!("{doc}/forhandsgranska"),
        format!("{doc}/jamfor?fran=1&till=2"),
        "/arbetsyta".into(),
    ] {
        let (s, html) = text(editor.get(app.url(&path)).send().await.expect("get")).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        assert!(!html.contains("<script>alert") && !html.contains("<img src=x"), "{path}: {html}");
    }
    let id = doc.trim_start_matches("/arbetsyta/lofte/");
    let out = app.cli(crate::LOFTE, &["export", "promise", id], "");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["themes"][0]["name"], evil, "the export keeps the text as text");
    app.stop().await;
}

#[tokio::test]
async fn unknown_buttons_and_unchanged_saves_write_nothing() {
    let app = TestApp::spawn().await;
    let editor = app.login(SAFFLE_EDITOR).await;
    let edit = new_copy(&app, &editor).await;
    let (_, html) = text(editor.get(app.url(&edit)).send().await.expect("form")).await;
    let mut fields = form_fields(&html);
    set(&mut fields, "title", "Ändrad men inte sparad");
    set(&mut fields, "action", "remove_promise:abc");
    let (s, html) = text(editor.post(app.url(&edit)).form(&fields).send().await.expect("post")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Inget ändrades") && html.contains("Ändrad men inte sparad"));
    let id =
        uuid::Uuid::parse_str(edit.trim_end_matches("/redigera").trim_start_matches("/arbetsyta/lofte/")).expect("id");
    assert_eq!(lofte_db::promises::get(&app.db, id).await.expect("get").expect("doc").version, 1);

    let (_, html) = text(editor.get(app.url(&edit)).send().await.expect("form")).await;
    let mut same = form_fields(&html);
    set(&mut same, "action", "save");
    assert_eq!(editor.post(app.url(&edit)).form(&same).send().await.expect("save").status(), StatusCode::SEE_OTHER);
    assert_eq!(lofte_db::promises::get(&app.db, id).await.expect("get").expect("doc").version, 1, "no new version");

    // A party that is not in the list is shown at its select, and kept.
    set(&mut same, "p0_party", "polisen");
    let (s, html) = text(editor.post(app.url(&edit)).form(&same).send().await.expect("save")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"p0_party-fel\"") && html.contains("Okänt värde: polisen"), "{html}");
    // A form without its version loses nothing.
    let no_version: Vec<(String, String)> = same.iter().filter(|(k, _)| k != "version").cloned().collect();
    let (s, html) = text(editor.post(app.url(&edit)).form(&no_version).send().await.expect("save")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("saknade versionsuppgift"));
    app.stop().await;
}
