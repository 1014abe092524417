//! TODO(skeleton): module `indicators` is being written; see the open issues.
