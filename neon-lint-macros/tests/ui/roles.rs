// The role forms, each given the other kind of host.
use neon_lint_macros::neon_url;

fn main() {
    // Migrations through the pooler: NL020 pooled-migration-url, as the CLI reports it.
    let _ = neon_url!(direct, "postgresql://alex@ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require");
    // Serverless application code on the direct host.
    let _ = neon_url!(pooled, "postgresql://alex@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb?sslmode=require");
    let _ = neon_url!(pooled, "host=ep-cool-rain-123456.c-2.us-east-2.aws.neon.tech dbname=neondb sslmode=require");
}
