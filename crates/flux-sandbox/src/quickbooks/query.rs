//! The subset of QuickBooks's query language the SDK sends:
//! `SELECT * [, Sku] | COUNT(*) FROM <Entity> [WHERE <cond> [AND <cond>]…]
//! [ORDERBY <field> [ASC|DESC]] [STARTPOSITION n] [MAXRESULTS n]`, conditions being
//! `field =|<|>|<=|>=|!= value`, `field IN (v, …)` or `field LIKE '%text%'`.

use std::cmp::Ordering;

use chrono::{DateTime, FixedOffset, NaiveDate};
use rust_decimal::Decimal;
use serde_json::Value;

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Query {
    pub(crate) entity: String,
    pub(crate) count: bool,
    pub(crate) columns: Vec<String>,
    pub(crate) conditions: Vec<Condition>,
    pub(crate) order_by: Vec<(String, bool)>,
    pub(crate) start_position: usize,
    pub(crate) max_results: usize,
}

/// One condition of a `WHERE`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Condition {
    pub(crate) field: String,
    pub(crate) op: Op,
    pub(crate) values: Vec<Literal>,
}

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    In,
    Like,
}

/// A literal in a query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    Str(String),
    Num(Decimal),
    Bool(bool),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Sym(String),
}

fn tokenize(q: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = q.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err("unterminated string literal".to_owned()),
                    Some('\\') => {
                        if let Some(n) = chars.get(i + 1) {
                            s.push(*n);
                        }
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(other) => {
                        s.push(*other);
                        i += 1;
                    }
                }
            }
            out.push(Tok::Str(s));
        } else if c.is_alphanumeric() || c == '_' || c == '.' || c == '-' || c == '+' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric()
                    || chars[i] == '_'
                    || chars[i] == '.'
                    || chars[i] == '-'
                    || chars[i] == '+')
            {
                i += 1;
            }
            out.push(Tok::Word(chars[start..i].iter().collect()));
        } else if matches!(c, '<' | '>' | '!') && chars.get(i + 1) == Some(&'=') {
            out.push(Tok::Sym(format!("{c}=")));
            i += 2;
        } else if matches!(c, '=' | '<' | '>' | '(' | ')' | ',' | '*') {
            out.push(Tok::Sym(c.to_string()));
            i += 1;
        } else {
            return Err(format!("Encountered \" \"{c}\" \" at column {}", i + 1));
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn keyword(&mut self, kw: &str) -> bool {
        if let Some(Tok::Word(w)) = self.peek()
            && w.eq_ignore_ascii_case(kw)
        {
            self.pos += 1;
            return true;
        }
        false
    }

    fn sym(&mut self, s: &str) -> bool {
        if let Some(Tok::Sym(x)) = self.peek()
            && x == s
        {
            self.pos += 1;
            return true;
        }
        false
    }

    fn expect_word(&mut self, what: &str) -> Result<String, String> {
        match self.next() {
            Some(Tok::Word(w)) => Ok(w),
            other => Err(format!(
                "expected {what}, found {}",
                describe(other.as_ref())
            )),
        }
    }

    fn literal(&mut self) -> Result<Literal, String> {
        match self.next() {
            Some(Tok::Str(s)) => Ok(Literal::Str(s)),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("true") => Ok(Literal::Bool(true)),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("false") => Ok(Literal::Bool(false)),
            Some(Tok::Word(w)) => w
                .parse::<Decimal>()
                .map(Literal::Num)
                .map_err(|_| format!("Encountered \" <ID> \"{w}\" \"")),
            other => Err(format!(
                "expected a value, found {}",
                describe(other.as_ref())
            )),
        }
    }

    fn number(&mut self, what: &str) -> Result<usize, String> {
        let w = self.expect_word(what)?;
        w.parse::<usize>()
            .map_err(|_| format!("{what} must be a positive integer, found \"{w}\""))
    }
}

fn describe(t: Option<&Tok>) -> String {
    match t {
        None => "<EOF>".to_owned(),
        Some(Tok::Word(w)) => format!("\"{w}\""),
        Some(Tok::Str(s)) => format!("'{s}'"),
        Some(Tok::Sym(s)) => format!("\"{s}\""),
    }
}

/// Parses a query; the error is the `QueryParserError` detail.
pub(crate) fn parse(q: &str) -> Result<Query, String> {
    let mut p = Parser {
        toks: tokenize(q)?,
        pos: 0,
    };
    if !p.keyword("SELECT") {
        return Err(format!(
            "Encountered {} at line 1, column 1. Was expecting: \"select\"",
            describe(p.peek())
        ));
    }
    let mut count = false;
    let mut columns = Vec::new();
    if p.keyword("COUNT") {
        if !(p.sym("(") && p.sym("*") && p.sym(")")) {
            return Err("expected COUNT(*)".to_owned());
        }
        count = true;
    } else {
        loop {
            if p.sym("*") {
                columns.push("*".to_owned());
            } else {
                columns.push(p.expect_word("a column")?);
            }
            if !p.sym(",") {
                break;
            }
        }
    }
    if !p.keyword("FROM") {
        return Err(format!(
            "Encountered {}. Was expecting: \"from\"",
            describe(p.peek())
        ));
    }
    let entity = p.expect_word("an entity")?;
    let mut conditions = Vec::new();
    if p.keyword("WHERE") {
        loop {
            let field = p.expect_word("a property")?;
            let cond = if p.keyword("IN") {
                if !p.sym("(") {
                    return Err("expected ( after IN".to_owned());
                }
                let mut values = Vec::new();
                loop {
                    values.push(p.literal()?);
                    if p.sym(")") {
                        break;
                    }
                    if !p.sym(",") {
                        return Err(format!("Encountered {}", describe(p.peek())));
                    }
                }
                Condition {
                    field,
                    op: Op::In,
                    values,
                }
            } else if p.keyword("LIKE") {
                Condition {
                    field,
                    op: Op::Like,
                    values: vec![p.literal()?],
                }
            } else {
                let op = match p.next() {
                    Some(Tok::Sym(s)) => match s.as_str() {
                        "=" => Op::Eq,
                        "!=" => Op::Ne,
                        "<" => Op::Lt,
                        ">" => Op::Gt,
                        "<=" => Op::Le,
                        ">=" => Op::Ge,
                        _ => return Err(format!("Encountered \"{s}\"")),
                    },
                    other => return Err(format!("Encountered {}", describe(other.as_ref()))),
                };
                Condition {
                    field,
                    op,
                    values: vec![p.literal()?],
                }
            };
            conditions.push(cond);
            if p.keyword("OR") {
                return Err("Encountered \" \"OR\" \": OR is not supported".to_owned());
            }
            if !p.keyword("AND") {
                break;
            }
        }
    }
    let mut order_by = Vec::new();
    let mut start_position = 1;
    let mut max_results = 100;
    loop {
        if p.keyword("ORDERBY") || (p.keyword("ORDER") && p.keyword("BY")) {
            loop {
                let field = p.expect_word("a property")?;
                let desc = if p.keyword("DESC") {
                    true
                } else {
                    p.keyword("ASC");
                    false
                };
                order_by.push((field, desc));
                if !p.sym(",") {
                    break;
                }
            }
        } else if p.keyword("STARTPOSITION") {
            start_position = p.number("STARTPOSITION")?.max(1);
        } else if p.keyword("MAXRESULTS") {
            max_results = p.number("MAXRESULTS")?.min(1000);
        } else if p.peek().is_none() {
            break;
        } else {
            return Err(format!("Encountered {}", describe(p.peek())));
        }
    }
    Ok(Query {
        entity,
        count,
        columns,
        conditions,
        order_by,
        start_position,
        max_results,
    })
}

/// The value at a dotted path (`MetaData.LastUpdatedTime`); a reference (`CustomerRef`)
/// compares by its `value`.
pub(crate) fn lookup<'a>(record: &'a Value, path: &str) -> Option<&'a Value> {
    let mut v = record;
    for part in path.split('.') {
        v = v.get(part)?;
    }
    if let Some(inner) = v.get("value").filter(|_| v.is_object()) {
        return Some(inner);
    }
    if let Some(inner) = v.get("Address").filter(|_| v.is_object()) {
        return Some(inner);
    }
    Some(v)
}

fn as_time(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s).ok().or_else(|| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|dt| dt.and_utc().fixed_offset())
    })
}

/// Compares a record's value with a literal; `None` when they cannot be compared.
fn compare(v: &Value, lit: &Literal) -> Option<Ordering> {
    match (v, lit) {
        (Value::Bool(b), Literal::Bool(l)) => Some(b.cmp(l)),
        (Value::String(s), Literal::Bool(l)) => Some(if s.eq_ignore_ascii_case(&l.to_string()) {
            Ordering::Equal
        } else {
            Ordering::Less
        }),
        (Value::Number(n), Literal::Num(l)) => {
            n.to_string().parse::<Decimal>().ok().map(|d| d.cmp(l))
        }
        (Value::String(s), Literal::Num(l)) => s.parse::<Decimal>().ok().map(|d| d.cmp(l)),
        (Value::Number(n), Literal::Str(l)) => {
            let a = n.to_string().parse::<Decimal>().ok()?;
            let b = l.parse::<Decimal>().ok()?;
            Some(a.cmp(&b))
        }
        (Value::String(s), Literal::Str(l)) => {
            if let (Some(a), Some(b)) = (as_time(s), as_time(l))
                && (s.contains('T') || l.contains('T') || s.len() == 10)
            {
                return Some(a.cmp(&b));
            }
            if let (Ok(a), Ok(b)) = (s.parse::<Decimal>(), l.parse::<Decimal>()) {
                return Some(a.cmp(&b));
            }
            Some(s.to_lowercase().cmp(&l.to_lowercase()))
        }
        _ => None,
    }
}

fn like(v: &Value, pattern: &str) -> bool {
    let Some(s) = v.as_str() else {
        return false;
    };
    let s = s.to_lowercase();
    let p = pattern.to_lowercase();
    let starts = p.starts_with('%');
    let ends = p.ends_with('%');
    let core = p.trim_matches('%');
    match (starts, ends) {
        (true, true) => s.contains(core),
        (true, false) => s.ends_with(core),
        (false, true) => s.starts_with(core),
        (false, false) => s == core,
    }
}

impl Condition {
    /// Whether `record` satisfies the condition.
    pub(crate) fn matches(&self, record: &Value) -> bool {
        let Some(v) = lookup(record, &self.field) else {
            // An absent boolean such as Active counts as its default.
            return false;
        };
        match self.op {
            Op::In => self
                .values
                .iter()
                .any(|l| compare(v, l) == Some(Ordering::Equal)),
            Op::Like => match self.values.first() {
                Some(Literal::Str(p)) => like(v, p),
                _ => false,
            },
            op => {
                let Some(l) = self.values.first() else {
                    return false;
                };
                let Some(o) = compare(v, l) else {
                    return false;
                };
                match op {
                    Op::Eq => o == Ordering::Equal,
                    Op::Ne => o != Ordering::Equal,
                    Op::Lt => o == Ordering::Less,
                    Op::Gt => o == Ordering::Greater,
                    Op::Le => o != Ordering::Greater,
                    Op::Ge => o != Ordering::Less,
                    Op::In | Op::Like => false,
                }
            }
        }
    }
}

/// Orders two records by `field` (numbers and ids numerically, times as instants).
pub(crate) fn order(a: &Value, b: &Value, field: &str) -> Ordering {
    match (lookup(a, field), lookup(b, field)) {
        (Some(x), Some(y)) => {
            let lit = match y {
                Value::String(s) => Literal::Str(s.clone()),
                Value::Bool(b) => Literal::Bool(*b),
                Value::Number(n) => match n.to_string().parse::<Decimal>() {
                    Ok(d) => Literal::Num(d),
                    Err(_) => return Ordering::Equal,
                },
                _ => return Ordering::Equal,
            };
            compare(x, &lit).unwrap_or(Ordering::Equal)
        }
        (Some(_), None) => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
        (None, None) => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_what_the_sdk_sends() {
        let q = parse(r"SELECT *, Sku FROM Item WHERE Active IN (true, false) AND MetaData.LastUpdatedTime > '2025-11-01T00:00:00+00:00' ORDERBY Id STARTPOSITION 3 MAXRESULTS 2").unwrap();
        assert_eq!(q.entity, "Item");
        assert_eq!(q.columns, vec!["*", "Sku"]);
        assert_eq!(q.conditions.len(), 2);
        assert_eq!(q.order_by, vec![("Id".to_owned(), false)]);
        assert_eq!((q.start_position, q.max_results), (3, 2));
        let q = parse(r"select * from Customer where DisplayName = 'Amy\'s Bird'").unwrap();
        assert_eq!(
            q.conditions[0].values,
            vec![Literal::Str("Amy's Bird".into())]
        );
        assert!(parse("SELECT * FROM Customer WHERE Active = true OR Id = '1'").is_err());
        assert!(parse("DELETE FROM Customer").is_err());
    }

    #[test]
    fn conditions_compare_times_ids_and_names() {
        let rec = json!({"Id": "12", "Active": true, "DisplayName": "Amy's",
            "MetaData": {"LastUpdatedTime": "2025-11-03T09:00:00-08:00"}, "CustomerRef": {"value": "3"}});
        let c = |q: &str| {
            parse(&format!("SELECT * FROM Customer WHERE {q}"))
                .unwrap()
                .conditions[0]
                .matches(&rec)
        };
        assert!(c("MetaData.LastUpdatedTime > '2025-11-03T16:59:59Z'"));
        assert!(!c("MetaData.LastUpdatedTime > '2025-11-03T17:00:00Z'"));
        assert!(c("Id > '9'"));
        assert!(c(r"DisplayName = 'AMY\'S'"));
        assert!(c("Active IN (true, false)"));
        assert!(c("CustomerRef = '3'"));
        assert!(c("DisplayName LIKE 'am%'"));
    }
}
