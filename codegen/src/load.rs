//! Loading and linting: YAML files in, a checked [`Spec`] or every error with
//! `file:line:column` out.

use crate::model::*;
use crate::raw::{self, S};
use crate::typecode::{Alphabet, LetterClass, TypeCode, WordClass, parse_range};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in the spec, with the place it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The file, as given to the loader (relative to the spec root, prefixed `spec/`).
    pub file: String,
    /// 1-based line (0 when unknown).
    pub line: u64,
    /// 1-based column (0 when unknown).
    pub column: u64,
    /// What is wrong and what to do about it.
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: error: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// Every error found in one load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecErrors(pub Vec<SpecError>);

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.0 {
            writeln!(f, "{e}")?;
        }
        write!(f, "{} error(s) in the Payple spec", self.0.len())
    }
}

impl std::error::Error for SpecErrors {}

/// One spec file: path relative to the spec root (`payple.yaml`, `codes/cpay.yaml`,
/// `endpoints/cpay/auth.yaml`) and its text.
#[derive(Debug, Clone)]
pub struct SpecFile {
    /// Relative path with `/` separators.
    pub path: String,
    /// Contents.
    pub text: String,
}

/// Reads every `*.yaml` file below `dir`.
pub fn read_dir(dir: &Path) -> std::io::Result<Vec<SpecFile>> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, String)>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out)?;
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                let rel = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push((path.clone(), rel));
            }
        }
        Ok(())
    }
    let mut found = Vec::new();
    walk(dir, dir, &mut found)?;
    found.sort_by(|a, b| a.1.cmp(&b.1));
    found
        .into_iter()
        .map(|(path, rel)| {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
            Ok(SpecFile { path: rel, text })
        })
        .collect()
}

const KINDS: &[&str] = &[
    "malformed_body",
    "missing_required",
    "undocumented_field",
    "type_code_violation",
    "not_applicable",
    "invalid_value",
    "json_type_mismatch",
    "unknown_result_code",
    "success_code_mismatch",
    "legacy_field_name",
    "lenient_form",
    "unknown_value",
    "invalid_format",
];

struct Ctx {
    errors: Vec<SpecError>,
    file: String,
    tags: BTreeSet<String>,
    /// Tags marked `documented: true`.
    documented: BTreeSet<String>,
    alphabet: Alphabet,
    formats: Vec<FormatDef>,
}

impl Ctx {
    fn err<T>(&mut self, at: &S<T>, message: impl Into<String>) {
        self.errors.push(SpecError {
            file: self.file.clone(),
            line: at.referenced.line(),
            column: at.referenced.column(),
            message: message.into(),
        });
    }

    fn err_at(&mut self, line: u64, column: u64, message: impl Into<String>) {
        self.errors.push(SpecError {
            file: self.file.clone(),
            line,
            column,
            message: message.into(),
        });
    }

    fn tag(&mut self, t: &S<String>) -> String {
        if !self.tags.contains(&t.value) {
            let known = self.tags.iter().cloned().collect::<Vec<_>>().join(", ");
            self.err(
                t,
                format!(
                    "unknown evidence tag `{}`; use one of {known} (defined in spec/payple.yaml)",
                    t.value
                ),
            );
        }
        t.value.clone()
    }

    /// A rule resting on evidence tag `t` and `source`.
    fn rule(&mut self, t: &S<String>, source: &str) -> Rule {
        let evidence = self.tag(t);
        self.rule_of(&evidence, source)
    }

    /// The rule of one part of a field: its own evidence tag and source where the field
    /// gives them, else the field's evidence and source.
    fn rule_or(
        &mut self,
        tag: Option<&S<String>>,
        source: Option<&str>,
        field_evidence: &str,
        field_source: &str,
    ) -> Rule {
        let source = source.unwrap_or(field_source);
        match tag {
            Some(t) => self.rule(t, source),
            None => self.rule_of(field_evidence, source),
        }
    }

    /// A rule from an already checked tag.
    fn rule_of(&self, evidence: &str, source: &str) -> Rule {
        Rule {
            documented: self.documented.contains(evidence),
            evidence: evidence.to_string(),
            source: source.to_string(),
        }
    }

    fn type_code(&mut self, t: &S<String>) -> Option<TypeCode> {
        match self.alphabet.parse(&t.value) {
            Ok(code) => Some(code),
            Err(e) => {
                self.err(t, format!("malformed type code: {e}"));
                None
            }
        }
    }

    fn applies(&mut self, a: Option<&S<String>>) -> Applies {
        match a.map(|a| (a, a.value.as_str())) {
            None | Some((_, "both")) => Applies::Both,
            Some((_, "card")) => Applies::Card,
            Some((_, "transfer")) => Applies::Transfer,
            Some((a, other)) => {
                self.err(
                    a,
                    format!("`applies: {other}` is not known; write card, transfer or both"),
                );
                Applies::Both
            }
        }
    }
}

fn parse_yaml<T: serde::de::DeserializeOwned>(file: &SpecFile) -> Result<T, SpecError> {
    serde_saphyr::from_str::<T>(&file.text).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((0, 0));
        // The library prefixes its own position; ours is in front already.
        let message = payple_support::text::one_line_message(&e.without_snippet().to_string());
        SpecError {
            file: format!("spec/{}", file.path),
            line,
            column,
            message: explain_serde(&message),
        }
    })
}

fn explain_serde(message: &str) -> String {
    if message.contains("unknown field") {
        format!("{message}; check the spelling against spec/README.md")
    } else {
        message.to_string()
    }
}

/// Loads and checks a spec from its files. Returns every error found, not just the first.
pub fn load(files: &[SpecFile]) -> Result<Spec, SpecErrors> {
    let mut errors = Vec::new();
    let mut parsed_endpoints: Vec<(&SpecFile, raw::EndpointFile)> = Vec::new();
    let Some(root_file) = files.iter().find(|f| f.path == "payple.yaml") else {
        return Err(SpecErrors(vec![SpecError {
            file: "spec/payple.yaml".into(),
            line: 0,
            column: 0,
            message: "the spec root file payple.yaml is missing".into(),
        }]));
    };
    let root: raw::RootFile = match parse_yaml(root_file) {
        Ok(r) => r,
        Err(e) => return Err(SpecErrors(vec![e])),
    };
    let mut cx = Ctx {
        errors: Vec::new(),
        file: format!("spec/{}", root_file.path),
        tags: root
            .evidence_tags
            .iter()
            .map(|t| t.tag.value.clone())
            .collect(),
        documented: root
            .evidence_tags
            .iter()
            .filter(|t| t.documented)
            .map(|t| t.tag.value.clone())
            .collect(),
        alphabet: Alphabet::default(),
        formats: Vec::new(),
    };
    let mut spec = Spec {
        evidence_tags: root
            .evidence_tags
            .iter()
            .map(|t| (t.tag.value.clone(), t.meaning.clone()))
            .collect(),
        ..Spec::default()
    };
    load_root(&mut cx, &root, &mut spec);

    for file in files {
        let kind = if file.path == "payple.yaml" {
            continue;
        } else if file.path.starts_with("codes/") {
            "catalog"
        } else if file.path.starts_with("endpoints/") {
            "endpoint"
        } else {
            cx.errors.push(SpecError {
                file: format!("spec/{}", file.path),
                line: 0,
                column: 0,
                message: "unexpected file: spec files are payple.yaml, codes/*.yaml and endpoints/<service>/*.yaml".into(),
            });
            continue;
        };
        cx.file = format!("spec/{}", file.path);
        if kind == "catalog" {
            match parse_yaml::<raw::CatalogFile>(file) {
                Ok(c) => {
                    if let Some(cat) = load_catalog(&mut cx, &c, &spec) {
                        spec.catalogs.push(cat);
                    }
                }
                Err(e) => errors.push(e),
            }
        } else {
            match parse_yaml::<raw::EndpointFile>(file) {
                Ok(e) => {
                    if let Some(ep) = load_endpoint(&mut cx, &e, &file.path, &spec) {
                        spec.endpoints.push(ep);
                    }
                    parsed_endpoints.push((file, e));
                }
                Err(e) => errors.push(e),
            }
        }
    }
    // Cross-file checks: result catalogs and success codes.
    let catalogs: BTreeMap<&str, &Catalog> =
        spec.catalogs.iter().map(|c| (c.id.as_str(), c)).collect();
    for (file, e) in &parsed_endpoints {
        let Some(r) = &e.result else { continue };
        cx.file = format!("spec/{}", file.path);
        match catalogs.get(r.catalog.value.as_str()) {
            None => {
                let known = catalogs.keys().copied().collect::<Vec<_>>().join(", ");
                cx.err(
                    &r.catalog,
                    format!(
                        "dangling reference: no response-code catalog `{}` (spec/codes/ has {known})",
                        r.catalog.value
                    ),
                );
            }
            Some(cat) => {
                for sc in &r.success_codes {
                    match cat.codes.iter().find(|c| c.code == sc.code.value) {
                        None => cx.err(
                            &sc.code,
                            format!(
                                "dangling reference: success code `{}` is not in catalog `{}`; add it to spec/codes/{}.yaml",
                                sc.code.value, cat.id, cat.id
                            ),
                        ),
                        Some(c) if c.class != CodeClass::Success => cx.err(
                            &sc.code,
                            format!(
                                "success code `{}` has class failure in catalog `{}`",
                                sc.code.value, cat.id
                            ),
                        ),
                        Some(_) => {}
                    }
                }
            }
        }
    }
    // Auth flows must name existing endpoints.
    let ids: BTreeSet<&str> = spec.endpoints.iter().map(|e| e.id.as_str()).collect();
    cx.file = format!("spec/{}", root_file.path);
    for flow in &root.auth_flows {
        if let Some(ep) = &flow.endpoint
            && !ids.is_empty()
            && !ids.contains(ep.value.as_str())
            && files.iter().any(|f| f.path.starts_with("endpoints/"))
        {
            cx.err(
                ep,
                format!(
                    "dangling reference: auth flow `{}` names endpoint `{}`, which no file in spec/endpoints defines",
                    flow.id.value, ep.value
                ),
            );
        }
    }
    check_role_names(&mut cx, &root, &spec, files);
    errors.append(&mut cx.errors);
    if errors.is_empty() {
        spec.endpoints.sort_by(|a, b| a.id.cmp(&b.id));
        spec.catalogs.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(spec)
    } else {
        errors.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        errors.dedup();
        Err(SpecErrors(errors))
    }
}

fn load_root(cx: &mut Ctx, root: &raw::RootFile, spec: &mut Spec) {
    let tc = &root.type_codes;
    let mut letters = Vec::new();
    for l in &root.type_codes.letters {
        let mut chars = l.letter.value.chars();
        let (Some(ch), None) = (chars.next(), chars.next()) else {
            cx.err(&l.letter, "a type-code letter must be a single character");
            continue;
        };
        if letters.iter().any(|x: &LetterClass| x.letter == ch) {
            cx.err(&l.letter, format!("letter `{ch}` is defined twice"));
        }
        let mut ranges = Vec::new();
        for r in &l.ranges {
            match parse_range(&r.value) {
                Ok(range) => ranges.push(range),
                Err(e) => cx.err(r, e),
            }
        }
        letters.push(LetterClass {
            letter: ch,
            name: l.name.clone(),
            ranges,
            basis: l.basis.clone(),
        });
    }
    if letters.len() > 8 {
        cx.err_at(0, 0, "the alphabet may define at most 8 letters");
    }
    cx.alphabet.letters = letters;
    let mut words = Vec::new();
    for w in &tc.words {
        let mask = if w.letters.value == "any" {
            None
        } else {
            match cx.alphabet.mask_of(&w.letters.value) {
                Ok(m) => Some(m),
                Err(e) => {
                    cx.err(&w.letters, e);
                    None
                }
            }
        };
        words.push(WordClass {
            word: w.word.value.clone(),
            mask,
            basis: w.basis.clone(),
        });
    }
    cx.alphabet.words = words;
    spec.alphabet_rule = cx.rule(&tc.evidence, &tc.source);
    for l in &tc.letters {
        if let Some(ev) = &l.evidence {
            let r = cx.rule(ev, &tc.source);
            if r.documented != spec.alphabet_rule.documented {
                cx.err(
                    ev,
                    "a letter's evidence may not differ from the alphabet's in whether it is documented: the validator reads the letters as one rule; change type_codes.evidence instead",
                );
            }
        }
    }
    let mut format_ids = BTreeSet::new();
    for f in &root.formats {
        if !format_ids.insert(f.id.value.clone()) {
            cx.err(&f.id, format!("format `{}` is defined twice", f.id.value));
        }
        let pieces = match crate::datefmt::compile(&f.pattern.value) {
            Ok(p) => p,
            Err(e) => {
                cx.err(&f.pattern, e);
                Vec::new()
            }
        };
        let rule = cx.rule(&f.evidence, &f.source);
        spec.formats.push(FormatDef {
            id: f.id.value.clone(),
            pattern: f.pattern.value.clone(),
            pieces,
            rule,
            note: f.note.as_ref().map(|n| n.trim().to_string()),
        });
    }
    cx.formats = spec.formats.clone();
    for l in &root.wire_leniency {
        let form = match l.form.value.as_str() {
            "number_for_numeric_string" => LenientForm::NumberForNumericString,
            "empty_string_is_absent" => LenientForm::EmptyStringIsAbsent,
            "null_is_absent" => LenientForm::NullIsAbsent,
            other => {
                cx.err(
                    &l.form,
                    format!(
                        "wire leniency `{other}` is not known; the forms are number_for_numeric_string, empty_string_is_absent and null_is_absent"
                    ),
                );
                continue;
            }
        };
        if spec.leniency.iter().any(|x| x.form == form) {
            cx.err(
                &l.form,
                format!("wire leniency `{}` is declared twice", l.form.value),
            );
        }
        let rule = cx.rule(&l.evidence, &l.source);
        spec.leniency.push(LeniencyForm {
            form,
            rule,
            summary: l.summary.trim().to_string(),
        });
    }
    if tc.length_unit.value != "characters" {
        cx.err(
            &tc.length_unit,
            "only `characters` is supported as the length unit",
        );
    }
    spec.alphabet = cx.alphabet.clone();
    spec.alphabet_notes = AlphabetNotes {
        summary: tc.summary.trim().to_string(),
        evidence: tc.evidence.value.clone(),
        source: tc.source.clone(),
        length_unit: format!("{} ({})", tc.length_unit.value, tc.length_note.trim()),
    };
    let mut service_ids = BTreeSet::new();
    for s in &root.services {
        if !service_ids.insert(s.id.value.clone()) {
            cx.err(&s.id, format!("service `{}` is defined twice", s.id.value));
        }
        let mut environments = Vec::new();
        for e in &s.environments {
            cx.tag(&e.evidence);
            if let Some(p) = &e.message_prefix {
                let rule = cx.rule(&p.evidence, &p.source);
                if p.text.is_empty() {
                    cx.err(&p.evidence, "message_prefix.text must not be empty");
                } else if !spec.message_prefixes.iter().any(|(t, _)| *t == p.text) {
                    spec.message_prefixes.push((p.text.clone(), rule));
                }
            }
            environments.push(Environment {
                name: e.name.value.clone(),
                base_url: e.base_url.clone(),
                evidence: e.evidence.value.clone(),
                production: e.production,
            });
        }
        if let Some(tc) = &s.test_credentials {
            cx.tag(&tc.evidence);
        }
        spec.services.push(Service {
            id: s.id.value.clone(),
            title: title(&s.title),
            docs: s.docs.clone(),
            environments,
            test_credentials: s
                .test_credentials
                .as_ref()
                .map(|t| t.values.clone().into_iter().collect())
                .unwrap_or_default(),
        });
    }
    for f in &root.auth_flows {
        if !service_ids.contains(&f.service.value) {
            cx.err(
                &f.service,
                format!("dangling reference: no service `{}`", f.service.value),
            );
        }
        if !matches!(f.kind.value.as_str(), "flag_tokens" | "bearer_token") {
            cx.err(
                &f.kind,
                format!(
                    "auth flow kind `{}` is not known; write flag_tokens or bearer_token",
                    f.kind.value
                ),
            );
        }
        cx.tag(&f.evidence);
        spec.auth_flows.push(AuthFlow {
            id: f.id.value.clone(),
            service: f.service.value.clone(),
            title: title(&f.title),
            endpoint: f.endpoint.as_ref().map(|e| e.value.clone()),
            kind: f.kind.value.clone(),
            lifetime_seconds: f.lifetime_seconds,
            summary: f.summary.trim().to_string(),
            evidence: f.evidence.value.clone(),
            source: f.source.clone(),
        });
    }
    for r in &root.roles {
        let id = &r.id.value;
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            cx.err(&r.id, format!("role id `{id}` must be snake_case"));
        }
        if spec.roles.iter().any(|x| x.id == *id) {
            cx.err(&r.id, format!("role `{id}` is defined twice"));
        }
        let mut names = Vec::new();
        for (service, list) in &r.names {
            if !service_ids.contains(service) {
                cx.err(
                    &r.id,
                    format!("role `{id}` names service `{service}`, which spec/payple.yaml does not define"),
                );
            }
            if list.is_empty() {
                cx.err(
                    &r.id,
                    format!("role `{id}`: the names of `{service}` are empty"),
                );
            }
            names.push((
                service.clone(),
                list.iter().map(|n| n.value.clone()).collect(),
            ));
        }
        spec.roles.push(RoleDef {
            id: id.clone(),
            ko: r.ko.clone(),
            description: r.description.trim().to_string(),
            names,
        });
    }
}

/// Every name a role gives must be a field (at any depth, or a legacy name) of some
/// endpoint of its service, so that a renamed field cannot leave a role behind.
fn check_role_names(cx: &mut Ctx, root: &raw::RootFile, spec: &Spec, files: &[SpecFile]) {
    if !files.iter().any(|f| f.path.starts_with("endpoints/")) {
        return;
    }
    fn collect<'a>(fields: &'a [Field], out: &mut BTreeSet<&'a str>) {
        for f in fields {
            out.insert(&f.name);
            out.extend(f.legacy_names.iter().map(|l| l.name.as_str()));
            collect(&f.fields, out);
        }
    }
    for r in &root.roles {
        for (service, list) in &r.names {
            let mut known = BTreeSet::new();
            for e in spec.endpoints.iter().filter(|e| e.service == *service) {
                collect(&e.request, &mut known);
                collect(&e.response, &mut known);
            }
            for n in list {
                if !known.contains(n.value.as_str()) {
                    cx.err(
                        n,
                        format!(
                            "role `{}`: no endpoint of `{service}` has a field `{}`; fix the name or drop it from the role",
                            r.id.value, n.value
                        ),
                    );
                }
            }
        }
    }
}

/// The text inside a limit's `[mock: ...]` marker.
fn situation_marker(rule: &str) -> Option<&str> {
    let start = rule.find("[mock:")? + "[mock:".len();
    let end = rule[start..].find(']')? + start;
    Some(rule[start..end].trim())
}

/// A limit in machine-readable form; marker mistakes are spec errors at the rule.
fn limit_detail(cx: &mut Ctx, l: &raw::Limit) -> LimitDetail {
    let rule = &l.rule.value;
    let situation = situation_marker(rule).map(|marker| {
        if l.code.is_none() {
            cx.err(&l.rule, "a limit with a [mock: ...] marker needs a `code`");
        }
        let mut parts = marker.split(';').map(str::trim);
        let id = parts.next().unwrap_or("").to_string();
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            cx.err(
                &l.rule,
                format!("the situation id `{id}` must be snake_case"),
            );
        }
        let mut qualifiers = Vec::new();
        for q in parts.filter(|q| !q.is_empty()) {
            let op = if q.contains('=') { '=' } else { '<' };
            let Some((k, v)) = q.split_once(op) else {
                cx.err(
                    &l.rule,
                    format!("the qualifier `{q}` is neither KEY=VALUE nor KEY<NUMBER"),
                );
                continue;
            };
            if op == '<' && v.trim().parse::<u64>().is_err() {
                cx.err(&l.rule, format!("the bound of `{q}` is not a number"));
            }
            let values = v.split('|').map(|x| x.trim().to_string()).collect();
            qualifiers.push((k.trim().to_string(), op, values));
        }
        Situation { id, qualifiers }
    });
    let rate = l.rate.as_ref().map(|r| {
        if r.value.max == 0 || r.value.window_seconds == 0 {
            cx.err(r, "a rate needs max > 0 and window_seconds > 0");
        }
        if l.code.is_none() {
            cx.err(r, "a rate limit needs the `code` answered past it");
        }
        (r.value.max, r.value.window_seconds)
    });
    LimitDetail {
        code: l.code.clone(),
        situation,
        rate,
    }
}

fn title(t: &raw::Title) -> Title {
    Title {
        ko: t.ko.clone(),
        en: t.en.clone(),
    }
}

fn load_catalog(cx: &mut Ctx, c: &raw::CatalogFile, spec: &Spec) -> Option<Catalog> {
    let expected = cx
        .file
        .trim_start_matches("spec/codes/")
        .trim_end_matches(".yaml")
        .to_string();
    if c.catalog.value != expected {
        cx.err(
            &c.catalog,
            format!(
                "catalog id `{}` does not match its file name; name it `{expected}` or rename the file",
                c.catalog.value
            ),
        );
    }
    if spec.catalogs.iter().any(|x| x.id == c.catalog.value) {
        cx.err(
            &c.catalog,
            format!("catalog `{}` is defined twice", c.catalog.value),
        );
    }
    let mut seen = BTreeSet::new();
    let mut codes = Vec::new();
    for code in &c.codes {
        if !seen.insert(code.code.value.clone()) {
            cx.err(
                &code.code,
                format!(
                    "duplicate code `{}` in catalog `{}`; merge the entries (use `alternatives` for other messages)",
                    code.code.value, c.catalog.value
                ),
            );
        }
        let class = match code.class.value.as_str() {
            "success" => CodeClass::Success,
            "failure" => CodeClass::Failure,
            other => {
                cx.err(
                    &code.class,
                    format!("class `{other}` is not known; write success or failure"),
                );
                CodeClass::Failure
            }
        };
        cx.tag(&code.evidence);
        let mut alternatives = Vec::new();
        for a in &code.alternatives {
            cx.tag(&a.evidence);
            alternatives.push((
                a.message.clone(),
                a.evidence.value.clone(),
                a.source.clone(),
            ));
        }
        codes.push(Code {
            code: code.code.value.clone(),
            message: code.message.clone(),
            meaning: code.meaning.trim().to_string(),
            class,
            evidence: code.evidence.value.clone(),
            source: code.source.clone(),
            alternatives,
        });
    }
    Some(Catalog {
        id: c.catalog.value.clone(),
        title: title(&c.title),
        codes,
    })
}

fn load_endpoint(cx: &mut Ctx, e: &raw::EndpointFile, path: &str, spec: &Spec) -> Option<Endpoint> {
    // endpoints/<service>/<name>.yaml  <=>  id <service>.<name>
    let expected = path
        .trim_start_matches("endpoints/")
        .trim_end_matches(".yaml")
        .replacen('/', ".", 1);
    if e.id.value != expected {
        cx.err(
            &e.id,
            format!(
                "endpoint id `{}` does not match its file spec/{path}; the id must be `{expected}`",
                e.id.value
            ),
        );
    }
    if !e
        .id
        .value
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
    {
        cx.err(&e.id, "endpoint ids are service.snake_name in lower case");
    }
    if !spec.services.iter().any(|s| s.id == e.service.value) {
        cx.err(
            &e.service,
            format!(
                "dangling reference: no service `{}` in spec/payple.yaml",
                e.service.value
            ),
        );
    }
    if spec.endpoints.iter().any(|x| x.id == e.id.value) {
        cx.err(&e.id, format!("endpoint `{}` is defined twice", e.id.value));
    }
    let evidence = cx.tag(&e.evidence);
    if !matches!(
        e.http.method.value.as_str(),
        "GET" | "POST" | "PUT" | "DELETE" | "PATCH"
    ) {
        cx.err(
            &e.http.method,
            format!("HTTP method `{}` is not known", e.http.method.value),
        );
    }
    let u = &e.http.url;
    let mut rules = Vec::new();
    if let Some(p) = &u.path {
        rules.push(UrlRule::Path(p.clone()));
    }
    if let Some(a) = &u.auth_return_url {
        if !spec.auth_flows.iter().any(|f| f.id == a.value) {
            cx.err(a, format!("dangling reference: no auth flow `{}`", a.value));
        }
        rules.push(UrlRule::AuthReturnUrl(a.value.clone()));
    }
    if let Some(p) = &u.partner_url {
        rules.push(UrlRule::PartnerUrl(p.clone()));
    }
    if let Some(s) = &u.script {
        rules.push(UrlRule::Script(s.clone()));
    }
    if rules.len() != 1 {
        cx.err(
            &e.http.method,
            "http.url needs exactly one of path, auth_return_url, partner_url or script",
        );
    }
    let url = rules
        .into_iter()
        .next()
        .unwrap_or(UrlRule::Path(String::new()));
    for lp in &e.http.legacy_paths {
        cx.tag(&lp.evidence);
    }
    for h in &e.http.headers {
        cx.tag(&h.evidence);
    }
    if e.auth.flow.value != "none" && !spec.auth_flows.iter().any(|f| f.id == e.auth.flow.value) {
        cx.err(
            &e.auth.flow,
            format!(
                "dangling reference: no auth flow `{}` (write `none` or an id from spec/payple.yaml)",
                e.auth.flow.value
            ),
        );
    }
    let mut limit_details = Vec::new();
    for l in &e.limits {
        cx.tag(&l.evidence);
        limit_details.push(limit_detail(cx, l));
    }
    if limit_details.iter().filter(|d| d.rate.is_some()).count() > 1 {
        cx.err(&e.id, "at most one limit of an endpoint may carry a `rate`");
    }
    let idempotent = e.http.idempotent.as_ref().is_some_and(|i| {
        cx.tag(&i.evidence);
        i.value
    });
    let default_source = e.docs.first().cloned().unwrap_or_default();
    let request = fields(cx, &e.request, &evidence, &default_source);
    let response = fields(cx, &e.response, &evidence, &default_source);
    if let Some(m) = &e.payment_method_field
        && !request.iter().chain(&response).any(|f| f.name == m.value)
    {
        cx.err(
            m,
            format!(
                "dangling reference: payment_method_field `{}` is not a request or response field",
                m.value
            ),
        );
    }
    let result = e.result.as_ref().map(|r| {
        let has = |name: &str| response.iter().any(|f| f.name == name);
        if !has(&r.code_field.value) {
            cx.err(
                &r.code_field,
                format!(
                    "dangling reference: code_field `{}` is not a response field",
                    r.code_field.value
                ),
            );
        }
        if let Some(s) = &r.status
            && !has(&s.field.value)
        {
            cx.err(
                &s.field,
                format!(
                    "dangling reference: status field `{}` is not a response field",
                    s.field.value
                ),
            );
        }
        if let Some(m) = &r.message_field
            && !has(&m.value)
        {
            cx.err(
                m,
                format!(
                    "dangling reference: message_field `{}` is not a response field",
                    m.value
                ),
            );
        }
        let success_codes = r
            .success_codes
            .iter()
            .map(|sc| {
                let rule = cx.rule(&sc.evidence, &sc.source);
                SuccessCode {
                    code: sc.code.value.clone(),
                    applies: cx.applies(sc.applies.as_ref()),
                    evidence: rule.evidence.clone(),
                    source: sc.source.clone(),
                    rule,
                }
            })
            .collect::<Vec<_>>();
        let mut method_codes = Vec::new();
        for mc in &r.method_codes {
            let applies = cx.applies(Some(&mc.applies));
            if applies == Applies::Both {
                cx.err(&mc.applies, "a method code names one payment method: card or transfer");
            }
            if !success_codes.iter().any(|s: &SuccessCode| s.code == mc.code.value) {
                cx.err(
                    &mc.code,
                    format!(
                        "method code `{}` is not one of the endpoint's success_codes; list it there first",
                        mc.code.value
                    ),
                );
            }
            if let Some(c) = &mc.conflict
                && !e.discrepancies.iter().any(|d| d.id == *c)
            {
                cx.err(
                    &mc.code,
                    format!("dangling reference: conflict `{c}` is not a discrepancy id of this endpoint"),
                );
            }
            method_codes.push(MethodCode {
                code: mc.code.value.clone(),
                applies,
                rule: cx.rule(&mc.evidence, &mc.source),
                conflict: mc.conflict.clone(),
            });
        }
        ResultRule {
            status: r
                .status
                .as_ref()
                .map(|s| (s.field.value.clone(), s.success.clone())),
            code_field: r.code_field.value.clone(),
            message_field: r.message_field.as_ref().map(|m| m.value.clone()),
            catalog: r.catalog.value.clone(),
            success_codes,
            method_codes,
        }
    });
    let mut sample_ids = BTreeSet::new();
    let mut samples = Vec::new();
    for s in &e.samples {
        if !sample_ids.insert(s.id.value.clone()) {
            cx.err(&s.id, format!("sample `{}` is defined twice", s.id.value));
        }
        let part = match s.part.value.as_str() {
            "request" => Part::Request,
            "response" => Part::Response,
            other => {
                cx.err(
                    &s.part,
                    format!("sample part `{other}` is not known; write request or response"),
                );
                Part::Response
            }
        };
        let mut expect = Vec::new();
        for x in &s.expect {
            if !KINDS.contains(&x.value.kind.as_str()) {
                cx.err(
                    x,
                    format!(
                        "unknown finding kind `{}`; kinds are {}",
                        x.value.kind,
                        KINDS.join(", ")
                    ),
                );
            }
            expect.push((x.value.kind.clone(), x.value.pointer.clone()));
        }
        samples.push(Sample {
            id: s.id.value.clone(),
            part,
            evidence: cx.tag(&s.evidence),
            source: s.source.clone(),
            note: s.note.clone().or_else(|| s.title.clone()),
            raw: s.raw.clone(),
            expect,
        });
    }
    Some(Endpoint {
        id: e.id.value.clone(),
        service: e.service.value.clone(),
        title: title(&e.title),
        summary: e.summary.trim().to_string(),
        docs: e.docs.clone(),
        evidence,
        method: e.http.method.value.clone(),
        url,
        legacy_paths: e
            .http
            .legacy_paths
            .iter()
            .map(|l| (l.path.clone(), l.evidence.value.clone(), l.source.clone()))
            .collect(),
        headers: e
            .http
            .headers
            .iter()
            .map(|h| (h.name.clone(), h.value.clone(), h.rule.clone()))
            .collect(),
        auth_flow: e.auth.flow.value.clone(),
        auth_flag: e
            .auth
            .flag
            .as_ref()
            .map(|f| (f.field.clone(), f.value.clone())),
        limits: e
            .limits
            .iter()
            .map(|l| (l.rule.value.clone(), l.code.clone()))
            .collect(),
        limit_details,
        idempotent,
        payment_method_field: e.payment_method_field.as_ref().map(|m| m.value.clone()),
        request,
        response,
        result,
        discrepancies: e
            .discrepancies
            .iter()
            .map(|d| (d.id.clone(), d.text.trim().to_string(), d.source.clone()))
            .collect(),
        samples,
        file: path.to_string(),
    })
}

fn fields(cx: &mut Ctx, raw: &[raw::Field], evidence: &str, source: &str) -> Vec<Field> {
    let mut names: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut out = Vec::new();
    for f in raw {
        for (name, at) in std::iter::once((&f.name.value, &f.name))
            .chain(f.legacy_names.iter().map(|l| (&l.name.value, &l.name)))
        {
            if let Some((line, col)) = names.get(name) {
                cx.err(
                    at,
                    format!(
                        "duplicate field `{name}` (first defined at line {line}, column {col}); each name may appear once per object"
                    ),
                );
            } else {
                names.insert(name.clone(), (at.referenced.line(), at.referenced.column()));
            }
        }
        out.push(field(cx, f, evidence, source));
    }
    // Conditions must name siblings.
    for f in raw {
        if let Some(S {
            value: raw::Required::Condition(c),
            ..
        }) = &f.required
            && let Some(when) = &c.when
            && !names.contains_key(&when.field)
        {
            let at = f.required.as_ref().map(|r| r.referenced);
            if let Some(at) = at {
                cx.err_at(
                    at.line(),
                    at.column(),
                    format!(
                        "dangling reference: the condition of `{}` names `{}`, which is not a field of the same object",
                        f.name.value, when.field
                    ),
                );
            }
        }
    }
    out
}

fn field(cx: &mut Ctx, f: &raw::Field, evidence: &str, source: &str) -> Field {
    let shape = match f.shape.as_ref().map(|s| (s, s.value.as_str())) {
        None => Shape::Scalar,
        Some((_, "object")) => Shape::Object,
        Some((_, "list")) => Shape::List,
        Some((s, other)) => {
            cx.err(
                s,
                format!("shape `{other}` is not known; write object or list"),
            );
            Shape::Scalar
        }
    };
    let documented_type = f.type_code.as_ref().and_then(|t| cx.type_code(t));
    match (shape, &f.type_code, f.fields.is_empty()) {
        (Shape::Scalar, None, _) => cx.err(
            &f.name,
            format!(
                "field `{}` has no `type`; give its type code (e.g. `String` when only that is documented)",
                f.name.value
            ),
        ),
        (Shape::Scalar, Some(_), false) => cx.err(
            &f.name,
            format!(
                "field `{}` has nested `fields` but no `shape: object` or `shape: list`",
                f.name.value
            ),
        ),
        (Shape::Object | Shape::List, _, true) => cx.err(
            &f.name,
            format!("field `{}` is an object or list but has no `fields`", f.name.value),
        ),
        _ => {}
    }
    let (enforced_type, enforce_reason) = match &f.enforce {
        Some(en) => (cx.type_code(&en.type_code), Some(en.reason.clone())),
        None => (documented_type.clone(), None),
    };
    let required = match &f.required {
        None => Required::Never,
        Some(r) => match &r.value {
            raw::Required::Flag(true) => Required::Always,
            raw::Required::Flag(false) => Required::Never,
            raw::Required::Word(w) => match w.as_str() {
                "yes" | "Y" => Required::Always,
                "no" | "N" => Required::Never,
                other => {
                    cx.err(
                        r,
                        format!(
                            "`required: {other}` is not known; write yes, no or {{ when: ..., on: success, method: card }}"
                        ),
                    );
                    Required::Never
                }
            },
            raw::Required::Condition(c) => {
                let sibling = c.when.as_ref().map(|w| {
                    let tests = [w.equals.is_some(), w.one_of.is_some(), w.present.is_some()];
                    if tests.iter().filter(|t| **t).count() != 1 {
                        cx.err(
                            r,
                            "a `when` condition needs exactly one of equals, one_of or present (true or false)",
                        );
                    }
                    let test = if let Some(v) = &w.equals {
                        ConditionTest::Equals(v.clone())
                    } else if let Some(v) = &w.one_of {
                        ConditionTest::OneOf(v.clone())
                    } else if w.present == Some(false) {
                        ConditionTest::Absent
                    } else {
                        ConditionTest::Present
                    };
                    Sibling {
                        field: w.field.clone(),
                        test,
                    }
                });
                let on = match c.on.as_deref() {
                    None => Outcome::Any,
                    Some("success") => Outcome::Success,
                    Some("error") => Outcome::Error,
                    Some(other) => {
                        cx.err(
                            r,
                            format!("`on: {other}` is not known; write success or error"),
                        );
                        Outcome::Any
                    }
                };
                let method = match c.method.as_deref() {
                    None => Applies::Both,
                    Some("card") => Applies::Card,
                    Some("transfer") => Applies::Transfer,
                    Some(other) => {
                        cx.err(
                            r,
                            format!("`method: {other}` is not known; write card or transfer"),
                        );
                        Applies::Both
                    }
                };
                if c.when.is_none() && c.on.is_none() && c.method.is_none() {
                    cx.err(
                        r,
                        "an empty condition: give `when`, `on` or `method` (or write `required: yes`)",
                    );
                }
                Required::When(Condition {
                    sibling,
                    on,
                    method,
                })
            }
        },
    };
    let applies = cx.applies(f.applies.as_ref());
    let evidence = f
        .evidence
        .as_ref()
        .map(|t| cx.tag(t))
        .unwrap_or_else(|| evidence.to_string());
    let field_source = f.source.clone().unwrap_or_else(|| source.to_string());
    let type_evidence = f
        .type_evidence
        .as_ref()
        .map(|t| cx.tag(t))
        .unwrap_or_else(|| evidence.clone());
    let type_rule = cx.rule_of(&type_evidence, &field_source);
    // A required rule carries its own evidence and source: no inheritance.
    let required_rule = match (&required, &f.required_evidence, &f.required_source) {
        (Required::Never, _, _) => None,
        (_, Some(ev), Some(src)) => Some(cx.rule(ev, src)),
        (_, ev, src) => {
            let missing = match (ev, src) {
                (None, None) => "`required_evidence` and `required_source`",
                (None, Some(_)) => "`required_evidence`",
                _ => "`required_source`",
            };
            let at = f.required.as_ref().map(|r| r.referenced);
            let (line, col) = at.map_or((0, 0), |m| (m.line(), m.column()));
            cx.err_at(
                line,
                col,
                format!(
                    "the required rule of `{}` has no {missing}: say which source makes it required (a tag from payple.yaml and a URL), use INFERENCE with the page you infer from, or write `required: no`",
                    f.name.value
                ),
            );
            Some(cx.rule_of("NOT-FOUND", ""))
        }
    };
    let required_evidence = required_rule
        .as_ref()
        .map(|r| r.evidence.clone())
        .unwrap_or_else(|| evidence.clone());
    // Formats.
    let mut formats = Vec::new();
    if let Some(fm) = &f.format {
        for id in fm.value.items() {
            if cx.formats.iter().any(|d| d.id == id) {
                formats.push(id);
            } else {
                let known = cx
                    .formats
                    .iter()
                    .map(|d| d.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                cx.err(
                    fm,
                    format!("format `{id}` is not defined in spec/payple.yaml (formats: {known})"),
                );
            }
        }
        if formats.is_empty() && matches!(fm.value, raw::OneOrMany::Many(_)) {
            cx.err(fm, "an empty format list; omit `format` instead");
        }
    }
    let format_rule = cx.rule_or(
        f.format_evidence.as_ref(),
        f.format_source.as_deref(),
        &evidence,
        &field_source,
    );
    let amount = formats.iter().any(|id| id == "amount");
    let format_defs: Vec<FormatDef> = formats
        .iter()
        .filter_map(|id| cx.formats.iter().find(|d| d.id == *id).cloned())
        .collect();
    let values_rule = cx.rule_or(
        f.values_evidence.as_ref(),
        f.values_source.as_deref(),
        &evidence,
        &field_source,
    );
    if f.values.is_empty() && (f.values_open.is_some() || f.values_evidence.is_some()) {
        cx.err(
            &f.name,
            format!(
                "`{}` has values_open or values_evidence but no `values`",
                f.name.value
            ),
        );
    }
    let mut values = Vec::new();
    for v in &f.values {
        if let Some(code) = &enforced_type
            && let Err(why) = cx.alphabet.check(code, &v.value.value)
        {
            cx.err(
                &v.value,
                format!(
                    "value `{}` of `{}` violates the field's type code {code}: {why}",
                    v.value.value, f.name.value
                ),
            );
        }
        if values
            .iter()
            .any(|(x, _): &(String, String)| *x == v.value.value)
        {
            cx.err(
                &v.value,
                format!("value `{}` is listed twice", v.value.value),
            );
        }
        values.push((v.value.value.clone(), v.meaning.clone()));
    }
    let numeric = match &enforced_type {
        Some(code) => {
            let digits_only = code
                .mask
                .is_some_and(|m| cx.alphabet.mask_of("N").is_ok_and(|n| m == n));
            digits_only || !format_defs.is_empty()
        }
        None => false,
    };
    let example_rule = cx.rule_or(
        f.example_evidence.as_ref(),
        f.example_source.as_deref(),
        &evidence,
        &field_source,
    );
    if let Some(ex) = &f.example
        && f.example_deviation.is_none()
    {
        let mut problems = Vec::new();
        if let Some(code) = &enforced_type
            && let Err(why) = cx.alphabet.check(code, &ex.value)
        {
            problems.push(format!("violates its own type code {code}: {why}"));
        }
        if !values.is_empty()
            && f.values_open.is_none()
            && !values.iter().any(|(v, _)| *v == ex.value)
        {
            problems.push("is not one of the field's own `values`".to_string());
        }
        if !format_defs.is_empty()
            && !format_defs
                .iter()
                .any(|d| crate::datefmt::parse(&d.pieces, &ex.value).is_ok())
        {
            let ids = format_defs
                .iter()
                .map(|d| format!("{} ({})", d.id, d.pattern))
                .collect::<Vec<_>>()
                .join(" or ");
            problems.push(format!("does not have the field's format {ids}"));
        }
        for p in problems {
            cx.err(
                ex,
                format!(
                    "example `{}` of `{}` {p}; fix the example, or keep the documented one and explain it with `example_deviation:`",
                    ex.value, f.name.value
                ),
            );
        }
    }
    let legacy_names = f
        .legacy_names
        .iter()
        .map(|l| LegacyName {
            name: l.name.value.clone(),
            until: l.until.clone(),
            evidence: cx.tag(&l.evidence),
            source: l.source.clone(),
            note: l.note.clone(),
        })
        .collect();
    for inner in &f.fields {
        if let Some(r) = &inner.required
            && let raw::Required::Condition(c) = &r.value
            && (c.on.is_some() || c.method.is_some())
        {
            cx.err(
                r,
                format!(
                    "`{}` is inside `{}`: `on:` and `method:` conditions are only known for top-level fields; use `when:` on a sibling",
                    inner.name.value, f.name.value
                ),
            );
        }
    }
    let nested = fields(cx, &f.fields, &evidence, source);
    Field {
        name: f.name.value.clone(),
        ko: f.ko.clone(),
        description: f.description.trim().to_string(),
        documented_type,
        enforced_type,
        enforce_reason,
        required,
        applies,
        values,
        values_open: f.values_open.as_ref().map(|s| s.trim().to_string()),
        values_rule,
        amount,
        formats,
        format_rule,
        numeric,
        type_rule,
        required_rule,
        required_contested: f.required_contested.as_ref().map(|s| s.trim().to_string()),
        example_rule,
        sensitive: f.sensitive,
        volatile: f.volatile,
        example: f.example.as_ref().map(|e| e.value.clone()),
        example_deviation: f.example_deviation.clone(),
        legacy_names,
        evidence,
        source: field_source,
        type_evidence,
        required_evidence,
        shape,
        fields: nested,
    }
}
