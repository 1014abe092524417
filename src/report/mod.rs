//! TODO(skeleton): module `report` is being written; see the open issues.
