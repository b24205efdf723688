package paycoolssql_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the PostgreSQL driver of the tests
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite" // the pure-Go SQLite driver of the tests

	"github.com/paycools-sdk/paycools-go/paycoolssql"
)

// postgresDSNVar names the variable that gives the tests a PostgreSQL; .ci/run starts one.
const postgresDSNVar = "PAYCOOLS_TEST_POSTGRES_DSN"

// testDB is a database of one flavor and a table name prefix of its own.
type testDB struct {
	db     *sql.DB
	flavor paycoolssql.Flavor
	dsn    string // to open it again from another process
	prefix string
}

var tableSeq atomic.Int64

// testApp is the appId of the tests' clients and gateways, which write and read the store and
// the ledger under it.
const testApp = "app"

// table is a fresh table name for this test.
func (d testDB) table(name string) paycoolssql.Option {
	return paycoolssql.WithTable(fmt.Sprintf("%s_%s_%d", d.prefix, name, tableSeq.Add(1)))
}

// sqliteDSN is the DSN of a SQLite file as the README tells merchants to open it.
func sqliteDSN(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(20000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
}

func openSQLite(t testing.TB) testDB {
	t.Helper()
	dsn := sqliteDSN(filepath.Join(t.TempDir(), "paycools.db"))
	db, err := sql.Open("sqlite", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return testDB{db: db, flavor: paycoolssql.SQLite, dsn: dsn, prefix: "t"}
}

// openPostgres opens the test PostgreSQL, or skips (outside CI) or fails (CI=true) without one.
func openPostgres(t testing.TB) testDB {
	t.Helper()
	dsn := os.Getenv(postgresDSNVar)
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: .ci/run starts a PostgreSQL and sets it; CI must not skip these tests", postgresDSNVar)
		}
		t.Skipf("no PostgreSQL: set %s (e.g. DSN=$(.ci/postgres start /tmp/pg)) to run this test", postgresDSNVar)
	}
	db, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	db.SetMaxOpenConns(40)
	t.Cleanup(func() { db.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, db.PingContext(ctx), "PostgreSQL at %s", postgresDSNVar)
	name := strings.NewReplacer("/", "_", "-", "_").Replace(strings.ToLower(t.Name()))
	if len(name) > 20 {
		name = name[:20]
	}
	return testDB{db: db, flavor: paycoolssql.Postgres, dsn: dsn, prefix: fmt.Sprintf("%s_%d", name, time.Now().UnixNano()%1e6)}
}

// eachFlavor runs fn on SQLite and on PostgreSQL.
func eachFlavor(t *testing.T, fn func(t *testing.T, d testDB)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, openSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, openPostgres(t)) })
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}
