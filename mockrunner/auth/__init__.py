"""Who is calling (SigV4 authentication) and may they (authorization through the policy engine)."""
