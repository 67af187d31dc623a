//! The store's tests: the conformance suite run on SQLite (a temp file) and on PostgreSQL
//! (`DATABASE_URL`, a fresh schema per test), plus SQLite-only checks of how it is opened
//! and a tidy check of the migrations.
//!
//! The PostgreSQL tests fail, never skip, when `DATABASE_URL` is unset. The schema of a
//! failed PostgreSQL test is kept for debugging; a passing test drops it.

mod conformance;
mod fixtures;

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::Connection;

use crate::Db;

/// A migrated database for one test, and what to clean up after it.
struct Harness {
    db: Db,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(
        #[expect(dead_code, reason = "held so the directory lives as long as the test")]
        tempfile::TempDir,
    ),
    Postgres {
        url: String,
        schema: String,
    },
}

impl Harness {
    async fn sqlite() -> Harness {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("habilis.db");
        let db = Db::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        db.migrate().await.unwrap();
        Harness {
            db,
            cleanup: Cleanup::Sqlite(directory),
        }
    }

    async fn postgres() -> Harness {
        let Some(url) = std::env::var("DATABASE_URL")
            .ok()
            .filter(|url| !url.is_empty())
        else {
            panic!(
                "DATABASE_URL is not set: set it to a PostgreSQL database the tests may create \
                 schemas in, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test"
            );
        };
        assert!(
            url.starts_with("postgres://") || url.starts_with("postgresql://"),
            "DATABASE_URL must name a PostgreSQL database, not `{url}`"
        );
        let schema = format!("t_{:016x}", random());
        let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&mut admin)
            .await
            .unwrap();
        admin.close().await.unwrap();
        let separator = if url.contains('?') { '&' } else { '?' };
        let db = Db::connect(&format!("{url}{separator}options[search_path]={schema}"))
            .await
            .unwrap();
        db.migrate().await.unwrap();
        Harness {
            db,
            cleanup: Cleanup::Postgres { url, schema },
        }
    }

    async fn finish(self) {
        self.db.close().await;
        if let Cleanup::Postgres { url, schema } = self.cleanup {
            let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                .execute(&mut admin)
                .await
                .unwrap();
            admin.close().await.unwrap();
        }
    }
}

/// A number unlikely to repeat across processes and tests, without a clock.
fn random() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u32(std::process::id());
    hasher.finish()
}

/// Runs every named test of `conformance` on both databases.
macro_rules! conformance_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let harness = super::Harness::sqlite().await;
                    super::conformance::$name(&harness.db).await;
                    harness.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let harness = super::Harness::postgres().await;
                    super::conformance::$name(&harness.db).await;
                    harness.finish().await;
                }
            )*
        }
    };
}

conformance_tests!(
    migrating_twice_is_idempotent,
    numbered_parameters_bind_by_number,
    every_change_round_trips,
    a_page_of_bodies_comes_in_key_order,
    removals_delete_rows,
    one_commit_may_write_an_entity_twice,
    slices_hold_what_an_operation_needs,
    entity_lists_filter_and_page,
    revisions_are_monotonic,
    changes_since_lists_committed_changes,
    world_at_replays_history,
    uniqueness_conflicts_write_nothing,
    audit_chain_verifies,
    audit_chain_detects_an_edited_event,
    audit_chain_detects_a_deleted_event,
    audit_chain_detects_a_reordered_event,
    audit_chain_detects_a_forged_tail,
    refusals_are_chained,
    audit_events_filter,
    concurrent_writers_keep_the_chain,
    tokens_are_stored_found_and_revoked,
    local_accounts_are_stored_replaced_and_audited,
    users_are_found_by_every_name,
    organizations_are_found_by_every_name,
    rollback_writes_nothing,
);

#[tokio::test]
async fn sqlite_urls_in_every_form_open_a_wal_database_with_foreign_keys() {
    let directory = tempfile::tempdir().unwrap();
    let base = directory.path();
    let urls = [
        format!("sqlite://{}", base.join("a.db").display()),
        format!("sqlite:{}", base.join("b.db").display()),
        base.join("c.db").display().to_string(),
    ];
    for url in urls {
        let db = Db::connect(&url).await.unwrap();
        assert!(db.is_sqlite());
        db.migrate().await.unwrap();
        let Db::Sqlite(pool) = &db else {
            unreachable!()
        };
        let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(mode, "wal", "{url}");
        let (foreign_keys,): (i64,) = sqlx::query_as("PRAGMA foreign_keys")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(foreign_keys, 1, "{url}");
        let (timeout,): (i64,) = sqlx::query_as("PRAGMA busy_timeout")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(timeout, 10_000, "{url}");
        db.close().await;
    }
    for name in ["a.db", "b.db", "c.db"] {
        assert!(base.join(name).exists(), "{name} was not created");
    }
}

#[tokio::test]
async fn an_in_memory_sqlite_database_works() {
    let db = Db::connect("sqlite::memory:").await.unwrap();
    db.migrate().await.unwrap();
    conformance::revisions_are_monotonic(&db).await;
}

#[tokio::test]
async fn other_urls_are_refused() {
    for url in ["", "mysql://localhost/x", "http://example.org/db"] {
        let error = Db::connect(url).await.unwrap_err();
        assert!(matches!(error, crate::StoreError::Url(_)), "{url}: {error}");
    }
}

#[test]
fn migrations_have_the_same_numbers_on_both_databases() {
    let names = |dialect: &str| {
        let directory = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(dialect);
        let mut names: Vec<String> = std::fs::read_dir(directory)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let sqlite = names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, names("postgres"));
}

#[test]
fn every_source_file_starts_with_a_module_doc() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stack = vec![root.join("src"), root.join("build.rs")];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                text.starts_with("//!"),
                "{} lacks a `//!` doc",
                path.display()
            );
        }
    }
}
