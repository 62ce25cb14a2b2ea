use lofte_testkit::TestApp;
use serde_json::{Value, json};

use crate::{DEMO_JSON, SAFFLE_ID};

fn assert_problem(v: &Value, status: u16, code: &str) {
    assert_eq!(v["status"], status, "{v}");
    assert_eq!(v["code"], code, "{v}");
    assert_eq!(v["type"], "about:blank");
    assert!(v["title"].as_str().is_some_and(|t| !t.is_empty()), "{v}");
}

#[tokio::test]
async fn municipalities_are_all_there() {
    let app = TestApp::spawn().await;
    let list = app.get_json("/api/v1/municipalities", 200).await;
    let list = list.as_array().expect("array");
    assert_eq!(list.len(), 290);
    let saffle = list.iter().find(|m| m["code"] == "1785").expect("Säffle");
    assert_eq!(
        saffle,
        &json!({"code": "1785", "name": "Säffle", "slug": "saffle", "county": {"code": "17", "name": "Värmlands län"},
                "police_region": "Bergslagen", "in_force_promise_id": SAFFLE_ID})
    );
    assert_eq!(list.iter().filter(|m| !m["in_force_promise_id"].is_null()).count(), 1);
    app.stop().await;
}

#[tokio::test]
async fn one_municipality_with_its_police_area() {
    let app = TestApp::spawn().await;
    let m = app.get_json("/api/v1/municipalities/1785", 200).await;
    assert_eq!(m["name"], "Säffle");
    assert_eq!(m["in_force_promise_id"], SAFFLE_ID);
    assert_eq!(m["police_areas"], json!([{"name": "Arvika", "police_region": "Bergslagen"}]));
    assert_eq!(app.get_json("/api/v1/municipalities/saffle", 200).await, m, "the slug works too");
    let none = app.get_json("/api/v1/municipalities/1765", 200).await;
    assert_eq!(none["name"], "Årjäng");
    assert_eq!(none["in_force_promise_id"], Value::Null);
    assert_eq!(none["police_areas"], json!([]));
    let promises = app.get_json("/api/v1/municipalities/1785/promises", 200).await;
    assert_eq!(
        promises,
        json!([{"id": SAFFLE_ID, "title": "Medborgarlöfte 2024", "year": 2024, "status": "in_force",
                "period": {"start": null, "end": null}, "police_area": "Arvika", "valid_from": null, "valid_to": null, "standing": "in_force"}])
    );
    assert_eq!(app.get_json("/api/v1/municipalities/1765/promises", 200).await, json!([]));
    app.stop().await;
}

#[tokio::test]
async fn the_promise_is_the_interchange_document() {
    let app = TestApp::spawn().await;
    let got = app.get_json(&format!("/api/v1/promises/{SAFFLE_ID}"), 200).await;
    assert_eq!(got, crate::demo_published());
    app.stop().await;
}

#[tokio::test]
async fn errors_are_problem_documents() {
    let app = TestApp::spawn().await;
    for (path, status, code) in [
        ("/api/v1/municipalities/17", 400, "bad_request"),
        ("/api/v1/municipalities/abcd", 404, "not_found"),
        ("/api/v1/municipalities/S%C3%A4ffle", 400, "bad_request"),
        ("/api/v1/municipalities/9999", 404, "not_found"),
        ("/api/v1/municipalities/9999/promises", 404, "not_found"),
        ("/api/v1/municipalities/1X/promises", 400, "bad_request"),
        ("/api/v1/promises/not-a-uuid", 400, "bad_request"),
        ("/api/v1/promises/01935f3a-8c00-7000-8000-000000000000", 404, "not_found"),
        ("/api/v1/nothing", 404, "not_found"),
        ("/api/v2/municipalities", 404, "not_found"),
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status(), status, "{path}");
        assert_eq!(res.headers()["content-type"], "application/problem+json", "{path}");
        let body: Value = res.json().await.expect("json");
        assert_problem(&body, status, code);
    }
    let res = app.client.delete(app.url("/api/v1/municipalities")).send().await.expect("delete");
    assert_eq!(res.status(), 405);
    assert_problem(&res.json().await.expect("json"), 405, "method_not_allowed");

    let huge = vec![b' '; lofte_web::MAX_BODY_BYTES + 1];
    let res = app.client.post(app.url("/api/v1/promises/validate")).body(huge).send().await.expect("post");
    assert_eq!(res.status(), 413);
    assert_problem(&res.json().await.expect("json"), 413, "payload_too_large");
    app.stop().await;
}

#[tokio::test]
async fn validation_says_what_and_where() {
    let app = TestApp::spawn().await;
    let post = |body: String| app.client.post(app.url("/api/v1/promises/validate")).body(body).send();

    let ok = post(DEMO_JSON.to_owned()).await.expect("post");
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.json::<Value>().await.expect("json"), json!({"valid": true, "documents": 1}));

    let mut doc: Value = serde_json::from_str(DEMO_JSON).expect("json");
    doc["municipalities"][0]["code"] = json!("1786");
    doc["themes"][2]["activities"][0]["party"] = json!("other");
    doc["period"] = json!({"start": "2024-05-01", "end": "2024-01-01"});
    let res = post(doc.to_string()).await.expect("post");
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.expect("json");
    assert_problem(&problem, 422, "invalid_document");
    let paths: Vec<&str> =
        problem["errors"].as_array().expect("errors").iter().filter_map(|e| e["path"].as_str()).collect();
    assert_eq!(paths, ["period.end", "themes[2].activities[0].party_name", "municipalities[0].code"]);

    let res = post("{\"title\": ".to_owned()).await.expect("post");
    let problem: Value = res.json().await.expect("json");
    assert_eq!(problem["errors"][0]["path"], "rad 1, kolumn 10");

    // NUL and other control characters are refused before anything reaches the database.
    let res = post(
        r#"{"municipalities":[{"code":"\u0000"}],"police_area":{"name":"A\u0000"},"title":"T","year":2024}"#.to_owned(),
    )
    .await
    .expect("post");
    assert_eq!(res.status(), 422);
    let res = app.client.post(app.url("/api/v1/promises/validate")).body(vec![0xff, 0xfe]).send().await.expect("post");
    assert_eq!(res.status(), 422);
    app.stop().await;
}

#[tokio::test]
async fn no_input_makes_the_server_answer_500() {
    let app = TestApp::spawn().await;
    let nasty = [
        "/kommun/",
        "/kommun/%00",
        "/kommun/%FF",
        "/kommun/..%2F..%2Fetc%2Fpasswd",
        "/kommun/a%20b",
        "/kommun/ÅÄÖ",
        "/kommun/0000",
        "/kommun/-",
        "/kommun/1785/extra",
        "/lofte/%00",
        "/lofte/",
        "/?q=%00",
        "/?q=%",
        "/?q=&q=x",
        "/api/v1/municipalities/%00",
        "/api/v1/municipalities/%FF%FF%FF%FF",
        "/api/v1/promises/%00",
        "/api/v1/promises/00000000-0000-0000-0000-000000000000",
        "/api/openapi.json/x",
        "/static/../Cargo.toml",
    ];
    let long = format!("/kommun/{}", "a".repeat(5000));
    for path in nasty.iter().copied().chain([long.as_str()]) {
        let res = app.get(path).await;
        assert!(res.status().as_u16() < 500, "{path} answered {}", res.status());
    }
    app.stop().await;
}

/// Random text in every path parameter and in the search box: never a 500.
#[tokio::test]
async fn random_input_in_every_route_never_answers_500() {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;
    let app = TestApp::spawn().await;
    let mut runner = TestRunner::deterministic();
    let strategy = proptest::string::string_regex("(\\PC|[\\x00-\\x1f%/?#]){0,40}").expect("regex");
    for _ in 0..150 {
        let raw = strategy.new_tree(&mut runner).expect("value").current();
        let enc: String = raw.bytes().map(|b| format!("%{b:02X}")).collect();
        for path in [
            format!("/kommun/{enc}"),
            format!("/lofte/{enc}"),
            format!("/?q={enc}"),
            format!("/api/v1/municipalities/{enc}"),
            format!("/api/v1/municipalities/{enc}/promises"),
            format!("/api/v1/promises/{enc}"),
            format!("/api/v1/municipalities/1785/promises?at={enc}"),
            format!("/lofte/{enc}/andringar"),
            format!("/lofte/{enc}/forseglat.json"),
        ] {
            let res = app.get(&path).await;
            assert!(res.status().as_u16() < 500, "{path} ({raw:?}) answered {}", res.status());
        }
        let res = app.client.post(app.url("/api/v1/promises/validate")).body(raw.clone()).send().await.expect("post");
        assert!(res.status().as_u16() < 500, "validate({raw:?}) answered {}", res.status());
        let form = reqwest::multipart::Form::new().text("text", raw.clone());
        let res = app.client.post(app.url("/verifiera")).multipart(form).send().await.expect("post");
        assert!(res.status().as_u16() < 500, "verifiera({raw:?}) answered {}", res.status());
        let res = app
            .client
            .post(app.url("/verifiera"))
            .header("content-type", "multipart/form-data; boundary=x")
            .body(raw.clone())
            .send()
            .await
            .expect("post");
        assert!(res.status().as_u16() < 500, "verifiera(raw body {raw:?}) answered {}", res.status());
    }
    app.stop().await;
}

#[tokio::test]
async fn openapi_document_snapshot() {
    let app = TestApp::spawn().await;
    let spec = app.get_json("/api/openapi.json", 200).await;
    assert_eq!(spec["openapi"].as_str().map(|v| v.starts_with("3.")), Some(true));
    for path in [
        "/api/v1/municipalities",
        "/api/v1/municipalities/{code}",
        "/api/v1/municipalities/{code}/promises",
        "/api/v1/promises/{id}",
        "/api/v1/promises/validate",
    ] {
        assert!(spec["paths"][path].is_object(), "{path} missing from the OpenAPI document");
    }
    insta::assert_json_snapshot!("openapi", spec, { ".info.version" => "[version]" });
    app.stop().await;
}
