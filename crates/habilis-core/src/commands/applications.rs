//! Applications, subscriptions and registered resources.

use habilis_domain::powers;
use habilis_domain::{
    Application, Change, InvalidCode, InvalidInput, Key, Refusal, RefusalCode, Resource,
    Subscription,
};
use habilis_store::EntityKind;

use super::{parse_key, shown};
use crate::error::Error;
use crate::services::{AuditContext, Caller, Committed, Services};

/// A resource as an application registers it; organisation and owner are names to resolve.
#[derive(Clone, Debug)]
pub struct ResourceInput {
    pub resource_type: String,
    pub id: String,
    pub organization: String,
    pub matter: Option<String>,
    pub category: Option<String>,
    pub owner: Option<String>,
}

/// The most resources one call may register.
pub const MAX_RESOURCES_PER_CALL: usize = 10_000;

impl Services {
    /// Registers a new application (operator) or replaces an existing one's definition (its
    /// owner or the operator).
    pub async fn save_application(
        &self,
        caller: &Caller,
        mut application: Application,
        create: bool,
    ) -> Result<Committed<Application>, Error> {
        let mut context = AuditContext::new(if create {
            "application.create"
        } else {
            "application.update"
        });
        context.application = Some(application.key.clone());
        context.organization = Some(application.owner.clone());
        let mut tx = self.db.begin().await?;
        let existing = tx
            .get::<Application>(EntityKind::Application, application.key.as_str())
            .await?;
        let owner = self
            .organization_named(&mut tx, application.owner.as_str())
            .await?;
        application.owner = owner.id.clone();
        let mut organizations = vec![owner.id.clone()];
        if let Some(existing) = &existing {
            organizations.push(existing.owner.clone());
        }
        let world = tx
            .load_slice(
                &organizations,
                caller.user.as_slice(),
                std::slice::from_ref(&application.key),
            )
            .await?;
        let problems = application.validate(&world.levels);
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let now = self.now();
        let rule = match (&existing, create) {
            (None, true) => powers::operator_only(&world, &caller.actor(), now),
            (Some(_), true) => Err(Refusal::with_detail(
                RefusalCode::AlreadyExists,
                format!("application `{}` exists already", application.key),
            )),
            (None, false) => {
                return Err(Error::not_found(format!(
                    "application `{}`",
                    application.key
                )));
            }
            (Some(existing), false) => {
                powers::edit_application(&world, &caller.actor(), existing, now).and_then(|()| {
                    // Handing an application to another owner is the operator's decision.
                    if existing.owner != application.owner {
                        powers::operator_only(&world, &caller.actor(), now)
                    } else {
                        Ok(())
                    }
                })
            }
        };
        if let Err(refusal) = rule {
            return self.refuse(tx, caller, &context, refusal).await;
        }
        application.created_at = existing.as_ref().map_or(now, |e| e.created_at);
        context.detail = serde_json::json!({ "before": existing, "after": application });
        let revision = self
            .commit(
                tx,
                caller,
                &context,
                vec![Change::Application(application.clone())],
            )
            .await?;
        Ok(Committed {
            value: application,
            revision,
        })
    }

    pub async fn subscribe(
        &self,
        caller: &Caller,
        organization: &str,
        application: &str,
    ) -> Result<Committed<Subscription>, Error> {
        let key = parse_key("application", application)?;
        let mut context = AuditContext::new("subscription.create");
        context.application = Some(key.clone());
        let mut tx = self.db.begin().await?;
        let found = self.organization_named(&mut tx, organization).await?;
        context.organization = Some(found.id.clone());
        let world = tx
            .load_slice(
                std::slice::from_ref(&found.id),
                caller.user.as_slice(),
                std::slice::from_ref(&key),
            )
            .await?;
        let Some(definition) = world.applications.get(&key) else {
            return Err(Error::not_found(format!(
                "application `{}`",
                shown(application)
            )));
        };
        let now = self.now();
        if let Err(refusal) = powers::subscribe(&world, &caller.actor(), &found.id, definition, now)
        {
            return self.refuse(tx, caller, &context, refusal).await;
        }
        let subscription = Subscription {
            organization: found.id,
            application: key,
            since: now,
        };
        let change = Change::Subscription {
            subscription: subscription.clone(),
            present: true,
        };
        let revision = self.commit(tx, caller, &context, vec![change]).await?;
        Ok(Committed {
            value: subscription,
            revision,
        })
    }

    /// Registers or updates resources of the calling application, all or nothing.
    pub async fn register_resources(
        &self,
        caller: &Caller,
        inputs: Vec<ResourceInput>,
    ) -> Result<Committed<usize>, Error> {
        let mut context = AuditContext::new("resource.upsert");
        context.application = caller.application.clone();
        context.detail = serde_json::json!({ "count": inputs.len() });
        if inputs.len() > MAX_RESOURCES_PER_CALL {
            return Err(Error::invalid(InvalidInput::because(
                "resources",
                InvalidCode::TooLong,
                format!("at most {MAX_RESOURCES_PER_CALL} resources per call"),
            )));
        }
        let Some(application_key) = caller.application.clone() else {
            let refusal = Refusal::with_detail(
                RefusalCode::OtherApplication,
                "resources are registered by the application's credential",
            );
            self.record_refusal(caller, &context, &refusal).await?;
            return Err(Error::Refused(refusal));
        };
        let mut tx = self.db.begin().await?;
        let world = tx
            .load_slice(&[], &[], std::slice::from_ref(&application_key))
            .await?;
        if let Err(refusal) = powers::register_resources(&caller.actor(), &application_key) {
            return self.refuse(tx, caller, &context, refusal).await;
        }
        let Some(application) = world.applications.get(&application_key) else {
            return Err(Error::not_found(format!("application `{application_key}`")));
        };
        let mut changes = Vec::with_capacity(inputs.len());
        let mut problems = Vec::new();
        let mut organizations = std::collections::HashMap::new();
        for (index, input) in inputs.into_iter().enumerate() {
            match self
                .resource_from(&mut tx, application, input, &mut organizations)
                .await
            {
                Ok(resource) => changes.push(Change::Resource(resource)),
                Err(mut problem) => {
                    problem.field = format!("[{index}].{}", problem.field);
                    problems.push(problem);
                }
            }
            if problems.len() >= 20 {
                break;
            }
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let count = changes.len();
        let revision = self.commit(tx, caller, &context, changes).await?;
        Ok(Committed {
            value: count,
            revision,
        })
    }

    async fn resource_from(
        &self,
        tx: &mut habilis_store::Tx,
        application: &Application,
        input: ResourceInput,
        organizations: &mut std::collections::HashMap<String, habilis_domain::OrganizationId>,
    ) -> Result<Resource, InvalidInput> {
        let resource_type = Key::parse("type", &input.resource_type)?;
        if input.id.is_empty()
            || input.id.chars().count() > Resource::MAX_ID_LEN
            || input.id.chars().any(char::is_control)
        {
            return Err(InvalidInput::new(
                "id",
                InvalidCode::InvalidResource,
                &input.id,
            ));
        }
        let organization = match organizations.get(&input.organization) {
            Some(id) => id.clone(),
            None => {
                let found = tx
                    .find_organization(&input.organization)
                    .await
                    .ok()
                    .flatten();
                let Some(found) = found else {
                    return Err(InvalidInput::new(
                        "organization",
                        InvalidCode::InvalidReference,
                        &input.organization,
                    ));
                };
                organizations.insert(input.organization.clone(), found.id.clone());
                found.id
            }
        };
        let matter = input
            .matter
            .as_deref()
            .map(|m| Key::parse("matter", m))
            .transpose()?;
        let category = input
            .category
            .as_deref()
            .map(|c| Key::parse("category", c))
            .transpose()?;
        let known = match (&matter, &category) {
            (None, None) => true,
            (Some(m), None) => application.matter(m.as_str()).is_some(),
            (Some(m), Some(c)) => application.has_category(m.as_str(), c.as_str()),
            (None, Some(_)) => false,
        };
        if !known {
            return Err(InvalidInput::because(
                "category",
                InvalidCode::InvalidResource,
                "the subject-matter and category must be in the application's taxonomy",
            ));
        }
        let owner = match &input.owner {
            Some(name) => match tx
                .find_user(name, Some(application.key.as_str()))
                .await
                .ok()
                .flatten()
            {
                Some(user) => Some(user.id),
                None => {
                    return Err(InvalidInput::new(
                        "owner",
                        InvalidCode::InvalidReference,
                        name,
                    ));
                }
            },
            None => None,
        };
        Ok(Resource {
            application: application.key.clone(),
            resource_type,
            id: input.id,
            organization,
            matter,
            category,
            owner,
        })
    }

    pub async fn delete_resource(
        &self,
        caller: &Caller,
        resource_type: &str,
        id: &str,
    ) -> Result<Committed<()>, Error> {
        let mut context = AuditContext::new("resource.delete");
        context.application = caller.application.clone();
        context.target = Some(format!("{}/{}", shown(resource_type), shown(id)));
        let Some(application) = caller.application.clone() else {
            let refusal = Refusal::with_detail(
                RefusalCode::OtherApplication,
                "resources are removed by the application's credential",
            );
            self.record_refusal(caller, &context, &refusal).await?;
            return Err(Error::Refused(refusal));
        };
        let resource_type = parse_key("type", resource_type)?;
        let tx = self.db.begin().await?;
        let change = Change::ResourceRemoved {
            application,
            resource_type,
            id: id.to_owned(),
        };
        let revision = self.commit(tx, caller, &context, vec![change]).await?;
        Ok(Committed {
            value: (),
            revision,
        })
    }
}
