"""The log's integrity: RFC 6962 Merkle tree over stored records, proofs, and signed C2SP checkpoints."""
