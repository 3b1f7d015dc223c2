//! The consultation objects by id, for `node(id:)`, and a page of offers.

use super::*;

crate::connection!(
    ConsultationOfferConnection,
    ConsultationOfferEdge,
    ConsultationOffer,
    "A page of consultation offers.",
    "A consultation offer in a page."
);

/// Loads an offer for `node(id:)`: every professional may see offers.
///
/// # Errors
/// [`Error::NotFound`] when it does not exist.
pub async fn node_offer(
    db: &sea_orm::DatabaseConnection,
    id: ConsultationOfferId,
) -> Result<ConsultationOffer> {
    consultation_offer::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(ConsultationOffer)
        .ok_or_else(|| Error::not_found("consultation offer"))
}

/// Loads a booking for `node(id:)`: its booker, the host and the offering organization's
/// administrators.
///
/// # Errors
/// [`Error::NotFound`] when it does not exist or is not theirs to see.
pub async fn node_booking(
    db: &sea_orm::DatabaseConnection,
    actor: &kit_entity::access::Actor,
    id: ConsultationBookingId,
) -> Result<ConsultationBooking> {
    let booking = consultation_booking::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("consultation"))?;
    let offer = consultation_offer::Entity::find_by_id(booking.offer_id)
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("consultation"))?;
    if may_see_booking(actor, &offer, &booking) {
        Ok(ConsultationBooking(booking))
    } else {
        Err(Error::not_found("consultation"))
    }
}
