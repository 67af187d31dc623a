//! Organisations, users, memberships, legal representatives, linked subject ids and
//! suspensions.

use habilis_domain::powers;
use habilis_domain::{
    Change, Email, Ended, EnterpriseNumber, InvalidCode, InvalidInput, Key, Language,
    LocalizedName, Membership, NationalNumber, Organization, OrganizationId, OrganizationKind,
    Refusal, RefusalCode, Status, Suspended, Suspension, SuspensionId, User, UserId,
};

use super::{fresh, parse_key, reason_text, shown};
use crate::error::Error;
use crate::services::{AuditContext, Caller, Committed, Services};

#[derive(Clone, Debug)]
pub struct NewOrganization {
    pub enterprise_number: Option<EnterpriseNumber>,
    pub external_id: Option<String>,
    pub kind: OrganizationKind,
    pub name: LocalizedName,
    pub require_approval: bool,
}

#[derive(Clone, Debug)]
pub struct NewUser {
    pub national_number: Option<NationalNumber>,
    pub email: Option<Email>,
    pub given_name: String,
    pub family_name: String,
    pub language: Language,
    /// A manager creating a user makes them a member of this organisation.
    pub member_of: Option<String>,
}

fn person_name(field: &'static str, text: &str) -> Result<String, Error> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 200 || text.chars().any(char::is_control) {
        return Err(Error::invalid(InvalidInput::because(
            field,
            InvalidCode::InvalidName,
            format!("`{field}` must be 1 to 200 printable characters"),
        )));
    }
    Ok(text.to_owned())
}

impl Services {
    pub async fn create_organization(
        &self,
        caller: &Caller,
        input: NewOrganization,
    ) -> Result<Committed<Organization>, Error> {
        let name = input.name.validate("name")?;
        if input.enterprise_number.is_none()
            && input
                .external_id
                .as_deref()
                .is_none_or(|id| id.trim().is_empty())
        {
            return Err(Error::invalid(InvalidInput::because(
                "enterprise_number",
                InvalidCode::MissingField,
                "an organisation needs an enterprise number or, for foreign or unregistered bodies, an external id",
            )));
        }
        let mut context = AuditContext::new("organization.create");
        context.detail = serde_json::json!({ "enterprise_number": input.enterprise_number.as_ref().map(ToString::to_string), "kind": input.kind.as_str() });
        let mut tx = self.db.begin().await?;
        let world = tx.load_slice(&[], caller.user.as_slice(), &[]).await?;
        let now = self.now();
        if let Err(refusal) = powers::operator_only(&world, &caller.actor(), now) {
            return self.refuse(tx, caller, &context, refusal).await;
        }
        let organization = fresh(OrganizationId::PREFIX, |id| Organization {
            id: OrganizationId::new(id),
            enterprise_number: input.enterprise_number,
            external_id: input.external_id.map(|id| id.trim().to_owned()),
            kind: input.kind,
            name,
            suspended: None,
            require_approval: input.require_approval,
            created_at: now,
        });
        context.organization = Some(organization.id.clone());
        context.target = Some(organization.id.to_string());
        let revision = self
            .commit(
                tx,
                caller,
                &context,
                vec![Change::Organization(organization.clone())],
            )
            .await?;
        Ok(Committed {
            value: organization,
            revision,
        })
    }

    /// Suspends an organisation (`reason: Some`) or lifts its suspension (`None`).
    pub async fn suspend_organization(
        &self,
        caller: &Caller,
        organization: &str,
        reason: Option<String>,
    ) -> Result<Committed<Organization>, Error> {
        let lifting = reason.is_none();
        let mut context = AuditContext::new(if lifting {
            "organization.suspension.lift"
        } else {
            "organization.suspend"
        });
        let reason = reason_text(reason)?;
        let mut tx = self.db.begin().await?;
        let mut found = self.organization_named(&mut tx, organization).await?;
        context.organization = Some(found.id.clone());
        context.target = Some(found.id.to_string());
        context.reason = Some(reason.clone());
        let world = tx.load_slice(&[], caller.user.as_slice(), &[]).await?;
        let now = self.now();
        if let Err(refusal) = powers::operator_only(&world, &caller.actor(), now) {
            return self.refuse(tx, caller, &context, refusal).await;
        }
        if !lifting && reason.is_empty() {
            return self
                .refuse(
                    tx,
                    caller,
                    &context,
                    Refusal::new(RefusalCode::ReasonRequired),
                )
                .await;
        }
        found.suspended = if lifting {
            None
        } else {
            Some(Suspended {
                reason,
                by: caller.user.clone(),
                at: now,
            })
        };
        let revision = self
            .commit(
                tx,
                caller,
                &context,
                vec![Change::Organization(found.clone())],
            )
            .await?;
        Ok(Committed {
            value: found,
            revision,
        })
    }

    pub async fn add_legal_representative(
        &self,
        caller: &Caller,
        organization: &str,
        user: &str,
    ) -> Result<Committed<()>, Error> {
        let mut context = AuditContext::new("organization.legal_representative.add");
        let mut tx = self.db.begin().await?;
        let found = self.organization_named(&mut tx, organization).await?;
        let person = self.user_named(&mut tx, user).await?;
        context.organization = Some(found.id.clone());
        context.subject_user = Some(person.id.clone());
        let world = tx
            .load_slice(std::slice::from_ref(&found.id), caller.user.as_slice(), &[])
            .await?;
        if let Err(refusal) = powers::operator_only(&world, &caller.actor(), self.now()) {
            return self.refuse(tx, caller, &context, refusal).await;
        }
        if world.is_legal_representative(&found.id, &person.id) {
            return self
                .refuse(
                    tx,
                    caller,
                    &context,
                    Refusal::new(RefusalCode::AlreadyExists),
                )
                .await;
        }
        let change = Change::LegalRepresentative {
            organization: found.id,
            user: person.id,
            present: true,
        };
        let revision = self.commit(tx, caller, &context, vec![change]).await?;
        Ok(Committed {
            value: (),
            revision,
        })
    }

    /// Requires (or stops requiring) a second person's approval for every change of access
    /// in an organisation.
    pub async fn set_organization_approval(
        &self,
        caller: &Caller,
        organization: &str,
        required: bool,
    ) -> Result<Committed<Organization>, Error> {
        let mut context = AuditContext::new("organization.require_approval");
        context.detail = serde_json::json!({ "required": required });
        let mut tx = self.db.begin().await?;
        let mut found = self.organization_named(&mut tx, organization).await?;
        context.organization = Some(found.id.clone());
        let world = tx
            .load_slice(std::slice::from_ref(&found.id), caller.user.as_slice(), &[])
            .await?;
        if let Err(refusal) =
            powers::set_organization_approval(&world, &caller.actor(), &found.id, self.now())
        {
            return self.refuse(tx, caller, &context, refusal).await;
        }
        found.require_approval = required;
        let revision = self
            .commit(
                tx,
                caller,
                &context,
                vec![Change::Organization(found.clone())],
            )
            .await?;
        Ok(Committed {
            value: found,
            revision,
        })
    }

    pub async fn create_user(
        &self,
        caller: &Caller,
        input: NewUser,
    ) -> Result<Committed<User>, Error> {
        let given_name = person_name("given_name", &input.given_name)?;
        let family_name = person_name("family_name", &input.family_name)?;
        if input.national_number.is_none() && input.email.is_none() {
            return Err(Error::invalid(InvalidInput::because(
                "email",
                InvalidCode::MissingField,
                "a user needs a national register number or an e-mail address",
            )));
        }
        let mut context = AuditContext::new("user.create");
        let mut tx = self.db.begin().await?;
        let organization = match &input.member_of {
            Some(name) => Some(self.organization_named(&mut tx, name).await?),
            None => None,
        };
        context.organization = organization.as_ref().map(|o| o.id.clone());
        let organizations: Vec<OrganizationId> =
            organization.iter().map(|o| o.id.clone()).collect();
        let world = tx
            .load_slice(&organizations, caller.user.as_slice(), &[])
            .await?;
        let now = self.now();
        if let Err(refusal) =
            powers::create_user(&world, &caller.actor(), organizations.first(), now)
        {
            return self.refuse(tx, caller, &context, refusal).await;
        }
        let user = fresh(UserId::PREFIX, |id| User {
            id: UserId::new(id),
            national_number: input.national_number,
            email: input.email,
            given_name,
            family_name,
            language: input.language,
            created_at: now,
        });
        context.subject_user = Some(user.id.clone());
        let mut changes = vec![Change::User(user.clone())];
        if let Some(organization) = &organization {
            changes.push(Change::Membership(Membership {
                organization: organization.id.clone(),
                user: user.id.clone(),
                since: now,
                ended_at: None,
            }));
        }
        let revision = self.commit(tx, caller, &context, changes).await?;
        Ok(Committed {
            value: user,
            revision,
        })
    }

    /// Sets the caller's own preferred language (the interface and e-mails use it). Only a
    /// person's own; audited like every change.
    pub async fn set_own_language(
        &self,
        caller: &Caller,
        language: habilis_domain::Language,
    ) -> Result<Committed<User>, Error> {
        let mut context = AuditContext::new("user.language");
        let Some(me) = caller.user.clone() else {
            return Err(Error::Unauthenticated);
        };
        let mut tx = self.db.begin().await?;
        let mut user = self.user_named(&mut tx, me.as_str()).await?;
        context.subject_user = Some(user.id.clone());
        context.detail = serde_json::json!({ "language": language.as_str() });
        if user.language == language {
            tx.rollback().await?;
            return Ok(Committed {
                value: user,
                revision: self.revision(),
            });
        }
        user.language = language;
        let revision = self
            .commit(tx, caller, &context, vec![Change::User(user.clone())])
            .await?;
        Ok(Committed {
            value: user,
            revision,
        })
    }

    /// Links (`present`) or unlinks an id by which an application knows a user.
    pub async fn link_subject_id(
        &self,
        caller: &Caller,
        user: &str,
        application: &str,
        subject_id: &str,
        present: bool,
    ) -> Result<Committed<()>, Error> {
        let application_key = parse_key("application", application)?;
        let subject_id = subject_id.trim();
        if subject_id.is_empty() || subject_id.chars().count() > 256 {
            return Err(Error::invalid(InvalidInput::new(
                "subject_id",
                InvalidCode::InvalidKey,
                subject_id,
            )));
        }
        let mut context = AuditContext::new(if present {
            "user.subject_id.link"
        } else {
            "user.subject_id.unlink"
        });
        context.application = Some(application_key.clone());
        context.detail = serde_json::json!({ "subject_id": subject_id });
        let mut tx = self.db.begin().await?;
        let person = self.user_named(&mut tx, user).await?;
        context.subject_user = Some(person.id.clone());
        let world = tx
            .load_slice(
                &[],
                std::slice::from_ref(&person.id),
                std::slice::from_ref(&application_key),
            )
            .await?;
        let Some(found) = world.applications.get(&application_key) else {
            return Err(Error::not_found(format!(
                "application `{}`",
                shown(application)
            )));
        };
        let owner = found.owner.clone();
        let world = tx
            .load_slice(
                &[owner],
                &[person.id.clone()]
                    .into_iter()
                    .chain(caller.user.clone())
                    .collect::<Vec<_>>(),
                std::slice::from_ref(&application_key),
            )
            .await?;
        let Some(found) = world.applications.get(&application_key) else {
            return Err(Error::not_found(format!(
                "application `{}`",
                shown(application)
            )));
        };
        if let Err(refusal) = powers::link_subject_id(&world, &caller.actor(), found, self.now()) {
            return self.refuse(tx, caller, &context, refusal).await;
        }
        let existing = tx
            .find_user(subject_id, Some(application_key.as_str()))
            .await?;
        if present
            && existing.as_ref().is_some_and(|other| {
                other.id != person.id
                    && world
                        .subject_ids
                        .contains_key(&(application_key.clone(), subject_id.to_owned()))
            })
        {
            return Err(Error::Conflict {
                what: format!(
                    "subject id `{}` is linked to another user",
                    shown(subject_id)
                ),
            });
        }
        let change = Change::SubjectId {
            application: application_key,
            subject_id: subject_id.to_owned(),
            user: person.id,
            present,
        };
        let revision = self.commit(tx, caller, &context, vec![change]).await?;
        Ok(Committed {
            value: (),
            revision,
        })
    }

    /// Suspends a user platform-wide or for one application (`reason: Some`), or lifts the
    /// matching suspensions (`reason: None`).
    pub async fn suspend_user(
        &self,
        caller: &Caller,
        user: &str,
        application: Option<&str>,
        reason: Option<String>,
    ) -> Result<Committed<()>, Error> {
        let lifting = reason.is_none();
        let application_key = application
            .map(|a| parse_key("application", a))
            .transpose()?;
        let mut context = AuditContext::new(if lifting {
            "user.suspension.lift"
        } else {
            "user.suspend"
        });
        let reason = reason_text(reason)?;
        context.application = application_key.clone();
        context.reason = Some(reason.clone());
        let mut tx = self.db.begin().await?;
        let person = self.user_named(&mut tx, user).await?;
        context.subject_user = Some(person.id.clone());
        let applications: Vec<Key> = application_key.iter().cloned().collect();
        let mut world = tx
            .load_slice(&[], std::slice::from_ref(&person.id), &applications)
            .await?;
        let found = match &application_key {
            Some(key) => {
                let Some(found) = world.applications.get(key).cloned() else {
                    return Err(Error::not_found(format!("application `{key}`")));
                };
                let users: Vec<UserId> = [person.id.clone()]
                    .into_iter()
                    .chain(caller.user.clone())
                    .collect();
                world = tx
                    .load_slice(std::slice::from_ref(&found.owner), &users, &applications)
                    .await?;
                Some(found)
            }
            None => None,
        };
        let now = self.now();
        if let Err(refusal) =
            powers::suspend_user(&world, &caller.actor(), &person.id, found.as_ref(), now)
        {
            return self.refuse(tx, caller, &context, refusal).await;
        }
        let changes: Vec<Change> = if lifting {
            world
                .suspensions
                .values()
                .filter(|s| {
                    s.user == person.id && s.application == application_key && s.is_in_force(now)
                })
                .map(|s| {
                    let mut lifted = s.clone();
                    lifted.lifted = Some(Ended {
                        at: now,
                        by: caller.user.clone(),
                        reason: reason.clone(),
                    });
                    Change::Suspension(lifted)
                })
                .collect()
        } else {
            if reason.is_empty() {
                return self
                    .refuse(
                        tx,
                        caller,
                        &context,
                        Refusal::new(RefusalCode::ReasonRequired),
                    )
                    .await;
            }
            vec![Change::Suspension(fresh(SuspensionId::PREFIX, |id| {
                Suspension {
                    id: SuspensionId::new(id),
                    user: person.id.clone(),
                    application: application_key.clone(),
                    reason: reason.clone(),
                    by: caller.user.clone(),
                    at: now,
                    lifted: None,
                }
            }))]
        };
        if changes.is_empty() {
            return Err(Error::not_found("suspension in force"));
        }
        let revision = self.commit(tx, caller, &context, changes).await?;
        Ok(Committed {
            value: (),
            revision,
        })
    }

    pub async fn add_member(
        &self,
        caller: &Caller,
        organization: &str,
        user: &str,
    ) -> Result<Committed<Membership>, Error> {
        let mut context = AuditContext::new("member.add");
        let mut tx = self.db.begin().await?;
        let found = self.organization_named(&mut tx, organization).await?;
        let person = self.user_named(&mut tx, user).await?;
        context.organization = Some(found.id.clone());
        context.subject_user = Some(person.id.clone());
        let users: Vec<UserId> = [person.id.clone()]
            .into_iter()
            .chain(caller.user.clone())
            .collect();
        let world = tx
            .load_slice(std::slice::from_ref(&found.id), &users, &[])
            .await?;
        let now = self.now();
        if let Err(refusal) = powers::add_member(&world, &caller.actor(), &found.id, now) {
            return self.refuse(tx, caller, &context, refusal).await;
        }
        if world.is_member(&found.id, &person.id, now) {
            return self
                .refuse(
                    tx,
                    caller,
                    &context,
                    Refusal::new(RefusalCode::AlreadyExists),
                )
                .await;
        }
        let membership = Membership {
            organization: found.id,
            user: person.id,
            since: now,
            ended_at: None,
        };
        let revision = self
            .commit(
                tx,
                caller,
                &context,
                vec![Change::Membership(membership.clone())],
            )
            .await?;
        Ok(Committed {
            value: membership,
            revision,
        })
    }

    /// Ends a membership, and with it every grant and designation the person held there.
    pub async fn remove_member(
        &self,
        caller: &Caller,
        organization: &str,
        user: &str,
        reason: Option<String>,
    ) -> Result<Committed<()>, Error> {
        let mut context = AuditContext::new("member.remove");
        let reason = reason_text(reason)?;
        context.reason = Some(reason.clone());
        let mut tx = self.db.begin().await?;
        let found = self.organization_named(&mut tx, organization).await?;
        let person = self.user_named(&mut tx, user).await?;
        context.organization = Some(found.id.clone());
        context.subject_user = Some(person.id.clone());
        let users: Vec<UserId> = [person.id.clone()]
            .into_iter()
            .chain(caller.user.clone())
            .collect();
        let world = tx
            .load_slice(std::slice::from_ref(&found.id), &users, &[])
            .await?;
        let now = self.now();
        if let Err(refusal) =
            powers::remove_member(&world, &caller.actor(), &found.id, &person.id, now)
        {
            return self.refuse(tx, caller, &context, refusal).await;
        }
        let ended = Ended {
            at: now,
            by: caller.user.clone(),
            reason: if reason.is_empty() {
                "membership ended".into()
            } else {
                reason
            },
        };
        let mut changes = Vec::new();
        if let Some(membership) = world
            .memberships
            .get(&(found.id.clone(), person.id.clone()))
        {
            let mut membership = membership.clone();
            membership.ended_at = Some(now);
            changes.push(Change::Membership(membership));
        }
        for grant in world
            .grants
            .values()
            .filter(|g| g.organization == found.id && g.user == person.id)
        {
            if matches!(grant.status, Status::Active | Status::Pending)
                && !grant.validity.is_over(now)
            {
                let mut grant = grant.clone();
                grant.status = Status::Revoked;
                grant.ended = Some(ended.clone());
                changes.push(Change::Grant(grant));
            }
        }
        for designation in world
            .designations
            .values()
            .filter(|d| d.organization == found.id && d.user == person.id)
        {
            if matches!(designation.status, Status::Active | Status::Pending)
                && !designation.validity.is_over(now)
            {
                let mut designation = designation.clone();
                designation.status = Status::Revoked;
                designation.ended = Some(ended.clone());
                changes.push(Change::Designation(designation));
            }
        }
        let revision = self.commit(tx, caller, &context, changes).await?;
        Ok(Committed {
            value: (),
            revision,
        })
    }

    /// A user as the caller may see them.
    pub async fn get_user(&self, caller: &Caller, user: &str) -> Result<User, Error> {
        let mut context = AuditContext::new("user.read");
        let world = self.db.read_slice(&[], caller.user.as_slice(), &[]).await?;
        let person = match user {
            "me" => caller
                .user
                .as_ref()
                .and_then(|id| world.users.get(id))
                .cloned(),
            _ => self.db.find_user(user, None).await?,
        };
        let Some(person) = person else {
            return Err(Error::not_found(format!("user `{}`", shown(user))));
        };
        context.subject_user = Some(person.id.clone());
        let users: Vec<UserId> = [person.id.clone()]
            .into_iter()
            .chain(caller.user.clone())
            .collect();
        let memberships: Vec<OrganizationId> = self
            .db
            .read_slice(&[], std::slice::from_ref(&person.id), &[])
            .await?
            .memberships
            .keys()
            .map(|(o, _)| o.clone())
            .collect();
        let world = self.db.read_slice(&memberships, &users, &[]).await?;
        if let Err(refusal) = powers::see_user(&world, &caller.actor(), &person.id, self.now()) {
            self.record_refusal(caller, &context, &refusal).await?;
            return Err(Error::Refused(refusal));
        }
        Ok(person)
    }
}
