//! Files a newcomer can hold in mind, enforced as a ratchet: no source file over
//! [`MAX_FILE_LINES`] lines and no function over [`MAX_FN_LINES`] lines, except the ones listed
//! below with the size they had when the rule came in (issue 10). A listed one may shrink, never
//! grow, and leaves the list once within the limit; a new one fails. A function may be long on purpose when its doc comment or its body
//! says so in those words ("long on purpose"), with the reason.

use std::path::Path;

const MAX_FILE_LINES: usize = 800;
const MAX_FN_LINES: usize = 150;

/// Files over the limit today, with their size then (none since issue 10 closed; the list stays
/// so a file that must grow on purpose is added here with a reason, in review).
const KNOWN_FILES: &[(&str, usize)] = &[];

/// Functions over the limit today (file, name, lines then): none since issue 10 closed.
const KNOWN_FNS: &[(&str, &str, usize)] = &[];

/// Functions of a Rust source longer than `max` lines (signature to closing brace) that do not
/// say they are long on purpose: (name, lines).
fn long_functions(text: &str, max: usize) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let rest = trimmed
            .strip_prefix("pub(crate) ")
            .or_else(|| trimmed.strip_prefix("pub(super) "))
            .or_else(|| trimmed.strip_prefix("pub "))
            .unwrap_or(trimmed);
        let rest = rest.strip_prefix("const ").unwrap_or(rest);
        let Some(sig) = rest.strip_prefix("fn ") else {
            continue;
        };
        let name: String = sig
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let close = format!("{indent}}}");
        let Some(end) = (i + 1..lines.len()).find(|&j| lines[j].trim_end() == close) else {
            continue;
        };
        let n = end - i + 1;
        let doc_start = (0..i)
            .rev()
            .take_while(|&j| {
                let t = lines[j].trim_start();
                t.starts_with("///") || t.starts_with("#[")
            })
            .last()
            .unwrap_or(i);
        let said = lines[doc_start..=end]
            .iter()
            .any(|l| l.contains("long on purpose"));
        if n > max && !said {
            out.push((name, n));
        }
    }
    out
}

fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    walk(&root.join("src"), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

#[test]
fn no_file_or_function_grows_past_the_size_rule() {
    let mut violations = Vec::new();
    for (file, text) in sources() {
        let n = text.lines().count();
        if n > MAX_FILE_LINES {
            match KNOWN_FILES.iter().find(|(f, _)| *f == file) {
                Some(&(_, then)) if n <= then => {}
                Some(&(_, then)) => violations.push(format!("{file}: {n} lines (was {then})")),
                None => violations.push(format!("{file}: {n} lines (limit {MAX_FILE_LINES})")),
            }
        }
        for (name, n) in long_functions(&text, MAX_FN_LINES) {
            match KNOWN_FNS.iter().find(|(f, g, _)| *f == file && *g == name) {
                Some(&(_, _, then)) if n <= then => {}
                Some(&(_, _, then)) => {
                    violations.push(format!("{file}: fn {name} is {n} lines (was {then})"))
                }
                None => violations.push(format!(
                    "{file}: fn {name} is {n} lines (limit {MAX_FN_LINES}; split it, or say \
                     why it is long on purpose)"
                )),
            }
        }
    }
    // The lists only shrink: an entry no longer over the limit is taken off.
    let all = sources();
    for (file, then) in KNOWN_FILES {
        let n = all
            .iter()
            .find(|(f, _)| f == file)
            .map_or(0, |(_, t)| t.lines().count());
        if n <= MAX_FILE_LINES {
            violations.push(format!(
                "{file} is {n} lines now (was {then}): remove it from KNOWN_FILES"
            ));
        }
    }
    for (file, name, then) in KNOWN_FNS {
        let text = all
            .iter()
            .find(|(f, _)| f == file)
            .map_or("", |(_, t)| t.as_str());
        if !long_functions(text, MAX_FN_LINES)
            .iter()
            .any(|(g, _)| g == name)
        {
            violations.push(format!(
                "{file}: fn {name} is within the limit now (was {then}): remove it from KNOWN_FNS"
            ));
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn the_size_check_sees_a_long_function_and_its_reason() {
    let body = "    x += 1;\n".repeat(MAX_FN_LINES);
    let long = format!("pub fn long_one() {{\n{body}}}\n");
    assert_eq!(
        long_functions(&long, MAX_FN_LINES),
        vec![("long_one".to_string(), MAX_FN_LINES + 2)]
    );
    let said = format!("/// One pass, long on purpose: the state is shared.\n{long}");
    assert!(long_functions(&said, MAX_FN_LINES).is_empty());
    let short = "fn short() {\n    x += 1;\n}\n";
    assert!(long_functions(short, MAX_FN_LINES).is_empty());
    let method = format!("impl A {{\n    fn m(&self) {{\n{body}    }}\n}}\n");
    assert_eq!(long_functions(&method, MAX_FN_LINES)[0].0, "m");
}
