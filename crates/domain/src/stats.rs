//! Statistics of survey results: a share with its Wilson score interval, the difference of two
//! independent shares (Newcombe's hybrid score interval) and post-stratified shares with Kish's
//! effective sample size. Pure functions of their arguments.

use serde::{Deserialize, Serialize};

/// The standard normal quantile for a two-sided 95 % interval (Φ⁻¹(0.975)).
pub const Z95: f64 = 1.959963984540054;

/// A share with its confidence interval. `n` is the (possibly effective, non-integer) sample size.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub share: f64,
    pub lo: f64,
    pub hi: f64,
    pub n: f64,
}

/// Wilson score interval for `k` successes out of `n` at normal quantile `z`.
///
/// `n` may be an effective sample size (non-integer). `None` when `n` is not a positive finite
/// number, `z` is not finite and non-negative, or `k` lies outside `[0, n]`; a float excess of `k`
/// over `n` (or below 0) within 1e-9 relative is clamped.
pub fn wilson(k: f64, n: f64, z: f64) -> Option<Estimate> {
    if !(n.is_finite() && n > 0.0 && k.is_finite() && z.is_finite() && z >= 0.0) {
        return None;
    }
    let slack = 1e-9 * n;
    if k < -slack || k > n + slack {
        return None;
    }
    let k = k.clamp(0.0, n);
    let p = k / n;
    let z2 = z * z;
    let denominator = n + z2;
    let centre = (k + z2 / 2.0) / denominator;
    let half = z * (k * (n - k) / n + z2 / 4.0).sqrt() / denominator;
    // Mathematically lo ≤ p ≤ hi within [0, 1]; the min/max keep that true in floating point.
    let lo = if k == 0.0 { 0.0 } else { (centre - half).clamp(0.0, p) };
    let hi = if k == n { 1.0 } else { (centre + half).clamp(p, 1.0) };
    Some(Estimate { share: p, lo, hi, n })
}

/// The share `k / n` with its 95 % Wilson interval; `None` when `n` is 0 or `k > n`.
pub fn share(k: u64, n: u64) -> Option<Estimate> {
    if k > n {
        return None;
    }
    wilson(k as f64, n as f64, Z95)
}

/// The change `b − a` between two independent shares (e.g. last year `a`, this year `b`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    pub diff: f64,
    pub lo: f64,
    pub hi: f64,
    /// The interval excludes 0.
    pub significant: bool,
}

/// The difference `b.share − a.share` with Newcombe's hybrid score interval (Newcombe 1998,
/// method 10), built from the two estimates' Wilson intervals, so at their confidence level and
/// valid for effective sample sizes. `None` when an estimate is not a proper interval.
pub fn difference(a: &Estimate, b: &Estimate) -> Option<Difference> {
    let proper = |e: &Estimate| {
        [e.share, e.lo, e.hi].iter().all(|x| x.is_finite())
            && 0.0 <= e.lo
            && e.lo <= e.share
            && e.share <= e.hi
            && e.hi <= 1.0
    };
    if !proper(a) || !proper(b) {
        return None;
    }
    let diff = b.share - a.share;
    let lo = diff - (b.share - b.lo).hypot(a.hi - a.share);
    let hi = diff + (b.hi - b.share).hypot(a.share - a.lo);
    Some(Difference { diff, lo, hi, significant: lo > 0.0 || hi < 0.0 })
}

/// One post-stratification cell (e.g. women aged 16–24): its population and the survey's answers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stratum {
    pub population: f64,
    pub respondents: u64,
    /// Respondents answering yes (at most `respondents`).
    pub yes: u64,
}

/// A post-stratified share.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Weighted {
    /// The weighted share with its 95 % Wilson interval at the effective sample size (`n = n_eff`).
    pub estimate: Estimate,
    pub respondents: u64,
    /// Kish's effective sample size.
    pub n_eff: f64,
    /// Population of the strata without respondents: not represented by the estimate.
    pub uncovered_population: f64,
}

/// The share weighted to the population: each respondent of stratum h weighs `N_h / n_h`, so the
/// share is `Σ N_h·(yes_h/n_h) / Σ N_h` over strata with respondents. Its interval is Wilson's at
/// Kish's effective sample size. `None` when a population is negative or not finite, some
/// `yes > respondents`, or no respondent stands for a positive population.
pub fn weighted_share(strata: &[Stratum]) -> Option<Weighted> {
    if strata.iter().any(|s| !(s.population.is_finite() && s.population >= 0.0) || s.yes > s.respondents) {
        return None;
    }
    let covered = || strata.iter().filter(|s| s.respondents > 0);
    let population: f64 = covered().map(|s| s.population).sum();
    if population <= 0.0 {
        return None;
    }
    let share = covered().map(|s| s.population * (s.yes as f64 / s.respondents as f64)).sum::<f64>() / population;
    let n_eff = kish(covered().map(|s| (s.population / s.respondents as f64, s.respondents)));
    let estimate = wilson(share * n_eff, n_eff, Z95)?;
    Some(Weighted {
        estimate,
        respondents: covered().map(|s| s.respondents).sum(),
        n_eff,
        uncovered_population: strata.iter().filter(|s| s.respondents == 0).map(|s| s.population).sum(),
    })
}

/// Kish's effective sample size `(Σ c·w)² / Σ c·w²` of `count` respondents per `weight`;
/// 0 when no respondent has a non-zero weight.
pub fn kish(weights: impl IntoIterator<Item = (f64, u64)>) -> f64 {
    let (sum, sum_sq) = weights.into_iter().fold((0.0, 0.0), |(s, q), (w, c)| (s + c as f64 * w, q + c as f64 * w * w));
    if sum_sq > 0.0 { sum * sum / sum_sq } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(actual: f64, expected: f64, tolerance: f64) {
        assert!((actual - expected).abs() <= tolerance, "{actual} is not {expected} ± {tolerance}");
    }

    /// Newcombe RG (1998), "Two-sided confidence intervals for the single proportion: comparison
    /// of seven methods", Stat Med 17:857–872, Table II, method 3 (score interval without
    /// continuity correction), printed to four decimals.
    #[test]
    fn wilson_matches_newcombe_table_ii() {
        for (k, n, lo, hi) in
            [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)]
        {
            let e = share(k, n).unwrap();
            close(e.lo, lo, 0.00005);
            close(e.hi, hi, 0.00005);
            close(e.share, k as f64 / n as f64, 1e-15);
            assert_eq!(e.n, n as f64);
        }
    }

    /// Newcombe RG (1998), "Interval estimation for the difference between independent
    /// proportions: comparison of eleven methods", Stat Med 17:873–890, example (a): 56/70 − 48/80
    /// = 0.2000, method 10 (hybrid score) 0.0524 to 0.3339. Newcombe's θ is the first minus the
    /// second; ours is `b − a`, so his first proportion is our `b`.
    #[test]
    fn difference_matches_newcombe_example() {
        let first = share(56, 70).unwrap();
        let second = share(48, 80).unwrap();
        let d = difference(&second, &first).unwrap();
        close(d.diff, 0.2, 1e-12);
        close(d.lo, 0.0524, 0.00005);
        close(d.hi, 0.3339, 0.00005);
        assert!(d.significant);
        // The other way round mirrors it.
        let d = difference(&first, &second).unwrap();
        close(d.diff, -0.2, 1e-12);
        close(d.lo, -0.3339, 0.00005);
        close(d.hi, -0.0524, 0.00005);
        assert!(d.significant);
    }

    #[test]
    fn degenerate_inputs_give_none() {
        assert_eq!(share(1, 0), None);
        assert_eq!(share(0, 0), None);
        assert_eq!(share(3, 2), None);
        assert_eq!(wilson(1.0, f64::NAN, Z95), None);
        assert_eq!(wilson(1.0, f64::INFINITY, Z95), None);
        assert_eq!(wilson(-0.5, 10.0, Z95), None);
        assert_eq!(wilson(f64::NAN, 10.0, Z95), None);
        // A float excess is clamped, not refused.
        assert_eq!(wilson(0.1 + 0.2, 0.3, Z95).unwrap().hi, 1.0);
        assert_eq!(weighted_share(&[]), None);
        assert_eq!(weighted_share(&[Stratum { population: 10.0, respondents: 0, yes: 0 }]), None);
        assert_eq!(weighted_share(&[Stratum { population: 10.0, respondents: 1, yes: 2 }]), None);
        assert_eq!(weighted_share(&[Stratum { population: -1.0, respondents: 1, yes: 0 }]), None);
        assert_eq!(kish([]), 0.0);
    }

    /// Reference values computed by hand in Python 3 (no scipy; closed-form formulas, z =
    /// 1.959963984540054):
    ///
    /// ```python
    /// from math import sqrt
    /// z = 1.959963984540054
    /// N, n, y = [1000, 3000, 2000], [50, 50, 100], [10, 30, 40]
    /// p = sum(Nh * yh / nh for Nh, nh, yh in zip(N, n, y)) / sum(N)        # 0.4666666666666667
    /// w = [Nh / nh for Nh, nh in zip(N, n)]
    /// neff = sum(nh * wh for nh, wh in zip(n, w)) ** 2 / sum(nh * wh * wh for nh, wh in zip(n, w))
    /// # neff = 6000² / (50·20² + 50·60² + 100·20²) = 36e6 / 240000 = 150.0
    /// k = p * neff; d = neff + z * z; c = (k + z * z / 2) / d
    /// h = z * sqrt(k * (neff - k) / neff + z * z / 4) / d
    /// print(repr(c - h), repr(c + h))  # 0.38866050759928206 0.5463375086919231
    /// ```
    #[test]
    fn weighted_share_matches_python() {
        let strata = [
            Stratum { population: 1000.0, respondents: 50, yes: 10 },
            Stratum { population: 3000.0, respondents: 50, yes: 30 },
            Stratum { population: 2000.0, respondents: 100, yes: 40 },
            Stratum { population: 500.0, respondents: 0, yes: 0 },
        ];
        let w = weighted_share(&strata).unwrap();
        close(w.estimate.share, 0.4666666666666667, 1e-12);
        close(w.n_eff, 150.0, 1e-9);
        assert_eq!(w.estimate.n, w.n_eff);
        close(w.estimate.lo, 0.38866050759928206, 1e-12);
        close(w.estimate.hi, 0.5463375086919231, 1e-12);
        assert_eq!(w.respondents, 200);
        assert_eq!(w.uncovered_population, 500.0);
    }

    /// Kish's formula for weights 1 (×10) and 3 (×10): (10 + 30)² / (10 + 90) = 16, by hand.
    #[test]
    fn kish_by_hand() {
        close(kish([(1.0, 10), (3.0, 10)]), 16.0, 1e-12);
        close(kish([(2.5, 7)]), 7.0, 1e-12);
    }

    proptest! {
        #[test]
        fn interval_is_ordered(n in 1u64..100_000, k in 0u64..100_000) {
            let k = k % (n + 1);
            let e = share(k, n).unwrap();
            prop_assert!(0.0 <= e.lo && e.lo <= e.share && e.share <= e.hi && e.hi <= 1.0, "{e:?}");
        }

        #[test]
        fn effective_interval_is_ordered(n in 0.01f64..1e7, p in 0.0f64..=1.0) {
            let e = wilson(p * n, n, Z95).unwrap();
            prop_assert!(0.0 <= e.lo && e.lo <= e.share && e.share <= e.hi && e.hi <= 1.0, "{e:?}");
        }

        #[test]
        fn complement_mirrors(n in 1u64..100_000, k in 0u64..100_000) {
            let k = k % (n + 1);
            let (e, m) = (share(k, n).unwrap(), share(n - k, n).unwrap());
            prop_assert!((e.lo - (1.0 - m.hi)).abs() < 1e-12 && (e.hi - (1.0 - m.lo)).abs() < 1e-12);
        }

        #[test]
        fn width_shrinks_with_n(n in 1u64..10_000, k in 0u64..10_000, m in 2u64..50) {
            let k = k % (n + 1);
            let (small, large) = (share(k, n).unwrap(), share(k * m, n * m).unwrap());
            prop_assert!(large.hi - large.lo <= small.hi - small.lo + 1e-12);
        }

        #[test]
        fn no_change_contains_zero(n in 0.5f64..1e6, p in 0.0f64..=1.0) {
            let e = wilson(p * n, n, Z95).unwrap();
            let d = difference(&e, &e).unwrap();
            prop_assert!(d.lo <= 0.0 && 0.0 <= d.hi && !d.significant && d.diff == 0.0);
        }

        #[test]
        fn proportional_population_is_unweighted(
            cells in prop::collection::vec((1u64..500, 0u64..500), 1..12),
            per_respondent in 0.5f64..1000.0,
        ) {
            let strata: Vec<Stratum> = cells
                .iter()
                .map(|&(n, y)| Stratum { population: per_respondent * n as f64, respondents: n, yes: y % (n + 1) })
                .collect();
            let n: u64 = strata.iter().map(|s| s.respondents).sum();
            let yes: u64 = strata.iter().map(|s| s.yes).sum();
            let w = weighted_share(&strata).unwrap();
            let plain = share(yes, n).unwrap();
            prop_assert!((w.n_eff - n as f64).abs() < 1e-9 * n as f64);
            prop_assert!((w.estimate.share - plain.share).abs() < 1e-12);
            prop_assert!((w.estimate.lo - plain.lo).abs() < 1e-9 && (w.estimate.hi - plain.hi).abs() < 1e-9);
            prop_assert_eq!(w.respondents, n);
        }
    }
}
