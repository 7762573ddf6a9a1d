//! Which sockets belong to which learner, and delivery to them that never
//! waits: each socket has a bounded queue, and a socket whose queue is full
//! has stopped reading, so it is dropped rather than allowed to hold up others.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, Notify};
use uuid::Uuid;

use crate::metrics::Metrics;

/// What a socket task is told to send.
#[derive(Debug, Clone)]
pub enum Outgoing {
    Text(Arc<str>),
}

struct Client {
    id: u64,
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

pub struct Registry {
    clients: Mutex<HashMap<Uuid, Vec<Client>>>,
    next_id: AtomicU64,
    buffer: usize,
    /// Sockets one learner may hold at once (tabs).
    per_learner: usize,
    metrics: Arc<Metrics>,
}

impl Registry {
    pub fn new(buffer: usize, per_learner: usize, metrics: Arc<Metrics>) -> Self {
        Self {
            clients: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            buffer,
            per_learner,
            metrics,
        }
    }

    /// Whether `user` may open another socket.
    pub fn has_room(&self, user: Uuid) -> bool {
        let clients = self.clients.lock().expect("registry lock");
        clients.get(&user).map_or(0, Vec::len) < self.per_learner
    }

    /// Registers a socket of `user`; None when the learner holds as many
    /// as one may.
    pub fn register(&self, user: Uuid) -> Option<Registration> {
        let (tx, rx) = mpsc::channel(self.buffer);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let kicked = Arc::new(Notify::new());
        let mut clients = self.clients.lock().expect("registry lock");
        let list = clients.entry(user).or_default();
        if list.len() >= self.per_learner {
            return None;
        }
        list.push(Client {
            id,
            tx,
            kicked: kicked.clone(),
        });
        self.metrics.connections.inc();
        Some(Registration { id, rx, kicked })
    }

    /// Removes a socket; safe to call for one already dropped.
    pub fn unregister(&self, user: Uuid, id: u64) {
        let mut clients = self.clients.lock().expect("registry lock");
        if let Some(list) = clients.get_mut(&user) {
            let before = list.len();
            list.retain(|c| c.id != id);
            if list.len() < before {
                self.metrics.connections.dec();
            }
            if list.is_empty() {
                clients.remove(&user);
            }
        }
    }

    /// Queues `message` to every socket of `user`; returns how many got it.
    pub fn deliver(&self, user: Uuid, message: Arc<str>) -> usize {
        let mut clients = self.clients.lock().expect("registry lock");
        let Some(list) = clients.get_mut(&user) else {
            return 0;
        };
        let delivered = self.offer(list, &Outgoing::Text(message));
        if list.is_empty() {
            clients.remove(&user);
        }
        delivered
    }

    /// Queues `message` to every socket (the reconnect notice).
    pub fn broadcast(&self, message: Arc<str>) -> usize {
        let mut clients = self.clients.lock().expect("registry lock");
        let outgoing = Outgoing::Text(message);
        let delivered = clients
            .values_mut()
            .map(|list| self.offer(list, &outgoing))
            .sum();
        clients.retain(|_, list| !list.is_empty());
        delivered
    }

    pub fn len(&self) -> usize {
        self.clients
            .lock()
            .expect("registry lock")
            .values()
            .map(Vec::len)
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// try_send to each; a full or closed queue removes that socket.
    fn offer(&self, list: &mut Vec<Client>, outgoing: &Outgoing) -> usize {
        let mut delivered = 0;
        list.retain(|c| match c.tx.try_send(outgoing.clone()) {
            Ok(()) => {
                delivered += 1;
                true
            }
            Err(mpsc::error::TrySendError::Full(_)) => {
                c.kicked.notify_one();
                self.metrics.dropped_slow.inc();
                self.metrics.connections.dec();
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                self.metrics.connections.dec();
                false
            }
        });
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
        let mut a1 = r.register(alice).unwrap();
        let mut a2 = r.register(alice).unwrap();
        let mut b = r.register(bob).unwrap();

        assert_eq!(r.deliver(alice, "for alice".into()), 2);

        assert!(matches!(a1.rx.try_recv(), Ok(Outgoing::Text(t)) if &*t == "for alice"));
        assert!(matches!(a2.rx.try_recv(), Ok(Outgoing::Text(t)) if &*t == "for alice"));
        assert!(b.rx.try_recv().is_err());
    }

    #[test]
    fn a_socket_whose_queue_is_full_is_dropped_and_the_others_still_get_theirs() {
        let r = registry(2);
        let user = Uuid::new_v4();
        let slow = r.register(user).unwrap();
        let mut fast = r.register(user).unwrap();
        for i in 0..2 {
            r.deliver(user, format!("m{i}").into());
            fast.rx.try_recv().unwrap();
        }

        let delivered = r.deliver(user, "m2".into());

        assert_eq!(delivered, 1, "only the fast socket takes it");
        assert_eq!(r.len(), 1);
        assert_eq!(r.metrics.dropped_slow.get(), 1);
        drop(slow);
        assert!(matches!(fast.rx.try_recv(), Ok(Outgoing::Text(t)) if &*t == "m2"));
    }

    #[test]
    fn a_learner_holds_at_most_its_share_of_sockets() {
        let r = registry(2);
        let user = Uuid::new_v4();
        let held: Vec<_> = (0..3).map(|_| r.register(user).unwrap()).collect();
        assert!(!r.has_room(user));
        assert!(r.register(user).is_none());
        r.unregister(user, held[0].id);
        assert!(r.has_room(user));
        assert!(r.register(user).is_some());
    }

    #[test]
    fn unregistering_keeps_the_count_right() {
        let r = registry(2);
        let user = Uuid::new_v4();
        let reg = r.register(user).unwrap();
        r.unregister(user, reg.id);
        r.unregister(user, reg.id);
        assert!(r.is_empty());
        assert_eq!(r.metrics.connections.get(), 0);
    }
}
