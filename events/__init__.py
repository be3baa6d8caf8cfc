"""The event contract of the hub: every event type, value types, and how events are stored."""
