# Habilis — interface web, français (langue par défaut)

skip-to-content = Aller au contenu
language = Langue
language-apply = Changer
level = Niveau
logout = Se déconnecter
login = Se connecter
footer = gestion des accès et des rôles pour les services publics
back-home = Retour à l'accueil
cancel = Annuler
search = Rechercher
nav-label = Navigation principale
nav-dashboard = Tableau de bord
nav-me = Mon accès
nav-approvals = Approbations
nav-audit = Journal d'audit
pager = Pages
pager-previous = Page précédente
pager-next = Page suivante
enterprise-number = N° d'entreprise
scope-all = Tout le périmètre
until-open = Sans limite

welcome-title = Bienvenue sur Habilis
welcome-lead = Habilis permet aux gestionnaires d'accès de votre organisation de désigner qui peut faire quoi dans les applications des services publics.
welcome-means = Connectez-vous avec votre carte d'identité électronique, itsme ou un code de sécurité.
dashboard-title = Tableau de bord
dashboard-attention = À traiter
dashboard-approvals = { $count ->
    [one] { $shown } demande attend votre approbation
   *[other] { $shown } demandes attendent votre approbation
}
dashboard-expiring = { $count ->
    [one] { $shown } de vos rôles expire dans les 30 jours
   *[other] { $shown } de vos rôles expirent dans les 30 jours
}
dashboard-pending-mine = { $count ->
    [one] { $shown } de vos demandes attend une approbation
   *[other] { $shown } de vos demandes attendent une approbation
}
dashboard-organizations = Mes organisations
dashboard-no-organization = Vous n'êtes membre d'aucune organisation.
dashboard-my-roles = Mes rôles

organization-title = Organisation
organization-members = { $count ->
    [one] { $shown } membre
   *[other] { $shown } membres
}
organization-members-caption = Membres de l'organisation
organization-search = Rechercher un membre (nom ou e-mail)
organization-no-member = Aucun membre ne correspond.
organization-export = Exporter les membres et leurs rôles (CSV)
member-add = Ajouter un membre
member-add-person = Numéro de registre national ou adresse e-mail
member-add-hint = La personne doit déjà avoir un compte Habilis. Exemple : 85.07.30-033.28
member-add-submit = Ajouter
member-added = Le membre a été ajouté.
member-title = Membre
member-grants = Rôles dans cette organisation
member-no-grant = Aucun rôle dans cette organisation.
member-history = Historique

col-organization = Organisation
col-application = Application
col-role = Rôle
col-scope = Périmètre
col-until = Jusqu'au
col-state = État
col-actions = Actions
col-name = Nom
col-email = E-mail
col-member-since = Membre depuis

state-pending = En attente d'approbation
state-active = Actif
state-revoked = Révoqué
state-expired = Expiré
state-rejected = Refusé

grant-title = Attribuer un rôle
grant-role = Application et rôle
grant-choose-role = Choisissez un rôle
grant-scope = Périmètre : matières et catégories
grant-scope-hint = Cochez les catégories de l'application choisie. Sans case cochée, le rôle vaut pour tout le périmètre (si le rôle n'est pas limité).
grant-from = Valable à partir du
grant-until = Valable jusqu'au (facultatif)
grant-reason = Motif
grant-submit = Attribuer le rôle
grant-done = Le rôle a été attribué.
grant-pending = La demande a été enregistrée ; elle attend une approbation.
grant-bad-date = Une date n'est pas valable (format attendu : aaaa-mm-jj).
grant-revoked = Le rôle a été révoqué.
revoke = Révoquer
revoke-reason = Motif de la révocation

approvals-title = Approbations en attente
approvals-none = Aucune demande n'attend votre approbation.
approvals-cause = Raison de l'approbation
approvals-requested-by = Demandé par
approvals-expires = Expire le
approvals-reason = Motif (obligatoire pour refuser)
approval-grant = Rôle pour { $who }
approval-designation = Désignation
approve = Approuver
reject = Refuser
approval-approved = La demande a été approuvée.
approval-rejected = La demande a été refusée.
cause-organization = l'organisation exige une approbation
cause-role = le rôle exige une approbation
cause-self-grant = attribution à soi-même
cause-operator = désignation à confirmer par l'opérateur

audit-title = Journal d'audit
audit-organization = Organisation
audit-application = Application (clé)
audit-since = Depuis le
audit-until = Jusqu'au
audit-any = Toutes
audit-filter = Filtrer
audit-csv = Télécharger en CSV
audit-none = Aucun événement.
audit-at = Date
audit-actor = Auteur
audit-action = Action
audit-subject = Personne concernée
audit-outcome = Résultat
audit-code = Code
audit-target = Objet
audit-reason = Motif
audit-committed = Effectué
audit-refused = Refusé
audit-platform = Plate-forme

export-user = Identifiant
export-name = Nom
export-email = E-mail
export-member-since = Membre depuis
export-application = Application
export-role = Rôle
export-scope = Périmètre
export-until = Jusqu'au
export-state = État

me-title = Mon accès
me-current = Mes rôles actuels
me-history = Rôles passés
me-none = Vous n'avez aucun rôle pour le moment.
me-no-history = Aucun rôle passé.

resume-title = Confirmer l'action
resume-lead = Votre niveau de sécurité est maintenant suffisant. Confirmez l'action interrompue :
resume-confirm = Confirmer
resume-grant = Attribuer le rôle « { $role } »
resume-revoke = Révoquer le rôle
resume-approval = Décider de la demande

login-not-configured = La connexion n'est pas configurée sur ce serveur (fournisseur d'identité manquant).
login-rate-limited = Trop de tentatives de connexion. Réessayez dans quelques minutes.
login-provider-down = Le service de connexion ne répond pas. Réessayez dans quelques instants.
login-expired = Cette connexion a expiré ou n'est pas valable. Recommencez.
login-cancelled = La connexion a été annulée.
login-failed = La connexion a échoué. Recommencez.
login-unknown-person = Habilis ne vous connaît pas encore : demandez au gestionnaire d'accès de votre organisation de vous ajouter.
login-level-not-reached = Cette action demande un niveau de sécurité plus élevé (par exemple la carte d'identité électronique ou itsme).

error-title = Action impossible
error-csrf = Le formulaire a expiré. Rechargez la page et recommencez.
error-invalid = Les données ne sont pas valables :
error-not-found = Introuvable.
error-conflict = Cette action est en conflit avec l'état actuel.
error-login = Connectez-vous pour continuer.
error-internal = Une erreur est survenue. Réessayez plus tard.

refusal-not-a-user = Cette action demande la connexion d'une personne.
refusal-not-operator = Seul l'opérateur de la plate-forme peut faire ceci.
refusal-not-a-manager = Vous n'êtes pas gestionnaire dans cette organisation.
refusal-outside-designation = Vous êtes gestionnaire d'accès, mais pas pour cette application.
refusal-wider-than-own = Vous ne pouvez pas donner plus de pouvoir que vous n'en avez.
refusal-last-principal = L'organisation doit garder au moins un gestionnaire principal.
refusal-self-grant-denied = L'application n'autorise pas à s'attribuer ce rôle soi-même.
refusal-exclusive-roles = La personne aurait deux rôles incompatibles.
refusal-not-a-member = La personne n'est pas membre active de l'organisation.
refusal-not-subscribed = L'organisation n'utilise pas cette application.
refusal-context-not-offered = L'application n'est pas proposée dans le contexte de l'organisation.
refusal-invalid-scope = Le périmètre cite des matières ou catégories inconnues, ou limite un rôle qui ne l'est pas.
refusal-outside-mandate = Le rôle dépasserait le mandat sur lequel il repose.
refusal-not-application-owner = Seul le propriétaire de l'application peut faire ceci.
refusal-step-up-required = Cette action demande un niveau de sécurité plus élevé.
refusal-user-suspended = La personne est suspendue.
refusal-organization-suspended = L'organisation est suspendue.
refusal-own-request = Personne n'approuve sa propre demande.
refusal-not-an-approver = Vous ne pouvez pas décider de cette demande.
refusal-reason-required = Un motif est obligatoire.
refusal-not-legal-representative = Seul un représentant légal de l'organisation peut faire ceci.
refusal-already-exists = Cela existe déjà.
refusal-not-pending = Ce n'est plus possible : déjà révoqué, terminé ou décidé.
refusal-not-visible = Vous n'avez pas accès à ceci.
refusal-other-application = Une application ne peut agir que sur elle-même.
refusal-invalid-validity = La période de validité est vide ou déjà passée.

action-grant-create = Attribution d'un rôle
action-grant-revoke = Révocation d'un rôle
action-member-add = Ajout d'un membre
action-member-remove = Retrait d'un membre
action-approval-approve = Approbation
action-approval-reject = Refus
action-designation-create = Désignation
action-designation-end = Fin de désignation

dashboard-no-deputy = { $organization } n'a pas de gestionnaire principal suppléant
power-legal-representative = Représentant légal
power-principal = Gestionnaire principal
power-deputy = Gestionnaire suppléant
power-access-manager = Gestionnaire d'accès ({ $applications })
power-member = Membre
level-low = faible
level-high = élevé

login-title = Connexion
login-federal = Identité électronique
login-federal-go = Se connecter via le service d'authentification
login-local = Compte local
login-identifier = Adresse e-mail ou numéro de registre national
login-password = Mot de passe
login-code = Code de sécurité (si votre compte en a un)
login-code-hint = Le code à 6 chiffres de votre application d'authentification.
login-wrong = Identifiant, mot de passe ou code de sécurité incorrect.
login-step-up = Cette action demande le niveau de sécurité « { $level } ». Connectez-vous à nouveau avec un moyen suffisant.

managers-title = Gestionnaires
managers-none = Aucune désignation.
col-designation = Désignation
kind-principal = Gestionnaire principal
kind-deputy = Gestionnaire suppléant
kind-access-manager = Gestionnaire d'accès
designate-title = Désigner un gestionnaire
designate-kind = Type de désignation
designate-applications = Applications (pour un gestionnaire d'accès)
designate-submit = Désigner
designation-done = La désignation a été enregistrée.
designation-pending = La désignation attend une confirmation.
designation-ended = La désignation a pris fin.
designation-end = Mettre fin
designation-end-reason = Motif de la fin
resume-designation = Désigner un gestionnaire
resume-designation-end = Mettre fin à une désignation

mandates-title = Mandats
mandates-none = Aucun mandat.
col-mandator = Mandant
col-mandatary = Mandataire
mandate-proposed = Proposé
mandate-reason = Motif
mandate-accept = Accepter
mandate-end = Mettre fin
mandate-propose = Proposer un mandat
mandate-mandatary = Organisation mandataire (numéro d'entreprise)
mandate-mandatary-hint = L'organisation qui agira pour la vôtre, par exemple un bureau d'études. Elle devra accepter.
mandate-matters = Matières couvertes (aucune : toutes)
mandate-propose-submit = Proposer le mandat
mandate-proposed-done = Le mandat a été proposé ; l'autre organisation doit l'accepter.
mandate-accepted = Le mandat a été accepté.
mandate-ended = Le mandat a pris fin.
resume-mandate = Mandat

nav-operator = Opérateur
operator-title = Opérateur de la plate-forme
operator-organizations = Organisations
operator-people = Suspendre ou rétablir une personne
operator-suspended-state = Suspendue
operator-suspend = Suspendre
operator-lift = Lever la suspension
operator-reason = Motif de la suspension
operator-reason-suspend = Motif (obligatoire pour suspendre)
operator-application = Application
operator-everywhere = Toutes les applications
operator-suspended = La suspension a été enregistrée.
operator-lifted = La suspension a été levée.
resume-suspension = Suspension

nav-applications = Applications
applications-title = Catalogue des applications
application-title = Définition de l'application
application-owner = Propriétaire
application-contexts = Contextes
application-self-grant = Attribution à soi-même
application-roles = Rôles
application-open = Voir et modifier la définition
application-general = Nom et règles
application-permissions = Permissions
application-owned = Permissions sur ses propres dossiers
application-scoped = Limité par matières et catégories
application-approval = Demande une approbation
application-any-level = Tout niveau
application-role-add = Ajouter ou remplacer un rôle
application-permission-add = Ajouter une permission
application-exclusive = Rôles incompatibles
application-taxonomy = Matières et catégories
application-matter = Matière
application-matter-add = Ajouter une matière
application-category-add = Ajouter une catégorie
application-key = Clé
application-saved = La définition a été enregistrée.
self-grant-allow = permise
self-grant-flag = permise et signalée
self-grant-approve = soumise à l'approbation d'un second gestionnaire
self-grant-deny = interdite
context-civil-servant = fonctionnaires
context-enterprise = entreprises
context-self-employed = indépendants
name-fr = Nom (français)
name-nl = Nom (néerlandais)
name-de = Nom (allemand)
name-en = Nom (anglais)
save = Enregistrer
add = Ajouter
remove = Retirer
yes = oui
no = non

member-designations = Désignations dans cette organisation
member-remove = Retirer de l'organisation
member-remove-hint = Retirer la personne met fin à tous ses rôles et désignations dans l'organisation.
member-remove-reason = Motif du retrait
member-remove-submit = Retirer le membre
member-removed = Le membre a été retiré ; ses rôles et désignations ont pris fin.

invitation-invite = Inviter une personne
invitation-invite-hint = Pour quelqu'un qui n'a pas encore de compte : il crée son compte et son profil avec le lien, puis est membre de l'organisation.
invitation-invite-submit = Créer l'invitation
invitation-created = Invitation créée. Transmettez ce lien à la personne (valable 14 jours, une seule fois) : { $link }
invitation-title = Créer votre compte
invitation-lead = Vous êtes invité à rejoindre { $organization } sur Habilis.
invitation-expires = Cette invitation est valable jusqu'au { $date }.
invitation-given-name = Prénom
invitation-family-name = Nom
invitation-national-number = Numéro de registre national (facultatif)
invitation-national-hint = Il permet de vous connecter avec votre carte d'identité électronique ou itsme.
invitation-password-again = Mot de passe (encore une fois)
invitation-password-hint = Au moins 12 caractères.
invitation-passwords-differ = Les deux mots de passe ne sont pas identiques.
invitation-submit = Créer mon compte
invitation-accepted = Votre compte est créé. Vous pouvez vous connecter.
invitation-gone = Cette invitation n'existe pas, a déjà servi ou a expiré. Demandez-en une nouvelle au gestionnaire d'accès.
