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
    browser.client.find(Locator::Css("form.search button")).await.expect("button").click().await.expect("click");
    let link = browser.client.wait().for_element(Locator::Css("ul.results a")).await.expect("result link");
    assert_eq!(link.text().await.expect("text"), "Säffle");
    link.click().await.expect("follow");
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
