//! Accounts, sessions and the staff routes.

use lofte_testkit::{Options, TestApp};
use lofte_web::staff::{Access, route_specs};
use reqwest::StatusCode;

use crate::LOFTE;

const ADMIN: &str = "admin@lofte.example";
const SAFFLE_EDITOR: &str = "redaktor.saffle@lofte.example";
const SAFFLE_SIGNATORY: &str = "firmatecknare.saffle@lofte.example";
const ARVIKA_EDITOR: &str = "redaktor.arvika@lofte.example";
const ARJANG_READER: &str = "lasare.arjang@lofte.example";

async fn post_form(client: &reqwest::Client, app: &TestApp, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    client.post(app.url(path)).form(form).send().await.expect("post")
}

/// Every staff route × every kind of person: anonymous people are sent to the login page,
/// people without the right get 403, and everyone else gets through. Generated from the route
/// table, so a new route is covered the moment it exists.
#[tokio::test]
async fn authorisation_matrix() {
    let app = TestApp::spawn().await;
    let draft = crate::demo_with(|d| {
        d.id = None;
        d.status = lofte_domain::Status::Draft;
        d.title = "Utkast 2025".into();
    });
    let draft_id =
        lofte_db::drafts::create(&app.db, draft, lofte_db::promises::Actor::IMPORT).await.expect("draft").to_string();
    let dialogue_id = crate::dialogues::saffle_dialogue(&app).await.to_string();
    let (survey_id, free_text_id) = crate::surveys::saffle_survey_with_an_answer(&app).await;
    let lagesbild_id = lofte_db::lagesbild::create(
        &app.db,
        &["1785".to_owned()],
        2026,
        "Lägesbild Säffle 2026",
        lofte_db::promises::Actor::IMPORT,
    )
    .await
    .expect("lägesbild");
    let empty = lofte_domain::lagesbild::Document {
        title: "Lägesbild Säffle 2026".into(),
        year: 2026,
        municipalities: vec!["Säffle".into()],
        summary: String::new(),
        weights: lofte_domain::lagesbild::Weights::default(),
        problems: vec![],
        statistics: vec![],
        dialogues_held: vec![],
    };
    let content = serde_json::to_string(&empty).expect("json");
    let snapshot_id = lofte_db::lagesbild::snapshot(
        &app.db,
        lagesbild_id,
        "2026-11-26",
        false,
        &content,
        lofte_db::promises::Actor::IMPORT,
    )
    .await
    .expect("snapshot")
    .to_string();
    let lagesbild_id = lagesbild_id.to_string();
    let anonymous = app.client.clone();
    let personas = [
        ("läsare i Årjäng", Some(ARJANG_READER), false),
        ("redaktör i Säffle", Some(SAFFLE_EDITOR), false),
        ("redaktör i LPO Arvika", Some(ARVIKA_EDITOR), false),
        ("firmatecknare i Säffle", Some(SAFFLE_SIGNATORY), false),
        ("administratör", Some(ADMIN), true),
    ];
    let specs = route_specs();
    assert!(specs.len() >= 12);
    let mut clients: Vec<Option<reqwest::Client>> = vec![None; personas.len()];
    for spec in &specs {
        let id = match spec.access {
            Access::DialogueRead | Access::DialogueEdit => &dialogue_id,
            Access::LagesbildRead | Access::LagesbildEdit => &lagesbild_id,
            _ => &draft_id,
        };
        let path = spec
            .path
            .replace("{id}", id)
            .replace("{survey}", &survey_id)
            .replace("{question}", "problem-klotter")
            .replace("{text}", &free_text_id)
            .replace("{code}", "1785")
            .replace("{snapshot}", &snapshot_id);
        let request = |client: &reqwest::Client| match spec.method {
            "GET" => client.get(app.url(&path)),
            _ => client.post(app.url(&path)).form(&[("x", "")]),
        };
        let res = request(&anonymous).send().await.expect("anonymous");
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "anonymous {} {}", spec.method, spec.path);
        let to = res.headers()["location"].to_str().expect("ascii");
        assert!(to.starts_with("/logga-in?nasta="), "{} {} → {to}", spec.method, spec.path);

        for (i, (who, email, admin)) in personas.iter().enumerate() {
            // One login per persona (argon2 is slow on purpose); logging out ends the session,
            // so the next request logs in again.
            if clients[i].is_none() {
                clients[i] = Some(app.login(email.expect("email")).await);
            }
            let client = clients[i].clone().expect("client");
            let status = request(&client).send().await.expect("request").status();
            if spec.path == "/logga-ut" {
                clients[i] = None;
            }
            // Säffle and LPO Arvika are the draft's parties; Årjäng is not. The dialogue is
            // Säffle's, which LPO Arvika covers.
            let party = matches!(*who, "redaktör i Säffle" | "redaktör i LPO Arvika" | "firmatecknare i Säffle");
            let editor = matches!(*who, "redaktör i Säffle" | "redaktör i LPO Arvika");
            let allowed = match spec.access {
                Access::Staff => true,
                Access::Admin => *admin,
                Access::DocumentRead | Access::DialogueRead | Access::SurveyRead | Access::LagesbildRead => {
                    *admin || party
                }
                Access::DocumentEdit
                | Access::DialogueEdit
                | Access::SurveyEdit
                | Access::MunicipalityEdit
                | Access::LagesbildEdit
                | Access::AnyEditor => *admin || editor,
                Access::DocumentSign => *who == "firmatecknare i Säffle",
            };
            if allowed {
                assert!(
                    status.is_success()
                        || status == StatusCode::SEE_OTHER
                        || status == StatusCode::UNPROCESSABLE_ENTITY,
                    "{who}: {} {} answered {status}",
                    spec.method,
                    spec.path
                );
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{who}: {} {}", spec.method, spec.path);
            }
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn login_logout_and_the_session_cookie() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let res = post_form(
        &client,
        &app,
        "/logga-in",
        &[
            ("email", " Redaktor.Saffle@lofte.example "),
            ("password", lofte_db::seed::DEMO_PASSWORD),
            ("nasta", "/konto/losenord"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/konto/losenord", "back to where the person was going");
    let cookie = res.headers()["set-cookie"].to_str().expect("ascii").to_owned();
    assert!(cookie.starts_with("lofte_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"), "{cookie}");

    let page = client.get(app.url("/arbetsyta")).send().await.expect("workspace").text().await.expect("text");
    assert!(
        page.contains("Säffle kommun") && page.contains("du är redaktör") && page.contains("Medborgarlöfte 2024"),
        "{page}"
    );

    // Logging in again gives a new session id (no fixation).
    let again =
        post_form(&client, &app, "/logga-in", &[("email", SAFFLE_EDITOR), ("password", lofte_db::seed::DEMO_PASSWORD)])
            .await;
    let second = again.headers()["set-cookie"].to_str().expect("ascii").to_owned();
    assert_ne!(cookie.split(';').next(), second.split(';').next());

    let out = post_form(&client, &app, "/logga-ut", &[]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(client.get(app.url("/arbetsyta")).send().await.expect("after").status(), StatusCode::SEE_OTHER);
    // Public pages never set a cookie.
    assert!(app.get("/kommun/saffle").await.headers().get("set-cookie").is_none());
    // An open redirect is not followed.
    let evil = post_form(
        &app.client,
        &app,
        "/logga-in",
        &[("email", ARJANG_READER), ("password", lofte_db::seed::DEMO_PASSWORD), ("nasta", "//evil.example/")],
    )
    .await;
    assert_eq!(evil.headers()["location"], "/arbetsyta");
    app.stop().await;
}

#[tokio::test]
async fn wrong_address_and_wrong_password_look_the_same_and_are_throttled() {
    let app = TestApp::spawn().await;
    let attempt = |email: &'static str, password: &'static str| {
        let app = &app;
        async move {
            let res = post_form(&app.client, app, "/logga-in", &[("email", email), ("password", password)]).await;
            let status = res.status();
            (status, res.text().await.expect("text"))
        }
    };
    let (s1, unknown) = attempt("finns.inte@lofte.example", "fel lösenord här").await;
    let (s2, wrong) = attempt(SAFFLE_EDITOR, "fel lösenord här").await;
    assert_eq!((s1, s2), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
    assert!(unknown.contains("Fel e-postadress eller lösenord.") && wrong.contains("Fel e-postadress eller lösenord."));
    assert_eq!(unknown.replace("finns.inte@lofte.example", "X"), wrong.replace(SAFFLE_EDITOR, "X"), "no enumeration");
    assert!(wrong.contains(&format!("value=\"{SAFFLE_EDITOR}\"")), "the address is kept in the form");

    for _ in 0..4 {
        attempt(SAFFLE_EDITOR, "fel lösenord här").await;
    }
    let (status, body) = attempt(SAFFLE_EDITOR, lofte_db::seed::DEMO_PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    assert!(body.contains("För många misslyckade inloggningar. Vänta 15 minuter och försök igen."), "{body}");
    // Another account from the same address is not yet blocked (the per-address limit is higher).
    app.login(ARJANG_READER).await;
    app.stop().await;
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .post(app.url("/logga-in"))
        .header("Sec-Fetch-Site", "cross-site")
        .header("Origin", "https://evil.example")
        .form(&[("email", ADMIN), ("password", lofte_db::seed::DEMO_PASSWORD)])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let body = res.text().await.expect("text");
    assert!(body.contains("Åtkomst nekad"), "{body}");
    let same = app
        .client
        .post(app.url("/logga-in"))
        .header("Sec-Fetch-Site", "same-origin")
        .form(&[("email", ADMIN), ("password", lofte_db::seed::DEMO_PASSWORD)])
        .send()
        .await
        .expect("post");
    assert_eq!(same.status(), StatusCode::SEE_OTHER);
    app.stop().await;
}

#[tokio::test]
async fn demo_accounts_are_refused_when_the_demo_is_off() {
    let app = TestApp::spawn_with(Options { demo: true, demo_logins: false, smtp: None }).await;
    let res =
        post_form(&app.client, &app, "/logga-in", &[("email", ADMIN), ("password", lofte_db::seed::DEMO_PASSWORD)])
            .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn changing_the_password() {
    let app = TestApp::spawn().await;
    let client = app.login(SAFFLE_EDITOR).await;
    let change = |current: &'static str, new: &'static str, repeat: &'static str| {
        let (client, app) = (&client, &app);
        async move {
            let res =
                post_form(client, app, "/konto/losenord", &[("current", current), ("new", new), ("repeat", repeat)])
                    .await;
            (res.status(), res.text().await.expect("text"))
        }
    };
    let (s, body) = change("fel", "ett nytt långt lösenord", "ett nytt långt lösenord").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Det nuvarande lösenordet stämmer inte."));
    let (_, body) = change(lofte_db::seed::DEMO_PASSWORD, "kort", "kort").await;
    assert!(body.contains("minst 10 tecken"));
    let (_, body) = change(lofte_db::seed::DEMO_PASSWORD, "ett nytt långt lösenord", "ett annat långt lösenord").await;
    assert!(body.contains("inte lika"));
    let (s, body) = change(lofte_db::seed::DEMO_PASSWORD, "ett nytt långt lösenord", "ett nytt långt lösenord").await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.contains("Lösenordet är bytt."));
    app.login_with(SAFFLE_EDITOR, "ett nytt långt lösenord").await;
    let old = post_form(
        &app.client,
        &app,
        "/logga-in",
        &[("email", SAFFLE_EDITOR), ("password", lofte_db::seed::DEMO_PASSWORD)],
    )
    .await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn an_invitation_is_a_one_time_link() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let bad = post_form(
        &admin,
        &app,
        "/arbetsyta/inbjudningar",
        &[("email", "inte en adress"), ("name", "Nina Ny"), ("org", "9999"), ("role", "editor")],
    )
    .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = bad.text().await.expect("text");
    assert!(body.contains("Ange en giltig e-postadress.") && body.contains("”9999”"), "{body}");
    assert!(body.contains("value=\"Nina Ny\""), "what was typed is kept");

    let res = post_form(
        &admin,
        &app,
        "/arbetsyta/inbjudningar",
        &[("email", "Nina.Ny@Saffle.example"), ("name", "Nina Ny"), ("org", "1785"), ("role", "editor")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.expect("text");
    let start = body.find(&app.url("/inbjudan/")).expect("link shown to the admin");
    let link: String = body[start..].chars().take_while(|c| *c != '<').collect();
    let path = link.trim_start_matches(&app.url(""));

    let page = app.get_text(path, 200).await;
    assert!(page.contains("redaktör för Säffle kommun") && page.contains("nina.ny@saffle.example"), "{page}");
    let short = post_form(&app.client, &app, path, &[("new", "kort"), ("repeat", "kort")]).await;
    assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let ok = post_form(&app.client, &app, path, &[("new", "Ninas långa lösenord"), ("repeat", "Ninas långa lösenord")])
        .await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let nina = app.login_with("nina.ny@saffle.example", "Ninas långa lösenord").await;
    let ws = nina.get(app.url("/arbetsyta")).send().await.expect("ws").text().await.expect("text");
    assert!(ws.contains("Säffle kommun") && ws.contains("du är redaktör"));
    // Used once: gone.
    assert_eq!(app.get(path).await.status(), StatusCode::GONE);
    let again =
        post_form(&app.client, &app, path, &[("new", "Ninas långa lösenord"), ("repeat", "Ninas långa lösenord")])
            .await;
    assert_eq!(again.status(), StatusCode::GONE);
    assert_eq!(app.get("/inbjudan/nonsens").await.status(), StatusCode::GONE);
    assert_eq!(app.get("/inbjudan/%00").await.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn accounts_from_the_command_line() {
    let app = TestApp::spawn_with(Options { demo: false, ..Options::default() }).await;
    let out = app.cli(
        LOFTE,
        &["user", "add", "--email", "kim@arvika.example", "--name", "Kim", "--org", "1784", "--role", "editor"],
        "Kims långa lösenord\n",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("redaktör för Arvika kommun"));
    app.login_with("kim@arvika.example", "Kims långa lösenord").await;
    let dup = app.cli(
        LOFTE,
        &["user", "add", "--email", "KIM@arvika.example", "--name", "Kim", "--org", "1784"],
        "Kims långa lösenord\n",
    );
    assert_eq!(dup.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&dup.stderr).contains("finns redan ett konto"));
    let short = app.cli(LOFTE, &["user", "add", "--email", "x@y.example", "--name", "X", "--admin"], "kort\n");
    assert_eq!(short.status.code(), Some(1));

    let invite = app.cli(
        LOFTE,
        &[
            "user",
            "invite",
            "--email",
            "lo@arvika.example",
            "--name",
            "Lo",
            "--org",
            "1784",
            "--role",
            "reader",
            "--public-url",
            &app.url(""),
        ],
        "",
    );
    assert!(invite.status.success(), "{}", String::from_utf8_lossy(&invite.stderr));
    let link = String::from_utf8_lossy(&invite.stdout).trim().to_owned();
    assert!(link.starts_with(&app.url("/inbjudan/")), "{link}");
    let page = app.get_text(link.trim_start_matches(&app.url("")), 200).await;
    assert!(page.contains("läsare för Arvika kommun"), "{page}");
    app.stop().await;
}

#[tokio::test]
async fn forgotten_passwords_without_enumeration() {
    let app = TestApp::spawn().await;
    let ask = |email: &'static str| {
        let app = &app;
        async move {
            let res = post_form(&app.client, app, "/glomt-losenord", &[("email", email)]).await;
            (res.status(), res.text().await.expect("text"))
        }
    };
    let known = ask("redaktor.saffle@lofte.example").await;
    let unknown = ask("ingen@lofte.example").await;
    assert_eq!(known, unknown, "the same answer whether or not the account exists");
    assert_eq!(known.0, StatusCode::OK);

    // Without mail, an administrator hands over a link made on the command line.
    app.cli(
        LOFTE,
        &["user", "add", "--email", "eva@saffle.example", "--name", "Eva", "--org", "1785"],
        "Evas gamla lösenord\n",
    );
    let out = app.cli(LOFTE, &["user", "reset", "--email", "eva@saffle.example", "--public-url", &app.url("")], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let link = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let path = link.trim_start_matches(&app.url("")).to_owned();
    assert!(app.get_text(&path, 200).await.contains("eva@saffle.example"));
    let res =
        post_form(&app.client, &app, &path, &[("new", "Evas nya lösenord"), ("repeat", "Evas nya lösenord")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.login_with("eva@saffle.example", "Evas nya lösenord").await;
    assert_eq!(app.get(&path).await.status(), StatusCode::GONE, "one time only");
    // Demo accounts cannot be reset (they share a published password).
    let demo = app.cli(LOFTE, &["user", "reset", "--email", "admin@lofte.example"], "");
    assert_eq!(demo.status.code(), Some(1));
    app.stop().await;
}

#[tokio::test]
async fn with_smtp_invitations_and_reset_links_are_mailed() {
    let smtp = lofte_testkit::FakeSmtp::start().await;
    let app = TestApp::spawn_with(Options { smtp: Some(smtp.clone()), ..Options::default() }).await;
    let admin = app.login(ADMIN).await;
    let res = post_form(
        &admin,
        &app,
        "/arbetsyta/inbjudningar",
        &[("email", "ola@saffle.example"), ("name", "Ola"), ("org", "1785"), ("role", "reader")],
    )
    .await;
    let body = res.text().await.expect("text");
    assert!(body.contains("Inbjudan är skickad till ola@saffle.example."), "{body}");
    assert!(!body.contains("/inbjudan/"), "the link goes by mail only");
    // Quoted-printable: undo soft line breaks and the escaped "=".
    let decode = |m: &str| m.replace("=\n", "").replace("=3D", "=");
    let mails: Vec<String> = smtp.wait_for(1).await.iter().map(|m| decode(m)).collect();
    assert!(
        mails[0].contains("To: ola@saffle.example") && mails[0].contains("Subject: Inbjudan till =?utf-8?"),
        "{}",
        mails[0]
    );
    let start = mails[0].find(&app.url("/inbjudan/")).expect("link in mail");
    let link: String = mails[0][start..].chars().take_while(|c| !c.is_whitespace()).collect();
    assert!(app.get_text(link.trim_start_matches(&app.url("")), 200).await.contains("läsare för Säffle kommun"));

    post_form(&app.client, &app, "/glomt-losenord", &[("email", "ingen@lofte.example")]).await;
    app.cli(
        LOFTE,
        &["user", "add", "--email", "eva@saffle.example", "--name", "Eva", "--org", "1785"],
        "Evas gamla lösenord\n",
    );
    post_form(&app.client, &app, "/glomt-losenord", &[("email", "Eva@Saffle.example")]).await;
    let mails: Vec<String> = smtp.wait_for(2).await.iter().map(|m| decode(m)).collect();
    assert_eq!(smtp.count(), 2, "no mail for an unknown address");
    assert!(mails[1].contains("To: eva@saffle.example") && mails[1].contains("/aterstall/"), "{}", mails[1]);
    app.stop().await;
}

/// Logins sent all at once are counted one by one: no more than the limit get checked.
#[tokio::test]
async fn parallel_guesses_do_not_slip_past_the_limit() {
    let app = TestApp::spawn().await;
    let tries = (0..30).map(|_| {
        let (client, url) = (app.client.clone(), app.url("/logga-in"));
        tokio::spawn(async move {
            client
                .post(url)
                .form(&[("email", ARJANG_READER), ("password", "fel lösenord här")])
                .send()
                .await
                .expect("post")
                .status()
        })
    });
    let mut checked = 0;
    for t in tries {
        if t.await.expect("join") == StatusCode::UNAUTHORIZED {
            checked += 1;
        }
    }
    assert!(checked <= 5, "{checked} guesses were checked");
    app.stop().await;
}

#[tokio::test]
async fn sessions_end_with_the_demo_and_with_a_new_password() {
    let mut app = TestApp::spawn().await;
    let demo_admin = app.login(ADMIN).await;
    assert_eq!(demo_admin.get(app.url("/arbetsyta")).send().await.expect("ws").status(), StatusCode::OK);
    app.cli(
        LOFTE,
        &["user", "add", "--email", "eva@saffle.example", "--name", "Eva", "--org", "1785", "--role", "editor"],
        "Evas gamla lösenord\n",
    );
    let eva_one = app.login_with("eva@saffle.example", "Evas gamla lösenord").await;
    let eva_two = app.login_with("eva@saffle.example", "Evas gamla lösenord").await;
    let old_link =
        String::from_utf8_lossy(&app.cli(LOFTE, &["user", "reset", "--email", "eva@saffle.example"], "").stdout)
            .trim()
            .to_owned();
    let old_path = old_link.trim_start_matches("http://127.0.0.1:8080").to_owned();

    let res = eva_one
        .post(app.url("/konto/losenord"))
        .form(&[("current", "Evas gamla lösenord"), ("new", "Evas nya lösenord"), ("repeat", "Evas nya lösenord")])
        .send()
        .await
        .expect("change");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        eva_one.get(app.url("/arbetsyta")).send().await.expect("one").status(),
        StatusCode::OK,
        "this session goes on"
    );
    assert_eq!(
        eva_two.get(app.url("/arbetsyta")).send().await.expect("two").status(),
        StatusCode::SEE_OTHER,
        "the other ends"
    );
    assert_eq!(app.get(&old_path).await.status(), StatusCode::GONE, "outstanding reset links end");

    // Restarted without the demo: the demo admin's session no longer works.
    app.restart(Options { demo: true, demo_logins: false, smtp: None }).await;
    assert_eq!(demo_admin.get(app.url("/arbetsyta")).send().await.expect("after").status(), StatusCode::SEE_OTHER);
    assert_eq!(eva_one.get(app.url("/arbetsyta")).send().await.expect("eva").status(), StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn staff_pages_are_never_cached() {
    let app = TestApp::spawn().await;
    let client = app.login(SAFFLE_EDITOR).await;
    let res = client.get(app.url("/arbetsyta")).send().await.expect("ws");
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_ne!(
        app.get("/kommun/saffle").await.headers().get("cache-control").map(|v| v.to_str().unwrap_or("")),
        Some("no-store")
    );
    app.stop().await;
}

#[tokio::test]
async fn admins_see_every_document_and_invitations_say_when_a_role_changes() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let ws = admin.get(app.url("/arbetsyta")).send().await.expect("ws").text().await.expect("text");
    assert!(
        ws.contains("Alla medborgarlöften") && ws.contains(&format!("/arbetsyta/lofte/{}", crate::SAFFLE_ID)),
        "{ws}"
    );
    let editor = app.login(SAFFLE_EDITOR).await;
    let ws = editor.get(app.url("/arbetsyta")).send().await.expect("ws").text().await.expect("text");
    assert!(!ws.contains("Alla medborgarlöften"));

    let out = app.cli(
        LOFTE,
        &[
            "user",
            "invite",
            "--email",
            SAFFLE_EDITOR,
            "--name",
            "Sara",
            "--org",
            "1785",
            "--role",
            "reader",
            "--public-url",
            &app.url(""),
        ],
        "",
    );
    let link = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let page = app.get_text(link.trim_start_matches(&app.url("")), 200).await;
    assert!(
        page.contains(
            "Du är i dag redaktör för Säffle kommun. Tar du emot inbjudan blir din roll där läsare i stället."
        ),
        "{page}"
    );
    app.stop().await;
}
