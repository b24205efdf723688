package paycoolssql

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"

	paycools "github.com/paycools-sdk/paycools-go"
)

// NotificationStoreDDL creates the NotificationStore table (default name
// paycools_notifications, {T} below) in both flavors. app_id is the merchant application the
// event belongs to (paycools.Client.AppID) and event_key its paycools.NotificationKey: the two
// are the primary key, so that tenants sharing the table never collide;
// state is "claimed" or "done"; claim_token is the claim's token (for a done entry, that of the
// claim that finished it); expires_at (Unix milliseconds) ends the claim's lease, or the done
// entry's retention; result is what Finish stored (a repayment question's decision). An entry
// past expires_at is taken by the next claim.
const NotificationStoreDDL = `CREATE TABLE IF NOT EXISTS {T} (
	app_id      TEXT NOT NULL,
	event_key   TEXT NOT NULL,
	state       TEXT NOT NULL,
	claim_token TEXT NOT NULL,
	expires_at  BIGINT NOT NULL,
	result      TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (app_id, event_key)
);
CREATE INDEX IF NOT EXISTS {T}_expires ON {T} (expires_at)`

// NotificationStore is a paycools.NotificationStore in a PostgreSQL or SQLite table, shared by
// every process that handles callbacks, of one merchant application or several. Claim, Renew,
// Finish and Release are one statement each, on the table's primary key (app id and event
// key): two deliveries of one event, on any replicas, never both get the claim, and a delivery
// whose claim was taken over can neither renew nor finish it. Safe for concurrent use.
type NotificationStore struct {
	db      *sql.DB
	cfg     *config
	claim   string
	renew   string
	finish  string
	release string
	sweep   string
	handled string
	claims  atomic.Uint64
	inbox   *inbox // nil without WithInbox
}

// sweepEvery is how many claims go between two deletions of expired entries.
const sweepEvery = 4096

// NewNotificationStore returns the store on db, creating its table when it is missing and
// migrating a table made by an earlier version: the result column is added, and a table
// without app_id is rebuilt with it in its primary key (its rows get an empty app_id, which
// WithLegacyAppID gives to their application; without it, live ones make the call fail with
// ErrLegacyRows). Give it to the client with
// paycools.WithNotificationStore. On SQLite it fails when the connection has no busy timeout
// (see the package documentation for the DSN).
func NewNotificationStore(ctx context.Context, db *sql.DB, flavor Flavor, opts ...Option) (*NotificationStore, error) {
	cfg, err := newConfig(db, flavor, "paycools_notifications", opts)
	if err != nil {
		return nil, err
	}
	if err := checkBusyTimeout(ctx, db, flavor); err != nil {
		return nil, err
	}
	if err := createTable(ctx, db, flavor, cfg.table, NotificationStoreDDL); err != nil {
		return nil, err
	}
	if err := addColumn(ctx, db, flavor, cfg.table, "result", "TEXT NOT NULL DEFAULT ''"); err != nil {
		return nil, err
	}
	if err := rekeyByApp(ctx, db, flavor, cfg.table, firstStatement(NotificationStoreDDL),
		[]string{"event_key", "state", "claim_token", "expires_at", "result"}, map[string]string{"replay_token": replayTokenColumn}); err != nil {
		return nil, err
	}
	if err := createTable(ctx, db, flavor, cfg.table, NotificationStoreDDL); err != nil { // the indexes a rebuilt table lost
		return nil, err
	}
	if err := adoptLegacy(ctx, db, flavor, cfg, cfg.table, "expires_at > $1", "expires_at <= $1", millis(cfg.now())); err != nil {
		return nil, err
	}
	s := &NotificationStore{db: db, cfg: cfg}
	// The claim always returns the row: the new claim when the entry was missing or expired,
	// else the entry as it stands (in flight or done), which it leaves unchanged.
	s.claim = statement(flavor, cfg.table, `INSERT INTO {T} (app_id, event_key, state, claim_token, expires_at, result) VALUES ($5, $1, 'claimed', $2, $3, '')
ON CONFLICT (app_id, event_key) DO UPDATE SET
	state = CASE WHEN {T}.expires_at <= $4 THEN 'claimed' ELSE {T}.state END,
	claim_token = CASE WHEN {T}.expires_at <= $4 THEN excluded.claim_token ELSE {T}.claim_token END,
	expires_at = CASE WHEN {T}.expires_at <= $4 THEN excluded.expires_at ELSE {T}.expires_at END,
	result = CASE WHEN {T}.expires_at <= $4 THEN '' ELSE {T}.result END
RETURNING state, claim_token, result`)
	s.renew = statement(flavor, cfg.table, `UPDATE {T} SET expires_at = $3 WHERE app_id = $4 AND event_key = $1 AND claim_token = $2 AND state = 'claimed'`)
	// Finish writes only over its own claim (or a missing row): a row of another token is
	// left alone, and no row is affected.
	s.finish = statement(flavor, cfg.table, `INSERT INTO {T} (app_id, event_key, state, claim_token, expires_at, result) VALUES ($5, $1, 'done', $2, $3, $4)
ON CONFLICT (app_id, event_key) DO UPDATE SET state = 'done', expires_at = excluded.expires_at, result = excluded.result
WHERE {T}.claim_token = excluded.claim_token`)
	s.release = statement(flavor, cfg.table, `DELETE FROM {T} WHERE app_id = $3 AND event_key = $1 AND claim_token = $2 AND state = 'claimed'`)
	s.sweep = statement(flavor, cfg.table, `DELETE FROM {T} WHERE expires_at <= $1`)
	s.handled = statement(flavor, cfg.table, `SELECT event_key FROM {T} WHERE app_id = $2 AND state = 'done' AND expires_at > $1 AND event_key LIKE '%:transactionId=%'`)
	if cfg.inbox {
		if s.inbox, err = newInbox(ctx, db, flavor, cfg); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Claim claims appID's key for the lease, or reports it in flight or done (with its result).
func (s *NotificationStore) Claim(ctx context.Context, appID, key string) (paycools.NotificationClaim, error) {
	now := s.cfg.now()
	token := newToken()
	var state, got, result string
	err := s.db.QueryRowContext(ctx, s.claim, key, token, millis(now.Add(s.cfg.lease)), millis(now), appID).Scan(&state, &got, &result)
	if err != nil {
		return paycools.NotificationClaim{}, fmt.Errorf("paycoolssql: claim: %w", err)
	}
	if s.claims.Add(1)%sweepEvery == 0 {
		_, _ = s.Sweep(ctx)
	}
	switch {
	case got == token:
		return paycools.NotificationClaim{State: paycools.NotificationStateNew, Token: token, Lease: s.cfg.lease}, nil
	case state == "done":
		return paycools.NotificationClaim{State: paycools.NotificationStateDone, Result: result}, nil
	default:
		return paycools.NotificationClaim{State: paycools.NotificationStateInFlight}, nil
	}
}

// Renew extends the claim of token on appID's key by the lease, from now, or fails wrapping
// paycools.ErrClaimLost when the claim is no longer token's.
func (s *NotificationStore) Renew(ctx context.Context, appID, key, token string) error {
	res, err := s.db.ExecContext(ctx, s.renew, key, token, millis(s.cfg.now().Add(s.cfg.lease)), appID)
	if err != nil {
		return fmt.Errorf("paycoolssql: renew: %w", err)
	}
	return claimHeld(res, "renew")
}

// Finish records appID's key as done, with result, for the retention, or fails wrapping
// paycools.ErrClaimLost when another delivery's claim or finish is in the way.
func (s *NotificationStore) Finish(ctx context.Context, appID, key, token, result string) error {
	res, err := s.db.ExecContext(ctx, s.finish, key, token, millis(s.cfg.now().Add(s.cfg.retention)), result, appID)
	if err != nil {
		return fmt.Errorf("paycoolssql: finish: %w", err)
	}
	return claimHeld(res, "finish")
}

// claimHeld turns a statement that affected no row into paycools.ErrClaimLost.
func claimHeld(res sql.Result, op string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("paycoolssql: %s: %w", op, err)
	}
	if n == 0 {
		return fmt.Errorf("paycoolssql: %s: %w", op, paycools.ErrClaimLost)
	}
	return nil
}

// Release gives the claim of token on appID's key back, if it still holds.
func (s *NotificationStore) Release(ctx context.Context, appID, key, token string) error {
	if _, err := s.db.ExecContext(ctx, s.release, key, token, appID); err != nil {
		return fmt.Errorf("paycoolssql: release: %w", err)
	}
	return nil
}

// Sweep deletes the expired entries (done events past the retention, claims past their lease,
// and with WithInbox the inbox's events past the retention) and returns how many. The store
// runs it by itself every few thousand claims; run it from a cron job instead if you prefer.
func (s *NotificationStore) Sweep(ctx context.Context) (int64, error) {
	now := millis(s.cfg.now())
	res, err := s.db.ExecContext(ctx, s.sweep, now)
	if err != nil {
		return 0, fmt.Errorf("paycoolssql: sweep: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil || s.inbox == nil {
		return n, err
	}
	res, err = s.db.ExecContext(ctx, s.inbox.sweep, now)
	if err != nil {
		return n, fmt.Errorf("paycoolssql: sweep: inbox: %w", err)
	}
	m, err := res.RowsAffected()
	return n + m, err
}

var _ paycools.NotificationStore = (*NotificationStore)(nil)

// HandledKeys returns the keys of appID's handled events the store remembers that name a
// transactionId (paycools.HandledKeyLister): Client.Sync lists the collections whose callback
// none of them names.
func (s *NotificationStore) HandledKeys(ctx context.Context, appID string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, s.handled, millis(s.cfg.now()), appID)
	if err != nil {
		return nil, fmt.Errorf("paycoolssql: handled keys: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("paycoolssql: handled keys: %w", err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("paycoolssql: handled keys: %w", err)
	}
	return out, nil
}

var _ paycools.HandledKeyLister = (*NotificationStore)(nil)
