//! Hand-written domain rules, kept apart from the table models in `entities`.

pub mod calendar;
pub mod catalogue;
pub mod clock;
pub mod consent;
pub mod consultation;
pub mod enums;
pub mod error;
pub mod figures;
pub mod identifying;
pub mod ids;
pub mod slots;
pub mod status;
pub mod templates;
pub mod text;
pub mod timeliness;
pub mod transition;
pub mod unique;
pub mod validate;
