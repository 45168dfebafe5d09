//! A fingerprint of a set of patients, shared by the results (each population's arms) and
//! Table 1 (each cell's patients), so the report's disclosure control can recognise one set of
//! patients printed in two places.

/// 64-bit FNV-1a hash of a set of patient-table row indices (sorted and deduplicated first, each
/// hashed as 8 little-endian bytes): a fingerprint of a population that does not depend on the
/// order in which its patients were collected.
pub fn population_fingerprint(mut rows: Vec<usize>) -> u64 {
    rows.sort_unstable();
    rows.dedup();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for r in rows {
        for b in (r as u64).to_le_bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_ignores_order_and_repeats() {
        assert_eq!(
            population_fingerprint(vec![3, 1, 2]),
            population_fingerprint(vec![1, 2, 3, 3])
        );
        assert_ne!(
            population_fingerprint(vec![1, 2]),
            population_fingerprint(vec![1, 3])
        );
        // FNV-1a offset basis for the empty set.
        assert_eq!(population_fingerprint(vec![]), 0xcbf2_9ce4_8422_2325);
    }
}
