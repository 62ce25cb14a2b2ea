use proptest::prelude::*;
use time::macros::{date, datetime};

use super::*;

fn d(s: &str) -> IsoDate {
    IsoDate::parse(s).expect("date")
}

fn parties() -> BTreeSet<PartyKey> {
    [PartyKey::Municipality("1785".into()), PartyKey::PoliceArea].into_iter().collect()
}

#[test]
fn two_signatures_put_a_frozen_document_in_force() {
    let required = parties();
    let s = transition(&Lifecycle::draft(), &required, "h1", &Event::Freeze).expect("freeze");
    assert_eq!(s.status, Status::ReadyForSigning);
    let sign = |party: PartyKey, hash: &str| Event::Sign { party, hash: hash.into() };
    assert_eq!(transition(&s, &required, "h1", &sign(PartyKey::PoliceArea, "h2")), Err(TransitionError::HashMismatch));
    let s = transition(&s, &required, "h1", &sign(PartyKey::PoliceArea, "h1")).expect("police signs");
    assert_eq!(s.status, Status::ReadyForSigning);
    assert_eq!(transition(&s, &required, "h1", &sign(PartyKey::PoliceArea, "h1")), Err(TransitionError::AlreadySigned));
    let other = sign(PartyKey::Municipality("1784".into()), "h1");
    assert_eq!(transition(&s, &required, "h1", &other), Err(TransitionError::NotAParty));
    let s = transition(&s, &required, "h1", &sign(PartyKey::Municipality("1785".into()), "h1")).expect("signs");
    assert_eq!(s.status, Status::InForce);
    assert_eq!(transition(&s, &required, "h1", &Event::Reopen), Err(TransitionError::CannotReopen));
    let w = transition(&s, &required, "h1", &Event::Withdraw).expect("withdraw");
    assert_eq!(w.status, Status::Withdrawn);
}

#[test]
fn reopening_voids_the_signatures() {
    let required = parties();
    let s = transition(&Lifecycle::draft(), &required, "h", &Event::Freeze).expect("freeze");
    let s = transition(&s, &required, "h", &Event::Sign { party: PartyKey::PoliceArea, hash: "h".into() }).expect("s");
    let s = transition(&s, &required, "h", &Event::Reopen).expect("reopen");
    assert_eq!(s, Lifecycle::draft());
}

#[test]
fn validity_starts_at_the_later_of_period_start_and_signature() {
    let v = Validity::on_signing(Some(d("2025-01-01")), None, d("2024-12-10"));
    assert_eq!(v.from, Some(d("2025-01-01")));
    let v = Validity::on_signing(Some(d("2024-01-01")), Some(d("2024-12-31")), d("2024-03-05"));
    assert_eq!((v.from, v.to), (Some(d("2024-03-05")), Some(d("2024-12-31"))));
    assert_eq!(v.label_sv(), "2024-03-05 – 2024-12-31");
    let ended = v.ended_by(d("2024-06-01"));
    assert_eq!(ended.to, Some(d("2024-05-31")));
    assert!(v.ended_by(d("2024-03-01")).is_empty());
    assert_eq!(v.ended_by(d("2025-06-01")), v, "an earlier end stays");
}

#[test]
fn stockholm_dates_follow_summer_time() {
    // 22:30 UTC on 30 June is 00:30 on 1 July in Stockholm (UTC+2).
    assert_eq!(stockholm_date(datetime!(2024-06-30 22:30 UTC)), IsoDate(date!(2024 - 07 - 01)));
    // 23:30 UTC on 31 December is 00:30 on 1 January (UTC+1).
    assert_eq!(stockholm_date(datetime!(2024-12-31 23:30 UTC)), IsoDate(date!(2025 - 01 - 01)));
    assert_eq!(stockholm_date(datetime!(2024-12-31 22:30 UTC)), IsoDate(date!(2024 - 12 - 31)));
}

#[test]
fn standing_on_a_day() {
    let v = Validity { from: Some(d("2024-03-01")), to: Some(d("2025-02-14")) };
    assert_eq!(Standing::of(Status::Superseded, v, d("2024-06-01")), Standing::InForce);
    assert_eq!(Standing::of(Status::Superseded, v, d("2025-06-01")), Standing::Superseded);
    assert_eq!(Standing::of(Status::InForce, v, d("2025-06-01")), Standing::Ended);
    assert_eq!(Standing::of(Status::InForce, v, d("2024-01-01")), Standing::Upcoming);
    assert_eq!(Standing::of(Status::Draft, v, d("2024-06-01")), Standing::NotPublic);
}

fn event() -> impl Strategy<Value = Event> {
    let party = prop_oneof![
        Just(PartyKey::PoliceArea),
        Just(PartyKey::Municipality("1785".into())),
        Just(PartyKey::Municipality("1784".into())),
        Just(PartyKey::Municipality("0000".into())),
    ];
    prop_oneof![
        Just(Event::Freeze),
        (party, prop_oneof![Just("h".to_owned()), Just("x".to_owned())])
            .prop_map(|(party, hash)| Event::Sign { party, hash }),
        Just(Event::Reopen),
        Just(Event::Withdraw),
        Just(Event::Supersede),
    ]
}

proptest! {
    /// No sequence of events puts a document in force without every party's signature, and
    /// every signature recorded is by a party, for the frozen hash.
    #[test]
    fn in_force_needs_every_signature(events in proptest::collection::vec(event(), 0..40), two in any::<bool>()) {
        let mut required = parties();
        if two {
            required.insert(PartyKey::Municipality("1784".into()));
        }
        let mut state = Lifecycle::draft();
        for e in &events {
            if let Ok(next) = transition(&state, &required, "h", e) {
                state = next;
            }
            prop_assert!(state.signed.is_subset(&required));
            if state.status == Status::InForce {
                prop_assert_eq!(&state.signed, &required);
                prop_assert_eq!(state.hash.as_deref(), Some("h"));
            }
            if state.status == Status::Draft {
                prop_assert!(state.signed.is_empty());
            }
        }
    }

    /// A register of one municipality and police area: promises are signed on increasing days,
    /// with random period starts and ends, and some are withdrawn. On every day at most one is
    /// in force, and no two validity intervals overlap.
    #[test]
    fn at_most_one_promise_in_force_on_any_day(
        steps in proptest::collection::vec((0i64..60, prop::option::of(-10i64..90), prop::option::of(1i64..400), any::<bool>()), 1..12)
    ) {
        let start = date!(2024 - 01 - 01);
        let mut today = start;
        let mut register: Vec<(Status, Validity)> = Vec::new();
        for (gap, period_start, length, withdraw) in steps {
            today = today.saturating_add(time::Duration::days(gap));
            let day = IsoDate(today);
            if withdraw {
                // Withdraw the promise in force today, if any: it ends yesterday.
                if let Some(entry) = register.iter_mut().find(|(s, v)| *s == Status::InForce && v.contains(day)) {
                    entry.0 = Status::Withdrawn;
                    entry.1 = entry.1.ended_by(day);
                }
                continue;
            }
            let p_start = period_start.map(|o| IsoDate(today.saturating_add(time::Duration::days(o))));
            let p_end = match (p_start, length) {
                (Some(s), Some(l)) => Some(IsoDate(s.0.saturating_add(time::Duration::days(l)))),
                _ => None,
            };
            let mut v = Validity::on_signing(p_start, p_end, day);
            let others: Vec<Validity> = register.iter().map(|(_, v)| *v).collect();
            let from = start_after_started(v.from.unwrap_or(day), &others, day);
            v.from = Some(from);
            let started: Vec<bool> = register.iter().map(|(_, v)| !v.is_empty() && v.from.is_some_and(|f| f <= day)).collect();
            register = supersede(&register, from);
            // A new promise ends older ones; it never erases one that had already started.
            for (was_started, (_, after)) in started.iter().zip(&register) {
                prop_assert!(!was_started || !after.is_empty(), "{after:?} erased");
            }
            register.push((Status::InForce, v));
            prop_assert!(register.iter().filter(|(s, _)| *s == Status::InForce).count() == 1);
        }
        for (i, (_, a)) in register.iter().enumerate() {
            for (_, b) in &register[i + 1..] {
                prop_assert!(!a.overlaps(b), "{a:?} overlaps {b:?}");
            }
        }
        let mut day = start;
        while day <= today.saturating_add(time::Duration::days(500)) {
            let n = register.iter().filter(|(s, v)| s.is_public() && v.contains(IsoDate(day))).count();
            prop_assert!(n <= 1, "{n} in force on {day}");
            day = day.saturating_add(time::Duration::days(1));
        }
    }
}
