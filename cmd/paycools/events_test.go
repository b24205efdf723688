package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolssql"
)

// eventsDB is where the events command finds the store: its flags and an open database.
type eventsDB struct {
	flags  []string
	db     *sql.DB
	flavor paycoolssql.Flavor
	table  string
}

func eventsSQLite(t *testing.T) eventsDB {
	path := filepath.Join(t.TempDir(), "events.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return eventsDB{flags: []string{"-sqlite", path, "-app-id", "app"}, db: db, flavor: paycoolssql.SQLite, table: "paycools_notifications"}
}

func eventsPostgres(t *testing.T) eventsDB {
	dsn := os.Getenv("PAYCOOLS_TEST_POSTGRES_DSN")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PAYCOOLS_TEST_POSTGRES_DSN is not set: CI must not skip this test")
		}
		t.Skip("no PostgreSQL: set PAYCOOLS_TEST_POSTGRES_DSN")
	}
	db, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	table := fmt.Sprintf("cli_events_%d_%d", os.Getpid(), tableCounter.Add(1))
	t.Cleanup(func() {
		_, _ = db.Exec("DROP TABLE IF EXISTS " + table)
		_, _ = db.Exec("DROP TABLE IF EXISTS " + table + "_inbox")
	})
	return eventsDB{flags: []string{"-postgres", dsn, "-table", table, "-app-id", "app"}, db: db, flavor: paycoolssql.Postgres, table: table}
}

var tableCounter atomic.Int64

// `paycools events` on both databases: a callback whose function failed and one handled are
// listed with their outcome, -failed is only the dead letter with its last error, show prints
// the body with the account number masked, and replay has the merchant's handler run the
// function of the handled event again (each replay once), while a plain redelivery never does.
func TestEventsCommand(t *testing.T) {
	for name, open := range map[string]func(*testing.T) eventsDB{"sqlite": eventsSQLite, "postgres": eventsPostgres} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			d := open(t)
			store, err := paycoolssql.NewNotificationStore(ctx, d.db, d.flavor, paycoolssql.WithInbox(), paycoolssql.WithTable(d.table))
			require.NoError(t, err)
			c, err := paycools.NewClient("app", merchantKey(t), paycools.WithPlatformPublicKey(&platformKey(t).PublicKey),
				paycools.WithNotificationStore(store))
			require.NoError(t, err)
			runs := map[string]*atomic.Int32{"DE1": new(atomic.Int32), "DE2": new(atomic.Int32)}
			srv := httptest.NewServer(c.NotificationHandler(func(_ context.Context, n *paycools.Notification) error {
				id := n.Event.(*paycools.PayoutNotification).TransactionID
				if runs[id].Add(1); id == "DE2" {
					return errors.New("no such order in the books")
				}
				return nil
			}))
			defer srv.Close()
			body := func(id string) []byte {
				param := `{"eventName":"disbursement.success","transactionId":"` + id + `","accountNo":"09171234567","amount":"50010","transactionStatus":"COMPLETED"}`
				return envelopeBody(t, "", param, sign256(t, platformKey(t), param))
			}
			for id, want := range map[string]int{"DE1": 200, "DE2": 500} {
				resp, err := srv.Client().Post(srv.URL, "application/json", strings.NewReader(string(body(id))))
				require.NoError(t, err)
				resp.Body.Close()
				require.Equal(t, want, resp.StatusCode, id)
			}
			key1, key2 := "disbursement.success:transactionId=DE1:COMPLETED", "disbursement.success:transactionId=DE2:COMPLETED"
			events := func(args ...string) (int, string, string) {
				return runCLI(t, append(append([]string{"events"}, d.flags...), args...)...)
			}

			status, out, errOut := events("list")
			require.Equal(t, exitOK, status, errOut)
			assert.Contains(t, out, key1)
			assert.Contains(t, out, key2)
			assert.Contains(t, out, "2 event(s)")
			status, out, _ = events("list", "-failed", "-since", "1h")
			require.Equal(t, exitOK, status)
			assert.NotContains(t, out, key1)
			assert.Contains(t, out, key2)
			assert.Contains(t, out, "no such order in the books")
			assert.Contains(t, out, "1 event(s)")

			status, out, _ = events("show", key1)
			require.Equal(t, exitOK, status)
			assert.Contains(t, out, "outcome:    handled")
			assert.Contains(t, out, "*******4567")
			assert.NotContains(t, out, "09171234567", "show masks the account number")

			resp, err := srv.Client().Post(srv.URL, "application/json", strings.NewReader(string(body("DE1"))))
			require.NoError(t, err)
			resp.Body.Close()
			assert.EqualValues(t, 1, runs["DE1"].Load(), "a plain redelivery runs nothing")
			for i := 2; i <= 3; i++ {
				status, out, errOut = events("replay", key1, "-url", srv.URL)
				require.Equal(t, exitOK, status, "%s %s", out, errOut)
				assert.Contains(t, out, "answered 200")
				assert.EqualValues(t, i, runs["DE1"].Load(), "replay %d ran the function again", i-1)
			}

			status, _, errOut = events("show", "disbursement.success:transactionId=NONE:COMPLETED")
			assert.Equal(t, exitFail, status)
			assert.Contains(t, errOut, "no such event")

			// Another tenant of the same store sees none of app's events and cannot replay them.
			other := append(append([]string{"events"}, d.flags...), "-app-id", "other")
			status, out, errOut = runCLI(t, append(other, "list")...)
			require.Equal(t, exitOK, status, errOut)
			assert.NotContains(t, out, key1)
			assert.Contains(t, out, "0 event(s)")
			status, _, errOut = runCLI(t, append(other, "replay", key1, "-url", srv.URL)...)
			assert.Equal(t, exitFail, status)
			assert.Contains(t, errOut, "no such event")
			assert.EqualValues(t, 3, runs["DE1"].Load(), "another tenant's replay runs nothing")
		})
	}
}

func TestEventsCommandUsage(t *testing.T) {
	for _, args := range [][]string{
		{"events", "list"},
		{"events", "-sqlite", "x.db", "-postgres", "dsn", "list"},
		{"events", "-sqlite", "x.db"},
		{"events", "-sqlite", "x.db", "purge"},
		{"events", "-sqlite", "x.db", "show"},
		{"events", "-sqlite", "x.db", "replay", "KEY"},
		{"events", "-sqlite", "x.db", "replay", "KEY", "-url", "ftp://x"},
		{"events", "-sqlite", "x.db", "-app-id", "", "list"},
	} {
		status, _, errOut := runCLI(t, args...)
		assert.Equal(t, exitUsage, status, "%v: %s", args, errOut)
	}
	status, _, errOut := runCLI(t, "events", "-sqlite", filepath.Join(t.TempDir(), "missing.db"), "-app-id", "app", "list")
	assert.Equal(t, exitFail, status)
	assert.Contains(t, errOut, "missing.db")
}
