//! A live run and its outputs: exit code, the four report formats, recordings and baselines.

use crate::client::{CallError, Client, Exchange};
use crate::config::{Config, SERVICES};
use crate::drift::{self, Baseline, Drift, Level};
use crate::scenario::{self, Scenario};
use payple_types::{Finding, Part};
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Exit code: no drift (INFO items only).
pub const EXIT_OK: u8 = 0;
/// Exit code: drift (at least one ERR or WARN item).
pub const EXIT_DRIFT: u8 = 1;
/// Exit code: could not run (network error, timeout, 5xx, authentication refused, refused
/// production host, spent budget).
pub const EXIT_COULD_NOT_RUN: u8 = 2;

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Lines for a terminal.
    Human,
    /// The stable JSON contract (see the README).
    Json,
    /// Markdown for a GitHub issue.
    Markdown,
    /// JUnit XML, one testcase per scenario.
    Junit,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        match s {
            "human" => Ok(Format::Human),
            "json" => Ok(Format::Json),
            "markdown" | "md" => Ok(Format::Markdown),
            "junit" => Ok(Format::Junit),
            other => Err(format!(
                "unknown format `{other}`; use human, json, markdown or junit"
            )),
        }
    }
}

/// What happened to one scenario.
#[derive(Debug, Clone)]
pub struct ScenarioReport {
    /// The scenario.
    pub scenario: Scenario,
    /// The redacted exchange, or why there is none.
    pub outcome: Result<Exchange, CallError>,
    /// Spec findings of the answer (secrets scrubbed).
    pub findings: Vec<Finding>,
    /// Drift items.
    pub drift: Vec<Drift>,
    /// The answer's new baseline, when it ran.
    pub baseline: Option<Baseline>,
}

/// A whole run.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// When the run started (RFC 3339).
    pub started_at: String,
    /// Base URL per service.
    pub hosts: Vec<(String, String)>,
    /// Environment name per service (`test`, `live`, `custom`).
    pub environments: Vec<(String, String)>,
    /// Scenario results, in run order.
    pub scenarios: Vec<ScenarioReport>,
    /// A run-level failure (e.g. a production host refused): nothing ran.
    pub fatal: Option<CallError>,
}

/// Runs every scenario. `baselines` is the directory of previous baselines (missing files
/// are reported as `baseline-missing`).
pub async fn run(cfg: Config, baselines: Option<&Path>) -> RunReport {
    let list = scenario::scenarios_for(&cfg);
    run_scenarios(cfg, baselines, &list).await
}

/// Runs the given scenarios.
pub async fn run_scenarios(cfg: Config, baselines: Option<&Path>, list: &[Scenario]) -> RunReport {
    let started_at = cfg.clock.rfc3339();
    let hosts = SERVICES
        .iter()
        .map(|s| (s.to_string(), cfg.base_url(s).to_string()))
        .collect();
    let environments = SERVICES
        .iter()
        .map(|s| (s.to_string(), cfg.environment(s).to_string()))
        .collect();
    let client = match Client::new(cfg) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            return RunReport {
                started_at,
                hosts,
                environments,
                scenarios: Vec::new(),
                fatal: Some(e),
            };
        }
    };
    let results = scenario::run_all(Arc::clone(&client), list).await;
    let scenarios = results
        .into_iter()
        .map(|(s, outcome)| assess(&client, baselines, s, outcome))
        .collect();
    RunReport {
        started_at,
        hosts,
        environments,
        scenarios,
        fatal: None,
    }
}

/// Runs every scenario on a runtime of its own (for the command line).
pub fn run_blocking(cfg: Config, baselines: Option<&Path>) -> RunReport {
    match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(run(cfg, baselines)),
        Err(e) => RunReport {
            started_at: String::new(),
            hosts: Vec::new(),
            environments: Vec::new(),
            scenarios: Vec::new(),
            fatal: Some(CallError::Transport(format!(
                "cannot start the runtime: {e}"
            ))),
        },
    }
}

/// Reads a baseline file; `Ok(None)` when it does not exist.
pub fn read_baseline(dir: &Path, scenario: &str) -> Result<Option<Baseline>, String> {
    let path = dir.join(format!("{scenario}.json"));
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| format!("{}: not a baseline: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

fn assess(
    client: &Client,
    dir: Option<&Path>,
    scenario: Scenario,
    outcome: Result<Exchange, CallError>,
) -> ScenarioReport {
    let Ok(ex) = &outcome else {
        return ScenarioReport {
            scenario,
            outcome,
            findings: Vec::new(),
            drift: Vec::new(),
            baseline: None,
        };
    };
    let r = &client.redactor;
    let mut findings =
        payple_types::validate_bytes(ex.endpoint, Part::Response, &ex.raw_response).findings;
    for f in &mut findings {
        f.rewrite_text(|text| Some(r.scrub(text)).filter(|s| s != text));
    }
    let body = ex.response_json();
    let live = drift::baseline(
        &scenario.name,
        ex.endpoint,
        ex.status,
        body.as_ref(),
        &findings,
    );
    let mut extra = Vec::new();
    let previous = match dir.map(|d| read_baseline(d, &scenario.name)) {
        Some(Ok(b)) => b,
        Some(Err(why)) => {
            extra.push(Drift {
                rule: "baseline-unreadable".into(),
                level: Level::Info,
                pointer: String::new(),
                message: why,
            });
            None
        }
        None => None,
    };
    let mut d = drift::compare(ex.endpoint, previous.as_ref(), &live, &findings);
    d.extend(extra);
    for item in &mut d {
        item.message = r.scrub(&item.message);
    }
    ScenarioReport {
        scenario,
        outcome,
        findings,
        drift: d,
        baseline: Some(live),
    }
}

impl RunReport {
    /// Whether the run could not be completed (some scenario failed, or nothing ran).
    pub fn could_not_run(&self) -> bool {
        self.fatal.is_some() || self.scenarios.iter().any(|s| s.outcome.is_err())
    }

    /// Drift items at `level`, over all scenarios.
    pub fn count(&self, level: Level) -> usize {
        self.scenarios
            .iter()
            .flat_map(|s| &s.drift)
            .filter(|d| d.level == level)
            .count()
    }

    /// 0 no drift, 1 drift (an ERR or WARN item), 2 could not run (takes precedence: a
    /// partial run may show drift that is only an outage).
    pub fn exit_code(&self) -> u8 {
        if self.could_not_run() {
            EXIT_COULD_NOT_RUN
        } else if self.count(Level::Err) + self.count(Level::Warn) > 0 {
            EXIT_DRIFT
        } else {
            EXIT_OK
        }
    }

    /// `no-drift`, `drift` or `could-not-run`.
    pub fn verdict(&self) -> &'static str {
        match self.exit_code() {
            EXIT_OK => "no-drift",
            EXIT_DRIFT => "drift",
            _ => "could-not-run",
        }
    }

    /// Every drift item with its scenario, for tests and summaries.
    pub fn items(&self) -> Vec<(&str, &Drift)> {
        self.scenarios
            .iter()
            .flat_map(|s| s.drift.iter().map(move |d| (s.scenario.name.as_str(), d)))
            .collect()
    }

    /// Renders the report.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Human => self.human(),
            Format::Json => {
                let mut s = serde_json::to_string_pretty(&self.json()).unwrap_or_default();
                s.push('\n');
                s
            }
            Format::Markdown => self.markdown(),
            Format::Junit => self.junit(),
        }
    }

    /// The JSON contract as a value.
    pub fn json(&self) -> Value {
        let scenarios: Vec<Value> = self
            .scenarios
            .iter()
            .map(|s| {
                let (status, code, error) = match &s.outcome {
                    Ok(ex) => (
                        json!(ex.status),
                        json!(s.baseline.as_ref().and_then(|b| b.result_code.clone())),
                        Value::Null,
                    ),
                    Err(e) => (
                        Value::Null,
                        Value::Null,
                        json!({"kind": e.kind(), "message": e.to_string()}),
                    ),
                };
                json!({
                    "name": s.scenario.name,
                    "endpoint": s.scenario.endpoint,
                    "service": s.scenario.service(),
                    "outcome": if s.outcome.is_ok() { "ran" } else { "failed" },
                    "http_status": status,
                    "result_code": code,
                    "error": error,
                    "drift": s.drift,
                })
            })
            .collect();
        let obj = |pairs: &[(String, String)]| {
            Value::Object(
                pairs
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect(),
            )
        };
        json!({
            "format": "payple-live/1",
            "started_at": self.started_at,
            "verdict": self.verdict(),
            "exit_code": self.exit_code(),
            "hosts": obj(&self.hosts),
            "environments": obj(&self.environments),
            "fatal": self.fatal.as_ref().map(|e| json!({"kind": e.kind(), "message": e.to_string()})),
            "totals": {
                "scenarios": self.scenarios.len(),
                "ran": self.scenarios.iter().filter(|s| s.outcome.is_ok()).count(),
                "failed": self.scenarios.iter().filter(|s| s.outcome.is_err()).count(),
                "err": self.count(Level::Err),
                "warn": self.count(Level::Warn),
                "info": self.count(Level::Info),
            },
            "scenarios": scenarios,
        })
    }

    fn human(&self) -> String {
        let mut o = String::new();
        if let Some(e) = &self.fatal {
            let _ = writeln!(o, "could not run: {} ({})", e, e.kind());
        }
        for s in &self.scenarios {
            match &s.outcome {
                Ok(ex) => {
                    let worst = s.drift.iter().map(|d| d.level).min();
                    let tag = match worst {
                        Some(Level::Err) => "DRIFT",
                        Some(Level::Warn) => "DRIFT",
                        _ => "OK",
                    };
                    let _ = writeln!(o, "{tag:<6} {} (HTTP {})", s.scenario.name, ex.status);
                }
                Err(e) => {
                    let _ = writeln!(o, "DOWN   {}: {} ({})", s.scenario.name, e, e.kind());
                }
            }
            for d in &s.drift {
                let p = if d.pointer.is_empty() {
                    "(body)"
                } else {
                    &d.pointer
                };
                let _ = writeln!(o, "  {:<4} {} {p}: {}", d.level.as_str(), d.rule, d.message);
            }
        }
        let _ = writeln!(
            o,
            "{}: {} scenarios ({} ran, {} could not run); {} ERR, {} WARN, {} INFO",
            self.verdict(),
            self.scenarios.len(),
            self.scenarios.iter().filter(|s| s.outcome.is_ok()).count(),
            self.scenarios.iter().filter(|s| s.outcome.is_err()).count(),
            self.count(Level::Err),
            self.count(Level::Warn),
            self.count(Level::Info)
        );
        o
    }

    fn markdown(&self) -> String {
        let cell = |s: &str| {
            s.replace('\\', "\\\\")
                .replace('|', "\\|")
                .replace(['\n', '\r'], " ")
                .replace('<', "&lt;")
        };
        let mut o = String::new();
        let title = match self.verdict() {
            "no-drift" => "No drift",
            "drift" => "Payple API drift detected",
            _ => "Payple could not be checked (outage?)",
        };
        let _ = writeln!(o, "## {title}\n");
        let _ = writeln!(o, "Run started {} against:\n", self.started_at);
        for ((svc, url), (_, env)) in self.hosts.iter().zip(&self.environments) {
            let _ = writeln!(o, "* {svc}: `{url}` ({env})");
        }
        let _ = writeln!(
            o,
            "\n| Scenarios | Ran | Could not run | ERR | WARN | INFO |\n|---:|---:|---:|---:|---:|---:|\n| {} | {} | {} | {} | {} | {} |\n",
            self.scenarios.len(),
            self.scenarios.iter().filter(|s| s.outcome.is_ok()).count(),
            self.scenarios.iter().filter(|s| s.outcome.is_err()).count(),
            self.count(Level::Err),
            self.count(Level::Warn),
            self.count(Level::Info)
        );
        let rows = |levels: &[Level]| {
            let mut t = String::from(
                "| Scenario | Level | Rule | Pointer | Message |\n|---|---|---|---|---|\n",
            );
            let mut n = 0;
            for (name, d) in self.items() {
                if levels.contains(&d.level) {
                    n += 1;
                    let _ = writeln!(
                        t,
                        "| {} | {} | `{}` | `{}` | {} |",
                        cell(name),
                        d.level.as_str(),
                        cell(&d.rule),
                        cell(&d.pointer),
                        cell(&d.message)
                    );
                }
            }
            (n, t)
        };
        let (n, t) = rows(&[Level::Err, Level::Warn]);
        if n > 0 {
            let _ = writeln!(o, "### Drift\n\n{t}");
        }
        let failed: Vec<_> = self
            .scenarios
            .iter()
            .filter_map(|s| s.outcome.as_ref().err().map(|e| (s, e)))
            .collect();
        if let Some(e) = &self.fatal {
            let _ = writeln!(
                o,
                "### Could not run\n\n* {} ({})\n",
                cell(&e.to_string()),
                e.kind()
            );
        }
        if !failed.is_empty() {
            let _ = writeln!(o, "### Could not run\n");
            for (s, e) in failed {
                let _ = writeln!(
                    o,
                    "* `{}`: {} ({})",
                    s.scenario.name,
                    cell(&e.to_string()),
                    e.kind()
                );
            }
            o.push('\n');
        }
        let (n, t) = rows(&[Level::Info]);
        if n > 0 {
            let _ = writeln!(
                o,
                "<details><summary>{n} INFO items</summary>\n\n{t}\n</details>\n"
            );
        }
        o.push_str("_Generated by `payple-conformance live` (payple-live). Rules and levels: live/README.md._\n");
        o
    }

    fn junit(&self) -> String {
        let x = |s: &str| {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .chars()
                .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
                .collect::<String>()
        };
        let failures = self
            .scenarios
            .iter()
            .filter(|s| s.outcome.is_ok() && s.drift.iter().any(|d| d.level != Level::Info))
            .count();
        let errors = self.scenarios.iter().filter(|s| s.outcome.is_err()).count()
            + usize::from(self.fatal.is_some());
        let tests = self.scenarios.len() + usize::from(self.fatal.is_some());
        let mut o = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            o,
            "<testsuites name=\"payple-live\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">"
        );
        let _ = writeln!(
            o,
            "  <testsuite name=\"payple-live\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" timestamp=\"{}\">",
            x(&self.started_at)
        );
        if let Some(e) = &self.fatal {
            let _ = writeln!(
                o,
                "    <testcase classname=\"payple-live\" name=\"setup\">\n      <error type=\"{}\" message=\"{}\"/>\n    </testcase>",
                e.kind(),
                x(&e.to_string())
            );
        }
        for s in &self.scenarios {
            let _ = writeln!(
                o,
                "    <testcase classname=\"payple-live.{}\" name=\"{}\">",
                x(s.scenario.service()),
                x(&s.scenario.name)
            );
            let line = |d: &Drift| {
                format!(
                    "{} {} {}: {}",
                    d.level.as_str(),
                    d.rule,
                    d.pointer,
                    d.message
                )
            };
            match &s.outcome {
                Err(e) => {
                    let _ = writeln!(
                        o,
                        "      <error type=\"{}\" message=\"{}\"/>",
                        e.kind(),
                        x(&e.to_string())
                    );
                }
                Ok(_) => {
                    let bad: Vec<String> = s
                        .drift
                        .iter()
                        .filter(|d| d.level != Level::Info)
                        .map(line)
                        .collect();
                    if !bad.is_empty() {
                        let _ = writeln!(
                            o,
                            "      <failure type=\"drift\" message=\"{} drift items\">{}</failure>",
                            bad.len(),
                            x(&bad.join("\n"))
                        );
                    }
                }
            }
            let info: Vec<String> = s
                .drift
                .iter()
                .filter(|d| d.level == Level::Info)
                .map(line)
                .collect();
            if !info.is_empty() {
                let _ = writeln!(o, "      <system-out>{}</system-out>", x(&info.join("\n")));
            }
            o.push_str("    </testcase>\n");
        }
        o.push_str("  </testsuite>\n</testsuites>\n");
        o
    }

    /// The recordings of the run: (path relative to the recordings directory, file text) in
    /// the format of conformance/README.md, redacted; `expect` holds the findings of the
    /// recorded (redacted) body, so replaying the file passes.
    pub fn recordings(&self) -> Vec<(PathBuf, String)> {
        let mut out = Vec::new();
        for s in &self.scenarios {
            let Ok(ex) = &s.outcome else { continue };
            let mut expect: Vec<Value> = payple_types::validate_bytes(
                ex.endpoint,
                Part::Response,
                ex.response_body.as_bytes(),
            )
            .kinds_and_pointers()
            .into_iter()
            .map(|(kind, pointer)| json!({"kind": kind, "pointer": pointer}))
            .collect();
            expect.dedup();
            let env = self
                .environments
                .iter()
                .find(|(svc, _)| svc == s.scenario.service())
                .map(|(_, e)| e.as_str())
                .unwrap_or("custom");
            let rec = json!({
                "endpoint": ex.endpoint.id,
                "environment": env,
                "recorded_at": self.started_at,
                "source": {"kind": "live", "url": ex.endpoint.doc_url},
                "note": format!("payple-live scenario {}; secrets redacted", s.scenario.name),
                "request": {
                    "method": ex.method,
                    "url": ex.url,
                    "headers": ex.request_headers,
                    "body": ex.request_body,
                },
                "response": {
                    "status": ex.status,
                    "headers": ex.response_headers,
                    "body": ex.response_body,
                },
                "part": "response",
                "expect": expect,
            });
            let file = format!("live_{}.json", s.scenario.name.replace('.', "_"));
            let mut text = serde_json::to_string_pretty(&rec).unwrap_or_default();
            text.push('\n');
            out.push((Path::new(s.scenario.service()).join(file), text));
        }
        out
    }

    /// The new baselines: (file name, text) per scenario that ran.
    pub fn baselines(&self) -> Vec<(PathBuf, String)> {
        self.scenarios
            .iter()
            .filter_map(|s| {
                let b = s.baseline.as_ref()?;
                let mut text = serde_json::to_string_pretty(b).ok()?;
                text.push('\n');
                Some((PathBuf::from(format!("{}.json", s.scenario.name)), text))
            })
            .collect()
    }
}
