//! TODO(skeleton): module `sources` is being written; see the open issues.
