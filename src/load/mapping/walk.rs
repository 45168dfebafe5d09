//! Walking a TOML document with its spans (`toml::de::DeTable`), so that every error of the
//! mapping parser names the file, the line and the dotted key; keys a table was asked for are
//! remembered, and any other is reported as unknown with a "did you mean".

use std::cell::RefCell;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::Place;
use crate::load::LoadError;
use crate::schema::names::did_you_mean;

pub(super) type R<T> = Result<T, LoadError>;

pub(super) struct Doc<'a> {
    pub(super) origin: &'a str,
    pub(super) text: &'a str,
}

impl Doc<'_> {
    pub(super) fn line(&self, at: usize) -> usize {
        self.text[..at.min(self.text.len())].matches('\n').count() + 1
    }
    pub(super) fn err(&self, at: usize, key: &str, message: impl Into<String>) -> LoadError {
        LoadError::MappingValue {
            file: self.origin.to_string(),
            line: self.line(at),
            key: key.to_string(),
            message: message.into(),
        }
    }
}

/// A table of the document with its key path; keys read are remembered so that the rest can be
/// reported as unknown.
pub(super) struct Table<'a, 'i> {
    pub(super) doc: &'a Doc<'a>,
    pub(super) path: String,
    pub(super) map: &'a DeTable<'i>,
    pub(super) at: usize,
    pub(super) seen: RefCell<Vec<String>>,
}

/// A value of the document with its key path.
pub(super) struct Value<'a, 'i> {
    doc: &'a Doc<'a>,
    path: String,
    v: &'a Spanned<DeValue<'i>>,
}

impl<'a, 'i> Table<'a, 'i> {
    pub(super) fn key(&self, k: &str) -> String {
        if self.path.is_empty() {
            k.to_string()
        } else {
            format!("{}.{k}", self.path)
        }
    }
    pub(super) fn err(&self, message: impl Into<String>) -> LoadError {
        let key = if self.path.is_empty() {
            "(top level)"
        } else {
            &self.path
        };
        self.doc.err(self.at, key, message)
    }
    pub(super) fn get(&self, k: &str) -> Option<Value<'a, 'i>> {
        self.seen.borrow_mut().push(k.to_string());
        self.map
            .iter()
            .find(|(key, _)| key.get_ref().as_ref() == k)
            .map(|(_, v)| Value {
                doc: self.doc,
                path: self.key(k),
                v,
            })
    }
    pub(super) fn has(&self, k: &str) -> bool {
        self.map.iter().any(|(key, _)| key.get_ref().as_ref() == k)
    }
    pub(super) fn str(&self, k: &str) -> R<Option<String>> {
        self.get(k).map(|v| v.str()).transpose()
    }
    pub(super) fn req_str(&self, k: &str) -> R<String> {
        self.str(k)?
            .ok_or_else(|| self.err(format!("`{k}` is required")))
    }
    pub(super) fn strings(&self, k: &str) -> R<Option<Vec<String>>> {
        self.get(k).map(|v| v.strings()).transpose()
    }
    /// Every entry, in key order (the order of a TOML table is not kept).
    pub(super) fn entries(&self) -> Vec<(String, Value<'a, 'i>)> {
        self.map
            .iter()
            .map(|(k, v)| {
                let k = k.get_ref().to_string();
                self.seen.borrow_mut().push(k.clone());
                (
                    k.clone(),
                    Value {
                        doc: self.doc,
                        path: self.key(&k),
                        v,
                    },
                )
            })
            .collect()
    }
    /// Errors on the first key that was not read.
    pub(super) fn finish(&self) -> R<()> {
        let seen = self.seen.borrow();
        for (k, _) in self.map.iter() {
            let name = k.get_ref().as_ref();
            if !seen.iter().any(|s| s == name) {
                return Err(self.doc.err(
                    k.span().start,
                    &self.key(name),
                    format!(
                        "unknown key{}",
                        did_you_mean(name, seen.iter().map(String::as_str))
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl<'a, 'i> Value<'a, 'i> {
    pub(super) fn at(&self) -> usize {
        self.v.span().start
    }
    pub(super) fn err(&self, message: impl Into<String>) -> LoadError {
        self.doc.err(self.at(), &self.path, message)
    }
    pub(super) fn place(&self) -> Place {
        Place {
            key: self.path.clone(),
            line: self.doc.line(self.at()),
        }
    }
    pub(super) fn expected(&self, what: &str) -> LoadError {
        self.err(format!(
            "expected {what}, found {}",
            self.v.get_ref().type_str()
        ))
    }
    pub(super) fn is_table(&self) -> bool {
        self.v.get_ref().is_table()
    }
    pub(super) fn is_str(&self) -> bool {
        self.v.get_ref().is_str()
    }
    pub(super) fn str(&self) -> R<String> {
        let s = self
            .v
            .get_ref()
            .as_str()
            .ok_or_else(|| self.expected("a string"))?;
        if s.trim().is_empty() {
            return Err(self.err("must not be blank"));
        }
        Ok(s.to_string())
    }
    /// A table where a column name would also do.
    pub(super) fn name_or_table(&self) -> R<Table<'a, 'i>> {
        if !self.is_table() {
            return Err(self.expected("a column name (a string) or a table"));
        }
        self.table()
    }
    pub(super) fn table(&self) -> R<Table<'a, 'i>> {
        let map = self
            .v
            .get_ref()
            .as_table()
            .ok_or_else(|| self.expected("a table"))?;
        Ok(Table {
            doc: self.doc,
            path: self.path.clone(),
            map,
            at: self.at(),
            seen: RefCell::new(Vec::new()),
        })
    }
    pub(super) fn array(&self) -> R<Vec<Value<'a, 'i>>> {
        let a = self
            .v
            .get_ref()
            .as_array()
            .ok_or_else(|| self.expected("an array"))?;
        Ok(a.iter()
            .enumerate()
            .map(|(k, v)| Value {
                doc: self.doc,
                path: format!("{}[{k}]", self.path),
                v,
            })
            .collect())
    }
    pub(super) fn strings(&self) -> R<Vec<String>> {
        self.array()?.iter().map(|v| v.str()).collect()
    }
    pub(super) fn int(&self) -> R<i64> {
        let i = self
            .v
            .get_ref()
            .as_integer()
            .ok_or_else(|| self.expected("an integer"))?;
        i64::from_str_radix(i.as_str(), i.radix()).map_err(|_| self.err("integer out of range"))
    }
    pub(super) fn number(&self) -> R<f64> {
        let v = self.v.get_ref();
        let x = if let Some(f) = v.as_float() {
            f.as_str().parse::<f64>().ok()
        } else if v.is_integer() {
            Some(self.int()? as f64)
        } else {
            return Err(self.expected("a number"));
        };
        x.filter(|x| x.is_finite())
            .ok_or_else(|| self.err("must be a finite number"))
    }
    pub(super) fn bool(&self) -> R<bool> {
        self.v
            .get_ref()
            .as_bool()
            .ok_or_else(|| self.expected("true or false"))
    }
}
