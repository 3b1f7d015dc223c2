//! The family's plan page, reached through the personal link in their e-mail, without logging
//! in:
//!
//! * `GET /plan/{token}` — the current plan as a printable Danish (or English) HTML page;
//! * `GET /plan/{token}/pdf` — the same as a PDF.
//!
//! Each reading is recorded before a byte of the plan leaves. A revoked, expired or forged
//! link gets one page saying the link does not work — never which of the three it was, and
//! never whose plan it would have been.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kit_entity::Error;
use kit_entity::content::plan_page;
use kit_entity::content::texts::escape_html;
use kit_entity::domain::enums::{Language, PlanFormat};

use crate::http::public::page;
use crate::state::AppState;
use kit_entity::ops::plan_links;

fn refusal(e: &Error) -> Response {
    if matches!(e, Error::Forbidden(_)) {
        return page(
            StatusCode::GONE,
            Language::Da,
            "Linket virker ikke",
            "<p>Linket er udløbet, trukket tilbage eller ugyldigt. Kontakt jeres kontaktperson i \
             kommunen for at få et nyt.</p><p lang=\"en\">This link has expired, been revoked or \
             is not valid. Ask your contact person for a new one.</p>",
        );
    }
    tracing::error!(error = %crate::graphql::errors::error_chain(e), "plan link failed");
    page(
        StatusCode::INTERNAL_SERVER_ERROR,
        Language::Da,
        "Noget gik galt",
        "<p>Prøv igen senere.</p>",
    )
}

/// `GET /plan/{token}`: the plan page.
pub async fn show(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let now = state.clock.now();
    match plan_links::open(&state.db, &state.links, &token, PlanFormat::Html, now).await {
        Ok((link, view)) => {
            let body = plan_page::html_body(&view, &format!("/plan/{}/pdf", escape_html(&token)));
            page(StatusCode::OK, link.language, &view.title(), &body)
        }
        Err(e) => refusal(&e),
    }
}

/// `GET /plan/{token}/pdf`: the plan as a PDF.
pub async fn pdf(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let now = state.clock.now();
    match plan_links::open(&state.db, &state.links, &token, PlanFormat::Pdf, now).await {
        Ok((_, view)) => {
            let bytes = plan_page::pdf(&view);
            let name = match view.language {
                Language::Da => "faelles-plan.pdf",
                Language::En => "shared-plan.pdf",
            };
            (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, "application/pdf".to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("inline; filename=\"{name}\""),
                    ),
                    (header::CACHE_CONTROL, "no-store".to_owned()),
                    (header::REFERRER_POLICY, "no-referrer".to_owned()),
                    (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => refusal(&e),
    }
}
