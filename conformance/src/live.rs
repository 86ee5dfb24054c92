//! The `live` and `record` subcommands: thin wiring over the payple-live crate (see
//! live/README.md).

use clap::Args;
use payple_conformance::{fsio, recording, secrets};
use payple_live::report::EXIT_COULD_NOT_RUN;
use payple_live::{Config, Format, RunReport};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where to connect and how.
#[derive(Debug, Args)]
pub struct ConnArgs {
    /// Base URL of cpay (default: the spec's test host https://democpay.payple.kr).
    #[arg(long, value_name = "URL")]
    cpay_url: Option<String>,
    /// Base URL of hub (default: https://demohub.payple.kr).
    #[arg(long, value_name = "URL")]
    hub_url: Option<String>,
    /// Base URL of global (default: https://demo-api.payple.kr).
    #[arg(long, value_name = "URL")]
    global_url: Option<String>,
    /// Allow production hosts (cpay.payple.kr, hub.payple.kr, api.payple.kr).
    #[arg(long)]
    allow_production: bool,
    /// Per-request timeout in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 15)]
    timeout: u64,
    /// Requests in flight at most.
    #[arg(long, value_name = "N", default_value_t = 4)]
    concurrency: usize,
    /// Also run the happy-path flows (pay and undo; see live/README.md): all of them
    /// against a local mock, only the ones safe on Payple's test hosts (with their billing
    /// key configured, e.g. PAYPLE_CPAY_TRANSFER_PAYER_ID) there.
    #[arg(long)]
    flows: bool,
}

/// `payple-conformance live`.
#[derive(Debug, Args)]
pub struct LiveArgs {
    #[command(flatten)]
    conn: ConnArgs,
    /// Directory of the previous baselines (<scenario>.json).
    #[arg(long, value_name = "DIR", default_value = "recordings/baselines")]
    baselines: PathBuf,
    /// Format of the report on standard output or in --output.
    #[arg(long, default_value = "human", value_parser = parse_format)]
    format: Format,
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also write the report in FORMAT to FILE; repeatable (e.g. --report markdown=live.md).
    #[arg(long, value_name = "FORMAT=FILE", value_parser = parse_report)]
    report: Vec<(Format, PathBuf)>,
}

/// `payple-conformance record`.
#[derive(Debug, Args)]
pub struct RecordArgs {
    #[command(flatten)]
    conn: ConnArgs,
    /// Recordings directory: exchanges go to DIR/<service>/live_<scenario>.json, baselines to
    /// DIR/baselines/<scenario>.json.
    #[arg(long, value_name = "DIR", default_value = "recordings")]
    out: PathBuf,
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse()
}

fn parse_report(s: &str) -> Result<(Format, PathBuf), String> {
    let (f, path) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}`: expected FORMAT=FILE, e.g. junit=live.xml"))?;
    if path.is_empty() {
        return Err(format!("`{s}`: the file name is empty"));
    }
    Ok((f.parse()?, PathBuf::from(path)))
}

fn config(conn: &ConnArgs) -> Config {
    let mut c = Config::from_env();
    if let Some(u) = &conn.cpay_url {
        c.cpay_url = u.trim_end_matches('/').to_string();
    }
    if let Some(u) = &conn.hub_url {
        c.hub_url = u.trim_end_matches('/').to_string();
    }
    if let Some(u) = &conn.global_url {
        c.global_url = u.trim_end_matches('/').to_string();
    }
    c.allow_production = conn.allow_production;
    c.timeout = Duration::from_secs(conn.timeout.max(1));
    c.concurrency = conn.concurrency.max(1);
    c.flows = conn.flows;
    c
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    fsio::write_atomic(path, text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn print(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// Runs `live`; returns the exit code (0 no drift, 1 drift, 2 could not run).
pub fn live(args: LiveArgs) -> Result<u8, String> {
    let dir = args.baselines.is_dir().then_some(args.baselines.as_path());
    let report = payple_live::run_blocking(config(&args.conn), dir);
    let text = report.render(args.format);
    match &args.output {
        Some(p) => write(p, &text)?,
        None => print(&text),
    }
    for (f, p) in &args.report {
        write(p, &report.render(*f))?;
    }
    summary(&report);
    Ok(report.exit_code())
}

fn summary(report: &RunReport) {
    eprintln!(
        "payple-conformance live: {} (exit {})",
        report.verdict(),
        report.exit_code()
    );
}

/// Runs `record`: the scenarios, then every exchange as a redacted recording and every
/// answer's shape as the new baseline. A recording that still holds a secret is not written.
pub fn record(args: RecordArgs) -> Result<u8, String> {
    let report = payple_live::run_blocking(config(&args.conn), None);
    if let Some(e) = &report.fatal {
        return Err(format!("could not run: {e}"));
    }
    let mut written = 0usize;
    for (rel, text) in report.recordings() {
        let loaded = recording::parse(text.as_bytes())
            .map_err(|e| format!("internal: recording {} is invalid: {e}", rel.display()))?;
        let scan = secrets::scan(&loaded);
        if !scan.hits.is_empty() {
            let places: Vec<String> = scan.hits.iter().map(|h| h.location.clone()).collect();
            return Err(format!(
                "refusing to write {}: it would hold a secret at {}",
                rel.display(),
                places.join(", ")
            ));
        }
        write(&args.out.join(&rel), &text)?;
        written += 1;
    }
    let mut baselines = 0usize;
    for (rel, text) in report.baselines() {
        write(&args.out.join("baselines").join(rel), &text)?;
        baselines += 1;
    }
    print(&report.render(Format::Human));
    eprintln!(
        "payple-conformance record: wrote {written} recordings and {baselines} baselines under {}",
        args.out.display()
    );
    Ok(if report.could_not_run() {
        EXIT_COULD_NOT_RUN
    } else {
        0
    })
}
