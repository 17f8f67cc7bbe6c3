"""Training nudges: lessons and tracks, scheduling, exactly-once delivery, feedback and concerns."""
