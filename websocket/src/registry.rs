//! Which sockets follow which topic, and delivery to them that never waits:
//! each socket has a bounded queue, and a socket whose queue is full has
//! stopped reading, so it is dropped rather than allowed to hold up others.
//!
//! A topic is one learner's own events or one course's (its staff's live
//! class view). Sockets are counted per holder, the learner or the member of
//! staff whose token opened them, so one person's tabs are bounded.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, Notify};
use uuid::Uuid;

use crate::metrics::Metrics;

/// What a socket follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    /// One learner's own submissions.
    Learner(Uuid),
    /// Every submission of one course, for its staff.
    Course(i32),
}

/// What a socket task is told to send.
#[derive(Debug, Clone)]
pub enum Outgoing {
    Text(Arc<str>),
}

struct Client {
    id: u64,
    holder: Uuid,
    tx: mpsc::Sender<Outgoing>,
    /// Fired when the socket is dropped from outside (too slow).
    kicked: Arc<Notify>,
}

/// A socket's side of its registration.
pub struct Registration {
    pub id: u64,
    pub rx: mpsc::Receiver<Outgoing>,
    pub kicked: Arc<Notify>,
}

#[derive(Default)]
struct Sockets {
    by_topic: HashMap<Topic, Vec<Client>>,
    /// Open sockets per holder.
    held: HashMap<Uuid, usize>,
}

/// One socket of `holder` fewer.
fn release(held: &mut HashMap<Uuid, usize>, holder: Uuid) {
    if let Some(n) = held.get_mut(&holder) {
        *n -= 1;
        if *n == 0 {
            held.remove(&holder);
        }
    }
}

pub struct Registry {
    sockets: Mutex<Sockets>,
    next_id: AtomicU64,
    buffer: usize,
    /// Sockets one holder may have open at once (tabs).
    per_holder: usize,
    metrics: Arc<Metrics>,
}

impl Registry {
    pub fn new(buffer: usize, per_holder: usize, metrics: Arc<Metrics>) -> Self {
        Self {
            sockets: Mutex::new(Sockets::default()),
            next_id: AtomicU64::new(1),
            buffer,
            per_holder,
            metrics,
        }
    }

    /// Whether `holder` may open another socket.
    pub fn has_room(&self, holder: Uuid) -> bool {
        let sockets = self.sockets.lock().expect("registry lock");
        sockets.held.get(&holder).copied().unwrap_or(0) < self.per_holder
    }

    /// Registers a socket of `holder` following `topic`; None when the
    /// holder has as many open as one may.
    pub fn register(&self, topic: Topic, holder: Uuid) -> Option<Registration> {
        let (tx, rx) = mpsc::channel(self.buffer);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let kicked = Arc::new(Notify::new());
        let mut sockets = self.sockets.lock().expect("registry lock");
        let held = sockets.held.entry(holder).or_default();
        if *held >= self.per_holder {
            return None;
        }
        *held += 1;
        sockets.by_topic.entry(topic).or_default().push(Client {
            id,
            holder,
            tx,
            kicked: kicked.clone(),
        });
        self.metrics.connections.inc();
        Some(Registration { id, rx, kicked })
    }

    /// Removes a socket; safe to call for one already dropped.
    pub fn unregister(&self, topic: Topic, id: u64) {
        let mut sockets = self.sockets.lock().expect("registry lock");
        let Some(list) = sockets.by_topic.get_mut(&topic) else {
            return;
        };
        let Some(at) = list.iter().position(|c| c.id == id) else {
            return;
        };
        let gone = list.swap_remove(at);
        if list.is_empty() {
            sockets.by_topic.remove(&topic);
        }
        release(&mut sockets.held, gone.holder);
        self.metrics.connections.dec();
    }

    /// Queues `message` to every socket following `topic`; returns how many got it.
    pub fn deliver(&self, topic: Topic, message: Arc<str>) -> usize {
        let mut sockets = self.sockets.lock().expect("registry lock");
        let Sockets { by_topic, held } = &mut *sockets;
        let Some(list) = by_topic.get_mut(&topic) else {
            return 0;
        };
        let delivered = self.offer(list, &Outgoing::Text(message), held);
        if list.is_empty() {
            by_topic.remove(&topic);
        }
        delivered
    }

    /// Queues `message` to every socket (the reconnect notice).
    pub fn broadcast(&self, message: Arc<str>) -> usize {
        let mut sockets = self.sockets.lock().expect("registry lock");
        let Sockets { by_topic, held } = &mut *sockets;
        let outgoing = Outgoing::Text(message);
        let delivered = by_topic
            .values_mut()
            .map(|list| self.offer(list, &outgoing, held))
            .sum();
        by_topic.retain(|_, list| !list.is_empty());
        delivered
    }

    pub fn len(&self) -> usize {
        self.sockets
            .lock()
            .expect("registry lock")
            .by_topic
            .values()
            .map(Vec::len)
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// try_send to each; a full or closed queue removes that socket.
    fn offer(
        &self,
        list: &mut Vec<Client>,
        outgoing: &Outgoing,
        held: &mut HashMap<Uuid, usize>,
    ) -> usize {
        let mut delivered = 0;
        let mut gone = Vec::new();
        list.retain(|c| match c.tx.try_send(outgoing.clone()) {
            Ok(()) => {
                delivered += 1;
                true
            }
            Err(mpsc::error::TrySendError::Full(_)) => {
                c.kicked.notify_one();
                self.metrics.dropped_slow.inc();
                gone.push(c.holder);
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                gone.push(c.holder);
                false
            }
        });
        for holder in gone {
            self.metrics.connections.dec();
            release(held, holder);
        }
        self.metrics.delivered.inc_by(delivered as u64);
        delivered
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry(buffer: usize) -> Registry {
        Registry::new(buffer, 3, Arc::new(Metrics::default()))
    }

    #[test]
    fn messages_go_only_to_their_learners_sockets() {
        let r = registry(4);
        let (alice, bob) = (Uuid::new_v4(), Uuid::new_v4());
        let mut a1 = r.register(Topic::Learner(alice), alice).unwrap();
        let mut a2 = r.register(Topic::Learner(alice), alice).unwrap();
        let mut b = r.register(Topic::Learner(bob), bob).unwrap();

        assert_eq!(r.deliver(Topic::Learner(alice), "for alice".into()), 2);

        assert!(matches!(a1.rx.try_recv(), Ok(Outgoing::Text(t)) if &*t == "for alice"));
        assert!(matches!(a2.rx.try_recv(), Ok(Outgoing::Text(t)) if &*t == "for alice"));
        assert!(b.rx.try_recv().is_err());
    }

    #[test]
    fn a_socket_whose_queue_is_full_is_dropped_and_the_others_still_get_theirs() {
        let r = registry(2);
        let user = Uuid::new_v4();
        let topic = Topic::Learner(user);
        let slow = r.register(topic, user).unwrap();
        let mut fast = r.register(topic, user).unwrap();
        for i in 0..2 {
            r.deliver(topic, format!("m{i}").into());
            fast.rx.try_recv().unwrap();
        }

        let delivered = r.deliver(topic, "m2".into());

        assert_eq!(delivered, 1, "only the fast socket takes it");
        assert_eq!(r.len(), 1);
        assert_eq!(r.metrics.dropped_slow.get(), 1);
        assert!(r.has_room(user), "the dropped socket is no longer counted");
        drop(slow);
        assert!(matches!(fast.rx.try_recv(), Ok(Outgoing::Text(t)) if &*t == "m2"));
    }

    #[test]
    fn a_learner_holds_at_most_its_share_of_sockets() {
        let r = registry(2);
        let user = Uuid::new_v4();
        let topic = Topic::Learner(user);
        let held: Vec<_> = (0..3).map(|_| r.register(topic, user).unwrap()).collect();
        assert!(!r.has_room(user));
        assert!(r.register(topic, user).is_none());
        r.unregister(topic, held[0].id);
        assert!(r.has_room(user));
        assert!(r.register(topic, user).is_some());
    }

    #[test]
    fn unregistering_keeps_the_count_right() {
        let r = registry(2);
        let user = Uuid::new_v4();
        let reg = r.register(Topic::Learner(user), user).unwrap();
        r.unregister(Topic::Learner(user), reg.id);
        r.unregister(Topic::Learner(user), reg.id);
        assert!(r.is_empty());
        assert_eq!(r.metrics.connections.get(), 0);
    }

    #[test]
    fn a_course_topic_reaches_its_staff_and_no_learner() {
        let r = registry(4);
        let (tutor, other_staff, learner) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let mut staff = r.register(Topic::Course(1), tutor).unwrap();
        let mut elsewhere = r.register(Topic::Course(2), other_staff).unwrap();
        let mut own = r.register(Topic::Learner(learner), learner).unwrap();

        assert_eq!(r.deliver(Topic::Course(1), "class".into()), 1);

        assert!(matches!(staff.rx.try_recv(), Ok(Outgoing::Text(t)) if &*t == "class"));
        assert!(elsewhere.rx.try_recv().is_err());
        assert!(own.rx.try_recv().is_err());
    }

    #[test]
    fn the_share_is_counted_per_holder_across_topics() {
        let r = registry(2);
        let tutor = Uuid::new_v4();
        let _held: Vec<_> = (0..3)
            .map(|_| r.register(Topic::Course(1), tutor).unwrap())
            .collect();
        assert!(r.register(Topic::Course(1), tutor).is_none());
        assert!(r.register(Topic::Learner(tutor), tutor).is_none());
    }
}
