//! TODO(skeleton): module `cleaning` is being written; see the open issues.
