//! Pure rules of Löfte: the promise document, its validation, reference data and slugs.
//!
//! Invariant: this crate does no I/O. It has no tokio, sqlx, axum or askama dependency, so
//! everything here is a plain function of its arguments and is tested beside the code.

pub mod auth;
pub mod dialogue;
pub mod diff;
pub mod lagesbild;
pub mod org;
pub mod population;
pub mod problems;
pub mod promise;
pub mod reference;
pub mod seal;
pub mod signing;
pub mod statistics;
pub mod stats;
pub mod survey;

pub use org::{MunicipalityCode, slugify, sv_sort_key};
pub use promise::{
    Activity, IsoDate, MunicipalityRef, Owner, Party, Period, PoliceAreaRef, Promise, PromiseDocument, SignatoryParty,
    Signature, SignatureMethod, Status, Theme, ValidationError, forbidden_char, invisible_char, parse_documents,
    police_area_name,
};
