package paycoolssql

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
)

// LedgerDDL creates the Ledger table (default name paycools_intents, {T} below; {BLOB} is
// BYTEA in PostgreSQL, BLOB in SQLite; {SEQ} is ",\n\tseq BIGSERIAL" in PostgreSQL and nothing
// in SQLite, whose rowid plays its part). Times are Unix milliseconds. app_id is the merchant
// application whose client wrote the intent (paycools.Intent.AppID), the first column of every
// index: tenants sharing the table never see each other's orders. The partial unique index
// {T}_app_order is what refuses a second open or created intent for one order of one
// application, atomically across processes (a late intent, an absent one PayCools made after
// all, is outside it: the order may have been recorded again since); seq (rowid) is the write
// order, which breaks ties between intents of one millisecond; sent_by is
// paycools.Intent.SentBy. The indexes of Intents ({T}_app_intents) and Books ({T}_app_books)
// follow.
const LedgerDDL = `CREATE TABLE IF NOT EXISTS {T} (
	id             TEXT PRIMARY KEY,
	app_id         TEXT NOT NULL,
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
CREATE UNIQUE INDEX IF NOT EXISTS {T}_app_order ON {T} (app_id, operation, mch_order_id) WHERE state IN ('pending', 'unknown', 'created');
CREATE INDEX IF NOT EXISTS {T}_app_intents ON {T} (app_id, operation, mch_order_id);
CREATE INDEX IF NOT EXISTS {T}_app_books ON {T} (app_id, created_at) WHERE state IN ('created', 'late')`

// ledgerAppMigration moves a ledger table made before app ids to the app-scoped indexes, once
// it has the app_id column: the unique index of an order per application is built before the
// one for all applications is dropped, so that no moment is without one; the claim indexes
// are replaced by ledgerUnsettledIndex's.
const ledgerAppMigration = `DROP INDEX IF EXISTS {T}_order;
DROP INDEX IF EXISTS {T}_open;
DROP INDEX IF EXISTS {T}_unsettled_order;
DROP INDEX IF EXISTS {T}_open_order`

// ledgerSeqMigration adds seq to a PostgreSQL ledger table made by an earlier version.
const ledgerSeqMigration = `ALTER TABLE {T} ADD COLUMN IF NOT EXISTS seq BIGSERIAL`

// ledgerSentByColumn declares the sent_by column that a ledger table made by an earlier version
// gains (PostgreSQL with ADD COLUMN IF NOT EXISTS; SQLite after a look at table_info). Rows
// written before it have 0: Recover then counts the settle time from updated_at.
const ledgerSentByColumn = `BIGINT NOT NULL DEFAULT 0`

// ledgerFinalColumns declare the columns of an order's final state (paycools.Intent's
// FinalStatus, FinalAmount, FinalAt) that a ledger table made by an earlier version gains.
var ledgerFinalColumns = [...]struct{ name, decl string }{
	{"final_status", `TEXT NOT NULL DEFAULT ''`},
	{"final_amount", `BIGINT NOT NULL DEFAULT 0`},
	{"final_at", `BIGINT NOT NULL DEFAULT 0`},
}

// ledgerUnsettledIndex serves ClaimUnsettled (and its second index ClaimOpen), per
// application (app_id leads both): its rows are
// the created orders whose final state is not known yet (the open intents), so its cost
// follows them, not the table's history; in write order, so that a claim from the cursor of
// Client.Sync (Client.Recover) reads about as many rows as it claims ({UNSETTLED}
// is created_at, seq in PostgreSQL; created_at in SQLite, whose index entries end with the
// rowid).
const ledgerUnsettledIndex = `CREATE INDEX IF NOT EXISTS {T}_app_unsettled_order ON {T} (app_id, {UNSETTLED}) WHERE state IN ('created', 'late') AND final_status = '';
CREATE INDEX IF NOT EXISTS {T}_app_open_order ON {T} (app_id, {UNSETTLED}) WHERE state IN ('pending', 'unknown')`

const intentColumns = `id, app_id, operation, mch_order_id, idempotency_id, lookup_key, amount, param, state, transaction_id, detail, claim_token, claim_until, created_at, updated_at, sent_by`

// intentReadColumns are intentColumns and the final state, as scanIntents reads them.
const intentReadColumns = intentColumns + `, final_status, final_amount, final_at`

// Ledger is a paycools.Ledger in a PostgreSQL or SQLite table, shared by every process that
// moves money. Each method is one statement (Record reads once more only to word its error).
// Safe for concurrent use.
type Ledger struct {
	db        *sql.DB
	record    string
	openOf    string
	resolve   string
	claimOpen string
	intents   string
	unsettled string
	finalize  string
	unclaim   string
	daybook   ledgerBooks // the day's created intents, as books (Books)
}

// NewLedger returns the ledger on db, creating its table when it is missing and migrating one
// made by an earlier version (the columns and app-scoped indexes it lacks are added; rows
// written before app ids get an empty app_id, which WithLegacyAppID gives to their application;
// without it, such rows make the call fail with ErrLegacyRows). Give it to the client with
// paycools.WithLedger, and run Client.Recover at start-up. On SQLite it fails wrapping
// ErrNoBusyTimeout when the connection has no busy timeout.
func NewLedger(ctx context.Context, db *sql.DB, flavor Flavor, opts ...Option) (*Ledger, error) {
	cfg, err := newConfig(db, flavor, "paycools_intents", opts)
	if err != nil {
		return nil, err
	}
	if err := checkBusyTimeout(ctx, db, flavor); err != nil {
		return nil, err
	}
	// An old table gains app_id before LedgerDDL's indexes, which name it, are built.
	if err := createTable(ctx, db, flavor, cfg.table, firstStatement(LedgerDDL)); err != nil {
		return nil, err
	}
	if err := addColumn(ctx, db, flavor, cfg.table, "app_id", `TEXT NOT NULL DEFAULT ''`); err != nil {
		return nil, err
	}
	if err := createTable(ctx, db, flavor, cfg.table, LedgerDDL); err != nil {
		return nil, err
	}
	if flavor == Postgres { // tables made before seq existed gain it, numbered in their scan order
		if err := createTable(ctx, db, flavor, cfg.table, ledgerSeqMigration); err != nil {
			return nil, err
		}
	}
	if err := addColumn(ctx, db, flavor, cfg.table, "sent_by", ledgerSentByColumn); err != nil {
		return nil, err
	}
	for _, col := range ledgerFinalColumns {
		if err := addColumn(ctx, db, flavor, cfg.table, col.name, col.decl); err != nil {
			return nil, err
		}
	}
	unsettledIndex := strings.ReplaceAll(ledgerUnsettledIndex, "{UNSETTLED}", "created_at, seq")
	if flavor == SQLite {
		unsettledIndex = strings.ReplaceAll(ledgerUnsettledIndex, "{UNSETTLED}", "created_at")
	}
	if err := createTable(ctx, db, flavor, cfg.table, unsettledIndex); err != nil {
		return nil, err
	}
	if err := createTable(ctx, db, flavor, cfg.table, ledgerAppMigration); err != nil {
		return nil, err
	}
	if err := adoptLegacy(ctx, db, flavor, cfg, cfg.table, "", "", 0); err != nil {
		return nil, err
	}
	if err := refuseWritesWithoutApp(ctx, db, flavor, cfg.table); err != nil {
		return nil, err
	}
	st := func(s string) string { return statement(flavor, cfg.table, s) }
	return &Ledger{
		db:      db,
		daybook: newLedgerBooks(db, flavor, cfg),
		record: st(`INSERT INTO {T} (` + intentColumns + `) VALUES ($1, $14, $2, $3, $4, $5, $6, $7, $8, '', '', $9, $10, $11, $12, $13)
ON CONFLICT DO NOTHING`),
		openOf: st(`SELECT id, state FROM {T} WHERE app_id = $3 AND operation = $1 AND mch_order_id = $2 AND state IN ('pending', 'unknown', 'created')`),
		// An absent intent resolved as created becomes late ($6 = 1); an open one resolved as
		// late becomes created (only an absent intent can be late).
		resolve: st(`UPDATE {T} SET state = CASE WHEN state = 'absent' THEN 'late' WHEN CAST($2 AS TEXT) = 'late' THEN 'created' ELSE CAST($2 AS TEXT) END,
transaction_id = $3, detail = $4, updated_at = $5, claim_token = '', claim_until = 0,
sent_by = CASE WHEN CAST($7 AS BIGINT) = 0 THEN sent_by ELSE CAST($7 AS BIGINT) END
WHERE id = $1 AND (state IN ('pending', 'unknown') OR (state = 'absent' AND $6 = 1))`),
		claimOpen: st(`UPDATE {T} SET claim_token = $1, claim_until = $2
WHERE id IN (SELECT id FROM {T} WHERE app_id = $6 AND state IN ('pending', 'unknown') AND claim_until <= $3 AND created_at >= $4 ORDER BY created_at, {SEQ_ORDER} LIMIT $5 FOR UPDATE SKIP LOCKED)
RETURNING ` + intentReadColumns + `, {SEQ_ORDER}`),
		intents: st(`SELECT ` + intentReadColumns + `, {SEQ_ORDER} FROM {T} WHERE app_id = $3 AND operation = $1 AND mch_order_id = $2 ORDER BY created_at, {SEQ_ORDER}`),
		unsettled: st(`UPDATE {T} SET claim_token = $1, claim_until = $2
WHERE id IN (SELECT id FROM {T} WHERE app_id = $7 AND state IN ('created', 'late') AND final_status = '' AND claim_until <= $3 AND created_at >= $4 AND created_at <= $5 ORDER BY created_at, {SEQ_ORDER} LIMIT $6 FOR UPDATE SKIP LOCKED)
RETURNING ` + intentReadColumns + `, {SEQ_ORDER}`),
		finalize: st(`UPDATE {T} SET final_status = $2, final_amount = $3, final_at = $4, updated_at = $4, claim_token = '', claim_until = 0
WHERE id = $1 AND state IN ('created', 'late') AND final_status = ''`),
		unclaim: st(`UPDATE {T} SET claim_token = '', claim_until = 0 WHERE id = $1 AND claim_token = $2`),
	}, nil
}

// ledgerNoAppTrigger refuses, in SQLite, an intent written without app_id: by a process of a
// version before app ids still running beside this one, whose intents no client would read
// (its order could then be created twice). PostgreSQL refuses it by the column's missing
// default.
const ledgerNoAppTrigger = `CREATE TRIGGER IF NOT EXISTS {T}_app_id_required BEFORE INSERT ON {T} FOR EACH ROW WHEN NEW.app_id = ''
BEGIN SELECT RAISE(ABORT, 'paycools: an intent without app_id: a process of a paycools-go version before app ids is still writing this ledger; stop it'); END`

// refuseWritesWithoutApp makes the ledger table refuse rows without app_id (see
// ledgerNoAppTrigger): a migrated PostgreSQL column loses the default it was added with.
func refuseWritesWithoutApp(ctx context.Context, db *sql.DB, f Flavor, table string) error {
	s := statement(f, table, ledgerNoAppTrigger)
	if f == Postgres {
		// Only a table that has the default is altered: ALTER TABLE locks the table, and
		// every replica runs this at start-up.
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema()
AND table_name = lower($1) AND column_name = 'app_id' AND column_default IS NOT NULL`, table).Scan(&n); err != nil {
			return fmt.Errorf("paycoolssql: %s: reading the app_id column: %w", table, err)
		}
		if n == 0 {
			return nil
		}
		s = statement(f, table, `ALTER TABLE {T} ALTER COLUMN app_id DROP DEFAULT`)
	}
	if _, err := db.ExecContext(ctx, s); err != nil {
		return fmt.Errorf("paycoolssql: %s: refusing intents without app_id: %w", table, err)
	}
	return nil
}

// Record writes a new open intent of in.AppID, or fails wrapping paycools.ErrIntentOpen when
// the application's order already has an open or created one. An intent without AppID is
// refused: no client would ever read it.
func (l *Ledger) Record(ctx context.Context, in *paycools.Intent) error {
	if in.AppID == "" {
		return fmt.Errorf("paycoolssql: record intent %s: AppID is empty (the client's appId)", in.ID)
	}
	param := in.Param
	if param == nil {
		param = []byte{}
	}
	res, err := l.db.ExecContext(ctx, l.record, in.ID, string(in.Operation), in.MchOrderID, in.IdempotencyID, in.LookupKey,
		int64(in.Amount), param, string(in.State), in.ClaimToken, millis(in.ClaimUntil), millis(in.CreatedAt), millis(in.UpdatedAt), millis(in.SentBy), in.AppID)
	if err != nil {
		return fmt.Errorf("paycoolssql: record intent: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("paycoolssql: record intent: %w", err)
	} else if n == 1 {
		return nil
	}
	var id, state string
	if err := l.db.QueryRowContext(ctx, l.openOf, string(in.Operation), in.MchOrderID, in.AppID).Scan(&id, &state); err != nil {
		return &paycools.IntentOpenError{Err: err}
	}
	return &paycools.IntentOpenError{IntentID: id, State: paycools.IntentState(state)}
}

// Resolve records the outcome of intent id and ends its claim; a final state stays (but absent
// resolved as created or late becomes late, whatever was recorded for the order since).
func (l *Ledger) Resolve(ctx context.Context, id string, r paycools.IntentResolution) error {
	created := 0
	if r.State == paycools.IntentCreated || r.State == paycools.IntentLate {
		created = 1
	}
	if _, err := l.db.ExecContext(ctx, l.resolve, id, string(r.State), r.TransactionID, r.Detail, millis(r.At), created, millis(r.SentBy)); err != nil {
		return fmt.Errorf("paycoolssql: resolve intent: %w", err)
	}
	return nil
}

// ClaimOpen claims up to limit open intents of appID whose claim ended by now, oldest first. In
// PostgreSQL the rows are locked with SKIP LOCKED, so concurrent Recovers split the work; in
// SQLite the statement holds the database's write lock.
func (l *Ledger) ClaimOpen(ctx context.Context, appID, token string, now, until, createdFrom time.Time, limit int) ([]paycools.Intent, error) {
	rows, err := l.db.QueryContext(ctx, l.claimOpen, token, millis(until), millis(now), millis(createdFrom), limit, appID)
	if err != nil {
		return nil, fmt.Errorf("paycoolssql: claim intents: %w", err)
	}
	out, err := scanIntents(rows)
	if err != nil {
		return nil, fmt.Errorf("paycoolssql: claim intents: %w", err)
	}
	return out, nil
}

// ClaimUnsettled claims up to limit created or late intents of appID without a final status, created
// from createdFrom to createdBy, whose claim ended by now, oldest first (SKIP LOCKED in
// PostgreSQL, as ClaimOpen).
func (l *Ledger) ClaimUnsettled(ctx context.Context, appID, token string, now, until, createdFrom, createdBy time.Time, limit int) ([]paycools.Intent, error) {
	rows, err := l.db.QueryContext(ctx, l.unsettled, token, millis(until), millis(now), millis(createdFrom), millis(createdBy), limit, appID)
	if err != nil {
		return nil, fmt.Errorf("paycoolssql: claim unsettled intents: %w", err)
	}
	out, err := scanIntents(rows)
	if err != nil {
		return nil, fmt.Errorf("paycoolssql: claim unsettled intents: %w", err)
	}
	return out, nil
}

// Finalize records the final state of the order of a created or late intent, once, and ends
// its claim.
func (l *Ledger) Finalize(ctx context.Context, id string, f paycools.OrderFinal) error {
	if _, err := l.db.ExecContext(ctx, l.finalize, id, f.Status, int64(f.Amount), millis(f.At)); err != nil {
		return fmt.Errorf("paycoolssql: finalize intent: %w", err)
	}
	return nil
}

// Unclaim ends the claim of token on intent id, if it still holds.
func (l *Ledger) Unclaim(ctx context.Context, id, token string) error {
	if _, err := l.db.ExecContext(ctx, l.unclaim, id, token); err != nil {
		return fmt.Errorf("paycoolssql: unclaim intent: %w", err)
	}
	return nil
}

// Intents returns every intent of appID's op for mchOrderID, oldest first.
func (l *Ledger) Intents(ctx context.Context, appID string, op paycools.Operation, mchOrderID string) ([]paycools.Intent, error) {
	rows, err := l.db.QueryContext(ctx, l.intents, string(op), mchOrderID, appID)
	if err != nil {
		return nil, fmt.Errorf("paycoolssql: intents: %w", err)
	}
	out, err := scanIntents(rows)
	if err != nil {
		return nil, fmt.Errorf("paycoolssql: intents: %w", err)
	}
	return out, nil
}

func scanIntents(rows *sql.Rows) ([]paycools.Intent, error) {
	defer rows.Close()
	var out []paycools.Intent
	var seqs []int64
	for rows.Next() {
		var in paycools.Intent
		var op, state string
		var amount, claimUntil, created, updated, sentBy, finalAmount, finalAt, seq int64
		if err := rows.Scan(&in.ID, &in.AppID, &op, &in.MchOrderID, &in.IdempotencyID, &in.LookupKey, &amount, &in.Param, &state,
			&in.TransactionID, &in.Detail, &in.ClaimToken, &claimUntil, &created, &updated, &sentBy,
			&in.FinalStatus, &finalAmount, &finalAt, &seq); err != nil {
			return nil, err
		}
		in.FinalAmount, in.FinalAt = paycools.Amount(finalAmount), fromMillis(finalAt)
		in.Operation, in.State, in.Amount = paycools.Operation(op), paycools.IntentState(state), paycools.Amount(amount)
		in.ClaimUntil, in.CreatedAt, in.UpdatedAt = fromMillis(claimUntil), fromMillis(created), fromMillis(updated)
		in.SentBy = fromMillis(sentBy)
		out = append(out, in)
		seqs = append(seqs, seq)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Oldest first, ties in write order: RETURNING gives no order, and the statements' ORDER BY
	// is not kept by every driver's RETURNING either.
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool {
		ia, ib := idx[a], idx[b]
		if !out[ia].CreatedAt.Equal(out[ib].CreatedAt) {
			return out[ia].CreatedAt.Before(out[ib].CreatedAt)
		}
		return seqs[ia] < seqs[ib]
	})
	sorted := make([]paycools.Intent, len(out))
	for i, j := range idx {
		sorted[i] = out[j]
	}
	return sorted, nil
}

var _ paycools.Ledger = (*Ledger)(nil)

// Books returns the ledger as the books of the merchant application appID (the client's
// paycools.Client.AppID; never another's rows) for paycools.Reconcile: the intents created
// on the day (yyyy-MM-dd, UTC+8 unless WithBusinessDay says otherwise) that PayCools holds (state created or late), payouts as payouts and
// web payments, checkout orders and direct-debit payments as collections, with their amounts.
// Each record carries the order's final status as the ledger holds it (see
// paycools.Intent.FinalStatus: recorded once a callback or Client.Sync had the merchant's
// code handle it), or PENDING while none is, so that Reconcile compares statuses too: an
// order PayCools completed that the merchant's code never handled shows as a status
// difference. Refunds are not on the statements and are left
// out. A role that may only read the table opens the same books with OpenLedgerBooks.
func (l *Ledger) Books(appID string) paycools.Books {
	b := l.daybook
	b.appID = appID
	return b
}
