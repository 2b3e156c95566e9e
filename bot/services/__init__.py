"""Unit-of-work functions over a database session: schools, members, invites, owners, plans,
progress, the outbox, the digest, evidence files. No Telegram, no rendering."""
