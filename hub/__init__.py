"""The referral hub application: aggregates, commands, configuration, identity, HTTP API and CLI."""
