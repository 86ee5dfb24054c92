//! The `payple-conformance` command: validate Payple bodies, replay recordings and documented
//! samples, list endpoints and write JSON Schemas. See the crate README.

use clap::{Args, Parser, Subcommand, ValueEnum};
use payple_conformance::coverage::{self, CoverageOptions};
use payple_conformance::deviations::{self, Date, Deviations};
use payple_conformance::render::{self, Format, ListFormat, Style};
use payple_conformance::{PaymentMethod, ValidateOutcome, fsio, replay};
use payple_types::Part;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod live;
mod mock_cmd;

#[derive(Debug, Parser)]
#[command(
    name = "payple-conformance",
    version,
    about = "Check Payple traffic against the payple-spec contract",
    long_about = "Check Payple traffic against the payple-spec contract.\n\nExit codes: 0 conforming (no error finding that is not an accepted deviation; every recording as expected; coverage at least --min), 1 error findings, failed recordings or coverage below --min, 2 usage, I/O, deviations-file or internal error, or an unreadable recording."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate one body (a file, or standard input) against an endpoint.
    Validate {
        /// Endpoint id, e.g. cpay.result_inquiry (see `endpoints`).
        #[arg(long)]
        endpoint: String,
        /// Which body the input is.
        #[arg(long, value_enum, default_value_t = PartArg::Response)]
        part: PartArg,
        /// The body; `-` or nothing reads standard input. Read as raw bytes.
        file: Option<PathBuf>,
        /// The letter of the docs: every warning (inferred rules, lenient forms Payple
        /// accepts, open value lists) counts as an error.
        #[arg(long)]
        strict: bool,
        #[command(flatten)]
        output: OutputArgs,
        #[command(flatten)]
        deviations: DeviationArgs,
    },
    /// Replay recordings (files or directories) against their expected findings. Without a
    /// path: every recording under recordings/ plus every documented sample of the spec.
    Replay {
        /// Recording files or directories (searched recursively for *.json).
        paths: Vec<PathBuf>,
        #[command(flatten)]
        output: OutputArgs,
        #[command(flatten)]
        deviations: DeviationArgs,
    },
    /// Which documented fields (per payment method) and result codes the recordings
    /// exercise, per endpoint. Without a path: the recordings under recordings/.
    Coverage {
        /// Recording files or directories (searched recursively for *.json).
        paths: Vec<PathBuf>,
        /// Count the documented samples of the spec as well.
        #[arg(long)]
        include_samples: bool,
        /// Only this endpoint (repeatable).
        #[arg(long = "endpoint", value_name = "ID")]
        endpoints: Vec<String>,
        /// Fail (exit 1) when an endpoint's coverage is below PERCENT.
        #[arg(long, value_name = "PERCENT", value_parser = parse_percent)]
        min: Option<f64>,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// List the endpoints: id, service, English and Korean titles.
    Endpoints {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Check Payple's test hosts for API drift (exit 0 no drift, 1 drift, 2 could not run).
    Live(live::LiveArgs),
    /// Run the live scenarios and write each exchange as a redacted recording, plus baselines.
    Record(live::RecordArgs),
    /// Write every endpoint's request and response JSON Schema to DIR/<id>.<part>.schema.json.
    Schemas {
        /// Target directory (created when missing).
        #[arg(long)]
        out: PathBuf,
    },
    /// Run the local Payple sandbox (cpay, hub, global on 127.0.0.1) until Ctrl-C.
    Mock {
        /// Base port: cpay on P, hub on P+1, global on P+2 (default: random ports).
        #[arg(long)]
        port: Option<u16>,
        /// Response drift, e.g. rename:cpay.result_inquiry:PCD_PAY_MSG:PCD_PAY_MESSAGE
        /// (kinds: rename, drop, add, lengthen, code, prefix); repeatable.
        #[arg(long = "drift", value_name = "SPEC")]
        drift: Vec<payple_mock::Drift>,
        /// A fault, KIND[:ARG][@TARGET][*COUNT], e.g. latency:250, http:503@hub*2,
        /// timeout@cpay.result_inquiry, drop, html, rate-limit, token-expiry (also at run
        /// time: POST /__mock/faults); repeatable.
        #[arg(long = "fault", value_name = "SPEC")]
        fault: Vec<payple_mock::Fault>,
        /// Append every exchange, redacted, as JSON Lines to FILE (rotated to FILE.1 beyond
        /// 64 MiB).
        #[arg(long, value_name = "FILE")]
        log: Option<PathBuf>,
        /// No per-exchange line on standard error.
        #[arg(long)]
        quiet: bool,
        /// Entries kept per ledger collection; the oldest are evicted first.
        #[arg(long, value_name = "N", default_value_t = 10_000)]
        ledger_entries: usize,
        /// Exchanges kept in the in-memory request log (GET /__mock/log).
        #[arg(long, value_name = "N", default_value_t = 10_000)]
        log_entries: usize,
        /// Connections served at once over the three ports.
        #[arg(long, value_name = "N", default_value_t = 256)]
        max_connections: usize,
        /// Seconds a client has to send its request headers (also the idle keep-alive time).
        #[arg(long, value_name = "SECS", default_value_t = 10)]
        header_timeout: u64,
        /// The partner's global webhook URL (http://): payment and cancel results are
        /// posted there.
        #[arg(long, value_name = "URL")]
        global_webhook: Option<String>,
    },
}

#[derive(Debug, Args)]
struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct DeviationArgs {
    /// Accepted-deviations file [default: conformance/deviations.yaml of the repository;
    /// a missing default file means no deviations].
    #[arg(long, value_name = "FILE")]
    deviations: Option<PathBuf>,
    /// The date deviations expire against, instead of today's (UTC) date.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    today: Option<Date>,
}

fn parse_date(s: &str) -> Result<Date, String> {
    s.parse()
}

fn parse_percent(s: &str) -> Result<f64, String> {
    match s.trim_end_matches('%').parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("`{s}` is not a percentage between 0 and 100")),
    }
}

fn load_deviations(args: &DeviationArgs) -> Result<Deviations, Fatal> {
    let today = args.today.unwrap_or_else(Date::today);
    let (path, required) = match &args.deviations {
        Some(p) => (p.clone(), true),
        None => (deviations::default_path(), false),
    };
    let shown = replay::display_path(&path);
    Deviations::load(&path, &shown, required, today).map_err(|e| Fatal(e.to_string()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PartArg {
    Request,
    Response,
}

impl From<PartArg> for Part {
    fn from(p: PartArg) -> Part {
        match p {
            PartArg::Request => Part::Request,
            PartArg::Response => Part::Response,
        }
    }
}

/// A failure that ends the command with exit code 2.
struct Fatal(String);

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(Fatal(message)) => {
            for line in message.lines() {
                eprintln!("payple-conformance: error: {line}");
            }
            ExitCode::from(2)
        }
    }
}

fn style_for(output: &OutputArgs) -> Style {
    let color = output.output.is_none()
        && output.format == Format::Human
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    Style { color }
}

fn emit(text: &str, output: Option<&Path>) -> Result<(), Fatal> {
    match output {
        Some(path) => fsio::write_atomic(path, text.as_bytes())
            .map_err(|e| Fatal(format!("cannot write {}: {e}", path.display()))),
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
            {
                Ok(()) => Ok(()),
                // A closed pipe (`| head`) is not worth an error.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(e) => Err(Fatal(format!("cannot write to standard output: {e}"))),
            }
        }
    }
}

fn run(cli: Cli) -> Result<u8, Fatal> {
    match cli.command {
        Command::Validate {
            endpoint,
            part,
            file,
            strict,
            output,
            deviations,
        } => {
            let ep = payple_conformance::find_endpoint(&endpoint).map_err(Fatal)?;
            let deviations = load_deviations(&deviations)?;
            let body = fsio::read_body(file.as_deref()).map_err(Fatal)?;
            let mut report = payple_conformance::validate_input(ep, part.into(), &body);
            if strict {
                report = report.strict();
            }
            let input = match &file {
                Some(p) if p.as_os_str() != "-" => replay::display_path(p),
                _ => "-".to_string(),
            };
            let outcome = ValidateOutcome::new(
                report,
                input,
                PaymentMethod::of_bytes(ep, &body),
                &deviations,
            );
            let text = render::validate(&outcome, output.format, style_for(&output));
            emit(&text, output.output.as_deref())?;
            Ok(outcome.exit_code())
        }
        Command::Replay {
            paths,
            output,
            deviations,
        } => {
            let deviations = load_deviations(&deviations)?;
            let outcome = replay::replay(&paths, &deviations);
            let text = render::replay(&outcome, output.format, style_for(&output));
            emit(&text, output.output.as_deref())?;
            for r in &outcome.results {
                if let Some(e) = &r.error {
                    eprintln!("payple-conformance: error: {e}");
                }
            }
            Ok(outcome.exit_code())
        }
        Command::Coverage {
            paths,
            include_samples,
            endpoints,
            min,
            output,
        } => {
            for id in &endpoints {
                payple_conformance::find_endpoint(id).map_err(Fatal)?;
            }
            let report = coverage::coverage(&CoverageOptions {
                paths,
                include_samples,
                endpoints,
                min_percent: min,
            });
            let text = render::coverage(&report, output.format, style_for(&output));
            emit(&text, output.output.as_deref())?;
            for u in &report.unreadable {
                eprintln!("payple-conformance: error: {}", u.error);
            }
            Ok(report.exit_code())
        }
        Command::Live(args) => live::live(args).map_err(Fatal),
        Command::Record(args) => live::record(args).map_err(Fatal),
        Command::Endpoints { format } => {
            emit(&render::endpoints(payple_types::endpoints(), format), None)?;
            Ok(0)
        }
        Command::Schemas { out } => {
            std::fs::create_dir_all(&out)
                .map_err(|e| Fatal(format!("cannot create {}: {e}", out.display())))?;
            let mut written = 0usize;
            for ep in payple_types::endpoints() {
                for part in [Part::Request, Part::Response] {
                    let schema = payple_types::schema(ep.id, part).ok_or_else(|| {
                        Fatal(format!("internal: no JSON Schema for {} {part}", ep.id))
                    })?;
                    let mut text = schema.to_string();
                    if !text.ends_with('\n') {
                        text.push('\n');
                    }
                    let path = out.join(format!("{}.{part}.schema.json", ep.id));
                    fsio::write_atomic(&path, text.as_bytes())
                        .map_err(|e| Fatal(format!("cannot write {}: {e}", path.display())))?;
                    written += 1;
                }
            }
            eprintln!("wrote {written} schemas to {}", out.display());
            Ok(0)
        }
        Command::Mock {
            port,
            drift,
            fault,
            log,
            quiet,
            ledger_entries,
            log_entries,
            max_connections,
            header_timeout,
            global_webhook,
        } => {
            let limits = payple_mock::MockLimits {
                ledger_entries,
                log_entries,
                max_connections,
                header_timeout: std::time::Duration::from_secs(header_timeout.max(1)),
                ..payple_mock::MockLimits::default()
            };
            let options = mock_cmd::Options {
                port,
                drift,
                faults: fault,
                log,
                quiet,
                limits,
                global_webhook,
            };
            mock_cmd::run(options).map_err(Fatal)?;
            Ok(0)
        }
    }
}
