//! A `Stream` of items over every page of a list endpoint.

use std::collections::HashSet;
use std::future::Future;

use futures_util::{Stream, StreamExt, stream};

/// One page as the generated code extracts it from a list response.
#[derive(Debug)]
pub struct Page<T> {
    /// The page's items.
    pub items: Vec<T>,
    /// Whether the server says more pages follow.
    pub has_more: bool,
    /// The token for the next page.
    pub next: Option<String>,
}

struct State<B, F, P> {
    request: B,
    fetch: F,
    page: P,
    token: Option<String>,
    seen: HashSet<String>,
    done: bool,
}

/// Follows `page_token` from `first` until `has_more` is false. Stops, rather than loop
/// forever, when the server hands back a token it already gave (or none while claiming
/// more). The first error ends the stream after being yielded.
pub fn paginate<'a, B, R, T, E, F, Fut, P>(
    request: B,
    fetch: F,
    page: P,
) -> impl Stream<Item = Result<T, E>> + 'a
where
    B: Clone + 'a,
    F: Fn(B, Option<String>) -> Fut + 'a,
    Fut: Future<Output = Result<R, E>> + 'a,
    P: Fn(R) -> Page<T> + 'a,
    T: 'a,
    E: 'a,
    R: 'a,
{
    let state = State {
        request,
        fetch,
        page,
        token: None,
        seen: HashSet::new(),
        done: false,
    };
    stream::unfold(state, |mut st| async move {
        if st.done {
            return None;
        }
        match (st.fetch)(st.request.clone(), st.token.take()).await {
            Err(e) => {
                st.done = true;
                Some((Err(e), st))
            }
            Ok(response) => {
                let page = (st.page)(response);
                match page.next.filter(|t| page.has_more && !t.is_empty()) {
                    Some(next) if st.seen.insert(next.clone()) => st.token = Some(next),
                    Some(next) => {
                        tracing::warn!(
                            token = next.as_str(),
                            "server repeated a page token; stopping"
                        );
                        st.done = true;
                    }
                    None => st.done = true,
                }
                Some((Ok(page.items), st))
            }
        }
    })
    .flat_map(|page| match page {
        Ok(items) => stream::iter(items.into_iter().map(Ok)).left_stream(),
        Err(e) => stream::once(async move { Err(e) }).right_stream(),
    })
}
