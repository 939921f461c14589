//! Cloud installations on PostgreSQL for tests, and cloud mode served on a free port.

use std::io::Write;
use std::net::SocketAddr;

use kontor_server::cloud::{Cloud, CloudConfig};
use kontor_server::operator::Operator;
use kontor_storage::tenants::{Directory, Installation, MasterSecret, Provisioner};
use kontor_storage::{Role, Store};

use crate::Kontor;

/// A cloud installation of its own (control schema and tenants) on a PostgreSQL server, with
/// a random master secret.
#[derive(Clone, Debug)]
pub struct TestInstallation {
    /// The PostgreSQL superuser URL.
    pub admin_url: String,
    /// The installation's name (`k` and a unique suffix).
    pub name: String,
    /// The master secret as `kontor` reads it: 64 hex digits, used as they are.
    pub secret: String,
}

impl TestInstallation {
    /// A new installation on the server named by `KONTOR_TEST_DATABASE_URL`; `None` (and a
    /// note on stderr that `what` is skipped) without it.
    pub fn new(what: &str) -> Option<TestInstallation> {
        let Some(url) = crate::postgres_url() else {
            eprintln!("skipped: {what} needs PostgreSQL (set KONTOR_TEST_DATABASE_URL)");
            return None;
        };
        Some(TestInstallation::on(&url))
    }

    /// A new installation on the server at `admin_url`.
    pub fn on(admin_url: &str) -> TestInstallation {
        TestInstallation {
            admin_url: admin_url.to_string(),
            name: format!("k{}", crate::unique_schema()),
            secret: hex::encode(rand::random::<[u8; 32]>()),
        }
    }

    pub fn installation(&self) -> Installation {
        Installation::new(&self.name).expect("installation name")
    }

    pub fn master_secret(&self) -> MasterSecret {
        MasterSecret::new(self.secret.as_bytes().to_vec()).expect("master secret")
    }

    /// The master secret in a file of mode 600, for `--master-secret-file`.
    pub fn secret_file(&self) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().expect("secret file");
        writeln!(file, "{}", self.secret).expect("secret written");
        file
    }

    pub async fn provisioner(&self) -> Provisioner {
        Provisioner::connect(&self.admin_url, self.installation(), self.master_secret())
            .await
            .expect("provisioner")
    }

    pub async fn directory(&self) -> Directory {
        Directory::connect(&self.admin_url, self.installation(), self.master_secret())
            .await
            .expect("directory")
    }

    /// A new tenant with an admin `user` (the kit's password) and that admin's API token.
    pub async fn tenant(
        &self,
        provisioner: &Provisioner,
        slug: &str,
        display_name: &str,
        user: &str,
    ) -> (Store, String) {
        let tenant = provisioner
            .create(slug, display_name)
            .await
            .expect("tenant");
        let store = provisioner
            .open_tenant(&tenant)
            .await
            .expect("tenant store");
        let token = crate::app::new_token(&store, user, Role::Admin).await;
        (store, token)
    }

    /// The `kontor` binary for this installation: `--database URL --installation NAME` and the
    /// secret in `KONTOR_MASTER_SECRET`.
    pub fn kontor(&self, exe: &str) -> Kontor {
        Kontor::new(exe)
            .args(["--database", &self.admin_url, "--installation", &self.name])
            .env("KONTOR_MASTER_SECRET", &self.secret)
    }

    /// Cloud mode for this installation (`kontor serve --cloud` in-process) on 127.0.0.1
    /// port 0, with the operator API when `operator_token` is given. Returns its address.
    pub async fn serve(&self, config: CloudConfig, operator_token: Option<&str>) -> SocketAddr {
        let operator = match operator_token {
            Some(token) => match Operator::new(self.provisioner().await, token) {
                Ok(operator) => Some(operator),
                Err(_) => panic!("operator token refused"),
            },
            None => None,
        };
        let router =
            kontor_server::cloud::app(Cloud::new(self.directory().await, config), operator);
        let application =
            kontor_server::Application::bind(router, "127.0.0.1:0".parse().expect("address"))
                .await
                .expect("bind 127.0.0.1 port 0");
        let addr = application.address();
        tokio::spawn(application.run_until_stopped());
        addr
    }
}
