package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // -postgres: the ledger in PostgreSQL
	_ "modernc.org/sqlite"             // -sqlite: the ledger in SQLite (pure Go)

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolssql"
)

// runReconcile implements "paycools reconcile": one business day of PayCools' statements
// against the merchant's books (a CSV file, or the SDK's intent ledger in PostgreSQL or SQLite).
func runReconcile(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fset := newFlagSet("reconcile", "-day YYYY-MM-DD (-csv FILE | -postgres DSN | -sqlite FILE) -base-url URL -app-id ID -key FILE [-format table|csv|json]", `
Reconcile one business day (the day the statements are asked for, UTC+8 on the PH host):
stream PayCools' collection and payout statements page by page and match them against your
books, then print what matched and every difference: at PayCools but not in the books, in the
books but not at PayCools, amount, status or currency mismatch, an order PayCools lists more
than once (duplicate: paid twice, or pages that overlapped), a statement record the SDK cannot
read (unreadable, with its ids and text); with totals per currency and direction. Books are a
CSV file (header mchOrderId,direction,amount,currency,status; amounts in minor units: PHP
500.10 is 50010; every bad row is named by its line) or the SDK's intent ledger (paycoolssql)
in PostgreSQL or SQLite, read only: a role with SELECT on the table is enough. A progress line
(pages and records so far) goes to stderr.

Flags default to PAYCOOLS_BASE_URL, PAYCOOLS_APP_ID, PAYCOOLS_PRIVATE_KEY_FILE (or the key in
PAYCOOLS_PRIVATE_KEY), PAYCOOLS_DIALECT and PAYCOOLS_APP_NAME. Exit status: 0 when everything
matches, 1 when anything does not (or the run failed), 2 for a usage error.`, stderr)
	day := fset.String("day", "", "the business day, YYYY-MM-DD")
	csvFile := fset.String("csv", "", "books: a CSV file (\"-\" reads standard input)")
	pgDSN := fset.String("postgres", "", "books: the paycoolssql ledger in this PostgreSQL database (DSN)")
	sqliteFile := fset.String("sqlite", "", "books: the paycoolssql ledger in this SQLite file")
	table := fset.String("table", "", "the ledger's table (default paycools_intents)")
	format := fset.String("format", "table", "output: table, csv or json")
	cr := credentialFlags(fset, "the PayCools host")
	dialectName := fset.String("dialect", os.Getenv("PAYCOOLS_DIALECT"), "open-api or ph (default: from the host)")
	appName := fset.String("app-name", os.Getenv("PAYCOOLS_APP_NAME"), "the appName of the PH host, when it wants one")
	timeout := fset.Duration("timeout", 10*time.Minute, "time allowed for the whole run")
	if done, status := parseFlags(fset, args, stdout); done {
		return status
	}
	if _, err := time.Parse("2006-01-02", *day); err != nil {
		return usageError(fset, "-day %q: want YYYY-MM-DD", *day)
	}
	n := 0
	for _, s := range []string{*csvFile, *pgDSN, *sqliteFile} {
		if s != "" {
			n++
		}
	}
	if n != 1 {
		return usageError(fset, "give exactly one of -csv, -postgres and -sqlite")
	}
	if *format != "table" && *format != "csv" && *format != "json" {
		return usageError(fset, "-format %q: want table, csv or json", *format)
	}
	key, status := cr.key(fset)
	if key == nil {
		return status
	}
	opts := []paycools.Option{paycools.WithBaseURL(*cr.baseURL)}
	if *dialectName != "" {
		d, err := paycools.ParseDialect(*dialectName)
		if err != nil {
			return usageError(fset, "-dialect: %v", err)
		}
		opts = append(opts, paycools.WithDialect(d))
	}
	if *appName != "" {
		opts = append(opts, paycools.WithAppName(*appName))
	}
	c, err := paycools.NewClient(*cr.appID, key, opts...)
	if err != nil {
		return usageError(fset, "%v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	var books paycools.Books
	switch {
	case *csvFile != "":
		name := *csvFile
		books = paycools.CSVBooks{Open: func() (io.ReadCloser, error) {
			if name == "-" {
				return io.NopCloser(os.Stdin), nil
			}
			return os.Open(name)
		}}
	default:
		driver, dsn, flavor := "pgx", *pgDSN, paycoolssql.Postgres
		if *sqliteFile != "" {
			driver, dsn, flavor = "sqlite", "file:"+*sqliteFile+"?_pragma=busy_timeout(10000)&mode=ro", paycoolssql.SQLite
		}
		db, err := sql.Open(driver, dsn)
		if err != nil {
			fmt.Fprintf(stderr, "paycools reconcile: %v\n", err)
			return exitFail
		}
		defer db.Close()
		var lopts []paycoolssql.Option
		if *table != "" {
			lopts = append(lopts, paycoolssql.WithTable(*table))
		}
		// Read only: no DDL, so that a reporting role with SELECT on the table is enough.
		books, err = paycoolssql.OpenLedgerBooks(ctx, db, flavor, *cr.appID, lopts...)
		if err != nil {
			fmt.Fprintf(stderr, "paycools reconcile: %v\n", err)
			return exitFail
		}
	}
	// On a terminal the progress line is rewritten in place; in a log, one line per page.
	terminal := isTerminal(stderr)
	rep, err := paycools.Reconcile(ctx, c, *day, books, paycools.ReconcileOptions{Progress: func(pages, records int) {
		if terminal {
			fmt.Fprintf(stderr, "\rpaycools reconcile: %d page(s), %d record(s)", pages, records)
		} else {
			fmt.Fprintf(stderr, "paycools reconcile: %d page(s), %d record(s)\n", pages, records)
		}
	}})
	if terminal {
		fmt.Fprintln(stderr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "paycools reconcile: %v\n", err)
		return exitFail
	}
	if err := writeReport(stdout, rep, *format); err != nil {
		fmt.Fprintf(stderr, "paycools reconcile: %v\n", err)
		return exitFail
	}
	if !rep.OK() {
		return exitFail
	}
	return exitOK
}

// reportRows are the report's mismatches in one list: kind and item.
func reportRows(rep *paycools.ReconcileReport) [][2]any {
	var rows [][2]any
	for _, g := range []struct {
		kind  string
		items []paycools.ReconcileItem
	}{
		{"only-at-paycools", rep.OnlyAtPayCools}, {"only-in-books", rep.OnlyInBooks},
		{"amount-mismatch", rep.AmountMismatch}, {"status-mismatch", rep.StatusMismatch},
		{"currency-mismatch", rep.CurrencyMismatch}, {"duplicate", rep.Duplicates}, {"unreadable", rep.Unreadable},
	} {
		for _, it := range g.items {
			rows = append(rows, [2]any{g.kind, it})
		}
	}
	return rows
}

func writeReport(w io.Writer, rep *paycools.ReconcileReport, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"kind", "mchOrderId", "direction", "transactionId", "paycoolsAmount", "booksAmount", "paycoolsStatus", "booksStatus", "problem",
			"paycoolsCurrency", "booksCurrency", "listed", "record"})
		for _, r := range reportRows(rep) {
			it := r[1].(paycools.ReconcileItem)
			_ = cw.Write([]string{r[0].(string), it.MchOrderID, string(it.Direction), it.TransactionID,
				strconv.FormatInt(int64(it.PayCoolsAmount), 10), strconv.FormatInt(int64(it.BooksAmount), 10),
				string(it.PayCoolsStatus), string(it.BooksStatus), it.Problem,
				string(it.PayCoolsCurrency), string(it.BooksCurrency), strconv.Itoa(it.Listed), it.Record})
		}
		cw.Flush()
		return cw.Error()
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "day %s: %d record(s) in %d page(s) from PayCools; %d matched\n", rep.Day, rep.Records, rep.Pages, rep.Matched)
	if rows := reportRows(rep); len(rows) > 0 {
		fmt.Fprintln(tw, "KIND\tORDER\tDIRECTION\tPAYCOOLS\tBOOKS\tPROBLEM")
		for _, r := range rows {
			it := r[1].(paycools.ReconcileItem)
			order, amount, problem := it.MchOrderID, it.PayCoolsAmount.String(), it.Problem
			if order == "" {
				order = "?"
			}
			if r[0] == "unreadable" {
				amount = "?" // not read
				problem += "; record: " + it.Record
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s %s\t%s %s\t%s\n", r[0], order, it.Direction,
				amount, it.PayCoolsStatus, it.BooksAmount, it.BooksStatus, problem)
		}
	}
	fmt.Fprintln(tw, "CURRENCY\tDIRECTION\tPAYCOOLS (n, amount)\tBOOKS (n, amount)")
	for _, t := range rep.Totals {
		fmt.Fprintf(tw, "%s\t%s\t%d, %s\t%d, %s\n", t.Currency, t.Direction, t.PayCoolsCount, t.PayCoolsAmount, t.BooksCount, t.BooksAmount)
	}
	if rep.OK() {
		fmt.Fprintln(tw, "everything matches")
	} else {
		fmt.Fprintln(tw, strings.TrimSpace(fmt.Sprintf("%d difference(s)", len(reportRows(rep)))))
	}
	return tw.Flush()
}
