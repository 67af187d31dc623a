//! Cedar as BENCH.md models it: one entity store where each user's parents are role groups
//! `Role::"o12_c3_validator"` (one per grant), a `Scope` entity per (organisation, category)
//! whose attributes name its four role groups, dossiers with a `scope` attribute, two
//! policies, and the session level in the request's context.

use std::collections::{HashMap, HashSet};
use std::str::FromStr as _;

use anyhow::{Context as _, bail};
use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityId, EntityTypeName, EntityUid,
    PolicySet, Request, RestrictedExpression,
};

use habilis::bench::workload::{Role, Workload};

use crate::Names as _;

const POLICIES: &str = r#"
permit (principal, action == Action::"read", resource)
when {
    (context.level >= 1 &&
        principal in [resource.scope.reader, resource.scope.editor, resource.scope.submitter]) ||
    (context.level >= 2 && principal in resource.scope.validator)
};

permit (principal, action == Action::"validate", resource)
when { context.level >= 2 && principal in resource.scope.validator };
"#;

pub struct CedarPeer {
    authorizer: Authorizer,
    policies: PolicySet,
    entities: Entities,
    // A server knows its few entity types up front; only the ids come with each request.
    user_type: EntityTypeName,
    action_type: EntityTypeName,
    dossier_type: EntityTypeName,
}

impl CedarPeer {
    pub fn build(workload: &Workload) -> anyhow::Result<CedarPeer> {
        let type_name = |name: &str| {
            EntityTypeName::from_str(name).with_context(|| format!("entity type `{name}`"))
        };
        let user_type = type_name("User")?;
        let role_type = type_name("Role")?;
        let scope_type = type_name("Scope")?;
        let dossier_type = type_name("Dossier")?;
        let uid = |kind: &EntityTypeName, id: &str| {
            EntityUid::from_type_name_and_id(kind.clone(), EntityId::new(id))
        };
        let role_group =
            |scope: &str, role: Role| uid(&role_type, &format!("{scope}_{}", role.name()));

        let mut parents: HashMap<u32, HashSet<EntityUid>> = HashMap::new();
        let mut scopes: HashSet<String> = HashSet::new();
        for g in &workload.grants {
            let scope = workload.scope(g.organization, g.category);
            parents
                .entry(g.user)
                .or_default()
                .insert(role_group(&scope, g.role));
            scopes.insert(scope);
        }
        let mut entities = Vec::with_capacity(
            parents.len() + workload.dossiers.len() + scopes.len() * (1 + Role::ALL.len()),
        );
        for (index, d) in workload.dossiers.iter().enumerate() {
            let dossier = workload
                .dossier_names
                .get(index)
                .context("a dossier without a name")?;
            let scope = workload.scope(d.organization, d.category);
            let attributes = HashMap::from([(
                "scope".to_owned(),
                RestrictedExpression::new_entity_uid(uid(&scope_type, &scope)),
            )]);
            entities.push(
                Entity::new(uid(&dossier_type, dossier), attributes, HashSet::new())
                    .with_context(|| format!("dossier `{dossier}`"))?,
            );
            scopes.insert(scope);
        }
        for (user, groups) in parents {
            entities.push(Entity::new_no_attrs(
                uid(&user_type, workload.user(user)),
                groups,
            ));
        }
        for scope in &scopes {
            let mut attributes = HashMap::new();
            for role in Role::ALL {
                let group = role_group(scope, role);
                entities.push(Entity::new_no_attrs(group.clone(), HashSet::new()));
                attributes.insert(
                    role.name().to_owned(),
                    RestrictedExpression::new_entity_uid(group),
                );
            }
            entities.push(
                Entity::new(uid(&scope_type, scope), attributes, HashSet::new())
                    .with_context(|| format!("scope `{scope}`"))?,
            );
        }
        let entities = Entities::from_entities(entities, None).context("Cedar entity store")?;
        let policies = PolicySet::from_str(POLICIES).context("Cedar policies")?;
        Ok(CedarPeer {
            authorizer: Authorizer::new(),
            policies,
            entities,
            user_type,
            action_type: type_name("Action")?,
            dossier_type,
        })
    }

    /// A request built from the ids as a server receives them. An evaluation error is an
    /// error here, not a quiet deny, so that a wrong model cannot pass as a denial.
    pub fn check(
        &self,
        user: &str,
        action: &str,
        dossier: &str,
        level: u8,
    ) -> anyhow::Result<bool> {
        let uid = |kind: &EntityTypeName, id: &str| {
            EntityUid::from_type_name_and_id(kind.clone(), EntityId::new(id))
        };
        let context = Context::from_pairs([(
            "level".to_owned(),
            RestrictedExpression::new_long(i64::from(level)),
        )])?;
        let request = Request::new(
            uid(&self.user_type, user),
            uid(&self.action_type, action),
            uid(&self.dossier_type, dossier),
            context,
            None,
        )?;
        let response = self
            .authorizer
            .is_authorized(&request, &self.policies, &self.entities);
        if let Some(error) = response.diagnostics().errors().next() {
            bail!("Cedar: {error}");
        }
        Ok(response.decision() == Decision::Allow)
    }
}
