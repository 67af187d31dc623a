//! Designations, grants, mandates and approvals: the changes of access itself.

use std::collections::BTreeSet;

use habilis_domain::powers::{
    self, DesignationRequest, GrantRequest, MandateRequest, Outcome, Pending,
};
use habilis_domain::{
    Approval, ApprovalCause, ApprovalId, ApprovalStatus, ApprovalSubject, Change, Designation,
    DesignationId, DesignationKind, Ended, Grant, GrantId, Key, Mandate, MandateId, MandateStatus,
    OrganizationId, Reach, Refusal, RefusalCode, Scope, Status, Timestamp, UserId, Validity, World,
};
use habilis_store::{EntityKind, Tx};

use super::{fresh, parse_key, reason_text, shown};
use crate::error::Error;
use crate::services::{AuditContext, Caller, Committed, Services};

#[derive(Clone, Debug)]
pub struct DesignationInput {
    pub organization: String,
    pub user: String,
    pub kind: DesignationKind,
    pub applications: Vec<String>,
    pub valid_until: Option<Timestamp>,
    pub reason: Option<String>,
}

#[derive(Clone, Debug)]
pub struct GrantInput {
    pub user: String,
    pub organization: String,
    pub application: String,
    pub role: String,
    pub scope: Scope,
    pub reach: Reach,
    pub valid_from: Option<Timestamp>,
    pub valid_until: Option<Timestamp>,
    pub reason: Option<String>,
}

#[derive(Clone, Debug)]
pub struct MandateInput {
    pub mandator: String,
    pub mandatary: String,
    pub application: String,
    pub scope: Scope,
    pub valid_until: Option<Timestamp>,
}

/// A pending approval of `subject`, expiring after the platform's approval period.
fn approval_for(
    world: &World,
    subject: ApprovalSubject,
    organization: &OrganizationId,
    application: Option<Key>,
    cause: ApprovalCause,
    caller: &Caller,
    now: Timestamp,
) -> Approval {
    fresh(ApprovalId::PREFIX, |id| Approval {
        id: ApprovalId::new(id),
        subject,
        organization: organization.clone(),
        application,
        cause,
        requested_by: caller.user.clone(),
        requested_at: now,
        expires_at: now.plus_days(world.settings.approval_days),
        status: ApprovalStatus::Pending,
        decided: None,
    })
}

impl Services {
    /// Designates a principal, deputy or access manager.
    pub async fn designate(
        &self,
        caller: &Caller,
        input: DesignationInput,
    ) -> Result<Committed<Designation>, Error> {
        let applications = input
            .applications
            .iter()
            .map(|a| parse_key("applications", a))
            .collect::<Result<BTreeSet<Key>, Error>>()?;
        let reason = reason_text(input.reason)?;
        let mut context = AuditContext::new("designation.create");
        context.reason = Some(reason.clone());
        context.detail =
            serde_json::json!({ "kind": input.kind.as_str(), "applications": applications });
        let mut tx = self.db.begin().await?;
        let organization = self
            .organization_named(&mut tx, &input.organization)
            .await?;
        let person = self.user_named(&mut tx, &input.user).await?;
        context.organization = Some(organization.id.clone());
        context.subject_user = Some(person.id.clone());
        let users: Vec<UserId> = [person.id.clone()]
            .into_iter()
            .chain(caller.user.clone())
            .collect();
        let apps: Vec<Key> = applications.iter().cloned().collect();
        let world = tx
            .load_slice(std::slice::from_ref(&organization.id), &users, &apps)
            .await?;
        let now = self.now();
        let request = DesignationRequest {
            organization: organization.id.clone(),
            user: person.id.clone(),
            kind: input.kind,
            applications: if input.kind == DesignationKind::AccessManager {
                applications
            } else {
                BTreeSet::new()
            },
            validity: Validity {
                from: now,
                until: input.valid_until,
            },
        };
        let outcome = match powers::designate(&world, &caller.actor(), &request, now) {
            Ok(outcome) => outcome,
            Err(refusal) => return self.refuse(tx, caller, &context, refusal).await,
        };
        let designation = fresh(DesignationId::PREFIX, |id| Designation {
            id: DesignationId::new(id),
            organization: request.organization.clone(),
            user: request.user.clone(),
            kind: request.kind,
            applications: request.applications.clone(),
            validity: request.validity,
            status: if matches!(outcome, Outcome::Pending(_)) {
                Status::Pending
            } else {
                Status::Active
            },
            designated_by: caller.user.clone(),
            reason,
            ended: None,
            created_at: now,
        });
        context.target = Some(designation.id.to_string());
        let mut changes = vec![Change::Designation(designation.clone())];
        if let Outcome::Pending(cause) = outcome {
            let approval = approval_for(
                &world,
                ApprovalSubject::Designation(designation.id.clone()),
                &organization.id,
                None,
                cause,
                caller,
                now,
            );
            changes.push(Change::Approval(approval));
        }
        let revision = self.commit(tx, caller, &context, changes).await?;
        Ok(Committed {
            value: designation,
            revision,
        })
    }

    pub async fn end_designation(
        &self,
        caller: &Caller,
        id: &str,
        reason: Option<String>,
    ) -> Result<Committed<Designation>, Error> {
        let reason = reason_text(reason)?;
        let mut context = AuditContext::new("designation.end");
        context.target = Some(shown(id));
        context.reason = Some(reason.clone());
        let mut tx = self.db.begin().await?;
        let Some(mut designation) = tx.get::<Designation>(EntityKind::Designation, id).await?
        else {
            return Err(Error::not_found(format!("designation `{}`", shown(id))));
        };
        context.organization = Some(designation.organization.clone());
        context.subject_user = Some(designation.user.clone());
        let users: Vec<UserId> = [designation.user.clone()]
            .into_iter()
            .chain(caller.user.clone())
            .collect();
        let world = tx
            .load_slice(std::slice::from_ref(&designation.organization), &users, &[])
            .await?;
        let now = self.now();
        if let Err(refusal) = powers::end_designation(&world, &caller.actor(), &designation, now) {
            return self.refuse(tx, caller, &context, refusal).await;
        }
        designation.status = Status::Revoked;
        designation.ended = Some(Ended {
            at: now,
            by: caller.user.clone(),
            reason,
        });
        let revision = self
            .commit(
                tx,
                caller,
                &context,
                vec![Change::Designation(designation.clone())],
            )
            .await?;
        Ok(Committed {
            value: designation,
            revision,
        })
    }

    /// Loads what a grant rule needs: the organisation, the people, the application, and the
    /// organisations that mandate this one.
    pub(super) async fn grant_world(
        &self,
        tx: &mut Tx,
        organization: &OrganizationId,
        users: &[UserId],
        application: &Key,
    ) -> Result<World, Error> {
        let world = tx
            .load_slice(
                std::slice::from_ref(organization),
                users,
                std::slice::from_ref(application),
            )
            .await?;
        let mut organizations: Vec<OrganizationId> = vec![organization.clone()];
        if let Some(found) = world.applications.get(application) {
            organizations.push(found.owner.clone());
        }
        organizations.extend(world.mandates.values().map(|m| m.mandator.clone()));
        organizations.sort();
        organizations.dedup();
        Ok(tx
            .load_slice(&organizations, users, std::slice::from_ref(application))
            .await?)
    }

    /// Grants a role. Answers the grant: `active`, or `pending` waiting for approval.
    pub async fn grant(
        &self,
        caller: &Caller,
        input: GrantInput,
    ) -> Result<Committed<Grant>, Error> {
        let application = parse_key("application", &input.application)?;
        let role = parse_key("role", &input.role)?;
        let reason = reason_text(input.reason)?;
        let mut context = AuditContext::new("grant.create");
        context.application = Some(application.clone());
        context.reason = Some(reason.clone());
        context.detail =
            serde_json::json!({ "role": role, "scope": input.scope, "reach": input.reach });
        let mut tx = self.db.begin().await?;
        let organization = self
            .organization_named(&mut tx, &input.organization)
            .await?;
        let person = self.user_named(&mut tx, &input.user).await?;
        context.organization = Some(organization.id.clone());
        context.subject_user = Some(person.id.clone());
        let users: Vec<UserId> = [person.id.clone()]
            .into_iter()
            .chain(caller.user.clone())
            .collect();
        let world = self
            .grant_world(&mut tx, &organization.id, &users, &application)
            .await?;
        if !world.applications.contains_key(&application) {
            return Err(Error::not_found(format!("application `{application}`")));
        }
        let now = self.now();
        let request = GrantRequest {
            user: person.id.clone(),
            organization: organization.id.clone(),
            application: application.clone(),
            role,
            scope: input.scope,
            reach: input.reach,
            validity: Validity {
                from: input.valid_from.unwrap_or(now),
                until: input.valid_until,
            },
        };
        let outcome = match powers::grant(&world, &caller.actor(), &request, now) {
            Ok(outcome) => outcome,
            Err(refusal) => return self.refuse(tx, caller, &context, refusal).await,
        };
        let grant = fresh(GrantId::PREFIX, |id| Grant {
            id: GrantId::new(id),
            user: request.user.clone(),
            organization: request.organization.clone(),
            application: request.application.clone(),
            role: request.role.clone(),
            scope: request.scope.clone(),
            reach: request.reach,
            validity: request.validity,
            status: if matches!(outcome, Outcome::Pending(_)) {
                Status::Pending
            } else {
                Status::Active
            },
            granted_by: caller.user.clone(),
            reason,
            flagged: outcome == Outcome::Flagged,
            ended: None,
            created_at: now,
        });
        context.target = Some(grant.id.to_string());
        let mut changes = vec![Change::Grant(grant.clone())];
        if let Outcome::Pending(cause) = outcome {
            let approval = approval_for(
                &world,
                ApprovalSubject::Grant(grant.id.clone()),
                &organization.id,
                Some(application),
                cause,
                caller,
                now,
            );
            changes.push(Change::Approval(approval));
        }
        let revision = self.commit(tx, caller, &context, changes).await?;
        Ok(Committed {
            value: grant,
            revision,
        })
    }

    pub async fn revoke_grant(
        &self,
        caller: &Caller,
        id: &str,
        reason: Option<String>,
    ) -> Result<Committed<Grant>, Error> {
        let reason = reason_text(reason)?;
        let mut context = AuditContext::new("grant.revoke");
        context.target = Some(shown(id));
        context.reason = Some(reason.clone());
        let mut tx = self.db.begin().await?;
        let Some(mut grant) = tx.get::<Grant>(EntityKind::Grant, id).await? else {
            return Err(Error::not_found(format!("grant `{}`", shown(id))));
        };
        context.organization = Some(grant.organization.clone());
        context.application = Some(grant.application.clone());
        context.subject_user = Some(grant.user.clone());
        let users: Vec<UserId> = [grant.user.clone()]
            .into_iter()
            .chain(caller.user.clone())
            .collect();
        let world = self
            .grant_world(&mut tx, &grant.organization, &users, &grant.application)
            .await?;
        let now = self.now();
        if let Err(refusal) = powers::revoke_grant(&world, &caller.actor(), &grant, &reason, now) {
            return self.refuse(tx, caller, &context, refusal).await;
        }
        grant.status = Status::Revoked;
        grant.ended = Some(Ended {
            at: now,
            by: caller.user.clone(),
            reason,
        });
        let revision = self
            .commit(tx, caller, &context, vec![Change::Grant(grant.clone())])
            .await?;
        Ok(Committed {
            value: grant,
            revision,
        })
    }

    pub async fn propose_mandate(
        &self,
        caller: &Caller,
        input: MandateInput,
    ) -> Result<Committed<Mandate>, Error> {
        let application = parse_key("application", &input.application)?;
        let mut context = AuditContext::new("mandate.propose");
        context.application = Some(application.clone());
        context.detail = serde_json::json!({ "scope": input.scope });
        let mut tx = self.db.begin().await?;
        let mandator = self.organization_named(&mut tx, &input.mandator).await?;
        let mandatary = self.organization_named(&mut tx, &input.mandatary).await?;
        context.organization = Some(mandator.id.clone());
        context.target = Some(mandatary.id.to_string());
        let world = tx
            .load_slice(
                &[mandator.id.clone(), mandatary.id.clone()],
                caller.user.as_slice(),
                std::slice::from_ref(&application),
            )
            .await?;
        let now = self.now();
        let request = MandateRequest {
            mandator: mandator.id.clone(),
            mandatary: mandatary.id.clone(),
            application: application.clone(),
            scope: input.scope,
            validity: Validity {
                from: now,
                until: input.valid_until,
            },
        };
        let side = match powers::propose_mandate(&world, &caller.actor(), &request, now) {
            Ok(side) => side,
            Err(refusal) => return self.refuse(tx, caller, &context, refusal).await,
        };
        let mandate = fresh(MandateId::PREFIX, |id| Mandate {
            id: MandateId::new(id),
            mandator: request.mandator,
            mandatary: request.mandatary,
            application,
            scope: request.scope,
            validity: request.validity,
            status: MandateStatus::Proposed,
            proposed_by: side,
            proposed_by_user: caller.user.clone(),
            ended: None,
            created_at: now,
        });
        context.target = Some(mandate.id.to_string());
        let revision = self
            .commit(tx, caller, &context, vec![Change::Mandate(mandate.clone())])
            .await?;
        Ok(Committed {
            value: mandate,
            revision,
        })
    }

    /// Accepts (`accept: true`) or ends / declines a mandate.
    pub async fn decide_mandate(
        &self,
        caller: &Caller,
        id: &str,
        accept: bool,
        reason: Option<String>,
    ) -> Result<Committed<Mandate>, Error> {
        let reason = reason_text(reason)?;
        let mut context = AuditContext::new(if accept {
            "mandate.accept"
        } else {
            "mandate.end"
        });
        context.target = Some(shown(id));
        context.reason = Some(reason.clone());
        let mut tx = self.db.begin().await?;
        let Some(mut mandate) = tx.get::<Mandate>(EntityKind::Mandate, id).await? else {
            return Err(Error::not_found(format!("mandate `{}`", shown(id))));
        };
        context.organization = Some(mandate.mandator.clone());
        context.application = Some(mandate.application.clone());
        let world = tx
            .load_slice(
                &[mandate.mandator.clone(), mandate.mandatary.clone()],
                caller.user.as_slice(),
                std::slice::from_ref(&mandate.application),
            )
            .await?;
        let now = self.now();
        let rule = if accept {
            powers::accept_mandate(&world, &caller.actor(), &mandate, now)
        } else {
            powers::end_mandate(&world, &caller.actor(), &mandate, now)
        };
        if let Err(refusal) = rule {
            return self.refuse(tx, caller, &context, refusal).await;
        }
        if accept {
            mandate.status = MandateStatus::Active;
            mandate.validity.from = now;
        } else {
            mandate.status = if mandate.status == MandateStatus::Proposed {
                MandateStatus::Rejected
            } else {
                MandateStatus::Ended
            };
            mandate.ended = Some(Ended {
                at: now,
                by: caller.user.clone(),
                reason,
            });
        }
        let revision = self
            .commit(tx, caller, &context, vec![Change::Mandate(mandate.clone())])
            .await?;
        Ok(Committed {
            value: mandate,
            revision,
        })
    }

    /// Approves or rejects a pending grant or designation.
    pub async fn decide_approval(
        &self,
        caller: &Caller,
        id: &str,
        approve: bool,
        reason: Option<String>,
    ) -> Result<Committed<Approval>, Error> {
        let reason = reason_text(reason)?;
        let mut context = AuditContext::new(if approve {
            "approval.approve"
        } else {
            "approval.reject"
        });
        context.target = Some(shown(id));
        context.reason = Some(reason.clone());
        let mut tx = self.db.begin().await?;
        let Some(mut approval) = tx.get::<Approval>(EntityKind::Approval, id).await? else {
            return Err(Error::not_found(format!("approval `{}`", shown(id))));
        };
        context.organization = Some(approval.organization.clone());
        context.application = approval.application.clone();
        let now = self.now();
        let (rule, change) = match &approval.subject {
            ApprovalSubject::Grant(grant_id) => {
                let Some(mut grant) = tx
                    .get::<Grant>(EntityKind::Grant, grant_id.as_str())
                    .await?
                else {
                    return Err(Error::not_found(format!("grant `{grant_id}`")));
                };
                context.subject_user = Some(grant.user.clone());
                let users: Vec<UserId> = [grant.user.clone()]
                    .into_iter()
                    .chain(caller.user.clone())
                    .collect();
                let world = self
                    .grant_world(&mut tx, &grant.organization, &users, &grant.application)
                    .await?;
                let mut rule = powers::decide_approval(
                    &world,
                    &caller.actor(),
                    &approval,
                    &Pending::Grant(&grant),
                    now,
                );
                if approve && rule.is_ok() {
                    // Approving re-checks the grant as if it were made now, so that an approval
                    // cannot activate what the rules no longer allow (exclusive roles granted
                    // meanwhile, a membership that ended).
                    let mut others = world.clone();
                    others.grants.remove(&grant.id);
                    let request = GrantRequest {
                        user: grant.user.clone(),
                        organization: grant.organization.clone(),
                        application: grant.application.clone(),
                        role: grant.role.clone(),
                        scope: grant.scope.clone(),
                        reach: grant.reach,
                        validity: Validity {
                            from: now.min(grant.validity.from),
                            until: grant.validity.until,
                        },
                    };
                    let approver = caller.actor();
                    rule = still_allowed(&others, &approver, &request, now);
                }
                grant.status = if approve {
                    Status::Active
                } else {
                    Status::Rejected
                };
                if !approve {
                    grant.ended = Some(Ended {
                        at: now,
                        by: caller.user.clone(),
                        reason: reason.clone(),
                    });
                }
                (rule, Change::Grant(grant))
            }
            ApprovalSubject::Designation(designation_id) => {
                let Some(mut designation) = tx
                    .get::<Designation>(EntityKind::Designation, designation_id.as_str())
                    .await?
                else {
                    return Err(Error::not_found(format!("designation `{designation_id}`")));
                };
                context.subject_user = Some(designation.user.clone());
                let users: Vec<UserId> = [designation.user.clone()]
                    .into_iter()
                    .chain(caller.user.clone())
                    .collect();
                let world = tx
                    .load_slice(std::slice::from_ref(&designation.organization), &users, &[])
                    .await?;
                let rule = powers::decide_approval(
                    &world,
                    &caller.actor(),
                    &approval,
                    &Pending::Designation(&designation),
                    now,
                );
                designation.status = if approve {
                    Status::Active
                } else {
                    Status::Rejected
                };
                if !approve {
                    designation.ended = Some(Ended {
                        at: now,
                        by: caller.user.clone(),
                        reason: reason.clone(),
                    });
                }
                (rule, Change::Designation(designation))
            }
        };
        if let Err(refusal) = rule {
            return self.refuse(tx, caller, &context, refusal).await;
        }
        approval.status = if approve {
            ApprovalStatus::Approved
        } else {
            ApprovalStatus::Rejected
        };
        approval.decided = Some(Ended {
            at: now,
            by: caller.user.clone(),
            reason,
        });
        let revision = self
            .commit(
                tx,
                caller,
                &context,
                vec![change, Change::Approval(approval.clone())],
            )
            .await?;
        Ok(Committed {
            value: approval,
            revision,
        })
    }
}

/// Whether a pending grant may still become active: the person is still a member, not
/// suspended, and no exclusive role was granted meanwhile. The approver's own powers were
/// checked by `decide_approval`.
fn still_allowed(
    world: &World,
    approver: &powers::Actor,
    request: &GrantRequest,
    now: Timestamp,
) -> Result<(), Refusal> {
    if !world.is_member(&request.organization, &request.user, now) {
        return Err(Refusal::new(RefusalCode::NotAMember));
    }
    if world.is_user_suspended(&request.user, Some(request.application.as_str()), now) {
        return Err(Refusal::new(RefusalCode::UserSuspended));
    }
    match powers::grant(world, approver, request, now) {
        Err(refusal)
            if matches!(
                refusal.code,
                RefusalCode::ExclusiveRoles
                    | RefusalCode::AlreadyExists
                    | RefusalCode::OutsideMandate
                    | RefusalCode::NotSubscribed
            ) =>
        {
            Err(refusal)
        }
        _ => Ok(()),
    }
}
