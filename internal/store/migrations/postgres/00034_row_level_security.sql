-- Tenant isolation by row-level security: a second wall behind the
-- store's own WHERE tenant_id = … (docs/SECURITY.md). Every table with a
-- tenant_id gets a policy that lets a transaction see and write only the
-- rows of the agency named by the transaction-local setting kluis.tenant,
-- or every agency's rows when it says 'all' (the store's acrossAgencies,
-- for work that spans agencies). Anything else, unset or empty included,
-- sees and writes nothing: the wall fails closed.
--
-- FORCE, because kluis connects as the tables' owner, whom the policies
-- would otherwise pass over. A superuser or a role with BYPASSRLS is never
-- held by them (kluis serve warns at start-up).
--
-- The agency id is read by kluis_tenant(), a stable function that gives
-- NULL (no rows) instead of an error for anything but a number. The policy
-- calls it and current_setting as scalar subqueries, so that each is
-- evaluated once per statement (an InitPlan), not once per row, and
-- tenant_id = (SELECT kluis_tenant()) is an ordinary indexable comparison.
-- The store's own queries always say tenant_id = $1 as well, which the
-- tenant indexes serve.
--
-- A limit of row-level security: a condition of the query's own that uses
-- a function PostgreSQL does not know to be leakproof (lower(), LIKE) is
-- no longer an index condition on these tables, only a filter after it,
-- since it may not see a row before the policy has passed it. See
-- docs/SECURITY.md.
--
-- PostgreSQL only: SQLite has no row-level security.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION kluis_tenant() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN current_setting('kluis.tenant', true) ~ '^[0-9]{1,18}$'
		THEN current_setting('kluis.tenant', true)::bigint END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY[
		'api_tokens', 'audit_heads', 'audit_log', 'branches', 'breach_candidates', 'breaches',
		'candidates', 'cleanup_run_items', 'cleanup_runs', 'client_contacts', 'clients',
		'consent_requests', 'consents', 'contact_moments', 'disclosures', 'documents',
		'erasure_files', 'erasures', 'legal_holds', 'login_challenges', 'outbox', 'payroll_records',
		'placements', 'portal_tokens', 'privacy_statements', 'recipient_notices', 'recovery_codes',
		'rectifications', 'request_letters', 'request_reminders', 'requests', 'restriction_overrides',
		'restrictions', 'sessions', 'sso_logins', 'statement_send_items', 'statement_sends',
		'supplementary_statements', 'tenant_settings', 'tenant_sso', 'users'
	] LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
		EXECUTE format($p$CREATE POLICY tenant ON %I
			USING (tenant_id = (SELECT kluis_tenant()) OR (SELECT current_setting('kluis.tenant', true) = 'all'))
			WITH CHECK (tenant_id = (SELECT kluis_tenant()) OR (SELECT current_setting('kluis.tenant', true) = 'all'))$p$, t);
	END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DO $$
DECLARE
	t text;
BEGIN
	FOR t IN SELECT tablename FROM pg_policies WHERE schemaname = current_schema() AND policyname = 'tenant' LOOP
		EXECUTE format('DROP POLICY tenant ON %I', t);
		EXECUTE format('ALTER TABLE %I NO FORCE ROW LEVEL SECURITY', t);
		EXECUTE format('ALTER TABLE %I DISABLE ROW LEVEL SECURITY', t);
	END LOOP;
END
$$;
-- +goose StatementEnd
DROP FUNCTION kluis_tenant();
