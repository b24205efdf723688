package paycoolssql_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolssql"
)

// The crash test: a child process makes crashPayouts payouts with the SQL ledger against a
// `paycools sandbox` process, and is killed with SIGKILL at random moments; each new child runs
// Recover and goes on. At the end the gateway must hold exactly one payout per order, the
// ledger must agree with it on every order, and nothing may be left open.
const (
	crashPayouts  = 200
	crashKills    = 6
	crashChildEnv = "PAYCOOLS_CRASH_CHILD" // set in the child: the JSON of crashSetup
)

// crashSetup is what the parent hands the child.
type crashSetup struct {
	Flavor      paycoolssql.Flavor `json:"flavor"`
	DSN         string             `json:"dsn"`
	Table       string             `json:"table"`
	Orders      string             `json:"orders"` // order id prefix
	BaseURL     string             `json:"baseUrl"`
	AppID       string             `json:"appId"`
	MerchantKey string             `json:"merchantPrivateKey"`
	PlatformKey string             `json:"platformPublicKey"`
	Dialect     string             `json:"dialect"`
	Targets     []int              `json:"targets"` // the orders at which the parent kills
}

// windowLedger is the child's ledger: at the orders the parent kills at, it says on stdout
// when an intent is written (nothing sent yet) and when an outcome is about to be written (the
// payout exists), and pauses there so that the kill lands in that window.
type windowLedger struct {
	*paycoolssql.Ledger
	targets map[string]bool
	mu      sync.Mutex
	orders  map[string]string // intent id -> order
}

func (w *windowLedger) Record(ctx context.Context, in *paycools.Intent) error {
	err := w.Ledger.Record(ctx, in)
	if err == nil && w.targets[in.MchOrderID] {
		w.mu.Lock()
		w.orders[in.ID] = in.MchOrderID
		w.mu.Unlock()
		fmt.Printf("crash child: recorded %s\n", in.MchOrderID)
		time.Sleep(30 * time.Millisecond)
	}
	return err
}

func (w *windowLedger) Resolve(ctx context.Context, id string, r paycools.IntentResolution) error {
	w.mu.Lock()
	order, ok := w.orders[id]
	w.mu.Unlock()
	if ok {
		fmt.Printf("crash child: resolving %s\n", order)
		time.Sleep(30 * time.Millisecond)
	}
	return w.Ledger.Resolve(ctx, id, r)
}

func crashOrder(prefix string, i int) string { return fmt.Sprintf("%s%05d", prefix, i) }

func crashAmount(i int) paycools.Amount { return paycools.Amount(100 + i) }

var buildOnce struct {
	sync.Once
	path string
	err  error
}

// paycoolsBinary builds cmd/paycools once per test run.
func paycoolsBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "paycools-bin")
		if err != nil {
			buildOnce.err = err
			return
		}
		buildOnce.path = filepath.Join(dir, "paycools")
		goTool, err := exec.LookPath("go")
		if err != nil {
			buildOnce.err = err
			return
		}
		cmd := exec.Command(goTool, "build", "-o", buildOnce.path, "github.com/paycools-sdk/paycools-go/cmd/paycools")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildOnce.err = fmt.Errorf("go build cmd/paycools: %v\n%s", err, out)
		}
	})
	require.NoError(t, buildOnce.err)
	return buildOnce.path
}

// startSandbox runs `paycools sandbox -json` and returns its connection details.
func startSandbox(t *testing.T, dialect string) crashSetup {
	t.Helper()
	cmd := exec.Command(paycoolsBinary(t), "sandbox", "-json", "-addr", "127.0.0.1:0", "-dialect", dialect)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err, "the sandbox's first line")
	var s crashSetup
	require.NoError(t, json.Unmarshal([]byte(line), &s))
	require.NotEmpty(t, s.BaseURL)
	s.Dialect = dialect
	resp, err := http.PostForm(s.BaseURL+"/sandbox/balance", url.Values{"amount": {"100000000"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	return s
}

// clientOf is the child's (and the parent's checking) client of the sandbox.
func clientOf(t testing.TB, s crashSetup, opts ...paycools.Option) *paycools.Client {
	t.Helper()
	key, err := paycools.ParsePrivateKey([]byte(s.MerchantKey))
	require.NoError(t, err)
	pub, err := paycools.ParsePublicKey([]byte(s.PlatformKey))
	require.NoError(t, err)
	d, err := paycools.ParseDialect(s.Dialect)
	require.NoError(t, err)
	base := []paycools.Option{paycools.WithBaseURL(s.BaseURL), paycools.WithPlatformPublicKey(pub), paycools.WithDialect(d),
		paycools.WithAppName("crash"), paycools.WithRetries(1)}
	c, err := paycools.NewClient(s.AppID, key, append(base, opts...)...)
	require.NoError(t, err)
	return c
}

func balanceOf(t *testing.T, s crashSetup) paycools.Amount {
	resp, err := http.Get(s.BaseURL + "/sandbox/balance")
	require.NoError(t, err)
	defer resp.Body.Close()
	var b struct {
		Balance paycools.Amount `json:"balance"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&b))
	return b.Balance
}

func TestCrashRecover(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the crash test builds and runs processes")
	}
	run := func(t *testing.T, d testDB, dialect string) {
		s := startSandbox(t, dialect)
		s.Flavor, s.DSN = d.flavor, d.dsn
		s.Table = fmt.Sprintf("%s_crash_%d", d.prefix, tableSeq.Add(1))
		s.Orders = fmt.Sprintf("CRASH%s", strings.ToUpper(d.flavor.String()[:2]))
		start := balanceOf(t, s)

		// The kills land at random orders (sorted, so that each child gets further), each after
		// a random few hundred microseconds more: before, during or after a call.
		targets := make([]int, crashKills)
		for i := range targets {
			targets[i] = 5 + rand.IntN(crashPayouts-10)
		}
		sort.Ints(targets)
		s.Targets = targets
		setup, err := json.Marshal(s)
		require.NoError(t, err)
		// Kill k waits for: the intent written and nothing sent (k%3 == 0), the payout made and
		// its outcome not written (k%3 == 1), or any moment of the order's call (k%3 == 2).
		windows := []string{"recorded", "resolving", "order"}
		recovered := map[string]int{}
		kills := 0
		for round := 0; ; round++ {
			require.Less(t, round, 40, "the child never finished")
			cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1", "-test.v")
			cmd.Env = append(os.Environ(), crashChildEnv+"="+string(setup))
			pipe, err := cmd.StdoutPipe()
			require.NoError(t, err)
			cmd.Stderr = cmd.Stdout
			require.NoError(t, cmd.Start())
			var out strings.Builder
			done, killed := false, false
			sc := bufio.NewScanner(pipe)
			for sc.Scan() {
				line := sc.Text()
				out.WriteString(line + "\n")
				done = done || strings.Contains(line, "crash child: all done")
				var from, to string
				if _, err := fmt.Sscanf(line, "crash child: recovered %s %s -> %s", new(string), &from, &to); err == nil {
					recovered[from+"->"+to]++
				}
				var n int
				if kills < crashKills && !killed && strings.HasPrefix(line, "crash child: "+windows[kills%3]+" ") &&
					(windows[kills%3] == "order" && sscan(line, "crash child: order %d", &n) && n >= targets[kills] ||
						windows[kills%3] != "order" && strings.HasSuffix(line, " "+crashOrder(s.Orders, targets[kills]))) {
					time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
					require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
					killed = true
				}
			}
			err = cmd.Wait()
			if killed {
				kills++
				continue
			}
			require.NoError(t, err, "the child failed:\n%s", out.String())
			require.True(t, done, "the child stopped early:\n%s", out.String())
			break
		}
		t.Logf("%d kills; recovered: %v", kills, recovered)
		require.GreaterOrEqual(t, kills, 5)
		assert.Positive(t, recovered["pending->absent"], "a kill after the intent was written and before sending")
		assert.Positive(t, recovered["pending->created"], "a kill after the payout was made and before its outcome was written")

		// The gateway holds exactly one payout per order: each is found, and the balance went
		// down by exactly the sum of the orders' amounts (so there is no other payout).
		checker := clientOf(t, s)
		l, err := paycoolssql.NewLedger(testCtx(t), d.db, d.flavor, paycoolssql.WithTable(s.Table))
		require.NoError(t, err)
		var sum paycools.Amount
		for i := 0; i < crashPayouts; i++ {
			order := crashOrder(s.Orders, i)
			sum += crashAmount(i)
			intents, err := l.Intents(testCtx(t), s.AppID, paycools.OpPayoutCreate, order)
			require.NoError(t, err)
			var created []paycools.Intent
			for _, in := range intents {
				require.True(t, in.State.Final(), "order %s: intent %s left %s", order, in.ID, in.State)
				if in.State == paycools.IntentCreated {
					created = append(created, in)
				}
			}
			require.Len(t, created, 1, "order %s: one created intent", order)
			if dialect == "open-api" { // the PH host looks payouts up by merchant order id too
				p, err := checker.Payouts.Get(testCtx(t), &paycools.PayoutGetParams{MchOrderID: order})
				require.NoError(t, err, order)
				assert.Equal(t, p.TransactionID, created[0].TransactionID, "order %s: the ledger agrees with the gateway", order)
				assert.Equal(t, crashAmount(i), p.Amount)
			} else {
				p, err := checker.Payouts.Get(testCtx(t), &paycools.PayoutGetParams{MchOrderID: order})
				require.NoError(t, err, order)
				assert.Equal(t, p.TransactionID, created[0].TransactionID, "order %s: the ledger agrees with the gateway", order)
			}
		}
		assert.Equal(t, start-sum, balanceOf(t, s), "exactly one payout per order, and no other")
		var open int
		require.NoError(t, d.db.QueryRow(`SELECT count(*) FROM `+s.Table+` WHERE state IN ('pending', 'unknown')`).Scan(&open))
		assert.Zero(t, open, "nothing pending")
	}
	t.Run("sqlite", func(t *testing.T) { run(t, openSQLite(t), "open-api") })
	t.Run("postgres", func(t *testing.T) { run(t, openPostgres(t), "ph") })
}

func sscan(s, format string, v ...any) bool {
	_, err := fmt.Sscanf(s, format, v...)
	return err == nil
}

// TestCrashChild is the child half of TestCrashRecover; it does nothing in a normal run.
func TestCrashChild(t *testing.T) {
	raw := os.Getenv(crashChildEnv)
	if raw == "" {
		t.Skip("the child process of TestCrashRecover")
	}
	var s crashSetup
	require.NoError(t, json.Unmarshal([]byte(raw), &s))
	driver := map[paycoolssql.Flavor]string{paycoolssql.SQLite: "sqlite", paycoolssql.Postgres: "pgx"}[s.Flavor]
	db, err := sql.Open(driver, s.DSN)
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	l, err := paycoolssql.NewLedger(ctx, db, s.Flavor, paycoolssql.WithTable(s.Table))
	require.NoError(t, err)
	w := &windowLedger{Ledger: l, targets: map[string]bool{}, orders: map[string]string{}}
	for _, i := range s.Targets {
		w.targets[crashOrder(s.Orders, i)] = true
	}
	// The sandbox acts on a request as it receives it: "not found" a second after the last
	// attempt could have been sent proves that it never arrived.
	c := clientOf(t, s, paycools.WithLedger(w), paycools.WithSettleTime(time.Second))

	recoverOnce := func() {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		rep, err := c.Recover(rctx)
		require.NoError(t, err)
		for _, o := range rep.Resolutions {
			fmt.Printf("crash child: recovered %s %s -> %s\n", o.Intent.MchOrderID, o.Intent.State, o.State)
		}
	}
	recoverOnce()
	for i := 0; i < crashPayouts; i++ {
		order := crashOrder(s.Orders, i)
		fmt.Printf("crash child: order %d\n", i)
		for attempt := 0; ; attempt++ {
			require.Less(t, attempt, 200, "order %s never settled", order)
			intents, err := l.Intents(ctx, s.AppID, paycools.OpPayoutCreate, order)
			require.NoError(t, err)
			state := paycools.IntentState("")
			if n := len(intents); n > 0 {
				state = intents[n-1].State
			}
			if state == paycools.IntentCreated {
				break
			}
			if state == paycools.IntentPending || state == paycools.IntentUnknown {
				// A killed child's call: Recover settles it once its claim ends.
				time.Sleep(250 * time.Millisecond)
				recoverOnce()
				continue
			}
			cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			_, err = c.Payouts.Create(cctx, &paycools.PayoutCreateParams{MchOrderID: order, Amount: crashAmount(i),
				AccountNo: "09171234567", AccountName: "Juan Dela Cruz", PayMethodCode: paycools.PayMethodEWallet,
				TransferCode: "GCASH", Remark: "crash"})
			cancel()
			var ve *paycools.ValidationError
			require.False(t, errors.As(err, &ve), "%v", err)
			if err != nil {
				fmt.Printf("crash child: %s: %v\n", order, err)
			}
		}
	}
	fmt.Println("crash child: all done")
}
