// Example replicas runs two replicas of a merchant backend on one SQLite file, with the
// paycoolssql notification store and ledger wired in: a payout whose answer is lost is
// settled by the other replica's Recover at start-up, and a callback redelivered to the other
// replica is acknowledged without running the merchant's function again.
//
//	go run ./examples/replicas -dialect ph [-db paycools.db]
//
// It runs on an embedded fake gateway (package paycoolstest), by default in the PH dialect of
// the Philippine host: flat k=v-signed requests (with your appName where the host asks for it),
// callbacks signed with SHA-1 and your callback secret. -dialect open-api (or
// PAYCOOLS_DIALECT=open-api) switches both sides to the open-api dialect. Each callback line
// ends with the form it came in ([flat-sha1] or [envelope]).
//
// In production each replica is its own process with the same DSN (PostgreSQL: "pgx" and
// paycoolssql.Postgres).
package main

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver; the merchant picks the driver

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolssql"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
)

func main() {
	path := flag.String("db", "", "SQLite file shared by the replicas (default: a new temporary file)")
	dialect := flag.String("dialect", os.Getenv("PAYCOOLS_DIALECT"), "wire dialect: ph (the default) or open-api; also PAYCOOLS_DIALECT")
	flag.Parse()
	if *path == "" {
		dir, err := os.MkdirTemp("", "paycools-replicas")
		if err != nil {
			fmt.Fprintln(os.Stderr, "replicas:", err)
			os.Exit(1)
		}
		defer os.RemoveAll(dir)
		*path = filepath.Join(dir, "paycools.db")
	}
	if err := run(context.Background(), os.Stdout, *path, *dialect); err != nil {
		fmt.Fprintln(os.Stderr, "replicas:", err)
		os.Exit(1)
	}
}

// replica is one instance of the merchant backend: its own connection pool, store, ledger,
// client and callback endpoint.
type replica struct {
	name   string
	db     *sql.DB
	c      *paycools.Client
	notify *httptest.Server
}

func newReplica(ctx context.Context, name, path string, gw *paycoolstest.Server, fulfilled *atomic.Int32, out io.Writer, opts ...paycools.Option) (*replica, error) {
	// A busy timeout makes concurrent writers wait for each other; WAL lets readers go on.
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
	if err != nil {
		return nil, err
	}
	store, err := paycoolssql.NewNotificationStore(ctx, db, paycoolssql.SQLite)
	if err != nil {
		return nil, err
	}
	ledger, err := paycoolssql.NewLedger(ctx, db, paycoolssql.SQLite)
	if err != nil {
		return nil, err
	}
	r := &replica{name: name, db: db}
	r.c = gw.Client(append([]paycools.Option{paycools.WithNotificationStore(store), paycools.WithLedger(ledger)}, opts...)...)
	r.notify = httptest.NewServer(r.c.NotificationHandler(func(_ context.Context, n *paycools.Notification) error {
		if ev, ok := n.Event.(*paycools.PayoutNotification); ok {
			fulfilled.Add(1) // the merchant's side effect: runs once per event, whichever replica gets it
			fmt.Fprintf(out, "%s: callback %s %s %s: fulfilled [%s]\n", name, ev.EventName, ev.MchOrderID, ev.TransactionStatus, n.Form)
		}
		return nil
	}))
	return r, nil
}

func (r *replica) close() { r.notify.Close(); r.db.Close() }

// run runs both replicas on the SQLite file at path and a fake gateway speaking dialect ("" is
// ph), one line per step on out.
func run(ctx context.Context, out io.Writer, path, dialect string) error {
	d, err := paycools.ParseDialect(cmp.Or(dialect, "ph"))
	if err != nil {
		return err
	}
	gw := paycoolstest.NewServer(paycoolstest.WithDialect(d))
	defer gw.Close()
	fmt.Fprintf(out, "gateway:   embedded fake PayCools gateway, %s dialect\n", gw.Dialect())
	var fulfilled atomic.Int32

	// Replica A without the in-call outcome resolution, so that the lost answer stays unknown here and
	// shows what Recover does after a crash.
	a, err := newReplica(ctx, "replica A", path, gw, &fulfilled, out, paycools.WithResolveOutcome(false), paycools.WithRetries(0))
	if err != nil {
		return err
	}
	defer a.close()
	gw.SetCallbackURL(a.notify.URL)

	cctx, cancel := context.WithTimeout(ctx, 10*time.Second) // a deadline bounds the intent's claim
	defer cancel()
	gw.InjectFault(paycools.OpPayoutCreate, paycoolstest.Fault{DropAfterAction: true}) // made, answer lost
	_, err = a.c.Payouts.Create(cctx, &paycools.PayoutCreateParams{
		MchOrderID: "PO20240719000777", Amount: 50010, PayMethodCode: paycools.PayMethodEWallet,
		TransferCode: "GCASH", AccountNo: "09171234567", AccountName: "Juan Dela Cruz",
	})
	fmt.Fprintf(out, "replica A: payout sent, outcome unknown: %v\n", paycools.IsOutcomeUnknown(err))

	// Replica B starts (or A restarts) and runs Recover before serving.
	b, err := newReplica(ctx, "replica B", path, gw, &fulfilled, out)
	if err != nil {
		return err
	}
	defer b.close()
	report, err := b.c.Recover(ctx)
	if err != nil {
		return err
	}
	for _, r := range report.Resolutions {
		fmt.Fprintf(out, "replica B: Recover: %s %s was %s, now %s (PayCools id set: %v)\n",
			r.Intent.Operation, r.Intent.MchOrderID, r.Intent.State, r.State, r.TransactionID != "")
	}

	// The payout completes; the callback goes to A, and PayCools redelivers it to B.
	if _, err := gw.CompletePayout("PO20240719000777"); err != nil {
		return err
	}
	cbs := gw.Callbacks()
	last := cbs[len(cbs)-1]
	body := last.Param // the PH form: the flat body, sign included, exactly as sent
	if d == paycools.DialectOpenAPI {
		body, _ = json.Marshal(map[string]string{"param": string(last.Param), "sign": last.Sign})
	}
	resp, err := http.Post(b.notify.URL, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp.Body.Close()
	fmt.Fprintf(out, "replica B: redelivery answered %d; fulfilled %d time(s) in all\n", resp.StatusCode, fulfilled.Load())
	return nil
}
