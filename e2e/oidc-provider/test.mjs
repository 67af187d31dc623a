// Self-test of the test OpenID Provider: node e2e/oidc-provider/test.mjs
//
// Starts server.mjs on a free port and drives it with plain fetch (cookie jar
// by hand, redirects followed by hand), the way the Habilis web UI and a
// browser will: discovery, authorization code + PKCE with acr_values, wrong
// password, prompt=login re-authentication, acr step-up, single sign-on,
// userinfo and RP-initiated logout. Exits 0 when every check passes.

import { spawn } from 'node:child_process';
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const CLIENT = {
  client_id: 'habilis',
  client_secret: 'habilis-test-secret',
  redirect_uris: ['http://127.0.0.1:8080/auth/callback'],
  post_logout_redirect_uris: ['http://127.0.0.1:8080/'],
};
const REDIRECT_URI = CLIENT.redirect_uris[0];
const USER = { sub: 'jan.janssens', password: 'jan-password', national_number: '85073003328' };
const LEVEL = (n) => `urn:be:fedict:iam:fas:Level${n}`;

let passed = 0;
let failed = 0;
function check(condition, message, detail) {
  if (condition) {
    passed += 1;
    console.log(`ok - ${message}`);
  } else {
    failed += 1;
    console.log(`not ok - ${message}${detail === undefined ? '' : `\n    ${JSON.stringify(detail)}`}`);
  }
  return condition;
}
// For steps the rest of the test cannot go on without.
function must(condition, message, detail) {
  if (!check(condition, message, detail)) throw new Error(`stopping: ${message}`);
}

// ---------------------------------------------------------------------------
// Provider process
// ---------------------------------------------------------------------------

function startProvider() {
  const child = spawn(process.execPath, [join(HERE, 'server.mjs')], {
    env: { ...process.env, OIDC_PORT: '0', OIDC_CLIENTS: JSON.stringify([CLIENT]) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const ready = new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no READY line within 20 s\n${stderr}`)), 20000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^READY (\S+)$/m.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`provider exited early (${code})\n${stderr}`)); });
  });
  return { child, ready, stderr: () => stderr };
}

function stopProvider(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, 5000);
    child.once('exit', (code, signal) => { clearTimeout(timer); resolve(signal ? signal : code); });
    child.kill('SIGTERM');
  });
}

// ---------------------------------------------------------------------------
// A tiny browser: cookie jar (name + path) and manual redirects
// ---------------------------------------------------------------------------

class Browser {
  constructor() { this.cookies = new Map(); } // "name;path" -> {name, value, path}

  store(res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = '/';
      let expired = value === '';
      for (const attr of attrs) {
        const [k, v] = attr.split('=');
        if (k.toLowerCase() === 'path') path = v;
        if (k.toLowerCase() === 'expires' && Date.parse(v) <= Date.now()) expired = true;
        if (k.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
      }
      const key = `${name};${path}`;
      if (expired) this.cookies.delete(key);
      else this.cookies.set(key, { name, value, path });
    }
  }

  header(url) {
    const { pathname } = new URL(url);
    return [...this.cookies.values()]
      .filter((c) => pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  async request(url, { method = 'GET', form } = {}) {
    const headers = { accept: 'text/html' };
    const cookie = this.header(url);
    if (cookie) headers.cookie = cookie;
    let body;
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    }
    const res = await fetch(url, { method, headers, body, redirect: 'manual' });
    this.store(res);
    return res;
  }

  // Follows redirects while they stay on the provider; stops at the first
  // non-redirect response or at a redirect leaving `origin` (the client).
  async follow(url, origin, init) {
    let res = await this.request(url, init);
    let current = url;
    for (let hops = 0; hops < 10; hops += 1) {
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) {
        return { res, url: current, html: await res.text() };
      }
      current = new URL(location, current).href;
      if (!current.startsWith(origin)) return { res, url: current, redirect: current };
      res = await this.request(current);
    }
    throw new Error(`too many redirects from ${url}`);
  }
}

// ---------------------------------------------------------------------------
// HTML and token helpers
// ---------------------------------------------------------------------------

const attr = (tag, name) => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];
const unescapeHtml = (s) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'")
  .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

function parseLoginForm(html) {
  const formTag = /<form\b[^>]*id="login-form"[^>]*>/.exec(html)?.[0];
  const select = /<select\b[^>]*id="acr"[^>]*>([\s\S]*?)<\/select>/.exec(html);
  const options = select ? [...select[1].matchAll(/<option\b[^>]*>/g)].map((m) => m[0]) : [];
  return {
    action: formTag && unescapeHtml(attr(formTag, 'action')),
    hasUsername: /<input\b[^>]*id="username"[^>]*name="username"/.test(html),
    hasPassword: /<input\b[^>]*id="password"[^>]*name="password"[^>]*type="password"/.test(html),
    hasSubmit: /<button\b[^>]*id="login"/.test(html),
    acrOptions: options.map((o) => unescapeHtml(attr(o, 'value'))),
    acrSelected: options.filter((o) => /\bselected\b/.test(o)).map((o) => unescapeHtml(attr(o, 'value'))),
    error: /<p\b[^>]*id="error"[^>]*>([^<]*)</.exec(html)?.[1],
  };
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');

function newPkce() {
  const verifier = b64url(randomBytes(32));
  return { verifier, challenge: b64url(createHash('sha256').update(verifier).digest()) };
}

function decodeJwt(jwt) {
  const [h, p, s] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url')),
    payload: JSON.parse(Buffer.from(p, 'base64url')),
    signingInput: `${h}.${p}`,
    signature: Buffer.from(s, 'base64url'),
  };
}

function verifyRs256(jwt, jwks) {
  const { header, signingInput, signature } = decodeJwt(jwt);
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  if (!jwk || header.alg !== 'RS256') return false;
  return verify('RSA-SHA256', Buffer.from(signingInput), createPublicKey({ key: jwk, format: 'jwk' }), signature);
}

// ---------------------------------------------------------------------------
// The flows
// ---------------------------------------------------------------------------

function authorizeUrl(discovery, extra) {
  const url = new URL(discovery.authorization_endpoint);
  for (const [k, v] of Object.entries({
    client_id: CLIENT.client_id,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    ...extra,
  })) url.searchParams.set(k, v);
  return url.href;
}

// Starts an authorization request; returns either the login form or, when
// the provider answers without interaction (SSO), the callback.
async function startAuthorization(browser, discovery, params) {
  const pkce = newPkce();
  const state = b64url(randomBytes(12));
  const nonce = b64url(randomBytes(12));
  const url = authorizeUrl(discovery, {
    scope: 'openid profile email national_number',
    state,
    nonce,
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
    ...params,
  });
  const step = await browser.follow(url, discovery.issuer);
  return { ...step, pkce, state, nonce };
}

async function submitLogin(browser, discovery, formUrl, form, fields) {
  const action = new URL(form.action, formUrl).href;
  return browser.follow(action, discovery.issuer, { method: 'POST', form: fields });
}

async function exchangeCode(discovery, code, verifier, authMethod) {
  const body = new URLSearchParams({
    grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier,
  });
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  if (authMethod === 'client_secret_basic') {
    const enc = encodeURIComponent; // RFC 6749 2.3.1: form-encode before base64
    headers.authorization = `Basic ${Buffer.from(`${enc(CLIENT.client_id)}:${enc(CLIENT.client_secret)}`).toString('base64')}`;
  } else {
    body.set('client_id', CLIENT.client_id);
    body.set('client_secret', CLIENT.client_secret);
  }
  const res = await fetch(discovery.token_endpoint, { method: 'POST', headers, body });
  return { status: res.status, json: await res.json() };
}

function callbackParams(step, label) {
  must(step.redirect?.startsWith(REDIRECT_URI), `${label}: flow ends with a redirect to the client redirect_uri`, step.redirect ?? step.html?.slice(0, 300));
  return new URL(step.redirect).searchParams;
}

// Exchanges the code of a finished flow and checks the common ID token facts.
async function finishFlow(discovery, jwks, flow, step, authMethod, label) {
  const cb = callbackParams(step, label);
  check(cb.get('state') === flow.state, `${label}: state is returned`);
  check(cb.get('iss') === discovery.issuer, `${label}: iss is returned with the code (RFC 9207)`);
  const code = cb.get('code');
  must(code, `${label}: authorization code is returned`, Object.fromEntries(cb));
  const token = await exchangeCode(discovery, code, flow.pkce.verifier, authMethod);
  must(token.status === 200 && token.json.id_token, `${label}: token endpoint accepts the code with ${authMethod}`, token.json);
  check(verifyRs256(token.json.id_token, jwks), `${label}: ID token RS256 signature verifies against jwks_uri`);
  const { payload } = decodeJwt(token.json.id_token);
  check(payload.iss === discovery.issuer, `${label}: ID token iss`, payload.iss);
  check(payload.aud === CLIENT.client_id, `${label}: ID token aud`, payload.aud);
  check(payload.sub === USER.sub, `${label}: ID token sub`, payload.sub);
  check(payload.nonce === flow.nonce, `${label}: ID token nonce`, payload.nonce);
  check(Number.isInteger(payload.auth_time), `${label}: ID token auth_time`, payload.auth_time);
  check(JSON.stringify(payload.amr) === '["pwd"]', `${label}: ID token amr is ["pwd"]`, payload.amr);
  return { payload, token: token.json };
}

async function main() {
  const provider = startProvider();
  try {
    const issuer = await provider.ready;
    check(/^http:\/\/127\.0\.0\.1:\d+$/.test(issuer), `provider is READY at ${issuer}`);

    // --- discovery -----------------------------------------------------------
    const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
    const has = (list, ...values) => values.every((v) => (discovery[list] ?? []).includes(v));
    check(discovery.issuer === issuer, 'discovery: issuer');
    check(JSON.stringify(discovery.acr_values_supported)
      === JSON.stringify([1, 100, 200, 300, 400, 500].map(LEVEL)), 'discovery: acr_values_supported lists the FAS levels', discovery.acr_values_supported);
    check(has('code_challenge_methods_supported', 'S256'), 'discovery: PKCE S256');
    check(has('token_endpoint_auth_methods_supported', 'client_secret_basic', 'client_secret_post'), 'discovery: client_secret_basic and client_secret_post');
    check(has('scopes_supported', 'openid', 'profile', 'email', 'national_number'), 'discovery: scopes');
    check(has('claims_supported', 'sub', 'acr', 'amr', 'auth_time', 'national_number'), 'discovery: claims');
    check(has('response_types_supported', 'code'), 'discovery: response type code');
    for (const ep of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'end_session_endpoint']) {
      check(discovery[ep]?.startsWith(issuer), `discovery: ${ep}`, discovery[ep]);
    }
    const jwks = await (await fetch(discovery.jwks_uri)).json();
    check(jwks.keys?.some((k) => k.kty === 'RSA' && !k.d), 'jwks: public RSA key, no private part');

    const browser = new Browser();

    // --- PKCE is mandatory -----------------------------------------------------
    const noPkce = await browser.follow(authorizeUrl(discovery, { scope: 'openid', state: 's', nonce: 'n' }), issuer);
    check(noPkce.redirect && new URL(noPkce.redirect).searchParams.get('error') === 'invalid_request',
      'authorization without code_challenge is refused (invalid_request)', noPkce.redirect ?? noPkce.res.status);

    // --- 1. first login at Level400 ---------------------------------------------
    const flow1 = await startAuthorization(browser, discovery, { acr_values: LEVEL(400) });
    must(flow1.res.status === 200 && flow1.html, 'flow 1: /auth leads to the login page', flow1.redirect);
    const form1 = parseLoginForm(flow1.html);
    check(form1.hasUsername && form1.hasPassword && form1.hasSubmit, 'flow 1: form has #username, #password and #login');
    check(JSON.stringify(form1.acrOptions) === JSON.stringify(discovery.acr_values_supported), 'flow 1: #acr lists the supported levels');
    check(JSON.stringify(form1.acrSelected) === JSON.stringify([LEVEL(400)]), 'flow 1: requested Level400 is preselected', form1.acrSelected);
    const step1 = await submitLogin(browser, discovery, flow1.url, form1,
      { username: USER.sub, password: USER.password, acr: LEVEL(400) });
    const r1 = await finishFlow(discovery, jwks, flow1, step1, 'client_secret_basic', 'flow 1');
    check(r1.payload.acr === LEVEL(400), 'flow 1: ID token acr is Level400', r1.payload.acr);
    check(r1.payload.national_number === USER.national_number, 'flow 1: ID token national_number', r1.payload.national_number);
    check(r1.payload.given_name === 'Jan' && r1.payload.family_name === 'Janssens' && r1.payload.email === 'jan.janssens@example.be',
      'flow 1: ID token profile and email claims', r1.payload);

    const userinfo = await (await fetch(discovery.userinfo_endpoint, {
      headers: { authorization: `Bearer ${r1.token.access_token}` },
    })).json();
    check(userinfo.sub === USER.sub && userinfo.national_number === USER.national_number, 'userinfo: sub and national_number', userinfo);

    // --- 2. prompt=login shows the form again; wrong password; Level200 ----------
    const flow2 = await startAuthorization(browser, discovery, { prompt: 'login', acr_values: `${LEVEL(100)} ${LEVEL(200)}` });
    must(flow2.res.status === 200 && flow2.html, 'flow 2: prompt=login shows the login page despite the session', flow2.redirect);
    const form2 = parseLoginForm(flow2.html);
    check(JSON.stringify(form2.acrSelected) === JSON.stringify([LEVEL(200)]), 'flow 2: strongest requested level (Level200) is preselected', form2.acrSelected);
    const wrong = await submitLogin(browser, discovery, flow2.url, form2,
      { username: USER.sub, password: 'not-the-password', acr: LEVEL(200) });
    const wrongForm = wrong.html ? parseLoginForm(wrong.html) : {};
    check(wrong.res.status === 200 && /invalid username or password/i.test(wrongForm.error ?? ''),
      'flow 2: wrong password shows the form again with an error', { status: wrong.res.status, error: wrongForm.error });
    check(wrongForm.hasPassword && wrongForm.action === form2.action, 'flow 2: the error page is the same login form');
    const step2 = await submitLogin(browser, discovery, wrong.url, wrongForm,
      { username: USER.sub, password: USER.password, acr: LEVEL(200) });
    const r2 = await finishFlow(discovery, jwks, flow2, step2, 'client_secret_post', 'flow 2');
    check(r2.payload.acr === LEVEL(200), 'flow 2: ID token acr is the newly chosen Level200', r2.payload.acr);
    check(r2.payload.auth_time >= r1.payload.auth_time, 'flow 2: auth_time is that of the new login');

    // --- 3. step-up: Level500 asked while the session is at Level200 ------------
    const flow3 = await startAuthorization(browser, discovery, { acr_values: LEVEL(500) });
    must(flow3.res.status === 200 && flow3.html, 'flow 3: acr_values above the session level shows the login page (step-up)', flow3.redirect);
    const form3 = parseLoginForm(flow3.html);
    check(JSON.stringify(form3.acrSelected) === JSON.stringify([LEVEL(500)]), 'flow 3: Level500 preselected');
    const step3 = await submitLogin(browser, discovery, flow3.url, form3,
      { username: USER.sub, password: USER.password, acr: LEVEL(500) });
    const r3 = await finishFlow(discovery, jwks, flow3, step3, 'client_secret_basic', 'flow 3');
    check(r3.payload.acr === LEVEL(500), 'flow 3: ID token acr is Level500', r3.payload.acr);

    // --- 4. single sign-on: Level300 is satisfied by the Level500 session --------
    const flow4 = await startAuthorization(browser, discovery, { acr_values: LEVEL(300) });
    const r4 = await finishFlow(discovery, jwks, flow4, flow4, 'client_secret_basic', 'flow 4 (no login page)');
    check(r4.payload.acr === LEVEL(500), 'flow 4: session acr Level500 is reported', r4.payload.acr);
    check(r4.payload.auth_time === r3.payload.auth_time, 'flow 4: auth_time unchanged (no new login)');

    // --- 5. max_age=0 right after a login still asks for the password -----------
    // (the provider turns max_age=0 into prompt=login, OIDC Core errata 2)
    const flow5 = await startAuthorization(browser, discovery, { max_age: '0', acr_values: LEVEL(300) });
    must(flow5.res.status === 200 && flow5.html, 'flow 5: max_age=0 shows the login page despite the session', flow5.redirect);
    const form5 = parseLoginForm(flow5.html);
    const step5 = await submitLogin(browser, discovery, flow5.url, form5,
      { username: USER.sub, password: USER.password, acr: LEVEL(300) });
    const r5 = await finishFlow(discovery, jwks, flow5, step5, 'client_secret_basic', 'flow 5');
    check(r5.payload.acr === LEVEL(300), 'flow 5: ID token acr is the chosen Level300 (a lower level replaces the session level)', r5.payload.acr);

    // --- 6. RP-initiated logout ------------------------------------------------
    const logoutUrl = new URL(discovery.end_session_endpoint);
    logoutUrl.searchParams.set('id_token_hint', r5.token.id_token);
    logoutUrl.searchParams.set('post_logout_redirect_uri', CLIENT.post_logout_redirect_uris[0]);
    logoutUrl.searchParams.set('state', 'bye');
    const confirm = await browser.follow(logoutUrl.href, issuer);
    const logoutForm = /<form\b[^>]*id="op\.logoutForm"[^>]*>[\s\S]*?<\/form>/.exec(confirm.html ?? '')?.[0];
    must(confirm.res.status === 200 && logoutForm && /id="logout"/.test(confirm.html), 'logout: confirmation page with #logout button');
    const loggedOut = await browser.follow(new URL(unescapeHtml(attr(logoutForm, 'action')), issuer).href, issuer, {
      method: 'POST',
      form: { xsrf: attr(/<input\b[^>]*name="xsrf"[^>]*>/.exec(logoutForm)[0], 'value'), logout: 'yes' },
    });
    check(loggedOut.redirect === `${CLIENT.post_logout_redirect_uris[0]}?state=bye`, 'logout: redirected to post_logout_redirect_uri with state', loggedOut.redirect);
    const flow7 = await startAuthorization(browser, discovery, {});
    check(flow7.res.status === 200 && parseLoginForm(flow7.html ?? '').hasPassword, 'after logout: /auth asks to log in again');
    const form7 = parseLoginForm(flow7.html ?? '');
    check(JSON.stringify(form7.acrSelected) === JSON.stringify([LEVEL(1)]), 'after logout: without acr_values the first level is preselected', form7.acrSelected);
    // Without acr_values or max_age the provider would leave acr, amr and
    // auth_time out of the ID token; the configuration always includes them.
    const step7 = await submitLogin(browser, discovery, flow7.url, form7,
      { username: USER.sub, password: USER.password, acr: LEVEL(1) });
    const r7 = await finishFlow(discovery, jwks, flow7, step7, 'client_secret_post', 'flow 7 (no acr_values)');
    check(r7.payload.acr === LEVEL(1), 'flow 7: ID token acr is Level1 although none was requested', r7.payload.acr);
  } catch (err) {
    failed += 1;
    console.log(`not ok - ${err.message}`);
    const log = provider.stderr().split('\n').filter((l) => !/WARNING/.test(l)).join('\n').trim();
    if (log) console.log(`provider stderr:\n${log}`);
  } finally {
    const exit = await stopProvider(provider.child);
    check(exit === 0, 'provider stops cleanly on SIGTERM', exit);
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

await main();
