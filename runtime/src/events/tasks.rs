//! The handler tasks a delivery started, so that stopping it leaves none behind: a
//! handler still running at the acknowledgement deadline goes on in its own task, and
//! a graceful stop gives such tasks a grace period, then aborts them.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::{AbortHandle, JoinHandle};

use crate::auth::lock;

/// A set of running handler tasks. Cheap to clone; clones share the set. Each
/// delivery (the long connection, an HTTP server) keeps its own, so stopping one never
/// touches the handlers of another that shares the dispatcher.
#[derive(Clone, Default)]
pub struct HandlerTasks {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    live: AtomicUsize,
    /// Abort handles of the tasks started; finished ones are pruned as new ones come.
    handles: Mutex<Vec<AbortHandle>>,
    idle: Notify,
}

impl std::fmt::Debug for HandlerTasks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HandlerTasks")
            .field("running", &self.running())
            .finish()
    }
}

/// Counts a task as running until it ends, aborted or not (a dropped future drops it).
struct Live(Arc<Inner>);

impl Drop for Live {
    fn drop(&mut self) {
        if self.0.live.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

impl HandlerTasks {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many handler tasks are still running.
    pub fn running(&self) -> usize {
        self.inner.live.load(Ordering::Acquire)
    }

    /// Spawns `task` as a member of the set.
    pub(crate) fn spawn<F>(&self, task: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.inner.live.fetch_add(1, Ordering::AcqRel);
        let live = Live(Arc::clone(&self.inner));
        let handle = tokio::spawn(async move {
            let _live = live;
            task.await
        });
        let mut handles = lock(&self.inner.handles);
        handles.retain(|h| !h.is_finished());
        handles.push(handle.abort_handle());
        handle
    }

    /// Waits up to `grace` for every task to finish, then aborts the rest and waits for
    /// them to end. Returns how many were aborted.
    pub async fn shutdown(&self, grace: Duration) -> usize {
        if !self.idle_within(grace).await {
            let handles = std::mem::take(&mut *lock(&self.inner.handles));
            let aborted = self.running();
            for h in handles {
                h.abort();
            }
            // An aborted task ends at its next await point; a handler that blocks its
            // thread cannot be stopped, so this wait is bounded too.
            self.idle_within(Duration::from_secs(1)).await;
            return aborted;
        }
        0
    }

    /// Whether the set became empty within `bound`.
    async fn idle_within(&self, bound: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + bound;
        loop {
            let idle = self.inner.idle.notified();
            tokio::pin!(idle);
            // Registered before the count is read, so a task ending in between wakes it.
            idle.as_mut().enable();
            if self.running() == 0 {
                return true;
            }
            if tokio::time::timeout_at(deadline, idle).await.is_err() {
                return self.running() == 0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A runtime built by hand: the runtime crate's own features do not include tokio's
    // test macro.
    #[test]
    fn finished_tasks_leave_the_set_and_stuck_ones_are_aborted_after_the_grace() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(scenario());
    }

    async fn scenario() {
        let tasks = HandlerTasks::new();
        let quick = tasks.spawn(async { 1 });
        assert_eq!(quick.await.unwrap(), 1);
        assert_eq!(tasks.running(), 0);
        assert_eq!(tasks.shutdown(Duration::from_millis(10)).await, 0);

        let (_tx, rx) = tokio::sync::oneshot::channel::<()>();
        let stuck = tasks.spawn(async move {
            let _ = rx.await;
        });
        let slow = tasks.spawn(tokio::time::sleep(Duration::from_millis(20)));
        assert_eq!(tasks.running(), 2);
        let aborted = tasks.shutdown(Duration::from_millis(200)).await;
        assert_eq!(aborted, 1, "the slow one finished within the grace");
        assert_eq!(tasks.running(), 0);
        assert!(stuck.await.unwrap_err().is_cancelled());
        slow.await.unwrap();
    }
}
