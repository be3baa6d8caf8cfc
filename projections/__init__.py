"""Read models built by following the log; each tracks its position and can be dropped and rebuilt."""
