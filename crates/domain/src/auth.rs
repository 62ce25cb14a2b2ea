//! Who may do what: roles in organisations, and the rules for e-mail addresses, passwords and
//! login throttling. Pure: the caller supplies clocks and data.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// A person's role in one organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Läsare: reads the organisation's documents, drafts included, and their history.
    Reader,
    /// Redaktör: also writes drafts.
    Editor,
    /// Firmatecknare: reads, and signs for the organisation (signing comes later).
    Signatory,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Reader, Role::Editor, Role::Signatory];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Editor => "editor",
            Role::Signatory => "signatory",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label_sv(self) -> &'static str {
        match self {
            Role::Reader => "läsare",
            Role::Editor => "redaktör",
            Role::Signatory => "firmatecknare",
        }
    }
}

/// An organisation: a municipality (by SCB code) or a police area (by id).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Org {
    Municipality(String),
    PoliceArea(String),
}

impl Org {
    pub fn kind(&self) -> &'static str {
        match self {
            Org::Municipality(_) => "municipality",
            Org::PoliceArea(_) => "police_area",
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Org::Municipality(id) | Org::PoliceArea(id) => id,
        }
    }

    pub fn from_parts(kind: &str, id: String) -> Option<Self> {
        match kind {
            "municipality" => Some(Org::Municipality(id)),
            "police_area" => Some(Org::PoliceArea(id)),
            _ => None,
        }
    }
}

/// A signed-in member of staff, with every organisation they belong to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Staff {
    pub id: String,
    pub email: String,
    pub name: String,
    pub is_admin: bool,
    /// A demo account: usable only while the demo is on.
    pub is_demo: bool,
    /// When the password last changed; sessions from before that are no longer valid.
    pub password_changed_at: Option<String>,
    pub memberships: Vec<(Org, Role)>,
}

impl Staff {
    /// The best role this person has in any of `parties` (the organisations party to a document).
    fn role_in(&self, parties: &[Org]) -> Option<Role> {
        self.memberships.iter().filter(|(org, _)| parties.contains(org)).map(|(_, role)| *role).max_by_key(
            |r| match r {
                Role::Reader => 0,
                Role::Signatory => 1,
                Role::Editor => 2,
            },
        )
    }

    /// Staff of any party may read a document, drafts and history included; admins read all.
    pub fn can_read(&self, parties: &[Org]) -> bool {
        self.is_admin || self.role_in(parties).is_some()
    }

    /// Editors of a party (and admins) may write its drafts.
    pub fn can_edit(&self, parties: &[Org]) -> bool {
        self.is_admin || self.memberships.iter().any(|(org, role)| *role == Role::Editor && parties.contains(org))
    }
}

/// Normalises an e-mail address (trimmed, lower case) and checks its shape: one `@`, something
/// on both sides, a dot in the domain, no spaces or control characters, at most 254 characters.
pub fn normalize_email(raw: &str) -> Option<String> {
    let email = raw.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    let ok = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    ok.then_some(email)
}

pub const MIN_PASSWORD: usize = 10;
pub const MAX_PASSWORD: usize = 256;

/// Why a new password is refused, in Swedish; `None` when it is acceptable.
pub fn password_problem(password: &str, email: &str) -> Option<String> {
    let n = password.chars().count();
    if n < MIN_PASSWORD {
        Some(format!("Lösenordet måste ha minst {MIN_PASSWORD} tecken."))
    } else if n > MAX_PASSWORD {
        Some(format!("Lösenordet får ha högst {MAX_PASSWORD} tecken."))
    } else if password.trim().is_empty() {
        Some("Lösenordet får inte bestå av bara mellanslag.".into())
    } else if password.to_lowercase() == email.to_lowercase() {
        Some("Välj ett lösenord som inte är din e-postadress.".into())
    } else {
        None
    }
}

/// Counts failures per key in a fixed window: after `limit` failures within `window` the key is
/// refused until the window that began with its first failure has passed. Bounded in size.
#[derive(Debug)]
pub struct Throttle {
    limit: u32,
    window: Duration,
    entries: HashMap<String, (u32, Instant)>,
}

const THROTTLE_MAX_KEYS: usize = 100_000;

impl Throttle {
    pub fn new(limit: u32, window: Duration) -> Self {
        Throttle { limit, window, entries: HashMap::new() }
    }

    /// How long `key` must still wait, if it is refused now.
    pub fn blocked_for(&self, key: &str, now: Instant) -> Option<Duration> {
        let (count, start) = self.entries.get(key)?;
        let until = *start + self.window;
        (*count >= self.limit && now < until).then(|| until - now)
    }

    /// Counts an attempt and says whether it may go ahead, in one step, so that attempts made at
    /// the same moment cannot all slip under the limit. A successful attempt calls `succeed`.
    pub fn attempt(&mut self, key: &str, now: Instant) -> Result<(), Duration> {
        if let Some(wait) = self.blocked_for(key, now) {
            return Err(wait);
        }
        self.fail(key, now);
        Ok(())
    }

    pub fn fail(&mut self, key: &str, now: Instant) {
        if self.entries.len() >= THROTTLE_MAX_KEYS {
            let window = self.window;
            self.entries.retain(|_, (_, start)| now.duration_since(*start) < window);
        }
        let entry = self.entries.entry(key.to_owned()).or_insert((0, now));
        if now.duration_since(entry.1) >= self.window {
            *entry = (0, now);
        }
        entry.0 += 1;
    }

    /// Takes back one counted attempt (one that turned out to succeed).
    pub fn refund(&mut self, key: &str) {
        if let Some(entry) = self.entries.get_mut(key) {
            entry.0 = entry.0.saturating_sub(1);
        }
    }

    pub fn succeed(&mut self, key: &str) {
        self.entries.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staff(memberships: Vec<(Org, Role)>) -> Staff {
        Staff {
            id: "x".into(),
            email: "a@b.se".into(),
            name: "A".into(),
            is_admin: false,
            is_demo: false,
            password_changed_at: None,
            memberships,
        }
    }

    #[test]
    fn parties_decide_access() {
        let saffle = Org::Municipality("1785".into());
        let arvika_lpo = Org::PoliceArea("lpo".into());
        let arjang = Org::Municipality("1765".into());
        let parties = [saffle.clone(), arvika_lpo.clone()];
        let editor = staff(vec![(saffle.clone(), Role::Editor)]);
        let police_editor = staff(vec![(arvika_lpo, Role::Editor)]);
        let reader = staff(vec![(saffle.clone(), Role::Reader)]);
        let signatory = staff(vec![(saffle, Role::Signatory)]);
        let other = staff(vec![(arjang, Role::Editor)]);
        assert!(editor.can_edit(&parties) && editor.can_read(&parties));
        assert!(police_editor.can_edit(&parties));
        assert!(reader.can_read(&parties) && !reader.can_edit(&parties));
        assert!(signatory.can_read(&parties) && !signatory.can_edit(&parties));
        assert!(!other.can_read(&parties) && !other.can_edit(&parties));
        let admin = Staff { is_admin: true, ..staff(vec![]) };
        assert!(admin.can_read(&parties) && admin.can_edit(&parties));
    }

    #[test]
    fn emails_are_normalised() {
        assert_eq!(normalize_email("  Anna.Berg@Saffle.SE "), Some("anna.berg@saffle.se".into()));
        for bad in ["", "anna", "@saffle.se", "anna@", "anna@saffle", "an na@saffle.se", "a@b@c.se", "a@.se", "a@se."] {
            assert_eq!(normalize_email(bad), None, "{bad}");
        }
    }

    #[test]
    fn passwords_need_length() {
        assert!(password_problem("kort", "a@b.se").is_some());
        assert!(password_problem("a@b.se-long", "A@B.SE-LONG").is_some());
        assert!(password_problem("ett långt lösenord", "a@b.se").is_none());
    }

    #[test]
    fn throttle_blocks_after_the_limit_and_lets_go_after_the_window() {
        let t0 = Instant::now();
        let mut t = Throttle::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert_eq!(t.blocked_for("k", t0), None);
            t.fail("k", t0);
        }
        assert!(t.blocked_for("k", t0 + Duration::from_secs(10)).is_some());
        assert_eq!(t.blocked_for("other", t0), None);
        assert_eq!(t.blocked_for("k", t0 + Duration::from_secs(61)), None);
        t.fail("k", t0 + Duration::from_secs(61));
        assert_eq!(t.blocked_for("k", t0 + Duration::from_secs(62)), None, "a new window starts");
        t.succeed("k");
        assert_eq!(t.blocked_for("k", t0 + Duration::from_secs(62)), None);
    }

    #[test]
    fn attempts_are_counted_before_they_are_judged() {
        let t0 = Instant::now();
        let mut t = Throttle::new(5, Duration::from_secs(60));
        let allowed = (0..60).filter(|_| t.attempt("k", t0).is_ok()).count();
        assert_eq!(allowed, 5);
    }
}
