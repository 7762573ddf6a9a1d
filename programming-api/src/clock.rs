//! The time the API goes by. The system's, except in tests, which set it:
//! deadlines and token expiry are tested by passing the time in, never by
//! sleeping.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

#[derive(Clone, Default)]
pub struct Clock {
    fixed: Arc<Mutex<Option<DateTime<Utc>>>>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        let fixed = *self.fixed.lock().unwrap_or_else(|e| e.into_inner());
        fixed.unwrap_or_else(Utc::now)
    }

    /// From now on, the time is `at` (tests only).
    #[cfg(any(test, feature = "testing"))]
    pub fn set(&self, at: DateTime<Utc>) {
        *self.fixed.lock().unwrap_or_else(|e| e.into_inner()) = Some(at);
    }
}
