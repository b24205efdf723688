package paycoolssql

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"

	paycools "github.com/paycools-sdk/paycools-go"
)

// NotificationStoreDDL creates the NotificationStore table (default name
// paycools_notifications, {T} below) in both flavors. event_key is paycools.NotificationKey;
// state is "claimed" or "done"; expires_at (Unix milliseconds) ends the claim's lease, or the
// done entry's retention. An entry past expires_at is taken by the next claim.
const NotificationStoreDDL = `CREATE TABLE IF NOT EXISTS {T} (
	event_key   TEXT PRIMARY KEY,
	state       TEXT NOT NULL,
	claim_token TEXT NOT NULL,
	expires_at  BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS {T}_expires ON {T} (expires_at)`

// NotificationStore is a paycools.NotificationStore in a PostgreSQL or SQLite table, shared by
// every process that handles callbacks. Claim, Finish and Release are one statement each, on
// the table's primary key: two deliveries of one event, on any replicas, never both get the
// claim. Safe for concurrent use.
type NotificationStore struct {
	db      *sql.DB
	cfg     *config
	claim   string
	finish  string
	release string
	sweep   string
	claims  atomic.Uint64
}

// sweepEvery is how many claims go between two deletions of expired entries.
const sweepEvery = 4096

// NewNotificationStore returns the store on db, creating its table when it is missing. Give it
// to the client with paycools.WithNotificationStore.
func NewNotificationStore(ctx context.Context, db *sql.DB, flavor Flavor, opts ...Option) (*NotificationStore, error) {
	cfg, err := newConfig(db, flavor, "paycools_notifications", opts)
	if err != nil {
		return nil, err
	}
	if err := createTable(ctx, db, flavor, cfg.table, NotificationStoreDDL); err != nil {
		return nil, err
	}
	s := &NotificationStore{db: db, cfg: cfg}
	// The claim always returns the row: the new claim when the entry was missing or expired,
	// else the entry as it stands (in flight or done), which it leaves unchanged.
	s.claim = statement(flavor, cfg.table, `INSERT INTO {T} (event_key, state, claim_token, expires_at) VALUES ($1, 'claimed', $2, $3)
ON CONFLICT (event_key) DO UPDATE SET
	state = CASE WHEN {T}.expires_at <= $4 THEN 'claimed' ELSE {T}.state END,
	claim_token = CASE WHEN {T}.expires_at <= $4 THEN excluded.claim_token ELSE {T}.claim_token END,
	expires_at = CASE WHEN {T}.expires_at <= $4 THEN excluded.expires_at ELSE {T}.expires_at END
RETURNING state, claim_token`)
	s.finish = statement(flavor, cfg.table, `INSERT INTO {T} (event_key, state, claim_token, expires_at) VALUES ($1, 'done', $2, $3)
ON CONFLICT (event_key) DO UPDATE SET state = 'done', claim_token = excluded.claim_token, expires_at = excluded.expires_at`)
	s.release = statement(flavor, cfg.table, `DELETE FROM {T} WHERE event_key = $1 AND claim_token = $2 AND state = 'claimed'`)
	s.sweep = statement(flavor, cfg.table, `DELETE FROM {T} WHERE expires_at <= $1`)
	return s, nil
}

// Claim claims key for the lease, or reports it in flight or done.
func (s *NotificationStore) Claim(ctx context.Context, key string) (paycools.NotificationState, string, error) {
	now := s.cfg.now()
	token := newToken()
	var state, got string
	err := s.db.QueryRowContext(ctx, s.claim, key, token, millis(now.Add(s.cfg.lease)), millis(now)).Scan(&state, &got)
	if err != nil {
		return 0, "", fmt.Errorf("paycoolssql: claim: %w", err)
	}
	if s.claims.Add(1)%sweepEvery == 0 {
		_, _ = s.Sweep(ctx)
	}
	switch {
	case got == token:
		return paycools.NotificationNew, token, nil
	case state == "done":
		return paycools.NotificationDone, "", nil
	default:
		return paycools.NotificationInFlight, "", nil
	}
}

// Finish records key as done for the retention.
func (s *NotificationStore) Finish(ctx context.Context, key, token string) error {
	if _, err := s.db.ExecContext(ctx, s.finish, key, token, millis(s.cfg.now().Add(s.cfg.retention))); err != nil {
		return fmt.Errorf("paycoolssql: finish: %w", err)
	}
	return nil
}

// Release gives the claim of token on key back, if it still holds.
func (s *NotificationStore) Release(ctx context.Context, key, token string) error {
	if _, err := s.db.ExecContext(ctx, s.release, key, token); err != nil {
		return fmt.Errorf("paycoolssql: release: %w", err)
	}
	return nil
}

// Sweep deletes the expired entries (done events past the retention, claims past their lease)
// and returns how many. The store runs it by itself every few thousand claims; run it from a
// cron job instead if you prefer.
func (s *NotificationStore) Sweep(ctx context.Context) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.sweep, millis(s.cfg.now()))
	if err != nil {
		return 0, fmt.Errorf("paycoolssql: sweep: %w", err)
	}
	return res.RowsAffected()
}

var _ paycools.NotificationStore = (*NotificationStore)(nil)
