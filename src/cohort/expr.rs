//! A small expression language for user-defined subgroups over patient columns, e.g.
//! `apache2 >= 25 and age < 80` or `sex == "F" or not liver_failure`.
//!
//! Grammar (keywords case-insensitive; `&&`, `||`, `!` are synonyms of `and`, `or`, `not`):
//! ```text
//! expr    := or
//! or      := and ( "or" and )*
//! and     := not ( "and" not )*
//! not     := "not" not | compare
//! compare := primary ( ("<" | "<=" | ">" | ">=" | "==" | "=" | "!=") primary )?
//! primary := number | "string" | 'string' | true | false | column | "(" expr ")"
//! ```
//! Evaluation uses three-valued (Kleene) logic: a comparison with a missing value is unknown, and a
//! patient whose expression is unknown belongs to no level of the subgroup (counted as missing).
//! A numeric column used as a condition is true when non-zero (flags are 0/1).

use super::frame::{Column, PatientFrame};
use super::CohortError;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Ident(String),
    Op(&'static str),
    LParen,
    RParen,
    And,
    Or,
    Not,
    True,
    False,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Num(f64),
    Str(String),
    Bool(bool),
    Column(String),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
}

fn err(src: &str, position: usize, message: impl Into<String>) -> CohortError {
    CohortError::Expression {
        expr: src.to_string(),
        message: message.into(),
        position,
    }
}

fn lex(src: &str) -> Result<Vec<(Tok, usize)>, CohortError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let pos = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '(' {
            out.push((Tok::LParen, pos));
            i += 1;
        } else if c == ')' {
            out.push((Tok::RParen, pos));
            i += 1;
        } else if c == '"' || c == '\'' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != c {
                j += 1;
            }
            if j == chars.len() {
                return Err(err(src, pos, "unterminated string"));
            }
            out.push((Tok::Str(chars[i + 1..j].iter().collect()), pos));
            i = j + 1;
        } else if c.is_ascii_digit()
            || ((c == '.' || c == '-')
                && i + 1 < chars.len()
                && (chars[i + 1].is_ascii_digit() || chars[i + 1] == '.'))
        {
            // A number; `-` only starts a negative literal (the language has no arithmetic).
            let mut j = i + 1;
            while j < chars.len()
                && (chars[j].is_ascii_digit()
                    || chars[j] == '.'
                    || chars[j] == 'e'
                    || chars[j] == 'E'
                    || ((chars[j] == '-' || chars[j] == '+')
                        && (chars[j - 1] == 'e' || chars[j - 1] == 'E')))
            {
                j += 1;
            }
            let s: String = chars[i..j].iter().collect();
            let v: f64 = s
                .parse()
                .map_err(|_| err(src, pos, format!("`{s}` is not a number")))?;
            out.push((Tok::Num(v), pos));
            i = j;
        } else if c.is_alphabetic() || c == '_' {
            let mut j = i;
            while j < chars.len()
                && (chars[j].is_alphanumeric() || chars[j] == '_' || chars[j] == '.')
            {
                j += 1;
            }
            let s: String = chars[i..j].iter().collect();
            let tok = match s.to_ascii_lowercase().as_str() {
                "and" => Tok::And,
                "or" => Tok::Or,
                "not" => Tok::Not,
                "true" => Tok::True,
                "false" => Tok::False,
                _ => Tok::Ident(s),
            };
            out.push((tok, pos));
            i = j;
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let (tok, len) = match two.as_str() {
                "<=" => (Tok::Op("<="), 2),
                ">=" => (Tok::Op(">="), 2),
                "==" => (Tok::Op("=="), 2),
                "!=" => (Tok::Op("!="), 2),
                "&&" => (Tok::And, 2),
                "||" => (Tok::Or, 2),
                _ => match c {
                    '<' => (Tok::Op("<"), 1),
                    '>' => (Tok::Op(">"), 1),
                    '=' => (Tok::Op("=="), 1),
                    '!' => (Tok::Not, 1),
                    _ => return Err(err(src, pos, format!("unexpected character `{c}`"))),
                },
            };
            out.push((tok, pos));
            i += len;
        }
    }
    Ok(out)
}

struct Parser<'a> {
    src: &'a str,
    toks: Vec<(Tok, usize)>,
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at).map(|t| &t.0)
    }
    fn pos(&self) -> usize {
        self.toks
            .get(self.at)
            .map(|t| t.1)
            .unwrap_or(self.src.chars().count() + 1)
    }
    fn or(&mut self) -> Result<Expr, CohortError> {
        let mut lhs = self.and()?;
        while self.peek() == Some(&Tok::Or) {
            self.at += 1;
            let rhs = self.and()?;
            lhs = Expr::Or(Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }
    fn and(&mut self) -> Result<Expr, CohortError> {
        let mut lhs = self.not()?;
        while self.peek() == Some(&Tok::And) {
            self.at += 1;
            let rhs = self.not()?;
            lhs = Expr::And(Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }
    fn not(&mut self) -> Result<Expr, CohortError> {
        if self.peek() == Some(&Tok::Not) {
            self.at += 1;
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.compare()
    }
    fn compare(&mut self) -> Result<Expr, CohortError> {
        let lhs = self.primary()?;
        if let Some(Tok::Op(op)) = self.peek() {
            let op = match *op {
                "<" => CmpOp::Lt,
                "<=" => CmpOp::Le,
                ">" => CmpOp::Gt,
                ">=" => CmpOp::Ge,
                "==" => CmpOp::Eq,
                _ => CmpOp::Ne,
            };
            self.at += 1;
            let rhs = self.primary()?;
            if let Some(Tok::Op(_)) = self.peek() {
                return Err(err(
                    self.src,
                    self.pos(),
                    "chained comparison: write `a < x and x < b`",
                ));
            }
            return Ok(Expr::Cmp(op, Box::new(lhs), Box::new(rhs)));
        }
        Ok(lhs)
    }
    fn primary(&mut self) -> Result<Expr, CohortError> {
        let pos = self.pos();
        let tok = self
            .toks
            .get(self.at)
            .map(|t| t.0.clone())
            .ok_or_else(|| err(self.src, pos, "unexpected end of expression"))?;
        self.at += 1;
        match tok {
            Tok::Num(v) => Ok(Expr::Num(v)),
            Tok::Str(s) => Ok(Expr::Str(s)),
            Tok::True => Ok(Expr::Bool(true)),
            Tok::False => Ok(Expr::Bool(false)),
            Tok::Ident(s) => Ok(Expr::Column(s)),
            Tok::LParen => {
                let e = self.or()?;
                if self.peek() != Some(&Tok::RParen) {
                    return Err(err(self.src, self.pos(), "expected `)`"));
                }
                self.at += 1;
                Ok(e)
            }
            other => Err(err(
                self.src,
                pos,
                format!("unexpected {}", describe(&other)),
            )),
        }
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Op(o) => format!("`{o}`"),
        Tok::RParen => "`)`".into(),
        Tok::And => "`and`".into(),
        Tok::Or => "`or`".into(),
        Tok::Not => "`not`".into(),
        _ => "token".into(),
    }
}

/// Parses an expression; errors give the 1-based character position.
pub fn parse(src: &str) -> Result<Expr, CohortError> {
    let toks = lex(src)?;
    if toks.is_empty() {
        return Err(err(src, 1, "empty expression"));
    }
    let mut p = Parser { src, toks, at: 0 };
    let e = p.or()?;
    if p.at != p.toks.len() {
        let pos = p.pos();
        let what = describe(&p.toks[p.at].0);
        return Err(err(
            src,
            pos,
            format!("unexpected {what} after a complete expression"),
        ));
    }
    Ok(e)
}

/// A value during evaluation; `None` inside means missing.
enum Val<'a> {
    Num(Option<f64>),
    Str(Option<&'a str>),
    Bool(Option<bool>),
}

impl Expr {
    /// Column names used by the expression.
    pub fn columns(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.collect_columns(&mut out);
        out
    }
    fn collect_columns(&self, out: &mut Vec<String>) {
        match self {
            Expr::Column(c) if !out.contains(c) => out.push(c.clone()),
            Expr::Not(a) => a.collect_columns(out),
            Expr::And(a, b) | Expr::Or(a, b) | Expr::Cmp(_, a, b) => {
                a.collect_columns(out);
                b.collect_columns(out)
            }
            _ => {}
        }
    }

    fn value<'a>(&'a self, f: &'a PatientFrame, i: usize) -> Result<Val<'a>, CohortError> {
        Ok(match self {
            Expr::Num(v) => Val::Num(Some(*v)),
            Expr::Str(s) => Val::Str(Some(s)),
            Expr::Bool(b) => Val::Bool(Some(*b)),
            Expr::Column(c) => match f.column(c)? {
                Column::Num(v) => Val::Num(if v[i].is_nan() { None } else { Some(v[i]) }),
                Column::Cat(v) => Val::Str(v[i].as_deref()),
            },
            _ => Val::Bool(self.truth(f, i)?),
        })
    }

    /// Three-valued truth of the expression for row `i` (`None` = unknown).
    pub fn truth(&self, f: &PatientFrame, i: usize) -> Result<Option<bool>, CohortError> {
        Ok(match self {
            Expr::Not(a) => a.truth(f, i)?.map(|b| !b),
            Expr::And(a, b) => match (a.truth(f, i)?, b.truth(f, i)?) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            },
            Expr::Or(a, b) => match (a.truth(f, i)?, b.truth(f, i)?) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            },
            Expr::Cmp(op, a, b) => {
                let (x, y) = (a.value(f, i)?, b.value(f, i)?);
                let ord = match (x, y) {
                    (Val::Num(Some(x)), Val::Num(Some(y))) => x.partial_cmp(&y),
                    (Val::Str(Some(x)), Val::Str(Some(y))) => Some(x.cmp(y)),
                    (Val::Bool(Some(x)), Val::Bool(Some(y))) => Some(x.cmp(&y)),
                    (Val::Num(Some(x)), Val::Bool(Some(y))) | (Val::Bool(Some(y)), Val::Num(Some(x))) => {
                        // Flags compare with true/false as 1/0.
                        if matches!(op, CmpOp::Eq | CmpOp::Ne) {
                            let eq = x == if y { 1.0 } else { 0.0 };
                            return Ok(Some(if *op == CmpOp::Eq { eq } else { !eq }));
                        }
                        return Err(CohortError::InvalidInput(
                            "only == and != compare a flag with true/false".into(),
                        ));
                    }
                    (Val::Num(None) | Val::Str(None) | Val::Bool(None), _)
                    | (_, Val::Num(None) | Val::Str(None) | Val::Bool(None)) => return Ok(None),
                    _ => {
                        return Err(CohortError::InvalidInput(
                            "comparison of a number with text: quote levels of categorical \
                             columns and compare numeric columns with numbers"
                                .into(),
                        ))
                    }
                };
                ord.map(|o| match op {
                    CmpOp::Lt => o.is_lt(),
                    CmpOp::Le => o.is_le(),
                    CmpOp::Gt => o.is_gt(),
                    CmpOp::Ge => o.is_ge(),
                    CmpOp::Eq => o.is_eq(),
                    CmpOp::Ne => o.is_ne(),
                })
            }
            Expr::Bool(b) => Some(*b),
            Expr::Num(v) => Some(*v != 0.0),
            Expr::Str(_) => {
                return Err(CohortError::InvalidInput(
                    "a text literal is not a condition".into(),
                ))
            }
            Expr::Column(c) => match f.column(c)? {
                Column::Num(v) => {
                    if v[i].is_nan() {
                        None
                    } else {
                        Some(v[i] != 0.0)
                    }
                }
                Column::Cat(_) => {
                    return Err(CohortError::InvalidInput(format!(
                        "categorical column `{c}` used as a condition: compare it, e.g. `{c} == \"level\"`"
                    )))
                }
            },
        })
    }

    /// Evaluates for every row of the frame. Unknown columns are reported before any row is read.
    pub fn evaluate(&self, f: &PatientFrame) -> Result<Vec<Option<bool>>, CohortError> {
        for c in self.columns() {
            f.column(&c)?;
        }
        (0..f.n_rows()).map(|i| self.truth(f, i)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> PatientFrame {
        let mut f = PatientFrame::new(4);
        f.insert("apache2", Column::Num(vec![30.0, 20.0, f64::NAN, 25.0]))
            .unwrap();
        f.insert("age", Column::Num(vec![70.0, 85.0, 60.0, 79.9]))
            .unwrap();
        f.insert("liver_failure", Column::Num(vec![0.0, 1.0, f64::NAN, 0.0]))
            .unwrap();
        f.insert(
            "sex",
            Column::Cat(vec![
                Some("F".into()),
                Some("M".into()),
                None,
                Some("F".into()),
            ]),
        )
        .unwrap();
        f
    }

    #[test]
    fn evaluates_with_three_valued_logic() {
        let f = frame();
        let e = parse("apache2 >= 25 and age < 80").unwrap();
        assert_eq!(
            e.evaluate(&f).unwrap(),
            vec![Some(true), Some(false), None, Some(true)]
        );
        // false and unknown = false; true or unknown = true.
        let e = parse("age > 80 AND apache2 > 0").unwrap();
        assert_eq!(e.evaluate(&f).unwrap()[2], Some(false));
        let e = parse("age < 80 || apache2 > 0").unwrap();
        assert_eq!(e.evaluate(&f).unwrap()[2], Some(true));
        let e = parse("sex == 'F' and not liver_failure").unwrap();
        assert_eq!(
            e.evaluate(&f).unwrap(),
            vec![Some(true), Some(false), None, Some(true)]
        );
        let e = parse("!(liver_failure = true) and (sex != \"M\")").unwrap();
        assert_eq!(
            e.evaluate(&f).unwrap(),
            vec![Some(true), Some(false), None, Some(true)]
        );
        let e = parse("age >= -1.5e0").unwrap();
        assert_eq!(e.evaluate(&f).unwrap(), vec![Some(true); 4]);
    }

    #[test]
    fn precedence_and_binds_tighter_than_or() {
        let f = frame();
        let a = parse("age > 80 or apache2 > 28 and age < 75").unwrap();
        let b = parse("age > 80 or (apache2 > 28 and age < 75)").unwrap();
        assert_eq!(a, b);
        assert_eq!(
            a.evaluate(&f).unwrap(),
            vec![Some(true), Some(true), None, Some(false)]
        );
    }

    #[test]
    fn errors_name_position_and_column() {
        let f = frame();
        match parse("age >= ") {
            Err(CohortError::Expression { position, .. }) => assert_eq!(position, 8),
            other => panic!("{other:?}"),
        }
        match parse("age >> 3") {
            Err(CohortError::Expression { position, .. }) => assert_eq!(position, 6),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse("(age > 3"),
            Err(CohortError::Expression { .. })
        ));
        assert!(matches!(
            parse("1 < age < 3"),
            Err(CohortError::Expression { .. })
        ));
        assert!(matches!(
            parse("age # 3"),
            Err(CohortError::Expression { .. })
        ));
        assert!(matches!(parse(""), Err(CohortError::Expression { .. })));
        let e = parse("sofa > 3").unwrap();
        assert!(matches!(e.evaluate(&f), Err(CohortError::UnknownColumn(c)) if c == "sofa"));
        assert!(parse("sex > 3").unwrap().evaluate(&f).is_err());
        assert!(parse("sex").unwrap().evaluate(&f).is_err());
    }
}
