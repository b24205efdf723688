package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
)

const payoutsHeader = "mchOrderId,amount,accountNo,accountName,payMethodCode,transferCode,remark\n"

// payoutsFile is a clean payouts file of n rows (order ids prefixROW00000..., amounts 100+i
// centavos, every third row to a bank) and the sum of its amounts.
func payoutsFile(t *testing.T, prefix string, n int) (string, paycools.Amount) {
	var b strings.Builder
	b.WriteString(payoutsHeader)
	var sum paycools.Amount
	for i := range n {
		sum += paycools.Amount(100 + i)
		if i%3 == 2 {
			fmt.Fprintf(&b, "%sROW%05d,%d,001234567890,Maria Santos,BANK,BDO,wages\n", prefix, i, 100+i)
		} else {
			fmt.Fprintf(&b, "%sROW%05d,%d,09171234567,Juan Dela Cruz,EWALLET,GCASH,\n", prefix, i, 100+i)
		}
	}
	return writeTemp(t, "payouts.csv", []byte(b.String())), sum
}

func payoutsGateway(t *testing.T, opts ...paycoolstest.Option) *paycoolstest.Server {
	return paycoolstest.New(t, append([]paycoolstest.Option{paycoolstest.WithKeys(merchantKey(t), platformKey(t))}, opts...)...)
}

func payoutsArgs(s *paycoolstest.Server) []string {
	return []string{"payouts", "-base-url", s.URL(), "-app-id", s.AppID(), "-key", testKeyPath("test_merchant_2048_pkcs8.pem")}
}

// readReport parses a report: the rows by mchOrderId and the total lines by state.
func readReport(t *testing.T, data string) (rows map[string][]string, totals map[string][]string) {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(data)).ReadAll()
	require.NoError(t, err, data)
	require.NotEmpty(t, recs)
	require.Equal(t, []string{"line", "mchOrderId", "state", "amount", "transactionId", "code", "message"}, recs[0])
	rows, totals = map[string][]string{}, map[string][]string{}
	for _, r := range recs[1:] {
		if r[0] == "total" {
			totals[r[2]] = r
			continue
		}
		_, twice := rows[r[1]]
		require.False(t, twice, "%s reported twice", r[1])
		rows[r[1]] = r
	}
	return rows, totals
}

func createCount(s *paycoolstest.Server) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Operation == paycools.OpPayoutCreate {
			n++
		}
	}
	return n
}

// TestPayoutsCommandInvalidRowsSendNothing: every bad row is named by line and field, and
// nothing is sent.
func TestPayoutsCommandInvalidRowsSendNothing(t *testing.T) {
	s := payoutsGateway(t)
	file := writeTemp(t, "payouts.csv", []byte(payoutsHeader+
		"GOODROW00001,50010,09171234567,Juan Dela Cruz,EWALLET,GCASH,\n"+ // line 2
		"BADROW000002,500.10,09171234567,Juan Dela Cruz,EWALLET,GCASH,\n"+ // line 3: pesos without -amounts pesos
		"BADROW000003,50010,12345,Juan Dela Cruz,EWALLET,GCASH,\n"+ // line 4: not a wallet number
		"GOODROW00001,700,09171234567,Juan Dela Cruz,EWALLET,GCASH,\n"+ // line 5: repeats line 2
		"BADROW000005,50010,09171234567,,EWALLET,GCASH,\n"+ // line 6: no name
		"BADROW000006,50010,09171234567,Juan Dela Cruz,CASH,GCASH,\n")) // line 7: unknown method
	ledger := filepath.Join(t.TempDir(), "ledger.db")
	before := s.Balance()
	status, out, errOut := runCLI(t, append(payoutsArgs(s), "-csv", file, "-sqlite", ledger)...)
	assert.Equal(t, exitFail, status, "%s\n%s", out, errOut)
	for _, want := range []string{
		"line 2: mchOrderId: \"GOODROW00001\" also on line 5",
		"line 3: amount: not a whole number of centavos",
		"line 4: accountNo:",
		"line 5: mchOrderId: \"GOODROW00001\" also on line 2",
		"line 6: accountName: is required",
		"line 7: payMethodCode:",
		"6 of 6 row(s) invalid",
		"nothing was sent",
	} {
		assert.Contains(t, errOut, want)
	}
	assert.NotContains(t, errOut, "12345", "no account number is echoed")
	assert.Empty(t, s.Requests(), "nothing was sent")
	assert.Equal(t, before, s.Balance())

	// The header is checked before anything else.
	bad := writeTemp(t, "bad.csv", []byte("mchOrderId,amount,iban\n"))
	status, _, errOut = runCLI(t, append(payoutsArgs(s), "-csv", bad, "-sqlite", ledger)...)
	assert.Equal(t, exitFail, status)
	assert.Contains(t, errOut, `unknown column "iban"`)
}

// TestPayoutsCommandUsage: the ledger is required (it is what keeps a re-run from paying
// twice), and the flags are checked.
func TestPayoutsCommandUsage(t *testing.T) {
	s := payoutsGateway(t)
	file, _ := payoutsFile(t, "USE", 1)
	for _, args := range [][]string{
		{"-csv", file},
		{"-csv", file, "-sqlite", "a.db", "-postgres", "postgres://x"},
		{"-sqlite", "a.db"},
		{"-csv", file, "-sqlite", "a.db", "-amounts", "dollars"},
		{"-csv", file, "-sqlite", "a.db", "-concurrency", "0"},
	} {
		status, _, errOut := runCLI(t, append(payoutsArgs(s), args...)...)
		assert.Equal(t, exitUsage, status, "%v: %s", args, errOut)
	}
	assert.Empty(t, s.Requests())
	status, out, _ := runCLI(t, "payouts", "-h")
	assert.Equal(t, exitOK, status)
	assert.Contains(t, out, "exactly once")
}

// TestPayoutsCommandDryRun: pesos read exactly, totals per payMethodCode, nothing sent.
func TestPayoutsCommandDryRun(t *testing.T) {
	s := payoutsGateway(t)
	file := writeTemp(t, "payouts.csv", []byte(payoutsHeader+
		"DRYROW000001,500.10,09171234567,Juan Dela Cruz,EWALLET,GCASH,\n"+
		"DRYROW000002,1.29,09171234567,Juan Dela Cruz,EWALLET,GCASH,x\n"+
		"DRYROW000003,1200,001234567890,Maria Santos,BANK,BDO,\n"))
	status, out, errOut := runCLI(t, append(payoutsArgs(s), "-csv", file, "-dry-run", "-amounts", "pesos")...)
	require.Equal(t, exitOK, status, "%s\n%s", out, errOut)
	assert.Contains(t, out, "BANK,1,1200.00\n")
	assert.Contains(t, out, "EWALLET,2,501.39\n", "500.10 + 1.29, exactly")
	assert.Contains(t, out, "total,3,1701.39\n")
	assert.Contains(t, errOut, "nothing was sent")
	assert.Empty(t, s.Requests())
}

// TestPayoutsCommandStdin: "-csv -" reads the file from standard input (kept in a temporary
// file, since it is read twice) and pays it.
func TestPayoutsCommandStdin(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs processes")
	}
	s := payoutsGateway(t)
	file, sum := payoutsFile(t, "STDIN", 7)
	in, err := os.Open(file)
	require.NoError(t, err)
	defer in.Close()
	before := s.Balance()
	args := append(payoutsArgs(s), "-csv", "-", "-sqlite", filepath.Join(t.TempDir(), "ledger.db"))
	child := exec.Command(os.Args[0], "-test.run=^TestPayoutsChild$", "-test.count=1")
	raw, err := json.Marshal(args)
	require.NoError(t, err)
	child.Env = append(os.Environ(), payoutsChildEnv+"="+string(raw))
	child.Stdin = in
	out, err := child.Output()
	require.NoError(t, err, "%s", out)
	rows, totals := readReport(t, string(out))
	assert.Len(t, rows, 7)
	assert.Equal(t, "7 row(s)", totals["created"][6])
	assert.Equal(t, before-sum, s.Balance())
}

// TestPayoutsCommandRunAndRerun: a clean run pays every row once (the balance proves it) and
// the report lists every row with its transaction id; a second run pays nothing and says so.
func TestPayoutsCommandRunAndRerun(t *testing.T) {
	s := payoutsGateway(t)
	file, sum := payoutsFile(t, "CLI", 40)
	dir := t.TempDir()
	ledger, report := filepath.Join(dir, "ledger.db"), filepath.Join(dir, "report.csv")
	before := s.Balance()
	args := append(payoutsArgs(s), "-csv", file, "-sqlite", ledger, "-concurrency", "6")
	status, out, errOut := runCLI(t, append(args, "-report", report)...)
	require.Equal(t, exitOK, status, "%s\n%s", out, errOut)
	assert.Equal(t, before-sum, s.Balance(), "exactly one payout per row")
	assert.Contains(t, errOut, "40/40 done: 40 created, 0 failed, 0 unknown")
	data, err := os.ReadFile(report)
	require.NoError(t, err)
	rows, totals := readReport(t, string(data))
	require.Len(t, rows, 40)
	txns := map[string]bool{}
	for id, r := range rows {
		assert.Equal(t, "created", r[2], id)
		line, _ := strconv.Atoi(r[0])
		i, _ := strconv.Atoi(strings.TrimPrefix(id, "CLIROW"))
		assert.Equal(t, i+2, line, "%s: the file's line", id)
		txns[r[4]] = true
	}
	assert.Len(t, txns, 40, "40 distinct payouts")
	assert.Equal(t, "40 row(s)", totals["created"][6])
	assert.Equal(t, strconv.FormatInt(int64(sum), 10), totals["created"][3])

	s.ClearRequests()
	status, out, errOut = runCLI(t, args...)
	require.Equal(t, exitOK, status, "%s\n%s", out, errOut)
	assert.Zero(t, createCount(s), "the second run sends nothing")
	assert.Equal(t, before-sum, s.Balance())
	rows, _ = readReport(t, out)
	for id, r := range rows {
		assert.Equal(t, "created", r[2], id)
		assert.Equal(t, "paid by an earlier run", r[6], id)
	}

	// A refused row: exit 1, its code and message in the report; the others are paid.
	more, _ := payoutsFile(t, "REF", 3)
	s.InjectFault(paycools.OpPayoutCreate, paycoolstest.Fault{Code: 21018, Message: "transfer code refused for account 09171234567"})
	status, out, _ = runCLI(t, append(payoutsArgs(s), "-csv", more, "-sqlite", ledger, "-concurrency", "1")...)
	assert.Equal(t, exitFail, status)
	rows, totals = readReport(t, out)
	assert.Equal(t, "refused", rows["REFROW00000"][2], rows["REFROW00000"])
	assert.Equal(t, "21018", rows["REFROW00000"][5])
	assert.Contains(t, rows["REFROW00000"][6], "transfer code refused")
	assert.NotContains(t, out, "09171234567", "the account number PayCools quoted is masked")
	assert.Equal(t, "2 row(s)", totals["created"][6])
}

// The SIGKILL test: the command runs in a child process (this test binary) against the fake
// gateway, and is killed with SIGKILL while payouts are in flight, twice; then it is run to
// the end. Some of the calls in flight at a kill reach the gateway after the kill (their
// payout is made, the ledger does not know), some never do. At the end the gateway holds
// exactly one payout per row, and the report lists every row.
const payoutsChildEnv = "PAYCOOLS_PAYOUTS_CHILD" // set in the child: its arguments, as JSON

// TestPayoutsChild is the child half of TestPayoutsCommandSurvivesSIGKILL; it does nothing in
// a normal run.
func TestPayoutsChild(t *testing.T) {
	raw := os.Getenv(payoutsChildEnv)
	if raw == "" {
		t.Skip("the child process of TestPayoutsCommandSurvivesSIGKILL")
	}
	var args []string
	require.NoError(t, json.Unmarshal([]byte(raw), &args))
	os.Exit(run(args, os.Stdout, os.Stderr))
}

var killTables atomic.Int64

// startPayoutsChild runs `paycools args...` in a child process (this test binary).
func startPayoutsChild(t *testing.T, args []string) *exec.Cmd {
	t.Helper()
	child := exec.Command(os.Args[0], "-test.run=^TestPayoutsChild$", "-test.count=1")
	raw, err := json.Marshal(args)
	require.NoError(t, err)
	child.Env = append(os.Environ(), payoutsChildEnv+"="+string(raw))
	stderr, err := child.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, child.Start())
	go func() { _, _ = bufio.NewReader(stderr).WriteTo(new(strings.Builder)) }()
	return child
}

// awaitPending waits until the ledger table holds n pending intents written since start (Unix
// ms): n payouts in flight.
func awaitPending(t *testing.T, db *sql.DB, placeholder, table string, start int64, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var pending int
		err := db.QueryRow(`SELECT count(*) FROM `+table+` WHERE state = 'pending' AND created_at >= `+placeholder, start).Scan(&pending)
		if err == nil && pending >= n {
			return
		}
		require.True(t, time.Now().Before(deadline), "never had %d payouts in flight", n)
		time.Sleep(5 * time.Millisecond)
	}
}

// TestPayoutsCommandCtrlC: an interrupt stops the sending; the payouts in flight finish (no
// intent is left open), every row is in the report, and the next run pays exactly the rest.
func TestPayoutsCommandCtrlC(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs processes")
	}
	s := payoutsGateway(t)
	file, sum := payoutsFile(t, "INT", 40)
	dir := t.TempDir()
	path, report := filepath.Join(dir, "ledger.db"), filepath.Join(dir, "report.csv")
	args := append(payoutsArgs(s), "-csv", file, "-sqlite", path, "-table", "interrupted", "-concurrency", "4", "-call-timeout", "5s", "-report", report)
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
	require.NoError(t, err)
	defer db.Close()
	for range 8 {
		s.InjectFault(paycools.OpPayoutCreate, paycoolstest.Fault{})
	}
	for range 4 {
		s.InjectFault(paycools.OpPayoutCreate, paycoolstest.Fault{Delay: 500 * time.Millisecond})
	}
	before := s.Balance()
	child := startPayoutsChild(t, args)
	awaitPending(t, db, "?", "interrupted", 0, 3)
	require.NoError(t, child.Process.Signal(os.Interrupt))
	err = child.Wait()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, exitFail, exit.ExitCode(), "not every row was paid")

	data, err := os.ReadFile(report)
	require.NoError(t, err)
	rows, _ := readReport(t, string(data))
	require.Len(t, rows, 40, "every row is in the report")
	var paid paycools.Amount
	notSent := 0
	for id, r := range rows {
		switch r[2] {
		case "created":
			a, _ := strconv.ParseInt(r[3], 10, 64)
			paid += paycools.Amount(a)
		case "not-sent":
			notSent++
		default:
			t.Errorf("%s: %s (%s)", id, r[2], r[6])
		}
	}
	assert.Positive(t, notSent)
	assert.Equal(t, before-paid, s.Balance(), "the created rows, and only them, were paid")
	var open int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM interrupted WHERE state IN ('pending', 'unknown')`).Scan(&open))
	assert.Zero(t, open, "the payouts in flight finished")

	status, out, errOut := runCLI(t, append(args[:len(args)-2:len(args)-2], "-report", filepath.Join(dir, "again.csv"))...)
	require.Equal(t, exitOK, status, "%s\n%s", out, errOut)
	assert.Equal(t, before-sum, s.Balance(), "the rest, once")
}

func TestPayoutsCommandSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs and kills processes")
	}
	const rows = 60
	run := func(t *testing.T, dialect paycools.Dialect, driver, dsn string, ledgerArgs []string) {
		opts := []paycoolstest.Option{paycoolstest.WithDialect(dialect)}
		s := payoutsGateway(t, opts...)
		table := fmt.Sprintf("kill_%d_%d", time.Now().UnixNano(), killTables.Add(1))
		prefix := strings.ToUpper(driver[:2]) + "K"
		file, sum := payoutsFile(t, prefix, rows)
		report := filepath.Join(t.TempDir(), "report.csv")
		args := append(payoutsArgs(s), "-csv", file, "-table", table, "-concurrency", "4", "-call-timeout", "2s", "-settle-time", "1s", "-report", report) // the sandbox acts on a request as it arrives
		if dialect == paycools.DialectPH {
			args = append(args, "-dialect", "ph", "-app-name", "paycoolstest")
		}
		args = append(args, ledgerArgs...)
		placeholder := "?"
		if driver == "pgx" {
			placeholder = "$1"
		}
		db, err := sql.Open(driver, dsn)
		require.NoError(t, err)
		defer db.Close()
		before := s.Balance()

		// In each killed run, four calls are held by the gateway for 600 ms; two of them are
		// then made (after the kill), two are dropped before the gateway acts.
		for _, after := range []int{10, 20} {
			for range after {
				s.InjectFault(paycools.OpPayoutCreate, paycoolstest.Fault{})
			}
			for k := range 4 {
				s.InjectFault(paycools.OpPayoutCreate, paycoolstest.Fault{Delay: 600 * time.Millisecond, DropBeforeAction: k%2 == 1})
			}
		}
		for range 2 {
			start := time.Now().UnixMilli()
			child := startPayoutsChild(t, args)
			// Kill once three payouts of this run are in flight: their intents are written
			// and not settled.
			awaitPending(t, db, placeholder, table, start, 3)
			require.NoError(t, child.Process.Signal(syscall.SIGKILL))
			_ = child.Wait()
		}
		var left int
		require.NoError(t, db.QueryRow(`SELECT count(*) FROM `+table+` WHERE state = 'pending'`).Scan(&left))
		assert.Positive(t, left, "the kills left calls open")

		// Run again: it settles what the killed runs left, then pays the rest. (The faults a
		// killed run did not reach are not for this run: it must end with every row created.)
		s.ClearFaults()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		raw, err := json.Marshal(args)
		require.NoError(t, err)
		final := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestPayoutsChild$", "-test.count=1")
		final.Env = append(os.Environ(), payoutsChildEnv+"="+string(raw))
		out, err := final.CombinedOutput()
		if err != nil {
			data, _ := os.ReadFile(report)
			t.Fatalf("the last run exits 0: %v\n%s\n%s", err, out, data)
		}

		assert.Equal(t, before-sum, s.Balance(), "exactly one payout per row, and no other")
		c := s.Client()
		data, err := os.ReadFile(report)
		require.NoError(t, err)
		got, totals := readReport(t, string(data))
		require.Len(t, got, rows, "the report lists every row")
		assert.Equal(t, fmt.Sprintf("%d row(s)", rows), totals["created"][6])
		for i := range rows {
			id := fmt.Sprintf("%sROW%05d", prefix, i)
			p, err := c.Payouts.Get(context.Background(), &paycools.PayoutGetParams{MchOrderID: id})
			require.NoError(t, err, id)
			assert.Equal(t, paycools.Amount(100+i), p.Amount, id)
			require.Equal(t, "created", got[id][2], id)
			assert.Equal(t, p.TransactionID, got[id][4], "%s: the report names the gateway's payout", id)
		}
		var open int
		require.NoError(t, db.QueryRow(`SELECT count(*) FROM `+table+` WHERE state IN ('pending', 'unknown')`).Scan(&open))
		assert.Zero(t, open, "nothing left open")
	}
	t.Run("sqlite/open-api", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "ledger.db")
		run(t, paycools.DialectOpenAPI, "sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)", []string{"-sqlite", path})
	})
	t.Run("postgres/ph", func(t *testing.T) {
		dsn := os.Getenv("PAYCOOLS_TEST_POSTGRES_DSN")
		if dsn == "" {
			if os.Getenv("CI") == "true" {
				t.Fatal("PAYCOOLS_TEST_POSTGRES_DSN is not set: CI must not skip this test")
			}
			t.Skip("no PostgreSQL: set PAYCOOLS_TEST_POSTGRES_DSN")
		}
		run(t, paycools.DialectPH, "pgx", dsn, []string{"-postgres", dsn})
	})
}

// A ledger of runs made before app ids (its rows have an empty app_id): a rerun refuses to start and
// says how to go on, sending nothing; with -adopt-legacy-rows the rows become -app-id's and the
// rerun finds them paid by the earlier run.
func TestPayoutsCommandAdoptsLegacyLedgerRows(t *testing.T) {
	s := payoutsGateway(t)
	file, sum := payoutsFile(t, "OLD", 3)
	ledger := filepath.Join(t.TempDir(), "ledger.db")
	before := s.Balance()
	args := append(payoutsArgs(s), "-csv", file, "-sqlite", ledger)
	status, out, errOut := runCLI(t, args...)
	require.Equal(t, exitOK, status, "%s\n%s", out, errOut)
	db, err := sql.Open("sqlite", "file:"+ledger+"?_pragma=busy_timeout(10000)")
	require.NoError(t, err)
	_, err = db.Exec(`UPDATE paycools_intents SET app_id = ''`) // as a version before app ids left them
	require.NoError(t, err)
	require.NoError(t, db.Close())

	s.ClearRequests()
	status, _, errOut = runCLI(t, args...)
	assert.Equal(t, exitFail, status)
	assert.Contains(t, errOut, "-adopt-legacy-rows")
	assert.Zero(t, createCount(s), "nothing is sent")

	status, out, errOut = runCLI(t, append(args, "-adopt-legacy-rows")...)
	require.Equal(t, exitOK, status, "%s\n%s", out, errOut)
	assert.Zero(t, createCount(s), "the rows from before are this app's, paid")
	assert.Equal(t, before-sum, s.Balance())
	rows, _ := readReport(t, out)
	require.Len(t, rows, 3)
	for id, r := range rows {
		assert.Equal(t, "paid by an earlier run", r[6], id)
	}
}
