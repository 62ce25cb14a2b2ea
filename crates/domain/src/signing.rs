//! The signing lifecycle of a promise document and the validity of public promises.
//!
//! `draft` → (freeze) `ready_for_signing` → (each party signs) → `in_force` once every party
//! has → `superseded` when a newer promise for the same municipality and police area comes into
//! force, or `withdrawn`. Reopening a frozen or partly signed document returns it to `draft` and
//! voids the signatures. The database applies exactly these transitions ([`transition`]) inside
//! its write transaction.
//!
//! Validity is a closed interval of days in Europe/Stockholm: a promise is in force from the
//! later of its period start and its last signature, until its period end or the day before
//! its successor starts, whichever comes first.

use std::collections::BTreeSet;
use std::fmt;

use time::{Date, OffsetDateTime};

use crate::promise::{IsoDate, SignatoryParty, Signature, Status};

/// A party whose signature a document needs.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PartyKey {
    /// A municipality, by SCB code.
    Municipality(String),
    PoliceArea,
}

impl PartyKey {
    /// The party a signature was given for.
    pub fn of(s: &Signature) -> PartyKey {
        match s.party {
            SignatoryParty::PoliceArea => PartyKey::PoliceArea,
            SignatoryParty::Municipality => PartyKey::Municipality(s.municipality_code.clone().unwrap_or_default()),
        }
    }

    /// As stored and posted in forms: `police_area` or `municipality:1785`.
    pub fn to_text(&self) -> String {
        match self {
            PartyKey::PoliceArea => "police_area".into(),
            PartyKey::Municipality(code) => format!("municipality:{code}"),
        }
    }

    pub fn parse(text: &str) -> Option<PartyKey> {
        match text.split_once(':') {
            Some(("municipality", code)) => Some(PartyKey::Municipality(code.to_owned())),
            None if text == "police_area" => Some(PartyKey::PoliceArea),
            _ => None,
        }
    }
}

/// What happens to a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// Freeze the content for signing.
    Freeze,
    /// A signature for a party, given for the content with this hash.
    Sign { party: PartyKey, hash: String },
    /// Back to draft; signatures given are voided.
    Reopen,
    /// Taken back after publication.
    Withdraw,
    /// A newer promise for the same municipality and police area came into force.
    Supersede,
}

/// A document's lifecycle state: its status, the hash it was frozen with, and who has signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lifecycle {
    pub status: Status,
    pub hash: Option<String>,
    pub signed: BTreeSet<PartyKey>,
}

impl Lifecycle {
    pub fn draft() -> Self {
        Lifecycle { status: Status::Draft, hash: None, signed: BTreeSet::new() }
    }
}

/// Why a transition is refused. Messages are Swedish.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("bara ett utkast kan låsas för underskrift")]
    NotDraft,
    #[error("dokumentet är inte klart för underskrift")]
    NotReadyForSigning,
    #[error("dokumentet har ändrats sedan du läste det: det du skulle skriva under är inte längre det som gäller")]
    HashMismatch,
    #[error("den parten har redan skrivit under")]
    AlreadySigned,
    #[error("den som skriver under företräder inte en part i dokumentet")]
    NotAParty,
    #[error("ett gällande, ersatt eller återkallat löfte kan inte öppnas igen; skapa ett nytt utkast")]
    CannotReopen,
    #[error("bara ett gällande löfte kan återkallas")]
    CannotWithdraw,
    #[error("bara ett gällande löfte kan ersättas")]
    CannotSupersede,
}

/// Applies one event. `required` are the parties that must sign (each municipality and the
/// police area); `hash` is the current content hash, used by `Freeze`.
pub fn transition(
    state: &Lifecycle,
    required: &BTreeSet<PartyKey>,
    hash: &str,
    event: &Event,
) -> Result<Lifecycle, TransitionError> {
    use Status::*;
    match (state.status, event) {
        (Draft, Event::Freeze) => {
            Ok(Lifecycle { status: ReadyForSigning, hash: Some(hash.to_owned()), ..state.clone() })
        }
        (_, Event::Freeze) => Err(TransitionError::NotDraft),
        (ReadyForSigning, Event::Sign { party, hash: signed_hash }) => {
            if state.hash.as_deref() != Some(signed_hash.as_str()) {
                return Err(TransitionError::HashMismatch);
            }
            if !required.contains(party) {
                return Err(TransitionError::NotAParty);
            }
            if state.signed.contains(party) {
                return Err(TransitionError::AlreadySigned);
            }
            let mut signed = state.signed.clone();
            signed.insert(party.clone());
            let status = if required.is_subset(&signed) { InForce } else { ReadyForSigning };
            Ok(Lifecycle { status, hash: state.hash.clone(), signed })
        }
        (_, Event::Sign { .. }) => Err(TransitionError::NotReadyForSigning),
        (ReadyForSigning, Event::Reopen) => Ok(Lifecycle::draft()),
        (Draft, Event::Reopen) => Ok(state.clone()),
        (_, Event::Reopen) => Err(TransitionError::CannotReopen),
        (InForce, Event::Withdraw) => Ok(Lifecycle { status: Withdrawn, ..state.clone() }),
        (_, Event::Withdraw) => Err(TransitionError::CannotWithdraw),
        (InForce, Event::Supersede) => Ok(Lifecycle { status: Superseded, ..state.clone() }),
        (_, Event::Supersede) => Err(TransitionError::CannotSupersede),
    }
}

/// The days a public promise is (or was) in force: `from ..= to`. `from: None` means since
/// before it was recorded here; `to: None` means until further notice. Empty when `to < from`
/// (a promise superseded or withdrawn before it started).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Validity {
    pub from: Option<IsoDate>,
    pub to: Option<IsoDate>,
}

impl Validity {
    pub fn is_empty(&self) -> bool {
        matches!((self.from, self.to), (Some(f), Some(t)) if t < f)
    }

    pub fn contains(&self, day: IsoDate) -> bool {
        self.from.is_none_or(|f| f <= day) && self.to.is_none_or(|t| day <= t)
    }

    pub fn overlaps(&self, other: &Validity) -> bool {
        if self.is_empty() || other.is_empty() {
            return false;
        }
        let starts_before_other_ends = match (self.from, other.to) {
            (Some(f), Some(t)) => f <= t,
            _ => true,
        };
        let other_starts_before_self_ends = match (other.from, self.to) {
            (Some(f), Some(t)) => f <= t,
            _ => true,
        };
        starts_before_other_ends && other_starts_before_self_ends
    }

    /// The validity of a promise whose last signature is on `signed_on`: from the later of that
    /// day and the period start, to the period end.
    pub fn on_signing(period_start: Option<IsoDate>, period_end: Option<IsoDate>, signed_on: IsoDate) -> Validity {
        let from = period_start.map_or(signed_on, |s| s.max(signed_on));
        Validity { from: Some(from), to: period_end }
    }

    /// This promise's validity once a successor in force from `successor_from` ends it: it ends
    /// the day before (or earlier, if it already ended).
    pub fn ended_by(self, successor_from: IsoDate) -> Validity {
        let day_before = IsoDate(successor_from.0.previous_day().unwrap_or(successor_from.0));
        Validity { to: Some(self.to.map_or(day_before, |t| t.min(day_before))), ..self }
    }

    /// Swedish text such as "2023-03-01 – 2024-02-14", "från 2024-03-01", "gällde aldrig".
    pub fn label_sv(&self) -> String {
        if self.is_empty() {
            return "gällde aldrig".into();
        }
        match (self.from, self.to) {
            (Some(f), Some(t)) => format!("{f} – {t}"),
            (Some(f), None) => format!("från {f}"),
            (None, Some(t)) => format!("till {t}"),
            (None, None) => "sedan tidigare, tills vidare".into(),
        }
    }
}

impl fmt::Display for Validity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label_sv())
    }
}

/// The calendar day in Sweden (Europe/Stockholm, with summer time) at an instant.
pub fn stockholm_date(at: OffsetDateTime) -> IsoDate {
    let fallback = IsoDate(at.date());
    let Ok(ts) = jiff::Timestamp::from_second(at.unix_timestamp()) else { return fallback };
    let Ok(tz) = jiff::tz::TimeZone::get("Europe/Stockholm") else { return fallback };
    let d = ts.to_zoned(tz).date();
    let month = time::Month::try_from(d.month() as u8).ok();
    month.and_then(|m| Date::from_calendar_date(i32::from(d.year()), m, d.day() as u8).ok()).map_or(fallback, IsoDate)
}

/// The public state of a promise on `today`, for labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    NotPublic,
    /// Signed by everyone, starts later.
    Upcoming,
    InForce,
    /// Was in force; ended by a successor.
    Superseded,
    /// Was in force; its period ended.
    Ended,
    Withdrawn,
    NeverInForce,
}

impl Standing {
    pub fn of(status: Status, validity: Validity, today: IsoDate) -> Standing {
        if !status.is_public() {
            return Standing::NotPublic;
        }
        if validity.is_empty() {
            return if status == Status::Withdrawn { Standing::Withdrawn } else { Standing::NeverInForce };
        }
        if validity.contains(today) {
            return Standing::InForce;
        }
        if validity.from.is_some_and(|f| today < f) && status != Status::Withdrawn {
            return Standing::Upcoming;
        }
        match status {
            Status::Withdrawn => Standing::Withdrawn,
            Status::Superseded => Standing::Superseded,
            _ => Standing::Ended,
        }
    }

    /// Stable name for the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::NotPublic => "not_public",
            Standing::Upcoming => "upcoming",
            Standing::InForce => "in_force",
            Standing::Superseded => "superseded",
            Standing::Ended => "ended",
            Standing::Withdrawn => "withdrawn",
            Standing::NeverInForce => "never_in_force",
        }
    }

    pub fn label_sv(self) -> &'static str {
        match self {
            Standing::NotPublic => "Inte publicerat",
            Standing::Upcoming => "Kommande",
            Standing::InForce => "Gällande",
            Standing::Superseded => "Ersatt",
            Standing::Ended => "Har upphört",
            Standing::Withdrawn => "Återkallat",
            Standing::NeverInForce => "Började aldrig gälla",
        }
    }
}

#[cfg(test)]
mod tests;

/// The first day of a promise whose last signature makes it public: its own start
/// ([`Validity::on_signing`]), but never on or before the first day of another promise of the
/// same municipality and police area that has already started by `today`: a newer promise
/// ends an older one, it does not erase it (a signature on paper registered late, dated
/// before the one in force began, would otherwise rewrite the record).
pub fn start_after_started(own: IsoDate, others: &[Validity], today: IsoDate) -> IsoDate {
    others
        .iter()
        .filter(|v| !v.is_empty())
        .filter_map(|v| v.from)
        .filter(|f| *f <= today)
        .filter_map(|f| f.0.next_day().map(IsoDate))
        .fold(own, IsoDate::max)
}

/// A new promise for a municipality and police area comes into force from `new_from`: every
/// other public promise of the same pair ends the day before, at the latest. Returns the new
/// validities (never longer than before) in the same order, and which of them change status
/// from in force to superseded.
pub fn supersede(others: &[(Status, Validity)], new_from: IsoDate) -> Vec<(Status, Validity)> {
    others
        .iter()
        .map(|&(status, v)| {
            let status = if status == Status::InForce { Status::Superseded } else { status };
            (status, v.ended_by(new_from))
        })
        .collect()
}
