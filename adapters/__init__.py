"""The edges of the hub: Kafka relay and consumers, inbound referral channels, webhooks."""
