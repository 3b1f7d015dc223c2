//! The timeliness report: per rule, the deadlines met on time, met late, missed and open.

use async_graphql::{Context, Object};
use kit_entity::ids::OrganizationId;

use super::rule::DeadlineRule;
use crate::graphql::context::load_required;
use crate::graphql::errors::IntoGraphql;
use crate::graphql::objects::directory::Organization;
use crate::graphql::scalars::Date;

/// GraphQL `RuleTimeliness` over `kit_entity::ops::deadlines::manage::RuleTimeliness`, described on its `#[Object]` impl.
pub struct RuleTimeliness(pub kit_entity::ops::deadlines::manage::RuleTimeliness);

/// How timely one rule's deadlines were.
#[Object]
impl RuleTimeliness {
    /// The rule in force for the organization.
    async fn rule(&self) -> DeadlineRule {
        DeadlineRule(self.0.rule.clone())
    }

    /// Met no later than due.
    async fn met_on_time(&self) -> u64 {
        self.0.met_on_time
    }

    /// Met after they were due.
    async fn met_late(&self) -> u64 {
        self.0.met_late
    }

    /// Due and still not met — counted from the due time, whether or not the due alert has
    /// gone out yet.
    async fn missed(&self) -> u64 {
        self.0.missed
    }

    /// Not yet due and not met.
    async fn open(&self) -> u64 {
        self.0.open
    }

    /// Set aside by a person with a reason; not part of the share.
    async fn waived(&self) -> u64 {
        self.0.waived
    }

    /// metOnTime / (metOnTime + metLate + missed), from 0 to 1; null when none was decided.
    async fn share_on_time(&self) -> Option<f64> {
        self.0.share_on_time
    }

    /// The median delay past due, in hours, over met and missed deadlines (those met on time
    /// count 0; missed ones count until now or the end of the period). By nearest rank, as
    /// every percentile the API reports: the smallest delay such that at least half of the
    /// deadlines had no longer a delay — always a delay some deadline had.
    async fn median_delay_hours(&self) -> Option<f64> {
        self.0.median_delay_hours
    }

    /// The 90th-percentile delay past due, in hours, by nearest rank: the smallest delay such
    /// that at least 90 % of the deadlines had no longer a delay.
    async fn p90_delay_hours(&self) -> Option<f64> {
        self.0.p90_delay_hours
    }
}

/// The data of GraphQL `TimelinessReport`, described on its `#[Object]` impl.
pub struct TimelinessReport {
    pub(crate) organization: OrganizationId,
    pub(crate) from: chrono::NaiveDate,
    pub(crate) to: chrono::NaiveDate,
    pub(crate) rules: Vec<kit_entity::ops::deadlines::manage::RuleTimeliness>,
    pub(crate) offers: Vec<kit_entity::ops::catalogue::OfferFigures>,
}

/// How timely an organization's cases were: every deadline of its cases that fell due in the
/// period, per rule. The figure a municipality reports.
#[Object]
impl TimelinessReport {
    /// The organization whose cases the report covers.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Organization> {
        load_required(ctx, self.organization)
            .await
            .map(Organization)
            .gql()
    }

    /// The first day of the period (Europe/Copenhagen).
    async fn from(&self) -> Date {
        Date(self.from)
    }

    /// The last day of the period, included.
    async fn to(&self) -> Date {
        Date(self.to)
    }

    /// One entry per rule in force, by code.
    async fn rules(&self) -> Vec<RuleTimeliness> {
        self.rules.iter().cloned().map(RuleTimeliness).collect()
    }

    /// One entry per early intervention of the municipality's catalogue (active or not), by
    /// name: how many wait now, and how long those whose cohort started in the period
    /// waited — from the day they were placed on the list to the day their cohort started,
    /// median and 90th percentile by nearest rank.
    async fn early_interventions(
        &self,
    ) -> Vec<crate::graphql::objects::catalogue::OfferWaitingTime> {
        self.offers.iter().cloned().map(Into::into).collect()
    }
}
