//! Citizen and employee dialogues: recording through the form, validation that keeps what was
//! typed, stale edits, the overview per municipality and year, who may see and write what, and
//! the problem vocabulary.

use lofte_db::dialogues;
use lofte_db::promises::Actor;
use lofte_domain::IsoDate;
use lofte_domain::dialogue::{Dialogue, DialogueKind, FlaggedPlace, Point};
use lofte_testkit::TestApp;
use reqwest::StatusCode;
use uuid::Uuid;

const SAFFLE_EDITOR: &str = "redaktor.saffle@lofte.example";
const SAFFLE_SIGNATORY: &str = "firmatecknare.saffle@lofte.example";
const ARVIKA_EDITOR: &str = "redaktor.arvika@lofte.example";
const ARJANG_READER: &str = "lasare.arjang@lofte.example";
pub const TESTER: Actor<'static> = Actor { id: None, name: "Testare" };

pub fn record(code: &str, kind: DialogueKind, day: &str, problems: &[&str]) -> Dialogue {
    Dialogue {
        municipality_code: code.into(),
        kind,
        held_on: IsoDate::parse(day).expect("date"),
        place: "Stora torget".into(),
        point: None,
        organisations: vec!["Säffle kommun".into(), "Polisen".into()],
        participants: Some(20),
        notes: "Anteckningar".into(),
        problems: problems.iter().map(|p| (*p).to_owned()).collect(),
        places: vec![],
    }
}

/// A meeting in Säffle (for the authorisation matrix).
pub async fn saffle_dialogue(app: &TestApp) -> Uuid {
    let d = record("1785", DialogueKind::Meeting, "2024-10-01", &["klotter"]);
    dialogues::create(&app.db, &d, TESTER).await.expect("create dialogue")
}

fn walk_fields() -> Vec<(&'static str, &'static str)> {
    vec![
        ("municipality", "1785"),
        ("kind", "safety_walk"),
        ("held_on", "2024-11-14"),
        ("place", "Kvarteret Norrmalm <kväll>"),
        ("latitude", "59,1325"),
        ("longitude", "12.9285"),
        ("organisations", "Säffle kommun\r\nPolisen\r\nSäffleBostäder"),
        ("participants", "14"),
        ("notes", "Mörkt vid gångtunneln.\r\nKlotter på busskuren."),
        ("problem", "morka-platser"),
        ("problem", "klotter"),
        ("place0_description", "Gångtunneln under järnvägen"),
        ("place0_latitude", "59.1301"),
        ("place0_longitude", "12.9301"),
        ("place0_problem", "morka-platser"),
        ("place1_description", ""),
        ("place1_latitude", ""),
        ("place1_longitude", ""),
        ("place1_problem", ""),
        ("action", "save"),
    ]
}

fn with(
    fields: &[(&'static str, &'static str)],
    name: &'static str,
    value: &'static str,
) -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<_> = fields.iter().filter(|(n, _)| *n != name).copied().collect();
    out.push((name, value));
    out
}

fn created_id(res: &reqwest::Response) -> Uuid {
    let to = res.headers()["location"].to_str().expect("ascii");
    Uuid::parse_str(to.trim_start_matches("/arbetsyta/dialoger/")).unwrap_or_else(|_| panic!("redirect to {to}"))
}

async fn text(res: reqwest::Response) -> (StatusCode, String) {
    let status = res.status();
    (status, res.text().await.expect("body"))
}

#[tokio::test]
async fn a_safety_walk_is_recorded_shown_and_edited() {
    let app = TestApp::spawn().await;
    let client = app.login(SAFFLE_EDITOR).await;
    let workspace = client.get(app.url("/arbetsyta")).send().await.expect("get").text().await.expect("text");
    assert!(workspace.contains("href=\"/arbetsyta/dialoger\""), "linked from the workspace");
    let (status, form) = text(client.get(app.url("/arbetsyta/dialoger/ny")).send().await.expect("get")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("<legend>Problem som togs upp</legend>") && form.contains("id=\"problem-klotter\""));

    let res = client.post(app.url("/arbetsyta/dialoger/ny")).form(&walk_fields()).send().await.expect("post");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let id = created_id(&res);
    let stored = dialogues::get(&app.db, id).await.expect("get").expect("stored");
    let d = &stored.dialogue;
    assert_eq!((d.kind, d.held_on.to_string().as_str(), stored.version), (DialogueKind::SafetyWalk, "2024-11-14", 1));
    assert_eq!(d.point, Some(Point { lat_e6: 59_132_500, lon_e6: 12_928_500 }));
    assert_eq!(d.organisations, ["Säffle kommun", "Polisen", "SäffleBostäder"]);
    assert_eq!(d.problems, ["klotter", "morka-platser"], "in the vocabulary's order");
    assert_eq!(
        d.places,
        [FlaggedPlace {
            description: "Gångtunneln under järnvägen".into(),
            point: Point::new(59_130_100, 12_930_100),
            problem: Some("morka-platser".into()),
        }]
    );
    assert_eq!(stored.created_by, "Sara Redaktör", "the person who recorded it");

    let (status, page) =
        text(client.get(app.url(&format!("/arbetsyta/dialoger/{id}"))).send().await.expect("view")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Trygghetsvandring 2024-11-14"), "{page}");
    let decoded = lofte_testkit::decode_entities(&page);
    assert!(!page.contains("<kväll>") && decoded.contains("Kvarteret Norrmalm <kväll>"), "escaped");
    assert!(
        decoded.contains("href=\"https://www.openstreetmap.org/?mlat=59.1325&mlon=12.9285#map=17/59.1325/12.9285\"")
    );
    assert!(page.contains("Dåligt upplysta eller mörka platser") && page.contains("Gångtunneln under järnvägen"));

    // Edit: the form holds the record; a change saves version 2.
    let edit = client.get(app.url(&format!("/arbetsyta/dialoger/{id}/redigera"))).send().await.expect("edit");
    let edit = edit.text().await.expect("text");
    assert!(edit.contains("name=\"version\" value=\"1\"") && edit.contains("value=\"59.1325\""));
    assert!(edit.contains("id=\"problem-klotter\" name=\"problem\" value=\"klotter\" checked"));
    let fields = with(&with(&walk_fields(), "version", "1"), "participants", "16");
    let res =
        client.post(app.url(&format!("/arbetsyta/dialoger/{id}/redigera"))).form(&fields).send().await.expect("post");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let stored = dialogues::get(&app.db, id).await.expect("get").expect("stored");
    assert_eq!((stored.version, stored.dialogue.participants), (2, Some(16)));

    // Every write is in the audit log, whose chain holds.
    let log: Vec<(String, String)> =
        sqlx::query_as("SELECT action, detail FROM audit_log WHERE detail LIKE $1 ORDER BY seq")
            .bind(format!("dialog {id}%"))
            .fetch_all(app.db.pool())
            .await
            .expect("log");
    let actions: Vec<&str> = log.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(actions, ["dialog registrerad", "dialog ändrad"]);
    assert!(lofte_db::audit::verify(&app.db).await.expect("verify").is_ok());

    // Delete needs the version shown.
    let res = client.post(app.url(&format!("/arbetsyta/dialoger/{id}/ta-bort"))).form(&[("version", "1")]).send().await;
    assert_eq!(res.expect("post").status(), StatusCode::CONFLICT, "a stale delete is refused");
    let res = client.post(app.url(&format!("/arbetsyta/dialoger/{id}/ta-bort"))).form(&[("version", "2")]).send().await;
    let res = res.expect("post");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/arbetsyta/dialoger?kommun=1785&ar=2024");
    assert!(dialogues::get(&app.db, id).await.expect("get").is_none());
    app.stop().await;
}

#[tokio::test]
async fn a_form_with_errors_comes_back_with_everything_typed() {
    let app = TestApp::spawn().await;
    let client = app.login(SAFFLE_EDITOR).await;
    let fields = with(&with(&with(&walk_fields(), "held_on", "14/11"), "latitude", "95"), "kind", "meeting");
    let (status, page) =
        text(client.post(app.url("/arbetsyta/dialoger/ny")).form(&fields).send().await.expect("post")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Dialogen sparades inte"), "an error summary");
    for (field, message) in [
        ("held_on", "Skriv datumet som ÅÅÅÅ-MM-DD"),
        ("latitude", "Latitud i grader, mellan -90 och 90"),
        ("place0_description", "Platser markeras bara vid trygghetsvandringar"),
    ] {
        assert!(page.contains(&format!("<a href=\"#{field}\">{message}")), "summary links {field}");
        assert!(page.contains(&format!("id=\"{field}-fel\"")), "error beside {field}");
        assert!(page.contains(&format!("id=\"{field}\" name=\"{field}\"")), "{field} is a field");
    }
    assert!(page.contains("aria-invalid=\"true\""));
    for typed in [
        "value=\"14/11\"",
        "value=\"95\"",
        "Mörkt vid gångtunneln.",
        "SäffleBostäder",
        "value=\"Gångtunneln under järnvägen\"",
    ] {
        assert!(page.contains(typed), "kept: {typed}");
    }
    assert!(page.contains("value=\"klotter\" checked") && page.contains("value=\"morka-platser\" checked"));
    assert!(page.contains("<option value=\"meeting\" selected>"));
    let n: (i64,) =
        sqlx::query_as("SELECT CAST(COUNT(*) AS BIGINT) FROM dialogue").fetch_one(app.db.pool()).await.expect("n");
    assert_eq!(n.0, 0, "nothing saved");

    // "Fler rader" adds rows for places without saving.
    let more = with(&walk_fields(), "action", "more_places");
    let (status, page) =
        text(client.post(app.url("/arbetsyta/dialoger/ny")).form(&more).send().await.expect("post")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"place4_description\"") && page.contains("Inget är sparat än"));

    // A problem that is not in the municipality's vocabulary.
    let unknown = with(&walk_fields(), "place0_problem", "hittepa");
    let (status, page) =
        text(client.post(app.url("/arbetsyta/dialoger/ny")).form(&unknown).send().await.expect("post")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"place0_problem-fel\""));
    app.stop().await;
}

#[tokio::test]
async fn a_stale_edit_is_refused_and_keeps_the_text() {
    let app = TestApp::spawn().await;
    let id = saffle_dialogue(&app).await;
    let client = app.login(SAFFLE_EDITOR).await;
    // Someone else saves first.
    let mut theirs = record("1785", DialogueKind::Meeting, "2024-10-01", &["klotter"]);
    theirs.notes = "Polisens anteckningar".into();
    assert_eq!(dialogues::update(&app.db, id, &theirs, 1, TESTER).await.expect("update"), 2);

    let fields = vec![
        ("version", "1"),
        ("kind", "meeting"),
        ("held_on", "2024-10-01"),
        ("place", "Stora torget"),
        ("organisations", "Säffle kommun"),
        ("participants", "20"),
        ("notes", "Mina anteckningar från mötet"),
        ("problem", "klotter"),
        ("action", "save"),
    ];
    let url = app.url(&format!("/arbetsyta/dialoger/{id}/redigera"));
    let (status, page) = text(client.post(&url).form(&fields).send().await.expect("post")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("Någon annan har sparat dialogen medan du skrev (nu version 2)"), "{page}");
    assert!(page.contains("Mina anteckningar från mötet"), "the typed text is kept");
    assert!(page.contains("Organisationer, Anteckningar"), "names what differs: {page}");
    assert!(page.contains("name=\"version\" value=\"2\""), "saving again is based on the stored version");
    let stored = dialogues::get(&app.db, id).await.expect("get").expect("stored");
    assert_eq!((stored.version, stored.dialogue.notes.as_str()), (2, "Polisens anteckningar"), "nothing written");

    // Saving again (now on version 2) replaces it.
    let again = with(&fields, "version", "2");
    assert_eq!(client.post(&url).form(&again).send().await.expect("post").status(), StatusCode::SEE_OTHER);
    let stored = dialogues::get(&app.db, id).await.expect("get").expect("stored");
    assert_eq!((stored.version, stored.dialogue.notes.as_str()), (3, "Mina anteckningar från mötet"));
    app.stop().await;
}

#[tokio::test]
async fn the_overview_counts_problems_by_kind_of_dialogue() {
    let app = TestApp::spawn().await;
    let key = lofte_db::problems::add(&app.db, "1785", "Buskörning").await.expect("add");
    assert_eq!(key, "buskorning");
    let mut walk = record("1785", DialogueKind::SafetyWalk, "2025-03-12", &["klotter"]);
    walk.participants = None;
    walk.places = vec![
        FlaggedPlace { description: "Tunneln".into(), point: None, problem: Some("morka-platser".into()) },
        FlaggedPlace { description: "Busskuren".into(), point: None, problem: Some("klotter".into()) },
    ];
    let dialogues_2025 = [
        record("1785", DialogueKind::Meeting, "2025-01-20", &["klotter", "narkotika", "buskorning"]),
        record("1785", DialogueKind::Market, "2025-05-30", &["buskorning"]),
        record("1785", DialogueKind::Employee, "2025-09-01", &["narkotika", "buskorning"]),
        walk,
    ];
    for d in &dialogues_2025 {
        dialogues::create(&app.db, d, TESTER).await.expect("create");
    }
    // Not counted: another year, another municipality.
    dialogues::create(&app.db, &record("1785", DialogueKind::Meeting, "2024-12-31", &["klotter"]), TESTER)
        .await
        .expect("c");
    dialogues::create(&app.db, &record("1765", DialogueKind::Meeting, "2025-02-01", &["klotter"]), TESTER)
        .await
        .expect("c");

    let o = dialogues::overview(&app.db, "1785", 2025).await.expect("overview");
    let counts: Vec<(&str, i64, [i64; 5])> =
        o.problems.iter().map(|p| (p.problem.as_str(), p.total, p.by_kind)).collect();
    assert_eq!(
        counts,
        [
            ("buskorning", 3, [1, 1, 0, 0, 1]),
            // The walk tagged klotter and flagged a place with it: counted once.
            ("klotter", 2, [1, 0, 1, 0, 0]),
            ("narkotika", 2, [1, 0, 0, 0, 1]),
            ("morka-platser", 1, [0, 0, 1, 0, 0]),
        ]
    );
    assert_eq!((o.dialogues(), o.participants()), (4, 60));
    assert_eq!(o.totals[2].uncounted, 1, "the walk did not count its participants");
    assert_eq!(dialogues::list(&app.db, "1785", 2025).await.expect("list").len(), 4);
    assert_eq!(dialogues::years(&app.db, "1785").await.expect("years"), [2025, 2024]);

    let client = app.login(SAFFLE_EDITOR).await;
    let page = client.get(app.url("/arbetsyta/dialoger?kommun=1785&ar=2025")).send().await.expect("get");
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.expect("text");
    assert!(
        page.contains(
            "<tr><th scope=\"row\">Buskörning</th><td>3</td><td>1</td><td>1</td><td>0</td><td>0</td><td>1</td></tr>"
        ),
        "{page}"
    );
    assert!(page.contains("<tfoot><tr><th scope=\"row\">Totalt</th><td>4</td><td>60</td><td>1</td></tr></tfoot>"));
    let buskorning = page.find("Buskörning</th>").expect("row");
    let morka = page.find("Dåligt upplysta eller mörka platser</th>").expect("row");
    assert!(buskorning < morka, "most raised first");
    app.stop().await;
}

#[tokio::test]
async fn staff_see_and_write_only_their_municipalities_dialogues() {
    let app = TestApp::spawn().await;
    let id = saffle_dialogue(&app).await;
    let view = format!("/arbetsyta/dialoger/{id}");
    let edit = format!("/arbetsyta/dialoger/{id}/redigera");

    let arjang = app.login(ARJANG_READER).await;
    for path in [view.as_str(), edit.as_str(), "/arbetsyta/dialoger?kommun=1785", "/arbetsyta/problem?kommun=1785"] {
        assert_eq!(arjang.get(app.url(path)).send().await.expect("get").status(), StatusCode::FORBIDDEN, "{path}");
    }
    let res = arjang.post(app.url("/arbetsyta/dialoger/ny")).form(&walk_fields()).send().await.expect("post");
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "recording for another municipality");
    let res = arjang.post(app.url("/arbetsyta/problem")).form(&[("municipality", "1785"), ("name", "X")]).send().await;
    assert_eq!(res.expect("post").status(), StatusCode::FORBIDDEN);
    // Their own municipality's year is theirs to read, without a form to record one.
    let own = arjang.get(app.url("/arbetsyta/dialoger")).send().await.expect("get").text().await.expect("text");
    assert!(own.contains("Årjäng 20") && !own.contains("Registrera en dialog"), "{own}");

    // The signatory of Säffle reads but does not write; the police area's editor writes.
    let signatory = app.login(SAFFLE_SIGNATORY).await;
    assert_eq!(signatory.get(app.url(&view)).send().await.expect("get").status(), StatusCode::OK);
    assert_eq!(signatory.get(app.url(&edit)).send().await.expect("get").status(), StatusCode::FORBIDDEN);
    let police = app.login(ARVIKA_EDITOR).await;
    let fields = with(&with(&walk_fields(), "version", "1"), "kind", "safety_walk");
    assert_eq!(police.post(app.url(&edit)).form(&fields).send().await.expect("post").status(), StatusCode::SEE_OTHER);
    let stored = dialogues::get(&app.db, id).await.expect("get").expect("stored");
    assert_eq!((stored.dialogue.municipality_code.as_str(), stored.version), ("1785", 2), "the municipality stays");
    app.stop().await;
}

#[tokio::test]
async fn municipalities_add_their_own_problems() {
    let app = TestApp::spawn().await;
    let client = app.login(SAFFLE_EDITOR).await;
    let res = client
        .post(app.url("/arbetsyta/problem"))
        .form(&[("municipality", "1785"), ("name", "  Buskörning i centrum ")])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().expect("ascii").to_owned();
    assert_eq!(to, "/arbetsyta/problem?kommun=1785&tillagt=buskorning-i-centrum");
    let page = client.get(app.url(&to)).send().await.expect("get").text().await.expect("text");
    assert!(page.contains("”Buskörning i centrum” finns nu i listan.") && page.contains("(kommunens egen)"));

    let list = lofte_db::problems::list(&app.db, "1785").await.expect("list");
    assert_eq!(list.len(), lofte_domain::problems::STANDARD_PROBLEMS.len() + 1);
    assert_eq!(list[0].key, "nedskrapning", "the standard ones first");
    assert_eq!(list.last().map(|p| (p.key.as_str(), p.standard)), Some(("buskorning-i-centrum", false)));
    assert_eq!(lofte_db::problems::list(&app.db, "1765").await.expect("list").len(), list.len() - 1, "Säffle's own");
    assert_eq!(
        lofte_db::problems::add(&app.db, "1785", "BUSKÖRNING i centrum").await.expect("add"),
        "buskorning-i-centrum"
    );
    assert_eq!(lofte_db::problems::add(&app.db, "1785", "Klotter").await.expect("add"), "klotter", "standard");
    assert_eq!(lofte_db::problems::list(&app.db, "1785").await.expect("list").len(), list.len(), "nothing doubled");

    let form =
        client.get(app.url("/arbetsyta/dialoger/ny?kommun=1785")).send().await.expect("get").text().await.expect("t");
    assert!(form.contains("id=\"problem-buskorning-i-centrum\""), "offered in the form");

    let (status, page) = text(
        client
            .post(app.url("/arbetsyta/problem"))
            .form(&[("municipality", "1785"), ("name", " – ")])
            .send()
            .await
            .expect("post"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"name-fel\"") && page.contains("value=\" – \""), "the error beside the typed name");
    app.stop().await;
}

/// A safety walk recorded through the form in a real browser, with one mistake on the way;
/// axe-core finds nothing on the form, its error state, the dialogue and the overview.
#[tokio::test]
async fn a_safety_walk_is_recorded_in_a_browser() {
    use fantoccini::Locator;
    let app = TestApp::spawn().await;
    let Some(browser) = lofte_testkit::Browser::start().await else { return };
    let c = &browser.client;
    let find = |css: &'static str| async move {
        c.wait().for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"))
    };
    browser.goto(&app.url("/logga-in?nasta=/arbetsyta")).await;
    find("#email").await.send_keys(SAFFLE_EDITOR).await.expect("email");
    find("#password").await.send_keys(lofte_db::seed::DEMO_PASSWORD).await.expect("password");
    browser.click_and_wait(find("form.stack button").await).await;
    browser.click_and_wait(c.find(Locator::LinkText("Medborgar- och medarbetardialoger")).await.expect("link")).await;
    browser.click_and_wait(c.find(Locator::LinkText("Registrera en dialog")).await.expect("link")).await;
    find("#kind").await;
    assert!(browser.axe_violations().await.is_empty(), "the empty form: {:?}", browser.axe_violations().await);

    find("#kind").await.select_by_value("safety_walk").await.expect("kind");
    find("#place").await.send_keys("Norrmalm, kvällstid").await.expect("place");
    find("#latitude").await.send_keys("95").await.expect("lat");
    find("#longitude").await.send_keys("12.9285").await.expect("lon");
    find("#organisations").await.send_keys("Säffle kommun\nPolisen").await.expect("orgs");
    find("#participants").await.send_keys("12").await.expect("participants");
    find("#notes").await.send_keys("Mörkt vid gångtunneln.").await.expect("notes");
    find("#problem-klotter").await.click().await.expect("tick");
    find("#place0_description").await.send_keys("Gångtunneln").await.expect("place");
    find("#place0_problem").await.select_by_value("morka-platser").await.expect("problem");
    browser.click_and_wait(find("button.primary").await).await;
    find("#latitude-fel").await;
    let violations = browser.axe_violations().await;
    assert!(violations.is_empty(), "the form with errors: {violations:?}");
    assert_eq!(find("#place0_description").await.prop("value").await.expect("value").as_deref(), Some("Gångtunneln"));
    assert_eq!(find("#problem-klotter").await.prop("checked").await.expect("checked").as_deref(), Some("true"));

    let lat = find("#latitude").await;
    lat.clear().await.expect("clear");
    lat.send_keys("59.1325").await.expect("lat");
    browser.click_and_wait(find("button.primary").await).await;
    find("dl.facts").await;
    assert!(browser.axe_violations().await.is_empty(), "the dialogue");
    let page = c.source().await.expect("source");
    assert!(page.contains("Trygghetsvandring") && page.contains("openstreetmap.org/?mlat=59.1325"));

    browser.click_and_wait(c.find(Locator::Css("p.meta a[href^='/arbetsyta/dialoger?']")).await.expect("link")).await;
    find("#oversikt").await;
    let violations = browser.axe_violations().await;
    assert!(violations.is_empty(), "the overview: {violations:?}");
    let table = find("#oversikt").await.text().await.expect("text");
    assert!(table.contains("Klotter") && table.contains("Dåligt upplysta eller mörka platser"), "{table}");
    browser.close().await;
    app.stop().await;
}
