//! Statistics in the workspace and the lägesbild: uploads (all or nothing), manual values, one
//! lägesbild built from a survey, dialogues and statistics, its transparent ranking and weights,
//! stale edits, focus areas into a promise draft, dated snapshots, public and staff views, JSON
//! export, and "Därför" on the public promise. Runs on both databases.

use lofte_db::lagesbild as store;
use lofte_db::promises::Actor;
use lofte_db::statistics;
use lofte_domain::statistics::{Batch, Better, Gender, Indicator, Observation, Source, Unit};
use lofte_testkit::{TestApp, visible_text};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::SAFFLE_ID;
use crate::dialogues::{TESTER, record};

const SAFFLE_EDITOR: &str = "redaktor.saffle@lofte.example";
const ARJANG_READER: &str = "lasare.arjang@lofte.example";

/// The visible text with white space runs as single spaces.
fn words(html: &str) -> String {
    visible_text(html).split_whitespace().collect::<Vec<_>>().join(" ")
}

fn fixture(path: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/domain/tests/fixtures").join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

async fn value_count(app: &TestApp) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM indicator_value").fetch_one(app.db.pool()).await.unwrap();
    n
}

fn upload(source: &str, name: &str, bytes: Vec<u8>, extra: &[(&'static str, &'static str)]) -> Form {
    let mut form =
        Form::new().text("kalla", source.to_owned()).part("fil", Part::bytes(bytes).file_name(name.to_owned()));
    for (k, v) in extra {
        form = form.text(*k, *v);
    }
    form
}

#[tokio::test]
async fn uploads_store_everything_or_nothing_and_say_where() {
    let app = TestApp::spawn().await;
    let staff = app.login(SAFFLE_EDITOR).await;
    let before = value_count(&app).await;

    // A Kolada page with the gender split.
    let res = staff
        .post(app.url("/arbetsyta/statistik/importera?kommun=1785"))
        .multipart(upload("kolada", "v2.json", fixture("kolada/v2_values_N07403.json"), &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text = visible_text(&res.text().await.unwrap());
    assert!(text.contains("Importerat: 1 indikatorer"), "{text}");
    assert!(text.contains("nästa sida finns"), "{text}");
    let added = value_count(&app).await - before;
    assert!(added >= 4, "{added}");
    let values = statistics::values(&app.db, "kolada:N07403", &["1785"]).await.unwrap();
    let women = values.iter().find(|v| v.gender == Gender::Women).expect("women");
    assert_eq!(women.value, Some(455.0));

    // The same file again changes nothing.
    let again = staff
        .post(app.url("/arbetsyta/statistik/importera?kommun=1785"))
        .multipart(upload("kolada", "v2.json", fixture("kolada/v2_values_N07403.json"), &[]))
        .send()
        .await
        .unwrap();
    assert!(visible_text(&again.text().await.unwrap()).contains("(0 nya)"));
    assert_eq!(value_count(&app).await - before, added);

    // The indicator page shows the split by gender.
    let page = app
        .login(ARJANG_READER)
        .await
        .get(app.url("/arbetsyta/statistik/indikator?nyckel=kolada%3AN07403&kommun=1785"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = words(&page.text().await.unwrap());
    assert!(page.contains("Säffle 2023 812,3 455 1 170,1"), "{page}");

    // A broken Brå file: the line is named, the choices are kept, nothing is stored.
    let broken = "Kommun;Antal\nSäffle;12\nSäfle;3\n".as_bytes().to_vec();
    let res = staff
        .post(app.url("/arbetsyta/statistik/importera?kommun=1785"))
        .multipart(upload("bra", "brott.csv", broken, &[("namn", "Anmälda brott totalt"), ("ar", "2024")]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    let text = visible_text(&html);
    assert!(text.contains("rad 3") && text.contains("Säfle") && text.contains("Inget har sparats"), "{text}");
    assert!(html.contains(r#"value="bra" checked"#) && html.contains(r#"value="Anmälda brott totalt""#));
    assert_eq!(value_count(&app).await - before, added);

    // Polisen's events are labelled as what they are.
    let res = staff
        .post(app.url("/arbetsyta/statistik/importera?kommun=1785"))
        .multipart(upload("polisen", "h.json", fixture("polisen/events_2025-06-07_first40.json"), &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(visible_text(&res.text().await.unwrap()).contains("inte brottsstatistik"));

    // Readers may look but not import.
    let reader = app.login(ARJANG_READER).await;
    let res = reader
        .post(app.url("/arbetsyta/statistik/importera?kommun=1785"))
        .multipart(upload("kolada", "v2.json", fixture("kolada/v2_values_N07403.json"), &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    app.stop().await;
}

#[tokio::test]
async fn manual_values_need_a_source_and_keep_what_was_typed() {
    let app = TestApp::spawn().await;
    let staff = app.login(SAFFLE_EDITOR).await;
    let res = staff
        .post(app.url("/arbetsyta/statistik/indikator"))
        .form(&[
            ("name", "Otrygghet i centrum"),
            ("unit", "percent"),
            ("better", "lower"),
            ("description", ""),
            ("kommun", "1785"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let key = "manual:otrygghet-i-centrum";
    assert_eq!(statistics::indicator(&app.db, key).await.unwrap().expect("made").unit, Unit::Percent);
    let list = staff.get(app.url("/arbetsyta/statistik?kommun=1785")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("nyckel=manual%3Aotrygghet-i-centrum"), "an own indicator without values is listed");

    let form = |value: &'static str, note: &'static str| {
        vec![
            ("key", key),
            ("kommun", "1785"),
            ("region", "1785"),
            ("period", "2025"),
            ("gender", "T"),
            ("value", value),
            ("note", note),
        ]
    };
    let res = staff.post(app.url("/arbetsyta/statistik/varde")).form(&form("1 234,5", "")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"value="1 234,5""#) && visible_text(&html).contains("Skriv varifrån värdet kommer"));
    let res = staff.post(app.url("/arbetsyta/statistik/varde")).form(&form("12,5 %", "x")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = staff
        .post(app.url("/arbetsyta/statistik/varde"))
        .form(&form("12,5", "Medborgarundersökning 2025, tabell 3"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let v = statistics::values(&app.db, key, &["1785"]).await.unwrap();
    assert_eq!((v[0].value, v[0].note.as_str()), (Some(12.5), "Medborgarundersökning 2025, tabell 3"));
    // Imported figures change by importing; the nation's figures only by an administrator.
    let mut form = form("100", "Egen uppgift");
    form[0] = ("key", "scb:folkmangd");
    let res = staff.post(app.url("/arbetsyta/statistik/varde")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mut nation = self::form_for(key, "00");
    let res = staff.post(app.url("/arbetsyta/statistik/varde")).form(&nation).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(words(&res.text().await.unwrap()).contains("matas in av en administratör"));
    nation[5].1 = "15";
    let admin = app.login("admin@lofte.example").await;
    let res = admin.post(app.url("/arbetsyta/statistik/varde")).form(&nation).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let percent = self::form_for(key, "1785");
    let mut too_much = percent.clone();
    too_much[5].1 = "140";
    let res = staff.post(app.url("/arbetsyta/statistik/varde")).form(&too_much).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    app.stop().await;
}

/// A manual value's form for `region` (value 12, a note).
fn form_for(key: &'static str, region: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("key", key),
        ("kommun", "1785"),
        ("region", region),
        ("period", "2025"),
        ("gender", "T"),
        ("value", "12"),
        ("note", "Egen mätning"),
    ]
}

fn indicator(key: &str, name: &str, unit: Unit) -> Indicator {
    Indicator {
        key: key.into(),
        name: name.into(),
        unit,
        source: Source::Kolada,
        description: "Anmälda våldsbrott per 100 000 invånare.".into(),
        better: Better::Lower,
    }
}

fn value(key: &str, region: &str, year: i32, v: f64) -> Observation {
    Observation {
        indicator: key.into(),
        region: region.into(),
        period: year.to_string(),
        gender: Gender::Total,
        value: Some(v),
        status: String::new(),
    }
}

/// Säffle 2026: a survey where half of 40 see graffiti as a big problem, three dialogues about
/// drugs and one about graffiti, and violent crime rising to twice the nation's level.
async fn evidence(app: &TestApp) {
    use lofte_db::surveys;
    let q = lofte_domain::survey::safety_survey_template();
    let day = lofte_domain::IsoDate::parse("2026-03-01").unwrap();
    let id = crate::surveys::saffle_survey(app, "Trygghetsundersökning 2026", false).await;
    let mut rows = Vec::new();
    for i in 0..40 {
        let choice = if i % 2 == 0 { "mycket-stort" } else { "inget" };
        let form = crate::surveys::answer(choice, "kvinna", "25-44", "");
        rows.push((day, lofte_domain::survey::read_answers(&q, &[], &form, "sv").unwrap()));
    }
    surveys::import_answers(&app.db, id, &rows, |_| {}).await.unwrap();
    for problems in [&["narkotika"][..], &["narkotika"], &["narkotika", "klotter"]] {
        let d = record("1785", lofte_domain::dialogue::DialogueKind::Meeting, "2026-04-01", problems);
        lofte_db::dialogues::create(&app.db, &d, TESTER).await.unwrap();
    }
    let key = "kolada:N07403";
    let mut batch =
        Batch { indicators: vec![indicator(key, "Anmälda våldsbrott", Unit::Per100k)], ..Batch::default() };
    for (i, year) in (2020..=2024).enumerate() {
        batch.observations.push(value(key, "1785", year, 400.0 + 100.0 * i as f64));
        batch.observations.push(value(key, "17", year, 450.0));
        batch.observations.push(value(key, "00", year, 400.0));
    }
    statistics::store(&app.db, Source::Kolada, "test", &batch, false, Actor::STATISTICS, &mut |_| {}).await.unwrap();
}

async fn create(app: &TestApp, staff: &reqwest::Client) -> String {
    let res = staff
        .post(app.url("/arbetsyta/lagesbild"))
        .form(&[("kommun", "1785"), ("year", "2026"), ("title", "Lägesbild Säffle 2026")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    res.headers()["location"].to_str().unwrap().trim_start_matches("/arbetsyta/lagesbild/").to_owned()
}

async fn export(app: &TestApp, staff: &reqwest::Client, id: &str) -> Value {
    let res = staff.get(app.url(&format!("/arbetsyta/lagesbild/{id}/lagesbild.json"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn order(doc: &Value) -> Vec<(String, Option<f64>)> {
    doc["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["problem"]["key"].as_str().unwrap().to_owned(), r["score"].as_f64()))
        .collect()
}

fn version(html: &str) -> String {
    html.split(r#"name="version" value=""#).nth(1).and_then(|v| v.split('"').next()).expect("version").to_owned()
}

fn edit_form(version: &str, weights: [&'static str; 4], title: &'static str) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = vec![
        ("version".into(), version.into()),
        ("title".into(), title.into()),
        ("summary".into(), "Narkotika och våld oroar mest.".into()),
        ("survey".into(), String::new()),
        ("previous".into(), String::new()),
        ("analysis.narkotika".into(), "Försäljning vid stationen.".into()),
        ("notes.narkotika".into(), "hemlig anteckning om en person".into()),
        ("ind.slagsmal-utomhus".into(), "kolada:N07403".into()),
    ];
    for (name, w) in ["survey", "dialogue", "level", "trend"].iter().zip(weights) {
        f.push((format!("weight.{name}"), w.into()));
    }
    f
}

#[tokio::test]
async fn a_lagesbild_ranks_problems_by_transparent_evidence() {
    let app = TestApp::spawn().await;
    evidence(&app).await;
    let staff = app.login(SAFFLE_EDITOR).await;
    let id = create(&app, &staff).await;

    // Default weights 3/2/3/2: drugs (raised most: 1.0), violence (twice the nation and
    // doubled: level 1, trend 1, dialogues 0 → 5/7), graffiti (survey 0.5, dialogues 1/3 →
    // (1.5 + 2/3) / 5).
    // (Other problems may have evidence from the demo's real Polisen events; only these three
    // are compared here.)
    let doc = export(&app, &staff, &id).await;
    let ranked: Vec<(String, Option<f64>)> = order(&doc)
        .into_iter()
        .filter(|(k, _)| ["narkotika", "slagsmal-utomhus", "klotter"].contains(&k.as_str()))
        .collect();
    assert_eq!(ranked[0].0, "narkotika");
    assert_eq!(ranked[1].0, "slagsmal-utomhus");
    assert_eq!(ranked[2].0, "klotter");
    let close = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() < 1e-9);
    assert!(
        close(ranked[0].1, 1.0) && close(ranked[1].1, 5.0 / 7.0) && close(ranked[2].1, (1.5 + 2.0 / 3.0) / 5.0),
        "{ranked:?}"
    );
    let problem = |key: &str| {
        doc["problems"].as_array().unwrap().iter().find(|r| r["problem"]["key"] == key).expect("problem")["problem"]
            .clone()
    };
    let graffiti = problem("klotter");
    assert_eq!(graffiti["survey"]["n"], 40);
    assert!(close(graffiti["survey"]["share"]["share"].as_f64(), 0.5));
    assert_eq!(graffiti["dialogues"]["total"], 1);
    let violence = &problem("slagsmal-utomhus")["statistics"][0];
    assert_eq!(violence["indicator"]["key"], "kolada:N07403");
    assert_eq!(violence["nation"]["point"]["value"], 400.0);
    assert_eq!(violence["county"]["name"], "Värmlands län");
    assert!(close(violence["trend"]["relative"].as_f64(), 1.0));

    let page = staff.get(app.url(&format!("/arbetsyta/lagesbild/{id}"))).send().await.unwrap().text().await.unwrap();
    let text = words(&page);
    assert!(text.contains("1. Synlig narkotikaförsäljning eller narkotikaanvändning"), "{text}");
    assert!(text.contains("Trygghetsundersökning 2026: 50,0 % ser det som ett stort problem"), "{text}");
    assert!(text.contains("Anmälda våldsbrott") && text.contains("+100 % 2020–2024"), "{text}");

    // A bad weight: nothing saved, everything typed kept.
    let v = version(
        &staff.get(app.url(&format!("/arbetsyta/lagesbild/{id}/redigera"))).send().await.unwrap().text().await.unwrap(),
    );
    let res = staff
        .post(app.url(&format!("/arbetsyta/lagesbild/{id}/redigera")))
        .form(&edit_form(&v, ["3", "11", "3", "2"], "Ny rubrik"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(r#"value="11""#)
            && html.contains("Försäljning vid stationen.")
            && html.contains(r#"value="Ny rubrik""#)
    );

    // Without the dialogues' weight, drugs have no evidence left and go last; violence leads.
    let res = staff
        .post(app.url(&format!("/arbetsyta/lagesbild/{id}/redigera")))
        .form(&edit_form(&v, ["3", "0", "3", "2"], "Lägesbild Säffle 2026"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let ranked = order(&export(&app, &staff, &id).await);
    assert_eq!(ranked[0], ("slagsmal-utomhus".to_owned(), Some(1.0)));
    let graffiti = ranked.iter().position(|r| r.0 == "klotter").expect("klotter");
    assert_eq!(ranked[graffiti].1, Some(0.5));
    assert_eq!(ranked.iter().find(|r| r.0 == "narkotika").map(|r| r.1), Some(None));
    assert_eq!(ranked.last().map(|r| r.1), Some(None));

    // The same form again, from the old version: refused, the typed text kept.
    let res = staff
        .post(app.url(&format!("/arbetsyta/lagesbild/{id}/redigera")))
        .form(&edit_form(&v, ["1", "1", "1", "1"], "Min rubrik"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"value="Min rubrik""#) && visible_text(&html).contains("Någon annan sparade"));
    assert_eq!(store::get(&app.db, id.parse().unwrap()).await.unwrap().unwrap().weights.dialogue, 0);

    // Print view and the readers of another municipality.
    let print = staff.get(app.url(&format!("/arbetsyta/lagesbild/{id}/utskrift"))).send().await.unwrap();
    assert_eq!(print.status(), StatusCode::OK);
    let reader = app.login(ARJANG_READER).await;
    let res = reader.get(app.url(&format!("/arbetsyta/lagesbild/{id}"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    app.stop().await;
}

#[tokio::test]
async fn focus_areas_go_into_the_draft_and_snapshots_become_public_evidence() {
    let app = TestApp::spawn().await;
    evidence(&app).await;
    // Three more respondents, all seeing drugs as a very big problem: too few to show publicly.
    let survey =
        lofte_db::surveys::list(&app.db).await.unwrap().into_iter().find(|s| s.municipality_code == "1785").unwrap();
    let form: Vec<(String, String)> = [("q:problem-narkotika", "mycket-stort"), ("sprak", "sv")]
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect();
    let answers = lofte_domain::survey::read_answers(&survey.questionnaire, &[], &form, "sv").unwrap();
    let day = lofte_domain::IsoDate::parse("2026-03-02").unwrap();
    lofte_db::surveys::import_answers(&app.db, survey.id, &vec![(day, answers); 3], |_| {}).await.unwrap();
    let staff = app.login(SAFFLE_EDITOR).await;
    let id = create(&app, &staff).await;
    let v = version(
        &staff.get(app.url(&format!("/arbetsyta/lagesbild/{id}/redigera"))).send().await.unwrap().text().await.unwrap(),
    );
    let res = staff
        .post(app.url(&format!("/arbetsyta/lagesbild/{id}/redigera")))
        .form(&edit_form(&v, ["3", "2", "3", "2"], "Lägesbild Säffle 2026"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // A draft of the next promise; choosing drugs as a focus area adds a theme to it.
    let draft = crate::demo_with(|d| {
        d.id = None;
        d.status = lofte_domain::Status::Draft;
        d.title = "Medborgarlöfte 2027".into();
        d.year = 2027;
    });
    let draft = lofte_db::drafts::create(&app.db, draft, Actor::IMPORT).await.unwrap();
    let page = staff.get(app.url(&format!("/arbetsyta/lagesbild/{id}"))).send().await.unwrap().text().await.unwrap();
    let v = version(&page);
    let target = format!("{draft}|");
    let res = staff
        .post(app.url(&format!("/arbetsyta/lagesbild/{id}/fokus")))
        .form(&[
            ("version", v.as_str()),
            ("problem", "narkotika"),
            ("action", "link"),
            ("target", &target),
            ("theme", "Narkotika i centrum"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let stored = lofte_db::promises::get(&app.db, draft).await.unwrap().unwrap();
    assert!(stored.document.themes.iter().any(|t| t.name == "Narkotika i centrum"));
    // Linking violence to an existing theme of the draft leaves the draft as it was.
    let themes_before = stored.document.themes.len();
    let page = staff.get(app.url(&format!("/arbetsyta/lagesbild/{id}"))).send().await.unwrap().text().await.unwrap();
    let target = format!("{draft}|Synlighet");
    let res = staff
        .post(app.url(&format!("/arbetsyta/lagesbild/{id}/fokus")))
        .form(&[
            ("version", version(&page).as_str()),
            ("problem", "slagsmal-utomhus"),
            ("action", "link"),
            ("target", &target),
            ("theme", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(lofte_db::promises::get(&app.db, draft).await.unwrap().unwrap().document.themes.len(), themes_before);
    // A stale focus form changes nothing.
    let res = staff
        .post(app.url(&format!("/arbetsyta/lagesbild/{id}/fokus")))
        .form(&[("version", v.as_str()), ("problem", "klotter"), ("action", "link"), ("target", &format!("{draft}|"))])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let themes = lofte_db::promises::get(&app.db, draft).await.unwrap().unwrap().document.themes;
    assert_eq!(themes.len(), themes_before, "a refused form added a theme");
    let l = store::get(&app.db, id.parse().unwrap()).await.unwrap().unwrap();
    assert!(l.notes_of("narkotika").is_some_and(|n| n.focus && n.theme.as_deref() == Some("Narkotika i centrum")));
    assert!(!l.notes_of("klotter").is_some_and(|n| n.focus));

    // No public lägesbild before a public snapshot; the workspace says none is fixed yet.
    assert_eq!(app.get("/kommun/saffle/lagesbild/2026").await.status(), StatusCode::NOT_FOUND);
    let workspace = words(&staff.get(app.url("/arbetsyta")).send().await.unwrap().text().await.unwrap());
    assert!(workspace.contains("Lägesbild Säffle : ingen fastställd ännu (lagen kräver"), "{workspace}");
    let res =
        staff.post(app.url(&format!("/arbetsyta/lagesbild/{id}/faststall"))).form(&[("x", "")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get("/kommun/saffle/lagesbild/2026").await.status(), StatusCode::NOT_FOUND);
    // The survey's results are not published: the lägesbild may not publish them either.
    let publish =
        || staff.post(app.url(&format!("/arbetsyta/lagesbild/{id}/faststall"))).form(&[("public", "1")]).send();
    let res = publish().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(words(&res.text().await.unwrap()).contains("vars resultat inte är publicerade"));
    assert_eq!(store::snapshots(&app.db, id.parse().unwrap()).await.unwrap().len(), 1);
    sqlx::query("UPDATE survey SET results_public = 1").execute(app.db.pool()).await.unwrap();
    assert_eq!(publish().await.unwrap().status(), StatusCode::SEE_OTHER);
    let snapshots = store::snapshots(&app.db, id.parse().unwrap()).await.unwrap();
    assert_eq!(snapshots.len(), 2);
    let workspace = words(&staff.get(app.url("/arbetsyta")).send().await.unwrap().text().await.unwrap());
    let today = lofte_domain::signing::stockholm_date(time::OffsetDateTime::now_utc()).to_string();
    assert!(workspace.contains(&format!("Lägesbild Säffle : senast fastställd {today}")), "{workspace}");
    assert!(!workspace.contains(&format!("senast fastställd {today} (lagen")));

    // The public view: figures and analysis, never the internal notes or free texts.
    let public = app.get_text("/kommun/saffle/lagesbild/2026", 200).await;
    let text = visible_text(&public);
    assert!(text.contains("Försäljning vid stationen.") && text.contains("Anmälda våldsbrott"), "{text}");
    assert!(!public.contains("hemlig anteckning") && !public.contains("jag heter Anna"), "notes or free text leaked");
    let json = app.get_json("/kommun/saffle/lagesbild/2026.json", 200).await;
    assert!(!json.to_string().contains("hemlig anteckning"));
    assert_eq!(json["problems"][0]["problem"]["key"], "narkotika");
    // Three of three is shown to staff (but not scored), never publicly.
    assert_eq!(json["problems"][0]["problem"]["survey"]["share"], Value::Null);
    assert!(text.contains("för få svar för att visa andelen"), "{text}");
    let staff_json = export(&app, &staff, &id).await;
    let drugs = staff_json["problems"].as_array().unwrap().iter().find(|r| r["problem"]["key"] == "narkotika").unwrap();
    assert_eq!(drugs["problem"]["survey"]["share"]["share"], 1.0);
    assert!(app.get_text("/kommun/saffle", 200).await.contains("/kommun/saffle/lagesbild/2026"));

    // The staff keep reading the old snapshot with the figures it had, also after a change.
    let later = lofte_db::lagesbild::get(&app.db, id.parse().unwrap()).await.unwrap().unwrap();
    let mut edit = lofte_db::lagesbild::Edit {
        title: "Ändrad rubrik".into(),
        summary: String::new(),
        weights: later.weights,
        survey_id: None,
        previous_survey_id: None,
        problems: vec![],
        choices: vec![],
    };
    edit.weights.dialogue = 0;
    store::save(&app.db, later.id, later.version, &edit, Actor::IMPORT).await.unwrap();
    let old = staff
        .get(app.url(&format!("/arbetsyta/lagesbild/{id}/version/{}", snapshots[0].id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(visible_text(&old).contains("Lägesbild Säffle 2026") && old.contains("hemlig anteckning"));
    let printed = staff
        .get(app.url(&format!("/arbetsyta/lagesbild/{id}/version/{}/utskrift", snapshots[0].id)))
        .send()
        .await
        .unwrap();
    assert_eq!(printed.status(), StatusCode::OK);
    assert!(words(&printed.text().await.unwrap()).contains(&format!("Fastställd {} av", snapshots[0].made_on)));

    // "Därför" beside the focus area of a public promise (linked here to the one in force).
    let in_force = SAFFLE_ID.parse().unwrap();
    let v = store::get(&app.db, later.id).await.unwrap().unwrap().version;
    store::set_focus(&app.db, later.id, v, "narkotika", Some((in_force, "ANDT")), Actor::IMPORT).await.unwrap();
    let res = staff
        .post(app.url(&format!("/arbetsyta/lagesbild/{id}/faststall")))
        .form(&[("public", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let promise = words(&app.get_text(&format!("/lofte/{SAFFLE_ID}"), 200).await);
    assert!(promise.contains("ANDT Därför Fokusområdet valdes utifrån lägesbilden"), "{promise}");
    // Without the dialogues' weight, and with a survey share too small to count, drugs have no
    // evidence that scores: they follow every problem with a score.
    assert!(
        promise.contains("Synlig narkotikaförsäljning eller narkotikaanvändning , plats 9 i lägesbilden"),
        "{promise}"
    );
    assert!(promise.contains("Togs upp i 3 dialoger"), "{promise}");
    let municipality = visible_text(&app.get_text("/kommun/saffle", 200).await);
    assert!(municipality.contains("Därför"));
    app.stop().await;
}

/// Building a lägesbild and choosing a focus area in real Chromium, with axe-core on every page
/// met, error states included: the list and a refused duplicate, the live view, the edit form
/// and a bad weight, choosing a focus area (which adds a theme to the draft), a published
/// snapshot, the public, print and snapshot views, and the statistics pages.
#[tokio::test]
async fn staff_build_a_lagesbild_and_choose_focus_areas_in_a_browser() {
    use fantoccini::Locator;
    let app = TestApp::spawn().await;
    let Some(browser) = lofte_testkit::Browser::start().await else { return };
    evidence(&app).await;
    let draft = crate::demo_with(|d| {
        d.id = None;
        d.status = lofte_domain::Status::Draft;
        d.title = "Medborgarlöfte 2027".into();
        d.year = 2027;
    });
    let draft = lofte_db::drafts::create(&app.db, draft, Actor::IMPORT).await.unwrap();
    let c = &browser.client;
    let find = |css: String| async move {
        c.wait().for_element(Locator::Css(&css)).await.unwrap_or_else(|e| panic!("{css}: {e}"))
    };
    let clean = |what: &'static str| {
        let browser = &browser;
        async move {
            let v = browser.axe_violations().await;
            assert!(v.is_empty(), "{what}: {v:?}");
        }
    };

    browser.goto(&app.url("/logga-in")).await;
    find("#email".into()).await.send_keys(SAFFLE_EDITOR).await.unwrap();
    find("#password".into()).await.send_keys(lofte_db::seed::DEMO_PASSWORD).await.unwrap();
    browser.click_and_wait(find("form.stack button".into()).await).await;
    find("form.new-draft".into()).await;

    browser.goto(&app.url("/arbetsyta/lagesbild?kommun=1785")).await;
    find("#rubrik".into()).await;
    clean("list").await;
    find("#ar".into()).await.clear().await.unwrap();
    find("#ar".into()).await.send_keys("2026").await.unwrap();
    find("#rubrik".into()).await.clear().await.unwrap();
    find("#rubrik".into()).await.send_keys("Lägesbild Säffle 2026").await.unwrap();
    browser.click_and_wait(find("form[method=post][action='/arbetsyta/lagesbild'] button".into()).await).await;
    find("#rangordning".into()).await;
    clean("live view").await;
    let view_url = c.current_url().await.unwrap().to_string();

    // The same year again is refused, with what was typed kept.
    browser.goto(&app.url("/arbetsyta/lagesbild?kommun=1785")).await;
    find("#rubrik".into()).await.send_keys(" igen").await.unwrap();
    browser.click_and_wait(find("form[method=post][action='/arbetsyta/lagesbild'] button".into()).await).await;
    find("#fel".into()).await;
    assert!(find("#rubrik".into()).await.prop("value").await.unwrap().is_some_and(|v| v.ends_with(" igen")));
    clean("duplicate refused").await;

    browser.goto(&format!("{view_url}/redigera")).await;
    find("#title".into()).await;
    clean("edit form").await;
    find("#analys-narkotika".into()).await.send_keys("Öppen försäljning vid stationen på kvällarna.").await.unwrap();
    let weight = find("[id='weight.trend']".into()).await;
    weight.clear().await.unwrap();
    weight.send_keys("12").await.unwrap();
    browser.click_and_wait(find("form[action$='/redigera'] button[type=submit]".into()).await).await;
    find("#fel".into()).await;
    clean("edit form with an error").await;
    assert_eq!(
        find("#analys-narkotika".into()).await.prop("value").await.unwrap().as_deref(),
        Some("Öppen försäljning vid stationen på kvällarna.")
    );
    let weight = find("[id='weight.trend']".into()).await;
    weight.clear().await.unwrap();
    weight.send_keys("2").await.unwrap();
    browser.click_and_wait(find("form[action$='/redigera'] button[type=submit]".into()).await).await;
    find("p.notice[role=status]".into()).await;

    // Drugs become a focus area: a new theme in the draft.
    find("#namn-narkotika".into()).await.clear().await.unwrap();
    find("#namn-narkotika".into()).await.send_keys("Narkotika i centrum").await.unwrap();
    let form = find("form.focus-form:has(#namn-narkotika)".into()).await;
    browser.click_and_wait(form.find(Locator::Css("button[value=link]")).await.unwrap()).await;
    find("p.notice[role=status]".into()).await;
    clean("after choosing a focus area").await;
    let source = c.source().await.unwrap();
    assert!(source.contains("fokusområde: Narkotika i centrum"));
    let doc = lofte_db::promises::get(&app.db, draft).await.unwrap().unwrap().document;
    assert!(doc.themes.iter().any(|t| t.name == "Narkotika i centrum"));

    // Publish a dated snapshot (the survey's results published first), then read it in every view.
    sqlx::query("UPDATE survey SET results_public = 1").execute(app.db.pool()).await.unwrap();
    find("#publik".into()).await.click().await.unwrap();
    browser.click_and_wait(find("form[action$='/faststall'] button".into()).await).await;
    let snapshot = find("#ogonblicksbilder + ul a".into()).await;
    browser.click_and_wait(snapshot).await;
    find("#rangordning".into()).await;
    clean("snapshot").await;
    for path in ["/kommun/saffle/lagesbild/2026", "/kommun/saffle"] {
        browser.assert_accessible(&app.url(path)).await;
    }
    browser.goto(&format!("{view_url}/utskrift")).await;
    find("#rangordning".into()).await;
    clean("print view").await;
    let public = visible_text(&app.get_text("/kommun/saffle/lagesbild/2026", 200).await);
    assert!(public.contains("Öppen försäljning vid stationen på kvällarna."));

    // The statistics pages, and an upload without a file.
    browser.goto(&app.url("/arbetsyta/statistik?kommun=1785")).await;
    find("#indikatorer".into()).await;
    clean("statistics").await;
    browser.click_and_wait(find("form[enctype] button".into()).await).await;
    find("#fel".into()).await;
    clean("upload without a file").await;
    browser.goto(&app.url("/arbetsyta/statistik/indikator?nyckel=kolada%3AN07403&kommun=1785")).await;
    find("#varden".into()).await;
    clean("indicator").await;

    browser.close().await;
    app.stop().await;
}
