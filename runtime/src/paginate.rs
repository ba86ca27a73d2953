//! A `Stream` of items over every page of a list endpoint.

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, RandomState};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::{Stream, StreamExt, TryStreamExt, stream};

use crate::client::{Client, PageLimits};
use crate::error::{Error, PaginationError, PaginationStop};
use crate::spec::EndpointSpec;

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

/// Every item of every page of a list endpoint, fetched page by page as it is read.
///
/// Read it with its own methods, no other crate or pinning needed:
/// `while let Some(item) = items.try_next().await? { ... }`. It is also a
/// [`Stream`], for the combinators of `futures`.
#[must_use = "a stream fetches nothing until it is read"]
pub struct Items<'a, T, E> {
    inner: Pin<Box<dyn Stream<Item = Result<T, E>> + Send + 'a>>,
}

impl<T, E> Items<'_, T, E> {
    /// The next item; `None` after the last one (or after an error, which ends it).
    pub async fn next(&mut self) -> Option<Result<T, E>> {
        StreamExt::next(&mut self.inner).await
    }

    /// The next item, `Ok(None)` after the last one; `?` stops at the first error.
    pub async fn try_next(&mut self) -> Result<Option<T>, E> {
        TryStreamExt::try_next(&mut self.inner).await
    }

    /// Every remaining item, or the first error.
    pub async fn try_collect(self) -> Result<Vec<T>, E> {
        TryStreamExt::try_collect(self.inner).await
    }
}

impl<T, E> Stream for Items<'_, T, E> {
    type Item = Result<T, E>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl<T, E> fmt::Debug for Items<'_, T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items").finish_non_exhaustive()
    }
}

struct State<B, F, P> {
    request: B,
    fetch: F,
    page: P,
    endpoint: &'static str,
    limits: PageLimits,
    token: Option<String>,
    /// Hashes of the tokens given so far (keyed per stream, so a server cannot craft
    /// collisions): a few bytes a page whatever the tokens' length.
    seen: HashSet<u64>,
    hasher: RandomState,
    pages: u32,
    empty_in_a_row: u32,
    done: bool,
}

/// Follows `page_token` from the first page until `has_more` is false. A server that
/// never says it is done cannot keep the stream going: a repeated token, a missing
/// token while claiming more, too many empty pages in a row, or the client's page limit
/// (`ClientBuilder::max_pages`) end the stream with [`Error::Pagination`] after the
/// items already received. The first error ends the stream after being yielded.
pub fn paginate<'a, B, R, T, C, F, Fut, P>(
    client: &Client,
    spec: &'static EndpointSpec,
    request: B,
    fetch: F,
    page: P,
) -> Items<'a, T, Error<C>>
where
    B: Clone + Send + 'a,
    F: Fn(B, Option<String>) -> Fut + Send + 'a,
    Fut: Future<Output = Result<R, Error<C>>> + Send + 'a,
    P: Fn(R) -> Page<T> + Send + 'a,
    T: Send + 'a,
    C: Send + 'a,
    R: 'a,
{
    let state = State {
        request,
        fetch,
        page,
        endpoint: spec.id,
        limits: client.inner.pages,
        token: None,
        seen: HashSet::new(),
        hasher: RandomState::new(),
        pages: 0,
        empty_in_a_row: 0,
        done: false,
    };
    let items = stream::unfold(state, |mut st| async move {
        if st.done {
            return None;
        }
        st.pages += 1;
        let mut out = Vec::new();
        match (st.fetch)(st.request.clone(), st.token.take()).await {
            Err(e) => {
                st.done = true;
                out.push(Err(e));
            }
            Ok(response) => {
                let page = (st.page)(response);
                let stop = st.follow(&page);
                out.extend(page.items.into_iter().map(Ok));
                if let Some(reason) = stop {
                    let error = PaginationError {
                        endpoint: st.endpoint,
                        pages: st.pages,
                        reason,
                    };
                    tracing::warn!(error = %error, "list stream stopped early");
                    out.push(Err(Error::Pagination(error)));
                }
            }
        }
        Some((stream::iter(out), st))
    })
    .flatten();
    Items {
        inner: Box::pin(items),
    }
}

impl<B, F, P> State<B, F, P> {
    /// Sets up the next page after `page`, or says why the stream must stop early.
    /// Marks the stream done either way when no page follows.
    fn follow<T>(&mut self, page: &Page<T>) -> Option<PaginationStop> {
        if !page.has_more {
            self.done = true;
            return None;
        }
        self.done = true;
        self.empty_in_a_row = if page.items.is_empty() {
            self.empty_in_a_row + 1
        } else {
            0
        };
        let next = page.next.as_deref().filter(|t| !t.is_empty());
        match next {
            None => Some(PaginationStop::MissingToken),
            Some(t) if self.seen.contains(&self.hasher.hash_one(t)) => {
                Some(PaginationStop::RepeatedToken)
            }
            Some(_) if self.empty_in_a_row >= self.limits.max_empty => {
                Some(PaginationStop::EmptyPages(self.empty_in_a_row))
            }
            Some(_) if self.pages >= self.limits.max_pages => {
                Some(PaginationStop::PageLimit(self.limits.max_pages))
            }
            Some(t) => {
                self.seen.insert(self.hasher.hash_one(t));
                self.token = Some(t.to_owned());
                self.done = false;
                None
            }
        }
    }
}
