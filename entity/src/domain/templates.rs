//! Standard templates (seeds 000/001: "vejledninger og standardiserede skabeloner"): what a
//! meeting's agenda, a status note and the cross-sector plan hold, in priority order. The
//! product ships these defaults, drawn from the KIT model's meeting guidance and the single
//! entry point's start, follow-up and closing meetings; an organization replaces any of them
//! with its own (`ops::templates`).

use serde::{Deserialize, Serialize};

use super::enums::{MeetingKind, TemplateKind};
use crate::{Error, Result};

/// At most this many items in a template.
pub const MAX_ITEMS: usize = 30;

/// One item of a template: an agenda item, or a section of a status note or the plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateItem {
    /// Its title.
    pub title: String,
    /// What it is for: the guidance a writer reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guidance: Option<String>,
    /// Discussed in the meeting's closed part (person-sensitive): only the professionals
    /// taking part see it.
    #[serde(default)]
    pub closed: bool,
}

const fn item(
    title: &'static str,
    guidance: &'static str,
    closed: bool,
) -> (&'static str, &'static str, bool) {
    (title, guidance, closed)
}

type Row = (&'static str, &'static str, bool);

const START: &[Row] = &[
    item(
        "Velkomst, formål og rammer",
        "Hvem deltager og hvorfor; mødets formål og tid.",
        false,
    ),
    item(
        "Barnets og familiens ønsker",
        "Barnets egne ord først; derefter forældrenes.",
        false,
    ),
    item(
        "Hver sektors viden om barnet",
        "Det, sektorerne har udvekslet før mødet (lukket punkt).",
        true,
    ),
    item(
        "Udfordringer og ressourcer",
        "Prioritér udfordringerne; hvad kan bygges videre på.",
        false,
    ),
    item(
        "Aftaler: hvem gør hvad hvornår",
        "Hver aftale med én ansvarlig og en dato.",
        false,
    ),
    item("Næste møde", "Tid og deltagere for opfølgningen.", false),
];

const NETWORK: &[Row] = &[
    item("Siden sidst", "Status på aftalerne fra sidste møde.", false),
    item(
        "Information fra hver sektor",
        "Behandlingsplan, statusnotat, udtalelser (lukket punkt).",
        true,
    ),
    item(
        "Barnets og familiens perspektiv",
        "Hvordan oplever barnet og familien forløbet?",
        false,
    ),
    item(
        "Den fælles plan",
        "Aftaler på tværs af sektorer med ansvarlige og datoer.",
        false,
    ),
    item("Næste møde", "Tid og deltagere.", false),
];

const FOLLOW_UP: &[Row] = &[
    item(
        "Status på aftaler",
        "Hvad er gennemført, hvad mangler?",
        false,
    ),
    item(
        "Hvad går godt, hvad er svært",
        "Barnets, familiens og sektorernes vurdering.",
        false,
    ),
    item("Justering af planen", "Nye eller ændrede aftaler.", false),
    item("Næste møde", "Tid og deltagere, eller afslutning.", false),
];

const CLOSING: &[Row] = &[
    item(
        "Er målene nået?",
        "Planens mål og aftaler gennemgås.",
        false,
    ),
    item(
        "Overdragelse",
        "Hvem følger barnet fremover, og hvad skal de vide?",
        false,
    ),
    item(
        "Afslutning",
        "Familiens og sektorernes afsluttende ord.",
        false,
    ),
];

const TRANSITION: &[Row] = &[
    item(
        "Den unges ønsker for voksenlivet",
        "Uddannelse, bolig, økonomi, netværk.",
        false,
    ),
    item(
        "Voksenområdets tilbud",
        "Hvilke voksenindsatser kan komme på tale?",
        false,
    ),
    item(
        "Overdragelse af sagsakter",
        "Hvad må overdrages, med den unges samtykke.",
        false,
    ),
    item("Aftaler", "Hvem gør hvad inden det fyldte 18. år.", false),
];

const HAND_BACK: &[Row] = &[
    item(
        "Udskrivelsen",
        "Behandling, status og psykiatriens anbefalinger (lukket punkt).",
        true,
    ),
    item(
        "Kommunens indsats efter udskrivelsen",
        "Familieafdeling, PPR og den ansvarlige.",
        false,
    ),
    item(
        "Skole eller dagtilbud",
        "Tilbagevenden og støtte i hverdagen.",
        false,
    ),
    item(
        "Aftaler efter udskrivelsen",
        "Hvem gør hvad fra udskrivelsesdagen.",
        false,
    ),
];

const COORDINATION: &[Row] = &[
    item(
        "Henvendelsen",
        "Hvad er bekymringen, og hvem henviser?",
        false,
    ),
    item(
        "Vurdering",
        "Hvilket forløb eller hvilken indsats passer?",
        false,
    ),
    item(
        "Beslutning",
        "Visiteret, omdirigeret eller afvist, med begrundelse.",
        false,
    ),
];

const STATUS_NOTE: &[Row] = &[
    item("Baggrund", "Hvorfor barnet er kendt af sektoren.", false),
    item("Aktuel status", "Hvordan går det nu?", false),
    item(
        "Trivsel og udvikling",
        "Skole/dagtilbud, venner, søvn, humør.",
        false,
    ),
    item(
        "Familiens ressourcer",
        "Hvad familien selv kan og gør.",
        false,
    ),
    item("Vurdering", "Sektorens faglige vurdering.", false),
    item(
        "Anbefalinger",
        "Hvad sektoren anbefaler til netværksmødet.",
        false,
    ),
];

const PLAN: &[Row] = &[
    item("Barnets ønsker", "Med barnets egne ord.", false),
    item(
        "Familiens ønsker",
        "Forældrenes ønsker til forløbet.",
        false,
    ),
    item("Udfordringer", "I prioriteret rækkefølge.", false),
    item("Ressourcer", "Det, der kan bygges videre på.", false),
    item(
        "Aftaler",
        "Hvem gør hvad hvornår, på tværs af sektorerne.",
        false,
    ),
];

/// The product's default for `kind` (and, for an agenda, `meeting`).
#[must_use]
pub fn default_items(kind: TemplateKind, meeting: Option<MeetingKind>) -> Vec<TemplateItem> {
    let rows = match (kind, meeting) {
        (TemplateKind::Agenda, Some(MeetingKind::Start)) => START,
        (TemplateKind::Agenda, Some(MeetingKind::Network)) => NETWORK,
        (TemplateKind::Agenda, Some(MeetingKind::FollowUp)) => FOLLOW_UP,
        (TemplateKind::Agenda, Some(MeetingKind::Closing)) => CLOSING,
        (TemplateKind::Agenda, Some(MeetingKind::Transition)) => TRANSITION,
        (TemplateKind::Agenda, Some(MeetingKind::HandBack)) => HAND_BACK,
        (TemplateKind::Agenda, Some(MeetingKind::Coordination)) => COORDINATION,
        (TemplateKind::Agenda, None) => &[],
        (TemplateKind::StatusNote, _) => STATUS_NOTE,
        (TemplateKind::Plan, _) => PLAN,
    };
    rows.iter()
        .map(|(title, guidance, closed)| TemplateItem {
            title: (*title).to_owned(),
            guidance: Some((*guidance).to_owned()),
            closed: *closed,
        })
        .collect()
}

/// The items as a text outline, each title a heading with its guidance below: what a status
/// note written from the template starts with.
#[must_use]
pub fn outline(items: &[TemplateItem]) -> String {
    let mut out = String::new();
    for item in items {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str("## ");
        out.push_str(&item.title);
        out.push('\n');
        if let Some(g) = &item.guidance {
            out.push_str(g);
            out.push('\n');
        }
    }
    out
}

/// Checks a template's items: 1–[`MAX_ITEMS`], each title a name, guidance a long text, no
/// title twice.
///
/// # Errors
/// [`Error::Validation`] naming `items.N.title` or `items.N.guidance`.
pub fn check(items: Vec<TemplateItem>) -> Result<Vec<TemplateItem>> {
    if items.is_empty() || items.len() > MAX_ITEMS {
        return Err(Error::invalid(
            "items",
            format!("a template holds 1–{MAX_ITEMS} items"),
        ));
    }
    let mut out: Vec<TemplateItem> = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let title = super::validate::short_text(&format!("items.{i}.title"), &item.title)?;
        if out.iter().any(|o| o.title.eq_ignore_ascii_case(&title)) {
            return Err(Error::invalid(
                format!("items.{i}.title"),
                "appears twice in the template",
            ));
        }
        let guidance = super::validate::optional(
            &format!("items.{i}.guidance"),
            item.guidance.as_deref(),
            super::validate::long_text,
        )?;
        out.push(TemplateItem {
            title,
            guidance,
            closed: item.closed,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::Iterable;

    #[test]
    fn every_meeting_kind_has_a_default_agenda_that_passes_its_own_checks() {
        for kind in MeetingKind::iter() {
            let items = default_items(TemplateKind::Agenda, Some(kind));
            assert!(!items.is_empty(), "{kind:?}");
            assert_eq!(check(items.clone()).ok(), Some(items));
        }
        for kind in [TemplateKind::StatusNote, TemplateKind::Plan] {
            let items = default_items(kind, None);
            assert_eq!(check(items.clone()).ok(), Some(items));
        }
    }

    #[test]
    fn an_outline_has_a_heading_per_item() {
        let text = outline(&default_items(TemplateKind::StatusNote, None));
        assert!(text.starts_with("## Baggrund\n"));
        assert_eq!(text.matches("## ").count(), 6);
    }

    #[test]
    fn a_title_twice_or_no_items_are_refused_naming_the_field() {
        let twice = vec![
            TemplateItem {
                title: "Aftaler".into(),
                guidance: None,
                closed: false,
            },
            TemplateItem {
                title: "aftaler".into(),
                guidance: None,
                closed: true,
            },
        ];
        assert!(
            matches!(check(twice), Err(Error::Validation { field, .. }) if field == "items.1.title")
        );
        assert!(check(Vec::new()).is_err());
    }
}
