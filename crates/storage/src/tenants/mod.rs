//! Cloud mode on PostgreSQL: tenants, each a login role owning a schema of its own, nothing else.
//!
//! - `credentials`: the master secret, the role passwords derived from it, and the SCRAM
//!   verifiers PostgreSQL receives instead of the passwords.
//! - `provisioning`: the operator's [`Provisioner`] (the only holder of admin credentials) and
//!   all backend-specific DDL for tenancy: the control schema, roles, grants, revokes.
//! - `directory`: the serving side's [`Directory`], which reads the control schema through a
//!   read-only role and opens a tenant's store with that tenant's credentials only.
//!
//! This module holds what they share: the installation's names, slugs and the tenants' rows.

mod credentials;
mod directory;
mod provisioning;

pub use credentials::{MasterSecret, hmac_sha256, scram_verifier};
pub use directory::{Directory, TenantPool};
pub use provisioning::{MigrationReport, Provisioner, control_latest_version};

use sqlx::{AnyPool, Row};

use crate::blobstore::BlobStore;
use crate::error::{Result, StoreError};

/// Longest tenant slug (it is a DNS label in `TENANT.example.com`).
pub const SLUG_MAX: usize = 40;
/// Slugs that name parts of the service, not tenants.
const RESERVED_SLUGS: &[&str] = &["www", "api", "admin", "operator", "static", "mail"];

/// Checks a tenant slug: 1–40 of `a-z`, `0-9`, `-`, starting with a letter, not ending in `-`.
pub fn validate_slug(slug: &str) -> Result<()> {
    let ok = !slug.is_empty()
        && slug.len() <= SLUG_MAX
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && slug.starts_with(|c: char| c.is_ascii_lowercase())
        && !slug.ends_with('-');
    if !ok {
        return Err(StoreError::invalid(
            "tenant",
            format!(
                "must be 1–{SLUG_MAX} lowercase letters, digits or '-', starting with a letter and not ending with '-'"
            ),
        ));
    }
    if RESERVED_SLUGS.contains(&slug) {
        return Err(StoreError::invalid("tenant", format!("{slug} is reserved")));
    }
    Ok(())
}

/// The names of one installation's objects in a PostgreSQL database. Several installations
/// (e.g. tests) can share a cluster: every role and schema carries the installation's name.
///
/// Roles are cluster-wide while schemas belong to one database, so two installations on one
/// cluster must have different names; a role that another installation made is never taken
/// over (see [`Provisioner`]). Without a name given, an installation is named after its
/// database ([`Installation::for_database`]).
#[derive(Debug, Clone)]
pub struct Installation {
    name: String,
}

impl Installation {
    /// The name every installation had before names were derived from the database. Such an
    /// installation keeps it: its roles and schemas are found under it.
    pub const LEGACY_DEFAULT: &'static str = "kontor";

    /// `name`: lowercase letters, digits, `_`; at most 40 characters.
    pub fn new(name: &str) -> Result<Installation> {
        if !crate::db::is_safe_identifier(name) || name.len() > 40 {
            return Err(StoreError::invalid(
                "installation",
                "must be at most 40 lowercase letters, digits and _, starting with a letter",
            ));
        }
        Ok(Installation { name: name.into() })
    }

    /// The default installation of a database: `kontor_<database>` when the database's name is
    /// a short plain identifier (`kontor_shop` in database `shop`), otherwise a shortened,
    /// cleaned name with the first 8 hex digits of the SHA-256 of the exact database name
    /// (`kontor_my_shop_1a2b3c4d` in `My-Shop`). Different databases get different names, so
    /// their roles do not meet on a shared cluster.
    pub fn for_database(database: &str) -> Installation {
        let plain = !database.is_empty()
            && database.len() <= 24
            && database
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        let name = if plain {
            format!("kontor_{database}")
        } else {
            use sha2::{Digest, Sha256};
            let cleaned: String = database
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '_'
                    }
                })
                .take(16)
                .collect();
            let hash = hex::encode(Sha256::digest(database.as_bytes()));
            format!("kontor_{cleaned}_{}", &hash[..8])
        };
        Installation { name }
    }

    /// The installation that has always been the default ([`Installation::LEGACY_DEFAULT`]).
    pub fn legacy_default() -> Installation {
        Installation {
            name: Installation::LEGACY_DEFAULT.into(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }
    /// The schema with the tenants table.
    pub fn control_schema(&self) -> String {
        format!("{}_control", self.name)
    }
    /// The role that may read the tenants table and nothing else.
    pub fn control_role(&self) -> String {
        format!("{}_ctl", self.name)
    }
    /// A tenant's login role; it owns the schema of the same name.
    pub fn tenant_role(&self, tenant_id: i64) -> String {
        format!("{}_t{tenant_id}", self.name)
    }
    /// What Kontor writes into `COMMENT ON ROLE` of every role it makes for this installation
    /// in `database`: a role with another comment belongs to someone else and is left alone.
    pub fn role_comment(&self, database: &str) -> String {
        format!("kontor installation {} in database {database}", self.name)
    }
}

/// The database a `postgres://` URL names (percent-decoded), if it names one.
pub fn url_database(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let path = &rest[rest.find('/')? + 1..];
    let path = path.split(['?', '#']).next().unwrap_or("");
    if path.is_empty() {
        return None;
    }
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex_pair = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex_pair) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// `base` with its user and password replaced (the server, port, database and parameters stay).
pub fn url_as(base: &str, user: &str, password: &str) -> Result<String> {
    let invalid = || StoreError::invalid("database", "expected postgres://[user@]host[:port]/db");
    let (scheme, rest) = base.split_once("://").ok_or_else(invalid)?;
    if scheme != "postgres" && scheme != "postgresql" {
        return Err(invalid());
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host.is_empty() {
        return Err(invalid());
    }
    Ok(format!("{scheme}://{user}:{password}@{host}{path}"))
}

/// Where a tenant is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenantState {
    /// Being created (a `tenant create` that was interrupted resumes it).
    Provisioning,
    Active,
    /// Nobody can log in; the data stays.
    Suspended,
    /// Schema and role are gone; the row stays so the name is never reused.
    Deleted,
}

impl TenantState {
    pub fn as_str(self) -> &'static str {
        match self {
            TenantState::Provisioning => "provisioning",
            TenantState::Active => "active",
            TenantState::Suspended => "suspended",
            TenantState::Deleted => "deleted",
        }
    }
    pub fn parse(s: &str) -> Option<TenantState> {
        Some(match s {
            "provisioning" => TenantState::Provisioning,
            "active" => TenantState::Active,
            "suspended" => TenantState::Suspended,
            "deleted" => TenantState::Deleted,
            _ => return None,
        })
    }
}

/// A row of the control schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub state: TenantState,
    pub created_at: String,
    pub schema_version: i64,
    pub exported_at: Option<String>,
}

const TENANT_COLUMNS: &str = "id, slug, name, state, created_at, schema_version, exported_at";

fn tenant_from(row: &sqlx::any::AnyRow) -> Result<Tenant> {
    let state: String = row.try_get("state")?;
    Ok(Tenant {
        id: row.try_get("id")?,
        slug: row.try_get("slug")?,
        name: row.try_get("name")?,
        state: TenantState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("tenant state {state:?}")))?,
        created_at: row.try_get("created_at")?,
        schema_version: row.try_get("schema_version")?,
        exported_at: row.try_get("exported_at")?,
    })
}

/// A tenant by slug, read from the control schema through `pool` (the admin's or the
/// control role's).
async fn find_tenant(
    pool: &AnyPool,
    installation: &Installation,
    slug: &str,
) -> Result<Option<Tenant>> {
    let ctl = installation.control_schema();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TENANT_COLUMNS} FROM {ctl}.tenants WHERE slug = $1"
    )))
    .bind(slug)
    .fetch_optional(pool)
    .await?
    .map(|r| tenant_from(&r))
    .transpose()
}

/// Every tenant, oldest first (any state), through `pool`.
async fn list_tenants(pool: &AnyPool, installation: &Installation) -> Result<Vec<Tenant>> {
    let ctl = installation.control_schema();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TENANT_COLUMNS} FROM {ctl}.tenants ORDER BY id"
    )))
    .fetch_all(pool)
    .await?
    .iter()
    .map(tenant_from)
    .collect()
}

/// A tenant's part of the installation's blob store: the prefix of its role name.
pub fn tenant_blob_store(store: Option<&BlobStore>, role: &str) -> Result<Option<BlobStore>> {
    store.map(|s| s.scoped(role)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(validate_slug("acme").is_ok());
        assert!(validate_slug("acme-gmbh-2").is_ok());
        for bad in [
            "",
            "Acme",
            "1acme",
            "acme-",
            "a b",
            "x'; drop schema y; --",
            "www",
        ] {
            let err = validate_slug(bad).unwrap_err().to_string();
            assert!(err.starts_with("tenant:"), "{bad}: {err}");
        }
        assert!(validate_slug(&"a".repeat(41)).is_err());
    }

    #[test]
    fn default_installation_names() {
        assert_eq!(Installation::for_database("shop").name(), "kontor_shop");
        assert_eq!(Installation::for_database("kontor").name(), "kontor_kontor");
        // Not a plain short identifier: cleaned, shortened, and told apart by a hash.
        let a = Installation::for_database("My-Shop");
        let b = Installation::for_database("my_shop");
        let c = Installation::for_database("my-shop");
        assert!(a.name().starts_with("kontor_my_shop_"), "{}", a.name());
        assert_ne!(a.name(), c.name());
        assert_ne!(b.name(), c.name());
        let long = Installation::for_database(&"x".repeat(63));
        for i in [&a, &b, &c, &long] {
            Installation::new(i.name()).unwrap();
            assert!(crate::db::is_safe_identifier(&i.tenant_role(i64::MAX)));
        }
        assert_eq!(Installation::legacy_default().name(), "kontor");
        assert_eq!(
            Installation::for_database("shop").role_comment("shop"),
            "kontor installation kontor_shop in database shop"
        );
    }

    #[test]
    fn databases_of_urls() {
        assert_eq!(
            url_database("postgres://u:p@db:5432/shop?sslmode=require").as_deref(),
            Some("shop")
        );
        assert_eq!(
            url_database("postgresql://db/My%2DShop").as_deref(),
            Some("My-Shop")
        );
        assert_eq!(url_database("postgres://db"), None);
        assert_eq!(url_database("postgres://db/"), None);
        assert_eq!(url_database("postgres://db/?x=1"), None);
    }

    #[test]
    fn urls_with_other_credentials() {
        assert_eq!(
            url_as("postgres://postgres@127.0.0.1:5432/test", "k_t1", "ab").unwrap(),
            "postgres://k_t1:ab@127.0.0.1:5432/test"
        );
        assert_eq!(
            url_as("postgresql://a:b@db/x?sslmode=require", "r", "p").unwrap(),
            "postgresql://r:p@db/x?sslmode=require"
        );
        assert_eq!(
            url_as("postgres://db:5432", "r", "p").unwrap(),
            "postgres://r:p@db:5432"
        );
        assert!(url_as("sqlite://x", "r", "p").is_err());
    }
}
