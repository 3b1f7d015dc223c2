//! `subjectAccess`: the organization's data-protection role answers a citizen's request to
//! know who looked at their child's data (GDPR art. 15). Its own reading is logged too.

use async_graphql::{Context, ID, Object, SimpleObject};
use kit_entity::Error;

use crate::graphql::context::ContextExt;
use crate::graphql::enums::{AccessBasis, AccessKind, ChildData};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::decode;
use crate::graphql::read::note_reads;
use crate::graphql::scalars::{Date, DateTime};
use crate::subject_access::{self, Report};
use kit_entity::access::CaseAccess;
use kit_entity::access::ChildData as Kind;

/// One look at or change to the child's data.
#[derive(SimpleObject)]
pub struct SubjectAccessEntry {
    /// When.
    pub at: DateTime,
    /// READ or CHANGE.
    pub kind: AccessKind,
    /// Who: the professional's name.
    pub professional: String,
    /// Their job title.
    pub title: String,
    /// Their organization.
    pub organization: String,
    /// The case, by reference.
    pub case_reference: String,
    /// What of the child's data.
    pub what: Vec<ChildData>,
    /// On what basis they could.
    pub basis: AccessBasis,
    /// The operation, as `name(rootField,…)`.
    pub operation: String,
}

/// Who looked at or changed a child's data in the organization's processing, oldest first,
/// with the same as a Danish page.
pub struct SubjectAccessReport(Report);

/// The answer to a subject access request about one child.
#[Object]
impl SubjectAccessReport {
    /// The child's name, as recorded.
    async fn child_name(&self) -> &str {
        &self.0.child_name
    }

    /// The child's date of birth.
    async fn date_of_birth(&self) -> Date {
        Date(self.0.date_of_birth)
    }

    /// When the report was made.
    async fn generated_at(&self) -> DateTime {
        self.0.generated_at.into()
    }

    /// The child's cases it covers, by reference.
    async fn cases(&self) -> &[String] {
        &self.0.cases
    }

    /// Every look and change: in the cases the organization holds, and by the organization's
    /// own professionals in others'.
    async fn entries(&self) -> Vec<SubjectAccessEntry> {
        self.0
            .entries
            .iter()
            .map(|e| SubjectAccessEntry {
                at: e.at.into(),
                kind: e.kind.into(),
                professional: e.professional.clone(),
                title: e.title.clone(),
                organization: e.organization.clone(),
                case_reference: e.case_reference.clone(),
                what: e.what.iter().map(|w| (*w).into()).collect(),
                basis: e.basis.into(),
                operation: e.operation.clone(),
            })
            .collect()
    }

    /// The report as a printable Danish HTML page, to send to the family.
    async fn html(&self) -> String {
        self.0.to_html()
    }
}

/// The subject access query.
#[derive(Default)]
pub struct SubjectAccessQuery;

#[Object]
impl SubjectAccessQuery {
    /// For the organization's data-protection role (`Professional.isDataProtection`): who
    /// looked at or changed the data of the child with this CPR number, when, what and on what
    /// basis — in the cases the organization holds and by its own professionals. FORBIDDEN for
    /// anyone else; NOT_FOUND when the organization holds nothing about the child. Reading it
    /// is logged, as DATA_PROTECTION.
    async fn subject_access(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Your organization.")] organization_id: ID,
        #[graphql(desc = "The child's CPR number, `DDMMYY-XXXX` or ten digits.")] cpr: String,
    ) -> async_graphql::Result<SubjectAccessReport> {
        let actor = ctx.actor().gql()?;
        let organization = decode("organizationId", &organization_id).gql()?;
        if !actor.professional.is_data_protection || actor.organization_id != organization {
            return Err(Error::forbidden(
                "only the organization's data-protection role answers subject access requests",
            ))
            .gql();
        }
        let cpr = kit_entity::domain::validate::cpr("cpr", &cpr, None).gql()?;
        let report = subject_access::report(
            &ctx.state().db,
            &ctx.state().cpr,
            cpr.as_digits(),
            Some(organization),
            ctx.state().clock.now(),
        )
        .await
        .gql()?;
        let seen: Vec<CaseAccess> = report
            .case_ids
            .iter()
            .filter_map(|&case| CaseAccess::for_data_protection(actor, case))
            .collect();
        note_reads(ctx, &seen, Kind::Child).gql()?;
        Ok(SubjectAccessReport(report))
    }
}
