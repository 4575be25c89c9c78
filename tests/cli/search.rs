//! Tests for this feature live here (see the open issue).
