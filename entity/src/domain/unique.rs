//! The product's unique indexes, as the two databases name them in their errors. A unique
//! violation becomes a CONFLICT only for the index a caller expects
//! ([`crate::Error::unique_as_conflict`]); any other is a fault, reported as INTERNAL and
//! logged.

/// One unique index: its name (what PostgreSQL reports), and its table and columns (what
/// SQLite reports: `UNIQUE constraint failed: table.a, table.b`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UniqueIndex {
    /// The index or constraint name.
    pub name: &'static str,
    /// The table the index is on, for the error message.
    pub table: &'static str,
    /// Its columns, in order.
    pub columns: &'static [&'static str],
}

impl UniqueIndex {
    /// True when `message`, a database's report of a unique violation, is about this index.
    #[must_use]
    pub fn is_named_in(&self, message: &str) -> bool {
        if message.contains(&format!("\"{}\"", self.name)) {
            return true;
        }
        let sqlite = self
            .columns
            .iter()
            .map(|c| format!("{}.{c}", self.table))
            .collect::<Vec<_>>()
            .join(", ");
        message.contains(&format!("UNIQUE constraint failed: {sqlite}"))
            && !message.contains(&format!("{sqlite},"))
    }
}

/// A CPR number belongs to one child.
pub const CHILD_CPR: UniqueIndex = UniqueIndex {
    name: "ux_children_cpr_hmac",
    table: "children",
    columns: &["cpr_hmac"],
};
/// One login subject per professional.
pub const PROFESSIONAL_SUBJECT: UniqueIndex = UniqueIndex {
    name: "professionals_subject_key",
    table: "professionals",
    columns: &["subject"],
};
/// One intake unit per organization.
pub const ONE_INTAKE_UNIT: UniqueIndex = UniqueIndex {
    name: "ux_units_one_intake_per_organization",
    table: "units",
    columns: &["organization_id"],
};
/// One active responsible contact per sector and case.
pub const ONE_CONTACT_PER_SECTOR: UniqueIndex = UniqueIndex {
    name: "ux_participants_one_responsible_contact_per_sector",
    table: "participants",
    columns: &["case_id", "sector"],
};
/// One active intervention lead per case.
pub const ONE_INTERVENTION_LEAD: UniqueIndex = UniqueIndex {
    name: "ux_participants_one_intervention_lead",
    table: "participants",
    columns: &["case_id"],
};
/// A professional holds a role in a case once at a time.
pub const ONE_ROLE_AT_A_TIME: UniqueIndex = UniqueIndex {
    name: "ux_participants_active_professional_role",
    table: "participants",
    columns: &["case_id", "professional_id", "role"],
};
/// A participant is invited to a meeting once.
pub const ONE_INVITATION: UniqueIndex = UniqueIndex {
    name: "ux_meeting_invitees_active",
    table: "meeting_invitees",
    columns: &["meeting_id", "participant_id"],
};
/// A consultation slot is booked once.
pub const ONE_BOOKING_PER_SLOT: UniqueIndex = UniqueIndex {
    name: "ux_consultation_bookings_slot",
    table: "consultation_bookings",
    columns: &["offer_id", "starts_at"],
};
/// A day is a closure day of an organization once.
pub const ONE_CLOSURE_DAY: UniqueIndex = UniqueIndex {
    name: "ux_closure_days",
    table: "closure_days",
    columns: &["organization_id", "date"],
};
/// One current version of a rule per organization.
pub const ONE_CURRENT_RULE: UniqueIndex = UniqueIndex {
    name: "ux_deadline_rules_current",
    table: "deadline_rules",
    columns: &["organization_id", "code"],
};
/// An idempotency key per professional once.
pub const ONE_IDEMPOTENCY_KEY: UniqueIndex = UniqueIndex {
    name: "ux_idempotency_keys_key",
    table: "idempotency_keys",
    columns: &["professional_id", "idem_key"],
};
/// A case waits on an early intervention once at a time.
pub const ONE_OPEN_WAITING_ENTRY: UniqueIndex = UniqueIndex {
    name: "ux_waiting_entries_open",
    table: "waiting_entries",
    columns: &["offer_id", "case_id"],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_is_recognised_in_both_databases_reports_and_no_other() {
        let pg = "duplicate key value violates unique constraint \"ux_participants_one_responsible_contact_per_sector\"";
        let sqlite = "UNIQUE constraint failed: participants.case_id, participants.sector";
        assert!(ONE_CONTACT_PER_SECTOR.is_named_in(pg));
        assert!(ONE_CONTACT_PER_SECTOR.is_named_in(sqlite));
        assert!(!ONE_ROLE_AT_A_TIME.is_named_in(pg));
        assert!(!ONE_ROLE_AT_A_TIME.is_named_in(sqlite));
        assert!(
            !ONE_INTAKE_UNIT
                .is_named_in("UNIQUE constraint failed: units.organization_id, units.name")
        );
        assert!(
            PROFESSIONAL_SUBJECT.is_named_in("UNIQUE constraint failed: professionals.subject")
        );
    }
}
