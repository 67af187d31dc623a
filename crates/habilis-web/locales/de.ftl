# Habilis — Weboberfläche, Deutsch

skip-to-content = Zum Inhalt
language = Sprache
language-apply = Ändern
level = Niveau
logout = Abmelden
login = Anmelden
footer = Zugangs- und Rollenverwaltung für öffentliche Dienste
back-home = Zurück zur Startseite
cancel = Abbrechen
search = Suchen
nav-label = Hauptnavigation
nav-dashboard = Übersicht
nav-me = Mein Zugang
nav-approvals = Genehmigungen
nav-audit = Auditprotokoll
pager = Seiten
pager-previous = Vorherige Seite
pager-next = Nächste Seite
enterprise-number = Unternehmensnr.
scope-all = Gesamter Bereich
until-open = Ohne Enddatum

welcome-title = Willkommen bei Habilis
welcome-lead = Mit Habilis legen die Zugangsverwalter Ihrer Organisation fest, wer in den Anwendungen der öffentlichen Dienste was tun darf.
welcome-means = Melden Sie sich mit Ihrem elektronischen Personalausweis, itsme oder einem Sicherheitscode an.
dashboard-title = Übersicht
dashboard-attention = Zu erledigen
dashboard-approvals = { $count ->
    [one] { $shown } Antrag wartet auf Ihre Genehmigung
   *[other] { $shown } Anträge warten auf Ihre Genehmigung
}
dashboard-expiring = { $count ->
    [one] { $shown } Ihrer Rollen läuft in den nächsten 30 Tagen ab
   *[other] { $shown } Ihrer Rollen laufen in den nächsten 30 Tagen ab
}
dashboard-pending-mine = { $count ->
    [one] { $shown } Ihrer Anträge wartet auf Genehmigung
   *[other] { $shown } Ihrer Anträge warten auf Genehmigung
}
dashboard-organizations = Meine Organisationen
dashboard-no-organization = Sie sind Mitglied keiner Organisation.
dashboard-my-roles = Meine Rollen

organization-title = Organisation
organization-members = { $count ->
    [one] { $shown } Mitglied
   *[other] { $shown } Mitglieder
}
organization-members-caption = Mitglieder der Organisation
organization-search = Mitglied suchen (Name oder E-Mail)
organization-no-member = Kein Mitglied entspricht der Suche.
organization-export = Mitglieder und ihre Rollen exportieren (CSV)
member-add = Mitglied hinzufügen
member-add-person = Nationalregisternummer oder E-Mail-Adresse
member-add-hint = Die Person muss bereits ein Habilis-Konto haben. Beispiel: 85.07.30-033.28
member-add-submit = Hinzufügen
member-added = Das Mitglied wurde hinzugefügt.
member-title = Mitglied
member-grants = Rollen in dieser Organisation
member-no-grant = Keine Rolle in dieser Organisation.
member-history = Verlauf

col-organization = Organisation
col-application = Anwendung
col-role = Rolle
col-scope = Bereich
col-until = Bis
col-state = Status
col-actions = Aktionen
col-name = Name
col-email = E-Mail
col-member-since = Mitglied seit

state-pending = Wartet auf Genehmigung
state-active = Aktiv
state-revoked = Widerrufen
state-expired = Abgelaufen
state-rejected = Abgelehnt

grant-title = Rolle zuweisen
grant-role = Anwendung und Rolle
grant-choose-role = Wählen Sie eine Rolle
grant-scope = Bereich: Sachgebiete und Kategorien
grant-scope-hint = Kreuzen Sie die Kategorien der gewählten Anwendung an. Ohne Kreuz gilt die Rolle für den gesamten Bereich (wenn die Rolle nicht eingeschränkt ist).
grant-from = Gültig ab
grant-until = Gültig bis (optional)
grant-reason = Begründung
grant-submit = Rolle zuweisen
grant-done = Die Rolle wurde zugewiesen.
grant-pending = Der Antrag wurde erfasst; er wartet auf Genehmigung.
grant-bad-date = Ein Datum ist ungültig (erwartet: jjjj-mm-tt).
grant-revoked = Die Rolle wurde widerrufen.
revoke = Widerrufen
revoke-reason = Grund des Widerrufs

approvals-title = Ausstehende Genehmigungen
approvals-none = Kein Antrag wartet auf Ihre Genehmigung.
approvals-cause = Warum eine Genehmigung nötig ist
approvals-requested-by = Beantragt von
approvals-expires = Läuft ab am
approvals-reason = Begründung (für eine Ablehnung erforderlich)
approval-grant = Rolle für { $who }
approval-designation = Benennung
approve = Genehmigen
reject = Ablehnen
approval-approved = Der Antrag wurde genehmigt.
approval-rejected = Der Antrag wurde abgelehnt.
cause-organization = die Organisation verlangt eine Genehmigung
cause-role = die Rolle verlangt eine Genehmigung
cause-self-grant = Zuweisung an sich selbst
cause-operator = vom Betreiber zu bestätigende Benennung

audit-title = Auditprotokoll
audit-organization = Organisation
audit-application = Anwendung (Schlüssel)
audit-since = Ab
audit-until = Bis
audit-any = Alle
audit-filter = Filtern
audit-csv = Als CSV herunterladen
audit-none = Keine Ereignisse.
audit-at = Datum
audit-actor = Von
audit-action = Aktion
audit-subject = Betroffene Person
audit-outcome = Ergebnis
audit-code = Code
audit-target = Objekt
audit-reason = Begründung
audit-committed = Ausgeführt
audit-refused = Abgelehnt
audit-platform = Plattform

export-user = Kennung
export-name = Name
export-email = E-Mail
export-member-since = Mitglied seit
export-application = Anwendung
export-role = Rolle
export-scope = Bereich
export-until = Bis
export-state = Status

me-title = Mein Zugang
me-current = Meine aktuellen Rollen
me-history = Frühere Rollen
me-none = Sie haben derzeit keine Rolle.
me-no-history = Keine früheren Rollen.

resume-title = Aktion bestätigen
resume-lead = Ihr Sicherheitsniveau reicht jetzt aus. Bestätigen Sie die unterbrochene Aktion:
resume-confirm = Bestätigen
resume-grant = Die Rolle „{ $role }“ zuweisen
resume-revoke = Die Rolle widerrufen
resume-approval = Über den Antrag entscheiden

login-not-configured = Die Anmeldung ist auf diesem Server nicht eingerichtet (kein Identitätsanbieter).
login-rate-limited = Zu viele Anmeldeversuche. Versuchen Sie es in einigen Minuten erneut.
login-provider-down = Der Anmeldedienst antwortet nicht. Versuchen Sie es gleich erneut.
login-expired = Diese Anmeldung ist abgelaufen oder ungültig. Beginnen Sie erneut.
login-cancelled = Die Anmeldung wurde abgebrochen.
login-failed = Die Anmeldung ist fehlgeschlagen. Beginnen Sie erneut.
login-unknown-person = Habilis kennt Sie noch nicht: Bitten Sie den Zugangsverwalter Ihrer Organisation, Sie hinzuzufügen.
login-level-not-reached = Diese Aktion verlangt ein höheres Sicherheitsniveau (zum Beispiel den elektronischen Personalausweis oder itsme).

error-title = Aktion nicht möglich
error-csrf = Das Formular ist abgelaufen. Laden Sie die Seite neu und versuchen Sie es erneut.
error-invalid = Die Daten sind ungültig:
error-not-found = Nicht gefunden.
error-conflict = Diese Aktion steht im Widerspruch zum aktuellen Stand.
error-login = Melden Sie sich an, um fortzufahren.
error-internal = Ein Fehler ist aufgetreten. Versuchen Sie es später erneut.

refusal-not-a-user = Dafür muss eine Person angemeldet sein.
refusal-not-operator = Nur der Betreiber der Plattform darf dies tun.
refusal-not-a-manager = Sie sind in dieser Organisation kein Verwalter.
refusal-outside-designation = Sie sind Zugangsverwalter, aber nicht für diese Anwendung.
refusal-wider-than-own = Sie können nicht mehr Befugnisse vergeben, als Sie selbst haben.
refusal-last-principal = Die Organisation muss mindestens einen Hauptverwalter behalten.
refusal-self-grant-denied = Die Anwendung erlaubt nicht, sich diese Rolle selbst zuzuweisen.
refusal-exclusive-roles = Die Person hätte zwei unvereinbare Rollen.
refusal-not-a-member = Die Person ist kein aktives Mitglied der Organisation.
refusal-not-subscribed = Die Organisation nutzt diese Anwendung nicht.
refusal-context-not-offered = Die Anwendung wird im Kontext der Organisation nicht angeboten.
refusal-invalid-scope = Der Bereich nennt unbekannte Sachgebiete oder Kategorien oder schränkt eine nicht einschränkbare Rolle ein.
refusal-outside-mandate = Die Rolle ginge über das Mandat hinaus, auf dem sie beruht.
refusal-not-application-owner = Nur der Eigentümer der Anwendung darf dies tun.
refusal-step-up-required = Diese Aktion verlangt ein höheres Sicherheitsniveau.
refusal-user-suspended = Die Person ist gesperrt.
refusal-organization-suspended = Die Organisation ist gesperrt.
refusal-own-request = Niemand genehmigt seinen eigenen Antrag.
refusal-not-an-approver = Sie dürfen über diesen Antrag nicht entscheiden.
refusal-reason-required = Eine Begründung ist erforderlich.
refusal-not-legal-representative = Nur ein gesetzlicher Vertreter der Organisation darf dies tun.
refusal-already-exists = Das besteht bereits.
refusal-not-pending = Nicht mehr möglich: bereits widerrufen, beendet oder entschieden.
refusal-not-visible = Sie haben darauf keinen Zugriff.
refusal-other-application = Eine Anwendung darf nur für sich selbst handeln.
refusal-invalid-validity = Der Gültigkeitszeitraum ist leer oder bereits vorbei.

action-grant-create = Rolle zugewiesen
action-grant-revoke = Rolle widerrufen
action-member-add = Mitglied hinzugefügt
action-member-remove = Mitglied entfernt
action-approval-approve = Genehmigung
action-approval-reject = Ablehnung
action-designation-create = Benennung
action-designation-end = Ende der Benennung

dashboard-no-deputy = { $organization } hat keinen stellvertretenden Hauptverwalter
power-legal-representative = Gesetzlicher Vertreter
power-principal = Hauptverwalter
power-deputy = Stellvertretender Hauptverwalter
power-access-manager = Zugangsverwalter ({ $applications })
power-member = Mitglied
level-low = niedrig
level-high = hoch

login-title = Anmeldung
login-federal = Elektronische Identität
login-federal-go = Über den Authentifizierungsdienst anmelden
login-local = Lokales Konto
login-identifier = E-Mail-Adresse oder Nationalregisternummer
login-password = Passwort
login-code = Sicherheitscode (falls Ihr Konto einen hat)
login-code-hint = Der 6-stellige Code Ihrer Authentifizierungs-App.
login-wrong = Kennung, Passwort oder Sicherheitscode falsch.
login-step-up = Diese Aktion verlangt das Sicherheitsniveau „{ $level }“. Melden Sie sich mit einem ausreichenden Mittel erneut an.

managers-title = Verwalter
managers-none = Keine Benennungen.
col-designation = Benennung
kind-principal = Hauptverwalter
kind-deputy = Stellvertretender Hauptverwalter
kind-access-manager = Zugangsverwalter
designate-title = Verwalter benennen
designate-kind = Art der Benennung
designate-applications = Anwendungen (für einen Zugangsverwalter)
designate-submit = Benennen
designation-done = Die Benennung wurde erfasst.
designation-pending = Die Benennung wartet auf Bestätigung.
designation-ended = Die Benennung wurde beendet.
designation-end = Beenden
designation-end-reason = Grund der Beendigung
resume-designation = Verwalter benennen
resume-designation-end = Benennung beenden

mandates-title = Mandate
mandates-none = Keine Mandate.
col-mandator = Mandant
col-mandatary = Mandatar
mandate-proposed = Vorgeschlagen
mandate-reason = Begründung
mandate-accept = Annehmen
mandate-end = Beenden
mandate-propose = Mandat vorschlagen
mandate-mandatary = Mandatar (Unternehmensnummer)
mandate-mandatary-hint = Die Organisation, die für Ihre handeln wird, zum Beispiel ein Planungsbüro. Sie muss annehmen.
mandate-matters = Erfasste Sachgebiete (keines: alle)
mandate-propose-submit = Mandat vorschlagen
mandate-proposed-done = Das Mandat wurde vorgeschlagen; die andere Organisation muss es annehmen.
mandate-accepted = Das Mandat wurde angenommen.
mandate-ended = Das Mandat wurde beendet.
resume-mandate = Mandat

nav-operator = Betreiber
operator-title = Betreiber der Plattform
operator-organizations = Organisationen
operator-people = Eine Person sperren oder entsperren
operator-suspended-state = Gesperrt
operator-suspend = Sperren
operator-lift = Sperre aufheben
operator-reason = Grund der Sperre
operator-reason-suspend = Grund (zum Sperren erforderlich)
operator-application = Anwendung
operator-everywhere = Alle Anwendungen
operator-suspended = Die Sperre wurde erfasst.
operator-lifted = Die Sperre wurde aufgehoben.
resume-suspension = Sperre

nav-applications = Anwendungen
applications-title = Katalog der Anwendungen
application-title = Definition der Anwendung
application-owner = Eigentümer
application-contexts = Kontexte
application-self-grant = Zuweisung an sich selbst
application-roles = Rollen
application-open = Definition ansehen und ändern
application-general = Name und Regeln
application-permissions = Berechtigungen
application-owned = Berechtigungen auf eigene Akten
application-scoped = Auf Sachgebiete und Kategorien beschränkt
application-approval = Verlangt eine Genehmigung
application-any-level = Jedes Niveau
application-role-add = Rolle hinzufügen oder ersetzen
application-permission-add = Berechtigung hinzufügen
application-exclusive = Unvereinbare Rollen
application-taxonomy = Sachgebiete und Kategorien
application-matter = Sachgebiet
application-matter-add = Sachgebiet hinzufügen
application-category-add = Kategorie hinzufügen
application-key = Schlüssel
application-saved = Die Definition wurde gespeichert.
self-grant-allow = erlaubt
self-grant-flag = erlaubt und gemeldet
self-grant-approve = von einem zweiten Verwalter zu genehmigen
self-grant-deny = verboten
context-civil-servant = Beamte
context-enterprise = Unternehmen
context-self-employed = Selbständige
name-fr = Name (Französisch)
name-nl = Name (Niederländisch)
name-de = Name (Deutsch)
name-en = Name (Englisch)
save = Speichern
add = Hinzufügen
remove = Entfernen
yes = ja
no = nein

member-designations = Benennungen in dieser Organisation
member-remove = Aus der Organisation entfernen
member-remove-hint = Wer entfernt wird, verliert alle Rollen und Benennungen in der Organisation.
member-remove-reason = Grund der Entfernung
member-remove-submit = Mitglied entfernen
member-removed = Das Mitglied wurde entfernt; seine Rollen und Benennungen sind beendet.

invitation-invite = Eine Person einladen
invitation-invite-hint = Für jemanden ohne Konto: Die Person legt mit dem Link ihr Konto und Profil an und ist dann Mitglied der Organisation.
invitation-invite-submit = Einladung erstellen
invitation-created = Einladung erstellt. Geben Sie diesen Link an die Person weiter (14 Tage gültig, einmalig): { $link }
invitation-title = Ihr Konto anlegen
invitation-lead = Sie sind eingeladen, { $organization } auf Habilis beizutreten.
invitation-expires = Diese Einladung ist bis zum { $date } gültig.
invitation-given-name = Vorname
invitation-family-name = Nachname
invitation-national-number = Nationalregisternummer (optional)
invitation-national-hint = Damit können Sie sich mit Ihrem elektronischen Personalausweis oder itsme anmelden.
invitation-password-again = Passwort (noch einmal)
invitation-password-hint = Mindestens 12 Zeichen.
invitation-passwords-differ = Die beiden Passwörter sind nicht gleich.
invitation-submit = Mein Konto anlegen
invitation-accepted = Ihr Konto ist angelegt. Sie können sich anmelden.
invitation-gone = Diese Einladung besteht nicht, wurde schon benutzt oder ist abgelaufen. Bitten Sie den Zugangsverwalter um eine neue.
