//! The demo data set, in the seeds' world: SPW Intérieur runs the "Guichet des pouvoirs
//! locaux" for Walloon communes and CPAS; a federal service offers an application in the
//! three contexts. Everything is made through the same commands as the API, by the personas
//! themselves, so the demo also exercises the rules. Loading is idempotent.

use std::collections::BTreeSet;

use habilis_domain::{
    Application, Category, Change, Context, DesignationKind, Email, EnterpriseNumber, Grant,
    GrantId, Key, Language, LocalizedName, Matter, NationalNumber, OrganizationKind, Reach,
    ResourceProperties, Role, Scope, SelfGrantPolicy, Status, Validity,
};

use super::{
    DemoPersona, DesignationInput, GrantInput, MandateInput, NewOrganization, NewUser,
    ResourceInput, fresh,
};
use crate::error::Error;
use crate::services::{AuditContext, Caller, Services};

fn key(text: &str) -> Result<Key, Error> {
    Key::parse("key", text).map_err(Error::invalid)
}

fn name(fr: &str, nl: &str, de: &str, en: &str) -> LocalizedName {
    LocalizedName {
        fr: fr.into(),
        nl: nl.into(),
        de: de.into(),
        en: en.into(),
    }
}

fn enterprise(body: u32) -> Result<EnterpriseNumber, Error> {
    EnterpriseNumber::from_body(body)
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("BUG: demo enterprise number")))
}

fn national(year: u32, month: u32, day: u32, sequence: u32) -> Result<NationalNumber, Error> {
    NationalNumber::from_parts(year, month, day, sequence)
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("BUG: demo national number")))
}

/// The password of every demo persona's local account (the web interface's login when
/// local accounts are enabled, as `serve --demo` does).
pub const DEMO_PASSWORD: &str = "habilis-demo";

/// The taxonomy of DOMAIN.md §4.4.
fn guichet_taxonomy() -> Result<Vec<Matter>, Error> {
    /// A subject-matter's key and name, and its categories' keys and names.
    type MatterSpec<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);
    let spec: [MatterSpec; 8] = [
        (
            "finances",
            "Finances",
            &[
                ("budget", "Budget"),
                ("modifications_budgetaires", "Modifications budgétaires"),
                ("comptes", "Comptes"),
            ],
        ),
        (
            "fiscalite",
            "Fiscalité",
            &[
                ("reglements_taxes", "Règlements-taxes"),
                ("redevances", "Redevances"),
            ],
        ),
        (
            "marches_publics",
            "Marchés publics",
            &[("attribution", "Attribution"), ("avenants", "Avenants")],
        ),
        (
            "personnel",
            "Personnel",
            &[
                ("cadre", "Cadre"),
                ("statuts", "Statuts"),
                ("remunerations", "Rémunérations"),
            ],
        ),
        (
            "tutelle",
            "Tutelle",
            &[
                ("annulation", "Tutelle d'annulation"),
                ("approbation", "Tutelle d'approbation"),
            ],
        ),
        (
            "institutionnel",
            "Institutionnel",
            &[
                ("registre", "Registre institutionnel"),
                ("mandataires", "Mandataires"),
            ],
        ),
        (
            "patrimoine",
            "Patrimoine",
            &[("operations_immobilieres", "Opérations immobilières")],
        ),
        (
            "cultes",
            "Cultes",
            &[
                ("budget_fabrique", "Budget de fabrique"),
                ("compte_fabrique", "Compte de fabrique"),
            ],
        ),
    ];
    spec.iter()
        .map(|(matter, label, categories)| {
            Ok(Matter {
                key: key(matter)?,
                name: LocalizedName::same(label),
                categories: categories
                    .iter()
                    .map(|(category, label)| {
                        Ok(Category {
                            key: key(category)?,
                            name: LocalizedName::same(label),
                        })
                    })
                    .collect::<Result<Vec<_>, Error>>()?,
            })
        })
        .collect()
}

fn keys(texts: &[&str]) -> Result<BTreeSet<Key>, Error> {
    texts.iter().map(|t| key(t)).collect()
}

fn role(
    role_key: &str,
    label: LocalizedName,
    permissions: &[&str],
    owned: &[&str],
    level: &str,
    scoped: bool,
) -> Result<Role, Error> {
    Ok(Role {
        key: key(role_key)?,
        name: label,
        permissions: keys(permissions)?,
        owned_permissions: keys(owned)?,
        level: Some(key(level)?),
        scoped,
        requires_approval: false,
    })
}

/// A small deterministic generator (SplitMix64), so the demo is the same everywhere.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }
}

struct Person {
    given: &'static str,
    family: &'static str,
    email: &'static str,
    birth: (u32, u32, u32, u32),
    language: Language,
}

const fn person(
    given: &'static str,
    family: &'static str,
    email: &'static str,
    birth: (u32, u32, u32, u32),
    language: Language,
) -> Person {
    Person {
        given,
        family,
        email,
        birth,
        language,
    }
}

impl Services {
    async fn demo_user(
        &self,
        operator: &Caller,
        member_of: &str,
        p: &Person,
    ) -> Result<habilis_domain::User, Error> {
        let user = self
            .create_user(
                operator,
                NewUser {
                    national_number: Some(national(p.birth.0, p.birth.1, p.birth.2, p.birth.3)?),
                    email: Some(Email::parse(p.email).map_err(Error::invalid)?),
                    given_name: p.given.into(),
                    family_name: p.family.into(),
                    language: p.language,
                    member_of: Some(member_of.into()),
                },
            )
            .await?;
        Ok(user.value)
    }

    async fn demo_designate(
        &self,
        by: &Caller,
        organization: &str,
        user: &str,
        kind: DesignationKind,
        applications: &[&str],
    ) -> Result<(), Error> {
        self.designate(
            by,
            DesignationInput {
                organization: organization.into(),
                user: user.into(),
                kind,
                applications: applications.iter().map(|a| (*a).to_owned()).collect(),
                valid_until: None,
                reason: Some("désignation officielle".into()),
            },
        )
        .await?;
        Ok(())
    }

    async fn demo_grant(
        &self,
        by: &Caller,
        user: &str,
        organization: &str,
        application: &str,
        role_key: &str,
        scope: Scope,
    ) -> Result<Grant, Error> {
        Ok(self
            .grant(
                by,
                GrantInput {
                    user: user.into(),
                    organization: organization.into(),
                    application: application.into(),
                    role: role_key.into(),
                    scope,
                    reach: Reach::Organization,
                    valid_from: None,
                    valid_until: None,
                    reason: Some("accès demandé par le service".into()),
                },
            )
            .await?
            .value)
    }

    async fn persona_caller(
        &self,
        user: &habilis_domain::User,
    ) -> Result<(Caller, DemoPersona), Error> {
        let token = self
            .create_token(user.id.as_str(), "demo", None)
            .await?
            .value;
        let caller = self.authenticate(token.expose()).await?;
        Ok((
            caller,
            DemoPersona {
                role: String::new(),
                name: user.display_name(),
                user: user.id.clone(),
                login: user.email.as_ref().map(ToString::to_string),
                token,
            },
        ))
    }

    /// Loads the demo data set unless it is there already, and answers the personas, each
    /// with a fresh personal token, plus the Guichet's application credential.
    pub async fn load_demo(&self) -> Result<(Vec<DemoPersona>, crate::auth::Secret), Error> {
        let spw_number = enterprise(3_163_810)?;
        let system = Caller::system();
        if self
            .db
            .find_organization(spw_number.digits())
            .await?
            .is_some()
        {
            return self.demo_personas().await;
        }
        let operator_user = match self
            .db
            .find_user("sophie.lambert@spw.wallonie.be", None)
            .await?
        {
            Some(user) => user,
            None => {
                let email =
                    Email::parse("sophie.lambert@spw.wallonie.be").map_err(Error::invalid)?;
                let mut user = self
                    .init_operator(email, Some(national(78, 3, 14, 221)?))
                    .await?
                    .value
                    .0;
                user.given_name = "Sophie".into();
                user.family_name = "Lambert".into();
                self.import(&system, "demo.load", vec![Change::User(user.clone())])
                    .await?;
                user
            }
        };
        let (operator, _) = self.persona_caller(&operator_user).await?;

        // Organisations.
        let organization = |number: EnterpriseNumber,
                            kind: OrganizationKind,
                            label: LocalizedName| NewOrganization {
            enterprise_number: Some(number),
            external_id: None,
            kind,
            name: label,
            require_approval: false,
        };
        let spw = self
            .create_organization(
                &operator,
                organization(
                    spw_number,
                    OrganizationKind::Region,
                    name(
                        "SPW Intérieur et Action sociale",
                        "Waalse Overheidsdienst Binnenlandse Zaken en Sociale Actie",
                        "ÖDW Inneres und Soziale Maßnahmen",
                        "SPW Interior and Social Action",
                    ),
                ),
            )
            .await?
            .value;
        let bosa = self
            .create_organization(
                &operator,
                organization(
                    enterprise(6_719_900)?,
                    OrganizationKind::FederalService,
                    name(
                        "SPF Stratégie et Appui (BOSA)",
                        "FOD Beleid en Ondersteuning (BOSA)",
                        "FÖD Politik und Unterstützung (BOSA)",
                        "FPS Policy and Support (BOSA)",
                    ),
                ),
            )
            .await?
            .value;
        let communes = [
            (
                "namur",
                2_073_435_u32,
                OrganizationKind::Commune,
                name(
                    "Ville de Namur",
                    "Stad Namen",
                    "Stadt Namur",
                    "City of Namur",
                ),
            ),
            (
                "liege",
                2_075_692,
                OrganizationKind::Commune,
                name(
                    "Ville de Liège",
                    "Stad Luik",
                    "Stadt Lüttich",
                    "City of Liège",
                ),
            ),
            (
                "eupen",
                2_074_485,
                OrganizationKind::Commune,
                name(
                    "Ville d'Eupen",
                    "Stad Eupen",
                    "Stadt Eupen",
                    "Town of Eupen",
                ),
            ),
            (
                "charleroi",
                2_072_586,
                OrganizationKind::Commune,
                name(
                    "Ville de Charleroi",
                    "Stad Charleroi",
                    "Stadt Charleroi",
                    "City of Charleroi",
                ),
            ),
            (
                "cpas_namur",
                2_126_141,
                OrganizationKind::Cpas,
                name(
                    "CPAS de Namur",
                    "OCMW Namen",
                    "ÖSHZ Namur",
                    "Namur Public Social Welfare Centre",
                ),
            ),
            (
                "cpas_liege",
                2_126_839,
                OrganizationKind::Cpas,
                name(
                    "CPAS de Liège",
                    "OCMW Luik",
                    "ÖSHZ Lüttich",
                    "Liège Public Social Welfare Centre",
                ),
            ),
        ];
        let mut local = Vec::new();
        for (slug, body, kind, label) in communes {
            let created = self
                .create_organization(&operator, organization(enterprise(body)?, kind, label))
                .await?
                .value;
            local.push((slug, created));
        }
        let contractor = self
            .create_organization(
                &operator,
                organization(
                    enterprise(8_123_457)?,
                    OrganizationKind::Enterprise,
                    name(
                        "Bureau d'études Meuse SRL",
                        "Studiebureau Maas BV",
                        "Planungsbüro Maas GmbH",
                        "Meuse Engineering Ltd",
                    ),
                ),
            )
            .await?
            .value;

        // People of the SPW: the application owner's principal and an agent who handles the
        // dossiers of every commune.
        let spw_principal = self
            .demo_user(
                &operator,
                spw.id.as_str(),
                &person(
                    "Marc",
                    "Dubois",
                    "marc.dubois@spw.wallonie.be",
                    (71, 6, 2, 133),
                    Language::Fr,
                ),
            )
            .await?;
        self.demo_designate(
            &operator,
            spw.id.as_str(),
            spw_principal.id.as_str(),
            DesignationKind::Principal,
            &[],
        )
        .await?;
        let spw_agent = self
            .demo_user(
                &operator,
                spw.id.as_str(),
                &person(
                    "Claire",
                    "Renard",
                    "claire.renard@spw.wallonie.be",
                    (85, 11, 23, 264),
                    Language::Fr,
                ),
            )
            .await?;
        let bosa_principal = self
            .demo_user(
                &operator,
                bosa.id.as_str(),
                &person(
                    "Pieter",
                    "Janssens",
                    "pieter.janssens@bosa.fgov.be",
                    (80, 2, 9, 157),
                    Language::Nl,
                ),
            )
            .await?;
        self.demo_designate(
            &operator,
            bosa.id.as_str(),
            bosa_principal.id.as_str(),
            DesignationKind::Principal,
            &[],
        )
        .await?;

        // Applications.
        let guichet = Application {
            key: key("guichet")?,
            name: name(
                "Guichet des pouvoirs locaux",
                "Loket voor de lokale besturen",
                "Schalter der lokalen Behörden",
                "Local Authorities Portal",
            ),
            owner: spw.id.clone(),
            contexts: [Context::CivilServant].into(),
            permissions: keys(&[
                "dossier.read",
                "dossier.create",
                "dossier.edit",
                "dossier.validate",
                "dossier.submit",
            ])?,
            roles: vec![
                role(
                    "reader",
                    name("Lecteur", "Lezer", "Leser", "Reader"),
                    &["dossier.read"],
                    &[],
                    "low",
                    true,
                )?,
                role(
                    "editor",
                    name("Éditeur", "Bewerker", "Bearbeiter", "Editor"),
                    &["dossier.read", "dossier.create"],
                    &["dossier.edit"],
                    "low",
                    true,
                )?,
                role(
                    "validator",
                    name("Validateur", "Valideerder", "Prüfer", "Validator"),
                    &["dossier.read", "dossier.validate"],
                    &[],
                    "high",
                    true,
                )?,
                role(
                    "submitter",
                    name("Soumissionnaire", "Indiener", "Einreicher", "Submitter"),
                    &["dossier.read", "dossier.submit"],
                    &[],
                    "high",
                    true,
                )?,
            ],
            taxonomy: guichet_taxonomy()?,
            self_grant: SelfGrantPolicy::Approve,
            exclusive_roles: vec![(key("editor")?, key("validator")?)],
            resource_properties: ResourceProperties::default(),
            created_at: self.now(),
        };
        self.save_application(&operator, guichet, true).await?;
        let federal = Application {
            key: key("registre")?,
            name: name(
                "Consultation du registre des mandataires",
                "Raadpleging van het register van mandatarissen",
                "Abfrage des Mandatsträgerregisters",
                "Register of office holders",
            ),
            owner: bosa.id.clone(),
            contexts: [
                Context::CivilServant,
                Context::Enterprise,
                Context::SelfEmployed,
            ]
            .into(),
            permissions: keys(&["registre.consult", "registre.update"])?,
            roles: vec![
                role(
                    "consultant",
                    name("Consultation", "Raadpleging", "Abfrage", "Consultation"),
                    &["registre.consult"],
                    &[],
                    "low",
                    false,
                )?,
                role(
                    "gestionnaire",
                    name("Gestion", "Beheer", "Verwaltung", "Management"),
                    &["registre.consult", "registre.update"],
                    &[],
                    "high",
                    false,
                )?,
            ],
            taxonomy: Vec::new(),
            self_grant: SelfGrantPolicy::Flag,
            exclusive_roles: Vec::new(),
            resource_properties: ResourceProperties::default(),
            created_at: self.now(),
        };
        self.save_application(&operator, federal, true).await?;
        for organization in local.iter().map(|(_, o)| o).chain([&spw]) {
            self.subscribe(&operator, organization.id.as_str(), "guichet")
                .await?;
        }
        for organization in [&bosa, &contractor]
            .into_iter()
            .chain(local.iter().map(|(_, o)| o))
        {
            self.subscribe(&operator, organization.id.as_str(), "registre")
                .await?;
        }
        let (spw_owner, _) = self.persona_caller(&spw_principal).await?;
        self.grant(
            &spw_owner,
            GrantInput {
                user: spw_agent.id.to_string(),
                organization: spw.id.to_string(),
                application: "guichet".into(),
                role: "reader".into(),
                scope: Scope::Matters(keys(&["finances", "tutelle"])?),
                reach: Reach::AllSubscribers,
                valid_from: None,
                valid_until: None,
                reason: Some("agent traitant de la tutelle".into()),
            },
        )
        .await?;

        // The communes and CPAS: a GLS each, most with a deputy, access managers, members.
        let staff: [[Person; 6]; 6] = [
            [
                person(
                    "Anne",
                    "Lefèvre",
                    "anne.lefevre@ville.namur.be",
                    (76, 4, 12, 162),
                    Language::Fr,
                ),
                person(
                    "Jean",
                    "Dupont",
                    "jean.dupont@ville.namur.be",
                    (82, 9, 30, 241),
                    Language::Fr,
                ),
                person(
                    "Nadia",
                    "Benali",
                    "nadia.benali@ville.namur.be",
                    (88, 1, 17, 118),
                    Language::Fr,
                ),
                person(
                    "Luc",
                    "Martin",
                    "luc.martin@ville.namur.be",
                    (90, 7, 5, 377),
                    Language::Fr,
                ),
                person(
                    "Élise",
                    "Gérard",
                    "elise.gerard@ville.namur.be",
                    (93, 12, 1, 284),
                    Language::Fr,
                ),
                person(
                    "Thomas",
                    "Wauters",
                    "thomas.wauters@ville.namur.be",
                    (86, 3, 21, 199),
                    Language::Nl,
                ),
            ],
            [
                person(
                    "Isabelle",
                    "Collard",
                    "isabelle.collard@liege.be",
                    (74, 5, 8, 126),
                    Language::Fr,
                ),
                person(
                    "Michel",
                    "Hansen",
                    "michel.hansen@liege.be",
                    (79, 10, 14, 317),
                    Language::Fr,
                ),
                person(
                    "Sarah",
                    "Lemaire",
                    "sarah.lemaire@liege.be",
                    (91, 2, 27, 146),
                    Language::Fr,
                ),
                person(
                    "Olivier",
                    "Piron",
                    "olivier.piron@liege.be",
                    (84, 8, 19, 225),
                    Language::Fr,
                ),
                person(
                    "Julie",
                    "Thiry",
                    "julie.thiry@liege.be",
                    (95, 6, 3, 268),
                    Language::Fr,
                ),
                person(
                    "Karim",
                    "El Amrani",
                    "karim.elamrani@liege.be",
                    (89, 11, 11, 159),
                    Language::Fr,
                ),
            ],
            [
                person(
                    "Monika",
                    "Schmitz",
                    "monika.schmitz@eupen.be",
                    (77, 1, 25, 184),
                    Language::De,
                ),
                person(
                    "Stefan",
                    "Kessler",
                    "stefan.kessler@eupen.be",
                    (83, 4, 2, 293),
                    Language::De,
                ),
                person(
                    "Anja",
                    "Mertens",
                    "anja.mertens@eupen.be",
                    (92, 9, 9, 132),
                    Language::De,
                ),
                person(
                    "Jonas",
                    "Cremer",
                    "jonas.cremer@eupen.be",
                    (94, 5, 16, 211),
                    Language::De,
                ),
                person(
                    "Lea",
                    "Heck",
                    "lea.heck@eupen.be",
                    (96, 8, 28, 254),
                    Language::De,
                ),
                person(
                    "Paul",
                    "Gennen",
                    "paul.gennen@eupen.be",
                    (81, 12, 6, 173),
                    Language::De,
                ),
            ],
            [
                person(
                    "Christine",
                    "Dumont",
                    "christine.dumont@charleroi.be",
                    (73, 7, 15, 128),
                    Language::Fr,
                ),
                person(
                    "Philippe",
                    "Lambot",
                    "philippe.lambot@charleroi.be",
                    (80, 3, 3, 331),
                    Language::Fr,
                ),
                person(
                    "Fatima",
                    "Ouali",
                    "fatima.ouali@charleroi.be",
                    (87, 10, 22, 148),
                    Language::Fr,
                ),
                person(
                    "David",
                    "Simon",
                    "david.simon@charleroi.be",
                    (90, 1, 31, 279),
                    Language::Fr,
                ),
                person(
                    "Laura",
                    "Hubert",
                    "laura.hubert@charleroi.be",
                    (97, 4, 18, 236),
                    Language::Fr,
                ),
                person(
                    "Marie",
                    "Leroy",
                    "marie.leroy@charleroi.be",
                    (85, 6, 25, 162),
                    Language::Fr,
                ),
            ],
            [
                person(
                    "Véronique",
                    "Delvaux",
                    "veronique.delvaux@cpasnamur.be",
                    (75, 9, 4, 116),
                    Language::Fr,
                ),
                person(
                    "Bruno",
                    "Grégoire",
                    "bruno.gregoire@cpasnamur.be",
                    (81, 5, 20, 357),
                    Language::Fr,
                ),
                person(
                    "Amélie",
                    "Noël",
                    "amelie.noel@cpasnamur.be",
                    (90, 3, 13, 142),
                    Language::Fr,
                ),
                person(
                    "Hugo",
                    "François",
                    "hugo.francois@cpasnamur.be",
                    (94, 11, 7, 283),
                    Language::Fr,
                ),
                person(
                    "Inès",
                    "Mathieu",
                    "ines.mathieu@cpasnamur.be",
                    (98, 2, 10, 264),
                    Language::Fr,
                ),
                person(
                    "Yves",
                    "Closset",
                    "yves.closset@cpasnamur.be",
                    (72, 8, 1, 191),
                    Language::Fr,
                ),
            ],
            [
                person(
                    "Sylvie",
                    "Pirard",
                    "sylvie.pirard@cpasliege.be",
                    (78, 12, 19, 154),
                    Language::Fr,
                ),
                person(
                    "Eric",
                    "Dessart",
                    "eric.dessart@cpasliege.be",
                    (83, 7, 7, 239),
                    Language::Fr,
                ),
                person(
                    "Camille",
                    "Jacquet",
                    "camille.jacquet@cpasliege.be",
                    (92, 4, 24, 178),
                    Language::Fr,
                ),
                person(
                    "Nicolas",
                    "Bodart",
                    "nicolas.bodart@cpasliege.be",
                    (89, 6, 12, 317),
                    Language::Fr,
                ),
                person(
                    "Zoé",
                    "Lambert",
                    "zoe.lambert@cpasliege.be",
                    (99, 1, 2, 242),
                    Language::Fr,
                ),
                person(
                    "Patrick",
                    "Lhoest",
                    "patrick.lhoest@cpasliege.be",
                    (70, 10, 30, 165),
                    Language::Fr,
                ),
            ],
        ];
        let mut personas: Vec<(String, habilis_domain::User)> = vec![
            ("operator".into(), operator_user.clone()),
            ("application owner".into(), spw_principal.clone()),
        ];
        let mut random = SplitMix(42);
        let categories: Vec<(String, String)> = guichet_taxonomy()?
            .into_iter()
            .flat_map(|m| {
                m.categories
                    .into_iter()
                    .map(move |c| (m.key.to_string(), c.key.to_string()))
            })
            .collect();
        let mut members_by_org: Vec<(habilis_domain::OrganizationId, Vec<habilis_domain::UserId>)> =
            Vec::new();
        for (index, ((slug, organization), people)) in local.iter().zip(staff.iter()).enumerate() {
            let org = organization.id.as_str();
            let mut users = Vec::new();
            for p in people {
                users.push(self.demo_user(&operator, org, p).await?);
            }
            let [gls, deputy, access_manager, member_a, member_b, member_c] = &users[..] else {
                return Err(Error::Internal(anyhow::anyhow!("BUG: demo staff")));
            };
            self.demo_designate(
                &operator,
                org,
                gls.id.as_str(),
                DesignationKind::Principal,
                &[],
            )
            .await?;
            let (gls_caller, _) = self.persona_caller(gls).await?;
            // Every authority but Charleroi has a deputy: the dashboard warns about it.
            if *slug != "charleroi" {
                self.demo_designate(
                    &gls_caller,
                    org,
                    deputy.id.as_str(),
                    DesignationKind::Deputy,
                    &[],
                )
                .await?;
            }
            self.demo_designate(
                &gls_caller,
                org,
                access_manager.id.as_str(),
                DesignationKind::AccessManager,
                &["guichet"],
            )
            .await?;
            let (manager, _) = self.persona_caller(access_manager).await?;
            let finances = Scope::Matters(keys(&["finances"])?);
            self.demo_grant(
                &manager,
                member_a.id.as_str(),
                org,
                "guichet",
                "editor",
                finances.clone(),
            )
            .await?;
            self.demo_grant(
                &gls_caller,
                member_a.id.as_str(),
                org,
                "guichet",
                "reader",
                Scope::Matters(keys(&["tutelle", "institutionnel"])?),
            )
            .await?;
            self.demo_grant(
                &gls_caller,
                member_b.id.as_str(),
                org,
                "guichet",
                "validator",
                finances,
            )
            .await?;
            self.demo_grant(
                &gls_caller,
                member_b.id.as_str(),
                org,
                "guichet",
                "submitter",
                Scope::Categories(
                    [
                        (key("finances")?, key("budget")?),
                        (key("finances")?, key("comptes")?),
                    ]
                    .into(),
                ),
            )
            .await?;
            let (first, second) = (
                random.below(categories.len()),
                random.below(categories.len()),
            );
            for pick in [first, second] {
                if let Some((m, c)) = categories.get(pick) {
                    let scope = Scope::Categories([(key(m)?, key(c)?)].into());
                    let _ = self
                        .demo_grant(
                            &manager,
                            member_c.id.as_str(),
                            org,
                            "guichet",
                            "reader",
                            scope,
                        )
                        .await;
                }
            }
            self.demo_grant(
                &gls_caller,
                deputy.id.as_str(),
                org,
                "registre",
                "consultant",
                Scope::All,
            )
            .await?;
            if index == 0 {
                personas.push(("GLS (principal manager)".into(), gls.clone()));
                personas.push(("deputy".into(), deputy.clone()));
                personas.push(("access manager".into(), access_manager.clone()));
                personas.push(("user".into(), member_a.clone()));
            }
            if index == 1 {
                // A GLS grants themself a role: the Guichet asks a second manager to approve.
                self.demo_grant(
                    &gls_caller,
                    gls.id.as_str(),
                    org,
                    "guichet",
                    "reader",
                    Scope::All,
                )
                .await?;
            }
            members_by_org.push((
                organization.id.clone(),
                users.iter().map(|u| u.id.clone()).collect(),
            ));
        }

        // An expired grant and a suspended user in Namur.
        if let Some((namur_id, namur_users)) = members_by_org.first()
            && let Some(leaver) = namur_users.get(4)
        {
            let now = self.now();
            let (guichet_key, reader_key, personnel) =
                (key("guichet")?, key("reader")?, keys(&["personnel"])?);
            let expired = fresh(GrantId::PREFIX, |id| Grant {
                id: GrantId::new(id),
                user: leaver.clone(),
                organization: namur_id.clone(),
                application: guichet_key,
                role: reader_key,
                scope: Scope::Matters(personnel),
                reach: Reach::Organization,
                validity: Validity {
                    from: now.plus_days(-120),
                    until: Some(now.plus_days(-30)),
                },
                status: Status::Active,
                granted_by: Some(
                    namur_users
                        .first()
                        .cloned()
                        .unwrap_or_else(|| leaver.clone()),
                ),
                reason: "remplacement temporaire".into(),
                flagged: false,
                ended: None,
                created_at: now.plus_days(-120),
            });
            self.import(&system, "demo.load", vec![Change::Grant(expired)])
                .await?;
            if let Some(suspended) = namur_users.get(5) {
                self.suspend_user(
                    &operator,
                    suspended.as_str(),
                    None,
                    Some("utilisation manifestement malveillante signalée".into()),
                )
                .await?;
            }
        }

        // A contractor on a mission for Namur, under a mandate for public procurement.
        let contractor_boss = self
            .demo_user(
                &operator,
                contractor.id.as_str(),
                &person(
                    "Vincent",
                    "Meunier",
                    "vincent.meunier@meuse-etudes.be",
                    (79, 9, 9, 209),
                    Language::Fr,
                ),
            )
            .await?;
        let contractor_staff = self
            .demo_user(
                &operator,
                contractor.id.as_str(),
                &person(
                    "Alice",
                    "Rousseau",
                    "alice.rousseau@meuse-etudes.be",
                    (91, 5, 5, 126),
                    Language::Fr,
                ),
            )
            .await?;
        self.demo_designate(
            &operator,
            contractor.id.as_str(),
            contractor_boss.id.as_str(),
            DesignationKind::Principal,
            &[],
        )
        .await?;
        let (contractor_caller, _) = self.persona_caller(&contractor_boss).await?;
        if let Some((_, namur)) = local.first()
            && let Some(namur_gls) = members_by_org.first().and_then(|(_, users)| users.first())
        {
            let gls = self
                .db
                .find_user(namur_gls.as_str(), None)
                .await?
                .ok_or_else(|| Error::not_found("demo GLS"))?;
            let (namur_caller, _) = self.persona_caller(&gls).await?;
            let mandate = self
                .propose_mandate(
                    &namur_caller,
                    MandateInput {
                        mandator: namur.id.to_string(),
                        mandatary: contractor.id.to_string(),
                        application: "guichet".into(),
                        scope: Scope::Matters(keys(&["marches_publics"])?),
                        valid_until: None,
                    },
                )
                .await?
                .value;
            self.decide_mandate(&contractor_caller, mandate.id.as_str(), true, None)
                .await?;
            self.demo_grant(
                &contractor_caller,
                contractor_staff.id.as_str(),
                contractor.id.as_str(),
                "guichet",
                "editor",
                Scope::Matters(keys(&["marches_publics"])?),
            )
            .await?;
        }
        personas.push(("contractor (mandatary)".into(), contractor_boss.clone()));

        // A few hundred dossiers across the authorities.
        let client = self.create_client("guichet", "demo").await?.value;
        let guichet_caller = self.authenticate(client.expose()).await?;
        let mut dossiers = Vec::new();
        for number in 0..360_usize {
            let Some((organization_id, users)) =
                members_by_org.get(number % members_by_org.len().max(1))
            else {
                continue;
            };
            let Some((matter, category)) = categories.get(random.below(categories.len())) else {
                continue;
            };
            let owner = users.get(3 + random.below(3)).map(ToString::to_string);
            dossiers.push(ResourceInput {
                resource_type: "dossier".into(),
                id: format!("D-2026-{:04}", number + 1),
                organization: organization_id.to_string(),
                matter: Some(matter.clone()),
                category: Some(category.clone()),
                owner,
            });
        }
        self.register_resources(&guichet_caller, dossiers).await?;
        let _ = spw_agent;
        let mut answered = Vec::new();
        for (role_name, user) in personas {
            let (_, mut persona) = self.persona_caller(&user).await?;
            persona.role = role_name;
            self.ensure_demo_password(&user.id).await?;
            answered.push(persona);
        }
        Ok((answered, client))
    }

    /// The personas of an already loaded demo, with new tokens.
    async fn demo_personas(&self) -> Result<(Vec<DemoPersona>, crate::auth::Secret), Error> {
        let named = [
            ("operator", "sophie.lambert@spw.wallonie.be"),
            ("application owner", "marc.dubois@spw.wallonie.be"),
            ("GLS (principal manager)", "anne.lefevre@ville.namur.be"),
            ("deputy", "jean.dupont@ville.namur.be"),
            ("access manager", "nadia.benali@ville.namur.be"),
            ("user", "luc.martin@ville.namur.be"),
            ("contractor (mandatary)", "vincent.meunier@meuse-etudes.be"),
        ];
        let mut personas = Vec::new();
        for (role_name, email) in named {
            if let Some(user) = self.db.find_user(email, None).await? {
                let (_, mut persona) = self.persona_caller(&user).await?;
                persona.role = role_name.into();
                self.ensure_demo_password(&user.id).await?;
                personas.push(persona);
            }
        }
        let client = self.create_client("guichet", "demo").await?.value;
        Ok((personas, client))
    }

    /// Gives a persona the demo password for the web interface's local login, once.
    async fn ensure_demo_password(&self, user: &habilis_domain::UserId) -> Result<(), Error> {
        if self.db.find_local_account(user).await?.is_none() {
            self.set_local_password(&Caller::system(), user.as_str(), DEMO_PASSWORD, false)
                .await?;
        }
        Ok(())
    }

    /// Commits changes as they are, with an audit event: for data imported from elsewhere
    /// (and the demo's history), never for changes a person asks for.
    pub(crate) async fn import(
        &self,
        caller: &Caller,
        action: &'static str,
        changes: Vec<Change>,
    ) -> Result<u64, Error> {
        let context = AuditContext::new(action);
        let tx = self.db.begin().await?;
        self.commit(tx, caller, &context, changes).await
    }
}
