//! The PDF of a received invoice is read in a child process: a crafted PDF can make a parser
//! loop, allocate without end or overflow its stack, which no `catch_unwind` survives. The
//! child is this program started again with the hidden subcommand [`CHILD_COMMAND`]; it first
//! limits its own address space and CPU time, reads the PDF on stdin, touches only the
//! catalogue (attachments, metadata) and writes what it found as JSON on stdout. The parent
//! kills it at the wall-clock deadline and reads a capped answer; the XML it hands back is
//! then read and checked in the parent, by the XML reader that refuses DTDs.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use kontor_einvoice_in::pdf::{self, Extracted};
use kontor_einvoice_in::{Finding, MAX_FILE_BYTES, Severity};

/// The hidden subcommand: `kontor extract-einvoice --memory-mib N --cpu-seconds S`.
pub const CHILD_COMMAND: &str = "extract-einvoice";

/// The largest answer read from a child (the XML is capped by the file size; JSON doubles
/// a byte array at most fourfold).
const MAX_REPLY_BYTES: u64 = 4 * MAX_FILE_BYTES as u64 + 1024 * 1024;

/// The budget of one PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReaderLimits {
    pub time: Duration,
    pub memory_mib: u64,
}

impl Default for ReaderLimits {
    fn default() -> Self {
        ReaderLimits {
            time: Duration::from_secs(10),
            memory_mib: 512,
        }
    }
}

/// Where received PDFs are read.
#[derive(Debug, Clone)]
pub enum PdfReader {
    /// In a child process: this program (`None`) or the given `kontor` binary.
    Child {
        program: Option<PathBuf>,
        limits: ReaderLimits,
    },
    /// In this process (tests that run without the `kontor` binary).
    InProcess,
}

impl Default for PdfReader {
    fn default() -> Self {
        PdfReader::Child {
            program: None,
            limits: ReaderLimits::default(),
        }
    }
}

impl PdfReader {
    /// Reads the PDF; a reader that crashed, ran out of time or memory gives a fatal
    /// `PDF-UNREADABLE` finding instead of an invoice.
    pub fn extract(&self, bytes: &[u8]) -> Extracted {
        match self {
            PdfReader::InProcess => pdf::extract(bytes),
            PdfReader::Child { program, limits } => run_child(program.clone(), bytes, *limits)
                .unwrap_or_else(|why| {
                    tracing::warn!(%why, "a received PDF could not be read");
                    Extracted {
                        findings: vec![unreadable(&why)],
                        ..Extracted::default()
                    }
                }),
        }
    }
}

fn unreadable(why: &str) -> Finding {
    Finding {
        rule: "PDF-UNREADABLE".into(),
        severity: Severity::Fatal,
        location: String::new(),
        message_de: format!("Das PDF konnte nicht gelesen werden ({why})."),
        message_en: format!("The PDF could not be read ({why})."),
    }
}

fn program_path(program: Option<PathBuf>) -> PathBuf {
    if let Some(p) = program {
        return p;
    }
    let own = std::path::Path::new("/proc/self/exe");
    if own.exists() {
        return own.to_path_buf();
    }
    std::env::current_exe().unwrap_or_else(|_| PathBuf::from("kontor"))
}

fn run_child(
    program: Option<PathBuf>,
    bytes: &[u8],
    limits: ReaderLimits,
) -> Result<Extracted, String> {
    let program = program_path(program);
    let cpu = limits.time.as_secs().max(1);
    let mut child = Command::new(&program)
        .arg(CHILD_COMMAND)
        .arg("--memory-mib")
        .arg(limits.memory_mib.to_string())
        .arg("--cpu-seconds")
        .arg(cpu.to_string())
        .env("MALLOC_ARENA_MAX", "1")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the reader {}: {e}", program.display()))?;
    let deadline = Instant::now() + limits.time;
    let stdin = child.stdin.take();
    let stdout = child.stdout.take();
    let job = bytes.to_vec();
    let writer = std::thread::spawn(move || {
        if let Some(mut pipe) = stdin {
            let _ = pipe.write_all(&job);
        }
    });
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(pipe) = stdout {
            let _ = pipe.take(MAX_REPLY_BYTES + 1).read_to_end(&mut out);
        }
        out
    });
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            Ok(None) | Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(format!("no answer within {} s", limits.time.as_secs()));
            }
        }
    };
    let _ = writer.join();
    let reply = reader.join().unwrap_or_default();
    let status = status?;
    if !status.success() {
        return Err(format!("the reader stopped: {status}"));
    }
    if reply.len() as u64 > MAX_REPLY_BYTES {
        return Err("the reader's answer is too large".into());
    }
    serde_json::from_slice(&reply).map_err(|e| format!("the reader's answer is unreadable: {e}"))
}

/// The child's side: limits itself, reads the PDF on stdin, answers JSON on stdout.
pub fn child_main(memory_mib: u64, cpu_seconds: u64) -> ExitCode {
    use rustix::process::{Resource, Rlimit, setrlimit};
    let bytes = memory_mib.saturating_mul(1024 * 1024);
    let limited = setrlimit(
        Resource::As,
        Rlimit {
            current: Some(bytes),
            maximum: Some(bytes),
        },
    )
    .and_then(|()| {
        setrlimit(
            Resource::Cpu,
            Rlimit {
                current: Some(cpu_seconds),
                maximum: Some(cpu_seconds.saturating_add(1)),
            },
        )
    });
    if limited.is_err() {
        return ExitCode::from(3);
    }
    let mut input = Vec::new();
    if std::io::stdin()
        .lock()
        .take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut input)
        .is_err()
        || input.len() > MAX_FILE_BYTES
    {
        return ExitCode::from(2);
    }
    let found = pdf::extract(&input);
    let Ok(json) = serde_json::to_vec(&found) else {
        return ExitCode::from(4);
    };
    let mut out = std::io::stdout().lock();
    if out.write_all(&json).and_then(|()| out.flush()).is_err() {
        return ExitCode::from(5);
    }
    ExitCode::SUCCESS
}
