//! Finding the endpoint a request is for: method and path against the table's path
//! templates (`:name` matches one non-empty segment). Both hosts share one URL, which
//! works because their paths never overlap (`/open-apis/...` against `/approval/...`).
//! A request that matches nothing is told the nearest endpoint.

use super::check::distance;
use super::table::Route;
use crate::spec::Method;

/// The method as written on the wire.
pub(crate) fn method_name(method: Method) -> &'static str {
    match method {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Patch => "PATCH",
        Method::Delete => "DELETE",
    }
}

/// The route for `method path`, or the message of the 404 that says what is near.
pub(crate) fn find(
    routes: &[&'static Route],
    method: &str,
    path: &str,
) -> Result<&'static Route, String> {
    let segments: Vec<&str> = path.split('/').collect();
    // Of several templates that fit, the one with the most literal segments wins:
    // `/x/batch` before `/x/:id`.
    let found = routes
        .iter()
        .copied()
        .filter(|r| method_name(r.spec.method) == method)
        .filter(|r| fits(r.spec.path, &segments))
        .max_by_key(|r| {
            r.spec
                .path
                .split('/')
                .filter(|s| !s.starts_with(':'))
                .count()
        });
    if let Some(route) = found {
        return Ok(route);
    }
    let shown: String = path.chars().take(200).collect();
    let mut message = format!("no endpoint {method} {shown}");
    if let Some(near) = nearest(routes, method, &segments) {
        message.push_str(&format!(
            "; did you mean {} {} ({})?",
            method_name(near.spec.method),
            near.spec.path,
            near.spec.id
        ));
    }
    Err(message)
}

fn fits(template: &str, segments: &[&str]) -> bool {
    let mut count = 0;
    for (t, s) in template.split('/').zip(segments) {
        let ok = if t.starts_with(':') {
            !s.is_empty()
        } else {
            t == *s
        };
        if !ok {
            return false;
        }
        count += 1;
    }
    count == segments.len() && count == template.split('/').count()
}

/// The route whose path is closest to the request's, when close enough to be a typo
/// (or the right path with the wrong method).
fn nearest(routes: &[&'static Route], method: &str, segments: &[&str]) -> Option<&'static Route> {
    if segments.len() > 64 {
        return None;
    }
    let length: usize = segments.iter().map(|s| s.len() + 1).sum();
    routes
        .iter()
        .copied()
        .map(|r| {
            let wrong_method = usize::from(method_name(r.spec.method) != method);
            (path_distance(r.spec.path, segments) * 2 + wrong_method, r)
        })
        .filter(|(d, _)| *d <= 2 * 4.max(length / 6) + 1)
        .min_by_key(|(d, _)| *d)
        .map(|(_, r)| r)
}

/// Edits between a template and a path, segment by segment; a placeholder costs
/// nothing against a non-empty segment, a missing or extra segment its length.
fn path_distance(template: &str, segments: &[&str]) -> usize {
    let template: Vec<&str> = template.split('/').collect();
    let common = template.len().min(segments.len());
    let mut total = 0;
    for (t, s) in template.iter().zip(segments) {
        total += match t.strip_prefix(':') {
            Some(_) if !s.is_empty() => 0,
            Some(name) => name.len(),
            None => distance(t, s),
        };
    }
    let extra = |rest: &[&str]| rest.iter().map(|s| s.len() + 1).sum::<usize>();
    total + extra(&template[common..]) + extra(&segments[common..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{EndpointSpec, Envelope, HostFamily};
    use crate::testing::table::Body;

    const fn route(id: &'static str, method: Method, path: &'static str) -> Route {
        Route {
            spec: EndpointSpec {
                id,
                method,
                host: HostFamily::Open,
                path,
                tokens: &[],
                idempotent: false,
                envelope: Envelope::Data,
                rate_limit_codes: &[],
            },
            query: &[],
            body: Body::None,
            example: "{}",
            errors: &[],
        }
    }

    static ROUTES: &[Route] = &[
        route(
            "a.v1.item.get",
            Method::Get,
            "/open-apis/a/v1/items/:item_id",
        ),
        route(
            "a.v1.item.batch",
            Method::Get,
            "/open-apis/a/v1/items/batch",
        ),
        route(
            "a.v1.item.patch",
            Method::Patch,
            "/open-apis/a/v1/items/:item_id",
        ),
        route(
            "b.v1.message.update",
            Method::Post,
            "/approval/openapi/v1/message/update",
        ),
    ];

    fn id(method: &str, path: &str) -> Result<&'static str, String> {
        let routes: Vec<&'static Route> = ROUTES.iter().collect();
        find(&routes, method, path).map(|r| r.spec.id)
    }

    #[test]
    fn templates_match_one_segment_per_placeholder_and_literals_win() {
        assert_eq!(id("GET", "/open-apis/a/v1/items/42"), Ok("a.v1.item.get"));
        assert_eq!(
            id("GET", "/open-apis/a/v1/items/batch"),
            Ok("a.v1.item.batch")
        );
        assert_eq!(
            id("PATCH", "/open-apis/a/v1/items/42"),
            Ok("a.v1.item.patch")
        );
        assert_eq!(
            id("POST", "/approval/openapi/v1/message/update"),
            Ok("b.v1.message.update")
        );
        assert!(id("GET", "/open-apis/a/v1/items/").is_err());
        assert!(id("GET", "/open-apis/a/v1/items/42/x").is_err());
    }

    #[test]
    fn a_miss_names_the_nearest_endpoint() {
        assert_eq!(
            id("POST", "/open-apis/a/v1/items/42").unwrap_err(),
            "no endpoint POST /open-apis/a/v1/items/42; did you mean GET /open-apis/a/v1/items/:item_id (a.v1.item.get)?"
        );
        assert_eq!(
            id("POST", "/approval/openapi/v1/mesage/update").unwrap_err(),
            "no endpoint POST /approval/openapi/v1/mesage/update; did you mean POST /approval/openapi/v1/message/update (b.v1.message.update)?"
        );
        assert_eq!(
            id("GET", "/nothing/like/it").unwrap_err(),
            "no endpoint GET /nothing/like/it"
        );
        let long = format!("/{}", "x/".repeat(10_000));
        assert!(id("GET", &long).unwrap_err().len() < 300);
    }
}
