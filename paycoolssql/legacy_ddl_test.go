package paycoolssql_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The tables as the versions before app ids made them, frozen here so that the migration
// tests open exactly what an upgrading merchant has ({T}, {BLOB} and {SEQ} as in the DDL
// constants).
const (
	v1LedgerDDL = `CREATE TABLE IF NOT EXISTS {T} (
	id             TEXT PRIMARY KEY,
	operation      TEXT NOT NULL,
	mch_order_id   TEXT NOT NULL,
	idempotency_id TEXT NOT NULL,
	lookup_key     TEXT NOT NULL,
	amount         BIGINT NOT NULL,
	param          {BLOB} NOT NULL,
	state          TEXT NOT NULL,
	transaction_id TEXT NOT NULL,
	detail         TEXT NOT NULL,
	claim_token    TEXT NOT NULL,
	claim_until    BIGINT NOT NULL,
	created_at     BIGINT NOT NULL,
	updated_at     BIGINT NOT NULL,
	sent_by        BIGINT NOT NULL DEFAULT 0{SEQ}
);
CREATE UNIQUE INDEX IF NOT EXISTS {T}_order ON {T} (operation, mch_order_id) WHERE state IN ('pending', 'unknown', 'created');
CREATE INDEX IF NOT EXISTS {T}_open ON {T} (claim_until, created_at) WHERE state IN ('pending', 'unknown')`

	v1StoreDDL = `CREATE TABLE IF NOT EXISTS {T} (
	event_key   TEXT PRIMARY KEY,
	state       TEXT NOT NULL,
	claim_token TEXT NOT NULL,
	expires_at  BIGINT NOT NULL,
	result      TEXT NOT NULL DEFAULT '',
	replay_token TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS {T}_expires ON {T} (expires_at)`

	v1InboxDDL = `CREATE TABLE IF NOT EXISTS {T} (
	event_key   TEXT PRIMARY KEY,
	event_name  TEXT NOT NULL,
	form        TEXT NOT NULL,
	body        {BLOB} NOT NULL,
	received_at BIGINT NOT NULL,
	updated_at  BIGINT NOT NULL,
	state       TEXT NOT NULL,
	attempts    BIGINT NOT NULL,
	last_error  TEXT NOT NULL,
	expires_at  BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS {T}_received ON {T} (received_at);
CREATE INDEX IF NOT EXISTS {T}_expires ON {T} (expires_at)`
)

// createOld runs one of the frozen DDLs for table in d's flavor (PostgreSQL's seq as the
// version that had it: a BIGSERIAL).
func createOld(ctx context.Context, t *testing.T, d testDB, ddl, table string) {
	t.Helper()
	blob, seq := "BYTEA", ",\n\tseq            BIGSERIAL"
	if d.flavor.String() == "sqlite" {
		blob, seq = "BLOB", ""
	}
	for _, s := range strings.Split(strings.NewReplacer("{T}", table, "{BLOB}", blob, "{SEQ}", seq).Replace(ddl), ";") {
		_, err := d.db.ExecContext(ctx, s)
		require.NoError(t, err)
	}
}
