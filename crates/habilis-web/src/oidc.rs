//! OpenID Connect login: authorization code with PKCE against the configured identity
//! provider, through the `openidconnect` crate. The provider is discovered on first use
//! (and again after a failure), so that Habilis starts while the provider is still down.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthenticationContextClass, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse, reqwest,
};
use tokio::sync::Mutex;

/// The identity provider as configured.
#[derive(Clone, Debug)]
pub struct OidcConfig {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    /// The callback address registered at the provider (`<public url>/auth/callback`).
    pub redirect_url: String,
    /// Scopes beyond `openid`.
    pub scopes: Vec<String>,
    /// The ID token claim that carries the national register number.
    pub national_number_claim: String,
    /// When set, a person without a national number claim is found by the provider's `sub`
    /// among the subject ids linked for this application.
    pub subject_application: Option<String>,
}

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

struct Discovered {
    client: Client,
    end_session: Option<String>,
}

/// Where to send the browser, and what the callback must check.
pub struct Started {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// What a verified ID token says about the person.
#[derive(Debug)]
pub struct Identity {
    pub subject: String,
    pub acr: Option<String>,
    pub national_number: Option<String>,
    pub id_token: String,
}

pub struct Oidc {
    config: OidcConfig,
    http: reqwest::Client,
    discovered: Mutex<Option<Arc<Discovered>>>,
}

impl std::fmt::Debug for Oidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oidc")
            .field("issuer", &self.config.issuer)
            .finish_non_exhaustive()
    }
}

impl Oidc {
    pub fn new(config: OidcConfig) -> anyhow::Result<Oidc> {
        IssuerUrl::new(config.issuer.clone())
            .map_err(|e| anyhow::format_err!("oidc issuer `{}`: {e}", config.issuer))?;
        RedirectUrl::new(config.redirect_url.clone())
            .map_err(|e| anyhow::format_err!("oidc redirect url `{}`: {e}", config.redirect_url))?;
        let http = reqwest::ClientBuilder::new()
            // The token endpoint must not redirect (SSRF); openidconnect's own advice.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| anyhow::format_err!("oidc http client: {e}"))?;
        Ok(Oidc {
            config,
            http,
            discovered: Mutex::new(None),
        })
    }

    async fn discovered(&self) -> anyhow::Result<Arc<Discovered>> {
        let mut slot = self.discovered.lock().await;
        if let Some(found) = slot.as_ref() {
            return Ok(Arc::clone(found));
        }
        let issuer = IssuerUrl::new(self.config.issuer.clone())?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| anyhow::format_err!("discovery of {}: {e}", self.config.issuer))?;
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            self.config.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(RedirectUrl::new(self.config.redirect_url.clone())?);
        let end_session = self.end_session_endpoint().await;
        let found = Arc::new(Discovered {
            client,
            end_session,
        });
        *slot = Some(Arc::clone(&found));
        Ok(found)
    }

    /// The provider's `end_session_endpoint` (RP-initiated logout), when it has one: not part
    /// of the core metadata the crate reads.
    async fn end_session_endpoint(&self) -> Option<String> {
        let url = format!(
            "{}/.well-known/openid-configuration",
            self.config.issuer.trim_end_matches('/')
        );
        let text = self.http.get(url).send().await.ok()?.text().await.ok()?;
        let document: serde_json::Value = serde_json::from_str(&text).ok()?;
        document
            .get("end_session_endpoint")?
            .as_str()
            .map(str::to_owned)
    }

    /// The application whose linked subject ids name the provider's people, if any.
    pub fn subject_application(&self) -> Option<&str> {
        self.config.subject_application.as_deref()
    }

    /// Starts a login; `acr_values` asks the provider for one of those levels (a step-up).
    pub async fn start(&self, acr_values: &[String]) -> anyhow::Result<Started> {
        let discovered = self.discovered().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = discovered
            .client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in &self.config.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        for acr in acr_values {
            request = request.add_auth_context_value(AuthenticationContextClass::new(acr.clone()));
        }
        let (url, state, nonce) = request.url();
        Ok(Started {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Exchanges the code and verifies the ID token (signature, issuer, audience, expiry,
    /// nonce).
    pub async fn finish(
        &self,
        code: &str,
        nonce: &str,
        pkce_verifier: &str,
    ) -> anyhow::Result<Identity> {
        let discovered = self.discovered().await?;
        let response = discovered
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()))
            .request_async(&self.http)
            .await
            .map_err(|e| anyhow::format_err!("token request: {e}"))?;
        let id_token = response
            .id_token()
            .ok_or_else(|| anyhow::format_err!("the provider sent no ID token"))?;
        let verifier = discovered.client.id_token_verifier();
        let claims = id_token
            .claims(&verifier, &Nonce::new(nonce.to_owned()))
            .map_err(|e| anyhow::format_err!("ID token: {e}"))?;
        let raw = id_token.to_string();
        let national_number = claim_of(&raw, &self.config.national_number_claim);
        Ok(Identity {
            subject: claims.subject().as_str().to_owned(),
            acr: claims.auth_context_ref().map(|acr| acr.as_str().to_owned()),
            national_number,
            id_token: raw,
        })
    }

    /// Where to send the browser to end the provider's session too, if it says.
    pub async fn logout_url(&self, id_token: Option<&str>, after: &str) -> Option<String> {
        let discovered = self.discovered().await.ok()?;
        let endpoint = discovered.end_session.as_ref()?;
        let mut url = url::Url::parse(endpoint).ok()?;
        {
            let mut query = url.query_pairs_mut();
            if let Some(hint) = id_token {
                query.append_pair("id_token_hint", hint);
            }
            query.append_pair("post_logout_redirect_uri", after);
            query.append_pair("client_id", &self.config.client_id);
        }
        Some(url.to_string())
    }
}

/// A string claim of a JWT whose signature was verified already (`Oidc::finish`): the
/// national number is not one of the standard claims the crate types.
fn claim_of(jwt: &str, claim: &str) -> Option<String> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    match value.get(claim)? {
        serde_json::Value::String(text) => Some(text.clone()),
        serde_json::Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_custom_claim_is_read_from_the_payload() {
        let payload = URL_SAFE_NO_PAD.encode(br#"{"sub":"x","national_number":"85073003328"}"#);
        let jwt = format!("e30.{payload}.sig");
        assert_eq!(
            claim_of(&jwt, "national_number").as_deref(),
            Some("85073003328")
        );
        assert_eq!(claim_of(&jwt, "email"), None);
        assert_eq!(claim_of("garbage", "national_number"), None);
    }
}
