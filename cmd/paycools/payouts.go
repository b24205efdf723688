package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolssql"
)

// payoutColumns are the columns of a payouts file; remark may be left out.
var payoutColumns = []string{"mchOrderId", "amount", "accountNo", "accountName", "payMethodCode", "transferCode", "remark"}

// runPayouts implements "paycools payouts": a disbursement file paid out exactly once through
// Payouts.CreateMany and the ledger.
func runPayouts(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fset := newFlagSet("payouts", "-csv FILE (-sqlite LEDGER | -postgres DSN) -base-url URL -app-id ID -key FILE [-concurrency N] [-rate PER_SECOND] [-dry-run] [-report FILE]", `
Pay out every row of a CSV file, exactly once. The header is
  mchOrderId,amount,accountNo,accountName,payMethodCode,transferCode,remark
(remark optional; amounts in minor units, PHP 500.10 is 50010, or with -amounts pesos as
500.10). Every row is validated first: with any invalid row the command lists each one by
line and field and sends nothing (unless -skip-invalid); -dry-run stops there and prints the
rows and the amount per payMethodCode to be paid.

Every payout goes through the SDK's intent ledger (-sqlite FILE or -postgres DSN). Running
the same file again - after a success, an error, Ctrl-C or a crash - first settles what the
earlier run left open, then pays only the rows that have no payout yet: no row is paid twice.
A row whose outcome stays unknown is reported as unknown, not sent again; run the command
later and it is settled first.

-concurrency payouts are in flight at once (default 4), at most -rate per second; PayCools'
rate-limit answers pause every worker for a backoff. Ctrl-C stops sending: the calls in
flight finish. A progress line (done, failed, unknown, payouts/s, ETA) goes to stderr. The
report (CSV: line,mchOrderId,state,amount,transactionId,code,message, then one total line per
state) goes to -report FILE or standard output, written as the rows finish.

Flags default to PAYCOOLS_BASE_URL, PAYCOOLS_APP_ID, PAYCOOLS_PRIVATE_KEY_FILE (or the key in
PAYCOOLS_PRIVATE_KEY), PAYCOOLS_DIALECT and PAYCOOLS_APP_NAME. Exit status: 0 when every row
is created, 1 otherwise (or the run failed), 2 for a usage error.`, stderr)
	csvFile := fset.String("csv", "", "the payouts file (\"-\" reads standard input)")
	pgDSN := fset.String("postgres", "", "the ledger: the paycoolssql ledger in this PostgreSQL database (DSN)")
	sqliteFile := fset.String("sqlite", "", "the ledger: the paycoolssql ledger in this SQLite file (created if missing)")
	table := fset.String("table", "", "the ledger's table (default paycools_intents)")
	amounts := fset.String("amounts", "minor", "how amounts are written: minor (50010) or pesos (500.10)")
	concurrency := fset.Int("concurrency", paycools.DefaultBulkConcurrency, "payouts in flight at once")
	rate := fset.Float64("rate", 0, "at most this many payouts started per second (0: no cap)")
	dryRun := fset.Bool("dry-run", false, "validate and print the totals; send nothing")
	skipInvalid := fset.Bool("skip-invalid", false, "pay the valid rows even when some rows are invalid")
	adoptLegacy := fset.Bool("adopt-legacy-rows", false, "the ledger's rows written by a version before app ids are -app-id's: give them to it (paycoolssql.WithLegacyAppID), once")
	reportFile := fset.String("report", "", "write the report (CSV) to this file instead of standard output")
	callTimeout := fset.Duration("call-timeout", paycools.DefaultBulkCallTimeout, "time allowed for one payout; after a crash, the next run settles its rows once this (plus 2s) and -settle-time have passed")
	settleTime := fset.Duration("settle-time", paycools.DefaultSettleTime, "how long after a crashed run's last request a payout PayCools does not know is taken as never arrived (and paid by this run)")
	cr := credentialFlags(fset, "the PayCools host")
	dialectName := fset.String("dialect", os.Getenv("PAYCOOLS_DIALECT"), "open-api or ph (default: from the host)")
	appName := fset.String("app-name", os.Getenv("PAYCOOLS_APP_NAME"), "the appName of the PH host, when it wants one")
	if done, status := parseFlags(fset, args, stdout); done {
		return status
	}
	switch {
	case *csvFile == "":
		return usageError(fset, "-csv FILE is required")
	case *pgDSN != "" && *sqliteFile != "":
		return usageError(fset, "give one of -sqlite and -postgres, not both")
	case *pgDSN == "" && *sqliteFile == "" && !*dryRun:
		return usageError(fset, "give the ledger: -sqlite FILE or -postgres DSN (it is what keeps a re-run from paying twice)")
	case *amounts != "minor" && *amounts != "pesos":
		return usageError(fset, "-amounts %q: want minor or pesos", *amounts)
	case *concurrency < 1:
		return usageError(fset, "-concurrency %d: want 1 or more", *concurrency)
	case *rate < 0:
		return usageError(fset, "-rate %v: want 0 (no cap) or more", *rate)
	case *callTimeout <= 0:
		return usageError(fset, "-call-timeout %v: want a positive duration", *callTimeout)
	case *settleTime <= 0:
		return usageError(fset, "-settle-time %v: want a positive duration", *settleTime)
	}
	key, status := cr.key(fset)
	if key == nil {
		return status
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "paycools payouts: "+format+"\n", a...)
		return exitFail
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	finished := make(chan struct{})
	var watcher sync.WaitGroup
	defer watcher.Wait() // after close(finished): the watcher has returned before stop()
	defer close(finished)
	watcher.Add(1)
	go func() {
		defer watcher.Done()
		select {
		case <-ctx.Done():
			stop() // a second Ctrl-C ends the process at once
			fmt.Fprintln(stderr, "\npaycools payouts: stopping: no new payout is sent, the ones in flight finish (Ctrl-C again to quit now; the next run settles them)")
		case <-finished:
		}
	}()

	name := *csvFile
	if name == "-" { // read twice (validate, then pay): keep standard input in a file
		tmp, err := spoolStdin()
		if err != nil {
			return fail("%v", err)
		}
		defer os.Remove(tmp)
		name = tmp
	}
	file := &payoutFile{name: name, pesos: *amounts == "pesos", problems: map[int][]paycools.FieldError{}}
	if err := file.checkHeader(); err != nil {
		return fail("%s: %v", *csvFile, err)
	}

	opts := []paycools.Option{paycools.WithBaseURL(*cr.baseURL), paycools.WithSettleTime(*settleTime)}
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
	if !*dryRun {
		driver, dsn, flavor := "pgx", *pgDSN, paycoolssql.Postgres
		if *sqliteFile != "" {
			driver, dsn, flavor = "sqlite", "file:"+*sqliteFile+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)", paycoolssql.SQLite
		}
		db, err := sql.Open(driver, dsn)
		if err != nil {
			return fail("%v", err)
		}
		defer db.Close()
		if flavor == paycoolssql.SQLite {
			// One writer at a time anyway: queue in Go instead of in SQLite's busy handler,
			// whose sleeps would eat the calls' time.
			db.SetMaxOpenConns(1)
		}
		var lopts []paycoolssql.Option
		if *table != "" {
			lopts = append(lopts, paycoolssql.WithTable(*table))
		}
		if *adoptLegacy {
			lopts = append(lopts, paycoolssql.WithLegacyAppID(*cr.appID))
		}
		l, err := paycoolssql.NewLedger(ctx, db, flavor, lopts...)
		if errors.Is(err, paycoolssql.ErrLegacyRows) {
			return fail("ledger: %v; when they are this -app-id's (a ledger of earlier runs of this command), run again with -adopt-legacy-rows", err)
		}
		if err != nil {
			return fail("ledger: %v", err)
		}
		opts = append(opts, paycools.WithLedger(l))
	}
	c, err := paycools.NewClient(*cr.appID, key, opts...)
	if err != nil {
		return usageError(fset, "%v", err)
	}

	var out io.Writer = stdout
	if *reportFile != "" {
		f, err := os.Create(*reportFile)
		if err != nil {
			return fail("-report: %v", err)
		}
		defer f.Close()
		out = f
	}
	rep := newPayoutReport(out, stderr, *dryRun)
	runErr := func() error {
		for o, err := range c.Payouts.CreateMany(ctx, file.rows(), paycools.CreateManyOptions{Concurrency: *concurrency, Rate: *rate,
			SkipInvalid: *skipInvalid, DryRun: *dryRun, CallTimeout: *callTimeout}) {
			if err != nil {
				return err
			}
			rep.add(o, file)
		}
		return nil
	}()
	if file.err != nil {
		runErr = errors.Join(runErr, file.err)
	}
	rep.finish(file.count())
	if runErr != nil {
		var bie *paycools.BulkInvalidError
		if errors.As(runErr, &bie) {
			return fail("%d of %d row(s) invalid (listed above), nothing was sent: fix them, or pass -skip-invalid to pay the others", bie.Invalid, bie.Rows)
		}
		return fail("%v", runErr)
	}
	if err := rep.err(); err != nil {
		return fail("report: %v", err)
	}
	if !rep.allCreated(file.count()) {
		return exitFail
	}
	return exitOK
}

// spoolStdin copies standard input to a temporary file.
func spoolStdin() (string, error) {
	f, err := os.CreateTemp("", "paycools-payouts-*.csv")
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := io.Copy(f, os.Stdin); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("reading standard input: %w", err)
	}
	return f.Name(), nil
}

// payoutFile reads a payouts CSV file, once per pass of CreateMany. The first pass records
// the line of each row and the problems CSV parsing found; later passes only read.
type payoutFile struct {
	name     string
	pesos    bool
	passes   int
	lines    []int32                       // the line each row starts on, by row index (first pass)
	problems map[int][]paycools.FieldError // what parsing found wrong, by row index (first pass)
	err      error                         // a read error that ended a pass
}

func (f *payoutFile) count() int { return len(f.lines) }

// line is the file line of row index i.
func (f *payoutFile) line(i int) int {
	if i >= 0 && i < len(f.lines) {
		return int(f.lines[i])
	}
	return 0
}

func (f *payoutFile) open() (*os.File, *csv.Reader, map[string]int, error) {
	fh, err := os.Open(f.name)
	if err != nil {
		return nil, nil, nil, err
	}
	r := csv.NewReader(fh)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		fh.Close()
		if err == io.EOF {
			return nil, nil, nil, errors.New("empty file: want the header " + strings.Join(payoutColumns, ","))
		}
		return nil, nil, nil, err
	}
	cols := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		known := false
		for _, c := range payoutColumns {
			known = known || h == c
		}
		if !known {
			fh.Close()
			return nil, nil, nil, fmt.Errorf("unknown column %q: want the header %s", h, strings.Join(payoutColumns, ","))
		}
		if _, dup := cols[h]; dup {
			fh.Close()
			return nil, nil, nil, fmt.Errorf("column %q appears twice", h)
		}
		cols[h] = i
	}
	for _, c := range payoutColumns[:6] {
		if _, ok := cols[c]; !ok {
			fh.Close()
			return nil, nil, nil, fmt.Errorf("column %q is missing: want the header %s", c, strings.Join(payoutColumns, ","))
		}
	}
	return fh, r, cols, nil
}

func (f *payoutFile) checkHeader() error {
	fh, _, _, err := f.open()
	if err == nil {
		fh.Close()
	}
	return err
}

// rows yields the file's rows as payout params, reading the file from its start each time.
func (f *payoutFile) rows() iter.Seq[*paycools.PayoutCreateParams] {
	return func(yield func(*paycools.PayoutCreateParams) bool) {
		f.passes++
		first := f.passes == 1
		fh, r, cols, err := f.open()
		if err != nil {
			f.err = err
			return
		}
		defer fh.Close()
		get := func(rec []string, name string) string {
			if i, ok := cols[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		for idx := 0; ; idx++ {
			rec, err := r.Read()
			if err == io.EOF {
				return
			}
			var pe *csv.ParseError
			if err != nil && !errors.As(err, &pe) {
				f.err = err
				return
			}
			if first {
				line := 0
				if pe != nil {
					line = pe.StartLine
				} else {
					line, _ = r.FieldPos(0)
				}
				f.lines = append(f.lines, int32(line))
			}
			if pe != nil {
				if first {
					f.problems[idx] = []paycools.FieldError{{Field: "csv", Problem: pe.Err.Error()}}
				}
				if !yield(nil) {
					return
				}
				continue
			}
			p := &paycools.PayoutCreateParams{MchOrderID: get(rec, "mchOrderId"), AccountNo: get(rec, "accountNo"),
				AccountName: get(rec, "accountName"), PayMethodCode: paycools.PayMethodCode(get(rec, "payMethodCode")),
				TransferCode: get(rec, "transferCode"), Remark: get(rec, "remark")}
			if s := get(rec, "amount"); s != "" {
				a, problem := f.amount(s)
				if problem != "" && first {
					f.problems[idx] = append(f.problems[idx], paycools.FieldError{Field: "amount", Problem: problem})
				}
				p.Amount = a
			}
			if !yield(p) {
				return
			}
		}
	}
}

// amount reads an amount cell: minor units, or pesos with -amounts pesos.
func (f *payoutFile) amount(s string) (paycools.Amount, string) {
	if f.pesos {
		a, err := paycools.ParseAmount(s)
		if err != nil {
			return 0, "not an amount in pesos (500.10)"
		}
		return a, ""
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, "not a whole number of centavos (50010 is PHP 500.10; give -amounts pesos to write 500.10)"
	}
	return paycools.Amount(n), ""
}

// payoutReport writes the report as the rows finish, the invalid rows to stderr, and the
// progress line.
type payoutReport struct {
	w        *csv.Writer
	stderr   io.Writer
	dryRun   bool
	terminal bool
	start    time.Time
	shown    time.Time
	states   map[paycools.PayoutRowState]int
	amounts  map[paycools.PayoutRowState]paycools.Amount
	byMethod map[paycools.PayMethodCode][2]int64 // dry run: rows, amount
	flagged  int                                 // created rows with a warning
	done     int
}

func newPayoutReport(out, stderr io.Writer, dryRun bool) *payoutReport {
	r := &payoutReport{w: csv.NewWriter(out), stderr: stderr, dryRun: dryRun, start: time.Now(),
		states: map[paycools.PayoutRowState]int{}, amounts: map[paycools.PayoutRowState]paycools.Amount{},
		byMethod: map[paycools.PayMethodCode][2]int64{}}
	r.terminal = isTerminal(stderr)
	if !dryRun {
		_ = r.w.Write([]string{"line", "mchOrderId", "state", "amount", "transactionId", "code", "message"})
	}
	return r
}

// add records one row's outcome.
func (r *payoutReport) add(o paycools.PayoutRowOutcome, f *payoutFile) {
	r.done++
	r.states[o.State]++
	r.amounts[o.State] += o.Amount
	line := f.line(o.Index)
	if o.State == paycools.PayoutRowStateInvalid {
		fmt.Fprintf(r.stderr, "line %d: %s\n", line, rowProblems(o, f))
	}
	if r.dryRun {
		if o.State == paycools.PayoutRowStateValid {
			m := r.byMethod[o.PayMethodCode]
			r.byMethod[o.PayMethodCode] = [2]int64{m[0] + 1, m[1] + int64(o.Amount)}
		}
		return
	}
	code, msg := "", ""
	var ae *paycools.APIError
	switch {
	case o.State == paycools.PayoutRowStateInvalid:
		msg = rowProblems(o, f)
	case errors.As(o.Err, &ae) && o.State == paycools.PayoutRowStateRefused:
		// The error's text, not ae.Message: PayCools' message may quote the account number,
		// and the text has it masked.
		code, msg = strconv.Itoa(ae.Code), o.Err.Error()
	case o.Err != nil:
		msg = o.Err.Error()
	case o.Earlier:
		msg = "paid by an earlier run"
	}
	if o.State == paycools.PayoutRowStateCreated && o.Err != nil {
		r.flagged++
	}
	_ = r.w.Write([]string{strconv.Itoa(line), o.MchOrderID, string(o.State), strconv.FormatInt(int64(o.Amount), 10), o.TransactionID, code, msg})
	r.progress(f.count(), false)
}

// rowProblems words what is wrong with an invalid row: parsing first, then validation.
func rowProblems(o paycools.PayoutRowOutcome, f *payoutFile) string {
	var parts []string
	parsed := map[string]bool{}
	for _, fe := range f.problems[o.Index] {
		parts = append(parts, fe.Field+": "+fe.Problem)
		parsed[fe.Field] = true
	}
	var ve *paycools.ValidationError
	if errors.As(o.Err, &ve) {
		for _, fe := range ve.Fields {
			switch {
			case parsed[fe.Field], parsed["csv"] && fe.Field == "params":
				continue // already said, better
			case fe.Field == "mchOrderId" && o.DuplicateOf >= 0:
				parts = append(parts, fmt.Sprintf("mchOrderId: %q also on line %d: each payout needs its own", o.MchOrderID, f.line(o.DuplicateOf)))
			default:
				parts = append(parts, fe.Field+": "+fe.Problem)
			}
		}
	} else if o.Err != nil {
		parts = append(parts, o.Err.Error())
	}
	return strings.Join(parts, "; ")
}

// progress shows done / failed / unknown, payouts per second and the ETA: one line rewritten
// on a terminal, a line every 5 seconds in a log.
func (r *payoutReport) progress(total int, final bool) {
	now := time.Now()
	every := 5 * time.Second
	if r.terminal {
		every = 200 * time.Millisecond
	}
	if !final && now.Sub(r.shown) < every {
		return
	}
	r.shown = now
	r.w.Flush()
	elapsed := now.Sub(r.start).Seconds()
	perSec := 0.0
	if elapsed > 0 {
		perSec = float64(r.done) / elapsed
	}
	eta := "-"
	if left := total - r.done; left > 0 && perSec > 0 {
		eta = (time.Duration(float64(left)/perSec) * time.Second).Truncate(time.Second).String()
	}
	failed := r.states[paycools.PayoutRowStateRefused] + r.states[paycools.PayoutRowStateInvalid] + r.states[paycools.PayoutRowStateNotSent]
	line := fmt.Sprintf("paycools payouts: %d/%d done: %d created, %d failed, %d unknown; %.1f payouts/s, ETA %s",
		r.done, total, r.states[paycools.PayoutRowStateCreated], failed, r.states[paycools.PayoutRowStateUnknown], perSec, eta)
	if r.terminal && !final {
		fmt.Fprintf(r.stderr, "\r%s\x1b[K", line)
		return
	}
	if r.terminal {
		fmt.Fprintf(r.stderr, "\r%s\x1b[K\n", line)
		return
	}
	fmt.Fprintln(r.stderr, line)
}

// finish writes the totals.
func (r *payoutReport) finish(total int) {
	if r.dryRun {
		methods := make([]string, 0, len(r.byMethod))
		for m := range r.byMethod {
			methods = append(methods, string(m))
		}
		sort.Strings(methods)
		_ = r.w.Write([]string{"payMethodCode", "rows", "amount"})
		var rows, sum int64
		for _, m := range methods {
			v := r.byMethod[paycools.PayMethodCode(m)]
			rows, sum = rows+v[0], sum+v[1]
			_ = r.w.Write([]string{m, strconv.FormatInt(v[0], 10), paycools.Amount(v[1]).String()})
		}
		_ = r.w.Write([]string{"total", strconv.FormatInt(rows, 10), paycools.Amount(sum).String()})
		r.w.Flush()
		fmt.Fprintf(r.stderr, "paycools payouts: dry run: %d row(s), %d valid, %d invalid; nothing was sent\n",
			total, r.states[paycools.PayoutRowStateValid], r.states[paycools.PayoutRowStateInvalid])
		return
	}
	for _, st := range []paycools.PayoutRowState{paycools.PayoutRowStateCreated, paycools.PayoutRowStateRefused, paycools.PayoutRowStateInvalid,
		paycools.PayoutRowStateUnknown, paycools.PayoutRowStateNotSent} {
		_ = r.w.Write([]string{"total", "", string(st), strconv.FormatInt(int64(r.amounts[st]), 10), "", "", strconv.Itoa(r.states[st]) + " row(s)"})
	}
	r.w.Flush()
	r.progress(total, true)
	if r.flagged > 0 {
		fmt.Fprintf(r.stderr, "paycools payouts: %d row(s) were paid by an earlier run with other values than the file's now (see the report)\n", r.flagged)
	}
}

func (r *payoutReport) err() error { return r.w.Error() }

// allCreated reports whether every row of the file is created, without a warning.
func (r *payoutReport) allCreated(rows int) bool {
	return !r.dryRun && r.flagged == 0 && r.states[paycools.PayoutRowStateCreated] == rows ||
		r.dryRun && r.states[paycools.PayoutRowStateValid] == rows
}
