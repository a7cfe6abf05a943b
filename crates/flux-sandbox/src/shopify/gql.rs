//! A small GraphQL engine: parses the query documents flux-shopify sends (operations,
//! variables, aliases, arguments, directives), projects resolved objects onto the
//! selection sets, paginates connections, and computes query costs.
//!
//! Resolvers build *full* JSON objects (every field the simulated schema has, with
//! `__typename`); a selected field missing from such an object is reported as
//! `undefinedField`, the way Shopify's schema validation does. Connections are
//! resolved as markers holding every item, pre-sorted; pagination (`first`, `after`,
//! `last`, `before`) happens here, with Shopify-style opaque cursors
//! (`base64({"last_id":…,"last_value":…})`).

use base64::Engine;
use serde_json::{Map, Value, json};

/// A GraphQL input value as written in the document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Null,
    Int(String),
    Float(String),
    Str(String),
    Bool(bool),
    Enum(String),
    List(Vec<Val>),
    Obj(Vec<(String, Val)>),
    Var(String),
}

/// `@name(args)`.
#[derive(Debug, Clone)]
pub(crate) struct Directive {
    pub(crate) name: String,
    pub(crate) args: Vec<(String, Val)>,
}

/// A selected field.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub(crate) alias: Option<String>,
    pub(crate) name: String,
    pub(crate) args: Vec<(String, Val)>,
    pub(crate) directives: Vec<Directive>,
    pub(crate) selection: Vec<Field>,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

impl Field {
    /// The response key.
    pub(crate) fn key(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.name)
    }

    /// An argument as written (unresolved).
    pub(crate) fn arg(&self, name: &str) -> Option<&Val> {
        self.args.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// A directive.
    pub(crate) fn directive(&self, name: &str) -> Option<&Directive> {
        self.directives.iter().find(|d| d.name == name)
    }

    fn location(&self) -> Value {
        json!([{ "line": self.line, "column": self.column }])
    }
}

/// A variable definition `$name: Type = default`.
#[derive(Debug, Clone)]
pub(crate) struct VarDef {
    pub(crate) name: String,
    pub(crate) ty: String,
    pub(crate) default: Option<Val>,
}

/// `query` or `mutation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpKind {
    Query,
    Mutation,
}

/// One operation of a document.
#[derive(Debug, Clone)]
pub(crate) struct Operation {
    pub(crate) kind: OpKind,
    pub(crate) name: Option<String>,
    pub(crate) vars: Vec<VarDef>,
    pub(crate) selection: Vec<Field>,
}

/// A GraphQL error entry, ready to serialize.
pub(crate) fn error(message: impl Into<String>, extensions: Value) -> Value {
    let mut e = Map::new();
    e.insert("message".into(), Value::String(message.into()));
    if !extensions.is_null() {
        e.insert("extensions".into(), extensions);
    }
    Value::Object(e)
}

// ---------------------------------------------------------------------------------------
// Lexer and parser

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Punct(char),
    Spread,
    Name(String),
    Int(String),
    Float(String),
    Str(String),
    End,
}

struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    line: usize,
    line_start: usize,
}

impl<'a> Lexer<'a> {
    fn new(src: &'a str) -> Self {
        Self {
            src: src.as_bytes(),
            pos: 0,
            line: 1,
            line_start: 0,
        }
    }

    fn column(&self) -> usize {
        self.pos - self.line_start + 1
    }

    fn skip_ignored(&mut self) {
        while let Some(&c) = self.src.get(self.pos) {
            match c {
                b'\n' => {
                    self.pos += 1;
                    self.line += 1;
                    self.line_start = self.pos;
                }
                b' ' | b'\t' | b'\r' | b',' => self.pos += 1,
                b'#' => {
                    while self.src.get(self.pos).is_some_and(|c| *c != b'\n') {
                        self.pos += 1;
                    }
                }
                0xEF if self.src.get(self.pos..self.pos + 3) == Some(&[0xEF, 0xBB, 0xBF]) => {
                    self.pos += 3;
                }
                _ => break,
            }
        }
    }

    /// The next token with its line and column.
    fn next(&mut self) -> Result<(Tok, usize, usize), String> {
        self.skip_ignored();
        let (line, col) = (self.line, self.column());
        let Some(&c) = self.src.get(self.pos) else {
            return Ok((Tok::End, line, col));
        };
        let tok = match c {
            b'!' | b'$' | b'(' | b')' | b':' | b'=' | b'@' | b'[' | b']' | b'{' | b'}' | b'|'
            | b'&' => {
                self.pos += 1;
                Tok::Punct(c as char)
            }
            b'.' => {
                if self.src.get(self.pos..self.pos + 3) == Some(b"...") {
                    self.pos += 3;
                    Tok::Spread
                } else {
                    return Err(format!(
                        "Parse error on \".\" at [{line}, {col}]: expected \"...\""
                    ));
                }
            }
            b'"' => Tok::Str(self.string(line, col)?),
            b'-' | b'0'..=b'9' => self.number(),
            b'_' | b'a'..=b'z' | b'A'..=b'Z' => {
                let start = self.pos;
                while self
                    .src
                    .get(self.pos)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
                {
                    self.pos += 1;
                }
                Tok::Name(String::from_utf8_lossy(&self.src[start..self.pos]).into_owned())
            }
            other => {
                return Err(format!(
                    "Parse error on \"{}\" at [{line}, {col}]",
                    other as char
                ));
            }
        };
        Ok((tok, line, col))
    }

    fn number(&mut self) -> Tok {
        let start = self.pos;
        let mut float = false;
        if self.src.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        while let Some(&c) = self.src.get(self.pos) {
            match c {
                b'0'..=b'9' => self.pos += 1,
                b'.' | b'e' | b'E' | b'+' => {
                    float = true;
                    self.pos += 1;
                }
                b'-' if float => self.pos += 1,
                _ => break,
            }
        }
        let text = String::from_utf8_lossy(&self.src[start..self.pos]).into_owned();
        if float {
            Tok::Float(text)
        } else {
            Tok::Int(text)
        }
    }

    fn string(&mut self, line: usize, col: usize) -> Result<String, String> {
        if self.src.get(self.pos..self.pos + 3) == Some(b"\"\"\"") {
            self.pos += 3;
            let start = self.pos;
            while self.pos + 3 <= self.src.len() {
                if &self.src[self.pos..self.pos + 3] == b"\"\"\"" {
                    let s = String::from_utf8_lossy(&self.src[start..self.pos]).into_owned();
                    self.pos += 3;
                    return Ok(s);
                }
                if self.src[self.pos] == b'\n' {
                    self.line += 1;
                    self.line_start = self.pos + 1;
                }
                self.pos += 1;
            }
            return Err(format!(
                "Parse error at [{line}, {col}]: unterminated block string"
            ));
        }
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            let Some(&c) = self.src.get(self.pos) else {
                return Err(format!(
                    "Parse error at [{line}, {col}]: unterminated string"
                ));
            };
            self.pos += 1;
            match c {
                b'"' => break,
                b'\n' => {
                    return Err(format!(
                        "Parse error at [{line}, {col}]: unterminated string"
                    ));
                }
                b'\\' => {
                    let Some(&e) = self.src.get(self.pos) else {
                        continue;
                    };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'u' => {
                            let hex = self
                                .src
                                .get(self.pos..self.pos + 4)
                                .map(|h| String::from_utf8_lossy(h).into_owned())
                                .unwrap_or_default();
                            self.pos += 4;
                            let ch = u32::from_str_radix(&hex, 16)
                                .ok()
                                .and_then(char::from_u32)
                                .unwrap_or('\u{fffd}');
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        other => out.push(other),
                    }
                }
                other => out.push(other),
            }
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}

struct Parser<'a> {
    lexer: Lexer<'a>,
    tok: Tok,
    line: usize,
    col: usize,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str) -> Result<Self, String> {
        let mut lexer = Lexer::new(src);
        let (tok, line, col) = lexer.next()?;
        Ok(Self {
            lexer,
            tok,
            line,
            col,
        })
    }

    fn bump(&mut self) -> Result<Tok, String> {
        let (tok, line, col) = self.lexer.next()?;
        self.line = line;
        self.col = col;
        Ok(std::mem::replace(&mut self.tok, tok))
    }

    fn unexpected<T>(&self, expected: &str) -> Result<T, String> {
        let found = match &self.tok {
            Tok::Punct(c) => format!("\"{c}\""),
            Tok::Spread => "\"...\"".to_owned(),
            Tok::Name(n) => format!("\"{n}\""),
            Tok::Int(n) | Tok::Float(n) => format!("\"{n}\""),
            Tok::Str(s) => format!("\"\\\"{s}\\\"\""),
            Tok::End => "end of file".to_owned(),
        };
        Err(format!(
            "Parse error on {found} at [{}, {}]: expected {expected}",
            self.line, self.col
        ))
    }

    fn is_punct(&self, c: char) -> bool {
        self.tok == Tok::Punct(c)
    }

    fn expect_punct(&mut self, c: char) -> Result<(), String> {
        if self.is_punct(c) {
            self.bump()?;
            Ok(())
        } else {
            self.unexpected(&format!("\"{c}\""))
        }
    }

    fn name(&mut self) -> Result<String, String> {
        match &self.tok {
            Tok::Name(_) => match self.bump()? {
                Tok::Name(n) => Ok(n),
                _ => self.unexpected("a name"),
            },
            _ => self.unexpected("a name"),
        }
    }

    fn document(&mut self) -> Result<Vec<Operation>, String> {
        let mut ops = Vec::new();
        while self.tok != Tok::End {
            ops.push(self.operation()?);
        }
        if ops.is_empty() {
            return Err("No query string was present".to_owned());
        }
        Ok(ops)
    }

    fn operation(&mut self) -> Result<Operation, String> {
        if self.is_punct('{') {
            return Ok(Operation {
                kind: OpKind::Query,
                name: None,
                vars: Vec::new(),
                selection: self.selection_set()?,
            });
        }
        let kind = match &self.tok {
            Tok::Name(n) if n == "query" => OpKind::Query,
            Tok::Name(n) if n == "mutation" => OpKind::Mutation,
            Tok::Name(n) if n == "fragment" || n == "subscription" => {
                return Err(format!(
                    "{n} definitions are not supported by the sandbox (flux-shopify sends none)"
                ));
            }
            _ => return self.unexpected("query, mutation or \"{\""),
        };
        self.bump()?;
        let name = match &self.tok {
            Tok::Name(_) => Some(self.name()?),
            _ => None,
        };
        let mut vars = Vec::new();
        if self.is_punct('(') {
            self.bump()?;
            while !self.is_punct(')') {
                self.expect_punct('$')?;
                let name = self.name()?;
                self.expect_punct(':')?;
                let ty = self.type_ref()?;
                let default = if self.is_punct('=') {
                    self.bump()?;
                    Some(self.value(true)?)
                } else {
                    None
                };
                vars.push(VarDef { name, ty, default });
            }
            self.bump()?;
        }
        // Operation-level directives are accepted and ignored.
        let _ = self.directives()?;
        Ok(Operation {
            kind,
            name,
            vars,
            selection: self.selection_set()?,
        })
    }

    fn type_ref(&mut self) -> Result<String, String> {
        let mut out = String::new();
        if self.is_punct('[') {
            self.bump()?;
            out.push('[');
            out.push_str(&self.type_ref()?);
            self.expect_punct(']')?;
            out.push(']');
        } else {
            out.push_str(&self.name()?);
        }
        if self.is_punct('!') {
            self.bump()?;
            out.push('!');
        }
        Ok(out)
    }

    fn directives(&mut self) -> Result<Vec<Directive>, String> {
        let mut out = Vec::new();
        while self.is_punct('@') {
            self.bump()?;
            let name = self.name()?;
            let args = self.arguments()?;
            out.push(Directive { name, args });
        }
        Ok(out)
    }

    fn arguments(&mut self) -> Result<Vec<(String, Val)>, String> {
        let mut args = Vec::new();
        if self.is_punct('(') {
            self.bump()?;
            while !self.is_punct(')') {
                let name = self.name()?;
                self.expect_punct(':')?;
                args.push((name, self.value(false)?));
            }
            self.bump()?;
        }
        Ok(args)
    }

    fn selection_set(&mut self) -> Result<Vec<Field>, String> {
        self.expect_punct('{')?;
        let mut fields = Vec::new();
        while !self.is_punct('}') {
            if self.tok == Tok::Spread {
                return Err(format!(
                    "Parse error at [{}, {}]: fragments are not supported by the sandbox",
                    self.line, self.col
                ));
            }
            let (line, column) = (self.line, self.col);
            let first = self.name()?;
            let (alias, name) = if self.is_punct(':') {
                self.bump()?;
                (Some(first), self.name()?)
            } else {
                (None, first)
            };
            let args = self.arguments()?;
            let directives = self.directives()?;
            let selection = if self.is_punct('{') {
                self.selection_set()?
            } else {
                Vec::new()
            };
            fields.push(Field {
                alias,
                name,
                args,
                directives,
                selection,
                line,
                column,
            });
        }
        self.bump()?;
        if fields.is_empty() {
            return self.unexpected("a field");
        }
        Ok(fields)
    }

    fn value(&mut self, constant: bool) -> Result<Val, String> {
        let v = match self.tok.clone() {
            Tok::Punct('$') if !constant => {
                self.bump()?;
                return Ok(Val::Var(self.name()?));
            }
            Tok::Punct('[') => {
                self.bump()?;
                let mut items = Vec::new();
                while !self.is_punct(']') {
                    items.push(self.value(constant)?);
                }
                self.bump()?;
                return Ok(Val::List(items));
            }
            Tok::Punct('{') => {
                self.bump()?;
                let mut fields = Vec::new();
                while !self.is_punct('}') {
                    let name = self.name()?;
                    self.expect_punct(':')?;
                    fields.push((name, self.value(constant)?));
                }
                self.bump()?;
                return Ok(Val::Obj(fields));
            }
            Tok::Int(n) => Val::Int(n),
            Tok::Float(n) => Val::Float(n),
            Tok::Str(s) => Val::Str(s),
            Tok::Name(n) => match n.as_str() {
                "true" => Val::Bool(true),
                "false" => Val::Bool(false),
                "null" => Val::Null,
                _ => Val::Enum(n),
            },
            _ => return self.unexpected("a value"),
        };
        self.bump()?;
        Ok(v)
    }
}

/// Parses a document and picks the operation to run (`operationName`, or the only one).
pub(crate) fn parse(query: &str, operation_name: Option<&str>) -> Result<Operation, String> {
    let mut ops = Parser::new(query)?.document()?;
    match operation_name {
        Some(name) => {
            let idx = ops
                .iter()
                .position(|o| o.name.as_deref() == Some(name))
                .ok_or_else(|| format!("No operation named \"{name}\""))?;
            Ok(ops.swap_remove(idx))
        }
        None if ops.len() == 1 => Ok(ops.remove(0)),
        None => Err("An operation name is required".to_owned()),
    }
}

// ---------------------------------------------------------------------------------------
// Values

/// Resolves a written value against the request's variables.
pub(crate) fn resolve(val: &Val, vars: &Map<String, Value>) -> Value {
    match val {
        Val::Null => Value::Null,
        Val::Int(n) | Val::Float(n) => serde_json::from_str(n).unwrap_or(Value::Null),
        Val::Str(s) | Val::Enum(s) => Value::String(s.clone()),
        Val::Bool(b) => Value::Bool(*b),
        Val::List(items) => Value::Array(items.iter().map(|v| resolve(v, vars)).collect()),
        Val::Obj(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), resolve(v, vars)))
                .collect(),
        ),
        Val::Var(name) => vars.get(name).cloned().unwrap_or(Value::Null),
    }
}

/// Every argument of a field, resolved.
pub(crate) fn args_of(field: &Field, vars: &Map<String, Value>) -> Map<String, Value> {
    field
        .args
        .iter()
        .map(|(k, v)| (k.clone(), resolve(v, vars)))
        .collect()
}

/// The variables of a request completed with the operation's defaults, checked against
/// the declarations (required variables present and non-null, no undeclared variable
/// used). Errors come back as GraphQL error entries.
pub(crate) fn bind_variables(
    op: &Operation,
    provided: &Map<String, Value>,
) -> Result<Map<String, Value>, Vec<Value>> {
    let mut vars = Map::new();
    let mut errors = Vec::new();
    for def in &op.vars {
        let value = match provided.get(&def.name) {
            Some(v) => v.clone(),
            None => def
                .default
                .as_ref()
                .map_or(Value::Null, |d| resolve(d, &Map::new())),
        };
        if def.ty.ends_with('!') && value.is_null() {
            errors.push(error(
                format!(
                    "Variable ${} of type {} was provided invalid value",
                    def.name, def.ty
                ),
                json!({
                    "code": "INVALID_VARIABLE",
                    "value": Value::Null,
                    "problems": [{ "path": [], "explanation": "Expected value to not be null" }]
                }),
            ));
        }
        vars.insert(def.name.clone(), value);
    }
    let mut used = Vec::new();
    collect_vars(&op.selection, &mut used);
    for name in used {
        if !op.vars.iter().any(|d| d.name == name) {
            errors.push(error(
                format!(
                    "Variable ${name} is used by {} but not declared",
                    op_label(op)
                ),
                json!({ "code": "variableNotDefined", "variableName": name }),
            ));
        }
    }
    if errors.is_empty() {
        Ok(vars)
    } else {
        Err(errors)
    }
}

fn op_label(op: &Operation) -> String {
    let kind = match op.kind {
        OpKind::Query => "query",
        OpKind::Mutation => "mutation",
    };
    match &op.name {
        Some(n) => format!("{kind} {n}"),
        None => format!("anonymous {kind}"),
    }
}

fn collect_vars(fields: &[Field], out: &mut Vec<String>) {
    fn in_val(v: &Val, out: &mut Vec<String>) {
        match v {
            Val::Var(n) if !out.contains(n) => out.push(n.clone()),
            Val::List(items) => items.iter().for_each(|i| in_val(i, out)),
            Val::Obj(fields) => fields.iter().for_each(|(_, v)| in_val(v, out)),
            _ => {}
        }
    }
    for f in fields {
        f.args.iter().for_each(|(_, v)| in_val(v, out));
        for d in &f.directives {
            d.args.iter().for_each(|(_, v)| in_val(v, out));
        }
        collect_vars(&f.selection, out);
    }
}

// ---------------------------------------------------------------------------------------
// Connections

/// Marks a resolved connection: every item (already filtered and sorted), projected and
/// paginated by [`project`].
pub(crate) fn connection(typename: &str, items: Vec<Value>) -> Value {
    json!({ "__connection": typename, "__items": items })
}

/// Marks a list filtered by a `names: [String!]` argument (inventory `quantities`).
pub(crate) fn named_list(items: Vec<Value>) -> Value {
    json!({ "__named_list": items })
}

/// The numeric id at the end of a GID (`gid://shopify/Order/12` → 12).
pub(crate) fn gid_number(gid: &str) -> Option<u64> {
    let tail = gid.rsplit('/').next()?;
    tail.split('?').next()?.parse().ok()
}

fn cursor_for(item: &Value) -> String {
    let id = item
        .get("id")
        .and_then(Value::as_str)
        .and_then(gid_number)
        .unwrap_or(0);
    let body = match item.get("__sort").and_then(Value::as_str) {
        Some(v) => json!({ "last_id": id, "last_value": v }),
        None => json!({ "last_id": id }),
    };
    base64::engine::general_purpose::STANDARD.encode(body.to_string())
}

fn decode_cursor(cursor: &str) -> Option<(u64, Option<String>)> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(cursor)
        .ok()?;
    let v: Value = serde_json::from_slice(&raw).ok()?;
    let id = v.get("last_id")?.as_u64()?;
    let value = v
        .get("last_value")
        .and_then(Value::as_str)
        .map(str::to_owned);
    Some((id, value))
}

/// The index just after the item the cursor points to.
fn position_after(items: &[Value], cursor: &str) -> Result<usize, String> {
    let (id, _) = decode_cursor(cursor)
        .ok_or_else(|| "Invalid cursor for current pagination sort.".to_owned())?;
    let found = items
        .iter()
        .position(|i| i.get("id").and_then(Value::as_str).and_then(gid_number) == Some(id));
    // An item that left the result set (e.g. it no longer matches the search): continue
    // after the items that were listed before it (ids grow with creation).
    Ok(found.map_or_else(
        || {
            items
                .iter()
                .position(|i| {
                    i.get("id")
                        .and_then(Value::as_str)
                        .and_then(gid_number)
                        .is_some_and(|n| n > id)
                })
                .unwrap_or(items.len())
        },
        |i| i + 1,
    ))
}

fn page_size(
    field: &Field,
    args: &Map<String, Value>,
) -> Result<(Option<usize>, Option<usize>), Value> {
    let get = |name: &str| -> Result<Option<usize>, Value> {
        match args.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => match v.as_u64() {
                Some(n) if n <= 250 => Ok(Some(n as usize)),
                Some(n) => Err(error(
                    format!(
                        "The {name} argument on field '{}' exceeds the maximum page size of 250 (requested {n}).",
                        field.name
                    ),
                    json!({ "code": "BAD_REQUEST" }),
                )),
                None => Err(error(
                    format!(
                        "Argument '{name}' on Field '{}' has an invalid value.",
                        field.name
                    ),
                    json!({ "code": "argumentLiteralsIncompatible" }),
                )),
            },
        }
    };
    let first = get("first")?;
    let last = get("last")?;
    if first.is_none() && last.is_none() {
        return Err(error(
            "you must provide one of first or last",
            json!({ "code": "BAD_REQUEST" }),
        ));
    }
    Ok((first, last))
}

fn paginate(
    field: &Field,
    typename: &str,
    items: &[Value],
    vars: &Map<String, Value>,
) -> Result<Value, Value> {
    let args = args_of(field, vars);
    let (first, last) = page_size(field, &args)?;
    let mut start = 0;
    let mut end = items.len();
    if let Some(after) = args.get("after").and_then(Value::as_str) {
        start =
            position_after(items, after).map_err(|m| error(m, json!({ "code": "BAD_REQUEST" })))?;
    }
    if let Some(before) = args.get("before").and_then(Value::as_str) {
        let idx = position_after(items, before)
            .map_err(|m| error(m, json!({ "code": "BAD_REQUEST" })))?;
        end = idx.saturating_sub(1).max(start);
    }
    let window = &items[start.min(end)..end];
    let (slice, has_next, has_prev) = match (first, last) {
        (Some(n), _) => {
            let s = &window[..n.min(window.len())];
            (s, window.len() > n || end < items.len(), start > 0)
        }
        (None, Some(n)) => {
            let from = window.len().saturating_sub(n);
            (&window[from..], end < items.len(), start + from > 0)
        }
        (None, None) => (window, false, false),
    };
    let nodes: Vec<Value> = slice.to_vec();
    let edges: Vec<Value> = slice
        .iter()
        .map(|n| json!({ "__typename": format!("{}Edge", typename.trim_end_matches("Connection")), "cursor": cursor_for(n), "node": n }))
        .collect();
    Ok(json!({
        "__typename": typename,
        "nodes": nodes,
        "edges": edges,
        "pageInfo": {
            "__typename": "PageInfo",
            "hasNextPage": has_next,
            "hasPreviousPage": has_prev,
            "startCursor": slice.first().map(cursor_for),
            "endCursor": slice.last().map(cursor_for),
        }
    }))
}

// ---------------------------------------------------------------------------------------
// Projection

/// Projects a resolved value onto a selection set. Errors (undefined fields, bad
/// pagination arguments) are collected; the field gets `null`.
pub(crate) fn project(
    value: &Value,
    selection: &[Field],
    vars: &Map<String, Value>,
    path: &mut Vec<Value>,
    errors: &mut Vec<Value>,
) -> Value {
    match value {
        Value::Null => Value::Null,
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    path.push(json!(i));
                    let v = project(item, selection, vars, path, errors);
                    path.pop();
                    v
                })
                .collect(),
        ),
        Value::Object(obj) => {
            let mut out = Map::new();
            for field in selection {
                path.push(Value::String(field.key().to_owned()));
                let v = project_field(obj, field, vars, path, errors);
                path.pop();
                out.insert(field.key().to_owned(), v);
            }
            Value::Object(out)
        }
        scalar => scalar.clone(),
    }
}

fn project_field(
    obj: &Map<String, Value>,
    field: &Field,
    vars: &Map<String, Value>,
    path: &mut Vec<Value>,
    errors: &mut Vec<Value>,
) -> Value {
    let typename = obj
        .get("__typename")
        .and_then(Value::as_str)
        .unwrap_or("Object")
        .to_owned();
    let hidden = field.name.starts_with("__") && field.name != "__typename";
    let Some(raw) = obj.get(&field.name).filter(|_| !hidden) else {
        let mut e = error(
            format!("Field '{}' doesn't exist on type '{typename}'", field.name),
            json!({ "code": "undefinedField", "typeName": typename, "fieldName": field.name }),
        );
        e["locations"] = field.location();
        e["path"] = Value::Array(path.clone());
        errors.push(e);
        return Value::Null;
    };
    if let Some(conn) = raw.get("__connection").and_then(Value::as_str) {
        let items = raw
            .get("__items")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        return match paginate(field, conn, &items, vars) {
            Ok(page) => project(&page, &field.selection, vars, path, errors),
            Err(mut e) => {
                e["locations"] = field.location();
                e["path"] = Value::Array(path.clone());
                errors.push(e);
                Value::Null
            }
        };
    }
    if let Some(list) = raw.get("__named_list").and_then(Value::as_array) {
        let names = args_of(field, vars)
            .get("names")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let picked: Vec<Value> = names
            .iter()
            .filter_map(|n| list.iter().find(|i| i.get("name") == Some(n)).cloned())
            .collect();
        return project(&Value::Array(picked), &field.selection, vars, path, errors);
    }
    if field.selection.is_empty() {
        return raw.clone();
    }
    project(raw, &field.selection, vars, path, errors)
}

// ---------------------------------------------------------------------------------------
// Cost

/// Whether a field is a connection (it is paginated with `first`/`last`).
fn is_connection(field: &Field) -> bool {
    field.arg("first").is_some() || field.arg("last").is_some()
}

fn page_arg(field: &Field, vars: &Map<String, Value>) -> u64 {
    ["first", "last"]
        .iter()
        .filter_map(|n| field.arg(n))
        .map(|v| resolve(v, vars).as_u64().unwrap_or(0))
        .max()
        .unwrap_or(0)
}

/// (cost of one instance ignoring nested connections, cost of the nested connections).
fn cost_parts(selection: &[Field], vars: &Map<String, Value>) -> (u64, u64) {
    let mut flat = 0;
    let mut nested = 0;
    for f in selection {
        if f.selection.is_empty() {
            continue;
        }
        if is_connection(f) {
            nested += connection_cost(f, vars);
        } else {
            let (fl, ne) = cost_parts(&f.selection, vars);
            let object = u64::from(f.selection.iter().any(|s| s.name == "id"));
            flat += object + fl;
            nested += ne;
        }
    }
    (flat, nested)
}

fn connection_cost(field: &Field, vars: &Map<String, Value>) -> u64 {
    let (flat, nested) = cost_parts(&field.selection, vars);
    2 + page_arg(field, vars).saturating_mul(flat) + nested
}

/// The cost of a mutation's root field (Shopify: 10).
pub(crate) const MUTATION_COST: u64 = 10;

/// The requested (maximum) cost of an operation, computed before it runs:
///
/// - scalars and enums: 0; an object with an `id` (a node): 1; value objects (money,
///   addresses, weights, page info) are free;
/// - a connection: 2 + page size × the cost of one node (nodes of connections nested
///   in it are counted once per page, not multiplied);
/// - a mutation: 10 per root field.
pub(crate) fn requested_cost(op: &Operation, vars: &Map<String, Value>) -> u64 {
    match op.kind {
        OpKind::Mutation => MUTATION_COST * op.selection.len() as u64,
        OpKind::Query => {
            let (flat, nested) = cost_parts(&op.selection, vars);
            flat + nested
        }
    }
}

/// The actual cost of what was returned: 1 per node object returned, 2 per connection,
/// at most the requested cost.
pub(crate) fn actual_cost(data: &Value, requested: u64) -> u64 {
    fn walk(v: &Value) -> u64 {
        match v {
            Value::Object(m) => {
                let own = if m.contains_key("pageInfo")
                    || m.contains_key("nodes")
                    || m.contains_key("edges")
                {
                    2
                } else {
                    u64::from(m.contains_key("id"))
                };
                own + m.values().map(walk).sum::<u64>()
            }
            Value::Array(items) => items.iter().map(walk).sum(),
            _ => 0,
        }
    }
    walk(data).min(requested).max(u64::from(requested > 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_flux_shopify_documents() {
        let q = r#"mutation FluxInventorySet($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) @idempotent(key: "4f5b6ebf-143c-4da5-8d0f-fb8553bfd85d") { inventoryAdjustmentGroup { id changes { name delta } } userErrors { field message code } } }"#;
        let op = parse(q, None).unwrap();
        assert_eq!(op.kind, OpKind::Mutation);
        assert_eq!(op.vars[0].ty, "InventorySetQuantitiesInput!");
        let f = &op.selection[0];
        let key = &f.directive("idempotent").unwrap().args[0].1;
        assert_eq!(
            key,
            &Val::Str("4f5b6ebf-143c-4da5-8d0f-fb8553bfd85d".into())
        );
        assert!(parse("query { shop { id ", None).is_err());
        assert!(parse(r#"{ a(names: ["x", "y"], n: -1.5e3) { b } }"#, None).is_ok());
    }

    #[test]
    fn projects_paginates_and_reports_unknown_fields() {
        let items: Vec<Value> = (1..=5)
            .map(|i| json!({ "__typename": "Location", "id": format!("gid://shopify/Location/{i}"), "name": format!("L{i}") }))
            .collect();
        let root = json!({ "__typename": "QueryRoot", "locations": connection("LocationConnection", items) });
        let op = parse("query($after: String) { locations(first: 2, after: $after) { nodes { id name } pageInfo { hasNextPage endCursor } } }", None).unwrap();
        let mut vars = Map::new();
        let mut errors = Vec::new();
        let page = project(&root, &op.selection, &vars, &mut Vec::new(), &mut errors);
        assert!(errors.is_empty());
        assert_eq!(page["locations"]["nodes"][1]["name"], "L2");
        assert_eq!(page["locations"]["pageInfo"]["hasNextPage"], true);
        vars.insert(
            "after".into(),
            page["locations"]["pageInfo"]["endCursor"].clone(),
        );
        let page = project(&root, &op.selection, &vars, &mut Vec::new(), &mut errors);
        assert_eq!(page["locations"]["nodes"][0]["name"], "L3");

        let op = parse("{ locations(first: 1) { nodes { nope } } }", None).unwrap();
        let _ = project(&root, &op.selection, &vars, &mut Vec::new(), &mut errors);
        assert_eq!(errors[0]["extensions"]["code"], "undefinedField");
        assert_eq!(requested_cost(&op, &vars), 2);
    }
}
