// Package paycoolssql keeps the paycools SDK's guarantees across processes and restarts in a
// database, through database/sql only: a NotificationStore (each callback handled once by
// whichever replica receives it) and a Ledger (every money-moving create written before it
// is sent, so that Client.Recover finds the ones a crash interrupted). The merchant chooses
// and imports the driver: PostgreSQL (pgx's stdlib, lib/pq) or SQLite (modernc.org/sqlite,
// mattn/go-sqlite3, ...). With WithInbox the store also keeps an event inbox (off by default:
// the callback bodies hold account numbers): what each callback was and how its function
// fared, for `paycools events` and its replay.
//
// Both create their table when it is missing (OpenLedgerBooks, for a role that may only read
// the ledger, never does: it runs no DDL). The DDL, for those who migrate by hand, is
// NotificationStoreDDL and LedgerDDL (the README's "Running several instances" shows it). Every
// time is stored as Unix milliseconds from the writer's clock, so the replicas' clocks must
// agree to well within the lease (NTP does).
//
// SQLite: open the database with a busy timeout, so that concurrent writers wait for each
// other instead of failing with "database is locked" (NewNotificationStore and NewLedger
// refuse a connection without one, wrapping ErrNoBusyTimeout), and preferably in WAL mode;
// with modernc.org/sqlite:
//
//	sql.Open("sqlite", "file:paycools.db?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
package paycoolssql

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Flavor is the SQL dialect of the database: Postgres or SQLite.
type Flavor int

// The supported databases.
const (
	// Postgres is PostgreSQL 12 or later ($1 placeholders, FOR UPDATE SKIP LOCKED).
	Postgres Flavor = iota + 1
	// SQLite is SQLite 3.35 or later (RETURNING, upserts, partial indexes).
	SQLite
)

// String names the flavor: "postgres" or "sqlite".
func (f Flavor) String() string {
	switch f {
	case Postgres:
		return "postgres"
	case SQLite:
		return "sqlite"
	}
	return fmt.Sprintf("Flavor(%d)", int(f))
}

// Option configures a NotificationStore or a Ledger.
type Option func(*config) error

type config struct {
	dayZone   *time.Location
	table     string
	lease     time.Duration
	retention time.Duration
	now       func() time.Time
	inbox     bool
	// legacyAppID is WithLegacyAppID's application, "" without the option.
	legacyAppID string
}

// WithBusinessDay sets the time zone of the business day that Ledger.Books reads (default
// UTC+8, PayCools' day on the PH host): the day's intents are those created from its midnight
// to the next, in that zone. Give the zone PayCools' statements use for your tenant.
func WithBusinessDay(loc *time.Location) Option {
	return func(c *config) error {
		if loc == nil {
			return errors.New("paycoolssql: WithBusinessDay(nil)")
		}
		c.dayZone = loc
		return nil
	}
}

// DefaultRetention is how long a NotificationStore remembers a handled event (24 hours, as
// the SDK's in-memory default): a redelivery later than that runs the function again.
const DefaultRetention = 24 * time.Hour

// WithTable sets the table name (default "paycools_notifications" for the store,
// "paycools_intents" for the ledger): letters, digits and underscores, not starting with a
// digit. Put it in a schema with the connection's search_path.
func WithTable(name string) Option {
	return func(c *config) error {
		if !identifier.MatchString(name) {
			return fmt.Errorf("paycoolssql: WithTable(%q): use letters, digits and underscores only", name)
		}
		c.table = name
		return nil
	}
}

// WithLease sets how long a NotificationStore claim lasts (default
// paycools.DefaultNotificationLease, 5 minutes): a claim neither finished nor released within
// it is taken by the next delivery. Make it longer than the slowest run of the callback
// function. The ledger ignores it.
func WithLease(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("paycoolssql: WithLease(%v): must be positive", d)
		}
		c.lease = d
		return nil
	}
}

// WithRetention sets how long a NotificationStore remembers a handled event (default
// DefaultRetention). Choose it longer than PayCools' redelivery schedule. The ledger ignores
// it (intents are kept until the merchant deletes them).
func WithRetention(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("paycoolssql: WithRetention(%v): must be positive", d)
		}
		c.retention = d
		return nil
	}
}

// WithClock sets the clock a NotificationStore reads lease and retention times from (default
// time.Now); for tests. The ledger is given its times by the client (paycools.WithClock).
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return errors.New("paycoolssql: WithClock(nil)")
		}
		c.now = now
		return nil
	}
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,50}$`)

func newConfig(db *sql.DB, flavor Flavor, table string, opts []Option) (*config, error) {
	if db == nil {
		return nil, errors.New("paycoolssql: nil *sql.DB")
	}
	if flavor != Postgres && flavor != SQLite {
		return nil, fmt.Errorf("paycoolssql: unknown flavor %v: use paycoolssql.Postgres or paycoolssql.SQLite", flavor)
	}
	c := &config{table: table, lease: 5 * time.Minute, retention: DefaultRetention, now: time.Now, dayZone: businessDay}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// statement writes a statement for the flavor: the table name for {T}, PostgreSQL's $n
// placeholders as SQLite's ?n, SQLite's BLOB for {BLOB}, and the write-order column ({SEQ} in
// DDL, {SEQ_ORDER} in ORDER BY): a BIGSERIAL seq in PostgreSQL, the rowid in SQLite.
func statement(f Flavor, table, s string) string {
	s = strings.ReplaceAll(s, "{T}", table)
	if f == SQLite {
		s = strings.ReplaceAll(s, "$", "?")
		s = strings.ReplaceAll(s, "{BLOB}", "BLOB")
		s = strings.ReplaceAll(s, "{SEQ}", "")
		s = strings.ReplaceAll(s, "{SEQ_ORDER}", "rowid")
		s = strings.ReplaceAll(s, " FOR UPDATE SKIP LOCKED", "")
	} else {
		s = strings.ReplaceAll(s, "{BLOB}", "BYTEA")
		s = strings.ReplaceAll(s, "{SEQ}", ",\n\tseq            BIGSERIAL")
		s = strings.ReplaceAll(s, "{SEQ_ORDER}", "seq")
	}
	return s
}

// createTable runs the DDL statements, one at a time (some drivers take one per Exec).
func createTable(ctx context.Context, db *sql.DB, f Flavor, table, ddl string) error {
	for _, s := range strings.Split(ddl, ";") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if _, err := db.ExecContext(ctx, statement(f, table, s)); err != nil {
			return fmt.Errorf("paycoolssql: creating table %s: %w", table, err)
		}
	}
	return nil
}

// millis is a time as Unix milliseconds (0 for the zero time).
func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMillis is the reverse of millis.
func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// newToken is a random claim token.
func newToken() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ErrNoBusyTimeout is returned (wrapped, with the DSN to use) by NewNotificationStore and
// NewLedger on a SQLite connection whose busy timeout is zero: there, concurrent writers fail
// with "database is locked" instead of waiting for each other, and a callback whose outcome
// could not be recorded may be handled twice.
var ErrNoBusyTimeout = errors.New("paycoolssql: the SQLite connection has no busy timeout")

// checkBusyTimeout refuses a SQLite connection without a busy timeout.
func checkBusyTimeout(ctx context.Context, db *sql.DB, f Flavor) error {
	if f != SQLite {
		return nil
	}
	var ms int64
	if err := db.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&ms); err != nil {
		return fmt.Errorf("paycoolssql: reading the SQLite busy timeout: %w", err)
	}
	if ms <= 0 {
		return fmt.Errorf(`%w: open the database with one, e.g. with modernc.org/sqlite sql.Open("sqlite", "file:paycools.db?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"), with mattn/go-sqlite3 sql.Open("sqlite3", "file:paycools.db?_busy_timeout=10000&_journal_mode=WAL")`, ErrNoBusyTimeout)
	}
	return nil
}

// addColumn adds a column to a table made by an earlier version, when it is missing.
func addColumn(ctx context.Context, db *sql.DB, f Flavor, table, column, decl string) error {
	alter := statement(f, table, `ALTER TABLE {T} ADD COLUMN `+column+` `+decl)
	if f == Postgres {
		alter = statement(f, table, `ALTER TABLE {T} ADD COLUMN IF NOT EXISTS `+column+` `+decl)
		if _, err := db.ExecContext(ctx, alter); err != nil {
			return fmt.Errorf("paycoolssql: adding column %s to %s: %w", column, table, err)
		}
		return nil
	}
	has := func() (bool, error) {
		var n int
		err := db.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2`, table, column).Scan(&n)
		return n > 0, err
	}
	if ok, err := has(); err != nil || ok {
		if err != nil {
			return fmt.Errorf("paycoolssql: reading the columns of %s: %w", table, err)
		}
		return nil
	}
	if _, err := db.ExecContext(ctx, alter); err != nil {
		if ok, _ := has(); ok { // another process added it meanwhile
			return nil
		}
		return fmt.Errorf("paycoolssql: adding column %s to %s: %w", column, table, err)
	}
	return nil
}

// hasColumn reports whether table has column.
func hasColumn(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}, f Flavor, table, column string) (bool, error) {
	// PostgreSQL folds the unquoted names of WithTable to lower case.
	query := `SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = lower($1) AND column_name = $2`
	if f == SQLite {
		query = `SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2`
	}
	var n int
	if err := q.QueryRowContext(ctx, query, table, column).Scan(&n); err != nil {
		return false, fmt.Errorf("paycoolssql: reading the columns of %s: %w", table, err)
	}
	return n > 0, nil
}

// rekeyByApp rebuilds a table made by a version before app ids (event_key its primary key)
// with the app_id column in its primary key: the table of createDDL (the first statement of
// the table's DDL) is created under a temporary name, with the optional columns the old table
// has, filled with the old rows (an empty app_id), and put in the old table's place, in one
// transaction that holds the table's write lock (PostgreSQL: LOCK TABLE; SQLite: BEGIN
// IMMEDIATE), so that replicas opening at once migrate it once. The caller then creates the
// indexes (its DDL's IF NOT EXISTS statements). A table that has app_id is left alone.
func rekeyByApp(ctx context.Context, db *sql.DB, f Flavor, table, createDDL string, columns []string, optional map[string]string) (err error) {
	if ok, err := hasColumn(ctx, db, f, table, "app_id"); err != nil || ok {
		return err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("paycoolssql: migrating %s to app ids: %w", table, err)
	}
	defer conn.Close()
	begin := `BEGIN`
	if f == SQLite {
		begin = `BEGIN IMMEDIATE`
	}
	if _, err := conn.ExecContext(ctx, begin); err != nil {
		return fmt.Errorf("paycoolssql: migrating %s to app ids: %w", table, err)
	}
	defer func() {
		if err != nil {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`)
		}
	}()
	fail := func(err error) error { return fmt.Errorf("paycoolssql: migrating %s to app ids: %w", table, err) }
	if f == Postgres {
		if _, err := conn.ExecContext(ctx, statement(f, table, `LOCK TABLE {T} IN ACCESS EXCLUSIVE MODE`)); err != nil {
			return fail(err)
		}
	}
	if ok, err := hasColumn(ctx, conn, f, table, "app_id"); err != nil || ok { // another replica did it
		if err != nil {
			return err
		}
		_, err = conn.ExecContext(ctx, `COMMIT`)
		return err
	}
	tmp := table + "_appkey"
	steps := []string{statement(f, tmp, `DROP TABLE IF EXISTS {T}`), statement(f, tmp, createDDL)}
	cols := append([]string(nil), columns...)
	for col, decl := range optional {
		ok, err := hasColumn(ctx, conn, f, table, col)
		if err != nil {
			return err
		}
		if ok {
			steps = append(steps, statement(f, tmp, `ALTER TABLE {T} ADD COLUMN `+col+` `+decl))
			cols = append(cols, col)
		}
	}
	list := strings.Join(cols, ", ")
	steps = append(steps,
		statement(f, tmp, `INSERT INTO {T} (app_id, `+list+`) SELECT '', `+list+` FROM `+table),
		statement(f, table, `DROP TABLE {T}`),
		statement(f, tmp, `ALTER TABLE {T} RENAME TO `+table),
		`COMMIT`)
	for _, s := range steps {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fail(err)
		}
	}
	return nil
}

// firstStatement is the first statement of a DDL (its CREATE TABLE).
func firstStatement(ddl string) string {
	s, _, _ := strings.Cut(ddl, ";")
	return s
}

// ErrLegacyRows is returned (wrapped, naming the table and what to do) by
// NewNotificationStore and NewLedger when the table holds rows written by a version before
// app ids (their app_id is empty) and WithLegacyAppID does not say whose they are: read
// without an app id they would be lost to every client (an event handled before the upgrade
// run again, an open intent no longer blocking a duplicate create nor recovered).
var ErrLegacyRows = errors.New("paycoolssql: the table holds rows written before app ids (app_id '')")

// WithLegacyAppID says which merchant application wrote the rows of a table made by a
// version before app ids (one appId per database, in practice): when the store or ledger is
// opened, its rows with an empty app_id are given appID, in one statement per table, so that
// they are that client's (an event handled before the upgrade still answers done to its
// redelivery; an open intent still blocks a duplicate create of its order and is recovered by
// that client's Recover; created intents stay in its Books). Rows already stamped are left
// alone: keeping the option after the upgrade is harmless. Without it, opening a table that
// holds such rows fails with ErrLegacyRows (a notification store counts only the entries its
// retention still holds, and deletes the others). See the README, "Upgrading to several
// merchants per database".
func WithLegacyAppID(appID string) Option {
	return func(c *config) error {
		if strings.TrimSpace(appID) == "" || strings.TrimSpace(appID) != appID {
			return fmt.Errorf("paycoolssql: WithLegacyAppID(%q): give the appId (PAYCOOLS_APP_ID) of the client that wrote the table's rows", appID)
		}
		c.legacyAppID = appID
		return nil
	}
}

// adoptLegacy gives the rows of table with an empty app_id (written before app ids) the
// application of WithLegacyAppID, or, without the option, fails wrapping ErrLegacyRows when
// there are live ones (live is the condition, on top of an empty app_id, of the rows that still
// count; drop, when not empty, deletes the others first).
func adoptLegacy(ctx context.Context, db *sql.DB, f Flavor, cfg *config, table, live, drop string, now int64) error {
	if drop != "" {
		if _, err := db.ExecContext(ctx, statement(f, table, `DELETE FROM {T} WHERE app_id = '' AND `+drop), now); err != nil {
			return fmt.Errorf("paycoolssql: %s: deleting expired rows written before app ids: %w", table, err)
		}
	}
	if cfg.legacyAppID != "" {
		if _, err := db.ExecContext(ctx, statement(f, table, `UPDATE {T} SET app_id = $1 WHERE app_id = ''`), cfg.legacyAppID); err != nil {
			return fmt.Errorf("paycoolssql: %s: giving the rows written before app ids to %q (WithLegacyAppID): %w", table, cfg.legacyAppID, err)
		}
		return nil
	}
	args := []any{}
	if live != "" {
		args = append(args, now)
		live = " AND " + live
	}
	var n int
	if err := db.QueryRowContext(ctx, statement(f, table, `SELECT count(*) FROM (SELECT 1 FROM {T} WHERE app_id = ''`+live+` LIMIT 1) AS legacy`), args...).Scan(&n); err != nil {
		return fmt.Errorf("paycoolssql: %s: looking for rows written before app ids: %w", table, err)
	}
	if n > 0 {
		return fmt.Errorf("%w: table %s: open it with paycoolssql.WithLegacyAppID(appID), appID the application that wrote them (see the README, \"Upgrading to several merchants per database\")", ErrLegacyRows, table)
	}
	return nil
}
