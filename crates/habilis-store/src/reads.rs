//! Reads shared by `Db` (on a pooled connection) and `Tx` (inside the write transaction).

use habilis_domain::{
    Change, Email, EnterpriseNumber, Key, NationalNumber, Organization, OrganizationId, User,
    UserId, World,
};
use serde::de::DeserializeOwned;

use crate::StoreError;
use crate::entities::{
    EntityFilter, EntityKind, SubjectIdRecord, composite_key, decode, row_change,
};
use crate::sql::{Bind, Conn, EntityPage, EntityRow, Statement, TOKEN_COLUMNS};
use crate::tokens::{TokenRecord, record_of};

const ENTITY_COLUMNS: &str = "SELECT kind, key, body FROM entities WHERE ";

fn kind_bind(kind: EntityKind) -> Bind {
    Bind::text(kind.as_str())
}

pub(crate) async fn get<T: DeserializeOwned>(
    conn: &mut Conn<'_>,
    kind: EntityKind,
    key: &str,
) -> Result<Option<T>, StoreError> {
    let mut statement = Statement::new(ENTITY_COLUMNS);
    statement
        .push("kind = ")
        .bind(kind_bind(kind))
        .push(" AND key = ")
        .bind(Bind::text(key));
    first(conn, kind, statement).await
}

/// The entity of `kind` whose `column` (`natural_key` or `secondary_key`) is `value`.
async fn by_unique<T: DeserializeOwned>(
    conn: &mut Conn<'_>,
    kind: EntityKind,
    column: &str,
    value: &str,
) -> Result<Option<T>, StoreError> {
    let mut statement = Statement::new(ENTITY_COLUMNS);
    statement
        .push("kind = ")
        .bind(kind_bind(kind))
        .push(&format!(" AND {column} = "))
        .bind(Bind::text(value));
    first(conn, kind, statement).await
}

async fn first<T: DeserializeOwned>(
    conn: &mut Conn<'_>,
    kind: EntityKind,
    statement: Statement,
) -> Result<Option<T>, StoreError> {
    let rows = conn.entities(statement).await?;
    rows.first()
        .map(|row| decode(kind, &row.key, &row.body))
        .transpose()
}

/// Resolves a user named by Habilis id, subject id linked for `application`, national
/// register number or e-mail, in that order (as `World::resolve_user`).
pub(crate) async fn find_user(
    conn: &mut Conn<'_>,
    name: &str,
    application: Option<&str>,
) -> Result<Option<User>, StoreError> {
    if let Some(user) = get::<User>(conn, EntityKind::User, name).await? {
        return Ok(Some(user));
    }
    if let Some(application) = application {
        let key = composite_key(&[application, name]);
        if let Some(record) = get::<SubjectIdRecord>(conn, EntityKind::SubjectId, &key).await? {
            return get(conn, EntityKind::User, record.user.as_str()).await;
        }
    }
    if let Ok(number) = NationalNumber::parse(name) {
        return by_unique(conn, EntityKind::User, "natural_key", number.digits()).await;
    }
    if let Ok(email) = Email::parse(name) {
        return by_unique(conn, EntityKind::User, "secondary_key", email.as_str()).await;
    }
    Ok(None)
}

/// The user an application knows by `subject` (a linked subject id), and only that way.
pub(crate) async fn find_user_by_subject_id(
    conn: &mut Conn<'_>,
    application: &str,
    subject: &str,
) -> Result<Option<User>, StoreError> {
    let key = composite_key(&[application, subject]);
    match get::<SubjectIdRecord>(conn, EntityKind::SubjectId, &key).await? {
        Some(record) => get(conn, EntityKind::User, record.user.as_str()).await,
        None => Ok(None),
    }
}

/// Resolves an organisation named by Habilis id, enterprise number or external id (as
/// `World::resolve_organization`).
pub(crate) async fn find_organization(
    conn: &mut Conn<'_>,
    name: &str,
) -> Result<Option<Organization>, StoreError> {
    if let Some(organization) = get(conn, EntityKind::Organization, name).await? {
        return Ok(Some(organization));
    }
    if let Ok(number) = EnterpriseNumber::parse(name) {
        return by_unique(
            conn,
            EntityKind::Organization,
            "natural_key",
            number.digits(),
        )
        .await;
    }
    by_unique(conn, EntityKind::Organization, "secondary_key", name).await
}

fn filtered(select: &str, kind: EntityKind, filter: &EntityFilter) -> Statement {
    let mut statement = Statement::new(select);
    statement.push("kind = ").bind(kind_bind(kind));
    if let Some(organization) = &filter.organization {
        statement
            .push(" AND (organization_id = ")
            .bind(Bind::text(organization.as_str()))
            .push(" OR other_organization_id = ")
            .bind(Bind::text(organization.as_str()))
            .push(")");
    }
    if let Some(other) = &filter.other_organization {
        statement
            .push(" AND other_organization_id = ")
            .bind(Bind::text(other.as_str()));
    }
    if let Some(user) = &filter.user {
        statement
            .push(" AND user_id = ")
            .bind(Bind::text(user.as_str()));
    }
    if let Some(application) = &filter.application {
        statement
            .push(" AND application = ")
            .bind(Bind::text(application.as_str()));
    }
    statement
}

pub(crate) async fn load_entities<T: DeserializeOwned>(
    conn: &mut Conn<'_>,
    kind: EntityKind,
    filter: &EntityFilter,
) -> Result<Vec<T>, StoreError> {
    let mut statement = filtered(ENTITY_COLUMNS, kind, filter);
    let limit = filter.limit.map_or(i64::MAX, i64::from);
    statement
        .push(" ORDER BY key LIMIT ")
        .bind(Bind::int(limit))
        .push(" OFFSET ")
        .bind(Bind::int(i64::from(filter.offset)));
    conn.entities(statement)
        .await?
        .iter()
        .map(|row| decode(kind, &row.key, &row.body))
        .collect()
}

pub(crate) async fn count_entities(
    conn: &mut Conn<'_>,
    kind: EntityKind,
    filter: &EntityFilter,
) -> Result<u64, StoreError> {
    let statement = filtered("SELECT COUNT(*) FROM entities WHERE ", kind, filter);
    let count = conn.integer(statement).await?.unwrap_or(0);
    Ok(u64::try_from(count).unwrap_or(0))
}

/// Every entity as the change that would write it, in `EntityKind::ALL` order and then by
/// key, the same on both databases (PostgreSQL compares keys in the "C" collation, SQLite
/// byte-wise). Handed to `sink` in chunks of at most `chunk`, as the rows arrive: a world of
/// millions of entities is never held whole, neither as rows nor as changes.
pub(crate) async fn each_change(
    conn: &mut Conn<'_>,
    chunk: usize,
    mut sink: impl FnMut(Vec<Change>),
) -> Result<(), StoreError> {
    let chunk = chunk.max(1);
    let mut decoding = Decoding::default();
    for kind in EntityKind::ALL {
        if sqlite_pages_of(conn, kind, chunk, &mut decoding, &mut sink).await? {
            continue;
        }
        decoding.finish(&mut sink).await?;
        let mut statement = Statement::new("SELECT kind, key, body FROM entities WHERE kind = ");
        statement.bind(kind_bind(kind)).push(" ORDER BY key");
        let mut pending = Vec::with_capacity(chunk);
        conn.entities_each(statement, |row| {
            pending.push(row_change(&row.kind, &row.key, &row.body)?);
            if pending.len() >= chunk {
                sink(std::mem::replace(&mut pending, Vec::with_capacity(chunk)));
            }
            Ok(())
        })
        .await?;
        if !pending.is_empty() {
            sink(pending);
        }
    }
    decoding.finish(&mut sink).await
}

/// The page of SQLite bodies being decoded on a blocking thread while the connection's own
/// thread reads the next page: reading a page and decoding it take about as long, and one
/// after the other they would leave a core idle during most of a start-up.
#[derive(Default)]
struct Decoding(Option<tokio::task::JoinHandle<Result<Vec<Change>, StoreError>>>);

impl Decoding {
    /// Decodes `page` meanwhile; the page before must have been finished.
    fn start(&mut self, kind: EntityKind, place: String, page: EntityPage) {
        self.0 = Some(tokio::task::spawn_blocking(move || {
            let changes = page
                .bodies
                .lines()
                .map(|body| row_change(kind.as_str(), &place, body))
                .collect::<Result<Vec<_>, _>>()?;
            if changes.len() != page.count {
                return Err(StoreError::Corrupt(format!(
                    "a page of {} entities {place}: {} bodies for {} rows",
                    kind.as_str(),
                    changes.len(),
                    page.count
                )));
            }
            Ok(changes)
        }));
    }

    /// Hands the page being decoded, if any, to `sink`.
    async fn finish(&mut self, sink: &mut impl FnMut(Vec<Change>)) -> Result<(), StoreError> {
        let Some(decoding) = self.0.take() else {
            return Ok(());
        };
        let changes = decoding.await.map_err(|error| {
            StoreError::Corrupt(format!(
                "the decoding of a page of entities failed: {error}"
            ))
        })??;
        if !changes.is_empty() {
            sink(changes);
        }
        Ok(())
    }
}

/// `each_change` for one kind on SQLite, a page of `chunk` entities at a time
/// (`Conn::sqlite_entity_page`), each page decoded while the next is read (`decoding`, which
/// may hold the previous kind's last page on entry and holds this kind's on return);
/// `false` on PostgreSQL, whose driver streams rows without a hand-over per row.
async fn sqlite_pages_of(
    conn: &mut Conn<'_>,
    kind: EntityKind,
    chunk: usize,
    decoding: &mut Decoding,
    sink: &mut impl FnMut(Vec<Change>),
) -> Result<bool, StoreError> {
    let mut after: Option<String> = None;
    loop {
        let Some(mut page) = conn
            .sqlite_entity_page(kind.as_str(), after.as_deref(), chunk)
            .await?
        else {
            return Ok(false);
        };
        decoding.finish(sink).await?;
        // A refused body is named by the page it is in (its key is not read).
        let place = format!("after {}", after.as_deref().unwrap_or("the first key"));
        let next = page.last.take().filter(|_| page.count >= chunk);
        decoding.start(kind, place, page);
        match next {
            Some(last) => after = Some(last),
            None => return Ok(true),
        }
    }
}

fn apply_rows(world: &mut World, rows: &[EntityRow]) -> Result<(), StoreError> {
    for row in rows {
        world.apply(&row_change(&row.kind, &row.key, &row.body)?);
    }
    Ok(())
}

fn texts<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<Bind> {
    values.into_iter().map(Bind::text).collect()
}

fn kinds(kinds: &[EntityKind]) -> Vec<Bind> {
    kinds.iter().map(|kind| kind_bind(*kind)).collect()
}

async fn by_keys(
    conn: &mut Conn<'_>,
    kind: EntityKind,
    keys: Vec<Bind>,
) -> Result<Vec<EntityRow>, StoreError> {
    let mut statement = Statement::new(ENTITY_COLUMNS);
    statement
        .push("kind = ")
        .bind(kind_bind(kind))
        .push(" AND key IN ")
        .bind_list(keys);
    conn.entities(statement).await
}

/// The part of the world an operation on these organisations, users and applications needs
/// (see `Tx::load_slice`).
pub(crate) async fn slice(
    conn: &mut Conn<'_>,
    organizations: &[OrganizationId],
    users: &[UserId],
    applications: &[Key],
) -> Result<World, StoreError> {
    let mut world = World::default();
    let mut statement = Statement::new(ENTITY_COLUMNS);
    statement.push("kind IN ").bind_list(kinds(&[
        EntityKind::Settings,
        EntityKind::Levels,
        EntityKind::Operator,
    ]));
    apply_rows(&mut world, &conn.entities(statement).await?)?;

    if !organizations.is_empty() {
        let names = || texts(organizations.iter().map(OrganizationId::as_str));
        apply_rows(
            &mut world,
            &by_keys(conn, EntityKind::Organization, names()).await?,
        )?;
        let mut statement = Statement::new(ENTITY_COLUMNS);
        statement
            .push("kind IN ")
            .bind_list(kinds(&[
                EntityKind::LegalRepresentative,
                EntityKind::Membership,
                EntityKind::Subscription,
                EntityKind::Designation,
                EntityKind::Grant,
                EntityKind::Mandate,
                EntityKind::Approval,
            ]))
            .push(" AND (organization_id IN ")
            .bind_list(names())
            .push(" OR other_organization_id IN ")
            .bind_list(names())
            .push(")");
        apply_rows(&mut world, &conn.entities(statement).await?)?;
    }

    if !users.is_empty() {
        let names = || texts(users.iter().map(UserId::as_str));
        apply_rows(&mut world, &by_keys(conn, EntityKind::User, names()).await?)?;
        let mut statement = Statement::new(ENTITY_COLUMNS);
        statement
            .push("kind IN ")
            .bind_list(kinds(&[
                EntityKind::LegalRepresentative,
                EntityKind::SubjectId,
                EntityKind::Membership,
                EntityKind::Designation,
                EntityKind::Grant,
                EntityKind::Suspension,
            ]))
            .push(" AND user_id IN ")
            .bind_list(names());
        apply_rows(&mut world, &conn.entities(statement).await?)?;
    }

    if !applications.is_empty() {
        let names = texts(applications.iter().map(Key::as_str));
        apply_rows(
            &mut world,
            &by_keys(conn, EntityKind::Application, names).await?,
        )?;
    }

    // The organisations on the other side of the mandates.
    let missing: Vec<Bind> = world
        .mandates
        .values()
        .flat_map(|mandate| [&mandate.mandator, &mandate.mandatary])
        .filter(|organization| !world.organizations.contains_key(*organization))
        .map(|organization| Bind::text(organization.as_str()))
        .collect();
    if !missing.is_empty() {
        apply_rows(
            &mut world,
            &by_keys(conn, EntityKind::Organization, missing).await?,
        )?;
    }
    Ok(world)
}

pub(crate) async fn find_token(
    conn: &mut Conn<'_>,
    id: &str,
) -> Result<Option<TokenRecord>, StoreError> {
    let mut statement = Statement::new(&format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE id = "));
    statement.bind(Bind::text(id));
    conn.token_rows(statement)
        .await?
        .into_iter()
        .next()
        .map(record_of)
        .transpose()
}

pub(crate) async fn list_tokens(
    conn: &mut Conn<'_>,
    user: Option<&UserId>,
    application: Option<&Key>,
) -> Result<Vec<TokenRecord>, StoreError> {
    let mut statement = Statement::new(&format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE 1 = 1"));
    if let Some(user) = user {
        statement
            .push(" AND user_id = ")
            .bind(Bind::text(user.as_str()));
    }
    if let Some(application) = application {
        statement
            .push(" AND application = ")
            .bind(Bind::text(application.as_str()));
    }
    statement.push(" ORDER BY created_at, id");
    conn.token_rows(statement)
        .await?
        .into_iter()
        .map(record_of)
        .collect()
}
