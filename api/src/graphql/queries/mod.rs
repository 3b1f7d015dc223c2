//! The root query fields, one file per concept: each decodes its arguments and answers with
//! the object types of `super::objects`.

pub mod case;
pub mod catalogue;
pub mod committee;
pub mod consultation;
pub mod deadline;
pub mod directory;
pub mod inbox;
pub mod meeting;
pub mod viewer;
