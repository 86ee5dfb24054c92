//! The `payple-conformance` command: validate Payple bodies, replay recordings and documented
//! samples, list endpoints and write JSON Schemas. See the crate README.

use clap::{Args, Parser, Subcommand, ValueEnum};
use payple_conformance::render::{self, Format, Style};
use payple_conformance::{fsio, replay};
use payple_types::Part;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod live;

#[derive(Debug, Parser)]
#[command(
    name = "payple-conformance",
    version,
    about = "Check Payple traffic against the payple-spec contract",
    long_about = "Check Payple traffic against the payple-spec contract.\n\nExit codes: 0 conforming (no error finding; every recording as expected), 1 error findings or failed recordings, 2 usage, I/O or internal error."
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
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Replay recordings (files or directories) against their expected findings. Without a
    /// path: every recording under recordings/ plus every documented sample of the spec.
    Replay {
        /// Recording files or directories (searched recursively for *.json).
        paths: Vec<PathBuf>,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// List the endpoints: id, service, English and Korean titles.
    Endpoints {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
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
            eprintln!("payple-conformance: error: {message}");
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
            output,
        } => {
            let ep = payple_conformance::find_endpoint(&endpoint).map_err(Fatal)?;
            let body = fsio::read_body(file.as_deref()).map_err(Fatal)?;
            let report = payple_conformance::validate_input(ep, part.into(), &body);
            let text = render::validate(&report, output.format, style_for(&output));
            emit(&text, output.output.as_deref())?;
            Ok(if report.is_valid() { 0 } else { 1 })
        }
        Command::Replay { paths, output } => {
            let outcome = replay::replay(&paths);
            let text = render::replay(&outcome, output.format, style_for(&output));
            emit(&text, output.output.as_deref())?;
            for r in &outcome.results {
                if let Some(e) = &r.error {
                    eprintln!("payple-conformance: error: {e}");
                }
            }
            Ok(outcome.exit_code())
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
    }
}
