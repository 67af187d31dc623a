# Habilis — web interface, English

skip-to-content = Skip to content
language = Language
language-apply = Change
level = Level
logout = Log out
login = Log in
footer = access and role management for public services
back-home = Back to the home page
cancel = Cancel
search = Search
nav-label = Main navigation
nav-dashboard = Dashboard
nav-me = My access
nav-approvals = Approvals
nav-audit = Audit trail
pager = Pages
pager-previous = Previous page
pager-next = Next page
enterprise-number = Enterprise no.
scope-all = Whole scope
until-open = No end date

welcome-title = Welcome to Habilis
welcome-lead = Habilis lets your organisation's access managers decide who may do what in the applications of public services.
welcome-means = Log in with your electronic identity card, itsme or a security code.
dashboard-title = Dashboard
dashboard-attention = Needs your attention
dashboard-approvals = { $count ->
    [one] { $shown } request awaits your approval
   *[other] { $shown } requests await your approval
}
dashboard-expiring = { $count ->
    [one] { $shown } of your roles expires within 30 days
   *[other] { $shown } of your roles expire within 30 days
}
dashboard-pending-mine = { $count ->
    [one] { $shown } of your requests awaits approval
   *[other] { $shown } of your requests await approval
}
dashboard-organizations = My organisations
dashboard-no-organization = You are not a member of any organisation.
dashboard-my-roles = My roles

organization-title = Organisation
organization-members = { $count ->
    [one] { $shown } member
   *[other] { $shown } members
}
organization-members-caption = Members of the organisation
organization-search = Find a member (name or e-mail)
organization-no-member = No member matches.
organization-export = Export members and their roles (CSV)
member-add = Add a member
member-add-person = National register number or e-mail address
member-add-hint = The person must already have a Habilis account. Example: 85.07.30-033.28
member-add-submit = Add
member-added = The member was added.
member-title = Member
member-grants = Roles in this organisation
member-no-grant = No role in this organisation.
member-history = History

col-organization = Organisation
col-application = Application
col-role = Role
col-scope = Scope
col-until = Until
col-state = State
col-actions = Actions
col-name = Name
col-email = E-mail
col-member-since = Member since

state-pending = Awaiting approval
state-active = Active
state-revoked = Revoked
state-expired = Expired
state-rejected = Rejected

grant-title = Grant a role
grant-role = Application and role
grant-choose-role = Choose a role
grant-scope = Scope: subject-matters and categories
grant-scope-hint = Tick the categories of the chosen application. With none ticked, the role covers the whole scope (when the role is not scoped).
grant-from = Valid from
grant-until = Valid until (optional)
grant-reason = Reason
grant-submit = Grant the role
grant-done = The role was granted.
grant-pending = The request was recorded; it awaits approval.
grant-bad-date = A date is not valid (expected: yyyy-mm-dd).
grant-revoked = The role was revoked.
revoke = Revoke
revoke-reason = Reason for revoking

approvals-title = Pending approvals
approvals-none = No request awaits your approval.
approvals-cause = Why approval is needed
approvals-requested-by = Requested by
approvals-expires = Expires on
approvals-reason = Reason (required to reject)
approval-grant = Role for { $who }
approval-designation = Designation
approve = Approve
reject = Reject
approval-approved = The request was approved.
approval-rejected = The request was rejected.
cause-organization = the organisation requires approval
cause-role = the role requires approval
cause-self-grant = granted to oneself
cause-operator = designation to be confirmed by the operator

audit-title = Audit trail
audit-organization = Organisation
audit-application = Application (key)
audit-since = From
audit-until = Until
audit-any = All
audit-filter = Filter
audit-csv = Download as CSV
audit-none = No events.
audit-at = Date
audit-actor = By
audit-action = Action
audit-subject = Person concerned
audit-outcome = Outcome
audit-code = Code
audit-target = Object
audit-reason = Reason
audit-committed = Done
audit-refused = Refused
audit-platform = Platform

export-user = Id
export-name = Name
export-email = E-mail
export-member-since = Member since
export-application = Application
export-role = Role
export-scope = Scope
export-until = Until
export-state = State

me-title = My access
me-current = My current roles
me-history = Past roles
me-none = You hold no role at the moment.
me-no-history = No past role.

resume-title = Confirm the action
resume-lead = Your security level is now high enough. Confirm the interrupted action:
resume-confirm = Confirm
resume-grant = Grant the role “{ $role }”
resume-revoke = Revoke the role
resume-approval = Decide on the request

login-not-configured = Login is not set up on this server (no identity provider).
login-rate-limited = Too many login attempts. Try again in a few minutes.
login-provider-down = The login service does not answer. Try again in a moment.
login-expired = This login has expired or is not valid. Start again.
login-cancelled = The login was cancelled.
login-failed = The login failed. Start again.
login-unknown-person = Habilis does not know you yet: ask your organisation's access manager to add you.
login-level-not-reached = This action needs a higher security level (for example the electronic identity card or itsme).

error-title = Action not possible
error-csrf = The form has expired. Reload the page and try again.
error-invalid = The data are not valid:
error-not-found = Not found.
error-conflict = This action conflicts with the current state.
error-login = Log in to continue.
error-internal = Something went wrong. Try again later.

refusal-not-a-user = This needs a person to be logged in.
refusal-not-operator = Only the platform operator may do this.
refusal-not-a-manager = You are not a manager in this organisation.
refusal-outside-designation = You are an access manager, but not for this application.
refusal-wider-than-own = You cannot give more power than you hold.
refusal-last-principal = The organisation must keep at least one principal manager.
refusal-self-grant-denied = The application does not allow granting this role to oneself.
refusal-exclusive-roles = The person would hold two incompatible roles.
refusal-not-a-member = The person is not an active member of the organisation.
refusal-not-subscribed = The organisation does not use this application.
refusal-context-not-offered = The application is not offered in the organisation's context.
refusal-invalid-scope = The scope names unknown subject-matters or categories, or scopes a role that is not scoped.
refusal-outside-mandate = The role would reach beyond the mandate it relies on.
refusal-not-application-owner = Only the application's owner may do this.
refusal-step-up-required = This action needs a higher security level.
refusal-user-suspended = The person is suspended.
refusal-organization-suspended = The organisation is suspended.
refusal-own-request = Nobody approves their own request.
refusal-not-an-approver = You may not decide on this request.
refusal-reason-required = A reason is required.
refusal-not-legal-representative = Only a legal representative of the organisation may do this.
refusal-already-exists = This exists already.
refusal-not-pending = No longer possible: already revoked, ended or decided.
refusal-not-visible = You have no access to this.
refusal-other-application = An application may only act on itself.
refusal-invalid-validity = The validity period is empty or already over.

action-grant-create = Role granted
action-grant-revoke = Role revoked
action-member-add = Member added
action-member-remove = Member removed
action-approval-approve = Approval
action-approval-reject = Rejection
action-designation-create = Designation
action-designation-end = Designation ended

dashboard-no-deputy = { $organization } has no deputy principal manager
power-legal-representative = Legal representative
power-principal = Principal manager
power-deputy = Deputy principal manager
power-access-manager = Access manager ({ $applications })
power-member = Member
level-low = low
level-high = high

login-title = Log in
login-federal = Electronic identity
login-federal-go = Log in through the authentication service
login-local = Local account
login-identifier = E-mail address or national register number
login-password = Password
login-code = Security code (if your account has one)
login-code-hint = The 6-digit code of your authenticator app.
login-wrong = Wrong identifier, password or security code.
login-step-up = This action needs the security level “{ $level }”. Log in again with a strong enough means.

managers-title = Managers
managers-none = No designations.
col-designation = Designation
kind-principal = Principal manager
kind-deputy = Deputy principal manager
kind-access-manager = Access manager
designate-title = Designate a manager
designate-kind = Kind of designation
designate-applications = Applications (for an access manager)
designate-submit = Designate
designation-done = The designation was recorded.
designation-pending = The designation awaits confirmation.
designation-ended = The designation was ended.
designation-end = End
designation-end-reason = Reason for ending
resume-designation = Designate a manager
resume-designation-end = End a designation

mandates-title = Mandates
mandates-none = No mandates.
col-mandator = Mandator
col-mandatary = Mandatary
mandate-proposed = Proposed
mandate-reason = Reason
mandate-accept = Accept
mandate-end = End
mandate-propose = Propose a mandate
mandate-mandatary = Mandatary organisation (enterprise number)
mandate-mandatary-hint = The organisation that will act for yours, a consultancy for instance. It must accept.
mandate-matters = Subject-matters covered (none: all)
mandate-propose-submit = Propose the mandate
mandate-proposed-done = The mandate was proposed; the other organisation must accept it.
mandate-accepted = The mandate was accepted.
mandate-ended = The mandate was ended.
resume-mandate = Mandate

nav-operator = Operator
operator-title = Platform operator
operator-organizations = Organisations
operator-people = Suspend or restore a person
operator-suspended-state = Suspended
operator-suspend = Suspend
operator-lift = Lift the suspension
operator-reason = Reason for the suspension
operator-reason-suspend = Reason (required to suspend)
operator-application = Application
operator-everywhere = All applications
operator-suspended = The suspension was recorded.
operator-lifted = The suspension was lifted.
resume-suspension = Suspension

nav-applications = Applications
applications-title = Application catalogue
application-title = Definition of the application
application-owner = Owner
application-contexts = Contexts
application-self-grant = Granting to oneself
application-roles = Roles
application-open = See and change the definition
application-general = Name and rules
application-permissions = Permissions
application-owned = Permissions on one's own files
application-scoped = Scoped by subject-matters and categories
application-approval = Needs approval
application-any-level = Any level
application-role-add = Add or replace a role
application-permission-add = Add a permission
application-exclusive = Incompatible roles
application-taxonomy = Subject-matters and categories
application-matter = Subject-matter
application-matter-add = Add a subject-matter
application-category-add = Add a category
application-key = Key
application-saved = The definition was saved.
self-grant-allow = allowed
self-grant-flag = allowed and flagged
self-grant-approve = approved by a second manager
self-grant-deny = forbidden
context-civil-servant = civil servants
context-enterprise = enterprises
context-self-employed = self-employed
name-fr = Name (French)
name-nl = Name (Dutch)
name-de = Name (German)
name-en = Name (English)
save = Save
add = Add
remove = Remove
yes = yes
no = no

member-designations = Designations in this organisation
member-remove = Remove from the organisation
member-remove-hint = Removing the person ends all their roles and designations in the organisation.
member-remove-reason = Reason for removing
member-remove-submit = Remove the member
member-removed = The member was removed; their roles and designations ended.

invitation-invite = Invite a person
invitation-invite-hint = For someone without an account yet: they create their account and profile with the link, and are then a member of the organisation.
invitation-invite-submit = Create the invitation
invitation-created = Invitation created. Hand this link to the person (valid 14 days, once): { $link }
invitation-title = Create your account
invitation-lead = You are invited to join { $organization } on Habilis.
invitation-expires = This invitation is valid until { $date }.
invitation-given-name = Given name
invitation-family-name = Family name
invitation-national-number = National register number (optional)
invitation-national-hint = It lets you log in with your electronic identity card or itsme.
invitation-password-again = Password (again)
invitation-password-hint = At least 12 characters.
invitation-passwords-differ = The two passwords differ.
invitation-submit = Create my account
invitation-accepted = Your account is created. You can log in.
invitation-gone = This invitation does not exist, was used already or has expired. Ask the access manager for a new one.
