//! Surveys: building one from the template, answering it (Swedish and English), anonymity,
//! one-time codes (also under concurrent use), the per-browser mark and the rate limit, importing
//! and exporting answers, results with suppression, weighting and comparison, free texts.

use lofte_testkit::{TestApp, visible_text};
use reqwest::StatusCode;

use crate::LOFTE;

const SAFFLE_EDITOR: &str = "redaktor.saffle@lofte.example";
const ARJANG_READER: &str = "lasare.arjang@lofte.example";

/// A Säffle survey from the template, open, with one answer that has a free text: (survey id,
/// free-text id). Written directly, for tests about who may do what.
pub async fn saffle_survey_with_an_answer(app: &TestApp) -> (String, String) {
    use lofte_db::surveys;
    let q = lofte_domain::survey::safety_survey_template();
    let day = lofte_domain::IsoDate::parse("2026-03-01").unwrap();
    let id = saffle_survey(app, "Trygghetsundersökning", true).await;
    let answers = lofte_domain::survey::read_answers(&q, &[], &answer("inget", "man", "16-24", ""), "sv").unwrap();
    surveys::import_answers(&app.db, id, &[(day, answers)], |_| {}).await.unwrap();
    let text = surveys::free_texts(&app.db, id).await.unwrap().remove(0);
    (id.to_string(), text.id.to_string())
}

/// A Säffle survey of 2026 from the template, open since 2026-03-01, written directly.
pub async fn saffle_survey(app: &TestApp, title: &str, results_public: bool) -> uuid::Uuid {
    let editable = lofte_db::surveys::Editable {
        title: title.into(),
        title_en: String::new(),
        year: 2026,
        questionnaire: lofte_domain::survey::safety_survey_template(),
        opens_on: lofte_domain::IsoDate::parse("2026-03-01"),
        closes_on: None,
        requires_code: false,
        min_cell: 5,
        results_public,
    };
    lofte_db::surveys::create(&app.db, "1785", editable).await.unwrap()
}

/// Creates a survey for Säffle from the template as the Säffle editor and returns its id.
pub async fn new_survey(app: &TestApp, staff: &reqwest::Client, title: &str) -> String {
    let res = staff
        .post(app.url("/arbetsyta/enkater"))
        .form(&[("titel", title), ("kommun", "1785"), ("ar", "2026")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    to.trim_start_matches("/arbetsyta/enkater/").to_owned()
}

async fn version_of(app: &TestApp, id: &str) -> String {
    let s = lofte_db::surveys::get(&app.db, id.parse().unwrap()).await.unwrap().unwrap();
    s.version.to_string()
}

/// Opens the survey from today (optionally requiring codes, publishing results).
pub async fn open(app: &TestApp, staff: &reqwest::Client, id: &str, codes: bool, public: bool) {
    let today = lofte_domain::signing::stockholm_date(time::OffsetDateTime::now_utc()).to_string();
    let version = version_of(app, id).await;
    let mut form = vec![
        ("titel", "Trygghetsundersökning Säffle 2026"),
        ("titel_en", "Safety survey Säffle 2026"),
        ("ar", "2026"),
        ("inledning", "Välkommen."),
        ("inledning_en", "Welcome."),
        ("oppnar", today.as_str()),
        ("stanger", ""),
        ("minsta", "5"),
        ("version", version.as_str()),
    ];
    if codes {
        form.push(("koder", "1"));
    }
    if public {
        form.push(("publicera", "1"));
    }
    let res = staff.post(app.url(&format!("/arbetsyta/enkater/{id}"))).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
}

async fn set_sub_areas(app: &TestApp, staff: &reqwest::Client) {
    let res = staff
        .post(app.url("/arbetsyta/delomraden/1785"))
        .form(&[("namn", "Centrum\nTingvalla\n\nNorra Säffle")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

pub fn answer(graffiti: &str, gender: &str, age: &str, area: &str) -> Vec<(String, String)> {
    [
        ("q:problem-klotter", graffiti),
        ("q:kon", gender),
        ("q:alder", age),
        ("q:delomrade", area),
        ("q:utsatt-12-man", "hot"),
        ("q:utsatt-12-man", "cykelstold"),
        ("q:ar-i-omradet", "4"),
        ("q:tryggare", "Mer belysning vid Ekenäs, jag heter Anna Andersson"),
        ("sprak", "sv"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

/// A client without cookies that posts answers (each call is another browser).
async fn post_answer(app: &TestApp, id: &str, fields: &[(String, String)]) -> reqwest::Response {
    app.client.post(app.url(&format!("/enkat/{id}"))).form(fields).send().await.unwrap()
}

#[tokio::test]
async fn a_resident_answers_a_survey_built_from_the_template() {
    let app = TestApp::spawn().await;
    let staff = app.login(SAFFLE_EDITOR).await;
    let id = new_survey(&app, &staff, "Trygghetsundersökning 2026").await;
    // A draft is not public.
    assert_eq!(app.get(&format!("/enkat/{id}")).await.status(), 404);
    set_sub_areas(&app, &staff).await;
    open(&app, &staff, &id, false, true).await;

    // Residents find it on the municipality's page.
    let municipality = app.get_text("/kommun/saffle", 200).await;
    assert!(
        municipality
            .contains(&format!("<a href=\"/enkat/{id}\">Svara på enkäten: Trygghetsundersökning Säffle 2026</a>"))
    );
    assert!(municipality.contains(&format!("<a href=\"/enkat/{id}/resultat\">resultat</a>")));
    let form = app.get_text(&format!("/enkat/{id}"), 200).await;
    assert!(form.contains("Hur stort problem är följande i ditt område: klotter?"), "{form}");
    assert!(form.contains("Tingvalla") && form.contains("Norra Säffle"));
    assert!(form.contains("Dina svar är anonyma"));
    let english = app.get_text(&format!("/enkat/{id}?sprak=en"), 200).await;
    assert!(english.contains("<html lang=\"en\">"));
    assert!(english.contains("How big a problem is the following in your neighbourhood: graffiti?"));
    assert!(english.contains("Safety survey Säffle 2026") && english.contains("Send answers"));

    // An invalid answer comes back with everything typed.
    let mut bad = answer("ganska-stort", "kvinna", "25-44", "tingvalla");
    bad.push(("q:ar-i-omradet".into(), "fyra".into()));
    bad.retain(|(k, v)| !(k == "q:ar-i-omradet" && v == "4"));
    bad.push(("sprak".into(), "en".into()));
    bad.retain(|(k, v)| !(k == "sprak" && v == "sv"));
    let res = post_answer(&app, &id, &bad).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Enter a whole number, for example 12."), "{html}");
    assert!(html.contains("value=\"ganska-stort\" checked"), "the choice is kept");
    assert!(html.contains("value=\"fyra\""), "the typed number is kept");
    assert!(html.contains("Mer belysning vid Ekenäs"), "the free text is kept");

    let res = post_answer(&app, &id, &answer("ganska-stort", "kvinna", "25-44", "tingvalla")).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], format!("/enkat/{id}/tack?sprak=sv"));
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains(&format!("Path=/enkat/{id}")));
    let thanks = app.get_text(&format!("/enkat/{id}/tack?sprak=sv"), 200).await;
    assert!(thanks.contains("Tack för dina svar!"));

    // The same browser again: refused, with the answers kept.
    let again = app
        .client
        .post(app.url(&format!("/enkat/{id}")))
        .header("cookie", cookie.split(';').next().unwrap())
        .form(&answer("inget", "man", "16-24", "centrum"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
    let html = again.text().await.unwrap();
    assert!(html.contains("redan skickat svar") && html.contains("value=\"inget\" checked"));

    // The same browser opening the survey again is told it has answered.
    let res = app
        .client
        .get(app.url(&format!("/enkat/{id}")))
        .header("cookie", cookie.split(';').next().unwrap())
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().contains("Du har redan besvarat enkäten"));
    // A form with nothing answered is not an answer.
    let res = post_answer(&app, &id, &[("sprak".to_owned(), "sv".to_owned())]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Besvara minst en fråga"));

    for i in 0..6 {
        let who = if i % 2 == 0 { "man" } else { "kvinna" };
        assert_eq!(post_answer(&app, &id, &answer("mycket-stort", who, "65-79", "centrum")).await.status(), 303);
    }
    let s = lofte_db::surveys::get(&app.db, id.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(s.responses, 7);

    // Staff see every count; the public results hide the small ones.
    let staff_results = visible_text(
        &staff.get(app.url(&format!("/arbetsyta/enkater/{id}/resultat"))).send().await.unwrap().text().await.unwrap(),
    );
    assert!(staff_results.contains("7 svarande"), "{staff_results}");
    let public = app.get_text(&format!("/enkat/{id}/resultat"), 200).await;
    assert!(public.contains("<svg class=\"chart\""));
    assert!(!public.contains("Mer belysning"), "free texts are never public");
    let csv = app.get_text(&format!("/enkat/{id}/resultat.csv"), 200).await;
    let klotter: Vec<&str> =
        csv.lines().filter(|l| l.starts_with("problem-klotter;") && l.contains(";alla;")).collect();
    // 6 "mycket stort" are shown, 1 "ganska stort" is suppressed, and so is the next smallest.
    assert!(klotter.iter().any(|l| l.contains("Mycket stort problem;6;0.8571")), "{klotter:#?}");
    assert!(klotter.iter().any(|l| l.contains("Ganska stort problem;;") && l.ends_with(";1")), "{klotter:#?}");
    app.stop().await;
}

#[tokio::test]
async fn stored_answers_hold_nothing_that_identifies_the_respondent() {
    let app = TestApp::spawn().await;
    let staff = app.login(SAFFLE_EDITOR).await;
    let id = new_survey(&app, &staff, "Anonym").await;
    set_sub_areas(&app, &staff).await;
    open(&app, &staff, &id, false, false).await;
    let res = app
        .client
        .post(app.url(&format!("/enkat/{id}")))
        .header("user-agent", "Mozilla/5.0 IdentifyingBrowser/99")
        .header("x-forwarded-for", "203.0.113.77")
        .header("cookie", "tracking=abc123secret")
        .form(&answer("inget", "kvinna", "45-64", "centrum"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let now = time::OffsetDateTime::now_utc();
    let hour_minute = format!("{:02}:{:02}", now.hour(), now.minute());
    for table in ["survey_response", "survey_free_text", "survey_tally"] {
        let rows: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM {table}",
            match table {
                "survey_response" => "id || '|' || answered_on || '|' || language || '|' || answers",
                "survey_free_text" => "id || '|' || question || '|' || answered_on || '|' || text",
                _ => "question || '|' || choice || '|' || sub_area || '|' || gender || '|' || age",
            }
        )))
        .fetch_all(app.db.pool())
        .await
        .unwrap();
        assert!(!rows.is_empty(), "{table}");
        for (row,) in rows {
            for secret in
                ["127.0.0.1", "203.0.113.77", "IdentifyingBrowser", "Mozilla", "abc123secret", &hour_minute, "T"]
            {
                let hit = if secret == "T" {
                    // No timestamps: a date is YYYY-MM-DD, never followed by a time.
                    row.split('|')
                        .any(|f| f.len() > 10 && f.as_bytes().get(10) == Some(&b'T') && f[..4].parse::<u32>().is_ok())
                } else {
                    row.contains(secret)
                };
                assert!(!hit, "{table} holds {secret:?}: {row}");
            }
        }
    }
    // The answer's id is random (v4), not a time-ordered v7 that would tell when it came.
    let (rid,): (String,) = sqlx::query_as("SELECT id FROM survey_response").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(rid.parse::<uuid::Uuid>().unwrap().get_version_num(), 4);
    app.stop().await;
}

#[tokio::test]
async fn one_time_codes_work_once_also_when_sent_at_the_same_moment() {
    let app = TestApp::spawn().await;
    let staff = app.login(SAFFLE_EDITOR).await;
    let id = new_survey(&app, &staff, "Urval").await;
    open(&app, &staff, &id, true, false).await;
    let res =
        staff.post(app.url(&format!("/arbetsyta/enkater/{id}/koder"))).form(&[("antal", "3")]).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = res.text().await.unwrap();
    let codes: Vec<String> = csv.lines().skip(1).map(|l| l.split(';').next().unwrap().to_owned()).collect();
    assert_eq!(codes.len(), 3);
    // Only hashes are stored.
    let stored: Vec<(String,)> =
        sqlx::query_as("SELECT code_sha256 FROM survey_code").fetch_all(app.db.pool()).await.unwrap();
    assert!(stored.iter().all(|(h,)| h.len() == 64 && !codes.iter().any(|c| h.contains(&c.replace('-', "")))));

    let with_code = |code: &str| {
        let mut f = answer("inget", "man", "16-24", "");
        f.retain(|(k, _)| k != "q:delomrade");
        f.push(("kod".into(), code.into()));
        f
    };
    // No code: refused, answers kept.
    let res = post_answer(&app, &id, &with_code("")).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Skriv koden från ditt brev"));

    // Eight browsers send the same code at once: exactly one is taken.
    let code = codes[0].to_lowercase().replace('-', " ");
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let url = app.url(&format!("/enkat/{id}"));
        let form = with_code(&code);
        tasks.push(tokio::spawn(async move { client.post(url).form(&form).send().await.unwrap().status() }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::SEE_OTHER).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == StatusCode::SEE_OTHER || *s == StatusCode::CONFLICT), "{statuses:?}");
    let res = post_answer(&app, &id, &with_code(&codes[0])).await;
    assert_eq!(res.status(), 409);
    let html = res.text().await.unwrap();
    assert!(html.contains("redan använts") && html.contains(&format!("value=\"{}\"", codes[0])));
    assert_eq!(post_answer(&app, &id, &with_code(&codes[1])).await.status(), 303);
    let s = lofte_db::surveys::get(&app.db, id.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(s.responses, 2);
    assert_eq!(lofte_db::surveys::code_counts(&app.db, s.id).await.unwrap(), (3, 2));
    app.stop().await;
}

#[tokio::test]
async fn open_surveys_are_rate_limited_per_address() {
    let app = TestApp::spawn().await;
    let staff = app.login(SAFFLE_EDITOR).await;
    let id = new_survey(&app, &staff, "Öppen").await;
    open(&app, &staff, &id, false, false).await;
    let mut fields = answer("inget", "man", "16-24", "");
    fields.retain(|(k, _)| k != "q:delomrade");
    let limit = 30; // lofte_web::auth::SURVEY_ANSWERS_PER_WINDOW
    for _ in 0..limit {
        assert_eq!(post_answer(&app, &id, &fields).await.status(), 303);
    }
    let res = post_answer(&app, &id, &fields).await;
    assert_eq!(res.status(), 429);
    let html = res.text().await.unwrap();
    assert!(html.contains("För många svar") && html.contains("dina svar finns kvar"));
    assert!(html.contains("value=\"inget\" checked"));
    app.stop().await;
}

#[tokio::test]
async fn staff_edit_questions_and_translations_and_stale_edits_are_refused() {
    let app = TestApp::spawn().await;
    let staff = app.login(SAFFLE_EDITOR).await;
    let id = new_survey(&app, &staff, "Redigering").await;
    let version = version_of(&app, &id).await;
    // Add a multiple-choice question; it opens for editing.
    let res = staff
        .post(app.url(&format!("/arbetsyta/enkater/{id}/fragor")))
        .form(&[
            ("atgard", "ny"),
            ("typ", "multiple"),
            ("text", "Var känner du dig otrygg?"),
            ("text_en", ""),
            ("version", &version),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.ends_with("/fragor/var-kanner-du-dig-otrygg"), "{to}");
    let version = version_of(&app, &id).await;
    let form = [
        ("text", "Var känner du dig otrygg?"),
        ("text_en", "Where do you feel unsafe?"),
        ("hjalp", ""),
        ("hjalp_en", ""),
        ("alternativ", "Torget | The square\nStationen | The station\nParken"),
        ("version", version.as_str()),
    ];
    let res = staff.post(app.url(&to)).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let s = lofte_db::surveys::get(&app.db, id.parse().unwrap()).await.unwrap().unwrap();
    let q = s.questionnaire.question("var-kanner-du-dig-otrygg").unwrap();
    assert_eq!(q.choices.iter().map(|c| c.key.as_str()).collect::<Vec<_>>(), ["torget", "stationen", "parken"]);
    assert_eq!(q.choices[1].text.en, "The station");

    // The same form again, from the old version: refused, the typed text kept.
    let mut stale = form;
    stale[1] = ("text_en", "Where do you NOT feel safe?");
    let res = staff.post(app.url(&to)).form(&stale).send().await.unwrap();
    assert_eq!(res.status(), 409);
    let html = res.text().await.unwrap();
    assert!(html.contains("Någon annan har sparat") && html.contains("Where do you NOT feel safe?"));
    // The form came back with the current version: saving it again replaces the other save.
    let current = version_of(&app, &id).await;
    assert!(html.contains(&format!("name=\"version\" value=\"{current}\"")), "{html}");
    stale[5] = ("version", current.as_str());
    assert_eq!(staff.post(app.url(&to)).form(&stale).send().await.unwrap().status(), 303);

    // Settings with a bad date: 422 with everything typed.
    let version = version_of(&app, &id).await;
    let res = staff
        .post(app.url(&format!("/arbetsyta/enkater/{id}")))
        .form(&[
            ("titel", "Ny titel"),
            ("ar", "2026"),
            ("oppnar", "2026-02-30"),
            ("minsta", "5"),
            ("version", &version),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = lofte_testkit::decode_entities(&res.text().await.unwrap());
    assert!(html.contains("\"2026-02-30\" är inte ett datum") && html.contains("value=\"Ny titel\""), "{html}");

    // Another municipality's reader may not even look.
    let other = app.login(ARJANG_READER).await;
    assert_eq!(other.get(app.url(&format!("/arbetsyta/enkater/{id}"))).send().await.unwrap().status(), 403);
    app.stop().await;
}

#[tokio::test]
async fn answers_from_another_tool_are_imported_with_a_mapping_and_exported_anonymously() {
    let app = TestApp::spawn().await;
    let staff = app.login(SAFFLE_EDITOR).await;
    let id = new_survey(&app, &staff, "Import").await;
    set_sub_areas(&app, &staff).await;
    let dir = std::env::temp_dir().join(format!("lofte-answers-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let mapping = dir.join("mappning.json");
    std::fs::write(
        &mapping,
        r#"{"date_column": "Skickat", "columns": {
            "Klotter": {"question": "problem-klotter", "values": {"1": "mycket-stort", "2": "ganska-stort", "3": "ganska-litet", "4": "inget"}},
            "Kön": {"question": "kon"}, "Område": {"question": "delomrade"},
            "Förslag": {"question": "tryggare"}}}"#,
    )
    .unwrap();
    let good = dir.join("svar.csv");
    std::fs::write(&good, "\u{feff}Svar-id;Skickat;Klotter;Kön;Område;Förslag\n1;2026-03-01 10:12;1;Kvinna;Centrum;Mer ljus\n2;2026-03-02;4;Man;tingvalla;\n").unwrap();
    let bad = dir.join("fel.csv");
    std::fs::write(&bad, "Svar-id;Skickat;Klotter;Kön;Område;Förslag\n1;2026-03-01;1;Kvinna;Centrum;\n2;2026-03-02;7;Man;Tingvalla;\n3;igår;2;Man;;\n").unwrap();
    let (m, g, b) = (mapping.to_str().unwrap(), good.to_str().unwrap(), bad.to_str().unwrap());

    let out = app.cli(LOFTE, &["import", "answers", b, "--survey", &id, "--mapping", m], "");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("rad 3: kolumnen \"Klotter\": \"7\" är inget av frågans svarsalternativ."), "{err}");
    assert!(err.contains("rad 4: datumet \"igår\" är inte ett datum"), "{err}");
    assert!(err.contains("Inget importerades"), "{err}");
    let out = app.cli(LOFTE, &["import", "answers", g, "--survey", &id, "--mapping", m, "--dry-run"], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 svar kan importeras"));
    let s = lofte_db::surveys::get(&app.db, id.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(s.responses, 0, "nothing written on error or dry run");
    let out = app.cli(LOFTE, &["import", "answers", g, "--survey", &id, "--mapping", m], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Kolumner som inte lästes: Svar-id"));

    // The same file through the import page, without its mapping: the columns are not known.
    let part = |bytes: Vec<u8>, name: &str| reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
    let form = reqwest::multipart::Form::new().part("fil", part(std::fs::read(&good).unwrap(), "svar.csv"));
    let res = staff.post(app.url(&format!("/arbetsyta/enkater/{id}/importera"))).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Ingen kolumn i filen hör till någon fråga"));
    let form = reqwest::multipart::Form::new()
        .part("fil", part(std::fs::read(&good).unwrap(), "svar.csv"))
        .part("mappning", part(std::fs::read(&mapping).unwrap(), "mappning.json"));
    let res = staff.post(app.url(&format!("/arbetsyta/enkater/{id}/importera"))).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("2 svar importerades"));

    // The export: days only, no free text; it reads back without a mapping.
    let export =
        staff.get(app.url(&format!("/arbetsyta/enkater/{id}/svar.csv"))).send().await.unwrap().text().await.unwrap();
    assert!(export.starts_with("datum;problem-nedskrapning;"), "{export}");
    assert_eq!(export.lines().count(), 5);
    assert!(export.contains("2026-03-01;") && !export.contains("10:12") && !export.contains("Mer ljus"));
    let form = reqwest::multipart::Form::new().part("fil", part(export.into_bytes(), "svar.csv")).text("prov", "1");
    let res = staff.post(app.url(&format!("/arbetsyta/enkater/{id}/importera"))).multipart(form).send().await.unwrap();
    assert!(res.text().await.unwrap().contains("Provläsning: 4 svar kan importeras"));
    let s = lofte_db::surveys::get(&app.db, id.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(s.responses, 4);
    // Free texts of imported answers are for staff, and can be quoted once cleaned.
    let texts = lofte_db::surveys::free_texts(&app.db, s.id).await.unwrap();
    assert_eq!(texts.len(), 2);
    std::fs::remove_dir_all(&dir).ok();
    app.stop().await;
}

/// A population table in json-stat2 for Säffle, hand-made in the shape of SCB's PxWebApi 2.0
/// answers (not real figures).
fn hand_made_population() -> String {
    let ages = ["16-24", "25-44", "45-64", "65-79", "80-99", "100+"];
    let mut values = Vec::new();
    for (i, _) in ages.iter().enumerate() {
        values.push(1000 + i * 10); // men
        values.push(3000 + i * 10); // women
    }
    serde_json::json!({
        "version": "2.0", "class": "dataset", "label": "Folkmängd (handgjord testtabell)",
        "id": ["Region", "Alder", "Kon", "ContentsCode", "Tid"],
        "size": [1, ages.len(), 2, 1, 1],
        "dimension": {
            "Region": {"label": "region", "category": {"index": {"1785": 0}, "label": {"1785": "Säffle"}}},
            "Alder": {"label": "ålder", "category": {"index": ages.iter().enumerate().map(|(i, a)| (a.to_string(), serde_json::Value::from(i))).collect::<serde_json::Map<_, _>>()}},
            "Kon": {"label": "kön", "category": {"index": {"1": 0, "2": 1}, "label": {"1": "män", "2": "kvinnor"}}},
            "ContentsCode": {"label": "tabellinnehåll", "category": {"index": {"BE0101N1": 0}, "label": {"BE0101N1": "Folkmängd"}}},
            "Tid": {"label": "år", "category": {"index": {"2024": 0}}}
        },
        "value": values
    })
    .to_string()
}

#[tokio::test]
async fn results_are_weighted_compared_and_quoted() {
    let app = TestApp::spawn().await;
    let staff = app.login(SAFFLE_EDITOR).await;
    set_sub_areas(&app, &staff).await;
    let before = new_survey(&app, &staff, "Trygghet 2024").await;
    let now = new_survey(&app, &staff, "Trygghet 2026").await;
    for id in [&before, &now] {
        open(&app, &staff, id, false, true).await;
    }
    // The earlier one is from 2024 (only earlier surveys are offered for comparison).
    let earlier = lofte_db::surveys::get(&app.db, before.parse().unwrap()).await.unwrap().unwrap();
    let mut e = earlier.editable();
    e.year = 2024;
    lofte_db::surveys::save(&app.db, earlier.id, earlier.version, e).await.unwrap();
    // 2024: 2 of 20 see graffiti as a very big problem; 2026: 12 of 20. Women 25–44 and men
    // 65–79 (written directly: the rate limit of one address would stop 40 posts).
    let areas = lofte_db::surveys::sub_areas(&app.db, "1785").await.unwrap();
    let q = lofte_db::surveys::get(&app.db, now.parse().unwrap()).await.unwrap().unwrap().questionnaire;
    let day = lofte_domain::IsoDate::parse("2026-03-01").unwrap();
    for (id, big) in [(&before, 2), (&now, 12)] {
        let rows: Vec<_> = (0..20)
            .map(|i| {
                let (gender, age) = if i % 4 == 0 { ("man", "65-79") } else { ("kvinna", "25-44") };
                let fields = answer(if i < big { "mycket-stort" } else { "inget" }, gender, age, "centrum");
                (day, lofte_domain::survey::read_answers(&q, &areas, &fields, "sv").unwrap())
            })
            .collect();
        lofte_db::surveys::import_answers(&app.db, id.parse().unwrap(), &rows, |_| {}).await.unwrap();
    }

    // Weighting: a real SCB file without Säffle is refused with a reason; the hand-made one works.
    let real = include_bytes!("../../crates/domain/tests/fixtures/scb/TAB638-data-35e0e2-5aec69-POST.json").to_vec();
    let upload = |bytes: Vec<u8>| {
        reqwest::multipart::Form::new().part("fil", reqwest::multipart::Part::bytes(bytes).file_name("scb.json"))
    };
    let res = staff
        .post(app.url(&format!("/arbetsyta/enkater/{now}/befolkning")))
        .multipart(upload(real))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Tabellen har inga siffror för Säffle"));
    let res = staff
        .post(app.url(&format!("/arbetsyta/enkater/{now}/befolkning")))
        .multipart(upload(hand_made_population().into_bytes()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let html = staff
        .get(app.url(&format!("/arbetsyta/enkater/{now}/resultat?jamfor={before}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Viktad andel") && html.contains("effektivt urval efter viktning"), "{html}");
    assert!(html.contains("Förändring (procentenheter)") && html.contains("(signifikant)"), "{html}");

    // Free texts: tag one, publish a cleaned quote; it shows with the public results.
    let s = lofte_db::surveys::get(&app.db, now.parse().unwrap()).await.unwrap().unwrap();
    let text = lofte_db::surveys::free_texts(&app.db, s.id).await.unwrap().remove(0);
    let page =
        staff.get(app.url(&format!("/arbetsyta/enkater/{now}/fritext"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("jag heter Anna Andersson"));
    let url = app.url(&format!("/arbetsyta/enkater/{now}/fritext/{}", text.id));
    let res = staff
        .post(&url)
        .form(&[("version", "1"), ("problem", "morka-platser"), ("publicera", "1"), ("citat", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422, "publishing needs a quote");
    assert!(res.text().await.unwrap().contains("Skriv citatet som ska publiceras"));
    let res = staff
        .post(&url)
        .form(&[
            ("version", "1"),
            ("problem", "morka-platser"),
            ("publicera", "1"),
            ("citat", "Mer belysning vid Ekenäs."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let text = lofte_db::surveys::free_texts(&app.db, s.id).await.unwrap().remove(0);
    assert_eq!(text.tags, ["morka-platser"]);
    let public = app.get_text(&format!("/enkat/{now}/resultat"), 200).await;
    assert!(public.contains("Mer belysning vid Ekenäs.") && !public.contains("Anna Andersson"));
    app.stop().await;
}

/// The survey pages in headless Chromium, each checked with axe-core: staff build a survey from
/// the template and open it; a resident answers on a phone-sized screen (an error first, then
/// in English); staff read the results and free texts; the public results.
#[tokio::test]
async fn surveys_in_a_browser_are_accessible() {
    use fantoccini::Locator;
    let app = TestApp::spawn().await;
    let Some(browser) = lofte_testkit::Browser::start().await else { return };
    let c = &browser.client;
    let find = |css: &'static str| async move {
        c.wait().for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"))
    };
    let axe = |what: &'static str| {
        let browser = &browser;
        async move {
            let v = browser.axe_violations().await;
            assert!(v.is_empty(), "{what}: {v:?}");
        }
    };
    browser.goto(&app.url("/logga-in?nasta=/arbetsyta/enkater")).await;
    find("#email").await.send_keys(SAFFLE_EDITOR).await.expect("email");
    find("#password").await.send_keys(lofte_db::seed::DEMO_PASSWORD).await.expect("password");
    browser.click_and_wait(find("form.stack button").await).await;
    find("#titel").await;
    axe("the survey list").await;
    find("#kommun").await.select_by_value("1785").await.expect("municipality");
    browser.click_and_wait(find("#ny ~ form button.primary").await).await;
    find("#oppnar").await;
    axe("a new survey").await;
    let today = lofte_domain::signing::stockholm_date(time::OffsetDateTime::now_utc()).to_string();
    find("#oppnar").await.send_keys(&today).await.expect("open date");
    find("#publicera").await.click().await.expect("publish");
    browser.click_and_wait(find("form fieldset button.primary").await).await;
    let url = c.current_url().await.expect("url");
    let id = url.path().trim_start_matches("/arbetsyta/enkater/").to_owned();
    assert!(c.source().await.expect("source").contains("Öppen"));
    browser.goto(&app.url(&format!("/arbetsyta/enkater/{id}/fragor/kon"))).await;
    find("#alternativ").await;
    axe("a question").await;
    for path in ["importera", "fritext"] {
        browser.goto(&app.url(&format!("/arbetsyta/enkater/{id}/{path}"))).await;
        axe("a staff survey page").await;
    }
    browser.goto(&app.url("/arbetsyta/delomraden/1785")).await;
    find("#namn").await.send_keys("Centrum\nTingvalla").await.expect("sub-areas");
    browser.click_and_wait(find("form button.primary").await).await;
    axe("sub-areas").await;

    // A resident on a phone.
    c.set_window_size(375, 800).await.expect("resize");
    browser.goto(&app.url(&format!("/enkat/{id}?sprak=en"))).await;
    find("form.survey").await;
    axe("the form in English").await;
    browser.goto(&app.url(&format!("/enkat/{id}"))).await;
    find("#q-problem-klotter-2").await.click().await.expect("choice");
    find("#q-ar-i-omradet").await.send_keys("tolv").await.expect("number");
    find("#q-tryggare").await.send_keys("Bättre belysning").await.expect("text");
    browser.click_and_wait(find("form.survey button.primary").await).await;
    find("#fel").await;
    axe("the form with an error").await;
    assert!(find("#q-problem-klotter-2").await.prop("checked").await.expect("prop").is_some_and(|v| v == "true"));
    let overflow = c
        .execute("return document.documentElement.scrollWidth - document.documentElement.clientWidth;", vec![])
        .await
        .expect("measure");
    let widest = c
        .execute(
            "return [...document.querySelectorAll('body *')].filter(e => e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0).map(e => e.tagName + '.' + e.className + '#' + e.id + ':' + e.scrollWidth + '/' + e.clientWidth).slice(0, 8).join(' ');",
            vec![],
        )
        .await
        .expect("widest");
    assert!(overflow.as_i64().is_some_and(|o| o <= 0), "horizontal overflow of {overflow} px at 375 px: {widest}");
    let number = find("#q-ar-i-omradet").await;
    number.clear().await.expect("clear");
    number.send_keys("12").await.expect("number");
    find("#q-delomrade-2").await.click().await.expect("sub-area");
    browser.click_and_wait(find("form.survey button.primary").await).await;
    assert!(c.source().await.expect("source").contains("Tack för dina svar!"));
    axe("the receipt").await;
    browser.goto(&app.url(&format!("/enkat/{id}?sprak=en"))).await;
    find("h1").await;
    assert!(c.source().await.expect("source").contains("You have already answered the survey from this browser"));
    axe("already answered, in English").await;

    c.set_window_size(1200, 900).await.expect("resize");
    browser.goto(&app.url(&format!("/arbetsyta/enkater/{id}/resultat"))).await;
    find("svg.chart").await;
    axe("the staff results").await;
    browser.goto(&app.url(&format!("/enkat/{id}/resultat"))).await;
    find("h1").await;
    axe("the public results").await;
    browser.close().await;
    app.stop().await;
}
