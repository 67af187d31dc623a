// Test OpenID Provider for the Habilis end-to-end tests.
//
// A thin configuration of node-oidc-provider (panva, OpenID-certified) plus a
// small login page of our own. The provider does all the protocol work
// (discovery, authorization code + PKCE, tokens, userinfo, logout); this file
// only supplies accounts, clients, the Belgian FAS acr levels and the
// interaction (login) screen, where the tester picks the acr of the session.
//
// Configuration (environment variables, all optional):
//   OIDC_PORT        port to listen on, default 9400; 0 = any free port
//   OIDC_ISSUER      issuer URL, default http://127.0.0.1:<port> (origin only)
//   OIDC_CLIENTS     JSON array of {client_id, client_secret, redirect_uris,
//                    post_logout_redirect_uris, ...other client metadata}
//   OIDC_ACCOUNTS    path to a JSON file: array of {sub, password, given_name,
//                    family_name, email, national_number}
//   OIDC_ACR_VALUES  comma-separated acr values, weakest first
//
// Prints exactly one line "READY <issuer>" on stdout once it accepts
// connections; everything else goes to stderr. Stops cleanly on SIGTERM/SIGINT.

import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import { Provider, errors, interactionPolicy } from 'oidc-provider';

const { Check, base: basePolicy } = interactionPolicy;

// ---------------------------------------------------------------------------
// Configuration from the environment
// ---------------------------------------------------------------------------

function fail(message) {
  process.stderr.write(`oidc-provider test server: ${message}\n`);
  process.exit(2);
}

function parseJsonEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  try {
    return JSON.parse(raw);
  } catch (err) {
    return fail(`${name} is not valid JSON: ${err.message}`);
  }
}

const port = Number.parseInt(process.env.OIDC_PORT ?? '9400', 10);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail('OIDC_PORT must be a port number');

// Belgian federal authentication service (FAS / CSAM) levels, weakest first.
// The order is meaningful: it is the strength ranking used for step-up.
const DEFAULT_ACR_VALUES = [
  'urn:be:fedict:iam:fas:Level1',
  'urn:be:fedict:iam:fas:Level100',
  'urn:be:fedict:iam:fas:Level200',
  'urn:be:fedict:iam:fas:Level300',
  'urn:be:fedict:iam:fas:Level400',
  'urn:be:fedict:iam:fas:Level500',
];
const acrValues = process.env.OIDC_ACR_VALUES
  ? process.env.OIDC_ACR_VALUES.split(',').map((v) => v.trim()).filter(Boolean)
  : DEFAULT_ACR_VALUES;
if (!acrValues.length) fail('OIDC_ACR_VALUES must list at least one value');
const acrRank = (acr) => acrValues.indexOf(acr); // -1 for unknown / none

const clients = parseJsonEnv('OIDC_CLIENTS', [{
  client_id: 'habilis',
  client_secret: 'habilis-test-secret',
  redirect_uris: ['http://127.0.0.1:8080/auth/callback'],
  post_logout_redirect_uris: ['http://127.0.0.1:8080/'],
}]);
if (!Array.isArray(clients) || !clients.length) fail('OIDC_CLIENTS must be a non-empty JSON array');
for (const client of clients) {
  if (!client?.client_id || !client.client_secret || !Array.isArray(client.redirect_uris)) {
    fail('each OIDC_CLIENTS entry needs client_id, client_secret and redirect_uris');
  }
}

// Synthetic people. The national register numbers are made up but carry a
// valid mod-97 check so that validation on the Habilis side accepts them.
const DEFAULT_ACCOUNTS = [
  {
    sub: 'jan.janssens',
    password: 'jan-password',
    given_name: 'Jan',
    family_name: 'Janssens',
    email: 'jan.janssens@example.be',
    national_number: '85073003328',
  },
  {
    sub: 'marie.dubois',
    password: 'marie-password',
    given_name: 'Marie',
    family_name: 'Dubois',
    email: 'marie.dubois@example.be',
    national_number: '90021418241',
  },
  {
    sub: 'luc.peeters',
    password: 'luc-password',
    given_name: 'Luc',
    family_name: 'Peeters',
    email: 'luc.peeters@example.be',
    national_number: '01123100572', // born in 2000s: check digit over "2" + 9 digits
  },
];
let accountList = DEFAULT_ACCOUNTS;
if (process.env.OIDC_ACCOUNTS) {
  try {
    accountList = JSON.parse(readFileSync(process.env.OIDC_ACCOUNTS, 'utf8'));
  } catch (err) {
    fail(`cannot read OIDC_ACCOUNTS (${process.env.OIDC_ACCOUNTS}): ${err.message}`);
  }
}
if (!Array.isArray(accountList) || accountList.some((a) => !a?.sub || typeof a.password !== 'string')) {
  fail('accounts must be a JSON array of objects with at least sub and password');
}
const accounts = new Map(accountList.map((a) => [a.sub, a]));

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

const esc = (value) => String(value ?? '')
  .replace(/&/g, '&amp;')
  .replace(/</g, '&lt;')
  .replace(/>/g, '&gt;')
  .replace(/"/g, '&quot;')
  .replace(/'/g, '&#39;');

// No external resources (fonts, CSS): the browser tests run without network.
function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
  body { font-family: sans-serif; max-width: 28rem; margin: 2rem auto; padding: 0 1rem; }
  label, select, input, button { display: block; width: 100%; box-sizing: border-box; }
  label { margin-top: 0.8rem; }
  button { margin-top: 1.2rem; padding: 0.5rem; }
  .error { color: #b00020; }
  .meta { color: #555; font-size: 0.85rem; }
</style>
</head>
<body>
${body}
</body>
</html>`;
}

async function readForm(req, limit = 64 * 1024) {
  let size = 0;
  const chunks = [];
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// acr values asked for by the authorization request, through acr_values or
// through the claims parameter (id_token.acr.value / .values).
function requestedAcrs(params) {
  const requested = params.acr_values ? params.acr_values.split(' ') : [];
  if (params.claims) {
    try {
      const acr = JSON.parse(params.claims)?.id_token?.acr;
      if (typeof acr?.value === 'string') requested.push(acr.value);
      if (Array.isArray(acr?.values)) requested.push(...acr.values);
    } catch {
      // the provider itself rejects malformed claims parameters
    }
  }
  return requested.filter((acr) => acrRank(acr) >= 0);
}

// ---------------------------------------------------------------------------
// Interaction policy
// ---------------------------------------------------------------------------

// node-oidc-provider treats acr_values as voluntary (OIDC Core 3.1.2.1): with
// an existing session it answers with the session's acr even when a higher
// level is asked. A real FAS makes the user authenticate again instead, which
// is what step-up relies on, so the login prompt gets one more check: prompt
// when the session's level is below the weakest requested level. Right after
// a login in this same request we accept what the user chose (the relying
// party must verify the acr it gets, and the tests can exercise that).
const policy = basePolicy();
policy.get('login').checks.add(new Check(
  'acr_step_up',
  'the session authentication level is below the requested acr_values',
  'login_required', // what prompt=none gets instead of a login page
  (ctx) => {
    const { oidc } = ctx;
    if (!oidc.session.accountId || oidc.result?.login) return Check.NO_NEED_TO_PROMPT;
    const requested = requestedAcrs(oidc.params);
    if (!requested.length) return Check.NO_NEED_TO_PROMPT;
    const needed = Math.min(...requested.map(acrRank));
    return acrRank(oidc.acr) < needed ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
  },
));

// ---------------------------------------------------------------------------
// Provider configuration
// ---------------------------------------------------------------------------

function makeConfiguration() {
  // Fresh keys at every start: tokens never outlive one test run.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = {
    ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256',
  };

  return {
    clients: clients.map((client) => ({
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      ...client,
    })),
    // Both secret methods are accepted for any secret-holding client,
    // whichever one it registered.
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    responseTypes: ['code'],
    pkce: { required: () => true }, // S256 is the only method the provider supports
    acrValues,
    scopes: ['openid', 'profile', 'email', 'national_number'],
    claims: {
      // acr, amr and auth_time are only put in an ID token when requested
      // (acr_values, max_age, claims parameter). Listing them under "openid"
      // makes every ID token carry them, which is what the Habilis session
      // reads. They cannot be rejected and consent ignores them.
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      profile: ['name', 'given_name', 'family_name'],
      email: ['email', 'email_verified'],
      national_number: ['national_number'],
    },
    // By default scope-based claims (profile, email, national_number) go to
    // userinfo only when an access token is issued; Habilis reads them from
    // the ID token, as FAS delivers them.
    conformIdTokenClaims: false,
    async findAccount(ctx, sub) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          const given = account.given_name ?? '';
          const family = account.family_name ?? '';
          return {
            sub,
            name: `${given} ${family}`.trim() || undefined,
            given_name: account.given_name,
            family_name: account.family_name,
            email: account.email,
            email_verified: account.email ? true : undefined,
            national_number: account.national_number,
          };
        },
      };
    },
    interactions: {
      policy,
      url: (ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
    },
    jwks: { keys: [signingKey] },
    cookies: {
      // Provider and Habilis share the host 127.0.0.1 (cookies ignore ports),
      // so the provider's cookies get names Habilis will not use.
      names: {
        session: 'op_session',
        interaction: 'op_interaction',
        resume: 'op_interaction_resume',
      },
      keys: [randomBytes(32).toString('base64url')],
    },
    clientBasedCORS(ctx, origin, client) {
      return client.redirectUris.some((uri) => new URL(uri).origin === origin);
    },
    // Explicit values also silence the provider's "you SHOULD change" notices.
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Grant: 86400,
      Session: 86400,
      RefreshToken: 86400,
    },
    renderError,
  };
}

async function renderError(ctx, out) {
  ctx.type = 'html';
  ctx.body = page('Error', `<h1>Error</h1>
<p id="error" class="error">${esc(out.error)}${out.error_description ? `: ${esc(out.error_description)}` : ''}</p>`);
}

// RP-initiated logout: a plain confirmation page. `form` is the provider's
// hidden form (id "op.logoutForm", carrying the xsrf token).
async function logoutSource(ctx, form) {
  ctx.body = page('Sign out', `<h1>Sign out</h1>
<p>Do you want to sign out from the test identity provider?</p>
${form}
<button id="logout" type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
<button id="stay" type="submit" form="op.logoutForm">Stay signed in</button>`);
}

async function postLogoutSuccessSource(ctx) {
  ctx.body = page('Signed out', '<h1 id="logged-out">Signed out</h1>');
}

// ---------------------------------------------------------------------------
// Interaction routes (our login page)
// ---------------------------------------------------------------------------

function loginPage({ uid, params, prompt, error, username }) {
  const requested = requestedAcrs(params);
  // Strongest requested level, else the first configured one.
  const selected = requested.length
    ? requested.reduce((a, b) => (acrRank(b) > acrRank(a) ? b : a))
    : acrValues[0];
  const options = acrValues
    .map((acr) => `<option value="${esc(acr)}"${acr === selected ? ' selected' : ''}>${esc(acr)}</option>`)
    .join('\n    ');
  return page('Sign in', `<h1>Sign in</h1>
<p class="meta">Test identity provider for <span id="client">${esc(params.client_id)}</span>
 &middot; reasons: <span id="reasons">${esc(prompt.reasons.join(' '))}</span></p>
${error ? `<p id="error" class="error" role="alert">${esc(error)}</p>` : ''}
<form id="login-form" method="post" action="/interaction/${esc(uid)}/login" autocomplete="off">
  <label for="username">Username</label>
  <input id="username" name="username" type="text" value="${esc(username)}" required autofocus>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" required>
  <label for="acr">Authentication level (acr)</label>
  <select id="acr" name="acr">
    ${options}
  </select>
  <button id="login" type="submit">Sign in</button>
</form>
<p><a id="cancel" href="/interaction/${esc(uid)}/abort">Cancel</a></p>`);
}

// Consent is granted without asking: whatever scopes, claims and resource
// scopes the request still lacks are added to the (new or existing) grant.
async function grantConsent(provider, ctx, details) {
  const { prompt, params, session, grantId } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  const missing = prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  if (missing.missingResourceScopes) {
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
  }
  if (missing.rar) for (const detail of missing.rar) grant.addRar(detail);
  const savedId = await grant.save();
  // A new grant's id is handed back; an existing one was modified in place.
  const result = { consent: grantId ? {} : { grantId: savedId } };
  await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: true });
}

function interactionRoutes(provider) {
  return async function interactions(ctx, next) {
    const match = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|abort))?$/.exec(ctx.path);
    if (!match) return next();
    const [, uid, action] = match;
    ctx.set('cache-control', 'no-store');

    try {
      const details = await provider.interactionDetails(ctx.req, ctx.res);
      if (details.uid !== uid) throw new errors.SessionNotFound('interaction uid mismatch');
      const { prompt, params } = details;

      if (!action && ctx.method === 'GET') {
        if (prompt.name === 'consent') return await grantConsent(provider, ctx, details);
        if (prompt.name !== 'login') ctx.throw(501, `prompt ${prompt.name} not implemented`);
        ctx.type = 'html';
        ctx.body = loginPage({ uid, params, prompt, username: params.login_hint });
        return undefined;
      }

      if (action === 'abort' && ctx.method === 'GET') {
        return await provider.interactionFinished(ctx.req, ctx.res, {
          error: 'access_denied',
          error_description: 'End-User aborted interaction',
        }, { mergeWithLastSubmission: false });
      }

      if (action === 'login' && ctx.method === 'POST') {
        if (prompt.name !== 'login') ctx.throw(400, 'no login is pending for this interaction');
        const form = await readForm(ctx.req);
        const username = form.get('username') ?? '';
        const acr = form.get('acr') ?? '';
        const account = accounts.get(username);
        let error;
        if (!account || account.password !== (form.get('password') ?? '')) {
          error = 'Invalid username or password.';
        } else if (acrRank(acr) < 0) {
          error = 'Unknown authentication level.';
        }
        if (error) {
          ctx.status = 200; // the form again, like a real login page
          ctx.type = 'html';
          ctx.body = loginPage({ uid, params, prompt, error, username });
          return undefined;
        }
        return await provider.interactionFinished(ctx.req, ctx.res, {
          login: { accountId: account.sub, acr, amr: ['pwd'] },
        }, { mergeWithLastSubmission: false });
      }

      ctx.throw(405);
    } catch (err) {
      // Expired or foreign interaction (cookie missing, back button, ...).
      if (err instanceof errors.SessionNotFound) {
        ctx.status = err.status;
        await renderError(ctx, { error: err.message, error_description: err.error_description });
        return undefined;
      }
      throw err;
    }
    return undefined;
  };
}

// ---------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------

// The HTTP server listens first so that OIDC_PORT=0 can resolve to a real
// port before the issuer (which contains it) is fixed.
let handler = (req, res) => { res.statusCode = 503; res.end(); };
const server = createServer((req, res) => handler(req, res));

server.listen(port, '127.0.0.1', () => {
  const actualPort = server.address().port;
  const issuer = process.env.OIDC_ISSUER || `http://127.0.0.1:${actualPort}`;
  let issuerUrl;
  try {
    issuerUrl = new URL(issuer);
  } catch {
    fail(`OIDC_ISSUER is not a URL: ${issuer}`);
  }
  if (issuerUrl.pathname !== '/' || issuerUrl.search || issuerUrl.hash) {
    fail('OIDC_ISSUER must be an origin without path (the provider is served at /)');
  }

  const provider = new Provider(issuerUrl.origin, makeConfiguration());
  provider.use(interactionRoutes(provider));

  // Surface protocol errors on stderr: they explain failing browser tests.
  for (const event of [
    'authorization.error', 'grant.error', 'userinfo.error', 'end_session.error',
    'end_session_confirm.error', 'discovery.error', 'jwks.error',
    'pushed_authorization_request.error', 'server_error',
  ]) {
    provider.on(event, (ctx, err) => {
      process.stderr.write(`[oidc-provider] ${event}: ${err.error ?? err.name}`
        + `${err.error_description ? ` (${err.error_description})` : ''}`
        + `${err.error_detail ? ` [${err.error_detail}]` : ''}\n`);
      if (event === 'server_error') process.stderr.write(`${err.stack}\n`);
    });
  }

  handler = provider.callback();
  process.stdout.write(`READY ${issuerUrl.origin}\n`);
});

server.on('error', (err) => fail(`cannot listen on port ${port}: ${err.message}`));

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections(); // keep-alive connections would hold close() open
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
