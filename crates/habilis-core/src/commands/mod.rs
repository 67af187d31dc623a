//! The commands, grouped by what they change. Each public function is one use case.

mod access;
mod accounts;
mod applications;
mod bootstrap;
mod demo;
mod organizations;
mod reads;
mod reviews;

pub use access::{DesignationInput, GrantInput, MandateInput};
pub use accounts::{
    ACR_PASSWORD, ACR_SECURITY_CODE, INVITATION_DAYS, InvitationAnswer, InvitationView, LocalLogin,
    MIN_PASSWORD_LEN, NewInvitation, security_code,
};
pub use applications::ResourceInput;
pub use bootstrap::DemoPersona;
pub use demo::DEMO_PASSWORD;
pub use organizations::{NewOrganization, NewUser};
pub use reads::{AccessAnswer, GrantFilter};
pub use reviews::{ReviewInput, UNCONFIRMED_REASON};

use habilis_domain::{InvalidCode, InvalidInput, Key, Organization, User};
use habilis_store::Tx;

use crate::error::Error;
use crate::ids::new_id;
use crate::services::Services;

impl Services {
    pub(crate) async fn user_named(&self, tx: &mut Tx, name: &str) -> Result<User, Error> {
        tx.find_user(name, None)
            .await?
            .ok_or_else(|| Error::not_found(format!("user `{}`", shown(name))))
    }

    pub(crate) async fn organization_named(
        &self,
        tx: &mut Tx,
        name: &str,
    ) -> Result<Organization, Error> {
        tx.find_organization(name)
            .await?
            .ok_or_else(|| Error::not_found(format!("organization `{}`", shown(name))))
    }
}

/// At most 64 characters of a name from outside, for messages.
pub(crate) fn shown(text: &str) -> String {
    text.chars().take(64).collect()
}

pub(crate) fn parse_key(field: &'static str, text: &str) -> Result<Key, Error> {
    Key::parse(field, text).map_err(Error::invalid)
}

pub(crate) fn reason_text(reason: Option<String>) -> Result<String, Error> {
    let reason = reason.unwrap_or_default();
    if reason.chars().count() > 2_000 {
        return Err(Error::invalid(InvalidInput::because(
            "reason",
            InvalidCode::TooLong,
            "`reason` is longer than 2000 characters",
        )));
    }
    Ok(reason.trim().to_owned())
}

pub(crate) fn fresh<T>(prefix: &str, make: impl FnOnce(String) -> T) -> T {
    make(new_id(prefix))
}
