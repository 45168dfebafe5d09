//! The attacker's solver: integer unknowns with bounds, linear equalities and inequalities
//! between them (published counts are unknowns with equal bounds), tightened to a fixpoint by
//! (1) exact elimination: Gaussian elimination of the equalities over the unknowns still open,
//! which fixes every unknown that the equalities determine, and (2) bound propagation: each
//! relation bounds each of its unknowns by the bounds of the others (rounded inwards to
//! integers). Both are sound: every value ruled out is inconsistent with what is published, so
//! an unknown whose bounds meet is recovered exactly. Independent of the report's own audit.

/// A bound standing for "no bound" (far above any count of the registries tested).
pub const BIG: i64 = 10_000_000;

/// A linear relation `sum(coef * x) (= or <=) rhs`.
#[derive(Debug, Clone)]
pub struct Rel {
    pub terms: Vec<(usize, i64)>,
    pub rhs: i64,
    pub eq: bool,
}

/// The system.
#[derive(Debug, Clone, Default)]
pub struct Sys {
    pub lo: Vec<i64>,
    pub hi: Vec<i64>,
    pub name: Vec<String>,
    /// Printed as the withheld mark (so at least 1: zero is always published).
    pub withheld: Vec<bool>,
    /// Never printed (a count implied by others: survivors, those leaving a risk set).
    pub hidden: Vec<bool>,
    /// The number printed for it, if any.
    pub printed: Vec<Option<u64>>,
    /// Lower bound of a withheld count: 1 when the rule never withholds a zero, else 0.
    pub withheld_lo: i64,
    pub rels: Vec<Rel>,
}

impl Sys {
    fn var(&mut self, lo: i64, hi: i64, name: String, withheld: bool) -> usize {
        self.lo.push(lo);
        self.hi.push(hi);
        self.name.push(name);
        self.withheld.push(withheld);
        self.hidden.push(false);
        self.printed.push(None);
        self.lo.len() - 1
    }
    /// A published count.
    pub fn known(&mut self, v: u64, name: impl Into<String>) -> usize {
        let i = self.var(v as i64, v as i64, name.into(), false);
        self.printed[i] = Some(v);
        i
    }
    /// A count printed as `v` that stands for any value in `lo..=hi` (a rounded count).
    pub fn rounded(&mut self, v: u64, lo: i64, hi: i64, name: impl Into<String>) -> usize {
        let i = self.var(lo, hi, name.into(), false);
        self.printed[i] = Some(v);
        i
    }
    /// A count printed as withheld: at least [`Sys::withheld_lo`].
    pub fn withheld(&mut self, name: impl Into<String>) -> usize {
        let lo = self.withheld_lo;
        self.var(lo, BIG, name.into(), true)
    }
    /// A count never printed: at least 0.
    pub fn hidden(&mut self, name: impl Into<String>) -> usize {
        let i = self.var(0, BIG, name.into(), false);
        self.hidden[i] = true;
        i
    }
    /// A printed count (`None`: withheld).
    pub fn cell(&mut self, c: Option<u64>, name: impl Into<String>) -> usize {
        match c {
            Some(v) => self.known(v, name),
            None => self.withheld(name),
        }
    }
    /// `sum(terms) = rhs`.
    pub fn eq(&mut self, terms: &[(usize, i64)], rhs: i64) {
        self.rels.push(Rel {
            terms: terms.to_vec(),
            rhs,
            eq: true,
        });
    }
    /// `sum(terms) <= rhs`.
    pub fn le(&mut self, terms: &[(usize, i64)], rhs: i64) {
        self.rels.push(Rel {
            terms: terms.to_vec(),
            rhs,
            eq: false,
        });
    }
    /// `sum(parts) = total`.
    pub fn sum(&mut self, parts: &[usize], total: usize) {
        let mut t: Vec<(usize, i64)> = parts.iter().map(|&p| (p, 1)).collect();
        t.push((total, -1));
        self.eq(&t, 0);
    }
    /// `a = b`.
    pub fn same(&mut self, a: usize, b: usize) {
        if a != b {
            self.eq(&[(a, 1), (b, -1)], 0);
        }
    }
    /// `a <= b`.
    pub fn at_most(&mut self, a: usize, b: usize) {
        self.le(&[(a, 1), (b, -1)], 0);
    }
    /// `lo <= x <= hi` (intersected with the bounds it has).
    pub fn bound(&mut self, x: usize, lo: i64, hi: i64) {
        self.lo[x] = self.lo[x].max(lo);
        self.hi[x] = self.hi[x].min(hi);
    }
    pub fn fixed(&self, x: usize) -> Option<i64> {
        (self.lo[x] == self.hi[x]).then_some(self.lo[x])
    }

    /// One pass of bound propagation; whether anything changed.
    fn propagate(&mut self) -> bool {
        let mut changed = false;
        for r in &self.rels {
            let min_of = |&(i, c): &(usize, i64)| {
                if c > 0 {
                    c * self.lo[i]
                } else {
                    c * self.hi[i]
                }
            };
            let max_of = |&(i, c): &(usize, i64)| {
                if c > 0 {
                    c * self.hi[i]
                } else {
                    c * self.lo[i]
                }
            };
            let smin: i64 = r.terms.iter().map(min_of).sum();
            let smax: i64 = r.terms.iter().map(max_of).sum();
            let mut updates = Vec::new();
            for t in &r.terms {
                let (i, c) = *t;
                // c * x <= rhs - (smin - min_of(t)); for equalities also >= rhs - (smax - max_of(t)).
                let upper = r.rhs - (smin - min_of(t));
                let lower = r.rhs - (smax - max_of(t));
                if c > 0 {
                    let hi = upper.div_euclid(c);
                    updates.push((i, None, Some(hi)));
                    if r.eq {
                        let lo = -((-lower).div_euclid(c));
                        updates.push((i, Some(lo), None));
                    }
                } else {
                    let c = -c;
                    // -c x <= upper  =>  x >= -upper / c
                    let lo = -(upper.div_euclid(c));
                    updates.push((i, Some(lo), None));
                    if r.eq {
                        // -c x >= lower => x <= -lower / c
                        let hi = (-lower).div_euclid(c);
                        updates.push((i, None, Some(hi)));
                    }
                }
            }
            for (i, lo, hi) in updates {
                if let Some(l) = lo {
                    if l > self.lo[i] && l <= BIG {
                        self.lo[i] = l;
                        changed = true;
                    }
                }
                if let Some(h) = hi {
                    if h < self.hi[i] && h >= -BIG {
                        self.hi[i] = h;
                        changed = true;
                    }
                }
            }
        }
        changed
    }

    /// Exact elimination of the equalities over the open unknowns; whether anything changed.
    fn eliminate(&mut self) -> bool {
        let open: Vec<usize> = (0..self.lo.len())
            .filter(|&i| self.lo[i] != self.hi[i])
            .collect();
        let mut col = vec![usize::MAX; self.lo.len()];
        for (k, &i) in open.iter().enumerate() {
            col[i] = k;
        }
        let nc = open.len();
        let mut m: Vec<Vec<f64>> = Vec::new();
        for r in self.rels.iter().filter(|r| r.eq) {
            let mut row = vec![0.0; nc + 1];
            let mut rhs = r.rhs as f64;
            let mut any = false;
            for &(i, c) in &r.terms {
                if col[i] == usize::MAX {
                    rhs -= (c * self.lo[i]) as f64;
                } else {
                    row[col[i]] += c as f64;
                    any = true;
                }
            }
            if any {
                row[nc] = rhs;
                m.push(row);
            }
        }
        let mut r = 0;
        let mut pivots = Vec::new();
        for c in 0..nc {
            if r == m.len() {
                break;
            }
            let Some(p) = (r..m.len()).max_by(|&a, &b| m[a][c].abs().total_cmp(&m[b][c].abs()))
            else {
                break;
            };
            if m[p][c].abs() < 1e-9 {
                continue;
            }
            m.swap(r, p);
            let inv = 1.0 / m[r][c];
            for x in m[r].iter_mut() {
                *x *= inv;
            }
            let piv = m[r].clone();
            for (k, row) in m.iter_mut().enumerate() {
                if k != r && row[c].abs() > 1e-12 {
                    let f = row[c];
                    for (x, y) in row.iter_mut().zip(&piv) {
                        *x -= f * y;
                    }
                }
            }
            pivots.push((r, c));
            r += 1;
        }
        let mut changed = false;
        for (r, c) in pivots {
            let single = m[r]
                .iter()
                .take(nc)
                .enumerate()
                .all(|(k, x)| k == c || x.abs() < 1e-9);
            if single {
                let v = m[r][nc].round() as i64;
                let i = open[c];
                if (m[r][nc] - v as f64).abs() < 1e-6 && self.lo[i] != self.hi[i] {
                    self.lo[i] = v;
                    self.hi[i] = v;
                    changed = true;
                }
            }
        }
        changed
    }

    /// Tightens every bound to the fixpoint of elimination and propagation.
    pub fn solve(&mut self) {
        for _ in 0..50 {
            let mut changed = false;
            for _ in 0..200 {
                if !self.propagate() {
                    break;
                }
                changed = true;
            }
            if self.eliminate() {
                changed = true;
            }
            if !changed {
                break;
            }
        }
    }
}

#[test]
fn solver_pins_what_follows_and_nothing_else() {
    // a + b = 2 with both withheld (so >= 1): both are 1.
    let mut s = Sys {
        withheld_lo: 1,
        ..Default::default()
    };
    let (a, b, t) = (s.withheld("a"), s.withheld("b"), s.known(2, "t"));
    s.sum(&[a, b], t);
    s.solve();
    assert_eq!((s.fixed(a), s.fixed(b)), (Some(1), Some(1)));
    // a + b = 12, a + c = 9, c published: a and b follow.
    let mut s = Sys {
        withheld_lo: 1,
        ..Default::default()
    };
    let (a, b, t) = (s.withheld("a"), s.withheld("b"), s.known(12, "t"));
    let (c, u) = (s.known(5, "c"), s.known(9, "u"));
    s.sum(&[a, b], t);
    s.sum(&[a, c], u);
    s.solve();
    assert_eq!((s.fixed(a), s.fixed(b)), (Some(4), Some(8)));
    // a + b = 12 alone: a in [1, 11], not pinned.
    let mut s = Sys {
        withheld_lo: 1,
        ..Default::default()
    };
    let (a, b, t) = (s.withheld("a"), s.withheld("b"), s.known(12, "t"));
    s.sum(&[a, b], t);
    s.solve();
    assert_eq!((s.lo[a], s.hi[a], s.fixed(b)), (1, 11, None));
    // Elimination: a + b = 10, b + c = 10, a + c = 10 (all open) gives 5 each.
    let mut s = Sys::default();
    let v: Vec<usize> = (0..3).map(|k| s.withheld(format!("x{k}"))).collect();
    let ten = s.known(10, "ten");
    s.sum(&[v[0], v[1]], ten);
    s.sum(&[v[1], v[2]], ten);
    s.sum(&[v[0], v[2]], ten);
    s.solve();
    assert_eq!(s.fixed(v[0]), Some(5));
}
