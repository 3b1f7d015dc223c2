//! The mutations, one file per concept: each decodes its input, calls the core's command in
//! one transaction ([`Write`]) and answers with the changed objects of `super::objects`.

pub mod agenda;
pub mod case;
pub mod catalogue;
pub mod child;
pub mod committee;
pub mod consent;
pub mod consultation;
pub mod deadline;
pub mod directory;
pub mod discharge;
pub mod document;
pub mod meeting;
pub mod participant;
pub mod plan;
pub mod plan_link;
pub mod template;
mod write;

pub use write::{Write, maybe};
