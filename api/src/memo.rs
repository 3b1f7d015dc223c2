//! A bounded memory of values by the exact text they were made from (a token, a document):
//! read under a shared lock, and started afresh when full rather than tracking what was used
//! least — what front ends send all day is back in it after one request.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

/// Values by text: at most `max_entries` of them, from texts of at most `max_len` bytes.
#[derive(Debug)]
pub struct Memo<V> {
    max_entries: usize,
    max_len: usize,
    values: RwLock<HashMap<Box<str>, V>>,
}

impl<V: Clone> Memo<V> {
    /// An empty memory.
    #[must_use]
    pub fn new(max_entries: usize, max_len: usize) -> Self {
        Self {
            max_entries,
            max_len,
            values: RwLock::new(HashMap::new()),
        }
    }

    /// The value kept for `text`.
    pub fn get(&self, text: &str) -> Option<V> {
        self.values
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(text)
            .cloned()
    }

    /// Keeps `value` for `text`, unless the text is too long to keep.
    pub fn keep(&self, text: &str, value: V) {
        if text.len() > self.max_len {
            return;
        }
        let mut values = self.values.write().unwrap_or_else(PoisonError::into_inner);
        if values.len() >= self.max_entries {
            values.clear();
        }
        values.insert(text.into(), value);
    }

    /// How many values are kept.
    pub fn len(&self) -> usize {
        self.values
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// True when nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_by_exact_text_within_its_bounds() {
        let memo = Memo::new(2, 3);
        memo.keep("a", 1);
        assert_eq!(memo.get("a"), Some(1));
        assert_eq!(memo.get("A"), None);
        memo.keep("long", 2);
        assert_eq!(memo.get("long"), None, "texts over the length are not kept");
        memo.keep("b", 2);
        memo.keep("c", 3);
        assert_eq!(memo.len(), 1, "full, it started afresh");
        assert_eq!(memo.get("c"), Some(3));
    }
}
