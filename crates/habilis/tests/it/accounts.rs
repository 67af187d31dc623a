//! Local accounts: password and security code, as the web interface's login checks them.

use habilis_core::Caller;
use habilis_core::commands::{ACR_PASSWORD, ACR_SECURITY_CODE, DEMO_PASSWORD, security_code};

use crate::harness::{Harness, START};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_local_login_needs_the_password_and_then_the_security_code() {
    let h = Harness::demo().await;
    let services = &h.services;
    let luc = "luc.martin@ville.namur.be";

    // The demo gives every persona the demo password.
    let login = services
        .local_login(luc, DEMO_PASSWORD, None)
        .await
        .unwrap();
    assert_eq!(login.acr, ACR_PASSWORD);
    assert_eq!(login.user.email.unwrap().as_str(), luc);
    for (who, password) in [
        (luc, "wrong password!"),
        ("nobody@example.be", DEMO_PASSWORD),
        // A member of the demo without a persona's account.
        ("thomas.wauters@ville.namur.be", DEMO_PASSWORD),
    ] {
        assert!(
            services.local_login(who, password, None).await.is_err(),
            "{who} with {password}"
        );
    }

    // Too short a password is refused; nothing changes.
    assert!(
        services
            .set_local_password(&Caller::system(), luc, "short", false)
            .await
            .is_err()
    );
    assert!(services.local_login(luc, DEMO_PASSWORD, None).await.is_ok());

    // With a security code, the code is required and must be the current one.
    let secret = services
        .set_local_password(&Caller::system(), luc, "a much longer passphrase", true)
        .await
        .unwrap()
        .value
        .unwrap();
    let now = u64::try_from(START.0).unwrap();
    let code = security_code(secret.expose(), now).unwrap();
    assert!(
        services
            .local_login(luc, DEMO_PASSWORD, Some(&code))
            .await
            .is_err(),
        "old password"
    );
    assert!(
        services
            .local_login(luc, "a much longer passphrase", None)
            .await
            .is_err(),
        "no code"
    );
    let stale = security_code(secret.expose(), now - 600).unwrap();
    if stale != code {
        assert!(
            services
                .local_login(luc, "a much longer passphrase", Some(&stale))
                .await
                .is_err(),
            "a code of ten minutes ago"
        );
    }
    let login = services
        .local_login(luc, "a much longer passphrase", Some(&code))
        .await
        .unwrap();
    assert_eq!(login.acr, ACR_SECURITY_CODE);
    // The national register number works as the identifier too.
    let number = login.user.national_number.unwrap();
    assert!(
        services
            .local_login(number.digits(), "a much longer passphrase", Some(&code))
            .await
            .is_ok()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invitation_makes_a_member_once_and_only_a_manager_invites() {
    use habilis_core::commands::{InvitationAnswer, NewInvitation};
    use habilis_domain::Language;

    let h = Harness::demo().await;
    let services = &h.services;
    let namur = h.organization("Ville de Namur").await;
    let invitation = |email: &str| NewInvitation {
        organization: namur.clone(),
        email: email.into(),
        given_name: "Sarah".into(),
        family_name: "Nouvelle".into(),
        language: Language::Nl,
    };
    // A plain member may not invite; the refusal is audited.
    let luc = services
        .authenticate(&h.token_for("luc.martin@ville.namur.be").await)
        .await
        .unwrap();
    assert!(matches!(
        services.invite(&luc, invitation("x@example.be")).await,
        Err(habilis_core::Error::Refused(_))
    ));
    h.audited_refusal("not_a_manager").await;

    let anne = services
        .authenticate(&h.token("GLS (principal manager)"))
        .await
        .unwrap();
    let token = services
        .invite(&anne, invitation("sarah.nouvelle@example.be"))
        .await
        .unwrap()
        .value;
    let shown = services.invitation(token.expose()).await.unwrap();
    assert_eq!(shown.email, "sarah.nouvelle@example.be");
    assert_eq!(shown.language, Language::Nl);
    let answer = || InvitationAnswer {
        national_number: None,
        given_name: "Sarah".into(),
        family_name: "Nouvelle".into(),
        language: Language::Nl,
        password: Some("a long enough password".into()),
    };
    let user = services
        .accept_invitation(token.expose(), answer())
        .await
        .unwrap()
        .value;
    assert_eq!(user.language, Language::Nl);
    let login = services
        .local_login("sarah.nouvelle@example.be", "a long enough password", None)
        .await
        .unwrap();
    assert_eq!(login.user.id, user.id);
    let members = services.list_members(&anne, &namur).await.unwrap();
    assert!(
        members
            .iter()
            .any(|(u, m)| u.id == user.id && m.ended_at.is_none())
    );
    // Used: gone. A made-up token: the same answer.
    assert!(
        services
            .accept_invitation(token.expose(), answer())
            .await
            .is_err()
    );
    assert!(services.invitation(token.expose()).await.is_err());
    assert!(services.invitation("inv_madeup").await.is_err());
    // An e-mail that has an account already: add the person instead.
    let again = services
        .invite(&anne, invitation("luc.martin@ville.namur.be"))
        .await
        .unwrap()
        .value;
    assert!(matches!(
        services.accept_invitation(again.expose(), answer()).await,
        Err(habilis_core::Error::Conflict { .. })
    ));
    // After 14 days an invitation is gone.
    let late = services
        .invite(&anne, invitation("late@example.be"))
        .await
        .unwrap()
        .value;
    h.clock.advance_days(13);
    assert!(services.invitation(late.expose()).await.is_ok());
    h.clock.advance_days(2);
    assert!(services.invitation(late.expose()).await.is_err());
    assert!(
        services
            .accept_invitation(late.expose(), answer())
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_finds_the_person_by_national_number_or_by_linked_subject_only() {
    let h = Harness::demo().await;
    let services = &h.services;
    let luc = services
        .db()
        .find_user("luc.martin@ville.namur.be", None)
        .await
        .unwrap()
        .unwrap();
    let number = luc.national_number.clone().unwrap();
    let found = |n: Option<&str>, sub: &str, app: Option<&str>| {
        let (n, sub, app) = (n.map(str::to_owned), sub.to_owned(), app.map(str::to_owned));
        async move {
            services
                .person_for_login(n.as_deref(), &sub, app.as_deref())
                .await
                .unwrap()
                .map(|u| u.id)
        }
    };
    assert_eq!(
        found(Some(number.digits()), "whatever", None).await,
        Some(luc.id.clone())
    );
    // Without a number claim, nobody, unless the provider's sub is a linked subject id of
    // the configured application.
    assert_eq!(found(None, "lmartin", Some("guichet")).await, None);
    let owner = services
        .authenticate(&h.token("application owner"))
        .await
        .unwrap();
    services
        .link_subject_id(&owner, luc.id.as_str(), "guichet", "lmartin", true)
        .await
        .unwrap();
    assert_eq!(
        found(None, "lmartin", Some("guichet")).await,
        Some(luc.id.clone())
    );
    assert_eq!(
        found(None, "lmartin", None).await,
        None,
        "only when configured"
    );
    assert_eq!(
        found(None, "lmartin", Some("registre")).await,
        None,
        "only that application's ids"
    );
    // The provider's sub is never taken as a Habilis id or an e-mail.
    assert_eq!(found(None, luc.id.as_str(), Some("guichet")).await, None);
    assert_eq!(
        found(None, "luc.martin@ville.namur.be", Some("guichet")).await,
        None
    );
}
