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
