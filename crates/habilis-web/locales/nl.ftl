# Habilis — webinterface, Nederlands

skip-to-content = Naar de inhoud
language = Taal
language-apply = Wijzigen
level = Niveau
logout = Afmelden
login = Aanmelden
footer = toegangs- en rollenbeheer voor overheidsdiensten
back-home = Terug naar de startpagina
cancel = Annuleren
search = Zoeken
nav-label = Hoofdnavigatie
nav-dashboard = Overzicht
nav-me = Mijn toegang
nav-approvals = Goedkeuringen
nav-audit = Auditlogboek
pager = Pagina's
pager-previous = Vorige pagina
pager-next = Volgende pagina
enterprise-number = Ondernemingsnr.
scope-all = Volledige scope
until-open = Zonder einddatum

welcome-title = Welkom bij Habilis
welcome-lead = Met Habilis bepalen de toegangsbeheerders van uw organisatie wie wat mag doen in de toepassingen van de overheidsdiensten.
welcome-means = Meld u aan met uw elektronische identiteitskaart, itsme of een beveiligingscode.
dashboard-title = Overzicht
dashboard-attention = Te behandelen
dashboard-approvals = { $count ->
    [one] { $shown } aanvraag wacht op uw goedkeuring
   *[other] { $shown } aanvragen wachten op uw goedkeuring
}
dashboard-expiring = { $count ->
    [one] { $shown } van uw rollen verloopt binnen 30 dagen
   *[other] { $shown } van uw rollen verlopen binnen 30 dagen
}
dashboard-pending-mine = { $count ->
    [one] { $shown } van uw aanvragen wacht op goedkeuring
   *[other] { $shown } van uw aanvragen wachten op goedkeuring
}
dashboard-organizations = Mijn organisaties
dashboard-no-organization = U bent van geen enkele organisatie lid.
dashboard-my-roles = Mijn rollen

organization-title = Organisatie
organization-members = { $count ->
    [one] { $shown } lid
   *[other] { $shown } leden
}
organization-members-caption = Leden van de organisatie
organization-search = Een lid zoeken (naam of e-mail)
organization-no-member = Geen enkel lid komt overeen.
organization-export = Leden en hun rollen exporteren (CSV)
member-add = Een lid toevoegen
member-add-person = Rijksregisternummer of e-mailadres
member-add-hint = De persoon moet al een Habilis-account hebben. Voorbeeld: 85.07.30-033.28
member-add-submit = Toevoegen
member-added = Het lid werd toegevoegd.
member-title = Lid
member-grants = Rollen in deze organisatie
member-no-grant = Geen rol in deze organisatie.
member-history = Geschiedenis

col-organization = Organisatie
col-application = Toepassing
col-role = Rol
col-scope = Scope
col-until = Tot
col-state = Status
col-actions = Acties
col-name = Naam
col-email = E-mail
col-member-since = Lid sinds

state-pending = Wacht op goedkeuring
state-active = Actief
state-revoked = Ingetrokken
state-expired = Verlopen
state-rejected = Geweigerd

grant-title = Een rol toekennen
grant-role = Toepassing en rol
grant-choose-role = Kies een rol
grant-scope = Scope: materies en categorieën
grant-scope-hint = Vink de categorieën van de gekozen toepassing aan. Zonder vinkje geldt de rol voor de volledige scope (als de rol niet beperkt is).
grant-from = Geldig vanaf
grant-until = Geldig tot (optioneel)
grant-reason = Reden
grant-submit = De rol toekennen
grant-done = De rol werd toegekend.
grant-pending = De aanvraag werd geregistreerd; ze wacht op goedkeuring.
grant-bad-date = Een datum is ongeldig (verwacht: jjjj-mm-dd).
grant-revoked = De rol werd ingetrokken.
revoke = Intrekken
revoke-reason = Reden van intrekking

approvals-title = Goedkeuringen in behandeling
approvals-none = Geen enkele aanvraag wacht op uw goedkeuring.
approvals-cause = Waarom goedkeuring nodig is
approvals-requested-by = Aangevraagd door
approvals-expires = Vervalt op
approvals-reason = Reden (verplicht om te weigeren)
approval-grant = Rol voor { $who }
approval-designation = Aanstelling
approve = Goedkeuren
reject = Weigeren
approval-approved = De aanvraag werd goedgekeurd.
approval-rejected = De aanvraag werd geweigerd.
cause-organization = de organisatie vereist goedkeuring
cause-role = de rol vereist goedkeuring
cause-self-grant = toekenning aan zichzelf
cause-operator = aanstelling te bevestigen door de operator

audit-title = Auditlogboek
audit-organization = Organisatie
audit-application = Toepassing (sleutel)
audit-since = Vanaf
audit-until = Tot
audit-any = Alle
audit-filter = Filteren
audit-csv = Downloaden als CSV
audit-none = Geen gebeurtenissen.
audit-at = Datum
audit-actor = Door
audit-action = Actie
audit-subject = Betrokken persoon
audit-outcome = Resultaat
audit-code = Code
audit-target = Object
audit-reason = Reden
audit-committed = Uitgevoerd
audit-refused = Geweigerd
audit-platform = Platform

export-user = Id
export-name = Naam
export-email = E-mail
export-member-since = Lid sinds
export-application = Toepassing
export-role = Rol
export-scope = Scope
export-until = Tot
export-state = Status

me-title = Mijn toegang
me-current = Mijn huidige rollen
me-history = Vroegere rollen
me-none = U hebt momenteel geen enkele rol.
me-no-history = Geen vroegere rollen.

resume-title = De actie bevestigen
resume-lead = Uw beveiligingsniveau is nu voldoende. Bevestig de onderbroken actie:
resume-confirm = Bevestigen
resume-grant = De rol „{ $role }” toekennen
resume-revoke = De rol intrekken
resume-approval = Over de aanvraag beslissen

login-not-configured = Aanmelden is op deze server niet ingesteld (geen identiteitsprovider).
login-rate-limited = Te veel aanmeldpogingen. Probeer het over enkele minuten opnieuw.
login-provider-down = De aanmelddienst antwoordt niet. Probeer het zo dadelijk opnieuw.
login-expired = Deze aanmelding is verlopen of ongeldig. Begin opnieuw.
login-cancelled = De aanmelding werd geannuleerd.
login-failed = De aanmelding is mislukt. Begin opnieuw.
login-unknown-person = Habilis kent u nog niet: vraag de toegangsbeheerder van uw organisatie om u toe te voegen.
login-level-not-reached = Deze actie vereist een hoger beveiligingsniveau (bijvoorbeeld de elektronische identiteitskaart of itsme).

error-title = Actie niet mogelijk
error-csrf = Het formulier is verlopen. Laad de pagina opnieuw en probeer het nog eens.
error-invalid = De gegevens zijn ongeldig:
error-not-found = Niet gevonden.
error-conflict = Deze actie is in strijd met de huidige toestand.
error-login = Meld u aan om verder te gaan.
error-internal = Er is iets misgegaan. Probeer het later opnieuw.

refusal-not-a-user = Hiervoor moet een persoon aangemeld zijn.
refusal-not-operator = Alleen de operator van het platform mag dit doen.
refusal-not-a-manager = U bent geen beheerder in deze organisatie.
refusal-outside-designation = U bent toegangsbeheerder, maar niet voor deze toepassing.
refusal-wider-than-own = U kunt niet meer bevoegdheid geven dan u zelf hebt.
refusal-last-principal = De organisatie moet minstens één hoofdtoegangsbeheerder behouden.
refusal-self-grant-denied = De toepassing staat niet toe deze rol aan zichzelf toe te kennen.
refusal-exclusive-roles = De persoon zou twee onverenigbare rollen hebben.
refusal-not-a-member = De persoon is geen actief lid van de organisatie.
refusal-not-subscribed = De organisatie gebruikt deze toepassing niet.
refusal-context-not-offered = De toepassing wordt niet aangeboden in de context van de organisatie.
refusal-invalid-scope = De scope noemt onbekende materies of categorieën, of beperkt een rol die niet beperkt is.
refusal-outside-mandate = De rol zou verder reiken dan het mandaat waarop hij steunt.
refusal-not-application-owner = Alleen de eigenaar van de toepassing mag dit doen.
refusal-step-up-required = Deze actie vereist een hoger beveiligingsniveau.
refusal-user-suspended = De persoon is geschorst.
refusal-organization-suspended = De organisatie is geschorst.
refusal-own-request = Niemand keurt zijn eigen aanvraag goed.
refusal-not-an-approver = U mag niet over deze aanvraag beslissen.
refusal-reason-required = Een reden is verplicht.
refusal-not-legal-representative = Alleen een wettelijke vertegenwoordiger van de organisatie mag dit doen.
refusal-already-exists = Dit bestaat al.
refusal-not-pending = Niet meer mogelijk: al ingetrokken, beëindigd of beslist.
refusal-not-visible = U hebt hiertoe geen toegang.
refusal-other-application = Een toepassing mag alleen op zichzelf handelen.
refusal-invalid-validity = De geldigheidsperiode is leeg of al voorbij.

action-grant-create = Rol toegekend
action-grant-revoke = Rol ingetrokken
action-member-add = Lid toegevoegd
action-member-remove = Lid verwijderd
action-approval-approve = Goedkeuring
action-approval-reject = Weigering
action-designation-create = Aanstelling
action-designation-end = Einde van aanstelling

dashboard-no-deputy = { $organization } heeft geen plaatsvervangend hoofdtoegangsbeheerder
power-legal-representative = Wettelijk vertegenwoordiger
power-principal = Hoofdtoegangsbeheerder
power-deputy = Plaatsvervangend hoofdtoegangsbeheerder
power-access-manager = Toegangsbeheerder ({ $applications })
power-member = Lid
level-low = laag
level-high = hoog

login-title = Aanmelden
login-federal = Elektronische identiteit
login-federal-go = Aanmelden via de authenticatiedienst
login-local = Lokale account
login-identifier = E-mailadres of rijksregisternummer
login-password = Wachtwoord
login-code = Beveiligingscode (als uw account er een heeft)
login-code-hint = De 6-cijferige code van uw authenticatie-app.
login-wrong = Gebruikersnaam, wachtwoord of beveiligingscode onjuist.
login-step-up = Deze actie vereist het beveiligingsniveau „{ $level }”. Meld u opnieuw aan met een voldoende sterk middel.

managers-title = Beheerders
managers-none = Geen aanstellingen.
col-designation = Aanstelling
kind-principal = Hoofdtoegangsbeheerder
kind-deputy = Plaatsvervangend hoofdtoegangsbeheerder
kind-access-manager = Toegangsbeheerder
designate-title = Een beheerder aanstellen
designate-kind = Soort aanstelling
designate-applications = Toepassingen (voor een toegangsbeheerder)
designate-submit = Aanstellen
designation-done = De aanstelling werd geregistreerd.
designation-pending = De aanstelling wacht op bevestiging.
designation-ended = De aanstelling werd beëindigd.
designation-end = Beëindigen
designation-end-reason = Reden van beëindiging
resume-designation = Een beheerder aanstellen
resume-designation-end = Een aanstelling beëindigen

mandates-title = Mandaten
mandates-none = Geen mandaten.
col-mandator = Mandaatgever
col-mandatary = Mandataris
mandate-proposed = Voorgesteld
mandate-reason = Reden
mandate-accept = Aanvaarden
mandate-end = Beëindigen
mandate-propose = Een mandaat voorstellen
mandate-mandatary = Mandataris (ondernemingsnummer)
mandate-mandatary-hint = De organisatie die voor de uwe zal handelen, bijvoorbeeld een studiebureau. Zij moet aanvaarden.
mandate-matters = Gedekte materies (geen: alle)
mandate-propose-submit = Het mandaat voorstellen
mandate-proposed-done = Het mandaat werd voorgesteld; de andere organisatie moet het aanvaarden.
mandate-accepted = Het mandaat werd aanvaard.
mandate-ended = Het mandaat werd beëindigd.
resume-mandate = Mandaat

nav-operator = Operator
operator-title = Operator van het platform
operator-organizations = Organisaties
operator-people = Een persoon schorsen of herstellen
operator-suspended-state = Geschorst
operator-suspend = Schorsen
operator-lift = Schorsing opheffen
operator-reason = Reden van de schorsing
operator-reason-suspend = Reden (verplicht om te schorsen)
operator-application = Toepassing
operator-everywhere = Alle toepassingen
operator-suspended = De schorsing werd geregistreerd.
operator-lifted = De schorsing werd opgeheven.
resume-suspension = Schorsing

nav-applications = Toepassingen
applications-title = Catalogus van de toepassingen
application-title = Definitie van de toepassing
application-owner = Eigenaar
application-contexts = Contexten
application-self-grant = Toekenning aan zichzelf
application-roles = Rollen
application-open = De definitie bekijken en wijzigen
application-general = Naam en regels
application-permissions = Machtigingen
application-owned = Machtigingen op eigen dossiers
application-scoped = Beperkt tot materies en categorieën
application-approval = Vereist goedkeuring
application-any-level = Elk niveau
application-role-add = Een rol toevoegen of vervangen
application-permission-add = Een machtiging toevoegen
application-exclusive = Onverenigbare rollen
application-taxonomy = Materies en categorieën
application-matter = Materie
application-matter-add = Een materie toevoegen
application-category-add = Een categorie toevoegen
application-key = Sleutel
application-saved = De definitie werd opgeslagen.
self-grant-allow = toegestaan
self-grant-flag = toegestaan en gemeld
self-grant-approve = onderworpen aan de goedkeuring van een tweede beheerder
self-grant-deny = verboden
context-civil-servant = ambtenaren
context-enterprise = ondernemingen
context-self-employed = zelfstandigen
name-fr = Naam (Frans)
name-nl = Naam (Nederlands)
name-de = Naam (Duits)
name-en = Naam (Engels)
save = Opslaan
add = Toevoegen
remove = Verwijderen
yes = ja
no = nee

member-designations = Aanstellingen in deze organisatie
member-remove = Uit de organisatie verwijderen
member-remove-hint = Wie verwijderd wordt, verliest al zijn rollen en aanstellingen in de organisatie.
member-remove-reason = Reden van verwijdering
member-remove-submit = Het lid verwijderen
member-removed = Het lid werd verwijderd; zijn rollen en aanstellingen zijn beëindigd.

invitation-invite = Iemand uitnodigen
invitation-invite-hint = Voor wie nog geen account heeft: die maakt met de link een account en profiel aan en is dan lid van de organisatie.
invitation-invite-submit = De uitnodiging aanmaken
invitation-created = Uitnodiging aangemaakt. Bezorg deze link aan de persoon (14 dagen geldig, eenmalig): { $link }
invitation-title = Uw account aanmaken
invitation-lead = U bent uitgenodigd om { $organization } te vervoegen op Habilis.
invitation-expires = Deze uitnodiging is geldig tot { $date }.
invitation-given-name = Voornaam
invitation-family-name = Naam
invitation-national-number = Rijksregisternummer (optioneel)
invitation-national-hint = Daarmee kunt u zich aanmelden met uw elektronische identiteitskaart of itsme.
invitation-password-again = Wachtwoord (nogmaals)
invitation-password-hint = Minstens 12 tekens.
invitation-passwords-differ = De twee wachtwoorden zijn niet gelijk.
invitation-submit = Mijn account aanmaken
invitation-accepted = Uw account is aangemaakt. U kunt zich aanmelden.
invitation-gone = Deze uitnodiging bestaat niet, werd al gebruikt of is verlopen. Vraag een nieuwe aan de toegangsbeheerder.
