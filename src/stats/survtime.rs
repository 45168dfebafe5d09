//! Shared plumbing for right-censored survival data: input checks, the single sort by time (or
//! hashing when there are few distinct times), and R's `aeqSurv` tie correction
//! (`timefix = TRUE` in `survfit` / `survdiff`).

use super::StatsError;

/// Checks lengths, finiteness, non-negative times and weights. Rows are 1-based in messages.
pub(crate) fn validate(
    time: &[f64],
    event_len: usize,
    weights: Option<&[f64]>,
) -> Result<(), StatsError> {
    if event_len != time.len() {
        return Err(StatsError::InvalidInput(format!(
            "time has {} values but event has {}",
            time.len(),
            event_len
        )));
    }
    if time.len() > u32::MAX as usize {
        return Err(StatsError::InvalidInput(
            "more than 2^32 - 1 observations".into(),
        ));
    }
    if let Some((i, t)) = time
        .iter()
        .enumerate()
        .find(|(_, t)| !(t.is_finite() && **t >= 0.0))
    {
        return Err(StatsError::InvalidInput(format!(
            "time at row {} is {t}: survival times must be finite and >= 0",
            i + 1
        )));
    }
    if let Some(w) = weights {
        if w.len() != time.len() {
            return Err(StatsError::InvalidInput(format!(
                "weights has {} values but time has {}",
                w.len(),
                time.len()
            )));
        }
        if let Some((i, x)) = w
            .iter()
            .enumerate()
            .find(|(_, x)| !(x.is_finite() && **x >= 0.0))
        {
            return Err(StatsError::InvalidInput(format!(
                "weight at row {} is {x}: weights must be finite and >= 0",
                i + 1
            )));
        }
    }
    Ok(())
}

/// Rows in time order (ties corrected as R `timefix = TRUE` when asked), split into `k` blocks
/// with time order kept inside each block.
pub(crate) struct SortedRows {
    /// Times in order (after the tie correction).
    pub time: Vec<f64>,
    /// The value `aux(row)` carried through the sort for each sorted position.
    pub aux: Vec<u32>,
    /// `k + 1` block offsets.
    pub offsets: Vec<usize>,
}

/// Sorts rows by time carrying `aux(row)` (a row id, or packed group / event bits, so that the
/// passes after the sort read memory in order instead of jumping around), then splits them into
/// `k` blocks by `block(aux)` with a stable counting pass.
pub(crate) fn sorted_rows(
    time: &[f64],
    timefix: bool,
    aux: impl Fn(usize) -> u32,
    k: usize,
    block: impl Fn(u32) -> usize,
) -> SortedRows {
    let mut keyed: Vec<(u64, u32)> = time
        .iter()
        .enumerate()
        .map(|(i, t)| ((t + 0.0).to_bits(), aux(i)))
        .collect();
    keyed.sort_unstable_by_key(|p| p.0);
    let n = keyed.len();
    if k <= 1 {
        let (mut ts, aux): (Vec<f64>, Vec<u32>) = keyed
            .into_iter()
            .map(|(b, a)| (f64::from_bits(b), a))
            .unzip();
        if timefix {
            aeq_sorted(&mut ts);
        }
        return SortedRows {
            time: ts,
            aux,
            offsets: vec![0, n],
        };
    }
    let mut offsets = vec![0usize; k + 1];
    for &(_, a) in &keyed {
        offsets[block(a) + 1] += 1;
    }
    for j in 0..k {
        offsets[j + 1] += offsets[j];
    }
    let mut next = offsets.clone();
    let mut ts = vec![0.0; n];
    let mut ax = vec![0u32; n];
    // the tie correction needs all times in order, before they are split
    let mean_abs = if timefix {
        aeq_mean_if_tied(keyed.iter().map(|p| f64::from_bits(p.0)))
    } else {
        None
    };
    match mean_abs {
        None => {
            for &(b, a) in &keyed {
                let l = block(a);
                let o = next[l];
                ts[o] = f64::from_bits(b);
                ax[o] = a;
                next[l] = o + 1;
            }
        }
        Some(mean_abs) => {
            let tied = aeq_rule(mean_abs);
            let (mut prev, mut cut) = (f64::NAN, f64::NAN);
            for &(b, a) in &keyed {
                let t = f64::from_bits(b);
                if t != prev {
                    if prev.is_nan() || !tied(t - prev) {
                        cut = t;
                    }
                    prev = t;
                }
                let l = block(a);
                let o = next[l];
                ts[o] = cut;
                ax[o] = a;
                next[l] = o + 1;
            }
        }
    }
    SortedRows {
        time: ts,
        aux: ax,
        offsets,
    }
}

/// R `aeqSurv` on sorted times, in place: distinct times closer than `sqrt(.Machine$double.eps)`
/// (absolutely, or relative to the mean absolute distinct time) are merged into the smallest of
/// the chain.
pub(crate) fn aeq_sorted(ts: &mut [f64]) {
    let Some(mean_abs) = aeq_mean_if_tied(ts.iter().copied()) else {
        return;
    };
    let tied = aeq_rule(mean_abs);
    let mut prev = ts[0];
    let mut cut = ts[0];
    for t in ts.iter_mut() {
        let orig = *t;
        if orig != prev {
            if !tied(orig - prev) {
                cut = orig;
            }
            prev = orig;
        }
        *t = cut;
    }
}

/// `aeqSurv`'s rule: consecutive distinct times `dy` apart are tied when `dy <= tol` or
/// `dy / mean(abs(distinct times)) <= tol`, `tol = sqrt(.Machine$double.eps)`.
fn aeq_rule(mean_abs: f64) -> impl Fn(f64) -> bool {
    let tol = f64::EPSILON.sqrt();
    move |dy: f64| dy <= tol || dy / mean_abs <= tol
}

/// The mean absolute distinct time when some consecutive distinct times are tied by
/// [`aeq_rule`] (`None`: nothing to merge). Two read-only passes over sorted times.
fn aeq_mean_if_tied(sorted: impl Iterator<Item = f64> + Clone) -> Option<f64> {
    let mut sum_abs = 0.0;
    let mut n_unique = 0usize;
    let mut prev = f64::NAN;
    for t in sorted.clone() {
        if t != prev {
            sum_abs += t.abs();
            n_unique += 1;
            prev = t;
        }
    }
    if n_unique < 2 {
        return None;
    }
    let mean_abs = sum_abs / n_unique as f64;
    let tied = aeq_rule(mean_abs);
    let mut prev = f64::NAN;
    for t in sorted {
        if t != prev {
            if !prev.is_nan() && tied(t - prev) {
                return Some(mean_abs);
            }
            prev = t;
        }
    }
    None
}

/// Each row's rank among the distinct (tie-corrected) times, when there are at most
/// `max_distinct` of them: found with a small open-addressing hash table in two passes over the
/// rows instead of a sort (whole-day follow-up has a few dozen distinct times). `None` when
/// there are more distinct times (the caller sorts instead).
pub(crate) struct TimeRanks {
    pub rank: Vec<u32>,
    /// Distinct times in increasing order (after the tie correction), indexed by rank.
    pub times: Vec<f64>,
}

pub(crate) fn few_distinct_times(
    time: &[f64],
    max_distinct: usize,
    timefix: bool,
) -> Option<TimeRanks> {
    const EMPTY: u64 = u64::MAX; // a NaN pattern: never the bits of a valid time
    let bits = (2 * max_distinct)
        .next_power_of_two()
        .trailing_zeros()
        .clamp(4, 16);
    let cap = 1usize << bits;
    let mut keys = vec![EMPTY; cap];
    let mut slot = vec![0u16; time.len()];
    let mut n_distinct = 0usize;
    let mut last_key = EMPTY;
    let mut last_slot = 0u16;
    for (t, s) in time.iter().zip(slot.iter_mut()) {
        let key = (t + 0.0).to_bits();
        if key == last_key {
            *s = last_slot;
            continue;
        }
        let mut h = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize;
        loop {
            let k = keys[h];
            if k == key {
                break;
            }
            if k == EMPTY {
                n_distinct += 1;
                if n_distinct > max_distinct {
                    return None;
                }
                keys[h] = key;
                break;
            }
            h = (h + 1) & (cap - 1);
        }
        *s = h as u16;
        last_key = key;
        last_slot = h as u16;
    }
    let mut occupied: Vec<(f64, usize)> = keys
        .iter()
        .enumerate()
        .filter(|(_, &k)| k != EMPTY)
        .map(|(h, &k)| (f64::from_bits(k), h))
        .collect();
    occupied.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut fixed: Vec<f64> = occupied.iter().map(|o| o.0).collect();
    if timefix {
        aeq_sorted(&mut fixed);
    }
    let mut slot_rank = vec![0u32; cap];
    let mut times: Vec<f64> = Vec::with_capacity(fixed.len());
    for (&(_, h), &f) in occupied.iter().zip(&fixed) {
        if times.last() != Some(&f) {
            times.push(f);
        }
        slot_rank[h] = (times.len() - 1) as u32;
    }
    let rank = slot.iter().map(|&s| slot_rank[s as usize]).collect();
    Some(TimeRanks { rank, times })
}

/// Largest number of distinct times for which [`few_distinct_times`] is used.
pub(crate) const FEW_DISTINCT: usize = 4096;

/// Checks a label column (`0..k`) for length and range.
pub(crate) fn validate_labels(
    name: &str,
    label: &[u32],
    n: usize,
    k: usize,
) -> Result<(), StatsError> {
    if label.len() != n {
        return Err(StatsError::InvalidInput(format!(
            "{name} has {} values but time has {n}",
            label.len()
        )));
    }
    if let Some((i, l)) = label.iter().enumerate().find(|(_, l)| **l as usize >= k) {
        return Err(StatsError::InvalidInput(format!(
            "{name} at row {} is {l}, outside 0..{k}",
            i + 1
        )));
    }
    Ok(())
}
