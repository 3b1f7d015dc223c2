//! Subject access (GDPR art. 15, CJEU C-579/21): for one child, found by CPR number, who
//! looked at or changed what of their data, when, on what basis and through which operation —
//! as JSON and as a readable Danish HTML page. `kit-api audit export --cpr …` gives the whole
//! instance's entries to an operator; `subjectAccess` gives an organization's data-protection
//! role the entries of its own processing: the cases it holds, and what its own professionals
//! did elsewhere.

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, Utc};
use kit_entity::cpr::vault::CprVault;
use kit_entity::domain::enums::{AccessBasis, AccessKind};
use kit_entity::entities::{access_log, case, child, organization, professional, unit};
use kit_entity::ids::{CaseId, OrganizationId, ProfessionalId};
use kit_entity::{Error, Result};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

use kit_entity::content::texts::escape_html as escape;
use kit_entity::domain::calendar;

use kit_entity::access::ChildData;

/// One look at or change to the child's data.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// When.
    pub at: DateTime<Utc>,
    /// READ or CHANGE.
    #[serde(serialize_with = "by_name")]
    pub kind: AccessKind,
    /// Who: their name.
    pub professional: String,
    /// Their job title.
    pub title: String,
    /// Their organization.
    pub organization: String,
    /// The case, by reference.
    pub case_reference: String,
    /// What of the data.
    pub what: Vec<ChildData>,
    /// On what basis: PARTICIPANT, INTAKE_UNIT, UNIT_LEADER or DATA_PROTECTION.
    #[serde(serialize_with = "by_name")]
    pub basis: AccessBasis,
    /// Through which operation.
    pub operation: String,
}

/// An enumeration as the database and the API name it.
fn by_name<E: sea_orm::ActiveEnum<Value = String>, S: serde::Serializer>(
    value: &E,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    serializer.serialize_str(&value.to_value())
}

/// The answer to a subject access request.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The child's name, as recorded.
    pub child_name: String,
    /// Their date of birth.
    pub date_of_birth: NaiveDate,
    /// When the report was made.
    pub generated_at: DateTime<Utc>,
    /// The organization it answers for; none for the whole instance.
    pub organization: Option<String>,
    /// The child's cases it covers, by reference.
    pub cases: Vec<String>,
    /// Every entry, oldest first.
    pub entries: Vec<Entry>,
    /// The cases, by id, for logging the report's own reading.
    #[serde(skip)]
    pub case_ids: Vec<CaseId>,
}

/// Builds the report for the child with CPR number `digits`, for `scope` (an organization)
/// or the whole instance.
///
/// # Errors
/// [`Error::NotFound`] when no child has the number, or `scope` holds nothing about them;
/// database errors.
pub async fn report(
    db: &DatabaseConnection,
    vault: &CprVault,
    digits: &str,
    scope: Option<OrganizationId>,
    now: DateTime<Utc>,
) -> Result<Report> {
    let not_found = || Error::not_found("child").at("cpr");
    let child = child::Entity::find()
        .filter(child::Column::CprHmac.is_in(vault.lookups(digits)))
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let cases: HashMap<CaseId, case::Model> = case::Entity::find()
        .filter(case::Column::ChildId.eq(child.id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let rows = access_log::Entity::find()
        .filter(access_log::Column::CaseId.is_in(cases.keys().copied()))
        .order_by_asc(access_log::Column::Id)
        .all(db)
        .await?;
    let people: HashMap<ProfessionalId, professional::Model> = professional::Entity::find()
        .filter(professional::Column::Id.is_in(rows.iter().map(|r| r.professional_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let units: HashMap<_, unit::Model> = unit::Entity::find()
        .filter(unit::Column::Id.is_in(people.values().map(|p| p.unit_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let organizations: HashMap<OrganizationId, organization::Model> = organization::Entity::find()
        .filter(
            organization::Column::Id.is_in(units.values().map(|u| u.organization_id).chain(scope)),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let organization_of = |p: ProfessionalId| {
        people
            .get(&p)
            .and_then(|p| units.get(&p.unit_id))
            .map(|u| u.organization_id)
    };
    let in_scope = |row: &access_log::Model| {
        scope.is_none_or(|org| {
            cases
                .get(&row.case_id)
                .is_some_and(|c| c.municipality_id == org)
                || organization_of(row.professional_id) == Some(org)
        })
    };
    let entries: Vec<Entry> = rows
        .iter()
        .filter(|r| in_scope(r))
        .map(|r| {
            let person = people.get(&r.professional_id);
            Entry {
                at: r.read_at,
                kind: r.kind,
                professional: person.map(|p| p.name.clone()).unwrap_or_default(),
                title: person.map(|p| p.title.clone()).unwrap_or_default(),
                organization: organization_of(r.professional_id)
                    .and_then(|o| organizations.get(&o))
                    .map(|o| o.name.clone())
                    .unwrap_or_default(),
                case_reference: cases
                    .get(&r.case_id)
                    .map(|c| c.reference.clone())
                    .unwrap_or_default(),
                what: ChildData::parse_list(&r.what),
                basis: r.basis,
                operation: r.operation.clone(),
            }
        })
        .collect();
    let mut covered: Vec<&case::Model> = cases
        .values()
        .filter(|c| {
            scope.is_none_or(|org| {
                c.municipality_id == org || entries.iter().any(|e| e.case_reference == c.reference)
            })
        })
        .collect();
    covered.sort_by_key(|c| c.id);
    if covered.is_empty() {
        return Err(not_found());
    }
    Ok(Report {
        child_name: child.name,
        date_of_birth: child.date_of_birth,
        generated_at: now,
        organization: scope
            .and_then(|o| organizations.get(&o))
            .map(|o| o.name.clone()),
        cases: covered.iter().map(|c| c.reference.clone()).collect(),
        case_ids: covered.iter().map(|c| c.id).collect(),
        entries,
    })
}

/// What a kind of data is called on the page.
fn danish(what: ChildData) -> &'static str {
    match what {
        ChildData::Child => "barnets navn og fødselsdato",
        ChildData::Cpr => "CPR-nummeret",
        ChildData::Family => "familiens oplysninger",
        ChildData::Referral => "henvisningen",
        ChildData::Participants => "hvem der deltager",
        ChildData::Meetings => "møderne",
        ChildData::Plan => "planen og aftalerne",
        ChildData::Deadlines => "fristerne",
        ChildData::History => "sagens forløb",
        ChildData::Consents => "samtykkerne",
        ChildData::Documents => "de delte dokumenter",
        ChildData::EarlyInterventions => "ventelister til tidlige indsatser",
    }
}

fn basis_da(basis: AccessBasis) -> &'static str {
    match basis {
        AccessBasis::Participant => "deltager i forløbet",
        AccessBasis::IntakeUnit => "kommunens indgang (visitationen)",
        AccessBasis::UnitLeader => "leder af en enhed, der deltager",
        AccessBasis::DataProtection => "databeskyttelse: svar på en indsigtsanmodning",
    }
}

fn local(at: DateTime<Utc>) -> String {
    calendar::local(at)
        .format("%d-%m-%Y kl. %H:%M:%S")
        .to_string()
}

impl Report {
    /// The report as JSON.
    ///
    /// # Errors
    /// Never in practice: every field serializes.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(Error::internal)
    }

    /// The report as a Danish HTML page, printable, with every value escaped.
    #[must_use]
    pub fn to_html(&self) -> String {
        let mut page = String::new();
        let name = escape(&self.child_name);
        let _ = write!(
            page,
            "<!DOCTYPE html>\n<html lang=\"da\">\n<head>\n<meta charset=\"utf-8\">\n\
             <title>Indsigt: hvem har set oplysninger om {name}</title>\n<style>\n\
             body {{ font-family: sans-serif; margin: 2em; }}\n\
             table {{ border-collapse: collapse; width: 100%; }}\n\
             th, td {{ border: 1px solid #999; padding: .3em .5em; text-align: left; vertical-align: top; }}\n\
             th {{ background: #eee; }}\n</style>\n</head>\n<body>\n\
             <h1>Indsigt i, hvem der har set eller ændret oplysninger om {name}</h1>\n"
        );
        let _ = write!(
            page,
            "<p>Født {}. Udarbejdet {}{}. Sager: {}.</p>\n\
             <p>Her står hver gang, en fagperson har læst eller ændret oplysninger om barnet i \
             KIT: hvornår, hvem, hvad og hvorfor de måtte. Har du spørgsmål, så kontakt \
             databeskyttelsesrådgiveren.</p>\n",
            self.date_of_birth.format("%d-%m-%Y"),
            local(self.generated_at),
            self.organization
                .as_deref()
                .map(|o| format!(" af {}", escape(o)))
                .unwrap_or_default(),
            escape(&self.cases.join(", ")),
        );
        if self.entries.is_empty() {
            page.push_str("<p>Ingen har læst eller ændret oplysningerne.</p>\n");
        } else {
            page.push_str(
                "<table>\n<thead><tr><th>Tidspunkt</th><th>Hvem</th><th>Sag</th>\
                 <th>Læst eller ændret</th><th>Hvad</th><th>Grundlag</th>\
                 <th>Handling i systemet</th></tr></thead>\n<tbody>\n",
            );
            for e in &self.entries {
                let what: Vec<&str> = e.what.iter().map(|w| danish(*w)).collect();
                let _ = writeln!(
                    page,
                    "<tr><td>{}</td><td>{}, {}, {}</td><td>{}</td><td>{}</td><td>{}</td>\
                     <td>{}</td><td>{}</td></tr>",
                    local(e.at),
                    escape(&e.professional),
                    escape(&e.title),
                    escape(&e.organization),
                    escape(&e.case_reference),
                    match e.kind {
                        AccessKind::Read => "læst",
                        AccessKind::Change => "ændret",
                    },
                    escape(&what.join(", ")),
                    basis_da(e.basis),
                    escape(&e.operation),
                );
            }
            page.push_str("</tbody>\n</table>\n");
        }
        page.push_str("</body>\n</html>\n");
        page
    }
}
