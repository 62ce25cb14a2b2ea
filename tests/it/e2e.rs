//! Pages in real headless Chromium, each checked with axe-core (WCAG 2.1 A and AA).

use fantoccini::Locator;
use lofte_testkit::{Browser, TestApp};

use crate::SAFFLE_ID;

#[tokio::test]
async fn public_pages_are_accessible_and_work_in_a_browser() {
    let app = TestApp::spawn().await;
    let Some(browser) = Browser::start().await else { return };

    for path in [
        "/",
        "/?q=s%C3%A4ff",
        "/?q=zzzz",
        "/kommun/saffle",
        "/kommun/arjang",
        "/kommun/finns-inte",
        &format!("/lofte/{SAFFLE_ID}"),
    ] {
        browser.assert_accessible(&app.url(path)).await;
    }

    // Search with the form, as a person would, and follow the result.
    browser.goto(&app.url("/")).await;
    let input = browser.client.find(Locator::Id("sok-kommun")).await.expect("search box");
    input.send_keys("säffle").await.expect("type");
    browser.click_and_wait(browser.client.find(Locator::Css("form.search button")).await.expect("button")).await;
    let link = browser.client.wait().for_element(Locator::Css("ul.results a")).await.expect("result link");
    assert_eq!(link.text().await.expect("text"), "Säffle");
    browser.click_and_wait(link).await;
    let h1 = browser.client.wait().for_element(Locator::Css("h1.municipality")).await.expect("h1");
    let h1 = h1.text().await.expect("text");
    assert_eq!(h1, "Säffle – medborgarlöften");
    assert!(browser.client.current_url().await.expect("url").path().ends_with("/kommun/saffle"));

    // Readable on a phone: nothing wider than the screen.
    browser.client.set_window_size(375, 800).await.expect("resize");
    browser.goto(&app.url("/kommun/saffle")).await;
    let overflow = browser
        .client
        .execute("return document.documentElement.scrollWidth - document.documentElement.clientWidth;", vec![])
        .await
        .expect("measure");
    assert!(overflow.as_i64().is_some_and(|o| o <= 0), "horizontal overflow of {overflow} px at 375 px");
    let violations = browser.axe_violations().await;
    assert!(violations.is_empty(), "axe on a phone-sized window: {violations:?}");

    browser.close().await;
    app.stop().await;
}

/// The staff flow in a real browser, checked with axe-core on every page it meets, error states
/// included: log in, copy the promise in force into a draft, change an activity's owner, add a
/// theme, move it, save, see the diff and the preview, then a stale save and a validation error.
#[tokio::test]
async fn staff_author_a_draft_in_a_browser() {
    let app = TestApp::spawn().await;
    let Some(browser) = Browser::start().await else { return };
    let c = &browser.client;
    let find = |css: &'static str| async move {
        c.wait().for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"))
    };

    browser.assert_accessible(&app.url("/logga-in")).await;
    find("#email").await.send_keys("redaktor.saffle@lofte.example").await.expect("email");
    find("#password").await.send_keys("fel lösenord").await.expect("password");
    browser.click_and_wait(find("form.stack button").await).await;
    find("#login-fel").await;
    assert!(browser.axe_violations().await.is_empty(), "login error state");
    find("#password").await.send_keys(lofte_db::seed::DEMO_PASSWORD).await.expect("password");
    browser.click_and_wait(find("form.stack button").await).await;
    find("form.new-draft").await;
    assert!(browser.axe_violations().await.is_empty(), "workspace");

    browser.click_and_wait(find("form.new-draft button[value=copy]").await).await;
    find("#t0_a3_party").await;
    assert!(browser.axe_violations().await.is_empty(), "edit form");
    find("#t0_a3_party").await.select_by_value("other").await.expect("party");
    find("#t0_a3_party_name").await.send_keys("Säffle Bostäder").await.expect("name");
    browser.click_and_wait(find("button[value=add_theme]").await).await;
    find("#t3_name").await.send_keys("Trygghet i centrum").await.expect("theme");
    browser.click_and_wait(find("button[value='up_theme:3']").await).await;
    let moved = find("#t2_name").await.prop("value").await.expect("value");
    assert_eq!(moved.as_deref(), Some("Trygghet i centrum"));
    assert_eq!(find("#t0_a3_party_name").await.prop("value").await.expect("value").as_deref(), Some("Säffle Bostäder"));
    browser.click_and_wait(find("button.primary").await).await;
    find("ul.actions").await;
    assert!(browser.axe_violations().await.is_empty(), "document overview");
    let edit_url = c.current_url().await.expect("url").to_string() + "/redigera";

    browser.click_and_wait(c.find(Locator::LinkText("Jämför med version 1")).await.expect("diff link")).await;
    find("ul.changes").await;
    assert!(browser.axe_violations().await.is_empty(), "diff");
    let diff = c.source().await.expect("source");
    assert!(diff.contains("Trygghet i centrum") && diff.contains("Säffle Bostäder"));
    browser.goto(&edit_url.replace("/redigera", "/forhandsgranska")).await;
    find("article.promise").await;
    assert!(browser.axe_violations().await.is_empty(), "preview");

    // Someone else saves meanwhile: the browser's save is refused and shows what changed.
    browser.goto(&edit_url).await;
    find("#title").await;
    let other = app.login("redaktor.arvika@lofte.example").await;
    let html = other.get(&edit_url).send().await.expect("other").text().await.expect("text");
    let version =
        html.split("name=\"version\" value=\"").nth(1).and_then(|v| v.split('"').next()).expect("version").to_owned();
    let id = edit_url.trim_end_matches("/redigera").rsplit('/').next().expect("id").to_owned();
    let current =
        lofte_db::promises::get(&app.db, uuid::Uuid::parse_str(&id).expect("uuid")).await.expect("get").expect("doc");
    let mut changed = current.document.clone();
    changed.title = "Polisens titel".into();
    lofte_db::drafts::save(
        &app.db,
        changed,
        version.parse().expect("number"),
        lofte_db::promises::Actor { id: None, name: "Per" },
    )
    .await
    .expect("other save");
    find("#follow_up").await.send_keys(" Mitt tillägg.").await.expect("type");
    browser.click_and_wait(find("button.primary").await).await;
    find("div.error ul.changes").await;
    assert!(browser.axe_violations().await.is_empty(), "stale save page");
    let kept = find("#follow_up").await.prop("value").await.expect("value").unwrap_or_default();
    assert!(kept.ends_with("Mitt tillägg."), "{kept}");

    // A validation error, shown next to the field.
    find("#title").await.clear().await.expect("clear");
    browser.click_and_wait(find("button.primary").await).await;
    find("#title-fel").await;
    assert!(browser.axe_violations().await.is_empty(), "validation error state");

    for path in [
        "/konto/losenord",
        "/inbjudan/finns-inte",
        "/arbetsyta/inbjudningar",
        "/glomt-losenord",
        "/aterstall/finns-inte",
    ] {
        browser.assert_accessible(&app.url(path)).await;
    }

    // An administrator invites someone; the invited person's page.
    browser.goto(&app.url("/arbetsyta")).await;
    browser.click_and_wait(find(".staff-bar button").await).await;
    find("#gallande").await;
    browser.goto(&app.url("/logga-in")).await;
    find("#email").await.send_keys("admin@lofte.example").await.expect("email");
    find("#password").await.send_keys(lofte_db::seed::DEMO_PASSWORD).await.expect("password");
    browser.click_and_wait(find("form.stack button").await).await;
    find("h1").await;
    browser.goto(&app.url("/arbetsyta/inbjudningar")).await;
    find("#inv-email").await.send_keys("nina@saffle.example").await.expect("email");
    find("#inv-org").await.send_keys("9999").await.expect("org");
    find("#inv-name").await.send_keys("Nina").await.expect("name");
    browser.click_and_wait(find("form[action='/arbetsyta/inbjudningar'] button").await).await;
    find("div.error").await;
    assert!(browser.axe_violations().await.is_empty(), "invitation error state");
    find("#inv-org").await.clear().await.expect("clear");
    find("#inv-org").await.send_keys("1785").await.expect("org");
    browser.click_and_wait(find("form[action='/arbetsyta/inbjudningar'] button").await).await;
    let link = find("div.notice code").await.text().await.expect("link");
    assert!(browser.axe_violations().await.is_empty(), "invitation created");
    browser.assert_accessible(&link).await;
    browser.close().await;
    app.stop().await;
}

/// Signing in a real browser, axe-core on every page and error state: an editor freezes a
/// draft, the municipality's signatory mistypes the password and then signs, the police area's
/// signatory signs, and the public record shows the promise, its changes and a sealed download
/// that the verify page accepts.
#[tokio::test]
async fn two_signatories_sign_in_a_browser() {
    let app = TestApp::spawn().await;
    let Some(browser) = Browser::start().await else { return };
    let c = &browser.client;
    let find = |css: &'static str| async move {
        c.wait().for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"))
    };
    let draft = crate::demo_with(|d| {
        d.id = None;
        d.status = lofte_domain::Status::Draft;
        d.title = "Medborgarlöfte 2025".into();
        d.year = 2025;
        d.themes[1].activities[2].text = "Fotpatrullering och cykelpatrullering".into();
    });
    let id = lofte_db::drafts::create(&app.db, draft, lofte_db::promises::Actor::IMPORT).await.expect("draft");
    let overview = app.url(&format!("/arbetsyta/lofte/{id}"));
    let login_url = app.url(&format!("/logga-in?nasta=/arbetsyta/lofte/{id}"));
    let login = |email: &'static str| {
        let overview = overview.clone();
        let login_url = login_url.clone();
        let browser = &browser;
        async move {
            browser.goto(&login_url).await;
            find("#email").await.send_keys(email).await.expect("email");
            find("#password").await.send_keys(lofte_db::seed::DEMO_PASSWORD).await.expect("password");
            browser.click_and_wait(find("form.stack button").await).await;
            find("#underskrift").await;
            assert_eq!(c.current_url().await.expect("url").as_str(), overview);
        }
    };
    let logout = || async {
        browser.click_and_wait(find(".staff-bar button").await).await;
        find("h1").await;
    };

    login("redaktor.saffle@lofte.example").await;
    assert!(browser.axe_violations().await.is_empty(), "overview of a draft");
    browser.click_and_wait(find("form[action$='/las'] button").await).await;
    let hash = find("#sha256").await.text().await.expect("hash");
    assert_eq!(hash.len(), 64);
    assert!(browser.axe_violations().await.is_empty(), "frozen document with the paper form");
    logout().await;

    login("firmatecknare.saffle@lofte.example").await;
    find("#sign-title").await.send_keys("Kommunstyrelsens ordförande").await.expect("title");
    find("#sign-password").await.send_keys("inte mitt lösenord").await.expect("password");
    browser.click_and_wait(find("form[action$='/underteckna'] button").await).await;
    find("#underteckna-fel").await;
    assert!(browser.axe_violations().await.is_empty(), "signing error state");
    let kept = find("#sign-title").await.prop("value").await.expect("value");
    assert_eq!(kept.as_deref(), Some("Kommunstyrelsens ordförande"), "what was typed stays");
    find("#sign-password").await.send_keys(lofte_db::seed::DEMO_PASSWORD).await.expect("password");
    browser.click_and_wait(find("form[action$='/underteckna'] button").await).await;
    find("#underskrift").await;
    assert!(c.source().await.expect("source").contains("Sven Ordförande, Kommunstyrelsens ordförande"));
    assert!(browser.axe_violations().await.is_empty(), "one party has signed");
    logout().await;

    login("firmatecknare.arvika@lofte.example").await;
    find("#sign-title").await.send_keys("Lokalpolisområdeschef").await.expect("title");
    find("#sign-password").await.send_keys(lofte_db::seed::DEMO_PASSWORD).await.expect("password");
    browser.click_and_wait(find("form[action$='/underteckna'] button").await).await;
    find("#withdraw-reason").await;
    assert!(browser.axe_violations().await.is_empty(), "in force, with the withdrawal form");

    browser.goto(&app.url("/kommun/saffle")).await;
    let signed = find("p.signed").await.text().await.expect("signed line");
    assert!(signed.contains("Sven Ordförande") && signed.contains("Per Lokalpolisområdeschef"), "{signed}");
    assert!(browser.axe_violations().await.is_empty(), "municipality page with archive");
    for path in
        [format!("/lofte/{id}"), format!("/lofte/{id}/andringar"), format!("/lofte/{SAFFLE_ID}"), "/verifiera".into()]
    {
        browser.assert_accessible(&app.url(&path)).await;
    }

    // Download the sealed document and check it on the verify page with the file picker.
    let sealed = app.get_text(&format!("/lofte/{id}/forseglat.json"), 200).await;
    let file = std::env::temp_dir().join(format!("lofte-{id}.json"));
    std::fs::write(&file, sealed).expect("write");
    browser.goto(&app.url("/verifiera")).await;
    find("#fil").await.send_keys(file.to_str().expect("path")).await.expect("choose file");
    browser.click_and_wait(find("form[action='/verifiera'] button").await).await;
    let verdict = find("div.notice h2").await.text().await.expect("verdict");
    assert_eq!(verdict, "Dokumentet är äkta och oförändrat");
    assert!(browser.axe_violations().await.is_empty(), "verified");
    find("#text").await.send_keys("{\"format\": \"något annat\"}").await.expect("paste");
    browser.click_and_wait(find("form[action='/verifiera'] button").await).await;
    find("div.error").await;
    assert!(browser.axe_violations().await.is_empty(), "not verified");
    let _ = std::fs::remove_file(file);
    browser.close().await;
    app.stop().await;
}

/// An editor pastes a published text, sees it read beside the source, corrects an owner in the
/// text, reads again, and saves it as a draft: no JavaScript needed, axe finds nothing.
#[tokio::test]
async fn an_editor_imports_a_published_text_in_a_browser() {
    let app = TestApp::spawn().await;
    let Some(browser) = Browser::start().await else { return };
    let c = &browser.client;
    let find = |css: &'static str| async move {
        c.wait().for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"))
    };
    browser.goto(&app.url("/logga-in?nasta=/arbetsyta/importera")).await;
    find("#email").await.send_keys("redaktor.saffle@lofte.example").await.expect("email");
    find("#password").await.send_keys(lofte_db::seed::DEMO_PASSWORD).await.expect("password");
    browser.click_and_wait(find("form.stack button").await).await;
    find("#text").await;
    assert!(browser.axe_violations().await.is_empty(), "empty import page");

    let text = "Medborgarlöfte 2023\n\nSäffle kommun och lokalpolisområde Arvika.\n\nLöften\n\n\
                • Polisen och kommunen lovar att öka tryggheten vid resecentrum.\n\nAktiviteter\n\n\
                Resecentrum\n\n• Fotpatrullering vid resecentrum\n• Ny belysning i gångtunneln\n";
    find("#text").await.send_keys(text).await.expect("text");
    browser.click_and_wait(find("button[value=read]").await).await;
    find("#resultat").await;
    assert!(browser.axe_violations().await.is_empty(), "import result");
    let page = c.source().await.expect("source");
    assert!(page.contains("inget angivet, antaget gemensamt"), "an owner the text does not give is flagged");

    // Correct the text: say who owns the lighting, read again.
    let area = find("#text").await;
    area.clear().await.expect("clear");
    area.send_keys(&text.replace("gångtunneln\n", "gångtunneln (Kommunen)\n")).await.expect("text");
    browser.click_and_wait(find("button[value=read]").await).await;
    find("#resultat").await;
    let page = c.source().await.expect("source");
    assert!(page.contains("Ny belysning i gångtunneln <span class=\"meta\">– Kommunen"), "{page}");

    browser.click_and_wait(find("button[value=draft]").await).await;
    find("#t0_a1_party").await;
    assert_eq!(find("#t0_a1_party").await.prop("value").await.expect("value").as_deref(), Some("municipality"));
    assert_eq!(find("#title").await.prop("value").await.expect("value").as_deref(), Some("Medborgarlöfte 2023"));
}
