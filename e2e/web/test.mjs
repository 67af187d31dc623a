// Browser tests of the Habilis web interface.
//
// Starts the test OpenID provider (e2e/oidc-provider, node-oidc-provider) and a Habilis
// server on the demo data set, then drives Debian's headless Chromium through
// playwright-core: log in through the provider, add a member, grant a scoped role that
// needs a higher security level (step-up at the provider, then confirm), revoke it, ask for
// a role for oneself and have it approved by another manager, read the audit trail and its
// CSV, and switch to Dutch for a second journey. axe-core checks every screen (WCAG 2.1 A
// and AA): no serious or critical violation.
//
// Environment:
//   HABILIS_BIN      the habilis binary (required)
//   CHROMIUM         the browser, default /usr/bin/chromium
//   SCREENSHOTS_DIR  when set, a PNG of each main screen is written there
//
// Exit status 0 when every check passed; prints one line per check.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const HABILIS_BIN = process.env.HABILIS_BIN;
if (!HABILIS_BIN) {
  console.error('HABILIS_BIN must name the habilis binary');
  process.exit(2);
}
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = process.env.SCREENSHOTS_DIR;

// The demo personas, with the national numbers the demo data gives them.
const PEOPLE = {
  anne: { sub: 'anne.lefevre', password: 'anne-password', given_name: 'Anne', family_name: 'Lefèvre', email: 'anne.lefevre@ville.namur.be', national_number: '76041216235' },
  nadia: { sub: 'nadia.benali', password: 'nadia-password', given_name: 'Nadia', family_name: 'Benali', email: 'nadia.benali@ville.namur.be', national_number: '88011711863' },
  stranger: { sub: 'nobody', password: 'nobody-password', given_name: 'No', family_name: 'Body', email: 'nobody@example.be', national_number: '85073003328' },
};
const LOW = 'urn:be:fedict:iam:fas:Level400';
const HIGH = 'urn:be:fedict:iam:fas:Level450';

let failures = 0;
let checks = 0;
function check(ok, what, detail) {
  checks += 1;
  if (ok) {
    console.log(`ok   ${what}`);
  } else {
    failures += 1;
    console.log(`FAIL ${what}${detail === undefined ? '' : `: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`}`);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const children = [];
function start(command, args, env, readyLine) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stderr.on('data', (chunk) => { output += chunk; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} did not start:\n${output}`)), 60_000);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = readyLine && output.match(readyLine);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}:\n${output}`));
    });
  });
}

function stopAll() {
  for (const child of children) {
    if (child.exitCode === null) child.kill('SIGTERM');
  }
}

async function waitReady(url) {
  for (let i = 0; i < 300; i += 1) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} never became ready`);
}

async function axeCheck(page, screen) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const run = await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] });
    return run.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help }));
  });
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  check(bad.length === 0, `axe: ${screen} has no serious or critical violation`, bad);
}

async function shot(page, name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function main() {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const work = mkdtempSync(join(tmpdir(), 'habilis-web-'));
  const accounts = join(work, 'accounts.json');
  writeFileSync(accounts, JSON.stringify(Object.values(PEOPLE)));

  const [, issuer] = await start('node', [join(here, '..', 'oidc-provider', 'server.mjs')], {
    OIDC_PORT: '0',
    OIDC_ACCOUNTS: accounts,
    OIDC_ACR_VALUES: 'urn:be:fedict:iam:fas:Level100,urn:be:fedict:iam:fas:Level200,urn:be:fedict:iam:fas:Level350,urn:be:fedict:iam:fas:Level400,urn:be:fedict:iam:fas:Level450,urn:be:fedict:iam:fas:Level500',
    OIDC_CLIENTS: JSON.stringify([{
      client_id: 'habilis-web',
      client_secret: 'habilis-web-test-secret',
      redirect_uris: [`${base}/auth/callback`],
      post_logout_redirect_uris: [`${base}/`],
    }]),
  }, /READY (\S+)/);

  start(HABILIS_BIN, ['serve', '--demo', '--database', `sqlite://${join(work, 'habilis.db')}`, '--listen', `127.0.0.1:${port}`], {
    HABILIS_OIDC_ISSUER: issuer,
    HABILIS_OIDC_CLIENT_ID: 'habilis-web',
    HABILIS_OIDC_CLIENT_SECRET: 'habilis-web-test-secret',
    HABILIS_PUBLIC_URL: base,
  }).catch((error) => { console.error(String(error)); });
  await waitReady(`${base}/readyz`);

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  // bypassCSP: the pages forbid every script; axe-core is injected by the test.
  const context = await browser.newContext({ bypassCSP: true, locale: 'fr-BE', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();

  async function login(who, acr) {
    await page.goto(`${base}/`);
    await page.locator('a.button[href="/login"]').click();
    // The demo also offers local accounts: the login page, then the identity provider.
    await page.click('#login-oidc');
    await providerLogin(who, acr);
  }

  async function providerLogin(who, acr) {
    await page.waitForSelector('#username');
    await page.fill('#username', who.sub);
    await page.fill('#password', who.password);
    await page.selectOption('#acr', acr);
    await page.click('#login');
    await page.waitForURL((url) => url.href.startsWith(base));
  }

  async function logout() {
    await page.click('form[action="/logout"] button');
    await page.waitForURL((url) => !url.href.startsWith(base) || url.pathname === '/');
    if (!page.url().startsWith(base)) {
      await page.click('#logout');
      await page.waitForURL((url) => url.href.startsWith(base));
    }
  }

  const flash = async () => (await page.locator('.flash').first().textContent().catch(() => '') ?? '').trim();
  const h1 = async () => (await page.locator('h1').first().textContent() ?? '').trim();

  try {
    // ----- not logged in -----
    await page.goto(`${base}/`);
    check((await h1()) === 'Bienvenue sur Habilis', 'welcome page in French by default', await h1());
    await axeCheck(page, 'welcome');
    await shot(page, 'welcome');
    await page.goto(`${base}/approvals`);
    check((await h1()) === 'Connexion', 'a page that needs a login shows the login page', await h1());
    await axeCheck(page, 'login');
    await shot(page, 'login');

    // A local account (the demo's): a wrong password, then the right one.
    await page.fill('#login', 'luc.martin@ville.namur.be');
    await page.fill('#password', 'not-the-password');
    await page.click('form[action="/login/local"] button');
    check((await flash()) === 'Identifiant, mot de passe ou code de sécurité incorrect.', 'a wrong password is refused', await flash());
    await page.fill('#login', 'luc.martin@ville.namur.be');
    await page.fill('#password', 'habilis-demo');
    await page.click('form[action="/login/local"] button');
    check((await h1()) === 'Approbations en attente', 'a local login goes back to the page asked for', await h1());
    check((await page.locator('.badge').textContent()).includes('faible'), 'a password gives the low level (FAS Level200)');
    await page.goto(`${base}/me`);
    check((await page.locator('main').textContent()).includes('Éditeur'), "my access lists the user's roles");
    await axeCheck(page, 'my access');
    await shot(page, 'my-access');
    await logout();

    // Someone the provider knows but Habilis does not.
    await page.goto(`${base}/login`);
    await page.click('#login-oidc');
    await providerLogin(PEOPLE.stranger, LOW);
    check((await page.locator('main').textContent()).includes('ne vous connaît pas'), 'an unknown person is told to ask their access manager');
    await axeCheck(page, 'message page');

    // ----- French journey: Anne Lefèvre, principal manager of the City of Namur -----
    await context.clearCookies();
    await login(PEOPLE.anne, LOW);
    check((await h1()) === 'Tableau de bord', 'after login: the dashboard', await h1());
    check((await page.locator('.badge').textContent()).includes('faible'), 'the session level comes from the acr (Level400 → low)', await page.locator('.badge').textContent());
    check((await page.locator('.cards').textContent()).includes('Gestionnaire principal'), 'the dashboard shows her powers in the organisation');
    await axeCheck(page, 'dashboard');
    await shot(page, 'dashboard');

    await page.click('text=Ville de Namur');
    check((await h1()) === 'Ville de Namur', 'organisation page', await h1());
    const namurPath = new URL(page.url()).pathname;
    await page.fill('#q', 'Martin');
    await page.click('form[role="search"] button');
    check(await page.locator('td a', { hasText: 'Luc Martin' }).count() === 1, 'member search finds Luc Martin');
    await axeCheck(page, 'organisation');
    await shot(page, 'organization');

    await page.goto(`${base}${namurPath}`);
    await page.fill('#person', 'claire.renard@spw.wallonie.be');
    await page.click('form[action$="/members"] button[type="submit"]');
    check((await flash()) === 'Le membre a été ajouté.', 'add a member by e-mail', await flash());
    check((await h1()) === 'Claire Renard', "the new member's page", await h1());
    const clairePath = new URL(page.url()).pathname;
    await axeCheck(page, 'member');

    // A high role: the session is low, so Habilis asks the provider for more.
    await page.selectOption('#role', 'guichet/validator');
    await page.click('details summary >> text=Guichet');
    await page.check('input[name="scope"][value="guichet/finances/budget"]');
    await page.fill('#grant-reason', 'contrôle budgétaire');
    await shot(page, 'grant');
    await page.click('form.grant button[type="submit"]');
    check((await page.locator('.notice').first().textContent()).includes('« high »'), 'granting a high role at a low level asks for the high level (step-up)', await page.locator('main').textContent());
    await page.click('#login-oidc');
    check(page.url().startsWith(issuer), 'the step-up goes to the identity provider', page.url());
    await providerLogin(PEOPLE.anne, HIGH);
    check((await h1()) === "Confirmer l'action", 'back from the step-up: the interrupted form to confirm', await h1());
    check((await page.locator('.badge').textContent()).includes('élevé'), 'the session is now at the high level', await page.locator('.badge').textContent());
    await axeCheck(page, 'resume');
    await page.click('main form button[type="submit"]');
    const granted = await flash();
    check(granted === 'Le rôle a été attribué.' || granted.startsWith('La demande a été enregistrée'), 'the scoped role is granted after the step-up', granted);
    const row = page.locator('tr', { hasText: 'Validateur' });
    check(await row.count() === 1, 'the grant is listed on the member page');
    check((await row.textContent()).includes('Budget'), 'with its category', await row.textContent());

    await row.locator('input[name="reason"]').fill('fin de mission');
    await row.locator('button.danger').click();
    check((await flash()) === 'Le rôle a été révoqué.', 'revoke with a reason', await flash());
    check((await page.locator('tr', { hasText: 'Validateur' }).textContent()).includes('Révoqué'), 'the grant shows as revoked');

    await page.goto(`${base}/audit?organization=${encodeURIComponent(namurPath.split('/').pop())}`);
    const trail = await page.locator('table.audit').textContent();
    check(trail.includes("Attribution d'un rôle") && trail.includes("Révocation d'un rôle"), 'the audit trail shows the grant and its revocation');
    check(trail.includes('fin de mission'), 'with the reason of the revocation');
    await axeCheck(page, 'audit');
    await shot(page, 'audit');
    const csvHref = await page.locator('a[href^="/audit.csv"]').getAttribute('href');
    const csv = await (await page.request.get(`${base}${csvHref}`)).text();
    check(csv.includes('grant.revoke') && csv.includes('fin de mission'), 'the CSV export carries the same events');

    const members = await (await page.request.get(`${base}${namurPath}/export.csv`)).text();
    check(members.includes('Claire Renard'), "the organisation's member export lists the new member");

    // ----- an invitation: the person creates their own account and profile -----
    await page.goto(`${base}${namurPath}`);
    await page.fill('#invite-email', 'sarah.nouvelle@example.be');
    await page.fill('#invite-given', 'Sarah');
    await page.fill('#invite-family', 'Nouvelle');
    await page.click('form[action$="/invitations"] button');
    const invited = await flash();
    const link = (invited.match(/http\S+\/invitations\/inv_\w+/) ?? [])[0];
    check(invited.startsWith('Invitation créée') && Boolean(link), 'invite a person: the link to hand them', invited);
    const guest = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const invitee = await guest.newPage();
    await invitee.goto(link);
    check((await invitee.locator('h1').textContent()).trim() === 'Créer votre compte', 'the invitation page, in the language of the invitation');
    await axeCheck(invitee, 'invitation');
    await invitee.fill('#new-password', 'un mot de passe solide');
    await invitee.fill('#new-password-again', 'un mot de passe solide');
    await invitee.click('form[action^="/invitations/"] button');
    check((await invitee.locator('.flash').textContent()).includes('Votre compte est créé'), 'the invited person creates their account', await invitee.locator('main').textContent());
    await invitee.fill('#login', 'sarah.nouvelle@example.be');
    await invitee.fill('#password', 'un mot de passe solide');
    await invitee.click('form[action="/login/local"] button');
    check((await invitee.locator('.cards').textContent()).includes('Ville de Namur'), 'and is a member of the organisation');
    const reused = await invitee.goto(link);
    check(reused.status() === 404, 'an invitation serves once', reused.status());
    await guest.close();

    // Forged form without the CSRF token: refused, nothing changed.
    const forged = await page.request.post(`${base}${clairePath}/grants`, { form: { role: 'guichet/reader', csrf: 'forged' } });
    check(forged.status() === 403, 'a form without the session CSRF token is refused', forged.status());

    await logout();

    // ----- a self-grant waits for a second manager -----
    await login(PEOPLE.nadia, LOW);
    await page.goto(`${base}${namurPath}?q=Benali`);
    await page.click('td a >> text=Nadia Benali');
    check((await page.locator('section[aria-labelledby="designations"]').textContent()).includes("Gestionnaire d'accès"), "a member's page shows their designations");
    await page.selectOption('#role', 'guichet/reader');
    await page.click('details summary >> text=Guichet');
    await page.check('input[name="scope"][value="guichet/finances/budget"]');
    await page.fill('#grant-reason', 'suivi des budgets');
    await page.click('form.grant button[type="submit"]');
    check((await flash()).startsWith('La demande a été enregistrée'), 'a self-grant awaits approval', await flash());
    await logout();

    await login(PEOPLE.anne, LOW);
    check((await page.locator('.panel.warn').textContent()).includes('approbation'), 'the dashboard warns of the pending approval');
    await page.click('nav >> text=Approbations');
    check((await page.locator('main').textContent()).includes('Nadia Benali'), 'the approvals inbox lists the self-grant');
    await axeCheck(page, 'approvals');
    await shot(page, 'approvals');
    const item = page.locator('li.panel', { hasText: 'Nadia Benali' }).first();
    await item.locator('input[name="reason"]').fill('validé en réunion');
    await item.locator('button[value="approve"]').click();
    check((await flash()) === 'La demande a été approuvée.', 'approve the self-grant', await flash());

    // ----- managers: an access manager, then a deputy (which needs the high level) -----
    await page.goto(`${base}${namurPath}`);
    check((await page.locator('section[aria-labelledby="managers"]').textContent()).includes('Gestionnaire principal'), 'the organisation page lists its managers');
    check((await page.locator('section[aria-labelledby="mandates"]').textContent()).includes('Marchés publics'), 'the organisation page lists the mandate it gives, with its scope');
    await page.fill('#designate-person', 'luc.martin@ville.namur.be');
    await page.check('input[name="kind"][value="access_manager"]');
    await page.check('input[name="applications"][value="guichet"]');
    await page.fill('#designate-reason', 'renfort du service finances');
    await page.click('form.designate button[type="submit"]');
    check((await flash()) === 'La désignation a été enregistrée.', 'designate an access manager for one application', await flash());
    const lucRow = page.locator('section[aria-labelledby="managers"] tr', { hasText: 'Luc Martin' });
    check((await lucRow.textContent()).includes('Guichet des pouvoirs locaux'), 'the designation names its application', await lucRow.textContent());
    await lucRow.locator('input[name="reason"]').fill('mission terminée');
    await lucRow.locator('button.danger').click();
    check((await flash()) === 'La désignation a pris fin.', 'end a designation with a reason', await flash());
    await page.fill('#designate-person', 'elise.gerard@ville.namur.be');
    await page.check('input[name="kind"][value="deputy"]');
    await page.fill('#designate-reason', 'seconde suppléance');
    await page.click('form.designate button[type="submit"]');
    check((await page.locator('.notice').first().textContent()).includes('« high »'), 'designating a deputy at a low level asks for the high level');
    await page.click('#login-oidc');
    await providerLogin(PEOPLE.anne, HIGH);
    await page.click('main form button[type="submit"]');
    const designated = await flash();
    check(designated === 'La désignation a été enregistrée.' || designated === 'La désignation attend une confirmation.', 'the deputy is designated after the step-up', designated);
    check((await page.locator('section[aria-labelledby="managers"]').textContent()).includes('Élise Gérard') || (await page.locator('section[aria-labelledby="managers"]').textContent()).includes('Gérard'), 'the new deputy is listed');
    await axeCheck(page, 'organisation with managers');
    await shot(page, 'managers');

    // ----- Dutch journey -----
    await page.selectOption('#language', 'nl');
    await page.click('form.lang button');
    check((await h1()) === 'Stad Namen' && (await page.locator('nav').textContent()).includes('Goedkeuringen'), 'the language switch turns the page into Dutch, names included', await h1());
    await page.goto(`${base}/`);
    check((await h1()) === 'Overzicht', 'the choice is remembered', await h1());
    // A fresh login at the low level, so that the Dutch journey steps up too.
    await logout();
    await login(PEOPLE.anne, LOW);
    check((await h1()) === 'Overzicht', 'nl: logged in again, in Dutch', await h1());
    await axeCheck(page, 'dashboard (nl)');
    await page.goto(`${base}${namurPath}`);
    await page.fill('#person', 'pieter.janssens@bosa.fgov.be');
    await page.click('form[action$="/members"] button[type="submit"]');
    check((await flash()) === 'Het lid werd toegevoegd.', 'nl: add a member', await flash());
    await page.selectOption('#role', 'guichet/reader');
    await page.click('details summary >> text=Loket');
    await page.check('input[name="scope"][value="guichet/finances/budget"]');
    await page.fill('#grant-reason', 'opvolging');
    await page.click('form.grant button[type="submit"]');
    check((await flash()) === 'De rol werd toegekend.', 'nl: grant a scoped role', await flash());
    await axeCheck(page, 'member (nl)');
    await shot(page, 'member-nl');
    // nl: a high role steps up, in Dutch
    const pieterPath = new URL(page.url()).pathname;
    await page.selectOption('#role', 'guichet/submitter');
    await page.click('details summary >> text=Loket');
    await page.check('input[name="scope"][value="guichet/finances/comptes"]');
    await page.fill('#grant-reason', 'indienen van de rekeningen');
    await page.click('form.grant button[type="submit"]');
    check((await h1()) === 'Aanmelden' && (await page.locator('.notice').first().textContent()).includes('„high”'), 'nl: a high role asks for the high level', await page.locator('main').textContent());
    await page.click('#login-oidc');
    await providerLogin(PEOPLE.anne, HIGH);
    check((await h1()) === 'De actie bevestigen', 'nl: back from the step-up, the form to confirm', await h1());
    await page.click('main form button[type="submit"]');
    check((await flash()) === 'De rol werd toegekend.', 'nl: the high role is granted after the step-up', await flash());
    check(new URL(page.url()).pathname === pieterPath, 'nl: back on the member page');
    const nlRow = page.locator('tr', { hasText: 'Lezer' }).first();
    await nlRow.locator('input[name="reason"]').fill('niet meer nodig');
    await nlRow.locator('button.danger').click();
    check((await flash()) === 'De rol werd ingetrokken.', 'nl: revoke', await flash());
    await page.fill('#remove-reason', 'verlaat de dienst');
    await page.click('form[action$="/remove"] button');
    check((await flash()).startsWith('Het lid werd verwijderd'), 'nl: remove a member with a reason', await flash());
    check(!(await page.locator('main').textContent()).includes('Pieter Janssens'), 'nl: the member list no longer shows them');
    await page.goto(`${base}/audit?organization=${encodeURIComponent(namurPath.split('/').pop())}`);
    const nlTrail = await page.locator('table.audit').textContent();
    check(nlTrail.includes('Rol toegekend') && nlTrail.includes('Rol ingetrokken'), 'nl: the audit trail in Dutch');
    await axeCheck(page, 'audit (nl)');
    await page.goto(`${base}/me`);
    await axeCheck(page, 'my access (nl)');
    // nl: a self-grant waits for a second manager, in Dutch
    await logout();
    await login(PEOPLE.nadia, LOW);
    await page.goto(`${base}${namurPath}?q=Benali`);
    await page.click('td a >> text=Nadia Benali');
    await page.selectOption('#role', 'guichet/reader');
    await page.click('details summary >> text=Loket');
    await page.check('input[name="scope"][value="guichet/finances/comptes"]');
    await page.fill('#grant-reason', 'opvolging van de rekeningen');
    await page.click('form.grant button[type="submit"]');
    check((await flash()).startsWith('De aanvraag werd geregistreerd'), 'nl: a self-grant awaits approval', await flash());
    await logout();
    await login(PEOPLE.anne, LOW);
    await page.click('nav >> text=Goedkeuringen');
    const nlItem = page.locator('li.panel', { hasText: 'Nadia Benali' }).first();
    await nlItem.locator('input[name="reason"]').fill('goedgekeurd');
    await nlItem.locator('button[value="approve"]').click();
    check((await flash()) === 'De aanvraag werd goedgekeurd.', 'nl: approve the self-grant', await flash());
    await axeCheck(page, 'approvals (nl)');
    const notOperator = await page.goto(`${base}/operator`);
    check(notOperator.status() === 403, "a manager who is not the operator gets no operator's page", notOperator.status());
    await logout();

    // ----- the platform operator (a local account), still in Dutch -----
    await page.goto(`${base}/login`);
    await page.fill('#login', 'sophie.lambert@spw.wallonie.be');
    await page.fill('#password', 'habilis-demo');
    await page.click('form[action="/login/local"] button');
    await page.click('nav >> text=Operator');
    check((await h1()) === 'Operator van het platform', 'nl: the operator page', await h1());
    await axeCheck(page, 'operator (nl)');
    await shot(page, 'operator-nl');
    await page.fill('#suspend-person', 'luc.martin@ville.namur.be');
    await page.fill('#suspend-reason', 'vermoeden van misbruik');
    await page.click('form[action="/operator/users/suspension"] button[value="suspend"]');
    check((await flash()) === 'De schorsing werd geregistreerd.', 'nl: suspend a person with a reason', await flash());
    await page.fill('#suspend-person', 'luc.martin@ville.namur.be');
    await page.click('form[action="/operator/users/suspension"] button[value="lift"]');
    check((await flash()) === 'De schorsing werd opgeheven.', 'nl: lift the suspension', await flash());
    const cpas = page.locator('tr', { hasText: 'OCMW Namen' }).first();
    await cpas.locator('input[name="reason"]').fill('onderzoek');
    await cpas.locator('button[value="suspend"]').click();
    check((await page.locator('tr', { hasText: 'OCMW Namen' }).first().textContent()).includes('Geschorst'), 'nl: suspend an organisation', await flash());
    await page.locator('tr', { hasText: 'OCMW Namen' }).first().locator('button[value="lift"]').click();
    check((await page.locator('tr', { hasText: 'OCMW Namen' }).first().textContent()).includes('Actief'), 'nl: lift it');
    await logout();

    // ----- the application owner edits the Guichet's taxonomy; someone else may not -----
    await page.goto(`${base}/login`);
    await page.fill('#login', 'marc.dubois@spw.wallonie.be');
    await page.fill('#password', 'habilis-demo');
    await page.click('form[action="/login/local"] button');
    await page.click('nav >> text=Toepassingen');
    await axeCheck(page, 'application catalogue (nl)');
    await page.click('a[href="/applications/guichet"]');
    await axeCheck(page, 'application editor (nl)');
    await page.selectOption('#category-matter', 'finances');
    await page.fill('#category-key', 'tresorerie');
    await page.fill('#category-fr', 'Trésorerie');
    await page.click('form:has(input[value="category"]) button');
    check((await flash()) === 'De definitie werd opgeslagen.', 'nl: the owner adds a category to the taxonomy', await flash());
    check((await page.locator('section[aria-labelledby="taxonomy"]').textContent()).includes('Trésorerie'), 'the new category is in the tree');
    await shot(page, 'application-nl');
    await logout();
    await page.goto(`${base}/login`);
    await page.fill('#login', 'luc.martin@ville.namur.be');
    await page.fill('#password', 'habilis-demo');
    await page.click('form[action="/login/local"] button');
    await page.goto(`${base}/applications/guichet`);
    await page.fill('#permission', 'dossier.delete');
    await page.click('form:has(input[value="permission"]) button');
    check((await flash()) === 'Alleen de eigenaar van de toepassing mag dit doen.', 'nl: someone who does not own the application cannot change it', await flash());
    check(!(await page.locator('main').textContent()).includes('dossier.delete'), 'and nothing changed');
    await logout();
    check((await h1()) === 'Welkom bij Habilis', 'after logout: the welcome page, still in Dutch', await h1());

    // ----- the language chosen is kept in the person's profile -----
    const fresh = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const other = await fresh.newPage();
    await other.goto(`${base}/login`);
    await other.click('#login-oidc');
    await other.waitForSelector('#username');
    await other.fill('#username', PEOPLE.anne.sub);
    await other.fill('#password', PEOPLE.anne.password);
    await other.selectOption('#acr', LOW);
    await other.click('#login');
    await other.waitForURL((url) => url.href.startsWith(base));
    check((await other.locator('h1').first().textContent()).trim() === 'Overzicht', 'on another browser the person finds the language they chose (Dutch)', await other.locator('h1').first().textContent());
    await fresh.close();
  } finally {
    await browser.close();
    stopAll();
  }
  console.log(`${checks - failures}/${checks} checks passed`);
  process.exit(failures === 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  stopAll();
  process.exit(1);
});
