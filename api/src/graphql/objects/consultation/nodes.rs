//! The consultation objects by id, for `node(id:)`, and a page of offers.

use super::*;

crate::connection!(
    ConsultationOfferConnection,
    ConsultationOfferEdge,
    ConsultationOffer,
    "A page of consultation offers.",
    "A consultation offer in a page."
);
