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
//!
//! Limits, so that no expression can exhaust the stack or the time of a run: at most
//! [`MAX_EXPR_BYTES`] bytes, [`MAX_EXPR_TOKENS`] tokens and [`MAX_EXPR_DEPTH`] levels of
//! nesting (each `(` and each `not` is one level); beyond them parsing stops with an error at the
//! position where the limit was passed (the byte limit is checked first, then the nesting while
//! parsing, then the number of tokens). A chain `a and b and c ...` is one n-ary node, so the
//! tree is never deeper than the nesting.
//!
//! Cost: lexing and parsing are linear in the length of the expression; evaluation resolves
//! each column name once, then costs O(nodes) per patient.

use std::collections::HashSet;

use super::frame::{Column, PatientFrame};
use super::CohortError;

/// Longest expression accepted, in bytes (64 KiB).
pub const MAX_EXPR_BYTES: usize = 64 * 1024;
/// Most tokens accepted in one expression.
pub const MAX_EXPR_TOKENS: usize = 4096;
/// Deepest nesting accepted (each `(` and each `not` is one level).
pub const MAX_EXPR_DEPTH: usize = 64;

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

/// A parsed expression. `And` and `Or` hold every term of a chain (`a and b and c` is one node
/// of three terms): Kleene `and`/`or` are associative, so this is the same value as the nested
/// binary form, with a tree no deeper than the nesting.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Num(f64),
    Str(String),
    Bool(bool),
    Column(String),
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
}

/// At most this many characters on each side of the error position are echoed in the error.
const ECHO_CHARS: usize = 40;

/// The expression as echoed in an error: whole when short, else the characters around
/// `position` with `...` where text was left out.
fn excerpt(src: &str, position: usize) -> String {
    let n = src.chars().count();
    if n <= 2 * ECHO_CHARS {
        return src.to_string();
    }
    let at = position.saturating_sub(1).min(n);
    let from = at.saturating_sub(ECHO_CHARS);
    let to = (at + ECHO_CHARS).min(n);
    let mut s = String::new();
    if from > 0 {
        s.push_str("...");
    }
    s.extend(src.chars().skip(from).take(to - from));
    if to < n {
        s.push_str("...");
    }
    s
}

fn err(src: &str, position: usize, message: impl Into<String>) -> CohortError {
    CohortError::Expression {
        expr: excerpt(src, position),
        message: message.into(),
        position,
    }
}

fn lex(src: &str) -> Result<Vec<(Tok, usize)>, CohortError> {
    if src.len() > MAX_EXPR_BYTES {
        // 1-based position of the first character past the limit.
        let pos = src
            .char_indices()
            .position(|(b, _)| b >= MAX_EXPR_BYTES)
            .map_or(1, |k| k + 1);
        return Err(err(
            src,
            pos,
            format!(
                "expression of {} bytes: at most {MAX_EXPR_BYTES} bytes",
                src.len()
            ),
        ));
    }
    let chars: Vec<char> = src.chars().collect();
    let mut out: Vec<(Tok, usize)> = Vec::new();
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
            let next = chars.get(i + 1).copied();
            let (tok, len) = match (c, next) {
                ('<', Some('=')) => (Tok::Op("<="), 2),
                ('>', Some('=')) => (Tok::Op(">="), 2),
                ('=', Some('=')) => (Tok::Op("=="), 2),
                ('!', Some('=')) => (Tok::Op("!="), 2),
                ('&', Some('&')) => (Tok::And, 2),
                ('|', Some('|')) => (Tok::Or, 2),
                ('<', _) => (Tok::Op("<"), 1),
                ('>', _) => (Tok::Op(">"), 1),
                ('=', _) => (Tok::Op("=="), 1),
                ('!', _) => (Tok::Not, 1),
                _ => return Err(err(src, pos, format!("unexpected character `{c}`"))),
            };
            out.push((tok, pos));
            i += len;
        }
    }
    Ok(out)
}

/// Recursive descent over the tokens; `depth` counts the open `(` and `not` levels.
struct Parser<'a> {
    src: &'a str,
    toks: Vec<(Tok, usize)>,
    at: usize,
    depth: usize,
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
    /// Enters one nesting level at the current token, or fails past [`MAX_EXPR_DEPTH`].
    fn descend(&mut self) -> Result<(), CohortError> {
        self.depth += 1;
        if self.depth > MAX_EXPR_DEPTH {
            return Err(err(
                self.src,
                self.pos(),
                format!("nested deeper than {MAX_EXPR_DEPTH} levels (each `(` and `not` is one)"),
            ));
        }
        Ok(())
    }
    fn or(&mut self) -> Result<Expr, CohortError> {
        let first = self.and()?;
        if self.peek() != Some(&Tok::Or) {
            return Ok(first);
        }
        let mut terms = vec![first];
        while self.peek() == Some(&Tok::Or) {
            self.at += 1;
            terms.push(self.and()?);
        }
        Ok(Expr::Or(terms))
    }
    fn and(&mut self) -> Result<Expr, CohortError> {
        let first = self.not()?;
        if self.peek() != Some(&Tok::And) {
            return Ok(first);
        }
        let mut terms = vec![first];
        while self.peek() == Some(&Tok::And) {
            self.at += 1;
            terms.push(self.not()?);
        }
        Ok(Expr::And(terms))
    }
    fn not(&mut self) -> Result<Expr, CohortError> {
        if self.peek() == Some(&Tok::Not) {
            self.descend()?;
            self.at += 1;
            let e = Expr::Not(Box::new(self.not()?));
            self.depth -= 1;
            return Ok(e);
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
        if tok == Tok::LParen {
            self.descend()?;
        }
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
                self.depth -= 1;
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

/// Parses an expression.
///
/// # Errors
/// [`CohortError::Expression`] with the 1-based character position: a syntax error, or an
/// expression past one of the limits ([`MAX_EXPR_BYTES`], [`MAX_EXPR_TOKENS`],
/// [`MAX_EXPR_DEPTH`]).
pub fn parse(src: &str) -> Result<Expr, CohortError> {
    let toks = lex(src)?;
    if toks.is_empty() {
        return Err(err(src, 1, "empty expression"));
    }
    let mut p = Parser {
        src,
        toks,
        at: 0,
        depth: 0,
    };
    // Parsing first (bounded by the depth limit, linear in the tokens) so that a deep nesting is
    // reported as such, then the token limit.
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
    if let Some((_, pos)) = p.toks.get(MAX_EXPR_TOKENS) {
        return Err(err(
            src,
            *pos,
            format!("more than {MAX_EXPR_TOKENS} tokens"),
        ));
    }
    Ok(e)
}

/// An expression with its columns looked up in one frame (once, not once per patient).
enum Bound<'a> {
    Num(f64),
    Str(&'a str),
    Bool(bool),
    NumColumn(&'a [f64]),
    CatColumn(&'a str, &'a [Option<String>]),
    Not(Box<Bound<'a>>),
    And(Vec<Bound<'a>>),
    Or(Vec<Bound<'a>>),
    Cmp(CmpOp, Box<Bound<'a>>, Box<Bound<'a>>),
}

/// A value during evaluation; `None` inside means missing.
enum Val<'a> {
    Num(Option<f64>),
    Str(Option<&'a str>),
    Bool(Option<bool>),
}

impl Expr {
    /// Column names used by the expression, in order of first use.
    pub fn columns(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        self.collect_columns(&mut out, &mut seen);
        out
    }
    fn collect_columns<'a>(&'a self, out: &mut Vec<String>, seen: &mut HashSet<&'a str>) {
        match self {
            Expr::Column(c) if seen.insert(c) => out.push(c.clone()),
            Expr::Not(a) => a.collect_columns(out, seen),
            Expr::And(v) | Expr::Or(v) => v.iter().for_each(|a| a.collect_columns(out, seen)),
            Expr::Cmp(_, a, b) => {
                a.collect_columns(out, seen);
                b.collect_columns(out, seen)
            }
            _ => {}
        }
    }

    fn bind<'a>(&'a self, f: &'a PatientFrame) -> Result<Bound<'a>, CohortError> {
        Ok(match self {
            Expr::Num(v) => Bound::Num(*v),
            Expr::Str(s) => Bound::Str(s),
            Expr::Bool(b) => Bound::Bool(*b),
            Expr::Column(c) => match f.column(c)? {
                Column::Num(v) => Bound::NumColumn(v),
                Column::Cat(v) => Bound::CatColumn(c, v),
            },
            Expr::Not(a) => Bound::Not(Box::new(a.bind(f)?)),
            Expr::And(v) => Bound::And(v.iter().map(|a| a.bind(f)).collect::<Result<_, _>>()?),
            Expr::Or(v) => Bound::Or(v.iter().map(|a| a.bind(f)).collect::<Result<_, _>>()?),
            Expr::Cmp(op, a, b) => Bound::Cmp(*op, Box::new(a.bind(f)?), Box::new(b.bind(f)?)),
        })
    }

    /// Evaluates for every row of the frame (three-valued: `None` = unknown).
    ///
    /// # Errors
    /// [`CohortError::UnknownColumn`] for a column the frame lacks (reported before any row is
    /// read), [`CohortError::InvalidInput`] for a comparison of a number with text, a text
    /// literal or a categorical column used as a condition.
    pub fn evaluate(&self, f: &PatientFrame) -> Result<Vec<Option<bool>>, CohortError> {
        for c in self.columns() {
            f.column(&c)?;
        }
        let b = self.bind(f)?;
        (0..f.n_rows()).map(|i| b.truth(i)).collect()
    }
}

impl<'a> Bound<'a> {
    fn value(&self, i: usize) -> Result<Val<'a>, CohortError> {
        Ok(match self {
            Bound::Num(v) => Val::Num(Some(*v)),
            Bound::Str(s) => Val::Str(Some(s)),
            Bound::Bool(b) => Val::Bool(Some(*b)),
            Bound::NumColumn(v) => Val::Num(if v[i].is_nan() { None } else { Some(v[i]) }),
            Bound::CatColumn(_, v) => Val::Str(v[i].as_deref()),
            _ => Val::Bool(self.truth(i)?),
        })
    }

    /// Three-valued truth for row `i` (`None` = unknown). Every term is evaluated (no
    /// short cut), so an ill-typed term is an error whatever the other terms are.
    fn truth(&self, i: usize) -> Result<Option<bool>, CohortError> {
        Ok(match self {
            Bound::Not(a) => a.truth(i)?.map(|b| !b),
            Bound::And(v) => {
                let (mut any_false, mut all_true) = (false, true);
                for a in v {
                    match a.truth(i)? {
                        Some(false) => any_false = true,
                        Some(true) => {}
                        None => all_true = false,
                    }
                }
                if any_false {
                    Some(false)
                } else if all_true {
                    Some(true)
                } else {
                    None
                }
            }
            Bound::Or(v) => {
                let (mut any_true, mut all_false) = (false, true);
                for a in v {
                    match a.truth(i)? {
                        Some(true) => any_true = true,
                        Some(false) => {}
                        None => all_false = false,
                    }
                }
                if any_true {
                    Some(true)
                } else if all_false {
                    Some(false)
                } else {
                    None
                }
            }
            Bound::Cmp(op, a, b) => {
                let (x, y) = (a.value(i)?, b.value(i)?);
                let ord = match (x, y) {
                    (Val::Num(Some(x)), Val::Num(Some(y))) => x.partial_cmp(&y),
                    (Val::Str(Some(x)), Val::Str(Some(y))) => Some(x.cmp(y)),
                    (Val::Bool(Some(x)), Val::Bool(Some(y))) => Some(x.cmp(&y)),
                    (Val::Num(Some(x)), Val::Bool(Some(y)))
                    | (Val::Bool(Some(y)), Val::Num(Some(x))) => {
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
            Bound::Bool(b) => Some(*b),
            Bound::Num(v) => Some(*v != 0.0),
            Bound::Str(_) => {
                return Err(CohortError::InvalidInput(
                    "a text literal is not a condition".into(),
                ))
            }
            Bound::NumColumn(v) => {
                if v[i].is_nan() {
                    None
                } else {
                    Some(v[i] != 0.0)
                }
            }
            Bound::CatColumn(c, _) => {
                return Err(CohortError::InvalidInput(format!(
                "categorical column `{c}` used as a condition: compare it, e.g. `{c} == \"level\"`"
            )))
            }
        })
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

    #[test]
    fn limits_error_at_the_position_where_they_are_passed() {
        // Depth: the 65th `(` is the one past the limit.
        let deep = format!("{}age > 1{}", "(".repeat(65), ")".repeat(65));
        match parse(&deep) {
            Err(CohortError::Expression {
                position, message, ..
            }) => {
                assert_eq!(position, 65);
                assert!(message.contains("64"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        let ok = format!("{}age > 1{}", "(".repeat(64), ")".repeat(64));
        assert!(parse(&ok).is_ok());
        match parse(&format!("{}liver_failure", "not ".repeat(65))) {
            Err(CohortError::Expression { position, .. }) => assert_eq!(position, 4 * 64 + 1),
            other => panic!("{other:?}"),
        }
        // Tokens: 4,096 are fine, the 4,097th is refused where it starts.
        let chain = |terms: usize| vec!["age"; terms].join(" and ");
        assert!(parse(&chain(2048)).is_ok()); // 4,095 tokens
        match parse(&chain(2049)) {
            Err(CohortError::Expression { position, .. }) => {
                assert_eq!(position, 4096 / 2 * 8 + 1)
            }
            other => panic!("{other:?}"),
        }
        // Bytes, and the error echoes an excerpt, not the whole text.
        let long = format!("age > {}", "1".repeat(MAX_EXPR_BYTES));
        match parse(&long) {
            Err(e @ CohortError::Expression { position, .. }) => {
                assert_eq!(position, MAX_EXPR_BYTES + 1);
                assert!(e.to_string().len() < 300, "{e}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_long_chain_is_one_node_with_every_term() {
        let f = frame();
        let e = parse("age > 1 and apache2 > 1 and liver_failure == 0").unwrap();
        assert!(matches!(&e, Expr::And(t) if t.len() == 3));
        assert_eq!(
            e.evaluate(&f).unwrap(),
            vec![Some(true), Some(false), None, Some(true)]
        );
        assert_eq!(e.columns(), ["age", "apache2", "liver_failure"]);
    }
}
