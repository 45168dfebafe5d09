//! Suggestions for a name that matches nothing (a column, a drug, a mapping key): the same name
//! in other capitalisation, else the closest by edit distance ("did you mean"). Shared by the
//! loader (headers, mappings) and the cohort layer (plan names, drug names).

/// The candidate equal to `name` ignoring case, when `name` itself is not a candidate.
pub fn other_case<'a, I>(name: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut v: Vec<&str> = candidates.into_iter().collect();
    if v.contains(&name) {
        return None;
    }
    v.retain(|c| c.to_lowercase() == name.to_lowercase());
    v.first().copied()
}

/// The candidate closest to `name` (case-insensitive Levenshtein distance), if it is close
/// enough to be a likely typo: names of up to 3 characters must match ignoring case, up to 6
/// within one edit, longer ones within two. Ties go to the first candidate.
pub fn closest<'a, I>(name: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let want: Vec<char> = name.to_lowercase().chars().collect();
    let limit = match want.len() {
        0..=3 => 0,
        4..=6 => 1,
        _ => 2,
    };
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let have: Vec<char> = c.to_lowercase().chars().collect();
        let d = levenshtein(&want, &have);
        if d <= limit && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// `" (did you mean `x`?)"` for the closest candidate, else the empty string.
pub fn did_you_mean<'a, I>(name: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    closest(name, candidates)
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

fn levenshtein(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let drugs = ["antithrombin", "thrombomodulin", "heparin"];
        assert_eq!(closest("thrombomoduline", drugs), Some("thrombomodulin"));
        assert_eq!(closest("Thrombomodulin", drugs), Some("thrombomodulin"));
        assert_eq!(closest("warfarin", drugs), None);
        assert_eq!(
            closest("at", ["pt", "plt"]),
            None,
            "short names need a near match"
        );
        assert_eq!(
            other_case("Platelets", ["platelets", "day"]),
            Some("platelets")
        );
        assert_eq!(other_case("platelets", ["platelets"]), None);
        assert_eq!(
            did_you_mean("apache3", ["apache2", "age"]),
            " (did you mean `apache2`?)"
        );
    }
}
