//! Own templates compiled in a child process under a time and memory budget.
//!
//! Typst cannot be interrupted while it compiles, and a template can loop for ever or allocate
//! without end. An own template is therefore compiled by a child process: the same program
//! started again with its hidden subcommand [`CHILD_COMMAND`] (the `kontor` binary hands it to
//! [`child_main`]). The child first limits its own address space and CPU time (setrlimit, before
//! it reads anything), then reads the job on stdin and writes the answer on stdout. The parent
//! kills it at the wall-clock deadline and reads at most [`MAX_REPLY_BYTES`] of its answer, so
//! a template costs the serving process neither its memory nor more than the budgeted time.
//! The default template is Kontor's own and keeps rendering in-process.
//!
//! The job and the answer are a small binary format private to this module (both ends are the
//! same executable): length-prefixed fields for the template and each document's sandbox
//! files; the answer is a status byte followed by the PDF or the error message.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use typst::foundations::Bytes;

use crate::{LogoFormat, PdfError, SandboxWorld, compile, custom_source};

/// The hidden subcommand that runs one job: `kontor render-template --memory-mib N
/// --cpu-seconds S`, the job on stdin, the answer on stdout.
pub const CHILD_COMMAND: &str = "render-template";

/// The largest answer read from a child: a PDF is far smaller (a 60-page invoice is about
/// 200 KB); more is refused rather than held in the serving process.
pub const MAX_REPLY_BYTES: u64 = 64 * 1024 * 1024;

/// What of a child's error output is kept for the log.
const MAX_STDERR_BYTES: u64 = 16 * 1024;

/// The budget of one own-template job (one document, or the check against the samples).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock time until the child is killed; its CPU time is limited to the same,
    /// rounded up to whole seconds.
    pub time: Duration,
    /// The child's address space in MiB. It includes the program itself and typst's fonts
    /// (about 100 MiB of it); a check of a plain template needs about 200 MiB in all.
    pub memory_mib: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            time: Duration::from_secs(10),
            memory_mib: 1024,
        }
    }
}

impl Limits {
    /// Whole CPU seconds for the child (at least one).
    fn cpu_seconds(&self) -> u64 {
        let whole = self.time.as_secs() + u64::from(self.time.subsec_nanos() > 0);
        whole.max(1)
    }
}

/// Where own templates are compiled: a child process under [`Limits`].
#[derive(Debug, Clone)]
pub struct Sandbox {
    /// `None`: this program (`/proc/self/exe`, which survives the binary being replaced by
    /// an update while it runs).
    program: Option<PathBuf>,
    pub limits: Limits,
}

impl Sandbox {
    /// Children are this program started again with [`CHILD_COMMAND`]: for the `kontor`
    /// binary, whose `main` hands that subcommand to [`child_main`].
    pub fn this_program(limits: Limits) -> Sandbox {
        Sandbox {
            program: None,
            limits,
        }
    }

    /// Children are `program` started with [`CHILD_COMMAND`] (tests: the built `kontor`).
    pub fn program(program: impl Into<PathBuf>, limits: Limits) -> Sandbox {
        Sandbox {
            program: Some(program.into()),
            limits,
        }
    }

    fn program_path(&self) -> PathBuf {
        if let Some(p) = &self.program {
            return p.clone();
        }
        let own = Path::new("/proc/self/exe");
        if own.exists() {
            return own.to_path_buf();
        }
        std::env::current_exe().unwrap_or_else(|_| PathBuf::from("kontor"))
    }

    /// Compiles `template` for one document in a child; the PDF or why not.
    pub(crate) fn render(&self, world: &SandboxWorld, template: &str) -> Result<Vec<u8>, PdfError> {
        self.run(encode_job(
            Mode::Render,
            template,
            std::slice::from_ref(world),
        ))
    }

    /// Compiles `template` for each of `worlds` in one child; the first error.
    pub(crate) fn check(&self, worlds: &[SandboxWorld], template: &str) -> Result<(), PdfError> {
        self.run(encode_job(Mode::Check, template, worlds))
            .map(|_| ())
    }

    /// Runs one job in a child under the budget.
    fn run(&self, job: Vec<u8>) -> Result<Vec<u8>, PdfError> {
        let limits = self.limits;
        let program = self.program_path();
        let mut child = Command::new(&program)
            .arg(CHILD_COMMAND)
            .arg("--memory-mib")
            .arg(limits.memory_mib.to_string())
            .arg("--cpu-seconds")
            .arg(limits.cpu_seconds().to_string())
            // One malloc arena and one worker thread: the address-space limit is then spent
            // on the template, not on reserved arenas and stacks.
            .env("MALLOC_ARENA_MAX", "1")
            .env("RAYON_NUM_THREADS", "1")
            // A backtrace of a failed allocation would read the debug info: slow, and
            // nothing the log needs.
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                PdfError::Sandbox(format!(
                    "cannot start the template renderer {}: {e}",
                    program.display()
                ))
            })?;
        let deadline = Instant::now() + limits.time;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let writer = std::thread::spawn(move || {
            if let Some(mut pipe) = stdin {
                // A child that stops early closes the pipe; its exit status tells why.
                let _ = pipe.write_all(&job);
            }
        });
        let reader = std::thread::spawn(move || read_capped(stdout, MAX_REPLY_BYTES));
        let errors = std::thread::spawn(move || read_capped(stderr, MAX_STDERR_BYTES));
        let mut killed = false;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Ok(None) | Err(_) => {
                    let _ = child.kill();
                    killed = true;
                    break child.wait().ok();
                }
            }
        };
        let _ = writer.join();
        let (reply, overflow) = reader.join().unwrap_or_default();
        let (stderr, _) = errors.join().unwrap_or_default();
        let stderr = String::from_utf8_lossy(&stderr);
        let outcome = judge(status, killed, overflow, &stderr, limits);
        if outcome.is_err() && !stderr.trim().is_empty() {
            tracing::warn!(stderr = %stderr.trim(), "the template renderer stopped");
        }
        outcome?;
        decode_reply(&reply)
    }
}

/// Why a child's run failed, from how it ended; `Ok` when it ended normally.
fn judge(
    status: Option<ExitStatus>,
    killed: bool,
    overflow: bool,
    stderr: &str,
    limits: Limits,
) -> Result<(), PdfError> {
    use std::os::unix::process::ExitStatusExt;
    if killed {
        return Err(PdfError::TooSlow(limits.time));
    }
    if overflow {
        return Err(PdfError::Sandbox(format!(
            "the template produced more than {} MiB",
            MAX_REPLY_BYTES / 1024 / 1024
        )));
    }
    let Some(status) = status else {
        return Err(PdfError::Sandbox(
            "the template renderer's end was not seen".into(),
        ));
    };
    if status.success() {
        return Ok(());
    }
    // The CPU limit: SIGXCPU at the soft limit, SIGKILL at the hard one.
    let cpu = [
        rustix::process::Signal::XCPU.as_raw(),
        rustix::process::Signal::KILL.as_raw(),
    ];
    if status.signal().is_some_and(|s| cpu.contains(&s)) {
        return Err(PdfError::TooSlow(limits.time));
    }
    // Rust's allocation failure ("memory allocation of N bytes failed"), or the system's.
    let lower = stderr.to_ascii_lowercase();
    if lower.contains("memory allocation of")
        || lower.contains("out of memory")
        || lower.contains("cannot allocate memory")
    {
        return Err(PdfError::TooMuchMemory(limits.memory_mib));
    }
    Err(PdfError::Sandbox(format!(
        "the template renderer stopped ({status})"
    )))
}

/// Reads `pipe` to its end, keeping at most `cap` bytes; `true` when there was more (the pipe
/// is then closed, which stops a child that keeps writing).
fn read_capped(pipe: Option<impl Read>, cap: u64) -> (Vec<u8>, bool) {
    let Some(pipe) = pipe else {
        return (Vec::new(), false);
    };
    let mut out = Vec::new();
    let mut limited = pipe.take(cap + 1);
    let _ = limited.read_to_end(&mut out);
    let overflow = out.len() as u64 > cap;
    out.truncate(usize::try_from(cap).unwrap_or(usize::MAX));
    (out, overflow)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// One document: answer its PDF.
    Render,
    /// Sample documents: answer only whether all compile.
    Check,
}

const MAGIC: &[u8] = b"KONTOR-TEMPLATE-JOB-1\n";

// Answer status bytes.
const OK: u8 = 0;
const TEMPLATE: u8 = 1;
const EXPORT: u8 = 2;
const FACTURX: u8 = 3;
const OTHER: u8 = 4;

fn put(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(bytes);
}

fn put_opt(out: &mut Vec<u8>, bytes: Option<&[u8]>) {
    match bytes {
        None => out.push(0),
        Some(b) => {
            out.push(1);
            put(out, b);
        }
    }
}

fn encode_job(mode: Mode, template: &str, worlds: &[SandboxWorld]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.push(match mode {
        Mode::Render => b'R',
        Mode::Check => b'C',
    });
    put(&mut out, template.as_bytes());
    out.extend_from_slice(&(worlds.len() as u32).to_le_bytes());
    for w in worlds {
        put(&mut out, w.data.as_slice());
        put_opt(&mut out, w.qr.as_ref().map(|b| b.as_slice()));
        match &w.logo {
            None => out.push(0),
            Some((format, bytes)) => {
                out.push(match format {
                    LogoFormat::Png => 1,
                    LogoFormat::Jpeg => 2,
                    LogoFormat::Svg => 3,
                });
                put(&mut out, bytes.as_slice());
            }
        }
        put_opt(&mut out, w.facturx.as_ref().map(|b| b.as_slice()));
        out.push(u8::from(w.archival));
        put(&mut out, w.title.as_bytes());
        put(&mut out, w.author.as_bytes());
        out.extend_from_slice(&w.today.to_le_bytes());
        out.push(w.month);
        out.push(w.day);
    }
    out
}

/// Reads the fields of a job in order.
struct Fields<'a>(&'a [u8]);

impl<'a> Fields<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }
    fn byte(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn bytes(&mut self) -> Option<&'a [u8]> {
        let len = u64::from_le_bytes(self.take(8)?.try_into().ok()?);
        self.take(usize::try_from(len).ok()?)
    }
    fn opt(&mut self) -> Option<Option<&'a [u8]>> {
        match self.byte()? {
            0 => Some(None),
            1 => self.bytes().map(Some),
            _ => None,
        }
    }
    fn text(&mut self) -> Option<String> {
        String::from_utf8(self.bytes()?.to_vec()).ok()
    }
}

fn decode_job(job: &[u8]) -> Option<(Mode, String, Vec<SandboxWorld>)> {
    let mut f = Fields(job.strip_prefix(MAGIC)?);
    let mode = match f.byte()? {
        b'R' => Mode::Render,
        b'C' => Mode::Check,
        _ => return None,
    };
    let template = f.text()?;
    let count = u32::from_le_bytes(f.take(4)?.try_into().ok()?);
    let mut worlds = Vec::new();
    for _ in 0..count {
        let data = Bytes::new(f.bytes()?.to_vec());
        let qr = f.opt()?.map(|b| Bytes::new(b.to_vec()));
        let logo = match f.byte()? {
            0 => None,
            n => {
                let format = match n {
                    1 => LogoFormat::Png,
                    2 => LogoFormat::Jpeg,
                    3 => LogoFormat::Svg,
                    _ => return None,
                };
                Some((format, Bytes::new(f.bytes()?.to_vec())))
            }
        };
        let facturx = f.opt()?.map(|b| Bytes::new(b.to_vec()));
        let archival = f.byte()? == 1;
        let title = f.text()?;
        let author = f.text()?;
        let today = i32::from_le_bytes(f.take(4)?.try_into().ok()?);
        let (month, day) = (f.byte()?, f.byte()?);
        worlds.push(SandboxWorld {
            data,
            qr,
            logo,
            facturx,
            archival,
            title,
            author,
            today,
            month,
            day,
        });
    }
    f.0.is_empty().then_some((mode, template, worlds))
}

fn decode_reply(reply: &[u8]) -> Result<Vec<u8>, PdfError> {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    match reply.split_first() {
        Some((&OK, pdf)) => Ok(pdf.to_vec()),
        Some((&TEMPLATE, m)) => Err(PdfError::Template(text(m))),
        Some((&EXPORT, m)) => Err(PdfError::Export(text(m))),
        Some((&FACTURX, m)) => Err(PdfError::FacturX(text(m))),
        Some((&OTHER, m)) => Err(PdfError::Sandbox(text(m))),
        _ => Err(PdfError::Sandbox(
            "the template renderer gave no readable answer".into(),
        )),
    }
}

/// The child's side: limits itself, reads the job on stdin, writes the answer on stdout.
/// `memory_mib` and `cpu_seconds` come from the parent's command line.
pub fn child_main(memory_mib: u64, cpu_seconds: u64) -> ExitCode {
    if let Err(e) = limit_self(memory_mib, cpu_seconds) {
        eprintln!("{CHILD_COMMAND}: cannot set the limits: {e}");
        return ExitCode::FAILURE;
    }
    let mut job = Vec::new();
    if let Err(e) = std::io::stdin().lock().read_to_end(&mut job) {
        eprintln!("{CHILD_COMMAND}: cannot read the job: {e}");
        return ExitCode::FAILURE;
    }
    let answer = match decode_job(&job) {
        Some((mode, template, worlds)) => run_job(mode, &template, &worlds),
        None => Err(PdfError::Sandbox("the job cannot be read".into())),
    };
    let mut reply = Vec::new();
    match answer {
        Ok(pdf) => {
            reply.push(OK);
            reply.extend_from_slice(&pdf);
        }
        Err(e) => {
            let (status, message) = match e {
                PdfError::Template(m) => (TEMPLATE, m),
                PdfError::Export(m) => (EXPORT, m),
                PdfError::FacturX(m) => (FACTURX, m),
                other => (OTHER, other.to_string()),
            };
            reply.push(status);
            reply.extend_from_slice(message.as_bytes());
        }
    }
    let mut out = std::io::stdout().lock();
    if out.write_all(&reply).and_then(|()| out.flush()).is_err() {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

fn run_job(mode: Mode, template: &str, worlds: &[SandboxWorld]) -> Result<Vec<u8>, PdfError> {
    let source = custom_source(template);
    match mode {
        Mode::Render => match worlds {
            [world] => compile(world, &source),
            _ => Err(PdfError::Sandbox("a render job holds one document".into())),
        },
        Mode::Check => {
            for world in worlds {
                compile(world, &source)?;
            }
            Ok(Vec::new())
        }
    }
}

/// Limits this process: address space, CPU time, and no core files.
fn limit_self(memory_mib: u64, cpu_seconds: u64) -> std::io::Result<()> {
    use rustix::process::{Resource, Rlimit, setrlimit};
    let bytes = memory_mib.saturating_mul(1024 * 1024);
    setrlimit(
        Resource::Core,
        Rlimit {
            current: Some(0),
            maximum: Some(0),
        },
    )?;
    setrlimit(
        Resource::Cpu,
        Rlimit {
            current: Some(cpu_seconds),
            maximum: Some(cpu_seconds + 1),
        },
    )?;
    setrlimit(
        Resource::As,
        Rlimit {
            current: Some(bytes),
            maximum: Some(bytes),
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> SandboxWorld {
        SandboxWorld {
            data: Bytes::new(b"{\"a\": 1}".to_vec()),
            qr: None,
            logo: Some((LogoFormat::Svg, Bytes::new(b"<svg/>".to_vec()))),
            facturx: Some(Bytes::new(b"<x/>".to_vec())),
            archival: true,
            title: "Rechnung RE-1".into(),
            author: "Müller GmbH".into(),
            today: 2026,
            month: 12,
            day: 6,
        }
    }

    #[test]
    fn a_job_reads_back_as_written() {
        let job = encode_job(Mode::Check, "#let x = 1 // ü", &[world(), world()]);
        let (mode, template, worlds) = decode_job(&job).expect("readable");
        assert_eq!(mode, Mode::Check);
        assert_eq!(template, "#let x = 1 // ü");
        assert_eq!(worlds.len(), 2);
        let w = &worlds[1];
        assert_eq!(w.data.as_slice(), b"{\"a\": 1}");
        assert!(w.qr.is_none());
        assert!(matches!(&w.logo, Some((LogoFormat::Svg, b)) if b.as_slice() == b"<svg/>"));
        assert_eq!(w.facturx.as_ref().map(|b| b.as_slice()), Some(&b"<x/>"[..]));
        assert!(w.archival);
        assert_eq!(
            (w.title.as_str(), w.author.as_str()),
            ("Rechnung RE-1", "Müller GmbH")
        );
        assert_eq!((w.today, w.month, w.day), (2026, 12, 6));
        // Cut short or with something after it, a job is refused.
        assert!(decode_job(&job[..job.len() - 1]).is_none());
        let mut longer = job.clone();
        longer.push(0);
        assert!(decode_job(&longer).is_none());
    }

    #[test]
    fn answers_read_as_their_errors() {
        assert_eq!(decode_reply(&[OK, 1, 2]).expect("a pdf"), vec![1, 2]);
        assert!(matches!(
            decode_reply(b"\x01line 3: unknown variable"),
            Err(PdfError::Template(m)) if m == "line 3: unknown variable"
        ));
        assert!(matches!(decode_reply(b""), Err(PdfError::Sandbox(_))));
    }

    /// A child that never answers is killed at the deadline; one that writes without end is
    /// cut off; one that dies is named. `sh` stands in for the renderer.
    #[test]
    fn the_parent_enforces_the_deadline_and_the_answer_size() {
        let sh = |script: &str, seconds: u64| {
            let dir = std::env::temp_dir().join(format!(
                "kontor-sandbox-test-{}-{}",
                std::process::id(),
                script.len()
            ));
            std::fs::create_dir_all(&dir).expect("temp dir");
            let path = dir.join("child.sh");
            std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).expect("script");
            let _ = Command::new("chmod").arg("+x").arg(&path).status();
            let sandbox = Sandbox::program(
                &path,
                Limits {
                    time: Duration::from_secs(seconds),
                    memory_mib: 256,
                },
            );
            let started = Instant::now();
            let result = sandbox.run(b"job".to_vec());
            (result, started.elapsed())
        };
        let (slow, took) = sh("exec sleep 30", 1);
        assert!(matches!(slow, Err(PdfError::TooSlow(_))), "{slow:?}");
        assert!(
            took < Duration::from_secs(5),
            "killed at the deadline: {took:?}"
        );
        let (flood, _) = sh("exec cat /dev/zero", 20);
        assert!(
            matches!(flood, Err(PdfError::Sandbox(ref m)) if m.contains("MiB")),
            "{flood:?}"
        );
        let (oom, _) = sh(
            "echo 'memory allocation of 999 bytes failed' >&2; exit 134",
            5,
        );
        assert!(matches!(oom, Err(PdfError::TooMuchMemory(256))), "{oom:?}");
        let (ok, _) = sh("cat >/dev/null; printf '\\000%%PDF'", 5);
        assert_eq!(ok.expect("an answer"), b"%PDF");
    }
}
