//! neon_url!: compile-time validation of Neon connection strings.
