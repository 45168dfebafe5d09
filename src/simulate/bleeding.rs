//! The harm the simulator plants: a bleeding hazard raised by treatment
//! ([`SimParams::bleeding_hr`]), applied to the drawn daily bleeding records.

use super::model::{bleeding_probability, col, SimParams};
use super::rng::Rng;

/// Salt of the random stream of the bleeding effect, apart from the patient's main stream, so
/// that planting it changes no other value.
const BLEEDING_STREAM: u64 = 0x6B6C_6565_6469_6E67;

/// Plants [`SimParams::bleeding_hr`] on the days from `start` (never day 1): with `p0` the day's
/// untreated probability and `p1 = 1 - (1 - p0)^hr`, a day drawn without bleeding gets one with
/// probability `(p1 - p0) / (1 - p0)` (hr > 1) and a day drawn with bleeding loses it with
/// probability `1 - p1 / p0` (hr < 1), so that each treated day bleeds with probability `p1`
/// exactly. Draws from its own stream (`BLEEDING_STREAM`).
pub(crate) fn apply_bleeding_hr(
    params: &SimParams,
    index: u64,
    start: Option<u32>,
    coag: &[f64],
    days: &mut [[f64; col::N]],
) {
    let (Some(start), hr) = (start, params.bleeding_hr) else {
        return;
    };
    if hr == 1.0 {
        return;
    }
    let mut rng = Rng::stream(params.seed ^ BLEEDING_STREAM, index);
    for (k, v) in days.iter_mut().enumerate() {
        let day = k as u32 + 1;
        if day < start.max(2) {
            continue;
        }
        let p0 = bleeding_probability(coag[k]);
        let p1 = 1.0 - (1.0 - p0).powf(hr);
        let u = rng.uniform();
        if hr > 1.0 && v[col::BLEEDING] == 0.0 && u < (p1 - p0) / (1.0 - p0) {
            v[col::BLEEDING] = 1.0;
        } else if hr < 1.0 && v[col::BLEEDING] == 1.0 && u < 1.0 - p1 / p0 {
            v[col::BLEEDING] = 0.0;
        }
    }
}
