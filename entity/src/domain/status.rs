//! The case status machine.
//!
//! ```text
//! REFERRED ──startIntake──▶ IN_INTAKE ──accept──▶ ACTIVE ──close──▶ CLOSED
//!                              │
//!                              ├──redirect──▶ REDIRECTED
//!                              └──reject────▶ REJECTED
//! ```
//!
//! CLOSED, REDIRECTED and REJECTED are final. Every change is recorded in the case's status
//! history with who, when and why.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::{Error, Result};

/// Where a case is in its pathway.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum CaseStatus {
    /// Received at the municipality's single entry point, not yet looked at.
    #[sea_orm(string_value = "REFERRED")]
    Referred,
    /// The coordination committee is assessing it.
    #[sea_orm(string_value = "IN_INTAKE")]
    InIntake,
    /// Accepted: the pathway is running.
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    /// The pathway has ended.
    #[sea_orm(string_value = "CLOSED")]
    Closed,
    /// Sent to a better-suited offer, such as an early intervention.
    #[sea_orm(string_value = "REDIRECTED")]
    Redirected,
    /// Not taken on.
    #[sea_orm(string_value = "REJECTED")]
    Rejected,
}

/// The coordination committee's decision at intake.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum IntakeDecision {
    /// Accept into a coordinated pathway (→ ACTIVE).
    Accept,
    /// Redirect to another offer (→ REDIRECTED).
    Redirect,
    /// Reject (→ REJECTED).
    Reject,
}

impl IntakeDecision {
    /// The status the decision leads to.
    #[must_use]
    pub fn target(self) -> CaseStatus {
        match self {
            Self::Accept => CaseStatus::Active,
            Self::Redirect => CaseStatus::Redirected,
            Self::Reject => CaseStatus::Rejected,
        }
    }
}

impl CaseStatus {
    /// Every status, in pathway order.
    pub const ALL: [Self; 6] = [
        Self::Referred,
        Self::InIntake,
        Self::Active,
        Self::Closed,
        Self::Redirected,
        Self::Rejected,
    ];

    /// The upper-case name used in the API and the database.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Referred => "REFERRED",
            Self::InIntake => "IN_INTAKE",
            Self::Active => "ACTIVE",
            Self::Closed => "CLOSED",
            Self::Redirected => "REDIRECTED",
            Self::Rejected => "REJECTED",
        }
    }

    /// True when the pathway has ended and nothing more may change.
    #[must_use]
    pub fn is_final(self) -> bool {
        matches!(self, Self::Closed | Self::Redirected | Self::Rejected)
    }

    /// Requires that the pathway has not ended.
    ///
    /// # Errors
    /// [`Error::Conflict`] for a CLOSED, REDIRECTED or REJECTED case.
    pub fn require_open(self) -> Result<()> {
        if self.is_final() {
            Err(Error::conflict(format!(
                "the case is {} and can no longer change",
                self.as_str()
            )))
        } else {
            Ok(())
        }
    }

    /// True when `self → to` is a legal transition.
    #[must_use]
    pub fn can_become(self, to: Self) -> bool {
        use CaseStatus::{Active, Closed, InIntake, Redirected, Referred, Rejected};
        matches!(
            (self, to),
            (Referred, InIntake)
                | (InIntake, Active)
                | (InIntake, Redirected)
                | (InIntake, Rejected)
                | (Active, Closed)
        )
    }

    /// Checks `self → to`.
    ///
    /// # Errors
    /// [`Error::Conflict`] naming both statuses when the transition is not allowed.
    pub fn transition(self, to: Self) -> Result<Self> {
        if self.can_become(to) {
            Ok(to)
        } else {
            Err(Error::conflict(format!(
                "a case in status {} cannot become {}",
                self.as_str(),
                to.as_str()
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CaseStatus::*;
    use super::*;

    #[test]
    fn exactly_the_documented_transitions_are_legal() {
        let legal = [
            (Referred, InIntake),
            (InIntake, Active),
            (InIntake, Redirected),
            (InIntake, Rejected),
            (Active, Closed),
        ];
        for from in CaseStatus::ALL {
            for to in CaseStatus::ALL {
                assert_eq!(
                    from.transition(to).is_ok(),
                    legal.contains(&(from, to)),
                    "{from:?} -> {to:?}"
                );
            }
        }
    }

    #[test]
    fn final_statuses_have_no_way_out() {
        for from in CaseStatus::ALL.into_iter().filter(|s| s.is_final()) {
            assert!(CaseStatus::ALL.iter().all(|to| !from.can_become(*to)));
        }
    }
}
