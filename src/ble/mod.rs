//! TODO(skeleton): module `ble` is being written; see the open issues.
