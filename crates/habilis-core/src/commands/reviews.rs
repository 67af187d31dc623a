//! Access reviews: a campaign asking an organisation's managers to confirm or revoke every
//! active grant before a deadline; at the deadline, what nobody confirmed is revoked or
//! flagged, as the review's policy says.

use habilis_domain::powers;
use habilis_domain::{
    Change, Ended, Grant, OrganizationId, Refusal, RefusalCode, Review, ReviewDecision, ReviewId,
    ReviewItem, Status, Timestamp, UnconfirmedPolicy, UserId,
};
use habilis_store::{EntityFilter, EntityKind};

use super::{fresh, parse_key, reason_text, shown};
use crate::error::Error;
use crate::services::{AuditContext, Caller, Committed, Services};

/// What starting a review asks for.
#[derive(Clone, Debug)]
pub struct ReviewInput {
    /// Habilis id, enterprise number or external id.
    pub organization: String,
    /// One application's grants, or every grant of the organisation when absent.
    pub application: Option<String>,
    pub deadline: Timestamp,
    pub unconfirmed: UnconfirmedPolicy,
}

/// The reason recorded on a grant that nobody confirmed before a review's deadline.
pub const UNCONFIRMED_REASON: &str = "not confirmed before the access review's deadline";

impl Services {
    /// Starts a review of the grants in force in an organisation (of one application, or
    /// all), each an item to answer before the deadline.
    pub async fn start_review(
        &self,
        caller: &Caller,
        input: ReviewInput,
    ) -> Result<Committed<Review>, Error> {
        let application = input
            .application
            .as_deref()
            .map(|a| parse_key("application", a))
            .transpose()?;
        let mut context = AuditContext::new("review.start");
        context.application = application.clone();
        let mut tx = self.db.begin().await?;
        let organization = self
            .organization_named(&mut tx, &input.organization)
            .await?;
        context.organization = Some(organization.id.clone());
        let world = tx
            .load_slice(
                std::slice::from_ref(&organization.id),
                caller.user.as_slice(),
                application.as_slice(),
            )
            .await?;
        let now = self.now();
        if let Err(refusal) = powers::start_review(
            &world,
            &caller.actor(),
            &organization.id,
            application.as_ref(),
            input.deadline,
            now,
        ) {
            return self.refuse(tx, caller, &context, refusal).await;
        }
        let items: Vec<ReviewItem> = world
            .grants
            .values()
            .filter(|g| g.organization == organization.id && g.is_in_force(now))
            .filter(|g| application.as_ref().is_none_or(|a| &g.application == a))
            .map(|g| ReviewItem {
                grant: g.id.clone(),
                decision: None,
                decided_by: None,
                decided_at: None,
                reason: String::new(),
                outcome_at_close: None,
            })
            .collect();
        let review = fresh(ReviewId::PREFIX, |id| Review {
            id: ReviewId::new(id),
            organization: organization.id.clone(),
            application,
            started_by: caller.user.clone(),
            started_at: now,
            deadline: input.deadline,
            unconfirmed: input.unconfirmed,
            items,
            closed_at: None,
        });
        context.target = Some(review.id.as_str().to_owned());
        context.detail = serde_json::json!({
            "items": review.items.len(),
            "deadline": review.deadline.0,
            "unconfirmed": review.unconfirmed,
        });
        let revision = self
            .commit(tx, caller, &context, vec![Change::Review(review.clone())])
            .await?;
        Ok(Committed {
            value: review,
            revision,
        })
    }

    /// A review, for the operator and the organisation's managers.
    pub async fn get_review(&self, caller: &Caller, id: &str) -> Result<Review, Error> {
        let mut context = AuditContext::new("review.read");
        context.target = Some(shown(id));
        let Some(review) = self.db.get::<Review>(EntityKind::Review, id).await? else {
            return Err(Error::not_found(format!("review `{}`", shown(id))));
        };
        context.organization = Some(review.organization.clone());
        self.check_review_reader(caller, &context, &review.organization)
            .await?;
        Ok(review)
    }

    /// The reviews of an organisation, newest first, for its managers and the operator.
    pub async fn list_reviews(
        &self,
        caller: &Caller,
        organization: &str,
    ) -> Result<Vec<Review>, Error> {
        let mut context = AuditContext::new("review.list");
        let Some(found) = self.db.find_organization(organization).await? else {
            return Err(Error::not_found(format!(
                "organization `{}`",
                shown(organization)
            )));
        };
        context.organization = Some(found.id.clone());
        self.check_review_reader(caller, &context, &found.id)
            .await?;
        let filter = EntityFilter {
            organization: Some(found.id),
            ..EntityFilter::default()
        };
        let mut reviews: Vec<Review> = self.db.load_entities(EntityKind::Review, &filter).await?;
        reviews.sort_by_key(|r| std::cmp::Reverse(r.started_at));
        Ok(reviews)
    }

    /// Readers of reviews: the operator and anyone managing the organisation.
    async fn check_review_reader(
        &self,
        caller: &Caller,
        context: &AuditContext,
        organization: &OrganizationId,
    ) -> Result<(), Error> {
        let world = self
            .db
            .read_slice(
                std::slice::from_ref(organization),
                caller.user.as_slice(),
                &[],
            )
            .await?;
        let now = self.now();
        let allowed = caller.user.as_ref().is_some_and(|user| {
            world.is_operator(user)
                || powers::powers_of(&world, organization, user, now).is_manager()
        });
        if allowed {
            return Ok(());
        }
        let refusal = Refusal::new(RefusalCode::NotAManager);
        self.record_refusal(caller, context, &refusal).await?;
        Err(Error::Refused(refusal))
    }

    /// Answers one item of a review: `keep` confirms the grant, `revoke` ends it now.
    pub async fn decide_review_item(
        &self,
        caller: &Caller,
        review_id: &str,
        grant_id: &str,
        decision: ReviewDecision,
        reason: Option<String>,
    ) -> Result<Committed<Review>, Error> {
        let reason = reason_text(reason)?;
        let mut context = AuditContext::new(match decision {
            ReviewDecision::Keep => "review.keep",
            ReviewDecision::Revoke => "review.revoke",
        });
        context.target = Some(shown(review_id));
        context.reason = Some(reason.clone());
        let mut tx = self.db.begin().await?;
        let Some(mut review) = tx.get::<Review>(EntityKind::Review, review_id).await? else {
            return Err(Error::not_found(format!("review `{}`", shown(review_id))));
        };
        context.organization = Some(review.organization.clone());
        if review.item(grant_id).is_none() {
            return Err(Error::not_found(format!(
                "item `{}` of review `{}`",
                shown(grant_id),
                review.id
            )));
        }
        let Some(mut grant) = tx.get::<Grant>(EntityKind::Grant, grant_id).await? else {
            return Err(Error::not_found(format!("grant `{}`", shown(grant_id))));
        };
        context.application = Some(grant.application.clone());
        context.subject_user = Some(grant.user.clone());
        context.detail = serde_json::json!({ "grant": grant.id, "decision": decision.as_str() });
        let users: Vec<UserId> = [grant.user.clone()]
            .into_iter()
            .chain(caller.user.clone())
            .collect();
        let world = self
            .grant_world(&mut tx, &grant.organization, &users, &grant.application)
            .await?;
        let now = self.now();
        if let Err(refusal) = powers::decide_review_item(
            &world,
            &caller.actor(),
            &review,
            &grant,
            decision,
            &reason,
            now,
        ) {
            return self.refuse(tx, caller, &context, refusal).await;
        }
        if let Some(item) = review
            .items
            .iter_mut()
            .find(|item| item.grant.as_str() == grant_id)
        {
            item.decision = Some(decision);
            item.decided_by = caller.user.clone();
            item.decided_at = Some(now);
            item.reason = reason.clone();
        }
        let mut changes = vec![Change::Review(review.clone())];
        if decision == ReviewDecision::Revoke {
            grant.status = Status::Revoked;
            grant.ended = Some(Ended {
                at: now,
                by: caller.user.clone(),
                reason,
            });
            changes.push(Change::Grant(grant));
        }
        let revision = self.commit(tx, caller, &context, changes).await?;
        Ok(Committed {
            value: review,
            revision,
        })
    }

    /// Closes due reviews now and then, for as long as the server runs. Several servers may
    /// run it: each closing happens in a write transaction that re-reads the review.
    pub fn spawn_review_closer(
        self: &std::sync::Arc<Self>,
        every: std::time::Duration,
    ) -> tokio::task::JoinHandle<()> {
        let services = std::sync::Arc::clone(self);
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(every);
            loop {
                interval.tick().await;
                match services.close_due_reviews().await {
                    Ok(0) => {}
                    Ok(closed) => {
                        tracing::info!(closed, "closed access reviews past their deadline")
                    }
                    Err(error) => tracing::warn!(%error, "could not close due access reviews"),
                }
            }
        })
    }

    /// Closes every open review whose deadline has passed: each unanswered grant still in
    /// force is revoked or flagged, by the review's policy. One commit (and one audit event)
    /// per review, by the platform itself. Answers how many reviews it closed.
    pub async fn close_due_reviews(&self) -> Result<usize, Error> {
        let now = self.now();
        let open: Vec<Review> = self
            .db
            .load_entities::<Review>(EntityKind::Review, &EntityFilter::default())
            .await?
            .into_iter()
            .filter(|r| r.is_open() && r.deadline <= now)
            .collect();
        let mut closed = 0;
        for candidate in open {
            let mut tx = self.db.begin().await?;
            // Read again inside the transaction: another server may have closed it.
            let Some(mut review) = tx
                .get::<Review>(EntityKind::Review, candidate.id.as_str())
                .await?
            else {
                continue;
            };
            if !review.is_open() {
                tx.rollback().await?;
                continue;
            }
            let mut changes = Vec::new();
            let mut revoked = 0;
            let mut flagged = 0;
            for item in review.items.iter_mut().filter(|i| i.decision.is_none()) {
                let Some(mut grant) = tx
                    .get::<Grant>(EntityKind::Grant, item.grant.as_str())
                    .await?
                else {
                    continue;
                };
                if !grant.is_in_force(now) {
                    continue;
                }
                item.outcome_at_close = Some(review.unconfirmed);
                match review.unconfirmed {
                    UnconfirmedPolicy::Revoke => {
                        grant.status = Status::Revoked;
                        grant.ended = Some(Ended {
                            at: now,
                            by: None,
                            reason: UNCONFIRMED_REASON.to_owned(),
                        });
                        revoked += 1;
                    }
                    UnconfirmedPolicy::Flag => {
                        grant.flagged = true;
                        flagged += 1;
                    }
                }
                changes.push(Change::Grant(grant));
            }
            review.closed_at = Some(now);
            let mut context = AuditContext::new("review.close");
            context.organization = Some(review.organization.clone());
            context.application = review.application.clone();
            context.target = Some(review.id.as_str().to_owned());
            context.reason = Some(UNCONFIRMED_REASON.to_owned());
            context.detail = serde_json::json!({ "revoked": revoked, "flagged": flagged });
            changes.insert(0, Change::Review(review));
            self.commit(tx, &Caller::system(), &context, changes)
                .await?;
            closed += 1;
        }
        Ok(closed)
    }
}
