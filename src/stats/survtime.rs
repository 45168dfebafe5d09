//! Shared plumbing for right-censored survival data: input checks, the single sort by time, and
//! R's `aeqSurv` tie correction (`timefix = TRUE` in `survfit` / `survdiff`).

use std::borrow::Cow;

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

/// Indices of `time` in increasing time order (times already validated finite and >= 0).
pub(crate) fn order_by_time(time: &[f64]) -> Vec<u32> {
    // Non-negative doubles order like their bit patterns (after mapping -0.0 to +0.0).
    let mut keyed: Vec<(u64, u32)> = time
        .iter()
        .enumerate()
        .map(|(i, t)| ((t + 0.0).to_bits(), i as u32))
        .collect();
    keyed.sort_unstable_by_key(|p| p.0);
    keyed.into_iter().map(|p| p.1).collect()
}

/// R `aeqSurv`: distinct times closer than `sqrt(.Machine$double.eps)` (absolutely, or relative to
/// the mean absolute distinct time) are merged into the smallest of the chain. Returns the
/// corrected times (borrowed when nothing is merged, the usual case).
pub(crate) fn aeq_times<'a>(time: &'a [f64], order: &[u32]) -> Cow<'a, [f64]> {
    let tol = f64::EPSILON.sqrt();
    let mut sum_abs = 0.0;
    let mut n_unique = 0usize;
    let mut prev = f64::NAN;
    let mut any_tied = false;
    for &i in order {
        let t = time[i as usize];
        if t != prev {
            if n_unique > 0 && t - prev <= tol {
                any_tied = true;
            }
            sum_abs += t.abs();
            n_unique += 1;
            prev = t;
        }
    }
    let mean_abs = if n_unique > 0 {
        sum_abs / n_unique as f64
    } else {
        0.0
    };
    let tied = |dy: f64| dy <= tol || dy / mean_abs <= tol;
    if !any_tied {
        // check the relative rule too
        let mut prev = f64::NAN;
        for &i in order {
            let t = time[i as usize];
            if t != prev {
                if !prev.is_nan() && tied(t - prev) {
                    any_tied = true;
                    break;
                }
                prev = t;
            }
        }
    }
    if !any_tied {
        return Cow::Borrowed(time);
    }
    let mut fixed = time.to_vec();
    let mut prev = f64::NAN;
    let mut cut = f64::NAN;
    for &i in order {
        let t = time[i as usize];
        if t != prev {
            if prev.is_nan() || !tied(t - prev) {
                cut = t;
            }
            prev = t;
        }
        fixed[i as usize] = cut;
    }
    Cow::Owned(fixed)
}

/// Stable counting sort of `order` by `label` (values `0..k`): returns the reordered indices and
/// the `k + 1` offsets of each label's block. Time order is kept within each block.
pub(crate) fn partition_by_label(order: &[u32], label: &[u32], k: usize) -> (Vec<u32>, Vec<usize>) {
    let mut offsets = vec![0usize; k + 1];
    for &l in label {
        offsets[l as usize + 1] += 1;
    }
    for j in 0..k {
        offsets[j + 1] += offsets[j];
    }
    let mut next = offsets.clone();
    let mut out = vec![0u32; order.len()];
    for &i in order {
        let l = label[i as usize] as usize;
        out[next[l]] = i;
        next[l] += 1;
    }
    (out, offsets)
}

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
