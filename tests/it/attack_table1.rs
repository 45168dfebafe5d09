//! The attacker's model of Table 1 (issue 11): per arm, a variable's rows (levels, a binary
//! variable's unprinted "no", missing) add up to the arm size of the header, each row's overall
//! column adds up the two arms, and a percentage bounds the non-missing count it is of.

use super::attack_model::Model;
use super::attack_parse::{count_cell, Dec, Md, Printed};

impl Model {
    /// Table 1.
    pub(super) fn table1(&mut self, md: &Md, sample: Option<usize>) {
        let Some(t) = md.table("Table 1.") else {
            return;
        };
        let n: Vec<usize> = (1..4)
            .map(|c| {
                let (p, _) = count_cell(t.header[c].split("n = ").nth(1).unwrap_or("*")).unwrap();
                self.cell(p, format!("T1|n|{c}"))
            })
            .collect();
        self.sys.sum(&n[..2], n[2]);
        if let Some(s) = sample {
            self.sys.same(s, n[2]);
        }
        if let Some(arms) = self.arms {
            self.sys.at_most(arms[0], n[0]);
            self.sys.at_most(arms[1], n[1]);
        }
        // Blocks: (name, kind, rows of (label, [cells]))
        let mut i = 0;
        while i < t.rows.len() {
            let r = &t.rows[i];
            let label = r[0].clone();
            if label.ends_with(", n (%)") && r[1].is_empty() {
                // Categorical: levels until the next variable, then maybe missing.
                let name = label.trim_end_matches(", n (%)").to_string();
                let mut levels: Vec<[(Printed, Option<Dec>); 3]> = Vec::new();
                let mut missing = None;
                i += 1;
                while i < t.rows.len() {
                    let r = &t.rows[i];
                    if r[0].ends_with(", n (%)") && r[0] != "missing, n (%)"
                        || r[0].ends_with("mean (SD)")
                    {
                        break;
                    }
                    let cells =
                        [1, 2, 3].map(|c| count_cell(&r[c]).unwrap_or((Printed::Withheld, None)));
                    if r[0] == "missing, n (%)" {
                        missing = Some(cells);
                        i += 1;
                        break;
                    }
                    levels.push(cells);
                    i += 1;
                }
                self.t1_block(&name, &levels, missing, &n, false);
                continue;
            }
            if label.ends_with(", n (%)") {
                let name = label.trim_end_matches(", n (%)").to_string();
                let cells =
                    [1, 2, 3].map(|c| count_cell(&r[c]).unwrap_or((Printed::Withheld, None)));
                let mut missing = None;
                if t.rows.get(i + 1).is_some_and(|x| x[0] == "missing, n (%)") {
                    let x = &t.rows[i + 1];
                    missing = Some(
                        [1, 2, 3].map(|c| count_cell(&x[c]).unwrap_or((Printed::Withheld, None))),
                    );
                    i += 1;
                }
                self.t1_block(&name, &[cells], missing, &n, true);
                i += 1;
                continue;
            }
            if label.ends_with("mean (SD)") {
                let name = label.trim_end_matches(", mean (SD)").to_string();
                let mut j = i + 1;
                while j < t.rows.len() && t.rows[j][0] == "median [Q1, Q3]" {
                    j += 1;
                }
                if t.rows.get(j).is_some_and(|x| x[0] == "missing, n (%)") {
                    let x = &t.rows[j];
                    let m =
                        [1, 2, 3].map(|c| count_cell(&x[c]).unwrap_or((Printed::Withheld, None)));
                    let v: Vec<usize> = (0..3)
                        .map(|c| self.cell(m[c].0, format!("T1|{name}|missing|{c}")))
                        .collect();
                    self.sys.sum(&v[..2], v[2]);
                    for c in 0..3 {
                        self.sys.at_most(v[c], n[c]);
                        self.pct_of(m[c].0, m[c].1, n[c], None);
                    }
                    j += 1;
                }
                i = j;
                continue;
            }
            i += 1;
        }
    }

    /// One Table 1 block: its level rows (binary: "yes" only, with a hidden "no") and missing.
    fn t1_block(
        &mut self,
        name: &str,
        levels: &[[(Printed, Option<Dec>); 3]],
        missing: Option<[(Printed, Option<Dec>); 3]>,
        n: &[usize],
        binary: bool,
    ) {
        let miss: Option<Vec<usize>> = missing.map(|m| {
            let v: Vec<usize> = (0..3)
                .map(|c| self.cell(m[c].0, format!("T1|{name}|missing|{c}")))
                .collect();
            self.sys.sum(&v[..2], v[2]);
            for c in 0..3 {
                self.pct_of(m[c].0, m[c].1, n[c], None);
            }
            v
        });
        let mut cols: Vec<Vec<usize>> = vec![Vec::new(); 3];
        for (k, row) in levels.iter().enumerate() {
            let v: Vec<usize> = (0..3)
                .map(|c| self.cell(row[c].0, format!("T1|{name}|{k}|{c}")))
                .collect();
            self.sys.sum(&v[..2], v[2]);
            for c in 0..3 {
                cols[c].push(v[c]);
                self.pct_of(row[c].0, row[c].1, n[c], miss.as_ref().map(|m| m[c]));
            }
        }
        let no: Option<Vec<usize>> = binary.then(|| {
            let v: Vec<usize> = (0..3)
                .map(|c| self.sys.hidden(format!("T1|{name}|no|{c}")))
                .collect();
            self.sys.sum(&v[..2], v[2]);
            v
        });
        for c in 0..3 {
            let mut parts = cols[c].clone();
            if let Some(no) = &no {
                parts.push(no[c]);
            }
            if let Some(m) = &miss {
                parts.push(m[c]);
            }
            self.sys.sum(&parts, n[c]);
        }
    }
}
