//! What the benchmarks share: knobs from the environment, a deterministic generator, random
//! answers to the standard safety survey, and the median and worst of timed runs. Included by
//! each benchmark with `mod common;` (not a benchmark of its own).

#![allow(dead_code)] // each benchmark uses a part

use std::time::Duration;

use lofte_domain::survey::{Answers, Kind, safety_survey_template};

pub fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A small deterministic generator (xorshift), so runs are comparable.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

pub fn random_answers(rng: &mut Rng, areas: &[(String, String)]) -> Answers {
    let q = safety_survey_template();
    let mut a = Answers::default();
    for question in &q.questions {
        match question.kind {
            Kind::Single | Kind::Multiple => {
                let c = &question.choices[rng.below(question.choices.len())];
                a.choices.insert(question.key.clone(), vec![c.key.clone()]);
            }
            Kind::Number => {
                a.numbers.insert(question.key.clone(), rng.below(40) as i64);
            }
            Kind::SubArea => {
                a.choices.insert(question.key.clone(), vec![areas[rng.below(areas.len())].0.clone()]);
            }
            Kind::FreeText => {}
        }
    }
    a
}

pub fn median_and_max(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort();
    (times[times.len() / 2], times[times.len() - 1])
}
