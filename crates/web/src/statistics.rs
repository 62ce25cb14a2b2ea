//! Staff pages of statistics: a municipality's indicators (latest figure, source, the county
//! and the nation beside it), uploading a file from Kolada, SCB, Polisen or Brå (all or nothing;
//! an error names the line or record and keeps the choices made), one indicator's series with
//! the gender split and a chart, describing an indicator, and entering a single value with a
//! source note. Statistics are shared by every municipality, so any editor (or admin) may
//! import; everyone signed in may read.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use lofte_db::DbError;
use lofte_db::promises::Actor;
use lofte_db::statistics::{self, ImportRecord, Stored};
use lofte_domain::auth::{Role, Staff};
use lofte_domain::statistics::places::Places;
use lofte_domain::statistics::{
    Batch, Better, Gender, ImportError, Indicator, Level, NATION, Observation, Source, Unit, bra, kolada, polisen, scb,
    valid_period,
};
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::dialogues::{municipalities_of, municipality_name};
use crate::error::AppError;
use crate::lagesbild::{StatView, number, stat_view_of};

fn render(status: StatusCode, t: &impl Template) -> Result<Response, AppError> {
    Ok((status, Html(t.render()?)).into_response())
}

fn actor(staff: &Staff) -> Actor<'_> {
    Actor { id: Some(&staff.id), name: &staff.name }
}

/// Editors of any organisation, and admins, may import and enter statistics.
pub fn may_import(staff: &Staff) -> bool {
    staff.is_admin || staff.memberships.iter().any(|(_, role)| *role == Role::Editor)
}

fn places() -> Result<Places, AppError> {
    Ok(Places::new(&lofte_db::seed::reference_data()?))
}

pub struct IndicatorRow {
    pub key: String,
    pub name: String,
    pub source: &'static str,
    pub period: String,
    pub value: String,
    pub unit: &'static str,
}

pub struct ImportView {
    pub when: String,
    pub source: String,
    pub label: String,
    pub observations: i64,
    pub by: String,
}

/// The upload form's fields, kept when a file fails.
#[derive(Default)]
pub struct UploadFields {
    pub source: String,
    pub name: String,
    pub year: String,
    pub dry_run: bool,
}

#[derive(Template)]
#[template(path = "statistics.html")]
struct IndexPage {
    search_value: String,
    choices: Vec<(String, String)>,
    code: String,
    name: String,
    rows: Vec<IndicatorRow>,
    imports: Vec<ImportView>,
    can_import: bool,
    fields: UploadFields,
    errors: Vec<String>,
    warnings: Vec<String>,
    result: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct IndexParams {
    #[serde(default)]
    kommun: String,
}

async fn index_page(state: &AppState, staff: &Staff, code: &str) -> Result<IndexPage, AppError> {
    let choices = municipalities_of(state, staff, false).await?;
    let code = match code.trim() {
        "" if !staff.is_admin => choices.first().map(|(c, _)| c.clone()).unwrap_or_default(),
        c => c.to_owned(),
    };
    let name = if code.is_empty() {
        String::new()
    } else {
        municipality_name(state, &code).await?.ok_or(AppError::NotFound)?
    };
    let mut rows = Vec::new();
    if !code.is_empty() {
        let series = statistics::series_of_region(&state.db, &code).await?;
        let indicators: BTreeMap<String, Indicator> =
            statistics::indicators(&state.db).await?.into_iter().map(|i| (i.key.clone(), i)).collect();
        for (key, points) in &series {
            let Some(i) = indicators.get(key) else { continue };
            let latest = points.iter().rev().find(|(_, v)| v.is_some());
            rows.push(IndicatorRow {
                key: key.clone(),
                name: i.name.clone(),
                source: i.source.sv(),
                period: latest.map(|(p, _)| p.clone()).unwrap_or_default(),
                value: latest.and_then(|(_, v)| *v).map_or_else(|| "–".to_owned(), number),
                unit: i.unit.sv(),
            });
        }
        // Own indicators show even before they have a value here, so that values can be entered.
        for i in indicators.values().filter(|i| i.source == Source::Manual && !series.contains_key(&i.key)) {
            rows.push(IndicatorRow {
                key: i.key.clone(),
                name: i.name.clone(),
                source: i.source.sv(),
                period: String::new(),
                value: "–".to_owned(),
                unit: i.unit.sv(),
            });
        }
        rows.sort_by_cached_key(|r| lofte_domain::sv_sort_key(&r.name));
    }
    let imports = statistics::imports(&state.db, 20)
        .await?
        .into_iter()
        .map(|r: ImportRecord| ImportView {
            when: crate::views::time_label(&r.made_at),
            source: Source::from_code(&r.source).map_or(r.source.clone(), |s| s.sv().to_owned()),
            label: r.label,
            observations: r.observations,
            by: r.made_by,
        })
        .collect();
    Ok(IndexPage {
        search_value: String::new(),
        choices,
        code,
        name,
        rows,
        imports,
        can_import: may_import(staff),
        fields: UploadFields { source: "kolada".into(), ..UploadFields::default() },
        errors: vec![],
        warnings: vec![],
        result: None,
    })
}

/// `/arbetsyta/statistik?kommun=1785`: the municipality's indicators, imports, upload.
pub async fn index(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Query(q): Query<IndexParams>,
) -> Result<Response, AppError> {
    render(StatusCode::OK, &index_page(&state, &staff, &q.kommun).await?)
}

fn describe(s: &Stored, dry_run: bool, polisen: bool) -> String {
    let events = if polisen { format!(", {} nya händelser", s.new_events) } else { String::new() };
    if dry_run {
        format!(
            "Provläsning: {} indikatorer och {} värden ({} nya){events} kan importeras. Inget har sparats.",
            s.indicators, s.observations, s.new_observations
        )
    } else {
        format!(
            "Importerat: {} indikatorer och {} värden ({} nya){events}.",
            s.indicators, s.observations, s.new_observations
        )
    }
}

/// Reads an uploaded file of the chosen source and stores it (unless a dry run). Any error:
/// nothing is stored, the error names the line or record, and the choices stay.
pub async fn upload(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Query(q): Query<IndexParams>,
    mut form: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    if !may_import(&staff) {
        return Err(AppError::Forbidden);
    }
    let mut page = index_page(&state, &staff, &q.kommun).await?;
    let (mut file, mut filename) = (Vec::new(), String::new());
    let mut fields = UploadFields::default();
    while let Ok(form) = &mut form
        && let Some(field) = form.next_field().await.map_err(|e| AppError::BadRequest(e.body_text()))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "fil" {
            filename = field.file_name().unwrap_or_default().to_owned();
        }
        let bytes = field.bytes().await.map_err(|e| AppError::BadRequest(e.body_text()))?;
        let text = || String::from_utf8_lossy(&bytes).trim().to_owned();
        match name.as_str() {
            "fil" => file = bytes.to_vec(),
            "kalla" => fields.source = text(),
            "namn" => fields.name = text(),
            "ar" => fields.year = text(),
            "prov" => fields.dry_run = true,
            _ => {}
        }
    }
    page.fields = fields;
    let fail = |mut page: IndexPage, errors: Vec<String>| {
        page.errors = errors;
        render(StatusCode::UNPROCESSABLE_ENTITY, &page)
    };
    let Some(source) = Source::from_code(&page.fields.source).filter(|s| *s != Source::Manual) else {
        return fail(page, vec!["Välj vilken källa filen kommer från.".into()]);
    };
    if file.is_empty() {
        return fail(page, vec!["Välj en fil.".into()]);
    }
    let year = match page.fields.year.as_str() {
        "" => None,
        y => match y.parse::<i32>().ok().filter(|y| (1950..=2100).contains(y)) {
            Some(y) => Some(y),
            None => return fail(page, vec!["Skriv året med fyra siffror, t.ex. 2024.".into()]),
        },
    };
    let label = if filename.is_empty() { "uppladdad fil".to_owned() } else { filename };
    let label = label.chars().filter(|c| !c.is_control()).take(200).collect::<String>();
    let error = |e: ImportError| vec![format!("{label}: {e}. Inget har sparats.")];
    let dry_run = page.fields.dry_run;
    let stored = if source == Source::Polisen {
        let read = match polisen::parse(&file, &places()?) {
            Ok(r) => r,
            Err(e) => return fail(page, error(e)),
        };
        page.warnings = read.warnings;
        statistics::store_events(&state.db, &label, &read.events, dry_run, actor(&staff), &mut |_| {}).await
    } else {
        let batch: Result<Batch, ImportError> = match source {
            Source::Kolada => kolada::parse(&file).map(|d| {
                let mut b = d.batch;
                if let Some(next) = d.next {
                    b.warnings.push(format!(
                        "Filen är en sida av flera; nästa sida finns på {next}. Hämta alla med kommandot lofte import kolada --url."
                    ));
                }
                b
            }),
            Source::Scb => scb::parse(&file, year),
            Source::Bra => {
                let name = Some(page.fields.name.clone()).filter(|n| !n.is_empty());
                bra::parse(&file, &places()?, &bra::BraOptions { name, year })
            }
            Source::Polisen | Source::Manual => unreachable_source(),
        };
        let batch = match batch {
            Ok(b) => b,
            Err(e) => return fail(page, error(e)),
        };
        page.warnings = batch.warnings.clone();
        statistics::store(&state.db, source, &label, &batch, dry_run, actor(&staff), &mut |_| {}).await
    };
    match stored {
        Ok(s) => {
            let mut page = if dry_run {
                page
            } else {
                let mut fresh = index_page(&state, &staff, &q.kommun).await?;
                fresh.warnings = std::mem::take(&mut page.warnings);
                fresh.fields = page.fields;
                fresh
            };
            page.result = Some(describe(&s, dry_run, source == Source::Polisen));
            render(StatusCode::OK, &page)
        }
        Err(DbError::Invalid(errors)) => fail(
            page,
            errors.into_iter().map(|e| format!("{label}: {}: {}. Inget har sparats.", e.path, e.message)).collect(),
        ),
        Err(e) => Err(e.into()),
    }
}

/// Polisen and manual values never reach the batch parsers (handled before); an empty batch.
fn unreachable_source() -> Result<Batch, ImportError> {
    Err(ImportError::new("källa", "källan kan inte läsas som en fil"))
}

// ---------------------------------------------------------------------------------------------
// One indicator.

pub struct ValueRow {
    pub region: String,
    pub period: String,
    pub total: String,
    pub women: String,
    pub men: String,
    pub status: String,
    pub note: String,
}

/// The indicator form's fields (raw, kept on errors).
#[derive(Deserialize, Default)]
pub struct DescribeForm {
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub better: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub kommun: String,
}

/// The value form's fields (raw, kept on errors).
#[derive(Deserialize, Default)]
pub struct ValueForm {
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub period: String,
    #[serde(default)]
    pub gender: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub kommun: String,
}

#[derive(Template)]
#[template(path = "indicator.html")]
struct IndicatorPage {
    search_value: String,
    code: String,
    municipality: String,
    indicator: Indicator,
    source: &'static str,
    polisen: bool,
    chart: Option<StatView>,
    rows: Vec<ValueRow>,
    regions: Vec<(String, String)>,
    can_edit: bool,
    /// Values are entered by hand only for staff's own indicators.
    manual: bool,
    describe: DescribeForm,
    value: ValueForm,
    units: Vec<(&'static str, &'static str)>,
    betters: Vec<(&'static str, &'static str)>,
    errors: Vec<String>,
    message: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct IndicatorParams {
    #[serde(default)]
    nyckel: String,
    #[serde(default)]
    kommun: String,
    #[serde(default)]
    klart: String,
}

const UNITS: [Unit; 5] = [Unit::Count, Unit::Per100k, Unit::Per1000, Unit::Percent, Unit::Other];
const BETTERS: [Better; 3] = [Better::Lower, Better::Higher, Better::Neutral];

/// The regions a value may be entered for: the municipality, its county, the nation and its
/// police areas.
async fn regions_of(state: &AppState, code: &str, name: &str) -> Result<Vec<(String, String)>, AppError> {
    let mut out = vec![(code.to_owned(), name.to_owned())];
    if let Some((c, n)) = crate::lagesbild::county_of(code) {
        out.push((c, n));
    }
    out.push((NATION.to_owned(), "Riket".to_owned()));
    for area in lofte_db::municipalities::police_areas(&state.db, code).await? {
        out.push((format!("lpo:{}", area.id), format!("Lokalpolisområde {}", area.name)));
    }
    Ok(out)
}

async fn indicator_page(state: &AppState, staff: &Staff, key: &str, code: &str) -> Result<IndicatorPage, AppError> {
    let indicator = statistics::indicator(&state.db, key).await?.ok_or(AppError::NotFound)?;
    let source = indicator.source;
    let municipality = municipality_name(state, code).await?.ok_or(AppError::NotFound)?;
    let regions = regions_of(state, code, &municipality).await?;
    let region_codes: Vec<&str> = regions.iter().map(|(c, _)| c.as_str()).collect();
    let values = statistics::values(&state.db, key, &region_codes).await?;
    let mut table: BTreeMap<(usize, String), ValueRow> = BTreeMap::new();
    for v in &values {
        let position = region_codes.iter().position(|c| *c == v.region).unwrap_or(usize::MAX);
        let row = table.entry((position, v.period.clone())).or_insert_with(|| ValueRow {
            region: regions.get(position).map_or_else(|| v.region.clone(), |(_, n)| n.clone()),
            period: v.period.clone(),
            total: "–".into(),
            women: "–".into(),
            men: "–".into(),
            status: String::new(),
            note: String::new(),
        });
        let text = v.value.map_or_else(|| if v.status.is_empty() { "–".to_owned() } else { v.status.clone() }, number);
        match v.gender {
            Gender::Total => row.total = text,
            Gender::Women => row.women = text,
            Gender::Men => row.men = text,
        }
        if !v.status.is_empty() && row.status.is_empty() {
            row.status = v.status.clone();
        }
        if !v.note.is_empty() && row.note.is_empty() {
            row.note = v.note.clone();
        }
    }
    let chart = stat_view_of(state, &indicator, code).await?;
    Ok(IndicatorPage {
        search_value: String::new(),
        code: code.to_owned(),
        municipality,
        source: indicator.source.sv(),
        polisen: indicator.source == Source::Polisen,
        describe: DescribeForm {
            key: indicator.key.clone(),
            name: indicator.name.clone(),
            unit: indicator.unit.code().into(),
            better: indicator.better.code().into(),
            description: indicator.description.clone(),
            kommun: code.to_owned(),
        },
        value: ValueForm {
            key: indicator.key.clone(),
            region: code.to_owned(),
            gender: "T".into(),
            kommun: code.to_owned(),
            ..ValueForm::default()
        },
        indicator,
        chart,
        rows: table.into_values().collect(),
        regions,
        can_edit: may_import(staff),
        manual: source == Source::Manual,
        units: UNITS.iter().map(|u| (u.code(), if u.sv().is_empty() { "annat" } else { u.sv() })).collect(),
        betters: BETTERS.iter().map(|b| (b.code(), b.sv())).collect(),
        errors: vec![],
        message: None,
    })
}

/// `/arbetsyta/statistik/indikator?nyckel=kolada:N07403&kommun=1785`.
pub async fn indicator(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Query(q): Query<IndicatorParams>,
) -> Result<Response, AppError> {
    if q.nyckel.trim().is_empty() || q.kommun.trim().is_empty() {
        let query = serde_urlencoded::to_string([("kommun", q.kommun.trim())])
            .map_err(|e| AppError::Internal(e.to_string()))?;
        return Ok(Redirect::to(&format!("/arbetsyta/statistik?{query}")).into_response());
    }
    let mut p = indicator_page(&state, &staff, &q.nyckel, &q.kommun).await?;
    p.message = match q.klart.as_str() {
        "varde" => Some("Värdet är sparat.".into()),
        "beskriven" => Some("Indikatorn är sparad.".into()),
        _ => None,
    };
    render(StatusCode::OK, &p)
}

fn text_ok(s: &str, max: usize) -> bool {
    s.chars().count() <= max && !s.chars().any(|c| c.is_control() && c != '\n')
}

/// Describes an indicator (name, unit, direction, description); with a new key (`manual:` +
/// the name) creates a manual one.
pub async fn save_indicator(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Form(form): Form<DescribeForm>,
) -> Result<Response, AppError> {
    if !may_import(&staff) {
        return Err(AppError::Forbidden);
    }
    let name = form.name.trim().to_owned();
    let mut errors = Vec::new();
    if name.is_empty() || !text_ok(&name, 200) {
        errors.push("Skriv ett namn (högst 200 tecken).".to_owned());
    }
    if !text_ok(&form.description, 4000) {
        errors.push("Beskrivningen får vara högst 4 000 tecken.".to_owned());
    }
    let unit = Unit::from_code(&form.unit);
    let better = Better::from_code(&form.better);
    if unit.is_none() {
        errors.push("Välj en enhet.".to_owned());
    }
    if better.is_none() {
        errors.push("Välj vilket håll som är bättre.".to_owned());
    }
    let existing = match form.key.trim() {
        "" => None,
        key => Some(statistics::indicator(&state.db, key).await?.ok_or(AppError::NotFound)?),
    };
    let key = existing.as_ref().map_or_else(|| format!("manual:{}", lofte_domain::slugify(&name)), |i| i.key.clone());
    if existing.is_none() && statistics::indicator(&state.db, &key).await?.is_some() {
        errors.push(format!("Det finns redan en indikator som heter {name}."));
    }
    if !errors.is_empty() {
        if existing.is_none() {
            return new_indicator_page(&state, &staff, form, errors).await;
        }
        let mut p = indicator_page(&state, &staff, &key, &form.kommun).await?;
        p.describe = form;
        p.errors = errors;
        return render(StatusCode::UNPROCESSABLE_ENTITY, &p);
    }
    let indicator = Indicator {
        key: key.clone(),
        name,
        unit: unit.unwrap_or(Unit::Other),
        source: existing.as_ref().map_or(Source::Manual, |i| i.source),
        description: form.description.trim().to_owned(),
        better: better.unwrap_or(Better::Neutral),
    };
    statistics::describe(&state.db, &indicator, actor(&staff)).await?;
    let query =
        serde_urlencoded::to_string([("nyckel", key.as_str()), ("kommun", form.kommun.trim()), ("klart", "beskriven")])
            .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Redirect::to(&format!("/arbetsyta/statistik/indikator?{query}")).into_response())
}

#[derive(Template)]
#[template(path = "indicator_new.html")]
struct NewIndicatorPage {
    search_value: String,
    describe: DescribeForm,
    units: Vec<(&'static str, &'static str)>,
    betters: Vec<(&'static str, &'static str)>,
    errors: Vec<String>,
}

async fn new_indicator_page(
    _state: &AppState,
    _staff: &Staff,
    describe: DescribeForm,
    errors: Vec<String>,
) -> Result<Response, AppError> {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    render(
        status,
        &NewIndicatorPage {
            search_value: String::new(),
            describe,
            units: UNITS.iter().map(|u| (u.code(), if u.sv().is_empty() { "annat" } else { u.sv() })).collect(),
            betters: BETTERS.iter().map(|b| (b.code(), b.sv())).collect(),
            errors,
        },
    )
}

/// `/arbetsyta/statistik/ny-indikator?kommun=1785`: a manual indicator.
pub async fn new_indicator(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Query(q): Query<IndexParams>,
) -> Result<Response, AppError> {
    if !may_import(&staff) {
        return Err(AppError::Forbidden);
    }
    let form =
        DescribeForm { unit: "count".into(), better: "lower".into(), kommun: q.kommun, ..DescribeForm::default() };
    new_indicator_page(&state, &staff, form, vec![]).await
}

/// Parses a value typed the Swedish way ("1 234,5") or empty (missing).
fn parse_value(raw: &str) -> Result<Option<f64>, String> {
    match lofte_domain::statistics::numbers::parse(raw) {
        Ok(cell) => Ok(cell.value()),
        Err(e) => Err(e),
    }
}

/// Enters one value with its source note; a bad form comes back with what was typed.
pub async fn save_value(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Form(form): Form<ValueForm>,
) -> Result<Response, AppError> {
    if !may_import(&staff) {
        return Err(AppError::Forbidden);
    }
    let known = statistics::indicator(&state.db, form.key.trim()).await?.is_some();
    if !known || municipality_name(&state, form.kommun.trim()).await?.is_none() {
        let mut page = index_page(&state, &staff, "").await?;
        page.errors = vec!["Välj en indikator och en kommun i listan och försök igen.".into()];
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let mut p = indicator_page(&state, &staff, form.key.trim(), form.kommun.trim()).await?;
    let mut errors = Vec::new();
    if p.indicator.source != Source::Manual {
        errors.push(format!(
            "Värden från {} ändras genom att importera källan igen; mata in värden för hand i en egen indikator.",
            p.indicator.source.sv().trim_start_matches("Källa: ")
        ));
    }
    let region = form.region.trim().to_owned();
    if !p.regions.iter().any(|(c, _)| *c == region) || Level::of(&region).is_none() {
        errors.push("Välj en region ur listan.".to_owned());
    }
    // The county's and the nation's figures are everyone's: only administrators enter them. A
    // municipality's (or police area's) figures, its editors.
    let allowed = match Level::of(&region) {
        Some(Level::County | Level::Nation) => staff.is_admin,
        Some(_) => crate::dialogues::may(&state, &staff, p.code.as_str(), true).await?,
        None => true,
    };
    if !allowed {
        errors.push(
            "Länets och rikets värden matas in av en administratör; du kan mata in värden för din kommun.".to_owned(),
        );
    }
    let period = form.period.trim().to_owned();
    if !valid_period(&period) {
        errors.push("Skriv perioden som ett år (2024) eller en månad (2024-05).".to_owned());
    }
    let gender = Gender::from_code(form.gender.trim());
    if gender.is_none() {
        errors.push("Välj totalt, kvinnor eller män.".to_owned());
    }
    let value = match parse_value(&form.value) {
        Ok(Some(v)) if p.indicator.unit == Unit::Percent && !(0.0..=100.0).contains(&v) => {
            errors.push("En andel i procent ligger mellan 0 och 100.".to_owned());
            None
        }
        Ok(Some(v)) => Some(v),
        Ok(None) => {
            errors.push("Skriv ett värde, t.ex. 1 234,5.".to_owned());
            None
        }
        Err(e) => {
            errors.push(format!("Värdet: {e}"));
            None
        }
    };
    let note = form.note.trim().to_owned();
    if note.is_empty() || !text_ok(&note, 500) {
        errors.push("Skriv varifrån värdet kommer (högst 500 tecken).".to_owned());
    }
    if !errors.is_empty() {
        p.value = form;
        p.errors = errors;
        return render(StatusCode::UNPROCESSABLE_ENTITY, &p);
    }
    let o = Observation {
        indicator: p.indicator.key.clone(),
        region,
        period,
        gender: gender.unwrap_or(Gender::Total),
        value,
        status: String::new(),
    };
    match statistics::set_value(&state.db, &o, &note, actor(&staff)).await {
        Ok(()) => {
            let query = serde_urlencoded::to_string([
                ("nyckel", o.indicator.as_str()),
                ("kommun", p.code.as_str()),
                ("klart", "varde"),
            ])
            .map_err(|e| AppError::Internal(e.to_string()))?;
            Ok(Redirect::to(&format!("/arbetsyta/statistik/indikator?{query}")).into_response())
        }
        Err(DbError::Invalid(errors)) => {
            p.value = form;
            p.errors = errors.into_iter().map(|e| e.message).collect();
            render(StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
        Err(e) => Err(e.into()),
    }
}
