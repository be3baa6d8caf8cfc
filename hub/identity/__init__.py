"""Identity: people sign in through OpenID providers, agency systems exchange signed assertions for tokens."""
