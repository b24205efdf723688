package paycoolssql

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
)

// EventInboxDDL creates the event inbox of a NotificationStore made WithInbox: the table named
// after the store's with "_inbox" appended ({T} below; default paycools_notifications_inbox;
// {BLOB} is BYTEA in PostgreSQL, BLOB in SQLite). app_id is the merchant application the
// event belongs to and event_key its paycools.NotificationKey (together the key); body
// is the exact callback body (signature included); form is the callback form's name
// (envelope, flat-sha1, flat-rsa); received_at is the first delivery that ran the function,
// updated_at the last change; state is "running", "handled" or "failed"; attempts counts the
// deliveries that ran the function; last_error is the function's last error, redacted;
// expires_at ends the row's retention (the store's, from updated_at). Times are Unix
// milliseconds.
const EventInboxDDL = `CREATE TABLE IF NOT EXISTS {T} (
	app_id      TEXT NOT NULL,
	event_key   TEXT NOT NULL,
	event_name  TEXT NOT NULL,
	form        TEXT NOT NULL,
	body        {BLOB} NOT NULL,
	received_at BIGINT NOT NULL,
	updated_at  BIGINT NOT NULL,
	state       TEXT NOT NULL,
	attempts    BIGINT NOT NULL,
	last_error  TEXT NOT NULL,
	expires_at  BIGINT NOT NULL,
	PRIMARY KEY (app_id, event_key)
);
CREATE INDEX IF NOT EXISTS {T}_app_received ON {T} (app_id, received_at);
CREATE INDEX IF NOT EXISTS {T}_expires ON {T} (expires_at)`

// WithInbox makes a NotificationStore keep an event inbox (EventInboxDDL) beside its table:
// each verified callback whose delivery ran the function, with its exact body, form, event
// name, key and time received, and its outcome (running, handled, or failed with the
// function's last error and the number of attempts), for the store's retention
// (WithRetention). Read it with NotificationStore.Events and Event, or `paycools events`; run
// a handled event's function again with RequestReplay (`paycools events replay`).
//
// It is off by default because the bodies hold what the callbacks carry, account numbers
// included: turn it on only where your data policy allows keeping them for the retention.
// The ledger ignores it.
func WithInbox() Option {
	return func(c *config) error {
		c.inbox = true
		return nil
	}
}

// Event outcomes, as StoredEvent.Outcome reports them.
const (
	// EventRunning: a delivery took the claim and the function is running (or its process
	// died before recording the outcome).
	EventRunning = "running"
	// EventHandled: the function succeeded.
	EventHandled = "handled"
	// EventFailed: the function's last run failed; PayCools delivers again. LastError says why.
	EventFailed = "failed"
)

// ErrEventNotFound is returned (wrapped) by Event and RequestReplay for a key the inbox does
// not hold (never received, past the retention, or the inbox is off).
var ErrEventNotFound = errors.New("paycoolssql: no such event in the inbox")

// StoredEvent is one event of the inbox.
type StoredEvent struct {
	// AppID is the merchant application the event belongs to.
	AppID string
	// Key is the event's paycools.NotificationKey.
	Key string
	// EventName is the event, e.g. "disbursement.success".
	EventName string
	// Form is the callback form's name: "envelope", "flat-sha1" or "flat-rsa".
	Form string
	// Body is the exact body of the last delivery that ran the function. It holds account
	// numbers: show it masked (paycools.Redact).
	Body []byte
	// ReceivedAt is when the first delivery that ran the function arrived.
	ReceivedAt time.Time
	// UpdatedAt is the last change: the last attempt, or its outcome.
	UpdatedAt time.Time
	// Outcome is EventRunning, EventHandled or EventFailed.
	Outcome string
	// Attempts counts the deliveries (replays included) that ran the function.
	Attempts int64
	// LastError is the function's last error, redacted ("" when it never failed or was then
	// handled).
	LastError string
}

// EventQuery selects the events NotificationStore.Events lists.
type EventQuery struct {
	// AppID is the merchant application whose events are listed (paycools.Client.AppID);
	// required: Events never lists another application's.
	AppID string
	// FailedOnly lists only the events whose function's last run failed (the dead letters).
	FailedOnly bool
	// Since lists only the events received at or after it (zero: all).
	Since time.Time
	// Limit caps the number of events (<= 0: 1000). The newest come first.
	Limit int
}

// inbox holds the statements of the event inbox.
type inbox struct {
	received, handled, failed, sweep, list, one, requestReplay, claimReplay string
}

// replayTokenColumn declares the replay_token column the store's table gains with WithInbox.
const replayTokenColumn = `TEXT NOT NULL DEFAULT ''`

// newInbox creates (or migrates) the inbox table and the replay column of the store's table,
// and writes the inbox's statements.
func newInbox(ctx context.Context, db *sql.DB, flavor Flavor, cfg *config) (*inbox, error) {
	table := cfg.table
	t := table + "_inbox"
	// An old table gains app_id before EventInboxDDL's indexes, which name it, are built.
	if err := createTable(ctx, db, flavor, t, firstStatement(EventInboxDDL)); err != nil {
		return nil, err
	}
	old := []string{"event_key", "event_name", "form", "body", "received_at", "updated_at", "state", "attempts", "last_error", "expires_at"}
	if err := rekeyByApp(ctx, db, flavor, t, firstStatement(EventInboxDDL), old, nil); err != nil {
		return nil, err
	}
	if err := createTable(ctx, db, flavor, t, EventInboxDDL); err != nil { // the indexes a rebuilt table lost
		return nil, err
	}
	if _, err := db.ExecContext(ctx, statement(flavor, t, `DROP INDEX IF EXISTS {T}_received`)); err != nil { // replaced by {T}_app_received
		return nil, fmt.Errorf("paycoolssql: %s: %w", t, err)
	}
	if err := adoptLegacy(ctx, db, flavor, cfg, t, "expires_at > $1", "expires_at <= $1", millis(cfg.now())); err != nil {
		return nil, err
	}
	if err := addColumn(ctx, db, flavor, table, "replay_token", replayTokenColumn); err != nil {
		return nil, err
	}
	cols := `app_id, event_key, event_name, form, body, received_at, updated_at, state, attempts, last_error, expires_at`
	return &inbox{
		received: statement(flavor, t, `INSERT INTO {T} (`+cols+`) VALUES ($7, $1, $2, $3, $4, $5, $5, 'running', 1, '', $6)
ON CONFLICT (app_id, event_key) DO UPDATE SET event_name = excluded.event_name, form = excluded.form, body = excluded.body,
	updated_at = excluded.updated_at, state = 'running', attempts = {T}.attempts + 1, expires_at = excluded.expires_at`),
		handled: statement(flavor, t, `UPDATE {T} SET state = 'handled', last_error = '', updated_at = $2, expires_at = $3 WHERE app_id = $4 AND event_key = $1`),
		failed:  statement(flavor, t, `UPDATE {T} SET state = 'failed', last_error = $2, updated_at = $3, expires_at = $4 WHERE app_id = $5 AND event_key = $1`),
		sweep:   statement(flavor, t, `DELETE FROM {T} WHERE expires_at <= $1`),
		list: statement(flavor, t, `SELECT `+cols+` FROM {T} WHERE app_id = $5 AND received_at >= $1 AND expires_at > $2 AND ($3 = 0 OR state = 'failed')
ORDER BY received_at DESC, event_key LIMIT $4`),
		one: statement(flavor, t, `SELECT `+cols+` FROM {T} WHERE app_id = $3 AND event_key = $1 AND expires_at > $2`),
		// A replay is requested on a handled event only: a failed one is claimed by any
		// delivery already.
		requestReplay: statement(flavor, table, `UPDATE {T} SET replay_token = $2 WHERE app_id = $4 AND event_key = $1 AND state = 'done' AND expires_at > $3`),
		// The replay claim takes a done event whose replay token is the one given, and uses
		// the token up, in one statement: of two posts with one token only one claims.
		claimReplay: statement(flavor, table, `UPDATE {T} SET state = 'claimed', claim_token = $3, expires_at = $4, result = '', replay_token = ''
WHERE app_id = $5 AND event_key = $1 AND state = 'done' AND replay_token = $2 AND replay_token <> ''`),
	}, nil
}

// Received records a verified event whose delivery runs the function (paycools.EventRecorder);
// nothing without WithInbox.
func (s *NotificationStore) Received(ctx context.Context, e paycools.ReceivedEvent) error {
	if s.inbox == nil {
		return nil
	}
	at := e.ReceivedAt
	if at.IsZero() {
		at = s.cfg.now()
	}
	if _, err := s.db.ExecContext(ctx, s.inbox.received, e.Key, e.EventName, e.Form.String(), e.Body, millis(at),
		millis(at.Add(s.cfg.retention)), e.AppID); err != nil {
		return fmt.Errorf("paycoolssql: inbox: received: %w", err)
	}
	return nil
}

// Handled records that the function succeeded for appID's key (paycools.EventRecorder);
// nothing without WithInbox.
func (s *NotificationStore) Handled(ctx context.Context, appID, key string) error {
	if s.inbox == nil {
		return nil
	}
	now := s.cfg.now()
	if _, err := s.db.ExecContext(ctx, s.inbox.handled, key, millis(now), millis(now.Add(s.cfg.retention)), appID); err != nil {
		return fmt.Errorf("paycoolssql: inbox: handled: %w", err)
	}
	return nil
}

// Failed records that the function failed for appID's key, with its redacted error
// (paycools.EventRecorder); nothing without WithInbox.
func (s *NotificationStore) Failed(ctx context.Context, appID, key, lastError string) error {
	if s.inbox == nil {
		return nil
	}
	now := s.cfg.now()
	if _, err := s.db.ExecContext(ctx, s.inbox.failed, key, lastError, millis(now), millis(now.Add(s.cfg.retention)), appID); err != nil {
		return fmt.Errorf("paycoolssql: inbox: failed: %w", err)
	}
	return nil
}

// Events lists the inbox's events of q.AppID, newest first (none without WithInbox).
func (s *NotificationStore) Events(ctx context.Context, q EventQuery) ([]StoredEvent, error) {
	if s.inbox == nil {
		return nil, nil
	}
	if q.AppID == "" {
		return nil, errors.New("paycoolssql: inbox: list: EventQuery.AppID is empty: give the appId whose events to list")
	}
	limit, failedOnly := q.Limit, 0
	if limit <= 0 {
		limit = 1000
	}
	if q.FailedOnly {
		failedOnly = 1
	}
	rows, err := s.db.QueryContext(ctx, s.inbox.list, millis(q.Since), millis(s.cfg.now()), failedOnly, limit, q.AppID)
	if err != nil {
		return nil, fmt.Errorf("paycoolssql: inbox: list: %w", err)
	}
	defer rows.Close()
	var out []StoredEvent
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("paycoolssql: inbox: list: %w", err)
	}
	return out, nil
}

// Event returns the inbox's event of appID's key, or an error wrapping ErrEventNotFound.
func (s *NotificationStore) Event(ctx context.Context, appID, key string) (StoredEvent, error) {
	if s.inbox == nil {
		return StoredEvent{}, fmt.Errorf("%w (the store was made without WithInbox)", ErrEventNotFound)
	}
	e, err := scanEvent(s.db.QueryRowContext(ctx, s.inbox.one, key, millis(s.cfg.now()), appID))
	if errors.Is(err, sql.ErrNoRows) {
		return StoredEvent{}, fmt.Errorf("%w: %q", ErrEventNotFound, key)
	}
	return e, err
}

// RequestReplay prepares the replay of the inbox's event of appID's key: it returns the
// event and,
// when the event was handled, a new one-time replay token, stored (hashed) with the event.
// Post the event's Body to the merchant's NotificationHandler with the token in the
// paycools.ReplayHeader header: that delivery, and no other, runs the function again. The
// token is "" when the event is not handled (failed, or running): then any delivery of it
// runs the function already (if none is running it). A token not used stays valid until
// RequestReplay is called again for the event or the event leaves the retention.
func (s *NotificationStore) RequestReplay(ctx context.Context, appID, key string) (StoredEvent, string, error) {
	e, err := s.Event(ctx, appID, key)
	if err != nil {
		return StoredEvent{}, "", err
	}
	token := newToken()
	res, err := s.db.ExecContext(ctx, s.inbox.requestReplay, key, replayHash(token), millis(s.cfg.now()), appID)
	if err != nil {
		return StoredEvent{}, "", fmt.Errorf("paycoolssql: inbox: request replay: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return e, "", err
	}
	return e, token, nil
}

// ClaimReplay claims appID's key as Claim does, except that a handled event whose replay
// token is token is claimed again once (paycools.ReplayClaimer).
func (s *NotificationStore) ClaimReplay(ctx context.Context, appID, key, token string) (paycools.NotificationClaim, error) {
	if s.inbox == nil || token == "" {
		return s.Claim(ctx, appID, key)
	}
	now := s.cfg.now()
	claim := newToken()
	res, err := s.db.ExecContext(ctx, s.inbox.claimReplay, key, replayHash(token), claim, millis(now.Add(s.cfg.lease)), appID)
	if err != nil {
		return paycools.NotificationClaim{}, fmt.Errorf("paycoolssql: claim replay: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return paycools.NotificationClaim{}, fmt.Errorf("paycoolssql: claim replay: %w", err)
	} else if n == 1 {
		return paycools.NotificationClaim{State: paycools.NotificationStateNew, Token: claim, Lease: s.cfg.lease}, nil
	}
	return s.Claim(ctx, appID, key)
}

// replayHash is what the store keeps of a replay token: who reads the table cannot replay.
func replayHash(token string) string {
	sum := sha256.Sum256([]byte("paycools-replay:" + token))
	return hex.EncodeToString(sum[:])
}

// scanEvent reads one inbox row.
func scanEvent(row interface{ Scan(...any) error }) (StoredEvent, error) {
	var e StoredEvent
	var received, updated, expires int64
	if err := row.Scan(&e.AppID, &e.Key, &e.EventName, &e.Form, &e.Body, &received, &updated, &e.Outcome, &e.Attempts, &e.LastError, &expires); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return e, err
		}
		return e, fmt.Errorf("paycoolssql: inbox: reading an event: %w", err)
	}
	e.ReceivedAt, e.UpdatedAt = fromMillis(received), fromMillis(updated)
	return e, nil
}

var (
	_ paycools.EventRecorder = (*NotificationStore)(nil)
	_ paycools.ReplayClaimer = (*NotificationStore)(nil)
)
