"""Citizens: a person signs in with a citizen's identity and sees only their own access report and data."""
