//! A real IMAP server for the mailbox tests: Debian's dovecot (`dovecot-imapd`) on 127.0.0.1,
//! on free ports, with its whole configuration, state and Maildir in a temporary folder. It
//! offers IMAPS and IMAP with STARTTLS under a certificate for 127.0.0.1 from a CA of its own
//! (trusted by the client through the mailbox's own-CA setting), logs in one user from a
//! passwd file, and stops when dropped. Mails are delivered by writing them into the Maildir.
//!
//! Dovecot refuses to run its login processes or mail access as root: run as root (as the
//! tests here do), those run as `nobody`, which then owns the Maildir; run as another user,
//! everything runs as that user.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::free_port;

/// The user the server knows.
pub const IMAP_USER: &str = "rechnungseingang";
/// That user's password.
pub const IMAP_PASSWORD: &str = "Postfach-Passwort 1";

/// Where Debian puts the binary; else it is looked up on the PATH.
const DOVECOT: &str = "/usr/sbin/dovecot";

/// A running dovecot; stopped on drop.
pub struct Dovecot {
    dir: tempfile::TempDir,
    child: Option<Child>,
    /// IMAP with STARTTLS (and plain, for the loopback test).
    pub imap_port: u16,
    /// IMAP over TLS.
    pub imaps_port: u16,
    /// The CA that signed the server's certificate (PEM).
    pub ca_pem: String,
    owner: Option<(u32, u32)>,
}

static DELIVERED: AtomicU64 = AtomicU64::new(0);

impl Dovecot {
    /// Starts dovecot and waits until both ports answer. Fails the test with a clear message
    /// when dovecot is not installed (CI installs `dovecot-imapd`).
    pub fn start() -> Dovecot {
        Dovecot::start_with("")
    }

    /// A server that announces neither MOVE nor UIDPLUS after the login, as older servers do
    /// (clients then copy, flag `\Deleted` and expunge).
    pub fn without_move() -> Dovecot {
        Dovecot::start_with(
            "imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ NAMESPACE CHILDREN\n",
        )
    }

    /// Starts dovecot with `extra` lines appended to its configuration.
    pub fn start_with(extra: &str) -> Dovecot {
        let binary = binary();
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        // The mail processes (`nobody` when run as root) pass through to their Maildir.
        std::fs::set_permissions(root, std::os::unix::fs::PermissionsExt::from_mode(0o711))
            .expect("chmod temp dir");
        let (ca_pem, cert_pem, key_pem) = crate::tls::ca_and_server_certificate(&["127.0.0.1"]);
        std::fs::write(root.join("cert.pem"), cert_pem).expect("write cert");
        std::fs::write(root.join("key.pem"), key_pem).expect("write key");
        std::fs::write(
            root.join("passwd"),
            format!("{IMAP_USER}:{{PLAIN}}{IMAP_PASSWORD}\n"),
        )
        .expect("write passwd");
        for sub in ["run", "state", "home"] {
            std::fs::create_dir_all(root.join(sub)).expect("mkdir");
        }
        let maildir = root.join("home").join(IMAP_USER).join("Maildir");
        for sub in ["new", "cur", "tmp"] {
            std::fs::create_dir_all(maildir.join(sub)).expect("mkdir maildir");
        }
        let me = current_ids();
        let (owner, login_user, mail_ids) = if me.0 == 0 {
            // Dovecot refuses root for logins and mail access.
            (Some((65534, 65534)), "nobody".to_string(), (65534, 65534))
        } else {
            (None, current_user_name(), me)
        };
        if let Some((uid, gid)) = owner {
            chown_tree(&root.join("home"), uid, gid);
        }
        let imap_port = free_port();
        let mut imaps_port = free_port();
        while imaps_port == imap_port {
            imaps_port = free_port();
        }
        let internal_user = if me.0 == 0 {
            "root".to_string()
        } else {
            current_user_name()
        };
        let config = config(
            root,
            imap_port,
            imaps_port,
            &internal_user,
            &login_user,
            mail_ids,
        );
        let conf = root.join("dovecot.conf");
        std::fs::write(&conf, format!("{config}{extra}")).expect("write dovecot.conf");
        let child = Command::new(&binary)
            .arg("-F")
            .arg("-c")
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let mut server = Dovecot {
            dir,
            child: Some(child),
            imap_port,
            imaps_port,
            ca_pem,
            owner,
        };
        server.wait_until_listening();
        server
    }

    /// The folder all configuration, state and mail live in.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The server's own log (for a failing test's message).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir().join("dovecot.log")).unwrap_or_default()
    }

    fn maildir(&self) -> PathBuf {
        self.dir().join("home").join(IMAP_USER).join("Maildir")
    }

    /// The Maildir folder of an IMAP folder (`INBOX`, or `Kontor/Importiert` → `.Kontor.Importiert`).
    fn folder_dir(&self, folder: &str) -> PathBuf {
        if folder.eq_ignore_ascii_case("INBOX") {
            self.maildir()
        } else {
            self.maildir()
                .join(format!(".{}", folder.replace('/', ".")))
        }
    }

    /// Delivers `raw` (an RFC 5322 mail) into the INBOX, as a mail server's delivery would.
    pub fn deliver(&self, raw: &[u8]) {
        let n = DELIVERED.fetch_add(1, Ordering::Relaxed);
        let name = format!(
            "{}.M{n}P{}.kontor-test",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
            std::process::id()
        );
        let tmp = self.maildir().join("tmp").join(&name);
        std::fs::write(&tmp, raw).expect("write mail");
        if let Some((uid, gid)) = self.owner {
            std::os::unix::fs::chown(&tmp, Some(uid), Some(gid)).expect("chown mail");
        }
        std::fs::rename(&tmp, self.maildir().join("new").join(&name)).expect("deliver mail");
    }

    /// The mails in an IMAP folder (as files in its Maildir), sorted by their bytes.
    pub fn mails(&self, folder: &str) -> Vec<Vec<u8>> {
        let dir = self.folder_dir(folder);
        let mut found = Vec::new();
        for sub in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
                continue;
            };
            for entry in entries.flatten() {
                if let Ok(bytes) = std::fs::read(entry.path()) {
                    found.push(bytes);
                }
            }
        }
        found.sort();
        found
    }

    /// How many mails an IMAP folder holds.
    pub fn count(&self, folder: &str) -> usize {
        self.mails(folder).len()
    }

    fn wait_until_listening(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    let _ = e.read_to_string(&mut err);
                }
                panic!("dovecot stopped at start ({status}): {err}\n{}", self.log());
            }
            let up = |port| {
                TcpStream::connect_timeout(
                    &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
                    Duration::from_millis(200),
                )
                .is_ok()
            };
            if up(self.imap_port) && up(self.imaps_port) && self.greets() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "dovecot did not listen on 127.0.0.1:{} within 20 s\n{}",
                self.imap_port,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Whether the plain port sends an IMAP greeting (the login processes are up).
    fn greets(&self) -> bool {
        let Ok(stream) = TcpStream::connect(("127.0.0.1", self.imap_port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
        let mut line = String::new();
        BufReader::new(stream).read_line(&mut line).is_ok() && line.starts_with("* OK")
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SIGTERM lets dovecot stop its children; SIGKILL if it does not within 5 s.
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn binary() -> PathBuf {
    if Path::new(DOVECOT).exists() {
        return PathBuf::from(DOVECOT);
    }
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            let candidate = dir.join("dovecot");
            if candidate.exists() {
                return candidate;
            }
        }
    }
    panic!(
        "the mailbox tests need a real IMAP server, and dovecot is not installed: \
         install Debian's `dovecot-imapd` (apt-get install dovecot-imapd; CI does). \
         These tests fail rather than skip."
    );
}

/// (uid, gid) of this process, from `id`.
fn current_ids() -> (u32, u32) {
    let id = |flag: &str| -> u32 {
        Command::new("id")
            .arg(flag)
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .expect("id -u / id -g")
    };
    (id("-u"), id("-g"))
}

fn current_user_name() -> String {
    Command::new("id")
        .arg("-un")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .expect("id -un")
}

fn chown_tree(path: &Path, uid: u32, gid: u32) {
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).expect("chown");
    if path.is_dir() {
        for entry in std::fs::read_dir(path).expect("read dir").flatten() {
            chown_tree(&entry.path(), uid, gid);
        }
    }
}

/// The whole configuration: nothing outside `root` is read or written.
fn config(
    root: &Path,
    imap_port: u16,
    imaps_port: u16,
    internal_user: &str,
    login_user: &str,
    (uid, gid): (u32, u32),
) -> String {
    let r = root.display();
    // Services that chroot by default cannot when not started as root; none needs it here.
    let unchrooted = [
        "anvil",
        "stats",
        "auth",
        "auth-worker",
        "pop3-login",
        "submission-login",
    ]
    .iter()
    .map(|s| format!("service {s} {{\n  chroot =\n}}\n"))
    .collect::<String>();
    format!(
        r#"# Written by kontor-testkit for one test; nothing here touches system paths.
base_dir = {r}/run
state_dir = {r}/state
instance_name = kontor-test-{imap_port}
log_path = {r}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{r}/cert.pem
ssl_key = <{r}/key.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = 1
mail_location = maildir:{r}/home/%u/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {r}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={r}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
{unchrooted}"#,
        internal_group = if internal_user == "root" {
            "root".to_string()
        } else {
            current_group_name()
        },
    )
}

fn current_group_name() -> String {
    Command::new("id")
        .arg("-gn")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .expect("id -gn")
}
