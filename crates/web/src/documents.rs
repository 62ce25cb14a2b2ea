//! Staff pages for one document: overview (versions, log), preview, edit (with a version check),
//! comparison of versions, and creating a new draft.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use lofte_db::promises::{self, Actor};
use lofte_db::{DbError, drafts, municipalities};
use lofte_domain::diff::{Change, Words, document_changes};
use lofte_domain::{MunicipalityRef, Party, PoliceAreaRef, PromiseDocument, Status};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::edit_form::{Action, EditForm, field_for};
use crate::error::AppError;
use crate::views::DocumentView;

fn page(status: StatusCode, t: &impl Template) -> Result<Response, AppError> {
    Ok((status, Html(t.render()?)).into_response())
}

pub fn parse_id(id: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(id).map_err(|_| AppError::NotFound)
}

/// Loads a document the person may read (or edit, when `edit`), or answers 404/403.
pub async fn authorised(
    state: &AppState,
    staff: &lofte_domain::auth::Staff,
    id: Uuid,
    edit: bool,
) -> Result<(promises::StoredDocument, Vec<lofte_domain::auth::Org>), AppError> {
    let (_, parties) = drafts::parties(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let allowed = if edit { staff.can_edit(&parties) } else { staff.can_read(&parties) };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    let stored = promises::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    Ok((stored, parties))
}

fn parties_label(doc: &PromiseDocument) -> String {
    let names: Vec<String> = doc.municipalities.iter().map(|m| m.name.clone()).collect();
    format!("{} och Lokalpolisområde {}", crate::views::join_sv(&names), doc.police_area.name)
}

pub struct ChangeView {
    pub kind: &'static str,
    pub label: String,
    pub words: Vec<(&'static str, String)>,
    pub item: String,
    pub from: usize,
    pub to: usize,
}

pub fn change_views(changes: Vec<Change>) -> Vec<ChangeView> {
    changes
        .into_iter()
        .map(|c| match c {
            Change::Text { field, words } => ChangeView {
                kind: "text",
                label: field,
                words: words
                    .into_iter()
                    .map(|w| match w {
                        Words::Same(t) => ("=", t),
                        Words::Added(t) => ("+", t),
                        Words::Removed(t) => ("-", t),
                    })
                    .collect(),
                item: String::new(),
                from: 0,
                to: 0,
            },
            Change::Added { section, item } => {
                ChangeView { kind: "added", label: section, words: vec![], item, from: 0, to: 0 }
            }
            Change::Removed { section, item } => {
                ChangeView { kind: "removed", label: section, words: vec![], item, from: 0, to: 0 }
            }
            Change::Moved { section, item, from, to } => {
                ChangeView { kind: "moved", label: section, words: vec![], item, from, to }
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "doc_overview.html")]
struct OverviewPage {
    search_value: String,
    id: String,
    title: String,
    status: &'static str,
    version: i64,
    parties: String,
    can_edit: bool,
    public: bool,
    versions: Vec<drafts::VersionRow>,
    audit: Vec<drafts::AuditRow>,
    signing: SigningPanel,
    forms: Forms,
    /// The error of a step whose form is no longer shown (e.g. signing for a party that has
    /// just been signed for).
    general_error: Option<String>,
}

/// The signing section of the overview.
struct SigningPanel {
    draft: bool,
    ready: bool,
    sha256: String,
    validity: String,
    /// Each party: (organisation, signature line or None while waiting).
    parties: Vec<(String, Option<String>)>,
    /// Parties this person may sign for now: (form value, organisation).
    can_sign: Vec<(String, String)>,
    /// Parties still to sign, for registering paper signatures: (form value, organisation).
    unsigned: Vec<(String, String)>,
    can_withdraw: bool,
    /// An editor of a party (freeze, paper signatures, reopen).
    editor: bool,
    /// What the last signature, given today, would do to other promises, in Swedish.
    effects: Vec<String>,
}

/// What was typed in the signing forms, and their errors, when a step fails.
#[derive(Default)]
pub struct Forms {
    pub freeze_error: Option<String>,
    pub sign: crate::signing::SignForm,
    pub sign_error: Option<String>,
    pub paper: crate::signing::SignForm,
    pub paper_error: Option<String>,
    pub reopen: crate::signing::ReasonForm,
    pub reopen_error: Option<String>,
    pub withdraw: crate::signing::ReasonForm,
    pub withdraw_error: Option<String>,
}

pub async fn overview(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    overview_page(&state, &staff, id, StatusCode::OK, Forms::default()).await
}

/// The overview of a document, with its signing section (and a failed form's input, if any).
pub async fn overview_page(
    state: &AppState,
    staff: &lofte_domain::auth::Staff,
    id: Uuid,
    status: StatusCode,
    forms: Forms,
) -> Result<Response, AppError> {
    let (stored, parties) = authorised(state, staff, id, false).await?;
    let doc = &stored.document;
    let versions = drafts::versions(&state.db, id)
        .await?
        .into_iter()
        .map(|v| drafts::VersionRow { saved_at: crate::views::time_label(&v.saved_at), ..v })
        .collect();
    let audit = drafts::audit_log(&state.db, id)
        .await?
        .into_iter()
        .map(|a| drafts::AuditRow { at: crate::views::time_label(&a.at), ..a })
        .collect();
    let required = lofte_db::signing::required_parties(doc);
    let signed_by = |key: &lofte_domain::signing::PartyKey| {
        doc.signatures.iter().find(|s| lofte_domain::signing::PartyKey::of(s) == *key)
    };
    let ready = doc.status == Status::ReadyForSigning;
    let validity = lofte_domain::signing::Validity { from: doc.valid_from, to: doc.valid_to };
    let can_edit = staff.can_edit(&parties);
    let mine = crate::signing::signable(staff, &parties, &required);
    let signing = SigningPanel {
        draft: doc.status == Status::Draft,
        ready,
        sha256: doc.sha256.clone().unwrap_or_default(),
        validity: crate::views::validity_label(
            lofte_domain::signing::Standing::of(doc.status, validity, crate::views::today()),
            validity,
        ),
        parties: required
            .iter()
            .map(|p| {
                let line = signed_by(&p.key).map(|s| {
                    let how = match s.method {
                        lofte_domain::SignatureMethod::Electronic => "i Löfte".to_owned(),
                        lofte_domain::SignatureMethod::Paper => {
                            format!("på papper, registrerat av {}", s.registered_by.as_deref().unwrap_or("okänd"))
                        }
                    };
                    format!("{}, {}, {} ({how})", s.name, s.title, s.signed_on)
                });
                (p.organisation.clone(), line)
            })
            .collect(),
        can_sign: if ready {
            mine.iter()
                .filter(|p| signed_by(&p.key).is_none())
                .map(|p| (p.key.to_text(), p.organisation.clone()))
                .collect()
        } else {
            Vec::new()
        },
        unsigned: required
            .iter()
            .filter(|p| signed_by(&p.key).is_none())
            .map(|p| (p.key.to_text(), p.organisation.clone()))
            .collect(),
        can_withdraw: doc.status == Status::InForce && !mine.is_empty(),
        editor: can_edit,
        effects: if ready {
            lofte_db::signing::effects_of_signing(&state.db, doc)
                .await?
                .into_iter()
                .map(|(title, _, after)| match after.to {
                    Some(to) if !after.is_empty() => format!("{title} gäller till och med {to}."),
                    _ => format!("{title} kommer aldrig att börja gälla."),
                })
                .collect()
        } else {
            Vec::new()
        },
    };
    let mut forms = forms;
    if forms.sign.name.is_empty() && forms.sign_error.is_none() {
        forms.sign.name = staff.name.clone();
    }
    let signing = SigningPanel { unsigned: if ready && can_edit { signing.unsigned } else { Vec::new() }, ..signing };
    let mut general_error = None;
    let shown = [
        (&mut forms.freeze_error, signing.draft && signing.editor),
        (&mut forms.sign_error, !signing.can_sign.is_empty()),
        (&mut forms.paper_error, !signing.unsigned.is_empty()),
        (&mut forms.reopen_error, signing.ready && signing.editor),
        (&mut forms.withdraw_error, signing.can_withdraw),
    ];
    for (error, visible) in shown {
        if !visible && error.is_some() {
            general_error = error.take();
        }
    }
    page(
        status,
        &OverviewPage {
            search_value: String::new(),
            id: id.to_string(),
            title: doc.title.clone(),
            status: crate::views::status_label(doc.status, validity, !doc.signatures.is_empty()),
            version: stored.version,
            parties: parties_label(doc),
            can_edit: doc.status == Status::Draft && can_edit,
            public: doc.status.is_public(),
            versions,
            audit,
            signing,
            forms,
            general_error,
        },
    )
}

#[derive(Template)]
#[template(path = "doc_preview.html")]
struct PreviewPage {
    search_value: String,
    d: DocumentView,
}

/// The draft exactly as the public page will show it.
pub async fn preview(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let (stored, _) = authorised(&state, &staff, id, false).await?;
    let slug = match stored.document.municipalities.first() {
        Some(m) => lofte_db::municipalities::find(&state.db, &m.code, crate::views::today())
            .await?
            .map(|m| m.slug)
            .unwrap_or_default(),
        None => String::new(),
    };
    let because = crate::lagesbild::because_of(&state, id, &slug).await?;
    let d = DocumentView::new(&stored.document, crate::views::today()).with_because(because);
    page(StatusCode::OK, &PreviewPage { search_value: String::new(), d })
}

#[derive(Deserialize)]
pub struct CompareParams {
    fran: Option<i64>,
    till: Option<i64>,
}

#[derive(Template)]
#[template(path = "doc_diff.html")]
struct DiffPage {
    search_value: String,
    id: String,
    title: String,
    from: i64,
    to: i64,
    changes: Vec<ChangeView>,
}

pub async fn compare(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
    Query(q): Query<CompareParams>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let (stored, _) = authorised(&state, &staff, id, false).await?;
    let to = q.till.unwrap_or(stored.version);
    let from = q.fran.unwrap_or(to - 1).max(1);
    let (Some(a), Some(b)) = (drafts::version(&state.db, id, from).await?, drafts::version(&state.db, id, to).await?)
    else {
        return Err(AppError::NotFound);
    };
    page(
        StatusCode::OK,
        &DiffPage {
            search_value: String::new(),
            id: id.to_string(),
            title: stored.document.title.clone(),
            from,
            to,
            changes: change_views(document_changes(&a, &b)),
        },
    )
}

#[derive(Template)]
#[template(path = "doc_edit.html")]
struct EditPage {
    search_value: String,
    id: String,
    parties: String,
    form: EditForm,
    party_options: Vec<(&'static str, &'static str)>,
    /// (field id, message) in the order of the form.
    errors: Vec<(String, String)>,
    notice: Option<String>,
    stale: bool,
    changes: Vec<ChangeView>,
}

impl EditPage {
    fn known_party(&self, value: &str) -> bool {
        self.party_options.iter().any(|(v, _)| *v == value)
    }

    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

fn party_options() -> Vec<(&'static str, &'static str)> {
    vec![("joint", "Gemensam"), ("municipality", "Kommunen"), ("police", "Polisen"), ("other", "Annan aktör")]
}

fn edit_page(id: Uuid, doc: &PromiseDocument, form: EditForm) -> EditPage {
    EditPage {
        search_value: String::new(),
        id: id.to_string(),
        parties: parties_label(doc),
        form,
        party_options: party_options(),
        errors: vec![],
        notice: None,
        stale: false,
        changes: vec![],
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let (stored, _) = authorised(&state, &staff, id, true).await?;
    if stored.document.status != Status::Draft {
        return Err(AppError::Conflict(
            "Bara utkast kan redigeras. Skapa ett nytt utkast som kopia i arbetsytan.".into(),
        ));
    }
    let form = EditForm::from_document(&stored.document, stored.version);
    page(StatusCode::OK, &edit_page(id, &stored.document, form))
}

/// Every button of the edit form posts here: a structural action re-shows the form with the
/// change (nothing saved yet); "Spara" saves if the document is still at the version the form
/// was based on.
pub async fn edit(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let (stored, _) = authorised(&state, &staff, id, true).await?;
    let (mut form, action) = EditForm::from_fields(&fields);
    if action != Action::Save {
        let changed = form.apply(&action);
        let mut p = edit_page(id, &stored.document, form);
        p.notice = Some(if changed {
            "Ändringen är inte sparad än: tryck Spara utkastet när du är klar.".into()
        } else {
            "Inget ändrades. Inget är sparat än.".into()
        });
        return page(StatusCode::OK, &p);
    }
    let invalid = |form: EditForm, errors: Vec<lofte_domain::ValidationError>| {
        let mut p = edit_page(id, &stored.document, form);
        p.errors = errors.into_iter().map(|e| (field_for(&e.path), e.message)).collect();
        page(StatusCode::UNPROCESSABLE_ENTITY, &p)
    };
    let Ok(base) = form.version.trim().parse::<i64>() else {
        // Without the version it was based on, the save cannot be checked: nothing is lost,
        // the form comes back based on the current version.
        let form = EditForm { version: stored.version.to_string(), ..form };
        let message = "Formuläret saknade versionsuppgift. Kontrollera texten och spara igen.".to_owned();
        return invalid(form, vec![lofte_domain::ValidationError { path: "version".into(), message }]);
    };
    let doc = match form.to_document(&stored.document) {
        Ok(doc) => doc,
        Err(errors) => return invalid(form, errors),
    };
    if base == stored.version && doc.clone().normalized() == stored.document {
        // Nothing changed: no new version (it would only make colleagues' saves stale).
        return Ok(Redirect::to(&format!("/arbetsyta/lofte/{id}")).into_response());
    }
    match drafts::save(&state.db, doc, base, Actor { id: Some(&staff.id), name: &staff.name }).await {
        Ok(_) => Ok(Redirect::to(&format!("/arbetsyta/lofte/{id}")).into_response()),
        Err(DbError::Invalid(errors)) => invalid(form, errors),
        Err(DbError::Stale(current)) => {
            let before = drafts::version(&state.db, id, base).await?;
            let now = promises::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
            let theirs = EditForm::from_document(&now.document, current);
            // What only the other person changed is taken over; what both changed keeps this
            // person's text and is marked.
            let (merged, clashes) = match &before {
                Some(b) => form.merge(&EditForm::from_document(b, base), &theirs),
                None => (EditForm { version: current.to_string(), ..form }, vec![]),
            };
            let mut p = edit_page(id, &now.document, merged);
            p.stale = true;
            p.changes = before.map(|b| change_views(document_changes(&b, &now.document))).unwrap_or_default();
            p.errors = clashes
                .into_iter()
                .map(|f| {
                    (f.to_owned(), "Ändrat av er båda: här står din text, jämför med ändringarna ovan.".to_owned())
                })
                .collect();
            page(StatusCode::CONFLICT, &p)
        }
        Err(DbError::NotDraft) => {
            Err(AppError::Conflict("Dokumentet är inte längre ett utkast och kan inte redigeras.".into()))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct NewDraft {
    #[serde(default)]
    municipality: String,
    #[serde(default)]
    kind: String,
}

/// Creates a draft for a municipality: a copy of the promise in force (the usual way: next
/// year's promise starts from this year's) or an empty one. Editors of the municipality or of a
/// police area covering it may.
pub async fn create(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Form(form): Form<NewDraft>,
) -> Result<Response, AppError> {
    let Some(page) = municipalities::page(&state.db, form.municipality.trim(), crate::views::today()).await? else {
        return Err(AppError::Invalid(vec![lofte_domain::ValidationError {
            path: "municipality".into(),
            message: "välj en kommun".into(),
        }]));
    };
    let m = &page.municipality;
    let mut orgs = vec![lofte_domain::auth::Org::Municipality(m.code.clone())];
    orgs.extend(page.police_areas.iter().map(|p| lofte_domain::auth::Org::PoliceArea(p.id.clone())));
    if !staff.can_edit(&orgs) {
        return Err(AppError::Forbidden);
    }
    let year = time::OffsetDateTime::now_utc().year();
    let doc = match (form.kind.as_str(), page.in_force.first()) {
        ("copy", Some(current)) => {
            let mut doc = current.document.clone();
            let next = (doc.year + 1).max(year);
            doc.title = doc.title.replace(&doc.year.to_string(), &next.to_string());
            doc.year = next;
            doc.period = Default::default();
            doc
        }
        ("copy", None) => {
            return Err(AppError::Conflict(format!("{} har inget gällande medborgarlöfte att kopiera.", m.name)));
        }
        _ => {
            let Some(area) = page.police_areas.first() else {
                return Err(AppError::Conflict(format!("{} hör inte till något lokalpolisområde ännu.", m.name)));
            };
            PromiseDocument {
                id: None,
                municipalities: vec![MunicipalityRef { code: m.code.clone(), name: m.name.clone() }],
                police_area: PoliceAreaRef { name: area.name.clone() },
                title: format!("Medborgarlöfte {year}"),
                year,
                period: Default::default(),
                status: Status::Draft,
                intro: vec![],
                promises: vec![lofte_domain::Promise { text: String::new(), party: Party::Joint, party_name: None, focus_areas: vec![] }],
                themes: vec![],
                follow_up: String::new(),
                communication: String::new(),
                validity: "Medborgarlöftet börjar gälla den dagen löftet skrivs under och gäller tills dess att ett nytt medborgarlöfte tecknas.".into(),
                sha256: None,
                signatures: vec![],
                valid_from: None,
                valid_to: None,
                withdrawn_reason: None,
            }
        }
    };
    let blank = form.kind != "copy";
    let mut doc = doc;
    if blank {
        // An empty promise cannot be stored; the draft starts without one.
        doc.promises.clear();
    }
    let id = drafts::create(&state.db, doc, Actor { id: Some(&staff.id), name: &staff.name }).await?;
    Ok(Redirect::to(&format!("/arbetsyta/lofte/{id}/redigera")).into_response())
}
