package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolssql"
)

const eventsSynopsis = "(-postgres DSN | -sqlite FILE) [-table NAME] [-app-id ID] (list [-failed] [-since D] | show KEY | replay KEY -url URL)"

// runEvents implements "paycools events": the event inbox of a paycoolssql NotificationStore
// made WithInbox, listed, shown and replayed.
func runEvents(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fset := newFlagSet("events", eventsSynopsis, `
Read the event inbox that paycoolssql keeps with WithInbox (off by default: the stored bodies
hold account numbers) and replay an event after a fix. The events are those of one merchant
application, -app-id (default $PAYCOOLS_APP_ID): a store shared by several never shows or
replays another's.

  list [-failed] [-since D] [-limit N]
      the events received (the newest first, at most N), with their outcome: running,
      handled, or failed with the function's last error and the attempts; -failed is the
      dead-letter view (only the events whose function's last run failed), -since 24h only
      those received in the last 24 hours
  show KEY
      one event (KEY as list prints it), with its body, account numbers masked
  replay KEY -url URL [-timeout 30s]
      post the stored body to your NotificationHandler at URL and have it run the function
      again, even though the event was handled (a one-time token in the Paycools-Replay
      header; no other delivery of the event runs it again). The handler's replay window
      (WithNotificationMaxAge, 24 h by default) still applies to the event's time.

Exit status: 0 done (replay: the handler answered 2xx), 1 failed or an unknown event, 2 usage.`, stderr)
	pgDSN := fset.String("postgres", "", "the NotificationStore in this PostgreSQL database (DSN)")
	sqliteFile := fset.String("sqlite", "", "the NotificationStore in this SQLite file")
	table := fset.String("table", "", "the store's table (default paycools_notifications; the inbox is TABLE_inbox)")
	appID := fset.String("app-id", os.Getenv("PAYCOOLS_APP_ID"), "the merchant appId whose events these are")
	if done, status := parseLeadingFlags(fset, args, stdout); done {
		return status
	}
	if *appID == "" {
		return usageError(fset, "give -app-id (or set PAYCOOLS_APP_ID): the merchant appId whose events to read")
	}
	if (*pgDSN == "") == (*sqliteFile == "") {
		return usageError(fset, "give exactly one of -postgres and -sqlite")
	}
	rest := fset.Args()
	if len(rest) == 0 {
		return usageError(fset, "give list, show KEY or replay KEY -url URL")
	}
	sub, rest := rest[0], rest[1:]
	var run func(*paycoolssql.NotificationStore) int
	switch sub {
	case "list":
		sfs := newFlagSet("events list", "[-failed] [-since D] [-limit N]", "List the events of the inbox.", stderr)
		failed := sfs.Bool("failed", false, "only the events whose function's last run failed (dead letters)")
		since := sfs.Duration("since", 0, "only the events received in this last duration, e.g. 24h (0: all)")
		limit := sfs.Int("limit", 1000, "at most this many events")
		if done, status := parseFlags(sfs, rest, stdout); done {
			return status
		}
		if *since < 0 {
			return usageError(sfs, "-since %v: must not be negative", *since)
		}
		run = func(s *paycoolssql.NotificationStore) int {
			q := paycoolssql.EventQuery{AppID: *appID, FailedOnly: *failed, Limit: *limit}
			if *since > 0 {
				q.Since = time.Now().Add(-*since)
			}
			events, err := s.Events(ctx, q)
			if err != nil {
				fmt.Fprintf(stderr, "paycools events: %v\n", err)
				return exitFail
			}
			writeEvents(stdout, events)
			return exitOK
		}
	case "show":
		sfs := newFlagSet("events show", "KEY", "Show one event of the inbox.", stderr)
		key, status := keyAndFlags(sfs, rest, stdout)
		if key == "" {
			return status
		}
		run = func(s *paycoolssql.NotificationStore) int {
			e, err := s.Event(ctx, *appID, key)
			if err != nil {
				fmt.Fprintf(stderr, "paycools events: %v\n", err)
				return exitFail
			}
			writeEvent(stdout, e)
			return exitOK
		}
	case "replay":
		sfs := newFlagSet("events replay", "KEY -url URL [-timeout 30s]", "Post an event again to your handler and have it run the function again.", stderr)
		url := sfs.String("url", "", "your NotificationHandler's URL")
		timeout := sfs.Duration("timeout", 30*time.Second, "time allowed for the handler's answer")
		key, status := keyAndFlags(sfs, rest, stdout)
		if key == "" {
			return status
		}
		if !strings.HasPrefix(*url, "http://") && !strings.HasPrefix(*url, "https://") {
			return usageError(sfs, "-url %q: give your NotificationHandler's http:// or https:// URL", *url)
		}
		run = func(s *paycoolssql.NotificationStore) int {
			return replayEvent(ctx, s, *appID, key, *url, *timeout, stdout, stderr)
		}
	default:
		return usageError(fset, "unknown events command %q: give list, show or replay", sub)
	}
	store, closeDB, err := openInbox(ctx, *pgDSN, *sqliteFile, *table)
	if err != nil {
		fmt.Fprintf(stderr, "paycools events: %v\n", err)
		return exitFail
	}
	defer closeDB()
	return run(store)
}

// parseLeadingFlags parses the flags before the first argument that is not one, leaving the
// rest in fs.Args(); -h prints the usage on stdout.
func parseLeadingFlags(fs *flag.FlagSet, args []string, stdout io.Writer) (done bool, status int) {
	stderr := fs.Output()
	var buf bytes.Buffer
	fs.SetOutput(&buf)
	err := fs.Parse(args)
	fs.SetOutput(stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		_, _ = stdout.Write(buf.Bytes())
		return true, exitOK
	case err != nil:
		_, _ = stderr.Write(buf.Bytes())
		return true, exitUsage
	}
	return false, exitOK
}

// keyAndFlags reads "KEY [flags]" or "[flags] KEY"; it returns "" and the status on a problem.
func keyAndFlags(fs *flag.FlagSet, args []string, stdout io.Writer) (string, int) {
	var key string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		key, args = args[0], args[1:]
	}
	if done, status := parseLeadingFlags(fs, args, stdout); done {
		return "", status
	}
	if key == "" && fs.NArg() > 0 {
		key = fs.Arg(0)
		if fs.NArg() > 1 {
			return "", usageError(fs, "unexpected argument %q", fs.Arg(1))
		}
	} else if fs.NArg() > 0 {
		return "", usageError(fs, "unexpected argument %q", fs.Arg(0))
	}
	if key == "" {
		return "", usageError(fs, "give the event's KEY (as events list prints it)")
	}
	return key, exitOK
}

// openInbox opens the NotificationStore with its inbox in PostgreSQL or an existing SQLite file.
func openInbox(ctx context.Context, pgDSN, sqliteFile, table string) (*paycoolssql.NotificationStore, func(), error) {
	driver, dsn, flavor := "pgx", pgDSN, paycoolssql.Postgres
	if sqliteFile != "" {
		if _, err := os.Stat(sqliteFile); err != nil {
			return nil, nil, err
		}
		driver, dsn, flavor = "sqlite", "file:"+sqliteFile+"?_pragma=busy_timeout(10000)", paycoolssql.SQLite
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, nil, err
	}
	opts := []paycoolssql.Option{paycoolssql.WithInbox()}
	if table != "" {
		opts = append(opts, paycoolssql.WithTable(table))
	}
	s, err := paycoolssql.NewNotificationStore(ctx, db, flavor, opts...)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return s, func() { db.Close() }, nil
}

// writeEvents prints the events as a table.
func writeEvents(w io.Writer, events []paycoolssql.StoredEvent) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RECEIVED\tOUTCOME\tATTEMPTS\tKEY\tLAST ERROR")
	for _, e := range events {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", e.ReceivedAt.UTC().Format(time.RFC3339), e.Outcome, e.Attempts, e.Key, e.LastError)
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "%d event(s)\n", len(events))
}

// writeEvent prints one event, its body masked.
func writeEvent(w io.Writer, e paycoolssql.StoredEvent) {
	fmt.Fprintf(w, "key:        %s\nevent:      %s\nform:       %s\noutcome:    %s\nattempts:   %d\nreceived:   %s\nupdated:    %s\n",
		e.Key, e.EventName, e.Form, e.Outcome, e.Attempts, e.ReceivedAt.UTC().Format(time.RFC3339), e.UpdatedAt.UTC().Format(time.RFC3339))
	if e.LastError != "" {
		fmt.Fprintf(w, "last error: %s\n", e.LastError)
	}
	fmt.Fprintf(w, "body (account numbers masked, signature removed):\n%s\n", paycools.Redact(string(e.Body)))
}

// replayEvent requests the replay of key and posts its body to url.
func replayEvent(ctx context.Context, s *paycoolssql.NotificationStore, appID, key, url string, timeout time.Duration, stdout, stderr io.Writer) int {
	e, token, err := s.RequestReplay(ctx, appID, key)
	if err != nil {
		fmt.Fprintf(stderr, "paycools events: %v\n", err)
		return exitFail
	}
	if token == "" {
		fmt.Fprintf(stdout, "the event is %s, not handled: posting it without a replay token (the handler runs it as a redelivery, unless a delivery is running it)\n", e.Outcome)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(e.Body))
	if err != nil {
		fmt.Fprintf(stderr, "paycools events: %v\n", err)
		return exitFail
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set(paycools.ReplayHeader, token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "paycools events: posting the event: %v (the replay token stays valid until the next replay request)\n", err)
		return exitFail
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	fmt.Fprintf(stdout, "%s answered %d: %s\n", url, resp.StatusCode, paycools.Redact(string(reply)))
	if resp.StatusCode/100 != 2 {
		return exitFail
	}
	return exitOK
}
